// Contact points, tags, external ids and organisation contacts of a customer.
#include <algorithm>

#include "base/strings.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/text.h"
#include "base/time_format.h"
#include "model/contact_normalize.h"
#include "model/customer_codec.h"
#include "model/customer_repository.h"
#include "store/change_log.h"

namespace rapport::internal {
namespace {

absl::Status Touch(const WriteContext& ctx, CustomerId id) {
  ASSIGN_OR_RETURN(Statement * st, ctx.conn.Cached("UPDATE customers SET version = version + 1, updated_at = ? WHERE id = ?"));
  st->Bind(1, ToMicros(ctx.now)).Bind(2, ToInt(id));
  return st->Run();
}

absl::StatusOr<ContactPoint> LoadContactPoint(Connection& conn, ContactPointId id) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare("SELECT customer_id, kind, value, raw, label, is_primary, opted_out, invalid "
                                              "FROM contact_points WHERE id = ?"));
  st.Bind(1, ToInt(id));
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return absl::NotFoundError(StrCat("contact point ", ToInt(id), " not found"));
  ContactPoint cp;
  cp.id = id;
  cp.customer = CustomerId{st.Int(0)};
  cp.kind = st.TextView(1) == "phone" ? ContactKind::kPhone : ContactKind::kEmail;
  cp.value = st.Text(2);
  cp.raw = st.Text(3);
  cp.label = st.Text(4);
  cp.primary = st.Int(5) != 0;
  cp.opted_out = st.Int(6) != 0;
  cp.invalid = st.Int(7) != 0;
  return cp;
}

absl::Status ClearOtherPrimaries(const WriteContext& ctx, const ContactPoint& cp) {
  ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare(
                                     "UPDATE contact_points SET is_primary = 0 WHERE customer_id = ? AND kind = ? AND id <> ?"));
  st.Bind(1, ToInt(cp.customer)).Bind(2, ToString(cp.kind)).Bind(3, ToInt(cp.id));
  return st.Run();
}

nlohmann::json FlagsJson(const ContactPoint& cp) {
  return {{"label", cp.label}, {"primary", cp.primary}, {"opted_out", cp.opted_out}, {"invalid", cp.invalid}};
}

absl::StatusOr<std::vector<std::string>> TagsOf(Connection& conn, CustomerId id) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare("SELECT tag FROM customer_tags WHERE customer_id = ? ORDER BY tag"));
  st.Bind(1, ToInt(id));
  std::vector<std::string> tags;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    tags.push_back(st.Text(0));
  }
  return tags;
}

}  // namespace

