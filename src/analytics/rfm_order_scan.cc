#include "analytics/rfm_order_scan.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <thread>
#include <utility>

#include "base/strings.h"

namespace rapport::internal {
namespace {

constexpr size_t kParallelThreshold = 200'000;
constexpr int kMaxParts = 64;

// Orders one customer's rows by time, keeping row order among equal times. Groups are short (a few
// orders) and usually already in order, where insertion sort is one comparison per row.
void SortGroupByTime(const int64_t* at, uint32_t* first, uint32_t* last) {
  if (last - first > 64) {
    std::stable_sort(first, last, [at](uint32_t a, uint32_t b) { return at[a] < at[b]; });
    return;
  }
  for (uint32_t* i = first + 1; i < last; ++i) {
    const uint32_t row = *i;
    uint32_t* j = i;
    while (j > first && at[*(j - 1)] > at[row]) {
      *j = *(j - 1);
      --j;
    }
    *j = row;
  }
}

// A stable sort of row numbers by (customer, at). Dense ids (the usual row ids) take a counting
// sort by customer, which keeps row order, then a sort of each customer's few rows by time; sparse
// ids a comparison sort with the row as the last key.
std::vector<uint32_t> SortPermutation(const OrderFrame& o) {
  const size_t n = o.rows();
  std::vector<uint32_t> perm(n);
  const auto [lo_it, hi_it] = std::minmax_element(o.customer.begin(), o.customer.end());
  const uint64_t range = static_cast<uint64_t>(*hi_it) - static_cast<uint64_t>(*lo_it);
  if (range <= 2 * static_cast<uint64_t>(n) + 1024) {
    const int64_t lo = *lo_it;
    std::vector<uint32_t> start(range + 2, 0);
    for (size_t i = 0; i < n; ++i) ++start[static_cast<uint64_t>(o.customer[i] - lo) + 1];
    std::partial_sum(start.begin(), start.end(), start.begin());
    for (size_t i = 0; i < n; ++i) perm[start[static_cast<uint64_t>(o.customer[i] - lo)]++] = static_cast<uint32_t>(i);
    // start[c] now holds the end of customer c's rows (the start of c + 1).
    size_t begin = 0;
    for (uint64_t c = 0; c <= range; ++c) {
      const size_t end = start[c];
      if (end - begin > 1) SortGroupByTime(o.at.data(), perm.data() + begin, perm.data() + end);
      begin = end;
    }
  } else {
    std::iota(perm.begin(), perm.end(), 0u);
    const int64_t* customer = o.customer.data();
    const int64_t* at = o.at.data();
    std::sort(perm.begin(), perm.end(), [customer, at](uint32_t a, uint32_t b) {
      if (customer[a] != customer[b]) return customer[a] < customer[b];
      if (at[a] != at[b]) return at[a] < at[b];
      return a < b;
    });
  }
  return perm;
}

}  // namespace

absl::StatusOr<SortedOrders> SortedOrders::Make(const OrderFrame& orders) {
  if (orders.at.size() != orders.customer.size() || orders.amount.size() != orders.customer.size()) {
    return absl::InvalidArgumentError(AsAbsl(StrCat("orders: columns differ in length (customer ", orders.customer.size(),
                                                    ", at ", orders.at.size(), ", amount ", orders.amount.size(), ")")));
  }
  SortedOrders sorted(orders);
  if (orders.IsSorted()) return sorted;
  if (orders.rows() > std::numeric_limits<uint32_t>::max()) {
    return absl::InvalidArgumentError(
        AsAbsl(StrCat("orders: more than 4294967295 rows must be sorted first (OrderFrame::Sort), got ", orders.rows())));
  }
  sorted.perm_ = SortPermutation(orders);
  return sorted;
}

std::vector<size_t> SortedOrders::Split(int parts) const {
  const size_t n = rows();
  std::vector<size_t> cuts(parts + 1, n);
  cuts[0] = 0;
  for (int p = 1; p < parts; ++p) {
    size_t cut = std::max(cuts[p - 1], n / parts * p);
    while (cut > 0 && cut < n && CustomerAt(cut) == CustomerAt(cut - 1)) ++cut;
    cuts[p] = cut;
  }
  return cuts;
}

int PartsFor(int threads, size_t work) {
  if (threads > 0) return std::min(threads, kMaxParts);
  return work > kParallelThreshold && std::thread::hardware_concurrency() >= 2 ? 2 : 1;
}

void RunParts(int parts, const std::function<void(int)>& fn) {
  std::vector<std::thread> workers;
  workers.reserve(parts > 0 ? parts - 1 : 0);
  for (int p = 1; p < parts; ++p) workers.emplace_back(fn, p);
  if (parts > 0) fn(0);
  for (std::thread& t : workers) t.join();
}

absl::Status CheckThreads(int threads) {
  if (threads < 0) {
    return absl::InvalidArgumentError(AsAbsl(StrCat("threads: must be 0 (automatic) or positive, got ", threads)));
  }
  return absl::OkStatus();
}

absl::Status CheckTime(std::string_view name, int64_t time) {
  if (time == kNullTime) return absl::InvalidArgumentError(AsAbsl(StrCat(name, ": must be a time, got none")));
  return absl::OkStatus();
}

}  // namespace rapport::internal
