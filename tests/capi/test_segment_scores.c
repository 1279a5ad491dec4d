/* CLV scores in segments through the C ABI: p_alive, expected_purchases_90d, clv and churn_risk read
 * customer_scores (filled here with plain SQL, as a model's apply would), unscored customers are null,
 * the frame follows an apply logged in the change feed, and the SQL form joins the scores. */
#include <sqlite3.h>
#include <stdlib.h>

#include "test_util.h"

/* 2025-01-01T00:00:00Z */
static const int64_t kJan1 = 1735689600000000LL;

/* Runs `sql` on the database file through a connection of its own (foreign keys on, as the
 * library's connections have them, so deleting a model cascades to its scores); reports a failure. */
static void raw_sql(const char *path, const char *sql) {
  sqlite3 *raw = NULL;
  char *message = NULL;
  int ok = sqlite3_open(path, &raw) == SQLITE_OK;
  if (ok) sqlite3_busy_timeout(raw, 5000);
  ok = ok && sqlite3_exec(raw, "PRAGMA foreign_keys = ON", NULL, NULL, &message) == SQLITE_OK;
  ok = ok && sqlite3_exec(raw, sql, NULL, NULL, &message) == SQLITE_OK;
  if (!ok) fprintf(stderr, "raw_sql: %s\n", message ? message : sqlite3_errmsg(raw));
  CHECK(ok);
  sqlite3_free(message);
  sqlite3_close(raw);
}

void test_segment_scores(void) {
  char path[512], sql[1024];
  rapport_open_options o;
  rapport_db *db = NULL;
  rapport_error *err = NULL;
  int64_t ann, bob, cai, ids[4];
  size_t n = 99;
  int64_t seq_before;
  char *text = NULL, *params = NULL;

  temp_path(path, sizeof path, "segment_scores.rapport");
  rapport_open_options_init(&o);
  o.clock_kind = RAPPORT_CLOCK_MANUAL;
  o.clock_start = kJan1;
  EXPECT_OK(rapport_db_open(path, &o, &db, &err));
  if (db == NULL) return;
  ann = create_customer(db, "{\"name\":\"Ann\"}");
  bob = create_customer(db, "{\"name\":\"Bob\"}");
  cai = create_customer(db, "{\"name\":\"Cai\"}");

  /* Before any model is applied nobody is scored. */
  EXPECT_OK(rapport_db_segment(db, "p_alive < 0.5", NULL, ids, 4, &n, &err));
  CHECK(n == 0);
  EXPECT_OK(rapport_db_segment(db, "p_alive is null", NULL, ids, 4, &n, &err));
  CHECK(n == 3);

  /* An apply: Ann is likely alive, Bob likely gone, Cai not scored; one change entry. */
  snprintf(sql, sizeof sql,
           "INSERT INTO clv_models (id, name, model, spec, cutoff, fitted_at) VALUES (1, 'm', 'bg_nbd', '{}', 0, 0);"
           "INSERT INTO customer_scores VALUES (%lld, 1, 0, 0.9, 2.5, 410.5, 0.1), (%lld, 1, 0, 0.2, 0.1, 12.0, 0.8);"
           "INSERT INTO changes (at, entity, entity_id, op) VALUES (0, 'clv_scores', 1, 'apply');",
           (long long)ann, (long long)bob);
  raw_sql(path, sql);
  EXPECT_OK(rapport_db_segment(db, "churn_risk > 0.5", NULL, ids, 4, &n, &err));
  CHECK(n == 1 && ids[0] == bob);
  EXPECT_OK(rapport_db_segment(db, "p_alive >= 0.5 and clv > 400 and expected_purchases_90d > 2", NULL, ids, 4, &n, &err));
  CHECK(n == 1 && ids[0] == ann);
  EXPECT_OK(rapport_db_segment(db, "p_alive is null", NULL, ids, 4, &n, &err));
  CHECK(n == 1 && ids[0] == cai);
  EXPECT_OK(rapport_db_segment(db, "not (p_alive < 0.5)", NULL, ids, 4, &n, &err));
  CHECK(n == 2 && ids[0] == ann && ids[1] == cai);

  /* The SQL form reads the same table; values are bound. */
  EXPECT_OK(rapport_db_segment_sql(db, "clv > 100", NULL, &text, &params, &err));
  CHECK(contains(text, "LEFT JOIN customer_scores cs ON cs.customer_id = c.id"));
  CHECK(contains(text, "cs.clv > ?"));
  CHECK(contains(params, "100"));
  rapport_string_free(text);
  rapport_string_free(params);

  /* A misspelt score gets a suggestion, a type error both types; neither writes anything. */
  seq_before = last_seq(db);
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "1:1: unknown field \"p_alvie\"; did you mean \"p_alive\"?",
                  rapport_db_segment(db, "p_alvie < 0.5", NULL, ids, 4, &n, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "1:5: cannot compare number with text",
                  rapport_db_segment(db, "clv = \"high\"", NULL, ids, 4, &n, &err));
  CHECK(last_seq(db) == seq_before);

  /* The model is deleted: its scores cascade away, the feed says so, the frame follows. */
  raw_sql(path,
          "DELETE FROM clv_models WHERE id = 1;"
          "INSERT INTO changes (at, entity, entity_id, op) VALUES (0, 'clv_scores', 1, 'delete');");
  EXPECT_OK(rapport_db_segment(db, "p_alive is not null", NULL, ids, 4, &n, &err));
  CHECK(n == 0);
  rapport_db_close(db);
}
