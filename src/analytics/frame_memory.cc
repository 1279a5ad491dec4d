// What a customer frame's memory holds, and giving back what appending left spare.
#include <type_traits>

#include "analytics/set_row_index.h"
#include "rapport/frame.h"

namespace rapport {
namespace {

template <typename T>
size_t VectorBytes(const std::vector<T>& v) { return v.capacity() * sizeof(T); }

// A hash map's slots and control bytes.
template <typename Map>
size_t MapBytes(const Map& m) {
  return m.capacity() == 0 ? 0 : m.capacity() * (sizeof(typename Map::value_type) + 1);
}

}  // namespace

FrameBytes ColumnBytes(const Column& column) {
  FrameBytes b;
  std::visit(
      [&](const auto& c) {
        using C = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<C, CategoryColumn>) {
          b.arrays = c.codes.capacity_bytes();
          b.strings = c.dictionary.bytes();
        } else if constexpr (std::is_same_v<C, TextColumn>) {
          b.arrays = VectorBytes(c.offsets) + c.present.capacity() / 8 + MapBytes(c.moved);
          b.strings = c.chars.capacity();
          for (const auto& [row, text] : c.moved) b.strings += text.capacity() > 15 ? text.capacity() : 0;  // past SSO
        } else if constexpr (std::is_same_v<C, SetColumn>) {
          b.arrays = VectorBytes(c.offsets) + c.codes.capacity_bytes() + MapBytes(c.moved);
          for (const auto& [row, codes] : c.moved) b.arrays += VectorBytes(codes);
          if (const auto index = c.row_index.Get()) b.arrays += index->bytes();
          b.strings = c.dictionary.bytes();
        } else {
          b.arrays = VectorBytes(c.values);
        }
      },
      column);
  return b;
}

FrameBytes CustomerFrame::ByteBreakdown() const {
  FrameBytes total;
  total.arrays = VectorBytes(ids);
  for (const auto& [name, column] : columns) {
    const FrameBytes b = ColumnBytes(column);
    total.arrays += b.arrays;
    total.strings += b.strings + name.capacity();
  }
  return total;
}

size_t CustomerFrame::bytes() const { return ByteBreakdown().total(); }

void CustomerFrame::ShrinkToFit() {
  ids.shrink_to_fit();
  for (auto& [name, column] : columns) {
    std::visit(
        [](auto& c) {
          using C = std::decay_t<decltype(c)>;
          if constexpr (std::is_same_v<C, CategoryColumn>) {
            c.codes.shrink_to_fit();
          } else if constexpr (std::is_same_v<C, TextColumn>) {
            c.chars.shrink_to_fit();
            c.offsets.shrink_to_fit();
            c.present.shrink_to_fit();
          } else if constexpr (std::is_same_v<C, SetColumn>) {
            c.offsets.shrink_to_fit();
            c.codes.shrink_to_fit();
          } else {
            c.values.shrink_to_fit();
          }
        },
        column);
  }
}

}  // namespace rapport
