/* Segments through the C ABI: expressions (parse, JSON, text), evaluation into caller-owned and
 * library-owned arrays, SQL, saved segments (save, get, list, refresh, lists, members as of a time),
 * errors with their codes and messages, NULL arguments, and failed calls that write nothing. */
#include <stdlib.h>

#include "test_util.h"

#define EXPECT_NULL_ARG(name, call) EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "'" name "'", call)

static const int64_t kDay = 86400000000LL;
/* 2025-01-01T00:00:00Z */
static const int64_t kJan1 = 1735689600000000LL;

/* Three customers: Ann (华东, vip, 1500.00 CNY on Jan 1), Bob (华东, 900.00 on Jan 1), Cai (华北). */
static rapport_db *fixture(int64_t ids[3]) {
  rapport_db *db = open_memory(kJan1);
  rapport_order_draft od;
  ids[0] = create_customer(db, "{\"name\":\"Ann\",\"region\":\"华东\",\"tags\":[\"vip\"]}");
  ids[1] = create_customer(db, "{\"name\":\"Bob\",\"region\":\"华东\"}");
  ids[2] = create_customer(db, "{\"name\":\"Cai\",\"region\":\"华北\"}");
  rapport_order_draft_init(&od);
  od.currency = "CNY";
  od.ordered_at = kJan1;
  od.customer_id = ids[0];
  od.amount_minor = 150000;
  EXPECT_OK(rapport_order_add(db, &od, NULL, &err));
  od.customer_id = ids[1];
  od.amount_minor = 90000;
  EXPECT_OK(rapport_order_add(db, &od, NULL, &err));
  return db;
}

static void test_expressions(void) {
  rapport_expr *e = NULL, *back = NULL;
  char *text = NULL, *json = NULL, *text2 = NULL;
  rapport_error *err = NULL;

  EXPECT_OK(rapport_expr_parse("region = \"华东\"  and monetary>1000 or has_tag(\"vip\")", &e, &err));
  CHECK(e != NULL);
  EXPECT_OK(rapport_expr_to_text(e, &text, &err));
  CHECK(contains(text, "region = \"华东\" and monetary > 1000 or has_tag(\"vip\")"));
  EXPECT_OK(rapport_expr_to_json(e, &json, &err));
  CHECK(json != NULL && json[0] == '{');
  EXPECT_OK(rapport_expr_from_json(json, &back, &err));
  EXPECT_OK(rapport_expr_to_text(back, &text2, &err));
  CHECK(text != NULL && text2 != NULL && strcmp(text, text2) == 0);
  rapport_string_free(text);
  rapport_string_free(text2);
  rapport_string_free(json);
  rapport_expr_free(e);
  rapport_expr_free(back);

  /* A syntax error: INVALID_ARGUMENT with line:column, the line and a caret under the column. */
  e = NULL;
  CHECK(rapport_expr_parse("a = 1 b", &e, &err) == RAPPORT_INVALID_ARGUMENT);
  CHECK(e == NULL);
  CHECK(rapport_error_code(err) == RAPPORT_INVALID_ARGUMENT);
  CHECK(strcmp(rapport_error_message(err),
               "1:7: unexpected 'b' (expected 'and', 'or' or the end)\na = 1 b\n      ^") == 0);
  rapport_error_free(err);
  err = NULL;
  /* The second line of a multi-line expression; CJK characters take two columns above the caret. */
  CHECK(rapport_expr_parse("region = \"华东\"\n  and name = \"华东\" = 1", &e, &err) == RAPPORT_INVALID_ARGUMENT);
  CHECK(contains(rapport_error_message(err), "2:19: "));
  CHECK(contains(rapport_error_message(err), "\n  and name = \"华东\" = 1\n                    ^"));
  rapport_error_free(err);
  err = NULL;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "invalid UTF-8", rapport_expr_parse("name = \"a\xff\"", &e, &err));
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_expr_from_json("{\"bogus\": 1}", &e, &err));
  EXPECT_CODE(RAPPORT_INVALID_ARGUMENT, rapport_expr_from_json("not json", &e, &err));
  CHECK(e == NULL);

  /* NULL arguments. */
  EXPECT_NULL_ARG("text", rapport_expr_parse(NULL, &e, &err));
  EXPECT_NULL_ARG("out", rapport_expr_parse("x = 1", NULL, &err));
  EXPECT_NULL_ARG("json", rapport_expr_from_json(NULL, &e, &err));
  EXPECT_NULL_ARG("out", rapport_expr_from_json("{}", NULL, &err));
  EXPECT_NULL_ARG("expr", rapport_expr_to_text(NULL, &text, &err));
  EXPECT_NULL_ARG("expr", rapport_expr_to_json(NULL, &json, &err));
  EXPECT_OK(rapport_expr_parse("x = 1", &e, &err));
  EXPECT_NULL_ARG("out", rapport_expr_to_text(e, NULL, &err));
  EXPECT_NULL_ARG("out", rapport_expr_to_json(e, NULL, &err));
  rapport_expr_free(e);
  rapport_expr_free(NULL);
  /* A NULL err is allowed. */
  CHECK(rapport_expr_parse("(", &e, NULL) == RAPPORT_INVALID_ARGUMENT);
}

