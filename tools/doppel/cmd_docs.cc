// `doppel docs-cli` (hidden): the flag tables of docs/cli.md, generated from the flag
// definitions, so that the page cannot drift from --help (tests/e2e/cli_test.cc compares them;
// `make docs` rewrites the page).
#include <cstdio>
#include <string>

#include "cli_common.h"
#include "commands.h"

namespace doppel::cli {

std::function<int()> add_docs_command(CLI::App& app) {
  add_subcommand(app, "docs-cli", "", "");  // no description: hidden from --help
  return [] {
    std::string md;
    for (const Command c : kAllCommands) {
      md +=
          fmt::format("<!-- flags:{} -->\n{}<!-- /flags -->\n", command_name(c), flags_markdown(c));
    }
    std::fputs(md.c_str(), stdout);
    return kExitOk;
  };
}

}  // namespace doppel::cli
