#include "test_util.h"

namespace rapport::testing {
namespace {

TEST(CustomerTest, CreateAndGetFullRecord) {
  TestDb t;
  CustomerDraft d = Person("Zhang Wei");
  d.Set("industry", "Retail").Set("region", "华东").Set("owner", 7).Set("birthday", "1990-05-17").Set("source", "web");
  d.contact_points = {{ContactKind::kEmail, "Zhang.Wei@Example.COM"}, {ContactKind::kPhone, "138 0013 8000"}};
  d.tags = {"VIP", "newsletter", "vip"};
  d.external_ids = {{"erp", "C-001"}};
  ASSERT_OK_AND_ASSIGN(c, t.db.CreateCustomer(d));
  EXPECT_EQ(c.kind, CustomerKind::kPerson);
  EXPECT_EQ(c.industry, "Retail");
  EXPECT_EQ(c.owner, UserId{7});
  EXPECT_EQ(c.birthday, absl::CivilDay(1990, 5, 17));
  EXPECT_EQ(c.version, 1);
  ASSERT_EQ(c.contact_points.size(), 2u);
  EXPECT_EQ(c.contact_points[0].value, "Zhang.Wei@example.com");
  EXPECT_TRUE(c.contact_points[0].primary);
  EXPECT_EQ(c.contact_points[1].value, "+8613800138000");
  EXPECT_EQ(c.tags, (std::vector<std::string>{"newsletter", "vip"}));
  EXPECT_EQ(c.external_ids, (std::vector<ExternalId>{{"erp", "C-001"}}));
  ASSERT_OK_AND_ASSIGN(again, t.db.GetCustomer(c.id));
  EXPECT_EQ(again.ToJson(), c.ToJson());
  EXPECT_EQ(c.Get("region").as_text(), "华东");
}

TEST(CustomerTest, ValidationErrorsNameTheFieldAndWriteNothing) {
  TestDb t;
  const int64_t seq = t.db.LastChangeSeq();
  EXPECT_ERROR(t.db.CreateCustomer(CustomerDraft()), absl::StatusCode::kInvalidArgument, "name: is required");
  EXPECT_ERROR(t.db.CreateCustomer(Person("bad \xff name")), absl::StatusCode::kInvalidArgument, "name: invalid UTF-8 at byte 4");
  EXPECT_ERROR(t.db.CreateCustomer(Person("   ")), absl::StatusCode::kInvalidArgument, "name: must not be empty");
  EXPECT_ERROR(t.db.CreateCustomer(Person("x").Set("kind", "robot")), absl::StatusCode::kInvalidArgument,
               "kind: \"robot\" is not person or organization");
  EXPECT_ERROR(t.db.CreateCustomer(Person("x").Set("owner", "abc")), absl::StatusCode::kInvalidArgument, "owner");
  EXPECT_ERROR(t.db.CreateCustomer(Person("x").Set("birthday", "1990-13-01")), absl::StatusCode::kInvalidArgument,
               "birthday: \"1990-13-01\" is not a date");
  EXPECT_ERROR(t.db.CreateCustomer(Person("x").Set("regoin", "x")), absl::StatusCode::kInvalidArgument,
               "unknown field \"regoin\" (did you mean \"region\"?)");
  EXPECT_ERROR(t.db.CreateCustomer(Person(std::string(501, 'a'))), absl::StatusCode::kInvalidArgument, "longer than 500");
  CustomerDraft bad_email = Person("x");
  bad_email.contact_points = {{ContactKind::kEmail, "nope"}};
  EXPECT_ERROR(t.db.CreateCustomer(bad_email), absl::StatusCode::kInvalidArgument, "email: \"nope\"");
  EXPECT_EQ(t.db.LastChangeSeq(), seq);
  ASSERT_OK_AND_ASSIGN(page, t.db.SearchCustomers({}));
  EXPECT_TRUE(page.customers.empty());
}

TEST(CustomerTest, UpdateWithStaleVersionIsAbortedAndChangesNothing) {
  TestDb t;
  ASSERT_OK_AND_ASSIGN(c, t.db.CreateCustomer(Person("Li Na")));
  CustomerPatch p;
  p.Set("region", "华南");
  p.expected_version = 1;
  ASSERT_OK_AND_ASSIGN(u, t.db.UpdateCustomer(c.id, p));
  EXPECT_EQ(u.version, 2);
  const int64_t seq = t.db.LastChangeSeq();
  CustomerPatch stale;
  stale.Set("region", "华北");
  stale.expected_version = 1;
  EXPECT_ERROR(t.db.UpdateCustomer(c.id, stale), absl::StatusCode::kAborted, "has version 2, not the expected 1");
  ASSERT_OK_AND_ASSIGN(now, t.db.GetCustomer(c.id));
  EXPECT_EQ(now.region, "华南");
  EXPECT_EQ(t.db.LastChangeSeq(), seq);
}

TEST(CustomerTest, UpdateClearsWithNullAndNoOpKeepsVersion) {
  TestDb t;
  ASSERT_OK_AND_ASSIGN(c, t.db.CreateCustomer(Person("Li Na").Set("industry", "Retail")));
  ASSERT_OK_AND_ASSIGN(same, t.db.UpdateCustomer(c.id, CustomerPatch().Set("industry", "Retail")));
  EXPECT_EQ(same.version, 1);
  ASSERT_OK_AND_ASSIGN(cleared, t.db.UpdateCustomer(c.id, CustomerPatch().Set("industry", nullptr)));
  EXPECT_FALSE(cleared.industry.has_value());
  EXPECT_EQ(cleared.version, 2);
  EXPECT_ERROR(t.db.UpdateCustomer(c.id, CustomerPatch().Set("name", nullptr)), absl::StatusCode::kInvalidArgument, "name: is required");
  EXPECT_ERROR(t.db.UpdateCustomer(CustomerId{999}, CustomerPatch().Set("region", "x")), absl::StatusCode::kNotFound, "customer 999 not found");
}

TEST(CustomerTest, UpsertByExternalId) {
  TestDb t;
  CustomerDraft d = Person("Müller GmbH").Set("kind", "organization");
  d.tags = {"b2b"};
  ASSERT_OK_AND_ASSIGN(first, t.db.UpsertCustomer({"erp", "K-9"}, d));
  EXPECT_TRUE(first.created);
  CustomerDraft again = Person("Müller GmbH & Co. KG");
  again.tags = {"export"};
  again.contact_points = {{ContactKind::kEmail, "info@mueller.de"}};
  ASSERT_OK_AND_ASSIGN(second, t.db.UpsertCustomer({"erp", "K-9"}, again));
  EXPECT_FALSE(second.created);
  EXPECT_EQ(second.customer.id, first.customer.id);
  EXPECT_EQ(second.customer.name, "Müller GmbH & Co. KG");
  EXPECT_EQ(second.customer.kind, CustomerKind::kOrganization);
  EXPECT_EQ(second.customer.tags, (std::vector<std::string>{"b2b", "export"}));
  EXPECT_EQ(second.customer.version, 2);
  ASSERT_OK_AND_ASSIGN(found, t.db.FindByExternalId({"erp", "K-9"}));
  EXPECT_EQ(found.id, first.customer.id);
  EXPECT_ERROR(t.db.FindByExternalId({"erp", "none"}), absl::StatusCode::kNotFound, "no customer has external id erp:none");
}

TEST(CustomerTest, ExternalIdsAreUniquePerSystem) {
  TestDb t;
  CustomerDraft a = Person("A");
  a.external_ids = {{"erp", "1"}};
  ASSERT_OK_AND_ASSIGN(ca, t.db.CreateCustomer(a));
  const int64_t seq = t.db.LastChangeSeq();
  CustomerDraft b = Person("B");
  b.external_ids = {{"erp", "1"}};
  EXPECT_ERROR(t.db.CreateCustomer(b), absl::StatusCode::kAlreadyExists, "erp:1 already belongs to customer");
  EXPECT_EQ(t.db.LastChangeSeq(), seq);
  ASSERT_OK_AND_ASSIGN(page, t.db.SearchCustomers({}));
  EXPECT_EQ(page.customers.size(), 1u);
  ASSERT_OK(t.db.AddExternalId(ca.id, {"shop", "s-1"}));
  EXPECT_ERROR(t.db.AddExternalId(ca.id, {"shop", "s-2"}), absl::StatusCode::kAlreadyExists, "already has key \"s-1\"");
  ASSERT_OK(t.db.RemoveExternalId({"shop", "s-1"}));
  EXPECT_ERROR(t.db.RemoveExternalId({"shop", "s-1"}), absl::StatusCode::kNotFound, "not found");
}

TEST(CustomerTest, SoftDeleteRestoreAndPurge) {
  TestDb t;
  CustomerDraft d = Person("Wang Fang");
  d.contact_points = {{ContactKind::kEmail, "wang@example.cn"}};
  ASSERT_OK_AND_ASSIGN(c, t.db.CreateCustomer(d));
  EXPECT_ERROR(t.db.DeleteCustomer(c.id, 5), absl::StatusCode::kAborted, "version");
  ASSERT_OK(t.db.DeleteCustomer(c.id));
  EXPECT_ERROR(t.db.GetCustomer(c.id), absl::StatusCode::kNotFound, "(deleted)");
  ASSERT_OK_AND_ASSIGN(deleted, t.db.GetCustomer(c.id, true));
  EXPECT_TRUE(deleted.deleted());
  ASSERT_OK_AND_ASSIGN(hidden, t.db.SearchCustomers({.name_contains = "wang"}));
  EXPECT_TRUE(hidden.customers.empty());
  ASSERT_OK(t.db.RestoreCustomer(c.id));
  EXPECT_ERROR(t.db.RestoreCustomer(c.id), absl::StatusCode::kFailedPrecondition, "is not deleted");
  ASSERT_OK(t.db.PurgeCustomer(c.id));
  EXPECT_ERROR(t.db.GetCustomer(c.id, true), absl::StatusCode::kNotFound, "not found");
  ASSERT_OK_AND_ASSIGN(changes, t.db.Changes({}));
  ASSERT_FALSE(changes.empty());
  EXPECT_EQ(changes.back().op, "purge");
  for (const Change& ch : changes) {
    EXPECT_EQ(ch.before.find("wang"), std::string::npos) << ch.before;
    EXPECT_EQ(ch.after.find("wang"), std::string::npos) << ch.after;
    EXPECT_EQ(ch.after.find("Wang"), std::string::npos) << ch.after;
  }
}

TEST(CustomerTest, SearchByNameChineseAndLatinSubstrings) {
  TestDb t;
  for (const char* name : {"阿里巴巴网络技术有限公司", "杭州云栖科技有限公司", "Müller GmbH", "MÜLLER Logistics", "Zhang Wei"}) {
    ASSERT_OK(t.db.CreateCustomer(Person(name)));
  }
  auto names = [&](CustomerQuery q) { return NamesFound(t.db, q); };
  EXPECT_THAT(names({.name_contains = "阿里"}), ::testing::ElementsAre("阿里巴巴网络技术有限公司"));
  EXPECT_THAT(names({.name_contains = "有限公司"}), ::testing::SizeIs(2));
  EXPECT_THAT(names({.name_contains = "müller"}), ::testing::ElementsAre("Müller GmbH", "MÜLLER Logistics"));
  EXPECT_THAT(names({.name_contains = "ＷＥＩ"}), ::testing::ElementsAre("Zhang Wei"));  // full-width folds
  EXPECT_THAT(names({.name_contains = "\"quoted\""}), ::testing::IsEmpty());
  EXPECT_ERROR(t.db.SearchCustomers({.name_contains = "\xff"}), absl::StatusCode::kInvalidArgument, "name_contains");
}

TEST(CustomerTest, SearchFiltersAndKeysetPaging) {
  TestDb t;
  for (int i = 0; i < 25; ++i) {
    CustomerDraft d = Person("Customer " + std::to_string(i));
    d.Set("owner", i % 2 == 0 ? 1 : 2).Set("lifecycle_stage", i < 5 ? "new" : "active");
    if (i % 5 == 0) d.tags = {"vip"};
    d.contact_points = {{ContactKind::kPhone, "+1 650 253 " + std::to_string(1000 + i)}};
    ASSERT_OK(t.db.CreateCustomer(d));
  }
  std::vector<CustomerId> all;
  CustomerQuery q;
  q.limit = 10;
  while (true) {
    ASSERT_OK_AND_ASSIGN(page, t.db.SearchCustomers(q));
    for (const Customer& c : page.customers) all.push_back(c.id);
    if (!page.next) break;
    q.after = page.next;
  }
  EXPECT_EQ(all.size(), 25u);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  ASSERT_OK_AND_ASSIGN(vip_owner1, t.db.SearchCustomers({.tags = {"VIP"}, .owner = UserId{1}}));
  EXPECT_EQ(vip_owner1.customers.size(), 3u);  // 0, 10, 20
  ASSERT_OK_AND_ASSIGN(fresh, t.db.SearchCustomers({.lifecycle_stage = "new"}));
  EXPECT_EQ(fresh.customers.size(), 5u);
  ASSERT_OK_AND_ASSIGN(by_phone, t.db.SearchCustomers({.contact = "+1 (650) 253-1007"}));
  ASSERT_EQ(by_phone.customers.size(), 1u);
  EXPECT_EQ(by_phone.customers[0].name, "Customer 7");
  EXPECT_ERROR(t.db.SearchCustomers({.limit = 0}), absl::StatusCode::kInvalidArgument, "limit");
}

TEST(CustomerTest, TagsAndOrganisationContacts) {
  TestDb t;
  ASSERT_OK_AND_ASSIGN(org, t.db.CreateCustomer(Person("杭州云栖科技有限公司").Set("kind", "organization")));
  ASSERT_OK_AND_ASSIGN(p1, t.db.CreateCustomer(Person("王芳")));
  ASSERT_OK_AND_ASSIGN(p2, t.db.CreateCustomer(Person("Li Lei")));
  ASSERT_OK(t.db.LinkContact(org.id, p1.id, "采购经理"));
  ASSERT_OK(t.db.LinkContact(org.id, p2.id, "CEO"));
  ASSERT_OK(t.db.LinkContact(org.id, p2.id, "CTO"));  // role update
  ASSERT_OK_AND_ASSIGN(contacts, t.db.ContactsOf(org.id));
  ASSERT_EQ(contacts.size(), 2u);
  EXPECT_EQ(contacts[1].role, "CTO");
  ASSERT_OK_AND_ASSIGN(orgs, t.db.OrganizationsOf(p1.id));
  ASSERT_EQ(orgs.size(), 1u);
  EXPECT_ERROR(t.db.LinkContact(p1.id, p2.id, "x"), absl::StatusCode::kFailedPrecondition, "is not an organization");
  ASSERT_OK(t.db.UnlinkContact(org.id, p1.id));
  EXPECT_ERROR(t.db.UnlinkContact(org.id, p1.id), absl::StatusCode::kNotFound, "is not a contact");
  ASSERT_OK(t.db.AddTag(p1.id, "Key Account"));
  ASSERT_OK(t.db.AddTag(p1.id, "key account"));  // idempotent after folding
  ASSERT_OK_AND_ASSIGN(tagged, t.db.GetCustomer(p1.id));
  EXPECT_EQ(tagged.tags, (std::vector<std::string>{"key account"}));
  EXPECT_EQ(tagged.version, 2);
  ASSERT_OK(t.db.RemoveTag(p1.id, "KEY ACCOUNT"));
  EXPECT_ERROR(t.db.AddTag(p1.id, " "), absl::StatusCode::kInvalidArgument, "tag: must not be empty");
}

TEST(CustomerTest, TransactionGroupsCallsAndRollsBack) {
  TestDb t;
  {
    ASSERT_OK_AND_ASSIGN(tx, t.db.Begin());
    ASSERT_OK(t.db.CreateCustomer(Person("Inside")));
    ASSERT_OK_AND_ASSIGN(page, t.db.SearchCustomers({}));
    EXPECT_EQ(page.customers.size(), 1u);  // sees its own writes
    EXPECT_ERROR(t.db.Begin(), absl::StatusCode::kFailedPrecondition, "already open");
    // tx destroyed without commit: rolled back
  }
  ASSERT_OK_AND_ASSIGN(none, t.db.SearchCustomers({}));
  EXPECT_TRUE(none.customers.empty());
  EXPECT_EQ(t.db.LastChangeSeq(), 0);
  ASSERT_OK_AND_ASSIGN(tx, t.db.Begin());
  ASSERT_OK(t.db.CreateCustomer(Person("A")));
  EXPECT_FALSE(t.db.CreateCustomer(Person("")).ok());  // a failed call inside leaves the rest
  ASSERT_OK(t.db.CreateCustomer(Person("B")));
  ASSERT_OK(tx.Commit());
  EXPECT_ERROR(tx.Commit(), absl::StatusCode::kFailedPrecondition, "not open");
  ASSERT_OK_AND_ASSIGN(two, t.db.SearchCustomers({}));
  EXPECT_EQ(two.customers.size(), 2u);
}

}  // namespace
}  // namespace rapport::testing

