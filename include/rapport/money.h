// ISO 4217 currencies and conversions between decimal text and Money.
#ifndef RAPPORT_MONEY_H_
#define RAPPORT_MONEY_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "rapport/value.h"

namespace rapport {

// Digits of the currency's minor unit (2 for CNY and USD, 0 for JPY, 3 for KWD), from ICU's ISO 4217
// data. InvalidArgument for a code that is not a current ISO 4217 currency.
absl::StatusOr<int> CurrencyDigits(std::string_view currency);

// "12.34" CNY -> Money{1234, "CNY"}. Refuses more decimals than the currency has, overflow, exponents.
absl::StatusOr<Money> ParseMoney(std::string_view amount, std::string_view currency);

// Money{1234, "CNY"} -> "12.34".
std::string FormatMoney(const Money& money);

}  // namespace rapport

#endif  // RAPPORT_MONEY_H_
