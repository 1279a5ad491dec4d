#include "model/name_index.h"

#include <vector>

#include "absl/strings/str_replace.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "base/text.h"

namespace rapport::internal {
namespace {

// Splits valid UTF-8 into its code points' byte sequences.
std::vector<std::string_view> CodePoints(std::string_view text) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = i + 1;
    while (j < text.size() && (static_cast<unsigned char>(text[j]) & 0xC0) == 0x80) ++j;
    out.push_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

// Hex keeps every gram one token whatever the tokenizer thinks of punctuation and scripts; UTF-8
// being prefix-free, a hex prefix of whole characters only matches grams starting with them.
void AppendHex(std::string& out, std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
}

template <size_t N>
absl::Status Run(Connection& conn, const char (&sql)[N], int64_t id, std::string_view text) {
  ASSIGN_OR_RETURN(Statement * st, conn.Cached(sql));
  st->Bind(1, id).Bind(2, text);
  return st->Run();
}

}  // namespace

std::string NameGrams(std::string_view key) {
  std::vector<std::string_view> cps = CodePoints(key);
  std::string out;
  out.reserve(key.size() * 4 + cps.size());
  for (size_t i = 0; i + 1 < cps.size(); ++i) {
    AppendHex(out, cps[i]);
    AppendHex(out, cps[i + 1]);
    out.push_back(' ');
  }
  if (!cps.empty()) AppendHex(out, cps.back());
  return out;
}

absl::Status IndexName(Connection& conn, int64_t id, std::string_view name) {
  return IndexNameKey(conn, id, NormalizeForMatch(name));
}

absl::Status IndexNameKey(Connection& conn, int64_t id, const std::string& key) {
  RETURN_IF_ERROR(Run(conn, "INSERT INTO customer_names (rowid, name_key) VALUES (?, ?)", id, key));
  return Run(conn, "INSERT INTO customer_name_grams (rowid, grams) VALUES (?, ?)", id, NameGrams(key));
}

absl::Status UnindexName(Connection& conn, int64_t id, std::string_view name) {
  {
    ASSIGN_OR_RETURN(Statement * st, conn.Cached("DELETE FROM customer_names WHERE rowid = ?"));
    st->Bind(1, id);
    RETURN_IF_ERROR(st->Run());
  }
  // A contentless table forgets a row when given the tokens it was indexed with.
  return Run(conn, "INSERT INTO customer_name_grams (customer_name_grams, rowid, grams) VALUES ('delete', ?, ?)", id,
             NameGrams(NormalizeForMatch(name)));
}

absl::Status ReindexName(Connection& conn, int64_t id, std::string_view old_name, std::string_view new_name) {
  RETURN_IF_ERROR(UnindexName(conn, id, old_name));
  return IndexName(conn, id, new_name);
}

NameMatch MatchNamesContaining(std::string_view key) {
  std::vector<std::string_view> cps = CodePoints(key);
  if (cps.size() >= 3) {
    // The trigram index serves GLOB; its wildcards in the key are matched literally as classes.
    std::string pattern = StrCat("*", absl::StrReplaceAll(AsAbsl(key), {{"[", "[[]"}, {"*", "[*]"}, {"?", "[?]"}}), "*");
    return {"customer_names", "n.name_key GLOB ?", std::move(pattern)};
  }
  std::string token;
  for (std::string_view cp : cps) AppendHex(token, cp);
  // Two characters are one bigram; one character starts a bigram or ends the name.
  return {"customer_name_grams", "n.customer_name_grams MATCH ?", cps.size() == 2 ? token : token + "*"};
}

}  // namespace rapport::internal
