"""doppel.Index: the persistent index from Python.

Answers equal what `doppel index add` and `query` print for the same input (the doppel binary
named by DOPPEL_BINARY: ctest sets it); exact and near duplicates and reused passages are found in
hand-made documents, with spans that slice the passage out of the text in code points and bytes;
options are stored and checked on reopening; one writer at a time; what is added survives closing;
bad arguments raise the exceptions they should.
"""

import io
import json
import os
import random
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from pathlib import Path

import pytest

import doppel

ROOT = Path(__file__).resolve().parents[2]
NEWS = ROOT / "examples" / "news"
NEWS_JSONL = ROOT / "examples" / "news.jsonl"
from test_jobs import BINARY  # noqa: E402 - the one place that says where the binary is


def cli(*args):
    """Runs `doppel index ...`; returns its standard output's JSON Lines, parsed."""
    if not BINARY:
        pytest.skip("DOPPEL_BINARY is not set: no doppel binary to compare with (ctest sets it)")
    out = subprocess.run([BINARY, "index", *map(str, args), "-q"], check=True,
                         capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line]


# --- hand-made documents ------------------------------------------------------------------------

def words(n, seed):
    """n made-up words, the same for the same seed, rarely the same across seeds."""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "nu", "re", "sa", "ti", "vo", "pe", "du", "ga", "fi", "zo"]
    return [
        "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(n)
    ]


BASE = " ".join(words(200, 1)) + "."
# One word of 200 changed: 5 of 196 word 5-grams differ, Jaccard about 0.95.
NEAR = " ".join(BASE.split()[:100] + ["changedword"] + BASE.split()[101:])
PASSAGE = " ".join(BASE.split()[40:80])  # 40 words, inside BASE
# A document reusing PASSAGE among words of its own, after non-ASCII text (code points and bytes
# differ from there on).
REUSING = ("Zürich café naïve " + " ".join(words(60, 2)) + " " + PASSAGE + " " +
           " ".join(words(60, 3)) + ".")


def docs():
    return [
        {"id": "base", "text": BASE, "date": "2024-01-01"},
        {"id": "exact", "text": BASE.upper(), "date": "2024-01-02"},
        {"id": "near", "text": NEAR, "date": "2024-01-03"},
        {"id": "reusing", "text": REUSING, "date": "2024-01-04"},
        {"id": "other", "text": " ".join(words(120, 4)), "date": "2024-01-05"},
    ]


def by_id(answers):
    return {a["id"]: a for a in answers}


def test_exact_near_and_passage_with_spans(tmp_path):
    with doppel.Index(tmp_path / "idx") as idx:
        answers = by_id(idx.add(docs()))
    assert [answers[i]["status"] for i in ["base", "exact", "near", "reusing", "other"]] == [
        "new", "exact_duplicate", "near_duplicate", "new", "new"]
    assert all(a["added"] for a in answers.values())
    assert answers["exact"]["duplicate_of"] == "base"
    # The exact duplicate stands for its text once: the near duplicate names the first holder.
    near = answers["near"]["near_duplicates"]
    assert [n["id"] for n in near] == ["base"]
    assert 0.8 <= near[0]["similarity"] < 1

    reusing = answers["reusing"]
    assert len(reusing["passages"]) == 1
    p = reusing["passages"][0]
    # Code points index the str, bytes its UTF-8: both slice out exactly the passage.
    assert REUSING[p["begin"]:p["end"]] == PASSAGE
    assert REUSING.encode()[p["byte_begin"]:p["byte_end"]] == PASSAGE.encode()
    assert p["byte_begin"] > p["begin"]  # the non-ASCII text before it
    assert p["words"] == 40
    holders = {h["id"]: h for h in p["earlier"]}
    assert "base" in holders
    h = holders["base"]
    assert BASE[h["begin"]:h["end"]] == PASSAGE
    assert REUSING[h["here"]["begin"]:h["here"]["end"]] == PASSAGE
    assert h["similarity"] == 1
    assert p["source"] == {"id": "base", "date": "2024-01-01"}
    assert reusing["code_points"] == len(REUSING)
    assert reusing["new_code_points"] == len(REUSING) - len(PASSAGE)
    assert reusing["new_share"] == pytest.approx(1 - len(PASSAGE) / len(REUSING), abs=1e-4)
    assert answers["other"]["passages"] == [] and answers["other"]["new_share"] == 1


