/* Stored CLV models through the C ABI: fit on the database's orders, the JSON form, save a model
 * fitted elsewhere, apply (scores into caller arrays, one change entry), re-apply, delete (scores
 * cascade), and errors with their codes and messages that write nothing. */
#include <math.h>
#include <stdlib.h>

#include "test_util.h"

#define EXPECT_NULL_ARG(name, call) EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "'" name "'", call)

static const int64_t kDay = 86400000000LL;
/* 2024-01-01T12:00:00Z */
static const int64_t kStart = 1704110400000000LL;
/* 2024-12-31T00:00:00Z, the cut-off of the fits */
static const int64_t kCutoff = 1735603200000000LL;

/* A deterministic uniform draw in [0, 1) (a 64-bit LCG). */
static double uniform(uint64_t *state) {
  *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(*state >> 11) / 9007199254740992.0;
}

/* Roughly standard normal (the sum of four uniforms, scaled). */
static double normal(uint64_t *state) {
  return (uniform(state) + uniform(state) + uniform(state) + uniform(state) - 2) * 1.7320508;
}

/* Non-zero when both strings are there and equal. */
static int same(const char *a, const char *b) { return a != NULL && b != NULL && strcmp(a, b) == 0; }

/* 300 customers buying at their own rate until they drop out, each around a typical amount of their
 * own (the heterogeneity Gamma-Gamma models); returns the database. */
static rapport_db *fixture(void) {
  rapport_db *db = open_memory(kCutoff + 180 * kDay);
  uint64_t state = 42;
  rapport_order_draft od;
  int i;
  rapport_order_draft_init(&od);
  od.currency = "CNY";
  for (i = 0; i < 300; ++i) {
    double day = uniform(&state) * 300;
    const double rate = 0.005 + 0.05 * uniform(&state); /* purchases a day */
    const double dropout = 0.5 * uniform(&state);
    const double typical = 3000 * exp(0.6 * normal(&state)); /* minor units */
    od.customer_id = create_customer(db, "{\"name\":\"客户\"}");
    while (day < 540) {
      od.ordered_at = kStart + (int64_t)floor(day) * kDay;
      od.amount_minor = 100 + (int64_t)(typical * (0.4 + 1.2 * uniform(&state)));
      EXPECT_OK(rapport_order_add(db, &od, NULL, &err));
      if (uniform(&state) < dropout) break;
      day += 1 - log(1 - uniform(&state)) / rate;
    }
  }
  return db;
}

static size_t scored_rows(rapport_db *db) {
  rapport_db_clv_scores *s = NULL;
  size_t n;
  EXPECT_OK(rapport_db_clv_scores_load(db, &s, &err));
  n = rapport_db_clv_scores_rows(s);
  rapport_db_clv_scores_free(s);
  return n;
}

