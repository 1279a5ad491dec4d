// rapport get DB (ID | --external SYSTEM:KEY) [--json] [--timeline N] [--include-deleted]
#include <cstdio>
#include <string>

#include "cli/command.h"
#include "cli/format.h"

namespace rapport::cli {
namespace {

int RunGet(const ParsedArgs& args) {
  const std::string& path = args.positionals[0];
  const std::optional<std::string> external = args.Get("external");
  if (external.has_value() == (args.positionals.size() == 2)) {
    return UsageError("get", "give either a customer ID or --external SYSTEM:KEY");
  }
  int64_t timeline_limit = 20;
  if (auto e = GetIntOption(args, "timeline", 0, 10000, &timeline_limit)) return UsageError("get", *e);
  int64_t id = 0;
  ExternalId key;
  if (external) {
    const size_t colon = external->find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == external->size()) {
      return UsageError("get", "--external '" + *external + "' is not SYSTEM:KEY");
    }
    key = ExternalId{external->substr(0, colon), external->substr(colon + 1)};
  } else if (!ParseInt64(args.positionals[1], &id) || id <= 0) {
    return UsageError("get", "'" + args.positionals[1] + "' is not a customer id (a positive integer)");
  }

  auto db = OpenDatabase(path);
  if (!db.ok()) return Fail(db.status());
  absl::StatusOr<Customer> customer = external ? db->FindByExternalId(key)
                                               : db->GetCustomer(CustomerId{id}, args.Has("include-deleted"));
  if (!customer.ok()) return Fail(customer.status());

  std::vector<TimelineItem> timeline;
  if (timeline_limit > 0) {
    auto items = db->Timeline(customer->id, TimelineQuery{.limit = static_cast<int>(timeline_limit)});
    if (!items.ok()) return Fail(ErrorText("timeline", items.status()));
    timeline = std::move(items).value();
  }
  auto roles = customer->kind == CustomerKind::kOrganization ? db->ContactsOf(customer->id)
                                                             : db->OrganizationsOf(customer->id);
  if (!roles.ok()) return Fail(ErrorText("contacts", roles.status()));
  const bool is_org = customer->kind == CustomerKind::kOrganization;
  // The other side of each link, with its name when it can be read.
  nlohmann::ordered_json links = nlohmann::ordered_json::array();
  for (const ContactRole& r : *roles) {
    const CustomerId other = is_org ? r.person : r.organization;
    auto c = db->GetCustomer(other);
    links.push_back({{is_org ? "person" : "organization", ToInt(other)},
                     {"name", c.ok() ? nlohmann::ordered_json(c->name) : nlohmann::ordered_json(nullptr)},
                     {"role", r.role}});
  }

  if (args.Has("json")) {
    nlohmann::ordered_json j;
    j["customer"] = CustomerToJsonObject(*customer);
    j[is_org ? "contacts" : "organizations"] = links;
    j["timeline"] = nlohmann::ordered_json::array();
    for (const TimelineItem& item : timeline) j["timeline"].push_back(TimelineItemToJson(item));
    PrintLine(DumpJson(j));
    return kExitOk;
  }
  PrintLine(DumpJson(CustomerToJsonObject(*customer), 2));
  if (!links.empty()) {
    std::printf("\n%s:\n", is_org ? "Contacts" : "Organizations");
    for (const auto& l : links) {
      std::printf("  #%lld  %s  (%s)\n", static_cast<long long>(l[is_org ? "person" : "organization"].get<int64_t>()),
                  l["name"].is_string() ? l["name"].get<std::string>().c_str() : "?",
                  l["role"].get<std::string>().c_str());
    }
  }
  if (timeline_limit > 0) {
    std::printf("\nTimeline (latest %lld):\n", static_cast<long long>(timeline_limit));
    if (timeline.empty()) std::printf("  (no orders or activities)\n");
    for (const TimelineItem& item : timeline) PrintLine("  " + TimelineItemLine(item));
  }
  return kExitOk;
}

}  // namespace

const Command& GetCommand() {
  static const Command* command = new Command{
      .name = "get",
      .summary = "show a customer and its latest timeline items",
      .help = "Usage: rapport get DB ID [options]\n"
              "       rapport get DB --external SYSTEM:KEY [options]\n"
              "\n"
              "Prints the customer with id ID (or external id KEY in SYSTEM) as JSON, its organisation\n"
              "contacts (or the organisations a person is a contact of) and its latest orders and\n"
              "activities, newest first.\n"
              "\n"
              "Options:\n"
              "  --external SYSTEM:KEY   find the customer by external id instead of ID\n"
              "  --json                  one line of JSON: {\"customer\", \"contacts\"|\"organizations\", \"timeline\"}\n"
              "  --timeline N            how many timeline items to show (default 20; 0 for none)\n"
              "  --include-deleted       also show a deleted customer (by ID)\n"
              "\n"
              "Examples:\n"
              "  rapport get crm.db 42\n"
              "  rapport get crm.db --external erp:C000042 --json\n",
      .options = {{"external", true, false},
                  {"json", false, false},
                  {"timeline", true, false},
                  {"include-deleted", false, false}},
      .min_positionals = 1,
      .max_positionals = 2,
      .run = RunGet,
  };
  return *command;
}

}  // namespace rapport::cli
