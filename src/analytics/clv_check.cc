// Model checking for the CLV purchase models: calibration against holdout, and the frequency/recency
// matrices. Both are thin layers over the models' predictions; the work is in the models.
#include "rapport/clv_check.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "analytics/clv_data.h"
#include "analytics/clv_model_util.h"
#include "base/status_macros.h"
#include "base/strings.h"

namespace rapport {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kMaxGroups = 100'000;
constexpr double kMaxCells = 10'000'000;

absl::Status CheckHoldout(size_t rows, std::span<const double> holdout_frequency, double holdout_duration) {
  if (holdout_frequency.size() != rows) {
    return absl::InvalidArgumentError(AsAbsl(StrCat("holdout_frequency: must have as many elements as frequency (",
                                                    rows, "), got ", holdout_frequency.size())));
  }
  RETURN_IF_ERROR(internal::CheckCounts("holdout_frequency", holdout_frequency));
  if (!(std::isfinite(holdout_duration) && holdout_duration > 0)) {
    return absl::InvalidArgumentError(
        AsAbsl(StrCat("holdout_duration: must be finite and > 0, got ", holdout_duration)));
  }
  return absl::OkStatus();
}

// The default columns of a matrix: every whole time unit up to age, and age itself.
std::vector<double> WholeUnitsTo(double age) {
  std::vector<double> out;
  for (double v = 0; v <= age; ++v) out.push_back(v);
  if (out.back() != age) out.push_back(age);
  return out;
}

}  // namespace

absl::StatusOr<CalibrationHoldout> CompareCalibrationHoldout(const PurchaseModel& model,
                                                             const RecencyFrequency& calibration,
                                                             std::span<const double> holdout_frequency,
                                                             double holdout_duration,
                                                             const CalibrationHoldoutOptions& options) {
  if (options.max_frequency < 0 || options.max_frequency > kMaxGroups) {
    return absl::InvalidArgumentError(
        AsAbsl(StrCat("max_frequency: must be between 0 and ", kMaxGroups, ", got ", options.max_frequency)));
  }
  RETURN_IF_ERROR(internal::CheckRecencyFrequency(calibration, internal::TimeKind::kContinuous));
  RETURN_IF_ERROR(CheckHoldout(calibration.rows(), holdout_frequency, holdout_duration));
  const size_t n = calibration.rows();
  std::vector<double> expected(n);
  RETURN_IF_ERROR(model.ConditionalExpectedPurchases(holdout_duration, calibration, expected));

  const size_t groups = static_cast<size_t>(options.max_frequency) + 1;
  CalibrationHoldout out;
  out.holdout_duration = holdout_duration;
  out.frequency.resize(groups);
  out.customers.assign(groups, 0.0);
  out.actual.assign(groups, 0.0);
  out.expected.assign(groups, 0.0);
  for (size_t g = 0; g < groups; ++g) out.frequency[g] = static_cast<double>(g);
  const double last = static_cast<double>(options.max_frequency);
  for (size_t i = 0; i < n; ++i) {
    const double w = internal::WeightAt(calibration.weights, i);
    if (w == 0) continue;  // no customers here (and no 0 * inf)
    const size_t g = static_cast<size_t>(std::min(calibration.frequency[i], last));
    out.customers[g] += w;
    out.actual[g] += w * holdout_frequency[i];
    out.expected[g] += w * expected[i];
  }
  for (size_t g = 0; g < groups; ++g) {
    const double c = out.customers[g];
    out.actual[g] = c > 0 ? out.actual[g] / c : kNaN;
    out.expected[g] = c > 0 ? out.expected[g] / c : kNaN;
  }
  return out;
}

