// CLV benchmarks (issue 4): BG/NBD fits on CDNOW and on a million generated customers, and predictions
// for ten million, on the data bench_clv_datagen writes for the SciPy peer (benchmarks/peers/scipy_clv.py;
// scripts/bench-clv runs both and checks that they agree).
//
// Sizes: RAPPORT_BENCH_CLV_FIT customers for the generated fit (default 1,000,000), RAPPORT_BENCH_CLV_PREDICT
// for the predictions (default 10,000,000). Data are built once, untimed. Each task prints one JSON line
// on stderr with what the peer must agree with:
//   {"engine": "rapport", "task": "fit_cdnow", "params": [r, alpha, a, b], "log_likelihood": ...}
//   {"engine": "rapport", "task": "predict", "sum_p_alive": ..., "sum_expected": ...}
//
//   BM_Clv_FitCdnow            BgNbdModel::Fit on the 2,357 CDNOW customers (compression included)
//   BM_Clv_FitGenerated        the same on the generated customers (daily data: few distinct rows)
//   BM_Clv_FitGeneratedExactTimes   generated with exact times: every row distinct (the worst case)
//   BM_Clv_Predict             ProbabilityAlive and ConditionalExpectedPurchases(90 days), both
//   BM_Clv_ProbabilityAlive / BM_Clv_ConditionalExpected   each alone
//   BM_Clv_ExpectedOneThread   breakdowns on a tenth of the customers, one thread: the specialised series
//   BM_Clv_ExpectedGeneral       and the general path (Boost.Math's 2F1) it replaced
//   BM_Clv_CompressGenerated / BM_Clv_CompressGeneratedExactTimes   a fit's first step: identical rows
//                              merged and indexed by frequency (internal::IndexRows)
#include <cmath>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "analytics/clv_bgnbd_expectation.h"
#include "analytics/clv_model_util.h"
#include "bench_util.h"
#include "benchmark/benchmark.h"
#include "clv_data.h"
#include "rapport/clv.h"

