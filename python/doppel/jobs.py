"""doppel.dedup and doppel.reuse: the command line's jobs from Python.

Both take paths (files, directories, ``-`` for JSON Lines on standard input) or documents from
Python (an iterable of dicts with ``id``/``text``/``date``, or of strings), and return the
results with the same content as the command's JSON Lines outputs (docs/formats.md), as Python
objects. Options are keyword arguments with the command line's names and defaults
(``--min-words`` is ``min_words=``). The C++ library does the work with the GIL released.

Documents from Python stream: they are turned into JSON Lines a chunk at a time as the library
reads them, and kept (in an anonymous temporary file, as the command keeps standard input) only
so that :meth:`DedupResult.deduplicated` and :meth:`ReuseResult.cleaned` can give them back.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import time
import warnings
from collections.abc import Mapping
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Union

from doppel import _doppel

BadInputError = _doppel.BadInputError
NoDocumentsError = _doppel.NoDocumentsError


class BadInputWarning(UserWarning):
    """A document that could not be read was skipped (on_error="skip"): the warning says which
    and why, as the command line's warnings do. Every one is also in the result's ``problems``
    and, for dedup, in ``removed``."""


PathLike = Union[str, "os.PathLike[str]"]
Inputs = Union[PathLike, Sequence[PathLike], Iterable[Union[Dict[str, Any], str]]]

_CHUNK_BYTES = 1 << 18
# A chunk also ends once its documents took this long to come: from a slow iterable (a feed, a
# cursor) the library is not kept waiting for 256 KiB, and Ctrl-C, which stops the pulling
# between chunks, is taken soon.
_CHUNK_SECONDS = 0.05


def _paths_or_documents(inputs: Any):
    """(paths, documents): a path or a list or tuple of paths are paths, as on the command line
    (str, bytes as os.fsencode gives them, or os.PathLike); any other iterable (a generator, a
    list of dicts) holds documents."""
    if isinstance(inputs, (str, bytes, os.PathLike)):
        return [os.fspath(inputs)], None
    if isinstance(inputs, (list, tuple)) and inputs and all(
        isinstance(p, (str, bytes, os.PathLike)) for p in inputs
    ):
        return [os.fspath(p) for p in inputs], None
    if isinstance(inputs, (list, tuple)) and any(isinstance(p, os.PathLike) for p in inputs):
        # A path (pathlib.Path) among documents: never a document itself. (A str among dicts is
        # a document's text, as documented: no way to tell it from a path.)
        raise TypeError(
            "inputs mixes paths and documents: give a list of paths, or of documents (dicts "
            "or strings)"
        )
    if isinstance(inputs, (bytearray, dict)):
        raise TypeError(
            "inputs must be a path, a list of paths, or an iterable of documents (dicts or "
            f"strings), not {type(inputs).__name__}"
        )
    try:
        return None, iter(inputs)
    except TypeError:
        raise TypeError(
            "inputs must be a path, a list of paths, or an iterable of documents (dicts or "
            f"strings), not {type(inputs).__name__}"
        ) from None


def _documents_given(documents: Any, inputs: Any, call: str) -> Any:
    """What `documents=` holds, as inputs: an iterator over it. documents= takes documents only:
    a path (or a lone string, which would be read as one) is a TypeError, as is giving both."""
    if inputs is not None:
        raise TypeError("give inputs or documents=, not both")
    if isinstance(documents, (str, bytes, os.PathLike, Mapping)):
        raise TypeError(
            f"{call}: documents= takes an iterable of documents (dicts or strings), not a "
            f"{type(documents).__name__}; give paths as inputs, and one text as [text]"
        )
    return iter(documents) if isinstance(documents, (list, tuple)) else documents


def _without_nan(value: Any) -> Any:
    """`value` with each float NaN or infinity in it made None (JSON null)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _without_nan(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_without_nan(v) for v in value]
    return value