def test_skip_passages_answers_the_rest_and_later_documents_find_them(tmp_path):
    with doppel.Index(tmp_path / "idx") as idx:
        bulk = by_id(idx.add(docs()[:3], skip_passages=True))
        assert [bulk[i]["status"] for i in ["base", "exact", "near"]] == [
            "new", "exact_duplicate", "near_duplicate"]
        assert all(a["passages"] is None and a["new_share"] is None for a in bulk.values())
        assert all(a["new_code_points"] is None for a in bulk.values())
        assert bulk["base"]["code_points"] == len(BASE)
        # What was added without its passages is there for the next documents' passages.
        reusing = idx.add(docs()[3:4])[0]
        assert REUSING[reusing["passages"][0]["begin"]:reusing["passages"][0]["end"]] == PASSAGE
        assert idx.query(documents=[REUSING], skip_passages=True)[0]["passages"] is None
        # A value that is not a truth value is the caller's TypeError (it was a RuntimeError).
        with pytest.raises(TypeError, match="skip_passages"):
            idx.query(documents=[REUSING], skip_passages="yes")


def test_query_answers_without_adding(tmp_path):
    with doppel.Index(tmp_path / "idx") as idx:
        idx.add(docs()[:1])
        answers = idx.query(documents=[NEAR, REUSING, "nothing like it at all"])
        assert [a["status"] for a in answers] == ["near_duplicate", "new", "new"]
        assert [a["added"] for a in answers] == [False, False, False]
        assert answers[0]["id"] == "0"  # a string's id is its place in the call
        p = answers[1]["passages"][0]
        assert REUSING[p["begin"]:p["end"]] == PASSAGE
        assert len(idx) == 1 and "0" not in idx
        # A generator of dicts streams as a list does.
        assert idx.query(d for d in docs()[1:2])[0]["status"] == "exact_duplicate"
        # A query has no batches: it is compared with itself whole.
        with pytest.raises(TypeError):
            idx.query(documents=[NEAR], batch=10)


def test_a_passage_without_dates_has_source_none(tmp_path):
    with doppel.Index(tmp_path / "idx") as idx:
        idx.add([{"id": "base", "text": BASE}])
        answer = idx.query(documents=[REUSING])[0]
        assert answer["passages"][0]["source"] is None  # present, so p["source"] never raises


def test_add_and_query_of_the_example_corpus_equal_the_cli(tmp_path):
    files = sorted(p for p in NEWS.iterdir() if p.is_file())
    first, rest = files[:6], files[6:]
    cli_first = cli("add", tmp_path / "cli", *first)
    cli_rest = cli("query", tmp_path / "cli", *rest)
    with doppel.Index(tmp_path / "py") as idx:
        assert idx.add([str(p) for p in first]) == cli_first
        assert idx.query([str(p) for p in rest]) == cli_rest
        assert idx.add([str(p) for p in rest]) == cli("add", tmp_path / "cli", *rest)
        assert idx.stats()["documents"] == len(idx) == 12
        # Export: the pairs and clusters of `doppel index export`.
        subprocess.run([BINARY, "index", "export", tmp_path / "cli", "--pairs",
                        tmp_path / "pairs.jsonl", "--clusters", tmp_path / "clusters.jsonl",
                        "-q"], check=True)
        assert idx.pairs() == [json.loads(x) for x in (tmp_path / "pairs.jsonl").open()]
        assert idx.clusters() == [json.loads(x) for x in (tmp_path / "clusters.jsonl").open()]
    assert [a["status"] for a in cli_first][:3] == ["new", "exact_duplicate", "exact_duplicate"]


def test_documents_from_python_answer_as_the_cli_reads_them_from_a_file(tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs()))
    expected = cli("add", tmp_path / "cli", path)
    with doppel.Index(tmp_path / "py") as idx:
        assert idx.add(docs()) == expected
    # and with options other than the defaults, given the CLI's names
    expected = cli("add", tmp_path / "cli2", path, "--min-words", "30", "--threshold", "0.9")
    with doppel.Index(tmp_path / "py2", min_words=30, threshold=0.9) as idx:
        assert idx.add(documents=docs()) == expected
        assert idx.stats()["options"]["min_words"] == 30


