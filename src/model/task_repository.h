// Tasks and their reminders in the store (table `tasks`). Every write logs its change (entity "task");
// callers provide the transaction. The rules engine creates tasks and claims reminders through these
// functions inside its own write transaction (tick).
#ifndef RAPPORT_MODEL_TASK_REPOSITORY_H_
#define RAPPORT_MODEL_TASK_REPOSITORY_H_

#include <optional>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "model/customer_repository.h"
#include "rapport/task.h"
#include "store/sqlite.h"

namespace rapport::internal {

// Checks of the arguments alone (no database): InvalidArgument naming the member.
absl::Status ValidateTaskDraft(const TaskDraft& draft);
absl::Status ValidateTaskPatch(const TaskPatch& patch);
absl::Status ValidateTaskQuery(const TaskQuery& query);
absl::Status ValidateTaskListQuery(const TaskListQuery& query);

// The filter a list stands for at `as_of`: open tasks of the owner/team due in a range.
TaskQuery TaskListFilter(const TaskListQuery& list, absl::Time as_of);

// The task's members as a JSON object (TaskToJson's form); change entries log subsets of it.
nlohmann::json TaskJsonObject(const Task& task);

absl::StatusOr<Task> LoadTask(Connection& conn, TaskId id);  // NotFound
// The statement FindTasks runs for `query` (tests read its query plan).
std::string FindTasksSql(const TaskQuery& query);
// The ids of the reminders due at ? (µs), as ClaimDueReminders reads them. The terms repeat the
// partial index's WHERE, and INDEXED BY keeps the planner from preferring tasks_status_due (every open
// task) when the table has no statistics.
inline constexpr char kDueRemindersSql[] =
    "SELECT id FROM tasks INDEXED BY tasks_pending_reminders WHERE status = 'open' AND reminded_at IS NULL "
    "AND remind_at IS NOT NULL AND remind_at <= ? ORDER BY remind_at, id";
absl::StatusOr<std::vector<Task>> FindTasks(Connection& conn, const TaskQuery& query);

// Validates the draft, checks its customer is live, stores it and logs "create".
absl::StatusOr<Task> CreateTask(const WriteContext& ctx, const TaskDraft& draft);
// Validates and applies the patch to an open task; logs "update" with the members that changed (a
// patch that changes nothing writes nothing and returns the task as it is).
absl::StatusOr<Task> UpdateTask(const WriteContext& ctx, TaskId id, const TaskPatch& patch);
// Moves an open task to done or cancelled; logs "complete" or "cancel".
absl::StatusOr<Task> CloseTask(const WriteContext& ctx, TaskId id, TaskStatus to,
                               std::optional<int64_t> expected_version);

// Marks every open task whose reminder is due (remind_at <= now) and has not fired as reminded
// (reminded_at = now, version bumped, one "remind" change each) and returns them ordered by
// (remind_at, id). Reads the partial index of pending reminders only, so it costs in proportion to the
// reminders that are due. Claiming again at the same `now` returns nothing.
absl::StatusOr<std::vector<Task>> ClaimDueReminders(const WriteContext& ctx, absl::Time now);

}  // namespace rapport::internal

#endif  // RAPPORT_MODEL_TASK_REPOSITORY_H_
