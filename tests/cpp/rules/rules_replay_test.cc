// Replay equivalence: ticking once a day over a year gives the same end state as ticking more often,
// and a fresh database fed the same days gives exactly the same database.
#include <map>

#include "rapport/business_calendar.h"
#include "rules/rules_test_util.h"

namespace rapport {
namespace {

using testing::At;
using testing::MustRule;
using testing::Person;

constexpr absl::Duration kDay = absl::Hours(24);

struct EndState {
  // (rule, customer, occurrence for time rules or -1 for events, status), sorted.
  std::vector<std::tuple<std::string, int64_t, int64_t, std::string>> ledger;
  // (channel, recipient, body (a reminder's subject), source), sorted.
  std::vector<std::tuple<std::string, std::string, std::string, std::string>> outbox;
  std::map<int64_t, std::vector<std::string>> tags;
  // Everything, event seqs and message ids included (same ticks only).
  std::vector<testing::LedgerRow> exact_ledger;
  std::vector<testing::OutboxRow> exact_outbox;
  // Lifecycle stage per customer; (rule, title, customer) of every task.
  std::map<int64_t, std::string> stages;
  std::vector<std::tuple<std::string, std::string, int64_t>> tasks;
  // Tasks and stage histories as they are (same ticks only).
  std::string exact_tasks;
  std::map<int64_t, std::vector<std::tuple<std::string, absl::Time>>> exact_history;
  int64_t reminders = 0;
};

// One year of a small shop: customers arrive every third day, buy on a fixed pattern, have birthdays,
// move through the default lifecycle; an account manager gets a task (with a reminder) when one is at
// risk, and a business-hours follow-up two working days after they arrive. Ticks at the end of every
// day, and with `extra_ticks` also at 06:00 and 12:00.
EndState RunYear(bool extra_ticks) {
  auto clock = std::make_shared<ManualClock>(At(2024, 1, 1));
  Database db = testing::TestDb::OpenMemory(clock);
  EXPECT_TRUE(db.SetTimeZone("Asia/Shanghai").ok());
  EXPECT_TRUE(db.SaveSegment({.name = "big", .expression = "monetary >= 500"}).ok());
  EXPECT_TRUE(db.SaveLifecycleModel(DefaultLifecycleModel()).ok());
  auto office = BusinessCalendarDefFromJson(R"({"time_zone": "Asia/Shanghai",
    "hours": {"mon": [["09:00", "12:00"], ["13:00", "18:00"]], "tue": [["09:00", "12:00"], ["13:00", "18:00"]],
              "wed": [["09:00", "12:00"], ["13:00", "18:00"]], "thu": [["09:00", "12:00"], ["13:00", "18:00"]],
              "fri": [["09:00", "12:00"], ["13:00", "18:00"]]},
    "holidays": [["2024-10-01", "2024-10-07"]], "working_days": ["2024-09-29", "2024-10-12"]})");
  EXPECT_TRUE(office.ok()) << office.status();
  EXPECT_TRUE(db.SaveCalendar("office", *office).ok());
  for (const char* json : {
           R"({"name": "welcome", "trigger": {"type": "event", "event": "customer_created"},
               "actions": [{"type": "notify", "channel": "email", "body": "Welcome {{name}}"}]})",
           R"({"name": "big-spender", "trigger": {"type": "event", "event": "segment_entered", "segment": "big"},
               "actions": [{"type": "add_tag", "tag": "big"}]})",
           R"({"name": "thanks", "trigger": {"type": "event", "event": "order_created"}, "limit_days": 30,
               "actions": [{"type": "notify", "channel": "sms", "body": "Thanks {{name}}"}]})",
           R"({"name": "lapsed", "trigger": {"type": "relative", "field": "last_order_at", "days": 60},
               "condition": "frequency >= 1", "actions": [{"type": "add_tag", "tag": "lapsed"}]})",
           R"({"name": "birthday", "trigger": {"type": "annual", "field": "birthday", "at": "09:00"},
               "actions": [{"type": "notify", "channel": "sms", "body": "Happy birthday {{name}}"}]})",
           R"({"name": "month-end", "trigger": {"type": "schedule", "every": "monthly", "day": 31, "at": "18:00"},
               "condition": "frequency >= 3", "actions": [{"type": "notify", "channel": "email", "body": "Statement for {{name}}"}]})",
           R"({"name": "at-risk", "trigger": {"type": "event", "event": "stage_changed", "to": "at_risk"},
               "actions": [{"type": "create_task", "title": "Call {{name}}", "due_in_hours": 48, "remind_in_hours": 2}]})",
           R"({"name": "follow-up", "trigger": {"type": "relative", "field": "created_at", "business_hours": 16, "calendar": "office"},
               "actions": [{"type": "add_tag", "tag": "followed-up"}]})"}) {
    auto saved = db.SaveRule(MustRule(json));
    EXPECT_TRUE(saved.ok()) << saved.status();
  }
  std::vector<CustomerId> customers;
  for (absl::Time day = At(2024, 1, 1); day < At(2025, 1, 1); day += kDay) {
    const int d = static_cast<int>((day - At(2024, 1, 1)) / kDay);
    clock->Set(day + absl::Hours(1));
    if (d % 3 == 0) {
      const int i = static_cast<int>(customers.size());
      CustomerDraft draft = Person(StrCat("c", i));
      draft.Set("birthday", StrCat(1980 + i % 20, "-", i % 12 + 1 < 10 ? "0" : "", i % 12 + 1, "-", i % 28 + 1 < 10 ? "0" : "", i % 28 + 1));
      auto c = db.CreateCustomer(draft);
      EXPECT_TRUE(c.ok()) << c.status();
      customers.push_back(c->id);
    }
    for (size_t i = 0; i < customers.size(); ++i) {
      const int k = d + 7 * static_cast<int>(i);
      const bool buys = i % 2 == 0 ? k % 20 == 0 : (k % 45 == 0 && d < 200);  // odd ones lapse
      if (buys && i % 4 != 3) {
        auto o = db.AddOrder(OrderDraft{.customer = customers[i], .amount = Money{int64_t{20000} + 1000 * static_cast<int64_t>(i), "CNY"},
                                        .ordered_at = day + absl::Hours(1)});
        EXPECT_TRUE(o.ok()) << o.status();
      }
    }
    if (extra_ticks) {
      for (absl::Duration at : {absl::Hours(6), absl::Hours(12)}) {
        clock->Set(day + at);
        EXPECT_TRUE(db.Tick(day + at).ok());
      }
    }
    clock->Set(day + kDay);
    auto r = db.Tick(day + kDay);
    EXPECT_TRUE(r.ok()) << r.status();
  }
  EndState s;
  auto runs = db.RuleRuns(100000);
  EXPECT_TRUE(runs.ok()) << runs.status();
  for (const RuleRun& run : *runs) s.reminders += run.reminders;
  auto rules = db.Rules();
  std::map<std::string, bool> is_event;
  for (const Rule& r : *rules) is_event[r.def.name] = r.def.trigger.kind == RuleTriggerKind::kEvent;
  for (const auto& [rule, customer, occurrence, status] : testing::Ledger(db)) {
    s.ledger.emplace_back(rule, customer, is_event[rule] ? -1 : occurrence, status);
  }
  std::sort(s.ledger.begin(), s.ledger.end());
  for (const auto& [channel, recipient, subject, body, source, occurrence] : testing::OutboxRows(db)) {
    // A reminder's body is its task, whose times follow the tick that created it.
    s.outbox.emplace_back(channel, recipient, source == "reminder" ? subject : body, source);
  }
  std::sort(s.outbox.begin(), s.outbox.end());
  for (CustomerId id : customers) s.tags[ToInt(id)] = testing::TagsOf(db, id);
  s.exact_ledger = testing::Ledger(db);
  s.exact_outbox = testing::OutboxRows(db);
  auto tasks = db.Tasks(TaskQuery{.limit = 100000});
  EXPECT_TRUE(tasks.ok()) << tasks.status();
  for (const Task& t : *tasks) {
    s.tasks.emplace_back(t.created_by_rule, t.title, ToInt(t.customer.value_or(CustomerId{})));
    s.exact_tasks += TaskToJson(t);
  }
  std::sort(s.tasks.begin(), s.tasks.end());
  for (CustomerId id : customers) {
    auto c = db.GetCustomer(id);
    s.stages[ToInt(id)] = c->lifecycle_stage.value_or("");
    auto history = db.CustomerStageHistory(id);
    EXPECT_TRUE(history.ok()) << history.status();
    for (const StageHistoryEntry& h : *history) s.exact_history[ToInt(id)].emplace_back(h.move.to, h.move.at);
  }
  return s;
}

