// The Database facade: the one entry point of the C++ API.
#ifndef RAPPORT_DATABASE_H_
#define RAPPORT_DATABASE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rapport/business_calendar.h"
#include "rapport/change.h"
#include "rapport/clock.h"
#include "rapport/clv_store.h"
#include "rapport/clv_summary.h"
#include "rapport/customer.h"
#include "rapport/frame.h"
#include "rapport/frame_options.h"
#include "rapport/import.h"
#include "rapport/lifecycle.h"
#include "rapport/rule.h"
#include "rapport/saved_segment.h"
#include "rapport/segment.h"
#include "rapport/task.h"
#include "rapport/timeline.h"
#include "rapport/types.h"

namespace rapport {

namespace internal {
class Core;
}

struct Options {
  std::shared_ptr<Clock> clock;     // default: SystemClock
  Actor actor = Actor::System();    // who the returned handle acts as
  std::string default_region = "US";  // for phone numbers without a country code (ISO 3166, e.g. "CN")
  bool create_if_missing = true;
  int busy_timeout_ms = 5000;
  int reader_connections = 4;  // file databases: connections for concurrent reads (WAL)
};

struct SegmentOptions {
  std::optional<absl::Time> as_of;  // "now" for the expression; default: the database clock
  FrameOptions frame;
};

class Database;

// A plugin action for automation rules (RuleActionKind::kPlugin): runs inside the firing's savepoint with
// a handle acting as the rule; a non-OK status fails the firing (its effects roll back, it is retried).
using RuleActionFn = std::function<absl::Status(Database& db, const RuleActionCall& call)>;

// A transaction spanning several calls on one thread. Calls made on the same thread while it is
// open join it; other threads' writes wait. Rolled back on destruction unless committed; hooks and
// listeners fire after commit.
class Transaction {
 public:
  Transaction(Transaction&&) noexcept;
  Transaction& operator=(Transaction&&) noexcept;
  ~Transaction();

  absl::Status Commit();
  absl::Status Rollback();
  bool active() const;

 private:
  friend class Database;
  explicit Transaction(std::shared_ptr<internal::Core> core);
  std::shared_ptr<internal::Core> core_;
};

// A handle on a Rapport database: the store plus the actor every call runs as.
//
// Handles are cheap to copy; copies and `WithActor` handles share the same open database, which
// closes when the last handle goes. A handle may be used from several threads at once: writes are
// serialised, reads run concurrently (file databases in WAL mode).
class Database {
 public:
  // Opens (creating if allowed) a database file, or ":memory:". Refuses files that are not Rapport
  // databases (InvalidArgument, file untouched) or that come from a newer Rapport
  // (FailedPrecondition); applies pending schema migrations in one transaction.
  static absl::StatusOr<Database> Open(std::string_view path, Options options = {});

  // The same database, acting as `actor`.
  Database WithActor(Actor actor) const;
  const Actor& actor() const { return actor_; }
  absl::Time Now() const;
  int schema_version() const;

  // Customers.
  absl::StatusOr<Customer> CreateCustomer(const CustomerDraft& draft);
  absl::StatusOr<Customer> GetCustomer(CustomerId id, bool include_deleted = false) const;
  absl::StatusOr<Customer> UpdateCustomer(CustomerId id, const CustomerPatch& patch);
  // Creates the customer with external id `key` or updates its fields (contact points and tags
  // given in the draft are added when missing).
  absl::StatusOr<UpsertResult> UpsertCustomer(const ExternalId& key, const CustomerDraft& draft);
  absl::StatusOr<Customer> FindByExternalId(const ExternalId& key) const;
  absl::Status DeleteCustomer(CustomerId id, std::optional<int64_t> expected_version = {});
  absl::Status RestoreCustomer(CustomerId id);
  // Removes the customer and everything attached to it for good, and redacts personal data from
  // its earlier change entries; leaves a "purge" change entry without personal data.
  absl::Status PurgeCustomer(CustomerId id);
  absl::StatusOr<CustomerPage> SearchCustomers(const CustomerQuery& query) const;

