#include "model/task_repository.h"

#include <string>

#include "base/status_macros.h"
#include "base/strings.h"
#include "base/time_format.h"
#include "store/change_log.h"

namespace rapport::internal {
namespace {

constexpr char kColumns[] =
    "id, title, customer_id, ref_kind, ref_id, owner, team, due, remind_at, priority, notes, created_by_rule, "
    "status, created_at, updated_at, completed_at, cancelled_at, reminded_at, version";

std::optional<absl::Time> OptTime(const Statement& st, int col) {
  if (st.IsNull(col)) return std::nullopt;
  return FromMicros(st.Int(col));
}

std::optional<int64_t> OptMicros(const std::optional<absl::Time>& t) {
  if (!t) return std::nullopt;
  return ToMicros(*t);
}

// Columns hold only the names the CHECK constraints allow, so parsing cannot fail on stored rows.
Task ReadTask(const Statement& st) {
  Task t;
  t.id = TaskId{st.Int(0)};
  t.title = st.Text(1);
  if (!st.IsNull(2)) t.customer = CustomerId{st.Int(2)};
  if (!st.IsNull(3)) t.ref = TaskRef{ParseTaskRefKind(st.TextView(3)).value_or(TaskRefKind::kLead), st.Int(4)};
  if (!st.IsNull(5)) t.owner = UserId{st.Int(5)};
  t.team = st.OptText(6).value_or("");
  t.due = OptTime(st, 7);
  t.remind_at = OptTime(st, 8);
  t.priority = ParseTaskPriority(st.TextView(9)).value_or(TaskPriority::kNormal);
  t.notes = st.Text(10);
  t.created_by_rule = st.OptText(11).value_or("");
  t.status = ParseTaskStatus(st.TextView(12)).value_or(TaskStatus::kOpen);
  t.created_at = FromMicros(st.Int(13));
  t.updated_at = FromMicros(st.Int(14));
  t.completed_at = OptTime(st, 15);
  t.cancelled_at = OptTime(st, 16);
  t.reminded_at = OptTime(st, 17);
  t.version = st.Int(18);
  return t;
}

std::optional<std::string> NullIfEmpty(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

// Binds the members a draft or patch sets, in the order of kWritable (parameters 1..11).
void BindWritable(Statement& st, const Task& t) {
  st.Bind(1, t.title);
  st.Bind(2, t.customer ? std::optional<int64_t>(ToInt(*t.customer)) : std::nullopt);
  st.Bind(3, t.ref ? std::optional<std::string>(std::string(ToString(t.ref->kind))) : std::nullopt);
  st.Bind(4, t.ref ? std::optional<int64_t>(t.ref->id) : std::nullopt);
  st.Bind(5, t.owner ? std::optional<int64_t>(ToInt(*t.owner)) : std::nullopt);
  st.Bind(6, NullIfEmpty(t.team));
  st.Bind(7, OptMicros(t.due));
  st.Bind(8, OptMicros(t.remind_at));
  st.Bind(9, ToString(t.priority));
  st.Bind(10, t.notes);
  st.Bind(11, NullIfEmpty(t.created_by_rule));
}

int64_t CustomerOf(const Task& t) { return t.customer ? ToInt(*t.customer) : 0; }

absl::Status CheckLiveCustomer(Connection& conn, const std::optional<CustomerId>& customer) {
  if (!customer) return absl::OkStatus();
  absl::Status s = CheckCustomerExists(conn, *customer);
  if (!s.ok()) return absl::Status(s.code(), StrCat("customer: ", s.message()));
  return absl::OkStatus();
}

absl::Status CheckVersion(const Task& t, std::optional<int64_t> expected_version) {
  if (expected_version && *expected_version != t.version) {
    return absl::AbortedError(StrCat("task ", ToInt(t.id), " has version ", t.version, ", not the expected ",
                                     *expected_version));
  }
  return absl::OkStatus();
}

absl::Status CheckOpen(const Task& t, std::string_view verb) {
  if (t.status == TaskStatus::kOpen) return absl::OkStatus();
  return absl::FailedPreconditionError(StrCat("status: task ", ToInt(t.id), " is ", ToString(t.status),
                                              "; only open tasks can be ", verb));
}

// The members `before` and `after` differ in, as named in the JSON form.
std::vector<std::string> ChangedMembers(const nlohmann::json& before, const nlohmann::json& after) {
  std::vector<std::string> out;
  for (const auto& [key, value] : after.items()) {
    if (key == "version" || key == "updated_at") continue;
    if (before.at(key) != value) out.push_back(key);
  }
  return out;
}

nlohmann::json Subset(const nlohmann::json& object, const std::vector<std::string>& keys) {
  nlohmann::json out = nlohmann::json::object();
  for (const std::string& k : keys) out[k] = object.at(k);
  return out;
}

absl::Status LogChange(const WriteContext& ctx, const Task& before, const Task& after, std::string_view op,
                       std::vector<std::string> fields) {
  const nlohmann::json b = TaskJsonObject(before);
  const nlohmann::json a = TaskJsonObject(after);
  ChangeEntry e{"task", ToInt(after.id), CustomerOf(after), op, fields, Subset(b, fields), Subset(a, fields)};
  return AppendChange(ctx.conn, ctx.now, ctx.actor, e).status();
}

// The patch applied to `t` in memory.
Task Patched(Task t, const TaskPatch& p) {
  if (p.title) t.title = *p.title;
  if (p.customer) t.customer = *p.customer;
  if (p.ref) t.ref = *p.ref;
  if (p.owner) t.owner = *p.owner;
  if (p.team) t.team = *p.team;
  if (p.priority) t.priority = *p.priority;
  if (p.notes) t.notes = *p.notes;
  const std::optional<absl::Time> old_due = t.due;
  if (p.due) t.due = *p.due;
  if (p.remind_at) {
    if (*p.remind_at != t.remind_at) {
      t.remind_at = *p.remind_at;
      t.reminded_at.reset();  // a new reminder time fires again
    }
  } else if (p.move_reminder_with_due && p.due && old_due && t.due && t.remind_at && !t.reminded_at) {
    *t.remind_at += *t.due - *old_due;
  }
  return t;
}

}  // namespace

absl::StatusOr<Task> LoadTask(Connection& conn, TaskId id) {
  ASSIGN_OR_RETURN(Statement * st, conn.Cached(StrCat("SELECT ", kColumns, " FROM tasks WHERE id = ?")));
  st->Bind(1, ToInt(id));
  ASSIGN_OR_RETURN(bool row, st->Step());
  std::optional<Task> t;
  if (row) t = ReadTask(*st);
  st->Reset();
  if (!t) return absl::NotFoundError(StrCat("task ", ToInt(id), " not found"));
  return *std::move(t);
}

std::string FindTasksSql(const TaskQuery& q) {
  std::string where;
  auto add = [&](std::string_view term) { where += StrCat(where.empty() ? " WHERE " : " AND ", term); };
  if (q.owner) add("owner = ?");
  if (q.team) add("team = ?");
  if (q.customer) add("customer_id = ?");
  if (!q.statuses.empty()) {
    std::string in;
    for (TaskStatus s : q.statuses) in += StrCat(in.empty() ? "'" : ", '", ToString(s), "'");
    add(StrCat("status IN (", in, ")"));
  }
  if (q.due_after) add("due >= ?");
  if (q.due_before) add("due < ?");
  // With a due bound no row lacks a due time, and the (…, status, due) indexes give the order.
  const bool bounded = q.due_after || q.due_before;
  return StrCat("SELECT ", kColumns, " FROM tasks", where, " ORDER BY ", bounded ? "" : "due IS NULL, ",
                "due, id LIMIT ?");
}

absl::StatusOr<std::vector<Task>> FindTasks(Connection& conn, const TaskQuery& q) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(FindTasksSql(q)));
  int i = 0;
  if (q.owner) st.Bind(++i, ToInt(*q.owner));
  if (q.team) st.Bind(++i, *q.team);
  if (q.customer) st.Bind(++i, ToInt(*q.customer));
  if (q.due_after) st.Bind(++i, ToMicros(*q.due_after));
  if (q.due_before) st.Bind(++i, ToMicros(*q.due_before));
  st.Bind(++i, q.limit);
  std::vector<Task> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(ReadTask(st));
  }
  return out;
}

