#include "model/lifecycle_repository.h"

#include <nlohmann/json.hpp>

#include "base/status_macros.h"
#include "base/strings.h"
#include "base/time_format.h"
#include "store/change_log.h"

namespace rapport::internal {
namespace {

absl::StatusOr<LifecycleModel> ReadModel(const Statement& st) {
  ASSIGN_OR_RETURN(LifecycleModel m, LifecycleModelFromJson(st.TextView(0)));
  m.created_at = FromMicros(st.Int(1));
  m.updated_at = FromMicros(st.Int(2));
  return m;
}

StageMoveSource SourceOf(std::string_view text) {
  return text == "manual" ? StageMoveSource::kManual : text == "rule" ? StageMoveSource::kRule : StageMoveSource::kAuto;
}

// Columns: customer_id, model, from_stage, to_stage, at, source, reason, rule.
StageMove ReadMove(const Statement& st) {
  StageMove m;
  m.customer = CustomerId{st.Int(0)};
  m.model = st.Text(1);
  m.from = st.OptText(2);
  m.to = st.Text(3);
  m.at = FromMicros(st.Int(4));
  m.source = SourceOf(st.TextView(5));
  m.reason = st.Text(6);
  m.rule = st.Text(7);
  return m;
}

constexpr char kMoveColumns[] = "customer_id, model, from_stage, to_stage, at, source, reason, rule";

}  // namespace

absl::StatusOr<std::vector<LifecycleModel>> LoadLifecycleModels(Connection& conn) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare("SELECT definition, created_at, updated_at FROM lifecycle_models "
                                              "ORDER BY precedence DESC, name"));
  std::vector<LifecycleModel> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    ASSIGN_OR_RETURN(LifecycleModel m, ReadModel(st));
    out.push_back(std::move(m));
  }
  return out;
}

absl::StatusOr<LifecycleModel> LoadLifecycleModel(Connection& conn, std::string_view name) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare("SELECT definition, created_at, updated_at FROM lifecycle_models WHERE name = ?"));
  st.Bind(1, name);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return absl::NotFoundError(StrCat("lifecycle model \"", name, "\": not found"));
  return ReadModel(st);
}

absl::StatusOr<bool> AnyLifecycleModel(Connection& conn) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare("SELECT 1 FROM lifecycle_models LIMIT 1"));
  return st.Step();
}

absl::StatusOr<LifecycleModel> StoreLifecycleModel(const WriteContext& ctx, const LifecycleModel& model) {
  LifecycleModel stored = model;
  stored.created_at = ctx.now;
  stored.updated_at = ctx.now;
  std::optional<LifecycleModel> before;
  if (auto existing = LoadLifecycleModel(ctx.conn, model.name); existing.ok()) {
    before = *existing;
    stored.created_at = existing->created_at;
  } else if (!absl::IsNotFound(existing.status())) {
    return existing.status();
  }
  LifecycleModel bare = stored;  // the definition column holds no times (they are columns)
  bare.created_at = bare.updated_at = absl::Time();
  const std::string definition = LifecycleModelToJson(bare);
  ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare(
                                     "INSERT INTO lifecycle_models (name, definition, precedence, created_at, updated_at) "
                                     "VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, "
                                     "precedence = excluded.precedence, updated_at = excluded.updated_at"));
  st.Bind(1, stored.name).Bind(2, definition).Bind(3, int64_t{stored.attachment.precedence});
  st.Bind(4, ToMicros(stored.created_at)).Bind(5, ToMicros(stored.updated_at));
  RETURN_IF_ERROR(st.Run());
  nlohmann::json after = nlohmann::json::parse(definition);
  nlohmann::json before_json = nullptr;
  if (before) {
    LifecycleModel b = *before;
    b.created_at = b.updated_at = absl::Time();
    before_json = nlohmann::json::parse(LifecycleModelToJson(b));
  }
  ChangeEntry e{"lifecycle_model", 0, 0, before ? "update" : "create", {"definition"}, before_json, after};
  RETURN_IF_ERROR(AppendChange(ctx.conn, ctx.now, ctx.actor, e).status());
  return stored;
}

