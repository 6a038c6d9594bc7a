#!/usr/bin/env python3
"""Compare `doppel reuse` with sim_text (Debian package similarity-tester).

sim_text finds runs of at least -r words shared by text files and reports each
run as a pair of line ranges. This script turns a JSON Lines corpus into the
one-file-per-document layout sim_text needs, runs and times it, converts its
report into passage pairs in the shape of doppel's reuse pairs, and compares
two sets of passage pairs.

Usage:
  bench/simtext.py export CORPUS.jsonl[.zst|.gz] OUTDIR [--force]
  bench/simtext.py run OUTDIR [--min-words 20] [--reps 3] [--raw FILE]
                       [--json FILE] [--sim-text sim_text] [--also JSON CMD]...
  bench/simtext.py parse OUTDIR RAW [--spans words|lines] [--out PAIRS.jsonl]
                       [--json FILE]
  bench/simtext.py compare --ours PAIRS.jsonl --theirs PAIRS.jsonl
                       [--ours-name doppel] [--theirs-name sim_text]
                       [--min-overlap 0.5] [--json FILE]
  bench/simtext.py time [--reps 3] [--json FILE] [--stdout FILE] -- CMD ARGS...
  bench/simtext.py summary CORPUS_DIR...

export   OUTDIR/docs/NNNNNN_<id>.txt holds the "text" field of each document
         (UTF-8, nothing added); <id> is the id percent-encoded so that only
         [A-Za-z0-9_.~-] remain, cut to 150 bytes; NNNNNN is the document's
         index in the corpus, which keeps names unique and in corpus order.
         OUTDIR/files.jsonl maps {"file": NAME, "id": ID} (corpus order),
         OUTDIR/files.txt lists the names for sim_text -i, OUTDIR/export.json
         records the source (path, size, mtime) so a later export of an
         unchanged corpus is skipped. Documents doppel would reject as bad
         input (not an object, no string text, id neither string nor integer,
         lone surrogates, duplicate id) are left out; a missing id becomes
         FILE:LINE as in doppel.
run      runs, from OUTDIR/docs, `sim_text -r N -s -n -T -i < files.txt` and
         keeps the output of the fastest run. sim_text's process is timed, not
         the export (wall clock, best of --reps). -s: a file is not compared with itself,
         so only runs shared by two different files are reported; -n: one
         summary line per run instead of the text; -T: no per-file header;
         -i: names from standard input (no argv limit, corpus order).
         --also JSON CMD (repeatable) times CMD (one shell-quoted string) as
         well, in rounds: each round runs sim_text and each CMD once, starting
         one command further on each round, so that a busy spell of the
         machine falls on all of them alike; CMD's timings go to JSON, labelled
         with JSON's name. Every CMD and JSON folder is checked before any run.
parse    reads sim_text's -n report, lines like
           000012_reuters-13.txt: line 4-9       |000345_reuters-346.txt: line 1-6  [23]
         (file: first-last line of the run in the left file | the same for the
         right file, [number of words in the run]) and writes one JSON line per
         run: {"a", "b", "a_begin", "a_end", "b_begin", "b_end", "words"} with
         Unicode code point offsets into the document's "text", end exclusive.
         --spans lines: the whole lines of the range (without the last '\\n');
         --spans words (default): the run's exact words, found by re-tokenizing
         the lines as sim_text does (a word is a maximal run of ASCII letters
         and digits and non-ASCII characters; ASCII case ignored) and looking
         for the N equal words that start on the first and end on the last
         line of both ranges. Runs whose words cannot be found again (sim_text
         compares 16-bit word hashes, so a collision can make a run) keep the
         line span and are counted as "unrefined".
compare  a pair of --theirs counts as found when one pair of --ours between
         the same two documents (in either order) overlaps at least
         --min-overlap of its span on both sides; and the other way round.
         "+chains" also counts pairs whose two spans are copies of one passage
         linked through a chain of the other side's pairs (see Passages).
         Also reports the characters of each side's spans covered by the
         other's spans between the same documents, and the document pairs.
time     runs a command --reps times and prints the best wall time (plus CPU
         time and peak RSS of that run).
summary  prints the markdown table of reuse_vs_simtext.sh from the JSON files
         it leaves in each corpus directory.
"""

import argparse
import bisect
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import urllib.parse

