// Database: frames for the analytics engine, and segments.
#include "base/status_macros.h"
#include "db/facade_util.h"
#include "model/frame_loader.h"
#include "rapport/database.h"

namespace rapport {

using internal::Connection;
using internal::FieldSchema;

namespace {

SegmentContext ContextFor(const Database& db, const SegmentOptions& options) {
  SegmentContext ctx;
  ctx.as_of = absl::ToUnixMicros(options.as_of.value_or(db.Now()));
  return ctx;
}

}  // namespace

absl::StatusOr<CustomerFrame> Database::LoadCustomerFrame(const FrameOptions& options) const {
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema& schema) -> absl::StatusOr<CustomerFrame> {
    ASSIGN_OR_RETURN(internal::OrderScope scope, internal::ResolveOrderScope(conn, options));
    return internal::LoadCustomerFrame(conn, schema, scope);
  });
}

absl::StatusOr<OrderFrame> Database::LoadOrderFrame(const FrameOptions& options) const {
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema&) -> absl::StatusOr<OrderFrame> {
    ASSIGN_OR_RETURN(internal::OrderScope scope, internal::ResolveOrderScope(conn, options));
    return internal::LoadOrderFrame(conn, scope);
  });
}

absl::StatusOr<std::vector<CustomerId>> Database::Segment(const SegmentExpr& expr, const SegmentOptions& options) const {
  std::vector<CustomerId> out;
  RETURN_IF_ERROR(core_->frame_cache().Use(*core_, options.frame, [&](const CustomerFrame& frame, const internal::OrderScope&) {
    ASSIGN_OR_RETURN(std::vector<int64_t> ids, EvaluateSegment(expr, frame, ContextFor(*this, options)));
    out.reserve(ids.size());
    for (int64_t id : ids) out.push_back(CustomerId{id});
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<CustomerId>> Database::Segment(std::string_view expr, const SegmentOptions& options) const {
  ASSIGN_OR_RETURN(SegmentExpr parsed, SegmentExpr::Parse(expr));
  return Segment(parsed, options);
}

absl::StatusOr<SqlQuery> Database::SegmentSql(const SegmentExpr& expr, const SegmentOptions& options) const {
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema& schema) -> absl::StatusOr<SqlQuery> {
    ASSIGN_OR_RETURN(internal::OrderScope scope, internal::ResolveOrderScope(conn, options.frame));
    return CompileSegmentToSql(expr, internal::MakeSqlSchema(schema, scope), ContextFor(*this, options));
  });
}

}  // namespace rapport
