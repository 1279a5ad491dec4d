#include "model/field_schema.h"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/nearest_name.h"
#include "base/money.h"
#include "base/strings.h"
#include "base/text.h"
#include "base/time_format.h"
#include "rapport/frame.h"

namespace rapport::internal {
namespace {

constexpr size_t kMaxNameLength = 500;   // code points
constexpr size_t kMaxShortText = 200;    // code points, for industry/region/...
constexpr size_t kMaxCustomText = 10000;

const std::vector<std::string_view> kCoreFields = {"kind",  "name",     "industry", "region",         "size",
                                                   "source", "owner", "birthday", "lifecycle_stage"};

absl::Status Invalid(std::string_view field, std::string_view problem) {
  return absl::InvalidArgumentError(StrCat(field, ": ", problem));
}

std::string_view TypeName(Value::Type t) {
  switch (t) {
    case Value::Type::kNull: return "null";
    case Value::Type::kBool: return "bool";
    case Value::Type::kInt: return "integer";
    case Value::Type::kDouble: return "number";
    case Value::Type::kText: return "text";
    case Value::Type::kList: return "list";
    case Value::Type::kMoney: return "money";
  }
  return "?";
}

absl::Status WrongType(std::string_view field, std::string_view expected, const Value& v) {
  return Invalid(field, StrCat("expected ", expected, ", got ", TypeName(v.type())));
}

absl::StatusOr<std::string> Text(std::string_view field, const Value& v, size_t max_len) {
  if (v.type() != Value::Type::kText) return WrongType(field, "text", v);
  if (auto s = CheckUtf8(field, v.as_text()); !s.ok()) return s;
  std::string clean = CleanText(v.as_text());
  if (CodePointCount(clean) > max_len) {
    return Invalid(field, StrCat("longer than ", max_len, " characters"));
  }
  return clean;
}

// Canonical decimal text: no exponent, no trailing fraction zeros, "-0" -> "0".
absl::StatusOr<std::string> CanonicalDecimal(std::string_view field, std::string_view text) {
  std::string_view s = StripWhitespace(text);
  std::string sign;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    if (s[0] == '-') sign = "-";
    s.remove_prefix(1);
  }
  size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  auto digits = [](std::string_view d) { return std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; }); };
  if ((whole.empty() && frac.empty()) || !digits(whole) || !digits(frac) || whole.size() + frac.size() > 38) {
    return Invalid(field, StrCat("\"", text, "\" is not a decimal number"));
  }
  while (whole.size() > 1 && whole[0] == '0') whole.remove_prefix(1);
  while (!frac.empty() && frac.back() == '0') frac.remove_suffix(1);
  std::string out = StrCat(whole.empty() ? "0" : whole, frac.empty() ? "" : ".", frac);
  if (out == "0") sign.clear();
  return sign + out;
}

absl::Status CheckRange(const CustomFieldDef& def, double x, std::string_view shown) {
  if (def.min && x < *def.min) return Invalid(def.name, StrCat(shown, " is below the minimum ", *def.min, " (rule: min)"));
  if (def.max && x > *def.max) return Invalid(def.name, StrCat(shown, " is above the maximum ", *def.max, " (rule: max)"));
  return absl::OkStatus();
}

