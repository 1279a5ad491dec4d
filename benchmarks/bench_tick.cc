// The automation engine's tick (Database::Tick) over a large database with 20 rules.
//
// Size: RAPPORT_BENCH_CUSTOMERS customers (default 1,000,000), imported once into a temporary file
// database (region, birthday, two tags, an enum custom field), with about 4 orders each written by
// SQL (as bench_frames does), and 20 rules: 7 event rules (created, updated, field changed, order
// created, stage changed, segment entered / left), 7 time rules (N days after last_order_at,
// first_order_at and created_at; the birthday at 09:00) and 6 schedules with conditions. A first tick
// outside the timing fires what fell due since the rules were saved.
//   BM_Tick_NothingDue      a tick one second after the last: no event, no occurrence due
//   BM_Tick_OneDay          a tick one day after the last (crossing midnight and 09:00): about 1% of
//                           the customers have an occurrence due; counter `fired`
//   BM_Tick_Events/N        N customer updates (outside the timing), then a tick one second later:
//                           the work follows the events, not the database size
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include "bench_util.h"
#include "db/core.h"
#include "rapport/rapport.hpp"
#include "store/sqlite.h"

namespace rapport::bench {
namespace {

constexpr int64_t kDefaultCustomers = 1'000'000;
constexpr char kRegions[][8] = {"华东", "华南", "华北", "西南"};
constexpr char kTiers[][8] = {"gold", "silver", "bronze"};

int64_t Customers() {
  static const int64_t n = EnvInt("RAPPORT_BENCH_CUSTOMERS", kDefaultCustomers);
  return n;
}

absl::Time Day(int y, int m, int d, int h = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, h, 0, 0), absl::UTCTimeZone());
}

constexpr const char* kRules[] = {
    // Events.
    R"j({"name": "e-welcome", "trigger": {"type": "event", "event": "customer_created"},
        "actions": [{"type": "notify", "channel": "email", "body": "Welcome {{name}}"}]})j",
    R"j({"name": "e-touched", "trigger": {"type": "event", "event": "customer_updated"}, "condition": "region = '华东'",
        "actions": [{"type": "add_tag", "tag": "touched"}]})j",
    R"j({"name": "e-moved", "trigger": {"type": "event", "event": "field_changed", "field": "region", "to": "华南"},
        "actions": [{"type": "add_tag", "tag": "moved-south"},
                    {"type": "create_task", "title": "Welcome {{name}} to the south", "due_in_hours": 48, "remind_in_hours": 20}]})j",
    R"j({"name": "e-thanks", "trigger": {"type": "event", "event": "order_created"}, "limit_days": 30,
        "actions": [{"type": "notify", "channel": "sms", "body": "Thanks {{name}}"}]})j",
    R"j({"name": "e-stage", "trigger": {"type": "event", "event": "stage_changed", "to": "active"},
        "actions": [{"type": "add_tag", "tag": "activated"}]})j",
    R"j({"name": "e-whale-in", "trigger": {"type": "event", "event": "segment_entered", "segment": "whales"},
        "actions": [{"type": "add_tag", "tag": "whale"}]})j",
    R"j({"name": "e-whale-out", "trigger": {"type": "event", "event": "segment_left", "segment": "whales"},
        "actions": [{"type": "remove_tag", "tag": "whale"}]})j",
    // Time relative to a field, and annual.
    R"j({"name": "t-lapsed-365", "trigger": {"type": "relative", "field": "last_order_at", "days": 365},
        "actions": [{"type": "add_tag", "tag": "lapsed"}]})j",
    R"j({"name": "t-winback-90", "trigger": {"type": "relative", "field": "last_order_at", "days": 90},
        "condition": "frequency >= 3", "actions": [{"type": "notify", "channel": "email", "body": "We miss you {{name}}"}]})j",
    R"j({"name": "t-half-year", "trigger": {"type": "relative", "field": "last_order_at", "days": 180},
        "actions": [{"type": "add_tag", "tag": "half-year"}]})j",
    R"j({"name": "t-north-540", "trigger": {"type": "relative", "field": "last_order_at", "days": 540},
        "condition": "region = '华北'", "actions": [{"type": "add_tag", "tag": "north-lost"}]})j",
    R"j({"name": "t-first-30", "trigger": {"type": "relative", "field": "first_order_at", "days": 30},
        "actions": [{"type": "add_tag", "tag": "first-month"}]})j",
    R"j({"name": "t-onboard-40bh", "trigger": {"type": "relative", "field": "created_at", "business_hours": 40,
        "calendar": "office"}, "actions": [{"type": "add_tag", "tag": "onboarded"}]})j",
    R"j({"name": "t-birthday", "trigger": {"type": "annual", "field": "birthday", "at": "09:00"},
        "actions": [{"type": "notify", "channel": "sms", "body": "Happy birthday {{name}}"}]})j",
    // Schedules.
    R"j({"name": "s-daily", "trigger": {"type": "schedule", "every": "daily", "at": "09:00"},
        "condition": "has_tag('t7') and has_tag('t3') and tier = 'gold' and frequency >= 4",
        "actions": [{"type": "add_tag", "tag": "daily-pick"}]})j",
    R"j({"name": "s-evening", "trigger": {"type": "schedule", "every": "daily", "at": "18:00"},
        "condition": "has_tag('t1') and has_tag('t2') and region = '西南' and monetary >= 1800",
        "actions": [{"type": "notify", "channel": "wechat", "body": "Evening offer"}]})j",
    R"j({"name": "s-weekly", "trigger": {"type": "schedule", "every": "weekly", "weekday": "monday", "at": "08:00"},
        "condition": "has_tag('t5') and has_tag('t6') and tier = 'silver'", "actions": [{"type": "add_tag", "tag": "weekly"}]})j",
    R"j({"name": "s-monthly", "trigger": {"type": "schedule", "every": "monthly", "day": 1, "at": "07:00"},
        "condition": "has_tag('t8') and has_tag('t9')", "actions": [{"type": "add_tag", "tag": "monthly"}]})j",
    R"j({"name": "s-month-end", "trigger": {"type": "schedule", "every": "monthly", "day": 31, "at": "20:00"},
        "condition": "has_tag('t10') and has_tag('t11') and region = '华东'",
        "actions": [{"type": "notify", "channel": "email", "body": "Statement"}]})j",
    R"j({"name": "s-vip-weekly", "trigger": {"type": "schedule", "every": "weekly", "weekday": "friday", "at": "16:00"},
        "condition": "monetary >= 14000 and has_tag('t12')", "actions": [{"type": "add_tag", "tag": "vip-friday"}]})j",
};