absl::StatusOr<CalibrationHoldout> CompareCalibrationHoldout(const PurchaseModel& model, const ClvSummary& summary,
                                                             const CalibrationHoldoutOptions& options) {
  if (summary.rows() > 0 && summary.holdout_frequency.empty()) {
    return absl::InvalidArgumentError(
        "holdout_frequency: the summary has no holdout period (summarise with an observation_end)");
  }
  return CompareCalibrationHoldout(model, RecencyFrequency{summary.frequency, summary.recency, summary.age, {}},
                                   summary.holdout_frequency, summary.holdout_duration, options);
}

absl::StatusOr<FrequencyRecencyMatrix> ComputeFrequencyRecencyMatrix(const PurchaseModel& model,
                                                                     const FrequencyRecencyOptions& options) {
  const double age = options.age;
  if (!(std::isfinite(age) && age > 0)) {
    return absl::InvalidArgumentError(AsAbsl(StrCat("age: must be finite and > 0, got ", age)));
  }
  if (options.max_frequency < 0) {
    return absl::InvalidArgumentError(AsAbsl(StrCat("max_frequency: must be >= 0, got ", options.max_frequency)));
  }
  RETURN_IF_ERROR(internal::CheckHorizon("horizon", options.horizon));
  if (options.recency.empty() && age >= kMaxCells) {
    return absl::InvalidArgumentError(AsAbsl(StrCat("recency: required for an age of ", age,
                                                    " (a column per whole time unit would be too many)")));
  }
  const int64_t rows = int64_t{options.max_frequency} + 1;
  const int64_t columns = options.recency.empty() ? static_cast<int64_t>(std::floor(age)) + 2
                                                  : static_cast<int64_t>(options.recency.size());
  if (static_cast<double>(rows) * static_cast<double>(columns) > kMaxCells) {
    return absl::InvalidArgumentError(AsAbsl(StrCat("max_frequency: the matrix would have ", rows * columns, " cells (",
                                                    rows, " frequencies x ", columns, " recencies), more than ",
                                                    static_cast<int64_t>(kMaxCells))));
  }
  for (size_t j = 0; j < options.recency.size(); ++j) {
    const double v = options.recency[j];
    if (!(v >= 0 && v <= age)) {
      return absl::InvalidArgumentError(
          AsAbsl(StrCat("recency: must be between 0 and age (", age, ") (column ", j, ": ", v, ")")));
    }
  }

  FrequencyRecencyMatrix out;
  out.age = age;
  out.horizon = options.horizon;
  out.recency = options.recency.empty() ? WholeUnitsTo(age) : options.recency;
  out.frequency.resize(static_cast<size_t>(options.max_frequency) + 1);
  for (size_t i = 0; i < out.frequency.size(); ++i) out.frequency[i] = static_cast<double>(i);
  const size_t cells = out.rows() * out.columns();
  // The cells that describe a customer: x = 0 only with t_x = 0.
  std::vector<double> x, tx, T;
  std::vector<size_t> cell;
  x.reserve(cells), tx.reserve(cells), T.reserve(cells), cell.reserve(cells);
  for (size_t i = 0; i < out.rows(); ++i) {
    for (size_t j = 0; j < out.columns(); ++j) {
      if (out.frequency[i] == 0 && out.recency[j] != 0) continue;
      x.push_back(out.frequency[i]);
      tx.push_back(out.recency[j]);
      T.push_back(age);
      cell.push_back(i * out.columns() + j);
    }
  }
  out.expected.assign(cells, kNaN);
  out.p_alive.assign(cells, kNaN);
  if (cell.empty()) return out;  // one row (x = 0) and no t_x = 0 column
  const RecencyFrequency data{x, tx, T, {}};
  std::vector<double> expected(cell.size()), alive(cell.size());
  RETURN_IF_ERROR(model.ConditionalExpectedPurchases(options.horizon, data, expected));
  RETURN_IF_ERROR(model.ProbabilityAlive(data, alive));
  for (size_t k = 0; k < cell.size(); ++k) {
    out.expected[cell[k]] = expected[k];
    out.p_alive[cell[k]] = alive[k];
  }
  return out;
}

}  // namespace rapport
