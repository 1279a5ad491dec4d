/* Business calendars through the C ABI: build from JSON, arithmetic over DST and a holiday week,
 * errors, and named calendars in a database (nothing stored by a failed call). */
#include <stdlib.h>

#include "test_util.h"

/* 2026-03-06T21:00:00Z, Friday 16:00 in New York (EST). */
#define FRI_1600_EST INT64_C(1772830800000000)
#define HOUR INT64_C(3600000000)

static const char *kNewYork =
    "{\"time_zone\":\"America/New_York\",\"hours\":{\"mon\":[[\"09:00\",\"17:00\"]],"
    "\"tue\":[[\"09:00\",\"17:00\"]],\"wed\":[[\"09:00\",\"17:00\"]],\"thu\":[[\"09:00\",\"17:00\"]],"
    "\"fri\":[[\"09:00\",\"17:00\"]]},\"holidays\":[\"2026-03-10\"]}";

static void test_arithmetic(void) {
  rapport_calendar *cal = NULL;
  int64_t t = 0, d = 0;
  int working = -1;
  EXPECT_OK(rapport_calendar_from_json(kNewYork, &cal, &err));
  if (cal == NULL) return;
  /* Fri 16:00 EST + 2h: 1h Friday, then Monday 09:00-10:00 EDT (after the spring change) = 14:00Z. */
  EXPECT_OK(rapport_calendar_add(cal, FRI_1600_EST, 2 * HOUR, &t, &err));
  CHECK(t == INT64_C(1773064800000000)); /* 2026-03-09T14:00:00Z */
  /* Tuesday 10 March is a holiday: Mon 09:00 EDT + 9h ends Wednesday 10:00 EDT (14:00Z). */
  EXPECT_OK(rapport_calendar_add(cal, INT64_C(1773061200000000), 9 * HOUR, &t, &err));
  CHECK(t == INT64_C(1773237600000000));
  EXPECT_OK(rapport_calendar_between(cal, FRI_1600_EST, INT64_C(1773064800000000), &d, &err));
  CHECK(d == 2 * HOUR);
  EXPECT_OK(rapport_calendar_between(cal, INT64_C(1773064800000000), FRI_1600_EST, &d, &err));
  CHECK(d == -2 * HOUR);
  /* Saturday noon -> Monday 09:00 EDT (13:00Z). */
  EXPECT_OK(rapport_calendar_next_working(cal, INT64_C(1772884800000000), &t, &err));
  CHECK(t == INT64_C(1773061200000000));
  EXPECT_OK(rapport_calendar_is_working(cal, FRI_1600_EST, &working, &err));
  CHECK(working == 1);
  EXPECT_OK(rapport_calendar_is_working(cal, INT64_C(1772884800000000), &working, &err));
  CHECK(working == 0);
  CHECK(contains(rapport_calendar_to_json(cal), "\"holidays\":[\"2026-03-10\"]"));
  CHECK(contains(rapport_calendar_to_json(cal), "\"time_zone\":\"America/New_York\""));

  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "duration: must not be negative",
                  rapport_calendar_add(cal, FRI_1600_EST, -1, &t, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "duration: longer than 100 years",
                  rapport_calendar_add(cal, FRI_1600_EST, INT64_MAX, &t, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "start: outside the years 1 to 9999",
                  rapport_calendar_add(cal, INT64_MAX, HOUR, &t, &err));
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_calendar_add(NULL, FRI_1600_EST, HOUR, &t, &err));
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_calendar_add(cal, FRI_1600_EST, HOUR, NULL, &err));
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_calendar_between(NULL, 0, 0, &d, &err));
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_calendar_next_working(NULL, 0, &t, &err));
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_calendar_is_working(NULL, 0, &working, &err));
  CHECK(rapport_calendar_to_json(NULL) == NULL);
  rapport_calendar_free(cal);
  rapport_calendar_free(NULL);
}

static void test_definition_errors(void) {
  rapport_calendar *cal = NULL;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "time_zone: unknown time zone \"Mars/Base\"",
                  rapport_calendar_from_json("{\"time_zone\":\"Mars/Base\",\"hours\":{\"mon\":[[\"09:00\",\"17:00\"]]}}",
                                             &cal, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "hours: a calendar needs working time in at least one weekday",
                  rapport_calendar_from_json("{\"time_zone\":\"UTC\",\"hours\":{}}", &cal, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "hours.mon[1]: 09:00-13:30 overlaps hours.mon[0] (13:00-18:00)",
                  rapport_calendar_from_json("{\"time_zone\":\"UTC\",\"hours\":{\"mon\":[[\"13:00\",\"18:00\"],"
                                             "[\"09:00\",\"13:30\"]]}}",
                                             &cal, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "calendar: not valid JSON", rapport_calendar_from_json("{", &cal, &err));
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_calendar_from_json(NULL, &cal, &err));
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_calendar_from_json(kNewYork, NULL, &err));
  CHECK(cal == NULL);
}

static void test_stored(void) {
  rapport_db *db = open_memory(INT64_C(1767225600000000)); /* 2026-01-01 */
  rapport_calendar *cal = NULL, *got = NULL;
  char *list = NULL;
  int64_t seq;
  EXPECT_OK(rapport_calendar_from_json(kNewYork, &cal, &err));
  EXPECT_OK(rapport_db_calendar_save(db, "ny office", cal, &err));
  EXPECT_OK(rapport_db_calendar_get(db, "ny office", &got, &err));
  CHECK(got != NULL && strcmp(rapport_calendar_to_json(got), rapport_calendar_to_json(cal)) == 0);
  EXPECT_OK(rapport_db_calendar_list(db, &list, &err));
  CHECK(contains(list, "[{\"name\":\"ny office\",\"calendar\":{\"holidays\":[\"2026-03-10\"]"));
  CHECK(contains(list, "\"created_at\":\"2026-01-01T00:00:00Z\""));
  rapport_string_free(list);

  seq = last_seq(db);
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "name: must not be empty", rapport_db_calendar_save(db, "", cal, &err));
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_db_calendar_save(db, "x", NULL, &err));
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_db_calendar_save(NULL, "x", cal, &err));
  EXPECT_CODE_MSG(RAPPORT_NOT_FOUND, "calendar \"nope\": not found", rapport_db_calendar_get(db, "nope", &got, &err));
  EXPECT_CODE_MSG(RAPPORT_NOT_FOUND, "calendar \"nope\": not found", rapport_db_calendar_drop(db, "nope", &err));
  CHECK(last_seq(db) == seq);

  EXPECT_OK(rapport_db_calendar_drop(db, "ny office", &err));
  CHECK(last_seq(db) == seq + 1);
  EXPECT_OK(rapport_db_calendar_list(db, &list, &err));
  CHECK(list != NULL && strcmp(list, "[]") == 0);
  rapport_string_free(list);
  rapport_calendar_free(got);
  rapport_calendar_free(cal);
  rapport_db_close(db);
}

void test_calendars(void) {
  test_arithmetic();
  test_definition_errors();
  test_stored();
}