sys.dont_write_bytecode = True  # keep bench/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import textnorm  # noqa: E402

EXPORT_FORMAT = 1
MAX_ID_BYTES = 150
# sim_text's words (its flex rules in textlang.l, version 3): a word is a
# maximal run of ASCII letters/digits and bytes over 127 (so any non-ASCII code
# point); "s p a c e d" text, single ASCII letters/digits separated by single
# spaces and followed by a non-word character, is one word; everything else
# separates words. ASCII case is ignored.
SIM_WORD_RE = re.compile(r"(?:[0-9A-Za-z] )+[0-9A-Za-z](?=[^0-9A-Za-z\u0080-\U0010ffff])"
                         r"|[0-9A-Za-z\u0080-\U0010ffff]+")
# one run in -n format: "LEFT: line A-B<spaces>|RIGHT: line C-D<spaces>[N]"
RUN_RE = re.compile(r"^(.+?): line (\d+)-(\d+)\s*\|(.+?): line (\d+)-(\d+)\s*\[(\d+)\]\s*$")
SIM_FLAGS = ["-s", "-n", "-T", "-i"]


def die(msg, code=1):
    print(f"simtext.py: {msg}", file=sys.stderr)
    sys.exit(code)


def write_json(path, obj):
    if path:
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(obj, f, indent=1)
            f.write("\n")
        os.replace(tmp, path)


# ---------------------------------------------------------------- export


def safe_name(index, doc_id, width):
    enc = urllib.parse.quote(doc_id, safe="")
    if len(enc) > MAX_ID_BYTES:
        enc = enc[:MAX_ID_BYTES]
        cut = enc.rfind("%", len(enc) - 2)  # do not end inside a %XX escape
        if cut >= 0:
            enc = enc[:cut]
    return f"{index:0{width}d}_{enc}.txt"


def _has_surrogate(s):
    try:
        s.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def read_corpus(path):
    """Yield (id, text) like doppel reads JSON Lines; prints skipped counts."""
    seen = set()
    skipped = {}
    with textnorm.open_text(path) as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            reason = None
            try:
                doc = json.loads(line)
            except ValueError:
                doc, reason = None, "malformed_json"
            if reason is None and not isinstance(doc, dict):
                reason = "malformed_json"
            if reason is None:
                doc_id = doc.get("id")
                text = doc.get("text")
                if doc_id is None:
                    doc_id = f"{path}:{lineno}"
                elif isinstance(doc_id, bool) or not isinstance(doc_id, (str, int)):
                    reason = "malformed_json"
                else:
                    doc_id = str(doc_id)
            if reason is None and not isinstance(text, str):
                reason = "missing_text"
            if reason is None and (_has_surrogate(text) or _has_surrogate(doc_id)):
                reason = "malformed_json"
            if reason is None and doc_id in seen:
                reason = "duplicate_id"
            if reason:
                skipped[reason] = skipped.get(reason, 0) + 1
                continue
            seen.add(doc_id)
            yield doc_id, text
    if skipped:
        print(f"simtext.py: export skipped {skipped} in {path}", file=sys.stderr)


def cmd_export(args):
    corpus = os.path.abspath(args.corpus)
    st = os.stat(corpus)
    source = {"format": EXPORT_FORMAT, "corpus": corpus, "size": st.st_size,
              "mtime_ns": st.st_mtime_ns}
    meta_path = os.path.join(args.outdir, "export.json")
    if not args.force and os.path.exists(meta_path):
        with open(meta_path, encoding="utf-8") as f:
            meta = json.load(f)
        if all(meta.get(k) == v for k, v in source.items()):
            print(f"export: {args.outdir} is up to date ({meta['documents']} documents)")
            return
    if os.path.exists(args.outdir) and not os.path.exists(meta_path):
        if os.listdir(args.outdir):
            die(f"{args.outdir} exists and is not an export (no export.json); not touching it")
    t0 = time.perf_counter()
    tmp = args.outdir.rstrip("/") + f".tmp{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(os.path.join(tmp, "docs"))
    docs = list(read_corpus(args.corpus))  # FILE:LINE ids name the path as given
    width = max(6, len(str(len(docs) - 1)))
    nbytes = 0
    with open(os.path.join(tmp, "files.jsonl"), "w", encoding="utf-8") as fj, \
            open(os.path.join(tmp, "files.txt"), "w", encoding="utf-8") as ft:
        for i, (doc_id, text) in enumerate(docs):
            name = safe_name(i, doc_id, width)
            data = text.encode("utf-8")
            nbytes += len(data)
            with open(os.path.join(tmp, "docs", name), "wb") as f:
                f.write(data)
            fj.write(json.dumps({"file": name, "id": doc_id}, ensure_ascii=False) + "\n")
            ft.write(name + "\n")
    source.update(documents=len(docs), text_bytes=nbytes)
    write_json(os.path.join(tmp, "export.json"), source)
    if os.path.exists(meta_path):  # a stale export of ours
        shutil.rmtree(args.outdir)
    elif os.path.isdir(args.outdir):
        os.rmdir(args.outdir)  # empty
    os.makedirs(os.path.dirname(os.path.abspath(args.outdir)), exist_ok=True)
    os.replace(tmp, args.outdir)
    print(f"export: {len(docs)} documents, {nbytes / 1e6:.1f} MB of text -> {args.outdir} "
          f"({time.perf_counter() - t0:.1f} s)")


