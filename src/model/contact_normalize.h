// Normalisation of contact points: emails and phone numbers.
#ifndef RAPPORT_MODEL_CONTACT_NORMALIZE_H_
#define RAPPORT_MODEL_CONTACT_NORMALIZE_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "rapport/customer.h"

namespace rapport::internal {

// "Alice.Smith@Example.COM " -> "Alice.Smith@example.com". Syntax-checked (one @, a local part of at
// most 64 bytes without spaces, a domain of dot-separated labels); InvalidArgument otherwise.
absl::StatusOr<std::string> NormalizeEmail(std::string_view raw);

// "138 0013 8000" with region "CN" -> "+8613800138000" (E.164). A number with its own country code
// ("+1 650 253 0000", "0086 ...") ignores the region. InvalidArgument for text that is not a valid
// number of its region.
absl::StatusOr<std::string> NormalizePhone(std::string_view raw, std::string_view default_region);

// True when `region` is a region libphonenumber knows ("CN", "US", ...).
bool IsKnownPhoneRegion(std::string_view region);

absl::StatusOr<std::string> NormalizeContact(ContactKind kind, std::string_view raw, std::string_view default_region);

}  // namespace rapport::internal

#endif  // RAPPORT_MODEL_CONTACT_NORMALIZE_H_
