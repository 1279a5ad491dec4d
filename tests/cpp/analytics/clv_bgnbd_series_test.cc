// The fast path of the BG/NBD conditional expectation (src/analytics/clv_bgnbd_expectation.h) against
// the general one (Boost.Math's 2F1): the specialised series, the factor G(x, z), and whole
// predictions, over parameters that exercise every branch (a < 1, a > 2, a at and near 1, A < 0 and a
// terminating series, large x past the table, z near 1 where the general path takes over).
#include <cmath>
#include <random>
#include <vector>

#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/hypergeometric_pFq.hpp>

#include "analytics/clv_bgnbd_expectation.h"
#include "analytics/clv_math.h"
#include "clv_test_data.h"
#include "rapport/clv.h"
#include "test_util.h"

namespace rapport {
namespace {

using internal::BgNbdRepeatFactor;
using internal::BgNbdRepeatFactorGeneral;

double Relative(double got, double want) { return std::abs(got - want) / std::max(std::abs(want), 1e-300); }

const std::vector<BgNbdModel::Params>& ParameterSets() {
  static const std::vector<BgNbdModel::Params> sets{
      {0.243, 4.414, 0.793, 2.426},  // CDNOW (Fader, Hardie & Lee 2005)
      {2.5, 0.5, 0.4, 6.0},          // heavy buyers
      {0.5, 3.0, 3.5, 4.0},          // a > 2: the ratios' bound (B+k)/(k+1) > 1
      {5.0, 10.0, 0.5, 1.0},         // A = a+b-1-r = -4.5 < 0: early terms alternate in sign
      {3.0, 2.0, 0.5, 1.5},          // A = -2: the series ends after two terms
      {0.7, 6.0, 1.3, 0.2},          // b < 1
  };
  return sets;
}

const std::vector<double> kFrequencies{0, 1, 2, 3, 7, 20, 100, 511, 512, 600, 5000, 1e12};
const std::vector<double> kZ{0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.95, 0.98};

// S' * B + 1 is Gauss's 2F1(A, B; C; z): the series against Boost's generic pFq summation.
TEST(BgNbdSeries, SeriesIsTheHypergeometricFunction) {
  for (const auto& p : ParameterSets()) {
    const BgNbdRepeatFactor factor(p);
    const double A = p.a + p.b - 1 - p.r, B = p.a - 1;
    for (double x : kFrequencies) {
      for (double z : {1e-9, 1e-4, 0.01, 0.3, 0.7, 0.9, 0.98}) {
        const double s = factor.SeriesOverB(x, z);
        ASSERT_TRUE(std::isfinite(s)) << x << " " << z;
        const double boost = internal::Hyp2F1(A, B, p.a + p.b + x - 1, z);
        // At z = 0.98 both sums run ~2,000 terms, whose products each add a rounding.
        EXPECT_LE(Relative(1 + B * s, boost), z > 0.95 ? 5e-14 : 1e-14) << "a=" << p.a << " x=" << x << " z=" << z;
      }
    }
  }
}

// G(x, z), fast against general, to 1e-12 of its value (both are accurate to about 1e-15 there).
TEST(BgNbdSeries, FactorMatchesTheGeneralPath) {
  for (const auto& p : ParameterSets()) {
    const BgNbdRepeatFactor factor(p);
    for (double x : kFrequencies) {
      for (double z : kZ) {
        const double fast = factor(x, z), general = BgNbdRepeatFactorGeneral(p, x, z);
        ASSERT_TRUE(std::isfinite(general)) << x << " " << z;
        EXPECT_LE(Relative(fast, general), 1e-12) << "r=" << p.r << " a=" << p.a << " x=" << x << " z=" << z;
      }
    }
  }
}

// For a short horizon the expectation is the posterior purchase rate times t, G(x, z) = (r + x) z + O(z^2)
// (z = t / (alpha + T + t)). The general path cannot show it: it takes G from 1 - (1-z)^(a-1) 2F1, which
// cancels down to O(z) and keeps only about 1e-16 / z of its digits.
TEST(BgNbdSeries, ShortHorizonsGiveThePosteriorRate) {
  for (const auto& p : ParameterSets()) {
    const BgNbdRepeatFactor factor(p);
    for (double x : kFrequencies) {
      EXPECT_LE(Relative(factor(x, 1e-9) / 1e-9, p.r + x), 1e-8) << "a=" << p.a << " x=" << x;
    }
  }
}

// At a = 1 the general path averages a = 1 -+ 1e-6 (its 0/0); the series divides B out and needs no
// special case. Its value there is the limit G = -C (ln(1-z) + sum_k (A)_k / ((C)_k k) z^k), summed
// here directly; near a = 1 the general path loses digits to the cancellation it divides by (a-1).
TEST(BgNbdSeries, AtAndNearAEqualToOne) {
  const double r = 0.3, alpha = 5, b = 2.5;
  for (double x : {0.0, 1.0, 4.0, 50.0}) {
    for (double z : {0.05, 0.4, 0.8}) {
      const double A = 1 + b - 1 - r, C = 1 + b + x - 1;
      double sum = 0, term = 1;
      for (int k = 1; k < 100000; ++k) {
        term *= (A + k - 1) / (C + k - 1) * z;
        sum += term / k;
        if (term < 1e-20 * sum) break;
      }
      const double limit = -C * (std::log1p(-z) + sum);
      const BgNbdModel::Params one{r, alpha, 1.0, b};
      EXPECT_LE(Relative(BgNbdRepeatFactor(one)(x, z), limit), 1e-13) << x << " " << z;
      EXPECT_LE(Relative(BgNbdRepeatFactorGeneral(one, x, z), limit), 1e-8) << x << " " << z;
      for (double a : {1 - 1e-3, 1 + 2e-6, 1 + 1e-4}) {
        const BgNbdModel::Params near{r, alpha, a, b};
        EXPECT_LE(Relative(BgNbdRepeatFactor(near)(x, z), BgNbdRepeatFactorGeneral(near, x, z)), 1e-8)
            << a << " " << x << " " << z;
      }
    }
  }
}

// Where the series would need more than kMaxTerms terms (z near 1), the general path gives the value.
TEST(BgNbdSeries, NearOneTheGeneralPathTakesOver) {
  const BgNbdModel::Params p{0.243, 4.414, 0.793, 2.426};
  const BgNbdRepeatFactor factor(p);
  EXPECT_TRUE(std::isnan(factor.SeriesOverB(0, 0.999)));
  EXPECT_EQ(factor(0, 0.999), BgNbdRepeatFactorGeneral(p, 0, 0.999));
  EXPECT_FALSE(std::isnan(factor.SeriesOverB(0, 0.98)));
  EXPECT_EQ(factor(3, 0), 0);
}

// Whole predictions: P(alive) and E[Y(t)] of many simulated customers (two threads) against the
// general factor row by row, and the same values whether the rows come alone or together.
TEST(BgNbdSeries, PredictionsMatchTheGeneralPathRowByRow) {
  const BgNbdModel::Params p{0.243, 4.414, 0.793, 2.426};
  testing::Columns c = testing::SimulateBgNbd(100'000, p, 0, 60, 7);
  ASSERT_OK_AND_ASSIGN(m, BgNbdModel::FromParams(p));
  for (double t : {1.0, 12.857, 39.0, 520.0}) {
    std::vector<double> e(c.x.size()), alive(c.x.size());
    ASSERT_OK(m.ConditionalExpectedPurchases(t, c.View(), e));
    ASSERT_OK(m.ProbabilityAlive(c.View(), alive));
    double worst = 0;
    for (size_t i = 0; i < c.x.size(); i += 97) {
      const double z = t / (p.alpha + c.T[i] + t);
      const double want = alive[i] * BgNbdRepeatFactorGeneral(p, c.x[i], z);
      worst = std::max(worst, Relative(e[i], want));
      double one = 0;
      ASSERT_OK(m.ConditionalExpectedPurchases(
          t, RecencyFrequency{std::span(&c.x[i], 1), std::span(&c.tx[i], 1), std::span(&c.T[i], 1), {}},
          std::span(&one, 1)));
      ASSERT_EQ(one, e[i]) << i;
    }
    EXPECT_LE(worst, 1e-12) << t;
  }
}

}  // namespace
}  // namespace rapport
