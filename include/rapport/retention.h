// Retention analyses of an OrderFrame: cohort retention, repurchase rate, inter-purchase intervals and
// churn. Pure functions on frames, thread-safe, no database.
//
// Orders without a time (kNullTime) are skipped everywhere. Functions that take `as_of` count only
// orders with `at <= as_of`, as ComputeRfm does. Calendars are UTC. Medians and other percentiles
// interpolate linearly between the closest ranks (numpy's default, DuckDB's quantile_cont).
// Sorted frames (OrderFrame::Sort) are read in place; others through a sorted permutation per call.
#ifndef RAPPORT_RETENTION_H_
#define RAPPORT_RETENTION_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "rapport/frame.h"

namespace rapport {

// Calendar periods of cohorts (UTC). Weeks are ISO weeks: they start on Monday, and a week belongs to
// the ISO year of its Thursday ("2026-W01" starts on Monday 2025-12-29).
enum class CohortPeriod { kWeek = 0, kMonth = 1, kQuarter = 2 };
std::string_view ToString(CohortPeriod period);  // "week", "month", "quarter"

struct CohortOptions {
  CohortPeriod period = CohortPeriod::kMonth;
  // At most this many periods per cohort (columns k = 0..max_periods-1); 0: no limit.
  int max_periods = 0;
  // Worker threads for large inputs: 0 picks (2 above ~200k orders), 1 runs on the calling thread.
  // Results never depend on it.
  int threads = 0;
};

// Customers by the calendar period of their first counted order (their cohort), and how many of them
// ordered again in each later period.
struct CohortMatrix {
  CohortPeriod period = CohortPeriod::kMonth;
  // One row per cohort that has customers, oldest first.
  std::vector<std::string> labels;   // "2025-01", "2025-W03", "2025-Q1"
  std::vector<int64_t> starts;       // first µs of the cohort period
  std::vector<int64_t> sizes;        // customers in the cohort (== count(c, 0))
  int periods = 0;                   // columns: k = 0..periods-1
  // cohorts x periods, row-major. counts: customers of cohort c with an order in period c + k;
  // -1 where period c + k lies after the period containing as_of. rates: counts / size, NaN there.
  std::vector<int64_t> counts;
  std::vector<double> rates;

  size_t cohorts() const { return sizes.size(); }
  int64_t count(size_t cohort, int k) const { return counts[cohort * periods + k]; }
  double rate(size_t cohort, int k) const { return rates[cohort * periods + k]; }
};

absl::StatusOr<CohortMatrix> ComputeCohortRetention(const OrderFrame& orders, int64_t as_of,
                                                    const CohortOptions& options = {});

struct RepurchaseOptions {
  int64_t window = 90 * kMicrosPerDay;  // µs, > 0
  int threads = 0;
};

// Among customers whose first counted order is at least `window` before as_of (first <= as_of -
// window), those who ordered again within the window (second order at <= first + window).
struct RepurchaseRate {
  int64_t repeat_customers = 0;    // numerator
  int64_t eligible_customers = 0;  // denominator
  double rate = 0;                 // NaN when no customer is eligible
};

absl::StatusOr<RepurchaseRate> ComputeRepurchaseRate(const OrderFrame& orders, int64_t as_of,
                                                     const RepurchaseOptions& options = {});

struct IntervalOptions {
  int threads = 0;
};

// Gaps between consecutive counted orders of each customer with at least two, in days (orders at the
// same time give a gap of 0).
struct InterpurchaseIntervals {
  std::vector<int64_t> customer;    // ascending
  std::vector<double> mean_days;    // (last - first) / (orders - 1)
  std::vector<double> median_days;
  double overall_mean_days = 0;     // mean of the per-customer means; NaN when there are none
  double overall_median_days = 0;   // median of the per-customer means; NaN when there are none
};

absl::StatusOr<InterpurchaseIntervals> ComputeInterpurchaseIntervals(const OrderFrame& orders, int64_t as_of,
                                                                     const IntervalOptions& options = {});

// Churn in [start, end): the base is the customers with an order in [start - lookback, start); the
// churned are those of the base without an order in [start, end). Orders from end on are ignored.
struct ChurnOptions {
  int64_t start = kNullTime;              // µs, required
  int64_t end = kNullTime;                // µs, required, > start
  int64_t lookback = 90 * kMicrosPerDay;  // µs, > 0
  int threads = 0;
};

struct ChurnRate {
  int64_t churned_customers = 0;
  int64_t base_customers = 0;
  double rate = 0;  // NaN when the base is empty
};

absl::StatusOr<ChurnRate> ComputeChurn(const OrderFrame& orders, const ChurnOptions& options);

}  // namespace rapport

#endif  // RAPPORT_RETENTION_H_
