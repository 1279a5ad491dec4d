#include <sqlite3.h>

#include "test_util.h"

namespace rapport::testing {
namespace {

TEST(ChangeFeedTest, RecordsActorOriginFieldsBeforeAndAfter) {
  TestDb t;
  Database erp = t.db.WithActor(Actor::User(UserId{42}, "erp"));
  ASSERT_OK_AND_ASSIGN(c, erp.CreateCustomer(Person("Li Na").Set("region", "华东")));
  t.clock->Advance(absl::Minutes(1));
  ASSERT_OK(t.db.UpdateCustomer(c.id, CustomerPatch().Set("region", "华南")));
  ASSERT_OK_AND_ASSIGN(all, t.db.Changes({}));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].actor, UserId{42});
  EXPECT_EQ(all[0].origin, "erp");
  EXPECT_EQ(all[0].op, "create");
  EXPECT_EQ(all[0].entity, "customer");
  EXPECT_EQ(all[0].entity_id, ToInt(c.id));
  EXPECT_FALSE(all[1].actor.has_value());
  EXPECT_EQ(all[1].at, At(2025, 1, 1, 0, 1));
  EXPECT_EQ(all[1].fields, (std::vector<std::string>{"region"}));
  EXPECT_EQ(all[1].before, "{\"region\":\"华东\"}");
  EXPECT_EQ(all[1].after, "{\"region\":\"华南\"}");
  ASSERT_OK_AND_ASSIGN(not_erp, t.db.Changes({.exclude_origin = "erp"}));
  ASSERT_EQ(not_erp.size(), 1u);
  EXPECT_EQ(not_erp[0].seq, all[1].seq);
  ASSERT_OK_AND_ASSIGN(paged, t.db.Changes({.after_seq = all[0].seq, .limit = 1}));
  ASSERT_EQ(paged.size(), 1u);
  EXPECT_EQ(paged[0].seq, all[1].seq);
}

TEST(ChangeFeedTest, ConsumersKeepDurableCursors) {
  TempDir dir;
  const std::string path = dir.File("feed.db");
  {
    ASSERT_OK_AND_ASSIGN(db, Database::Open(path));
    ASSERT_OK(db.CreateConsumer("warehouse"));
    EXPECT_ERROR(db.CreateConsumer("warehouse"), absl::StatusCode::kAlreadyExists, "already exists");
    ASSERT_OK(db.CreateCustomer(Person("A")));
    ASSERT_OK(db.CreateCustomer(Person("B")));
    ASSERT_OK(db.AckConsumer("warehouse", 1));
    EXPECT_ERROR(db.AckConsumer("warehouse", 0), absl::StatusCode::kFailedPrecondition, "cannot move back");
    EXPECT_ERROR(db.AckConsumer("warehouse", 99), absl::StatusCode::kInvalidArgument, "past the last change");
  }
  ASSERT_OK_AND_ASSIGN(db, Database::Open(path));
  ASSERT_OK_AND_ASSIGN(cursor, db.ConsumerCursor("warehouse"));
  EXPECT_EQ(cursor, 1);
  ASSERT_OK_AND_ASSIGN(pending, db.Changes({.after_seq = cursor}));
  EXPECT_EQ(pending.size(), 1u);
  ASSERT_OK(db.DropConsumer("warehouse"));
  EXPECT_ERROR(db.ConsumerCursor("warehouse"), absl::StatusCode::kNotFound, "consumer \"warehouse\" not found");
}

TEST(ChangeFeedTest, TheLogIsAppendOnly) {
  TempDir dir;
  const std::string path = dir.File("log.db");
  {
    ASSERT_OK_AND_ASSIGN(db, Database::Open(path));
    ASSERT_OK(db.CreateCustomer(Person("A")));
  }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  char* err = nullptr;
  EXPECT_NE(sqlite3_exec(raw, "UPDATE changes SET op = 'x'", nullptr, nullptr, &err), SQLITE_OK);
  EXPECT_THAT(std::string(err ? err : ""), ::testing::HasSubstr("append-only"));
  sqlite3_free(err);
  EXPECT_NE(sqlite3_exec(raw, "DELETE FROM changes", nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(raw, "UPDATE changes SET before = NULL, after = NULL", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
}

}  // namespace
}  // namespace rapport::testing