  // Contact points, tags, external ids, organisation contacts.
  absl::StatusOr<ContactPoint> AddContactPoint(CustomerId id, const ContactPointDraft& draft);
  absl::StatusOr<ContactPoint> UpdateContactPoint(ContactPointId id, const ContactPointPatch& patch);
  absl::Status RemoveContactPoint(ContactPointId id);
  absl::Status AddTag(CustomerId id, std::string_view tag);
  absl::Status RemoveTag(CustomerId id, std::string_view tag);
  absl::Status AddExternalId(CustomerId id, const ExternalId& key);
  absl::Status RemoveExternalId(const ExternalId& key);
  absl::Status LinkContact(CustomerId organization, CustomerId person, std::string_view role);
  absl::Status UnlinkContact(CustomerId organization, CustomerId person);
  absl::StatusOr<std::vector<ContactRole>> ContactsOf(CustomerId organization) const;
  absl::StatusOr<std::vector<ContactRole>> OrganizationsOf(CustomerId person) const;

  // Custom fields.
  absl::StatusOr<CustomFieldDef> DefineCustomField(const CustomFieldDef& def);
  absl::StatusOr<std::vector<CustomFieldDef>> CustomFields() const;
  // Drops the definition and removes its values from every customer (one change entry), so that a
  // later definition of the same name starts empty.
  absl::Status DropCustomField(std::string_view name);

  // Orders, activities, timeline.
  absl::StatusOr<Order> AddOrder(const OrderDraft& draft);
  absl::StatusOr<Order> GetOrder(OrderId id) const;
  absl::StatusOr<Activity> AddActivity(const ActivityDraft& draft);
  absl::StatusOr<std::vector<TimelineItem>> Timeline(CustomerId id, const TimelineQuery& query = {}) const;

  // Bulk import of customers from CSV text or a file.
  absl::StatusOr<ImportReport> ImportCsv(std::string_view csv_text, const ImportOptions& options);
  absl::StatusOr<ImportReport> ImportCsvFile(const std::string& path, const ImportOptions& options);

  // Analytics: frames for the engine, and segments.
  // Live customers (ascending id) with core fields, custom fields, tags and order metrics.
  absl::StatusOr<CustomerFrame> LoadCustomerFrame(const FrameOptions& options = {},
                                                  const CustomerFrameParts& parts = {}) const;
  // The orders that count, by (customer, time), amounts in major units of the currency.
  absl::StatusOr<OrderFrame> LoadOrderFrame(const FrameOptions& options = {}) const;
  // Customers (ascending id) for which a segment expression holds.
  absl::StatusOr<std::vector<CustomerId>> Segment(const SegmentExpr& expr, const SegmentOptions& options = {}) const;
  absl::StatusOr<std::vector<CustomerId>> Segment(std::string_view expr, const SegmentOptions& options = {}) const;
  // The expression as one parameterised SQL query over this database's tables.
  absl::StatusOr<SqlQuery> SegmentSql(const SegmentExpr& expr, const SegmentOptions& options = {}) const;

  // Saved segments. Dynamic ones are materialised by RefreshSegment(s); in_segment(name) in any
  // expression reads a saved segment's current members.
  // Creates the segment, or updates the one of that name (kind cannot change). Checks the
  // expression against the current fields and saved segments (no cycles).
  absl::StatusOr<SavedSegment> SaveSegment(const SegmentDef& def);
  absl::Status DropSegment(std::string_view name);
  absl::StatusOr<SavedSegment> GetSegment(std::string_view name) const;
  absl::StatusOr<std::vector<SavedSegment>> SavedSegments() const;
  // Evaluates a dynamic segment as of `as_of` (default: now; never before its last refresh) over the
  // orders its definition's `frame` counts, records who entered and who left, and returns that.
  // Members of suppression lists are excluded.
  absl::StatusOr<SegmentDelta> RefreshSegment(std::string_view name, std::optional<absl::Time> as_of = {});
  // Refreshes every dynamic segment, those another one refers to first.
  absl::StatusOr<std::vector<SegmentDelta>> RefreshSegments(std::optional<absl::Time> as_of = {});
  // Static and suppression lists: explicit members. All ids must be live customers, or nothing changes.
  absl::Status AddToSegment(std::string_view name, const std::vector<CustomerId>& customers);
  absl::Status RemoveFromSegment(std::string_view name, const std::vector<CustomerId>& customers);
  // Members (ascending ids) now, or as of a past time within the segment's history.
  absl::StatusOr<std::vector<CustomerId>> SegmentMembers(std::string_view name,
                                                         std::optional<absl::Time> as_of = {}) const;

