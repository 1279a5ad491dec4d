// Analytics benchmarks (issue 3): the five tasks of benchmarks/ANALYTICS.md on generated data, the same
// data bench_datagen writes for the pandas and DuckDB peers (scripts/bench-analytics runs all three and
// compares their digests).
//
// Size: RAPPORT_BENCH_CUSTOMERS customers (default 1,000,000). Data and frames are built once, untimed.
// Every case prints one JSON line with its result digest on stderr:
//   {"engine": "rapport", "task": "rfm", "digest": "..."}
//
//   BM_Analytics_SegmentCold   EvaluateSegment from the customer and order frames (SegmentContext::orders)
//   BM_Analytics_SegmentColdAggregateEveryone   AddOrderMetrics over every customer (a breakdown; no digest)
//   BM_Analytics_SegmentWarm   EvaluateSegment on a frame that has its order metrics
//   BM_Analytics_SegmentWarmClause/k   each clause of the warm segment alone, one thread (a breakdown)
//   BM_Analytics_SegmentTagIndexBuild   building the tags' row index, which the first has_tag pays
//   BM_Analytics_Rfm           ComputeRfm (rapport/rfm.h)                     registered when the header exists
//   BM_Analytics_Cohort        ComputeCohortRetention by month (rapport/retention.h)   "
//   BM_Analytics_EventFunnel   EventFunnel, 5 steps, 30 days (rapport/funnel.h)        "
//   BM_Analytics_StageFunnel   StageFunnel of lead..won, lost terminal (rapport/funnel.h) "
#include <sys/resource.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "analytics_data.h"
#include "analytics/set_row_index.h"
#include "analytics_frames.h"
#include "bench_util.h"
#include "benchmark/benchmark.h"
#include "rapport/frame.h"
#include "rapport/segment.h"

#if __has_include("rapport/rfm.h")
#include "rapport/rfm.h"
#define RAPPORT_BENCH_HAVE_RFM 1
#endif
#if __has_include("rapport/retention.h")
#include "rapport/retention.h"
#define RAPPORT_BENCH_HAVE_RETENTION 1
#endif
#if __has_include("rapport/funnel.h")
#include "rapport/funnel.h"
#define RAPPORT_BENCH_HAVE_FUNNEL 1
#endif

