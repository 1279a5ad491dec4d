#include "rapport/retention.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "analytics/retention_calendar.h"
#include "base/splitmix64.h"
#include "shared_data.h"
#include "test_util.h"

namespace rapport {
namespace {

using ::testing::ElementsAre;


int64_t T(int y, int m, int d, int hh = 0, int mm = 0, int ss = 0) {
  return absl::ToUnixMicros(absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, ss), absl::UTCTimeZone()));
}
int64_t Day(double days) { return static_cast<int64_t>(days * static_cast<double>(kMicrosPerDay)); }

template <typename R>
std::string ErrorOf(const absl::StatusOr<R>& result) {
  if (result.ok()) return "ok";
  return std::string(absl::StatusCodeToString(result.status().code())) + ": " + std::string(result.status().message());
}

struct Order {
  int64_t customer;
  int64_t at;
  double amount = 1;
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

// Random orders; times may repeat within a customer.
OrderFrame Generated(uint64_t seed, int customers, int64_t from, int64_t span) {
  SplitMix64 rng(seed);
  OrderFrame f;
  for (int c = 0; c < customers; ++c) {
    const int64_t n = rng.Chance(0.4) ? 1 : rng.Range(2, 10);
    for (int64_t k = 0; k < n; ++k) {
      f.customer.push_back(100 + c);
      f.at.push_back(from + (rng.Chance(0.05) && k > 0 ? f.at.back() - from : rng.Range(0, span)));
      f.amount.push_back(1);
    }
  }
  return f;
}

// ---------------------------------------------------------------------------------------------
// Calendar

TEST(RetentionCalendar, CivilDaysRoundTripAgainstAbseil) {
  for (int64_t days = -800'000; days <= 800'000; days += 37) {
    const internal::CivilDay c = internal::CivilFromDays(days);
    const absl::CivilDay expected = absl::CivilDay(1970, 1, 1) + days;
    ASSERT_EQ(c.year, expected.year()) << days;
    ASSERT_EQ(c.month, expected.month()) << days;
    ASSERT_EQ(c.day, expected.day()) << days;
    ASSERT_EQ(internal::DaysFromCivil(c.year, c.month, c.day), days);
  }
}

TEST(RetentionCalendar, IsoWeekLabelsAgainstStrftime) {
  // %G-W%V is the ISO week-year and week, as glibc's strftime computes them.
  for (absl::CivilDay d(1999, 12, 20); d < absl::CivilDay(2031, 1, 10); d += 1) {
    const int64_t days = d - absl::CivilDay(1970, 1, 1);
    const int64_t week = internal::PeriodOfDay(days, CohortPeriod::kWeek);
    const absl::Time t = absl::FromCivil(d, absl::UTCTimeZone());
    ASSERT_EQ(internal::PeriodLabel(week, CohortPeriod::kWeek), absl::FormatTime("%G-W%V", t, absl::UTCTimeZone()))
        << d;
    const int64_t monday = internal::PeriodStartDay(week, CohortPeriod::kWeek);
    ASSERT_EQ(absl::GetWeekday(absl::CivilDay(1970, 1, 1) + monday), absl::Weekday::monday);
    ASSERT_LE(monday, days);
    ASSERT_GT(monday + 7, days);
  }
  EXPECT_EQ(internal::PeriodLabel(internal::PeriodOfDay(T(2021, 1, 3) / kMicrosPerDay, CohortPeriod::kWeek),
                                  CohortPeriod::kWeek),
            "2020-W53");
  EXPECT_EQ(internal::PeriodLabel(internal::PeriodOfDay(-1, CohortPeriod::kMonth), CohortPeriod::kMonth), "1969-12");
  EXPECT_EQ(internal::PeriodLabel(internal::PeriodOfDay(-1, CohortPeriod::kQuarter), CohortPeriod::kQuarter), "1969-Q4");
  EXPECT_EQ(internal::FloorDiv(-1, 7), -1);
  EXPECT_EQ(internal::FloorDiv(-7, 7), -1);
  EXPECT_EQ(internal::FloorDiv(7, 7), 1);
}

// ---------------------------------------------------------------------------------------------
// Cohorts

TEST(Cohorts, MonthsAcrossAYearBoundary) {
  const int64_t as_of = T(2025, 2, 28, 12);
  OrderFrame orders = Frame({
      {1, T(2024, 11, 15)}, {1, T(2024, 12, 1)}, {1, T(2025, 1, 20)},   // 2024-11: k = 0, 1, 2
      {2, T(2024, 12, 31, 23, 59, 59)}, {2, T(2025, 1, 1)},            // 2024-12: k = 0, 1
      {3, T(2024, 12, 5)}, {3, T(2024, 12, 20)}, {3, T(2025, 2, 1)},    // 2024-12: k = 0 (once), 2
      {4, T(2025, 2, 10)}, {4, T(2025, 3, 1)},                         // 2025-02; March is after as_of
      {5, T(2025, 3, 2)},                                              // only after as_of: no cohort
      {6, kNullTime},                                                  // no time
  });
  ASSERT_OK_AND_ASSIGN(m, ComputeCohortRetention(orders, as_of));
  EXPECT_EQ(m.period, CohortPeriod::kMonth);
  EXPECT_THAT(m.labels, ElementsAre("2024-11", "2024-12", "2025-02"));
  EXPECT_THAT(m.starts, ElementsAre(T(2024, 11, 1), T(2024, 12, 1), T(2025, 2, 1)));
  EXPECT_THAT(m.sizes, ElementsAre(1, 2, 1));
  ASSERT_EQ(m.periods, 4);
  EXPECT_THAT(m.counts, ElementsAre(1, 1, 1, 0,     // 2024-11: Nov, Dec, Jan, no Feb
                                    2, 1, 1, -1,    // 2024-12: Dec, Jan (2), Feb (3); March is future
                                    1, -1, -1, -1));
  EXPECT_EQ(m.count(1, 2), 1);
  EXPECT_DOUBLE_EQ(m.rate(1, 1), 0.5);
  EXPECT_DOUBLE_EQ(m.rate(0, 3), 0.0);
  EXPECT_TRUE(std::isnan(m.rate(2, 1)));
  EXPECT_TRUE(std::isnan(m.rate(1, 3)));

  CohortOptions capped;
  capped.max_periods = 2;
  ASSERT_OK_AND_ASSIGN(c, ComputeCohortRetention(orders, as_of, capped));
  ASSERT_EQ(c.periods, 2);
  EXPECT_THAT(c.counts, ElementsAre(1, 1, 2, 1, 1, -1));

  // An order exactly at as_of counts; one a microsecond later does not.
  ASSERT_OK_AND_ASSIGN(edge, ComputeCohortRetention(Frame({{1, T(2025, 1, 31)}, {1, T(2025, 2, 3)}}), T(2025, 2, 3)));
  EXPECT_THAT(edge.counts, ElementsAre(1, 1));
  ASSERT_OK_AND_ASSIGN(before, ComputeCohortRetention(Frame({{1, T(2025, 1, 31)}, {1, T(2025, 2, 3)}}), T(2025, 2, 3) - 1));
  EXPECT_THAT(before.counts, ElementsAre(1, 0));
}

TEST(Cohorts, IsoWeeksAndQuarters) {
  const int64_t as_of = T(2025, 1, 7);
  OrderFrame orders = Frame({
      {1, T(2024, 12, 29, 23)}, {1, T(2024, 12, 30)},   // Sunday of 2024-W52, then Monday of 2025-W01
      {2, T(2024, 12, 30)}, {2, T(2025, 1, 5, 23, 59)}, {2, T(2025, 1, 6)},  // 2025-W01: k = 0, 0, 1
      {3, T(2024, 12, 23)},                             // Monday of 2024-W52
  });
  CohortOptions weeks;
  weeks.period = CohortPeriod::kWeek;
  ASSERT_OK_AND_ASSIGN(w, ComputeCohortRetention(orders, as_of, weeks));
  EXPECT_THAT(w.labels, ElementsAre("2024-W52", "2025-W01"));
  EXPECT_THAT(w.starts, ElementsAre(T(2024, 12, 23), T(2024, 12, 30)));
  EXPECT_THAT(w.sizes, ElementsAre(2, 1));
  ASSERT_EQ(w.periods, 3);
  EXPECT_THAT(w.counts, ElementsAre(2, 1, 0, 1, 1, -1));

  CohortOptions quarters;
  quarters.period = CohortPeriod::kQuarter;
  ASSERT_OK_AND_ASSIGN(q, ComputeCohortRetention(orders, as_of, quarters));
  EXPECT_THAT(q.labels, ElementsAre("2024-Q4"));
  EXPECT_THAT(q.starts, ElementsAre(T(2024, 10, 1)));
  EXPECT_THAT(q.counts, ElementsAre(3, 1));  // only customer 2 came back in January
  EXPECT_EQ(ToString(CohortPeriod::kQuarter), "quarter");
}

TEST(Cohorts, EmptyAndBadOptions) {
  ASSERT_OK_AND_ASSIGN(empty, ComputeCohortRetention(OrderFrame{}, T(2025, 1, 1)));
  EXPECT_EQ(empty.cohorts(), 0u);
  EXPECT_EQ(empty.periods, 0);
  CohortOptions o;
  o.max_periods = -1;
  EXPECT_EQ(ErrorOf(ComputeCohortRetention(OrderFrame{}, 0, o)),
            "INVALID_ARGUMENT: max_periods: must be 0 (no limit) or positive, got -1");
  o = CohortOptions{};
  o.period = static_cast<CohortPeriod>(7);
  EXPECT_EQ(ErrorOf(ComputeCohortRetention(OrderFrame{}, 0, o)),
            "INVALID_ARGUMENT: period: must be kWeek (0), kMonth (1) or kQuarter (2), got 7");
  EXPECT_EQ(ErrorOf(ComputeCohortRetention(OrderFrame{}, kNullTime)), "INVALID_ARGUMENT: as_of: must be a time, got none");
}

// Cohorts computed with absl's civil time, customer by customer.
int64_t NaivePeriod(int64_t at, CohortPeriod period) {
  const absl::CivilDay d = absl::ToCivilDay(absl::FromUnixMicros(at), absl::UTCTimeZone());
  switch (period) {
    case CohortPeriod::kWeek:
      return (absl::PrevWeekday(d + 1, absl::Weekday::monday) - absl::CivilDay(1970, 1, 5)) / 7;
    case CohortPeriod::kQuarter: return d.year() * 4 + (d.month() - 1) / 3;
    case CohortPeriod::kMonth: break;
  }
  return d.year() * 12 + d.month() - 1;
}

TEST(Cohorts, MatchANaiveComputationForEveryPeriodAndThreadCount) {
  const OrderFrame orders = Generated(17, 2500, T(2022, 11, 1), Day(800));
  const int64_t as_of = T(2024, 6, 15, 8);
  for (CohortPeriod period : {CohortPeriod::kWeek, CohortPeriod::kMonth, CohortPeriod::kQuarter}) {
    std::map<int64_t, std::vector<int64_t>> by_customer;
    for (size_t i = 0; i < orders.rows(); ++i) {
      if (orders.at[i] <= as_of) by_customer[orders.customer[i]].push_back(orders.at[i]);
    }
    const int64_t last = NaivePeriod(as_of, period);
    std::map<int64_t, std::map<int64_t, std::set<int64_t>>> cells;  // cohort -> k -> customers
    for (auto& [c, times] : by_customer) {
      const int64_t cohort = NaivePeriod(*std::min_element(times.begin(), times.end()), period);
      for (int64_t at : times) cells[cohort][NaivePeriod(at, period) - cohort].insert(c);
    }
    CohortOptions o;
    o.period = period;
    o.threads = 1;
    ASSERT_OK_AND_ASSIGN(m, ComputeCohortRetention(orders, as_of, o));
    ASSERT_EQ(m.cohorts(), cells.size());
    ASSERT_EQ(m.periods, last - cells.begin()->first + 1);
    size_t row = 0;
    for (auto& [cohort, by_k] : cells) {
      ASSERT_EQ(m.sizes[row], static_cast<int64_t>(by_k[0].size()));
      for (int k = 0; k < m.periods; ++k) {
        const int64_t expected = cohort + k > last ? -1 : static_cast<int64_t>(by_k.count(k) ? by_k[k].size() : 0);
        ASSERT_EQ(m.count(row, k), expected) << ToString(period) << " " << m.labels[row] << " k=" << k;
      }
      ++row;
    }
    for (int threads : {2, 5}) {
      o.threads = threads;
      ASSERT_OK_AND_ASSIGN(again, ComputeCohortRetention(orders, as_of, o));
      EXPECT_EQ(again.counts, m.counts);
      EXPECT_EQ(again.labels, m.labels);
    }
  }
}

TEST(Cohorts, OldOrdersOutsideTheCalendarTable) {
  // Orders decades before as_of take the computed path rather than the table.
  OrderFrame orders = Frame({{1, T(1990, 5, 3)}, {1, T(1990, 6, 1)}, {2, T(2024, 1, 9)}});
  CohortOptions o;
  o.max_periods = 3;
  ASSERT_OK_AND_ASSIGN(m, ComputeCohortRetention(orders, T(2024, 2, 1), o));
  EXPECT_THAT(m.labels, ElementsAre("1990-05", "2024-01"));
  EXPECT_THAT(m.counts, ElementsAre(1, 1, 0, 1, 0, -1));  // as_of is in February 2024
}

// ---------------------------------------------------------------------------------------------
// Repurchase rate

TEST(Repurchase, WindowBoundaries) {
  const int64_t as_of = Day(100), w = Day(30);
  OrderFrame orders = Frame({
      {1, Day(10)}, {1, Day(40)},          // second order exactly at first + W: repeat
      {2, Day(10)}, {2, Day(40) + 1},      // a microsecond late: not a repeat
      {3, Day(70)}, {3, Day(71)},          // first exactly W before as_of: eligible, repeat
      {4, Day(70) + 1}, {4, Day(71)},      // first too recent: not eligible
      {5, Day(5)},                         // one order: eligible, not a repeat
      {6, Day(20)}, {6, Day(20)},          // two orders at once: a repeat
      {7, Day(101)},                       // after as_of: ignored
  });
  RepurchaseOptions o;
  o.window = w;
  ASSERT_OK_AND_ASSIGN(r, ComputeRepurchaseRate(orders, as_of, o));
  EXPECT_EQ(r.repeat_customers, 3);
  EXPECT_EQ(r.eligible_customers, 5);
  EXPECT_DOUBLE_EQ(r.rate, 0.6);

  ASSERT_OK_AND_ASSIGN(none, ComputeRepurchaseRate(OrderFrame{}, as_of, o));
  EXPECT_EQ(none.eligible_customers, 0);
  EXPECT_TRUE(std::isnan(none.rate));
  o.window = 0;
  EXPECT_EQ(ErrorOf(ComputeRepurchaseRate(orders, as_of, o)), "INVALID_ARGUMENT: window: must be positive, got 0");
}

TEST(Repurchase, MatchesANaiveComputation) {
  const OrderFrame orders = Generated(23, 3000, 0, Day(400));
  const int64_t as_of = Day(300), w = Day(45);
  std::map<int64_t, std::vector<int64_t>> by_customer;
  for (size_t i = 0; i < orders.rows(); ++i) {
    if (orders.at[i] <= as_of) by_customer[orders.customer[i]].push_back(orders.at[i]);
  }
  int64_t eligible = 0, repeat = 0;
  for (auto& [c, times] : by_customer) {
    std::sort(times.begin(), times.end());
    if (times[0] > as_of - w) continue;
    ++eligible;
    repeat += times.size() >= 2 && times[1] <= times[0] + w;
  }
  for (int threads : {1, 2, 3}) {
    RepurchaseOptions o;
    o.window = w;
    o.threads = threads;
    ASSERT_OK_AND_ASSIGN(r, ComputeRepurchaseRate(orders, as_of, o));
    EXPECT_EQ(r.eligible_customers, eligible);
    EXPECT_EQ(r.repeat_customers, repeat);
  }
}

// ---------------------------------------------------------------------------------------------
// Inter-purchase intervals

TEST(Intervals, MeansMediansAndOverall) {
  OrderFrame orders = Frame({
      {1, Day(0)}, {1, Day(1)}, {1, Day(4)}, {1, Day(10)},   // gaps 1, 3, 6: mean 10/3, median 3
      {2, Day(0)}, {2, Day(2)},                              // gap 2
      {3, Day(5)}, {3, Day(6)}, {3, Day(9)},                 // gaps 1, 3: median 2 (interpolated)
      {4, Day(3)},                                           // one order: no gaps
      {5, Day(1)}, {5, Day(1)}, {5, Day(50)},                // gap 0 then a gap after as_of
  });
  ASSERT_OK_AND_ASSIGN(iv, ComputeInterpurchaseIntervals(orders, Day(20)));
  EXPECT_THAT(iv.customer, ElementsAre(1, 2, 3, 5));
  ASSERT_EQ(iv.mean_days.size(), 4u);
  EXPECT_DOUBLE_EQ(iv.mean_days[0], 10.0 / 3.0);
  EXPECT_DOUBLE_EQ(iv.median_days[0], 3);
  EXPECT_DOUBLE_EQ(iv.mean_days[1], 2);
  EXPECT_DOUBLE_EQ(iv.median_days[1], 2);
  EXPECT_DOUBLE_EQ(iv.mean_days[2], 2);
  EXPECT_DOUBLE_EQ(iv.median_days[2], 2);
  EXPECT_DOUBLE_EQ(iv.mean_days[3], 0);
  EXPECT_DOUBLE_EQ(iv.median_days[3], 0);
  EXPECT_DOUBLE_EQ(iv.overall_mean_days, (10.0 / 3.0 + 2 + 2 + 0) / 4);
  EXPECT_DOUBLE_EQ(iv.overall_median_days, 2);  // of 0, 2, 2, 10/3
  // Means 2 and 10/3 only: the median interpolates between them.
  ASSERT_OK_AND_ASSIGN(two, ComputeInterpurchaseIntervals(Frame({{1, Day(0)}, {1, Day(1)}, {1, Day(4)}, {1, Day(10)},
                                                                 {2, Day(0)}, {2, Day(2)}}),
                                                          Day(20)));
  EXPECT_DOUBLE_EQ(two.overall_median_days, (2 + 10.0 / 3.0) / 2);
  ASSERT_OK_AND_ASSIGN(none, ComputeInterpurchaseIntervals(Frame({{1, Day(0)}}), Day(20)));
  EXPECT_TRUE(none.customer.empty());
  EXPECT_TRUE(std::isnan(none.overall_mean_days));
  EXPECT_TRUE(std::isnan(none.overall_median_days));
}

TEST(Intervals, AgreeWithTheOrderMetricsAndAcrossThreads) {
  const OrderFrame orders = Generated(31, 2000, 0, Day(365));
  CustomerFrame frame;
  for (int c = 0; c < 2000; ++c) frame.ids.push_back(100 + c);
  ASSERT_TRUE(AddOrderMetrics(orders, frame).ok());
  const auto& mean = std::get<NumberColumn>(*frame.Find("mean_interpurchase_days")).values;
  IntervalOptions one;
  one.threads = 1;
  ASSERT_OK_AND_ASSIGN(iv, ComputeInterpurchaseIntervals(orders, Day(1000), one));
  size_t k = 0;
  for (size_t row = 0; row < frame.rows(); ++row) {
    if (std::isnan(mean[row])) continue;
    ASSERT_LT(k, iv.customer.size());
    ASSERT_EQ(iv.customer[k], frame.ids[row]);
    ASSERT_EQ(iv.mean_days[k], mean[row]);
    ++k;
  }
  EXPECT_EQ(k, iv.customer.size());
  IntervalOptions two;
  two.threads = 2;
  ASSERT_OK_AND_ASSIGN(again, ComputeInterpurchaseIntervals(orders, Day(1000), two));
  EXPECT_EQ(again.customer, iv.customer);
  EXPECT_EQ(again.median_days, iv.median_days);
  EXPECT_EQ(again.overall_median_days, iv.overall_median_days);
}

// ---------------------------------------------------------------------------------------------
// Churn

TEST(Churn, PeriodAndLookbackBoundaries) {
  OrderFrame orders = Frame({
      {1, Day(80)}, {1, Day(110)},      // base, active
      {2, Day(70)},                     // exactly start - lookback: base; churned
      {3, Day(70) - 1},                 // before the lookback: not base
      {4, Day(100) - 1}, {4, Day(130)}, // base; the order at end does not count: churned
      {5, Day(100)},                    // start is not in the lookback: not base
      {6, Day(85)}, {6, Day(130) - 1},  // base, active at the last microsecond
  });
  ChurnOptions o;
  o.start = Day(100);
  o.end = Day(130);
  o.lookback = Day(30);
  ASSERT_OK_AND_ASSIGN(c, ComputeChurn(orders, o));
  EXPECT_EQ(c.base_customers, 4);
  EXPECT_EQ(c.churned_customers, 2);
  EXPECT_DOUBLE_EQ(c.rate, 0.5);

  ASSERT_OK_AND_ASSIGN(empty, ComputeChurn(OrderFrame{}, o));
  EXPECT_TRUE(std::isnan(empty.rate));

  ChurnOptions bad = o;
  bad.end = bad.start;
  EXPECT_EQ(ErrorOf(ComputeChurn(orders, bad)),
            "INVALID_ARGUMENT: end: must be after start (" + std::to_string(o.start) + "), got " + std::to_string(o.start));
  bad = o;
  bad.lookback = -5;
  EXPECT_EQ(ErrorOf(ComputeChurn(orders, bad)), "INVALID_ARGUMENT: lookback: must be positive, got -5");
  bad = o;
  bad.start = kNullTime;
  EXPECT_EQ(ErrorOf(ComputeChurn(orders, bad)), "INVALID_ARGUMENT: start: must be a time, got none");
  bad = o;
  bad.start = std::numeric_limits<int64_t>::min() + 10;
  bad.lookback = 100;
  EXPECT_EQ(ErrorOf(ComputeChurn(orders, bad)),
            "INVALID_ARGUMENT: lookback: start - lookback lies before the earliest time, got 100");
}

TEST(Churn, MatchesANaiveComputation) {
  const OrderFrame orders = Generated(41, 3000, 0, Day(300));
  ChurnOptions o;
  o.start = Day(200);
  o.end = Day(260);
  o.lookback = Day(90);
  std::set<int64_t> base, active;
  for (size_t i = 0; i < orders.rows(); ++i) {
    const int64_t at = orders.at[i];
    if (at >= o.start - o.lookback && at < o.start) base.insert(orders.customer[i]);
    if (at >= o.start && at < o.end) active.insert(orders.customer[i]);
  }
  int64_t churned = 0;
  for (int64_t c : base) churned += !active.count(c);
  for (int threads : {1, 2}) {
    o.threads = threads;
    ASSERT_OK_AND_ASSIGN(c, ComputeChurn(orders, o));
    EXPECT_EQ(c.base_customers, static_cast<int64_t>(base.size()));
    EXPECT_EQ(c.churned_customers, churned);
  }
}

// ---------------------------------------------------------------------------------------------
// Reference data: the CDNOW cohort (Fader, Hardie & Lee) made its first purchase in Q1 1997.

using testing::SharedData;

TEST(RetentionReference, CdnowIsOneQuarterlyCohortOfThreeMonths) {
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
    orders.customer.push_back(customer);
    orders.at.push_back(T(static_cast<int>(date / 10000), static_cast<int>(date / 100 % 100), static_cast<int>(date % 100)));
    orders.amount.push_back(dollars);
  }
  const int64_t as_of = T(1998, 6, 30, 23, 59, 59);
  CohortOptions quarters;
  quarters.period = CohortPeriod::kQuarter;
  ASSERT_OK_AND_ASSIGN(q, ComputeCohortRetention(orders, as_of, quarters));
  EXPECT_THAT(q.labels, ElementsAre("1997-Q1"));
  EXPECT_THAT(q.sizes, ElementsAre(23570));
  ASSERT_EQ(q.periods, 6);  // 1997-Q1 .. 1998-Q2
  ASSERT_OK_AND_ASSIGN(m, ComputeCohortRetention(orders, as_of));
  EXPECT_THAT(m.labels, ElementsAre("1997-01", "1997-02", "1997-03"));
  EXPECT_EQ(m.sizes[0] + m.sizes[1] + m.sizes[2], 23570);
  EXPECT_EQ(m.periods, 18);  // 1997-01 .. 1998-06
  // Each quarterly cell is the customers with an order in that quarter, counted naively.
  std::map<int, std::set<int64_t>> by_quarter;
  for (size_t i = 0; i < orders.rows(); ++i) {
    const absl::CivilDay d = absl::ToCivilDay(absl::FromUnixMicros(orders.at[i]), absl::UTCTimeZone());
    by_quarter[static_cast<int>((d.year() - 1997) * 4 + (d.month() - 1) / 3)].insert(orders.customer[i]);
  }
  for (int k = 0; k < 6; ++k) EXPECT_EQ(q.count(0, k), static_cast<int64_t>(by_quarter[k].size())) << k;
}

}  // namespace
}  // namespace rapport