def _json_default(value: Any) -> Any:
    """A value JSON cannot hold: a missing one (a NaN of numpy's float32, NaT) is null, as a float
    NaN is; any other (a date, a numpy number) its str(). Bytes are a TypeError: their str() is
    their repr ("b'...'"), which would be read as the text."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError(
            f"a document holds {type(value).__name__}: decode it to str first (JSON holds text)"
        )
    try:
        if value != value:  # NaN and NaT are the values unequal to themselves
            return None
    except Exception:  # noqa: BLE001 - a comparison that cannot be made (pandas.NA) is no NaN
        pass
    return str(value)


def _int_or_str(id_text: str) -> Any:
    """An id read back as the integer it was written from, or as it is."""
    try:
        return int(id_text)
    except ValueError:
        return id_text


def _has_id(value: Any) -> bool:
    """Whether `value`, a document's id field, names it (the reader names a document without one,
    or with null or "", by its place)."""
    if value is None or (isinstance(value, str) and not value):
        return False
    return not (isinstance(value, float) and math.isnan(value))


def _json_lines(documents: Iterator[Any], id_field: str, text_field: str,
                strings: bool = True) -> Callable[[], bytes]:
    """A callable giving the documents as JSON Lines, about 256 KiB a call (less when they take
    more than 50 ms to come), b"" at the end. A
    string becomes {"id": its index, "text": it}; where `strings` is false (the caller keeps the
    documents by id) a string is a TypeError and a dict without an id a ValueError. A path is a
    TypeError; values JSON cannot hold (dates) become str(), missing ones (NaN, NaT) null. Its
    attribute `int_ids()` says whether every document so far had an integer id (a string's is its
    index), so that ids read back can be given as the integers they were."""
    index = 0
    int_ids = True

    def next_chunk() -> bytes:
        nonlocal index, int_ids
        parts: List[str] = []
        size = 0
        started = time.monotonic()
        for doc in documents:
            given_as_string = isinstance(doc, str)
            if given_as_string:
                if not strings:
                    raise TypeError(
                        f"document {index} is a string: a document added to an index needs an "
                        f"id, so give dicts ({{{id_field!r}: ..., {text_field!r}: ...}})"
                    )
                doc = {id_field: str(index), text_field: doc}  # its index: int_ids stands
            elif isinstance(doc, os.PathLike):
                raise TypeError(
                    f"document {index} is a path ({os.fspath(doc)!r}): give paths as inputs (a "
                    "path or a list of paths), not among documents"
                )
            elif not strings and isinstance(doc, Mapping) and not _has_id(doc.get(id_field)):
                raise ValueError(
                    f"document {index} has no {id_field!r}: a document added to an index needs "
                    "an id of its own (one made from its place in the call would be the same in "
                    "every call)"
                )
            if isinstance(doc, Mapping) and not isinstance(doc, dict):
                doc = dict(doc)  # a UserDict or mappingproxy is a document too, not its str()
            if isinstance(doc, dict):
                if not given_as_string:  # (numpy's integers are Integral too)
                    given = doc.get(id_field)
                    int_ids = (int_ids and isinstance(given, numbers.Integral)
                               and not isinstance(given, bool))
            elif isinstance(doc, (list, tuple)):
                # As a JSON array, the first line would make the reader take the whole stream for
                # one JSON array (a file to convert with jq) and refuse every document: a string
                # is a line that is not an object either, reported as such (malformed_json).
                doc = f"document {index} is a {type(doc).__name__}, not a dict or a string"
            # Anything else that is not a dict goes as the JSON value it is, so that the reader
            # reports it as bad input (malformed_json: not an object), as the command does a
            # line that is not an object: skipped and counted, or BadInputError with "fail".
            try:
                line = json.dumps(doc, ensure_ascii=False, separators=(",", ":"),
                                  default=_json_default, allow_nan=False)
            except ValueError as e:
                if "Out of range float" not in str(e):
                    raise  # a circular reference, which no JSON holds
                # NaN or infinity, which JSON cannot hold (pandas' missing values): null, as a
                # missing field; elsewhere than a field, in a string.
                line = json.dumps(_without_nan(doc), ensure_ascii=False, separators=(",", ":"),
                                  default=_json_default)
            except RecursionError:
                # Nested deeper than Python's json can write: bad input, as the command counts
                # a line nested too deep (malformed_json, named by its line: the document's
                # place in the iterable, from 1), not the end of the whole call.
                line = "!nested too deep to write as JSON"
            parts.append(line)
            parts.append("\n")
            size += len(line) + 1
            index += 1
            if size >= _CHUNK_BYTES or time.monotonic() - started >= _CHUNK_SECONDS:
                break
        return "".join(parts).encode("utf-8", "surrogatepass")

    next_chunk.int_ids = lambda: int_ids  # type: ignore[attr-defined]
    return next_chunk


def _lines(data: bytes) -> List[Dict[str, Any]]:
    return [json.loads(line) for line in data.splitlines() if line]


def _stream(chunks) -> Iterator[Dict[str, Any]]:
    while True:
        chunk = chunks.next()
        if chunk is None:
            return
        for line in chunk.splitlines():
            if line:
                yield json.loads(line)


class _Problems:
    """Collects the bad-input messages of a run; warns about the first `max_warnings` after it."""

    def __init__(self, on_problem: Optional[Callable[[str], None]], max_warnings: int):
        self.messages: List[str] = []
        self._on_problem = on_problem
        self._max_warnings = max_warnings

    def __call__(self, message: str) -> None:
        self.messages.append(message)
        if self._on_problem is not None:
            self._on_problem(message)

    def warn(self) -> None:
        if self._on_problem is not None:
            return
        shown = self.messages[: max(self._max_warnings, 0)]
        for message in shown:
            warnings.warn(message, BadInputWarning, stacklevel=4)
        if len(self.messages) > len(shown):
            warnings.warn(
                f"{len(self.messages) - len(shown)} more problems not shown (all of them: the "
                "result's problems)",
                BadInputWarning,
                stacklevel=4,
            )


def _run(native_call, inputs, options, on_problem, max_warnings, strings=True):
    """Calls `native_call(paths, next_chunk, options, on_problem)` (a run's class or the index's
    add and query) over paths or documents; returns what it returns and the problems' messages."""
    paths, documents = _paths_or_documents(inputs)
    next_chunk = None
    if documents is not None and options.get("format", "auto") not in ("auto", "jsonl"):
        # Documents from Python go to the reader as JSON Lines: read as text, the whole stream
        # would be one document.
        raise ValueError(
            f"format={options['format']!r} is for files: documents given from Python are read as "
            "they are (dicts and strings)"
        )
    if documents is not None:
        next_chunk = _json_lines(documents, options.get("id_field", "id"),
                                 options.get("text_field", "text"), strings)
    problems = _Problems(on_problem, max_warnings)
    # Paths go down as the bytes the file system holds (os.fsencode): a name that is not UTF-8
    # (os.listdir gives it with surrogate escapes) could not be encoded as a str, and is read as
    # the command line reads it, its id escaped.
    native_paths = None if paths is None else [os.fsencode(p) for p in paths]
    try:
        run = native_call(native_paths, next_chunk, options, problems)
    except OSError as e:
        if paths is not None and any(("\n" in p or " " in p) and not os.path.exists(p)
                                     for p in map(os.fsdecode, paths)):
            raise FileNotFoundError(
                f"{e} (a list of strings is a list of paths; to compare texts, pass "
                "documents=[...] or a generator of strings or dicts)"
            ) from None
        raise
    problems.warn()
    if next_chunk is not None:
        run_ids_are_ints = next_chunk.int_ids()  # type: ignore[attr-defined]
    else:
        run_ids_are_ints = False
    return run, problems.messages, run_ids_are_ints


