#include "base/money.h"
#include "base/text.h"
#include "base/time_format.h"
#include "model/contact_normalize.h"
#include "test_util.h"

namespace rapport::internal {
namespace {

TEST(TextTest, RejectsInvalidUtf8AndNul) {
  EXPECT_TRUE(CheckUtf8("name", "阿里巴巴 Müller").ok());
  EXPECT_ERROR(CheckUtf8("name", "ab\xff"), absl::StatusCode::kInvalidArgument, "name: invalid UTF-8 at byte 2");
  EXPECT_ERROR(CheckUtf8("name", "\xed\xa0\x80"), absl::StatusCode::kInvalidArgument, "invalid UTF-8");  // surrogate
  EXPECT_ERROR(CheckUtf8("name", std::string("a\0b", 3)), absl::StatusCode::kInvalidArgument, "NUL");
}

TEST(TextTest, NormalizesForMatching) {
  EXPECT_EQ(NormalizeForMatch("ＡＢＣ Straße"), "abc strasse");
  EXPECT_EQ(NormalizeForMatch("HELLO"), "hello");
  EXPECT_EQ(NormalizeForMatch("阿里巴巴"), "阿里巴巴");
  EXPECT_EQ(CleanText("  Zhang Wei \n"), "Zhang Wei");
}

TEST(MoneyTest, ParsesAmountsByCurrencyDigits) {
  EXPECT_EQ(*ParseAmount("amount", "12.34", "CNY"), 1234);
  EXPECT_EQ(*ParseAmount("amount", "12", "USD"), 1200);
  EXPECT_EQ(*ParseAmount("amount", "-0.5", "EUR"), -50);
  EXPECT_EQ(*ParseAmount("amount", "1500", "JPY"), 1500);
  EXPECT_ERROR(ParseAmount("amount", "12.345", "CNY"), absl::StatusCode::kInvalidArgument, "more decimals than CNY allows (2)");
  EXPECT_ERROR(ParseAmount("amount", "1.5", "JPY"), absl::StatusCode::kInvalidArgument, "JPY");
  EXPECT_ERROR(ParseAmount("amount", "12", "XYZ"), absl::StatusCode::kInvalidArgument, "not an ISO 4217 currency");
  EXPECT_ERROR(ParseAmount("amount", "99999999999999999999", "CNY"), absl::StatusCode::kInvalidArgument, "out of range");
  EXPECT_ERROR(ParseAmount("amount", "1e5", "CNY"), absl::StatusCode::kInvalidArgument, "is not a decimal amount");
  EXPECT_EQ(FormatAmount(Money{1234, "CNY"}), "12.34");
  EXPECT_EQ(FormatAmount(Money{-5, "USD"}), "-0.05");
  EXPECT_EQ(FormatAmount(Money{1500, "JPY"}), "1500");
}

TEST(TimeFormatTest, RoundTrips) {
  absl::Time t = absl::FromUnixMicros(1738310400000001);
  EXPECT_EQ(FormatTimestamp(t), "2025-01-31T08:00:00.000001Z");
  EXPECT_EQ(*ParseTimestamp("at", "2025-01-31T08:00:00.000001Z"), t);
  EXPECT_EQ(*ParseTimestamp("at", "2025-01-31T16:00:00.000001+08:00"), t);
  EXPECT_ERROR(ParseTimestamp("at", "yesterday"), absl::StatusCode::kInvalidArgument, "at: \"yesterday\" is not a time");
  EXPECT_ERROR(ParseDate("birthday", "2025-02-30"), absl::StatusCode::kInvalidArgument, "not a date");
  EXPECT_EQ(FormatDate(*ParseDate("d", "2024-02-29")), "2024-02-29");
}

TEST(ContactNormalizeTest, Emails) {
  EXPECT_EQ(*NormalizeEmail(" Alice.Smith@Example.COM "), "Alice.Smith@example.com");
  EXPECT_ERROR(NormalizeEmail("alice"), absl::StatusCode::kInvalidArgument, "email: \"alice\" is not an email address (no @)");
  EXPECT_ERROR(NormalizeEmail("alice@localhost"), absl::StatusCode::kInvalidArgument, "needs a dot");
  EXPECT_ERROR(NormalizeEmail("a b@x.com"), absl::StatusCode::kInvalidArgument, "unexpected character");
  EXPECT_ERROR(NormalizeEmail("a..b@x.com"), absl::StatusCode::kInvalidArgument, "misplaced dot");
}

TEST(ContactNormalizeTest, PhonesToE164) {
  EXPECT_EQ(*NormalizePhone("138 0013 8000", "CN"), "+8613800138000");
  EXPECT_EQ(*NormalizePhone("(650) 253-0000", "US"), "+16502530000");
  EXPECT_EQ(*NormalizePhone("+1 650 253 0000", "CN"), "+16502530000");
  EXPECT_EQ(*NormalizePhone("0086 138 0013 8000", "US"), "+8613800138000");
  EXPECT_ERROR(NormalizePhone("12345", "CN"), absl::StatusCode::kInvalidArgument, "is not a valid number");
  EXPECT_ERROR(NormalizePhone("call me", "CN"), absl::StatusCode::kInvalidArgument, "is not a phone number");
}

}  // namespace
}  // namespace rapport::internal
