// Vectorised evaluation of segment expressions over a CustomerFrame.
//
// Conditions are filters over selection vectors: a filter gets the (ascending) rows still in play and
// returns those for which it holds, so that `and` only looks at rows its earlier operands kept.
// Values are computed a batch of rows at a time into small buffers. Rows are split between threads
// in contiguous ranges; the result is the same for any number of threads.
#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstring>
#include <deque>
#include <limits>
#include <numeric>
#include <thread>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "analytics/segment_ast.h"
#include "analytics/segment_check.h"
#include "analytics/segment_eval.h"
#include "analytics/segment_eval_nodes.h"
#include "analytics/set_row_index.h"
#include "base/strings.h"
#include "base/text.h"
#include "rapport/rfm.h"

namespace rapport {
namespace internal {
namespace {

constexpr uint32_t kMaskWords = kBatch / 64;

// The rows of the set bits of `mask` over [begin, begin + n), ascending.
uint32_t RowsOfMask(const uint64_t* mask, uint32_t begin, uint32_t n, uint32_t* out) {
  uint32_t k = 0;
  for (uint32_t w = 0; w * 64 < n; ++w) {
    uint64_t bits = mask[w];
    const uint32_t base = begin + w * 64;
    // (std::popcount to fix the trip count would be a libgcc call: x86-64's baseline has no popcnt.)
    while (bits != 0) {
      out[k++] = base + static_cast<uint32_t>(std::countr_zero(bits));
      bits &= bits - 1;
    }
  }
  return k;
}

// mask bit i set where test(i) holds, for i < n.
template <typename Test>
void MaskWhere(uint32_t n, uint64_t* mask, Test test) {
  for (uint32_t w = 0; w * 64 < n; ++w) {
    const uint32_t len = std::min<uint32_t>(64, n - w * 64);
    uint64_t bits = 0;
    for (uint32_t j = 0; j < len; ++j) bits |= uint64_t{test(w * 64 + j)} << j;
    mask[w] = bits;
  }
}

// mask bit i set where bytes[i] is one of values[0, count), 1 <= count <= 4: sixteen rows per compare.
void ByteInMask(const uint8_t* bytes, uint32_t n, const uint8_t* values, int count, uint64_t* mask) {
  uint32_t i = 0;
#if defined(__SSE2__)
  __m128i want[4];
  for (int c = 0; c < count; ++c) want[c] = _mm_set1_epi8(static_cast<char>(values[c]));
  for (; i + 64 <= n; i += 64) {
    uint64_t bits = 0;
    for (int q = 0; q < 4; ++q) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + i + 16 * q));
      __m128i eq = _mm_cmpeq_epi8(x, want[0]);
      for (int c = 1; c < count; ++c) eq = _mm_or_si128(eq, _mm_cmpeq_epi8(x, want[c]));
      bits |= uint64_t{static_cast<uint16_t>(_mm_movemask_epi8(eq))} << (16 * q);
    }
    mask[i / 64] = bits;
  }
#endif
  if (i < n) {
    MaskWhere(n - i, mask + i / 64, [&](uint32_t j) {
      const uint8_t b = bytes[i + j];
      return b == values[0] || (count > 1 && b == values[1]) || (count > 2 && b == values[2]) ||
             (count > 3 && b == values[3]);
    });
  }
}

// ---------------------------------------------------------------- numbers

class NumColumnNode final : public NumNode {
 public:
  explicit NumColumnNode(const double* v) : v_(v) {}
  void Eval(const uint32_t* rows, uint32_t n, double* out) const override {
    for (uint32_t i = 0; i < n; ++i) out[i] = v_[rows[i]];
  }
  const double* column() const override { return v_; }

 private:
  const double* v_;
};

class NumConstNode final : public NumNode {
 public:
  explicit NumConstNode(double c) : c_(c) {}
  void Eval(const uint32_t*, uint32_t n, double* out) const override { std::fill(out, out + n, c_); }
  std::optional<double> constant() const override { return c_; }

 private:
  double c_;
};

class NumUnaryNode final : public NumNode {
 public:
  NumUnaryNode(std::unique_ptr<NumNode> a, double (*fn)(double)) : a_(std::move(a)), fn_(fn) {}
  void Eval(const uint32_t* rows, uint32_t n, double* out) const override {
    a_->Eval(rows, n, out);
    for (uint32_t i = 0; i < n; ++i) out[i] = fn_(out[i]);
  }

 private:
  std::unique_ptr<NumNode> a_;
  double (*fn_)(double);
};

class NumBinaryNode final : public NumNode {
 public:
  NumBinaryNode(SegmentOp op, std::unique_ptr<NumNode> a, std::unique_ptr<NumNode> b)
      : op_(op), a_(std::move(a)), b_(std::move(b)) {}
  void Eval(const uint32_t* rows, uint32_t n, double* out) const override {
    double tmp[kBatch];
    a_->Eval(rows, n, out);
    b_->Eval(rows, n, tmp);
    switch (op_) {
      case SegmentOp::kAdd: for (uint32_t i = 0; i < n; ++i) out[i] += tmp[i]; break;
      case SegmentOp::kSub: for (uint32_t i = 0; i < n; ++i) out[i] -= tmp[i]; break;
      case SegmentOp::kMul: for (uint32_t i = 0; i < n; ++i) out[i] *= tmp[i]; break;
      default:  // division by zero gives a missing value, as in SQL
        for (uint32_t i = 0; i < n; ++i) out[i] = tmp[i] == 0 ? NAN : out[i] / tmp[i];
        break;
    }
  }

 private:
  SegmentOp op_;
  std::unique_ptr<NumNode> a_, b_;
};

// Whole days from `from` to `to`, rounded down (so 23 hours ago is day 0, 25 hours ago day 1).
inline double DaysBetween(int64_t from, int64_t to) {
  if (from == kNullTime || to == kNullTime) return NAN;
  int64_t d = to - from;
  int64_t q = d / kMicrosPerDay;
  if (d % kMicrosPerDay != 0 && d < 0) --q;
  return static_cast<double>(q);
}

class DaysBetweenNode final : public NumNode {
 public:
  DaysBetweenNode(std::unique_ptr<TimeNode> from, std::unique_ptr<TimeNode> to) : from_(std::move(from)), to_(std::move(to)) {}
  void Eval(const uint32_t* rows, uint32_t n, double* out) const override {
    int64_t a[kBatch], b[kBatch];
    from_->Eval(rows, n, a);
    to_->Eval(rows, n, b);
    for (uint32_t i = 0; i < n; ++i) out[i] = DaysBetween(a[i], b[i]);
  }

 private:
  std::unique_ptr<TimeNode> from_, to_;
};

class DaysSinceNode final : public NumNode {
 public:
  DaysSinceNode(std::unique_ptr<TimeNode> t, int64_t as_of) : t_(std::move(t)), as_of_(as_of) {}
  void Eval(const uint32_t* rows, uint32_t n, double* out) const override {
    int64_t a[kBatch];
    t_->Eval(rows, n, a);
    for (uint32_t i = 0; i < n; ++i) out[i] = DaysBetween(a[i], as_of_);
  }

 private:
  std::unique_ptr<TimeNode> t_;
  int64_t as_of_;
};

class NumCoalesceNode final : public NumNode {
 public:
  explicit NumCoalesceNode(std::vector<std::unique_ptr<NumNode>> args) : args_(std::move(args)) {}
  void Eval(const uint32_t* rows, uint32_t n, double* out) const override {
    args_[0]->Eval(rows, n, out);
    double tmp[kBatch];
    for (size_t k = 1; k < args_.size(); ++k) {
      args_[k]->Eval(rows, n, tmp);
      for (uint32_t i = 0; i < n; ++i)
        if (std::isnan(out[i])) out[i] = tmp[i];
    }
  }

