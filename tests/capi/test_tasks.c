/* Tasks through the C ABI: create / get / update / complete / cancel, lists, reminders claimed once,
 * errors with their codes and exact messages, NULL arguments, and failed calls that write nothing. */
#include <stdlib.h>

#include "test_util.h"

static const int64_t kHour = 3600000000LL;
static const int64_t kDay = 86400000000LL;
/* 2025-03-10T00:00:00Z, a Monday */
static const int64_t kMar10 = 1741564800000000LL;

static int64_t add_task(rapport_db *db, const char *title, int64_t owner, const char *team, int64_t due,
                        int64_t remind_at) {
  rapport_task_draft d;
  rapport_task *t = NULL;
  int64_t id = 0;
  rapport_task_draft_init(&d);
  d.title = title;
  d.owner = owner;
  d.team = team;
  d.due = due;
  d.remind_at = remind_at;
  EXPECT_OK(rapport_db_task_create(db, &d, &t, &err));
  id = rapport_task_id(t);
  rapport_task_free(t);
  return id;
}

/* The titles of a list joined by ",". */
static void titles(const rapport_task_list *l, char *buf, size_t size) {
  size_t i;
  buf[0] = '\0';
  for (i = 0; i < rapport_task_list_count(l); ++i) {
    if (i > 0) strncat(buf, ",", size - strlen(buf) - 1);
    strncat(buf, rapport_task_title(rapport_task_list_at(l, i)), size - strlen(buf) - 1);
  }
}

