// The CLV summary through the C ABI: per-customer (x, t_x, T, mean repeat spend, holdout) from caller
// arrays, an order frame or a database's orders, with its columns copied into caller arrays.
#include "clv_internal.h"

namespace rc = rapport::capi;

namespace {

// Summary options are required: the calibration end has no default.
absl::StatusOr<rapport::ClvSummaryOptions> SummaryOptionsFrom(const char* fn, const rapport_clv_summary_options* opts) {
  if (opts == nullptr) return rc::NullArgument(fn, "opts");
  absl::Status st = rc::CheckStructSize(fn, "opts", opts->struct_size,
                                        offsetof(rapport_clv_summary_options, calibration_end) + sizeof(int64_t));
  if (!st.ok()) return st;
  rapport::ClvSummaryOptions o;
  o.calibration_end = opts->calibration_end;
  if (RAPPORT_CAPI_HAS(opts, observation_end)) o.observation_end = opts->observation_end;
  if (RAPPORT_CAPI_HAS(opts, time_unit)) o.time_unit = opts->time_unit;
  if (RAPPORT_CAPI_HAS(opts, merge_period)) o.merge_period = opts->merge_period;
  if (RAPPORT_CAPI_HAS(opts, merge_offset)) o.merge_offset = opts->merge_offset;
  if (RAPPORT_CAPI_HAS(opts, threads)) o.threads = opts->threads;
  return o;
}

// Summarises `orders` into a new handle.
absl::Status Summarize(const rapport::OrderFrame& orders, const rapport::ClvSummaryOptions& options,
                       rapport_clv_summary** out) {
  auto summary = rapport::SummarizeForClv(orders, options);
  if (!summary.ok()) return summary.status();
  auto handle = std::make_unique<rapport_clv_summary>();
  handle->summary = *std::move(summary);
  handle->has_holdout = options.observation_end != rapport::kNullTime;
  *out = handle.release();
  return absl::OkStatus();
}

template <typename T>
rapport_code Column(const char* fn, const rapport_clv_summary* summary, const std::vector<T> rapport::ClvSummary::*column,
                    T* out, size_t capacity, size_t* out_count, rapport_error** err) {
  return rc::Guard(err, fn, [&]() -> absl::Status {
    if (summary == nullptr) return rc::NullArgument(fn, "summary");
    return rc::CopyOut(fn, summary->summary.*column, out, capacity, out_count);
  });
}

}  // namespace

extern "C" {

void rapport_clv_summary_options_init(rapport_clv_summary_options* opts) noexcept {
  if (opts == nullptr) return;
  *opts = rapport_clv_summary_options{};
  opts->struct_size = sizeof(rapport_clv_summary_options);
  opts->calibration_end = RAPPORT_NULL_TIME;
  opts->observation_end = RAPPORT_NULL_TIME;
  opts->time_unit = RAPPORT_MICROS_PER_WEEK;
  opts->merge_period = RAPPORT_MICROS_PER_DAY;
}

rapport_code rapport_clv_summary_from_orders(const int64_t* customer, const int64_t* at, const double* amount,
                                             size_t rows, const rapport_clv_summary_options* opts,
                                             rapport_clv_summary** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(out);
    for (auto [name, array] : {std::pair<const char*, const void*>{"customer", customer}, {"at", at}, {"amount", amount}}) {
      if (absl::Status st = rc::CheckArray(kFn, name, array, rows); !st.ok()) return st;
    }
    auto options = SummaryOptionsFrom(kFn, opts);
    if (!options.ok()) return options.status();
    rapport::OrderFrame orders;
    if (rows > 0) {
      orders.customer.assign(customer, customer + rows);
      orders.at.assign(at, at + rows);
      orders.amount.assign(amount, amount + rows);
    }
    return Summarize(orders, *options, out);
  });
}

rapport_code rapport_clv_summary_from_frame(const rapport_order_frame* orders, const rapport_clv_summary_options* opts,
                                            rapport_clv_summary** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(orders);
    RAPPORT_CAPI_REQUIRE(out);
    auto options = SummaryOptionsFrom(kFn, opts);
    if (!options.ok()) return options.status();
    return Summarize(orders->frame, *options, out);
  });
}

rapport_code rapport_clv_summary_from_db(rapport_db* db, const rapport_frame_options* frame_opts,
                                         const rapport_clv_summary_options* opts, rapport_clv_summary** out,
                                         rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out);
    auto frame_options = rc::FrameOptionsFrom(kFn, "frame_opts", frame_opts);
    if (!frame_options.ok()) return frame_options.status();
    auto options = SummaryOptionsFrom(kFn, opts);
    if (!options.ok()) return options.status();
    auto orders = db->db.LoadOrderFrame(*frame_options);
    if (!orders.ok()) return orders.status();
    return Summarize(*orders, *options, out);
  });
}

size_t rapport_clv_summary_rows(const rapport_clv_summary* summary) noexcept {
  return summary ? summary->summary.rows() : 0;
}

rapport_code rapport_clv_summary_customers(const rapport_clv_summary* summary, int64_t* out, size_t capacity,
                                           size_t* out_count, rapport_error** err) noexcept {
  return Column(__func__, summary, &rapport::ClvSummary::customer, out, capacity, out_count, err);
}

rapport_code rapport_clv_summary_frequency(const rapport_clv_summary* summary, double* out, size_t capacity,
                                           size_t* out_count, rapport_error** err) noexcept {
  return Column(__func__, summary, &rapport::ClvSummary::frequency, out, capacity, out_count, err);
}

rapport_code rapport_clv_summary_recency(const rapport_clv_summary* summary, double* out, size_t capacity,
                                         size_t* out_count, rapport_error** err) noexcept {
  return Column(__func__, summary, &rapport::ClvSummary::recency, out, capacity, out_count, err);
}

rapport_code rapport_clv_summary_age(const rapport_clv_summary* summary, double* out, size_t capacity,
                                     size_t* out_count, rapport_error** err) noexcept {
  return Column(__func__, summary, &rapport::ClvSummary::age, out, capacity, out_count, err);
}

rapport_code rapport_clv_summary_monetary(const rapport_clv_summary* summary, double* out, size_t capacity,
                                          size_t* out_count, rapport_error** err) noexcept {
  return Column(__func__, summary, &rapport::ClvSummary::monetary, out, capacity, out_count, err);
}

int rapport_clv_summary_has_holdout(const rapport_clv_summary* summary) noexcept {
  return summary != nullptr && summary->has_holdout ? 1 : 0;
}

double rapport_clv_summary_holdout_duration(const rapport_clv_summary* summary) noexcept {
  return summary ? summary->summary.holdout_duration : 0;
}

rapport_code rapport_clv_summary_holdout_frequency(const rapport_clv_summary* summary, double* out, size_t capacity,
                                                   size_t* out_count, rapport_error** err) noexcept {
  return Column(__func__, summary, &rapport::ClvSummary::holdout_frequency, out, capacity, out_count, err);
}

rapport_code rapport_clv_summary_holdout_monetary(const rapport_clv_summary* summary, double* out, size_t capacity,
                                                  size_t* out_count, rapport_error** err) noexcept {
  return Column(__func__, summary, &rapport::ClvSummary::holdout_monetary, out, capacity, out_count, err);
}

void rapport_clv_summary_free(rapport_clv_summary* summary) noexcept { delete summary; }

}  // extern "C"