# ---------------------------------------------------------------- timing


class TimedCommand:
    """A command timed one run at a time: [{wall_s, cpu_s, max_rss_kib}] in .runs.

    With stdout_path, the stdout of the fastest run is left in that file.
    A failing run (non-zero exit) stops everything with its stderr tail.
    """

    def __init__(self, cmd, stdout_path=None, stdin_path=None, cwd=None):
        self.cmd, self.stdout_path, self.stdin_path, self.cwd = cmd, stdout_path, stdin_path, cwd
        self.runs = []

    def run_once(self):
        rep = len(self.runs)
        out_tmp = f"{self.stdout_path}.run{rep}" if self.stdout_path else None
        fin = open(self.stdin_path, "rb") if self.stdin_path else subprocess.DEVNULL
        fout = open(out_tmp, "wb") if out_tmp else subprocess.DEVNULL
        try:
            t0 = time.perf_counter()
            proc = subprocess.Popen(self.cmd, stdin=fin, stdout=fout, stderr=subprocess.PIPE,
                                    cwd=self.cwd)
            err = proc.stderr.read()
            proc.stderr.close()
            _, status, ru = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t0
            proc.returncode = os.waitstatus_to_exitcode(status)
        finally:
            if self.stdin_path:
                fin.close()
            if out_tmp:
                fout.close()
        if proc.returncode != 0:
            tail = err.decode("utf-8", "replace").splitlines()[-20:]
            die(f"command failed (exit {proc.returncode}): {' '.join(self.cmd)}\n" +
                "\n".join(tail))
        run = {"wall_s": round(wall, 4), "cpu_s": round(ru.ru_utime + ru.ru_stime, 4),
               "max_rss_kib": ru.ru_maxrss}
        if out_tmp:
            if all(run["wall_s"] < r["wall_s"] for r in self.runs):  # the fastest so far
                os.replace(out_tmp, self.stdout_path)
            else:
                os.remove(out_tmp)
        self.runs.append(run)


def time_in_rounds(commands, reps):
    """Runs each of `commands` (TimedCommand) once per round, `reps` rounds, each round starting
    one command further on: a busy spell of the machine then falls on every command alike
    instead of on whichever was being timed, and no command always comes right after the same
    one (what a run leaves behind, such as memory to defragment for the next one's huge pages,
    costs the next command some tens of milliseconds on the 2-core virtual machine)."""
    for r in range(reps):
        k = r % len(commands)
        for c in commands[k:] + commands[:k]:
            c.run_once()


def time_command(cmd, reps, stdout_path=None, stdin_path=None, cwd=None):
    """Run cmd reps times; return the runs [{wall_s, cpu_s, max_rss_kib}]."""
    c = TimedCommand(cmd, stdout_path, stdin_path, cwd)
    time_in_rounds([c], reps)
    return c.runs


def timing_summary(cmd, runs, cwd=None):
    best = min(runs, key=lambda r: r["wall_s"])
    return {"command": cmd, "cwd": cwd, "reps": len(runs), "runs": runs,
            "best_wall_s": best["wall_s"], "best_cpu_s": best["cpu_s"],
            "best_max_rss_kib": best["max_rss_kib"]}


