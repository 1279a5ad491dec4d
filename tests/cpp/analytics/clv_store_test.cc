// Stored CLV models: the spec's JSON form, fitting on the database's orders, saving, applying (the
// scores equal the models called directly on the same summary), replacing, deleting, and the errors
// of bad input with nothing written.
#include <cmath>
#include <algorithm>
#include <map>
#include <random>

#include "base/strings.h"
#include "clv_test_data.h"
#include "base/status_macros.h"
#include "db/facade_util.h"
#include "model/clv_model_repository.h"
#include "nlohmann/json.hpp"
#include "test_util.h"

namespace rapport {
namespace {

using ::testing::ElementsAre;
using testing::At;
using testing::Person;
using testing::TestDb;

constexpr double kWeek = 7.0;

// A spec made by hand, every member set.
ClvModelSpec HandSpec() {
  ClvModelSpec s;
  s.name = "手工 model";
  s.model = ClvModelKind::kBgNbd;
  s.params = {0.243, 4.414, 0.793, 2.426};
  s.fit.log_likelihood = -9582.43;
  s.fit.covariance = {1, 0.5, 0, 0, 0.5, 2, 0, 0, 0, 0, 3, 0.25, 0, 0, 0.25, 4};
  s.fit.std_errors = {1, std::sqrt(2.0), std::sqrt(3.0), 2};
  s.fit.customers = 2357;
  s.fit.evaluations = 19;
  s.fit.rows = 2357;
  s.fit.distinct_rows = 1017;
  s.spend = std::array<double, 3>{6.25, 3.74, 15.44};
  s.spend_fit.log_likelihood = std::nan("");
  s.spend_fit.customers = 946;
  s.cutoff = At(1997, 9, 30);
  s.time_unit = kMicrosPerWeek;
  s.merge_period = kMicrosPerDay;
  s.merge_offset = -8 * 3600 * int64_t{1'000'000};
  s.order_statuses = {"completed", "shipped"};
  s.currency = "USD";
  s.value = ClvOptions{.periods = 6, .period_length = 30.0 / 7, .discount_rate = 0.02, .margin = 0.3};
  s.fitted_at = At(2025, 1, 2, 3, 4) + absl::Microseconds(5);
  return s;
}

TEST(ClvModelSpec, JsonRoundTripKeepsEveryMember) {
  const ClvModelSpec s = HandSpec();
  const std::string json = s.ToJson();
  ASSERT_OK_AND_ASSIGN(back, ClvModelSpec::FromJson(json));
  EXPECT_EQ(back.name, s.name);
  EXPECT_EQ(back.model, s.model);
  EXPECT_EQ(back.params, s.params);
  EXPECT_EQ(back.fit.log_likelihood, s.fit.log_likelihood);
  EXPECT_EQ(back.fit.covariance, s.fit.covariance);
  EXPECT_EQ(back.fit.std_errors, s.fit.std_errors);
  EXPECT_EQ(back.fit.customers, s.fit.customers);
  EXPECT_EQ(back.fit.evaluations, 19);
  EXPECT_EQ(back.fit.distinct_rows, 1017);
  ASSERT_TRUE(back.spend.has_value());
  EXPECT_EQ(*back.spend, *s.spend);
  EXPECT_TRUE(std::isnan(back.spend_fit.log_likelihood));
  EXPECT_TRUE(back.spend_fit.covariance.empty());
  EXPECT_EQ(back.cutoff, s.cutoff);
  EXPECT_EQ(back.merge_offset, s.merge_offset);
  EXPECT_EQ(back.order_statuses, s.order_statuses);
  EXPECT_EQ(back.currency, "USD");
  EXPECT_EQ(back.value.periods, 6);
  EXPECT_EQ(back.value.period_length, 30.0 / 7);
  EXPECT_EQ(back.value.discount_rate, 0.02);
  EXPECT_EQ(back.value.margin, 0.3);
  EXPECT_EQ(back.fitted_at, s.fitted_at);
  EXPECT_FALSE(back.applied_at.has_value());
  EXPECT_EQ(back.ToJson(), json);

  const auto j = nlohmann::json::parse(json);
  EXPECT_EQ(j["params"]["alpha"], 4.414);
  EXPECT_EQ(j["summary"]["cutoff"], "1997-09-30T00:00:00Z");
  EXPECT_EQ(j["fitted_at"], "2025-01-02T03:04:00.000005Z");
  EXPECT_EQ(j["spend"]["params"]["gamma"], 15.44);
  EXPECT_TRUE(j["spend"]["fit"]["log_likelihood"].is_null());
  EXPECT_EQ(j["fit"]["covariance"][1][1], 2);
}

TEST(ClvModelSpec, MinimalJsonGetsDefaults) {
  ASSERT_OK_AND_ASSIGN(s, ClvModelSpec::FromJson(
      R"({"name": "m", "model": "pareto_nbd", "params": {"r": 0.55, "alpha": 10.58, "s": 0.61, "beta": 11.67},
          "summary": {"cutoff": "1997-09-30"}})"));
  EXPECT_EQ(s.model, ClvModelKind::kParetoNbd);
  EXPECT_FALSE(s.spend.has_value());
  EXPECT_TRUE(std::isnan(s.fit.log_likelihood));
  EXPECT_EQ(s.time_unit, kMicrosPerWeek);
  EXPECT_EQ(s.merge_period, kMicrosPerDay);
  EXPECT_THAT(s.order_statuses, ElementsAre("completed"));
  EXPECT_EQ(s.value.periods, 12);
  EXPECT_DOUBLE_EQ(s.value.period_length, 30 / kWeek);
  EXPECT_EQ(s.value.discount_rate, 0.01);
}

TEST(ClvModelSpec, BadMembersAreNamed) {
  const std::string params = R"("params": {"r": 1, "alpha": 1, "a": 1, "b": 1})";
  const std::string summary = R"("summary": {"cutoff": "2025-01-01T00:00:00Z"})";
  auto with = [&](const std::string& members) { return StrCat("{\"name\": \"m\", \"model\": \"bg_nbd\", ", members, "}"); };
  const struct {
    std::string json;
    std::string message;
  } cases[] = {
      {"[1]", "spec: must be a JSON object"},
      {"{\"name\": ", "spec: not valid JSON (or not UTF-8)"},
      {"{\"name\": \"\xff\"}", "spec: not valid JSON (or not UTF-8)"},
      {with(params + ", " + summary + ", \"colour\": 1"), "spec: unknown member \"colour\""},
      {with(summary), "params: required"},
      {with(R"("params": {"r": 1, "alpha": 1, "a": 1}, )" + summary), "params.b: required"},
      {with(R"("params": {"r": 1, "alpha": -1, "a": 1, "b": 1}, )" + summary), "params.alpha: must be finite and > 0, got -1"},
      {with(R"("params": {"r": 1, "alpha": 1, "s": 1, "b": 1}, )" + summary),
       "params: unknown parameter \"s\" (expected r, alpha, a, b)"},
      {with(R"("params": {"r": "1", "alpha": 1, "a": 1, "b": 1}, )" + summary), "params.r: must be a number"},
      {with(params), "summary: required"},
      {with(params + R"(, "summary": {"cutoff": "yesterday"})"), "summary.cutoff: "},
      {with(params + R"(, "summary": {"cutoff": "2025-01-01", "time_unit_us": 0})"), "summary.time_unit_us: must be positive, got 0"},
      {with(params + R"(, "summary": {"cutoff": "2025-01-01", "merge_offset_us": -9223372036854775808})"),
       "summary.merge_offset_us: must be within one merge period (-86400000000, 86400000000), got -9223372036854775808"},
      {with(params + R"(, "summary": {"cutoff": "2025-01-01", "order_statuses": []})"),
       "summary.order_statuses: must name at least one status"},
      {with(params + ", " + summary + R"(, "value": {"periods": 0})"), "value.periods: must be >= 1, got 0"},
      {with(params + ", " + summary + R"(, "value": {"discount_rate": -0.5})"),
       "value.discount_rate: must be finite and >= 0, got -0.5"},
      {with(params + ", " + summary + R"(, "spend": {"params": {"p": 1, "q": 0, "gamma": 1}})"),
       "spend.params.q: must be finite and > 0, got 0"},
      {with(params + ", " + summary + R"(, "fit": {"covariance": [[1, 0], [0, 1]]})"),
       "fit.covariance: must be 4 rows of 4 numbers or null"},
      {with(params + ", " + summary + R"(, "fit": {"std_errors": {"r": -1, "alpha": 1, "a": 1, "b": 1}})"),
       "fit.std_errors: must be finite and >= 0 (or null), got -1"},
      {R"({"name": "m", "model": "bg_bb", )" + params + ", " + summary + "}",
       "model: must be \"bg_nbd\" or \"pareto_nbd\", got \"bg_bb\""},
      {R"({"name": " ", "model": "bg_nbd", )" + params + ", " + summary + "}", "name: must not be empty"},
  };
  for (const auto& c : cases) {
    auto s = ClvModelSpec::FromJson(c.json);
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << c.json;
    EXPECT_THAT(std::string(s.status().message()), ::testing::StartsWith(c.message)) << c.json;
  }
}

// A database of customers whose orders follow a BG/NBD-like story, with amounts.
class ClvStore : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937_64 rng(20250101);
    std::exponential_distribution<double> gap_days(1.0 / 40);
    std::uniform_real_distribution<double> unit(0, 1);
    std::lognormal_distribution<double> typical_amount(3.5, 0.6);
    auto txn = db().Begin();
    ASSERT_TRUE(txn.ok());
    for (int i = 0; i < 400; ++i) {
      ASSERT_OK_AND_ASSIGN(c, db().CreateCustomer(Person(StrCat("客户", i))));
      ids_.push_back(ToInt(c.id));
      // First purchase in the first 300 days of 2024, then repeat purchases until the customer drops out.
      double day = unit(rng) * 300;
      const double dropout = unit(rng) * 0.5;
      // Each customer spends around an amount of their own: the heterogeneity Gamma-Gamma describes.
      const double typical = typical_amount(rng);
      while (day < 540) {
        const int64_t minor = 100 + static_cast<int64_t>(std::round(typical * (0.4 + 1.2 * unit(rng)) * 100));
        const absl::Time at = At(2024, 1, 1, 12) + absl::Hours(24 * std::floor(day));
        ASSERT_OK(db().AddOrder(OrderDraft{.customer = c.id, .amount = Money{minor, "CNY"}, .ordered_at = at}));
        if (unit(rng) < dropout) break;
        day += 1 + gap_days(rng);
      }
    }
    ASSERT_OK(txn->Commit());
    t_.clock->Set(At(2025, 7, 1));
  }
  Database& db() { return t_.db; }

