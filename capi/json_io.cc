#include "json_io.h"

#include "absl/strings/str_cat.h"
#include "base/json_value.h"
#include "base/time_format.h"

namespace rapport::capi {
namespace {

using nlohmann::json;

absl::Status Invalid(const std::string& what, const std::string& rule) {
  return absl::InvalidArgumentError(absl::StrCat(what, ": ", rule));
}

absl::StatusOr<std::string> GetString(const std::string& what, const json& j) {
  if (!j.is_string()) return Invalid(what, "must be a string");
  return j.get<std::string>();
}

absl::StatusOr<bool> GetBool(const std::string& what, const json& j) {
  if (!j.is_boolean()) return Invalid(what, "must be true or false");
  return j.get<bool>();
}

absl::StatusOr<int64_t> GetInt(const std::string& what, const json& j) {
  if (j.is_number_integer()) return j.get<int64_t>();
  if (j.is_number_unsigned() && j.get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(j.get<uint64_t>());
  }
  return Invalid(what, "must be an integer");
}

absl::StatusOr<ContactKind> ParseContactKind(const std::string& what, const json& j) {
  auto text = GetString(what, j);
  if (!text.ok()) return text.status();
  if (*text == ToString(ContactKind::kEmail)) return ContactKind::kEmail;
  if (*text == ToString(ContactKind::kPhone)) return ContactKind::kPhone;
  return Invalid(what, "must be \"email\" or \"phone\"");
}

absl::Status AddContactPoints(const json& j, CustomerDraft& draft) {
  if (!j.is_array()) return Invalid("contact_points", "must be an array");
  for (size_t i = 0; i < j.size(); ++i) {
    const json& item = j[i];
    std::string where = absl::StrCat("contact_points[", i, "]");
    if (!item.is_object()) return Invalid(where, "must be an object");
    ContactPointDraft cp;
    for (const auto& [key, value] : item.items()) {
      std::string what = absl::StrCat(where, ".", key);
      if (key == "kind") {
        auto kind = ParseContactKind(what, value);
        if (!kind.ok()) return kind.status();
        cp.kind = *kind;
      } else if (key == "value" || key == "label") {
        auto text = GetString(what, value);
        if (!text.ok()) return text.status();
        (key == "value" ? cp.value : cp.label) = *std::move(text);
      } else if (key == "primary" || key == "opted_out" || key == "invalid") {
        auto flag = GetBool(what, value);
        if (!flag.ok()) return flag.status();
        (key == "primary" ? cp.primary : key == "opted_out" ? cp.opted_out : cp.invalid) = *flag;
      } else {
        return Invalid(what, "unknown member");
      }
    }
    if (item.find("value") == item.end()) return Invalid(absl::StrCat(where, ".value"), "is required");
    draft.contact_points.push_back(std::move(cp));
  }
  return absl::OkStatus();
}

// "email": "a@x" or ["a@x", "b@x"]: contact points of `kind`, the first one primary.
absl::Status AddFlatContacts(const std::string& what, ContactKind kind, const json& j, CustomerDraft& draft) {
  std::vector<std::string> values;
  if (j.is_string()) {
    values.push_back(j.get<std::string>());
  } else if (j.is_array()) {
    for (const auto& v : j) {
      if (!v.is_string()) return Invalid(what, "must be a string or an array of strings");
      values.push_back(v.get<std::string>());
    }
  } else if (!j.is_null()) {
    return Invalid(what, "must be a string or an array of strings");
  }
  bool first = true;
  for (auto& value : values) {
    ContactPointDraft cp;
    cp.kind = kind;
    cp.value = std::move(value);
    cp.primary = first;
    first = false;
    draft.contact_points.push_back(std::move(cp));
  }
  return absl::OkStatus();
}

absl::Status AddTags(const json& j, CustomerDraft& draft) {
  if (!j.is_array()) return Invalid("tags", "must be an array of strings");
  for (const auto& tag : j) {
    if (!tag.is_string()) return Invalid("tags", "must be an array of strings");
    draft.tags.push_back(tag.get<std::string>());
  }
  return absl::OkStatus();
}

absl::Status AddExternalIds(const json& j, CustomerDraft& draft) {
  if (!j.is_array()) return Invalid("external_ids", "must be an array");
  for (size_t i = 0; i < j.size(); ++i) {
    std::string where = absl::StrCat("external_ids[", i, "]");
    const json& item = j[i];
    if (!item.is_object() || item.size() != 2 || !item.contains("system") || !item.contains("key")) {
      return Invalid(where, "must be {\"system\": \"...\", \"key\": \"...\"}");
    }
    auto system = GetString(where + ".system", item["system"]);
    if (!system.ok()) return system.status();
    auto key = GetString(where + ".key", item["key"]);
    if (!key.ok()) return key.status();
    draft.external_ids.push_back(ExternalId{*std::move(system), *std::move(key)});
  }
  return absl::OkStatus();
}

absl::Status SetField(const std::string& name, const json& value, FieldMap& fields) {
  auto v = internal::ValueFromJson(name, value);
  if (!v.ok()) return v.status();
  fields[name] = *std::move(v);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<json> ParseJson(const std::string& what, const char* text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    // Parse again for the error's position; cheap on the failure path only.
    try {
      json again = json::parse(text);
      (void)again;
    } catch (const json::parse_error& e) {
      return Invalid(what, absl::StrCat("malformed JSON (", e.what(), ")"));
    }
    return Invalid(what, "malformed JSON");
  }
  return j;
}

absl::StatusOr<FieldMap> FieldMapFromJson(const std::string& what, const json& j) {
  if (!j.is_object()) return Invalid(what, "must be a JSON object of fields");
  FieldMap fields;
  for (const auto& [key, value] : j.items()) {
    absl::Status st = SetField(key, value, fields);
    if (!st.ok()) return st;
  }
  return fields;
}

absl::StatusOr<CustomerDraft> CustomerDraftFromJson(const json& j) {
  if (!j.is_object()) return Invalid("customer", "must be a JSON object");
  CustomerDraft draft;
  const bool structured = j.contains("fields");
  for (const auto& [key, value] : j.items()) {
    absl::Status st;
    if (key == "contact_points") {
      st = AddContactPoints(value, draft);
    } else if (key == "tags") {
      st = AddTags(value, draft);
    } else if (key == "external_ids") {
      st = AddExternalIds(value, draft);
    } else if (structured) {
      if (key != "fields") {
        return Invalid(key, "unknown member (allowed: fields, contact_points, tags, external_ids)");
      }
      auto fields = FieldMapFromJson("fields", value);
      if (!fields.ok()) return fields.status();
      draft.fields = *std::move(fields);
    } else if (key == "email") {
      st = AddFlatContacts(key, ContactKind::kEmail, value, draft);
    } else if (key == "phone") {
      st = AddFlatContacts(key, ContactKind::kPhone, value, draft);
    } else {
      st = SetField(key, value, draft.fields);
    }
    if (!st.ok()) return st;
  }
  return draft;
}

absl::StatusOr<OrderDraft> OrderDraftFromJson(const json& j) {
  if (!j.is_object()) return Invalid("order", "must be a JSON object");
  OrderDraft draft;
  bool has_minor = false;
  for (const auto& [key, value] : j.items()) {
    if (key == "ordered_at" && value.is_string()) {  // RFC 3339, the form OrderToJson writes
      auto t = internal::ParseTimestamp(key, value.get<std::string>());
      if (!t.ok()) return t.status();
      draft.ordered_at = *t;
    } else if (key == "customer" || key == "customer_id" || key == "ordered_at" || key == "amount_minor") {
      auto n = GetInt(key, value);
      if (!n.ok()) return n.status();
      if (key == "customer" || key == "customer_id") draft.customer = CustomerId{*n};
      if (key == "ordered_at") draft.ordered_at = absl::FromUnixMicros(*n);
      if (key == "amount_minor") {
        draft.amount.minor = *n;
        has_minor = true;
      }
    } else if (key == "currency" || key == "status" || key == "external_ref") {
      auto text = GetString(key, value);
      if (!text.ok()) return text.status();
      (key == "currency" ? draft.amount.currency : key == "status" ? draft.status : draft.external_ref) =
          *std::move(text);
    } else if (key == "amount") {
      auto v = internal::ValueFromJson("amount", value);
      if (!v.ok()) return v.status();
      if (v->type() != Value::Type::kMoney) {
        return Invalid("amount", "must be {\"minor\": 1234, \"currency\": \"CNY\"}");
      }
      draft.amount = v->as_money();
      has_minor = true;
    } else if (key == "items") {
      if (!value.is_array()) return Invalid("items", "must be an array");
      for (size_t i = 0; i < value.size(); ++i) {
        std::string where = absl::StrCat("items[", i, "]");
        const json& item = value[i];
        if (!item.is_object()) return Invalid(where, "must be an object");
        OrderItem oi;
        for (const auto& [ik, iv] : item.items()) {
          std::string what = absl::StrCat(where, ".", ik);
          if (ik == "sku" || ik == "name") {
            auto text = GetString(what, iv);
            if (!text.ok()) return text.status();
            (ik == "sku" ? oi.sku : oi.name) = *std::move(text);
          } else if (ik == "quantity" || ik == "unit_price_minor") {
            auto n = GetInt(what, iv);
            if (!n.ok()) return n.status();
            (ik == "quantity" ? oi.quantity : oi.unit_price_minor) = *n;
          } else {
            return Invalid(what, "unknown member");
          }
        }
        draft.items.push_back(std::move(oi));
      }
    } else {
      return Invalid(key, "unknown member of an order");
    }
  }
  if (!j.contains("customer") && !j.contains("customer_id")) return Invalid("customer_id", "is required");
  if (!has_minor) return Invalid("amount", "is required");
  return draft;
}

json ContactRolesToJson(const std::vector<ContactRole>& roles) {
  json out = json::array();
  for (const auto& role : roles) {
    out.push_back({{"organization", ToInt(role.organization)}, {"person", ToInt(role.person)}, {"role", role.role}});
  }
  return out;
}

}  // namespace rapport::capi
