// End-to-end automation scenarios over simulated months on a manual clock.
#include <filesystem>

#include "rapport/business_calendar.h"
#include "rules/rules_test_util.h"

namespace rapport {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::At;
using testing::Ledger;
using testing::MustRule;
using testing::OutboxRows;
using testing::Person;
using testing::TagsOf;
using testing::TestDb;

constexpr absl::Duration kDay = absl::Hours(24);

class Scenario : public ::testing::Test {
 protected:
  Database& db() { return t_.db; }
  // Moves the clock and ticks.
  TickReport TickAt(absl::Time now) {
    t_.clock->Set(now);
    auto r = db().Tick(now);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : TickReport{};
  }
  CustomerId Create(std::string name, std::optional<UserId> owner = std::nullopt) {
    CustomerDraft d = Person(std::move(name));
    if (owner) d.Set("owner", ToInt(*owner));
    d.contact_points.push_back({ContactKind::kEmail, StrCat(d.fields["name"].as_text(), "@example.com")});
    auto c = db().CreateCustomer(d);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? c->id : CustomerId{};
  }
  void Buy(CustomerId id, int64_t minor, absl::Time at) {
    auto o = db().AddOrder(OrderDraft{.customer = id, .amount = Money{minor, "CNY"}, .ordered_at = at});
    ASSERT_TRUE(o.ok()) << o.status();
  }

  TestDb t_;
};

TEST_F(Scenario, WelcomeOnCustomerCreatedNotifiesOnceAndShowsTheRuleInTheFeed) {
  ASSERT_OK(db().SaveRule(MustRule(R"({"name": "welcome", "trigger": {"type": "event", "event": "customer_created"},
    "actions": [{"type": "notify", "channel": "email", "subject": "Welcome {{name}}", "body": "Hello {{name}}, id {{id}}"}]})")));
  const CustomerId ann = Create("ann");
  const CustomerId bob = Create("bob");
  TickReport r = TickAt(At(2025, 1, 2));
  EXPECT_EQ(r.fired, 2);
  EXPECT_EQ(r.notifications, 2);
  ASSERT_EQ(r.rules.size(), 1u);
  EXPECT_EQ(r.rules[0].rule, "welcome");
  EXPECT_EQ(r.rules[0].fired, 2);
  ASSERT_OK_AND_ASSIGN(messages, db().Outbox());
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].recipient, "ann@example.com");
  EXPECT_EQ(messages[0].subject, "Welcome ann");
  EXPECT_EQ(messages[0].body, StrCat("Hello ann, id ", ToInt(ann)));
  EXPECT_EQ(messages[0].source, "rule:welcome");
  EXPECT_EQ(messages[1].customer, bob);
  // The message is in the change feed, made by the rule.
  ASSERT_OK_AND_ASSIGN(changes, db().Changes());
  auto logged = std::find_if(changes.begin(), changes.end(), [](const Change& c) { return c.entity == "outbox"; });
  ASSERT_NE(logged, changes.end());
  EXPECT_EQ(logged->origin, "rule:welcome");
  EXPECT_EQ(logged->at, At(2025, 1, 2));
  // Ticking again at the same now, or later, does not send it twice.
  EXPECT_EQ(TickAt(At(2025, 1, 2)).fired, 0);
  EXPECT_EQ(TickAt(At(2025, 1, 3)).fired, 0);
  EXPECT_EQ(OutboxRows(db()).size(), 2u);
  ASSERT_OK_AND_ASSIGN(outcomes, db().RuleOutcomes({.rule = "welcome", .customer = ann}));
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].status, RuleOutcomeStatus::kFired);
  EXPECT_THAT(outcomes[0].trigger, ::testing::StartsWith("customer_created (change "));
  ASSERT_OK_AND_ASSIGN(runs, db().RuleRuns());
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs.back().fired, 2);  // newest first: the first run is last
}

