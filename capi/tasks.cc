// Tasks and reminders: drafts and patches in, task handles and lists out.
#include <cstddef>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/strings.h"
#include "internal.h"
#include "rapport/task.h"

struct rapport_task {
  rapport::Task t;
  mutable std::optional<std::string> json;
  explicit rapport_task(rapport::Task task) : t(std::move(task)) {}
};

struct rapport_task_list {
  std::vector<rapport_task> items;
  mutable std::optional<std::string> json;
};

namespace rc = rapport::capi;

namespace {

std::optional<absl::Time> OptTime(int64_t us) {
  if (us == RAPPORT_NULL_TIME) return std::nullopt;
  return rc::FromMicros(us);
}

int64_t TimeOrNull(const std::optional<absl::Time>& t) { return t ? rc::Micros(*t) : RAPPORT_NULL_TIME; }

// 0 is "none"; anything else goes to the core, which refuses non-positive ids with a message.
template <typename Id>
std::optional<Id> OptId(int64_t v) {
  if (v == 0) return std::nullopt;
  return Id{v};
}

absl::StatusOr<std::optional<rapport::TaskRef>> Ref(rapport_task_ref_kind kind, int64_t id) {
  if (kind == RAPPORT_TASK_REF_NONE) {
    if (id != 0) return absl::InvalidArgumentError("ref_id: given without a ref_kind");
    return std::optional<rapport::TaskRef>();
  }
  return std::optional<rapport::TaskRef>(rapport::TaskRef{static_cast<rapport::TaskRefKind>(kind), id});
}

std::string Text(const char* s) { return s ? std::string(s) : std::string(); }

absl::Status Emit(absl::StatusOr<rapport::Task> task, rapport_task** out) {
  if (!task.ok()) return task.status();
  if (out != nullptr) *out = new rapport_task(*std::move(task));
  return absl::OkStatus();
}

absl::Status EmitList(absl::StatusOr<std::vector<rapport::Task>> tasks, rapport_task_list** out) {
  if (!tasks.ok()) return tasks.status();
  auto list = std::make_unique<rapport_task_list>();
  list->items.reserve(tasks->size());
  for (rapport::Task& t : *tasks) list->items.emplace_back(std::move(t));
  *out = list.release();
  return absl::OkStatus();
}

absl::StatusOr<rapport::TaskDraft> Draft(const char* fn, const rapport_task_draft* d) {
  absl::Status st = rc::CheckStructSize(fn, "draft", d->struct_size,
                                        offsetof(rapport_task_draft, created_by_rule) + sizeof(const char*));
  if (!st.ok()) return st;
  if (d->title == nullptr) return rc::NullArgument(fn, "draft->title");
  rapport::TaskDraft out;
  out.title = d->title;
  out.customer = OptId<rapport::CustomerId>(d->customer);
  auto ref = Ref(d->ref_kind, d->ref_id);
  if (!ref.ok()) return ref.status();
  out.ref = *ref;
  out.owner = OptId<rapport::UserId>(d->owner);
  out.team = Text(d->team);
  out.due = OptTime(d->due);
  out.remind_at = OptTime(d->remind_at);
  out.priority = static_cast<rapport::TaskPriority>(d->priority);
  out.notes = Text(d->notes);
  out.created_by_rule = Text(d->created_by_rule);
  return out;
}

absl::StatusOr<rapport::TaskPatch> Patch(const char* fn, const rapport_task_patch* p) {
  absl::Status st = rc::CheckStructSize(fn, "patch", p->struct_size,
                                        offsetof(rapport_task_patch, expected_version) + sizeof(int64_t));
  if (!st.ok()) return st;
  constexpr uint32_t kAll = 0x1FFu;
  if ((p->set & ~kAll) != 0) {
    return absl::InvalidArgumentError(absl::StrCat("set: unknown bits 0x", absl::Hex(p->set & ~kAll)));
  }
  rapport::TaskPatch out;
  if (p->set & RAPPORT_TASK_SET_TITLE) {
    if (p->title == nullptr) return rc::NullArgument(fn, "patch->title");
    out.title = p->title;
  }
  if (p->set & RAPPORT_TASK_SET_CUSTOMER) out.customer = OptId<rapport::CustomerId>(p->customer);
  if (p->set & RAPPORT_TASK_SET_REF) {
    auto ref = Ref(p->ref_kind, p->ref_id);
    if (!ref.ok()) return ref.status();
    out.ref = *ref;
  }
  if (p->set & RAPPORT_TASK_SET_OWNER) out.owner = OptId<rapport::UserId>(p->owner);
  if (p->set & RAPPORT_TASK_SET_TEAM) out.team = Text(p->team);
  if (p->set & RAPPORT_TASK_SET_DUE) out.due = OptTime(p->due);
  if (p->set & RAPPORT_TASK_SET_REMIND_AT) out.remind_at = OptTime(p->remind_at);
  if (p->set & RAPPORT_TASK_SET_PRIORITY) out.priority = static_cast<rapport::TaskPriority>(p->priority);
  if (p->set & RAPPORT_TASK_SET_NOTES) out.notes = Text(p->notes);
  out.move_reminder_with_due = p->move_reminder_with_due != 0;
  out.expected_version = rc::OptionalVersion(p->expected_version);
  return out;
}

absl::StatusOr<rapport::TaskQuery> Query(const char* fn, const rapport_task_query* q) {
  rapport::TaskQuery out;
  if (q == nullptr) return out;
  absl::Status st = rc::CheckStructSize(fn, "query", q->struct_size,
                                        offsetof(rapport_task_query, limit) + sizeof(int32_t));
  if (!st.ok()) return st;
  out.owner = OptId<rapport::UserId>(q->owner);
  if (q->team != nullptr) out.team = q->team;
  out.customer = OptId<rapport::CustomerId>(q->customer);
  if (q->statuses & ~0x7u) {
    return absl::InvalidArgumentError(absl::StrCat("statuses: unknown status bits 0x", absl::Hex(q->statuses & ~0x7u)));
  }
  for (int s = 0; s < 3; ++s)
    if (q->statuses & (1u << s)) out.statuses.push_back(static_cast<rapport::TaskStatus>(s));
  out.due_after = OptTime(q->due_after);
  out.due_before = OptTime(q->due_before);
  out.limit = q->limit;
  return out;
}

absl::StatusOr<rapport::TaskListQuery> ListQuery(const char* fn, const rapport_task_list_options* o) {
  rapport::TaskListQuery out;
  if (o == nullptr) return out;
  absl::Status st = rc::CheckStructSize(fn, "opts", o->struct_size,
                                        offsetof(rapport_task_list_options, limit) + sizeof(int32_t));
  if (!st.ok()) return st;
  out.kind = static_cast<rapport::TaskListKind>(o->kind);
  out.owner = OptId<rapport::UserId>(o->owner);
  if (o->team != nullptr) out.team = o->team;
  if (o->as_of != RAPPORT_AS_OF_NOW) out.as_of = rc::FromMicros(o->as_of);
  if (o->time_zone != nullptr && !absl::LoadTimeZone(o->time_zone, &out.zone)) {
    return absl::InvalidArgumentError(absl::StrCat("time_zone: unknown time zone \"", o->time_zone, "\""));
  }
  if (o->window != 0) out.window = absl::Microseconds(o->window);
  out.days = o->days;
  out.limit = o->limit;
  return out;
}

const rapport_task* At(const rapport_task_list* l, size_t i) {
  return l != nullptr && i < l->items.size() ? &l->items[i] : nullptr;
}

}  // namespace

