#include "analytics/frame_update.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace rapport::internal {
namespace {

// Moved rows of a text or set column past which it is compacted: a share of the rows, so that a
// compaction (O(rows)) comes once per that many rewritten rows.
size_t MovedLimit(size_t rows) { return std::max<size_t>(1024, rows / 64); }

// Where each of the frame's columns comes from: (part, column index in the part).
using Sources = std::vector<std::pair<size_t, size_t>>;

bool FindSources(const CustomerFrame& frame, const FramePatch& patch, Sources& sources) {
  sources.assign(frame.columns.size(), {SIZE_MAX, 0});
  size_t found = 0;
  for (size_t p = 0; p < patch.parts.size(); ++p) {
    const auto& part_columns = patch.parts[p].columns;
    for (size_t k = 0; k < part_columns.size(); ++k) {
      size_t c = 0;
      while (c < frame.columns.size() && frame.columns[c].first != part_columns[k].first) ++c;
      if (c == frame.columns.size() || sources[c].first != SIZE_MAX) return false;  // unknown, or twice
      if (frame.columns[c].second.index() != part_columns[k].second.index()) return false;
      sources[c] = {p, k};
      ++found;
    }
  }
  return found == frame.columns.size();
}

int32_t CodeIn(StringDictionary& dictionary, const CategoryColumn& in, size_t row) {
  const int32_t code = in.codes[row];
  return code == CategoryColumn::kNullCode ? code : dictionary.Intern(in.dictionary.at(code));
}

// Row `row` of `in` in `dictionary`'s numbering (interning values it lacks), ascending.
std::vector<int32_t> CodesIn(StringDictionary& dictionary, const SetColumn& in, size_t row) {
  std::vector<int32_t> codes = in.Codes(row);
  for (int32_t& c : codes) c = dictionary.Intern(in.dictionary.at(c));
  std::sort(codes.begin(), codes.end());
  return codes;
}

bool IsMissing(double v) { return std::isnan(v); }
bool IsMissing(int64_t v) { return v == kNullTime; }
bool IsMissing(int8_t v) { return v < 0; }

// A value column of `rows` rows with an array (it has none while every row is missing).
template <typename C>
void GiveArray(C& c, size_t rows) {
  if (c.values.empty()) c.values.assign(rows, C().Get(0));  // an empty column's Get: the missing value
}

// out[row] = in[in_row]; `rows` is out's number of rows.
void Overwrite(Column& out_column, const Column& in_column, size_t rows, size_t row, size_t in_row) {
  std::visit(
      [&](auto& out) {
        using C = std::decay_t<decltype(out)>;
        const C& in = std::get<C>(in_column);
        if constexpr (std::is_same_v<C, CategoryColumn>) {
          out.codes.Set(row, CodeIn(out.dictionary, in, in_row));  // widens the codes when the dictionary outgrew them
        } else if constexpr (std::is_same_v<C, TextColumn>) {
          out.Replace(row, in.Get(in_row));
        } else if constexpr (std::is_same_v<C, SetColumn>) {
          out.Replace(row, CodesIn(out.dictionary, in, in_row));
        } else {
          const auto v = in.Get(in_row);
          if (out.values.empty() && IsMissing(v)) return;
          GiveArray(out, rows);
          out.values[row] = v;
        }
      },
      out_column);
}

// Appends in[in_row] to out, which has `rows` rows.
void Append(Column& out_column, const Column& in_column, size_t rows, size_t in_row) {
  std::visit(
      [&](auto& out) {
        using C = std::decay_t<decltype(out)>;
        const C& in = std::get<C>(in_column);
        if constexpr (std::is_same_v<C, CategoryColumn>) {
          out.codes.push_back(CodeIn(out.dictionary, in, in_row));
        } else if constexpr (std::is_same_v<C, TextColumn>) {
          out.Append(in.Get(in_row));
        } else if constexpr (std::is_same_v<C, SetColumn>) {
          out.AppendCodes(CodesIn(out.dictionary, in, in_row));
        } else {
          const auto v = in.Get(in_row);
          if (out.values.empty() && IsMissing(v)) return;
          GiveArray(out, rows);
          out.values.push_back(v);
        }
      },
      out_column);
}

template <typename T>
void Keep(std::vector<T>& v, const std::vector<uint8_t>& remove) {
  size_t k = 0;
  for (size_t i = 0; i < remove.size(); ++i)
    if (!remove[i]) v[k++] = v[i];
  v.resize(k);
}

// Drops the rows flagged in `remove` (one flag per row).
void RemoveRows(Column& column, const std::vector<uint8_t>& remove) {
  std::visit(
      [&](auto& c) {
        using C = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<C, CategoryColumn>) {
          c.codes.Visit([&](auto& codes) { Keep(codes, remove); });
        } else if constexpr (std::is_same_v<C, TextColumn>) {
          TextColumn out;
          out.chars.reserve(c.chars.size());
          out.offsets.reserve(c.offsets.size());
          for (size_t r = 0; r < remove.size(); ++r)
            if (!remove[r]) out.Append(c.Get(r));
          c = std::move(out);
        } else if constexpr (std::is_same_v<C, SetColumn>) {
          c.Compact();
          c.row_index.Drop();
          c.codes.Visit([&](auto& codes) {
            size_t k = 0, row = 0;
            for (size_t r = 0; r < remove.size(); ++r) {
              const uint32_t b = c.offsets[r], e = c.offsets[r + 1];
              if (remove[r]) continue;
              c.offsets[row++] = static_cast<uint32_t>(k);
              for (uint32_t i = b; i < e; ++i) codes[k++] = codes[i];
            }
            c.offsets[row] = static_cast<uint32_t>(k);
            c.offsets.resize(row + 1);
            codes.resize(k);
          });
        } else if (!c.values.empty()) {
          Keep(c.values, remove);
        }
      },
      column);
}

