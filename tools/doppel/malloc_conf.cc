// jemalloc's options, compiled in: it reads this symbol when it starts, before main(). The
// environment (MALLOC_CONF) still overrides it. Built only when the tool links jemalloc.
//
// thp:always: every arena on transparent huge pages (where the system offers them, in "always"
// or "madvise" mode). The reuse job fills arrays of hundreds of megabytes once; in 4 KiB pages
// that is a page fault per page, and on a virtual machine a fault costs microseconds. With 2 MiB
// pages `doppel reuse` on Reuters took 1,000 page faults instead of 6,400 and 0.31 s instead of
// 0.37 s on one thread (docs/reuse.md, Limits of this version).
// metadata_thp:always: the same for jemalloc's own bookkeeping.
// background_thread:true: unused pages go back to the system from jemalloc's own thread, in
// larger sweeps, instead of from the thread that freed them: each return (madvise) flushed the
// TLBs of every core, which was 3% of `doppel index add` on 200,000 synthetic documents, and
// the pages then faulted in again. System time fell from 2.0-2.7 s to 0.8-1.0 s of about 20 s,
// wall time from 11.9-12.2 s to 10.3-11.8 s (three alternating rounds). On the 1M-document
// corpus system time fell from 13.8 s to 6.4 s, but wall time stayed within noise (74.7 against
// 72.9 s, and 68.0 against 68.9 s); reuse and dedup on the shared corpora: within noise too
// (median ratios 0.95 and 0.98 in eight alternating rounds).

// NOLINTNEXTLINE(cppcoreguidelines-avoid-non-const-global-variables): jemalloc's interface
extern "C" const char* malloc_conf;
const char* malloc_conf = "thp:always,metadata_thp:always,background_thread:true";
