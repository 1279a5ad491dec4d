#include "db/core.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "base/text.h"
#include "model/contact_normalize.h"
#include "model/custom_field_repository.h"
#include "store/change_log.h"
#include "store/migrations.h"
#include "store/name_tokenizer.h"

namespace rapport::internal {
namespace {

constexpr int kMaxReaders = 64;

// Memory-mapped reads avoid a pread per page on random point reads.
absl::Status ConfigureReads(Connection& conn, bool memory_mapped = true) {
  RETURN_IF_ERROR(RegisterNameTokenizer(conn.raw()));
  if (memory_mapped) RETURN_IF_ERROR(conn.Exec("PRAGMA mmap_size = 1073741824"));
  return conn.Exec("PRAGMA cache_size = -16384");
}

absl::Status ConfigureConnection(Connection& conn) {
  RETURN_IF_ERROR(conn.Exec("PRAGMA foreign_keys = ON"));
  RETURN_IF_ERROR(conn.Exec("PRAGMA mmap_size = 1073741824"));
  // Bulk writes touch many index pages; the default 2 MB cache makes SQLite spill them repeatedly.
  RETURN_IF_ERROR(conn.Exec("PRAGMA cache_size = -65536"));
  return conn.Exec("PRAGMA synchronous = NORMAL");
}

}  // namespace

absl::Status CheckActor(const Actor& actor) {
  if (actor.user && ToInt(*actor.user) <= 0) return absl::InvalidArgumentError("actor: a user id must be positive");
  RETURN_IF_ERROR(CheckUtf8("origin", actor.origin));
  if (actor.origin.size() > 64) return absl::InvalidArgumentError("origin: longer than 64 bytes");
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<Core>> Core::Open(std::string_view path, const Options& options) {
  if (path.empty()) return absl::InvalidArgumentError("path: must not be empty (use \":memory:\" for a memory database)");
  if (path.find('\0') != std::string_view::npos) return absl::InvalidArgumentError("path: contains a NUL character");
  if (options.reader_connections < 1 || options.reader_connections > kMaxReaders) {
    return absl::InvalidArgumentError(StrCat("reader_connections: must be between 1 and ", kMaxReaders));
  }
  if (options.busy_timeout_ms < 0) return absl::InvalidArgumentError("busy_timeout_ms: must not be negative");
  if (!IsKnownPhoneRegion(options.default_region)) {
    return absl::InvalidArgumentError(
        StrCat("default_region: \"", options.default_region, "\" is not a known region code (e.g. CN, US)"));
  }
  std::shared_ptr<Core> core(new Core());
  core->options_ = options;
  core->clock_ = options.clock ? options.clock : std::make_shared<SystemClock>();
  core->path_ = std::string(path);
  core->memory_ = path == ":memory:";
  int flags = SQLITE_OPEN_READWRITE;
  if (options.create_if_missing) flags |= SQLITE_OPEN_CREATE;
  auto conn = Connection::Open(core->path_, flags, options.busy_timeout_ms);
  if (!conn.ok()) {
    if (absl::IsNotFound(conn.status()) && !options.create_if_missing) {
      return absl::NotFoundError(StrCat("no database at \"", path, "\" (create_if_missing is off)"));
    }
    return conn.status();
  }
  core->writer_owned_ = std::make_unique<Connection>(std::move(conn).value());
  core->writer_ = core->writer_owned_.get();
  Connection& w = *core->writer_;
  RETURN_IF_ERROR(RegisterNameTokenizer(w.raw()));
  // Migrate checks the file before anything is written to it.
  RETURN_IF_ERROR(Migrate(w));
  if (!core->memory_) {
    ASSIGN_OR_RETURN(Statement wal, w.Prepare("PRAGMA journal_mode = WAL"));
    RETURN_IF_ERROR(wal.Step().status());
  }
  RETURN_IF_ERROR(ConfigureConnection(w));
  RETURN_IF_ERROR(core->ReloadSchema(w));
  return core;
}

Core::~Core() {
  idle_readers_.clear();
  readers_.clear();
  writer_owned_.reset();
}

std::shared_ptr<const FieldSchema> Core::schema() const {
  std::lock_guard<std::mutex> lock(schema_mu_);
  return schema_;
}

absl::Status Core::ReloadSchema(Connection& conn) {
  ASSIGN_OR_RETURN(std::vector<CustomFieldDef> defs, LoadCustomFields(conn));
  auto schema = std::make_shared<const FieldSchema>(std::move(defs));
  std::lock_guard<std::mutex> lock(schema_mu_);
  schema_ = std::move(schema);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Connection>> Core::OpenReader(bool memory_mapped) const {
  if (memory_) return std::unique_ptr<Connection>();
  ASSIGN_OR_RETURN(Connection conn, Connection::Open(path_, SQLITE_OPEN_READONLY, options_.busy_timeout_ms));
  RETURN_IF_ERROR(ConfigureReads(conn, memory_mapped));
  return std::make_unique<Connection>(std::move(conn));
}

absl::StatusOr<Connection*> Core::AcquireReader() const {
  std::unique_lock<std::mutex> lock(reader_mu_);
  while (idle_readers_.empty()) {
    if (readers_opened_ < options_.reader_connections) {
      ++readers_opened_;
      lock.unlock();
      auto conn = Connection::Open(path_, SQLITE_OPEN_READONLY, options_.busy_timeout_ms);
      absl::Status configured = conn.ok() ? ConfigureReads(*conn) : conn.status();
      if (!configured.ok()) {
        lock.lock();
        --readers_opened_;
        return configured;
      }
      auto owned = std::make_unique<Connection>(std::move(conn).value());
      lock.lock();
      Connection* raw = owned.get();
      readers_.push_back(std::move(owned));
      return raw;
    }
    reader_cv_.wait(lock);
  }
  Connection* conn = idle_readers_.back();
  idle_readers_.pop_back();
  return conn;
}

void Core::ReleaseReader(Connection* conn) const {
  {
    std::lock_guard<std::mutex> lock(reader_mu_);
    idle_readers_.push_back(conn);
  }
  reader_cv_.notify_one();
}

absl::Status Core::BeginOuter() {
  RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
  armed_ = hook_count_.load() > 0;
  committed_ = {};
  if (armed_) {
    auto seq = LastChangeSeq(*writer_);
    if (!seq.ok()) {
      writer_->Exec("ROLLBACK").IgnoreError();
      return seq.status();
    }
    armed_seq_ = *seq;
  }
  return absl::OkStatus();
}

absl::Status Core::EndOuter(bool commit) {
  if (commit) {
    int64_t last = 0;
    if (armed_) {
      auto seq = LastChangeSeq(*writer_);
      last = seq.ok() ? *seq : 0;
    }
    absl::Status s = writer_->Exec("COMMIT");
    if (s.ok()) {
      if (armed_ && last > armed_seq_) committed_ = {armed_seq_ + 1, last};
      return s;
    }
    writer_->Exec("ROLLBACK").IgnoreError();
    ReloadSchema(*writer_).IgnoreError();
    return s;
  }
  absl::Status s = writer_->Exec("ROLLBACK");
  ReloadSchema(*writer_).IgnoreError();
  return s;
}

CommittedSeqs Core::TakeCommitted() {
  CommittedSeqs c = committed_;
  committed_ = {};
  armed_ = false;
  return c;
}

void Core::SetAfterCommitHook(const std::string& name, AfterCommitHook hook) {
  std::lock_guard<std::mutex> lock(hooks_mu_);
  if (hook) {
    hooks_[name] = std::move(hook);
  } else {
    hooks_.erase(name);
  }
  hook_count_.store(static_cast<int>(hooks_.size()));
}

bool Core::HasAfterCommitHook(const std::string& name) const {
  std::lock_guard<std::mutex> lock(hooks_mu_);
  return hooks_.count(name) > 0;
}

absl::Status Core::last_hook_error() const {
  std::lock_guard<std::mutex> lock(hooks_mu_);
  return last_hook_error_;
}

namespace {
// Set while this thread runs hooks: the transactions hooks commit are collected into the next round
// rather than dispatched recursively.
thread_local bool running_hooks = false;
thread_local int64_t hook_round_last_seq = 0;
}  // namespace

void Core::RunAfterCommitHooks(CommittedSeqs seqs) {
  if (running_hooks) {
    hook_round_last_seq = std::max(hook_round_last_seq, seqs.last);
    return;
  }
  running_hooks = true;
  for (int round = 0; round < kMaxHookRounds && seqs.first > 0 && seqs.last >= seqs.first; ++round) {
    std::vector<AfterCommitHook> hooks;
    {
      std::lock_guard<std::mutex> lock(hooks_mu_);
      for (const auto& [name, hook] : hooks_) hooks.push_back(hook);
    }
    hook_round_last_seq = 0;
    for (const AfterCommitHook& hook : hooks) {
      absl::Status s = hook(*this, seqs);
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(hooks_mu_);
        last_hook_error_ = s;
      }
    }
    seqs = hook_round_last_seq > seqs.last ? CommittedSeqs{seqs.last + 1, hook_round_last_seq} : CommittedSeqs{};
  }
  running_hooks = false;
}

absl::Status Core::BeginUser() {
  if (HeldByThisThread()) {
    return absl::FailedPreconditionError("a transaction is already open on this thread; transactions do not nest");
  }
  write_mu_.lock();
  owner_.store(std::this_thread::get_id());
  if (absl::Status s = BeginOuter(); !s.ok()) {
    owner_.store(std::thread::id());
    write_mu_.unlock();
    return s;
  }
  user_tx_ = true;
  return absl::OkStatus();
}

bool Core::InUserTransaction() const { return HeldByThisThread() && user_tx_; }

absl::Status Core::CommitUser() {
  if (!InUserTransaction()) return absl::FailedPreconditionError("no transaction is open on this thread");
  absl::Status s = EndOuter(true);
  const CommittedSeqs committed = TakeCommitted();
  user_tx_ = false;
  owner_.store(std::thread::id());
  write_mu_.unlock();
  if (committed.first > 0 && committed.last >= committed.first) RunAfterCommitHooks(committed);
  return s;
}

absl::Status Core::RollbackUser() {
  if (!InUserTransaction()) return absl::FailedPreconditionError("no transaction is open on this thread");
  absl::Status s = EndOuter(false);
  TakeCommitted();
  user_tx_ = false;
  owner_.store(std::thread::id());
  write_mu_.unlock();
  return s;
}

}  // namespace rapport::internal
