/* Lifecycle models and stages through the C ABI: a customer through the default model on a manual
 * clock, manual and rule moves, bad models refused with nothing stored, history, as-of, distribution. */
#include <stdlib.h>

#include "test_util.h"

#define DAY_US (86400LL * 1000000LL)

static int64_t jan(int d) { return 1735689600LL * 1000000LL + (int64_t)(d - 1) * DAY_US; } /* 2025-01-d */

static void order_now(rapport_db *db, int64_t customer, int64_t at) {
  char json[256];
  snprintf(json, sizeof json,
           "{\"customer_id\": %lld, \"amount_minor\": 5000, \"currency\": \"CNY\", \"ordered_at\": %lld}",
           (long long)customer, (long long)at);
  EXPECT_OK(rapport_order_add_json(db, json, NULL, &err));
}

/* Whether the last move in the customer's history went to `stage`. */
static int history_ends_in(rapport_db *db, int64_t customer, const char *stage) {
  char *json = NULL;
  char needle[128];
  const char *last;
  int ok;
  rapport_error *err = NULL;
  if (rapport_db_customer_stage_history(db, customer, &json, &err) != RAPPORT_OK) {
    rapport_error_free(err);
    return 0;
  }
  snprintf(needle, sizeof needle, "\"to\":\"%s\"", stage);
  last = strstr(json, "\"current\":true");
  ok = last != NULL && contains(json, needle);
  if (ok) {
    /* the needle must be in the last entry: the one holding "current":true */
    const char *entry = json;
    const char *p;
    for (p = json; p < last; ++p)
      if (*p == '{') entry = p;
    ok = strstr(entry, needle) != NULL && strstr(entry, needle) < last;
  }
  rapport_string_free(json);
  return ok;
}

