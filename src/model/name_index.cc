#include "model/name_index.h"

#include "absl/strings/str_replace.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "base/text.h"

namespace rapport::internal {
namespace {

template <size_t N>
absl::Status Run(Connection& conn, const char (&sql)[N], int64_t id, std::string_view key) {
  ASSIGN_OR_RETURN(Statement * st, conn.Cached(sql));
  st->Bind(1, id).Bind(2, key);
  return st->Run();
}

}  // namespace

absl::Status IndexName(Connection& conn, int64_t id, std::string_view name) {
  return IndexNameKey(conn, id, NormalizeForMatch(name));
}

absl::Status IndexNameKey(Connection& conn, int64_t id, const std::string& key) {
  return Run(conn, "INSERT INTO customer_names (rowid, name_key) VALUES (?, ?)", id, key);
}

absl::Status UnindexName(Connection& conn, int64_t id, std::string_view name) {
  // A contentless table forgets a row when given the text it was indexed with.
  return Run(conn, "INSERT INTO customer_names (customer_names, rowid, name_key) VALUES ('delete', ?, ?)", id,
             NormalizeForMatch(name));
}

absl::Status ReindexName(Connection& conn, int64_t id, std::string_view old_name, std::string_view new_name) {
  RETURN_IF_ERROR(UnindexName(conn, id, old_name));
  return IndexName(conn, id, new_name);
}

std::string NameMatchExpression(std::string_view key) {
  // A quoted FTS5 string: the tokenizer turns it into a phrase of bigrams; a single character into
  // one token, matched as a prefix.
  std::string quoted = StrCat("\"", absl::StrReplaceAll(AsAbsl(key), {{"\"", "\"\""}}), "\"");
  return CodePointCount(key) == 1 ? quoted + " *" : quoted;
}

}  // namespace rapport::internal
