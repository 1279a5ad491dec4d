// A deterministic synthetic CRM dataset: Chinese and Latin-script people and organisations with
// contact points, tags, custom fields, external ids, organisation contacts, orders and activities.
//
// The same config gives the same dataset on every machine and standard library: randomness comes
// from SplitMix64 only (no std::*_distribution), and loading it into a database opened with a
// ManualClock at DemoClockStart() gives identical records and change feeds run after run. Used by
// `rapport demo`; meant to be reused by benchmarks.
#ifndef RAPPORT_CLI_DEMO_DATA_H_
#define RAPPORT_CLI_DEMO_DATA_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/splitmix64.h"
#include "absl/time/time.h"
#include "rapport/clock.h"
#include "rapport/customer.h"
#include "rapport/database.h"
#include "rapport/timeline.h"

namespace rapport::demo {

using rapport::SplitMix64;

struct DemoConfig {
  int64_t customers = 2000;
  uint64_t seed = 1;
};

// The fixed instant the demo clock starts at (2025-01-01T00:00:00Z); orders and activities lie in
// the three years before it.
absl::Time DemoClockStart();

struct DemoCustomer {
  CustomerDraft draft;
  // Drafts whose `customer` is filled in when the customer has been created.
  std::vector<OrderDraft> orders;
  std::vector<ActivityDraft> activities;
};

// A person (by index into DemoDataset::customers) who is a contact of an organisation.
struct DemoLink {
  size_t organization = 0;
  size_t person = 0;
  std::string role;
};

struct DemoDataset {
  std::vector<CustomFieldDef> custom_fields;
  std::vector<DemoCustomer> customers;
  std::vector<DemoLink> links;
};

// Generates the dataset for `config` (pure: no database involved).
DemoDataset GenerateDemoData(const DemoConfig& config);

struct DemoStats {
  int64_t customers = 0;
  int64_t people = 0;
  int64_t organizations = 0;
  int64_t contact_points = 0;
  int64_t tags = 0;
  int64_t external_ids = 0;
  int64_t links = 0;
  int64_t orders = 0;
  int64_t activities = 0;
  int64_t custom_fields = 0;
  std::vector<CustomerId> ids;  // the created customers, in dataset order
};

// Loads `data` into `db` (custom field definitions first, then customers with their orders and
// activities, then organisation contacts), in transactions of `batch` customers. When `clock` is
// given (the clock `db` was opened with), it is advanced a few seconds per customer so that
// creation times differ deterministically. `progress`, when set, is called after each batch with
// the number of customers loaded.
absl::StatusOr<DemoStats> LoadDemoData(Database& db, const DemoDataset& data, ManualClock* clock = nullptr,
                                       int batch = 500, const std::function<void(int64_t)>& progress = {});

}  // namespace rapport::demo

#endif  // RAPPORT_CLI_DEMO_DATA_H_
