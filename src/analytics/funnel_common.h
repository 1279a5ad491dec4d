// Shared machinery of the funnel analyses: grouping a frame's relevant rows by entity, splitting the
// work over threads at entity boundaries, time-sorting one entity's rows, and duration summaries.
#ifndef RAPPORT_ANALYTICS_FUNNEL_COMMON_H_
#define RAPPORT_ANALYTICS_FUNNEL_COMMON_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "rapport/frame.h"
#include "rapport/funnel.h"

namespace rapport::funnel_internal {

// Above this many rows the analyses use 2 threads unless told otherwise.
inline constexpr size_t kParallelRows = 200'000;

absl::Status CheckThreads(int threads);
int ThreadsFor(int requested, size_t rows);

// Runs f(chunk, begin, end) over `bounds` (chunk c spans [bounds[c], bounds[c+1])), one thread per
// chunk, the first on the calling thread.
template <typename F>
void RunChunks(const std::vector<size_t>& bounds, F&& f) {
  const size_t chunks = bounds.size() - 1;
  std::vector<std::thread> helpers;
  helpers.reserve(chunks > 0 ? chunks - 1 : 0);
  for (size_t c = 1; c < chunks; ++c) helpers.emplace_back([&f, &bounds, c] { f(c, bounds[c], bounds[c + 1]); });
  if (chunks > 0) f(size_t{0}, bounds[0], bounds[1]);
  for (std::thread& t : helpers) t.join();
}

// [0, n) in `threads` nearly equal chunks.
std::vector<size_t> EvenBounds(size_t n, int threads);

// A fixed-size array whose elements start uninitialised: the big work arrays are written in full
// before they are read, and zeroing them first would cost a pass over memory.
template <typename T>
class Array {
 public:
  Array() = default;
  explicit Array(size_t n) : data_(std::make_unique_for_overwrite<T[]>(n)), size_(n) {}
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  size_t size() const { return size_; }

 private:
  std::unique_ptr<T[]> data_;
  size_t size_ = 0;
};

// One kept row: its entity and tag packed in one word, and its time.
struct Row {
  uint64_t key;  // entity key << tag_bits | tag
  int64_t at;
};

// Sorts one entity's rows by time, stably (equal times keep frame order). Keeps its scratch space
// between calls so that sorting allocates only when an entity has more rows than any before it.
class SegmentSorter {
 public:
  void Sort(Row* rows, size_t n);

 private:
  std::vector<std::pair<int64_t, uint32_t>> keys_;
  std::vector<Row> copy_;
};

// The rows an analysis looks at, grouped by entity, ready for ForEachEntity. When the frame's kept
// rows are already grouped, the frame itself is read (no copy); otherwise `rows` holds them sorted by
// entity, in frame order within an entity.
struct GroupedRows {
  // Sorted copy: entity id = base + entity key, or ids[entity key] when the ids spread too wide to
  // share a word with the tag.
  Array<Row> rows;
  uint64_t base = 0;
  std::vector<int64_t> ids;
  int tag_bits = 0;
  // The frame, when it is read in place.
  const int64_t* frame_entity = nullptr;
  const void* frame_codes = nullptr;  // stored CategoryCodes of frame_code_width bytes each
  int frame_code_width = 4;
  const int64_t* frame_at = nullptr;
  const int32_t* tag_of_code = nullptr;
  // Per thread, a range of rows (of the frame or of `rows`) that starts and ends at entity boundaries.
  std::vector<size_t> bounds;

  bool in_frame() const { return frame_entity != nullptr; }
  uint64_t tag_mask() const { return (uint64_t{1} << tag_bits) - 1; }
  int64_t Entity(uint64_t entity_key) const {
    return ids.empty() ? static_cast<int64_t>(base + entity_key) : ids[entity_key];
  }
};

struct GroupCounts {
  int64_t missing_time = 0;  // rows with at == kNullTime
  int64_t untagged = 0;      // rows with a time whose code has no tag (or is null)
};

// Keeps the rows whose code has a tag (tag_of_code[code] >= 0) and whose time is present, grouped by
// entity, for `threads` threads. The caller has checked that the three columns have the same length;
// codes outside [kNullCode, tag_of_code.size()) are refused, naming `codes_name`. The columns must
// outlive `out` (it may read them in place).
absl::Status GroupRows(const std::vector<int64_t>& entity, const CategoryCodes& codes,
                       const std::vector<int64_t>& at, const std::vector<int32_t>& tag_of_code,
                       std::string_view codes_name, int threads, GroupedRows& out, GroupCounts& counts);

// Calls visit(thread, entity id, rows, n) for every entity in ascending id order within a thread's
// range, with the entity's n rows sorted by time (stably); Row::key & tag_mask() is the row's tag.
// Threads' ranges are contiguous and ascending.
template <typename Visit>
void ForEachEntity(GroupedRows& g, Visit&& visit) {
  RunChunks(g.bounds, [&](size_t chunk, size_t begin, size_t end) {
    SegmentSorter sorter;
    if (!g.in_frame()) {
      Row* rows = g.rows.data();
      const int tag_bits = g.tag_bits;
      size_t b = begin;
      while (b < end) {
        const uint64_t entity_key = rows[b].key >> tag_bits;
        size_t e = b + 1;
        while (e < end && rows[e].key >> tag_bits == entity_key) ++e;
        sorter.Sort(rows + b, e - b);
        visit(chunk, g.Entity(entity_key), rows + b, e - b);
        b = e;
      }
      return;
    }
    // The frame in place: an entity's kept rows are consecutive among kept rows. They are copied to a
    // small buffer that stays in cache, for the time sort.
    std::vector<Row> segment;
    int64_t current = 0;
    auto scan = [&]<typename T>(const T* codes) {
      for (size_t i = begin; i < end; ++i) {
        const int32_t code = CategoryCodes::Decode(codes[i]);
        if (code < 0 || g.frame_at[i] == kNullTime) continue;
        const int32_t tag = g.tag_of_code[code];
        if (tag < 0) continue;
        const int64_t e = g.frame_entity[i];
        if (!segment.empty() && e != current) {
          sorter.Sort(segment.data(), segment.size());
          visit(chunk, current, segment.data(), segment.size());
          segment.clear();
        }
        current = e;
        segment.push_back(Row{static_cast<uint64_t>(tag), g.frame_at[i]});
      }
    };
    switch (g.frame_code_width) {
      case 1: scan(static_cast<const uint8_t*>(g.frame_codes)); break;
      case 2: scan(static_cast<const uint16_t*>(g.frame_codes)); break;
      default: scan(static_cast<const int32_t*>(g.frame_codes)); break;
    }
    if (!segment.empty()) {
      sorter.Sort(segment.data(), segment.size());
      visit(chunk, current, segment.data(), segment.size());
    }
  });
}

// Count, median, p90 (linear interpolation) and mean of durations in microseconds, converted to a
// unit of `micros_per_unit` microseconds. Reorders `micros`.
DurationSummary Summarize(std::vector<int64_t>& micros, double micros_per_unit);

// a / b, NaN when b is 0.
double Ratio(int64_t a, int64_t b);

}  // namespace rapport::funnel_internal

#endif  // RAPPORT_ANALYTICS_FUNNEL_COMMON_H_
