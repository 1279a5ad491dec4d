#include <cmath>
#include <functional>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "base/strings.h"
#include "rapport/segment.h"

namespace rapport {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kDay = kMicrosPerDay;
constexpr int64_t kNow = 20000 * kDay;  // 2024-10-04

// Five customers: ids 10..50.
CustomerFrame SmallFrame() {
  CustomerFrame f;
  f.ids = {10, 20, 30, 40, 50};
  CategoryColumn industry, region;
  for (auto v : {"制造业", "Retail", "制造业", "", "Retail"}) industry.Append(std::string_view(v).empty() ? std::nullopt : std::optional<std::string_view>(v));
  for (auto v : {"华东", "华东", "华南", "华东", ""}) region.Append(std::string_view(v).empty() ? std::nullopt : std::optional<std::string_view>(v));
  TextColumn name;
  for (auto v : {"上海机床厂", "Acme Retail", "广州五金", "Zed", "Acme Goods"}) name.Append(std::string_view(v));
  SetColumn tags;
  tags.Append({"vip", "b2b"});
  tags.Append({"VIP"});
  tags.Append({});
  tags.Append({"b2b"});
  tags.Append({"vip", "blocked"});
  f.Add("industry", std::move(industry));
  f.Add("region", std::move(region));
  f.Add("name", std::move(name));
  f.Add("tags", std::move(tags));
  f.Add("active", BoolColumn{{1, 0, -1, 1, 0}});
  OrderFrame o;
  auto add = [&](int64_t c, int64_t day, double amount) {
    o.customer.push_back(c);
    o.at.push_back(kNow - day * kDay);
    o.amount.push_back(amount);
  };
  add(10, 400, 3000);
  add(10, 30, 4000);  // customer 10: 7000, last 30 days ago
  add(20, 200, 9000);  // 20: 9000, last 200 days ago
  add(30, 10, 100);    // 30: 100, 10 days ago
  add(50, 91, 6000);   // 50: 6000, 91 days ago (just over 90)
  EXPECT_TRUE(AddOrderMetrics(o, f).ok());
  return f;
}

std::vector<int64_t> Eval(const CustomerFrame& f, std::string_view text, SegmentContext ctx = {}) {
  auto e = SegmentExpr::Parse(text);
  EXPECT_TRUE(e.ok()) << e.status();
  if (ctx.as_of == kNullTime) ctx.as_of = kNow;
  auto r = EvaluateSegment(*e, f, ctx);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status();
  return r.ok() ? *r : std::vector<int64_t>{-1};
}

// The first line of the error (check errors go on with the source line and a caret).
std::string EvalError(const CustomerFrame& f, std::string_view text, SegmentContext ctx = {}) {
  auto e = SegmentExpr::Parse(text);
  EXPECT_TRUE(e.ok()) << e.status();
  auto r = EvaluateSegment(*e, f, ctx);
  EXPECT_FALSE(r.ok()) << text;
  if (r.ok()) return "";
  std::string message(r.status().message());
  return message.substr(0, message.find('\n'));
}

TEST(SegmentEval, IssueExample) {
  CustomerFrame f = SmallFrame();
  SegmentContext ctx;
  ctx.as_of = kNow;
  ctx.segment_members = [](std::string_view name) -> absl::StatusOr<std::vector<int64_t>> {
    if (name == "blocked") return std::vector<int64_t>{50};
    return absl::NotFoundError(StrCat("no saved segment named \"", std::string(name), "\""));
  };
  EXPECT_THAT(Eval(f,
                   "industry in (\"制造业\", \"Retail\") and region = \"华东\" and monetary > 5000 and "
                   "days_since(last_order_at) <= 90 and has_tag(\"vip\") and not in_segment(\"blocked\")",
                   ctx),
              ElementsAre(10));
  EXPECT_THAT(Eval(f, "monetary > 5000 and not in_segment(\"blocked\")", ctx), ElementsAre(10, 20));
  EXPECT_EQ(EvalError(f, "in_segment(\"nope\")", ctx), "no saved segment named \"nope\"");
}

TEST(SegmentEval, MissingValuesNeverCompareButNotAndNotEqualIncludeThem) {
  CustomerFrame f = SmallFrame();
  EXPECT_THAT(Eval(f, "region = \"华东\""), ElementsAre(10, 20, 40));
  EXPECT_THAT(Eval(f, "region != \"华东\""), ElementsAre(30, 50));
  EXPECT_THAT(Eval(f, "not region = \"华东\""), ElementsAre(30, 50));
  EXPECT_THAT(Eval(f, "region is null"), ElementsAre(50));
  EXPECT_THAT(Eval(f, "industry is not null and region is not null"), ElementsAre(10, 20, 30));
  EXPECT_THAT(Eval(f, "aov > 0"), ElementsAre(10, 20, 30, 50));
  EXPECT_THAT(Eval(f, "not aov > 0"), ElementsAre(40));
  EXPECT_THAT(Eval(f, "coalesce(aov, 0) = 0"), ElementsAre(40));
  EXPECT_THAT(Eval(f, "active = true"), ElementsAre(10, 40));
  EXPECT_THAT(Eval(f, "active"), ElementsAre(10, 40));
  EXPECT_THAT(Eval(f, "active is null or active = false"), ElementsAre(20, 30, 50));
  EXPECT_THAT(Eval(f, "frequency / 0 > 0 or frequency / 0 is null"), ElementsAre(10, 20, 30, 40, 50));
}

TEST(SegmentEval, TimesDurationsAndDays) {
  CustomerFrame f = SmallFrame();
  EXPECT_THAT(Eval(f, "recency_days <= 90"), ElementsAre(10, 30));
  EXPECT_THAT(Eval(f, "recency_days between 90 and 91"), ElementsAre(50));
  EXPECT_THAT(Eval(f, "last_order_at >= now() - 90d"), ElementsAre(10, 30));
  EXPECT_THAT(Eval(f, "last_order_at >= now() - 13w"), ElementsAre(10, 30, 50));
  EXPECT_THAT(Eval(f, "last_order_at < now() - 2160h"), ElementsAre(20, 50));
  EXPECT_THAT(Eval(f, "tenure_days > 365"), ElementsAre(10));
  EXPECT_THAT(Eval(f, "days_between(first_order_at, last_order_at) = 370"), ElementsAre(10));
  EXPECT_THAT(Eval(f, "mean_interpurchase_days = 370"), ElementsAre(10));
  EXPECT_THAT(Eval(f, "last_order_at > date \"2024-07-01\""), ElementsAre(10, 30, 50));
  EXPECT_THAT(Eval(f, "last_order_at in (date \"2024-09-24\")"), ElementsAre(30));
  EXPECT_EQ(EvalError(f, "recency_days < 5"), "as_of: required by recency_days (the time that counts as now)");
}

TEST(SegmentEval, RfmScoresSegmentsAndValueTiers) {
  CustomerFrame f = SmallFrame();
  // Recency 30/200/10/91 days, frequency 2/1/1/1, monetary 7000/9000/100/6000 for 10/20/30/50.
  EXPECT_THAT(Eval(f, "rfm_r = 4"), ElementsAre(30));
  EXPECT_THAT(Eval(f, "rfm_r = 1 or rfm_r = 2"), ElementsAre(20, 50));
  EXPECT_THAT(Eval(f, "rfm_f = 4 and rfm_m = 3"), ElementsAre(10));
  EXPECT_THAT(Eval(f, "rfm_segment = \"Hibernating\""), ElementsAre(20, 50));
  EXPECT_THAT(Eval(f, "rfm_segment in (\"Loyal\", \"Promising\")"), ElementsAre(10, 30));
  EXPECT_THAT(Eval(f, "rfm_segment is null and rfm_r is null"), ElementsAre(40));
  EXPECT_THAT(Eval(f, "value_tier = \"high value\""), ElementsAre(20));
  EXPECT_THAT(Eval(f, "value_tier = \"potential\""), ElementsAre(10));
  EXPECT_THAT(Eval(f, "value_tier = \"general\""), ElementsAre(30, 50));
  EXPECT_EQ(EvalError(f, "rfm_r > 1"), "as_of: required by RFM scores (the time that counts as now)");
}

TEST(SegmentEval, TextOnCategoriesAndFreeText) {
  CustomerFrame f = SmallFrame();
  EXPECT_THAT(Eval(f, "name contains \"Acme\""), ElementsAre(20, 50));
  EXPECT_THAT(Eval(f, "name starts_with \"上海\" or name ends_with \"五金\""), ElementsAre(10, 30));
  EXPECT_THAT(Eval(f, "industry starts_with \"制\""), ElementsAre(10, 30));
  EXPECT_THAT(Eval(f, "industry not in (\"Retail\")"), ElementsAre(10, 30, 40));
  EXPECT_THAT(Eval(f, "industry < \"S\""), ElementsAre(20, 50));
  EXPECT_THAT(Eval(f, "\"S\" > industry"), ElementsAre(20, 50));
  EXPECT_THAT(Eval(f, "coalesce(industry, region) = \"华东\""), ElementsAre(40));
  EXPECT_THAT(Eval(f, "name in (\"Zed\", \"nobody\")"), ElementsAre(40));
}

TEST(SegmentEval, TagsMatchWithoutCase) {
  CustomerFrame f = SmallFrame();
  EXPECT_THAT(Eval(f, "has_tag(\"VIP\")"), ElementsAre(10, 20, 50));
  EXPECT_THAT(Eval(f, "has_any_tag(\"blocked\", \"b2b\")"), ElementsAre(10, 40, 50));
  EXPECT_THAT(Eval(f, "has_all_tags(\"vip\", \"b2b\")"), ElementsAre(10));
  EXPECT_THAT(Eval(f, "has_all(tags, \"vip\", \"Vip\")"), ElementsAre(10, 20, 50));
  EXPECT_THAT(Eval(f, "tags is null"), ElementsAre(30));
}

TEST(SegmentEval, CheckErrorsNamePositionsTypesAndSuggestions) {
  CustomerFrame f = SmallFrame();
  EXPECT_EQ(EvalError(f, "monetery > 5"), "1:1: unknown field \"monetery\"; did you mean \"monetary\"?");
  EXPECT_EQ(EvalError(f, "region = 5"), "1:8: cannot compare text with number");
  EXPECT_EQ(EvalError(f, "monetary > \"5\""), "1:10: cannot compare number with text");
  EXPECT_EQ(EvalError(f, "days_sinse(last_order_at) < 5"), "1:1: unknown function \"days_sinse\"; did you mean \"days_since\"?");
  EXPECT_EQ(EvalError(f, "days_since(monetary) < 5"), "1:12: days_since expects a time as argument 1, got a number");
  EXPECT_EQ(EvalError(f, "monetary"), "1:1: the expression is a number, not a condition (compare it, e.g. monetary > 0)");
  EXPECT_EQ(EvalError(f, "tags = \"vip\""), "1:6: cannot compare set with text");
  EXPECT_EQ(EvalError(f, "tags contains \"vip\""), "1:6: 'contains' needs text on both sides, got set and text (use has_tag(\"...\"))");
  EXPECT_EQ(EvalError(f, "has_tag(region)"), "1:9: has_tag takes quoted text, e.g. \"vip\"");
  EXPECT_EQ(EvalError(f, "last_order_at - first_order_at > 5"), "1:15: cannot subtract times: use days_between(a, b)");
  EXPECT_EQ(EvalError(f, "recency_days < 90d"), "1:14: cannot compare number with duration");
  EXPECT_EQ(EvalError(f, "region in (\"a\", industry)"), "1:17: the list of 'in' takes literal values");
  EXPECT_EQ(EvalError(f, "monetary > 1 and frequency"), "1:18: 'and' needs conditions, got a number (compare it, e.g. frequency > 0)");
}

TEST(SegmentEval, CheckErrorsShowTheSourceLineAndACaretWhenParsedFromText) {
  CustomerFrame f = SmallFrame();
  auto e = SegmentExpr::Parse("region = \"华东\" and\n  monetery > 5");
  ASSERT_TRUE(e.ok());
  auto r = EvaluateSegment(*e, f, {.as_of = kNow});
  EXPECT_EQ(r.status().message(), "2:3: unknown field \"monetery\"; did you mean \"monetary\"?\n  monetery > 5\n  ^");
  // Built trees have no source text: the position alone would mislead, so none is given.
  auto built = EvaluateSegment(SegmentExpr::Field("monetery").Gt(SegmentExpr::Number(5)), f, {.as_of = kNow});
  EXPECT_EQ(built.status().message(), "unknown field \"monetery\"; did you mean \"monetary\"?");
}

TEST(SegmentEval, ThreadsDoNotChangeTheResult) {
  CustomerFrame f;
  const int n = 300000;
  NumberColumn x;
  CategoryColumn c;
  for (int i = 0; i < n; ++i) {
    f.ids.push_back(i * 3 + 1);
    x.values.push_back(i % 97 == 0 ? NAN : static_cast<double>((int64_t{i} * 7919) % 1000));
    c.Append(i % 5 == 0 ? std::nullopt : std::optional<std::string_view>(i % 3 ? "a" : "b"));
  }
  f.Add("x", std::move(x));
  f.Add("c", std::move(c));
  auto e = SegmentExpr::Parse("(x > 500 or c = \"b\") and not x between 700 and 800");
  ASSERT_TRUE(e.ok());
  SegmentContext one, many;
  one.threads = 1;
  many.threads = 4;
  auto a = EvaluateSegment(*e, f, one), b = EvaluateSegment(*e, f, many);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  // Reference, row by row.
  std::vector<int64_t> expected;
  const auto& xs = std::get<NumberColumn>(*f.Find("x")).values;
  const auto& cs = std::get<CategoryColumn>(*f.Find("c"));
  for (int i = 0; i < n; ++i) {
    bool cb = cs.Get(i) == std::optional<std::string_view>("b");
    if ((xs[i] > 500 || cb) && !(xs[i] >= 700 && xs[i] <= 800)) expected.push_back(f.ids[i]);
  }
  EXPECT_EQ(*a, expected);
}


// Category conditions over adjacent rows are bitmaps ANDed a word at a time (one-byte codes compared
// sixteen at once); this checks them against row-by-row answers for each code width, null rows,
// match sets of none, few and many values, and a row count that is not a multiple of 64.
TEST(SegmentEval, CategoryBitmapsAgreeWithRowByRow) {
  CustomerFrame f;
  const int n = 100003;
  CategoryColumn narrow, mid, wide;
  NumberColumn x;
  auto name = [](const char* p, int v) { return StrCat(p, v); };
  for (int i = 0; i < n; ++i) {
    f.ids.push_back(i + 1);
    narrow.Append(i % 11 == 0 ? std::nullopt : std::optional<std::string>(name("n", (i * 7) % 10)));
    mid.Append(i % 13 == 0 ? std::nullopt : std::optional<std::string>(name("m", (i * 31) % 300)));
    wide.Append(i % 17 == 0 ? std::nullopt : std::optional<std::string>(name("w", (i * 101) % 70000)));
    x.values.push_back(static_cast<double>((int64_t{i} * 7919) % 100));
  }
  f.Add("narrow", std::move(narrow));
  f.Add("mid", std::move(mid));
  f.Add("wide", std::move(wide));
  f.Add("x", std::move(x));
  const auto& cn = std::get<CategoryColumn>(*f.Find("narrow"));
  const auto& cm = std::get<CategoryColumn>(*f.Find("mid"));
  const auto& cw = std::get<CategoryColumn>(*f.Find("wide"));
  const auto& xs = std::get<NumberColumn>(*f.Find("x")).values;
  auto is = [](const CategoryColumn& c, int row, std::initializer_list<std::string_view> values) {
    auto v = c.Get(row);
    if (!v) return false;
    for (auto w : values)
      if (*v == w) return true;
    return false;
  };
  struct Case {
    std::string text;
    std::function<bool(int)> expected;
  };
  const std::vector<Case> cases = {
      {R"(narrow in ("n1", "n3") and mid in ("m5", "m6", "m7", "m8", "m9", "m10") and x < 90)",
       [&](int i) { return is(cn, i, {"n1", "n3"}) && is(cm, i, {"m5", "m6", "m7", "m8", "m9", "m10"}) && xs[i] < 90; }},
      {R"(narrow in ("n1", "n2", "n3", "n4", "n5", "n6") and x >= 50)",
       [&](int i) { return is(cn, i, {"n1", "n2", "n3", "n4", "n5", "n6"}) && xs[i] >= 50; }},
      {R"(narrow = "absent" and x >= 0)", [&](int) { return false; }},
      {R"(narrow is null and wide in ("w1", "w202", "w707") )",
       [&](int i) { return !cn.Get(i) && is(cw, i, {"w1", "w202", "w707"}); }},
      {R"(not narrow = "n2" and mid = "m31")",
       [&](int i) { return !is(cn, i, {"n2"}) && is(cm, i, {"m31"}); }},
      {R"(narrow in ("n0", "n4", "n8", "n9") and narrow != "n4")",
       [&](int i) { return is(cn, i, {"n0", "n8", "n9"}); }},
      {R"(wide is null and mid is null and narrow is null)",
       [&](int i) { return !cw.Get(i) && !cm.Get(i) && !cn.Get(i); }},
  };
  for (const Case& c : cases) {
    std::vector<int64_t> expected;
    for (int i = 0; i < n; ++i)
      if (c.expected(i)) expected.push_back(f.ids[i]);
    for (int threads : {1, 2}) {
      SegmentContext ctx;
      ctx.threads = threads;
      EXPECT_EQ(Eval(f, c.text, ctx), expected) << c.text << ", " << threads << " threads";
    }
  }
}

}  // namespace
}  // namespace rapport