def test_the_example_corpus_as_json_lines_gives_the_answers_of_its_text_files(tmp_path):
    with doppel.Index(tmp_path / "idx") as idx:
        statuses = [a["status"] for a in idx.add(str(NEWS_JSONL))]
    assert statuses.count("exact_duplicate") == 2 and statuses.count("near_duplicate") == 1


def test_remove_get_contains_and_len(tmp_path):
    with doppel.Index(tmp_path / "idx") as idx:
        idx.add(docs())
        assert len(idx) == 5 and "near" in idx and "missing" not in idx and 5 not in idx
        record = idx.get("base")
        assert record["id"] == "base" and record["date"] == "2024-01-01" and record["seq"] == 0
        assert set(record["cluster"]) >= {"base", "exact"}
        assert idx.get("missing") is None
        assert idx.remove(["near", "missing"]) == 1
        assert idx.remove("other") == 1
        assert len(idx) == 3 and "near" not in idx and idx.get("near") is None
        # A removed id can be added again.
        assert idx.add(docs()[2:3])[0]["status"] == "near_duplicate"
        assert idx.stats()["removed"] == 2 and idx.stats()["added"] == 6


def test_an_id_in_the_index_is_answered_duplicate_id(tmp_path):
    with doppel.Index(tmp_path / "idx") as idx:
        idx.add(docs()[:1])
        again = idx.add([{"id": "base", "text": "another text altogether for this id"}])
        assert again[0]["status"] == "duplicate_id" and not again[0]["added"]
        assert len(idx) == 1


def test_what_is_added_survives_closing_and_reopening(tmp_path):
    path = tmp_path / "idx"
    idx = doppel.Index(path, min_words=20)
    idx.add(docs()[:2])
    idx.close()
    assert idx.closed
    with doppel.Index(path, create=False) as again:
        assert len(again) == 2 and "exact" in again
        assert again.query([{"id": "q", "text": BASE}])[0]["duplicate_of"] == "base"
        assert again.stats()["options"]["min_words"] == 20  # stored, not given again
        again.remove("exact")
    with doppel.Index(path, read_only=True) as reader:
        assert len(reader) == 1 and "exact" not in reader


def test_a_bytes_path_that_is_not_utf8_names_the_index_and_its_errors(tmp_path):
    # Index(b"...") raised TypeError, and an error naming such a path UnicodeDecodeError.
    path = os.path.join(os.fsencode(tmp_path), b"caf\xe9.idx")
    with doppel.Index(path) as idx:
        assert idx.path == os.fsdecode(path)
        idx.add(docs()[:1])
    assert os.listdir(os.fsencode(tmp_path)) == [b"caf\xe9.idx"]
    with doppel.Index(os.fsdecode(path), create=False) as again:  # the same name as a str
        assert len(again) == 1
    missing = os.path.join(os.fsencode(tmp_path), b"no\xfe", b"idx")
    with pytest.raises(FileNotFoundError) as e:
        doppel.Index(missing, create=False)
    assert e.value.filename == os.fsdecode(missing)
    (tmp_path / "file\udcfd").write_text("not a directory")
    with pytest.raises(OSError, match=r"file\\xfd"):
        doppel.Index(tmp_path / "file\udcfd")


def test_reopening_with_other_options_raises_value_error(tmp_path):
    path = tmp_path / "idx"
    doppel.Index(path, threshold=0.7, passages=False).close()
    with pytest.raises(ValueError, match=r"`threshold` 0.7 \(asked: 0.8\)"):
        doppel.Index(path, threshold=0.8)
    with pytest.raises(ValueError, match="`passages` off"):
        doppel.Index(path, passages=True, read_only=True)
    with doppel.Index(path, threshold=0.7) as idx:  # the same value, or none, opens it
        assert idx.stats()["options"]["passages"] == "off"
        assert idx.add(docs()[3:4])[0]["passages"] == []
    # The bucket window is stored too.
    wide = tmp_path / "wide"
    doppel.Index(wide, bucket_window=20).close()
    with doppel.Index(wide) as idx:
        assert idx.stats()["options"]["bucket_window"] == 20
    with pytest.raises(ValueError, match=r"`bucket_window` 20 \(asked: 5\)"):
        doppel.Index(wide, bucket_window=5)
    with pytest.raises(ValueError, match=r"`bucket_window` must be in \[1, 63\]"):
        doppel.Index(tmp_path / "bad", bucket_window=64)


