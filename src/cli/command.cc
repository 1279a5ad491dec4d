#include "cli/command.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace rapport::cli {

const std::vector<Command>& AllCommands() {
  static const std::vector<Command>* commands = new std::vector<Command>{
      InitCommand(), ImportCommand(), GetCommand(), SearchCommand(), ChangesCommand(), SegmentCommand(),
      RfmCommand(),  CohortsCommand(), FunnelCommand(), StageFunnelCommand(), ClvCommand(), TickCommand(),
      RulesCommand(), OutboxCommand(), TasksCommand(), CalendarsCommand(), DemoCommand()};
  return *commands;
}

std::string PositionalsError(const std::vector<std::string>& positionals, size_t expected) {
  return positionals.size() < expected ? "missing arguments" : "unexpected argument '" + positionals[expected] + "'";
}

absl::StatusOr<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int Fail(std::string_view message) {
  std::fprintf(stderr, "rapport: %.*s\n", static_cast<int>(message.size()), message.data());
  return kExitError;
}

int Fail(const absl::Status& status) { return Fail(std::string(status.message())); }

int UsageError(std::string_view command, std::string_view message) {
  std::string hint = command.empty() ? "rapport --help" : "rapport " + std::string(command) + " --help";
  std::fprintf(stderr, "rapport: %.*s\nTry '%s' for more information.\n", static_cast<int>(message.size()),
               message.data(), hint.c_str());
  return kExitUsage;
}

std::string ErrorText(std::string_view what, const absl::Status& status) {
  std::string text(what);
  if (!text.empty()) text += ": ";
  text += std::string(status.message());
  return text;
}

absl::StatusOr<Database> OpenDatabase(const std::string& path, const OpenOptions& options) {
  Options db_options;
  db_options.create_if_missing = options.create;
  if (!options.region.empty()) db_options.default_region = options.region;
  if (options.clock) db_options.clock = options.clock;
  if (!options.create && path != ":memory:") {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      return absl::NotFoundError("no database at \"" + path + "\" (create one with 'rapport init')");
    }
  }
  auto db = Database::Open(path, std::move(db_options));
  if (!db.ok()) return absl::Status(db.status().code(), ErrorText(path, db.status()));
  return db;
}

}  // namespace rapport::cli
