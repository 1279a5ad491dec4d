// The generated analytics data as Rapport frames (what Database::Load*Frame would hold for the same rows).
#ifndef RAPPORT_BENCHMARKS_ANALYTICS_FRAMES_H_
#define RAPPORT_BENCHMARKS_ANALYTICS_FRAMES_H_

#include "analytics_data.h"
#include "rapport/frame.h"

namespace rapport::bench {

// Customers with industry and region (categories), created_at (time) and tags (set); no order metrics.
inline CustomerFrame MakeCustomerFrame(const AnalyticsData& d) {
  CustomerFrame f;
  const size_t n = static_cast<size_t>(d.customers);
  f.ids.resize(n);
  for (size_t i = 0; i < n; ++i) f.ids[i] = static_cast<int64_t>(i) + 1;
  auto category = [&](const auto& names, const std::vector<int8_t>& codes) {
    CategoryColumn c;
    for (std::string_view s : names) c.dictionary.Intern(s);
    c.codes.assign(codes.begin(), codes.end());
    return c;
  };
  f.Add("industry", category(kIndustries, d.industry));
  f.Add("region", category(kRegions, d.region));
  f.Add("created_at", TimeColumn{d.created_at});
  SetColumn tags;
  for (std::string_view s : kTags) tags.dictionary.Intern(s);
  tags.codes.assign(d.tag_code.begin(), d.tag_code.end());
  tags.offsets.assign(n + 1, 0);
  for (int64_t c : d.tag_customer) ++tags.offsets[static_cast<size_t>(c)];
  for (size_t i = 1; i <= n; ++i) tags.offsets[i] += tags.offsets[i - 1];
  f.Add("tags", std::move(tags));
  return f;
}

// Orders with amounts in cents (exact in a double), so sums and ranks are exact in every engine.
inline OrderFrame MakeOrderFrame(const AnalyticsData& d) {
  OrderFrame o;
  o.customer = d.order_customer;
  o.at = d.order_at;
  o.amount.assign(d.order_cents.begin(), d.order_cents.end());
  return o;
}

inline EventFrame MakeEventFrame(const AnalyticsData& d) {
  EventFrame e;
  e.customer = d.event_customer;
  e.at = d.event_at;
  for (std::string_view s : kEventKinds) e.kind.dictionary.Intern(s);
  e.kind.codes.assign(d.event_kind.begin(), d.event_kind.end());
  return e;
}

inline StageHistoryFrame MakeStageFrame(const AnalyticsData& d) {
  StageHistoryFrame h;
  h.entity = d.stage_entity;
  h.entered_at = d.stage_at;
  for (std::string_view s : kStages) h.stage.dictionary.Intern(s);
  h.stage.codes.assign(d.stage_code.begin(), d.stage_code.end());
  return h;
}

}  // namespace rapport::bench

#endif  // RAPPORT_BENCHMARKS_ANALYTICS_FRAMES_H_
