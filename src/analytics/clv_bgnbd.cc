// BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way", Marketing Science 24(2)).
// Formulas and their derivations are in docs/clv.md; equation numbers refer to the paper.
#include <algorithm>
#include <cmath>
#include <limits>

#include <boost/math/special_functions/beta.hpp>

#include "analytics/clv_bgnbd_expectation.h"
#include "analytics/clv_data.h"
#include "analytics/clv_fit.h"
#include "analytics/clv_internal.h"
#include "analytics/clv_math.h"
#include "analytics/clv_model_util.h"
#include "base/status_macros.h"
#include "rapport/clv.h"

namespace rapport {
namespace {

using internal::ClvPolicy;
using internal::Digamma;
using internal::LogAddExp;
using internal::LogGamma;

// The parts of a customer's log-likelihood that depend on x only, for each distinct x.
struct PerFrequency {
  std::vector<double> log_const;  // lnG(r+x) - lnG(r) + lnB(a, b+x) - lnB(a, b)
  std::vector<double> d_r, d_a, d_b;
  std::vector<double> log_ratio;  // ln(a / (b + x - 1)), x > 0
};

PerFrequency Tabulate(const BgNbdModel::Params& p, const std::vector<double>& xs) {
  PerFrequency t;
  const size_t m = xs.size();
  t.log_const.resize(m);
  t.d_r.resize(m);
  t.d_a.resize(m);
  t.d_b.resize(m);
  t.log_ratio.resize(m);
  const double lg_r = LogGamma(p.r), lg_b = LogGamma(p.b), lg_ab = LogGamma(p.a + p.b);
  const double psi_r = Digamma(p.r), psi_b = Digamma(p.b), psi_ab = Digamma(p.a + p.b);
  for (size_t i = 0; i < m; ++i) {
    const double x = xs[i];
    t.log_const[i] = LogGamma(p.r + x) - lg_r + LogGamma(p.b + x) - LogGamma(p.a + p.b + x) - lg_b + lg_ab;
    const double psi_abx = Digamma(p.a + p.b + x);
    t.d_r[i] = Digamma(p.r + x) - psi_r;
    t.d_a[i] = psi_ab - psi_abx;
    t.d_b[i] = Digamma(p.b + x) - psi_abx - psi_b + psi_ab;
    t.log_ratio[i] = x > 0 ? std::log(p.a) - std::log(p.b + x - 1) : 0.0;
  }
  return t;
}

// Equation (6) in logs: ln L = C + ln(e^u + [x > 0] e^v), with
//   C = lnG(r+x) - lnG(r) + r ln(alpha) + lnB(a, b+x) - lnB(a, b),
//   u = -(r+x) ln(alpha+T),  v = ln(a / (b+x-1)) - (r+x) ln(alpha+t_x).
// The weight of the second term, w = e^v / (e^u + e^v), is 1 - P(alive) (equation (13)).
double RowsLogLikelihood(const BgNbdModel::Params& p, const internal::FrequencyIndex& rows, size_t begin, size_t end,
                         const PerFrequency& t, double* g) {
  const double log_alpha = std::log(p.alpha);
  double total = 0;
  for (size_t i = begin; i < end; ++i) {
    const int k = rows.code[i];
    const double x = rows.x[i], tx = rows.recency[i], T = rows.age[i], w = rows.weight[i];
    const double rx = p.r + x;
    const double log_aT = std::log(p.alpha + T);
    const double u = -rx * log_aT;
    double ll = t.log_const[k] + p.r * log_alpha;
    double wv = 0, log_atx = 0;
    if (x > 0) {
      log_atx = std::log(p.alpha + tx);
      const double v = t.log_ratio[k] - rx * log_atx;
      ll += LogAddExp(u, v);
      wv = 1 / (1 + std::exp(u - v));
    } else {
      ll += u;
    }
    const double wu = 1 - wv;
    total += w * ll;
    if (g) {
      g[0] += w * (t.d_r[k] + log_alpha - wu * log_aT - wv * log_atx);
      g[1] += w * (p.r / p.alpha - rx * (wu / (p.alpha + T) + (x > 0 ? wv / (p.alpha + tx) : 0.0)));
      g[2] += w * (t.d_a[k] + wv / p.a);
      g[3] += w * (t.d_b[k] - (x > 0 ? wv / (p.b + x - 1) : 0.0));
    }
  }
  return total;
}

double TotalLogLikelihood(const BgNbdModel::Params& p, const internal::FrequencyIndex& rows, int threads,
                          double* gradient) {
  const PerFrequency t = Tabulate(p, rows.distinct);
  double scratch[4];
  return internal::SumRows(rows.size(), 4, threads, gradient ? gradient : scratch,
                           [&](size_t b, size_t e, double* g) { return RowsLogLikelihood(p, rows, b, e, t, g); });
}

BgNbdModel::Params FromArray(const double* v) { return {v[0], v[1], v[2], v[3]}; }

absl::Status CheckParams(const BgNbdModel::Params& p) {
  return internal::CheckPositive({{"r", p.r}, {"alpha", p.alpha}, {"a", p.a}, {"b", p.b}});
}

}  // namespace

absl::StatusOr<BgNbdModel> BgNbdModel::FromParams(const Params& params) {
  RETURN_IF_ERROR(CheckParams(params));
  return BgNbdModel(params, ClvFitInfo{{"r", "alpha", "a", "b"}});
}

absl::StatusOr<BgNbdModel> BgNbdModel::Fit(const RecencyFrequency& data, const ClvFitOptions& options) {
  RETURN_IF_ERROR(internal::CheckRecencyFrequency(data, internal::TimeKind::kContinuous));
  RETURN_IF_ERROR(internal::CheckFitOptions(options, 4));
  ASSIGN_OR_RETURN(const internal::FrequencyIndex rows, internal::IndexRepeaters(data, "BG/NBD"));
  internal::LogLikelihoodFn ll = [&](const double* v, double* g) {
    return TotalLogLikelihood(FromArray(v), rows, options.threads, g);
  };
  std::vector<double> start = options.initial.empty() ? std::vector<double>{1, 1, 1, 1} : options.initial;
  ASSIGN_OR_RETURN(internal::MleResult fit,
                   internal::MaximizeLikelihood("BG/NBD", {"r", "alpha", "a", "b"}, std::move(start),
                                                rows.total_weight, ll, options));
  fit.info.rows = rows.input_rows;
  fit.info.distinct_rows = static_cast<int64_t>(rows.size());
  fit.info.customers = rows.total_weight;
  return BgNbdModel(FromArray(fit.params.data()), std::move(fit.info));
}

absl::StatusOr<double> BgNbdModel::LogLikelihood(const RecencyFrequency& data) const {
  RETURN_IF_ERROR(internal::CheckRecencyFrequency(data, internal::TimeKind::kContinuous));
  const internal::FrequencyIndex rows = internal::IndexRows(data);
  return TotalLogLikelihood(params_, rows, 0, nullptr);
}

absl::Status BgNbdModel::ExpectedPurchases(std::span<const double> t, std::span<double> out) const {
  RETURN_IF_ERROR(internal::CheckOutput(t.size(), out));
  RETURN_IF_ERROR(internal::CheckTimes("t", t));
  // Equation (7): the conditional expectation's factor (clv_bgnbd_expectation.h) of a customer with
  // x = 0 observed for T = 0.
  const internal::BgNbdRepeatFactor factor(params_);
  for (size_t i = 0; i < t.size(); ++i) out[i] = t[i] == 0 ? 0.0 : factor(0, t[i] / (params_.alpha + t[i]));
  return absl::OkStatus();
}

absl::Status BgNbdModel::ProbabilityAlive(const RecencyFrequency& data, std::span<double> out) const {
  RETURN_IF_ERROR(internal::CheckRecencyFrequency(data, internal::TimeKind::kContinuous));
  RETURN_IF_ERROR(internal::CheckOutput(data.rows(), out));
  // Equation (13), the power in logs, so a large x gives P(alive) = 0 rather than inf/inf.
  internal::BgNbdPredict(params_, 0, data, out, {});
  return absl::OkStatus();
}

absl::Status BgNbdModel::ConditionalExpectedPurchases(double t, const RecencyFrequency& data,
                                                      std::span<double> out) const {
  RETURN_IF_ERROR(internal::CheckHorizon("t", t));
  RETURN_IF_ERROR(internal::CheckRecencyFrequency(data, internal::TimeKind::kContinuous));
  RETURN_IF_ERROR(internal::CheckOutput(data.rows(), out));
  // Equation (10) = P(alive) times a factor with the Gauss hypergeometric function, after Euler's
  // transformation, whose terms shrink as x grows (Fader & Hardie's note 027 on the #NUM! error):
  // clv_bgnbd_expectation.h has the form and the series that evaluates it.
  internal::BgNbdPredict(params_, t, data, {}, out);
  return absl::OkStatus();
}

absl::Status BgNbdModel::PurchaseCountProbability(double t, std::span<const double> n, std::span<double> out) const {
  RETURN_IF_ERROR(internal::CheckHorizon("t", t));
  RETURN_IF_ERROR(internal::CheckCounts("n", n));
  RETURN_IF_ERROR(internal::CheckOutput(n.size(), out));
  const Params& p = params_;
  // Equation (8). The bracket 1 - sum_{j<x} NBD(j) is the NBD's upper tail P(N >= x), which is the
  // regularised incomplete beta I_{t/(alpha+t)}(x, r): no cancellation for large x.
  const double log_beta_ab = internal::LogBeta(p.a, p.b);
  const double log_p = std::log(p.alpha / (p.alpha + t)), log_q = std::log(t / (p.alpha + t));
  const double q = t / (p.alpha + t);
  for (size_t i = 0; i < n.size(); ++i) {
    const double x = n[i];
    double first = internal::LogBeta(p.a, p.b + x) - log_beta_ab + LogGamma(p.r + x) - LogGamma(p.r) -
                   LogGamma(x + 1) + p.r * log_p + (x > 0 ? x * log_q : 0.0);
    double value = std::exp(first);
    if (x > 0) {
      const double tail = t == 0 ? 0.0 : boost::math::ibeta(x, p.r, q, ClvPolicy());
      value += std::exp(internal::LogBeta(p.a + 1, p.b + x - 1) - log_beta_ab) * tail;
    }
    out[i] = value;
  }
  return absl::OkStatus();
}

namespace internal {
double BgNbdLogLikelihood(const BgNbdModel::Params& p, const RecencyFrequency& data, std::span<double> gradient) {
  return TotalLogLikelihood(p, IndexRows(data), 1, gradient.data());
}
}  // namespace internal

}  // namespace rapport
