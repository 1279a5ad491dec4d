/* Customers: create, accessors, get, update, upsert, find, delete, restore, purge, search, custom fields. */
#include "test_util.h"

#define T0 INT64_C(1700000000000000)

static void test_create_and_accessors(void) {
  rapport_db *db = open_memory(T0);
  rapport_customer *c = NULL;
  const char *json;

  /* The structured form. */
  EXPECT_OK(rapport_customer_create_json(
      db,
      "{\"fields\":{\"name\":\"Acme Trading\",\"kind\":\"organization\",\"industry\":\"retail\","
      "\"region\":\"east\",\"size\":\"50-200\",\"source\":\"fair\",\"owner\":42,\"lifecycle_stage\":\"lead\"},"
      "\"contact_points\":[{\"kind\":\"email\",\"value\":\"Sales@ACME.example\",\"label\":\"work\",\"primary\":true},"
      "{\"kind\":\"phone\",\"value\":\"138 0013 8000\",\"label\":\"mobile\"}],"
      "\"tags\":[\"vip\",\"export\"],"
      "\"external_ids\":[{\"system\":\"erp\",\"key\":\"C-100\"}]}",
      &c, &err));
  CHECK(c != NULL);
  CHECK(rapport_customer_id(c) > 0);
  CHECK(rapport_customer_kind(c) == RAPPORT_KIND_ORGANIZATION);
  CHECK(strcmp(rapport_customer_name(c), "Acme Trading") == 0);
  CHECK(contains(rapport_customer_industry(c), "retail"));
  CHECK(contains(rapport_customer_region(c), "east"));
  CHECK(contains(rapport_customer_size(c), "50-200"));
  CHECK(contains(rapport_customer_source(c), "fair"));
  CHECK(rapport_customer_has_owner(c) == 1 && rapport_customer_owner(c) == 42);
  CHECK(contains(rapport_customer_lifecycle_stage(c), "lead"));
  CHECK(rapport_customer_birthday(c) == NULL);
  CHECK(rapport_customer_created_at(c) == T0 && rapport_customer_updated_at(c) == T0);
  CHECK(rapport_customer_is_deleted(c) == 0 && rapport_customer_deleted_at(c) == 0);
  CHECK(rapport_customer_version(c) >= 1);
  CHECK(rapport_customer_contact_point_count(c) == 2);
  {
    size_t i, n = rapport_customer_contact_point_count(c);
    int seen_email = 0, seen_phone = 0;
    for (i = 0; i < n; ++i) {
      CHECK(rapport_customer_contact_point_id(c, i) > 0);
      if (rapport_customer_contact_point_kind(c, i) == RAPPORT_CONTACT_EMAIL) {
        seen_email = 1;
        CHECK(strcmp(rapport_customer_contact_point_value(c, i), "Sales@acme.example") == 0 ||
              strcmp(rapport_customer_contact_point_value(c, i), "sales@acme.example") == 0);
        CHECK(strcmp(rapport_customer_contact_point_raw(c, i), "Sales@ACME.example") == 0);
        CHECK(strcmp(rapport_customer_contact_point_label(c, i), "work") == 0);
        CHECK(rapport_customer_contact_point_primary(c, i) == 1);
        CHECK(rapport_customer_contact_point_opted_out(c, i) == 0);
        CHECK(rapport_customer_contact_point_invalid(c, i) == 0);
      } else {
        seen_phone = 1;
        CHECK(strcmp(rapport_customer_contact_point_value(c, i), "+8613800138000") == 0);
        CHECK(strcmp(rapport_customer_contact_point_label(c, i), "mobile") == 0);
      }
    }
    CHECK(seen_email && seen_phone);
  }
  CHECK(rapport_customer_tag_count(c) == 2);
  CHECK(strcmp(rapport_customer_tag(c, 0), "export") == 0 && strcmp(rapport_customer_tag(c, 1), "vip") == 0);
  CHECK(rapport_customer_tag(c, 2) == NULL);
  CHECK(rapport_customer_external_id_count(c) == 1);
  CHECK(strcmp(rapport_customer_external_id_system(c, 0), "erp") == 0);
  CHECK(strcmp(rapport_customer_external_id_key(c, 0), "C-100") == 0);
  CHECK(rapport_customer_external_id_key(c, 1) == NULL);
  CHECK(rapport_customer_contact_point_value(c, 5) == NULL);
  json = rapport_customer_field_json(c, "industry");
  CHECK(json != NULL && strcmp(json, "\"retail\"") == 0);
  CHECK(rapport_customer_field_json(c, "industry") == json); /* cached: stable pointer */
  CHECK(rapport_customer_field_json(c, "birthday") == NULL);
  CHECK(rapport_customer_field_json(c, "no_such_field") == NULL);
  json = rapport_customer_to_json(c);
  CHECK(contains(json, "Acme Trading") && contains(json, "C-100"));
  CHECK(rapport_customer_to_json(c) == json);
  rapport_customer_free(c);

  /* The flat form; `out` may be NULL. */
  EXPECT_OK(rapport_customer_create_json(
      db, "{\"name\":\"Alice\",\"birthday\":\"1990-02-28\",\"email\":[\"alice@example.com\",\"a2@example.com\"],"
          "\"phone\":\"+86 138 0013 8001\",\"tags\":[\"new\"]}",
      NULL, &err));
  c = NULL;
  {
    rapport_customer_list *list = NULL;
    rapport_customer_query q;
    rapport_customer_query_init(&q);
    q.name_contains = "ALICE";
    EXPECT_OK(rapport_customer_search(db, &q, &list, &err));
    CHECK(rapport_customer_list_count(list) == 1);
    if (rapport_customer_list_count(list) == 1) {
      const rapport_customer *a = rapport_customer_list_at(list, 0);
      CHECK(rapport_customer_kind(a) == RAPPORT_KIND_PERSON);
      CHECK(contains(rapport_customer_birthday(a), "1990-02-28"));
      CHECK(rapport_customer_contact_point_count(a) == 3);
      CHECK(rapport_customer_tag_count(a) == 1);
      CHECK(rapport_customer_has_owner(a) == 0 && rapport_customer_owner(a) == 0);
      CHECK(rapport_customer_industry(a) == NULL);
    }
    CHECK(rapport_customer_list_at(list, 1) == NULL);
    rapport_customer_list_free(list);
  }

  /* Malformed JSON and unknown members are INVALID_ARGUMENT and write nothing. */
  {
    int64_t seq = last_seq(db);
    EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "json", rapport_customer_create_json(db, "{\"name\":", NULL, &err));
    EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_customer_create_json(db, "[1,2]", NULL, &err));
    EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "colour",
                    rapport_customer_create_json(db, "{\"fields\":{\"name\":\"X\"},\"colour\":1}", NULL, &err));
    EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "tags",
                    rapport_customer_create_json(db, "{\"name\":\"X\",\"tags\":\"vip\"}", NULL, &err));
    EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "name", rapport_customer_create_json(db, "{\"industry\":\"x\"}", NULL, &err));
    CHECK(last_seq(db) == seq);
    CHECK(customer_count(db) == 2);
  }
  rapport_db_close(db);
}

