// Business calendars: arithmetic against hand-worked cases (DST in two zones, China's 2026 golden
// week) and against a slow minute-stepping oracle; definition errors.
#include "rapport/business_calendar.h"

#include <random>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace rapport {
namespace {

using ::testing::HasSubstr;

absl::TimeZone Zone(const std::string& name) {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone(name, &tz)) << name;
  return tz;
}

// A local wall-clock time in `zone`; for a repeated time, the first occurrence.
absl::Time Local(const std::string& zone, int y, int mo, int d, int h, int mi = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), Zone(zone));
}

absl::Time Utc(int y, int mo, int d, int h, int mi = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), absl::UTCTimeZone());
}

BusinessCalendar MustParse(const std::string& json) {
  auto cal = BusinessCalendar::FromJson(json);
  EXPECT_TRUE(cal.ok()) << cal.status();
  return *cal;
}

std::string Weekdays(const std::string& zone, const std::string& ranges, const std::string& extra = "") {
  return "{\"time_zone\":\"" + zone + "\",\"hours\":{\"mon\":" + ranges + ",\"tue\":" + ranges + ",\"wed\":" + ranges +
         ",\"thu\":" + ranges + ",\"fri\":" + ranges + "}" + extra + "}";
}

// China, 2026, as the State Council's notice of 2025-11-04 sets it (国办发明电〔2025〕7号): holidays
// and the adjusted working weekend days, on a 09:00-12:00 + 13:00-18:00 working day.
const char* kChina2026 = R"({
  "time_zone": "Asia/Shanghai",
  "hours": {"mon": [["09:00", "12:00"], ["13:00", "18:00"]], "tue": [["09:00", "12:00"], ["13:00", "18:00"]],
            "wed": [["09:00", "12:00"], ["13:00", "18:00"]], "thu": [["09:00", "12:00"], ["13:00", "18:00"]],
            "fri": [["09:00", "12:00"], ["13:00", "18:00"]]},
  "holidays": [["2026-01-01", "2026-01-03"], ["2026-02-15", "2026-02-23"], ["2026-04-04", "2026-04-06"],
               ["2026-05-01", "2026-05-05"], ["2026-06-19", "2026-06-21"], ["2026-09-25", "2026-09-27"],
               ["2026-10-01", "2026-10-07"]],
  "working_days": ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
})";

// The oracle: whether the minute starting at `t` is working time, read straight from the definition
// (no code shared with the calendar but the time zone library).
bool OracleWorking(const BusinessCalendarDef& def, const absl::TimeZone& tz, absl::Time t) {
  const absl::CivilSecond cs = tz.At(t).cs;
  const absl::CivilDay day(cs);
  const int second = static_cast<int>(cs - absl::CivilSecond(day));
  for (const DateRange& h : def.holidays) {
    if (h.first <= day && day <= h.last) return false;
  }
  const std::vector<WorkingRange>* ranges = &def.hours[static_cast<int>(absl::GetWeekday(day))];
  for (const ExtraWorkingDay& x : def.working_days) {
    if (x.date != day) continue;
    if (!x.hours.empty()) {
      ranges = &x.hours;
    } else if (x.as) {
      ranges = &def.hours[static_cast<int>(*x.as)];
    } else {
      int w = 0;
      while (def.hours[w].empty()) ++w;
      ranges = &def.hours[w];
    }
  }
  for (const WorkingRange& r : *ranges) {
    if (r.start <= second && second < r.end) return true;
  }
  return false;
}

// Working minutes in [a, b) (a, b on whole minutes; ranges on whole minutes).
absl::Duration OracleBetween(const BusinessCalendar& cal, absl::Time a, absl::Time b) {
  const absl::TimeZone tz = Zone(cal.def().time_zone);
  absl::Duration total;
  for (absl::Time t = a; t < b; t += absl::Minutes(1)) {
    if (OracleWorking(cal.def(), tz, t)) total += absl::Minutes(1);
  }
  return total;
}

absl::Time OracleAdd(const BusinessCalendar& cal, absl::Time start, absl::Duration d) {
  const absl::TimeZone tz = Zone(cal.def().time_zone);
  absl::Time t = start;
  while (d > absl::ZeroDuration()) {
    if (OracleWorking(cal.def(), tz, t)) d -= absl::Minutes(1);
    t += absl::Minutes(1);
  }
  return t;
}