absl::StatusOr<Value> CanonicalCustom(const CompiledField& field, const Value& v) {
  const CustomFieldDef& def = field.def;
  const std::string& name = def.name;
  const bool is_text = v.type() == Value::Type::kText;
  switch (def.type) {
    case FieldType::kText: {
      auto text = Text(name, v, kMaxCustomText);
      if (!text.ok()) return text.status();
      const double len = static_cast<double>(CodePointCount(*text));
      if (def.min && len < *def.min) return Invalid(name, StrCat("shorter than ", *def.min, " characters (rule: min)"));
      if (def.max && len > *def.max) return Invalid(name, StrCat("longer than ", *def.max, " characters (rule: max)"));
      if (field.pattern && !RE2::FullMatch(*text, *field.pattern)) {
        return Invalid(name, StrCat("\"", *text, "\" does not match the pattern ", def.pattern, " (rule: pattern)"));
      }
      return Value(*text);
    }
    case FieldType::kInteger: {
      int64_t x = 0;
      if (v.type() == Value::Type::kInt) {
        x = v.as_int();
      } else if (v.type() == Value::Type::kDouble && std::trunc(v.as_double()) == v.as_double() &&
                 std::abs(v.as_double()) < 9.0e15) {
        x = static_cast<int64_t>(v.as_double());
      } else if (!(is_text && absl::SimpleAtoi(AsAbsl(StripWhitespace(v.as_text())), &x))) {
        if (is_text) return Invalid(name, StrCat("\"", v.as_text(), "\" is not an integer"));
        return WrongType(name, "integer", v);
      }
      if (auto s = CheckRange(def, static_cast<double>(x), StrCat(x)); !s.ok()) return s;
      return Value(x);
    }
    case FieldType::kDecimal: {
      std::string text;
      if (v.type() == Value::Type::kInt) {
        text = StrCat(v.as_int());
      } else if (v.type() == Value::Type::kDouble) {
        if (!std::isfinite(v.as_double())) return Invalid(name, "not a finite number");
        text = absl::StrFormat("%.15g", v.as_double());
        if (text.find_first_of("eE") != std::string::npos) return Invalid(name, "number out of decimal range");
      } else if (is_text) {
        text = v.as_text();
      } else {
        return WrongType(name, "decimal", v);
      }
      auto canon = CanonicalDecimal(name, text);
      if (!canon.ok()) return canon.status();
      double x = 0;
      (void)absl::SimpleAtod(*canon, &x);
      if (auto s = CheckRange(def, x, *canon); !s.ok()) return s;
      return Value(*canon);
    }
    case FieldType::kMoney: {
      Money m;
      if (v.type() == Value::Type::kMoney) {
        m = v.as_money();
        auto digits = CurrencyDigits(name, m.currency);
        if (!digits.ok()) return digits.status();
      } else if (is_text) {
        // "12.34 CNY", "CNY 12.34", or "12.34" when the field fixes the currency.
        std::vector<std::string_view> parts;
        for (absl::string_view part : absl::StrSplit(v.as_text(), ' ', absl::SkipEmpty())) parts.push_back(AsStd(part));
        std::string_view amount, currency = def.currency;
        if (parts.size() == 2) {
          bool first_is_code = parts[0].size() == 3 && absl::ascii_isalpha(parts[0][0]);
          amount = first_is_code ? parts[1] : parts[0];
          currency = first_is_code ? parts[0] : parts[1];
        } else if (parts.size() == 1) {
          amount = parts[0];
        }
        if (amount.empty() || currency.empty()) {
          return Invalid(name, StrCat("\"", v.as_text(), "\" is not money (expected e.g. \"12.34 CNY\")"));
        }
        auto minor = ParseAmount(name, amount, currency);
        if (!minor.ok()) return minor.status();
        m = Money{*minor, std::string(currency)};
      } else {
        return WrongType(name, "money", v);
      }
      if (!def.currency.empty() && m.currency != def.currency) {
        return Invalid(name, StrCat("currency ", m.currency, " where ", def.currency, " is required (rule: currency)"));
      }
      auto digits = CurrencyDigits(name, m.currency);
      double major = static_cast<double>(m.minor) / std::pow(10.0, digits.ok() ? *digits : 2);
      if (auto s = CheckRange(def, major, FormatAmount(m)); !s.ok()) return s;
      return Value(std::move(m));
    }
    case FieldType::kDate: {
      if (!is_text) return WrongType(name, "date text (YYYY-MM-DD)", v);
      auto day = ParseDate(name, StripWhitespace(v.as_text()));
      if (!day.ok()) return day.status();
      return Value(FormatDate(*day));
    }
    case FieldType::kTime: {
      if (v.type() == Value::Type::kInt) return v;
      if (!is_text) return WrongType(name, "time (microseconds or RFC 3339 text)", v);
      auto t = ParseTimestamp(name, StripWhitespace(v.as_text()));
      if (!t.ok()) return t.status();
      return Value(ToMicros(*t));
    }
    case FieldType::kBool: {
      if (v.type() == Value::Type::kBool) return v;
      if (v.type() == Value::Type::kInt && (v.as_int() == 0 || v.as_int() == 1)) return Value(v.as_int() == 1);
      if (is_text) {
        std::string t = absl::AsciiStrToLower(AsAbsl(StripWhitespace(v.as_text())));
        if (t == "true" || t == "yes" || t == "1" || t == "y") return Value(true);
        if (t == "false" || t == "no" || t == "0" || t == "n") return Value(false);
        return Invalid(name, StrCat("\"", v.as_text(), "\" is not a bool (true/false)"));
      }
      return WrongType(name, "bool", v);
    }
    case FieldType::kEnum: {
      auto text = Text(name, v, kMaxShortText);
      if (!text.ok()) return text.status();
      if (std::find(def.options.begin(), def.options.end(), *text) == def.options.end()) {
        return Invalid(name, StrCat("\"", *text, "\" is not one of ", absl::StrJoin(def.options, ", "), " (rule: options)"));
      }
      return Value(*text);
    }
    case FieldType::kMultiEnum: {
      std::vector<std::string> items;
      if (v.type() == Value::Type::kList) {
        items = v.as_list();
      } else if (is_text) {
        for (absl::string_view part : absl::StrSplit(v.as_text(), ';', absl::SkipWhitespace())) {
          items.emplace_back(StripWhitespace(AsStd(part)));
        }
      } else {
        return WrongType(name, "list of options", v);
      }
      std::vector<std::string> out;
      for (const std::string& item : items) {
        auto text = Text(name, Value(item), kMaxShortText);
        if (!text.ok()) return text.status();
        if (std::find(def.options.begin(), def.options.end(), *text) == def.options.end()) {
          return Invalid(name, StrCat("\"", *text, "\" is not one of ", absl::StrJoin(def.options, ", "), " (rule: options)"));
        }
        if (std::find(out.begin(), out.end(), *text) == out.end()) out.push_back(*text);
      }
      std::sort(out.begin(), out.end());
      return Value(std::move(out));
    }
  }
  return Invalid(name, "unknown field type");
}

}  // namespace