def _options(**kw: Any) -> Dict[str, Any]:
    return {k: v for k, v in kw.items() if v is not None}


class _Result:
    """A finished run's outputs, each parsed from the native run on first use and kept."""

    def __init__(self, run, problems: List[str], int_ids: bool = False):
        self._run = run
        self._int_ids = int_ids  # every document from Python had an integer id
        self.problems: List[str] = problems
        """Every bad-input message, in input order (what the command line warns about)."""
        self._cache: Dict[str, Any] = {}

    def _get(self, name: str, parse):
        if name not in self._cache:
            self._cache[name] = parse(getattr(self._run, name)())
        return self._cache[name]


class DedupResult(_Result):
    """What doppel.dedup found: the content of `doppel dedup`'s outputs (docs/formats.md)."""

    @property
    def clusters(self) -> List[Dict[str, Any]]:
        """Clusters of two or more documents, as `--clusters` writes them: cluster, kind ("exact"
        or "near"), size, representative, members (id, similarity, exact, date)."""
        return self._get("clusters", _lines)

    @property
    def pairs(self) -> List[Dict[str, Any]]:
        """Every verified near-duplicate pair (a, b, similarity), as `--pairs` writes them."""
        return self._get("pairs", _lines)

    @property
    def removed(self) -> List[Dict[str, Any]]:
        """Every document not kept, with its reason, as `--removed` writes them: duplicates name
        the document kept (duplicate_of), bad input its file, line and message."""
        return self._get("removed", _lines)

    @property
    def stats(self) -> Dict[str, Any]:
        """Counts, options, timings and memory, as `--stats` writes them."""
        return self._get("stats", json.loads)

    @property
    def removed_ids(self) -> set:
        """The ids of the documents not kept: integers where every document given from Python had
        an integer id (a string's id is its index), so that `d["id"] not in removed_ids` filters
        them; else strings, as the outputs write them. (A document that could not be read and had
        no id of its own is named "<documents>:N", its place from 1.)"""
        if not self._int_ids:
            return {row["id"] for row in self.removed}
        return {_int_or_str(row["id"]) for row in self.removed}

    def deduplicated(self) -> Iterator[Dict[str, Any]]:
        """The kept documents, in input order, as `--output` writes them: each JSON Lines document
        as it was given (dicts from Python come back as dicts, strings as {"id", "text"}); text
        files as {"id", "text", "date", "byline"}. Reads the input again; streams."""
        return _stream(self._run.deduplicated())


