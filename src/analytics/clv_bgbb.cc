// BG/BB for discrete purchase opportunities (Fader, Hardie & Shang 2010, "Customer-base analysis in a
// discrete-time noncontractual setting", Marketing Science 29(6)); equation numbers are the paper's.
#include <cmath>
#include <limits>
#include <vector>

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
using internal::LogBeta;
using internal::LogGamma;

// Equation (5): L = B(alpha+x, beta+n-x)/B(alpha,beta) B(gamma, delta+n)/B(gamma,delta)
//   + sum_{i=0}^{n-t_x-1} B(alpha+x, beta+t_x-x+i)/B(alpha,beta) B(gamma+1, delta+t_x+i)/B(gamma,delta).
// Each term is B(alpha+x, beta+m)/B(alpha,beta) * B(gamma+g, delta+d)/B(gamma,delta); its log and the
// gradient of its log (digammas) are summed with the terms' shares of L.
struct Term {
  double m, g, d;  // beta + m, gamma + g, delta + d
};

struct Digammas {
  double alpha, beta, alpha_beta, gamma, delta, gamma_delta;
};

double LogTerm(const BgBbModel::Params& p, double x, const Term& t, double log_b_ab, double log_b_gd) {
  return LogBeta(p.alpha + x, p.beta + t.m) - log_b_ab + LogBeta(p.gamma + t.g, p.delta + t.d) - log_b_gd;
}

void AddTermGradient(const BgBbModel::Params& p, double x, const Term& t, const Digammas& psi, double share,
                     double* g) {
  const double psi_ab = Digamma(p.alpha + p.beta + x + t.m), psi_gd = Digamma(p.gamma + p.delta + t.g + t.d);
  g[0] += share * (Digamma(p.alpha + x) - psi_ab - psi.alpha + psi.alpha_beta);
  g[1] += share * (Digamma(p.beta + t.m) - psi_ab - psi.beta + psi.alpha_beta);
  g[2] += share * (Digamma(p.gamma + t.g) - psi_gd - psi.gamma + psi.gamma_delta);
  g[3] += share * (Digamma(p.delta + t.d) - psi_gd - psi.delta + psi.gamma_delta);
}

// ln L of one (x, t_x, n), adding w * its gradient to g when g is given.
double RowLogLikelihood(const BgBbModel::Params& p, double x, double tx, double n, double w, double* g,
                        std::vector<double>& logs) {
  const double log_b_ab = LogBeta(p.alpha, p.beta), log_b_gd = LogBeta(p.gamma, p.delta);
  const int extra = static_cast<int>(n - tx);  // terms i = 0 .. n - t_x - 1
  auto term = [&](int k) { return k == 0 ? Term{n - x, 0, n} : Term{tx - x + (k - 1), 1, tx + (k - 1)}; };
  logs.resize(extra + 1);
  double top = -HUGE_VAL;
  for (int k = 0; k <= extra; ++k) {
    logs[k] = LogTerm(p, x, term(k), log_b_ab, log_b_gd);
    top = std::max(top, logs[k]);
  }
  double sum = 0;
  for (int k = 0; k <= extra; ++k) sum += std::exp(logs[k] - top);
  const double ll = top + std::log(sum);
  if (g) {
    const Digammas psi{Digamma(p.alpha), Digamma(p.beta), Digamma(p.alpha + p.beta),
                       Digamma(p.gamma), Digamma(p.delta), Digamma(p.gamma + p.delta)};
    for (int k = 0; k <= extra; ++k) AddTermGradient(p, x, term(k), psi, w * std::exp(logs[k] - ll), g);
  }
  return ll;
}

double TotalLogLikelihood(const BgBbModel::Params& p, const internal::WeightedRows& rows, int threads,
                          double* gradient) {
  double scratch[4];
  return internal::SumRows(rows.size(), 4, threads, gradient ? gradient : scratch, [&](size_t b, size_t e, double* g) {
    std::vector<double> logs;
    double total = 0;
    for (size_t i = b; i < e; ++i) {
      total += rows.w[i] * RowLogLikelihood(p, rows.a[i], rows.b[i], rows.c[i], rows.w[i], gradient ? g : nullptr, logs);
    }
    return total;
  });
}

BgBbModel::Params FromArray(const double* v) { return {v[0], v[1], v[2], v[3]}; }

