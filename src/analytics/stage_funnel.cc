// The stage funnel: see docs/analytics-funnels.md for the rules.
//
// Plan: tag the stages of the order (0..K-1) and the terminal stages outside it (K...), keep only tagged
// rows, group them by entity (skipped when already grouped), then one pass per entity over its visits
// in time order, with entities split over threads. Every result is a count, an integer sum or a
// quantile of a multiset, so the split does not change it.
#include <algorithm>
#include <limits>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/funnel_common.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "rapport/funnel.h"

namespace rapport {
namespace {

using funnel_internal::GroupedRows;
using funnel_internal::Row;

// The first name that occurs twice in `names`, or nullptr.
const std::string* FirstDuplicate(const std::vector<std::string>& names) {
  std::vector<uint32_t> order(names.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return names[a] < names[b]; });
  const std::string* first = nullptr;
  size_t first_at = names.size();
  for (size_t i = 1; i < order.size(); ++i) {
    // The later of the two equal names is where the repetition shows; report the earliest such.
    if (names[order[i]] == names[order[i - 1]] && order[i] < first_at) {
      first_at = order[i];
      first = &names[order[i]];
    }
  }
  return first;
}

constexpr double kMicrosPerDayDouble = static_cast<double>(kMicrosPerDay);

// One thread's tallies; indexes are positions in the order. Aligned so that two threads' hot
// counters never share a cache line.
struct alignas(64) Tally {
  int64_t entities = 0, won = 0, lost = 0;
  std::vector<int64_t> entered, advanced, open_visits, reached;
  std::vector<std::vector<int64_t>> closed, open_ages;
  std::vector<int64_t> cycles;
  // The current entity's first and last position in each stage (-1: none), reset through `touched`
  // so that an entity costs its own visits, not the order's length.
  std::vector<int64_t> first, last;
  std::vector<int32_t> touched;
};

}  // namespace

double StageFunnelResult::ReachedShare(size_t i, size_t j) const {
  if (j <= i) return std::numeric_limits<double>::quiet_NaN();
  return funnel_internal::Ratio(Reached(i, j), stages[i].entered);
}

