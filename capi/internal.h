// Internal plumbing of the C ABI: the handle structs and the exception-safe call wrapper.
// Not installed; every .cc of capi/ includes it.
#ifndef RAPPORT_CAPI_INTERNAL_H_
#define RAPPORT_CAPI_INTERNAL_H_

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rapport.h"
#include "rapport/database.h"

// ---- Handles ----

struct rapport_db {
  rapport::Database db;
  // Set when the database was opened with a manual clock; shared by all handles of the database.
  std::shared_ptr<rapport::ManualClock> manual_clock;
  // The handle's transaction slot (rapport_db_begin); the core binds a transaction to the thread
  // that began it, so the slot remembers that thread.
  std::mutex txn_mu;  // guards the three members below
  std::optional<rapport::Transaction> txn;
  std::thread::id txn_thread;
  bool txn_pending = false;  // a begin is in progress (it may wait for another thread's writes)

  rapport_db(rapport::Database d, std::shared_ptr<rapport::ManualClock> clock)
      : db(std::move(d)), manual_clock(std::move(clock)) {}
};

struct rapport_customer {
  rapport::Customer c;
  // Strings computed on demand; std::map nodes are stable, so pointers stay valid until freed.
  mutable std::optional<std::string> birthday;
  mutable std::optional<std::string> json;
  mutable std::map<std::string, std::optional<std::string>, std::less<>> fields;

  explicit rapport_customer(rapport::Customer customer) : c(std::move(customer)) {}
};

struct rapport_customer_list {
  std::vector<rapport_customer> items;
  int64_t next_after = 0;
};

struct rapport_timeline {
  std::vector<rapport::TimelineItem> items;
  std::vector<std::string> item_json;
  mutable std::optional<std::string> json;
};

struct rapport_import_report {
  rapport::ImportReport r;
};

struct rapport_change_list {
  std::vector<rapport::Change> changes;
  std::vector<std::string> fields_json;
};

namespace rapport::capi {

// ---- Errors ----

// Stores `status` (not OK) in `*err` when `err` is not NULL; returns its code.
rapport_code Fail(rapport_error** err, const absl::Status& status) noexcept;
rapport_code Fail(rapport_error** err, rapport_code code, std::string_view message) noexcept;
rapport_code ToCode(absl::StatusCode code) noexcept;

// "<fn>: argument '<name>' is NULL"
absl::Status NullArgument(const char* fn, const char* name);

// Runs `body` (returning absl::Status) so that no exception escapes: bad_alloc ->
// RESOURCE_EXHAUSTED, JSON type errors -> INVALID_ARGUMENT, anything else -> INTERNAL.
template <typename Body>
rapport_code Guard(rapport_error** err, const char* fn, Body&& body) noexcept {
  try {
    absl::Status status = body();
    if (status.ok()) return RAPPORT_OK;
    return Fail(err, status);
  } catch (const std::bad_alloc&) {
    return Fail(err, RAPPORT_RESOURCE_EXHAUSTED, "out of memory");
  } catch (const nlohmann::json::exception& e) {
    return Fail(err, RAPPORT_INVALID_ARGUMENT, std::string(fn) + ": invalid JSON: " + e.what());
  } catch (const std::exception& e) {
    return Fail(err, RAPPORT_INTERNAL, std::string(fn) + ": internal error: " + e.what());
  } catch (...) {
    return Fail(err, RAPPORT_INTERNAL, std::string(fn) + ": internal error");
  }
}

// Runs an infallible accessor; returns `fallback` if it throws.
template <typename T, typename Body>
T Safe(T fallback, Body&& body) noexcept {
  try {
    return body();
  } catch (...) {
    return fallback;
  }
}

// ---- Arguments ----

// Declares `kFn`, the C function's name, for messages.
#define RAPPORT_CAPI_FN const char* const kFn = __func__

// Checks that a required pointer is not NULL.
#define RAPPORT_CAPI_REQUIRE(ptr)                                          \
  do {                                                                     \
    if ((ptr) == nullptr) return ::rapport::capi::NullArgument(kFn, #ptr); \
  } while (0)

// A required UTF-8 string argument: not NULL, well-formed.
absl::Status CheckText(const char* fn, const char* name, const char* text);
// An optional UTF-8 string argument: NULL gives "".
absl::StatusOr<std::string> OptionalText(const char* fn, const char* name, const char* text);

// True when the options struct of size `struct_size` holds the member ending at `end`.
inline bool Has(uint32_t struct_size, size_t end) { return struct_size >= end; }
#define RAPPORT_CAPI_HAS(opts, member) \
  ::rapport::capi::Has((opts)->struct_size, offsetof(std::decay_t<decltype(*(opts))>, member) + sizeof((opts)->member))

// Checks the struct_size of an options struct: at least its first member after struct_size.
absl::Status CheckStructSize(const char* fn, const char* name, uint32_t struct_size, size_t min_size);

// Copies `text` into a malloc'ed NUL-terminated string owned by the C caller.
absl::Status ReturnString(const std::string& text, char** out);

// Converts ids and times.
inline int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }
inline absl::Time FromMicros(int64_t us) { return absl::FromUnixMicros(us); }
inline std::optional<int64_t> OptionalVersion(int64_t v) {
  return v >= 0 ? std::optional<int64_t>(v) : std::nullopt;
}

// Transactions: the begin/commit/rollback helpers live in db.cc.

}  // namespace rapport::capi

#endif  // RAPPORT_CAPI_INTERNAL_H_