def test_a_second_writer_is_refused_and_readers_are_not(tmp_path):
    path = tmp_path / "idx"
    with doppel.Index(path) as writer:
        writer.add(docs()[:1])
        with pytest.raises(doppel.IndexLockedError, match="open for writing by pid"):
            doppel.Index(path)
        assert issubclass(doppel.IndexLockedError, OSError)
        # Another process is refused the same way.
        script = textwrap.dedent(f"""
            import doppel
            try:
                doppel.Index({str(path)!r})
            except doppel.IndexLockedError as e:
                print("locked:", e)
        """)
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             check=True, env={"PYTHONPATH": str(Path(doppel.__file__).parents[1])})
        assert out.stdout.startswith("locked:"), out.stderr
        with doppel.Index(path, read_only=True) as reader:
            assert len(reader) == 1
            with pytest.raises(io.UnsupportedOperation):
                reader.add(docs()[1:2])
            with pytest.raises(io.UnsupportedOperation):
                reader.remove("base")
    with doppel.Index(path) as writer:  # closed: the lock is free again
        assert len(writer) == 1


def test_bad_arguments_raise(tmp_path):
    with pytest.raises(FileNotFoundError):
        doppel.Index(tmp_path / "missing", create=False)
    with pytest.raises(FileNotFoundError):
        doppel.Index(tmp_path / "missing", read_only=True)
    assert not (tmp_path / "missing").exists()
    with pytest.raises(ValueError, match="threshold"):
        doppel.Index(tmp_path / "a", threshold=1.5)
    with pytest.raises(ValueError, match="shingle"):
        doppel.Index(tmp_path / "b", shingle="sentence")
    with pytest.raises(ValueError, match="normalize"):
        doppel.Index(tmp_path / "c", normalize="nfkc,loud")
    with pytest.raises(ValueError, match="min_words"):
        doppel.Index(tmp_path / "d", seed_words=10, min_words=5)
    with pytest.raises(TypeError, match="threshold"):
        doppel.Index(tmp_path / "e", threshold="high")
    with pytest.raises(TypeError):
        doppel.Index(tmp_path / "f", passages="on")
    with pytest.raises(TypeError):
        doppel.Index(42)
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(OSError):
        doppel.Index(tmp_path / "file")

    idx = doppel.Index(tmp_path / "idx")
    with pytest.raises(TypeError, match="needs an id"):
        idx.add(documents=["a bare string has no id"])
    with pytest.raises(TypeError, match="needs an id"):
        idx.add(iter(["a bare string from a generator"]))
    with pytest.raises(FileNotFoundError, match="documents="):
        idx.add(["a list of strings is a list of paths"])
    with pytest.raises(TypeError):
        idx.add([{"id": "x", "text": "t"}], documents=[{"id": "y", "text": "t"}])
    with pytest.raises(TypeError):
        idx.add()
    # Documents from Python are each answered, bad input too; none at all, nothing.
    with pytest.warns(doppel.BadInputWarning, match="not an object"):
        assert [a["status"] for a in idx.query([42])] == ["bad_input"]
    assert idx.add([]) == [] and idx.query(documents=[]) == []
    empty_file = tmp_path / "empty.jsonl"
    empty_file.write_text("")
    with pytest.raises(doppel.NoDocumentsError):  # as the command: a file with nothing readable
        idx.add(str(empty_file))
    with pytest.raises(ValueError, match="batch"):
        idx.add(docs(), batch=0)
    with pytest.raises(ValueError, match="on_error"):
        idx.add(docs(), on_error="ignore")
    with pytest.raises(TypeError):
        idx.remove([1.5])
    with pytest.raises(TypeError):
        idx.get(None)
    with pytest.raises(TypeError, match="documents= takes"):  # a lone text was read as a path
        idx.query(documents="some text")
    with pytest.raises(TypeError, match="`normalize` must be a str"):  # was pybind11's RuntimeError
        doppel.Index(tmp_path / "g", normalize=1)
    assert len(idx) == 0  # nothing was added by the failed calls

    # Bad input: skipped and answered (with a warning), or raised with on_error="fail".
    with pytest.warns(doppel.BadInputWarning, match="no words"):
        answers = idx.add([{"id": "e", "text": ""}, docs()[0]])
    assert answers[0]["status"] == "bad_input" and not answers[0]["added"]
    assert answers[1]["status"] == "new" and len(idx) == 1
    seen = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        idx.query([{"id": "e", "text": ""}, docs()[1]], on_problem=seen.append)
    assert len(seen) == 1 and "no words" in seen[0]
    only_bad = idx.query([{"id": "e", "text": ""}], on_problem=seen.append)
    assert [a["status"] for a in only_bad] == ["bad_input"] and len(seen) == 2
    with pytest.raises(doppel.BadInputError):
        idx.add([{"id": "e", "text": ""}], on_error="fail")
    with pytest.raises(ValueError, match="nothing was added"):
        idx.add([docs()[1], {"id": "e", "text": ""}], all_or_nothing=True)
    assert len(idx) == 1

    # An exception from the iterable comes back as itself.
    def failing():
        yield docs()[4]
        raise KeyError("from the generator")

    with pytest.raises(KeyError, match="from the generator"):
        idx.query(failing())

    idx.close()
    idx.close()  # again: nothing
    with pytest.raises(ValueError, match="closed"):
        len(idx)
    with pytest.raises(ValueError, match="closed"):
        idx.query(docs())


