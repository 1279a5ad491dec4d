// The shared state behind Database handles: connections, write serialisation, the field schema.
#ifndef RAPPORT_DB_CORE_H_
#define RAPPORT_DB_CORE_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "absl/status/statusor.h"
#include "db/frame_cache.h"
#include "model/customer_repository.h"
#include "model/field_schema.h"
#include "rapport/database.h"
#include "store/sqlite.h"

namespace rapport::internal {

class RuleActionRegistry;
std::shared_ptr<RuleActionRegistry> MakeRuleActionRegistry();

inline const absl::Status& StatusOf(const absl::Status& s) { return s; }

// Runs a statement kept prepared on `conn` (BEGIN and COMMIT of every read would otherwise be parsed
// again each time).
template <size_t N>
absl::Status RunCached(Connection& conn, const char (&sql)[N]) {
  auto st = conn.Cached(sql);
  if (!st.ok()) return st.status();
  return (*st)->Run();
}
template <typename T>
const absl::Status& StatusOf(const absl::StatusOr<T>& s) {
  return s.status();
}

// InvalidArgument unless the actor's user id is positive and its origin short valid UTF-8.
absl::Status CheckActor(const Actor& actor);

class Core;

// The change-log entries an outer transaction wrote: seqs first..last (inclusive).
struct CommittedSeqs {
  int64_t first = 0;
  int64_t last = 0;
};

// Runs after an outer transaction (Core::Write outside any transaction, or a user transaction's
// Commit) committed change-log entries: on the committing thread, with no transaction open, before
// the call that committed returns. A hook writes in transactions of its own (core.Write); what those
// commit is passed to the hooks again, up to Core::kMaxHookRounds rounds. A hook's failure does not
// undo what was committed (it is kept in Core::last_hook_error()).
using AfterCommitHook = std::function<absl::Status(Core& core, CommittedSeqs seqs)>;

// Owns the writer connection (one, serialised by a mutex) and a pool of reader connections (file
// databases in WAL mode). A thread holding the write lock (inside Write or a user transaction)
// reads through the writer connection so that it sees its own uncommitted writes. Thread-safe.
class Core {
 public:
  static absl::StatusOr<std::shared_ptr<Core>> Open(std::string_view path, const Options& options);
  ~Core();

  absl::Time Now() const { return clock_->Now(); }
  const Options& options() const { return options_; }
  const std::string& path() const { return path_; }
  std::shared_ptr<const FieldSchema> schema() const;
  // Reloads the field schema from `conn` (after custom field changes or a rollback).
  absl::Status ReloadSchema(Connection& conn);

  // Runs fn(Connection&) in a write transaction (or a savepoint when this thread already holds
  // the write lock); commits when fn returns OK, rolls back otherwise. Returns fn's result.
  template <typename F>
  auto Write(F&& fn) -> std::invoke_result_t<F, Connection&>;

  // Runs fn(Connection&) inside a read transaction (a consistent snapshot).
  template <typename F>
  auto Read(F&& fn) const -> std::invoke_result_t<F, Connection&>;

  // A read-only connection of the caller's own, configured as the pooled readers are, with or without
  // memory mapping; nullptr for a memory database (read those through Read). Run reads on it in a
  // read transaction (BEGIN ... COMMIT), and only when this thread does not hold the write lock.
  absl::StatusOr<std::unique_ptr<Connection>> OpenReader(bool memory_mapped) const;

  // After-commit hooks by name (see AfterCommitHook); setting a null hook removes it. With no hook
  // registered a commit costs nothing extra; with one, two `SELECT max(seq)` per outer transaction.
  static constexpr int kMaxHookRounds = 4;
  void SetAfterCommitHook(const std::string& name, AfterCommitHook hook);
  bool HasAfterCommitHook(const std::string& name) const;
  absl::Status last_hook_error() const;

  // User transactions spanning several calls on one thread.
  absl::Status BeginUser();
  absl::Status CommitUser();
  absl::Status RollbackUser();
  bool InUserTransaction() const;

 private:
  Core() = default;
  bool HeldByThisThread() const { return owner_.load() == std::this_thread::get_id(); }
  absl::StatusOr<Connection*> AcquireReader() const;
  void ReleaseReader(Connection* conn) const;
  absl::Status BeginOuter();
  absl::Status EndOuter(bool commit);
  // The seqs the outer transaction that just ended committed (empty unless hooks were armed).
  CommittedSeqs TakeCommitted();
  // Runs the hooks for `seqs`, then for what they committed; called without the write lock.
  void RunAfterCommitHooks(CommittedSeqs seqs);