struct Shared {
  std::string path;
  std::shared_ptr<ManualClock> clock;
  Database db;
  absl::Time now;  // the last tick's
};

Shared& Db() {
  static Shared* shared = [] {
    const std::string path = TempDbPath("tick");
    auto clock = std::make_shared<ManualClock>(Day(2025, 1, 1));
    Options o;
    o.clock = clock;
    auto db = Database::Open(path, o);
    if (!db.ok()) std::abort();
    CustomFieldDef tier{.name = "tier", .type = FieldType::kEnum, .options = {"gold", "silver", "bronze"}};
    if (!db->DefineCustomField(tier).ok()) std::abort();
    SplitMix64 rng(20261123);
    std::string csv = "name,region,birthday,tags,tier\n";
    char birthday[16];
    for (int64_t i = 0; i < Customers(); ++i) {
      std::snprintf(birthday, sizeof birthday, "%04d-%02d-%02d", 1950 + static_cast<int>(rng.Next() % 55),
                    1 + static_cast<int>(rng.Next() % 12), 1 + static_cast<int>(rng.Next() % 28));
      csv += "Customer " + std::to_string(i) + "," + kRegions[rng.Next() % 4] + "," + birthday + ",t" +
             std::to_string(rng.Next() % 20) + ";t" + std::to_string(rng.Next() % 20) + "," + kTiers[rng.Next() % 3] + "\n";
    }
    ImportOptions options;
    options.mapping = {{"name", "name"}, {"region", "region"}, {"birthday", "birthday"}, {"tags", "tags"}, {"tier", "tier"}};
    auto report = db->ImportCsv(csv, options);
    if (!report.ok() || report->created != Customers()) std::abort();
    auto status = db->core().Write([](internal::Connection& conn) {
      return conn.Exec(
          "INSERT INTO orders (customer_id, amount_minor, currency, ordered_at, status, created_at) "
          "SELECT c.id, 100 + (c.id * 7919 + k.v * 104729) % 500000, 'CNY', "
          "1640995200000000 + ((c.id * 31 + k.v * 977) % 1000) * 86400000000, 'completed', 0 "
          "FROM customers c, (SELECT 1 AS v UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) k "
          "WHERE (c.id + k.v) % 5 != 0");
    });
    if (!status.ok()) std::abort();
    if (!db->SaveSegment({.name = "whales", .expression = "monetary >= 12000 and region = '西南' and has_tag('t1')"}).ok()) std::abort();
    auto office = BusinessCalendarDefFromJson(R"j({"time_zone": "Asia/Shanghai",
        "hours": {"mon": [["09:00", "12:00"], ["13:00", "18:00"]], "tue": [["09:00", "12:00"], ["13:00", "18:00"]],
                  "wed": [["09:00", "12:00"], ["13:00", "18:00"]], "thu": [["09:00", "12:00"], ["13:00", "18:00"]],
                  "fri": [["09:00", "12:00"], ["13:00", "18:00"]]},
        "holidays": [["2025-01-28", "2025-02-04"]], "working_days": ["2025-01-26", "2025-02-08"]})j");
    if (!office.ok() || !db->SaveCalendar("office", *office).ok()) std::abort();
    for (const char* json : kRules) {
      auto def = RuleDef::FromJson(json);
      if (!def.ok() || !db->SaveRule(*def).ok()) {
        std::fprintf(stderr, "rule: %s\n", def.ok() ? "save failed" : std::string(def.status().message()).c_str());
        std::abort();
      }
    }
    // The first tick fires what fell due since the rules were saved (outside the timing).
    const absl::Time first = Day(2025, 3, 3, 10);
    clock->Set(first);
    auto tick = db->Tick(first);
    if (!tick.ok()) std::abort();
    std::fprintf(stderr, "setup: first tick fired %lld\n", static_cast<long long>(tick->fired));
    return new Shared{path, clock, *std::move(db), first};
  }();
  return *shared;
}