// delta/(gamma-1) G(gamma+delta)/G(1+delta) [G(1+delta+m)/G(gamma+delta+m) - G(1+delta+k)/G(gamma+delta+k)]:
// the expected number of opportunities alive in (m, k] per unit of P(alive) at m (equations (9), (13)),
// whose 0/0 at gamma = 1 is evaluated at gamma = 1 -+ 1e-6.
double AliveOpportunities(const BgBbModel::Params& p, double m, double k) {
  auto at = [&](double gamma) {
    const double base = LogGamma(gamma + p.delta) - LogGamma(1 + p.delta);
    const double lm = base + LogGamma(1 + p.delta + m) - LogGamma(gamma + p.delta + m);
    const double lk = base + LogGamma(1 + p.delta + k) - LogGamma(gamma + p.delta + k);
    return p.delta / (gamma - 1) * std::exp(lm) * -std::expm1(lk - lm);
  };
  if (std::abs(p.gamma - 1) < 1e-6) return (at(1 - 1e-6) + at(1 + 1e-6)) / 2;
  return at(p.gamma);
}

}  // namespace

absl::StatusOr<BgBbModel> BgBbModel::FromParams(const Params& params) {
  RETURN_IF_ERROR(internal::CheckPositive(
      {{"alpha", params.alpha}, {"beta", params.beta}, {"gamma", params.gamma}, {"delta", params.delta}}));
  return BgBbModel(params, ClvFitInfo{{"alpha", "beta", "gamma", "delta"}});
}

absl::StatusOr<BgBbModel> BgBbModel::Fit(const RecencyFrequency& data, const ClvFitOptions& options) {
  RETURN_IF_ERROR(internal::CheckRecencyFrequency(data, internal::TimeKind::kDiscrete));
  RETURN_IF_ERROR(internal::CheckFitOptions(options, 4));
  const internal::WeightedRows rows = internal::CompressRows(data.frequency, data.recency, data.age, data.weights);
  if (rows.size() == 0) return absl::InvalidArgumentError("weights: all zero (no customers to fit)");
  bool repeated = false;
  for (size_t i = 0; i < rows.size(); ++i) repeated = repeated || rows.a[i] > 0;
  if (!repeated) {
    return absl::InvalidArgumentError(
        "frequency: nobody repeated (every frequency is 0); the BG/BB model cannot be identified");
  }
  internal::LogLikelihoodFn ll = [&](const double* v, double* g) {
    return TotalLogLikelihood(FromArray(v), rows, options.threads, g);
  };
  std::vector<double> start = options.initial.empty() ? std::vector<double>{1, 1, 1, 1} : options.initial;
  ASSIGN_OR_RETURN(internal::MleResult fit,
                   internal::MaximizeLikelihood("BG/BB", {"alpha", "beta", "gamma", "delta"}, std::move(start),
                                                rows.total_weight, ll, options));
  fit.info.rows = rows.input_rows;
  fit.info.distinct_rows = static_cast<int64_t>(rows.size());
  fit.info.customers = rows.total_weight;
  return BgBbModel(FromArray(fit.params.data()), std::move(fit.info));
}

absl::StatusOr<double> BgBbModel::LogLikelihood(const RecencyFrequency& data) const {
  RETURN_IF_ERROR(internal::CheckRecencyFrequency(data, internal::TimeKind::kDiscrete));
  return TotalLogLikelihood(params_, internal::CompressRows(data.frequency, data.recency, data.age, data.weights), 0,
                            nullptr);
}

absl::Status BgBbModel::ExpectedPurchases(std::span<const double> n, std::span<double> out) const {
  RETURN_IF_ERROR(internal::CheckCounts("n", n));
  RETURN_IF_ERROR(internal::CheckOutput(n.size(), out));
  // Equation (7): alpha/(alpha+beta) times the expected opportunities alive among the first n.
  for (size_t i = 0; i < n.size(); ++i) {
    out[i] = params_.alpha / (params_.alpha + params_.beta) * AliveOpportunities(params_, 0, n[i]);
  }
  return absl::OkStatus();
}

