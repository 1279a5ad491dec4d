// The commands of the `rapport` tool and what they share: exit codes, error reporting, opening a
// database.
#ifndef RAPPORT_CLI_COMMAND_H_
#define RAPPORT_CLI_COMMAND_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cli/args.h"
#include "rapport/database.h"

namespace rapport::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

// A subcommand: its name, one-line summary, full help text, accepted options, positional argument
// count and the function that runs it (returning the exit code).
struct Command {
  std::string name;
  std::string summary;
  std::string help;  // printed by `rapport NAME --help`
  std::vector<OptionSpec> options;
  size_t min_positionals = 0;
  size_t max_positionals = 0;
  int (*run)(const ParsedArgs& args) = nullptr;
};

// The commands, in the order `rapport --help` lists them.
const std::vector<Command>& AllCommands();

const Command& InitCommand();
const Command& ImportCommand();
const Command& GetCommand();
const Command& SearchCommand();
const Command& ChangesCommand();
const Command& SegmentCommand();
const Command& RfmCommand();
const Command& CohortsCommand();
const Command& FunnelCommand();
const Command& StageFunnelCommand();
const Command& ClvCommand();
const Command& TickCommand();
const Command& RulesCommand();
const Command& OutboxCommand();
const Command& TasksCommand();
const Command& CalendarsCommand();
const Command& DemoCommand();

// Prints "rapport: <message>" to stderr and returns kExitError.
int Fail(std::string_view message);
// Prints "rapport: <status message>" to stderr and returns kExitError.
int Fail(const absl::Status& status);
// Prints "rapport: <message>" and a hint to `rapport <command> --help` to stderr; returns kExitUsage.
int UsageError(std::string_view command, std::string_view message);

struct OpenOptions {
  bool create = false;              // create the file when missing
  std::string region;               // default phone region; empty: the core's default
  std::shared_ptr<Clock> clock;     // empty: the system clock
};

// Opens the database at `path`. Without `create`, a missing file is an error rather than a new
// empty database. Error messages name the path.
absl::StatusOr<Database> OpenDatabase(const std::string& path, const OpenOptions& options = {});

// The message of a failed status, prefixed with what was being done.
std::string ErrorText(std::string_view what, const absl::Status& status);

// The usage-error message for positional arguments other than `expected` in number: "missing
// arguments" or "unexpected argument '<the first extra one>'".
std::string PositionalsError(const std::vector<std::string>& positionals, size_t expected);

// The whole content of the file at `path` (a definition given to `rules save`, `calendars save`);
// NotFound "cannot read <path>" when it cannot be opened.
absl::StatusOr<std::string> ReadTextFile(const std::string& path);

}  // namespace rapport::cli

#endif  // RAPPORT_CLI_COMMAND_H_
