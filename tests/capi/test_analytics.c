/* Analytics through the C ABI: frames from arrays and from a database, RFM (scores, segments,
 * summaries, grid, custom rules), value tiers, cohorts, repurchase, churn, event funnels (with a
 * breakdown) and stage funnels, on small hand-computed cases (the numbers of the C++ tests in
 * tests/cpp/analytics/); options errors with the core's messages, caller arrays that are too small,
 * result structs written up to their struct_size, NULL arguments. */
#include <math.h>
#include <stdlib.h>

#include "test_util.h"

#define EXPECT_NULL_ARG(name, call) EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, "'" name "'", call)
#define EXPECT_INVALID(message, call) EXPECT_CODE_MSG(RAPPORT_INVALID_ARGUMENT, message, call)
#define NEAR(a, b) near_((double)(a), (double)(b))

static const int64_t kSecond = 1000000LL;
static const int64_t kHour = 3600000000LL;
static const int64_t kDay = 86400000000LL;

/* Equal up to floating-point rounding. */
static int near_(double a, double b) { return fabs(a - b) <= 1e-9 * (fabs(b) > 1 ? fabs(b) : 1); }

static int64_t day(double days) { return (int64_t)(days * 86400000000.0); }

/* Microseconds of a UTC civil time (proleptic Gregorian). */
static int64_t utc(int y, int m, int d, int hh, int mm, int ss) {
  int64_t era, yoe, doy, doe, days;
  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  days = era * 146097 + doe - 719468;
  return ((days * 86400) + hh * 3600 + mm * 60 + ss) * kSecond;
}
static int64_t date(int y, int m, int d) { return utc(y, m, d, 0, 0, 0); }

static rapport_order_frame *order_frame(const int64_t *customer, const int64_t *at, const double *amount, size_t n) {
  rapport_order_frame *f = NULL;
  EXPECT_OK(rapport_order_frame_create(customer, at, amount, n, &f, &err));
  CHECK(f != NULL && rapport_order_frame_rows(f) == n);
  return f;
}

/* ---- RFM ---- */

static void test_rfm(void) {
  /* tests/cpp/analytics/rfm_test.cc, HandComputedAsOfBoundaryNullsAndLateOrders */
  const int64_t as_of = day(100);
  const int64_t customer[] = {1, 1, 2, 3, 3, 4, 5, 5, 6};
  const int64_t at[] = {day(90), day(95), day(100), day(50), day(101), day(101), day(10), day(99.5), RAPPORT_NULL_TIME};
  const double amount[] = {10, 20, 5, 100, 999, 1, NAN, 7, 50};
  rapport_order_frame *f = order_frame(customer, at, amount, 9);
  rapport_rfm *rfm = NULL;
  rapport_rfm_options opts;
  rapport_rfm_summary s;
  rapport_rfm_segment_rule rules[2];
  int64_t ids[8], grid[25], sum = 0;
  int32_t recency[8];
  int64_t frequency[8];
  double monetary[8];
  uint8_t r[8], fs[8], m[8];
  int16_t codes[8];
  size_t n = 0, i;
  char *json = NULL;

  EXPECT_OK(rapport_rfm_compute(f, as_of, NULL, &rfm, &err));
  CHECK(rapport_rfm_rows(rfm) == 4 && rapport_rfm_bins(rfm) == 5 && rapport_rfm_as_of(rfm) == as_of);
  EXPECT_OK(rapport_rfm_customers(rfm, ids, 8, &n, &err));
  CHECK(n == 4 && ids[0] == 1 && ids[1] == 2 && ids[2] == 3 && ids[3] == 5);
  EXPECT_OK(rapport_rfm_recency_days(rfm, recency, 8, &n, &err));
  CHECK(n == 4 && recency[0] == 5 && recency[1] == 0 && recency[2] == 50 && recency[3] == 0);
  EXPECT_OK(rapport_rfm_frequency(rfm, frequency, 8, &n, &err));
  CHECK(frequency[0] == 2 && frequency[1] == 1 && frequency[2] == 1 && frequency[3] == 2);
  EXPECT_OK(rapport_rfm_monetary(rfm, monetary, 8, &n, &err));
  CHECK(monetary[0] == 30 && monetary[1] == 5 && monetary[2] == 100 && monetary[3] == 7);
  EXPECT_OK(rapport_rfm_scores(rfm, r, fs, m, 8, &n, &err));
  CHECK(n == 4 && r[0] == 2 && r[1] == 3 && r[2] == 1 && r[3] == 3);
  CHECK(fs[0] == 3 && fs[1] == 1 && fs[2] == 1 && fs[3] == 3);
  CHECK(m[0] == 3 && m[1] == 1 && m[2] == 4 && m[3] == 2);
  /* Any score column may be skipped; none at all only counts. */
  m[0] = 99;
  EXPECT_OK(rapport_rfm_scores(rfm, NULL, fs, NULL, 4, &n, &err));
  CHECK(n == 4 && m[0] == 99);
  n = 0;
  EXPECT_OK(rapport_rfm_scores(rfm, NULL, NULL, NULL, 0, &n, &err));
  CHECK(n == 4);

  /* Segments: the classic map; codes index the names. */
  CHECK(rapport_rfm_segment_count(rfm) == 10);
  CHECK(strcmp(rapport_rfm_segment_name(rfm, 0), "Champions") == 0);
  CHECK(strcmp(rapport_rfm_segment_name(rfm, 9), "Hibernating") == 0);
  CHECK(rapport_rfm_segment_name(rfm, 10) == NULL);
  EXPECT_OK(rapport_rfm_segment_codes(rfm, codes, 8, &n, &err));
  CHECK(strcmp(rapport_rfm_segment_name(rfm, (size_t)codes[0]), "At risk") == 0);
  CHECK(strcmp(rapport_rfm_segment_name(rfm, (size_t)codes[1]), "About to sleep") == 0);
  CHECK(strcmp(rapport_rfm_segment_name(rfm, (size_t)codes[2]), "Hibernating") == 0);
  CHECK(strcmp(rapport_rfm_segment_name(rfm, (size_t)codes[3]), "Need attention") == 0);

  /* Summaries: one per rule, then the unsegmented customers. */
  rapport_rfm_summary_init(&s);
  CHECK(s.struct_size == sizeof s);
  EXPECT_OK(rapport_rfm_summary_at(rfm, 6, &s, &err));
  CHECK(strcmp(s.name, "About to sleep") == 0 && s.customers == 1);
  CHECK(s.customer_share == 0.25 && s.revenue == 5 && NEAR(s.revenue_share, 5.0 / 142.0));
  CHECK(s.mean_recency_days == 0 && s.mean_frequency == 1 && s.mean_monetary == 5);
  EXPECT_OK(rapport_rfm_summary_at(rfm, 0, &s, &err));
  CHECK(strcmp(s.name, "Champions") == 0 && s.customers == 0 && isnan(s.mean_monetary));
  EXPECT_OK(rapport_rfm_summary_at(rfm, 10, &s, &err));
  CHECK(strcmp(s.name, "") == 0 && s.customers == 0);
  EXPECT_CODE_MSG(RAPPORT_OUT_OF_RANGE, "rapport_rfm_summary_at: index 11 is beyond the 10 segments",
                  rapport_rfm_summary_at(rfm, 11, &s, &err));
  /* A struct from an older header: members past its struct_size are not written. */
  s.struct_size = (uint32_t)offsetof(rapport_rfm_summary, customer_share);
  s.customer_share = -1;
  s.mean_monetary = -1;
  EXPECT_OK(rapport_rfm_summary_at(rfm, 6, &s, &err));
  CHECK(s.customers == 1 && s.customer_share == -1 && s.mean_monetary == -1);
  CHECK(s.struct_size == offsetof(rapport_rfm_summary, customer_share));
  s.struct_size = 0;
  EXPECT_INVALID("rapport_rfm_summary_at: out->struct_size is 0", rapport_rfm_summary_at(rfm, 6, &s, &err));

  /* The grid, row-major by R. */
  EXPECT_OK(rapport_rfm_grid(rfm, grid, 25, &n, &err));
  CHECK(n == 25 && grid[(2 - 1) * 5 + (3 - 1)] == 1 && grid[(3 - 1) * 5 + (3 - 1)] == 1 && grid[24] == 0);
  for (i = 0; i < 25; ++i) sum += grid[i];
  CHECK(sum == 4);

  /* Too small: OUT_OF_RANGE, the count needed, nothing written; NULL/0 only counts. */
  ids[0] = ids[1] = ids[2] = -7;
  n = 0;
  EXPECT_CODE_MSG(RAPPORT_OUT_OF_RANGE, "rapport_rfm_customers: 4 values do not fit in capacity 3",
                  rapport_rfm_customers(rfm, ids, 3, &n, &err));
  CHECK(n == 4 && ids[0] == -7 && ids[2] == -7);
  EXPECT_CODE(RAPPORT_OUT_OF_RANGE, rapport_rfm_grid(rfm, grid, 24, &n, &err));
  CHECK(n == 25);
  EXPECT_CODE(RAPPORT_OUT_OF_RANGE, rapport_rfm_scores(rfm, r, NULL, NULL, 2, &n, &err));
  CHECK(n == 4);
  n = 0;
  EXPECT_OK(rapport_rfm_monetary(rfm, NULL, 0, &n, &err));
  CHECK(n == 4);
  EXPECT_NULL_ARG("out", rapport_rfm_monetary(rfm, NULL, 4, &n, &err));
  EXPECT_NULL_ARG("out_count", rapport_rfm_monetary(rfm, monetary, 4, NULL, &err));

  EXPECT_OK(rapport_rfm_to_json(rfm, &json, &err));
  CHECK(contains(json, "{\"as_of\":\"1970-04-11T00:00:00Z\",\"bins\":5,\"rows\":[{\"customer\":1,"
                       "\"recency_days\":5,\"frequency\":2,\"monetary\":30.0,\"r\":2,\"f\":3,\"m\":3,"
                       "\"segment\":\"At risk\"}"));
  CHECK(contains(json, "{\"name\":\"Champions\",\"customers\":0,\"customer_share\":0.0,\"revenue\":0.0,"
                       "\"revenue_share\":0.0,\"mean_recency_days\":null"));
  CHECK(contains(json, "\"grid\":[[1,0,0,0,0],[0,0,1,0,0],[1,0,1,0,0],"));
  rapport_string_free(json);
  rapport_rfm_free(rfm);

  /* Options: bins, custom rules (first match wins), none, errors with the core's messages. */
  rapport_rfm_options_init(&opts);
  CHECK(opts.struct_size == sizeof opts && opts.bins == 5 && opts.custom_segments == 0 && opts.threads == 0);
  opts.bins = 3;
  rfm = NULL;
  EXPECT_OK(rapport_rfm_compute(f, as_of, &opts, &rfm, &err));
  CHECK(rapport_rfm_bins(rfm) == 3 && rapport_rfm_segment_count(rfm) == 0);
  s.struct_size = sizeof s;
  EXPECT_OK(rapport_rfm_summary_at(rfm, 0, &s, &err));
  CHECK(strcmp(s.name, "") == 0 && s.customers == 4 && s.revenue == 142);
  EXPECT_OK(rapport_rfm_grid(rfm, NULL, 0, &n, &err));
  CHECK(n == 9);
  rapport_rfm_free(rfm);

  opts.bins = 5;
  opts.custom_segments = 1;
  rules[0].name = "顶级";
  rules[0].r_min = 3;
  rules[0].r_max = 5;
  rules[0].f_min = 3;
  rules[0].f_max = 5;
  rules[1].name = "Rest";
  rules[1].r_min = 1;
  rules[1].r_max = 5;
  rules[1].f_min = 1;
  rules[1].f_max = 5;
  opts.segments = rules;
  opts.segment_count = 2;
  EXPECT_OK(rapport_rfm_compute(f, as_of, &opts, &rfm, &err));
  CHECK(rapport_rfm_segment_count(rfm) == 2 && strcmp(rapport_rfm_segment_name(rfm, 0), "顶级") == 0);
  EXPECT_OK(rapport_rfm_segment_codes(rfm, codes, 8, &n, &err));
  CHECK(codes[0] == 1 && codes[1] == 1 && codes[2] == 1 && codes[3] == 0);  /* only customer 5 is R3 F3 */
  rapport_rfm_free(rfm);
  opts.segment_count = 0;  /* custom and empty: no segments */
  EXPECT_OK(rapport_rfm_compute(f, as_of, &opts, &rfm, &err));
  CHECK(rapport_rfm_segment_count(rfm) == 0);
  EXPECT_OK(rapport_rfm_segment_codes(rfm, codes, 8, &n, &err));
  CHECK(codes[0] == -1 && codes[3] == -1);
  rapport_rfm_free(rfm);
  rfm = NULL;

  opts.segment_count = 2;
  rules[0].r_max = 6;
  EXPECT_INVALID("segments[0].r_max: must be between 1 and bins (5), got 6", rapport_rfm_compute(f, as_of, &opts, &rfm, &err));
  rules[0].r_max = 5;
  rules[1].name = "顶级";
  EXPECT_INVALID("segments[1].name: \"顶级\" is already the name of segments[0]",
                 rapport_rfm_compute(f, as_of, &opts, &rfm, &err));
  rules[1].name = NULL;
  EXPECT_NULL_ARG("opts->segments[1].name", rapport_rfm_compute(f, as_of, &opts, &rfm, &err));
  rules[1].name = "bad \xC3";
  EXPECT_INVALID("opts->segments[1].name", rapport_rfm_compute(f, as_of, &opts, &rfm, &err));
  opts.segments = NULL;
  EXPECT_NULL_ARG("opts->segments", rapport_rfm_compute(f, as_of, &opts, &rfm, &err));
  rapport_rfm_options_init(&opts);
  opts.bins = 1;
  EXPECT_INVALID("bins: must be between 2 and 10, got 1", rapport_rfm_compute(f, as_of, &opts, &rfm, &err));
  opts.bins = 5;
  opts.threads = -1;
  EXPECT_INVALID("threads: must be 0 (automatic) or positive, got -1", rapport_rfm_compute(f, as_of, &opts, &rfm, &err));
  opts.struct_size = 4;
  EXPECT_INVALID("rapport_rfm_compute: opts->struct_size is 4", rapport_rfm_compute(f, as_of, &opts, &rfm, &err));
  EXPECT_INVALID("as_of: must be a time, got none", rapport_rfm_compute(f, RAPPORT_NULL_TIME, NULL, &rfm, &err));
  CHECK(rfm == NULL);
  rapport_order_frame_free(f);

  /* The same orders in another row order give the same table. */
  {
    const int64_t c2[] = {6, 5, 5, 4, 3, 3, 2, 1, 1};
    const int64_t a2[] = {RAPPORT_NULL_TIME, day(99.5), day(10), day(101), day(101), day(50), day(100), day(95), day(90)};
    const double m2[] = {50, 7, NAN, 1, 999, 100, 5, 20, 10};
    f = order_frame(c2, a2, m2, 9);
    EXPECT_OK(rapport_rfm_compute(f, as_of, NULL, &rfm, &err));
    EXPECT_OK(rapport_rfm_monetary(rfm, monetary, 8, &n, &err));
    CHECK(n == 4 && monetary[0] == 30 && monetary[3] == 7);
    rapport_rfm_free(rfm);
    rapport_order_frame_free(f);
  }
  /* An empty frame. */
  f = order_frame(NULL, NULL, NULL, 0);
  EXPECT_OK(rapport_rfm_compute(f, as_of, NULL, &rfm, &err));
  CHECK(rapport_rfm_rows(rfm) == 0);
  EXPECT_OK(rapport_rfm_customers(rfm, ids, 0, &n, &err));
  CHECK(n == 0);
  rapport_rfm_free(rfm);
  rapport_order_frame_free(f);
}

