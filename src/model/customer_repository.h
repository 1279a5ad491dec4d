// Reading and writing customers and the parts of their record (contact points, tags, external ids,
// organisation contacts) in the store. Every write logs its change; callers provide the transaction.
#ifndef RAPPORT_MODEL_CUSTOMER_REPOSITORY_H_
#define RAPPORT_MODEL_CUSTOMER_REPOSITORY_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "model/field_schema.h"
#include "rapport/customer.h"
#include "store/sqlite.h"

namespace rapport::internal {

// What a write needs besides its arguments. `conn` is inside a transaction.
struct WriteContext {
  Connection& conn;
  absl::Time now;
  const Actor& actor;
  const FieldSchema& schema;
  std::string_view default_region;
};

// A customer draft after validation and normalisation, ready to store (no database access needed
// to build it; the importer validates rows with it before writing).
struct PreparedCustomer {
  FieldMap fields;  // canonical values, core and custom
  std::vector<ContactPoint> contact_points;  // normalised; ids unset
  std::vector<std::string> tags;             // normalised, unique, sorted
  std::vector<ExternalId> external_ids;
  // Derived once when prepared (off the writing thread during imports).
  std::string custom_json;  // the custom fields of `fields` as a JSON object
  std::string name_key;     // the name folded for matching; empty when `fields` has no name
};

// With `for_create` false, required fields are not checked (the draft only adds to a record).
absl::StatusOr<PreparedCustomer> PrepareCustomer(const FieldSchema& schema, std::string_view default_region,
                                                 const CustomerDraft& draft, bool for_create = true);
absl::StatusOr<std::string> NormalizeTag(std::string_view tag);
absl::Status ValidateExternalId(const ExternalId& key);

absl::StatusOr<Customer> LoadCustomer(Connection& conn, const FieldSchema& schema, CustomerId id,
                                      bool include_deleted);
absl::StatusOr<std::optional<CustomerId>> LookupExternalId(Connection& conn, const ExternalId& key);

// Stores a prepared customer. With `log` false the caller logs (bulk imports log compactly).
// `checked_key`, when given, is an external id of the customer the caller just found free.
absl::StatusOr<CustomerId> InsertCustomer(const WriteContext& ctx, const PreparedCustomer& customer, bool log = true,
                                          const ExternalId* checked_key = nullptr);
// Applies canonical field changes; adds the draft's contact points, tags and external ids that are
// missing. Bumps the version once. Returns false when nothing changed.
absl::StatusOr<bool> MergeIntoCustomer(const WriteContext& ctx, CustomerId id, const FieldMap& fields,
                                       const PreparedCustomer* extras, std::optional<int64_t> expected_version,
                                       bool log = true);
absl::StatusOr<FieldMap> CanonicalPatch(const FieldSchema& schema, const FieldMap& fields);

absl::Status SetDeleted(const WriteContext& ctx, CustomerId id, bool deleted, std::optional<int64_t> expected_version);
absl::Status Purge(const WriteContext& ctx, CustomerId id);

absl::StatusOr<ContactPoint> AddContactPoint(const WriteContext& ctx, CustomerId id, const ContactPointDraft& draft);
absl::StatusOr<ContactPoint> UpdateContactPoint(const WriteContext& ctx, ContactPointId id, const ContactPointPatch& patch);
absl::Status RemoveContactPoint(const WriteContext& ctx, ContactPointId id);
absl::Status ChangeTag(const WriteContext& ctx, CustomerId id, std::string_view tag, bool add);
absl::Status AddExternalId(const WriteContext& ctx, CustomerId id, const ExternalId& key);
absl::Status RemoveExternalId(const WriteContext& ctx, const ExternalId& key);
absl::Status LinkContact(const WriteContext& ctx, CustomerId org, CustomerId person, std::string_view role);
absl::Status UnlinkContact(const WriteContext& ctx, CustomerId org, CustomerId person);
absl::StatusOr<std::vector<ContactRole>> ListRoles(Connection& conn, CustomerId id, bool as_organization);

absl::StatusOr<CustomerPage> SearchCustomers(Connection& conn, const FieldSchema& schema,
                                             std::string_view default_region, const CustomerQuery& query);

// NotFound unless customer `id` exists (and, unless `include_deleted`, is not deleted).
absl::Status CheckCustomerExists(Connection& conn, CustomerId id, bool include_deleted = false);

}  // namespace rapport::internal

#endif  // RAPPORT_MODEL_CUSTOMER_REPOSITORY_H_
