// The outbox in the store: messages written by rules (and reminders) for the host to deliver.
#ifndef RAPPORT_RULES_OUTBOX_STORE_H_
#define RAPPORT_RULES_OUTBOX_STORE_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "model/customer_repository.h"
#include "rapport/rule.h"
#include "store/sqlite.h"

namespace rapport::internal {

// Appends a pending message (and its change entry, entity "outbox", op "create"); returns its id.
absl::StatusOr<int64_t> InsertOutbox(const WriteContext& ctx, const OutboxMessage& message);
absl::StatusOr<std::vector<OutboxMessage>> QueryOutbox(Connection& conn, const OutboxQuery& query);
// Pending messages, oldest first, become claimed (one change entry, op "claim").
absl::StatusOr<std::vector<OutboxMessage>> ClaimOutbox(const WriteContext& ctx, int limit);
// Claimed messages become delivered. Every id must be a claimed message, or nothing changes.
absl::Status AckOutbox(const WriteContext& ctx, const std::vector<int64_t>& ids);
// A claimed message goes back to pending (retry) or becomes failed, keeping `error`.
absl::Status FailOutbox(const WriteContext& ctx, int64_t id, std::string_view error, bool retry);

}  // namespace rapport::internal

#endif  // RAPPORT_RULES_OUTBOX_STORE_H_
