// The reference data of the CLV tests: CDNOW (Fader, Hardie & Lee 2005) and the donations of Fader,
// Hardie & Shang (2010), read from the shared data directory (tests skip when it is absent).
#ifndef RAPPORT_TESTS_CPP_ANALYTICS_CLV_TEST_DATA_H_
#define RAPPORT_TESTS_CPP_ANALYTICS_CLV_TEST_DATA_H_

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "rapport/clv.h"
#include "rapport/clv_summary.h"
#include "rapport/frame.h"
#include "shared_data.h"

namespace rapport::testing {

inline int64_t DayMicros(int y, int m, int d) {
  return absl::ToUnixMicros(absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone()));
}

inline std::filesystem::path CdnowFile(const char* name) { return SharedData() / "cdnow" / name; }

// CDNOW_sample.txt: master id, sample id (1..2357, the ID of the summary CSVs), YYYYMMDD, CDs, dollars.
inline OrderFrame LoadCdnowSample() {
  OrderFrame orders;
  std::ifstream in(CdnowFile("CDNOW_sample.txt"));
  int64_t master, id, date, cds;
  double dollars;
  while (in >> master >> id >> date >> cds >> dollars) {
    orders.customer.push_back(id);
    orders.at.push_back(DayMicros(static_cast<int>(date / 10000), static_cast<int>(date / 100 % 100),
                                  static_cast<int>(date % 100)));
    orders.amount.push_back(dollars);
  }
  return orders;
}

// The published CDNOW set-up: 39-week calibration ending 1997-09-30, weeks, same-day purchases merged;
// the holdout runs to the end of the data, 1998-06-30 (78 weeks in all).
inline ClvSummaryOptions CdnowOptions() {
  ClvSummaryOptions o;
  o.calibration_end = DayMicros(1997, 9, 30);
  o.observation_end = DayMicros(1998, 6, 30);
  return o;
}

// A CSV of numbers with a header line.
inline std::vector<std::vector<double>> ReadNumberCsv(const std::filesystem::path& file) {
  std::vector<std::vector<double>> rows;
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<double> row;
    std::stringstream cells(line);
    std::string cell;
    while (std::getline(cells, cell, ',')) row.push_back(std::stod(cell));
    rows.push_back(row);
  }
  return rows;
}

// Columns of a summary, borrowed by RecencyFrequency.
struct Columns {
  std::vector<double> x, tx, T, w;
  RecencyFrequency View() const { return RecencyFrequency{x, tx, T, w}; }
};

// Customers drawn from the BG/NBD story (Fader, Hardie & Lee 2005, section 3): rate lambda ~
// gamma(r, alpha), dropout p ~ beta(a, b); purchases arrive at rate lambda and after each repeat
// purchase the customer leaves with probability p; T is uniform on [t_min, t_max]. Deterministic for
// a seed (libstdc++'s distributions).
inline Columns SimulateBgNbd(size_t n, const BgNbdModel::Params& p, double t_min, double t_max, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::gamma_distribution<double> lambda_draw(p.r, 1 / p.alpha), beta_a(p.a, 1), beta_b(p.b, 1);
  std::uniform_real_distribution<double> age(t_min, t_max), unit(0, 1);
  Columns c;
  for (size_t i = 0; i < n; ++i) {
    const double lambda = lambda_draw(rng), ga = beta_a(rng), dropout = ga / (ga + beta_b(rng));
    const double T = age(rng);
    std::exponential_distribution<double> gap(lambda);
    double t = 0, last = 0, x = 0;
    while (true) {
      t += gap(rng);
      if (t > T) break;
      ++x;
      last = t;
      if (unit(rng) < dropout) break;
    }
    c.x.push_back(x);
    c.tx.push_back(last);
    c.T.push_back(T);
  }
  return c;
}

}  // namespace rapport::testing

#endif  // RAPPORT_TESTS_CPP_ANALYTICS_CLV_TEST_DATA_H_
