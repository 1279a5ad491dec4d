#include <algorithm>
#include <cmath>
#include <limits>
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

constexpr int64_t kHour = 3'600'000'000;
constexpr int64_t kDay = kMicrosPerDay;
constexpr int64_t kSecond = 1'000'000;

struct Event {
  int64_t customer;
  std::optional<std::string> kind;
  int64_t at;
};

EventFrame Frame(const std::vector<Event>& events) {
  EventFrame f;
  for (const Event& e : events) {
    f.customer.push_back(e.customer);
    f.kind.Append(e.kind ? std::optional<std::string_view>(*e.kind) : std::nullopt);
    f.at.push_back(e.at);
  }
  return f;
}

EventFunnelOptions Options(std::vector<std::string> steps, int64_t window) {
  EventFunnelOptions o;
  o.steps = std::move(steps);
  o.window = window;
  return o;
}

std::vector<int64_t> Counts(const EventFunnelResult& r) {
  std::vector<int64_t> out;
  for (const EventFunnelStep& s : r.steps) out.push_back(s.customers);
  return out;
}

EventFunnelResult Funnel(const EventFrame& f, const EventFunnelOptions& o, const CustomerGroups* g = nullptr) {
  absl::StatusOr<EventFunnelResult> r = EventFunnel(f, o, g);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *std::move(r) : EventFunnelResult{};
}

std::string ErrorOf(const EventFrame& f, const EventFunnelOptions& o, const CustomerGroups* g = nullptr) {
  absl::StatusOr<EventFunnelResult> r = EventFunnel(f, o, g);
  if (r.ok()) return "ok";
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(r.status().message());
}