  // Customer lifetime value models stored in the database (include/rapport/clv_store.h, docs/clv.md).
  // The recency-frequency summary of the orders that count (SummarizeForClv of LoadOrderFrame).
  absl::StatusOr<ClvSummary> SummarizeOrdersForClv(const ClvSummaryOptions& options,
                                                   const FrameOptions& frame = {}) const;
  // Fits a BG/NBD or Pareto/NBD model (and Gamma-Gamma on the repeat customers) to the summary of the
  // orders at the cut-off and stores it as `name`. AlreadyExists when the name is taken; FailedPrecondition
  // when no customer bought by the cut-off or a fit does not converge or cannot identify the model
  // (nothing is stored then).
  absl::StatusOr<ClvModelSpec> FitClvModel(std::string_view name, const ClvModelFitOptions& options = {});
  // Stores a model fitted elsewhere (every member validated; fitted_at defaults to now).
  absl::StatusOr<ClvModelSpec> SaveClvModel(const ClvModelSpec& spec);
  absl::StatusOr<ClvModelSpec> GetClvModel(std::string_view name) const;  // NotFound
  absl::StatusOr<std::vector<ClvModelSpec>> ClvModels() const;            // by name
  // Deletes the model and the scores it gave (NotFound for an unknown name).
  absl::Status DeleteClvModel(std::string_view name);
  // Scores every customer with a purchase at or before `as_of` (default: now; never before the
  // model's cut-off) with the model's conventions, replacing every row of the stored scores in one
  // transaction; logs one change (entity "clv_scores", op "apply").
  absl::StatusOr<ClvApplyReport> ApplyClvModel(std::string_view name, std::optional<absl::Time> as_of = {});
  // The stored scores (of the last model applied), by ascending customer id.
  absl::StatusOr<ClvScoreTable> ClvScores() const;

  // Lifecycle models and stages (include/rapport/lifecycle.h, docs/lifecycle.md).
  // Creates or replaces a model after checking it whole (conditions against the fields, transitions,
  // the attachment's segment and precedence); nothing is stored when a check fails. Automatic
  // evaluation after commits starts with the first model.
  absl::StatusOr<LifecycleModel> SaveLifecycleModel(const LifecycleModel& model);
  absl::StatusOr<LifecycleModel> GetLifecycleModel(std::string_view name) const;  // NotFound
  absl::StatusOr<std::vector<LifecycleModel>> LifecycleModels() const;  // highest precedence first
  // Deletes the model; its customers keep their stage text and history (another model, if one now
  // governs them, takes them from there).
  absl::Status DropLifecycleModel(std::string_view name);
  // Moves a customer to a stage of its governing model. Manual moves need a reason and may go to any
  // stage; rule moves (source kRule, with the rule's name) follow the model's policy
  // (FailedPrecondition naming from and to). Records the move (history row, one "lifecycle"/"move"
  // change entry) and returns it.
  absl::StatusOr<StageMove> MoveCustomerStage(CustomerId customer, std::string_view stage,
                                              const StageMoveRequest& request);
  // Evaluates every governed customer as of `as_of` (default: now; not before the last recorded
  // move) and makes the moves the models' conditions and policies call for.
  absl::StatusOr<LifecycleReport> EvaluateLifecycle(std::optional<absl::Time> as_of = {});
  // A customer's moves, oldest first, with the time spent in each stage (until now for the last).
  absl::StatusOr<std::vector<StageHistoryEntry>> CustomerStageHistory(CustomerId customer) const;
  // The stage of every customer (with a recorded move by then) at a past instant, by ascending id.
  absl::StatusOr<std::vector<CustomerStage>> StagesAsOf(absl::Time t) const;
  // Customers per stage per period [from, to), periods aligned in `zone`.
  absl::StatusOr<StageDistributionTable> StageDistribution(absl::Time from, absl::Time to, DistributionStep step,
                                                           absl::TimeZone zone = absl::UTCTimeZone()) const;
  // Business calendars stored by name (include/rapport/business_calendar.h, docs/calendars.md).
  // Creates the calendar or replaces the definition of the one of that name (checked first: a failed
  // save stores nothing); logs entity "calendar", op "create" or "update".
  absl::Status SaveCalendar(std::string_view name, const BusinessCalendarDef& def);
  // NotFound for an unknown name. Cheap: parsed calendars are cached by definition.
  absl::StatusOr<BusinessCalendar> GetCalendar(std::string_view name) const;
  absl::StatusOr<std::vector<StoredCalendar>> Calendars() const;  // by name
  absl::Status DropCalendar(std::string_view name);  // NotFound; logs op "delete"
  // Tasks and reminders (include/rapport/task.h, docs/tasks.md). Every write logs a change (entity
  // "task"); validation happens first and a failed call changes nothing.
  absl::StatusOr<Task> CreateTask(const TaskDraft& draft);
  absl::StatusOr<Task> GetTask(TaskId id) const;  // NotFound
  // Open tasks only (FailedPrecondition otherwise); Aborted on a stale expected_version.
  absl::StatusOr<Task> UpdateTask(TaskId id, const TaskPatch& patch);
  absl::StatusOr<Task> CompleteTask(TaskId id, std::optional<int64_t> expected_version = {});
  absl::StatusOr<Task> CancelTask(TaskId id, std::optional<int64_t> expected_version = {});
  absl::StatusOr<std::vector<Task>> Tasks(const TaskQuery& query = {}) const;
  // The due, overdue or upcoming list of an owner, a team or everyone (see TaskListKind).
  absl::StatusOr<std::vector<Task>> TaskList(const TaskListQuery& query) const;
  // Claims the reminders due at `now` (default: the clock's now) for a host that delivers them itself:
  // each open task with remind_at <= now that has not been reminded is marked reminded (change op
  // "remind") and returned, ordered by (remind_at, id); a reminder is claimed once. A host running
  // automation rules lets tick() claim them instead (they become outbox notifications there).
  absl::StatusOr<std::vector<Task>> ClaimTaskReminders(std::optional<absl::Time> now = {});