// Room for `extra` more elements, with a little slack: a frame is long-lived and reports its bytes,
// so appended rows must not double every array (std::vector's growth) yet a steady trickle of new
// customers should not copy the columns each time either. 1/64 of slack makes a copy come once per
// that many appended rows.
template <typename V>
void Grow(V& v, size_t extra) {
  if (v.size() + extra > v.capacity()) v.reserve(v.size() + std::max(extra, v.size() / 64));
}
// std::string::reserve grows to at least twice the capacity: copy into one reserved from empty.
void Grow(std::string& s, size_t extra) {
  if (s.size() + extra <= s.capacity()) return;
  std::string bigger;
  bigger.reserve(s.size() + std::max(extra, s.size() / 64));
  bigger.append(s);
  s.swap(bigger);
}

void ReserveForAppend(CustomerFrame& frame, size_t extra) {
  Grow(frame.ids, extra);
  for (auto& [name, column] : frame.columns) {
    std::visit(
        [&](auto& c) {
          using C = std::decay_t<decltype(c)>;
          if constexpr (std::is_same_v<C, CategoryColumn>) {
            c.codes.Visit([&](auto& codes) { Grow(codes, extra); });
          } else if constexpr (std::is_same_v<C, TextColumn>) {
            const size_t rows = c.rows();
            Grow(c.offsets, extra);
            Grow(c.present, extra);
            Grow(c.chars, rows ? (c.chars.size() + rows - 1) / rows * extra : 0);
          } else if constexpr (std::is_same_v<C, SetColumn>) {
            const size_t rows = c.rows();
            Grow(c.offsets, extra);
            c.codes.Visit([&](auto& codes) { Grow(codes, rows ? (codes.size() + rows - 1) / rows * extra : 0); });
          } else if (!c.values.empty()) {
            Grow(c.values, extra);
          }
        },
        column);
  }
}

}  // namespace

bool UpdateRows(CustomerFrame& frame, const FramePatch& patch) {
  if (patch.parts.empty()) return false;
  Sources sources;
  if (!FindSources(frame, patch, sources)) return false;
  const size_t rows = frame.rows();
  const CustomerFrame& live = patch.parts[0];

  // Plan before touching the frame, so that a refusal leaves it as it was.
  std::vector<uint8_t> remove;  // per frame row; empty when nothing is removed
  std::vector<int64_t> append;  // new ids, ascending
  int64_t last = rows ? frame.ids.back() : INT64_MIN;
  for (int64_t id : patch.checked) {
    const int64_t row = frame.RowOf(id);
    const bool exists = live.RowOf(id) >= 0;
    if (row >= 0 && !exists) {
      if (remove.empty()) remove.assign(rows, 0);
      remove[row] = 1;
    } else if (row < 0 && exists) {
      if (id <= last) return false;
      last = id;
      append.push_back(id);
    }
  }
  // append_rows[p][i]: the row of append[i] in part p.
  std::vector<std::vector<size_t>> append_rows(patch.parts.size());
  for (size_t p = 0; p < patch.parts.size(); ++p) {
    for (int64_t id : append) {
      const int64_t r = patch.parts[p].RowOf(id);
      if (r < 0) return false;
      append_rows[p].push_back(static_cast<size_t>(r));
    }
  }

  // Overwrite the rows the frame has (removed ones too: they go below).
  for (size_t p = 0; p < patch.parts.size(); ++p) {
    const CustomerFrame& part = patch.parts[p];
    std::vector<std::pair<size_t, size_t>> overwrite;  // (frame row, part row)
    for (size_t r = 0; r < part.rows(); ++r) {
      const int64_t row = frame.RowOf(part.ids[r]);
      if (row >= 0) overwrite.emplace_back(static_cast<size_t>(row), r);
    }
    if (overwrite.empty()) continue;
    for (size_t c = 0; c < frame.columns.size(); ++c) {
      if (sources[c].first != p) continue;
      const Column& in = part.columns[sources[c].second].second;
      for (const auto& [row, r] : overwrite) Overwrite(frame.columns[c].second, in, rows, row, r);
    }
  }
  if (!remove.empty()) {
    for (auto& [name, column] : frame.columns) RemoveRows(column, remove);
    Keep(frame.ids, remove);
  }
  if (!append.empty()) ReserveForAppend(frame, append.size());
  const size_t kept = frame.ids.size();
  for (size_t c = 0; c < frame.columns.size(); ++c) {
    const auto [p, k] = sources[c];
    const Column& in = patch.parts[p].columns[k].second;
    for (size_t i = 0; i < append_rows[p].size(); ++i) Append(frame.columns[c].second, in, kept + i, append_rows[p][i]);
  }
  frame.ids.insert(frame.ids.end(), append.begin(), append.end());

  const size_t limit = MovedLimit(frame.rows());
  for (auto& [name, column] : frame.columns) {
    if (auto* t = std::get_if<TextColumn>(&column); t && t->moved.size() > limit) t->Compact();
    if (auto* s = std::get_if<SetColumn>(&column); s && s->moved.size() > limit) s->Compact();
  }
  return true;
}

bool UpdateRows(CustomerFrame& frame, const CustomerFrame& fresh, const std::vector<int64_t>& affected) {
  FramePatch patch;
  patch.checked = affected;
  patch.parts.push_back(fresh);
  return UpdateRows(frame, patch);
}

}  // namespace rapport::internal
