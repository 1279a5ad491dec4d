// Which customers a rule's trigger selects in a tick: change-feed events, and due times read from the
// customer frame. Pure functions over their inputs (no database access but ReadEventChanges).
#ifndef RAPPORT_RULES_TRIGGERS_H_
#define RAPPORT_RULES_TRIGGERS_H_

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "rapport/business_calendar.h"
#include "rapport/frame.h"
#include "rules/rule_store.h"
#include "store/sqlite.h"

namespace rapport::internal {

// A (customer, occurrence) a trigger selected, with a description of why.
struct Candidate {
  int64_t customer = 0;
  int64_t occurrence = 0;
  std::string trigger;
};

// A change-feed entry an event trigger may match.
struct EventChange {
  int64_t seq = 0;
  std::string entity;
  int64_t entity_id = 0;
  int64_t customer = 0;
  std::string op;
  std::string origin;
  std::vector<std::string> fields;
  nlohmann::json before;
  nlohmann::json after;
};

// Entries in (after_seq, upto_seq] of the entities events come from (customer, order, lifecycle,
// segment), by seq.
absl::StatusOr<std::vector<EventChange>> ReadEventChanges(Connection& conn, int64_t after_seq, int64_t upto_seq);

// Appends the rule's event candidates among `changes` (entries after the rule's since_seq that the rule
// itself did not make).
void MatchEvents(const StoredRule& rule, const std::vector<EventChange>& changes, std::vector<Candidate>& out);

// Appends the customers whose relative or annual occurrence lies in (watermark, now]. `tenant` is the
// zone for customers without a valid zone of their own; `calendar` is the business-hours trigger's
// calendar (null for other triggers).
absl::Status TimeCandidates(const StoredRule& rule, const CustomerFrame& frame, absl::TimeZone tenant,
                            const BusinessCalendar* calendar, absl::Time now, std::vector<Candidate>& out);

// A relative trigger in business hours: the customers whose field plus `amount` working hours of
// `calendar` lies in (watermark, now] (µs). Costs a calendar addition per customer due, plus two
// binary searches; not one per customer.
absl::Status BusinessHoursCandidates(const RuleTrigger& trigger, const TimeColumn& times,
                                     const std::vector<int64_t>& ids, const BusinessCalendar& calendar,
                                     int64_t watermark, int64_t now, std::vector<Candidate>& out);

// The schedule's latest occurrence when it lies in (watermark, now].
std::optional<absl::Time> DueSchedule(const StoredRule& rule, absl::TimeZone tenant, absl::Time now);

// Time and date fields a relative trigger may follow, and date fields an annual trigger may use.
bool IsTimeField(std::string_view name);

// The instant a customer entered its current lifecycle stage: a relative trigger may follow it ("30
// days in the same stage"). It comes from the stage history, not from the customer frame.
inline constexpr std::string_view kStageEnteredAt = "stage_entered_at";
bool FollowsStageEntry(const RuleTrigger& trigger);

// A relative trigger on stage_entered_at: customers whose latest stage move plus the offset lies in
// (watermark, now]. Reads the moves in the matching time range (index on `at`), keeping each only when
// no later move of its customer exists: proportional to the moves that are due.
absl::Status StageEntryCandidates(Connection& conn, const StoredRule& rule, const BusinessCalendar* calendar,
                                  absl::Time now, std::vector<Candidate>& out);

}  // namespace rapport::internal

#endif  // RAPPORT_RULES_TRIGGERS_H_