absl::StatusOr<Task> CreateTask(const WriteContext& ctx, const TaskDraft& draft) {
  RETURN_IF_ERROR(ValidateTaskDraft(draft));
  RETURN_IF_ERROR(CheckLiveCustomer(ctx.conn, draft.customer));
  Task t;
  t.title = draft.title;
  t.customer = draft.customer;
  t.ref = draft.ref;
  t.owner = draft.owner;
  t.team = draft.team;
  t.due = draft.due;
  t.remind_at = draft.remind_at;
  t.priority = draft.priority;
  t.notes = draft.notes;
  t.created_by_rule = draft.created_by_rule;
  t.status = TaskStatus::kOpen;
  t.created_at = t.updated_at = ctx.now;
  t.version = 1;
  ASSIGN_OR_RETURN(Statement * st, ctx.conn.Cached(
      "INSERT INTO tasks (title, customer_id, ref_kind, ref_id, owner, team, due, remind_at, priority, notes, "
      "created_by_rule, status, created_at, updated_at, version) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, 1)"));
  BindWritable(*st, t);
  st->Bind(12, ToMicros(ctx.now)).Bind(13, ToMicros(ctx.now));
  absl::Status run = st->Run();
  st->Reset();
  RETURN_IF_ERROR(run);
  t.id = TaskId{ctx.conn.LastInsertRowid()};
  nlohmann::json after = TaskJsonObject(t);
  std::vector<std::string> fields;
  for (const char* k : {"title", "customer", "ref", "owner", "team", "due", "remind_at", "priority", "notes",
                        "created_by_rule", "status"}) {
    if (!after.at(k).is_null()) fields.emplace_back(k);
  }
  ChangeEntry e{"task", ToInt(t.id), CustomerOf(t), "create", fields, nullptr, Subset(after, fields)};
  RETURN_IF_ERROR(AppendChange(ctx.conn, ctx.now, ctx.actor, e).status());
  return t;
}

