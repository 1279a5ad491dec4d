// Conversions of customers between stored rows, field maps and JSON.
#ifndef RAPPORT_MODEL_CUSTOMER_CODEC_H_
#define RAPPORT_MODEL_CUSTOMER_CODEC_H_

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "rapport/customer.h"
#include "rapport/timeline.h"

namespace rapport::internal {

// All fields of a customer (core and custom) by name, nulls omitted.
FieldMap FieldsOf(const Customer& customer);
nlohmann::json FieldMapToJson(const FieldMap& fields);
// Keys in reading order (id, kind, name, ...), as every face prints them.
nlohmann::ordered_json CustomerToJson(const Customer& customer);
nlohmann::json ContactPointToJson(const ContactPoint& cp);
nlohmann::json OrderToJson(const Order& order);
nlohmann::json ActivityToJson(const Activity& activity);

absl::StatusOr<ContactKind> ParseContactKind(std::string_view text);
absl::StatusOr<ActivityKind> ParseActivityKind(std::string_view text);

}  // namespace rapport::internal

#endif  // RAPPORT_MODEL_CUSTOMER_CODEC_H_