TEST_F(Scenario, CustomersCreatedBeforeTheRuleAreNotWelcomed) {
  Create("early");
  ASSERT_OK(db().SaveRule(MustRule(R"({"name": "welcome", "trigger": {"type": "event", "event": "customer_created"},
    "actions": [{"type": "add_tag", "tag": "welcomed"}]})")));
  const CustomerId late = Create("late");
  EXPECT_EQ(TickAt(At(2025, 1, 2)).fired, 1);
  EXPECT_THAT(TagsOf(db(), late), ElementsAre("welcomed"));
}

TEST_F(Scenario, VipCareOnEnteringASegment) {
  ASSERT_OK(db().SaveSegment({.name = "vip", .expression = "monetary >= 1000"}));
  ASSERT_OK(db().SaveRule(MustRule(R"({"name": "vip-care", "trigger": {"type": "event", "event": "segment_entered", "segment": "vip"},
    "actions": [{"type": "add_tag", "tag": "vip"}, {"type": "notify", "channel": "other", "recipient": "owner", "body": "{{name}} is a VIP"}]})")));
  const CustomerId ann = Create("ann", UserId{7});
  const CustomerId bob = Create("bob", UserId{8});
  Buy(ann, 150000, At(2025, 1, 5));  // 1500 CNY
  Buy(bob, 20000, At(2025, 1, 5));
  TickReport first = TickAt(At(2025, 1, 6));
  EXPECT_EQ(first.fired, 1);
  EXPECT_THAT(TagsOf(db(), ann), ElementsAre("vip"));
  EXPECT_THAT(TagsOf(db(), bob), IsEmpty());
  Buy(bob, 90000, At(2025, 2, 1));
  TickAt(At(2025, 2, 2));
  EXPECT_THAT(TagsOf(db(), bob), ElementsAre("vip"));
  EXPECT_THAT(OutboxRows(db()), ElementsAre(
      std::make_tuple("other", "user:7", "", "ann is a VIP", "rule:vip-care", std::get<2>(Ledger(db())[0])),
      std::make_tuple("other", "user:8", "", "bob is a VIP", "rule:vip-care", std::get<2>(Ledger(db())[1]))));
  // Nobody new entered: nothing more.
  EXPECT_EQ(TickAt(At(2025, 3, 1)).fired, 0);
}

TEST_F(Scenario, SixMonthsWithoutARepeatPurchaseTagsAndNotifiesTheOwner) {
  ASSERT_OK(db().SaveRule(MustRule(R"({"name": "lapsed", "trigger": {"type": "relative", "field": "last_order_at", "days": 180},
    "condition": "frequency >= 1",
    "actions": [{"type": "add_tag", "tag": "lapsed"}, {"type": "notify", "channel": "email", "recipient": "owner",
                 "body": "{{name}} has not bought for six months"}]})")));
  const CustomerId once = Create("once", UserId{3});
  const CustomerId again = Create("again", UserId{3});
  Buy(once, 1000, At(2025, 1, 10));
  Buy(again, 1000, At(2025, 1, 10));
  std::map<int64_t, absl::Time> tagged;
  for (absl::Time day = At(2025, 1, 11); day <= At(2025, 12, 31); day += kDay) {
    if (day == At(2025, 4, 1)) Buy(again, 1000, At(2025, 4, 1));
    TickAt(day);
    for (CustomerId id : {once, again}) {
      if (!tagged.count(ToInt(id)) && !TagsOf(db(), id).empty()) tagged[ToInt(id)] = day;
    }
  }
  // 180 days after the last order: 2025-07-09 and 2025-09-28.
  EXPECT_EQ(tagged[ToInt(once)], At(2025, 7, 9));
  EXPECT_EQ(tagged[ToInt(again)], At(2025, 9, 28));
  EXPECT_THAT(Ledger(db()), ElementsAre(
      std::make_tuple("lapsed", ToInt(once), absl::ToUnixMicros(At(2025, 7, 9)), "fired"),
      std::make_tuple("lapsed", ToInt(again), absl::ToUnixMicros(At(2025, 9, 28)), "fired")));
  EXPECT_EQ(OutboxRows(db()).size(), 2u);
}

TEST_F(Scenario, BirthdayGreetingAtNineLocalInTwoZones) {
  ASSERT_OK(db().DefineCustomField({.name = "time_zone", .type = FieldType::kText}));
  ASSERT_OK(db().SetTimeZone("Europe/London"));
  ASSERT_OK(db().SaveRule(MustRule(R"({"name": "birthday", "trigger": {"type": "annual", "field": "birthday", "at": "09:00"},
    "actions": [{"type": "notify", "channel": "sms", "body": "Happy birthday {{name}}"}]})")));
  CustomerDraft shanghai = Person("li");
  shanghai.Set("birthday", "1990-03-04").Set("time_zone", "Asia/Shanghai");
  CustomerDraft new_york = Person("sam");
  new_york.Set("birthday", "1985-03-04").Set("time_zone", "America/New_York");
  CustomerDraft tenant = Person("ada");  // no zone of her own: the tenant's (London, GMT in March)
  tenant.Set("birthday", "1970-03-04");
  CustomerDraft bad_zone = Person("bo");
  bad_zone.Set("birthday", "1970-03-04").Set("time_zone", "Nowhere/Land");
  ASSERT_OK_AND_ASSIGN(li, db().CreateCustomer(shanghai));
  ASSERT_OK_AND_ASSIGN(sam, db().CreateCustomer(new_york));
  ASSERT_OK_AND_ASSIGN(ada, db().CreateCustomer(tenant));
  ASSERT_OK_AND_ASSIGN(bo, db().CreateCustomer(bad_zone));
  std::map<int64_t, absl::Time> greeted;
  for (absl::Time t = At(2025, 3, 3); t <= At(2025, 3, 6); t += absl::Hours(1)) {
    for (const RuleOutcome& o : TickAt(t).outcomes) greeted[ToInt(o.customer)] = t;
  }
  EXPECT_EQ(greeted[ToInt(li.id)], At(2025, 3, 4, 1));    // 09:00 UTC+8
  EXPECT_EQ(greeted[ToInt(sam.id)], At(2025, 3, 4, 14));  // 09:00 UTC-5
  EXPECT_EQ(greeted[ToInt(ada.id)], At(2025, 3, 4, 9));
  EXPECT_EQ(greeted[ToInt(bo.id)], At(2025, 3, 4, 9));
  ASSERT_OK_AND_ASSIGN(outcomes, db().RuleOutcomes({.customer = li.id}));
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].occurrence, absl::ToUnixMicros(At(2025, 3, 4, 1)));
  EXPECT_EQ(outcomes[0].trigger, "birthday 2025-03-04 09:00 Asia/Shanghai");
  // Next year again, once.
  TickAt(At(2026, 3, 5));
  EXPECT_EQ(Ledger(db()).size(), 8u);
}

TEST_F(Scenario, ALimitedRuleFiresAtMostOncePer30Days) {
  ASSERT_OK(db().SaveRule(MustRule(R"({"name": "thanks", "trigger": {"type": "event", "event": "order_created"}, "limit_days": 30,
    "actions": [{"type": "notify", "channel": "email", "body": "Thank you {{name}}"}]})")));
  const CustomerId ann = Create("ann");
  for (int day : {1, 10, 35, 40, 70}) {
    Buy(ann, 100, At(2025, 1, 1) + kDay * day);
    TickAt(At(2025, 1, 1) + kDay * day + absl::Hours(1));
  }
  std::vector<std::string> statuses;
  for (const auto& row : Ledger(db())) statuses.push_back(std::get<3>(row));
  std::sort(statuses.begin(), statuses.end());
  EXPECT_THAT(statuses, ElementsAre("fired", "fired", "fired", "skipped", "skipped"));
  ASSERT_OK_AND_ASSIGN(skipped, db().RuleOutcomes({.status = RuleOutcomeStatus::kSkipped}));
  ASSERT_EQ(skipped.size(), 2u);
  EXPECT_EQ(skipped[0].error, "limit: fired within the last 30 days");
  EXPECT_EQ(OutboxRows(db()).size(), 3u);
}

TEST_F(Scenario, AFailingActionIsRetriedThenGivenUpWhileOtherRulesFire) {
  int calls = 0;
  ASSERT_OK(db().RegisterRuleAction("flaky", [&](Database&, const RuleActionCall& call) {
    ++calls;
    EXPECT_EQ(call.params, R"({"endpoint":"x"})");
    return absl::UnavailableError("endpoint down");
  }));
  ASSERT_OK(db().SaveRule(MustRule(R"({"name": "sync", "trigger": {"type": "event", "event": "customer_created"},
    "retry": {"max_attempts": 3, "backoff_seconds": 3600},
    "actions": [{"type": "add_tag", "tag": "synced"}, {"type": "plugin", "plugin": "flaky", "params": {"endpoint": "x"}}]})")));
  ASSERT_OK(db().SaveRule(MustRule(R"({"name": "welcome", "trigger": {"type": "event", "event": "customer_created"},
    "actions": [{"type": "add_tag", "tag": "welcome"}]})")));
  const CustomerId ann = Create("ann");
  const absl::Time t0 = At(2025, 1, 2);
  TickReport first = TickAt(t0);
  EXPECT_EQ(first.fired, 1);
  EXPECT_EQ(first.failed, 1);
  // The failed firing's first action rolled back with it; the other rule's effect stays.
  EXPECT_THAT(TagsOf(db(), ann), ElementsAre("welcome"));
  ASSERT_OK_AND_ASSIGN(o1, db().RuleOutcomes({.rule = "sync"}));
  ASSERT_EQ(o1.size(), 1u);
  EXPECT_EQ(o1[0].status, RuleOutcomeStatus::kRetrying);
  EXPECT_EQ(o1[0].attempts, 1);
  EXPECT_EQ(o1[0].error, "actions[1] (plugin): endpoint down");
  EXPECT_EQ(o1[0].next_retry_at, t0 + absl::Hours(1));
  EXPECT_EQ(TickAt(t0 + absl::Minutes(30)).failed, 0);  // not due yet
  EXPECT_EQ(TickAt(t0 + absl::Hours(1)).failed, 1);     // attempt 2; next after 2 hours
  ASSERT_OK_AND_ASSIGN(o2, db().RuleOutcomes({.rule = "sync"}));
  EXPECT_EQ(o2[0].attempts, 2);
  EXPECT_EQ(o2[0].next_retry_at, t0 + absl::Hours(3));
  EXPECT_EQ(TickAt(t0 + absl::Hours(3)).failed, 1);  // attempt 3: given up
  ASSERT_OK_AND_ASSIGN(o3, db().RuleOutcomes({.rule = "sync"}));
  EXPECT_EQ(o3[0].status, RuleOutcomeStatus::kFailed);
  EXPECT_EQ(o3[0].attempts, 3);
  EXPECT_EQ(o3[0].next_retry_at, std::nullopt);
  EXPECT_EQ(TickAt(t0 + absl::Hours(100)).failed, 0);
  EXPECT_EQ(calls, 3);
  EXPECT_THAT(TagsOf(db(), ann), ElementsAre("welcome"));
}

TEST_F(Scenario, ARetryThatSucceedsCommitsItsEffects) {
  int calls = 0;
  ASSERT_OK(db().RegisterRuleAction("second-time", [&](Database& as_rule, const RuleActionCall& call) {
    if (++calls == 1) return absl::UnavailableError("busy");
    return as_rule.AddTag(call.customer, "plugged");
  }));
  ASSERT_OK(db().SaveRule(MustRule(R"({"name": "p", "trigger": {"type": "event", "event": "customer_created"},
    "retry": {"max_attempts": 2, "backoff_seconds": 0}, "actions": [{"type": "plugin", "plugin": "second-time"}]})")));
  const CustomerId ann = Create("ann");
  EXPECT_EQ(TickAt(At(2025, 1, 2)).failed, 1);
  EXPECT_EQ(TickAt(At(2025, 1, 2)).fired, 1);
  EXPECT_THAT(TagsOf(db(), ann), ElementsAre("plugged"));
  ASSERT_OK_AND_ASSIGN(changes, db().Changes());
  EXPECT_EQ(changes.back().origin, "rule:p");
}

TEST_F(Scenario, ANewLeadGetsATaskForItsOwnerWhoseReminderComesOutOfTheTick) {
  ASSERT_OK(db().SaveRule(MustRule(R"({"name": "new-lead", "trigger": {"type": "event", "event": "customer_created"},
    "actions": [{"type": "create_task", "title": "Contact {{name}}", "due_in_hours": 24, "remind_in_hours": 20,
                 "priority": "high", "team": "sales", "notes": "Lead from {{source}}"}]})")));
  t_.clock->Set(At(2025, 1, 2, 8));
  CustomerDraft d = Person("ann");
  d.Set("owner", 7).Set("source", "web");
  ASSERT_OK_AND_ASSIGN(ann, db().CreateCustomer(d));
  const absl::Time first = At(2025, 1, 2, 9);
  TickReport r = TickAt(first);
  EXPECT_EQ(r.fired, 1);
  EXPECT_EQ(r.tasks_created, 1);
  EXPECT_EQ(r.reminders, 0);
  ASSERT_OK_AND_ASSIGN(tasks, db().Tasks());
  ASSERT_EQ(tasks.size(), 1u);
  const Task& task = tasks[0];
  EXPECT_EQ(task.title, "Contact ann");
  EXPECT_EQ(task.customer, ann.id);
  EXPECT_EQ(task.owner, UserId{7});
  EXPECT_EQ(task.team, "sales");
  EXPECT_EQ(task.due, first + absl::Hours(24));
  EXPECT_EQ(task.remind_at, first + absl::Hours(20));
  EXPECT_EQ(task.priority, TaskPriority::kHigh);
  EXPECT_EQ(task.notes, "Lead from web");
  EXPECT_EQ(task.created_by_rule, "new-lead");
  ASSERT_OK_AND_ASSIGN(created, db().Changes());
  auto logged = std::find_if(created.begin(), created.end(), [](const Change& c) { return c.entity == "task"; });
  ASSERT_NE(logged, created.end());
  EXPECT_EQ(logged->op, "create");
  EXPECT_EQ(logged->origin, "rule:new-lead");
  // The owner's due list shows it the next day; the reminder goes out at the first tick at or after 20 h.
  ASSERT_OK_AND_ASSIGN(due, db().TaskList({.kind = TaskListKind::kDue, .owner = UserId{7}, .as_of = At(2025, 1, 3, 8)}));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(TickAt(first + absl::Hours(19)).reminders, 0);
  r = TickAt(first + absl::Hours(21));
  EXPECT_EQ(r.reminders, 1);
  EXPECT_EQ(r.fired, 0);
  EXPECT_EQ(TickAt(first + absl::Hours(22)).reminders, 0);
  ASSERT_OK_AND_ASSIGN(messages, db().Outbox());
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].channel, "reminder");
  EXPECT_EQ(messages[0].recipient_kind, "owner");
  EXPECT_EQ(messages[0].recipient, "user:7");
  EXPECT_EQ(messages[0].subject, "Reminder: Contact ann");
  EXPECT_EQ(messages[0].source, "reminder");
  EXPECT_EQ(messages[0].occurrence, ToInt(task.id));
  EXPECT_EQ(messages[0].customer, ann.id);
  EXPECT_EQ(messages[0].created_at, first + absl::Hours(21));
  ASSERT_OK_AND_ASSIGN(reminded, db().GetTask(task.id));
  EXPECT_EQ(reminded.reminded_at, first + absl::Hours(21));
  ASSERT_OK_AND_ASSIGN(changes, db().Changes());
  std::vector<std::pair<std::string, std::string>> task_changes;
  for (const Change& c : changes) {
    if (c.entity == "task" || c.entity == "outbox") task_changes.emplace_back(c.entity + "/" + c.op, c.origin);
  }
  EXPECT_THAT(task_changes, ElementsAre(std::make_pair("task/create", "rule:new-lead"),
                                        std::make_pair("task/remind", "reminders"),
                                        std::make_pair("outbox/create", "reminders")));
  ASSERT_OK_AND_ASSIGN(runs, db().RuleRuns());
  ASSERT_EQ(runs.size(), 4u);
  EXPECT_EQ(runs[0].reminders, 0);  // newest first
  EXPECT_EQ(runs[1].reminders, 1);
  EXPECT_EQ(runs[3].tasks_created, 1);
}

TEST_F(Scenario, ATaskTheRuleCannotCreateFailsTheFiringAndWritesNothing) {
  ASSERT_OK(db().SaveRule(MustRule(R"({"name": "task", "trigger": {"type": "event", "event": "customer_created"},
    "retry": {"max_attempts": 1},
    "actions": [{"type": "add_tag", "tag": "tasked"}, {"type": "create_task", "title": "{{industry}}"}]})")));
  const CustomerId ann = Create("ann");  // no industry: the title renders empty
  TickReport r = TickAt(At(2025, 1, 2));
  EXPECT_EQ(r.failed, 1);
  ASSERT_OK_AND_ASSIGN(outcomes, db().RuleOutcomes());
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].status, RuleOutcomeStatus::kFailed);
  EXPECT_EQ(outcomes[0].error, "actions[1] (create_task): title: must not be empty");
  EXPECT_THAT(TagsOf(db(), ann), IsEmpty());  // the tag rolled back with the firing
  ASSERT_OK_AND_ASSIGN(tasks, db().Tasks());
  EXPECT_THAT(tasks, IsEmpty());
}

// "Contact a new lead within 8 business hours": the office works Monday to Friday, 09:00-17:00 in Berlin.
TEST_F(Scenario, AnUncontactedLeadAlertsItsOwnerAfterEightBusinessHours) {
  ASSERT_OK_AND_ASSIGN(office, BusinessCalendarDefFromJson(R"({"time_zone": "Europe/Berlin",
    "hours": {"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]], "wed": [["09:00", "17:00"]],
              "thu": [["09:00", "17:00"]], "fri": [["09:00", "17:00"]]}})"));
  ASSERT_OK(db().SaveCalendar("office", office));
  ASSERT_OK(db().SaveRule(MustRule(R"j({"name": "lead-sla",
    "trigger": {"type": "relative", "field": "created_at", "business_hours": 8, "calendar": "office"},
    "condition": "not has_tag(\"contacted\")",
    "actions": [{"type": "notify", "channel": "email", "recipient": "owner", "body": "{{name}} is waiting"}]})j")));
  EXPECT_EQ(db().DropCalendar("office").message(),
            "name: calendar \"office\" is used by rule \"lead-sla\"; drop or change the rule first");
  // Friday 2025-01-03 15:00 in Berlin (14:00 UTC): two hours that Friday, six on Monday -> Monday 15:00.
  t_.clock->Set(At(2025, 1, 3, 14));
  const CustomerId ann = Create("ann", UserId{7});
  const CustomerId bob = Create("bob", UserId{7});
  absl::Time fired_at;
  for (absl::Time now = At(2025, 1, 3, 14); now <= At(2025, 1, 8); now += absl::Minutes(30)) {
    if (now == At(2025, 1, 4, 10)) ASSERT_OK(db().AddTag(bob, "contacted"));
    if (TickAt(now).fired > 0 && fired_at == absl::Time()) fired_at = now;
  }
  EXPECT_EQ(fired_at, At(2025, 1, 6, 14));
  EXPECT_THAT(Ledger(db()), ElementsAre(std::make_tuple("lead-sla", ToInt(ann), absl::ToUnixMicros(At(2025, 1, 6, 14)),
                                                         "fired")));
  ASSERT_OK_AND_ASSIGN(outcomes, db().RuleOutcomes());
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].trigger, "created_at + 8 business hours (office), due 2025-01-06T14:00:00Z");
  ASSERT_OK_AND_ASSIGN(messages, db().Outbox());
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].recipient, "user:7");
  EXPECT_EQ(messages[0].body, "ann is waiting");
}

TEST_F(Scenario, SetFieldAddToListAndFieldChangedEvents) {
  ASSERT_OK(db().SaveSegment({.name = "movers", .kind = SegmentKind::kStatic}));
  ASSERT_OK(db().SaveRule(MustRule(R"({"name": "moved-west", "trigger": {"type": "event", "event": "field_changed",
    "field": "region", "from": "east", "to": "west"},
    "actions": [{"type": "set_field", "field": "source", "value": "relocation"}, {"type": "add_to_list", "list": "movers"}]})")));
  const CustomerId ann = Create("ann");
  const CustomerId bob = Create("bob");
  ASSERT_OK(db().UpdateCustomer(ann, CustomerPatch().Set("region", "east")));
  ASSERT_OK(db().UpdateCustomer(ann, CustomerPatch().Set("region", "west")));
  ASSERT_OK(db().UpdateCustomer(bob, CustomerPatch().Set("region", "west")));  // not from east
  EXPECT_EQ(TickAt(At(2025, 1, 2)).fired, 1);
  ASSERT_OK_AND_ASSIGN(got, db().GetCustomer(ann));
  EXPECT_EQ(got.source, "relocation");
  ASSERT_OK_AND_ASSIGN(members, db().SegmentMembers("movers"));
  EXPECT_THAT(members, ElementsAre(ann));
}

TEST_F(Scenario, SchedulesFireTheirLatestMissedOccurrenceOnly) {
  ASSERT_OK(db().SaveRule(MustRule(R"({"name": "month-end", "trigger": {"type": "schedule", "every": "monthly", "day": 31, "at": "18:00"},
    "condition": "name = 'ann'", "actions": [{"type": "notify", "channel": "email", "body": "Statement"}]})")));
  Create("ann");
  Create("bob");
  TickAt(At(2025, 1, 31, 17));
  EXPECT_EQ(TickAt(At(2025, 1, 31, 18)).fired, 1);
  EXPECT_EQ(TickAt(At(2025, 2, 27)).fired, 0);
  TickReport feb = TickAt(At(2025, 2, 28, 18));  // 31 in February is its last day
  ASSERT_EQ(feb.fired, 1);
  EXPECT_EQ(feb.outcomes[0].occurrence, absl::ToUnixMicros(At(2025, 2, 28, 18)));
  // Not ticked from March to June: only June's fires.
  TickReport late = TickAt(At(2025, 7, 1));
  ASSERT_EQ(late.fired, 1);
  EXPECT_EQ(late.outcomes[0].occurrence, absl::ToUnixMicros(At(2025, 6, 30, 18)));
}

TEST_F(Scenario, WeeklyAndDailySchedulesInTheTenantsZone) {
  ASSERT_OK(db().SetTimeZone("Asia/Shanghai"));
  ASSERT_OK(db().SaveRule(MustRule(R"({"name": "mondays", "trigger": {"type": "schedule", "every": "weekly", "weekday": "monday", "at": "08:00"},
    "actions": [{"type": "add_tag", "tag": "week"}]})")));
  Create("ann");
  // Monday 2025-01-06 08:00 in Shanghai is 00:00 UTC.
  EXPECT_EQ(TickAt(At(2025, 1, 5, 23, 59)).fired, 0);
  TickReport monday = TickAt(At(2025, 1, 6, 0, 0));
  ASSERT_EQ(monday.fired, 1);
  EXPECT_EQ(monday.outcomes[0].occurrence, absl::ToUnixMicros(At(2025, 1, 6)));
}

TEST_F(Scenario, TimeDoesNotGoBackwards) {
  ASSERT_OK(db().SaveRule(MustRule(R"({"name": "welcome", "trigger": {"type": "event", "event": "customer_created"},
    "actions": [{"type": "add_tag", "tag": "w"}]})")));
  TickAt(At(2025, 2, 1));
  const CustomerId ann = Create("ann");
  const int64_t seq = db().LastChangeSeq();
  EXPECT_ERROR(db().Tick(At(2025, 1, 31)), absl::StatusCode::kInvalidArgument,
               "now: 2025-01-31T00:00:00Z is before the last tick's now 2025-02-01T00:00:00Z; time does not go backwards");
  EXPECT_EQ(db().LastChangeSeq(), seq);
  EXPECT_THAT(TagsOf(db(), ann), IsEmpty());
  ASSERT_OK_AND_ASSIGN(runs, db().RuleRuns());
  EXPECT_EQ(runs.size(), 1u);
}

TEST_F(Scenario, OutboxDrainProtocol) {
  ASSERT_OK(db().SaveRule(MustRule(R"({"name": "welcome", "trigger": {"type": "event", "event": "customer_created"},
    "actions": [{"type": "notify", "channel": "webhook", "recipient": "literal", "address": "https://hooks.example/x", "body": "{{name}}"}]})")));
  Create("ann");
  Create("bob");
  Create("cai");
  TickAt(At(2025, 1, 2));
  ASSERT_OK_AND_ASSIGN(first, db().ClaimOutbox(2));
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].recipient, "https://hooks.example/x");
  EXPECT_EQ(first[0].status, OutboxStatus::kClaimed);
  ASSERT_OK_AND_ASSIGN(second, db().ClaimOutbox(10));  // claimed ones are not handed out again
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].body, "cai");
  ASSERT_OK(db().AckOutbox({first[0].id, first[1].id}));
  EXPECT_ERROR(db().AckOutbox({first[0].id}), absl::StatusCode::kFailedPrecondition,
               StrCat("outbox message ", first[0].id, ": is delivered, not claimed; only claimed messages are acked"));
  EXPECT_ERROR(db().AckOutbox({999}), absl::StatusCode::kNotFound, "outbox message 999: not found");
  ASSERT_OK(db().FailOutbox(second[0].id, "503 from hook"));
  ASSERT_OK_AND_ASSIGN(pending, db().Outbox({.status = OutboxStatus::kPending}));
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].error, "503 from hook");
  ASSERT_OK_AND_ASSIGN(retry, db().ClaimOutbox(10));
  ASSERT_EQ(retry.size(), 1u);
  EXPECT_EQ(retry[0].attempts, 2);
  ASSERT_OK(db().FailOutbox(retry[0].id, "gone", /*retry=*/false));
  ASSERT_OK_AND_ASSIGN(failed, db().Outbox({.status = OutboxStatus::kFailed}));
  EXPECT_EQ(failed.size(), 1u);
  ASSERT_OK_AND_ASSIGN(none, db().ClaimOutbox(10));
  EXPECT_TRUE(none.empty());
}

