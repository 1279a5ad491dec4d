#include "rules/reminders.h"

#include "base/status_macros.h"
#include "base/strings.h"
#include "model/task_repository.h"
#include "rules/outbox_store.h"

namespace rapport::internal {

OutboxMessage ReminderMessage(const Task& task) {
  OutboxMessage m;
  m.channel = "reminder";
  if (task.owner) {
    m.recipient_kind = "owner";
    m.recipient = StrCat("user:", ToInt(*task.owner));
  } else if (!task.team.empty()) {
    m.recipient_kind = "team";
    m.recipient = StrCat("team:", task.team);
  } else {
    m.recipient_kind = "unassigned";
  }
  m.customer = task.customer;
  m.subject = StrCat("Reminder: ", task.title);
  m.body = TaskToJson(task);
  m.source = "reminder";
  m.occurrence = ToInt(task.id);
  return m;
}

absl::StatusOr<int64_t> DeliverDueReminders(const WriteContext& ctx) {
  ASSIGN_OR_RETURN(std::vector<Task> due, ClaimDueReminders(ctx, ctx.now));
  for (const Task& task : due) RETURN_IF_ERROR(InsertOutbox(ctx, ReminderMessage(task)).status());
  return static_cast<int64_t>(due.size());
}

}  // namespace rapport::internal
