// Running a rule's actions for one firing, and the checks done on actions when a rule is saved.
#ifndef RAPPORT_RULES_ACTIONS_H_
#define RAPPORT_RULES_ACTIONS_H_

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "model/customer_repository.h"
#include "rapport/database.h"
#include "rapport/rule.h"

namespace rapport::internal {

// Plugin actions registered on one open database. Thread-safe.
class RuleActionRegistry {
 public:
  void Register(std::string_view name, RuleActionFn fn);
  std::optional<RuleActionFn> Find(std::string_view name) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, RuleActionFn, std::less<>> actions_;
};

// {{field}} placeholders: every field named must be a core field, a custom field or "id".
absl::Status CheckTemplate(std::string_view field, std::string_view text, const FieldSchema& schema);
// Replaces {{field}} with the customer's value as text (empty when unset).
std::string RenderTemplate(std::string_view text, const Customer& customer);

// What one firing's actions run with. `ctx.actor` is the rule ("rule:<name>").
struct Firing {
  const WriteContext& ctx;
  Database& db;  // acting as the rule, for plugin actions and the other areas' write paths
  const RuleDef& rule;
  CustomerId customer;
  int64_t occurrence = 0;
  const RuleActionRegistry& plugins;
};

// What the actions did, for the tick's counters.
struct ActionEffects {
  int64_t notifications = 0;
  int64_t tasks_created = 0;
};

// Runs the actions in order; the first failure stops them (the caller rolls the firing back). Errors
// read "actions[i] (<kind>): <problem>".
absl::Status RunActions(const Firing& firing, ActionEffects& effects);

}  // namespace rapport::internal

#endif  // RAPPORT_RULES_ACTIONS_H_