 private:
  std::vector<std::unique_ptr<NumNode>> args_;
};

// least/greatest skip missing values (missing only when all are), as SQL's min/max aggregates do.
class NumExtremeNode final : public NumNode {
 public:
  NumExtremeNode(std::vector<std::unique_ptr<NumNode>> args, bool greatest) : args_(std::move(args)), greatest_(greatest) {}
  void Eval(const uint32_t* rows, uint32_t n, double* out) const override {
    args_[0]->Eval(rows, n, out);
    double tmp[kBatch];
    for (size_t k = 1; k < args_.size(); ++k) {
      args_[k]->Eval(rows, n, tmp);
      for (uint32_t i = 0; i < n; ++i) {
        if (std::isnan(tmp[i])) continue;
        if (std::isnan(out[i]) || (greatest_ ? tmp[i] > out[i] : tmp[i] < out[i])) out[i] = tmp[i];
      }
    }
  }

 private:
  std::vector<std::unique_ptr<NumNode>> args_;
  bool greatest_;
};

// ---------------------------------------------------------------- times

class TimeColumnNode final : public TimeNode {
 public:
  explicit TimeColumnNode(const int64_t* v) : v_(v) {}
  void Eval(const uint32_t* rows, uint32_t n, int64_t* out) const override {
    for (uint32_t i = 0; i < n; ++i) out[i] = v_[rows[i]];
  }
  const int64_t* column() const override { return v_; }

 private:
  const int64_t* v_;
};

class TimeConstNode final : public TimeNode {
 public:
  explicit TimeConstNode(int64_t c) : c_(c) {}
  void Eval(const uint32_t*, uint32_t n, int64_t* out) const override { std::fill(out, out + n, c_); }
  std::optional<int64_t> constant() const override { return c_; }

 private:
  int64_t c_;
};

class TimeShiftNode final : public TimeNode {
 public:
  TimeShiftNode(std::unique_ptr<TimeNode> t, int64_t delta) : t_(std::move(t)), delta_(delta) {}
  void Eval(const uint32_t* rows, uint32_t n, int64_t* out) const override {
    t_->Eval(rows, n, out);
    for (uint32_t i = 0; i < n; ++i)
      if (out[i] != kNullTime) out[i] += delta_;
  }

 private:
  std::unique_ptr<TimeNode> t_;
  int64_t delta_;
};

class TimeCombineNode final : public TimeNode {
 public:
  enum Kind { kCoalesce, kLeast, kGreatest };
  TimeCombineNode(std::vector<std::unique_ptr<TimeNode>> args, Kind kind) : args_(std::move(args)), kind_(kind) {}
  void Eval(const uint32_t* rows, uint32_t n, int64_t* out) const override {
    args_[0]->Eval(rows, n, out);
    int64_t tmp[kBatch];
    for (size_t k = 1; k < args_.size(); ++k) {
      args_[k]->Eval(rows, n, tmp);
      for (uint32_t i = 0; i < n; ++i) {
        if (tmp[i] == kNullTime) continue;
        if (out[i] == kNullTime || (kind_ == kLeast && tmp[i] < out[i]) || (kind_ == kGreatest && tmp[i] > out[i])) {
          out[i] = tmp[i];
        }
      }
    }
  }

 private:
  std::vector<std::unique_ptr<TimeNode>> args_;
  Kind kind_;
};

// ---------------------------------------------------------------- text

class CategoryNode final : public TextNode {
 public:
  explicit CategoryNode(const CategoryColumn* c) : c_(c) {}
  void Eval(const uint32_t* rows, uint32_t n, TextVal* out) const override {
    c_->codes.Visit([&](const auto& codes) {
      for (uint32_t i = 0; i < n; ++i) {
        const int32_t code = CategoryCodes::Decode(codes[rows[i]]);
        out[i] = code < 0 ? TextVal{} : TextVal{c_->dictionary.at(code), true};
      }
    });
  }
  const CategoryColumn* category() const override { return c_; }

 private:
  const CategoryColumn* c_;
};

class TextColumnNode final : public TextNode {
 public:
  explicit TextColumnNode(const TextColumn* c) : c_(c) {}
  void Eval(const uint32_t* rows, uint32_t n, TextVal* out) const override {
    for (uint32_t i = 0; i < n; ++i) {
      const std::optional<std::string_view> v = c_->Get(rows[i]);
      out[i] = v ? TextVal{*v, true} : TextVal{};
    }
  }

 private:
  const TextColumn* c_;
};

class TextConstNode final : public TextNode {
 public:
  explicit TextConstNode(std::string c) : c_(std::move(c)) {}
  void Eval(const uint32_t*, uint32_t n, TextVal* out) const override { std::fill(out, out + n, TextVal{c_, true}); }
  const std::string* constant() const override { return &c_; }

 private:
  std::string c_;
};

class TextCoalesceNode final : public TextNode {
 public:
  explicit TextCoalesceNode(std::vector<std::unique_ptr<TextNode>> args) : args_(std::move(args)) {}
  void Eval(const uint32_t* rows, uint32_t n, TextVal* out) const override {
    args_[0]->Eval(rows, n, out);
    TextVal tmp[kBatch];
    for (size_t k = 1; k < args_.size(); ++k) {
      args_[k]->Eval(rows, n, tmp);
      for (uint32_t i = 0; i < n; ++i)
        if (!out[i].present) out[i] = tmp[i];
    }
  }

 private:
  std::vector<std::unique_ptr<TextNode>> args_;
};

// ---------------------------------------------------------------- bool values

class BoolColumnNode final : public BoolNode {
 public:
  explicit BoolColumnNode(const int8_t* v) : v_(v) {}
  void Eval(const uint32_t* rows, uint32_t n, int8_t* out) const override {
    for (uint32_t i = 0; i < n; ++i) out[i] = v_[rows[i]];
  }

 private:
  const int8_t* v_;
};

class BoolConstNode final : public BoolNode {
 public:
  explicit BoolConstNode(int8_t c) : c_(c) {}
  void Eval(const uint32_t*, uint32_t n, int8_t* out) const override { std::fill(out, out + n, c_); }

 private:
  int8_t c_;
};

// A condition used as a value: true where it holds, false elsewhere (never missing).
class FilterAsBoolNode final : public BoolNode {
 public:
  explicit FilterAsBoolNode(std::unique_ptr<FilterNode> f) : f_(std::move(f)) {}
  void Eval(const uint32_t* rows, uint32_t n, int8_t* out) const override {
    uint32_t kept[kBatch];
    uint32_t m = f_->Filter(rows, n, kept);
    std::fill(out, out + n, int8_t{0});
    for (uint32_t i = 0, j = 0; i < n && j < m; ++i) {
      if (rows[i] == kept[j]) {
        out[i] = 1;
        ++j;
      }
    }
  }

 private:
  std::unique_ptr<FilterNode> f_;
};

class BoolCoalesceNode final : public BoolNode {
 public:
  explicit BoolCoalesceNode(std::vector<std::unique_ptr<BoolNode>> args) : args_(std::move(args)) {}
  void Eval(const uint32_t* rows, uint32_t n, int8_t* out) const override {
    args_[0]->Eval(rows, n, out);
    int8_t tmp[kBatch];
    for (size_t k = 1; k < args_.size(); ++k) {
      args_[k]->Eval(rows, n, tmp);
      for (uint32_t i = 0; i < n; ++i)
        if (out[i] < 0) out[i] = tmp[i];
    }
  }

 private:
  std::vector<std::unique_ptr<BoolNode>> args_;
};

// ---------------------------------------------------------------- filters

