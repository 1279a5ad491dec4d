// Lifecycle evaluation over the store: which model governs a customer, which conditions hold, the
// moves that follow, and the after-commit hook that re-evaluates the customers a transaction touched.
#ifndef RAPPORT_DB_LIFECYCLE_ENGINE_H_
#define RAPPORT_DB_LIFECYCLE_ENGINE_H_

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "db/core.h"
#include "model/customer_repository.h"
#include "model/frame_loader.h"
#include "rapport/lifecycle.h"

namespace rapport::internal {

// Checks conditions against the field schema and saved segments, and the attachment against the
// other stored models (precedence) and saved segments. `others` are the stored models.
absl::Status CheckModelAgainstStore(Connection& conn, const FieldSchema& schema, const LifecycleModel& model,
                                    const std::vector<LifecycleModel>& others);

// The index in `models` (highest precedence first) of the model governing `customer`, or -1.
absl::StatusOr<int> GoverningModel(Connection& conn, const std::vector<LifecycleModel>& models, int64_t customer);

struct LifecycleEvaluation {
  int64_t evaluated = 0;
  std::vector<StageMove> moves;
  std::vector<StageCount> counts;  // when asked
};

// Evaluates the customers in `only` (ascending; null: every live customer) as of `as_of` against
// `models` and records the moves (source auto, at `as_of`) through `ctx`. `causes` holds what caused
// the evaluation per customer (EvaluationCause bits).
absl::StatusOr<LifecycleEvaluation> EvaluateCustomers(const WriteContext& ctx, const std::vector<LifecycleModel>& models,
                                                      const OrderScope& scope, const std::vector<int64_t>* only,
                                                      const absl::flat_hash_map<int64_t, uint8_t>& causes,
                                                      absl::Time as_of, bool count_stages);

// Registers the after-commit hook that re-evaluates touched customers (idempotent). Installed when a
// database with a model opens and when a model is saved; removed when the last model is dropped.
void InstallLifecycleHook(Core& core);
void RemoveLifecycleHook(Core& core);

// FailedPrecondition when a model governs the customer and `stage` differs from its current one: the
// stage of a governed customer changes only by moves (MoveCustomerStage).
absl::Status CheckStageEdit(Connection& conn, int64_t customer, const std::optional<std::string>& stage);

}  // namespace rapport::internal

#endif  // RAPPORT_DB_LIFECYCLE_ENGINE_H_
