// The database's customer frame, kept current from the change feed for segments.
#ifndef RAPPORT_DB_FRAME_CACHE_H_
#define RAPPORT_DB_FRAME_CACHE_H_

#include <functional>
#include <mutex>
#include <optional>

#include "absl/status/status.h"
#include "model/frame_loader.h"
#include "rapport/database.h"

namespace rapport::internal {

class Core;

class FrameCache {
 public:
  // Brings the frame up to date (loading it the first time, or when the options differ, or when
  // too much changed; otherwise re-reading only the changed customers) and runs fn on it.
  absl::Status Use(const Core& core, const FrameOptions& options,
                   const std::function<absl::Status(const CustomerFrame&, const OrderScope&)>& fn);

  // What the last Use did, for tests and benchmarks.
  struct Stats {
    int full_loads = 0;
    int incremental = 0;
    size_t last_customers_reread = 0;
  };
  Stats stats() const;

 private:
  mutable std::mutex mu_;
  std::optional<CustomerFrame> frame_;
  std::optional<FrameOptions> options_;
  OrderScope scope_;
  int64_t seq_ = 0;
  Stats stats_;
};

}  // namespace rapport::internal

#endif  // RAPPORT_DB_FRAME_CACHE_H_
