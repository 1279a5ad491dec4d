// The event funnel: see docs/analytics-funnels.md for the rules.
//
// Plan: resolve the steps to dictionary codes, keep only events of a step kind, group them by customer
// (skipped when already grouped), then one pass per customer over its time-sorted events, with
// customers split over threads. Every result is a count, an integer sum or a quantile of a multiset,
// so the split does not change it.
#include <algorithm>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "analytics/funnel_common.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "rapport/funnel.h"

namespace rapport {
namespace {

using funnel_internal::GroupedRows;
using funnel_internal::Row;

// The breakdown's customers ascending, with their group codes: the caller's arrays when already
// sorted (as a CustomerFrame's ids are), else a sorted copy.
struct GroupIndex {
  const int64_t* customer = nullptr;
  const int32_t* code = nullptr;
  size_t size = 0;
  size_t null_group = 0;  // the null group's index, after the dictionary's values
  std::vector<int32_t> codes;  // the breakdown's, decoded
  std::vector<int64_t> sorted_customer;
  std::vector<int32_t> sorted_code;

  size_t GroupAt(size_t i) const { return code[i] == CategoryColumn::kNullCode ? null_group : code[i]; }
};

absl::Status IndexGroups(const CustomerGroups& groups, GroupIndex& index) {
  const size_t n = groups.customer.size();
  if (groups.group.codes.size() != n) {
    return absl::InvalidArgumentError(StrCat("breakdown: columns have different lengths (customer ", n,
                                             ", group ", groups.group.codes.size(), ")"));
  }
  const int32_t dictionary_size = groups.group.dictionary.size();
  index.null_group = static_cast<size_t>(dictionary_size);
  // One code per customer: decoded once, as the breakdown's tallies index by code.
  index.codes = groups.group.codes.ToVector();
  for (size_t i = 0; i < n; ++i) {
    const int32_t code = index.codes[i];
    if (code < CategoryColumn::kNullCode || code >= dictionary_size) {
      return absl::InvalidArgumentError(
          StrCat("breakdown: group code ", code, " at row ", i, " is not in the dictionary"));
    }
  }
  index.size = n;
  if (std::is_sorted(groups.customer.begin(), groups.customer.end())) {
    index.customer = groups.customer.data();
    index.code = index.codes.data();
  } else {
    std::vector<uint32_t> order(n);
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(),
              [&](uint32_t a, uint32_t b) { return groups.customer[a] < groups.customer[b]; });
    index.sorted_customer.resize(n);
    index.sorted_code.resize(n);
    for (size_t i = 0; i < n; ++i) {
      index.sorted_customer[i] = groups.customer[order[i]];
      index.sorted_code[i] = index.codes[order[i]];
    }
    index.customer = index.sorted_customer.data();
    index.code = index.sorted_code.data();
  }
  for (size_t i = 1; i < n; ++i) {
    if (index.customer[i] == index.customer[i - 1]) {
      return absl::InvalidArgumentError(
          StrCat("breakdown: customer ", index.customer[i], " appears more than once"));
    }
  }
  return absl::OkStatus();
}

constexpr size_t kNoCursor = static_cast<size_t>(-1);

// One thread's tallies, aligned so that two threads' never share a cache line.
struct alignas(64) Tally {
  std::vector<int64_t> reached;                  // per step
  std::vector<std::vector<int64_t>> durations;   // per step: t_k - t1 (empty for step 1)
  std::vector<int64_t> histogram;                // step * buckets + bucket
  std::vector<int64_t> group_reached;            // group * steps + step
  size_t group_cursor = kNoCursor;               // position in the breakdown's customers
};

}  // namespace