/* ---- Value tiers ---- */

static void test_value_tiers(void) {
  int64_t customer[10], at[10];
  double amount[10];
  rapport_order_frame *f;
  rapport_value_tiers *t = NULL;
  rapport_value_tier_options opts;
  int8_t codes[10];
  int64_t ids[10];
  double monetary[10];
  size_t n = 0;
  int i;
  char *json = NULL;
  /* Ten buyers spending 10, 20, ..., 100. */
  for (i = 0; i < 10; ++i) {
    customer[i] = i + 1;
    at[i] = day(1);
    amount[i] = 10.0 * (i + 1);
  }
  f = order_frame(customer, at, amount, 10);

  /* By quantile (defaults 0.2, 0.5): the top 2, the next 3, the other 5. */
  EXPECT_OK(rapport_value_tiers_compute(f, day(2), NULL, &t, &err));
  CHECK(rapport_value_tiers_rows(t) == 10);
  EXPECT_OK(rapport_value_tiers_customers(t, ids, 10, &n, &err));
  CHECK(n == 10 && ids[0] == 1 && ids[9] == 10);
  EXPECT_OK(rapport_value_tiers_monetary(t, monetary, 10, &n, &err));
  CHECK(monetary[0] == 10 && monetary[9] == 100);
  EXPECT_OK(rapport_value_tiers_codes(t, codes, 10, &n, &err));
  CHECK(codes[9] == 0 && codes[8] == 0 && codes[7] == 1 && codes[5] == 1 && codes[4] == 2 && codes[0] == 2);
  CHECK(strcmp(rapport_value_tiers_name(t, 0), "high value") == 0);
  CHECK(strcmp(rapport_value_tiers_name(t, 2), "general") == 0);
  CHECK(rapport_value_tiers_name(t, 3) == NULL && rapport_value_tiers_name(t, -1) == NULL);
  CHECK(rapport_value_tiers_tier_customers(t, 0) == 2 && rapport_value_tiers_tier_customers(t, 1) == 3 &&
        rapport_value_tiers_tier_customers(t, 2) == 5);
  CHECK(rapport_value_tiers_tier_revenue(t, 0) == 190 && rapport_value_tiers_tier_revenue(t, 1) == 210 &&
        rapport_value_tiers_tier_revenue(t, 2) == 150);
  EXPECT_CODE_MSG(RAPPORT_OUT_OF_RANGE, "rapport_value_tiers_codes: 10 values do not fit in capacity 9",
                  rapport_value_tiers_codes(t, codes, 9, &n, &err));
  CHECK(n == 10);
  EXPECT_OK(rapport_value_tiers_to_json(t, &json, &err));
  CHECK(contains(json, "\"mode\":\"quantile\",\"tiers\":[{\"name\":\"high value\",\"customers\":2,\"revenue\":190.0}"));
  CHECK(contains(json, "{\"customer\":10,\"monetary\":100.0,\"tier\":\"high value\"}"));
  rapport_string_free(json);
  rapport_value_tiers_free(t);

  /* By revenue share (defaults 0.5, 0.8), with names. */
  rapport_value_tier_options_init(&opts);
  CHECK(opts.struct_size == sizeof opts && opts.mode == RAPPORT_VALUE_TIERS_QUANTILE && opts.high == 0 &&
        opts.names[0] == NULL);
  opts.mode = RAPPORT_VALUE_TIERS_REVENUE_SHARE;
  opts.names[0] = "高价值";
  EXPECT_OK(rapport_value_tiers_compute(f, day(2), &opts, &t, &err));
  CHECK(rapport_value_tiers_tier_customers(t, 0) == 4 && rapport_value_tiers_tier_customers(t, 1) == 2 &&
        rapport_value_tiers_tier_customers(t, 2) == 4);
  CHECK(rapport_value_tiers_tier_revenue(t, 0) == 340 && rapport_value_tiers_tier_revenue(t, 1) == 110);
  CHECK(strcmp(rapport_value_tiers_name(t, 0), "高价值") == 0 && strcmp(rapport_value_tiers_name(t, 1), "potential") == 0);
  EXPECT_OK(rapport_value_tiers_to_json(t, &json, &err));
  CHECK(contains(json, "\"mode\":\"revenue_share\""));
  rapport_string_free(json);
  rapport_value_tiers_free(t);
  /* Thresholds of our own. */
  opts.mode = RAPPORT_VALUE_TIERS_QUANTILE;
  opts.high = 0.5;
  opts.potential = 1;
  EXPECT_OK(rapport_value_tiers_compute(f, day(2), &opts, &t, &err));
  CHECK(rapport_value_tiers_tier_customers(t, 0) == 5 && rapport_value_tiers_tier_customers(t, 1) == 5);
  rapport_value_tiers_free(t);
  t = NULL;

  opts.high = 0.6;
  opts.potential = 0.5;
  EXPECT_INVALID("high: must be less than potential (0.5), got 0.6", rapport_value_tiers_compute(f, day(2), &opts, &t, &err));
  opts.high = -1;
  EXPECT_INVALID("high: must be greater than 0, got -1", rapport_value_tiers_compute(f, day(2), &opts, &t, &err));
  opts.high = 0;
  opts.potential = 0;
  opts.names[1] = "高价值";
  EXPECT_INVALID("names[1]: \"高价值\" is already the name of names[0]",
                 rapport_value_tiers_compute(f, day(2), &opts, &t, &err));
  opts.names[1] = "\xFF";
  EXPECT_INVALID("opts->names[1]", rapport_value_tiers_compute(f, day(2), &opts, &t, &err));
  opts.names[1] = NULL;
  opts.mode = 7;
  EXPECT_INVALID("mode: must be kQuantile (0) or kRevenueShare (1), got 7",
                 rapport_value_tiers_compute(f, day(2), &opts, &t, &err));
  CHECK(t == NULL);
  rapport_order_frame_free(f);
}

