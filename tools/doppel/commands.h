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
// Hidden: prints the flag tables of docs/cli.md, generated from the flag definitions.
std::function<int()> add_docs_command(CLI::App& app);

}  // namespace doppel::cli
