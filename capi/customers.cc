// Customer operations: create, get, update, upsert, find, delete, restore, purge, search.
#include "absl/strings/str_cat.h"
#include "internal.h"
#include "json_io.h"

namespace rc = rapport::capi;

namespace {

absl::Status Emit(absl::StatusOr<rapport::Customer> customer, rapport_customer** out) {
  if (!customer.ok()) return customer.status();
  if (out != nullptr) *out = new rapport_customer(*std::move(customer));
  return absl::OkStatus();
}

absl::StatusOr<rapport::CustomerDraft> DraftFromText(const char* fn, const char* json) {
  absl::Status st = rc::CheckText(fn, "json", json);
  if (!st.ok()) return st;
  auto parsed = rc::ParseJson("json", json);
  if (!parsed.ok()) return parsed.status();
  return rc::CustomerDraftFromJson(*parsed);
}

absl::StatusOr<rapport::ExternalId> KeyFrom(const char* fn, const char* system, const char* key) {
  absl::Status st = rc::CheckText(fn, "system", system);
  if (!st.ok()) return st;
  st = rc::CheckText(fn, "key", key);
  if (!st.ok()) return st;
  return rapport::ExternalId{system, key};
}

}  // namespace

extern "C" {

rapport_code rapport_customer_create_json(rapport_db* db, const char* json, rapport_customer** out,
                                          rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    auto draft = DraftFromText(kFn, json);
    if (!draft.ok()) return draft.status();
    return Emit(db->db.CreateCustomer(*draft), out);
  });
}

rapport_code rapport_customer_get(rapport_db* db, int64_t id, int include_deleted, rapport_customer** out,
                                  rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out);
    return Emit(db->db.GetCustomer(rapport::CustomerId{id}, include_deleted != 0), out);
  });
}

rapport_code rapport_customer_update_json(rapport_db* db, int64_t id, const char* fields_json,
                                          int64_t expected_version, rapport_customer** out,
                                          rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    absl::Status st = rc::CheckText(kFn, "fields_json", fields_json);
    if (!st.ok()) return st;
    auto parsed = rc::ParseJson("fields_json", fields_json);
    if (!parsed.ok()) return parsed.status();
    auto fields = rc::FieldMapFromJson("fields_json", *parsed);
    if (!fields.ok()) return fields.status();
    rapport::CustomerPatch patch;
    patch.fields = *std::move(fields);
    patch.expected_version = rc::OptionalVersion(expected_version);
    return Emit(db->db.UpdateCustomer(rapport::CustomerId{id}, patch), out);
  });
}

rapport_code rapport_customer_upsert_json(rapport_db* db, const char* system, const char* key, const char* json,
                                          rapport_customer** out, int* created, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    auto ext = KeyFrom(kFn, system, key);
    if (!ext.ok()) return ext.status();
    auto draft = DraftFromText(kFn, json);
    if (!draft.ok()) return draft.status();
    auto result = db->db.UpsertCustomer(*ext, *draft);
    if (!result.ok()) return result.status();
    if (created != nullptr) *created = result->created ? 1 : 0;
    if (out != nullptr) *out = new rapport_customer(std::move(result->customer));
    return absl::OkStatus();
  });
}

rapport_code rapport_customer_find_by_external_id(rapport_db* db, const char* system, const char* key,
                                                  rapport_customer** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out);
    auto ext = KeyFrom(kFn, system, key);
    if (!ext.ok()) return ext.status();
    return Emit(db->db.FindByExternalId(*ext), out);
  });
}

rapport_code rapport_customer_delete(rapport_db* db, int64_t id, int64_t expected_version,
                                     rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    return db->db.DeleteCustomer(rapport::CustomerId{id}, rc::OptionalVersion(expected_version));
  });
}

rapport_code rapport_customer_restore(rapport_db* db, int64_t id, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    return db->db.RestoreCustomer(rapport::CustomerId{id});
  });
}

rapport_code rapport_customer_purge(rapport_db* db, int64_t id, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    return db->db.PurgeCustomer(rapport::CustomerId{id});
  });
}

void rapport_customer_query_init(rapport_customer_query* query) noexcept {
  if (query == nullptr) return;
  *query = rapport_customer_query{};
  query->struct_size = sizeof(rapport_customer_query);
  query->limit = 50;
}