TEST(BusinessCalendarTest, SplitDayAcrossLunchAndWeekend) {
  BusinessCalendar cal = MustParse(Weekdays("Asia/Shanghai", R"([["09:00","12:00"],["13:00","18:00"]])"));
  const std::string z = "Asia/Shanghai";
  EXPECT_EQ(cal.WeeklyWorkingTime(), absl::Hours(40));
  // 2026-03-02 is a Monday.
  EXPECT_EQ(*cal.AddBusinessTime(Local(z, 2026, 3, 2, 9), absl::Hours(8)), Local(z, 2026, 3, 2, 18));
  EXPECT_EQ(*cal.AddBusinessTime(Local(z, 2026, 3, 2, 11, 30), absl::Hours(1)), Local(z, 2026, 3, 2, 13, 30));
  // Friday 17:00 + 2h: one hour Friday, one Monday.
  EXPECT_EQ(*cal.AddBusinessTime(Local(z, 2026, 3, 6, 17), absl::Hours(2)), Local(z, 2026, 3, 9, 10));
  // A whole week ends Friday 18:00, not Monday 09:00; zero is the start itself, even off hours.
  EXPECT_EQ(*cal.AddBusinessTime(Local(z, 2026, 3, 2, 9), absl::Hours(40)), Local(z, 2026, 3, 6, 18));
  EXPECT_EQ(*cal.AddBusinessTime(Local(z, 2026, 3, 7, 3), absl::ZeroDuration()), Local(z, 2026, 3, 7, 3));
  // From a Saturday: the hours start Monday 09:00.
  EXPECT_EQ(*cal.AddBusinessTime(Local(z, 2026, 3, 7, 10), absl::Minutes(1)), Local(z, 2026, 3, 9, 9, 1));
  EXPECT_EQ(*cal.BusinessTimeBetween(Local(z, 2026, 3, 2, 11), Local(z, 2026, 3, 2, 14)), absl::Hours(2));
  EXPECT_EQ(*cal.BusinessTimeBetween(Local(z, 2026, 3, 2, 14), Local(z, 2026, 3, 2, 11)), -absl::Hours(2));
  EXPECT_EQ(*cal.BusinessTimeBetween(Local(z, 2026, 3, 6, 17), Local(z, 2026, 3, 9, 10)), absl::Hours(2));
  EXPECT_EQ(*cal.NextWorkingInstant(Local(z, 2026, 3, 7, 10)), Local(z, 2026, 3, 9, 9));
  EXPECT_EQ(*cal.NextWorkingInstant(Local(z, 2026, 3, 2, 12, 15)), Local(z, 2026, 3, 2, 13));
  EXPECT_EQ(*cal.NextWorkingInstant(Local(z, 2026, 3, 2, 10, 15)), Local(z, 2026, 3, 2, 10, 15));
  EXPECT_TRUE(cal.IsWorking(Local(z, 2026, 3, 2, 9)));
  EXPECT_FALSE(cal.IsWorking(Local(z, 2026, 3, 2, 12)));
  EXPECT_FALSE(cal.IsWorking(Local(z, 2026, 3, 2, 18)));
  EXPECT_FALSE(cal.IsWorking(Local(z, 2026, 3, 7, 10)));
  // Shanghai has no DST: 09:00 there is always 01:00 UTC.
  EXPECT_EQ(*cal.NextWorkingInstant(Utc(2026, 7, 4, 12)), Utc(2026, 7, 6, 1));
}

