#include "analytics/clv_data.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "analytics/rfm_order_scan.h"
#include "base/strings.h"

namespace rapport::internal {
namespace {

absl::Status Bad(std::string_view field, std::string_view problem, size_t row, double value) {
  return absl::InvalidArgumentError(AsAbsl(StrCat(field, ": ", problem, " (row ", row, ": ", value, ")")));
}

absl::Status CheckLength(std::string_view field, size_t size, size_t expected) {
  if (size != expected) {
    return absl::InvalidArgumentError(
        AsAbsl(StrCat(field, ": must have as many elements as frequency (", expected, "), got ", size)));
  }
  return absl::OkStatus();
}

absl::Status CheckWeights(std::span<const double> weights, size_t rows) {
  if (weights.empty()) return absl::OkStatus();
  if (absl::Status s = CheckLength("weights", weights.size(), rows); !s.ok()) return s;
  for (size_t i = 0; i < rows; ++i) {
    if (!(std::isfinite(weights[i]) && weights[i] >= 0)) return Bad("weights", "must be finite and >= 0", i, weights[i]);
  }
  return absl::OkStatus();
}

// v == floor(v) for finite v without a call to floor (x86-64 has no rounding instruction before SSE4.1):
// every double of magnitude 2^52 or more is whole; below, truncation to an integer is exact.
bool Whole(double v) { return std::abs(v) >= 0x1p52 || static_cast<double>(static_cast<int64_t>(v)) == v; }

// Rows [begin, end) of data whose lengths are checked: the first bad one.
absl::Status CheckRows(const RecencyFrequency& d, TimeKind kind, size_t begin, size_t end) {
  const bool discrete = kind == TimeKind::kDiscrete;
  for (size_t i = begin; i < end; ++i) {
    const double x = d.frequency[i], tx = d.recency[i], T = d.age[i];
    if (std::isnan(x)) return Bad("frequency", "is NaN", i, x);
    if (std::isnan(tx)) return Bad("recency", "is NaN", i, tx);
    if (std::isnan(T)) return Bad("age", "is NaN", i, T);
    if (!std::isfinite(x) || x < 0 || !Whole(x)) return Bad("frequency", "must be a whole number >= 0", i, x);
    if (!std::isfinite(T) || T < 0) return Bad("age", "must be finite and >= 0", i, T);
    if (tx < 0) return Bad("recency", "must be >= 0", i, tx);
    if (tx > T) return Bad("recency", StrCat("must not exceed age (", T, ")"), i, tx);
    if (discrete) {
      if (!Whole(T)) return Bad("age", "must be a whole number of opportunities", i, T);
      if (!Whole(tx)) return Bad("recency", "must be a whole number of opportunities", i, tx);
      if (x > tx) return Bad("frequency", StrCat("must not exceed recency (", tx, ")"), i, x);
    }
    // Recency is the time of the last repeat purchase; without one it is 0 (the models read t_x = 0).
    if (x == 0 && tx != 0) return Bad("recency", "must be 0 when frequency is 0", i, tx);
  }
  return absl::OkStatus();
}


}  // namespace

absl::Status CheckRecencyFrequency(const RecencyFrequency& d, TimeKind kind) {
  const size_t n = d.frequency.size();
  if (n == 0) return absl::InvalidArgumentError("frequency: no customers (the input is empty)");
  if (absl::Status s = CheckLength("recency", d.recency.size(), n); !s.ok()) return s;
  if (absl::Status s = CheckLength("age", d.age.size(), n); !s.ok()) return s;
  if (absl::Status s = CheckWeights(d.weights, n); !s.ok()) return s;
  // Rows in parts on two threads for large inputs (predictions for millions check them first); the first
  // failing part holds the first bad row, so the message is the one a single pass gives.
  const int parts = PartsFor(0, n);
  std::vector<absl::Status> found(static_cast<size_t>(parts));
  RunParts(parts, [&](int p) { found[p] = CheckRows(d, kind, n * p / parts, n * (p + 1) / parts); });
  for (absl::Status& s : found) {
    if (!s.ok()) return std::move(s);
  }
  return absl::OkStatus();
}

absl::Status CheckFrequencyMonetary(const FrequencyMonetary& d) {
  const size_t n = d.frequency.size();
  if (n == 0) return absl::InvalidArgumentError("frequency: no customers (the input is empty)");
  if (absl::Status s = CheckLength("monetary", d.monetary.size(), n); !s.ok()) return s;
  if (absl::Status s = CheckWeights(d.weights, n); !s.ok()) return s;
  for (size_t i = 0; i < n; ++i) {
    const double x = d.frequency[i], m = d.monetary[i];
    if (std::isnan(x)) return Bad("frequency", "is NaN", i, x);
    if (!std::isfinite(x) || x < 0 || !Whole(x)) return Bad("frequency", "must be a whole number >= 0", i, x);
    if (x > 0) {
      if (std::isnan(m)) return Bad("monetary", "is NaN for a customer with repeat purchases", i, m);
      if (!std::isfinite(m) || m <= 0) return Bad("monetary", "must be finite and > 0 where frequency > 0", i, m);
    }
  }
  return absl::OkStatus();
}

absl::Status CheckOutput(size_t rows, std::span<double> out) {
  if (out.size() != rows) {
    return absl::InvalidArgumentError(AsAbsl(StrCat("out: must have ", rows, " elements, got ", out.size())));
  }
  return absl::OkStatus();
}

WeightedRows CompressRows(std::span<const double> a, std::span<const double> b, std::span<const double> c,
                          std::span<const double> weights) {
  // Keys are the exact bit patterns (inputs are checked: no NaN; -0.0 and 0.0 compare equal and are
  // normalised by adding 0.0).
  using Key = std::tuple<uint64_t, uint64_t, uint64_t>;
  auto bits = [](double v) {
    v += 0.0;
    uint64_t u;
    std::memcpy(&u, &v, sizeof u);
    return u;
  };
  WeightedRows out;
  out.input_rows = static_cast<int64_t>(a.size());
  absl::flat_hash_map<Key, size_t> index;
  index.reserve(a.size() / 4);
  for (size_t i = 0; i < a.size(); ++i) {
    const double w = WeightAt(weights, i);
    if (w == 0) continue;
    out.total_weight += w;
    const double ci = c.empty() ? 0.0 : c[i];
    auto [it, added] = index.try_emplace(Key{bits(a[i]), bits(b[i]), bits(ci)}, out.w.size());
    if (added) {
      out.a.push_back(a[i]);
      out.b.push_back(b[i]);
      out.c.push_back(ci);
      out.w.push_back(w);
    } else {
      out.w[it->second] += w;
    }
  }
  return out;
}

}  // namespace rapport::internal
