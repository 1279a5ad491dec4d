// Internal plumbing of the CLV part of the C ABI: the summary and model handles, and the input arrays
// the fit and prediction functions share.
#ifndef RAPPORT_CAPI_CLV_INTERNAL_H_
#define RAPPORT_CAPI_CLV_INTERNAL_H_

#include <cstddef>
#include <span>
#include <variant>
#include <vector>

#include "analytics_internal.h"
#include "rapport/clv.h"
#include "rapport/clv_summary.h"

struct rapport_clv_summary {
  rapport::ClvSummary summary;
  bool has_holdout = false;
};

// A model is a value of one of the four classes; `params` holds its parameters in the model's order
// so that accessors need not switch on the kind.
struct rapport_clv_model {
  using Model = std::variant<rapport::BgNbdModel, rapport::ParetoNbdModel, rapport::GammaGammaModel, rapport::BgBbModel>;

  Model model;
  rapport_clv_kind kind;
  std::vector<double> params;
  bool fitted;

  const rapport::ClvFitInfo& info() const {
    return std::visit([](const auto& m) -> const rapport::ClvFitInfo& { return m.info(); }, model);
  }
};

namespace rapport::capi {

// A borrowed input column of `rows` elements (NULL only when rows is 0).
inline absl::StatusOr<std::span<const double>> InputArray(const char* fn, const char* name, const double* values,
                                                          size_t rows) {
  if (absl::Status st = CheckArray(fn, name, values, rows); !st.ok()) return st;
  if (rows == 0) return std::span<const double>();
  return std::span<const double>(values, rows);
}

// An optional input column: NULL gives an empty span (weights: one customer per row).
inline std::span<const double> OptionalArray(const double* values, size_t rows) {
  if (values == nullptr || rows == 0) return {};
  return {values, rows};
}

// The model's name in messages: "BG/NBD", "Pareto/NBD", "Gamma-Gamma", "BG/BB".
const char* KindLabel(rapport_clv_kind kind);

// "<argument>: needs <what>, got a <kind> model" for a model of the wrong kind.
absl::Status WrongKind(const char* argument, const rapport_clv_model& model, const char* what);

// The continuous-time purchase model (BG/NBD, Pareto/NBD) behind the handle, or an error naming
// `argument`.
absl::StatusOr<const rapport::PurchaseModel*> ContinuousModel(const char* argument, const rapport_clv_model& h);

// The first `n` elements of the caller's output array `name`: OUT_OF_RANGE when it holds fewer.
absl::StatusOr<std::span<double>> OutputArray(const char* fn, double* out, size_t capacity, size_t n,
                                              const char* name = "out");

}  // namespace rapport::capi

#endif  // RAPPORT_CAPI_CLV_INTERNAL_H_