TEST(BusinessCalendarTest, ChinaGoldenWeek2026WithAdjustedWorkingWeekends) {
  BusinessCalendar cal = MustParse(kChina2026);
  const std::string z = "Asia/Shanghai";
  // Wednesday 30 Sep 14:00 + 8h: 4h that day, then 1-7 Oct off, then 4h on Thursday 8 Oct.
  EXPECT_EQ(*cal.AddBusinessTime(Local(z, 2026, 9, 30, 14), absl::Hours(8)), Local(z, 2026, 10, 8, 14));
  // Sunday 20 Sep and Saturday 10 Oct are worked with a regular day's hours; Sunday 11 Oct is not.
  EXPECT_TRUE(cal.IsWorking(Local(z, 2026, 9, 20, 10)));
  EXPECT_FALSE(cal.IsWorking(Local(z, 2026, 9, 20, 12, 30)));
  EXPECT_TRUE(cal.IsWorking(Local(z, 2026, 10, 10, 17)));
  EXPECT_FALSE(cal.IsWorking(Local(z, 2026, 10, 11, 10)));
  EXPECT_FALSE(cal.IsWorking(Local(z, 2026, 9, 25, 10)));  // Mid-Autumn, a Friday
  EXPECT_EQ(*cal.NextWorkingInstant(Local(z, 2026, 9, 19, 10)), Local(z, 2026, 9, 20, 9));
  EXPECT_EQ(*cal.NextWorkingInstant(Local(z, 2026, 10, 1, 10)), Local(z, 2026, 10, 8, 9));
  // Fri 18 Sep 09:00 to Mon 12 Oct 09:00: 18, 20, 21-24, 28-30 Sep; 8, 9, 10 Oct — twelve days.
  EXPECT_EQ(*cal.BusinessTimeBetween(Local(z, 2026, 9, 18, 9), Local(z, 2026, 10, 12, 9)), absl::Hours(96));
  // The year: 248 working days (261 weekdays, 19 of them holidays, 6 weekend days worked).
  EXPECT_EQ(*cal.BusinessTimeBetween(Local(z, 2026, 1, 1, 0), Local(z, 2027, 1, 1, 0)), absl::Hours(8 * 248));
}

TEST(BusinessCalendarTest, NewYorkDstOnlyCountsWhenTheChangeFallsInsideTheRange) {
  const std::string z = "America/New_York";
  // Sundays 01:00-05:00 hold the changes (02:00 on 8 Mar and 1 Nov 2026); weekdays 09:00-17:00 do not.
  BusinessCalendar cal = MustParse(R"({"time_zone":"America/New_York",
      "hours":{"mon":[["09:00","17:00"]],"tue":[["09:00","17:00"]],"wed":[["09:00","17:00"]],
               "thu":[["09:00","17:00"]],"fri":[["09:00","17:00"]],"sun":[["01:00","05:00"]]}})");
  EXPECT_EQ(*cal.BusinessTimeBetween(Local(z, 2026, 3, 8, 0), Local(z, 2026, 3, 9, 0)), absl::Hours(3));
  EXPECT_EQ(*cal.BusinessTimeBetween(Local(z, 2026, 11, 1, 0), Local(z, 2026, 11, 2, 0)), absl::Hours(5));
  EXPECT_EQ(*cal.BusinessTimeBetween(Local(z, 2026, 3, 15, 0), Local(z, 2026, 3, 16, 0)), absl::Hours(4));
  // Monday after the spring change: 8 hours, 09:00 EDT = 13:00 UTC (the Friday before: 14:00 UTC).
  EXPECT_EQ(*cal.BusinessTimeBetween(Local(z, 2026, 3, 9, 0), Local(z, 2026, 3, 10, 0)), absl::Hours(8));
  EXPECT_EQ(*cal.NextWorkingInstant(Utc(2026, 3, 6, 23)), Utc(2026, 3, 8, 6));   // Sun 01:00 EST
  EXPECT_EQ(*cal.NextWorkingInstant(Utc(2026, 3, 8, 10)), Utc(2026, 3, 9, 13));  // Mon 09:00 EDT
  // Sunday 8 Mar 01:00 EST + 2h: 01:00-02:00 EST, then 03:00-04:00 EDT (02:xx does not exist).
  EXPECT_EQ(*cal.AddBusinessTime(Utc(2026, 3, 8, 6), absl::Hours(2)), Utc(2026, 3, 8, 8));
  // Sunday 1 Nov: 01:00-02:00 is worked twice; 1h after 01:00 EDT is the second 01:00 (EST).
  EXPECT_EQ(*cal.AddBusinessTime(Utc(2026, 11, 1, 5), absl::Hours(1)), Utc(2026, 11, 1, 6));
  EXPECT_TRUE(cal.IsWorking(Utc(2026, 11, 1, 6, 30)));  // 01:30 EST, the second time round
  EXPECT_EQ(*cal.AddBusinessTime(Utc(2026, 11, 1, 5), absl::Hours(5)), Utc(2026, 11, 1, 10));  // 05:00 EST
  // Friday 16:00 EST + 2h over the spring weekend (4 Sunday hours shrunk to 3): Sunday's 3h count.
  EXPECT_EQ(*cal.AddBusinessTime(Local(z, 2026, 3, 6, 16), absl::Hours(2)), Utc(2026, 3, 8, 7));
  EXPECT_EQ(*cal.AddBusinessTime(Local(z, 2026, 3, 6, 16), absl::Hours(5)), Utc(2026, 3, 9, 14));
}

