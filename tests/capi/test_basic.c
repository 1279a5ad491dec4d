/* Version, errors, opening and closing, the manual clock, file databases, actors, transactions. */
#include <stdlib.h>

#include "test_util.h"

#define T0 INT64_C(1700000000000000) /* 2023-11-14T22:13:20Z */

static void test_version_and_codes(void) {
  const char *v = rapport_version();
  CHECK(v != NULL && strlen(v) >= 5);
  CHECK(strchr(v, '.') != NULL);
  CHECK(strcmp(rapport_code_name(RAPPORT_OK), "OK") == 0);
  CHECK(strcmp(rapport_code_name(RAPPORT_INVALID_ARGUMENT), "INVALID_ARGUMENT") == 0);
  CHECK(strcmp(rapport_code_name(RAPPORT_ABORTED), "ABORTED") == 0);
  CHECK(strcmp(rapport_code_name(RAPPORT_DATA_LOSS), "DATA_LOSS") == 0);
  CHECK(strcmp(rapport_code_name((rapport_code)99), "UNKNOWN_CODE") == 0);
  CHECK(RAPPORT_NOT_FOUND == 5 && RAPPORT_ALREADY_EXISTS == 6 && RAPPORT_FAILED_PRECONDITION == 9);
  CHECK(RAPPORT_UNAVAILABLE == 14 && RAPPORT_INTERNAL == 13 && RAPPORT_CANCELLED == 1);
  CHECK(rapport_error_code(NULL) == RAPPORT_OK);
  CHECK(strcmp(rapport_error_message(NULL), "") == 0);
  rapport_error_free(NULL);
  rapport_string_free(NULL);
}

static void test_money(void) {
  int32_t digits = -1;
  int64_t minor = 0;
  char *text = NULL;
  EXPECT_OK(rapport_currency_digits("JPY", &digits, &err));
  CHECK(digits == 0);
  EXPECT_OK(rapport_money_parse("12.34", "CNY", &minor, &err));
  CHECK(minor == 1234);
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "more decimals than CNY allows (2)",
                  rapport_money_parse("12.345", "CNY", &minor, &err));
  CHECK(minor == 1234); /* untouched on failure */
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "not an ISO 4217 currency", rapport_money_parse("1", "XYZ", &minor, &err));
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_money_parse("1", NULL, &minor, &err));
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_currency_digits("\xff\xfe", &digits, &err));
  EXPECT_OK(rapport_money_format(-5, "USD", &text, &err));
  CHECK(text != NULL && strcmp(text, "-0.05") == 0);
  rapport_string_free(text);
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_money_format(1, "ABC", &text, &err));
}

static void test_open_close(void) {
  rapport_db *db = NULL;
  rapport_open_options o;
  int64_t now = 0;
  int schema = 0;

  EXPECT_OK(rapport_db_open(":memory:", NULL, &db, &err));
  CHECK(db != NULL);
  EXPECT_OK(rapport_db_schema_version(db, &schema, &err));
  CHECK(schema >= 1);
  EXPECT_OK(rapport_db_now(db, &now, &err));
  /* A system clock: the manual-clock controls refuse. */
  EXPECT_CODE(RAPPORT_FAILED_PRECONDITION, rapport_db_set_time(db, T0, &err));
  EXPECT_CODE(RAPPORT_FAILED_PRECONDITION, rapport_db_advance_time(db, 1, &err));
  rapport_db_close(db);
  rapport_db_close(NULL);

  /* Options with a struct_size of 0 (not initialised) are refused. */
  memset(&o, 0, sizeof o);
  db = NULL;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "struct_size", rapport_db_open(":memory:", &o, &db, &err));
  CHECK(db == NULL);
  rapport_open_options_init(&o);
  CHECK(o.struct_size == sizeof o && o.create_if_missing == 1 && o.busy_timeout_ms == 5000);
  o.clock_kind = 7;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "clock_kind", rapport_db_open(":memory:", &o, &db, &err));
  /* An older caller's smaller options struct: later fields take their defaults. */
  rapport_open_options_init(&o);
  o.struct_size = (uint32_t)(offsetof(rapport_open_options, clock_start) + sizeof(int64_t));
  o.clock_kind = RAPPORT_CLOCK_MANUAL;
  o.clock_start = T0;
  EXPECT_OK(rapport_db_open(":memory:", &o, &db, &err));
  EXPECT_OK(rapport_db_now(db, &now, &err));
  CHECK(now == T0);
  rapport_db_close(db);
}

