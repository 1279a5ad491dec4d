/* Every function given a NULL handle or a NULL required pointer: INVALID_ARGUMENT naming the
 * argument, never a crash. Accessors and free functions accept NULL. */
#include "test_util.h"

#define EXPECT_NULL_ARG(name, call) EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "'" name "'", call)

static void test_fallible(void) {
  rapport_db *db = open_memory(0);
  rapport_db *out_db = NULL;
  rapport_customer *c = NULL;
  rapport_customer_list *list = NULL;
  rapport_timeline *t = NULL;
  rapport_import_report *r = NULL;
  rapport_change_list *changes = NULL;
  rapport_contact_point_draft cpd;
  rapport_contact_point_patch cpp;
  rapport_order_draft od;
  rapport_activity_draft ad;
  rapport_import_options io;
  char *json = NULL;
  int64_t i64 = 0;
  int i = 0;
  int64_t id = create_customer(db, "{\"name\":\"Null tests\"}");

  rapport_contact_point_draft_init(&cpd);
  cpd.value = "a@example.com";
  rapport_contact_point_patch_init(&cpp);
  rapport_order_draft_init(&od);
  od.customer_id = id;
  od.currency = "CNY";
  rapport_activity_draft_init(&ad);
  ad.customer_id = id;
  rapport_import_options_init(&io);
  io.mapping_json = "{\"Name\":\"name\"}";

  /* Databases. */
  EXPECT_NULL_ARG("path", rapport_db_open(NULL, NULL, &out_db, &err));
  EXPECT_NULL_ARG("out", rapport_db_open(":memory:", NULL, NULL, &err));
  EXPECT_NULL_ARG("db", rapport_db_with_actor(NULL, 1, "x", &out_db, &err));
  EXPECT_NULL_ARG("out", rapport_db_with_actor(db, 1, "x", NULL, &err));
  EXPECT_NULL_ARG("db", rapport_db_now(NULL, &i64, &err));
  EXPECT_NULL_ARG("out_micros", rapport_db_now(db, NULL, &err));
  EXPECT_NULL_ARG("db", rapport_db_set_time(NULL, 0, &err));
  EXPECT_NULL_ARG("db", rapport_db_advance_time(NULL, 0, &err));
  EXPECT_NULL_ARG("db", rapport_db_schema_version(NULL, &i, &err));
  EXPECT_NULL_ARG("out", rapport_db_schema_version(db, NULL, &err));
  EXPECT_NULL_ARG("db", rapport_db_begin(NULL, &err));
  EXPECT_NULL_ARG("db", rapport_db_commit(NULL, &err));
  EXPECT_NULL_ARG("db", rapport_db_rollback(NULL, &err));
  CHECK(out_db == NULL);

  /* Customers. */
  EXPECT_NULL_ARG("db", rapport_customer_create_json(NULL, "{\"name\":\"x\"}", &c, &err));
  EXPECT_NULL_ARG("json", rapport_customer_create_json(db, NULL, &c, &err));
  EXPECT_NULL_ARG("db", rapport_customer_get(NULL, id, 0, &c, &err));
  EXPECT_NULL_ARG("out", rapport_customer_get(db, id, 0, NULL, &err));
  EXPECT_NULL_ARG("db", rapport_customer_update_json(NULL, id, "{}", -1, &c, &err));
  EXPECT_NULL_ARG("fields_json", rapport_customer_update_json(db, id, NULL, -1, &c, &err));
  EXPECT_NULL_ARG("db", rapport_customer_upsert_json(NULL, "s", "k", "{}", &c, &i, &err));
  EXPECT_NULL_ARG("system", rapport_customer_upsert_json(db, NULL, "k", "{}", &c, &i, &err));
  EXPECT_NULL_ARG("key", rapport_customer_upsert_json(db, "s", NULL, "{}", &c, &i, &err));
  EXPECT_NULL_ARG("json", rapport_customer_upsert_json(db, "s", "k", NULL, &c, &i, &err));
  EXPECT_NULL_ARG("db", rapport_customer_find_by_external_id(NULL, "s", "k", &c, &err));
  EXPECT_NULL_ARG("system", rapport_customer_find_by_external_id(db, NULL, "k", &c, &err));
  EXPECT_NULL_ARG("key", rapport_customer_find_by_external_id(db, "s", NULL, &c, &err));
  EXPECT_NULL_ARG("out", rapport_customer_find_by_external_id(db, "s", "k", NULL, &err));
  EXPECT_NULL_ARG("db", rapport_customer_delete(NULL, id, -1, &err));
  EXPECT_NULL_ARG("db", rapport_customer_restore(NULL, id, &err));
  EXPECT_NULL_ARG("db", rapport_customer_purge(NULL, id, &err));
  EXPECT_NULL_ARG("db", rapport_customer_search(NULL, NULL, &list, &err));
  EXPECT_NULL_ARG("out", rapport_customer_search(db, NULL, NULL, &err));
  CHECK(c == NULL && list == NULL);

  /* Contact points, tags, external ids, links. */
  EXPECT_NULL_ARG("db", rapport_contact_point_add(NULL, id, &cpd, &i64, &err));
  EXPECT_NULL_ARG("draft", rapport_contact_point_add(db, id, NULL, &i64, &err));
  cpd.value = NULL;
  EXPECT_NULL_ARG("draft->value", rapport_contact_point_add(db, id, &cpd, &i64, &err));
  EXPECT_NULL_ARG("db", rapport_contact_point_update(NULL, 1, &cpp, &err));
  EXPECT_NULL_ARG("patch", rapport_contact_point_update(db, 1, NULL, &err));
  EXPECT_NULL_ARG("db", rapport_contact_point_remove(NULL, 1, &err));
  EXPECT_NULL_ARG("db", rapport_tag_add(NULL, id, "t", &err));
  EXPECT_NULL_ARG("tag", rapport_tag_add(db, id, NULL, &err));
  EXPECT_NULL_ARG("db", rapport_tag_remove(NULL, id, "t", &err));
  EXPECT_NULL_ARG("tag", rapport_tag_remove(db, id, NULL, &err));
  EXPECT_NULL_ARG("db", rapport_external_id_add(NULL, id, "s", "k", &err));
  EXPECT_NULL_ARG("system", rapport_external_id_add(db, id, NULL, "k", &err));
  EXPECT_NULL_ARG("key", rapport_external_id_add(db, id, "s", NULL, &err));
  EXPECT_NULL_ARG("db", rapport_external_id_remove(NULL, "s", "k", &err));
  EXPECT_NULL_ARG("system", rapport_external_id_remove(db, NULL, "k", &err));
  EXPECT_NULL_ARG("key", rapport_external_id_remove(db, "s", NULL, &err));
  EXPECT_NULL_ARG("db", rapport_contact_link(NULL, 1, 2, "r", &err));
  EXPECT_NULL_ARG("db", rapport_contact_unlink(NULL, 1, 2, &err));
  EXPECT_NULL_ARG("db", rapport_contact_list_json(NULL, 1, &json, &err));
  EXPECT_NULL_ARG("out_json", rapport_contact_list_json(db, 1, NULL, &err));
  EXPECT_NULL_ARG("db", rapport_organization_list_json(NULL, 1, &json, &err));
  EXPECT_NULL_ARG("out_json", rapport_organization_list_json(db, 1, NULL, &err));

  /* Custom fields. */
  EXPECT_NULL_ARG("db", rapport_custom_field_define_json(NULL, "{}", &err));
  EXPECT_NULL_ARG("json", rapport_custom_field_define_json(db, NULL, &err));
  EXPECT_NULL_ARG("db", rapport_custom_field_list_json(NULL, &json, &err));
  EXPECT_NULL_ARG("out_json", rapport_custom_field_list_json(db, NULL, &err));
  EXPECT_NULL_ARG("db", rapport_custom_field_drop(NULL, "x", &err));
  EXPECT_NULL_ARG("name", rapport_custom_field_drop(db, NULL, &err));

  /* Orders, activities, timeline. */
  EXPECT_NULL_ARG("db", rapport_order_add(NULL, &od, &i64, &err));
  EXPECT_NULL_ARG("draft", rapport_order_add(db, NULL, &i64, &err));
  EXPECT_NULL_ARG("db", rapport_order_add_json(NULL, "{}", &i64, &err));
  EXPECT_NULL_ARG("json", rapport_order_add_json(db, NULL, &i64, &err));
  EXPECT_NULL_ARG("db", rapport_order_get_json(NULL, 1, &json, &err));
  EXPECT_NULL_ARG("out_json", rapport_order_get_json(db, 1, NULL, &err));
  EXPECT_NULL_ARG("db", rapport_activity_add(NULL, &ad, &i64, &err));
  EXPECT_NULL_ARG("draft", rapport_activity_add(db, NULL, &i64, &err));
  EXPECT_NULL_ARG("db", rapport_timeline_get(NULL, id, NULL, &t, &err));
  EXPECT_NULL_ARG("out", rapport_timeline_get(db, id, NULL, NULL, &err));
  CHECK(json == NULL && t == NULL);

  /* Import. */
  EXPECT_NULL_ARG("db", rapport_import_csv(NULL, "Name\nx\n", &io, &r, &err));
  EXPECT_NULL_ARG("csv_text", rapport_import_csv(db, NULL, &io, &r, &err));
  EXPECT_NULL_ARG("opts", rapport_import_csv(db, "Name\nx\n", NULL, &r, &err));
  EXPECT_NULL_ARG("out", rapport_import_csv(db, "Name\nx\n", &io, NULL, &err));
  EXPECT_NULL_ARG("db", rapport_import_csv_file(NULL, "x.csv", &io, &r, &err));
  EXPECT_NULL_ARG("path", rapport_import_csv_file(db, NULL, &io, &r, &err));
  EXPECT_NULL_ARG("opts", rapport_import_csv_file(db, "x.csv", NULL, &r, &err));
  EXPECT_NULL_ARG("out", rapport_import_csv_file(db, "x.csv", &io, NULL, &err));
  CHECK(r == NULL);

  /* Change feed, consumers. */
  EXPECT_NULL_ARG("db", rapport_changes_list(NULL, 0, 10, NULL, &changes, &err));
  EXPECT_NULL_ARG("out", rapport_changes_list(db, 0, 10, NULL, NULL, &err));
  EXPECT_NULL_ARG("db", rapport_changes_last_seq(NULL, &i64, &err));
  EXPECT_NULL_ARG("out", rapport_changes_last_seq(db, NULL, &err));
  EXPECT_NULL_ARG("db", rapport_consumer_create(NULL, "c", 0, &err));
  EXPECT_NULL_ARG("name", rapport_consumer_create(db, NULL, 0, &err));
  EXPECT_NULL_ARG("db", rapport_consumer_cursor(NULL, "c", &i64, &err));
  EXPECT_NULL_ARG("name", rapport_consumer_cursor(db, NULL, &i64, &err));
  EXPECT_NULL_ARG("out", rapport_consumer_cursor(db, "c", NULL, &err));
  EXPECT_NULL_ARG("db", rapport_consumer_ack(NULL, "c", 1, &err));
  EXPECT_NULL_ARG("name", rapport_consumer_ack(db, NULL, 1, &err));
  EXPECT_NULL_ARG("db", rapport_consumer_drop(NULL, "c", &err));
  EXPECT_NULL_ARG("name", rapport_consumer_drop(db, NULL, &err));
  CHECK(changes == NULL);

  /* `err` is optional: the code alone. */
  CHECK(rapport_customer_get(NULL, 1, 0, &c, NULL) == RAPPORT_INVALID_ARGUMENT);
  CHECK(rapport_customer_get(db, 999999, 0, &c, NULL) == RAPPORT_NOT_FOUND);
  CHECK(rapport_db_open(NULL, NULL, NULL, NULL) == RAPPORT_INVALID_ARGUMENT);

  /* Nothing above was written. */
  CHECK(customer_count(db) == 1);
  rapport_db_close(db);
}

