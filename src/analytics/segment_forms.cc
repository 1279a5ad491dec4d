// The canonical text form and the JSON form of segment expressions.
//
// JSON form: literals are JSON numbers, strings and booleans; {"field": name}, {"date": "YYYY-MM-DD"},
// {"duration": "90d"}, {"call": name, "args": [...]}, {"not": x}, {"neg": x}, {"is_null": x}, and
// {op: [operands...]} for and, or, =, !=, <, <=, >, >=, in, between, contains, starts_with,
// ends_with, +, -, *, /. For "in" the operands are the tested value followed by the list.
#include <charconv>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "analytics/segment_ast.h"
#include "base/strings.h"
#include "base/time_format.h"
#include "nlohmann/json.hpp"

namespace rapport {
namespace internal {
namespace {

using Json = nlohmann::json;

// Binding strength in the text form; an operand weaker than its slot gets parentheses.
enum Prec { kOr = 1, kAnd = 2, kNotPrec = 3, kPredicate = 4, kSum = 5, kProduct = 6, kUnary = 7, kPrimary = 8 };

int PrecOf(const SegmentNode& n) {
  switch (n.op) {
    case SegmentOp::kOr: return kOr;
    case SegmentOp::kAnd: return kAnd;
    case SegmentOp::kNot: {
      SegmentOp inner = n.args[0]->op;
      bool fused = inner == SegmentOp::kIn || inner == SegmentOp::kBetween || inner == SegmentOp::kIsNull ||
                   inner == SegmentOp::kContains || inner == SegmentOp::kStartsWith || inner == SegmentOp::kEndsWith;
      return fused ? kPredicate : kNotPrec;
    }
    case SegmentOp::kAdd: case SegmentOp::kSub: return kSum;
    case SegmentOp::kMul: case SegmentOp::kDiv: return kProduct;
    case SegmentOp::kNeg: return kUnary;
    case SegmentOp::kLiteral:
      // A negative literal reads as a negation.
      return (n.literal.kind == LiteralKind::kNumber && std::signbit(n.literal.number)) ||
                     (n.literal.kind == LiteralKind::kDuration && n.literal.count < 0)
                 ? kUnary
                 : kPrimary;
    case SegmentOp::kField: case SegmentOp::kCall: return kPrimary;
    default: return kPredicate;
  }
}

bool IsPlainName(std::string_view name) {
  if (name.empty() || !(absl::ascii_islower(name[0]) || name[0] == '_')) return false;
  for (char c : name) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_')) return false;
  }
  static const char* kReserved[] = {"and", "or", "not", "in", "between", "is", "null", "true", "false",
                                    "contains", "starts_with", "ends_with", "date"};
  for (const char* r : kReserved) {
    if (name == r) return false;
  }
  return true;
}

std::string FormatNumber(double x) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, end);
}

