// The JSON form of a stored CLV model (ClvModelSpec::ToJson / FromJson): what the `spec` column holds
// and what the C ABI, Python and the CLI print. Reading is strict (unknown members, wrong types and
// values out of range are errors naming the member) so that a typo never silently falls back to a
// default.
#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

#include "base/status_macros.h"
#include "base/strings.h"
#include "base/time_format.h"
#include "rapport/clv_store.h"

namespace rapport {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ------------------------------------------------------------------------------------ writing

OrderedJson Time(absl::Time t) { return internal::FormatTimestamp(t); }

template <size_t N>
OrderedJson Named(const std::array<double, N>& values, const std::array<std::string_view, N>& names) {
  OrderedJson j = OrderedJson::object();
  for (size_t i = 0; i < N; ++i) j[std::string(names[i])] = values[i];
  return j;
}

template <size_t N>
OrderedJson FitJson(const ClvFitInfo& fit, const std::array<std::string_view, N>& names) {
  OrderedJson j = OrderedJson::object();
  j["log_likelihood"] = fit.log_likelihood;  // NaN is written as null
  OrderedJson se = OrderedJson::object();
  for (size_t i = 0; i < fit.std_errors.size() && i < N; ++i) se[std::string(names[i])] = fit.std_errors[i];
  j["std_errors"] = fit.std_errors.empty() ? OrderedJson(nullptr) : se;
  OrderedJson cov = OrderedJson::array();
  if (fit.covariance.size() == N * N) {
    for (size_t r = 0; r < N; ++r) {
      OrderedJson row = OrderedJson::array();
      for (size_t c = 0; c < N; ++c) row.push_back(fit.covariance[r * N + c]);
      cov.push_back(std::move(row));
    }
  }
  j["covariance"] = fit.covariance.empty() ? OrderedJson(nullptr) : cov;
  j["customers"] = fit.customers;
  j["evaluations"] = fit.evaluations;
  j["rows"] = fit.rows;
  j["distinct_rows"] = fit.distinct_rows;
  return j;
}

// ------------------------------------------------------------------------------------ reading

absl::Status Bad(std::string_view path, std::string_view problem) {
  return absl::InvalidArgumentError(AsAbsl(StrCat(path, ": ", problem)));
}

std::string Path(std::string_view parent, std::string_view key) {
  return parent.empty() ? std::string(key) : StrCat(parent, ".", key);
}

absl::Status OnlyMembers(const Json& obj, std::string_view path, std::initializer_list<std::string_view> allowed) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool known = false;
    for (std::string_view a : allowed) known = known || it.key() == a;
    if (!known) return Bad(path.empty() ? "spec" : path, StrCat("unknown member \"", it.key(), "\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<const Json*> Object(const Json& parent, std::string_view key, std::string_view path, bool required) {
  auto it = parent.find(std::string(key));
  if (it == parent.end() || it->is_null()) {
    if (required) return Bad(path, "required");
    return nullptr;
  }
  if (!it->is_object()) return Bad(path, "must be an object");
  return &*it;
}

// A number member; null gives NaN when `nullable`; absent keeps *out unless required.
absl::Status Number(const Json& obj, std::string_view key, std::string_view path, bool required, bool nullable,
                    double* out) {
  auto it = obj.find(std::string(key));
  if (it == obj.end()) return required ? Bad(path, "required") : absl::OkStatus();
  if (it->is_null() && nullable) {
    *out = kNaN;
    return absl::OkStatus();
  }
  if (!it->is_number()) return Bad(path, nullable ? "must be a number or null" : "must be a number");
  *out = it->get<double>();
  return absl::OkStatus();
}

absl::Status Integer(const Json& obj, std::string_view key, std::string_view path, bool required, int64_t* out) {
  auto it = obj.find(std::string(key));
  if (it == obj.end()) return required ? Bad(path, "required") : absl::OkStatus();
  if (!it->is_number_integer()) return Bad(path, "must be a whole number");
  if (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return Bad(path, "too large");
  }
  *out = it->get<int64_t>();
  return absl::OkStatus();
}

absl::Status Text(const Json& obj, std::string_view key, std::string_view path, bool required, std::string* out) {
  auto it = obj.find(std::string(key));
  if (it == obj.end()) return required ? Bad(path, "required") : absl::OkStatus();
  if (!it->is_string()) return Bad(path, "must be a string");
  *out = it->get<std::string>();
  return absl::OkStatus();
}

// An RFC 3339 time member; null or absent leaves *out unless required.
absl::Status TimeMember(const Json& obj, std::string_view key, std::string_view path, bool required,
                        std::optional<absl::Time>* out) {
  auto it = obj.find(std::string(key));
  if (it == obj.end() || it->is_null()) return required ? Bad(path, "required") : absl::OkStatus();
  if (!it->is_string()) return Bad(path, "must be RFC 3339 text");
  ASSIGN_OR_RETURN(*out, internal::ParseTimestamp(path, it->get<std::string>()));
  return absl::OkStatus();
}

template <size_t N>
absl::Status ReadParams(const Json& obj, std::string_view path, const std::array<std::string_view, N>& names,
                        std::array<double, N>* out) {
  std::vector<std::string_view> allowed(names.begin(), names.end());
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
      return Bad(path, StrCat("unknown parameter \"", it.key(), "\" (expected ", names[0], ", ", names[1], ", ",
                              names[2], N > 3 ? StrCat(", ", names[N - 1]) : std::string(), ")"));
    }
  }
  for (size_t i = 0; i < N; ++i) {
    RETURN_IF_ERROR(Number(obj, names[i], Path(path, names[i]), true, false, &(*out)[i]));
  }
  return absl::OkStatus();
}

