#include "test_util.h"

namespace rapport::testing {
namespace {

TEST(ContactPointTest, AddUpdatePrimaryAndRemove) {
  TestDb t;
  ASSERT_OK_AND_ASSIGN(c, t.db.CreateCustomer(Person("Zhang Wei")));
  ASSERT_OK_AND_ASSIGN(first, t.db.AddContactPoint(c.id, {ContactKind::kEmail, "zw@example.com", "work"}));
  EXPECT_TRUE(first.primary);  // the first of its kind
  ASSERT_OK_AND_ASSIGN(second, t.db.AddContactPoint(c.id, {ContactKind::kEmail, "zw@home.example.com", "home", true}));
  EXPECT_TRUE(second.primary);
  ASSERT_OK_AND_ASSIGN(reloaded, t.db.GetCustomer(c.id));
  EXPECT_FALSE(reloaded.contact_points[0].primary);
  EXPECT_EQ(reloaded.version, 3);
  EXPECT_ERROR(t.db.AddContactPoint(c.id, {ContactKind::kEmail, "ZW@EXAMPLE.COM"}), absl::StatusCode::kAlreadyExists, "");
  ContactPointPatch opt_out;
  opt_out.opted_out = true;
  ASSERT_OK_AND_ASSIGN(updated, t.db.UpdateContactPoint(first.id, opt_out));
  EXPECT_TRUE(updated.opted_out);
  ASSERT_OK(t.db.RemoveContactPoint(second.id));
  ASSERT_OK_AND_ASSIGN(after, t.db.GetCustomer(c.id));
  ASSERT_EQ(after.contact_points.size(), 1u);
  EXPECT_TRUE(after.contact_points[0].primary);  // promoted
  EXPECT_ERROR(t.db.RemoveContactPoint(second.id), absl::StatusCode::kNotFound, "contact point");
  EXPECT_ERROR(t.db.AddContactPoint(CustomerId{77}, {ContactKind::kEmail, "a@b.cn"}), absl::StatusCode::kNotFound, "customer 77");
  EXPECT_ERROR(t.db.AddContactPoint(c.id, {ContactKind::kPhone, "555"}), absl::StatusCode::kInvalidArgument, "phone: \"555\"");
}

TEST(ContactPointTest, RegionDefaultsAndExplicitCountryCodes) {
  auto clock = std::make_shared<ManualClock>();
  Database us = TestDb::OpenMemory(clock, "US");
  CustomerDraft d = Person("Bob");
  d.contact_points = {{ContactKind::kPhone, "650-253-0000"}, {ContactKind::kPhone, "+86 138 0013 8000"}};
  ASSERT_OK_AND_ASSIGN(c, us.CreateCustomer(d));
  EXPECT_EQ(c.contact_points[0].value, "+16502530000");
  EXPECT_EQ(c.contact_points[1].value, "+8613800138000");
  EXPECT_EQ(c.contact_points[1].raw, "+86 138 0013 8000");
  CustomerDraft twice = Person("Bob");
  twice.contact_points = {{ContactKind::kEmail, "a@x.com", "", true}, {ContactKind::kEmail, "b@x.com", "", true}};
  EXPECT_ERROR(us.CreateCustomer(twice), absl::StatusCode::kInvalidArgument, "only one primary email");
}

}  // namespace
}  // namespace rapport::testing
