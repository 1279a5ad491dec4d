// Incremental updates of a customer frame: the result equals a frame built afresh, whatever the
// dictionaries' code widths become on the way.
#include "analytics/frame_update.h"

#include <map>
#include <optional>
#include <random>
#include <string>

#include "gtest/gtest.h"

namespace rapport::internal {
namespace {

// What a frame holds, row by row, as plain values.
struct Row {
  std::optional<std::string> category;
  std::optional<std::string> text;
  std::vector<std::string> set;  // sorted, distinct
  double number = 0;
};
using Rows = std::map<int64_t, Row>;  // by id

CustomerFrame Build(const Rows& rows, const std::vector<int64_t>& only = {}) {
  CustomerFrame f;
  CategoryColumn category;
  TextColumn text;
  SetColumn set;
  NumberColumn number;
  for (const auto& [id, r] : rows) {
    if (!only.empty() && !std::binary_search(only.begin(), only.end(), id)) continue;
    f.ids.push_back(id);
    category.Append(r.category ? std::optional<std::string_view>(*r.category) : std::nullopt);
    text.Append(r.text ? std::optional<std::string_view>(*r.text) : std::nullopt);
    set.Append(std::vector<std::string_view>(r.set.begin(), r.set.end()));
    number.values.push_back(r.number);
  }
  f.Add("category", std::move(category));
  f.Add("text", std::move(text));
  f.Add("set", std::move(set));
  f.Add("number", std::move(number));
  return f;
}

void ExpectHolds(const CustomerFrame& f, const Rows& rows) {
  ASSERT_EQ(f.rows(), rows.size());
  const auto& category = std::get<CategoryColumn>(*f.Find("category"));
  const auto& text = std::get<TextColumn>(*f.Find("text"));
  const auto& set = std::get<SetColumn>(*f.Find("set"));
  const auto& number = std::get<NumberColumn>(*f.Find("number"));
  ASSERT_EQ(category.codes.size(), f.rows());
  ASSERT_EQ(text.rows(), f.rows());
  ASSERT_EQ(set.rows(), f.rows());
  size_t i = 0;
  for (const auto& [id, r] : rows) {
    ASSERT_EQ(f.ids[i], id);
    EXPECT_EQ(category.Get(i), r.category ? std::optional<std::string_view>(*r.category) : std::nullopt) << "row " << i;
    EXPECT_EQ(text.Get(i), r.text ? std::optional<std::string_view>(*r.text) : std::nullopt) << "row " << i;
    std::vector<std::string_view> values = set.Values(i);
    std::sort(values.begin(), values.end());
    EXPECT_EQ(values, std::vector<std::string_view>(r.set.begin(), r.set.end())) << "row " << i;
    EXPECT_EQ(number.values[i], r.number);
    ++i;
  }
}

// Rounds of random changes, each applied as one patch, with `distinct` values fed to the category
// and set dictionaries over the rounds.
void RunRounds(Rows& rows, CustomerFrame& f, int rounds, int changes, int distinct, std::mt19937_64& rng) {
  int next_value = 0;
  auto fresh_value = [&] { return "v" + std::to_string(next_value++ % distinct); };
  int64_t next_id = rows.empty() ? 1 : rows.rbegin()->first + 1;
  std::vector<int64_t> ids;  // to pick from
  for (const auto& [id, r] : rows) ids.push_back(id);
  for (int round = 0; round < rounds; ++round) {
    std::vector<int64_t> affected;
    for (int k = 0; k < changes; ++k) {
      const uint64_t what = rng() % 10;
      if (what == 0 || ids.empty()) {  // a new customer
        rows[next_id] = Row{fresh_value(), "new " + std::to_string(next_id), {fresh_value()}, 1};
        ids.push_back(next_id);
        affected.push_back(next_id++);
        continue;
      }
      const size_t pick = rng() % ids.size();
      const int64_t id = ids[pick];
      affected.push_back(id);
      Row& r = rows.at(id);
      switch (what) {
        case 1:
          rows.erase(id);
          ids[pick] = ids.back();
          ids.pop_back();
          break;
        case 2: r.category = std::nullopt; break;
        case 3: r.text = r.text ? *r.text + "!" : "back"; break;
        case 4: r.text = std::nullopt; break;
        case 8: r.set.clear(); break;
        case 5:
        case 6: {
          r.set.push_back(fresh_value());
          std::sort(r.set.begin(), r.set.end());
          r.set.erase(std::unique(r.set.begin(), r.set.end()), r.set.end());
          break;
        }
        default:
          r.category = fresh_value();
          r.number += 1;
          break;
      }
    }
    std::sort(affected.begin(), affected.end());
    affected.erase(std::unique(affected.begin(), affected.end()), affected.end());
    ASSERT_TRUE(UpdateRows(f, Build(rows, affected), affected)) << "round " << round;
  }
}

Rows Initial(int n) {
  Rows rows;
  for (int i = 0; i < n; ++i) {
    rows[2 * i + 1] = Row{i % 3 ? std::optional<std::string>(i % 2 ? "a" : "b") : std::nullopt, "name " + std::to_string(i),
                          i % 4 ? std::vector<std::string>{"t"} : std::vector<std::string>{}, static_cast<double>(i)};
  }
  return rows;
}

TEST(UpdateRows, DictionariesCrossing255EntriesWidenTheCodes) {
  std::mt19937_64 rng(3);
  Rows rows = Initial(500);
  CustomerFrame f = Build(rows);
  EXPECT_EQ(std::get<CategoryColumn>(*f.Find("category")).codes.width(), 1);
  RunRounds(rows, f, 20, 60, 400, rng);
  ExpectHolds(f, rows);
  const auto& category = std::get<CategoryColumn>(*f.Find("category"));
  const auto& set = std::get<SetColumn>(*f.Find("set"));
  EXPECT_GT(category.dictionary.size(), 255);
  EXPECT_EQ(category.codes.width(), 2);
  EXPECT_GT(set.dictionary.size(), 255);
  ExpectHolds(Build(rows), rows);  // the reference itself
}

TEST(UpdateRows, DictionariesCrossing65535EntriesWidenTheCodes) {
  std::mt19937_64 rng(5);
  Rows rows = Initial(20000);
  CustomerFrame f = Build(rows);
  RunRounds(rows, f, 25, 12000, 1 << 20, rng);
  ExpectHolds(f, rows);
  const auto& category = std::get<CategoryColumn>(*f.Find("category"));
  EXPECT_GT(category.dictionary.size(), 65535);
  EXPECT_EQ(category.codes.width(), 4);
  EXPECT_GT(std::get<SetColumn>(*f.Find("set")).dictionary.size(), 65535);
}

TEST(UpdateRows, RewrittenRowsAreKeptApartUntilCompacted) {
  Rows rows = Initial(100);
  CustomerFrame f = Build(rows);
  rows[3].text = "a longer name than before";
  rows[3].set = {"t", "u"};
  rows[5].text = "name 9";  // same length: in place
  std::vector<int64_t> affected{3, 5};
  ASSERT_TRUE(UpdateRows(f, Build(rows, affected), affected));
  const auto& text = std::get<TextColumn>(*f.Find("text"));
  const auto& set = std::get<SetColumn>(*f.Find("set"));
  EXPECT_EQ(text.moved.size(), 1u);
  EXPECT_EQ(set.moved.size(), 1u);
  ExpectHolds(f, rows);

  // Removing a row compacts the text and set columns.
  rows.erase(7);
  affected = {7};
  ASSERT_TRUE(UpdateRows(f, Build(rows, affected), affected));
  EXPECT_TRUE(std::get<TextColumn>(*f.Find("text")).moved.empty());
  EXPECT_TRUE(std::get<SetColumn>(*f.Find("set")).moved.empty());
  ExpectHolds(f, rows);
}

TEST(UpdateRows, AppendedRowsLeaveLittleSpareCapacity) {
  Rows rows = Initial(10000);
  CustomerFrame f = Build(rows);
  f.ShrinkToFit();
  const size_t before = f.bytes();
  for (int64_t id = 30001; id <= 30003; ++id) {  // one at a time, as new customers trickle in
    rows[id] = Row{"a", "new", {"t"}, 1};
    ASSERT_TRUE(UpdateRows(f, Build(rows, {id}), {id}));
  }
  ExpectHolds(f, rows);
  EXPECT_LT(f.bytes(), before + before / 32);  // not the doubling of a vector's growth
}

TEST(UpdateRows, RefusesWhatItCannotApplyAndLeavesTheFrame) {
  Rows rows = Initial(10);
  CustomerFrame f = Build(rows);
  const CustomerFrame before = f;
  Rows more = rows;
  more[2] = Row{"x", "below the last id", {}, 0};  // 2 < 19, the frame's last id
  std::vector<int64_t> affected{2};
  EXPECT_FALSE(UpdateRows(f, Build(more, affected), affected));
  CustomerFrame other_columns = Build(more, affected);
  other_columns.columns.pop_back();
  EXPECT_FALSE(UpdateRows(f, other_columns, affected));
  ExpectHolds(f, rows);
  EXPECT_EQ(f.ids, before.ids);
}

TEST(UpdateRows, PartsUpdateTheirColumnsOnly) {
  Rows rows = Initial(10);
  CustomerFrame f = Build(rows);
  // The record part says customer 3 is gone and 5 has a new category; the number part updates 7.
  FramePatch patch;
  patch.checked = {3, 5};
  rows.erase(3);
  rows[5].category = "c";
  CustomerFrame records = Build(rows, {5});
  records.columns.pop_back();  // "number" comes from the other part
  CustomerFrame numbers;
  numbers.ids = {7};
  numbers.Add("number", NumberColumn{{70}});
  rows[7].number = 70;
  patch.parts = {records, numbers};
  ASSERT_TRUE(UpdateRows(f, patch));
  ExpectHolds(f, rows);
}

}  // namespace
}  // namespace rapport::internal