def print_timing(label, summary):
    walls = ", ".join(f"{r['wall_s']:.3f}" for r in summary["runs"])
    print(f"{label}: best {summary['best_wall_s']:.3f} s wall "
          f"({summary['best_cpu_s']:.3f} s CPU, peak RSS "
          f"{summary['best_max_rss_kib'] / 1024:.1f} MiB); runs: {walls}")


def cmd_time(args):
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        die("time: no command given (put it after --)", 2)
    runs = time_command(cmd, args.reps, stdout_path=args.stdout)
    summary = timing_summary(cmd, runs)
    print_timing(os.path.basename(cmd[0]), summary)
    write_json(args.json, summary)


# ---------------------------------------------------------------- run


def cmd_run(args):
    sim = shutil.which(args.sim_text)
    if not sim:
        die(f"{args.sim_text} not found (Debian/Ubuntu: apt-get install similarity-tester)")
    docs = os.path.join(args.outdir, "docs")
    names = os.path.abspath(os.path.join(args.outdir, "files.txt"))
    if not os.path.exists(names):
        die(f"{names} missing: run `simtext.py export CORPUS {args.outdir}` first")
    raw = os.path.abspath(args.raw or os.path.join(args.outdir, "simtext.raw"))
    cmd = [sim, "-r", str(args.min_words)] + SIM_FLAGS + args.extra
    sim_timed = TimedCommand(cmd, stdout_path=raw, stdin_path=names, cwd=docs)
    # --also JSON CMD: timed in the same rounds as sim_text (see time_in_rounds), checked first so
    # that a mistake does not surface after minutes of timing.
    also = [(json_path, TimedCommand(shlex.split(line))) for json_path, line in args.also]
    for json_path, timed in also:
        if not timed.cmd:
            die(f"--also {json_path}: empty command", 2)
        if not shutil.which(timed.cmd[0]):
            die(f"--also {json_path}: {timed.cmd[0]} not found", 2)
        if not os.path.isdir(os.path.dirname(os.path.abspath(json_path))):
            die(f"--also {json_path}: no such folder", 2)
    if len({os.path.abspath(j) for j, _ in also}) != len(also):
        die("--also: two commands write the same JSON file", 2)
    time_in_rounds([sim_timed] + [t for _, t in also], args.reps)
    runs = sim_timed.runs
    summary = timing_summary(cmd, runs, cwd=os.path.abspath(docs))
    summary["stdin"] = names
    summary["raw"] = raw
    summary["shell"] = (f"(cd {shlex.quote(docs)} && {shlex.join(cmd)} < {shlex.quote(names)} "
                        f"> {shlex.quote(raw)})")
    nruns = 0
    with open(raw, encoding="utf-8", errors="replace") as f:
        for line in f:
            nruns += bool(RUN_RE.match(line))
    summary["runs_reported"] = nruns
    print_timing("sim_text", summary)
    print(f"sim_text: {nruns} runs of >= {args.min_words} words -> {raw}")
    write_json(args.json, summary)
    for json_path, timed in also:
        other = timing_summary(timed.cmd, timed.runs)
        print_timing(os.path.basename(json_path).removesuffix(".json"), other)
        write_json(json_path, other)


# ---------------------------------------------------------------- parse


class Doc:
    """A document's text with its line starts and sim_text words.

    sim_text numbers a word's line by the newlines before it, plus one, except
    on a last line without a final newline: there it gives the number of the
    line before (0 for a one-line file), so such a number may mean either line.
    """

    def __init__(self, text):
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.unterminated = not text.endswith("\n")
        self._words = None

    def line_span(self, first, last):
        """Code points of sim_text's lines first..last (without the last '\n')."""
        nl = len(self.line_starts) - 1  # newlines in the text
        begin = self.line_starts[max(first, 1) - 1]
        if last >= nl:
            end = len(self.text) - (0 if self.unterminated else 1)
        else:
            end = self.line_starts[last] - 1
        return begin, max(begin, end)

    def words(self):
        """(starts, ends, keys, lines) of sim_text's words; lines as sim_text numbers them."""
        if self._words is None:
            starts, ends, keys, lines = [], [], [], []
            last_line = len(self.line_starts)
            for m in SIM_WORD_RE.finditer(self.text):
                starts.append(m.start())
                ends.append(m.end())
                keys.append(m.group().encode("utf-8").lower())  # ASCII-only lower
                line = bisect.bisect_right(self.line_starts, m.start())
                lines.append(line - 1 if self.unterminated and line == last_line else line)
            self._words = (starts, ends, keys, lines)
        return self._words

    def words_on(self, line):
        """Index range [lo, hi) of the words on 1-based line."""
        lines = self.words()[3]
        return bisect.bisect_left(lines, line), bisect.bisect_left(lines, line + 1)


