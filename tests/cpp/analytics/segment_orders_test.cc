// EvaluateSegment from base data (SegmentContext::orders) against the warm path it must equal:
// AddOrderMetrics over all orders, then EvaluateSegment on the frame with its metrics. Also frames
// large enough for the evaluator to reorder the operands of `and`.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <random>

#include "analytics/frame_select.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapport/segment.h"

namespace rapport {
namespace {

using ::testing::ElementsAre;

constexpr int64_t kDay = kMicrosPerDay;
constexpr int64_t kNow = 20000 * kDay;

struct Data {
  CustomerFrame customers;
  OrderFrame orders;  // unsorted, with same-time ties, missing times and customers not in the frame
};

// `spacing` spreads the ids apart (a large spacing makes AddOrderMetrics use a hash set of ids).
Data Generate(int customers, int64_t spacing, uint32_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  Data d;
  CategoryColumn region, industry;
  SetColumn tags;
  NumberColumn score;
  const char* regions[] = {"华东", "华南", "North"};
  const char* industries[] = {"制造业", "Retail", "Services", "Tech"};
  const char* tag_names[] = {"vip", "b2b", "blocked"};
  for (int i = 0; i < customers; ++i) {
    d.customers.ids.push_back(1 + i * spacing);
    region.Append(pick(10) == 0 ? std::nullopt : std::optional<std::string_view>(regions[pick(3)]));
    industry.Append(std::string_view(industries[pick(4)]));
    std::vector<std::string_view> t;
    for (const char* tag : tag_names) {
      if (pick(3) == 0) t.push_back(tag);
    }
    tags.Append(t);
    score.values.push_back(pick(8) == 0 ? NAN : pick(100));
  }
  d.customers.Add("region", std::move(region));
  d.customers.Add("industry", std::move(industry));
  d.customers.Add("tags", std::move(tags));
  d.customers.Add("score", std::move(score));
  for (int i = 0; i < customers * 8; ++i) {
    // A few orders belong to customers outside the frame (ids between or beyond the frame's).
    const int64_t customer = pick(50) == 0 ? 2 + pick(customers + 5) * spacing : 1 + pick(customers) * spacing;
    const int64_t at = pick(40) == 0 ? kNullTime : kNow - pick(700) * kDay / (pick(2) + 1);
    d.orders.customer.push_back(customer);
    d.orders.at.push_back(at);
    d.orders.amount.push_back(std::ldexp(static_cast<double>(pick(1 << 20)), -7) + 0.1);  // sums that round
  }
  return d;
}

const char* const kExpressions[] = {
    R"(region = "华东" and has_tag("vip") and monetary > 300)",
    R"(industry in ("制造业", "Retail") and region = "华东" and has_tag("vip") and monetary > 100 and days_since(last_order_at) <= 90)",
    R"(has_tag("b2b") and (frequency >= 9 or score > 50))",
    R"(region is null and aov between 20 and 80)",
    R"(not has_tag("blocked") and mean_interpurchase_days < 60 and tenure_days > 300)",
    R"(recency_days <= 30)",
    R"(score > 90)",
    R"(frequency = 0 and region = "North")",
    R"(first_order_at is null or last_order_at < now() - 400d)",
    R"(rfm_segment = "Champions" and region = "华南")",
    R"(has_tag("vip") and value_tier = "high value")",
    R"(rfm_r >= 4 and rfm_f <= 2)",
};

std::vector<int64_t> Warm(const Data& d, std::string_view text) {
  CustomerFrame frame = d.customers;
  EXPECT_TRUE(AddOrderMetrics(d.orders, frame).ok());
  SegmentContext ctx;
  ctx.as_of = kNow;
  auto r = EvaluateSegment(*SegmentExpr::Parse(text), frame, ctx);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : std::vector<int64_t>{};
}

std::vector<int64_t> Cold(const Data& d, std::string_view text, int threads) {
  SegmentContext ctx;
  ctx.as_of = kNow;
  ctx.orders = &d.orders;
  ctx.threads = threads;
  auto r = EvaluateSegment(*SegmentExpr::Parse(text), d.customers, ctx);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : std::vector<int64_t>{};
}

TEST(SegmentFromOrders, EqualsAggregatingEveryoneFirst) {
  for (int64_t spacing : {int64_t{1}, int64_t{3}, int64_t{1'000'000'000'000}}) {
    const Data d = Generate(3000, spacing, 7 + spacing);
    for (const char* text : kExpressions) {
      std::vector<int64_t> warm = Warm(d, text);
      EXPECT_EQ(Cold(d, text, 1), warm) << text << " (spacing " << spacing << ")";
      EXPECT_EQ(Cold(d, text, 2), warm) << text << " (spacing " << spacing << ")";
    }
  }
}

TEST(SegmentFromOrders, TheFramesOwnMetricColumnsAreIgnored) {
  Data d = Generate(500, 1, 3);
  const std::vector<int64_t> expected = Warm(d, "monetary > 400");
  ASSERT_FALSE(expected.empty());
  d.customers.Add("monetary", NumberColumn{std::vector<double>(d.customers.rows(), 0.0)});
  EXPECT_EQ(Cold(d, "monetary > 400", 1), expected);
}

TEST(SegmentFromOrders, ErrorsAreTheWarmPathsAndNameTheProblem) {
  Data d = Generate(100, 1, 5);
  SegmentContext ctx;
  ctx.orders = &d.orders;
  auto no_now = EvaluateSegment(*SegmentExpr::Parse("recency_days < 5"), d.customers, ctx);
  EXPECT_EQ(no_now.status().message(), "as_of: required by recency_days (the time that counts as now)");
  ctx.as_of = kNow;
  auto unknown = EvaluateSegment(*SegmentExpr::Parse("monetery > 5"), d.customers, ctx);
  EXPECT_THAT(std::string(unknown.status().message()), ::testing::HasSubstr("did you mean \"monetary\"?"));
  d.orders.amount.pop_back();
  auto uneven = EvaluateSegment(*SegmentExpr::Parse("region = \"华东\" and monetary > 5"), d.customers, ctx);
  EXPECT_EQ(uneven.status().message(), "orders: columns differ in length (customer 800, at 800, amount 799)");
}

// From 16,384 rows on, the evaluator samples the operands of a top-level `and` and runs the cheapest
// and most selective first; members must be those of each operand alone, intersected.
TEST(SegmentEvaluation, LargeFramesReorderAndOperandsWithoutChangingMembers) {
  Data d = Generate(40000, 1, 13);
  ASSERT_TRUE(AddOrderMetrics(d.orders, d.customers).ok());
  const std::vector<std::string> operands = {
      R"(industry in ("制造业", "Retail"))", R"(region = "华东")", R"(has_tag("vip"))", "monetary > 200",
      "days_since(last_order_at) <= 90", "score > 20 or region is null"};
  SegmentContext ctx;
  ctx.as_of = kNow;
  for (int threads : {1, 2}) {
    ctx.threads = threads;
    std::vector<int64_t> expected = d.customers.ids;
    std::string all;
    for (const std::string& operand : operands) {
      auto alone = EvaluateSegment(*SegmentExpr::Parse(operand), d.customers, ctx);
      ASSERT_TRUE(alone.ok()) << alone.status();
      std::vector<int64_t> both;
      std::set_intersection(expected.begin(), expected.end(), alone->begin(), alone->end(), std::back_inserter(both));
      expected = both;
      all += (all.empty() ? "" : " and ") + ("(" + operand + ")");
      auto together = EvaluateSegment(*SegmentExpr::Parse(all), d.customers, ctx);
      ASSERT_TRUE(together.ok()) << together.status();
      EXPECT_EQ(*together, expected) << all;
    }
    EXPECT_GT(expected.size(), 0u);
  }
}

// AddOrderMetrics picks out a small frame's orders with one scan instead of aggregating everyone; it
// must give the same bits as the full aggregation, for any order of the rows.
TEST(AddOrderMetrics, FewCustomersGiveTheBitsOfTheFullAggregation) {
  for (int64_t spacing : {int64_t{1}, int64_t{1'000'000'000'000}}) {
    const Data d = Generate(2000, spacing, 11);
    CustomerFrame all = d.customers;
    ASSERT_TRUE(AddOrderMetrics(d.orders, all).ok());
    std::vector<uint32_t> rows;
    for (uint32_t r = 0; r < all.rows(); r += 97) rows.push_back(r);  // 21 of 2,000: fewer than 16,000 / 32
    CustomerFrame few = internal::SelectRows(d.customers, rows, {});
    ASSERT_TRUE(AddOrderMetrics(d.orders, few).ok());
    const CustomerFrame expected = internal::SelectRows(
        all, rows, {"frequency", "monetary", "aov", "first_order_at", "last_order_at", "mean_interpurchase_days"});
    ASSERT_EQ(few.columns.size(), expected.columns.size());
    for (const auto& [name, column] : expected.columns) {
      const Column* got = few.Find(name);
      ASSERT_NE(got, nullptr) << name;
      std::visit(
          [&](const auto& want) {
            using C = std::decay_t<decltype(want)>;
            if constexpr (std::is_same_v<C, NumberColumn> || std::is_same_v<C, TimeColumn>) {
              const auto& values = std::get<C>(*got).values;
              ASSERT_EQ(values.size(), want.values.size());
              EXPECT_EQ(std::memcmp(values.data(), want.values.data(), values.size() * sizeof(values[0])), 0) << name;
            }
          },
          column);
    }
  }
}

TEST(AddOrderMetrics, AFewCustomersWithoutOrdersGetZeroAndMissing) {
  CustomerFrame f;
  f.ids = {5, 7};
  OrderFrame o;
  for (int i = 0; i < 100; ++i) {
    o.customer.push_back(i % 2 == 0 ? 7 : 1000 + i);
    o.at.push_back(kNow - i * kDay);
    o.amount.push_back(1.5);
  }
  ASSERT_TRUE(AddOrderMetrics(o, f).ok());
  EXPECT_THAT(std::get<NumberColumn>(*f.Find("frequency")).values, ElementsAre(0, 50));
  EXPECT_THAT(std::get<NumberColumn>(*f.Find("monetary")).values, ElementsAre(0, 75));
  EXPECT_TRUE(std::isnan(std::get<NumberColumn>(*f.Find("aov")).values[0]));
  EXPECT_EQ(std::get<TimeColumn>(*f.Find("last_order_at")).values[0], kNullTime);
  EXPECT_EQ(std::get<TimeColumn>(*f.Find("first_order_at")).values[1], kNow - 98 * kDay);
  EXPECT_DOUBLE_EQ(std::get<NumberColumn>(*f.Find("mean_interpurchase_days")).values[1], 2.0);
}

}  // namespace
}  // namespace rapport
