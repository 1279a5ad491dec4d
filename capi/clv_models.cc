// CLV models through the C ABI: fits of the four kinds from caller arrays or a summary, models from
// known parameters, and what a model holds (parameters, covariance, fit information, JSON).
#include <cmath>
#include <limits>

#include "clv_internal.h"
#include "model/clv_json.h"

namespace rc = rapport::capi;

namespace {

constexpr const char* kBgNbdNames[] = {"r", "alpha", "a", "b"};
constexpr const char* kParetoNbdNames[] = {"r", "alpha", "s", "beta"};
constexpr const char* kGammaGammaNames[] = {"p", "q", "gamma"};
constexpr const char* kBgBbNames[] = {"alpha", "beta", "gamma", "delta"};

// The parameter names of a kind (static storage); empty for an unknown kind.
std::span<const char* const> ParamNames(rapport_clv_kind kind) {
  switch (kind) {
    case RAPPORT_CLV_BG_NBD: return kBgNbdNames;
    case RAPPORT_CLV_PARETO_NBD: return kParetoNbdNames;
    case RAPPORT_CLV_GAMMA_GAMMA: return kGammaGammaNames;
    case RAPPORT_CLV_BG_BB: return kBgBbNames;
    case RAPPORT_CLV_KIND_INT_MAX_: break;
  }
  return {};
}

absl::Status UnknownKind(rapport_clv_kind kind) {
  return absl::InvalidArgumentError(absl::StrCat(
      "kind: unknown model kind ", static_cast<int>(kind),
      " (expected RAPPORT_CLV_BG_NBD, RAPPORT_CLV_PARETO_NBD, RAPPORT_CLV_GAMMA_GAMMA or RAPPORT_CLV_BG_BB)"));
}

// Wraps a model of any kind into a new handle (owned by the caller once released).
template <typename M>
std::unique_ptr<rapport_clv_model> Handle(rapport_clv_kind kind, M model, std::vector<double> params, bool fitted) {
  return std::unique_ptr<rapport_clv_model>(
      new rapport_clv_model{std::move(model), kind, std::move(params), fitted});
}

std::unique_ptr<rapport_clv_model> Wrap(rapport::BgNbdModel m, bool fitted) {
  const auto& p = m.params();
  std::vector<double> params{p.r, p.alpha, p.a, p.b};
  return Handle(RAPPORT_CLV_BG_NBD, std::move(m), std::move(params), fitted);
}
std::unique_ptr<rapport_clv_model> Wrap(rapport::ParetoNbdModel m, bool fitted) {
  const auto& p = m.params();
  std::vector<double> params{p.r, p.alpha, p.s, p.beta};
  return Handle(RAPPORT_CLV_PARETO_NBD, std::move(m), std::move(params), fitted);
}
std::unique_ptr<rapport_clv_model> Wrap(rapport::GammaGammaModel m, bool fitted) {
  const auto& p = m.params();
  std::vector<double> params{p.p, p.q, p.gamma};
  return Handle(RAPPORT_CLV_GAMMA_GAMMA, std::move(m), std::move(params), fitted);
}
std::unique_ptr<rapport_clv_model> Wrap(rapport::BgBbModel m, bool fitted) {
  const auto& p = m.params();
  std::vector<double> params{p.alpha, p.beta, p.gamma, p.delta};
  return Handle(RAPPORT_CLV_BG_BB, std::move(m), std::move(params), fitted);
}

// Stores the model of a fit or FromParams in `*out`.
template <typename M>
absl::Status Return(absl::StatusOr<M> model, bool fitted, rapport_clv_model** out) {
  if (!model.ok()) return model.status();
  *out = Wrap(*std::move(model), fitted).release();
  return absl::OkStatus();
}

absl::StatusOr<rapport::ClvFitOptions> FitOptionsFrom(const char* fn, const rapport_clv_fit_options* opts) {
  rapport::ClvFitOptions o;
  if (opts == nullptr) return o;
  absl::Status st = rc::CheckStructSize(fn, "opts", opts->struct_size,
                                        offsetof(rapport_clv_fit_options, initial) + sizeof(const double*));
  if (!st.ok()) return st;
  if (RAPPORT_CAPI_HAS(opts, initial_count) && opts->initial_count > 0) {
    if (opts->initial == nullptr) return rc::NullArgument(fn, "opts->initial");
    o.initial.assign(opts->initial, opts->initial + opts->initial_count);
  }
  // The core checks the values ("tolerance: must be finite and >= 0, got nan").
  if (RAPPORT_CAPI_HAS(opts, tolerance)) o.tolerance = opts->tolerance;
  if (RAPPORT_CAPI_HAS(opts, max_evaluations)) o.max_evaluations = opts->max_evaluations;
  if (RAPPORT_CAPI_HAS(opts, threads)) o.threads = opts->threads;
  return o;
}

// Fits a purchase model of `kind` to checked-for-NULL columns.
absl::Status FitPurchases(rapport_clv_kind kind, const rapport::RecencyFrequency& data,
                          const rapport::ClvFitOptions& options, rapport_clv_model** out) {
  switch (kind) {
    case RAPPORT_CLV_BG_NBD: return Return(rapport::BgNbdModel::Fit(data, options), true, out);
    case RAPPORT_CLV_PARETO_NBD: return Return(rapport::ParetoNbdModel::Fit(data, options), true, out);
    case RAPPORT_CLV_BG_BB: return Return(rapport::BgBbModel::Fit(data, options), true, out);
    case RAPPORT_CLV_GAMMA_GAMMA:
      return absl::InvalidArgumentError(
          "kind: a Gamma-Gamma model is fitted to frequency and monetary value (rapport_clv_fit_spend)");
    case RAPPORT_CLV_KIND_INT_MAX_: break;
  }
  return UnknownKind(kind);
}

}  // namespace

