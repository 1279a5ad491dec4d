// Pareto/NBD (Schmittlein, Morrison & Colombo 1987), in the form of Fader & Hardie's note 008 ("A note
// on deriving the Pareto/NBD model and related expressions", 2005). docs/clv.md has the derivation of
// the hypergeometric form used here and of its gradient.
#include <cmath>
#include <limits>

#include <boost/math/quadrature/gauss_kronrod.hpp>

#include "analytics/clv_data.h"
#include "analytics/clv_fit.h"
#include "analytics/clv_internal.h"
#include "analytics/clv_math.h"
#include "analytics/clv_model_util.h"
#include "base/status_macros.h"
#include "rapport/clv.h"

namespace rapport {
namespace {

using internal::Digamma;
using internal::LogAddExp;
using internal::LogGamma;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ln F(t) with F(t) = integral_t^inf (alpha+u)^-(r+x) (beta+u)^-(s+1) du, and its gradient in
// (r, alpha, s, beta). Note 008 writes the likelihood's second term as s times F(t_x) - F(T) with
// F(t) = 2F1(a, s+1; a+1; (alpha-beta)/(alpha+t)) / (a (alpha+t)^a), a = r+s+x, when alpha >= beta
// (and the mirror image when alpha < beta). Euler's transformation turns that 2F1 into
// (1-z)^(-s) 2F1(1, r+x; a+1; z) (alpha >= beta) or (1-z)^(1-r-x) 2F1(1, s+1; a+1; z) (alpha < beta),
// whose terms are positive and below z^k, so
//   alpha >= beta: ln F = -(r+x) ln(alpha+t) - s ln(beta+t) - ln a + ln H(r+x, a+1, z), z = (alpha-beta)/(alpha+t)
//   alpha <  beta: ln F = -(r+x-1) ln(alpha+t) - (s+1) ln(beta+t) - ln a + ln H(s+1, a+1, z), z = (beta-alpha)/(beta+t)
// with H(b, c, z) = 2F1(1, b; c; z) and its derivatives from internal::Hypergeometric1.
struct LogTail {
  double value = 0;
  double g[4] = {0, 0, 0, 0};
  bool ok = true;
};

LogTail TailAt(const ParetoNbdModel::Params& p, double x, double t, bool gradient) {
  LogTail out;
  const double a = p.r + p.s + x;
  const double la = std::log(p.alpha + t), lb = std::log(p.beta + t);
  const bool alpha_larger = p.alpha >= p.beta;
  const double z = alpha_larger ? (p.alpha - p.beta) / (p.alpha + t) : (p.beta - p.alpha) / (p.beta + t);
  const double b2 = alpha_larger ? p.r + x : p.s + 1;
  const internal::Hyp2F1One h = internal::Hypergeometric1(b2, a + 1, z);
  out.ok = h.converged;
  const double pa = alpha_larger ? p.r + x : p.r + x - 1;  // powers of (alpha+t) and (beta+t)
  const double pb = alpha_larger ? p.s : p.s + 1;
  out.value = -pa * la - pb * lb - std::log(a) + std::log(h.value);
  if (gradient) {
    const double hb = h.d_b / h.value, hc = h.d_c / h.value, hz = h.d_z / h.value;
    // c = a + 1 moves with r and s; b2 with r (alpha >= beta) or s (alpha < beta).
    out.g[0] = -la - 1 / a + hc + (alpha_larger ? hb : 0.0);
    out.g[2] = -lb - 1 / a + hc + (alpha_larger ? 0.0 : hb);
    if (alpha_larger) {
      out.g[1] = -pa / (p.alpha + t) + hz * (p.beta + t) / ((p.alpha + t) * (p.alpha + t));
      out.g[3] = -pb / (p.beta + t) - hz / (p.alpha + t);
    } else {
      out.g[1] = -pa / (p.alpha + t) - hz / (p.beta + t);
      out.g[3] = -pb / (p.beta + t) + hz * (p.alpha + t) / ((p.beta + t) * (p.beta + t));
    }
  }
  return out;
}

// One customer's ln L = C + ln(e^u + e^v) with
//   C = lnG(r+x) - lnG(r) + r ln alpha + s ln beta,  u = -(r+x) ln(alpha+T) - s ln(beta+T),
//   v = ln s + ln(F(t_x) - F(T)),
// and the weight of the first term, e^u / (e^u + e^v), which is P(alive). Returns NaN when a series
// did not converge.
struct RowTerms {
  double ll = 0, alive = 1;
};

RowTerms Row(const ParetoNbdModel::Params& p, double x, double tx, double T, double d_r_const, double log_const,
             double* g) {
  RowTerms out;
  const double rx = p.r + x;
  const double u = -rx * std::log(p.alpha + T) - p.s * std::log(p.beta + T);
  double v = -HUGE_VAL;
  LogTail f1, f2;
  double share = 0;  // d ln(F1 - F2) = (dlnF1 - e^d dlnF2) / (1 - e^d), d = lnF2 - lnF1
  if (tx < T) {
    f1 = TailAt(p, x, tx, g != nullptr);
    f2 = TailAt(p, x, T, g != nullptr);
    if (!f1.ok || !f2.ok) return {kNaN, kNaN};
    const double d = f2.value - f1.value;
    v = std::log(p.s) + f1.value + std::log(-std::expm1(d));
    share = std::exp(d);
  }
  out.ll = log_const + LogAddExp(u, v);
  const double wv = v == -HUGE_VAL ? 0.0 : 1 / (1 + std::exp(u - v));
  out.alive = 1 - wv;
  if (g) {
    const double wu = 1 - wv;
    g[0] = d_r_const + std::log(p.alpha) - wu * std::log(p.alpha + T);
    g[1] = p.r / p.alpha - wu * rx / (p.alpha + T);
    g[2] = std::log(p.beta) - wu * std::log(p.beta + T);
    g[3] = p.s / p.beta - wu * p.s / (p.beta + T);
    if (wv > 0) {
      for (int j = 0; j < 4; ++j) g[j] += wv * (f1.g[j] - share * f2.g[j]) / (1 - share);
      g[2] += wv / p.s;
    }
  }
  return out;
}

double TotalLogLikelihood(const ParetoNbdModel::Params& p, const internal::FrequencyIndex& rows, int threads,
                          double* gradient) {
  std::vector<double> log_const(rows.distinct.size()), d_r(rows.distinct.size());
  const double lg_r = LogGamma(p.r), psi_r = Digamma(p.r);
  const double base = p.r * std::log(p.alpha) + p.s * std::log(p.beta);
  for (size_t k = 0; k < rows.distinct.size(); ++k) {
    log_const[k] = LogGamma(p.r + rows.distinct[k]) - lg_r + base;
    d_r[k] = Digamma(p.r + rows.distinct[k]) - psi_r;
  }
  double scratch[4];
  return internal::SumRows(rows.size(), 4, threads, gradient ? gradient : scratch, [&](size_t b, size_t e, double* g) {
    double total = 0, row_g[4];
    for (size_t i = b; i < e; ++i) {
      const int k = rows.code[i];
      const RowTerms t = Row(p, rows.x[i], rows.recency[i], rows.age[i], d_r[k], log_const[k], gradient ? row_g : nullptr);
      total += rows.weight[i] * t.ll;
      if (gradient) {
        for (int j = 0; j < 4; ++j) g[j] += rows.weight[i] * row_g[j];
      }
    }
    return total;
  });
}

ParetoNbdModel::Params FromArray(const double* v) { return {v[0], v[1], v[2], v[3]}; }

absl::Status CheckParams(const ParetoNbdModel::Params& p) {
  return internal::CheckPositive({{"r", p.r}, {"alpha", p.alpha}, {"s", p.s}, {"beta", p.beta}});
}

// (1 - (1 + y)^-e) / e, and its limit ln(1 + y) at e = 0.
double PowerIncrement(double e, double y) {
  if (std::abs(e) < 1e-12) return std::log1p(y);
  return -std::expm1(-e * std::log1p(y)) / e;
}

}  // namespace

absl::StatusOr<ParetoNbdModel> ParetoNbdModel::FromParams(const Params& params) {
  RETURN_IF_ERROR(CheckParams(params));
  return ParetoNbdModel(params, ClvFitInfo{{"r", "alpha", "s", "beta"}});
}

absl::StatusOr<ParetoNbdModel> ParetoNbdModel::Fit(const RecencyFrequency& data, const ClvFitOptions& options) {
  RETURN_IF_ERROR(internal::CheckRecencyFrequency(data, internal::TimeKind::kContinuous));
  RETURN_IF_ERROR(internal::CheckFitOptions(options, 4));
  ASSIGN_OR_RETURN(const internal::FrequencyIndex rows, internal::IndexRepeaters(data, "Pareto/NBD"));
  internal::LogLikelihoodFn ll = [&](const double* v, double* g) {
    return TotalLogLikelihood(FromArray(v), rows, options.threads, g);
  };
  std::vector<double> start = options.initial.empty() ? std::vector<double>{1, 1, 1, 1} : options.initial;
  ASSIGN_OR_RETURN(internal::MleResult fit,
                   internal::MaximizeLikelihood("Pareto/NBD", {"r", "alpha", "s", "beta"}, std::move(start),
                                                rows.total_weight, ll, options));
  fit.info.rows = rows.input_rows;
  fit.info.distinct_rows = static_cast<int64_t>(rows.size());
  fit.info.customers = rows.total_weight;
  return ParetoNbdModel(FromArray(fit.params.data()), std::move(fit.info));
}

absl::StatusOr<double> ParetoNbdModel::LogLikelihood(const RecencyFrequency& data) const {
  RETURN_IF_ERROR(internal::CheckRecencyFrequency(data, internal::TimeKind::kContinuous));
  return TotalLogLikelihood(params_, internal::IndexRows(data), 0, nullptr);
}

absl::Status ParetoNbdModel::ExpectedPurchases(std::span<const double> t, std::span<double> out) const {
  RETURN_IF_ERROR(internal::CheckOutput(t.size(), out));
  RETURN_IF_ERROR(internal::CheckTimes("t", t));
  // Note 008, (17): r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)].
  const Params& p = params_;
  for (size_t i = 0; i < t.size(); ++i) out[i] = p.r * p.beta / p.alpha * PowerIncrement(p.s - 1, t[i] / p.beta);
  return absl::OkStatus();
}

absl::Status ParetoNbdModel::ProbabilityAlive(const RecencyFrequency& data, std::span<double> out) const {
  RETURN_IF_ERROR(internal::CheckRecencyFrequency(data, internal::TimeKind::kContinuous));
  RETURN_IF_ERROR(internal::CheckOutput(data.rows(), out));
  // Note 008, (18): the share of the likelihood's first term (the customer still alive at T).
  internal::ForEachRow(data.rows(), [&](size_t i) {
    out[i] = Row(params_, data.frequency[i], data.recency[i], data.age[i], 0, 0, nullptr).alive;
  });
  return absl::OkStatus();
}

absl::Status ParetoNbdModel::ConditionalExpectedPurchases(double t, const RecencyFrequency& data,
                                                          std::span<double> out) const {
  RETURN_IF_ERROR(internal::CheckHorizon("t", t));
  RETURN_IF_ERROR(ProbabilityAlive(data, out));
  // Note 008, (22): (r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)] P(alive).
  const Params& p = params_;
  internal::ForEachRow(data.rows(), [&](size_t i) {
    const double T = data.age[i];
    out[i] *= (p.r + data.frequency[i]) * (p.beta + T) / (p.alpha + T) * PowerIncrement(p.s - 1, t / (p.beta + T));
  });
  return absl::OkStatus();
}

absl::Status ParetoNbdModel::PurchaseCountProbability(double t, std::span<const double> n,
                                                      std::span<double> out) const {
  RETURN_IF_ERROR(internal::CheckHorizon("t", t));
  RETURN_IF_ERROR(internal::CheckCounts("n", n));
  RETURN_IF_ERROR(internal::CheckOutput(n.size(), out));
  const Params& p = params_;
  // P(X(t) = x) = P(alive at t) NBD(x; r, alpha, t) + integral_0^t f(death at u) NBD(x; r, alpha, u) du,
  // with the dropout time's density s beta^s / (beta+u)^(s+1) and P(alive at t) = (beta/(beta+t))^s
  // (note 012 integrates the second term in closed form; here adaptive Gauss-Kronrod integrates it to
  // 1e-12, which stays accurate where the closed form's difference of two series cancels).
  for (size_t i = 0; i < n.size(); ++i) {
    const double x = n[i];
    const double log_nbd_const = LogGamma(p.r + x) - LogGamma(p.r) - LogGamma(x + 1);
    auto log_nbd = [&](double u) {
      if (u == 0) return x == 0 ? 0.0 : -HUGE_VAL;
      return log_nbd_const + p.r * std::log(p.alpha / (p.alpha + u)) + x * std::log(u / (p.alpha + u));
    };
    const double alive = std::exp(p.s * std::log(p.beta / (p.beta + t)) + log_nbd(t));
    double died = 0;
    if (t > 0) {
      auto integrand = [&](double u) {
        return std::exp(std::log(p.s) + p.s * std::log(p.beta) - (p.s + 1) * std::log(p.beta + u) + log_nbd(u));
      };
      died = boost::math::quadrature::gauss_kronrod<double, 61>::integrate(integrand, 0.0, t, 15, 1e-12);
    }
    out[i] = alive + died;
  }
  return absl::OkStatus();
}

namespace internal {
double ParetoNbdLogLikelihood(const ParetoNbdModel::Params& p, const RecencyFrequency& data, std::span<double> gradient) {
  return TotalLogLikelihood(p, IndexRows(data), 1, gradient.data());
}
}  // namespace internal

}  // namespace rapport
