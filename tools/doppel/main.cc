// doppel: finds near-duplicate documents and reused passages in text collections.
#include <CLI/CLI.hpp>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <memory>
#include <string_view>

#include "cli_common.h"
#include "commands.h"
#include "dist/launch.h"
#if DOPPEL_FULL_BINARY
#include "dist/communicator.h"
#endif
#include "doppel_version.h"

namespace {

bool is_option_group(const CLI::App* a) { return dynamic_cast<const CLI::Option_group*>(a); }

// Whether `app` or one of its option groups takes the option `name` ("--seed-words").
bool takes_option(const CLI::App* app, const std::string& name) {
  for (const CLI::Option* o : app->get_options()) {
    if (o->check_name(name)) return true;
  }
  for (const CLI::App* group : app->get_subcommands(is_option_group)) {
    if (takes_option(group, name)) return true;
  }
  return false;
}

// The commands under `app` (named `path`) that take the option `name`, but `current`: "doppel
// reuse, doppel index add".
void commands_taking(const CLI::App* app, const std::string& path, const std::string& name,
                     const std::string& current, std::string& out) {
  for (const CLI::App* sub :
       app->get_subcommands([](const CLI::App* a) { return !is_option_group(a); })) {
    const std::string sub_path = path + " " + sub->get_name();
    if (sub_path != current && takes_option(sub, name)) {
      out += (out.empty() ? "" : ", ") + sub_path;
    }
    commands_taking(sub, sub_path, name, current, out);
  }
}

// The command named by `path` ("doppel index add"), or nullptr.
const CLI::App* command_app(const CLI::App* app, std::string_view path) {
  std::size_t at = path.find(' ');
  while (app != nullptr && at != std::string_view::npos) {
    const std::size_t end = path.find(' ', at + 1);
    const std::string_view name =
        path.substr(at + 1, end == std::string_view::npos ? end : end - at - 1);
    const CLI::App* found = nullptr;
    for (const CLI::App* sub :
         app->get_subcommands([](const CLI::App* a) { return !is_option_group(a); })) {
      if (sub->get_name() == name) found = sub;
    }
    app = found;
    at = end;
  }
  return app;
}

int run_main(int argc, char** argv, doppel::dist::Communicator* comm) {
  CLI::App app{"doppel finds near-duplicate documents and reused passages in text collections."};
  app.set_version_flag("--version", std::string("doppel ") + DOPPEL_VERSION);
  app.require_subcommand(1);
  app.footer("Run 'doppel COMMAND --help' for a command's options. Docs: docs/cli.md");
  const auto run_dedup = doppel::cli::add_dedup_command(app, comm);
  const auto run_reuse = doppel::cli::add_reuse_command(app, comm);
  const auto run_report = doppel::cli::add_report_command(app);
#if DOPPEL_FULL_BINARY
  const auto run_index = doppel::cli::add_index_command(app);
  const auto run_serve = doppel::cli::add_serve_command(app);
#else
  // Listed for --help; main() hands them to doppel-index before any parsing (commands.h), as
  // these would if they were ever reached.
  doppel::cli::add_subcommand(app, "index", doppel::cli::kIndexDescription, "").allow_extras();
  doppel::cli::add_subcommand(app, "serve", doppel::cli::kServeDescription, "").allow_extras();
  const auto run_index = [argv] { return doppel::cli::exec_index_binary(argv); };
  const auto run_serve = run_index;
#endif
  const auto run_docs = doppel::cli::add_docs_command(app);
  // A word that names no command (a typo, or an input given without one) gets a message that
  // says so, rather than CLI11's "A subcommand is required".
  const auto is_command = [&](std::string_view word) {
    for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
      if (sub->get_name() == word) return true;
    }
    return false;
  };
  // Under MPI every rank parses the same arguments: rank 0 alone says what is wrong with them (or
  // prints the help), the others leave with the same status.
#if DOPPEL_FULL_BINARY
  const bool speaks = comm == nullptr || comm->rank() == 0;
#else
  const bool speaks = true;
#endif
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> devnull(
      speaks ? nullptr : std::fopen("/dev/null", "w"), [](std::FILE* f) { return std::fclose(f); });
  std::FILE* const say = speaks || devnull == nullptr ? stderr : devnull.get();
  if (argc == 1) {
    std::fputs(
        "doppel: error: no command given (commands: dedup, reuse, report, index, serve; see doppel "
        "--help)\n",
        say);
    return doppel::cli::kExitError;
  }
  if (argv[1][0] != '-' && !is_command(argv[1])) {
    std::fprintf(say,
                 "doppel: error: unknown command '%s' (commands: dedup, reuse, report, index, "
                 "serve; see doppel --help)\n",
                 argv[1]);
    return doppel::cli::kExitError;
  }
  // The same for a command's own commands (doppel index add, ...); errors point to the help of
  // the command given, as deep as it was named.
  std::string help_hint = argv[1][0] != '-' ? fmt::format("doppel {}", argv[1]) : "doppel";
  if (argv[1][0] != '-' && argc > 2 && argv[2][0] != '-') {
    CLI::App* cmd = app.get_subcommand(argv[1]);
    std::string names;
    bool known = false;
    for (const CLI::App* sub : cmd->get_subcommands(
             [](CLI::App* a) { return dynamic_cast<const CLI::Option_group*>(a) == nullptr; })) {
      names += (names.empty() ? "" : ", ") + sub->get_name();
      known = known || sub->get_name() == argv[2];
    }
    if (!names.empty() && !known) {
      std::fprintf(say, "doppel: error: unknown %s command '%s' (commands: %s; see %s --help)\n",
                   argv[1], argv[2], names.c_str(), help_hint.c_str());
      return doppel::cli::kExitError;
    }
    if (known) help_hint += fmt::format(" {}", argv[2]);
  }
  const std::string command = help_hint;
  help_hint += " --help";
  app.failure_message([&app, argc, argv, help_hint, command](const CLI::App*, const CLI::Error& e) {
    // An option of another command ("report --seed-words"): say which commands take it. Options
    // this command takes are not named, whatever others take them too.
    std::string where;
    if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
      const CLI::App* current = command_app(&app, command);
      for (int i = 2; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (!arg.starts_with("--")) continue;
        const std::string name(arg.substr(0, arg.find('=')));
        if (current != nullptr && takes_option(current, name)) continue;
        std::string others;
        commands_taking(&app, "doppel", name, command, others);
        if (!others.empty()) {
          where += fmt::format("\n{} is an option of {}, not of {}", name, others, command);
        }
      }
    }
    return fmt::format("doppel: error: {}{}\nRun '{}' for the options.\n", e.what(), where,
                       help_hint);
  });
  // An empty argument is never a value doppel can use, and CLI11 would take `--output=` (an unset
  // variable in `--output=$OUT`) as an option still waiting for its value: the next argument, an
  // input file, would become the output and be overwritten. Both are refused before parsing.
  for (int i = 2; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.empty()) {
      std::fprintf(say,
                   "doppel: error: argument %d (after '%s') is empty: an unset shell variable? "
                   "Give a value or leave the option out\nRun '%s' for the options.\n",
                   i, argv[i - 1], help_hint.c_str());
      return doppel::cli::kExitError;
    }
    if (arg.size() > 3 && arg.starts_with("--") && arg.find('=') == arg.size() - 1) {
      std::fprintf(say,
                   "doppel: error: '%s' has an empty value: an unset shell variable? Give a value "
                   "or leave the option out\nRun '%s' for the options.\n",
                   argv[i], help_hint.c_str());
      return doppel::cli::kExitError;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::ostream nowhere(nullptr);  // discards what is written to it
    const int rc = speaks ? app.exit(e) : app.exit(e, nowhere, nowhere);
    return rc == 0 ? doppel::cli::kExitOk : doppel::cli::kExitError;
  }
  if (app.got_subcommand("dedup")) return run_dedup();
  if (app.got_subcommand("reuse")) return run_reuse();
