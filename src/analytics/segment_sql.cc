// Compiles a segment expression to one parameterised SQL query over the store's tables.
//
// The semantics are the evaluator's: every condition is two-valued (a comparison with a missing
// value is false, so each leaf is wrapped in coalesce(..., 0)), numbers are REAL, times are integer
// microseconds, dates become midnight UTC, text compares by bytes. Values are bound, never pasted.
#include <cmath>

#include "absl/status/status.h"
#include "analytics/segment_ast.h"
#include "analytics/segment_check.h"
#include "base/strings.h"
#include "base/text.h"
#include "model/field_schema.h"
#include "nlohmann/json.hpp"
#include "rapport/rfm.h"

namespace rapport {
namespace internal {
namespace {

class SqlError {
 public:
  explicit SqlError(absl::Status s) : status(std::move(s)) {}
  absl::Status status;
};

constexpr char kDay[] = "86400000000";

// SQLite's date text to microseconds at midnight UTC.
std::string DateTextToMicros(std::string_view expr) {
  return StrCat("(CAST(round((julianday(", expr, ") - 2440587.5) * 86400) AS INTEGER) * 1000000)");
}

class SqlCompiler {
 public:
  SqlCompiler(const SqlSchema& schema, const CheckedSegment& types, const SegmentContext& ctx)
      : schema_(schema), types_(types), ctx_(ctx) {}

  std::vector<Value> params;
  bool needs_rfm = false;    // the RFM window query `s` is joined
  bool needs_tiers = false;  // the value tier window query `vt` is joined
  bool needs_scores = false; // customer_scores `cs` is joined

  std::string Cond(const SegmentNode& n) {
    switch (n.op) {
      case SegmentOp::kAnd: case SegmentOp::kOr: {
        std::string out = "(";
        for (size_t i = 0; i < n.args.size(); ++i) {
          if (i) out += n.op == SegmentOp::kAnd ? " AND " : " OR ";
          out += Cond(*n.args[i]);
        }
        return out + ")";
      }
      case SegmentOp::kNot: return StrCat("(NOT ", Cond(*n.args[0]), ")");
      case SegmentOp::kNe: case SegmentOp::kEq: case SegmentOp::kLt: case SegmentOp::kLe: case SegmentOp::kGt:
      case SegmentOp::kGe: {
        // Placeholders are positional: operands are compiled (and their values bound) in text order.
        std::string a = Val(*n.args[0]);
        std::string b = Val(*n.args[1]);
        if (n.op == SegmentOp::kNe) return StrCat("(NOT ", Leaf(StrCat(a, " = ", b)), ")");
        return Leaf(StrCat(a, " ", OpKeyword(n.op), " ", b));
      }
      case SegmentOp::kBetween: {
        std::string x = Val(*n.args[0]);
        std::string lo = Val(*n.args[1]);
        std::string x2 = Val(*n.args[0]);  // bound again: placeholders are positional
        std::string hi = Val(*n.args[2]);
        return StrCat("(", Leaf(StrCat(x, " >= ", lo)), " AND ", Leaf(StrCat(x2, " <= ", hi)), ")");
      }
      case SegmentOp::kIn: {
        std::string out = StrCat(Val(*n.args[0]), " IN (");
        for (size_t i = 1; i < n.args.size(); ++i) out += StrCat(i > 1 ? ", " : "", Val(*n.args[i]));
        return Leaf(out + ")");
      }
      case SegmentOp::kIsNull: {
        const SegmentNode& x = *n.args[0];
        if (types_.TypeOf(x) == VType::kSet) return StrCat("(NOT ", SetExists(x.name, {}, false), ")");
        return StrCat("(", Val(x), " IS NULL)");
      }
      case SegmentOp::kContains: {
        std::string a = Val(*n.args[0]), b = Val(*n.args[1]);
        return Leaf(StrCat("instr(", a, ", ", b, ") > 0"));
      }
      case SegmentOp::kStartsWith: {
        std::string a = Val(*n.args[0]), b = Val(*n.args[1]), b2 = Val(*n.args[1]);
        return Leaf(StrCat("substr(", a, ", 1, length(", b, ")) = ", b2));
      }
      case SegmentOp::kEndsWith: {
        std::string a = Val(*n.args[0]), a2 = Val(*n.args[0]), b = Val(*n.args[1]), b2 = Val(*n.args[1]);
        return Leaf(StrCat("substr(", a, ", length(", a2, ") - length(", b, ") + 1) = ", b2));
      }
      case SegmentOp::kLiteral: return n.literal.boolean ? "1" : "0";
      case SegmentOp::kCall: {
        if (n.name == "in_segment") return InSegment(n.args[0]->literal.text);
        if (n.name == "has_tag" || n.name == "has_any_tag" || n.name == "has_all_tags") {
          return SetExists("tags", Literals(n, 0), n.name == "has_all_tags");
        }
        if (n.name == "has_any" || n.name == "has_all") {
          return SetExists(n.args[0]->name, Literals(n, 1), n.name == "has_all");
        }
        return Leaf(StrCat(Val(n), " = 1"));
      }
      default:  // a bool field
        return Leaf(StrCat(Val(n), " = 1"));
    }
  }

