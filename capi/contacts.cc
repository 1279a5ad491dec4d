// Contact points, tags, external ids and organisation contacts.
#include "model/field_schema.h"
#include "absl/strings/str_cat.h"
#include "internal.h"
#include "json_io.h"

namespace rc = rapport::capi;

extern "C" {

void rapport_contact_point_draft_init(rapport_contact_point_draft* draft) noexcept {
  if (draft == nullptr) return;
  *draft = rapport_contact_point_draft{};
  draft->struct_size = sizeof(rapport_contact_point_draft);
  draft->kind = RAPPORT_CONTACT_EMAIL;
}

rapport_code rapport_contact_point_add(rapport_db* db, int64_t customer_id, const rapport_contact_point_draft* draft,
                                       int64_t* out_id, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(draft);
    absl::Status st = rc::CheckStructSize(kFn, "draft", draft->struct_size,
                                          offsetof(rapport_contact_point_draft, value) + sizeof(char*));
    if (!st.ok()) return st;
    rapport::ContactPointDraft d;
    if (draft->kind == RAPPORT_CONTACT_EMAIL) {
      d.kind = rapport::ContactKind::kEmail;
    } else if (draft->kind == RAPPORT_CONTACT_PHONE) {
      d.kind = rapport::ContactKind::kPhone;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("kind: unknown contact kind ", draft->kind));
    }
    if (st = rc::CheckText(kFn, "draft->value", draft->value); !st.ok()) return st;
    d.value = draft->value;
    if (RAPPORT_CAPI_HAS(draft, label)) {
      auto label = rc::OptionalText(kFn, "label", draft->label);
      if (!label.ok()) return label.status();
      d.label = *std::move(label);
    }
    if (RAPPORT_CAPI_HAS(draft, primary)) d.primary = draft->primary != 0;
    if (RAPPORT_CAPI_HAS(draft, opted_out)) d.opted_out = draft->opted_out != 0;
    if (RAPPORT_CAPI_HAS(draft, invalid)) d.invalid = draft->invalid != 0;
    auto cp = db->db.AddContactPoint(rapport::CustomerId{customer_id}, d);
    if (!cp.ok()) return cp.status();
    if (out_id != nullptr) *out_id = rapport::ToInt(cp->id);
    return absl::OkStatus();
  });
}

void rapport_contact_point_patch_init(rapport_contact_point_patch* patch) noexcept {
  if (patch == nullptr) return;
  *patch = rapport_contact_point_patch{};
  patch->struct_size = sizeof(rapport_contact_point_patch);
  patch->label = nullptr;
  patch->primary = -1;
  patch->opted_out = -1;
  patch->invalid = -1;
}

rapport_code rapport_contact_point_update(rapport_db* db, int64_t contact_point_id,
                                          const rapport_contact_point_patch* patch, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(patch);
    absl::Status st = rc::CheckStructSize(kFn, "patch", patch->struct_size,
                                          offsetof(rapport_contact_point_patch, label) + sizeof(char*));
    if (!st.ok()) return st;
    rapport::ContactPointPatch p;
    if (patch->label != nullptr) {
      if (st = rc::CheckText(kFn, "patch->label", patch->label); !st.ok()) return st;
      p.label = std::string(patch->label);
    }
    if (RAPPORT_CAPI_HAS(patch, primary) && patch->primary >= 0) p.primary = patch->primary != 0;
    if (RAPPORT_CAPI_HAS(patch, opted_out) && patch->opted_out >= 0) p.opted_out = patch->opted_out != 0;
    if (RAPPORT_CAPI_HAS(patch, invalid) && patch->invalid >= 0) p.invalid = patch->invalid != 0;
    auto cp = db->db.UpdateContactPoint(rapport::ContactPointId{contact_point_id}, p);
    return cp.status();
  });
}

rapport_code rapport_contact_point_remove(rapport_db* db, int64_t contact_point_id, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    return db->db.RemoveContactPoint(rapport::ContactPointId{contact_point_id});
  });
}

