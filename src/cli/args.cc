#include "cli/args.h"

#include <charconv>
#include <limits>

namespace rapport::cli {

bool ParsedArgs::Has(std::string_view name) const { return options_.find(name) != options_.end(); }

std::optional<std::string> ParsedArgs::Get(std::string_view name) const {
  auto it = options_.find(name);
  if (it == options_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> ParsedArgs::GetAll(std::string_view name) const {
  auto it = options_.find(name);
  return it == options_.end() ? std::vector<std::string>{} : it->second;
}

std::optional<std::string> ParseArgs(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs,
                                     ParsedArgs* out) {
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_done || arg.size() < 2 || arg[0] != '-' || (arg[1] != '-' && !(arg[1] >= 'a' && arg[1] <= 'z'))) {
      out->positionals.push_back(arg);  // includes "-" and negative numbers
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    if (arg[1] != '-') return "unknown option '" + arg + "'";
    std::string name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    const OptionSpec* spec = nullptr;
    for (const OptionSpec& s : specs) {
      if (s.name == name) spec = &s;
    }
    if (spec == nullptr) return "unknown option '--" + name + "'";
    std::string value;
    if (spec->takes_value) {
      if (inline_value) {
        value = *inline_value;
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return "option '--" + name + "' needs a value";
      }
    } else if (inline_value) {
      return "option '--" + name + "' takes no value";
    }
    auto& values = out->options_[name];
    if (!values.empty() && !spec->repeatable) return "option '--" + name + "' given more than once";
    values.push_back(std::move(value));
  }
  return std::nullopt;
}

bool ParseInt64(std::string_view text, int64_t* out) {
  if (text.empty()) return false;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) return false;
  *out = v;
  return true;
}

std::optional<std::string> GetIntOption(const ParsedArgs& args, std::string_view name, int64_t min, int64_t max,
                                        int64_t* out) {
  std::optional<std::string> text = args.Get(name);
  if (!text) return std::nullopt;
  int64_t v = 0;
  if (!ParseInt64(*text, &v) || v < min || v > max) {
    std::string range = max == std::numeric_limits<int64_t>::max()
                            ? "an integer >= " + std::to_string(min)
                            : "an integer from " + std::to_string(min) + " to " + std::to_string(max);
    return "option '--" + std::string(name) + "': '" + *text + "' is not " + range;
  }
  *out = v;
  return std::nullopt;
}

}  // namespace rapport::cli