const std::vector<std::string_view>& CoreFieldNames() { return kCoreFields; }

bool IsCoreField(std::string_view name) {
  return std::find(kCoreFields.begin(), kCoreFields.end(), name) != kCoreFields.end();
}

FieldSchema::FieldSchema(std::vector<CustomFieldDef> defs) {
  for (CustomFieldDef& def : defs) {
    CompiledField field;
    if (!def.pattern.empty()) {
      RE2::Options options;
      options.set_log_errors(false);
      field.pattern = std::make_shared<RE2>(def.pattern, options);
    }
    std::string name = def.name;
    field.def = std::move(def);
    fields_.emplace(std::move(name), std::move(field));
  }
}

const CompiledField* FieldSchema::Find(std::string_view name) const {
  auto it = fields_.find(name);
  return it == fields_.end() ? nullptr : &it->second;
}

absl::StatusOr<Value> FieldSchema::Canonicalize(std::string_view name, const Value& value) const {
  if (value.is_null()) return value;
  if (name == "kind") {
    if (value.type() != Value::Type::kText) return WrongType(name, "text", value);
    std::string k = absl::AsciiStrToLower(AsAbsl(StripWhitespace(value.as_text())));
    if (k == "organisation") k = "organization";
    if (k != "person" && k != "organization") {
      return Invalid(name, StrCat("\"", value.as_text(), "\" is not person or organization"));
    }
    return Value(k);
  }
  if (name == "name") {
    auto text = Text(name, value, kMaxNameLength);
    if (!text.ok()) return text.status();
    if (text->empty()) return Invalid(name, "must not be empty");
    return Value(*text);
  }
  if (name == "owner") {
    int64_t id = 0;
    if (value.type() == Value::Type::kInt) {
      id = value.as_int();
    } else if (!(value.type() == Value::Type::kText && absl::SimpleAtoi(value.as_text(), &id))) {
      return WrongType(name, "a user id (integer)", value);
    }
    if (id <= 0) return Invalid(name, "a user id must be positive");
    return Value(id);
  }
  if (name == "birthday") {
    if (value.type() != Value::Type::kText) return WrongType(name, "date text (YYYY-MM-DD)", value);
    auto day = ParseDate(name, StripWhitespace(value.as_text()));
    if (!day.ok()) return day.status();
    return Value(FormatDate(*day));
  }
  if (IsCoreField(name)) {  // industry, region, size, source, lifecycle_stage
    auto text = Text(name, value, kMaxShortText);
    if (!text.ok()) return text.status();
    if (text->empty()) return Value();
    return Value(*text);
  }
  const CompiledField* field = Find(name);
  if (field == nullptr) {
    std::string hint = Suggest(name);
    return absl::InvalidArgumentError(StrCat("unknown field \"", name, "\"",
                                                   hint.empty() ? "" : StrCat(" (did you mean \"", hint, "\"?)")));
  }
  return CanonicalCustom(*field, value);
}

