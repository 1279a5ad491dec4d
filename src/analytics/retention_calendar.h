// UTC calendar periods (ISO weeks, months, quarters) numbered consecutively, for cohorts.
#ifndef RAPPORT_ANALYTICS_RETENTION_CALENDAR_H_
#define RAPPORT_ANALYTICS_RETENTION_CALENDAR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "rapport/retention.h"

namespace rapport::internal {

int64_t FloorDiv(int64_t a, int64_t b);

struct CivilDay {
  int64_t year;
  int month;  // 1..12
  int day;    // 1..31
};
// Days since 1970-01-01 <-> proleptic Gregorian dates (H. Hinnant's algorithms: no tables, no time zone
// library on the per-order path).
CivilDay CivilFromDays(int64_t days);
int64_t DaysFromCivil(int64_t year, int month, int day);

// Periods are numbered so that consecutive periods differ by one: week w starts on Monday, day
// 7w - 3 (1970-01-01 was a Thursday); month y*12 + m - 1; quarter y*4 + (m - 1) / 3.
int64_t PeriodOfDay(int64_t days, CohortPeriod period);
int64_t PeriodStartDay(int64_t index, CohortPeriod period);
// "2025-W03" (ISO week-year and week), "2025-01", "2025-Q1".
std::string PeriodLabel(int64_t index, CohortPeriod period);

// PeriodOf(at) for times (µs) through a table of the ~22 years of days before `last_day`, which is
// where nearly all orders fall, computing the others.
class PeriodCalendar {
 public:
  PeriodCalendar(CohortPeriod period, int64_t last_day);

  int64_t PeriodOf(int64_t at) const {
    const int64_t day = FloorDiv(at, kMicrosPerDay);
    const uint64_t offset = static_cast<uint64_t>(day - first_day_);
    if (offset < table_.size()) return base_ + table_[offset];
    return PeriodOfDay(day, period_);
  }

 private:
  CohortPeriod period_;
  int64_t first_day_;
  int64_t base_;
  std::vector<int32_t> table_;  // period - base_ per day from first_day_
};

}  // namespace rapport::internal

#endif  // RAPPORT_ANALYTICS_RETENTION_CALENDAR_H_