absl::StatusOr<ContactPoint> AddContactPoint(const WriteContext& ctx, CustomerId id, const ContactPointDraft& draft) {
  ContactPoint cp;
  cp.customer = id;
  cp.kind = draft.kind;
  ASSIGN_OR_RETURN(cp.value, NormalizeContact(draft.kind, draft.value, ctx.default_region));
  RETURN_IF_ERROR(CheckUtf8("label", draft.label));
  RETURN_IF_ERROR(CheckCustomerExists(ctx.conn, id));
  cp.raw = draft.value;
  cp.label = draft.label;
  cp.opted_out = draft.opted_out;
  cp.invalid = draft.invalid;
  ASSIGN_OR_RETURN(Statement existing, ctx.conn.Prepare(
                                           "SELECT count(*), coalesce(sum(value = ? COLLATE NOCASE), 0) FROM contact_points "
                                           "WHERE customer_id = ? AND kind = ?"));
  existing.Bind(1, cp.value).Bind(2, ToInt(id)).Bind(3, ToString(cp.kind));
  ASSIGN_OR_RETURN(bool row, existing.Step());
  if (row && existing.Int(1) > 0) {
    return absl::AlreadyExistsError(StrCat(ToString(cp.kind), ": ", cp.value, " is already a contact point of customer ", ToInt(id)));
  }
  cp.primary = draft.primary || (row && existing.Int(0) == 0);
  ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare(
                                     "INSERT INTO contact_points (customer_id, kind, value, raw, label, is_primary, opted_out, invalid) "
                                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  st.Bind(1, ToInt(id)).Bind(2, ToString(cp.kind)).Bind(3, cp.value).Bind(4, cp.raw).Bind(5, cp.label);
  st.Bind(6, int64_t{cp.primary}).Bind(7, int64_t{cp.opted_out}).Bind(8, int64_t{cp.invalid});
  RETURN_IF_ERROR(st.Run());
  cp.id = ContactPointId{ctx.conn.LastInsertRowid()};
  if (cp.primary) RETURN_IF_ERROR(ClearOtherPrimaries(ctx, cp));
  RETURN_IF_ERROR(Touch(ctx, id));
  ChangeEntry e{"contact_point", ToInt(cp.id), ToInt(id), "create", {"kind", "value", "label", "primary", "opted_out", "invalid"},
                nullptr, ContactPointToJson(cp)};
  RETURN_IF_ERROR(AppendChange(ctx.conn, ctx.now, ctx.actor, e).status());
  return cp;
}

absl::StatusOr<ContactPoint> UpdateContactPoint(const WriteContext& ctx, ContactPointId id, const ContactPointPatch& patch) {
  if (patch.label) RETURN_IF_ERROR(CheckUtf8("label", *patch.label));
  ASSIGN_OR_RETURN(ContactPoint cp, LoadContactPoint(ctx.conn, id));
  RETURN_IF_ERROR(CheckCustomerExists(ctx.conn, cp.customer));
  const ContactPoint before = cp;
  if (patch.label) cp.label = *patch.label;
  if (patch.primary) cp.primary = *patch.primary;
  if (patch.opted_out) cp.opted_out = *patch.opted_out;
  if (patch.invalid) cp.invalid = *patch.invalid;
  ChangeEntry e{"contact_point", ToInt(id), ToInt(cp.customer), "update", {}, nlohmann::json::object(), nlohmann::json::object()};
  nlohmann::json b = FlagsJson(before), a = FlagsJson(cp);
  for (const auto& [k, v] : a.items()) {
    if (b[k] != v) {
      e.fields.push_back(k);
      e.before[k] = b[k];
      e.after[k] = v;
    }
  }
  if (e.fields.empty()) return cp;
  ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare(
                                     "UPDATE contact_points SET label = ?, is_primary = ?, opted_out = ?, invalid = ? WHERE id = ?"));
  st.Bind(1, cp.label).Bind(2, int64_t{cp.primary}).Bind(3, int64_t{cp.opted_out}).Bind(4, int64_t{cp.invalid}).Bind(5, ToInt(id));
  RETURN_IF_ERROR(st.Run());
  if (cp.primary && !before.primary) RETURN_IF_ERROR(ClearOtherPrimaries(ctx, cp));
  RETURN_IF_ERROR(Touch(ctx, cp.customer));
  RETURN_IF_ERROR(AppendChange(ctx.conn, ctx.now, ctx.actor, e).status());
  return cp;
}

absl::Status RemoveContactPoint(const WriteContext& ctx, ContactPointId id) {
  ASSIGN_OR_RETURN(ContactPoint cp, LoadContactPoint(ctx.conn, id));
  RETURN_IF_ERROR(CheckCustomerExists(ctx.conn, cp.customer));
  ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare("DELETE FROM contact_points WHERE id = ?"));
  st.Bind(1, ToInt(id));
  RETURN_IF_ERROR(st.Run());
  if (cp.primary) {  // promote the oldest remaining point of the kind
    ASSIGN_OR_RETURN(Statement promote, ctx.conn.Prepare(
                                            "UPDATE contact_points SET is_primary = 1 WHERE id = (SELECT min(id) FROM contact_points "
                                            "WHERE customer_id = ? AND kind = ?)"));
    promote.Bind(1, ToInt(cp.customer)).Bind(2, ToString(cp.kind));
    RETURN_IF_ERROR(promote.Run());
  }
  RETURN_IF_ERROR(Touch(ctx, cp.customer));
  ChangeEntry e{"contact_point", ToInt(id), ToInt(cp.customer), "delete", {"kind", "value"}, ContactPointToJson(cp), nullptr};
  return AppendChange(ctx.conn, ctx.now, ctx.actor, e).status();
}

