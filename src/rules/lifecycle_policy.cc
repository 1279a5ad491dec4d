#include "rules/lifecycle_policy.h"

#include <algorithm>

#include "base/status_macros.h"
#include "base/strings.h"
#include "base/text.h"

namespace rapport {

std::string_view ToString(StageKind kind) {
  switch (kind) {
    case StageKind::kProspect: return "prospect";
    case StageKind::kNew: return "new";
    case StageKind::kActive: return "active";
    case StageKind::kAtRisk: return "at_risk";
    case StageKind::kDormant: return "dormant";
    case StageKind::kChurned: return "churned";
    case StageKind::kWonBack: return "won_back";
    case StageKind::kOther: return "other";
  }
  return "?";
}

std::string_view ToString(TransitionTrigger trigger) {
  switch (trigger) {
    case TransitionTrigger::kAny: return "any";
    case TransitionTrigger::kOrder: return "order";
    case TransitionTrigger::kActivity: return "activity";
  }
  return "?";
}

std::string_view ToString(StageMoveSource source) {
  switch (source) {
    case StageMoveSource::kAuto: return "auto";
    case StageMoveSource::kManual: return "manual";
    case StageMoveSource::kRule: return "rule";
  }
  return "?";
}

std::string_view ToString(DistributionStep step) {
  switch (step) {
    case DistributionStep::kDay: return "day";
    case DistributionStep::kWeek: return "week";
    case DistributionStep::kMonth: return "month";
  }
  return "?";
}

LifecycleModel DefaultLifecycleModel() {
  LifecycleModel m;
  m.name = "default";
  m.description = "Customers by their orders: prospect, new, active, won back, at risk, dormant, churned.";
  m.stages = {
      {"prospect", StageKind::kProspect, ""},
      {"new", StageKind::kNew, "frequency >= 1"},
      {"active", StageKind::kActive, "frequency >= 2 and recency_days <= 2 * mean_interpurchase_days"},
      {"won_back", StageKind::kWonBack, ""},
      {"at_risk", StageKind::kAtRisk,
       "recency_days > 90 or (frequency >= 2 and recency_days > 2 * mean_interpurchase_days)"},
      {"dormant", StageKind::kDormant, "recency_days > 180"},
      {"churned", StageKind::kChurned, "recency_days > 365"},
  };
  m.transitions = {
      {{"dormant", "churned"}, "won_back", TransitionTrigger::kOrder},
      {{"at_risk", "won_back"}, "active", TransitionTrigger::kOrder},
  };
  return m;
}

namespace internal {
namespace {

constexpr size_t kMaxNameChars = 100;

absl::Status CheckName(const std::string& field, std::string_view name) {
  RETURN_IF_ERROR(CheckUtf8(field, name));
  if (StripWhitespace(name).empty()) return absl::InvalidArgumentError(StrCat(field, ": must not be empty"));
  if (CodePointCount(name) > kMaxNameChars) {
    return absl::InvalidArgumentError(StrCat(field, ": longer than ", kMaxNameChars, " characters"));
  }
  return absl::OkStatus();
}

bool Fires(TransitionTrigger on, uint8_t causes) {
  return (on == TransitionTrigger::kOrder && (causes & kCauseOrder)) ||
         (on == TransitionTrigger::kActivity && (causes & kCauseActivity));
}

bool Lists(const LifecycleTransition& t, const LifecycleModel& m, int from, int to) {
  if (t.to != m.stages[to].name) return false;
  return std::find(t.from.begin(), t.from.end(), m.stages[from].name) != t.from.end();
}

}  // namespace

absl::Status CheckModelShape(const LifecycleModel& m) {
  RETURN_IF_ERROR(CheckName("name", m.name));
  RETURN_IF_ERROR(CheckUtf8("description", m.description));
  if (m.stages.empty()) return absl::InvalidArgumentError("stages: a model needs at least one stage");
  if (m.stages.size() > kMaxLifecycleStages) {
    return absl::InvalidArgumentError(StrCat("stages: more than ", kMaxLifecycleStages, " stages"));
  }
  for (size_t i = 0; i < m.stages.size(); ++i) {
    const LifecycleStage& s = m.stages[i];
    const std::string at = StrCat("stages[", i, "]");
    RETURN_IF_ERROR(CheckName(at + ".name", s.name));
    if (s.name != StripWhitespace(s.name)) {
      return absl::InvalidArgumentError(StrCat(at, ".name: must not start or end with white space"));
    }
    for (size_t j = 0; j < i; ++j) {
      if (m.stages[j].name == s.name) {
        return absl::InvalidArgumentError(StrCat(at, ".name: duplicate stage \"", s.name, "\" (also stages[", j, "])"));
      }
    }
    if (static_cast<int>(s.kind) < 0 || static_cast<int>(s.kind) > static_cast<int>(StageKind::kOther)) {
      return absl::InvalidArgumentError(StrCat(at, ".kind: not a stage kind"));
    }
    RETURN_IF_ERROR(CheckUtf8(at + ".condition", s.condition));
  }
  for (size_t i = 0; i < m.transitions.size(); ++i) {
    const LifecycleTransition& t = m.transitions[i];
    const std::string at = StrCat("transitions[", i, "]");
    if (t.from.empty()) return absl::InvalidArgumentError(StrCat(at, ".from: must name at least one stage"));
    for (size_t k = 0; k < t.from.size(); ++k) {
      if (StageIndex(m, t.from[k]) < 0) {
        return absl::InvalidArgumentError(StrCat(at, ".from[", k, "]: unknown stage \"", t.from[k], "\""));
      }
      if (t.from[k] == t.to) {
        return absl::InvalidArgumentError(StrCat(at, ".from[", k, "]: a transition from \"", t.to, "\" to itself"));
      }
    }
    if (StageIndex(m, t.to) < 0) return absl::InvalidArgumentError(StrCat(at, ".to: unknown stage \"", t.to, "\""));
    if (static_cast<int>(t.on) < 0 || static_cast<int>(t.on) > static_cast<int>(TransitionTrigger::kActivity)) {
      return absl::InvalidArgumentError(StrCat(at, ".on: not a trigger"));
    }
  }
  const LifecycleAttachment& a = m.attachment;
  for (size_t k = 0; k < a.kinds.size(); ++k) {
    if (a.kinds[k] != CustomerKind::kPerson && a.kinds[k] != CustomerKind::kOrganization) {
      return absl::InvalidArgumentError(StrCat("attachment.kinds[", k, "]: not a customer kind"));
    }
  }
  RETURN_IF_ERROR(CheckUtf8("attachment.segment", a.segment));
  return absl::OkStatus();
}

int StageIndex(const LifecycleModel& m, std::string_view stage) {
  for (size_t i = 0; i < m.stages.size(); ++i)
    if (m.stages[i].name == stage) return static_cast<int>(i);
  return -1;
}

bool MoveAllowed(const LifecycleModel& m, int from, int to, uint8_t causes) {
  if (from < 0 || to > from) return true;
  if (to == from) return false;
  for (const LifecycleTransition& t : m.transitions) {
    if (!Lists(t, m, from, to)) continue;
    if (t.on == TransitionTrigger::kAny || Fires(t.on, causes)) return true;
  }
  return false;
}

bool TransitionFires(const LifecycleModel& m, int from, int to, uint8_t causes) {
  if (from < 0) return false;
  for (const LifecycleTransition& t : m.transitions)
    if (Lists(t, m, from, to) && Fires(t.on, causes)) return true;
  return false;
}

int ChooseStage(const LifecycleModel& m, int current, const std::vector<bool>& holds, uint8_t causes) {
  const int n = static_cast<int>(m.stages.size());
  if (current < 0) {
    for (int i = n - 1; i >= 0; --i)
      if (holds[i]) return i;
    return 0;
  }
  for (int i = n - 1; i >= 0; --i) {
    if (i == current) continue;
    if (m.stages[i].condition.empty()) {
      if (TransitionFires(m, current, i, causes)) return i;
      continue;
    }
    if (holds[i] && MoveAllowed(m, current, i, causes)) return i;
  }
  return -1;
}

std::string DescribeAllowed(const LifecycleModel& m, int from) {
  std::string out = "forward only";
  if (from < 0) return out;
  for (const LifecycleTransition& t : m.transitions) {
    if (std::find(t.from.begin(), t.from.end(), m.stages[from].name) == t.from.end()) continue;
    out += StrCat("; \"", m.stages[from].name, "\" -> \"", t.to, "\"",
                  t.on == TransitionTrigger::kAny ? "" : StrCat(" only on ", ToString(t.on)));
  }
  return out;
}

}  // namespace internal
}  // namespace rapport