// Rows of `in` not in `sub` (both ascending, `sub` a subset of `in`).
uint32_t Difference(const uint32_t* in, uint32_t n, const uint32_t* sub, uint32_t m, uint32_t* out) {
  uint32_t k = 0, j = 0;
  for (uint32_t i = 0; i < n; ++i) {
    if (j < m && sub[j] == in[i]) {
      ++j;
    } else {
      out[k++] = in[i];
    }
  }
  return k;
}

class AndFilter final : public FilterNode {
 public:
  // Operands that answer MaskRange go first (they read a byte or two per row and cost least); their
  // bitmaps are ANDed before any row list is made.
  explicit AndFilter(std::vector<std::unique_ptr<FilterNode>> args) : args_(std::move(args)) {
    uint64_t probe = 0;
    auto maskable = std::stable_partition(args_.begin(), args_.end(),
                                          [&](const auto& a) { return a->MaskRange(0, 0, &probe); });
    maskable_ = static_cast<size_t>(maskable - args_.begin());
  }
  uint32_t Filter(const uint32_t* in, uint32_t n, uint32_t* out) const override {
    uint32_t tmp[kBatch];
    const uint32_t* cur = in;
    for (size_t k = 0; k < args_.size() && n > 0; ++k) {
      uint32_t* dst = ((args_.size() - 1 - k) % 2 == 0) ? out : tmp;  // the last operand writes to `out`
      n = args_[k]->Filter(cur, n, dst);
      cur = dst;
    }
    if (cur != out) std::memmove(out, cur, n * sizeof(uint32_t));
    return n;
  }
  uint32_t FilterRange(uint32_t begin, uint32_t n, uint32_t* out) const override {
    if (maskable_ == 0) return FilterNode::FilterRange(begin, n, out);
    uint64_t mask[kMaskWords], part[kMaskWords];
    const uint32_t words = (n + 63) / 64;
    args_[0]->MaskRange(begin, n, mask);
    for (size_t k = 1; k < maskable_; ++k) {
      args_[k]->MaskRange(begin, n, part);
      for (uint32_t w = 0; w < words; ++w) mask[w] &= part[w];
    }
    const size_t rest = args_.size() - maskable_;
    uint32_t tmp[kBatch];
    uint32_t* cur = rest % 2 == 0 ? out : tmp;  // the last operand writes to `out`
    n = RowsOfMask(mask, begin, n, cur);
    for (size_t k = maskable_; k < args_.size() && n > 0; ++k) {
      uint32_t* dst = cur == out ? tmp : out;
      n = args_[k]->Filter(cur, n, dst);
      cur = dst;
    }
    if (cur != out) std::memmove(out, cur, n * sizeof(uint32_t));
    return n;
  }
  bool MaskRange(uint32_t begin, uint32_t n, uint64_t* mask) const override {
    if (maskable_ != args_.size()) return false;
    uint64_t part[kMaskWords];
    args_[0]->MaskRange(begin, n, mask);
    for (size_t k = 1; k < args_.size(); ++k) {
      args_[k]->MaskRange(begin, n, part);
      for (uint32_t w = 0; w < (n + 63) / 64; ++w) mask[w] &= part[w];
    }
    return true;
  }
  double BytesPerRow() const override {
    double sum = 0;
    for (const auto& a : args_) sum += a->BytesPerRow();
    return sum;
  }

 private:
  std::vector<std::unique_ptr<FilterNode>> args_;
  size_t maskable_ = 0;  // args_[0, maskable_) answer MaskRange
};

class OrFilter final : public FilterNode {
 public:
  explicit OrFilter(std::vector<std::unique_ptr<FilterNode>> args) : args_(std::move(args)) {}
  uint32_t Filter(const uint32_t* in, uint32_t n, uint32_t* out) const override {
    uint32_t rest[kBatch], next_rest[kBatch], hit[kBatch], merged[kBatch];
    std::memcpy(rest, in, n * sizeof(uint32_t));
    uint32_t rest_n = n, out_n = 0;
    for (const auto& a : args_) {
      if (rest_n == 0) break;
      uint32_t h = a->Filter(rest, rest_n, hit);
      if (h == 0) continue;
      uint32_t* end = std::merge(out, out + out_n, hit, hit + h, merged);
      out_n = static_cast<uint32_t>(end - merged);
      std::memcpy(out, merged, out_n * sizeof(uint32_t));
      rest_n = Difference(rest, rest_n, hit, h, next_rest);
      std::memcpy(rest, next_rest, rest_n * sizeof(uint32_t));
    }
    return out_n;
  }
  double BytesPerRow() const override {
    double sum = 0;
    for (const auto& a : args_) sum += a->BytesPerRow();
    return sum;
  }

 private:
  std::vector<std::unique_ptr<FilterNode>> args_;
};

class NotFilter final : public FilterNode {
 public:
  explicit NotFilter(std::unique_ptr<FilterNode> a) : a_(std::move(a)) {}
  uint32_t Filter(const uint32_t* in, uint32_t n, uint32_t* out) const override {
    uint32_t hit[kBatch];
    uint32_t h = a_->Filter(in, n, hit);
    return Difference(in, n, hit, h, out);
  }
  double BytesPerRow() const override { return a_->BytesPerRow(); }

 private:
  std::unique_ptr<FilterNode> a_;
};

class ConstFilter final : public FilterNode {
 public:
  explicit ConstFilter(bool value) : value_(value) {}
  uint32_t Filter(const uint32_t* in, uint32_t n, uint32_t* out) const override {
    if (!value_) return 0;
    std::memmove(out, in, n * sizeof(uint32_t));
    return n;
  }

 private:
  bool value_;
};

template <typename T, typename Cmp>
uint32_t KeepWhere(const uint32_t* in, uint32_t n, uint32_t* out, Cmp keep) {
  uint32_t k = 0;
  for (uint32_t i = 0; i < n; ++i) {
    out[k] = in[i];
    k += keep(i) ? 1 : 0;
  }
  return k;
}

template <typename T>
bool Compare(SegmentOp op, T a, T b) {
  switch (op) {
    case SegmentOp::kEq: return a == b;
    case SegmentOp::kLt: return a < b;
    case SegmentOp::kLe: return a <= b;
    case SegmentOp::kGt: return a > b;
    default: return a >= b;  // kGe; kNe is built as not(=)
  }
}

// Numbers: a comparison with NaN is false, which is what a missing value needs.
class NumCompareFilter final : public FilterNode {
 public:
  NumCompareFilter(SegmentOp op, std::unique_ptr<NumNode> a, std::unique_ptr<NumNode> b)
      : op_(op), a_(std::move(a)), b_(std::move(b)) {}
  uint32_t Filter(const uint32_t* in, uint32_t n, uint32_t* out) const override {
    const double* col = a_->column();
    std::optional<double> c = b_->constant();
    if (col && c) return Dispatch(in, n, out, [&](uint32_t i) { return col[in[i]]; }, [&](uint32_t) { return *c; });
    double x[kBatch], y[kBatch];
    a_->Eval(in, n, x);
    b_->Eval(in, n, y);
    return Dispatch(in, n, out, [&](uint32_t i) { return x[i]; }, [&](uint32_t i) { return y[i]; });
  }

 private:
  template <typename A, typename B>
  uint32_t Dispatch(const uint32_t* in, uint32_t n, uint32_t* out, A a, B b) const {
    switch (op_) {
      case SegmentOp::kEq: return KeepWhere<double>(in, n, out, [&](uint32_t i) { return a(i) == b(i); });
      case SegmentOp::kLt: return KeepWhere<double>(in, n, out, [&](uint32_t i) { return a(i) < b(i); });
      case SegmentOp::kLe: return KeepWhere<double>(in, n, out, [&](uint32_t i) { return a(i) <= b(i); });
      case SegmentOp::kGt: return KeepWhere<double>(in, n, out, [&](uint32_t i) { return a(i) > b(i); });
      default: return KeepWhere<double>(in, n, out, [&](uint32_t i) { return a(i) >= b(i); });
    }
  }
  SegmentOp op_;
  std::unique_ptr<NumNode> a_, b_;
};

