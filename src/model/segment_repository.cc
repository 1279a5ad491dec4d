#include "model/segment_repository.h"

#include <algorithm>

#include "base/status_macros.h"
#include "base/strings.h"
#include "base/time_format.h"
#include "nlohmann/json.hpp"
#include "store/change_log.h"

namespace rapport {

std::string_view ToString(SegmentKind kind) {
  switch (kind) {
    case SegmentKind::kDynamic: return "dynamic";
    case SegmentKind::kStatic: return "static";
    case SegmentKind::kSuppression: return "suppression";
  }
  return "?";
}

namespace internal {
namespace {

constexpr char kColumns[] =
    "s.id, s.name, s.kind, s.expression, s.description, s.created_at, s.updated_at, s.refreshed_at, s.history_from, "
    "(SELECT count(*) FROM segment_members m WHERE m.segment_id = s.id AND m.left_at IS NULL), s.frame";

SegmentKind KindOf(std::string_view text) {
  return text == "static" ? SegmentKind::kStatic : text == "suppression" ? SegmentKind::kSuppression : SegmentKind::kDynamic;
}

// NULL for the defaults, so that a segment saved without options follows any change of them.
std::optional<std::string> FrameOptionsJson(const FrameOptions& f) {
  if (f == FrameOptions{}) return std::nullopt;
  return nlohmann::json{{"order_statuses", f.order_statuses}, {"currency", f.currency}}.dump();
}

FrameOptions FrameOptionsFromJson(const nlohmann::json& j) {
  FrameOptions f;
  if (!j.is_object()) return f;
  if (auto it = j.find("order_statuses"); it != j.end() && it->is_array()) {
    f.order_statuses.clear();
    for (const auto& s : *it)
      if (s.is_string()) f.order_statuses.push_back(s.get<std::string>());
  }
  if (auto it = j.find("currency"); it != j.end() && it->is_string()) f.currency = it->get<std::string>();
  return f;
}

nlohmann::json FrameChangeJson(const FrameOptions& f) {
  return {{"order_statuses", f.order_statuses}, {"currency", f.currency}};
}

SavedSegment Read(const Statement& st) {
  SavedSegment s;
  s.id = st.Int(0);
  s.name = st.Text(1);
  s.kind = KindOf(st.TextView(2));
  s.expression = st.OptText(3).value_or("");
  s.description = st.Text(4);
  s.created_at = FromMicros(st.Int(5));
  s.updated_at = FromMicros(st.Int(6));
  if (!st.IsNull(7)) s.refreshed_at = FromMicros(st.Int(7));
  if (!st.IsNull(8)) s.history_from = FromMicros(st.Int(8));
  s.members = st.Int(9);
  if (!st.IsNull(10)) s.frame = FrameOptionsFromJson(nlohmann::json::parse(st.TextView(10), nullptr, false));
  return s;
}

absl::StatusOr<std::vector<int64_t>> Ids(Statement& st) {
  std::vector<int64_t> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(st.Int(0));
  }
  return out;
}

nlohmann::json IdsJson(const std::vector<int64_t>& ids) { return nlohmann::json(ids); }

}  // namespace

absl::StatusOr<SavedSegment> LoadSegment(Connection& conn, std::string_view name) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(StrCat("SELECT ", kColumns, " FROM segments s WHERE s.name = ?")));
  st.Bind(1, name);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return absl::NotFoundError(StrCat("segment \"", name, "\": not found"));
  return Read(st);
}

absl::StatusOr<std::vector<SavedSegment>> LoadSegments(Connection& conn) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(StrCat("SELECT ", kColumns, " FROM segments s ORDER BY s.name")));
  std::vector<SavedSegment> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(Read(st));
  }
  return out;
}

absl::StatusOr<std::vector<int64_t>> CurrentMembers(Connection& conn, int64_t segment_id) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(
      "SELECT customer_id FROM segment_members WHERE segment_id = ? AND left_at IS NULL ORDER BY customer_id"));
  st.Bind(1, segment_id);
  return Ids(st);
}

absl::StatusOr<std::vector<int64_t>> MembersAt(Connection& conn, int64_t segment_id, int64_t t) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(
      "SELECT DISTINCT customer_id FROM segment_members WHERE segment_id = ? AND entered_at <= ? "
      "AND (left_at IS NULL OR left_at > ?) ORDER BY customer_id"));
  st.Bind(1, segment_id).Bind(2, t).Bind(3, t);
  return Ids(st);
}

