// Automation rules, ticks and the outbox: rules and reports cross as JSON (docs/c-api-rules.md).
#include <cstddef>

#include "internal.h"
#include "rules/report_json.h"

namespace rc = rapport::capi;

namespace {

absl::Status MaybeReturn(const std::string& text, char** out) {
  if (out == nullptr) return absl::OkStatus();
  return rc::ReturnString(text, out);
}

}  // namespace

extern "C" {

RAPPORT_API rapport_code rapport_db_rule_save(rapport_db* db, const char* rule_json, char** out_json,
                                              rapport_error** err) noexcept {
  return rc::Guard(err, __func__, [&]() -> absl::Status {
    RAPPORT_CAPI_FN;
    RAPPORT_CAPI_REQUIRE(db);
    if (absl::Status s = rc::CheckText(kFn, "rule_json", rule_json); !s.ok()) return s;
    auto def = rapport::RuleDef::FromJson(rule_json);
    if (!def.ok()) return def.status();
    auto rule = db->db.SaveRule(*def);
    if (!rule.ok()) return rule.status();
    return MaybeReturn(rapport::internal::RuleJson(*rule).dump(), out_json);
  });
}

RAPPORT_API rapport_code rapport_db_rule_get(rapport_db* db, const char* name, char** out_json,
                                             rapport_error** err) noexcept {
  return rc::Guard(err, __func__, [&]() -> absl::Status {
    RAPPORT_CAPI_FN;
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out_json);
    if (absl::Status s = rc::CheckText(kFn, "name", name); !s.ok()) return s;
    auto rule = db->db.GetRule(name);
    if (!rule.ok()) return rule.status();
    return rc::ReturnString(rapport::internal::RuleJson(*rule).dump(), out_json);
  });
}

RAPPORT_API rapport_code rapport_db_rule_list(rapport_db* db, char** out_json, rapport_error** err) noexcept {
  return rc::Guard(err, __func__, [&]() -> absl::Status {
    RAPPORT_CAPI_FN;
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out_json);
    auto rules = db->db.Rules();
    if (!rules.ok()) return rules.status();
    return rc::ReturnString(rapport::internal::JsonArray(*rules, rapport::internal::RuleJson), out_json);
  });
}

RAPPORT_API rapport_code rapport_db_rule_drop(rapport_db* db, const char* name, rapport_error** err) noexcept {
  return rc::Guard(err, __func__, [&]() -> absl::Status {
    RAPPORT_CAPI_FN;
    RAPPORT_CAPI_REQUIRE(db);
    if (absl::Status s = rc::CheckText(kFn, "name", name); !s.ok()) return s;
    return db->db.DropRule(name);
  });
}

RAPPORT_API rapport_code rapport_db_rule_enable(rapport_db* db, const char* name, int enabled,
                                                rapport_error** err) noexcept {
  return rc::Guard(err, __func__, [&]() -> absl::Status {
    RAPPORT_CAPI_FN;
    RAPPORT_CAPI_REQUIRE(db);
    if (absl::Status s = rc::CheckText(kFn, "name", name); !s.ok()) return s;
    return db->db.EnableRule(name, enabled != 0);
  });
}

RAPPORT_API rapport_code rapport_db_tick(rapport_db* db, int64_t now, char** out_report_json,
                                         rapport_error** err) noexcept {
  return rc::Guard(err, __func__, [&]() -> absl::Status {
    RAPPORT_CAPI_FN;
    RAPPORT_CAPI_REQUIRE(db);
    if (now == RAPPORT_NULL_TIME) return absl::InvalidArgumentError("now: must be a time, got none");
    auto report = db->db.Tick(rc::FromMicros(now));
    if (!report.ok()) return report.status();
    return MaybeReturn(report->ToJson(), out_report_json);
  });
}

RAPPORT_API rapport_code rapport_db_time_zone_set(rapport_db* db, const char* zone, rapport_error** err) noexcept {
  return rc::Guard(err, __func__, [&]() -> absl::Status {
    RAPPORT_CAPI_FN;
    RAPPORT_CAPI_REQUIRE(db);
    if (absl::Status s = rc::CheckText(kFn, "zone", zone); !s.ok()) return s;
    return db->db.SetTimeZone(zone);
  });
}

RAPPORT_API rapport_code rapport_db_time_zone_get(rapport_db* db, char** out_zone, rapport_error** err) noexcept {
  return rc::Guard(err, __func__, [&]() -> absl::Status {
    RAPPORT_CAPI_FN;
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out_zone);
    auto zone = db->db.TimeZone();
    if (!zone.ok()) return zone.status();
    return rc::ReturnString(*zone, out_zone);
  });
}

RAPPORT_API void rapport_rule_outcome_query_init(rapport_rule_outcome_query* query) noexcept {
  if (query == nullptr) return;
  *query = rapport_rule_outcome_query{};
  query->struct_size = sizeof(rapport_rule_outcome_query);
  query->status = RAPPORT_RULE_OUTCOME_ANY;
  query->since = RAPPORT_NULL_TIME;
  query->limit = 1000;
}