template <size_t N>
absl::Status ReadFit(const Json& obj, std::string_view path, const std::array<std::string_view, N>& names,
                     ClvFitInfo* fit) {
  RETURN_IF_ERROR(OnlyMembers(obj, path, {"log_likelihood", "std_errors", "covariance", "customers", "evaluations",
                                          "rows", "distinct_rows"}));
  RETURN_IF_ERROR(Number(obj, "log_likelihood", Path(path, "log_likelihood"), false, true, &fit->log_likelihood));
  if (auto it = obj.find("std_errors"); it != obj.end() && !it->is_null()) {
    const std::string se_path = Path(path, "std_errors");
    if (!it->is_object()) return Bad(se_path, "must be an object of the parameters' standard errors or null");
    std::array<double, N> se{};
    for (auto m = it->begin(); m != it->end(); ++m) {
      if (std::find(names.begin(), names.end(), m.key()) == names.end()) {
        return Bad(se_path, StrCat("unknown parameter \"", m.key(), "\""));
      }
    }
    for (size_t i = 0; i < N; ++i) RETURN_IF_ERROR(Number(*it, names[i], Path(se_path, names[i]), true, true, &se[i]));
    fit->std_errors.assign(se.begin(), se.end());
  }
  if (auto it = obj.find("covariance"); it != obj.end() && !it->is_null()) {
    const std::string cov_path = Path(path, "covariance");
    if (!it->is_array() || it->size() != N) return Bad(cov_path, StrCat("must be ", N, " rows of ", N, " numbers or null"));
    fit->covariance.clear();
    for (const Json& row : *it) {
      if (!row.is_array() || row.size() != N) return Bad(cov_path, StrCat("must be ", N, " rows of ", N, " numbers or null"));
      for (const Json& v : row) {
        if (v.is_null()) {
          fit->covariance.push_back(kNaN);
        } else if (v.is_number()) {
          fit->covariance.push_back(v.get<double>());
        } else {
          return Bad(cov_path, "values must be numbers or null");
        }
      }
    }
  }
  RETURN_IF_ERROR(Number(obj, "customers", Path(path, "customers"), false, false, &fit->customers));
  int64_t evaluations = fit->evaluations;
  RETURN_IF_ERROR(Integer(obj, "evaluations", Path(path, "evaluations"), false, &evaluations));
  if (evaluations > std::numeric_limits<int>::max()) return Bad(Path(path, "evaluations"), "too large");
  fit->evaluations = static_cast<int>(evaluations);
  RETURN_IF_ERROR(Integer(obj, "rows", Path(path, "rows"), false, &fit->rows));
  RETURN_IF_ERROR(Integer(obj, "distinct_rows", Path(path, "distinct_rows"), false, &fit->distinct_rows));
  return absl::OkStatus();
}

