#include "rapport/clv_summary.h"

#include <cmath>
#include <limits>

#include "analytics/rfm_order_scan.h"
#include "base/status_macros.h"
#include "base/strings.h"

namespace rapport {
namespace {

using internal::CustomerOrders;
using internal::SortedOrders;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Floor division, so that periods before the epoch (negative times) are whole periods too.
int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// Walks the orders [begin, end) of one customer (ascending by time) purchase by purchase: orders in
// the same merge period make one purchase at the time of the first of them with the summed amount.
template <typename Fn>
void ForEachPurchase(const CustomerOrders& orders, size_t begin, size_t end, const ClvSummaryOptions& o, Fn&& fn) {
  size_t i = begin;
  while (i < end) {
    const int64_t at = orders.at(i);
    double amount = 0;
    size_t j = i;
    if (o.merge_period == 0) {
      ++j;
      if (!std::isnan(orders.amount(i))) amount = orders.amount(i);
    } else {
      const int64_t period = FloorDiv(at - o.merge_offset, o.merge_period);
      for (; j < end && FloorDiv(orders.at(j) - o.merge_offset, o.merge_period) == period; ++j) {
        if (!std::isnan(orders.amount(j))) amount += orders.amount(j);
      }
    }
    fn(at, amount);
    i = j;
  }
}

absl::Status CheckOptions(const ClvSummaryOptions& o) {
  RETURN_IF_ERROR(internal::CheckThreads(o.threads));
  RETURN_IF_ERROR(internal::CheckTime("calibration_end", o.calibration_end));
  if (o.observation_end != kNullTime && o.observation_end <= o.calibration_end) {
    return absl::InvalidArgumentError("observation_end: must be after calibration_end");
  }
  if (o.time_unit <= 0) {
    return absl::InvalidArgumentError(AsAbsl(StrCat("time_unit: must be positive, got ", o.time_unit)));
  }
  if (o.merge_period < 0) {
    return absl::InvalidArgumentError(
        AsAbsl(StrCat("merge_period: must be 0 (no merging) or positive, got ", o.merge_period)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ClvSummary> SummarizeForClv(const OrderFrame& orders, const ClvSummaryOptions& o) {
  RETURN_IF_ERROR(CheckOptions(o));
  ASSIGN_OR_RETURN(const SortedOrders sorted, SortedOrders::Make(orders, internal::PartsFor(o.threads, orders.rows())));
  const bool holdout = o.observation_end != kNullTime;
  const double unit = static_cast<double>(o.time_unit);
  const size_t n = sorted.customers();
  ClvSummary out;
  out.customer.resize(n);
  out.frequency.resize(n);
  out.recency.resize(n);
  out.age.resize(n);
  out.monetary.resize(n);
  if (holdout) {
    out.holdout_frequency.resize(n);
    out.holdout_monetary.resize(n);
    out.holdout_duration = static_cast<double>(o.observation_end - o.calibration_end) / unit;
  }
  std::vector<size_t> written(sorted.parts(), 0);
  sorted.Run([&](int p) {
    size_t k = sorted.customers_before(p);
    sorted.ForEachCustomer(p, [&](const CustomerOrders& all) {
      // Skip the orders without a time (they sort first), then split at the calibration end.
      size_t begin = 0;
      while (begin < all.size() && all.at(begin) == kNullTime) ++begin;
      size_t calibration = begin;
      while (calibration < all.size() && all.at(calibration) <= o.calibration_end) ++calibration;
      if (calibration == begin) return;  // first purchase after the calibration end, or none
      int64_t first = 0, last = 0;
      int64_t purchases = 0;
      double repeat_amount = 0;
      ForEachPurchase(all, begin, calibration, o, [&](int64_t at, double amount) {
        if (purchases == 0) {
          first = at;
        } else {
          repeat_amount += amount;
        }
        last = at;
        ++purchases;
      });
      const int64_t x = purchases - 1;
      out.customer[k] = all.customer();
      out.frequency[k] = static_cast<double>(x);
      out.recency[k] = static_cast<double>(last - first) / unit;
      out.age[k] = static_cast<double>(o.calibration_end - first) / unit;
      out.monetary[k] = x > 0 ? repeat_amount / static_cast<double>(x) : kNaN;
      if (holdout) {
        size_t end = calibration;
        while (end < all.size() && all.at(end) <= o.observation_end) ++end;
        int64_t count = 0;
        double amount_sum = 0;
        ForEachPurchase(all, calibration, end, o, [&](int64_t, double amount) {
          ++count;
          amount_sum += amount;
        });
        out.holdout_frequency[k] = static_cast<double>(count);
        out.holdout_monetary[k] = count > 0 ? amount_sum / static_cast<double>(count) : kNaN;
      }
      ++k;
    });
    written[p] = k - sorted.customers_before(p);
  });
  internal::CompactParts(sorted, written, out.customer);
  internal::CompactParts(sorted, written, out.frequency);
  internal::CompactParts(sorted, written, out.recency);
  internal::CompactParts(sorted, written, out.age);
  internal::CompactParts(sorted, written, out.monetary);
  if (holdout) {
    internal::CompactParts(sorted, written, out.holdout_frequency);
    internal::CompactParts(sorted, written, out.holdout_monetary);
  }
  return out;
}

}  // namespace rapport