absl::Status FieldSchema::CheckRequired(const FieldMap& fields) const {
  auto missing = [&](std::string_view name) {
    auto it = fields.find(name);
    return it == fields.end() || it->second.is_null();
  };
  if (missing("name")) return Invalid("name", "is required");
  for (const auto& [name, field] : fields_) {
    if (field.def.required && missing(name)) return Invalid(name, "is required (rule: required)");
  }
  return absl::OkStatus();
}

std::string FieldSchema::Suggest(std::string_view name) const {
  std::vector<std::string_view> candidates(kCoreFields.begin(), kCoreFields.end());
  for (const auto& [n, f] : fields_) candidates.push_back(n);
  return NearestName(name, candidates);
}

absl::Status ValidateDefinition(const CustomFieldDef& def) {
  static const RE2 kName("[a-z][a-z0-9_]{0,62}");
  if (!RE2::FullMatch(def.name, kName)) {
    return Invalid("name", StrCat("\"", def.name, "\" is not a field name (lower-case letters, digits and _, starting with a letter, at most 63)"));
  }
  if (IsCoreField(def.name)) return Invalid("name", StrCat("\"", def.name, "\" is a core field"));
  // A custom field of a score's name would be shadowed by the score in segments.
  for (std::string_view score : kClvScoreColumns) {
    if (def.name == score) return Invalid("name", StrCat("\"", def.name, "\" is a CLV score (a segment metric)"));
  }
  if (auto s = CheckUtf8("label", def.label); !s.ok()) return s;
  if (def.min && def.max && *def.min > *def.max) return Invalid(def.name, "min is greater than max");
  if ((def.min && !std::isfinite(*def.min)) || (def.max && !std::isfinite(*def.max))) {
    return Invalid(def.name, "min and max must be finite");
  }
  const bool has_options = def.type == FieldType::kEnum || def.type == FieldType::kMultiEnum;
  if (has_options && def.options.empty()) return Invalid(def.name, "an enum needs options");
  if (!has_options && !def.options.empty()) return Invalid(def.name, "options apply to enum and multi_enum only");
  for (const std::string& option : def.options) {
    if (auto s = CheckUtf8(def.name, option); !s.ok()) return s;
    if (option.empty()) return Invalid(def.name, "an option must not be empty");
    if (std::count(def.options.begin(), def.options.end(), option) > 1) {
      return Invalid(def.name, StrCat("option \"", option, "\" is listed twice"));
    }
  }
  if (!def.pattern.empty()) {
    if (def.type != FieldType::kText) return Invalid(def.name, "a pattern applies to text fields only");
    RE2::Options options;
    options.set_log_errors(false);
    RE2 re(def.pattern, options);
    if (!re.ok()) return Invalid(def.name, StrCat("bad pattern: ", re.error()));
  }
  if (!def.currency.empty()) {
    if (def.type != FieldType::kMoney) return Invalid(def.name, "a currency applies to money fields only");
    auto digits = CurrencyDigits(def.name, def.currency);
    if (!digits.ok()) return digits.status();
  }
  if (def.type == FieldType::kMultiEnum && def.unique) return Invalid(def.name, "a multi_enum cannot be unique");
  return absl::OkStatus();
}