class ReuseResult(_Result):
    """What doppel.reuse found: the content of `doppel reuse`'s outputs (docs/formats.md)."""

    @property
    def pairs(self) -> List[Dict[str, Any]]:
        """Every aligned passage pair, as `--pairs` writes them: a, b, their spans in code points
        (a_begin, a_end, ...) and bytes (a_byte_begin, ...), words, matches, similarity, cluster."""
        return self._get("pairs", _lines)

    @property
    def clusters(self) -> List[Dict[str, Any]]:
        """Passage clusters, as `--clusters` writes them: documents, occurrences, source, members
        (id, begin, end, byte_begin, byte_end, words, date, role)."""
        return self._get("clusters", _lines)

    @property
    def documents(self) -> List[Dict[str, Any]]:
        """Each compared document's reused share and spans, as `--documents` writes them."""
        return self._get("documents", _lines)

    @property
    def stats(self) -> Dict[str, Any]:
        """Counts, options, timings and memory, as `--stats` writes them."""
        return self._get("stats", json.loads)

    def cleaned(self) -> Iterator[Dict[str, Any]]:
        """Each compared document without its shared passages, and the spans removed, as
        `--output` writes them (min_docs and keep_source apply). Reads the input again; streams."""
        return _stream(self._run.cleaned())


