// Dictionary codes of a category column, stored as narrow as the dictionary allows.
#ifndef RAPPORT_CATEGORY_CODES_H_
#define RAPPORT_CATEGORY_CODES_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <type_traits>
#include <variant>
#include <vector>

namespace rapport {

// Category codes (dictionary codes, kNull for missing) stored as narrow as their values allow: one
// byte per row while every code is below 255, two bytes below 65,535, four beyond. Codes are numbered
// densely from 0, so the width follows the dictionary's size. Storing a code that does not fit widens
// the whole array first (transparently; it never narrows by itself). In the narrow widths the type's
// largest value stands for kNull.
//
// Element access decodes (operator[] gives kNull for a missing row); loops that matter take the stored
// array in its own type through Visit, templated over the width, and decode with Decode().
class CategoryCodes {
 public:
  static constexpr int32_t kNull = -1;

  CategoryCodes() = default;
  template <typename It>
  CategoryCodes(It first, It last) { assign(first, last); }

  size_t size() const { return std::visit([](const auto& v) { return v.size(); }, v_); }
  bool empty() const { return size() == 0; }
  int32_t operator[](size_t row) const {
    return std::visit([row](const auto& v) { return Decode(v[row]); }, v_);
  }
  void Set(size_t row, int32_t code) {
    Reserve(code);
    std::visit([&](auto& v) { v[row] = Encode<typename std::decay_t<decltype(v)>::value_type>(code); }, v_);
  }
  void push_back(int32_t code) {
    Reserve(code);
    std::visit([&](auto& v) { v.push_back(Encode<typename std::decay_t<decltype(v)>::value_type>(code)); }, v_);
  }
  void pop_back() { std::visit([](auto& v) { v.pop_back(); }, v_); }
  void resize(size_t n, int32_t code = kNull) {
    Reserve(code);
    std::visit([&](auto& v) { v.resize(n, Encode<typename std::decay_t<decltype(v)>::value_type>(code)); }, v_);
  }
  void reserve(size_t n) { std::visit([n](auto& v) { v.reserve(n); }, v_); }
  void clear() { std::visit([](auto& v) { v.clear(); }, v_); }
  void shrink_to_fit() { std::visit([](auto& v) { v.shrink_to_fit(); }, v_); }
  // Replaces the codes, at the narrowest width that holds them all.
  template <typename It>
  void assign(It first, It last) {
    int64_t lo = 0, hi = 0;
    for (It it = first; it != last; ++it) {
      lo = std::min<int64_t>(lo, *it);
      hi = std::max<int64_t>(hi, *it);
    }
    v_ = std::vector<uint8_t>();
    Reserve(lo < kNull ? std::numeric_limits<int32_t>::min() : static_cast<int32_t>(hi));
    std::visit(
        [&](auto& v) {
          using T = typename std::decay_t<decltype(v)>::value_type;
          v.reserve(static_cast<size_t>(std::distance(first, last)));
          for (It it = first; it != last; ++it) v.push_back(Encode<T>(static_cast<int32_t>(*it)));
        },
        v_);
  }
  std::vector<int32_t> ToVector() const {
    std::vector<int32_t> out(size());
    std::visit([&](const auto& v) { std::transform(v.begin(), v.end(), out.begin(), [](auto c) { return Decode(c); }); }, v_);
    return out;
  }

  // Bytes per code: 1, 2 or 4.
  int width() const { return std::visit([](const auto& v) { return static_cast<int>(sizeof(v[0])); }, v_); }
  // Bytes allocated (capacity, not size).
  size_t capacity_bytes() const { return std::visit([](const auto& v) { return v.capacity() * sizeof(v[0]); }, v_); }
  // Makes room for `code` without storing it: widens when it does not fit.
  void Reserve(int32_t code) {
    if (v_.index() == 0 && !Fits<uint8_t>(code)) Widen<uint16_t>();
    if (v_.index() == 1 && !Fits<uint16_t>(code)) Widen<int32_t>();
  }

  // f(const std::vector<T>&) with T = uint8_t, uint16_t or int32_t: the stored array.
  template <typename F>
  decltype(auto) Visit(F&& f) const { return std::visit(std::forward<F>(f), v_); }
  // f(std::vector<T>&): to write codes in the stored type; each must fit it (see Reserve).
  template <typename F>
  decltype(auto) Visit(F&& f) { return std::visit(std::forward<F>(f), v_); }

  template <typename T>
  static constexpr int32_t Decode(T stored) {
    if constexpr (std::is_same_v<T, int32_t>) {
      return stored;
    } else {
      return stored == std::numeric_limits<T>::max() ? kNull : static_cast<int32_t>(stored);
    }
  }
  template <typename T>
  static constexpr bool Fits(int32_t code) {
    if constexpr (std::is_same_v<T, int32_t>) {
      return true;
    } else {
      return code >= kNull && code < static_cast<int32_t>(std::numeric_limits<T>::max());
    }
  }
  // The stored form of `code`, which must fit T.
  template <typename T>
  static constexpr T Encode(int32_t code) {
    if constexpr (std::is_same_v<T, int32_t>) {
      return code;
    } else {
      return code == kNull ? std::numeric_limits<T>::max() : static_cast<T>(code);
    }
  }

  friend bool operator==(const CategoryCodes& a, const CategoryCodes& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (a[i] != b[i]) return false;
    return true;
  }

 private:
  template <typename To>
  void Widen() {
    std::vector<To> wide;
    std::visit(
        [&](const auto& v) {
          wide.reserve(v.capacity());
          for (auto c : v) wide.push_back(Encode<To>(Decode(c)));
        },
        v_);
    v_ = std::move(wide);
  }

  std::variant<std::vector<uint8_t>, std::vector<uint16_t>, std::vector<int32_t>> v_;
};

}  // namespace rapport

#endif  // RAPPORT_CATEGORY_CODES_H_
