#include "rapport/frame.h"

#include <algorithm>
#include <numeric>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "analytics/rfm_order_scan.h"

namespace rapport {

// The index holds codes; hashing and equality look the strings up in the owning dictionary, so
// every string is stored once. `owner` follows the dictionary when it moves.
struct StringDictionary::Index {
  const StringDictionary* owner = nullptr;

  struct Hash {
    using is_transparent = void;
    const Index* index;
    size_t operator()(int32_t code) const { return absl::HashOf(AsAbsl(index->owner->at(code))); }
    size_t operator()(std::string_view s) const { return absl::HashOf(AsAbsl(s)); }
    static absl::string_view AsAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }
  };
  struct Eq {
    using is_transparent = void;
    const Index* index;
    std::string_view S(int32_t code) const { return index->owner->at(code); }
    static std::string_view S(std::string_view s) { return s; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const { return S(a) == S(b); }
  };
  absl::flat_hash_set<int32_t, Hash, Eq> codes{0, Hash{this}, Eq{this}};
};

StringDictionary::StringDictionary() : offsets_{0}, index_(std::make_unique<Index>()) { index_->owner = this; }

StringDictionary::StringDictionary(const StringDictionary& other)
    : chars_(other.chars_), offsets_(other.offsets_), index_(std::make_unique<Index>()) {
  index_->owner = this;
  for (int32_t c = 0; c < size(); ++c) index_->codes.insert(c);
}

StringDictionary& StringDictionary::operator=(const StringDictionary& other) {
  if (this != &other) *this = StringDictionary(other);
  return *this;
}

StringDictionary::StringDictionary(StringDictionary&& other) noexcept
    : chars_(std::move(other.chars_)), offsets_(std::move(other.offsets_)), index_(std::move(other.index_)) {
  index_->owner = this;
  other.offsets_ = {0};
  other.index_ = std::make_unique<Index>();
  other.index_->owner = &other;
}

StringDictionary& StringDictionary::operator=(StringDictionary&& other) noexcept {
  if (this == &other) return *this;
  chars_ = std::move(other.chars_);
  offsets_ = std::move(other.offsets_);
  index_ = std::move(other.index_);
  index_->owner = this;
  other.chars_.clear();
  other.offsets_ = {0};
  other.index_ = std::make_unique<Index>();
  other.index_->owner = &other;
  return *this;
}

StringDictionary::~StringDictionary() = default;

int32_t StringDictionary::Find(std::string_view value) const {
  auto it = index_->codes.find(value);
  return it == index_->codes.end() ? -1 : *it;
}

int32_t StringDictionary::Intern(std::string_view value) {
  if (int32_t code = Find(value); code >= 0) return code;
  chars_.append(value.data(), value.size());
  offsets_.push_back(static_cast<uint32_t>(chars_.size()));
  int32_t code = size() - 1;
  index_->codes.insert(code);
  return code;
}

size_t StringDictionary::bytes() const {
  return chars_.capacity() + offsets_.capacity() * sizeof(uint32_t) + index_->codes.capacity() * (sizeof(int32_t) + 1);
}

ColumnType TypeOf(const Column& column) { return static_cast<ColumnType>(column.index()); }

std::string_view ToString(ColumnType type) {
  switch (type) {
    case ColumnType::kCategory: return "text";
    case ColumnType::kText: return "text";
    case ColumnType::kSet: return "set";
    case ColumnType::kNumber: return "number";
    case ColumnType::kTime: return "time";
    case ColumnType::kBool: return "bool";
  }
  return "?";
}

const Column* CustomerFrame::Find(std::string_view name) const {
  for (const auto& [n, c] : columns)
    if (n == name) return &c;
  return nullptr;
}

Column* CustomerFrame::FindMutable(std::string_view name) {
  for (auto& [n, c] : columns)
    if (n == name) return &c;
  return nullptr;
}

Column& CustomerFrame::Add(std::string_view name, Column column) {
  if (Column* existing = FindMutable(name)) {
    *existing = std::move(column);
    return *existing;
  }
  columns.emplace_back(std::string(name), std::move(column));
  return columns.back().second;
}

int64_t CustomerFrame::RowOf(int64_t id) const {
  // Ids are ascending and usually dense (row ids of a table), so a guess from their spread lands
  // on or near the row: a few probes instead of ~20 cache misses of a binary search over the whole
  // array. Each probe narrows [lo, hi); after a few, bisection finishes.
  size_t lo = 0, hi = ids.size();
  for (int probe = 0; probe < 4 && hi - lo > 16; ++probe) {
    const int64_t first = ids[lo], last = ids[hi - 1];
    if (id < first || id > last) return -1;
    const double share = last == first ? 0 : (static_cast<double>(id) - static_cast<double>(first)) /
                                                 (static_cast<double>(last) - static_cast<double>(first));
    const size_t guess = std::min(hi - 1, lo + static_cast<size_t>(share * static_cast<double>(hi - 1 - lo)));
    if (ids[guess] == id) return static_cast<int64_t>(guess);
    if (ids[guess] < id) {
      lo = guess + 1;
    } else {
      hi = guess;
    }
  }
  auto it = std::lower_bound(ids.begin() + lo, ids.begin() + hi, id);
  return (it != ids.begin() + hi && *it == id) ? it - ids.begin() : -1;
}

bool OrderFrame::IsSorted() const {
  for (size_t i = 1; i < customer.size(); ++i) {
    if (customer[i] < customer[i - 1] || (customer[i] == customer[i - 1] && at[i] < at[i - 1])) return false;
  }
  return true;
}

void OrderFrame::Sort() {
  // The analyses' sort (a radix sort by customer for dense ids, on both cores) rather than a
  // comparison sort: at 80M rows that is seconds rather than tens of seconds.
  auto sorted = internal::SortedOrders::Make(*this, internal::PartsFor(0, rows()));
  if (sorted.ok() && sorted->copied()) {
    *this = sorted->ToFrame();
    return;
  }
  if (sorted.ok() || IsSorted()) return;  // already in order
  // Too many rows for the analyses' sort (2^32 or more) or uneven columns: a stable comparison sort.
  std::vector<size_t> order(rows());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return customer[a] != customer[b] ? customer[a] < customer[b] : at[a] < at[b];
  });
  auto permute = [&](auto& v) {
    std::decay_t<decltype(v)> out(v.size());
    for (size_t i = 0; i < order.size() && order[i] < v.size(); ++i) out[i] = v[order[i]];
    v = std::move(out);
  };
  permute(customer);
  permute(at);
  permute(amount);
}

}  // namespace rapport
