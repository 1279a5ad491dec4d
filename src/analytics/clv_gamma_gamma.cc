// Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves for customer
// base analysis", JMR 42(4); Fader & Hardie's note 025, "The Gamma-Gamma model of monetary value").
#include <cmath>
#include <limits>

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
using internal::LogGamma;

// A repeat customer's zbar given x: zbar ~ gamma(p x, nu x), nu ~ gamma(q, gamma), so (note 025, (4))
//   f(zbar | x) = G(px+q) / (G(px) G(q)) gamma^q x^(px) zbar^(px-1) / (gamma + x zbar)^(px+q).
double TotalLogLikelihood(const GammaGammaModel::Params& p, const internal::WeightedRows& rows, int threads,
                          double* gradient) {
  const double lg_q = LogGamma(p.q), psi_q = Digamma(p.q), log_gamma = std::log(p.gamma);
  double scratch[3];
  return internal::SumRows(rows.size(), 3, threads, gradient ? gradient : scratch, [&](size_t b, size_t e, double* g) {
    double total = 0;
    for (size_t i = b; i < e; ++i) {
      const double x = rows.a[i], z = rows.b[i], w = rows.w[i];
      const double px = p.p * x, log_z = std::log(z), log_x = std::log(x), log_d = std::log(p.gamma + x * z);
      total += w * (LogGamma(px + p.q) - LogGamma(px) - lg_q + p.q * log_gamma + (px - 1) * log_z + px * log_x -
                    (px + p.q) * log_d);
      const double psi_pxq = Digamma(px + p.q);
      g[0] += w * x * (psi_pxq - Digamma(px) + log_z + log_x - log_d);
      g[1] += w * (psi_pxq - psi_q + log_gamma - log_d);
      g[2] += w * (p.q / p.gamma - (px + p.q) / (p.gamma + x * z));
    }
    return total;
  });
}

// The repeat customers (x > 0) with their weights; rows with x = 0 say nothing about spend.
internal::WeightedRows RepeatRows(const FrequencyMonetary& data) {
  std::vector<double> x, m, w;
  for (size_t i = 0; i < data.rows(); ++i) {
    if (data.frequency[i] == 0) continue;
    x.push_back(data.frequency[i]);
    m.push_back(data.monetary[i]);
    w.push_back(internal::WeightAt(data.weights, i));
  }
  return internal::CompressRows(x, m, {}, w);
}

GammaGammaModel::Params FromArray(const double* v) { return {v[0], v[1], v[2]}; }

}  // namespace

absl::StatusOr<GammaGammaModel> GammaGammaModel::FromParams(const Params& params) {
  RETURN_IF_ERROR(internal::CheckPositive({{"p", params.p}, {"q", params.q}, {"gamma", params.gamma}}));
  return GammaGammaModel(params, ClvFitInfo{{"p", "q", "gamma"}});
}

absl::StatusOr<GammaGammaModel> GammaGammaModel::Fit(const FrequencyMonetary& data, const ClvFitOptions& options) {
  RETURN_IF_ERROR(internal::CheckFrequencyMonetary(data));
  RETURN_IF_ERROR(internal::CheckFitOptions(options, 3));
  const internal::WeightedRows rows = RepeatRows(data);
  if (rows.size() == 0) {
    return absl::InvalidArgumentError(
        "frequency: nobody repeated (every frequency is 0, or their weights are); the Gamma-Gamma model needs "
        "repeat purchases");
  }
  internal::LogLikelihoodFn ll = [&](const double* v, double* g) {
    return TotalLogLikelihood(FromArray(v), rows, options.threads, g);
  };
  std::vector<double> start = options.initial.empty() ? std::vector<double>{1, 1, 1} : options.initial;
  ASSIGN_OR_RETURN(internal::MleResult fit, internal::MaximizeLikelihood("Gamma-Gamma", {"p", "q", "gamma"},
                                                                         std::move(start), rows.total_weight, ll,
                                                                         options));
  fit.info.rows = static_cast<int64_t>(data.rows());
  fit.info.distinct_rows = static_cast<int64_t>(rows.size());
  fit.info.customers = rows.total_weight;
  return GammaGammaModel(FromArray(fit.params.data()), std::move(fit.info));
}

absl::StatusOr<double> GammaGammaModel::LogLikelihood(const FrequencyMonetary& data) const {
  RETURN_IF_ERROR(internal::CheckFrequencyMonetary(data));
  double g[3];
  return TotalLogLikelihood(params_, RepeatRows(data), 0, g);
}

absl::Status GammaGammaModel::ConditionalExpectedSpend(const FrequencyMonetary& data, std::span<double> out) const {
  RETURN_IF_ERROR(internal::CheckFrequencyMonetary(data));
  RETURN_IF_ERROR(internal::CheckOutput(data.rows(), out));
  // The posterior of nu given (x, zbar) is gamma(px+q, gamma + x zbar), so E[M] = p E[1/nu] =
  // p (gamma + x zbar) / (px + q - 1): a weighted mean of the population mean p gamma / (q-1) and zbar
  // (note 025, (5)). x = 0 leaves the prior mean.
  const Params& p = params_;
  // E[1/nu] of a gamma(k, .) exists only for k > 1.
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  const double population = p.q > 1 ? p.p * p.gamma / (p.q - 1) : kNaN;
  for (size_t i = 0; i < data.rows(); ++i) {
    const double x = data.frequency[i], shape = p.p * x + p.q;
    out[i] = x == 0 ? population : shape > 1 ? p.p * (p.gamma + x * data.monetary[i]) / (shape - 1) : kNaN;
  }
  return absl::OkStatus();
}

namespace internal {
double GammaGammaLogLikelihood(const GammaGammaModel::Params& p, const FrequencyMonetary& data,
                               std::span<double> gradient) {
  return TotalLogLikelihood(p, RepeatRows(data), 1, gradient.data());
}
}  // namespace internal

}  // namespace rapport
