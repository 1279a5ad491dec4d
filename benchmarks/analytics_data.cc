#include "analytics_data.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "base/splitmix64.h"

namespace rapport::bench {
namespace {

// Standard normal by Box-Muller (one of the pair; simple and deterministic).
double Normal(SplitMix64& rng) {
  double u1 = rng.Unit();
  while (u1 <= 0) u1 = rng.Unit();
  const double u2 = rng.Unit();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double Exponential(SplitMix64& rng, double mean) {
  double u = rng.Unit();
  while (u <= 0) u = rng.Unit();
  return -std::log(u) * mean;
}

// Picks an index by integer weights.
template <size_t N>
int Weighted(SplitMix64& rng, const std::array<int, N>& weights) {
  int total = 0;
  for (int w : weights) total += w;
  int x = static_cast<int>(rng.Below(static_cast<uint64_t>(total)));
  for (size_t i = 0; i < N; ++i) {
    if (x < weights[i]) return static_cast<int>(i);
    x -= weights[i];
  }
  return static_cast<int>(N - 1);
}

// Whole seconds, as µs.
int64_t Seconds(int64_t micros) { return micros / kMicros * kMicros; }
int64_t DaysToMicros(double days) { return static_cast<int64_t>(days * 86400.0) * kMicros; }

constexpr std::array<int, 12> kIndustryWeights = {18, 14, 12, 10, 8, 8, 7, 6, 5, 5, 4, 3};
constexpr std::array<int, 8> kRegionWeights = {28, 20, 17, 10, 9, 6, 5, 5};
// Zipf-like popularity of the 20 tags.
constexpr std::array<int, 20> kTagWeights = {60, 120, 100, 90, 40, 50, 30, 45, 70, 25, 20, 35, 55, 15, 10, 12, 8, 6, 18, 22};
constexpr std::array<int, 5> kTagCountWeights = {15, 30, 30, 15, 10};  // 0..4 tags

uint64_t CustomerSeed(uint64_t seed, int64_t id, uint64_t stream) {
  SplitMix64 s(seed ^ (static_cast<uint64_t>(id) * 0x9E3779B97F4A7C15ULL) ^ (stream << 56));
  return s.Next();
}

}  // namespace

AnalyticsData GenerateAnalyticsData(int64_t customers, uint64_t seed) {
  AnalyticsData d;
  d.customers = customers;
  const size_t n = static_cast<size_t>(customers);
  d.industry.resize(n);
  d.region.resize(n);
  d.created_at.resize(n);
  d.tag_customer.reserve(n * 2);
  d.tag_code.reserve(n * 2);
  d.order_customer.reserve(n * 9);
  d.order_at.reserve(n * 9);
  d.order_cents.reserve(n * 9);
  d.event_customer.reserve(n * 3);
  d.event_at.reserve(n * 3);
  d.event_kind.reserve(n * 3);
  d.stage_entity.reserve(n * 3 / 2);
  d.stage_at.reserve(n * 3 / 2);
  d.stage_code.reserve(n * 3 / 2);

  std::vector<int64_t> times;
  std::vector<std::pair<int64_t, int8_t>> events;
  for (int64_t id = 1; id <= customers; ++id) {
    const size_t i = static_cast<size_t>(id - 1);
    // --- Customer attributes and tags.
    SplitMix64 rng(CustomerSeed(seed, id, 1));
    d.industry[i] = static_cast<int8_t>(Weighted(rng, kIndustryWeights));
    d.region[i] = static_cast<int8_t>(Weighted(rng, kRegionWeights));
    d.created_at[i] = Seconds(kCreatedFrom + static_cast<int64_t>(rng.Below(static_cast<uint64_t>(kAsOf - 31 * kDayMicros - kCreatedFrom))));
    const int tag_count = Weighted(rng, kTagCountWeights);
    uint32_t mask = 0;
    for (int t = 0; t < tag_count; ++t) {
      int code;
      do code = Weighted(rng, kTagWeights);
      while (mask & (1u << code));
      mask |= 1u << code;
    }
    for (int code = 0; code < 20; ++code) {
      if (mask & (1u << code)) {
        d.tag_customer.push_back(id);
        d.tag_code.push_back(static_cast<int8_t>(code));
      }
    }

    // --- Orders: a heavy-tailed count (floor of a lognormal, mean ~8, ~8% none) spread uniformly over the
    // customer's active life (from max(created_at, 2023-01-01), exponential length, mean 500 days).
    {
      SplitMix64 r(CustomerSeed(seed, id, 2));
      int64_t count = static_cast<int64_t>(std::floor(std::exp(1.56 + 1.1 * Normal(r))));
      count = std::min<int64_t>(count, 3000);
      const int64_t start = std::max(d.created_at[i], kOrdersFrom);
      int64_t end = std::min(kAsOf - kMicros, start + DaysToMicros(Exponential(r, 500.0)) + kDayMicros);
      const double customer_mu = std::log(5000.0) + 0.6 * Normal(r);  // ~$50 median order, varies by customer
      times.clear();
      for (int64_t k = 0; k < count; ++k) times.push_back(Seconds(start + static_cast<int64_t>(r.Below(static_cast<uint64_t>(end - start)))));
      std::sort(times.begin(), times.end());
      for (int64_t t : times) {
        const int64_t cents = std::max<int64_t>(100, std::llround(std::exp(customer_mu + 1.0 * Normal(r))));
        d.order_customer.push_back(id);
        d.order_at.push_back(t);
        d.order_cents.push_back(cents);
      }
    }

    // --- Funnel events (~3 per customer): 90% start a journey in November 2025 with 1-3 visits over up to
    // 20 days; signup, cart, checkout, purchase each follow the previous kind's time with decreasing
    // probability, usually a few days later, sometimes in the same second or before it.
    {
      SplitMix64 r(CustomerSeed(seed, id, 3));
      if (r.Chance(0.9)) {
        events.clear();
        const int64_t t0 = Seconds(kEventsFrom + static_cast<int64_t>(r.Below(static_cast<uint64_t>(kEventsTo - kEventsFrom))));
        const int visits = 1 + static_cast<int>(r.Below(3));
        int64_t first_visit = INT64_MAX;
        for (int v = 0; v < visits; ++v) {
          const int64_t t = t0 + (v == 0 ? 0 : DaysToMicros(r.Unit() * 20.0));
          first_visit = std::min(first_visit, t);
          events.emplace_back(t, int8_t{0});
        }
        const double p[5] = {1.0, 0.5, 0.45, 0.55, 0.6};  // of a kind existing, given the previous existed
        int64_t prev = first_visit;
        bool alive = true;
        for (int8_t kind = 1; kind < 5; ++kind) {
          // A kind appears with p[kind] when the previous one did, rarely otherwise (out-of-order journeys).
          if (!r.Chance(alive ? p[kind] : 0.05)) {
            alive = false;
            continue;
          }
          alive = true;
          int64_t t;
          const double u = r.Unit();
          if (u < 0.03) t = prev;                                                   // same second
          else if (u < 0.12) t = prev - DaysToMicros(r.Unit() * 2.0) - kMicros;     // before the previous step
          else t = prev + DaysToMicros(Exponential(r, 5.0)) + kMicros;              // a few days later
          events.emplace_back(t, kind);
          prev = t;
        }
        std::sort(events.begin(), events.end());
        for (auto [t, kind] : events) {
          d.event_customer.push_back(id);
          d.event_at.push_back(t);
          d.event_kind.push_back(kind);
        }
      }
    }

    // --- Stage history (~1.3 rows per entity): every entity enters as a lead in 2024-2025 and moves on
    // with stage-dependent chances (advance, fall back one stage, lose, or stay); times strictly increase.
    {
      SplitMix64 r(CustomerSeed(seed, id, 4));
      int64_t t = Seconds(kStagesFrom + static_cast<int64_t>(r.Below(static_cast<uint64_t>(kAsOf - 30 * kDayMicros - kStagesFrom))));
      int stage = 0;
      // advance, back, lost per stage lead..negotiation (won and lost end the history).
      constexpr double kAdvance[4] = {0.12, 0.45, 0.45, 0.5};
      constexpr double kBack[4] = {0.0, 0.04, 0.1, 0.08};
      constexpr double kLost[4] = {0.05, 0.2, 0.2, 0.3};
      for (int step = 0; step < 32; ++step) {
        d.stage_entity.push_back(id);
        d.stage_at.push_back(t);
        d.stage_code.push_back(static_cast<int8_t>(stage));
        if (stage >= 4) break;  // won or lost
        const double u = r.Unit();
        int next;
        if (u < kAdvance[stage]) next = stage + 1;
        else if (u < kAdvance[stage] + kBack[stage]) next = stage - 1;
        else if (u < kAdvance[stage] + kBack[stage] + kLost[stage]) next = 5;
        else break;  // still open
        t += kMicros + DaysToMicros(std::exp(std::log(7.0) + 1.0 * Normal(r)));
        if (t >= kAsOf) break;
        stage = next;
      }
    }
  }
  return d;
}

void AppendTimestamp(std::string& out, int64_t micros) {
  int64_t secs = micros / kMicros;
  if (micros % kMicros < 0) --secs;
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t dd = doy - (153 * mp + 2) / 5 + 1;
  const int64_t mm = mp < 10 ? mp + 3 : mp - 9;
  if (mm <= 2) ++y;
  char buf[20];
  auto two = [](char* p, int64_t v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
  };
  buf[0] = static_cast<char>('0' + y / 1000);
  buf[1] = static_cast<char>('0' + y / 100 % 10);
  buf[2] = static_cast<char>('0' + y / 10 % 10);
  buf[3] = static_cast<char>('0' + y % 10);
  buf[4] = '-';
  two(buf + 5, mm);
  buf[7] = '-';
  two(buf + 8, dd);
  buf[10] = ' ';
  two(buf + 11, rem / 3600);
  buf[13] = ':';
  two(buf + 14, rem / 60 % 60);
  buf[16] = ':';
  two(buf + 17, rem % 60);
  out.append(buf, 19);
}

}  // namespace rapport::bench
