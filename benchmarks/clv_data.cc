#include "clv_data.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "rapport/clv_summary.h"
#include "rapport/frame.h"

namespace rapport::bench {
namespace {

int64_t DayMicros(int64_t yyyymmdd) {
  const absl::CivilDay day(yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100);
  return absl::ToUnixMicros(absl::FromCivil(day, absl::UTCTimeZone()));
}

constexpr int kDays = 364;  // the calibration year

}  // namespace

std::filesystem::path CdnowSamplePath() {
  if (const char* env = std::getenv("RAPPORT_SHARED_DATA"); env != nullptr && *env != '\0') {
    return std::filesystem::path(env) / "cdnow" / "CDNOW_sample.txt";
  }
  return std::filesystem::path(RAPPORT_SOURCE_DIR) / ".." / "shared" / "data" / "cdnow" / "CDNOW_sample.txt";
}

ClvColumns LoadCdnow(const std::filesystem::path& cdnow_sample) {
  std::ifstream in(cdnow_sample);
  if (!in) {
    std::fprintf(stderr, "cannot read %s (set RAPPORT_SHARED_DATA to the shared data directory)\n",
                 cdnow_sample.c_str());
    std::exit(1);
  }
  OrderFrame orders;
  int64_t master, id, date, cds;
  double dollars;
  while (in >> master >> id >> date >> cds >> dollars) {
    orders.customer.push_back(id);
    orders.at.push_back(DayMicros(date));
    orders.amount.push_back(dollars);
  }
  ClvSummaryOptions options;
  options.calibration_end = DayMicros(19970930);
  auto summary = SummarizeForClv(orders, options);
  if (!summary.ok()) {
    std::fprintf(stderr, "CDNOW summary: %s\n", std::string(summary.status().message()).c_str());
    std::exit(1);
  }
  return ClvColumns{std::move(summary->frequency), std::move(summary->recency), std::move(summary->age)};
}

ClvColumns GenerateBgNbdCustomers(size_t n, bool day_resolution) {
  const BgNbdModel::Params& p = kClvTruth;
  std::mt19937_64 rng(kClvSeed);
  std::gamma_distribution<double> rate(p.r, 1 / p.alpha), ga(p.a, 1), gb(p.b, 1);
  std::uniform_int_distribution<int> first_day(0, kDays - 1);
  std::uniform_real_distribution<double> unit(0, 1);
  ClvColumns c;
  c.x.reserve(n), c.tx.reserve(n), c.T.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const double lambda = rate(rng), u = ga(rng), dropout = u / (u + gb(rng));
    const double T = day_resolution ? (kDays - first_day(rng)) / 7.0 : unit(rng) * kDays / 7.0;
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
    c.tx.push_back(day_resolution ? std::floor(last * 7) / 7 : last);
    c.T.push_back(T);
  }
  return c;
}

void WriteColumns(const std::filesystem::path& dir, const std::string& name, const ClvColumns& c) {
  auto write = [&](const char* column, const std::vector<double>& v) {
    const std::filesystem::path path = dir / (name + "." + column + ".f64");
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr || std::fwrite(v.data(), sizeof(double), v.size(), f) != v.size() || std::fclose(f) != 0) {
      std::perror(path.c_str());
      std::exit(1);
    }
  };
  write("x", c.x);
  write("tx", c.tx);
  write("T", c.T);
}

}  // namespace rapport::bench
