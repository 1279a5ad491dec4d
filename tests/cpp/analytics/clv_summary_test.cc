// The recency-frequency summary of CLV models: hand-computed cases and the published CDNOW summary.
#include <cmath>
#include <filesystem>

#include "clv_test_data.h"
#include "rapport/clv_summary.h"
#include "test_util.h"

namespace rapport {
namespace {

using ::testing::ElementsAre;
using testing::DayMicros;

constexpr int64_t kHour = 3'600'000'000;

OrderFrame Orders(std::vector<std::tuple<int64_t, int64_t, double>> rows) {
  OrderFrame f;
  for (auto [c, at, amount] : rows) {
    f.customer.push_back(c);
    f.at.push_back(at);
    f.amount.push_back(amount);
  }
  return f;
}

TEST(ClvSummary, CountsRepeatPurchasesMergedByDay) {
  const int64_t d0 = DayMicros(2024, 1, 1);
  // Customer 7: first day twice (merged), then days 7 and 14; customer 3: once; customer 9 only after
  // the calibration end (absent); customer 5: an order without a time and one on day 0.
  const OrderFrame orders = Orders({{7, d0 + 14 * kMicrosPerDay, 30},
                                    {7, d0, 10},
                                    {7, d0 + 5 * kHour, 5},
                                    {3, d0 + 2 * kMicrosPerDay, 99},
                                    {7, d0 + 7 * kMicrosPerDay, 20},
                                    {7, d0 + 7 * kMicrosPerDay + kHour, NAN},
                                    {9, d0 + 40 * kMicrosPerDay, 1},
                                    {5, kNullTime, 1},
                                    {5, d0, 4}});
  ClvSummaryOptions o;
  o.calibration_end = d0 + 21 * kMicrosPerDay;
  o.time_unit = kMicrosPerDay;
  ASSERT_OK_AND_ASSIGN(s, SummarizeForClv(orders, o));
  EXPECT_THAT(s.customer, ElementsAre(3, 5, 7));
  EXPECT_THAT(s.frequency, ElementsAre(0, 0, 2));
  EXPECT_THAT(s.recency, ElementsAre(0, 0, 14));
  EXPECT_THAT(s.age, ElementsAre(19, 21, 21));
  EXPECT_TRUE(std::isnan(s.monetary[0]));
  EXPECT_DOUBLE_EQ(s.monetary[2], 25);  // (20 + NaN-as-nothing + 30) / 2
  EXPECT_TRUE(s.holdout_frequency.empty());

  o.merge_period = 0;  // every order is a purchase
  ASSERT_OK_AND_ASSIGN(unmerged, SummarizeForClv(orders, o));
  EXPECT_THAT(unmerged.frequency, ElementsAre(0, 0, 4));
  EXPECT_DOUBLE_EQ(unmerged.recency[2], 14);
  EXPECT_DOUBLE_EQ(unmerged.monetary[2], (5 + 20 + 30) / 4.0);  // the NaN order adds nothing
}

TEST(ClvSummary, MergeOffsetMovesDayBoundaries) {
  const int64_t d0 = DayMicros(2024, 1, 1);
  // 23:00 and 01:00 UTC: two UTC days, one day in UTC+2.
  const OrderFrame orders = Orders({{1, d0 - kHour, 1}, {1, d0 + kHour, 2}});
  ClvSummaryOptions o;
  o.calibration_end = d0 + kMicrosPerDay;
  ASSERT_OK_AND_ASSIGN(utc, SummarizeForClv(orders, o));
  EXPECT_THAT(utc.frequency, ElementsAre(1));
  o.merge_offset = -2 * kHour;
  ASSERT_OK_AND_ASSIGN(plus2, SummarizeForClv(orders, o));
  EXPECT_THAT(plus2.frequency, ElementsAre(0));
}

TEST(ClvSummary, HoldoutCountsPurchasesAfterTheCalibrationEnd) {
  const int64_t d0 = DayMicros(2024, 1, 1);
  const OrderFrame orders = Orders({{1, d0, 10},
                                    {1, d0 + 8 * kMicrosPerDay, 12},
                                    {1, d0 + 8 * kMicrosPerDay + kHour, 4},
                                    {1, d0 + 9 * kMicrosPerDay, 6},
                                    {1, d0 + 30 * kMicrosPerDay, 100},  // after the observation end
                                    {2, d0 + kMicrosPerDay, 1}});
  ClvSummaryOptions o;
  o.calibration_end = d0 + 7 * kMicrosPerDay;
  o.observation_end = d0 + 21 * kMicrosPerDay;
  ASSERT_OK_AND_ASSIGN(s, SummarizeForClv(orders, o));
  EXPECT_THAT(s.customer, ElementsAre(1, 2));
  EXPECT_THAT(s.frequency, ElementsAre(0, 0));
  EXPECT_THAT(s.age, ElementsAre(1, 6.0 / 7));
  EXPECT_THAT(s.holdout_frequency, ElementsAre(2, 0));
  EXPECT_DOUBLE_EQ(s.holdout_monetary[0], 11);  // (12 + 4 merged, 6) / 2
  EXPECT_TRUE(std::isnan(s.holdout_monetary[1]));
  EXPECT_DOUBLE_EQ(s.holdout_duration, 2);
}

TEST(ClvSummary, ResultsDoNotDependOnThreads) {
  OrderFrame orders;
  for (int64_t c = 0; c < 3000; ++c) {
    for (int64_t k = 0; k < 1 + c % 5; ++k) {
      orders.customer.push_back(3000 - c);
      orders.at.push_back(DayMicros(2024, 1, 1) + (c * 7 + k * 13) % 200 * kMicrosPerDay);
      orders.amount.push_back(static_cast<double>(c % 17 + k));
    }
  }
  ClvSummaryOptions o;
  o.calibration_end = DayMicros(2024, 5, 1);
  o.observation_end = DayMicros(2024, 8, 1);
  o.threads = 1;
  ASSERT_OK_AND_ASSIGN(one, SummarizeForClv(orders, o));
  o.threads = 3;
  ASSERT_OK_AND_ASSIGN(three, SummarizeForClv(orders, o));
  EXPECT_EQ(one.customer, three.customer);
  EXPECT_EQ(one.frequency, three.frequency);
  EXPECT_EQ(one.recency, three.recency);
  EXPECT_EQ(one.age, three.age);
  EXPECT_EQ(one.holdout_frequency, three.holdout_frequency);
}

TEST(ClvSummary, RejectsBadOptions) {
  const OrderFrame orders = Orders({{1, DayMicros(2024, 1, 1), 1}});
  ClvSummaryOptions o;
  EXPECT_ERROR(SummarizeForClv(orders, o), absl::StatusCode::kInvalidArgument, "calibration_end: must be a time");
  o.calibration_end = DayMicros(2024, 2, 1);
  o.observation_end = o.calibration_end;
  EXPECT_ERROR(SummarizeForClv(orders, o), absl::StatusCode::kInvalidArgument,
               "observation_end: must be after calibration_end");
  o.observation_end = kNullTime;
  o.time_unit = 0;
  EXPECT_ERROR(SummarizeForClv(orders, o), absl::StatusCode::kInvalidArgument, "time_unit: must be positive, got 0");
  o.time_unit = kMicrosPerDay;
  o.merge_period = -1;
  EXPECT_ERROR(SummarizeForClv(orders, o), absl::StatusCode::kInvalidArgument, "merge_period: must be 0");
  OrderFrame ragged = orders;
  ragged.amount.push_back(2);
  o.merge_period = kMicrosPerDay;
  EXPECT_FALSE(SummarizeForClv(ragged, o).ok());
}

// Hardie's CDNOW summaries (cdnow/SOURCE.md): cdnow_customers_summary.csv (ID, frequency, recency, T)
// and cdnow_customers_summary_with_transactions.csv (ID, x, t_x, T, zbar) round to two decimals; the
// summary from the transaction log must match every customer within that rounding.
TEST(ClvSummaryReference, CdnowMatchesBothPublishedSummaries) {
  if (!std::filesystem::exists(testing::CdnowFile("CDNOW_sample.txt"))) {
    GTEST_SKIP() << "reference data not found: " << testing::CdnowFile("CDNOW_sample.txt");
  }
  ASSERT_OK_AND_ASSIGN(s, SummarizeForClv(testing::LoadCdnowSample(), testing::CdnowOptions()));
  const auto plain = testing::ReadNumberCsv(testing::CdnowFile("cdnow_customers_summary.csv"));
  const auto with_spend = testing::ReadNumberCsv(testing::CdnowFile("cdnow_customers_summary_with_transactions.csv"));
  ASSERT_EQ(s.rows(), 2357u);
  ASSERT_EQ(plain.size(), 2357u);
  ASSERT_EQ(with_spend.size(), 2357u);
  for (size_t i = 0; i < s.rows(); ++i) {
    ASSERT_EQ(s.customer[i], static_cast<int64_t>(plain[i][0])) << i;
    ASSERT_EQ(s.frequency[i], plain[i][1]) << s.customer[i];
    ASSERT_NEAR(s.recency[i], plain[i][2], 0.005 + 1e-9) << s.customer[i];
    ASSERT_NEAR(s.age[i], plain[i][3], 0.005 + 1e-9) << s.customer[i];
    ASSERT_EQ(s.customer[i], static_cast<int64_t>(with_spend[i][0])) << i;
    ASSERT_EQ(s.frequency[i], with_spend[i][1]) << s.customer[i];
    ASSERT_NEAR(s.recency[i], with_spend[i][2], 0.005 + 1e-9) << s.customer[i];
    ASSERT_NEAR(s.age[i], with_spend[i][3], 0.005 + 1e-9) << s.customer[i];
    if (s.frequency[i] == 0) {
      ASSERT_TRUE(std::isnan(s.monetary[i])) << s.customer[i];
      ASSERT_EQ(with_spend[i][4], 0) << s.customer[i];  // Hardie writes 0 where there is no repeat
    } else {
      ASSERT_NEAR(s.monetary[i], with_spend[i][4], 0.005 + 1e-9) << s.customer[i];
    }
    // Exact values: whole days over 7.
    ASSERT_DOUBLE_EQ(s.age[i] * 7, std::round(s.age[i] * 7)) << s.customer[i];
  }
  // Customer 1 of Hardie's note 004: x = 2, t_x = 30.43, T = 38.86 (213 and 272 days).
  EXPECT_EQ(s.frequency[0], 2);
  EXPECT_DOUBLE_EQ(s.recency[0], 213.0 / 7);
  EXPECT_DOUBLE_EQ(s.age[0], 272.0 / 7);
  EXPECT_DOUBLE_EQ(s.holdout_duration, 39);
}

}  // namespace
}  // namespace rapport
