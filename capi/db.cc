// Opening and closing databases, actors, the manual clock and transactions.
#include "absl/strings/str_cat.h"
#include "internal.h"

namespace rc = rapport::capi;

namespace {

rapport::Actor MakeActor(int64_t user_id, std::string origin) {
  if (user_id > 0) return rapport::Actor::User(rapport::UserId{user_id}, std::move(origin));
  return rapport::Actor::System(std::move(origin));
}

}  // namespace

extern "C" {

void rapport_open_options_init(rapport_open_options* opts) noexcept {
  if (opts == nullptr) return;
  *opts = rapport_open_options{};
  opts->struct_size = sizeof(rapport_open_options);
  opts->clock_kind = RAPPORT_CLOCK_SYSTEM;
  opts->clock_start = 0;
  opts->default_region = nullptr;
  opts->actor_user_id = 0;
  opts->actor_origin = nullptr;
  opts->create_if_missing = 1;
  opts->busy_timeout_ms = 5000;
  opts->reader_connections = 4;
}

rapport_code rapport_db_open(const char* path, const rapport_open_options* opts, rapport_db** out,
                             rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(out);
    absl::Status st = rc::CheckText(kFn, "path", path);
    if (!st.ok()) return st;
    rapport::Options options;
    std::shared_ptr<rapport::ManualClock> manual;
    if (opts != nullptr) {
      st = rc::CheckStructSize(kFn, "opts", opts->struct_size, offsetof(rapport_open_options, clock_kind) + 4);
      if (!st.ok()) return st;
      if (RAPPORT_CAPI_HAS(opts, clock_kind)) {
        if (opts->clock_kind == RAPPORT_CLOCK_MANUAL) {
          int64_t start = RAPPORT_CAPI_HAS(opts, clock_start) ? opts->clock_start : 0;
          manual = std::make_shared<rapport::ManualClock>(rc::FromMicros(start));
          options.clock = manual;
        } else if (opts->clock_kind != RAPPORT_CLOCK_SYSTEM) {
          return absl::InvalidArgumentError(
              absl::StrCat(kFn, ": opts->clock_kind: unknown clock kind ", opts->clock_kind));
        }
      }
      if (RAPPORT_CAPI_HAS(opts, default_region) && opts->default_region != nullptr) {
        auto region = rc::OptionalText(kFn, "default_region", opts->default_region);
        if (!region.ok()) return region.status();
        options.default_region = *std::move(region);
      }
      if (RAPPORT_CAPI_HAS(opts, actor_origin)) {
        auto origin = rc::OptionalText(kFn, "actor_origin", opts->actor_origin);
        if (!origin.ok()) return origin.status();
        options.actor = MakeActor(opts->actor_user_id, *std::move(origin));
      } else if (RAPPORT_CAPI_HAS(opts, actor_user_id)) {
        options.actor = MakeActor(opts->actor_user_id, "");
      }
      if (RAPPORT_CAPI_HAS(opts, create_if_missing)) options.create_if_missing = opts->create_if_missing != 0;
      if (RAPPORT_CAPI_HAS(opts, busy_timeout_ms)) options.busy_timeout_ms = opts->busy_timeout_ms;
      if (RAPPORT_CAPI_HAS(opts, reader_connections)) options.reader_connections = opts->reader_connections;
    }
    auto db = rapport::Database::Open(path, std::move(options));
    if (!db.ok()) return db.status();
    *out = new rapport_db(*std::move(db), std::move(manual));
    return absl::OkStatus();
  });
}

void rapport_db_close(rapport_db* db) noexcept {
  if (db == nullptr) return;
  try {
    {
      std::lock_guard<std::mutex> lock(db->txn_mu);
      // Only the beginning thread can roll back (see rapport.h); elsewhere this is a no-op.
      if (db->txn.has_value() && db->txn_thread == std::this_thread::get_id()) (void)db->txn->Rollback();
      db->txn.reset();
    }
    delete db;
  } catch (...) {
    // Destructors of the core do not throw; nothing sensible to do here.
  }
}

rapport_code rapport_db_with_actor(rapport_db* db, int64_t user_id, const char* origin, rapport_db** out,
                                   rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out);
    auto text = rc::OptionalText(kFn, "origin", origin);
    if (!text.ok()) return text.status();
    *out = new rapport_db(db->db.WithActor(MakeActor(user_id, *std::move(text))), db->manual_clock);
    return absl::OkStatus();
  });
}

rapport_code rapport_db_now(rapport_db* db, int64_t* out_micros, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out_micros);
    *out_micros = rc::Micros(db->db.Now());
    return absl::OkStatus();
  });
}

static absl::Status NeedManualClock(const char* fn, rapport_db* db) {
  if (db->manual_clock == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat(fn, ": the database was not opened with a manual clock (RAPPORT_CLOCK_MANUAL)"));
  }
  return absl::OkStatus();
}

rapport_code rapport_db_set_time(rapport_db* db, int64_t micros, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    absl::Status st = NeedManualClock(kFn, db);
    if (!st.ok()) return st;
    db->manual_clock->Set(rc::FromMicros(micros));
    return absl::OkStatus();
  });
}

rapport_code rapport_db_advance_time(rapport_db* db, int64_t micros, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    absl::Status st = NeedManualClock(kFn, db);
    if (!st.ok()) return st;
    db->manual_clock->Advance(absl::Microseconds(micros));
    return absl::OkStatus();
  });
}

rapport_code rapport_db_schema_version(rapport_db* db, int* out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out);
    *out = db->db.schema_version();
    return absl::OkStatus();
  });
}

rapport_code rapport_db_begin(rapport_db* db, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    {
      std::lock_guard<std::mutex> lock(db->txn_mu);
      if (db->txn.has_value() || db->txn_pending) {
        return absl::FailedPreconditionError(
            absl::StrCat(kFn, ": a transaction is already open on this handle"));
      }
      db->txn_pending = true;
    }
    // Outside the lock: Begin waits while another thread holds the write lock.
    absl::StatusOr<rapport::Transaction> txn = absl::InternalError("not begun");
    try {
      txn = db->db.Begin();
    } catch (...) {
      std::lock_guard<std::mutex> lock(db->txn_mu);
      db->txn_pending = false;
      throw;
    }
    std::lock_guard<std::mutex> lock(db->txn_mu);
    db->txn_pending = false;
    if (!txn.ok()) return txn.status();
    db->txn.emplace(*std::move(txn));
    db->txn_thread = std::this_thread::get_id();
    return absl::OkStatus();
  });
}

static absl::Status EndTransaction(const char* fn, rapport_db* db, bool commit) {
  std::optional<rapport::Transaction> txn;
  {
    std::lock_guard<std::mutex> lock(db->txn_mu);
    if (!db->txn.has_value()) {
      return absl::FailedPreconditionError(absl::StrCat(fn, ": no transaction is open on this handle"));
    }
    if (db->txn_thread != std::this_thread::get_id()) {
      return absl::FailedPreconditionError(
          absl::StrCat(fn, ": the transaction belongs to the thread that began it; end it on that thread"));
    }
    txn = std::move(db->txn);
    db->txn.reset();
  }
  // Outside the lock: commit runs hooks and listeners, which may call back into the C ABI.
  return commit ? txn->Commit() : txn->Rollback();
}

rapport_code rapport_db_commit(rapport_db* db, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    return EndTransaction(kFn, db, true);
  });
}

rapport_code rapport_db_rollback(rapport_db* db, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    return EndTransaction(kFn, db, false);
  });
}

}  // extern "C"