TEST(RuleRestart, ClosingAndReopeningKeepsExactlyOnce) {
  const std::string path = ::testing::TempDir() + "/rules_restart.db";
  std::filesystem::remove(path);
  auto clock = std::make_shared<ManualClock>(At(2025, 1, 1));
  Options options;
  options.clock = clock;
  {
    ASSERT_OK_AND_ASSIGN(db, Database::Open(path, options));
    ASSERT_OK(db.SaveRule(MustRule(R"({"name": "welcome", "trigger": {"type": "event", "event": "customer_created"},
      "actions": [{"type": "notify", "channel": "email", "body": "hi"}]})")));
    ASSERT_OK(db.SaveRule(MustRule(R"({"name": "daily", "trigger": {"type": "schedule", "every": "daily", "at": "09:00"},
      "actions": [{"type": "add_tag", "tag": "seen"}]})")));
    ASSERT_OK(db.CreateCustomer(Person("ann")));
    ASSERT_OK(db.Tick(At(2025, 1, 2, 10)));
  }
  {
    ASSERT_OK_AND_ASSIGN(db, Database::Open(path, options));
    ASSERT_OK_AND_ASSIGN(again, db.Tick(At(2025, 1, 2, 10)));
    EXPECT_EQ(again.fired, 0);
    ASSERT_OK_AND_ASSIGN(later, db.Tick(At(2025, 1, 2, 20)));
    EXPECT_EQ(later.fired, 0);
    EXPECT_EQ(Ledger(db).size(), 2u);
    EXPECT_EQ(OutboxRows(db).size(), 1u);
    ASSERT_OK_AND_ASSIGN(next_day, db.Tick(At(2025, 1, 3, 9)));
    EXPECT_EQ(next_day.fired, 1);
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace rapport

namespace rapport {
namespace {

using testing::At;
using testing::MustRule;
using testing::Person;
using testing::TagsOf;
using testing::TestDb;

TEST(RuleLifecycle, DisabledRulesDoNotFireAndReEnabledOnesDoNotCatchUp) {
  TestDb t;
  ASSERT_OK(t.db.SaveRule(MustRule(R"({"name": "daily", "trigger": {"type": "schedule", "every": "daily", "at": "09:00"},
    "actions": [{"type": "add_tag", "tag": "d"}]})")));
  ASSERT_OK(t.db.SaveRule(MustRule(R"({"name": "welcome", "trigger": {"type": "event", "event": "customer_created"},
    "actions": [{"type": "add_tag", "tag": "w"}]})")));
  ASSERT_OK(t.db.EnableRule("daily", false));
  ASSERT_OK(t.db.EnableRule("welcome", false));
  ASSERT_OK_AND_ASSIGN(ann, t.db.CreateCustomer(Person("ann")));
  ASSERT_OK_AND_ASSIGN(r1, t.db.Tick(At(2025, 1, 2, 10)));
  EXPECT_EQ(r1.fired, 0);
  t.clock->Set(At(2025, 1, 3));
  ASSERT_OK(t.db.EnableRule("daily"));
  ASSERT_OK(t.db.EnableRule("welcome"));
  ASSERT_OK_AND_ASSIGN(r2, t.db.Tick(At(2025, 1, 3, 8)));
  EXPECT_EQ(r2.fired, 0);  // neither the 2 January schedule nor ann's creation
  ASSERT_OK_AND_ASSIGN(r3, t.db.Tick(At(2025, 1, 3, 9)));
  EXPECT_EQ(r3.fired, 1);
  EXPECT_THAT(TagsOf(t.db, ann.id), ::testing::ElementsAre("d"));
}

TEST(RuleLifecycle, StageChangesAndDeletedCustomers) {
  TestDb t;
  ASSERT_OK(t.db.SaveRule(MustRule(R"({"name": "activated", "trigger": {"type": "event", "event": "stage_changed", "to": "active"},
    "actions": [{"type": "add_tag", "tag": "active"}]})")));
  ASSERT_OK_AND_ASSIGN(ann, t.db.CreateCustomer(Person("ann")));
  ASSERT_OK_AND_ASSIGN(bob, t.db.CreateCustomer(Person("bob")));
  ASSERT_OK(t.db.UpdateCustomer(ann.id, CustomerPatch().Set("lifecycle_stage", "active")));
  ASSERT_OK(t.db.UpdateCustomer(bob.id, CustomerPatch().Set("lifecycle_stage", "active")));
  ASSERT_OK(t.db.UpdateCustomer(ann.id, CustomerPatch().Set("lifecycle_stage", "dormant")));
  ASSERT_OK(t.db.DeleteCustomer(bob.id));
  ASSERT_OK_AND_ASSIGN(r, t.db.Tick(At(2025, 1, 2)));
  EXPECT_EQ(r.fired, 1);  // ann once; bob is gone
  EXPECT_THAT(TagsOf(t.db, ann.id), ::testing::ElementsAre("active"));
  EXPECT_TRUE(testing::Ledger(t.db).size() == 1);
}

}  // namespace
}  // namespace rapport
