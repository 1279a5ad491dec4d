// Bridges std::string_view and the distro's Abseil, whose absl::string_view is a distinct type
// (ABSL_OPTION_USE_STD_STRING_VIEW is 0 in Debian's build), so absl string functions do not take
// std::string_view directly.
#ifndef RAPPORT_BASE_STRINGS_H_
#define RAPPORT_BASE_STRINGS_H_

#include <string>
#include <string_view>

#include "base/strings.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace rapport {

inline absl::string_view AsAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }
inline std::string_view AsStd(absl::string_view s) { return std::string_view(s.data(), s.size()); }

namespace strings_internal {
template <typename T>
const T& Arg(const T& v) {
  return v;
}
inline absl::string_view Arg(std::string_view v) { return AsAbsl(v); }
}  // namespace strings_internal

// absl::StrCat that also takes std::string_view.
template <typename... Args>
std::string StrCat(const Args&... args) {
  return absl::StrCat(strings_internal::Arg(args)...);
}

// absl::StripAsciiWhitespace over std::string_view.
inline std::string_view StripWhitespace(std::string_view s) { return AsStd(absl::StripAsciiWhitespace(AsAbsl(s))); }

}  // namespace rapport

#endif  // RAPPORT_BASE_STRINGS_H_
