// Reads the store into analytics frames, one pass per table.
#ifndef RAPPORT_MODEL_FRAME_LOADER_H_
#define RAPPORT_MODEL_FRAME_LOADER_H_

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "analytics/frame_update.h"
#include "model/field_schema.h"
#include "rapport/frame.h"
#include "rapport/segment.h"
#include "store/sqlite.h"

namespace rapport {
struct FrameOptions;
}

namespace rapport::internal {

// The orders that count: statuses and the currency (resolved when the options leave it empty).
struct OrderScope {
  std::vector<std::string> statuses;
  std::string currency;  // empty: there are no orders
  int digits = 2;
};
absl::StatusOr<OrderScope> ResolveOrderScope(Connection& conn, const FrameOptions& options);

// Live customers (not deleted), ascending id, with core fields, custom fields, tags and order metrics,
// and the CLV scores when `clv_scores`; only those in `only` when given.
absl::StatusOr<CustomerFrame> LoadCustomerFrame(Connection& conn, const FieldSchema& schema, const OrderScope& scope,
                                                const std::vector<int64_t>* only = nullptr, bool clv_scores = false);

// Sets the CLV score columns (kClvScoreColumns) of `f`'s customers from customer_scores, adding them
// or replacing those `f` has; NaN for customers without scores, no arrays when nobody has any. One
// pass over the table (a model's apply rewrites every row, so there is nothing smaller to re-read).
absl::Status SetClvScoreColumns(Connection& conn, CustomerFrame& f);

// What an incremental refresh re-reads (ids ascending): the records (core and custom fields, and
// whether the customer still exists), the tags, the order metrics.
struct FrameRereads {
  std::vector<int64_t> records;
  std::vector<int64_t> tags;
  std::vector<int64_t> orders;
  // Set when the frame has the CLV score columns: the customers new to it (ascending), whose scores
  // are read (the others' change only with a model's apply, which re-reads the columns whole).
  std::optional<std::vector<int64_t>> clv_scores;
};

// Those parts, as UpdateRows takes them: parts[0] the live ones among `records` with their record
// columns, parts[1] "tags" for `tags`, parts[2] the order metrics for `orders`, and with
// `clv_scores` parts[3] the scores of those customers. A customer new to the frame must be in every
// list.
absl::StatusOr<FramePatch> LoadFramePatch(Connection& conn, const FieldSchema& schema, const OrderScope& scope,
                                          const FrameRereads& rereads);

// The orders that count, ordered by (customer, time), amounts in major units.
absl::StatusOr<OrderFrame> LoadOrderFrame(Connection& conn, const OrderScope& scope);

// How segment fields map to the store's columns, for CompileSegmentToSql.
SqlSchema MakeSqlSchema(const FieldSchema& schema, const OrderScope& scope);

}  // namespace rapport::internal

#endif  // RAPPORT_MODEL_FRAME_LOADER_H_
