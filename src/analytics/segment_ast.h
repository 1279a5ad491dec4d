// The segment language's expression tree (shared by parser, printer, JSON, checker, evaluator, SQL).
#ifndef RAPPORT_ANALYTICS_SEGMENT_AST_H_
#define RAPPORT_ANALYTICS_SEGMENT_AST_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rapport/segment.h"

namespace rapport::internal {

enum class SegmentOp {
  kLiteral, kField, kCall,
  kAnd, kOr, kNot,
  kEq, kNe, kLt, kLe, kGt, kGe,
  kIn, kBetween, kIsNull, kContains, kStartsWith, kEndsWith,
  kAdd, kSub, kMul, kDiv, kNeg,
};

enum class LiteralKind { kNull, kBool, kNumber, kText, kDate, kDuration };

struct Literal {
  LiteralKind kind = LiteralKind::kNull;
  bool boolean = false;
  double number = 0;
  std::string text;        // kText
  int64_t micros = 0;      // kDate: midnight UTC of the day; kDuration: its length
  int64_t count = 0;       // kDuration: as written (90 in 90d)
  char unit = 'd';         // kDuration: 'h', 'd' or 'w'
  friend bool operator==(const Literal&, const Literal&) = default;
};

struct SegmentNode {
  SegmentOp op = SegmentOp::kLiteral;
  Literal literal;                 // kLiteral
  std::string name;                // kField: field name; kCall: function name
  std::vector<std::shared_ptr<const SegmentNode>> args;
  int line = 0, column = 0;        // where the parser found it; 0 when built or read from JSON
  int height = 1;                  // levels down to the deepest leaf: text, JSON and checks bound it
};

// 1 + the tallest argument's height.
int HeightOver(const std::vector<std::shared_ptr<const SegmentNode>>& args);

using NodePtr = std::shared_ptr<const SegmentNode>;

inline NodePtr AsNode(const SegmentExpr& e) { return e.node_ptr(); }

// `and` and `or` are n-ary: nested ones of the same kind are merged, so that every way of writing
// a chain gives one tree (and the JSON form's lists round-trip).
NodePtr MakeLogical(SegmentOp op, NodePtr a, NodePtr b);

// Negation of a number or duration literal is the negative literal, so that "-5" has one tree.
NodePtr MakeNeg(NodePtr operand);

bool SameTree(const SegmentNode& a, const SegmentNode& b);

// Operator spellings and precedences shared by parser and printer.
std::string_view OpKeyword(SegmentOp op);
bool IsComparison(SegmentOp op);

// "<line>:<column>: <problem>" plus the source line and a caret under the column, when known.
std::string PositionedMessage(std::string_view source, int line, int column, std::string_view problem);

int64_t DurationMicros(int64_t count, char unit);

}  // namespace rapport::internal

#endif  // RAPPORT_ANALYTICS_SEGMENT_AST_H_