static void test_evaluate(void) {
  int64_t c[3];
  rapport_db *db = fixture(c);
  int64_t ids[8];
  int64_t *owned = NULL;
  size_t n = 99;
  rapport_expr *e = NULL;
  rapport_segment_options opts;
  char *sql = NULL, *params = NULL;
  int64_t seq;
  int i;
  const char *statuses[] = {"refunded"};

  /* Caller-owned: exact fit and larger buffers. */
  EXPECT_OK(rapport_db_segment(db, "region = \"华东\"", NULL, ids, 2, &n, &err));
  CHECK(n == 2 && ids[0] == c[0] && ids[1] == c[1]);
  EXPECT_OK(rapport_db_segment(db, "monetary > 1000 and has_tag(\"vip\")", NULL, ids, 8, &n, &err));
  CHECK(n == 1 && ids[0] == c[0]);
  EXPECT_OK(rapport_db_segment(db, "region = \"nowhere\"", NULL, ids, 8, &n, &err));
  CHECK(n == 0);
  /* Counting only: NULL ids with capacity 0. */
  n = 99;
  EXPECT_OK(rapport_db_segment(db, "name is not null", NULL, NULL, 0, &n, &err));
  CHECK(n == 3);
  /* Too small: OUT_OF_RANGE, the size needed reported, the buffer untouched. */
  for (i = 0; i < 8; ++i) ids[i] = -7;
  n = 0;
  EXPECT_CODE_MSG(RAPPORT_OUT_OF_RANGE, "rapport_db_segment: 3 ids do not fit in capacity 2",
                  rapport_db_segment(db, "name is not null", NULL, ids, 2, &n, &err));
  CHECK(n == 3);
  for (i = 0; i < 8; ++i) CHECK(ids[i] == -7);
  n = 42;
  EXPECT_CODE(RAPPORT_OUT_OF_RANGE, rapport_db_segment(db, "name is not null", NULL, ids, 0, &n, &err));
  CHECK(n == 3 && ids[0] == -7);

  /* Library-owned. */
  EXPECT_OK(rapport_db_segment_alloc(db, "region = \"华东\" or region = \"华北\"", NULL, &owned, &n, &err));
  CHECK(owned != NULL && n == 3 && owned[0] == c[0] && owned[2] == c[2]);
  rapport_ids_free(owned);
  owned = NULL;
  EXPECT_OK(rapport_db_segment_alloc(db, "region = \"nowhere\"", NULL, &owned, &n, &err));
  CHECK(owned != NULL && n == 0);
  rapport_ids_free(owned);
  rapport_ids_free(NULL);

  /* A parsed handle, both forms. */
  EXPECT_OK(rapport_expr_parse("monetary >= 900", &e, &err));
  EXPECT_OK(rapport_db_segment_expr(db, e, NULL, ids, 8, &n, &err));
  CHECK(n == 2 && ids[0] == c[0] && ids[1] == c[1]);
  owned = NULL;
  EXPECT_OK(rapport_db_segment_expr_alloc(db, e, NULL, &owned, &n, &err));
  CHECK(owned != NULL && n == 2 && owned[1] == c[1]);
  rapport_ids_free(owned);

  /* as_of: recency_days counts from the time given; the default is the database clock. */
  EXPECT_OK(rapport_db_advance_time(db, 40 * kDay, &err));
  EXPECT_OK(rapport_db_segment(db, "recency_days <= 30", NULL, ids, 8, &n, &err));
  CHECK(n == 0);
  rapport_segment_options_init(&opts);
  CHECK(opts.struct_size == sizeof opts && opts.as_of == RAPPORT_AS_OF_NOW && opts.currency == NULL);
  opts.as_of = kJan1 + 10 * kDay;
  EXPECT_OK(rapport_db_segment(db, "recency_days <= 30", &opts, ids, 8, &n, &err));
  CHECK(n == 2);
  /* Order options: only refunded orders count -> nobody has spent anything. */
  opts.order_statuses = statuses;
  opts.order_status_count = 1;
  EXPECT_OK(rapport_db_segment(db, "monetary > 0", &opts, ids, 8, &n, &err));
  CHECK(n == 0);
  opts.order_statuses = NULL;
  EXPECT_NULL_ARG("opts->order_statuses", rapport_db_segment(db, "monetary > 0", &opts, ids, 8, &n, &err));
  opts.order_status_count = 0;
  opts.currency = "CNY";
  EXPECT_OK(rapport_db_segment(db, "monetary > 1000", &opts, ids, 8, &n, &err));
  CHECK(n == 1 && ids[0] == c[0]);
  opts.struct_size = 4;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "opts->struct_size is 4",
                  rapport_db_segment(db, "monetary > 0", &opts, ids, 8, &n, &err));

  /* SQL with bound parameters. */
  EXPECT_OK(rapport_db_segment_sql(db, "region = \"华东\" and monetary > 1000", NULL, &sql, &params, &err));
  CHECK(contains(sql, "SELECT") && contains(sql, "?"));
  CHECK(!contains(sql, "华东"));
  CHECK(params != NULL && params[0] == '[' && contains(params, "\"华东\""));
  rapport_string_free(sql);
  rapport_string_free(params);
  sql = NULL;
  EXPECT_OK(rapport_db_segment_sql_expr(db, e, NULL, &sql, NULL, &err));
  CHECK(contains(sql, "SELECT"));
  rapport_string_free(sql);
  rapport_expr_free(e);

  /* Errors: syntax (caret kept), unknown field (with a suggestion), type errors, unknown segment. */
  seq = last_seq(db);
  n = 77;
  ids[0] = -7;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "1:7: unexpected 'b' (expected 'and', 'or' or the end)\na = 1 b\n      ^",
                  rapport_db_segment(db, "a = 1 b", NULL, ids, 8, &n, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT,
                  "1:1: unknown field \"regoin\"; did you mean \"region\"?\nregoin = \"华东\"\n^",
                  rapport_db_segment(db, "regoin = \"华东\"", NULL, ids, 8, &n, &err));
  /* The caret of a check error points into the right line of the source. */
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT,
                  "2:7: unknown field \"monetry\"; did you mean \"monetary\"?\n  and monetry > 5\n      ^",
                  rapport_db_segment(db, "region = \"华东\"\n  and monetry > 5", NULL, ids, 8, &n, &err));
  /* A handle parsed from text keeps its source for the caret; one read from JSON has none. */
  EXPECT_OK(rapport_expr_parse("region = \"a\" or regoin = 2", &e, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "1:17: unknown field \"regoin\"; did you mean \"region\"?\n"
                  "region = \"a\" or regoin = 2\n                ^", rapport_db_segment_expr(db, e, NULL, ids, 8, &n, &err));
  EXPECT_OK(rapport_expr_to_json(e, &sql, &err));
  rapport_expr_free(e);
  e = NULL;
  EXPECT_OK(rapport_expr_from_json(sql, &e, &err));
  rapport_string_free(sql);
  sql = NULL;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "unknown field \"regoin\"",
                  rapport_db_segment_expr(db, e, NULL, ids, 8, &n, &err));
  rapport_expr_free(e);
  e = NULL;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "unknown field \"regoin\"",
                  rapport_db_segment_alloc(db, "regoin = \"华东\"", NULL, &owned, &n, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "unknown field \"regoin\"",
                  rapport_db_segment_sql(db, "regoin = \"华东\"", NULL, &sql, &params, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "1:", rapport_db_segment(db, "region > 5", NULL, ids, 8, &n, &err));
  EXPECT_CODE_MSG(RAPPORT_NOT_FOUND, "no saved segment named \"nope\"",
                  rapport_db_segment(db, "in_segment(\"nope\")", NULL, ids, 8, &n, &err));
  CHECK(n == 77 && ids[0] == -7);
  CHECK(last_seq(db) == seq);

  /* NULL arguments. */
  owned = NULL;
  EXPECT_NULL_ARG("db", rapport_db_segment(NULL, "x = 1", NULL, ids, 8, &n, &err));
  EXPECT_NULL_ARG("expr", rapport_db_segment(db, NULL, NULL, ids, 8, &n, &err));
  EXPECT_NULL_ARG("ids", rapport_db_segment(db, "name = \"Ann\"", NULL, NULL, 8, &n, &err));
  EXPECT_NULL_ARG("out_count", rapport_db_segment(db, "name = \"Ann\"", NULL, ids, 8, NULL, &err));
  EXPECT_NULL_ARG("db", rapport_db_segment_alloc(NULL, "x = 1", NULL, &owned, &n, &err));
  EXPECT_NULL_ARG("expr", rapport_db_segment_alloc(db, NULL, NULL, &owned, &n, &err));
  EXPECT_NULL_ARG("out_ids", rapport_db_segment_alloc(db, "x = 1", NULL, NULL, &n, &err));
  EXPECT_NULL_ARG("out_count", rapport_db_segment_alloc(db, "x = 1", NULL, &owned, NULL, &err));
  EXPECT_NULL_ARG("db", rapport_db_segment_expr(NULL, NULL, NULL, ids, 8, &n, &err));
  EXPECT_NULL_ARG("expr", rapport_db_segment_expr(db, NULL, NULL, ids, 8, &n, &err));
  EXPECT_NULL_ARG("expr", rapport_db_segment_expr_alloc(db, NULL, NULL, &owned, &n, &err));
  EXPECT_NULL_ARG("db", rapport_db_segment_sql(NULL, "x = 1", NULL, &sql, &params, &err));
  EXPECT_NULL_ARG("expr", rapport_db_segment_sql(db, NULL, NULL, &sql, &params, &err));
  EXPECT_NULL_ARG("out_sql", rapport_db_segment_sql(db, "x = 1", NULL, NULL, &params, &err));
  EXPECT_NULL_ARG("expr", rapport_db_segment_sql_expr(db, NULL, NULL, &sql, &params, &err));
  CHECK(owned == NULL);
  rapport_segment_options_init(NULL);
  rapport_db_close(db);
}

