// Event funnels and stage funnels through the C ABI.
#include "analytics_internal.h"

namespace rc = rapport::capi;

namespace {

absl::StatusOr<rapport::EventFunnelOptions> EventOptionsFrom(const char* fn, const rapport_event_funnel_options* opts) {
  rapport::EventFunnelOptions o;
  if (opts == nullptr) return o;
  absl::Status st = rc::CheckStructSize(fn, "opts", opts->struct_size,
                                        offsetof(rapport_event_funnel_options, window) + sizeof(int64_t));
  if (!st.ok()) return st;
  auto steps = rc::StringList(fn, "opts->steps", opts->steps, opts->step_count);
  if (!steps.ok()) return steps.status();
  o.steps = *std::move(steps);
  o.window = opts->window;
  if (RAPPORT_CAPI_HAS(opts, from) && opts->from != RAPPORT_NULL_TIME) o.from = opts->from;
  if (RAPPORT_CAPI_HAS(opts, to) && opts->to != RAPPORT_NULL_TIME) o.to = opts->to;
  if (RAPPORT_CAPI_HAS(opts, bucket_edge_count)) {
    if (opts->bucket_edges != nullptr) {
      o.bucket_edges.assign(opts->bucket_edges, opts->bucket_edges + opts->bucket_edge_count);
    } else if (opts->bucket_edge_count > 0) {
      return rc::NullArgument(fn, "opts->bucket_edges");
    }
  }
  if (RAPPORT_CAPI_HAS(opts, threads)) o.threads = opts->threads;
  return o;
}

absl::StatusOr<rapport::StageFunnelOptions> StageOptionsFrom(const char* fn, const rapport_stage_funnel_options* opts) {
  rapport::StageFunnelOptions o;
  if (opts == nullptr) return o;
  absl::Status st = rc::CheckStructSize(fn, "opts", opts->struct_size,
                                        offsetof(rapport_stage_funnel_options, stage_count) + sizeof(size_t));
  if (!st.ok()) return st;
  auto stages = rc::StringList(fn, "opts->stages", opts->stages, opts->stage_count);
  if (!stages.ok()) return stages.status();
  o.stages = *std::move(stages);
  if (RAPPORT_CAPI_HAS(opts, won_stage_count)) {
    auto won = rc::StringList(fn, "opts->won_stages", opts->won_stages, opts->won_stage_count);
    if (!won.ok()) return won.status();
    o.won_stages = *std::move(won);
  }
  if (RAPPORT_CAPI_HAS(opts, lost_stage_count)) {
    auto lost = rc::StringList(fn, "opts->lost_stages", opts->lost_stages, opts->lost_stage_count);
    if (!lost.ok()) return lost.status();
    o.lost_stages = *std::move(lost);
  }
  if (RAPPORT_CAPI_HAS(opts, as_of) && opts->as_of != RAPPORT_NULL_TIME) o.as_of = opts->as_of;
  if (RAPPORT_CAPI_HAS(opts, threads)) o.threads = opts->threads;
  return o;
}

absl::Status IndexOutOfRange(const char* fn, const char* what, size_t index, size_t count) {
  return absl::OutOfRangeError(absl::StrCat(fn, ": ", what, " ", index, " is out of range (", count, " ", what, "s)"));
}

}  // namespace

extern "C" {

// ---- Event funnels ----

void rapport_event_funnel_options_init(rapport_event_funnel_options* opts) noexcept {
  if (opts == nullptr) return;
  *opts = rapport_event_funnel_options{};
  opts->struct_size = sizeof(rapport_event_funnel_options);
  opts->from = RAPPORT_NULL_TIME;
  opts->to = RAPPORT_NULL_TIME;
}

rapport_code rapport_event_funnel_compute(const rapport_event_frame* events, const rapport_event_funnel_options* opts,
                                          const rapport_customer_groups* breakdown, rapport_event_funnel** out,
                                          rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(events);
    RAPPORT_CAPI_REQUIRE(out);
    auto options = EventOptionsFrom(kFn, opts);
    if (!options.ok()) return options.status();
    auto result = rapport::EventFunnel(events->frame, *options, breakdown ? &breakdown->groups : nullptr);
    if (!result.ok()) return result.status();
    auto handle = std::make_unique<rapport_event_funnel>();
    handle->result = *std::move(result);
    *out = handle.release();
    return absl::OkStatus();
  });
}

size_t rapport_event_funnel_step_count(const rapport_event_funnel* funnel) noexcept {
  return funnel ? funnel->result.steps.size() : 0;
}

