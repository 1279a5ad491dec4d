#include "analytics/funnel_common.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

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

std::vector<size_t> EntityBounds(const std::vector<int64_t>& entity, int threads) {
  std::vector<size_t> bounds = EvenBounds(entity.size(), threads);
  for (size_t c = 1; c + 1 < bounds.size(); ++c) {
    size_t b = std::max(bounds[c], bounds[c - 1]);
    while (b > 0 && b < entity.size() && entity[b] == entity[b - 1]) ++b;
    bounds[c] = b;
  }
  return bounds;
}

namespace {

struct ChunkScan {
  size_t kept = 0;
  GroupCounts counts;
  bool grouped = true;  // kept entities non-decreasing within the chunk
  int64_t first = 0, last = 0, min = 0, max = 0;
  int64_t bad_row = -1;
  int32_t bad_code = 0;
};

// Stable LSD radix sort of `keys` by their bits [low, low + bits), in passes of at most 11 bits so
// that a pass's counts stay in L1.
void RadixSort(std::vector<uint64_t>& keys, int low, int bits) {
  if (bits <= 0 || keys.size() < 2) return;
  const int passes = (bits + 10) / 11;
  const int digit = (bits + passes - 1) / passes;
  const uint64_t mask = (uint64_t{1} << digit) - 1;
  std::vector<uint64_t> buffer(keys.size());
  std::vector<size_t> start(size_t{1} << digit);
  for (int pass = 0; pass < passes; ++pass) {
    const int shift = low + pass * digit;
    std::fill(start.begin(), start.end(), 0);
    for (uint64_t k : keys) ++start[(k >> shift) & mask];
    size_t sum = 0;
    for (size_t& s : start) {
      const size_t c = s;
      s = sum;
      sum += c;
    }
    for (uint64_t k : keys) buffer[start[(k >> shift) & mask]++] = k;
    keys.swap(buffer);
  }
}

}  // namespace