  ClvModelFitOptions Options() const {
    ClvModelFitOptions o;
    o.cutoff = At(2024, 12, 31);
    return o;
  }

  // Change entries after `seq`.
  std::vector<Change> ChangesAfter(int64_t seq) {
    auto changes = db().Changes({.after_seq = seq});
    EXPECT_TRUE(changes.ok());
    return changes.ok() ? *changes : std::vector<Change>{};
  }

  TestDb t_;
  std::vector<int64_t> ids_;
};

TEST_F(ClvStore, FitStoresTheModelWithItsConventions) {
  const int64_t seq = db().LastChangeSeq();
  ASSERT_OK_AND_ASSIGN(spec, db().FitClvModel("2024 年", Options()));
  EXPECT_GT(spec.id, 0);
  EXPECT_EQ(spec.model, ClvModelKind::kBgNbd);
  EXPECT_EQ(spec.cutoff, At(2024, 12, 31));
  EXPECT_EQ(spec.currency, "CNY");  // resolved and kept
  EXPECT_EQ(spec.fitted_at, At(2025, 7, 1));
  EXPECT_FALSE(spec.applied_at.has_value());
  EXPECT_DOUBLE_EQ(spec.value.period_length, 30 / kWeek);
  ASSERT_TRUE(spec.spend.has_value());
  EXPECT_EQ(spec.fit.customers, 400);
  EXPECT_EQ(spec.fit.std_errors.size(), 4u);
  EXPECT_LT(spec.fit.log_likelihood, 0);

  // The fit is the model's own fit on the summary of the same orders.
  ASSERT_OK_AND_ASSIGN(summary, db().SummarizeOrdersForClv(spec.SummaryOptions(spec.cutoff)));
  ASSERT_EQ(summary.rows(), 400u);
  ASSERT_OK_AND_ASSIGN(direct, BgNbdModel::Fit(RecencyFrequency{summary.frequency, summary.recency, summary.age, {}}));
  EXPECT_EQ(spec.params[0], direct.params().r);
  EXPECT_EQ(spec.params[3], direct.params().b);
  EXPECT_EQ(spec.fit.log_likelihood, direct.info().log_likelihood);

  ASSERT_OK_AND_ASSIGN(stored, db().GetClvModel("2024 年"));
  EXPECT_EQ(stored.ToJson(), spec.ToJson());
  ASSERT_OK_AND_ASSIGN(all, db().ClvModels());
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].name, "2024 年");

  const auto changes = ChangesAfter(seq);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].entity, "clv_model");
  EXPECT_EQ(changes[0].op, "create");
  EXPECT_EQ(changes[0].entity_id, spec.id);
}

