#include "base/json_value.h"

#include "absl/strings/str_cat.h"
#include "base/money.h"
#include "base/strings.h"

namespace rapport::internal {

nlohmann::json ValueToJson(const Value& value) {
  switch (value.type()) {
    case Value::Type::kNull:
      return nullptr;
    case Value::Type::kBool:
      return value.as_bool();
    case Value::Type::kInt:
      return value.as_int();
    case Value::Type::kDouble:
      return value.as_double();
    case Value::Type::kText:
      return value.as_text();
    case Value::Type::kList:
      return value.as_list();
    case Value::Type::kMoney:
      return nlohmann::json{{"minor", value.as_money().minor}, {"currency", value.as_money().currency}};
  }
  return nullptr;
}

absl::StatusOr<Value> ValueFromJson(std::string_view field, const nlohmann::json& json) {
  switch (json.type()) {
    case nlohmann::json::value_t::null:
      return Value();
    case nlohmann::json::value_t::boolean:
      return Value(json.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return Value(json.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      uint64_t u = json.get<uint64_t>();
      if (u > static_cast<uint64_t>(INT64_MAX)) {
        return absl::InvalidArgumentError(StrCat(field, ": integer out of range"));
      }
      return Value(static_cast<int64_t>(u));
    }
    case nlohmann::json::value_t::number_float:
      return Value(json.get<double>());
    case nlohmann::json::value_t::string:
      return Value(json.get<std::string>());
    case nlohmann::json::value_t::array: {
      std::vector<std::string> list;
      for (const auto& item : json) {
        if (!item.is_string()) {
          return absl::InvalidArgumentError(StrCat(field, ": a list may only hold text"));
        }
        list.push_back(item.get<std::string>());
      }
      return Value(std::move(list));
    }
    case nlohmann::json::value_t::object: {
      auto currency = json.find("currency");
      if (currency != json.end() && currency->is_string()) {
        Money m{0, currency->get<std::string>()};
        auto minor = json.find("minor");
        auto amount = json.find("amount");
        if (minor != json.end() && minor->is_number_integer() && json.size() == 2) {
          m.minor = minor->get<int64_t>();
          return Value(std::move(m));
        }
        if (amount != json.end() && json.size() == 2 && (amount->is_string() || amount->is_number())) {
          std::string text = amount->is_string() ? amount->get<std::string>() : amount->dump();
          auto parsed = ParseAmount(field, text, m.currency);
          if (!parsed.ok()) return parsed.status();
          m.minor = *parsed;
          return Value(std::move(m));
        }
      }
      return absl::InvalidArgumentError(StrCat(
          field, ": an object value must be money, {\"minor\": 1234, \"currency\": \"CNY\"} or {\"amount\": \"12.34\", \"currency\": \"CNY\"}"));
    }
    default:
      return absl::InvalidArgumentError(StrCat(field, ": unsupported JSON value"));
  }
}

}  // namespace rapport::internal
