// Automation rules: a trigger, an optional condition over the customer, ordered actions; the outbox the
// host drains; and what Database::Tick reports. docs/rules.md describes the semantics.
#ifndef RAPPORT_RULE_H_
#define RAPPORT_RULE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "rapport/types.h"
#include "rapport/value.h"

namespace rapport {

enum class RuleTriggerKind {
  kEvent = 0,     // a change in the change feed
  kRelative = 1,  // a fixed time after a date/time field of the customer
  kAnnual = 2,    // every year on a date field's month and day, at a local time
  kSchedule = 3,  // daily / weekly / monthly at a local time in the tenant's zone
};

enum class RuleEvent {
  kCustomerCreated = 0,
  kCustomerUpdated = 1,
  kFieldChanged = 2,   // `field`, optionally from `from` and/or to `to`
  kStageChanged = 3,   // lifecycle stage, optionally from `from` and/or to `to`
  kOrderCreated = 4,
  kSegmentEntered = 5,  // `segment`
  kSegmentLeft = 6,
};

enum class RelativeUnit { kDays = 0, kHours = 1, kBusinessHours = 2 };
enum class ScheduleEvery { kDaily = 0, kWeekly = 1, kMonthly = 2 };

struct RuleTrigger {
  RuleTriggerKind kind = RuleTriggerKind::kEvent;
  // kEvent.
  RuleEvent event = RuleEvent::kCustomerCreated;
  std::optional<Value> from;  // kFieldChanged / kStageChanged: the value before (null matches unset)
  std::optional<Value> to;    // ... and after
  std::string segment;        // kSegmentEntered / kSegmentLeft: a dynamic saved segment
  // kFieldChanged; kRelative (a time or date field: created_at, updated_at, first_order_at,
  // last_order_at, birthday, or a custom date/time field); kAnnual (birthday or a custom date field).
  std::string field;
  // kRelative: fires `amount` units after the field's value.
  int64_t amount = 0;
  RelativeUnit unit = RelativeUnit::kDays;
  std::string calendar;  // kBusinessHours: a business calendar's name
  // kAnnual and kSchedule: the local time of day.
  int hour = 9;
  int minute = 0;
  // kAnnual: the customer's text field naming its IANA time zone (when set and valid), else the tenant's.
  std::string time_zone_field = "time_zone";
  // kSchedule.
  ScheduleEvery every = ScheduleEvery::kDaily;
  int weekday = 1;       // kWeekly: 1 = Monday ... 7 = Sunday
  int day_of_month = 1;  // kMonthly: 1..31; past a short month's end it means its last day
};

enum class RuleActionKind {
  kAddTag = 0,
  kRemoveTag = 1,
  kSetField = 2,
  kAddToList = 3,   // a static saved segment
  kNotify = 4,      // writes a message into the outbox
  kCreateTask = 5,  // tasks area
  kMoveStage = 6,   // lifecycle area
  kPlugin = 7,      // a named action registered with Database::RegisterRuleAction
};

// One action. Which members count depends on `kind` (the JSON form in docs/rules.md names them).
struct RuleAction {
  RuleActionKind kind = RuleActionKind::kAddTag;
  std::string tag;    // add_tag, remove_tag
  std::string field;  // set_field
  Value value;        // set_field (null clears the field)
  std::string list;   // add_to_list
  // notify: channel ("email", "sms", "wechat", "webhook", "other"); recipient "customer", "owner" or
  // "literal" (then `address`); subject and body are templates where {{field}} is the customer's field.
  std::string channel;
  std::string recipient = "customer";
  std::string address;
  std::string subject;
  std::string body;
  // create_task: title (a template), due `due_in_hours` after the firing, a reminder
  // `remind_in_hours` after the firing (none when unset), priority, notes, and a team. The task's
  // owner is the customer's owner.
  std::string title;
  int64_t due_in_hours = 24;
  std::optional<int64_t> remind_in_hours;
  std::string priority = "normal";
  std::string notes;
  std::string team;
  // move_stage.
  std::string stage;
  std::string reason;
  // plugin: the registered action's name and its parameters (a JSON object as text).
  std::string plugin;
  std::string params = "{}";
};

// A failing firing is retried by later ticks: attempt n+1 is due `backoff` * 2^(n-1) after attempt n,
// until `max_attempts` attempts have failed (then it is given up).
struct RetryPolicy {
  int max_attempts = 3;
  absl::Duration backoff = absl::Minutes(10);
};

struct RuleDef {
  std::string name;  // [A-Za-z0-9_.-], at most 59 characters (the effects' origin is "rule:<name>")
  bool enabled = true;
  std::string description;
  RuleTrigger trigger;
  std::string condition;  // a segment expression over the customer; empty: always
  std::vector<RuleAction> actions;  // at least one; run in order
  std::optional<int> limit_days;    // at most one firing per customer per this many days
  RetryPolicy retry;

