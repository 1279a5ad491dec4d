// ISO 4217 currencies and decimal amounts in minor units.
#ifndef RAPPORT_BASE_MONEY_H_
#define RAPPORT_BASE_MONEY_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "rapport/value.h"

namespace rapport::internal {

// The number of minor-unit digits of an ISO 4217 code (2 for CNY, 0 for JPY), from ICU's currency
// data; InvalidArgument naming `field` for an unknown code.
absl::StatusOr<int> CurrencyDigits(std::string_view field, std::string_view code);

// Parses "12.34" into minor units of `currency` (1234 for CNY). More fraction digits than the
// currency has, overflow and malformed text are InvalidArgument naming `field`.
absl::StatusOr<int64_t> ParseAmount(std::string_view field, std::string_view text, std::string_view currency);

// "12.34" for {1234, "CNY"}.
std::string FormatAmount(const Money& money);

}  // namespace rapport::internal

#endif  // RAPPORT_BASE_MONEY_H_
