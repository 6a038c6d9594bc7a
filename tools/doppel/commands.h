// Each subcommand lives in its own cmd_*.cc and registers its flags on the CLI11 app; the
// returned function runs it after parsing and gives the exit code (docs/cli.md).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace doppel::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 2;  // bad usage, unreadable input, failed write, --on-error=fail

std::function<int()> add_dedup_command(CLI::App& app);
std::function<int()> add_reuse_command(CLI::App& app);
std::function<int()> add_report_command(CLI::App& app);

}  // namespace doppel::cli
