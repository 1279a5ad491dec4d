#include "analytics/rfm_segments.h"

#include <limits>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "analytics/rfm_order_scan.h"
#include "base/status_macros.h"
#include "base/strings.h"

namespace rapport {

const std::vector<RfmSegmentRule>& ClassicRfmSegments() {
  static const auto* const kRules = new std::vector<RfmSegmentRule>{
      {"Champions", 5, 5, 4, 5},
      {"Loyal", 3, 4, 4, 5},
      {"Potential loyalists", 4, 5, 2, 3},
      {"New", 5, 5, 1, 1},
      {"Promising", 4, 4, 1, 1},
      {"Need attention", 3, 3, 3, 3},
      {"About to sleep", 3, 3, 1, 2},
      {"At risk", 1, 2, 3, 4},
      {"Can't lose", 1, 2, 5, 5},
      {"Hibernating", 1, 2, 1, 2},
  };
  return *kRules;
}

namespace internal {
namespace {

absl::Status CheckBound(size_t rule, std::string_view field, int value, int bins) {
  if (value < 1 || value > bins) {
    return absl::InvalidArgumentError(AsAbsl(
        StrCat("segments[", rule, "].", field, ": must be between 1 and bins (", bins, "), got ", value)));
  }
  return absl::OkStatus();
}

absl::Status CheckRange(size_t rule, std::string_view axis, int min, int max, int bins) {
  RETURN_IF_ERROR(CheckBound(rule, StrCat(axis, "_min"), min, bins));
  RETURN_IF_ERROR(CheckBound(rule, StrCat(axis, "_max"), max, bins));
  if (min > max) {
    return absl::InvalidArgumentError(
        AsAbsl(StrCat("segments[", rule, "].", axis, "_min: must not exceed ", axis, "_max (", max, "), got ", min)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RfmPlan> PlanRfm(const RfmOptions& options) {
  RETURN_IF_ERROR(CheckThreads(options.threads));
  const int bins = options.bins;
  if (bins < 2 || bins > 10) {
    return absl::InvalidArgumentError(AsAbsl(StrCat("bins: must be between 2 and 10, got ", bins)));
  }
  static const std::vector<RfmSegmentRule> kNone;
  const std::vector<RfmSegmentRule>& rules =
      options.segments ? *options.segments : (bins == 5 ? ClassicRfmSegments() : kNone);
  if (rules.size() > static_cast<size_t>(std::numeric_limits<int16_t>::max())) {
    return absl::InvalidArgumentError(AsAbsl(StrCat("segments: at most 32767 rules, got ", rules.size())));
  }
  RfmPlan plan;
  plan.bins = bins;
  plan.cell_segment.assign(static_cast<size_t>(bins * bins), -1);
  absl::flat_hash_map<std::string, size_t> seen;
  for (size_t i = 0; i < rules.size(); ++i) {
    const RfmSegmentRule& rule = rules[i];
    if (rule.name.empty()) return absl::InvalidArgumentError(AsAbsl(StrCat("segments[", i, "].name: must not be empty")));
    if (auto [it, added] = seen.emplace(rule.name, i); !added) {
      return absl::InvalidArgumentError(AsAbsl(
          StrCat("segments[", i, "].name: \"", rule.name, "\" is already the name of segments[", it->second, "]")));
    }
    RETURN_IF_ERROR(CheckRange(i, "r", rule.r_min, rule.r_max, bins));
    RETURN_IF_ERROR(CheckRange(i, "f", rule.f_min, rule.f_max, bins));
    plan.names.push_back(rule.name);
    for (int r = rule.r_min; r <= rule.r_max; ++r) {
      for (int f = rule.f_min; f <= rule.f_max; ++f) {
        int16_t& cell = plan.cell_segment[(r - 1) * bins + (f - 1)];
        if (cell < 0) cell = static_cast<int16_t>(i);  // the first matching rule wins
      }
    }
  }
  return plan;
}

}  // namespace internal
}  // namespace rapport