 private:
  static std::string Leaf(std::string_view predicate) { return StrCat("coalesce(", predicate, ", 0)"); }

  std::string Bind(Value v) {
    params.push_back(std::move(v));
    return "?";
  }

  std::vector<std::string> Literals(const SegmentNode& call, size_t first) {
    std::vector<std::string> out;
    for (size_t i = first; i < call.args.size(); ++i) out.push_back(call.args[i]->literal.text);
    return out;
  }

  const SqlSchema::CustomField* Custom(std::string_view name) const {
    for (const auto& f : schema_.custom_fields)
      if (f.name == name) return &f;
    return nullptr;
  }

  // EXISTS over a customer's tags or a multi-choice field's values. Tags are stored folded; choices
  // are matched to the field's options as the evaluator matches them (without regard to case).
  std::string SetExists(const std::string& field, const std::vector<std::string>& values, bool all) {
    std::vector<std::string> wanted;
    const SqlSchema::CustomField* custom = field == "tags" ? nullptr : Custom(field);
    for (const std::string& v : values) {
      std::string folded = NormalizeForMatch(v);
      if (custom == nullptr) {
        if (std::find(wanted.begin(), wanted.end(), folded) == wanted.end()) wanted.push_back(folded);
        continue;
      }
      for (const std::string& option : custom->options) {
        if (NormalizeForMatch(option) == folded && std::find(wanted.begin(), wanted.end(), option) == wanted.end()) {
          wanted.push_back(option);
        }
      }
    }
    std::string source = custom == nullptr
                             ? std::string("customer_tags s WHERE s.customer_id = c.id")
                             : StrCat("json_each(c.custom, '$.", field, "') s WHERE 1");
    std::string column = custom == nullptr ? "s.tag" : "s.value";
    if (values.empty()) return StrCat("EXISTS (SELECT 1 FROM ", source, ")");
    if (wanted.empty()) return "0";
    std::string list;
    for (const std::string& w : wanted) list += StrCat(list.empty() ? "" : ", ", Bind(Value(w)));
    if (!all) return StrCat("EXISTS (SELECT 1 FROM ", source, " AND ", column, " IN (", list, "))");
    // Every asked value must be present; an asked value no option matches cannot be.
    size_t asked = 0;
    std::vector<std::string> folded_asked;
    for (const std::string& v : values) {
      std::string f = NormalizeForMatch(v);
      if (std::find(folded_asked.begin(), folded_asked.end(), f) == folded_asked.end()) folded_asked.push_back(f);
    }
    asked = folded_asked.size();
    return StrCat("((SELECT count(DISTINCT ", column, ") FROM ", source, " AND ", column, " IN (", list, ")) = ",
                  Bind(Value(static_cast<int64_t>(asked))), ")");
  }