TEST(BusinessCalendarTest, BerlinDstDaysAre23And25HoursLong) {
  const std::string z = "Europe/Berlin";
  BusinessCalendar cal = MustParse(R"({"time_zone":"Europe/Berlin",
      "hours":{"mon":[["09:00","17:00"]],"tue":[["09:00","17:00"]],"wed":[["09:00","17:00"]],
               "thu":[["09:00","17:00"]],"fri":[["09:00","17:00"]],"sun":[["00:00","24:00"]]}})");
  // 29 Mar 2026 02:00 -> 03:00; 25 Oct 2026 03:00 -> 02:00.
  EXPECT_EQ(*cal.BusinessTimeBetween(Local(z, 2026, 3, 29, 0), Local(z, 2026, 3, 30, 0)), absl::Hours(23));
  EXPECT_EQ(*cal.BusinessTimeBetween(Local(z, 2026, 10, 25, 0), Local(z, 2026, 10, 26, 0)), absl::Hours(25));
  // Spring week Mon 23 Mar - Mon 30 Mar: 5 x 8 + 23; autumn week: 5 x 8 + 25.
  EXPECT_EQ(*cal.BusinessTimeBetween(Local(z, 2026, 3, 23, 0), Local(z, 2026, 3, 30, 0)), absl::Hours(63));
  EXPECT_EQ(*cal.BusinessTimeBetween(Local(z, 2026, 10, 19, 0), Local(z, 2026, 10, 26, 0)), absl::Hours(65));
  // Friday 16:00 CET + 25h: 1h Friday, then all of Sunday's 23h, then Monday 09:00-10:00 CEST.
  EXPECT_EQ(*cal.AddBusinessTime(Local(z, 2026, 3, 27, 16), absl::Hours(25)), Utc(2026, 3, 30, 8));
  EXPECT_EQ(*cal.AddBusinessTime(Local(z, 2026, 3, 27, 16), absl::Hours(24)), Utc(2026, 3, 29, 22));
  // A 09:00-17:00 weekday in a DST week is still 8 hours: a quarter across the spring change.
  BusinessCalendar weekdays = MustParse(Weekdays(z, R"([["09:00","17:00"]])"));
  EXPECT_EQ(*weekdays.BusinessTimeBetween(Local(z, 2026, 3, 2, 0), Local(z, 2026, 6, 1, 0)), absl::Hours(8 * 65));
  EXPECT_EQ(*weekdays.AddBusinessTime(Local(z, 2026, 3, 27, 16), absl::Hours(2)), Utc(2026, 3, 30, 8));
}

TEST(BusinessCalendarTest, ExtraWorkingDayHoursDefaultAsOrExplicit) {
  const std::string z = "UTC";
  BusinessCalendar cal = MustParse(R"({"time_zone":"UTC",
      "hours":{"mon":[["10:00","18:00"]],"tue":[["09:00","17:00"]],"fri":[["09:00","12:00"]]},
      "working_days":["2026-03-07", {"date":"2026-03-08","as":"fri"},
                      {"date":"2026-03-14","hours":[["13:00","14:00"],["08:00","09:30"]]}]})");
  // Default: Monday's hours (the first weekday with hours).
  EXPECT_EQ(*cal.BusinessTimeBetween(Utc(2026, 3, 7, 0), Utc(2026, 3, 8, 0)), absl::Hours(8));
  EXPECT_TRUE(cal.IsWorking(Utc(2026, 3, 7, 17)));
  EXPECT_FALSE(cal.IsWorking(Utc(2026, 3, 7, 9)));
  EXPECT_EQ(*cal.BusinessTimeBetween(Utc(2026, 3, 8, 0), Utc(2026, 3, 9, 0)), absl::Hours(3));
  EXPECT_EQ(*cal.BusinessTimeBetween(Utc(2026, 3, 14, 0), Utc(2026, 3, 15, 0)), absl::Minutes(150));
  EXPECT_EQ(*cal.NextWorkingInstant(Utc(2026, 3, 14, 0)), Utc(2026, 3, 14, 8));
  // The canonical form sorts the explicit ranges.
  EXPECT_THAT(cal.ToJson(), HasSubstr(R"({"date":"2026-03-14","hours":[["08:00","09:30"],["13:00","14:00"]]})"));
}