extern "C" {

void rapport_task_draft_init(rapport_task_draft* d) noexcept {
  if (d == nullptr) return;
  *d = rapport_task_draft{};
  d->struct_size = sizeof(rapport_task_draft);
  d->ref_kind = RAPPORT_TASK_REF_NONE;
  d->due = RAPPORT_NULL_TIME;
  d->remind_at = RAPPORT_NULL_TIME;
  d->priority = RAPPORT_TASK_PRIORITY_NORMAL;
}

void rapport_task_patch_init(rapport_task_patch* p) noexcept {
  if (p == nullptr) return;
  *p = rapport_task_patch{};
  p->struct_size = sizeof(rapport_task_patch);
  p->ref_kind = RAPPORT_TASK_REF_NONE;
  p->due = RAPPORT_NULL_TIME;
  p->remind_at = RAPPORT_NULL_TIME;
  p->priority = RAPPORT_TASK_PRIORITY_NORMAL;
  p->expected_version = -1;
}

void rapport_task_query_init(rapport_task_query* q) noexcept {
  if (q == nullptr) return;
  *q = rapport_task_query{};
  q->struct_size = sizeof(rapport_task_query);
  q->due_after = RAPPORT_NULL_TIME;
  q->due_before = RAPPORT_NULL_TIME;
  q->limit = 1000;
}

void rapport_task_list_options_init(rapport_task_list_options* o) noexcept {
  if (o == nullptr) return;
  *o = rapport_task_list_options{};
  o->struct_size = sizeof(rapport_task_list_options);
  o->kind = RAPPORT_TASK_LIST_DUE;
  o->as_of = RAPPORT_AS_OF_NOW;
  o->days = 7;
  o->limit = 1000;
}

rapport_code rapport_db_task_create(rapport_db* db, const rapport_task_draft* draft, rapport_task** out,
                                    rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(draft);
    auto d = Draft(kFn, draft);
    if (!d.ok()) return d.status();
    return Emit(db->db.CreateTask(*d), out);
  });
}

