// Lifecycle models and the stage history in the store (schema v4, src/store/schema_v4_lifecycle.sql).
#ifndef RAPPORT_MODEL_LIFECYCLE_REPOSITORY_H_
#define RAPPORT_MODEL_LIFECYCLE_REPOSITORY_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "model/customer_repository.h"
#include "rapport/lifecycle.h"
#include "store/sqlite.h"

namespace rapport::internal {

// Every model, highest precedence first (then by name).
absl::StatusOr<std::vector<LifecycleModel>> LoadLifecycleModels(Connection& conn);
absl::StatusOr<LifecycleModel> LoadLifecycleModel(Connection& conn, std::string_view name);  // NotFound
absl::StatusOr<bool> AnyLifecycleModel(Connection& conn);

// Creates or replaces the model (keeping created_at) and logs a "lifecycle_model" create/update entry.
absl::StatusOr<LifecycleModel> StoreLifecycleModel(const WriteContext& ctx, const LifecycleModel& model);
// Deletes the model and logs a "lifecycle_model" delete entry. Customers keep their stage text and
// their history.
absl::Status DeleteLifecycleModel(const WriteContext& ctx, std::string_view name);

// Sets customers.lifecycle_stage, appends the history row and logs the one "lifecycle"/"move" entry.
absl::Status RecordStageMove(const WriteContext& ctx, const StageMove& move);

// The newest move's time (InfinitePast when there is none).
absl::StatusOr<absl::Time> LastStageMoveAt(Connection& conn);

// A customer's moves, oldest first.
absl::StatusOr<std::vector<StageMove>> LoadStageHistory(Connection& conn, int64_t customer);

// The stage of every customer with a move at or before `t` (not deleted by then), by ascending id.
absl::StatusOr<std::vector<CustomerStage>> LoadStagesAsOf(Connection& conn, absl::Time t);

// Every move before `end`, by (at, id): for distributions.
absl::StatusOr<std::vector<StageMove>> LoadMovesBefore(Connection& conn, absl::Time end);

}  // namespace rapport::internal

#endif  // RAPPORT_MODEL_LIFECYCLE_REPOSITORY_H_
