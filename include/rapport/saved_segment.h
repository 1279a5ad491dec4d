// Saved segments: named dynamic segments (an expression, materialised on refresh), static lists and
// suppression lists (explicit members), with membership history.
#ifndef RAPPORT_SAVED_SEGMENT_H_
#define RAPPORT_SAVED_SEGMENT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "rapport/frame_options.h"
#include "rapport/types.h"

namespace rapport {

enum class SegmentKind {
  kDynamic = 0,      // members are the customers its expression selects at the last refresh
  kStatic = 1,       // members are added and removed explicitly
  kSuppression = 2,  // a static list whose members no dynamic segment contains
};

struct SegmentDef {
  std::string name;  // unique; any text up to 100 characters
  SegmentKind kind = SegmentKind::kDynamic;
  std::string expression;  // dynamic segments only: the segment language's text form
  std::string description;
  // Dynamic segments: the orders their order metrics count, used by every refresh (statuses are
  // stored as given; an empty currency means the one currency the orders use at refresh time).
  // Lists keep the default.
  FrameOptions frame;
};

struct SavedSegment {
  int64_t id = 0;
  std::string name;
  SegmentKind kind = SegmentKind::kDynamic;
  std::string expression;  // canonical text form
  std::string description;
  FrameOptions frame;
  absl::Time created_at;
  absl::Time updated_at;
  std::optional<absl::Time> refreshed_at;  // dynamic: as_of of the last refresh
  std::optional<absl::Time> history_from;  // membership as of earlier times is unknown
  int64_t members = 0;                     // current
};

// What a refresh changed. Also appended to the change feed (entity "segment", op "refresh").
struct SegmentDelta {
  std::string name;
  absl::Time as_of;
  std::vector<CustomerId> entered;
  std::vector<CustomerId> left;
  int64_t members = 0;
};

std::string_view ToString(SegmentKind kind);

}  // namespace rapport

#endif  // RAPPORT_SAVED_SEGMENT_H_
