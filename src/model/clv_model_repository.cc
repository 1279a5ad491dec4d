#include "model/clv_model_repository.h"

#include <cmath>
#include <limits>

#include "base/status_macros.h"
#include "base/strings.h"
#include "base/time_format.h"
#include "nlohmann/json.hpp"
#include "store/change_log.h"

namespace rapport::internal {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr char kColumns[] = "id, name, spec, cutoff, fitted_at, applied_at";

// The spec column is the JSON form; the columns beside it are the truth for what they hold (the name,
// the cut-off and the times), so an apply changes a column and never rewrites the JSON.
absl::StatusOr<ClvModelSpec> Read(const Statement& st) {
  auto spec = ClvModelSpec::FromJson(st.TextView(2));
  if (!spec.ok()) {
    return absl::DataLossError(AsAbsl(StrCat("CLV model \"", st.TextView(1), "\": stored spec unreadable (",
                                             spec.status().message(), ")")));
  }
  spec->id = st.Int(0);
  spec->name = st.Text(1);
  spec->cutoff = FromMicros(st.Int(3));
  spec->fitted_at = FromMicros(st.Int(4));
  spec->applied_at.reset();
  if (!st.IsNull(5)) spec->applied_at = FromMicros(st.Int(5));
  return *std::move(spec);
}

void BindScore(Statement& st, int i, double v) {
  if (std::isnan(v)) {
    st.BindNull(i);
  } else {
    st.Bind(i, v);
  }
}

double ScoreAt(const Statement& st, int col) { return st.IsNull(col) ? kNaN : st.Double(col); }

}  // namespace

absl::StatusOr<ClvModelSpec> LoadClvModel(Connection& conn, std::string_view name) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(StrCat("SELECT ", kColumns, " FROM clv_models WHERE name = ?")));
  st.Bind(1, name);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return absl::NotFoundError(AsAbsl(StrCat("CLV model \"", name, "\": not found")));
  return Read(st);
}

absl::StatusOr<std::vector<ClvModelSpec>> LoadClvModels(Connection& conn) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(StrCat("SELECT ", kColumns, " FROM clv_models ORDER BY name")));
  std::vector<ClvModelSpec> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    ASSIGN_OR_RETURN(ClvModelSpec spec, Read(st));
    out.push_back(std::move(spec));
  }
  return out;
}

absl::StatusOr<ClvModelSpec> InsertClvModel(const WriteContext& ctx, const ClvModelSpec& spec) {
  auto existing = LoadClvModel(ctx.conn, spec.name);
  if (existing.ok()) {
    return absl::AlreadyExistsError(AsAbsl(StrCat("name: a CLV model named \"", spec.name, "\" already exists")));
  }
  if (!absl::IsNotFound(existing.status())) return existing.status();
  ClvModelSpec stored = spec;
  stored.id = 0;
  stored.applied_at.reset();
  ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare(
      "INSERT INTO clv_models (name, model, spec, cutoff, fitted_at) VALUES (?, ?, ?, ?, ?)"));
  st.Bind(1, stored.name).Bind(2, ToString(stored.model)).Bind(3, stored.ToJson())
      .Bind(4, ToMicros(stored.cutoff)).Bind(5, ToMicros(stored.fitted_at));
  RETURN_IF_ERROR(st.Run());
  stored.id = ctx.conn.LastInsertRowid();
  ChangeEntry e{"clv_model", stored.id, 0, "create", {}, nullptr,
                {{"name", stored.name}, {"model", ToString(stored.model)}, {"cutoff", FormatTimestamp(stored.cutoff)},
                 {"spend", stored.spend.has_value()}}};
  RETURN_IF_ERROR(AppendChange(ctx.conn, ctx.now, ctx.actor, e).status());
  return stored;
}

