/* Automation rules through the C ABI: save / get / list / drop as JSON, bad definitions rejected with
 * exact messages and nothing stored, ticks with their JSON report, outcomes, runs, the tenant's time
 * zone, the outbox drain protocol, NULL arguments and out-of-range enum values. */
#include <stdlib.h>

#include "test_util.h"

/* 2025-01-01T00:00:00Z */
static const int64_t kJan1 = 1735689600000000LL;
static const int64_t kHour = 3600000000LL;

static const char *kWelcome =
    "{\"name\": \"welcome\", \"trigger\": {\"type\": \"event\", \"event\": \"customer_created\"},"
    " \"actions\": [{\"type\": \"notify\", \"channel\": \"email\", \"body\": \"Hello {{name}}\"}]}";

static void test_rule_definitions(void) {
  rapport_db *db = open_memory(kJan1);
  char *json = NULL;
  rapport_error *err = NULL;
  int64_t seq;

  EXPECT_OK(rapport_db_rule_save(db, kWelcome, &json, &err));
  CHECK(contains(json, "\"name\":\"welcome\""));
  CHECK(contains(json, "\"id\":"));
  rapport_string_free(json);
  json = NULL;
  EXPECT_OK(rapport_db_rule_get(db, "welcome", &json, &err));
  CHECK(contains(json, "\"event\":\"customer_created\""));
  rapport_string_free(json);
  json = NULL;
  EXPECT_OK(rapport_db_rule_list(db, &json, &err));
  CHECK(json != NULL && json[0] == '[' && contains(json, "welcome"));
  rapport_string_free(json);

  /* Bad definitions: exact messages, nothing stored. */
  seq = last_seq(db);
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "trigger.day: 0 is not a day of the month (1 to 31)",
                  rapport_db_rule_save(db,
                                       "{\"name\": \"m\", \"trigger\": {\"type\": \"schedule\", \"every\": \"monthly\", \"day\": 0},"
                                       " \"actions\": [{\"type\": \"add_tag\", \"tag\": \"x\"}]}",
                                       NULL, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "trigger.at: \"25:00\" is not a time of day (HH:MM, 00:00 to 23:59)",
                  rapport_db_rule_save(db,
                                       "{\"name\": \"m\", \"trigger\": {\"type\": \"schedule\", \"every\": \"daily\", \"at\": \"25:00\"},"
                                       " \"actions\": [{\"type\": \"add_tag\", \"tag\": \"x\"}]}",
                                       NULL, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "actions[0].type: unknown action \"explode\"",
                  rapport_db_rule_save(db,
                                       "{\"name\": \"m\", \"trigger\": {\"type\": \"event\", \"event\": \"customer_created\"},"
                                       " \"actions\": [{\"type\": \"explode\"}]}",
                                       NULL, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "condition: ",
                  rapport_db_rule_save(db,
                                       "{\"name\": \"m\", \"trigger\": {\"type\": \"event\", \"event\": \"customer_created\"},"
                                       " \"condition\": \"shoe_size > 3\", \"actions\": [{\"type\": \"add_tag\", \"tag\": \"x\"}]}",
                                       NULL, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "rule: not valid JSON", rapport_db_rule_save(db, "{", NULL, &err));
  CHECK(last_seq(db) == seq);
  json = NULL;
  EXPECT_OK(rapport_db_rule_list(db, &json, &err));
  CHECK(json != NULL && !contains(json, "\"m\""));
  rapport_string_free(json);

  EXPECT_OK(rapport_db_rule_enable(db, "welcome", 0, &err));
  json = NULL;
  EXPECT_OK(rapport_db_rule_get(db, "welcome", &json, &err));
  CHECK(contains(json, "\"enabled\":false"));
  rapport_string_free(json);
  EXPECT_OK(rapport_db_rule_drop(db, "welcome", &err));
  EXPECT_CODE_MSG(RAPPORT_NOT_FOUND, "rule \"welcome\": not found", rapport_db_rule_drop(db, "welcome", &err));
  json = NULL;
  EXPECT_CODE(RAPPORT_NOT_FOUND, rapport_db_rule_get(db, "welcome", &json, &err));
  CHECK(json == NULL);

  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_db_rule_save(NULL, kWelcome, NULL, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "'rule_json'", rapport_db_rule_save(db, NULL, NULL, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "'out_json'", rapport_db_rule_list(db, NULL, &err));
  rapport_db_close(db);
}

static void test_tick_and_outbox(void) {
  rapport_db *db = open_memory(kJan1);
  char *json = NULL, *zone = NULL;
  rapport_error *err = NULL;
  rapport_rule_outcome_query q;
  int64_t ids[2];

  EXPECT_OK(rapport_db_time_zone_get(db, &zone, &err));
  CHECK(zone != NULL && strcmp(zone, "UTC") == 0);
  rapport_string_free(zone);
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "time_zone: unknown time zone \"Mars/Base\"",
                  rapport_db_time_zone_set(db, "Mars/Base", &err));
  EXPECT_OK(rapport_db_time_zone_set(db, "Asia/Shanghai", &err));

  EXPECT_OK(rapport_db_rule_save(db, kWelcome, NULL, &err));
  create_customer(db, "{\"name\":\"Ann\"}");
  create_customer(db, "{\"name\":\"Bob\"}");
  EXPECT_OK(rapport_db_tick(db, kJan1 + kHour, &json, &err));
  CHECK(contains(json, "\"fired\":2"));
  CHECK(contains(json, "\"notifications\":2"));
  CHECK(contains(json, "\"rule\":\"welcome\""));
  rapport_string_free(json);
  json = NULL;
  /* The same now again: nothing twice. */
  EXPECT_OK(rapport_db_tick(db, kJan1 + kHour, &json, &err));
  CHECK(contains(json, "\"fired\":0"));
  rapport_string_free(json);
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "time does not go backwards", rapport_db_tick(db, kJan1, NULL, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "now: must be a time", rapport_db_tick(db, RAPPORT_NULL_TIME, NULL, &err));

  rapport_rule_outcome_query_init(&q);
  q.rule = "welcome";
  q.status = RAPPORT_RULE_OUTCOME_FIRED;
  json = NULL;
  EXPECT_OK(rapport_db_rule_outcomes(db, &q, &json, &err));
  CHECK(contains(json, "\"status\":\"fired\""));
  CHECK(contains(json, "customer_created (change "));
  rapport_string_free(json);
  q.status = 7;
  json = NULL;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "query->status: 7 is not a rapport_rule_outcome_status",
                  rapport_db_rule_outcomes(db, &q, &json, &err));
  CHECK(json == NULL);
  EXPECT_OK(rapport_db_rule_runs(db, 10, &json, &err));
  CHECK(contains(json, "\"fired\":2"));
  rapport_string_free(json);

  /* Drain: claim, ack, fail. */
  json = NULL;
  EXPECT_OK(rapport_db_outbox_list(db, RAPPORT_OUTBOX_PENDING, 0, 100, &json, &err));
  CHECK(contains(json, "\"body\":\"Hello Ann\""));
  rapport_string_free(json);
  json = NULL;
  EXPECT_OK(rapport_db_outbox_claim(db, 1, &json, &err));
  CHECK(contains(json, "\"status\":\"claimed\"") && contains(json, "Hello Ann"));
  rapport_string_free(json);
  json = NULL;
  EXPECT_OK(rapport_db_outbox_claim(db, 10, &json, &err));
  CHECK(contains(json, "Hello Bob") && !contains(json, "Hello Ann"));
  rapport_string_free(json);
  ids[0] = 1;
  ids[1] = 2;
  EXPECT_OK(rapport_db_outbox_ack(db, ids, 1, &err));
  EXPECT_CODE_MSG(RAPPORT_FAILED_PRECONDITION, "outbox message 1: is delivered, not claimed",
                  rapport_db_outbox_ack(db, ids, 1, &err));
  EXPECT_OK(rapport_db_outbox_fail(db, 2, "smtp down", 1, &err));
  json = NULL;
  EXPECT_OK(rapport_db_outbox_list(db, RAPPORT_OUTBOX_ANY, 0, 100, &json, &err));
  CHECK(contains(json, "\"status\":\"delivered\"") && contains(json, "\"error\":\"smtp down\""));
  rapport_string_free(json);
  json = NULL;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "status: 9 is not a rapport_outbox_status",
                  rapport_db_outbox_list(db, 9, 0, 100, &json, &err));
  EXPECT_CODE_MSG(RAPPORT_NOT_FOUND, "outbox message 99: not found", rapport_db_outbox_fail(db, 99, "x", 0, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "'ids'", rapport_db_outbox_ack(db, NULL, 2, &err));
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_db_tick(NULL, kJan1, NULL, &err));
  rapport_db_close(db);
}

/* Rules that create tasks with reminders, and a business-hours trigger on a stored calendar. */
static void test_tasks_reminders_and_business_hours(void) {
  /* 2025-01-01 is a Wednesday: 8 working hours of a Monday-to-Friday 09:00-17:00 UTC office end at 17:00. */
  rapport_db *db = open_memory(kJan1);
  rapport_calendar *office = NULL;
  rapport_task_list *tasks = NULL;
  const rapport_task *task;
  char *json = NULL;
  rapport_error *err = NULL;
  int64_t ann;

  EXPECT_OK(rapport_calendar_from_json(
      "{\"time_zone\": \"UTC\", \"hours\": {\"mon\": [[\"09:00\", \"17:00\"]], \"tue\": [[\"09:00\", \"17:00\"]],"
      " \"wed\": [[\"09:00\", \"17:00\"]], \"thu\": [[\"09:00\", \"17:00\"]], \"fri\": [[\"09:00\", \"17:00\"]]}}",
      &office, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "trigger.calendar: no business calendar named \"office\"",
                  rapport_db_rule_save(db,
                                       "{\"name\": \"sla\", \"trigger\": {\"type\": \"relative\", \"field\": \"created_at\","
                                       " \"business_hours\": 8, \"calendar\": \"office\"},"
                                       " \"actions\": [{\"type\": \"add_tag\", \"tag\": \"late\"}]}",
                                       NULL, &err));
  EXPECT_OK(rapport_db_calendar_save(db, "office", office, &err));
  rapport_calendar_free(office);
  EXPECT_OK(rapport_db_rule_save(db,
                                 "{\"name\": \"sla\", \"trigger\": {\"type\": \"relative\", \"field\": \"created_at\","
                                 " \"business_hours\": 8, \"calendar\": \"office\"},"
                                 " \"actions\": [{\"type\": \"add_tag\", \"tag\": \"late\"}]}",
                                 NULL, &err));
  EXPECT_OK(rapport_db_rule_save(db,
                                 "{\"name\": \"call\", \"trigger\": {\"type\": \"event\", \"event\": \"customer_created\"},"
                                 " \"actions\": [{\"type\": \"create_task\", \"title\": \"Call {{name}}\","
                                 " \"due_in_hours\": 24, \"remind_in_hours\": 2, \"priority\": \"urgent\"}]}",
                                 NULL, &err));
  EXPECT_CODE_MSG(RAPPORT_FAILED_PRECONDITION, "name: calendar \"office\" is used by rule \"sla\"",
                  rapport_db_calendar_drop(db, "office", &err));
  ann = create_customer(db, "{\"name\":\"Ann\",\"owner\":3}");

  EXPECT_OK(rapport_db_tick(db, kJan1 + kHour, &json, &err));
  CHECK(contains(json, "\"tasks_created\":1"));
  CHECK(contains(json, "\"reminders\":0"));
  rapport_string_free(json);
  EXPECT_OK(rapport_db_tasks(db, NULL, &tasks, &err));
  CHECK(rapport_task_list_count(tasks) == 1);
  task = rapport_task_list_at(tasks, 0);
  CHECK(strcmp(rapport_task_title(task), "Call Ann") == 0);
  CHECK(rapport_task_customer(task) == ann);
  CHECK(rapport_task_owner(task) == 3);
  CHECK(rapport_task_due(task) == kJan1 + 25 * kHour);
  CHECK(rapport_task_remind_at(task) == kJan1 + 3 * kHour);
  CHECK(rapport_task_priority_of(task) == RAPPORT_TASK_PRIORITY_URGENT);
  CHECK(strcmp(rapport_task_created_by_rule(task), "call") == 0);
  rapport_task_list_free(tasks);

  json = NULL;
  EXPECT_OK(rapport_db_tick(db, kJan1 + 3 * kHour, &json, &err));
  CHECK(contains(json, "\"reminders\":1"));
  rapport_string_free(json);
  json = NULL;
  EXPECT_OK(rapport_db_outbox_list(db, RAPPORT_OUTBOX_PENDING, 0, 100, &json, &err));
  CHECK(contains(json, "\"channel\":\"reminder\"") && contains(json, "\"recipient\":\"user:3\""));
  CHECK(contains(json, "\"subject\":\"Reminder: Call Ann\"") && contains(json, "\"source\":\"reminder\""));
  rapport_string_free(json);

  /* Due at 17:00: not at 16:00, once at 17:00. */
  json = NULL;
  EXPECT_OK(rapport_db_tick(db, kJan1 + 16 * kHour, &json, &err));
  CHECK(contains(json, "\"fired\":0"));
  rapport_string_free(json);
  json = NULL;
  EXPECT_OK(rapport_db_tick(db, kJan1 + 17 * kHour, &json, &err));
  CHECK(contains(json, "\"fired\":1"));
  CHECK(contains(json, "created_at + 8 business hours (office), due 2025-01-01T17:00:00Z"));
  rapport_string_free(json);
  json = NULL;
  EXPECT_OK(rapport_db_rule_runs(db, 10, &json, &err));
  CHECK(contains(json, "\"reminders\":1"));
  rapport_string_free(json);
  rapport_db_close(db);
}

void test_rules(void) {
  test_rule_definitions();
  test_tick_and_outbox();
  test_tasks_reminders_and_business_hours();
}
