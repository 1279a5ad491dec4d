// Model checking for the CLV purchase models (include/rapport/clv.h): how well a fitted model predicts
// a holdout period it did not see, and what it predicts across a grid of customer histories
// (docs/clv.md, "Model checking").
//
//   CompareCalibrationHoldout   actual against expected holdout purchases per calibration frequency
//                               (the figure of conditional expectations of Fader, Hardie & Lee 2005)
//   ComputeFrequencyRecencyMatrix   E[Y(t)] and P(alive) over a grid of (x, t_x) for one T
//
// Pure functions of their arguments; thread-safe. Errors are InvalidArgument "<field>: <problem>".
#ifndef RAPPORT_CLV_CHECK_H_
#define RAPPORT_CLV_CHECK_H_

#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "rapport/clv.h"
#include "rapport/clv_summary.h"

namespace rapport {

struct CalibrationHoldoutOptions {
  // Customers with x = 0 .. max_frequency - 1 repeat purchases in the calibration period form one group
  // per x; those with x >= max_frequency share the last group ("7+", right-censored like the figure).
  int max_frequency = 7;
};

// One row per group x = 0 .. max_frequency, the last group censored (x >= max_frequency).
struct CalibrationHoldout {
  std::vector<double> frequency;  // x of the group (the last: max_frequency and more)
  std::vector<double> customers;  // customers in the group (the sum of their weights)
  std::vector<double> actual;     // mean purchases in the holdout period; NaN for an empty group
  std::vector<double> expected;   // mean E[Y(holdout_duration) | x, t_x, T]; NaN for an empty group
  double holdout_duration = 0;

  size_t groups() const { return frequency.size(); }
};

// `calibration` is each customer's (x, t_x, T) in the calibration period (weights, when given, count
// customers), `holdout_frequency` their purchases in the holdout period that follows, of length
// `holdout_duration` in the model's time unit. InvalidArgument for bad data (as the models check it),
// holdout_frequency of another length or not whole numbers >= 0, holdout_duration not finite and > 0,
// max_frequency outside 0..100,000.
absl::StatusOr<CalibrationHoldout> CompareCalibrationHoldout(const PurchaseModel& model,
                                                             const RecencyFrequency& calibration,
                                                             std::span<const double> holdout_frequency,
                                                             double holdout_duration,
                                                             const CalibrationHoldoutOptions& options = {});
// The same from a summary made with an observation end (SummarizeForClv); InvalidArgument
// "holdout_frequency: ..." when it has no holdout period.
absl::StatusOr<CalibrationHoldout> CompareCalibrationHoldout(const PurchaseModel& model, const ClvSummary& summary,
                                                             const CalibrationHoldoutOptions& options = {});

struct FrequencyRecencyOptions {
  // Required: T, the age of every cell (finite, > 0), in the model's time unit.
  double age = 0;
  // Rows x = 0 .. max_frequency (>= 0).
  int max_frequency = 0;
  // Columns: the recencies t_x, each in [0, age]. Empty: every whole time unit 0, 1, ..., and age.
  std::vector<double> recency;
  // The horizon t of the expected purchases (finite, >= 0).
  double horizon = 1;
};

// Row-major (max_frequency + 1) x recency.size() matrices. A customer with x = 0 has t_x = 0, so the
// cells (0, t_x > 0) describe nobody and hold NaN (lifetimes repeats the t_x = 0 value there).
struct FrequencyRecencyMatrix {
  std::vector<double> frequency;  // rows
  std::vector<double> recency;    // columns
  double age = 0;
  double horizon = 0;
  std::vector<double> expected;   // E[Y(horizon) | x, t_x, age]
  std::vector<double> p_alive;    // P(alive at age | x, t_x, age)

  size_t rows() const { return frequency.size(); }
  size_t columns() const { return recency.size(); }
  double Expected(size_t row, size_t column) const { return expected[row * columns() + column]; }
  double Alive(size_t row, size_t column) const { return p_alive[row * columns() + column]; }
};

// InvalidArgument when age is not finite and > 0, max_frequency < 0, a recency is NaN or outside
// [0, age], horizon is not finite and >= 0, or the matrix would have more than 10,000,000 cells.
absl::StatusOr<FrequencyRecencyMatrix> ComputeFrequencyRecencyMatrix(const PurchaseModel& model,
                                                                     const FrequencyRecencyOptions& options);

}  // namespace rapport

#endif  // RAPPORT_CLV_CHECK_H_
