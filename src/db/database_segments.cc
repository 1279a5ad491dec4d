// Database: saved segments (definitions, refresh, lists, membership history).
#include <map>
#include <set>

#include "base/money.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "base/text.h"
#include "base/time_format.h"
#include "db/facade_util.h"
#include "model/frame_loader.h"
#include "model/segment_repository.h"
#include "rapport/database.h"

namespace rapport {

using internal::Connection;
using internal::FieldSchema;
using internal::WriteContext;

namespace {

constexpr size_t kMaxNameChars = 100;

absl::Status CheckName(std::string_view name) {
  RETURN_IF_ERROR(internal::CheckUtf8("name", name));
  if (StripWhitespace(name).empty()) return absl::InvalidArgumentError("name: must not be empty");
  if (internal::CodePointCount(name) > kMaxNameChars) {
    return absl::InvalidArgumentError(StrCat("name: longer than ", kMaxNameChars, " characters"));
  }
  return absl::OkStatus();
}

// The saved segments each dynamic segment refers to, by name.
absl::StatusOr<std::map<std::string, std::vector<std::string>>> References(Connection& conn) {
  ASSIGN_OR_RETURN(std::vector<SavedSegment> all, internal::LoadSegments(conn));
  std::map<std::string, std::vector<std::string>> refs;
  for (const SavedSegment& s : all) {
    refs[s.name];
    if (s.kind != SegmentKind::kDynamic) continue;
    auto e = SegmentExpr::Parse(s.expression);
    if (e.ok()) refs[s.name] = e->SegmentsReferenced();
  }
  return refs;
}

// A path from `from` back to `target` through references, if there is one.
bool FindCycle(const std::map<std::string, std::vector<std::string>>& refs, const std::string& from,
               const std::string& target, std::vector<std::string>& path, std::set<std::string>& seen) {
  path.push_back(from);
  if (from == target && path.size() > 1) return true;
  if (seen.insert(from).second) {
    auto it = refs.find(from);
    if (it != refs.end()) {
      for (const std::string& next : it->second)
        if (FindCycle(refs, next, target, path, seen)) return true;
    }
  }
  path.pop_back();
  return false;
}

std::vector<CustomerId> ToCustomerIds(const std::vector<int64_t>& ids) {
  std::vector<CustomerId> out;
  out.reserve(ids.size());
  for (int64_t id : ids) out.push_back(CustomerId{id});
  return out;
}

// Checked when saved, so that a refresh (perhaps by automation, long after) does not fail on them.
absl::Status CheckFrameOptions(const SegmentDef& def) {
  const FrameOptions& f = def.frame;
  if (def.kind != SegmentKind::kDynamic) {
    if (f == FrameOptions{}) return absl::OkStatus();
    return absl::InvalidArgumentError(StrCat("frame: only dynamic segments count orders (\"", def.name, "\" is ",
                                             ToString(def.kind), ")"));
  }
  if (f.order_statuses.empty()) return absl::InvalidArgumentError("frame.order_statuses: must name at least one status");
  for (const std::string& status : f.order_statuses) {
    RETURN_IF_ERROR(internal::CheckUtf8("frame.order_statuses", status));
    if (status.empty()) return absl::InvalidArgumentError("frame.order_statuses: a status must not be empty");
  }
  if (!f.currency.empty()) RETURN_IF_ERROR(internal::CurrencyDigits("frame.currency", f.currency).status());
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SavedSegment> Database::SaveSegment(const SegmentDef& def) {
  RETURN_IF_ERROR(CheckName(def.name));
  RETURN_IF_ERROR(internal::CheckUtf8("description", def.description));
  SegmentDef stored = def;
  std::optional<SegmentExpr> expr;
  RETURN_IF_ERROR(CheckFrameOptions(def));
  if (def.kind == SegmentKind::kDynamic) {
    auto parsed = SegmentExpr::Parse(def.expression);
    if (!parsed.ok()) return absl::InvalidArgumentError(StrCat("expression: ", parsed.status().message()));
    expr = *parsed;
    stored.expression = expr->ToText();
  } else if (!def.expression.empty()) {
    return absl::InvalidArgumentError(StrCat("expression: only dynamic segments have one (\"", def.name, "\" is ",
                                             ToString(def.kind), ")"));
  }
  return internal::Mutate(*core_, actor_, [&](const WriteContext& ctx) -> absl::StatusOr<SavedSegment> {
    if (expr) {
      internal::OrderScope no_orders;
      absl::Status checked = CheckSegment(*expr, internal::MakeSqlSchema(ctx.schema, no_orders).fields);
      if (!checked.ok()) return absl::InvalidArgumentError(StrCat("expression: ", checked.message()));
      ASSIGN_OR_RETURN(auto refs, References(ctx.conn));
      for (const std::string& name : expr->SegmentsReferenced()) {
        if (name != def.name && !refs.count(name)) {
          return absl::NotFoundError(StrCat("expression: in_segment: no saved segment named \"", name, "\""));
        }
      }
      refs[def.name] = expr->SegmentsReferenced();
      std::vector<std::string> path;
      std::set<std::string> seen;
      if (FindCycle(refs, def.name, def.name, path, seen)) {
        std::string chain;
        for (const std::string& p : path) chain += StrCat(chain.empty() ? "" : " -> ", p);
        return absl::InvalidArgumentError(StrCat("expression: segments must not refer to themselves (", chain, ")"));
      }
    }
    return internal::StoreSegment(ctx, stored);
  });
}

absl::Status Database::DropSegment(std::string_view name) {
  return internal::Mutate(*core_, actor_, [&](const WriteContext& ctx) -> absl::Status {
    ASSIGN_OR_RETURN(auto refs, References(ctx.conn));
    if (!refs.count(std::string(name))) return absl::NotFoundError(StrCat("segment \"", name, "\": not found"));
    for (const auto& [user, used] : refs) {
      if (user != name && std::find(used.begin(), used.end(), name) != used.end()) {
        return absl::FailedPreconditionError(StrCat("segment \"", name, "\": used by segment \"", user, "\""));
      }
    }
    return internal::DeleteSegment(ctx, name);
  });
}

absl::StatusOr<SavedSegment> Database::GetSegment(std::string_view name) const {
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema&) { return internal::LoadSegment(conn, name); });
}

absl::StatusOr<std::vector<SavedSegment>> Database::SavedSegments() const {
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema&) { return internal::LoadSegments(conn); });
}

