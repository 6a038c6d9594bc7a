import os
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Union

PathLike = Union[str, os.PathLike[str]]
Document = Union[Dict[str, Any], str]
Inputs = Union[PathLike, Sequence[PathLike], Iterable[Document]]

class BadInputError(ValueError): ...
class NoDocumentsError(ValueError): ...
class BadInputWarning(UserWarning): ...

class DedupResult:
    problems: List[str]
    @property
    def clusters(self) -> List[Dict[str, Any]]: ...
    @property
    def pairs(self) -> List[Dict[str, Any]]: ...
    @property
    def removed(self) -> List[Dict[str, Any]]: ...
    @property
    def stats(self) -> Dict[str, Any]: ...
    @property
    def removed_ids(self) -> set[Any]: ...
    def deduplicated(self) -> Iterator[Dict[str, Any]]: ...

class ReuseResult:
    problems: List[str]
    @property
    def pairs(self) -> List[Dict[str, Any]]: ...
    @property
    def clusters(self) -> List[Dict[str, Any]]: ...
    @property
    def documents(self) -> List[Dict[str, Any]]: ...
    @property
    def stats(self) -> Dict[str, Any]: ...
    def cleaned(self) -> Iterator[Dict[str, Any]]: ...

def dedup(
    inputs: Optional[Inputs] = ...,
    *,
    documents: Optional[Iterable[Document]] = ...,
    format: str = ...,
    id_field: str = ...,
    text_field: str = ...,
    date_field: str = ...,
    max_doc_bytes: int = ...,
    on_error: str = ...,
    normalize: str = ...,
    shingle: str = ...,
    ngram: int = ...,
    threshold: float = ...,
    hashes: int = ...,
    bands: Optional[int] = ...,
    rows: Optional[int] = ...,
    bucket_window: int = ...,
    seed: Optional[int] = ...,
    verify: str = ...,
    keep: str = ...,
    threads: int = ...,
    progress: bool = ...,
    max_warnings: int = ...,
    on_problem: Optional[Callable[[str], None]] = ...,
) -> DedupResult: ...
def reuse(
    inputs: Optional[Inputs] = ...,
    *,
    documents: Optional[Iterable[Document]] = ...,
    format: str = ...,
    id_field: str = ...,
    text_field: str = ...,
    date_field: str = ...,
    max_doc_bytes: int = ...,
    on_error: str = ...,
    normalize: str = ...,
    min_words: int = ...,
    min_similarity: float = ...,
    cluster_trigrams: float = ...,
    seed_words: int = ...,
    band: int = ...,
    max_unmatched: int = ...,
    max_gap: int = ...,
    all_pairs_docs: int = ...,
    min_docs: int = ...,
    keep_source: bool = ...,
    threads: int = ...,
    progress: bool = ...,
    max_warnings: int = ...,
    on_problem: Optional[Callable[[str], None]] = ...,
) -> ReuseResult: ...