/* ---- Retention ---- */

static void test_cohorts(void) {
  /* tests/cpp/analytics/retention_test.cc, MonthsAcrossAYearBoundary */
  const int64_t as_of = utc(2025, 2, 28, 12, 0, 0);
  const int64_t customer[] = {1, 1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 6};
  int64_t at[12];
  double amount[12];
  int64_t starts[3], sizes[3], counts[12];
  double rates[12];
  rapport_order_frame *f;
  rapport_cohorts *c = NULL;
  rapport_cohort_options opts;
  size_t n = 0, i;
  char *json = NULL;
  const int64_t expected[] = {1, 1, 1, 0, 2, 1, 1, -1, 1, -1, -1, -1};
  at[0] = date(2024, 11, 15);
  at[1] = date(2024, 12, 1);
  at[2] = date(2025, 1, 20);
  at[3] = utc(2024, 12, 31, 23, 59, 59);
  at[4] = date(2025, 1, 1);
  at[5] = date(2024, 12, 5);
  at[6] = date(2024, 12, 20);
  at[7] = date(2025, 2, 1);
  at[8] = date(2025, 2, 10);
  at[9] = date(2025, 3, 1);
  at[10] = date(2025, 3, 2);
  at[11] = RAPPORT_NULL_TIME;
  for (i = 0; i < 12; ++i) amount[i] = 1;
  f = order_frame(customer, at, amount, 12);

  EXPECT_OK(rapport_cohorts_compute(f, as_of, NULL, &c, &err));
  CHECK(rapport_cohorts_count(c) == 3 && rapport_cohorts_periods(c) == 4);
  CHECK(rapport_cohorts_period(c) == RAPPORT_COHORT_MONTH && rapport_cohorts_as_of(c) == as_of);
  CHECK(strcmp(rapport_cohorts_label(c, 0), "2024-11") == 0 && strcmp(rapport_cohorts_label(c, 2), "2025-02") == 0);
  CHECK(rapport_cohorts_label(c, 3) == NULL);
  EXPECT_OK(rapport_cohorts_starts(c, starts, 3, &n, &err));
  CHECK(n == 3 && starts[0] == date(2024, 11, 1) && starts[1] == date(2024, 12, 1) && starts[2] == date(2025, 2, 1));
  EXPECT_OK(rapport_cohorts_sizes(c, sizes, 3, &n, &err));
  CHECK(sizes[0] == 1 && sizes[1] == 2 && sizes[2] == 1);
  EXPECT_OK(rapport_cohorts_counts(c, counts, 12, &n, &err));
  CHECK(n == 12);
  for (i = 0; i < 12; ++i) CHECK(counts[i] == expected[i]);
  EXPECT_OK(rapport_cohorts_rates(c, rates, 12, &n, &err));
  CHECK(rates[1 * 4 + 1] == 0.5 && rates[0 * 4 + 3] == 0 && isnan(rates[2 * 4 + 1]) && isnan(rates[1 * 4 + 3]));
  EXPECT_CODE_MSG(RAPPORT_OUT_OF_RANGE, "rapport_cohorts_counts: 12 values do not fit in capacity 11",
                  rapport_cohorts_counts(c, counts, 11, &n, &err));
  CHECK(n == 12);
  EXPECT_OK(rapport_cohorts_to_json(c, &json, &err));
  CHECK(contains(json, "{\"period\":\"month\",\"as_of\":\"2025-02-28T12:00:00Z\",\"periods\":4,\"cohorts\":["
                       "{\"label\":\"2024-11\",\"start\":\"2024-11-01T00:00:00Z\",\"size\":1,"));
  CHECK(contains(json, "\"counts\":[2,1,1,null],\"rates\":[1.0,0.5,0.5,null]"));
  rapport_string_free(json);
  rapport_cohorts_free(c);

  rapport_cohort_options_init(&opts);
  CHECK(opts.struct_size == sizeof opts && opts.period == RAPPORT_COHORT_MONTH && opts.max_periods == 0);
  opts.max_periods = 2;
  EXPECT_OK(rapport_cohorts_compute(f, as_of, &opts, &c, &err));
  EXPECT_OK(rapport_cohorts_counts(c, counts, 12, &n, &err));
  CHECK(n == 6 && counts[0] == 1 && counts[2] == 2 && counts[5] == -1);
  rapport_cohorts_free(c);
  opts.max_periods = 0;
  opts.period = RAPPORT_COHORT_QUARTER;
  EXPECT_OK(rapport_cohorts_compute(f, as_of, &opts, &c, &err));
  CHECK(rapport_cohorts_period(c) == RAPPORT_COHORT_QUARTER && strcmp(rapport_cohorts_label(c, 0), "2024-Q4") == 0);
  rapport_cohorts_free(c);
  c = NULL;

  opts.max_periods = -1;
  EXPECT_INVALID("max_periods: must be 0 (no limit) or positive, got -1", rapport_cohorts_compute(f, as_of, &opts, &c, &err));
  opts.max_periods = 0;
  opts.period = 7;
  EXPECT_INVALID("period: must be kWeek (0), kMonth (1) or kQuarter (2), got 7",
                 rapport_cohorts_compute(f, as_of, &opts, &c, &err));
  EXPECT_INVALID("as_of: must be a time, got none", rapport_cohorts_compute(f, RAPPORT_NULL_TIME, NULL, &c, &err));
  CHECK(c == NULL);
  rapport_order_frame_free(f);

  /* ISO weeks (IsoWeeksAndQuarters). */
  {
    const int64_t wc[] = {1, 1, 2, 2, 2, 3};
    int64_t wa[6];
    const double wm[] = {1, 1, 1, 1, 1, 1};
    wa[0] = utc(2024, 12, 29, 23, 0, 0);
    wa[1] = date(2024, 12, 30);
    wa[2] = date(2024, 12, 30);
    wa[3] = utc(2025, 1, 5, 23, 59, 0);
    wa[4] = date(2025, 1, 6);
    wa[5] = date(2024, 12, 23);
    f = order_frame(wc, wa, wm, 6);
    rapport_cohort_options_init(&opts);
    opts.period = RAPPORT_COHORT_WEEK;
    EXPECT_OK(rapport_cohorts_compute(f, date(2025, 1, 7), &opts, &c, &err));
    CHECK(rapport_cohorts_count(c) == 2 && strcmp(rapport_cohorts_label(c, 0), "2024-W52") == 0 &&
          strcmp(rapport_cohorts_label(c, 1), "2025-W01") == 0);
    EXPECT_OK(rapport_cohorts_counts(c, counts, 12, &n, &err));
    CHECK(n == 6 && counts[0] == 2 && counts[1] == 1 && counts[2] == 0 && counts[3] == 1 && counts[4] == 1 &&
          counts[5] == -1);
    rapport_cohorts_free(c);
    rapport_order_frame_free(f);
  }
}

