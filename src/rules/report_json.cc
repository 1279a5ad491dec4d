#include "rules/report_json.h"

#include "base/time_format.h"
#include "store/change_log.h"

namespace rapport {
namespace internal {

nlohmann::json OutcomeJson(const RuleOutcome& o) {
  nlohmann::json j = {{"id", o.id}, {"rule", o.rule}, {"customer", ToInt(o.customer)}, {"occurrence", o.occurrence},
                      {"trigger", o.trigger}, {"status", ToString(o.status)}, {"attempts", o.attempts},
                      {"error", o.error}, {"first_at", FormatTimestamp(o.first_at)},
                      {"last_at", FormatTimestamp(o.last_at)}, {"next_retry_at", nullptr}};
  if (o.next_retry_at) j["next_retry_at"] = FormatTimestamp(*o.next_retry_at);
  return j;
}

nlohmann::json RunJson(const RuleRun& r) {
  return {{"id", r.id}, {"now", FormatTimestamp(r.now)}, {"events", r.events}, {"fired", r.fired},
          {"failed", r.failed}, {"skipped", r.skipped}, {"notifications", r.notifications},
          {"tasks_created", r.tasks_created}, {"reminders", r.reminders}};
}

nlohmann::json OutboxJson(const OutboxMessage& m) {
  nlohmann::json j = {{"id", m.id}, {"channel", m.channel}, {"recipient_kind", m.recipient_kind},
                      {"recipient", m.recipient}, {"customer", nullptr}, {"subject", m.subject}, {"body", m.body},
                      {"source", m.source}, {"occurrence", m.occurrence}, {"created_at", FormatTimestamp(m.created_at)},
                      {"status", ToString(m.status)}, {"attempts", m.attempts}, {"error", m.error},
                      {"claimed_at", nullptr}, {"delivered_at", nullptr}};
  if (m.customer) j["customer"] = ToInt(*m.customer);
  if (m.claimed_at) j["claimed_at"] = FormatTimestamp(*m.claimed_at);
  if (m.delivered_at) j["delivered_at"] = FormatTimestamp(*m.delivered_at);
  return j;
}

nlohmann::json RuleJson(const Rule& r) {
  nlohmann::json j = nlohmann::json::parse(r.def.ToJson());
  j["id"] = r.id;
  j["created_at"] = FormatTimestamp(r.created_at);
  j["updated_at"] = FormatTimestamp(r.updated_at);
  return j;
}

}  // namespace internal

std::string RulesToJson(const std::vector<Rule>& rules) { return internal::JsonArray(rules, internal::RuleJson); }
std::string OutcomesToJson(const std::vector<RuleOutcome>& outcomes) {
  return internal::JsonArray(outcomes, internal::OutcomeJson);
}
std::string RunsToJson(const std::vector<RuleRun>& runs) { return internal::JsonArray(runs, internal::RunJson); }
std::string OutboxToJson(const std::vector<OutboxMessage>& messages) {
  return internal::JsonArray(messages, internal::OutboxJson);
}

std::string TickReport::ToJson() const {
  nlohmann::json j = {{"run_id", run_id}, {"now", internal::FormatTimestamp(now)}, {"events", events},
                      {"fired", fired}, {"failed", failed}, {"skipped", skipped}, {"notifications", notifications},
                      {"tasks_created", tasks_created}, {"reminders", reminders}, {"rules", nlohmann::json::array()},
                      {"outcomes", nlohmann::json::array()}, {"outcomes_truncated", outcomes_truncated}};
  for (const RuleTickCount& c : rules) {
    j["rules"].push_back({{"rule", c.rule}, {"fired", c.fired}, {"failed", c.failed}, {"skipped", c.skipped}});
  }
  for (const RuleOutcome& o : outcomes) j["outcomes"].push_back(internal::OutcomeJson(o));
  return internal::DumpJson(j);
}

}  // namespace rapport