namespace rapport::testing {
namespace {

TEST(NameSearchTest, OneAndTwoCharacterQueriesUseTheBigramIndex) {
  TestDb t;
  for (const char* name : {"王芳", "李王", "王", "阿里巴巴网络技术有限公司", "Ab Cd", "x.y"}) ASSERT_OK(t.db.CreateCustomer(Person(name)));
  auto names = [&](std::string q) { return NamesFound(t.db, {.name_contains = q}); };
  EXPECT_THAT(names("王"), ::testing::ElementsAre("王芳", "李王", "王"));  // first, last and only character
  EXPECT_THAT(names("阿里"), ::testing::ElementsAre("阿里巴巴网络技术有限公司"));
  EXPECT_THAT(names("里巴"), ::testing::ElementsAre("阿里巴巴网络技术有限公司"));
  EXPECT_THAT(names("AB"), ::testing::ElementsAre("Ab Cd"));
  EXPECT_THAT(names(" b "), ::testing::ElementsAre("Ab Cd"));  // trimmed to "b"
  EXPECT_THAT(names(".y"), ::testing::ElementsAre("x.y"));
  EXPECT_THAT(names("芳王"), ::testing::IsEmpty());
}

TEST(NameSearchTest, RenameAndPurgeKeepTheIndexesTrue) {
  TestDb t;
  ASSERT_OK_AND_ASSIGN(c, t.db.CreateCustomer(Person("王芳")));
  ASSERT_OK(t.db.UpdateCustomer(c.id, CustomerPatch().Set("name", "李娜")));
  ASSERT_OK_AND_ASSIGN(old_name, t.db.SearchCustomers({.name_contains = "王"}));
  EXPECT_TRUE(old_name.customers.empty());
  ASSERT_OK_AND_ASSIGN(new_name, t.db.SearchCustomers({.name_contains = "李娜"}));
  EXPECT_EQ(new_name.customers.size(), 1u);
  ASSERT_OK(t.db.PurgeCustomer(c.id));
  ASSERT_OK_AND_ASSIGN(gone, t.db.SearchCustomers({.name_contains = "李"}));
  EXPECT_TRUE(gone.customers.empty());
  ASSERT_OK(t.db.CreateCustomer(Person("李四")));
  ASSERT_OK_AND_ASSIGN(fresh, t.db.SearchCustomers({.name_contains = "李"}));
  EXPECT_EQ(fresh.customers.size(), 1u);
}

}  // namespace
}  // namespace rapport::testing

