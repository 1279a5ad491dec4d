#include "rapport/rfm.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "analytics/ranking_quantile.h"
#include "base/splitmix64.h"
#include "shared_data.h"
#include "test_util.h"

namespace rapport {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

int64_t Day(double days) { return static_cast<int64_t>(days * static_cast<double>(kMicrosPerDay)); }

template <typename T>
std::string ErrorOf(const absl::StatusOr<T>& result) {
  if (result.ok()) return "ok";
  return std::string(absl::StatusCodeToString(result.status().code())) + ": " + std::string(result.status().message());
}

struct Order {
  int64_t customer;
  int64_t at;
  double amount;
};

OrderFrame Frame(const std::vector<Order>& orders) {
  OrderFrame f;
  for (const Order& o : orders) {
    f.customer.push_back(o.customer);
    f.at.push_back(o.at);
    f.amount.push_back(o.amount);
  }
  return f;
}

// The documented rule, literally: 1 + floor(bins * (rank_min - 1) / n) with an O(n^2) rank.
std::vector<int> NaiveScores(const std::vector<double>& v, bool larger_is_worse, int bins) {
  const size_t n = v.size();
  std::vector<int> out(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t worse = 0;
    for (size_t j = 0; j < n; ++j) worse += larger_is_worse ? v[j] > v[i] : v[j] < v[i];
    out[i] = static_cast<int>(1 + (bins * worse) / static_cast<int64_t>(n));
  }
  return out;
}

// The same rule with the count of strictly worse values found by binary search in a sorted copy, for
// inputs too large for the O(n^2) count in sanitizer builds.
std::vector<int> SortedCountScores(const std::vector<double>& v, bool larger_is_worse, int bins) {
  std::vector<double> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  const int64_t n = static_cast<int64_t>(v.size());
  std::vector<int> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    const int64_t worse = larger_is_worse ? sorted.end() - std::upper_bound(sorted.begin(), sorted.end(), v[i])
                                          : std::lower_bound(sorted.begin(), sorted.end(), v[i]) - sorted.begin();
    out[i] = static_cast<int>(1 + (bins * worse) / n);
  }
  return out;
}

std::vector<int> AsInts(const std::vector<uint8_t>& v) { return std::vector<int>(v.begin(), v.end()); }

std::string SegmentName(const RfmTable& t, size_t row) {
  return t.segment[row] < 0 ? "" : t.segment_names[t.segment[row]];
}

// ---------------------------------------------------------------------------------------------
// RFM on hand-computed orders

TEST(Rfm, HandComputedAsOfBoundaryNullsAndLateOrders) {
  const int64_t as_of = Day(100);
  OrderFrame orders = Frame({
      {1, Day(90), 10}, {1, Day(95), 20},      // recency 5, frequency 2, monetary 30
      {2, as_of, 5},                           // an order exactly at as_of counts: recency 0
      {3, Day(50), 100}, {3, Day(101), 999},   // the later order does not count
      {4, Day(101), 1},                        // only a later order: not in the table
      {5, Day(10), kNaN}, {5, Day(99.5), 7},   // NaN adds nothing but counts; half a day is 0 days
      {6, kNullTime, 50},                      // no time: skipped
  });
  ASSERT_OK_AND_ASSIGN(t, ComputeRfm(orders, as_of));
  EXPECT_THAT(t.customer, ElementsAre(1, 2, 3, 5));
  EXPECT_THAT(t.recency_days, ElementsAre(5, 0, 50, 0));
  EXPECT_THAT(t.frequency, ElementsAre(2, 1, 1, 2));
  EXPECT_THAT(t.monetary, ElementsAre(30, 5, 100, 7));
  // R: worse = larger recency. 50 -> 0 worse -> 1; 5 -> 1 -> 1 + 5/4 = 2; 0, 0 -> 2 -> 1 + 10/4 = 3.
  EXPECT_THAT(AsInts(t.r), ElementsAre(2, 3, 1, 3));
  // F: 1, 1 -> 1; 2, 2 -> 2 worse -> 3.
  EXPECT_THAT(AsInts(t.f), ElementsAre(3, 1, 1, 3));
  // M: 5 -> 1; 7 -> 2; 30 -> 3; 100 -> 1 + 15/4 = 4.
  EXPECT_THAT(AsInts(t.m), ElementsAre(3, 1, 4, 2));
  EXPECT_EQ(SegmentName(t, 0), "At risk");          // R2 F3
  EXPECT_EQ(SegmentName(t, 1), "About to sleep");   // R3 F1
  EXPECT_EQ(SegmentName(t, 2), "Hibernating");      // R1 F1
  EXPECT_EQ(SegmentName(t, 3), "Need attention");   // R3 F3
  EXPECT_EQ(t.grid_count(2, 3), 1);
  EXPECT_EQ(t.grid_count(3, 3), 1);
  EXPECT_EQ(t.grid_count(5, 5), 0);
  EXPECT_EQ(std::accumulate(t.grid.begin(), t.grid.end(), int64_t{0}), 4);

  ASSERT_EQ(t.segments.size(), 10u);
  const RfmSegmentSummary& sleep = t.segments[6];
  EXPECT_EQ(sleep.name, "About to sleep");
  EXPECT_EQ(sleep.customers, 1);
  EXPECT_DOUBLE_EQ(sleep.customer_share, 0.25);
  EXPECT_DOUBLE_EQ(sleep.revenue, 5);
  EXPECT_DOUBLE_EQ(sleep.revenue_share, 5.0 / 142.0);
  EXPECT_DOUBLE_EQ(sleep.mean_recency_days, 0);
  EXPECT_DOUBLE_EQ(sleep.mean_frequency, 1);
  EXPECT_DOUBLE_EQ(sleep.mean_monetary, 5);
  EXPECT_EQ(t.segments[0].name, "Champions");
  EXPECT_EQ(t.segments[0].customers, 0);
  EXPECT_TRUE(std::isnan(t.segments[0].mean_monetary));
  EXPECT_EQ(t.unsegmented.customers, 0);
}

