// Predictions of the CLV models: identities they must satisfy (probabilities summing to one, means
// matching the closed-form expectations, the law of total expectation), the untransformed paper
// formulas where those are still accurate, and finite, sensible values for very frequent buyers.
#include <cmath>
#include <numeric>
#include <vector>

#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/binomial.hpp>
#include <boost/math/special_functions/hypergeometric_pFq.hpp>

#include "clv_test_data.h"
#include "rapport/clv.h"
#include "test_util.h"

namespace rapport {
namespace {

std::vector<double> Counts(int n) {
  std::vector<double> v(n);
  std::iota(v.begin(), v.end(), 0.0);
  return v;
}

// P(X(t) = n) over n = 0..limit sums to 1 and its mean is E[X(t)].
void ExpectDistribution(const PurchaseModel& m, double t, int limit) {
  const std::vector<double> n = Counts(limit);
  std::vector<double> p(n.size()), e(1);
  ASSERT_OK(m.PurchaseCountProbability(t, n, p));
  ASSERT_OK(m.ExpectedPurchases(std::vector<double>{t}, e));
  double total = 0, mean = 0;
  for (size_t i = 0; i < n.size(); ++i) {
    EXPECT_GE(p[i], 0) << n[i];
    total += p[i];
    mean += n[i] * p[i];
  }
  EXPECT_NEAR(total, 1, 1e-9) << t;
  EXPECT_NEAR(mean, e[0], 1e-7 * std::max(1.0, e[0])) << t;
}

TEST(ClvPrediction, BgNbdDistributionMatchesItsMean) {
  ASSERT_OK_AND_ASSIGN(m, BgNbdModel::FromParams({0.243, 4.414, 0.793, 2.426}));
  for (double t : {0.5, 39.0, 78.0}) ExpectDistribution(m, t, 4000);
  ASSERT_OK_AND_ASSIGN(heavy, BgNbdModel::FromParams({2.5, 0.5, 0.4, 6.0}));
  ExpectDistribution(heavy, 52, 5000);
}

TEST(ClvPrediction, ParetoNbdDistributionMatchesItsMean) {
  ASSERT_OK_AND_ASSIGN(m, ParetoNbdModel::FromParams({0.553, 10.578, 0.606, 11.669}));
  for (double t : {0.5, 39.0, 78.0}) ExpectDistribution(m, t, 600);
  ASSERT_OK_AND_ASSIGN(other, ParetoNbdModel::FromParams({1.2, 3.0, 1.8, 0.9}));  // alpha > beta, s > 1
  ExpectDistribution(other, 20, 600);
}

// Equation (10) of the BG/NBD paper as printed, 2F1(r+x, b+x; a+b+x-1; z) and all, is accurate for
// small x; the Euler-transformed form must agree with it there.
TEST(ClvPrediction, BgNbdExpectationMatchesThePaperFormulaForSmallX) {
  const double r = 0.243, alpha = 4.414, a = 0.793, b = 2.426;
  ASSERT_OK_AND_ASSIGN(m, BgNbdModel::FromParams({r, alpha, a, b}));
  const std::vector<double> x{0, 1, 2, 5, 10}, tx{0, 10, 30.43, 20, 38}, T{38.86, 30, 38.86, 39, 38.5};
  const double t = 39;
  std::vector<double> e(x.size()), alive(x.size());
  ASSERT_OK(m.ConditionalExpectedPurchases(t, RecencyFrequency{x, tx, T, {}}, e));
  ASSERT_OK(m.ProbabilityAlive(RecencyFrequency{x, tx, T, {}}, alive));
  for (size_t i = 0; i < x.size(); ++i) {
    const double z = t / (alpha + T[i] + t);
    const double f = boost::math::hypergeometric_pFq({r + x[i], b + x[i]}, {a + b + x[i] - 1}, z);
    const double bracket = 1 - std::pow((alpha + T[i]) / (alpha + T[i] + t), r + x[i]) * f;
    const double denominator =
        1 + (x[i] > 0 ? a / (b + x[i] - 1) * std::pow((alpha + T[i]) / (alpha + tx[i]), r + x[i]) : 0.0);
    EXPECT_NEAR(e[i], (a + b + x[i] - 1) / (a - 1) * bracket / denominator, 1e-10) << x[i];
    EXPECT_NEAR(alive[i], 1 / denominator, 1e-14) << x[i];
  }
}

// Hardie's note 027: for large x the paper's 2F1 overflows (Excel's #NUM!). x = 5000 must give finite
// values: a buyer whose last purchase was just now is almost surely alive and keeps buying at nearly
// his posterior rate (r+x)/(alpha+T); one silent for most of the period is almost surely gone.
TEST(ClvPrediction, HugeFrequenciesStayFinite) {
  ASSERT_OK_AND_ASSIGN(bg, BgNbdModel::FromParams({0.243, 4.414, 0.793, 2.426}));
  ASSERT_OK_AND_ASSIGN(pareto, ParetoNbdModel::FromParams({0.553, 10.578, 0.606, 11.669}));
  const std::vector<double> x{5000, 5000, 4999}, tx{100, 50, 100}, T{100, 100, 100};
  const RecencyFrequency data{x, tx, T, {}};
  const double t = 10, rate = (0.243 + 5000) / (4.414 + 100);
  for (const PurchaseModel* m : std::vector<const PurchaseModel*>{&bg, &pareto}) {
    std::vector<double> alive(3), e(3);
    ASSERT_OK(m->ProbabilityAlive(data, alive));
    ASSERT_OK(m->ConditionalExpectedPurchases(t, data, e));
    for (double v : e) EXPECT_TRUE(std::isfinite(v));
    EXPECT_GT(alive[0], 0.99);
    EXPECT_LT(alive[1], 1e-100);
    EXPECT_LE(e[0], rate * t * 1.01);
    EXPECT_GT(e[0], rate * t * 0.85);  // dropout risk over ~480 purchases at a posterior rate of 1/6000
    EXPECT_LT(e[1], 1e-90);
    EXPECT_NEAR(e[2] / e[0], 4999.243 / 5000.243, 2e-3);  // one purchase fewer: nearly the same
    ASSERT_OK_AND_ASSIGN(ll, m->LogLikelihood(data));
    EXPECT_TRUE(std::isfinite(ll));
  }
}

// BG/BB: every history of n opportunities, weighted by its probability C(t_x-1, x-1) L(x, t_x, n),
// must average the conditional expectations to E[X(n + n*)] - E[X(n)] (the law of total expectation),
// the probabilities of the histories must sum to 1, and P(X(n) = x) must sum to 1 with mean E[X(n)].
TEST(ClvPrediction, BgBbIdentities) {
  ASSERT_OK_AND_ASSIGN(m, BgBbModel::FromParams({1.204, 0.750, 0.657, 2.783}));
  const double n = 6, n_star = 5;
  testing::Columns c;
  std::vector<double> ways;
  c.x.push_back(0), c.tx.push_back(0), c.T.push_back(n), ways.push_back(1);
  for (int tx = 1; tx <= n; ++tx) {
    for (int x = 1; x <= tx; ++x) {
      c.x.push_back(x), c.tx.push_back(tx), c.T.push_back(n);
      ways.push_back(boost::math::binomial_coefficient<double>(tx - 1, x - 1));
    }
  }
  std::vector<double> e(c.x.size()), alive(c.x.size());
  ASSERT_OK(m.ConditionalExpectedPurchases(n_star, c.View(), e));
  ASSERT_OK(m.ProbabilityAlive(c.View(), alive));
  double total_probability = 0, expectation = 0;
  for (size_t i = 0; i < c.x.size(); ++i) {
    ASSERT_OK_AND_ASSIGN(ll, m.LogLikelihood(RecencyFrequency{std::span(&c.x[i], 1), std::span(&c.tx[i], 1),
                                                              std::span(&c.T[i], 1), {}}));
    total_probability += ways[i] * std::exp(ll);
    expectation += ways[i] * std::exp(ll) * e[i];
    EXPECT_GT(alive[i], 0);
    EXPECT_LE(alive[i], 1);
  }
  std::vector<double> unconditional(2);
  ASSERT_OK(m.ExpectedPurchases(std::vector<double>{n, n + n_star}, unconditional));
  EXPECT_NEAR(total_probability, 1, 1e-12);
  EXPECT_NEAR(expectation, unconditional[1] - unconditional[0], 1e-12);
  std::vector<double> p(7);
  ASSERT_OK(m.PurchaseCountProbability(n, Counts(7), p));
  double sum = 0, mean = 0;
  for (int x = 0; x <= 6; ++x) sum += p[x], mean += x * p[x];
  EXPECT_NEAR(sum, 1, 1e-12);
  EXPECT_NEAR(mean, unconditional[0], 1e-12);
}

// Gamma-Gamma: E[M | x, zbar] = p E[1/nu | x, zbar] with nu's posterior gamma(px+q, gamma + x zbar),
// integrated numerically here.
TEST(ClvPrediction, GammaGammaSpendIsThePosteriorMean) {
  const double p = 6.25, q = 3.74, g = 15.44;
  ASSERT_OK_AND_ASSIGN(m, GammaGammaModel::FromParams({p, q, g}));
  const std::vector<double> x{0, 1, 2, 10}, zbar{NAN, 30, 22.35, 80};
  std::vector<double> out(4);
  ASSERT_OK(m.ConditionalExpectedSpend(FrequencyMonetary{x, zbar, {}}, out));
  EXPECT_NEAR(out[0], p * g / (q - 1), 1e-12);
  for (size_t i = 1; i < x.size(); ++i) {
    const double shape = p * x[i] + q, rate = g + x[i] * zbar[i];
    auto density = [&](double nu) {
      return std::exp(shape * std::log(rate) + (shape - 1) * std::log(nu) - rate * nu - std::lgamma(shape));
    };
    auto mean_of_inverse = boost::math::quadrature::gauss_kronrod<double, 61>::integrate(
        [&](double nu) { return density(nu) / nu; }, 0.0, std::numeric_limits<double>::infinity(), 15, 1e-12);
    EXPECT_NEAR(out[i], p * mean_of_inverse, 1e-8 * out[i]) << x[i];
  }
}

// Weights are counts: a weighted row fits and scores like that many copies of it.
TEST(ClvPrediction, WeightsEqualRepeatedRows) {
  // Days as whole numbers, so that customers share rows.
  testing::Columns drawn = testing::SimulateBgNbd(400, {0.5, 6.0, 0.8, 2.5}, 20, 40, 7);
  testing::Columns weighted, repeated;
  for (size_t i = 0; i < drawn.x.size(); ++i) {
    const double tx = std::floor(drawn.tx[i]), T = std::floor(drawn.T[i]), w = 1 + i % 3;
    weighted.x.push_back(drawn.x[i]), weighted.tx.push_back(tx), weighted.T.push_back(T), weighted.w.push_back(w);
    for (int k = 0; k < w; ++k) repeated.x.push_back(drawn.x[i]), repeated.tx.push_back(tx), repeated.T.push_back(T);
  }
  ASSERT_OK_AND_ASSIGN(a, BgNbdModel::Fit(weighted.View()));
  ASSERT_OK_AND_ASSIGN(b, BgNbdModel::Fit(repeated.View()));
  EXPECT_EQ(a.info().distinct_rows, b.info().distinct_rows);
  EXPECT_LT(b.info().distinct_rows, 400);
  EXPECT_EQ(b.info().rows, static_cast<int64_t>(repeated.x.size()));
  EXPECT_DOUBLE_EQ(a.info().customers, b.info().customers);
  EXPECT_NEAR(a.info().log_likelihood, b.info().log_likelihood, 1e-9 * std::abs(b.info().log_likelihood));
  EXPECT_NEAR(a.params().r, b.params().r, 1e-7);
  EXPECT_NEAR(a.params().alpha, b.params().alpha, 1e-6);
  EXPECT_NEAR(a.params().a, b.params().a, 1e-6);
  EXPECT_NEAR(a.params().b, b.params().b, 1e-6);
  ASSERT_OK_AND_ASSIGN(pa, ParetoNbdModel::Fit(weighted.View()));
  ASSERT_OK_AND_ASSIGN(pb, ParetoNbdModel::Fit(repeated.View()));
  EXPECT_NEAR(pa.info().log_likelihood, pb.info().log_likelihood, 1e-9 * std::abs(pb.info().log_likelihood));
  EXPECT_NEAR(pa.params().r, pb.params().r, 1e-6);
  EXPECT_NEAR(pa.params().s, pb.params().s, 1e-6);
}

// A simulated customer base of known parameters fits back to them (within sampling error).
TEST(ClvPrediction, BgNbdRecoversSimulatedParameters) {
  const BgNbdModel::Params truth{0.8, 5.0, 0.7, 2.0};
  const testing::Columns c = testing::SimulateBgNbd(40000, truth, 30, 52, 11);
  ASSERT_OK_AND_ASSIGN(m, BgNbdModel::Fit(c.View()));
  const double fitted[] = {m.params().r, m.params().alpha, m.params().a, m.params().b};
  const double expected[] = {truth.r, truth.alpha, truth.a, truth.b};
  for (int j = 0; j < 4; ++j) {
    EXPECT_NEAR(fitted[j], expected[j], 4 * m.info().std_errors[j]) << m.info().names[j];
  }
}

}  // namespace
}  // namespace rapport
