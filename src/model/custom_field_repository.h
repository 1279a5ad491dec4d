// Custom field definitions in the store, with the indexes they ask for.
#ifndef RAPPORT_MODEL_CUSTOM_FIELD_REPOSITORY_H_
#define RAPPORT_MODEL_CUSTOM_FIELD_REPOSITORY_H_

#include <vector>

#include "absl/status/statusor.h"
#include "model/customer_repository.h"
#include "rapport/customer.h"
#include "store/sqlite.h"

namespace rapport::internal {

absl::StatusOr<std::vector<CustomFieldDef>> LoadCustomFields(Connection& conn);
// Validates and stores a new definition; creates its index (unique ones check existing values first).
absl::Status InsertCustomField(const WriteContext& ctx, const CustomFieldDef& def);
absl::Status DeleteCustomField(const WriteContext& ctx, std::string_view name);

}  // namespace rapport::internal

#endif  // RAPPORT_MODEL_CUSTOM_FIELD_REPOSITORY_H_
