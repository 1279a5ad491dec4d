// The Database facade: the one entry point of the C++ API.
#ifndef RAPPORT_DATABASE_H_
#define RAPPORT_DATABASE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rapport/change.h"
#include "rapport/clock.h"
#include "rapport/clv_store.h"
#include "rapport/clv_summary.h"
#include "rapport/customer.h"
#include "rapport/frame.h"
#include "rapport/frame_options.h"
#include "rapport/import.h"
#include "rapport/saved_segment.h"
#include "rapport/segment.h"
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

  // Change feed.
  absl::StatusOr<std::vector<Change>> Changes(const ChangeQuery& query = {}) const;
  int64_t LastChangeSeq() const;
  // Named consumers keep a durable cursor: create one, read from Cursor(), Ack what was processed.
  absl::Status CreateConsumer(std::string_view name, int64_t start_after_seq = 0);
  absl::StatusOr<int64_t> ConsumerCursor(std::string_view name) const;
  absl::Status AckConsumer(std::string_view name, int64_t seq);
  absl::Status DropConsumer(std::string_view name);

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
