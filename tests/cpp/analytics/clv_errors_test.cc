// What bad input, a failed fit and unidentifiable data tell the caller, word for word.
#include <cmath>
#include <string>
#include <vector>

#include "clv_test_data.h"
#include "rapport/clv.h"
#include "test_util.h"

namespace rapport {
namespace {

template <typename T>
std::string MessageOf(const T& result) {
  return std::string(testing::StatusOf(result).message());
}

RecencyFrequency Data(const std::vector<double>& x, const std::vector<double>& tx, const std::vector<double>& T,
                      const std::vector<double>& w = {}) {
  return RecencyFrequency{x, tx, T, w};
}

TEST(ClvErrors, BadInputNamesTheFieldAndRow) {
  const std::vector<double> none;
  EXPECT_EQ(MessageOf(BgNbdModel::Fit(Data(none, none, none))), "frequency: no customers (the input is empty)");
  EXPECT_EQ(MessageOf(BgNbdModel::Fit(Data({1, 2}, {1, 2}, {3}))),
            "age: must have as many elements as frequency (2), got 1");
  EXPECT_EQ(MessageOf(BgNbdModel::Fit(Data({1, 2}, {1, -1}, {3, 3}))), "recency: must be >= 0 (row 1: -1)");
  EXPECT_EQ(MessageOf(BgNbdModel::Fit(Data({1}, {40}, {38.5}))), "recency: must not exceed age (38.5) (row 0: 40)");
  EXPECT_EQ(MessageOf(ParetoNbdModel::Fit(Data({1, NAN}, {1, 1}, {3, 3}))), "frequency: is NaN (row 1: nan)");
  EXPECT_EQ(MessageOf(ParetoNbdModel::Fit(Data({1}, {1}, {NAN}))), "age: is NaN (row 0: nan)");
  EXPECT_EQ(MessageOf(BgNbdModel::Fit(Data({1.5}, {1}, {3}))), "frequency: must be a whole number >= 0 (row 0: 1.5)");
  EXPECT_EQ(MessageOf(BgNbdModel::Fit(Data({1, 1}, {1, 1}, {3, 3}, {1, -2}))),
            "weights: must be finite and >= 0 (row 1: -2)");
  EXPECT_EQ(MessageOf(BgNbdModel::Fit(Data({1}, {1}, {3}, {0}))), "weights: all zero (no customers to fit)");
  EXPECT_EQ(MessageOf(BgBbModel::Fit(Data({3}, {2}, {6}))), "frequency: must not exceed recency (2) (row 0: 3)");
  EXPECT_EQ(MessageOf(BgBbModel::Fit(Data({0}, {2}, {6}))), "recency: must be 0 when frequency is 0 (row 0: 2)");
  EXPECT_EQ(MessageOf(ParetoNbdModel::Fit(Data({1, 0}, {1, 0.5}, {3, 3}))),
            "recency: must be 0 when frequency is 0 (row 1: 0.5)");
  EXPECT_EQ(MessageOf(BgBbModel::Fit(Data({1}, {1}, {6.5}))), "age: must be a whole number of opportunities (row 0: 6.5)");
  const std::vector<double> x{2, 0}, m{0, NAN};
  EXPECT_EQ(MessageOf(GammaGammaModel::Fit(FrequencyMonetary{x, m, {}})),
            "monetary: must be finite and > 0 where frequency > 0 (row 0: 0)");
  ClvFitOptions three;
  three.initial = {1, 1, 1};
  EXPECT_EQ(MessageOf(BgNbdModel::Fit(Data({1}, {1}, {3}), three)), "initial: must have 4 parameters, got 3");
  ClvFitOptions negative;
  negative.initial = {1, 1, -1, 1};
  EXPECT_EQ(MessageOf(ParetoNbdModel::Fit(Data({1}, {1}, {3}), negative)),
            "initial: parameters must be finite and > 0 (parameter 2: -1)");
  EXPECT_EQ(MessageOf(BgNbdModel::FromParams({0.2, -1, 1, 1})), "alpha: must be finite and > 0, got -1");
  EXPECT_EQ(MessageOf(GammaGammaModel::FromParams({1, 1, INFINITY})), "gamma: must be finite and > 0, got inf");
}

TEST(ClvErrors, FitOptionsTheOptimiserCannotRunWith) {
  const std::vector<double> x{1, 2}, tx{1, 2}, T{3, 3}, m{5, 7};
  ClvFitOptions nan_tolerance;
  nan_tolerance.tolerance = NAN;
  EXPECT_EQ(MessageOf(BgNbdModel::Fit(Data(x, tx, T), nan_tolerance)), "tolerance: must be finite and >= 0, got nan");
  ClvFitOptions negative_tolerance;
  negative_tolerance.tolerance = -1e-9;
  EXPECT_EQ(MessageOf(ParetoNbdModel::Fit(Data(x, tx, T), negative_tolerance)),
            "tolerance: must be finite and >= 0, got -1e-09");
  ClvFitOptions no_evaluations;
  no_evaluations.max_evaluations = 0;
  EXPECT_EQ(MessageOf(BgBbModel::Fit(Data(x, tx, T), no_evaluations)), "max_evaluations: must be >= 1, got 0");
  EXPECT_EQ(MessageOf(GammaGammaModel::Fit(FrequencyMonetary{x, m, {}}, no_evaluations)),
            "max_evaluations: must be >= 1, got 0");
  ClvFitOptions threads;
  threads.threads = -1;
  EXPECT_EQ(BgNbdModel::Fit(Data(x, tx, T), threads).status().code(), absl::StatusCode::kInvalidArgument);
}

// Large inputs are checked in parts on two threads; the message still names the first bad row.
TEST(ClvErrors, TheFirstBadRowOfALargeInputIsNamed) {
  const size_t n = 1'000'000;
  std::vector<double> x(n, 1), tx(n, 1), T(n, 2);
  x[900'000] = -1;  // in the second half
  tx[700'000] = 3;  // also in the second half, and before it
  ASSERT_OK_AND_ASSIGN(m, BgNbdModel::FromParams({0.243, 4.414, 0.793, 2.426}));
  std::vector<double> out(n);
  EXPECT_EQ(MessageOf(m.ProbabilityAlive(Data(x, tx, T), out)), "recency: must not exceed age (2) (row 700000: 3)");
  x[300'000] = 0.5;  // now the first half has one too
  EXPECT_EQ(MessageOf(m.ProbabilityAlive(Data(x, tx, T), out)),
            "frequency: must be a whole number >= 0 (row 300000: 0.5)");
  x[300'000] = 1, tx[700'000] = 1, x[900'000] = 1;
  EXPECT_TRUE(m.ProbabilityAlive(Data(x, tx, T), out).ok());
  x[999'999] = 4503599627370497.0;  // 2^52 + 1: whole, and large
  EXPECT_TRUE(m.ProbabilityAlive(Data(x, tx, T), out).ok());
}

TEST(ClvErrors, NobodyRepeated) {
  EXPECT_EQ(MessageOf(BgNbdModel::Fit(Data({0, 0}, {0, 0}, {3, 5}))),
            "frequency: nobody repeated (every frequency is 0); the BG/NBD model cannot be identified");
  EXPECT_EQ(MessageOf(ParetoNbdModel::Fit(Data({0, 0}, {0, 0}, {3, 5}))),
            "frequency: nobody repeated (every frequency is 0); the Pareto/NBD model cannot be identified");
  EXPECT_EQ(MessageOf(BgBbModel::Fit(Data({0, 0}, {0, 0}, {6, 6}))),
            "frequency: nobody repeated (every frequency is 0); the BG/BB model cannot be identified");
  const std::vector<double> x{0, 0}, m{NAN, NAN};
  EXPECT_EQ(MessageOf(GammaGammaModel::Fit(FrequencyMonetary{x, m, {}})),
            "frequency: nobody repeated (every frequency is 0, or their weights are); the Gamma-Gamma model needs "
            "repeat purchases");
}

TEST(ClvErrors, FitsThatDoNotConvergeSaySo) {
  const testing::Columns c = testing::SimulateBgNbd(500, {0.5, 6.0, 0.8, 2.5}, 20, 40, 3);
  ClvFitOptions tight;
  tight.max_evaluations = 3;
  auto fit = BgNbdModel::Fit(c.View(), tight);
  EXPECT_EQ(fit.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(MessageOf(fit), ::testing::StartsWith("fit: the BG/NBD likelihood did not converge after 3 evaluations"));
  EXPECT_THAT(MessageOf(fit), ::testing::HasSubstr("try other starting values (ClvFitOptions::initial)"));
  ASSERT_OK(BgNbdModel::Fit(c.View()));  // the same data with room to converge
}

// Six kinds of customer whose best fit sends a and b towards 0 (every customer either never drops
// out or drops at once): the maximum is not inside the parameter space, so there is no estimate.
TEST(ClvErrors, DataThatCannotIdentifyTheModel) {
  auto fit = BgNbdModel::Fit(Data({0, 1, 2, 4, 0, 7}, {0, 3, 20, 30, 0, 35}, {40, 38, 39, 36, 20, 39}, {5, 3, 2, 1, 4, 2}));
  EXPECT_EQ(fit.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(MessageOf(fit), ::testing::StartsWith("fit: the BG/NBD "));
  EXPECT_THAT(MessageOf(fit), ::testing::HasSubstr("the data cannot identify the model"));
}

TEST(ClvErrors, PredictionArguments) {
  ASSERT_OK_AND_ASSIGN(m, BgNbdModel::FromParams({0.243, 4.414, 0.793, 2.426}));
  std::vector<double> out(2);
  EXPECT_EQ(MessageOf(m.ConditionalExpectedPurchases(-1, Data({1, 2}, {1, 2}, {3, 3}), out)),
            "t: must be finite and >= 0, got -1");
  EXPECT_EQ(MessageOf(m.ProbabilityAlive(Data({1, 2, 3}, {1, 2, 3}, {3, 3, 3}), out)), "out: must have 3 elements, got 2");
  EXPECT_EQ(MessageOf(m.PurchaseCountProbability(1, std::vector<double>{1, 0.5}, out)),
            "n: must be a whole number >= 0 (row 1: 0.5)");
  EXPECT_EQ(MessageOf(m.ExpectedPurchases(std::vector<double>{1, NAN}, out)), "t: must be finite and >= 0 (row 1: nan)");
  EXPECT_EQ(MessageOf(m.AliveHistory(std::vector<double>{3, 2}, std::vector<double>{1, 4}, out)),
            "purchase_times: must be finite, > 0 (after the first purchase) and ascending (row 1: 2)");
  ASSERT_OK_AND_ASSIGN(spend, GammaGammaModel::FromParams({6.25, 3.74, 15.44}));
  ClvOptions o;
  const std::vector<double> monetary{20, 30};
  EXPECT_EQ(MessageOf(CustomerLifetimeValue(m, spend, Data({1, 2}, {1, 2}, {3, 3}), monetary, o, out)),
            "period_length: must be finite and > 0, got 0");
  o.period_length = 4;
  o.discount_rate = -0.1;
  EXPECT_EQ(MessageOf(CustomerLifetimeValue(m, spend, Data({1, 2}, {1, 2}, {3, 3}), monetary, o, out)),
            "discount_rate: must be finite and >= 0, got -0.1");
}

}  // namespace
}  // namespace rapport
