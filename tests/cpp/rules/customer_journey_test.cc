// "New customers get a welcome, active ones VIP care, sleeping ones a wake-up": rules on the default
// lifecycle's stage changes over a simulated year of daily ticks.
#include <map>

#include "rules/rules_test_util.h"

namespace rapport {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::At;
using testing::MustRule;
using testing::Person;
using testing::TagsOf;
using testing::TestDb;

constexpr absl::Duration kDay = absl::Hours(24);

TEST(CustomerJourney, WelcomeVipCareWakeUpAndWonBackOverAYear) {
  TestDb t;
  t.clock->Set(At(2025, 1, 1));
  ASSERT_OK(t.db.SaveLifecycleModel(DefaultLifecycleModel()));
  for (const char* json : {
           R"({"name": "welcome", "trigger": {"type": "event", "event": "stage_changed", "to": "new"},
               "actions": [{"type": "notify", "channel": "email", "body": "Welcome {{name}}"}]})",
           R"({"name": "vip-care", "trigger": {"type": "event", "event": "stage_changed", "to": "active"},
               "actions": [{"type": "add_tag", "tag": "vip"},
                           {"type": "create_task", "title": "VIP call: {{name}}", "due_in_hours": 72, "priority": "high"}]})",
           R"({"name": "wake-up", "trigger": {"type": "event", "event": "stage_changed", "to": "dormant"},
               "actions": [{"type": "remove_tag", "tag": "vip"}, {"type": "notify", "channel": "sms", "body": "We miss you, {{name}}"}]})",
           R"({"name": "won-back", "trigger": {"type": "event", "event": "stage_changed", "to": "won_back"},
               "actions": [{"type": "notify", "channel": "email", "recipient": "owner", "body": "{{name}} is back"}]})"}) {
    ASSERT_OK(t.db.SaveRule(MustRule(json)));
  }
  CustomerDraft ann_draft = Person("ann"), bob_draft = Person("bob");
  ann_draft.Set("owner", 4);
  bob_draft.Set("owner", 4);
  ASSERT_OK_AND_ASSIGN(ann, t.db.CreateCustomer(ann_draft));
  ASSERT_OK_AND_ASSIGN(bob, t.db.CreateCustomer(bob_draft));
  std::map<absl::Time, CustomerId> orders = {{At(2025, 1, 10), ann.id}, {At(2025, 1, 30), ann.id},
                                             {At(2025, 2, 20), ann.id}, {At(2025, 3, 5), bob.id},
                                             {At(2025, 12, 1), ann.id}};
  std::map<std::string, std::vector<std::string>> stages;  // per customer name: the stage after each tick, deduplicated
  for (absl::Time day = At(2025, 1, 2); day <= At(2025, 12, 31); day += kDay) {
    t.clock->Set(day);
    if (auto o = orders.find(day); o != orders.end()) {
      ASSERT_OK(t.db.AddOrder(OrderDraft{.customer = o->second, .amount = Money{8000, "CNY"}, .ordered_at = day}));
    }
    ASSERT_OK(t.db.Tick(day).status());
    for (const auto& [name, id] : {std::pair{"ann", ann.id}, std::pair{"bob", bob.id}}) {
      ASSERT_OK_AND_ASSIGN(c, t.db.GetCustomer(id));
      std::vector<std::string>& seen = stages[name];
      if (seen.empty() || seen.back() != c.lifecycle_stage.value_or("")) seen.push_back(c.lifecycle_stage.value_or(""));
    }
  }
  EXPECT_THAT(stages["ann"], ElementsAre("prospect", "new", "active", "at_risk", "dormant", "won_back"));
  EXPECT_THAT(stages["bob"], ElementsAre("prospect", "new", "at_risk", "dormant"));

  std::vector<std::tuple<std::string, int64_t>> fired;
  ASSERT_OK_AND_ASSIGN(outcomes, t.db.RuleOutcomes());
  for (const RuleOutcome& o : outcomes) {
    EXPECT_EQ(o.status, RuleOutcomeStatus::kFired) << o.rule << ": " << o.error;
    fired.emplace_back(o.rule, ToInt(o.customer));
  }
  std::sort(fired.begin(), fired.end());
  EXPECT_THAT(fired, ElementsAre(std::make_tuple("vip-care", ToInt(ann.id)), std::make_tuple("wake-up", ToInt(ann.id)),
                                 std::make_tuple("wake-up", ToInt(bob.id)), std::make_tuple("welcome", ToInt(ann.id)),
                                 std::make_tuple("welcome", ToInt(bob.id)), std::make_tuple("won-back", ToInt(ann.id))));
  std::vector<std::string> ann_messages;
  ASSERT_OK_AND_ASSIGN(messages, t.db.Outbox());
  for (const OutboxMessage& m : messages) {
    if (m.customer == ann.id) ann_messages.push_back(StrCat(m.recipient, " ", m.body));
  }
  EXPECT_THAT(ann_messages, ElementsAre("customer:1 Welcome ann", "customer:1 We miss you, ann", "user:4 ann is back"));
  EXPECT_THAT(TagsOf(t.db, ann.id), IsEmpty());  // VIP care's tag, taken away by the wake-up
  ASSERT_OK_AND_ASSIGN(tasks, t.db.Tasks({.customer = ann.id}));
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].title, "VIP call: ann");
  EXPECT_EQ(tasks[0].owner, UserId{4});
  EXPECT_EQ(tasks[0].created_by_rule, "vip-care");
  // Every move is in the history, automatic, with its time in stage; the distribution sums up.
  ASSERT_OK_AND_ASSIGN(history, t.db.CustomerStageHistory(ann.id));
  ASSERT_EQ(history.size(), 6u);
  for (const StageHistoryEntry& h : history) EXPECT_EQ(h.move.source, StageMoveSource::kAuto);
  EXPECT_TRUE(history.back().current);
  EXPECT_EQ(history[4].move.to, "dormant");
  EXPECT_EQ(history[4].time_in_stage, history[5].move.at - history[4].move.at);
}

}  // namespace
}  // namespace rapport
