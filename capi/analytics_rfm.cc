// RFM scores, segments, summaries and value tiers through the C ABI.
#include "analytics_internal.h"
#include "base/text.h"

namespace rc = rapport::capi;

namespace {

absl::StatusOr<rapport::RfmOptions> RfmOptionsFrom(const char* fn, const rapport_rfm_options* opts) {
  rapport::RfmOptions o;
  if (opts == nullptr) return o;
  absl::Status st =
      rc::CheckStructSize(fn, "opts", opts->struct_size, offsetof(rapport_rfm_options, bins) + sizeof(int32_t));
  if (!st.ok()) return st;
  o.bins = opts->bins;
  if (RAPPORT_CAPI_HAS(opts, segment_count) && opts->custom_segments != 0) {
    if (opts->segments == nullptr && opts->segment_count > 0) return rc::NullArgument(fn, "opts->segments");
    std::vector<rapport::RfmSegmentRule> rules;
    rules.reserve(opts->segment_count);
    for (size_t i = 0; i < opts->segment_count; ++i) {
      const rapport_rfm_segment_rule& r = opts->segments[i];
      const std::string name = absl::StrCat("opts->segments[", i, "].name");
      if (st = rc::CheckText(fn, name.c_str(), r.name); !st.ok()) return st;
      rules.push_back({r.name, r.r_min, r.r_max, r.f_min, r.f_max});
    }
    o.segments = std::move(rules);
  }
  if (RAPPORT_CAPI_HAS(opts, threads)) o.threads = opts->threads;
  return o;
}

rc::OrderedJson RfmJson(const rapport::RfmTable& t) {
  rc::OrderedJson j = rc::OrderedJson::object();
  j["as_of"] = rc::TimeJson(t.as_of);
  j["bins"] = t.bins;
  rc::OrderedJson rows = rc::OrderedJson::array();
  for (size_t i = 0; i < t.rows(); ++i) {
    rc::OrderedJson row = rc::OrderedJson::object();
    row["customer"] = t.customer[i];
    row["recency_days"] = t.recency_days[i];
    row["frequency"] = t.frequency[i];
    row["monetary"] = t.monetary[i];
    row["r"] = t.r[i];
    row["f"] = t.f[i];
    row["m"] = t.m[i];
    row["segment"] = t.segment[i] < 0 ? rc::OrderedJson(nullptr) : rc::OrderedJson(t.segment_names[t.segment[i]]);
    rows.push_back(std::move(row));
  }
  j["rows"] = std::move(rows);
  rc::OrderedJson segments = rc::OrderedJson::array();
  for (const auto& s : t.segments) segments.push_back(rapport::internal::RfmSegmentSummaryJson(s));
  j["segments"] = std::move(segments);
  j["unsegmented"] = rapport::internal::RfmSegmentSummaryJson(t.unsegmented);
  rc::OrderedJson grid = rc::OrderedJson::array();
  for (int r = 1; r <= t.bins; ++r) {
    rc::OrderedJson line = rc::OrderedJson::array();
    for (int f = 1; f <= t.bins; ++f) line.push_back(t.grid_count(r, f));
    grid.push_back(std::move(line));
  }
  j["grid"] = std::move(grid);
  return j;
}

absl::StatusOr<rapport::ValueTierOptions> TierOptionsFrom(const char* fn, const rapport_value_tier_options* opts) {
  rapport::ValueTierOptions o;
  if (opts == nullptr) return o;
  absl::Status st = rc::CheckStructSize(fn, "opts", opts->struct_size,
                                        offsetof(rapport_value_tier_options, mode) + sizeof(int32_t));
  if (!st.ok()) return st;
  o.mode = static_cast<rapport::ValueTierMode>(opts->mode);  // the core checks the value
  if (RAPPORT_CAPI_HAS(opts, high) && opts->high != 0) o.high = opts->high;
  if (RAPPORT_CAPI_HAS(opts, potential) && opts->potential != 0) o.potential = opts->potential;
  if (RAPPORT_CAPI_HAS(opts, names)) {
    for (size_t i = 0; i < 3; ++i) {
      if (opts->names[i] == nullptr) continue;
      const std::string name = absl::StrCat("opts->names[", i, "]");
      if (st = rc::CheckText(fn, name.c_str(), opts->names[i]); !st.ok()) return st;
      o.names[i] = opts->names[i];
    }
  }
  if (RAPPORT_CAPI_HAS(opts, threads)) o.threads = opts->threads;
  return o;
}

const char* ModeName(rapport::ValueTierMode mode) {
  return mode == rapport::ValueTierMode::kRevenueShare ? "revenue_share" : "quantile";
}

}  // namespace

