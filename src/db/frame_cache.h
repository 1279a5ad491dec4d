// The database's customer frame, kept current from the change feed for segments.
#ifndef RAPPORT_DB_FRAME_CACHE_H_
#define RAPPORT_DB_FRAME_CACHE_H_

#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "absl/status/status.h"
#include "model/frame_loader.h"
#include "rapport/database.h"

namespace rapport::internal {

class Core;

class FrameCache {
 public:
  // Brings the frame up to date (loading it the first time, or when the order options differ, or
  // when too much changed; otherwise re-reading only the changed customers) and runs fn on it. With
  // parts.clv_scores the frame has the CLV score columns (from then on).
  absl::Status Use(const Core& core, const FrameOptions& options, const CustomerFrameParts& parts,
                   const std::function<absl::Status(const CustomerFrame&, const OrderScope&)>& fn);
  absl::Status Use(const Core& core, const FrameOptions& options,
                   const std::function<absl::Status(const CustomerFrame&, const OrderScope&)>& fn) {
    return Use(core, options, {}, fn);
  }

  // What the last Use did, for tests and benchmarks.
  struct Stats {
    int full_loads = 0;
    int incremental = 0;
    size_t last_customers_reread = 0;
    int clv_score_reads = 0;  // the score columns read whole: added to the frame, or after a model's apply
  };
  Stats stats() const;

 private:
  // Brings the frame up to date, reading `conn` (in a read transaction).
  absl::Status Refresh(Connection& conn, const FieldSchema& schema, const FrameOptions& options,
                       const CustomerFrameParts& parts);

  mutable std::mutex mu_;
  // The cache's own reader, not memory-mapped (nullptr for memory databases, read through Core): a
  // refresh reads a few thousand scattered pages right after writes, and SQLite unmaps a mapped
  // reader's pages whenever the database changed, so faulting them in and unmapping them again
  // costs more than reading them.
  std::unique_ptr<Connection> conn_;
  bool conn_opened_ = false;
  std::optional<CustomerFrame> frame_;
  std::optional<FrameOptions> options_;
  // Whether the frame has the CLV score columns: from the first expression that reads a score on,
  // kept (and refreshed) so that later ones do not read them again.
  bool clv_scores_ = false;
  OrderScope scope_;
  int64_t seq_ = 0;
  Stats stats_;
};

}  // namespace rapport::internal

#endif  // RAPPORT_DB_FRAME_CACHE_H_
