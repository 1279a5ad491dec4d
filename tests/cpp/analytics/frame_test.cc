#include "rapport/frame.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <string>

#include "gtest/gtest.h"

namespace rapport {
namespace {

TEST(StringDictionary, InternsOnceAndSurvivesMovesAndCopies) {
  StringDictionary d;
  EXPECT_EQ(d.Intern("华东"), 0);
  EXPECT_EQ(d.Intern("Retail"), 1);
  EXPECT_EQ(d.Intern("华东"), 0);
  EXPECT_EQ(d.Find("retail"), -1);
  StringDictionary moved = std::move(d);
  EXPECT_EQ(moved.Find("Retail"), 1);
  EXPECT_EQ(d.size(), 0);
  EXPECT_EQ(d.Intern("x"), 0);
  StringDictionary copy = moved;
  EXPECT_EQ(copy.Intern("new"), 2);
  EXPECT_EQ(moved.Find("new"), -1);
  EXPECT_EQ(copy.at(0), "华东");
  std::vector<StringDictionary> many(3);
  many[1].Intern("a");
  many.resize(100);  // reallocation moves every dictionary
  EXPECT_EQ(many[1].Find("a"), 0);
}

TEST(SetColumn, SortsAndDeduplicatesEachRow) {
  SetColumn tags;
  tags.Append({"vip", "b2b", "vip"});
  tags.Append({});
  ASSERT_EQ(tags.offsets, (std::vector<uint32_t>{0, 2, 2}));
  EXPECT_EQ(tags.codes.ToVector(), (std::vector<int32_t>{0, 1}));
}

TEST(CategoryCodes, AreAsNarrowAsTheirValuesAndWidenWhenOneDoesNotFit) {
  CategoryCodes codes;
  codes.push_back(0);
  codes.push_back(CategoryCodes::kNull);
  codes.push_back(254);
  EXPECT_EQ(codes.width(), 1);
  codes.push_back(255);  // 255 is the one-byte null: two bytes from here
  EXPECT_EQ(codes.width(), 2);
  EXPECT_EQ(codes.ToVector(), (std::vector<int32_t>{0, -1, 254, 255}));
  codes.Set(1, 65534);
  EXPECT_EQ(codes.width(), 2);
  codes.Set(2, 65535);
  EXPECT_EQ(codes.width(), 4);
  EXPECT_EQ(codes.ToVector(), (std::vector<int32_t>{0, 65534, 65535, 255}));
  codes.resize(6);
  EXPECT_EQ(codes[5], CategoryCodes::kNull);

  std::vector<int32_t> small{3, -1, 7};
  CategoryCodes assigned(small.begin(), small.end());
  EXPECT_EQ(assigned.width(), 1);
  EXPECT_EQ(assigned.ToVector(), small);
  std::vector<int32_t> invalid{3, -2};  // kept as given, for validation to report
  assigned.assign(invalid.begin(), invalid.end());
  EXPECT_EQ(assigned.width(), 4);
  EXPECT_EQ(assigned.ToVector(), invalid);
  EXPECT_EQ(CategoryCodes(small.begin(), small.end()), CategoryCodes(small.begin(), small.end()));
}

TEST(TextColumn, ReplacesRowsInPlaceOrApartAndCompacts) {
  TextColumn t;
  for (auto v : {"Ann", "Bob", "Cai"}) t.Append(std::string_view(v));
  t.Replace(0, "Amy");  // same length
  t.Replace(1, "Roberto");
  t.Replace(2, std::nullopt);  // marked missing where it is
  EXPECT_EQ(t.moved.size(), 1u);
  EXPECT_EQ(t.Get(0), "Amy");
  EXPECT_EQ(t.Get(1), "Roberto");
  EXPECT_EQ(t.Get(2), std::nullopt);
  t.Replace(2, "Cy");
  t.Compact();
  EXPECT_TRUE(t.moved.empty());
  EXPECT_EQ(t.chars, "AmyRobertoCy");
  EXPECT_EQ(t.Get(1), "Roberto");
  EXPECT_EQ(t.Get(2), "Cy");
}

TEST(SetColumn, ReplacesRowsInPlaceOrApartAndCompacts) {
  SetColumn s;
  s.Append({"a", "b"});
  s.Append({"c"});
  s.Append({});
  const int32_t d = s.dictionary.Intern("d");
  const std::vector<int32_t> one_more{0, 1, d}, other{d};
  s.Replace(0, one_more);
  s.Replace(1, other);  // same size: in place
  EXPECT_EQ(s.moved.size(), 1u);
  EXPECT_EQ(s.Codes(0), one_more);
  EXPECT_EQ(s.Values(1), (std::vector<std::string_view>{"d"}));
  EXPECT_TRUE(s.Empty(2));
  EXPECT_FALSE(s.Empty(0));
  s.Compact();
  EXPECT_TRUE(s.moved.empty());
  EXPECT_EQ(s.offsets, (std::vector<uint32_t>{0, 3, 4, 4}));
  EXPECT_EQ(s.codes.ToVector(), (std::vector<int32_t>{0, 1, d, d}));
}

TEST(CustomerFrame, FindsRowsOfDenseSparseAndSkewedIds) {
  CustomerFrame f;
  for (int64_t i = 1; i <= 5000; ++i) f.ids.push_back(i % 7 == 0 ? i * 3 : i * 2);  // gaps
  std::sort(f.ids.begin(), f.ids.end());
  f.ids.erase(std::unique(f.ids.begin(), f.ids.end()), f.ids.end());
  f.ids.push_back(int64_t{1} << 60);  // one far outlier skews any guess
  for (size_t r = 0; r < f.ids.size(); ++r) ASSERT_EQ(f.RowOf(f.ids[r]), static_cast<int64_t>(r));
  EXPECT_EQ(f.RowOf(1), -1);
  EXPECT_EQ(f.RowOf(3), -1);
  EXPECT_EQ(f.RowOf(-5), -1);
  EXPECT_EQ(f.RowOf((int64_t{1} << 60) + 1), -1);
  EXPECT_EQ(CustomerFrame().RowOf(1), -1);
}

TEST(CustomerFrame, ReportsArraysApartFromStrings) {
  CustomerFrame f;
  CategoryColumn region;
  TextColumn name;
  SetColumn tags;
  for (int i = 0; i < 1000; ++i) {
    f.ids.push_back(i + 1);
    region.Append(i % 2 ? "华东" : "华南");
    name.Append("customer " + std::to_string(i));
    tags.Append({"vip"});
  }
  f.Add("region", std::move(region));
  f.Add("name", std::move(name));
  f.Add("tags", std::move(tags));
  f.Add("score", NumberColumn{std::vector<double>(1000, 1.0)});
  f.ShrinkToFit();
  const FrameBytes b = f.ByteBreakdown();
  // ids 8, region code 1, name offsets 4 and a presence bit, tag offset 4 and code 1, score 8.
  const auto& names = std::get<TextColumn>(*f.Find("name"));
  const size_t offsets = 4 * 1001;
  EXPECT_EQ(b.arrays, 1000 * 8 + 1000 + offsets + names.present.capacity() / 8 + offsets + 1000 + 1000 * 8);
  EXPECT_GE(b.strings, names.chars.size() + std::string("华东华南vip").size());
  EXPECT_LT(b.strings, names.chars.size() + 1024);
  EXPECT_EQ(f.bytes(), b.total());
  EXPECT_EQ(ColumnBytes(*f.Find("score")).strings, 0u);
}

TEST(OrderMetrics, AggregatesPerCustomerFromUnsortedOrders) {
  CustomerFrame f;
  f.ids = {1, 2, 3};
  OrderFrame o;
  o.customer = {3, 1, 3, 3};
  o.at = {30 * kMicrosPerDay, 5, 10 * kMicrosPerDay, 20 * kMicrosPerDay};
  o.amount = {10.0, 7.5, 20.0, 30.0};
  o.customer.push_back(99);  // not in the frame
  o.at.push_back(1);
  o.amount.push_back(1000);
  ASSERT_TRUE(AddOrderMetrics(o, f).ok());
  const auto& freq = std::get<NumberColumn>(*f.Find("frequency")).values;
  const auto& mon = std::get<NumberColumn>(*f.Find("monetary")).values;
  const auto& aov = std::get<NumberColumn>(*f.Find("aov")).values;
  const auto& gap = std::get<NumberColumn>(*f.Find("mean_interpurchase_days")).values;
  const auto& last = std::get<TimeColumn>(*f.Find("last_order_at")).values;
  EXPECT_EQ(freq, (std::vector<double>{1, 0, 3}));
  EXPECT_EQ(mon, (std::vector<double>{7.5, 0, 60}));
  EXPECT_DOUBLE_EQ(aov[2], 20.0);
  EXPECT_TRUE(std::isnan(aov[1]));
  EXPECT_TRUE(std::isnan(gap[0]));
  EXPECT_DOUBLE_EQ(gap[2], 10.0);
  EXPECT_EQ(last, (std::vector<int64_t>{5, kNullTime, 30 * kMicrosPerDay}));
  EXPECT_EQ(f.RowOf(3), 2);
  OrderFrame ragged = o;
  ragged.amount.pop_back();
  EXPECT_EQ(AddOrderMetrics(ragged, f).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(f.RowOf(4), -1);
}

// Sort puts rows in (customer, at) order with ties in row order, for dense and for spread-out ids.
TEST(OrderFrame, SortIsStableByCustomerThenTime) {
  for (int64_t spacing : {int64_t{1}, int64_t{1'000'000'007}}) {
    std::mt19937_64 rng(spacing);
    OrderFrame o;
    for (int i = 0; i < 5000; ++i) {
      o.customer.push_back(static_cast<int64_t>(rng() % 300) * spacing);
      o.at.push_back(rng() % 7 == 0 ? kNullTime : static_cast<int64_t>(rng() % 20) * kMicrosPerDay);
      o.amount.push_back(i);  // the original row, to see the tie order
    }
    std::vector<size_t> order(o.rows());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return o.customer[a] != o.customer[b] ? o.customer[a] < o.customer[b] : o.at[a] < o.at[b];
    });
    ASSERT_FALSE(o.IsSorted());
    OrderFrame sorted = o;
    sorted.Sort();
    ASSERT_EQ(sorted.rows(), o.rows());
    for (size_t i = 0; i < order.size(); ++i) {
      ASSERT_EQ(sorted.amount[i], static_cast<double>(order[i])) << "row " << i << ", spacing " << spacing;
      ASSERT_EQ(sorted.customer[i], o.customer[order[i]]);
      ASSERT_EQ(sorted.at[i], o.at[order[i]]);
    }
    EXPECT_TRUE(sorted.IsSorted());
    OrderFrame again = sorted;
    again.Sort();
    EXPECT_EQ(again.amount, sorted.amount);
  }
}

}  // namespace
}  // namespace rapport