TEST_F(ClvStore, FitErrorsWriteNothing) {
  ASSERT_OK(db().FitClvModel("taken", Options()));
  const int64_t seq = db().LastChangeSeq();
  EXPECT_ERROR(db().FitClvModel("", Options()), absl::StatusCode::kInvalidArgument, "name: must not be empty");
  EXPECT_ERROR(db().FitClvModel("taken", Options()), absl::StatusCode::kAlreadyExists,
               "name: a CLV model named \"taken\" already exists");
  ClvModelFitOptions early = Options();
  early.cutoff = At(2023, 1, 1);
  EXPECT_ERROR(db().FitClvModel("early", early), absl::StatusCode::kFailedPrecondition,
               "orders: no customer has an order at or before the cutoff (2023-01-01T00:00:00Z)");
  ClvModelFitOptions bad_unit = Options();
  bad_unit.time_unit = 0;
  EXPECT_ERROR(db().FitClvModel("unit", bad_unit), absl::StatusCode::kInvalidArgument,
               "summary.time_unit_us: must be positive, got 0");
  ClvModelFitOptions bad_value = Options();
  bad_value.value.discount_rate = std::nan("");
  EXPECT_ERROR(db().FitClvModel("value", bad_value), absl::StatusCode::kInvalidArgument,
               "value.discount_rate: must be finite and >= 0, got nan");
  ClvModelFitOptions starved = Options();
  starved.fit.max_evaluations = 2;
  EXPECT_ERROR(db().FitClvModel("starved", starved), absl::StatusCode::kFailedPrecondition,
               "fit: the BG/NBD likelihood did not converge after ");
  ClvModelFitOptions statuses = Options();
  statuses.order_statuses = {"refunded"};
  EXPECT_ERROR(db().FitClvModel("refunded", statuses), absl::StatusCode::kFailedPrecondition,
               "orders: no customer has an order at or before the cutoff");

  EXPECT_EQ(db().LastChangeSeq(), seq);
  ASSERT_OK_AND_ASSIGN(all, db().ClvModels());
  EXPECT_EQ(all.size(), 1u);
}