def refine(da, la1, la2, db, lb1, lb2, n):
    """Word spans of the n-word run starting on la1/lb1, ending on la2/lb2."""
    sa, ea, ka, lna = da.words()
    sb, eb, kb, lnb = db.words()
    ia0, ia1 = da.words_on(la1)
    ib0, ib1 = db.words_on(lb1)
    for i in range(ia0, ia1):
        if i + n > len(ka) or lna[i + n - 1] != la2:
            continue
        for j in range(ib0, ib1):
            if j + n > len(kb) or lnb[j + n - 1] != lb2:
                continue
            if ka[i:i + n] == kb[j:j + n]:
                return (sa[i], ea[i + n - 1]), (sb[j], eb[j + n - 1])
    return None


def load_map(outdir):
    path = os.path.join(outdir, "files.jsonl")
    if not os.path.exists(path):
        die(f"{path} missing: run `simtext.py export CORPUS {outdir}` first")
    with open(path, encoding="utf-8") as f:
        return {r["file"]: r["id"] for r in map(json.loads, f)}


def cmd_parse(args):
    ids = load_map(args.outdir)
    cache = {}

    def doc(name):
        d = cache.get(name)
        if d is None:
            with open(os.path.join(args.outdir, "docs", name), encoding="utf-8") as f:
                d = cache[name] = Doc(f.read())
        return d

    out_path = args.out or os.path.join(args.outdir, "simtext.pairs.jsonl")
    stats = {"runs": 0, "unrefined": 0, "unparsed_lines": 0, "words": 0,
             "line_span_chars": 0, "span_chars": 0}
    tmp = out_path + ".tmp"
    with open(args.raw, encoding="utf-8", errors="replace") as f, \
            open(tmp, "w", encoding="utf-8") as out:
        for line in f:
            m = RUN_RE.match(line)
            if not m:
                if "|" in line and "line" in line:
                    stats["unparsed_lines"] += 1
                continue
            fa, la1, la2, fb, lb1, lb2, n = m.groups()
            la1, la2, lb1, lb2, n = int(la1), int(la2), int(lb1), int(lb2), int(n)
            if fa not in ids or fb not in ids:
                die(f"unknown file in sim_text output: {line.strip()}")
            da, db = doc(fa), doc(fb)
            span_a, span_b = da.line_span(la1, la2), db.line_span(lb1, lb2)
            stats["line_span_chars"] += span_a[1] - span_a[0] + span_b[1] - span_b[0]
            if args.spans == "words":
                r = refine(da, la1, la2, db, lb1, lb2, n)
                if r is None:
                    stats["unrefined"] += 1
                else:
                    span_a, span_b = r
            stats["runs"] += 1
            stats["words"] += n
            stats["span_chars"] += span_a[1] - span_a[0] + span_b[1] - span_b[0]
            out.write(json.dumps({"a": ids[fa], "b": ids[fb], "a_begin": span_a[0],
                                  "a_end": span_a[1], "b_begin": span_b[0],
                                  "b_end": span_b[1], "words": n},
                                 ensure_ascii=False) + "\n")
    os.replace(tmp, out_path)
    stats.update(spans=args.spans, out=out_path)
    extra = ""
    if args.spans == "words":
        extra = (f"; whole lines would be {stats['line_span_chars']:,} chars "
                 f"({stats['line_span_chars'] / max(1, stats['span_chars']):.2f}x), "
                 f"{stats['unrefined']} runs kept line spans")
    print(f"parse: {stats['runs']} passage pairs ({args.spans} spans, "
          f"{stats['span_chars']:,} chars on both sides{extra}) -> {out_path}")
    if stats["unparsed_lines"]:
        print(f"parse: warning: {stats['unparsed_lines']} lines looked like runs but did not parse",
              file=sys.stderr)
    write_json(args.json, stats)