RAPPORT_API rapport_code rapport_db_rule_outcomes(rapport_db* db, const rapport_rule_outcome_query* query,
                                                  char** out_json, rapport_error** err) noexcept {
  return rc::Guard(err, __func__, [&]() -> absl::Status {
    RAPPORT_CAPI_FN;
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out_json);
    rapport::RuleOutcomeQuery q;
    if (query != nullptr) {
      absl::Status st = rc::CheckStructSize(kFn, "query", query->struct_size,
                                            offsetof(rapport_rule_outcome_query, limit) + sizeof(int32_t));
      if (!st.ok()) return st;
      auto rule = rc::OptionalText(kFn, "query->rule", query->rule);
      if (!rule.ok()) return rule.status();
      q.rule = *rule;
      if (query->customer != 0) q.customer = rapport::CustomerId{query->customer};
      if (query->status < RAPPORT_RULE_OUTCOME_ANY || query->status > RAPPORT_RULE_OUTCOME_SKIPPED) {
        return absl::InvalidArgumentError(absl::StrCat("query->status: ", query->status, " is not a rapport_rule_outcome_status"));
      }
      if (query->status != RAPPORT_RULE_OUTCOME_ANY) q.status = static_cast<rapport::RuleOutcomeStatus>(query->status);
      if (query->since != RAPPORT_NULL_TIME) q.since = rc::FromMicros(query->since);
      q.after_id = query->after_id;
      q.limit = query->limit;
    }
    auto outcomes = db->db.RuleOutcomes(q);
    if (!outcomes.ok()) return outcomes.status();
    return rc::ReturnString(rapport::internal::JsonArray(*outcomes, rapport::internal::OutcomeJson), out_json);
  });
}

RAPPORT_API rapport_code rapport_db_rule_runs(rapport_db* db, int32_t limit, char** out_json,
                                              rapport_error** err) noexcept {
  return rc::Guard(err, __func__, [&]() -> absl::Status {
    RAPPORT_CAPI_FN;
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out_json);
    auto runs = db->db.RuleRuns(limit);
    if (!runs.ok()) return runs.status();
    return rc::ReturnString(rapport::internal::JsonArray(*runs, rapport::internal::RunJson), out_json);
  });
}

RAPPORT_API rapport_code rapport_db_outbox_list(rapport_db* db, int32_t status, int64_t after_id, int32_t limit,
                                                char** out_json, rapport_error** err) noexcept {
  return rc::Guard(err, __func__, [&]() -> absl::Status {
    RAPPORT_CAPI_FN;
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out_json);
    if (status < RAPPORT_OUTBOX_ANY || status > RAPPORT_OUTBOX_FAILED) {
      return absl::InvalidArgumentError(absl::StrCat("status: ", status, " is not a rapport_outbox_status"));
    }
    rapport::OutboxQuery q;
    if (status != RAPPORT_OUTBOX_ANY) q.status = static_cast<rapport::OutboxStatus>(status);
    q.after_id = after_id;
    q.limit = limit;
    auto messages = db->db.Outbox(q);
    if (!messages.ok()) return messages.status();
    return rc::ReturnString(rapport::internal::JsonArray(*messages, rapport::internal::OutboxJson), out_json);
  });
}

RAPPORT_API rapport_code rapport_db_outbox_claim(rapport_db* db, int32_t limit, char** out_json,
                                                 rapport_error** err) noexcept {
  return rc::Guard(err, __func__, [&]() -> absl::Status {
    RAPPORT_CAPI_FN;
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out_json);
    auto messages = db->db.ClaimOutbox(limit);
    if (!messages.ok()) return messages.status();
    return rc::ReturnString(rapport::internal::JsonArray(*messages, rapport::internal::OutboxJson), out_json);
  });
}

RAPPORT_API rapport_code rapport_db_outbox_ack(rapport_db* db, const int64_t* ids, size_t count,
                                               rapport_error** err) noexcept {
  return rc::Guard(err, __func__, [&]() -> absl::Status {
    RAPPORT_CAPI_FN;
    RAPPORT_CAPI_REQUIRE(db);
    if (count > 0) RAPPORT_CAPI_REQUIRE(ids);
    return db->db.AckOutbox(std::vector<int64_t>(ids, ids + count));
  });
}

RAPPORT_API rapport_code rapport_db_outbox_fail(rapport_db* db, int64_t id, const char* error, int retry,
                                                rapport_error** err) noexcept {
  return rc::Guard(err, __func__, [&]() -> absl::Status {
    RAPPORT_CAPI_FN;
    RAPPORT_CAPI_REQUIRE(db);
    auto text = rc::OptionalText(kFn, "error", error);
    if (!text.ok()) return text.status();
    return db->db.FailOutbox(id, *text, retry != 0);
  });
}

}  // extern "C"
