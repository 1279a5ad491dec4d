#include "analytics/segment_check.h"

#include <cmath>

#include "absl/status/status.h"
#include "base/nearest_name.h"
#include "base/strings.h"

namespace rapport {
namespace internal {

std::string_view ToString(VType type) {
  switch (type) {
    case VType::kBool: return "bool";
    case VType::kNumber: return "number";
    case VType::kText: return "text";
    case VType::kTime: return "time";
    case VType::kDuration: return "duration";
    case VType::kSet: return "set";
  }
  return "?";
}

const std::vector<DerivedField>& DerivedFields() {
  static const auto* kFields = new std::vector<DerivedField>{
      {"recency_days", VType::kNumber, {"last_order_at"}},
      {"tenure_days", VType::kNumber, {"first_order_at"}},
      {"rfm_r", VType::kNumber, {"last_order_at", "frequency", "monetary"}},
      {"rfm_f", VType::kNumber, {"last_order_at", "frequency", "monetary"}},
      {"rfm_m", VType::kNumber, {"last_order_at", "frequency", "monetary"}},
      {"rfm_segment", VType::kText, {"last_order_at", "frequency", "monetary"}},
      {"value_tier", VType::kText, {"frequency", "monetary"}},
  };
  return *kFields;
}

const std::vector<std::string_view>& FunctionNames() {
  static const auto* kNames = new std::vector<std::string_view>{
      "days_since", "days_between", "now", "has_tag", "has_any_tag", "has_all_tags", "has_any", "has_all",
      "in_segment", "coalesce", "abs", "round", "floor", "ceil", "least", "greatest"};
  return *kNames;
}

namespace {

VType FromColumnType(ColumnType t) {
  switch (t) {
    case ColumnType::kCategory: case ColumnType::kText: return VType::kText;
    case ColumnType::kSet: return VType::kSet;
    case ColumnType::kNumber: return VType::kNumber;
    case ColumnType::kTime: return VType::kTime;
    case ColumnType::kBool: return VType::kBool;
  }
  return VType::kText;
}

class CheckError {
 public:
  CheckError(const SegmentNode& at, std::string problem) : line(at.line), column(at.column), problem(std::move(problem)) {}
  int line, column;
  std::string problem;
};

class Checker {
 public:
  explicit Checker(const SegmentSchema& schema) : schema_(schema) {}
  CheckedSegment result;

  VType Visit(const SegmentNode& n) {
    VType t = Compute(n);
    result.types[&n] = t;
    return t;
  }

 private:
  VType Compute(const SegmentNode& n) {
    switch (n.op) {
      case SegmentOp::kLiteral: return LiteralType(n);
      case SegmentOp::kField: return FieldType(n);
      case SegmentOp::kCall: return CallType(n);
      case SegmentOp::kAnd: case SegmentOp::kOr: case SegmentOp::kNot:
        for (const auto& a : n.args) {
          VType t = Visit(*a);
          if (t != VType::kBool) {
            throw CheckError(*a, StrCat("'", OpKeyword(n.op), "' needs conditions, got a ", ToString(t), Hint(*a, t)));
          }
        }
        return VType::kBool;
      case SegmentOp::kEq: case SegmentOp::kNe: case SegmentOp::kLt: case SegmentOp::kLe: case SegmentOp::kGt:
      case SegmentOp::kGe: {
        VType a = Visit(*n.args[0]), b = Visit(*n.args[1]);
        if (a != b) throw CheckError(n, StrCat("cannot compare ", ToString(a), " with ", ToString(b)));
        if (a == VType::kSet) throw CheckError(n, StrCat("cannot compare sets", SetHint(*n.args[0])));
        if (a == VType::kDuration) throw CheckError(n, "cannot compare durations: use them with times, e.g. last_order_at >= now() - 90d");
        if (a == VType::kBool && n.op != SegmentOp::kEq && n.op != SegmentOp::kNe) {
          throw CheckError(n, StrCat("cannot order bools with '", OpKeyword(n.op), "'"));
        }
        return VType::kBool;
      }
      case SegmentOp::kIn: {
        VType a = Visit(*n.args[0]);
        if (a != VType::kNumber && a != VType::kText && a != VType::kTime) {
          throw CheckError(n, StrCat("'in' needs a number, text or time, got a ", ToString(a), SetHint(*n.args[0])));
        }
        for (size_t i = 1; i < n.args.size(); ++i) {
          VType b = Visit(*n.args[i]);
          if (n.args[i]->op != SegmentOp::kLiteral) throw CheckError(*n.args[i], "the list of 'in' takes literal values");
          if (b != a) throw CheckError(*n.args[i], StrCat("cannot compare ", ToString(a), " with ", ToString(b)));
        }
        return VType::kBool;
      }
      case SegmentOp::kBetween: {
        VType a = Visit(*n.args[0]);
        if (a != VType::kNumber && a != VType::kText && a != VType::kTime) {
          throw CheckError(n, StrCat("'between' needs a number, text or time, got a ", ToString(a)));
        }
        for (size_t i = 1; i < 3; ++i) {
          VType b = Visit(*n.args[i]);
          if (b != a) throw CheckError(*n.args[i], StrCat("cannot compare ", ToString(a), " with ", ToString(b)));
        }
        return VType::kBool;
      }
      case SegmentOp::kIsNull: {
        Visit(*n.args[0]);
        return VType::kBool;
      }
      case SegmentOp::kContains: case SegmentOp::kStartsWith: case SegmentOp::kEndsWith: {
        VType a = Visit(*n.args[0]), b = Visit(*n.args[1]);
        if (a != VType::kText || b != VType::kText) {
          throw CheckError(n, StrCat("'", OpKeyword(n.op), "' needs text on both sides, got ", ToString(a), " and ",
                                     ToString(b), a == VType::kSet ? SetHint(*n.args[0]) : ""));
        }
        return VType::kBool;
      }
      case SegmentOp::kNeg: {
        VType a = Visit(*n.args[0]);
        if (a != VType::kNumber) throw CheckError(n, StrCat("cannot negate a ", ToString(a)));
        return a;
      }
      case SegmentOp::kAdd: case SegmentOp::kSub: case SegmentOp::kMul: case SegmentOp::kDiv: {
        VType a = Visit(*n.args[0]), b = Visit(*n.args[1]);
        if (a == VType::kNumber && b == VType::kNumber) return VType::kNumber;
        bool additive = n.op == SegmentOp::kAdd || n.op == SegmentOp::kSub;
        if (additive && a == VType::kTime && b == VType::kDuration) return VType::kTime;
        if (n.op == SegmentOp::kAdd && a == VType::kDuration && b == VType::kTime) return VType::kTime;
        if (n.op == SegmentOp::kSub && a == VType::kTime && b == VType::kTime) {
          throw CheckError(n, "cannot subtract times: use days_between(a, b)");
        }
        throw CheckError(n, StrCat("cannot apply '", OpKeyword(n.op), "' to ", ToString(a), " and ", ToString(b)));
      }
    }
    throw CheckError(n, "unknown operator");
  }

