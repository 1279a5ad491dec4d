// Task reminders that fell due, delivered through the outbox by the tick.
#ifndef RAPPORT_RULES_REMINDERS_H_
#define RAPPORT_RULES_REMINDERS_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "model/customer_repository.h"
#include "rapport/rule.h"
#include "rapport/task.h"

namespace rapport::internal {

// The outbox message a task's reminder becomes: channel "reminder", source "reminder", occurrence the
// task id; addressed to the task's owner ("owner", "user:<id>"), else its team ("team", "team:<key>"),
// else nobody ("unassigned", ""). The subject is "Reminder: <title>"; the body is the task's JSON.
OutboxMessage ReminderMessage(const Task& task);

// Claims the reminders due at ctx.now and writes one outbox message each; returns how many.
absl::StatusOr<int64_t> DeliverDueReminders(const WriteContext& ctx);

}  // namespace rapport::internal

#endif  // RAPPORT_RULES_REMINDERS_H_