extern "C" {

// ---- RFM ----

void rapport_rfm_options_init(rapport_rfm_options* opts) noexcept {
  if (opts == nullptr) return;
  *opts = rapport_rfm_options{};
  opts->struct_size = sizeof(rapport_rfm_options);
  opts->bins = 5;
}

rapport_code rapport_rfm_compute(const rapport_order_frame* orders, int64_t as_of, const rapport_rfm_options* opts,
                                 rapport_rfm** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(orders);
    RAPPORT_CAPI_REQUIRE(out);
    auto options = RfmOptionsFrom(kFn, opts);
    if (!options.ok()) return options.status();
    auto table = rapport::ComputeRfm(orders->frame, as_of, *options);
    if (!table.ok()) return table.status();
    auto handle = std::make_unique<rapport_rfm>();
    handle->table = *std::move(table);
    *out = handle.release();
    return absl::OkStatus();
  });
}

size_t rapport_rfm_rows(const rapport_rfm* rfm) noexcept { return rfm ? rfm->table.rows() : 0; }
int64_t rapport_rfm_as_of(const rapport_rfm* rfm) noexcept { return rfm ? rfm->table.as_of : 0; }
int32_t rapport_rfm_bins(const rapport_rfm* rfm) noexcept { return rfm ? rfm->table.bins : 0; }

rapport_code rapport_rfm_customers(const rapport_rfm* rfm, int64_t* out, size_t capacity, size_t* out_count,
                                   rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(rfm);
    return rc::CopyOut(kFn, rfm->table.customer, out, capacity, out_count);
  });
}

rapport_code rapport_rfm_recency_days(const rapport_rfm* rfm, int32_t* out, size_t capacity, size_t* out_count,
                                      rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(rfm);
    return rc::CopyOut(kFn, rfm->table.recency_days, out, capacity, out_count);
  });
}

rapport_code rapport_rfm_frequency(const rapport_rfm* rfm, int64_t* out, size_t capacity, size_t* out_count,
                                   rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(rfm);
    return rc::CopyOut(kFn, rfm->table.frequency, out, capacity, out_count);
  });
}

rapport_code rapport_rfm_monetary(const rapport_rfm* rfm, double* out, size_t capacity, size_t* out_count,
                                  rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(rfm);
    return rc::CopyOut(kFn, rfm->table.monetary, out, capacity, out_count);
  });
}

rapport_code rapport_rfm_scores(const rapport_rfm* rfm, uint8_t* r, uint8_t* f, uint8_t* m, size_t capacity,
                                size_t* out_count, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(rfm);
    RAPPORT_CAPI_REQUIRE(out_count);
    const size_t n = rfm->table.rows();
    if (r == nullptr && f == nullptr && m == nullptr) {
      *out_count = n;
      return absl::OkStatus();
    }
    if (n > capacity) {
      *out_count = n;
      return rc::TooSmall(kFn, n, capacity);
    }
    if (n > 0) {
      if (r != nullptr) std::memcpy(r, rfm->table.r.data(), n);
      if (f != nullptr) std::memcpy(f, rfm->table.f.data(), n);
      if (m != nullptr) std::memcpy(m, rfm->table.m.data(), n);
    }
    *out_count = n;
    return absl::OkStatus();
  });
}

rapport_code rapport_rfm_segment_codes(const rapport_rfm* rfm, int16_t* out, size_t capacity, size_t* out_count,
                                       rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(rfm);
    return rc::CopyOut(kFn, rfm->table.segment, out, capacity, out_count);
  });
}

size_t rapport_rfm_segment_count(const rapport_rfm* rfm) noexcept { return rfm ? rfm->table.segment_names.size() : 0; }

const char* rapport_rfm_segment_name(const rapport_rfm* rfm, size_t index) noexcept {
  if (rfm == nullptr || index >= rfm->table.segment_names.size()) return nullptr;
  return rfm->table.segment_names[index].c_str();
}

void rapport_rfm_summary_init(rapport_rfm_summary* summary) noexcept {
  if (summary == nullptr) return;
  *summary = rapport_rfm_summary{};
  summary->struct_size = sizeof(rapport_rfm_summary);
}

rapport_code rapport_rfm_summary_at(const rapport_rfm* rfm, size_t index, rapport_rfm_summary* out,
                                    rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(rfm);
    RAPPORT_CAPI_REQUIRE(out);
    const auto& segments = rfm->table.segments;
    if (index > segments.size()) {
      return absl::OutOfRangeError(absl::StrCat(kFn, ": index ", index, " is beyond the ", segments.size(),
                                                " segments and the unsegmented customers (index ", segments.size(),
                                                ")"));
    }
    const rapport::RfmSegmentSummary& s = index < segments.size() ? segments[index] : rfm->table.unsegmented;
    rapport_rfm_summary value{};
    value.name = s.name.c_str();
    value.customers = s.customers;
    value.customer_share = s.customer_share;
    value.revenue = s.revenue;
    value.revenue_share = s.revenue_share;
    value.mean_recency_days = s.mean_recency_days;
    value.mean_frequency = s.mean_frequency;
    value.mean_monetary = s.mean_monetary;
    return rc::WriteResult(kFn, value, out, offsetof(rapport_rfm_summary, name) + sizeof(const char*));
  });
}

