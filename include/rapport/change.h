// The change feed: an append-only log of every mutation, also the audit trail.
#ifndef RAPPORT_CHANGE_H_
#define RAPPORT_CHANGE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "rapport/types.h"

namespace rapport {

// One logged mutation. `before` and `after` are JSON objects of the changed fields (empty text when
// absent, e.g. `before` of a create; both empty after a purge redacted personal data).
struct Change {
  int64_t seq = 0;
  absl::Time at;
  std::optional<UserId> actor;
  std::string origin;
  std::string entity;  // "customer", "contact_point", "order", "activity", "custom_field", ...
  int64_t entity_id = 0;
  std::string op;      // "create", "update", "delete", "restore", "purge", "import", ...
  std::vector<std::string> fields;
  std::string before;
  std::string after;
};

struct ChangeQuery {
  int64_t after_seq = 0;      // changes with seq greater than this
  int limit = 1000;
  std::string exclude_origin;  // skip changes made by this origin (a partner's own echoes)
};

}  // namespace rapport

#endif  // RAPPORT_CHANGE_H_