absl::StatusOr<SegmentDelta> Database::RefreshSegment(std::string_view name, std::optional<absl::Time> as_of) {
  const absl::Time when = as_of.value_or(Now());
  struct Inputs {
    SavedSegment segment;
    SegmentExpr expr = SegmentExpr::Bool(false);
    internal::SegmentMembersByName referenced;
    std::vector<int64_t> suppressed;
  };
  ASSIGN_OR_RETURN(Inputs in, internal::Query(*core_, [&](Connection& conn, const FieldSchema&) -> absl::StatusOr<Inputs> {
    Inputs in;
    ASSIGN_OR_RETURN(in.segment, internal::LoadSegment(conn, name));
    if (in.segment.kind != SegmentKind::kDynamic) {
      return absl::FailedPreconditionError(StrCat("segment \"", name, "\": a ", ToString(in.segment.kind),
                                                  " list has no expression to refresh"));
    }
    if (in.segment.refreshed_at && when < *in.segment.refreshed_at) {
      return absl::InvalidArgumentError(StrCat("as_of: ", internal::FormatTimestamp(when), " is before the last refresh of \"",
                                               name, "\" (", internal::FormatTimestamp(*in.segment.refreshed_at), ")"));
    }
    ASSIGN_OR_RETURN(in.expr, SegmentExpr::Parse(in.segment.expression));
    ASSIGN_OR_RETURN(in.referenced, internal::ReferencedMembers(conn, in.expr.SegmentsReferenced()));
    ASSIGN_OR_RETURN(in.suppressed, internal::SuppressedCustomers(conn));
    return in;
  }));
  std::vector<int64_t> members;
  SegmentContext ctx;
  ctx.as_of = absl::ToUnixMicros(when);
  ctx.segment_members = internal::Lookup(in.referenced);
  const CustomerFrameParts parts{.clv_scores = ReadsClvScores(in.expr)};
  RETURN_IF_ERROR(core_->frame_cache().Use(*core_, in.segment.frame, parts, [&](const CustomerFrame& frame, const internal::OrderScope&) {
    ASSIGN_OR_RETURN(members, EvaluateSegment(in.expr, frame, ctx));
    return absl::OkStatus();
  }));
  std::vector<int64_t> kept;
  std::set_difference(members.begin(), members.end(), in.suppressed.begin(), in.suppressed.end(), std::back_inserter(kept));
  return internal::Mutate(*core_, actor_, [&](const WriteContext& wctx) -> absl::StatusOr<SegmentDelta> {
    ASSIGN_OR_RETURN(SavedSegment current, internal::LoadSegment(wctx.conn, name));
    if (current.expression != in.segment.expression || current.frame != in.segment.frame) {
      return absl::AbortedError(StrCat("segment \"", name, "\": changed during the refresh; refresh again"));
    }
    return internal::ApplyRefresh(wctx, current, kept, absl::ToUnixMicros(when));
  });
}

