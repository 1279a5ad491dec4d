// Helpers for the automation rule tests.
#ifndef RAPPORT_TESTS_CPP_RULES_RULES_TEST_UTIL_H_
#define RAPPORT_TESTS_CPP_RULES_RULES_TEST_UTIL_H_

#include <string>
#include <tuple>
#include <vector>

#include "base/strings.h"
#include "test_util.h"

namespace rapport::testing {

inline RuleDef MustRule(std::string_view json) {
  auto def = RuleDef::FromJson(json);
  EXPECT_TRUE(def.ok()) << def.status();
  return def.ok() ? *def : RuleDef{};
}

// (rule, customer, occurrence, status) of every ledger row, in id order.
using LedgerRow = std::tuple<std::string, int64_t, int64_t, std::string>;
inline std::vector<LedgerRow> Ledger(const Database& db) {
  std::vector<LedgerRow> out;
  auto outcomes = db.RuleOutcomes(RuleOutcomeQuery{.limit = 100000});
  EXPECT_TRUE(outcomes.ok()) << outcomes.status();
  if (!outcomes.ok()) return out;
  for (const RuleOutcome& o : *outcomes) {
    out.emplace_back(o.rule, ToInt(o.customer), o.occurrence, std::string(ToString(o.status)));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// (channel, recipient, subject, body, source, occurrence) of every outbox message, in id order.
using OutboxRow = std::tuple<std::string, std::string, std::string, std::string, std::string, int64_t>;
inline std::vector<OutboxRow> OutboxRows(const Database& db) {
  std::vector<OutboxRow> out;
  auto messages = db.Outbox(OutboxQuery{.limit = 100000});
  EXPECT_TRUE(messages.ok()) << messages.status();
  if (!messages.ok()) return out;
  for (const OutboxMessage& m : *messages) {
    out.emplace_back(m.channel, m.recipient, m.subject, m.body, m.source, m.occurrence);
  }
  return out;
}

inline std::vector<std::string> TagsOf(const Database& db, CustomerId id) {
  auto c = db.GetCustomer(id);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? c->tags : std::vector<std::string>{};
}

}  // namespace rapport::testing

#endif  // RAPPORT_TESTS_CPP_RULES_RULES_TEST_UTIL_H_
