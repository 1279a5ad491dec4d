#include "base/time_format.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/strings.h"

namespace rapport::internal {

std::string FormatTimestamp(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

absl::StatusOr<absl::Time> ParseTimestamp(std::string_view field, std::string_view text) {
  absl::Time t;
  std::string err;
  std::string s(text);
  if (absl::ParseTime(absl::RFC3339_full, s, &t, &err)) return t;
  if (s.size() == 10) {
    auto day = ParseDate(field, s);
    if (day.ok()) return absl::FromCivil(*day, absl::UTCTimeZone());
  }
  return absl::InvalidArgumentError(
      StrCat(field, ": \"", text, "\" is not a time (expected RFC 3339, e.g. 2025-01-31T08:00:00Z)"));
}

absl::StatusOr<absl::CivilDay> ParseDate(std::string_view field, std::string_view text) {
  int y = 0, m = 0, d = 0;
  char tail = 0;
  std::string s(text);
  if (s.size() == 10 && std::sscanf(s.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && s[4] == '-' &&
      s[7] == '-') {
    absl::CivilDay day(y, m, d);
    if (day.year() == y && day.month() == m && day.day() == d) return day;
  }
  return absl::InvalidArgumentError(
      StrCat(field, ": \"", text, "\" is not a date (expected YYYY-MM-DD)"));
}

std::string FormatDate(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

}  // namespace rapport::internal