TEST(ClvStoreFit, NobodyRepeatedCannotIdentifyTheModel) {
  TestDb fresh;
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(c, fresh.db.CreateCustomer(Person(StrCat("c", i))));
    ASSERT_OK(fresh.db.AddOrder(OrderDraft{.customer = c.id, .amount = Money{100, "CNY"}, .ordered_at = At(2024, 1, 1 + i)}));
  }
  ClvModelFitOptions o;
  o.cutoff = At(2024, 6, 1);
  EXPECT_ERROR(fresh.db.FitClvModel("m", o), absl::StatusCode::kFailedPrecondition,
               "frequency: nobody repeated (every frequency is 0); the BG/NBD model cannot be identified");
  ASSERT_OK_AND_ASSIGN(all, fresh.db.ClvModels());
  EXPECT_TRUE(all.empty());
}

TEST_F(ClvStore, ApplyGivesTheModelsOwnPredictions) {
  ASSERT_OK_AND_ASSIGN(spec, db().FitClvModel("m", Options()));
  const absl::Time as_of = At(2025, 3, 31);
  const int64_t seq = db().LastChangeSeq();
  ASSERT_OK_AND_ASSIGN(report, db().ApplyClvModel("m", as_of));
  EXPECT_EQ(report.model, "m");
  EXPECT_EQ(report.model_id, spec.id);
  EXPECT_EQ(report.as_of, as_of);
  EXPECT_EQ(report.customers, 400);

  // The same numbers from the models called directly on the summary at as_of.
  ASSERT_OK_AND_ASSIGN(orders, db().LoadOrderFrame());
  ASSERT_OK_AND_ASSIGN(summary, SummarizeForClv(orders, spec.SummaryOptions(as_of)));
  const RecencyFrequency data{summary.frequency, summary.recency, summary.age, {}};
  ASSERT_OK_AND_ASSIGN(model, BgNbdModel::FromParams({spec.params[0], spec.params[1], spec.params[2], spec.params[3]}));
  ASSERT_OK_AND_ASSIGN(spend, GammaGammaModel::FromParams({(*spec.spend)[0], (*spec.spend)[1], (*spec.spend)[2]}));
  std::vector<double> alive(summary.rows()), expected(summary.rows()), value(summary.rows());
  ASSERT_OK(model.ProbabilityAlive(data, alive));
  ASSERT_OK(model.ConditionalExpectedPurchases(90 / kWeek, data, expected));
  ASSERT_OK(CustomerLifetimeValue(model, spend, data, summary.monetary, spec.value, value));

  ASSERT_OK_AND_ASSIGN(scores, db().ClvScores());
  EXPECT_EQ(scores.model, "m");
  EXPECT_EQ(scores.model_id, spec.id);
  EXPECT_EQ(scores.as_of, as_of);
  ASSERT_EQ(scores.customer, summary.customer);
  for (size_t i = 0; i < scores.rows(); ++i) {
    EXPECT_EQ(scores.p_alive[i], alive[i]) << i;
    EXPECT_EQ(scores.expected_purchases_90d[i], expected[i]) << i;
    EXPECT_EQ(scores.clv[i], value[i]) << i;
    EXPECT_EQ(scores.churn_risk[i], 1 - alive[i]) << i;
    EXPECT_TRUE(alive[i] > 0 && alive[i] <= 1) << i;
  }

  const auto changes = ChangesAfter(seq);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].entity, "clv_scores");
  EXPECT_EQ(changes[0].op, "apply");
  EXPECT_EQ(changes[0].entity_id, spec.id);
  EXPECT_EQ(nlohmann::json::parse(changes[0].after),
            nlohmann::json({{"model", "m"}, {"as_of", "2025-03-31T00:00:00Z"}, {"customers", 400}}));
  ASSERT_OK_AND_ASSIGN(stored, db().GetClvModel("m"));
  EXPECT_EQ(stored.applied_at, as_of);
}

