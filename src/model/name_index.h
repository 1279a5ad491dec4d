// Maintenance of the name index (customer_names, tokenized by rapport_grams: see
// store/name_tokenizer.h) and the queries it answers.
#ifndef RAPPORT_MODEL_NAME_INDEX_H_
#define RAPPORT_MODEL_NAME_INDEX_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "store/sqlite.h"

namespace rapport::internal {

absl::Status IndexName(Connection& conn, int64_t id, std::string_view name);
// The same with the name already folded for matching (NormalizeForMatch).
absl::Status IndexNameKey(Connection& conn, int64_t id, const std::string& key);
absl::Status ReindexName(Connection& conn, int64_t id, std::string_view old_name, std::string_view new_name);
absl::Status UnindexName(Connection& conn, int64_t id, std::string_view name);

// How to find names containing `key` (normalised for matching, non-empty): `match` for
// customer_names MATCH (rowid = customer id), and, when `verify` is not empty, the candidates must
// also satisfy instr(rapport_fold(name), verify) > 0 (see store/name_tokenizer.h).
struct NameQuery {
  std::string match;
  std::string verify;
};
NameQuery PlanNameQuery(std::string_view key);

}  // namespace rapport::internal

#endif  // RAPPORT_MODEL_NAME_INDEX_H_
