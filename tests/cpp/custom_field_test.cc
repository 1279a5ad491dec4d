#include "test_util.h"

namespace rapport::testing {
namespace {

CustomFieldDef Field(std::string name, FieldType type) {
  CustomFieldDef d;
  d.name = std::move(name);
  d.type = type;
  return d;
}

TEST(CustomFieldTest, EveryTypeValidatesAndCanonicalises) {
  TestDb t;
  CustomFieldDef level = Field("vip_level", FieldType::kInteger);
  level.min = 0;
  level.max = 5;
  CustomFieldDef code = Field("tax_code", FieldType::kText);
  code.pattern = "[0-9A-Z]{18}";
  CustomFieldDef seg = Field("segment", FieldType::kEnum);
  seg.options = {"SMB", "Enterprise"};
  CustomFieldDef channels = Field("channels", FieldType::kMultiEnum);
  channels.options = {"wechat", "email", "sms"};
  CustomFieldDef budget = Field("budget", FieldType::kMoney);
  budget.currency = "CNY";
  for (const CustomFieldDef& d : {level, code, seg, channels, budget, Field("rate", FieldType::kDecimal),
                                  Field("since", FieldType::kDate), Field("last_seen", FieldType::kTime),
                                  Field("active", FieldType::kBool)}) {
    ASSERT_OK(t.db.DefineCustomField(d));
  }
  CustomerDraft d = Person("Acme");
  d.Set("vip_level", "3").Set("tax_code", "91330100MA27XXXX1A").Set("segment", "SMB")
      .Set("channels", "sms; wechat;sms").Set("budget", "12.50").Set("rate", "007.2500")
      .Set("since", "2024-02-29").Set("last_seen", "2025-01-01T00:00:00Z").Set("active", "yes");
  ASSERT_OK_AND_ASSIGN(c, t.db.CreateCustomer(d));
  EXPECT_EQ(c.custom_fields.at("vip_level"), Value(int64_t{3}));
  EXPECT_EQ(c.custom_fields.at("channels"), Value(std::vector<std::string>{"sms", "wechat"}));
  EXPECT_EQ(c.custom_fields.at("budget"), Value(Money{1250, "CNY"}));
  EXPECT_EQ(c.custom_fields.at("rate"), Value("7.25"));
  EXPECT_EQ(c.custom_fields.at("last_seen"), Value(int64_t{1735689600000000}));
  EXPECT_EQ(c.custom_fields.at("active"), Value(true));

  const int64_t seq = t.db.LastChangeSeq();
  EXPECT_ERROR(t.db.UpdateCustomer(c.id, CustomerPatch().Set("vip_level", 9)), absl::StatusCode::kInvalidArgument,
               "vip_level: 9 is above the maximum 5 (rule: max)");
  EXPECT_ERROR(t.db.UpdateCustomer(c.id, CustomerPatch().Set("vip_level", "high")), absl::StatusCode::kInvalidArgument,
               "vip_level: \"high\" is not an integer");
  EXPECT_ERROR(t.db.UpdateCustomer(c.id, CustomerPatch().Set("tax_code", "123")), absl::StatusCode::kInvalidArgument,
               "tax_code: \"123\" does not match the pattern [0-9A-Z]{18} (rule: pattern)");
  EXPECT_ERROR(t.db.UpdateCustomer(c.id, CustomerPatch().Set("segment", "Huge")), absl::StatusCode::kInvalidArgument,
               "segment: \"Huge\" is not one of SMB, Enterprise (rule: options)");
  EXPECT_ERROR(t.db.UpdateCustomer(c.id, CustomerPatch().Set("budget", Money{5, "USD"})), absl::StatusCode::kInvalidArgument,
               "budget: currency USD where CNY is required (rule: currency)");
  EXPECT_ERROR(t.db.UpdateCustomer(c.id, CustomerPatch().Set("active", 3.5)), absl::StatusCode::kInvalidArgument,
               "active: expected bool, got number");
  EXPECT_ERROR(t.db.UpdateCustomer(c.id, CustomerPatch().Set("since", "2023-02-29")), absl::StatusCode::kInvalidArgument,
               "since: \"2023-02-29\" is not a date");
  EXPECT_EQ(t.db.LastChangeSeq(), seq);
}

TEST(CustomFieldTest, RequiredAndUnique) {
  TestDb t;
  CustomFieldDef tax = Field("tax_id", FieldType::kText);
  tax.unique = true;
  ASSERT_OK_AND_ASSIGN(stored, t.db.DefineCustomField(tax));
  EXPECT_TRUE(stored.indexed);
  ASSERT_OK_AND_ASSIGN(a, t.db.CreateCustomer(Person("A").Set("tax_id", "T1")));
  EXPECT_ERROR(t.db.CreateCustomer(Person("B").Set("tax_id", "T1")), absl::StatusCode::kAlreadyExists,
               "tax_id: \"T1\" is already used by customer");
  ASSERT_OK_AND_ASSIGN(page, t.db.SearchCustomers({.custom_field_equals = std::make_pair(std::string("tax_id"), Value("T1"))}));
  ASSERT_EQ(page.customers.size(), 1u);
  EXPECT_EQ(page.customers[0].id, a.id);
  ASSERT_OK(t.db.DeleteCustomer(a.id));
  ASSERT_OK(t.db.CreateCustomer(Person("B").Set("tax_id", "T1")));  // a deleted customer frees the value
  EXPECT_ERROR(t.db.RestoreCustomer(a.id), absl::StatusCode::kAlreadyExists, "tax_id");

  CustomFieldDef must = Field("contract_no", FieldType::kText);
  must.required = true;
  ASSERT_OK(t.db.DefineCustomField(must));
  EXPECT_ERROR(t.db.CreateCustomer(Person("C")), absl::StatusCode::kInvalidArgument, "contract_no: is required (rule: required)");
}

TEST(CustomFieldTest, BadDefinitionsAreRejected) {
  TestDb t;
  EXPECT_ERROR(t.db.DefineCustomField(Field("Bad Name", FieldType::kText)), absl::StatusCode::kInvalidArgument, "is not a field name");
  EXPECT_ERROR(t.db.DefineCustomField(Field("region", FieldType::kText)), absl::StatusCode::kInvalidArgument, "is a core field");
  EXPECT_ERROR(t.db.DefineCustomField(Field("tier", FieldType::kEnum)), absl::StatusCode::kInvalidArgument, "an enum needs options");
  CustomFieldDef re = Field("code", FieldType::kText);
  re.pattern = "([a-z";
  EXPECT_ERROR(t.db.DefineCustomField(re), absl::StatusCode::kInvalidArgument, "code: bad pattern");
  CustomFieldDef range = Field("n", FieldType::kInteger);
  range.min = 5;
  range.max = 1;
  EXPECT_ERROR(t.db.DefineCustomField(range), absl::StatusCode::kInvalidArgument, "min is greater than max");
  ASSERT_OK(t.db.DefineCustomField(Field("score", FieldType::kDecimal)));
  EXPECT_ERROR(t.db.DefineCustomField(Field("score", FieldType::kDecimal)), absl::StatusCode::kAlreadyExists, "already exists");
  EXPECT_EQ(t.db.CustomFields()->size(), 1u);
  ASSERT_OK(t.db.DropCustomField("score"));
  EXPECT_ERROR(t.db.DropCustomField("score"), absl::StatusCode::kNotFound, "not found");
}

TEST(CustomFieldTest, IndexedFieldQueryUsesTheIndex) {
  TestDb t;
  CustomFieldDef region_code = Field("branch", FieldType::kText);
  region_code.indexed = true;
  ASSERT_OK(t.db.DefineCustomField(region_code));
  for (int i = 0; i < 20; ++i) ASSERT_OK(t.db.CreateCustomer(Person("P" + std::to_string(i)).Set("branch", i % 2 ? "SH" : "BJ")));
  ASSERT_OK_AND_ASSIGN(page, t.db.SearchCustomers({.custom_field_equals = std::make_pair(std::string("branch"), Value("SH"))}));
  EXPECT_EQ(page.customers.size(), 10u);
  EXPECT_ERROR(t.db.SearchCustomers({.custom_field_equals = std::make_pair(std::string("brnch"), Value("SH"))}),
               absl::StatusCode::kInvalidArgument, "did you mean \"branch\"");
}

TEST(CustomFieldTest, DefinitionRollsBackWithItsTransaction) {
  TestDb t;
  {
    ASSERT_OK_AND_ASSIGN(tx, t.db.Begin());
    ASSERT_OK(t.db.DefineCustomField(Field("temp", FieldType::kText)));
    ASSERT_OK(tx.Rollback());
  }
  EXPECT_TRUE(t.db.CustomFields()->empty());
  EXPECT_ERROR(t.db.CreateCustomer(Person("x").Set("temp", "v")), absl::StatusCode::kInvalidArgument, "unknown field");
}

}  // namespace
}  // namespace rapport::testing

