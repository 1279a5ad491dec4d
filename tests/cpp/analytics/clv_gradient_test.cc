// The analytic gradients of the CLV log-likelihoods against central differences of the likelihoods,
// and the series behind the Pareto/NBD gradient against Boost.Math's 2F1.
#include <cmath>
#include <functional>
#include <vector>

#include <boost/math/special_functions/hypergeometric_pFq.hpp>

#include "analytics/clv_internal.h"
#include "analytics/clv_math.h"
#include "clv_test_data.h"
#include "test_util.h"

namespace rapport {
namespace {

// Customers of every kind: no repeat, t_x = T, t_x well before T, many purchases.
testing::Columns Mixed() {
  testing::Columns c;
  c.x = {0, 0, 1, 2, 3, 7, 12, 40, 1, 5};
  c.tx = {0, 0, 1.5, 30.43, 10, 38, 20, 37.9, 20, 5};
  c.T = {38.86, 12, 30, 38.86, 39, 38, 39, 38, 20, 60};
  c.w = {3, 1, 2, 1, 1, 1, 2, 1, 1, 1};
  return c;
}

// Expects each gradient element to match (f(p + h e_j) - f(p - h e_j)) / 2h, h = 1e-6 p_j.
void ExpectGradient(const std::function<double(const std::vector<double>&, std::span<double>)>& f,
                    const std::vector<double>& p) {
  std::vector<double> g(p.size()), unused(p.size());
  f(p, g);
  for (size_t j = 0; j < p.size(); ++j) {
    std::vector<double> up = p, down = p;
    const double h = 1e-6 * p[j];
    up[j] += h;
    down[j] -= h;
    const double numeric = (f(up, unused) - f(down, unused)) / (2 * h);
    EXPECT_NEAR(g[j], numeric, 1e-6 * std::max(1.0, std::abs(numeric))) << "parameter " << j;
  }
}

TEST(ClvGradient, BgNbd) {
  const testing::Columns c = Mixed();
  for (const std::vector<double>& p : {std::vector<double>{0.243, 4.414, 0.793, 2.426}, {1.5, 0.7, 3.0, 0.4}}) {
    ExpectGradient([&](const std::vector<double>& v, std::span<double> g) {
      return internal::BgNbdLogLikelihood({v[0], v[1], v[2], v[3]}, c.View(), g);
    }, p);
  }
}

TEST(ClvGradient, ParetoNbdOnBothSidesOfAlphaEqualsBeta) {
  const testing::Columns c = Mixed();
  for (const std::vector<double>& p : {std::vector<double>{0.553, 10.578, 0.606, 11.669},  // alpha < beta
                                       {0.553, 11.669, 0.606, 10.578},                      // alpha > beta
                                       {2.0, 0.5, 1.5, 40.0},
                                       {0.3, 30.0, 2.5, 0.2}}) {
    ExpectGradient([&](const std::vector<double>& v, std::span<double> g) {
      return internal::ParetoNbdLogLikelihood({v[0], v[1], v[2], v[3]}, c.View(), g);
    }, p);
  }
}

TEST(ClvGradient, GammaGamma) {
  const std::vector<double> x{1, 2, 5, 0, 12}, m{10.5, 22.35, 40, 0, 15}, w{2, 1, 1, 4, 1};
  ExpectGradient([&](const std::vector<double>& v, std::span<double> g) {
    return internal::GammaGammaLogLikelihood({v[0], v[1], v[2]}, FrequencyMonetary{x, m, w}, g);
  }, {6.25, 3.74, 15.44});
}

TEST(ClvGradient, BgBb) {
  testing::Columns c;
  c.x = {0, 1, 1, 2, 3, 6, 4};
  c.tx = {0, 1, 5, 6, 4, 6, 6};
  c.T = {6, 6, 6, 6, 6, 6, 8};
  c.w = {3464, 1091, 119, 234, 181, 1203, 10};
  ExpectGradient([&](const std::vector<double>& v, std::span<double> g) {
    return internal::BgBbLogLikelihood({v[0], v[1], v[2], v[3]}, c.View(), g);
  }, {1.204, 0.750, 0.657, 2.783});
}

// H(b, c, z) = 2F1(1, b; c; z): value against Boost.Math's general pFq, derivatives against differences.
TEST(ClvGradient, HypergeometricSeriesMatchesBoost) {
  for (double b : {0.3, 1.6, 45.0}) {
    for (double c : {b + 0.2, b + 3.0, b + 200.0}) {
      for (double z : {0.0, 0.05, 0.5, 0.9, 0.99}) {
        const internal::Hyp2F1One h = internal::Hypergeometric1(b, c, z);
        ASSERT_TRUE(h.converged);
        const double reference = boost::math::hypergeometric_pFq({1.0, b}, {c}, z);
        EXPECT_NEAR(h.value, reference, 1e-13 * reference) << b << " " << c << " " << z;
        auto value = [](double bb, double cc, double zz) { return internal::Hypergeometric1(bb, cc, zz).value; };
        const double e = 1e-6;
        EXPECT_NEAR(h.d_b, (value(b * (1 + e), c, z) - value(b * (1 - e), c, z)) / (2 * e * b), 1e-6 * std::max(1.0, h.d_b));
        EXPECT_NEAR(h.d_c, (value(b, c * (1 + e), z) - value(b, c * (1 - e), z)) / (2 * e * c), 1e-6 * std::max(1.0, std::abs(h.d_c)));
        if (z > 0) {
          EXPECT_NEAR(h.d_z, (value(b, c, z * (1 + e)) - value(b, c, z * (1 - e))) / (2 * e * z), 1e-5 * std::max(1.0, h.d_z));
        } else {
          EXPECT_DOUBLE_EQ(h.d_z, b / c);  // the first coefficient
        }
      }
    }
  }
}

}  // namespace
}  // namespace rapport
