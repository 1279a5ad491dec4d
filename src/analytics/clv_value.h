// Lifetime value in two parts, so that a caller with many customers sharing (x, t_x, T) can compute the
// costly part once per distinct row (stored models score a million customers this way;
// src/analytics/clv_scoring.cc). CustomerLifetimeValue is margin * E[M] * DiscountedPurchases.
#ifndef RAPPORT_ANALYTICS_CLV_VALUE_H_
#define RAPPORT_ANALYTICS_CLV_VALUE_H_

#include <span>

#include "absl/status/status.h"
#include "rapport/clv.h"

namespace rapport::internal {

// InvalidArgument for options out of range ("periods: must be >= 1, got 0", ...).
absl::Status CheckValueOptions(const ClvOptions& options);

// Each customer's discounted expected purchases over the horizon:
//   sum_{k=1..periods} (E[Y(k d)] - E[Y((k-1) d)]) / (1 + discount_rate)^k,  d = period_length.
absl::Status DiscountedPurchases(const PurchaseModel& purchases, const RecencyFrequency& data,
                                 const ClvOptions& options, std::span<double> out);

}  // namespace rapport::internal

#endif  // RAPPORT_ANALYTICS_CLV_VALUE_H_
