// Bulk import of customers from CSV.
#ifndef RAPPORT_IMPORT_H_
#define RAPPORT_IMPORT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace rapport {

// How CSV columns map to the customer record. Targets: a core or custom field name, "email",
// "phone" (several columns may map to these), "tags" (split on `tag_separator`), or
// "external_id:<system>". When `upsert_system` is set, rows are upserted by the column mapped to
// "external_id:<upsert_system>"; otherwise every row creates a customer. Unmapped columns are ignored.
struct ImportOptions {
  std::map<std::string, std::string> mapping;  // CSV header -> target
  std::string upsert_system;
  bool all_or_nothing = false;  // reject the whole file if any row is bad
  char delimiter = ',';
  std::string tag_separator = ";";
  // Called every `progress_every` rows and at the end; returning false cancels the import, which
  // then commits nothing.
  std::function<bool(int64_t rows_done)> progress;
  int64_t progress_every = 10000;
  // Rows are validated and normalised (phone numbers are the costly part) a batch ahead of the
  // writing, by this many helper threads and by the calling thread between its writes; 0 does
  // everything on the calling thread. Helpers live only during the call.
  int worker_threads = 1;
};

struct ImportRowError {
  int64_t row = 0;  // 1-based data row (the header is row 0)
  std::string field;
  std::string reason;
};

struct ImportReport {
  int64_t rows = 0;
  int64_t created = 0;
  int64_t updated = 0;
  int64_t failed = 0;
  std::vector<ImportRowError> errors;
  bool committed = false;  // false when all_or_nothing rejected the file
};

}  // namespace rapport

#endif  // RAPPORT_IMPORT_H_
