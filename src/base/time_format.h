// Text forms of instants and dates.
#ifndef RAPPORT_BASE_TIME_FORMAT_H_
#define RAPPORT_BASE_TIME_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace rapport::internal {

inline int64_t ToMicros(absl::Time t) { return absl::ToUnixMicros(t); }
inline absl::Time FromMicros(int64_t us) { return absl::FromUnixMicros(us); }

// "2025-01-31T08:00:00.000001Z" (RFC 3339, UTC; fractional digits only when non-zero).
std::string FormatTimestamp(absl::Time t);
// RFC 3339 with offset or "Z", or a date alone (midnight UTC). Errors name `field`.
absl::StatusOr<absl::Time> ParseTimestamp(std::string_view field, std::string_view text);
// "YYYY-MM-DD", a real calendar date. Errors name `field`.
absl::StatusOr<absl::CivilDay> ParseDate(std::string_view field, std::string_view text);
std::string FormatDate(absl::CivilDay day);

}  // namespace rapport::internal

#endif  // RAPPORT_BASE_TIME_FORMAT_H_
