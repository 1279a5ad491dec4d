#include "analytics/clv_model_util.h"

#include <algorithm>
#include <cmath>

#include "analytics/clv_data.h"
#include "base/strings.h"

namespace rapport::internal {

FrequencyIndex IndexRows(const RecencyFrequency& data) {
  WeightedRows rows = CompressRows(data.frequency, data.recency, data.age, data.weights);
  FrequencyIndex out;
  out.input_rows = rows.input_rows;
  out.total_weight = rows.total_weight;
  out.x = std::move(rows.a);
  out.recency = std::move(rows.b);
  out.age = std::move(rows.c);
  out.weight = std::move(rows.w);
  out.distinct = out.x;
  std::sort(out.distinct.begin(), out.distinct.end());
  out.distinct.erase(std::unique(out.distinct.begin(), out.distinct.end()), out.distinct.end());
  out.code.resize(out.x.size());
  for (size_t i = 0; i < out.x.size(); ++i) {
    out.code[i] = static_cast<int32_t>(std::lower_bound(out.distinct.begin(), out.distinct.end(), out.x[i]) -
                                       out.distinct.begin());
  }
  return out;
}

absl::StatusOr<FrequencyIndex> IndexRepeaters(const RecencyFrequency& data, std::string_view model) {
  FrequencyIndex rows = IndexRows(data);
  if (rows.size() == 0) return absl::InvalidArgumentError("weights: all zero (no customers to fit)");
  if (rows.distinct.back() == 0) {
    return absl::InvalidArgumentError(AsAbsl(StrCat(
        "frequency: nobody repeated (every frequency is 0); the ", model, " model cannot be identified")));
  }
  return rows;
}

absl::Status CheckPositive(std::initializer_list<std::pair<std::string_view, double>> params) {
  for (const auto& [name, value] : params) {
    if (!(std::isfinite(value) && value > 0)) {
      return absl::InvalidArgumentError(AsAbsl(StrCat(name, ": must be finite and > 0, got ", value)));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckHorizon(std::string_view name, double t) {
  if (!(std::isfinite(t) && t >= 0)) {
    return absl::InvalidArgumentError(AsAbsl(StrCat(name, ": must be finite and >= 0, got ", t)));
  }
  return absl::OkStatus();
}

absl::Status CheckTimes(std::string_view name, std::span<const double> t) {
  for (size_t i = 0; i < t.size(); ++i) {
    if (!(std::isfinite(t[i]) && t[i] >= 0)) {
      return absl::InvalidArgumentError(AsAbsl(StrCat(name, ": must be finite and >= 0 (row ", i, ": ", t[i], ")")));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckCounts(std::string_view name, std::span<const double> n) {
  for (size_t i = 0; i < n.size(); ++i) {
    if (!(std::isfinite(n[i]) && n[i] >= 0 && n[i] == std::floor(n[i]))) {
      return absl::InvalidArgumentError(
          AsAbsl(StrCat(name, ": must be a whole number >= 0 (row ", i, ": ", n[i], ")")));
    }
  }
  return absl::OkStatus();
}

}  // namespace rapport::internal
