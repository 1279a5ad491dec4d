// Set conditions (has_tag, has_any_tag, has_all_tags, has_any, has_all) read the column's row index
// once it is built: bitmaps for common values, row lists for rare ones. These tests check it against
// answers computed row by row, and that a change to the column is never answered from an old index.
#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "analytics/set_row_index.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapport/segment.h"

namespace rapport {
namespace {

std::vector<int64_t> Eval(const CustomerFrame& f, std::string_view text, int threads = 1,
                          const OrderFrame* orders = nullptr) {
  auto e = SegmentExpr::Parse(text);
  EXPECT_TRUE(e.ok()) << e.status();
  SegmentContext ctx;
  ctx.as_of = 0;
  ctx.threads = threads;
  ctx.orders = orders;
  auto r = EvaluateSegment(*e, f, ctx);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status();
  return r.ok() ? *r : std::vector<int64_t>{-1};
}

const SetColumn& Tags(const CustomerFrame& f) { return std::get<SetColumn>(*f.Find("tags")); }
SetColumn& MutableTags(CustomerFrame& f) { return std::get<SetColumn>(*f.FindMutable("tags")); }

// Row i's tags: "common" on every 3rd row, "Common" (the same tag to has_tag, another dictionary
// entry) on every 7th, "rare" on every 1000th, "k<i % 5>" on most rows; rows 5000..5999 have none,
// so that a thousand rows start at one stored position.
std::vector<std::string> TagsOf(int i) {
  if (i >= 5000 && i < 6000) return {};
  std::vector<std::string> t;
  if (i % 3 == 0) t.push_back("common");
  if (i % 7 == 0) t.push_back("Common");
  if (i % 1000 == 0) t.push_back("rare");
  if (i % 4 != 0) t.push_back("k" + std::to_string(i % 5));
  return t;
}

CustomerFrame TagFrame(int n) {
  CustomerFrame f;
  SetColumn tags;
  NumberColumn x;
  for (int i = 0; i < n; ++i) {
    f.ids.push_back(i + 1);
    std::vector<std::string> t = TagsOf(i);
    tags.Append(std::vector<std::string_view>(t.begin(), t.end()));
    x.values.push_back(i % 10);
  }
  f.Add("tags", std::move(tags));
  f.Add("x", std::move(x));
  return f;
}

bool Has(const std::vector<std::string>& tags, std::string_view folded) {
  for (const std::string& t : tags) {
    std::string lower(t);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower == folded) return true;
  }
  return false;
}

struct Case {
  std::string text;
  std::function<bool(const std::vector<std::string>& tags, int i)> expected;
};

const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = {
      {R"(has_tag("common"))", [](const auto& t, int) { return Has(t, "common"); }},
      {R"(has_tag("rare"))", [](const auto& t, int) { return Has(t, "rare"); }},
      {R"(has_tag("absent"))", [](const auto&, int) { return false; }},
      {R"(has_any_tag("rare", "k3"))", [](const auto& t, int) { return Has(t, "rare") || Has(t, "k3"); }},
      {R"(has_all_tags("common", "k1"))", [](const auto& t, int) { return Has(t, "common") && Has(t, "k1"); }},
      {R"(has_all_tags("rare", "common"))", [](const auto& t, int) { return Has(t, "rare") && Has(t, "common"); }},
      {R"(has_all_tags("common", "absent"))", [](const auto&, int) { return false; }},
      {R"(has_any(tags, "k2", "rare"))", [](const auto& t, int) { return Has(t, "k2") || Has(t, "rare"); }},
      {R"(x < 5 and has_tag("common") and not has_tag("k4"))",
       [](const auto& t, int i) { return i % 10 < 5 && Has(t, "common") && !Has(t, "k4"); }},
      {R"(x = 3 or has_tag("rare"))", [](const auto& t, int i) { return i % 10 == 3 || Has(t, "rare"); }},
  };
  return cases;
}

// The frame's rows as a function of row number, after the test's changes.
void ExpectAgreesRowByRow(const CustomerFrame& f, const std::function<std::vector<std::string>(int)>& tags_of) {
  for (const Case& c : Cases()) {
    std::vector<int64_t> expected;
    for (size_t i = 0; i < f.rows(); ++i)
      if (c.expected(tags_of(static_cast<int>(i)), static_cast<int>(i))) expected.push_back(f.ids[i]);
    for (int threads : {1, 2, 3}) {
      EXPECT_EQ(Eval(f, c.text, threads), expected) << c.text << ", " << threads << " threads";
    }
  }
}