static void test_accessors_and_frees(void) {
  /* Accessors on NULL handles return 0 / NULL. */
  CHECK(rapport_customer_id(NULL) == 0);
  CHECK(rapport_customer_kind(NULL) == RAPPORT_KIND_PERSON);
  CHECK(rapport_customer_name(NULL) == NULL && rapport_customer_industry(NULL) == NULL);
  CHECK(rapport_customer_region(NULL) == NULL && rapport_customer_size(NULL) == NULL);
  CHECK(rapport_customer_source(NULL) == NULL && rapport_customer_lifecycle_stage(NULL) == NULL);
  CHECK(rapport_customer_has_owner(NULL) == 0 && rapport_customer_owner(NULL) == 0);
  CHECK(rapport_customer_birthday(NULL) == NULL);
  CHECK(rapport_customer_created_at(NULL) == 0 && rapport_customer_updated_at(NULL) == 0);
  CHECK(rapport_customer_is_deleted(NULL) == 0 && rapport_customer_deleted_at(NULL) == 0);
  CHECK(rapport_customer_version(NULL) == 0);
  CHECK(rapport_customer_contact_point_count(NULL) == 0 && rapport_customer_contact_point_id(NULL, 0) == 0);
  CHECK(rapport_customer_contact_point_kind(NULL, 0) == RAPPORT_CONTACT_EMAIL);
  CHECK(rapport_customer_contact_point_value(NULL, 0) == NULL && rapport_customer_contact_point_raw(NULL, 0) == NULL);
  CHECK(rapport_customer_contact_point_label(NULL, 0) == NULL);
  CHECK(rapport_customer_contact_point_primary(NULL, 0) == 0 && rapport_customer_contact_point_opted_out(NULL, 0) == 0);
  CHECK(rapport_customer_contact_point_invalid(NULL, 0) == 0);
  CHECK(rapport_customer_tag_count(NULL) == 0 && rapport_customer_tag(NULL, 0) == NULL);
  CHECK(rapport_customer_external_id_count(NULL) == 0);
  CHECK(rapport_customer_external_id_system(NULL, 0) == NULL && rapport_customer_external_id_key(NULL, 0) == NULL);
  CHECK(rapport_customer_field_json(NULL, "name") == NULL && rapport_customer_to_json(NULL) == NULL);
  CHECK(rapport_customer_list_count(NULL) == 0 && rapport_customer_list_at(NULL, 0) == NULL);
  CHECK(rapport_customer_list_next_after(NULL) == 0);
  CHECK(rapport_timeline_count(NULL) == 0 && rapport_timeline_item_at(NULL, 0) == 0);
  CHECK(rapport_timeline_item_id(NULL, 0) == 0 && rapport_timeline_item_json(NULL, 0) == NULL);
  CHECK(rapport_timeline_item_kind_at(NULL, 0) == RAPPORT_TIMELINE_ORDER && rapport_timeline_to_json(NULL) == NULL);
  CHECK(rapport_import_report_rows(NULL) == 0 && rapport_import_report_created(NULL) == 0);
  CHECK(rapport_import_report_updated(NULL) == 0 && rapport_import_report_failed(NULL) == 0);
  CHECK(rapport_import_report_committed(NULL) == 0 && rapport_import_report_error_count(NULL) == 0);
  CHECK(rapport_import_report_error_row(NULL, 0) == 0 && rapport_import_report_error_field(NULL, 0) == NULL);
  CHECK(rapport_import_report_error_reason(NULL, 0) == NULL);
  CHECK(rapport_change_list_count(NULL) == 0 && rapport_change_list_seq(NULL, 0) == 0);
  CHECK(rapport_change_list_at(NULL, 0) == 0 && rapport_change_list_has_actor(NULL, 0) == 0);
  CHECK(rapport_change_list_actor(NULL, 0) == 0 && rapport_change_list_origin(NULL, 0) == NULL);
  CHECK(rapport_change_list_entity(NULL, 0) == NULL && rapport_change_list_entity_id(NULL, 0) == 0);
  CHECK(rapport_change_list_op(NULL, 0) == NULL && rapport_change_list_fields_json(NULL, 0) == NULL);
  CHECK(rapport_change_list_before(NULL, 0) == NULL && rapport_change_list_after(NULL, 0) == NULL);

  /* Init functions ignore NULL; every free/close accepts NULL. */
  rapport_open_options_init(NULL);
  rapport_customer_query_init(NULL);
  rapport_contact_point_draft_init(NULL);
  rapport_contact_point_patch_init(NULL);
  rapport_order_draft_init(NULL);
  rapport_activity_draft_init(NULL);
  rapport_timeline_query_init(NULL);
  rapport_import_options_init(NULL);
  rapport_db_close(NULL);
  rapport_customer_free(NULL);
  rapport_customer_list_free(NULL);
  rapport_timeline_free(NULL);
  rapport_import_report_free(NULL);
  rapport_change_list_free(NULL);
  rapport_error_free(NULL);
  rapport_string_free(NULL);
  CHECK(1);
}

void test_null(void) {
  test_fallible();
  test_accessors_and_frees();
}
