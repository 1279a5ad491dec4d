#include <sqlite3.h>

#include "base/strings.h"
#include "test_util.h"

namespace rapport {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::At;
using testing::Person;
using testing::TestDb;

std::vector<int64_t> Ids(const std::vector<CustomerId>& v) {
  std::vector<int64_t> out;
  for (CustomerId id : v) out.push_back(ToInt(id));
  return out;
}

class SavedSegments : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"Ann", "Bob", "Cai", "Dan"}) {
      auto c = db().CreateCustomer(Person(name));
      ASSERT_TRUE(c.ok());
      ids_.push_back(c->id);
    }
  }
  Database& db() { return t_.db; }
  void Spend(int i, int64_t minor, absl::Time at) {
    ASSERT_TRUE(db().AddOrder(OrderDraft{.customer = ids_[i], .amount = Money{minor, "CNY"}, .ordered_at = at}).ok());
  }
  int64_t Id(int i) const { return ToInt(ids_[i]); }

  TestDb t_;
  std::vector<CustomerId> ids_;
};

TEST_F(SavedSegments, RefreshRecordsWhoEnteredAndLeftAndKeepsHistory) {
  ASSERT_TRUE(db().SaveSegment({.name = "高价值", .expression = "monetary >= 1000 and recency_days <= 30"}).ok());
  Spend(0, 150000, At(2025, 1, 1));
  Spend(1, 90000, At(2025, 1, 1));
  t_.clock->Set(At(2025, 1, 10));
  const int64_t seq_before = db().LastChangeSeq();
  auto d1 = db().RefreshSegment("高价值");
  ASSERT_TRUE(d1.ok()) << d1.status();
  EXPECT_THAT(Ids(d1->entered), ElementsAre(Id(0)));
  EXPECT_THAT(d1->left, IsEmpty());
  EXPECT_EQ(d1->members, 1);

  auto changes = db().Changes({.after_seq = seq_before});
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ((*changes)[0].entity, "segment");
  EXPECT_EQ((*changes)[0].op, "refresh");
  EXPECT_THAT((*changes)[0].after, ::testing::HasSubstr(StrCat("\"entered\":[", Id(0), "]")));

  Spend(1, 20000, At(2025, 1, 20));
  auto d2 = db().RefreshSegment("高价值", At(2025, 2, 5));  // Ann's order is 35 days old by now
  ASSERT_TRUE(d2.ok()) << d2.status();
  EXPECT_THAT(Ids(d2->entered), ElementsAre(Id(1)));
  EXPECT_THAT(Ids(d2->left), ElementsAre(Id(0)));

  auto now = db().SegmentMembers("高价值");
  ASSERT_TRUE(now.ok());
  EXPECT_THAT(Ids(*now), ElementsAre(Id(1)));
  auto then = db().SegmentMembers("高价值", At(2025, 1, 20));
  ASSERT_TRUE(then.ok());
  EXPECT_THAT(Ids(*then), ElementsAre(Id(0)));
  EXPECT_ERROR(db().SegmentMembers("高价值", At(2025, 1, 9)), absl::StatusCode::kFailedPrecondition,
               "as_of: the membership of \"高价值\" is known from 2025-01-10T00:00:00Z on");
  EXPECT_ERROR(db().RefreshSegment("高价值", At(2025, 2, 1)), absl::StatusCode::kInvalidArgument,
               "as_of: 2025-02-01T00:00:00Z is before the last refresh of \"高价值\" (2025-02-05T00:00:00Z)");
  auto saved = db().GetSegment("高价值");
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(saved->members, 1);
  EXPECT_EQ(saved->refreshed_at, At(2025, 2, 5));
}

TEST_F(SavedSegments, ListsSuppressionAndSetOperations) {
  ASSERT_TRUE(db().SaveSegment({.name = "vip", .kind = SegmentKind::kStatic}).ok());
  ASSERT_TRUE(db().SaveSegment({.name = "do not contact", .kind = SegmentKind::kSuppression}).ok());
  ASSERT_TRUE(db().AddToSegment("vip", {ids_[0], ids_[1], ids_[2]}).ok());
  ASSERT_TRUE(db().AddToSegment("do not contact", {ids_[1]}).ok());
  ASSERT_TRUE(db().SaveSegment({.name = "vip or dan", .expression = "in_segment(\"vip\") or name = \"Dan\""}).ok());
  auto d = db().RefreshSegment("vip or dan");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(Ids(d->entered), ElementsAre(Id(0), Id(2), Id(3)));  // Bob is suppressed
  // Set operations are expressions over saved segments.
  auto diff = db().Segment("in_segment(\"vip\") and not in_segment(\"do not contact\")");
  ASSERT_TRUE(diff.ok()) << diff.status();
  EXPECT_THAT(Ids(*diff), ElementsAre(Id(0), Id(2)));
  ASSERT_TRUE(db().RemoveFromSegment("vip", {ids_[0]}).ok());
  auto vip = db().SegmentMembers("vip");
  ASSERT_TRUE(vip.ok());
  EXPECT_THAT(Ids(*vip), ElementsAre(Id(1), Id(2)));
}

