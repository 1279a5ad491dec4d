// Tasks: create, read, update, complete, cancel; validation with exact errors and nothing written.
#include <nlohmann/json.hpp>

#include "test_util.h"

namespace rapport {
namespace {

using testing::At;
using ::testing::ElementsAre;

std::vector<int64_t> Ids(const std::vector<Task>& tasks) {
  std::vector<int64_t> out;
  for (const Task& t : tasks) out.push_back(ToInt(t.id));
  return out;
}

class TaskTest : public ::testing::Test {
 protected:
  // Expects `result` to fail with exactly `code` and `message`, and the database to be unchanged.
  template <typename R>
  void ExpectRefused(const R& result, absl::StatusCode code, std::string_view message) {
    const absl::Status& s = testing::StatusOf(result);
    EXPECT_EQ(s.code(), code) << s;
    EXPECT_EQ(std::string(s.message()), std::string(message));
    EXPECT_EQ(t_.db.LastChangeSeq(), seq_before_);
  }
  void Mark() { seq_before_ = t_.db.LastChangeSeq(); }

  testing::TestDb t_;
  int64_t seq_before_ = 0;
};

TEST_F(TaskTest, CreateStoresEveryMemberAndLogsCreate) {
  ASSERT_OK_AND_ASSIGN(ann, t_.db.CreateCustomer(testing::Person("Ann")));
  TaskDraft d;
  d.title = "Call back about the quote";
  d.customer = ann.id;
  d.ref = TaskRef{TaskRefKind::kDeal, 77};
  d.owner = UserId{5};
  d.team = "sales-east";
  d.due = At(2025, 1, 3, 9);
  d.remind_at = At(2025, 1, 3, 8);
  d.priority = TaskPriority::kHigh;
  d.notes = "她想要折扣";
  d.created_by_rule = "follow-up";
  ASSERT_OK_AND_ASSIGN(task, t_.db.CreateTask(d));
  EXPECT_GT(ToInt(task.id), 0);
  EXPECT_EQ(task.status, TaskStatus::kOpen);
  EXPECT_EQ(task.version, 1);
  EXPECT_EQ(task.created_at, At(2025, 1, 1));

  ASSERT_OK_AND_ASSIGN(got, t_.db.GetTask(task.id));
  EXPECT_EQ(got.title, "Call back about the quote");
  EXPECT_EQ(got.customer, ann.id);
  EXPECT_EQ(got.ref, (TaskRef{TaskRefKind::kDeal, 77}));
  EXPECT_EQ(got.owner, UserId{5});
  EXPECT_EQ(got.team, "sales-east");
  EXPECT_EQ(got.due, At(2025, 1, 3, 9));
  EXPECT_EQ(got.remind_at, At(2025, 1, 3, 8));
  EXPECT_EQ(got.priority, TaskPriority::kHigh);
  EXPECT_EQ(got.notes, "她想要折扣");
  EXPECT_EQ(got.created_by_rule, "follow-up");
  EXPECT_FALSE(got.completed_at || got.cancelled_at || got.reminded_at);
  EXPECT_EQ(TaskToJson(got), TaskToJson(task));

  ASSERT_OK_AND_ASSIGN(changes, t_.db.Changes({}));
  const Change& c = changes.back();
  EXPECT_EQ(c.entity, "task");
  EXPECT_EQ(c.op, "create");
  EXPECT_EQ(c.entity_id, ToInt(task.id));
  EXPECT_THAT(c.fields, ElementsAre("title", "customer", "ref", "owner", "team", "due", "remind_at", "priority",
                                    "notes", "created_by_rule", "status"));
  auto after = nlohmann::json::parse(c.after);
  EXPECT_EQ(after["ref"], (nlohmann::json{{"kind", "deal"}, {"id", 77}}));
  EXPECT_EQ(after["due"], "2025-01-03T09:00:00Z");
  EXPECT_EQ(after["priority"], "high");
}

TEST_F(TaskTest, MinimalTaskHasDefaults) {
  ASSERT_OK_AND_ASSIGN(task, t_.db.CreateTask({.title = "Tidy the pipeline"}));
  EXPECT_EQ(task.priority, TaskPriority::kNormal);
  EXPECT_FALSE(task.customer || task.ref || task.owner || task.due || task.remind_at);
  EXPECT_EQ(task.team, "");
  EXPECT_EQ(task.created_by_rule, "");
  auto j = nlohmann::json::parse(TaskToJson(task));
  EXPECT_TRUE(j["team"].is_null());
  EXPECT_TRUE(j["created_by_rule"].is_null());
  EXPECT_EQ(j["status"], "open");
}

TEST_F(TaskTest, InvalidDraftsAreRefusedWithExactErrorsAndNothingWritten) {
  ASSERT_OK_AND_ASSIGN(gone, t_.db.CreateCustomer(testing::Person("Gone")));
  ASSERT_OK(t_.db.DeleteCustomer(gone.id));
  Mark();
  const auto inv = absl::StatusCode::kInvalidArgument;
  ExpectRefused(t_.db.CreateTask({.title = "  "}), inv, "title: must not be empty");
  ExpectRefused(t_.db.CreateTask({.title = "bad \xff"}), inv, "title: invalid UTF-8 at byte 4");
  ExpectRefused(t_.db.CreateTask({.title = std::string(501, 'x')}), inv, "title: longer than 500 characters");
  ExpectRefused(t_.db.CreateTask({.title = "t", .owner = UserId{0}}), inv, "owner: a user id must be positive");
  ExpectRefused(t_.db.CreateTask({.title = "t", .customer = CustomerId{-3}}), inv, "customer: an id must be positive");
  ExpectRefused(t_.db.CreateTask({.title = "t", .ref = TaskRef{TaskRefKind::kTicket, 0}}), inv,
                "ref.id: must be positive");
  ExpectRefused(t_.db.CreateTask({.title = "t", .ref = TaskRef{static_cast<TaskRefKind>(9), 1}}), inv,
                "ref.kind: 9 is not a record kind (lead, deal or ticket)");
  ExpectRefused(t_.db.CreateTask({.title = "t", .team = " sales"}), inv,
                "team: must not begin or end with white space");
  ExpectRefused(t_.db.CreateTask({.title = "t", .priority = static_cast<TaskPriority>(4)}), inv,
                "priority: 4 is not a priority (low, normal, high or urgent)");
  ExpectRefused(t_.db.CreateTask({.title = "t", .due = absl::InfiniteFuture()}), inv,
                "due: out of range (must be within 200,000 years of 1970)");
  ExpectRefused(t_.db.CreateTask({.title = "t", .notes = std::string(10001, 'n')}), inv,
                "notes: longer than 10000 characters");
  ExpectRefused(t_.db.CreateTask({.title = "t", .created_by_rule = std::string(101, 'r')}), inv,
                "created_by_rule: longer than 100 characters");
  ExpectRefused(t_.db.CreateTask({.title = "t", .customer = CustomerId{999}}), absl::StatusCode::kNotFound,
                "customer: customer 999 not found");
  ExpectRefused(t_.db.CreateTask({.title = "t", .customer = gone.id}), absl::StatusCode::kNotFound,
                absl::StrCat("customer: customer ", ToInt(gone.id), " not found (deleted)"));
  ASSERT_OK_AND_ASSIGN(all, t_.db.Tasks());
  EXPECT_TRUE(all.empty());
}

TEST_F(TaskTest, UpdateChangesMembersBumpsVersionAndLogsWhatChanged) {
  ASSERT_OK_AND_ASSIGN(ann, t_.db.CreateCustomer(testing::Person("Ann")));
  ASSERT_OK_AND_ASSIGN(task, t_.db.CreateTask({.title = "Send brochure", .owner = UserId{1}, .due = At(2025, 1, 5)}));
  t_.clock->Advance(absl::Hours(1));
  TaskPatch p;
  p.title = "Send the new brochure";
  p.customer = ann.id;
  p.owner = std::optional<UserId>();  // unassign
  p.team = "marketing";
  p.due = std::optional<absl::Time>();  // no due time any more
  p.priority = TaskPriority::kUrgent;
  p.expected_version = 1;
  ASSERT_OK_AND_ASSIGN(updated, t_.db.UpdateTask(task.id, p));
  EXPECT_EQ(updated.version, 2);
  EXPECT_EQ(updated.updated_at, At(2025, 1, 1, 1));
  ASSERT_OK_AND_ASSIGN(got, t_.db.GetTask(task.id));
  EXPECT_EQ(TaskToJson(got), TaskToJson(updated));
  EXPECT_EQ(got.title, "Send the new brochure");
  EXPECT_EQ(got.customer, ann.id);
  EXPECT_FALSE(got.owner);
  EXPECT_FALSE(got.due);
  EXPECT_EQ(got.team, "marketing");

  ASSERT_OK_AND_ASSIGN(changes, t_.db.Changes({}));
  const Change& c = changes.back();
  EXPECT_EQ(c.op, "update");
  EXPECT_THAT(c.fields, ElementsAre("customer", "due", "owner", "priority", "team", "title"));
  EXPECT_EQ(nlohmann::json::parse(c.before)["owner"], 1);
  EXPECT_TRUE(nlohmann::json::parse(c.after)["owner"].is_null());

  // A patch that changes nothing writes nothing.
  Mark();
  ASSERT_OK_AND_ASSIGN(same, t_.db.UpdateTask(task.id, {.title = "Send the new brochure"}));
  EXPECT_EQ(same.version, 2);
  EXPECT_EQ(t_.db.LastChangeSeq(), seq_before_);

  ExpectRefused(t_.db.UpdateTask(task.id, {.title = "x", .expected_version = 1}), absl::StatusCode::kAborted,
                absl::StrCat("task ", ToInt(task.id), " has version 2, not the expected 1"));
  ExpectRefused(t_.db.UpdateTask(task.id, {.title = ""}), absl::StatusCode::kInvalidArgument,
                "title: must not be empty");
  ExpectRefused(t_.db.UpdateTask(task.id, {.customer = std::optional<CustomerId>(CustomerId{404})}),
                absl::StatusCode::kNotFound, "customer: customer 404 not found");
  ExpectRefused(t_.db.UpdateTask(TaskId{9999}, {.title = "x"}), absl::StatusCode::kNotFound, "task 9999 not found");
  ASSERT_OK_AND_ASSIGN(unchanged, t_.db.GetTask(task.id));
  EXPECT_EQ(TaskToJson(unchanged), TaskToJson(updated));
}

TEST_F(TaskTest, CompleteAndCancelAreOneWayTransitions) {
  ASSERT_OK_AND_ASSIGN(a, t_.db.CreateTask({.title = "a"}));
  ASSERT_OK_AND_ASSIGN(b, t_.db.CreateTask({.title = "b"}));
  t_.clock->Advance(absl::Minutes(30));
  ASSERT_OK_AND_ASSIGN(done, t_.db.CompleteTask(a.id, 1));
  EXPECT_EQ(done.status, TaskStatus::kDone);
  EXPECT_EQ(done.completed_at, At(2025, 1, 1, 0, 30));
  EXPECT_FALSE(done.cancelled_at);
  EXPECT_EQ(done.version, 2);
  ASSERT_OK_AND_ASSIGN(cancelled, t_.db.CancelTask(b.id));
  EXPECT_EQ(cancelled.status, TaskStatus::kCancelled);
  EXPECT_EQ(cancelled.cancelled_at, At(2025, 1, 1, 0, 30));
  ASSERT_OK_AND_ASSIGN(changes, t_.db.Changes({}));
  ASSERT_GE(changes.size(), 2u);
  EXPECT_EQ(changes[changes.size() - 2].op, "complete");
  EXPECT_THAT(changes[changes.size() - 2].fields, ElementsAre("status", "completed_at"));
  EXPECT_EQ(nlohmann::json::parse(changes[changes.size() - 2].after)["status"], "done");
  EXPECT_EQ(changes.back().op, "cancel");

  Mark();
  const auto pre = absl::StatusCode::kFailedPrecondition;
  const std::string a_id = std::to_string(ToInt(a.id)), b_id = std::to_string(ToInt(b.id));
  ExpectRefused(t_.db.CompleteTask(a.id), pre, "status: task " + a_id + " is done; only open tasks can be completed");
  ExpectRefused(t_.db.CancelTask(a.id), pre, "status: task " + a_id + " is done; only open tasks can be cancelled");
  ExpectRefused(t_.db.CompleteTask(b.id), pre,
                "status: task " + b_id + " is cancelled; only open tasks can be completed");
  ExpectRefused(t_.db.UpdateTask(b.id, {.title = "again"}), pre,
                "status: task " + b_id + " is cancelled; only open tasks can be changed");
  ExpectRefused(t_.db.CompleteTask(TaskId{12345}), absl::StatusCode::kNotFound, "task 12345 not found");
  ASSERT_OK_AND_ASSIGN(c, t_.db.CreateTask({.title = "c"}));
  Mark();
  ExpectRefused(t_.db.CancelTask(c.id, 7), absl::StatusCode::kAborted,
                "task " + std::to_string(ToInt(c.id)) + " has version 1, not the expected 7");
}

TEST_F(TaskTest, QueryFiltersAndOrdersByDueThenId) {
  ASSERT_OK_AND_ASSIGN(ann, t_.db.CreateCustomer(testing::Person("Ann")));
  ASSERT_OK_AND_ASSIGN(t1, t_.db.CreateTask({.title = "1", .owner = UserId{1}, .due = At(2025, 1, 9)}));
  ASSERT_OK_AND_ASSIGN(t2, t_.db.CreateTask({.title = "2", .owner = UserId{1}}));
  ASSERT_OK_AND_ASSIGN(t3, t_.db.CreateTask({.title = "3", .owner = UserId{1}, .due = At(2025, 1, 2)}));
  ASSERT_OK_AND_ASSIGN(t4, t_.db.CreateTask({.title = "4", .customer = ann.id, .team = "ops", .due = At(2025, 1, 2)}));
  ASSERT_OK_AND_ASSIGN(t5, t_.db.CreateTask({.title = "5", .owner = UserId{2}, .team = "ops", .due = At(2025, 1, 5)}));
  ASSERT_OK(t_.db.CompleteTask(t5.id));

  ASSERT_OK_AND_ASSIGN(all, t_.db.Tasks());
  EXPECT_THAT(Ids(all), ElementsAre(ToInt(t3.id), ToInt(t4.id), ToInt(t5.id), ToInt(t1.id), ToInt(t2.id)));
  ASSERT_OK_AND_ASSIGN(mine, t_.db.Tasks({.owner = UserId{1}}));
  EXPECT_THAT(Ids(mine), ElementsAre(ToInt(t3.id), ToInt(t1.id), ToInt(t2.id)));
  ASSERT_OK_AND_ASSIGN(ops_open, t_.db.Tasks({.team = "ops", .statuses = {TaskStatus::kOpen}}));
  EXPECT_THAT(Ids(ops_open), ElementsAre(ToInt(t4.id)));
  ASSERT_OK_AND_ASSIGN(closed, t_.db.Tasks({.statuses = {TaskStatus::kDone, TaskStatus::kCancelled}}));
  EXPECT_THAT(Ids(closed), ElementsAre(ToInt(t5.id)));
  ASSERT_OK_AND_ASSIGN(anns, t_.db.Tasks({.customer = ann.id}));
  EXPECT_THAT(Ids(anns), ElementsAre(ToInt(t4.id)));
  ASSERT_OK_AND_ASSIGN(window, t_.db.Tasks({.due_after = At(2025, 1, 2), .due_before = At(2025, 1, 9)}));
  EXPECT_THAT(Ids(window), ElementsAre(ToInt(t3.id), ToInt(t4.id), ToInt(t5.id)));
  ASSERT_OK_AND_ASSIGN(first, t_.db.Tasks({.limit = 2}));
  EXPECT_THAT(Ids(first), ElementsAre(ToInt(t3.id), ToInt(t4.id)));

  EXPECT_ERROR(t_.db.Tasks({.limit = 0}), absl::StatusCode::kInvalidArgument, "limit: must be between 1 and 100000");
  EXPECT_ERROR(t_.db.Tasks({.team = ""}), absl::StatusCode::kInvalidArgument,
               "team: must not be empty (leave it unset for every team)");
  EXPECT_ERROR(t_.db.Tasks({.statuses = {static_cast<TaskStatus>(5)}}), absl::StatusCode::kInvalidArgument,
               "statuses: 5 is not a status (open, done or cancelled)");
}

TEST_F(TaskTest, EnumNamesRoundTripAndUnknownNamesAreErrors) {
  for (TaskPriority p : {TaskPriority::kLow, TaskPriority::kNormal, TaskPriority::kHigh, TaskPriority::kUrgent}) {
    EXPECT_EQ(*ParseTaskPriority(ToString(p)), p);
  }
  EXPECT_EQ(*ParseTaskStatus("cancelled"), TaskStatus::kCancelled);
  EXPECT_EQ(*ParseTaskRefKind("ticket"), TaskRefKind::kTicket);
  EXPECT_EQ(*ParseTaskListKind("upcoming"), TaskListKind::kUpcoming);
  EXPECT_EQ(std::string(ParseTaskRefKind("order").status().message()), "ref.kind: \"order\" is not one of lead, deal, ticket");
  EXPECT_EQ(std::string(ParseTaskPriority("URGENT").status().message()),
            "priority: \"URGENT\" is not one of low, normal, high, urgent");
}

}  // namespace
}  // namespace rapport
