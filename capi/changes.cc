// The change feed and named consumers.
#include "internal.h"
#include "json_io.h"

namespace rc = rapport::capi;

namespace {

const rapport::Change* At(const rapport_change_list* l, size_t index) {
  if (l == nullptr || index >= l->changes.size()) return nullptr;
  return &l->changes[index];
}

}  // namespace

extern "C" {

rapport_code rapport_changes_list(rapport_db* db, int64_t after_seq, int32_t limit, const char* exclude_origin,
                                  rapport_change_list** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out);
    rapport::ChangeQuery q;
    q.after_seq = after_seq;
    if (limit > 0) q.limit = limit;
    auto origin = rc::OptionalText(kFn, "exclude_origin", exclude_origin);
    if (!origin.ok()) return origin.status();
    q.exclude_origin = *std::move(origin);
    auto changes = db->db.Changes(q);
    if (!changes.ok()) return changes.status();
    auto list = std::make_unique<rapport_change_list>();
    list->changes = *std::move(changes);
    list->fields_json.reserve(list->changes.size());
    for (const auto& c : list->changes) list->fields_json.push_back(rc::Dump(nlohmann::json(c.fields)));
    *out = list.release();
    return absl::OkStatus();
  });
}

rapport_code rapport_changes_last_seq(rapport_db* db, int64_t* out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out);
    *out = db->db.LastChangeSeq();
    return absl::OkStatus();
  });
}

size_t rapport_change_list_count(const rapport_change_list* l) noexcept { return l ? l->changes.size() : 0; }
int64_t rapport_change_list_seq(const rapport_change_list* l, size_t index) noexcept {
  auto* c = At(l, index);
  return c ? c->seq : 0;
}
int64_t rapport_change_list_at(const rapport_change_list* l, size_t index) noexcept {
  auto* c = At(l, index);
  return c ? rc::Micros(c->at) : 0;
}
int rapport_change_list_has_actor(const rapport_change_list* l, size_t index) noexcept {
  auto* c = At(l, index);
  return c && c->actor ? 1 : 0;
}
int64_t rapport_change_list_actor(const rapport_change_list* l, size_t index) noexcept {
  auto* c = At(l, index);
  return c && c->actor ? rapport::ToInt(*c->actor) : 0;
}
const char* rapport_change_list_origin(const rapport_change_list* l, size_t index) noexcept {
  auto* c = At(l, index);
  return c ? c->origin.c_str() : nullptr;
}
const char* rapport_change_list_entity(const rapport_change_list* l, size_t index) noexcept {
  auto* c = At(l, index);
  return c ? c->entity.c_str() : nullptr;
}
int64_t rapport_change_list_entity_id(const rapport_change_list* l, size_t index) noexcept {
  auto* c = At(l, index);
  return c ? c->entity_id : 0;
}
const char* rapport_change_list_op(const rapport_change_list* l, size_t index) noexcept {
  auto* c = At(l, index);
  return c ? c->op.c_str() : nullptr;
}
const char* rapport_change_list_fields_json(const rapport_change_list* l, size_t index) noexcept {
  if (l == nullptr || index >= l->fields_json.size()) return nullptr;
  return l->fields_json[index].c_str();
}
const char* rapport_change_list_before(const rapport_change_list* l, size_t index) noexcept {
  auto* c = At(l, index);
  return c ? c->before.c_str() : nullptr;
}
const char* rapport_change_list_after(const rapport_change_list* l, size_t index) noexcept {
  auto* c = At(l, index);
  return c ? c->after.c_str() : nullptr;
}
void rapport_change_list_free(rapport_change_list* l) noexcept { delete l; }

rapport_code rapport_consumer_create(rapport_db* db, const char* name, int64_t start_after_seq,
                                     rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    absl::Status st = rc::CheckText(kFn, "name", name);
    if (!st.ok()) return st;
    return db->db.CreateConsumer(name, start_after_seq);
  });
}

rapport_code rapport_consumer_cursor(rapport_db* db, const char* name, int64_t* out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out);
    absl::Status st = rc::CheckText(kFn, "name", name);
    if (!st.ok()) return st;
    auto cursor = db->db.ConsumerCursor(name);
    if (!cursor.ok()) return cursor.status();
    *out = *cursor;
    return absl::OkStatus();
  });
}

rapport_code rapport_consumer_ack(rapport_db* db, const char* name, int64_t seq, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    absl::Status st = rc::CheckText(kFn, "name", name);
    if (!st.ok()) return st;
    return db->db.AckConsumer(name, seq);
  });
}

rapport_code rapport_consumer_drop(rapport_db* db, const char* name, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    absl::Status st = rc::CheckText(kFn, "name", name);
    if (!st.ok()) return st;
    return db->db.DropConsumer(name);
  });
}

}  // extern "C"
