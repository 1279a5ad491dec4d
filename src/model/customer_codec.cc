#include "model/customer_codec.h"

#include "absl/strings/str_cat.h"
#include "base/json_value.h"
#include "base/money.h"
#include "base/strings.h"
#include "base/time_format.h"
#include "store/change_log.h"

namespace rapport {

std::string_view ToString(CustomerKind kind) { return kind == CustomerKind::kOrganization ? "organization" : "person"; }
std::string_view ToString(ContactKind kind) { return kind == ContactKind::kPhone ? "phone" : "email"; }
std::string_view ToString(FieldType type) {
  switch (type) {
    case FieldType::kText: return "text";
    case FieldType::kInteger: return "integer";
    case FieldType::kDecimal: return "decimal";
    case FieldType::kMoney: return "money";
    case FieldType::kDate: return "date";
    case FieldType::kTime: return "time";
    case FieldType::kBool: return "bool";
    case FieldType::kEnum: return "enum";
    case FieldType::kMultiEnum: return "multi_enum";
  }
  return "text";
}
std::string_view ToString(ActivityKind kind) {
  switch (kind) {
    case ActivityKind::kCall: return "call";
    case ActivityKind::kVisit: return "visit";
    case ActivityKind::kEmail: return "email";
    case ActivityKind::kNote: return "note";
    case ActivityKind::kMessage: return "message";
  }
  return "note";
}

Value Customer::Get(std::string_view field) const {
  FieldMap all = internal::FieldsOf(*this);
  auto it = all.find(field);
  return it == all.end() ? Value() : it->second;
}

std::string Customer::ToJson() const {
  return internal::CustomerToJson(*this).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

namespace internal {

FieldMap FieldsOf(const Customer& c) {
  FieldMap m;
  m["kind"] = Value(std::string(ToString(c.kind)));
  m["name"] = Value(c.name);
  auto opt = [&](const char* name, const std::optional<std::string>& v) {
    if (v) m[name] = Value(*v);
  };
  opt("industry", c.industry);
  opt("region", c.region);
  opt("size", c.size);
  opt("source", c.source);
  opt("lifecycle_stage", c.lifecycle_stage);
  if (c.owner) m["owner"] = Value(ToInt(*c.owner));
  if (c.birthday) m["birthday"] = Value(FormatDate(*c.birthday));
  for (const auto& [k, v] : c.custom_fields) {
    if (!v.is_null()) m[k] = v;
  }
  return m;
}

nlohmann::json FieldMapToJson(const FieldMap& fields) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : fields) j[k] = ValueToJson(v);
  return j;
}

nlohmann::json ContactPointToJson(const ContactPoint& cp) {
  return {{"id", ToInt(cp.id)},       {"kind", std::string(ToString(cp.kind))},
          {"value", cp.value},        {"raw", cp.raw},
          {"label", cp.label},        {"primary", cp.primary},
          {"opted_out", cp.opted_out}, {"invalid", cp.invalid}};
}

nlohmann::ordered_json CustomerToJson(const Customer& c) {
  using Json = nlohmann::ordered_json;
  // Keys in reading order: identity, core fields, parts, bookkeeping.
  Json j;
  j["id"] = ToInt(c.id);
  j["kind"] = std::string(ToString(c.kind));
  j["name"] = c.name;
  auto opt = [&](const char* name, const std::optional<std::string>& v) { j[name] = v ? Json(*v) : Json(nullptr); };
  opt("industry", c.industry);
  opt("region", c.region);
  opt("size", c.size);
  opt("source", c.source);
  j["owner"] = c.owner ? Json(ToInt(*c.owner)) : Json(nullptr);
  j["birthday"] = c.birthday ? Json(FormatDate(*c.birthday)) : Json(nullptr);
  opt("lifecycle_stage", c.lifecycle_stage);
  j["custom"] = Json(FieldMapToJson(c.custom_fields));
  j["contact_points"] = Json::array();
  for (const ContactPoint& cp : c.contact_points) j["contact_points"].push_back(Json(ContactPointToJson(cp)));
  j["tags"] = c.tags;
  j["external_ids"] = Json::array();
  for (const ExternalId& e : c.external_ids) j["external_ids"].push_back({{"system", e.system}, {"key", e.key}});
  j["version"] = c.version;
  j["created_at"] = FormatTimestamp(c.created_at);
  j["updated_at"] = FormatTimestamp(c.updated_at);
  j["deleted_at"] = c.deleted_at ? Json(FormatTimestamp(*c.deleted_at)) : Json(nullptr);
  return j;
}

nlohmann::json OrderToJson(const Order& o) {
  nlohmann::json items = nlohmann::json::array();
  for (const OrderItem& item : o.items) {
    items.push_back({{"sku", item.sku}, {"name", item.name}, {"quantity", item.quantity},
                     {"unit_price_minor", item.unit_price_minor}});
  }
  return {{"id", ToInt(o.id)},
          {"customer_id", ToInt(o.customer)},
          {"amount_minor", o.amount.minor},
          {"amount", FormatAmount(o.amount)},
          {"currency", o.amount.currency},
          {"ordered_at", FormatTimestamp(o.ordered_at)},
          {"status", o.status},
          {"external_ref", o.external_ref},
          {"items", items},
          {"created_at", FormatTimestamp(o.created_at)}};
}

nlohmann::json ActivityToJson(const Activity& a) {
  return {{"id", ToInt(a.id)},
          {"customer_id", ToInt(a.customer)},
          {"kind", std::string(ToString(a.kind))},
          {"at", FormatTimestamp(a.at)},
          {"owner", a.owner ? nlohmann::json(ToInt(*a.owner)) : nlohmann::json(nullptr)},
          {"outcome", a.outcome},
          {"text", a.text},
          {"created_at", FormatTimestamp(a.created_at)}};
}

absl::StatusOr<ContactKind> ParseContactKind(std::string_view text) {
  if (text == "email") return ContactKind::kEmail;
  if (text == "phone") return ContactKind::kPhone;
  return absl::InvalidArgumentError(StrCat("kind: \"", text, "\" is not a contact point kind (email, phone)"));
}

absl::StatusOr<ActivityKind> ParseActivityKind(std::string_view text) {
  for (ActivityKind k : {ActivityKind::kCall, ActivityKind::kVisit, ActivityKind::kEmail, ActivityKind::kNote,
                         ActivityKind::kMessage}) {
    if (ToString(k) == text) return k;
  }
  return absl::InvalidArgumentError(
      StrCat("kind: \"", text, "\" is not an activity kind (call, visit, email, note, message)"));
}

}  // namespace internal
}  // namespace rapport
