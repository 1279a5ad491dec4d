// Segments on a database: the frame is loaded once and then kept current from the change feed.
#include <random>

#include "base/strings.h"
#include "db/core.h"
#include "test_util.h"

namespace rapport {
namespace {

using ::testing::ElementsAre;
using testing::At;
using testing::Person;
using testing::TestDb;

std::vector<int64_t> Ids(const absl::StatusOr<std::vector<CustomerId>>& r) {
  EXPECT_TRUE(r.ok()) << r.status();
  std::vector<int64_t> out;
  if (r.ok())
    for (CustomerId id : *r) out.push_back(ToInt(id));
  return out;
}

// Two frames hold the same data (codes may differ).
void ExpectSameFrame(const CustomerFrame& a, const CustomerFrame& b) {
  ASSERT_EQ(a.ids, b.ids);
  ASSERT_EQ(a.columns.size(), b.columns.size());
  for (size_t c = 0; c < a.columns.size(); ++c) {
    const auto& [name, ca] = a.columns[c];
    const Column& cb = b.columns[c].second;
    ASSERT_EQ(name, b.columns[c].first);
    for (size_t r = 0; r < a.rows(); ++r) {
      std::visit(
          [&](const auto& x) {
            using C = std::decay_t<decltype(x)>;
            const C& y = std::get<C>(cb);
            if constexpr (std::is_same_v<C, CategoryColumn> || std::is_same_v<C, TextColumn>) {
              EXPECT_EQ(x.Get(r), y.Get(r)) << name << " row " << r;
            } else if constexpr (std::is_same_v<C, SetColumn>) {
              std::vector<std::string_view> vx = x.Values(r), vy = y.Values(r);
              std::sort(vx.begin(), vx.end());
              std::sort(vy.begin(), vy.end());
              EXPECT_EQ(vx, vy) << name << " row " << r;
            } else if constexpr (std::is_same_v<C, NumberColumn>) {
              double p = x.Get(r), q = y.Get(r);
              EXPECT_TRUE((std::isnan(p) && std::isnan(q)) || p == q) << name << " row " << r << ": " << p << " vs " << q;
            } else {
              EXPECT_EQ(x.Get(r), y.Get(r)) << name << " row " << r;
            }
          },
          ca);
    }
  }
}

class DatabaseSegment : public ::testing::Test {
 protected:
  CustomerId Add(std::string name, std::string region, std::vector<std::string> tags = {}) {
    CustomerDraft d = Person(std::move(name));
    d.Set("region", std::move(region));
    d.tags = std::move(tags);
    auto c = t_.db.CreateCustomer(d);
    EXPECT_TRUE(c.ok()) << c.status();
    return c->id;
  }
  void Order(CustomerId c, int64_t minor, absl::Time at, std::string status = "completed") {
    OrderDraft o;
    o.customer = c;
    o.amount = Money{minor, "CNY"};
    o.ordered_at = at;
    o.status = std::move(status);
    ASSERT_TRUE(t_.db.AddOrder(o).ok());
  }
  internal::FrameCache::Stats Stats() { return t_.db.core().frame_cache().stats(); }