void rapport_event_funnel_step_init(rapport_event_funnel_step* step) noexcept {
  if (step == nullptr) return;
  *step = rapport_event_funnel_step{};
  step->struct_size = sizeof(rapport_event_funnel_step);
}

rapport_code rapport_event_funnel_step_at(const rapport_event_funnel* funnel, size_t index,
                                          rapport_event_funnel_step* out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(funnel);
    RAPPORT_CAPI_REQUIRE(out);
    const auto& steps = funnel->result.steps;
    if (index >= steps.size()) return IndexOutOfRange(kFn, "step", index, steps.size());
    const rapport::EventFunnelStep& s = steps[index];
    rapport_event_funnel_step value{};
    value.kind = s.kind.c_str();
    value.customers = s.customers;
    value.conversion_from_previous = s.conversion_from_previous;
    value.conversion_from_first = s.conversion_from_first;
    value.seconds_to_convert = rc::ToC(s.seconds_to_convert);
    return rc::WriteResult(kFn, value, out, offsetof(rapport_event_funnel_step, kind) + sizeof(const char*));
  });
}

rapport_code rapport_event_funnel_customers(const rapport_event_funnel* funnel, int64_t* out, size_t capacity,
                                            size_t* out_count, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(funnel);
    std::vector<int64_t> counts;
    for (const auto& s : funnel->result.steps) counts.push_back(s.customers);
    return rc::CopyOut(kFn, counts, out, capacity, out_count);
  });
}

rapport_code rapport_event_funnel_bucket_edges(const rapport_event_funnel* funnel, int64_t* out, size_t capacity,
                                               size_t* out_count, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(funnel);
    return rc::CopyOut(kFn, funnel->result.bucket_edges, out, capacity, out_count);
  });
}

rapport_code rapport_event_funnel_histogram(const rapport_event_funnel* funnel, size_t step, int64_t* out,
                                            size_t capacity, size_t* out_count, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(funnel);
    if (absl::Status st = rc::CheckOutArray(kFn, out, capacity, out_count); !st.ok()) return st;
    const auto& steps = funnel->result.steps;
    if (step >= steps.size()) return IndexOutOfRange(kFn, "step", step, steps.size());
    return rc::CopyOut(kFn, steps[step].histogram, out, capacity, out_count);
  });
}

size_t rapport_event_funnel_group_count(const rapport_event_funnel* funnel) noexcept {
  return funnel ? funnel->result.groups.size() : 0;
}

const char* rapport_event_funnel_group_label(const rapport_event_funnel* funnel, size_t group) noexcept {
  if (funnel == nullptr || group >= funnel->result.groups.size()) return nullptr;
  const auto& label = funnel->result.groups[group].label;
  return label ? label->c_str() : nullptr;
}

rapport_code rapport_event_funnel_group_customers(const rapport_event_funnel* funnel, size_t group, int64_t* out,
                                                  size_t capacity, size_t* out_count, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(funnel);
    if (absl::Status st = rc::CheckOutArray(kFn, out, capacity, out_count); !st.ok()) return st;
    const auto& groups = funnel->result.groups;
    if (group >= groups.size()) return IndexOutOfRange(kFn, "group", group, groups.size());
    return rc::CopyOut(kFn, groups[group].customers, out, capacity, out_count);
  });
}

int64_t rapport_event_funnel_rows_missing_time(const rapport_event_funnel* funnel) noexcept {
  return funnel ? funnel->result.rows_missing_time : 0;
}

rapport_code rapport_event_funnel_to_json(const rapport_event_funnel* funnel, char** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(funnel);
    RAPPORT_CAPI_REQUIRE(out);
    return rc::ReturnString(rc::DumpOrdered(rapport::internal::EventFunnelJson(funnel->result)), out);
  });
}

void rapport_event_funnel_free(rapport_event_funnel* funnel) noexcept { delete funnel; }

// ---- Stage funnels ----

void rapport_stage_funnel_options_init(rapport_stage_funnel_options* opts) noexcept {
  if (opts == nullptr) return;
  *opts = rapport_stage_funnel_options{};
  opts->struct_size = sizeof(rapport_stage_funnel_options);
  opts->as_of = RAPPORT_NULL_TIME;
}

