// Lifecycle models and stages through the C ABI. Models cross as their JSON form
// (LifecycleModelToJson); moves, reports, history, stages as of a time and distributions as JSON.
#include <nlohmann/json.hpp>

#include "internal.h"
#include "rapport/lifecycle.h"

namespace rc = rapport::capi;

namespace {

using Json = nlohmann::ordered_json;

Json MoveJson(const rapport::StageMove& m) {
  Json j;
  j["customer_id"] = rapport::ToInt(m.customer);
  j["model"] = m.model;
  j["from"] = m.from ? Json(*m.from) : Json(nullptr);
  j["to"] = m.to;
  j["at"] = rc::Micros(m.at);
  j["source"] = rapport::ToString(m.source);
  j["reason"] = m.reason;
  j["rule"] = m.rule;
  return j;
}

absl::Status Emit(const Json& j, char** out_json) {
  if (out_json == nullptr) return absl::OkStatus();
  return rc::ReturnString(j.dump(-1, ' ', false, Json::error_handler_t::replace), out_json);
}

absl::Status EmitModel(const rapport::LifecycleModel& m, char** out_json) {
  if (out_json == nullptr) return absl::OkStatus();
  return rc::ReturnString(rapport::LifecycleModelToJson(m), out_json);
}

}  // namespace

extern "C" {

void rapport_stage_move_request_init(rapport_stage_move_request* req) noexcept {
  if (req == nullptr) return;
  *req = rapport_stage_move_request{};
  req->struct_size = sizeof(rapport_stage_move_request);
  req->source = RAPPORT_STAGE_MOVE_MANUAL;
}

rapport_code rapport_lifecycle_model_default_json(char** out_json, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(out_json);
    return EmitModel(rapport::DefaultLifecycleModel(), out_json);
  });
}

rapport_code rapport_db_lifecycle_model_save(rapport_db* db, const char* json, char** out_json,
                                             rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(json);
    auto model = rapport::LifecycleModelFromJson(json);
    if (!model.ok()) return model.status();
    auto saved = db->db.SaveLifecycleModel(*model);
    if (!saved.ok()) return saved.status();
    return EmitModel(*saved, out_json);
  });
}

rapport_code rapport_db_lifecycle_model_get(rapport_db* db, const char* name, char** out_json,
                                            rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out_json);
    absl::Status st = rc::CheckText(kFn, "name", name);
    if (!st.ok()) return st;
    auto model = db->db.GetLifecycleModel(name);
    if (!model.ok()) return model.status();
    return EmitModel(*model, out_json);
  });
}

rapport_code rapport_db_lifecycle_model_list(rapport_db* db, char** out_json, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out_json);
    auto models = db->db.LifecycleModels();
    if (!models.ok()) return models.status();
    Json list = Json::array();
    for (const rapport::LifecycleModel& m : *models) list.push_back(Json::parse(rapport::LifecycleModelToJson(m)));
    return Emit(list, out_json);
  });
}

rapport_code rapport_db_lifecycle_model_drop(rapport_db* db, const char* name, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    absl::Status st = rc::CheckText(kFn, "name", name);
    if (!st.ok()) return st;
    return db->db.DropLifecycleModel(name);
  });
}

rapport_code rapport_db_customer_stage_move(rapport_db* db, int64_t customer_id, const char* stage,
                                            const rapport_stage_move_request* req, char** out_json,
                                            rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    absl::Status st = rc::CheckText(kFn, "stage", stage);
    if (!st.ok()) return st;
    rapport::StageMoveRequest r;
    if (req != nullptr) {
      st = rc::CheckStructSize(kFn, "req", req->struct_size, offsetof(rapport_stage_move_request, rule) + sizeof(char*));
      if (!st.ok()) return st;
      if (req->source != RAPPORT_STAGE_MOVE_AUTO && req->source != RAPPORT_STAGE_MOVE_MANUAL &&
          req->source != RAPPORT_STAGE_MOVE_RULE) {
        return absl::InvalidArgumentError(absl::StrCat("req->source: not a rapport_stage_move_source: ", req->source));
      }
      r.source = static_cast<rapport::StageMoveSource>(req->source);
      auto reason = rc::OptionalText(kFn, "req->reason", req->reason);
      if (!reason.ok()) return reason.status();
      r.reason = *std::move(reason);
      auto rule = rc::OptionalText(kFn, "req->rule", req->rule);
      if (!rule.ok()) return rule.status();
      r.rule = *std::move(rule);
    }
    auto move = db->db.MoveCustomerStage(rapport::CustomerId{customer_id}, stage, r);
    if (!move.ok()) return move.status();
    return Emit(MoveJson(*move), out_json);
  });
}