class TimeCompareFilter final : public FilterNode {
 public:
  TimeCompareFilter(SegmentOp op, std::unique_ptr<TimeNode> a, std::unique_ptr<TimeNode> b)
      : op_(op), a_(std::move(a)), b_(std::move(b)) {}
  uint32_t Filter(const uint32_t* in, uint32_t n, uint32_t* out) const override {
    const int64_t* col = a_->column();
    std::optional<int64_t> c = b_->constant();
    if (col && c && *c != kNullTime) {
      const int64_t k = *c;
      switch (op_) {
        case SegmentOp::kEq: return KeepWhere<int64_t>(in, n, out, [&](uint32_t i) { return col[in[i]] == k; });
        case SegmentOp::kLt: return KeepWhere<int64_t>(in, n, out, [&](uint32_t i) { int64_t v = col[in[i]]; return v != kNullTime && v < k; });
        case SegmentOp::kLe: return KeepWhere<int64_t>(in, n, out, [&](uint32_t i) { int64_t v = col[in[i]]; return v != kNullTime && v <= k; });
        case SegmentOp::kGt: return KeepWhere<int64_t>(in, n, out, [&](uint32_t i) { return col[in[i]] > k; });
        default: return KeepWhere<int64_t>(in, n, out, [&](uint32_t i) { return col[in[i]] >= k; });
      }
    }
    int64_t x[kBatch], y[kBatch];
    a_->Eval(in, n, x);
    b_->Eval(in, n, y);
    return KeepWhere<int64_t>(in, n, out, [&](uint32_t i) {
      return x[i] != kNullTime && y[i] != kNullTime && Compare(op_, x[i], y[i]);
    });
  }

 private:
  SegmentOp op_;
  std::unique_ptr<TimeNode> a_, b_;
};

// A per-dictionary-code verdict for conditions on a category column against constants: the text
// work happens once per distinct value, the rows only look up their code. Templated over the codes'
// stored width: narrow codes index a table that covers every stored value, null included, so the
// lookup has no branch.
template <typename T>
class CategoryMatchFilter final : public FilterNode {
 public:
  CategoryMatchFilter(const std::vector<T>& codes, const std::vector<uint8_t>& match, bool null_matches)
      : codes_(codes.data()), null_matches_(null_matches) {
    if constexpr (std::is_same_v<T, int32_t>) {
      match_ = match;
    } else {
      match_.assign(size_t{std::numeric_limits<T>::max()} + 1, 0);
      std::copy(match.begin(), match.end(), match_.begin());
      match_.back() = null_matches;
      if constexpr (std::is_same_v<T, uint8_t>) {
        for (size_t v = 0; v < match_.size() && few_count_ <= 4; ++v) {
          if (match_[v] && few_count_++ < 4) few_[few_count_ - 1] = static_cast<uint8_t>(v);
        }
      }
    }
  }
  bool MaskRange(uint32_t begin, uint32_t n, uint64_t* mask) const override {
    const T* codes = codes_ + begin;
    const uint8_t* m = match_.data();
    if constexpr (std::is_same_v<T, int32_t>) {
      const bool nm = null_matches_;
      MaskWhere(n, mask, [&](uint32_t i) { return codes[i] < 0 ? nm : m[codes[i]] != 0; });
    } else if constexpr (std::is_same_v<T, uint8_t>) {
      if (few_count_ == 0) {
        std::fill_n(mask, (n + 63) / 64, uint64_t{0});
      } else if (few_count_ <= 4) {
        ByteInMask(codes, n, few_, few_count_, mask);
      } else {
        MaskWhere(n, mask, [&](uint32_t i) { return m[codes[i]] != 0; });
      }
    } else {
      MaskWhere(n, mask, [&](uint32_t i) { return m[codes[i]] != 0; });
    }
    return true;
  }
  uint32_t Filter(const uint32_t* in, uint32_t n, uint32_t* out) const override {
    const T* codes = codes_;
    const uint8_t* m = match_.data();
    if constexpr (std::is_same_v<T, int32_t>) {
      const bool nm = null_matches_;
      return KeepWhere<int32_t>(in, n, out, [&](uint32_t i) {
        int32_t code = codes[in[i]];
        return code < 0 ? nm : m[code] != 0;
      });
    } else {
      return KeepWhere<T>(in, n, out, [&](uint32_t i) { return m[codes[in[i]]] != 0; });
    }
  }
  double BytesPerRow() const override { return sizeof(T); }

 private:
  const T* codes_;
  std::vector<uint8_t> match_;  // per code (per stored value when T is narrow)
  bool null_matches_;
  // One-byte codes: the matching stored values when at most 4 (few_count_ 5: more).
  uint8_t few_[4] = {};
  int few_count_ = 0;
};

// match[code] for each dictionary code; null rows match when `null_matches`.
std::unique_ptr<FilterNode> MakeCategoryMatch(const CategoryColumn& c, const std::vector<uint8_t>& match, bool null_matches) {
  return c.codes.Visit([&](const auto& codes) -> std::unique_ptr<FilterNode> {
    using T = typename std::decay_t<decltype(codes)>::value_type;
    return std::make_unique<CategoryMatchFilter<T>>(codes, match, null_matches);
  });
}

bool TextTest(SegmentOp op, std::string_view a, std::string_view b) {
  switch (op) {
    case SegmentOp::kContains: return a.find(b) != std::string_view::npos;
    case SegmentOp::kStartsWith: return a.substr(0, b.size()) == b;
    case SegmentOp::kEndsWith: return a.size() >= b.size() && a.substr(a.size() - b.size()) == b;
    default: return Compare(op, a, b);
  }
}

class TextFilter final : public FilterNode {
 public:
  TextFilter(SegmentOp op, std::unique_ptr<TextNode> a, std::unique_ptr<TextNode> b)
      : op_(op), a_(std::move(a)), b_(std::move(b)) {}
  uint32_t Filter(const uint32_t* in, uint32_t n, uint32_t* out) const override {
    TextVal x[kBatch], y[kBatch];
    a_->Eval(in, n, x);
    b_->Eval(in, n, y);
    return KeepWhere<int>(in, n, out, [&](uint32_t i) {
      return x[i].present && y[i].present && TextTest(op_, x[i].text, y[i].text);
    });
  }

 private:
  SegmentOp op_;
  std::unique_ptr<TextNode> a_, b_;
};

class TextInFilter final : public FilterNode {
 public:
  TextInFilter(std::unique_ptr<TextNode> a, std::vector<std::string> values) : a_(std::move(a)) {
    for (auto& v : values) values_.insert(std::move(v));
  }
  uint32_t Filter(const uint32_t* in, uint32_t n, uint32_t* out) const override {
    TextVal x[kBatch];
    a_->Eval(in, n, x);
    return KeepWhere<int>(in, n, out, [&](uint32_t i) {
      return x[i].present && values_.contains(absl::string_view(x[i].text.data(), x[i].text.size()));
    });
  }

 private:
  std::unique_ptr<TextNode> a_;
  absl::flat_hash_set<std::string> values_;
};

class NumInFilter final : public FilterNode {
 public:
  NumInFilter(std::unique_ptr<NumNode> a, std::vector<double> values) : a_(std::move(a)), values_(std::move(values)) {
    std::sort(values_.begin(), values_.end());
  }
  uint32_t Filter(const uint32_t* in, uint32_t n, uint32_t* out) const override {
    double x[kBatch];
    a_->Eval(in, n, x);
    return KeepWhere<int>(in, n, out, [&](uint32_t i) { return std::binary_search(values_.begin(), values_.end(), x[i]); });
  }