def test_the_documents_iterable_may_read_the_index_but_not_write_it(tmp_path):
    with doppel.Index(tmp_path / "idx") as idx:
        idx.add(docs()[:2])

        def unseen():  # reads the index it feeds: fine
            for d in docs():
                if d["id"] not in idx and idx.query(documents=[d["text"]])[0]["status"] == "new":
                    yield d

        assert [a["id"] for a in idx.add(unseen(), batch=1)] == ["reusing", "other"]

        def writing():  # writes to it: would wait for itself, so it raises
            yield {"id": "w", "text": "some words here"}
            idx.add([{"id": "inner", "text": "other words"}])

        with pytest.raises(RuntimeError, match="wait for itself"):
            idx.add(writing())
        assert "inner" not in idx
        # Its on_problem, called from inside the read too (it waited for itself for ever).
        for write in (lambda m: idx.remove("reusing"), lambda m: idx.close(),
                      lambda m: idx.add([{"id": "inner", "text": "other words"}])):
            with pytest.raises(RuntimeError, match="wait for itself"):
                idx.add([{"id": "bad"}, {"id": "fine", "text": "some words here"}],
                        on_problem=write)
        assert "reusing" in idx and not idx.closed
        idx.add([{"id": "bad"}, {"id": "fine2", "text": "some words here"}],
                on_problem=lambda m: idx.query(documents=["reading is fine"]))
        # Another index is another matter.
        with doppel.Index(tmp_path / "other") as other:
            def into_other():
                for d in docs():
                    other.add([d])
                    yield d
            assert len(idx.query(into_other())) == 5
            assert len(other) == 5


def test_add_needs_an_id_for_each_document(tmp_path):
    # Without one, each call named its documents "<documents>:1", ... again: the next call's were
    # answered duplicate_id and not added, without a word.
    with doppel.Index(tmp_path / "idx") as idx:
        for bad in ({"text": "first document here"}, {"id": None, "text": "x y"},
                    {"id": "", "text": "x y"}, {"id": float("nan"), "text": "x y"}):
            with pytest.raises(ValueError, match="has no 'id'"):
                idx.add([bad])
            with pytest.raises(ValueError, match="has no 'id'"):
                idx.add(documents=iter([bad]))
        assert len(idx) == 0
        assert idx.query(documents=[{"text": "a query needs no id"}])[0]["status"] == "new"


