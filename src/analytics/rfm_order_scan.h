// Reading an OrderFrame customer by customer in (customer, at) order, shared by the RFM, value tier and
// retention analyses, and splitting that walk over worker threads.
#ifndef RAPPORT_ANALYTICS_RFM_ORDER_SCAN_H_
#define RAPPORT_ANALYTICS_RFM_ORDER_SCAN_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rapport/frame.h"

namespace rapport::internal {

// The orders of one customer, ascending by time. kPermuted: rows are reached through a permutation.
template <bool kPermuted>
class CustomerOrders {
 public:
  CustomerOrders(const OrderFrame& frame, const uint32_t* perm, size_t begin, size_t end)
      : frame_(&frame), perm_(perm), begin_(begin), end_(end) {}

  int64_t customer() const { return frame_->customer[Row(0)]; }
  size_t size() const { return end_ - begin_; }
  bool empty() const { return begin_ == end_; }
  int64_t at(size_t j) const { return frame_->at[Row(j)]; }
  double amount(size_t j) const { return frame_->amount[Row(j)]; }

  // The orders that count as of `as_of`: a time, and at <= as_of. Times ascend, so they are a
  // contiguous run after the missing times.
  CustomerOrders Until(int64_t as_of) const {
    size_t b = begin_, e = end_;
    while (b < e && frame_->at[RowAt(b)] == kNullTime) ++b;
    while (e > b && frame_->at[RowAt(e - 1)] > as_of) --e;
    return CustomerOrders(*frame_, perm_, b, e);
  }

 private:
  size_t RowAt(size_t i) const {
    if constexpr (kPermuted) return perm_[i];
    return i;
  }
  size_t Row(size_t j) const { return RowAt(begin_ + j); }

  const OrderFrame* frame_;
  const uint32_t* perm_;
  size_t begin_, end_;
};

// An order frame in (customer, at) order, ties in row order: the frame itself when it is sorted,
// otherwise through a permutation (4 bytes per row rather than a sorted copy of three columns).
// Borrows the frame, which must outlive it.
class SortedOrders {
 public:
  // InvalidArgument when the columns differ in length.
  static absl::StatusOr<SortedOrders> Make(const OrderFrame& orders);

  size_t rows() const { return frame_->rows(); }
  bool permuted() const { return !perm_.empty(); }

  // `parts` + 1 row positions from 0 to rows(), cut where a new customer starts, so that each
  // customer falls in exactly one part. Parts may be empty.
  std::vector<size_t> Split(int parts) const;

  // Calls fn(const CustomerOrders<P>&) for each customer whose orders start in [begin, end), in
  // ascending id order; `begin` and `end` must be cuts from Split.
  template <typename Fn>
  void ForEachCustomer(size_t begin, size_t end, Fn&& fn) const {
    if (perm_.empty()) {
      Walk<false>(begin, end, fn);
    } else {
      Walk<true>(begin, end, fn);
    }
  }

 private:
  explicit SortedOrders(const OrderFrame& frame) : frame_(&frame) {}

  int64_t CustomerAt(size_t i) const { return frame_->customer[perm_.empty() ? i : perm_[i]]; }

  template <bool kPermuted, typename Fn>
  void Walk(size_t begin, size_t end, Fn& fn) const {
    const int64_t* customer = frame_->customer.data();
    const uint32_t* perm = perm_.data();
    auto customer_at = [&](size_t i) {
      if constexpr (kPermuted) return customer[perm[i]];
      return customer[i];
    };
    size_t i = begin;
    while (i < end) {
      const int64_t c = customer_at(i);
      size_t j = i + 1;
      while (j < end && customer_at(j) == c) ++j;
      fn(CustomerOrders<kPermuted>(*frame_, perm, i, j));
      i = j;
    }
  }

  const OrderFrame* frame_;
  std::vector<uint32_t> perm_;
};

// The number of parts to split `work` items into: `threads` when positive, otherwise 2 when the work
// is large and the machine has two cores.
int PartsFor(int threads, size_t work);

// Runs fn(part) for part in [0, parts), part 0 on the calling thread and the others on their own.
void RunParts(int parts, const std::function<void(int)>& fn);

// InvalidArgument unless threads >= 0.
absl::Status CheckThreads(int threads);

// InvalidArgument unless `time` is set: "<name>: must be a time, got none".
absl::Status CheckTime(std::string_view name, int64_t time);

}  // namespace rapport::internal

#endif  // RAPPORT_ANALYTICS_RFM_ORDER_SCAN_H_