absl::Status BgBbModel::ProbabilityAlive(const RecencyFrequency& data, std::span<double> out) const {
  RETURN_IF_ERROR(internal::CheckRecencyFrequency(data, internal::TimeKind::kDiscrete));
  RETURN_IF_ERROR(internal::CheckOutput(data.rows(), out));
  // Equation (11): B(alpha+x, beta+n-x)/B(alpha,beta) B(gamma, delta+n+1)/B(gamma,delta) / L.
  const Params& p = params_;
  std::vector<double> logs;
  for (size_t i = 0; i < data.rows(); ++i) {
    const double x = data.frequency[i], tx = data.recency[i], n = data.age[i];
    const double ll = RowLogLikelihood(p, x, tx, n, 1, nullptr, logs);
    out[i] = std::exp(LogBeta(p.alpha + x, p.beta + n - x) - LogBeta(p.alpha, p.beta) + LogBeta(p.gamma, p.delta + n + 1) -
                      LogBeta(p.gamma, p.delta) - ll);
  }
  return absl::OkStatus();
}

absl::Status BgBbModel::ConditionalExpectedPurchases(double n_star, const RecencyFrequency& data,
                                                     std::span<double> out) const {
  RETURN_IF_ERROR(internal::CheckCounts("n_star", std::span<const double>(&n_star, 1)));
  RETURN_IF_ERROR(internal::CheckRecencyFrequency(data, internal::TimeKind::kDiscrete));
  RETURN_IF_ERROR(internal::CheckOutput(data.rows(), out));
  // Equation (13): 1/L B(alpha+x+1, beta+n-x)/B(alpha,beta) delta/(gamma-1) G(gamma+delta)/G(1+delta)
  //   [G(1+delta+n)/G(gamma+delta+n) - G(1+delta+n+n*)/G(gamma+delta+n+n*)].
  const Params& p = params_;
  std::vector<double> logs;
  for (size_t i = 0; i < data.rows(); ++i) {
    const double x = data.frequency[i], tx = data.recency[i], n = data.age[i];
    const double ll = RowLogLikelihood(p, x, tx, n, 1, nullptr, logs);
    out[i] = std::exp(LogBeta(p.alpha + x + 1, p.beta + n - x) - LogBeta(p.alpha, p.beta) - ll) *
             AliveOpportunities(p, n, n + n_star);
  }
  return absl::OkStatus();
}

absl::Status BgBbModel::PurchaseCountProbability(double n, std::span<const double> x, std::span<double> out) const {
  RETURN_IF_ERROR(internal::CheckCounts("n", std::span<const double>(&n, 1)));
  RETURN_IF_ERROR(internal::CheckCounts("x", x));
  RETURN_IF_ERROR(internal::CheckOutput(x.size(), out));
  // Equation (8): C(n,x) B(alpha+x, beta+n-x)/B(alpha,beta) B(gamma, delta+n)/B(gamma,delta)
  //   + sum_{i=x}^{n-1} C(i,x) B(alpha+x, beta+i-x)/B(alpha,beta) B(gamma+1, delta+i)/B(gamma,delta).
  const Params& p = params_;
  const double log_b_ab = LogBeta(p.alpha, p.beta), log_b_gd = LogBeta(p.gamma, p.delta);
  auto log_choose = [](double a, double b) { return LogGamma(a + 1) - LogGamma(b + 1) - LogGamma(a - b + 1); };
  for (size_t j = 0; j < x.size(); ++j) {
    const double k = x[j];
    if (k > n) {
      out[j] = 0;
      continue;
    }
    double value = std::exp(log_choose(n, k) + LogBeta(p.alpha + k, p.beta + n - k) - log_b_ab +
                            LogBeta(p.gamma, p.delta + n) - log_b_gd);
    for (double i = k; i <= n - 1; ++i) {
      value += std::exp(log_choose(i, k) + LogBeta(p.alpha + k, p.beta + i - k) - log_b_ab +
                        LogBeta(p.gamma + 1, p.delta + i) - log_b_gd);
    }
    out[j] = value;
  }
  return absl::OkStatus();
}

namespace internal {
double BgBbLogLikelihood(const BgBbModel::Params& p, const RecencyFrequency& data, std::span<double> gradient) {
  return TotalLogLikelihood(p, CompressRows(data.frequency, data.recency, data.age, data.weights), 1, gradient.data());
}
}  // namespace internal

}  // namespace rapport
