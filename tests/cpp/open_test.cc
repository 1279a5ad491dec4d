#include <sqlite3.h>

#include <fstream>
#include <sstream>

#include "test_util.h"

namespace rapport::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(OpenTest, CreatesAndReopensAFile) {
  TempDir dir;
  const std::string path = dir.File("crm.db");
  CustomerId id;
  {
    ASSERT_OK_AND_ASSIGN(db, Database::Open(path));
    ASSERT_OK_AND_ASSIGN(c, db.CreateCustomer(Person("阿里巴巴网络技术有限公司")));
    id = c.id;
  }
  ASSERT_OK_AND_ASSIGN(db, Database::Open(path));
  ASSERT_OK_AND_ASSIGN(c, db.GetCustomer(id));
  EXPECT_EQ(c.name, "阿里巴巴网络技术有限公司");
  EXPECT_EQ(db.schema_version(), 4);
}

TEST(OpenTest, RefusesAForeignSqliteFileUntouched) {
  TempDir dir;
  const std::string path = dir.File("other.db");
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "CREATE TABLE t (x); INSERT INTO t VALUES (1);", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  const std::string before = ReadFile(path);
  EXPECT_ERROR(Database::Open(path), absl::StatusCode::kInvalidArgument, "not a Rapport database");
  EXPECT_EQ(ReadFile(path), before);
}

TEST(OpenTest, RefusesAFileThatIsNotSqlite) {
  TempDir dir;
  const std::string path = dir.File("notes.txt");
  { std::ofstream(path) << "these are not the droids you are looking for, this is plain text and long enough\n"; }
  const std::string before = ReadFile(path);
  EXPECT_ERROR(Database::Open(path), absl::StatusCode::kInvalidArgument, "not an SQLite database");
  EXPECT_EQ(ReadFile(path), before);
}

TEST(OpenTest, RefusesANewerSchema) {
  TempDir dir;
  const std::string path = dir.File("future.db");
  { ASSERT_OK(Database::Open(path)); }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  EXPECT_ERROR(Database::Open(path), absl::StatusCode::kFailedPrecondition, "schema version 99, newer than this Rapport");
}

TEST(OpenTest, MissingFileWithoutCreate) {
  TempDir dir;
  Options o;
  o.create_if_missing = false;
  EXPECT_ERROR(Database::Open(dir.File("none.db"), o), absl::StatusCode::kNotFound, "create_if_missing is off");
}

TEST(OpenTest, BadOptions) {
  Options o;
  o.default_region = "XX";
  EXPECT_ERROR(Database::Open(":memory:", o), absl::StatusCode::kInvalidArgument, "default_region");
  EXPECT_ERROR(Database::Open(""), absl::StatusCode::kInvalidArgument, "path");
  Options bad_actor;
  bad_actor.actor = Actor::User(UserId{-3});
  EXPECT_ERROR(Database::Open(":memory:", bad_actor), absl::StatusCode::kInvalidArgument, "actor");
}

TEST(OpenTest, ManualClockDrivesTimestamps) {
  TestDb t;
  ASSERT_OK_AND_ASSIGN(c, t.db.CreateCustomer(Person("Zhang Wei")));
  EXPECT_EQ(c.created_at, At(2025, 1, 1));
  t.clock->Advance(absl::Hours(5));
  ASSERT_OK_AND_ASSIGN(u, t.db.UpdateCustomer(c.id, CustomerPatch().Set("region", "华东")));
  EXPECT_EQ(u.updated_at, At(2025, 1, 1, 5));
  EXPECT_EQ(u.created_at, At(2025, 1, 1));
}

}  // namespace
}  // namespace rapport::testing

namespace rapport::testing {
namespace {

// Reading a customer's record and timeline, and purging, look rows up by customer: each such lookup
// must use an index (a missing one turned a 13 µs get into a 57 ms scan at 1M customers).
TEST(SchemaTest, PerCustomerLookupsUseIndexes) {
  TempDir dir;
  const std::string path = dir.File("plan.db");
  { ASSERT_OK(Database::Open(path)); }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  for (const char* table : {"contact_points", "customer_tags", "external_ids", "orders", "activities", "changes"}) {
    const std::string sql = std::string("EXPLAIN QUERY PLAN SELECT * FROM ") + table + " WHERE customer_id = 1";
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(raw, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(raw);
    std::string plan;
    while (sqlite3_step(st) == SQLITE_ROW) plan += reinterpret_cast<const char*>(sqlite3_column_text(st, 3));
    sqlite3_finalize(st);
    EXPECT_THAT(plan, ::testing::HasSubstr("USING")) << table << ": " << plan;
    EXPECT_THAT(plan, ::testing::Not(::testing::StartsWith("SCAN"))) << table << ": " << plan;
  }
  sqlite3_close(raw);
}

}  // namespace
}  // namespace rapport::testing
