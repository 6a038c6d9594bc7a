import os
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Union

PathLike = Union[str, os.PathLike[str]]
Document = Union[Dict[str, Any], str]
Inputs = Union[PathLike, Sequence[PathLike], Iterable[Document]]

class IndexLockedError(OSError): ...

class Index:
    path: str
    read_only: bool
    def __init__(
        self,
        path: Union[str, bytes, os.PathLike[str], os.PathLike[bytes]],
        *,
        create: bool = ...,
        read_only: bool = ...,
        sync: bool = ...,
        threads: int = ...,
        normalize: Optional[str] = ...,
        shingle: Optional[str] = ...,
        ngram: Optional[int] = ...,
        threshold: Optional[float] = ...,
        hashes: Optional[int] = ...,
        bands: Optional[int] = ...,
        rows: Optional[int] = ...,
        bucket_window: Optional[int] = ...,
        seed: Optional[int] = ...,
        seed_words: Optional[int] = ...,
        min_words: Optional[int] = ...,
        min_similarity: Optional[float] = ...,
        band: Optional[int] = ...,
        max_unmatched: Optional[int] = ...,
        max_gap: Optional[int] = ...,
        all_pairs_docs: Optional[int] = ...,
        max_candidates: Optional[int] = ...,
        winnow_window: Optional[int] = ...,
        passages: Optional[bool] = ...,
    ) -> None: ...
    def add(
        self,
        inputs: Optional[Inputs] = ...,
        *,
        documents: Optional[Iterable[Dict[str, Any]]] = ...,
        format: str = ...,
        id_field: str = ...,
        text_field: str = ...,
        date_field: str = ...,
        max_doc_bytes: int = ...,
        on_error: str = ...,
        batch: int = ...,
        all_or_nothing: bool = ...,
        skip_passages: bool = ...,
        progress: bool = ...,
        max_warnings: int = ...,
        on_problem: Optional[Callable[[str], None]] = ...,
    ) -> List[Dict[str, Any]]: ...
    def query(
        self,
        inputs: Optional[Inputs] = ...,
        *,
        documents: Optional[Iterable[Document]] = ...,
        format: str = ...,
        id_field: str = ...,
        text_field: str = ...,
        date_field: str = ...,
        max_doc_bytes: int = ...,
        on_error: str = ...,
        all_or_nothing: bool = ...,
        skip_passages: bool = ...,
        progress: bool = ...,
        max_warnings: int = ...,
        on_problem: Optional[Callable[[str], None]] = ...,
    ) -> List[Dict[str, Any]]: ...
    def remove(self, ids: Union[str, int, Iterable[Union[str, int]]]) -> int: ...
    def get(self, id: Union[str, int]) -> Optional[Dict[str, Any]]: ...
    def stats(self) -> Dict[str, Any]: ...
    def pairs(self) -> List[Dict[str, Any]]: ...
    def clusters(self) -> List[Dict[str, Any]]: ...
    def __len__(self) -> int: ...
    def __contains__(self, id: object) -> bool: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...
    def __enter__(self) -> Index: ...
    def __exit__(self, *exc_info: Any) -> None: ...
