// Internal plumbing of the analytics part of the C ABI: the frame and result handles, copies into
// caller-owned arrays, result structs written up to the caller's struct_size, JSON helpers.
#ifndef RAPPORT_CAPI_ANALYTICS_INTERNAL_H_
#define RAPPORT_CAPI_ANALYTICS_INTERNAL_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "internal.h"
#include "model/analytics_json.h"
#include "rapport/frame.h"
#include "rapport/frame_options.h"
#include "rapport/funnel.h"
#include "rapport/retention.h"
#include "rapport/rfm.h"

// ---- Handles ----

struct rapport_order_frame {
  rapport::OrderFrame frame;
};

struct rapport_event_frame {
  rapport::EventFrame frame;
};

struct rapport_stage_history_frame {
  rapport::StageHistoryFrame frame;
};

struct rapport_customer_groups {
  rapport::CustomerGroups groups;
};

struct rapport_rfm {
  rapport::RfmTable table;
};

struct rapport_value_tiers {
  rapport::ValueTierTable table;
  int64_t as_of = 0;
  rapport::ValueTierMode mode = rapport::ValueTierMode::kQuantile;
};

struct rapport_cohorts {
  rapport::CohortMatrix matrix;
  int64_t as_of = 0;
};

struct rapport_event_funnel {
  rapport::EventFunnelResult result;
};

struct rapport_stage_funnel {
  rapport::StageFunnelResult result;
  std::optional<int64_t> as_of;
};

namespace rapport::capi {

// Checks the output arguments of a caller-owned array before any work is done.
inline absl::Status CheckOutArray(const char* fn, const void* out, size_t capacity, const size_t* out_count) {
  if (out_count == nullptr) return NullArgument(fn, "out_count");
  if (out == nullptr && capacity > 0) return NullArgument(fn, "out");
  return absl::OkStatus();
}

inline absl::Status TooSmall(const char* fn, size_t needed, size_t capacity) {
  return absl::OutOfRangeError(absl::StrCat(fn, ": ", needed, " values do not fit in capacity ", capacity));
}

// Copies `n` values into the caller's array (CALLER-OWNED in rapport.h): only counts when `out` is
// NULL, OUT_OF_RANGE with the count needed when they do not fit.
template <typename T>
absl::Status CopyOut(const char* fn, const T* values, size_t n, T* out, size_t capacity, size_t* out_count) {
  absl::Status st = CheckOutArray(fn, out, capacity, out_count);
  if (!st.ok()) return st;
  if (out == nullptr) {
    *out_count = n;
    return absl::OkStatus();
  }
  if (n > capacity) {
    *out_count = n;
    return TooSmall(fn, n, capacity);
  }
  if (n > 0) std::memcpy(out, values, n * sizeof(T));
  *out_count = n;
  return absl::OkStatus();
}

template <typename T>
absl::Status CopyOut(const char* fn, const std::vector<T>& values, T* out, size_t capacity, size_t* out_count) {
  return CopyOut(fn, values.data(), values.size(), out, capacity, out_count);
}

// Writes `value` into the caller's result struct up to its struct_size (keeping struct_size).
template <typename T>
absl::Status WriteResult(const char* fn, const T& value, T* out, size_t min_size) {
  absl::Status st = CheckStructSize(fn, "out", out->struct_size, min_size);
  if (!st.ok()) return st;
  const size_t end = out->struct_size < sizeof(T) ? out->struct_size : sizeof(T);
  constexpr size_t kStart = sizeof(uint32_t);
  std::memcpy(reinterpret_cast<char*>(out) + kStart, reinterpret_cast<const char*>(&value) + kStart, end - kStart);
  return absl::OkStatus();
}

// Rejects a NULL array that should hold `rows` elements.
inline absl::Status CheckArray(const char* fn, const char* name, const void* array, size_t rows) {
  if (array == nullptr && rows > 0) return NullArgument(fn, name);
  return absl::OkStatus();
}

// A list of C strings (NULL allowed when count is 0) as UTF-8-checked std::strings; elements are
// named "<name>[i]" in errors.
absl::StatusOr<std::vector<std::string>> StringList(const char* fn, const std::string& name,
                                                    const char* const* values, size_t count);
// A frame options struct (NULL: the defaults); `arg` names it in errors ("opts", "def->frame").
absl::StatusOr<rapport::FrameOptions> FrameOptionsFrom(const char* fn, const char* arg, const rapport_frame_options* opts);

// JSON output (ordered members; NaN and infinities are null).
using OrderedJson = nlohmann::ordered_json;
inline std::string DumpOrdered(const OrderedJson& j) {
  return j.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}
using internal::DurationJson;  // the core's JSON forms (model/analytics_json.h)
using internal::TimeJson;

inline rapport_duration_summary ToC(const DurationSummary& s) { return {s.count, s.median, s.p90, s.mean}; }

}  // namespace rapport::capi

#endif  // RAPPORT_CAPI_ANALYTICS_INTERNAL_H_