def test_close_waits_for_the_calls_in_flight(tmp_path):
    idx = doppel.Index(tmp_path / "idx")
    idx.add(docs()[:1])
    started, answers, pulled = threading.Event(), [], []

    def slow():
        for d in docs():
            started.set()
            time.sleep(0.05)
            pulled.append(d["id"])
            yield d

    t = threading.Thread(target=lambda: answers.extend(idx.query(slow())))
    t.start()
    started.wait()
    idx.close()  # returns once the query has read every document and answered
    assert len(pulled) == 5
    t.join()
    assert len(answers) == 5 and answers[1]["status"] == "exact_duplicate"
    with pytest.raises(ValueError, match="closed"):
        idx.get("base")
    with doppel.Index(tmp_path / "idx") as again:  # the lock went with it
        assert len(again) == 1


def test_calls_from_threads_share_one_index(tmp_path):
    with doppel.Index(tmp_path / "idx") as idx:
        idx.add(docs()[:1])
        results, errors = [], []

        def work(k):
            try:
                if k % 2:
                    results.append(idx.query(documents=[NEAR])[0]["status"])
                else:
                    idx.add([{"id": f"t{k}", "text": " ".join(words(50, 100 + k))}])
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert results == ["near_duplicate"] * 4
        assert len(idx) == 5


def test_integer_ids_are_found_by_the_integer(tmp_path):
    # add() reads {"id": 42} as "42" (JSON's number); `42 in idx` was False and get(42) and
    # remove([42]) raised TypeError.
    with doppel.Index(tmp_path / "idx") as idx:
        idx.add([{"id": 42, "text": BASE}])
        assert 42 in idx and "42" in idx and True not in idx
        assert idx.get(42)["id"] == "42"
        assert idx.remove([42]) == 1 and 42 not in idx


def test_a_query_from_inside_the_documents_does_not_unmark_the_add_reading_them(tmp_path):
    # The query's end cleared the mark of the add still reading the iterable: the add() after it
    # waited for itself for ever instead of raising.
    idx = doppel.Index(tmp_path / "idx")
    other = doppel.Index(tmp_path / "other")
    calls = []

    def documents():
        yield {"id": "a", "text": BASE}
        idx.query(documents=[{"id": "q", "text": BASE}])
        other.query(documents=iter([{"id": "q", "text": BASE}]))
        try:
            idx.add([{"id": "b", "text": BASE}])
        except RuntimeError as e:
            calls.append(str(e))
        yield {"id": "c", "text": BASE + " more"}

    idx.add(documents())
    assert len(calls) == 1 and "wait for itself" in calls[0]
    assert len(idx) == 2
    other.close()
    idx.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_a_child_made_by_fork_cannot_write_the_parents_index(tmp_path):
    # The child inherited the open index: its adds were acknowledged and lost, and the parent's
    # next add found the data log damaged.
    idx = doppel.Index(tmp_path / "idx", min_words=8)
    idx.add(docs()[:1])
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            idx.add(docs()[1:2])
            code = 3  # the add went through
        except ValueError as e:
            code = 0 if "fork" in str(e) else 4
        except BaseException:  # noqa: BLE001 - the child reports through its exit status
            code = 5
        try:
            idx.close()  # lets go without closing the parent's index
            assert idx.closed
            with pytest.raises(doppel.IndexLockedError):
                doppel.Index(tmp_path / "idx")  # the parent holds the writer lock
        except BaseException:  # noqa: BLE001
            code = code or 6
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    idx.add(docs()[2:3])
    assert len(idx) == 2
    idx.close()
    with doppel.Index(tmp_path / "idx") as again:
        assert len(again) == 2