# ---------------------------------------------------------------- compare

BANDS = [(20, 30), (30, 50), (50, 100), (100, 200), (200, 500), (500, None)]


def band_label(lo, hi):
    return f"{lo}+" if hi is None else f"{lo}-{hi - 1}"


def band_of(words):
    if words is None:
        return "?"
    if words < BANDS[0][0]:
        return f"<{BANDS[0][0]}"
    for lo, hi in BANDS:
        if hi is None or words < hi:
            return band_label(lo, hi)


def read_pairs(path):
    """{(x, y): [(x_begin, x_end, y_begin, y_end, words)]} with x <= y."""
    groups = {}
    with textnorm.open_text(path) as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
                a, b = str(r["a"]), str(r["b"])
                sa = (int(r["a_begin"]), int(r["a_end"]))
                sb = (int(r["b_begin"]), int(r["b_end"]))
            except (ValueError, KeyError, TypeError) as e:
                die(f"{path}:{lineno}: not a passage pair ({e})")
            words = r.get("words")
            if words is None and "a_words" in r and "b_words" in r:  # doppel: words per side
                words = min(r["a_words"], r["b_words"])
            if b < a:
                a, b, sa, sb = b, a, sb, sa
            groups.setdefault((a, b), []).append((sa[0], sa[1], sb[0], sb[1], words))
    return groups


def overlap(b1, e1, b2, e2):
    return max(0, min(e1, e2) - max(b1, b2))


def merged(intervals):
    out = []
    for b, e in sorted(intervals):
        if out and b <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([b, e])
    return out


def covered(b, e, union):
    return sum(overlap(b, e, ub, ue) for ub, ue in union)


def enough(o, length, min_overlap):
    return o > 0 and o >= min_overlap * length


class Passages:
    """Groups of spans that are copies of one passage, from a set of pairs.

    The two spans of a pair are one group; two spans in one document that
    overlap by at least min_overlap of each are one group (transitively). This
    lets a pair (x, y) be found through a chain x-z, z-y when the other tool
    reports each copy once against another copy (sim_text links each run to
    one later copy only) instead of every pair of copies.
    """

    def __init__(self, groups, min_overlap):
        self.parent = []
        self.by_doc = {}
        for (x, y), pairs in groups.items():
            for xb, xe, yb, ye, _ in pairs:
                u, v = len(self.parent), len(self.parent) + 1
                self.parent += [u, u]
                self.by_doc.setdefault(x, []).append((xb, xe, u))
                self.by_doc.setdefault(y, []).append((yb, ye, v))
        for spans in self.by_doc.values():
            spans.sort()
            active = []
            for b, e, u in spans:
                active = [a for a in active if a[1] > b]
                for ab, ae, au in active:
                    o = overlap(b, e, ab, ae)
                    if enough(o, e - b, min_overlap) and enough(o, ae - ab, min_overlap):
                        self.union(u, au)
                active.append((b, e, u))
        self.min_overlap = min_overlap

    def find(self, u):
        while self.parent[u] != u:
            self.parent[u] = self.parent[self.parent[u]]
            u = self.parent[u]
        return u

    def union(self, u, v):
        u, v = self.find(u), self.find(v)
        if u != v:
            self.parent[max(u, v)] = min(u, v)

    def groups_at(self, doc, b, e):
        return {self.find(u) for sb, se, u in self.by_doc.get(doc, ())
                if enough(overlap(b, e, sb, se), e - b, self.min_overlap)}

    def linked(self, x, xb, xe, y, yb, ye):
        gx = self.groups_at(x, xb, xe)
        return bool(gx) and not gx.isdisjoint(self.groups_at(y, yb, ye))