std::string QuoteText(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string DayText(int64_t micros) {
  return FormatDate(absl::ToCivilDay(absl::FromUnixMicros(micros), absl::UTCTimeZone()));
}

std::string LiteralText(const Literal& l) {
  switch (l.kind) {
    case LiteralKind::kNull: return "null";
    case LiteralKind::kBool: return l.boolean ? "true" : "false";
    case LiteralKind::kNumber: return FormatNumber(l.number);
    case LiteralKind::kText: return QuoteText(l.text);
    case LiteralKind::kDate: return StrCat("date \"", DayText(l.micros), "\"");
    case LiteralKind::kDuration: return StrCat(l.count, std::string(1, l.unit));
  }
  return "?";
}

void Print(const SegmentNode& n, int slot, std::string& out);

void PrintOperand(const SegmentNode& n, int slot, std::string& out) {
  bool parens = PrecOf(n) < slot;
  if (parens) out += '(';
  Print(n, slot, out);
  if (parens) out += ')';
}

void Print(const SegmentNode& n, int slot, std::string& out) {
  switch (n.op) {
    case SegmentOp::kLiteral: out += LiteralText(n.literal); return;
    case SegmentOp::kField: out += IsPlainName(n.name) ? n.name : StrCat("`", n.name, "`"); return;
    case SegmentOp::kCall:
      out += n.name;
      out += '(';
      for (size_t i = 0; i < n.args.size(); ++i) {
        if (i) out += ", ";
        PrintOperand(*n.args[i], kOr, out);
      }
      out += ')';
      return;
    case SegmentOp::kOr: case SegmentOp::kAnd: {
      int child = n.op == SegmentOp::kOr ? kAnd : kNotPrec;
      for (size_t i = 0; i < n.args.size(); ++i) {
        if (i) out += n.op == SegmentOp::kOr ? " or " : " and ";
        // A nested chain of the same kind cannot exist (they are merged), so equal strength is safe.
        PrintOperand(*n.args[i], child, out);
      }
      return;
    }
    case SegmentOp::kNot: {
      const SegmentNode& inner = *n.args[0];
      if (PrecOf(n) == kPredicate) {
        PrintOperand(*inner.args[0], kSum, out);
        switch (inner.op) {
          case SegmentOp::kIsNull: out += " is not null"; return;
          case SegmentOp::kIn: out += " not in ("; break;
          case SegmentOp::kBetween: out += " not between "; break;
          default: out += StrCat(" not ", OpKeyword(inner.op), " "); break;
        }
        if (inner.op == SegmentOp::kIn) {
          for (size_t i = 1; i < inner.args.size(); ++i) {
            if (i > 1) out += ", ";
            PrintOperand(*inner.args[i], kSum, out);
          }
          out += ')';
        } else if (inner.op == SegmentOp::kBetween) {
          PrintOperand(*inner.args[1], kSum, out);
          out += " and ";
          PrintOperand(*inner.args[2], kSum, out);
        } else {
          PrintOperand(*inner.args[1], kSum, out);
        }
        return;
      }
      out += "not ";
      PrintOperand(inner, kNotPrec, out);
      return;
    }
    case SegmentOp::kIsNull:
      PrintOperand(*n.args[0], kSum, out);
      out += " is null";
      return;
    case SegmentOp::kIn:
      PrintOperand(*n.args[0], kSum, out);
      out += " in (";
      for (size_t i = 1; i < n.args.size(); ++i) {
        if (i > 1) out += ", ";
        PrintOperand(*n.args[i], kSum, out);
      }
      out += ')';
      return;
    case SegmentOp::kBetween:
      PrintOperand(*n.args[0], kSum, out);
      out += " between ";
      PrintOperand(*n.args[1], kSum, out);
      out += " and ";
      PrintOperand(*n.args[2], kSum, out);
      return;
    case SegmentOp::kNeg: {
      out += '-';
      std::string inner;
      PrintOperand(*n.args[0], kUnary, inner);
      if (!inner.empty() && inner[0] == '-') out += ' ';
      out += inner;
      return;
    }
    case SegmentOp::kAdd: case SegmentOp::kSub: case SegmentOp::kMul: case SegmentOp::kDiv: {
      int p = PrecOf(n);
      PrintOperand(*n.args[0], p, out);
      out += StrCat(" ", OpKeyword(n.op), " ");
      PrintOperand(*n.args[1], p + 1, out);
      return;
    }
    default:  // comparisons, contains, starts_with, ends_with
      PrintOperand(*n.args[0], kSum, out);
      out += StrCat(" ", OpKeyword(n.op), " ");
      PrintOperand(*n.args[1], kSum, out);
      return;
  }
}

Json ToJsonValue(const SegmentNode& n) {
  switch (n.op) {
    case SegmentOp::kLiteral:
      switch (n.literal.kind) {
        case LiteralKind::kNull: return nullptr;
        case LiteralKind::kBool: return n.literal.boolean;
        case LiteralKind::kNumber: return n.literal.number;
        case LiteralKind::kText: return n.literal.text;
        case LiteralKind::kDate: return Json{{"date", DayText(n.literal.micros)}};
        case LiteralKind::kDuration: return Json{{"duration", LiteralText(n.literal)}};
      }
      return nullptr;
    case SegmentOp::kField: return Json{{"field", n.name}};
    case SegmentOp::kCall: {
      Json args = Json::array();
      for (const auto& a : n.args) args.push_back(ToJsonValue(*a));
      return Json{{"call", n.name}, {"args", args}};
    }
    case SegmentOp::kNot: return Json{{"not", ToJsonValue(*n.args[0])}};
    case SegmentOp::kNeg: return Json{{"neg", ToJsonValue(*n.args[0])}};
    case SegmentOp::kIsNull: return Json{{"is_null", ToJsonValue(*n.args[0])}};
    case SegmentOp::kIn: {
      Json list = Json::array();
      for (size_t i = 1; i < n.args.size(); ++i) list.push_back(ToJsonValue(*n.args[i]));
      return Json{{"in", Json::array({ToJsonValue(*n.args[0]), list})}};
    }
    default: {
      Json args = Json::array();
      for (const auto& a : n.args) args.push_back(ToJsonValue(*a));
      return Json{{std::string(OpKeyword(n.op)), args}};
    }
  }
}

class JsonError {
 public:
  JsonError(std::string path, std::string problem) : path(std::move(path)), problem(std::move(problem)) {}
  std::string path, problem;
};

std::shared_ptr<SegmentNode> NewNode(SegmentOp op) {
  auto n = std::make_shared<SegmentNode>();
  n->op = op;
  return n;
}

NodePtr FromJsonNode(const Json& j, const std::string& path, int depth);

// The same height bound as the text form, so that whatever JSON reads also prints to text.
NodePtr FromJsonValue(const Json& j, const std::string& path, int depth) {
  auto too_deep = [&] {
    return JsonError(path, StrCat("nested too deeply (more than ", SegmentExpr::kMaxDepth, " levels)"));
  };
  if (depth > SegmentExpr::kMaxDepth) throw too_deep();  // before recursing any further
  auto n = std::const_pointer_cast<SegmentNode>(FromJsonNode(j, path, depth));
  n->height = HeightOver(n->args);
  if (n->height > SegmentExpr::kMaxDepth) throw too_deep();
  return n;
}

NodePtr FromJsonNode(const Json& j, const std::string& path, int depth) {
  auto lit = [](Literal l) {
    auto n = NewNode(SegmentOp::kLiteral);
    n->literal = std::move(l);
    return n;
  };
  Literal l;
  if (j.is_boolean()) {
    l.kind = LiteralKind::kBool;
    l.boolean = j.get<bool>();
    return lit(l);
  }
  if (j.is_number()) {
    l.kind = LiteralKind::kNumber;
    l.number = j.get<double>();
    if (!std::isfinite(l.number)) throw JsonError(path, "number out of range");
    return lit(l);
  }
  if (j.is_string()) {
    l.kind = LiteralKind::kText;
    l.text = j.get<std::string>();
    return lit(l);
  }
  if (j.is_null()) throw JsonError(path, "null is not a value here: test for a missing value with {\"is_null\": ...}");
  if (j.is_array()) throw JsonError(path, "expected an expression, found a list");
  if (j.size() != 1 && !(j.size() == 2 && j.contains("call"))) {
    throw JsonError(path, "expected an object with one operator key");
  }
  // Not a structured binding: lambdas below capture these (clang 14 cannot capture bindings).
  const std::string key = j.items().begin().key();
  const Json& body = j.items().begin().value();
  const std::string sub = StrCat(path, ".", j.contains("call") ? "call" : key);
  auto text_of = [&](const Json& v, std::string_view what) {
    if (!v.is_string()) throw JsonError(sub, StrCat("expected ", what, " as a string"));
    return v.get<std::string>();
  };
  auto operands = [&](size_t min, size_t max) {
    if (!body.is_array()) throw JsonError(sub, "expected a list of operands");
    if (body.size() < min || body.size() > max) {
      throw JsonError(sub, min == max ? StrCat("expected ", min, " operands, found ", body.size())
                                      : StrCat("expected at least ", min, " operands, found ", body.size()));
    }
    std::vector<NodePtr> out;
    for (size_t i = 0; i < body.size(); ++i) out.push_back(FromJsonValue(body[i], StrCat(sub, "[", i, "]"), depth + 1));
    return out;
  };
  if (j.contains("call")) {
    auto n = NewNode(SegmentOp::kCall);
    n->name = text_of(j["call"], "a function name");
    if (j.contains("args")) {
      const Json& args = j["args"];
      if (!args.is_array()) throw JsonError(StrCat(path, ".args"), "expected a list of arguments");
      for (size_t i = 0; i < args.size(); ++i) {
        n->args.push_back(FromJsonValue(args[i], StrCat(path, ".args[", i, "]"), depth + 1));
      }
    } else if (j.size() == 2) {
      throw JsonError(path, "expected \"args\" beside \"call\"");
    }
    return n;
  }
  if (key == "field") {
    auto n = NewNode(SegmentOp::kField);
    n->name = text_of(body, "a field name");
    if (n->name.empty()) throw JsonError(sub, "empty field name");
    return n;
  }
  if (key == "date") {
    std::string text = text_of(body, "a date (YYYY-MM-DD)");
    auto day = ParseDate("date", text);
    if (!day.ok()) throw JsonError(sub, StrCat("\"", text, "\" is not a date (expected YYYY-MM-DD)"));
    return AsNode(SegmentExpr::Date(*day));
  }
  if (key == "duration") {
    std::string text = text_of(body, "a duration such as \"90d\"");
    int64_t count = 0;
    bool negative = !text.empty() && text[0] == '-';
    std::string_view digits = std::string_view(text).substr(negative ? 1 : 0);
    if (digits.size() < 2 || !absl::SimpleAtoi(AsAbsl(digits.substr(0, digits.size() - 1)), &count) ||
        std::string_view("hdw").find(digits.back()) == std::string_view::npos || count > 1000000) {
      throw JsonError(sub, StrCat("\"", text, "\" is not a duration (a whole number of h, d or w, e.g. \"90d\")"));
    }
    return AsNode(SegmentExpr::Duration(negative ? -count : count, digits.back()));
  }
  static const std::pair<const char*, SegmentOp> kBinary[] = {
      {"=", SegmentOp::kEq},  {"!=", SegmentOp::kNe}, {"<", SegmentOp::kLt},  {"<=", SegmentOp::kLe},
      {">", SegmentOp::kGt},  {">=", SegmentOp::kGe}, {"+", SegmentOp::kAdd}, {"-", SegmentOp::kSub},
      {"*", SegmentOp::kMul}, {"/", SegmentOp::kDiv}, {"contains", SegmentOp::kContains},
      {"starts_with", SegmentOp::kStartsWith},        {"ends_with", SegmentOp::kEndsWith}};
  for (const auto& [name, op] : kBinary) {
    if (key == name) {
      auto n = NewNode(op);
      n->args = operands(2, 2);
      return n;
    }
  }
  if (key == "and" || key == "or") {
    SegmentOp op = key == "and" ? SegmentOp::kAnd : SegmentOp::kOr;
    std::vector<NodePtr> args = operands(2, SIZE_MAX);
    NodePtr acc = args[0];
    for (size_t i = 1; i < args.size(); ++i) acc = MakeLogical(op, acc, args[i]);
    return acc;
  }
  if (key == "not" || key == "neg" || key == "is_null") {
    NodePtr inner = FromJsonValue(body, sub, depth + 1);
    if (key == "neg") return MakeNeg(inner);
    auto n = NewNode(key == "not" ? SegmentOp::kNot : SegmentOp::kIsNull);
    n->args = {inner};
    return n;
  }
  if (key == "between") {
    auto n = NewNode(SegmentOp::kBetween);
    n->args = operands(3, 3);
    return n;
  }
  if (key == "in") {
    if (!body.is_array() || body.size() != 2 || !body[1].is_array() || body[1].empty()) {
      throw JsonError(sub, "expected [value, [list of values]] with a non-empty list");
    }
    auto n = NewNode(SegmentOp::kIn);
    n->args.push_back(FromJsonValue(body[0], StrCat(sub, "[0]"), depth + 1));
    for (size_t i = 0; i < body[1].size(); ++i) {
      n->args.push_back(FromJsonValue(body[1][i], StrCat(sub, "[1][", i, "]"), depth + 1));
    }
    return n;
  }
  throw JsonError(path, StrCat("unknown operator \"", key, "\""));
}

}  // namespace
}  // namespace internal

std::string SegmentExpr::ToText() const {
  std::string out;
  internal::Print(*node_, internal::kOr, out);
  return out;
}

std::string SegmentExpr::ToJson() const { return internal::ToJsonValue(*node_).dump(); }

absl::StatusOr<SegmentExpr> SegmentExpr::FromJson(std::string_view json) {
  internal::Json j = internal::Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return absl::InvalidArgumentError("expression: not valid JSON");
  try {
    return SegmentExpr(internal::FromJsonValue(j, "$", 0));
  } catch (const internal::JsonError& e) {
    return absl::InvalidArgumentError(StrCat(e.path, ": ", e.problem));
  }
}

}  // namespace rapport
