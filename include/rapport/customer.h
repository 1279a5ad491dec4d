// The customer record: people and organisations, contact points, tags, custom fields, external ids.
#ifndef RAPPORT_CUSTOMER_H_
#define RAPPORT_CUSTOMER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "rapport/types.h"
#include "rapport/value.h"

namespace rapport {

enum class CustomerKind { kPerson = 0, kOrganization = 1 };
enum class ContactKind { kEmail = 0, kPhone = 1 };

// Fields by name: core fields ("kind", "name", "industry", "region", "size", "source", "owner",
// "birthday", "lifecycle_stage") and custom fields alike. A null value clears a field.
using FieldMap = std::map<std::string, Value, std::less<>>;

// A contact point as given by a caller; normalised on write (emails: domain lower-cased and syntax
// checked; phones: E.164 using the database's default region unless the number has a country code).
struct ContactPointDraft {
  ContactKind kind = ContactKind::kEmail;
  std::string value;
  std::string label;  // e.g. "work", "mobile"
  bool primary = false;
  bool opted_out = false;
  bool invalid = false;
};

struct ContactPoint {
  ContactPointId id{};
  CustomerId customer{};
  ContactKind kind = ContactKind::kEmail;
  std::string value;  // normalised: "alice@example.com", "+8613800138000"
  std::string raw;    // as given
  std::string label;
  bool primary = false;
  bool opted_out = false;
  bool invalid = false;
};

// Changes to a contact point's flags and label; unset members keep their value.
struct ContactPointPatch {
  std::optional<std::string> label;
  std::optional<bool> primary;
  std::optional<bool> opted_out;
  std::optional<bool> invalid;
};

// A new customer. `fields` must contain "name"; "kind" defaults to "person".
struct CustomerDraft {
  FieldMap fields;
  std::vector<ContactPointDraft> contact_points;
  std::vector<std::string> tags;
  std::vector<ExternalId> external_ids;

  CustomerDraft& Set(std::string field, Value value) {
    fields[std::move(field)] = std::move(value);
    return *this;
  }
};

// Changes to an existing customer's fields. With `expected_version`, the update fails with Aborted
// (and changes nothing) unless the stored record still has that version.
struct CustomerPatch {
  FieldMap fields;
  std::optional<int64_t> expected_version;

  CustomerPatch& Set(std::string field, Value value) {
    fields[std::move(field)] = std::move(value);
    return *this;
  }
};

// A customer as stored, with its contact points, tags and external ids.
struct Customer {
  CustomerId id{};
  CustomerKind kind = CustomerKind::kPerson;
  std::string name;
  std::optional<std::string> industry;
  std::optional<std::string> region;
  std::optional<std::string> size;
  std::optional<std::string> source;
  std::optional<UserId> owner;
  std::optional<absl::CivilDay> birthday;
  std::optional<std::string> lifecycle_stage;
  absl::Time created_at;
  absl::Time updated_at;
  std::optional<absl::Time> deleted_at;
  int64_t version = 0;
  FieldMap custom_fields;
  std::vector<ContactPoint> contact_points;
  std::vector<std::string> tags;  // sorted
  std::vector<ExternalId> external_ids;

  bool deleted() const { return deleted_at.has_value(); }
  // A core or custom field by name; null when unset or unknown.
  Value Get(std::string_view field) const;
  // The whole record as a JSON object (the form the C ABI and the CLI print).
  std::string ToJson() const;
};

// A person's role at an organisation ("purchaser", "CEO", ...).
struct ContactRole {
  CustomerId organization{};
  CustomerId person{};
  std::string role;
};

enum class FieldType {
  kText = 0,
  kInteger = 1,
  kDecimal = 2,
  kMoney = 3,
  kDate = 4,
  kTime = 5,  // an instant, microseconds since the epoch
  kBool = 6,
  kEnum = 7,
  kMultiEnum = 8,
};

// A custom field defined at run time. Values are validated against it on every write.
struct CustomFieldDef {
  std::string name;  // [a-z][a-z0-9_]*, not a core field name
  FieldType type = FieldType::kText;
  std::string label;
  bool required = false;
  bool unique = false;   // among customers that are not deleted; implies indexed
  bool indexed = false;  // queryable without a scan
  std::optional<double> min;  // numbers: value range; text: length range (in characters)
  std::optional<double> max;
  std::string pattern;               // text: a RE2 pattern the whole value must match
  std::vector<std::string> options;  // enum and multi-enum: the allowed values
  std::string currency;              // money: the required currency (empty: any)
};

// Which customers to list. All given criteria must hold. Results are ordered by id; page with `after`.
struct CustomerQuery {
  std::string name_contains;  // substring, case- and width-insensitive (NFKC case fold)
  std::string contact;        // an email or phone, matched after normalisation
  std::vector<std::string> tags;  // has all of these
  std::optional<UserId> owner;
  std::optional<std::string> lifecycle_stage;
  std::optional<std::pair<std::string, Value>> custom_field_equals;
  std::optional<ExternalId> external_id;
  bool include_deleted = false;
  std::optional<CustomerId> after;  // keyset paging: ids greater than this
  int limit = 50;
};

struct CustomerPage {
  std::vector<Customer> customers;
  std::optional<CustomerId> next;  // pass as `after` for the next page; empty at the end
};

struct UpsertResult {
  Customer customer;
  bool created = false;
};

std::string_view ToString(CustomerKind kind);
std::string_view ToString(ContactKind kind);
std::string_view ToString(FieldType type);

}  // namespace rapport

#endif  // RAPPORT_CUSTOMER_H_
