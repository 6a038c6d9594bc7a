// Each subcommand lives in its own cmd_*.cc and registers its flags (flags.h) on the CLI11 app;
// the returned function runs it after parsing and gives the exit code (docs/cli.md).
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace doppel::dist {
class Communicator;
}

namespace doppel::cli {

// `comm`: the job's ranks when an MPI launcher started doppel (dist/communicator.h), else null.
std::function<int()> add_dedup_command(CLI::App& app, dist::Communicator* comm);
std::function<int()> add_reuse_command(CLI::App& app, dist::Communicator* comm);
std::function<int()> add_report_command(CLI::App& app);
// `doppel index add|query|remove|stats|export`, one command with five subcommands.
std::function<int()> add_index_command(CLI::App& app);
std::function<int()> add_serve_command(CLI::App& app);
inline constexpr const char* kIndexDescription =
    "A persistent, incremental index of documents and passages (add, query, ...).";
inline constexpr const char* kServeDescription =
    "Serve INDEX over HTTP on 127.0.0.1 (made if missing): add, query, get, remove.";

// The index and serve commands, and every rank of an MPI job, run in a second binary, doppel-index,
// built beside doppel from the same sources with every command: they need RocksDB, cpp-httplib and
// OpenSSL, or MPI, and loading those took about 11 ms and 3 ms of every other command's start
// (docs/cli.md). doppel lists index and serve in --help and, given one, or started by an MPI
// launcher, executes doppel-index with its own arguments (the process, its id, its environment and
// its streams stay the same).
bool runs_in_index_binary(const char* command);
// Replaces this process with doppel-index and `argv`; returns the exit code only if it cannot.
int exec_index_binary(char** argv);
// Hidden: prints the flag tables of docs/cli.md, generated from the flag definitions.
std::function<int()> add_docs_command(CLI::App& app);

}  // namespace doppel::cli