absl::StatusOr<EventFunnelResult> EventFunnel(const EventFrame& events, const EventFunnelOptions& options,
                                              const CustomerGroups* breakdown) {
  const size_t rows = events.rows();
  if (events.kind.codes.size() != rows || events.at.size() != rows ||
      (!events.value.empty() && events.value.size() != rows)) {
    std::string lengths = StrCat("customer ", rows, ", kind ", events.kind.codes.size(), ", at ", events.at.size());
    if (!events.value.empty()) lengths += StrCat(", value ", events.value.size());
    return absl::InvalidArgumentError(StrCat("events: columns have different lengths (", lengths, ")"));
  }
  const size_t steps = options.steps.size();
  if (steps < 2) {
    return absl::InvalidArgumentError(StrCat("steps: at least 2 are needed (got ", steps, ")"));
  }
  if (options.window <= 0) {
    return absl::InvalidArgumentError(StrCat("window: must be positive (got ", options.window, ")"));
  }
  if (options.from && options.to && *options.to <= *options.from) {
    return absl::InvalidArgumentError("to: must be later than from");
  }
  for (size_t i = 0; i < options.bucket_edges.size(); ++i) {
    if (options.bucket_edges[i] <= 0 || (i > 0 && options.bucket_edges[i] <= options.bucket_edges[i - 1])) {
      return absl::InvalidArgumentError("bucket_edges: must be positive and strictly increasing");
    }
  }
  RETURN_IF_ERROR(funnel_internal::CheckThreads(options.threads));
  GroupIndex groups;
  if (breakdown != nullptr) RETURN_IF_ERROR(IndexGroups(*breakdown, groups));

  // Tags number the distinct step kinds present in the frame; step_tag[k] is step k's (-1: absent, so
  // the step matches nothing).
  std::vector<int32_t> tag_of_code(events.kind.dictionary.size(), -1);
  std::vector<int32_t> step_tag(steps, -1);
  int32_t tags = 0;
  for (size_t k = 0; k < steps; ++k) {
    const int32_t code = events.kind.dictionary.Find(options.steps[k]);
    if (code < 0) continue;
    if (tag_of_code[code] < 0) tag_of_code[code] = tags++;
    step_tag[k] = tag_of_code[code];
  }

  const int threads = funnel_internal::ThreadsFor(options.threads, rows);
  GroupedRows data;
  funnel_internal::GroupCounts counts;
  RETURN_IF_ERROR(funnel_internal::GroupRows(events.customer, events.kind.codes, events.at, tag_of_code,
                                             "events: kind", threads, data, counts));

  const std::vector<int64_t>& edges = options.bucket_edges;
  const size_t buckets = edges.size() + 1;
  const size_t group_count = breakdown != nullptr ? groups.null_group + 1 : 0;
  const int64_t from = options.from.value_or(std::numeric_limits<int64_t>::min());
  const int64_t to = options.to.value_or(std::numeric_limits<int64_t>::max());
  const bool bounded_above = options.to.has_value();
  std::vector<Tally> tallies(data.bounds.size() - 1);
  for (Tally& t : tallies) {
    t.reached.assign(steps, 0);
    t.durations.resize(steps);
    t.histogram.assign(steps * buckets, 0);
    t.group_reached.assign(group_count * steps, 0);
  }
  const uint64_t tag_mask = data.tag_mask();
  funnel_internal::ForEachEntity(data, [&](size_t chunk, int64_t customer, const Row* rows, size_t n) {
    auto tag = [&](size_t i) { return static_cast<int32_t>(rows[i].key & tag_mask); };
    size_t p = 0;
    while (p < n && !(tag(p) == step_tag[0] && rows[p].at >= from && (!bounded_above || rows[p].at < to))) ++p;
    if (p == n) return;
    Tally& t = tallies[chunk];
    const int64_t t1 = rows[p].at;
    const int64_t deadline = t1 > std::numeric_limits<int64_t>::max() - options.window
                                 ? std::numeric_limits<int64_t>::max()
                                 : t1 + options.window;
    size_t reached = 1;
    for (size_t k = 1; k < steps && step_tag[k] >= 0; ++k) {
      // Rows before p are no later than t_{k-1} (rows are in time order); skip its equals too.
      const int64_t previous = rows[p].at;
      size_t q = p + 1;
      while (q < n && rows[q].at <= previous) ++q;
      while (q < n && rows[q].at <= deadline && tag(q) != step_tag[k]) ++q;
      if (q == n || rows[q].at > deadline) break;
      p = q;
      const int64_t d = rows[p].at - t1;
      t.durations[k].push_back(d);
      ++t.histogram[k * buckets + (std::lower_bound(edges.begin(), edges.end(), d) - edges.begin())];
      ++reached;
    }
    for (size_t k = 0; k < reached; ++k) ++t.reached[k];
    if (group_count > 0) {
      // Customers ascend within a thread's range, so the cursor only moves forward.
      if (t.group_cursor == kNoCursor) {
        t.group_cursor = std::lower_bound(groups.customer, groups.customer + groups.size, customer) - groups.customer;
      }
      size_t& g = t.group_cursor;
      while (g < groups.size && groups.customer[g] < customer) ++g;
      const size_t group = g < groups.size && groups.customer[g] == customer ? groups.GroupAt(g) : groups.null_group;
      for (size_t k = 0; k < reached; ++k) ++t.group_reached[group * steps + k];
    }
  });

  EventFunnelResult result;
  result.bucket_edges = edges;
  result.rows_missing_time = counts.missing_time;
  result.steps.resize(steps);
  for (size_t k = 0; k < steps; ++k) {
    EventFunnelStep& s = result.steps[k];
    s.kind = options.steps[k];
    std::vector<int64_t> durations;
    if (k > 0) s.histogram.assign(buckets, 0);
    for (Tally& t : tallies) {
      s.customers += t.reached[k];
      if (k == 0) continue;
      durations.insert(durations.end(), t.durations[k].begin(), t.durations[k].end());
      std::vector<int64_t>().swap(t.durations[k]);
      for (size_t i = 0; i < buckets; ++i) s.histogram[i] += t.histogram[k * buckets + i];
    }
    if (k > 0) s.seconds_to_convert = funnel_internal::Summarize(durations, 1e6);
  }
  for (size_t k = 0; k < steps; ++k) {
    EventFunnelStep& s = result.steps[k];
    s.conversion_from_previous = funnel_internal::Ratio(s.customers, result.steps[k > 0 ? k - 1 : 0].customers);
    s.conversion_from_first = funnel_internal::Ratio(s.customers, result.steps[0].customers);
  }
  result.groups.resize(group_count);
  for (size_t gi = 0; gi < group_count; ++gi) {
    EventFunnelGroup& group = result.groups[gi];
    if (gi < groups.null_group) {
      group.label = std::string(breakdown->group.dictionary.at(static_cast<int32_t>(gi)));
    }
    group.customers.assign(steps, 0);
    for (const Tally& t : tallies) {
      for (size_t k = 0; k < steps; ++k) group.customers[k] += t.group_reached[gi * steps + k];
    }
  }
  return result;
}

}  // namespace rapport