TEST(BusinessCalendarTest, JsonRoundTrip) {
  BusinessCalendar cal = MustParse(kChina2026);
  auto again = BusinessCalendar::FromJson(cal.ToJson());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->def(), cal.def());
  EXPECT_EQ(again->ToJson(), cal.ToJson());
  EXPECT_THAT(cal.ToJson(), HasSubstr(R"("holidays":[["2026-01-01","2026-01-03"],)"));
  EXPECT_THAT(cal.ToJson(), HasSubstr(R"("mon":[["09:00","12:00"],["13:00","18:00"]])"));
  BusinessCalendar seconds = MustParse(R"({"time_zone":"UTC","hours":{"sat":[["09:30:15","24:00"]]}})");
  EXPECT_THAT(seconds.ToJson(), HasSubstr(R"("sat":[["09:30:15","24:00"]])"));
}

// Random spans over 2026 in zones with and without DST, with holidays and extra days, against the
// oracle: the week skipping must give what walking minute by minute gives.
class OracleTest : public ::testing::TestWithParam<const char*> {};

TEST_P(OracleTest, MatchesMinuteSteppingOracle) {
  const std::string zone = GetParam();
  BusinessCalendar cal = MustParse(R"({"time_zone":")" + zone + R"(",
      "hours":{"mon":[["08:30","12:00"],["13:00","17:30"]],"tue":[["09:00","17:00"]],"wed":[["00:00","03:30"]],
               "thu":[["09:00","17:00"]],"fri":[["09:00","15:00"]],"sun":[["01:30","02:30"],["22:00","24:00"]]},
      "holidays":["2026-01-01",["2026-04-03","2026-04-06"],"2026-05-01",["2026-12-24","2026-12-26"]],
      "working_days":["2026-04-11",{"date":"2026-10-24","hours":[["00:00","04:00"]]}]})");
  std::mt19937_64 rng(20260101);
  const absl::Time base = Utc(2026, 1, 1, 0);
  for (int i = 0; i < 40; ++i) {
    const absl::Time a = base + absl::Minutes(static_cast<int64_t>(rng() % (360 * 24 * 60)));
    const absl::Time b = a + absl::Minutes(static_cast<int64_t>(rng() % (10 * 7 * 24 * 60)));
    const absl::Duration expected = OracleBetween(cal, a, b);
    ASSERT_EQ(*cal.BusinessTimeBetween(a, b), expected) << zone << " " << a << " " << b;
    const absl::Duration d = absl::Minutes(1 + static_cast<int64_t>(rng() % (300 * 60)));
    ASSERT_EQ(*cal.AddBusinessTime(a, d), OracleAdd(cal, a, d)) << zone << " " << a << " + " << d;
    ASSERT_EQ(cal.IsWorking(a), OracleWorking(cal.def(), Zone(zone), a)) << zone << " " << a;
  }
}

INSTANTIATE_TEST_SUITE_P(Zones, OracleTest,
                         ::testing::Values("America/New_York", "Europe/Berlin", "Asia/Shanghai", "Australia/Sydney"));

TEST(BusinessCalendarTest, LongSpansSkipWeeksAndAgreeWithShortSteps) {
  BusinessCalendar cal = MustParse(kChina2026);
  const absl::Time a = Local("Asia/Shanghai", 2026, 1, 5, 10);
  // A year of working time added in one call equals it added a day's worth at a time.
  absl::Time stepped = a;
  for (int i = 0; i < 200; ++i) stepped = *cal.AddBusinessTime(stepped, absl::Hours(8));
  EXPECT_EQ(*cal.AddBusinessTime(a, absl::Hours(8 * 200)), stepped);
  EXPECT_EQ(*cal.BusinessTimeBetween(a, stepped), absl::Hours(1600));
  // Decades of business time: cheap, and consistent with Between.
  const absl::Time far = *cal.AddBusinessTime(a, absl::Hours(40 * 52 * 30));
  EXPECT_EQ(*cal.BusinessTimeBetween(a, far), absl::Hours(40 * 52 * 30));
}