def coverage(mine, other, min_overlap):
    """How much of `mine` is found in `other`: per pair and per character."""
    res = {"pairs": 0, "found": 0, "found_via_chains": 0, "chars": 0, "covered_chars": 0,
           "bands": {}}
    passages = Passages(other, min_overlap)
    for key, pairs in mine.items():
        cands = other.get(key, [])
        self_pair = key[0] == key[1]
        if self_pair:  # within one document: either orientation
            cands = cands + [(c[2], c[3], c[0], c[1], c[4]) for c in cands]
        ux = merged([(c[0], c[1]) for c in cands])
        uy = merged([(c[2], c[3]) for c in cands])
        if self_pair:
            ux = uy = merged(ux + uy)
        for xb, xe, yb, ye, words in pairs:
            found = any(enough(overlap(xb, xe, c[0], c[1]), xe - xb, min_overlap) and
                        enough(overlap(yb, ye, c[2], c[3]), ye - yb, min_overlap)
                        for c in cands)
            chained = found or passages.linked(key[0], xb, xe, key[1], yb, ye)
            res["pairs"] += 1
            res["found"] += found
            res["found_via_chains"] += chained
            res["chars"] += (xe - xb) + (ye - yb)
            res["covered_chars"] += covered(xb, xe, ux) + covered(yb, ye, uy)
            band = res["bands"].setdefault(band_of(words), {"pairs": 0, "found": 0})
            band["pairs"] += 1
            band["found"] += found
    return res


def pct(a, b):
    return f"{100.0 * a / b:.1f}%" if b else "-"


def cmd_compare(args):
    ours = read_pairs(args.ours)
    theirs = read_pairs(args.theirs)
    on, tn = args.ours_name, args.theirs_name
    t_in_o = coverage(theirs, ours, args.min_overlap)
    o_in_t = coverage(ours, theirs, args.min_overlap)
    both_docs = len(set(ours) & set(theirs))
    result = {"ours": args.ours, "theirs": args.theirs, "ours_name": on, "theirs_name": tn,
              "min_overlap": args.min_overlap,
              "theirs_found_by_ours": t_in_o, "ours_found_by_theirs": o_in_t,
              "doc_pairs": {"ours": len(ours), "theirs": len(theirs), "both": both_docs}}

    rows = [(f"{tn} pairs found by {on}", t_in_o), (f"{on} pairs found by {tn}", o_in_t)]
    w = max(len(r[0]) for r in rows)
    print(f"found: a pair between the same documents overlaps >= {args.min_overlap:g} of both "
          f"spans; +chains: or both spans are copies of one passage linked by a chain of the "
          f"other tool's pairs; chars: both spans; covered: inside the other tool's spans "
          f"between the same documents")
    head = (f"{'':<{w}}  {'pairs':>8}  {'found':>8}  {'recall':>7}  {'+chains':>8}  "
            f"{'chars':>11}  {'covered':>11}  {'chars%':>7}")
    print(head)
    print("-" * len(head))
    for label, r in rows:
        print(f"{label:<{w}}  {r['pairs']:>8}  {r['found']:>8}  {pct(r['found'], r['pairs']):>7}  "
              f"{pct(r['found_via_chains'], r['pairs']):>8}  {r['chars']:>11,}  "
              f"{r['covered_chars']:>11,}  {pct(r['covered_chars'], r['chars']):>7}")
    print(f"document pairs: {tn} {len(theirs)}, {on} {len(ours)}, both {both_docs}")
    labels = [band_label(lo, hi) for lo, hi in BANDS]
    for label, r in rows:
        extra = [b for b in r["bands"] if b not in labels]
        cells = []
        for b in sorted(extra) + labels:
            if b in r["bands"]:
                x = r["bands"][b]
                cells.append(f"{b}: {x['found']}/{x['pairs']} ({pct(x['found'], x['pairs'])})")
        print(f"by words, {label}: " + "; ".join(cells))
    write_json(args.json, result)


