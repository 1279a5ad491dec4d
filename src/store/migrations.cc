#include "store/migrations.h"

#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "store/schema_sql.h"

namespace rapport::internal {
namespace {

// Each entry upgrades version i to i + 1.
const std::vector<std::string_view>& Steps() {
  static const std::vector<std::string_view> steps = {kSchemaV1, kSchemaV2, kSchemaV3, kSchemaV4};
  return steps;
}

absl::StatusOr<int64_t> PragmaInt(Connection& conn, std::string_view pragma) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(StrCat("PRAGMA ", pragma)));
  ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(Steps().size()); }

absl::Status Migrate(Connection& conn) {
  auto app_id = PragmaInt(conn, "application_id");
  if (!app_id.ok()) {
    if (absl::IsDataLoss(app_id.status())) {
      return absl::InvalidArgumentError("not a Rapport database: the file is not an SQLite database");
    }
    return app_id.status();
  }
  ASSIGN_OR_RETURN(int64_t version, PragmaInt(conn, "user_version"));
  ASSIGN_OR_RETURN(Statement count, conn.Prepare("SELECT count(*) FROM sqlite_schema"));
  ASSIGN_OR_RETURN(bool has_row, count.Step());
  const bool empty = has_row && count.Int(0) == 0;

  if (*app_id != kApplicationId) {
    if (!(empty && *app_id == 0 && version == 0)) {
      return absl::InvalidArgumentError(
          "not a Rapport database: the file is an SQLite database of another application");
    }
  }
  if (version > LatestSchemaVersion()) {
    return absl::FailedPreconditionError(StrCat(
        "the database has schema version ", version, ", newer than this Rapport (", RAPPORT_VERSION_STRING,
        ") supports (", LatestSchemaVersion(), "); upgrade Rapport to open it"));
  }
  if (version == LatestSchemaVersion()) return absl::OkStatus();

  RETURN_IF_ERROR(conn.Exec("BEGIN IMMEDIATE"));
  absl::Status status = [&]() -> absl::Status {
    for (int64_t v = version; v < LatestSchemaVersion(); ++v) {
      absl::Status s = conn.Exec(Steps()[v]);
      if (!s.ok()) return absl::InternalError(StrCat("migration to schema version ", v + 1, " failed: ", s.message()));
    }
    RETURN_IF_ERROR(conn.Exec(StrCat("PRAGMA application_id = ", kApplicationId)));
    return conn.Exec(StrCat("PRAGMA user_version = ", LatestSchemaVersion()));
  }();
  if (!status.ok()) {
    conn.Exec("ROLLBACK").IgnoreError();
    return status;
  }
  return conn.Exec("COMMIT");
}

}  // namespace rapport::internal