  // The JSON form (docs/rules.md). FromJson checks the form alone (types, ranges, known kinds); the
  // database checks names against its fields, lists, calendars and plugins when the rule is saved.
  static absl::StatusOr<RuleDef> FromJson(std::string_view json);
  std::string ToJson() const;
};

struct Rule {
  int64_t id = 0;
  RuleDef def;
  absl::Time created_at;
  absl::Time updated_at;
};

enum class RuleOutcomeStatus { kFired = 0, kRetrying = 1, kFailed = 2, kSkipped = 3 };
std::string_view ToString(RuleOutcomeStatus status);

// One firing of a rule for a customer and an occurrence: the idempotency ledger row.
struct RuleOutcome {
  int64_t id = 0;
  std::string rule;
  CustomerId customer{};
  // The occurrence key: the change seq for events; the due instant (µs) for time triggers and schedules.
  int64_t occurrence = 0;
  std::string trigger;  // what happened, e.g. "customer_created (change 42)", "birthday 2025-03-04 09:00 Asia/Shanghai"
  RuleOutcomeStatus status = RuleOutcomeStatus::kFired;
  int attempts = 0;
  std::string error;  // the last failure
  absl::Time first_at;  // tick now of the first attempt
  absl::Time last_at;   // tick now of the last attempt
  std::optional<absl::Time> next_retry_at;
};

struct RuleOutcomeQuery {
  std::string rule;                          // empty: every rule
  std::optional<CustomerId> customer;
  std::optional<RuleOutcomeStatus> status;
  std::optional<absl::Time> since;           // last_at >= since
  int64_t after_id = 0;                      // paging: ids greater than this
  int limit = 1000;
};

// One tick.
struct RuleRun {
  int64_t id = 0;
  absl::Time now;
  int64_t events = 0;  // change entries read
  int64_t fired = 0;
  int64_t failed = 0;  // failed attempts (retrying or given up)
  int64_t skipped = 0;
  int64_t notifications = 0;
  int64_t tasks_created = 0;
  int64_t reminders = 0;  // task reminders delivered to the outbox
};

struct RuleTickCount {
  std::string rule;
  int64_t fired = 0;
  int64_t failed = 0;   // attempts that failed this tick (the firing retries later or was given up)
  int64_t skipped = 0;  // held back by the rule's limit
};

struct TickReport {
  int64_t run_id = 0;
  absl::Time now;
  int64_t events = 0;
  std::vector<RuleTickCount> rules;  // rules that did something, by name
  int64_t fired = 0;
  int64_t failed = 0;
  int64_t skipped = 0;
  int64_t notifications = 0;
  int64_t tasks_created = 0;
  int64_t reminders = 0;
  std::vector<RuleOutcome> outcomes;  // what happened this tick, at most kMaxReportedOutcomes
  bool outcomes_truncated = false;
  static constexpr size_t kMaxReportedOutcomes = 1000;

  std::string ToJson() const;
};

enum class OutboxStatus { kPending = 0, kClaimed = 1, kDelivered = 2, kFailed = 3 };
std::string_view ToString(OutboxStatus status);

// A message for the host to deliver.
struct OutboxMessage {
  int64_t id = 0;
  std::string channel;
  std::string recipient_kind;  // "customer", "owner", "literal"
  std::string recipient;       // customer: primary email/phone for email/sms, else "customer:<id>";
                               // owner: "user:<id>"; literal: the address
  std::optional<CustomerId> customer;
  std::string subject;
  std::string body;
  std::string source;  // "rule:<name>" (or "reminder")
  int64_t occurrence = 0;
  absl::Time created_at;
  OutboxStatus status = OutboxStatus::kPending;
  int attempts = 0;  // claims so far
  std::string error;  // the last FailOutbox error
  std::optional<absl::Time> claimed_at;
  std::optional<absl::Time> delivered_at;
};

struct OutboxQuery {
  std::optional<OutboxStatus> status;
  int64_t after_id = 0;
  int limit = 1000;
};

// What a plugin action gets: the firing, and a database handle acting as the rule, inside the
// firing's savepoint (its writes commit or roll back with the firing).
struct RuleActionCall {
  std::string rule;
  CustomerId customer{};
  int64_t occurrence = 0;
  absl::Time now;
  std::string params;  // the action's params, a JSON object as text
};

// JSON arrays of these: the documents the C ABI, the CLI and Python read (docs/rules.md). A rule is its
// definition plus "id", "created_at" and "updated_at"; times are RFC 3339 UTC text.
std::string RulesToJson(const std::vector<Rule>& rules);
std::string OutcomesToJson(const std::vector<RuleOutcome>& outcomes);
std::string RunsToJson(const std::vector<RuleRun>& runs);
std::string OutboxToJson(const std::vector<OutboxMessage>& messages);

}  // namespace rapport

#endif  // RAPPORT_RULE_H_