TEST_F(ClvStore, ReapplyReplacesEveryRow) {
  ASSERT_OK(db().FitClvModel("bg", Options()));
  ClvModelFitOptions pareto = Options();
  pareto.model = ClvModelKind::kParetoNbd;
  pareto.spend = false;
  ASSERT_OK_AND_ASSIGN(p, db().FitClvModel("pareto", pareto));
  ASSERT_OK(db().ApplyClvModel("bg", At(2025, 1, 1)));
  // A customer who first buys later is scored by the next apply; the Pareto/NBD model has no spend model.
  ASSERT_OK_AND_ASSIGN(late, db().CreateCustomer(Person("late")));
  ASSERT_OK(db().AddOrder(OrderDraft{.customer = late.id, .amount = Money{5000, "CNY"}, .ordered_at = At(2025, 2, 1)}));
  ASSERT_OK_AND_ASSIGN(report, db().ApplyClvModel("pareto"));  // now: 2025-07-01
  EXPECT_EQ(report.customers, 401);
  EXPECT_EQ(report.as_of, At(2025, 7, 1));
  ASSERT_OK_AND_ASSIGN(scores, db().ClvScores());
  EXPECT_EQ(scores.model, "pareto");
  EXPECT_EQ(scores.model_id, p.id);
  ASSERT_EQ(scores.rows(), 401u);
  EXPECT_EQ(scores.customer.back(), ToInt(late.id));
  for (size_t i = 0; i < scores.rows(); ++i) EXPECT_TRUE(std::isnan(scores.clv[i])) << i;
  EXPECT_EQ(scores.churn_risk.back(), 1 - scores.p_alive.back());
}

