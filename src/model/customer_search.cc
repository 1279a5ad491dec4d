// Customer search with keyset paging.
#include <string>
#include <vector>

#include "base/strings.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "base/json_value.h"
#include "base/status_macros.h"
#include "base/text.h"
#include "model/contact_normalize.h"
#include "model/customer_repository.h"
#include "model/name_index.h"
#include "store/change_log.h"

namespace rapport::internal {

absl::StatusOr<CustomerPage> SearchCustomers(Connection& conn, const FieldSchema& schema,
                                             std::string_view default_region, const CustomerQuery& q) {
  if (q.limit <= 0 || q.limit > 10000) return absl::InvalidArgumentError("limit: must be between 1 and 10000");
  std::vector<std::string> where;
  std::vector<Value> args;
  bool fts_leads = false;  // the name index leads the query
  if (!q.include_deleted) where.push_back("c.deleted_at IS NULL");
  if (!q.name_contains.empty()) {
    RETURN_IF_ERROR(CheckUtf8("name_contains", q.name_contains));
    const std::string key = NormalizeForMatch(CleanText(q.name_contains));
    if (!key.empty()) {
      // The name index leads the query in rowid order, so a page stops after `limit` matches
      // however many there are.
      fts_leads = true;
      NameQuery name = PlanNameQuery(key);
      where.push_back("n.customer_names MATCH ?");
      args.emplace_back(std::move(name.match));
      if (!name.verify.empty()) {
        where.push_back("instr(rapport_fold(c.name), ?) > 0");
        args.emplace_back(std::move(name.verify));
      }
    }
  }
  if (!q.contact.empty()) {
    RETURN_IF_ERROR(CheckUtf8("contact", q.contact));
    const bool email = q.contact.find('@') != std::string::npos;
    auto value = NormalizeContact(email ? ContactKind::kEmail : ContactKind::kPhone, q.contact, default_region);
    if (!value.ok()) return absl::InvalidArgumentError(StrCat("contact: ", value.status().message()));
    where.push_back("c.id IN (SELECT customer_id FROM contact_points WHERE kind = ? AND value = ? COLLATE NOCASE)");
    args.emplace_back(email ? "email" : "phone");
    args.emplace_back(*value);
  }
  for (const std::string& tag : q.tags) {
    ASSIGN_OR_RETURN(std::string t, NormalizeTag(tag));
    where.push_back("c.id IN (SELECT customer_id FROM customer_tags WHERE tag = ?)");
    args.emplace_back(t);
  }
  if (q.owner) {
    where.push_back("c.owner = ?");
    args.emplace_back(ToInt(*q.owner));
  }
  if (q.lifecycle_stage) {
    RETURN_IF_ERROR(CheckUtf8("lifecycle_stage", *q.lifecycle_stage));
    where.push_back("c.lifecycle_stage = ?");
    args.emplace_back(*q.lifecycle_stage);
  }
  if (q.custom_field_equals) {
    const auto& [name, value] = *q.custom_field_equals;
    if (schema.Find(name) == nullptr) {
      std::string hint = schema.Suggest(name);
      return absl::InvalidArgumentError(StrCat("unknown custom field \"", name, "\"",
                                                     hint.empty() ? "" : StrCat(" (did you mean \"", hint, "\"?)")));
    }
    ASSIGN_OR_RETURN(Value canonical, schema.Canonicalize(name, value));
    where.push_back(StrCat("json_extract(c.custom, '$.", name, "') = ?"));
    args.push_back(canonical.type() == Value::Type::kMoney || canonical.type() == Value::Type::kList
                       ? Value(DumpJson(ValueToJson(canonical)))
                       : canonical);
  }
  if (q.external_id) {
    where.push_back("c.id IN (SELECT customer_id FROM external_ids WHERE system = ? AND key = ?)");
    args.emplace_back(q.external_id->system);
    args.emplace_back(q.external_id->key);
  }
  const char* id = fts_leads ? "n.rowid" : "c.id";
  if (q.after) {
    where.push_back(StrCat(id, " > ?"));
    args.emplace_back(ToInt(*q.after));
  }
  std::string sql = fts_leads ? "SELECT c.id FROM customer_names n CROSS JOIN customers c ON c.id = n.rowid"
                              : "SELECT c.id FROM customers c";
  if (!where.empty()) absl::StrAppend(&sql, " WHERE ", absl::StrJoin(where, " AND "));
  absl::StrAppend(&sql, " ORDER BY ", id, " LIMIT ", q.limit + 1);
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(sql));
  for (size_t i = 0; i < args.size(); ++i) {
    const Value& v = args[i];
    const int pos = static_cast<int>(i + 1);
    switch (v.type()) {
      case Value::Type::kInt: st.Bind(pos, v.as_int()); break;
      case Value::Type::kBool: st.Bind(pos, int64_t{v.as_bool()}); break;
      case Value::Type::kDouble: st.Bind(pos, v.as_double()); break;
      case Value::Type::kText: st.Bind(pos, v.as_text()); break;
      default: st.BindNull(pos); break;
    }
  }
  std::vector<int64_t> ids;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    ids.push_back(st.Int(0));
  }
  CustomerPage page;
  if (static_cast<int>(ids.size()) > q.limit) {
    ids.pop_back();
    page.next = CustomerId{ids.back()};
  }
  for (int64_t id : ids) {
    ASSIGN_OR_RETURN(Customer c, LoadCustomer(conn, schema, CustomerId{id}, true));
    page.customers.push_back(std::move(c));
  }
  return page;
}

}  // namespace rapport::internal
