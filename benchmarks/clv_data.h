// The data of the CLV benchmarks (issue 4), shared by bench_clv (in memory) and bench_clv_datagen (files
// for the SciPy peer, benchmarks/peers/scipy_clv.py): the CDNOW calibration summary and customers drawn
// from the BG/NBD story with known parameters.
//
// Generated customers are deterministic: one std::mt19937_64 stream with a fixed seed drawn customer
// after customer (libstdc++'s distributions), so the first million of 10M are the 1M set.
#ifndef RAPPORT_BENCHMARKS_CLV_DATA_H_
#define RAPPORT_BENCHMARKS_CLV_DATA_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "rapport/clv.h"

namespace rapport::bench {

// The parameters customers are drawn from: Fader, Hardie & Lee's (2005) CDNOW estimates.
inline constexpr BgNbdModel::Params kClvTruth{0.243, 4.414, 0.793, 2.426};
inline constexpr uint64_t kClvSeed = 0x434c5634;  // "CLV4"
// The horizon of the benchmarked predictions: 90 days, in weeks (expected_purchases_90d).
inline constexpr double kClvHorizon = 90.0 / 7;

// (x, t_x, T) per customer, in weeks.
struct ClvColumns {
  std::vector<double> x, tx, T;
  size_t size() const { return x.size(); }
  RecencyFrequency View() const { return RecencyFrequency{x, tx, T, {}}; }
};

// The CDNOW summary of Fader, Hardie & Lee (2005) from `cdnow_sample` (CDNOW_sample.txt): 2,357
// customers, calibration to 1997-09-30, weeks, same-day purchases merged (SummarizeForClv). Exits with
// a message when the file cannot be read.
ClvColumns LoadCdnow(const std::filesystem::path& cdnow_sample);
// Where CDNOW_sample.txt is: $RAPPORT_SHARED_DATA/cdnow, else ../shared/data/cdnow beside the source tree.
std::filesystem::path CdnowSamplePath();

// n customers as a year of daily data would summarise them: each makes a first purchase on a day
// uniform over the 364 days before the calibration end (T = whole days / 7), buys at rate
// lambda ~ gamma(r, alpha) and leaves after each repeat purchase with probability p ~ beta(a, b)
// (the BG/NBD story); t_x is the day of the last repeat purchase. `day_resolution` false keeps exact
// times instead (every row distinct: the worst case for compression).
ClvColumns GenerateBgNbdCustomers(size_t n, bool day_resolution = true);

// Raw little-endian float64 files DIR/NAME.x.f64, NAME.tx.f64, NAME.T.f64 for numpy.fromfile.
void WriteColumns(const std::filesystem::path& dir, const std::string& name, const ClvColumns& c);

}  // namespace rapport::bench

#endif  // RAPPORT_BENCHMARKS_CLV_DATA_H_