  TestDb t_;
};

TEST_F(DatabaseSegment, FollowsEveryKindOfChangeWithoutReloading) {
  CustomerId a = Add("Ann", "华东", {"vip"}), b = Add("Bob", "华南"), c = Add("Cai", "华东");
  Order(a, 600000, At(2024, 12, 1));
  Order(b, 900000, At(2024, 6, 1));
  Order(c, 100, At(2024, 12, 20), "refunded");
  const char* kExpr = "region = \"华东\" and monetary > 5000 and recency_days <= 90";
  EXPECT_THAT(Ids(t_.db.Segment(kExpr)), ElementsAre(ToInt(a)));
  EXPECT_EQ(Stats().full_loads, 1);

  Order(c, 700000, At(2024, 12, 24));  // c qualifies now
  EXPECT_THAT(Ids(t_.db.Segment(kExpr)), ElementsAre(ToInt(a), ToInt(c)));
  EXPECT_EQ(Stats().incremental, 1);
  EXPECT_EQ(Stats().last_customers_reread, 1u);

  ASSERT_TRUE(t_.db.UpdateCustomer(a, CustomerPatch().Set("region", "华北")).ok());
  ASSERT_TRUE(t_.db.AddTag(c, "VIP").ok());
  EXPECT_THAT(Ids(t_.db.Segment(kExpr)), ElementsAre(ToInt(c)));
  ASSERT_TRUE(t_.db.RemoveTag(a, "vip").ok());
  EXPECT_THAT(Ids(t_.db.Segment("has_tag(\"vip\")")), ElementsAre(ToInt(c)));
  // That call built the frame's tag index; the refresh of each change must drop it.
  ASSERT_TRUE(t_.db.AddTag(b, "vip").ok());
  EXPECT_THAT(Ids(t_.db.Segment("has_tag(\"vip\")")), ElementsAre(ToInt(b), ToInt(c)));
  ASSERT_TRUE(t_.db.RemoveTag(c, "vip").ok());
  ASSERT_TRUE(t_.db.AddTag(c, "b2b").ok());
  EXPECT_THAT(Ids(t_.db.Segment("has_tag(\"vip\")")), ElementsAre(ToInt(b)));
  EXPECT_THAT(Ids(t_.db.Segment("has_tag(\"b2b\")")), ElementsAre(ToInt(c)));
  ASSERT_TRUE(t_.db.AddTag(c, "vip").ok());
  ASSERT_TRUE(t_.db.DeleteCustomer(c).ok());
  EXPECT_THAT(Ids(t_.db.Segment("monetary > 0")), ElementsAre(ToInt(a), ToInt(b)));
  ASSERT_TRUE(t_.db.RestoreCustomer(c).ok());
  CustomerId d = Add("Dan", "华东");
  auto imported = t_.db.ImportCsv("name,region\nEve,华东\nFay,华南\n", {.mapping = {{"name", "name"}, {"region", "region"}}});
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(Ids(t_.db.Segment("region = \"华东\"")), (std::vector<int64_t>{ToInt(c), ToInt(d), ToInt(d) + 1}));
  EXPECT_EQ(Stats().full_loads, 1);
  ASSERT_TRUE(t_.db.PurgeCustomer(b).ok());
  EXPECT_THAT(Ids(t_.db.Segment("monetary > 0")), ElementsAre(ToInt(a), ToInt(c)));
  EXPECT_EQ(Stats().full_loads, 1);

  // A new custom field changes the columns: the frame is loaded again.
  CustomFieldDef score{.name = "score", .type = FieldType::kInteger};
  ASSERT_TRUE(t_.db.DefineCustomField(score).ok());
  ASSERT_TRUE(t_.db.UpdateCustomer(d, CustomerPatch().Set("score", 5)).ok());
  EXPECT_THAT(Ids(t_.db.Segment("score >= 5")), ElementsAre(ToInt(d)));
  EXPECT_EQ(Stats().full_loads, 2);
}

TEST_F(DatabaseSegment, UncommittedChangesAreSeenOnlyInsideTheTransaction) {
  CustomerId a = Add("Ann", "华东");
  EXPECT_THAT(Ids(t_.db.Segment("region = \"华东\"")), ElementsAre(ToInt(a)));
  {
    auto tx = t_.db.Begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(t_.db.UpdateCustomer(a, CustomerPatch().Set("region", "华南")).ok());
    EXPECT_THAT(Ids(t_.db.Segment("region = \"华东\"")), ElementsAre());
    ASSERT_TRUE(tx->Rollback().ok());
  }
  EXPECT_THAT(Ids(t_.db.Segment("region = \"华东\"")), ElementsAre(ToInt(a)));
}

TEST_F(DatabaseSegment, IncrementalFrameEqualsAFreshLoadAfterRandomChanges) {
  std::mt19937_64 rng(11);
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  std::vector<CustomerId> ids;
  for (int i = 0; i < 300; ++i) ids.push_back(Add(StrCat("c", i), pick(2) ? "华东" : "华南", pick(3) ? std::vector<std::string>{} : std::vector<std::string>{"vip"}));
  Order(ids[0], 100, At(2024, 1, 1));  // orders exist: their currency is known from the start
  // Tag conditions read the cached frame's tag index, built by the round before: a refresh must not
  // leave it answering from the old rows.
  const char* kTags = "has_tag(\"vip\") or has_all_tags(\"b2b\", \"t7\") or has_tag(\"新客\")";
  ASSERT_TRUE(t_.db.Segment(kTags).ok());
  for (int round = 0; round < 5; ++round) {
    for (int k = 0; k < 40; ++k) {
      CustomerId c = ids[pick(ids.size())];
      t_.clock->Advance(absl::Seconds(1));  // so that updated_at tells each change apart
      switch (pick(9)) {
        case 0: {  // refused for deleted customers, like any write to them
          OrderDraft o{.customer = c, .amount = Money{1 + pick(100000), "CNY"}, .ordered_at = At(2024, 1 + pick(12), 1 + pick(28))};
          (void)t_.db.AddOrder(o);
          break;
        }
        case 1: (void)t_.db.UpdateCustomer(c, CustomerPatch().Set("industry", pick(2) ? Value("零售") : Value(nullptr))); break;
        case 2: (void)t_.db.AddTag(c, pick(2) ? "b2b" : "新客"); break;
        case 3: (void)t_.db.RemoveTag(c, "vip"); break;
        case 4: (void)t_.db.DeleteCustomer(c); break;
        case 5: (void)t_.db.UpdateCustomer(c, CustomerPatch().Set("name", StrCat("renamed ", pick(1000)))); break;
        case 6: (void)t_.db.AddContactPoint(c, {.kind = ContactKind::kEmail, .value = StrCat("c", pick(100000), "@example.com")}); break;
        case 7: (void)t_.db.AddTag(c, StrCat("t", pick(50))); break;
        default: (void)t_.db.RestoreCustomer(c); ids.push_back(Add(StrCat("n", round, k), "华北")); break;
      }
    }
    auto cached_members = t_.db.Segment(kTags);
    ASSERT_TRUE(cached_members.ok());
    const internal::FrameCache::Stats stats = Stats();
    EXPECT_EQ(stats.full_loads, 1);
    EXPECT_GT(stats.last_customers_reread, 0u);
    auto fresh = t_.db.LoadCustomerFrame();
    ASSERT_TRUE(fresh.ok());
    auto fresh_members = EvaluateSegment(*SegmentExpr::Parse(kTags), *fresh);
    ASSERT_TRUE(fresh_members.ok());
    EXPECT_EQ(Ids(*cached_members), *fresh_members);
    ASSERT_TRUE(t_.db.core().frame_cache().Use(t_.db.core(), {}, [&](const CustomerFrame& cached, const internal::OrderScope&) {
      ExpectSameFrame(cached, *fresh);
      return absl::OkStatus();
    }).ok());
  }
}

// Dictionaries that outgrow one-byte codes during an incremental refresh (a category column, the
// tags) give the same frame as a fresh load.
TEST_F(DatabaseSegment, DictionariesOutgrowingOneByteCodesMatchAFreshLoad) {
  std::vector<CustomerId> ids;
  for (int i = 0; i < 1200; ++i) ids.push_back(Add(StrCat("c", i), i % 2 ? "华东" : "华南"));
  ASSERT_TRUE(t_.db.Segment("region = \"华东\"").ok());
  auto cached_width = [&](std::string_view column) {
    int width = 0;
    EXPECT_TRUE(t_.db.core().frame_cache().Use(t_.db.core(), {}, [&](const CustomerFrame& f, const internal::OrderScope&) {
      const Column* c = f.Find(column);
      if (const auto* cat = std::get_if<CategoryColumn>(c)) width = cat->codes.width();
      if (const auto* set = std::get_if<SetColumn>(c)) width = set->codes.width();
      return absl::OkStatus();
    }).ok());
    return width;
  };
  EXPECT_EQ(cached_width("industry"), 1);
  {
    auto tx = t_.db.Begin();
    ASSERT_TRUE(tx.ok());
    for (int i = 0; i < 300; ++i) {
      ASSERT_TRUE(t_.db.UpdateCustomer(ids[i], CustomerPatch().Set("industry", StrCat("行业 ", i))).ok());
      ASSERT_TRUE(t_.db.AddTag(ids[i + 300], StrCat("tag ", i)).ok());
    }
    ASSERT_TRUE(tx->Commit().ok());
  }
  EXPECT_EQ(Ids(t_.db.Segment("industry = \"行业 299\" or has_tag(\"tag 299\")")), (std::vector<int64_t>{ToInt(ids[299]), ToInt(ids[599])}));
  EXPECT_EQ(Stats().full_loads, 1);
  EXPECT_EQ(cached_width("industry"), 2);
  EXPECT_EQ(cached_width("tags"), 1);  // the new tags went to rows kept apart; the array widens when compacted
  auto fresh = t_.db.LoadCustomerFrame();
  ASSERT_TRUE(fresh.ok());
  ASSERT_TRUE(t_.db.core().frame_cache().Use(t_.db.core(), {}, [&](const CustomerFrame& cached, const internal::OrderScope&) {
    ExpectSameFrame(cached, *fresh);
    return absl::OkStatus();
  }).ok());
  EXPECT_EQ(std::get<SetColumn>(*fresh->Find("tags")).codes.width(), 2);
}

TEST_F(DatabaseSegment, ContactPointChangesReachTheFramesUpdatedAt) {
  CustomerId a = Add("Ann", "华东");
  ASSERT_TRUE(t_.db.Segment("region = \"华东\"").ok());
  t_.clock->Advance(absl::Hours(1));
  ASSERT_TRUE(t_.db.AddContactPoint(a, {.kind = ContactKind::kEmail, .value = "ann@example.com"}).ok());
  EXPECT_THAT(Ids(t_.db.Segment("updated_at > created_at")), ElementsAre(ToInt(a)));
  EXPECT_EQ(Stats().full_loads, 1);
}

TEST_F(DatabaseSegment, FieldsNobodyFillsInHoldNoArrayUntilOneIsSet) {
  CustomerId a = Add("Ann", "华东"), b = Add("Bob", "华南");
  auto loaded = t_.db.LoadCustomerFrame();
  ASSERT_TRUE(loaded.ok());
  EXPECT_TRUE(std::get<TimeColumn>(*loaded->Find("birthday")).values.empty());
  EXPECT_TRUE(std::get<NumberColumn>(*loaded->Find("owner")).values.empty());
  EXPECT_EQ(std::get<TimeColumn>(*loaded->Find("created_at")).values.size(), 2u);
  EXPECT_THAT(Ids(t_.db.Segment("birthday is null and not (owner > 0)")), ElementsAre(ToInt(a), ToInt(b)));
  ASSERT_TRUE(t_.db.UpdateCustomer(b, CustomerPatch().Set("birthday", "1990-05-01")).ok());
  EXPECT_THAT(Ids(t_.db.Segment("birthday < date \"1991-01-01\"")), ElementsAre(ToInt(b)));
  EXPECT_EQ(Stats().full_loads, 1);
  auto fresh = t_.db.LoadCustomerFrame();
  ASSERT_TRUE(fresh.ok());
  ASSERT_TRUE(t_.db.core().frame_cache().Use(t_.db.core(), {}, [&](const CustomerFrame& cached, const internal::OrderScope&) {
    ExpectSameFrame(cached, *fresh);
    EXPECT_EQ(std::get<TimeColumn>(*cached.Find("birthday")).values.size(), 2u);
    return absl::OkStatus();
  }).ok());
}

TEST_F(DatabaseSegment, LoadedFrameReportsArraysApartFromStrings) {
  for (int i = 0; i < 100; ++i) Add(StrCat("customer ", i), i % 2 ? "华东" : "华南", {"vip"});
  auto frame = t_.db.LoadCustomerFrame();
  ASSERT_TRUE(frame.ok());
  const FrameBytes b = frame->ByteBreakdown();
  EXPECT_EQ(b.total(), frame->bytes());
  // Names are strings; every column has at most 8 bytes per customer, plus offsets.
  const size_t names = std::get<TextColumn>(*frame->Find("name")).chars.size();
  EXPECT_GE(b.strings, names);
  EXPECT_LE(b.arrays, 100 * (8 + 8 * frame->columns.size() + 4) + 64 * frame->columns.size());
  EXPECT_EQ(std::get<CategoryColumn>(*frame->Find("region")).codes.width(), 1);
}

}  // namespace
}  // namespace rapport
