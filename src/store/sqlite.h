// RAII wrappers over the SQLite C API: a connection and a prepared statement.
#ifndef RAPPORT_STORE_SQLITE_H_
#define RAPPORT_STORE_SQLITE_H_

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rapport::internal {

// Maps a SQLite result code to a Status whose message starts with `context`.
absl::Status SqliteError(sqlite3* db, int rc, std::string_view context);

class Statement;

// One SQLite connection. Owns the handle; not thread-safe (callers serialise use).
class Connection {
 public:
  static absl::StatusOr<Connection> Open(const std::string& path, int flags, int busy_timeout_ms);
  Connection(Connection&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  ~Connection();

  // Runs one or more statements without results.
  absl::Status Exec(std::string_view sql);
  absl::StatusOr<Statement> Prepare(std::string_view sql);
  // A statement kept prepared on this connection for reuse (keyed by its text).
  absl::StatusOr<Statement*> Cached(std::string_view sql);
  // The same for a string literal, found by its address first: hot paths run a dozen statements a
  // row, and comparing their long texts showed in profiles. Only for literals (static storage).
  template <size_t N>
  absl::StatusOr<Statement*> Cached(const char (&literal)[N]) {
    return CachedLiteral(literal, std::string_view(literal, N - 1));
  }
  int64_t LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }
  int Changes() const { return sqlite3_changes(db_); }
  sqlite3* raw() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  absl::StatusOr<Statement*> CachedLiteral(const char* address, std::string_view sql);
  sqlite3* db_ = nullptr;
  struct Cache;
  Cache* cache_ = nullptr;
};

// A prepared statement. Bind parameters are 1-based, columns 0-based.
class Statement {
 public:
  Statement(Statement&& other) noexcept : stmt_(other.stmt_), db_(other.db_) { other.stmt_ = nullptr; }
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  ~Statement();

  Statement& Bind(int i, int64_t v);
  Statement& Bind(int i, int v) { return Bind(i, int64_t{v}); }
  Statement& Bind(int i, double v);
  Statement& Bind(int i, std::string_view v);
  Statement& Bind(int i, const char* v) { return Bind(i, std::string_view(v)); }
  Statement& Bind(int i, const std::string& v) { return Bind(i, std::string_view(v)); }
  Statement& BindNull(int i);
  template <typename T>
  Statement& Bind(int i, const std::optional<T>& v) {
    return v ? Bind(i, *v) : BindNull(i);
  }

  // Advances: true when a row is available, false when done.
  absl::StatusOr<bool> Step();
  // Runs a statement that returns no rows.
  absl::Status Run();
  void Reset();

  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Double(int col) const { return sqlite3_column_double(stmt_, col); }
  std::string Text(int col) const;
  std::string_view TextView(int col) const;
  std::optional<std::string> OptText(int col) const;
  std::optional<int64_t> OptInt(int col) const;

 private:
  friend class Connection;
  Statement(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  sqlite3_stmt* stmt_ = nullptr;
  sqlite3* db_ = nullptr;
};

}  // namespace rapport::internal

#endif  // RAPPORT_STORE_SQLITE_H_
