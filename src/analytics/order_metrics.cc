// AddOrderMetrics has two ways through the orders, chosen by how many of the orders' customers the frame
// holds: all or most of them (a whole customer base) take a parallel pass in (customer, at) order;
// a few (a segment's candidates) take a scan of the customer column that picks out their orders, so the
// cost is one read of that column rather than an aggregation of every customer. Both add each
// customer's amounts in (at, row) order, so they agree to the bit.
#include "analytics/order_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "absl/container/flat_hash_set.h"
#include "analytics/rfm_order_scan.h"
#include "base/strings.h"

namespace rapport {
namespace internal {

const std::vector<std::pair<std::string_view, ColumnType>>& OrderMetricColumns() {
  static const auto* kColumns = new std::vector<std::pair<std::string_view, ColumnType>>{
      {"frequency", ColumnType::kNumber},      {"monetary", ColumnType::kNumber},
      {"aov", ColumnType::kNumber},            {"first_order_at", ColumnType::kTime},
      {"last_order_at", ColumnType::kTime},    {"mean_interpurchase_days", ColumnType::kNumber},
  };
  return *kColumns;
}

bool IsOrderMetric(std::string_view name) {
  for (const auto& [metric, type] : OrderMetricColumns()) {
    if (metric == name) return true;
  }
  return false;
}

namespace {

// A frame with fewer rows than this share of the orders takes the picking scan.
constexpr size_t kOrdersPerRowForScan = 32;

class MetricColumns {
 public:
  explicit MetricColumns(size_t n)
      : frequency_{std::vector<double>(n, 0.0)}, monetary_{std::vector<double>(n, 0.0)},
        aov_{std::vector<double>(n, NAN)}, interval_{std::vector<double>(n, NAN)},
        first_{std::vector<int64_t>(n, kNullTime)}, last_{std::vector<int64_t>(n, kNullTime)} {}

  // `o`: the customer's orders with a time, ascending by (at, row).
  void Set(size_t row, const CustomerOrders& o) {
    double sum = 0;
    for (size_t j = 0; j < o.size(); ++j) sum += o.amount(j);
    const double count = static_cast<double>(o.size());
    frequency_.values[row] = count;
    monetary_.values[row] = sum;
    aov_.values[row] = sum / count;
    first_.values[row] = o.at(0);
    last_.values[row] = o.at(o.size() - 1);
    if (o.size() >= 2) {
      interval_.values[row] =
          static_cast<double>(o.at(o.size() - 1) - o.at(0)) / (count - 1) / static_cast<double>(kMicrosPerDay);
    }
  }

  void MoveInto(CustomerFrame& frame) && {
    frame.Add("frequency", std::move(frequency_));
    frame.Add("monetary", std::move(monetary_));
    frame.Add("aov", std::move(aov_));
    frame.Add("first_order_at", std::move(first_));
    frame.Add("last_order_at", std::move(last_));
    frame.Add("mean_interpurchase_days", std::move(interval_));
  }

 private:
  NumberColumn frequency_, monetary_, aov_, interval_;
  TimeColumn first_, last_;
};

absl::Status CheckLengths(const OrderFrame& orders) {
  if (orders.at.size() != orders.customer.size() || orders.amount.size() != orders.customer.size()) {
    return absl::InvalidArgumentError(AsAbsl(StrCat("orders: columns differ in length (customer ", orders.customer.size(),
                                                    ", at ", orders.at.size(), ", amount ", orders.amount.size(), ")")));
  }
  return absl::OkStatus();
}

// Customer by customer in (customer, at) order, in parallel parts of whole customers; each part writes
// only its own customers' rows.
absl::Status AggregateAll(const OrderFrame& orders, const CustomerFrame& frame, MetricColumns& out) {
  auto sorted = SortedOrders::Make(orders, PartsFor(0, orders.rows()));
  if (!sorted.ok()) return sorted.status();
  const size_t n = frame.rows();
  sorted->Run([&](int part) {
    size_t row = 0;
    bool positioned = false;
    sorted->ForEachCustomer(part, [&](const CustomerOrders& all) {
      const CustomerOrders o = all.Until(std::numeric_limits<int64_t>::max());  // orders with a time
      if (o.empty()) return;
      if (!positioned) {
        row = std::lower_bound(frame.ids.begin(), frame.ids.end(), o.customer()) - frame.ids.begin();
        positioned = true;
      }
      while (row < n && frame.ids[row] < o.customer()) ++row;
      if (row >= n || frame.ids[row] != o.customer()) return;
      out.Set(row, o);
    });
  });
  return absl::OkStatus();
}

// Whether an id is one of the frame's: a bitmap over the ids' range when that is small enough,
// otherwise a hash set.
class IdFilter {
 public:
  IdFilter(const std::vector<int64_t>& ids, size_t orders) {
    lo_ = ids.front();
    const uint64_t range = static_cast<uint64_t>(ids.back()) - static_cast<uint64_t>(lo_);
    if (range / 64 < std::max<uint64_t>(uint64_t{1} << 16, orders / 8)) {
      words_ = range / 64 + 1;
      bits_.reset(new uint64_t[words_]());
      for (int64_t id : ids) {
        const uint64_t d = static_cast<uint64_t>(id) - static_cast<uint64_t>(lo_);
        bits_[d / 64] |= uint64_t{1} << (d % 64);
      }
    } else {
      set_.insert(ids.begin(), ids.end());
    }
  }