namespace rapport::testing {
namespace {

TEST(NameSearchTest, GlobAndQuoteCharactersAreLiteral) {
  TestDb t;
  for (const char* name : {"a*b Trading", "AxB Trading", "Q[1] Labs", "what? corp", "wh at corp", "O\"Brien & Co"}) {
    ASSERT_OK(t.db.CreateCustomer(Person(name)));
  }
  auto names = [&](std::string q) { return NamesFound(t.db, {.name_contains = q}); };
  EXPECT_THAT(names("a*b"), ::testing::ElementsAre("a*b Trading"));
  EXPECT_THAT(names("q[1]"), ::testing::ElementsAre("Q[1] Labs"));
  EXPECT_THAT(names("at?"), ::testing::ElementsAre("what? corp"));
  EXPECT_THAT(names("o\"brien"), ::testing::ElementsAre("O\"Brien & Co"));
  EXPECT_THAT(names("trading"), ::testing::ElementsAre("a*b Trading", "AxB Trading"));
}

}  // namespace
}  // namespace rapport::testing

namespace rapport::testing {
namespace {

// Long keys match two rare-looking bigrams and check the whole key on the candidates.
TEST(NameSearchTest, LongKeysAreCheckedAsWholeSubstrings) {
  TestDb t;
  for (const char* name : {"Olivia K. Martinez", "Martinez Olivia K.", "ＯＬＩＶＩＡ K. MARTINEZ", "Olivia Kim", "杭州阿里巴巴科技"}) {
    ASSERT_OK(t.db.CreateCustomer(Person(name)));
  }
  auto names = [&](std::string q) { return NamesFound(t.db, {.name_contains = q}); };
  EXPECT_THAT(names("olivia k. mart"), ::testing::ElementsAre("Olivia K. Martinez", "ＯＬＩＶＩＡ K. MARTINEZ"));
  EXPECT_THAT(names("martinez olivia"), ::testing::ElementsAre("Martinez Olivia K."));
  EXPECT_THAT(names("阿里巴巴科技"), ::testing::ElementsAre("杭州阿里巴巴科技"));
  EXPECT_THAT(names("via k"), ::testing::ElementsAre("Olivia K. Martinez", "Martinez Olivia K.", "ＯＬＩＶＩＡ K. MARTINEZ", "Olivia Kim"));
  EXPECT_THAT(names("olivia x"), ::testing::IsEmpty());
}

}  // namespace
}  // namespace rapport::testing
