// The segment language: expressions over customers that a sales manager can read, e.g.
//
//   industry in ("制造业", "Retail") and region = "华东" and monetary > 5000
//     and days_since(last_order_at) <= 90 and has_tag("vip") and not in_segment("blocked")
//
// An expression has a text form and a JSON form that round-trip, can be built in code, is evaluated
// vectorised over a CustomerFrame, and compiles to a parameterised SQL WHERE over the store.
// docs/segments.md is the language reference.
#ifndef RAPPORT_SEGMENT_H_
#define RAPPORT_SEGMENT_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "rapport/frame.h"
#include "rapport/value.h"

namespace rapport {

namespace internal {
struct SegmentNode;
}

// An immutable expression tree; copies share it.
class SegmentExpr {
 public:
  // The deepest tree Parse, FromJson and CheckSegment accept: every accepted tree prints to text and
  // JSON that read back, and evaluation stays far from the stack's end.
  static constexpr int kMaxDepth = 200;

  // Parses the text form. Errors read "<line>:<column>: <problem>" followed by the line and a caret.
  static absl::StatusOr<SegmentExpr> Parse(std::string_view text);
  // Reads the JSON form (see docs/segments.md). Errors name the JSON path of the bad part.
  static absl::StatusOr<SegmentExpr> FromJson(std::string_view json);

  // The canonical text form: reparsing it gives an equal tree.
  std::string ToText() const;
  std::string ToJson() const;

  // Builders: the same trees the parser makes.
  static SegmentExpr Field(std::string_view name);
  static SegmentExpr Number(double value);
  static SegmentExpr Text(std::string_view value);
  static SegmentExpr Bool(bool value);
  static SegmentExpr Date(absl::CivilDay day);
  // A duration literal such as 90d: `unit` is 'h' (hours), 'd' (days) or 'w' (weeks).
  static SegmentExpr Duration(int64_t count, char unit);
  static SegmentExpr Call(std::string_view function, std::vector<SegmentExpr> args = {});

  SegmentExpr Eq(SegmentExpr other) const;
  SegmentExpr Ne(SegmentExpr other) const;
  SegmentExpr Lt(SegmentExpr other) const;
  SegmentExpr Le(SegmentExpr other) const;
  SegmentExpr Gt(SegmentExpr other) const;
  SegmentExpr Ge(SegmentExpr other) const;
  SegmentExpr In(std::vector<SegmentExpr> values) const;
  SegmentExpr Between(SegmentExpr low, SegmentExpr high) const;
  SegmentExpr IsNull() const;
  SegmentExpr Contains(SegmentExpr text) const;
  SegmentExpr StartsWith(SegmentExpr text) const;
  SegmentExpr EndsWith(SegmentExpr text) const;
  SegmentExpr Plus(SegmentExpr other) const;
  SegmentExpr Minus(SegmentExpr other) const;
  SegmentExpr Times(SegmentExpr other) const;
  SegmentExpr DividedBy(SegmentExpr other) const;
  SegmentExpr Negated() const;

  friend SegmentExpr operator&&(const SegmentExpr& a, const SegmentExpr& b);
  friend SegmentExpr operator||(const SegmentExpr& a, const SegmentExpr& b);
  friend SegmentExpr operator!(const SegmentExpr& a);
  // Structural equality (same tree, positions ignored).
  friend bool operator==(const SegmentExpr& a, const SegmentExpr& b);

  // Levels from the root to the deepest leaf (a lone field or literal is 1).
  int Depth() const;

  // Field names the expression reads and saved segments it refers to, sorted and distinct.
  std::vector<std::string> Fields() const;
  std::vector<std::string> SegmentsReferenced() const;

  const internal::SegmentNode& node() const { return *node_; }
  const std::shared_ptr<const internal::SegmentNode>& node_ptr() const { return node_; }
  // The text it was parsed from (for the caret under check errors); null when built or from JSON.
  const std::string* source() const { return source_.get(); }
  explicit SegmentExpr(std::shared_ptr<const internal::SegmentNode> node,
                       std::shared_ptr<const std::string> source = nullptr)
      : node_(std::move(node)), source_(std::move(source)) {}

 private:
  std::shared_ptr<const internal::SegmentNode> node_;
  std::shared_ptr<const std::string> source_;
};

// What an expression may read: every field with its type. The order metrics (recency_days,
// frequency, monetary, ...), RFM scores and value tiers are fields too (see docs/segments.md).
struct SegmentField {
  std::string name;
  ColumnType type = ColumnType::kText;
};
using SegmentSchema = std::vector<SegmentField>;

// The schema of a frame's columns plus the metrics derived from them.
SegmentSchema SchemaOf(const CustomerFrame& frame);

// Whether the expression reads a CLV score (p_alive, expected_purchases_90d, clv, churn_risk): a
// database frame then needs CustomerFrameParts::clv_scores.
bool ReadsClvScores(const SegmentExpr& expr);

// Checks names and types; errors give the position when the expression was parsed from text
// ("1:10: cannot compare number with text", then the line and a caret), suggest the nearest field
// for unknown names.
absl::Status CheckSegment(const SegmentExpr& expr, const SegmentSchema& schema);

struct SegmentContext {
  // "Now" for days_since, recency_days, now(), tenure_days. Required when the expression uses time.
  int64_t as_of = kNullTime;
  // The members (customer ids) of a saved segment, for in_segment(name); NotFound when unknown.
  std::function<absl::StatusOr<std::vector<int64_t>>(std::string_view name)> segment_members;
  // Threads to use (0: as many as the hardware has, 1: none extra).
  int threads = 0;
  // Orders to compute the order metrics (frequency, monetary, aov, first_order_at, last_order_at,
  // mean_interpurchase_days and what derives from them) from, instead of the frame's columns of those
  // names: the evaluation from base data. Only the customers that pass the expression's other `and`
  // conditions have their orders aggregated, unless it ranks all customers (rfm_*, value_tier).
  // The result equals AddOrderMetrics(*orders, frame) followed by EvaluateSegment. Not owned.
  const OrderFrame* orders = nullptr;
};

// The ids (ascending) of the frame's customers for which the expression is true.
absl::StatusOr<std::vector<int64_t>> EvaluateSegment(const SegmentExpr& expr, const CustomerFrame& frame,
                                                     const SegmentContext& context = {});

// The SQL form over the store: `sql` is a complete SELECT of matching customer ids (ascending),
// with `?` placeholders bound in order to `params`. Values are never pasted into the text.
struct SqlQuery {
  std::string sql;
  std::vector<Value> params;
};

// How the store's columns map to segment fields (the database fills this from its definitions).
struct SqlSchema {
  SegmentSchema fields;
  struct CustomField {
    std::string name;
    int type = 0;                // a FieldType value
    int currency_digits = -1;    // money fields with a fixed currency: its minor-unit digits
    std::vector<std::string> options;  // enum and multi-enum fields
  };
  std::vector<CustomField> custom_fields;
  std::vector<std::string> order_statuses{"completed"};  // orders that count in order metrics
  std::string currency;  // orders in this currency count (empty: there are no orders)
  int currency_digits = 2;
};

absl::StatusOr<SqlQuery> CompileSegmentToSql(const SegmentExpr& expr, const SqlSchema& schema,
                                             const SegmentContext& context = {});

}  // namespace rapport

#endif  // RAPPORT_SEGMENT_H_
