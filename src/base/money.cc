#include "base/money.h"

#include <unicode/ucurr.h>
#include <unicode/uenum.h>

#include <limits>
#include <set>

#include "absl/strings/str_cat.h"
#include "base/strings.h"
#include "rapport/money.h"

namespace rapport::internal {
namespace {

const std::set<std::string, std::less<>>& IsoCurrencies() {
  static const auto* codes = [] {
    auto* set = new std::set<std::string, std::less<>>;
    UErrorCode status = U_ZERO_ERROR;
    UEnumeration* e = ucurr_openISOCurrencies(UCURR_COMMON | UCURR_NON_DEPRECATED, &status);
    if (U_SUCCESS(status)) {
      int32_t len = 0;
      while (const char* code = uenum_next(e, &len, &status)) {
        if (U_FAILURE(status)) break;
        set->emplace(code, len);
      }
      uenum_close(e);
    }
    return set;
  }();
  return *codes;
}

}  // namespace

absl::StatusOr<int> CurrencyDigits(std::string_view field, std::string_view code) {
  if (!IsoCurrencies().contains(code)) {
    return absl::InvalidArgumentError(
        StrCat(field, ": \"", code, "\" is not an ISO 4217 currency code (e.g. CNY, USD)"));
  }
  UChar iso[4] = {static_cast<UChar>(code[0]), static_cast<UChar>(code[1]), static_cast<UChar>(code[2]), 0};
  UErrorCode status = U_ZERO_ERROR;
  int digits = ucurr_getDefaultFractionDigits(iso, &status);
  if (U_FAILURE(status)) return absl::InternalError("ICU currency data unavailable");
  return digits;
}

absl::StatusOr<int64_t> ParseAmount(std::string_view field, std::string_view text, std::string_view currency) {
  auto digits_or = CurrencyDigits(field, currency);
  if (!digits_or.ok()) return digits_or.status();
  const int digits = *digits_or;
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(StrCat(field, ": \"", text, "\" ", why));
  };
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return bad("is not a decimal amount (e.g. 12.34)");
  __int128 value = 0;
  int frac = -1;
  for (char c : s) {
    if (c == '.') {
      if (frac >= 0) return bad("is not a decimal amount (e.g. 12.34)");
      frac = 0;
      continue;
    }
    if (c < '0' || c > '9') return bad("is not a decimal amount (e.g. 12.34)");
    if (frac >= 0 && ++frac > digits) {
      return bad(StrCat("has more decimals than ", currency, " allows (", digits, ")"));
    }
    value = value * 10 + (c - '0');
    if (value > std::numeric_limits<int64_t>::max()) return bad("is out of range");
  }
  for (int i = frac < 0 ? 0 : frac; i < digits; ++i) {
    value *= 10;
    if (value > std::numeric_limits<int64_t>::max()) return bad("is out of range");
  }
  return static_cast<int64_t>(negative ? -value : value);
}

std::string FormatAmount(const Money& money) {
  auto digits_or = CurrencyDigits("currency", money.currency);
  const int digits = digits_or.ok() ? *digits_or : 2;
  const bool negative = money.minor < 0;
  unsigned __int128 v = negative ? -static_cast<__int128>(money.minor) : money.minor;
  unsigned __int128 scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  std::string whole = std::to_string(static_cast<uint64_t>(v / scale));
  std::string out = negative ? StrCat("-", whole) : whole;
  if (digits > 0) {
    std::string frac = std::to_string(static_cast<uint64_t>(v % scale));
    out.push_back('.');
    out.append(digits - frac.size(), '0');
    out += frac;
  }
  return out;
}

}  // namespace rapport::internal

namespace rapport {

absl::StatusOr<int> CurrencyDigits(std::string_view currency) { return internal::CurrencyDigits("currency", currency); }

absl::StatusOr<Money> ParseMoney(std::string_view amount, std::string_view currency) {
  auto minor = internal::ParseAmount("amount", amount, currency);
  if (!minor.ok()) return minor.status();
  return Money{*minor, std::string(currency)};
}

std::string FormatMoney(const Money& money) { return internal::FormatAmount(money); }

}  // namespace rapport