#if DOPPEL_FULL_BINARY
  if (comm != nullptr) {
    // One process suffices for the rest; several would write the same files at once.
    if (comm->rank() == 0) {
      std::fputs(
          "doppel: error: only dedup and reuse run on the ranks of an MPI job; run this "
          "command without mpirun or srun\n",
          stderr);
    }
    return doppel::cli::kExitError;
  }
#endif
  if (app.got_subcommand("report")) return run_report();
  if (app.got_subcommand("index")) return run_index();
  if (app.got_subcommand("serve")) return run_serve();
  if (app.got_subcommand("docs-cli")) return run_docs();
  return doppel::cli::kExitError;
}

// What went to standard output through stdio (the listing, help): a write that failed there (a
// full disk) fails the run instead of being lost with exit status 0.
int finish_stdout(int rc) {
  errno = 0;
  const bool flushed = std::fflush(stdout) == 0;
  if (flushed && std::ferror(stdout) == 0) return rc;
  const int error = errno;
  // The reader of the listing went away (`doppel dedup ... | head`): the outputs were written
  // before the listing, and what it wanted it read.
  if (error == EPIPE) return rc;
  std::fprintf(stderr, "doppel: error: I/O error: standard output: write failed%s%s\n",
               error != 0 ? ": " : "", error != 0 ? std::strerror(error) : "");
  return rc == doppel::cli::kExitOk ? doppel::cli::kExitError : rc;
}

}  // namespace