void test_lifecycle(void) {
  rapport_db *db = open_memory(jan(1));
  char *json = NULL;
  char *model = NULL;
  int64_t ann, seq;
  rapport_stage_move_request req;

  EXPECT_OK(rapport_lifecycle_model_default_json(&model, &err));
  CHECK(contains(model, "\"name\":\"default\""));
  EXPECT_OK(rapport_db_lifecycle_model_save(db, model, &json, &err));
  CHECK(contains(json, "\"won_back\""));
  rapport_string_free(json);
  json = NULL;

  ann = create_customer(db, "{\"name\": \"Ann\"}");
  CHECK(history_ends_in(db, ann, "prospect"));
  EXPECT_OK(rapport_db_set_time(db, jan(10), &err));
  order_now(db, ann, jan(10));
  CHECK(history_ends_in(db, ann, "new"));
  EXPECT_OK(rapport_db_set_time(db, jan(30), &err));
  order_now(db, ann, jan(30));
  CHECK(history_ends_in(db, ann, "active"));

  /* 200 days later the tick's evaluation finds her dormant. */
  EXPECT_OK(rapport_db_set_time(db, jan(30) + 200 * DAY_US, &err));
  EXPECT_OK(rapport_db_lifecycle_evaluate(db, RAPPORT_AS_OF_NOW, &json, &err));
  CHECK(contains(json, "\"evaluated\":1"));
  CHECK(contains(json, "\"from\":\"active\",\"to\":\"dormant\""));
  rapport_string_free(json);
  json = NULL;
  /* A new order wins her back (after commit). */
  EXPECT_OK(rapport_db_advance_time(db, DAY_US, &err));
  order_now(db, ann, jan(31) + 200 * DAY_US);
  CHECK(history_ends_in(db, ann, "won_back"));

  /* Manual moves need a reason; rule moves follow the policy; nothing is written when refused. */
  seq = last_seq(db);
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "reason: a manual stage move needs a reason",
                  rapport_db_customer_stage_move(db, ann, "churned", NULL, NULL, &err));
  rapport_stage_move_request_init(&req);
  req.source = RAPPORT_STAGE_MOVE_RULE;
  req.rule = "demote";
  EXPECT_CODE_MSG(RAPPORT_FAILED_PRECONDITION,
                  "does not allow a move from \"won_back\" to \"new\"",
                  rapport_db_customer_stage_move(db, ann, "new", &req, NULL, &err));
  req.source = 7;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "req->source",
                  rapport_db_customer_stage_move(db, ann, "new", &req, NULL, &err));
  req.source = RAPPORT_STAGE_MOVE_SOURCE_INT_MAX_;
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_db_customer_stage_move(db, ann, "new", &req, NULL, &err));
  CHECK(last_seq(db) == seq);
  rapport_stage_move_request_init(&req);
  req.reason = "asked to be contacted again";
  EXPECT_OK(rapport_db_customer_stage_move(db, ann, "prospect", &req, &json, &err));
  CHECK(contains(json, "\"source\":\"manual\""));
  CHECK(contains(json, "\"from\":\"won_back\""));
  rapport_string_free(json);
  json = NULL;

  /* Bad models: exact messages, nothing stored. */
  seq = last_seq(db);
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "stages[0].condition: unknown field \"foo\"",
                  rapport_db_lifecycle_model_save(
                      db, "{\"name\": \"x\", \"stages\": [{\"name\": \"a\", \"condition\": \"foo > 1\"}]}", NULL, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "stages[1].name: duplicate stage \"a\"",
                  rapport_db_lifecycle_model_save(db, "{\"name\": \"x\", \"stages\": [{\"name\": \"a\"}, {\"name\": \"a\"}]}",
                                                  NULL, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "transitions[0].to: unknown stage \"b\"",
                  rapport_db_lifecycle_model_save(
                      db, "{\"name\": \"x\", \"stages\": [{\"name\": \"a\"}], \"transitions\": [{\"from\": \"a\", \"to\": \"b\"}]}",
                      NULL, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "json: not valid JSON", rapport_db_lifecycle_model_save(db, "{", NULL, &err));
  CHECK(last_seq(db) == seq);
  EXPECT_OK(rapport_db_lifecycle_model_list(db, &json, &err));
  CHECK(contains(json, "\"default\"") && !contains(json, "\"x\""));
  rapport_string_free(json);
  json = NULL;
  EXPECT_CODE_MSG(RAPPORT_NOT_FOUND, "lifecycle model \"x\": not found", rapport_db_lifecycle_model_get(db, "x", &json, &err));

  /* Stages as of past instants, and the distribution by month. */
  EXPECT_OK(rapport_db_stages_as_of(db, jan(5), &json, &err));
  CHECK(contains(json, "\"stage\":[\"prospect\"]"));
  rapport_string_free(json);
  json = NULL;
  EXPECT_OK(rapport_db_stages_as_of(db, jan(20), &json, &err));
  CHECK(contains(json, "\"stage\":[\"new\"]"));
  rapport_string_free(json);
  json = NULL;
  EXPECT_OK(rapport_db_stage_distribution(db, jan(1), jan(1) + 59 * DAY_US, RAPPORT_DISTRIBUTION_MONTH, "UTC", &json,
                                          &err));
  CHECK(contains(json, "\"stages\":[\"prospect\",\"new\",\"active\",\"won_back\",\"at_risk\",\"dormant\",\"churned\"]"));
  CHECK(contains(json, "\"counts\":[[0,0],[0,0],[1,1],[0,0],[0,0],[0,0],[0,0]]"));
  rapport_string_free(json);
  json = NULL;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "zone: unknown time zone",
                  rapport_db_stage_distribution(db, jan(1), jan(20), RAPPORT_DISTRIBUTION_DAY, "Mars/Base", &json, &err));
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT,
              rapport_db_stage_distribution(db, jan(1), jan(20), RAPPORT_DISTRIBUTION_STEP_INT_MAX_, NULL, &json, &err));
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_db_lifecycle_evaluate(NULL, RAPPORT_AS_OF_NOW, NULL, &err));
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_db_customer_stage_move(NULL, 1, "new", NULL, NULL, &err));

  EXPECT_OK(rapport_db_lifecycle_model_drop(db, "default", &err));
  EXPECT_CODE(RAPPORT_NOT_FOUND, rapport_db_lifecycle_model_drop(db, "default", &err));
  rapport_string_free(model);
  rapport_db_close(db);
}
