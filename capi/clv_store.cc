// Stored CLV models through the C ABI: fit on the database, save from JSON, read, delete, apply, and
// the stored scores as caller-owned columns. Models cross as their JSON form (ClvModelSpec::ToJson).
#include "analytics_internal.h"
#include "rapport/clv_store.h"

namespace rc = rapport::capi;

struct rapport_db_clv_scores {
  rapport::ClvScoreTable table;
};

namespace {

absl::StatusOr<rapport::ClvModelFitOptions> FitOptionsFrom(const char* fn, const rapport_db_clv_fit_options* opts) {
  rapport::ClvModelFitOptions o;
  if (opts == nullptr) return o;
  absl::Status st = rc::CheckStructSize(fn, "opts", opts->struct_size,
                                        offsetof(rapport_db_clv_fit_options, model) + sizeof(int32_t));
  if (!st.ok()) return st;
  if (opts->model != RAPPORT_DB_CLV_BG_NBD && opts->model != RAPPORT_DB_CLV_PARETO_NBD) {
    return absl::InvalidArgumentError(absl::StrCat(
        "model: must be RAPPORT_DB_CLV_BG_NBD (0) or RAPPORT_DB_CLV_PARETO_NBD (1), got ", opts->model));
  }
  o.model = static_cast<rapport::ClvModelKind>(opts->model);
  if (RAPPORT_CAPI_HAS(opts, cutoff) && opts->cutoff != RAPPORT_AS_OF_NOW) o.cutoff = rc::FromMicros(opts->cutoff);
  if (RAPPORT_CAPI_HAS(opts, time_unit)) o.time_unit = opts->time_unit;
  if (RAPPORT_CAPI_HAS(opts, merge_period)) o.merge_period = opts->merge_period;
  if (RAPPORT_CAPI_HAS(opts, merge_offset)) o.merge_offset = opts->merge_offset;
  if (RAPPORT_CAPI_HAS(opts, currency)) {
    auto currency = rc::OptionalText(fn, "opts->currency", opts->currency);
    if (!currency.ok()) return currency.status();
    o.currency = *std::move(currency);
  }
  if (RAPPORT_CAPI_HAS(opts, order_status_count) && opts->order_status_count > 0) {
    auto statuses = rc::StringList(fn, "opts->order_statuses", opts->order_statuses, opts->order_status_count);
    if (!statuses.ok()) return statuses.status();
    o.order_statuses = *std::move(statuses);
  }
  if (RAPPORT_CAPI_HAS(opts, spend)) o.spend = opts->spend != 0;
  if (RAPPORT_CAPI_HAS(opts, periods)) o.value.periods = opts->periods;
  if (RAPPORT_CAPI_HAS(opts, period_length)) o.value.period_length = opts->period_length;
  if (RAPPORT_CAPI_HAS(opts, discount_rate)) o.value.discount_rate = opts->discount_rate;
  if (RAPPORT_CAPI_HAS(opts, margin)) o.value.margin = opts->margin;
  if (RAPPORT_CAPI_HAS(opts, tolerance)) o.fit.tolerance = opts->tolerance;
  if (RAPPORT_CAPI_HAS(opts, max_evaluations)) o.fit.max_evaluations = opts->max_evaluations;
  if (RAPPORT_CAPI_HAS(opts, threads)) o.fit.threads = opts->threads;
  return o;
}

// Writes the model's JSON to `*out_json` when the caller asked for it.
absl::Status EmitModel(const rapport::ClvModelSpec& spec, char** out_json) {
  if (out_json == nullptr) return absl::OkStatus();
  return rc::ReturnString(spec.ToJson(), out_json);
}

}  // namespace

extern "C" {

void rapport_db_clv_fit_options_init(rapport_db_clv_fit_options* opts) noexcept {
  if (opts == nullptr) return;
  *opts = rapport_db_clv_fit_options{};
  opts->struct_size = sizeof(rapport_db_clv_fit_options);
  const rapport::ClvModelFitOptions d;
  opts->model = RAPPORT_DB_CLV_BG_NBD;
  opts->cutoff = RAPPORT_AS_OF_NOW;
  opts->time_unit = d.time_unit;
  opts->merge_period = d.merge_period;
  opts->merge_offset = d.merge_offset;
  opts->spend = 1;
  opts->periods = d.value.periods;
  opts->period_length = 0;
  opts->discount_rate = d.value.discount_rate;
  opts->margin = d.value.margin;
  opts->tolerance = d.fit.tolerance;
  opts->max_evaluations = d.fit.max_evaluations;
  opts->threads = d.fit.threads;
}

rapport_code rapport_db_clv_fit(rapport_db* db, const char* name, const rapport_db_clv_fit_options* opts,
                                char** out_json, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    absl::Status st = rc::CheckText(kFn, "name", name);
    if (!st.ok()) return st;
    auto options = FitOptionsFrom(kFn, opts);
    if (!options.ok()) return options.status();
    auto spec = db->db.FitClvModel(name, *options);
    if (!spec.ok()) return spec.status();
    return EmitModel(*spec, out_json);
  });
}

