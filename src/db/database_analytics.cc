// Database: frames for the analytics engine, and segments.
#include "base/status_macros.h"
#include "db/facade_util.h"
#include "model/frame_loader.h"
#include "model/segment_repository.h"
#include "rapport/database.h"

namespace rapport {

using internal::Connection;
using internal::FieldSchema;

namespace {

// "Now" and the saved segments the expression refers to.
absl::StatusOr<SegmentContext> ContextFor(const Database& db, const SegmentExpr& expr, const SegmentOptions& options) {
  SegmentContext ctx;
  ctx.as_of = absl::ToUnixMicros(options.as_of.value_or(db.Now()));
  ASSIGN_OR_RETURN(auto members, internal::Query(db.core(), [&](Connection& conn, const FieldSchema&) {
    return internal::ReferencedMembers(conn, expr.SegmentsReferenced());
  }));
  ctx.segment_members = internal::Lookup(std::move(members));
  return ctx;
}

}  // namespace

absl::StatusOr<CustomerFrame> Database::LoadCustomerFrame(const FrameOptions& options,
                                                          const CustomerFrameParts& parts) const {
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema& schema) -> absl::StatusOr<CustomerFrame> {
    ASSIGN_OR_RETURN(internal::OrderScope scope, internal::ResolveOrderScope(conn, options));
    return internal::LoadCustomerFrame(conn, schema, scope, nullptr, parts.clv_scores);
  });
}

absl::StatusOr<OrderFrame> Database::LoadOrderFrame(const FrameOptions& options) const {
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema&) -> absl::StatusOr<OrderFrame> {
    ASSIGN_OR_RETURN(internal::OrderScope scope, internal::ResolveOrderScope(conn, options));
    return internal::LoadOrderFrame(conn, scope);
  });
}

absl::StatusOr<std::vector<CustomerId>> Database::Segment(const SegmentExpr& expr, const SegmentOptions& options) const {
  ASSIGN_OR_RETURN(SegmentContext ctx, ContextFor(*this, expr, options));
  const CustomerFrameParts parts{.clv_scores = ReadsClvScores(expr)};
  std::vector<CustomerId> out;
  RETURN_IF_ERROR(core_->frame_cache().Use(*core_, options.frame, parts, [&](const CustomerFrame& frame, const internal::OrderScope&) {
    ASSIGN_OR_RETURN(std::vector<int64_t> ids, EvaluateSegment(expr, frame, ctx));
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
  ASSIGN_OR_RETURN(SegmentContext ctx, ContextFor(*this, expr, options));
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema& schema) -> absl::StatusOr<SqlQuery> {
    ASSIGN_OR_RETURN(internal::OrderScope scope, internal::ResolveOrderScope(conn, options.frame));
    return CompileSegmentToSql(expr, internal::MakeSqlSchema(schema, scope), ctx);
  });
}

}  // namespace rapport
