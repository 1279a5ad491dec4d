// bench_clv_datagen FIT PREDICT OUTDIR: writes the CLV benchmark data (the same bench_clv builds in
// memory) for the SciPy peer, as raw float64 arrays for numpy.fromfile:
//   OUTDIR/cdnow.{x,tx,T}.f64        the 2,357 CDNOW customers (calibration summary, weeks)
//   OUTDIR/generated.{x,tx,T}.f64    FIT customers drawn from the BG/NBD story (clv_data.h)
//   OUTDIR/predict.{x,tx,T}.f64      PREDICT customers, the same way (the first FIT are the same)
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "clv_data.h"

int main(int argc, char** argv) {
  using namespace rapport::bench;
  if (argc != 4) {
    std::fprintf(stderr, "usage: bench_clv_datagen FIT_CUSTOMERS PREDICT_CUSTOMERS OUTDIR\n");
    return 2;
  }
  const long long fit = std::atoll(argv[1]), predict = std::atoll(argv[2]);
  if (fit <= 0 || predict <= 0) {
    std::fprintf(stderr, "bench_clv_datagen: customer counts must be positive\n");
    return 2;
  }
  const std::filesystem::path dir(argv[3]);
  std::filesystem::create_directories(dir);
  WriteColumns(dir, "cdnow", LoadCdnow(CdnowSamplePath()));
  WriteColumns(dir, "generated", GenerateBgNbdCustomers(static_cast<size_t>(fit)));
  WriteColumns(dir, "predict", GenerateBgNbdCustomers(static_cast<size_t>(predict)));
  return 0;
}
