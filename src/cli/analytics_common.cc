#include "cli/analytics_common.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "base/time_format.h"
#include "cli/command.h"
#include "model/csv_reader.h"

namespace rapport::cli {

std::optional<std::string> TimeOption(const ParsedArgs& args, std::string_view name, std::optional<int64_t>* out) {
  std::optional<std::string> text = args.Get(name);
  if (!text) return std::nullopt;
  const std::string flag = "--" + std::string(name);
  auto t = internal::ParseTimestamp(flag, *text);
  if (!t.ok()) return std::string(t.status().message()) + " (use RFC 3339, e.g. 2025-01-31T08:00:00Z, or a date)";
  *out = absl::ToUnixMicros(*t);
  return std::nullopt;
}

std::optional<std::string> TimeOption(const ParsedArgs& args, std::string_view name, std::optional<absl::Time>* out) {
  std::optional<int64_t> micros;
  if (auto e = TimeOption(args, name, &micros)) return e;
  if (micros) *out = absl::FromUnixMicros(*micros);
  return std::nullopt;
}

std::optional<int64_t> ParseDuration(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  int64_t unit = 0;
  switch (text.back()) {
    case 's': unit = 1'000'000; break;
    case 'm': unit = 60'000'000; break;
    case 'h': unit = 3'600'000'000; break;
    case 'd': unit = kMicrosPerDay; break;
    case 'w': unit = 7 * kMicrosPerDay; break;
    default: return std::nullopt;
  }
  text.remove_suffix(1);
  int64_t n = 0;
  if (!ParseInt64(text, &n) || n <= 0) return std::nullopt;
  int64_t micros = 0;
  if (__builtin_mul_overflow(n, unit, &micros)) return std::nullopt;
  return micros;
}

std::optional<std::string> DurationOption(const ParsedArgs& args, std::string_view name, int64_t* out) {
  std::optional<std::string> text = args.Get(name);
  if (!text) return std::nullopt;
  std::optional<int64_t> micros = ParseDuration(*text);
  if (!micros) {
    return "option '--" + std::string(name) + "': '" + *text +
           "' is not a duration (a positive whole number and a unit: s, m, h, d or w, e.g. 30d)";
  }
  *out = *micros;
  return std::nullopt;
}

std::string DurationText(int64_t micros) {
  struct Unit {
    int64_t micros;
    const char* name;
  };
  static constexpr Unit kUnits[] = {{kMicrosPerDay, "d"}, {3'600'000'000, "h"}, {60'000'000, "m"}, {1'000'000, "s"}};
  for (const Unit& u : kUnits) {
    if (micros > 0 && micros % u.micros == 0) return std::to_string(micros / u.micros) + u.name;
  }
  return std::to_string(micros) + "us";
}

std::string SecondsText(double seconds) {
  if (std::isnan(seconds)) return "-";
  const int64_t s = static_cast<int64_t>(std::llround(seconds));
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return absl::StrCat(s / 60, "m ", s % 60, "s");
  if (s < 86400) return absl::StrCat(s / 3600, "h ", (s % 3600) / 60, "m");
  return absl::StrCat(s / 86400, "d ", (s % 86400) / 3600, "h");
}

std::vector<std::string> ListOption(const ParsedArgs& args, std::string_view name) {
  std::vector<std::string> out;
  for (const std::string& value : args.GetAll(name)) {
    size_t start = 0;
    while (start <= value.size()) {
      size_t comma = value.find(',', start);
      if (comma == std::string::npos) comma = value.size();
      std::string item = value.substr(start, comma - start);
      if (!item.empty()) out.push_back(std::move(item));
      start = comma + 1;
    }
  }
  return out;
}

FrameOptions OrderScope(const ParsedArgs& args) {
  FrameOptions options;
  if (auto c = args.Get("currency")) options.currency = *c;
  if (args.Has("status")) options.order_statuses = args.GetAll("status");
  return options;
}

int FailLoad(const absl::Status& status, const ParsedArgs& args) {
  const int code = Fail(status);
  if (absl::IsFailedPrecondition(status) && !args.Has("currency")) {
    std::fprintf(stderr, "Choose the currency of the orders that count with --currency C.\n");
  }
  return code;
}

std::optional<std::string> CheckOutputForm(const ParsedArgs& args) {
  if (args.Has("json") && args.Has("csv")) return "give at most one of --json and --csv";
  return std::nullopt;
}

std::string Fixed(double value, int decimals) {
  if (std::isnan(value)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::string Percent(double share) {
  if (std::isnan(share)) return "-";
  return Fixed(share * 100, 1) + "%";
}

std::string CsvNumber(double value) {
  if (std::isnan(value)) return "";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return ec == std::errc() ? std::string(buf, end) : std::string();
}

absl::Status ReadCsvColumns(const std::string& path, const std::vector<std::string>& columns,
                            const std::function<absl::Status(const std::vector<std::string>&)>& on_row) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open the file"));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  internal::CsvReader reader(text, ',');
  std::vector<std::string> fields;
  auto first = reader.Next(fields);
  if (!first.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", first.status().message()));
  if (!*first) return absl::InvalidArgumentError(absl::StrCat(path, ": empty file (a header row is needed)"));
  std::vector<size_t> index;
  for (const std::string& want : columns) {
    size_t found = fields.size();
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i] == want) found = i;
    }
    if (found == fields.size()) {
      std::string expected;
      for (const std::string& c : columns) expected += (expected.empty() ? "" : ",") + c;
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": no column \"", want, "\" in the header (expected ", expected, ")"));
    }
    index.push_back(found);
  }
  std::vector<std::string> cells(columns.size());
  while (true) {
    auto more = reader.Next(fields);
    if (!more.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", more.status().message()));
    if (!*more) break;
    if (fields.size() == 1 && fields[0].empty()) continue;  // a blank line
    for (size_t k = 0; k < index.size(); ++k) cells[k] = index[k] < fields.size() ? fields[index[k]] : std::string();
    absl::Status st = on_row(cells);
    if (!st.ok()) return absl::Status(st.code(), absl::StrCat(path, ": line ", reader.line(), ": ", st.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> IdCell(std::string_view column, std::string_view text) {
  int64_t id = 0;
  if (!ParseInt64(text, &id)) return absl::InvalidArgumentError(std::string(column) + ": '" + std::string(text) + "' is not an integer id");
  return id;
}

absl::StatusOr<int64_t> TimeCell(std::string_view column, std::string_view text) {
  if (text.empty()) return kNullTime;
  int64_t micros = 0;
  if (ParseInt64(text, &micros)) return micros;
  auto t = internal::ParseTimestamp(column, text);
  if (!t.ok()) return t.status();
  return absl::ToUnixMicros(*t);
}

}  // namespace rapport::cli
