// Database::Tick: one deterministic pass of the automation engine (docs/rules.md, "A tick").
//
// Order of work:
//   1. lifecycle evaluation as of now (when lifecycle models exist and no stage move is newer than now),
//      so that its stage moves are events of this tick;
//   2. refresh, as of now, the dynamic segments that segment_entered / segment_left rules name;
//   3. read the change feed from the engine's cursor to its current end (the snapshot);
//   4. select candidates: events in the snapshot, relative and annual occurrences in (watermark, now],
//      the latest schedule occurrence in (watermark, now]; evaluate each rule's condition once as of now;
//   5. in one write transaction: retries that are due, then the new firings (rule by name, customer,
//      occurrence), each in a savepoint with its ledger row; then the cursor, the watermarks, the run;
//   6. task reminders that fell due are claimed and become outbox messages.
// Reads (1-4) happen before the transaction, on the cached customer frame; effects of this tick are
// events of the next one.
#include <algorithm>
#include <map>

#include "base/status_macros.h"
#include "base/strings.h"
#include "base/time_format.h"
#include "db/facade_util.h"
#include "model/calendar_repository.h"
#include "model/lifecycle_repository.h"
#include "rapport/database.h"
#include "rules/actions.h"
#include "rules/reminders.h"
#include "rules/rule_store.h"
#include "rules/triggers.h"
#include "store/change_log.h"

namespace rapport {

using internal::Candidate;
using internal::Connection;
using internal::FieldSchema;
using internal::StoredRule;
using internal::WriteContext;

namespace {

struct TickPlan {
  std::optional<int64_t> last_now;
  std::vector<StoredRule> rules;  // enabled, by name
  absl::TimeZone tenant = absl::UTCTimeZone();
  int64_t cursor = 0;
  int64_t snapshot = 0;
  std::map<std::string, BusinessCalendar, std::less<>> calendars;  // those business-hours triggers name
};

bool IsEvent(const StoredRule& r) { return r.rule.def.trigger.kind == RuleTriggerKind::kEvent; }
bool IsTimed(const StoredRule& r) {
  return r.rule.def.trigger.kind == RuleTriggerKind::kRelative || r.rule.def.trigger.kind == RuleTriggerKind::kAnnual;
}
bool IsSchedule(const StoredRule& r) { return r.rule.def.trigger.kind == RuleTriggerKind::kSchedule; }
// Relative triggers that follow the stage history rather than a frame column.
bool IsStageTimed(const StoredRule& r) { return internal::FollowsStageEntry(r.rule.def.trigger); }
bool IsFrameTimed(const StoredRule& r) { return IsTimed(r) && !IsStageTimed(r); }

absl::Status BackwardsError(absl::Time now, int64_t last) {
  return absl::InvalidArgumentError(StrCat("now: ", internal::FormatTimestamp(now), " is before the last tick's now ",
                                           internal::FormatTimestamp(internal::FromMicros(last)),
                                           "; time does not go backwards"));
}

void Keep(std::vector<Candidate>& candidates, const std::vector<CustomerId>& selected) {
  std::erase_if(candidates, [&](const Candidate& c) {
    return !std::binary_search(selected.begin(), selected.end(), CustomerId{c.customer});
  });
}

void SortAndDedup(std::vector<Candidate>& c) {
  std::sort(c.begin(), c.end(), [](const Candidate& a, const Candidate& b) {
    return a.customer != b.customer ? a.customer < b.customer : a.occurrence < b.occurrence;
  });
  c.erase(std::unique(c.begin(), c.end(), [](const Candidate& a, const Candidate& b) {
            return a.customer == b.customer && a.occurrence == b.occurrence;
          }), c.end());
}

// Runs the firings of one tick inside its write transaction.
class FiringRunner {
 public:
  FiringRunner(Connection& conn, const FieldSchema& schema, const internal::Core& core, const Database& db,
               absl::Time now, int64_t run_id, TickReport& report)
      : conn_(conn), schema_(schema), core_(core), db_(db), now_(now), run_id_(run_id), report_(report) {}