def dedup(
    inputs: Inputs = None,
    *,
    documents: Optional[Iterable[Union[Dict[str, Any], str]]] = None,
    format: str = "auto",
    id_field: str = "id",
    text_field: str = "text",
    date_field: str = "date",
    max_doc_bytes: int = 64 << 20,
    on_error: str = "skip",
    normalize: str = "nfkc,case,punct,space",
    shingle: str = "word",
    ngram: int = 5,
    threshold: float = 0.8,
    hashes: int = 128,
    bands: Optional[int] = None,
    rows: Optional[int] = None,
    bucket_window: int = 1,
    seed: Optional[int] = None,
    verify: str = "signature",
    keep: str = "first",
    threads: int = 0,
    progress: bool = False,
    max_warnings: int = 20,
    on_problem: Optional[Callable[[str], None]] = None,
) -> DedupResult:
    """Finds exact and near-duplicate documents, clusters them and keeps one per cluster: the
    `doppel dedup` command (docs/cli.md gives what each option trades).

    `inputs` is a path, a list of paths (files, directories, "-" for standard input), or an
    iterable of documents; `documents=` takes documents only. A document is a dict with the id,
    text and (optional) date fields, other fields kept, or a string (its id is its index).

    Bad input (malformed JSON, invalid UTF-8, empty text, duplicate ids, ...): with
    on_error="skip" each is skipped, listed in `removed` and `problems`, and the first
    `max_warnings` are warned about (BadInputWarning), unless `on_problem(message)` is given;
    with on_error="fail" the first raises BadInputError. No readable document at all raises
    NoDocumentsError; unusable options raise ValueError; a missing path raises OSError.
    """
    if documents is not None:
        inputs = _documents_given(documents, inputs, "dedup()")
    if inputs is None:
        raise TypeError("dedup() needs inputs (paths) or documents=")
    options = _options(format=format, id_field=id_field, text_field=text_field,
                       date_field=date_field, max_doc_bytes=max_doc_bytes, on_error=on_error,
                       normalize=normalize, shingle=shingle, ngram=ngram, threshold=threshold,
                       hashes=hashes, bands=bands, rows=rows, bucket_window=bucket_window,
                       seed=seed, verify=verify, keep=keep, threads=threads, progress=progress)
    run, problems, int_ids = _run(_doppel.jobs.DedupRun, inputs, options, on_problem,
                                  max_warnings)
    return DedupResult(run, problems, int_ids)


def reuse(
    inputs: Inputs = None,
    *,
    documents: Optional[Iterable[Union[Dict[str, Any], str]]] = None,
    format: str = "auto",
    id_field: str = "id",
    text_field: str = "text",
    date_field: str = "date",
    max_doc_bytes: int = 64 << 20,
    on_error: str = "skip",
    normalize: str = "nfkc,case,punct,space",
    min_words: int = 15,
    min_similarity: float = 0.5,
    cluster_trigrams: float = 0.5,
    seed_words: int = 5,
    band: int = 8,
    max_unmatched: int = 12,
    max_gap: int = 25,
    all_pairs_docs: int = 8,
    min_docs: int = 2,
    keep_source: bool = False,
    threads: int = 0,
    progress: bool = False,
    max_warnings: int = 20,
    on_problem: Optional[Callable[[str], None]] = None,
) -> ReuseResult:
    """Finds passages shared between documents, aligns them, groups them into clusters and names
    the earliest source: the `doppel reuse` command. Inputs, documents and bad input as for
    :func:`dedup`. Spans are in code points and bytes of each document's text (a text file's
    header line included)."""
    if documents is not None:
        inputs = _documents_given(documents, inputs, "reuse()")
    if inputs is None:
        raise TypeError("reuse() needs inputs (paths) or documents=")
    options = _options(format=format, id_field=id_field, text_field=text_field,
                       date_field=date_field, max_doc_bytes=max_doc_bytes, on_error=on_error,
                       normalize=normalize, min_words=min_words, min_similarity=min_similarity,
                       cluster_trigrams=cluster_trigrams, seed_words=seed_words, band=band, max_unmatched=max_unmatched,
                       max_gap=max_gap, all_pairs_docs=all_pairs_docs, min_docs=min_docs,
                       keep_source=keep_source, threads=threads, progress=progress)
    run, problems, _ = _run(_doppel.jobs.ReuseRun, inputs, options, on_problem, max_warnings)
    return ReuseResult(run, problems)
