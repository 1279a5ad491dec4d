// When time triggers and schedules fall due: the latest occurrence at or before an instant.
#ifndef RAPPORT_RULES_OCCURRENCE_H_
#define RAPPORT_RULES_OCCURRENCE_H_

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "rapport/rule.h"

namespace rapport::internal {

// A local time of day on a civil day in `zone`. A time a DST change skips or repeats resolves as
// absl::FromCivil does (a skipped time is the transition instant, e.g. 02:30 on a spring-forward night
// at 02:00 is 03:00 in the new offset; a repeated one is the earlier instant).
absl::Time LocalInstant(absl::CivilDay day, int hour, int minute, absl::TimeZone zone);

// The last scheduled instant at or before `now` (daily, weekly on the weekday, monthly on the day —
// the last day of a shorter month when the day is past its end).
absl::Time LatestScheduled(const RuleTrigger& trigger, absl::TimeZone zone, absl::Time now);

// The last yearly instant at or before `now` on `month`/`day` at the trigger's time in `zone`
// (29 February is the 28th in other years).
absl::Time LatestAnnual(int month, int day, int hour, int minute, absl::TimeZone zone, absl::Time now);

}  // namespace rapport::internal

#endif  // RAPPORT_RULES_OCCURRENCE_H_
