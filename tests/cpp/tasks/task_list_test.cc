// The due, overdue and upcoming lists: per owner and team, time zones, DST, index use.
#include "base/status_macros.h"
#include "db/facade_util.h"
#include "model/task_repository.h"
#include "test_util.h"

namespace rapport {
namespace {

using testing::At;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<std::string> Titles(const absl::StatusOr<std::vector<Task>>& tasks) {
  EXPECT_TRUE(tasks.ok()) << tasks.status();
  std::vector<std::string> out;
  if (tasks.ok())
    for (const Task& t : *tasks) out.push_back(t.title);
  return out;
}

absl::TimeZone Zone(const std::string& name) {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone(name, &tz)) << name << " (is tzdata installed?)";
  return tz;
}

class TaskListTest : public ::testing::Test {
 protected:
  TaskId Add(std::string title, std::optional<absl::Time> due, std::optional<UserId> owner = {},
             std::string team = "") {
    auto t = t_.db.CreateTask({.title = std::move(title), .owner = owner, .team = std::move(team), .due = due});
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? t->id : TaskId{};
  }
  std::vector<std::string> List(TaskListKind kind, absl::Time as_of, TaskListQuery q = {}) {
    q.kind = kind;
    q.as_of = as_of;
    return Titles(t_.db.TaskList(q));
  }
  testing::TestDb t_;
};

TEST_F(TaskListTest, DueOverdueUpcomingInUtc) {
  Add("last week", At(2025, 3, 3, 9));
  Add("this morning", At(2025, 3, 10, 8));
  Add("this afternoon", At(2025, 3, 10, 15));
  Add("tomorrow", At(2025, 3, 11, 9));
  Add("in a week", At(2025, 3, 17, 23, 59));
  Add("in eight days", At(2025, 3, 18, 0));
  Add("someday", std::nullopt);
  TaskId done = Add("done earlier", At(2025, 3, 10, 7));
  ASSERT_OK(t_.db.CompleteTask(done));
  const absl::Time noon = At(2025, 3, 10, 12);
  EXPECT_THAT(List(TaskListKind::kDue, noon), ElementsAre("this morning", "this afternoon"));
  EXPECT_THAT(List(TaskListKind::kOverdue, noon), ElementsAre("last week", "this morning"));
  EXPECT_THAT(List(TaskListKind::kUpcoming, noon),
              ElementsAre("this afternoon", "tomorrow", "in a week"));
  EXPECT_THAT(List(TaskListKind::kUpcoming, noon, {.days = 0}), ElementsAre("this afternoon"));
  EXPECT_THAT(List(TaskListKind::kDue, noon, {.window = absl::Hours(22)}), ElementsAre("this afternoon", "tomorrow"));
  // as_of defaults to the clock.
  t_.clock->Set(At(2025, 3, 11, 10));
  EXPECT_THAT(Titles(t_.db.TaskList({.kind = TaskListKind::kOverdue})),
              ElementsAre("last week", "this morning", "this afternoon", "tomorrow"));
}

TEST_F(TaskListTest, ListsPerOwnerAndPerTeam) {
  Add("ann's", At(2025, 3, 10, 9), UserId{1});
  Add("ann's for sales", At(2025, 3, 10, 10), UserId{1}, "sales");
  Add("bob's for sales", At(2025, 3, 10, 11), UserId{2}, "sales");
  Add("support's", At(2025, 3, 10, 12), std::nullopt, "support");
  const absl::Time evening = At(2025, 3, 10, 20);
  EXPECT_THAT(List(TaskListKind::kDue, evening, {.owner = UserId{1}}), ElementsAre("ann's", "ann's for sales"));
  EXPECT_THAT(List(TaskListKind::kDue, evening, {.team = "sales"}), ElementsAre("ann's for sales", "bob's for sales"));
  EXPECT_THAT(List(TaskListKind::kOverdue, evening, {.owner = UserId{2}, .team = "sales"}),
              ElementsAre("bob's for sales"));
  EXPECT_THAT(List(TaskListKind::kOverdue, evening, {.owner = UserId{2}, .team = "support"}), IsEmpty());
  EXPECT_THAT(List(TaskListKind::kDue, evening),
              ElementsAre("ann's", "ann's for sales", "bob's for sales", "support's"));
}

TEST_F(TaskListTest, TodayFollowsTheTimeZone) {
  // 2025-03-10 23:30 UTC is already 2025-03-11 07:30 in Shanghai.
  Add("utc evening", At(2025, 3, 10, 15));  // 23:00 in Shanghai
  Add("shanghai morning", At(2025, 3, 11, 1));
  const absl::Time t = At(2025, 3, 10, 23, 30);
  EXPECT_THAT(List(TaskListKind::kDue, t), ElementsAre("utc evening"));
  EXPECT_THAT(List(TaskListKind::kDue, t, {.zone = Zone("Asia/Shanghai")}), ElementsAre("shanghai morning"));
}

TEST_F(TaskListTest, UpcomingDaysAreLocalDaysAcrossDst) {
  // New York springs forward on 2025-03-09: that day has 23 hours. The upcoming list of 1 day from
  // 2025-03-08 12:00 local runs to 2025-03-10 00:00 local, which is 04:00 UTC (EDT), not 05:00.
  const absl::TimeZone ny = Zone("America/New_York");
  auto local = [&](int d, int h, int m = 0) { return absl::FromCivil(absl::CivilMinute(2025, 3, d, h, m), ny); };
  Add("sunday night", local(9, 23, 59));
  Add("monday first minute", local(10, 0, 0));
  EXPECT_EQ(local(10, 0), At(2025, 3, 10, 4));
  EXPECT_THAT(List(TaskListKind::kUpcoming, local(8, 12), {.zone = ny, .days = 1}), ElementsAre("sunday night"));
  EXPECT_THAT(List(TaskListKind::kDue, local(9, 1), {.zone = ny}), ElementsAre("sunday night"));
  EXPECT_THAT(List(TaskListKind::kDue, local(10, 1), {.zone = ny}), ElementsAre("monday first minute"));
}

TEST_F(TaskListTest, BadListQueriesAreRefused) {
  const auto inv = absl::StatusCode::kInvalidArgument;
  EXPECT_ERROR(t_.db.TaskList({.kind = static_cast<TaskListKind>(3)}), inv,
               "kind: 3 is not a list (due, overdue or upcoming)");
  EXPECT_ERROR(t_.db.TaskList({.kind = TaskListKind::kUpcoming, .days = -1}), inv, "days: must be between 0 and 3660");
  EXPECT_ERROR(t_.db.TaskList({.kind = TaskListKind::kOverdue, .window = absl::Hours(1)}), inv,
               "window: only the due list has a window");
  EXPECT_ERROR(t_.db.TaskList({.window = absl::ZeroDuration()}), inv, "window: must be positive and at most 3660 days");
  EXPECT_ERROR(t_.db.TaskList({.owner = UserId{-1}}), inv, "owner: a user id must be positive");
  EXPECT_ERROR(t_.db.TaskList({.limit = 100001}), inv, "limit: must be between 1 and 100000");
}

// The plan SQLite picks for a list, through the facade's read path.
std::string Plan(const Database& db, const std::string& sql) {
  auto plan = internal::Query(db.core(), [&](internal::Connection& conn,
                                             const internal::FieldSchema&) -> absl::StatusOr<std::string> {
    ASSIGN_OR_RETURN(internal::Statement st, conn.Prepare("EXPLAIN QUERY PLAN " + sql));
    std::string out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      out += st.Text(3) + "\n";
    }
    return out;
  });
  EXPECT_TRUE(plan.ok()) << plan.status();
  return plan.value_or("");
}

