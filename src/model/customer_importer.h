// Bulk import of customers from CSV, inside a transaction the caller owns.
#ifndef RAPPORT_MODEL_CUSTOMER_IMPORTER_H_
#define RAPPORT_MODEL_CUSTOMER_IMPORTER_H_

#include "absl/status/statusor.h"
#include "model/customer_repository.h"
#include "rapport/import.h"

namespace rapport::internal {

// Imports every row of `csv`. Bad rows are reported, not written; good rows are written. The
// caller rolls back when it wants all-or-nothing. Errors that concern the whole file (bad mapping,
// malformed CSV, cancellation) are returned as a status. Logs one compact "import" change.
absl::StatusOr<ImportReport> ImportCustomers(const WriteContext& ctx, std::string_view csv, const ImportOptions& options);

}  // namespace rapport::internal

#endif  // RAPPORT_MODEL_CUSTOMER_IMPORTER_H_
