/* A tiny assertion harness for the C ABI tests (pure C99, no framework). */
#ifndef RAPPORT_TESTS_CAPI_TEST_UTIL_H_
#define RAPPORT_TESTS_CAPI_TEST_UTIL_H_

#include <stdio.h>
#include <string.h>

#include "rapport.h"

extern int g_passed;
extern int g_failed;
/* A directory for test files (argv[1]). */
extern const char *g_tmp_dir;

void check_true(const char *file, int line, const char *text, int ok);
/* Checks that a call returned `expected`; that `err` was filled exactly on failure with that code,
 * and (when `needle` is not NULL) that the message contains `needle`. */
void check_code(const char *file, int line, const char *text, rapport_code expected, rapport_code got,
                const rapport_error *err, const char *needle);
/* Non-zero when `haystack` (may be NULL) contains `needle`. */
int contains(const char *haystack, const char *needle);
/* Non-zero when a file exists at `path`. */
int file_exists(const char *path);
/* Builds "<tmp dir>/<name>" into `buf` and removes any file (and -wal/-shm files) of that name. */
const char *temp_path(char *buf, size_t size, const char *name);

#define CHECK(cond) check_true(__FILE__, __LINE__, #cond, (cond) ? 1 : 0)

/* The call must mention `&err`: `EXPECT_OK(rapport_db_open(":memory:", NULL, &db, &err));` */
#define EXPECT_CODE_MSG(expected, needle, call)                                   \
  do {                                                                            \
    rapport_error *err = NULL;                                                    \
    rapport_code code_ = (call);                                                  \
    check_code(__FILE__, __LINE__, #call, (expected), code_, err, (needle));      \
    rapport_error_free(err);                                                      \
  } while (0)
#define EXPECT_CODE(expected, call) EXPECT_CODE_MSG(expected, NULL, call)
/* Any failure, with an error object carrying that code and a message. */
#define EXPECT_FAIL(call)                                                          \
  do {                                                                             \
    rapport_error *err = NULL;                                                     \
    rapport_code code_ = (call);                                                   \
    check_true(__FILE__, __LINE__, "fails: " #call,                                \
               code_ != RAPPORT_OK && err != NULL && rapport_error_code(err) == code_); \
    rapport_error_free(err);                                                       \
  } while (0)
#define EXPECT_OK(call) EXPECT_CODE(RAPPORT_OK, call)

/* Opens an in-memory database with a manual clock at `start` micros; aborts the group on failure. */
rapport_db *open_memory(int64_t start);
/* Creates a customer from JSON and returns its id (0 on failure, which is reported). */
int64_t create_customer(rapport_db *db, const char *json);
/* The newest change seq. */
int64_t last_seq(rapport_db *db);
/* Number of customers a default search (include_deleted = 0) returns. */
size_t customer_count(rapport_db *db);

/* Test groups. */
void test_basic(void);
void test_customers(void);
void test_contacts(void);
void test_timeline(void);
void test_import(void);
void test_changes(void);
void test_null(void);
void test_threads(void);
void test_segments(void);
void test_segment_scores(void);
void test_analytics(void);
void test_clv(void);
void test_clv_store(void);
void test_lifecycle(void);
void test_calendars(void);
void test_rules(void);
void test_tasks(void);

#endif /* RAPPORT_TESTS_CAPI_TEST_UTIL_H_ */
