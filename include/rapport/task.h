// Tasks and reminders: work someone has to do (call a customer back, send a quote), with an owner or a
// team, a due time and an optional reminder. See docs/tasks.md.
#ifndef RAPPORT_TASK_H_
#define RAPPORT_TASK_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "rapport/types.h"

namespace rapport {

enum class TaskId : int64_t {};
inline int64_t ToInt(TaskId id) { return static_cast<int64_t>(id); }

// Values match the C ABI's rapport_task_priority.
enum class TaskPriority { kLow = 0, kNormal = 1, kHigh = 2, kUrgent = 3 };

// open -> done (CompleteTask) or open -> cancelled (CancelTask); closed tasks do not change again.
enum class TaskStatus { kOpen = 0, kDone = 1, kCancelled = 2 };

// The kind of record a task may refer to besides its customer. Leads, deals and tickets are later
// entities: the reference is stored as given (kind and a positive id) and not checked for existence.
enum class TaskRefKind { kLead = 1, kDeal = 2, kTicket = 3 };

struct TaskRef {
  TaskRefKind kind = TaskRefKind::kLead;
  int64_t id = 0;
  friend bool operator==(const TaskRef&, const TaskRef&) = default;
};

// A new task. Only `title` is required.
struct TaskDraft {
  std::string title;                   // non-empty, at most 500 characters
  std::optional<CustomerId> customer;  // must be a live (not deleted) customer
  std::optional<TaskRef> ref;
  std::optional<UserId> owner;         // a positive user id
  std::string team;                    // a team key, at most 100 characters; empty: none
  std::optional<absl::Time> due;
  std::optional<absl::Time> remind_at;
  TaskPriority priority = TaskPriority::kNormal;
  std::string notes;                   // at most 10,000 characters
  std::string created_by_rule;         // the automation rule that made it; empty: made by hand
};

// A task as stored.
struct Task {
  TaskId id{};
  std::string title;
  std::optional<CustomerId> customer;
  std::optional<TaskRef> ref;
  std::optional<UserId> owner;
  std::string team;
  std::optional<absl::Time> due;
  std::optional<absl::Time> remind_at;
  TaskPriority priority = TaskPriority::kNormal;
  std::string notes;
  std::string created_by_rule;
  TaskStatus status = TaskStatus::kOpen;
  absl::Time created_at;
  absl::Time updated_at;
  std::optional<absl::Time> completed_at;  // when it was done
  std::optional<absl::Time> cancelled_at;  // when it was cancelled
  std::optional<absl::Time> reminded_at;   // when its reminder was claimed; cleared when re-armed
  int64_t version = 0;                     // bumped by every change, reminders included
};

// Changes to an open task. A member left empty is not changed. Members that may be absent on a task
// take a nested optional: `patch.due = std::optional<absl::Time>()` clears the due time.
struct TaskPatch {
  std::optional<std::string> title;
  std::optional<std::optional<CustomerId>> customer;
  std::optional<std::optional<TaskRef>> ref;
  std::optional<std::optional<UserId>> owner;
  std::optional<std::string> team;  // "" clears
  std::optional<std::optional<absl::Time>> due;
  // A different reminder time re-arms the reminder (it fires again even if it fired before);
  // clearing it removes the reminder. The same time as stored changes nothing.
  std::optional<std::optional<absl::Time>> remind_at;
  std::optional<TaskPriority> priority;
  std::optional<std::string> notes;
  // When `due` moves from one time to another and `remind_at` is not in the patch, a reminder that has
  // not fired yet moves by the same amount (a reminder "one hour before" stays one hour before).
  // Without it the reminder stays where it is.
  bool move_reminder_with_due = false;
  // The update fails with Aborted (and changes nothing) unless the task still has this version.
  std::optional<int64_t> expected_version;
};

// A filter over all tasks (any status unless `statuses` says otherwise). Results are ordered by due
// time (tasks without one last), then id.
struct TaskQuery {
  std::optional<UserId> owner;
  std::optional<std::string> team;
  std::optional<CustomerId> customer;
  std::vector<TaskStatus> statuses;       // empty: every status
  std::optional<absl::Time> due_after;    // due >= due_after
  std::optional<absl::Time> due_before;   // due < due_before
  int limit = 1000;                       // 1 ..= 100,000
};

// The lists people work from. Each holds open tasks only, of `owner` and/or `team` when given (both:
// both must match; neither: everyone's), ordered by due time, then id.
enum class TaskListKind {
  // Due on the local calendar day of `as_of` in `zone` (a task due earlier that day is also overdue),
  // or, with `window`, due in [as_of, as_of + window).
  kDue = 0,
  // Due before `as_of`.
  kOverdue = 1,
  // Due from `as_of` up to the end of the local day `days` days after the day of `as_of` (days = 0:
  // the rest of today; 7: the rest of today and the next seven days). Days follow `zone`, so a day
  // with a DST change is 23 or 25 hours long.
  kUpcoming = 2,
};

struct TaskListQuery {
  TaskListKind kind = TaskListKind::kDue;
  std::optional<UserId> owner;
  std::optional<std::string> team;
  std::optional<absl::Time> as_of;              // default: the database clock's now
  absl::TimeZone zone = absl::UTCTimeZone();
  std::optional<absl::Duration> window;         // kDue only; positive
  int days = 7;                                 // kUpcoming only; 0 ..= 3,660
  int limit = 1000;                             // 1 ..= 100,000
};

std::string_view ToString(TaskPriority priority);
std::string_view ToString(TaskStatus status);
std::string_view ToString(TaskRefKind kind);
std::string_view ToString(TaskListKind kind);
// Parse the names ToString gives ("low", "open", "deal", "overdue", ...); InvalidArgument naming
// `field` otherwise.
absl::StatusOr<TaskPriority> ParseTaskPriority(std::string_view text, std::string_view field = "priority");
absl::StatusOr<TaskStatus> ParseTaskStatus(std::string_view text, std::string_view field = "status");
absl::StatusOr<TaskRefKind> ParseTaskRefKind(std::string_view text, std::string_view field = "ref.kind");
absl::StatusOr<TaskListKind> ParseTaskListKind(std::string_view text, std::string_view field = "kind");

// The task as one JSON object (times in RFC 3339 UTC, absent members null), the form the C ABI, the
// CLI and the change feed's readers see.
std::string TaskToJson(const Task& task);

}  // namespace rapport

#endif  // RAPPORT_TASK_H_
