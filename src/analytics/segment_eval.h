// The evaluator's entry points below EvaluateSegment (include/rapport/segment.h).
#ifndef RAPPORT_ANALYTICS_SEGMENT_EVAL_H_
#define RAPPORT_ANALYTICS_SEGMENT_EVAL_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "analytics/segment_ast.h"
#include "analytics/segment_check.h"
#include "rapport/frame.h"
#include "rapport/segment.h"

namespace rapport::internal {

// Whether an evaluation builds the row indexes of the set columns it reads (SetRowIndexCache) or
// only uses those already built. Worth it on a frame that is kept and queried again, not for one
// evaluation from base data.
enum class RowIndexes { kBuild, kUseBuilt };

// The rows (ascending) of `frame` for which every one of `conjuncts` holds: nodes of one tree that
// `types` checked against the frame's schema. No conjuncts: every row.
absl::StatusOr<std::vector<uint32_t>> MatchingRows(const std::vector<const SegmentNode*>& conjuncts,
                                                   const CheckedSegment& types, const CustomerFrame& frame,
                                                   const SegmentContext& context, RowIndexes indexes);

// EvaluateSegment with context.orders set: the order metrics come from those orders, computed only for
// the customers that pass the expression's other conditions (segment_eval_orders.cc).
absl::StatusOr<std::vector<int64_t>> EvaluateOverOrders(const SegmentExpr& expr, const CustomerFrame& frame,
                                                        const SegmentContext& context);

}  // namespace rapport::internal

#endif  // RAPPORT_ANALYTICS_SEGMENT_EVAL_H_