/* Tag conditions on a database read its cached frame, whose tag index the first of them builds: every
 * later tag change must show in the next evaluation. */
static void test_tags_follow_changes(void) {
  int64_t c[3];
  rapport_db *db = fixture(c);
  int64_t ids[8];
  size_t n = 99;
  EXPECT_OK(rapport_db_segment(db, "has_tag(\"vip\")", NULL, ids, 8, &n, &err));
  CHECK(n == 1 && ids[0] == c[0]);
  EXPECT_OK(rapport_tag_add(db, c[1], "VIP", &err));
  EXPECT_OK(rapport_db_segment(db, "has_tag(\"vip\")", NULL, ids, 8, &n, &err));
  CHECK(n == 2 && ids[0] == c[0] && ids[1] == c[1]);
  EXPECT_OK(rapport_tag_remove(db, c[0], "vip", &err));
  EXPECT_OK(rapport_tag_add(db, c[2], "新客", &err));
  EXPECT_OK(rapport_db_segment(db, "has_tag(\"vip\")", NULL, ids, 8, &n, &err));
  CHECK(n == 1 && ids[0] == c[1]);
  EXPECT_OK(rapport_db_segment(db, "has_any_tag(\"vip\", \"新客\")", NULL, ids, 8, &n, &err));
  CHECK(n == 2 && ids[0] == c[1] && ids[1] == c[2]);
  rapport_db_close(db);
}

