// The models' log-likelihoods with their analytic gradients, for tests that check the gradients
// against finite differences (the fits use the same functions).
#ifndef RAPPORT_ANALYTICS_CLV_INTERNAL_H_
#define RAPPORT_ANALYTICS_CLV_INTERNAL_H_

#include <span>

#include "rapport/clv.h"

namespace rapport::internal {

// Total log-likelihood of checked data; the gradient in the natural parameters (model order) is
// written to `gradient` (4 or 3 elements).
double BgNbdLogLikelihood(const BgNbdModel::Params& p, const RecencyFrequency& data, std::span<double> gradient);
double ParetoNbdLogLikelihood(const ParetoNbdModel::Params& p, const RecencyFrequency& data, std::span<double> gradient);
double GammaGammaLogLikelihood(const GammaGammaModel::Params& p, const FrequencyMonetary& data,
                               std::span<double> gradient);
double BgBbLogLikelihood(const BgBbModel::Params& p, const RecencyFrequency& data, std::span<double> gradient);

}  // namespace rapport::internal

#endif  // RAPPORT_ANALYTICS_CLV_INTERNAL_H_