static void test_invalid_utf8(void) {
  rapport_db *db = open_memory(T0);
  int64_t seq0 = last_seq(db);
  int64_t id;
  rapport_customer *c = NULL;

  /* Raw invalid bytes, and a lone surrogate escaped in the JSON. */
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_customer_create_json(db, "{\"name\":\"Bad \xff\xfe name\"}", &c, &err));
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_customer_create_json(db, "{\"name\":\"Bad \xc3\x28\"}", &c, &err));
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_customer_create_json(db, "{\"name\":\"Bad \\udc00\"}", &c, &err));
  CHECK(c == NULL);
  CHECK(last_seq(db) == seq0);
  CHECK(customer_count(db) == 0);

  id = create_customer(db, "{\"name\":\"Good\"}");
  seq0 = last_seq(db);
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_customer_update_json(db, id, "{\"name\":\"\xe4\xb8\"}", -1, NULL, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "tag", rapport_tag_add(db, id, "v\xffip", &err));
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_external_id_add(db, id, "erp", "\x80", &err));
  CHECK(last_seq(db) == seq0);
  EXPECT_OK(rapport_customer_get(db, id, 0, &c, &err));
  CHECK(strcmp(rapport_customer_name(c), "Good") == 0 && rapport_customer_tag_count(c) == 0);
  rapport_customer_free(c);
  {
    rapport_customer_list *list = NULL;
    rapport_customer_query q;
    rapport_customer_query_init(&q);
    q.name_contains = "Bad";
    EXPECT_OK(rapport_customer_search(db, &q, &list, &err));
    CHECK(rapport_customer_list_count(list) == 0);
    rapport_customer_list_free(list);
  }
  rapport_db_close(db);
}

