"""doppel.dedup and doppel.reuse: the command line's jobs from Python.

The example corpus gives what the command gives (its golden files, and the doppel binary itself
when DOPPEL_BINARY names one: ctest sets it); documents from Python (dicts, strings, generators)
give what the same documents in a JSON Lines file give; bad input and bad options raise or
report as the command's --on-error policy says.
"""

import json
import os
import subprocess
import warnings
from pathlib import Path

import pytest

import doppel

ROOT = Path(__file__).resolve().parents[2]
NEWS = ROOT / "examples" / "news"
GOLDEN = ROOT / "tests" / "golden"
BINARY = os.environ.get("DOPPEL_BINARY")


def jsonl(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line]


def cli(*args, tmp_path):
    """Runs the doppel binary; returns {flag: parsed JSON Lines} for the outputs asked for."""
    if not BINARY:
        pytest.skip("DOPPEL_BINARY is not set: no doppel binary to compare with (ctest sets it)")
    command = [BINARY, *args[0], "-q"]
    outputs = {}
    for flag in args[1]:
        path = tmp_path / flag.strip("-")
        command += [flag, str(path)]
        outputs[flag] = path
    subprocess.run(command, check=True)
    return {flag: jsonl(path) for flag, path in outputs.items()}


def news_documents():
    """The example corpus as dicts: ids and texts as the command reads the text files."""
    docs = []
    for path in sorted(NEWS.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        docs.append({"id": path.name, "text": path.read_text()})
    return docs


def test_dedup_of_the_example_corpus_equals_the_command_golden_files():
    r = doppel.dedup(str(NEWS))
    assert r.clusters == jsonl(GOLDEN / "news.clusters.jsonl")
    assert r.removed == jsonl(GOLDEN / "news.removed.jsonl")
    assert r.stats["documents"]["read"] == 12
    assert r.stats["documents"]["kept"] == 9
    assert r.problems == []
    kept = list(r.deduplicated())
    assert len(kept) == 9
    assert {d["id"] for d in kept} | r.removed_ids == {p.name for p in NEWS.iterdir()}


def test_dedup_equals_the_command_with_options(tmp_path):
    for options, flags in [
        ({}, []),
        ({"threshold": 0.4, "keep": "latest"}, ["--threshold", "0.4", "--keep", "latest"]),
        ({"shingle": "char", "ngram": 7, "verify": "exact"},
         ["--shingle", "char", "--ngram", "7", "--verify", "exact"]),
    ]:
        r = doppel.dedup([NEWS], **options)
        out = cli(["dedup", str(NEWS), *flags], ["--clusters", "--pairs", "--removed"],
                  tmp_path=tmp_path)
        assert r.clusters == out["--clusters"], options
        assert r.pairs == out["--pairs"], options
        assert r.removed == out["--removed"], options


def test_reuse_equals_the_command(tmp_path):
    r = doppel.reuse(NEWS, min_words=12)
    out = cli(["reuse", str(NEWS), "--min-words", "12"],
              ["--pairs", "--clusters", "--documents", "--output"], tmp_path=tmp_path)
    assert r.pairs == out["--pairs"]
    assert r.clusters == out["--clusters"]
    assert r.documents == out["--documents"]
    assert list(r.cleaned()) == out["--output"]
    assert r.clusters, "the example corpus shares background paragraphs"


def test_datetimes_in_other_zones_order_sources_by_their_moment():
    import datetime as dt
    passage = " ".join(f"w{i * 7919 % 10007}" for i in range(40))
    zone = dt.timezone(dt.timedelta(hours=2))
    docs = [  # as text the first sorts first; as moments the second (07:30 UTC)
        {"id": "utc", "text": "alpha beta. " + passage, "date": dt.datetime(2021, 10, 1, 8, 0, tzinfo=dt.timezone.utc)},
        {"id": "paris", "text": passage + " gamma delta.", "date": dt.datetime(2021, 10, 1, 9, 30, tzinfo=zone)},
    ]
    r = doppel.reuse(docs, min_words=12)
    assert len(r.clusters) == 1
    assert r.clusters[0]["source"] == "paris"


def test_documents_from_python_give_what_the_same_json_lines_give(tmp_path):
    docs = news_documents()
    path = tmp_path / "news.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in docs))
    from_file = doppel.dedup(str(path), threshold=0.5)
    from_dicts = doppel.dedup(docs, threshold=0.5)
    from_generator = doppel.dedup((d for d in docs), threshold=0.5)
    from_keyword = doppel.dedup(documents=docs, threshold=0.5)
    for r in (from_dicts, from_generator, from_keyword):
        assert r.clusters == from_file.clusters
        assert r.pairs == from_file.pairs
        assert r.removed == from_file.removed
    # Strings are documents too; their ids are their indices.
    from_strings = doppel.dedup(documents=[d["text"] for d in docs], threshold=0.5)
    assert [c["size"] for c in from_strings.clusters] == [c["size"] for c in from_file.clusters]
    assert from_strings.clusters[0]["representative"] == "0"
    reused = doppel.reuse(iter(docs))
    assert reused.clusters == doppel.reuse(str(path)).clusters


def test_deduplicated_gives_back_the_dicts_as_given():
    docs = [
        {"id": "a", "text": "the harbour bridge reopens on monday after repairs to the pier", "n": 1},
        {"id": "b", "text": "the harbour bridge reopens on monday after repairs to the pier", "n": 2},
        {"id": "c", "text": "a different story about the ferry timetable and its new times", "n": 3},
    ]
    r = doppel.dedup(docs)
    assert [d["n"] for d in r.deduplicated()] == [1, 3]
    assert r.removed[0]["duplicate_of"] == "a"


def test_a_large_stream_is_read_in_chunks():
    texts = [f"document number {i} says something of its own, word {i * 7919 % 1000}"
             for i in range(20000)]
    r = doppel.dedup(documents=(t for t in texts), threads=2)
    assert r.stats["documents"]["read"] == 20000
    assert sum(1 for _ in r.deduplicated()) == r.stats["documents"]["kept"]


def test_bad_input_is_reported_or_raises_as_on_error_says():
    docs = [{"id": "1", "text": "one text with enough words to be read as a document"},
            {"id": "2", "content": "the text field is missing here"},
            {"id": "1", "text": "a duplicate id is bad input too, the first one is kept"}]
    with pytest.warns(doppel.BadInputWarning) as caught:
        r = doppel.dedup(docs)
    assert len(caught) == 2
    assert "no \"text\" field" in str(caught[0].message)
    assert [row["reason"] for row in r.removed] == ["missing_text", "duplicate_id"]
    assert len(r.problems) == 2
    seen = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        doppel.dedup(docs, on_problem=seen.append)
    assert seen == r.problems
    with pytest.raises(doppel.BadInputError, match="no \"text\" field"):
        doppel.dedup(docs, on_error="fail")
    with pytest.raises(doppel.BadInputError):
        doppel.reuse(docs, on_error="fail")


def test_nothing_readable_raises_and_names_the_fields():
    docs = [{"id": str(i), "content": f"text {i}"} for i in range(5)]
    with pytest.raises(doppel.NoDocumentsError, match="perhaps \"content\""):
        doppel.dedup(docs, max_warnings=0)
    assert issubclass(doppel.NoDocumentsError, ValueError)
    r = doppel.dedup(docs, text_field="content", max_warnings=0)
    assert r.stats["documents"]["read"] == 5


def test_options_are_checked():
    with pytest.raises(ValueError, match="`threshold` must be in"):
        doppel.dedup(str(NEWS), threshold=1.5)
    with pytest.raises(ValueError, match="'newest' is not one of first, earliest, latest, longest"):
        doppel.dedup(str(NEWS), keep="newest")
    with pytest.raises(ValueError, match="`min_words` must be at least `seed_words`"):
        doppel.reuse(str(NEWS), min_words=3)
    with pytest.raises(ValueError, match=r"`bucket_window` must be in \[1, 63\]"):
        doppel.dedup(str(NEWS), bucket_window=64)

    # A family of 150 near copies: its buckets hold more than 64 members, whose later ones a wider
    # window compares with more of the others.
    import random
    rng = random.Random(3)
    words = [f"w{i}" for i in range(120)]
    docs = []
    for i in range(150):
        copy = list(words)
        for _ in range(rng.randint(1, 3)):
            copy[rng.randrange(len(copy))] = f"x{rng.randrange(10**6)}"
        docs.append({"id": str(i), "text": " ".join(copy)})
    narrow = doppel.dedup(docs, bucket_window=1).stats["candidate_pairs"]
    wide = doppel.dedup(docs, bucket_window=40).stats["candidate_pairs"]
    assert wide > narrow
    with pytest.raises(TypeError):
        doppel.dedup(str(NEWS), no_such_option=1)
    with pytest.raises(OSError, match="no such file or directory"):
        doppel.dedup("/no/such/corpus.jsonl")
    with pytest.raises(TypeError):
        doppel.dedup(42)
    with pytest.raises(TypeError, match="not both"):
        doppel.dedup(str(NEWS), documents=[])


def test_an_exception_in_the_documents_reaches_the_caller():
    def documents():
        yield {"id": "1", "text": "a first document with enough words to be compared"}
        raise KeyError("the source broke")

    with pytest.raises(KeyError, match="the source broke"):
        doppel.dedup(documents(), max_warnings=0)



def test_a_document_that_is_not_a_dict_is_bad_input_as_a_line_that_is_not_an_object():
    text = "one text with enough words to be read as a document"
    with pytest.warns(doppel.BadInputWarning):
        r = doppel.dedup([text, 5, None, [1, 2], {"id": "x", "text": text + " more"}],
                         max_warnings=0)
    assert all("the line is JSON but not an object" in p for p in r.problems)
    assert [row["reason"] for row in r.removed if row["reason"] != "near_duplicate"] == [
        "malformed_json"] * 3
    assert r.stats["documents"]["read"] == 5
    with pytest.raises(doppel.BadInputError, match="not an object"):
        doppel.dedup([text, 5], on_error="fail")


def test_nan_and_infinity_in_fields_are_null():
    # pandas gives NaN for a missing date: the document is read, without a date.
    text = "the same words in both documents here and some more"
    docs = [{"id": "a", "text": text, "date": float("nan")},
            {"id": "b", "text": text, "date": "2020-01-02", "score": float("inf")}]
    r = doppel.dedup(docs, keep="earliest")
    assert r.stats["documents"]["read"] == 2 and r.clusters[0]["representative"] == "b"
    assert [row["reason"] for row in r.removed] == ["exact_duplicate"]


def test_missing_values_of_numpy_are_null_too():
    # np.float32's NaN and NaT went through str(): the dates "nan" and "NaT".
    import numpy as np

    text = "the same words in both documents here and some more"
    docs = [{"id": "a", "text": text, "date": np.float32("nan")},
            {"id": "b", "text": text, "date": np.datetime64("NaT")},
            {"id": "c", "text": text, "date": np.float32(1987)}]
    r = doppel.dedup(docs)
    dates = [m.get("date") for m in r.clusters[0]["members"]]
    assert dates == [None, None, "1987.0"]


def test_a_list_mixing_paths_and_documents_is_refused():
    with pytest.raises(TypeError, match="mixes paths and documents"):
        doppel.dedup([NEWS, {"id": "a", "text": "x y z"}])
    # documents= and generators too: a path was sent as its str() and read as bad input.
    with pytest.raises(TypeError, match="document 1 is a path"):
        doppel.dedup(documents=[{"id": "a", "text": "x y z"}, Path(NEWS)])
    with pytest.raises(TypeError, match="document 1 is a path"):
        doppel.dedup(iter([{"id": "a", "text": "x y z"}, Path(NEWS)]))


def test_format_is_for_files():
    # format="text" made the whole stream of documents one text.
    with pytest.raises(ValueError, match="is for files"):
        doppel.dedup(documents=["one two three four", "five six seven eight"], format="text")
    assert doppel.dedup(documents=["one two three four"], format="jsonl").stats["documents"][
        "read"] == 1


def test_integers_out_of_range_are_value_errors():
    for kw in ({"seed": -1}, {"seed": 2**64}, {"hashes": 2**40}, {"max_doc_bytes": -1}):
        with pytest.raises(ValueError, match="out of range"):
            doppel.dedup(documents=["one two three four"], **kw)
    with pytest.raises(TypeError, match="wrong type"):
        doppel.dedup(documents=["one two three four"], seed="7")
    with pytest.raises(TypeError, match="wrong type"):  # was taken as 1 hash
        doppel.dedup(documents=["one two three four"], hashes=True)


def test_values_json_cannot_hold_become_text():
    import datetime

    docs = [{"id": "x", "text": "the same words in both documents here", "date": datetime.date(2021, 10, 1)},
            {"id": "y", "text": "the same words in both documents here", "date": datetime.date(2020, 1, 2)}]
    r = doppel.dedup(docs, keep="earliest")
    assert r.clusters[0]["representative"] == "y"
    assert r.clusters[0]["members"][0]["date"] == "2021-10-01"


def test_a_file_name_that_is_not_utf8_is_read_as_on_the_command_line(tmp_path):
    # os.listdir gives such a name with surrogate escapes, which pybind11 could not encode: the
    # call failed with "Unable to cast Python instance to C++ type".
    folder = os.fsencode(tmp_path)
    text = b"the harbour bridge reopened on monday after three weeks of repairs to its deck"
    for name in (b"caf\xe9.txt", b"copy.txt"):
        with open(os.path.join(folder, name), "wb") as f:
            f.write(text)
    names = sorted(os.listdir(tmp_path))
    assert "caf\udce9.txt" in names
    bytes_paths = [os.path.join(folder, n) for n in os.listdir(folder)]  # as os.listdir(bytes)
    for inputs in ([str(tmp_path / n) for n in names], [tmp_path / n for n in names], bytes_paths):
        r = doppel.dedup(inputs)
        assert r.stats["documents"]["read"] == 2
        assert r.removed_ids == {"copy.txt"} or r.removed_ids == {"caf\\xE9.txt"}
        ids = {d["id"] for d in r.deduplicated()} | r.removed_ids
        assert ids == {"caf\\xE9.txt", "copy.txt"}


def test_bytes_paths_are_paths_and_bytes_in_documents_are_refused(tmp_path):
    # A list of bytes paths was read as documents (each one malformed_json), and a bytes text
    # as its repr, "b'...'".
    r = doppel.dedup(os.fsencode(NEWS))
    assert r.stats["documents"]["read"] == doppel.dedup(str(NEWS)).stats["documents"]["read"]
    with pytest.raises(TypeError, match="documents= takes"):  # was read as a path
        doppel.dedup(documents=str(NEWS))
    with pytest.raises(TypeError, match="`keep` must be a str"):  # was pybind11's RuntimeError
        doppel.dedup(documents=[{"id": "a", "text": "x"}], keep=1)
    from types import MappingProxyType
    mapped = doppel.dedup([MappingProxyType({"id": "m", "text": "alpha beta gamma"})])
    assert mapped.stats["documents"]["read"] == 1 and not mapped.problems
    with pytest.raises(FileNotFoundError, match="list of paths"):  # was a TypeError of the hint
        doppel.dedup([os.fsencode(tmp_path / "no such") + b"\xfe"])
    with pytest.raises(TypeError, match="decode it to str first"):
        doppel.dedup([{"id": "b", "text": b"alpha beta gamma delta"}])
    index = doppel.Index(str(tmp_path / "i.idx"))
    try:
        with pytest.raises(TypeError, match="decode it to str first"):
            index.add(documents=[{"id": "b", "text": b"alpha beta gamma delta"}])
    finally:
        index.close()


def test_a_document_nested_too_deep_for_json_is_bad_input_not_the_end_of_the_call():
    # json.dumps raised RecursionError out of the call, under on_error="skip" too.
    text = "one text with enough words to be read as a document"
    deep = {"id": "deep", "text": text}
    inner = deep
    for _ in range(5000):
        inner["extra"] = {}
        inner = inner["extra"]
    with pytest.warns(doppel.BadInputWarning):
        r = doppel.dedup([{"id": "a", "text": text}, deep, {"id": "b", "text": "other words"}],
                         max_warnings=0)
    assert r.stats["documents"]["read"] == 3
    assert [row["reason"] for row in r.removed] == ["malformed_json"]
    assert {d["id"] for d in r.deduplicated()} == {"a", "b"}


def test_removed_ids_are_the_integers_given_and_a_list_item_is_one_bad_document():
    text = "the harbour bridge reopens on monday after repairs to the old stone pier at last"
    docs = [{"id": 1, "text": text}, {"id": 2, "text": text}, {"id": 3, "text": "other words here"}]
    r = doppel.dedup(docs)
    assert r.removed_ids == {2}
    assert [d["id"] for d in docs if d["id"] not in r.removed_ids] == [1, 3]
    assert doppel.dedup(documents=[text, text]).removed_ids == {1}  # a string's id: its index
    mixed = [{"id": "a", "text": text}, {"id": 2, "text": text}]
    assert doppel.dedup(mixed).removed_ids == {"2"}  # not all integers: as written
    # A list or tuple, even first, is one bad document (as a JSON array on the first line it made
    # the reader take the whole stream for one JSON array and refuse every document).
    with pytest.warns(doppel.BadInputWarning, match="not an object"):
        r = doppel.dedup([["a"], {"id": "b", "text": text}, ("c",), {"id": "d", "text": text}])
    assert r.stats["documents"]["read"] == 4 and r.stats["documents"]["malformed_json"] == 2
    assert {row["reason"] for row in r.removed} == {"malformed_json", "exact_duplicate"}
    assert [d["id"] for d in r.deduplicated()] == ["b"]


@pytest.mark.parametrize("job", ["dedup", "reuse"])
def test_ctrl_c_stops_a_job_reading_files(tmp_path, job):
    """Ctrl-C stops dedup() and reuse() of files at their next batch: before, the library read
    on with the GIL released, and Python raised KeyboardInterrupt only once the job was done."""
    import random
    import signal
    import threading
    import time

    # A named pipe that a thread writes documents into for up to 20 s: the job runs as long as
    # the writer, whatever the machine's speed, unless Ctrl-C stops it.
    fifo = tmp_path / "docs.jsonl"
    os.mkfifo(fifo)
    writing_for = 20.0

    def write():
        rng = random.Random(3)
        pool = [f"w{i}" for i in range(3000)]
        n = 0
        start = time.monotonic()
        try:
            with open(fifo, "w") as f:
                while time.monotonic() - start < writing_for:
                    lines = []
                    for _ in range(2000):
                        text = " ".join(rng.choices(pool, k=40))
                        lines.append(json.dumps({"id": f"d{n}", "text": text}))
                        n += 1
                    f.write("\n".join(lines) + "\n")
        except (BrokenPipeError, OSError):
            pass  # the job stopped reading

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    timer = threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    start = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            getattr(doppel, job)(str(fifo))
    finally:
        timer.cancel()
    took = time.monotonic() - start
    assert took < 10, f"{job}() took {took:.1f} s to stop after Ctrl-C"
    writer.join(timeout=30)


def test_ctrl_c_does_not_wait_for_a_slow_iterable_to_fill_a_batch():
    """Documents that come slowly (a feed, a database cursor): once Ctrl-C is taken, the iterable
    is not asked again, so the call stops without waiting for the 2 MiB batch being read."""
    import signal
    import threading
    import time

    def slow():
        for i in range(100_000):
            time.sleep(0.005)
            yield {"id": f"s{i}", "text": f"a document that comes slowly, number {i}"}

    timer = threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    start = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            doppel.dedup(documents=slow())
    finally:
        timer.cancel()
    assert time.monotonic() - start < 5
