#include "store/sqlite.h"

#include <map>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "base/strings.h"

namespace rapport::internal {

absl::Status SqliteError(sqlite3* db, int rc, std::string_view context) {
  std::string msg = StrCat(context, ": ", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError(msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::DataLossError(msg);
    case SQLITE_CONSTRAINT:
      return absl::AlreadyExistsError(msg);
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return absl::PermissionDeniedError(msg);
    case SQLITE_CANTOPEN:
      return absl::NotFoundError(msg);
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
    case SQLITE_MISMATCH:
      return absl::InvalidArgumentError(msg);
    default:
      return absl::InternalError(msg);
  }
}

struct Connection::Cache {
  std::map<std::string, std::unique_ptr<Statement>, std::less<>> statements;
  absl::flat_hash_map<const char*, Statement*> by_literal;
};

absl::StatusOr<Connection> Connection::Open(const std::string& path, int flags, int busy_timeout_ms) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    absl::Status s = SqliteError(db, rc, StrCat("cannot open \"", path, "\""));
    sqlite3_close(db);
    return s;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  return Connection(db);
}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    this->~Connection();
    db_ = other.db_;
    cache_ = other.cache_;
    other.db_ = nullptr;
    other.cache_ = nullptr;
  }
  return *this;
}

Connection::~Connection() {
  delete cache_;  // finalises statements before the connection closes
  cache_ = nullptr;
  if (db_) sqlite3_close_v2(db_);
  db_ = nullptr;
}

absl::Status Connection::Exec(std::string_view sql) {
  std::string text(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    absl::Status s = SqliteError(db_, rc, "sql");
    sqlite3_free(err);
    return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<Statement> Connection::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                              &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, StrCat("prepare [", sql, "]"));
  return Statement(stmt, db_);
}

absl::StatusOr<Statement*> Connection::Cached(std::string_view sql) {
  if (!cache_) cache_ = new Cache;
  auto it = cache_->statements.find(sql);
  if (it != cache_->statements.end()) {
    it->second->Reset();
    return it->second.get();
  }
  auto st = Prepare(sql);
  if (!st.ok()) return st.status();
  auto owned = std::make_unique<Statement>(std::move(st).value());
  Statement* raw = owned.get();
  cache_->statements.emplace(std::string(sql), std::move(owned));
  return raw;
}

absl::StatusOr<Statement*> Connection::CachedLiteral(const char* address, std::string_view sql) {
  if (cache_ != nullptr) {
    auto it = cache_->by_literal.find(address);
    if (it != cache_->by_literal.end()) {
      it->second->Reset();
      return it->second;
    }
  }
  auto st = Cached(sql);
  if (st.ok()) cache_->by_literal.emplace(address, *st);
  return st;
}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = other.stmt_;
    db_ = other.db_;
    other.stmt_ = nullptr;
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::Bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Statement& Statement::Bind(int i, double v) {
  sqlite3_bind_double(stmt_, i, v);
  return *this;
}
Statement& Statement::Bind(int i, std::string_view v) {
  sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}
Statement& Statement::BindNull(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

absl::StatusOr<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  absl::Status s = SqliteError(db_, rc, "step");
  sqlite3_reset(stmt_);
  return s;
}

absl::Status Statement::Run() {
  auto r = Step();
  sqlite3_reset(stmt_);
  if (!r.ok()) return r.status();
  return absl::OkStatus();
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::Text(int col) const { return std::string(TextView(col)); }

std::string_view Statement::TextView(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  if (!p) return {};
  return std::string_view(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, col));
}

std::optional<std::string> Statement::OptText(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Text(col);
}

std::optional<int64_t> Statement::OptInt(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Int(col);
}

}  // namespace rapport::internal
