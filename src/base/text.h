// UTF-8 validation and normalisation for matching.
#ifndef RAPPORT_BASE_TEXT_H_
#define RAPPORT_BASE_TEXT_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rapport::internal {

// OK when `text` is well-formed UTF-8 without NUL bytes; otherwise InvalidArgument naming `field`
// and the byte offset of the first bad sequence.
absl::Status CheckUtf8(std::string_view field, std::string_view text);

// NFKC + case fold (ICU's NFKC_Casefold): the form used to match names, tags and keys, so that
// "ＡＢＣ", "abc" and "ABC" compare equal. `text` must be valid UTF-8.
std::string NormalizeForMatch(std::string_view text);

// NFC-normalised, with leading and trailing white space removed: the stored form of names.
std::string CleanText(std::string_view text);

// Number of Unicode code points in valid UTF-8 `text`.
size_t CodePointCount(std::string_view text);

}  // namespace rapport::internal

#endif  // RAPPORT_BASE_TEXT_H_