namespace rapport::bench {
namespace {

size_t FitCustomers() { return static_cast<size_t>(EnvInt("RAPPORT_BENCH_CLV_FIT", 1'000'000)); }
size_t PredictCustomers() { return static_cast<size_t>(EnvInt("RAPPORT_BENCH_CLV_PREDICT", 10'000'000)); }

const ClvColumns& Cdnow() {
  static const ClvColumns* c = new ClvColumns(LoadCdnow(CdnowSamplePath()));
  return *c;
}
const ClvColumns& Generated() {
  static const ClvColumns* c = new ClvColumns(GenerateBgNbdCustomers(FitCustomers()));
  return *c;
}
const ClvColumns& GeneratedExactTimes() {
  static const ClvColumns* c = new ClvColumns(GenerateBgNbdCustomers(FitCustomers(), false));
  return *c;
}
const ClvColumns& ToPredict() {
  static const ClvColumns* c = new ClvColumns(GenerateBgNbdCustomers(PredictCustomers()));
  return *c;
}

// One JSON line per task and run of the binary (repetitions give the same result).
void Emit(const std::string& task, const std::string& fields) {
  static std::set<std::string> emitted;
  if (!emitted.insert(task).second) return;
  std::fprintf(stderr, "{\"engine\": \"rapport\", \"task\": \"%s\", %s}\n", task.c_str(), fields.c_str());
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

void Fit(benchmark::State& state, const ClvColumns& data, const char* task) {
  const BgNbdModel* fitted = nullptr;
  for (auto _ : state) {
    auto m = BgNbdModel::Fit(data.View());
    if (!m.ok()) {
      state.SkipWithError(std::string(m.status().message()).c_str());
      return;
    }
    delete fitted;
    fitted = new BgNbdModel(*std::move(m));
  }
  const auto& p = fitted->params();
  const ClvFitInfo& info = fitted->info();
  state.counters["customers"] = static_cast<double>(data.size());
  state.counters["distinct_rows"] = static_cast<double>(info.distinct_rows);
  state.counters["evaluations"] = info.evaluations;
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(data.size()));
  Emit(task, "\"customers\": " + std::to_string(data.size()) + ", \"params\": [" + Number(p.r) + ", " +
                 Number(p.alpha) + ", " + Number(p.a) + ", " + Number(p.b) + "], \"log_likelihood\": " +
                 Number(info.log_likelihood) + ", \"distinct_rows\": " + std::to_string(info.distinct_rows));
  delete fitted;
}

void BM_Clv_FitCdnow(benchmark::State& state) { Fit(state, Cdnow(), "fit_cdnow"); }
void BM_Clv_FitGenerated(benchmark::State& state) { Fit(state, Generated(), "fit_generated"); }
void BM_Clv_FitGeneratedExactTimes(benchmark::State& state) {
  Fit(state, GeneratedExactTimes(), "fit_generated_exact_times");
}

const BgNbdModel& Truth() {
  static const BgNbdModel* m = new BgNbdModel(*BgNbdModel::FromParams(kClvTruth));
  return *m;
}

void Predict(benchmark::State& state, bool alive, bool expected) {
  const ClvColumns& data = ToPredict();
  std::vector<double> p(alive ? data.size() : 0), e(expected ? data.size() : 0);
  for (auto _ : state) {
    if (alive) {
      if (absl::Status s = Truth().ProbabilityAlive(data.View(), p); !s.ok()) {
        state.SkipWithError(std::string(s.message()).c_str());
        return;
      }
    }
    if (expected) {
      if (absl::Status s = Truth().ConditionalExpectedPurchases(kClvHorizon, data.View(), e); !s.ok()) {
        state.SkipWithError(std::string(s.message()).c_str());
        return;
      }
    }
    benchmark::DoNotOptimize(p.data());
    benchmark::DoNotOptimize(e.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(data.size()));
  if (alive && expected) {
    double sp = 0, se = 0;
    for (size_t i = 0; i < data.size(); ++i) sp += p[i], se += e[i];
    Emit("predict", "\"customers\": " + std::to_string(data.size()) + ", \"horizon\": " + Number(kClvHorizon) +
                        ", \"sum_p_alive\": " + Number(sp) + ", \"sum_expected\": " + Number(se));
  }
}

void BM_Clv_Predict(benchmark::State& state) { Predict(state, true, true); }
void BM_Clv_ProbabilityAlive(benchmark::State& state) { Predict(state, true, false); }
void BM_Clv_ConditionalExpected(benchmark::State& state) { Predict(state, false, true); }

// Breakdowns on the first tenth of the prediction data, one thread: the factor G(x, z) of E[Y(t)] alone
// (no P(alive)), by the specialised series and by the general path.
template <typename Factor>
void FactorLoop(benchmark::State& state, const Factor& factor) {
  const ClvColumns& data = ToPredict();
  const size_t n = data.size() / 10;
  const double alpha = kClvTruth.alpha, t = kClvHorizon;
  for (auto _ : state) {
    double sum = 0;
    for (size_t i = 0; i < n; ++i) sum += factor(data.x[i], t / (alpha + data.T[i] + t));
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
}

void BM_Clv_ExpectedOneThread(benchmark::State& state) {
  const internal::BgNbdRepeatFactor factor(kClvTruth);
  FactorLoop(state, factor);
}
void BM_Clv_ExpectedGeneral(benchmark::State& state) {
  FactorLoop(state, [](double x, double z) { return internal::BgNbdRepeatFactorGeneral(kClvTruth, x, z); });
}

void Compress(benchmark::State& state, const ClvColumns& data) {
  size_t distinct = 0;
  for (auto _ : state) distinct = internal::IndexRows(data.View()).size();
  state.counters["distinct_rows"] = static_cast<double>(distinct);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(data.size()));
}
void BM_Clv_CompressGenerated(benchmark::State& state) { Compress(state, Generated()); }
void BM_Clv_CompressGeneratedExactTimes(benchmark::State& state) { Compress(state, GeneratedExactTimes()); }

BENCHMARK(BM_Clv_FitCdnow)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();
BENCHMARK(BM_Clv_FitGenerated)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();
BENCHMARK(BM_Clv_FitGeneratedExactTimes)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();
BENCHMARK(BM_Clv_Predict)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();
BENCHMARK(BM_Clv_ProbabilityAlive)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();
BENCHMARK(BM_Clv_ConditionalExpected)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();
BENCHMARK(BM_Clv_ExpectedOneThread)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();
BENCHMARK(BM_Clv_ExpectedGeneral)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();
BENCHMARK(BM_Clv_CompressGenerated)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();
BENCHMARK(BM_Clv_CompressGeneratedExactTimes)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();

}  // namespace
}  // namespace rapport::bench

BENCHMARK_MAIN();
