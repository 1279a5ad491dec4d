// Database: the change feed and its named consumers.
#include "base/strings.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/text.h"
#include "base/time_format.h"
#include "db/facade_util.h"
#include "rapport/database.h"
#include "store/change_log.h"

namespace rapport {

using internal::Connection;
using internal::FieldSchema;
using internal::Statement;
using internal::WriteContext;

namespace {

absl::Status CheckConsumerName(std::string_view name) {
  RETURN_IF_ERROR(internal::CheckUtf8("consumer", name));
  if (name.empty() || name.size() > 128) return absl::InvalidArgumentError("consumer: a name must have 1 to 128 bytes");
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ReadCursor(Connection& conn, std::string_view name) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare("SELECT cursor FROM consumers WHERE name = ?"));
  st.Bind(1, name);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return absl::NotFoundError(StrCat("consumer \"", name, "\" not found"));
  return st.Int(0);
}

}  // namespace

absl::StatusOr<std::vector<Change>> Database::Changes(const ChangeQuery& query) const {
  RETURN_IF_ERROR(internal::CheckUtf8("exclude_origin", query.exclude_origin));
  if (query.limit > 100000) return absl::InvalidArgumentError("limit: at most 100000 changes per call");
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema&) { return internal::ReadChanges(conn, query); });
}

int64_t Database::LastChangeSeq() const {
  auto seq = internal::Query(*core_, [&](Connection& conn, const FieldSchema&) { return internal::LastChangeSeq(conn); });
  return seq.ok() ? *seq : 0;
}

absl::Status Database::CreateConsumer(std::string_view name, int64_t start_after_seq) {
  RETURN_IF_ERROR(CheckConsumerName(name));
  if (start_after_seq < 0) return absl::InvalidArgumentError("start_after_seq: must not be negative");
  return internal::Mutate(*core_, actor_, [&](const WriteContext& ctx) -> absl::Status {
    ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare("INSERT INTO consumers (name, cursor, updated_at) VALUES (?, ?, ?) "
                                                    "ON CONFLICT (name) DO NOTHING"));
    st.Bind(1, name).Bind(2, start_after_seq).Bind(3, internal::ToMicros(ctx.now));
    RETURN_IF_ERROR(st.Run());
    if (ctx.conn.Changes() == 0) return absl::AlreadyExistsError(StrCat("consumer \"", name, "\" already exists"));
    return absl::OkStatus();
  });
}

absl::StatusOr<int64_t> Database::ConsumerCursor(std::string_view name) const {
  RETURN_IF_ERROR(CheckConsumerName(name));
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema&) { return ReadCursor(conn, name); });
}

absl::Status Database::AckConsumer(std::string_view name, int64_t seq) {
  RETURN_IF_ERROR(CheckConsumerName(name));
  return internal::Mutate(*core_, actor_, [&](const WriteContext& ctx) -> absl::Status {
    ASSIGN_OR_RETURN(int64_t cursor, ReadCursor(ctx.conn, name));
    ASSIGN_OR_RETURN(int64_t last, internal::LastChangeSeq(ctx.conn));
    if (seq < cursor) {
      return absl::FailedPreconditionError(StrCat("consumer \"", name, "\" is at ", cursor, "; cannot move back to ", seq));
    }
    if (seq > last) {
      return absl::InvalidArgumentError(StrCat("seq: ", seq, " is past the last change (", last, ")"));
    }
    ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare("UPDATE consumers SET cursor = ?, updated_at = ? WHERE name = ?"));
    st.Bind(1, seq).Bind(2, internal::ToMicros(ctx.now)).Bind(3, name);
    return st.Run();
  });
}

absl::Status Database::DropConsumer(std::string_view name) {
  RETURN_IF_ERROR(CheckConsumerName(name));
  return internal::Mutate(*core_, actor_, [&](const WriteContext& ctx) -> absl::Status {
    ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare("DELETE FROM consumers WHERE name = ?"));
    st.Bind(1, name);
    RETURN_IF_ERROR(st.Run());
    if (ctx.conn.Changes() == 0) return absl::NotFoundError(StrCat("consumer \"", name, "\" not found"));
    return absl::OkStatus();
  });
}

}  // namespace rapport
