// Schema creation and upgrades, keyed by PRAGMA user_version.
#ifndef RAPPORT_STORE_MIGRATIONS_H_
#define RAPPORT_STORE_MIGRATIONS_H_

#include "absl/status/status.h"
#include "store/sqlite.h"

namespace rapport::internal {

// PRAGMA application_id of Rapport files ("RPRT").
inline constexpr int kApplicationId = 0x52505254;
// The schema version this build writes.
int LatestSchemaVersion();

// Checks that `conn` holds a Rapport database (or an empty file) and brings its schema up to date in
// one transaction. An empty database becomes a Rapport database. A foreign file is refused untouched
// (InvalidArgument); a file from a newer Rapport is refused (FailedPrecondition).
absl::Status Migrate(Connection& conn);

}  // namespace rapport::internal

#endif  // RAPPORT_STORE_MIGRATIONS_H_
