// Conversions between rapport::Value and nlohmann::json (internal; faces and the store use it).
#ifndef RAPPORT_BASE_JSON_VALUE_H_
#define RAPPORT_BASE_JSON_VALUE_H_

#include <string_view>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "rapport/value.h"

namespace rapport::internal {

nlohmann::json ValueToJson(const Value& value);
// null, bool, integer, float, string, array of strings, and {"minor": int, "currency": "XXX"} objects
// (also {"amount": "12.34", "currency": "XXX"}); anything else is InvalidArgument naming `field`.
absl::StatusOr<Value> ValueFromJson(std::string_view field, const nlohmann::json& json);

}  // namespace rapport::internal

#endif  // RAPPORT_BASE_JSON_VALUE_H_