rapport_code rapport_db_clv_save_json(rapport_db* db, const char* spec_json, char** out_json,
                                      rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(spec_json);
    auto spec = rapport::ClvModelSpec::FromJson(spec_json);
    if (!spec.ok()) return spec.status();
    auto saved = db->db.SaveClvModel(*spec);
    if (!saved.ok()) return saved.status();
    return EmitModel(*saved, out_json);
  });
}

rapport_code rapport_db_clv_model_json(rapport_db* db, const char* name, char** out_json,
                                       rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out_json);
    absl::Status st = rc::CheckText(kFn, "name", name);
    if (!st.ok()) return st;
    auto spec = db->db.GetClvModel(name);
    if (!spec.ok()) return spec.status();
    return EmitModel(*spec, out_json);
  });
}

rapport_code rapport_db_clv_model_list_json(rapport_db* db, char** out_json, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out_json);
    auto all = db->db.ClvModels();
    if (!all.ok()) return all.status();
    std::string json = "[";
    for (size_t i = 0; i < all->size(); ++i) absl::StrAppend(&json, i ? "," : "", (*all)[i].ToJson());
    json += "]";
    return rc::ReturnString(json, out_json);
  });
}

rapport_code rapport_db_clv_model_delete(rapport_db* db, const char* name, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    absl::Status st = rc::CheckText(kFn, "name", name);
    if (!st.ok()) return st;
    return db->db.DeleteClvModel(name);
  });
}

rapport_code rapport_db_clv_apply(rapport_db* db, const char* name, int64_t as_of, int64_t* out_scored,
                                  rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    absl::Status st = rc::CheckText(kFn, "name", name);
    if (!st.ok()) return st;
    std::optional<absl::Time> when;
    if (as_of != RAPPORT_AS_OF_NOW) when = rc::FromMicros(as_of);
    auto report = db->db.ApplyClvModel(name, when);
    if (!report.ok()) return report.status();
    if (out_scored != nullptr) *out_scored = report->customers;
    return absl::OkStatus();
  });
}

rapport_code rapport_db_clv_scores_load(rapport_db* db, rapport_db_clv_scores** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out);
    auto table = db->db.ClvScores();
    if (!table.ok()) return table.status();
    auto handle = std::make_unique<rapport_db_clv_scores>();
    handle->table = *std::move(table);
    *out = handle.release();
    return absl::OkStatus();
  });
}

size_t rapport_db_clv_scores_rows(const rapport_db_clv_scores* scores) noexcept {
  return scores ? scores->table.rows() : 0;
}

const char* rapport_db_clv_scores_model(const rapport_db_clv_scores* scores) noexcept {
  return scores ? scores->table.model.c_str() : nullptr;
}

int64_t rapport_db_clv_scores_model_id(const rapport_db_clv_scores* scores) noexcept {
  return scores ? scores->table.model_id : 0;
}

int64_t rapport_db_clv_scores_as_of(const rapport_db_clv_scores* scores) noexcept {
  if (scores == nullptr || !scores->table.as_of) return RAPPORT_NULL_TIME;
  return rc::Micros(*scores->table.as_of);
}

rapport_code rapport_db_clv_scores_customers(const rapport_db_clv_scores* scores, int64_t* out, size_t capacity,
                                             size_t* out_count, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(scores);
    return rc::CopyOut(kFn, scores->table.customer, out, capacity, out_count);
  });
}

rapport_code rapport_db_clv_scores_column(const rapport_db_clv_scores* scores, int32_t which, double* out,
                                          size_t capacity, size_t* out_count, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(scores);
    const rapport::ClvScoreTable& t = scores->table;
    switch (which) {
      case RAPPORT_DB_CLV_P_ALIVE: return rc::CopyOut(kFn, t.p_alive, out, capacity, out_count);
      case RAPPORT_DB_CLV_EXPECTED_PURCHASES_90D:
        return rc::CopyOut(kFn, t.expected_purchases_90d, out, capacity, out_count);
      case RAPPORT_DB_CLV_CLV: return rc::CopyOut(kFn, t.clv, out, capacity, out_count);
      case RAPPORT_DB_CLV_CHURN_RISK: return rc::CopyOut(kFn, t.churn_risk, out, capacity, out_count);
    }
    return absl::InvalidArgumentError(absl::StrCat("which: must be a rapport_db_clv_score (0 to 3), got ", which));
  });
}

void rapport_db_clv_scores_free(rapport_db_clv_scores* scores) noexcept { delete scores; }

}  // extern "C"