static void test_repurchase_and_churn(void) {
  /* Repurchase, WindowBoundaries */
  const int64_t rc_[] = {1, 1, 2, 2, 3, 3, 4, 4, 5, 6, 6, 7};
  int64_t ra[12];
  double ones[12];
  rapport_order_frame *f;
  rapport_repurchase_options ro;
  rapport_repurchase_rate rate;
  rapport_churn_options co;
  rapport_churn_rate churn;
  int i;
  ra[0] = day(10);
  ra[1] = day(40);
  ra[2] = day(10);
  ra[3] = day(40) + 1;
  ra[4] = day(70);
  ra[5] = day(71);
  ra[6] = day(70) + 1;
  ra[7] = day(71);
  ra[8] = day(5);
  ra[9] = day(20);
  ra[10] = day(20);
  ra[11] = day(101);
  for (i = 0; i < 12; ++i) ones[i] = 1;
  f = order_frame(rc_, ra, ones, 12);
  rapport_repurchase_options_init(&ro);
  CHECK(ro.struct_size == sizeof ro && ro.window == 90 * kDay && ro.threads == 0);
  ro.window = day(30);
  rapport_repurchase_rate_init(&rate);
  CHECK(rate.struct_size == sizeof rate);
  EXPECT_OK(rapport_repurchase_rate_compute(f, day(100), &ro, &rate, &err));
  CHECK(rate.repeat_customers == 3 && rate.eligible_customers == 5 && NEAR(rate.rate, 0.6));
  CHECK(rate.struct_size == sizeof rate);
  ro.window = 0;
  EXPECT_INVALID("window: must be positive, got 0", rapport_repurchase_rate_compute(f, day(100), &ro, &rate, &err));
  CHECK(rate.repeat_customers == 3);  /* a failed call writes nothing */
  rate.struct_size = 0;
  EXPECT_INVALID("out->struct_size is 0", rapport_repurchase_rate_compute(f, day(100), NULL, &rate, &err));
  rapport_order_frame_free(f);
  /* Nobody eligible: NaN. */
  f = order_frame(NULL, NULL, NULL, 0);
  rapport_repurchase_rate_init(&rate);
  EXPECT_OK(rapport_repurchase_rate_compute(f, day(100), NULL, &rate, &err));
  CHECK(rate.eligible_customers == 0 && isnan(rate.rate));
  rapport_order_frame_free(f);

  /* Churn, PeriodAndLookbackBoundaries */
  {
    const int64_t cc[] = {1, 1, 2, 3, 4, 4, 5, 6, 6};
    int64_t ca[9];
    ca[0] = day(80);
    ca[1] = day(110);
    ca[2] = day(70);
    ca[3] = day(70) - 1;
    ca[4] = day(100) - 1;
    ca[5] = day(130);
    ca[6] = day(100);
    ca[7] = day(85);
    ca[8] = day(130) - 1;
    f = order_frame(cc, ca, ones, 9);
  }
  rapport_churn_options_init(&co);
  CHECK(co.struct_size == sizeof co && co.start == RAPPORT_NULL_TIME && co.end == RAPPORT_NULL_TIME &&
        co.lookback == 90 * kDay);
  co.start = day(100);
  co.end = day(130);
  co.lookback = day(30);
  rapport_churn_rate_init(&churn);
  EXPECT_OK(rapport_churn_compute(f, &co, &churn, &err));
  CHECK(churn.base_customers == 4 && churn.churned_customers == 2 && churn.rate == 0.5);
  co.end = co.start;
  EXPECT_INVALID("end: must be after start (8640000000000), got 8640000000000", rapport_churn_compute(f, &co, &churn, &err));
  co.end = day(130);
  co.lookback = -5;
  EXPECT_INVALID("lookback: must be positive, got -5", rapport_churn_compute(f, &co, &churn, &err));
  EXPECT_INVALID("start: must be a time, got none", rapport_churn_compute(f, NULL, &churn, &err));
  co.struct_size = 8;
  EXPECT_INVALID("rapport_churn_compute: opts->struct_size is 8", rapport_churn_compute(f, &co, &churn, &err));
  CHECK(churn.base_customers == 4);
  rapport_order_frame_free(f);
}

/* ---- Event funnels ---- */

/* tests/cpp/analytics/event_funnel_test.cc, ShopEvents: visit -> signup -> purchase within 7 days. */
static const int64_t kShopCustomer[] = {1, 1, 1, 2, 2, 2, 3, 4, 4, 5, 5, 5};
static const char *const kShopKind[] = {"visit", "signup", "purchase", "visit", "signup", "purchase",
                                        "visit", "signup", "purchase", "visit", "purchase", "signup"};
static int64_t shop_at(size_t i) {
  const int64_t at[] = {0, kHour, 2 * kHour, 0, 3 * kDay, 8 * kDay, 10 * kHour, 0, kHour, 0, kHour, 2 * kHour};
  return at[i];
}

static void check_shop_counts(rapport_event_funnel *funnel) {
  int64_t counts[3] = {0, 0, 0};
  size_t n = 0;
  EXPECT_OK(rapport_event_funnel_customers(funnel, counts, 3, &n, &err));
  CHECK(n == 3 && counts[0] == 4 && counts[1] == 3 && counts[2] == 1);
}

