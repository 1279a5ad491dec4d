#include "analytics/funnel_common.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <utility>

#include "base/strings.h"
#include "rapport/frame.h"

namespace rapport::funnel_internal {

absl::Status CheckThreads(int threads) {
  if (threads < 0 || threads > 64) {
    return absl::InvalidArgumentError(StrCat("threads: must be between 0 and 64 (got ", threads, ")"));
  }
  return absl::OkStatus();
}

int ThreadsFor(int requested, size_t rows) {
  if (requested > 0) return requested;
  return rows > kParallelRows ? 2 : 1;
}

std::vector<size_t> EvenBounds(size_t n, int threads) {
  const size_t chunks = static_cast<size_t>(std::max(threads, 1));
  std::vector<size_t> bounds(chunks + 1);
  for (size_t c = 0; c <= chunks; ++c) bounds[c] = n / chunks * c + std::min(c, n % chunks);
  return bounds;
}

namespace {

// Thread ranges over sorted rows, moved forward to entity boundaries.
std::vector<size_t> SortedBounds(const Array<Row>& rows, int tag_bits, int threads) {
  std::vector<size_t> bounds = EvenBounds(rows.size(), threads);
  for (size_t c = 1; c + 1 < bounds.size(); ++c) {
    size_t b = std::max(bounds[c], bounds[c - 1]);
    while (b > 0 && b < rows.size() && rows[b].key >> tag_bits == rows[b - 1].key >> tag_bits) ++b;
    bounds[c] = b;
  }
  return bounds;
}

// Thread ranges over a frame whose kept rows are grouped: a range may not start at a kept row of the
// entity of the last kept row before it.
template <typename Kept>
std::vector<size_t> FrameBounds(const std::vector<int64_t>& entity, Kept kept, int threads) {
  std::vector<size_t> bounds = EvenBounds(entity.size(), threads);
  for (size_t c = 1; c + 1 < bounds.size(); ++c) {
    size_t b = std::max(bounds[c], bounds[c - 1]);
    size_t previous = b;
    while (previous > bounds[c - 1] && !kept(previous - 1)) --previous;
    if (previous > bounds[c - 1]) {
      const int64_t e = entity[previous - 1];
      while (b < entity.size() && (!kept(b) || entity[b] == e)) ++b;
    }
    bounds[c] = b;
  }
  return bounds;
}

// Stable LSD radix sort of n records by bits [low, low + bits) of key(record), ping-ponging between `a`
// and `b`; returns the one holding the result. Digits of at most 11 bits keep the counts in L1.
template <typename R, typename Key>
R* RadixSort(R* a, R* b, size_t n, int low, int bits, Key key, std::vector<size_t>& start) {
  if (bits <= 0 || n < 2) return a;
  const int passes = (bits + 10) / 11;
  const int digit = (bits + passes - 1) / passes;
  const uint64_t mask = (uint64_t{1} << digit) - 1;
  for (int pass = 0; pass < passes; ++pass) {
    const int shift = low + pass * digit;
    start.assign(size_t{1} << digit, 0);
    for (size_t i = 0; i < n; ++i) ++start[(key(a[i]) >> shift) & mask];
    size_t sum = 0;
    for (size_t& s : start) sum += std::exchange(s, sum);
    for (size_t i = 0; i < n; ++i) b[start[(key(a[i]) >> shift) & mask]++] = a[i];
    std::swap(a, b);
  }
  return a;
}

// When the entity range leaves no room for the tag in a word (ids spread over most of int64).
struct WideRecord {
  uint64_t entity;  // entity - min
  int64_t at;
  int32_t tag;
};

// Partitions of the kept rows by the top bits of (entity - min): partition_of(entity).
struct Partitioning {
  uint64_t base = 0;
  int rest_bits = 0;  // entity bits below the partition bits
  size_t partitions = 1;
  size_t Of(int64_t entity) const { return static_cast<size_t>((static_cast<uint64_t>(entity) - base) >> rest_bits); }
};

// Sorts the kept rows of the frame (tag_of(row) >= 0), as records make(row, tag), stably by entity:
// bits [low, low + rest_bits) of key(record) below the partition. `start` holds, per row range of
// `bounds` (chunk-major), the number of kept rows in each partition.
//
// A global LSD radix sort would scatter every record over all of memory several times. Instead, one
// scatter of the frame's rows into partitions by the entity's top bits (few enough partitions for the
// write streams to stay in cache and TLB), then an LSD radix sort of each partition on the remaining
// bits, in cache. Threads take row ranges for the scatter (a range's rows go after earlier ranges'
// within a partition, as with one thread) and contiguous runs of partitions for the sorts, so the
// result does not depend on the number of threads.
template <typename R, typename TagOf, typename Make, typename Key>
Array<R> PartitionSort(const std::vector<size_t>& bounds, std::vector<size_t> start, size_t kept,
                       const Partitioning& parts, int low, int threads, const std::vector<int64_t>& entity,
                       TagOf tag_of, Make make, Key key) {
  const size_t partitions = parts.partitions;
  const size_t chunks = bounds.size() - 1;
  std::vector<size_t> partition_start(partitions + 1);
  size_t sum = 0;
  for (size_t p = 0; p < partitions; ++p) {
    partition_start[p] = sum;
    for (size_t c = 0; c < chunks; ++c) sum += std::exchange(start[c * partitions + p], sum);
  }
  partition_start[partitions] = sum;
  Array<R> records(kept);
  RunChunks(bounds, [&](size_t c, size_t begin, size_t end) {
    size_t* next = &start[c * partitions];
    for (size_t i = begin; i < end; ++i) {
      const int32_t tag = tag_of(i);
      if (tag >= 0) records[next[parts.Of(entity[i])]++] = make(i, tag);
    }
  });

  // Contiguous runs of partitions with about equal rows per thread.
  std::vector<size_t> partition_bounds(static_cast<size_t>(std::max(threads, 1)) + 1, partitions);
  partition_bounds[0] = 0;
  const std::vector<size_t> row_bounds = EvenBounds(kept, threads);
  for (size_t t = 1; t + 1 < partition_bounds.size(); ++t) {
    const size_t p = std::upper_bound(partition_start.begin(), partition_start.end(), row_bounds[t]) -
                     partition_start.begin() - 1;
    partition_bounds[t] = std::max(p, partition_bounds[t - 1]);
  }
  RunChunks(partition_bounds, [&](size_t, size_t first, size_t last) {
    size_t largest = 0;
    for (size_t p = first; p < last; ++p) largest = std::max(largest, partition_start[p + 1] - partition_start[p]);
    Array<R> scratch(largest);
    std::vector<size_t> counts;
    for (size_t p = first; p < last; ++p) {
      R* part = records.data() + partition_start[p];
      const size_t n = partition_start[p + 1] - partition_start[p];
      const R* sorted = RadixSort(part, scratch.data(), n, low, parts.rest_bits, key, counts);
      if (sorted != part) std::copy(sorted, sorted + n, part);
    }
  });
  return records;
}

struct ChunkScan {
  size_t kept = 0;
  GroupCounts counts;
  bool grouped = true;  // kept entities non-decreasing within the chunk
  int64_t first = 0;    // the first and last kept entity
  int64_t last = std::numeric_limits<int64_t>::min();
  int64_t bad_row = -1;
  int32_t bad_code = 0;
};

// GroupRows over codes stored as T (see CategoryCodes).
template <typename T>
absl::Status GroupRowsOf(const std::vector<int64_t>& entity, const std::vector<T>& codes,
                         const std::vector<int64_t>& at, const std::vector<int32_t>& tag_of_code,
                         std::string_view codes_name, int threads, GroupedRows& out, GroupCounts& counts) {
  const size_t rows = entity.size();
  const int32_t dictionary_size = static_cast<int32_t>(tag_of_code.size());
  const std::vector<size_t> bounds = EvenBounds(rows, threads);
  const size_t chunks = bounds.size() - 1;

  // The range of all entity ids (a loop that vectorises) fixes the packing and the partitions up
  // front, so that the validating pass below can count the partitions' rows as it goes.
  std::vector<std::pair<int64_t, int64_t>> ranges(chunks);
  RunChunks(bounds, [&](size_t c, size_t begin, size_t end) {
    int64_t lo = std::numeric_limits<int64_t>::max(), hi = std::numeric_limits<int64_t>::min();
    for (size_t i = begin; i < end; ++i) {
      lo = std::min(lo, entity[i]);
      hi = std::max(hi, entity[i]);
    }
    ranges[c] = {lo, hi};
  });
  int64_t min = std::numeric_limits<int64_t>::max(), max = std::numeric_limits<int64_t>::min();
  for (const auto& [lo, hi] : ranges) {
    min = std::min(min, lo);
    max = std::max(max, hi);
  }
  const int entity_bits = rows == 0 ? 0 : std::bit_width(static_cast<uint64_t>(max) - static_cast<uint64_t>(min));
  int32_t max_tag = 0;
  for (int32_t t : tag_of_code) max_tag = std::max(max_tag, t);
  const int tag_bits = std::bit_width(static_cast<uint64_t>(max_tag));
  Partitioning parts;
  parts.base = static_cast<uint64_t>(min);
  const int top_bits = std::min(entity_bits, std::clamp(static_cast<int>(std::bit_width(rows >> 16)), 1, 8));
  parts.rest_bits = entity_bits - top_bits;
  parts.partitions = size_t{1} << top_bits;

  // Validates codes, counts what is kept, checks whether kept rows are already grouped, and counts
  // each partition's kept rows. Branch-free where the data decides (kept or not, in order or not):
  // those branches would be mispredicted on unsorted frames.
  std::vector<ChunkScan> scans(chunks);
  std::vector<size_t> partition_counts(chunks * parts.partitions, 0);
  RunChunks(bounds, [&](size_t c, size_t begin, size_t end) {
    ChunkScan s;
    size_t* count = &partition_counts[c * parts.partitions];
    size_t kept = 0, missing_time = 0, untagged = 0;
    bool grouped = true;
    int64_t first = 0, last = std::numeric_limits<int64_t>::min();
    for (size_t i = begin; i < end; ++i) {
      const int32_t code = CategoryCodes::Decode(codes[i]);
      if (static_cast<uint32_t>(code) + 1u > static_cast<uint32_t>(dictionary_size)) {  // outside [-1, size)
        s.bad_row = static_cast<int64_t>(i);
        s.bad_code = code;
        break;
      }
      const bool timed = at[i] != kNullTime;
      const bool tagged = code != CategoryColumn::kNullCode && tag_of_code[code] >= 0;
      const bool keep = timed && tagged;
      missing_time += !timed;
      untagged += timed && !tagged;
      const int64_t e = entity[i];
      count[parts.Of(e)] += keep;
      first = kept == 0 && keep ? e : first;
      grouped = grouped && (!keep || e >= last);
      last = keep ? e : last;
      kept += keep;
    }
    s.kept = kept;
    s.counts.missing_time = static_cast<int64_t>(missing_time);
    s.counts.untagged = static_cast<int64_t>(untagged);
    s.grouped = grouped;
    s.first = first;
    s.last = last;
    scans[c] = s;
  });

  size_t kept = 0;
  bool grouped = true;
  int64_t last = std::numeric_limits<int64_t>::min();
  for (const ChunkScan& s : scans) {
    if (s.bad_row >= 0) {
      return absl::InvalidArgumentError(
          StrCat(codes_name, " code ", s.bad_code, " at row ", s.bad_row, " is not in the dictionary"));
    }
    counts.missing_time += s.counts.missing_time;
    counts.untagged += s.counts.untagged;
    if (s.kept == 0) continue;
    grouped = grouped && s.grouped && last <= s.first;
    last = s.last;
    kept += s.kept;
  }

  out.tag_bits = tag_bits;
  out.base = parts.base;
  out.ids.clear();
  // The row's tag, or -1 when the row is not kept.
  auto tag_of = [&](size_t row) {
    const int32_t code = CategoryCodes::Decode(codes[row]);
    return at[row] == kNullTime || code == CategoryColumn::kNullCode ? -1 : tag_of_code[code];
  };

  if (grouped) {
    out.frame_entity = entity.data();
    out.frame_codes = codes.data();
    out.frame_code_width = static_cast<int>(sizeof(T));
    out.frame_at = at.data();
    out.tag_of_code = tag_of_code.data();
    out.bounds = FrameBounds(entity, [&](size_t row) { return tag_of(row) >= 0; }, threads);
  } else if (entity_bits + tag_bits <= 64) {
    out.rows = PartitionSort<Row>(
        bounds, std::move(partition_counts), kept, parts, tag_bits, threads, entity, tag_of,
        [&](size_t row, int32_t tag) {
          return Row{(static_cast<uint64_t>(entity[row]) - parts.base) << tag_bits | static_cast<uint64_t>(tag),
                     at[row]};
        },
        [](const Row& r) { return r.key; });
    out.bounds = SortedBounds(out.rows, tag_bits, threads);
  } else {
    // Ids spread too wide to share a word with the tag: sort wide records, then number the entities
    // densely. Rare (ids spread over most of int64), so the numbering runs on one thread.
    const Array<WideRecord> sorted = PartitionSort<WideRecord>(
        bounds, std::move(partition_counts), kept, parts, 0, threads, entity, tag_of,
        [&](size_t row, int32_t tag) {
          return WideRecord{static_cast<uint64_t>(entity[row]) - parts.base, at[row], tag};
        },
        [](const WideRecord& r) { return r.entity; });
    out.rows = Array<Row>(kept);
    for (size_t i = 0; i < kept; ++i) {
      const int64_t id = static_cast<int64_t>(parts.base + sorted[i].entity);
      if (out.ids.empty() || out.ids.back() != id) out.ids.push_back(id);
      out.rows[i] = Row{static_cast<uint64_t>(out.ids.size() - 1) << tag_bits | static_cast<uint64_t>(sorted[i].tag),
                        sorted[i].at};
    }
    out.bounds = SortedBounds(out.rows, tag_bits, threads);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status GroupRows(const std::vector<int64_t>& entity, const CategoryCodes& codes,
                       const std::vector<int64_t>& at, const std::vector<int32_t>& tag_of_code,
                       std::string_view codes_name, int threads, GroupedRows& out, GroupCounts& counts) {
  return codes.Visit([&](const auto& stored) {
    return GroupRowsOf(entity, stored, at, tag_of_code, codes_name, threads, out, counts);
  });
}

void SegmentSorter::Sort(Row* rows, size_t n) {
  if (n <= 8) {
    // A bubble-sort network of compare-exchanges without branches: unsorted few-row entities are the
    // common case, and a data-dependent branch per comparison would be mispredicted half the time.
    // Adjacent strict exchanges keep it stable.
    for (size_t pass = 1; pass < n; ++pass) {
      for (size_t j = 0; j + pass < n; ++j) {
        const Row a = rows[j], b = rows[j + 1];
        const bool swap = b.at < a.at;
        rows[j] = swap ? b : a;
        rows[j + 1] = swap ? a : b;
      }
    }
    return;
  }
  size_t i = 1;
  while (i < n && rows[i - 1].at <= rows[i].at) ++i;
  if (i >= n) return;
  if (n <= 32) {
    for (; i < n; ++i) {
      const Row r = rows[i];
      size_t j = i;
      for (; j > 0 && rows[j - 1].at > r.at; --j) rows[j] = rows[j - 1];
      rows[j] = r;
    }
    return;
  }
  keys_.resize(n);
  copy_.assign(rows, rows + n);
  for (size_t k = 0; k < n; ++k) keys_[k] = {rows[k].at, static_cast<uint32_t>(k)};
  std::sort(keys_.begin(), keys_.end());  // (time, position): stable without a stable sort's buffer
  for (size_t k = 0; k < n; ++k) rows[k] = copy_[keys_[k].second];
}

namespace {

// numpy's default quantile: position p * (n - 1) between the closest ranks. nth_element keeps it O(n).
double Quantile(std::vector<int64_t>& v, double p) {
  const double h = p * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(h));
  std::nth_element(v.begin(), v.begin() + lo, v.end());
  const double a = static_cast<double>(v[lo]);
  const double frac = h - static_cast<double>(lo);
  if (frac == 0 || lo + 1 >= v.size()) return a;
  const double b = static_cast<double>(*std::min_element(v.begin() + lo + 1, v.end()));
  return a + frac * (b - a);
}

}  // namespace

DurationSummary Summarize(std::vector<int64_t>& micros, double micros_per_unit) {
  DurationSummary s;
  s.count = static_cast<int64_t>(micros.size());
  if (micros.empty()) return s;
  // 128 bits: ten million durations of a month in microseconds overflow 64. Integer sums also keep
  // the mean independent of how work was split over threads.
  __int128 sum = 0;
  for (int64_t m : micros) sum += m;
  s.mean = static_cast<double>(sum) / static_cast<double>(micros.size()) / micros_per_unit;
  s.median = Quantile(micros, 0.5) / micros_per_unit;
  s.p90 = Quantile(micros, 0.9) / micros_per_unit;
  return s;
}

double Ratio(int64_t a, int64_t b) {
  return b == 0 ? std::numeric_limits<double>::quiet_NaN() : static_cast<double>(a) / static_cast<double>(b);
}

}  // namespace rapport::funnel_internal
