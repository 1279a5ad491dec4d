// Stored CLV models (include/rapport/clv_store.h): model kinds, default value options and the
// validation of every member of a spec. The JSON form is in clv_model_json.cc.
#include <cmath>
#include <string>

#include "base/status_macros.h"
#include "base/strings.h"
#include "base/text.h"
#include "rapport/clv_store.h"

namespace rapport {
namespace {

constexpr size_t kMaxNameChars = 100;

absl::Status Invalid(std::string_view member, std::string_view problem, double got) {
  return absl::InvalidArgumentError(AsAbsl(StrCat(member, ": ", problem, ", got ", got)));
}

absl::Status CheckName(std::string_view name) {
  RETURN_IF_ERROR(internal::CheckUtf8("name", name));
  if (StripWhitespace(name).empty()) return absl::InvalidArgumentError("name: must not be empty");
  if (internal::CodePointCount(name) > kMaxNameChars) {
    return absl::InvalidArgumentError(AsAbsl(StrCat("name: longer than ", kMaxNameChars, " characters")));
  }
  return absl::OkStatus();
}

// Parameters named "<prefix>.<name>": each finite and > 0.
template <size_t N>
absl::Status CheckParams(std::string_view prefix, const std::array<double, N>& values,
                         const std::array<std::string_view, N>& names) {
  for (size_t i = 0; i < N; ++i) {
    if (!(std::isfinite(values[i]) && values[i] > 0)) {
      return Invalid(StrCat(prefix, ".", names[i]), "must be finite and > 0", values[i]);
    }
  }
  return absl::OkStatus();
}

// What a fit found, for a model of k parameters; NaN is allowed where a value is unknown.
absl::Status CheckFitInfo(std::string_view prefix, const ClvFitInfo& fit, size_t k) {
  if (std::isinf(fit.log_likelihood)) {
    return Invalid(StrCat(prefix, ".log_likelihood"), "must be finite (or null: unknown)", fit.log_likelihood);
  }
  if (!fit.covariance.empty() && fit.covariance.size() != k * k) {
    return absl::InvalidArgumentError(AsAbsl(StrCat(prefix, ".covariance: must be ", k, " x ", k, " (",
                                                    k * k, " values) or empty, got ", fit.covariance.size())));
  }
  for (double v : fit.covariance) {
    if (std::isinf(v)) return Invalid(StrCat(prefix, ".covariance"), "must be finite (or null)", v);
  }
  if (!fit.std_errors.empty() && fit.std_errors.size() != k) {
    return absl::InvalidArgumentError(AsAbsl(
        StrCat(prefix, ".std_errors: must have ", k, " values or none, got ", fit.std_errors.size())));
  }
  for (double v : fit.std_errors) {
    if (std::isinf(v) || v < 0) return Invalid(StrCat(prefix, ".std_errors"), "must be finite and >= 0 (or null)", v);
  }
  if (!(std::isfinite(fit.customers) && fit.customers >= 0)) {
    return Invalid(StrCat(prefix, ".customers"), "must be finite and >= 0", fit.customers);
  }
  if (fit.evaluations < 0) return Invalid(StrCat(prefix, ".evaluations"), "must be >= 0", fit.evaluations);
  if (fit.rows < 0) return Invalid(StrCat(prefix, ".rows"), "must be >= 0", static_cast<double>(fit.rows));
  if (fit.distinct_rows < 0) {
    return Invalid(StrCat(prefix, ".distinct_rows"), "must be >= 0", static_cast<double>(fit.distinct_rows));
  }
  return absl::OkStatus();
}

absl::Status CheckValue(const ClvOptions& v) {
  if (v.periods < 1) return Invalid("value.periods", "must be >= 1", v.periods);
  if (!(std::isfinite(v.period_length) && v.period_length > 0)) {
    return Invalid("value.period_length", "must be finite and > 0", v.period_length);
  }
  if (!(std::isfinite(v.discount_rate) && v.discount_rate >= 0)) {
    return Invalid("value.discount_rate", "must be finite and >= 0", v.discount_rate);
  }
  if (!std::isfinite(v.margin)) return Invalid("value.margin", "must be finite", v.margin);
  return absl::OkStatus();
}

}  // namespace

std::string_view ToString(ClvModelKind kind) {
  switch (kind) {
    case ClvModelKind::kBgNbd: return "bg_nbd";
    case ClvModelKind::kParetoNbd: return "pareto_nbd";
  }
  return "?";
}

absl::StatusOr<ClvModelKind> ParseClvModelKind(std::string_view field, std::string_view text) {
  if (text == "bg_nbd") return ClvModelKind::kBgNbd;
  if (text == "pareto_nbd") return ClvModelKind::kParetoNbd;
  return absl::InvalidArgumentError(AsAbsl(StrCat(field, ": must be \"bg_nbd\" or \"pareto_nbd\", got \"", text, "\"")));
}

std::array<std::string_view, 4> ClvParamNames(ClvModelKind kind) {
  if (kind == ClvModelKind::kParetoNbd) return {"r", "alpha", "s", "beta"};
  return {"r", "alpha", "a", "b"};
}

ClvOptions DefaultClvValueOptions(int64_t time_unit) {
  ClvOptions o;
  o.periods = 12;
  o.period_length = time_unit > 0 ? 30.0 * static_cast<double>(kMicrosPerDay) / static_cast<double>(time_unit) : 0;
  o.discount_rate = 0.01;
  o.margin = 1.0;
  return o;
}

absl::Status ClvModelSpec::Validate() const {
  RETURN_IF_ERROR(CheckName(name));
  if (model != ClvModelKind::kBgNbd && model != ClvModelKind::kParetoNbd) {
    return absl::InvalidArgumentError(
        AsAbsl(StrCat("model: must be \"bg_nbd\" or \"pareto_nbd\", got kind ", static_cast<int>(model))));
  }
  RETURN_IF_ERROR(CheckParams("params", params, ClvParamNames(model)));
  RETURN_IF_ERROR(CheckFitInfo("fit", fit, 4));
  if (spend) {
    RETURN_IF_ERROR(CheckParams("spend.params", *spend, kGammaGammaParamNames));
    RETURN_IF_ERROR(CheckFitInfo("spend.fit", spend_fit, 3));
  }
  if (cutoff == absl::InfinitePast() || cutoff == absl::InfiniteFuture()) {
    return absl::InvalidArgumentError("summary.cutoff: must be a time (the calibration end of the fit)");
  }
  if (time_unit <= 0) return Invalid("summary.time_unit_us", "must be positive", static_cast<double>(time_unit));
  if (merge_period < 0) {
    return Invalid("summary.merge_period_us", "must be 0 (no merging) or positive", static_cast<double>(merge_period));
  }
  // A shift by a whole period changes nothing; bounding it also keeps the summary's arithmetic in range.
  if (merge_period > 0 && !(merge_offset > -merge_period && merge_offset < merge_period)) {
    return absl::InvalidArgumentError(AsAbsl(StrCat("summary.merge_offset_us: must be within one merge period (",
                                                    -merge_period, ", ", merge_period, "), got ", merge_offset)));
  }
  if (order_statuses.empty()) return absl::InvalidArgumentError("summary.order_statuses: must name at least one status");
  for (const std::string& s : order_statuses) {
    RETURN_IF_ERROR(internal::CheckUtf8("summary.order_statuses", s));
    if (s.empty()) return absl::InvalidArgumentError("summary.order_statuses: a status must not be empty");
  }
  RETURN_IF_ERROR(internal::CheckUtf8("summary.currency", currency));
  return CheckValue(value);
}

ClvSummaryOptions ClvModelSpec::SummaryOptions(absl::Time calibration_end) const {
  ClvSummaryOptions o;
  o.calibration_end = absl::ToUnixMicros(calibration_end);
  o.time_unit = time_unit;
  o.merge_period = merge_period;
  o.merge_offset = merge_offset;
  return o;
}

}  // namespace rapport
