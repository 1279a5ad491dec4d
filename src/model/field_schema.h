// The fields a customer may have (core and custom) and the validation of values against them.
#ifndef RAPPORT_MODEL_FIELD_SCHEMA_H_
#define RAPPORT_MODEL_FIELD_SCHEMA_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "rapport/customer.h"

namespace re2 {
class RE2;
}

namespace rapport::internal {

// Core customer fields, in column order.
const std::vector<std::string_view>& CoreFieldNames();
bool IsCoreField(std::string_view name);

// A custom field definition with its compiled pattern.
struct CompiledField {
  CustomFieldDef def;
  std::shared_ptr<re2::RE2> pattern;  // null when the definition has none
};

// The custom field definitions of a database at one moment. Immutable once built; shared.
class FieldSchema {
 public:
  explicit FieldSchema(std::vector<CustomFieldDef> defs);

  const CompiledField* Find(std::string_view name) const;
  const std::map<std::string, CompiledField, std::less<>>& fields() const { return fields_; }

  // Checks and canonicalises one value for `name` (core or custom): converts text to the field's
  // type where it is unambiguous (so CSV cells work), applies the field's rules. Null passes here;
  // `required` is checked by CheckRequired. Errors are InvalidArgument "<field>: <problem>".
  absl::StatusOr<Value> Canonicalize(std::string_view name, const Value& value) const;

  // Required fields (core "name" and required custom fields) that `fields` lacks or sets to null.
  absl::Status CheckRequired(const FieldMap& fields) const;

  // The closest known field name to `name`, for "did you mean" hints; empty when none is close.
  std::string Suggest(std::string_view name) const;

 private:
  std::map<std::string, CompiledField, std::less<>> fields_;
};

// Validates a new definition (name syntax, type-specific rules, compilable pattern, options).
absl::Status ValidateDefinition(const CustomFieldDef& def);

nlohmann::json DefinitionToJson(const CustomFieldDef& def);
absl::StatusOr<CustomFieldDef> DefinitionFromJson(const nlohmann::json& json);
absl::StatusOr<FieldType> ParseFieldType(std::string_view text);

}  // namespace rapport::internal

#endif  // RAPPORT_MODEL_FIELD_SCHEMA_H_