rapport_code rapport_stage_funnel_compute(const rapport_stage_history_frame* history,
                                          const rapport_stage_funnel_options* opts, rapport_stage_funnel** out,
                                          rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(history);
    RAPPORT_CAPI_REQUIRE(out);
    auto options = StageOptionsFrom(kFn, opts);
    if (!options.ok()) return options.status();
    auto result = rapport::StageFunnel(history->frame, *options);
    if (!result.ok()) return result.status();
    auto handle = std::make_unique<rapport_stage_funnel>();
    handle->result = *std::move(result);
    handle->as_of = options->as_of;
    *out = handle.release();
    return absl::OkStatus();
  });
}

size_t rapport_stage_funnel_stage_count(const rapport_stage_funnel* funnel) noexcept {
  return funnel ? funnel->result.stages.size() : 0;
}

void rapport_stage_funnel_stage_init(rapport_stage_funnel_stage* stage) noexcept {
  if (stage == nullptr) return;
  *stage = rapport_stage_funnel_stage{};
  stage->struct_size = sizeof(rapport_stage_funnel_stage);
}

rapport_code rapport_stage_funnel_stage_at(const rapport_stage_funnel* funnel, size_t index,
                                           rapport_stage_funnel_stage* out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(funnel);
    RAPPORT_CAPI_REQUIRE(out);
    const auto& stages = funnel->result.stages;
    if (index >= stages.size()) return IndexOutOfRange(kFn, "stage", index, stages.size());
    const rapport::StageFunnelStage& s = stages[index];
    rapport_stage_funnel_stage value{};
    value.stage = s.stage.c_str();
    value.entered = s.entered;
    value.advanced = s.advanced;
    value.conversion_to_next = s.conversion_to_next;
    value.days_in_stage = rc::ToC(s.days_in_stage);
    value.open_visits = s.open_visits;
    value.open_age_days = rc::ToC(s.open_age_days);
    return rc::WriteResult(kFn, value, out, offsetof(rapport_stage_funnel_stage, stage) + sizeof(const char*));
  });
}

rapport_code rapport_stage_funnel_reached(const rapport_stage_funnel* funnel, int64_t* out, size_t capacity,
                                          size_t* out_count, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(funnel);
    return rc::CopyOut(kFn, funnel->result.reached, out, capacity, out_count);
  });
}

rapport_code rapport_stage_funnel_reached_shares(const rapport_stage_funnel* funnel, double* out, size_t capacity,
                                                 size_t* out_count, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(funnel);
    if (absl::Status st = rc::CheckOutArray(kFn, out, capacity, out_count); !st.ok()) return st;
    const rapport::StageFunnelResult& r = funnel->result;
    const size_t k = r.stages.size();
    std::vector<double> shares(k * k);
    for (size_t i = 0; i < k; ++i) {
      for (size_t j = 0; j < k; ++j) shares[i * k + j] = r.ReachedShare(i, j);
    }
    return rc::CopyOut(kFn, shares, out, capacity, out_count);
  });
}

int64_t rapport_stage_funnel_entities(const rapport_stage_funnel* funnel) noexcept {
  return funnel ? funnel->result.entities : 0;
}
int64_t rapport_stage_funnel_won(const rapport_stage_funnel* funnel) noexcept { return funnel ? funnel->result.won : 0; }
int64_t rapport_stage_funnel_lost(const rapport_stage_funnel* funnel) noexcept {
  return funnel ? funnel->result.lost : 0;
}
double rapport_stage_funnel_win_rate(const rapport_stage_funnel* funnel) noexcept {
  return funnel ? funnel->result.win_rate : 0;
}

void rapport_stage_funnel_cycle_days(const rapport_stage_funnel* funnel, rapport_duration_summary* out) noexcept {
  if (out == nullptr) return;
  *out = rc::ToC(funnel ? funnel->result.cycle_days : rapport::DurationSummary{});
}

int64_t rapport_stage_funnel_ignored_rows(const rapport_stage_funnel* funnel) noexcept {
  return funnel ? funnel->result.ignored_rows : 0;
}
int64_t rapport_stage_funnel_rows_missing_time(const rapport_stage_funnel* funnel) noexcept {
  return funnel ? funnel->result.rows_missing_time : 0;
}

rapport_code rapport_stage_funnel_to_json(const rapport_stage_funnel* funnel, char** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(funnel);
    RAPPORT_CAPI_REQUIRE(out);
    return rc::ReturnString(rc::DumpOrdered(rapport::internal::StageFunnelJson(funnel->result, funnel->as_of)), out);
  });
}

void rapport_stage_funnel_free(rapport_stage_funnel* funnel) noexcept { delete funnel; }

}  // extern "C"