  std::string InSegment(const std::string& name) {
    if (!ctx_.segment_members) {
      throw SqlError(absl::NotFoundError(StrCat("in_segment: no saved segment named \"", name, "\"")));
    }
    auto members = ctx_.segment_members(name);
    if (!members.ok()) throw SqlError(members.status());
    nlohmann::json ids = *members;
    return StrCat("(c.id IN (SELECT value FROM json_each(", Bind(Value(ids.dump())), ")))");
  }

  int64_t AsOf(std::string_view what) const {
    if (ctx_.as_of == kNullTime) {
      throw SqlError(absl::InvalidArgumentError(StrCat("as_of: required by ", what, " (the time that counts as now)")));
    }
    return ctx_.as_of;
  }

  // `from` comes first in the text, as its values were bound first.
  std::string DaysBetween(const std::string& from, const std::string& to) {
    return StrCat("floor(CAST(-((", from, ") - (", to, ")) AS REAL) / ", kDay, ".0)");
  }

  std::string Field(const std::string& name) {
    static const char* kCategories[] = {"kind", "name", "industry", "region", "size", "source", "lifecycle_stage"};
    for (const char* c : kCategories)
      if (name == c) return StrCat("c.", name);
    if (name == "owner") return "CAST(c.owner AS REAL)";
    if (name == "birthday") return DateTextToMicros("c.birthday");
    if (name == "created_at" || name == "updated_at") return StrCat("c.", name);
    if (name == "frequency") return "CAST(coalesce(o.n, 0) AS REAL)";
    if (name == "monetary") return StrCat("(coalesce(o.total, 0) / ", Unit(schema_.currency_digits), ")");
    if (name == "aov") return StrCat("((o.total / ", Unit(schema_.currency_digits), ") / o.n)");
    if (name == "first_order_at") return "o.first_at";
    if (name == "last_order_at") return "o.last_at";
    if (name == "mean_interpurchase_days") {
      return StrCat("(CASE WHEN o.n >= 2 THEN CAST(o.last_at - o.first_at AS REAL) / (o.n - 1) / ", kDay, ".0 END)");
    }
    if (name == "rfm_r" || name == "rfm_f" || name == "rfm_m") {
      needs_rfm = true;
      return StrCat("CAST(s.", name.substr(4), " AS REAL)");
    }
    if (name == "rfm_segment") {
      needs_rfm = true;
      std::string out = "(CASE";
      for (const RfmSegmentRule& rule : ClassicRfmSegments()) {
        out += StrCat(" WHEN s.r BETWEEN ", rule.r_min, " AND ", rule.r_max, " AND s.f BETWEEN ", rule.f_min, " AND ",
                      rule.f_max, " THEN ", Bind(Value(rule.name)));
      }
      return out + " END)";
    }
    if (name == "value_tier") {
      needs_tiers = true;
      ValueTierOptions defaults;
      std::string high = Bind(Value(defaults.names[0]));
      std::string potential = Bind(Value(defaults.names[1]));
      std::string general = Bind(Value(defaults.names[2]));
      return StrCat("(CASE WHEN vt.p IS NULL THEN NULL WHEN vt.p < 0.2 THEN ", high, " WHEN vt.p < 0.5 THEN ", potential,
                    " ELSE ", general, " END)");
    }
    for (std::string_view score : kClvScoreColumns) {
      if (name == score) {
        // A customer without a row (not scored by the last model applied) reads NULL, as the frame's NaN.
        needs_scores = true;
        return StrCat("cs.", name);
      }
    }
    if (name == "recency_days") return DaysBetween("o.last_at", Bind(Value(AsOf(name))));
    if (name == "tenure_days") return DaysBetween("o.first_at", Bind(Value(AsOf(name))));
    const SqlSchema::CustomField* f = Custom(name);
    if (f == nullptr) throw SqlError(absl::UnimplementedError(StrCat(name, ": not available in SQL")));
    const std::string path = StrCat("'$.", name, "'");
    switch (static_cast<FieldType>(f->type)) {
      case FieldType::kText: case FieldType::kEnum: case FieldType::kTime:
        return StrCat("json_extract(c.custom, ", path, ")");
      case FieldType::kBool: return StrCat("json_extract(c.custom, ", path, ")");
      case FieldType::kDate: return DateTextToMicros(StrCat("json_extract(c.custom, ", path, ")"));
      case FieldType::kMoney: {
        std::string minor = StrCat("json_extract(c.custom, '$.", name, ".minor')");
        if (f->currency_digits >= 0) return StrCat("(", minor, " / ", Unit(f->currency_digits), ")");
        return StrCat("(", minor, " / ", MoneyUnitOf(StrCat("json_extract(c.custom, '$.", name, ".currency')")), ")");
      }
      default: return StrCat("CAST(json_extract(c.custom, ", path, ") AS REAL)");
    }
  }