rapport_code rapport_db_task_get(rapport_db* db, int64_t id, rapport_task** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out);
    return Emit(db->db.GetTask(rapport::TaskId{id}), out);
  });
}

rapport_code rapport_db_task_update(rapport_db* db, int64_t id, const rapport_task_patch* patch, rapport_task** out,
                                    rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(patch);
    auto p = Patch(kFn, patch);
    if (!p.ok()) return p.status();
    return Emit(db->db.UpdateTask(rapport::TaskId{id}, *p), out);
  });
}

rapport_code rapport_db_task_complete(rapport_db* db, int64_t id, int64_t expected_version, rapport_task** out,
                                      rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    return Emit(db->db.CompleteTask(rapport::TaskId{id}, rc::OptionalVersion(expected_version)), out);
  });
}

rapport_code rapport_db_task_cancel(rapport_db* db, int64_t id, int64_t expected_version, rapport_task** out,
                                    rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    return Emit(db->db.CancelTask(rapport::TaskId{id}, rc::OptionalVersion(expected_version)), out);
  });
}

rapport_code rapport_db_tasks(rapport_db* db, const rapport_task_query* query, rapport_task_list** out,
                              rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out);
    auto q = Query(kFn, query);
    if (!q.ok()) return q.status();
    return EmitList(db->db.Tasks(*q), out);
  });
}

rapport_code rapport_db_task_list(rapport_db* db, const rapport_task_list_options* opts, rapport_task_list** out,
                                  rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out);
    auto q = ListQuery(kFn, opts);
    if (!q.ok()) return q.status();
    return EmitList(db->db.TaskList(*q), out);
  });
}

rapport_code rapport_db_task_claim_reminders(rapport_db* db, int64_t now, rapport_task_list** out,
                                             rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out);
    std::optional<absl::Time> when;
    if (now != RAPPORT_AS_OF_NOW) when = rc::FromMicros(now);
    return EmitList(db->db.ClaimTaskReminders(when), out);
  });
}

