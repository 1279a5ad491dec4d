// Time source injected into a Database, so that everything that needs "now" is deterministic in tests
// and replays.
#ifndef RAPPORT_CLOCK_H_
#define RAPPORT_CLOCK_H_

#include <atomic>
#include <cstdint>
#include <memory>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace rapport {

// A source of the current instant. Implementations must be thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// Wall-clock time.
class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

// A clock that only moves when told to; for tests and replays. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(absl::Time start = absl::UnixEpoch())
      : micros_(absl::ToUnixMicros(start)) {}
  absl::Time Now() const override { return absl::FromUnixMicros(micros_.load()); }
  void Set(absl::Time t) { micros_.store(absl::ToUnixMicros(t)); }
  void Advance(absl::Duration d) { micros_.fetch_add(absl::ToInt64Microseconds(d)); }

 private:
  std::atomic<int64_t> micros_;
};

}  // namespace rapport

#endif  // RAPPORT_CLOCK_H_
