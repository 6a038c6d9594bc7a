#!/usr/bin/python3
"""doppel index (--passages off) against datasketch's MinHashLSH (in memory), side by side in one
run, doing the same work: ingest N documents, then query M other documents one at a time.

The corpus (JSON Lines, plain or .zst/.gz, "id" and "text") is split once into WORK/ingest.jsonl
(its first --docs documents; default: all but the last --queries) and WORK/queries.jsonl (the
--queries documents after those, never indexed). Each round runs, each in its own process, in
alternating order (datasketch first in odd rounds, doppel first in even ones):

  datasketch   one Python process: for every line of ingest.jsonl, json.loads, the word 5-grams
               of doppel's normalization (bench/textnorm.py: NFKC, casefold, non letters/numbers
               /marks to spaces, whitespace words; the same shingles doppel hashes), MinHash
               (template.copy() + update_batch, num_perm = doppel's --hashes, seed 1) and
               MinHashLSH.insert, with threshold = --threshold and params = (bands, rows) of
               doppel's index; then for each query document, timed alone: shingles, MinHash,
               lsh.query (the candidates, unverified).
  doppel       `doppel index add WORK/doppel.idx WORK/ingest.jsonl --passages off --threads T`
               (the CLI, a fresh index, default batches of 4,096 synced to disk; answers to a
               file), then one Python process that opens the index with doppel.Index(read_only=
               True) and, for each query document, timed alone, idx.query(documents=[doc]):
               normalization, signature, LSH look-up and verification of each candidate.

Reported: ingest docs/s (wall), per-query latency p50 / p99 (min / median / max over rounds),
peak RSS of each process (ru_maxrss from wait4, so each side is measured alone), doppel's bytes
on disk. The query documents are parsed before the timed loop on both sides.

Agreement (from the last round): for each query document, datasketch's candidates against
doppel's answer (near_duplicates plus duplicate_of). Exact copies are collapsed first: an indexed
document that doppel's own add answered exact_duplicate of X counts as X, so that doppel naming
the first copy and datasketch naming all of them is not a difference. Every pair found by either
side gets its true Jaccard (bench/textnorm.py shingle sets), and the pairs are split into found by
both / only datasketch / only doppel, each at or above the threshold and below it.

    PYTHONPATH=build/python/python DOPPEL_DATASKETCH_PATH=/path/to/datasketch \\
        /usr/bin/python3 bench/index_vs_datasketch.py --corpus ../shared/corpora/20newsgroups.jsonl.zst
    ... --corpus build/bench/syn100k.jsonl   # python3 bench/make_corpus.py --docs 100000 --out ...

Needs datasketch (a source checkout through DOPPEL_DATASKETCH_PATH or PYTHONPATH; exit 2 when
missing), numpy, the doppel Python package (make python) and the release CLI (--doppel).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import textnorm  # noqa: E402

DEFAULT_CORPUS = os.path.join(ROOT, "..", "shared", "corpora", "20newsgroups.jsonl.zst")


def datasketch_path_env():
    """The environment for a child that imports datasketch (DOPPEL_DATASKETCH_PATH added to
    PYTHONPATH, as datasketch_vs_doppel.py takes it)."""
    env = dict(os.environ)
    path = os.environ.get("DOPPEL_DATASKETCH_PATH")
    if path:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (path, env.get("PYTHONPATH")) if p)
    return env


def grams(text):
    """doppel's word 5-grams of text, as the bytes datasketch hashes (words joined by a space)."""
    return [" ".join(g).encode("utf-8") for g in textnorm.shingles(text)]


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, int(round(p / 100 * len(xs) + 0.5)) - 1))]


def maxrss_bytes():
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


# ----------------------------------------------------------------------------- children


