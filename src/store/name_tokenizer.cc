#include "store/name_tokenizer.h"

#include <string>
#include <string_view>
#include <vector>

#include "base/text.h"

namespace rapport::internal {
namespace {

// FTS5 asks for a tokenizer object; ours has no state.
Fts5Tokenizer* const kInstance = reinterpret_cast<Fts5Tokenizer*>(const_cast<char*>("rapport_grams"));

int Create(void*, const char**, int n_args, Fts5Tokenizer** out) {
  if (n_args != 0) return SQLITE_ERROR;
  *out = kInstance;
  return SQLITE_OK;
}

void Delete(Fts5Tokenizer*) {}

using TokenFn = int (*)(void*, int, const char*, int, int, int);

int Tokenize(Fts5Tokenizer*, void* ctx, int flags, const char* text, int n, TokenFn token) {
  // Byte offsets of the code points (the text is valid UTF-8: names are checked on entry).
  std::vector<int> starts;
  starts.reserve(n);
  for (int i = 0; i < n; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) starts.push_back(i);
  }
  starts.push_back(n);
  const size_t chars = starts.size() - 1;
  if (chars == 0) return SQLITE_OK;
  for (size_t i = 0; i + 1 < chars; ++i) {
    const int begin = starts[i], end = starts[i + 2];
    if (int rc = token(ctx, 0, text + begin, end - begin, begin, end); rc != SQLITE_OK) return rc;
  }
  // Documents end with their last character alone, so that a one-character prefix query finds a
  // character wherever it stands; a query of one character is that character.
  if (chars == 1 || (flags & FTS5_TOKENIZE_QUERY) == 0) {
    const int begin = starts[chars - 1];
    return token(ctx, 0, text + begin, n - begin, begin, n);
  }
  return SQLITE_OK;
}

void Fold(sqlite3_context* ctx, int, sqlite3_value** args) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(args[0]));
  if (text == nullptr) {
    sqlite3_result_null(ctx);
    return;
  }
  std::string folded = NormalizeForMatch(std::string_view(text, sqlite3_value_bytes(args[0])));
  sqlite3_result_text64(ctx, folded.data(), folded.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

fts5_api* GetFts5Api(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, nullptr) == SQLITE_OK) {
    sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", nullptr);
    sqlite3_step(st);
  }
  sqlite3_finalize(st);
  return api;
}

}  // namespace

absl::Status RegisterNameTokenizer(sqlite3* db) {
  fts5_api* api = GetFts5Api(db);
  if (api == nullptr) return absl::InternalError("this SQLite has no FTS5");
  static fts5_tokenizer tokenizer = {Create, Delete, Tokenize};
  if (api->xCreateTokenizer(api, "rapport_grams", nullptr, &tokenizer, nullptr) != SQLITE_OK) {
    return absl::InternalError("cannot register the rapport_grams tokenizer");
  }
  if (sqlite3_create_function_v2(db, "rapport_fold", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                 nullptr, Fold, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return absl::InternalError("cannot register rapport_fold");
  }
  return absl::OkStatus();
}

}  // namespace rapport::internal
