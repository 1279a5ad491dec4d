// Lifecycle models: ordered stages a customer moves through (prospect, new, active, at risk,
// dormant, churned, won back, ...), entry conditions in the segment language, a policy saying which
// moves are allowed, and the stage history every move leaves. docs/lifecycle.md is the reference.
#ifndef RAPPORT_LIFECYCLE_H_
#define RAPPORT_LIFECYCLE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "rapport/customer.h"
#include "rapport/types.h"

namespace rapport {

// What a stage means, for reports and plots; the name is the user's.
enum class StageKind {
  kProspect = 0,
  kNew = 1,
  kActive = 2,
  kAtRisk = 3,
  kDormant = 4,
  kChurned = 5,
  kWonBack = 6,
  kOther = 7,
};

struct LifecycleStage {
  std::string name;  // unique in the model; stored in customers.lifecycle_stage
  StageKind kind = StageKind::kOther;
  // A segment expression (docs/segments.md): the customer qualifies for the stage while it holds.
  // Empty: the stage is never entered by a condition (only as the entry stage, by an allowed
  // transition's trigger, or by a manual or rule move).
  std::string condition;
};

// What makes an evaluation happen, for transitions that are only allowed on an event.
enum class TransitionTrigger {
  kAny = 0,       // any evaluation (after commit, EvaluateLifecycle, a rule's move)
  kOrder = 1,     // only an evaluation caused by a new order of the customer
  kActivity = 2,  // only an evaluation caused by a new activity of the customer
};

// A move the forward-only policy would refuse (a backward one), allowed explicitly. When `to` has no
// condition, the trigger itself is the entry condition (e.g. dormant -> won_back on an order).
struct LifecycleTransition {
  std::vector<std::string> from;
  std::string to;
  TransitionTrigger on = TransitionTrigger::kAny;
};

// Which customers the model governs. Among the models that match a customer, the one with the
// highest precedence governs it; two models that may match the same customer (overlapping kinds)
// must have different precedences.
struct LifecycleAttachment {
  std::vector<CustomerKind> kinds;  // empty: customers of every kind
  std::string segment;              // a saved segment's name: only its current members; empty: all
  int precedence = 0;
};

struct LifecycleModel {
  std::string name;                  // unique; up to 100 characters
  std::vector<LifecycleStage> stages;  // in lifecycle order; the first is the entry stage
  // The policy: moves go forward (to a later stage) only, plus these.
  std::vector<LifecycleTransition> transitions;
  LifecycleAttachment attachment;
  std::string description;
  // Set by the database.
  absl::Time created_at;
  absl::Time updated_at;
};

// The model that ships: prospect -> new -> active -> won_back -> at_risk -> dormant -> churned, with
// dormant/churned -> won_back on an order and at_risk/won_back -> active on an order
// (docs/lifecycle.md).
LifecycleModel DefaultLifecycleModel();

// The JSON form every face uses (docs/lifecycle.md). FromJson errors name the JSON path
// ("stages[1].kind: ..."); it does not check conditions against a database (SaveLifecycleModel does).
std::string LifecycleModelToJson(const LifecycleModel& model);
absl::StatusOr<LifecycleModel> LifecycleModelFromJson(std::string_view json);

enum class StageMoveSource { kAuto = 0, kManual = 1, kRule = 2 };

struct StageMoveRequest {
  std::string reason;  // required for manual moves
  StageMoveSource source = StageMoveSource::kManual;
  std::string rule;  // the automation rule's name for kRule
};

// One move, as recorded in the stage history.
struct StageMove {
  CustomerId customer{0};
  std::string model;
  std::optional<std::string> from;  // none: the customer's first stage under a model
  std::string to;
  absl::Time at;
  StageMoveSource source = StageMoveSource::kAuto;
  std::string reason;
  std::string rule;
};

// A customer's stage history entry with how long the customer stayed (until the next move or now).
struct StageHistoryEntry {
  StageMove move;
  absl::Duration time_in_stage;
  bool current = false;  // the last move: the customer is still in this stage
};

struct StageCount {
  std::string model;
  std::string stage;
  int64_t customers = 0;
};

// What EvaluateLifecycle did.
struct LifecycleReport {
  absl::Time as_of;
  int64_t evaluated = 0;               // governed customers looked at
  std::vector<StageMove> moves;        // in customer order
  std::vector<StageCount> stages;      // governed customers per model and stage after the moves
};

// A customer's stage at an instant.
struct CustomerStage {
  CustomerId customer{0};
  std::string model;
  std::string stage;
  absl::Time since;
};

enum class DistributionStep { kDay = 0, kWeek = 1, kMonth = 2 };

// Customers per stage per period: counts[s][p] is how many customers were in stages[s] at the end of
// period p (the stage as of just before periods[p + 1], or `end` for the last).
struct StageDistributionTable {
  std::vector<absl::Time> periods;  // period starts: local midnight, Monday, the 1st, in the zone
  std::vector<std::string> stages;  // in the order of the models' stages, then others by name
  std::vector<std::vector<int64_t>> counts;
};

std::string_view ToString(StageKind kind);
std::string_view ToString(TransitionTrigger trigger);
std::string_view ToString(StageMoveSource source);
std::string_view ToString(DistributionStep step);

}  // namespace rapport

#endif  // RAPPORT_LIFECYCLE_H_