  // A new firing: skipped when its ledger row exists (an earlier tick handled it) or the customer is
  // gone; held back by the rule's limit; otherwise attempted.
  absl::Status Fire(const StoredRule& rule, const Candidate& c) {
    ASSIGN_OR_RETURN(bool seen, internal::FiringExists(conn_, rule.rule.id, c.customer, c.occurrence));
    if (seen) return absl::OkStatus();
    if (!internal::CheckCustomerExists(conn_, CustomerId{c.customer}).ok()) return absl::OkStatus();
    internal::FiringRow row{0, rule.rule.id, c.customer, c.occurrence, c.trigger, RuleOutcomeStatus::kFired, 0, "",
                            internal::ToMicros(now_), internal::ToMicros(now_), std::nullopt};
    if (rule.rule.def.limit_days) {
      const int64_t since = internal::ToMicros(now_ - absl::Hours(24) * *rule.rule.def.limit_days);
      ASSIGN_OR_RETURN(bool recent, internal::FiredSince(conn_, rule.rule.id, c.customer, since));
      if (recent) {
        row.status = RuleOutcomeStatus::kSkipped;
        row.error = StrCat("limit: fired within the last ", *rule.rule.def.limit_days, " days");
        ASSIGN_OR_RETURN(row.id, internal::WriteFiring(conn_, row, run_id_));
        Count(rule).skipped++;
        report_.skipped++;
        Report(rule, row);
        return absl::OkStatus();
      }
    }
    return Attempt(rule, row);
  }

  // Runs the rule's actions in a savepoint and records the outcome with them.
  absl::Status Attempt(const StoredRule& rule, internal::FiringRow row) {
    const Actor actor = Actor::System(StrCat("rule:", rule.rule.def.name));
    const WriteContext ctx{conn_, now_, actor, schema_, core_.options().default_region};
    Database as_rule = db_.WithActor(actor);
    internal::ActionEffects effects;
    RETURN_IF_ERROR(conn_.Exec("SAVEPOINT rule_firing"));
    absl::Status result = internal::RunActions(
        internal::Firing{ctx, as_rule, rule.rule.def, CustomerId{row.customer}, row.occurrence, core_.rule_actions()},
        effects);
    if (!result.ok()) {
      RETURN_IF_ERROR(conn_.Exec("ROLLBACK TO rule_firing"));
    }
    RETURN_IF_ERROR(conn_.Exec("RELEASE rule_firing"));
    row.attempts += 1;
    row.last_at = internal::ToMicros(now_);
    if (result.ok()) {
      row.status = RuleOutcomeStatus::kFired;
      row.error.clear();
      row.next_retry_at.reset();
      Count(rule).fired++;
      report_.fired++;
      report_.notifications += effects.notifications;
      report_.tasks_created += effects.tasks_created;
    } else {
      row.error = std::string(result.message());
      const RetryPolicy& retry = rule.rule.def.retry;
      if (row.attempts >= retry.max_attempts) {
        row.status = RuleOutcomeStatus::kFailed;
        row.next_retry_at.reset();
      } else {
        row.status = RuleOutcomeStatus::kRetrying;
        row.next_retry_at = internal::ToMicros(now_ + retry.backoff * (int64_t{1} << std::min(row.attempts - 1, 30)));
      }
      Count(rule).failed++;
      report_.failed++;
    }
    ASSIGN_OR_RETURN(row.id, internal::WriteFiring(conn_, row, run_id_));
    Report(rule, row);
    return absl::OkStatus();
  }

 private:
  RuleTickCount& Count(const StoredRule& rule) {
    RuleTickCount& c = counts_[rule.rule.def.name];
    c.rule = rule.rule.def.name;
    return c;
  }

  void Report(const StoredRule& rule, const internal::FiringRow& row) {
    if (report_.outcomes.size() >= TickReport::kMaxReportedOutcomes) {
      report_.outcomes_truncated = true;
      return;
    }
    RuleOutcome o{row.id, rule.rule.def.name, CustomerId{row.customer}, row.occurrence, row.trigger, row.status,
                  row.attempts, row.error, internal::FromMicros(row.first_at), internal::FromMicros(row.last_at),
                  std::nullopt};
    if (row.next_retry_at) o.next_retry_at = internal::FromMicros(*row.next_retry_at);
    report_.outcomes.push_back(std::move(o));
  }

 public:
  std::map<std::string, RuleTickCount> counts_;

