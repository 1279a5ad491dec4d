// Helpers shared by the benchmark executables: a deterministic PRNG, temporary database files,
// latency percentiles, and the benchmark size taken from the environment.
#ifndef RAPPORT_BENCHMARKS_BENCH_UTIL_H_
#define RAPPORT_BENCHMARKS_BENCH_UTIL_H_

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "base/splitmix64.h"

namespace rapport::bench {

using rapport::SplitMix64;

// A positive integer from the environment, or `fallback`.
inline int64_t EnvInt(const char* name, int64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  long long x = std::strtoll(v, &end, 10);
  if (end == v || *end != '\0' || x <= 0) {
    std::fprintf(stderr, "ignoring %s=%s (not a positive integer)\n", name, v);
    return fallback;
  }
  return x;
}

// A fresh path in $TMPDIR (or /tmp) that no other run uses; the file itself is not created.
inline std::string TempDbPath(const std::string& tag) {
  static std::atomic<int> counter{0};
  const char* dir = std::getenv("TMPDIR");
  std::filesystem::path base = (dir != nullptr && *dir != '\0') ? std::filesystem::path(dir) : std::filesystem::path("/tmp");
  return (base / ("rapport_bench_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + ".db"))
      .string();
}

// Removes a SQLite database and its WAL and shared-memory files.
inline void RemoveDb(const std::string& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path + suffix, ec);
}

inline double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The q-quantile (0..1, nearest rank) of `samples`; sorts them.
inline double Percentile(std::vector<double>& samples, double q) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  size_t rank = static_cast<size_t>(q * static_cast<double>(samples.size()));
  if (rank >= samples.size()) rank = samples.size() - 1;
  return samples[rank];
}

}  // namespace rapport::bench

#endif  // RAPPORT_BENCHMARKS_BENCH_UTIL_H_
