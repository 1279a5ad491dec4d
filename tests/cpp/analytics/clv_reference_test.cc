// The CLV models against the published results they must reproduce, to the printed precision.
//
// Sources of the truth values:
//  - BG/NBD on CDNOW (2,357 customers, 39-week calibration, weeks): Fader, Hardie & Lee (2005),
//    "Counting your customers the easy way", Marketing Science 24(2), section 4: r = 0.243,
//    alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4; and Fader, Hardie & Lee, "Implementing the
//    BG/NBD model for customer base analysis in Excel" (brucehardie.com note 004, section 5): the
//    customer with x = 2, t_x = 30.43, T = 38.86 expects 1.226 purchases in the next 39 weeks.
//  - Pareto/NBD on the same data: Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves for
//    customer base analysis", JMR 42(4) (and note 008): r = 0.553, alpha = 10.578, s = 0.606,
//    beta = 11.669, LL = -9595.0.
//  - Gamma-Gamma on the 946 repeat customers' (x, zbar): "RFM and CLV" (and note 025): p = 6.25,
//    q = 3.74, gamma = 15.44.
//  - BG/BB on the donations (11,104 donors, 6 opportunities): Fader, Hardie & Shang (2010),
//    "Customer-base analysis in a discrete-time noncontractual setting", Marketing Science 29(6):
//    alpha = 1.204, beta = 0.750, gamma = 0.657, delta = 2.783, LL = -33,225.6.
#include <chrono>
#include <cmath>
#include <filesystem>

#include "clv_test_data.h"
#include "rapport/clv.h"
#include "rapport/clv_summary.h"
#include "test_util.h"

namespace rapport {
namespace {

// Half a unit of the last printed digit.
void ExpectPrinted(double value, double printed, double unit, const char* name) {
  EXPECT_NEAR(value, printed, unit / 2) << name;
}

class CdnowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(testing::CdnowFile("CDNOW_sample.txt"))) {
      GTEST_SKIP() << "reference data not found: " << testing::CdnowFile("CDNOW_sample.txt");
    }
    auto s = SummarizeForClv(testing::LoadCdnowSample(), testing::CdnowOptions());
    ASSERT_TRUE(s.ok()) << s.status();
    summary_ = *std::move(s);
  }
  RecencyFrequency Data() const { return RecencyFrequency{summary_.frequency, summary_.recency, summary_.age, {}}; }

  ClvSummary summary_;
};

TEST_F(CdnowTest, BgNbdReproducesFaderHardieLee2005) {
  ASSERT_OK_AND_ASSIGN(m, BgNbdModel::Fit(Data()));
  ExpectPrinted(m.params().r, 0.243, 0.001, "r");
  ExpectPrinted(m.params().alpha, 4.414, 0.001, "alpha");
  ExpectPrinted(m.params().a, 0.793, 0.001, "a");
  ExpectPrinted(m.params().b, 2.426, 0.001, "b");
  ExpectPrinted(m.info().log_likelihood, -9582.4, 0.1, "LL");
  EXPECT_EQ(m.info().rows, 2357);
  EXPECT_LT(m.info().distinct_rows, 2357);  // the x = 0 customers share few T values
  EXPECT_DOUBLE_EQ(m.info().customers, 2357);
  // The standard errors are small against the estimates and the covariance is symmetric.
  const double published[] = {0.243, 4.414, 0.793, 2.426};
  for (int j = 0; j < 4; ++j) {
    EXPECT_GT(m.info().std_errors[j], 0);
    EXPECT_LT(m.info().std_errors[j], 0.5 * published[j]);
    for (int k = 0; k < 4; ++k) EXPECT_DOUBLE_EQ(m.info().covariance[j * 4 + k], m.info().covariance[k * 4 + j]);
  }
  ASSERT_OK_AND_ASSIGN(ll, m.LogLikelihood(Data()));
  EXPECT_DOUBLE_EQ(ll, m.info().log_likelihood);
}

TEST(ClvReference, BgNbdConditionalExpectationOfNote004) {
  ASSERT_OK_AND_ASSIGN(m, BgNbdModel::FromParams({0.243, 4.414, 0.793, 2.426}));
  const std::vector<double> x{2}, tx{30.43}, T{38.86};
  std::vector<double> e(1);
  ASSERT_OK(m.ConditionalExpectedPurchases(39, RecencyFrequency{x, tx, T, {}}, e));
  ExpectPrinted(e[0], 1.226, 0.001, "E[Y(39) | 2, 30.43, 38.86]");
}

TEST_F(CdnowTest, ParetoNbdReproducesPublishedFit) {
  ASSERT_OK_AND_ASSIGN(m, ParetoNbdModel::Fit(Data()));
  ExpectPrinted(m.params().r, 0.553, 0.001, "r");
  ExpectPrinted(m.params().alpha, 10.578, 0.001, "alpha");
  ExpectPrinted(m.params().s, 0.606, 0.001, "s");
  ExpectPrinted(m.params().beta, 11.669, 0.001, "beta");
  ExpectPrinted(m.info().log_likelihood, -9595.0, 0.1, "LL");
}

TEST_F(CdnowTest, GammaGammaReproducesRfmAndClv) {
  FrequencyMonetary spend{summary_.frequency, summary_.monetary, {}};
  ASSERT_OK_AND_ASSIGN(m, GammaGammaModel::Fit(spend));
  ExpectPrinted(m.params().p, 6.25, 0.01, "p");
  ExpectPrinted(m.params().q, 3.74, 0.01, "q");
  ExpectPrinted(m.params().gamma, 15.44, 0.01, "gamma");
  EXPECT_EQ(m.info().customers, 946);  // the repeat customers
}

TEST(ClvReference, BgBbReproducesFaderHardieShang2010) {
  const auto file = testing::SharedData() / "donations" / "donations.csv";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << "reference data not found: " << file;
  testing::Columns c;
  for (const auto& row : testing::ReadNumberCsv(file)) {  // frequency, recency, periods, weights
    c.x.push_back(row[0]);
    c.tx.push_back(row[1]);
    c.T.push_back(row[2]);
    c.w.push_back(row[3]);
  }
  ASSERT_OK_AND_ASSIGN(m, BgBbModel::Fit(c.View()));
  ExpectPrinted(m.params().alpha, 1.204, 0.001, "alpha");
  ExpectPrinted(m.params().beta, 0.750, 0.001, "beta");
  ExpectPrinted(m.params().gamma, 0.657, 0.001, "gamma");
  ExpectPrinted(m.params().delta, 2.783, 0.001, "delta");
  ExpectPrinted(m.info().log_likelihood, -33225.6, 0.1, "LL");
  EXPECT_DOUBLE_EQ(m.info().customers, 11104);
}

}  // namespace
}  // namespace rapport
