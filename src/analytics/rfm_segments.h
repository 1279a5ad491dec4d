// RFM options checked and turned into a lookup table from the (R, F) cell to a segment code.
#ifndef RAPPORT_ANALYTICS_RFM_SEGMENTS_H_
#define RAPPORT_ANALYTICS_RFM_SEGMENTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "rapport/rfm.h"

namespace rapport::internal {

struct RfmPlan {
  int bins = 5;
  std::vector<std::string> names;
  std::vector<int16_t> cell_segment;  // bins x bins, row-major by R; -1 where no rule matches

  int16_t SegmentOf(int r, int f) const { return cell_segment[(r - 1) * bins + (f - 1)]; }
};

// InvalidArgument naming the first bad option (bins, a rule's bounds or name, threads).
absl::StatusOr<RfmPlan> PlanRfm(const RfmOptions& options);

}  // namespace rapport::internal

#endif  // RAPPORT_ANALYTICS_RFM_SEGMENTS_H_