absl::StatusOr<std::vector<int64_t>> SuppressedCustomers(Connection& conn) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(
      "SELECT DISTINCT m.customer_id FROM segment_members m JOIN segments s ON s.id = m.segment_id "
      "WHERE s.kind = 'suppression' AND m.left_at IS NULL ORDER BY m.customer_id"));
  return Ids(st);
}

absl::StatusOr<SegmentMembersByName> ReferencedMembers(Connection& conn, const std::vector<std::string>& names) {
  SegmentMembersByName out;
  for (const std::string& name : names) {
    auto s = LoadSegment(conn, name);
    if (absl::IsNotFound(s.status())) continue;  // the evaluator reports it, naming the call
    if (!s.ok()) return s.status();
    ASSIGN_OR_RETURN(out[name], CurrentMembers(conn, s->id));
  }
  return out;
}

std::function<absl::StatusOr<std::vector<int64_t>>(std::string_view)> Lookup(SegmentMembersByName members) {
  auto shared = std::make_shared<const SegmentMembersByName>(std::move(members));
  return [shared](std::string_view name) -> absl::StatusOr<std::vector<int64_t>> {
    auto it = shared->find(name);
    if (it == shared->end()) return absl::NotFoundError(StrCat("in_segment: no saved segment named \"", name, "\""));
    return it->second;
  };
}

absl::StatusOr<SavedSegment> StoreSegment(const WriteContext& ctx, const SegmentDef& def) {
  const int64_t now = ToMicros(ctx.now);
  auto existing = LoadSegment(ctx.conn, def.name);
  ChangeEntry e{"segment", 0, 0, "create", {"kind", "expression", "description", "frame"}, nullptr,
                {{"name", def.name}, {"kind", ToString(def.kind)}, {"expression", def.expression}, {"description", def.description},
                 {"frame", FrameChangeJson(def.frame)}}};
  if (existing.ok()) {
    if (existing->kind != def.kind) {
      return absl::FailedPreconditionError(StrCat("kind: segment \"", def.name, "\" is ", ToString(existing->kind),
                                                  "; drop it to make it ", ToString(def.kind)));
    }
    ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare(
        "UPDATE segments SET expression = ?, description = ?, updated_at = ?, frame = ? WHERE id = ?"));
    st.Bind(1, def.kind == SegmentKind::kDynamic ? std::optional<std::string>(def.expression) : std::nullopt)
        .Bind(2, def.description).Bind(3, now).Bind(4, FrameOptionsJson(def.frame)).Bind(5, existing->id);
    RETURN_IF_ERROR(st.Run());
    e.op = "update";
    e.entity_id = existing->id;
    e.before = {{"expression", existing->expression}, {"description", existing->description},
                {"frame", FrameChangeJson(existing->frame)}};
  } else if (absl::IsNotFound(existing.status())) {
    ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare(
        "INSERT INTO segments (name, kind, expression, description, created_at, updated_at, history_from, frame) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    // Lists know their members from creation on; dynamic segments from their first refresh.
    std::optional<int64_t> history_from;
    if (def.kind != SegmentKind::kDynamic) history_from = now;
    st.Bind(1, def.name).Bind(2, ToString(def.kind))
        .Bind(3, def.kind == SegmentKind::kDynamic ? std::optional<std::string>(def.expression) : std::nullopt)
        .Bind(4, def.description).Bind(5, now).Bind(6, now).Bind(7, history_from).Bind(8, FrameOptionsJson(def.frame));
    RETURN_IF_ERROR(st.Run());
    e.entity_id = ctx.conn.LastInsertRowid();
  } else {
    return existing.status();
  }
  RETURN_IF_ERROR(AppendChange(ctx.conn, ctx.now, ctx.actor, e).status());
  return LoadSegment(ctx.conn, def.name);
}

absl::Status DeleteSegment(const WriteContext& ctx, std::string_view name) {
  ASSIGN_OR_RETURN(SavedSegment s, LoadSegment(ctx.conn, name));
  ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare("DELETE FROM segments WHERE id = ?"));
  st.Bind(1, s.id);
  RETURN_IF_ERROR(st.Run());
  ChangeEntry e{"segment", s.id, 0, "delete", {}, {{"name", s.name}, {"kind", ToString(s.kind)}, {"expression", s.expression}}, nullptr};
  return AppendChange(ctx.conn, ctx.now, ctx.actor, e).status();
}

