// Running the doppel binary from tests: its exit code, standard output and standard error, and
// paths to the repository's fixtures and to ../shared.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace doppel::test {

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};

// Runs the doppel binary with `args` (each passed as one argument, no shell), feeding `input` to
// its standard input.
RunResult run_doppel(const std::vector<std::string>& args, const std::string& input = "");

// Runs it like run_doppel, but keeps its standard input open after `input` (a run reading "-"
// then waits for more), and sends it `signal` once `ready()` returns true (checked every 10 ms).
RunResult run_doppel_interrupted(const std::vector<std::string>& args, const std::string& input,
                                 int signal, const std::function<bool()>& ready);

// Runs `mpirun -np RANKS doppel ARGS...` (--oversubscribe, and --allow-run-as-root as root),
// feeding `input` to rank 0. `during(pid of mpirun)`, when given, is called every 10 ms until it
// returns true. `env` adds variables ("NAME=value") for every rank. The ranks' sanitizer reports
// go to files (the test build runs under ASan): mpi_sanitizer_findings() reads them.
RunResult run_doppel_mpi(int ranks, const std::vector<std::string>& args,
                         const std::string& input = "", const std::function<bool(int)>& during = {},
                         const std::vector<std::string>& env = {});
// Runs any program (argv[0] a path) like run_doppel.
RunResult run_program(const std::vector<std::string>& argv, const std::string& input = "",
                      const std::vector<std::string>& env = {});
// Runs any program like run_doppel_interrupted, but ends its standard input right after the
// signal: a program that takes no action on the signal then reads to the end and finishes.
RunResult run_program_signalled(const std::vector<std::string>& argv, const std::string& input,
                                int signal, const std::function<bool()>& ready);
// The sanitizer reports of the last run_doppel_mpi that matter: every AddressSanitizer or
// UndefinedBehaviorSanitizer error, and every leak whose stack passes through doppel's own code.
// Open MPI's leaks at MPI_Finalize (often in components it has unloaded) are not doppel's; "" when
// there is nothing to report.
std::string mpi_sanitizer_findings();
std::string mpirun_path();  // "" when Open MPI's mpirun is not installed

std::string source_dir();  // the repository
std::string shared_dir();  // ../shared beside the repository ("" when absent)
std::string temp_dir();    // a fresh directory, one per call; removed at exit
                           // unless DOPPEL_KEEP_TEMP=1
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& bytes);
// Splits text into lines at '\n' (the last line needs no '\n').
std::vector<std::string> split_lines(const std::string& bytes);
std::vector<std::string> read_lines(const std::string& path);  // split_lines(read_file(path))

}  // namespace doppel::test