  static std::string Unit(int digits) {
    std::string s = "1";
    for (int i = 0; i < digits; ++i) s += "0";
    return s + ".0";
  }

  // The minor-unit divisor of a money value's currency (ISO 4217: most have two digits).
  static std::string MoneyUnitOf(const std::string& currency) {
    return StrCat("(CASE WHEN ", currency, " IN ('BIF','CLP','DJF','GNF','ISK','JPY','KMF','KRW','PYG','RWF','UGX','UYI',"
                  "'VND','VUV','XAF','XOF','XPF') THEN 1.0 WHEN ", currency,
                  " IN ('BHD','IQD','JOD','KWD','LYD','OMR','TND') THEN 1000.0 WHEN ", currency,
                  " IN ('CLF','UYW') THEN 10000.0 ELSE 100.0 END)");
  }

  std::string Val(const SegmentNode& n) {
    switch (n.op) {
      case SegmentOp::kLiteral:
        switch (n.literal.kind) {
          case LiteralKind::kBool: return Bind(Value(int64_t{n.literal.boolean ? 1 : 0}));
          case LiteralKind::kNumber: return Bind(Value(n.literal.number));
          case LiteralKind::kText: return Bind(Value(n.literal.text));
          default: return Bind(Value(n.literal.micros));  // dates and durations: microseconds
        }
      case SegmentOp::kField: return Field(n.name);
      case SegmentOp::kNeg: return StrCat("(-", Val(*n.args[0]), ")");
      case SegmentOp::kAdd: case SegmentOp::kSub: case SegmentOp::kMul: case SegmentOp::kDiv: {
        std::string a = Val(*n.args[0]);
        std::string b = Val(*n.args[1]);
        return StrCat("(", a, " ", OpKeyword(n.op), " ", b, ")");
      }
      case SegmentOp::kCall: break;
      default:  // a condition used as a value
        return StrCat("(CASE WHEN ", Cond(n), " THEN 1 ELSE 0 END)");
    }
    const std::string& f = n.name;
    if (f == "now") return Bind(Value(AsOf("now()")));
    if (f == "days_since") {
      std::string t = Val(*n.args[0]);
      return DaysBetween(t, Bind(Value(AsOf("days_since"))));
    }
    if (f == "days_between") {
      std::string a = Val(*n.args[0]);
      std::string b = Val(*n.args[1]);
      return DaysBetween(a, b);
    }
    if (f == "abs" || f == "round" || f == "floor" || f == "ceil") return StrCat(f, "(", Val(*n.args[0]), ")");
    if (f == "coalesce") {
      std::string out = "coalesce(";
      for (size_t i = 0; i < n.args.size(); ++i) out += StrCat(i ? ", " : "", Val(*n.args[i]));
      return out + ")";
    }
    if (f == "least" || f == "greatest") {
      // SQLite's scalar min/max give NULL when any argument is; these skip missing values.
      std::string acc = Val(*n.args[0]);
      for (size_t i = 1; i < n.args.size(); ++i) {
        std::string next = Val(*n.args[i]);
        acc = StrCat("(SELECT ", f == "least" ? "min" : "max", "(v) FROM (SELECT ", acc, " AS v UNION ALL SELECT ", next, "))");
      }
      return acc;
    }
    // Bool-valued calls (has_tag, in_segment, ...) as values.
    return StrCat("(CASE WHEN ", Cond(n), " THEN 1 ELSE 0 END)");
  }