  static std::string Hint(const SegmentNode& n, VType t) {
    if (n.op == SegmentOp::kField && t == VType::kNumber) return StrCat(" (compare it, e.g. ", n.name, " > 0)");
    return "";
  }

  static std::string SetHint(const SegmentNode& n) {
    if (n.op != SegmentOp::kField) return "";
    if (n.name == "tags") return " (use has_tag(\"...\"))";
    return StrCat(" (use has_any(", n.name, ", \"...\"))");
  }

  VType LiteralType(const SegmentNode& n) {
    switch (n.literal.kind) {
      case LiteralKind::kBool: return VType::kBool;
      case LiteralKind::kNumber:
        if (!std::isfinite(n.literal.number)) throw CheckError(n, "numbers must be finite");
        return VType::kNumber;
      case LiteralKind::kText: {
        if (!IsValidUtf8(n.literal.text)) throw CheckError(n, "text is not valid UTF-8");
        return VType::kText;
      }
      case LiteralKind::kDate: return VType::kTime;
      case LiteralKind::kDuration: return VType::kDuration;
      case LiteralKind::kNull: break;
    }
    throw CheckError(n, "null is not a value here: test for a missing value with 'is null'");
  }

  static bool IsValidUtf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
      if (len == 0 || i + len > s.size()) return false;
      for (int k = 1; k < len; ++k) {
        if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
      }
      i += len;
    }
    return true;
  }

  VType FieldType(const SegmentNode& n) {
    for (const SegmentField& f : schema_) {
      if (f.name == n.name) return FromColumnType(f.type);
    }
    for (const DerivedField& d : DerivedFields()) {
      if (d.name != n.name) continue;
      for (std::string_view need : d.needs) {
        if (!Has(need)) throw CheckError(n, StrCat(n.name, " needs order data (", need, " is not in the frame)"));
      }
      return d.type;
    }
    for (std::string_view score : kClvScoreColumns) {
      if (score == n.name) {
        throw CheckError(n, StrCat(n.name, " is a CLV score and the frame has no such column (a database frame "
                                           "has the scores when loaded with the clv_scores option)"));
      }
    }
    std::vector<std::string_view> names;
    for (const SegmentField& f : schema_) names.push_back(f.name);
    for (const DerivedField& d : DerivedFields()) names.push_back(d.name);
    for (std::string_view score : kClvScoreColumns) names.push_back(score);
    std::string near = NearestName(n.name, names);
    if (auto fn = std::find(FunctionNames().begin(), FunctionNames().end(), n.name); fn != FunctionNames().end()) {
      throw CheckError(n, StrCat(n.name, " is a function: call it, e.g. ", n.name, "(...)"));
    }
    throw CheckError(n, StrCat("unknown field \"", n.name, "\"", near.empty() ? "" : StrCat("; did you mean \"", near, "\"?")));
  }

  bool Has(std::string_view name) const {
    for (const SegmentField& f : schema_) {
      if (f.name == name) return true;
    }
    return false;
  }

