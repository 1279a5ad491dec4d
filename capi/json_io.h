// JSON glue of the C ABI: parsing caller JSON into core drafts, and core records into JSON text.
// No business rules here: validation of values belongs to the core.
#ifndef RAPPORT_CAPI_JSON_IO_H_
#define RAPPORT_CAPI_JSON_IO_H_

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "rapport/database.h"

namespace rapport::capi {

// Parses JSON text; InvalidArgument (naming `what` and the byte offset) when malformed.
absl::StatusOr<nlohmann::json> ParseJson(const std::string& what, const char* text);

// A customer draft, in the structured or the flat form (see rapport.h, JSON FORMS).
absl::StatusOr<CustomerDraft> CustomerDraftFromJson(const nlohmann::json& j);
// An object of fields.
absl::StatusOr<FieldMap> FieldMapFromJson(const std::string& what, const nlohmann::json& j);
absl::StatusOr<OrderDraft> OrderDraftFromJson(const nlohmann::json& j);

// Serialises JSON for the caller (invalid UTF-8, which the core never stores, is replaced).
inline std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json ContactRolesToJson(const std::vector<ContactRole>& roles);

}  // namespace rapport::capi

#endif  // RAPPORT_CAPI_JSON_IO_H_
