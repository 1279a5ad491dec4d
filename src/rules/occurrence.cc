#include "rules/occurrence.h"

#include <algorithm>

namespace rapport::internal {
namespace {

int DaysInMonth(absl::CivilMonth m) {
  return static_cast<int>(absl::CivilDay(m + 1) - absl::CivilDay(m));
}

absl::CivilDay ClampedDay(absl::CivilMonth m, int day) {
  return absl::CivilDay(m.year(), m.month(), std::min(day, DaysInMonth(m)));
}

// Monday = 1 ... Sunday = 7.
int IsoWeekday(absl::CivilDay d) {
  switch (absl::GetWeekday(d)) {
    case absl::Weekday::monday: return 1;
    case absl::Weekday::tuesday: return 2;
    case absl::Weekday::wednesday: return 3;
    case absl::Weekday::thursday: return 4;
    case absl::Weekday::friday: return 5;
    case absl::Weekday::saturday: return 6;
    case absl::Weekday::sunday: return 7;
  }
  return 1;
}

}  // namespace

absl::Time LocalInstant(absl::CivilDay day, int hour, int minute, absl::TimeZone zone) {
  return absl::FromCivil(absl::CivilSecond(day.year(), day.month(), day.day(), hour, minute, 0), zone);
}

absl::Time LatestScheduled(const RuleTrigger& t, absl::TimeZone zone, absl::Time now) {
  // A day after local "today" covers instants whose local day is ahead of the civil day of `now`.
  const absl::CivilDay today = absl::ToCivilDay(now, zone) + 1;
  switch (t.every) {
    case ScheduleEvery::kDaily:
      for (absl::CivilDay d = today;; --d) {
        absl::Time at = LocalInstant(d, t.hour, t.minute, zone);
        if (at <= now) return at;
      }
    case ScheduleEvery::kWeekly:
      for (absl::CivilDay d = today;; --d) {
        if (IsoWeekday(d) != t.weekday) continue;
        absl::Time at = LocalInstant(d, t.hour, t.minute, zone);
        if (at <= now) return at;
      }
    case ScheduleEvery::kMonthly:
      for (absl::CivilMonth m(today);; --m) {
        absl::Time at = LocalInstant(ClampedDay(m, t.day_of_month), t.hour, t.minute, zone);
        if (at <= now) return at;
      }
  }
  return now;
}

absl::Time LatestAnnual(int month, int day, int hour, int minute, absl::TimeZone zone, absl::Time now) {
  const absl::CivilYear year(absl::ToCivilDay(now, zone) + 1);
  for (absl::CivilYear y = year;; --y) {
    absl::Time at = LocalInstant(ClampedDay(absl::CivilMonth(y.year(), month), day), hour, minute, zone);
    if (at <= now) return at;
  }
}

}  // namespace rapport::internal
