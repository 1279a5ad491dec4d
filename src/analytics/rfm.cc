#include "rapport/rfm.h"

#include <cmath>
#include <limits>
#include <utility>

#include "analytics/ranking_quantile.h"
#include "analytics/rfm_aggregate.h"
#include "analytics/rfm_order_scan.h"
#include "analytics/rfm_segments.h"
#include "base/status_macros.h"
#include "base/strings.h"

namespace rapport {
namespace {

using internal::RfmPlan;

// The scorer behind ScoreRfm and ComputeRfm. Recency and frequency keep their own types so that the
// integer columns of ComputeRfm take the counting pass without a conversion. M, the costly score of
// arbitrary doubles, runs on a second thread when there is one.
template <typename R, typename F>
RfmScores ScoreColumns(std::span<const R> recency, std::span<const F> frequency, std::span<const double> monetary,
                       const uint8_t* scored, int64_t n_scored, const RfmPlan& plan, int threads) {
  const size_t n = recency.size();
  RfmScores out;
  out.bins = plan.bins;
  out.scored = n_scored;
  out.segment_names = plan.names;
  out.r.resize(n);
  out.f.resize(n);
  out.m.resize(n);
  out.segment.resize(n);
  const int parts = std::min(internal::PartsFor(threads, n), 2);
  internal::RunParts(parts, [&](int part) {
    const bool monetary_here = parts == 1 || part == 1;
    const bool others_here = part == 0;
    if (monetary_here) internal::QuantileScores(monetary, scored, false, plan.bins, out.m.data());
    if (others_here) {
      internal::QuantileScores(recency, scored, true, plan.bins, out.r.data());
      internal::QuantileScores(frequency, scored, false, plan.bins, out.f.data());
    }
  });
  for (size_t i = 0; i < n; ++i) out.segment[i] = out.r[i] == 0 ? int16_t{-1} : plan.SegmentOf(out.r[i], out.f[i]);
  return out;
}

absl::Status CheckLength(std::string_view name, size_t size, size_t expected) {
  if (size != expected) {
    return absl::InvalidArgumentError(
        AsAbsl(StrCat(name, ": must have as many elements as recency_days (", expected, "), got ", size)));
  }
  return absl::OkStatus();
}

double Mean(double sum, int64_t count) {
  return count == 0 ? std::numeric_limits<double>::quiet_NaN() : sum / static_cast<double>(count);
}

// Segment summaries and the R-by-F grid, summed in customer order.
void Summarise(RfmTable& t) {
  const size_t segments = t.segment_names.size();
  struct Sums {
    int64_t customers = 0;
    double recency = 0, frequency = 0, monetary = 0;
  };
  std::vector<Sums> sums(segments + 1);  // [0]: unsegmented
  t.grid.assign(static_cast<size_t>(t.bins * t.bins), 0);
  double total = 0;
  for (size_t i = 0; i < t.rows(); ++i) {
    Sums& s = sums[t.segment[i] + 1];
    ++s.customers;
    s.recency += t.recency_days[i];
    s.frequency += static_cast<double>(t.frequency[i]);
    s.monetary += t.monetary[i];
    total += t.monetary[i];
    ++t.grid[(t.r[i] - 1) * t.bins + (t.f[i] - 1)];
  }
  const double rows = static_cast<double>(t.rows());
  auto summary = [&](std::string name, const Sums& s) {
    RfmSegmentSummary out;
    out.name = std::move(name);
    out.customers = s.customers;
    out.customer_share = t.rows() == 0 ? std::numeric_limits<double>::quiet_NaN() : static_cast<double>(s.customers) / rows;
    out.revenue = s.monetary;
    out.revenue_share = total > 0 ? s.monetary / total : std::numeric_limits<double>::quiet_NaN();
    out.mean_recency_days = Mean(s.recency, s.customers);
    out.mean_frequency = Mean(s.frequency, s.customers);
    out.mean_monetary = Mean(s.monetary, s.customers);
    return out;
  };
  t.segments.clear();
  for (size_t k = 0; k < segments; ++k) t.segments.push_back(summary(t.segment_names[k], sums[k + 1]));
  t.unsegmented = summary("", sums[0]);
}

}  // namespace

absl::StatusOr<RfmScores> ScoreRfm(std::span<const double> recency_days, std::span<const double> frequency,
                                   std::span<const double> monetary, const RfmOptions& options) {
  ASSIGN_OR_RETURN(const RfmPlan plan, internal::PlanRfm(options));
  const size_t n = recency_days.size();
  RETURN_IF_ERROR(CheckLength("frequency", frequency.size(), n));
  RETURN_IF_ERROR(CheckLength("monetary", monetary.size(), n));
  std::vector<uint8_t> scored(n);
  int64_t n_scored = 0;
  for (size_t i = 0; i < n; ++i) {
    // `frequency > 0` is false for NaN too.
    const bool s = frequency[i] > 0 && !std::isnan(recency_days[i]) && !std::isnan(monetary[i]);
    scored[i] = s;
    n_scored += s;
  }
  return ScoreColumns(recency_days, frequency, monetary, scored.data(), n_scored, plan, options.threads);
}

absl::StatusOr<RfmTable> ComputeRfm(const OrderFrame& orders, int64_t as_of, const RfmOptions& options) {
  ASSIGN_OR_RETURN(const RfmPlan plan, internal::PlanRfm(options));
  ASSIGN_OR_RETURN(internal::RfmColumns columns, internal::AggregateRfm(orders, as_of, options.threads));
  RfmScores scores = ScoreColumns(std::span<const int32_t>(columns.recency_days),
                                  std::span<const int64_t>(columns.frequency), std::span<const double>(columns.monetary),
                                  nullptr, static_cast<int64_t>(columns.customer.size()), plan, options.threads);
  RfmTable t;
  t.as_of = as_of;
  t.bins = plan.bins;
  t.customer = std::move(columns.customer);
  t.recency_days = std::move(columns.recency_days);
  t.frequency = std::move(columns.frequency);
  t.monetary = std::move(columns.monetary);
  t.r = std::move(scores.r);
  t.f = std::move(scores.f);
  t.m = std::move(scores.m);
  t.segment = std::move(scores.segment);
  t.segment_names = std::move(scores.segment_names);
  Summarise(t);
  return t;
}

}  // namespace rapport
