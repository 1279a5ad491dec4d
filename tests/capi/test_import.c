/* CSV import: per-row report, all_or_nothing, upsert, files, progress and cancel. */
#include "test_util.h"

#define T0 INT64_C(1700000000000000)

static const char *kMapping =
    "{\"Name\":\"name\",\"Email\":\"email\",\"ERP\":\"external_id:erp\",\"Tags\":\"tags\",\"Industry\":\"industry\"}";

/* Row 2 has no name and a malformed email. */
static const char *kCsvWithBadRow =
    "Name,Email,ERP,Tags,Industry\n"
    "Alice,alice@example.com,E1,vip;north,retail\n"
    ",not-an-email,E2,,food\n"
    "Bob,bob@example.com,E3,,\n";

static rapport_import_options options(void) {
  rapport_import_options o;
  rapport_import_options_init(&o);
  o.mapping_json = kMapping;
  return o;
}

struct progress_state {
  int calls;
  int64_t last;
  int cancel_at;
};

static int on_progress(int64_t rows_done, void *user_data) {
  struct progress_state *s = (struct progress_state *)user_data;
  s->calls++;
  s->last = rows_done;
  return s->cancel_at > 0 && rows_done >= s->cancel_at;
}

static void test_report(void) {
  rapport_db *db = open_memory(T0);
  rapport_import_options o = options();
  rapport_import_report *r = NULL;
  size_t i;
  int bad_row_reported = 0;

  CHECK(o.delimiter == ',' && o.progress_every == 10000 && o.all_or_nothing == 0);
  EXPECT_OK(rapport_import_csv(db, kCsvWithBadRow, &o, &r, &err));
  CHECK(rapport_import_report_rows(r) == 3);
  CHECK(rapport_import_report_created(r) == 2);
  CHECK(rapport_import_report_updated(r) == 0);
  CHECK(rapport_import_report_failed(r) == 1);
  CHECK(rapport_import_report_committed(r) == 1);
  CHECK(rapport_import_report_error_count(r) >= 1);
  for (i = 0; i < rapport_import_report_error_count(r); ++i) {
    CHECK(rapport_import_report_error_row(r, i) == 2);
    CHECK(rapport_import_report_error_field(r, i) != NULL);
    CHECK(rapport_import_report_error_reason(r, i) != NULL && rapport_import_report_error_reason(r, i)[0] != '\0');
    if (rapport_import_report_error_row(r, i) == 2) bad_row_reported = 1;
  }
  CHECK(bad_row_reported);
  CHECK(rapport_import_report_error_field(r, 99) == NULL);
  rapport_import_report_free(r);
  r = NULL;
  CHECK(customer_count(db) == 2);
  {
    rapport_customer *c = NULL;
    EXPECT_OK(rapport_customer_find_by_external_id(db, "erp", "E1", &c, &err));
    CHECK(strcmp(rapport_customer_name(c), "Alice") == 0 && rapport_customer_tag_count(c) == 2);
    CHECK(contains(rapport_customer_industry(c), "retail"));
    rapport_customer_free(c);
  }

  /* Upsert by the ERP column: E1 updated, E4 created. */
  o.upsert_system = "erp";
  EXPECT_OK(rapport_import_csv(db,
                               "Name,Email,ERP,Tags,Industry\n"
                               "Alice Liddell,alice@example.com,E1,,retail\n"
                               "Dora,dora@example.com,E4,,\n",
                               &o, &r, &err));
  CHECK(rapport_import_report_created(r) == 1 && rapport_import_report_updated(r) == 1);
  CHECK(rapport_import_report_failed(r) == 0 && rapport_import_report_error_count(r) == 0);
  rapport_import_report_free(r);
  r = NULL;
  CHECK(customer_count(db) == 3);

  /* Bad options. */
  o = options();
  o.mapping_json = "[\"Name\"]";
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "mapping", rapport_import_csv(db, kCsvWithBadRow, &o, &r, &err));
  o.mapping_json = NULL;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "mapping_json", rapport_import_csv(db, kCsvWithBadRow, &o, &r, &err));
  o = options();
  o.delimiter = 300;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "delimiter", rapport_import_csv(db, kCsvWithBadRow, &o, &r, &err));
  CHECK(r == NULL);
  rapport_db_close(db);
}

static void test_all_or_nothing(void) {
  rapport_db *db = open_memory(T0);
  rapport_import_options o = options();
  rapport_import_report *r = NULL;
  int64_t seq = last_seq(db);

  o.all_or_nothing = 1;
  EXPECT_OK(rapport_import_csv(db, kCsvWithBadRow, &o, &r, &err));
  CHECK(rapport_import_report_committed(r) == 0);
  CHECK(rapport_import_report_failed(r) >= 1);
  CHECK(rapport_import_report_error_count(r) >= 1 && rapport_import_report_error_row(r, 0) == 2);
  rapport_import_report_free(r);
  CHECK(last_seq(db) == seq);
  CHECK(customer_count(db) == 0);
  rapport_db_close(db);
}

static void test_progress_and_cancel(void) {
  rapport_db *db = open_memory(T0);
  rapport_import_options o = options();
  rapport_import_report *r = NULL;
  struct progress_state s = {0, 0, 0};
  int64_t seq;

  o.progress = on_progress;
  o.progress_user_data = &s;
  o.progress_every = 1;
  EXPECT_OK(rapport_import_csv(db, kCsvWithBadRow, &o, &r, &err));
  CHECK(s.calls >= 3);
  CHECK(s.last == 3);
  rapport_import_report_free(r);
  r = NULL;

  /* Cancelling commits nothing. */
  seq = last_seq(db);
  s.calls = 0;
  s.cancel_at = 1;
  EXPECT_CODE(RAPPORT_CANCELLED, rapport_import_csv(db,
                                                    "Name,Email,ERP,Tags,Industry\n"
                                                    "Carl,carl@example.com,E7,,\n"
                                                    "Dan,dan@example.com,E8,,\n",
                                                    &o, &r, &err));
  CHECK(r == NULL);
  CHECK(s.calls == 1);
  CHECK(last_seq(db) == seq);
  CHECK(customer_count(db) == 2);
  rapport_db_close(db);
}

static void test_file(void) {
  rapport_db *db = open_memory(T0);
  rapport_import_options o = options();
  rapport_import_report *r = NULL;
  char path[1024];
  FILE *f;

  temp_path(path, sizeof path, "import.csv");
  f = fopen(path, "wb");
  CHECK(f != NULL);
  if (f == NULL) return;
  fputs("Name;Email;ERP;Tags;Industry\n"
        "王芳;wang@example.cn;F1;vip;\n"
        "李雷;li@example.cn;F2;;\n",
        f);
  fclose(f);
  o.delimiter = ';';
  o.tag_separator = "|";
  EXPECT_OK(rapport_import_csv_file(db, path, &o, &r, &err));
  CHECK(rapport_import_report_rows(r) == 2 && rapport_import_report_created(r) == 2);
  rapport_import_report_free(r);
  r = NULL;
  CHECK(customer_count(db) == 2);
  temp_path(path, sizeof path, "missing.csv");
  EXPECT_FAIL(rapport_import_csv_file(db, path, &o, &r, &err));
  CHECK(r == NULL);
  rapport_db_close(db);
}

void test_import(void) {
  test_report();
  test_all_or_nothing();
  test_progress_and_cancel();
  test_file();
}