TEST(Rfm, RecencyIsFlooredToWholeDays) {
  const int64_t as_of = Day(10);
  OrderFrame orders = Frame({{1, as_of - kMicrosPerDay, 1}, {2, as_of - kMicrosPerDay + 1, 1}, {3, as_of - 1, 1}});
  ASSERT_OK_AND_ASSIGN(t, ComputeRfm(orders, as_of));
  EXPECT_THAT(t.recency_days, ElementsAre(1, 0, 0));
}

TEST(Rfm, MonetarySumsInCustomerTimeOrderWhateverTheRowOrder) {
  // 1e16 + 1 + 1 - 1e16 depends on the order of the additions; (customer, at) order fixes it.
  OrderFrame orders = Frame({{7, Day(3), -1e16}, {7, Day(1), 1e16}, {7, Day(2), 1}, {7, Day(2.5), 1}});
  ASSERT_OK_AND_ASSIGN(t, ComputeRfm(orders, Day(10)));
  double expected = 0;
  for (double a : {1e16, 1.0, 1.0, -1e16}) expected += a;
  EXPECT_EQ(t.monetary[0], expected);
}

TEST(Rfm, EmptyInput) {
  ASSERT_OK_AND_ASSIGN(t, ComputeRfm(OrderFrame{}, Day(1)));
  EXPECT_EQ(t.rows(), 0u);
  EXPECT_EQ(t.grid.size(), 25u);
  EXPECT_EQ(std::accumulate(t.grid.begin(), t.grid.end(), int64_t{0}), 0);
  ASSERT_EQ(t.segments.size(), 10u);
  EXPECT_EQ(t.segments[0].customers, 0);
  EXPECT_TRUE(std::isnan(t.segments[0].customer_share));
  ASSERT_OK_AND_ASSIGN(s, ScoreRfm({}, {}, {}));
  EXPECT_EQ(s.scored, 0);
  EXPECT_TRUE(s.r.empty());
  // Orders that all come after as_of leave the table empty too.
  ASSERT_OK_AND_ASSIGN(later, ComputeRfm(Frame({{1, Day(5), 1}}), Day(4)));
  EXPECT_EQ(later.rows(), 0u);
}

TEST(Rfm, OneCustomerScoresOne) {
  ASSERT_OK_AND_ASSIGN(t, ComputeRfm(Frame({{1, Day(1), 10}}), Day(2)));
  EXPECT_THAT(AsInts(t.r), ElementsAre(1));
  EXPECT_THAT(AsInts(t.f), ElementsAre(1));
  EXPECT_THAT(AsInts(t.m), ElementsAre(1));
  EXPECT_EQ(SegmentName(t, 0), "Hibernating");
}

TEST(Rfm, BadFramesAndOptions) {
  OrderFrame ragged = Frame({{1, Day(1), 1}});
  ragged.amount.push_back(2);
  EXPECT_EQ(ErrorOf(ComputeRfm(ragged, Day(2))),
            "INVALID_ARGUMENT: orders: columns differ in length (customer 1, at 1, amount 2)");
  EXPECT_EQ(ErrorOf(ComputeRfm(OrderFrame{}, kNullTime)), "INVALID_ARGUMENT: as_of: must be a time, got none");
  OrderFrame infinite = Frame({{3, Day(1), INFINITY}, {3, Day(2), -INFINITY}});
  EXPECT_EQ(ErrorOf(ComputeRfm(infinite, Day(3))),
            "INVALID_ARGUMENT: orders.amount: infinite amounts of both signs leave the monetary of customer 3 undefined");
}

// ---------------------------------------------------------------------------------------------
// The scorer on per-customer arrays

TEST(ScoreRfm, TieRuleOnIntegersAndOnFractions) {
  // n = 10, bins = 5: worse counts 0,1,1,3,4,4,4,7,8,9 -> 1 + 5 * worse / 10.
  const std::vector<double> money = {10, 20, 20, 30, 40, 40, 40, 50, 60, 70};
  const std::vector<double> ones(10, 1.0), zeros(10, 0.0);
  const std::vector<int> expected = {1, 1, 1, 2, 3, 3, 3, 4, 5, 5};
  ASSERT_OK_AND_ASSIGN(counted, ScoreRfm(zeros, ones, money));
  EXPECT_THAT(AsInts(counted.m), ElementsAreArray(expected));
  std::vector<double> fractions = money;
  for (double& v : fractions) v += 0.25;  // not integers: the order-statistic path
  ASSERT_OK_AND_ASSIGN(selected, ScoreRfm(zeros, ones, fractions));
  EXPECT_THAT(AsInts(selected.m), ElementsAreArray(expected));
  // Recency: larger is worse. Worse counts 9,7,7,6,3,3,3,2,1,0.
  ASSERT_OK_AND_ASSIGN(recency, ScoreRfm(money, ones, ones));
  EXPECT_THAT(AsInts(recency.r), ElementsAre(5, 4, 4, 4, 2, 2, 2, 2, 1, 1));
  // Every customer equal: nobody is worse, everybody scores 1.
  EXPECT_THAT(AsInts(recency.f), ElementsAreArray(std::vector<int>(10, 1)));
  EXPECT_THAT(AsInts(recency.m), ElementsAreArray(std::vector<int>(10, 1)));
}

