"""doppel.Index: the persistent, incremental index of `doppel index` and `doppel serve`.

An index lives in a directory. Each document added is compared with everything indexed before
(and with the documents before it in the same call) and answered: new, exact duplicate or near
duplicate of which documents, which of its passages were indexed before, where and first by whom,
and how much of it is new. The answers are dicts with the content and the field names of the
command's JSON Lines (docs/index.md, docs/formats.md): the same JSON, parsed.

The C++ library does the work with the GIL released; documents from Python stream to it as they
do for :func:`doppel.dedup`.
"""

from __future__ import annotations

import io
import json
import os
import threading
import warnings
import weakref
from typing import Any, Callable, Dict, Iterable, List, Optional, Union

from doppel import _doppel
from doppel.jobs import _documents_given, _lines, _paths_or_documents, _run

IndexLockedError = _doppel.IndexLockedError

# The indexes whose documents this thread is pulling from an iterable (a tuple, innermost last).
# The library pulls them while the call holds the index, so an add, remove or close of the same
# index from inside the iterable would wait for itself forever: it raises instead.
_feeding = threading.local()

# Every open Index of this process. A child made by fork() lets go of them without closing them
# (closing would sync and unlock what the parent holds, and a second writer would damage it);
# their calls there raise ValueError.
_open_indexes: "weakref.WeakSet[Index]" = weakref.WeakSet()


def _forget_after_fork() -> None:
    for index in list(_open_indexes):
        index._native.forget_after_fork()
    _open_indexes.clear()


os.register_at_fork(after_in_child=_forget_after_fork)

# The matching options: fixed when an index is created and stored in it. Their names are the
# command line's (--min-words is min_words); None leaves one out: the command's default when the
# index is created, the stored value when it exists.
_MATCHING = (
    "normalize", "shingle", "ngram", "threshold", "hashes", "bands", "rows", "bucket_window", "seed",
    "seed_words", "min_words", "min_similarity", "band", "max_unmatched", "max_gap",
    "all_pairs_docs", "max_candidates", "winnow_window", "passages",
)


def _id_string(id: object) -> str:
    """An id as the index holds it: a document's integer id (JSON's number) is its decimal
    string, as add() reads it."""
    if isinstance(id, str):
        return id
    if isinstance(id, int) and not isinstance(id, bool):
        return str(id)
    raise TypeError(f"an id is a string (or an integer), not {type(id).__name__}")


