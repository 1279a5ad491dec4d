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
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/status.h"

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
  static constexpr int32_t kNullCode = -1;
  StringDictionary dictionary;
  std::vector<int32_t> codes;

  void Append(std::optional<std::string_view> value) {
    codes.push_back(value ? dictionary.Intern(*value) : kNullCode);
  }
  std::optional<std::string_view> Get(size_t row) const {
    if (codes[row] == kNullCode) return std::nullopt;
    return dictionary.at(codes[row]);
  }
};

// Free text (names, text fields): one string per row, stored end to end.
struct TextColumn {
  std::string chars;
  std::vector<uint32_t> offsets{0};  // row i spans [offsets[i], offsets[i+1])
  std::vector<bool> present;         // false: missing

  void Append(std::optional<std::string_view> value) {
    if (value) chars.append(value->data(), value->size());
    offsets.push_back(static_cast<uint32_t>(chars.size()));
    present.push_back(value.has_value());
  }
  std::optional<std::string_view> Get(size_t row) const {
    if (!present[row]) return std::nullopt;
    return std::string_view(chars).substr(offsets[row], offsets[row + 1] - offsets[row]);
  }
};

// A set of strings per row (tags, multi-enum fields); an empty set counts as missing.
struct SetColumn {
  StringDictionary dictionary;
  std::vector<uint32_t> offsets{0};  // row i's codes are codes[offsets[i]..offsets[i+1]), ascending
  std::vector<int32_t> codes;

  void Append(const std::vector<std::string_view>& values);
};

struct NumberColumn {
  std::vector<double> values;  // NaN: missing
};

struct TimeColumn {
  std::vector<int64_t> values;  // kNullTime: missing
};

struct BoolColumn {
  std::vector<int8_t> values;  // -1: missing, 0 false, 1 true
};

using Column = std::variant<CategoryColumn, TextColumn, SetColumn, NumberColumn, TimeColumn, BoolColumn>;

// The type a column has in the segment language.
enum class ColumnType { kCategory = 0, kText = 1, kSet = 2, kNumber = 3, kTime = 4, kBool = 5 };
ColumnType TypeOf(const Column& column);
std::string_view ToString(ColumnType type);

// One row per customer, ordered by ascending id. Core fields, custom fields and the order metrics
// below are named columns; the segment language reads them by name.
//
// Order metrics (NumberColumn / TimeColumn) over the orders that count (completed ones, by default):
//   frequency (number of orders), monetary (their sum), aov (monetary / frequency),
//   first_order_at, last_order_at, mean_interpurchase_days ((last - first) / (frequency - 1) in days).
// Customers without orders have frequency 0, monetary 0 and missing aov, times and interval.
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
  // Bytes held by the frame's arrays and strings.
  size_t bytes() const;
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
