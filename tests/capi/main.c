/* Runner of the C ABI tests: `rapport_capi_test TMPDIR [GROUP]`; prints "capi: N passed, M failed". */
#include <stdlib.h>

#include "test_util.h"

int g_passed = 0;
int g_failed = 0;
const char *g_tmp_dir = ".";

void check_true(const char *file, int line, const char *text, int ok) {
  if (ok) {
    g_passed++;
  } else {
    g_failed++;
    fprintf(stderr, "%s:%d: CHECK failed: %s\n", file, line, text);
  }
}

void check_code(const char *file, int line, const char *text, rapport_code expected, rapport_code got,
                const rapport_error *err, const char *needle) {
  int ok = got == expected;
  if (ok && got == RAPPORT_OK && err != NULL) ok = 0;
  if (ok && got != RAPPORT_OK) {
    ok = err != NULL && rapport_error_code(err) == got && rapport_error_message(err)[0] != '\0';
    if (ok && needle != NULL) ok = contains(rapport_error_message(err), needle);
  }
  if (ok) {
    g_passed++;
    return;
  }
  g_failed++;
  fprintf(stderr, "%s:%d: %s\n  expected %s%s%s%s, got %s: %s\n", file, line, text, rapport_code_name(expected),
          needle ? " with a message containing \"" : "", needle ? needle : "", needle ? "\"" : "",
          rapport_code_name(got), err ? rapport_error_message(err) : "(no error object)");
}

int contains(const char *haystack, const char *needle) {
  return haystack != NULL && needle != NULL && strstr(haystack, needle) != NULL;
}

int file_exists(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return 0;
  fclose(f);
  return 1;
}

const char *temp_path(char *buf, size_t size, const char *name) {
  char extra[1024];
  snprintf(buf, size, "%s/%s", g_tmp_dir, name);
  remove(buf);
  snprintf(extra, sizeof extra, "%s-wal", buf);
  remove(extra);
  snprintf(extra, sizeof extra, "%s-shm", buf);
  remove(extra);
  snprintf(extra, sizeof extra, "%s-journal", buf);
  remove(extra);
  return buf;
}

rapport_db *open_memory(int64_t start) {
  rapport_open_options o;
  rapport_db *db = NULL;
  rapport_error *err = NULL;
  rapport_open_options_init(&o);
  o.clock_kind = RAPPORT_CLOCK_MANUAL;
  o.clock_start = start;
  o.default_region = "CN";
  if (rapport_db_open(":memory:", &o, &db, &err) != RAPPORT_OK) {
    fprintf(stderr, "cannot open an in-memory database: %s\n", rapport_error_message(err));
    rapport_error_free(err);
    exit(2);
  }
  return db;
}

int64_t create_customer(rapport_db *db, const char *json) {
  rapport_customer *c = NULL;
  rapport_error *err = NULL;
  int64_t id = 0;
  if (rapport_customer_create_json(db, json, &c, &err) != RAPPORT_OK) {
    g_failed++;
    fprintf(stderr, "create_customer(%s) failed: %s\n", json, rapport_error_message(err));
    rapport_error_free(err);
    return 0;
  }
  id = rapport_customer_id(c);
  rapport_customer_free(c);
  return id;
}

int64_t last_seq(rapport_db *db) {
  int64_t seq = -1;
  rapport_error *err = NULL;
  if (rapport_changes_last_seq(db, &seq, &err) != RAPPORT_OK) {
    g_failed++;
    fprintf(stderr, "rapport_changes_last_seq failed: %s\n", rapport_error_message(err));
    rapport_error_free(err);
  }
  return seq;
}

size_t customer_count(rapport_db *db) {
  rapport_customer_list *list = NULL;
  rapport_error *err = NULL;
  size_t n;
  rapport_customer_query q;
  rapport_customer_query_init(&q);
  q.limit = 1000;
  if (rapport_customer_search(db, &q, &list, &err) != RAPPORT_OK) {
    g_failed++;
    fprintf(stderr, "rapport_customer_search failed: %s\n", rapport_error_message(err));
    rapport_error_free(err);
    return (size_t)-1;
  }
  n = rapport_customer_list_count(list);
  rapport_customer_list_free(list);
  return n;
}

struct group {
  const char *name;
  void (*run)(void);
};

int main(int argc, char **argv) {
  static const struct group groups[] = {
      {"basic", test_basic},     {"customers", test_customers}, {"contacts", test_contacts},
      {"timeline", test_timeline}, {"import", test_import},     {"changes", test_changes},
      {"null", test_null},       {"threads", test_threads},   {"segments", test_segments},
      {"segment_scores", test_segment_scores}, {"analytics", test_analytics}, {"clv", test_clv},
      {"clv_store", test_clv_store},
      {"lifecycle", test_lifecycle},
      {"calendars", test_calendars},
      {"rules", test_rules},
      {"tasks", test_tasks},
  };
  size_t i;
  int ran = 0;
  if (argc > 1) g_tmp_dir = argv[1];
  for (i = 0; i < sizeof groups / sizeof groups[0]; ++i) {
    if (argc > 2 && strcmp(argv[2], groups[i].name) != 0) continue;
    fprintf(stderr, "-- %s\n", groups[i].name);
    groups[i].run();
    ran++;
  }
  if (ran == 0) {
    fprintf(stderr, "no test group named %s\n", argv[2]);
    return 2;
  }
  printf("capi: %d passed, %d failed\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
