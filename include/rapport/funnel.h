// Funnels over frames: the event funnel (ordered event kinds within a conversion window) and the stage
// funnel (a pipeline's stage history). The exact rules are in docs/analytics-funnels.md; the comments
// here summarise them. Both analyses read plain arrays only and never touch the database.
//
// Errors (InvalidArgument) are kept for structurally invalid input: too few steps, a non-positive
// window, a stage named twice, frame columns of different lengths, codes outside the dictionary.
// Names that do not occur in the frame are not errors: such a step or stage simply matches nothing.
#ifndef RAPPORT_FUNNEL_H_
#define RAPPORT_FUNNEL_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "rapport/frame.h"

namespace rapport {

// Median and 90th percentile (linear interpolation between closest ranks, as numpy's default and
// DuckDB's quantile_cont) and mean of a set of durations, in the unit the field holding it names.
// All three are NaN when count is 0.
struct DurationSummary {
  int64_t count = 0;
  double median = std::numeric_limits<double>::quiet_NaN();
  double p90 = std::numeric_limits<double>::quiet_NaN();
  double mean = std::numeric_limits<double>::quiet_NaN();
};

// A group label per customer, for breakdowns: customer[i] belongs to group.codes[i]
// (CategoryColumn::kNullCode: the null group). Customer ids must be distinct; any order (ascending
// order, as a CustomerFrame has, skips a sort). Customers not listed belong to the null group.
struct CustomerGroups {
  std::vector<int64_t> customer;
  CategoryColumn group;
};

struct EventFunnelOptions {
  // Event kinds in funnel order; at least 2. A kind may repeat ("view", "view", "buy": two views,
  // then a purchase). A kind absent from the frame matches no event.
  std::vector<std::string> steps;
  // Conversion window in microseconds (> 0): every later step must happen at or before t1 + window.
  int64_t window = 0;
  // Only step-1 events with from <= at < to start the funnel (either bound may be absent).
  std::optional<int64_t> from;
  std::optional<int64_t> to;
  // Upper edges (microseconds, positive, strictly increasing) of the time-to-convert histogram:
  // bucket i holds durations d with edges[i-1] < d <= edges[i]; a last bucket holds d > edges.back().
  std::vector<int64_t> bucket_edges{int64_t{3'600'000'000}, kMicrosPerDay, 7 * kMicrosPerDay, 30 * kMicrosPerDay};
  // 0: 2 threads above 200,000 rows, else 1. Results do not depend on it.
  int threads = 0;
};

struct EventFunnelStep {
  std::string kind;
  int64_t customers = 0;  // customers who reached this step
  // customers / the previous step's customers, and / step 1's customers; NaN when dividing by 0.
  // Step 1's are customers / customers (1, or NaN when nobody started).
  double conversion_from_previous = std::numeric_limits<double>::quiet_NaN();
  double conversion_from_first = std::numeric_limits<double>::quiet_NaN();
  // Steps 2 onwards (empty for step 1): t_k - t1 of the customers who reached this step, in seconds,
  // and their histogram (bucket_edges.size() + 1 counts).
  DurationSummary seconds_to_convert;
  std::vector<int64_t> histogram;
};

struct EventFunnelGroup {
  std::optional<std::string> label;  // nullopt: the null group
  std::vector<int64_t> customers;    // per step, as EventFunnelStep::customers
};

struct EventFunnelResult {
  std::vector<EventFunnelStep> steps;
  std::vector<int64_t> bucket_edges;  // the histogram's edges, as given
  // With a breakdown: one group per dictionary value of the breakdown, in code order, then the null
  // group, whether or not any customer is in it. Empty without a breakdown.
  std::vector<EventFunnelGroup> groups;
  int64_t rows_missing_time = 0;  // events with at == kNullTime, ignored
};

// Per customer: t1 = the earliest step-1 event (in the period); step k = the earliest event of kind
// steps[k] with t_{k-1} < at <= t1 + window. A customer reaches step k when steps 1..k all exist.
absl::StatusOr<EventFunnelResult> EventFunnel(const EventFrame& events, const EventFunnelOptions& options,
                                              const CustomerGroups* breakdown = nullptr);

struct StageFunnelOptions {
  // The pipeline's stages in order; at least 1, no name twice. Rows of other stages are ignored
  // (counted in ignored_rows), except terminal stages.
  std::vector<std::string> stages;
  // Terminal stages, in the order or not; a stage cannot be both won and lost. A terminal stage
  // outside the order still counts as a visit (it ends the previous visit).
  std::vector<std::string> won_stages;
  std::vector<std::string> lost_stages;
  // When given, open visits (an entity's last one) also get an age: as_of - entered_at.
  std::optional<int64_t> as_of;
  // 0: 2 threads above 200,000 rows, else 1. Results do not depend on it.
  int threads = 0;
};

struct StageFunnelStage {
  std::string stage;
  int64_t entered = 0;   // entities with at least one visit
  int64_t advanced = 0;  // entities that visited a later stage of the order after their first entry
  double conversion_to_next = std::numeric_limits<double>::quiet_NaN();  // advanced / entered; NaN for the last
  // Visits that ended with the entity's next visit (of any stage, the same one included), in days.
  DurationSummary days_in_stage;
  // Visits that are the entity's last (still open); their ages at as_of in days (only with as_of, over
  // open visits entered at or before as_of).
  int64_t open_visits = 0;
  DurationSummary open_age_days;
};

struct StageFunnelResult {
  std::vector<StageFunnelStage> stages;  // in the given order
  // reached[i * stages.size() + j], i < j: entities that entered stage i and entered stage j after their
  // first entry to i. 0 where j <= i.
  std::vector<int64_t> reached;
  int64_t Reached(size_t i, size_t j) const { return reached[i * stages.size() + j]; }
  // Reached(i, j) / stages[i].entered; NaN where j <= i or nobody entered i.
  double ReachedShare(size_t i, size_t j) const;

  int64_t entities = 0;  // entities with at least one visit to a stage of the order or a terminal stage
  // Over entities that reached a terminal stage, classified by the first one they reached.
  int64_t won = 0;
  int64_t lost = 0;
  double win_rate = std::numeric_limits<double>::quiet_NaN();  // won / (won + lost)
  // Entities counted as won: from their first visit to that won entry, in days.
  DurationSummary cycle_days;
  int64_t ignored_rows = 0;       // rows whose stage is neither in the order nor terminal (or missing)
  int64_t rows_missing_time = 0;  // rows with entered_at == kNullTime, ignored
};

absl::StatusOr<StageFunnelResult> StageFunnel(const StageHistoryFrame& history, const StageFunnelOptions& options);

}  // namespace rapport

#endif  // RAPPORT_FUNNEL_H_
