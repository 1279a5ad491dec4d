// Typed values of custom fields and of generic field access.
#ifndef RAPPORT_VALUE_H_
#define RAPPORT_VALUE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace rapport {

// An amount of money in minor units of an ISO 4217 currency (e.g. 1234 CNY = 12.34 yuan).
struct Money {
  int64_t minor = 0;
  std::string currency;
  friend bool operator==(const Money&, const Money&) = default;
};

// A dynamically typed value. Dates are "YYYY-MM-DD" text, decimals canonical decimal text ("12.5"),
// instants microseconds since the Unix epoch (kInt), multi-enums a list of option names.
class Value {
 public:
  enum class Type { kNull = 0, kBool = 1, kInt = 2, kDouble = 3, kText = 4, kList = 5, kMoney = 6 };

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : v_(b) {}
  Value(int i) : v_(int64_t{i}) {}
  Value(int64_t i) : v_(i) {}
  Value(double d) : v_(d) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(std::vector<std::string> list) : v_(std::move(list)) {}
  Value(Money m) : v_(std::move(m)) {}

  Type type() const { return static_cast<Type>(v_.index()); }
  bool is_null() const { return type() == Type::kNull; }
  bool as_bool() const { return std::get<bool>(v_); }
  int64_t as_int() const { return std::get<int64_t>(v_); }
  double as_double() const { return std::get<double>(v_); }
  const std::string& as_text() const { return std::get<std::string>(v_); }
  const std::vector<std::string>& as_list() const { return std::get<std::vector<std::string>>(v_); }
  const Money& as_money() const { return std::get<Money>(v_); }

  // JSON text of the value (e.g. `"abc"`, `12`, `{"minor":1234,"currency":"CNY"}`).
  std::string ToJson() const;

  friend bool operator==(const Value&, const Value&) = default;

 private:
  std::variant<std::monostate, bool, int64_t, double, std::string, std::vector<std::string>, Money> v_;
};

}  // namespace rapport

#endif  // RAPPORT_VALUE_H_