bool SameDouble(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

void ExpectSameSummary(const DurationSummary& a, const DurationSummary& b) {
  EXPECT_EQ(a.count, b.count);
  EXPECT_PRED2(SameDouble, a.median, b.median);
  EXPECT_PRED2(SameDouble, a.p90, b.p90);
  EXPECT_PRED2(SameDouble, a.mean, b.mean);
}

void ExpectSameResult(const EventFunnelResult& a, const EventFunnelResult& b) {
  ASSERT_EQ(a.steps.size(), b.steps.size());
  for (size_t k = 0; k < a.steps.size(); ++k) {
    EXPECT_EQ(a.steps[k].kind, b.steps[k].kind);
    EXPECT_EQ(a.steps[k].customers, b.steps[k].customers) << "step " << k;
    EXPECT_PRED2(SameDouble, a.steps[k].conversion_from_previous, b.steps[k].conversion_from_previous);
    EXPECT_PRED2(SameDouble, a.steps[k].conversion_from_first, b.steps[k].conversion_from_first);
    ExpectSameSummary(a.steps[k].seconds_to_convert, b.steps[k].seconds_to_convert);
    EXPECT_EQ(a.steps[k].histogram, b.steps[k].histogram);
  }
  EXPECT_EQ(a.bucket_edges, b.bucket_edges);
  EXPECT_EQ(a.rows_missing_time, b.rows_missing_time);
  ASSERT_EQ(a.groups.size(), b.groups.size());
  for (size_t g = 0; g < a.groups.size(); ++g) {
    EXPECT_EQ(a.groups[g].label, b.groups[g].label);
    EXPECT_EQ(a.groups[g].customers, b.groups[g].customers);
  }
}

// Five customers of a shop; steps visit -> signup -> purchase within 7 days.
std::vector<Event> ShopEvents() {
  return {
      {1, "visit", 0},          {1, "signup", kHour},          {1, "purchase", 2 * kHour},
      {2, "visit", 0},          {2, "signup", 3 * kDay},       {2, "purchase", 8 * kDay},  // after the window
      {3, "visit", 10 * kHour},
      {4, "signup", 0},         {4, "purchase", kHour},        // never visited
      {5, "visit", 0},          {5, "purchase", kHour},        {5, "signup", 2 * kHour},  // buy before signup
  };
}

TEST(EventFunnel, CountsConversionsAndTimeToConvert) {
  EventFunnelResult r = Funnel(Frame(ShopEvents()), Options({"visit", "signup", "purchase"}, 7 * kDay));
  ASSERT_EQ(r.steps.size(), 3u);
  EXPECT_EQ(r.steps[0].kind, "visit");
  EXPECT_EQ(Counts(r), (std::vector<int64_t>{4, 3, 1}));
  EXPECT_DOUBLE_EQ(r.steps[0].conversion_from_previous, 1.0);
  EXPECT_DOUBLE_EQ(r.steps[0].conversion_from_first, 1.0);
  EXPECT_DOUBLE_EQ(r.steps[1].conversion_from_previous, 0.75);
  EXPECT_DOUBLE_EQ(r.steps[1].conversion_from_first, 0.75);
  EXPECT_DOUBLE_EQ(r.steps[2].conversion_from_previous, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(r.steps[2].conversion_from_first, 0.25);

  // Step 1 has no time to convert.
  EXPECT_EQ(r.steps[0].seconds_to_convert.count, 0);
  EXPECT_TRUE(std::isnan(r.steps[0].seconds_to_convert.median));
  EXPECT_TRUE(r.steps[0].histogram.empty());

  // Signup: 1h, 3d, 2h -> 3600, 259200, 7200 s. p90 at rank 1.8: 7200 + 0.8 * (259200 - 7200).
  const DurationSummary& signup = r.steps[1].seconds_to_convert;
  EXPECT_EQ(signup.count, 3);
  EXPECT_DOUBLE_EQ(signup.median, 7200);
  EXPECT_DOUBLE_EQ(signup.p90, 208800);
  EXPECT_DOUBLE_EQ(signup.mean, 90000);
  // Default edges 1h, 1d, 7d, 30d; an edge belongs to the bucket below it.
  EXPECT_EQ(r.bucket_edges, (std::vector<int64_t>{kHour, kDay, 7 * kDay, 30 * kDay}));
  EXPECT_EQ(r.steps[1].histogram, (std::vector<int64_t>{1, 1, 1, 0, 0}));

  const DurationSummary& purchase = r.steps[2].seconds_to_convert;
  EXPECT_EQ(purchase.count, 1);
  EXPECT_DOUBLE_EQ(purchase.median, 7200);
  EXPECT_DOUBLE_EQ(purchase.p90, 7200);
  EXPECT_DOUBLE_EQ(purchase.mean, 7200);
  EXPECT_EQ(r.steps[2].histogram, (std::vector<int64_t>{0, 1, 0, 0, 0}));
  EXPECT_TRUE(r.groups.empty());
  EXPECT_EQ(r.rows_missing_time, 0);
}

TEST(EventFunnel, WindowEndIsInclusiveAndCountsFromStepOne) {
  EventFrame f = Frame({
      {1, "a", 0}, {1, "b", kDay},                                   // exactly at the window's end
      {2, "a", 0}, {2, "b", kDay + 1},                               // 1 us late
      {3, "a", 0}, {3, "b", 12 * kHour}, {3, "c", kDay},             // c measured from a, not from b
      {4, "a", 0}, {4, "b", 12 * kHour}, {4, "c", kDay + 1},
  });
  EventFunnelResult r = Funnel(f, Options({"a", "b", "c"}, kDay));
  EXPECT_EQ(Counts(r), (std::vector<int64_t>{4, 3, 1}));
  EXPECT_EQ(r.steps[1].seconds_to_convert.count, 3);
  EXPECT_DOUBLE_EQ(r.steps[2].seconds_to_convert.median, 86400);
}

TEST(EventFunnel, LaterStepsMustBeStrictlyLater) {
  EventFrame f = Frame({
      {1, "a", 5}, {1, "b", 5},               // same time: not after a
      {2, "b", 5}, {2, "a", 5}, {2, "b", 6},  // the later b counts
      {3, "a", 5}, {3, "b", 6}, {3, "c", 6},  // c at b's time: not after b
  });
  EventFunnelResult r = Funnel(f, Options({"a", "b", "c"}, kDay));
  EXPECT_EQ(Counts(r), (std::vector<int64_t>{3, 2, 0}));
  EXPECT_DOUBLE_EQ(r.steps[1].seconds_to_convert.median, 1e-6);

  // A repeated kind needs a second, strictly later event.
  EventFrame g = Frame({{1, "a", 5}, {1, "a", 5}, {2, "a", 5}, {2, "a", 5}, {2, "a", 7}});
  EXPECT_EQ(Counts(Funnel(g, Options({"a", "a"}, kDay))), (std::vector<int64_t>{2, 1}));
}

TEST(EventFunnel, OnlyTheEarliestStepOneStarts) {
  EventFrame f = Frame({
      {1, "a", 0}, {1, "a", 10 * kDay}, {1, "b", 10 * kDay + kHour},  // the second a does not restart
      {2, "b", 0}, {2, "a", kHour}, {2, "b", 2 * kHour},              // a b before a does not count
  });
  EventFunnelResult r = Funnel(f, Options({"a", "b"}, kDay));
  EXPECT_EQ(Counts(r), (std::vector<int64_t>{2, 1}));
  EXPECT_DOUBLE_EQ(r.steps[1].seconds_to_convert.mean, 3600);
}

TEST(EventFunnel, CustomersWithOnlyLaterStepsAreNotCounted) {
  EventFrame f = Frame({{1, "b", 0}, {1, "c", 1}, {2, "c", 0}, {3, "a", 0}, {3, "c", 1}});
  EventFunnelResult r = Funnel(f, Options({"a", "b", "c"}, kDay));
  EXPECT_EQ(Counts(r), (std::vector<int64_t>{1, 0, 0}));  // 3 skips b, so c does not count either
  EXPECT_DOUBLE_EQ(r.steps[1].conversion_from_previous, 0.0);
  EXPECT_TRUE(std::isnan(r.steps[2].conversion_from_previous));  // 0 / 0
  EXPECT_DOUBLE_EQ(r.steps[2].conversion_from_first, 0.0);
}

TEST(EventFunnel, RowsOfOtherKindsMayInterleave) {
  // Grouped by customer once the rows of other kinds are left out: read in place, never split.
  EventFrame f = Frame({{1, "a", 0}, {2, "other", 5}, {1, "b", kHour}, {3, "other", 0}, {1, "b", 2 * kHour},
                        {4, "a", 0}, {1, "other", 0}, {4, "b", 1}});
  for (int threads : {1, 2, 3, 8}) {
    EventFunnelOptions o = Options({"a", "b"}, kDay);
    o.threads = threads;
    EventFunnelResult r = Funnel(f, o);
    EXPECT_EQ(Counts(r), (std::vector<int64_t>{2, 2})) << threads;
    EXPECT_EQ(r.steps[1].seconds_to_convert.count, 2);
    EXPECT_DOUBLE_EQ(r.steps[1].seconds_to_convert.mean, (3600 + 1e-6) / 2);
  }
}

TEST(EventFunnel, RowOrderDoesNotMatter) {
  std::vector<Event> events = ShopEvents();
  EventFunnelOptions o = Options({"visit", "signup", "purchase"}, 7 * kDay);
  EventFunnelResult sorted = Funnel(Frame(events), o);
  SplitMix64 rng(7);
  for (int round = 0; round < 20; ++round) {
    for (size_t i = events.size() - 1; i > 0; --i) std::swap(events[i], events[rng.Below(i + 1)]);
    ExpectSameResult(Funnel(Frame(events), o), sorted);
  }
  std::reverse(events.begin(), events.end());
  ExpectSameResult(Funnel(Frame(events), o), sorted);
}

TEST(EventFunnel, BreakdownByGroupWithNullGroup) {
  CustomerGroups groups;
  const std::vector<std::pair<int64_t, std::optional<std::string_view>>> mapping = {
      {5, "b2c"}, {1, "b2b"}, {2, "b2b"}, {9, "gov"}, {3, std::nullopt}};  // 4 is absent; 9 has no events
  for (const auto& [customer, label] : mapping) {
    groups.customer.push_back(customer);
    groups.group.Append(label);
  }
  EventFunnelResult r = Funnel(Frame(ShopEvents()), Options({"visit", "signup", "purchase"}, 7 * kDay), &groups);
  EXPECT_EQ(Counts(r), (std::vector<int64_t>{4, 3, 1}));  // the totals do not depend on the mapping
  ASSERT_EQ(r.groups.size(), 4u);
  EXPECT_EQ(r.groups[0].label, "b2c");
  EXPECT_EQ(r.groups[0].customers, (std::vector<int64_t>{1, 1, 0}));
  EXPECT_EQ(r.groups[1].label, "b2b");
  EXPECT_EQ(r.groups[1].customers, (std::vector<int64_t>{2, 2, 1}));
  EXPECT_EQ(r.groups[2].label, "gov");
  EXPECT_EQ(r.groups[2].customers, (std::vector<int64_t>{0, 0, 0}));
  EXPECT_EQ(r.groups[3].label, std::nullopt);
  EXPECT_EQ(r.groups[3].customers, (std::vector<int64_t>{1, 0, 0}));  // customer 3: a null label

  // Customers outside the mapping fall into the null group too.
  CustomerGroups only_one;
  only_one.customer = {1};
  only_one.group.Append("vip");
  EventFunnelResult s = Funnel(Frame(ShopEvents()), Options({"visit", "signup", "purchase"}, 7 * kDay), &only_one);
  ASSERT_EQ(s.groups.size(), 2u);
  EXPECT_EQ(s.groups[0].customers, (std::vector<int64_t>{1, 1, 1}));
  EXPECT_EQ(s.groups[1].customers, (std::vector<int64_t>{3, 2, 0}));

  // An empty mapping: everyone is in the null group.
  CustomerGroups none;
  EventFunnelResult t = Funnel(Frame(ShopEvents()), Options({"visit", "signup", "purchase"}, 7 * kDay), &none);
  ASSERT_EQ(t.groups.size(), 1u);
  EXPECT_EQ(t.groups[0].label, std::nullopt);
  EXPECT_EQ(t.groups[0].customers, (std::vector<int64_t>{4, 3, 1}));
}

TEST(EventFunnel, PeriodRestrictsStepOneOnly) {
  EventFrame f = Frame({
      {1, "a", 5 * kDay}, {1, "a", 12 * kDay}, {1, "b", 12 * kDay + kHour},  // starts at its a in the period
      {2, "a", 5 * kDay}, {2, "b", 5 * kDay + kHour},                        // before the period
      {3, "a", 20 * kDay}, {3, "b", 20 * kDay + kHour},                      // at `to`: excluded
      {4, "a", 10 * kDay}, {4, "b", 11 * kDay},                              // at `from`: included
      {5, "a", 20 * kDay - kHour}, {5, "b", 20 * kDay + kHour},              // step 2 after `to` is fine
  });
  EventFunnelOptions o = Options({"a", "b"}, kDay);
  o.from = 10 * kDay;
  o.to = 20 * kDay;
  EventFunnelResult r = Funnel(f, o);
  EXPECT_EQ(Counts(r), (std::vector<int64_t>{3, 3}));
  EXPECT_DOUBLE_EQ(r.steps[1].seconds_to_convert.median, 7200);

  o.to.reset();
  EXPECT_EQ(Counts(Funnel(f, o)), (std::vector<int64_t>{4, 4}));
  o.from.reset();
  o.to = 10 * kDay;
  EXPECT_EQ(Counts(Funnel(f, o)), (std::vector<int64_t>{2, 1}));  // 1 starts at 5d; its b is too late
}

TEST(EventFunnel, CustomHistogramEdges) {
  EventFrame f = Frame({
      {1, "a", 0}, {1, "b", kSecond},
      {2, "a", 0}, {2, "b", kSecond + kSecond / 2},
      {3, "a", 0}, {3, "b", 2 * kSecond},
      {4, "a", 0}, {4, "b", 3 * kSecond},
      {5, "a", 0}, {5, "b", 1},
  });
  EventFunnelOptions o = Options({"a", "b"}, kDay);
  o.bucket_edges = {kSecond, 2 * kSecond};
  EventFunnelResult r = Funnel(f, o);
  EXPECT_EQ(r.steps[1].histogram, (std::vector<int64_t>{2, 2, 1}));
  // 0.000001, 1, 1.5, 2, 3 s: median 1.5, p90 at rank 3.6: 2 + 0.6 * 1.
  EXPECT_DOUBLE_EQ(r.steps[1].seconds_to_convert.median, 1.5);
  EXPECT_DOUBLE_EQ(r.steps[1].seconds_to_convert.p90, 2.6);
  EXPECT_DOUBLE_EQ(r.steps[1].seconds_to_convert.mean, 7.500001 / 5);

  o.bucket_edges.clear();  // one bucket holds everything
  EXPECT_EQ(Funnel(f, o).steps[1].histogram, (std::vector<int64_t>{5}));
}

TEST(EventFunnel, UnknownKindsMatchNothing) {
  EventFrame f = Frame(ShopEvents());
  EventFunnelResult r = Funnel(f, Options({"visit", "refund", "purchase"}, 7 * kDay));
  EXPECT_EQ(Counts(r), (std::vector<int64_t>{4, 0, 0}));
  EventFunnelResult s = Funnel(f, Options({"refund", "visit"}, 7 * kDay));
  EXPECT_EQ(Counts(s), (std::vector<int64_t>{0, 0}));
  EXPECT_TRUE(std::isnan(s.steps[0].conversion_from_first));
  EXPECT_TRUE(std::isnan(s.steps[1].conversion_from_previous));
  EXPECT_EQ(s.steps[1].histogram, (std::vector<int64_t>{0, 0, 0, 0, 0}));
}

TEST(EventFunnel, RepeatedKindsInSteps) {
  EventFrame f = Frame({
      {1, "view", 0}, {1, "view", kHour}, {1, "buy", 2 * kHour},
      {2, "view", 0}, {2, "buy", kHour},
      {3, "view", 0}, {3, "buy", kHour}, {3, "view", 2 * kHour}, {3, "buy", 3 * kHour},
  });
  EventFunnelResult r = Funnel(f, Options({"view", "view", "buy"}, kDay));
  EXPECT_EQ(Counts(r), (std::vector<int64_t>{3, 2, 2}));
  EXPECT_DOUBLE_EQ(r.steps[2].seconds_to_convert.mean, 9000);  // 2h and 3h
}

TEST(EventFunnel, MissingTimesAndKindsAreIgnored) {
  EventFrame f = Frame({
      {1, "a", kNullTime}, {1, "b", kHour},
      {2, "a", 0}, {2, std::nullopt, kHour}, {2, "b", kNullTime}, {2, "b", 2 * kHour},
  });
  EventFunnelResult r = Funnel(f, Options({"a", "b"}, kDay));
  EXPECT_EQ(Counts(r), (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(r.rows_missing_time, 2);
}

TEST(EventFunnel, EmptyFrame) {
  EventFunnelResult r = Funnel(EventFrame{}, Options({"a", "b"}, kDay));
  EXPECT_EQ(Counts(r), (std::vector<int64_t>{0, 0}));
  EXPECT_TRUE(std::isnan(r.steps[0].conversion_from_previous));
  EXPECT_EQ(r.steps[1].seconds_to_convert.count, 0);
  EXPECT_TRUE(std::isnan(r.steps[1].seconds_to_convert.p90));
  CustomerGroups g;
  g.customer = {1};
  g.group.Append("x");
  EventFunnelResult s = Funnel(EventFrame{}, Options({"a", "b"}, kDay), &g);
  ASSERT_EQ(s.groups.size(), 2u);
  EXPECT_EQ(s.groups[0].customers, (std::vector<int64_t>{0, 0}));
}

TEST(EventFunnel, HugeTimesDoNotOverflowTheWindow) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  EventFrame f = Frame({{1, "a", max - 10}, {1, "b", max}});
  EXPECT_EQ(Counts(Funnel(f, Options({"a", "b"}, max))), (std::vector<int64_t>{1, 1}));
}

TEST(EventFunnel, RefusesStructurallyInvalidInput) {
  EventFrame f = Frame(ShopEvents());
  EXPECT_EQ(ErrorOf(f, Options({"visit"}, kDay)), "steps: at least 2 are needed (got 1)");
  EXPECT_EQ(ErrorOf(f, Options({}, kDay)), "steps: at least 2 are needed (got 0)");
  EXPECT_EQ(ErrorOf(f, Options({"visit", "signup"}, 0)), "window: must be positive (got 0)");
  EXPECT_EQ(ErrorOf(f, Options({"visit", "signup"}, -5)), "window: must be positive (got -5)");

  EventFunnelOptions o = Options({"visit", "signup"}, kDay);
  o.from = 10;
  o.to = 10;
  EXPECT_EQ(ErrorOf(f, o), "to: must be later than from");
  o = Options({"visit", "signup"}, kDay);
  o.bucket_edges = {kHour, kHour};
  EXPECT_EQ(ErrorOf(f, o), "bucket_edges: must be positive and strictly increasing");
  o.bucket_edges = {0, kHour};
  EXPECT_EQ(ErrorOf(f, o), "bucket_edges: must be positive and strictly increasing");
  o.bucket_edges = {kDay, kHour};
  EXPECT_EQ(ErrorOf(f, o), "bucket_edges: must be positive and strictly increasing");
  o = Options({"visit", "signup"}, kDay);
  o.threads = -1;
  EXPECT_EQ(ErrorOf(f, o), "threads: must be between 0 and 64 (got -1)");
  o.threads = 65;
  EXPECT_EQ(ErrorOf(f, o), "threads: must be between 0 and 64 (got 65)");

  o = Options({"visit", "signup"}, kDay);
  EventFrame short_kind = f;
  short_kind.kind.codes.pop_back();
  EXPECT_EQ(ErrorOf(short_kind, o), "events: columns have different lengths (customer 12, kind 11, at 12)");
  EventFrame short_at = f;
  short_at.at.pop_back();
  EXPECT_EQ(ErrorOf(short_at, o), "events: columns have different lengths (customer 12, kind 12, at 11)");
  EventFrame bad_value = f;
  bad_value.value = {1.0};
  EXPECT_EQ(ErrorOf(bad_value, o), "events: columns have different lengths (customer 12, kind 12, at 12, value 1)");
  EventFrame bad_code = f;
  bad_code.kind.codes.Set(4, 3);  // visit, signup, purchase are 0..2
  EXPECT_EQ(ErrorOf(bad_code, o), "events: kind code 3 at row 4 is not in the dictionary");
  bad_code.kind.codes.Set(4, -2);
  EXPECT_EQ(ErrorOf(bad_code, o), "events: kind code -2 at row 4 is not in the dictionary");
  bad_code.kind.codes.Set(4, std::numeric_limits<int32_t>::min());
  EXPECT_EQ(ErrorOf(bad_code, o), "events: kind code -2147483648 at row 4 is not in the dictionary");
  bad_code.kind.codes.Set(4, std::numeric_limits<int32_t>::max());
  EXPECT_EQ(ErrorOf(bad_code, o), "events: kind code 2147483647 at row 4 is not in the dictionary");

  CustomerGroups g;
  g.customer = {7, 7};
  g.group.Append("x");
  EXPECT_EQ(ErrorOf(f, o, &g), "breakdown: columns have different lengths (customer 2, group 1)");
  g.group.Append("y");
  EXPECT_EQ(ErrorOf(f, o, &g), "breakdown: customer 7 appears more than once");
  g.customer = {8, 3, 8};
  g.group.Append("z");
  EXPECT_EQ(ErrorOf(f, o, &g), "breakdown: customer 8 appears more than once");
  g.customer = {1, 2, 3};
  g.group.codes.Set(0, 3);
  EXPECT_EQ(ErrorOf(f, o, &g), "breakdown: group code 3 at row 0 is not in the dictionary");
}

// The rules applied literally, customer by customer, in O(n^2): the reference for generated data.
struct Reference {
  std::vector<int64_t> reached;
  std::vector<std::vector<int64_t>> micros;     // per step, ascending
  std::vector<std::vector<int64_t>> histogram;  // per step >= 2
  std::vector<std::vector<int64_t>> groups;     // per group (null last), per step
};

Reference NaiveFunnel(const EventFrame& f, const EventFunnelOptions& o, const CustomerGroups* g) {
  const size_t steps = o.steps.size();
  Reference ref;
  ref.reached.assign(steps, 0);
  ref.micros.resize(steps);
  ref.histogram.assign(steps, std::vector<int64_t>(o.bucket_edges.size() + 1, 0));
  const size_t group_count = g != nullptr ? g->group.dictionary.size() + 1 : 0;
  ref.groups.assign(group_count, std::vector<int64_t>(steps, 0));
  std::map<int64_t, std::vector<size_t>> by_customer;
  for (size_t i = 0; i < f.rows(); ++i) by_customer[f.customer[i]].push_back(i);
  std::map<int64_t, int32_t> group_of;
  if (g != nullptr) {
    for (size_t m = 0; m < g->customer.size(); ++m) group_of[g->customer[m]] = g->group.codes[m];
  }
  auto is = [&](size_t i, const std::string& kind) {
    return f.at[i] != kNullTime && f.kind.Get(i) == std::optional<std::string_view>(kind);
  };
  for (const auto& [customer, rows] : by_customer) {
    std::optional<int64_t> t1;
    for (size_t i : rows) {
      if (!is(i, o.steps[0])) continue;
      if (o.from && f.at[i] < *o.from) continue;
      if (o.to && f.at[i] >= *o.to) continue;
      if (!t1 || f.at[i] < *t1) t1 = f.at[i];
    }
    if (!t1) continue;
    size_t reached = 1;
    int64_t previous = *t1;
    for (size_t k = 1; k < steps; ++k) {
      std::optional<int64_t> tk;
      for (size_t i : rows) {
        if (is(i, o.steps[k]) && f.at[i] > previous && f.at[i] - *t1 <= o.window && (!tk || f.at[i] < *tk)) {
          tk = f.at[i];
        }
      }
      if (!tk) break;
      const int64_t d = *tk - *t1;
      ref.micros[k].push_back(d);
      size_t bucket = 0;
      while (bucket < o.bucket_edges.size() && d > o.bucket_edges[bucket]) ++bucket;
      ++ref.histogram[k][bucket];
      previous = *tk;
      ++reached;
    }
    size_t group = group_count - 1;
    if (auto it = group_of.find(customer); it != group_of.end() && it->second >= 0) group = it->second;
    for (size_t k = 0; k < reached; ++k) {
      ++ref.reached[k];
      if (g != nullptr) ++ref.groups[group][k];
    }
  }
  for (auto& m : ref.micros) std::sort(m.begin(), m.end());
  return ref;
}

double SortedQuantile(const std::vector<int64_t>& sorted, double p) {
  const double h = p * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return static_cast<double>(sorted[lo]) + (h - lo) * static_cast<double>(sorted[hi] - sorted[lo]);
}

void ExpectMatchesReference(const EventFunnelResult& r, const Reference& ref, const EventFunnelOptions& o) {
  ASSERT_EQ(r.steps.size(), o.steps.size());
  for (size_t k = 0; k < o.steps.size(); ++k) {
    EXPECT_EQ(r.steps[k].customers, ref.reached[k]) << "step " << k;
    if (k == 0) continue;
    EXPECT_LE(r.steps[k].customers, r.steps[k - 1].customers);
    const std::vector<int64_t>& m = ref.micros[k];
    const DurationSummary& s = r.steps[k].seconds_to_convert;
    ASSERT_EQ(s.count, static_cast<int64_t>(m.size()));
    EXPECT_EQ(r.steps[k].histogram, ref.histogram[k]);
    if (m.empty()) {
      EXPECT_TRUE(std::isnan(s.median) && std::isnan(s.p90) && std::isnan(s.mean));
      continue;
    }
    double sum = 0;
    for (int64_t d : m) sum += static_cast<double>(d);
    EXPECT_NEAR(s.median, SortedQuantile(m, 0.5) / 1e6, 1e-9 * (1 + std::abs(s.median)));
    EXPECT_NEAR(s.p90, SortedQuantile(m, 0.9) / 1e6, 1e-9 * (1 + std::abs(s.p90)));
    EXPECT_NEAR(s.mean, sum / m.size() / 1e6, 1e-9 * (1 + std::abs(s.mean)));
  }
  ASSERT_EQ(r.groups.size(), ref.groups.size());
  for (size_t g = 0; g < r.groups.size(); ++g) EXPECT_EQ(r.groups[g].customers, ref.groups[g]) << "group " << g;
}

struct Generated {
  EventFrame frame;
  EventFunnelOptions options;
  std::optional<CustomerGroups> groups;
};

// Few customers, kinds and distinct times, so that ties, repeats and window edges are common.
Generated Generate(uint64_t seed, size_t max_rows) {
  SplitMix64 rng(seed);
  Generated gen;
  const std::vector<std::string> kinds = {"a", "b", "c", "d", "e"};
  const size_t customers = 1 + rng.Below(std::max<size_t>(max_rows / 6, 2));
  std::vector<int64_t> ids(customers);
  const bool spread = rng.Chance(0.3);  // ids spanning all of int64: the comparison-sort fallback
  for (size_t c = 0; c < customers; ++c) {
    ids[c] = spread ? static_cast<int64_t>(rng.Next()) : static_cast<int64_t>(c) * 3 - 5;
  }
  const size_t rows = rng.Below(max_rows + 1);
  const int64_t unit = rng.Chance(0.5) ? kHour : kHour / 2;
  for (size_t i = 0; i < rows; ++i) {
    gen.frame.customer.push_back(ids[rng.Below(customers)]);
    gen.frame.kind.Append(rng.Chance(0.03) ? std::nullopt : std::optional<std::string_view>(rng.Pick(kinds)));
    gen.frame.at.push_back(rng.Chance(0.02) ? kNullTime : rng.Range(0, 96) * unit);
  }
  if (rng.Chance(0.3)) {  // sorted by customer: the no-sort path
    std::vector<size_t> order(rows);
    for (size_t i = 0; i < rows; ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return gen.frame.customer[a] < gen.frame.customer[b]; });
    EventFrame sorted;
    for (size_t i : order) {
      sorted.customer.push_back(gen.frame.customer[i]);
      sorted.kind.Append(gen.frame.kind.Get(i));
      sorted.at.push_back(gen.frame.at[i]);
    }
    gen.frame = std::move(sorted);
    if (rng.Chance(0.5)) {  // rows of a kind that is never a step may sit anywhere
      for (size_t i = 0; i < rows; ++i) {
        if (gen.frame.kind.Get(i) == std::optional<std::string_view>("e")) gen.frame.customer[i] = rng.Pick(ids);
      }
    }
  }
  const std::vector<std::string> step_pool = {"a", "b", "c", "d", "a", "b", "zz"};
  const size_t steps = 2 + rng.Below(3);
  for (size_t k = 0; k < steps; ++k) gen.options.steps.push_back(rng.Pick(step_pool));
  gen.options.window = rng.Range(1, 48) * kHour;
  if (rng.Chance(0.3)) gen.options.from = rng.Range(0, 40) * kHour;
  if (rng.Chance(0.3)) gen.options.to = gen.options.from.value_or(0) + rng.Range(1, 60) * kHour;
  if (rng.Chance(0.3)) gen.options.bucket_edges = {kHour, 3 * kHour, 20 * kHour};
  if (rng.Chance(0.5)) {
    CustomerGroups g;
    const std::vector<std::string> labels = {"x", "y", "z"};
    for (size_t c = 0; c < customers; ++c) {
      if (rng.Chance(0.2)) continue;
      g.customer.push_back(ids[c]);
      g.group.Append(rng.Chance(0.15) ? std::nullopt : std::optional<std::string_view>(rng.Pick(labels)));
    }
    for (size_t i = g.customer.size(); i > 1; --i) {
      const size_t j = rng.Below(i);
      std::swap(g.customer[i - 1], g.customer[j]);
      const int32_t code = g.group.codes[i - 1];
      g.group.codes.Set(i - 1, g.group.codes[j]);
      g.group.codes.Set(j, code);
    }
    gen.groups = std::move(g);
  }
  return gen;
}

TEST(EventFunnel, AgreesWithNaiveReferenceOnGeneratedData) {
  int64_t deep = 0;  // customers past step 2 over all seeds: the data must exercise later steps
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    SCOPED_TRACE(testing::Message() << "seed " << seed);
    Generated gen = Generate(seed, 300);
    const CustomerGroups* groups = gen.groups ? &*gen.groups : nullptr;
    const Reference ref = NaiveFunnel(gen.frame, gen.options, groups);
    gen.options.threads = 1;
    const EventFunnelResult one = Funnel(gen.frame, gen.options, groups);
    ExpectMatchesReference(one, ref, gen.options);
    if (one.steps.size() > 2) deep += one.steps[2].customers;
    for (int threads : {2, 3, 5}) {
      gen.options.threads = threads;
      ExpectSameResult(Funnel(gen.frame, gen.options, groups), one);
    }
    if (testing::Test::HasFailure()) break;
  }
  EXPECT_GT(deep, 100);
}

TEST(EventFunnel, LargeFrameUsesTwoThreadsWithTheSameResults) {
  for (uint64_t seed : {11u, 12u}) {
    SCOPED_TRACE(testing::Message() << "seed " << seed);
    Generated gen;
    SplitMix64 rng(seed);
    const std::vector<std::string> kinds = {"visit", "signup", "cart", "buy", "other"};
    gen.frame = EventFrame{};
    const size_t rows = 320'000;  // above the 2-thread threshold
    for (size_t i = 0; i < rows; ++i) {
      gen.frame.customer.push_back(static_cast<int64_t>(rng.Below(60'000)));
      gen.frame.kind.Append(rng.Pick(kinds));
      gen.frame.at.push_back(rng.Range(0, 24 * 30) * kHour + rng.Range(0, 3) * kSecond);
    }
    if (seed == 12) {  // grouped by customer already: the path without a sort
      std::vector<size_t> order(rows);
      for (size_t i = 0; i < rows; ++i) order[i] = i;
      std::stable_sort(order.begin(), order.end(),
                       [&](size_t a, size_t b) { return gen.frame.customer[a] < gen.frame.customer[b]; });
      EventFrame sorted;
      for (size_t i : order) {
        sorted.customer.push_back(gen.frame.customer[i]);
        sorted.kind.Append(gen.frame.kind.Get(i));
        sorted.at.push_back(gen.frame.at[i]);
      }
      gen.frame = std::move(sorted);
    }
    gen.options.steps = {"visit", "signup", "cart", "buy"};
    gen.options.window = 3 * kDay;
    CustomerGroups g;
    for (int64_t c = 0; c < 60'000; c += 2) {
      g.customer.push_back(c);
      g.group.Append(c % 3 == 0 ? "north" : "south");
    }
    gen.options.threads = 0;
    const EventFunnelResult automatic = Funnel(gen.frame, gen.options, &g);
    ExpectMatchesReference(automatic, NaiveFunnel(gen.frame, gen.options, &g), gen.options);
    EXPECT_GT(automatic.steps[3].customers, 0);
    gen.options.threads = 1;
    ExpectSameResult(Funnel(gen.frame, gen.options, &g), automatic);
  }
}

}  // namespace
}  // namespace rapport
