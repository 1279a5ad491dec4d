// Input checks and row compression shared by the CLV models.
#ifndef RAPPORT_ANALYTICS_CLV_DATA_H_
#define RAPPORT_ANALYTICS_CLV_DATA_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "rapport/clv.h"

namespace rapport::internal {

enum class TimeKind {
  kContinuous,  // BG/NBD, Pareto/NBD: x whole, 0 <= t_x <= T, t_x = 0 when x = 0
  kDiscrete,    // BG/BB: also x, t_x, n whole and x <= t_x
};

// InvalidArgument naming the first bad field and row: lengths, NaN or infinite values, negative or
// fractional frequencies, recency outside [0, age], negative weights, no rows.
absl::Status CheckRecencyFrequency(const RecencyFrequency& data, TimeKind kind);
// Gamma-Gamma: frequency whole and >= 0, monetary > 0 and finite where frequency > 0.
absl::Status CheckFrequencyMonetary(const FrequencyMonetary& data);
// An output array of the input's length.
absl::Status CheckOutput(size_t rows, std::span<double> out);

// Distinct rows of (a, b, c) with their summed weights; rows of weight 0 are dropped. The order of the
// distinct rows is that of their first appearance, so sums over them do not depend on hashing.
struct WeightedRows {
  std::vector<double> a, b, c, w;
  int64_t input_rows = 0;
  double total_weight = 0;

  size_t size() const { return w.size(); }
};
WeightedRows CompressRows(std::span<const double> a, std::span<const double> b, std::span<const double> c,
                          std::span<const double> weights);

// The weight of row i: weights[i], or 1 when there are no weights.
inline double WeightAt(std::span<const double> weights, size_t i) { return weights.empty() ? 1.0 : weights[i]; }

}  // namespace rapport::internal

#endif  // RAPPORT_ANALYTICS_CLV_DATA_H_
