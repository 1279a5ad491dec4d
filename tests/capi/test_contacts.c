/* Contact points, tags and organisation contacts. */
#include "test_util.h"

#define T0 INT64_C(1700000000000000)

static rapport_customer *get(rapport_db *db, int64_t id) {
  rapport_customer *c = NULL;
  EXPECT_OK(rapport_customer_get(db, id, 0, &c, &err));
  return c;
}

static void test_contact_points(void) {
  rapport_db *db = open_memory(T0);
  rapport_contact_point_draft d;
  rapport_contact_point_patch p;
  rapport_customer *c;
  int64_t id = create_customer(db, "{\"name\":\"Zhang Wei\"}");
  int64_t phone = 0, email = 0;

  rapport_contact_point_draft_init(&d);
  CHECK(d.struct_size == sizeof d && d.kind == RAPPORT_CONTACT_EMAIL);
  d.kind = RAPPORT_CONTACT_PHONE;
  d.value = "138-0013-8000";
  d.label = "mobile";
  d.primary = 1;
  EXPECT_OK(rapport_contact_point_add(db, id, &d, &phone, &err));
  CHECK(phone > 0);
  rapport_contact_point_draft_init(&d);
  d.value = "zhang.wei@Example.COM";
  EXPECT_OK(rapport_contact_point_add(db, id, &d, &email, &err));
  CHECK(email > 0 && email != phone);
  rapport_contact_point_draft_init(&d);
  d.value = "not an email";
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_contact_point_add(db, id, &d, NULL, &err));
  d.kind = 9;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "kind", rapport_contact_point_add(db, id, &d, NULL, &err));
  rapport_contact_point_draft_init(&d);
  d.value = "x@example.com";
  EXPECT_CODE(RAPPORT_NOT_FOUND, rapport_contact_point_add(db, 999999, &d, NULL, &err));

  c = get(db, id);
  CHECK(rapport_customer_contact_point_count(c) == 2);
  {
    size_t i;
    for (i = 0; i < rapport_customer_contact_point_count(c); ++i) {
      if (rapport_customer_contact_point_id(c, i) == phone) {
        CHECK(rapport_customer_contact_point_kind(c, i) == RAPPORT_CONTACT_PHONE);
        CHECK(strcmp(rapport_customer_contact_point_value(c, i), "+8613800138000") == 0);
        CHECK(strcmp(rapport_customer_contact_point_raw(c, i), "138-0013-8000") == 0);
        CHECK(rapport_customer_contact_point_primary(c, i) == 1);
      } else {
        CHECK(contains(rapport_customer_contact_point_value(c, i), "@example.com"));
      }
    }
  }
  rapport_customer_free(c);

  rapport_contact_point_patch_init(&p);
  CHECK(p.primary == -1 && p.opted_out == -1 && p.invalid == -1 && p.label == NULL);
  p.opted_out = 1;
  p.label = "old mobile";
  EXPECT_OK(rapport_contact_point_update(db, phone, &p, &err));
  c = get(db, id);
  {
    size_t i;
    for (i = 0; i < rapport_customer_contact_point_count(c); ++i) {
      if (rapport_customer_contact_point_id(c, i) == phone) {
        CHECK(rapport_customer_contact_point_opted_out(c, i) == 1);
        CHECK(rapport_customer_contact_point_primary(c, i) == 1); /* kept */
        CHECK(strcmp(rapport_customer_contact_point_label(c, i), "old mobile") == 0);
      }
    }
  }
  rapport_customer_free(c);
  EXPECT_CODE(RAPPORT_NOT_FOUND, rapport_contact_point_update(db, 999999, &p, &err));

  EXPECT_OK(rapport_contact_point_remove(db, phone, &err));
  EXPECT_CODE(RAPPORT_NOT_FOUND, rapport_contact_point_remove(db, phone, &err));
  c = get(db, id);
  CHECK(rapport_customer_contact_point_count(c) == 1 && rapport_customer_contact_point_id(c, 0) == email);
  rapport_customer_free(c);
  rapport_db_close(db);
}

static void test_tags(void) {
  rapport_db *db = open_memory(T0);
  rapport_customer *c;
  int64_t id = create_customer(db, "{\"name\":\"Tagged\"}");
  EXPECT_OK(rapport_tag_add(db, id, "vip", &err));
  EXPECT_OK(rapport_tag_add(db, id, "批发", &err));
  c = get(db, id);
  CHECK(rapport_customer_tag_count(c) == 2);
  rapport_customer_free(c);
  EXPECT_OK(rapport_tag_remove(db, id, "vip", &err));
  c = get(db, id);
  CHECK(rapport_customer_tag_count(c) == 1 && strcmp(rapport_customer_tag(c, 0), "批发") == 0);
  rapport_customer_free(c);
  EXPECT_CODE(RAPPORT_NOT_FOUND, rapport_tag_add(db, 999999, "vip", &err));
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_tag_add(db, id, "", &err));
  rapport_db_close(db);
}

static void test_links(void) {
  rapport_db *db = open_memory(T0);
  char *json = NULL;
  int64_t org = create_customer(db, "{\"name\":\"Acme\",\"kind\":\"organization\"}");
  int64_t person = create_customer(db, "{\"name\":\"Wang Fang\"}");

  EXPECT_OK(rapport_contact_link(db, org, person, "purchaser", &err));
  EXPECT_OK(rapport_contact_list_json(db, org, &json, &err));
  CHECK(contains(json, "purchaser"));
  rapport_string_free(json);
  json = NULL;
  EXPECT_OK(rapport_organization_list_json(db, person, &json, &err));
  CHECK(contains(json, "purchaser") && contains(json, "\"organization\""));
  rapport_string_free(json);
  json = NULL;
  /* A person cannot have contacts. */
  EXPECT_FAIL(rapport_contact_link(db, person, org, "boss", &err));
  EXPECT_OK(rapport_contact_unlink(db, org, person, &err));
  EXPECT_OK(rapport_contact_list_json(db, org, &json, &err));
  CHECK(json != NULL && strcmp(json, "[]") == 0);
  rapport_string_free(json);
  rapport_db_close(db);
}

void test_contacts(void) {
  test_contact_points();
  test_tags();
  test_links();
}