TEST(BusinessCalendarTest, DefinitionErrors) {
  auto error = [](const std::string& json) {
    auto cal = BusinessCalendar::FromJson(json);
    EXPECT_EQ(cal.status().code(), absl::StatusCode::kInvalidArgument) << json;
    return std::string(cal.status().message());
  };
  EXPECT_EQ(error(R"({"time_zone":"Mars/Olympus","hours":{"mon":[["09:00","17:00"]]}})"),
            "time_zone: unknown time zone \"Mars/Olympus\"");
  EXPECT_EQ(error(R"({"hours":{"mon":[["09:00","17:00"]]}})"), "time_zone: required");
  EXPECT_EQ(error(R"({"time_zone":"UTC","hours":{}})"), "hours: a calendar needs working time in at least one weekday");
  EXPECT_EQ(error(R"({"time_zone":"UTC"})"), "hours: a calendar needs working time in at least one weekday");
  EXPECT_EQ(error(R"({"time_zone":"UTC","hours":{"mon":[["13:00","18:00"],["09:00","13:30"]]}})"),
            "hours.mon[1]: 09:00-13:30 overlaps hours.mon[0] (13:00-18:00)");
  EXPECT_EQ(error(R"({"time_zone":"UTC","hours":{"tue":[["12:00","09:00"]]}})"),
            "hours.tue[0]: ends (09:00) before it starts (12:00)");
  EXPECT_EQ(error(R"({"time_zone":"UTC","hours":{"tue":[["09:00","09:00"]]}})"), "hours.tue[0]: 09:00-09:00 is empty");
  EXPECT_EQ(error(R"({"time_zone":"UTC","hours":{"wed":[["09:00","25:00"]]}})"),
            "hours.wed[0][1]: \"25:00\" is not a time of day (\"HH:MM\" from \"00:00\" to \"24:00\")");
  EXPECT_EQ(error(R"({"time_zone":"UTC","hours":{"wed":[["24:30","24:00"]]}})"),
            "hours.wed[0][0]: \"24:30\" is not a time of day (\"HH:MM\" from \"00:00\" to \"24:00\")");
  EXPECT_EQ(error(R"({"time_zone":"UTC","hours":{"wed":[["9:00","17:00"]]}})"),
            "hours.wed[0][0]: \"9:00\" is not a time of day (\"HH:MM\" from \"00:00\" to \"24:00\")");
  EXPECT_EQ(error(R"({"time_zone":"UTC","hours":{"wed":[["09:00"]]}})"), "hours.wed[0]: expected [\"HH:MM\", \"HH:MM\"]");
  EXPECT_EQ(error(R"({"time_zone":"UTC","hours":{"funday":[["09:00","17:00"]]}})"),
            "hours.funday: unknown weekday (mon, tue, wed, thu, fri, sat, sun)");
  EXPECT_EQ(error(R"({"time_zone":"UTC","hours":{"mon":[["09:00","17:00"]]},"holiday":[]})"),
            "holiday: unknown member (time_zone, hours, holidays, working_days)");
  EXPECT_EQ(error(R"({"time_zone":"UTC","hours":{"mon":[["09:00","17:00"]]},"holidays":[["2026-10-07","2026-10-01"]]})"),
            "holidays[0]: ends (2026-10-01) before it starts (2026-10-07)");
  EXPECT_THAT(error(R"({"time_zone":"UTC","hours":{"mon":[["09:00","17:00"]]},"holidays":["2026-02-30"]})"),
              HasSubstr("holidays[0]"));
  EXPECT_EQ(error(R"({"time_zone":"UTC","hours":{"mon":[["09:00","17:00"]]},"holidays":["2026-10-01"],
                      "working_days":["2026-10-01"]})"),
            "working_days[0]: 2026-10-01 is a holiday (holidays[0])");
  // Holidays given out of order, overlapping and adjacent: the first one given that holds the day is named,
  // and days between the merged runs are working days.
  EXPECT_EQ(error(R"({"time_zone":"UTC","hours":{"mon":[["09:00","17:00"]]},
                      "holidays":[["2026-12-24","2026-12-26"],"2026-10-02",["2026-10-03","2026-10-07"],["2026-09-30","2026-10-05"]],
                      "working_days":["2026-10-08","2026-09-29","2026-10-04"]})"),
            "working_days[2]: 2026-10-04 is a holiday (holidays[2])");
  EXPECT_EQ(error(R"({"time_zone":"UTC","hours":{"mon":[["09:00","17:00"]]},
                      "holidays":[["2026-12-24","2026-12-26"],["2026-09-30","2026-10-05"],"2026-10-02"],
                      "working_days":["2026-10-08","2026-10-02"]})"),
            "working_days[1]: 2026-10-02 is a holiday (holidays[1])");
  EXPECT_EQ(error(R"({"time_zone":"UTC","hours":{"mon":[["09:00","17:00"]]},
                      "holidays":[["2026-12-24","2026-12-26"],["2026-09-30","2026-10-05"]],
                      "working_days":["2026-10-06","2026-09-29","2026-12-27","2026-12-26"]})"),
            "working_days[3]: 2026-12-26 is a holiday (holidays[0])");
  EXPECT_EQ(error(R"({"time_zone":"UTC","hours":{"mon":[["09:00","17:00"]]},"working_days":["2026-10-10","2026-10-10"]})"),
            "working_days[1]: 2026-10-10 is listed twice (working_days[0])");
  EXPECT_EQ(error(R"({"time_zone":"UTC","hours":{"mon":[["09:00","17:00"]]},"working_days":[{"date":"2026-10-10","as":"sun"}]})"),
            "working_days[0].as: sun has no working hours");
  EXPECT_EQ(error(R"({"time_zone":"UTC","hours":{"mon":[["09:00","17:00"]]},
                      "working_days":[{"date":"2026-10-10","as":"mon","hours":[["09:00","10:00"]]}]})"),
            "working_days[0]: give either \"as\" or \"hours\", not both");
  EXPECT_EQ(error(R"({"time_zone":"UTC","hours":{"mon":[["09:00","17:00"]]},"working_days":[{"as":"mon"}]})"),
            "working_days[0].date: required");
  EXPECT_EQ(error("{\"time_zone\":"), "calendar: not valid JSON");
  EXPECT_EQ(error("[]"), "calendar: expected a JSON object");

  // The C++ definition gets the same checks.
  BusinessCalendarDef def;
  def.time_zone = "Europe/Berlin";
  def.hours[0] = {{9 * 3600, 90000}};
  EXPECT_EQ(BusinessCalendar::Create(def).status().message(), "hours.mon[0]: times must be between 00:00 and 24:00");
  def.time_zone = "";
  EXPECT_EQ(BusinessCalendar::Create(def).status().message(), "time_zone: must not be empty");
}

