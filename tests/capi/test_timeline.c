/* Orders, activities and the timeline. */
#include "test_util.h"

#define T0 INT64_C(1700000000000000)
#define HOUR INT64_C(3600000000)

void test_timeline(void) {
  rapport_db *db = open_memory(T0);
  rapport_order_draft o;
  rapport_activity_draft a;
  rapport_timeline_query q;
  rapport_timeline *t = NULL;
  char *json = NULL;
  int64_t id = create_customer(db, "{\"name\":\"Buyer\"}");
  int64_t order1 = 0, order2 = 0, act = 0;

  rapport_order_draft_init(&o);
  CHECK(o.struct_size == sizeof o);
  o.customer_id = id;
  o.amount_minor = 12345;
  o.currency = "CNY";
  o.ordered_at = T0 + 1 * HOUR;
  o.external_ref = "SO-1";
  EXPECT_OK(rapport_order_add(db, &o, &order1, &err));
  CHECK(order1 > 0);
  EXPECT_OK(rapport_order_get_json(db, order1, &json, &err));
  CHECK(contains(json, "SO-1") && contains(json, "12345") && contains(json, "CNY") && contains(json, "completed"));
  rapport_string_free(json);
  json = NULL;
  /* A duplicate external_ref and a bad currency are refused. */
  EXPECT_CODE(RAPPORT_ALREADY_EXISTS, rapport_order_add(db, &o, NULL, &err));
  o.external_ref = NULL;
  o.currency = "XYZW";
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_order_add(db, &o, NULL, &err));
  o.currency = NULL;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "currency", rapport_order_add(db, &o, NULL, &err));

  rapport_activity_draft_init(&a);
  CHECK(a.kind == RAPPORT_ACTIVITY_NOTE);
  a.customer_id = id;
  a.kind = RAPPORT_ACTIVITY_CALL;
  a.at = T0 + 2 * HOUR;
  a.owner = 3;
  a.outcome = "interested";
  a.text = "Called about the spring catalogue";
  EXPECT_OK(rapport_activity_add(db, &a, &act, &err));
  CHECK(act > 0);
  a.kind = 42;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "kind", rapport_activity_add(db, &a, NULL, &err));
  a.kind = RAPPORT_ACTIVITY_NOTE;
  a.customer_id = 999999;
  EXPECT_CODE(RAPPORT_NOT_FOUND, rapport_activity_add(db, &a, NULL, &err));

  EXPECT_OK(rapport_order_add_json(
      db,
      "{\"customer\":1,\"amount\":{\"minor\":990,\"currency\":\"CNY\"},\"ordered_at\":1700010800000000,"
      "\"status\":\"pending\",\"external_ref\":\"SO-2\",\"items\":[{\"sku\":\"A1\",\"name\":\"苹果\",\"quantity\":2,"
      "\"unit_price_minor\":495}]}",
      &order2, &err));
  CHECK(order2 > 0);
  EXPECT_OK(rapport_order_get_json(db, order2, &json, &err));
  CHECK(contains(json, "苹果") && contains(json, "pending") && contains(json, "\"quantity\":2"));
  rapport_string_free(json);
  json = NULL;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "amount",
                  rapport_order_add_json(db, "{\"customer\":1,\"ordered_at\":0}", NULL, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "bogus",
                  rapport_order_add_json(db, "{\"customer\":1,\"amount_minor\":1,\"currency\":\"CNY\",\"bogus\":1}",
                                         NULL, &err));
  EXPECT_CODE(RAPPORT_NOT_FOUND, rapport_order_get_json(db, 999999, &json, &err));

  /* Newest first: order2 (T0+3h), activity (T0+2h), order1 (T0+1h). */
  EXPECT_OK(rapport_timeline_get(db, id, NULL, &t, &err));
  CHECK(rapport_timeline_count(t) == 3);
  if (rapport_timeline_count(t) == 3) {
    CHECK(rapport_timeline_item_kind_at(t, 0) == RAPPORT_TIMELINE_ORDER && rapport_timeline_item_id(t, 0) == order2);
    CHECK(rapport_timeline_item_at(t, 0) == T0 + 3 * HOUR);
    CHECK(rapport_timeline_item_kind_at(t, 1) == RAPPORT_TIMELINE_ACTIVITY && rapport_timeline_item_id(t, 1) == act);
    CHECK(contains(rapport_timeline_item_json(t, 1), "spring catalogue"));
    CHECK(contains(rapport_timeline_item_json(t, 1), "\"call\""));
    CHECK(rapport_timeline_item_id(t, 2) == order1);
    CHECK(contains(rapport_timeline_to_json(t), "\"activity\""));
    CHECK(rapport_timeline_item_json(t, 3) == NULL);
  }
  rapport_timeline_free(t);
  t = NULL;

  rapport_timeline_query_init(&q);
  CHECK(q.limit == 20 && q.has_before == 0);
  q.limit = 1;
  q.has_before = 1;
  q.before = T0 + 3 * HOUR;
  EXPECT_OK(rapport_timeline_get(db, id, &q, &t, &err));
  CHECK(rapport_timeline_count(t) == 1 && rapport_timeline_item_id(t, 0) == act);
  rapport_timeline_free(t);
  t = NULL;
  EXPECT_CODE(RAPPORT_NOT_FOUND, rapport_timeline_get(db, 999999, NULL, &t, &err));
  rapport_db_close(db);
}