 private:
  std::unique_ptr<NumNode> a_;
  std::vector<double> values_;
};

class TimeInFilter final : public FilterNode {
 public:
  TimeInFilter(std::unique_ptr<TimeNode> a, std::vector<int64_t> values) : a_(std::move(a)), values_(std::move(values)) {
    std::sort(values_.begin(), values_.end());
  }
  uint32_t Filter(const uint32_t* in, uint32_t n, uint32_t* out) const override {
    int64_t x[kBatch];
    a_->Eval(in, n, x);
    return KeepWhere<int>(in, n, out, [&](uint32_t i) { return std::binary_search(values_.begin(), values_.end(), x[i]); });
  }

 private:
  std::unique_ptr<TimeNode> a_;
  std::vector<int64_t> values_;
};

template <typename Node, typename T, typename IsNull>
class IsNullFilter final : public FilterNode {
 public:
  IsNullFilter(std::unique_ptr<Node> a, IsNull is_null) : a_(std::move(a)), is_null_(is_null) {}
  uint32_t Filter(const uint32_t* in, uint32_t n, uint32_t* out) const override {
    T x[kBatch];
    a_->Eval(in, n, x);
    return KeepWhere<int>(in, n, out, [&](uint32_t i) { return is_null_(x[i]); });
  }

 private:
  std::unique_ptr<Node> a_;
  IsNull is_null_;
};

template <typename Node, typename T, typename IsNull>
std::unique_ptr<FilterNode> MakeIsNull(std::unique_ptr<Node> a, IsNull f) {
  return std::make_unique<IsNullFilter<Node, T, IsNull>>(std::move(a), f);
}

class BoolCompareFilter final : public FilterNode {
 public:
  BoolCompareFilter(std::unique_ptr<BoolNode> a, std::unique_ptr<BoolNode> b) : a_(std::move(a)), b_(std::move(b)) {}
  uint32_t Filter(const uint32_t* in, uint32_t n, uint32_t* out) const override {
    int8_t x[kBatch], y[kBatch];
    a_->Eval(in, n, x);
    b_->Eval(in, n, y);
    return KeepWhere<int>(in, n, out, [&](uint32_t i) { return x[i] >= 0 && x[i] == y[i]; });
  }

 private:
  std::unique_ptr<BoolNode> a_, b_;
};

class BoolIsTrueFilter final : public FilterNode {
 public:
  explicit BoolIsTrueFilter(std::unique_ptr<BoolNode> a) : a_(std::move(a)) {}
  uint32_t Filter(const uint32_t* in, uint32_t n, uint32_t* out) const override {
    int8_t x[kBatch];
    a_->Eval(in, n, x);
    return KeepWhere<int>(in, n, out, [&](uint32_t i) { return x[i] == 1; });
  }

 private:
  std::unique_ptr<BoolNode> a_;
};

// has_tag / has_any / has_all over a set column: `wanted[code]` is the index of the asked value a
// dictionary entry matches (-1: none; several entries can match one value, as matching folds case).
// Over adjacent rows it ORs the matching entries' rows from the column's row index; over a row list
// it tests their bitmaps, or reads the rows' codes when an entry is rare enough to be listed instead.
// Templated over the codes' stored width; rows rewritten since the column was built (kMovedRow) are
// read from the column's `moved` map.
template <typename T>
class SetFilter final : public FilterNode {
 public:
  // `index`: the column's row index, or null to read the rows' codes.
  SetFilter(const SetColumn* c, const std::vector<T>& codes, std::vector<int8_t> wanted, int needed_all,
            std::shared_ptr<const SetRowIndex> index)
      : c_(c), codes_(codes.data()), wanted_(std::move(wanted)), needed_all_(needed_all), index_(std::move(index)) {
    entries_.resize(std::max(1, needed_all));
    all_bitmaps_ = index_ != nullptr;
    for (int32_t code = 0; code < static_cast<int32_t>(wanted_.size()); ++code) {
      if (wanted_[code] < 0 || (index_ && !index_->Covers(code))) continue;  // (a later code: no row holds it)
      entries_[needed_all == 0 ? 0 : wanted_[code]].push_back(code);
      all_bitmaps_ = all_bitmaps_ && index_->Bitmap(code) != nullptr;
    }
  }
  bool MaskRange(uint32_t begin, uint32_t n, uint64_t* mask) const override {
    if (!index_) return false;
    const uint32_t words = (n + 63) / 64;
    uint64_t part[kMaskWords];
    for (size_t v = 0; v < entries_.size(); ++v) {
      uint64_t* dst = v == 0 ? mask : part;
      std::fill_n(dst, words, uint64_t{0});
      for (int32_t code : entries_[v]) index_->OrRows(code, begin, n, dst);
      if (v > 0)
        for (uint32_t w = 0; w < words; ++w) mask[w] &= part[w];
    }
    return true;
  }
  uint32_t Filter(const uint32_t* in, uint32_t n, uint32_t* out) const override {
    if (all_bitmaps_) {
      return KeepWhere<int>(in, n, out, [&](uint32_t i) {
        const uint32_t r = in[i];
        for (const std::vector<int32_t>& codes : entries_) {
          bool any = false;
          for (int32_t code : codes) any |= (index_->Bitmap(code)[r / 64] >> (r % 64)) & 1;
          if (!any) return false;
        }
        return true;
      });
    }
    if (needed_all_ == 0) {
      return KeepRows(in, n, out, [&](auto begin, auto end) {
        for (auto k = begin; k != end; ++k)
          if (wanted_[*k] >= 0) return true;
        return false;
      });
    }
    return KeepRows(in, n, out, [&](auto begin, auto end) {
      uint64_t seen = 0;
      for (auto k = begin; k != end; ++k)
        if (wanted_[*k] >= 0) seen |= uint64_t{1} << wanted_[*k];
      return std::popcount(seen) == needed_all_;
    });
  }
  double BytesPerRow() const override {
    size_t entries = 0;
    for (const auto& codes : entries_) entries += codes.size();
    return all_bitmaps_ ? entries / 8.0 : 8;
  }

 private:
  // test(begin, end) over each row's codes (stored T, or int32 for moved rows).
  template <typename Test>
  uint32_t KeepRows(const uint32_t* in, uint32_t n, uint32_t* out, Test test) const {
    const uint32_t* off = c_->offsets.data();
    const T* codes = codes_;
    return KeepWhere<int>(in, n, out, [&](uint32_t i) {
      const uint32_t r = in[i], b = off[r];
      if (b & kMovedRow) [[unlikely]] {
        const std::vector<int32_t>& m = c_->moved.find(r)->second;
        return test(m.begin(), m.end());
      }
      return test(codes + b, codes + (off[r + 1] & ~kMovedRow));
    });
  }

  const SetColumn* c_;
  const T* codes_;
  std::vector<int8_t> wanted_;
  int needed_all_;  // 0: any
  std::shared_ptr<const SetRowIndex> index_;
  std::vector<std::vector<int32_t>> entries_;  // per asked value (one list for any): the matching codes
  bool all_bitmaps_ = true;
};

class RowSetFilter final : public FilterNode {
 public:
  explicit RowSetFilter(std::vector<uint8_t> member) : member_(std::move(member)) {}
  uint32_t Filter(const uint32_t* in, uint32_t n, uint32_t* out) const override {
    return KeepWhere<int>(in, n, out, [&](uint32_t i) { return member_[in[i]] != 0; });
  }

 private:
  std::vector<uint8_t> member_;
};

}  // namespace

