// Lifetime value and the P(alive) history, against the models' own conditional expectations.
#include <cmath>
#include <vector>

#include "clv_test_data.h"
#include "rapport/clv.h"
#include "test_util.h"

namespace rapport {
namespace {

TEST(ClvValue, DiscountedIncrementsOfExpectedPurchasesTimesSpend) {
  ASSERT_OK_AND_ASSIGN(bg, BgNbdModel::FromParams({0.243, 4.414, 0.793, 2.426}));
  ASSERT_OK_AND_ASSIGN(pareto, ParetoNbdModel::FromParams({0.553, 10.578, 0.606, 11.669}));
  ASSERT_OK_AND_ASSIGN(spend, GammaGammaModel::FromParams({6.25, 3.74, 15.44}));
  const std::vector<double> x{0, 2, 7}, tx{0, 30.43, 20}, T{38.86, 38.86, 39}, monetary{NAN, 22.35, 41};
  const RecencyFrequency data{x, tx, T, {}};
  std::vector<double> m(3);
  ASSERT_OK(spend.ConditionalExpectedSpend(FrequencyMonetary{x, monetary, {}}, m));
  ClvOptions o;
  o.periods = 12;
  o.period_length = 52.0 / 12;  // months, in weeks
  o.discount_rate = 0.01;
  o.margin = 0.3;
  for (const PurchaseModel* model : std::vector<const PurchaseModel*>{&bg, &pareto}) {
    std::vector<double> clv(3);
    ASSERT_OK(CustomerLifetimeValue(*model, spend, data, monetary, o, clv));
    std::vector<double> expected(3, 0.0), before(3, 0.0), now(3);
    for (int k = 1; k <= o.periods; ++k) {
      ASSERT_OK(model->ConditionalExpectedPurchases(k * o.period_length, data, now));
      for (int i = 0; i < 3; ++i) expected[i] += (now[i] - before[i]) / std::pow(1.01, k);
      before = now;
    }
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(clv[i], 0.3 * m[i] * expected[i], 1e-12 * clv[i]) << i;
    // Without discounting the increments telescope to a year's expected purchases.
    ClvOptions flat = o;
    flat.discount_rate = 0;
    ASSERT_OK(CustomerLifetimeValue(*model, spend, data, monetary, flat, clv));
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(clv[i], 0.3 * m[i] * before[i], 1e-12 * clv[i]) << i;
  }
}

TEST(ClvValue, AliveHistoryFollowsThePurchases) {
  ASSERT_OK_AND_ASSIGN(bg, BgNbdModel::FromParams({0.243, 4.414, 0.793, 2.426}));
  ASSERT_OK_AND_ASSIGN(pareto, ParetoNbdModel::FromParams({0.553, 10.578, 0.606, 11.669}));
  const std::vector<double> purchases{2.5, 10, 30.43};
  const std::vector<double> at{0, 2.5, 5, 10, 20, 30.43, 38.86};
  for (const PurchaseModel* model : std::vector<const PurchaseModel*>{&bg, &pareto}) {
    std::vector<double> history(at.size());
    ASSERT_OK(model->AliveHistory(purchases, at, history));
    const std::vector<double> x{0, 1, 1, 2, 2, 3, 3}, tx{0, 2.5, 2.5, 10, 10, 30.43, 30.43};
    std::vector<double> direct(at.size());
    ASSERT_OK(model->ProbabilityAlive(RecencyFrequency{x, tx, at, {}}, direct));
    EXPECT_EQ(history, direct);
    // Just bought: a Pareto/NBD customer is alive; a BG/NBD one may have left right after the purchase
    // (with probability a / (a + b + x - 1) given x purchases without leaving).
    EXPECT_DOUBLE_EQ(history[1], model == &pareto ? 1 : 1 / (1 + 0.793 / 2.426));
    EXPECT_LT(history[2], history[1]);  // silence lowers it
    EXPECT_GT(history[5], history[4]);  // a purchase raises it again
  }
}

}  // namespace
}  // namespace rapport
