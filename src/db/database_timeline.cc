// Database: orders, activities, timeline.
#include "db/facade_util.h"
#include "model/timeline_repository.h"
#include "rapport/database.h"

namespace rapport {

using internal::Connection;
using internal::FieldSchema;
using internal::WriteContext;

absl::StatusOr<Order> Database::AddOrder(const OrderDraft& draft) {
  return internal::Mutate(*core_, actor_, [&](const WriteContext& ctx) { return internal::InsertOrder(ctx, draft); });
}

absl::StatusOr<Order> Database::GetOrder(OrderId id) const {
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema&) { return internal::LoadOrder(conn, id); });
}

absl::StatusOr<Activity> Database::AddActivity(const ActivityDraft& draft) {
  return internal::Mutate(*core_, actor_, [&](const WriteContext& ctx) { return internal::InsertActivity(ctx, draft); });
}

absl::StatusOr<std::vector<TimelineItem>> Database::Timeline(CustomerId id, const TimelineQuery& query) const {
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema&) { return internal::LoadTimeline(conn, id, query); });
}

}  // namespace rapport