absl::Status ChangeTag(const WriteContext& ctx, CustomerId id, std::string_view tag, bool add) {
  ASSIGN_OR_RETURN(std::string t, NormalizeTag(tag));
  RETURN_IF_ERROR(CheckCustomerExists(ctx.conn, id));
  ASSIGN_OR_RETURN(std::vector<std::string> before, TagsOf(ctx.conn, id));
  const bool has = std::binary_search(before.begin(), before.end(), t);
  if (has == add) return absl::OkStatus();  // idempotent
  ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare(add ? "INSERT INTO customer_tags (customer_id, tag) VALUES (?, ?)"
                                                      : "DELETE FROM customer_tags WHERE customer_id = ? AND tag = ?"));
  st.Bind(1, ToInt(id)).Bind(2, t);
  RETURN_IF_ERROR(st.Run());
  RETURN_IF_ERROR(Touch(ctx, id));
  ASSIGN_OR_RETURN(std::vector<std::string> after, TagsOf(ctx.conn, id));
  ChangeEntry e{"customer", ToInt(id), ToInt(id), "update", {"tags"}, {{"tags", before}}, {{"tags", after}}};
  return AppendChange(ctx.conn, ctx.now, ctx.actor, e).status();
}

absl::Status AddExternalId(const WriteContext& ctx, CustomerId id, const ExternalId& key) {
  RETURN_IF_ERROR(ValidateExternalId(key));
  RETURN_IF_ERROR(CheckCustomerExists(ctx.conn, id));
  ASSIGN_OR_RETURN(std::optional<CustomerId> owner, LookupExternalId(ctx.conn, key));
  if (owner) {
    if (*owner == id) return absl::OkStatus();
    return absl::AlreadyExistsError(StrCat("external_id: ", key.system, ":", key.key, " already belongs to customer ", ToInt(*owner)));
  }
  ASSIGN_OR_RETURN(Statement other, ctx.conn.Prepare("SELECT key FROM external_ids WHERE customer_id = ? AND system = ?"));
  other.Bind(1, ToInt(id)).Bind(2, key.system);
  ASSIGN_OR_RETURN(bool row, other.Step());
  if (row) {
    return absl::AlreadyExistsError(StrCat("external_id: customer ", ToInt(id), " already has key \"", other.Text(0),
                                                 "\" in system \"", key.system, "\""));
  }
  ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare("INSERT INTO external_ids (system, key, customer_id) VALUES (?, ?, ?)"));
  st.Bind(1, key.system).Bind(2, key.key).Bind(3, ToInt(id));
  RETURN_IF_ERROR(st.Run());
  RETURN_IF_ERROR(Touch(ctx, id));
  ChangeEntry e{"customer", ToInt(id), ToInt(id), "update", {"external_ids"}, nullptr,
                {{"external_ids", {{{"system", key.system}, {"key", key.key}}}}}};
  return AppendChange(ctx.conn, ctx.now, ctx.actor, e).status();
}

absl::Status RemoveExternalId(const WriteContext& ctx, const ExternalId& key) {
  RETURN_IF_ERROR(ValidateExternalId(key));
  ASSIGN_OR_RETURN(std::optional<CustomerId> owner, LookupExternalId(ctx.conn, key));
  if (!owner) return absl::NotFoundError(StrCat("external id ", key.system, ":", key.key, " not found"));
  ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare("DELETE FROM external_ids WHERE system = ? AND key = ?"));
  st.Bind(1, key.system).Bind(2, key.key);
  RETURN_IF_ERROR(st.Run());
  RETURN_IF_ERROR(Touch(ctx, *owner));
  ChangeEntry e{"customer", ToInt(*owner), ToInt(*owner), "update", {"external_ids"},
                {{"external_ids", {{{"system", key.system}, {"key", key.key}}}}}, nullptr};
  return AppendChange(ctx.conn, ctx.now, ctx.actor, e).status();
}