size_t rapport_task_list_count(const rapport_task_list* l) noexcept { return l ? l->items.size() : 0; }
const rapport_task* rapport_task_list_at(const rapport_task_list* l, size_t index) noexcept { return At(l, index); }
const char* rapport_task_list_to_json(const rapport_task_list* l) noexcept {
  if (l == nullptr) return nullptr;
  return rc::Safe<const char*>(nullptr, [&]() -> const char* {
    if (!l->json) {
      std::string out = "[";
      for (size_t i = 0; i < l->items.size(); ++i) {
        if (i > 0) out += ",";
        out += rapport::TaskToJson(l->items[i].t);
      }
      l->json = out + "]";
    }
    return l->json->c_str();
  });
}
void rapport_task_list_free(rapport_task_list* l) noexcept { delete l; }

int64_t rapport_task_id(const rapport_task* t) noexcept { return t ? rapport::ToInt(t->t.id) : 0; }
const char* rapport_task_title(const rapport_task* t) noexcept { return t ? t->t.title.c_str() : nullptr; }
int64_t rapport_task_customer(const rapport_task* t) noexcept {
  return t && t->t.customer ? rapport::ToInt(*t->t.customer) : 0;
}
rapport_task_ref_kind rapport_task_ref_kind_of(const rapport_task* t) noexcept {
  return t && t->t.ref ? static_cast<rapport_task_ref_kind>(t->t.ref->kind) : RAPPORT_TASK_REF_NONE;
}
int64_t rapport_task_ref_id(const rapport_task* t) noexcept { return t && t->t.ref ? t->t.ref->id : 0; }
int64_t rapport_task_owner(const rapport_task* t) noexcept { return t && t->t.owner ? rapport::ToInt(*t->t.owner) : 0; }
const char* rapport_task_team(const rapport_task* t) noexcept { return t ? t->t.team.c_str() : nullptr; }
int64_t rapport_task_due(const rapport_task* t) noexcept { return t ? TimeOrNull(t->t.due) : RAPPORT_NULL_TIME; }
int64_t rapport_task_remind_at(const rapport_task* t) noexcept {
  return t ? TimeOrNull(t->t.remind_at) : RAPPORT_NULL_TIME;
}
rapport_task_priority rapport_task_priority_of(const rapport_task* t) noexcept {
  return t ? static_cast<rapport_task_priority>(t->t.priority) : RAPPORT_TASK_PRIORITY_NORMAL;
}
const char* rapport_task_notes(const rapport_task* t) noexcept { return t ? t->t.notes.c_str() : nullptr; }
const char* rapport_task_created_by_rule(const rapport_task* t) noexcept {
  return t ? t->t.created_by_rule.c_str() : nullptr;
}
rapport_task_status rapport_task_status_of(const rapport_task* t) noexcept {
  return t ? static_cast<rapport_task_status>(t->t.status) : RAPPORT_TASK_OPEN;
}
int64_t rapport_task_created_at(const rapport_task* t) noexcept { return t ? rc::Micros(t->t.created_at) : RAPPORT_NULL_TIME; }
int64_t rapport_task_updated_at(const rapport_task* t) noexcept { return t ? rc::Micros(t->t.updated_at) : RAPPORT_NULL_TIME; }
int64_t rapport_task_completed_at(const rapport_task* t) noexcept {
  return t ? TimeOrNull(t->t.completed_at) : RAPPORT_NULL_TIME;
}
int64_t rapport_task_cancelled_at(const rapport_task* t) noexcept {
  return t ? TimeOrNull(t->t.cancelled_at) : RAPPORT_NULL_TIME;
}
int64_t rapport_task_reminded_at(const rapport_task* t) noexcept {
  return t ? TimeOrNull(t->t.reminded_at) : RAPPORT_NULL_TIME;
}
int64_t rapport_task_version(const rapport_task* t) noexcept { return t ? t->t.version : 0; }
const char* rapport_task_to_json(const rapport_task* t) noexcept {
  if (t == nullptr) return nullptr;
  return rc::Safe<const char*>(nullptr, [&]() -> const char* {
    if (!t->json) t->json = rapport::TaskToJson(t->t);
    return t->json->c_str();
  });
}
void rapport_task_free(rapport_task* t) noexcept { delete t; }

}  // extern "C"