  void Arity(const SegmentNode& n, size_t min, size_t max) {
    if (n.args.size() < min || n.args.size() > max) {
      std::string want = min == max ? StrCat(min) : max == SIZE_MAX ? StrCat("at least ", min) : StrCat(min, " to ", max);
      throw CheckError(n, StrCat(n.name, " takes ", want, " argument", (min == 1 && max == 1) ? "" : "s", ", got ", n.args.size()));
    }
  }

  VType Arg(const SegmentNode& n, size_t i, VType want) {
    VType t = Visit(*n.args[i]);
    if (t != want) {
      throw CheckError(*n.args[i], StrCat(n.name, " expects a ", ToString(want), " as argument ", i + 1, ", got a ", ToString(t)));
    }
    return t;
  }

  void TextLiteralArgs(const SegmentNode& n, size_t from) {
    for (size_t i = from; i < n.args.size(); ++i) {
      Arg(n, i, VType::kText);
      if (n.args[i]->op != SegmentOp::kLiteral) throw CheckError(*n.args[i], StrCat(n.name, " takes quoted text, e.g. \"vip\""));
    }
  }

  VType CallType(const SegmentNode& n) {
    const std::string& f = n.name;
    if (f == "days_since") {
      Arity(n, 1, 1);
      Arg(n, 0, VType::kTime);
      return VType::kNumber;
    }
    if (f == "days_between") {
      Arity(n, 2, 2);
      Arg(n, 0, VType::kTime);
      Arg(n, 1, VType::kTime);
      return VType::kNumber;
    }
    if (f == "now") {
      Arity(n, 0, 0);
      return VType::kTime;
    }
    if (f == "has_tag" || f == "has_any_tag" || f == "has_all_tags") {
      if (!Has("tags")) throw CheckError(n, StrCat(f, " needs tags (the frame has no tags column)"));
      Arity(n, 1, f == "has_tag" ? 1 : 64);
      TextLiteralArgs(n, 0);
      return VType::kBool;
    }
    if (f == "has_any" || f == "has_all") {
      Arity(n, 2, 65);
      VType t = Visit(*n.args[0]);
      if (t != VType::kSet || n.args[0]->op != SegmentOp::kField) {
        throw CheckError(*n.args[0], StrCat(f, " expects a set field (tags or a multi-choice field) first, got a ", ToString(t)));
      }
      TextLiteralArgs(n, 1);
      return VType::kBool;
    }
    if (f == "in_segment") {
      Arity(n, 1, 1);
      TextLiteralArgs(n, 0);
      return VType::kBool;
    }
    if (f == "coalesce" || f == "least" || f == "greatest") {
      Arity(n, 2, 64);
      VType t = Visit(*n.args[0]);
      bool ok = f == "coalesce" ? (t != VType::kSet && t != VType::kDuration) : (t == VType::kNumber || t == VType::kTime);
      if (!ok) throw CheckError(*n.args[0], StrCat(f, " does not take a ", ToString(t)));
      for (size_t i = 1; i < n.args.size(); ++i) Arg(n, i, t);
      return t;
    }
    if (f == "abs" || f == "round" || f == "floor" || f == "ceil") {
      Arity(n, 1, 1);
      Arg(n, 0, VType::kNumber);
      return VType::kNumber;
    }
    std::string near = NearestName(f, FunctionNames());
    throw CheckError(n, StrCat("unknown function \"", f, "\"", near.empty() ? "" : StrCat("; did you mean \"", near, "\"?")));
  }

  const SegmentSchema& schema_;
};

}  // namespace

absl::StatusOr<CheckedSegment> Check(const SegmentNode& root, const SegmentSchema& schema, const std::string* source) {
  // Built trees have no parser to bound them; the checker guards everything that evaluates.
  if (root.height > SegmentExpr::kMaxDepth) {
    return absl::InvalidArgumentError(
        StrCat("expression nested too deeply (", root.height, " levels, at most ", SegmentExpr::kMaxDepth, ")"));
  }
  Checker checker(schema);
  try {
    VType t = checker.Visit(root);
    if (t != VType::kBool) {
      throw CheckError(root, StrCat("the expression is a ", ToString(t), ", not a condition",
                                    root.op == SegmentOp::kField ? StrCat(" (compare it, e.g. ", root.name, " > 0)") : ""));
    }
  } catch (const CheckError& e) {
    if (source != nullptr && e.line > 0) {
      return absl::InvalidArgumentError(PositionedMessage(*source, e.line, e.column, e.problem));
    }
    std::string where = e.line > 0 ? StrCat(e.line, ":", e.column, ": ") : "";
    return absl::InvalidArgumentError(StrCat(where, e.problem));
  }
  return std::move(checker.result);
}

}  // namespace internal

SegmentSchema SchemaOf(const CustomerFrame& frame) {
  SegmentSchema schema;
  for (const auto& [name, column] : frame.columns) schema.push_back({name, TypeOf(column)});
  return schema;
}

bool ReadsClvScores(const SegmentExpr& expr) {
  for (const std::string& field : expr.Fields()) {
    for (std::string_view score : kClvScoreColumns)
      if (field == score) return true;
  }
  return false;
}

absl::Status CheckSegment(const SegmentExpr& expr, const SegmentSchema& schema) {
  return internal::Check(expr, schema).status();
}

}  // namespace rapport
