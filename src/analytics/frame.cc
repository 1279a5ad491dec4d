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

void SetColumn::Append(const std::vector<std::string_view>& values) {
  size_t start = codes.size();
  for (std::string_view v : values) codes.push_back(dictionary.Intern(v));
  std::sort(codes.begin() + start, codes.end());
  codes.erase(std::unique(codes.begin() + start, codes.end()), codes.end());
  offsets.push_back(static_cast<uint32_t>(codes.size()));
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
  auto it = std::lower_bound(ids.begin(), ids.end(), id);
  return (it != ids.end() && *it == id) ? it - ids.begin() : -1;
}

namespace {
template <typename T>
size_t VectorBytes(const std::vector<T>& v) { return v.capacity() * sizeof(T); }
}  // namespace

size_t CustomerFrame::bytes() const {
  size_t total = VectorBytes(ids);
  for (const auto& [name, column] : columns) {
    total += name.capacity();
    std::visit(
        [&](const auto& c) {
          using C = std::decay_t<decltype(c)>;
          if constexpr (std::is_same_v<C, CategoryColumn>) {
            total += VectorBytes(c.codes) + c.dictionary.bytes();
          } else if constexpr (std::is_same_v<C, TextColumn>) {
            total += c.chars.capacity() + VectorBytes(c.offsets) + c.present.capacity() / 8;
          } else if constexpr (std::is_same_v<C, SetColumn>) {
            total += VectorBytes(c.offsets) + VectorBytes(c.codes) + c.dictionary.bytes();
          } else {
            total += VectorBytes(c.values);
          }
        },
        column);
  }
  return total;
}

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