ClvFitInfo EmptyFit(std::vector<std::string> names) {
  ClvFitInfo fit;
  fit.names = std::move(names);
  fit.log_likelihood = kNaN;
  return fit;
}

template <size_t N>
std::vector<std::string> NameList(const std::array<std::string_view, N>& names) {
  return std::vector<std::string>(names.begin(), names.end());
}

absl::Status ReadSummary(const Json& s, ClvModelSpec* spec) {
  RETURN_IF_ERROR(OnlyMembers(s, "summary", {"cutoff", "time_unit_us", "merge_period_us", "merge_offset_us",
                                             "order_statuses", "currency"}));
  std::optional<absl::Time> cutoff;
  RETURN_IF_ERROR(TimeMember(s, "cutoff", "summary.cutoff", true, &cutoff));
  spec->cutoff = *cutoff;
  RETURN_IF_ERROR(Integer(s, "time_unit_us", "summary.time_unit_us", false, &spec->time_unit));
  RETURN_IF_ERROR(Integer(s, "merge_period_us", "summary.merge_period_us", false, &spec->merge_period));
  RETURN_IF_ERROR(Integer(s, "merge_offset_us", "summary.merge_offset_us", false, &spec->merge_offset));
  if (auto it = s.find("order_statuses"); it != s.end()) {
    if (!it->is_array()) return Bad("summary.order_statuses", "must be an array of strings");
    spec->order_statuses.clear();
    for (const Json& v : *it) {
      if (!v.is_string()) return Bad("summary.order_statuses", "must be an array of strings");
      spec->order_statuses.push_back(v.get<std::string>());
    }
  }
  return Text(s, "currency", "summary.currency", false, &spec->currency);
}

absl::Status ReadValue(const Json& v, ClvOptions* value) {
  RETURN_IF_ERROR(OnlyMembers(v, "value", {"periods", "period_length", "discount_rate", "margin"}));
  int64_t periods = value->periods;
  RETURN_IF_ERROR(Integer(v, "periods", "value.periods", false, &periods));
  if (periods > 100000 || periods < std::numeric_limits<int>::min()) {
    return Bad("value.periods", StrCat("must be between 1 and 100000, got ", periods));
  }
  value->periods = static_cast<int>(periods);
  RETURN_IF_ERROR(Number(v, "period_length", "value.period_length", false, false, &value->period_length));
  RETURN_IF_ERROR(Number(v, "discount_rate", "value.discount_rate", false, false, &value->discount_rate));
  return Number(v, "margin", "value.margin", false, false, &value->margin);
}

}  // namespace

