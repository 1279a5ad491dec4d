#include "test_util.h"

namespace rapport::testing {
namespace {

ImportOptions Mapping() {
  ImportOptions o;
  o.mapping = {{"客户编号", "external_id:erp"}, {"名称", "name"},   {"行业", "industry"}, {"邮箱", "email"},
               {"电话", "phone"},             {"标签", "tags"},   {"等级", "vip_level"}};
  o.upsert_system = "erp";
  return o;
}

constexpr char kCsv[] =
    "客户编号,名称,行业,邮箱,电话,标签,等级\n"
    "E1,阿里巴巴网络技术有限公司,互联网,bd@alibaba.example.com,138 0013 8000,vip;b2b,3\n"
    "E2,\"Müller, GmbH\",Manufacturing,info@mueller.example.de,+49 30 901820,export,1\n"
    "E3,Bad Email Co,Retail,not-an-email,,,2\n"
    "E4,Too High,Retail,,,,9\n";

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CustomFieldDef level;
    level.name = "vip_level";
    level.type = FieldType::kInteger;
    level.max = 5;
    ASSERT_OK(t_.db.DefineCustomField(level));
  }
  TestDb t_;
};

TEST_F(ImportTest, ReportsBadRowsAndWritesTheGoodOnes) {
  ASSERT_OK_AND_ASSIGN(report, t_.db.ImportCsv(kCsv, Mapping()));
  EXPECT_EQ(report.rows, 4);
  EXPECT_EQ(report.created, 2);
  EXPECT_EQ(report.failed, 2);
  EXPECT_TRUE(report.committed);
  ASSERT_EQ(report.errors.size(), 2u);
  EXPECT_EQ(report.errors[0].row, 3);
  EXPECT_EQ(report.errors[0].field, "email");
  EXPECT_THAT(report.errors[0].reason, ::testing::HasSubstr("not-an-email"));
  EXPECT_EQ(report.errors[1].row, 4);
  EXPECT_EQ(report.errors[1].field, "vip_level");
  ASSERT_OK_AND_ASSIGN(ali, t_.db.FindByExternalId({"erp", "E1"}));
  EXPECT_EQ(ali.industry, "互联网");
  EXPECT_EQ(ali.tags, (std::vector<std::string>{"b2b", "vip"}));
  EXPECT_EQ(ali.contact_points.size(), 2u);
  EXPECT_EQ(ali.custom_fields.at("vip_level"), Value(int64_t{3}));
  ASSERT_OK_AND_ASSIGN(mueller, t_.db.FindByExternalId({"erp", "E2"}));
  EXPECT_EQ(mueller.name, "Müller, GmbH");
  EXPECT_EQ(mueller.contact_points[1].value, "+4930901820");

  // A second run upserts: updates E1's industry, adds nothing twice.
  ImportOptions partial;
  partial.mapping = {{"客户编号", "external_id:erp"}, {"行业", "industry"}, {"标签", "tags"}};
  partial.upsert_system = "erp";
  ASSERT_OK_AND_ASSIGN(again, t_.db.ImportCsv("客户编号,行业,标签\nE1,电商,vip\n", partial));
  EXPECT_EQ(again.updated, 1);
  EXPECT_EQ(again.created, 0);
  ASSERT_OK_AND_ASSIGN(ali2, t_.db.FindByExternalId({"erp", "E1"}));
  EXPECT_EQ(ali2.industry, "电商");
  EXPECT_EQ(ali2.name, "阿里巴巴网络技术有限公司");
  EXPECT_EQ(ali2.tags, (std::vector<std::string>{"b2b", "vip"}));
}

TEST_F(ImportTest, AllOrNothingRejectsTheWholeFile) {
  const int64_t seq = t_.db.LastChangeSeq();
  ImportOptions o = Mapping();
  o.all_or_nothing = true;
  ASSERT_OK_AND_ASSIGN(report, t_.db.ImportCsv(kCsv, o));
  EXPECT_FALSE(report.committed);
  EXPECT_EQ(report.failed, 2);
  EXPECT_EQ(report.created, 0);
  EXPECT_EQ(t_.db.LastChangeSeq(), seq);
  ASSERT_OK_AND_ASSIGN(page, t_.db.SearchCustomers({}));
  EXPECT_TRUE(page.customers.empty());
}

TEST_F(ImportTest, ProgressAndCancellation) {
  std::string csv = "id,name\n";
  for (int i = 0; i < 250; ++i) csv += "K" + std::to_string(i) + ",Name " + std::to_string(i) + "\n";
  ImportOptions o;
  o.mapping = {{"id", "external_id:erp"}, {"name", "name"}};
  o.upsert_system = "erp";
  o.progress_every = 100;
  std::vector<int64_t> seen;
  o.progress = [&](int64_t rows) {
    seen.push_back(rows);
    return true;
  };
  ASSERT_OK_AND_ASSIGN(report, t_.db.ImportCsv(csv, o));
  EXPECT_EQ(report.created, 250);
  EXPECT_EQ(seen, (std::vector<int64_t>{100, 200, 250}));
  ASSERT_OK_AND_ASSIGN(changes, t_.db.Changes({.after_seq = 1}));
  ASSERT_EQ(changes.size(), 1u);  // one compact bulk entry
  EXPECT_EQ(changes[0].op, "import");
  EXPECT_THAT(changes[0].after, ::testing::HasSubstr("\"created\":250"));

  const int64_t seq = t_.db.LastChangeSeq();
  std::string more = "id,name\nN1,New\nN2,New\n";
  o.progress_every = 1;
  o.progress = [](int64_t rows) { return rows < 2; };
  EXPECT_ERROR(t_.db.ImportCsv(more, o), absl::StatusCode::kCancelled, "import cancelled at row 2");
  EXPECT_EQ(t_.db.LastChangeSeq(), seq);
  EXPECT_ERROR(t_.db.FindByExternalId({"erp", "N1"}), absl::StatusCode::kNotFound, "");
}

TEST_F(ImportTest, FileLevelErrors) {
  ImportOptions o = Mapping();
  EXPECT_ERROR(t_.db.ImportCsv("", o), absl::StatusCode::kInvalidArgument, "the file is empty");
  EXPECT_ERROR(t_.db.ImportCsv("名称\nx\n", o), absl::StatusCode::kInvalidArgument, "the CSV has no column \"客户编号\"");
  ImportOptions unknown;
  unknown.mapping = {{"n", "nmae"}};
  EXPECT_ERROR(t_.db.ImportCsv("n\nx\n", unknown), absl::StatusCode::kInvalidArgument, "did you mean \"name\"");
  ImportOptions plain;
  plain.mapping = {{"n", "name"}};
  EXPECT_ERROR(t_.db.ImportCsv("n\n\"broken\n", plain), absl::StatusCode::kInvalidArgument, "csv line 2: unterminated");
  ASSERT_OK_AND_ASSIGN(r, t_.db.ImportCsv("n,x\nok,1\nshort\nbad\xff,2\n", plain));
  EXPECT_EQ(r.created, 1);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_THAT(r.errors[0].reason, ::testing::HasSubstr("expected 2 cells, found 1"));
  EXPECT_EQ(r.errors[1].field, "name");
  EXPECT_THAT(r.errors[1].reason, ::testing::HasSubstr("invalid UTF-8"));
  EXPECT_ERROR(t_.db.ImportCsvFile("/nonexistent/x.csv", plain), absl::StatusCode::kNotFound, "cannot open");
}

}  // namespace
}  // namespace rapport::testing