namespace {

class CompileError {
 public:
  explicit CompileError(absl::Status status) : status(std::move(status)) {}
  absl::Status status;
};

SegmentOp Mirror(SegmentOp op) {
  switch (op) {
    case SegmentOp::kLt: return SegmentOp::kGt;
    case SegmentOp::kLe: return SegmentOp::kGe;
    case SegmentOp::kGt: return SegmentOp::kLt;
    case SegmentOp::kGe: return SegmentOp::kLe;
    default: return op;
  }
}

}  // namespace

// Turns a checked tree into evaluator nodes bound to one frame. Owns what derived fields compute.
class SegmentProgram {
 public:
  SegmentProgram(const CustomerFrame& frame, const CheckedSegment& types, const SegmentContext& ctx, RowIndexes indexes)
      : frame_(frame), types_(types), ctx_(ctx), indexes_(indexes) {}

  std::unique_ptr<FilterNode> Cond(const SegmentNode& n) {
    switch (n.op) {
      case SegmentOp::kAnd: case SegmentOp::kOr: {
        std::vector<std::unique_ptr<FilterNode>> args;
        for (const auto& a : n.args) args.push_back(Cond(*a));
        if (n.op == SegmentOp::kAnd) return std::make_unique<AndFilter>(std::move(args));
        return std::make_unique<OrFilter>(std::move(args));
      }
      case SegmentOp::kNot: return std::make_unique<NotFilter>(Cond(*n.args[0]));
      case SegmentOp::kNe: return std::make_unique<NotFilter>(Comparison(SegmentOp::kEq, *n.args[0], *n.args[1]));
      case SegmentOp::kEq: case SegmentOp::kLt: case SegmentOp::kLe: case SegmentOp::kGt: case SegmentOp::kGe:
      case SegmentOp::kContains: case SegmentOp::kStartsWith: case SegmentOp::kEndsWith:
        return Comparison(n.op, *n.args[0], *n.args[1]);
      case SegmentOp::kBetween: {
        std::vector<std::unique_ptr<FilterNode>> both;
        both.push_back(Comparison(SegmentOp::kGe, *n.args[0], *n.args[1]));
        both.push_back(Comparison(SegmentOp::kLe, *n.args[0], *n.args[2]));
        return std::make_unique<AndFilter>(std::move(both));
      }
      case SegmentOp::kIn: return In(n);
      case SegmentOp::kIsNull: return IsNull(*n.args[0]);
      case SegmentOp::kLiteral: return std::make_unique<ConstFilter>(n.literal.boolean);
      case SegmentOp::kCall:
        if (n.name == "in_segment") return InSegment(n.args[0]->literal.text);
        if (n.name == "has_tag" || n.name == "has_any_tag" || n.name == "has_all_tags") {
          return HasValues(std::get<SetColumn>(*frame_.Find("tags")), n, 0, n.name == "has_all_tags");
        }
        if (n.name == "has_any" || n.name == "has_all") {
          return HasValues(std::get<SetColumn>(*frame_.Find(n.args[0]->name)), n, 1, n.name == "has_all");
        }
        return std::make_unique<BoolIsTrueFilter>(BoolVal(n));
      default:  // a bool field
        return std::make_unique<BoolIsTrueFilter>(BoolVal(n));
    }
  }

 private:
  VType Type(const SegmentNode& n) const { return types_.TypeOf(n); }

  std::unique_ptr<FilterNode> Comparison(SegmentOp op, const SegmentNode& a, const SegmentNode& b) {
    switch (Type(a)) {
      case VType::kNumber: return std::make_unique<NumCompareFilter>(op, Num(a), Num(b));
      case VType::kTime: return std::make_unique<TimeCompareFilter>(op, Time(a), Time(b));
      case VType::kBool: return std::make_unique<BoolCompareFilter>(BoolVal(a), BoolVal(b));
      default: break;
    }
    std::unique_ptr<TextNode> x = Text(a), y = Text(b);
    if (x->category() && y->constant()) return CategoryTest(x->category(), op, *y->constant());
    if (y->category() && x->constant() && IsComparison(op)) return CategoryTest(y->category(), Mirror(op), *x->constant());
    return std::make_unique<TextFilter>(op, std::move(x), std::move(y));
  }

  std::unique_ptr<FilterNode> CategoryTest(const CategoryColumn* c, SegmentOp op, const std::string& k) {
    std::vector<uint8_t> match(c->dictionary.size());
    for (int32_t code = 0; code < c->dictionary.size(); ++code) match[code] = TextTest(op, c->dictionary.at(code), k);
    return MakeCategoryMatch(*c, match, false);
  }

  std::unique_ptr<FilterNode> In(const SegmentNode& n) {
    const SegmentNode& x = *n.args[0];
    switch (Type(x)) {
      case VType::kNumber: {
        std::vector<double> values;
        for (size_t i = 1; i < n.args.size(); ++i) values.push_back(n.args[i]->literal.number);
        return std::make_unique<NumInFilter>(Num(x), std::move(values));
      }
      case VType::kTime: {
        std::vector<int64_t> values;
        for (size_t i = 1; i < n.args.size(); ++i) values.push_back(n.args[i]->literal.micros);
        return std::make_unique<TimeInFilter>(Time(x), std::move(values));
      }
      default: break;
    }
    std::vector<std::string> values;
    for (size_t i = 1; i < n.args.size(); ++i) values.push_back(n.args[i]->literal.text);
    std::unique_ptr<TextNode> t = Text(x);
    if (const CategoryColumn* c = t->category()) {
      std::vector<uint8_t> match(c->dictionary.size());
      for (const std::string& v : values) {
        if (int32_t code = c->dictionary.Find(v); code >= 0) match[code] = 1;
      }
      return MakeCategoryMatch(*c, match, false);
    }
    return std::make_unique<TextInFilter>(std::move(t), std::move(values));
  }

  std::unique_ptr<FilterNode> IsNull(const SegmentNode& x) {
    switch (Type(x)) {
      case VType::kNumber: return MakeIsNull<NumNode, double>(Num(x), [](double v) { return std::isnan(v); });
      case VType::kTime: return MakeIsNull<TimeNode, int64_t>(Time(x), [](int64_t v) { return v == kNullTime; });
      case VType::kBool: return MakeIsNull<BoolNode, int8_t>(BoolVal(x), [](int8_t v) { return v < 0; });
      case VType::kSet: {
        const auto& c = std::get<SetColumn>(*frame_.Find(x.name));
        std::vector<uint8_t> empty(frame_.rows());
        for (size_t r = 0; r < frame_.rows(); ++r) empty[r] = c.Empty(r);
        return std::make_unique<RowSetFilter>(std::move(empty));
      }
      default: break;
    }
    std::unique_ptr<TextNode> t = Text(x);
    if (const CategoryColumn* c = t->category()) {
      return MakeCategoryMatch(*c, std::vector<uint8_t>(c->dictionary.size()), true);
    }
    return MakeIsNull<TextNode, TextVal>(std::move(t), [](const TextVal& v) { return !v.present; });
  }

  // Set values match without regard to case and width, as tags are stored.
  std::unique_ptr<FilterNode> HasValues(const SetColumn& c, const SegmentNode& call, size_t first, bool all) {
    std::vector<std::string> wanted;
    for (size_t i = first; i < call.args.size(); ++i) {
      std::string folded = NormalizeForMatch(call.args[i]->literal.text);
      if (std::find(wanted.begin(), wanted.end(), folded) == wanted.end()) wanted.push_back(std::move(folded));
    }
    std::vector<int8_t> index(c.dictionary.size(), -1);
    for (int32_t code = 0; code < c.dictionary.size(); ++code) {
      auto it = std::find(wanted.begin(), wanted.end(), NormalizeForMatch(c.dictionary.at(code)));
      if (it != wanted.end()) index[code] = static_cast<int8_t>(it - wanted.begin());
    }
    const int needed_all = all ? static_cast<int>(wanted.size()) : 0;
    return c.codes.Visit([&](const auto& codes) -> std::unique_ptr<FilterNode> {
      using T = typename std::decay_t<decltype(codes)>::value_type;
      return std::make_unique<SetFilter<T>>(&c, codes, std::move(index), needed_all,
                                            indexes_ == RowIndexes::kBuild ? RowIndexOf(c) : c.row_index.Get());
    });
  }

