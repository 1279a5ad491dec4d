// When schedules and anniversaries fall due: local times, short months, leap days, DST.
#include "rules/occurrence.h"
#include "rules/rules_test_util.h"

namespace rapport {
namespace {

using internal::LatestAnnual;
using internal::LatestScheduled;
using testing::At;

absl::TimeZone Zone(const char* name) {
  absl::TimeZone z;
  EXPECT_TRUE(absl::LoadTimeZone(name, &z)) << name;
  return z;
}

RuleTrigger Daily(int hour, int minute = 0) {
  RuleTrigger t;
  t.kind = RuleTriggerKind::kSchedule;
  t.every = ScheduleEvery::kDaily;
  t.hour = hour;
  t.minute = minute;
  return t;
}

TEST(Occurrence, DailyAtNineFollowsNewYorkAcrossDaylightSaving) {
  const absl::TimeZone ny = Zone("America/New_York");
  // 2025-03-09 is the spring-forward day: 09:00 EST is 14:00 UTC before it, 09:00 EDT is 13:00 UTC after.
  EXPECT_EQ(LatestScheduled(Daily(9), ny, At(2025, 3, 8, 23)), At(2025, 3, 8, 14));
  EXPECT_EQ(LatestScheduled(Daily(9), ny, At(2025, 3, 9, 13)), At(2025, 3, 9, 13));
  EXPECT_EQ(LatestScheduled(Daily(9), ny, At(2025, 3, 9, 12, 59)), At(2025, 3, 8, 14));
  // 02:30 does not exist that day: it resolves to the transition, 03:00 EDT (07:00 UTC).
  EXPECT_EQ(LatestScheduled(Daily(2, 30), ny, At(2025, 3, 9, 12)), At(2025, 3, 9, 7));
  // Fall back (2025-11-02): 01:30 happens twice; the earlier instant (EDT, 05:30 UTC) counts.
  EXPECT_EQ(LatestScheduled(Daily(1, 30), ny, At(2025, 11, 2, 12)), At(2025, 11, 2, 5, 30));
}

TEST(Occurrence, MonthlyOnThe31stIsTheLastDayOfShortMonths) {
  RuleTrigger t = Daily(18);
  t.every = ScheduleEvery::kMonthly;
  t.day_of_month = 31;
  const absl::TimeZone utc = absl::UTCTimeZone();
  EXPECT_EQ(LatestScheduled(t, utc, At(2025, 3, 15)), At(2025, 2, 28, 18));
  EXPECT_EQ(LatestScheduled(t, utc, At(2024, 3, 15)), At(2024, 2, 29, 18));
  EXPECT_EQ(LatestScheduled(t, utc, At(2025, 5, 15)), At(2025, 4, 30, 18));
  EXPECT_EQ(LatestScheduled(t, utc, At(2025, 1, 31, 18)), At(2025, 1, 31, 18));
}

TEST(Occurrence, WeeklyOnTheWeekdayInTheZone) {
  RuleTrigger t = Daily(8);
  t.every = ScheduleEvery::kWeekly;
  t.weekday = 1;  // Monday
  // Monday 08:00 in Shanghai is Monday 00:00 UTC; at Sunday 23:00 UTC (Monday 07:00 there) the last one
  // was the week before.
  EXPECT_EQ(LatestScheduled(t, Zone("Asia/Shanghai"), At(2025, 1, 5, 23)), At(2024, 12, 30));
  EXPECT_EQ(LatestScheduled(t, Zone("Asia/Shanghai"), At(2025, 1, 6)), At(2025, 1, 6));
}

TEST(Occurrence, AnniversariesAndLeapDays) {
  const absl::TimeZone sh = Zone("Asia/Shanghai");
  EXPECT_EQ(LatestAnnual(3, 4, 9, 0, sh, At(2025, 3, 4, 1)), At(2025, 3, 4, 1));
  EXPECT_EQ(LatestAnnual(3, 4, 9, 0, sh, At(2025, 3, 4, 0, 59)), At(2024, 3, 4, 1));
  EXPECT_EQ(LatestAnnual(2, 29, 9, 0, absl::UTCTimeZone(), At(2025, 6, 1)), At(2025, 2, 28, 9));
  EXPECT_EQ(LatestAnnual(2, 29, 9, 0, absl::UTCTimeZone(), At(2024, 6, 1)), At(2024, 2, 29, 9));
  // New Year's Eve at 23:00 in Shanghai is 15:00 UTC the same day.
  EXPECT_EQ(LatestAnnual(12, 31, 23, 0, sh, At(2026, 1, 1)), At(2025, 12, 31, 15));
}

}  // namespace
}  // namespace rapport
