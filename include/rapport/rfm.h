// RFM (recency, frequency, monetary) scores, named RFM segments and value tiers.
//
// Two levels: ComputeRfm / ComputeValueTiers aggregate an OrderFrame as of a time; ScoreRfm /
// AssignValueTiers score per-customer arrays that the caller already has (a CustomerFrame's columns in
// the segment language, an analyst's DataFrame). ComputeRfm is built on ScoreRfm, so both give the same
// scores for the same values. Every function is pure and thread-safe; none touches a database.
//
// Which orders count: those with `at <= as_of` and a time (kNullTime orders are skipped). A missing
// (NaN) amount adds nothing to monetary but the order still counts in frequency (SQL SUM semantics).
//
// The tie rule of every score: score = 1 + floor(bins * (rank_min - 1) / n), where n is the number
// of scored customers and rank_min = 1 + the number of scored customers with a strictly worse value.
// Equal values always get equal scores. It is SQL's
//   1 + (bins * (rank() OVER (ORDER BY x) - 1)) / count(*) OVER ()   (integer division)
// and pandas' rank(method="min"). Worse is a larger recency and a smaller frequency or monetary, so
// recent, frequent, big spenders score `bins`.
#ifndef RAPPORT_RFM_H_
#define RAPPORT_RFM_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "rapport/frame.h"

namespace rapport {

// A named region of the R-by-F grid, inclusive on both ends. Rules are tried in order; the first
// that contains a customer's (R, F) names the customer's segment.
struct RfmSegmentRule {
  std::string name;
  int r_min = 1;
  int r_max = 1;
  int f_min = 1;
  int f_max = 1;
};

// The classic map of the 5x5 grid (a partition: every (R, F) cell has exactly one segment), in the
// order Champions, Loyal, Potential loyalists, New, Promising, Need attention, About to sleep,
// At risk, Can't lose, Hibernating. Segment codes are indexes into this list.
const std::vector<RfmSegmentRule>& ClassicRfmSegments();

struct RfmOptions {
  // Number of score levels, 2..10.
  int bins = 5;
  // Segment rules; unset: ClassicRfmSegments() when bins == 5, no segments otherwise. An empty list
  // means no segments.
  std::optional<std::vector<RfmSegmentRule>> segments;
  // Worker threads for large inputs: 0 picks (2 above ~200k customers), 1 runs on the calling
  // thread. Results never depend on it.
  int threads = 0;
};

// Scores of per-customer arrays (ScoreRfm).
struct RfmScores {
  int bins = 5;
  std::vector<uint8_t> r, f, m;         // 1..bins, 0 = unscored
  std::vector<int16_t> segment;         // index into segment_names, -1 = unscored or no rule matched
  std::vector<std::string> segment_names;
  int64_t scored = 0;                   // customers with scores
};

// Scores customers given their recency in days, number of orders and total spent (one element per
// customer, same length). A customer is unscored when frequency is not > 0 or any of the three values
// is NaN (so a CustomerFrame's customers without orders are unscored); n counts the scored ones.
absl::StatusOr<RfmScores> ScoreRfm(std::span<const double> recency_days, std::span<const double> frequency,
                                   std::span<const double> monetary, const RfmOptions& options = {});

// One segment's share of the customers and of their revenue.
struct RfmSegmentSummary {
  std::string name;
  int64_t customers = 0;
  double customer_share = 0;       // of all customers in the table
  double revenue = 0;              // sum of monetary
  double revenue_share = 0;        // of the table's revenue; NaN when that is not positive
  double mean_recency_days = 0;    // means are NaN when the segment is empty
  double mean_frequency = 0;
  double mean_monetary = 0;
};

// RFM as of a time, one row per customer with at least one counted order, by ascending id.
struct RfmTable {
  int64_t as_of = 0;
  int bins = 5;
  std::vector<int64_t> customer;
  std::vector<int32_t> recency_days;  // floor((as_of - last order) / 1 day)
  std::vector<int64_t> frequency;     // counted orders
  std::vector<double> monetary;       // sum of their amounts, in (customer, at) order
  std::vector<uint8_t> r, f, m;       // 1..bins (every row is scored)
  std::vector<int16_t> segment;       // index into segment_names, -1 = no rule matched
  std::vector<std::string> segment_names;
  // One per segment rule, in rule order; customers no rule matched are in `unsegmented` (name "").
  std::vector<RfmSegmentSummary> segments;
  RfmSegmentSummary unsegmented;
  // Customers per (R, F) cell, bins x bins, row-major by R: grid[(r - 1) * bins + (f - 1)].
  std::vector<int64_t> grid;

  size_t rows() const { return customer.size(); }
  int64_t grid_count(int r_score, int f_score) const { return grid[(r_score - 1) * bins + (f_score - 1)]; }
};

// RFM of the customers in `orders` as of `as_of` (µs since the epoch). Sorted frames (OrderFrame::Sort)
// are read in place; others are read through a sorted permutation built per call.
absl::StatusOr<RfmTable> ComputeRfm(const OrderFrame& orders, int64_t as_of, const RfmOptions& options = {});

// Value tiers split buyers into three by what they spent.
enum class ValueTierMode {
  // By rank: p = (rank_desc_min - 1) / n with rank_desc_min = 1 + the number of buyers who spent
  // strictly more; tier 0 when p < high, tier 1 when p < potential, else tier 2.
  kQuantile = 0,
  // By share of revenue: share_before = revenue of buyers who spent strictly more / total revenue;
  // tier 0 when share_before < high, tier 1 when < potential, else tier 2.
  kRevenueShare = 1,
};

struct ValueTierOptions {
  ValueTierMode mode = ValueTierMode::kQuantile;
  // Thresholds, 0 < high < potential <= 1; unset: 0.2 and 0.5 by quantile (top 20% of buyers, then
  // the next 30%), 0.5 and 0.8 by revenue share.
  std::optional<double> high;
  std::optional<double> potential;
  std::array<std::string, 3> names{"high value", "potential", "general"};
  int threads = 0;  // as RfmOptions::threads
};

struct ValueTiers {
  std::vector<int8_t> tier;                  // 0..2 (index into names), -1 = not a buyer
  std::array<std::string, 3> names;
  std::array<int64_t, 3> customers{};        // per tier
  std::array<double, 3> revenue{};           // per tier, sum of monetary
};

// Tiers of per-customer arrays: a buyer has frequency > 0 and a monetary that is not NaN. By revenue
// share the buyers' total must be positive.
absl::StatusOr<ValueTiers> AssignValueTiers(std::span<const double> frequency, std::span<const double> monetary,
                                            const ValueTierOptions& options = {});

// Tiers of the customers with counted orders as of `as_of` (the rows of ComputeRfm).
struct ValueTierTable {
  std::vector<int64_t> customer;  // ascending
  std::vector<double> monetary;
  ValueTiers tiers;               // tiers.tier has one element per row, never -1
};

absl::StatusOr<ValueTierTable> ComputeValueTiers(const OrderFrame& orders, int64_t as_of,
                                                 const ValueTierOptions& options = {});

}  // namespace rapport

#endif  // RAPPORT_RFM_H_
