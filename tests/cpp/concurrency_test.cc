#include <atomic>
#include <thread>

#include "test_util.h"

namespace rapport::testing {
namespace {

TEST(ConcurrencyTest, ThreadsWriteAndReadOneFileDatabase) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(db, Database::Open(dir.File("mt.db")));
  constexpr int kWriters = 4, kPerWriter = 50;
  std::atomic<int> failures{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      Database mine = db.WithActor(Actor::User(UserId{w + 1}, "thread"));
      for (int i = 0; i < kPerWriter; ++i) {
        auto c = mine.CreateCustomer(Person("W" + std::to_string(w) + "-" + std::to_string(i)));
        if (!c.ok() || !mine.AddTag(c->id, "t" + std::to_string(w)).ok()) ++failures;
      }
    });
  }
  std::atomic<int> reads{0};
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&] {
      while (!done.load()) {
        auto page = db.SearchCustomers({.limit = 20});
        if (!page.ok()) ++failures;
        for (const Customer& c : page->customers) {
          if (c.name.empty()) ++failures;
        }
        ++reads;
      }
    });
  }
  for (int w = 0; w < kWriters; ++w) threads[w].join();
  done = true;
  for (size_t i = kWriters; i < threads.size(); ++i) threads[i].join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(db.LastChangeSeq(), kWriters * kPerWriter * 2);
  for (int w = 0; w < kWriters; ++w) {
    ASSERT_OK_AND_ASSIGN(page, db.SearchCustomers({.tags = {"t" + std::to_string(w)}, .limit = 1000}));
    EXPECT_EQ(page.customers.size(), static_cast<size_t>(kPerWriter));
  }
}

TEST(ConcurrencyTest, OtherThreadsWaitForAnOpenTransaction) {
  TestDb t;
  ASSERT_OK_AND_ASSIGN(tx, t.db.Begin());
  ASSERT_OK(t.db.CreateCustomer(Person("Inside")));
  std::atomic<bool> wrote{false};
  std::thread other([&] {
    EXPECT_TRUE(t.db.CreateCustomer(Person("Outside")).ok());
    wrote = true;
  });
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_FALSE(wrote.load());
  ASSERT_OK(tx.Commit());
  other.join();
  EXPECT_TRUE(wrote.load());
  ASSERT_OK_AND_ASSIGN(page, t.db.SearchCustomers({}));
  EXPECT_EQ(page.customers.size(), 2u);
}

}  // namespace
}  // namespace rapport::testing
