#include "analytics/clv_bgnbd_expectation.h"

#include <cmath>
#include <limits>
#include <optional>

#include "analytics/clv_math.h"
#include "analytics/rfm_order_scan.h"

namespace rapport::internal {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// The remainder of the series must be below this share of its sum.
constexpr double kTolerance = 1e-17;
// A prediction costs about as much as this many order rows (PartsFor's unit of work): the series and
// four logarithms or exponentials, ~100 ns.
constexpr size_t kWorkPerPrediction = 32;

// ((1-z)^B - 1) / B from ln(1-z), with its limit ln(1-z) at B = 0.
double PowerIncrementOverB(double B, double log1mz) {
  if (B == 0) return log1mz;
  return std::expm1(B * log1mz) / B;
}

}  // namespace

double BgNbdRepeatFactorGeneral(const BgNbdModel::Params& p, double x, double z) {
  auto at = [&](double a) {
    const double f = Hyp2F1(a + p.b - 1 - p.r, a - 1, a + p.b + x - 1, z);
    return (a + p.b + x - 1) / (a - 1) * -std::expm1((a - 1) * std::log1p(-z) + std::log(f));
  };
  if (std::abs(p.a - 1) < 1e-6) return (at(1 - 1e-6) + at(1 + 1e-6)) / 2;
  return at(p.a);
}

BgNbdRepeatFactor::BgNbdRepeatFactor(const BgNbdModel::Params& p)
    : p_(p), A_(p.a + p.b - 1 - p.r), B_(p.a - 1), c0_(p.a + p.b - 1) {
  const size_t terms = kMaxTerms + 2;
  q_.resize(terms);
  bound_.resize(terms);
  bool positive = false;  // A + j >= 0 for every j >= k: the ratios are then bounded
  for (size_t k = 0; k < terms; ++k) {
    const double kk = static_cast<double>(k);
    q_[k] = (A_ + kk) * (B_ + kk) / (kk + 1);
    positive = positive || A_ + kk >= 0;
    bound_[k] = positive ? std::max(1.0, (B_ + kk) / (kk + 1)) : kInf;
  }
  inv_c_.resize(kTabulatedFrequencies + terms);  // 1/(c0 + x + k) for x < kTabulatedFrequencies
  for (size_t m = 0; m < inv_c_.size(); ++m) inv_c_[m] = 1 / (c0_ + static_cast<double>(m));
}

template <typename InvC>
double BgNbdRepeatFactor::Sum(double z, const InvC& inv_c) const {
  double u = A_ * z * inv_c(0);  // u_1 = A z / C
  double sum = u;
  // Terms k+1 .. k+4 from u_k, four at a time: the chain from one round to the next is two
  // multiplications, and the stopping test runs once per four terms.
  for (size_t k = 1; k + 3 < static_cast<size_t>(kMaxTerms); k += 4) {
    const double r1 = z * q_[k] * inv_c(k), r2 = z * q_[k + 1] * inv_c(k + 1);
    const double r3 = z * q_[k + 2] * inv_c(k + 2), r4 = z * q_[k + 3] * inv_c(k + 3);
    const double u1 = u * r1, u2 = u * (r1 * r2), u3 = u2 * r3;
    u = u2 * (r3 * r4);
    sum += (u1 + u2) + (u3 + u);
    // The remainder after u_{k+4} is below |u_{k+4}| rho / (1 - rho) once the ratios are bounded by rho < 1.
    const double rho = z * bound_[k + 4];
    if (rho < 1 && std::abs(u) * rho <= kTolerance * std::abs(sum) * (1 - rho)) return sum;
  }
  return kNaN;
}

double BgNbdRepeatFactor::SeriesOverB(double x, double z) const {
  // 1/(C+k) = 1/(c0 + x + k): from the table when x is small (nearly always), else divided.
  if (x < static_cast<double>(kTabulatedFrequencies)) {
    const double* inv = inv_c_.data() + static_cast<size_t>(x);
    return Sum(z, [inv](size_t k) { return inv[k]; });
  }
  return Sum(z, [this, x](size_t k) { return 1 / (c0_ + x + static_cast<double>(k)); });
}

double BgNbdRepeatFactor::operator()(double x, double z) const {
  if (z == 0) return 0;
  const double s = SeriesOverB(x, z);
  if (std::isnan(s)) return BgNbdRepeatFactorGeneral(p_, x, z);
  const double log1mz = std::log1p(-z);
  const double e = std::expm1(B_ * log1mz);
  return -(c0_ + x) * (PowerIncrementOverB(B_, log1mz) + s * (1 + e));
}

void BgNbdPredict(const BgNbdModel::Params& p, double t, const RecencyFrequency& data, std::span<double> alive,
                  std::span<double> expected) {
  const size_t n = data.rows();
  const bool want_expected = !expected.empty();
  std::optional<BgNbdRepeatFactor> factor;  // its tables cost ~10 us: only when expectations are asked for
  if (want_expected) factor.emplace(p);
  const int parts = PartsFor(0, n * kWorkPerPrediction);
  RunParts(parts, [&](int part) {
    const size_t begin = n * part / parts, end = n * (part + 1) / parts;
    for (size_t i = begin; i < end; ++i) {
      const double x = data.frequency[i], T = data.age[i];
      // Equation (13): 1 / (1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)), written as
      // (b+x-1) / ((b+x-1) + a q) with q the power: a large x gives q = inf and P(alive) = 0.
      double p_alive = 1;
      if (x > 0) {
        const double q = std::exp((p.r + x) * std::log((p.alpha + T) / (p.alpha + data.recency[i])));
        const double bx = p.b + x - 1;
        p_alive = bx / (bx + p.a * q);
      }
      if (!alive.empty()) alive[i] = p_alive;
      if (want_expected) {
        expected[i] = t == 0 || p_alive == 0 ? 0.0 : p_alive * (*factor)(x, t / (p.alpha + T + t));
      }
    }
  });
}

}  // namespace rapport::internal