static void test_update_versions_delete(void) {
  rapport_db *db = open_memory(T0);
  rapport_customer *c = NULL;
  int64_t id, v1, v2;

  EXPECT_OK(rapport_customer_create_json(db, "{\"name\":\"Versioned\",\"industry\":\"food\"}", &c, &err));
  id = rapport_customer_id(c);
  v1 = rapport_customer_version(c);
  rapport_customer_free(c);
  c = NULL;

  EXPECT_OK(rapport_customer_update_json(db, id, "{\"region\":\"north\",\"industry\":null}", v1, &c, &err));
  v2 = rapport_customer_version(c);
  CHECK(v2 > v1);
  CHECK(contains(rapport_customer_region(c), "north"));
  CHECK(rapport_customer_industry(c) == NULL);
  rapport_customer_free(c);
  c = NULL;

  /* A stale version: ABORTED, nothing changed. */
  {
    int64_t seq = last_seq(db);
    EXPECT_CODE(RAPPORT_ABORTED, rapport_customer_update_json(db, id, "{\"region\":\"south\"}", v1, &c, &err));
    CHECK(c == NULL);
    EXPECT_CODE(RAPPORT_ABORTED, rapport_customer_delete(db, id, v1, &err));
    CHECK(last_seq(db) == seq);
  }
  EXPECT_OK(rapport_customer_get(db, id, 0, &c, &err));
  CHECK(contains(rapport_customer_region(c), "north") && rapport_customer_version(c) == v2);
  rapport_customer_free(c);
  c = NULL;
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_customer_update_json(db, id, "[]", -1, NULL, &err));
  EXPECT_CODE(RAPPORT_NOT_FOUND, rapport_customer_update_json(db, 999999, "{\"region\":\"x\"}", -1, NULL, &err));
  EXPECT_CODE(RAPPORT_NOT_FOUND, rapport_customer_get(db, 999999, 0, &c, &err));

  /* Soft delete, restore. */
  EXPECT_OK(rapport_db_advance_time(db, 10, &err));
  EXPECT_OK(rapport_customer_delete(db, id, v2, &err));
  EXPECT_CODE(RAPPORT_NOT_FOUND, rapport_customer_get(db, id, 0, &c, &err));
  EXPECT_OK(rapport_customer_get(db, id, 1, &c, &err));
  CHECK(rapport_customer_is_deleted(c) == 1 && rapport_customer_deleted_at(c) == T0 + 10);
  rapport_customer_free(c);
  c = NULL;
  CHECK(customer_count(db) == 0);
  EXPECT_OK(rapport_customer_restore(db, id, &err));
  EXPECT_OK(rapport_customer_get(db, id, 0, &c, &err));
  CHECK(rapport_customer_is_deleted(c) == 0);
  rapport_customer_free(c);
  c = NULL;
  EXPECT_OK(rapport_customer_delete(db, id, -1, &err));

  /* Purge: gone for good, leaving a "purge" change. */
  EXPECT_OK(rapport_customer_purge(db, id, &err));
  EXPECT_CODE(RAPPORT_NOT_FOUND, rapport_customer_get(db, id, 1, &c, &err));
  {
    rapport_change_list *changes = NULL;
    size_t n, i;
    int purge = 0;
    EXPECT_OK(rapport_changes_list(db, 0, 0, NULL, &changes, &err));
    n = rapport_change_list_count(changes);
    for (i = 0; i < n; ++i) {
      if (strcmp(rapport_change_list_op(changes, i), "purge") == 0) {
        purge = 1;
        CHECK(rapport_change_list_entity_id(changes, i) == id);
        CHECK(!contains(rapport_change_list_after(changes, i), "Versioned"));
      }
      CHECK(!contains(rapport_change_list_before(changes, i), "Versioned"));
      CHECK(!contains(rapport_change_list_after(changes, i), "Versioned"));
    }
    CHECK(purge);
    rapport_change_list_free(changes);
  }
  rapport_db_close(db);
}