TEST(ScoreRfm, UnscoredCustomersAreLeftOutOfTheRanking) {
  const std::vector<double> recency = {1, kNaN, 3, 4, 2};
  const std::vector<double> frequency = {1, 2, 0, kNaN, 2};
  const std::vector<double> monetary = {5, 5, 5, 5, kNaN};
  ASSERT_OK_AND_ASSIGN(s, ScoreRfm(recency, frequency, monetary));
  EXPECT_EQ(s.scored, 1);
  EXPECT_THAT(AsInts(s.r), ElementsAre(1, 0, 0, 0, 0));
  EXPECT_THAT(AsInts(s.f), ElementsAre(1, 0, 0, 0, 0));
  EXPECT_THAT(AsInts(s.m), ElementsAre(1, 0, 0, 0, 0));
  EXPECT_THAT(s.segment, ElementsAre(9, -1, -1, -1, -1));  // Hibernating
  EXPECT_EQ(s.segment_names[9], "Hibernating");
}

TEST(ScoreRfm, BinsAtTheirLimits) {
  std::vector<double> v(20);
  std::iota(v.begin(), v.end(), 1.0);
  const std::vector<double> ones(20, 1.0);
  for (int bins : {2, 3, 7, 10}) {
    RfmOptions o;
    o.bins = bins;
    ASSERT_OK_AND_ASSIGN(s, ScoreRfm(v, v, v, o));
    EXPECT_THAT(AsInts(s.m), ElementsAreArray(NaiveScores(v, false, bins))) << bins;
    EXPECT_THAT(AsInts(s.r), ElementsAreArray(NaiveScores(v, true, bins))) << bins;
    EXPECT_TRUE(s.segment_names.empty());  // the classic map is for 5 bins
    EXPECT_THAT(s.segment, ElementsAreArray(std::vector<int16_t>(20, -1)));
  }
}

TEST(ScoreRfm, CustomRulesFirstMatchWinsAndGapsStayUnsegmented) {
  RfmOptions o;
  o.bins = 2;
  o.segments = std::vector<RfmSegmentRule>{{"Best", 2, 2, 2, 2}, {"Recent", 2, 2, 1, 2}, {"Frequent", 1, 2, 2, 2}};
  // (R, F): (2,2) Best (also Recent, Frequent); (2,1) Recent; (1,2) Frequent; (1,1) none.
  const std::vector<double> recency = {1, 1, 9, 9};
  const std::vector<double> frequency = {5, 1, 5, 1};
  const std::vector<double> monetary = {1, 1, 1, 1};
  ASSERT_OK_AND_ASSIGN(s, ScoreRfm(recency, frequency, monetary, o));
  EXPECT_THAT(s.segment, ElementsAre(0, 1, 2, -1));
  EXPECT_THAT(s.segment_names, ElementsAre("Best", "Recent", "Frequent"));

  OrderFrame orders = Frame({{1, Day(9), 1}, {1, Day(9.5), 1}, {2, Day(9), 1}, {3, Day(1), 1}, {3, Day(2), 4},
                             {4, Day(1), 10}});
  ASSERT_OK_AND_ASSIGN(t, ComputeRfm(orders, Day(10), o));
  EXPECT_THAT(t.segment, ElementsAre(0, 1, 2, -1));
  EXPECT_EQ(t.unsegmented.name, "");
  EXPECT_EQ(t.unsegmented.customers, 1);
  EXPECT_DOUBLE_EQ(t.unsegmented.revenue_share, 10.0 / 18.0);

  o.segments = std::vector<RfmSegmentRule>{};  // explicitly none
  o.bins = 5;
  ASSERT_OK_AND_ASSIGN(none, ScoreRfm(recency, frequency, monetary, o));
  EXPECT_THAT(none.segment, ElementsAre(-1, -1, -1, -1));
}

TEST(ScoreRfm, OptionErrorsNameTheArgument) {
  const std::vector<double> one = {1};
  auto score = [&](RfmOptions o) { return ErrorOf(ScoreRfm(one, one, one, o)); };
  RfmOptions o;
  o.bins = 1;
  EXPECT_EQ(score(o), "INVALID_ARGUMENT: bins: must be between 2 and 10, got 1");
  o.bins = 11;
  EXPECT_EQ(score(o), "INVALID_ARGUMENT: bins: must be between 2 and 10, got 11");
  o.bins = 4;
  o.segments = ClassicRfmSegments();
  EXPECT_EQ(score(o), "INVALID_ARGUMENT: segments[0].r_min: must be between 1 and bins (4), got 5");
  o.bins = 5;
  o.segments = std::vector<RfmSegmentRule>{{"A", 1, 6, 1, 1}};
  EXPECT_EQ(score(o), "INVALID_ARGUMENT: segments[0].r_max: must be between 1 and bins (5), got 6");
  o.segments = std::vector<RfmSegmentRule>{{"A", 1, 1, 0, 1}};
  EXPECT_EQ(score(o), "INVALID_ARGUMENT: segments[0].f_min: must be between 1 and bins (5), got 0");
  o.segments = std::vector<RfmSegmentRule>{{"A", 1, 1, 1, 1}, {"B", 1, 1, 3, 2}};
  EXPECT_EQ(score(o), "INVALID_ARGUMENT: segments[1].f_min: must not exceed f_max (2), got 3");
  o.segments = std::vector<RfmSegmentRule>{{"A", 4, 3, 1, 1}};
  EXPECT_EQ(score(o), "INVALID_ARGUMENT: segments[0].r_min: must not exceed r_max (3), got 4");
  o.segments = std::vector<RfmSegmentRule>{{"A", 1, 1, 1, 1}, {"", 1, 1, 1, 1}};
  EXPECT_EQ(score(o), "INVALID_ARGUMENT: segments[1].name: must not be empty");
  o.segments = std::vector<RfmSegmentRule>{{"A", 1, 1, 1, 1}, {"B", 2, 2, 1, 1}, {"A", 3, 3, 1, 1}};
  EXPECT_EQ(score(o), "INVALID_ARGUMENT: segments[2].name: \"A\" is already the name of segments[0]");
  o.segments.reset();
  o.threads = -1;
  EXPECT_EQ(score(o), "INVALID_ARGUMENT: threads: must be 0 (automatic) or positive, got -1");
  EXPECT_EQ(ErrorOf(ScoreRfm(one, std::vector<double>{1, 2}, one)),
            "INVALID_ARGUMENT: frequency: must have as many elements as recency_days (1), got 2");
  EXPECT_EQ(ErrorOf(ScoreRfm(one, one, {})),
            "INVALID_ARGUMENT: monetary: must have as many elements as recency_days (1), got 0");
  RfmOptions bad;
  bad.bins = 0;
  EXPECT_EQ(ErrorOf(ComputeRfm(OrderFrame{}, Day(1), bad)), "INVALID_ARGUMENT: bins: must be between 2 and 10, got 0");
}

