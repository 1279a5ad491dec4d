// The compiled form of a business calendar: the tables the arithmetic reads.
#ifndef RAPPORT_RULES_BUSINESS_CALENDAR_INTERNAL_H_
#define RAPPORT_RULES_BUSINESS_CALENDAR_INTERNAL_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "rapport/business_calendar.h"

namespace rapport {

namespace internal {

constexpr int64_t kSecondsPerDay = 86400;

// Days since 1970-01-01 (negative before).
inline int64_t DayNumber(absl::CivilDay day) { return day - absl::CivilDay(1970, 1, 1); }
// Monday = 0 ... Sunday = 6, as absl::Weekday and BusinessCalendarDef::hours count.
inline int WeekdayIndex(int64_t day) {
  const int64_t w = (day + 3) % 7;  // 1970-01-01 was a Thursday
  return static_cast<int>(w < 0 ? w + 7 : w);
}

inline const int64_t kLastDay = DayNumber(absl::CivilDay(9999, 12, 31));

// "HH:MM", or "HH:MM:SS" when the seconds are not zero.
std::string FormatTimeOfDay(int32_t seconds);
// "mon" ... "sun".
const char* WeekdayName(int index);

}  // namespace internal

struct BusinessCalendar::Impl {
  struct Holiday {
    int64_t first;  // day numbers, both included
    int64_t last;
  };
  struct Extra {
    int64_t day;
    std::vector<WorkingRange> hours;  // sorted, touching ranges merged
  };

  BusinessCalendarDef def;  // canonical
  absl::TimeZone tz;
  std::array<std::vector<WorkingRange>, 7> week;  // sorted, touching ranges merged
  absl::Duration weekly;
  std::vector<Holiday> holidays;  // sorted, disjoint, not touching
  std::vector<Extra> extras;      // sorted by day
};

}  // namespace rapport

#endif  // RAPPORT_RULES_BUSINESS_CALENDAR_INTERNAL_H_
