// Which customers' frame rows the change feed says are stale, and which parts of them.
#ifndef RAPPORT_MODEL_FRAME_CHANGES_H_
#define RAPPORT_MODEL_FRAME_CHANGES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "store/sqlite.h"

namespace rapport::internal {

// Ids are ascending and distinct in each list.
struct FrameChanges {
  int64_t last_seq = 0;          // the last change read
  bool reload = false;           // the columns changed, or too much changed: load afresh
  std::vector<int64_t> records;  // record changed (fields, updated_at), or created, deleted, restored, purged
  std::vector<int64_t> tags;     // tags may have changed
  std::vector<int64_t> orders;   // orders changed (their metrics)
  bool clv_scores = false;       // a CLV model was applied (or deleted): the scores of everyone changed

  // No customer's record, tags or orders changed (the scores may have).
  bool empty() const { return records.empty() && tags.empty() && orders.empty(); }
};

// Reads the change feed after `after_seq`. More than `max_customers` affected customers, a custom
// field definition change, or an order in a currency other than `currency` (also the first order,
// when `currency` is empty) asks for a reload.
absl::StatusOr<FrameChanges> CustomersChangedSince(Connection& conn, int64_t after_seq, size_t max_customers,
                                                   const std::string& currency);

}  // namespace rapport::internal

#endif  // RAPPORT_MODEL_FRAME_CHANGES_H_