namespace rapport::testing {
namespace {

TEST(CustomFieldTest, DroppingAFieldRemovesItsValues) {
  TestDb t;
  CustomFieldDef score;
  score.name = "score";
  score.type = FieldType::kText;
  ASSERT_OK(t.db.DefineCustomField(score));
  ASSERT_OK_AND_ASSIGN(c, t.db.CreateCustomer(Person("A").Set("score", "high")));
  ASSERT_OK(t.db.DropCustomField("score"));
  ASSERT_OK_AND_ASSIGN(changes, t.db.Changes({.after_seq = t.db.LastChangeSeq() - 1}));
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].entity, "custom_field");
  EXPECT_EQ(changes[0].after, "{\"values_removed\":1}");
  score.type = FieldType::kInteger;  // a new definition of the name starts empty
  ASSERT_OK(t.db.DefineCustomField(score));
  ASSERT_OK_AND_ASSIGN(again, t.db.GetCustomer(c.id));
  EXPECT_TRUE(again.custom_fields.empty());
  ASSERT_OK_AND_ASSIGN(updated, t.db.UpdateCustomer(c.id, CustomerPatch().Set("score", 7)));
  EXPECT_EQ(updated.custom_fields.at("score"), Value(int64_t{7}));
}

}  // namespace
}  // namespace rapport::testing