// The statements the lists and the reminder claim run, as the repository builds them.
TEST_F(TaskListTest, ListsAndRemindersReadTheirIndexes) {
  const absl::Time as_of = absl::FromUnixSeconds(1'700'000'000);
  auto list = [&](TaskListQuery q) { return Plan(t_.db, internal::FindTasksSql(internal::TaskListFilter(q, as_of))); };
  const std::string owner_due = list({.kind = TaskListKind::kDue, .owner = UserId{1}});
  EXPECT_THAT(owner_due, HasSubstr("INDEX tasks_owner_status_due (owner=? AND status=? AND due>? AND due<?)"));
  EXPECT_THAT(owner_due, ::testing::Not(HasSubstr("TEMP B-TREE")));
  EXPECT_THAT(list({.kind = TaskListKind::kOverdue, .team = "x"}),
              HasSubstr("INDEX tasks_team_status_due (team=? AND status=? AND due<?)"));
  EXPECT_THAT(list({.kind = TaskListKind::kOverdue}), HasSubstr("INDEX tasks_status_due (status=? AND due<?)"));
  EXPECT_THAT(Plan(t_.db, internal::FindTasksSql({.customer = CustomerId{3}})),
              HasSubstr("INDEX tasks_customer (customer_id=?)"));
  const std::string claim = Plan(t_.db, internal::kDueRemindersSql);
  EXPECT_THAT(claim, HasSubstr("USING INDEX tasks_pending_reminders (remind_at>? AND remind_at<?)"));
  EXPECT_THAT(claim, ::testing::Not(HasSubstr("TEMP B-TREE")));
}

}  // namespace
}  // namespace rapport
