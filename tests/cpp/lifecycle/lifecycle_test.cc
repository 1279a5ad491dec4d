// Lifecycle models end to end on a manual clock: moves after commit, on evaluation, by hand and by
// rules; the policy; history, stages as of past dates and distributions; bad models refused.
#include <nlohmann/json.hpp>

#include "db/core.h"
#include "test_util.h"

namespace rapport {
namespace {

using ::rapport::testing::At;
using ::rapport::testing::Person;
using ::rapport::testing::TestDb;
using ::testing::ElementsAre;

std::string StageOf(const Database& db, CustomerId id) {
  auto c = db.GetCustomer(id);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? c->lifecycle_stage.value_or("<none>") : "<error>";
}

std::vector<std::string> Path(const Database& db, CustomerId id) {
  std::vector<std::string> out;
  auto h = db.CustomerStageHistory(id);
  EXPECT_TRUE(h.ok()) << h.status();
  if (h.ok())
    for (const StageHistoryEntry& e : *h) out.push_back(e.move.to);
  return out;
}

absl::Status OrderNow(TestDb& t, CustomerId id) {
  return t.db.AddOrder({id, Money{10000, "CNY"}, t.clock->Now()}).status();
}

std::vector<Change> LifecycleChanges(const Database& db) {
  std::vector<Change> out;
  auto all = db.Changes({.after_seq = 0, .limit = 100000});
  EXPECT_TRUE(all.ok());
  for (Change& c : *all)
    if (c.entity == "lifecycle") out.push_back(std::move(c));
  return out;
}

TEST(Lifecycle, CustomerMovesThroughTheDefaultModelOverMonths) {
  TestDb t;
  EXPECT_FALSE(t.db.core().HasAfterCommitHook("lifecycle"));  // no model: commits cost nothing extra
  ASSERT_OK(t.db.SaveLifecycleModel(DefaultLifecycleModel()));
  EXPECT_TRUE(t.db.core().HasAfterCommitHook("lifecycle"));

  ASSERT_OK_AND_ASSIGN(ann, t.db.CreateCustomer(Person("Ann")));
  EXPECT_EQ(StageOf(t.db, ann.id), "prospect");  // entry stage, after the create committed

  t.clock->Set(At(2025, 1, 10));
  ASSERT_OK(OrderNow(t, ann.id));
  EXPECT_EQ(StageOf(t.db, ann.id), "new");

  t.clock->Set(At(2025, 1, 30));
  ASSERT_OK(OrderNow(t, ann.id));
  EXPECT_EQ(StageOf(t.db, ann.id), "active");

  // 200 days without orders: only evaluation (the tick) notices. at_risk and dormant both hold; the
  // last stage in order that holds and that the policy allows wins.
  t.clock->Set(At(2025, 1, 30) + absl::Hours(24 * 200));
  ASSERT_OK_AND_ASSIGN(report, t.db.EvaluateLifecycle());
  ASSERT_EQ(report.moves.size(), 1u);
  EXPECT_EQ(report.moves[0].from, "active");
  EXPECT_EQ(report.moves[0].to, "dormant");
  EXPECT_EQ(report.moves[0].source, StageMoveSource::kAuto);
  EXPECT_EQ(report.evaluated, 1);
  EXPECT_EQ(StageOf(t.db, ann.id), "dormant");
  for (const StageCount& c : report.stages) EXPECT_EQ(c.customers, c.stage == "dormant" ? 1 : 0) << c.stage;

  // A new order: dormant -> won_back is backward, allowed only on an order (after-commit hook).
  t.clock->Advance(absl::Hours(24));
  const absl::Time won_back_at = t.clock->Now();
  const int64_t seq_before = t.db.LastChangeSeq();
  ASSERT_OK(OrderNow(t, ann.id));
  EXPECT_EQ(StageOf(t.db, ann.id), "won_back");
  ASSERT_OK_AND_ASSIGN(after_order, t.db.Changes({.after_seq = seq_before}));
  ASSERT_EQ(after_order.size(), 2u);  // the order, then exactly one move entry
  const Change& move = after_order[1];
  EXPECT_EQ(move.entity, "lifecycle");
  EXPECT_EQ(move.entity_id, ToInt(ann.id));
  EXPECT_EQ(move.op, "move");
  EXPECT_THAT(move.fields, ElementsAre("lifecycle_stage"));
  EXPECT_EQ(nlohmann::json::parse(move.before), nlohmann::json::parse(R"({"lifecycle_stage": "dormant"})"));
  EXPECT_EQ(nlohmann::json::parse(move.after),
            nlohmann::json::parse(R"({"lifecycle_stage": "won_back", "model": "default", "source": "auto",
                                      "reason": "on order: \"dormant\" -> \"won_back\"", "rule": ""})"));
  EXPECT_EQ(move.at, won_back_at);

  // Forward only: active's condition holds again, but won_back -> active needs an order.
  t.clock->Advance(absl::Hours(1));
  ASSERT_OK_AND_ASSIGN(again, t.db.EvaluateLifecycle());
  EXPECT_TRUE(again.moves.empty());
  EXPECT_EQ(StageOf(t.db, ann.id), "won_back");
  t.clock->Advance(absl::Hours(24 * 10));
  ASSERT_OK(OrderNow(t, ann.id));
  EXPECT_EQ(StageOf(t.db, ann.id), "active");

  EXPECT_THAT(Path(t.db, ann.id), ElementsAre("prospect", "new", "active", "dormant", "won_back", "active"));
  ASSERT_OK_AND_ASSIGN(history, t.db.CustomerStageHistory(ann.id));
  EXPECT_EQ(history[1].time_in_stage, absl::Hours(24 * 20));  // new from Jan 10 to Jan 30
  EXPECT_EQ(history[2].time_in_stage, absl::Hours(24 * 200));
  EXPECT_FALSE(history[4].current);
  EXPECT_TRUE(history[5].current);
  EXPECT_EQ(history[5].time_in_stage, absl::ZeroDuration());
  EXPECT_FALSE(history[0].move.from.has_value());
}

TEST(Lifecycle, ManualAndRuleMoves) {
  TestDb t;
  ASSERT_OK(t.db.SaveLifecycleModel(DefaultLifecycleModel()));
  ASSERT_OK_AND_ASSIGN(bob, t.db.CreateCustomer(Person("Bob")));
  t.clock->Set(At(2025, 2, 1));
  ASSERT_OK(OrderNow(t, bob.id));
  ASSERT_EQ(StageOf(t.db, bob.id), "new");

  const int64_t seq = t.db.LastChangeSeq();
  EXPECT_ERROR(t.db.MoveCustomerStage(bob.id, "churned", {}), absl::StatusCode::kInvalidArgument,
               "reason: a manual stage move needs a reason");
  EXPECT_ERROR(t.db.MoveCustomerStage(bob.id, "churned", {.reason = "  "}), absl::StatusCode::kInvalidArgument,
               "reason: a manual stage move needs a reason");
  EXPECT_ERROR(t.db.MoveCustomerStage(bob.id, "gone", {.reason = "x"}), absl::StatusCode::kInvalidArgument,
               "stage: lifecycle model \"default\" has no stage \"gone\"");
  EXPECT_ERROR(t.db.MoveCustomerStage(bob.id, "new", {.reason = "x"}), absl::StatusCode::kFailedPrecondition,
               "stage: customer 1 is already in \"new\"");
  EXPECT_ERROR(t.db.MoveCustomerStage(CustomerId{99}, "new", {.reason = "x"}), absl::StatusCode::kNotFound,
               "customer 99: not found");
  // A rule follows the policy: new -> prospect is backward.
  const StageMoveRequest rule{.reason = "no orders", .source = StageMoveSource::kRule, .rule = "demote"};
  EXPECT_ERROR(t.db.MoveCustomerStage(bob.id, "prospect", rule), absl::StatusCode::kFailedPrecondition,
               "stage: lifecycle model \"default\" does not allow a move from \"new\" to \"prospect\" (forward only)");
  EXPECT_ERROR(t.db.MoveCustomerStage(bob.id, "active", {.source = StageMoveSource::kRule}),
               absl::StatusCode::kInvalidArgument, "rule: a rule's stage move names the rule");
  // Nothing was written by any of those.
  EXPECT_EQ(t.db.LastChangeSeq(), seq);
  EXPECT_EQ(StageOf(t.db, bob.id), "new");
  EXPECT_THAT(Path(t.db, bob.id), ElementsAre("prospect", "new"));

  // A rule may go forward.
  ASSERT_OK_AND_ASSIGN(ruled, t.db.MoveCustomerStage(bob.id, "at_risk", rule));
  EXPECT_EQ(ruled.source, StageMoveSource::kRule);
  EXPECT_EQ(ruled.rule, "demote");
  // A person may go anywhere, with a reason.
  t.clock->Advance(absl::Hours(1));
  ASSERT_OK_AND_ASSIGN(manual, t.db.MoveCustomerStage(bob.id, "prospect", {.reason = "ordered by mistake"}));
  EXPECT_EQ(manual.from, "at_risk");
  EXPECT_EQ(StageOf(t.db, bob.id), "prospect");
  auto changes = LifecycleChanges(t.db);
  ASSERT_GE(changes.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(changes.back().after),
            nlohmann::json::parse(R"({"lifecycle_stage": "prospect", "model": "default", "source": "manual",
                                      "reason": "ordered by mistake", "rule": ""})"));
  EXPECT_EQ(nlohmann::json::parse(changes[changes.size() - 2].after)["rule"], "demote");

  // A plain field update of a governed customer's stage is refused, and changes nothing.
  const int64_t seq2 = t.db.LastChangeSeq();
  CustomerPatch patch;
  patch.fields["lifecycle_stage"] = Value("active");
  EXPECT_ERROR(t.db.UpdateCustomer(bob.id, patch), absl::StatusCode::kFailedPrecondition,
               "lifecycle_stage: customer 1 is governed by lifecycle model \"default\"; change its stage with "
               "MoveCustomerStage (a manual move with a reason)");
  EXPECT_EQ(t.db.LastChangeSeq(), seq2);
  patch.fields["lifecycle_stage"] = Value("prospect");  // unchanged: fine
  ASSERT_OK(t.db.UpdateCustomer(bob.id, patch));
}

TEST(Lifecycle, AttachmentByKindAndPrecedence) {
  TestDb t;
  LifecycleModel b2b = DefaultLifecycleModel();
  b2b.name = "b2b";
  b2b.attachment.kinds = {CustomerKind::kOrganization};
  b2b.stages[0].name = "lead";
  b2b.transitions[0].from = {"dormant", "churned"};
  ASSERT_OK(t.db.SaveLifecycleModel(b2b));
  ASSERT_OK_AND_ASSIGN(person, t.db.CreateCustomer(Person("Ann")));
  CustomerDraft org = Person("ACME");
  org.Set("kind", "organization");
  ASSERT_OK_AND_ASSIGN(acme, t.db.CreateCustomer(org));
  EXPECT_EQ(StageOf(t.db, person.id), "<none>");  // no model governs persons
  EXPECT_EQ(StageOf(t.db, acme.id), "lead");
  EXPECT_ERROR(t.db.MoveCustomerStage(person.id, "new", {.reason = "x"}), absl::StatusCode::kFailedPrecondition,
               "customer 1: no lifecycle model governs this customer");
  // Free stage edits of ungoverned customers still work.
  CustomerPatch patch;
  patch.fields["lifecycle_stage"] = Value("whatever");
  ASSERT_OK(t.db.UpdateCustomer(person.id, patch));

  // A catch-all model with the same precedence overlaps organizations: refused, nothing stored.
  const int64_t seq = t.db.LastChangeSeq();
  EXPECT_ERROR(t.db.SaveLifecycleModel(DefaultLifecycleModel()), absl::StatusCode::kInvalidArgument,
               "attachment.precedence: model \"b2b\" is also attached to organization customers with precedence 0; "
               "give one of them a different precedence");
  EXPECT_EQ(t.db.LastChangeSeq(), seq);
  LifecycleModel all = DefaultLifecycleModel();
  all.attachment.precedence = -1;
  ASSERT_OK(t.db.SaveLifecycleModel(all));
  ASSERT_OK_AND_ASSIGN(models, t.db.LifecycleModels());
  ASSERT_EQ(models.size(), 2u);
  EXPECT_EQ(models[0].name, "b2b");  // highest precedence first
  ASSERT_OK_AND_ASSIGN(report, t.db.EvaluateLifecycle());
  EXPECT_EQ(report.evaluated, 2);
  EXPECT_EQ(StageOf(t.db, person.id), "prospect");  // "whatever" is no stage of "default": entry stage
  EXPECT_EQ(StageOf(t.db, acme.id), "lead");

  // Dropping a model: its customers keep their stage text and history; the hook goes with the last.
  ASSERT_OK(t.db.DropLifecycleModel("b2b"));
  EXPECT_ERROR(t.db.DropLifecycleModel("b2b"), absl::StatusCode::kNotFound, "lifecycle model \"b2b\": not found");
  EXPECT_EQ(StageOf(t.db, acme.id), "lead");
  ASSERT_OK(t.db.DropLifecycleModel("default"));
  EXPECT_FALSE(t.db.core().HasAfterCommitHook("lifecycle"));
  EXPECT_THAT(Path(t.db, acme.id), ElementsAre("lead"));
}

TEST(Lifecycle, AttachmentBySegment) {
  TestDb t;
  ASSERT_OK(t.db.SaveSegment({.name = "vip", .kind = SegmentKind::kStatic}));
  LifecycleModel vip = DefaultLifecycleModel();
  vip.name = "vip";
  vip.attachment.segment = "vip";
  vip.attachment.precedence = 10;
  ASSERT_OK(t.db.SaveLifecycleModel(vip));
  LifecycleModel rest = DefaultLifecycleModel();
  ASSERT_OK(t.db.SaveLifecycleModel(rest));
  ASSERT_OK_AND_ASSIGN(a, t.db.CreateCustomer(Person("A")));
  ASSERT_OK_AND_ASSIGN(b, t.db.CreateCustomer(Person("B")));
  ASSERT_OK(t.db.AddToSegment("vip", {b.id}));
  ASSERT_OK_AND_ASSIGN(ha, t.db.CustomerStageHistory(a.id));
  ASSERT_OK_AND_ASSIGN(hb, t.db.CustomerStageHistory(b.id));
  EXPECT_EQ(ha.back().move.model, "default");
  EXPECT_EQ(hb.back().move.model, "default");  // placed when created, before joining the list
  ASSERT_OK_AND_ASSIGN(m, t.db.MoveCustomerStage(b.id, "new", {.reason = "test"}));
  EXPECT_EQ(m.model, "vip");
  EXPECT_ERROR(t.db.DropSegment("nope"), absl::StatusCode::kNotFound, "");
}

TEST(Lifecycle, BadModelsAreRefusedWithExactMessagesAndNothingStored) {
  TestDb t;
  const int64_t seq = t.db.LastChangeSeq();
  auto refused = [&](LifecycleModel m, absl::StatusCode code, const std::string& message) {
    auto s = t.db.SaveLifecycleModel(m);
    EXPECT_EQ(s.status().code(), code) << s.status();
    EXPECT_EQ(std::string(s.status().message()), message);
  };
  LifecycleModel m = DefaultLifecycleModel();
  m.stages[2].condition = "foo > 1";
  refused(m, absl::StatusCode::kInvalidArgument, "stages[2].condition: unknown field \"foo\"; did you mean \"aov\"?");
  m = DefaultLifecycleModel();
  m.stages[1].condition = "frequency >=";
  {
    auto s = t.db.SaveLifecycleModel(m);
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(s.status().message()), ::testing::StartsWith("stages[1].condition: 1:"));
  }
  m = DefaultLifecycleModel();
  m.stages[4].name = "new";
  refused(m, absl::StatusCode::kInvalidArgument, "stages[4].name: duplicate stage \"new\" (also stages[1])");
  m = DefaultLifecycleModel();
  m.stages[3].name = "";
  refused(m, absl::StatusCode::kInvalidArgument, "stages[3].name: must not be empty");
  m = DefaultLifecycleModel();
  m.transitions[0].to = "revived";
  refused(m, absl::StatusCode::kInvalidArgument, "transitions[0].to: unknown stage \"revived\"");
  m = DefaultLifecycleModel();
  m.transitions[1].from = {"at_risk", "sleeping"};
  refused(m, absl::StatusCode::kInvalidArgument, "transitions[1].from[1]: unknown stage \"sleeping\"");
  m = DefaultLifecycleModel();
  m.attachment.segment = "nobody";
  refused(m, absl::StatusCode::kNotFound, "attachment.segment: no saved segment named \"nobody\"");
  m = DefaultLifecycleModel();
  m.stages.clear();
  refused(m, absl::StatusCode::kInvalidArgument, "stages: a model needs at least one stage");
  m = DefaultLifecycleModel();
  m.name = " ";
  refused(m, absl::StatusCode::kInvalidArgument, "name: must not be empty");
  EXPECT_EQ(t.db.LastChangeSeq(), seq);
  ASSERT_OK_AND_ASSIGN(models, t.db.LifecycleModels());
  EXPECT_TRUE(models.empty());
  EXPECT_FALSE(t.db.core().HasAfterCommitHook("lifecycle"));

