// Orders and activities in the store, and the merged customer timeline.
#ifndef RAPPORT_MODEL_TIMELINE_REPOSITORY_H_
#define RAPPORT_MODEL_TIMELINE_REPOSITORY_H_

#include <vector>

#include "absl/status/statusor.h"
#include "model/customer_repository.h"
#include "rapport/timeline.h"

namespace rapport::internal {

absl::StatusOr<Order> InsertOrder(const WriteContext& ctx, const OrderDraft& draft);
absl::StatusOr<Order> LoadOrder(Connection& conn, OrderId id);
absl::StatusOr<Activity> InsertActivity(const WriteContext& ctx, const ActivityDraft& draft);
absl::StatusOr<std::vector<TimelineItem>> LoadTimeline(Connection& conn, CustomerId id, const TimelineQuery& query);

}  // namespace rapport::internal

#endif  // RAPPORT_MODEL_TIMELINE_REPOSITORY_H_
