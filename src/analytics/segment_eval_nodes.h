// The evaluator's building blocks: value nodes fill a batch of rows, filters narrow a selection.
#ifndef RAPPORT_ANALYTICS_SEGMENT_EVAL_NODES_H_
#define RAPPORT_ANALYTICS_SEGMENT_EVAL_NODES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "rapport/frame.h"

namespace rapport::internal {

// Rows are processed in batches of at most this many; buffers of this size live on the stack.
inline constexpr uint32_t kBatch = 1024;

struct TextVal {
  std::string_view text;
  bool present = false;
};

class NumNode {
 public:
  virtual ~NumNode() = default;
  virtual void Eval(const uint32_t* rows, uint32_t n, double* out) const = 0;  // NaN: missing
  virtual const double* column() const { return nullptr; }
  virtual std::optional<double> constant() const { return std::nullopt; }
};

class TimeNode {
 public:
  virtual ~TimeNode() = default;
  virtual void Eval(const uint32_t* rows, uint32_t n, int64_t* out) const = 0;  // kNullTime: missing
  virtual const int64_t* column() const { return nullptr; }
  virtual std::optional<int64_t> constant() const { return std::nullopt; }
};

class TextNode {
 public:
  virtual ~TextNode() = default;
  virtual void Eval(const uint32_t* rows, uint32_t n, TextVal* out) const = 0;
  virtual const CategoryColumn* category() const { return nullptr; }
  virtual const std::string* constant() const { return nullptr; }
};

class BoolNode {
 public:
  virtual ~BoolNode() = default;
  virtual void Eval(const uint32_t* rows, uint32_t n, int8_t* out) const = 0;  // -1: missing
};

// Keeps the rows of `in` (ascending, n <= kBatch) for which the condition holds, in order, in `out`
// (which must not alias `in`); returns how many.
class FilterNode {
 public:
  virtual ~FilterNode() = default;
  virtual uint32_t Filter(const uint32_t* in, uint32_t n, uint32_t* out) const = 0;
  // The condition over the adjacent rows [begin, begin + n), n <= kBatch, as a bitmap: bit i of
  // mask[i / 64] for row begin + i (bits past n zero). Filters that need nothing but a narrow column
  // answer this without a row list, several of them ANDed a word at a time; false: not supported.
  virtual bool MaskRange(uint32_t begin, uint32_t n, uint64_t* mask) const { return false; }
  // Filter over the adjacent rows [begin, begin + n): what a scan of the frame calls.
  virtual uint32_t FilterRange(uint32_t begin, uint32_t n, uint32_t* out) const;
  // Bytes of column data read per row, for ordering the operands of `and` (memory traffic, not
  // computation, is what a scan of a large frame mostly costs).
  virtual double BytesPerRow() const { return 8; }
};

}  // namespace rapport::internal

#endif  // RAPPORT_ANALYTICS_SEGMENT_EVAL_NODES_H_
