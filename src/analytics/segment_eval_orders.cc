// Evaluation from base data (SegmentContext::orders). A segment such as `region = "华东" and has_tag("vip")
// and monetary > 1000` needs order metrics for the few customers the other conditions keep, not for
// everyone: the `and` operands that read no order metric run first over the whole frame, and only the
// customers they keep have their orders aggregated (AddOrderMetrics picks those orders out) before the
// remaining operands run on a frame of just those customers.
#include <set>
#include <string>
#include <vector>

#include "analytics/frame_select.h"
#include "analytics/order_metrics.h"
#include "analytics/segment_check.h"
#include "analytics/segment_eval.h"

namespace rapport::internal {
namespace {

bool IsDerived(std::string_view name) {
  for (const DerivedField& d : DerivedFields()) {
    if (d.name == name) return true;
  }
  return false;
}

// Derived fields that rank every customer: they need every customer's metrics.
bool RanksCustomers(std::string_view name) { return name.starts_with("rfm_") || name == "value_tier"; }

// The fields a subtree reads, including the `tags` column has_tag and its kin read without naming it.
void CollectFields(const SegmentNode& n, std::set<std::string>& out) {
  if (n.op == SegmentOp::kField) out.insert(n.name);
  if (n.op == SegmentOp::kCall && (n.name == "has_tag" || n.name == "has_any_tag" || n.name == "has_all_tags")) {
    out.insert("tags");
  }
  for (const auto& a : n.args) CollectFields(*a, out);
}

std::set<std::string> FieldsOf(const SegmentNode& n) {
  std::set<std::string> out;
  CollectFields(n, out);
  return out;
}

bool NeedsOrders(const SegmentNode& n) {
  for (const std::string& f : FieldsOf(n)) {
    if (IsOrderMetric(f) || IsDerived(f)) return true;
  }
  return false;
}

// The frame's columns, with the order metrics (computed from the orders) in place of any of its own.
SegmentSchema SchemaWithOrderMetrics(const CustomerFrame& frame) {
  SegmentSchema schema;
  for (const auto& [name, column] : frame.columns) {
    if (!IsOrderMetric(name)) schema.push_back({name, TypeOf(column)});
  }
  for (const auto& [name, type] : OrderMetricColumns()) schema.push_back({std::string(name), type});
  return schema;
}

}  // namespace

absl::StatusOr<std::vector<int64_t>> EvaluateOverOrders(const SegmentExpr& expr, const CustomerFrame& frame,
                                                        const SegmentContext& context) {
  auto checked = Check(expr, SchemaWithOrderMetrics(frame));
  if (!checked.ok()) return checked.status();
  SegmentContext inner = context;
  inner.orders = nullptr;

  const SegmentNode& root = expr.node();
  std::vector<const SegmentNode*> conjuncts;
  if (root.op == SegmentOp::kAnd) {
    for (const auto& a : root.args) conjuncts.push_back(a.get());
  } else {
    conjuncts.push_back(&root);
  }
  bool ranks = false;
  for (const std::string& f : FieldsOf(root)) ranks = ranks || RanksCustomers(f);
  std::vector<const SegmentNode*> plain, with_orders;
  for (const SegmentNode* c : conjuncts) (!ranks && !NeedsOrders(*c) ? plain : with_orders).push_back(c);

  auto candidates = MatchingRows(plain, *checked, frame, inner, RowIndexes::kUseBuilt);
  if (!candidates.ok()) return candidates.status();
  std::vector<int64_t> ids;
  if (with_orders.empty()) {
    ids.reserve(candidates->size());
    for (uint32_t row : *candidates) ids.push_back(frame.ids[row]);
    return ids;
  }

  std::set<std::string> read;
  for (const SegmentNode* c : with_orders) CollectFields(*c, read);
  std::vector<std::string> columns;
  for (const std::string& name : read) {
    if (!IsOrderMetric(name)) columns.push_back(name);
  }
  CustomerFrame few = SelectRows(frame, *candidates, columns);
  if (absl::Status s = AddOrderMetrics(*context.orders, few); !s.ok()) return s;
  auto rows = MatchingRows(with_orders, *checked, few, inner, RowIndexes::kUseBuilt);
  if (!rows.ok()) return rows.status();
  ids.reserve(rows->size());
  for (uint32_t row : *rows) ids.push_back(few.ids[row]);
  return ids;
}

}  // namespace rapport::internal