TEST_F(ClvStore, ApplyErrorsWriteNothing) {
  ASSERT_OK(db().FitClvModel("m", Options()));
  ASSERT_OK(db().ApplyClvModel("m", At(2025, 1, 15)));
  const int64_t seq = db().LastChangeSeq();
  EXPECT_ERROR(db().ApplyClvModel("m", At(2024, 12, 30)), absl::StatusCode::kInvalidArgument,
               "as_of: 2024-12-30T00:00:00Z is before the cutoff of \"m\" (2024-12-31T00:00:00Z)");
  EXPECT_ERROR(db().ApplyClvModel("nope"), absl::StatusCode::kNotFound, "CLV model \"nope\": not found");
  EXPECT_ERROR(db().DeleteClvModel("nope"), absl::StatusCode::kNotFound, "CLV model \"nope\": not found");
  EXPECT_ERROR(db().GetClvModel("nope"), absl::StatusCode::kNotFound, "CLV model \"nope\": not found");
  EXPECT_EQ(db().LastChangeSeq(), seq);
  ASSERT_OK_AND_ASSIGN(scores, db().ClvScores());
  EXPECT_EQ(scores.rows(), 400u);
  EXPECT_EQ(scores.as_of, At(2025, 1, 15));
}

TEST_F(ClvStore, DeleteCascadesToTheScores) {
  ASSERT_OK_AND_ASSIGN(spec, db().FitClvModel("m", Options()));
  ASSERT_OK(db().FitClvModel("never applied", Options()));
  ASSERT_OK(db().ApplyClvModel("m"));
  int64_t seq = db().LastChangeSeq();
  ASSERT_OK(db().DeleteClvModel("never applied"));
  auto changes = ChangesAfter(seq);
  ASSERT_EQ(changes.size(), 1u);  // no scores of its own: only the model's entry
  EXPECT_EQ(changes[0].entity, "clv_model");
  ASSERT_OK_AND_ASSIGN(still, db().ClvScores());
  EXPECT_EQ(still.rows(), 400u);

  seq = db().LastChangeSeq();
  ASSERT_OK(db().DeleteClvModel("m"));
  ASSERT_OK_AND_ASSIGN(scores, db().ClvScores());
  EXPECT_EQ(scores.rows(), 0u);
  EXPECT_EQ(scores.model, "");
  EXPECT_FALSE(scores.as_of.has_value());
  changes = ChangesAfter(seq);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].entity, "clv_scores");
  EXPECT_EQ(changes[0].op, "delete");
  EXPECT_EQ(changes[0].entity_id, spec.id);
  EXPECT_EQ(nlohmann::json::parse(changes[0].before), nlohmann::json({{"model", "m"}, {"customers", 400}}));
  EXPECT_EQ(changes[1].entity, "clv_model");
  EXPECT_EQ(changes[1].op, "delete");
  EXPECT_ERROR(db().GetClvModel("m"), absl::StatusCode::kNotFound, "CLV model \"m\": not found");
}

