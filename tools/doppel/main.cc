// doppel: finds near-duplicate documents and reused passages in text collections.
#include <cstdio>
#include <exception>

#include "commands.h"
#include "doppel_version.h"

namespace {

int run_main(int argc, char** argv) {
  CLI::App app{"doppel finds near-duplicate documents and reused passages in text collections."};
  app.set_version_flag("--version", std::string("doppel ") + DOPPEL_VERSION);
  app.require_subcommand(1);
  app.footer("Run 'doppel COMMAND --help' for a command's options. Docs: docs/cli.md");
  const auto run_dedup = doppel::cli::add_dedup_command(app);
  const auto run_reuse = doppel::cli::add_reuse_command(app);
  const auto run_report = doppel::cli::add_report_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? doppel::cli::kExitOk : doppel::cli::kExitError;
  }
  if (app.got_subcommand("dedup")) return run_dedup();
  if (app.got_subcommand("reuse")) return run_reuse();
  if (app.got_subcommand("report")) return run_report();
  return doppel::cli::kExitError;
}

}  // namespace

int main(int argc, char** argv) {
  // The library reports errors as values; what can still throw is allocation (std::bad_alloc)
  // and the standard library. Say so instead of aborting.
  try {
    return run_main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "doppel: error: %s\n", e.what());
    return doppel::cli::kExitError;
  }
}