static void test_fit_and_apply(void) {
  rapport_db *db = fixture();
  rapport_db_clv_fit_options o;
  rapport_db_clv_scores *s = NULL;
  rapport_change_list *changes = NULL;
  char *json = NULL, *again = NULL, *list = NULL;
  int64_t scored = 0, seq;
  size_t n = 0, i, count = 0;
  int64_t *ids;
  double *alive, *churn, *expected, *value;

  rapport_db_clv_fit_options_init(&o);
  CHECK(o.model == RAPPORT_DB_CLV_BG_NBD && o.cutoff == RAPPORT_AS_OF_NOW && o.spend == 1 && o.periods == 12);
  o.cutoff = kCutoff;
  EXPECT_OK(rapport_db_clv_fit(db, "bg 2024", &o, &json, &err));
  CHECK(contains(json, "\"name\":\"bg 2024\",\"model\":\"bg_nbd\",\"params\":{\"r\":"));
  CHECK(contains(json, "\"cutoff\":\"2024-12-31T00:00:00Z\",\"time_unit_us\":604800000000"));
  CHECK(contains(json, "\"currency\":\"CNY\""));
  CHECK(contains(json, "\"spend\":{\"params\":{\"p\":"));
  CHECK(contains(json, "\"applied_at\":null"));
  EXPECT_OK(rapport_db_clv_model_json(db, "bg 2024", &again, &err));
  CHECK(same(json, again));
  rapport_string_free(again);

  /* Apply: one change entry, every customer scored. */
  seq = last_seq(db);
  EXPECT_OK(rapport_db_clv_apply(db, "bg 2024", kCutoff + 90 * kDay, &scored, &err));
  CHECK(scored == 300);
  CHECK(last_seq(db) == seq + 1);
  EXPECT_OK(rapport_changes_list(db, seq, 10, NULL, &changes, &err));
  CHECK(rapport_change_list_count(changes) == 1);
  CHECK(same(rapport_change_list_entity(changes, 0), "clv_scores"));
  CHECK(same(rapport_change_list_op(changes, 0), "apply"));
  CHECK(same(rapport_change_list_after(changes, 0),
             "{\"as_of\":\"2025-03-31T00:00:00Z\",\"customers\":300,\"model\":\"bg 2024\"}"));
  rapport_change_list_free(changes);

  EXPECT_OK(rapport_db_clv_scores_load(db, &s, &err));
  n = rapport_db_clv_scores_rows(s);
  CHECK(n == 300);
  CHECK(same(rapport_db_clv_scores_model(s), "bg 2024"));
  CHECK(rapport_db_clv_scores_model_id(s) > 0);
  CHECK(rapport_db_clv_scores_as_of(s) == kCutoff + 90 * kDay);
  /* Caller-owned columns: a count first, then the values; too small a buffer is OUT_OF_RANGE. */
  EXPECT_OK(rapport_db_clv_scores_customers(s, NULL, 0, &count, &err));
  CHECK(count == n);
  ids = malloc(n * sizeof *ids);
  alive = malloc(n * sizeof *alive);
  churn = malloc(n * sizeof *churn);
  expected = malloc(n * sizeof *expected);
  value = malloc(n * sizeof *value);
  EXPECT_CODE_MSG(RAPPORT_OUT_OF_RANGE, "300 values do not fit in capacity 10",
                  rapport_db_clv_scores_column(s, RAPPORT_DB_CLV_P_ALIVE, alive, 10, &count, &err));
  CHECK(count == n);
  EXPECT_OK(rapport_db_clv_scores_customers(s, ids, n, &count, &err));
  EXPECT_OK(rapport_db_clv_scores_column(s, RAPPORT_DB_CLV_P_ALIVE, alive, n, &count, &err));
  EXPECT_OK(rapport_db_clv_scores_column(s, RAPPORT_DB_CLV_CHURN_RISK, churn, n, &count, &err));
  EXPECT_OK(rapport_db_clv_scores_column(s, RAPPORT_DB_CLV_EXPECTED_PURCHASES_90D, expected, n, &count, &err));
  EXPECT_OK(rapport_db_clv_scores_column(s, RAPPORT_DB_CLV_CLV, value, n, &count, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "which: must be a rapport_db_clv_score (0 to 3), got 7",
                  rapport_db_clv_scores_column(s, 7, value, n, &count, &err));
  for (i = 0; i < n; ++i) {
    CHECK(i == 0 || ids[i] > ids[i - 1]);
    CHECK(alive[i] > 0 && alive[i] <= 1);
    CHECK(churn[i] == 1 - alive[i]);
    CHECK(expected[i] >= 0);
    CHECK(value[i] > 0);
  }
  free(ids);
  free(alive);
  free(churn);
  free(expected);
  free(value);
  rapport_db_clv_scores_free(s);

  /* A Pareto/NBD model without spend replaces every row; its clv is NaN. */
  o.model = RAPPORT_DB_CLV_PARETO_NBD;
  o.spend = 0;
  EXPECT_OK(rapport_db_clv_fit(db, "pareto", &o, NULL, &err));
  EXPECT_OK(rapport_db_clv_apply(db, "pareto", RAPPORT_AS_OF_NOW, &scored, &err));
  CHECK(scored == 300);
  EXPECT_OK(rapport_db_clv_scores_load(db, &s, &err));
  CHECK(same(rapport_db_clv_scores_model(s), "pareto"));
  CHECK(rapport_db_clv_scores_as_of(s) == kCutoff + 180 * kDay);
  value = malloc(300 * sizeof *value);
  EXPECT_OK(rapport_db_clv_scores_column(s, RAPPORT_DB_CLV_CLV, value, 300, &count, &err));
  CHECK(count == 300 && isnan(value[0]) && isnan(value[299]));
  free(value);
  rapport_db_clv_scores_free(s);

  EXPECT_OK(rapport_db_clv_model_list_json(db, &list, &err));
  CHECK(list != NULL && list[0] == '[' && contains(list, "\"name\":\"bg 2024\"") && contains(list, "\"name\":\"pareto\""));
  CHECK(contains(list, "\"model\":\"pareto_nbd\",\"params\":{\"r\":"));
  rapport_string_free(list);

  /* Deleting the applied model deletes its scores and says so in the change feed. */
  seq = last_seq(db);
  EXPECT_OK(rapport_db_clv_model_delete(db, "pareto", &err));
  CHECK(scored_rows(db) == 0);
  EXPECT_OK(rapport_changes_list(db, seq, 10, NULL, &changes, &err));
  CHECK(rapport_change_list_count(changes) == 2);
  CHECK(same(rapport_change_list_entity(changes, 0), "clv_scores"));
  CHECK(same(rapport_change_list_op(changes, 0), "delete"));
  CHECK(same(rapport_change_list_entity(changes, 1), "clv_model"));
  rapport_change_list_free(changes);
  EXPECT_CODE_MSG(RAPPORT_NOT_FOUND, "CLV model \"pareto\": not found", rapport_db_clv_model_json(db, "pareto", &json, &err));

  rapport_string_free(json);
  rapport_db_close(db);
}

static void test_save_and_errors(void) {
  rapport_db *db = fixture();
  rapport_db_clv_fit_options o;
  char *json = NULL;
  int64_t scored = -1, seq;
  static const char *const kRefunded[] = {"refunded"};
  static const char kSpec[] =
      "{\"name\":\"cdnow\",\"model\":\"bg_nbd\",\"params\":{\"r\":0.243,\"alpha\":4.414,\"a\":0.793,\"b\":2.426},"
      "\"spend\":{\"params\":{\"p\":6.25,\"q\":3.74,\"gamma\":15.44}},"
      "\"summary\":{\"cutoff\":\"2024-12-31T00:00:00Z\"},\"value\":{\"periods\":6,\"discount_rate\":0.02}}";

  EXPECT_OK(rapport_db_clv_save_json(db, kSpec, &json, &err));
  CHECK(contains(json, "\"name\":\"cdnow\""));
  CHECK(contains(json, "\"fitted_at\":\"2025-06-29T00:00:00Z\""));
  CHECK(contains(json, "\"value\":{\"periods\":6,\"period_length\":4.285714285714286,\"discount_rate\":0.02,\"margin\":1.0}"));
  CHECK(contains(json, "\"fit\":{\"log_likelihood\":null"));
  rapport_string_free(json);
  json = NULL;
  EXPECT_OK(rapport_db_clv_apply(db, "cdnow", kCutoff, &scored, &err));
  CHECK(scored == 300 && scored_rows(db) == 300);

  /* Bad input: exact codes and messages, and nothing written. */
  seq = last_seq(db);
  EXPECT_CODE_MSG(RAPPORT_ALREADY_EXISTS, "name: a CLV model named \"cdnow\" already exists",
                  rapport_db_clv_save_json(db, kSpec, NULL, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "params.alpha: must be finite and > 0, got -4",
                  rapport_db_clv_save_json(db,
                      "{\"name\":\"x\",\"model\":\"bg_nbd\",\"params\":{\"r\":1,\"alpha\":-4,\"a\":1,\"b\":1},"
                      "\"summary\":{\"cutoff\":\"2024-12-31\"}}", NULL, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "spec: not valid JSON (or not UTF-8)",
                  rapport_db_clv_save_json(db, "{\"name\":\"\xc3\x28\"}", NULL, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "spec: not valid JSON (or not UTF-8)",
                  rapport_db_clv_save_json(db, "{", NULL, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "as_of: 2024-12-30T00:00:00Z is before the cutoff of \"cdnow\" (2024-12-31T00:00:00Z)",
                  rapport_db_clv_apply(db, "cdnow", kCutoff - kDay, &scored, &err));
  EXPECT_CODE_MSG(RAPPORT_NOT_FOUND, "CLV model \"nope\": not found", rapport_db_clv_apply(db, "nope", kCutoff, NULL, &err));
  EXPECT_CODE_MSG(RAPPORT_NOT_FOUND, "CLV model \"nope\": not found", rapport_db_clv_model_delete(db, "nope", &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "name: must not be empty", rapport_db_clv_fit(db, "", NULL, NULL, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "name: ", rapport_db_clv_fit(db, "\xff", NULL, NULL, &err));
  rapport_db_clv_fit_options_init(&o);
  o.cutoff = kCutoff;
  o.model = 9;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "model: must be RAPPORT_DB_CLV_BG_NBD (0) or RAPPORT_DB_CLV_PARETO_NBD (1), got 9",
                  rapport_db_clv_fit(db, "m", &o, NULL, &err));
  o.model = RAPPORT_DB_CLV_BG_NBD;
  o.discount_rate = -1;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "value.discount_rate: must be finite and >= 0, got -1",
                  rapport_db_clv_fit(db, "m", &o, NULL, &err));
  o.discount_rate = 0.01;
  o.order_statuses = kRefunded;
  o.order_status_count = 1;
  EXPECT_CODE_MSG(RAPPORT_FAILED_PRECONDITION, "orders: no customer has an order at or before the cutoff (2024-12-31T00:00:00Z)",
                  rapport_db_clv_fit(db, "m", &o, NULL, &err));
  o.order_status_count = 0;
  o.struct_size = 2;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "opts->struct_size is 2", rapport_db_clv_fit(db, "m", &o, NULL, &err));
  CHECK(last_seq(db) == seq);
  CHECK(scored_rows(db) == 300);

  /* NULL arguments. */
  EXPECT_NULL_ARG("db", rapport_db_clv_fit(NULL, "m", NULL, NULL, &err));
  EXPECT_NULL_ARG("name", rapport_db_clv_fit(db, NULL, NULL, NULL, &err));
  EXPECT_NULL_ARG("spec_json", rapport_db_clv_save_json(db, NULL, NULL, &err));
  EXPECT_NULL_ARG("out_json", rapport_db_clv_model_json(db, "cdnow", NULL, &err));
  EXPECT_NULL_ARG("out_json", rapport_db_clv_model_list_json(db, NULL, &err));
  EXPECT_NULL_ARG("name", rapport_db_clv_model_delete(db, NULL, &err));
  EXPECT_NULL_ARG("name", rapport_db_clv_apply(db, NULL, kCutoff, NULL, &err));
  EXPECT_NULL_ARG("out", rapport_db_clv_scores_load(db, NULL, &err));
  EXPECT_NULL_ARG("scores", rapport_db_clv_scores_customers(NULL, NULL, 0, NULL, &err));
  CHECK(rapport_db_clv_scores_rows(NULL) == 0);
  CHECK(rapport_db_clv_scores_model(NULL) == NULL);
  CHECK(rapport_db_clv_scores_as_of(NULL) == RAPPORT_NULL_TIME);
  rapport_db_clv_scores_free(NULL);
  rapport_db_clv_fit_options_init(NULL);
  CHECK(last_seq(db) == seq);
  rapport_db_close(db);
}

void test_clv_store(void) {
  test_fit_and_apply();
  test_save_and_errors();
}
