// Rules and lifecycle stages: a rule's move goes through the lifecycle's write path and policy, the tick
// evaluates the lifecycle first, and stage changes are events for other rules.
#include <map>

#include "rules/rules_test_util.h"

namespace rapport {
namespace {

using ::testing::ElementsAre;
using testing::At;
using testing::MustRule;
using testing::Person;
using testing::TagsOf;
using testing::TestDb;

std::string StageOf(const Database& db, CustomerId id) {
  auto c = db.GetCustomer(id);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? c->lifecycle_stage.value_or("") : "";
}

TEST(RuleLifecycleStages, MoveStageActionsFollowThePolicyAndFeedStageChangedRules) {
  TestDb t;
  ASSERT_OK(t.db.SaveLifecycleModel(DefaultLifecycleModel()));
  ASSERT_OK(t.db.SaveRule(MustRule(R"({"name": "big-order", "trigger": {"type": "event", "event": "order_created"},
    "condition": "monetary >= 1000", "retry": {"max_attempts": 1},
    "actions": [{"type": "move_stage", "stage": "active", "reason": "a big first order"}]})")));
  ASSERT_OK(t.db.SaveRule(MustRule(R"({"name": "welcome-active", "trigger": {"type": "event", "event": "stage_changed", "to": "active"},
    "actions": [{"type": "add_tag", "tag": "activated"}]})")));
  ASSERT_OK_AND_ASSIGN(ann, t.db.CreateCustomer(Person("ann")));
  t.clock->Set(At(2025, 2, 1));
  ASSERT_OK(t.db.AddOrder(OrderDraft{.customer = ann.id, .amount = Money{150000, "CNY"}, .ordered_at = At(2025, 2, 1)}));
  ASSERT_EQ(StageOf(t.db, ann.id), "new");  // the lifecycle's own move on the order

  t.clock->Set(At(2025, 2, 2));
  ASSERT_OK_AND_ASSIGN(first, t.db.Tick(At(2025, 2, 2)));
  EXPECT_EQ(first.fired, 1);
  EXPECT_EQ(StageOf(t.db, ann.id), "active");
  ASSERT_OK_AND_ASSIGN(history, t.db.CustomerStageHistory(ann.id));
  ASSERT_FALSE(history.empty());
  EXPECT_EQ(history.back().move.source, StageMoveSource::kRule);
  EXPECT_EQ(history.back().move.rule, "big-order");
  // The move is one lifecycle change entry, made by the rule.
  ASSERT_OK_AND_ASSIGN(changes, t.db.Changes());
  auto move = std::find_if(changes.begin(), changes.end(), [](const Change& c) {
    return c.entity == "lifecycle" && c.origin == "rule:big-order";
  });
  ASSERT_NE(move, changes.end());
  EXPECT_THAT(move->after, ::testing::HasSubstr("\"rule\":\"big-order\""));

  // The next tick sees the stage change.
  ASSERT_OK_AND_ASSIGN(second, t.db.Tick(At(2025, 2, 3)));
  EXPECT_EQ(second.fired, 1);
  EXPECT_THAT(TagsOf(t.db, ann.id), ElementsAre("activated"));
}

TEST(RuleLifecycleStages, ABackwardMoveFailsTheFiringWithThePolicysMessage) {
  TestDb t;
  ASSERT_OK(t.db.SaveLifecycleModel(DefaultLifecycleModel()));
  ASSERT_OK(t.db.SaveRule(MustRule(R"({"name": "demote", "trigger": {"type": "event", "event": "order_created"},
    "retry": {"max_attempts": 1}, "actions": [{"type": "add_tag", "tag": "x"}, {"type": "move_stage", "stage": "prospect"}]})")));
  ASSERT_OK_AND_ASSIGN(bob, t.db.CreateCustomer(Person("bob")));
  t.clock->Set(At(2025, 2, 1));
  ASSERT_OK(t.db.AddOrder(OrderDraft{.customer = bob.id, .amount = Money{100, "CNY"}, .ordered_at = At(2025, 2, 1)}));
  ASSERT_OK_AND_ASSIGN(r, t.db.Tick(At(2025, 2, 2)));
  EXPECT_EQ(r.failed, 1);
  ASSERT_OK_AND_ASSIGN(outcomes, t.db.RuleOutcomes({.rule = "demote"}));
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].status, RuleOutcomeStatus::kFailed);
  EXPECT_EQ(outcomes[0].error,
            "actions[1] (move_stage): stage: lifecycle model \"default\" does not allow a move from \"new\" to "
            "\"prospect\" (forward only)");
  EXPECT_TRUE(TagsOf(t.db, bob.id).empty());  // the firing's first action rolled back with it
}

TEST(RuleLifecycleStages, UnknownStagesAreRejectedWhenSaved) {
  TestDb t;
  ASSERT_OK(t.db.SaveLifecycleModel(DefaultLifecycleModel()));
  auto def = MustRule(R"({"name": "m", "trigger": {"type": "event", "event": "order_created"},
    "actions": [{"type": "move_stage", "stage": "vip"}]})");
  EXPECT_ERROR(t.db.SaveRule(def), absl::StatusCode::kInvalidArgument,
               "actions[0].stage: no lifecycle model has a stage \"vip\"");
  ASSERT_OK_AND_ASSIGN(rules, t.db.Rules());
  EXPECT_TRUE(rules.empty());
}

TEST(RuleLifecycleStages, TheTickEvaluatesTheLifecycleFirst) {
  TestDb t;
  ASSERT_OK(t.db.SaveLifecycleModel(DefaultLifecycleModel()));
  ASSERT_OK(t.db.SaveRule(MustRule(R"({"name": "dormant", "trigger": {"type": "event", "event": "stage_changed", "to": "dormant"},
    "actions": [{"type": "notify", "channel": "email", "body": "{{name}} went quiet"}]})")));
  ASSERT_OK_AND_ASSIGN(cai, t.db.CreateCustomer(Person("cai")));
  t.clock->Set(At(2025, 1, 10));
  ASSERT_OK(t.db.AddOrder(OrderDraft{.customer = cai.id, .amount = Money{100, "CNY"}, .ordered_at = At(2025, 1, 10)}));
  // More than 180 days without an order: the evaluation in the tick moves cai to dormant, and the
  // rule sees that move in the same tick.
  t.clock->Set(At(2025, 9, 1));
  ASSERT_OK_AND_ASSIGN(r, t.db.Tick(At(2025, 9, 1)));
  EXPECT_EQ(StageOf(t.db, cai.id), "dormant");
  EXPECT_EQ(r.notifications, 1);
}

// "A customer stalled in a stage alerts the manager": 30 days in `new` without becoming active.
TEST(RuleLifecycleStages, ACustomerStalledInAStageAlertsTheOwnerOnce) {
  TestDb t;
  t.clock->Set(At(2025, 1, 1));
  ASSERT_OK(t.db.SaveLifecycleModel(DefaultLifecycleModel()));
  ASSERT_OK(t.db.SaveRule(MustRule(R"({"name": "stalled-new",
    "trigger": {"type": "relative", "field": "stage_entered_at", "days": 30}, "condition": "lifecycle_stage = \"new\"",
    "actions": [{"type": "notify", "channel": "email", "recipient": "owner", "body": "{{name}} is stuck in new"}]})")));
  CustomerDraft once = Person("once"), twice = Person("twice");
  once.Set("owner", 5);
  twice.Set("owner", 5);
  ASSERT_OK_AND_ASSIGN(a, t.db.CreateCustomer(once));
  ASSERT_OK_AND_ASSIGN(b, t.db.CreateCustomer(twice));
  std::map<int64_t, absl::Time> alerted;
  for (absl::Time day = At(2025, 1, 2); day <= At(2025, 4, 30); day += absl::Hours(24)) {
    t.clock->Set(day);
    if (day == At(2025, 1, 10)) {
      for (CustomerId id : {a.id, b.id}) {
        ASSERT_OK(t.db.AddOrder(OrderDraft{.customer = id, .amount = Money{5000, "CNY"}, .ordered_at = day}));
      }
    }
    if (day == At(2025, 1, 25)) {
      ASSERT_OK(t.db.AddOrder(OrderDraft{.customer = b.id, .amount = Money{5000, "CNY"}, .ordered_at = day}));
    }
    ASSERT_OK_AND_ASSIGN(r, t.db.Tick(day));
    for (const RuleOutcome& o : r.outcomes) alerted.emplace(ToInt(o.customer), day);
  }
  // `once` entered `new` with its order on 10 January: due 9 February. `twice` became active on the
  // 25th, before its 30 days in `new` were up; its entry into `prospect` (on creation) is not a `new` stall.
  ASSERT_EQ(alerted.size(), 1u);
  EXPECT_EQ(alerted[ToInt(a.id)], At(2025, 2, 9));
  ASSERT_OK_AND_ASSIGN(outcomes, t.db.RuleOutcomes());
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].trigger, "stage_entered_at + 30 days in new, due 2025-02-09T00:00:00Z");
  ASSERT_OK_AND_ASSIGN(messages, t.db.Outbox());
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].recipient, "user:5");
  EXPECT_EQ(messages[0].body, "once is stuck in new");
}

TEST(RuleLifecycleStages, StageEnteredAtIsOnlyForRelativeTriggers) {
  TestDb t;
  EXPECT_ERROR(t.db.SaveRule(MustRule(R"({"name": "x", "trigger": {"type": "annual", "field": "stage_entered_at"},
    "actions": [{"type": "add_tag", "tag": "x"}]})")), absl::StatusCode::kInvalidArgument,
               "trigger.field: unknown field \"stage_entered_at\"");
}

}  // namespace
}  // namespace rapport