static void test_upsert_and_external_ids(void) {
  rapport_db *db = open_memory(T0);
  rapport_customer *c = NULL;
  int created = -1;
  int64_t id;

  EXPECT_OK(rapport_customer_upsert_json(db, "erp", "K-1", "{\"name\":\"Upserted\",\"tags\":[\"a\"]}", &c, &created,
                                         &err));
  CHECK(created == 1);
  id = rapport_customer_id(c);
  CHECK(rapport_customer_external_id_count(c) == 1);
  rapport_customer_free(c);
  c = NULL;
  EXPECT_OK(rapport_customer_upsert_json(db, "erp", "K-1", "{\"name\":\"Upserted 2\",\"tags\":[\"b\"]}", &c, &created,
                                         &err));
  CHECK(created == 0);
  CHECK(rapport_customer_id(c) == id);
  CHECK(strcmp(rapport_customer_name(c), "Upserted 2") == 0);
  CHECK(rapport_customer_tag_count(c) == 2);
  rapport_customer_free(c);
  c = NULL;
  EXPECT_OK(rapport_customer_upsert_json(db, "erp", "K-1", "{\"name\":\"Upserted 3\"}", NULL, NULL, &err));

  EXPECT_OK(rapport_customer_find_by_external_id(db, "erp", "K-1", &c, &err));
  CHECK(rapport_customer_id(c) == id && strcmp(rapport_customer_name(c), "Upserted 3") == 0);
  rapport_customer_free(c);
  c = NULL;
  EXPECT_CODE(RAPPORT_NOT_FOUND, rapport_customer_find_by_external_id(db, "erp", "nope", &c, &err));
  CHECK(c == NULL);

  /* Duplicate external ids. */
  {
    int64_t other, seq;
    EXPECT_OK(rapport_customer_create_json(
        db, "{\"name\":\"First\",\"external_ids\":[{\"system\":\"crm\",\"key\":\"X-1\"}]}", NULL, &err));
    other = create_customer(db, "{\"name\":\"Second\"}");
    seq = last_seq(db);
    EXPECT_CODE(RAPPORT_ALREADY_EXISTS,
                rapport_customer_create_json(
                    db, "{\"name\":\"Dup\",\"external_ids\":[{\"system\":\"crm\",\"key\":\"X-1\"}]}", NULL, &err));
    EXPECT_CODE(RAPPORT_ALREADY_EXISTS, rapport_external_id_add(db, other, "crm", "X-1", &err));
    EXPECT_CODE(RAPPORT_ALREADY_EXISTS, rapport_external_id_add(db, other, "erp", "K-1", &err));
    CHECK(last_seq(db) == seq);
    EXPECT_OK(rapport_external_id_add(db, other, "crm", "X-2", &err));
    EXPECT_OK(rapport_customer_find_by_external_id(db, "crm", "X-2", &c, &err));
    CHECK(rapport_customer_id(c) == other);
    rapport_customer_free(c);
    c = NULL;
    EXPECT_OK(rapport_external_id_remove(db, "crm", "X-2", &err));
    EXPECT_CODE(RAPPORT_NOT_FOUND, rapport_customer_find_by_external_id(db, "crm", "X-2", &c, &err));
  }
  rapport_db_close(db);
}