namespace rapport::capi {

const char* KindLabel(rapport_clv_kind kind) {
  switch (kind) {
    case RAPPORT_CLV_BG_NBD: return "BG/NBD";
    case RAPPORT_CLV_PARETO_NBD: return "Pareto/NBD";
    case RAPPORT_CLV_GAMMA_GAMMA: return "Gamma-Gamma";
    case RAPPORT_CLV_BG_BB: return "BG/BB";
    case RAPPORT_CLV_KIND_INT_MAX_: break;
  }
  return "unknown";
}

}  // namespace rapport::capi

extern "C" {

const char* rapport_clv_kind_name(rapport_clv_kind kind) noexcept {
  switch (kind) {
    case RAPPORT_CLV_BG_NBD: return "bg_nbd";
    case RAPPORT_CLV_PARETO_NBD: return "pareto_nbd";
    case RAPPORT_CLV_GAMMA_GAMMA: return "gamma_gamma";
    case RAPPORT_CLV_BG_BB: return "bg_bb";
    case RAPPORT_CLV_KIND_INT_MAX_: break;
  }
  return nullptr;
}

void rapport_clv_fit_options_init(rapport_clv_fit_options* opts) noexcept {
  if (opts == nullptr) return;
  *opts = rapport_clv_fit_options{};
  opts->struct_size = sizeof(rapport_clv_fit_options);
  const rapport::ClvFitOptions defaults;
  opts->tolerance = defaults.tolerance;
  opts->max_evaluations = defaults.max_evaluations;
  opts->threads = defaults.threads;
}

rapport_code rapport_clv_fit(rapport_clv_kind kind, const double* frequency, const double* recency, const double* age,
                             const double* weights, size_t rows, const rapport_clv_fit_options* opts,
                             rapport_clv_model** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(out);
    auto x = rc::InputArray(kFn, "frequency", frequency, rows);
    if (!x.ok()) return x.status();
    auto tx = rc::InputArray(kFn, "recency", recency, rows);
    if (!tx.ok()) return tx.status();
    auto T = rc::InputArray(kFn, "age", age, rows);
    if (!T.ok()) return T.status();
    auto options = FitOptionsFrom(kFn, opts);
    if (!options.ok()) return options.status();
    return FitPurchases(kind, rapport::RecencyFrequency{*x, *tx, *T, rc::OptionalArray(weights, rows)}, *options, out);
  });
}

rapport_code rapport_clv_fit_spend(const double* frequency, const double* monetary, const double* weights, size_t rows,
                                   const rapport_clv_fit_options* opts, rapport_clv_model** out,
                                   rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(out);
    auto x = rc::InputArray(kFn, "frequency", frequency, rows);
    if (!x.ok()) return x.status();
    auto m = rc::InputArray(kFn, "monetary", monetary, rows);
    if (!m.ok()) return m.status();
    auto options = FitOptionsFrom(kFn, opts);
    if (!options.ok()) return options.status();
    return Return(rapport::GammaGammaModel::Fit(
                      rapport::FrequencyMonetary{*x, *m, rc::OptionalArray(weights, rows)}, *options),
                  true, out);
  });
}

