// Per-customer recency, frequency and monetary as of a time: the one pass over the orders behind
// ComputeRfm and ComputeValueTiers.
#ifndef RAPPORT_ANALYTICS_RFM_AGGREGATE_H_
#define RAPPORT_ANALYTICS_RFM_AGGREGATE_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "rapport/frame.h"

namespace rapport::internal {

// Customers with at least one counted order (a time, at <= as_of), ascending.
struct RfmColumns {
  std::vector<int64_t> customer;
  std::vector<int32_t> recency_days;
  std::vector<int64_t> frequency;
  std::vector<double> monetary;  // NaN amounts add nothing
};

absl::StatusOr<RfmColumns> AggregateRfm(const OrderFrame& orders, int64_t as_of, int threads);

}  // namespace rapport::internal

#endif  // RAPPORT_ANALYTICS_RFM_AGGREGATE_H_