  std::unique_ptr<FilterNode> InSegment(const std::string& name) {
    if (!ctx_.segment_members) {
      throw CompileError(absl::NotFoundError(StrCat("in_segment: no saved segment named \"", name, "\"")));
    }
    auto members = ctx_.segment_members(name);
    if (!members.ok()) throw CompileError(members.status());
    std::vector<uint8_t> member(frame_.rows());
    for (int64_t id : *members) {
      int64_t row = frame_.RowOf(id);
      if (row >= 0) member[row] = 1;
    }
    return std::make_unique<RowSetFilter>(std::move(member));
  }

  int64_t AsOf(std::string_view what) const {
    if (ctx_.as_of == kNullTime) {
      throw CompileError(absl::InvalidArgumentError(StrCat("as_of: required by ", what, " (the time that counts as now)")));
    }
    return ctx_.as_of;
  }

  const TimeColumn& TimeField(std::string_view name) const { return std::get<TimeColumn>(*frame_.Find(name)); }

  // A column without an array has no value in any row (see NumberColumn).
  static std::unique_ptr<NumNode> NumField(const NumberColumn& c) {
    if (c.values.empty()) return std::make_unique<NumConstNode>(NAN);
    return std::make_unique<NumColumnNode>(c.values.data());
  }
  static std::unique_ptr<TimeNode> TimeFieldNode(const TimeColumn& c) {
    if (c.values.empty()) return std::make_unique<TimeConstNode>(kNullTime);
    return std::make_unique<TimeColumnNode>(c.values.data());
  }

  std::unique_ptr<NumNode> Num(const SegmentNode& n) {
    switch (n.op) {
      case SegmentOp::kLiteral: return std::make_unique<NumConstNode>(n.literal.number);
      case SegmentOp::kField: {
        if (const Column* c = frame_.Find(n.name)) return NumField(std::get<NumberColumn>(*c));
        if (n.name == "rfm_r") return RfmScore(Rfm().r);
        if (n.name == "rfm_f") return RfmScore(Rfm().f);
        if (n.name == "rfm_m") return RfmScore(Rfm().m);
        if (n.name == "recency_days" || n.name == "tenure_days") {
          const char* source = n.name == "recency_days" ? "last_order_at" : "first_order_at";
          return std::make_unique<DaysSinceNode>(TimeFieldNode(TimeField(source)), AsOf(n.name));
        }
        throw CompileError(absl::InternalError(StrCat(n.name, ": no such column")));
      }
      case SegmentOp::kNeg: return std::make_unique<NumUnaryNode>(Num(*n.args[0]), [](double x) { return -x; });
      case SegmentOp::kAdd: case SegmentOp::kSub: case SegmentOp::kMul: case SegmentOp::kDiv:
        return std::make_unique<NumBinaryNode>(n.op, Num(*n.args[0]), Num(*n.args[1]));
      default: break;
    }
    // Calls.
    if (n.name == "days_since") return std::make_unique<DaysSinceNode>(Time(*n.args[0]), AsOf("days_since"));
    if (n.name == "days_between") return std::make_unique<DaysBetweenNode>(Time(*n.args[0]), Time(*n.args[1]));
    if (n.name == "abs") return std::make_unique<NumUnaryNode>(Num(*n.args[0]), [](double x) { return std::fabs(x); });
    if (n.name == "round") return std::make_unique<NumUnaryNode>(Num(*n.args[0]), [](double x) { return std::round(x); });
    if (n.name == "floor") return std::make_unique<NumUnaryNode>(Num(*n.args[0]), [](double x) { return std::floor(x); });
    if (n.name == "ceil") return std::make_unique<NumUnaryNode>(Num(*n.args[0]), [](double x) { return std::ceil(x); });
    std::vector<std::unique_ptr<NumNode>> args;
    for (const auto& a : n.args) args.push_back(Num(*a));
    if (n.name == "coalesce") return std::make_unique<NumCoalesceNode>(std::move(args));
    return std::make_unique<NumExtremeNode>(std::move(args), n.name == "greatest");
  }

  std::unique_ptr<TimeNode> Time(const SegmentNode& n) {
    switch (n.op) {
      case SegmentOp::kLiteral: return std::make_unique<TimeConstNode>(n.literal.micros);
      case SegmentOp::kField: return TimeFieldNode(TimeField(n.name));
      case SegmentOp::kAdd: case SegmentOp::kSub: {
        bool time_first = Type(*n.args[0]) == VType::kTime;
        const SegmentNode& t = *n.args[time_first ? 0 : 1];
        int64_t delta = n.args[time_first ? 1 : 0]->literal.micros;
        if (n.args[time_first ? 1 : 0]->op != SegmentOp::kLiteral) {
          throw CompileError(absl::InvalidArgumentError("durations must be literals such as 90d"));
        }
        return std::make_unique<TimeShiftNode>(Time(t), n.op == SegmentOp::kSub ? -delta : delta);
      }
      default: break;
    }
    if (n.name == "now") return std::make_unique<TimeConstNode>(AsOf("now()"));
    std::vector<std::unique_ptr<TimeNode>> args;
    for (const auto& a : n.args) args.push_back(Time(*a));
    auto kind = n.name == "coalesce" ? TimeCombineNode::kCoalesce
                : n.name == "least"  ? TimeCombineNode::kLeast
                                     : TimeCombineNode::kGreatest;
    return std::make_unique<TimeCombineNode>(std::move(args), kind);
  }

  std::unique_ptr<TextNode> Text(const SegmentNode& n) {
    if (n.op == SegmentOp::kLiteral) return std::make_unique<TextConstNode>(n.literal.text);
    if (n.op == SegmentOp::kField) {
      const Column* c = frame_.Find(n.name);
      if (c == nullptr && n.name == "rfm_segment") return Labels(Rfm().segment_names, Rfm().segment);
      if (c == nullptr && n.name == "value_tier") return ValueTier();
      if (c == nullptr) throw CompileError(absl::InternalError(StrCat(n.name, ": no such column")));
      if (const auto* cat = std::get_if<CategoryColumn>(c)) return std::make_unique<CategoryNode>(cat);
      return std::make_unique<TextColumnNode>(&std::get<TextColumn>(*c));
    }
    std::vector<std::unique_ptr<TextNode>> args;
    for (const auto& a : n.args) args.push_back(Text(*a));
    return std::make_unique<TextCoalesceNode>(std::move(args));
  }

  std::unique_ptr<BoolNode> BoolVal(const SegmentNode& n) {
    if (n.op == SegmentOp::kField) {
      const auto& c = std::get<BoolColumn>(*frame_.Find(n.name));
      if (c.values.empty()) return std::make_unique<BoolConstNode>(-1);  // no row has a value
      return std::make_unique<BoolColumnNode>(c.values.data());
    }
    if (n.op == SegmentOp::kCall && n.name == "coalesce") {
      std::vector<std::unique_ptr<BoolNode>> args;
      for (const auto& a : n.args) args.push_back(BoolVal(*a));
      return std::make_unique<BoolCoalesceNode>(std::move(args));
    }
    return std::make_unique<FilterAsBoolNode>(Cond(n));
  }

