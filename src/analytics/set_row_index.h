// Which rows hold each value of a set column (SetRowIndexCache in rapport/frame.h), so that a
// condition such as has_tag("vip") reads a bit per row rather than every row's codes.
#ifndef RAPPORT_ANALYTICS_SET_ROW_INDEX_H_
#define RAPPORT_ANALYTICS_SET_ROW_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "rapport/frame.h"

namespace rapport::internal {

// A value held by at least 1/32 of the rows gets a bitmap (a bit per row costs no more than listing
// its rows at 4 bytes each); rarer values list their rows. Either way the index costs about 4 bytes
// per stored code at most (bitmaps keep 1/64 of room for appended rows).
struct SetRowIndex {
  size_t rows = 0;
  size_t words = 0;                     // per bitmap: a bit per row, 1/64 to spare, a zero word of padding
  std::vector<int32_t> bitmap_of;       // per code: its bitmap's number, or -1 (its rows are listed)
  std::vector<uint64_t> bitmaps;        // `words` each
  std::vector<uint32_t> list_offsets;   // per code: its rows are listed[list_offsets[c] .. [c + 1])
  std::vector<uint32_t> listed;         // rows, ascending per code

  // Whether `code` was in the dictionary when the index was built (no row holds a later one).
  bool Covers(int32_t code) const { return code >= 0 && static_cast<size_t>(code) < bitmap_of.size(); }
  const uint64_t* Bitmap(int32_t code) const {
    return !Covers(code) || bitmap_of[code] < 0 ? nullptr
                                                : bitmaps.data() + static_cast<size_t>(bitmap_of[code]) * words;
  }
  // ORs into `mask` the rows of [begin, begin + n) that hold `code`: bit i of mask[i / 64] for row
  // begin + i. Bits past n stay as they were.
  void OrRows(int32_t code, uint32_t begin, uint32_t n, uint64_t* mask) const;
  // Follows row `row` changing its codes from `before` to `after` (each ascending), or a row appended
  // (row == rows, before empty), when every code that comes or goes has a bitmap with room for the row;
  // false, unchanged, otherwise (a listed value's rows are packed with the others'): drop the index.
  bool Update(uint32_t row, std::span<const int32_t> before, std::span<const int32_t> after);
  size_t bytes() const;
};

std::shared_ptr<SetRowIndex> BuildSetRowIndex(const SetColumn& column);

// The column's index, built on first use and kept in the column's cache.
inline std::shared_ptr<const SetRowIndex> RowIndexOf(const SetColumn& column) {
  return column.row_index.GetOrBuild([&] { return BuildSetRowIndex(column); });
}

}  // namespace rapport::internal

#endif  // RAPPORT_ANALYTICS_SET_ROW_INDEX_H_