std::string ClvModelSpec::ToJson() const {
  OrderedJson j = OrderedJson::object();
  j["id"] = id;
  j["name"] = name;
  j["model"] = std::string(ToString(model));
  j["params"] = Named(params, ClvParamNames(model));
  j["fit"] = FitJson(fit, ClvParamNames(model));
  if (spend) {
    OrderedJson s = OrderedJson::object();
    s["params"] = Named(*spend, kGammaGammaParamNames);
    s["fit"] = FitJson(spend_fit, kGammaGammaParamNames);
    j["spend"] = std::move(s);
  } else {
    j["spend"] = nullptr;
  }
  OrderedJson summary = OrderedJson::object();
  summary["cutoff"] = Time(cutoff);
  summary["time_unit_us"] = time_unit;
  summary["merge_period_us"] = merge_period;
  summary["merge_offset_us"] = merge_offset;
  summary["order_statuses"] = order_statuses;
  summary["currency"] = currency;
  j["summary"] = std::move(summary);
  OrderedJson v = OrderedJson::object();
  v["periods"] = value.periods;
  v["period_length"] = value.period_length;
  v["discount_rate"] = value.discount_rate;
  v["margin"] = value.margin;
  j["value"] = std::move(v);
  j["fitted_at"] = fitted_at == absl::InfinitePast() ? OrderedJson(nullptr) : Time(fitted_at);
  j["applied_at"] = applied_at ? Time(*applied_at) : OrderedJson(nullptr);
  return j.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

absl::StatusOr<ClvModelSpec> ClvModelSpec::FromJson(std::string_view text) {
  const Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return absl::InvalidArgumentError("spec: not valid JSON (or not UTF-8)");
  if (!j.is_object()) return absl::InvalidArgumentError("spec: must be a JSON object");
  RETURN_IF_ERROR(OnlyMembers(j, "", {"id", "name", "model", "params", "fit", "spend", "summary", "value",
                                      "fitted_at", "applied_at"}));
  ClvModelSpec spec;
  RETURN_IF_ERROR(Integer(j, "id", "id", false, &spec.id));
  RETURN_IF_ERROR(Text(j, "name", "name", true, &spec.name));
  std::string model;
  RETURN_IF_ERROR(Text(j, "model", "model", true, &model));
  ASSIGN_OR_RETURN(spec.model, ParseClvModelKind("model", model));
  const auto names = ClvParamNames(spec.model);
  ASSIGN_OR_RETURN(const Json* params, Object(j, "params", "params", true));
  RETURN_IF_ERROR(ReadParams(*params, "params", names, &spec.params));
  spec.fit = EmptyFit(NameList(names));
  ASSIGN_OR_RETURN(const Json* fit, Object(j, "fit", "fit", false));
  if (fit) RETURN_IF_ERROR(ReadFit(*fit, "fit", names, &spec.fit));
  ASSIGN_OR_RETURN(const Json* spend, Object(j, "spend", "spend", false));
  if (spend) {
    RETURN_IF_ERROR(OnlyMembers(*spend, "spend", {"params", "fit"}));
    ASSIGN_OR_RETURN(const Json* sp, Object(*spend, "params", "spend.params", true));
    spec.spend.emplace();
    RETURN_IF_ERROR(ReadParams(*sp, "spend.params", kGammaGammaParamNames, &*spec.spend));
    spec.spend_fit = EmptyFit(NameList(kGammaGammaParamNames));
    ASSIGN_OR_RETURN(const Json* sf, Object(*spend, "fit", "spend.fit", false));
    if (sf) RETURN_IF_ERROR(ReadFit(*sf, "spend.fit", kGammaGammaParamNames, &spec.spend_fit));
  }
  ASSIGN_OR_RETURN(const Json* summary, Object(j, "summary", "summary", true));
  RETURN_IF_ERROR(ReadSummary(*summary, &spec));
  spec.value = DefaultClvValueOptions(spec.time_unit);
  ASSIGN_OR_RETURN(const Json* value, Object(j, "value", "value", false));
  if (value) RETURN_IF_ERROR(ReadValue(*value, &spec.value));
  std::optional<absl::Time> fitted_at, applied_at;
  RETURN_IF_ERROR(TimeMember(j, "fitted_at", "fitted_at", false, &fitted_at));
  RETURN_IF_ERROR(TimeMember(j, "applied_at", "applied_at", false, &applied_at));
  if (fitted_at) spec.fitted_at = *fitted_at;
  spec.applied_at = applied_at;
  RETURN_IF_ERROR(spec.Validate());
  return spec;
}

}  // namespace rapport