static void test_saved(void) {
  int64_t c[3];
  rapport_db *db = fixture(c);
  rapport_segment_def def;
  rapport_segment *s = NULL;
  rapport_segment_delta_list *d = NULL;
  char *json = NULL;
  int64_t ids[8];
  int64_t *owned = NULL;
  size_t n = 0;
  int64_t seq;
  int i;

  /* A dynamic segment. */
  rapport_segment_def_init(&def);
  CHECK(def.struct_size == sizeof def && def.kind == RAPPORT_SEGMENT_DYNAMIC);
  def.name = "高价值";
  def.expression = "monetary>=1000  and recency_days <= 30";
  def.description = "big spenders";
  EXPECT_OK(rapport_segment_save(db, &def, &s, &err));
  CHECK(rapport_segment_id(s) > 0);
  CHECK(strcmp(rapport_segment_name(s), "高价值") == 0);
  CHECK(rapport_segment_kind_of(s) == RAPPORT_SEGMENT_DYNAMIC);
  CHECK(strcmp(rapport_segment_expression(s), "monetary >= 1000 and recency_days <= 30") == 0);
  CHECK(strcmp(rapport_segment_description(s), "big spenders") == 0);
  CHECK(rapport_segment_created_at(s) == kJan1 && rapport_segment_updated_at(s) == kJan1);
  CHECK(!rapport_segment_has_refreshed_at(s) && rapport_segment_refreshed_at(s) == 0);
  CHECK(!rapport_segment_has_history_from(s) && rapport_segment_history_from(s) == 0);
  CHECK(rapport_segment_member_count(s) == 0);
  CHECK(contains(rapport_segment_to_json(s), "\"kind\":\"dynamic\""));
  CHECK(contains(rapport_segment_to_json(s), "\"refreshed_at\":null"));
  CHECK(contains(rapport_segment_to_json(s), "\"created_at\":\"2025-01-01T00:00:00Z\""));
  CHECK(strcmp(rapport_segment_currency(s), "") == 0);
  CHECK(rapport_segment_order_status_count(s) == 1 && strcmp(rapport_segment_order_status(s, 0), "completed") == 0);
  rapport_segment_free(s);
  s = NULL;

  /* Which orders count is part of a dynamic segment's definition, checked when saved. */
  {
    rapport_frame_options fo;
    const char *statuses[] = {"completed", "shipped"};
    rapport_frame_options_init(&fo);
    fo.currency = "CNY";
    fo.order_statuses = statuses;
    fo.order_status_count = 2;
    rapport_segment_def_init(&def);
    def.name = "cny";
    def.expression = "monetary > 0";
    def.frame = &fo;
    EXPECT_OK(rapport_segment_save(db, &def, &s, &err));
    CHECK(strcmp(rapport_segment_currency(s), "CNY") == 0);
    CHECK(rapport_segment_order_status_count(s) == 2 && strcmp(rapport_segment_order_status(s, 1), "shipped") == 0);
    CHECK(rapport_segment_order_status(s, 2) == NULL && rapport_segment_currency(NULL) == NULL);
    CHECK(contains(rapport_segment_to_json(s),
                   "\"frame\":{\"order_statuses\":[\"completed\",\"shipped\"],\"currency\":\"CNY\"}"));
    rapport_segment_free(s);
    s = NULL;
    seq = last_seq(db);
    fo.currency = "XXQ";
    EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "frame.currency: \"XXQ\" is not an ISO 4217 currency code",
                    rapport_segment_save(db, &def, &s, &err));
    fo.currency = "\xff";
    EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "def->frame->currency: invalid UTF-8 at byte 0",
                    rapport_segment_save(db, &def, &s, &err));
    fo.currency = NULL;
    statuses[1] = "";
    EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "frame.order_statuses: a status must not be empty",
                    rapport_segment_save(db, &def, &s, &err));
    def.kind = RAPPORT_SEGMENT_STATIC;
    def.expression = NULL;
    EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "frame: only dynamic segments count orders",
                    rapport_segment_save(db, &def, &s, &err));
    CHECK(last_seq(db) == seq && s == NULL);
    EXPECT_CODE_MSG(RAPPORT_OK, NULL, rapport_segment_get(db, "cny", &s, &err));
    CHECK(strcmp(rapport_segment_currency(s), "CNY") == 0);
    rapport_segment_free(s);
    s = NULL;
    EXPECT_OK(rapport_segment_drop(db, "cny", &err));
  }

  /* Refresh: who entered, the change feed, members now. */
  EXPECT_OK(rapport_db_set_time(db, kJan1 + 10 * kDay, &err));
  seq = last_seq(db);
  EXPECT_OK(rapport_segment_refresh(db, "高价值", RAPPORT_AS_OF_NOW, &d, &err));
  CHECK(rapport_segment_delta_list_count(d) == 1);
  CHECK(strcmp(rapport_segment_delta_list_name(d, 0), "高价值") == 0);
  CHECK(rapport_segment_delta_list_as_of(d, 0) == kJan1 + 10 * kDay);
  CHECK(rapport_segment_delta_list_members(d, 0) == 1);
  CHECK(rapport_segment_delta_list_entered_count(d, 0) == 1);
  CHECK(rapport_segment_delta_list_entered(d, 0) != NULL && rapport_segment_delta_list_entered(d, 0)[0] == c[0]);
  CHECK(rapport_segment_delta_list_left_count(d, 0) == 0 && rapport_segment_delta_list_left(d, 0) == NULL);
  CHECK(contains(rapport_segment_delta_list_to_json(d), "\"entered\":["));
  CHECK(contains(rapport_segment_delta_list_to_json(d), "\"as_of\":\"2025-01-11T00:00:00Z\""));
  rapport_segment_delta_list_free(d);
  d = NULL;
  CHECK(last_seq(db) == seq + 1);
  EXPECT_OK(rapport_segment_members(db, "高价值", RAPPORT_AS_OF_NOW, ids, 8, &n, &err));
  CHECK(n == 1 && ids[0] == c[0]);
  /* in_segment() reads the stored members. */
  EXPECT_OK(rapport_db_segment(db, "in_segment(\"高价值\") or name = \"Cai\"", NULL, ids, 8, &n, &err));
  CHECK(n == 2 && ids[0] == c[0] && ids[1] == c[2]);

  /* Later, as of Feb 5: Ann's order is 35 days old, she leaves; Bob spends and enters. */
  {
    rapport_order_draft od;
    rapport_order_draft_init(&od);
    od.customer_id = c[1];
    od.currency = "CNY";
    od.amount_minor = 20000;
    od.ordered_at = kJan1 + 19 * kDay;
    EXPECT_OK(rapport_order_add(db, &od, NULL, &err));
  }
  EXPECT_OK(rapport_segment_refresh(db, "高价值", kJan1 + 35 * kDay, &d, &err));
  CHECK(rapport_segment_delta_list_entered_count(d, 0) == 1 && rapport_segment_delta_list_entered(d, 0)[0] == c[1]);
  CHECK(rapport_segment_delta_list_left_count(d, 0) == 1 && rapport_segment_delta_list_left(d, 0)[0] == c[0]);
  CHECK(rapport_segment_delta_list_members(d, 0) == 1);
  rapport_segment_delta_list_free(d);
  d = NULL;
  /* Members as of a time within the history, both forms. */
  EXPECT_OK(rapport_segment_members(db, "高价值", kJan1 + 20 * kDay, ids, 8, &n, &err));
  CHECK(n == 1 && ids[0] == c[0]);
  EXPECT_OK(rapport_segment_members_alloc(db, "高价值", RAPPORT_AS_OF_NOW, &owned, &n, &err));
  CHECK(owned != NULL && n == 1 && owned[0] == c[1]);
  rapport_ids_free(owned);
  owned = NULL;
  EXPECT_CODE_MSG(RAPPORT_FAILED_PRECONDITION,
                  "as_of: the membership of \"高价值\" is known from 2025-01-11T00:00:00Z on",
                  rapport_segment_members(db, "高价值", kJan1, ids, 8, &n, &err));
  EXPECT_OK(rapport_segment_get(db, "高价值", &s, &err));
  CHECK(rapport_segment_has_refreshed_at(s) && rapport_segment_refreshed_at(s) == kJan1 + 35 * kDay);
  CHECK(rapport_segment_has_history_from(s) && rapport_segment_history_from(s) == kJan1 + 10 * kDay);
  CHECK(rapport_segment_member_count(s) == 1);
  rapport_segment_free(s);
  s = NULL;

  /* A static list and a suppression list. */
  rapport_segment_def_init(&def);
  def.name = "trade show";
  def.kind = RAPPORT_SEGMENT_STATIC;
  EXPECT_OK(rapport_segment_save(db, &def, NULL, &err));
  ids[0] = c[2];
  ids[1] = c[0];
  EXPECT_OK(rapport_segment_add(db, "trade show", ids, 2, &err));
  EXPECT_OK(rapport_segment_add(db, "trade show", NULL, 0, &err));
  EXPECT_OK(rapport_segment_members(db, "trade show", RAPPORT_AS_OF_NOW, ids, 8, &n, &err));
  CHECK(n == 2 && ids[0] == c[0] && ids[1] == c[2]);
  ids[0] = c[0];
  EXPECT_OK(rapport_segment_remove(db, "trade show", ids, 1, &err));
  EXPECT_OK(rapport_segment_members(db, "trade show", RAPPORT_AS_OF_NOW, ids, 8, &n, &err));
  CHECK(n == 1 && ids[0] == c[2]);
  rapport_segment_def_init(&def);
  def.name = "blocked";
  def.kind = RAPPORT_SEGMENT_SUPPRESSION;
  def.description = "do not contact";
  EXPECT_OK(rapport_segment_save(db, &def, &s, &err));
  CHECK(rapport_segment_kind_of(s) == RAPPORT_SEGMENT_SUPPRESSION);
  CHECK(strcmp(rapport_segment_expression(s), "") == 0);
  rapport_segment_free(s);
  s = NULL;
  ids[0] = c[1];
  EXPECT_OK(rapport_segment_add(db, "blocked", ids, 1, &err));

  /* Refresh all: the suppressed customer leaves the dynamic segment. */
  EXPECT_OK(rapport_segment_refresh_all(db, kJan1 + 36 * kDay, &d, &err));
  CHECK(rapport_segment_delta_list_count(d) == 1);
  CHECK(strcmp(rapport_segment_delta_list_name(d, 0), "高价值") == 0);
  CHECK(rapport_segment_delta_list_left_count(d, 0) == 1 && rapport_segment_delta_list_left(d, 0)[0] == c[1]);
  CHECK(rapport_segment_delta_list_members(d, 0) == 0);
  CHECK(rapport_segment_delta_list_name(d, 1) == NULL && rapport_segment_delta_list_entered(d, 1) == NULL);
  rapport_segment_delta_list_free(d);
  d = NULL;
  EXPECT_OK(rapport_db_set_time(db, kJan1 + 40 * kDay, &err));
  EXPECT_OK(rapport_segment_refresh(db, "高价值", RAPPORT_AS_OF_NOW, NULL, &err));

  /* The list as JSON, by name. */
  EXPECT_OK(rapport_segment_list_json(db, &json, &err));
  CHECK(json != NULL && json[0] == '[');
  CHECK(contains(json, "\"name\":\"blocked\"") && contains(json, "\"kind\":\"suppression\""));
  CHECK(contains(json, "\"name\":\"trade show\"") && contains(json, "\"kind\":\"static\""));
  CHECK(contains(json, "\"name\":\"高价值\""));
  CHECK(contains(json, "\"description\":\"do not contact\""));
  rapport_string_free(json);
  json = NULL;

  /* A dynamic segment over a list. */
  rapport_segment_def_init(&def);
  def.name = "东";
  def.expression = "region = \"华东\" and not in_segment(\"trade show\")";
  EXPECT_OK(rapport_segment_save(db, &def, NULL, &err));
  EXPECT_CODE_MSG(RAPPORT_FAILED_PRECONDITION, "as_of: \"东\" has never been refreshed",
                  rapport_segment_members(db, "东", kJan1, ids, 8, &n, &err));
  EXPECT_OK(rapport_segment_refresh(db, "东", RAPPORT_AS_OF_NOW, NULL, &err));
  EXPECT_OK(rapport_segment_members(db, "东", RAPPORT_AS_OF_NOW, ids, 8, &n, &err));
  CHECK(n == 1 && ids[0] == c[0]); /* Bob is suppressed */

  /* Caller buffers that are too small: the size needed, nothing written. */
  for (i = 0; i < 8; ++i) ids[i] = -7;
  n = 0;
  EXPECT_CODE_MSG(RAPPORT_OUT_OF_RANGE, "rapport_segment_members: 1 ids do not fit in capacity 0",
                  rapport_segment_members(db, "东", RAPPORT_AS_OF_NOW, ids, 0, &n, &err));
  CHECK(n == 1 && ids[0] == -7);
  n = 0;
  EXPECT_OK(rapport_segment_members(db, "东", RAPPORT_AS_OF_NOW, NULL, 0, &n, &err));
  CHECK(n == 1);

  /* Failed calls write nothing. */
  seq = last_seq(db);
  rapport_segment_def_init(&def);
  def.name = "broken";
  def.expression = "monetary >";
  s = NULL;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "expression: 1:11: ", rapport_segment_save(db, &def, &s, &err));
  CHECK(s == NULL);
  def.expression = "regoin = \"华东\"";
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT,
                  "expression: 1:1: unknown field \"regoin\"; did you mean \"region\"?\nregoin = \"华东\"\n^",
                  rapport_segment_save(db, &def, &s, &err));
  def.expression = "in_segment(\"nope\")";
  EXPECT_CODE_MSG(RAPPORT_NOT_FOUND, "expression: in_segment: no saved segment named \"nope\"",
                  rapport_segment_save(db, &def, &s, &err));
  def.name = "高价值";
  def.expression = "in_segment(\"东\") and in_segment(\"高价值\")";
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "segments must not refer to themselves",
                  rapport_segment_save(db, &def, &s, &err));
  def.name = "trade show";
  def.expression = "name = \"x\"";
  EXPECT_CODE_MSG(RAPPORT_FAILED_PRECONDITION, "kind: segment \"trade show\" is static",
                  rapport_segment_save(db, &def, &s, &err));
  def.kind = RAPPORT_SEGMENT_STATIC;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "expression: only dynamic segments have one",
                  rapport_segment_save(db, &def, &s, &err));
  def.kind = 7;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "rapport_segment_save: def->kind: unknown segment kind 7",
                  rapport_segment_save(db, &def, &s, &err));
  def.kind = RAPPORT_SEGMENT_STATIC;
  def.expression = NULL;
  def.name = "";
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "name: must not be empty", rapport_segment_save(db, &def, &s, &err));
  def.name = "x";
  def.description = "\xff";
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "UTF-8", rapport_segment_save(db, &def, &s, &err));
  def.struct_size = 0;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "def->struct_size is 0", rapport_segment_save(db, &def, &s, &err));
  CHECK(s == NULL);
  ids[0] = c[0];
  ids[1] = 999;
  EXPECT_CODE_MSG(RAPPORT_NOT_FOUND, "customer 999: not found", rapport_segment_add(db, "trade show", ids, 2, &err));
  EXPECT_CODE_MSG(RAPPORT_FAILED_PRECONDITION, "dynamic; its members come from its expression",
                  rapport_segment_add(db, "高价值", ids, 1, &err));
  EXPECT_CODE_MSG(RAPPORT_NOT_FOUND, "segment \"nope\": not found", rapport_segment_add(db, "nope", ids, 1, &err));
  EXPECT_CODE_MSG(RAPPORT_FAILED_PRECONDITION, "has no expression to refresh",
                  rapport_segment_refresh(db, "trade show", RAPPORT_AS_OF_NOW, &d, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "is before the last refresh of \"高价值\"",
                  rapport_segment_refresh(db, "高价值", kJan1, &d, &err));
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "is before the last refresh",
                  rapport_segment_refresh_all(db, kJan1, &d, &err));
  CHECK(d == NULL);
  EXPECT_CODE_MSG(RAPPORT_FAILED_PRECONDITION, "segment \"trade show\": used by segment \"东\"",
                  rapport_segment_drop(db, "trade show", &err));
  EXPECT_CODE_MSG(RAPPORT_NOT_FOUND, "segment \"nope\": not found", rapport_segment_drop(db, "nope", &err));
  EXPECT_CODE_MSG(RAPPORT_NOT_FOUND, "segment \"nope\": not found", rapport_segment_get(db, "nope", &s, &err));
  EXPECT_CODE(RAPPORT_NOT_FOUND, rapport_segment_members(db, "nope", RAPPORT_AS_OF_NOW, ids, 8, &n, &err));
  EXPECT_CODE_MSG(RAPPORT_FAILED_PRECONDITION, "as_of: the membership of \"trade show\" is known from 2025-01-11T00:00:00Z on",
                  rapport_segment_members(db, "trade show", kJan1, ids, 8, &n, &err));
  CHECK(s == NULL && d == NULL);
  CHECK(last_seq(db) == seq);
  EXPECT_OK(rapport_segment_members(db, "trade show", RAPPORT_AS_OF_NOW, ids, 8, &n, &err));
  CHECK(n == 1 && ids[0] == c[2]);

  /* Drop: the user first, then the list. */
  EXPECT_OK(rapport_segment_drop(db, "东", &err));
  EXPECT_OK(rapport_segment_drop(db, "trade show", &err));
  EXPECT_CODE(RAPPORT_NOT_FOUND, rapport_segment_get(db, "trade show", &s, &err));

  /* Refresh all is one transaction: when a later segment fails, the earlier one is not refreshed. */
  rapport_segment_def_init(&def);
  def.name = "a1";
  def.expression = "name = \"Ann\"";
  EXPECT_OK(rapport_segment_save(db, &def, NULL, &err));
  def.name = "b1";
  EXPECT_OK(rapport_segment_save(db, &def, NULL, &err));
  EXPECT_OK(rapport_segment_refresh(db, "a1", kJan1 + 50 * kDay, NULL, &err));
  EXPECT_OK(rapport_segment_refresh(db, "b1", kJan1 + 60 * kDay, NULL, &err));
  seq = last_seq(db);
  d = NULL;
  EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "is before the last refresh of \"b1\"",
                  rapport_segment_refresh_all(db, kJan1 + 55 * kDay, &d, &err));
  CHECK(d == NULL);
  CHECK(last_seq(db) == seq);
  EXPECT_OK(rapport_segment_get(db, "a1", &s, &err));
  CHECK(rapport_segment_refreshed_at(s) == kJan1 + 50 * kDay);
  rapport_segment_free(s);
  s = NULL;
  /* Inside the caller's transaction it joins that one. */
  EXPECT_OK(rapport_db_begin(db, &err));
  EXPECT_OK(rapport_segment_refresh_all(db, kJan1 + 61 * kDay, &d, &err));
  CHECK(rapport_segment_delta_list_count(d) == 3);
  rapport_segment_delta_list_free(d);
  d = NULL;
  EXPECT_OK(rapport_db_rollback(db, &err));
  CHECK(last_seq(db) == seq);
  EXPECT_OK(rapport_segment_refresh_all(db, kJan1 + 61 * kDay, &d, &err));
  CHECK(rapport_segment_delta_list_count(d) == 3);
  CHECK(last_seq(db) == seq + 3);
  rapport_segment_delta_list_free(d);
  d = NULL;

  /* A rolled-back transaction leaves no segment behind. */
  EXPECT_OK(rapport_db_begin(db, &err));
  rapport_segment_def_init(&def);
  def.name = "temp";
  def.kind = RAPPORT_SEGMENT_STATIC;
  EXPECT_OK(rapport_segment_save(db, &def, NULL, &err));
  EXPECT_OK(rapport_db_rollback(db, &err));
  EXPECT_CODE(RAPPORT_NOT_FOUND, rapport_segment_get(db, "temp", &s, &err));
  rapport_db_close(db);
}

