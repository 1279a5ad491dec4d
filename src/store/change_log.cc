#include "store/change_log.h"

#include "base/status_macros.h"
#include "base/time_format.h"

namespace rapport::internal {

std::string DumpJson(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

absl::StatusOr<int64_t> AppendChange(Connection& conn, absl::Time at, const Actor& actor, const ChangeEntry& entry) {
  ASSIGN_OR_RETURN(Statement * st,
                   conn.Cached("INSERT INTO changes (at, actor, origin, entity, entity_id, op, fields, before, after, customer_id) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  st->Bind(1, ToMicros(at));
  if (actor.user) {
    st->Bind(2, ToInt(*actor.user));
  } else {
    st->BindNull(2);
  }
  st->Bind(3, actor.origin).Bind(4, entry.entity).Bind(5, entry.entity_id).Bind(6, entry.op);
  st->Bind(7, DumpJson(nlohmann::json(entry.fields)));
  if (entry.before.is_null()) {
    st->BindNull(8);
  } else {
    st->Bind(8, DumpJson(entry.before));
  }
  if (entry.after.is_null()) {
    st->BindNull(9);
  } else {
    st->Bind(9, DumpJson(entry.after));
  }
  if (entry.customer_id != 0) {
    st->Bind(10, entry.customer_id);
  } else {
    st->BindNull(10);
  }
  RETURN_IF_ERROR(st->Run());
  return conn.LastInsertRowid();
}

absl::StatusOr<std::vector<Change>> ReadChanges(Connection& conn, const ChangeQuery& query) {
  if (query.limit <= 0) return absl::InvalidArgumentError("limit: must be positive");
  ASSIGN_OR_RETURN(Statement st,
                   conn.Prepare("SELECT seq, at, actor, origin, entity, entity_id, op, fields, before, after "
                                "FROM changes WHERE seq > ? AND (? = '' OR origin <> ?) ORDER BY seq LIMIT ?"));
  st.Bind(1, query.after_seq).Bind(2, query.exclude_origin).Bind(3, query.exclude_origin).Bind(4, query.limit);
  std::vector<Change> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    Change c;
    c.seq = st.Int(0);
    c.at = FromMicros(st.Int(1));
    if (!st.IsNull(2)) c.actor = UserId{st.Int(2)};
    c.origin = st.Text(3);
    c.entity = st.Text(4);
    c.entity_id = st.Int(5);
    c.op = st.Text(6);
    auto fields = nlohmann::json::parse(st.TextView(7), nullptr, false);
    if (fields.is_array()) {
      for (const auto& f : fields) {
        if (f.is_string()) c.fields.push_back(f.get<std::string>());
      }
    }
    c.before = st.OptText(8).value_or("");
    c.after = st.OptText(9).value_or("");
    out.push_back(std::move(c));
  }
  return out;
}

absl::StatusOr<int64_t> LastChangeSeq(Connection& conn) {
  // Exactly `SELECT max(seq)`: SQLite answers that from the end of the b-tree, while any expression
  // around the aggregate (coalesce) makes it scan the whole log.
  ASSIGN_OR_RETURN(Statement * st, conn.Cached("SELECT max(seq) FROM changes"));
  ASSIGN_OR_RETURN(bool row, st->Step());
  int64_t seq = row && !st->IsNull(0) ? st->Int(0) : 0;
  st->Reset();
  return seq;
}

absl::Status RedactCustomerChanges(Connection& conn, int64_t customer_id) {
  ASSIGN_OR_RETURN(Statement announce, conn.Prepare("INSERT OR IGNORE INTO log_redactions (customer_id) VALUES (?)"));
  announce.Bind(1, customer_id);
  RETURN_IF_ERROR(announce.Run());
  ASSIGN_OR_RETURN(Statement redact,
                   conn.Prepare("UPDATE changes SET before = NULL, after = NULL "
                                "WHERE customer_id = ? AND (before IS NOT NULL OR after IS NOT NULL)"));
  redact.Bind(1, customer_id);
  return redact.Run();
}

}  // namespace rapport::internal
