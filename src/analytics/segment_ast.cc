#include "analytics/segment_ast.h"

#include <algorithm>
#include <set>

#include "absl/time/time.h"
#include "base/strings.h"

namespace rapport {
namespace internal {

int HeightOver(const std::vector<NodePtr>& args) {
  int tallest = 0;
  for (const auto& a : args) tallest = std::max(tallest, a->height);
  return tallest + 1;
}

bool SameTree(const SegmentNode& a, const SegmentNode& b) {
  if (a.op != b.op || !(a.literal == b.literal) || a.name != b.name || a.args.size() != b.args.size()) return false;
  for (size_t i = 0; i < a.args.size(); ++i) {
    if (!SameTree(*a.args[i], *b.args[i])) return false;
  }
  return true;
}

std::string_view OpKeyword(SegmentOp op) {
  switch (op) {
    case SegmentOp::kAnd: return "and";
    case SegmentOp::kOr: return "or";
    case SegmentOp::kNot: return "not";
    case SegmentOp::kEq: return "=";
    case SegmentOp::kNe: return "!=";
    case SegmentOp::kLt: return "<";
    case SegmentOp::kLe: return "<=";
    case SegmentOp::kGt: return ">";
    case SegmentOp::kGe: return ">=";
    case SegmentOp::kIn: return "in";
    case SegmentOp::kBetween: return "between";
    case SegmentOp::kIsNull: return "is_null";
    case SegmentOp::kContains: return "contains";
    case SegmentOp::kStartsWith: return "starts_with";
    case SegmentOp::kEndsWith: return "ends_with";
    case SegmentOp::kAdd: return "+";
    case SegmentOp::kSub: return "-";
    case SegmentOp::kMul: return "*";
    case SegmentOp::kDiv: return "/";
    case SegmentOp::kNeg: return "neg";
    case SegmentOp::kLiteral: return "literal";
    case SegmentOp::kField: return "field";
    case SegmentOp::kCall: return "call";
  }
  return "?";
}

bool IsComparison(SegmentOp op) {
  return op == SegmentOp::kEq || op == SegmentOp::kNe || op == SegmentOp::kLt || op == SegmentOp::kLe ||
         op == SegmentOp::kGt || op == SegmentOp::kGe;
}

std::string PositionedMessage(std::string_view source, int line, int column, std::string_view problem) {
  if (line <= 0) return std::string(problem);
  std::string out = StrCat(line, ":", column, ": ", problem);
  size_t begin = 0;
  for (int l = 1; l < line && begin != std::string_view::npos; ++l) {
    begin = source.find('\n', begin);
    if (begin != std::string_view::npos) ++begin;
  }
  if (begin == std::string_view::npos || begin > source.size()) return out;
  size_t end = source.find('\n', begin);
  std::string_view text = source.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin);
  // The caret goes under the column'th character, counting UTF-8 sequences as one.
  std::string pad;
  int col = 1;
  for (size_t i = 0; i < text.size() && col < column; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    // Wide (CJK) characters take two cells in a terminal.
    unsigned char c = static_cast<unsigned char>(text[i]);
    pad += (c >= 0xE3 && c <= 0xEF) ? "  " : (text[i] == '\t' ? "\t" : " ");
    ++col;
  }
  return StrCat(out, "\n", text, "\n", pad, "^");
}

int64_t DurationMicros(int64_t count, char unit) {
  switch (unit) {
    case 'h': return count * 3'600'000'000;
    case 'w': return count * 7 * kMicrosPerDay;
    default: return count * kMicrosPerDay;
  }
}

namespace {

NodePtr Make(SegmentOp op, std::vector<NodePtr> args, std::string name = {}) {
  auto n = std::make_shared<SegmentNode>();
  n->op = op;
  n->args = std::move(args);
  n->name = std::move(name);
  n->height = HeightOver(n->args);
  return n;
}

NodePtr MakeLiteral(Literal lit) {
  auto n = std::make_shared<SegmentNode>();
  n->literal = std::move(lit);
  return n;
}

}  // namespace

NodePtr MakeLogical(SegmentOp op, NodePtr a, NodePtr b) {
  std::vector<NodePtr> args;
  for (NodePtr* side : {&a, &b}) {
    if ((*side)->op == op) {
      args.insert(args.end(), (*side)->args.begin(), (*side)->args.end());
    } else {
      args.push_back(std::move(*side));
    }
  }
  auto n = Make(op, std::move(args));
  return n;
}

NodePtr MakeNeg(NodePtr operand) {
  if (operand->op == SegmentOp::kLiteral &&
      (operand->literal.kind == LiteralKind::kNumber || operand->literal.kind == LiteralKind::kDuration)) {
    auto n = std::make_shared<SegmentNode>(*operand);
    n->literal.number = -n->literal.number;
    n->literal.count = -n->literal.count;
    n->literal.micros = -n->literal.micros;
    return n;
  }
  return Make(SegmentOp::kNeg, {std::move(operand)});
}

namespace {

void Collect(const SegmentNode& n, std::set<std::string>& fields, std::set<std::string>& segments) {
  if (n.op == SegmentOp::kField) fields.insert(n.name);
  if (n.op == SegmentOp::kCall && n.name == "in_segment" && n.args.size() == 1 &&
      n.args[0]->op == SegmentOp::kLiteral && n.args[0]->literal.kind == LiteralKind::kText) {
    segments.insert(n.args[0]->literal.text);
  }
  for (const auto& a : n.args) Collect(*a, fields, segments);
}

}  // namespace
}  // namespace internal

