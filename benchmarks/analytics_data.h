// Generated CRM data for the analytics benchmarks (issue 3), shared by bench_analytics (in memory) and
// bench_datagen (files for the pandas and DuckDB peers). benchmarks/ANALYTICS.md describes the data and
// the exact task definitions; this header is the single source of the constants both sides use.
//
// Deterministic: every customer draws from its own SplitMix64 stream seeded from (seed, id), so the same
// N gives the same data on every run (and a customer's data does not depend on N).
#ifndef RAPPORT_BENCHMARKS_ANALYTICS_DATA_H_
#define RAPPORT_BENCHMARKS_ANALYTICS_DATA_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rapport::bench {

inline constexpr uint64_t kAnalyticsSeed = 0x5241505041525433ULL;  // "RAPPART3"
inline constexpr int64_t kMicros = 1'000'000;
inline constexpr int64_t kDayMicros = 86'400 * kMicros;

// Fixed dates (µs since the Unix epoch, UTC).
inline constexpr int64_t kAsOf = int64_t{1767225600} * kMicros;            // 2026-01-01 00:00:00: "now" of every task
inline constexpr int64_t kOrdersFrom = int64_t{1672531200} * kMicros;      // 2023-01-01: orders span three years
inline constexpr int64_t kCreatedFrom = int64_t{1654041600} * kMicros;     // 2022-06-01: first created_at
inline constexpr int64_t kStagesFrom = int64_t{1704067200} * kMicros;      // 2024-01-01: first pipeline entry
inline constexpr int64_t kEventsFrom = int64_t{1761955200} * kMicros;      // 2025-11-01: journeys start in November
inline constexpr int64_t kEventsTo = int64_t{1764547200} * kMicros;        // 2025-12-01

// Dictionaries. Codes are indexes into these arrays.
inline constexpr std::array<std::string_view, 12> kIndustries = {
    "制造业", "Retail", "互联网", "Software", "Healthcare", "Finance",
    "Education", "Logistics", "Construction", "Hospitality", "Energy", "Agriculture"};
inline constexpr std::array<std::string_view, 8> kRegions = {"华东", "华南", "华北", "西南", "华中", "东北", "西北", "Overseas"};
inline constexpr std::array<std::string_view, 20> kTags = {
    "vip", "wholesale", "retail", "newsletter", "trade-show", "referral", "churn-risk", "b2b", "b2c", "partner",
    "reseller", "enterprise", "smb", "startup", "government", "education", "nonprofit", "beta", "event-2025",
    "webinar"};
inline constexpr std::array<std::string_view, 5> kEventKinds = {"visit", "signup", "cart", "checkout", "purchase"};
// Pipeline order; "lost" is a terminal stage outside the order (it ends the visit before it).
inline constexpr std::array<std::string_view, 6> kStages = {"lead", "qualified", "proposal", "negotiation", "won", "lost"};
inline constexpr int kOrderedStages = 5;  // lead .. won

// Task (b): industry in ("制造业", "Retail") and region = "华东" and has_tag("vip")
//           and monetary > 100000 (cents) and days_since(last_order_at) <= 90.
inline constexpr std::string_view kSegmentText =
    R"(industry in ("制造业", "Retail") and region = "华东" and has_tag("vip") and monetary > 100000 and days_since(last_order_at) <= 90)";
inline constexpr int64_t kSegmentMinMonetaryCents = 100000;
inline constexpr int kSegmentMaxDays = 90;

// Task (c): the funnel window.
inline constexpr int64_t kFunnelWindow = 30 * kDayMicros;

// Task (a): RFM segments from (R, F), in this order (the digest's segment index). Inclusive ranges.
struct RfmRule {
  std::string_view name;
  int r_min, r_max, f_min, f_max;
};
inline constexpr std::array<RfmRule, 10> kRfmRules = {{
    {"Champions", 5, 5, 4, 5},
    {"Loyal", 3, 4, 4, 5},
    {"Potential loyalists", 4, 5, 2, 3},
    {"New", 5, 5, 1, 1},
    {"Promising", 4, 4, 1, 1},
    {"Need attention", 3, 3, 3, 3},
    {"About to sleep", 3, 3, 1, 2},
    {"At risk", 1, 2, 3, 4},
    {"Can't lose", 1, 2, 5, 5},
    {"Hibernating", 1, 2, 1, 2},
}};

// Column-wise tables. Customer ids are 1..customers; entity ids of the stage history are 1..customers.
// Orders, events and stage rows are grouped by customer (entity) ascending and, within one, by time.
struct AnalyticsData {
  int64_t customers = 0;
  // Customers (row i is id i + 1).
  std::vector<int8_t> industry;      // code into kIndustries
  std::vector<int8_t> region;        // code into kRegions
  std::vector<int64_t> created_at;   // µs
  // Tags as a long table (customer, tag code), codes ascending per customer.
  std::vector<int64_t> tag_customer;
  std::vector<int8_t> tag_code;
  // Orders: amounts in integer cents.
  std::vector<int64_t> order_customer, order_at, order_cents;
  // Funnel events.
  std::vector<int64_t> event_customer, event_at;
  std::vector<int8_t> event_kind;    // code into kEventKinds
  // Stage history.
  std::vector<int64_t> stage_entity, stage_at;
  std::vector<int8_t> stage_code;    // code into kStages
};

AnalyticsData GenerateAnalyticsData(int64_t customers, uint64_t seed = kAnalyticsSeed);

// "YYYY-MM-DD HH:MM:SS" (UTC) of a µs time; the fraction of a second is dropped (generated times are whole seconds).
void AppendTimestamp(std::string& out, int64_t micros);

// ---------------------------------------------------------------------------------------------
// Result digests (ANALYTICS.md, "Digests"): the same integers in every engine.
//   mix(h, v) = (h * 1000003 + v) mod (2^31 - 1);  row hash = h^2 mod (2^31 - 1), h = mix(...mix(0, v1)..., vk)
// ---------------------------------------------------------------------------------------------
inline constexpr int64_t kDigestModulus = 2147483647;
inline int64_t DigestMix(int64_t h, int64_t v) { return (h * 1000003 + v) % kDigestModulus; }
inline int64_t DigestRow(std::initializer_list<int64_t> values) {
  int64_t h = 0;
  for (int64_t v : values) h = DigestMix(h, v);
  return h * h % kDigestModulus;
}

}  // namespace rapport::bench

#endif  // RAPPORT_BENCHMARKS_ANALYTICS_DATA_H_