absl::Status DeleteClvModel(const WriteContext& ctx, std::string_view name) {
  ASSIGN_OR_RETURN(ClvModelSpec spec, LoadClvModel(ctx.conn, name));
  int64_t scored = 0;
  {
    ASSIGN_OR_RETURN(Statement count, ctx.conn.Prepare("SELECT count(*) FROM customer_scores WHERE model_id = ?"));
    count.Bind(1, spec.id);
    ASSIGN_OR_RETURN(bool row, count.Step());
    if (row) scored = count.Int(0);
  }
  ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare("DELETE FROM clv_models WHERE id = ?"));  // scores cascade
  st.Bind(1, spec.id);
  RETURN_IF_ERROR(st.Run());
  if (spec.applied_at) {
    ChangeEntry scores{"clv_scores", spec.id, 0, "delete", {}, {{"model", spec.name}, {"customers", scored}}, nullptr};
    RETURN_IF_ERROR(AppendChange(ctx.conn, ctx.now, ctx.actor, scores).status());
  }
  ChangeEntry e{"clv_model", spec.id, 0, "delete", {}, {{"name", spec.name}, {"model", ToString(spec.model)}}, nullptr};
  return AppendChange(ctx.conn, ctx.now, ctx.actor, e).status();
}

absl::StatusOr<bool> CustomersPurgedSince(Connection& conn, int64_t seq) {
  // `+entity` keeps the planner on the seq range (few rows) rather than the entity index.
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(
      "SELECT 1 FROM changes WHERE seq > ? AND +entity = 'customer' AND op = 'purge' LIMIT 1"));
  st.Bind(1, seq);
  return st.Step();
}

absl::StatusOr<int64_t> ReplaceClvScores(const WriteContext& ctx, const ClvModelSpec& model, const ClvScoreTable& scores,
                                         absl::Time as_of, bool skip_missing_customers) {
  const int64_t at = ToMicros(as_of);
  RETURN_IF_ERROR(ctx.conn.Exec("DELETE FROM customer_scores"));
  // One prepared statement for every row. When customers were purged since the scores were computed,
  // a SELECT from customers skips them (a row for one would break the foreign key); it costs a
  // primary-key probe per row (about half the insert time), so only then.
  ASSIGN_OR_RETURN(Statement insert, ctx.conn.Prepare(
      skip_missing_customers
          ? "INSERT INTO customer_scores (customer_id, model_id, as_of, p_alive, expected_purchases_90d, clv, "
            "churn_risk) SELECT id, ?2, ?3, ?4, ?5, ?6, ?7 FROM customers WHERE id = ?1"
          : "INSERT INTO customer_scores (customer_id, model_id, as_of, p_alive, expected_purchases_90d, clv, "
            "churn_risk) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  int64_t written = 0;
  for (size_t i = 0; i < scores.rows(); ++i) {
    insert.Reset();
    insert.Bind(1, scores.customer[i]).Bind(2, model.id).Bind(3, at);
    BindScore(insert, 4, scores.p_alive[i]);
    BindScore(insert, 5, scores.expected_purchases_90d[i]);
    BindScore(insert, 6, scores.clv[i]);
    BindScore(insert, 7, scores.churn_risk[i]);
    RETURN_IF_ERROR(insert.Run());
    written += ctx.conn.Changes();
  }
  ASSIGN_OR_RETURN(Statement mark, ctx.conn.Prepare("UPDATE clv_models SET applied_at = ? WHERE id = ?"));
  mark.Bind(1, at).Bind(2, model.id);
  RETURN_IF_ERROR(mark.Run());
  ChangeEntry e{"clv_scores", model.id, 0, "apply", {"p_alive", "expected_purchases_90d", "clv", "churn_risk"}, nullptr,
                {{"model", model.name}, {"as_of", FormatTimestamp(as_of)}, {"customers", written}}};
  RETURN_IF_ERROR(AppendChange(ctx.conn, ctx.now, ctx.actor, e).status());
  return written;
}

absl::StatusOr<ClvScoreTable> LoadClvScores(Connection& conn) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(
      "SELECT s.customer_id, s.p_alive, s.expected_purchases_90d, s.clv, s.churn_risk, s.model_id, s.as_of, m.name "
      "FROM customer_scores s JOIN clv_models m ON m.id = s.model_id ORDER BY s.customer_id"));
  ClvScoreTable out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    if (out.customer.empty()) {
      out.model_id = st.Int(5);
      out.as_of = FromMicros(st.Int(6));
      out.model = st.Text(7);
    }
    out.customer.push_back(st.Int(0));
    out.p_alive.push_back(ScoreAt(st, 1));
    out.expected_purchases_90d.push_back(ScoreAt(st, 2));
    out.clv.push_back(ScoreAt(st, 3));
    out.churn_risk.push_back(ScoreAt(st, 4));
  }
  return out;
}

}  // namespace rapport::internal