static void test_manual_clock(void) {
  rapport_db *db = open_memory(T0);
  rapport_customer *c = NULL;
  int64_t now = 0, id;
  EXPECT_OK(rapport_db_now(db, &now, &err));
  CHECK(now == T0);
  id = create_customer(db, "{\"name\":\"Clock Co\"}");
  EXPECT_OK(rapport_db_advance_time(db, 1000000, &err));
  EXPECT_OK(rapport_db_now(db, &now, &err));
  CHECK(now == T0 + 1000000);
  EXPECT_OK(rapport_customer_update_json(db, id, "{\"industry\":\"retail\"}", -1, &c, &err));
  CHECK(rapport_customer_created_at(c) == T0);
  CHECK(rapport_customer_updated_at(c) == T0 + 1000000);
  rapport_customer_free(c);
  EXPECT_OK(rapport_db_set_time(db, T0 + 5, &err));
  EXPECT_OK(rapport_db_now(db, &now, &err));
  CHECK(now == T0 + 5);
  rapport_db_close(db);
}

static void test_file_reopen(void) {
  char path[1024];
  rapport_db *db = NULL;
  rapport_customer *c = NULL;
  rapport_open_options o;
  int64_t id;
  FILE *f;
  char bad[1024];

  temp_path(path, sizeof path, "basic_reopen.rapport");
  rapport_open_options_init(&o);
  o.create_if_missing = 0;
  {
    /* A missing file with create_if_missing = 0 is an error (and creates nothing). */
    rapport_error *e = NULL;
    CHECK(rapport_db_open(path, &o, &db, &e) != RAPPORT_OK);
    CHECK(e != NULL && rapport_error_message(e)[0] != '\0');
    CHECK(db == NULL);
    CHECK(!file_exists(path));
    rapport_error_free(e);
  }

  EXPECT_OK(rapport_db_open(path, NULL, &db, &err));
  id = create_customer(db, "{\"name\":\"李雷\",\"email\":\"lilei@example.com\",\"tags\":[\"vip\"]}");
  CHECK(id > 0);
  rapport_db_close(db);
  db = NULL;

  EXPECT_OK(rapport_db_open(path, &o, &db, &err));
  EXPECT_OK(rapport_customer_get(db, id, 0, &c, &err));
  CHECK(c != NULL && strcmp(rapport_customer_name(c), "李雷") == 0);
  CHECK(rapport_customer_tag_count(c) == 1 && strcmp(rapport_customer_tag(c, 0), "vip") == 0);
  CHECK(rapport_customer_contact_point_count(c) == 1);
  rapport_customer_free(c);
  rapport_db_close(db);

  /* A file that is not a Rapport database is refused and left untouched. */
  temp_path(bad, sizeof bad, "not_a_db.txt");
  f = fopen(bad, "wb");
  CHECK(f != NULL);
  if (f != NULL) {
    fputs("hello, this is not sqlite\n", f);
    fclose(f);
  }
  db = NULL;
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_db_open(bad, NULL, &db, &err));
  CHECK(db == NULL);
  f = fopen(bad, "rb");
  if (f != NULL) {
    char line[64] = {0};
    CHECK(fgets(line, sizeof line, f) != NULL && strcmp(line, "hello, this is not sqlite\n") == 0);
    fclose(f);
  }
}

