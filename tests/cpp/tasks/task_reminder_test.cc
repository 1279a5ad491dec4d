// Reminders (claimed exactly once, in order, inside the caller's transaction), moving due times,
// purging customers, and a manual-clock scenario over simulated weeks.
#include <nlohmann/json.hpp>

#include "db/facade_util.h"
#include "model/task_repository.h"
#include "test_util.h"

namespace rapport {
namespace {

using testing::At;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Titles(const std::vector<Task>& tasks) {
  std::vector<std::string> out;
  for (const Task& t : tasks) out.push_back(t.title);
  return out;
}

// What the rules engine's tick does: claim inside its own write transaction.
absl::StatusOr<std::vector<Task>> ClaimInTick(Database& db, absl::Time now) {
  return internal::Mutate(db.core(), Actor::System("tick"), [&](const internal::WriteContext& ctx) {
    return internal::ClaimDueReminders(ctx, now);
  });
}

TEST(TaskReminders, ClaimedOnceInRemindAtThenIdOrder) {
  testing::TestDb t;
  auto add = [&](std::string title, std::optional<absl::Time> remind) {
    auto task = t.db.CreateTask({.title = std::move(title), .remind_at = remind});
    EXPECT_TRUE(task.ok()) << task.status();
    return task.ok() ? task->id : TaskId{};
  };
  add("b at 9", At(2025, 1, 2, 9));
  add("a at 8", At(2025, 1, 2, 8));
  add("c at 9", At(2025, 1, 2, 9));
  add("later", At(2025, 1, 3, 9));
  add("no reminder", std::nullopt);
  TaskId cancelled = add("cancelled", At(2025, 1, 2, 7));
  ASSERT_OK(t.db.CancelTask(cancelled));

  ASSERT_OK_AND_ASSIGN(none_yet, ClaimInTick(t.db, At(2025, 1, 2, 7, 59)));
  EXPECT_THAT(none_yet, IsEmpty());
  const int64_t seq = t.db.LastChangeSeq();
  ASSERT_OK_AND_ASSIGN(first, ClaimInTick(t.db, At(2025, 1, 2, 9)));
  EXPECT_THAT(Titles(first), ElementsAre("a at 8", "b at 9", "c at 9"));
  for (const Task& task : first) {
    EXPECT_EQ(task.reminded_at, At(2025, 1, 2, 9));
    EXPECT_EQ(task.version, 2);
    ASSERT_OK_AND_ASSIGN(stored, t.db.GetTask(task.id));
    EXPECT_EQ(TaskToJson(stored), TaskToJson(task));
  }
  ASSERT_OK_AND_ASSIGN(changes, t.db.Changes({.after_seq = seq}));
  ASSERT_EQ(changes.size(), 3u);
  for (const Change& c : changes) {
    EXPECT_EQ(c.entity, "task");
    EXPECT_EQ(c.op, "remind");
    EXPECT_EQ(c.origin, "tick");
    EXPECT_THAT(c.fields, ElementsAre("reminded_at"));
    EXPECT_EQ(nlohmann::json::parse(c.after)["reminded_at"], "2025-01-02T09:00:00Z");
  }
  ASSERT_OK_AND_ASSIGN(again, ClaimInTick(t.db, At(2025, 1, 2, 9)));
  EXPECT_THAT(again, IsEmpty());
  EXPECT_EQ(t.db.LastChangeSeq(), seq + 3);
  // The facade claims the same way (for hosts without rules).
  t.clock->Set(At(2025, 1, 4));
  ASSERT_OK_AND_ASSIGN(facade, t.db.ClaimTaskReminders());
  EXPECT_THAT(Titles(facade), ElementsAre("later"));
}

TEST(TaskReminders, AClaimRolledBackWithItsTransactionIsClaimedAgain) {
  testing::TestDb t;
  ASSERT_OK(t.db.CreateTask({.title = "x", .remind_at = At(2025, 1, 1, 1)}));
  absl::Status failed = internal::Mutate(t.db.core(), Actor::System(), [&](const internal::WriteContext& ctx) {
    auto claimed = internal::ClaimDueReminders(ctx, At(2025, 1, 1, 2));
    EXPECT_TRUE(claimed.ok() && claimed->size() == 1);
    return absl::InternalError("a later action failed");
  });
  EXPECT_EQ(failed.code(), absl::StatusCode::kInternal);
  ASSERT_OK_AND_ASSIGN(claimed, ClaimInTick(t.db, At(2025, 1, 1, 2)));
  EXPECT_THAT(Titles(claimed), ElementsAre("x"));
}

TEST(TaskReminders, ChangingRemindAtReArmsAndMovingDueMovesOnlyWhenAsked) {
  testing::TestDb t;
  ASSERT_OK_AND_ASSIGN(a, t.db.CreateTask({.title = "a", .due = At(2025, 1, 10, 10), .remind_at = At(2025, 1, 10, 9)}));
  ASSERT_OK_AND_ASSIGN(b, t.db.CreateTask({.title = "b", .due = At(2025, 1, 10, 10), .remind_at = At(2025, 1, 10, 9)}));
  // Due moves a day later: a's reminder follows (still an hour before), b's stays.
  ASSERT_OK_AND_ASSIGN(a2, t.db.UpdateTask(a.id, {.due = std::optional<absl::Time>(At(2025, 1, 11, 10)),
                                                  .move_reminder_with_due = true}));
  EXPECT_EQ(a2.remind_at, At(2025, 1, 11, 9));
  ASSERT_OK_AND_ASSIGN(b2, t.db.UpdateTask(b.id, {.due = std::optional<absl::Time>(At(2025, 1, 11, 10))}));
  EXPECT_EQ(b2.remind_at, At(2025, 1, 10, 9));
  ASSERT_OK_AND_ASSIGN(changes, t.db.Changes({}));
  EXPECT_THAT(changes[changes.size() - 2].fields, ElementsAre("due", "remind_at"));
  EXPECT_THAT(changes.back().fields, ElementsAre("due"));

  ASSERT_OK_AND_ASSIGN(fired, ClaimInTick(t.db, At(2025, 1, 10, 9)));
  EXPECT_THAT(Titles(fired), ElementsAre("b"));
  // A reminder that fired does not move with the due time.
  ASSERT_OK_AND_ASSIGN(b3, t.db.UpdateTask(b.id, {.due = std::optional<absl::Time>(At(2025, 1, 12, 10)),
                                                  .move_reminder_with_due = true}));
  EXPECT_EQ(b3.remind_at, At(2025, 1, 10, 9));
  EXPECT_EQ(b3.reminded_at, At(2025, 1, 10, 9));
  // Setting the same reminder time changes nothing; a new one re-arms.
  const int64_t seq = t.db.LastChangeSeq();
  ASSERT_OK_AND_ASSIGN(same, t.db.UpdateTask(b.id, {.remind_at = std::optional<absl::Time>(At(2025, 1, 10, 9))}));
  EXPECT_EQ(same.reminded_at, At(2025, 1, 10, 9));
  EXPECT_EQ(t.db.LastChangeSeq(), seq);
  ASSERT_OK_AND_ASSIGN(rearmed, t.db.UpdateTask(b.id, {.remind_at = std::optional<absl::Time>(At(2025, 1, 12, 9))}));
  EXPECT_FALSE(rearmed.reminded_at);
  ASSERT_OK_AND_ASSIGN(c, t.db.Changes({.after_seq = seq}));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_THAT(c[0].fields, ElementsAre("remind_at", "reminded_at"));
  ASSERT_OK_AND_ASSIGN(fired2, ClaimInTick(t.db, At(2025, 1, 12, 9)));
  EXPECT_THAT(Titles(fired2), ElementsAre("a", "b"));
  // A cleared reminder never fires.
  ASSERT_OK_AND_ASSIGN(d, t.db.CreateTask({.title = "d", .remind_at = At(2025, 1, 13)}));
  ASSERT_OK(t.db.UpdateTask(d.id, {.remind_at = std::optional<absl::Time>()}));
  ASSERT_OK_AND_ASSIGN(fired3, ClaimInTick(t.db, At(2025, 2, 1)));
  EXPECT_THAT(fired3, IsEmpty());
}

TEST(TaskCustomers, PurgeRemovesTasksAndRedactsTheirChangesSoftDeleteKeepsThem) {
  testing::TestDb t;
  ASSERT_OK_AND_ASSIGN(ann, t.db.CreateCustomer(testing::Person("Ann")));
  ASSERT_OK_AND_ASSIGN(bob, t.db.CreateCustomer(testing::Person("Bob")));
  ASSERT_OK_AND_ASSIGN(ann_task, t.db.CreateTask({.title = "Ring Ann about her divorce settlement", .customer = ann.id}));
  ASSERT_OK_AND_ASSIGN(bob_task, t.db.CreateTask({.title = "Ring Bob", .customer = bob.id}));
  ASSERT_OK(t.db.UpdateTask(ann_task.id, {.notes = "private"}));

  ASSERT_OK(t.db.DeleteCustomer(ann.id));
  ASSERT_OK_AND_ASSIGN(kept, t.db.GetTask(ann_task.id));
  EXPECT_EQ(kept.customer, ann.id);
  ASSERT_OK(t.db.RestoreCustomer(ann.id));

  ASSERT_OK(t.db.PurgeCustomer(ann.id));
  EXPECT_EQ(t.db.GetTask(ann_task.id).status().code(), absl::StatusCode::kNotFound);
  ASSERT_OK(t.db.GetTask(bob_task.id));
  ASSERT_OK_AND_ASSIGN(changes, t.db.Changes({}));
  int ann_task_entries = 0;
  for (const Change& c : changes) {
    if (c.entity != "task") continue;
    if (c.entity_id == ToInt(ann_task.id)) {
      ++ann_task_entries;
      EXPECT_EQ(c.before, "") << c.op;
      EXPECT_EQ(c.after, "") << c.op;
    } else {
      EXPECT_NE(c.after, "");
    }
  }
  EXPECT_EQ(ann_task_entries, 2);
}

// Tasks made over three simulated weeks; the lists as of several times; every reminder claimed
// exactly once by a daily tick.
TEST(TaskScenario, ThreeWeeksOnAManualClock) {
  testing::TestDb t;
  const absl::TimeZone utc = absl::UTCTimeZone();
  std::vector<std::string> reminded;
  auto tick = [&] {
    auto claimed = ClaimInTick(t.db, t.db.Now());
    ASSERT_TRUE(claimed.ok()) << claimed.status();
    for (const Task& task : *claimed) reminded.push_back(task.title);
  };
  // Each Monday at 09:00 a weekly review is due on Friday 17:00 with a reminder Friday 09:00.
  t.clock->Set(At(2025, 3, 3, 9));  // a Monday
  std::vector<TaskId> reviews;
  for (int week = 0; week < 3; ++week) {
    for (int day = 0; day < 7; ++day) {
      if (day == 0) {
        const absl::Time monday = t.db.Now();
        auto r = t.db.CreateTask({.title = absl::StrCat("review ", week + 1), .owner = UserId{1}, .team = "sales",
                                  .due = monday + absl::Hours(4 * 24 + 8), .remind_at = monday + absl::Hours(4 * 24)});
        ASSERT_TRUE(r.ok()) << r.status();
        reviews.push_back(r->id);
      }
      tick();
      t.clock->Advance(absl::Hours(24));
    }
    if (week == 0) ASSERT_OK(t.db.CompleteTask(reviews[0]));  // the others are left open
  }
  EXPECT_THAT(reminded, ElementsAre("review 1", "review 2", "review 3"));
  // Lists as of several times.
  auto titles = [&](TaskListKind kind, absl::Time as_of, int days = 7) {
    auto l = t.db.TaskList({.kind = kind, .owner = UserId{1}, .as_of = as_of, .zone = utc, .days = days});
    EXPECT_TRUE(l.ok()) << l.status();
    return l.ok() ? Titles(*l) : std::vector<std::string>{};
  };
  EXPECT_THAT(titles(TaskListKind::kOverdue, At(2025, 3, 24, 9)), ElementsAre("review 2", "review 3"));
  EXPECT_THAT(titles(TaskListKind::kOverdue, At(2025, 3, 14, 18)), ElementsAre("review 2"));
  EXPECT_THAT(titles(TaskListKind::kDue, At(2025, 3, 21, 8)), ElementsAre("review 3"));
  EXPECT_THAT(titles(TaskListKind::kUpcoming, At(2025, 3, 17, 9), 3), IsEmpty());
  EXPECT_THAT(titles(TaskListKind::kUpcoming, At(2025, 3, 17, 9), 4), ElementsAre("review 3"));
  // Ticking again at any later time claims nothing more.
  const int64_t seq = t.db.LastChangeSeq();
  tick();
  tick();
  EXPECT_EQ(reminded.size(), 3u);
  EXPECT_EQ(t.db.LastChangeSeq(), seq);
}

}  // namespace
}  // namespace rapport