 private:
  Connection& conn_;
  const FieldSchema& schema_;
  const internal::Core& core_;
  const Database& db_;
  absl::Time now_;
  int64_t run_id_;
  TickReport& report_;
};

}  // namespace

absl::StatusOr<TickReport> Database::Tick(absl::Time now) {
  // Reads: the plan.
  ASSIGN_OR_RETURN(TickPlan plan, internal::Query(*core_, [&](Connection& conn, const FieldSchema&) -> absl::StatusOr<TickPlan> {
    TickPlan p;
    ASSIGN_OR_RETURN(p.last_now, internal::LastTickNow(conn));
    ASSIGN_OR_RETURN(std::vector<StoredRule> all, internal::LoadRules(conn));
    for (StoredRule& r : all)
      if (r.rule.def.enabled) p.rules.push_back(std::move(r));
    for (const StoredRule& r : p.rules) {
      const RuleTrigger& t = r.rule.def.trigger;
      if (t.kind != RuleTriggerKind::kRelative || t.unit != RelativeUnit::kBusinessHours) continue;
      if (p.calendars.contains(t.calendar)) continue;
      auto calendar = internal::LoadCalendar(conn, t.calendar);
      if (!calendar.ok()) {
        return absl::FailedPreconditionError(StrCat("rule \"", r.rule.def.name, "\": trigger.calendar: ",
                                                    calendar.status().message()));
      }
      p.calendars.emplace(t.calendar, *std::move(calendar));
    }
    ASSIGN_OR_RETURN(std::optional<std::string> zone, internal::GetSetting(conn, "time_zone"));
    if (zone && !absl::LoadTimeZone(*zone, &p.tenant)) p.tenant = absl::UTCTimeZone();
    ASSIGN_OR_RETURN(p.cursor, internal::RuleCursor(conn));
    return p;
  }));
  if (plan.last_now && internal::ToMicros(now) < *plan.last_now) return BackwardsError(now, *plan.last_now);

  // 1. Lifecycle evaluation as of now. Skipped without models, and when a move newer than now is already
  //    recorded (a manual move or an order's automatic move stamped by the clock after this tick's now):
  //    the stages are then already ahead of the tick.
  ASSIGN_OR_RETURN(bool evaluate, internal::Query(*core_, [&](Connection& conn, const FieldSchema&) -> absl::StatusOr<bool> {
    ASSIGN_OR_RETURN(std::vector<LifecycleModel> models, internal::LoadLifecycleModels(conn));
    if (models.empty()) return false;
    ASSIGN_OR_RETURN(absl::Time last_move, internal::LastStageMoveAt(conn));
    return last_move <= now;
  }));
  if (evaluate) RETURN_IF_ERROR(WithActor(Actor::System("rules")).EvaluateLifecycle(now).status());

  // 2. Segment refreshes the enter / leave rules need, as of now (never before a segment's last refresh).
  std::vector<std::string> refresh;
  for (const StoredRule& r : plan.rules) {
    const RuleTrigger& t = r.rule.def.trigger;
    if (IsEvent(r) && (t.event == RuleEvent::kSegmentEntered || t.event == RuleEvent::kSegmentLeft)) {
      refresh.push_back(t.segment);
    }
  }
  std::sort(refresh.begin(), refresh.end());
  refresh.erase(std::unique(refresh.begin(), refresh.end()), refresh.end());
  Database engine = WithActor(Actor::System("rules"));
  for (const std::string& name : refresh) {
    auto segment = GetSegment(name);
    if (!segment.ok() || segment->kind != SegmentKind::kDynamic) continue;  // lists log their own edits
    if (segment->refreshed_at && *segment->refreshed_at > now) continue;
    RETURN_IF_ERROR(engine.RefreshSegment(name, now).status());
  }

  // 3. The change feed up to its current end.
  plan.snapshot = LastChangeSeq();
  std::vector<internal::EventChange> changes;
  const bool any_events = std::any_of(plan.rules.begin(), plan.rules.end(), IsEvent);
  if (any_events && plan.snapshot > plan.cursor) {
    ASSIGN_OR_RETURN(changes, internal::Query(*core_, [&](Connection& conn, const FieldSchema&) {
      return internal::ReadEventChanges(conn, plan.cursor, plan.snapshot);
    }));
  }

  // 4. Candidates per rule, then conditions.
  std::vector<std::vector<Candidate>> candidates(plan.rules.size());
  std::vector<bool> advance_watermark(plan.rules.size(), false);
  const bool any_frame = std::any_of(plan.rules.begin(), plan.rules.end(), [](const StoredRule& r) {
    return IsFrameTimed(r) || (IsSchedule(r) && r.rule.def.condition.empty());
  });
  auto calendar_of = [&](const StoredRule& r) -> const BusinessCalendar* {
    auto it = plan.calendars.find(r.rule.def.trigger.calendar);
    return it == plan.calendars.end() ? nullptr : &it->second;
  };
  for (size_t i = 0; i < plan.rules.size(); ++i) {
    if (!IsStageTimed(plan.rules[i])) continue;
    advance_watermark[i] = true;
    RETURN_IF_ERROR(internal::Query(*core_, [&](Connection& conn, const FieldSchema&) {
      return internal::StageEntryCandidates(conn, plan.rules[i], calendar_of(plan.rules[i]), now, candidates[i]);
    }));
  }
  std::vector<int64_t> live_ids;
  auto collect = [&](const CustomerFrame* frame) -> absl::Status {
    for (size_t i = 0; i < plan.rules.size(); ++i) {
      const StoredRule& r = plan.rules[i];
      if (IsEvent(r)) {
        internal::MatchEvents(r, changes, candidates[i]);
      } else if (IsFrameTimed(r)) {
        advance_watermark[i] = true;
        RETURN_IF_ERROR(internal::TimeCandidates(r, *frame, plan.tenant, calendar_of(r), now, candidates[i]));
      } else if (IsStageTimed(r)) {
        // Collected above, from the stage history.
      } else {
        advance_watermark[i] = true;
      }
    }
    if (frame != nullptr) live_ids = frame->ids;
    return absl::OkStatus();
  };
  if (any_frame) {
    RETURN_IF_ERROR(core_->frame_cache().Use(*core_, FrameOptions{}, [&](const CustomerFrame& frame, const internal::OrderScope&) {
      return collect(&frame);
    }));
  } else {
    RETURN_IF_ERROR(collect(nullptr));
  }
  for (size_t i = 0; i < plan.rules.size(); ++i) {
    const StoredRule& r = plan.rules[i];
    std::optional<absl::Time> due;
    if (IsSchedule(r)) due = internal::DueSchedule(r, plan.tenant, now);
    if (candidates[i].empty() && !due) continue;
    std::optional<std::vector<CustomerId>> selected;
    if (!r.rule.def.condition.empty()) {
      ASSIGN_OR_RETURN(selected, Segment(r.rule.def.condition, SegmentOptions{.as_of = now}));
    }
    if (due) {
      const std::string what = StrCat("schedule ", internal::FormatTimestamp(*due));
      const int64_t occurrence = internal::ToMicros(*due);
      if (selected) {
        for (CustomerId id : *selected) candidates[i].push_back({ToInt(id), occurrence, what});
      } else {
        for (int64_t id : live_ids) candidates[i].push_back({id, occurrence, what});
      }
    } else if (selected) {
      Keep(candidates[i], *selected);
    }
    SortAndDedup(candidates[i]);
  }

  // 5. The effects, with their ledger rows, in one transaction.
  TickReport report;
  report.now = now;
  report.events = static_cast<int64_t>(changes.size());
  RETURN_IF_ERROR(core_->Write([&](Connection& conn) -> absl::Status {
    ASSIGN_OR_RETURN(std::optional<int64_t> last, internal::LastTickNow(conn));
    if (last && internal::ToMicros(now) < *last) return BackwardsError(now, *last);
    ASSIGN_OR_RETURN(report.run_id, internal::InsertRun(conn, internal::ToMicros(now)));
    std::shared_ptr<const FieldSchema> schema = core_->schema();
    FiringRunner runner(conn, *schema, *core_, *this, now, report.run_id, report);
    std::map<int64_t, const StoredRule*> by_id;
    for (const StoredRule& r : plan.rules) by_id[r.rule.id] = &r;
    ASSIGN_OR_RETURN(std::vector<internal::FiringRow> retries, internal::DueRetries(conn, internal::ToMicros(now)));
    for (const internal::FiringRow& row : retries) {
      auto it = by_id.find(row.rule_id);
      if (it == by_id.end()) continue;  // disabled: waits
      RETURN_IF_ERROR(runner.Attempt(*it->second, row));
    }
    for (size_t i = 0; i < plan.rules.size(); ++i) {
      for (const Candidate& c : candidates[i]) RETURN_IF_ERROR(runner.Fire(plan.rules[i], c));
      if (advance_watermark[i]) RETURN_IF_ERROR(internal::SetWatermark(conn, plan.rules[i].rule.id, internal::ToMicros(now)));
    }
    RETURN_IF_ERROR(internal::SetRuleCursor(conn, std::max(plan.cursor, plan.snapshot)));
    // 6. Reminders, after the firings so that a task a rule created with a reminder already due goes out now.
    const WriteContext ctx{conn, now, Actor::System("reminders"), *schema, core_->options().default_region};
    ASSIGN_OR_RETURN(report.reminders, internal::DeliverDueReminders(ctx));
    for (auto& [name, count] : runner.counts_) report.rules.push_back(count);
    return internal::FinishRun(conn, report.run_id, report);
  }));
  return report;
}

}  // namespace rapport