namespace rapport::bench {
namespace {

constexpr int kThreads = 2;

int64_t Customers() {
  static const int64_t n = EnvInt("RAPPORT_BENCH_CUSTOMERS", 1'000'000);
  return n;
}

struct Fixture {
  AnalyticsData data;
  CustomerFrame customers;        // attributes and tags only (the cold segment adds metrics to a copy)
  CustomerFrame customers_warm;   // with order metrics
  OrderFrame orders;
  EventFrame events;
  StageHistoryFrame stages;
};

const Fixture& Data() {
  static const Fixture* f = [] {
    auto* x = new Fixture;
    x->data = GenerateAnalyticsData(Customers());
    x->customers = MakeCustomerFrame(x->data);
    x->orders = MakeOrderFrame(x->data);
    x->events = MakeEventFrame(x->data);
    x->stages = MakeStageFrame(x->data);
    x->customers_warm = x->customers;
    if (!AddOrderMetrics(x->orders, x->customers_warm).ok()) std::abort();  // generated columns agree in length
    x->data = AnalyticsData{};  // the frames hold copies; at 10M customers this returns ~3 GB
    return x;
  }();
  return *f;
}

// One digest line per task and run of the binary (repetitions give the same result).
void EmitDigest(const char* task, const std::string& digest) {
  static std::set<std::string> emitted;
  if (!emitted.insert(task).second) return;
  std::fprintf(stderr, "{\"engine\": \"rapport\", \"task\": \"%s\", \"digest\": \"%s\"}\n", task, digest.c_str());
}

std::string Join(const std::vector<int64_t>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(v[i]);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// (b) Segment
// ---------------------------------------------------------------------------------------------

std::string SegmentDigest(const std::vector<int64_t>& ids) {
  int64_t hash = 0;
  for (int64_t id : ids) hash += DigestRow({id});
  std::vector<int64_t> first(ids.begin(), ids.begin() + std::min<size_t>(3, ids.size()));
  return "members=" + std::to_string(ids.size()) + " hash=" + std::to_string(hash) + " first=" + Join(first);
}

// `orders`: compute the order metrics from them (cold) instead of reading the frame's (warm).
absl::StatusOr<std::vector<int64_t>> RunSegment(const CustomerFrame& frame, const OrderFrame* orders = nullptr) {
  absl::StatusOr<SegmentExpr> expr = SegmentExpr::Parse(kSegmentText);
  if (!expr.ok()) return expr.status();
  SegmentContext ctx;
  ctx.as_of = kAsOf;
  ctx.threads = kThreads;
  ctx.orders = orders;
  return EvaluateSegment(*expr, frame, ctx);
}

void BM_Analytics_SegmentCold(benchmark::State& state) {
  const Fixture& f = Data();
  std::vector<int64_t> members;
  for (auto _ : state) {
    auto r = RunSegment(f.customers, &f.orders);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    members = std::move(*r);
  }
  state.counters["members"] = static_cast<double>(members.size());
  EmitDigest("segment_cold", SegmentDigest(members));
}

// Breakdown of the cold segment: aggregating every customer's orders (AddOrderMetrics over the whole
// frame), which the cold segment avoids by aggregating only the candidates' orders.
void BM_Analytics_SegmentColdAggregateEveryone(benchmark::State& state) {
  const Fixture& f = Data();
  CustomerFrame frame = f.customers;
  for (auto _ : state) {
    if (absl::Status s = AddOrderMetrics(f.orders, frame); !s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      return;
    }
  }
}

void BM_Analytics_SegmentWarm(benchmark::State& state) {
  const Fixture& f = Data();
  std::vector<int64_t> members;
  for (auto _ : state) {
    auto r = RunSegment(f.customers_warm);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    members = std::move(*r);
  }
  state.counters["members"] = static_cast<double>(members.size());
  EmitDigest("segment_warm", SegmentDigest(members));
}

// Breakdown of the warm segment: each of its clauses alone, one thread, over the warm frame.
constexpr std::string_view kSegmentClauses[] = {
    R"(industry in ("制造业", "Retail"))", R"(region = "华东")", R"(has_tag("vip"))", "monetary > 100000",
    "days_since(last_order_at) <= 90"};

void BM_Analytics_SegmentWarmClause(benchmark::State& state) {
  const Fixture& f = Data();
  absl::StatusOr<SegmentExpr> expr = SegmentExpr::Parse(kSegmentClauses[state.range(0)]);
  if (!expr.ok()) {
    state.SkipWithError(std::string(expr.status().message()).c_str());
    return;
  }
  SegmentContext ctx;
  ctx.as_of = kAsOf;
  ctx.threads = 1;
  size_t members = 0;
  for (auto _ : state) {
    auto r = EvaluateSegment(*expr, f.customers_warm, ctx);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    members = r->size();
  }
  state.SetLabel(std::string(kSegmentClauses[state.range(0)]));
  state.counters["members"] = static_cast<double>(members);
}

// What the first has_tag on a frame adds: building the tag column's row index (rapport/frame.h,
// SetRowIndexCache), which later evaluations reuse.
void BM_Analytics_SegmentTagIndexBuild(benchmark::State& state) {
  const Fixture& f = Data();
  const auto& tags = std::get<SetColumn>(*f.customers_warm.Find("tags"));
  for (auto _ : state) benchmark::DoNotOptimize(internal::BuildSetRowIndex(tags));
}

// ---------------------------------------------------------------------------------------------
// (a) RFM
// ---------------------------------------------------------------------------------------------
#ifdef RAPPORT_BENCH_HAVE_RFM
void BM_Analytics_Rfm(benchmark::State& state) {
  const Fixture& f = Data();
  RfmOptions options;
  options.bins = 5;
  options.threads = kThreads;
  std::vector<RfmSegmentRule> rules;
  for (const RfmRule& r : kRfmRules) rules.push_back({std::string(r.name), r.r_min, r.r_max, r.f_min, r.f_max});
  options.segments = rules;
  std::unique_ptr<RfmTable> table;
  for (auto _ : state) {
    auto r = ComputeRfm(f.orders, kAsOf, options);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    table = std::make_unique<RfmTable>(std::move(*r));
  }
  // Digest: per customer (id, recency_days, frequency, monetary, r, f, m, segment index).
  int64_t hash = 0;
  std::vector<int64_t> segments(kRfmRules.size(), 0), rs(5, 0), fs(5, 0), ms(5, 0);
  for (size_t i = 0; i < table->rows(); ++i) {
    int64_t seg = -1;
    if (table->segment[i] >= 0) {
      const std::string& name = table->segment_names[table->segment[i]];
      for (size_t k = 0; k < kRfmRules.size(); ++k)
        if (kRfmRules[k].name == name) seg = static_cast<int64_t>(k);
    }
    if (seg >= 0) ++segments[seg];
    ++rs[table->r[i] - 1];
    ++fs[table->f[i] - 1];
    ++ms[table->m[i] - 1];
    hash += DigestRow({table->customer[i], table->recency_days[i], table->frequency[i], std::llround(table->monetary[i]),
                       table->r[i], table->f[i], table->m[i], seg});
  }
  state.counters["customers"] = static_cast<double>(table->rows());
  EmitDigest("rfm", "rows=" + std::to_string(table->rows()) + " hash=" + std::to_string(hash) +
                        " segments=" + Join(segments) + " r=" + Join(rs) + " f=" + Join(fs) + " m=" + Join(ms));
}
#endif

// ---------------------------------------------------------------------------------------------
// (e) Cohort retention by first-order month
// ---------------------------------------------------------------------------------------------
#ifdef RAPPORT_BENCH_HAVE_RETENTION
void BM_Analytics_Cohort(benchmark::State& state) {
  const Fixture& f = Data();
  CohortOptions options;
  options.period = CohortPeriod::kMonth;
  options.threads = kThreads;
  std::unique_ptr<CohortMatrix> m;
  for (auto _ : state) {
    auto r = ComputeCohortRetention(f.orders, kAsOf, options);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    m = std::make_unique<CohortMatrix>(std::move(*r));
  }
  int64_t hash = 0, cells = 0, total = 0;
  for (size_t c = 0; c < m->cohorts(); ++c) {
    const std::string& label = m->labels[c];  // "YYYY-MM"
    const int64_t yyyymm = std::stoll(label.substr(0, 4)) * 100 + std::stoll(label.substr(5, 2));
    for (int k = 0; k < m->periods; ++k) {
      const int64_t n = m->count(c, k);
      if (n <= 0) continue;
      ++cells;
      total += n;
      hash += DigestRow({yyyymm, k, n});
    }
  }
  EmitDigest("cohort", "cohorts=" + std::to_string(m->cohorts()) + " cells=" + std::to_string(cells) +
                           " total=" + std::to_string(total) + " hash=" + std::to_string(hash));
}
#endif

// ---------------------------------------------------------------------------------------------
// (c) Event funnel and (d) stage funnel
// ---------------------------------------------------------------------------------------------
#ifdef RAPPORT_BENCH_HAVE_FUNNEL
void BM_Analytics_EventFunnel(benchmark::State& state) {
  const Fixture& f = Data();
  EventFunnelOptions options;
  for (std::string_view k : kEventKinds) options.steps.emplace_back(k);
  options.window = kFunnelWindow;
  options.threads = kThreads;
  std::unique_ptr<EventFunnelResult> result;
  for (auto _ : state) {
    auto r = EventFunnel(f.events, options);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    result = std::make_unique<EventFunnelResult>(std::move(*r));
  }
  std::vector<int64_t> counts;
  for (const EventFunnelStep& s : result->steps) counts.push_back(s.customers);
  EmitDigest("event_funnel", "steps=" + Join(counts));
}

void BM_Analytics_StageFunnel(benchmark::State& state) {
  const Fixture& f = Data();
  StageFunnelOptions options;
  for (int i = 0; i < kOrderedStages; ++i) options.stages.emplace_back(kStages[i]);
  options.won_stages = {"won"};
  options.lost_stages = {"lost"};
  options.threads = kThreads;
  std::unique_ptr<StageFunnelResult> result;
  for (auto _ : state) {
    auto r = StageFunnel(f.stages, options);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    result = std::make_unique<StageFunnelResult>(std::move(*r));
  }
  // Per stage: entered/advanced/closed visits/median seconds in stage x 1000 (whole seconds in the data,
  // so the median is a multiple of 500 ms).
  std::string digest;
  for (const StageFunnelStage& s : result->stages) {
    const DurationSummary& d = s.days_in_stage;
    const std::string median = d.count > 0 ? std::to_string(std::llround(d.median * 86'400'000.0)) : "nan";
    digest += (digest.empty() ? "" : " ") + s.stage + "=" + std::to_string(s.entered) + "/" + std::to_string(s.advanced) +
              "/" + std::to_string(d.count) + "/" + median;
  }
  EmitDigest("stage_funnel", digest);
}
#endif

void Register() {
  using benchmark::kMillisecond;
  auto reg = [](const char* name, void (*fn)(benchmark::State&)) {
    benchmark::RegisterBenchmark(name, fn)->UseRealTime()->Unit(kMillisecond)->Iterations(1);
  };
#ifdef RAPPORT_BENCH_HAVE_RFM
  reg("BM_Analytics_Rfm", BM_Analytics_Rfm);
#endif
  reg("BM_Analytics_SegmentCold", BM_Analytics_SegmentCold);
  reg("BM_Analytics_SegmentColdAggregateEveryone", BM_Analytics_SegmentColdAggregateEveryone);
  reg("BM_Analytics_SegmentWarm", BM_Analytics_SegmentWarm);
  reg("BM_Analytics_SegmentTagIndexBuild", BM_Analytics_SegmentTagIndexBuild);
  benchmark::RegisterBenchmark("BM_Analytics_SegmentWarmClause", BM_Analytics_SegmentWarmClause)
      ->DenseRange(0, std::size(kSegmentClauses) - 1)
      ->UseRealTime()
      ->Unit(kMillisecond);
#ifdef RAPPORT_BENCH_HAVE_FUNNEL
  reg("BM_Analytics_EventFunnel", BM_Analytics_EventFunnel);
  reg("BM_Analytics_StageFunnel", BM_Analytics_StageFunnel);
#endif
#ifdef RAPPORT_BENCH_HAVE_RETENTION
  reg("BM_Analytics_Cohort", BM_Analytics_Cohort);
#endif
}

}  // namespace
}  // namespace rapport::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  rapport::bench::Register();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  // The process's peak resident memory (data generation included), for scripts/bench-analytics.
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::fprintf(stderr, "{\"engine\": \"rapport\", \"peak_rss_bytes\": %lld}\n", static_cast<long long>(usage.ru_maxrss) * 1024);
  return 0;
}
