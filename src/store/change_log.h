// Appending to and reading the change log (table `changes`).
#ifndef RAPPORT_STORE_CHANGE_LOG_H_
#define RAPPORT_STORE_CHANGE_LOG_H_

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "rapport/change.h"
#include "rapport/types.h"
#include "store/sqlite.h"

namespace rapport::internal {

// A change about to be logged. `before`/`after` are JSON objects of the changed fields, or null.
struct ChangeEntry {
  std::string_view entity;
  int64_t entity_id = 0;
  int64_t customer_id = 0;  // the customer concerned; 0 for none
  std::string_view op;
  std::vector<std::string> fields;
  nlohmann::json before;
  nlohmann::json after;
};

// Serialises JSON without ever throwing: invalid UTF-8 (which validation keeps out) is replaced.
std::string DumpJson(const nlohmann::json& json);

// Appends `entry` as made by `actor` at `at`; returns its sequence number. Call inside the
// mutation's transaction.
absl::StatusOr<int64_t> AppendChange(Connection& conn, absl::Time at, const Actor& actor, const ChangeEntry& entry);

absl::StatusOr<std::vector<Change>> ReadChanges(Connection& conn, const ChangeQuery& query);
absl::StatusOr<int64_t> LastChangeSeq(Connection& conn);

// Clears before/after of every logged change concerning `customer_id`; used by purges.
absl::Status RedactCustomerChanges(Connection& conn, int64_t customer_id);

}  // namespace rapport::internal

#endif  // RAPPORT_STORE_CHANGE_LOG_H_
