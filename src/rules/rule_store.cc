#include "rules/rule_store.h"

#include "base/status_macros.h"
#include "base/strings.h"
#include "base/time_format.h"
#include "store/change_log.h"

namespace rapport::internal {
namespace {

absl::StatusOr<StoredRule> RuleFromRow(Statement& st) {
  StoredRule r;
  r.rule.id = st.Int(0);
  ASSIGN_OR_RETURN(r.rule.def, RuleDef::FromJson(st.TextView(2)));
  r.rule.def.name = st.Text(1);
  r.rule.def.enabled = st.Int(3) != 0;
  r.since_seq = st.Int(4);
  r.watermark = st.Int(5);
  r.rule.created_at = FromMicros(st.Int(6));
  r.rule.updated_at = FromMicros(st.Int(7));
  return r;
}

constexpr char kRuleColumns[] =
    "SELECT id, name, definition, enabled, since_seq, watermark, created_at, updated_at FROM rules ";

RuleOutcomeStatus StatusFromText(std::string_view s) {
  if (s == "retrying") return RuleOutcomeStatus::kRetrying;
  if (s == "failed") return RuleOutcomeStatus::kFailed;
  if (s == "skipped") return RuleOutcomeStatus::kSkipped;
  return RuleOutcomeStatus::kFired;
}

}  // namespace

absl::StatusOr<StoredRule> LoadRule(Connection& conn, std::string_view name) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(StrCat(kRuleColumns, "WHERE name = ?")));
  st.Bind(1, name);
  ASSIGN_OR_RETURN(bool found, st.Step());
  if (!found) return absl::NotFoundError(StrCat("rule \"", name, "\": not found"));
  return RuleFromRow(st);
}

absl::StatusOr<std::vector<StoredRule>> LoadRules(Connection& conn) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(StrCat(kRuleColumns, "ORDER BY name")));
  std::vector<StoredRule> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    ASSIGN_OR_RETURN(StoredRule r, RuleFromRow(st));
    out.push_back(std::move(r));
  }
  return out;
}

absl::StatusOr<StoredRule> StoreRule(const WriteContext& ctx, const RuleDef& def, int64_t watermark) {
  const int64_t now = ToMicros(ctx.now);
  const std::string definition = def.ToJson();
  auto existing = LoadRule(ctx.conn, def.name);
  ChangeEntry e{"rule", 0, 0, "create", {"definition"}, nullptr, nlohmann::json::parse(definition)};
  if (existing.ok()) {
    ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare(
        "UPDATE rules SET definition = ?, enabled = ?, updated_at = ? WHERE id = ?"));
    st.Bind(1, definition).Bind(2, def.enabled ? 1 : 0).Bind(3, now).Bind(4, existing->rule.id);
    RETURN_IF_ERROR(st.Run());
    e.op = "update";
    e.entity_id = existing->rule.id;
    e.before = nlohmann::json::parse(existing->rule.def.ToJson());
    RETURN_IF_ERROR(AppendChange(ctx.conn, ctx.now, ctx.actor, e).status());
  } else if (absl::IsNotFound(existing.status())) {
    ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare(
        "INSERT INTO rules (name, enabled, definition, since_seq, watermark, created_at, updated_at) "
        "VALUES (?, ?, ?, 0, ?, ?, ?)"));
    st.Bind(1, def.name).Bind(2, def.enabled ? 1 : 0).Bind(3, definition).Bind(4, watermark).Bind(5, now).Bind(6, now);
    RETURN_IF_ERROR(st.Run());
    e.entity_id = ctx.conn.LastInsertRowid();
    ASSIGN_OR_RETURN(int64_t seq, AppendChange(ctx.conn, ctx.now, ctx.actor, e));
    ASSIGN_OR_RETURN(Statement since, ctx.conn.Prepare("UPDATE rules SET since_seq = ? WHERE id = ?"));
    since.Bind(1, seq).Bind(2, e.entity_id);
    RETURN_IF_ERROR(since.Run());
  } else {
    return existing.status();
  }
  return LoadRule(ctx.conn, def.name);
}

absl::Status DeleteRule(const WriteContext& ctx, std::string_view name) {
  ASSIGN_OR_RETURN(StoredRule r, LoadRule(ctx.conn, name));
  ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare("DELETE FROM rules WHERE id = ?"));
  st.Bind(1, r.rule.id);
  RETURN_IF_ERROR(st.Run());
  ChangeEntry e{"rule", r.rule.id, 0, "delete", {"definition"}, nlohmann::json::parse(r.rule.def.ToJson()), nullptr};
  return AppendChange(ctx.conn, ctx.now, ctx.actor, e).status();
}

