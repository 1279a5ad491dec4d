// Text and set columns: appending rows, replacing them in O(the row) and compacting (see kMovedRow).
#include <algorithm>

#include "analytics/set_row_index.h"
#include "rapport/frame.h"

namespace rapport {
namespace {

// Rebuilds `offsets` and `values` with every row in line; moved_row(r, out) appends moved row r's
// values.
template <typename Values, typename MovedRow>
void CompactRows(std::vector<uint32_t>& offsets, Values& values, MovedRow moved_row) {
  const size_t rows = offsets.size() - 1;
  Values out;
  out.reserve(values.size());
  std::vector<uint32_t> out_offsets;
  out_offsets.reserve(offsets.size());
  out_offsets.push_back(0);
  for (size_t r = 0; r < rows; ++r) {
    if (offsets[r] & kMovedRow) {
      moved_row(r, out);
    } else {
      out.insert(out.end(), values.begin() + offsets[r], values.begin() + (offsets[r + 1] & ~kMovedRow));
    }
    out_offsets.push_back(static_cast<uint32_t>(out.size()));
  }
  values = std::move(out);
  offsets = std::move(out_offsets);
}

}  // namespace

void TextColumn::Replace(size_t row, std::optional<std::string_view> value) {
  present[row] = value.has_value();
  if (!value) return;  // the old text stays where it was, unread
  const auto key = static_cast<uint32_t>(row);
  if (offsets[row] & kMovedRow) {
    moved[key].assign(value->data(), value->size());
    return;
  }
  const uint32_t b = offsets[row], e = offsets[row + 1] & ~kMovedRow;
  if (e - b == value->size()) {
    std::copy(value->begin(), value->end(), chars.begin() + b);
    return;
  }
  offsets[row] |= kMovedRow;
  moved.emplace(key, std::string(*value));
}

void TextColumn::Compact() {
  if (moved.empty()) return;
  std::string out;
  out.reserve(chars.size());
  std::vector<uint32_t> out_offsets;
  out_offsets.reserve(offsets.size());
  out_offsets.push_back(0);
  for (size_t r = 0; r < rows(); ++r) {
    if (std::optional<std::string_view> v = Get(r)) out.append(v->data(), v->size());
    out_offsets.push_back(static_cast<uint32_t>(out.size()));
  }
  chars = std::move(out);
  offsets = std::move(out_offsets);
  moved.clear();
}

void SetColumn::Append(const std::vector<std::string_view>& values) {
  std::vector<int32_t> row;
  row.reserve(values.size());
  for (std::string_view v : values) row.push_back(dictionary.Intern(v));
  std::sort(row.begin(), row.end());
  row.erase(std::unique(row.begin(), row.end()), row.end());
  AppendCodes(row);
}

void SetColumn::AppendCodes(std::span<const int32_t> row_codes) {
  FollowInIndex(rows(), {}, row_codes);
  for (int32_t c : row_codes) codes.push_back(c);
  offsets.push_back(static_cast<uint32_t>(codes.size()));
}

void SetColumn::FollowInIndex(size_t row, std::span<const int32_t> before, std::span<const int32_t> after) {
  internal::SetRowIndex* index = row_index.Unshared();
  if (index == nullptr || !index->Update(static_cast<uint32_t>(row), before, after)) row_index.Drop();
}

std::vector<int32_t> SetColumn::Codes(size_t row) const {
  if (offsets[row] & kMovedRow) return moved.at(static_cast<uint32_t>(row));
  std::vector<int32_t> out;
  for (uint32_t k = offsets[row], e = offsets[row + 1] & ~kMovedRow; k < e; ++k) out.push_back(codes[k]);
  return out;
}

std::vector<std::string_view> SetColumn::Values(size_t row) const {
  std::vector<std::string_view> out;
  for (int32_t c : Codes(row)) out.push_back(dictionary.at(c));
  return out;
}

bool SetColumn::Empty(size_t row) const {
  if (offsets[row] & kMovedRow) return moved.at(static_cast<uint32_t>(row)).empty();
  return offsets[row] == (offsets[row + 1] & ~kMovedRow);
}

void SetColumn::Replace(size_t row, std::span<const int32_t> row_codes) {
  const std::vector<int32_t> before = Codes(row);
  if (std::equal(before.begin(), before.end(), row_codes.begin(), row_codes.end())) return;
  FollowInIndex(row, before, row_codes);
  const auto key = static_cast<uint32_t>(row);
  if (offsets[row] & kMovedRow) {
    moved[key].assign(row_codes.begin(), row_codes.end());
    return;
  }
  const uint32_t b = offsets[row], e = offsets[row + 1] & ~kMovedRow;
  if (e - b == row_codes.size()) {
    for (size_t k = 0; k < row_codes.size(); ++k) codes.Set(b + k, row_codes[k]);
    return;
  }
  offsets[row] |= kMovedRow;
  moved.emplace(key, std::vector<int32_t>(row_codes.begin(), row_codes.end()));
}

void SetColumn::Compact() {
  if (moved.empty()) return;
  for (const auto& [row, m] : moved)
    for (int32_t c : m) codes.Reserve(c);
  codes.Visit([&](auto& v) {
    using T = typename std::decay_t<decltype(v)>::value_type;
    CompactRows(offsets, v, [&](size_t r, std::vector<T>& out) {
      for (int32_t c : moved.at(static_cast<uint32_t>(r))) out.push_back(CategoryCodes::Encode<T>(c));
    });
  });
  moved.clear();
}

}  // namespace rapport