absl::StatusOr<SegmentDelta> ApplyRefresh(const WriteContext& ctx, const SavedSegment& segment,
                                          const std::vector<int64_t>& members, int64_t as_of, std::string_view op) {
  ASSIGN_OR_RETURN(std::vector<int64_t> current, CurrentMembers(ctx.conn, segment.id));
  std::vector<int64_t> entered, left;
  std::set_difference(members.begin(), members.end(), current.begin(), current.end(), std::back_inserter(entered));
  std::set_difference(current.begin(), current.end(), members.begin(), members.end(), std::back_inserter(left));
  ASSIGN_OR_RETURN(Statement add, ctx.conn.Prepare(
      "INSERT INTO segment_members (segment_id, customer_id, entered_at) VALUES (?, ?, ?) "
      "ON CONFLICT (segment_id, customer_id, entered_at) DO UPDATE SET left_at = NULL"));
  for (int64_t id : entered) {
    add.Reset();
    add.Bind(1, segment.id).Bind(2, id).Bind(3, as_of);
    RETURN_IF_ERROR(add.Run());
  }
  ASSIGN_OR_RETURN(Statement leave, ctx.conn.Prepare(
      "UPDATE segment_members SET left_at = ? WHERE segment_id = ? AND customer_id = ? AND left_at IS NULL"));
  for (int64_t id : left) {
    leave.Reset();
    leave.Bind(1, as_of).Bind(2, segment.id).Bind(3, id);
    RETURN_IF_ERROR(leave.Run());
  }
  ASSIGN_OR_RETURN(Statement mark, ctx.conn.Prepare(
      "UPDATE segments SET refreshed_at = ?, history_from = coalesce(history_from, ?) WHERE id = ?"));
  mark.Bind(1, as_of).Bind(2, as_of).Bind(3, segment.id);
  RETURN_IF_ERROR(mark.Run());
  ChangeEntry e{"segment", segment.id, 0, op, {"members"}, nullptr,
                {{"name", segment.name}, {"as_of", as_of}, {"entered", IdsJson(entered)}, {"left", IdsJson(left)},
                 {"members", members.size()}}};
  RETURN_IF_ERROR(AppendChange(ctx.conn, ctx.now, ctx.actor, e).status());
  SegmentDelta delta;
  delta.name = segment.name;
  delta.as_of = FromMicros(as_of);
  for (int64_t id : entered) delta.entered.push_back(CustomerId{id});
  for (int64_t id : left) delta.left.push_back(CustomerId{id});
  delta.members = static_cast<int64_t>(members.size());
  return delta;
}

absl::Status EditList(const WriteContext& ctx, std::string_view name, std::vector<int64_t> customers, bool add) {
  ASSIGN_OR_RETURN(SavedSegment s, LoadSegment(ctx.conn, name));
  if (s.kind == SegmentKind::kDynamic) {
    return absl::FailedPreconditionError(StrCat("segment \"", name, "\": dynamic; its members come from its expression"));
  }
  std::sort(customers.begin(), customers.end());
  customers.erase(std::unique(customers.begin(), customers.end()), customers.end());
  ASSIGN_OR_RETURN(Statement live, ctx.conn.Prepare("SELECT 1 FROM customers WHERE id = ? AND deleted_at IS NULL"));
  for (int64_t id : customers) {
    live.Reset();
    live.Bind(1, id);
    ASSIGN_OR_RETURN(bool found, live.Step());
    if (!found) return absl::NotFoundError(StrCat("customer ", id, ": not found"));
  }
  ASSIGN_OR_RETURN(std::vector<int64_t> current, CurrentMembers(ctx.conn, s.id));
  std::vector<int64_t> members;
  if (add) {
    std::set_union(current.begin(), current.end(), customers.begin(), customers.end(), std::back_inserter(members));
  } else {
    std::set_difference(current.begin(), current.end(), customers.begin(), customers.end(), std::back_inserter(members));
  }
  return ApplyRefresh(ctx, s, members, ToMicros(ctx.now), add ? "add" : "remove").status();
}

}  // namespace internal
}  // namespace rapport
