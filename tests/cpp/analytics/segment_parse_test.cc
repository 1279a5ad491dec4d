#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapport/frame.h"
#include "rapport/segment.h"

namespace rapport {
namespace {

using ::testing::HasSubstr;

std::string ErrorOf(std::string_view text) {
  auto e = SegmentExpr::Parse(text);
  EXPECT_FALSE(e.ok()) << text;
  if (e.ok()) return "";
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(e.status().message());
}

SegmentExpr P(std::string_view text) {
  auto e = SegmentExpr::Parse(text);
  EXPECT_TRUE(e.ok()) << text << ": " << e.status();
  return e.ok() ? *e : SegmentExpr::Bool(false);
}

TEST(SegmentParse, IssueExampleParsesAndPrintsCanonically) {
  auto e = P("industry in (\"制造业\", \"Retail\") and region = \"华东\"\n and monetary > 5000 and "
             "days_since(last_order_at) <= 90 and has_tag(\"vip\") and not in_segment(\"blocked\")");
  EXPECT_EQ(e.ToText(),
            "industry in (\"制造业\", \"Retail\") and region = \"华东\" and monetary > 5000 and "
            "days_since(last_order_at) <= 90 and has_tag(\"vip\") and not in_segment(\"blocked\")");
  EXPECT_EQ(e.Fields(), (std::vector<std::string>{"industry", "last_order_at", "monetary", "region"}));
  EXPECT_EQ(e.SegmentsReferenced(), (std::vector<std::string>{"blocked"}));
}

TEST(SegmentParse, ErrorsNameLineAndColumnWithACaret) {
  EXPECT_EQ(ErrorOf("monetary >> 5"), "1:11: expected an expression\nmonetary >> 5\n          ^");
  EXPECT_EQ(ErrorOf("region = \"华东\" and\n  (monetary > )"),
            "2:15: expected an expression\n  (monetary > )\n              ^");
  EXPECT_EQ(ErrorOf("region = \"华东"), "1:10: unterminated string\nregion = \"华东\n         ^");
  EXPECT_EQ(ErrorOf(""), "1:1: expected an expression\n\n^");
  EXPECT_THAT(ErrorOf("a = 1 b"), HasSubstr("1:7: unexpected 'b' (expected 'and', 'or' or the end)"));
  EXPECT_THAT(ErrorOf("x = null"), HasSubstr("1:5: null is not a value here: test for a missing value with 'is null'"));
  EXPECT_THAT(ErrorOf("recency_days < 90days"), HasSubstr("1:16: unknown duration unit \"days\" (use h, d or w, e.g. 90d)"));
  EXPECT_THAT(ErrorOf("x @ 1"), HasSubstr("1:3: unexpected character '@'"));
  EXPECT_THAT(ErrorOf("x in 1, 2"), HasSubstr("1:6: expected '(' after 'in', found 1"));
  EXPECT_THAT(ErrorOf("x between 1 or 2"), HasSubstr("1:13: expected 'and' in 'between', found 'or'"));
  EXPECT_THAT(ErrorOf("x is 5"), HasSubstr("1:6: expected 'null' after 'is', found 5"));
  EXPECT_THAT(ErrorOf("created_at > date \"2025-02-30\""), HasSubstr("1:19: \"2025-02-30\" is not a date"));
  EXPECT_THAT(ErrorOf("name = \"a\xff\""), HasSubstr("1:10: invalid UTF-8"));
  EXPECT_THAT(ErrorOf("`a\x9c` = 1"), HasSubstr("1:3: invalid UTF-8"));
  EXPECT_THAT(ErrorOf(std::string(500, '(') + "x" + std::string(500, ')')), HasSubstr("nested too deeply"));
  EXPECT_THAT(ErrorOf(std::string(5000, '-') + "x"), HasSubstr("nested too deeply"));
}

TEST(SegmentParse, KeywordsAreCaseInsensitiveAndChineseInputPunctuationWorks) {
  EXPECT_EQ(P("Region = “华东” AND Industry IN （“制造业”，“零售”）"),
            P("region = \"华东\" and industry in (\"制造业\", \"零售\")"));
  EXPECT_EQ(P("NOT x Is Not Null"), P("not (x is not null)"));
}

TEST(SegmentParse, PrecedenceAndParenthesesRoundTrip) {
  const char* cases[] = {
      "a = 1 or b = 2 and c = 3",
      "(a = 1 or b = 2) and c = 3",
      "not (a = 1 and b = 2)",
      "a - (b - c) > 1",
      "a - b - c > 1",
      "a * (b + c) / 2 >= -3.5",
      "-x < - -5",
      "x not in (1, 2, 3) and y not between 1 and 5 and z is not null",
      "name not contains \"a\\\"b\\\\c\\n\" or name starts_with \"张\" or name ends_with \"公司\"",
      "last_order_at >= now() - 12w and created_at < date \"2025-01-31\" + 24h",
      "`in` = 1 and `Region` = \"x\" and `a b` = 2",
      "coalesce(monetary, 0) + abs(-3) between 1e-3 and 1e+300",
      "flag = true or flag = false",
  };
  for (const char* text : cases) {
    SegmentExpr e = P(text);
    SegmentExpr again = P(e.ToText());
    EXPECT_EQ(e, again) << text << " -> " << e.ToText();
    EXPECT_EQ(e.ToText(), again.ToText());
    auto from_json = SegmentExpr::FromJson(e.ToJson());
    ASSERT_TRUE(from_json.ok()) << e.ToJson() << ": " << from_json.status();
    EXPECT_EQ(*from_json, e) << e.ToJson();
  }
  EXPECT_EQ(P("a = 1 and (b = 2 and c = 3)"), P("(a = 1 and b = 2) and c = 3"));
  EXPECT_EQ(P("a - b - c > 1").ToText(), "a - b - c > 1");
  EXPECT_EQ(P("a - (b - c) > 1").ToText(), "a - (b - c) > 1");
  EXPECT_EQ(P("x = -5"), SegmentExpr::Field("x").Eq(SegmentExpr::Number(-5)));
}

TEST(SegmentParse, JsonFormIsReadableAndChecked) {
  SegmentExpr e = P("monetary > 5000 and has_tag(\"vip\") and region in (\"华东\", \"华南\")");
  EXPECT_EQ(e.ToJson(),
            R"({"and":[{">":[{"field":"monetary"},5000.0]},{"args":["vip"],"call":"has_tag"},)"
            R"({"in":[{"field":"region"},["华东","华南"]]}]})");
  auto err = [](std::string_view json) {
    auto r = SegmentExpr::FromJson(json);
    EXPECT_FALSE(r.ok()) << json;
    return r.ok() ? std::string() : std::string(r.status().message());
  };
  EXPECT_EQ(err("{"), "expression: not valid JSON");
  EXPECT_EQ(err(R"({"and":[{">":[{"field":"m"}]}, true]})"), "$.and[0].>: expected 2 operands, found 1");
  EXPECT_EQ(err(R"({"xor":[1,2]})"), "$: unknown operator \"xor\"");
  EXPECT_EQ(err(R"({"=":[{"field":"x"},null]})"),
            "$.=[1]: null is not a value here: test for a missing value with {\"is_null\": ...}");
  EXPECT_EQ(err(R"({"in":[{"field":"x"},[]]})"), "$.in: expected [value, [list of values]] with a non-empty list");
  EXPECT_EQ(err(R"({"<":[{"field":"t"},{"duration":"90 days"}]})"),
            "$.<[1].duration: \"90 days\" is not a duration (a whole number of h, d or w, e.g. \"90d\")");
}

TEST(SegmentParse, BuilderMakesTheParsersTrees) {
  using E = SegmentExpr;
  E built = E::Field("monetary").Gt(E::Number(5000)) && E::Call("has_tag", {E::Text("vip")}) &&
            !E::Call("in_segment", {E::Text("blocked")});
  EXPECT_EQ(built, P("monetary > 5000 and has_tag(\"vip\") and not in_segment(\"blocked\")"));
  EXPECT_EQ(E::Field("t").Ge(E::Call("now").Minus(E::Duration(90, 'd'))), P("t >= now() - 90d"));
  EXPECT_EQ(E::Field("d").Lt(E::Date(absl::CivilDay(2025, 1, 31))), P("d < date \"2025-01-31\""));
}

// "x / 1 / 1 ... > 0" with `divisions` divisions: a tree of divisions + 2 levels built without recursion.
std::string DivisionChain(int divisions) {
  std::string text = "x";
  for (int i = 0; i < divisions; ++i) text += " / 1";
  return text + " > 0";
}

// Found by the segment_parse fuzzer: long left-associative chains used to parse into trees deeper
// than the JSON form reads back.
TEST(SegmentParse, TreeDepthIsBoundedTheSameWayInTextJsonAndChecks) {
  SegmentExpr deepest = P(DivisionChain(SegmentExpr::kMaxDepth - 2));
  EXPECT_EQ(deepest.Depth(), SegmentExpr::kMaxDepth);
  auto from_json = SegmentExpr::FromJson(deepest.ToJson());
  ASSERT_TRUE(from_json.ok()) << from_json.status();
  EXPECT_EQ(*from_json, deepest);
  EXPECT_EQ(P(deepest.ToText()), deepest);
  EXPECT_TRUE(CheckSegment(deepest, {{"x", ColumnType::kNumber}}).ok());

  // The operator that makes the tree one level too deep (here the comparison) gets the caret.
  std::string too_deep = ErrorOf(DivisionChain(SegmentExpr::kMaxDepth - 1));
  EXPECT_THAT(too_deep, ::testing::StartsWith("1:799: expression nested too deeply (more than 200 levels)"));
  EXPECT_THAT(ErrorOf(DivisionChain(100000)), HasSubstr("expression nested too deeply (more than 200 levels)"));
  std::string ors = "x = 1";
  for (int i = 0; i < 300; ++i) ors = "(" + ors + ") and x = 1 or x = 2";
  EXPECT_THAT(ErrorOf(ors), HasSubstr("expression nested too deeply"));

  auto r = SegmentExpr::FromJson(R"({"not":)" + deepest.ToJson() + "}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "$: nested too deeply (more than 200 levels)");

  SegmentExpr built = SegmentExpr::Field("x");
  for (int i = 0; i < SegmentExpr::kMaxDepth; ++i) built = built.DividedBy(SegmentExpr::Number(2));
  EXPECT_EQ(built.Depth(), SegmentExpr::kMaxDepth + 1);
  EXPECT_EQ(CheckSegment(built.Gt(SegmentExpr::Number(0)), {{"x", ColumnType::kNumber}}).message(),
            "expression nested too deeply (202 levels, at most 200)");
}

}  // namespace
}  // namespace rapport