  // CLV scores are usable in conditions.
  m = DefaultLifecycleModel();
  m.stages[4].condition = "churn_risk > 0.5 or recency_days > 90";
  ASSERT_OK(t.db.SaveLifecycleModel(m));
  ASSERT_OK_AND_ASSIGN(stored, t.db.GetLifecycleModel("default"));
  EXPECT_EQ(stored.stages[4].condition, "churn_risk > 0.5 or recency_days > 90");
  EXPECT_EQ(stored.created_at, At(2025, 1, 1));
}

TEST(Lifecycle, JsonFormRoundTripsAndNamesBadMembers) {
  const LifecycleModel m = DefaultLifecycleModel();
  ASSERT_OK_AND_ASSIGN(back, LifecycleModelFromJson(LifecycleModelToJson(m)));
  EXPECT_EQ(LifecycleModelToJson(back), LifecycleModelToJson(m));
  EXPECT_ERROR(LifecycleModelFromJson(R"({"name": "x", "stages": [{"name": "a", "kind": "sleepy"}]})"),
               absl::StatusCode::kInvalidArgument, "stages[0].kind: unknown value \"sleepy\"");
  EXPECT_ERROR(LifecycleModelFromJson(R"({"name": "x", "stages": [], "colour": 1})"),
               absl::StatusCode::kInvalidArgument, "colour: unknown member");
  EXPECT_ERROR(LifecycleModelFromJson(R"({"name": "x", "stages": [{"name": "a"}], "transitions": [{"to": "a"}]})"),
               absl::StatusCode::kInvalidArgument, "transitions[0].from: required");
  EXPECT_ERROR(LifecycleModelFromJson("{"), absl::StatusCode::kInvalidArgument, "json: not valid JSON");
}

TEST(Lifecycle, StagesAsOfAndDistribution) {
  TestDb t;
  ASSERT_OK(t.db.SaveLifecycleModel(DefaultLifecycleModel()));
  ASSERT_OK_AND_ASSIGN(a, t.db.CreateCustomer(Person("A")));  // Jan 1: prospect
  t.clock->Set(At(2025, 1, 15));
  ASSERT_OK_AND_ASSIGN(b, t.db.CreateCustomer(Person("B")));  // Jan 15: prospect
  ASSERT_OK(OrderNow(t, a.id));                                // a: new
  t.clock->Set(At(2025, 2, 10));
  ASSERT_OK(OrderNow(t, a.id));  // a: active
  ASSERT_OK(OrderNow(t, b.id));  // b: new

  ASSERT_OK_AND_ASSIGN(dec, t.db.StagesAsOf(At(2024, 12, 31)));
  EXPECT_TRUE(dec.empty());
  ASSERT_OK_AND_ASSIGN(jan10, t.db.StagesAsOf(At(2025, 1, 10)));
  ASSERT_EQ(jan10.size(), 1u);
  EXPECT_EQ(jan10[0].stage, "prospect");
  ASSERT_OK_AND_ASSIGN(feb1, t.db.StagesAsOf(At(2025, 2, 1)));
  ASSERT_EQ(feb1.size(), 2u);
  EXPECT_EQ(feb1[0].customer, a.id);
  EXPECT_EQ(feb1[0].stage, "new");
  EXPECT_EQ(feb1[0].since, At(2025, 1, 15));
  EXPECT_EQ(feb1[1].stage, "prospect");
  ASSERT_OK_AND_ASSIGN(now, t.db.StagesAsOf(t.clock->Now()));
  EXPECT_EQ(now[0].stage, "active");
  EXPECT_EQ(now[1].stage, "new");

  ASSERT_OK_AND_ASSIGN(d, t.db.StageDistribution(At(2025, 1, 1), At(2025, 4, 1), DistributionStep::kMonth));
  EXPECT_THAT(d.periods, ElementsAre(At(2025, 1, 1), At(2025, 2, 1), At(2025, 3, 1)));
  ASSERT_EQ(d.stages[0], "prospect");
  EXPECT_THAT(d.counts[0], ElementsAre(1, 0, 0));  // prospect at the end of Jan, Feb, Mar
  EXPECT_THAT(d.counts[1], ElementsAre(1, 1, 1));  // new
  EXPECT_THAT(d.counts[2], ElementsAre(0, 1, 1));  // active
  ASSERT_OK_AND_ASSIGN(w, t.db.StageDistribution(At(2025, 1, 8), At(2025, 1, 20), DistributionStep::kWeek,
                                                 absl::UTCTimeZone()));
  EXPECT_THAT(w.periods, ElementsAre(At(2025, 1, 6), At(2025, 1, 13)));  // Mondays
  EXPECT_THAT(w.counts[0], ElementsAre(1, 1));  // a until Jan 15, then b
  EXPECT_THAT(w.counts[1], ElementsAre(0, 1));
  EXPECT_ERROR(t.db.StageDistribution(At(2025, 2, 1), At(2025, 1, 1), DistributionStep::kDay),
               absl::StatusCode::kInvalidArgument, "to: must be after from");
  EXPECT_ERROR(t.db.EvaluateLifecycle(At(2025, 1, 1)), absl::StatusCode::kInvalidArgument,
               "as_of: 2025-01-01T00:00:00Z is before the last recorded stage move (2025-02-10T00:00:00Z)");
}

TEST(Lifecycle, ImportedCustomersEnterInOneBatchAndUserTransactionsHookAfterCommit) {
  TestDb t;
  ASSERT_OK(t.db.SaveLifecycleModel(DefaultLifecycleModel()));
  ImportOptions options;
  options.mapping = {{"name", "name"}};
  ASSERT_OK_AND_ASSIGN(r, t.db.ImportCsv("name\nA\nB\nC\n", options));
  EXPECT_EQ(r.created, 3);
  ASSERT_OK_AND_ASSIGN(stages, t.db.StagesAsOf(t.clock->Now()));
  ASSERT_EQ(stages.size(), 3u);
  for (const CustomerStage& s : stages) EXPECT_EQ(s.stage, "prospect");

  ASSERT_OK_AND_ASSIGN(tx, t.db.Begin());
  ASSERT_OK_AND_ASSIGN(d, t.db.CreateCustomer(Person("D")));
  ASSERT_OK(OrderNow(t, d.id));
  EXPECT_EQ(StageOf(t.db, d.id), "<none>");  // nothing runs inside the transaction
  ASSERT_OK(tx.Commit());
  EXPECT_EQ(StageOf(t.db, d.id), "new");  // placed by its condition, straight from no stage
  EXPECT_THAT(Path(t.db, d.id), ElementsAre("new"));
  EXPECT_TRUE(t.db.core().last_hook_error().ok()) << t.db.core().last_hook_error();
}

}  // namespace
}  // namespace rapport
