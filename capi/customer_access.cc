// Typed accessors of a rapport_customer snapshot.
#include "base/json_value.h"
#include "base/time_format.h"
#include "internal.h"
#include "json_io.h"

namespace rc = rapport::capi;

namespace {

const char* Opt(const rapport_customer* c, const std::optional<std::string> rapport::Customer::*member) {
  if (c == nullptr) return nullptr;
  const auto& value = c->c.*member;
  return value ? value->c_str() : nullptr;
}

const rapport::ContactPoint* Point(const rapport_customer* c, size_t index) {
  if (c == nullptr || index >= c->c.contact_points.size()) return nullptr;
  return &c->c.contact_points[index];
}

const rapport::ExternalId* Ext(const rapport_customer* c, size_t index) {
  if (c == nullptr || index >= c->c.external_ids.size()) return nullptr;
  return &c->c.external_ids[index];
}

}  // namespace

extern "C" {

int64_t rapport_customer_id(const rapport_customer* c) noexcept { return c ? rapport::ToInt(c->c.id) : 0; }

rapport_kind rapport_customer_kind(const rapport_customer* c) noexcept {
  return c != nullptr && c->c.kind == rapport::CustomerKind::kOrganization ? RAPPORT_KIND_ORGANIZATION
                                                                           : RAPPORT_KIND_PERSON;
}

const char* rapport_customer_name(const rapport_customer* c) noexcept { return c ? c->c.name.c_str() : nullptr; }
const char* rapport_customer_industry(const rapport_customer* c) noexcept {
  return Opt(c, &rapport::Customer::industry);
}
const char* rapport_customer_region(const rapport_customer* c) noexcept { return Opt(c, &rapport::Customer::region); }
const char* rapport_customer_size(const rapport_customer* c) noexcept { return Opt(c, &rapport::Customer::size); }
const char* rapport_customer_source(const rapport_customer* c) noexcept { return Opt(c, &rapport::Customer::source); }
const char* rapport_customer_lifecycle_stage(const rapport_customer* c) noexcept {
  return Opt(c, &rapport::Customer::lifecycle_stage);
}

int rapport_customer_has_owner(const rapport_customer* c) noexcept { return c && c->c.owner ? 1 : 0; }
int64_t rapport_customer_owner(const rapport_customer* c) noexcept {
  return c && c->c.owner ? rapport::ToInt(*c->c.owner) : 0;
}

const char* rapport_customer_birthday(const rapport_customer* c) noexcept {
  if (c == nullptr || !c->c.birthday) return nullptr;
  return rc::Safe<const char*>(nullptr, [&]() -> const char* {
    if (!c->birthday) c->birthday = rapport::internal::FormatDate(*c->c.birthday);
    return c->birthday->c_str();
  });
}

int64_t rapport_customer_created_at(const rapport_customer* c) noexcept { return c ? rc::Micros(c->c.created_at) : 0; }
int64_t rapport_customer_updated_at(const rapport_customer* c) noexcept { return c ? rc::Micros(c->c.updated_at) : 0; }
int rapport_customer_is_deleted(const rapport_customer* c) noexcept { return c && c->c.deleted_at ? 1 : 0; }
int64_t rapport_customer_deleted_at(const rapport_customer* c) noexcept {
  return c && c->c.deleted_at ? rc::Micros(*c->c.deleted_at) : 0;
}
int64_t rapport_customer_version(const rapport_customer* c) noexcept { return c ? c->c.version : 0; }

size_t rapport_customer_contact_point_count(const rapport_customer* c) noexcept {
  return c ? c->c.contact_points.size() : 0;
}
int64_t rapport_customer_contact_point_id(const rapport_customer* c, size_t index) noexcept {
  auto* p = Point(c, index);
  return p ? rapport::ToInt(p->id) : 0;
}
rapport_contact_kind rapport_customer_contact_point_kind(const rapport_customer* c, size_t index) noexcept {
  auto* p = Point(c, index);
  return p && p->kind == rapport::ContactKind::kPhone ? RAPPORT_CONTACT_PHONE : RAPPORT_CONTACT_EMAIL;
}
const char* rapport_customer_contact_point_value(const rapport_customer* c, size_t index) noexcept {
  auto* p = Point(c, index);
  return p ? p->value.c_str() : nullptr;
}
const char* rapport_customer_contact_point_raw(const rapport_customer* c, size_t index) noexcept {
  auto* p = Point(c, index);
  return p ? p->raw.c_str() : nullptr;
}
const char* rapport_customer_contact_point_label(const rapport_customer* c, size_t index) noexcept {
  auto* p = Point(c, index);
  return p ? p->label.c_str() : nullptr;
}
int rapport_customer_contact_point_primary(const rapport_customer* c, size_t index) noexcept {
  auto* p = Point(c, index);
  return p && p->primary ? 1 : 0;
}
int rapport_customer_contact_point_opted_out(const rapport_customer* c, size_t index) noexcept {
  auto* p = Point(c, index);
  return p && p->opted_out ? 1 : 0;
}
int rapport_customer_contact_point_invalid(const rapport_customer* c, size_t index) noexcept {
  auto* p = Point(c, index);
  return p && p->invalid ? 1 : 0;
}

size_t rapport_customer_tag_count(const rapport_customer* c) noexcept { return c ? c->c.tags.size() : 0; }
const char* rapport_customer_tag(const rapport_customer* c, size_t index) noexcept {
  if (c == nullptr || index >= c->c.tags.size()) return nullptr;
  return c->c.tags[index].c_str();
}

size_t rapport_customer_external_id_count(const rapport_customer* c) noexcept {
  return c ? c->c.external_ids.size() : 0;
}
const char* rapport_customer_external_id_system(const rapport_customer* c, size_t index) noexcept {
  auto* e = Ext(c, index);
  return e ? e->system.c_str() : nullptr;
}
const char* rapport_customer_external_id_key(const rapport_customer* c, size_t index) noexcept {
  auto* e = Ext(c, index);
  return e ? e->key.c_str() : nullptr;
}

const char* rapport_customer_field_json(const rapport_customer* c, const char* field) noexcept {
  if (c == nullptr || field == nullptr) return nullptr;
  return rc::Safe<const char*>(nullptr, [&]() -> const char* {
    auto it = c->fields.find(std::string_view(field));
    if (it == c->fields.end()) {
      rapport::Value value = c->c.Get(field);
      std::optional<std::string> text;
      if (!value.is_null()) text = rc::Dump(rapport::internal::ValueToJson(value));
      it = c->fields.emplace(field, std::move(text)).first;
    }
    return it->second ? it->second->c_str() : nullptr;
  });
}

const char* rapport_customer_to_json(const rapport_customer* c) noexcept {
  if (c == nullptr) return nullptr;
  return rc::Safe<const char*>(nullptr, [&]() -> const char* {
    if (!c->json) c->json = c->c.ToJson();
    return c->json->c_str();
  });
}

}  // extern "C"
