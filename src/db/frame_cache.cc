#include "db/frame_cache.h"

#include <algorithm>
#include <iterator>

#include "analytics/frame_update.h"
#include "base/status_macros.h"
#include "db/core.h"
#include "db/facade_util.h"
#include "model/frame_changes.h"
#include "store/change_log.h"

namespace rapport::internal {
namespace {

bool SameOptions(const FrameOptions& a, const FrameOptions& b) {
  return a.order_statuses == b.order_statuses && a.currency == b.currency;
}

// What to re-read: only the changed parts of customers the frame has, every part of the others
// (they may be new to it), their scores included when the frame has scores.
FrameRereads Rereads(const CustomerFrame& frame, FrameChanges changes, bool clv_scores) {
  FrameRereads r{std::move(changes.records), std::move(changes.tags), std::move(changes.orders)};
  std::vector<int64_t> added;
  for (int64_t id : r.records)
    if (frame.RowOf(id) < 0) added.push_back(id);
  if (clv_scores) r.clv_scores = added;
  if (added.empty()) return r;
  auto merge = [&](std::vector<int64_t>& ids) {
    std::vector<int64_t> out;
    std::set_union(ids.begin(), ids.end(), added.begin(), added.end(), std::back_inserter(out));
    ids = std::move(out);
  };
  merge(r.tags);
  merge(r.orders);
  return r;
}

}  // namespace

absl::Status FrameCache::Use(const Core& core, const FrameOptions& options, const CustomerFrameParts& parts,
                             const std::function<absl::Status(const CustomerFrame&, const OrderScope&)>& fn) {
  if (core.WritingOnThisThread()) {
    // Inside a transaction the data may still be rolled back: use a private frame, keep the cache.
    return Query(core, [&](Connection& conn, const FieldSchema& schema) -> absl::Status {
      ASSIGN_OR_RETURN(OrderScope scope, ResolveOrderScope(conn, options));
      ASSIGN_OR_RETURN(CustomerFrame frame, LoadCustomerFrame(conn, schema, scope, nullptr, parts.clv_scores));
      return fn(frame, scope);
    });
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!conn_opened_) {
    ASSIGN_OR_RETURN(conn_, core.OpenReader(/*memory_mapped=*/false));
    conn_opened_ = true;
  }
  auto run = [&](Connection& conn, const FieldSchema& schema) -> absl::Status {
    RETURN_IF_ERROR(Refresh(conn, schema, options, parts));
    return fn(*frame_, scope_);
  };
  if (!conn_) return Query(core, run);
  const std::shared_ptr<const FieldSchema> schema = core.schema();
  RETURN_IF_ERROR(conn_->Exec("BEGIN"));
  absl::Status status = run(*conn_, *schema);
  conn_->Exec("COMMIT").IgnoreError();
  return status;
}

absl::Status FrameCache::Refresh(Connection& conn, const FieldSchema& schema, const FrameOptions& options,
                                 const CustomerFrameParts& parts) {
  bool reload = !frame_ || !options_ || !SameOptions(*options_, options);
  if (!reload) {
    // A tenth of the frame re-read costs about as much as loading it whole.
    size_t limit = std::max<size_t>(1000, frame_->rows() / 10);
    ASSIGN_OR_RETURN(FrameChanges changes, CustomersChangedSince(conn, seq_, limit, scope_.currency));
    const int64_t last_seq = changes.last_seq;
    const bool rescore = changes.clv_scores && clv_scores_;
    reload = changes.reload;
    if (!reload && !changes.empty()) {
      FrameRereads rereads = Rereads(*frame_, std::move(changes), clv_scores_);
      ASSIGN_OR_RETURN(FramePatch patch, LoadFramePatch(conn, schema, scope_, rereads));
      reload = !UpdateRows(*frame_, patch);
      if (!reload) {
        ++stats_.incremental;
        std::vector<int64_t> all;
        std::set_union(rereads.records.begin(), rereads.records.end(), rereads.orders.begin(), rereads.orders.end(),
                       std::back_inserter(all));
        stats_.last_customers_reread = all.size();
      }
    }
    if (!reload && rescore) {
      RETURN_IF_ERROR(SetClvScoreColumns(conn, *frame_));
      ++stats_.clv_score_reads;
    }
    seq_ = last_seq;
  }
  if (reload) {
    frame_.reset();
    ASSIGN_OR_RETURN(OrderScope scope, ResolveOrderScope(conn, options));
    ASSIGN_OR_RETURN(int64_t last_seq, LastChangeSeq(conn));
    clv_scores_ = clv_scores_ || parts.clv_scores;
    ASSIGN_OR_RETURN(CustomerFrame loaded, LoadCustomerFrame(conn, schema, scope, nullptr, clv_scores_));
    frame_ = std::move(loaded);
    scope_ = std::move(scope);
    options_ = options;
    seq_ = last_seq;
    ++stats_.full_loads;
  } else if (parts.clv_scores && !clv_scores_) {
    // The first expression that reads a score: add the columns to the current frame (same snapshot).
    RETURN_IF_ERROR(SetClvScoreColumns(conn, *frame_));
    clv_scores_ = true;
    ++stats_.clv_score_reads;
  }
  return absl::OkStatus();
}

FrameCache::Stats FrameCache::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace rapport::internal
