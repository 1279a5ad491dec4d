#include "analytics/ranking_quantile.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <functional>
#include <limits>
#include <type_traits>
#include <vector>

namespace rapport::internal {
namespace {

constexpr int kMaxBins = 10;
constexpr double kExactIntegerLimit = 9007199254740992.0;  // 2^53

// k_s = ceil((s - 1) * n / bins) for s = 2..bins, in exact integer arithmetic.
uint64_t ThresholdRank(int s, uint64_t n, int bins) {
  return ((static_cast<uint64_t>(s - 1) * n) + static_cast<uint64_t>(bins) - 1) / static_cast<uint64_t>(bins);
}

// Counting pass over integers in [0, range]: index(i) is the value's offset from the minimum.
template <typename Index>
void HistogramScores(size_t size, const uint8_t* scored, uint64_t n, uint64_t range, bool larger_is_worse, int bins,
                     Index index, uint8_t* out) {
  std::vector<uint64_t> count(range + 1, 0);
  for (size_t i = 0; i < size; ++i) {
    if (scored == nullptr || scored[i]) ++count[index(i)];
  }
  std::vector<uint8_t> score_of(range + 1, 0);
  uint64_t worse = 0;
  const uint64_t b = static_cast<uint64_t>(bins);
  if (larger_is_worse) {
    for (uint64_t v = range + 1; v-- > 0;) {
      score_of[v] = static_cast<uint8_t>(1 + b * worse / n);
      worse += count[v];
    }
  } else {
    for (uint64_t v = 0; v <= range; ++v) {
      score_of[v] = static_cast<uint8_t>(1 + b * worse / n);
      worse += count[v];
    }
  }
  for (size_t i = 0; i < size; ++i) out[i] = (scored == nullptr || scored[i]) ? score_of[index(i)] : 0;
}

// Scores against the bins - 1 order statistics (see the header). Keys are negated when larger is
// worse, so that smaller keys are always worse.
template <typename T>
void SelectionScores(std::span<const T> values, const uint8_t* scored, uint64_t n, bool larger_is_worse, int bins,
                     uint8_t* out) {
  const size_t size = values.size();
  const double sign = larger_is_worse ? -1.0 : 1.0;
  std::vector<double> keys;
  keys.reserve(n);
  for (size_t i = 0; i < size; ++i) {
    if (scored == nullptr || scored[i]) keys.push_back(sign * static_cast<double>(values[i]));
  }
  std::array<double, kMaxBins> threshold{};
  size_t done = 0;
  for (int s = 2; s <= bins; ++s) {
    const size_t k = ThresholdRank(s, n, bins);
    std::nth_element(keys.begin() + done, keys.begin() + (k - 1), keys.end());
    threshold[s - 2] = keys[k - 1];
    done = k - 1;
  }
  const int cuts = bins - 1;
  for (size_t i = 0; i < size; ++i) {
    if (scored != nullptr && !scored[i]) {
      out[i] = 0;
      continue;
    }
    const double key = sign * static_cast<double>(values[i]);
    int score = 1;
    for (int c = 0; c < cuts; ++c) score += key > threshold[c];
    out[i] = static_cast<uint8_t>(score);
  }
}

uint64_t OrderedBits(double v) {
  const uint64_t u = std::bit_cast<uint64_t>(v);
  return (u >> 63) ? ~u : (u | (uint64_t{1} << 63));
}

double FromOrderedBits(uint64_t u) { return std::bit_cast<double>((u >> 63) ? (u & ~(uint64_t{1} << 63)) : ~u); }

}  // namespace

template <typename T>
void QuantileScores(std::span<const T> values, const uint8_t* scored, bool larger_is_worse, int bins, uint8_t* out) {
  const size_t size = values.size();
  uint64_t n = 0;
  T lo{}, hi{};
  bool integral = true;
  for (size_t i = 0; i < size; ++i) {
    if (scored != nullptr && !scored[i]) continue;
    const T v = values[i];
    if (n++ == 0) {
      lo = hi = v;
    } else {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    if constexpr (std::is_floating_point_v<T>) integral = integral && v == std::trunc(v);
  }
  if (n == 0) {
    std::fill(out, out + size, 0);
    return;
  }
  // A counting pass needs a counter per value between the extremes: worth it when that is about as
  // many counters as values.
  const uint64_t counting_limit = n + 65536;
  if constexpr (std::is_floating_point_v<T>) {
    if (integral && lo >= -kExactIntegerLimit && hi <= kExactIntegerLimit && hi - lo <= static_cast<T>(counting_limit)) {
      const T base = lo;
      HistogramScores(size, scored, n, static_cast<uint64_t>(hi - lo), larger_is_worse, bins,
                      [&](size_t i) { return static_cast<uint64_t>(values[i] - base); }, out);
      return;
    }
  } else {
    const uint64_t range = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
    if (range <= counting_limit) {
      const uint64_t base = static_cast<uint64_t>(lo);
      HistogramScores(size, scored, n, range, larger_is_worse, bins,
                      [&](size_t i) { return static_cast<uint64_t>(values[i]) - base; }, out);
      return;
    }
  }
  SelectionScores(values, scored, n, larger_is_worse, bins, out);
}

template void QuantileScores<double>(std::span<const double>, const uint8_t*, bool, int, uint8_t*);
template void QuantileScores<int32_t>(std::span<const int32_t>, const uint8_t*, bool, int, uint8_t*);
template void QuantileScores<int64_t>(std::span<const int64_t>, const uint8_t*, bool, int, uint8_t*);

double KthLargest(std::span<double> values, size_t k) {
  std::nth_element(values.begin(), values.begin() + (k - 1), values.end(), std::greater<double>());
  return values[k - 1];
}

double QuantileInPlace(std::span<double> values, double q) {
  const size_t n = values.size();
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  const double position = q * static_cast<double>(n - 1);
  const size_t below = std::min(static_cast<size_t>(std::floor(position)), n - 1);
  const double t = position - static_cast<double>(below);
  double a, b;
  if (n <= 32) {
    // Per-customer gaps are a handful of values: sorting them beats a selection.
    for (size_t i = 1; i < n; ++i) {
      const double v = values[i];
      size_t j = i;
      for (; j > 0 && values[j - 1] > v; --j) values[j] = values[j - 1];
      values[j] = v;
    }
    a = values[below];
    if (t == 0 || below + 1 >= n) return a;
    b = values[below + 1];
  } else {
    std::nth_element(values.begin(), values.begin() + below, values.end());
    a = values[below];
    if (t == 0 || below + 1 >= n) return a;
    b = *std::min_element(values.begin() + below + 1, values.end());
  }
  // numpy's _lerp: exact at both ends and monotone in t.
  return t < 0.5 ? a + (b - a) * t : b - (b - a) * (1 - t);
}

void SortDescending(std::span<double> values) {
  constexpr int kBits = 11;
  constexpr int kPasses = 6;  // 6 * 11 >= 64
  constexpr size_t kBuckets = size_t{1} << kBits;
  const size_t n = values.size();
  if (n < 2) return;
  if (n < 256) {
    std::sort(values.begin(), values.end(), std::greater<double>());
    return;
  }
  // Descending values are ascending complemented keys.
  std::vector<uint64_t> keys(n), other(n);
  std::vector<std::array<size_t, kBuckets>> count(kPasses);
  for (auto& c : count) c.fill(0);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t k = ~OrderedBits(values[i]);
    keys[i] = k;
    for (int p = 0; p < kPasses; ++p) ++count[p][(k >> (p * kBits)) & (kBuckets - 1)];
  }
  for (int p = 0; p < kPasses; ++p) {
    const uint64_t first_digit = (keys[0] >> (p * kBits)) & (kBuckets - 1);
    if (count[p][first_digit] == n) continue;  // every key has this digit: the pass changes nothing
    size_t offset = 0;
    for (size_t& c : count[p]) {
      const size_t here = c;
      c = offset;
      offset += here;
    }
    for (size_t i = 0; i < n; ++i) other[count[p][(keys[i] >> (p * kBits)) & (kBuckets - 1)]++] = keys[i];
    keys.swap(other);
  }
  for (size_t i = 0; i < n; ++i) values[i] = FromOrderedBits(~keys[i]);
}

}  // namespace rapport::internal