  bool Contains(int64_t id) const {
    if (bits_ == nullptr) return set_.contains(id);
    const uint64_t d = static_cast<uint64_t>(id) - static_cast<uint64_t>(lo_);  // below lo_ wraps to huge
    return d / 64 < words_ && (bits_[d / 64] >> (d % 64) & 1) != 0;
  }

 private:
  int64_t lo_ = 0;
  uint64_t words_ = 0;
  std::unique_ptr<uint64_t[]> bits_;
  absl::flat_hash_set<int64_t> set_;
};

struct PickedOrder {
  int64_t customer;
  int64_t at;
  size_t row;
  bool operator<(const PickedOrder& o) const {
    return customer != o.customer ? customer < o.customer : at != o.at ? at < o.at : row < o.row;
  }
};

// The orders of the frame's customers, picked out by one scan of the customer column (in parallel
// parts of rows), then put in (customer, at, row) order.
absl::Status AggregatePicked(const OrderFrame& orders, const CustomerFrame& frame, MetricColumns& out) {
  if (frame.rows() == 0) return absl::OkStatus();
  const IdFilter filter(frame.ids, orders.rows());
  const int parts = PartsFor(0, orders.rows());
  std::vector<std::vector<PickedOrder>> picked(parts);
  RunParts(parts, [&](int part) {
    const size_t begin = orders.rows() * part / parts, end = orders.rows() * (part + 1) / parts;
    for (size_t i = begin; i < end; ++i) {
      if (filter.Contains(orders.customer[i]) && orders.at[i] != kNullTime) {
        picked[part].push_back({orders.customer[i], orders.at[i], i});
      }
    }
  });
  std::vector<PickedOrder> all = std::move(picked[0]);
  for (int p = 1; p < parts; ++p) all.insert(all.end(), picked[p].begin(), picked[p].end());
  std::sort(all.begin(), all.end());
  std::vector<int64_t> at;
  std::vector<double> amount;
  size_t row = 0;
  for (size_t i = 0; i < all.size();) {
    const int64_t c = all[i].customer;
    at.clear();
    amount.clear();
    for (; i < all.size() && all[i].customer == c; ++i) {
      at.push_back(all[i].at);
      amount.push_back(orders.amount[all[i].row]);
    }
    while (frame.ids[row] < c) ++row;  // c is one of the frame's ids
    out.Set(row, CustomerOrders(c, at.data(), amount.data(), at.size()));
  }
  return absl::OkStatus();
}

}  // namespace
}  // namespace internal

absl::Status AddOrderMetrics(const OrderFrame& orders, CustomerFrame& frame) {
  if (absl::Status s = internal::CheckLengths(orders); !s.ok()) return s;
  internal::MetricColumns metrics(frame.rows());
  const bool few = frame.rows() < orders.rows() / internal::kOrdersPerRowForScan;
  absl::Status s = few ? internal::AggregatePicked(orders, frame, metrics) : internal::AggregateAll(orders, frame, metrics);
  if (!s.ok()) return s;
  std::move(metrics).MoveInto(frame);
  return absl::OkStatus();
}

}  // namespace rapport
