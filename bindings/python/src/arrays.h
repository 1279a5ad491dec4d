// numpy arrays, Python lists and time units <-> C++ vectors, shared by the bindings' modules.
#ifndef RAPPORT_BINDINGS_PYTHON_ARRAYS_H_
#define RAPPORT_BINDINGS_PYTHON_ARRAYS_H_

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common.h"
#include "rapport/frame.h"

namespace rapport::python {

namespace py = pybind11;

template <typename T>
using Array = py::array_t<T, py::array::c_style | py::array::forcecast>;

inline std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out.append(p);
  return out;
}

// A numpy array that owns `v` (no copy).
template <typename T>
py::array_t<T> ToArray(std::vector<T>&& v) {
  auto* heap = new std::vector<T>(std::move(v));
  py::capsule owner(heap, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>({static_cast<py::ssize_t>(heap->size())}, {static_cast<py::ssize_t>(sizeof(T))}, heap->data(),
                        owner);
}

template <typename T, size_t N>
py::array_t<T> ToArray(const std::array<T, N>& a) {
  return ToArray(std::vector<T>(a.begin(), a.end()));
}

template <typename T>
std::vector<T> ToVector(const Array<T>& a, std::string_view what = "array") {
  if (a.ndim() != 1) RaiseValidation(Cat({what, ": expected a one-dimensional array"}));
  const T* p = a.data();
  return std::vector<T>(p, p + a.shape(0));
}

// Strings of a Python iterable (None: none).
inline std::vector<std::string> StringsOf(py::handle list, std::string_view what) {
  std::vector<std::string> out;
  if (list.is_none()) return out;
  for (py::handle item : py::iter(list)) out.push_back(Str(item, what));
  return out;
}

inline py::list PyStrings(const std::vector<std::string>& v) {
  py::list out;
  for (const auto& s : v) out.append(Text(s));
  return out;
}

// A dictionary holding `values` at codes 0..n-1 (they must be distinct).
inline StringDictionary Dictionary(std::string_view what, const std::vector<std::string>& values) {
  StringDictionary d;
  for (size_t i = 0; i < values.size(); ++i) {
    if (d.Intern(values[i]) != static_cast<int32_t>(i)) {
      RaiseValidation(Cat({what, ": the value \"", values[i], "\" is listed twice"}));
    }
  }
  return d;
}

// Times arrive as integers of some unit: microseconds = floor(v * mul / div); INT64_MIN (NaT) stays
// missing. Empty when the result does not fit.
inline std::optional<int64_t> ScaleToMicros(int64_t v, int64_t mul, int64_t div) {
  if (v == kNullTime) return kNullTime;
  __int128 x = static_cast<__int128>(v) * mul;
  __int128 q = x / div;
  if (x % div != 0 && x < 0) --q;
  if (q <= std::numeric_limits<int64_t>::min() || q > std::numeric_limits<int64_t>::max()) return std::nullopt;
  return static_cast<int64_t>(q);
}

// The same for a whole column, in place; false when a value does not fit.
inline bool ScaleToMicros(std::vector<int64_t>& values, int64_t mul, int64_t div) {
  if (mul == 1 && div == 1) return true;
  for (int64_t& v : values) {
    std::optional<int64_t> m = ScaleToMicros(v, mul, div);
    if (!m) return false;
    v = *m;
  }
  return true;
}

// A time column of some unit (microseconds = floor(v * mul / div)) as microseconds.
inline std::vector<int64_t> Times(const Array<int64_t>& a, int64_t mul, int64_t div, std::string_view what) {
  if (mul <= 0 || div <= 0) RaiseValidation(Cat({what, ": the time unit must be positive"}));
  std::vector<int64_t> v = ToVector(a, what);
  if (!NoGil([&] { return ScaleToMicros(v, mul, div); })) RaiseValidation(Cat({what, ": a time is out of range"}));
  return v;
}

// An order frame from numpy columns; amount None: every amount 0.
inline OrderFrame Orders(const Array<int64_t>& customer, const Array<int64_t>& at, int64_t mul, int64_t div,
                  py::handle amount) {
  OrderFrame o;
  o.customer = ToVector(customer, "customer");
  o.at = Times(at, mul, div, "at");
  if (amount.is_none()) {
    o.amount.assign(o.customer.size(), 0.0);
  } else {
    o.amount = ToVector(amount.cast<Array<double>>(), "amount");
  }
  return o;
}

}  // namespace rapport::python

#endif  // RAPPORT_BINDINGS_PYTHON_ARRAYS_H_
