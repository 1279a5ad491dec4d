// `rapport`: the command-line face of the Rapport CRM core. A thin layer: every command parses its
// arguments, calls rapport::Database and formats the result.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/command.h"
#include "rapport/database.h"

namespace rapport::cli {
namespace {

void PrintMainHelp(std::FILE* out) {
  std::fprintf(out,
               "Usage: rapport COMMAND [ARGS...]\n"
               "\n"
               "Rapport %s: an embeddable CRM core. Commands work on one database file\n(stage-funnel reads a CSV file).\n"
               "\n"
               "Commands:\n",
               std::string(Version()).c_str());
  for (const Command& c : AllCommands()) std::fprintf(out, "  %-12s %s\n", c.name.c_str(), c.summary.c_str());
  std::fprintf(out,
               "\n"
               "Options:\n"
               "  -h, --help     show this help (or 'rapport COMMAND --help' for a command)\n"
               "  --version      show the version\n"
               "\n"
               "Exit status: 0 on success, 1 on errors, 2 on usage errors.\n");
}

bool IsHelp(const std::string& arg) { return arg == "--help" || arg == "-h"; }

int Run(const std::vector<std::string>& argv) {
  if (argv.empty()) {
    PrintMainHelp(stderr);
    return kExitUsage;
  }
  const std::string& first = argv[0];
  if (IsHelp(first)) {
    PrintMainHelp(stdout);
    return kExitOk;
  }
  if (first == "--version") {
    std::printf("rapport %s\n", std::string(Version()).c_str());
    return kExitOk;
  }
  if (first == "help") {
    if (argv.size() == 1) {
      PrintMainHelp(stdout);
      return kExitOk;
    }
    for (const Command& c : AllCommands()) {
      if (c.name == argv[1]) {
        std::fputs(c.help.c_str(), stdout);
        return kExitOk;
      }
    }
    return UsageError("", "unknown command '" + argv[1] + "'");
  }
  const Command* command = nullptr;
  for (const Command& c : AllCommands()) {
    if (c.name == first) command = &c;
  }
  if (command == nullptr) {
    std::fprintf(stderr, "rapport: unknown command '%s'\nTry 'rapport --help' for the list of commands.\n",
                 first.c_str());
    return kExitUsage;
  }
  std::vector<std::string> rest(argv.begin() + 1, argv.end());
  for (const std::string& arg : rest) {
    if (arg == "--") break;
    if (IsHelp(arg)) {
      std::fputs(command->help.c_str(), stdout);
      return kExitOk;
    }
  }
  ParsedArgs args;
  if (auto error = ParseArgs(rest, command->options, &args)) return UsageError(command->name, *error);
  const size_t n = args.positionals.size();
  if (n < command->min_positionals) return UsageError(command->name, "missing arguments");
  if (n > command->max_positionals) {
    return UsageError(command->name, "unexpected argument '" + args.positionals[command->max_positionals] + "'");
  }
  return command->run(args);
}

}  // namespace
}  // namespace rapport::cli

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return rapport::cli::Run(args);
}
