// rapport init DB
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "cli/command.h"

namespace rapport::cli {
namespace {

int RunInit(const ParsedArgs& args) {
  const std::string& path = args.positionals[0];
  std::error_code ec;
  const bool existed = std::filesystem::exists(path, ec);
  auto db = OpenDatabase(path, OpenOptions{.create = true});
  if (!db.ok()) return Fail(db.status());
  if (existed) {
    std::printf("%s is already a Rapport database (schema version %d); nothing to do\n", path.c_str(),
                db->schema_version());
  } else {
    std::printf("created %s (Rapport %s, schema version %d)\n", path.c_str(), std::string(Version()).c_str(),
                db->schema_version());
  }
  return kExitOk;
}

}  // namespace

const Command& InitCommand() {
  static const Command* command = new Command{
      .name = "init",
      .summary = "create a database file",
      .help = "Usage: rapport init DB\n"
              "\n"
              "Creates the Rapport database file DB. When DB already is a Rapport database it is left as it\n"
              "is (and upgraded to this version's schema if older); any other existing file is refused and\n"
              "left untouched.\n"
              "\n"
              "Example:\n"
              "  rapport init crm.db\n",
      .options = {},
      .min_positionals = 1,
      .max_positionals = 1,
      .run = RunInit,
  };
  return *command;
}

}  // namespace rapport::cli
