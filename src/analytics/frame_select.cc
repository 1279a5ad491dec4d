#include "analytics/frame_select.h"

#include <type_traits>

namespace rapport::internal {
namespace {

// An empty array (a column without values) stays empty.
template <typename T>
std::vector<T> Gather(const std::vector<T>& values, const std::vector<uint32_t>& rows) {
  if (values.empty()) return {};
  std::vector<T> out(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) out[i] = values[rows[i]];
  return out;
}

Column SelectColumn(const Column& column, const std::vector<uint32_t>& rows) {
  return std::visit(
      [&](const auto& c) -> Column {
        using C = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<C, CategoryColumn>) {
          CategoryColumn out;
          out.dictionary = c.dictionary;
          for (uint32_t r : rows) out.codes.push_back(c.codes[r]);
          return out;
        } else if constexpr (std::is_same_v<C, TextColumn>) {
          TextColumn out;
          for (uint32_t r : rows) out.Append(c.Get(r));
          return out;
        } else if constexpr (std::is_same_v<C, SetColumn>) {
          SetColumn out;
          out.dictionary = c.dictionary;
          out.offsets.reserve(rows.size() + 1);
          for (uint32_t r : rows) out.AppendCodes(c.Codes(r));
          return out;
        } else {
          return C{Gather(c.values, rows)};
        }
      },
      column);
}

}  // namespace

CustomerFrame SelectRows(const CustomerFrame& frame, const std::vector<uint32_t>& rows,
                         const std::vector<std::string>& columns) {
  CustomerFrame out;
  out.ids = Gather(frame.ids, rows);
  for (const std::string& name : columns) {
    if (const Column* c = frame.Find(name)) out.Add(name, SelectColumn(*c, rows));
  }
  return out;
}

}  // namespace rapport::internal
