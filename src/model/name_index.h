// The full-text indexes behind name search: trigrams (substrings of three or more characters) and
// hex-coded bigrams plus the final character (one- and two-character substrings, e.g. surnames).
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

// How to find names containing `key` (already normalised for matching, non-empty): `condition`
// over `table` (aliased n; its rowid is the customer id) with one parameter, `argument`.
struct NameMatch {
  std::string_view table;
  std::string_view condition;
  std::string argument;
};
NameMatch MatchNamesContaining(std::string_view key);

// The tokens of the bigram index for a normalised name, space-separated (exposed for tests).
std::string NameGrams(std::string_view key);

}  // namespace rapport::internal

#endif  // RAPPORT_MODEL_NAME_INDEX_H_