int main(int argc, char** argv) {
  // A reader that goes away (`doppel ... | head`) makes a write fail with EPIPE, which the output
  // code reports and cleans up after like any failed write, instead of the signal killing the
  // process and leaving its temporary files behind.
  (void)std::signal(SIGPIPE, SIG_IGN);
#if !DOPPEL_FULL_BINARY
  // The index and serve commands, and every rank of an MPI job, run in doppel-index (commands.h):
  // it starts MPI, and says that the index commands do not run on the ranks of a job.
  if ((argc > 1 && doppel::cli::runs_in_index_binary(argv[1])) || doppel::dist::launched_by_mpi()) {
    return doppel::cli::exec_index_binary(argv);
  }
  doppel::dist::Communicator* const world = nullptr;
#else
  // Started by mpirun or srun: one rank of a distributed run (docs/scale-out.md). Otherwise MPI is
  // never initialized, and doppel needs no launcher.
  std::unique_ptr<doppel::dist::Session> mpi;
  if (doppel::dist::launched_by_mpi()) {
    auto started = doppel::dist::Session::start(&argc, &argv);
    if (!started.ok()) {
      std::fprintf(stderr, "doppel: error: %s\n", started.status().ToString().c_str());
      return doppel::cli::kExitError;
    }
    mpi = std::move(*started);
  }
  doppel::dist::Communicator* const world = mpi ? &mpi->world() : nullptr;
#endif
  // The library reports errors as values; what can still throw is allocation (std::bad_alloc)
  // and the standard library. Say so instead of aborting. (A rank of a distributed run that
  // throws here ends the job: MPI_Abort, so that the others do not wait for it.)
  try {
    return finish_stdout(run_main(argc, argv, world));
  } catch (const std::exception& e) {
#if DOPPEL_FULL_BINARY
    if (mpi) {
      std::fprintf(stderr, "doppel: error: rank %d on %s: %s\n", mpi->world().rank(),
                   mpi->world().host().c_str(), e.what());
      MPI_Abort(MPI_COMM_WORLD, doppel::cli::kExitError);
    }
#endif
    std::fprintf(stderr, "doppel: error: %s\n", e.what());
    return doppel::cli::kExitError;
  }
}