static void test_create_get_update(void) {
  rapport_db *db = open_memory(kMar10);
  int64_t ann = create_customer(db, "{\"name\":\"Ann\"}");
  rapport_task_draft d;
  rapport_task_patch p;
  rapport_task *t = NULL, *got = NULL, *u = NULL;
  int64_t seq;

  rapport_task_draft_init(&d);
  CHECK(d.struct_size == sizeof d && d.priority == RAPPORT_TASK_PRIORITY_NORMAL && d.due == RAPPORT_NULL_TIME);
  d.title = "Call back about the quote";
  d.customer = ann;
  d.ref_kind = RAPPORT_TASK_REF_DEAL;
  d.ref_id = 77;
  d.owner = 5;
  d.team = "sales";
  d.due = kMar10 + 9 * kHour;
  d.remind_at = kMar10 + 8 * kHour;
  d.priority = RAPPORT_TASK_PRIORITY_HIGH;
  d.notes = "她想要折扣";
  EXPECT_OK(rapport_db_task_create(db, &d, &t, &err));
  EXPECT_OK(rapport_db_task_get(db, rapport_task_id(t), &got, &err));
  CHECK(rapport_task_id(got) > 0);
  CHECK(strcmp(rapport_task_title(got), "Call back about the quote") == 0);
  CHECK(rapport_task_customer(got) == ann);
  CHECK(rapport_task_ref_kind_of(got) == RAPPORT_TASK_REF_DEAL && rapport_task_ref_id(got) == 77);
  CHECK(rapport_task_owner(got) == 5);
  CHECK(strcmp(rapport_task_team(got), "sales") == 0);
  CHECK(rapport_task_due(got) == kMar10 + 9 * kHour);
  CHECK(rapport_task_remind_at(got) == kMar10 + 8 * kHour);
  CHECK(rapport_task_priority_of(got) == RAPPORT_TASK_PRIORITY_HIGH);
  CHECK(strcmp(rapport_task_notes(got), "她想要折扣") == 0);
  CHECK(strcmp(rapport_task_created_by_rule(got), "") == 0);
  CHECK(rapport_task_status_of(got) == RAPPORT_TASK_OPEN);
  CHECK(rapport_task_created_at(got) == kMar10);
  CHECK(rapport_task_completed_at(got) == RAPPORT_NULL_TIME);
  CHECK(rapport_task_reminded_at(got) == RAPPORT_NULL_TIME);
  CHECK(rapport_task_version(got) == 1);
  CHECK(strcmp(rapport_task_to_json(got), rapport_task_to_json(t)) == 0);
  CHECK(contains(rapport_task_to_json(got), "\"ref\":{\"id\":77,\"kind\":\"deal\"}"));
  CHECK(contains(rapport_task_to_json(got), "\"due\":\"2025-03-10T09:00:00Z\""));

  /* Patch: a new title, no owner any more, the due time a day later with the reminder following. */
  rapport_task_patch_init(&p);
  CHECK(p.expected_version == -1 && p.set == 0);
  p.set = RAPPORT_TASK_SET_TITLE | RAPPORT_TASK_SET_OWNER | RAPPORT_TASK_SET_DUE;
  p.title = "Call back";
  p.owner = 0;
  p.due = kMar10 + kDay + 9 * kHour;
  p.move_reminder_with_due = 1;
  p.expected_version = 1;
  EXPECT_OK(rapport_db_task_update(db, rapport_task_id(t), &p, &u, &err));
  CHECK(strcmp(rapport_task_title(u), "Call back") == 0);
  CHECK(rapport_task_owner(u) == 0);
  CHECK(rapport_task_remind_at(u) == kMar10 + kDay + 8 * kHour);
  CHECK(rapport_task_version(u) == 2);

  /* Errors, each leaving the change log as it was. */
  seq = last_seq(db);
  EXPECT_CODE_MSG(RAPPORT_ABORTED, "has version 2, not the expected 1",
                  rapport_db_task_update(db, rapport_task_id(t), &p, NULL, &err));
  d.title = " ";
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "title: must not be empty", rapport_db_task_create(db, &d, NULL, &err));
  d.title = "x";
  d.customer = 999;
  EXPECT_CODE_MSG(RAPPORT_NOT_FOUND, "customer: customer 999 not found", rapport_db_task_create(db, &d, NULL, &err));
  d.customer = 0;
  d.priority = (rapport_task_priority)9;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "priority: 9 is not a priority (low, normal, high or urgent)",
                  rapport_db_task_create(db, &d, NULL, &err));
  d.priority = RAPPORT_TASK_PRIORITY_LOW;
  d.ref_kind = (rapport_task_ref_kind)7;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "ref.kind: 7 is not a record kind (lead, deal or ticket)",
                  rapport_db_task_create(db, &d, NULL, &err));
  d.ref_kind = RAPPORT_TASK_REF_NONE;
  d.ref_id = 3;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "ref_id: given without a ref_kind", rapport_db_task_create(db, &d, NULL, &err));
  d.ref_id = 0;
  d.title = NULL;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "'draft->title' is NULL", rapport_db_task_create(db, &d, NULL, &err));
  d.title = "x";
  d.struct_size = 4;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "draft->struct_size is 4", rapport_db_task_create(db, &d, NULL, &err));
  EXPECT_CODE_MSG(RAPPORT_NOT_FOUND, "task 4242 not found", rapport_db_task_get(db, 4242, &got, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "'db' is NULL", rapport_db_task_create(NULL, &d, NULL, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "'patch' is NULL", rapport_db_task_update(db, 1, NULL, NULL, &err));
  p.set = 0x8000u;
  p.expected_version = -1;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "set: unknown bits 0x8000",
                  rapport_db_task_update(db, rapport_task_id(t), &p, NULL, &err));
  CHECK(last_seq(db) == seq);

  /* Complete, then every further transition is FAILED_PRECONDITION. */
  rapport_task_free(u);
  u = NULL;
  EXPECT_OK(rapport_db_task_complete(db, rapport_task_id(t), 2, &u, &err));
  CHECK(rapport_task_status_of(u) == RAPPORT_TASK_DONE && rapport_task_completed_at(u) == kMar10);
  EXPECT_CODE_MSG(RAPPORT_FAILED_PRECONDITION, "is done; only open tasks can be cancelled",
                  rapport_db_task_cancel(db, rapport_task_id(t), -1, NULL, &err));

  /* NULL handles are safe in accessors. */
  CHECK(rapport_task_id(NULL) == 0 && rapport_task_title(NULL) == NULL && rapport_task_due(NULL) == RAPPORT_NULL_TIME);
  CHECK(rapport_task_list_count(NULL) == 0 && rapport_task_list_at(NULL, 0) == NULL);
  rapport_task_free(NULL);
  rapport_task_list_free(NULL);

  rapport_task_free(t);
  rapport_task_free(got);
  rapport_task_free(u);
  rapport_db_close(db);
}

