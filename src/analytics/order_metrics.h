// The per-customer order metrics of a CustomerFrame (AddOrderMetrics in rapport/frame.h).
#ifndef RAPPORT_ANALYTICS_ORDER_METRICS_H_
#define RAPPORT_ANALYTICS_ORDER_METRICS_H_

#include <string_view>
#include <utility>
#include <vector>

#include "rapport/frame.h"

namespace rapport::internal {

// The columns AddOrderMetrics writes, with their types, in the order it adds them.
const std::vector<std::pair<std::string_view, ColumnType>>& OrderMetricColumns();

bool IsOrderMetric(std::string_view name);

}  // namespace rapport::internal

#endif  // RAPPORT_ANALYTICS_ORDER_METRICS_H_
