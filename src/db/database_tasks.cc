// Database: tasks and reminders.
#include "base/status_macros.h"
#include "db/facade_util.h"
#include "model/task_repository.h"
#include "rapport/database.h"

namespace rapport {

using internal::Connection;
using internal::FieldSchema;
using internal::WriteContext;

absl::StatusOr<Task> Database::CreateTask(const TaskDraft& draft) {
  RETURN_IF_ERROR(internal::ValidateTaskDraft(draft));
  return internal::Mutate(*core_, actor_, [&](const WriteContext& ctx) { return internal::CreateTask(ctx, draft); });
}

absl::StatusOr<Task> Database::GetTask(TaskId id) const {
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema&) { return internal::LoadTask(conn, id); });
}

absl::StatusOr<Task> Database::UpdateTask(TaskId id, const TaskPatch& patch) {
  RETURN_IF_ERROR(internal::ValidateTaskPatch(patch));
  return internal::Mutate(*core_, actor_,
                          [&](const WriteContext& ctx) { return internal::UpdateTask(ctx, id, patch); });
}

absl::StatusOr<Task> Database::CompleteTask(TaskId id, std::optional<int64_t> expected_version) {
  return internal::Mutate(*core_, actor_, [&](const WriteContext& ctx) {
    return internal::CloseTask(ctx, id, TaskStatus::kDone, expected_version);
  });
}

absl::StatusOr<Task> Database::CancelTask(TaskId id, std::optional<int64_t> expected_version) {
  return internal::Mutate(*core_, actor_, [&](const WriteContext& ctx) {
    return internal::CloseTask(ctx, id, TaskStatus::kCancelled, expected_version);
  });
}

absl::StatusOr<std::vector<Task>> Database::Tasks(const TaskQuery& query) const {
  RETURN_IF_ERROR(internal::ValidateTaskQuery(query));
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema&) { return internal::FindTasks(conn, query); });
}

absl::StatusOr<std::vector<Task>> Database::TaskList(const TaskListQuery& query) const {
  RETURN_IF_ERROR(internal::ValidateTaskListQuery(query));
  const TaskQuery filter = internal::TaskListFilter(query, query.as_of.value_or(Now()));
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema&) { return internal::FindTasks(conn, filter); });
}

absl::StatusOr<std::vector<Task>> Database::ClaimTaskReminders(std::optional<absl::Time> now) {
  return internal::Mutate(*core_, actor_, [&](const WriteContext& ctx) {
    return internal::ClaimDueReminders(ctx, now.value_or(ctx.now));
  });
}

}  // namespace rapport