TickReport TickAt(Shared& s, absl::Time now) {
  s.clock->Set(now);
  auto r = s.db.Tick(now);
  if (!r.ok()) {
    std::fprintf(stderr, "tick: %s\n", std::string(r.status().message()).c_str());
    std::abort();
  }
  s.now = now;
  return *r;
}

void BM_Tick_NothingDue(benchmark::State& state) {
  Shared& s = Db();
  // Settle the effects of earlier ticks (rules reacting to other rules' effects) and warm the frame.
  for (int i = 0; i < 3; ++i) TickAt(s, s.now + absl::Seconds(1));
  int64_t fired = 0;
  for (auto _ : state) fired += TickAt(s, s.now + absl::Seconds(1)).fired;
  state.counters["customers"] = static_cast<double>(Customers());
  state.counters["fired"] = benchmark::Counter(static_cast<double>(fired), benchmark::Counter::kAvgIterations);
}

void BM_Tick_OneDay(benchmark::State& state) {
  Shared& s = Db();
  int64_t fired = 0, notifications = 0;
  for (auto _ : state) {
    TickReport r = TickAt(s, s.now + absl::Hours(24));
    fired += r.fired;
    notifications += r.notifications;
    state.PauseTiming();
    TickAt(s, s.now + absl::Seconds(1));  // the events this tick's effects made, outside the timing
    state.ResumeTiming();
  }
  state.counters["fired"] = benchmark::Counter(static_cast<double>(fired), benchmark::Counter::kAvgIterations);
  state.counters["notifications"] =
      benchmark::Counter(static_cast<double>(notifications), benchmark::Counter::kAvgIterations);
  state.counters["fired_share"] = benchmark::Counter(static_cast<double>(fired) / static_cast<double>(Customers()),
                                                     benchmark::Counter::kAvgIterations);
}

void BM_Tick_Events(benchmark::State& state) {
  Shared& s = Db();
  const int64_t n = state.range(0);
  SplitMix64 rng(99);
  int64_t fired = 0, events = 0;
  TickAt(s, s.now + absl::Seconds(1));
  for (auto _ : state) {
    state.PauseTiming();
    {
      auto tx = s.db.Begin();
      if (!tx.ok()) std::abort();
      for (int64_t k = 0; k < n; ++k) {
        CustomerId c{1 + static_cast<int64_t>(rng.Next() % Customers())};
        (void)s.db.UpdateCustomer(c, CustomerPatch().Set("region", kRegions[rng.Next() % 4]));
      }
      if (!tx->Commit().ok()) std::abort();
    }
    state.ResumeTiming();
    TickReport r = TickAt(s, s.now + absl::Seconds(1));
    fired += r.fired;
    events += r.events;
    state.PauseTiming();
    TickAt(s, s.now + absl::Seconds(1));
    state.ResumeTiming();
  }
  state.counters["events"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kAvgIterations);
  state.counters["fired"] = benchmark::Counter(static_cast<double>(fired), benchmark::Counter::kAvgIterations);
}

BENCHMARK(BM_Tick_NothingDue)->Unit(benchmark::kMillisecond)->Iterations(10);
BENCHMARK(BM_Tick_OneDay)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_Tick_Events)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace rapport::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  rapport::bench::RemoveDb(rapport::bench::Db().path);
  return 0;
}