absl::Status GroupRows(const std::vector<int64_t>& entity, const std::vector<int32_t>& codes,
                       const std::vector<int64_t>& at, const std::vector<int32_t>& tag_of_code,
                       std::string_view codes_name, int threads, GroupedRows& out, GroupCounts& counts) {
  const size_t rows = entity.size();
  const int32_t dictionary_size = static_cast<int32_t>(tag_of_code.size());
  const std::vector<size_t> bounds = EvenBounds(rows, threads);
  const size_t chunks = bounds.size() - 1;

  // Pass 1: what is kept, whether it is already grouped, and the entity range for the radix sort.
  std::vector<ChunkScan> scans(chunks);
  RunChunks(bounds, [&](size_t c, size_t begin, size_t end) {
    ChunkScan& s = scans[c];
    for (size_t i = begin; i < end; ++i) {
      const int32_t code = codes[i];
      if (code < CategoryColumn::kNullCode || code >= dictionary_size) {
        s.bad_row = static_cast<int64_t>(i);
        s.bad_code = code;
        return;
      }
      if (at[i] == kNullTime) {
        ++s.counts.missing_time;
        continue;
      }
      if (code == CategoryColumn::kNullCode || tag_of_code[code] < 0) {
        ++s.counts.untagged;
        continue;
      }
      const int64_t e = entity[i];
      if (s.kept == 0) {
        s.first = s.min = s.max = e;
      } else {
        if (e < s.last) s.grouped = false;
        s.min = std::min(s.min, e);
        s.max = std::max(s.max, e);
      }
      s.last = e;
      ++s.kept;
    }
  });

  size_t kept = 0;
  bool grouped = true;
  bool any = false;
  int64_t last = 0, min = 0, max = 0;
  std::vector<size_t> offsets(chunks + 1, 0);
  for (size_t c = 0; c < chunks; ++c) {
    const ChunkScan& s = scans[c];
    if (s.bad_row >= 0) {
      return absl::InvalidArgumentError(
          StrCat(codes_name, " code ", s.bad_code, " at row ", s.bad_row, " is not in the dictionary"));
    }
    counts.missing_time += s.counts.missing_time;
    counts.untagged += s.counts.untagged;
    offsets[c + 1] = offsets[c] + s.kept;
    if (s.kept == 0) continue;
    grouped = grouped && s.grouped && (!any || last <= s.first);
    min = any ? std::min(min, s.min) : s.min;
    max = any ? std::max(max, s.max) : s.max;
    last = s.last;
    any = true;
    kept += s.kept;
  }

  out.entity.resize(kept);
  out.at.resize(kept);
  out.tag.resize(kept);
  auto keep = [&](size_t row) {
    return at[row] != kNullTime && codes[row] != CategoryColumn::kNullCode && tag_of_code[codes[row]] >= 0;
  };
  if (grouped) {
    RunChunks(bounds, [&](size_t c, size_t begin, size_t end) {
      size_t o = offsets[c];
      for (size_t i = begin; i < end; ++i) {
        if (!keep(i)) continue;
        out.entity[o] = entity[i];
        out.at[o] = at[i];
        out.tag[o] = tag_of_code[codes[i]];
        ++o;
      }
    });
    return absl::OkStatus();
  }

  // Sort (entity offset, row) packed in one word by the entity bits only: the radix sort is stable and
  // rows enter in frame order, so an entity's rows stay in frame order.
  const int row_bits = std::bit_width(static_cast<uint64_t>(rows - 1));
  const int entity_bits = std::bit_width(static_cast<uint64_t>(max) - static_cast<uint64_t>(min));
  const bool packed = row_bits + entity_bits <= 64;
  std::vector<uint64_t> keys(kept);
  RunChunks(bounds, [&](size_t c, size_t begin, size_t end) {
    size_t o = offsets[c];
    for (size_t i = begin; i < end; ++i) {
      if (!keep(i)) continue;
      keys[o++] = packed ? (static_cast<uint64_t>(entity[i]) - static_cast<uint64_t>(min)) << row_bits | i : i;
    }
  });
  uint64_t row_mask = std::numeric_limits<uint64_t>::max();
  if (packed) {
    RadixSort(keys, row_bits, entity_bits);
    if (row_bits < 64) row_mask = (uint64_t{1} << row_bits) - 1;
  } else {
    // Entity ids spread over more than 64 bits with the row number: rare, a comparison sort will do.
    std::sort(keys.begin(), keys.end(),
              [&](uint64_t a, uint64_t b) { return entity[a] != entity[b] ? entity[a] < entity[b] : a < b; });
  }
  RunChunks(EvenBounds(kept, threads), [&](size_t, size_t begin, size_t end) {
    for (size_t o = begin; o < end; ++o) {
      const size_t row = keys[o] & row_mask;
      out.entity[o] = entity[row];
      out.at[o] = at[row];
      out.tag[o] = tag_of_code[codes[row]];
    }
  });
  return absl::OkStatus();
}

void SegmentSorter::Sort(int64_t* at, int32_t* tag, size_t n) {
  size_t i = 1;
  while (i < n && at[i - 1] <= at[i]) ++i;
  if (i >= n) return;
  if (n <= 32) {
    for (; i < n; ++i) {
      const int64_t a = at[i];
      const int32_t t = tag[i];
      size_t j = i;
      for (; j > 0 && at[j - 1] > a; --j) {
        at[j] = at[j - 1];
        tag[j] = tag[j - 1];
      }
      at[j] = a;
      tag[j] = t;
    }
    return;
  }
  keys_.resize(n);
  tags_.assign(tag, tag + n);
  for (size_t k = 0; k < n; ++k) keys_[k] = {at[k], static_cast<uint32_t>(k)};
  std::sort(keys_.begin(), keys_.end());  // (time, position): stable without a stable sort's buffer
  for (size_t k = 0; k < n; ++k) {
    at[k] = keys_[k].first;
    tag[k] = tags_[keys_[k].second];
  }
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