def child_datasketch(a):
    path = os.environ.get("DOPPEL_DATASKETCH_PATH")
    if path:
        sys.path.insert(0, path)
    from datasketch import MinHash, MinHashLSH

    queries = [json.loads(line) for line in open(os.path.join(a.work, "queries.jsonl"))]
    template = MinHash(num_perm=a.hashes, seed=1)
    lsh = MinHashLSH(threshold=a.threshold, num_perm=a.hashes, params=(a.bands, a.rows))
    shingling = 0.0
    n = 0
    t0 = time.perf_counter()
    with open(os.path.join(a.work, "ingest.jsonl"), encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            s = time.perf_counter()
            g = grams(d["text"])
            shingling += time.perf_counter() - s
            m = template.copy()
            m.update_batch(g)
            lsh.insert(d["id"], m)
            n += 1
    ingest = time.perf_counter() - t0
    rss_ingest = maxrss_bytes()
    latencies, answers = [], []
    for d in queries:
        s = time.perf_counter()
        m = template.copy()
        m.update_batch(grams(d["text"]))
        found = lsh.query(m)
        latencies.append(time.perf_counter() - s)
        answers.append({"id": d["id"], "candidates": sorted(found)})
    with open(os.path.join(a.work, "datasketch.answers.jsonl"), "w") as out:
        for x in answers:
            out.write(json.dumps(x) + "\n")
    print(json.dumps({"docs": n, "ingest_s": ingest, "shingling_s": shingling,
                      "latencies": latencies, "rss_after_ingest": rss_ingest}))


def child_doppel_query(a):
    import doppel

    queries = [json.loads(line) for line in open(os.path.join(a.work, "queries.jsonl"))]
    t0 = time.perf_counter()
    idx = doppel.Index(os.path.join(a.work, "doppel.idx"), create=False, read_only=True,
                       threads=a.threads)
    opened = time.perf_counter() - t0
    latencies, answers = [], []
    for d in queries:
        s = time.perf_counter()
        (ans,) = idx.query(documents=[d])
        latencies.append(time.perf_counter() - s)
        answers.append({"id": d["id"], "status": ans["status"],
                        "duplicate_of": ans.get("duplicate_of"),
                        "near_duplicates": [x["id"] for x in ans["near_duplicates"]]})
    stats = idx.stats()
    idx.close()
    with open(os.path.join(a.work, "doppel.answers.jsonl"), "w") as out:
        for x in answers:
            out.write(json.dumps(x) + "\n")
    print(json.dumps({"open_s": opened, "latencies": latencies, "stats": stats}))


# ----------------------------------------------------------------------------- parent


def run_rusage(cmd, env=None, stdout_file=None):
    """Runs cmd, waits with wait4; returns (stdout text, wall seconds, ru_maxrss bytes)."""
    out_f = open(stdout_file, "wb") if stdout_file else subprocess.PIPE
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=out_f if stdout_file else subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    out = p.stdout.read() if not stdout_file else b""
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if stdout_file:
        out_f.close()
    if p.returncode != 0:
        sys.exit(f"index_vs_datasketch.py: {' '.join(cmd)} failed ({p.returncode}):\n"
                 f"{err.decode(errors='replace')[-3000:]}")
    return out.decode(), wall, ru.ru_maxrss * 1024


def dir_bytes(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)


def prepare(a):
    """Splits the corpus into WORK/ingest.jsonl and WORK/queries.jsonl (id and text only)."""
    os.makedirs(a.work, exist_ok=True)
    docs = a.docs
    if docs is None:
        docs = max(0, sum(1 for _ in textnorm.read_jsonl(a.corpus)) - a.queries)
    n_in = n_q = 0
    with open(os.path.join(a.work, "ingest.jsonl"), "w", encoding="utf-8") as ing, \
            open(os.path.join(a.work, "queries.jsonl"), "w", encoding="utf-8") as qs:
        for _, d in textnorm.read_jsonl(a.corpus):
            rec = json.dumps({"id": str(d["id"]), "text": d["text"]}, ensure_ascii=False) + "\n"
            if n_in < docs:
                ing.write(rec)
                n_in += 1
            elif n_q < a.queries:
                qs.write(rec)
                n_q += 1
            else:
                break
    if n_in == 0 or n_q == 0:
        sys.exit(f"index_vs_datasketch.py: {a.corpus} gave {n_in} documents to index and "
                 f"{n_q} to query; both must be positive")
    return n_in, n_q


def lsh_shape(a):
    """doppel's bands and rows for --threshold and --hashes, from a fresh empty index."""
    import doppel

    probe = os.path.join(a.work, "probe.idx")
    shutil.rmtree(probe, ignore_errors=True)
    with doppel.Index(probe, passages=False, threshold=a.threshold, hashes=a.hashes) as idx:
        shape = idx.stats()["lsh"]
    shutil.rmtree(probe, ignore_errors=True)
    return shape["bands"], shape["rows"]


def agreement(a):
    """Compares the last round's answers (see the module's docstring)."""
    exact_of = {}
    for line in open(os.path.join(a.work, "doppel.add.answers.jsonl")):
        x = json.loads(line)
        if x.get("status") == "exact_duplicate":
            exact_of[x["id"]] = x["duplicate_of"]

    def cls(i):
        return exact_of.get(i, i)

    ds = {x["id"]: x for x in map(json.loads, open(os.path.join(a.work, "datasketch.answers.jsonl")))}
    dp = {x["id"]: x for x in map(json.loads, open(os.path.join(a.work, "doppel.answers.jsonl")))}
    pairs_ds, pairs_dp = set(), set()
    status = {}
    for q, x in ds.items():
        pairs_ds |= {(q, cls(c)) for c in x["candidates"]}
        y = dp[q]
        status[y["status"]] = status.get(y["status"], 0) + 1
        named = list(y["near_duplicates"]) + ([y["duplicate_of"]] if y.get("duplicate_of") else [])
        pairs_dp |= {(q, cls(c)) for c in named}
    union = pairs_ds | pairs_dp
    need = {c for _, c in union}
    texts = {}
    for line in open(os.path.join(a.work, "ingest.jsonl"), encoding="utf-8"):
        d = json.loads(line)
        if d["id"] in need:
            texts[d["id"]] = d["text"]
    for line in open(os.path.join(a.work, "queries.jsonl"), encoding="utf-8"):
        d = json.loads(line)
        texts[d["id"]] = d["text"]
    sh = {}

    def true_j(q, c):
        for i in (q, c):
            if i not in sh:
                sh[i] = textnorm.shingles(texts[i])
        return textnorm.jaccard(sh[q], sh[c])

    rows, examples = {}, {}
    for p in sorted(union):
        where = ("both" if p in pairs_ds and p in pairs_dp
                 else "only datasketch" if p in pairs_ds else "only doppel")
        j = true_j(*p)
        rows.setdefault(where, [0, 0])[0 if j >= a.threshold else 1] += 1
        if where != "both":
            examples.setdefault(where, []).append([p[0], p[1], round(j, 4)])
    q_ds = sum(1 for x in ds.values() if x["candidates"])
    q_dp = sum(1 for y in dp.values() if y["near_duplicates"] or y.get("duplicate_of"))
    return {"pairs_datasketch": len(pairs_ds), "pairs_doppel": len(pairs_dp), "rows": rows,
            "queries_with_datasketch_candidates": q_ds, "queries_doppel_flags": q_dp,
            "doppel_status": status, "examples": examples}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", default=DEFAULT_CORPUS, help="JSON Lines corpus (.zst/.gz too)")
    p.add_argument("--docs", type=int, help="documents to index (default: all but --queries)")
    p.add_argument("--queries", type=int, default=1000, help="documents to query (default 1000)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--threshold", type=float, default=0.8)
    p.add_argument("--hashes", type=int, default=128, help="doppel's --hashes, datasketch's num_perm")
    p.add_argument("--threads", type=int, default=1,
                   help="doppel's --threads for add and query (default 1: datasketch has one)")
    p.add_argument("--doppel", default=os.path.join(ROOT, "build", "release", "doppel"),
                   help="the release CLI (default build/release/doppel)")
    p.add_argument("--work", default=os.path.join(ROOT, "build", "bench", "index-vs-datasketch"))
    p.add_argument("--json", help="write every figure to this file")
    p.add_argument("--child", choices=["datasketch", "doppel-query"], help=argparse.SUPPRESS)
    p.add_argument("--bands", type=int, help=argparse.SUPPRESS)
    p.add_argument("--rows", type=int, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child == "datasketch":
        return child_datasketch(a)
    if a.child == "doppel-query":
        return child_doppel_query(a)
    if a.rounds < 1 or a.queries < 1 or (a.docs is not None and a.docs < 1):
        p.error("--rounds, --queries and --docs must be positive")

    env = datasketch_path_env()
    probe = subprocess.run([sys.executable, "-c", "import datasketch, numpy"], env=env,
                           capture_output=True, text=True)
    if probe.returncode != 0:
        print("index_vs_datasketch.py: datasketch (and numpy) cannot be imported by "
              f"{sys.executable}: put a datasketch source checkout on PYTHONPATH or in "
              "DOPPEL_DATASKETCH_PATH\n" + probe.stderr.strip().splitlines()[-1], file=sys.stderr)
        sys.exit(2)
    try:
        import doppel

        doppel.Index  # noqa: B018
    except (ImportError, AttributeError) as e:
        print(f"index_vs_datasketch.py: the doppel Python package with doppel.Index is needed "
              f"(make python; PYTHONPATH=build/python/python): {e}", file=sys.stderr)
        sys.exit(2)
    if not os.access(a.doppel, os.X_OK):
        print(f"index_vs_datasketch.py: no doppel binary at {a.doppel} (cmake --preset release && "
              "cmake --build build/release --target doppel, or --doppel)", file=sys.stderr)
        sys.exit(2)
    if not os.path.exists(a.corpus):
        print(f"index_vs_datasketch.py: corpus not found: {a.corpus}", file=sys.stderr)
        sys.exit(2)

    n_in, n_q = prepare(a)
    bands, rows = lsh_shape(a)
    print(f"{a.corpus}: {n_in} documents indexed, {n_q} queried; threshold {a.threshold}, "
          f"{a.hashes} hashes, {bands} bands x {rows} rows (both); doppel --threads {a.threads}; "
          f"{a.rounds} rounds", flush=True)

    me = [sys.executable, os.path.abspath(__file__), "--work", a.work,
          "--threshold", str(a.threshold), "--hashes", str(a.hashes), "--threads", str(a.threads),
          "--bands", str(bands), "--rows", str(rows)]
    idx = os.path.join(a.work, "doppel.idx")
    res = {"datasketch": [], "doppel": []}

    def datasketch_round():
        out, wall, rss = run_rusage(me + ["--child", "datasketch"], env=env)
        r = json.loads(out)
        r["rss"] = rss
        res["datasketch"].append(r)

    def doppel_round():
        shutil.rmtree(idx, ignore_errors=True)
        _, wall, rss_add = run_rusage(
            [a.doppel, "index", "add", idx, os.path.join(a.work, "ingest.jsonl"),
             "--passages", "off", "--threshold", str(a.threshold), "--hashes", str(a.hashes),
             "--threads", str(a.threads), "--answers",
             os.path.join(a.work, "doppel.add.answers.jsonl"), "-q"])
        disk = dir_bytes(idx)
        out, _, rss_q = run_rusage(me + ["--child", "doppel-query"])
        r = json.loads(out)
        r.update(ingest_s=wall, rss_add=rss_add, rss_query=rss_q, disk=disk)
        res["doppel"].append(r)

    for i in range(a.rounds):
        order = [datasketch_round, doppel_round] if i % 2 == 0 else [doppel_round, datasketch_round]
        for f in order:
            f()
        d, e = res["datasketch"][-1], res["doppel"][-1]
        print(f"round {i + 1}: ingest datasketch {d['ingest_s']:.2f} s, doppel {e['ingest_s']:.2f} s; "
              f"query p50 {statistics.median(d['latencies']) * 1e3:.3f} / "
              f"{statistics.median(e['latencies']) * 1e3:.3f} ms", flush=True)

    def col(side, f):
        return [f(r) for r in res[side]]

    ms = 1e3
    table = [
        ("ingest docs/s", col("datasketch", lambda r: n_in / r["ingest_s"]),
         col("doppel", lambda r: n_in / r["ingest_s"]), "{:,.0f}"),
        ("ingest s", col("datasketch", lambda r: r["ingest_s"]),
         col("doppel", lambda r: r["ingest_s"]), "{:.2f}"),
        ("query p50 ms", col("datasketch", lambda r: statistics.median(r["latencies"]) * ms),
         col("doppel", lambda r: statistics.median(r["latencies"]) * ms), "{:.3f}"),
        ("query p99 ms", col("datasketch", lambda r: percentile(r["latencies"], 99) * ms),
         col("doppel", lambda r: percentile(r["latencies"], 99) * ms), "{:.3f}"),
        ("peak RSS MiB (ingest)", col("datasketch", lambda r: r["rss_after_ingest"] / 2**20),
         col("doppel", lambda r: r["rss_add"] / 2**20), "{:,.0f}"),
        ("peak RSS MiB (query process)", col("datasketch", lambda r: r["rss"] / 2**20),
         col("doppel", lambda r: r["rss_query"] / 2**20), "{:,.0f}"),
    ]

    def sp(xs, fmt):
        return " / ".join(fmt.format(x) for x in (min(xs), statistics.median(xs), max(xs)))

    print()
    print("| measure | datasketch (min / median / max) | doppel (min / median / max) |")
    print("|---|---|---|")
    for name, x, y, fmt in table:
        print(f"| {name} | {sp(x, fmt)} | {sp(y, fmt)} |")
    sh = col("datasketch", lambda r: r["shingling_s"])
    disk = res["doppel"][-1]["disk"]
    st = res["doppel"][-1]["stats"]
    print(f"\ndatasketch ingest: of which normalization + shingling in Python {sp(sh, '{:.2f}')} s; "
          "its peak RSS (query process) is the one process doing both")
    print(f"doppel: on disk {disk:,} bytes ({disk / n_in:,.0f} bytes/doc); query process opened "
          f"the index in {sp(col('doppel', lambda r: r['open_s']), '{:.3f}')} s; stats "
          f"memory_bytes {st.get('memory_bytes', 0):,}; near pairs at ingest {st.get('near_pairs')}")
    ag = agreement(a)
    print(f"\nagreement on the {n_q} queries (last round; exact copies collapsed to doppel's first "
          f"copy): datasketch {ag['pairs_datasketch']} candidate pairs "
          f"({ag['queries_with_datasketch_candidates']} queries with any), doppel {ag['pairs_doppel']} "
          f"pairs ({ag['queries_doppel_flags']} queries flagged; status {ag['doppel_status']})")
    print(f"| pairs | true Jaccard >= {a.threshold} | below |")
    print("|---|---|---|")
    for where in ("both", "only datasketch", "only doppel"):
        hi, lo = ag["rows"].get(where, [0, 0])
        print(f"| {where} | {hi} | {lo} |")
    for where, xs in ag["examples"].items():
        hi = [x for x in xs if x[2] >= a.threshold]
        if hi:
            print(f"{where}, true Jaccard >= {a.threshold} (query, indexed, true Jaccard): "
                  + ", ".join(f"({q}, {c}, {j})" for q, c, j in hi[:10])
                  + (f" ... ({len(hi)} in all)" if len(hi) > 10 else ""))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"args": vars(a), "documents": n_in, "queries": n_q, "bands": bands,
                       "rows": rows, "rounds": res, "agreement": ag}, f)


if __name__ == "__main__":
    main()
