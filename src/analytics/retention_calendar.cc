#include "analytics/retention_calendar.h"

#include <cstdio>

namespace rapport::internal {
namespace {

constexpr int64_t kTableDays = 8192;

}  // namespace

int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

CivilDay CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return CivilDay{yoe + era * 400 + (month <= 2), month, day};
}

int64_t DaysFromCivil(int64_t year, int month, int day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t yoe = year - era * 400;
  const int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int64_t PeriodOfDay(int64_t days, CohortPeriod period) {
  if (period == CohortPeriod::kWeek) return FloorDiv(days + 3, 7);
  const CivilDay c = CivilFromDays(days);
  if (period == CohortPeriod::kQuarter) return c.year * 4 + (c.month - 1) / 3;
  return c.year * 12 + (c.month - 1);
}

int64_t PeriodStartDay(int64_t index, CohortPeriod period) {
  switch (period) {
    case CohortPeriod::kWeek: return index * 7 - 3;
    case CohortPeriod::kQuarter: return DaysFromCivil(FloorDiv(index, 4), static_cast<int>(index - FloorDiv(index, 4) * 4) * 3 + 1, 1);
    case CohortPeriod::kMonth: break;
  }
  return DaysFromCivil(FloorDiv(index, 12), static_cast<int>(index - FloorDiv(index, 12) * 12) + 1, 1);
}

std::string PeriodLabel(int64_t index, CohortPeriod period) {
  char buffer[48];
  if (period == CohortPeriod::kWeek) {
    // An ISO week belongs to the year of its Thursday and is numbered from that year's first Thursday.
    const int64_t thursday = index * 7;
    const int64_t year = CivilFromDays(thursday).year;
    const int64_t week = (thursday - DaysFromCivil(year, 1, 1)) / 7 + 1;
    std::snprintf(buffer, sizeof buffer, "%04lld-W%02lld", static_cast<long long>(year), static_cast<long long>(week));
  } else if (period == CohortPeriod::kQuarter) {
    const int64_t year = FloorDiv(index, 4);
    std::snprintf(buffer, sizeof buffer, "%04lld-Q%lld", static_cast<long long>(year),
                  static_cast<long long>(index - year * 4 + 1));
  } else {
    const int64_t year = FloorDiv(index, 12);
    std::snprintf(buffer, sizeof buffer, "%04lld-%02lld", static_cast<long long>(year),
                  static_cast<long long>(index - year * 12 + 1));
  }
  return buffer;
}

PeriodCalendar::PeriodCalendar(CohortPeriod period, int64_t last_day)
    : period_(period), first_day_(last_day - kTableDays + 1), base_(PeriodOfDay(first_day_, period)) {
  table_.resize(kTableDays);
  for (int64_t d = 0; d < kTableDays; ++d) table_[d] = static_cast<int32_t>(PeriodOfDay(first_day_ + d, period) - base_);
}

}  // namespace rapport::internal
