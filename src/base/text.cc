#include "base/text.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include "absl/strings/str_cat.h"
#include "base/strings.h"

namespace rapport::internal {
namespace {

std::string Normalize(const icu::Normalizer2* normalizer, std::string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString src = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  if (normalizer == nullptr) return std::string(text);
  icu::UnicodeString out = normalizer->normalize(src, status);
  if (U_FAILURE(status)) return std::string(text);
  std::string result;
  out.toUTF8String(result);
  return result;
}

bool IsAsciiSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

absl::Status CheckUtf8(std::string_view field, std::string_view text) {
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(text.size());
  if (text.size() > static_cast<size_t>(INT32_MAX)) {
    return absl::InvalidArgumentError(StrCat(field, ": text is too long"));
  }
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  while (i < n) {
    int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, n, c);
    if (c < 0) {
      return absl::InvalidArgumentError(
          StrCat(field, ": invalid UTF-8 at byte ", start));
    }
    if (c == 0) {
      return absl::InvalidArgumentError(StrCat(field, ": NUL character at byte ", start));
    }
  }
  return absl::OkStatus();
}

std::string NormalizeForMatch(std::string_view text) {
  bool ascii = true;
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {  // fast path: NFKC_Casefold of ASCII is lower-casing
    std::string out(text);
    for (char& c : out) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
  }
  UErrorCode status = U_ZERO_ERROR;
  return Normalize(icu::Normalizer2::getNFKCCasefoldInstance(status), text);
}

std::string CleanText(std::string_view text) {
  while (!text.empty() && IsAsciiSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsAsciiSpace(text.back())) text.remove_suffix(1);
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      UErrorCode status = U_ZERO_ERROR;
      return Normalize(icu::Normalizer2::getNFCInstance(status), text);
    }
  }
  return std::string(text);
}

size_t CodePointCount(std::string_view text) {
  size_t n = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

}  // namespace rapport::internal