static void test_lists_and_reminders(void) {
  rapport_db *db = open_memory(kMar10 + 12 * kHour);
  rapport_task_list_options o;
  rapport_task_query q;
  rapport_task_list *l = NULL;
  char buf[256];
  int64_t seq;

  add_task(db, "last week", 1, "sales", kMar10 - 7 * kDay, RAPPORT_NULL_TIME);
  add_task(db, "this morning", 1, NULL, kMar10 + 8 * kHour, kMar10 + 7 * kHour);
  add_task(db, "this afternoon", 2, "sales", kMar10 + 15 * kHour, kMar10 + 11 * kHour);
  add_task(db, "tomorrow", 1, "sales", kMar10 + kDay + 9 * kHour, kMar10 + kDay);
  add_task(db, "someday", 1, NULL, RAPPORT_NULL_TIME, RAPPORT_NULL_TIME);

  rapport_task_list_options_init(&o);
  EXPECT_OK(rapport_db_task_list(db, &o, &l, &err));
  titles(l, buf, sizeof buf);
  CHECK(strcmp(buf, "this morning,this afternoon") == 0);
  CHECK(contains(rapport_task_list_to_json(l), "\"title\":\"this morning\""));
  rapport_task_list_free(l);

  o.kind = RAPPORT_TASK_LIST_OVERDUE;
  o.owner = 1;
  EXPECT_OK(rapport_db_task_list(db, &o, &l, &err));
  titles(l, buf, sizeof buf);
  CHECK(strcmp(buf, "last week,this morning") == 0);
  rapport_task_list_free(l);

  o.kind = RAPPORT_TASK_LIST_UPCOMING;
  o.owner = 0;
  o.team = "sales";
  o.days = 1;
  EXPECT_OK(rapport_db_task_list(db, &o, &l, &err));
  titles(l, buf, sizeof buf);
  CHECK(strcmp(buf, "this afternoon,tomorrow") == 0);
  rapport_task_list_free(l);

  /* In Shanghai (UTC+8) it is already 20:00; the due list of its day starts at 16:00 UTC of the day before. */
  o.kind = RAPPORT_TASK_LIST_DUE;
  o.team = NULL;
  o.time_zone = "Asia/Shanghai";
  EXPECT_OK(rapport_db_task_list(db, &o, &l, &err));
  titles(l, buf, sizeof buf);
  CHECK(strcmp(buf, "this morning,this afternoon") == 0);
  rapport_task_list_free(l);
  o.time_zone = "Mars/Olympus";
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "time_zone: unknown time zone \"Mars/Olympus\"",
                  rapport_db_task_list(db, &o, &l, &err));
  o.time_zone = NULL;
  o.kind = (rapport_task_list_kind)5;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "kind: 5 is not a list (due, overdue or upcoming)",
                  rapport_db_task_list(db, &o, &l, &err));

  /* Queries. */
  rapport_task_query_init(&q);
  q.owner = 1;
  EXPECT_OK(rapport_db_tasks(db, &q, &l, &err));
  titles(l, buf, sizeof buf);
  CHECK(strcmp(buf, "last week,this morning,tomorrow,someday") == 0);
  rapport_task_list_free(l);
  q.statuses = 1u << 5;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "statuses: unknown status bits 0x20", rapport_db_tasks(db, &q, &l, &err));

  /* Reminders: due ones claimed once, in remind_at order. */
  seq = last_seq(db);
  EXPECT_OK(rapport_db_task_claim_reminders(db, RAPPORT_AS_OF_NOW, &l, &err));
  titles(l, buf, sizeof buf);
  CHECK(strcmp(buf, "this morning,this afternoon") == 0);
  CHECK(rapport_task_reminded_at(rapport_task_list_at(l, 0)) == kMar10 + 12 * kHour);
  rapport_task_list_free(l);
  CHECK(last_seq(db) == seq + 2);
  EXPECT_OK(rapport_db_task_claim_reminders(db, RAPPORT_AS_OF_NOW, &l, &err));
  CHECK(rapport_task_list_count(l) == 0);
  rapport_task_list_free(l);
  EXPECT_OK(rapport_db_task_claim_reminders(db, kMar10 + 2 * kDay, &l, &err));
  titles(l, buf, sizeof buf);
  CHECK(strcmp(buf, "tomorrow") == 0);
  rapport_task_list_free(l);
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "'out' is NULL", rapport_db_task_claim_reminders(db, 0, NULL, &err));
  rapport_db_close(db);
}

void test_tasks(void) {
  test_create_get_update();
  test_lists_and_reminders();
}
