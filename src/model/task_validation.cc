// Checks of task drafts, patches and queries that need no database.
#include "base/status_macros.h"
#include "base/strings.h"
#include "base/text.h"
#include "model/task_repository.h"

namespace rapport::internal {
namespace {

constexpr size_t kMaxTitleChars = 500;
constexpr size_t kMaxKeyChars = 100;  // team keys and rule names
constexpr size_t kMaxNotesChars = 10000;
constexpr int kMaxLimit = 100000;
constexpr int kMaxUpcomingDays = 3660;

// Stored times are int64 microseconds; anything beyond about ±292,000 years does not fit.
constexpr absl::Duration kTimeBound = absl::Hours(24 * 365 * 200000LL);

absl::Status CheckText(std::string_view field, std::string_view text, size_t max_chars) {
  RETURN_IF_ERROR(CheckUtf8(field, text));
  if (CodePointCount(text) > max_chars) {
    return absl::InvalidArgumentError(StrCat(field, ": longer than ", max_chars, " characters"));
  }
  return absl::OkStatus();
}

absl::Status CheckTitle(std::string_view title) {
  RETURN_IF_ERROR(CheckText("title", title, kMaxTitleChars));
  if (StripWhitespace(title).empty()) return absl::InvalidArgumentError("title: must not be empty");
  return absl::OkStatus();
}

// Empty means none; otherwise no surrounding spaces, so that "sales" and "sales " are not two teams.
absl::Status CheckKey(std::string_view field, std::string_view key) {
  RETURN_IF_ERROR(CheckText(field, key, kMaxKeyChars));
  if (StripWhitespace(key).size() != key.size()) {
    return absl::InvalidArgumentError(StrCat(field, ": must not begin or end with white space"));
  }
  return absl::OkStatus();
}

absl::Status CheckTime(std::string_view field, const std::optional<absl::Time>& t) {
  if (t && (*t < absl::UnixEpoch() - kTimeBound || *t > absl::UnixEpoch() + kTimeBound)) {
    return absl::InvalidArgumentError(StrCat(field, ": out of range (must be within 200,000 years of 1970)"));
  }
  return absl::OkStatus();
}

absl::Status CheckRef(const std::optional<TaskRef>& ref) {
  if (!ref) return absl::OkStatus();
  const int kind = static_cast<int>(ref->kind);
  if (kind < static_cast<int>(TaskRefKind::kLead) || kind > static_cast<int>(TaskRefKind::kTicket)) {
    return absl::InvalidArgumentError(StrCat("ref.kind: ", kind, " is not a record kind (lead, deal or ticket)"));
  }
  if (ref->id <= 0) return absl::InvalidArgumentError("ref.id: must be positive");
  return absl::OkStatus();
}

absl::Status CheckPriority(TaskPriority p) {
  const int v = static_cast<int>(p);
  if (v < 0 || v > static_cast<int>(TaskPriority::kUrgent)) {
    return absl::InvalidArgumentError(StrCat("priority: ", v, " is not a priority (low, normal, high or urgent)"));
  }
  return absl::OkStatus();
}

absl::Status CheckOwner(const std::optional<UserId>& owner) {
  if (owner && ToInt(*owner) <= 0) return absl::InvalidArgumentError("owner: a user id must be positive");
  return absl::OkStatus();
}

absl::Status CheckCustomerId(const std::optional<CustomerId>& customer) {
  if (customer && ToInt(*customer) <= 0) return absl::InvalidArgumentError("customer: an id must be positive");
  return absl::OkStatus();
}

// A filter names a team; "no team" is not a filter value.
absl::Status CheckTeamFilter(const std::optional<std::string>& team) {
  if (!team) return absl::OkStatus();
  if (team->empty()) return absl::InvalidArgumentError("team: must not be empty (leave it unset for every team)");
  return CheckKey("team", *team);
}

absl::Status CheckLimit(int limit) {
  if (limit < 1 || limit > kMaxLimit) {
    return absl::InvalidArgumentError(StrCat("limit: must be between 1 and ", kMaxLimit));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateTaskDraft(const TaskDraft& d) {
  RETURN_IF_ERROR(CheckTitle(d.title));
  RETURN_IF_ERROR(CheckCustomerId(d.customer));
  RETURN_IF_ERROR(CheckRef(d.ref));
  RETURN_IF_ERROR(CheckOwner(d.owner));
  RETURN_IF_ERROR(CheckKey("team", d.team));
  RETURN_IF_ERROR(CheckTime("due", d.due));
  RETURN_IF_ERROR(CheckTime("remind_at", d.remind_at));
  RETURN_IF_ERROR(CheckPriority(d.priority));
  RETURN_IF_ERROR(CheckText("notes", d.notes, kMaxNotesChars));
  return CheckKey("created_by_rule", d.created_by_rule);
}

absl::Status ValidateTaskPatch(const TaskPatch& p) {
  if (p.title) RETURN_IF_ERROR(CheckTitle(*p.title));
  if (p.customer) RETURN_IF_ERROR(CheckCustomerId(*p.customer));
  if (p.ref) RETURN_IF_ERROR(CheckRef(*p.ref));
  if (p.owner) RETURN_IF_ERROR(CheckOwner(*p.owner));
  if (p.team) RETURN_IF_ERROR(CheckKey("team", *p.team));
  if (p.due) RETURN_IF_ERROR(CheckTime("due", *p.due));
  if (p.remind_at) RETURN_IF_ERROR(CheckTime("remind_at", *p.remind_at));
  if (p.priority) RETURN_IF_ERROR(CheckPriority(*p.priority));
  if (p.notes) RETURN_IF_ERROR(CheckText("notes", *p.notes, kMaxNotesChars));
  return absl::OkStatus();
}

absl::Status ValidateTaskQuery(const TaskQuery& q) {
  RETURN_IF_ERROR(CheckOwner(q.owner));
  RETURN_IF_ERROR(CheckTeamFilter(q.team));
  RETURN_IF_ERROR(CheckCustomerId(q.customer));
  for (TaskStatus s : q.statuses) {
    const int v = static_cast<int>(s);
    if (v < 0 || v > static_cast<int>(TaskStatus::kCancelled)) {
      return absl::InvalidArgumentError(StrCat("statuses: ", v, " is not a status (open, done or cancelled)"));
    }
  }
  RETURN_IF_ERROR(CheckTime("due_after", q.due_after));
  RETURN_IF_ERROR(CheckTime("due_before", q.due_before));
  return CheckLimit(q.limit);
}

absl::Status ValidateTaskListQuery(const TaskListQuery& q) {
  const int kind = static_cast<int>(q.kind);
  if (kind < 0 || kind > static_cast<int>(TaskListKind::kUpcoming)) {
    return absl::InvalidArgumentError(StrCat("kind: ", kind, " is not a list (due, overdue or upcoming)"));
  }
  RETURN_IF_ERROR(CheckOwner(q.owner));
  RETURN_IF_ERROR(CheckTeamFilter(q.team));
  RETURN_IF_ERROR(CheckTime("as_of", q.as_of));
  if (q.window) {
    if (q.kind != TaskListKind::kDue) return absl::InvalidArgumentError("window: only the due list has a window");
    if (*q.window <= absl::ZeroDuration() || *q.window > absl::Hours(24 * kMaxUpcomingDays)) {
      return absl::InvalidArgumentError(StrCat("window: must be positive and at most ", kMaxUpcomingDays, " days"));
    }
  }
  if (q.days < 0 || q.days > kMaxUpcomingDays) {
    return absl::InvalidArgumentError(StrCat("days: must be between 0 and ", kMaxUpcomingDays));
  }
  return CheckLimit(q.limit);
}

TaskQuery TaskListFilter(const TaskListQuery& list, absl::Time as_of) {
  TaskQuery q;
  q.owner = list.owner;
  q.team = list.team;
  q.statuses = {TaskStatus::kOpen};
  q.limit = list.limit;
  const absl::CivilDay today = absl::ToCivilDay(as_of, list.zone);
  switch (list.kind) {
    case TaskListKind::kDue:
      if (list.window) {
        q.due_after = as_of;
        q.due_before = as_of + *list.window;
      } else {
        q.due_after = absl::FromCivil(today, list.zone);
        q.due_before = absl::FromCivil(today + 1, list.zone);
      }
      break;
    case TaskListKind::kOverdue:
      q.due_before = as_of;
      break;
    case TaskListKind::kUpcoming:
      q.due_after = as_of;
      q.due_before = absl::FromCivil(today + list.days + 1, list.zone);
      break;
  }
  return q;
}

}  // namespace rapport::internal