  // Change feed.
  absl::StatusOr<std::vector<Change>> Changes(const ChangeQuery& query = {}) const;
  int64_t LastChangeSeq() const;
  // Named consumers keep a durable cursor: create one, read from Cursor(), Ack what was processed.
  absl::Status CreateConsumer(std::string_view name, int64_t start_after_seq = 0);
  absl::StatusOr<int64_t> ConsumerCursor(std::string_view name) const;
  absl::Status AckConsumer(std::string_view name, int64_t seq);
  absl::Status DropConsumer(std::string_view name);

  // Automation rules (include/rapport/rule.h, docs/rules.md).
  // Creates the rule, or replaces the one of that name (keeping its ledger, cursor and watermark). The
  // definition is checked first (condition against the fields and saved segments, field names, lists,
  // plugins, templates); nothing is stored when it fails.
  absl::StatusOr<Rule> SaveRule(const RuleDef& def);
  absl::StatusOr<Rule> GetRule(std::string_view name) const;  // NotFound
  absl::StatusOr<std::vector<Rule>> Rules() const;             // by name
  // Deletes the rule with its ledger (NotFound for an unknown name).
  absl::Status DropRule(std::string_view name);
  // A re-enabled rule starts from now: what fell due while it was disabled does not fire.
  absl::Status EnableRule(std::string_view name, bool enabled = true);
  absl::StatusOr<std::vector<RuleOutcome>> RuleOutcomes(const RuleOutcomeQuery& query = {}) const;
  absl::StatusOr<std::vector<RuleRun>> RuleRuns(int limit = 100) const;  // newest first
  // Registers a plugin action for this open database (not stored: register again after reopening).
  absl::Status RegisterRuleAction(std::string_view name, RuleActionFn fn);
  // One deterministic pass of the automation engine as of `now` (see docs/rules.md for the order of
  // work). InvalidArgument, and nothing done, when `now` is before the last tick's now.
  absl::StatusOr<TickReport> Tick(absl::Time now);
  // The tenant's time zone (IANA name; "UTC" until set): schedules and annual triggers use it.
  absl::Status SetTimeZone(std::string_view zone);
  absl::StatusOr<std::string> TimeZone() const;

  // The outbox: messages rules write for the host to deliver (docs/rules.md, "The outbox protocol").
  absl::StatusOr<std::vector<OutboxMessage>> Outbox(const OutboxQuery& query = {}) const;
  // Takes up to `limit` pending messages, oldest first: they become claimed and are not handed out again.
  absl::StatusOr<std::vector<OutboxMessage>> ClaimOutbox(int limit = 100);
  // Claimed messages were delivered. FailedPrecondition (nothing changes) unless every id is claimed.
  absl::Status AckOutbox(const std::vector<int64_t>& ids);
  // A claimed message could not be delivered: back to pending (retry) or failed for good.
  absl::Status FailOutbox(int64_t id, std::string_view error, bool retry = true);

  // Groups calls on this thread into one transaction (see Transaction).
  absl::StatusOr<Transaction> Begin();

  // Internal: the shared state. Not part of the stable API.
  internal::Core& core() const { return *core_; }

 private:
  Database(std::shared_ptr<internal::Core> core, Actor actor);
  std::shared_ptr<internal::Core> core_;
  Actor actor_;
};

// The library version, "MAJOR.MINOR.PATCH".
std::string_view Version();

}  // namespace rapport

#endif  // RAPPORT_DATABASE_H_
