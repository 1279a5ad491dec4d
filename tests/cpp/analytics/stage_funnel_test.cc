#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/splitmix64.h"
#include "gtest/gtest.h"
#include "rapport/frame.h"
#include "rapport/funnel.h"

namespace rapport {
namespace {

constexpr int64_t kDay = kMicrosPerDay;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Visit {
  int64_t entity;
  std::optional<std::string> stage;
  int64_t at;
};

StageHistoryFrame Frame(const std::vector<Visit>& visits) {
  StageHistoryFrame f;
  for (const Visit& v : visits) {
    f.entity.push_back(v.entity);
    f.stage.Append(v.stage ? std::optional<std::string_view>(*v.stage) : std::nullopt);
    f.entered_at.push_back(v.at);
  }
  return f;
}

StageFunnelOptions Options(std::vector<std::string> stages, std::vector<std::string> won = {},
                           std::vector<std::string> lost = {}) {
  StageFunnelOptions o;
  o.stages = std::move(stages);
  o.won_stages = std::move(won);
  o.lost_stages = std::move(lost);
  return o;
}

StageFunnelResult Funnel(const StageHistoryFrame& f, const StageFunnelOptions& o) {
  absl::StatusOr<StageFunnelResult> r = StageFunnel(f, o);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *std::move(r) : StageFunnelResult{};
}

std::string ErrorOf(const StageHistoryFrame& f, const StageFunnelOptions& o) {
  absl::StatusOr<StageFunnelResult> r = StageFunnel(f, o);
  if (r.ok()) return "ok";
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(r.status().message());
}

bool SameDouble(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

// Count and statistics of a summary, NaN where there is nothing to summarise.
void ExpectSummary(const DurationSummary& s, int64_t count, double median, double p90, double mean) {
  EXPECT_EQ(s.count, count);
  if (std::isnan(median)) {
    EXPECT_TRUE(std::isnan(s.median) && std::isnan(s.p90) && std::isnan(s.mean));
    return;
  }
  EXPECT_DOUBLE_EQ(s.median, median);
  EXPECT_DOUBLE_EQ(s.p90, p90);
  EXPECT_DOUBLE_EQ(s.mean, mean);
}

void ExpectSameSummary(const DurationSummary& a, const DurationSummary& b) {
  EXPECT_EQ(a.count, b.count);
  EXPECT_PRED2(SameDouble, a.median, b.median);
  EXPECT_PRED2(SameDouble, a.p90, b.p90);
  EXPECT_PRED2(SameDouble, a.mean, b.mean);
}

void ExpectSameResult(const StageFunnelResult& a, const StageFunnelResult& b) {
  ASSERT_EQ(a.stages.size(), b.stages.size());
  for (size_t k = 0; k < a.stages.size(); ++k) {
    SCOPED_TRACE(testing::Message() << "stage " << k);
    EXPECT_EQ(a.stages[k].stage, b.stages[k].stage);
    EXPECT_EQ(a.stages[k].entered, b.stages[k].entered);
    EXPECT_EQ(a.stages[k].advanced, b.stages[k].advanced);
    EXPECT_PRED2(SameDouble, a.stages[k].conversion_to_next, b.stages[k].conversion_to_next);
    ExpectSameSummary(a.stages[k].days_in_stage, b.stages[k].days_in_stage);
    EXPECT_EQ(a.stages[k].open_visits, b.stages[k].open_visits);
    ExpectSameSummary(a.stages[k].open_age_days, b.stages[k].open_age_days);
  }
  EXPECT_EQ(a.reached, b.reached);
  EXPECT_EQ(a.entities, b.entities);
  EXPECT_EQ(a.won, b.won);
  EXPECT_EQ(a.lost, b.lost);
  EXPECT_PRED2(SameDouble, a.win_rate, b.win_rate);
  ExpectSameSummary(a.cycle_days, b.cycle_days);
  EXPECT_EQ(a.ignored_rows, b.ignored_rows);
  EXPECT_EQ(a.rows_missing_time, b.rows_missing_time);
}

// A sales pipeline whose won and lost stages are outside the order.
std::vector<Visit> Pipeline() {
  return {
      {1, "Lead", 0}, {1, "Qualified", 2 * kDay}, {1, "Proposal", 5 * kDay}, {1, "Won", 6 * kDay},
      {2, "Lead", 0}, {2, "Qualified", kDay}, {2, "Lost", 4 * kDay},
      {3, "Lead", kDay},
      {4, "Qualified", 0}, {4, "Proposal", 3 * kDay}, {4, "Negotiation", 4 * kDay}, {4, "Won", 10 * kDay},
  };
}

StageFunnelOptions PipelineOptions() {
  return Options({"Lead", "Qualified", "Proposal", "Negotiation"}, {"Won"}, {"Lost"});
}

TEST(StageFunnel, PipelineCountsConversionsAndTimes) {
  StageFunnelResult r = Funnel(Frame(Pipeline()), PipelineOptions());
  ASSERT_EQ(r.stages.size(), 4u);
  EXPECT_EQ(r.stages[0].stage, "Lead");
  EXPECT_EQ(r.entities, 4);

  EXPECT_EQ(r.stages[0].entered, 3);
  EXPECT_EQ(r.stages[0].advanced, 2);
  EXPECT_DOUBLE_EQ(r.stages[0].conversion_to_next, 2.0 / 3.0);
  EXPECT_EQ(r.stages[1].entered, 3);
  EXPECT_EQ(r.stages[1].advanced, 2);  // 2 went to Lost, which is not in the order
  EXPECT_EQ(r.stages[2].entered, 2);
  EXPECT_EQ(r.stages[2].advanced, 1);  // Won is outside the order: only 4's Negotiation counts
  EXPECT_DOUBLE_EQ(r.stages[2].conversion_to_next, 0.5);
  EXPECT_EQ(r.stages[3].entered, 1);
  EXPECT_EQ(r.stages[3].advanced, 0);
  EXPECT_TRUE(std::isnan(r.stages[3].conversion_to_next));  // the last stage has no next

  EXPECT_EQ(r.Reached(0, 1), 2);
  EXPECT_EQ(r.Reached(0, 2), 1);
  EXPECT_EQ(r.Reached(0, 3), 0);
  EXPECT_EQ(r.Reached(1, 2), 2);
  EXPECT_EQ(r.Reached(1, 3), 1);
  EXPECT_EQ(r.Reached(2, 3), 1);
  EXPECT_EQ(r.Reached(1, 0), 0);
  EXPECT_EQ(r.Reached(2, 2), 0);
  EXPECT_DOUBLE_EQ(r.ReachedShare(0, 1), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(r.ReachedShare(1, 3), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(r.ReachedShare(0, 3), 0.0);
  EXPECT_TRUE(std::isnan(r.ReachedShare(1, 0)));
  EXPECT_TRUE(std::isnan(r.ReachedShare(2, 2)));

  // Lead: 2d and 1d closed, 3's visit open. Qualified: three visits of 3d (Lost ends 2's).
  ExpectSummary(r.stages[0].days_in_stage, 2, 1.5, 1.9, 1.5);
  EXPECT_EQ(r.stages[0].open_visits, 1);
  ExpectSummary(r.stages[0].open_age_days, 0, kNaN, kNaN, kNaN);
  ExpectSummary(r.stages[1].days_in_stage, 3, 3, 3, 3);
  EXPECT_EQ(r.stages[1].open_visits, 0);
  ExpectSummary(r.stages[2].days_in_stage, 2, 1, 1, 1);
  ExpectSummary(r.stages[3].days_in_stage, 1, 6, 6, 6);

  EXPECT_EQ(r.won, 2);
  EXPECT_EQ(r.lost, 1);
  EXPECT_DOUBLE_EQ(r.win_rate, 2.0 / 3.0);
  ExpectSummary(r.cycle_days, 2, 8, 9.6, 8);  // 6d and 10d
  EXPECT_EQ(r.ignored_rows, 0);
  EXPECT_EQ(r.rows_missing_time, 0);
}

TEST(StageFunnel, ReentryAndGoingBackwards) {
  StageHistoryFrame f = Frame({
      {1, "A", 0}, {1, "B", kDay}, {1, "A", 2 * kDay}, {1, "C", 4 * kDay},
      {2, "B", 0}, {2, "A", kDay},                        // backwards: B before A
      {3, "A", 0}, {3, "B", kDay}, {3, "B", 3 * kDay},    // B again: the first B visit ends there
  });
  StageFunnelResult r = Funnel(f, Options({"A", "B", "C"}));
  EXPECT_EQ(r.stages[0].entered, 3);
  EXPECT_EQ(r.stages[0].advanced, 2);  // 2's B came before its first A
  EXPECT_EQ(r.stages[1].entered, 3);
  EXPECT_EQ(r.stages[1].advanced, 1);  // A after B is not an advance
  EXPECT_EQ(r.stages[2].entered, 1);
  EXPECT_EQ(r.Reached(0, 1), 2);
  EXPECT_EQ(r.Reached(0, 2), 1);
  EXPECT_EQ(r.Reached(1, 2), 1);
  ExpectSummary(r.stages[0].days_in_stage, 3, 1, 1.8, 4.0 / 3.0);  // 1, 2 (1's second A), 1
  EXPECT_EQ(r.stages[0].open_visits, 1);
  ExpectSummary(r.stages[1].days_in_stage, 3, 1, 1.8, 4.0 / 3.0);  // 1, 1, 2
  EXPECT_EQ(r.stages[1].open_visits, 1);
  ExpectSummary(r.stages[2].days_in_stage, 0, kNaN, kNaN, kNaN);
  EXPECT_EQ(r.stages[2].open_visits, 1);
  EXPECT_EQ(r.won + r.lost, 0);
  EXPECT_TRUE(std::isnan(r.win_rate));
  ExpectSummary(r.cycle_days, 0, kNaN, kNaN, kNaN);
}

TEST(StageFunnel, EqualTimesKeepRowOrder) {
  // Interleaved entities, so the rows are grouped by a sort that must keep row order for equal times.
  StageHistoryFrame f = Frame({{2, "A", 5 * kDay}, {1, "B", 5 * kDay}, {2, "B", 5 * kDay}, {1, "A", 5 * kDay}});
  StageFunnelResult r = Funnel(f, Options({"A", "B"}));
  EXPECT_EQ(r.stages[0].entered, 2);
  EXPECT_EQ(r.stages[0].advanced, 1);  // 2: A then B; 1: B then A
  EXPECT_EQ(r.Reached(0, 1), 1);
  ExpectSummary(r.stages[0].days_in_stage, 1, 0, 0, 0);  // 2's A ends at its B, at the same time
  EXPECT_EQ(r.stages[0].open_visits, 1);
  ExpectSummary(r.stages[1].days_in_stage, 1, 0, 0, 0);
  EXPECT_EQ(r.stages[1].open_visits, 1);

  // Out of time order as well: sorting by time must keep B before A at 5d.
  StageFunnelResult s = Funnel(Frame({{3, "B", 5 * kDay}, {3, "A", 5 * kDay}, {3, "A", kDay}}), Options({"A", "B"}));
  EXPECT_EQ(s.stages[0].advanced, 1);
  ExpectSummary(s.stages[0].days_in_stage, 1, 4, 4, 4);
  ExpectSummary(s.stages[1].days_in_stage, 1, 0, 0, 0);
  EXPECT_EQ(s.stages[0].open_visits, 1);
}

TEST(StageFunnel, EqualTimesKeepRowOrderInLongHistories) {
  // 40 rows in reverse time order, in pairs of equal times: A then B within each pair.
  std::vector<Visit> visits;
  for (int i = 0; i < 40; ++i) visits.push_back({7, i % 2 == 0 ? "A" : "B", (39 - i) / 2 * kDay});
  StageFunnelResult r = Funnel(Frame(visits), Options({"A", "B"}));
  EXPECT_EQ(r.stages[0].advanced, 1);
  ExpectSummary(r.stages[0].days_in_stage, 20, 0, 0, 0);
  ExpectSummary(r.stages[1].days_in_stage, 19, 1, 1, 1);
  EXPECT_EQ(r.stages[1].open_visits, 1);
}

TEST(StageFunnel, UnknownStagesAreIgnoredAndCounted) {
  StageHistoryFrame f = Frame({
      {1, "A", 0}, {1, "X", kDay}, {1, "B", 3 * kDay}, {1, std::nullopt, 4 * kDay}, {1, "A", kNullTime},
      {2, "X", 0}, {2, "Y", kDay},  // only unknown stages: not an entity of the funnel
  });
  StageFunnelResult r = Funnel(f, Options({"A", "B"}));
  EXPECT_EQ(r.ignored_rows, 4);
  EXPECT_EQ(r.rows_missing_time, 1);
  EXPECT_EQ(r.entities, 1);
  ExpectSummary(r.stages[0].days_in_stage, 1, 3, 3, 3);  // X does not end A's visit
  EXPECT_EQ(r.stages[1].open_visits, 1);
}

TEST(StageFunnel, StagesAbsentFromTheFrameMatchNothing) {
  StageFunnelResult r = Funnel(Frame(Pipeline()), Options({"Lead", "Discovery", "Proposal"}, {"Signed"}));
  EXPECT_EQ(r.stages[1].entered, 0);
  EXPECT_TRUE(std::isnan(r.stages[1].conversion_to_next));
  EXPECT_EQ(r.stages[0].advanced, 1);  // 1 reached Proposal, skipping the absent stage
  EXPECT_EQ(r.Reached(0, 1), 0);
  EXPECT_TRUE(std::isnan(r.ReachedShare(1, 2)));
  EXPECT_EQ(r.won, 0);
  EXPECT_TRUE(std::isnan(r.win_rate));
  EXPECT_EQ(r.ignored_rows, 7);  // Qualified x3, Won x2 (not terminal here), Lost, Negotiation
}

TEST(StageFunnel, TerminalStagesInsideTheOrder) {
  StageHistoryFrame f = Frame({
      {1, "Lead", 0}, {1, "Lost", kDay}, {1, "Lead", 2 * kDay}, {1, "Won", 5 * kDay},  // first terminal: Lost
      {2, "Lead", 0}, {2, "Won", 4 * kDay},
      {3, "Won", 0},  // straight to Won: a cycle of 0
      {4, "Lead", 0},
  });
  StageFunnelResult r = Funnel(f, Options({"Lead", "Won"}, {"Won"}, {"Lost"}));
  EXPECT_EQ(r.won, 2);
  EXPECT_EQ(r.lost, 1);
  EXPECT_DOUBLE_EQ(r.win_rate, 2.0 / 3.0);
  ExpectSummary(r.cycle_days, 2, 2, 3.6, 2);
  EXPECT_EQ(r.stages[0].entered, 3);
  EXPECT_EQ(r.stages[0].advanced, 2);
  EXPECT_EQ(r.stages[1].entered, 3);
  ExpectSummary(r.stages[0].days_in_stage, 3, 3, 3.8, 8.0 / 3.0);  // 1 (ended by Lost), 3, 4
  EXPECT_EQ(r.stages[1].open_visits, 3);
  EXPECT_EQ(r.entities, 4);
  EXPECT_EQ(r.ignored_rows, 0);
}

TEST(StageFunnel, SeveralWonAndLostStages) {
  StageHistoryFrame f = Frame({
      {1, "A", 0}, {1, "Signed", 2 * kDay},
      {2, "A", 0}, {2, "Paid", 3 * kDay},
      {3, "A", 0}, {3, "Churned", kDay}, {3, "Paid", 2 * kDay},
      {4, "A", 0}, {4, "Rejected", kDay},
  });
  StageFunnelResult r = Funnel(f, Options({"A"}, {"Signed", "Paid"}, {"Rejected", "Churned"}));
  EXPECT_EQ(r.won, 2);
  EXPECT_EQ(r.lost, 2);
  EXPECT_DOUBLE_EQ(r.win_rate, 0.5);
  ExpectSummary(r.cycle_days, 2, 2.5, 2.9, 2.5);
  ExpectSummary(r.stages[0].days_in_stage, 4, 1.5, 2.7, 1.75);
}

TEST(StageFunnel, OpenVisitAgesAsOf) {
  StageHistoryFrame f = Frame({
      {1, "A", 0}, {1, "B", 2 * kDay},
      {2, "A", 4 * kDay},
      {3, "A", 12 * kDay},  // entered after as_of: open, without an age
  });
  StageFunnelOptions o = Options({"A", "B"});
  o.as_of = 10 * kDay;
  StageFunnelResult r = Funnel(f, o);
  ExpectSummary(r.stages[0].days_in_stage, 1, 2, 2, 2);  // open ages never mix in
  EXPECT_EQ(r.stages[0].open_visits, 2);
  ExpectSummary(r.stages[0].open_age_days, 1, 6, 6, 6);
  EXPECT_EQ(r.stages[1].open_visits, 1);
  ExpectSummary(r.stages[1].open_age_days, 1, 8, 8, 8);
  o.as_of.reset();
  StageFunnelResult s = Funnel(f, o);
  EXPECT_EQ(s.stages[0].open_visits, 2);
  ExpectSummary(s.stages[0].open_age_days, 0, kNaN, kNaN, kNaN);
}

TEST(StageFunnel, RowOrderDoesNotMatter) {
  std::vector<Visit> visits = Pipeline();
  const StageFunnelResult sorted = Funnel(Frame(visits), PipelineOptions());
  SplitMix64 rng(3);
  for (int round = 0; round < 20; ++round) {
    for (size_t i = visits.size() - 1; i > 0; --i) std::swap(visits[i], visits[rng.Below(i + 1)]);
    ExpectSameResult(Funnel(Frame(visits), PipelineOptions()), sorted);
  }
}

TEST(StageFunnel, EmptyFrame) {
  StageFunnelResult r = Funnel(StageHistoryFrame{}, Options({"A", "B"}, {"B"}));
  ASSERT_EQ(r.stages.size(), 2u);
  EXPECT_EQ(r.entities, 0);
  EXPECT_EQ(r.stages[0].entered, 0);
  EXPECT_TRUE(std::isnan(r.stages[0].conversion_to_next));
  ExpectSummary(r.stages[0].days_in_stage, 0, kNaN, kNaN, kNaN);
  EXPECT_EQ(r.reached, (std::vector<int64_t>{0, 0, 0, 0}));
  EXPECT_TRUE(std::isnan(r.ReachedShare(0, 1)));
  EXPECT_TRUE(std::isnan(r.win_rate));
}

TEST(StageFunnel, RefusesStructurallyInvalidInput) {
  StageHistoryFrame f = Frame(Pipeline());
  EXPECT_EQ(ErrorOf(f, Options({})), "stages: at least 1 is needed (got 0)");
  EXPECT_EQ(ErrorOf(f, Options({"A", "B", "C", "B", "A"})), "stages: \"B\" appears more than once");
  EXPECT_EQ(ErrorOf(f, Options({"Lead"}, {"Won", "Closed"}, {"Closed"})), "won_stages: \"Closed\" is also a lost stage");
  StageFunnelOptions o = Options({"Lead"});
  o.threads = 100;
  EXPECT_EQ(ErrorOf(f, o), "threads: must be between 0 and 64 (got 100)");
  o.threads = 0;
  StageHistoryFrame short_stage = f;
  short_stage.stage.codes.pop_back();
  EXPECT_EQ(ErrorOf(short_stage, o), "history: columns have different lengths (entity 12, stage 11, entered_at 12)");
  StageHistoryFrame short_at = f;
  short_at.entered_at.resize(3);
  EXPECT_EQ(ErrorOf(short_at, o), "history: columns have different lengths (entity 12, stage 12, entered_at 3)");
  StageHistoryFrame bad_code = f;
  bad_code.stage.codes.Set(1, 9);
  EXPECT_EQ(ErrorOf(bad_code, o), "history: stage code 9 at row 1 is not in the dictionary");
}

// The rules applied literally, entity by entity, by stage name and in O(n^2): the reference.
struct Reference {
  std::vector<int64_t> entered, advanced, open_visits, reached;
  std::vector<std::vector<int64_t>> closed, open_ages;
  std::vector<int64_t> cycles;
  int64_t entities = 0, won = 0, lost = 0, ignored = 0, missing = 0;
};

Reference NaiveStageFunnel(const StageHistoryFrame& f, const StageFunnelOptions& o) {
  const size_t k_stages = o.stages.size();
  Reference ref;
  ref.entered.assign(k_stages, 0);
  ref.advanced.assign(k_stages, 0);
  ref.open_visits.assign(k_stages, 0);
  ref.reached.assign(k_stages * k_stages, 0);
  ref.closed.resize(k_stages);
  ref.open_ages.resize(k_stages);
  auto contains = [](const std::vector<std::string>& names, std::optional<std::string_view> s) {
    return s && std::find(names.begin(), names.end(), *s) != names.end();
  };
  auto index_of = [&](std::optional<std::string_view> s) -> int64_t {
    if (!s) return -1;
    auto it = std::find(o.stages.begin(), o.stages.end(), *s);
    return it == o.stages.end() ? -1 : it - o.stages.begin();
  };
  std::map<int64_t, std::vector<size_t>> by_entity;
  for (size_t i = 0; i < f.rows(); ++i) {
    const auto stage = f.stage.Get(i);
    if (f.entered_at[i] == kNullTime) {
      ++ref.missing;
    } else if (index_of(stage) < 0 && !contains(o.won_stages, stage) && !contains(o.lost_stages, stage)) {
      ++ref.ignored;
    } else {
      by_entity[f.entity[i]].push_back(i);
    }
  }
  for (auto& [entity, rows] : by_entity) {
    std::stable_sort(rows.begin(), rows.end(), [&](size_t a, size_t b) { return f.entered_at[a] < f.entered_at[b]; });
    const size_t n = rows.size();
    ++ref.entities;
    for (size_t i = 0; i < k_stages; ++i) {
      size_t first = n;
      for (size_t p = 0; p < n && first == n; ++p) {
        if (index_of(f.stage.Get(rows[p])) == static_cast<int64_t>(i)) first = p;
      }
      if (first == n) continue;
      ++ref.entered[i];
      bool advanced = false;
      for (size_t j = i + 1; j < k_stages; ++j) {
        bool reached = false;
        for (size_t q = first + 1; q < n; ++q) reached = reached || index_of(f.stage.Get(rows[q])) == static_cast<int64_t>(j);
        ref.reached[i * k_stages + j] += reached;
        advanced = advanced || reached;
      }
      ref.advanced[i] += advanced;
    }
    for (size_t p = 0; p < n; ++p) {
      const int64_t s = index_of(f.stage.Get(rows[p]));
      if (s < 0) continue;
      if (p + 1 < n) {
        ref.closed[s].push_back(f.entered_at[rows[p + 1]] - f.entered_at[rows[p]]);
      } else {
        ++ref.open_visits[s];
        if (o.as_of && f.entered_at[rows[p]] <= *o.as_of) ref.open_ages[s].push_back(*o.as_of - f.entered_at[rows[p]]);
      }
    }
    for (size_t p = 0; p < n; ++p) {
      const auto stage = f.stage.Get(rows[p]);
      if (contains(o.won_stages, stage)) {
        ++ref.won;
        ref.cycles.push_back(f.entered_at[rows[p]] - f.entered_at[rows[0]]);
        break;
      }
      if (contains(o.lost_stages, stage)) {
        ++ref.lost;
        break;
      }
    }
  }
  return ref;
}

double SortedQuantile(std::vector<int64_t> v, double p) {
  std::sort(v.begin(), v.end());
  const double h = p * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return static_cast<double>(v[lo]) + (h - lo) * static_cast<double>(v[hi] - v[lo]);
}

void ExpectSummaryOf(const DurationSummary& s, const std::vector<int64_t>& micros) {
  ASSERT_EQ(s.count, static_cast<int64_t>(micros.size()));
  if (micros.empty()) {
    EXPECT_TRUE(std::isnan(s.median) && std::isnan(s.p90) && std::isnan(s.mean));
    return;
  }
  const double day = static_cast<double>(kDay);
  double sum = 0;
  for (int64_t m : micros) sum += static_cast<double>(m);
  EXPECT_NEAR(s.median, SortedQuantile(micros, 0.5) / day, 1e-9 * (1 + std::abs(s.median)));
  EXPECT_NEAR(s.p90, SortedQuantile(micros, 0.9) / day, 1e-9 * (1 + std::abs(s.p90)));
  EXPECT_NEAR(s.mean, sum / micros.size() / day, 1e-9 * (1 + std::abs(s.mean)));
}

void ExpectMatchesReference(const StageFunnelResult& r, const Reference& ref) {
  const size_t k_stages = r.stages.size();
  for (size_t i = 0; i < k_stages; ++i) {
    SCOPED_TRACE(testing::Message() << "stage " << i);
    EXPECT_EQ(r.stages[i].entered, ref.entered[i]);
    EXPECT_EQ(r.stages[i].advanced, ref.advanced[i]);
    EXPECT_LE(r.stages[i].advanced, r.stages[i].entered);
    EXPECT_EQ(r.stages[i].open_visits, ref.open_visits[i]);
    ExpectSummaryOf(r.stages[i].days_in_stage, ref.closed[i]);
    ExpectSummaryOf(r.stages[i].open_age_days, ref.open_ages[i]);
    for (size_t j = i + 1; j < k_stages; ++j) EXPECT_LE(r.Reached(i, j), r.stages[j].entered);
  }
  EXPECT_EQ(r.reached, ref.reached);
  EXPECT_EQ(r.entities, ref.entities);
  EXPECT_EQ(r.won, ref.won);
  EXPECT_EQ(r.lost, ref.lost);
  ExpectSummaryOf(r.cycle_days, ref.cycles);
  EXPECT_EQ(r.ignored_rows, ref.ignored);
  EXPECT_EQ(r.rows_missing_time, ref.missing);
}

struct Generated {
  StageHistoryFrame frame;
  StageFunnelOptions options;
};

// Few entities, stages and distinct times, so that ties, re-entries and backward moves are common.
Generated Generate(uint64_t seed, size_t max_rows) {
  SplitMix64 rng(seed);
  Generated gen;
  const std::vector<std::string> names = {"s0", "s1", "s2", "s3", "s4", "Won", "Lost", "Other"};
  const size_t entities = 1 + rng.Below(std::max<size_t>(max_rows / 8, 2));
  const bool spread = rng.Chance(0.3);
  std::vector<int64_t> ids(entities);
  for (size_t e = 0; e < entities; ++e) ids[e] = spread ? static_cast<int64_t>(rng.Next()) : static_cast<int64_t>(e);
  const size_t rows = rng.Below(max_rows + 1);
  for (size_t i = 0; i < rows; ++i) {
    gen.frame.entity.push_back(ids[rng.Below(entities)]);
    gen.frame.stage.Append(rng.Chance(0.03) ? std::nullopt : std::optional<std::string_view>(rng.Pick(names)));
    gen.frame.entered_at.push_back(rng.Chance(0.02) ? kNullTime : rng.Range(0, 30) * (kDay / 4));
  }
  if (rng.Chance(0.3)) {  // grouped by entity already: the path without a sort
    std::vector<size_t> order(rows);
    for (size_t i = 0; i < rows; ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return gen.frame.entity[a] < gen.frame.entity[b]; });
    StageHistoryFrame sorted;
    for (size_t i : order) {
      sorted.entity.push_back(gen.frame.entity[i]);
      sorted.stage.Append(gen.frame.stage.Get(i));
      sorted.entered_at.push_back(gen.frame.entered_at[i]);
    }
    gen.frame = std::move(sorted);
    if (rng.Chance(0.5)) {  // rows of a stage never looked at may sit anywhere
      for (size_t i = 0; i < rows; ++i) {
        if (gen.frame.stage.Get(i) == std::optional<std::string_view>("Other")) gen.frame.entity[i] = rng.Pick(ids);
      }
    }
  }
  std::vector<std::string> pool = {"s0", "s1", "s2", "s3", "s4", "Won", "absent"};
  for (size_t i = pool.size(); i > 1; --i) std::swap(pool[i - 1], pool[rng.Below(i)]);
  pool.resize(1 + rng.Below(pool.size()));
  gen.options.stages = pool;
  if (rng.Chance(0.7)) gen.options.won_stages = {"Won"};
  if (rng.Chance(0.7)) gen.options.lost_stages = {"Lost"};
  if (rng.Chance(0.3)) gen.options.lost_stages.push_back("s4");
  if (rng.Chance(0.5)) gen.options.as_of = rng.Range(0, 30) * (kDay / 4);
  return gen;
}

TEST(StageFunnel, AgreesWithNaiveReferenceOnGeneratedData) {
  int64_t advanced = 0, won = 0;  // over all seeds: the data must exercise the rules
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    SCOPED_TRACE(testing::Message() << "seed " << seed);
    Generated gen = Generate(seed, 300);
    const Reference ref = NaiveStageFunnel(gen.frame, gen.options);
    gen.options.threads = 1;
    const StageFunnelResult one = Funnel(gen.frame, gen.options);
    ExpectMatchesReference(one, ref);
    for (const StageFunnelStage& s : one.stages) advanced += s.advanced;
    won += one.won;
    for (int threads : {2, 3, 5}) {
      gen.options.threads = threads;
      ExpectSameResult(Funnel(gen.frame, gen.options), one);
    }
    if (testing::Test::HasFailure()) break;
  }
  EXPECT_GT(advanced, 100);
  EXPECT_GT(won, 100);
}

TEST(StageFunnel, LargeFrameUsesTwoThreadsWithTheSameResults) {
  for (uint64_t seed : {21u, 22u}) {
    SCOPED_TRACE(testing::Message() << "seed " << seed);
    SplitMix64 rng(seed);
    Generated gen;
    const std::vector<std::string> names = {"Lead", "Qualified", "Proposal", "Won", "Lost", "Parked"};
    const size_t rows = 260'000;  // above the 2-thread threshold
    for (size_t i = 0; i < rows; ++i) {
      gen.frame.entity.push_back(static_cast<int64_t>(rng.Below(50'000)) * 1000);
      gen.frame.stage.Append(rng.Pick(names));
      gen.frame.entered_at.push_back(rng.Range(0, 2000) * (kDay / 24));
    }
    if (seed == 22) {  // grouped by entity already
      std::vector<size_t> order(rows);
      for (size_t i = 0; i < rows; ++i) order[i] = i;
      std::stable_sort(order.begin(), order.end(),
                       [&](size_t a, size_t b) { return gen.frame.entity[a] < gen.frame.entity[b]; });
      StageHistoryFrame sorted;
      for (size_t i : order) {
        sorted.entity.push_back(gen.frame.entity[i]);
        sorted.stage.Append(gen.frame.stage.Get(i));
        sorted.entered_at.push_back(gen.frame.entered_at[i]);
      }
      gen.frame = std::move(sorted);
    }
    gen.options = Options({"Lead", "Qualified", "Proposal", "Won"}, {"Won"}, {"Lost"});
    gen.options.as_of = 1500 * (kDay / 24);
    const StageFunnelResult automatic = Funnel(gen.frame, gen.options);
    ExpectMatchesReference(automatic, NaiveStageFunnel(gen.frame, gen.options));
    EXPECT_GT(automatic.won, 0);
    gen.options.threads = 1;
    ExpectSameResult(Funnel(gen.frame, gen.options), automatic);
  }
}

}  // namespace
}  // namespace rapport