TEST_F(ClvStore, SaveValidatesAndAppliesAModelFittedElsewhere) {
  ClvModelSpec s = HandSpec();
  s.order_statuses = {"completed"};
  s.currency = "";
  s.cutoff = At(2024, 12, 31);
  s.fitted_at = absl::InfinitePast();  // "now"
  s.applied_at = At(2030, 1, 1);       // not carried over
  const int64_t seq = db().LastChangeSeq();
  ClvModelSpec bad = s;
  bad.params[1] = -4;
  EXPECT_ERROR(db().SaveClvModel(bad), absl::StatusCode::kInvalidArgument, "params.alpha: must be finite and > 0, got -4");
  bad = s;
  bad.spend = std::array<double, 3>{1, std::nan(""), 1};
  EXPECT_ERROR(db().SaveClvModel(bad), absl::StatusCode::kInvalidArgument, "spend.params.q: must be finite and > 0, got nan");
  bad = s;
  bad.name = "\xc3\x28";
  EXPECT_ERROR(db().SaveClvModel(bad), absl::StatusCode::kInvalidArgument, "name: ");
  bad = s;
  bad.cutoff = absl::InfinitePast();
  EXPECT_ERROR(db().SaveClvModel(bad), absl::StatusCode::kInvalidArgument,
               "summary.cutoff: must be a time (the calibration end of the fit)");
  EXPECT_EQ(db().LastChangeSeq(), seq);

  ASSERT_OK_AND_ASSIGN(saved, db().SaveClvModel(s));
  EXPECT_EQ(saved.fitted_at, At(2025, 7, 1));
  EXPECT_FALSE(saved.applied_at.has_value());
  EXPECT_EQ(saved.params, s.params);
  EXPECT_ERROR(db().SaveClvModel(s), absl::StatusCode::kAlreadyExists, "name: a CLV model named \"手工 model\" already exists");
  ASSERT_OK_AND_ASSIGN(report, db().ApplyClvModel(s.name, At(2025, 1, 1)));
  EXPECT_EQ(report.customers, 400);
  ASSERT_OK_AND_ASSIGN(scores, db().ClvScores());
  for (size_t i = 0; i < scores.rows(); ++i) {
    EXPECT_TRUE(std::isfinite(scores.clv[i]) && scores.clv[i] > 0) << i;
  }
}

// The scores are computed from a snapshot and written afterwards: a customer purged in between is left
// out instead of breaking the foreign key (the write probes customers only when a purge happened).
TEST_F(ClvStore, ScoresOfCustomersPurgedMeanwhileAreLeftOut) {
  ASSERT_OK_AND_ASSIGN(spec, db().FitClvModel("m", Options()));
  ASSERT_OK_AND_ASSIGN(summary, db().SummarizeOrdersForClv(spec.SummaryOptions(At(2025, 1, 1))));
  ASSERT_OK_AND_ASSIGN(scores, ScoreClvCustomers(spec, summary, At(2025, 1, 1)));
  ASSERT_EQ(scores.rows(), 400u);
  const int64_t seq = db().LastChangeSeq();
  auto write = [&]() {
    return internal::Mutate(db().core(), db().actor(), [&](const internal::WriteContext& ctx) -> absl::StatusOr<int64_t> {
      ASSIGN_OR_RETURN(const bool purged, internal::CustomersPurgedSince(ctx.conn, seq));
      return internal::ReplaceClvScores(ctx, spec, scores, At(2025, 1, 1), purged);
    });
  };
  ASSERT_OK_AND_ASSIGN(all, write());
  EXPECT_EQ(all, 400);
  ASSERT_OK(db().PurgeCustomer(CustomerId{ids_[7]}));
  ASSERT_OK_AND_ASSIGN(rest, write());
  EXPECT_EQ(rest, 399);
  ASSERT_OK_AND_ASSIGN(stored, db().ClvScores());
  EXPECT_EQ(stored.rows(), 399u);
  EXPECT_EQ(std::count(stored.customer.begin(), stored.customer.end(), ids_[7]), 0);
}