def _sigint_after(seconds):
    """Sends this process SIGINT after `seconds`, from a timer thread (Python runs the handler,
    which raises KeyboardInterrupt, on the main thread)."""
    import signal

    timer = threading.Timer(seconds, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    return timer


@pytest.mark.parametrize("source", ["documents", "file"])
def test_ctrl_c_stops_an_add_and_the_exception_answers_every_document_kept(tmp_path, source):
    pulled = 0
    total = 400_000
    pool = words(2000, 9)

    def documents():
        nonlocal pulled
        rng = random.Random(5)
        for i in range(total):
            pulled += 1
            yield {"id": f"d{i}", "text": " ".join(rng.choices(pool, k=30)) + f" number {i}."}

    if source == "file":
        # Read by the library's own threads: before, Ctrl-C waited for the whole add. A named
        # pipe that a thread fills for up to 20 s: the add lasts that long, however fast the
        # machine, unless Ctrl-C stops it.
        path = tmp_path / "docs.jsonl"
        os.mkfifo(path)

        def write():
            start = time.monotonic()
            try:
                with open(path, "w") as f:
                    for doc in documents():
                        f.write(json.dumps(doc) + "\n")
                        if time.monotonic() - start > 20:
                            break
            except OSError:
                pass  # the add stopped reading

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        inputs = str(path)
    else:
        inputs = documents()
    with doppel.Index(tmp_path / "idx") as idx:
        timer = _sigint_after(1.0)
        start = time.monotonic()
        try:
            with pytest.raises(KeyboardInterrupt) as raised:
                idx.add(inputs, batch=2000)
        finally:
            timer.cancel()
        took = time.monotonic() - start
        assert pulled < total, "the add read its whole input before the interrupt was taken"
        assert took < 10, f"the add took {took:.1f} s to stop"
        answers = raised.value.answers
        assert isinstance(answers, list)
        assert len(answers) < total
        added = [a["id"] for a in answers if a["added"]]
        # Every document answered is in the index, and no other: the batch being read was dropped.
        assert len(answers) % 2000 == 0
        assert len(idx) == len(added)
        for doc_id in (added[:3] + added[-3:]) if added else []:
            assert idx.get(doc_id) is not None
        assert idx.get(f"d{len(answers)}") is None
        # The index works on after the stop.
        more = idx.add(documents=[{"id": "after", "text": "a document added after the stop"}])
        assert more[0]["added"] is True


def test_ctrl_c_stops_a_query(tmp_path):
    pulled = 0

    def documents():
        nonlocal pulled
        for i in range(400_000):
            pulled += 1
            yield {"id": f"q{i}", "text": " ".join(words(30, i % 5000))}

    with doppel.Index(tmp_path / "idx") as idx:
        idx.add(documents=[{"id": "one", "text": BASE}])
        timer = _sigint_after(1.0)
        try:
            with pytest.raises(KeyboardInterrupt):
                idx.query(documents())
        finally:
            timer.cancel()
        assert pulled < 400_000
        assert len(idx) == 1


def test_ctrl_c_stops_an_add_of_a_slow_iterable_at_once(tmp_path):
    def slow():
        for i in range(100_000):
            time.sleep(0.005)
            yield {"id": f"s{i}", "text": f"a document that comes slowly, number {i}"}

    with doppel.Index(tmp_path / "idx") as idx:
        idx.add(documents=[{"id": "first", "text": BASE}])
        timer = _sigint_after(1.0)
        start = time.monotonic()
        try:
            with pytest.raises(KeyboardInterrupt) as raised:
                idx.add(slow(), batch=100_000)
        finally:
            timer.cancel()
        assert time.monotonic() - start < 5
        # Nothing was committed: the batch being read was dropped.
        assert raised.value.answers == []
        assert len(idx) == 1


def test_an_index_made_with_another_icu_says_so(tmp_path, monkeypatch):
    # The warning itself (which versions, which indexes) is the library's, tested end to end in
    # tests/e2e (Index.AnIndexMadeWithAnotherIcuVersionSaysSo); here, that doppel.Index passes it
    # on as a RuntimeWarning naming the index, and says nothing when there is nothing to say.
    path = tmp_path / "i.idx"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        doppel.Index(path).close()
        doppel.Index(path).close()
    native = doppel._doppel.index.Index
    monkeypatch.setattr(native, "icu_version_warning",
                        lambda self: "the index was made with ICU 1.0, this doppel has ICU 72.1")
    with pytest.warns(RuntimeWarning, match=r"i\.idx: the index was made with ICU 1\.0"):
        doppel.Index(path).close()
    # Made an error, the warning leaves the index closed: another writer can open it while the
    # exception, and the half-made Index its traceback holds, are still alive.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RuntimeWarning) as raised:
            doppel.Index(path)
    monkeypatch.undo()
    doppel.Index(path).close()
    assert raised.value is not None
