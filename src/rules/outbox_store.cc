#include "rules/outbox_store.h"

#include "base/status_macros.h"
#include "base/strings.h"
#include "base/time_format.h"
#include "store/change_log.h"

namespace rapport::internal {
namespace {

constexpr char kColumns[] =
    "SELECT id, channel, recipient_kind, recipient, customer_id, subject, body, source, occurrence, created_at, "
    "status, attempts, error, claimed_at, delivered_at FROM outbox ";

OutboxStatus StatusFromText(std::string_view s) {
  if (s == "claimed") return OutboxStatus::kClaimed;
  if (s == "delivered") return OutboxStatus::kDelivered;
  if (s == "failed") return OutboxStatus::kFailed;
  return OutboxStatus::kPending;
}

OutboxMessage FromRow(const Statement& st) {
  OutboxMessage m;
  m.id = st.Int(0);
  m.channel = st.Text(1);
  m.recipient_kind = st.Text(2);
  m.recipient = st.Text(3);
  if (!st.IsNull(4)) m.customer = CustomerId{st.Int(4)};
  m.subject = st.Text(5);
  m.body = st.Text(6);
  m.source = st.Text(7);
  m.occurrence = st.Int(8);
  m.created_at = FromMicros(st.Int(9));
  m.status = StatusFromText(st.TextView(10));
  m.attempts = static_cast<int>(st.Int(11));
  m.error = st.Text(12);
  if (!st.IsNull(13)) m.claimed_at = FromMicros(st.Int(13));
  if (!st.IsNull(14)) m.delivered_at = FromMicros(st.Int(14));
  return m;
}

absl::StatusOr<OutboxMessage> LoadMessage(Connection& conn, int64_t id) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(StrCat(kColumns, "WHERE id = ?")));
  st.Bind(1, id);
  ASSIGN_OR_RETURN(bool found, st.Step());
  if (!found) return absl::NotFoundError(StrCat("outbox message ", id, ": not found"));
  return FromRow(st);
}

}  // namespace

absl::StatusOr<int64_t> InsertOutbox(const WriteContext& ctx, const OutboxMessage& m) {
  ASSIGN_OR_RETURN(Statement * st, ctx.conn.Cached(
      "INSERT INTO outbox (channel, recipient_kind, recipient, customer_id, subject, body, source, occurrence, "
      "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  st->Reset();
  std::optional<int64_t> customer;
  if (m.customer) customer = ToInt(*m.customer);
  st->Bind(1, m.channel).Bind(2, m.recipient_kind).Bind(3, m.recipient).Bind(4, customer).Bind(5, m.subject)
      .Bind(6, m.body).Bind(7, m.source).Bind(8, m.occurrence).Bind(9, ToMicros(ctx.now));
  RETURN_IF_ERROR(st->Run());
  const int64_t id = ctx.conn.LastInsertRowid();
  ChangeEntry e{"outbox", id, customer.value_or(0), "create", {"channel", "recipient", "subject", "body"}, nullptr,
                {{"channel", m.channel}, {"recipient", m.recipient}, {"subject", m.subject}, {"body", m.body},
                 {"source", m.source}}};
  RETURN_IF_ERROR(AppendChange(ctx.conn, ctx.now, ctx.actor, e).status());
  return id;
}

absl::StatusOr<std::vector<OutboxMessage>> QueryOutbox(Connection& conn, const OutboxQuery& q) {
  std::string sql = StrCat(kColumns, "WHERE id > ?");
  if (q.status) sql += " AND status = ?";
  sql += " ORDER BY id LIMIT ?";
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(sql));
  int i = 1;
  st.Bind(i++, q.after_id);
  if (q.status) st.Bind(i++, ToString(*q.status));
  st.Bind(i++, static_cast<int64_t>(q.limit));
  std::vector<OutboxMessage> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(FromRow(st));
  }
  return out;
}

absl::StatusOr<std::vector<OutboxMessage>> ClaimOutbox(const WriteContext& ctx, int limit) {
  ASSIGN_OR_RETURN(std::vector<OutboxMessage> pending,
                   QueryOutbox(ctx.conn, OutboxQuery{OutboxStatus::kPending, 0, limit}));
  if (pending.empty()) return pending;
  ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare(
      "UPDATE outbox SET status = 'claimed', attempts = attempts + 1, claimed_at = ? WHERE id = ?"));
  nlohmann::json ids = nlohmann::json::array();
  for (OutboxMessage& m : pending) {
    st.Reset();
    st.Bind(1, ToMicros(ctx.now)).Bind(2, m.id);
    RETURN_IF_ERROR(st.Run());
    m.status = OutboxStatus::kClaimed;
    m.attempts += 1;
    m.claimed_at = FromMicros(ToMicros(ctx.now));
    ids.push_back(m.id);
  }
  ChangeEntry e{"outbox", 0, 0, "claim", {"status"}, nullptr, {{"ids", ids}}};
  RETURN_IF_ERROR(AppendChange(ctx.conn, ctx.now, ctx.actor, e).status());
  return pending;
}

absl::Status AckOutbox(const WriteContext& ctx, const std::vector<int64_t>& ids) {
  if (ids.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare(
      "UPDATE outbox SET status = 'delivered', delivered_at = ?, error = '' WHERE id = ?"));
  nlohmann::json logged = nlohmann::json::array();
  for (int64_t id : ids) {
    ASSIGN_OR_RETURN(OutboxMessage m, LoadMessage(ctx.conn, id));
    if (m.status != OutboxStatus::kClaimed) {
      return absl::FailedPreconditionError(
          StrCat("outbox message ", id, ": is ", ToString(m.status), ", not claimed; only claimed messages are acked"));
    }
    st.Reset();
    st.Bind(1, ToMicros(ctx.now)).Bind(2, id);
    RETURN_IF_ERROR(st.Run());
    logged.push_back(id);
  }
  ChangeEntry e{"outbox", 0, 0, "ack", {"status"}, nullptr, {{"ids", logged}}};
  return AppendChange(ctx.conn, ctx.now, ctx.actor, e).status();
}

absl::Status FailOutbox(const WriteContext& ctx, int64_t id, std::string_view error, bool retry) {
  ASSIGN_OR_RETURN(OutboxMessage m, LoadMessage(ctx.conn, id));
  if (m.status != OutboxStatus::kClaimed) {
    return absl::FailedPreconditionError(
        StrCat("outbox message ", id, ": is ", ToString(m.status), ", not claimed; only claimed messages fail"));
  }
  ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare("UPDATE outbox SET status = ?, error = ? WHERE id = ?"));
  st.Bind(1, retry ? "pending" : "failed").Bind(2, error).Bind(3, id);
  RETURN_IF_ERROR(st.Run());
  ChangeEntry e{"outbox", id, m.customer ? ToInt(*m.customer) : 0, "fail", {"status", "error"}, nullptr,
                {{"status", retry ? "pending" : "failed"}, {"error", std::string(error)}}};
  return AppendChange(ctx.conn, ctx.now, ctx.actor, e).status();
}

}  // namespace rapport::internal
