// CLV predictions through the C ABI, written into caller arrays: expected purchases (unconditional and
// per customer), P(alive), purchase count probabilities, expected spend, the P(alive) history of one
// customer and lifetime value. Every check runs before the first value is written, so a failed call
// leaves the caller's array as it was.
#include "clv_internal.h"

namespace rc = rapport::capi;

namespace rapport::capi {

absl::Status WrongKind(const char* argument, const rapport_clv_model& model, const char* what) {
  return absl::InvalidArgumentError(
      absl::StrCat(argument, ": needs ", what, ", got a ", KindLabel(model.kind), " model"));
}

absl::StatusOr<const rapport::PurchaseModel*> ContinuousModel(const char* argument, const rapport_clv_model& h) {
  switch (h.kind) {
    case RAPPORT_CLV_BG_NBD: return static_cast<const rapport::PurchaseModel*>(&std::get<rapport::BgNbdModel>(h.model));
    case RAPPORT_CLV_PARETO_NBD:
      return static_cast<const rapport::PurchaseModel*>(&std::get<rapport::ParetoNbdModel>(h.model));
    case RAPPORT_CLV_GAMMA_GAMMA:
    case RAPPORT_CLV_BG_BB:
    case RAPPORT_CLV_KIND_INT_MAX_: break;
  }
  return WrongKind(argument, h, "a BG/NBD or Pareto/NBD model");
}

absl::StatusOr<std::span<double>> OutputArray(const char* fn, double* out, size_t capacity, size_t n,
                                              const char* name) {
  if (out == nullptr && capacity > 0) return NullArgument(fn, name);
  if (n > capacity) return TooSmall(fn, n, capacity);
  if (n == 0) return std::span<double>();
  return std::span<double>(out, n);
}

}  // namespace rapport::capi

namespace {

using rc::ContinuousModel;
using rc::OutputArray;
using rc::WrongKind;

// Runs f(m) on the purchase model (BG/NBD, Pareto/NBD or BG/BB) behind the handle.
template <typename F>
absl::Status WithPurchaseModel(const rapport_clv_model& h, F&& f) {
  switch (h.kind) {
    case RAPPORT_CLV_BG_NBD: return f(std::get<rapport::BgNbdModel>(h.model));
    case RAPPORT_CLV_PARETO_NBD: return f(std::get<rapport::ParetoNbdModel>(h.model));
    case RAPPORT_CLV_BG_BB: return f(std::get<rapport::BgBbModel>(h.model));
    case RAPPORT_CLV_GAMMA_GAMMA:
    case RAPPORT_CLV_KIND_INT_MAX_: break;
  }
  return WrongKind("model", h, "a BG/NBD, Pareto/NBD or BG/BB model");
}

// The (x, t_x, T) columns of `rows` customers.
absl::StatusOr<rapport::RecencyFrequency> Customers(const char* fn, const double* frequency, const double* recency,
                                                    const double* age, size_t rows) {
  auto x = rc::InputArray(fn, "frequency", frequency, rows);
  if (!x.ok()) return x.status();
  auto tx = rc::InputArray(fn, "recency", recency, rows);
  if (!tx.ok()) return tx.status();
  auto T = rc::InputArray(fn, "age", age, rows);
  if (!T.ok()) return T.status();
  return rapport::RecencyFrequency{*x, *tx, *T, {}};
}

}  // namespace

extern "C" {

rapport_code rapport_clv_expected_purchases(const rapport_clv_model* model, const double* t, size_t count,
                                            double* out, size_t capacity, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(model);
    auto times = rc::InputArray(kFn, "t", t, count);
    if (!times.ok()) return times.status();
    auto values = OutputArray(kFn, out, capacity, count);
    if (!values.ok()) return values.status();
    return WithPurchaseModel(*model, [&](const auto& m) { return m.ExpectedPurchases(*times, *values); });
  });
}

rapport_code rapport_clv_conditional_expected_purchases(const rapport_clv_model* model, double t,
                                                        const double* frequency, const double* recency,
                                                        const double* age, size_t rows, double* out, size_t capacity,
                                                        rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(model);
    auto data = Customers(kFn, frequency, recency, age, rows);
    if (!data.ok()) return data.status();
    auto values = OutputArray(kFn, out, capacity, rows);
    if (!values.ok()) return values.status();
    return WithPurchaseModel(*model,
                             [&](const auto& m) { return m.ConditionalExpectedPurchases(t, *data, *values); });
  });
}

