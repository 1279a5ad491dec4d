// Helpers shared by the CLV model files: compressed rows indexed by distinct frequency, parameter and
// argument checks, and the parallel loop of the predictions.
#ifndef RAPPORT_ANALYTICS_CLV_MODEL_UTIL_H_
#define RAPPORT_ANALYTICS_CLV_MODEL_UTIL_H_

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "analytics/rfm_order_scan.h"
#include "rapport/clv.h"

namespace rapport::internal {

// Distinct (x, t_x, T) rows with summed weights, and for each the code of its x among the distinct
// frequencies: the terms of a likelihood that depend on x alone (log-gammas, digammas) are computed
// once per distinct x, which a customer base has few of.
struct FrequencyIndex {
  std::vector<double> x, recency, age, weight;
  std::vector<int32_t> code;      // index into distinct
  std::vector<double> distinct;   // ascending
  int64_t input_rows = 0;
  double total_weight = 0;

  size_t size() const { return x.size(); }
};

// Compresses and indexes checked data.
FrequencyIndex IndexRows(const RecencyFrequency& data);
// The same for a fit: InvalidArgument when no weight is left or nobody made a repeat purchase (then
// the likelihood has no maximum: the data cannot identify the model).
absl::StatusOr<FrequencyIndex> IndexRepeaters(const RecencyFrequency& data, std::string_view model);

// InvalidArgument "<name>: must be finite and > 0, got v" for the first parameter that is not.
absl::Status CheckPositive(std::initializer_list<std::pair<std::string_view, double>> params);
// A prediction horizon: finite and >= 0.
absl::Status CheckHorizon(std::string_view name, double t);
// Times: each finite and >= 0.
absl::Status CheckTimes(std::string_view name, std::span<const double> t);
// Counts: each a whole number >= 0.
absl::Status CheckCounts(std::string_view name, std::span<const double> n);

// Runs fn(i) for i in [0, n), split over two threads for large n (predictions are independent per row).
template <typename Fn>
void ForEachRow(size_t n, Fn&& fn) {
  const int parts = PartsFor(0, n / 8);  // a prediction costs about as much as eight order rows
  RunParts(parts, [&](int p) {
    const size_t begin = n * p / parts, end = n * (p + 1) / parts;
    for (size_t i = begin; i < end; ++i) fn(i);
  });
}

}  // namespace rapport::internal

#endif  // RAPPORT_ANALYTICS_CLV_MODEL_UTIL_H_