absl::Status LinkContact(const WriteContext& ctx, CustomerId org, CustomerId person, std::string_view role) {
  RETURN_IF_ERROR(CheckUtf8("role", role));
  for (CustomerId id : {org, person}) RETURN_IF_ERROR(CheckCustomerExists(ctx.conn, id));
  ASSIGN_OR_RETURN(Statement kinds, ctx.conn.Prepare("SELECT (SELECT kind FROM customers WHERE id = ?), (SELECT kind FROM customers WHERE id = ?)"));
  kinds.Bind(1, ToInt(org)).Bind(2, ToInt(person));
  ASSIGN_OR_RETURN(bool row, kinds.Step());
  if (!row || kinds.TextView(0) != "organization") {
    return absl::FailedPreconditionError(StrCat("customer ", ToInt(org), " is not an organization"));
  }
  if (kinds.TextView(1) != "person") return absl::FailedPreconditionError(StrCat("customer ", ToInt(person), " is not a person"));
  const std::string clean = CleanText(role);
  ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare(
                                     "INSERT INTO contact_roles (organization_id, person_id, role) VALUES (?, ?, ?) "
                                     "ON CONFLICT (organization_id, person_id) DO UPDATE SET role = excluded.role"));
  st.Bind(1, ToInt(org)).Bind(2, ToInt(person)).Bind(3, clean);
  RETURN_IF_ERROR(st.Run());
  ChangeEntry e{"contact_role", ToInt(person), ToInt(org), "link", {"role"}, nullptr,
                {{"organization_id", ToInt(org)}, {"person_id", ToInt(person)}, {"role", clean}}};
  return AppendChange(ctx.conn, ctx.now, ctx.actor, e).status();
}

absl::Status UnlinkContact(const WriteContext& ctx, CustomerId org, CustomerId person) {
  ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare("DELETE FROM contact_roles WHERE organization_id = ? AND person_id = ?"));
  st.Bind(1, ToInt(org)).Bind(2, ToInt(person));
  RETURN_IF_ERROR(st.Run());
  if (ctx.conn.Changes() == 0) {
    return absl::NotFoundError(StrCat("customer ", ToInt(person), " is not a contact of ", ToInt(org)));
  }
  ChangeEntry e{"contact_role", ToInt(person), ToInt(org), "unlink", {"role"},
                {{"organization_id", ToInt(org)}, {"person_id", ToInt(person)}}, nullptr};
  return AppendChange(ctx.conn, ctx.now, ctx.actor, e).status();
}

absl::StatusOr<std::vector<ContactRole>> ListRoles(Connection& conn, CustomerId id, bool as_organization) {
  RETURN_IF_ERROR(CheckCustomerExists(conn, id));
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(as_organization
      ? "SELECT r.organization_id, r.person_id, r.role FROM contact_roles r JOIN customers c ON c.id = r.person_id "
        "WHERE r.organization_id = ? AND c.deleted_at IS NULL ORDER BY r.person_id"
      : "SELECT r.organization_id, r.person_id, r.role FROM contact_roles r JOIN customers c ON c.id = r.organization_id "
        "WHERE r.person_id = ? AND c.deleted_at IS NULL ORDER BY r.organization_id"));
  st.Bind(1, ToInt(id));
  std::vector<ContactRole> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(ContactRole{CustomerId{st.Int(0)}, CustomerId{st.Int(1)}, st.Text(2)});
  }
  return out;
}

}  // namespace rapport::internal
