// Task enums as text, and the task's JSON form.
#include "base/strings.h"
#include "base/time_format.h"
#include "model/task_repository.h"
#include "store/change_log.h"

namespace rapport {
namespace {

template <typename Enum, size_t N>
absl::StatusOr<Enum> ParseName(std::string_view text, std::string_view field, const Enum (&values)[N]) {
  std::string names;
  for (Enum v : values) {
    if (text == ToString(v)) return v;
    names += StrCat(names.empty() ? "" : ", ", ToString(v));
  }
  return absl::InvalidArgumentError(StrCat(field, ": \"", text, "\" is not one of ", names));
}

nlohmann::json TimeOrNull(const std::optional<absl::Time>& t) {
  return t ? nlohmann::json(internal::FormatTimestamp(*t)) : nlohmann::json(nullptr);
}

}  // namespace

std::string_view ToString(TaskPriority priority) {
  switch (priority) {
    case TaskPriority::kLow: return "low";
    case TaskPriority::kNormal: return "normal";
    case TaskPriority::kHigh: return "high";
    case TaskPriority::kUrgent: return "urgent";
  }
  return "?";
}

std::string_view ToString(TaskStatus status) {
  switch (status) {
    case TaskStatus::kOpen: return "open";
    case TaskStatus::kDone: return "done";
    case TaskStatus::kCancelled: return "cancelled";
  }
  return "?";
}

std::string_view ToString(TaskRefKind kind) {
  switch (kind) {
    case TaskRefKind::kLead: return "lead";
    case TaskRefKind::kDeal: return "deal";
    case TaskRefKind::kTicket: return "ticket";
  }
  return "?";
}

std::string_view ToString(TaskListKind kind) {
  switch (kind) {
    case TaskListKind::kDue: return "due";
    case TaskListKind::kOverdue: return "overdue";
    case TaskListKind::kUpcoming: return "upcoming";
  }
  return "?";
}

absl::StatusOr<TaskPriority> ParseTaskPriority(std::string_view text, std::string_view field) {
  static constexpr TaskPriority kAll[] = {TaskPriority::kLow, TaskPriority::kNormal, TaskPriority::kHigh,
                                          TaskPriority::kUrgent};
  return ParseName(text, field, kAll);
}

absl::StatusOr<TaskStatus> ParseTaskStatus(std::string_view text, std::string_view field) {
  static constexpr TaskStatus kAll[] = {TaskStatus::kOpen, TaskStatus::kDone, TaskStatus::kCancelled};
  return ParseName(text, field, kAll);
}

absl::StatusOr<TaskRefKind> ParseTaskRefKind(std::string_view text, std::string_view field) {
  static constexpr TaskRefKind kAll[] = {TaskRefKind::kLead, TaskRefKind::kDeal, TaskRefKind::kTicket};
  return ParseName(text, field, kAll);
}

absl::StatusOr<TaskListKind> ParseTaskListKind(std::string_view text, std::string_view field) {
  static constexpr TaskListKind kAll[] = {TaskListKind::kDue, TaskListKind::kOverdue, TaskListKind::kUpcoming};
  return ParseName(text, field, kAll);
}

std::string TaskToJson(const Task& task) { return internal::DumpJson(internal::TaskJsonObject(task)); }

namespace internal {

nlohmann::json TaskJsonObject(const Task& t) {
  nlohmann::json ref = nullptr;
  if (t.ref) ref = {{"kind", ToString(t.ref->kind)}, {"id", t.ref->id}};
  return {
      {"id", ToInt(t.id)},
      {"title", t.title},
      {"customer", t.customer ? nlohmann::json(ToInt(*t.customer)) : nlohmann::json(nullptr)},
      {"ref", ref},
      {"owner", t.owner ? nlohmann::json(ToInt(*t.owner)) : nlohmann::json(nullptr)},
      {"team", t.team.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.team)},
      {"due", TimeOrNull(t.due)},
      {"remind_at", TimeOrNull(t.remind_at)},
      {"priority", ToString(t.priority)},
      {"notes", t.notes},
      {"created_by_rule", t.created_by_rule.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.created_by_rule)},
      {"status", ToString(t.status)},
      {"created_at", internal::FormatTimestamp(t.created_at)},
      {"updated_at", internal::FormatTimestamp(t.updated_at)},
      {"completed_at", TimeOrNull(t.completed_at)},
      {"cancelled_at", TimeOrNull(t.cancelled_at)},
      {"reminded_at", TimeOrNull(t.reminded_at)},
      {"version", t.version},
  };
}

}  // namespace internal
}  // namespace rapport