absl::StatusOr<StageFunnelResult> StageFunnel(const StageHistoryFrame& history, const StageFunnelOptions& options) {
  const size_t rows = history.rows();
  if (history.stage.codes.size() != rows || history.entered_at.size() != rows) {
    return absl::InvalidArgumentError(StrCat("history: columns have different lengths (entity ", rows, ", stage ",
                                             history.stage.codes.size(), ", entered_at ",
                                             history.entered_at.size(), ")"));
  }
  const size_t stages = options.stages.size();
  if (stages == 0) return absl::InvalidArgumentError("stages: at least 1 is needed (got 0)");
  if (const std::string* d = FirstDuplicate(options.stages)) {
    return absl::InvalidArgumentError(StrCat("stages: \"", *d, "\" appears more than once"));
  }
  for (const std::string& won : options.won_stages) {
    if (std::find(options.lost_stages.begin(), options.lost_stages.end(), won) != options.lost_stages.end()) {
      return absl::InvalidArgumentError(StrCat("won_stages: \"", won, "\" is also a lost stage"));
    }
  }
  RETURN_IF_ERROR(funnel_internal::CheckThreads(options.threads));

  // Tags: stage k of the order is tag k; terminal stages outside the order follow. Names absent from
  // the frame's dictionary get no tag and match nothing.
  const StringDictionary& dictionary = history.stage.dictionary;
  std::vector<int32_t> tag_of_code(dictionary.size(), -1);
  for (size_t k = 0; k < stages; ++k) {
    if (int32_t code = dictionary.Find(options.stages[k]); code >= 0) tag_of_code[code] = static_cast<int32_t>(k);
  }
  std::vector<int8_t> won_tag(stages, 0), lost_tag(stages, 0);
  auto mark_terminal = [&](const std::vector<std::string>& names, std::vector<int8_t>& flag) {
    for (const std::string& name : names) {
      const int32_t code = dictionary.Find(name);
      if (code < 0) continue;
      if (tag_of_code[code] < 0) {
        tag_of_code[code] = static_cast<int32_t>(won_tag.size());
        won_tag.push_back(0);
        lost_tag.push_back(0);
      }
      flag[tag_of_code[code]] = 1;
    }
  };
  mark_terminal(options.won_stages, won_tag);
  mark_terminal(options.lost_stages, lost_tag);

  const int threads = funnel_internal::ThreadsFor(options.threads, rows);
  GroupedRows data;
  funnel_internal::GroupCounts counts;
  RETURN_IF_ERROR(funnel_internal::GroupRows(history.entity, history.stage.codes, history.entered_at, tag_of_code,
                                             "history: stage", threads, data, counts));

  const int32_t k_stages = static_cast<int32_t>(stages);
  std::vector<Tally> tallies(data.bounds.size() - 1);
  for (Tally& t : tallies) {
    t.entered.assign(stages, 0);
    t.advanced.assign(stages, 0);
    t.open_visits.assign(stages, 0);
    t.reached.assign(stages * stages, 0);
    t.closed.resize(stages);
    t.open_ages.resize(stages);
    t.first.assign(stages, -1);
    t.last.assign(stages, -1);
    t.touched.reserve(stages);
  }
  const uint64_t tag_mask = data.tag_mask();
  funnel_internal::ForEachEntity(data, [&](size_t chunk, int64_t, const Row* rows, size_t n) {
    Tally& t = tallies[chunk];
    int64_t first_terminal = -1;
    for (size_t p = 0; p < n; ++p) {
      const int32_t s = static_cast<int32_t>(rows[p].key & tag_mask);
      const int64_t pos = static_cast<int64_t>(p);
      if (s < k_stages) {
        if (t.first[s] < 0) {
          t.first[s] = pos;
          t.touched.push_back(s);
        }
        t.last[s] = pos;
        if (p + 1 < n) {
          t.closed[s].push_back(rows[p + 1].at - rows[p].at);
        } else {
          ++t.open_visits[s];
          if (options.as_of && rows[p].at <= *options.as_of) t.open_ages[s].push_back(*options.as_of - rows[p].at);
        }
      }
      if (first_terminal < 0 && (won_tag[s] || lost_tag[s])) first_terminal = pos;
    }
    for (int32_t i : t.touched) {
      ++t.entered[i];
      bool advanced = false;
      for (int32_t j : t.touched) {
        if (j > i && t.last[j] > t.first[i]) {
          ++t.reached[i * stages + j];
          advanced = true;
        }
      }
      if (advanced) ++t.advanced[i];
    }
    for (int32_t i : t.touched) t.first[i] = t.last[i] = -1;
    t.touched.clear();
    if (first_terminal >= 0) {
      const Row& terminal = rows[first_terminal];
      if (won_tag[terminal.key & tag_mask]) {
        ++t.won;
        t.cycles.push_back(terminal.at - rows[0].at);
      } else {
        ++t.lost;
      }
    }
    ++t.entities;
  });

  StageFunnelResult result;
  result.ignored_rows = counts.untagged;
  result.rows_missing_time = counts.missing_time;
  result.stages.resize(stages);
  result.reached.assign(stages * stages, 0);
  std::vector<int64_t> cycles;
  for (Tally& t : tallies) {
    result.entities += t.entities;
    result.won += t.won;
    result.lost += t.lost;
    for (size_t i = 0; i < stages * stages; ++i) result.reached[i] += t.reached[i];
    cycles.insert(cycles.end(), t.cycles.begin(), t.cycles.end());
  }
  result.win_rate = funnel_internal::Ratio(result.won, result.won + result.lost);
  result.cycle_days = funnel_internal::Summarize(cycles, kMicrosPerDayDouble);
  for (size_t k = 0; k < stages; ++k) {
    StageFunnelStage& s = result.stages[k];
    s.stage = options.stages[k];
    std::vector<int64_t> closed, open_ages;
    for (Tally& t : tallies) {
      s.entered += t.entered[k];
      s.advanced += t.advanced[k];
      s.open_visits += t.open_visits[k];
      closed.insert(closed.end(), t.closed[k].begin(), t.closed[k].end());
      open_ages.insert(open_ages.end(), t.open_ages[k].begin(), t.open_ages[k].end());
      std::vector<int64_t>().swap(t.closed[k]);
      std::vector<int64_t>().swap(t.open_ages[k]);
    }
    if (k + 1 < stages) s.conversion_to_next = funnel_internal::Ratio(s.advanced, s.entered);
    s.days_in_stage = funnel_internal::Summarize(closed, kMicrosPerDayDouble);
    s.open_age_days = funnel_internal::Summarize(open_ages, kMicrosPerDayDouble);
  }
  return result;
}

}  // namespace rapport