static void test_search(void) {
  rapport_db *db = open_memory(T0);
  rapport_customer_list *list = NULL;
  rapport_customer_query q;
  const char *tags[] = {"vip", "north"};
  int64_t a, b;
  int i;

  a = create_customer(db, "{\"name\":\"北京科技有限公司\",\"kind\":\"organization\",\"tags\":[\"vip\",\"north\"],"
                          "\"owner\":5,\"lifecycle_stage\":\"customer\",\"email\":\"bj@example.cn\"}");
  b = create_customer(db, "{\"name\":\"Beijing Foods\",\"tags\":[\"vip\"],\"phone\":\"13800138000\"}");
  for (i = 0; i < 5; ++i) create_customer(db, "{\"name\":\"Filler\"}");

  rapport_customer_query_init(&q);
  q.tags = tags;
  q.tag_count = 2;
  EXPECT_OK(rapport_customer_search(db, &q, &list, &err));
  CHECK(rapport_customer_list_count(list) == 1 && rapport_customer_id(rapport_customer_list_at(list, 0)) == a);
  rapport_customer_list_free(list);

  rapport_customer_query_init(&q);
  q.name_contains = "科技";
  EXPECT_OK(rapport_customer_search(db, &q, &list, &err));
  CHECK(rapport_customer_list_count(list) == 1 && rapport_customer_id(rapport_customer_list_at(list, 0)) == a);
  rapport_customer_list_free(list);

  rapport_customer_query_init(&q);
  q.contact = "+86 138 0013 8000";
  EXPECT_OK(rapport_customer_search(db, &q, &list, &err));
  CHECK(rapport_customer_list_count(list) == 1 && rapport_customer_id(rapport_customer_list_at(list, 0)) == b);
  rapport_customer_list_free(list);

  rapport_customer_query_init(&q);
  q.owner = 5;
  q.lifecycle_stage = "customer";
  EXPECT_OK(rapport_customer_search(db, &q, &list, &err));
  CHECK(rapport_customer_list_count(list) == 1);
  rapport_customer_list_free(list);

  /* Keyset paging. */
  {
    int64_t after = 0, seen = 0;
    int pages = 0;
    do {
      rapport_customer_query_init(&q);
      q.limit = 3;
      q.after = after;
      list = NULL;
      EXPECT_OK(rapport_customer_search(db, &q, &list, &err));
      seen += (int64_t)rapport_customer_list_count(list);
      after = rapport_customer_list_next_after(list);
      rapport_customer_list_free(list);
      pages++;
    } while (after != 0 && pages < 10);
    CHECK(seen == 7);
    CHECK(pages == 3);
  }

  /* include_deleted */
  EXPECT_OK(rapport_customer_delete(db, b, -1, &err));
  rapport_customer_query_init(&q);
  q.name_contains = "beijing";
  EXPECT_OK(rapport_customer_search(db, &q, &list, &err));
  CHECK(rapport_customer_list_count(list) == 0);
  rapport_customer_list_free(list);
  q.include_deleted = 1;
  EXPECT_OK(rapport_customer_search(db, &q, &list, &err));
  CHECK(rapport_customer_list_count(list) == 1);
  rapport_customer_list_free(list);

  /* NULL query: defaults. A tag array that is NULL with a count is refused. */
  EXPECT_OK(rapport_customer_search(db, NULL, &list, &err));
  CHECK(rapport_customer_list_count(list) == 6);
  rapport_customer_list_free(list);
  rapport_customer_query_init(&q);
  q.tag_count = 1;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "tags", rapport_customer_search(db, &q, &list, &err));
  rapport_db_close(db);
}