TEST(ScoreRfm, ClassicMapPartitionsTheGrid) {
  const std::vector<RfmSegmentRule>& rules = ClassicRfmSegments();
  std::vector<std::string> names;
  for (const RfmSegmentRule& rule : rules) names.push_back(rule.name);
  EXPECT_THAT(names, ElementsAre("Champions", "Loyal", "Potential loyalists", "New", "Promising", "Need attention",
                                 "About to sleep", "At risk", "Can't lose", "Hibernating"));
  for (int r = 1; r <= 5; ++r) {
    for (int f = 1; f <= 5; ++f) {
      int matches = 0;
      for (const RfmSegmentRule& rule : rules) {
        matches += r >= rule.r_min && r <= rule.r_max && f >= rule.f_min && f <= rule.f_max;
      }
      EXPECT_EQ(matches, 1) << "R" << r << " F" << f;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Properties on generated data

// Orders of `customers` customers with distinct times per customer (so that any row order sums alike).
OrderFrame Generated(uint64_t seed, int customers, int64_t id_step = 1) {
  SplitMix64 rng(seed);
  OrderFrame f;
  for (int c = 0; c < customers; ++c) {
    const int64_t n = rng.Chance(0.3) ? 1 : rng.Range(1, 12);
    int64_t at = Day(static_cast<double>(rng.Range(0, 700)));
    for (int64_t k = 0; k < n; ++k) {
      f.customer.push_back(1 + c * id_step);
      f.at.push_back(at);
      f.amount.push_back(rng.Chance(0.2) ? 25.0 : std::round(rng.Unit() * 50000) / 100);  // ties and cents
      at += rng.Range(1, Day(90));
    }
  }
  return f;
}

OrderFrame Shuffled(const OrderFrame& f, uint64_t seed) {
  std::vector<size_t> order(f.rows());
  std::iota(order.begin(), order.end(), 0);
  SplitMix64 rng(seed);
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.Below(i)]);
  OrderFrame out;
  for (size_t i : order) {
    out.customer.push_back(f.customer[i]);
    out.at.push_back(f.at[i]);
    out.amount.push_back(f.amount[i]);
  }
  return out;
}

struct NaiveRfm {
  std::vector<int64_t> customer;
  std::vector<double> recency, frequency, monetary;
};

NaiveRfm NaiveAggregate(const OrderFrame& f, int64_t as_of) {
  std::map<int64_t, std::vector<std::pair<int64_t, double>>> by_customer;
  for (size_t i = 0; i < f.rows(); ++i) {
    if (f.at[i] != kNullTime && f.at[i] <= as_of) by_customer[f.customer[i]].push_back({f.at[i], f.amount[i]});
  }
  NaiveRfm out;
  for (auto& [c, orders] : by_customer) {
    std::stable_sort(orders.begin(), orders.end(), [](auto& a, auto& b) { return a.first < b.first; });
    double sum = 0;
    for (auto& [at, amount] : orders) sum += std::isnan(amount) ? 0 : amount;
    out.customer.push_back(c);
    out.recency.push_back(std::floor(static_cast<double>(as_of - orders.back().first) / 86400e6));
    out.frequency.push_back(static_cast<double>(orders.size()));
    out.monetary.push_back(sum);
  }
  return out;
}

TEST(RfmProperties, MatchesANaiveComputationAndHoldsItsInvariants) {
  const OrderFrame orders = Generated(42, 3000);
  const int64_t as_of = Day(600);
  ASSERT_OK_AND_ASSIGN(t, ComputeRfm(orders, as_of));
  const NaiveRfm naive = NaiveAggregate(orders, as_of);
  ASSERT_EQ(t.customer, naive.customer);
  for (size_t i = 0; i < t.rows(); ++i) {
    ASSERT_EQ(t.recency_days[i], naive.recency[i]);
    ASSERT_EQ(static_cast<double>(t.frequency[i]), naive.frequency[i]);
    ASSERT_EQ(t.monetary[i], naive.monetary[i]);
  }
  EXPECT_THAT(AsInts(t.r), ElementsAreArray(NaiveScores(naive.recency, true, 5)));
  EXPECT_THAT(AsInts(t.f), ElementsAreArray(NaiveScores(naive.frequency, false, 5)));
  EXPECT_THAT(AsInts(t.m), ElementsAreArray(NaiveScores(naive.monetary, false, 5)));
  EXPECT_EQ(SortedCountScores(naive.monetary, false, 5), NaiveScores(naive.monetary, false, 5));
  EXPECT_EQ(SortedCountScores(naive.recency, true, 5), NaiveScores(naive.recency, true, 5));

  // Monotone: a better value never scores lower; equal values score equally.
  for (size_t i = 0; i < t.rows(); i += 7) {
    for (size_t j = 0; j < t.rows(); ++j) {
      if (t.monetary[i] < t.monetary[j]) {
        ASSERT_LE(t.m[i], t.m[j]);
      }
      if (t.monetary[i] == t.monetary[j]) {
        ASSERT_EQ(t.m[i], t.m[j]);
      }
      if (t.recency_days[i] > t.recency_days[j]) {
        ASSERT_LE(t.r[i], t.r[j]);
      }
      if (t.frequency[i] == t.frequency[j]) {
        ASSERT_EQ(t.f[i], t.f[j]);
      }
    }
  }
  // The classic map partitions the scored customers, and the summaries add up.
  int64_t customers = t.unsegmented.customers;
  double revenue = t.unsegmented.revenue, share = t.unsegmented.customer_share, revenue_share = 0;
  for (size_t i = 0; i < t.rows(); ++i) ASSERT_GE(t.segment[i], 0);
  for (const RfmSegmentSummary& s : t.segments) {
    customers += s.customers;
    revenue += s.revenue;
    share += s.customer_share;
    revenue_share += s.revenue_share;
    if (s.customers > 0) {
      double sum = 0;
      for (size_t i = 0; i < t.rows(); ++i) {
        if (t.segment_names[t.segment[i]] == s.name) sum += t.frequency[i];
      }
      EXPECT_NEAR(s.mean_frequency, sum / static_cast<double>(s.customers), 1e-9);
    }
  }
  EXPECT_EQ(t.unsegmented.customers, 0);
  EXPECT_EQ(customers, static_cast<int64_t>(t.rows()));
  EXPECT_NEAR(share, 1.0, 1e-12);
  EXPECT_NEAR(revenue_share, 1.0, 1e-12);
  EXPECT_NEAR(revenue, std::accumulate(t.monetary.begin(), t.monetary.end(), 0.0), 1e-6);
  EXPECT_EQ(std::accumulate(t.grid.begin(), t.grid.end(), int64_t{0}), static_cast<int64_t>(t.rows()));
  for (int r = 1; r <= 5; ++r) {
    for (int f = 1; f <= 5; ++f) {
      int64_t cell = 0;
      for (size_t i = 0; i < t.rows(); ++i) cell += t.r[i] == r && t.f[i] == f;
      EXPECT_EQ(t.grid_count(r, f), cell);
    }
  }

  // The scorer on the same arrays gives the same scores.
  std::vector<double> recency(t.recency_days.begin(), t.recency_days.end());
  std::vector<double> frequency(t.frequency.begin(), t.frequency.end());
  ASSERT_OK_AND_ASSIGN(s, ScoreRfm(recency, frequency, t.monetary));
  EXPECT_EQ(s.r, t.r);
  EXPECT_EQ(s.f, t.f);
  EXPECT_EQ(s.m, t.m);
  EXPECT_EQ(s.segment, t.segment);
}

void ExpectSameTable(const RfmTable& a, const RfmTable& b) {
  EXPECT_EQ(a.customer, b.customer);
  EXPECT_EQ(a.recency_days, b.recency_days);
  EXPECT_EQ(a.frequency, b.frequency);
  EXPECT_EQ(a.monetary, b.monetary);
  EXPECT_EQ(a.r, b.r);
  EXPECT_EQ(a.f, b.f);
  EXPECT_EQ(a.m, b.m);
  EXPECT_EQ(a.segment, b.segment);
  EXPECT_EQ(a.grid, b.grid);
  ASSERT_EQ(a.segments.size(), b.segments.size());
  for (size_t k = 0; k < a.segments.size(); ++k) EXPECT_EQ(a.segments[k].revenue, b.segments[k].revenue);
}

TEST(RfmProperties, SameResultForAnyThreadCountRowOrderOrIdSpacing) {
  const OrderFrame orders = Generated(7, 2000);
  const int64_t as_of = Day(500);
  RfmOptions one;
  one.threads = 1;
  ASSERT_OK_AND_ASSIGN(base, ComputeRfm(orders, as_of, one));
  for (int threads : {2, 3, 8}) {
    RfmOptions o;
    o.threads = threads;
    ASSERT_OK_AND_ASSIGN(t, ComputeRfm(orders, as_of, o));
    ExpectSameTable(base, t);
    ASSERT_OK_AND_ASSIGN(shuffled, ComputeRfm(Shuffled(orders, threads), as_of, o));
    ExpectSameTable(base, shuffled);
  }
  // Sparse ids take the comparison sort instead of the counting sort.
  const OrderFrame sparse = Generated(7, 2000, int64_t{1} << 40);
  ASSERT_OK_AND_ASSIGN(s, ComputeRfm(Shuffled(sparse, 1), as_of));
  ASSERT_EQ(s.rows(), base.rows());
  EXPECT_EQ(s.monetary, base.monetary);
  EXPECT_EQ(s.m, base.m);
  EXPECT_EQ(s.segment, base.segment);
}

TEST(RfmProperties, UnsortedFramesKeepRowOrderAmongEqualTimes) {
  // Many orders at the same instant with amounts whose sum depends on the order of the additions:
  // the sort must be stable, as OrderFrame::Sort is.
  SplitMix64 rng(8);
  OrderFrame orders;
  for (int i = 0; i < 60'000; ++i) {
    orders.customer.push_back(rng.Range(1, 3000));
    orders.at.push_back(Day(static_cast<double>(rng.Range(0, 3))));
    orders.amount.push_back(rng.Chance(0.5) ? 1e16 * static_cast<double>(rng.Range(-3, 3)) : rng.Unit());
  }
  const NaiveRfm naive = NaiveAggregate(orders, Day(10));  // a stable sort of the rows by time
  for (int threads : {1, 2, 4}) {
    RfmOptions o;
    o.threads = threads;
    ASSERT_OK_AND_ASSIGN(t, ComputeRfm(orders, Day(10), o));
    ASSERT_EQ(t.customer, naive.customer);
    EXPECT_EQ(t.monetary, naive.monetary);
  }
  OrderFrame sorted = orders;
  sorted.Sort();
  ASSERT_OK_AND_ASSIGN(from_sorted, ComputeRfm(sorted, Day(10)));
  EXPECT_EQ(from_sorted.monetary, naive.monetary);
}

TEST(RfmProperties, MoreThreadsThanCustomers) {
  // Parts without customers, and a frame in order but for its last row.
  OrderFrame orders = Frame({{1, Day(1), 1}, {1, Day(2), 2}, {2, Day(1), 4}, {2, Day(3), 8}, {1, Day(3), 16}});
  for (int threads : {1, 8}) {
    RfmOptions o;
    o.threads = threads;
    ASSERT_OK_AND_ASSIGN(t, ComputeRfm(orders, Day(5), o));
    EXPECT_THAT(t.customer, ElementsAre(1, 2));
    EXPECT_THAT(t.frequency, ElementsAre(3, 2));
    EXPECT_THAT(t.monetary, ElementsAre(19, 12));
    EXPECT_THAT(t.recency_days, ElementsAre(2, 2));
  }
}

TEST(RfmProperties, LargeInputRunsOnTwoThreadsLikeOne) {
  const OrderFrame orders = Generated(99, 120'000);  // ~500k orders: above the automatic threshold
  RfmOptions one;
  one.threads = 1;
  ASSERT_OK_AND_ASSIGN(a, ComputeRfm(orders, Day(650), one));
  ASSERT_OK_AND_ASSIGN(b, ComputeRfm(orders, Day(650)));
  ExpectSameTable(a, b);
}

TEST(QuantileScores, BothPathsMatchTheNaiveRuleOnRandomValues) {
  SplitMix64 rng(5);
  for (int round = 0; round < 40; ++round) {
    const size_t n = 1 + rng.Below(400);
    const int bins = static_cast<int>(rng.Range(2, 10));
    const int64_t spread = rng.Chance(0.5) ? 10 : 1'000'000'000;  // small: counting pass; large: thresholds
    std::vector<double> values(n);
    std::vector<int64_t> integers(n);
    for (size_t i = 0; i < n; ++i) {
      integers[i] = rng.Range(-spread, spread);
      values[i] = rng.Chance(0.5) ? static_cast<double>(integers[i]) : static_cast<double>(integers[i]) / 7;
    }
    for (bool larger_is_worse : {false, true}) {
      std::vector<uint8_t> out(n);
      internal::QuantileScores<double>(values, nullptr, larger_is_worse, bins, out.data());
      ASSERT_THAT(AsInts(out), ElementsAreArray(NaiveScores(values, larger_is_worse, bins)));
      internal::QuantileScores<int64_t>(integers, nullptr, larger_is_worse, bins, out.data());
      std::vector<double> as_double(integers.begin(), integers.end());
      ASSERT_THAT(AsInts(out), ElementsAreArray(NaiveScores(as_double, larger_is_worse, bins)));
    }
  }
}

TEST(Ranking, QuantileInterpolatesAndRadixSortOrders) {
  std::vector<double> v = {4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(internal::QuantileInPlace(v, 0.5), 2.5);
  v = {5, 1, 3};
  EXPECT_DOUBLE_EQ(internal::QuantileInPlace(v, 0.5), 3);
  v = {10, 20, 30, 40, 50};
  EXPECT_DOUBLE_EQ(internal::QuantileInPlace(v, 0.9), 46);  // numpy.quantile(..., 0.9)
  EXPECT_DOUBLE_EQ(internal::QuantileInPlace(v, 0), 10);
  EXPECT_DOUBLE_EQ(internal::QuantileInPlace(v, 1), 50);
  v.clear();
  EXPECT_TRUE(std::isnan(internal::QuantileInPlace(v, 0.5)));

  SplitMix64 rng(11);
  std::vector<double> values(5000);
  for (double& x : values) x = (rng.Unit() - 0.3) * std::pow(10.0, static_cast<double>(rng.Range(-5, 12)));
  values[10] = 0.0;
  values[11] = -0.0;
  values[12] = INFINITY;
  values[13] = -INFINITY;
  std::vector<double> expected = values;
  std::sort(expected.begin(), expected.end(), std::greater<double>());
  internal::SortDescending(values);
  EXPECT_EQ(values, expected);
}

// ---------------------------------------------------------------------------------------------
// Value tiers

std::vector<int> TiersOf(const ValueTiers& t) { return std::vector<int>(t.tier.begin(), t.tier.end()); }

TEST(ValueTiers, ByQuantileWithBoundariesAndTies) {
  const std::vector<double> ten = {100, 90, 80, 70, 60, 50, 40, 30, 20, 10};
  const std::vector<double> ones(10, 1);
  ASSERT_OK_AND_ASSIGN(t, AssignValueTiers(ones, ten));
  // p = 0, .1 high; .2 (not < .2), .3, .4 potential; .5 on general.
  EXPECT_THAT(TiersOf(t), ElementsAre(0, 0, 1, 1, 1, 2, 2, 2, 2, 2));
  EXPECT_THAT(t.customers, ElementsAre(2, 3, 5));
  EXPECT_THAT(t.revenue, ElementsAre(190, 210, 150));
  EXPECT_THAT(t.names, ElementsAre("high value", "potential", "general"));
  // Ties share a tier: three customers at the top are all high value (60% of buyers).
  ASSERT_OK_AND_ASSIGN(tied, AssignValueTiers(std::vector<double>(5, 1), std::vector<double>{100, 100, 100, 50, 10}));
  EXPECT_THAT(TiersOf(tied), ElementsAre(0, 0, 0, 2, 2));
  // Non-buyers are left out.
  ASSERT_OK_AND_ASSIGN(some, AssignValueTiers(std::vector<double>{1, 0, 1, kNaN, 2},
                                                         std::vector<double>{5, 99, kNaN, 99, 1}));
  EXPECT_THAT(TiersOf(some), ElementsAre(0, -1, -1, -1, 2));  // n = 2: p = 0 high; p = .5 is not < .5
  ValueTierOptions all;
  all.high = 0.1;
  all.potential = 1.0;
  ASSERT_OK_AND_ASSIGN(wide, AssignValueTiers(ones, ten, all));
  EXPECT_THAT(TiersOf(wide), ElementsAre(0, 1, 1, 1, 1, 1, 1, 1, 1, 1));
}

TEST(ValueTiers, ByRevenueShare) {
  ValueTierOptions o;
  o.mode = ValueTierMode::kRevenueShare;
  o.names = {"A", "B", "C"};
  // Total 100. share_before: 50 -> 0 high; 30 -> .5 potential; 10, 10 -> .8 general.
  ASSERT_OK_AND_ASSIGN(t, AssignValueTiers(std::vector<double>(4, 1), std::vector<double>{10, 50, 10, 30}, o));
  EXPECT_THAT(TiersOf(t), ElementsAre(2, 0, 2, 1));
  EXPECT_THAT(t.names, ElementsAre("A", "B", "C"));
  // Ties: both 40s have nobody above them.
  ASSERT_OK_AND_ASSIGN(tied, AssignValueTiers(std::vector<double>(3, 1), std::vector<double>{40, 20, 40}, o));
  EXPECT_THAT(TiersOf(tied), ElementsAre(0, 2, 0));
  EXPECT_THAT(tied.revenue, ElementsAre(80, 0, 20));
  EXPECT_EQ(ErrorOf(AssignValueTiers(std::vector<double>{1, 1}, std::vector<double>{0, 0}, o)),
            "INVALID_ARGUMENT: monetary: tiers by revenue share need a positive total revenue, got 0");
  ASSERT_OK_AND_ASSIGN(nobody, AssignValueTiers(std::vector<double>{0}, std::vector<double>{0}, o));
  EXPECT_THAT(TiersOf(nobody), ElementsAre(-1));
}

TEST(ValueTiers, OptionErrors) {
  const std::vector<double> one = {1};
  auto tiers = [&](ValueTierOptions o) { return ErrorOf(AssignValueTiers(one, one, o)); };
  ValueTierOptions o;
  o.high = 0;
  EXPECT_EQ(tiers(o), "INVALID_ARGUMENT: high: must be greater than 0, got 0");
  o.high = kNaN;
  EXPECT_EQ(tiers(o), "INVALID_ARGUMENT: high: must be greater than 0, got nan");
  o.high = 0.6;
  EXPECT_EQ(tiers(o), "INVALID_ARGUMENT: high: must be less than potential (0.5), got 0.6");
  o.high = 0.2;
  o.potential = 1.5;
  EXPECT_EQ(tiers(o), "INVALID_ARGUMENT: potential: must be at most 1, got 1.5");
  o.potential.reset();
  o.mode = ValueTierMode::kRevenueShare;
  o.high = 0.9;  // potential defaults to 0.8 by revenue share
  EXPECT_EQ(tiers(o), "INVALID_ARGUMENT: high: must be less than potential (0.8), got 0.9");
  o = ValueTierOptions{};
  o.names[2] = "";
  EXPECT_EQ(tiers(o), "INVALID_ARGUMENT: names[2]: must not be empty");
  o.names = {"x", "y", "x"};
  EXPECT_EQ(tiers(o), "INVALID_ARGUMENT: names[2]: \"x\" is already the name of names[0]");
  EXPECT_EQ(ErrorOf(AssignValueTiers(one, std::vector<double>{1, 2})),
            "INVALID_ARGUMENT: monetary: must have as many elements as frequency (1), got 2");
}

std::vector<int> NaiveTiers(const std::vector<double>& m, ValueTierMode mode, double high, double potential) {
  const size_t n = m.size();
  double total = 0;
  std::vector<double> desc = m;
  std::sort(desc.begin(), desc.end(), std::greater<double>());
  for (double v : desc) total += v;
  std::vector<int> out(n);
  for (size_t i = 0; i < n; ++i) {
    double p;
    if (mode == ValueTierMode::kQuantile) {
      int64_t greater = 0;
      for (double v : m) greater += v > m[i];
      p = static_cast<double>(greater) / static_cast<double>(n);
    } else {
      double before = 0;
      for (double v : desc) {
        if (v > m[i]) before += v;
      }
      p = before / total;
    }
    out[i] = p < high ? 0 : (p < potential ? 1 : 2);
  }
  return out;
}

TEST(ValueTiers, MatchNaiveRulesOnGeneratedData) {
  SplitMix64 rng(3);
  for (int round = 0; round < 30; ++round) {
    const size_t n = 1 + rng.Below(300);
    std::vector<double> m(n);
    for (double& v : m) v = static_cast<double>(rng.Range(1, rng.Chance(0.5) ? 8 : 100000));  // ties or not
    const std::vector<double> ones(n, 1);
    for (ValueTierMode mode : {ValueTierMode::kQuantile, ValueTierMode::kRevenueShare}) {
      ValueTierOptions o;
      o.mode = mode;
      o.high = 0.05 + rng.Unit() * 0.4;
      o.potential = *o.high + 0.01 + rng.Unit() * (0.99 - *o.high);
      ASSERT_OK_AND_ASSIGN(t, AssignValueTiers(ones, m, o));
      ASSERT_THAT(TiersOf(t), ElementsAreArray(NaiveTiers(m, mode, *o.high, *o.potential)));
    }
  }
}

TEST(ValueTiers, FrameLevelMatchesTheArrays) {
  const OrderFrame orders = Generated(21, 1500);
  for (ValueTierMode mode : {ValueTierMode::kQuantile, ValueTierMode::kRevenueShare}) {
    ValueTierOptions o;
    o.mode = mode;
    ASSERT_OK_AND_ASSIGN(table, ComputeValueTiers(orders, Day(400), o));
    ASSERT_OK_AND_ASSIGN(rfm, ComputeRfm(orders, Day(400)));
    EXPECT_EQ(table.customer, rfm.customer);
    EXPECT_EQ(table.monetary, rfm.monetary);
    std::vector<double> frequency(rfm.frequency.begin(), rfm.frequency.end());
    ASSERT_OK_AND_ASSIGN(arrays, AssignValueTiers(frequency, rfm.monetary, o));
    EXPECT_EQ(table.tiers.tier, arrays.tier);
    EXPECT_EQ(table.tiers.customers, arrays.customers);
    EXPECT_EQ(table.tiers.customers[0] + table.tiers.customers[1] + table.tiers.customers[2],
              static_cast<int64_t>(table.customer.size()));
  }
}

// ---------------------------------------------------------------------------------------------
// Reference data: CDNOW (Fader, Hardie & Lee), every customer checked against a naive computation.

using testing::SharedData;

TEST(RfmReference, CdnowMatchesANaiveComputationForEveryCustomer) {
  const std::filesystem::path file = SharedData() / "cdnow" / "CDNOW_master.txt";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << "reference data not found: " << file;
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);  // header
  OrderFrame orders;
  while (std::getline(in, line)) {
    std::istringstream row(line);
    int64_t customer, date, cds;
    double dollars;
    if (!(row >> customer >> date >> cds >> dollars)) continue;
    const absl::Time day = absl::FromCivil(
        absl::CivilDay(static_cast<int>(date / 10000), static_cast<int>(date / 100 % 100), static_cast<int>(date % 100)),
        absl::UTCTimeZone());
    orders.customer.push_back(customer);
    orders.at.push_back(absl::ToUnixMicros(day));
    orders.amount.push_back(dollars);
  }
  ASSERT_EQ(orders.rows(), 69659u);
  const int64_t as_of = absl::ToUnixMicros(testing::At(1998, 7, 1));
  ASSERT_OK_AND_ASSIGN(t, ComputeRfm(orders, as_of));
  const NaiveRfm naive = NaiveAggregate(orders, as_of);
  ASSERT_EQ(t.rows(), 23570u);  // the whole cohort
  ASSERT_EQ(t.customer, naive.customer);
  for (size_t i = 0; i < t.rows(); ++i) {
    ASSERT_EQ(t.recency_days[i], naive.recency[i]) << t.customer[i];
    ASSERT_EQ(static_cast<double>(t.frequency[i]), naive.frequency[i]) << t.customer[i];
    ASSERT_NEAR(t.monetary[i], naive.monetary[i], 1e-9) << t.customer[i];
  }
  EXPECT_THAT(AsInts(t.r), ElementsAreArray(SortedCountScores(naive.recency, true, 5)));
  EXPECT_THAT(AsInts(t.f), ElementsAreArray(SortedCountScores(naive.frequency, false, 5)));
  EXPECT_THAT(AsInts(t.m), ElementsAreArray(SortedCountScores(naive.monetary, false, 5)));
  // Customer 1 bought once, on 1997-01-01, for $11.77: 546 days before 1998-07-01.
  EXPECT_EQ(t.customer[0], 1);
  EXPECT_EQ(t.recency_days[0], 546);
  EXPECT_EQ(t.frequency[0], 1);
  EXPECT_DOUBLE_EQ(t.monetary[0], 11.77);
  // Most of the cohort bought once: F = 1 must cover more than half of the customers.
  int64_t once = 0;
  for (int64_t f : t.frequency) once += f == 1;
  EXPECT_GT(once, 23570 / 2);
  for (size_t i = 0; i < t.rows(); ++i) {
    if (t.frequency[i] == 1) {
      ASSERT_EQ(t.f[i], 1);
    }
  }
  int64_t segmented = t.unsegmented.customers;
  for (const RfmSegmentSummary& s : t.segments) segmented += s.customers;
  EXPECT_EQ(segmented, 23570);
}

}  // namespace
}  // namespace rapport
