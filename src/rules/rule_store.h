// Rules, their ledger, ticks, settings and the engine's cursor in the store. Every write logs its change;
// callers provide the transaction.
#ifndef RAPPORT_RULES_RULE_STORE_H_
#define RAPPORT_RULES_RULE_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "model/customer_repository.h"
#include "rapport/rule.h"
#include "store/sqlite.h"

namespace rapport::internal {

// A rule with the engine's bookkeeping (see schema_v4_rules.sql).
struct StoredRule {
  Rule rule;
  int64_t since_seq = 0;
  int64_t watermark = 0;  // µs
};

absl::StatusOr<StoredRule> LoadRule(Connection& conn, std::string_view name);  // NotFound
absl::StatusOr<std::vector<StoredRule>> LoadRules(Connection& conn);           // by name
// Inserts or replaces the definition (already validated). A new rule's events start after this save
// and its time triggers after `watermark`; a replaced rule keeps its history, cursor and watermark.
absl::StatusOr<StoredRule> StoreRule(const WriteContext& ctx, const RuleDef& def, int64_t watermark);
absl::Status DeleteRule(const WriteContext& ctx, std::string_view name);
// Enabling a disabled rule moves its event start and watermark to now: it does not catch up.
absl::Status SetRuleEnabled(const WriteContext& ctx, std::string_view name, bool enabled, int64_t watermark);
absl::Status SetWatermark(Connection& conn, int64_t rule_id, int64_t watermark);

absl::StatusOr<std::optional<std::string>> GetSetting(Connection& conn, std::string_view key);
absl::Status PutSetting(const WriteContext& ctx, std::string_view key, std::string_view value);

absl::StatusOr<std::optional<int64_t>> LastTickNow(Connection& conn);
absl::StatusOr<int64_t> RuleCursor(Connection& conn);
absl::Status SetRuleCursor(Connection& conn, int64_t seq);

// The ledger.
struct FiringRow {
  int64_t id = 0;
  int64_t rule_id = 0;
  int64_t customer = 0;
  int64_t occurrence = 0;
  std::string trigger;
  RuleOutcomeStatus status = RuleOutcomeStatus::kFired;
  int attempts = 0;
  std::string error;
  int64_t first_at = 0;
  int64_t last_at = 0;
  std::optional<int64_t> next_retry_at;
};
absl::StatusOr<bool> FiringExists(Connection& conn, int64_t rule_id, int64_t customer, int64_t occurrence);
// Whether the rule fired for the customer at a tick now after `since` (µs).
absl::StatusOr<bool> FiredSince(Connection& conn, int64_t rule_id, int64_t customer, int64_t since);
// Inserts (id 0) or updates the row; returns its id.
absl::StatusOr<int64_t> WriteFiring(Connection& conn, const FiringRow& row, int64_t run_id);
// Firings waiting for a retry due at or before `now`, by rule, customer, occurrence.
absl::StatusOr<std::vector<FiringRow>> DueRetries(Connection& conn, int64_t now);
absl::StatusOr<std::vector<RuleOutcome>> QueryOutcomes(Connection& conn, const RuleOutcomeQuery& query);

absl::StatusOr<int64_t> InsertRun(Connection& conn, int64_t now);
absl::Status FinishRun(Connection& conn, int64_t run_id, const TickReport& report);
absl::StatusOr<std::vector<RuleRun>> QueryRuns(Connection& conn, int limit);

}  // namespace rapport::internal

#endif  // RAPPORT_RULES_RULE_STORE_H_
