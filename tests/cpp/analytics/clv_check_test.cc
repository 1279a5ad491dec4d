// Model checking (include/rapport/clv_check.h): calibration against holdout on CDNOW and on customers
// simulated from each model's own story (where the conditional expectation must match the holdout
// within sampling error), the frequency/recency matrices, and the errors of bad input word for word.
#include "rapport/clv_check.h"

#include <cmath>
#include <filesystem>
#include <random>
#include <vector>

#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/hypergeometric_pFq.hpp>

#include "clv_test_data.h"
#include "rapport/clv.h"
#include "rapport/clv_summary.h"
#include "test_util.h"

namespace rapport {
namespace {

template <typename T>
std::string MessageOf(const T& result) {
  return std::string(testing::StatusOf(result).message());
}

// Customers with a calibration period of T (uniform on [t_min, t_max]) and a holdout of `holdout`
// after it, drawn from the BG/NBD story (as testing::SimulateBgNbd) or the Pareto/NBD one (lifetime
// exponential with rate mu ~ gamma(s, beta), purchases at rate lambda until then).
struct Simulated {
  testing::Columns calibration;
  std::vector<double> holdout;
};

Simulated Simulate(size_t n, const BgNbdModel::Params* bg, const ParetoNbdModel::Params* pareto, double t_min,
                   double t_max, double holdout, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> age(t_min, t_max), unit(0, 1);
  Simulated s;
  for (size_t i = 0; i < n; ++i) {
    double lambda, dropout = 0, death = HUGE_VAL;
    if (bg != nullptr) {
      lambda = std::gamma_distribution<double>(bg->r, 1 / bg->alpha)(rng);
      const double ga = std::gamma_distribution<double>(bg->a, 1)(rng), gb = std::gamma_distribution<double>(bg->b, 1)(rng);
      dropout = ga / (ga + gb);
    } else {
      lambda = std::gamma_distribution<double>(pareto->r, 1 / pareto->alpha)(rng);
      const double mu = std::gamma_distribution<double>(pareto->s, 1 / pareto->beta)(rng);
      death = std::exponential_distribution<double>(mu)(rng);
    }
    const double T = age(rng);
    std::exponential_distribution<double> gap(lambda);
    double t = 0, last = 0, x = 0, later = 0;
    while (true) {
      t += gap(rng);
      if (t > T + holdout || t > death) break;
      if (t <= T) {
        ++x;
        last = t;
      } else {
        ++later;
      }
      if (bg != nullptr && unit(rng) < dropout) break;
    }
    s.calibration.x.push_back(x);
    s.calibration.tx.push_back(last);
    s.calibration.T.push_back(T);
    s.holdout.push_back(later);
  }
  return s;
}

// Every group's actual mean must lie within 4 standard errors of the model's expectation: the data come
// from the model, so only a wrong expectation (or grouping) fails this.
void ExpectHoldoutMatches(const PurchaseModel& model, const Simulated& s, double holdout) {
  ASSERT_OK_AND_ASSIGN(check, CompareCalibrationHoldout(model, s.calibration.View(), s.holdout, holdout));
  ASSERT_EQ(check.groups(), 8u);
  double customers = 0;
  for (size_t g = 0; g < check.groups(); ++g) {
    double n = 0, sum = 0, sum2 = 0;
    for (size_t i = 0; i < s.holdout.size(); ++i) {
      if (std::min(s.calibration.x[i], 7.0) != static_cast<double>(g)) continue;
      n += 1, sum += s.holdout[i], sum2 += s.holdout[i] * s.holdout[i];
    }
    ASSERT_GT(n, 100) << g;
    EXPECT_EQ(check.frequency[g], static_cast<double>(g));
    EXPECT_EQ(check.customers[g], n);
    EXPECT_DOUBLE_EQ(check.actual[g], sum / n);
    const double se = std::sqrt((sum2 / n - (sum / n) * (sum / n)) / n);
    EXPECT_NEAR(check.actual[g], check.expected[g], 4 * se) << "group " << g;
    customers += check.customers[g];
  }
  EXPECT_EQ(customers, static_cast<double>(s.holdout.size()));
}

TEST(ClvCheck, CalibrationHoldoutOfSimulatedBgNbdCustomers) {
  const BgNbdModel::Params p{0.243, 4.414, 0.793, 2.426};
  const Simulated s = Simulate(300'000, &p, nullptr, 1, 39, 39, 11);
  ASSERT_OK_AND_ASSIGN(m, BgNbdModel::FromParams(p));
  ExpectHoldoutMatches(m, s, 39);
}

TEST(ClvCheck, CalibrationHoldoutOfSimulatedParetoNbdCustomers) {
  const ParetoNbdModel::Params p{0.553, 10.578, 0.606, 11.669};
  const Simulated s = Simulate(300'000, nullptr, &p, 1, 39, 39, 12);
  ASSERT_OK_AND_ASSIGN(m, ParetoNbdModel::FromParams(p));
  ExpectHoldoutMatches(m, s, 39);
}

class CdnowCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(testing::CdnowFile("CDNOW_sample.txt"))) {
      GTEST_SKIP() << "reference data not found: " << testing::CdnowFile("CDNOW_sample.txt");
    }
    auto s = SummarizeForClv(testing::LoadCdnowSample(), testing::CdnowOptions());
    ASSERT_TRUE(s.ok()) << s.status();
    summary_ = *std::move(s);
  }
  ClvSummary summary_;
};

// Fader, Hardie & Lee (2005), section 4 and its figure of conditional expectations: the 2,357 customers
// grouped by repeat purchases in weeks 1-39 (0 .. 6 and 7+), their mean purchases in weeks 40-78
// against the BG/NBD's E[Y(39) | x, t_x, T] at the published parameters. The paper prints the figure,
// not its numbers; what is printed elsewhere is checked: 1,411 of the 2,357 customers made no repeat
// purchase (the 946 repeat customers of the Gamma-Gamma fit), and each group's expectation is the mean
// of the paper's equation (10) as printed, with its own 2F1, over the group.
TEST_F(CdnowCheckTest, BgNbdCalibrationAgainstHoldout) {
  const double r = 0.243, alpha = 4.414, a = 0.793, b = 2.426;
  ASSERT_OK_AND_ASSIGN(m, BgNbdModel::FromParams({r, alpha, a, b}));
  ASSERT_OK_AND_ASSIGN(check, CompareCalibrationHoldout(m, summary_));
  ASSERT_EQ(check.groups(), 8u);
  EXPECT_EQ(check.holdout_duration, 39);
  EXPECT_EQ(check.customers[0], 1411);
  double customers = 0, total_actual = 0;
  for (size_t g = 0; g < 8; ++g) {
    double n = 0, actual = 0, expected = 0;
    for (size_t i = 0; i < summary_.rows(); ++i) {
      const double x = summary_.frequency[i], tx = summary_.recency[i], T = summary_.age[i];
      if (std::min(x, 7.0) != static_cast<double>(g)) continue;
      const double z = 39 / (alpha + T + 39);
      const double f = boost::math::hypergeometric_pFq({r + x, b + x}, {a + b + x - 1}, z);
      const double bracket = 1 - std::pow((alpha + T) / (alpha + T + 39), r + x) * f;
      const double odds = x > 0 ? a / (b + x - 1) * std::pow((alpha + T) / (alpha + tx), r + x) : 0.0;
      n += 1, actual += summary_.holdout_frequency[i];
      expected += (a + b + x - 1) / (a - 1) * bracket / (1 + odds);
    }
    EXPECT_EQ(check.customers[g], n);
    EXPECT_DOUBLE_EQ(check.actual[g], actual / n);
    EXPECT_NEAR(check.expected[g], expected / n, 1e-9) << g;
    customers += n, total_actual += actual;
  }
  EXPECT_EQ(customers, 2357);
  // The figure's shape: the more a customer bought in weeks 1-39, the more he buys in weeks 40-78, both
  // actually and as the model expects (the model expects 1,654 of the 1,882 repeat purchases made).
  for (size_t g = 1; g < 8; ++g) {
    EXPECT_GT(check.actual[g], check.actual[g - 1]) << g;
    EXPECT_GT(check.expected[g], check.expected[g - 1]) << g;
  }
  EXPECT_EQ(total_actual, 1882);
  // And the summary form is the array form.
  ASSERT_OK_AND_ASSIGN(same, CompareCalibrationHoldout(m, RecencyFrequency{summary_.frequency, summary_.recency,
                                                                           summary_.age, {}},
                                                       summary_.holdout_frequency, 39));
  EXPECT_EQ(same.expected, check.expected);
}

// Weights count customers: compressed rows give the groups of the rows they stand for.
TEST(ClvCheck, WeightsCountCustomers) {
  ASSERT_OK_AND_ASSIGN(m, BgNbdModel::FromParams({0.243, 4.414, 0.793, 2.426}));
  const std::vector<double> x{0, 2, 9, 2, 0}, tx{0, 10, 30, 10, 0}, T{20, 30, 35, 30, 20}, holdout{0, 1, 5, 3, 1};
  CalibrationHoldoutOptions options;
  options.max_frequency = 3;
  ASSERT_OK_AND_ASSIGN(plain, CompareCalibrationHoldout(m, RecencyFrequency{x, tx, T, {}}, holdout, 10, options));
  EXPECT_EQ(plain.frequency, (std::vector<double>{0, 1, 2, 3}));
  EXPECT_EQ(plain.customers, (std::vector<double>{2, 0, 2, 1}));
  EXPECT_EQ(plain.actual[0], 0.5);
  EXPECT_TRUE(std::isnan(plain.actual[1]) && std::isnan(plain.expected[1]));  // nobody with x = 1
  EXPECT_EQ(plain.actual[2], 2);
  EXPECT_EQ(plain.actual[3], 5);  // x = 9 is in the censored group "3+"
  // Rows 0 and 1 standing for 3 and 2 customers, row 2 for none.
  const std::vector<double> w{3, 2, 0, 0, 0};
  ASSERT_OK_AND_ASSIGN(weighted,
                       CompareCalibrationHoldout(m, RecencyFrequency{x, tx, T, w}, holdout, 10, options));
  EXPECT_EQ(weighted.customers, (std::vector<double>{3, 0, 2, 0}));
  EXPECT_EQ(weighted.actual[2], 1);
  EXPECT_DOUBLE_EQ(weighted.expected[2], plain.expected[2]);  // rows 1 and 3 are the same customer
  EXPECT_TRUE(std::isnan(weighted.expected[3]));
}

TEST(ClvCheck, CalibrationHoldoutErrors) {
  ASSERT_OK_AND_ASSIGN(m, BgNbdModel::FromParams({0.243, 4.414, 0.793, 2.426}));
  const std::vector<double> x{1, 0}, tx{5, 0}, T{10, 10};
  const RecencyFrequency data{x, tx, T, {}};
  const std::vector<double> ok{0, 2};
  EXPECT_EQ(MessageOf(CompareCalibrationHoldout(m, data, std::vector<double>{1}, 39)),
            "holdout_frequency: must have as many elements as frequency (2), got 1");
  EXPECT_EQ(MessageOf(CompareCalibrationHoldout(m, data, std::vector<double>{0, 1.5}, 39)),
            "holdout_frequency: must be a whole number >= 0 (row 1: 1.5)");
  EXPECT_EQ(MessageOf(CompareCalibrationHoldout(m, data, std::vector<double>{NAN, 1}, 39)),
            "holdout_frequency: must be a whole number >= 0 (row 0: nan)");
  EXPECT_EQ(MessageOf(CompareCalibrationHoldout(m, data, ok, 0)), "holdout_duration: must be finite and > 0, got 0");
  EXPECT_EQ(MessageOf(CompareCalibrationHoldout(m, data, ok, NAN)),
            "holdout_duration: must be finite and > 0, got nan");
  CalibrationHoldoutOptions negative;
  negative.max_frequency = -1;
  EXPECT_EQ(MessageOf(CompareCalibrationHoldout(m, data, ok, 39, negative)),
            "max_frequency: must be between 0 and 100000, got -1");
  const std::vector<double> bad_tx{11, 0};
  EXPECT_EQ(MessageOf(CompareCalibrationHoldout(m, RecencyFrequency{x, bad_tx, T, {}}, ok, 39)),
            "recency: must not exceed age (10) (row 0: 11)");
  ClvSummary no_holdout;
  no_holdout.customer = {1};
  no_holdout.frequency = {1}, no_holdout.recency = {1}, no_holdout.age = {2}, no_holdout.monetary = {NAN};
  EXPECT_EQ(MessageOf(CompareCalibrationHoldout(m, no_holdout)),
            "holdout_frequency: the summary has no holdout period (summarise with an observation_end)");
  EXPECT_EQ(testing::StatusOf(CompareCalibrationHoldout(m, no_holdout)).code(), absl::StatusCode::kInvalidArgument);
}

TEST(ClvCheck, FrequencyRecencyMatrixIsThePredictionsOnAGrid) {
  ASSERT_OK_AND_ASSIGN(m, BgNbdModel::FromParams({0.243, 4.414, 0.793, 2.426}));
  FrequencyRecencyOptions options;
  options.age = 38.86;
  options.max_frequency = 12;
  options.horizon = 39;
  ASSERT_OK_AND_ASSIGN(grid, ComputeFrequencyRecencyMatrix(m, options));
  ASSERT_EQ(grid.rows(), 13u);
  ASSERT_EQ(grid.columns(), 40u);  // 0, 1, ..., 38 and 38.86
  EXPECT_EQ(grid.recency.front(), 0);
  EXPECT_EQ(grid.recency[38], 38);
  EXPECT_EQ(grid.recency.back(), 38.86);
  EXPECT_EQ(grid.age, 38.86);
  EXPECT_EQ(grid.horizon, 39);
  EXPECT_EQ(grid.Alive(0, 0), 1);  // BG/NBD: nobody dies before a repeat purchase
  for (size_t j = 1; j < grid.columns(); ++j) {
    EXPECT_TRUE(std::isnan(grid.Expected(0, j)) && std::isnan(grid.Alive(0, j))) << j;  // x = 0, t_x > 0
  }
  for (size_t i = 0; i < grid.rows(); ++i) {
    for (size_t j = 0; j < grid.columns(); ++j) {
      if (i == 0 && j > 0) continue;
      const double x = grid.frequency[i], tx = grid.recency[j], T = 38.86;
      double e = 0, alive = 0;
      const RecencyFrequency one{std::span(&x, 1), std::span(&tx, 1), std::span(&T, 1), {}};
      ASSERT_OK(m.ConditionalExpectedPurchases(39, one, std::span(&e, 1)));
      ASSERT_OK(m.ProbabilityAlive(one, std::span(&alive, 1)));
      EXPECT_EQ(grid.Expected(i, j), e) << i << " " << j;
      EXPECT_EQ(grid.Alive(i, j), alive) << i << " " << j;
      // A more recent last purchase means more likely alive and more purchases to come.
      if (i > 0 && j > 0) {
        EXPECT_GT(grid.Alive(i, j), grid.Alive(i, j - 1)) << i << " " << j;
        EXPECT_GT(grid.Expected(i, j), grid.Expected(i, j - 1)) << i << " " << j;
      }
    }
  }
  // Among customers whose last purchase was just now, more purchases mean more to come.
  for (size_t i = 2; i < grid.rows(); ++i) EXPECT_GT(grid.Expected(i, 39), grid.Expected(i - 1, 39)) << i;
}

TEST(ClvCheck, FrequencyRecencyMatrixOfParetoNbdAndGivenColumns) {
  ASSERT_OK_AND_ASSIGN(m, ParetoNbdModel::FromParams({0.553, 10.578, 0.606, 11.669}));
  FrequencyRecencyOptions options;
  options.age = 52;
  options.max_frequency = 3;
  options.recency = {0, 26, 52};
  ASSERT_OK_AND_ASSIGN(grid, ComputeFrequencyRecencyMatrix(m, options));
  ASSERT_EQ(grid.rows(), 4u);
  ASSERT_EQ(grid.columns(), 3u);
  EXPECT_LT(grid.Alive(0, 0), 1);  // Pareto/NBD: customers can die before repeating
  EXPECT_GT(grid.Alive(3, 2), grid.Alive(3, 1));
  EXPECT_EQ(grid.recency, (std::vector<double>{0, 26, 52}));
  options.age = 0.5;  // a whole-unit grid of a short age: 0 and the age
  options.recency.clear();
  ASSERT_OK_AND_ASSIGN(short_grid, ComputeFrequencyRecencyMatrix(m, options));
  EXPECT_EQ(short_grid.recency, (std::vector<double>{0, 0.5}));
}

TEST(ClvCheck, FrequencyRecencyMatrixErrors) {
  ASSERT_OK_AND_ASSIGN(m, BgNbdModel::FromParams({0.243, 4.414, 0.793, 2.426}));
  FrequencyRecencyOptions o;
  EXPECT_EQ(MessageOf(ComputeFrequencyRecencyMatrix(m, o)), "age: must be finite and > 0, got 0");
  o.age = INFINITY;
  EXPECT_EQ(MessageOf(ComputeFrequencyRecencyMatrix(m, o)), "age: must be finite and > 0, got inf");
  o.age = 30;
  o.max_frequency = -2;
  EXPECT_EQ(MessageOf(ComputeFrequencyRecencyMatrix(m, o)), "max_frequency: must be >= 0, got -2");
  o.max_frequency = 5;
  o.horizon = -1;
  EXPECT_EQ(MessageOf(ComputeFrequencyRecencyMatrix(m, o)), "horizon: must be finite and >= 0, got -1");
  o.horizon = 1;
  o.recency = {0, 31};
  EXPECT_EQ(MessageOf(ComputeFrequencyRecencyMatrix(m, o)), "recency: must be between 0 and age (30) (column 1: 31)");
  o.recency = {NAN};
  EXPECT_EQ(MessageOf(ComputeFrequencyRecencyMatrix(m, o)), "recency: must be between 0 and age (30) (column 0: nan)");
  o.recency.clear();
  o.age = 1e9;
  EXPECT_EQ(MessageOf(ComputeFrequencyRecencyMatrix(m, o)),
            "recency: required for an age of 1e+09 (a column per whole time unit would be too many)");
  o.age = 30;
  o.max_frequency = 1'000'000;
  EXPECT_EQ(MessageOf(ComputeFrequencyRecencyMatrix(m, o)),
            "max_frequency: the matrix would have 32000032 cells (1000001 frequencies x 32 recencies), more than 10000000");
}

}  // namespace
}  // namespace rapport
