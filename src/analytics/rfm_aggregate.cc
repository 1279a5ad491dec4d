#include "analytics/rfm_aggregate.h"

#include <cmath>
#include <optional>
#include <utility>

#include "analytics/rfm_order_scan.h"
#include "base/status_macros.h"
#include "base/strings.h"

namespace rapport::internal {

absl::StatusOr<RfmColumns> AggregateRfm(const OrderFrame& orders, int64_t as_of, int threads) {
  RETURN_IF_ERROR(CheckThreads(threads));
  RETURN_IF_ERROR(CheckTime("as_of", as_of));
  ASSIGN_OR_RETURN(const SortedOrders sorted, SortedOrders::Make(orders, PartsFor(threads, orders.rows())));
  const int parts = sorted.parts();
  RfmColumns out;
  out.customer.resize(sorted.customers());
  out.recency_days.resize(sorted.customers());
  out.frequency.resize(sorted.customers());
  out.monetary.resize(sorted.customers());
  std::vector<size_t> written(parts, 0);
  std::vector<std::optional<int64_t>> undefined(parts);  // a customer whose monetary is NaN
  // Each part writes its customers from customers_before(part) on. A customer's sum runs in (customer,
  // at) order in whichever part it falls, so results do not depend on the number of parts.
  sorted.Run([&](int p) {
    size_t k = sorted.customers_before(p);
    sorted.ForEachCustomer(p, [&](const CustomerOrders& all) {
      const CustomerOrders counted = all.Until(as_of);
      if (counted.empty()) return;
      double sum = 0;
      for (size_t j = 0; j < counted.size(); ++j) {
        const double a = counted.amount(j);
        if (!std::isnan(a)) sum += a;
      }
      if (std::isnan(sum) && !undefined[p]) undefined[p] = counted.customer();
      // as_of >= last, so the difference fits an unsigned 64-bit integer even where the signed one
      // would overflow; whole days of it fit 32 bits.
      const uint64_t elapsed = static_cast<uint64_t>(as_of) - static_cast<uint64_t>(counted.at(counted.size() - 1));
      out.customer[k] = counted.customer();
      out.recency_days[k] = static_cast<int32_t>(elapsed / static_cast<uint64_t>(kMicrosPerDay));
      out.frequency[k] = static_cast<int64_t>(counted.size());
      out.monetary[k] = sum;
      ++k;
    });
    written[p] = k - sorted.customers_before(p);
  });
  for (const std::optional<int64_t>& customer : undefined) {
    if (customer) {
      return absl::InvalidArgumentError(AsAbsl(StrCat(
          "orders.amount: infinite amounts of both signs leave the monetary of customer ", *customer, " undefined")));
    }
  }
  CompactParts(sorted, written, out.customer);
  CompactParts(sorted, written, out.recency_days);
  CompactParts(sorted, written, out.frequency);
  CompactParts(sorted, written, out.monetary);
  return out;
}

}  // namespace rapport::internal