TEST(SetRowIndex, CommonValuesGetBitmapsRareOnesRowLists) {
  const CustomerFrame f = TagFrame(100003);
  auto index = internal::BuildSetRowIndex(Tags(f));
  const StringDictionary& d = Tags(f).dictionary;
  EXPECT_NE(index->Bitmap(d.Find("common")), nullptr);
  EXPECT_NE(index->Bitmap(d.Find("Common")), nullptr);  // every 7th row: above 1/32
  EXPECT_EQ(index->Bitmap(d.Find("rare")), nullptr);
  const uint32_t rare = static_cast<uint32_t>(d.Find("rare"));
  std::vector<uint32_t> listed(index->listed.begin() + index->list_offsets[rare],
                               index->listed.begin() + index->list_offsets[rare + 1]);
  ASSERT_EQ(listed.size(), 100u);  // 0, 1000, ..., 99000 except 5000
  EXPECT_EQ(listed[4], 4000u);
  EXPECT_EQ(listed[5], 6000u);
  // At most 4 bytes per stored code, whatever the mix.
  EXPECT_LE(index->bytes(), 4 * Tags(f).codes.size() + 4096);
}

TEST(SetRowIndex, OrRowsReadsAnyRangeOfRows) {
  const CustomerFrame f = TagFrame(5000);
  auto index = internal::BuildSetRowIndex(Tags(f));
  for (const std::string tag : {"common", "rare", "k1"}) {  // a bitmap, a row list, a bitmap
    const int32_t code = Tags(f).dictionary.Find(tag);
    for (uint32_t begin : {0u, 1u, 63u, 64u, 100u, 1000u, 3977u}) {
      for (uint32_t n : {0u, 1u, 64u, 65u, 1000u, 1023u}) {
        if (begin + n > 5000) continue;
        uint64_t mask[17] = {}, expected[17] = {};
        mask[16] = expected[16] = 0xABCD;  // words past n are left alone
        for (uint32_t i = 0; i < n; ++i) {
          const std::vector<std::string> t = TagsOf(static_cast<int>(begin + i));
          if (std::find(t.begin(), t.end(), tag) != t.end()) expected[i / 64] |= uint64_t{1} << (i % 64);
        }
        index->OrRows(code, begin, n, mask);
        EXPECT_TRUE(std::equal(mask, mask + 17, expected)) << tag << " begin " << begin << " n " << n;
      }
    }
  }
}

TEST(SetRowIndex, ConditionsAgreeWithRowByRowOverTheIndex) {
  const CustomerFrame f = TagFrame(100003);
  EXPECT_EQ(Tags(f).row_index.Get(), nullptr);
  ExpectAgreesRowByRow(f, TagsOf);
  EXPECT_NE(Tags(f).row_index.Get(), nullptr);  // built by the first condition, kept for the next
}

TEST(SetRowIndex, AChangedRowIsNeverAnsweredFromTheOldIndex) {
  CustomerFrame f = TagFrame(100003);
  ASSERT_EQ(Eval(f, R"(has_tag("rare") and x = 0)").size(), 100u);  // rows 0, 1000, ... but 5000
  const CustomerFrame before = f;  // shares the built index
  SetColumn& tags = MutableTags(f);
  const int32_t rare = tags.dictionary.Find("rare"), common = tags.dictionary.Find("common");
  const int32_t k1 = tags.dictionary.Find("k1");
  // Same number of codes (rewritten in place), more codes (moved apart), and an emptied row.
  tags.Replace(1000, std::vector<int32_t>{std::min(common, k1), std::max(common, k1)});
  tags.Replace(2000, std::vector<int32_t>{});
  std::vector<int32_t> more{rare, common, k1};
  std::sort(more.begin(), more.end());
  tags.Replace(5500, more);
  EXPECT_EQ(tags.row_index.Get(), nullptr);
  auto changed = [](int i) -> std::vector<std::string> {
    if (i == 1000) return {"common", "k1"};
    if (i == 2000) return {};
    if (i == 5500) return {"rare", "common", "k1"};
    return TagsOf(i);
  };
  ExpectAgreesRowByRow(f, changed);  // builds an index over the moved rows
  // The copy taken before the change still answers from its own rows.
  EXPECT_EQ(Eval(before, R"(has_tag("rare") and x = 0)").size(), 100u);
  EXPECT_EQ(Eval(f, R"(has_tag("rare") and x = 0)").size(), 99u);  // less rows 1000 and 2000, plus 5500
  tags.Compact();  // rows put back in line: the index still holds
  EXPECT_NE(tags.row_index.Get(), nullptr);
  ExpectAgreesRowByRow(f, changed);
  // Appended rows drop it too.
  tags.Append({"rare"});
  f.ids.push_back(100004);
  std::get<NumberColumn>(*f.FindMutable("x")).values.push_back(0);
  EXPECT_EQ(tags.row_index.Get(), nullptr);
  EXPECT_EQ(Eval(f, R"(has_tag("rare") and x = 0)").back(), 100004);
}

