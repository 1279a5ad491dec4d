#include "model/custom_field_repository.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "base/time_format.h"
#include "model/field_schema.h"
#include "store/change_log.h"

namespace rapport::internal {

absl::StatusOr<std::vector<CustomFieldDef>> LoadCustomFields(Connection& conn) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare("SELECT definition FROM custom_fields ORDER BY created_at, name"));
  std::vector<CustomFieldDef> defs;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    auto json = nlohmann::json::parse(st.TextView(0), nullptr, false);
    ASSIGN_OR_RETURN(CustomFieldDef def, DefinitionFromJson(json));
    defs.push_back(std::move(def));
  }
  return defs;
}

absl::Status InsertCustomField(const WriteContext& ctx, const CustomFieldDef& input) {
  RETURN_IF_ERROR(ValidateDefinition(input));
  CustomFieldDef def = input;
  def.indexed = def.indexed || def.unique;
  if (ctx.schema.Find(def.name) != nullptr) {
    return absl::AlreadyExistsError(StrCat("custom field \"", def.name, "\" already exists"));
  }
  ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare("INSERT INTO custom_fields (name, definition, created_at) VALUES (?, ?, ?)"));
  const nlohmann::json json = DefinitionToJson(def);
  st.Bind(1, def.name).Bind(2, DumpJson(json)).Bind(3, ToMicros(ctx.now));
  RETURN_IF_ERROR(st.Run());
  // The name is validated as [a-z][a-z0-9_]*, so it is safe inside the index DDL.
  const std::string expr = StrCat("json_extract(custom, '$.", def.name, "')");
  if (def.unique) {
    ASSIGN_OR_RETURN(Statement dup, ctx.conn.Prepare(StrCat(
                                        "SELECT ", expr, " FROM customers WHERE deleted_at IS NULL AND ", expr,
                                        " IS NOT NULL GROUP BY 1 HAVING count(*) > 1 LIMIT 1")));
    ASSIGN_OR_RETURN(bool row, dup.Step());
    if (row) {
      return absl::FailedPreconditionError(StrCat(def.name, ": existing customers share the value ",
                                                        dup.Text(0), "; it cannot be unique"));
    }
  }
  if (def.indexed) {
    RETURN_IF_ERROR(ctx.conn.Exec(StrCat("CREATE ", def.unique ? "UNIQUE " : "", "INDEX cf_", def.name,
                                               " ON customers (", expr, ")", def.unique ? " WHERE deleted_at IS NULL" : "")));
  }
  ChangeEntry e{"custom_field", 0, 0, "create", {def.name}, nullptr, json};
  return AppendChange(ctx.conn, ctx.now, ctx.actor, e).status();
}

absl::Status DeleteCustomField(const WriteContext& ctx, std::string_view name) {
  const CompiledField* field = ctx.schema.Find(name);
  if (field == nullptr) return absl::NotFoundError(StrCat("custom field \"", name, "\" not found"));
  ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare("DELETE FROM custom_fields WHERE name = ?"));
  st.Bind(1, name);
  RETURN_IF_ERROR(st.Run());
  RETURN_IF_ERROR(ctx.conn.Exec(StrCat("DROP INDEX IF EXISTS cf_", field->def.name)));
  // The name is validated as [a-z][a-z0-9_]*, so it is safe inside the path.
  ASSIGN_OR_RETURN(Statement clear, ctx.conn.Prepare(StrCat(
                                        "UPDATE customers SET custom = json_remove(custom, '$.", field->def.name,
                                        "') WHERE json_type(custom, '$.", field->def.name, "') IS NOT NULL")));
  RETURN_IF_ERROR(clear.Run());
  const int cleared = ctx.conn.Changes();
  ChangeEntry e{"custom_field", 0, 0, "delete", {std::string(name)}, DefinitionToJson(field->def),
                {{"values_removed", cleared}}};
  return AppendChange(ctx.conn, ctx.now, ctx.actor, e).status();
}

}  // namespace rapport::internal
