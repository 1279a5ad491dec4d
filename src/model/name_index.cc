#include "model/name_index.h"

#include <vector>

#include "absl/strings/str_replace.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "base/text.h"

namespace rapport::internal {
namespace {

template <size_t N>
absl::Status Run(Connection& conn, const char (&sql)[N], int64_t id, std::string_view key) {
  ASSIGN_OR_RETURN(Statement * st, conn.Cached(sql));
  st->Bind(1, id).Bind(2, key);
  return st->Run();
}

}  // namespace

absl::Status IndexName(Connection& conn, int64_t id, std::string_view name) {
  return IndexNameKey(conn, id, NormalizeForMatch(name));
}

absl::Status IndexNameKey(Connection& conn, int64_t id, const std::string& key) {
  return Run(conn, "INSERT INTO customer_names (rowid, name_key) VALUES (?, ?)", id, key);
}

absl::Status UnindexName(Connection& conn, int64_t id, std::string_view name) {
  // A contentless table forgets a row when given the text it was indexed with.
  return Run(conn, "INSERT INTO customer_names (customer_names, rowid, name_key) VALUES ('delete', ?, ?)", id,
             NormalizeForMatch(name));
}

absl::Status ReindexName(Connection& conn, int64_t id, std::string_view old_name, std::string_view new_name) {
  RETURN_IF_ERROR(UnindexName(conn, id, old_name));
  return IndexName(conn, id, new_name);
}

namespace {

std::string Quoted(std::string_view text) {
  return StrCat("\"", absl::StrReplaceAll(AsAbsl(text), {{"\"", "\"\""}}), "\"");
}

// A rough share of names containing the character, to guess which bigrams of a query are rare.
double CharWeight(std::string_view cp) {
  // Letter frequencies of English text (%); names are close enough for choosing.
  static constexpr double kLetters[26] = {8.2, 1.5, 2.8, 4.3, 12.7, 2.2, 2.0, 6.1, 7.0, 0.15, 0.8, 4.0, 2.4,
                                          6.7, 7.5, 1.9, 0.1, 6.0, 6.3, 9.1, 2.8, 1.0, 2.4, 0.15, 2.0, 0.07};
  if (cp.size() > 1) return 0.5;  // any non-ASCII character, CJK included
  const char c = cp[0];
  if (c >= 'a' && c <= 'z') return kLetters[c - 'a'];
  if (c == ' ') return 15;
  if (c >= '0' && c <= '9') return 1;
  return 2;
}

}  // namespace

NameQuery PlanNameQuery(std::string_view key) {
  std::vector<std::string_view> cps;
  for (size_t i = 0; i < key.size();) {
    size_t j = i + 1;
    while (j < key.size() && (static_cast<unsigned char>(key[j]) & 0xC0) == 0x80) ++j;
    cps.push_back(key.substr(i, j - i));
    i = j;
  }
  // One character: a prefix query (it starts a bigram or ends the name). Two or three: the exact
  // phrase of their bigrams.
  if (cps.size() == 1) return {Quoted(key) + " *", ""};
  if (cps.size() <= 3) return {Quoted(key), ""};
  // Longer keys: a phrase of every bigram intersects the position lists of common ones (" k", "ia")
  // at great cost. Two rare-looking bigrams far apart select few candidates; the names of those are
  // checked for the whole key.
  auto gram = [&](size_t i) { return key.substr(cps[i].data() - key.data(), cps[i].size() + cps[i + 1].size()); };
  auto weight = [&](size_t i) { return CharWeight(cps[i]) * CharWeight(cps[i + 1]); };
  size_t first = 0;
  for (size_t i = 1; i + 1 < cps.size(); ++i) {
    if (weight(i) < weight(first)) first = i;
  }
  size_t second = first == 0 ? 2 : 0;
  for (size_t i = 0; i + 1 < cps.size(); ++i) {
    if ((i + 1 < first || i > first + 1) && weight(i) < weight(second)) second = i;
  }
  return {StrCat(Quoted(gram(first)), " AND ", Quoted(gram(second))), std::string(key)};
}

}  // namespace rapport::internal