  // RFM scores and value tiers over the frame's order metrics, computed once per evaluation with the
  // default options (5 bins, the classic segment map, quantile tiers).
  const RfmScores& Rfm() {
    if (!rfm_) {
      const int64_t as_of = AsOf("RFM scores");
      const auto& last = TimeField("last_order_at").values;
      std::vector<double> recency(last.size());
      for (size_t i = 0; i < last.size(); ++i) recency[i] = DaysBetween(last[i], as_of);
      auto scores = ScoreRfm(recency, Numbers("frequency"), Numbers("monetary"), RfmOptions{});
      if (!scores.ok()) throw CompileError(scores.status());
      rfm_ = std::move(*scores);
    }
    return *rfm_;
  }

  const std::vector<double>& Numbers(std::string_view name) const { return std::get<NumberColumn>(*frame_.Find(name)).values; }

  std::unique_ptr<NumNode> RfmScore(const std::vector<uint8_t>& score) {
    auto& out = owned_numbers_.emplace_back(score.size());
    for (size_t i = 0; i < score.size(); ++i) out[i] = score[i] == 0 ? NAN : score[i];
    return std::make_unique<NumColumnNode>(out.data());
  }

  std::unique_ptr<TextNode> Labels(const std::vector<std::string>& names, auto codes) {
    auto& column = owned_categories_.emplace_back();
    for (const std::string& name : names) column.dictionary.Intern(name);
    column.codes.reserve(codes.size());
    for (auto code : codes) column.codes.push_back(code < 0 ? CategoryColumn::kNullCode : static_cast<int32_t>(code));
    return std::make_unique<CategoryNode>(&column);
  }

  std::unique_ptr<TextNode> ValueTier() {
    auto tiers = AssignValueTiers(Numbers("frequency"), Numbers("monetary"), ValueTierOptions{});
    if (!tiers.ok()) throw CompileError(tiers.status());
    return Labels(std::vector<std::string>(tiers->names.begin(), tiers->names.end()), tiers->tier);
  }

  const CustomerFrame& frame_;
  const CheckedSegment& types_;
  const SegmentContext& ctx_;
  const RowIndexes indexes_;
  std::optional<RfmScores> rfm_;
  std::deque<std::vector<double>> owned_numbers_;  // deques: nodes point into them
  std::deque<CategoryColumn> owned_categories_;
};

namespace {

// Puts the operands of a top-level `and` in the order that does the least work: each by its cost per
// row over its chance to drop a row (the classic rank for ordering independent filters). The chance
// comes from rows spread over the frame; the cost is the time over a block of adjacent rows already in
// cache plus the bytes the filter reads at the rate a scan streams them from memory. The result does
// not depend on the order, only the time.
constexpr double kBytesPerNanosecond = 10;  // a core's share of the memory bandwidth, roughly

void OrderBySampledRank(std::vector<std::unique_ptr<FilterNode>>& filters, size_t rows) {
  if (filters.size() < 2 || rows < 16 * kBatch) return;
  uint32_t spread[kBatch], block[kBatch], kept[kBatch];
  for (uint32_t i = 0; i < kBatch; ++i) {
    spread[i] = static_cast<uint32_t>(rows * i / kBatch);
    block[i] = static_cast<uint32_t>(rows / 2 + i);
  }
  std::vector<std::pair<double, size_t>> rank;
  for (size_t f = 0; f < filters.size(); ++f) {
    const uint32_t passed = filters[f]->Filter(spread, kBatch, kept);
    filters[f]->Filter(block, kBatch, kept);
    const auto start = std::chrono::steady_clock::now();
    filters[f]->Filter(block, kBatch, kept);
    const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    const double per_row = ns / kBatch + filters[f]->BytesPerRow() / kBytesPerNanosecond;
    const double drop = 1.0 - (passed + 0.5) / (kBatch + 1.0);  // never 0: a filter that keeps all goes last
    rank.emplace_back(per_row / drop, f);
  }
  std::stable_sort(rank.begin(), rank.end());
  std::vector<std::unique_ptr<FilterNode>> ordered;
  for (const auto& [r, f] : rank) ordered.push_back(std::move(filters[f]));
  filters = std::move(ordered);
}

void RunRange(const FilterNode& root, size_t begin, size_t end, std::vector<uint32_t>& out) {
  uint32_t kept[kBatch];
  for (size_t start = begin; start < end; start += kBatch) {
    uint32_t n = static_cast<uint32_t>(std::min<size_t>(kBatch, end - start));
    uint32_t m = root.FilterRange(static_cast<uint32_t>(start), n, kept);
    out.insert(out.end(), kept, kept + m);
  }
}

}  // namespace

absl::StatusOr<std::vector<uint32_t>> MatchingRows(const std::vector<const SegmentNode*>& conjuncts,
                                                   const CheckedSegment& types, const CustomerFrame& frame,
                                                   const SegmentContext& context, RowIndexes indexes) {
  if (frame.rows() > UINT32_MAX) return absl::InvalidArgumentError("frame: more than 4294967295 rows");
  // The program owns derived columns the nodes read: it lives until the evaluation ends.
  SegmentProgram program(frame, types, context, indexes);
  std::vector<std::unique_ptr<FilterNode>> filters;
  try {
    for (const SegmentNode* c : conjuncts) {
      if (c->op != SegmentOp::kAnd) {
        filters.push_back(program.Cond(*c));
        continue;
      }
      for (const auto& operand : c->args) filters.push_back(program.Cond(*operand));
    }
  } catch (const CompileError& e) {
    return e.status;
  }
  const size_t n = frame.rows();
  if (filters.empty()) {
    std::vector<uint32_t> all(n);
    std::iota(all.begin(), all.end(), 0u);
    return all;
  }
  OrderBySampledRank(filters, n);
  std::unique_ptr<FilterNode> root =
      filters.size() == 1 ? std::move(filters[0]) : std::make_unique<AndFilter>(std::move(filters));
  size_t threads = context.threads > 0 ? context.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, std::max<size_t>(1, n / 65536));
  std::vector<std::vector<uint32_t>> parts(threads);
  std::vector<std::thread> workers;
  // Ranges start on a whole batch, so that bitmaps are read a word at a time.
  auto split = [&](size_t t) { return t == threads ? n : n * t / threads / kBatch * kBatch; };
  for (size_t t = 1; t < threads; ++t) {
    workers.emplace_back([&, t] { RunRange(*root, split(t), split(t + 1), parts[t]); });
  }
  RunRange(*root, 0, split(1), parts[0]);
  for (auto& w : workers) w.join();
  std::vector<uint32_t> out = std::move(parts[0]);
  for (size_t t = 1; t < threads; ++t) out.insert(out.end(), parts[t].begin(), parts[t].end());
  return out;
}

uint32_t FilterNode::FilterRange(uint32_t begin, uint32_t n, uint32_t* out) const {
  uint64_t mask[kMaskWords];
  if (MaskRange(begin, n, mask)) return RowsOfMask(mask, begin, n, out);
  uint32_t rows[kBatch];
  for (uint32_t i = 0; i < n; ++i) rows[i] = begin + i;
  return Filter(rows, n, out);
}

}  // namespace internal

absl::StatusOr<std::vector<int64_t>> EvaluateSegment(const SegmentExpr& expr, const CustomerFrame& frame,
                                                     const SegmentContext& context) {
  if (context.orders != nullptr) return internal::EvaluateOverOrders(expr, frame, context);
  auto checked = internal::Check(expr, SchemaOf(frame));
  if (!checked.ok()) return checked.status();
  auto rows = internal::MatchingRows({&expr.node()}, *checked, frame, context, internal::RowIndexes::kBuild);
  if (!rows.ok()) return rows.status();
  std::vector<int64_t> ids(rows->size());
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = frame.ids[(*rows)[i]];
  return ids;
}

}  // namespace rapport