// A frame kept up to date (a database's cached frame) changes a few rows at a time: changes among
// values that have bitmaps, unchanged rows and appended rows keep the index, updated in place.
TEST(SetRowIndex, ChangesAmongCommonValuesUpdateTheIndexInPlace) {
  CustomerFrame f = TagFrame(100003);
  Eval(f, R"(has_tag("common"))");
  const internal::SetRowIndex* built = Tags(f).row_index.Get().get();
  ASSERT_NE(built, nullptr);
  SetColumn& tags = MutableTags(f);
  auto codes = [&](std::vector<std::string> values) {
    std::vector<int32_t> out;
    for (const std::string& v : values) out.push_back(tags.dictionary.Find(v));
    std::sort(out.begin(), out.end());
    return out;
  };
  tags.Replace(3, codes({"k1"}));                  // {common, k3} -> {k1}: in place
  tags.Replace(6, codes({"common", "k2", "k4"}));  // two codes -> three: moved apart
  tags.Replace(10, codes(TagsOf(10)));             // unchanged
  tags.Append({"k2", "Common"});                   // a new row
  f.ids.push_back(100004);
  std::get<NumberColumn>(*f.FindMutable("x")).values.push_back(3);
  EXPECT_EQ(Tags(f).row_index.Get().get(), built);
  auto changed = [](int i) -> std::vector<std::string> {
    if (i == 3) return {"k1"};
    if (i == 6) return {"common", "k2", "k4"};
    if (i == 100003) return {"k2", "Common"};
    return TagsOf(i);
  };
  ExpectAgreesRowByRow(f, changed);

  // A copy shares the index: a change to the copy drops the copy's, and the original keeps its own.
  CustomerFrame copy = f;
  MutableTags(copy).Replace(9, codes({"k2"}));
  EXPECT_EQ(Tags(copy).row_index.Get(), nullptr);
  EXPECT_EQ(Tags(f).row_index.Get().get(), built);
  ExpectAgreesRowByRow(copy, [&](int i) -> std::vector<std::string> { return i == 9 ? std::vector<std::string>{"k2"} : changed(i); });
  ExpectAgreesRowByRow(f, changed);

  // A value that is listed rather than given a bitmap, or new to the dictionary, drops it.
  tags.Replace(12, codes({"rare"}));
  EXPECT_EQ(Tags(f).row_index.Get(), nullptr);
  Eval(f, R"(has_tag("common"))");
  ASSERT_NE(Tags(f).row_index.Get(), nullptr);
  tags.Replace(15, std::vector<int32_t>{tags.dictionary.Intern("brand new")});
  EXPECT_EQ(Tags(f).row_index.Get(), nullptr);
  EXPECT_EQ(Eval(f, R"(has_tag("brand new"))"), std::vector<int64_t>{16});
  EXPECT_EQ(Eval(f, R"(has_tag("rare") and x = 2)"), std::vector<int64_t>{13});
}

TEST(SetRowIndex, EvaluationFromBaseDataUsesButDoesNotBuildIt) {
  const CustomerFrame f = TagFrame(20000);
  std::vector<int64_t> expected;
  for (int i = 0; i < 20000; ++i)
    if (Has(TagsOf(i), "common")) expected.push_back(i + 1);
  OrderFrame orders;  // nobody has orders: frequency 0
  EXPECT_EQ(Eval(f, R"(has_tag("common") and frequency = 0)", 1, &orders), expected);
  EXPECT_EQ(Tags(f).row_index.Get(), nullptr);
  EXPECT_EQ(Eval(f, R"(has_tag("common"))"), expected);  // a kept frame: builds it
  EXPECT_NE(Tags(f).row_index.Get(), nullptr);
  EXPECT_EQ(Eval(f, R"(has_tag("common") and frequency = 0)", 1, &orders), expected);
}

TEST(SetRowIndex, FrameBytesCountTheIndexOnceBuilt) {
  const CustomerFrame f = TagFrame(100003);
  const size_t before = f.ByteBreakdown().arrays;
  Eval(f, R"(has_tag("common"))");
  const size_t index = Tags(f).row_index.Get()->bytes();
  EXPECT_GT(index, 100003u / 8);  // at least one bitmap
  EXPECT_EQ(f.ByteBreakdown().arrays, before + index);
}

}  // namespace
}  // namespace rapport
