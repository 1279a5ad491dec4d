// Money: ISO 4217 digits and decimal text, through the core's money API.
#include "internal.h"
#include "rapport/money.h"

namespace rc = rapport::capi;

extern "C" {

rapport_code rapport_currency_digits(const char* currency, int32_t* out_digits, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(currency);
    RAPPORT_CAPI_REQUIRE(out_digits);
    if (absl::Status s = rc::CheckText(kFn, "currency", currency); !s.ok()) return s;
    auto digits = rapport::CurrencyDigits(currency);
    if (!digits.ok()) return digits.status();
    *out_digits = *digits;
    return absl::OkStatus();
  });
}

rapport_code rapport_money_parse(const char* amount, const char* currency, int64_t* out_minor,
                                 rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(amount);
    RAPPORT_CAPI_REQUIRE(currency);
    RAPPORT_CAPI_REQUIRE(out_minor);
    if (absl::Status s = rc::CheckText(kFn, "amount", amount); !s.ok()) return s;
    if (absl::Status s = rc::CheckText(kFn, "currency", currency); !s.ok()) return s;
    auto money = rapport::ParseMoney(amount, currency);
    if (!money.ok()) return money.status();
    *out_minor = money->minor;
    return absl::OkStatus();
  });
}

rapport_code rapport_money_format(int64_t minor, const char* currency, char** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(currency);
    RAPPORT_CAPI_REQUIRE(out);
    if (absl::Status s = rc::CheckText(kFn, "currency", currency); !s.ok()) return s;
    if (auto digits = rapport::CurrencyDigits(currency); !digits.ok()) return digits.status();
    return rc::ReturnString(rapport::FormatMoney(rapport::Money{minor, currency}), out);
  });
}

}  // extern "C"
