#include "analytics/rfm_aggregate.h"

#include <cmath>
#include <optional>
#include <utility>

#include "analytics/rfm_order_scan.h"
#include "base/status_macros.h"
#include "base/strings.h"

namespace rapport::internal {
namespace {

// Appends the customers whose orders start in [begin, end). Each customer's sum runs in (customer, at)
// order whichever part it falls in, so the result does not depend on the number of parts.
// `undefined` gets the first customer whose monetary is NaN (infinite amounts of both signs).
void AggregatePart(const SortedOrders& orders, size_t begin, size_t end, int64_t as_of, RfmColumns& out,
                   std::optional<int64_t>& undefined) {
  orders.ForEachCustomer(begin, end, [&](const auto& all) {
    const auto counted = all.Until(as_of);
    if (counted.empty()) return;
    double sum = 0;
    for (size_t j = 0; j < counted.size(); ++j) {
      const double a = counted.amount(j);
      if (!std::isnan(a)) sum += a;
    }
    // as_of >= last, so the difference fits an unsigned 64-bit integer even when the signed one
    // would overflow; whole days of it fit 32 bits.
    if (std::isnan(sum) && !undefined) undefined = counted.customer();
    const uint64_t elapsed = static_cast<uint64_t>(as_of) - static_cast<uint64_t>(counted.at(counted.size() - 1));
    out.customer.push_back(counted.customer());
    out.recency_days.push_back(static_cast<int32_t>(elapsed / static_cast<uint64_t>(kMicrosPerDay)));
    out.frequency.push_back(static_cast<int64_t>(counted.size()));
    out.monetary.push_back(sum);
  });
}

template <typename T>
void Append(std::vector<T>& to, const std::vector<T>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

}  // namespace

absl::StatusOr<RfmColumns> AggregateRfm(const OrderFrame& orders, int64_t as_of, int threads) {
  RETURN_IF_ERROR(CheckThreads(threads));
  RETURN_IF_ERROR(CheckTime("as_of", as_of));
  ASSIGN_OR_RETURN(SortedOrders sorted, SortedOrders::Make(orders));
  const int parts = PartsFor(threads, sorted.rows());
  const std::vector<size_t> cuts = sorted.Split(parts);
  std::vector<RfmColumns> results(parts);
  std::vector<std::optional<int64_t>> undefined(parts);
  RunParts(parts, [&](int p) { AggregatePart(sorted, cuts[p], cuts[p + 1], as_of, results[p], undefined[p]); });
  for (const std::optional<int64_t>& customer : undefined) {
    if (customer) {
      return absl::InvalidArgumentError(AsAbsl(StrCat(
          "orders.amount: infinite amounts of both signs leave the monetary of customer ", *customer, " undefined")));
    }
  }
  RfmColumns out = std::move(results[0]);
  for (int p = 1; p < parts; ++p) {
    Append(out.customer, results[p].customer);
    Append(out.recency_days, results[p].recency_days);
    Append(out.frequency, results[p].frequency);
    Append(out.monetary, results[p].monetary);
  }
  return out;
}

}  // namespace rapport::internal
