// Ranking primitives of the RFM and value tier analyses: quantile scores with the rank-min tie rule,
// order statistics, linear-interpolation quantiles and a radix sort of doubles.
#ifndef RAPPORT_ANALYTICS_RANKING_QUANTILE_H_
#define RAPPORT_ANALYTICS_RANKING_QUANTILE_H_

#include <cstddef>
#include <cstdint>
#include <span>

namespace rapport::internal {

// Writes to out[i] the score 1..bins of values[i] among the scored values (scored == nullptr: all
// rows; otherwise rows with scored[i] != 0), 0 for unscored rows:
//   score = 1 + floor(bins * worse / n), worse = the number of scored values strictly worse,
// worse meaning larger when `larger_is_worse`, else smaller. Scored values must not be NaN.
//
// No ranks are materialised. Integer values within a small range take a counting pass (recency days,
// order counts). Other values are scored against bins - 1 thresholds: with t_s the k_s-th smallest
// value, k_s = ceil((s - 1) * n / bins), a value scores at least s exactly when it exceeds t_s, so
// selecting the thresholds (nth_element, O(n)) replaces a sort. Integers beyond 2^53 in magnitude
// compare as doubles.
template <typename T>
void QuantileScores(std::span<const T> values, const uint8_t* scored, bool larger_is_worse, int bins, uint8_t* out);

extern template void QuantileScores<double>(std::span<const double>, const uint8_t*, bool, int, uint8_t*);
extern template void QuantileScores<int32_t>(std::span<const int32_t>, const uint8_t*, bool, int, uint8_t*);
extern template void QuantileScores<int64_t>(std::span<const int64_t>, const uint8_t*, bool, int, uint8_t*);

// The k-th largest value (1 <= k <= values.size()); reorders `values`.
double KthLargest(std::span<double> values, size_t k);

// The q-quantile (0 <= q <= 1) by linear interpolation between the closest ranks, as numpy's default
// method and DuckDB's quantile_cont; NaN when empty. Reorders `values`.
double QuantileInPlace(std::span<double> values, double q);

// Sorts into descending order (LSD radix sort on the IEEE bits; -0.0 sorts just after 0.0). NaN must
// not occur.
void SortDescending(std::span<double> values);

}  // namespace rapport::internal

#endif  // RAPPORT_ANALYTICS_RANKING_QUANTILE_H_
