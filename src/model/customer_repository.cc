#include "model/customer_repository.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/json_value.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "base/text.h"
#include "base/time_format.h"
#include "model/contact_normalize.h"
#include "model/customer_codec.h"
#include "model/name_index.h"
#include "store/change_log.h"

namespace rapport::internal {
namespace {

constexpr char kSelectCustomer[] =
    "SELECT id, kind, name, industry, region, size, source, owner, birthday, lifecycle_stage, custom, "
    "created_at, updated_at, deleted_at, version FROM customers WHERE id = ?";

void BindValue(Statement& st, int i, const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull: st.BindNull(i); break;
    case Value::Type::kBool: st.Bind(i, int64_t{v.as_bool() ? 1 : 0}); break;
    case Value::Type::kInt: st.Bind(i, v.as_int()); break;
    case Value::Type::kDouble: st.Bind(i, v.as_double()); break;
    case Value::Type::kText: st.Bind(i, v.as_text()); break;
    default: st.Bind(i, DumpJson(ValueToJson(v))); break;
  }
}

// Checks unique custom fields in `fields` against other live customers.
absl::Status CheckUnique(Connection& conn, const FieldSchema& schema, const FieldMap& fields, int64_t self_id) {
  for (const auto& [name, value] : fields) {
    const CompiledField* f = schema.Find(name);
    if (f == nullptr || !f->def.unique || value.is_null()) continue;
    ASSIGN_OR_RETURN(Statement st, conn.Prepare(StrCat(
                                       "SELECT id FROM customers WHERE json_extract(custom, '$.", name,
                                       "') = ? AND deleted_at IS NULL AND id <> ? LIMIT 1")));
    BindValue(st, 1, value);
    st.Bind(2, self_id);
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (row) {
      return absl::AlreadyExistsError(StrCat(name, ": ", value.ToJson(), " is already used by customer ",
                                                   st.Int(0), " (rule: unique)"));
    }
  }
  return absl::OkStatus();
}

std::string CustomJson(const FieldMap& f) {
  nlohmann::json custom = nlohmann::json::object();
  for (const auto& [k, v] : f) {
    if (!IsCoreField(k) && !v.is_null()) custom[k] = ValueToJson(v);
  }
  return DumpJson(custom);
}

// Binds the core columns and `custom_json` (computed from `f` when empty) from `first` on.
absl::Status BindCoreColumns(Statement& st, const FieldMap& f, int first, const std::string& custom_json = "") {
  auto get = [&](const char* name) -> Value {
    auto it = f.find(name);
    return it == f.end() ? Value() : it->second;
  };
  const Value kind = get("kind");
  st.Bind(first, kind.is_null() ? std::string("person") : kind.as_text());
  st.Bind(first + 1, get("name").as_text());
  int i = first + 2;
  for (const char* name : {"industry", "region", "size", "source"}) BindValue(st, i++, get(name));
  BindValue(st, i++, get("owner"));
  BindValue(st, i++, get("birthday"));
  BindValue(st, i++, get("lifecycle_stage"));
  st.Bind(i, custom_json.empty() ? CustomJson(f) : custom_json);
  return absl::OkStatus();
}

// With `external_ids_free`, the caller has checked that no customer has the external ids yet.
absl::Status InsertParts(const WriteContext& ctx, int64_t id, const PreparedCustomer& c, bool external_ids_free) {
  for (const ContactPoint& cp : c.contact_points) {
    ASSIGN_OR_RETURN(Statement * st, ctx.conn.Cached(
                                         "INSERT INTO contact_points (customer_id, kind, value, raw, label, "
                                         "is_primary, opted_out, invalid) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    st->Bind(1, id).Bind(2, ToString(cp.kind)).Bind(3, cp.value).Bind(4, cp.raw).Bind(5, cp.label);
    st->Bind(6, int64_t{cp.primary}).Bind(7, int64_t{cp.opted_out}).Bind(8, int64_t{cp.invalid});
    RETURN_IF_ERROR(st->Run());
  }
  for (const std::string& tag : c.tags) {
    ASSIGN_OR_RETURN(Statement * st, ctx.conn.Cached("INSERT OR IGNORE INTO customer_tags (customer_id, tag) VALUES (?, ?)"));
    st->Bind(1, id).Bind(2, tag);
    RETURN_IF_ERROR(st->Run());
  }
  for (const ExternalId& e : c.external_ids) {
    std::optional<CustomerId> owner;
    if (!external_ids_free) {
      ASSIGN_OR_RETURN(owner, LookupExternalId(ctx.conn, e));
    }
    if (owner && ToInt(*owner) != id) {
      return absl::AlreadyExistsError(StrCat("external_id: ", e.system, ":", e.key,
                                                   " already belongs to customer ", ToInt(*owner)));
    }
    if (owner) continue;
    ASSIGN_OR_RETURN(Statement * st, ctx.conn.Cached("INSERT INTO external_ids (system, key, customer_id) VALUES (?, ?, ?)"));
    st->Bind(1, e.system).Bind(2, e.key).Bind(3, id);
    RETURN_IF_ERROR(st->Run());
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> NormalizeTag(std::string_view tag) {
  RETURN_IF_ERROR(CheckUtf8("tag", tag));
  std::string t = NormalizeForMatch(CleanText(tag));
  if (t.empty()) return absl::InvalidArgumentError("tag: must not be empty");
  if (CodePointCount(t) > 100) return absl::InvalidArgumentError("tag: longer than 100 characters");
  for (char c : t) {
    if (static_cast<unsigned char>(c) < 0x20) return absl::InvalidArgumentError("tag: control characters are not allowed");
  }
  return t;
}

absl::Status ValidateExternalId(const ExternalId& key) {
  RETURN_IF_ERROR(CheckUtf8("external_id.system", key.system));
  RETURN_IF_ERROR(CheckUtf8("external_id.key", key.key));
  if (key.system.empty() || key.system.size() > 64) {
    return absl::InvalidArgumentError("external_id.system: must have 1 to 64 bytes");
  }
  if (key.key.empty() || key.key.size() > 256) return absl::InvalidArgumentError("external_id.key: must have 1 to 256 bytes");
  return absl::OkStatus();
}

absl::StatusOr<FieldMap> CanonicalPatch(const FieldSchema& schema, const FieldMap& fields) {
  FieldMap out;
  for (const auto& [name, value] : fields) {
    ASSIGN_OR_RETURN(Value canonical, schema.Canonicalize(name, value));
    out[name] = std::move(canonical);
  }
  return out;
}

absl::StatusOr<PreparedCustomer> PrepareCustomer(const FieldSchema& schema, std::string_view default_region,
                                                 const CustomerDraft& draft, bool for_create) {
  PreparedCustomer p;
  ASSIGN_OR_RETURN(p.fields, CanonicalPatch(schema, draft.fields));
  for (auto it = p.fields.begin(); it != p.fields.end();) {  // nulls mean "unset" on create
    it = it->second.is_null() ? p.fields.erase(it) : std::next(it);
  }
  if (for_create) RETURN_IF_ERROR(schema.CheckRequired(p.fields));
  bool has_primary[2] = {false, false};
  for (const ContactPointDraft& d : draft.contact_points) {
    ContactPoint cp;
    cp.kind = d.kind;
    ASSIGN_OR_RETURN(cp.value, NormalizeContact(d.kind, d.value, default_region));
    cp.raw = d.value;
    RETURN_IF_ERROR(CheckUtf8("label", d.label));
    cp.label = d.label;
    cp.opted_out = d.opted_out;
    cp.invalid = d.invalid;
    cp.primary = d.primary;
    const bool duplicate = std::any_of(p.contact_points.begin(), p.contact_points.end(), [&](const ContactPoint& x) {
      return x.kind == cp.kind && absl::EqualsIgnoreCase(AsAbsl(x.value), AsAbsl(cp.value));
    });
    if (duplicate) continue;
    bool& seen = has_primary[static_cast<int>(d.kind)];
    if (cp.primary && seen) {
      return absl::InvalidArgumentError(StrCat(ToString(d.kind), ": only one primary ", ToString(d.kind), " per customer"));
    }
    seen = seen || cp.primary;
    p.contact_points.push_back(std::move(cp));
  }
  for (int k = 0; k < 2; ++k) {  // the first of a kind is primary unless one was named
    if (has_primary[k]) continue;
    for (ContactPoint& cp : p.contact_points) {
      if (static_cast<int>(cp.kind) == k) {
        cp.primary = true;
        break;
      }
    }
  }
  for (const std::string& tag : draft.tags) {
    ASSIGN_OR_RETURN(std::string t, NormalizeTag(tag));
    p.tags.push_back(std::move(t));
  }
  std::sort(p.tags.begin(), p.tags.end());
  p.tags.erase(std::unique(p.tags.begin(), p.tags.end()), p.tags.end());
  for (const ExternalId& e : draft.external_ids) {
    RETURN_IF_ERROR(ValidateExternalId(e));
    for (const ExternalId& other : p.external_ids) {
      if (other.system == e.system && other.key != e.key) {
        return absl::InvalidArgumentError(StrCat("external_id: two keys for system \"", e.system, "\""));
      }
    }
    if (std::find(p.external_ids.begin(), p.external_ids.end(), e) == p.external_ids.end()) p.external_ids.push_back(e);
  }
  p.custom_json = CustomJson(p.fields);
  if (auto name = p.fields.find("name"); name != p.fields.end()) p.name_key = NormalizeForMatch(name->second.as_text());
  return p;
}

absl::Status CheckCustomerExists(Connection& conn, CustomerId id, bool include_deleted) {
  ASSIGN_OR_RETURN(Statement * st, conn.Cached("SELECT deleted_at FROM customers WHERE id = ?"));
  st->Bind(1, ToInt(id));
  ASSIGN_OR_RETURN(bool row, st->Step());
  const bool deleted = row && !st->IsNull(0);
  st->Reset();
  if (!row || (deleted && !include_deleted)) {
    return absl::NotFoundError(StrCat("customer ", ToInt(id), " not found", deleted ? " (deleted)" : ""));
  }
  return absl::OkStatus();
}

absl::StatusOr<Customer> LoadCustomer(Connection& conn, const FieldSchema& schema, CustomerId id, bool include_deleted) {
  Customer c;
  {
    ASSIGN_OR_RETURN(Statement * st, conn.Cached(kSelectCustomer));
    st->Bind(1, ToInt(id));
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row || (!st->IsNull(13) && !include_deleted)) {
      const bool deleted = row;
      st->Reset();
      return absl::NotFoundError(StrCat("customer ", ToInt(id), " not found", deleted ? " (deleted)" : ""));
    }
    c.id = CustomerId{st->Int(0)};
    c.kind = st->TextView(1) == "organization" ? CustomerKind::kOrganization : CustomerKind::kPerson;
    c.name = st->Text(2);
    c.industry = st->OptText(3);
    c.region = st->OptText(4);
    c.size = st->OptText(5);
    c.source = st->OptText(6);
    if (!st->IsNull(7)) c.owner = UserId{st->Int(7)};
    if (!st->IsNull(8)) {
      auto day = ParseDate("birthday", st->TextView(8));
      if (day.ok()) c.birthday = *day;
    }
    c.lifecycle_stage = st->OptText(9);
    auto custom = nlohmann::json::parse(st->TextView(10), nullptr, false);
    if (custom.is_object()) {
      for (const auto& [k, v] : custom.items()) {
        if (schema.Find(k) == nullptr) continue;  // only defined fields are returned
        auto value = ValueFromJson(k, v);
        if (value.ok()) c.custom_fields[k] = std::move(value).value();
      }
    }
    c.created_at = FromMicros(st->Int(11));
    c.updated_at = FromMicros(st->Int(12));
    if (!st->IsNull(13)) c.deleted_at = FromMicros(st->Int(13));
    c.version = st->Int(14);
    st->Reset();
  }
  {
    ASSIGN_OR_RETURN(Statement * st, conn.Cached(
                                         "SELECT id, kind, value, raw, label, is_primary, opted_out, invalid "
                                         "FROM contact_points WHERE customer_id = ? ORDER BY id"));
    st->Bind(1, ToInt(id));
    while (true) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      ContactPoint cp;
      cp.id = ContactPointId{st->Int(0)};
      cp.customer = id;
      cp.kind = st->TextView(1) == "phone" ? ContactKind::kPhone : ContactKind::kEmail;
      cp.value = st->Text(2);
      cp.raw = st->Text(3);
      cp.label = st->Text(4);
      cp.primary = st->Int(5) != 0;
      cp.opted_out = st->Int(6) != 0;
      cp.invalid = st->Int(7) != 0;
      c.contact_points.push_back(std::move(cp));
    }
  }
  {
    ASSIGN_OR_RETURN(Statement * st, conn.Cached("SELECT tag FROM customer_tags WHERE customer_id = ? ORDER BY tag"));
    st->Bind(1, ToInt(id));
    while (true) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      c.tags.push_back(st->Text(0));
    }
  }
  {
    ASSIGN_OR_RETURN(Statement * st, conn.Cached("SELECT system, key FROM external_ids WHERE customer_id = ? ORDER BY system, key"));
    st->Bind(1, ToInt(id));
    while (true) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      c.external_ids.push_back(ExternalId{st->Text(0), st->Text(1)});
    }
  }
  return c;
}

absl::StatusOr<std::optional<CustomerId>> LookupExternalId(Connection& conn, const ExternalId& key) {
  ASSIGN_OR_RETURN(Statement * st, conn.Cached("SELECT customer_id FROM external_ids WHERE system = ? AND key = ?"));
  st->Bind(1, key.system).Bind(2, key.key);
  ASSIGN_OR_RETURN(bool row, st->Step());
  std::optional<CustomerId> id;
  if (row) id = CustomerId{st->Int(0)};
  st->Reset();
  return id;
}

absl::StatusOr<CustomerId> InsertCustomer(const WriteContext& ctx, const PreparedCustomer& c, bool log,
                                          const ExternalId* checked_key) {
  RETURN_IF_ERROR(CheckUnique(ctx.conn, ctx.schema, c.fields, 0));
  for (const ExternalId& e : c.external_ids) {
    if (checked_key != nullptr && e == *checked_key) continue;
    ASSIGN_OR_RETURN(std::optional<CustomerId> owner, LookupExternalId(ctx.conn, e));
    if (owner) {
      return absl::AlreadyExistsError(StrCat("external_id: ", e.system, ":", e.key, " already belongs to customer ",
                                                   ToInt(*owner)));
    }
  }
  ASSIGN_OR_RETURN(Statement * st, ctx.conn.Cached(
                                       "INSERT INTO customers (kind, name, industry, region, size, source, owner, "
                                       "birthday, lifecycle_stage, custom, created_at, updated_at) "
                                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  RETURN_IF_ERROR(BindCoreColumns(*st, c.fields, 1, c.custom_json));
  st->Bind(11, ToMicros(ctx.now)).Bind(12, ToMicros(ctx.now));
  RETURN_IF_ERROR(st->Run());
  const int64_t id = ctx.conn.LastInsertRowid();
  RETURN_IF_ERROR(IndexNameKey(ctx.conn, id, c.name_key.empty() ? NormalizeForMatch(c.fields.at("name").as_text()) : c.name_key));
  RETURN_IF_ERROR(InsertParts(ctx, id, c, /*external_ids_free=*/true));
  if (log) {
    ChangeEntry e{"customer", id, id, "create", {}, nullptr, FieldMapToJson(c.fields)};
    for (const auto& [k, v] : c.fields) e.fields.push_back(k);
    if (!c.contact_points.empty()) {
      e.fields.push_back("contact_points");
      e.after["contact_points"] = nlohmann::json::array();
      for (const ContactPoint& cp : c.contact_points) {
        e.after["contact_points"].push_back({{"kind", ToString(cp.kind)}, {"value", cp.value}, {"primary", cp.primary}});
      }
    }
    if (!c.tags.empty()) {
      e.fields.push_back("tags");
      e.after["tags"] = c.tags;
    }
    if (!c.external_ids.empty()) {
      e.fields.push_back("external_ids");
      for (const ExternalId& x : c.external_ids) e.after["external_ids"].push_back({{"system", x.system}, {"key", x.key}});
    }
    RETURN_IF_ERROR(AppendChange(ctx.conn, ctx.now, ctx.actor, e).status());
  }
  return CustomerId{id};
}

absl::StatusOr<bool> MergeIntoCustomer(const WriteContext& ctx, CustomerId id, const FieldMap& fields,
                                       const PreparedCustomer* extras, std::optional<int64_t> expected_version,
                                       bool log) {
  ASSIGN_OR_RETURN(Customer current, LoadCustomer(ctx.conn, ctx.schema, id, false));
  if (expected_version && *expected_version != current.version) {
    return absl::AbortedError(StrCat("customer ", ToInt(id), " has version ", current.version,
                                           ", not the expected ", *expected_version, "; reload and retry"));
  }
  FieldMap before_all = FieldsOf(current);
  FieldMap merged = before_all;
  ChangeEntry e{"customer", ToInt(id), ToInt(id), "update", {}, nlohmann::json::object(), nlohmann::json::object()};
  for (const auto& [name, value] : fields) {
    auto old = before_all.find(name);
    const Value old_value = old == before_all.end() ? Value() : old->second;
    if (old_value == value) continue;
    e.fields.push_back(name);
    e.before[name] = ValueToJson(old_value);
    e.after[name] = ValueToJson(value);
    if (value.is_null()) {
      merged.erase(name);
    } else {
      merged[name] = value;
    }
  }
  const bool fields_changed = !e.fields.empty();
  if (fields_changed) {
    RETURN_IF_ERROR(ctx.schema.CheckRequired(merged));
    FieldMap changed;
    for (const std::string& f : e.fields) changed[f] = merged.count(f) ? merged[f] : Value();
    RETURN_IF_ERROR(CheckUnique(ctx.conn, ctx.schema, changed, ToInt(id)));
    ASSIGN_OR_RETURN(Statement * st, ctx.conn.Cached(
                                         "UPDATE customers SET kind = ?, name = ?, industry = ?, region = ?, size = ?, "
                                         "source = ?, owner = ?, birthday = ?, lifecycle_stage = ?, custom = ? WHERE id = ?"));
    RETURN_IF_ERROR(BindCoreColumns(*st, merged, 1));
    st->Bind(11, ToInt(id));
    RETURN_IF_ERROR(st->Run());
    if (fields.count("name") && e.after.contains("name")) {
      RETURN_IF_ERROR(ReindexName(ctx.conn, ToInt(id), current.name, merged.at("name").as_text()));
    }
  }
  bool parts_changed = false;
  if (extras != nullptr) {
    PreparedCustomer missing;
    for (const ContactPoint& cp : extras->contact_points) {
      bool have = std::any_of(current.contact_points.begin(), current.contact_points.end(),
                              [&](const ContactPoint& x) { return x.kind == cp.kind && absl::EqualsIgnoreCase(AsAbsl(x.value), AsAbsl(cp.value)); });
      if (!have) {
        missing.contact_points.push_back(cp);
        // An existing primary stays primary.
        missing.contact_points.back().primary =
            cp.primary && std::none_of(current.contact_points.begin(), current.contact_points.end(),
                                       [&](const ContactPoint& x) { return x.kind == cp.kind && x.primary; });
      }
    }
    for (const std::string& tag : extras->tags) {
      if (!std::binary_search(current.tags.begin(), current.tags.end(), tag)) missing.tags.push_back(tag);
    }
    for (const ExternalId& x : extras->external_ids) {
      if (std::find(current.external_ids.begin(), current.external_ids.end(), x) == current.external_ids.end()) {
        missing.external_ids.push_back(x);
      }
    }
    RETURN_IF_ERROR(InsertParts(ctx, ToInt(id), missing, /*external_ids_free=*/false));
    if (!missing.contact_points.empty()) {
      e.fields.push_back("contact_points");
      for (const ContactPoint& cp : missing.contact_points) {
        e.after["contact_points"].push_back({{"kind", ToString(cp.kind)}, {"value", cp.value}});
      }
    }
    if (!missing.tags.empty()) {
      e.fields.push_back("tags");
      e.before["tags"] = current.tags;
      std::vector<std::string> all = current.tags;
      all.insert(all.end(), missing.tags.begin(), missing.tags.end());
      std::sort(all.begin(), all.end());
      e.after["tags"] = all;
    }
    if (!missing.external_ids.empty()) {
      e.fields.push_back("external_ids");
      for (const ExternalId& x : missing.external_ids) e.after["external_ids"].push_back({{"system", x.system}, {"key", x.key}});
    }
    parts_changed = !missing.contact_points.empty() || !missing.tags.empty() || !missing.external_ids.empty();
  }
  if (!fields_changed && !parts_changed) return false;
  ASSIGN_OR_RETURN(Statement * bump, ctx.conn.Cached("UPDATE customers SET version = version + 1, updated_at = ? WHERE id = ?"));
  bump->Bind(1, ToMicros(ctx.now)).Bind(2, ToInt(id));
  RETURN_IF_ERROR(bump->Run());
  if (log) RETURN_IF_ERROR(AppendChange(ctx.conn, ctx.now, ctx.actor, e).status());
  return true;
}

absl::Status SetDeleted(const WriteContext& ctx, CustomerId id, bool deleted, std::optional<int64_t> expected_version) {
  RETURN_IF_ERROR(CheckCustomerExists(ctx.conn, id, /*include_deleted=*/true));
  ASSIGN_OR_RETURN(Customer c, LoadCustomer(ctx.conn, ctx.schema, id, true));
  if (expected_version && *expected_version != c.version) {
    return absl::AbortedError(StrCat("customer ", ToInt(id), " has version ", c.version, ", not the expected ",
                                           *expected_version, "; reload and retry"));
  }
  if (c.deleted() == deleted) {
    return deleted ? absl::NotFoundError(StrCat("customer ", ToInt(id), " not found (deleted)"))
                   : absl::FailedPreconditionError(StrCat("customer ", ToInt(id), " is not deleted"));
  }
  if (!deleted) RETURN_IF_ERROR(CheckUnique(ctx.conn, ctx.schema, c.custom_fields, ToInt(id)));
  ASSIGN_OR_RETURN(Statement * st, ctx.conn.Cached(
                                       "UPDATE customers SET deleted_at = ?, version = version + 1, updated_at = ? WHERE id = ?"));
  if (deleted) {
    st->Bind(1, ToMicros(ctx.now));
  } else {
    st->BindNull(1);
  }
  st->Bind(2, ToMicros(ctx.now)).Bind(3, ToInt(id));
  RETURN_IF_ERROR(st->Run());
  nlohmann::json was = c.deleted_at ? nlohmann::json(FormatTimestamp(*c.deleted_at)) : nlohmann::json(nullptr);
  nlohmann::json now = deleted ? nlohmann::json(FormatTimestamp(ctx.now)) : nlohmann::json(nullptr);
  ChangeEntry e{"customer", ToInt(id), ToInt(id), deleted ? "delete" : "restore", {"deleted_at"},
                {{"deleted_at", was}}, {{"deleted_at", now}}};
  return AppendChange(ctx.conn, ctx.now, ctx.actor, e).status();
}

absl::Status Purge(const WriteContext& ctx, CustomerId id) {
  RETURN_IF_ERROR(CheckCustomerExists(ctx.conn, id, /*include_deleted=*/true));
  RETURN_IF_ERROR(RedactCustomerChanges(ctx.conn, ToInt(id)));
  ASSIGN_OR_RETURN(Customer c, LoadCustomer(ctx.conn, ctx.schema, id, /*include_deleted=*/true));
  RETURN_IF_ERROR(UnindexName(ctx.conn, ToInt(id), c.name));
  ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare("DELETE FROM customers WHERE id = ?"));
  st.Bind(1, ToInt(id));
  RETURN_IF_ERROR(st.Run());
  ChangeEntry e{"customer", ToInt(id), ToInt(id), "purge", {}, nullptr, nullptr};
  return AppendChange(ctx.conn, ctx.now, ctx.actor, e).status();
}

}  // namespace rapport::internal