absl::Status SetRuleEnabled(const WriteContext& ctx, std::string_view name, bool enabled, int64_t watermark) {
  ASSIGN_OR_RETURN(StoredRule r, LoadRule(ctx.conn, name));
  if (r.rule.def.enabled == enabled) return absl::OkStatus();
  ChangeEntry e{"rule", r.rule.id, 0, enabled ? "enable" : "disable", {"enabled"}, {{"enabled", !enabled}},
                {{"enabled", enabled}}};
  ASSIGN_OR_RETURN(int64_t seq, AppendChange(ctx.conn, ctx.now, ctx.actor, e));
  ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare(
      "UPDATE rules SET enabled = ?, updated_at = ?, since_seq = CASE WHEN ? THEN ? ELSE since_seq END, "
      "watermark = CASE WHEN ? THEN max(watermark, ?) ELSE watermark END, "
      "definition = json_set(definition, '$.enabled', json(?)) WHERE id = ?"));
  st.Bind(1, enabled ? 1 : 0).Bind(2, ToMicros(ctx.now)).Bind(3, enabled ? 1 : 0).Bind(4, seq).Bind(5, enabled ? 1 : 0)
      .Bind(6, watermark).Bind(7, enabled ? "true" : "false").Bind(8, r.rule.id);
  return st.Run();
}

absl::Status SetWatermark(Connection& conn, int64_t rule_id, int64_t watermark) {
  ASSIGN_OR_RETURN(Statement * st, conn.Cached("UPDATE rules SET watermark = ? WHERE id = ?"));
  st->Bind(1, watermark).Bind(2, rule_id);
  return st->Run();
}

absl::StatusOr<std::optional<std::string>> GetSetting(Connection& conn, std::string_view key) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare("SELECT value FROM settings WHERE key = ?"));
  st.Bind(1, key);
  ASSIGN_OR_RETURN(bool found, st.Step());
  if (!found) return std::optional<std::string>();
  return std::optional<std::string>(st.Text(0));
}

absl::Status PutSetting(const WriteContext& ctx, std::string_view key, std::string_view value) {
  ASSIGN_OR_RETURN(std::optional<std::string> before, GetSetting(ctx.conn, key));
  if (before && *before == value) return absl::OkStatus();
  ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare(
      "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
  st.Bind(1, key).Bind(2, value);
  RETURN_IF_ERROR(st.Run());
  ChangeEntry e{"setting", 0, 0, "update", {std::string(key)},
                before ? nlohmann::json{{std::string(key), *before}} : nlohmann::json(nullptr),
                {{std::string(key), std::string(value)}}};
  return AppendChange(ctx.conn, ctx.now, ctx.actor, e).status();
}

absl::StatusOr<std::optional<int64_t>> LastTickNow(Connection& conn) {
  ASSIGN_OR_RETURN(Statement * st, conn.Cached("SELECT max(now) FROM rule_runs"));
  st->Reset();
  ASSIGN_OR_RETURN(bool row, st->Step());
  std::optional<int64_t> out;
  if (row && !st->IsNull(0)) out = st->Int(0);
  st->Reset();
  return out;
}

absl::StatusOr<int64_t> RuleCursor(Connection& conn) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare("SELECT seq FROM rule_cursor WHERE id = 1"));
  ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

absl::Status SetRuleCursor(Connection& conn, int64_t seq) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(
      "INSERT INTO rule_cursor (id, seq) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq"));
  st.Bind(1, seq);
  return st.Run();
}

absl::StatusOr<bool> FiringExists(Connection& conn, int64_t rule_id, int64_t customer, int64_t occurrence) {
  ASSIGN_OR_RETURN(Statement * st, conn.Cached(
      "SELECT 1 FROM rule_firings WHERE rule_id = ? AND customer_id = ? AND occurrence = ?"));
  st->Reset();
  st->Bind(1, rule_id).Bind(2, customer).Bind(3, occurrence);
  ASSIGN_OR_RETURN(bool found, st->Step());
  st->Reset();
  return found;
}

absl::StatusOr<bool> FiredSince(Connection& conn, int64_t rule_id, int64_t customer, int64_t since) {
  ASSIGN_OR_RETURN(Statement * st, conn.Cached(
      "SELECT 1 FROM rule_firings WHERE customer_id = ? AND rule_id = ? AND last_at > ? AND status = 'fired'"));
  st->Reset();
  st->Bind(1, customer).Bind(2, rule_id).Bind(3, since);
  ASSIGN_OR_RETURN(bool found, st->Step());
  st->Reset();
  return found;
}