  mutable std::mutex hooks_mu_;
  std::map<std::string, AfterCommitHook> hooks_;  // guarded by hooks_mu_
  std::atomic<int> hook_count_{0};
  absl::Status last_hook_error_;  // guarded by hooks_mu_
  // Guarded by write_mu_: whether this outer transaction records its seqs, and what it committed.
  bool armed_ = false;
  int64_t armed_seq_ = 0;
  CommittedSeqs committed_;

  Options options_;
  std::shared_ptr<Clock> clock_;
  std::string path_;
  bool memory_ = false;

  mutable std::mutex write_mu_;
  mutable Connection* writer_ = nullptr;
  std::unique_ptr<Connection> writer_owned_;
  std::atomic<std::thread::id> owner_{};
  bool user_tx_ = false;  // guarded by write_mu_ (held by owner_)
  int savepoint_depth_ = 0;

  mutable std::mutex reader_mu_;
  mutable std::condition_variable reader_cv_;
  mutable std::vector<std::unique_ptr<Connection>> readers_;
  mutable int readers_opened_ = 0;  // including ones being opened; guarded by reader_mu_
  mutable std::vector<Connection*> idle_readers_;

  mutable std::mutex schema_mu_;
  std::shared_ptr<const FieldSchema> schema_;

 public:
  // Whether this thread holds the write lock (a transaction is open): reads see uncommitted data.
  bool WritingOnThisThread() const { return HeldByThisThread(); }
  // The customer frame segments are evaluated on (see FrameCache).
  FrameCache& frame_cache() const { return *frame_cache_; }
  // Plugin actions of automation rules registered on this open database.
  RuleActionRegistry& rule_actions() const { return *rule_actions_; }

 private:
  std::unique_ptr<FrameCache> frame_cache_ = std::make_unique<FrameCache>();
  std::shared_ptr<RuleActionRegistry> rule_actions_ = MakeRuleActionRegistry();
};

template <typename F>
auto Core::Write(F&& fn) -> std::invoke_result_t<F, Connection&> {
  using Result = std::invoke_result_t<F, Connection&>;
  if (HeldByThisThread()) {
    const std::string name = std::string("w").append(std::to_string(savepoint_depth_++));
    if (absl::Status s = writer_->Exec(std::string("SAVEPOINT ").append(name)); !s.ok()) {
      --savepoint_depth_;
      return Result(s);
    }
    Result result = fn(*writer_);
    if (!StatusOf(result).ok()) {
      writer_->Exec(std::string("ROLLBACK TO ").append(name)).IgnoreError();
    }
    writer_->Exec(std::string("RELEASE ").append(name)).IgnoreError();
    --savepoint_depth_;
    return result;
  }
  std::unique_lock<std::mutex> lock(write_mu_);
  owner_.store(std::this_thread::get_id());
  if (absl::Status s = BeginOuter(); !s.ok()) {
    owner_.store(std::thread::id());
    return Result(s);
  }
  Result result = fn(*writer_);
  absl::Status end = EndOuter(StatusOf(result).ok());
  const CommittedSeqs committed = TakeCommitted();
  owner_.store(std::thread::id());
  lock.unlock();
  if (committed.last >= committed.first && committed.first > 0) RunAfterCommitHooks(committed);
  if (!end.ok() && StatusOf(result).ok()) return Result(end);
  return result;
}

template <typename F>
auto Core::Read(F&& fn) const -> std::invoke_result_t<F, Connection&> {
  using Result = std::invoke_result_t<F, Connection&>;
  if (HeldByThisThread()) return fn(*writer_);
  if (memory_) {
    std::unique_lock<std::mutex> lock(write_mu_);
    return fn(*writer_);
  }
  auto conn = AcquireReader();
  if (!conn.ok()) return Result(conn.status());
  Result result = [&]() -> Result {
    if (absl::Status s = RunCached(**conn, "BEGIN"); !s.ok()) return Result(s);
    Result r = fn(**conn);
    RunCached(**conn, "COMMIT").IgnoreError();
    return r;
  }();
  ReleaseReader(*conn);
  return result;
}

}  // namespace rapport::internal

#endif  // RAPPORT_DB_CORE_H_