rapport_code rapport_rfm_grid(const rapport_rfm* rfm, int64_t* out, size_t capacity, size_t* out_count,
                              rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(rfm);
    return rc::CopyOut(kFn, rfm->table.grid, out, capacity, out_count);
  });
}

rapport_code rapport_rfm_to_json(const rapport_rfm* rfm, char** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(rfm);
    RAPPORT_CAPI_REQUIRE(out);
    return rc::ReturnString(rc::DumpOrdered(RfmJson(rfm->table)), out);
  });
}

void rapport_rfm_free(rapport_rfm* rfm) noexcept { delete rfm; }

// ---- Value tiers ----

void rapport_value_tier_options_init(rapport_value_tier_options* opts) noexcept {
  if (opts == nullptr) return;
  *opts = rapport_value_tier_options{};
  opts->struct_size = sizeof(rapport_value_tier_options);
  opts->mode = RAPPORT_VALUE_TIERS_QUANTILE;
}

rapport_code rapport_value_tiers_compute(const rapport_order_frame* orders, int64_t as_of,
                                         const rapport_value_tier_options* opts, rapport_value_tiers** out,
                                         rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(orders);
    RAPPORT_CAPI_REQUIRE(out);
    auto options = TierOptionsFrom(kFn, opts);
    if (!options.ok()) return options.status();
    auto table = rapport::ComputeValueTiers(orders->frame, as_of, *options);
    if (!table.ok()) return table.status();
    auto handle = std::make_unique<rapport_value_tiers>();
    handle->table = *std::move(table);
    handle->as_of = as_of;
    handle->mode = options->mode;
    *out = handle.release();
    return absl::OkStatus();
  });
}

size_t rapport_value_tiers_rows(const rapport_value_tiers* tiers) noexcept {
  return tiers ? tiers->table.customer.size() : 0;
}

rapport_code rapport_value_tiers_customers(const rapport_value_tiers* tiers, int64_t* out, size_t capacity,
                                           size_t* out_count, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(tiers);
    return rc::CopyOut(kFn, tiers->table.customer, out, capacity, out_count);
  });
}

rapport_code rapport_value_tiers_monetary(const rapport_value_tiers* tiers, double* out, size_t capacity,
                                          size_t* out_count, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(tiers);
    return rc::CopyOut(kFn, tiers->table.monetary, out, capacity, out_count);
  });
}

rapport_code rapport_value_tiers_codes(const rapport_value_tiers* tiers, int8_t* out, size_t capacity,
                                       size_t* out_count, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(tiers);
    return rc::CopyOut(kFn, tiers->table.tiers.tier, out, capacity, out_count);
  });
}

const char* rapport_value_tiers_name(const rapport_value_tiers* tiers, int32_t tier) noexcept {
  if (tiers == nullptr || tier < 0 || tier > 2) return nullptr;
  return tiers->table.tiers.names[tier].c_str();
}

int64_t rapport_value_tiers_tier_customers(const rapport_value_tiers* tiers, int32_t tier) noexcept {
  if (tiers == nullptr || tier < 0 || tier > 2) return 0;
  return tiers->table.tiers.customers[tier];
}

double rapport_value_tiers_tier_revenue(const rapport_value_tiers* tiers, int32_t tier) noexcept {
  if (tiers == nullptr || tier < 0 || tier > 2) return 0;
  return tiers->table.tiers.revenue[tier];
}

rapport_code rapport_value_tiers_to_json(const rapport_value_tiers* tiers, char** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(tiers);
    RAPPORT_CAPI_REQUIRE(out);
    const rapport::ValueTierTable& t = tiers->table;
    rc::OrderedJson j = rc::OrderedJson::object();
    j["as_of"] = rc::TimeJson(tiers->as_of);
    j["mode"] = ModeName(tiers->mode);
    rc::OrderedJson summary = rc::OrderedJson::array();
    for (size_t i = 0; i < 3; ++i) {
      rc::OrderedJson s = rc::OrderedJson::object();
      s["name"] = t.tiers.names[i];
      s["customers"] = t.tiers.customers[i];
      s["revenue"] = t.tiers.revenue[i];
      summary.push_back(std::move(s));
    }
    j["tiers"] = std::move(summary);
    rc::OrderedJson rows = rc::OrderedJson::array();
    for (size_t i = 0; i < t.customer.size(); ++i) {
      rc::OrderedJson row = rc::OrderedJson::object();
      row["customer"] = t.customer[i];
      row["monetary"] = t.monetary[i];
      const int8_t tier = t.tiers.tier[i];
      row["tier"] = tier < 0 ? rc::OrderedJson(nullptr) : rc::OrderedJson(t.tiers.names[tier]);
      rows.push_back(std::move(row));
    }
    j["rows"] = std::move(rows);
    return rc::ReturnString(rc::DumpOrdered(j), out);
  });
}

void rapport_value_tiers_free(rapport_value_tiers* tiers) noexcept { delete tiers; }

}  // extern "C"
