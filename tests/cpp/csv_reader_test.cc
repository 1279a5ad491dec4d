#include "model/csv_reader.h"

#include "test_util.h"

namespace rapport::internal {
namespace {

std::vector<std::vector<std::string>> ReadAll(std::string_view text) {
  CsvReader reader(text, ',');
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> fields;
  while (true) {
    auto more = reader.Next(fields);
    EXPECT_TRUE(more.ok()) << more.status();
    if (!more.ok() || !*more) break;
    rows.push_back(fields);
  }
  return rows;
}

TEST(CsvReaderTest, QuotesEmbeddedDelimitersAndLineBreaks) {
  auto rows = ReadAll("\xEF\xBB\xBFname,note\r\n\"Müller, GmbH\",\"say \"\"hi\"\"\nbye\"\n,\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"name", "note"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"Müller, GmbH", "say \"hi\"\nbye"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"", ""}));
}

TEST(CsvReaderTest, MalformedInputNamesTheLine) {
  std::vector<std::string> f;
  CsvReader a("a,b\n\"open,x\n", ',');
  ASSERT_TRUE(a.Next(f).ok());
  EXPECT_ERROR(a.Next(f), absl::StatusCode::kInvalidArgument, "csv line 2: unterminated quoted field");
  CsvReader b("a,b\nx,\"y\"z\n", ',');
  ASSERT_TRUE(b.Next(f).ok());
  EXPECT_ERROR(b.Next(f), absl::StatusCode::kInvalidArgument, "csv line 2: text after a closing quote");
  CsvReader c("a,b\"c\n", ',');
  EXPECT_ERROR(c.Next(f), absl::StatusCode::kInvalidArgument, "csv line 1: a quote inside an unquoted field");
}

}  // namespace
}  // namespace rapport::internal
