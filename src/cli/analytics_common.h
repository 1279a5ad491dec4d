// What the analytics commands (rfm, cohorts, funnel, stage-funnel) share: option parsing (times,
// durations, lists, order scope), number formatting for tables and CSV, reading frames from CSV files.
#ifndef RAPPORT_CLI_ANALYTICS_COMMON_H_
#define RAPPORT_CLI_ANALYTICS_COMMON_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cli/args.h"
#include "model/analytics_json.h"
#include "rapport/database.h"
#include "rapport/frame.h"
#include "rapport/funnel.h"

namespace rapport::cli {

// Parses time option `name` (RFC 3339 or YYYY-MM-DD, UTC) when given. Returns a usage-error
// message on failure; leaves `*out` unchanged when the option is absent.
std::optional<std::string> TimeOption(const ParsedArgs& args, std::string_view name, std::optional<int64_t>* out);
std::optional<std::string> TimeOption(const ParsedArgs& args, std::string_view name, std::optional<absl::Time>* out);

// A duration such as "90s", "15m", "12h", "30d", "2w" in microseconds (> 0); nullopt when malformed.
std::optional<int64_t> ParseDuration(std::string_view text);
// Parses duration option `name` when given (usage-error message on failure).
std::optional<std::string> DurationOption(const ParsedArgs& args, std::string_view name, int64_t* out);
// "1h", "30d", "90s", "2d 3h": a duration in microseconds as text for tables and headers.
std::string DurationText(int64_t micros);
// Seconds as a short human duration ("45s", "12m 5s", "2h 0m", "3d 4h"); "-" for NaN.
std::string SecondsText(double seconds);

// The comma-separated values of option `name` (repeatable; each occurrence may hold a list), with
// empty items removed.
std::vector<std::string> ListOption(const ParsedArgs& args, std::string_view name);

// The orders that count: --currency C and --status S (repeatable).
FrameOptions OrderScope(const ParsedArgs& args);

// Fails with the error of loading orders or customers; when the orders use several currencies and
// no --currency was given, a second line says how to choose one.
int FailLoad(const absl::Status& status, const ParsedArgs& args);

// Exactly one output form: table (default), --csv or --json; a usage-error message when both are given.
std::optional<std::string> CheckOutputForm(const ParsedArgs& args);

// Numbers for tables: fixed decimals, "-" for NaN; percentages "66.7%".
std::string Fixed(double value, int decimals);
std::string Percent(double share);
// Numbers for CSV: the shortest text that reads back as the same double; "" for NaN.
std::string CsvNumber(double value);

// Reads a CSV file with a header row; `columns` names the columns wanted (matched exactly, any
// position; others are ignored). `on_row` gets the cells of those columns in the order asked and the
// line number; an error it returns stops the reading (prefixed with the file and line).
absl::Status ReadCsvColumns(const std::string& path, const std::vector<std::string>& columns,
                            const std::function<absl::Status(const std::vector<std::string>&)>& on_row);

// A cell of an id column: a decimal integer; an error naming the column otherwise.
absl::StatusOr<int64_t> IdCell(std::string_view column, std::string_view text);
// A cell of a time column: RFC 3339, a date, or integer microseconds since the epoch; empty: kNullTime.
absl::StatusOr<int64_t> TimeCell(std::string_view column, std::string_view text);

using internal::DurationJson;  // the JSON forms shared with the C ABI (model/analytics_json.h)

}  // namespace rapport::cli

#endif  // RAPPORT_CLI_ANALYTICS_COMMON_H_
