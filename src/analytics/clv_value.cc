// What the purchase models share: the P(alive) history of one customer and lifetime value.
#include <algorithm>
#include <cmath>
#include <vector>

#include "analytics/clv_data.h"
#include "analytics/clv_model_util.h"
#include "analytics/clv_value.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "rapport/clv.h"

namespace rapport {

absl::Status PurchaseModel::AliveHistory(std::span<const double> purchase_times, std::span<const double> at,
                                         std::span<double> out) const {
  RETURN_IF_ERROR(internal::CheckOutput(at.size(), out));
  RETURN_IF_ERROR(internal::CheckTimes("at", at));
  for (size_t i = 0; i < purchase_times.size(); ++i) {
    const double t = purchase_times[i];
    if (!(std::isfinite(t) && t > 0) || (i > 0 && t < purchase_times[i - 1])) {
      return absl::InvalidArgumentError(AsAbsl(StrCat(
          "purchase_times: must be finite, > 0 (after the first purchase) and ascending (row ", i, ": ", t, ")")));
    }
  }
  std::vector<double> x(at.size()), tx(at.size()), age(at.begin(), at.end());
  for (size_t i = 0; i < at.size(); ++i) {
    const size_t made = static_cast<size_t>(
        std::upper_bound(purchase_times.begin(), purchase_times.end(), at[i]) - purchase_times.begin());
    x[i] = static_cast<double>(made);
    tx[i] = made == 0 ? 0.0 : purchase_times[made - 1];
  }
  if (at.empty()) return absl::OkStatus();
  return ProbabilityAlive(RecencyFrequency{x, tx, age, {}}, out);
}

namespace internal {

absl::Status CheckValueOptions(const ClvOptions& options) {
  if (options.periods < 1) {
    return absl::InvalidArgumentError(AsAbsl(StrCat("periods: must be >= 1, got ", options.periods)));
  }
  if (!(std::isfinite(options.period_length) && options.period_length > 0)) {
    return absl::InvalidArgumentError(
        AsAbsl(StrCat("period_length: must be finite and > 0, got ", options.period_length)));
  }
  if (!(std::isfinite(options.discount_rate) && options.discount_rate >= 0)) {
    return absl::InvalidArgumentError(
        AsAbsl(StrCat("discount_rate: must be finite and >= 0, got ", options.discount_rate)));
  }
  if (!std::isfinite(options.margin)) {
    return absl::InvalidArgumentError(AsAbsl(StrCat("margin: must be finite, got ", options.margin)));
  }
  return absl::OkStatus();
}

absl::Status DiscountedPurchases(const PurchaseModel& purchases, const RecencyFrequency& data,
                                 const ClvOptions& options, std::span<double> out) {
  RETURN_IF_ERROR(CheckRecencyFrequency(data, TimeKind::kContinuous));
  RETURN_IF_ERROR(CheckOutput(data.rows(), out));
  RETURN_IF_ERROR(CheckValueOptions(options));
  // Discounted increments of the expected purchases, period by period.
  const size_t n = data.rows();
  std::vector<double> previous(n, 0.0), current(n);
  std::fill(out.begin(), out.end(), 0.0);
  for (int k = 1; k <= options.periods; ++k) {
    RETURN_IF_ERROR(purchases.ConditionalExpectedPurchases(k * options.period_length, data, current));
    const double discount = std::pow(1 + options.discount_rate, -k);
    for (size_t i = 0; i < n; ++i) out[i] += (current[i] - previous[i]) * discount;
    previous.swap(current);
  }
  return absl::OkStatus();
}

}  // namespace internal

absl::Status CustomerLifetimeValue(const PurchaseModel& purchases, const GammaGammaModel& spend,
                                   const RecencyFrequency& data, std::span<const double> monetary,
                                   const ClvOptions& options, std::span<double> out) {
  RETURN_IF_ERROR(internal::CheckRecencyFrequency(data, internal::TimeKind::kContinuous));
  RETURN_IF_ERROR(internal::CheckOutput(data.rows(), out));
  if (monetary.size() != data.rows()) {
    return absl::InvalidArgumentError(AsAbsl(
        StrCat("monetary: must have as many elements as frequency (", data.rows(), "), got ", monetary.size())));
  }
  RETURN_IF_ERROR(internal::CheckValueOptions(options));
  const size_t n = data.rows();
  // Spend: the Gamma-Gamma conditional mean; customers without repeat purchases get the population
  // mean (their monetary is not read).
  std::vector<double> m(n);
  {
    std::vector<double> zbar(monetary.begin(), monetary.end());
    for (size_t i = 0; i < n; ++i) {
      if (data.frequency[i] == 0) zbar[i] = 1;  // not read: x = 0
    }
    RETURN_IF_ERROR(spend.ConditionalExpectedSpend(FrequencyMonetary{data.frequency, zbar, {}}, m));
  }
  RETURN_IF_ERROR(internal::DiscountedPurchases(purchases, data, options, out));
  for (size_t i = 0; i < n; ++i) out[i] *= options.margin * m[i];
  return absl::OkStatus();
}

}  // namespace rapport