class Index:
    """A persistent index of documents and their passages in directory `path`.

    ``Index(path)`` opens the index there, creating it when missing or an empty directory (one
    holding other files raises OSError; ``create=False``: a missing index raises
    FileNotFoundError). The matching options are keyword arguments with the command
    line's names and defaults (docs/cli.md says what each trades): normalize
    ("nfkc,case,punct,space"), shingle ("word"), ngram (5), threshold (0.8), hashes (128), bands
    and rows (chosen from threshold and hashes), seed, seed_words (5), min_words (15),
    min_similarity (0.5), band (8), max_unmatched (12), max_gap (25), all_pairs_docs (8),
    max_candidates (16), winnow_window (0: min_words - seed_words + 1) and passages (True; False
    answers exact and near duplicates only). They are stored when the index is created; reopening
    it with another value of an option given raises ValueError naming each difference, and options
    left out are taken from the index.

    ``read_only=True`` takes no writer lock: query, get, stats and export only, seeing what was
    committed when it was opened. One writer at a time: opening for writing an index that another
    process (or another Index in this one) holds for writing raises IndexLockedError, an OSError
    whose message names the holder. ``sync=False`` skips syncing to disk before a write returns
    (bulk loads that can be redone: a crash may lose acknowledged batches, never part of one).
    ``threads`` (0: every core) reads and aligns within a call.

    Thread-safety: safe to use from many threads. Adds and removals run one at a time; queries,
    get and stats run in parallel with them and see every write that returned before they
    started. close() waits for the calls in flight. The documents' iterable may read the index it
    feeds (in, get, query); add, remove or close from there raise RuntimeError (they would wait
    for the call that is reading it).
    """

    def __init__(
        self,
        path: Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"],
        *,
        create: bool = True,
        read_only: bool = False,
        sync: bool = True,
        threads: int = 0,
        normalize: Optional[str] = None,
        shingle: Optional[str] = None,
        ngram: Optional[int] = None,
        threshold: Optional[float] = None,
        hashes: Optional[int] = None,
        bands: Optional[int] = None,
        rows: Optional[int] = None,
        bucket_window: Optional[int] = None,
        seed: Optional[int] = None,
        seed_words: Optional[int] = None,
        min_words: Optional[int] = None,
        min_similarity: Optional[float] = None,
        band: Optional[int] = None,
        max_unmatched: Optional[int] = None,
        max_gap: Optional[int] = None,
        all_pairs_docs: Optional[int] = None,
        max_candidates: Optional[int] = None,
        winnow_window: Optional[int] = None,
        passages: Optional[bool] = None,
    ):
        given = dict(normalize=normalize, shingle=shingle, ngram=ngram, threshold=threshold,
                     hashes=hashes, bands=bands, rows=rows, bucket_window=bucket_window, seed=seed,
                     seed_words=seed_words,
                     min_words=min_words, min_similarity=min_similarity, band=band,
                     max_unmatched=max_unmatched, max_gap=max_gap, all_pairs_docs=all_pairs_docs,
                     max_candidates=max_candidates, winnow_window=winnow_window,
                     passages=passages)
        matching = {name: given[name] for name in _MATCHING if given[name] is not None}
        if not isinstance(path, (str, bytes, os.PathLike)):
            raise TypeError(
                f"path must be a str, bytes or os.PathLike, not {type(path).__name__}")
        if passages is not None and not isinstance(passages, bool):
            raise TypeError(f"passages must be True or False, not {passages!r}")
        self.path: str = os.fsdecode(path)
        """The index's directory (bytes decoded as os.fsdecode does)."""
        self.read_only: bool = bool(read_only)
        """Opened without the writer lock: add and remove raise io.UnsupportedOperation."""
        # The directory goes down as the bytes the file system holds (a name that is not UTF-8
        # too).
        self._native = _doppel.index.Index(os.fsencode(path), matching, bool(create),
                                           self.read_only, bool(sync), int(threads))
        _open_indexes.add(self)
        # As `doppel index` does on standard error: words cut by another ICU may match less well.
        why = self._native.icu_version_warning()
        if why:
            try:
                warnings.warn(f"{self.path}: {why}", RuntimeWarning, stacklevel=2)
            except BaseException:
                # Warnings made errors: no Index to close, so its writer lock goes now, not when
                # the traceback is freed.
                self._native.close()
                raise

    # --- writing and answering ---------------------------------------------------------------

    def add(
        self,
        inputs: Any = None,
        *,
        documents: Optional[Iterable[Dict[str, Any]]] = None,
        format: str = "auto",
        id_field: str = "id",
        text_field: str = "text",
        date_field: str = "date",
        max_doc_bytes: int = 64 << 20,
        on_error: str = "skip",
        batch: int = 4096,
        all_or_nothing: bool = False,
        skip_passages: bool = False,
        progress: bool = False,
        max_warnings: int = 20,
        on_problem: Optional[Callable[[str], None]] = None,
    ) -> List[Dict[str, Any]]:
        """Adds documents and answers for each, in input order: the `doppel index add` command.

        `inputs` is a path, a list of paths (files, directories), or an iterable of documents
        (dicts with the id, text and optional date fields, as :func:`doppel.dedup` takes them;
        not bare strings, which have no id to index them by: TypeError, and a dict without an id
        is a ValueError); `documents=` takes documents only.

        Each answer is a dict as the command prints it (docs/index.md): ``id``, ``status``
        ("new", "exact_duplicate" with ``duplicate_of``, "near_duplicate"; not added:
        "duplicate_id", "bad_input" with ``reason`` and ``message``), ``added``, ``date_unread``
        (True, and only there, when the document's date is in no form doppel reads),
        ``near_duplicates`` (``id``, ``similarity``, highest first), ``passages`` (each with
        ``begin``/``end`` in code points and ``byte_begin``/``byte_end`` in bytes of the
        document's text, ``words``, the ``earlier`` documents holding it with their spans and
        the part ``here`` they align with, and the ``source``), ``code_points``,
        ``new_code_points`` and ``new_share``. skip_passages=True (``--skip-passages``: a bulk
        load) does not look for passages: ``passages``, ``new_code_points`` and ``new_share``
        are None, and the index stores the same as without it.

        Documents are committed `batch` at a time; an exception (bad input with on_error="fail",
        raising BadInputError; an exception from the iterable) keeps the batches committed
        before it. all_or_nothing=True (the service's rule): any bad input adds nothing and raises
        ValueError naming it. Bad input with on_error="skip" is answered "bad_input" and warned
        about (BadInputWarning) as by dedup, or passed to `on_problem(message)`. Documents given
        from Python are each answered, so a call whose documents are all bad input answers them
        all "bad_input", and an empty one returns []; paths with no readable document at all
        raise NoDocumentsError, as the command fails.

        Ctrl-C (KeyboardInterrupt, or an exception raised by another signal handler) stops the
        call within about 50 ms of the next document read: the batch being read is dropped, the
        one being committed is committed, and the exception is raised with an ``answers``
        attribute holding the answers of every document added before the stop (they stay in the
        index; the rest of the input was not added)."""
        if self.read_only:
            raise io.UnsupportedOperation(f"{self.path} is open read-only: add() needs a writer")
        self._check_not_feeding("add()")
        return self._answer(self._native.add, False, inputs, documents, locals())

    def query(
        self,
        inputs: Any = None,
        *,
        documents: Optional[Iterable[Union[Dict[str, Any], str]]] = None,
        format: str = "auto",
        id_field: str = "id",
        text_field: str = "text",
        date_field: str = "date",
        max_doc_bytes: int = 64 << 20,
        on_error: str = "skip",
        all_or_nothing: bool = False,
        skip_passages: bool = False,
        progress: bool = False,
        max_warnings: int = 20,
        on_problem: Optional[Callable[[str], None]] = None,
    ) -> List[Dict[str, Any]]:
        """The answers :meth:`add` would give, adding nothing: the `doppel index query` command.

        Each document is compared with the index and with every document before it in the call,
        so the call holds all of them until it answers (it has no `batch`); split a very large
        query into calls, each then blind to the others. Documents may also be strings, whose ids
        are their places in the call ("0", "1", ...).
        A document whose id is in the index already is answered "duplicate_id", as by add(), so
        give dicts with ids of your own where the index holds such ids."""
        return self._answer(self._native.query, True, inputs, documents, locals())

    def _answer(self, native_call, strings, inputs, documents, kw) -> List[Dict[str, Any]]:
        if documents is not None:
            _documents_given(documents, inputs, "add()" if not strings else "query()")
            if isinstance(documents, (list, tuple)):
                if not strings:
                    for i, doc in enumerate(documents):
                        if isinstance(doc, str):
                            raise TypeError(
                                f"document {i} is a string: a document added to an index needs "
                                f"an id, so give dicts ({{{kw['id_field']!r}: ..., "
                                f"{kw['text_field']!r}: ...}})"
                            )
                documents = iter(documents)
            inputs = documents
        if inputs is None:
            raise TypeError("give inputs (paths) or documents=")
        _, documents = _paths_or_documents(inputs)
        options = {name: kw[name] for name in (
            "format", "id_field", "text_field", "date_field", "max_doc_bytes", "on_error",
            "batch", "all_or_nothing", "skip_passages", "progress") if name in kw}
        if documents is not None:
            inputs = self._fed(documents)
            # Documents from Python are answered whatever they are, each one (bad_input too), and
            # none with no answer: a caller adding one at a time, or a batch that may be empty,
            # has one contract. Files fail as the command does when none can be read.
            options["require_documents"] = False
        on_problem = kw["on_problem"]
        if on_problem is not None:
            on_problem = self._guarded(on_problem)
        try:
            answers, _, _ = _run(native_call, inputs, options, on_problem, kw["max_warnings"],
                                 strings)
        except BaseException as e:
            # Ctrl-C stopped an add once the batch in flight was committed: the answers of the
            # documents it kept go with the exception (native: bytes of JSON Lines).
            raw = getattr(e, "doppel_answers", None)
            if raw is not None:
                del e.doppel_answers
                e.answers = _lines(raw)  # type: ignore[attr-defined]
            raise
        return _lines(answers)

    def _guarded(self, on_problem: Callable[[str], None]) -> Callable[[str], None]:
        """`on_problem`, marking this thread as feeding this index while it runs: it is called
        from inside the read, as the documents' iterable is."""

        def call(message: str) -> None:
            before = getattr(_feeding, "indexes", ())
            _feeding.indexes = before + (self,)
            try:
                on_problem(message)
            finally:
                _feeding.indexes = before

        return call

    def _fed(self, documents):
        """`documents`, marking this thread as feeding this index while each one is made."""
        while True:
            before = getattr(_feeding, "indexes", ())
            _feeding.indexes = before + (self,)
            try:
                doc = next(documents)
            except StopIteration:
                return
            finally:
                # Restored, not cleared: a query from inside the iterable feeds an index too, and
                # its end must not unmark the add that is still reading.
                _feeding.indexes = before
            yield doc

    def _check_not_feeding(self, what: str) -> None:
        if any(index is self for index in getattr(_feeding, "indexes", ())):
            raise RuntimeError(
                f"{what} from inside the documents this index is reading (or its on_problem) "
                "would wait for itself; get, query, stats and len are fine there"
            )

    def remove(self, ids: Union[str, int, Iterable[Union[str, int]]]) -> int:
        """Removes documents by id (one id, or an iterable of them); returns how many were in the
        index. Their pairs, passages and places in clusters go with them."""
        if self.read_only:
            raise io.UnsupportedOperation(
                f"{self.path} is open read-only: remove() needs a writer")
        self._check_not_feeding("remove()")
        ids = [ids] if isinstance(ids, (str, int)) else list(ids)
        return self._native.remove([_id_string(i) for i in ids])

    # --- reading -----------------------------------------------------------------------------

    def get(self, id: Union[str, int]) -> Optional[Dict[str, Any]]:
        """The record of document `id`, or None: ``id``, ``date``, ``seq`` (its place among all
        documents ever added), ``code_points``, ``words``, ``duplicate_of``, ``near_duplicates``
        and ``cluster`` (every member of its near-duplicate cluster now)."""
        record = self._native.get(_id_string(id))
        return None if record is None else json.loads(record)

    def stats(self) -> Dict[str, Any]:
        """What `doppel index stats` prints: documents, added, removed, near_pairs,
        fingerprints, disk and memory bytes, created, last_change, the LSH shape and every
        stored option."""
        return json.loads(self._native.stats())

    def pairs(self) -> List[Dict[str, Any]]:
        """Every near-duplicate pair in the index (a, b, similarity), as `doppel index export
        --pairs` and `doppel dedup --pairs` write them."""
        return _lines(self._native.pairs())

    def clusters(self) -> List[Dict[str, Any]]:
        """The index's near-duplicate clusters, as `doppel index export --clusters` and `doppel
        dedup --clusters --keep first` write them."""
        return _lines(self._native.clusters())

    def __len__(self) -> int:
        """The documents in the index now."""
        return self._native.documents()

    def __contains__(self, id: object) -> bool:
        try:
            key = _id_string(id)
        except TypeError:
            return False  # as a dict answers for a key of another type
        return self._native.get(key) is not None

    # --- closing -----------------------------------------------------------------------------

    def close(self) -> None:
        """Closes the index, releasing its writer lock, after the calls in flight. Later calls
        raise ValueError; closing again does nothing."""
        self._check_not_feeding("close()")
        self._native.close()

    @property
    def closed(self) -> bool:
        return self._native.closed()

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else ("read-only" if self.read_only else "open")
        return f"doppel.Index({self.path!r}, {state})"