TEST(RuleReplay, DailyTicksEqualMoreFrequentTicksAndAFreshReplay) {
  const EndState daily = RunYear(false);
  // The year did something of every kind.
  std::map<std::string, int> fired;
  for (const auto& row : daily.ledger) fired[std::get<0>(row)] += std::get<3>(row) == "fired";
  for (const char* rule : {"welcome", "big-spender", "thanks", "lapsed", "birthday", "month-end", "at-risk", "follow-up"}) {
    EXPECT_GT(fired[rule], 0) << rule;
  }
  EXPECT_GT(std::count_if(daily.ledger.begin(), daily.ledger.end(),
                          [](const auto& row) { return std::get<3>(row) == "skipped"; }), 0);
  const EndState frequent = RunYear(true);
  EXPECT_EQ(daily.ledger, frequent.ledger);
  EXPECT_EQ(daily.outbox, frequent.outbox);
  EXPECT_EQ(daily.tags, frequent.tags);
  EXPECT_EQ(daily.stages, frequent.stages);
  EXPECT_EQ(daily.tasks, frequent.tasks);
  EXPECT_GT(daily.reminders, 0);
  const EndState replay = RunYear(false);
  EXPECT_EQ(daily.exact_ledger, replay.exact_ledger);
  EXPECT_EQ(daily.exact_outbox, replay.exact_outbox);
  EXPECT_EQ(daily.tags, replay.tags);
  EXPECT_EQ(daily.exact_tasks, replay.exact_tasks);
  EXPECT_EQ(daily.exact_history, replay.exact_history);
  EXPECT_EQ(daily.reminders, replay.reminders);
}

}  // namespace
}  // namespace rapport