absl::StatusOr<FieldType> ParseFieldType(std::string_view text) {
  static const std::pair<std::string_view, FieldType> kTypes[] = {
      {"text", FieldType::kText},   {"integer", FieldType::kInteger}, {"decimal", FieldType::kDecimal},
      {"money", FieldType::kMoney}, {"date", FieldType::kDate},       {"time", FieldType::kTime},
      {"bool", FieldType::kBool},   {"enum", FieldType::kEnum},       {"multi_enum", FieldType::kMultiEnum}};
  for (const auto& [name, type] : kTypes) {
    if (name == text) return type;
  }
  return Invalid("type", StrCat("\"", text, "\" is not a field type (text, integer, decimal, money, date, time, bool, enum, multi_enum)"));
}

nlohmann::json DefinitionToJson(const CustomFieldDef& def) {
  nlohmann::json j = {{"name", def.name},         {"type", std::string(ToString(def.type))},
                      {"label", def.label},       {"required", def.required},
                      {"unique", def.unique},     {"indexed", def.indexed || def.unique},
                      {"pattern", def.pattern},   {"options", def.options},
                      {"currency", def.currency}};
  j["min"] = def.min ? nlohmann::json(*def.min) : nlohmann::json(nullptr);
  j["max"] = def.max ? nlohmann::json(*def.max) : nlohmann::json(nullptr);
  return j;
}

absl::StatusOr<CustomFieldDef> DefinitionFromJson(const nlohmann::json& j) {
  if (!j.is_object()) return absl::InvalidArgumentError("custom field definition: expected a JSON object");
  CustomFieldDef def;
  static const std::vector<std::string_view> kKeys = {"name", "type", "label", "required", "unique", "indexed",
                                                      "min",  "max",  "pattern", "options", "currency"};
  for (const auto& [key, value] : j.items()) {
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
      return absl::InvalidArgumentError(StrCat("custom field definition: unknown key \"", key, "\""));
    }
  }
  auto text = [&](const char* key, std::string& out) -> absl::Status {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return absl::OkStatus();
    if (!it->is_string()) return Invalid(key, "expected text");
    out = it->get<std::string>();
    return CheckUtf8(key, out);
  };
  auto flag = [&](const char* key, bool& out) -> absl::Status {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return absl::OkStatus();
    if (!it->is_boolean()) return Invalid(key, "expected true or false");
    out = it->get<bool>();
    return absl::OkStatus();
  };
  auto number = [&](const char* key, std::optional<double>& out) -> absl::Status {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return absl::OkStatus();
    if (!it->is_number()) return Invalid(key, "expected a number");
    out = it->get<double>();
    return absl::OkStatus();
  };
  std::string type = "text";
  for (absl::Status s : {text("name", def.name), text("type", type), text("label", def.label), text("pattern", def.pattern),
                         text("currency", def.currency), flag("required", def.required), flag("unique", def.unique),
                         flag("indexed", def.indexed), number("min", def.min), number("max", def.max)}) {
    if (!s.ok()) return s;
  }
  auto parsed = ParseFieldType(type);
  if (!parsed.ok()) return parsed.status();
  def.type = *parsed;
  if (auto it = j.find("options"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return Invalid("options", "expected a list of text");
    for (const auto& o : *it) {
      if (!o.is_string()) return Invalid("options", "expected a list of text");
      def.options.push_back(o.get<std::string>());
    }
  }
  return def;
}

}  // namespace rapport::internal