rapport_code rapport_customer_search(rapport_db* db, const rapport_customer_query* query,
                                     rapport_customer_list** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out);
    rapport::CustomerQuery q;
    if (query != nullptr) {
      const rapport_customer_query* in = query;
      absl::Status st = rc::CheckStructSize(kFn, "query", in->struct_size,
                                            offsetof(rapport_customer_query, name_contains) + sizeof(char*));
      if (!st.ok()) return st;
      auto text = [&](const char* name, const char* value, std::string& dst) -> absl::Status {
        auto t = rc::OptionalText(kFn, name, value);
        if (!t.ok()) return t.status();
        dst = *std::move(t);
        return absl::OkStatus();
      };
      if (st = text("name_contains", in->name_contains, q.name_contains); !st.ok()) return st;
      if (RAPPORT_CAPI_HAS(in, contact)) {
        if (st = text("contact", in->contact, q.contact); !st.ok()) return st;
      }
      if (RAPPORT_CAPI_HAS(in, tag_count) && in->tag_count > 0) {
        if (in->tags == nullptr) return rc::NullArgument(kFn, "query->tags");
        for (size_t i = 0; i < in->tag_count; ++i) {
          std::string name = absl::StrCat("tags[", i, "]");
          if (st = rc::CheckText(kFn, name.c_str(), in->tags[i]); !st.ok()) return st;
          q.tags.emplace_back(in->tags[i]);
        }
      }
      if (RAPPORT_CAPI_HAS(in, owner) && in->owner > 0) q.owner = rapport::UserId{in->owner};
      if (RAPPORT_CAPI_HAS(in, lifecycle_stage) && in->lifecycle_stage != nullptr &&
          in->lifecycle_stage[0] != '\0') {
        std::string stage;
        if (st = text("lifecycle_stage", in->lifecycle_stage, stage); !st.ok()) return st;
        q.lifecycle_stage = std::move(stage);
      }
      if (RAPPORT_CAPI_HAS(in, include_deleted)) q.include_deleted = in->include_deleted != 0;
      if (RAPPORT_CAPI_HAS(in, after) && in->after > 0) q.after = rapport::CustomerId{in->after};
      if (RAPPORT_CAPI_HAS(in, limit)) q.limit = in->limit;
      if (RAPPORT_CAPI_HAS(in, external_id_key) && (in->external_id_system != nullptr || in->external_id_key != nullptr)) {
        if (st = rc::CheckText(kFn, "query->external_id_system", in->external_id_system); !st.ok()) return st;
        if (st = rc::CheckText(kFn, "query->external_id_key", in->external_id_key); !st.ok()) return st;
        q.external_id = rapport::ExternalId{in->external_id_system, in->external_id_key};
      }
      if (RAPPORT_CAPI_HAS(in, custom_field_value_json) &&
          (in->custom_field_name != nullptr || in->custom_field_value_json != nullptr)) {
        if (st = rc::CheckText(kFn, "query->custom_field_name", in->custom_field_name); !st.ok()) return st;
        if (st = rc::CheckText(kFn, "query->custom_field_value_json", in->custom_field_value_json); !st.ok()) {
          return st;
        }
        auto parsed = rc::ParseJson("custom_field_value_json", in->custom_field_value_json);
        if (!parsed.ok()) return parsed.status();
        auto fields = rc::FieldMapFromJson(
            "custom_field_value_json", nlohmann::json{{in->custom_field_name, *parsed}});
        if (!fields.ok()) return fields.status();
        q.custom_field_equals.emplace(fields->begin()->first, fields->begin()->second);
      }
    }
    auto page = db->db.SearchCustomers(q);
    if (!page.ok()) return page.status();
    auto list = std::make_unique<rapport_customer_list>();
    list->items.reserve(page->customers.size());
    for (auto& c : page->customers) list->items.emplace_back(std::move(c));
    list->next_after = page->next ? rapport::ToInt(*page->next) : 0;
    *out = list.release();
    return absl::OkStatus();
  });
}

size_t rapport_customer_list_count(const rapport_customer_list* list) noexcept {
  return list == nullptr ? 0 : list->items.size();
}

const rapport_customer* rapport_customer_list_at(const rapport_customer_list* list, size_t index) noexcept {
  if (list == nullptr || index >= list->items.size()) return nullptr;
  return &list->items[index];
}

int64_t rapport_customer_list_next_after(const rapport_customer_list* list) noexcept {
  return list == nullptr ? 0 : list->next_after;
}

void rapport_customer_list_free(rapport_customer_list* list) noexcept { delete list; }

void rapport_customer_free(rapport_customer* customer) noexcept { delete customer; }

}  // extern "C"