TEST_F(SavedSegments, BadDefinitionsAreRefusedAndNothingIsWritten) {
  ASSERT_TRUE(db().SaveSegment({.name = "a", .expression = "frequency > 1"}).ok());
  const int64_t seq = db().LastChangeSeq();
  EXPECT_ERROR(db().SaveSegment({.name = "b", .expression = "monetary >> 5"}), absl::StatusCode::kInvalidArgument,
               "expression: 1:11: expected an expression");
  EXPECT_ERROR(db().SaveSegment({.name = "b", .expression = "monetery > 5"}), absl::StatusCode::kInvalidArgument,
               "expression: 1:1: unknown field \"monetery\"; did you mean \"monetary\"?");
  EXPECT_ERROR(db().SaveSegment({.name = "b", .expression = "in_segment(\"zzz\")"}), absl::StatusCode::kNotFound,
               "expression: in_segment: no saved segment named \"zzz\"");
  ASSERT_TRUE(db().SaveSegment({.name = "b", .expression = "in_segment(\"a\")"}).ok());
  EXPECT_ERROR(db().SaveSegment({.name = "a", .expression = "in_segment(\"b\")"}), absl::StatusCode::kInvalidArgument,
               "expression: segments must not refer to themselves (a -> b -> a)");
  EXPECT_ERROR(db().SaveSegment({.name = "", .expression = "frequency > 1"}), absl::StatusCode::kInvalidArgument,
               "name: must not be empty");
  EXPECT_ERROR(db().SaveSegment({.name = "l", .kind = SegmentKind::kStatic, .expression = "frequency > 1"}),
               absl::StatusCode::kInvalidArgument, "expression: only dynamic segments have one (\"l\" is static)");
  EXPECT_ERROR(db().SaveSegment({.name = "a", .kind = SegmentKind::kStatic}), absl::StatusCode::kFailedPrecondition,
               "kind: segment \"a\" is dynamic; drop it to make it static");
  EXPECT_ERROR(db().DropSegment("a"), absl::StatusCode::kFailedPrecondition, "segment \"a\": used by segment \"b\"");
  EXPECT_ERROR(db().AddToSegment("a", {ids_[0]}), absl::StatusCode::kFailedPrecondition,
               "segment \"a\": dynamic; its members come from its expression");
  ASSERT_TRUE(db().SaveSegment({.name = "list", .kind = SegmentKind::kStatic}).ok());
  const int64_t seq2 = db().LastChangeSeq();
  EXPECT_ERROR(db().AddToSegment("list", {ids_[0], CustomerId{999}}), absl::StatusCode::kNotFound, "customer 999: not found");
  EXPECT_EQ(db().LastChangeSeq(), seq2);
  EXPECT_EQ(db().GetSegment("list")->members, 0);
  EXPECT_ERROR(db().RefreshSegment("list"), absl::StatusCode::kFailedPrecondition,
               "segment \"list\": a static list has no expression to refresh");
  EXPECT_ERROR(db().RefreshSegment("nope"), absl::StatusCode::kNotFound, "segment \"nope\": not found");
  EXPECT_EQ(db().SavedSegments()->size(), 3u);
  EXPECT_GT(seq2, seq);
}

TEST_F(SavedSegments, OrdersInSeveralCurrenciesNeedACurrencyChoice) {
  Spend(0, 500000, At(2024, 12, 1));
  ASSERT_TRUE(db().AddOrder(OrderDraft{.customer = ids_[1], .amount = Money{9000, "USD"}, .ordered_at = At(2024, 12, 2)}).ok());
  ASSERT_TRUE(db().SaveSegment({.name = "big", .expression = "monetary > 1000"}).ok());
  const int64_t seq = db().LastChangeSeq();
  EXPECT_ERROR(db().RefreshSegment("big"), absl::StatusCode::kFailedPrecondition,
               "currency: the orders use several currencies (CNY, USD); choose one in FrameOptions::currency");
  EXPECT_EQ(db().LastChangeSeq(), seq);
  // The segment remembers which orders count: every later refresh uses them.
  auto saved = db().SaveSegment({.name = "big", .expression = "monetary > 1000", .frame = {.currency = "CNY"}});
  ASSERT_TRUE(saved.ok()) << saved.status();
  EXPECT_EQ(saved->frame.currency, "CNY");
  EXPECT_EQ(db().GetSegment("big")->frame, (FrameOptions{.currency = "CNY"}));
  auto d = db().RefreshSegment("big");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(Ids(d->entered), ElementsAre(Id(0)));
  ASSERT_TRUE(db().SaveSegment({.name = "big", .expression = "monetary > 50",  // 90 USD
                                .frame = {.order_statuses = {"completed", "shipped"}, .currency = "USD"}}).ok());
  d = db().RefreshSegment("big");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(Ids(d->entered), ElementsAre(Id(1)));
  EXPECT_THAT(Ids(d->left), ElementsAre(Id(0)));
  EXPECT_EQ(db().GetSegment("big")->frame.order_statuses, (std::vector<std::string>{"completed", "shipped"}));
}