absl::StatusOr<std::vector<SegmentDelta>> Database::RefreshSegments(std::optional<absl::Time> as_of) {
  const absl::Time when = as_of.value_or(Now());
  ASSIGN_OR_RETURN(auto refs, internal::Query(*core_, [&](Connection& conn, const FieldSchema&) { return References(conn); }));
  ASSIGN_OR_RETURN(std::vector<SavedSegment> all, SavedSegments());
  std::set<std::string> dynamic, done;
  for (const SavedSegment& s : all)
    if (s.kind == SegmentKind::kDynamic) dynamic.insert(s.name);
  std::vector<SegmentDelta> out;
  // Depth-first: a segment after those it refers to (definitions are acyclic).
  std::function<absl::Status(const std::string&)> visit = [&](const std::string& name) -> absl::Status {
    if (!dynamic.count(name) || !done.insert(name).second) return absl::OkStatus();
    for (const std::string& dep : refs[name]) RETURN_IF_ERROR(visit(dep));
    ASSIGN_OR_RETURN(SegmentDelta d, RefreshSegment(name, when));
    out.push_back(std::move(d));
    return absl::OkStatus();
  };
  for (const std::string& name : dynamic) RETURN_IF_ERROR(visit(name));
  return out;
}

absl::Status Database::AddToSegment(std::string_view name, const std::vector<CustomerId>& customers) {
  std::vector<int64_t> ids;
  for (CustomerId c : customers) ids.push_back(ToInt(c));
  return internal::Mutate(*core_, actor_, [&](const WriteContext& ctx) { return internal::EditList(ctx, name, ids, true); });
}

absl::Status Database::RemoveFromSegment(std::string_view name, const std::vector<CustomerId>& customers) {
  std::vector<int64_t> ids;
  for (CustomerId c : customers) ids.push_back(ToInt(c));
  return internal::Mutate(*core_, actor_, [&](const WriteContext& ctx) { return internal::EditList(ctx, name, ids, false); });
}

absl::StatusOr<std::vector<CustomerId>> Database::SegmentMembers(std::string_view name, std::optional<absl::Time> as_of) const {
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema&) -> absl::StatusOr<std::vector<CustomerId>> {
    ASSIGN_OR_RETURN(SavedSegment s, internal::LoadSegment(conn, name));
    if (!as_of) {
      ASSIGN_OR_RETURN(std::vector<int64_t> ids, internal::CurrentMembers(conn, s.id));
      return ToCustomerIds(ids);
    }
    if (!s.history_from || *as_of < *s.history_from) {
      return absl::FailedPreconditionError(
          s.history_from ? StrCat("as_of: the membership of \"", name, "\" is known from ",
                                  internal::FormatTimestamp(*s.history_from), " on")
                         : StrCat("as_of: \"", name, "\" has never been refreshed"));
    }
    ASSIGN_OR_RETURN(std::vector<int64_t> ids, internal::MembersAt(conn, s.id, absl::ToUnixMicros(*as_of)));
    return ToCustomerIds(ids);
  });
}

}  // namespace rapport