rapport_code rapport_clv_fit_summary(rapport_clv_kind kind, const rapport_clv_summary* summary,
                                     const rapport_clv_fit_options* opts, rapport_clv_model** out,
                                     rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(summary);
    RAPPORT_CAPI_REQUIRE(out);
    auto options = FitOptionsFrom(kFn, opts);
    if (!options.ok()) return options.status();
    const rapport::ClvSummary& s = summary->summary;
    if (kind == RAPPORT_CLV_GAMMA_GAMMA) {
      return Return(rapport::GammaGammaModel::Fit(rapport::FrequencyMonetary{s.frequency, s.monetary, {}}, *options),
                    true, out);
    }
    return FitPurchases(kind, rapport::RecencyFrequency{s.frequency, s.recency, s.age, {}}, *options, out);
  });
}

rapport_code rapport_clv_model_create(rapport_clv_kind kind, const double* params, size_t count,
                                      rapport_clv_model** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(out);
    const size_t k = ParamNames(kind).size();
    if (k == 0) return UnknownKind(kind);
    if (absl::Status st = rc::CheckArray(kFn, "params", params, count); !st.ok()) return st;
    if (count != k) return absl::InvalidArgumentError(absl::StrCat("params: expected ", k, " values, got ", count));
    const double* p = params;
    switch (kind) {
      case RAPPORT_CLV_BG_NBD: return Return(rapport::BgNbdModel::FromParams({p[0], p[1], p[2], p[3]}), false, out);
      case RAPPORT_CLV_PARETO_NBD:
        return Return(rapport::ParetoNbdModel::FromParams({p[0], p[1], p[2], p[3]}), false, out);
      case RAPPORT_CLV_GAMMA_GAMMA: return Return(rapport::GammaGammaModel::FromParams({p[0], p[1], p[2]}), false, out);
      case RAPPORT_CLV_BG_BB: return Return(rapport::BgBbModel::FromParams({p[0], p[1], p[2], p[3]}), false, out);
      case RAPPORT_CLV_KIND_INT_MAX_: break;
    }
    return UnknownKind(kind);
  });
}

rapport_clv_kind rapport_clv_model_kind(const rapport_clv_model* model) noexcept {
  return model ? model->kind : static_cast<rapport_clv_kind>(0);
}

int rapport_clv_model_fitted(const rapport_clv_model* model) noexcept { return model && model->fitted ? 1 : 0; }

size_t rapport_clv_model_param_count(const rapport_clv_model* model) noexcept {
  return model ? model->params.size() : 0;
}

const char* rapport_clv_model_param_name(const rapport_clv_model* model, size_t index) noexcept {
  if (model == nullptr) return nullptr;
  const auto names = ParamNames(model->kind);
  return index < names.size() ? names[index] : nullptr;
}

rapport_code rapport_clv_model_params(const rapport_clv_model* model, double* out, size_t capacity, size_t* out_count,
                                      rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(model);
    return rc::CopyOut(kFn, model->params, out, capacity, out_count);
  });
}

rapport_code rapport_clv_model_covariance(const rapport_clv_model* model, double* out, size_t capacity,
                                          size_t* out_count, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(model);
    if (!model->fitted) return rc::CopyOut<double>(kFn, nullptr, 0, out, capacity, out_count);
    return rc::CopyOut(kFn, model->info().covariance, out, capacity, out_count);
  });
}

rapport_code rapport_clv_model_std_errors(const rapport_clv_model* model, double* out, size_t capacity,
                                          size_t* out_count, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(model);
    if (!model->fitted) return rc::CopyOut<double>(kFn, nullptr, 0, out, capacity, out_count);
    return rc::CopyOut(kFn, model->info().std_errors, out, capacity, out_count);
  });
}

double rapport_clv_model_log_likelihood(const rapport_clv_model* model) noexcept {
  if (model == nullptr || !model->fitted) return std::numeric_limits<double>::quiet_NaN();
  return model->info().log_likelihood;
}

int32_t rapport_clv_model_evaluations(const rapport_clv_model* model) noexcept {
  return model && model->fitted ? model->info().evaluations : 0;
}

int64_t rapport_clv_model_rows(const rapport_clv_model* model) noexcept {
  return model && model->fitted ? model->info().rows : 0;
}

int64_t rapport_clv_model_distinct_rows(const rapport_clv_model* model) noexcept {
  return model && model->fitted ? model->info().distinct_rows : 0;
}

double rapport_clv_model_customers(const rapport_clv_model* model) noexcept {
  return model && model->fitted ? model->info().customers : 0;
}

rapport_code rapport_clv_model_to_json(const rapport_clv_model* model, char** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(model);
    RAPPORT_CAPI_REQUIRE(out);
    const auto json =
        rapport::internal::ClvModelJson(rapport_clv_kind_name(model->kind), model->params, model->info(), model->fitted);
    return rc::ReturnString(rc::DumpOrdered(json), out);
  });
}

void rapport_clv_model_free(rapport_clv_model* model) noexcept { delete model; }

}  // extern "C"
