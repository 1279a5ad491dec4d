#include <algorithm>
#include <cmath>
#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "analytics/ranking_quantile.h"
#include "analytics/rfm_aggregate.h"
#include "analytics/rfm_order_scan.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "rapport/rfm.h"

namespace rapport {
namespace {

struct Thresholds {
  double high;
  double potential;
};

absl::StatusOr<Thresholds> CheckOptions(const ValueTierOptions& options) {
  RETURN_IF_ERROR(internal::CheckThreads(options.threads));
  const bool by_share = options.mode == ValueTierMode::kRevenueShare;
  if (options.mode != ValueTierMode::kQuantile && !by_share) {
    return absl::InvalidArgumentError(
        AsAbsl(StrCat("mode: must be kQuantile (0) or kRevenueShare (1), got ", static_cast<int>(options.mode))));
  }
  const Thresholds t{options.high.value_or(by_share ? 0.5 : 0.2), options.potential.value_or(by_share ? 0.8 : 0.5)};
  // Written so that NaN fails every check.
  if (!(t.high > 0)) return absl::InvalidArgumentError(AsAbsl(StrCat("high: must be greater than 0, got ", t.high)));
  if (!(t.potential <= 1)) {
    return absl::InvalidArgumentError(AsAbsl(StrCat("potential: must be at most 1, got ", t.potential)));
  }
  if (!(t.high < t.potential)) {
    return absl::InvalidArgumentError(
        AsAbsl(StrCat("high: must be less than potential (", t.potential, "), got ", t.high)));
  }
  absl::flat_hash_map<std::string, size_t> seen;
  for (size_t i = 0; i < options.names.size(); ++i) {
    if (options.names[i].empty()) return absl::InvalidArgumentError(AsAbsl(StrCat("names[", i, "]: must not be empty")));
    if (auto [it, added] = seen.emplace(options.names[i], i); !added) {
      return absl::InvalidArgumentError(AsAbsl(
          StrCat("names[", i, "]: \"", options.names[i], "\" is already the name of names[", it->second, "]")));
    }
  }
  return t;
}

// The number K of leading ranks with `rank / n < threshold` (rank counts the buyers who spent strictly
// more), evaluated in the same double arithmetic as the documented rule so that boundaries agree.
size_t RanksBelow(double threshold, size_t n) {
  const double dn = static_cast<double>(n);
  size_t k = static_cast<size_t>(std::clamp(std::ceil(threshold * dn), 0.0, dn));
  while (k > 0 && static_cast<double>(k - 1) / dn >= threshold) --k;
  while (k < n && static_cast<double>(k) / dn < threshold) ++k;
  return k;
}

// The smallest monetary of each tier above "general": a buyer is in tier 0 when monetary >= cut[0],
// in tier 1 when >= cut[1]. Both rules make a tier a set of the top values, so two cuts say it all.
std::pair<double, double> QuantileCuts(std::vector<double>& values, Thresholds t) {
  const size_t n = values.size();
  const size_t k_high = RanksBelow(t.high, n), k_potential = RanksBelow(t.potential, n);
  // K ranks below the threshold: a buyer is in when fewer than K spent more, i.e. when its monetary
  // is at least the K-th largest.
  const double high = internal::KthLargest(values, k_high);
  std::nth_element(values.begin() + (k_high - 1), values.begin() + (k_potential - 1), values.end(),
                   std::greater<double>());
  return {high, values[k_potential - 1]};
}

absl::StatusOr<std::pair<double, double>> RevenueShareCuts(std::vector<double>& values, Thresholds t) {
  internal::SortDescending(values);
  double total = 0;
  for (double v : values) total += v;
  if (!(total > 0)) {
    return absl::InvalidArgumentError(
        AsAbsl(StrCat("monetary: tiers by revenue share need a positive total revenue, got ", total)));
  }
  // Revenue of the buyers who spent strictly more, from the top down; a tier is the run of values whose
  // share_before is under its threshold.
  double high = values[0], potential = values[0], before = 0;
  for (size_t i = 0; i < values.size();) {
    const double v = values[i];
    const double share = before / total;
    if (share >= t.potential) break;
    potential = v;
    if (share < t.high) high = v;
    for (; i < values.size() && values[i] == v; ++i) before += values[i];
  }
  return std::make_pair(high, potential);
}

// Tiers of the buyers (buyer == nullptr: every row) by their monetary.
absl::StatusOr<ValueTiers> Tier(std::span<const double> monetary, const uint8_t* buyer, const ValueTierOptions& options,
                                Thresholds t) {
  ValueTiers out;
  out.names = options.names;
  out.tier.assign(monetary.size(), -1);
  std::vector<double> values;
  for (size_t i = 0; i < monetary.size(); ++i) {
    if (buyer == nullptr || buyer[i]) values.push_back(monetary[i]);
  }
  if (values.empty()) return out;
  std::pair<double, double> cuts;
  if (options.mode == ValueTierMode::kQuantile) {
    cuts = QuantileCuts(values, t);
  } else {
    ASSIGN_OR_RETURN(cuts, RevenueShareCuts(values, t));
  }
  for (size_t i = 0; i < monetary.size(); ++i) {
    if (buyer != nullptr && !buyer[i]) continue;
    const double v = monetary[i];
    const int8_t tier = v >= cuts.first ? 0 : (v >= cuts.second ? 1 : 2);
    out.tier[i] = tier;
    ++out.customers[tier];
    out.revenue[tier] += v;
  }
  return out;
}

}  // namespace

absl::StatusOr<ValueTiers> AssignValueTiers(std::span<const double> frequency, std::span<const double> monetary,
                                            const ValueTierOptions& options) {
  ASSIGN_OR_RETURN(const Thresholds t, CheckOptions(options));
  if (monetary.size() != frequency.size()) {
    return absl::InvalidArgumentError(AsAbsl(
        StrCat("monetary: must have as many elements as frequency (", frequency.size(), "), got ", monetary.size())));
  }
  std::vector<uint8_t> buyer(frequency.size());
  for (size_t i = 0; i < frequency.size(); ++i) buyer[i] = frequency[i] > 0 && !std::isnan(monetary[i]);
  return Tier(monetary, buyer.data(), options, t);
}

absl::StatusOr<ValueTierTable> ComputeValueTiers(const OrderFrame& orders, int64_t as_of,
                                                 const ValueTierOptions& options) {
  ASSIGN_OR_RETURN(const Thresholds t, CheckOptions(options));
  ASSIGN_OR_RETURN(internal::RfmColumns columns, internal::AggregateRfm(orders, as_of, options.threads));
  ValueTierTable out;
  ASSIGN_OR_RETURN(out.tiers, Tier(columns.monetary, nullptr, options, t));
  out.customer = std::move(columns.customer);
  out.monetary = std::move(columns.monetary);
  return out;
}

}  // namespace rapport