absl::Status DeleteLifecycleModel(const WriteContext& ctx, std::string_view name) {
  ASSIGN_OR_RETURN(LifecycleModel existing, LoadLifecycleModel(ctx.conn, name));
  ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare("DELETE FROM lifecycle_models WHERE name = ?"));
  st.Bind(1, name);
  RETURN_IF_ERROR(st.Run());
  existing.created_at = existing.updated_at = absl::Time();
  ChangeEntry e{"lifecycle_model", 0, 0, "delete", {"definition"},
                nlohmann::json::parse(LifecycleModelToJson(existing)), nullptr};
  return AppendChange(ctx.conn, ctx.now, ctx.actor, e).status();
}

absl::Status RecordStageMove(const WriteContext& ctx, const StageMove& move) {
  const int64_t customer = ToInt(move.customer);
  ASSIGN_OR_RETURN(Statement * set, ctx.conn.Cached("UPDATE customers SET lifecycle_stage = ? WHERE id = ?"));
  set->Bind(1, move.to).Bind(2, customer);
  RETURN_IF_ERROR(set->Run());
  ASSIGN_OR_RETURN(Statement * row, ctx.conn.Cached(
                                        "INSERT INTO lifecycle_history (customer_id, model, from_stage, to_stage, at, "
                                        "source, reason, rule) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  row->Bind(1, customer).Bind(2, move.model).Bind(3, move.from).Bind(4, move.to).Bind(5, ToMicros(move.at));
  row->Bind(6, ToString(move.source)).Bind(7, move.reason).Bind(8, move.rule);
  RETURN_IF_ERROR(row->Run());
  nlohmann::json before = {{"lifecycle_stage", move.from ? nlohmann::json(*move.from) : nlohmann::json(nullptr)}};
  nlohmann::json after = {{"lifecycle_stage", move.to}, {"model", move.model}, {"source", ToString(move.source)},
                          {"reason", move.reason}, {"rule", move.rule}};
  ChangeEntry e{"lifecycle", customer, customer, "move", {"lifecycle_stage"}, std::move(before), std::move(after)};
  return AppendChange(ctx.conn, move.at, ctx.actor, e).status();
}

absl::StatusOr<absl::Time> LastStageMoveAt(Connection& conn) {
  ASSIGN_OR_RETURN(Statement * st, conn.Cached("SELECT max(at) FROM lifecycle_history"));
  ASSIGN_OR_RETURN(bool row, st->Step());
  absl::Time t = row && !st->IsNull(0) ? FromMicros(st->Int(0)) : absl::InfinitePast();
  st->Reset();
  return t;
}

absl::StatusOr<std::vector<StageMove>> LoadStageHistory(Connection& conn, int64_t customer) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(StrCat("SELECT ", kMoveColumns,
                                                     " FROM lifecycle_history WHERE customer_id = ? ORDER BY at, id")));
  st.Bind(1, customer);
  std::vector<StageMove> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(ReadMove(st));
  }
  return out;
}

absl::StatusOr<std::vector<CustomerStage>> LoadStagesAsOf(Connection& conn, absl::Time t) {
  // The covering index (customer_id, at, to_stage) gives each customer's rows in time order; max(at)
  // picks the last at or before t (SQLite returns the other columns from that row).
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(
                                     "SELECT h.customer_id, h.model, h.to_stage, h.at FROM lifecycle_history h "
                                     "WHERE h.id IN (SELECT max(id) FROM lifecycle_history WHERE at <= ?1 GROUP BY customer_id) "
                                     "AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = h.customer_id "
                                     "AND c.deleted_at IS NOT NULL AND c.deleted_at <= ?1) ORDER BY h.customer_id"));
  st.Bind(1, ToMicros(t));
  std::vector<CustomerStage> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back({CustomerId{st.Int(0)}, st.Text(1), st.Text(2), FromMicros(st.Int(3))});
  }
  return out;
}

absl::StatusOr<std::vector<StageMove>> LoadMovesBefore(Connection& conn, absl::Time end) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(StrCat("SELECT ", kMoveColumns,
                                                     " FROM lifecycle_history WHERE at < ? ORDER BY at, id")));
  st.Bind(1, ToMicros(end));
  std::vector<StageMove> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(ReadMove(st));
  }
  return out;
}

}  // namespace rapport::internal
