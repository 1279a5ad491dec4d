// Cohort retention, repurchase rate and churn through the C ABI.
#include "analytics_internal.h"

namespace rc = rapport::capi;

extern "C" {

// ---- Cohorts ----

void rapport_cohort_options_init(rapport_cohort_options* opts) noexcept {
  if (opts == nullptr) return;
  *opts = rapport_cohort_options{};
  opts->struct_size = sizeof(rapport_cohort_options);
  opts->period = RAPPORT_COHORT_MONTH;
}

rapport_code rapport_cohorts_compute(const rapport_order_frame* orders, int64_t as_of,
                                     const rapport_cohort_options* opts, rapport_cohorts** out,
                                     rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(orders);
    RAPPORT_CAPI_REQUIRE(out);
    rapport::CohortOptions options;
    if (opts != nullptr) {
      absl::Status st = rc::CheckStructSize(kFn, "opts", opts->struct_size,
                                            offsetof(rapport_cohort_options, period) + sizeof(int32_t));
      if (!st.ok()) return st;
      options.period = static_cast<rapport::CohortPeriod>(opts->period);  // the core checks the value
      if (RAPPORT_CAPI_HAS(opts, max_periods)) options.max_periods = opts->max_periods;
      if (RAPPORT_CAPI_HAS(opts, threads)) options.threads = opts->threads;
    }
    auto matrix = rapport::ComputeCohortRetention(orders->frame, as_of, options);
    if (!matrix.ok()) return matrix.status();
    auto handle = std::make_unique<rapport_cohorts>();
    handle->matrix = *std::move(matrix);
    handle->as_of = as_of;
    *out = handle.release();
    return absl::OkStatus();
  });
}

size_t rapport_cohorts_count(const rapport_cohorts* cohorts) noexcept { return cohorts ? cohorts->matrix.cohorts() : 0; }

size_t rapport_cohorts_periods(const rapport_cohorts* cohorts) noexcept {
  return cohorts ? static_cast<size_t>(cohorts->matrix.periods) : 0;
}

rapport_cohort_period rapport_cohorts_period(const rapport_cohorts* cohorts) noexcept {
  return cohorts ? static_cast<rapport_cohort_period>(cohorts->matrix.period) : RAPPORT_COHORT_MONTH;
}

int64_t rapport_cohorts_as_of(const rapport_cohorts* cohorts) noexcept { return cohorts ? cohorts->as_of : 0; }

const char* rapport_cohorts_label(const rapport_cohorts* cohorts, size_t index) noexcept {
  if (cohorts == nullptr || index >= cohorts->matrix.labels.size()) return nullptr;
  return cohorts->matrix.labels[index].c_str();
}

rapport_code rapport_cohorts_starts(const rapport_cohorts* cohorts, int64_t* out, size_t capacity, size_t* out_count,
                                   rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(cohorts);
    return rc::CopyOut(kFn, cohorts->matrix.starts, out, capacity, out_count);
  });
}

rapport_code rapport_cohorts_sizes(const rapport_cohorts* cohorts, int64_t* out, size_t capacity, size_t* out_count,
                                  rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(cohorts);
    return rc::CopyOut(kFn, cohorts->matrix.sizes, out, capacity, out_count);
  });
}

rapport_code rapport_cohorts_counts(const rapport_cohorts* cohorts, int64_t* out, size_t capacity, size_t* out_count,
                                   rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(cohorts);
    return rc::CopyOut(kFn, cohorts->matrix.counts, out, capacity, out_count);
  });
}

rapport_code rapport_cohorts_rates(const rapport_cohorts* cohorts, double* out, size_t capacity, size_t* out_count,
                                  rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(cohorts);
    return rc::CopyOut(kFn, cohorts->matrix.rates, out, capacity, out_count);
  });
}

rapport_code rapport_cohorts_to_json(const rapport_cohorts* cohorts, char** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(cohorts);
    RAPPORT_CAPI_REQUIRE(out);
    const rapport::CohortMatrix& m = cohorts->matrix;
    rc::OrderedJson j = rc::OrderedJson::object();
    j["period"] = std::string(rapport::ToString(m.period));
    j["as_of"] = rc::TimeJson(cohorts->as_of);
    j["periods"] = m.periods;
    rc::OrderedJson rows = rc::OrderedJson::array();
    for (size_t c = 0; c < m.cohorts(); ++c) {
      rc::OrderedJson row = rc::OrderedJson::object();
      row["label"] = m.labels[c];
      row["start"] = rc::TimeJson(m.starts[c]);
      row["size"] = m.sizes[c];
      rc::OrderedJson counts = rc::OrderedJson::array(), rates = rc::OrderedJson::array();
      for (int k = 0; k < m.periods; ++k) {
        const int64_t n = m.count(c, k);
        counts.push_back(n < 0 ? rc::OrderedJson(nullptr) : rc::OrderedJson(n));
        rates.push_back(n < 0 ? rc::OrderedJson(nullptr) : rc::OrderedJson(m.rate(c, k)));
      }
      row["counts"] = std::move(counts);
      row["rates"] = std::move(rates);
      rows.push_back(std::move(row));
    }
    j["cohorts"] = std::move(rows);
    return rc::ReturnString(rc::DumpOrdered(j), out);
  });
}

