#include "rapport/frame.h"

#include <cmath>

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

}  // namespace
}  // namespace rapport
