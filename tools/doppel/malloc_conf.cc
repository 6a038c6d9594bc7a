// jemalloc's options, compiled in: it reads this symbol when it starts, before main(). The
// environment (MALLOC_CONF) still overrides it. Built only when the tool links jemalloc.
//
// thp:always: every arena on transparent huge pages (where the system offers them, in "always"
// or "madvise" mode). The reuse job fills arrays of hundreds of megabytes once; in 4 KiB pages
// that is a page fault per page, and on a virtual machine a fault costs microseconds. With 2 MiB
// pages `doppel reuse` on Reuters took 1,000 page faults instead of 6,400 and 0.31 s instead of
// 0.37 s on one thread (docs/reuse.md, Limits of this version).
// metadata_thp:always: the same for jemalloc's own bookkeeping.

// NOLINTNEXTLINE(cppcoreguidelines-avoid-non-const-global-variables): jemalloc's interface
extern "C" const char* malloc_conf;
const char* malloc_conf = "thp:always,metadata_thp:always";