rapport_code rapport_clv_probability_alive(const rapport_clv_model* model, const double* frequency,
                                           const double* recency, const double* age, size_t rows, double* out,
                                           size_t capacity, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(model);
    auto data = Customers(kFn, frequency, recency, age, rows);
    if (!data.ok()) return data.status();
    auto values = OutputArray(kFn, out, capacity, rows);
    if (!values.ok()) return values.status();
    return WithPurchaseModel(*model, [&](const auto& m) { return m.ProbabilityAlive(*data, *values); });
  });
}

rapport_code rapport_clv_purchase_count_probability(const rapport_clv_model* model, double t, const double* n,
                                                    size_t count, double* out, size_t capacity,
                                                    rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(model);
    auto counts = rc::InputArray(kFn, "n", n, count);
    if (!counts.ok()) return counts.status();
    auto values = OutputArray(kFn, out, capacity, count);
    if (!values.ok()) return values.status();
    return WithPurchaseModel(*model, [&](const auto& m) { return m.PurchaseCountProbability(t, *counts, *values); });
  });
}

rapport_code rapport_clv_conditional_expected_spend(const rapport_clv_model* model, const double* frequency,
                                                    const double* monetary, size_t rows, double* out,
                                                    size_t capacity, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(model);
    if (model->kind != RAPPORT_CLV_GAMMA_GAMMA) return WrongKind("model", *model, "a Gamma-Gamma model");
    auto x = rc::InputArray(kFn, "frequency", frequency, rows);
    if (!x.ok()) return x.status();
    auto m = rc::InputArray(kFn, "monetary", monetary, rows);
    if (!m.ok()) return m.status();
    auto values = OutputArray(kFn, out, capacity, rows);
    if (!values.ok()) return values.status();
    return std::get<rapport::GammaGammaModel>(model->model)
        .ConditionalExpectedSpend(rapport::FrequencyMonetary{*x, *m, {}}, *values);
  });
}

rapport_code rapport_clv_alive_history(const rapport_clv_model* model, const double* purchase_times,
                                       size_t purchase_count, const double* at, size_t at_count, double* out,
                                       size_t capacity, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(model);
    auto purchases = ContinuousModel("model", *model);
    if (!purchases.ok()) return purchases.status();
    auto times = rc::InputArray(kFn, "purchase_times", purchase_times, purchase_count);
    if (!times.ok()) return times.status();
    auto when = rc::InputArray(kFn, "at", at, at_count);
    if (!when.ok()) return when.status();
    auto values = OutputArray(kFn, out, capacity, at_count);
    if (!values.ok()) return values.status();
    return (*purchases)->AliveHistory(*times, *when, *values);
  });
}

void rapport_clv_value_options_init(rapport_clv_value_options* opts) noexcept {
  if (opts == nullptr) return;
  *opts = rapport_clv_value_options{};
  opts->struct_size = sizeof(rapport_clv_value_options);
  const rapport::ClvOptions defaults;
  opts->periods = defaults.periods;
  opts->period_length = defaults.period_length;
  opts->discount_rate = defaults.discount_rate;
  opts->margin = defaults.margin;
}

rapport_code rapport_clv_value(const rapport_clv_model* purchases, const rapport_clv_model* spend,
                               const double* frequency, const double* recency, const double* age,
                               const double* monetary, size_t rows, const rapport_clv_value_options* opts,
                               double* out, size_t capacity, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(purchases);
    RAPPORT_CAPI_REQUIRE(spend);
    RAPPORT_CAPI_REQUIRE(opts);
    auto purchase_model = ContinuousModel("purchases", *purchases);
    if (!purchase_model.ok()) return purchase_model.status();
    if (spend->kind != RAPPORT_CLV_GAMMA_GAMMA) return WrongKind("spend", *spend, "a Gamma-Gamma model");
    auto data = Customers(kFn, frequency, recency, age, rows);
    if (!data.ok()) return data.status();
    auto money = rc::InputArray(kFn, "monetary", monetary, rows);
    if (!money.ok()) return money.status();
    absl::Status st = rc::CheckStructSize(kFn, "opts", opts->struct_size,
                                          offsetof(rapport_clv_value_options, periods) + sizeof(int32_t));
    if (!st.ok()) return st;
    rapport::ClvOptions options;
    options.periods = opts->periods;
    if (RAPPORT_CAPI_HAS(opts, period_length)) options.period_length = opts->period_length;
    if (RAPPORT_CAPI_HAS(opts, discount_rate)) options.discount_rate = opts->discount_rate;
    if (RAPPORT_CAPI_HAS(opts, margin)) options.margin = opts->margin;
    auto values = OutputArray(kFn, out, capacity, rows);
    if (!values.ok()) return values.status();
    return rapport::CustomerLifetimeValue(**purchase_model, std::get<rapport::GammaGammaModel>(spend->model), *data,
                                          *money, options, *values);
  });
}

}  // extern "C"