  const SqlSchema& schema_;
  const CheckedSegment& types_;
  const SegmentContext& ctx_;
};

}  // namespace
}  // namespace internal

absl::StatusOr<SqlQuery> CompileSegmentToSql(const SegmentExpr& expr, const SqlSchema& schema, const SegmentContext& context) {
  auto checked = internal::Check(expr, schema.fields);
  if (!checked.ok()) return checked.status();
  internal::SqlCompiler compiler(schema, *checked, context);
  std::string where;
  try {
    where = compiler.Cond(expr.node());
  } catch (const internal::SqlError& e) {
    return e.status;
  }
  SqlQuery q;
  std::string statuses;
  for (const std::string& s : schema.order_statuses) {
    statuses += statuses.empty() ? "?" : ", ?";
    q.params.push_back(Value(s));
  }
  if (statuses.empty()) statuses = "NULL";
  q.params.push_back(Value(schema.currency));
  // Scores rank the live customers with orders, as the frame does: rank() counts those strictly
  // worse, so equal values share a score (see docs/analytics-rfm.md).
  const std::string buyers = "o JOIN customers b ON b.id = o.customer_id AND b.deleted_at IS NULL";
  std::string windows, joins;
  if (compiler.needs_rfm) {
    if (context.as_of == kNullTime) return absl::InvalidArgumentError("as_of: required by RFM scores (the time that counts as now)");
    q.params.push_back(Value(context.as_of));
    windows += StrCat(
        ", s AS (SELECT customer_id, "
        "1 + (5 * (rank() OVER (ORDER BY recency DESC) - 1)) / count(*) OVER () AS r, "
        "1 + (5 * (rank() OVER (ORDER BY n) - 1)) / count(*) OVER () AS f, "
        "1 + (5 * (rank() OVER (ORDER BY total) - 1)) / count(*) OVER () AS m "
        "FROM (SELECT o.customer_id, o.n, o.total, floor(CAST(-(o.last_at - ?) AS REAL) / ", internal::kDay, ".0) AS recency FROM ",
        buyers, "))");
    joins += " LEFT JOIN s ON s.customer_id = c.id";
  }
  if (compiler.needs_tiers) {
    windows += StrCat(", vt AS (SELECT o.customer_id, CAST(rank() OVER (ORDER BY o.total DESC) - 1 AS REAL) / count(*) OVER () AS p FROM ",
                      buyers, ")");
    joins += " LEFT JOIN vt ON vt.customer_id = c.id";
  }
  if (compiler.needs_scores) joins += " LEFT JOIN customer_scores cs ON cs.customer_id = c.id";
  q.sql = StrCat(
      "WITH o AS (SELECT customer_id, count(*) AS n, sum(amount_minor) AS total, min(ordered_at) AS first_at, "
      "max(ordered_at) AS last_at FROM orders WHERE status IN (", statuses, ") AND currency = ? GROUP BY customer_id)",
      windows, " SELECT c.id FROM customers c LEFT JOIN o ON o.customer_id = c.id", joins,
      " WHERE c.deleted_at IS NULL AND ", where, " ORDER BY c.id");
  for (Value& v : compiler.params) q.params.push_back(std::move(v));
  return q;
}

}  // namespace rapport
