// Reading an OrderFrame customer by customer in (customer, at) order, split into parts that worker
// threads walk independently; shared by the RFM, value tier and retention analyses.
#ifndef RAPPORT_ANALYTICS_RFM_ORDER_SCAN_H_
#define RAPPORT_ANALYTICS_RFM_ORDER_SCAN_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rapport/frame.h"

namespace rapport::internal {

// The orders of one customer, ascending by time (ties in row order).
class CustomerOrders {
 public:
  CustomerOrders(int64_t customer, const int64_t* at, const double* amount, size_t size)
      : customer_(customer), at_(at), amount_(amount), size_(size) {}

  int64_t customer() const { return customer_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int64_t at(size_t j) const { return at_[j]; }
  double amount(size_t j) const { return amount_[j]; }

  // The orders that count as of `as_of`: a time, and at <= as_of. Times ascend and kNullTime is the
  // smallest, so they are one run after the missing times.
  CustomerOrders Until(int64_t as_of) const {
    size_t b = 0, e = size_;
    while (b < e && at_[b] == kNullTime) ++b;
    while (e > b && at_[e - 1] > as_of) --e;
    return CustomerOrders(customer_, at_ + b, amount_ + b, e - b);
  }

 private:
  int64_t customer_;
  const int64_t* at_;
  const double* amount_;
  size_t size_;
};

// An order frame in (customer, at) order, ties in row order, cut into `parts` runs of whole customers.
// A sorted frame is read in place (checked in one parallel pass); any other is sorted into a copy that
// this object owns: a counting sort by customer when ids are dense (row ids are), then each customer's
// few rows by time, all on the parts' threads. Borrows a sorted frame, which must then outlive it.
class SortedOrders {
 public:
  // InvalidArgument when the columns differ in length or an unsorted frame has 2^32 rows or more.
  static absl::StatusOr<SortedOrders> Make(const OrderFrame& orders, int parts);

  size_t rows() const { return rows_; }
  bool copied() const { return own_at_ != nullptr; }
  int parts() const { return static_cast<int>(cuts_.size()) - 1; }
  // Distinct customers, in all parts and in the parts before `part`; a part's customers follow those
  // of the parts before it, so outputs can be written in place by each part's thread.
  size_t customers() const { return customers_before_.back(); }
  size_t customers_before(int part) const { return customers_before_[part]; }
  size_t customers_in(int part) const { return customers_before_[part + 1] - customers_before_[part]; }

  // Calls fn(const CustomerOrders&) for each customer of `part`, by ascending id.
  template <typename Fn>
  void ForEachCustomer(int part, Fn&& fn) const {
    const size_t end = cuts_[part + 1];
    size_t i = cuts_[part];
    while (i < end) {
      const int64_t c = customer_[i];
      size_t j = i + 1;
      while (j < end && customer_[j] == c) ++j;
      fn(CustomerOrders(c, at_ + i, amount_ + i, j - i));
      i = j;
    }
  }

  // Runs fn(part) for every part, each on its own thread (part 0 on the calling one).
  void Run(const std::function<void(int)>& fn) const;

  // The rows in (customer, at) order, ties in row order, as an order frame.
  OrderFrame ToFrame() const {
    OrderFrame out;
    out.customer.assign(customer_, customer_ + rows_);
    out.at.assign(at_, at_ + rows_);
    out.amount.assign(amount_, amount_ + rows_);
    return out;
  }

 private:
  struct Survey;

  SortedOrders() = default;
  // Cuts the rows into customer-aligned parts and counts each part's customers, checking on the way
  // whether the rows are in order at all (then the cuts and counts mean nothing).
  Survey Partition(int parts);
  static Survey SurveyRows(const int64_t* customer, const int64_t* at, size_t begin, size_t end);

  size_t rows_ = 0;
  const int64_t* customer_ = nullptr;
  const int64_t* at_ = nullptr;
  const double* amount_ = nullptr;
  std::unique_ptr<int64_t[]> own_customer_, own_at_;
  std::unique_ptr<double[]> own_amount_;
  std::vector<size_t> cuts_;              // parts + 1 row positions
  std::vector<size_t> customers_before_;  // parts + 1
};

// Moves the rows each part wrote at customers_before(part) (the first `written[part]` of them) down so
// that they follow each other, and shrinks the column to the total.
template <typename T>
void CompactParts(const SortedOrders& orders, const std::vector<size_t>& written, std::vector<T>& column) {
  size_t to = 0;
  for (int p = 0; p < orders.parts(); ++p) {
    const size_t from = orders.customers_before(p);
    if (from != to) std::copy(column.begin() + from, column.begin() + from + written[p], column.begin() + to);
    to += written[p];
  }
  column.resize(to);
}

// The number of parts to split `work` items into: `threads` when positive (at most 64), otherwise 2
// when the work is large and the machine has two cores.
int PartsFor(int threads, size_t work);

// Runs fn(part) for part in [0, parts), part 0 on the calling thread and the others on their own.
void RunParts(int parts, const std::function<void(int)>& fn);

// InvalidArgument unless threads >= 0.
absl::Status CheckThreads(int threads);

// InvalidArgument unless `time` is set: "<name>: must be a time, got none".
absl::Status CheckTime(std::string_view name, int64_t time);

}  // namespace rapport::internal

#endif  // RAPPORT_ANALYTICS_RFM_ORDER_SCAN_H_
