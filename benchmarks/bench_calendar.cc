// Business-calendar arithmetic (issue 5): the goal is under 1 µs per operation for typical spans.
// Calendars: China 2026 (two ranges a day, holidays, adjusted working weekends; no DST) and New York
// (one range a day, DST). Start instants cycle through a year so that holiday and DST weeks are crossed
// in their share.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "rapport/business_calendar.h"

namespace {

const char* kChina2026 = R"({"time_zone": "Asia/Shanghai",
  "hours": {"mon": [["09:00", "12:00"], ["13:00", "18:00"]], "tue": [["09:00", "12:00"], ["13:00", "18:00"]],
            "wed": [["09:00", "12:00"], ["13:00", "18:00"]], "thu": [["09:00", "12:00"], ["13:00", "18:00"]],
            "fri": [["09:00", "12:00"], ["13:00", "18:00"]]},
  "holidays": [["2026-01-01", "2026-01-03"], ["2026-02-15", "2026-02-23"], ["2026-04-04", "2026-04-06"],
               ["2026-05-01", "2026-05-05"], ["2026-06-19", "2026-06-21"], ["2026-09-25", "2026-09-27"],
               ["2026-10-01", "2026-10-07"]],
  "working_days": ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]})";

const char* kNewYork = R"({"time_zone": "America/New_York",
  "hours": {"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]], "wed": [["09:00", "17:00"]],
            "thu": [["09:00", "17:00"]], "fri": [["09:00", "17:00"]]}})";

rapport::BusinessCalendar Calendar(int which) {
  return *rapport::BusinessCalendar::FromJson(which == 0 ? kChina2026 : kNewYork);
}

// 1,024 instants spread over 2026 at odd minutes (inside and outside working hours).
std::vector<absl::Time> Starts() {
  std::vector<absl::Time> out;
  const absl::Time base = absl::FromCivil(absl::CivilSecond(2026, 1, 1, 0, 0, 0), absl::UTCTimeZone());
  for (int i = 0; i < 1024; ++i) out.push_back(base + absl::Minutes(i * 503));
  return out;
}

void Add(benchmark::State& state, absl::Duration d) {
  const rapport::BusinessCalendar cal = Calendar(static_cast<int>(state.range(0)));
  const std::vector<absl::Time> starts = Starts();
  size_t i = 0;
  for (auto _ : state) {
    auto t = cal.AddBusinessTime(starts[i++ & 1023], d);
    benchmark::DoNotOptimize(t);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(state.range(0) == 0 ? "china-2026" : "new-york");
}

void BM_Calendar_Add8BusinessHours(benchmark::State& state) { Add(state, absl::Hours(8)); }
void BM_Calendar_Add30BusinessDays(benchmark::State& state) { Add(state, absl::Hours(8 * 30)); }

void BM_Calendar_BetweenQuarter(benchmark::State& state) {
  const rapport::BusinessCalendar cal = Calendar(static_cast<int>(state.range(0)));
  const std::vector<absl::Time> starts = Starts();
  size_t i = 0;
  for (auto _ : state) {
    const absl::Time a = starts[i++ & 1023];
    auto d = cal.BusinessTimeBetween(a, a + absl::Hours(24 * 91));
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(state.range(0) == 0 ? "china-2026" : "new-york");
}

void BM_Calendar_NextWorking(benchmark::State& state) {
  const rapport::BusinessCalendar cal = Calendar(static_cast<int>(state.range(0)));
  const std::vector<absl::Time> starts = Starts();
  size_t i = 0;
  for (auto _ : state) {
    auto t = cal.NextWorkingInstant(starts[i++ & 1023]);
    benchmark::DoNotOptimize(t);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(state.range(0) == 0 ? "china-2026" : "new-york");
}

void BM_Calendar_IsWorking(benchmark::State& state) {
  const rapport::BusinessCalendar cal = Calendar(static_cast<int>(state.range(0)));
  const std::vector<absl::Time> starts = Starts();
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(cal.IsWorking(starts[i++ & 1023]));
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(state.range(0) == 0 ? "china-2026" : "new-york");
}

// Ten years of business time: the cost follows the exceptions crossed, not the span.
void BM_Calendar_AddTenYears(benchmark::State& state) { Add(state, absl::Hours(40 * 52 * 10)); }

BENCHMARK(BM_Calendar_Add8BusinessHours)->Arg(0)->Arg(1);
BENCHMARK(BM_Calendar_Add30BusinessDays)->Arg(0)->Arg(1);
BENCHMARK(BM_Calendar_BetweenQuarter)->Arg(0)->Arg(1);
BENCHMARK(BM_Calendar_NextWorking)->Arg(0)->Arg(1);
BENCHMARK(BM_Calendar_IsWorking)->Arg(0)->Arg(1);
BENCHMARK(BM_Calendar_AddTenYears)->Arg(0)->Arg(1);

}  // namespace

BENCHMARK_MAIN();
