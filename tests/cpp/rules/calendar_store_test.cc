// Named business calendars in the database: save, replace, look up (also inside a write
// transaction), list, drop; the change log; failed calls store nothing.
#include <nlohmann/json.hpp>

#include "db/facade_util.h"
#include "model/calendar_repository.h"
#include "test_util.h"

namespace rapport {
namespace {

using testing::At;
using testing::TestDb;

BusinessCalendarDef NineToFive(std::string zone) {
  BusinessCalendarDef def;
  def.time_zone = std::move(zone);
  for (int w = 0; w < 5; ++w) def.hours[w] = {{9 * 3600, 17 * 3600}};
  return def;
}

TEST(CalendarStoreTest, SaveGetListReplaceDrop) {
  TestDb t;
  const int64_t seq0 = t.db.LastChangeSeq();
  ASSERT_OK(t.db.SaveCalendar("berlin office", NineToFive("Europe/Berlin")));
  t.clock->Advance(absl::Hours(1));
  BusinessCalendarDef shanghai = NineToFive("Asia/Shanghai");
  shanghai.holidays = {{absl::CivilDay(2026, 10, 1), absl::CivilDay(2026, 10, 7)}};
  shanghai.working_days = {{absl::CivilDay(2026, 10, 10), std::nullopt, {}}};
  ASSERT_OK(t.db.SaveCalendar("上海", shanghai));

  ASSERT_OK_AND_ASSIGN(got, t.db.GetCalendar("上海"));
  EXPECT_EQ(got.def(), shanghai);
  EXPECT_TRUE(got.IsWorking(absl::FromCivil(absl::CivilSecond(2026, 10, 10, 10, 0, 0), absl::FixedTimeZone(8 * 3600))));
  ASSERT_OK_AND_ASSIGN(all, t.db.Calendars());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "berlin office");
  EXPECT_EQ(all[1].name, "上海");
  EXPECT_EQ(all[0].created_at, At(2025, 1, 1));
  EXPECT_EQ(all[1].created_at, At(2025, 1, 1, 1));

  // Replacing keeps created_at and logs an update with the definition before and after.
  t.clock->Advance(absl::Hours(1));
  ASSERT_OK(t.db.SaveCalendar("berlin office", NineToFive("Europe/Paris")));
  ASSERT_OK_AND_ASSIGN(paris, t.db.GetCalendar("berlin office"));
  EXPECT_EQ(paris.def().time_zone, "Europe/Paris");
  ASSERT_OK_AND_ASSIGN(all2, t.db.Calendars());
  EXPECT_EQ(all2[0].created_at, At(2025, 1, 1));
  EXPECT_EQ(all2[0].updated_at, At(2025, 1, 1, 2));

  ASSERT_OK(t.db.DropCalendar("上海"));
  EXPECT_ERROR(t.db.GetCalendar("上海"), absl::StatusCode::kNotFound, "calendar \"上海\": not found");

  ASSERT_OK_AND_ASSIGN(changes, t.db.Changes({.after_seq = seq0}));
  ASSERT_EQ(changes.size(), 4u);
  EXPECT_EQ(changes[0].entity, "calendar");
  EXPECT_EQ(changes[0].op, "create");
  const auto created = nlohmann::json::parse(changes[0].after);
  EXPECT_EQ(created["name"], "berlin office");
  EXPECT_EQ(created["definition"]["time_zone"], "Europe/Berlin");
  EXPECT_EQ(changes[2].op, "update");
  EXPECT_EQ(changes[2].entity_id, changes[0].entity_id);
  EXPECT_EQ(nlohmann::json::parse(changes[2].before)["definition"]["time_zone"], "Europe/Berlin");
  EXPECT_EQ(nlohmann::json::parse(changes[2].after)["definition"]["time_zone"], "Europe/Paris");
  EXPECT_EQ(changes[3].op, "delete");
  EXPECT_EQ(changes[3].entity_id, changes[1].entity_id);
  EXPECT_EQ(nlohmann::json::parse(changes[3].before)["name"], "上海");
}

TEST(CalendarStoreTest, FailedCallsStoreNothing) {
  TestDb t;
  ASSERT_OK(t.db.SaveCalendar("office", NineToFive("Europe/Berlin")));
  const int64_t seq = t.db.LastChangeSeq();
  BusinessCalendarDef bad = NineToFive("Europe/Atlantis");
  EXPECT_ERROR(t.db.SaveCalendar("office", bad), absl::StatusCode::kInvalidArgument,
               "time_zone: unknown time zone \"Europe/Atlantis\"");
  EXPECT_ERROR(t.db.SaveCalendar("office", BusinessCalendarDef{}), absl::StatusCode::kInvalidArgument,
               "hours: a calendar needs working time in at least one weekday");
  EXPECT_ERROR(t.db.SaveCalendar("  ", NineToFive("UTC")), absl::StatusCode::kInvalidArgument, "name: must not be empty");
  EXPECT_ERROR(t.db.SaveCalendar(std::string(101, 'x'), NineToFive("UTC")), absl::StatusCode::kInvalidArgument,
               "name: longer than 100 characters");
  EXPECT_ERROR(t.db.SaveCalendar("\xff", NineToFive("UTC")), absl::StatusCode::kInvalidArgument, "name:");
  EXPECT_ERROR(t.db.DropCalendar("nope"), absl::StatusCode::kNotFound, "calendar \"nope\": not found");
  EXPECT_EQ(t.db.LastChangeSeq(), seq);
  ASSERT_OK_AND_ASSIGN(still, t.db.GetCalendar("office"));
  EXPECT_EQ(still.def().time_zone, "Europe/Berlin");
  ASSERT_OK_AND_ASSIGN(all, t.db.Calendars());
  EXPECT_EQ(all.size(), 1u);
}

TEST(CalendarStoreTest, LookupInsideAWriteTransactionSeesUncommittedCalendars) {
  TestDb t;
  auto result = internal::Mutate(t.db.core(), Actor::System(), [&](const internal::WriteContext& ctx) -> absl::StatusOr<absl::Time> {
    auto cal = BusinessCalendar::Create(NineToFive("America/New_York"));
    if (!cal.ok()) return cal.status();
    if (absl::Status s = internal::StoreCalendar(ctx, "ny", *cal); !s.ok()) return s;
    auto loaded = internal::LoadCalendar(ctx.conn, "ny");
    if (!loaded.ok()) return loaded.status();
    return loaded->AddBusinessTime(At(2026, 3, 6, 21), absl::Hours(2));  // Fri 16:00 EST
  });
  ASSERT_OK(result);
  EXPECT_EQ(*result, At(2026, 3, 9, 14));  // Mon 10:00 EDT
}

TEST(CalendarStoreTest, SurvivesReopen) {
  const std::string path = ::testing::TempDir() + "/calendar_store_test.db";
  std::filesystem::remove(path);
  {
    auto db = Database::Open(path);
    ASSERT_OK(db);
    ASSERT_OK(db->SaveCalendar("office", NineToFive("Europe/Berlin")));
  }
  auto db = Database::Open(path);
  ASSERT_OK(db);
  ASSERT_OK_AND_ASSIGN(cal, db->GetCalendar("office"));
  EXPECT_EQ(cal.def(), NineToFive("Europe/Berlin"));
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace rapport
