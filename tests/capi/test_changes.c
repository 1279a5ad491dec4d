/* The change feed and durable consumers. */
#include "test_util.h"

#define T0 INT64_C(1700000000000000)

static void test_feed(void) {
  rapport_db *db = open_memory(T0);
  rapport_change_list *l = NULL;
  int64_t seq0 = last_seq(db), id;
  size_t n, i;

  id = create_customer(db, "{\"name\":\"Feed\",\"industry\":\"retail\"}");
  EXPECT_OK(rapport_db_advance_time(db, 5, &err));
  EXPECT_OK(rapport_customer_update_json(db, id, "{\"industry\":\"wholesale\"}", -1, NULL, &err));
  CHECK(last_seq(db) > seq0);

  EXPECT_OK(rapport_changes_list(db, seq0, 0, NULL, &l, &err));
  n = rapport_change_list_count(l);
  CHECK(n >= 2);
  for (i = 1; i < n; ++i) CHECK(rapport_change_list_seq(l, i) > rapport_change_list_seq(l, i - 1));
  if (n >= 2) {
    size_t u = n - 1;
    CHECK(rapport_change_list_seq(l, u) == last_seq(db));
    CHECK(strcmp(rapport_change_list_entity(l, u), "customer") == 0);
    CHECK(rapport_change_list_entity_id(l, u) == id);
    CHECK(strcmp(rapport_change_list_op(l, u), "update") == 0);
    CHECK(rapport_change_list_at(l, u) == T0 + 5);
    CHECK(contains(rapport_change_list_fields_json(l, u), "\"industry\""));
    CHECK(contains(rapport_change_list_before(l, u), "retail"));
    CHECK(contains(rapport_change_list_after(l, u), "wholesale"));
    CHECK(rapport_change_list_at(l, 0) == T0);
    CHECK(strcmp(rapport_change_list_op(l, 0), "create") == 0);
    CHECK(rapport_change_list_before(l, 0) != NULL && rapport_change_list_before(l, 0)[0] == '\0');
  }
  CHECK(rapport_change_list_seq(l, n) == 0 && rapport_change_list_op(l, n) == NULL);
  rapport_change_list_free(l);
  l = NULL;

  /* limit, after_seq */
  EXPECT_OK(rapport_changes_list(db, seq0, 1, NULL, &l, &err));
  CHECK(rapport_change_list_count(l) == 1);
  rapport_change_list_free(l);
  l = NULL;
  EXPECT_OK(rapport_changes_list(db, last_seq(db), 10, NULL, &l, &err));
  CHECK(rapport_change_list_count(l) == 0);
  rapport_change_list_free(l);
  rapport_db_close(db);
}

static void test_consumers(void) {
  char path[1024];
  rapport_db *db = NULL;
  int64_t cursor = -1, seq;

  temp_path(path, sizeof path, "changes_consumers.rapport");
  EXPECT_OK(rapport_db_open(path, NULL, &db, &err));
  create_customer(db, "{\"name\":\"One\"}");
  create_customer(db, "{\"name\":\"Two\"}");
  seq = last_seq(db);

  EXPECT_OK(rapport_consumer_create(db, "erp-sync", 0, &err));
  EXPECT_CODE(RAPPORT_ALREADY_EXISTS, rapport_consumer_create(db, "erp-sync", 0, &err));
  EXPECT_OK(rapport_consumer_cursor(db, "erp-sync", &cursor, &err));
  CHECK(cursor == 0);
  EXPECT_OK(rapport_consumer_ack(db, "erp-sync", seq, &err));
  EXPECT_OK(rapport_consumer_cursor(db, "erp-sync", &cursor, &err));
  CHECK(cursor == seq);
  EXPECT_CODE(RAPPORT_NOT_FOUND, rapport_consumer_cursor(db, "nobody", &cursor, &err));
  EXPECT_CODE(RAPPORT_NOT_FOUND, rapport_consumer_ack(db, "nobody", 1, &err));
  rapport_db_close(db);

  /* The cursor survives reopening the file. */
  db = NULL;
  cursor = -1;
  EXPECT_OK(rapport_db_open(path, NULL, &db, &err));
  EXPECT_OK(rapport_consumer_cursor(db, "erp-sync", &cursor, &err));
  CHECK(cursor == seq);
  {
    rapport_change_list *l = NULL;
    create_customer(db, "{\"name\":\"Three\"}");
    EXPECT_OK(rapport_changes_list(db, cursor, 100, NULL, &l, &err));
    CHECK(rapport_change_list_count(l) >= 1);
    rapport_change_list_free(l);
  }
  EXPECT_OK(rapport_consumer_drop(db, "erp-sync", &err));
  EXPECT_CODE(RAPPORT_NOT_FOUND, rapport_consumer_cursor(db, "erp-sync", &cursor, &err));
  EXPECT_CODE(RAPPORT_NOT_FOUND, rapport_consumer_drop(db, "erp-sync", &err));
  rapport_db_close(db);
}

void test_changes(void) {
  test_feed();
  test_consumers();
}