static void test_event_funnel(void) {
  int64_t at[12], hist[8], edges[8], counts[4];
  rapport_event_frame *events = NULL, *coded = NULL;
  rapport_event_funnel *funnel = NULL;
  rapport_event_funnel_options opts;
  rapport_event_funnel_step step;
  rapport_customer_groups *groups = NULL;
  const char *steps[] = {"visit", "signup", "purchase"};
  size_t n = 0, i;
  char *json = NULL;
  for (i = 0; i < 12; ++i) at[i] = shop_at(i);
  EXPECT_OK(rapport_event_frame_create(kShopCustomer, kShopKind, at, 12, &events, &err));
  CHECK(rapport_event_frame_rows(events) == 12);

  rapport_event_funnel_options_init(&opts);
  CHECK(opts.struct_size == sizeof opts && opts.from == RAPPORT_NULL_TIME && opts.to == RAPPORT_NULL_TIME &&
        opts.bucket_edges == NULL && opts.window == 0);
  opts.steps = steps;
  opts.step_count = 3;
  opts.window = 7 * kDay;
  EXPECT_OK(rapport_event_funnel_compute(events, &opts, NULL, &funnel, &err));
  CHECK(rapport_event_funnel_step_count(funnel) == 3);
  check_shop_counts(funnel);
  rapport_event_funnel_step_init(&step);
  EXPECT_OK(rapport_event_funnel_step_at(funnel, 0, &step, &err));
  CHECK(strcmp(step.kind, "visit") == 0 && step.customers == 4 && step.conversion_from_previous == 1 &&
        step.conversion_from_first == 1 && step.seconds_to_convert.count == 0 && isnan(step.seconds_to_convert.median));
  EXPECT_OK(rapport_event_funnel_step_at(funnel, 1, &step, &err));
  CHECK(strcmp(step.kind, "signup") == 0 && step.conversion_from_previous == 0.75 && step.conversion_from_first == 0.75);
  /* 1h, 3d, 2h: median 7200 s, p90 7200 + 0.8 * (259200 - 7200), mean 90000. */
  CHECK(step.seconds_to_convert.count == 3 && step.seconds_to_convert.median == 7200 &&
        NEAR(step.seconds_to_convert.p90, 208800) && NEAR(step.seconds_to_convert.mean, 90000));
  EXPECT_OK(rapport_event_funnel_step_at(funnel, 2, &step, &err));
  CHECK(strcmp(step.kind, "purchase") == 0 && NEAR(step.conversion_from_previous, 1.0 / 3.0) &&
        step.conversion_from_first == 0.25 && step.seconds_to_convert.median == 7200);
  EXPECT_CODE_MSG(RAPPORT_OUT_OF_RANGE, "rapport_event_funnel_step_at: step 3 is out of range (3 steps)",
                  rapport_event_funnel_step_at(funnel, 3, &step, &err));

  /* Histograms: default edges 1h, 1d, 7d, 30d; an edge belongs to the bucket below it. */
  EXPECT_OK(rapport_event_funnel_bucket_edges(funnel, edges, 8, &n, &err));
  CHECK(n == 4 && edges[0] == kHour && edges[1] == kDay && edges[2] == 7 * kDay && edges[3] == 30 * kDay);
  EXPECT_OK(rapport_event_funnel_histogram(funnel, 1, hist, 8, &n, &err));
  CHECK(n == 5 && hist[0] == 1 && hist[1] == 1 && hist[2] == 1 && hist[3] == 0 && hist[4] == 0);
  EXPECT_OK(rapport_event_funnel_histogram(funnel, 2, hist, 8, &n, &err));
  CHECK(n == 5 && hist[0] == 0 && hist[1] == 1);
  EXPECT_OK(rapport_event_funnel_histogram(funnel, 0, hist, 8, &n, &err));
  CHECK(n == 0);
  EXPECT_CODE_MSG(RAPPORT_OUT_OF_RANGE, "rapport_event_funnel_histogram: 5 values do not fit in capacity 4",
                  rapport_event_funnel_histogram(funnel, 1, hist, 4, &n, &err));
  CHECK(n == 5);
  EXPECT_CODE_MSG(RAPPORT_OUT_OF_RANGE, "step 9 is out of range", rapport_event_funnel_histogram(funnel, 9, hist, 8, &n, &err));
  CHECK(rapport_event_funnel_group_count(funnel) == 0 && rapport_event_funnel_group_label(funnel, 0) == NULL);
  EXPECT_CODE(RAPPORT_OUT_OF_RANGE, rapport_event_funnel_group_customers(funnel, 0, counts, 4, &n, &err));
  CHECK(rapport_event_funnel_rows_missing_time(funnel) == 0);
  EXPECT_OK(rapport_event_funnel_to_json(funnel, &json, &err));
  CHECK(contains(json, "{\"steps\":[{\"kind\":\"visit\",\"customers\":4,\"conversion_from_previous\":1.0,"
                       "\"conversion_from_first\":1.0,\"seconds_to_convert\":{\"count\":0,\"median\":null,"
                       "\"p90\":null,\"mean\":null},\"histogram\":[]}"));
  CHECK(contains(json, "\"histogram\":[1,1,1,0,0]"));
  CHECK(contains(json, "\"bucket_edges_micros\":[3600000000,86400000000,604800000000,2592000000000],"
                       "\"groups\":[],\"rows_missing_time\":0}"));
  rapport_string_free(json);
  rapport_event_funnel_free(funnel);

  /* Edges of our own; none at all (one bucket); the period restricts step 1 only. */
  {
    const int64_t two_hours[] = {2 * kHour};
    opts.bucket_edges = two_hours;
    opts.bucket_edge_count = 1;
    EXPECT_OK(rapport_event_funnel_compute(events, &opts, NULL, &funnel, &err));
    EXPECT_OK(rapport_event_funnel_histogram(funnel, 1, hist, 8, &n, &err));
    CHECK(n == 2 && hist[0] == 2 && hist[1] == 1);
    rapport_event_funnel_free(funnel);
    opts.bucket_edge_count = 0;
    EXPECT_OK(rapport_event_funnel_compute(events, &opts, NULL, &funnel, &err));
    EXPECT_OK(rapport_event_funnel_histogram(funnel, 1, hist, 8, &n, &err));
    CHECK(n == 1 && hist[0] == 3);
    rapport_event_funnel_free(funnel);
    opts.bucket_edges = NULL;
    opts.from = kHour;  /* only customer 3's visit (at 10h) starts */
    EXPECT_OK(rapport_event_funnel_compute(events, &opts, NULL, &funnel, &err));
    EXPECT_OK(rapport_event_funnel_customers(funnel, counts, 4, &n, &err));
    CHECK(n == 3 && counts[0] == 1 && counts[1] == 0);
    rapport_event_funnel_free(funnel);
    opts.from = RAPPORT_NULL_TIME;
  }

  /* The same events coded, with a repeated dictionary entry. */
  {
    const char *dict[] = {"visit", "signup", "purchase", "visit", "ignored"};
    const int32_t kind_codes[] = {3, 1, 2, 0, 1, 2, 0, 1, 2, 3, 2, 1};
    int32_t bad_codes[12];
    EXPECT_OK(rapport_event_frame_create_coded(kShopCustomer, kind_codes, dict, 5, at, 12, &coded, &err));
    EXPECT_OK(rapport_event_funnel_compute(coded, &opts, NULL, &funnel, &err));
    check_shop_counts(funnel);
    rapport_event_funnel_free(funnel);
    memcpy(bad_codes, kind_codes, sizeof bad_codes);
    bad_codes[2] = 5;
    EXPECT_INVALID("events: kind code 5 at row 2 is not in the dictionary",
                   rapport_event_frame_create_coded(kShopCustomer, bad_codes, dict, 5, at, 12, &coded, &err));
    bad_codes[2] = -2;
    EXPECT_INVALID("events: kind code -2 at row 2 is not in the dictionary",
                   rapport_event_frame_create_coded(kShopCustomer, bad_codes, dict, 5, at, 12, &coded, &err));
    bad_codes[2] = -1;  /* a missing kind */
    rapport_event_frame_free(coded);
    coded = NULL;
    EXPECT_OK(rapport_event_frame_create_coded(kShopCustomer, bad_codes, dict, 5, at, 12, &coded, &err));
    EXPECT_OK(rapport_event_funnel_compute(coded, &opts, NULL, &funnel, &err));
    EXPECT_OK(rapport_event_funnel_customers(funnel, counts, 4, &n, &err));
    CHECK(counts[0] == 4 && counts[2] == 0);  /* customer 1's purchase is gone */
    rapport_event_funnel_free(funnel);
    rapport_event_frame_free(coded);
    coded = NULL;
    dict[1] = NULL;
    EXPECT_NULL_ARG("dictionary[1]", rapport_event_frame_create_coded(kShopCustomer, kind_codes, dict, 5, at, 12, &coded, &err));
    dict[1] = "sign\xC0up";
    EXPECT_INVALID("dictionary[1]", rapport_event_frame_create_coded(kShopCustomer, kind_codes, dict, 5, at, 12, &coded, &err));
    EXPECT_NULL_ARG("dictionary", rapport_event_frame_create_coded(kShopCustomer, kind_codes, NULL, 5, at, 12, &coded, &err));
    CHECK(coded == NULL);
  }

  /* A breakdown: labels in order of first appearance, then the null group. */
  {
    const int64_t who[] = {5, 1, 2, 9, 3};
    const char *label[] = {"b2c", "b2b", "b2b", "gov", NULL};
    const int64_t twice[] = {1, 1};
    const char *two[] = {"a", "b"};
    EXPECT_OK(rapport_customer_groups_create(who, label, 5, &groups, &err));
    EXPECT_OK(rapport_event_funnel_compute(events, &opts, groups, &funnel, &err));
    check_shop_counts(funnel);
    CHECK(rapport_event_funnel_group_count(funnel) == 4);
    CHECK(strcmp(rapport_event_funnel_group_label(funnel, 0), "b2c") == 0);
    CHECK(strcmp(rapport_event_funnel_group_label(funnel, 1), "b2b") == 0);
    CHECK(strcmp(rapport_event_funnel_group_label(funnel, 2), "gov") == 0);
    CHECK(rapport_event_funnel_group_label(funnel, 3) == NULL);
    EXPECT_OK(rapport_event_funnel_group_customers(funnel, 0, counts, 4, &n, &err));
    CHECK(n == 3 && counts[0] == 1 && counts[1] == 1 && counts[2] == 0);
    EXPECT_OK(rapport_event_funnel_group_customers(funnel, 1, counts, 4, &n, &err));
    CHECK(counts[0] == 2 && counts[1] == 2 && counts[2] == 1);
    EXPECT_OK(rapport_event_funnel_group_customers(funnel, 2, counts, 4, &n, &err));
    CHECK(counts[0] == 0 && counts[1] == 0 && counts[2] == 0);
    EXPECT_OK(rapport_event_funnel_group_customers(funnel, 3, counts, 4, &n, &err));
    CHECK(counts[0] == 1 && counts[1] == 0 && counts[2] == 0);
    EXPECT_CODE_MSG(RAPPORT_OUT_OF_RANGE, "rapport_event_funnel_group_customers: group 4 is out of range (4 groups)",
                    rapport_event_funnel_group_customers(funnel, 4, counts, 4, &n, &err));
    EXPECT_CODE(RAPPORT_OUT_OF_RANGE, rapport_event_funnel_group_customers(funnel, 1, counts, 2, &n, &err));
    CHECK(n == 3);
    EXPECT_OK(rapport_event_funnel_to_json(funnel, &json, &err));
    CHECK(contains(json, "\"groups\":[{\"label\":\"b2c\",\"customers\":[1,1,0]},{\"label\":\"b2b\",\"customers\":[2,2,1]},"
                         "{\"label\":\"gov\",\"customers\":[0,0,0]},{\"label\":null,\"customers\":[1,0,0]}]"));
    rapport_string_free(json);
    rapport_event_funnel_free(funnel);
    rapport_customer_groups_free(groups);
    groups = NULL;
    EXPECT_OK(rapport_customer_groups_create(twice, two, 2, &groups, &err));
    funnel = NULL;
    EXPECT_INVALID("breakdown: customer 1 appears more than once",
                   rapport_event_funnel_compute(events, &opts, groups, &funnel, &err));
    CHECK(funnel == NULL);
    rapport_customer_groups_free(groups);
    groups = NULL;
    two[1] = "\xE4\xB8";
    EXPECT_INVALID("group[1]", rapport_customer_groups_create(twice, two, 2, &groups, &err));
    EXPECT_NULL_ARG("group", rapport_customer_groups_create(twice, NULL, 2, &groups, &err));
    EXPECT_OK(rapport_customer_groups_create(NULL, NULL, 0, &groups, &err));
    EXPECT_OK(rapport_event_funnel_compute(events, &opts, groups, &funnel, &err));
    CHECK(rapport_event_funnel_group_count(funnel) == 1 && rapport_event_funnel_group_label(funnel, 0) == NULL);
    rapport_event_funnel_free(funnel);
    rapport_customer_groups_free(groups);
  }

  /* Errors: the core's messages, NULL lists, UTF-8. */
  funnel = NULL;
  opts.step_count = 1;
  EXPECT_INVALID("steps: at least 2 are needed (got 1)", rapport_event_funnel_compute(events, &opts, NULL, &funnel, &err));
  EXPECT_INVALID("steps: at least 2 are needed (got 0)", rapport_event_funnel_compute(events, NULL, NULL, &funnel, &err));
  opts.step_count = 3;
  opts.window = 0;
  EXPECT_INVALID("window: must be positive (got 0)", rapport_event_funnel_compute(events, &opts, NULL, &funnel, &err));
  opts.window = kDay;
  opts.from = 10;
  opts.to = 10;
  EXPECT_INVALID("to: must be later than from", rapport_event_funnel_compute(events, &opts, NULL, &funnel, &err));
  opts.from = opts.to = RAPPORT_NULL_TIME;
  {
    const int64_t bad_edges[] = {kDay, kHour};
    opts.bucket_edges = bad_edges;
    opts.bucket_edge_count = 2;
    EXPECT_INVALID("bucket_edges: must be positive and strictly increasing",
                   rapport_event_funnel_compute(events, &opts, NULL, &funnel, &err));
  }
  opts.bucket_edges = NULL;
  EXPECT_NULL_ARG("opts->bucket_edges", rapport_event_funnel_compute(events, &opts, NULL, &funnel, &err));
  opts.bucket_edge_count = 0;
  opts.threads = 65;
  EXPECT_INVALID("threads: must be between 0 and 64 (got 65)", rapport_event_funnel_compute(events, &opts, NULL, &funnel, &err));
  opts.threads = 0;
  steps[1] = NULL;
  EXPECT_NULL_ARG("opts->steps[1]", rapport_event_funnel_compute(events, &opts, NULL, &funnel, &err));
  steps[1] = "sign\xFFup";
  EXPECT_INVALID("opts->steps[1]", rapport_event_funnel_compute(events, &opts, NULL, &funnel, &err));
  steps[1] = "signup";
  opts.steps = NULL;
  EXPECT_NULL_ARG("opts->steps", rapport_event_funnel_compute(events, &opts, NULL, &funnel, &err));
  opts.struct_size = 8;
  EXPECT_INVALID("opts->struct_size is 8", rapport_event_funnel_compute(events, &opts, NULL, &funnel, &err));
  CHECK(funnel == NULL);
  rapport_event_frame_free(events);
  events = NULL;
  {
    const char *kinds[] = {"visit", "\xC3\x28"};
    const int64_t two[] = {1, 2};
    EXPECT_INVALID("kind[1]", rapport_event_frame_create(two, kinds, two, 2, &events, &err));
    EXPECT_NULL_ARG("at", rapport_event_frame_create(two, kinds, NULL, 2, &events, &err));
    CHECK(events == NULL);
  }
}

