// The database's customer frame: loading it, its memory, and keeping it current from the change feed.
//
// Size: RAPPORT_BENCH_CUSTOMERS customers (default 1,000,000), imported once into a temporary file
// database (region, industry, two tags, an enum custom field), with about 4 orders each written by SQL.
//   BM_Frames_Load            Database::LoadCustomerFrame; counters: bytes per customer, split into
//                             arrays (ids, codes, numbers, times, offsets) and strings (text, dictionaries)
//   BM_Frames_SegmentWarm     Database::Segment on the cached frame with nothing changed
//   BM_Frames_Refresh1000     Database::Segment after 1,000 changes (field updates, tags, orders)
//                             made outside the timing: the change feed read, 1,000 customers re-read
//                             and patched into the frame, and the (cheap) evaluation
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include "bench_util.h"
#include "db/core.h"
#include "rapport/rapport.hpp"
#include "store/sqlite.h"

namespace rapport::bench {
namespace {

constexpr int64_t kDefaultCustomers = 1'000'000;
constexpr char kRegions[][8] = {"华东", "华南", "华北", "西南"};
constexpr char kIndustries[][12] = {"制造业", "Retail", "Software", "零售", "Energy"};
constexpr char kTiers[][8] = {"gold", "silver", "bronze"};

int64_t Customers() {
  static const int64_t n = EnvInt("RAPPORT_BENCH_CUSTOMERS", kDefaultCustomers);
  return n;
}

struct Shared {
  std::string path;
  Database db;
};

Shared& Db() {
  static Shared* shared = [] {
    const std::string path = TempDbPath("frames");
    auto db = Database::Open(path);
    if (!db.ok()) std::abort();
    CustomFieldDef tier{.name = "tier", .type = FieldType::kEnum, .options = {"gold", "silver", "bronze"}};
    if (!db->DefineCustomField(tier).ok()) std::abort();
    SplitMix64 rng(20261123);
    std::string csv = "name,region,industry,tags,tier\n";
    for (int64_t i = 0; i < Customers(); ++i) {
      csv += "Customer " + std::to_string(i) + "," + kRegions[rng.Next() % 4] + "," + kIndustries[rng.Next() % 5] + ",t" +
             std::to_string(rng.Next() % 20) + ";t" + std::to_string(rng.Next() % 20) + "," + kTiers[rng.Next() % 3] + "\n";
    }
    ImportOptions options;
    options.mapping = {{"name", "name"}, {"region", "region"}, {"industry", "industry"}, {"tags", "tags"}, {"tier", "tier"}};
    auto report = db->ImportCsv(csv, options);
    if (!report.ok() || report->created != Customers()) std::abort();
    // Orders straight into the table: the frame reads tables, and this is much faster than AddOrder.
    auto status = db->core().Write([](internal::Connection& conn) {
      return conn.Exec(
          "INSERT INTO orders (customer_id, amount_minor, currency, ordered_at, status, created_at) "
          "SELECT c.id, 100 + (c.id * 7919 + k.v * 104729) % 500000, 'CNY', "
          "1640995200000000 + ((c.id * 31 + k.v * 977) % 1000) * 86400000000, 'completed', 0 "
          "FROM customers c, (SELECT 1 AS v UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) k "
          "WHERE (c.id + k.v) % 5 != 0");
    });
    if (!status.ok()) std::abort();
    return new Shared{path, *std::move(db)};
  }();
  return *shared;
}

void BM_Frames_Load(benchmark::State& state) {
  Database& db = Db().db;
  FrameBytes bytes;
  size_t rows = 0;
  for (auto _ : state) {
    auto frame = db.LoadCustomerFrame();
    if (!frame.ok()) {
      state.SkipWithError(std::string(frame.status().message()).c_str());
      return;
    }
    bytes = frame->ByteBreakdown();
    rows = frame->rows();
  }
  const double n = static_cast<double>(rows);
  state.counters["customers"] = n;
  state.counters["bytes_per_customer"] = static_cast<double>(bytes.total()) / n;
  state.counters["array_bytes_per_customer"] = static_cast<double>(bytes.arrays) / n;
  state.counters["string_bytes_per_customer"] = static_cast<double>(bytes.strings) / n;
}

constexpr char kExpr[] = "region = \"华东\" and tier = \"gold\" and frequency >= 3 and has_tag(\"t7\")";

void BM_Frames_SegmentWarm(benchmark::State& state) {
  Database& db = Db().db;
  if (!db.Segment(kExpr).ok()) std::abort();
  size_t members = 0;
  for (auto _ : state) {
    auto r = db.Segment(kExpr);
    if (!r.ok()) std::abort();
    members = r->size();
  }
  state.counters["members"] = static_cast<double>(members);
}

void BM_Frames_Refresh1000(benchmark::State& state) {
  Database& db = Db().db;
  if (!db.Segment(kExpr).ok()) std::abort();
  SplitMix64 rng(7);
  const int64_t n = Customers();
  for (auto _ : state) {
    state.PauseTiming();
    {
      auto tx = db.Begin();
      if (!tx.ok()) std::abort();
      for (int k = 0; k < 1000; ++k) {
        CustomerId c{1 + static_cast<int64_t>(rng.Next() % n)};
        switch (k % 4) {
          case 0: (void)db.UpdateCustomer(c, CustomerPatch().Set("region", kRegions[rng.Next() % 4])); break;
          case 1: (void)db.AddTag(c, "t7"); break;
          case 2: (void)db.UpdateCustomer(c, CustomerPatch().Set("tier", kTiers[rng.Next() % 3])); break;
          default:
            (void)db.AddOrder(OrderDraft{.customer = c, .amount = Money{int64_t(1000 + rng.Next() % 9000), "CNY"},
                                         .ordered_at = absl::FromUnixMicros(1700000000000000)});
        }
      }
      if (!tx->Commit().ok()) std::abort();
    }
    state.ResumeTiming();
    auto r = db.Segment(kExpr);
    if (!r.ok()) std::abort();
  }
  auto stats = db.core().frame_cache().stats();
  state.counters["full_loads"] = stats.full_loads;
  state.counters["customers_reread"] = static_cast<double>(stats.last_customers_reread);
}

BENCHMARK(BM_Frames_Load)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_Frames_SegmentWarm)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Frames_Refresh1000)->Unit(benchmark::kMillisecond)->Iterations(10);

}  // namespace
}  // namespace rapport::bench

BENCHMARK_MAIN();