TEST_F(SavedSegments, FrameOptionsAreCheckedWhenSaved) {
  const int64_t seq = db().LastChangeSeq();
  EXPECT_ERROR(db().SaveSegment({.name = "a", .expression = "monetary > 1", .frame = {.order_statuses = {}}}),
               absl::StatusCode::kInvalidArgument, "frame.order_statuses: must name at least one status");
  EXPECT_ERROR(db().SaveSegment({.name = "a", .expression = "monetary > 1", .frame = {.order_statuses = {"completed", ""}}}),
               absl::StatusCode::kInvalidArgument, "frame.order_statuses: a status must not be empty");
  EXPECT_ERROR(db().SaveSegment({.name = "a", .expression = "monetary > 1", .frame = {.order_statuses = {"\xff"}}}),
               absl::StatusCode::kInvalidArgument, "frame.order_statuses: invalid UTF-8 at byte 0");
  EXPECT_ERROR(db().SaveSegment({.name = "a", .expression = "monetary > 1", .frame = {.currency = "XXQ"}}),
               absl::StatusCode::kInvalidArgument, "frame.currency: \"XXQ\" is not an ISO 4217 currency code (e.g. CNY, USD)");
  EXPECT_ERROR(db().SaveSegment({.name = "a", .kind = SegmentKind::kStatic, .frame = {.currency = "CNY"}}),
               absl::StatusCode::kInvalidArgument, "frame: only dynamic segments count orders (\"a\" is static)");
  EXPECT_EQ(db().LastChangeSeq(), seq);
  EXPECT_TRUE(db().SavedSegments()->empty());
}

TEST_F(SavedSegments, RefreshSegmentsFollowsReferences) {
  Spend(0, 500000, At(2024, 12, 1));
  ASSERT_TRUE(db().SaveSegment({.name = "buyers", .expression = "frequency >= 1"}).ok());
  ASSERT_TRUE(db().SaveSegment({.name = "a_big", .expression = "in_segment(\"buyers\") and monetary > 1000"}).ok());
  auto all = db().RefreshSegments();
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "buyers");
  EXPECT_EQ((*all)[1].name, "a_big");
  EXPECT_THAT(Ids((*all)[1].entered), ElementsAre(Id(0)));
}

}  // namespace
}  // namespace rapport

namespace rapport {
namespace {

TEST(SchemaMigration, VersionOneDatabasesGainSavedSegmentsAndClvTables) {
  testing::TempDir dir;
  const std::string path = dir.File("v1.rapport");
  {
    auto db = Database::Open(path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->CreateCustomer(testing::Person("Ann")).ok());
  }
  {  // Make it what schema version 1 left on disk.
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, "DROP TABLE tasks; DROP TABLE calendars; DROP TABLE outbox; DROP TABLE rule_cursor; DROP TABLE rule_runs; DROP TABLE rule_firings; DROP TABLE rules; "
                           "DROP TABLE settings; DROP TABLE lifecycle_history; DROP TABLE lifecycle_models; "
                           "DROP TABLE customer_scores; DROP TABLE clv_models; DROP TABLE segment_members; DROP TABLE segments; "
                           "PRAGMA user_version = 1", nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(raw);
  }
  auto db = Database::Open(path);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(db->schema_version(), 4);
  ASSERT_TRUE(db->SaveSegment({.name = "all", .expression = "name is not null"}).ok());
  auto d = db->RefreshSegment("all");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->members, 1);
  {  // Version 3's tables are there and empty.
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(raw, "SELECT 1 FROM clv_models; SELECT 1 FROM customer_scores; "
                           "SELECT 1 FROM lifecycle_models; SELECT 1 FROM lifecycle_history; SELECT 1 FROM tasks", nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(raw);
  }
}

}  // namespace
}  // namespace rapport