/* ---- Stage funnels ---- */

static void test_stage_funnel(void) {
  /* tests/cpp/analytics/stage_funnel_test.cc, Pipeline */
  const int64_t entity[] = {1, 1, 1, 1, 2, 2, 2, 3, 4, 4, 4, 4};
  const char *stage[] = {"Lead", "Qualified", "Proposal", "Won", "Lead", "Qualified", "Lost",
                         "Lead", "Qualified", "Proposal", "Negotiation", "Won"};
  int64_t at[12];
  const char *stages[] = {"Lead", "Qualified", "Proposal", "Negotiation"};
  const char *won[] = {"Won"};
  const char *lost[] = {"Lost"};
  rapport_stage_history_frame *h = NULL;
  rapport_stage_funnel *funnel = NULL;
  rapport_stage_funnel_options opts;
  rapport_stage_funnel_stage s;
  rapport_duration_summary cycle;
  int64_t reached[16];
  double shares[16];
  size_t n = 0;
  char *json = NULL;
  at[0] = 0;
  at[1] = 2 * kDay;
  at[2] = 5 * kDay;
  at[3] = 6 * kDay;
  at[4] = 0;
  at[5] = kDay;
  at[6] = 4 * kDay;
  at[7] = kDay;
  at[8] = 0;
  at[9] = 3 * kDay;
  at[10] = 4 * kDay;
  at[11] = 10 * kDay;
  EXPECT_OK(rapport_stage_history_frame_create(entity, stage, at, 12, &h, &err));
  CHECK(rapport_stage_history_frame_rows(h) == 12);
  rapport_stage_funnel_options_init(&opts);
  CHECK(opts.struct_size == sizeof opts && opts.as_of == RAPPORT_NULL_TIME && opts.stage_count == 0);
  opts.stages = stages;
  opts.stage_count = 4;
  opts.won_stages = won;
  opts.won_stage_count = 1;
  opts.lost_stages = lost;
  opts.lost_stage_count = 1;
  EXPECT_OK(rapport_stage_funnel_compute(h, &opts, &funnel, &err));
  CHECK(rapport_stage_funnel_stage_count(funnel) == 4 && rapport_stage_funnel_entities(funnel) == 4);
  rapport_stage_funnel_stage_init(&s);
  EXPECT_OK(rapport_stage_funnel_stage_at(funnel, 0, &s, &err));
  CHECK(strcmp(s.stage, "Lead") == 0 && s.entered == 3 && s.advanced == 2 && NEAR(s.conversion_to_next, 2.0 / 3.0));
  CHECK(s.days_in_stage.count == 2 && s.days_in_stage.median == 1.5 && NEAR(s.days_in_stage.p90, 1.9) &&
        s.days_in_stage.mean == 1.5);
  CHECK(s.open_visits == 1 && s.open_age_days.count == 0 && isnan(s.open_age_days.median));
  EXPECT_OK(rapport_stage_funnel_stage_at(funnel, 1, &s, &err));
  CHECK(s.entered == 3 && s.advanced == 2 && s.days_in_stage.count == 3 && s.days_in_stage.median == 3);
  EXPECT_OK(rapport_stage_funnel_stage_at(funnel, 3, &s, &err));
  CHECK(strcmp(s.stage, "Negotiation") == 0 && s.entered == 1 && s.advanced == 0 && isnan(s.conversion_to_next));
  EXPECT_CODE_MSG(RAPPORT_OUT_OF_RANGE, "rapport_stage_funnel_stage_at: stage 4 is out of range (4 stages)",
                  rapport_stage_funnel_stage_at(funnel, 4, &s, &err));
  EXPECT_OK(rapport_stage_funnel_reached(funnel, reached, 16, &n, &err));
  CHECK(n == 16 && reached[0 * 4 + 1] == 2 && reached[0 * 4 + 2] == 1 && reached[0 * 4 + 3] == 0 &&
        reached[1 * 4 + 2] == 2 && reached[1 * 4 + 3] == 1 && reached[2 * 4 + 3] == 1 && reached[1 * 4 + 0] == 0);
  EXPECT_OK(rapport_stage_funnel_reached_shares(funnel, shares, 16, &n, &err));
  CHECK(n == 16 && NEAR(shares[1], 2.0 / 3.0) && NEAR(shares[1 * 4 + 3], 1.0 / 3.0) && shares[3] == 0 &&
        isnan(shares[1 * 4 + 0]) && isnan(shares[2 * 4 + 2]));
  EXPECT_CODE_MSG(RAPPORT_OUT_OF_RANGE, "rapport_stage_funnel_reached_shares: 16 values do not fit in capacity 15",
                  rapport_stage_funnel_reached_shares(funnel, shares, 15, &n, &err));
  CHECK(rapport_stage_funnel_won(funnel) == 2 && rapport_stage_funnel_lost(funnel) == 1 &&
        NEAR(rapport_stage_funnel_win_rate(funnel), 2.0 / 3.0));
  rapport_stage_funnel_cycle_days(funnel, &cycle);
  CHECK(cycle.count == 2 && cycle.median == 8 && NEAR(cycle.p90, 9.6) && cycle.mean == 8);
  CHECK(rapport_stage_funnel_ignored_rows(funnel) == 0 && rapport_stage_funnel_rows_missing_time(funnel) == 0);
  EXPECT_OK(rapport_stage_funnel_to_json(funnel, &json, &err));
  CHECK(contains(json, "{\"as_of\":null,\"stages\":[{\"stage\":\"Lead\",\"entered\":3,\"advanced\":2,"));
  CHECK(contains(json, "\"reached\":[[0,2,1,0],[0,0,2,1],[0,0,0,1],[0,0,0,0]],\"entities\":4,\"won\":2,\"lost\":1,"));
  CHECK(contains(json, "\"cycle_days\":{\"count\":2,\"median\":8.0,"));
  rapport_string_free(json);
  rapport_stage_funnel_free(funnel);

  /* With as_of, open visits get an age: entity 3 has been a Lead since day 1. */
  opts.as_of = 11 * kDay;
  EXPECT_OK(rapport_stage_funnel_compute(h, &opts, &funnel, &err));
  EXPECT_OK(rapport_stage_funnel_stage_at(funnel, 0, &s, &err));
  CHECK(s.open_age_days.count == 1 && s.open_age_days.median == 10);
  EXPECT_OK(rapport_stage_funnel_to_json(funnel, &json, &err));
  CHECK(contains(json, "{\"as_of\":\"1970-01-12T00:00:00Z\","));
  rapport_string_free(json);
  rapport_stage_funnel_free(funnel);
  funnel = NULL;

  /* Errors. */
  opts.stage_count = 0;
  EXPECT_INVALID("stages: at least 1 is needed (got 0)", rapport_stage_funnel_compute(h, &opts, &funnel, &err));
  EXPECT_INVALID("stages: at least 1 is needed (got 0)", rapport_stage_funnel_compute(h, NULL, &funnel, &err));
  opts.stage_count = 4;
  stages[2] = "Lead";
  EXPECT_INVALID("stages: \"Lead\" appears more than once", rapport_stage_funnel_compute(h, &opts, &funnel, &err));
  stages[2] = "Proposal";
  lost[0] = "Won";
  EXPECT_INVALID("won_stages: \"Won\" is also a lost stage", rapport_stage_funnel_compute(h, &opts, &funnel, &err));
  lost[0] = "Lost";
  opts.lost_stages = NULL;
  EXPECT_NULL_ARG("opts->lost_stages", rapport_stage_funnel_compute(h, &opts, &funnel, &err));
  opts.lost_stage_count = 0;  /* NULL with count 0: none */
  EXPECT_OK(rapport_stage_funnel_compute(h, &opts, &funnel, &err));
  CHECK(rapport_stage_funnel_lost(funnel) == 0 && rapport_stage_funnel_ignored_rows(funnel) == 1);
  rapport_stage_funnel_free(funnel);
  funnel = NULL;
  won[0] = "W\xF0\x9F";
  EXPECT_INVALID("opts->won_stages[0]", rapport_stage_funnel_compute(h, &opts, &funnel, &err));
  won[0] = "Won";
  opts.threads = -1;
  EXPECT_INVALID("threads: must be between 0 and 64 (got -1)", rapport_stage_funnel_compute(h, &opts, &funnel, &err));
  CHECK(funnel == NULL);
  rapport_stage_history_frame_free(h);
  h = NULL;

  /* Coded stages. */
  {
    const char *dict[] = {"A", "B"};
    const int32_t codes[] = {0, 1, -1};
    const int32_t bad[] = {0, 2, 1};
    const int64_t e[] = {1, 1, 1};
    const int64_t t[] = {0, kDay, 2 * kDay};
    const char *ab[] = {"A", "B"};
    EXPECT_INVALID("history: stage code 2 at row 1 is not in the dictionary",
                   rapport_stage_history_frame_create_coded(e, bad, dict, 2, t, 3, &h, &err));
    CHECK(h == NULL);
    EXPECT_OK(rapport_stage_history_frame_create_coded(e, codes, dict, 2, t, 3, &h, &err));
    rapport_stage_funnel_options_init(&opts);
    opts.stages = ab;
    opts.stage_count = 2;
    EXPECT_OK(rapport_stage_funnel_compute(h, &opts, &funnel, &err));
    EXPECT_OK(rapport_stage_funnel_reached(funnel, reached, 16, &n, &err));
    CHECK(n == 4 && reached[1] == 1 && rapport_stage_funnel_ignored_rows(funnel) == 1);
    rapport_stage_funnel_free(funnel);
    rapport_stage_history_frame_free(h);
  }
}

