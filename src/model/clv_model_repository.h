// Stored CLV models (table clv_models) and the customer scores they gave (customer_scores).
#ifndef RAPPORT_MODEL_CLV_MODEL_REPOSITORY_H_
#define RAPPORT_MODEL_CLV_MODEL_REPOSITORY_H_

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "model/customer_repository.h"
#include "rapport/clv_store.h"
#include "store/sqlite.h"

namespace rapport::internal {

// NotFound "CLV model \"<name>\": not found".
absl::StatusOr<ClvModelSpec> LoadClvModel(Connection& conn, std::string_view name);
// Every stored model, by name.
absl::StatusOr<std::vector<ClvModelSpec>> LoadClvModels(Connection& conn);

// Stores a validated spec as a new model (AlreadyExists when the name is taken; applied_at is not
// carried over) and logs one change (entity "clv_model", op "create"). Returns it as stored.
absl::StatusOr<ClvModelSpec> InsertClvModel(const WriteContext& ctx, const ClvModelSpec& spec);
// Deletes the model and, by cascade, the scores it gave. Logs "clv_scores"/"delete" when the model
// was ever applied (frames holding scores re-read them), then "clv_model"/"delete".
absl::Status DeleteClvModel(const WriteContext& ctx, std::string_view name);

// True when a customer was purged after change `seq`.
absl::StatusOr<bool> CustomersPurgedSince(Connection& conn, int64_t seq);
// Replaces every row of customer_scores by `scores`, sets the model's applied_at and logs one change:
// entity "clv_scores", op "apply", entity_id the model, after {"model", "as_of", "customers"}. With
// `skip_missing_customers` (customers were purged since the scores were read) rows of customers no
// longer there are left out. Returns the rows written.
absl::StatusOr<int64_t> ReplaceClvScores(const WriteContext& ctx, const ClvModelSpec& model,
                                         const ClvScoreTable& scores, absl::Time as_of, bool skip_missing_customers);
// The rows of customer_scores by ascending customer (NULL as NaN).
absl::StatusOr<ClvScoreTable> LoadClvScores(Connection& conn);

}  // namespace rapport::internal

#endif  // RAPPORT_MODEL_CLV_MODEL_REPOSITORY_H_
