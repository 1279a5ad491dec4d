#include "analytics/set_row_index.h"

#include <algorithm>

namespace rapport::internal {
namespace {

// Calls f(row, code) for every code of every row: rows in line ascending, then the moved ones. It
// walks the stored codes rather than the rows, keeping the row number from a count of the rows that
// start at each position: a loop per row would mispredict its exit about once a row, as rows hold a
// varying number of codes.
template <typename T, typename F>
void ForEachCode(const SetColumn& c, const std::vector<T>& codes, F f) {
  const size_t rows = c.rows();
  if (rows == 0) return;
  const uint32_t total = c.offsets[rows] & ~kMovedRow;
  std::vector<uint32_t> starting(size_t{total} + 1, 0);  // rows (after the first) starting at each position
  for (size_t r = 1; r <= rows; ++r) ++starting[c.offsets[r] & ~kMovedRow];
  const bool any_moved = !c.moved.empty();
  uint32_t row = 0;
  for (uint32_t k = 0; k < total; ++k) {
    row += starting[k];
    if (any_moved && (c.offsets[row] & kMovedRow)) continue;  // a dead span
    f(row, static_cast<int32_t>(codes[k]));
  }
  for (const auto& [r, moved_codes] : c.moved)
    for (int32_t code : moved_codes) f(r, code);
}

// How many rows hold each code.
template <typename T>
std::vector<uint32_t> CountRows(const SetColumn& c, const std::vector<T>& codes, size_t values) {
  std::vector<uint32_t> count(values);
  if (c.moved.empty()) {
    for (uint32_t k = 0, total = c.offsets.back(); k < total; ++k) ++count[codes[k]];
  } else {
    ForEachCode(c, codes, [&](uint32_t, int32_t code) { ++count[code]; });
  }
  return count;
}

}  // namespace

std::shared_ptr<SetRowIndex> BuildSetRowIndex(const SetColumn& column) {
  auto index = std::make_shared<SetRowIndex>();
  SetRowIndex& x = *index;
  const size_t values = static_cast<size_t>(column.dictionary.size());
  x.rows = column.rows();
  // Room for customers appended later (Update), as the frame's own arrays keep.
  x.words = (x.rows + x.rows / 64 + 63) / 64 + 1;
  column.codes.Visit([&](const auto& codes) {
    const std::vector<uint32_t> count = CountRows(column, codes, values);
    x.bitmap_of.assign(values, -1);
    x.list_offsets.assign(values + 1, 0);
    int32_t bitmaps = 0;
    for (size_t v = 0; v < values; ++v) {
      const bool dense = count[v] > 0 && uint64_t{count[v]} * 32 >= x.rows;
      if (dense) x.bitmap_of[v] = bitmaps++;
      x.list_offsets[v + 1] = x.list_offsets[v] + (dense ? 0 : count[v]);
    }
    x.bitmaps.assign(static_cast<size_t>(bitmaps) * x.words, 0);
    x.listed.resize(x.list_offsets[values]);
    std::vector<uint32_t> next(x.list_offsets.begin(), x.list_offsets.end() - 1);
    // Locals, not members: the compiler cannot tell the words stored from x.words.
    uint64_t* const bits = x.bitmaps.data();
    const size_t words = x.words;
    const int32_t* const bitmap_of = x.bitmap_of.data();
    uint32_t* const listed = x.listed.data();
    uint32_t* const next_row = next.data();
    ForEachCode(column, codes, [=](uint32_t row, int32_t code) {
      if (const int32_t b = bitmap_of[code]; b >= 0) {
        bits[static_cast<size_t>(b) * words + row / 64] |= uint64_t{1} << (row % 64);
      } else {
        listed[next_row[code]++] = row;
      }
    });
  });
  // Moved rows come last in the walk: put each listed value's rows back in order.
  if (!column.moved.empty()) {
    for (size_t v = 0; v < values; ++v) std::sort(x.listed.begin() + x.list_offsets[v], x.listed.begin() + x.list_offsets[v + 1]);
  }
  return index;
}

void SetRowIndex::OrRows(int32_t code, uint32_t begin, uint32_t n, uint64_t* mask) const {
  if (n == 0 || !Covers(code)) return;
  if (const uint64_t* bits = Bitmap(code)) {
    const uint64_t* from = bits + begin / 64;
    const uint32_t shift = begin % 64;
    const uint32_t words_out = (n + 63) / 64;
    const uint64_t last = n % 64 == 0 ? ~uint64_t{0} : (uint64_t{1} << (n % 64)) - 1;
    // The padding word makes from[w + 1] readable up to the last row.
    for (uint32_t w = 0; w < words_out; ++w) {
      const uint64_t x = shift == 0 ? from[w] : (from[w] >> shift) | (from[w + 1] << (64 - shift));
      mask[w] |= w + 1 == words_out ? x & last : x;
    }
    return;
  }
  const uint32_t* first = listed.data() + list_offsets[code];
  const uint32_t* end = listed.data() + list_offsets[code + 1];
  for (const uint32_t* r = std::lower_bound(first, end, begin); r != end && *r - begin < n; ++r) {
    const uint32_t i = *r - begin;
    mask[i / 64] |= uint64_t{1} << (i % 64);
  }
}

bool SetRowIndex::Update(uint32_t row, std::span<const int32_t> before, std::span<const int32_t> after) {
  if (row > rows || (row == rows && row >= (words - 1) * 64)) return false;
  auto kept = [](std::span<const int32_t> codes, int32_t code) { return std::binary_search(codes.begin(), codes.end(), code); };
  for (int32_t code : before)
    if (!kept(after, code) && !Bitmap(code)) return false;
  for (int32_t code : after)
    if (!kept(before, code) && !Bitmap(code)) return false;
  const uint64_t bit = uint64_t{1} << (row % 64);
  for (int32_t code : before)
    if (!kept(after, code)) bitmaps[static_cast<size_t>(bitmap_of[code]) * words + row / 64] &= ~bit;
  for (int32_t code : after)
    if (!kept(before, code)) bitmaps[static_cast<size_t>(bitmap_of[code]) * words + row / 64] |= bit;
  if (row == rows) ++rows;
  return true;
}

size_t SetRowIndex::bytes() const {
  return sizeof(SetRowIndex) + bitmap_of.capacity() * sizeof(int32_t) + bitmaps.capacity() * sizeof(uint64_t) +
         (list_offsets.capacity() + listed.capacity()) * sizeof(uint32_t);
}

}  // namespace rapport::internal