/* ---- Frames from a database ---- */

static void test_db_frames(void) {
  rapport_db *db = open_memory(date(2025, 3, 1));
  rapport_order_draft od;
  rapport_order_frame *f = NULL;
  rapport_frame_options fo;
  rapport_rfm *rfm = NULL;
  int64_t a, b, customer[8], at[8];
  double amount[8];
  size_t n = 0;
  const char *statuses[] = {"completed", "refunded"};
  int64_t seq;
  a = create_customer(db, "{\"name\":\"Ann\"}");
  b = create_customer(db, "{\"name\":\"Bob\"}");
  rapport_order_draft_init(&od);
  od.currency = "CNY";
  od.customer_id = b;
  od.amount_minor = 12950;
  od.ordered_at = date(2025, 1, 2);
  EXPECT_OK(rapport_order_add(db, &od, NULL, &err));
  od.customer_id = a;
  od.amount_minor = 10000;
  od.ordered_at = date(2025, 2, 1);
  EXPECT_OK(rapport_order_add(db, &od, NULL, &err));
  od.ordered_at = date(2025, 1, 1);
  EXPECT_OK(rapport_order_add(db, &od, NULL, &err));
  od.status = "refunded";
  od.amount_minor = 500;
  EXPECT_OK(rapport_order_add(db, &od, NULL, &err));
  seq = last_seq(db);

  /* Completed orders by (customer, time), amounts in major units. */
  EXPECT_OK(rapport_db_order_frame(db, NULL, &f, &err));
  CHECK(rapport_order_frame_rows(f) == 3);
  EXPECT_OK(rapport_order_frame_columns(f, customer, at, amount, 8, &n, &err));
  CHECK(n == 3 && customer[0] == a && customer[1] == a && customer[2] == b);
  CHECK(at[0] == date(2025, 1, 1) && at[1] == date(2025, 2, 1) && amount[0] == 100 && amount[2] == 129.5);
  /* Columns may be skipped; too small is OUT_OF_RANGE. */
  amount[0] = -1;
  EXPECT_OK(rapport_order_frame_columns(f, customer, NULL, NULL, 3, &n, &err));
  CHECK(amount[0] == -1);
  EXPECT_OK(rapport_order_frame_columns(f, NULL, NULL, NULL, 0, &n, &err));
  CHECK(n == 3);
  EXPECT_CODE_MSG(RAPPORT_OUT_OF_RANGE, "rapport_order_frame_columns: 3 values do not fit in capacity 2",
                  rapport_order_frame_columns(f, NULL, at, NULL, 2, &n, &err));
  CHECK(n == 3);
  EXPECT_OK(rapport_rfm_compute(f, date(2025, 3, 1), NULL, &rfm, &err));
  CHECK(rapport_rfm_rows(rfm) == 2);
  rapport_rfm_free(rfm);
  rapport_order_frame_free(f);

  /* Statuses and currency. */
  rapport_frame_options_init(&fo);
  CHECK(fo.struct_size == sizeof fo && fo.currency == NULL && fo.order_status_count == 0);
  fo.order_statuses = statuses;
  fo.order_status_count = 2;
  EXPECT_OK(rapport_db_order_frame(db, &fo, &f, &err));
  CHECK(rapport_order_frame_rows(f) == 4);
  rapport_order_frame_free(f);
  od.status = NULL;
  od.currency = "USD";
  od.amount_minor = 100;
  EXPECT_OK(rapport_order_add(db, &od, NULL, &err));
  f = NULL;
  EXPECT_FAIL(rapport_db_order_frame(db, NULL, &f, &err));
  CHECK(f == NULL);
  fo.currency = "USD";
  EXPECT_OK(rapport_db_order_frame(db, &fo, &f, &err));
  CHECK(rapport_order_frame_rows(f) == 1);
  rapport_order_frame_free(f);
  f = NULL;
  fo.currency = "\xFF";
  EXPECT_INVALID("opts->currency", rapport_db_order_frame(db, &fo, &f, &err));
  fo.currency = NULL;
  fo.order_statuses = NULL;
  EXPECT_NULL_ARG("opts->order_statuses", rapport_db_order_frame(db, &fo, &f, &err));
  fo.struct_size = 2;
  EXPECT_INVALID("opts->struct_size is 2", rapport_db_order_frame(db, &fo, &f, &err));
  CHECK(f == NULL);
  CHECK(last_seq(db) == seq + 1);  /* reading frames writes nothing */
  rapport_db_close(db);
}

/* ---- NULL arguments ---- */