absl::StatusOr<Task> UpdateTask(const WriteContext& ctx, TaskId id, const TaskPatch& patch) {
  RETURN_IF_ERROR(ValidateTaskPatch(patch));
  ASSIGN_OR_RETURN(Task before, LoadTask(ctx.conn, id));
  RETURN_IF_ERROR(CheckVersion(before, patch.expected_version));
  RETURN_IF_ERROR(CheckOpen(before, "changed"));
  Task after = Patched(before, patch);
  if (after.customer != before.customer) RETURN_IF_ERROR(CheckLiveCustomer(ctx.conn, after.customer));
  std::vector<std::string> fields = ChangedMembers(TaskJsonObject(before), TaskJsonObject(after));
  if (fields.empty()) return before;
  after.updated_at = ctx.now;
  after.version = before.version + 1;
  ASSIGN_OR_RETURN(Statement * st, ctx.conn.Cached(
      "UPDATE tasks SET title = ?, customer_id = ?, ref_kind = ?, ref_id = ?, owner = ?, team = ?, due = ?, "
      "remind_at = ?, priority = ?, notes = ?, created_by_rule = ?, reminded_at = ?, updated_at = ?, "
      "version = version + 1 WHERE id = ?"));
  BindWritable(*st, after);
  st->Bind(12, OptMicros(after.reminded_at)).Bind(13, ToMicros(ctx.now)).Bind(14, ToInt(id));
  absl::Status run = st->Run();
  st->Reset();
  RETURN_IF_ERROR(run);
  RETURN_IF_ERROR(LogChange(ctx, before, after, "update", std::move(fields)));
  return after;
}

absl::StatusOr<Task> CloseTask(const WriteContext& ctx, TaskId id, TaskStatus to,
                               std::optional<int64_t> expected_version) {
  const bool done = to == TaskStatus::kDone;
  ASSIGN_OR_RETURN(Task before, LoadTask(ctx.conn, id));
  RETURN_IF_ERROR(CheckVersion(before, expected_version));
  RETURN_IF_ERROR(CheckOpen(before, done ? "completed" : "cancelled"));
  Task after = before;
  after.status = to;
  (done ? after.completed_at : after.cancelled_at) = ctx.now;
  after.updated_at = ctx.now;
  after.version = before.version + 1;
  ASSIGN_OR_RETURN(Statement * st, ctx.conn.Cached(
      "UPDATE tasks SET status = ?, completed_at = ?, cancelled_at = ?, updated_at = ?, version = version + 1 "
      "WHERE id = ?"));
  st->Bind(1, ToString(to)).Bind(2, OptMicros(after.completed_at)).Bind(3, OptMicros(after.cancelled_at));
  st->Bind(4, ToMicros(ctx.now)).Bind(5, ToInt(id));
  absl::Status run = st->Run();
  st->Reset();
  RETURN_IF_ERROR(run);
  RETURN_IF_ERROR(LogChange(ctx, before, after, done ? "complete" : "cancel",
                            {"status", done ? "completed_at" : "cancelled_at"}));
  return after;
}

absl::StatusOr<std::vector<Task>> ClaimDueReminders(const WriteContext& ctx, absl::Time now) {
  ASSIGN_OR_RETURN(Statement * due, ctx.conn.Cached(kDueRemindersSql));
  due->Bind(1, ToMicros(now));
  std::vector<TaskId> ids;
  while (true) {
    absl::StatusOr<bool> row = due->Step();
    if (!row.ok()) {
      due->Reset();
      return row.status();
    }
    if (!*row) break;
    ids.push_back(TaskId{due->Int(0)});
  }
  due->Reset();
  ASSIGN_OR_RETURN(Statement * mark, ctx.conn.Cached(
      "UPDATE tasks SET reminded_at = ?, updated_at = ?, version = version + 1 WHERE id = ?"));
  std::vector<Task> out;
  out.reserve(ids.size());
  for (TaskId id : ids) {
    ASSIGN_OR_RETURN(Task before, LoadTask(ctx.conn, id));
    mark->Bind(1, ToMicros(now)).Bind(2, ToMicros(now)).Bind(3, ToInt(id));
    absl::Status run = mark->Run();
    mark->Reset();
    RETURN_IF_ERROR(run);
    Task after = before;
    after.reminded_at = now;
    after.updated_at = now;
    after.version = before.version + 1;
    RETURN_IF_ERROR(LogChange(ctx, before, after, "remind", {"reminded_at"}));
    out.push_back(std::move(after));
  }
  return out;
}

}  // namespace rapport::internal