void rapport_cohorts_free(rapport_cohorts* cohorts) noexcept { delete cohorts; }

// ---- Repurchase ----

void rapport_repurchase_options_init(rapport_repurchase_options* opts) noexcept {
  if (opts == nullptr) return;
  *opts = rapport_repurchase_options{};
  opts->struct_size = sizeof(rapport_repurchase_options);
  opts->window = rapport::RepurchaseOptions{}.window;
}

void rapport_repurchase_rate_init(rapport_repurchase_rate* rate) noexcept {
  if (rate == nullptr) return;
  *rate = rapport_repurchase_rate{};
  rate->struct_size = sizeof(rapport_repurchase_rate);
}

rapport_code rapport_repurchase_rate_compute(const rapport_order_frame* orders, int64_t as_of,
                                             const rapport_repurchase_options* opts, rapport_repurchase_rate* out,
                                             rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(orders);
    RAPPORT_CAPI_REQUIRE(out);
    constexpr size_t kMinOut = offsetof(rapport_repurchase_rate, repeat_customers) + sizeof(int64_t);
    absl::Status st = rc::CheckStructSize(kFn, "out", out->struct_size, kMinOut);
    if (!st.ok()) return st;
    rapport::RepurchaseOptions options;
    if (opts != nullptr) {
      st = rc::CheckStructSize(kFn, "opts", opts->struct_size,
                               offsetof(rapport_repurchase_options, window) + sizeof(int64_t));
      if (!st.ok()) return st;
      options.window = opts->window;
      if (RAPPORT_CAPI_HAS(opts, threads)) options.threads = opts->threads;
    }
    auto rate = rapport::ComputeRepurchaseRate(orders->frame, as_of, options);
    if (!rate.ok()) return rate.status();
    rapport_repurchase_rate value{};
    value.repeat_customers = rate->repeat_customers;
    value.eligible_customers = rate->eligible_customers;
    value.rate = rate->rate;
    return rc::WriteResult(kFn, value, out, kMinOut);
  });
}

// ---- Churn ----

void rapport_churn_options_init(rapport_churn_options* opts) noexcept {
  if (opts == nullptr) return;
  *opts = rapport_churn_options{};
  opts->struct_size = sizeof(rapport_churn_options);
  opts->start = RAPPORT_NULL_TIME;
  opts->end = RAPPORT_NULL_TIME;
  opts->lookback = rapport::ChurnOptions{}.lookback;
}

void rapport_churn_rate_init(rapport_churn_rate* rate) noexcept {
  if (rate == nullptr) return;
  *rate = rapport_churn_rate{};
  rate->struct_size = sizeof(rapport_churn_rate);
}

rapport_code rapport_churn_compute(const rapport_order_frame* orders, const rapport_churn_options* opts,
                                   rapport_churn_rate* out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(orders);
    RAPPORT_CAPI_REQUIRE(out);
    constexpr size_t kMinOut = offsetof(rapport_churn_rate, churned_customers) + sizeof(int64_t);
    absl::Status st = rc::CheckStructSize(kFn, "out", out->struct_size, kMinOut);
    if (!st.ok()) return st;
    rapport::ChurnOptions options;
    if (opts != nullptr) {
      st = rc::CheckStructSize(kFn, "opts", opts->struct_size, offsetof(rapport_churn_options, end) + sizeof(int64_t));
      if (!st.ok()) return st;
      options.start = opts->start;
      options.end = opts->end;
      if (RAPPORT_CAPI_HAS(opts, lookback)) options.lookback = opts->lookback;
      if (RAPPORT_CAPI_HAS(opts, threads)) options.threads = opts->threads;
    }
    auto churn = rapport::ComputeChurn(orders->frame, options);
    if (!churn.ok()) return churn.status();
    rapport_churn_rate value{};
    value.churned_customers = churn->churned_customers;
    value.base_customers = churn->base_customers;
    value.rate = churn->rate;
    return rc::WriteResult(kFn, value, out, kMinOut);
  });
}

}  // extern "C"
