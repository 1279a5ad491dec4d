#include "test_util.h"

namespace rapport::testing {
namespace {

TEST(TimelineTest, NewestFirstWithPaging) {
  TestDb t;
  ASSERT_OK_AND_ASSIGN(c, t.db.CreateCustomer(Person("Li Na")));
  ASSERT_OK_AND_ASSIGN(o1, t.db.AddOrder({c.id, Money{12900, "CNY"}, At(2025, 1, 3), "completed", "SO-1",
                                          {{"SKU-1", "茶叶", 2, 6450}}}));
  ASSERT_OK(t.db.AddActivity({c.id, ActivityKind::kCall, At(2025, 1, 5), UserId{3}, "interested", "called about renewal"}));
  ASSERT_OK(t.db.AddOrder({c.id, Money{500, "USD"}, At(2025, 2, 1)}));
  ASSERT_OK(t.db.AddActivity({c.id, ActivityKind::kNote, At(2024, 12, 31), std::nullopt, "", "first contact"}));
  ASSERT_OK_AND_ASSIGN(items, t.db.Timeline(c.id, {.include_items = true}));
  ASSERT_EQ(items.size(), 4u);
  EXPECT_TRUE(items[0].is_order());
  EXPECT_EQ(items[0].order().amount, (Money{500, "USD"}));
  EXPECT_EQ(items[1].activity().outcome, "interested");
  EXPECT_EQ(items[2].order().items[0].name, "茶叶");
  EXPECT_EQ(items[3].activity().text, "first contact");
  ASSERT_OK_AND_ASSIGN(older, t.db.Timeline(c.id, {.limit = 2, .before = At(2025, 1, 5)}));
  ASSERT_EQ(older.size(), 2u);
  EXPECT_EQ(older[0].order().id, o1.id);
  ASSERT_OK_AND_ASSIGN(got, t.db.GetOrder(o1.id));
  EXPECT_EQ(got.external_ref, "SO-1");
}

TEST(TimelineTest, BadOrdersAndActivities) {
  TestDb t;
  ASSERT_OK_AND_ASSIGN(c, t.db.CreateCustomer(Person("Li Na")));
  const int64_t seq = t.db.LastChangeSeq();
  EXPECT_ERROR(t.db.AddOrder({c.id, Money{1, "ABC"}, At(2025, 1, 1)}), absl::StatusCode::kInvalidArgument, "currency");
  EXPECT_ERROR(t.db.AddOrder({CustomerId{42}, Money{1, "CNY"}, At(2025, 1, 1)}), absl::StatusCode::kNotFound, "customer 42");
  EXPECT_ERROR(t.db.AddOrder({c.id, Money{1, "CNY"}, At(2025, 1, 1), "\xc3"}), absl::StatusCode::kInvalidArgument, "status");
  EXPECT_ERROR(t.db.AddActivity({c.id, ActivityKind::kCall, absl::InfiniteFuture()}), absl::StatusCode::kInvalidArgument, "at");
  EXPECT_EQ(t.db.LastChangeSeq(), seq);
  ASSERT_OK(t.db.AddOrder({c.id, Money{1, "CNY"}, At(2025, 1, 1), "completed", "X-1"}));
  EXPECT_ERROR(t.db.AddOrder({c.id, Money{1, "CNY"}, At(2025, 1, 1), "completed", "X-1"}), absl::StatusCode::kAlreadyExists,
               "external_ref");
  EXPECT_ERROR(t.db.Timeline(c.id, {.limit = -1}), absl::StatusCode::kInvalidArgument, "limit");
}

}  // namespace
}  // namespace rapport::testing

namespace rapport::testing {
namespace {

TEST(TimelineTest, OrdersAreSummariesUnlessItemsAreAsked) {
  TestDb t;
  ASSERT_OK_AND_ASSIGN(c, t.db.CreateCustomer(Person("Li Na")));
  ASSERT_OK(t.db.AddOrder({c.id, Money{1290, "CNY"}, At(2025, 1, 3), "completed", "", {{"SKU-1", "茶叶", 2, 645}}}));
  ASSERT_OK_AND_ASSIGN(summary, t.db.Timeline(c.id));
  EXPECT_TRUE(summary[0].order().items.empty());
  ASSERT_OK_AND_ASSIGN(full, t.db.Timeline(c.id, {.include_items = true}));
  ASSERT_EQ(full[0].order().items.size(), 1u);
  EXPECT_EQ(full[0].order().items[0].sku, "SKU-1");
  ASSERT_OK(t.db.DeleteCustomer(c.id));
  ASSERT_OK(t.db.PurgeCustomer(c.id));
  EXPECT_ERROR(t.db.Timeline(c.id), absl::StatusCode::kNotFound, "not found");
}

}  // namespace
}  // namespace rapport::testing