# ---------------------------------------------------------------- summary


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def cmd_summary(args):
    rows = []
    commands = []
    for d in args.dirs:
        name = os.path.basename(os.path.normpath(d))
        exp = load(os.path.join(d, "export.json")) or {}
        sim = load(os.path.join(d, "simtext.time.json"))
        parse = load(os.path.join(d, "simtext.parse.json")) or {}
        threads = sorted(int(f[len("doppel.t"):-len(".time.json")]) for f in os.listdir(d)
                         if f.startswith("doppel.t") and f.endswith(".time.json"))
        dop = {t: load(os.path.join(d, f"doppel.t{t}.time.json")) for t in threads}
        cmp_ = load(os.path.join(d, "compare.json"))
        row = {"name": name, "docs": exp.get("documents"), "sim": sim, "parse": parse,
               "dop": dop, "cmp": cmp_}
        rows.append(row)
        if sim:
            commands.append(f"{name}: {sim.get('shell')}")
        for t in threads:
            if dop[t]:
                commands.append(f"{name}: " + shlex.join(dop[t]["command"]))
    all_threads = sorted({t for r in rows for t in r["dop"]})
    head = ["corpus", "docs", "sim_text s", "sim_text pairs"]
    for t in all_threads:
        head += [f"doppel {t}T s", f"speedup {t}T"]
    head += ["doppel pairs", "sim_text pairs found by doppel", "doppel pairs found by sim_text",
             "sim_text chars covered"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(" --- " if i == 0 else " ---: " for i in range(len(head))) + "|")
    for r in rows:
        sim_s = r["sim"]["best_wall_s"] if r["sim"] else None
        cells = [r["name"], str(r["docs"] or "-"), f"{sim_s:.2f}" if sim_s else "-",
                 str(r["parse"].get("runs", "-"))]
        for t in all_threads:
            d = r["dop"].get(t)
            if d:
                cells += [f"{d['best_wall_s']:.2f}",
                          f"{sim_s / d['best_wall_s']:.1f}x" if sim_s else "-"]
            else:
                cells += ["-", "-"]
        c = r["cmp"]
        if c:
            t, o = c["theirs_found_by_ours"], c["ours_found_by_theirs"]
            cells += [str(o["pairs"])] + [
                f"{x['found']}/{x['pairs']} ({pct(x['found'], x['pairs'])}; "
                f"{pct(x['found_via_chains'], x['pairs'])} with chains)" for x in (t, o)]
            cells.append(pct(t["covered_chars"], t["chars"]))
        else:
            cells += ["-", "-", "-", "-"]
        print("| " + " | ".join(cells) + " |")
    print()
    print("Commands (timed: wall clock, best run):")
    for c in commands:
        print(f"    {c}")


# ---------------------------------------------------------------- main


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    s = sub.add_parser("export", help="one file per document")
    s.add_argument("corpus")
    s.add_argument("outdir")
    s.add_argument("--force", action="store_true", help="export even if up to date")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("run", help="run and time sim_text over an export")
    s.add_argument("outdir")
    s.add_argument("--min-words", type=int, default=20, help="sim_text -r (default 20)")
    s.add_argument("--reps", type=int, default=3)
    s.add_argument("--raw", help="sim_text output (default OUTDIR/simtext.raw)")
    s.add_argument("--json", help="write timings here")
    s.add_argument("--sim-text", default=os.environ.get("SIM_TEXT", "sim_text"))
    s.add_argument("--also", nargs=2, action="append", default=[], metavar=("JSON", "CMD"),
                   help="also time CMD (one shell-quoted string), a run in each of sim_text's "
                        "rounds, and write its timings to JSON (repeatable)")
    s.add_argument("extra", nargs="*", help="extra sim_text flags (after --)")
    s.set_defaults(func=cmd_run)

    s = sub.add_parser("parse", help="sim_text -n output -> passage pairs")
    s.add_argument("outdir")
    s.add_argument("raw")
    s.add_argument("--spans", choices=["words", "lines"], default="words")
    s.add_argument("--out", help="default OUTDIR/simtext.pairs.jsonl")
    s.add_argument("--json", help="write counts here")
    s.set_defaults(func=cmd_parse)

    s = sub.add_parser("compare", help="coverage of two sets of passage pairs")
    s.add_argument("--ours", required=True)
    s.add_argument("--theirs", required=True)
    s.add_argument("--ours-name", default="doppel")
    s.add_argument("--theirs-name", default="sim_text")
    s.add_argument("--min-overlap", type=float, default=0.5)
    s.add_argument("--json")
    s.set_defaults(func=cmd_compare)

    s = sub.add_parser("time", help="best-of-N wall time of a command")
    s.add_argument("--reps", type=int, default=3)
    s.add_argument("--json")
    s.add_argument("--stdout", help="keep the fastest run's stdout here")
    s.add_argument("cmd", nargs=argparse.REMAINDER)
    s.set_defaults(func=cmd_time)

    s = sub.add_parser("summary", help="markdown table of reuse_vs_simtext.sh results")
    s.add_argument("dirs", nargs="+")
    s.set_defaults(func=cmd_summary)

    args = p.parse_args()
    if getattr(args, "reps", 1) < 1:
        die("--reps must be at least 1", 2)
    args.func(args)


if __name__ == "__main__":
    main()
