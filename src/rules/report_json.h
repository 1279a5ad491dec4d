// JSON forms of what the rule engine reports (outcomes, runs, outbox messages, rules), shared by the
// C ABI, the CLI and TickReport::ToJson so that every face prints the same documents.
#ifndef RAPPORT_RULES_REPORT_JSON_H_
#define RAPPORT_RULES_REPORT_JSON_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rapport/rule.h"

namespace rapport::internal {

nlohmann::json OutcomeJson(const RuleOutcome& o);
nlohmann::json RunJson(const RuleRun& r);
nlohmann::json OutboxJson(const OutboxMessage& m);
// The definition plus id, created_at and updated_at.
nlohmann::json RuleJson(const Rule& r);

template <typename T, typename F>
std::string JsonArray(const std::vector<T>& items, F&& fn) {
  nlohmann::json out = nlohmann::json::array();
  for (const T& item : items) out.push_back(fn(item));
  return out.dump();
}

}  // namespace rapport::internal

#endif  // RAPPORT_RULES_REPORT_JSON_H_
