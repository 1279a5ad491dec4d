// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast, well-mixed 64-bit generator with a fixed output
// sequence per seed on every platform, for deterministic synthetic data (the demo, benchmarks).
// Not thread-safe; copyable.
#ifndef RAPPORT_BASE_SPLITMIX64_H_
#define RAPPORT_BASE_SPLITMIX64_H_

#include <cstdint>
#include <vector>

namespace rapport {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n) for n > 0: rejection at the top of the range keeps it unbiased.
  uint64_t Below(uint64_t n) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do {
      x = Next();
    } while (x >= limit);
    return x % n;
  }
  // Uniform in [lo, hi] (inclusive), lo <= hi.
  int64_t Range(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1)); }
  // Uniform in [0, 1), 53 bits.
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[Below(items.size())];
  }

 private:
  uint64_t state_;
};

}  // namespace rapport

#endif  // RAPPORT_BASE_SPLITMIX64_H_
