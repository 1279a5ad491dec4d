#include "analytics/rfm_order_scan.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <numeric>
#include <thread>
#include <utility>

#include "base/strings.h"

namespace rapport::internal {

// One pass over a part of the rows: are they in order (also against the row before them), which ids
// do they hold, and how many customers start in them.
struct SortedOrders::Survey {
  bool sorted = true;
  int64_t lo = std::numeric_limits<int64_t>::max();
  int64_t hi = std::numeric_limits<int64_t>::min();
  size_t customers = 0;
};

namespace {

constexpr size_t kParallelThreshold = 200'000;
constexpr int kMaxParts = 64;
// The first step of the sort of unsorted frames spreads rows over 2^kHighBits ranges of ids.
constexpr int kHighBits = 10;

// Rows [n * p / parts, n * (p + 1) / parts): any contiguous slices, for passes that need no alignment.
size_t SliceStart(size_t n, int parts, int p) {
  return static_cast<size_t>(static_cast<unsigned __int128>(n) * static_cast<unsigned>(p) / static_cast<unsigned>(parts));
}

// Orders the rows [begin, end) of one customer by time, keeping row order among equal times. Groups
// are short and usually in order already, where insertion sort costs one comparison per row.
void SortGroupByTime(int64_t* at, double* amount, size_t begin, size_t end,
                     std::vector<std::pair<int64_t, double>>& scratch) {
  if (end - begin > 64) {
    scratch.clear();
    for (size_t i = begin; i < end; ++i) scratch.emplace_back(at[i], amount[i]);
    std::stable_sort(scratch.begin(), scratch.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = begin; i < end; ++i) std::tie(at[i], amount[i]) = scratch[i - begin];
    return;
  }
  for (size_t i = begin + 1; i < end; ++i) {
    const int64_t t = at[i];
    const double a = amount[i];
    size_t j = i;
    while (j > begin && at[j - 1] > t) {
      at[j] = at[j - 1];
      amount[j] = amount[j - 1];
      --j;
    }
    at[j] = t;
    amount[j] = a;
  }
}

}  // namespace

absl::StatusOr<SortedOrders> SortedOrders::Make(const OrderFrame& orders, int parts) {
  if (orders.at.size() != orders.customer.size() || orders.amount.size() != orders.customer.size()) {
    return absl::InvalidArgumentError(AsAbsl(StrCat("orders: columns differ in length (customer ", orders.customer.size(),
                                                    ", at ", orders.at.size(), ", amount ", orders.amount.size(), ")")));
  }
  parts = std::max(parts, 1);
  const size_t n = orders.rows();
  SortedOrders s;
  s.rows_ = n;
  s.customer_ = orders.customer.data();
  s.at_ = orders.at.data();
  s.amount_ = orders.amount.data();

  const Survey all = s.Partition(parts);
  if (all.sorted) return s;
  if (n > std::numeric_limits<uint32_t>::max()) {
    return absl::InvalidArgumentError(
        AsAbsl(StrCat("orders: more than 4294967295 rows must be sorted first (OrderFrame::Sort), got ", n)));
  }

  s.own_customer_.reset(new int64_t[n]);  // left uninitialised: the threads below write every row
  s.own_at_.reset(new int64_t[n]);
  s.own_amount_.reset(new double[n]);
  int64_t* customer = s.own_customer_.get();
  int64_t* at = s.own_at_.get();
  double* amount = s.own_amount_.get();
  const uint64_t range = static_cast<uint64_t>(all.hi) - static_cast<uint64_t>(all.lo);
  if (range <= 2 * static_cast<uint64_t>(n) + 1024) {
    // Dense ids (row ids are): a radix sort by customer in two steps, then each customer's few rows
    // by time. One counting sort over every id would write each row to a random place in gigabytes of
    // memory, a cache and TLB miss per row; instead the rows go first to at most 1024 ranges by the
    // high bits of the id (1024 sequential write streams), and then each range, a few megabytes, is
    // sorted by the low bits in cache. Both steps are stable, so rows of equal (customer, at) keep
    // their row order.
    const int64_t lo = all.lo;
    const int bits = range == 0 ? 0 : 64 - std::countl_zero(range);
    const int high_bits = std::min(bits, kHighBits);
    const int shift = bits - high_bits;
    const size_t ranges = size_t{1} << high_bits;
    auto high = [&](int64_t c) { return static_cast<uint64_t>(c - lo) >> shift; };

    // Step 1, over `slices` slices of the rows: slice p's rows of a range go after those of earlier
    // slices.
    const int slices = std::min(parts, 4);
    std::vector<std::vector<size_t>> next(slices, std::vector<size_t>(ranges, 0));
    RunParts(slices, [&](int p) {
      size_t* count = next[p].data();
      for (size_t i = SliceStart(n, slices, p), e = SliceStart(n, slices, p + 1); i < e; ++i) {
        ++count[high(orders.customer[i])];
      }
    });
    std::vector<size_t> range_start(ranges + 1, n);
    size_t position = 0;
    for (size_t r = 0; r < ranges; ++r) {
      range_start[r] = position;
      for (int p = 0; p < slices; ++p) position += std::exchange(next[p][r], position);
    }
    RunParts(slices, [&](int p) {
      size_t* slot = next[p].data();
      for (size_t i = SliceStart(n, slices, p), e = SliceStart(n, slices, p + 1); i < e; ++i) {
        const size_t j = slot[high(orders.customer[i])]++;
        customer[j] = orders.customer[i];
        at[j] = orders.at[i];
        amount[j] = orders.amount[i];
      }
    });

    // Step 2, range by range on the parts' threads.
    const uint64_t low_mask = (uint64_t{1} << shift) - 1;
    RunParts(parts, [&](int p) {
      struct Row {
        int64_t customer, at;
        double amount;
      };
      std::vector<Row> rows;
      std::vector<uint32_t> low_next(size_t{1} << shift);
      std::vector<std::pair<int64_t, double>> scratch;
      for (size_t r = SliceStart(ranges, parts, p), last = SliceStart(ranges, parts, p + 1); r < last; ++r) {
        const size_t begin = range_start[r], end = range_start[r + 1];
        if (end - begin < 2) continue;
        if (shift > 0) {
          rows.resize(end - begin);
          std::fill(low_next.begin(), low_next.end(), 0);
          for (size_t i = begin; i < end; ++i) {
            rows[i - begin] = Row{customer[i], at[i], amount[i]};
            ++low_next[static_cast<uint64_t>(customer[i] - lo) & low_mask];
          }
          uint32_t offset = 0;
          for (uint32_t& c : low_next) offset += std::exchange(c, offset);
          for (const Row& row : rows) {
            const size_t j = begin + low_next[static_cast<uint64_t>(row.customer - lo) & low_mask]++;
            customer[j] = row.customer;
            at[j] = row.at;
            amount[j] = row.amount;
          }
        }
        for (size_t g = begin; g < end;) {
          size_t h = g + 1;
          while (h < end && customer[h] == customer[g]) ++h;
          if (h - g > 1) SortGroupByTime(at, amount, g, h, scratch);
          g = h;
        }
      }
    });
  } else {
    // Sparse ids: a comparison sort with the row as the last key, then a gather.
    std::vector<uint32_t> perm(n);
    std::iota(perm.begin(), perm.end(), 0u);
    const int64_t* c = orders.customer.data();
    const int64_t* t = orders.at.data();
    std::sort(perm.begin(), perm.end(), [c, t](uint32_t a, uint32_t b) {
      if (c[a] != c[b]) return c[a] < c[b];
      if (t[a] != t[b]) return t[a] < t[b];
      return a < b;
    });
    RunParts(parts, [&](int p) {
      for (size_t i = SliceStart(n, parts, p), e = SliceStart(n, parts, p + 1); i < e; ++i) {
        customer[i] = c[perm[i]];
        at[i] = t[perm[i]];
        amount[i] = orders.amount[perm[i]];
      }
    });
  }
  s.customer_ = customer;
  s.at_ = at;
  s.amount_ = amount;
  s.Partition(parts);  // now in order
  return s;
}

SortedOrders::Survey SortedOrders::SurveyRows(const int64_t* customer, const int64_t* at, size_t begin, size_t end) {
  Survey s;
  bool sorted = true;
  size_t starts = 0;
  for (size_t i = begin; i < end; ++i) {
    const int64_t c = customer[i];
    s.lo = std::min(s.lo, c);
    s.hi = std::max(s.hi, c);
    if (i > 0) {
      sorted &= c > customer[i - 1] || (c == customer[i - 1] && at[i] >= at[i - 1]);
      starts += i == begin || c != customer[i - 1];
    } else {
      starts = 1;
    }
  }
  s.sorted = sorted;
  s.customers = starts;
  return s;
}

SortedOrders::Survey SortedOrders::Partition(int parts) {
  const size_t n = rows_;
  cuts_.assign(parts + 1, n);
  cuts_[0] = 0;
  for (int p = 1; p < parts; ++p) {
    size_t cut = std::max(cuts_[p - 1], SliceStart(n, parts, p));
    while (cut > 0 && cut < n && customer_[cut] == customer_[cut - 1]) ++cut;
    cuts_[p] = cut;
  }
  std::vector<Survey> surveys(parts);
  RunParts(parts, [&](int p) { surveys[p] = SurveyRows(customer_, at_, cuts_[p], cuts_[p + 1]); });
  Survey all;
  customers_before_.assign(parts + 1, 0);
  for (int p = 0; p < parts; ++p) {
    all.sorted &= surveys[p].sorted;
    all.lo = std::min(all.lo, surveys[p].lo);
    all.hi = std::max(all.hi, surveys[p].hi);
    customers_before_[p + 1] = customers_before_[p] + surveys[p].customers;
  }
  all.customers = customers_before_.back();
  return all;
}

void SortedOrders::Run(const std::function<void(int)>& fn) const { RunParts(parts(), fn); }

int PartsFor(int threads, size_t work) {
  if (threads > 0) return std::min(threads, kMaxParts);
  return work > kParallelThreshold && std::thread::hardware_concurrency() >= 2 ? 2 : 1;
}

void RunParts(int parts, const std::function<void(int)>& fn) {
  if (parts <= 1) {
    fn(0);
    return;
  }
  std::vector<std::thread> workers;
  workers.reserve(parts - 1);
  for (int p = 1; p < parts; ++p) workers.emplace_back(fn, p);
  fn(0);
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
