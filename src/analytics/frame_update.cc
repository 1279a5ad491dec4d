#include "analytics/frame_update.h"

#include <algorithm>

namespace rapport::internal {
namespace {

struct Plan {
  std::vector<std::pair<size_t, size_t>> overwrite;  // (frame row, fresh row)
  std::vector<size_t> append;                       // fresh rows, in id order
  std::vector<uint8_t> remove;                      // per frame row; empty when nothing is removed
};

bool SameShape(const CustomerFrame& a, const CustomerFrame& b) {
  if (a.columns.size() != b.columns.size()) return false;
  for (size_t i = 0; i < a.columns.size(); ++i) {
    if (a.columns[i].first != b.columns[i].first || a.columns[i].second.index() != b.columns[i].second.index()) return false;
  }
  return true;
}

template <typename T>
void Compact(std::vector<T>& v, const std::vector<uint8_t>& remove) {
  size_t k = 0;
  for (size_t i = 0; i < remove.size(); ++i)
    if (!remove[i]) v[k++] = v[i];
  v.resize(k);
}

// Text and set columns keep rows end to end, so a changed row means rebuilding the column.
template <typename C, typename Get, typename Put>
C Rebuild(const C& old, const C& fresh, const Plan& plan, size_t rows, Get get, Put put) {
  std::vector<int64_t> source(rows);  // >= 0: old row; < 0: fresh row -(r + 1)
  for (size_t r = 0; r < rows; ++r) source[r] = static_cast<int64_t>(r);
  for (const auto& [row, f] : plan.overwrite) source[row] = -static_cast<int64_t>(f) - 1;
  C out;
  for (size_t r = 0; r < rows; ++r) {
    if (!plan.remove.empty() && plan.remove[r]) continue;
    if (source[r] >= 0) {
      put(out, get(old, static_cast<size_t>(source[r])));
    } else {
      put(out, get(fresh, static_cast<size_t>(-source[r] - 1)));
    }
  }
  for (size_t f : plan.append) put(out, get(fresh, f));
  return out;
}

std::vector<std::string_view> SetValues(const SetColumn& c, size_t row) {
  std::vector<std::string_view> values;
  for (uint32_t k = c.offsets[row]; k < c.offsets[row + 1]; ++k) values.push_back(c.dictionary.at(c.codes[k]));
  return values;
}

// The codes of fresh row `f`, in `dict`'s numbering (interning values it lacks), ascending.
std::vector<int32_t> CodesIn(StringDictionary& dict, const SetColumn& fresh, size_t f) {
  std::vector<int32_t> codes;
  for (uint32_t k = fresh.offsets[f]; k < fresh.offsets[f + 1]; ++k) codes.push_back(dict.Intern(fresh.dictionary.at(fresh.codes[k])));
  std::sort(codes.begin(), codes.end());
  return codes;
}

// Rows are copied code range by code range: known values keep their codes, so no row but the
// changed ones is looked at value by value.
SetColumn RebuildSet(SetColumn old, const SetColumn& fresh, const Plan& plan, size_t rows) {
  SetColumn out;
  out.dictionary = std::move(old.dictionary);
  out.offsets.reserve(rows + plan.append.size() + 1);
  out.codes.reserve(old.codes.size() + 16 * (plan.overwrite.size() + plan.append.size()));
  auto push = [&](const int32_t* begin, const int32_t* end) {
    out.codes.insert(out.codes.end(), begin, end);
    out.offsets.push_back(static_cast<uint32_t>(out.codes.size()));
  };
  size_t next = 0;  // plan.overwrite is in row order
  for (size_t r = 0; r < rows; ++r) {
    const bool overwritten = next < plan.overwrite.size() && plan.overwrite[next].first == r;
    if (!plan.remove.empty() && plan.remove[r]) continue;
    if (overwritten) {
      std::vector<int32_t> codes = CodesIn(out.dictionary, fresh, plan.overwrite[next++].second);
      push(codes.data(), codes.data() + codes.size());
    } else {
      push(old.codes.data() + old.offsets[r], old.codes.data() + old.offsets[r + 1]);
    }
  }
  for (size_t f : plan.append) {
    std::vector<int32_t> codes = CodesIn(out.dictionary, fresh, f);
    push(codes.data(), codes.data() + codes.size());
  }
  return out;
}

}  // namespace

bool UpdateRows(CustomerFrame& frame, const CustomerFrame& fresh, const std::vector<int64_t>& affected) {
  if (!SameShape(frame, fresh)) return false;
  const size_t rows = frame.rows();
  Plan plan;
  int64_t last = rows ? frame.ids.back() : INT64_MIN;
  for (int64_t id : affected) {
    int64_t row = frame.RowOf(id), f = fresh.RowOf(id);
    if (row >= 0 && f >= 0) {
      plan.overwrite.emplace_back(row, f);
    } else if (row >= 0) {
      if (plan.remove.empty()) plan.remove.assign(rows, 0);
      plan.remove[row] = 1;
    } else if (f >= 0) {
      if (id <= last) return false;
      last = id;
      plan.append.push_back(f);
    }
  }
  for (size_t c = 0; c < frame.columns.size(); ++c) {
    Column& col = frame.columns[c].second;
    const Column& src = fresh.columns[c].second;
    std::visit(
        [&](auto& out) {
          using C = std::decay_t<decltype(out)>;
          const C& in = std::get<C>(src);
          if constexpr (std::is_same_v<C, CategoryColumn>) {
            auto code_of = [&](size_t f) {
              int32_t code = in.codes[f];
              return code < 0 ? CategoryColumn::kNullCode : out.dictionary.Intern(in.dictionary.at(code));
            };
            for (const auto& [row, f] : plan.overwrite) out.codes[row] = code_of(f);
            if (!plan.remove.empty()) Compact(out.codes, plan.remove);
            for (size_t f : plan.append) out.codes.push_back(code_of(f));
          } else if constexpr (std::is_same_v<C, TextColumn>) {
            // Most updates leave names and texts as they were: rebuild only when one differs.
            bool changed = !plan.remove.empty();
            for (const auto& [row, f] : plan.overwrite) changed = changed || out.Get(row) != in.Get(f);
            if (changed) {
              out = Rebuild(out, in, plan, rows, [](const TextColumn& t, size_t r) { return t.Get(r); },
                            [](TextColumn& t, std::optional<std::string_view> v) { t.Append(v); });
            } else {
              for (size_t f : plan.append) out.Append(in.Get(f));
            }
          } else if constexpr (std::is_same_v<C, SetColumn>) {
            bool changed = !plan.remove.empty();
            for (const auto& [row, f] : plan.overwrite) changed = changed || SetValues(out, row) != SetValues(in, f);
            if (changed) {
              out = RebuildSet(std::move(out), in, plan, rows);
            } else {
              for (size_t f : plan.append) out.Append(SetValues(in, f));
            }
          } else {
            for (const auto& [row, f] : plan.overwrite) out.values[row] = in.values[f];
            if (!plan.remove.empty()) Compact(out.values, plan.remove);
            for (size_t f : plan.append) out.values.push_back(in.values[f]);
          }
        },
        col);
  }
  if (!plan.remove.empty()) Compact(frame.ids, plan.remove);
  for (size_t f : plan.append) frame.ids.push_back(fresh.ids[f]);
  return true;
}

}  // namespace rapport::internal
