#include "model/contact_normalize.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/strings.h"
#include "base/text.h"

namespace rapport::internal {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

bool IsLabelChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || static_cast<unsigned char>(c) >= 0x80;
}

}  // namespace

absl::StatusOr<std::string> NormalizeEmail(std::string_view raw) {
  if (auto s = CheckUtf8("email", raw); !s.ok()) return s;
  std::string_view text = StripWhitespace(raw);
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(StrCat("email: \"", text, "\" is not an email address (", why, ")"));
  };
  const size_t at = text.rfind('@');
  if (at == std::string_view::npos) return bad("no @");
  std::string_view local = text.substr(0, at);
  std::string_view domain = text.substr(at + 1);
  if (local.empty() || local.size() > 64) return bad("the part before @ must have 1 to 64 characters");
  for (char c : local) {
    if (c == '@' || c == ' ' || c == '\t' || c == ',' || c == ';' || c == '<' || c == '>' || c == '"') {
      return bad("unexpected character before @");
    }
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return bad("misplaced dot before @");
  }
  if (domain.empty() || domain.size() > 253) return bad("missing domain");
  std::vector<absl::string_view> labels = absl::StrSplit(AsAbsl(domain), '.');
  if (labels.size() < 2) return bad("the domain needs a dot");
  for (absl::string_view label : labels) {
    if (label.empty() || label.size() > 63) return bad("empty domain label");
    if (label.front() == '-' || label.back() == '-') return bad("a domain label starts or ends with -");
    for (char c : label) {
      if (!IsLabelChar(c)) return bad("unexpected character in the domain");
    }
  }
  return StrCat(local, "@", NormalizeForMatch(domain));
}

bool IsKnownPhoneRegion(std::string_view region) {
  std::set<std::string> regions;
  PhoneNumberUtil::GetInstance()->GetSupportedRegions(&regions);
  return regions.contains(std::string(region));
}

absl::StatusOr<std::string> NormalizePhone(std::string_view raw, std::string_view default_region) {
  if (auto s = CheckUtf8("phone", raw); !s.ok()) return s;
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  std::string text(StripWhitespace(raw));
  // International prefix "00" is common in China and Europe; treat it as "+".
  if (text.size() > 2 && text[0] == '0' && text[1] == '0') text.replace(0, 2, "+");
  PhoneNumber number;
  auto err = util->Parse(text, std::string(default_region), &number);
  if (err != PhoneNumberUtil::NO_PARSING_ERROR) {
    return absl::InvalidArgumentError(StrCat("phone: \"", raw, "\" is not a phone number"));
  }
  if (!util->IsValidNumber(number)) {
    std::string region;
    util->GetRegionCodeForNumber(number, &region);
    return absl::InvalidArgumentError(StrCat("phone: \"", raw, "\" is not a valid number",
                                                   region.empty() ? std::string() : " for region " + region,
                                                   " (default region ", default_region, ")"));
  }
  std::string out;
  util->Format(number, PhoneNumberUtil::E164, &out);
  return out;
}

absl::StatusOr<std::string> NormalizeContact(ContactKind kind, std::string_view raw, std::string_view default_region) {
  switch (kind) {
    case ContactKind::kEmail:
      return NormalizeEmail(raw);
    case ContactKind::kPhone:
      return NormalizePhone(raw, default_region);
  }
  return absl::InvalidArgumentError("contact point: unknown kind");
}

}  // namespace rapport::internal
