// The recency-frequency summary that customer lifetime value models read (include/rapport/clv.h).
//
// From a transaction log (an OrderFrame) it gives, per customer who bought by the calibration end:
//   frequency x   the number of repeat purchases (the first purchase is not counted),
//   recency t_x   the time from the first purchase to the last one,
//   age T         the time from the first purchase to the calibration end,
//   monetary      the mean amount of the repeat purchases (the first purchase is not counted),
// and, when an observation end is given, the purchases in the holdout period after the calibration end.
// Times are in a unit the caller chooses (weeks by default). Purchases of one customer in the same
// merge period (one UTC day by default) count as one purchase of their summed amount. These are the
// conventions of the published CDNOW analyses (Fader, Hardie & Lee 2005): calibration end 1997-09-30,
// weeks, same-day purchases merged, give exactly Hardie's (x, t_x, T, zbar) for the 2,357 customers.
// Pure and thread-safe; never touches a database.
#ifndef RAPPORT_CLV_SUMMARY_H_
#define RAPPORT_CLV_SUMMARY_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "rapport/frame.h"

namespace rapport {

inline constexpr int64_t kMicrosPerWeek = 7 * kMicrosPerDay;

struct ClvSummaryOptions {
  // Required: purchases at or before this time (µs since the epoch) are the calibration period.
  int64_t calibration_end = kNullTime;
  // Optional: when set, purchases in (calibration_end, observation_end] are the holdout period.
  int64_t observation_end = kNullTime;
  // Microseconds per model time unit: kMicrosPerWeek (default), kMicrosPerDay, or any positive length.
  int64_t time_unit = kMicrosPerWeek;
  // Purchases of one customer in the same period [k * merge_period + merge_offset, ...) count as one,
  // at the time of the earliest of them, with their amounts summed. 0 turns merging off (every order
  // is a purchase). merge_offset shifts the periods, e.g. -8 h for calendar days in UTC+8.
  int64_t merge_period = kMicrosPerDay;
  int64_t merge_offset = 0;
  int threads = 0;  // as RfmOptions::threads
};

// One row per customer with a purchase at or before the calibration end, by ascending id.
struct ClvSummary {
  std::vector<int64_t> customer;
  std::vector<double> frequency;  // x, a whole number
  std::vector<double> recency;    // t_x, 0 when x = 0
  std::vector<double> age;        // T
  std::vector<double> monetary;   // mean repeat purchase amount; NaN when x = 0
  // Present when observation_end is set (else empty): purchases in the holdout period and their mean
  // amount (NaN when none), and the holdout length in time units (the same for every customer).
  std::vector<double> holdout_frequency;
  std::vector<double> holdout_monetary;
  double holdout_duration = 0;

  size_t rows() const { return customer.size(); }
};

// InvalidArgument when the frame's columns differ in length, calibration_end is missing,
// observation_end is not after it, time_unit is not positive or merge_period is negative.
// Orders without a time are ignored; a missing (NaN) amount adds nothing to a purchase's amount.
absl::StatusOr<ClvSummary> SummarizeForClv(const OrderFrame& orders, const ClvSummaryOptions& options);

}  // namespace rapport

#endif  // RAPPORT_CLV_SUMMARY_H_
