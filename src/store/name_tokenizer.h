// The FTS5 tokenizer "rapport_grams" behind name search: a text becomes the overlapping pairs of its
// characters (bigrams) plus, in documents, its last character alone. A substring of two or more
// characters is then a phrase of consecutive bigrams, and a single character a prefix query (it starts a
// bigram or ends the text): one index serves every query length, CJK and Latin alike.
#ifndef RAPPORT_STORE_NAME_TOKENIZER_H_
#define RAPPORT_STORE_NAME_TOKENIZER_H_

#include <sqlite3.h>

#include "absl/status/status.h"

namespace rapport::internal {

// Registers the tokenizer on `db`, and the SQL function rapport_fold(text) (the NFKC case fold that
// names are indexed under); needed on every connection that reads or writes the name index.
absl::Status RegisterNameTokenizer(sqlite3* db);

}  // namespace rapport::internal

#endif  // RAPPORT_STORE_NAME_TOKENIZER_H_
