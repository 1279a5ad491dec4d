// Identifiers and small value types shared by the whole public API.
#ifndef RAPPORT_TYPES_H_
#define RAPPORT_TYPES_H_

#include <cstdint>
#include <optional>
#include <string>

namespace rapport {

// Strong row ids: `CustomerId{42}`, `static_cast<int64_t>(id)`. Distinct types cannot be mixed up.
enum class CustomerId : int64_t {};
enum class ContactPointId : int64_t {};
enum class OrderId : int64_t {};
enum class ActivityId : int64_t {};
enum class UserId : int64_t {};

inline int64_t ToInt(CustomerId id) { return static_cast<int64_t>(id); }
inline int64_t ToInt(ContactPointId id) { return static_cast<int64_t>(id); }
inline int64_t ToInt(OrderId id) { return static_cast<int64_t>(id); }
inline int64_t ToInt(ActivityId id) { return static_cast<int64_t>(id); }
inline int64_t ToInt(UserId id) { return static_cast<int64_t>(id); }

// Who makes a call: a user, or the system (no user). `origin` names the system a change came from
// (e.g. "erp"), so that a sync partner reading the change feed can skip its own echoes.
struct Actor {
  std::optional<UserId> user;
  std::string origin;

  static Actor System(std::string origin = "") { return Actor{std::nullopt, std::move(origin)}; }
  static Actor User(UserId user, std::string origin = "") { return Actor{user, std::move(origin)}; }
  bool is_system() const { return !user.has_value(); }
};

// A key of a record in another system: unique per (system, key).
struct ExternalId {
  std::string system;
  std::string key;
  friend bool operator==(const ExternalId&, const ExternalId&) = default;
};

}  // namespace rapport

#endif  // RAPPORT_TYPES_H_
