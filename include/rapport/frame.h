// Frames: the columnar data the analytics engine works on (plain arrays, no database).
//
// The database loads frames from its store (Database::LoadCustomerFrame, LoadOrderFrame); Python and
// C++ callers build them from their own arrays. Times are microseconds since the Unix epoch (UTC);
// a missing time is kNullTime, a missing number NaN, a missing category kNullCode.
#ifndef RAPPORT_FRAME_H_
#define RAPPORT_FRAME_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "rapport/category_codes.h"

namespace rapport {

inline constexpr int64_t kNullTime = std::numeric_limits<int64_t>::min();
inline constexpr int64_t kMicrosPerDay = int64_t{86'400'000'000};

// Distinct strings stored once, numbered from 0 in order of first appearance.
class StringDictionary {
 public:
  StringDictionary();
  StringDictionary(const StringDictionary&);
  StringDictionary& operator=(const StringDictionary&);
  StringDictionary(StringDictionary&&) noexcept;
  StringDictionary& operator=(StringDictionary&&) noexcept;
  ~StringDictionary();

  int32_t size() const { return static_cast<int32_t>(offsets_.size()) - 1; }
  std::string_view at(int32_t code) const {
    return std::string_view(chars_).substr(offsets_[code], offsets_[code + 1] - offsets_[code]);
  }
  // The code of `value`, or -1 when it is not in the dictionary.
  int32_t Find(std::string_view value) const;
  // The code of `value`, adding it when missing.
  int32_t Intern(std::string_view value);
  size_t bytes() const;

 private:
  struct Index;
  std::string chars_;
  std::vector<uint32_t> offsets_;
  std::unique_ptr<Index> index_;
};

// A text column with few distinct values (industry, region, enum fields): codes into a dictionary.
struct CategoryColumn {
  static constexpr int32_t kNullCode = CategoryCodes::kNull;
  StringDictionary dictionary;
  CategoryCodes codes;

  void Append(std::optional<std::string_view> value) {
    codes.push_back(value ? dictionary.Intern(*value) : kNullCode);
  }
  std::optional<std::string_view> Get(size_t row) const {
    const int32_t code = codes[row];
    if (code == kNullCode) return std::nullopt;
    return dictionary.at(code);
  }
};

// Text and set columns store their rows end to end: row r spans [offsets[r], offsets[r+1]) of the
// column's values. A row rewritten with a different length after the column was built (an incremental
// refresh) is flagged with kMovedRow in offsets[r] (its old span becomes dead; the flag leaves the
// offset itself readable as the end of row r-1) and its value is kept apart, in the column's `moved`
// map, so that changing k rows costs O(k) rather than a copy of the column. Compact() puts every row
// back in line. Values are limited to 2^31 bytes (text) or codes (sets) per column.
inline constexpr uint32_t kMovedRow = uint32_t{1} << 31;

// Free text (names, text fields): one string per row, stored end to end.
struct TextColumn {
  std::string chars;
  std::vector<uint32_t> offsets{0};  // see kMovedRow
  std::vector<bool> present;         // false: missing
  absl::flat_hash_map<uint32_t, std::string> moved;  // rows flagged kMovedRow

  size_t rows() const { return present.size(); }
  void Append(std::optional<std::string_view> value) {
    if (value) chars.append(value->data(), value->size());
    offsets.push_back(static_cast<uint32_t>(chars.size()));
    present.push_back(value.has_value());
  }
  std::optional<std::string_view> Get(size_t row) const {
    if (!present[row]) return std::nullopt;
    const uint32_t b = offsets[row];
    if (b & kMovedRow) return moved.find(static_cast<uint32_t>(row))->second;
    return std::string_view(chars).substr(b, (offsets[row + 1] & ~kMovedRow) - b);
  }
  // Replaces a row's value: in place when the length is unchanged, otherwise in `moved`.
  void Replace(size_t row, std::optional<std::string_view> value);
  // Puts every row back end to end, without dead spans.
  void Compact();
};

namespace internal {
struct SetRowIndex;
}

// Which rows hold each value of a set column: the segment evaluator builds it the first time a
// condition such as has_tag reads the column, and later evaluations read a bit per row instead of
// each row's codes. Copies of the column share it; SetColumn's functions that change rows update it
// in place when no copy shares it, or drop it.
class SetRowIndexCache {
 public:
  SetRowIndexCache() = default;
  SetRowIndexCache(const SetRowIndexCache& other) : index_(other.Shared()) {}
  SetRowIndexCache(SetRowIndexCache&& other) noexcept : index_(std::move(other.index_)) {}
  SetRowIndexCache& operator=(const SetRowIndexCache& other) {
    if (this != &other) index_ = other.Shared();
    return *this;
  }
  SetRowIndexCache& operator=(SetRowIndexCache&& other) noexcept {
    index_ = std::move(other.index_);
    return *this;
  }

  std::shared_ptr<const internal::SetRowIndex> Get() const { return Shared(); }
  // The index, built by `build` when there is none yet (once, however many threads ask).
  template <typename Build>
  std::shared_ptr<const internal::SetRowIndex> GetOrBuild(Build build) const {
    std::lock_guard<std::mutex> lock(mu_);
    if (!index_) index_ = build();
    return index_;
  }
  // For what changes the column's rows, which has the column to itself meanwhile: the index to change
  // along with the rows when nothing else holds it (no copy of the column does), else null.
  internal::SetRowIndex* Unshared() { return index_.use_count() == 1 ? index_.get() : nullptr; }
  void Drop() { index_.reset(); }

 private:
  std::shared_ptr<internal::SetRowIndex> Shared() const {
    std::lock_guard<std::mutex> lock(mu_);
    return index_;
  }

  mutable std::mutex mu_;
  mutable std::shared_ptr<internal::SetRowIndex> index_;
};

// A set of strings per row (tags, multi-enum fields); an empty set counts as missing. Row r's codes
// (into `dictionary`, ascending and distinct) are codes[offsets[r] .. offsets[r+1]), or moved[r] when
// offsets[r] has kMovedRow. Read rows with Codes/Values; loops that matter read the arrays.
//
// The member functions that change rows keep `row_index` in step (or drop it); code that writes
// `offsets`, `codes` or `moved` directly calls row_index.Drop(), or conditions on the column would read
// the old rows.
struct SetColumn {
  StringDictionary dictionary;
  std::vector<uint32_t> offsets{0};  // see kMovedRow
  CategoryCodes codes;               // never kNull
  absl::flat_hash_map<uint32_t, std::vector<int32_t>> moved;  // rows flagged kMovedRow
  SetRowIndexCache row_index;

  size_t rows() const { return offsets.size() - 1; }
  void Append(const std::vector<std::string_view>& values);
  // Appends a row given as codes into `dictionary`, ascending and distinct.
  void AppendCodes(std::span<const int32_t> row_codes);
  std::vector<int32_t> Codes(size_t row) const;
  std::vector<std::string_view> Values(size_t row) const;
  bool Empty(size_t row) const;
  // Replaces a row's codes (ascending, distinct): in place when their number is unchanged,
  // otherwise in `moved`.
  void Replace(size_t row, std::span<const int32_t> row_codes);
  // Puts every row back end to end, without dead spans.
  void Compact();

 private:
  // Keeps row_index in step with a row's change (or an appended row), or drops it.
  void FollowInIndex(size_t row, std::span<const int32_t> before, std::span<const int32_t> after);
};

// Numbers, times and bools hold one value per row, or no array at all when no row has a value (a
// field nobody fills in costs nothing; the frame loader leaves such record columns empty). Get()
// reads either form.
struct NumberColumn {
  std::vector<double> values;  // NaN: missing; empty: every row missing

  double Get(size_t row) const { return values.empty() ? std::numeric_limits<double>::quiet_NaN() : values[row]; }
};

struct TimeColumn {
  std::vector<int64_t> values;  // kNullTime: missing; empty: every row missing

  int64_t Get(size_t row) const { return values.empty() ? kNullTime : values[row]; }
};

struct BoolColumn {
  std::vector<int8_t> values;  // -1: missing, 0 false, 1 true; empty: every row missing

  int8_t Get(size_t row) const { return values.empty() ? int8_t{-1} : values[row]; }
};

// The CLV scores a segment expression can read (docs/segments.md): p_alive (probability the customer
// is alive at the scores' as_of), expected_purchases_90d, clv (discounted value over the model's
// horizon) and churn_risk (1 - p_alive). A database frame has these number columns when loaded with
// CustomerFrameParts::clv_scores (from the last model applied; NaN for customers it did not score); a
// caller's frame may have columns of these names like any other.
inline constexpr std::string_view kClvScoreColumns[] = {"p_alive", "expected_purchases_90d", "clv", "churn_risk"};

using Column = std::variant<CategoryColumn, TextColumn, SetColumn, NumberColumn, TimeColumn, BoolColumn>;

// The type a column has in the segment language.
enum class ColumnType { kCategory = 0, kText = 1, kSet = 2, kNumber = 3, kTime = 4, kBool = 5 };
ColumnType TypeOf(const Column& column);
std::string_view ToString(ColumnType type);

// Memory held (allocated capacity), split so that the part that grows with the number of customers
// can be told from the text itself: `arrays` are ids, codes, numbers, times, bools, offsets and the
// bookkeeping of moved rows; `strings` are text characters (moved rows' included), dictionaries
// (characters, offsets, hash index) and column names.
struct FrameBytes {
  size_t arrays = 0;
  size_t strings = 0;
  size_t total() const { return arrays + strings; }
};
FrameBytes ColumnBytes(const Column& column);

// One row per customer, ordered by ascending id. Core fields, custom fields and the order metrics
// below are named columns; the segment language reads them by name.
//
// Order metrics (NumberColumn / TimeColumn) over the orders that count (completed ones, by default):
//   frequency (number of orders), monetary (their sum), aov (monetary / frequency),
//   first_order_at, last_order_at, mean_interpurchase_days ((last - first) / (frequency - 1) in days).
// Customers without orders have frequency 0, monetary 0 and missing aov, times and interval.
//
// CLV scores (NumberColumn, see kClvScoreColumns) when the frame was loaded with them.
struct CustomerFrame {
  std::vector<int64_t> ids;
  std::vector<std::pair<std::string, Column>> columns;

  size_t rows() const { return ids.size(); }
  const Column* Find(std::string_view name) const;
  Column* FindMutable(std::string_view name);
  // Adds an empty column (or returns the existing one of the same name).
  Column& Add(std::string_view name, Column column);
  // The row of a customer id, or -1.
  int64_t RowOf(int64_t id) const;
  // Bytes held by the frame's arrays and strings (ByteBreakdown().total()).
  size_t bytes() const;
  FrameBytes ByteBreakdown() const;
  // Releases spare capacity left by appending rows.
  void ShrinkToFit();
};

// Orders (or any transactions): one row per order. Amounts are in major units of one currency.
struct OrderFrame {
  std::vector<int64_t> customer;
  std::vector<int64_t> at;
  std::vector<double> amount;

  size_t rows() const { return customer.size(); }
  // Whether rows are ordered by (customer, at); analyses sort a copy when they are not.
  bool IsSorted() const;
  void Sort();
};

// Events of a customer's history (page views, sign-ups, orders, ...) for funnels.
struct EventFrame {
  std::vector<int64_t> customer;
  CategoryColumn kind;
  std::vector<int64_t> at;
  std::vector<double> value;  // optional: empty, or one per row

  size_t rows() const { return customer.size(); }
};

// Stage history: when an entity (a deal, a lead, a customer) entered a stage.
struct StageHistoryFrame {
  std::vector<int64_t> entity;
  CategoryColumn stage;
  std::vector<int64_t> entered_at;

  size_t rows() const { return entity.size(); }
};

// Per-customer order metrics (the columns described at CustomerFrame) computed from an order frame,
// for the customers in `frame` (orders of other customers, and orders without a time, are ignored).
// Replaces existing columns. InvalidArgument when the order columns differ in length.
absl::Status AddOrderMetrics(const OrderFrame& orders, CustomerFrame& frame);

}  // namespace rapport

#endif  // RAPPORT_FRAME_H_