rapport_code rapport_tag_add(rapport_db* db, int64_t customer_id, const char* tag, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    absl::Status st = rc::CheckText(kFn, "tag", tag);
    if (!st.ok()) return st;
    return db->db.AddTag(rapport::CustomerId{customer_id}, tag);
  });
}

rapport_code rapport_tag_remove(rapport_db* db, int64_t customer_id, const char* tag, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    absl::Status st = rc::CheckText(kFn, "tag", tag);
    if (!st.ok()) return st;
    return db->db.RemoveTag(rapport::CustomerId{customer_id}, tag);
  });
}

rapport_code rapport_external_id_add(rapport_db* db, int64_t customer_id, const char* system, const char* key,
                                     rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    absl::Status st = rc::CheckText(kFn, "system", system);
    if (!st.ok()) return st;
    if (st = rc::CheckText(kFn, "key", key); !st.ok()) return st;
    return db->db.AddExternalId(rapport::CustomerId{customer_id}, rapport::ExternalId{system, key});
  });
}

rapport_code rapport_external_id_remove(rapport_db* db, const char* system, const char* key,
                                        rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    absl::Status st = rc::CheckText(kFn, "system", system);
    if (!st.ok()) return st;
    if (st = rc::CheckText(kFn, "key", key); !st.ok()) return st;
    return db->db.RemoveExternalId(rapport::ExternalId{system, key});
  });
}

rapport_code rapport_contact_link(rapport_db* db, int64_t organization_id, int64_t person_id, const char* role,
                                  rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    auto text = rc::OptionalText(kFn, "role", role);
    if (!text.ok()) return text.status();
    return db->db.LinkContact(rapport::CustomerId{organization_id}, rapport::CustomerId{person_id}, *text);
  });
}

rapport_code rapport_contact_unlink(rapport_db* db, int64_t organization_id, int64_t person_id,
                                    rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    return db->db.UnlinkContact(rapport::CustomerId{organization_id}, rapport::CustomerId{person_id});
  });
}

rapport_code rapport_contact_list_json(rapport_db* db, int64_t organization_id, char** out_json,
                                       rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out_json);
    auto roles = db->db.ContactsOf(rapport::CustomerId{organization_id});
    if (!roles.ok()) return roles.status();
    return rc::ReturnString(rc::Dump(rc::ContactRolesToJson(*roles)), out_json);
  });
}

rapport_code rapport_organization_list_json(rapport_db* db, int64_t person_id, char** out_json,
                                            rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out_json);
    auto roles = db->db.OrganizationsOf(rapport::CustomerId{person_id});
    if (!roles.ok()) return roles.status();
    return rc::ReturnString(rc::Dump(rc::ContactRolesToJson(*roles)), out_json);
  });
}

// ---- Custom fields ----

rapport_code rapport_custom_field_define_json(rapport_db* db, const char* json, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    absl::Status st = rc::CheckText(kFn, "json", json);
    if (!st.ok()) return st;
    auto parsed = rc::ParseJson("json", json);
    if (!parsed.ok()) return parsed.status();
    auto def = rapport::internal::DefinitionFromJson(*parsed);
    if (!def.ok()) return def.status();
    return db->db.DefineCustomField(*def).status();
  });
}

rapport_code rapport_custom_field_list_json(rapport_db* db, char** out_json, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out_json);
    auto defs = db->db.CustomFields();
    if (!defs.ok()) return defs.status();
    nlohmann::json out = nlohmann::json::array();
    for (const auto& def : *defs) out.push_back(rapport::internal::DefinitionToJson(def));
    return rc::ReturnString(rc::Dump(out), out_json);
  });
}

rapport_code rapport_custom_field_drop(rapport_db* db, const char* name, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    absl::Status st = rc::CheckText(kFn, "name", name);
    if (!st.ok()) return st;
    return db->db.DropCustomField(name);
  });
}

}  // extern "C"
