#include "rapport/retention.h"

#include <limits>
#include <utility>
#include <vector>

#include "analytics/ranking_quantile.h"
#include "analytics/rfm_order_scan.h"
#include "base/status_macros.h"
#include "base/strings.h"

namespace rapport {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double Ratio(int64_t numerator, int64_t denominator) {
  return denominator == 0 ? kNaN : static_cast<double>(numerator) / static_cast<double>(denominator);
}

absl::Status CheckPositive(std::string_view name, int64_t value) {
  if (value <= 0) return absl::InvalidArgumentError(AsAbsl(StrCat(name, ": must be positive, got ", value)));
  return absl::OkStatus();
}

absl::StatusOr<internal::SortedOrders> Sorted(const OrderFrame& orders, int threads) {
  return internal::SortedOrders::Make(orders, internal::PartsFor(threads, orders.rows()));
}

// Differences of times that may be far apart, exact in unsigned arithmetic (b >= a).
double Elapsed(int64_t a, int64_t b) {
  return static_cast<double>(static_cast<uint64_t>(b) - static_cast<uint64_t>(a));
}

}  // namespace

absl::StatusOr<RepurchaseRate> ComputeRepurchaseRate(const OrderFrame& orders, int64_t as_of,
                                                     const RepurchaseOptions& options) {
  RETURN_IF_ERROR(internal::CheckThreads(options.threads));
  RETURN_IF_ERROR(internal::CheckTime("as_of", as_of));
  RETURN_IF_ERROR(CheckPositive("window", options.window));
  ASSIGN_OR_RETURN(const internal::SortedOrders sorted, Sorted(orders, options.threads));
  RepurchaseRate out;
  int64_t latest_first;
  if (__builtin_sub_overflow(as_of, options.window, &latest_first)) return RepurchaseRate{0, 0, kNaN};
  std::vector<std::pair<int64_t, int64_t>> counts(sorted.parts());
  sorted.Run([&](int p) {
    int64_t repeat = 0, eligible = 0;
    sorted.ForEachCustomer(p, [&](const internal::CustomerOrders& all) {
      const internal::CustomerOrders counted = all.Until(as_of);
      if (counted.empty() || counted.at(0) > latest_first) return;
      ++eligible;
      // first <= as_of - window, so first + window does not overflow.
      if (counted.size() >= 2 && counted.at(1) <= counted.at(0) + options.window) ++repeat;
    });
    counts[p] = {repeat, eligible};
  });
  for (const auto& [repeat, eligible] : counts) {
    out.repeat_customers += repeat;
    out.eligible_customers += eligible;
  }
  out.rate = Ratio(out.repeat_customers, out.eligible_customers);
  return out;
}

absl::StatusOr<InterpurchaseIntervals> ComputeInterpurchaseIntervals(const OrderFrame& orders, int64_t as_of,
                                                                     const IntervalOptions& options) {
  RETURN_IF_ERROR(internal::CheckThreads(options.threads));
  RETURN_IF_ERROR(internal::CheckTime("as_of", as_of));
  ASSIGN_OR_RETURN(const internal::SortedOrders sorted, Sorted(orders, options.threads));
  const double day = static_cast<double>(kMicrosPerDay);
  InterpurchaseIntervals out;
  out.customer.resize(sorted.customers());
  out.mean_days.resize(sorted.customers());
  out.median_days.resize(sorted.customers());
  std::vector<size_t> written(sorted.parts(), 0);
  sorted.Run([&](int p) {
    std::vector<double> gaps;  // reused by every customer
    size_t k = sorted.customers_before(p);
    sorted.ForEachCustomer(p, [&](const internal::CustomerOrders& all) {
      const internal::CustomerOrders counted = all.Until(as_of);
      const size_t n = counted.size();
      if (n < 2) return;
      gaps.clear();
      for (size_t j = 1; j < n; ++j) gaps.push_back(Elapsed(counted.at(j - 1), counted.at(j)) / day);
      out.customer[k] = counted.customer();
      // As AddOrderMetrics' mean_interpurchase_days: the gaps sum to last - first.
      out.mean_days[k] = Elapsed(counted.at(0), counted.at(n - 1)) / static_cast<double>(n - 1) / day;
      out.median_days[k] = internal::QuantileInPlace(gaps, 0.5);
      ++k;
    });
    written[p] = k - sorted.customers_before(p);
  });
  internal::CompactParts(sorted, written, out.customer);
  internal::CompactParts(sorted, written, out.mean_days);
  internal::CompactParts(sorted, written, out.median_days);
  double sum = 0;
  for (double m : out.mean_days) sum += m;
  out.overall_mean_days = out.mean_days.empty() ? kNaN : sum / static_cast<double>(out.mean_days.size());
  std::vector<double> means = out.mean_days;
  out.overall_median_days = internal::QuantileInPlace(means, 0.5);
  return out;
}

absl::StatusOr<ChurnRate> ComputeChurn(const OrderFrame& orders, const ChurnOptions& options) {
  RETURN_IF_ERROR(internal::CheckThreads(options.threads));
  RETURN_IF_ERROR(internal::CheckTime("start", options.start));
  RETURN_IF_ERROR(internal::CheckTime("end", options.end));
  if (options.end <= options.start) {
    return absl::InvalidArgumentError(
        AsAbsl(StrCat("end: must be after start (", options.start, "), got ", options.end)));
  }
  RETURN_IF_ERROR(CheckPositive("lookback", options.lookback));
  int64_t from;
  if (__builtin_sub_overflow(options.start, options.lookback, &from) || from == kNullTime) {
    return absl::InvalidArgumentError(
        AsAbsl(StrCat("lookback: start - lookback lies before the earliest time, got ", options.lookback)));
  }
  ASSIGN_OR_RETURN(const internal::SortedOrders sorted, Sorted(orders, options.threads));
  std::vector<std::pair<int64_t, int64_t>> counts(sorted.parts());
  sorted.Run([&](int p) {
    int64_t churned = 0, base = 0;
    sorted.ForEachCustomer(p, [&](const internal::CustomerOrders& all) {
      const internal::CustomerOrders counted = all.Until(options.end - 1);
      bool in_base = false, active = false;
      for (size_t j = counted.size(); j-- > 0;) {
        const int64_t at = counted.at(j);
        if (at >= options.start) {
          active = true;
        } else {
          in_base = at >= from;
          break;  // earlier orders are older still
        }
      }
      base += in_base;
      churned += in_base && !active;
    });
    counts[p] = {churned, base};
  });
  ChurnRate out;
  for (const auto& [churned, base] : counts) {
    out.churned_customers += churned;
    out.base_customers += base;
  }
  out.rate = Ratio(out.churned_customers, out.base_customers);
  return out;
}

}  // namespace rapport