static void test_custom_fields(void) {
  rapport_db *db = open_memory(T0);
  char *json = NULL;
  int64_t id, seq;
  rapport_customer *c = NULL;

  EXPECT_OK(rapport_custom_field_define_json(
      db, "{\"name\":\"tier\",\"type\":\"enum\",\"label\":\"Tier\",\"options\":[\"gold\",\"silver\"]}", &err));
  EXPECT_OK(rapport_custom_field_define_json(db, "{\"name\":\"score\",\"type\":\"integer\",\"min\":0,\"max\":10}", &err));
  EXPECT_OK(rapport_custom_field_define_json(db, "{\"name\":\"credit\",\"type\":\"money\",\"currency\":\"CNY\"}", &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "type",
                  rapport_custom_field_define_json(db, "{\"name\":\"bad\",\"type\":\"colour\"}", &err));
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_custom_field_define_json(db, "{\"type\":\"text\"}", &err));
  EXPECT_CODE(RAPPORT_ALREADY_EXISTS, rapport_custom_field_define_json(db, "{\"name\":\"tier\",\"type\":\"text\"}", &err));

  EXPECT_OK(rapport_custom_field_list_json(db, &json, &err));
  CHECK(contains(json, "\"tier\"") && contains(json, "\"enum\"") && contains(json, "silver"));
  CHECK(contains(json, "\"score\"") && contains(json, "\"integer\""));
  rapport_string_free(json);
  json = NULL;

  EXPECT_OK(rapport_customer_create_json(
      db, "{\"name\":\"Custom\",\"tier\":\"gold\",\"score\":7,\"credit\":{\"amount\":\"12.34\",\"currency\":\"CNY\"}}",
      &c, &err));
  id = rapport_customer_id(c);
  CHECK(contains(rapport_customer_field_json(c, "tier"), "gold"));
  CHECK(contains(rapport_customer_field_json(c, "score"), "7"));
  CHECK(contains(rapport_customer_field_json(c, "credit"), "1234") &&
        contains(rapport_customer_field_json(c, "credit"), "CNY"));
  rapport_customer_free(c);
  c = NULL;

  /* Validation errors name the field; nothing is written. */
  seq = last_seq(db);
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "tier",
                  rapport_customer_create_json(db, "{\"name\":\"Bad tier\",\"tier\":\"bronze\"}", NULL, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "score",
                  rapport_customer_update_json(db, id, "{\"score\":11}", -1, NULL, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "score",
                  rapport_customer_update_json(db, id, "{\"score\":\"seven\"}", -1, NULL, &err));
  CHECK(last_seq(db) == seq);

  /* Search by custom field value. */
  {
    rapport_customer_list *list = NULL;
    rapport_customer_query q;
    rapport_customer_query_init(&q);
    q.custom_field_name = "tier";
    q.custom_field_value_json = "\"gold\"";
    EXPECT_OK(rapport_customer_search(db, &q, &list, &err));
    CHECK(rapport_customer_list_count(list) == 1);
    rapport_customer_list_free(list);
  }

  EXPECT_OK(rapport_custom_field_drop(db, "score", &err));
  EXPECT_CODE(RAPPORT_NOT_FOUND, rapport_custom_field_drop(db, "score", &err));
  EXPECT_OK(rapport_custom_field_list_json(db, &json, &err));
  CHECK(!contains(json, "\"score\""));
  rapport_string_free(json);
  rapport_db_close(db);
}

void test_customers(void) {
  test_create_and_accessors();
  test_invalid_utf8();
  test_update_versions_delete();
  test_upsert_and_external_ids();
  test_search();
  test_custom_fields();
}
