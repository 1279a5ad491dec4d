// The lifecycle policy as pure logic: model shape checks, which moves a model allows, and which stage
// an evaluation picks. No store, no frames: the facade feeds it the conditions that hold.
#ifndef RAPPORT_RULES_LIFECYCLE_POLICY_H_
#define RAPPORT_RULES_LIFECYCLE_POLICY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "rapport/lifecycle.h"

namespace rapport::internal {

inline constexpr size_t kMaxLifecycleStages = 64;

// Events that caused an evaluation of a customer (bits).
enum EvaluationCause : uint8_t {
  kCauseNone = 0,
  kCauseOrder = 1,
  kCauseActivity = 2,
};

// Checks everything that needs no database: the name, stage names (non-empty, distinct, valid UTF-8),
// transitions naming known stages, attachment kinds. Conditions are only checked for UTF-8 here.
absl::Status CheckModelShape(const LifecycleModel& model);

// The stage's index in the model, or -1.
int StageIndex(const LifecycleModel& model, std::string_view stage);

// Whether the policy lets an automatic evaluation (or a rule) move a customer from stage `from`
// (-1: no stage yet) to `to`: forward always, backward only by a transition whose trigger is kAny or
// among `causes`.
bool MoveAllowed(const LifecycleModel& model, int from, int to, uint8_t causes);

// Whether a transition from `from` to `to` fires on one of `causes` (order/activity triggers only).
bool TransitionFires(const LifecycleModel& model, int from, int to, uint8_t causes);

// The stage an evaluation moves the customer to, or -1 for none. `holds[i]` says whether stage i's
// condition holds (false for stages without one). With no current stage (-1): the last stage whose
// condition holds, else the entry stage (0). Otherwise: the last stage other than the current one
// that the policy allows from it and whose condition holds — or, for a stage without a condition,
// that an order/activity transition from the current stage fires into.
int ChooseStage(const LifecycleModel& model, int current, const std::vector<bool>& holds, uint8_t causes);

// "forward only" or the transitions out of `from`, for error messages.
std::string DescribeAllowed(const LifecycleModel& model, int from);

}  // namespace rapport::internal

#endif  // RAPPORT_RULES_LIFECYCLE_POLICY_H_
