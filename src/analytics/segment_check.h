// Name resolution and type checking of segment expressions.
#ifndef RAPPORT_ANALYTICS_SEGMENT_CHECK_H_
#define RAPPORT_ANALYTICS_SEGMENT_CHECK_H_

#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "analytics/segment_ast.h"

namespace rapport::internal {

enum class VType { kBool, kNumber, kText, kTime, kDuration, kSet };
std::string_view ToString(VType type);

// Metrics computed from other columns rather than stored: name, type, and the columns they need.
struct DerivedField {
  std::string_view name;
  VType type;
  std::vector<std::string_view> needs;
};
const std::vector<DerivedField>& DerivedFields();

// The functions of the language, for suggestions and documentation.
const std::vector<std::string_view>& FunctionNames();

struct CheckedSegment {
  absl::flat_hash_map<const SegmentNode*, VType> types;
  VType TypeOf(const SegmentNode& n) const { return types.at(&n); }
};

// Errors show `source` (the parsed text, when known) with a caret under the position.
absl::StatusOr<CheckedSegment> Check(const SegmentNode& root, const SegmentSchema& schema,
                                     const std::string* source = nullptr);
inline absl::StatusOr<CheckedSegment> Check(const SegmentExpr& expr, const SegmentSchema& schema) {
  return Check(expr.node(), schema, expr.source());
}

}  // namespace rapport::internal

#endif  // RAPPORT_ANALYTICS_SEGMENT_CHECK_H_