static void test_analytics_null(void) {
  const int64_t one[] = {1};
  const char *kinds[] = {"a"};
  const double amount[] = {1};
  int64_t i64[4];
  double d[4];
  size_t n = 0;
  char *json = NULL;
  rapport_order_frame *of = NULL;
  rapport_event_frame *ef = NULL;
  rapport_stage_history_frame *sf = NULL;
  rapport_customer_groups *g = NULL;
  rapport_rfm *rfm = NULL;
  rapport_value_tiers *vt = NULL;
  rapport_cohorts *c = NULL;
  rapport_event_funnel *efun = NULL;
  rapport_stage_funnel *sfun = NULL;
  rapport_rfm_summary s;
  rapport_repurchase_rate rr;
  rapport_churn_rate cr;
  rapport_event_funnel_step step;
  rapport_stage_funnel_stage stage;
  rapport_duration_summary ds;
  rapport_db *db = open_memory(0);

  rapport_rfm_summary_init(&s);
  rapport_repurchase_rate_init(&rr);
  rapport_churn_rate_init(&cr);
  rapport_event_funnel_step_init(&step);
  rapport_stage_funnel_stage_init(&stage);

  /* Frames. */
  EXPECT_NULL_ARG("out", rapport_order_frame_create(one, one, amount, 1, NULL, &err));
  EXPECT_NULL_ARG("customer", rapport_order_frame_create(NULL, one, amount, 1, &of, &err));
  EXPECT_NULL_ARG("at", rapport_order_frame_create(one, NULL, amount, 1, &of, &err));
  EXPECT_NULL_ARG("amount", rapport_order_frame_create(one, one, NULL, 1, &of, &err));
  EXPECT_NULL_ARG("db", rapport_db_order_frame(NULL, NULL, &of, &err));
  EXPECT_NULL_ARG("out", rapport_db_order_frame(db, NULL, NULL, &err));
  EXPECT_NULL_ARG("frame", rapport_order_frame_columns(NULL, i64, NULL, NULL, 4, &n, &err));
  EXPECT_NULL_ARG("out", rapport_event_frame_create(one, kinds, one, 1, NULL, &err));
  EXPECT_NULL_ARG("customer", rapport_event_frame_create(NULL, kinds, one, 1, &ef, &err));
  EXPECT_NULL_ARG("kind", rapport_event_frame_create(one, NULL, one, 1, &ef, &err));
  EXPECT_NULL_ARG("kind_codes", rapport_event_frame_create_coded(one, NULL, kinds, 1, one, 1, &ef, &err));
  EXPECT_NULL_ARG("out", rapport_event_frame_create_coded(one, NULL, kinds, 1, one, 1, NULL, &err));
  EXPECT_NULL_ARG("out", rapport_stage_history_frame_create(one, kinds, one, 1, NULL, &err));
  EXPECT_NULL_ARG("entity", rapport_stage_history_frame_create(NULL, kinds, one, 1, &sf, &err));
  EXPECT_NULL_ARG("stage", rapport_stage_history_frame_create(one, NULL, one, 1, &sf, &err));
  EXPECT_NULL_ARG("entered_at", rapport_stage_history_frame_create(one, kinds, NULL, 1, &sf, &err));
  EXPECT_NULL_ARG("stage_codes", rapport_stage_history_frame_create_coded(one, NULL, kinds, 1, one, 1, &sf, &err));
  EXPECT_NULL_ARG("out", rapport_customer_groups_create(one, kinds, 1, NULL, &err));
  EXPECT_NULL_ARG("customer", rapport_customer_groups_create(NULL, kinds, 1, &g, &err));
  CHECK(of == NULL && ef == NULL && sf == NULL && g == NULL);

  /* Analyses. */
  EXPECT_OK(rapport_order_frame_create(one, one, amount, 1, &of, &err));
  EXPECT_NULL_ARG("orders", rapport_rfm_compute(NULL, 5, NULL, &rfm, &err));
  EXPECT_NULL_ARG("out", rapport_rfm_compute(of, 5, NULL, NULL, &err));
  EXPECT_NULL_ARG("orders", rapport_value_tiers_compute(NULL, 5, NULL, &vt, &err));
  EXPECT_NULL_ARG("out", rapport_value_tiers_compute(of, 5, NULL, NULL, &err));
  EXPECT_NULL_ARG("orders", rapport_cohorts_compute(NULL, 5, NULL, &c, &err));
  EXPECT_NULL_ARG("out", rapport_cohorts_compute(of, 5, NULL, NULL, &err));
  EXPECT_NULL_ARG("orders", rapport_repurchase_rate_compute(NULL, 5, NULL, &rr, &err));
  EXPECT_NULL_ARG("out", rapport_repurchase_rate_compute(of, 5, NULL, NULL, &err));
  EXPECT_NULL_ARG("orders", rapport_churn_compute(NULL, NULL, &cr, &err));
  EXPECT_NULL_ARG("out", rapport_churn_compute(of, NULL, NULL, &err));
  EXPECT_NULL_ARG("events", rapport_event_funnel_compute(NULL, NULL, NULL, &efun, &err));
  EXPECT_OK(rapport_event_frame_create(one, kinds, one, 1, &ef, &err));
  EXPECT_NULL_ARG("out", rapport_event_funnel_compute(ef, NULL, NULL, NULL, &err));
  EXPECT_NULL_ARG("history", rapport_stage_funnel_compute(NULL, NULL, &sfun, &err));
  EXPECT_OK(rapport_stage_history_frame_create(one, kinds, one, 1, &sf, &err));
  EXPECT_NULL_ARG("out", rapport_stage_funnel_compute(sf, NULL, NULL, &err));
  CHECK(rfm == NULL && vt == NULL && c == NULL && efun == NULL && sfun == NULL);

  /* Result functions. */
  EXPECT_NULL_ARG("rfm", rapport_rfm_customers(NULL, i64, 4, &n, &err));
  EXPECT_NULL_ARG("rfm", rapport_rfm_recency_days(NULL, NULL, 0, &n, &err));
  EXPECT_NULL_ARG("rfm", rapport_rfm_frequency(NULL, i64, 4, &n, &err));
  EXPECT_NULL_ARG("rfm", rapport_rfm_monetary(NULL, d, 4, &n, &err));
  EXPECT_NULL_ARG("rfm", rapport_rfm_scores(NULL, NULL, NULL, NULL, 0, &n, &err));
  EXPECT_NULL_ARG("rfm", rapport_rfm_segment_codes(NULL, NULL, 0, &n, &err));
  EXPECT_NULL_ARG("rfm", rapport_rfm_summary_at(NULL, 0, &s, &err));
  EXPECT_NULL_ARG("rfm", rapport_rfm_grid(NULL, i64, 4, &n, &err));
  EXPECT_NULL_ARG("rfm", rapport_rfm_to_json(NULL, &json, &err));
  EXPECT_NULL_ARG("tiers", rapport_value_tiers_customers(NULL, i64, 4, &n, &err));
  EXPECT_NULL_ARG("tiers", rapport_value_tiers_monetary(NULL, d, 4, &n, &err));
  EXPECT_NULL_ARG("tiers", rapport_value_tiers_codes(NULL, NULL, 0, &n, &err));
  EXPECT_NULL_ARG("tiers", rapport_value_tiers_to_json(NULL, &json, &err));
  EXPECT_NULL_ARG("cohorts", rapport_cohorts_starts(NULL, i64, 4, &n, &err));
  EXPECT_NULL_ARG("cohorts", rapport_cohorts_sizes(NULL, i64, 4, &n, &err));
  EXPECT_NULL_ARG("cohorts", rapport_cohorts_counts(NULL, i64, 4, &n, &err));
  EXPECT_NULL_ARG("cohorts", rapport_cohorts_rates(NULL, d, 4, &n, &err));
  EXPECT_NULL_ARG("cohorts", rapport_cohorts_to_json(NULL, &json, &err));
  EXPECT_NULL_ARG("funnel", rapport_event_funnel_step_at(NULL, 0, &step, &err));
  EXPECT_NULL_ARG("funnel", rapport_event_funnel_customers(NULL, i64, 4, &n, &err));
  EXPECT_NULL_ARG("funnel", rapport_event_funnel_bucket_edges(NULL, i64, 4, &n, &err));
  EXPECT_NULL_ARG("funnel", rapport_event_funnel_histogram(NULL, 0, i64, 4, &n, &err));
  EXPECT_NULL_ARG("funnel", rapport_event_funnel_group_customers(NULL, 0, i64, 4, &n, &err));
  EXPECT_NULL_ARG("funnel", rapport_event_funnel_to_json(NULL, &json, &err));
  EXPECT_NULL_ARG("funnel", rapport_stage_funnel_stage_at(NULL, 0, &stage, &err));
  EXPECT_NULL_ARG("funnel", rapport_stage_funnel_reached(NULL, i64, 4, &n, &err));
  EXPECT_NULL_ARG("funnel", rapport_stage_funnel_reached_shares(NULL, d, 4, &n, &err));
  EXPECT_NULL_ARG("funnel", rapport_stage_funnel_to_json(NULL, &json, &err));
  CHECK(json == NULL);

  EXPECT_OK(rapport_rfm_compute(of, 5, NULL, &rfm, &err));
  EXPECT_NULL_ARG("out", rapport_rfm_summary_at(rfm, 0, NULL, &err));
  EXPECT_NULL_ARG("out", rapport_rfm_to_json(rfm, NULL, &err));
  EXPECT_NULL_ARG("out_count", rapport_rfm_scores(rfm, NULL, NULL, NULL, 0, NULL, &err));
  EXPECT_NULL_ARG("out_count", rapport_rfm_customers(rfm, i64, 4, NULL, &err));
  rapport_rfm_free(rfm);

  /* Accessors and free functions accept NULL. */
  CHECK(rapport_order_frame_rows(NULL) == 0 && rapport_event_frame_rows(NULL) == 0 &&
        rapport_stage_history_frame_rows(NULL) == 0);
  CHECK(rapport_rfm_rows(NULL) == 0 && rapport_rfm_as_of(NULL) == 0 && rapport_rfm_bins(NULL) == 0);
  CHECK(rapport_rfm_segment_count(NULL) == 0 && rapport_rfm_segment_name(NULL, 0) == NULL);
  CHECK(rapport_value_tiers_rows(NULL) == 0 && rapport_value_tiers_name(NULL, 0) == NULL &&
        rapport_value_tiers_tier_customers(NULL, 0) == 0 && rapport_value_tiers_tier_revenue(NULL, 0) == 0);
  CHECK(rapport_cohorts_count(NULL) == 0 && rapport_cohorts_periods(NULL) == 0 && rapport_cohorts_as_of(NULL) == 0 &&
        rapport_cohorts_label(NULL, 0) == NULL && rapport_cohorts_period(NULL) == RAPPORT_COHORT_MONTH);
  CHECK(rapport_event_funnel_step_count(NULL) == 0 && rapport_event_funnel_group_count(NULL) == 0 &&
        rapport_event_funnel_group_label(NULL, 0) == NULL && rapport_event_funnel_rows_missing_time(NULL) == 0);
  CHECK(rapport_stage_funnel_stage_count(NULL) == 0 && rapport_stage_funnel_entities(NULL) == 0 &&
        rapport_stage_funnel_won(NULL) == 0 && rapport_stage_funnel_lost(NULL) == 0 &&
        rapport_stage_funnel_win_rate(NULL) == 0 && rapport_stage_funnel_ignored_rows(NULL) == 0 &&
        rapport_stage_funnel_rows_missing_time(NULL) == 0);
  ds.count = 9;
  rapport_stage_funnel_cycle_days(NULL, &ds);
  CHECK(ds.count == 0 && isnan(ds.median));
  rapport_stage_funnel_cycle_days(NULL, NULL);
  rapport_frame_options_init(NULL);
  rapport_rfm_options_init(NULL);
  rapport_rfm_summary_init(NULL);
  rapport_value_tier_options_init(NULL);
  rapport_cohort_options_init(NULL);
  rapport_repurchase_options_init(NULL);
  rapport_repurchase_rate_init(NULL);
  rapport_churn_options_init(NULL);
  rapport_churn_rate_init(NULL);
  rapport_event_funnel_options_init(NULL);
  rapport_event_funnel_step_init(NULL);
  rapport_stage_funnel_options_init(NULL);
  rapport_stage_funnel_stage_init(NULL);
  rapport_order_frame_free(NULL);
  rapport_event_frame_free(NULL);
  rapport_stage_history_frame_free(NULL);
  rapport_customer_groups_free(NULL);
  rapport_rfm_free(NULL);
  rapport_value_tiers_free(NULL);
  rapport_cohorts_free(NULL);
  rapport_event_funnel_free(NULL);
  rapport_stage_funnel_free(NULL);
  rapport_event_funnel_free(efun);
  rapport_stage_funnel_free(sfun);
  rapport_order_frame_free(of);
  rapport_event_frame_free(ef);
  rapport_stage_history_frame_free(sf);
  /* A NULL err is allowed. */
  CHECK(rapport_rfm_compute(NULL, 0, NULL, &rfm, NULL) == RAPPORT_INVALID_ARGUMENT);
  rapport_db_close(db);
}

void test_analytics(void) {
  test_rfm();
  test_value_tiers();
  test_cohorts();
  test_repurchase_and_churn();
  test_event_funnel();
  test_stage_funnel();
  test_db_frames();
  test_analytics_null();
}
