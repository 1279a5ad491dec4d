// Hand-rolled command-line parsing for the `rapport` tool: options (`--name`, `--name value`,
// `--name=value`, repeatable ones) interleaved with positional arguments; `--` ends the options.
#ifndef RAPPORT_CLI_ARGS_H_
#define RAPPORT_CLI_ARGS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rapport::cli {

// One option a command accepts.
struct OptionSpec {
  std::string name;  // without the leading "--"
  bool takes_value = false;
  bool repeatable = false;
};

// The result of parsing: positional arguments in order and the values of the options given.
class ParsedArgs {
 public:
  bool Has(std::string_view name) const;
  // The value of a single-valued option, or nullopt when absent.
  std::optional<std::string> Get(std::string_view name) const;
  // All values of a repeatable option, in order (empty when absent).
  std::vector<std::string> GetAll(std::string_view name) const;

  std::vector<std::string> positionals;

 private:
  friend std::optional<std::string> ParseArgs(const std::vector<std::string>&, const std::vector<OptionSpec>&,
                                              ParsedArgs*);
  std::map<std::string, std::vector<std::string>, std::less<>> options_;
};

// Parses `args` (the words after the command name). Returns a usage-error message, or nullopt.
std::optional<std::string> ParseArgs(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs,
                                     ParsedArgs* out);

// Strict decimal integer parsing (the whole text, optional leading '-'); false when malformed or
// out of range.
bool ParseInt64(std::string_view text, int64_t* out);

// Parses the integer value of option `name` when present, within [min, max]. Returns a usage-error
// message on failure; leaves `*out` unchanged when the option is absent.
std::optional<std::string> GetIntOption(const ParsedArgs& args, std::string_view name, int64_t min, int64_t max,
                                        int64_t* out);

}  // namespace rapport::cli

#endif  // RAPPORT_CLI_ARGS_H_