static void test_actors(void) {
  rapport_open_options o;
  rapport_db *db = NULL, *web = NULL;
  rapport_change_list *changes = NULL;
  int64_t id1, id2;
  size_t n;

  rapport_open_options_init(&o);
  o.actor_user_id = 7;
  o.actor_origin = "erp";
  EXPECT_OK(rapport_db_open(":memory:", &o, &db, &err));
  EXPECT_OK(rapport_db_with_actor(db, 0, "web", &web, &err));
  id1 = create_customer(db, "{\"name\":\"From ERP\"}");
  id2 = create_customer(web, "{\"name\":\"From web\"}");

  EXPECT_OK(rapport_changes_list(db, 0, 100, NULL, &changes, &err));
  n = rapport_change_list_count(changes);
  CHECK(n >= 2);
  if (n >= 2) {
    size_t a = n - 2, b = n - 1;
    CHECK(strcmp(rapport_change_list_entity(changes, a), "customer") == 0);
    CHECK(strcmp(rapport_change_list_op(changes, a), "create") == 0);
    CHECK(rapport_change_list_entity_id(changes, a) == id1);
    CHECK(rapport_change_list_has_actor(changes, a) == 1);
    CHECK(rapport_change_list_actor(changes, a) == 7);
    CHECK(strcmp(rapport_change_list_origin(changes, a), "erp") == 0);
    CHECK(rapport_change_list_entity_id(changes, b) == id2);
    CHECK(rapport_change_list_has_actor(changes, b) == 0);
    CHECK(rapport_change_list_actor(changes, b) == 0);
    CHECK(strcmp(rapport_change_list_origin(changes, b), "web") == 0);
  }
  rapport_change_list_free(changes);

  /* A partner skips its own echoes. */
  changes = NULL;
  EXPECT_OK(rapport_changes_list(db, 0, 100, "erp", &changes, &err));
  n = rapport_change_list_count(changes);
  CHECK(n >= 1);
  if (n >= 1) CHECK(strcmp(rapport_change_list_origin(changes, n - 1), "web") == 0);
  {
    size_t i;
    for (i = 0; i < n; ++i) CHECK(strcmp(rapport_change_list_origin(changes, i), "erp") != 0);
  }
  rapport_change_list_free(changes);

  /* Handles close independently: the shared database stays open for the other. */
  rapport_db_close(db);
  CHECK(create_customer(web, "{\"name\":\"Still open\"}") > 0);
  rapport_db_close(web);
}

static void test_transactions(void) {
  rapport_db *db = open_memory(T0);
  int64_t seq0 = last_seq(db);

  EXPECT_CODE(RAPPORT_FAILED_PRECONDITION, rapport_db_commit(db, &err));
  EXPECT_CODE(RAPPORT_FAILED_PRECONDITION, rapport_db_rollback(db, &err));

  EXPECT_OK(rapport_db_begin(db, &err));
  EXPECT_CODE(RAPPORT_FAILED_PRECONDITION, rapport_db_begin(db, &err));
  create_customer(db, "{\"name\":\"Rolled back 1\"}");
  create_customer(db, "{\"name\":\"Rolled back 2\"}");
  EXPECT_OK(rapport_db_rollback(db, &err));
  CHECK(customer_count(db) == 0);
  CHECK(last_seq(db) == seq0);

  EXPECT_OK(rapport_db_begin(db, &err));
  create_customer(db, "{\"name\":\"Kept 1\"}");
  create_customer(db, "{\"name\":\"Kept 2\"}");
  EXPECT_OK(rapport_db_commit(db, &err));
  CHECK(customer_count(db) == 2);
  CHECK(last_seq(db) > seq0);

  /* A transaction left open is rolled back by close. */
  {
    char path[1024];
    rapport_db *f = NULL;
    temp_path(path, sizeof path, "basic_txn.rapport");
    EXPECT_OK(rapport_db_open(path, NULL, &f, &err));
    EXPECT_OK(rapport_db_begin(f, &err));
    create_customer(f, "{\"name\":\"Never committed\"}");
    rapport_db_close(f);
    f = NULL;
    EXPECT_OK(rapport_db_open(path, NULL, &f, &err));
    CHECK(customer_count(f) == 0);
    rapport_db_close(f);
  }
  rapport_db_close(db);
}

void test_basic(void) {
  test_version_and_codes();
  test_money();
  test_open_close();
  test_manual_clock();
  test_file_reopen();
  test_actors();
  test_transactions();
}