static void test_saved_null(void) {
  rapport_db *db = open_memory(kJan1);
  rapport_segment_def def;
  rapport_segment *s = NULL;
  rapport_segment_delta_list *d = NULL;
  char *json = NULL;
  int64_t ids[4];
  int64_t *owned = NULL;
  size_t n = 0;

  rapport_segment_def_init(&def);
  def.name = "d";
  EXPECT_NULL_ARG("db", rapport_segment_save(NULL, &def, &s, &err));
  EXPECT_NULL_ARG("def", rapport_segment_save(db, NULL, &s, &err));
  EXPECT_NULL_ARG("def->expression", rapport_segment_save(db, &def, &s, &err));
  def.name = NULL;
  def.expression = "x = 1";
  EXPECT_NULL_ARG("def->name", rapport_segment_save(db, &def, &s, &err));
  EXPECT_NULL_ARG("db", rapport_segment_drop(NULL, "d", &err));
  EXPECT_NULL_ARG("name", rapport_segment_drop(db, NULL, &err));
  EXPECT_NULL_ARG("db", rapport_segment_get(NULL, "d", &s, &err));
  EXPECT_NULL_ARG("name", rapport_segment_get(db, NULL, &s, &err));
  EXPECT_NULL_ARG("out", rapport_segment_get(db, "d", NULL, &err));
  EXPECT_NULL_ARG("db", rapport_segment_list_json(NULL, &json, &err));
  EXPECT_NULL_ARG("out_json", rapport_segment_list_json(db, NULL, &err));
  EXPECT_NULL_ARG("db", rapport_segment_refresh(NULL, "d", RAPPORT_AS_OF_NOW, &d, &err));
  EXPECT_NULL_ARG("name", rapport_segment_refresh(db, NULL, RAPPORT_AS_OF_NOW, &d, &err));
  EXPECT_NULL_ARG("db", rapport_segment_refresh_all(NULL, RAPPORT_AS_OF_NOW, &d, &err));
  EXPECT_NULL_ARG("db", rapport_segment_add(NULL, "d", ids, 1, &err));
  EXPECT_NULL_ARG("name", rapport_segment_add(db, NULL, ids, 1, &err));
  EXPECT_NULL_ARG("ids", rapport_segment_add(db, "d", NULL, 1, &err));
  EXPECT_NULL_ARG("db", rapport_segment_remove(NULL, "d", ids, 1, &err));
  EXPECT_NULL_ARG("name", rapport_segment_remove(db, NULL, ids, 1, &err));
  EXPECT_NULL_ARG("ids", rapport_segment_remove(db, "d", NULL, 1, &err));
  EXPECT_NULL_ARG("db", rapport_segment_members(NULL, "d", RAPPORT_AS_OF_NOW, ids, 4, &n, &err));
  EXPECT_NULL_ARG("name", rapport_segment_members(db, NULL, RAPPORT_AS_OF_NOW, ids, 4, &n, &err));
  EXPECT_NULL_ARG("ids", rapport_segment_members(db, "d", RAPPORT_AS_OF_NOW, NULL, 4, &n, &err));
  EXPECT_NULL_ARG("out_count", rapport_segment_members(db, "d", RAPPORT_AS_OF_NOW, ids, 4, NULL, &err));
  EXPECT_NULL_ARG("db", rapport_segment_members_alloc(NULL, "d", RAPPORT_AS_OF_NOW, &owned, &n, &err));
  EXPECT_NULL_ARG("name", rapport_segment_members_alloc(db, NULL, RAPPORT_AS_OF_NOW, &owned, &n, &err));
  EXPECT_NULL_ARG("out_ids", rapport_segment_members_alloc(db, "d", RAPPORT_AS_OF_NOW, NULL, &n, &err));
  EXPECT_NULL_ARG("out_count", rapport_segment_members_alloc(db, "d", RAPPORT_AS_OF_NOW, &owned, NULL, &err));
  CHECK(s == NULL && d == NULL && json == NULL && owned == NULL);
  CHECK(last_seq(db) == 0);

  /* Accessors and free functions accept NULL. */
  CHECK(rapport_segment_id(NULL) == 0);
  CHECK(rapport_segment_name(NULL) == NULL);
  CHECK(rapport_segment_kind_of(NULL) == RAPPORT_SEGMENT_DYNAMIC);
  CHECK(rapport_segment_expression(NULL) == NULL);
  CHECK(rapport_segment_description(NULL) == NULL);
  CHECK(rapport_segment_created_at(NULL) == 0 && rapport_segment_updated_at(NULL) == 0);
  CHECK(rapport_segment_has_refreshed_at(NULL) == 0 && rapport_segment_refreshed_at(NULL) == 0);
  CHECK(rapport_segment_has_history_from(NULL) == 0 && rapport_segment_history_from(NULL) == 0);
  CHECK(rapport_segment_member_count(NULL) == 0);
  CHECK(rapport_segment_to_json(NULL) == NULL);
  CHECK(rapport_segment_delta_list_count(NULL) == 0);
  CHECK(rapport_segment_delta_list_name(NULL, 0) == NULL);
  CHECK(rapport_segment_delta_list_as_of(NULL, 0) == 0);
  CHECK(rapport_segment_delta_list_members(NULL, 0) == 0);
  CHECK(rapport_segment_delta_list_entered_count(NULL, 0) == 0 && rapport_segment_delta_list_entered(NULL, 0) == NULL);
  CHECK(rapport_segment_delta_list_left_count(NULL, 0) == 0 && rapport_segment_delta_list_left(NULL, 0) == NULL);
  CHECK(rapport_segment_delta_list_to_json(NULL) == NULL);
  rapport_segment_free(NULL);
  rapport_segment_delta_list_free(NULL);
  rapport_segment_def_init(NULL);
  rapport_db_close(db);
}

void test_segments(void) {
  test_expressions();
  test_evaluate();
  test_tags_follow_changes();
  test_saved();
  test_saved_null();
}
