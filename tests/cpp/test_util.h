// Shared helpers for the C++ tests.
#ifndef RAPPORT_TESTS_CPP_TEST_UTIL_H_
#define RAPPORT_TESTS_CPP_TEST_UTIL_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "absl/time/civil_time.h"
#include "rapport/rapport.hpp"

namespace rapport::testing {

inline const absl::Status& StatusOf(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& StatusOf(const absl::StatusOr<T>& s) {
  return s.status();
}

#define ASSERT_OK(expr)                                     \
  do {                                                      \
    auto&& _ok = (expr);                                    \
    ASSERT_TRUE(_ok.ok()) << ::rapport::testing::StatusOf(_ok); \
  } while (0)
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  auto lhs##_or = (expr);               \
  ASSERT_TRUE(lhs##_or.ok()) << lhs##_or.status(); \
  auto lhs = std::move(lhs##_or).value()

// Expects `expr` to fail with `code` and a message containing `fragment`.
#define EXPECT_ERROR(expr, expected_code, fragment)                                \
  do {                                                                             \
    auto&& _r = (expr);                                                            \
    const auto& _s = ::rapport::testing::StatusOf(_r);                             \
    EXPECT_EQ(_s.code(), expected_code) << _s;                                     \
    EXPECT_THAT(std::string(_s.message()), ::testing::HasSubstr(fragment)) << _s;  \
  } while (0)

inline absl::Time At(int y, int m, int d, int hh = 0, int mm = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0), absl::UTCTimeZone());
}

// A memory database on a manual clock starting 2025-01-01.
struct TestDb {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(At(2025, 1, 1));
  Database db;

  static Database OpenMemory(std::shared_ptr<ManualClock> clock, std::string region = "CN") {
    Options o;
    o.clock = clock;
    o.default_region = region;
    auto db = Database::Open(":memory:", o);
    EXPECT_TRUE(db.ok()) << db.status();
    return std::move(db).value();
  }
  TestDb() : db(OpenMemory(clock)) {}
};

// A fresh temporary directory, removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "rapport-test-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return (std::filesystem::path(path_) / name).string(); }

 private:
  std::string path_;
};

inline CustomerDraft Person(std::string name) {
  CustomerDraft d;
  d.Set("name", std::move(name));
  return d;
}

// Names of the customers `query` finds, in id order.
inline std::vector<std::string> NamesFound(const Database& db, const CustomerQuery& query) {
  std::vector<std::string> out;
  auto page = db.SearchCustomers(query);
  EXPECT_TRUE(page.ok()) << page.status();
  if (page.ok()) {
    for (const Customer& c : page->customers) out.push_back(c.name);
  }
  return out;
}

}  // namespace rapport::testing

#endif  // RAPPORT_TESTS_CPP_TEST_UTIL_H_