// CDNOW in the database: the fit reproduces the published BG/NBD estimates (Fader, Hardie & Lee 2005:
// r 0.243, alpha 4.414, a 0.793, b 2.426, LL -9582.4), and the stored P(alive) of every customer is
// the model's.
TEST(ClvStoreCdnow, FitAndApplyOnTheTransactionLog) {
  if (!std::filesystem::exists(testing::CdnowFile("CDNOW_sample.txt"))) GTEST_SKIP() << "no ../shared/data/cdnow";
  const OrderFrame log = testing::LoadCdnowSample();
  TestDb t;
  {
    auto txn = t.db.Begin();
    ASSERT_TRUE(txn.ok());
    std::map<int64_t, CustomerId> ids;
    for (size_t i = 0; i < log.rows(); ++i) {
      auto [it, added] = ids.try_emplace(log.customer[i]);
      if (added) {
        ASSERT_OK_AND_ASSIGN(c, t.db.CreateCustomer(Person(StrCat("cdnow ", log.customer[i]))));
        it->second = c.id;
      }
      const int64_t cents = static_cast<int64_t>(std::llround(log.amount[i] * 100));
      ASSERT_OK(t.db.AddOrder(OrderDraft{.customer = it->second, .amount = Money{cents, "USD"},
                                         .ordered_at = absl::FromUnixMicros(log.at[i])}));
    }
    ASSERT_OK(txn->Commit());
  }
  ClvModelFitOptions o;
  o.cutoff = At(1997, 9, 30);
  ASSERT_OK_AND_ASSIGN(spec, t.db.FitClvModel("cdnow", o));
  EXPECT_NEAR(spec.params[0], 0.243, 5e-4);
  EXPECT_NEAR(spec.params[1], 4.414, 5e-4);
  EXPECT_NEAR(spec.params[2], 0.793, 5e-4);
  EXPECT_NEAR(spec.params[3], 2.426, 5e-4);
  EXPECT_NEAR(spec.fit.log_likelihood, -9582.4, 0.05);
  EXPECT_EQ(spec.fit.customers, 2357);

  ASSERT_OK_AND_ASSIGN(report, t.db.ApplyClvModel("cdnow", At(1997, 9, 30)));
  EXPECT_EQ(report.customers, 2357);
  ASSERT_OK_AND_ASSIGN(scores, t.db.ClvScores());
  ASSERT_OK_AND_ASSIGN(summary, t.db.SummarizeOrdersForClv(spec.SummaryOptions(At(1997, 9, 30))));
  ASSERT_EQ(summary.rows(), scores.rows());
  ASSERT_OK_AND_ASSIGN(model, BgNbdModel::FromParams({spec.params[0], spec.params[1], spec.params[2], spec.params[3]}));
  std::vector<double> alive(summary.rows());
  ASSERT_OK(model.ProbabilityAlive(RecencyFrequency{summary.frequency, summary.recency, summary.age, {}}, alive));
  for (size_t i = 0; i < summary.rows(); ++i) EXPECT_EQ(scores.p_alive[i], alive[i]) << i;
}

}  // namespace
}  // namespace rapport