TEST(BusinessCalendarTest, OperationErrors) {
  BusinessCalendar cal = MustParse(Weekdays("UTC", R"([["09:00","17:00"]])"));
  const absl::Time t = Utc(2026, 3, 2, 9);
  EXPECT_EQ(cal.AddBusinessTime(t, -absl::Seconds(1)).status().message(), "duration: must not be negative");
  EXPECT_EQ(cal.AddBusinessTime(t, absl::Hours(24 * 36526)).status().message(), "duration: longer than 100 years");
  EXPECT_EQ(cal.AddBusinessTime(t, absl::InfiniteDuration()).status().message(), "duration: longer than 100 years");
  EXPECT_EQ(cal.AddBusinessTime(absl::InfiniteFuture(), absl::Hours(1)).status().message(),
            "start: outside the years 1 to 9999");
  EXPECT_EQ(cal.BusinessTimeBetween(t, absl::InfinitePast()).status().message(), "b: outside the years 1 to 9999");
  EXPECT_EQ(cal.NextWorkingInstant(absl::InfiniteFuture()).status().message(), "t: outside the years 1 to 9999");
  EXPECT_FALSE(cal.IsWorking(absl::InfiniteFuture()));
  EXPECT_EQ(cal.AddBusinessTime(Utc(9999, 12, 1, 0), absl::Hours(24 * 365)).status().message(),
            "duration: the result would fall after 9999-12-31");
  // 100 years of 8-hour days reach far, but are allowed while they end before 9999.
  EXPECT_TRUE(cal.AddBusinessTime(t, absl::Hours(24 * 36525)).ok());
}

}  // namespace
}  // namespace rapport