using internal::Literal;
using internal::LiteralKind;
using internal::Make;
using internal::MakeLiteral;
using internal::SegmentOp;

SegmentExpr SegmentExpr::Field(std::string_view name) {
  return SegmentExpr(Make(SegmentOp::kField, {}, std::string(name)));
}
SegmentExpr SegmentExpr::Number(double value) {
  Literal l;
  l.kind = LiteralKind::kNumber;
  l.number = value;
  return SegmentExpr(MakeLiteral(l));
}
SegmentExpr SegmentExpr::Text(std::string_view value) {
  Literal l;
  l.kind = LiteralKind::kText;
  l.text = std::string(value);
  return SegmentExpr(MakeLiteral(l));
}
SegmentExpr SegmentExpr::Bool(bool value) {
  Literal l;
  l.kind = LiteralKind::kBool;
  l.boolean = value;
  return SegmentExpr(MakeLiteral(l));
}
SegmentExpr SegmentExpr::Date(absl::CivilDay day) {
  Literal l;
  l.kind = LiteralKind::kDate;
  l.micros = absl::ToUnixMicros(absl::FromCivil(day, absl::UTCTimeZone()));
  return SegmentExpr(MakeLiteral(l));
}
SegmentExpr SegmentExpr::Duration(int64_t count, char unit) {
  Literal l;
  l.kind = LiteralKind::kDuration;
  l.count = count;
  l.unit = (unit == 'h' || unit == 'w') ? unit : 'd';
  l.micros = internal::DurationMicros(count, l.unit);
  return SegmentExpr(MakeLiteral(l));
}
SegmentExpr SegmentExpr::Call(std::string_view function, std::vector<SegmentExpr> args) {
  std::vector<internal::NodePtr> nodes;
  for (auto& a : args) nodes.push_back(a.node_);
  return SegmentExpr(Make(SegmentOp::kCall, std::move(nodes), std::string(function)));
}

#define RAPPORT_BINARY(Method, Op) \
  SegmentExpr SegmentExpr::Method(SegmentExpr other) const { return SegmentExpr(Make(Op, {node_, other.node_})); }
RAPPORT_BINARY(Eq, SegmentOp::kEq)
RAPPORT_BINARY(Ne, SegmentOp::kNe)
RAPPORT_BINARY(Lt, SegmentOp::kLt)
RAPPORT_BINARY(Le, SegmentOp::kLe)
RAPPORT_BINARY(Gt, SegmentOp::kGt)
RAPPORT_BINARY(Ge, SegmentOp::kGe)
RAPPORT_BINARY(Contains, SegmentOp::kContains)
RAPPORT_BINARY(StartsWith, SegmentOp::kStartsWith)
RAPPORT_BINARY(EndsWith, SegmentOp::kEndsWith)
RAPPORT_BINARY(Plus, SegmentOp::kAdd)
RAPPORT_BINARY(Minus, SegmentOp::kSub)
RAPPORT_BINARY(Times, SegmentOp::kMul)
RAPPORT_BINARY(DividedBy, SegmentOp::kDiv)
#undef RAPPORT_BINARY

SegmentExpr SegmentExpr::In(std::vector<SegmentExpr> values) const {
  std::vector<internal::NodePtr> nodes{node_};
  for (auto& v : values) nodes.push_back(v.node_);
  return SegmentExpr(Make(SegmentOp::kIn, std::move(nodes)));
}
SegmentExpr SegmentExpr::Between(SegmentExpr low, SegmentExpr high) const {
  return SegmentExpr(Make(SegmentOp::kBetween, {node_, low.node_, high.node_}));
}
SegmentExpr SegmentExpr::IsNull() const { return SegmentExpr(Make(SegmentOp::kIsNull, {node_})); }
SegmentExpr SegmentExpr::Negated() const { return SegmentExpr(internal::MakeNeg(node_)); }

SegmentExpr operator&&(const SegmentExpr& a, const SegmentExpr& b) {
  return SegmentExpr(internal::MakeLogical(SegmentOp::kAnd, a.node_, b.node_));
}
SegmentExpr operator||(const SegmentExpr& a, const SegmentExpr& b) {
  return SegmentExpr(internal::MakeLogical(SegmentOp::kOr, a.node_, b.node_));
}
SegmentExpr operator!(const SegmentExpr& a) { return SegmentExpr(Make(SegmentOp::kNot, {a.node_})); }
bool operator==(const SegmentExpr& a, const SegmentExpr& b) { return internal::SameTree(*a.node_, *b.node_); }

int SegmentExpr::Depth() const { return node_->height; }

std::vector<std::string> SegmentExpr::Fields() const {
  std::set<std::string> fields, segments;
  internal::Collect(*node_, fields, segments);
  return {fields.begin(), fields.end()};
}

std::vector<std::string> SegmentExpr::SegmentsReferenced() const {
  std::set<std::string> fields, segments;
  internal::Collect(*node_, fields, segments);
  return {segments.begin(), segments.end()};
}

}  // namespace rapport