rapport_code rapport_db_lifecycle_evaluate(rapport_db* db, int64_t as_of, char** out_json, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    std::optional<absl::Time> when;
    if (as_of != RAPPORT_AS_OF_NOW) when = rc::FromMicros(as_of);
    auto report = db->db.EvaluateLifecycle(when);
    if (!report.ok()) return report.status();
    Json j;
    j["as_of"] = rc::Micros(report->as_of);
    j["evaluated"] = report->evaluated;
    j["moves"] = Json::array();
    for (const rapport::StageMove& m : report->moves) j["moves"].push_back(MoveJson(m));
    j["stages"] = Json::array();
    for (const rapport::StageCount& c : report->stages) {
      j["stages"].push_back({{"model", c.model}, {"stage", c.stage}, {"customers", c.customers}});
    }
    return Emit(j, out_json);
  });
}

rapport_code rapport_db_customer_stage_history(rapport_db* db, int64_t customer_id, char** out_json,
                                               rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out_json);
    auto history = db->db.CustomerStageHistory(rapport::CustomerId{customer_id});
    if (!history.ok()) return history.status();
    Json list = Json::array();
    for (const rapport::StageHistoryEntry& e : *history) {
      Json j = MoveJson(e.move);
      j["time_in_stage"] = absl::ToInt64Microseconds(e.time_in_stage);
      j["current"] = e.current;
      list.push_back(std::move(j));
    }
    return Emit(list, out_json);
  });
}

rapport_code rapport_db_stages_as_of(rapport_db* db, int64_t at, char** out_json, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out_json);
    auto stages = db->db.StagesAsOf(rc::FromMicros(at));
    if (!stages.ok()) return stages.status();
    Json ids = Json::array(), models = Json::array(), names = Json::array(), since = Json::array();
    for (const rapport::CustomerStage& s : *stages) {
      ids.push_back(rapport::ToInt(s.customer));
      models.push_back(s.model);
      names.push_back(s.stage);
      since.push_back(rc::Micros(s.since));
    }
    Json j;
    j["customer_id"] = std::move(ids);
    j["model"] = std::move(models);
    j["stage"] = std::move(names);
    j["since"] = std::move(since);
    return Emit(j, out_json);
  });
}

rapport_code rapport_db_stage_distribution(rapport_db* db, int64_t from, int64_t to, int32_t step, const char* zone,
                                           char** out_json, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out_json);
    if (step != RAPPORT_DISTRIBUTION_DAY && step != RAPPORT_DISTRIBUTION_WEEK && step != RAPPORT_DISTRIBUTION_MONTH) {
      return absl::InvalidArgumentError(absl::StrCat("step: not a rapport_distribution_step: ", step));
    }
    absl::TimeZone tz = absl::UTCTimeZone();
    if (zone != nullptr && zone[0] != '\0') {
      absl::Status st = rc::CheckText(kFn, "zone", zone);
      if (!st.ok()) return st;
      if (!absl::LoadTimeZone(zone, &tz)) {
        return absl::InvalidArgumentError(absl::StrCat("zone: unknown time zone \"", zone, "\""));
      }
    }
    auto d = db->db.StageDistribution(rc::FromMicros(from), rc::FromMicros(to),
                                      static_cast<rapport::DistributionStep>(step), tz);
    if (!d.ok()) return d.status();
    Json periods = Json::array();
    for (absl::Time p : d->periods) periods.push_back(rc::Micros(p));
    Json j;
    j["periods"] = std::move(periods);
    j["stages"] = d->stages;
    j["counts"] = d->counts;
    return Emit(j, out_json);
  });
}

}  // extern "C"