absl::StatusOr<int64_t> WriteFiring(Connection& conn, const FiringRow& row, int64_t run_id) {
  if (row.id == 0) {
    ASSIGN_OR_RETURN(Statement * st, conn.Cached(
        "INSERT INTO rule_firings (rule_id, customer_id, occurrence, trigger, status, attempts, error, first_at, "
        "last_at, next_retry_at, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    st->Reset();
    st->Bind(1, row.rule_id).Bind(2, row.customer).Bind(3, row.occurrence).Bind(4, row.trigger)
        .Bind(5, ToString(row.status)).Bind(6, row.attempts).Bind(7, row.error).Bind(8, row.first_at)
        .Bind(9, row.last_at).Bind(10, row.next_retry_at).Bind(11, run_id);
    RETURN_IF_ERROR(st->Run());
    return conn.LastInsertRowid();
  }
  ASSIGN_OR_RETURN(Statement * st, conn.Cached(
      "UPDATE rule_firings SET status = ?, attempts = ?, error = ?, last_at = ?, next_retry_at = ?, run_id = ? "
      "WHERE id = ?"));
  st->Reset();
  st->Bind(1, ToString(row.status)).Bind(2, row.attempts).Bind(3, row.error).Bind(4, row.last_at)
      .Bind(5, row.next_retry_at).Bind(6, run_id).Bind(7, row.id);
  RETURN_IF_ERROR(st->Run());
  return row.id;
}

absl::StatusOr<std::vector<FiringRow>> DueRetries(Connection& conn, int64_t now) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(
      "SELECT f.id, f.rule_id, f.customer_id, f.occurrence, f.trigger, f.status, f.attempts, f.error, f.first_at, "
      "f.last_at, f.next_retry_at FROM rule_firings f JOIN rules r ON r.id = f.rule_id "
      "WHERE f.next_retry_at IS NOT NULL AND f.next_retry_at <= ? AND f.status = 'retrying' "
      "ORDER BY r.name, f.customer_id, f.occurrence"));
  st.Bind(1, now);
  std::vector<FiringRow> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    FiringRow f{st.Int(0), st.Int(1), st.Int(2), st.Int(3), st.Text(4), StatusFromText(st.TextView(5)),
                static_cast<int>(st.Int(6)), st.Text(7), st.Int(8), st.Int(9), st.OptInt(10)};
    out.push_back(std::move(f));
  }
  return out;
}

absl::StatusOr<std::vector<RuleOutcome>> QueryOutcomes(Connection& conn, const RuleOutcomeQuery& q) {
  std::string sql =
      "SELECT f.id, r.name, f.customer_id, f.occurrence, f.trigger, f.status, f.attempts, f.error, f.first_at, "
      "f.last_at, f.next_retry_at FROM rule_firings f JOIN rules r ON r.id = f.rule_id WHERE f.id > ?";
  if (!q.rule.empty()) sql += " AND r.name = ?";
  if (q.customer) sql += " AND f.customer_id = ?";
  if (q.status) sql += " AND f.status = ?";
  if (q.since) sql += " AND f.last_at >= ?";
  sql += " ORDER BY f.id LIMIT ?";
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(sql));
  int i = 1;
  st.Bind(i++, q.after_id);
  if (!q.rule.empty()) st.Bind(i++, q.rule);
  if (q.customer) st.Bind(i++, ToInt(*q.customer));
  if (q.status) st.Bind(i++, ToString(*q.status));
  if (q.since) st.Bind(i++, ToMicros(*q.since));
  st.Bind(i++, static_cast<int64_t>(q.limit));
  std::vector<RuleOutcome> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    RuleOutcome o;
    o.id = st.Int(0);
    o.rule = st.Text(1);
    o.customer = CustomerId{st.Int(2)};
    o.occurrence = st.Int(3);
    o.trigger = st.Text(4);
    o.status = StatusFromText(st.TextView(5));
    o.attempts = static_cast<int>(st.Int(6));
    o.error = st.Text(7);
    o.first_at = FromMicros(st.Int(8));
    o.last_at = FromMicros(st.Int(9));
    if (!st.IsNull(10)) o.next_retry_at = FromMicros(st.Int(10));
    out.push_back(std::move(o));
  }
  return out;
}

absl::StatusOr<int64_t> InsertRun(Connection& conn, int64_t now) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare("INSERT INTO rule_runs (now) VALUES (?)"));
  st.Bind(1, now);
  RETURN_IF_ERROR(st.Run());
  return conn.LastInsertRowid();
}

absl::Status FinishRun(Connection& conn, int64_t run_id, const TickReport& r) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(
      "UPDATE rule_runs SET events = ?, fired = ?, failed = ?, skipped = ?, notifications = ?, tasks_created = ?, "
      "reminders = ? WHERE id = ?"));
  st.Bind(1, r.events).Bind(2, r.fired).Bind(3, r.failed).Bind(4, r.skipped).Bind(5, r.notifications)
      .Bind(6, r.tasks_created).Bind(7, r.reminders).Bind(8, run_id);
  return st.Run();
}

absl::StatusOr<std::vector<RuleRun>> QueryRuns(Connection& conn, int limit) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(
      "SELECT id, now, events, fired, failed, skipped, notifications, tasks_created, reminders FROM rule_runs "
      "ORDER BY id DESC LIMIT ?"));
  st.Bind(1, static_cast<int64_t>(limit));
  std::vector<RuleRun> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(RuleRun{st.Int(0), FromMicros(st.Int(1)), st.Int(2), st.Int(3), st.Int(4), st.Int(5), st.Int(6), st.Int(7),
                          st.Int(8)});
  }
  return out;
}

}  // namespace rapport::internal
