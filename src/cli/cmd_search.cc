// rapport search DB [criteria] [--limit N] [--after ID] [--all] [--json|--csv]
#include <cstdio>
#include <string>

#include "absl/strings/str_join.h"
#include "cli/command.h"
#include "cli/format.h"

namespace rapport::cli {
namespace {

std::vector<std::string> SummaryRow(const Customer& c) {
  return {std::to_string(ToInt(c.id)), c.name, std::string(ToString(c.kind)), PrimaryContact(c, ContactKind::kEmail),
          PrimaryContact(c, ContactKind::kPhone), absl::StrJoin(c.tags, ",")};
}

int RunSearch(const ParsedArgs& args) {
  const std::string& path = args.positionals[0];
  if (args.Has("json") && args.Has("csv")) return UsageError("search", "give at most one of --json and --csv");
  CustomerQuery query;
  if (auto v = args.Get("name")) query.name_contains = *v;
  if (auto v = args.Get("contact")) query.contact = *v;
  query.tags = args.GetAll("tag");
  int64_t owner = 0, after = 0, limit = 50;
  if (auto e = GetIntOption(args, "owner", 1, INT64_MAX, &owner)) return UsageError("search", *e);
  if (owner > 0) query.owner = UserId{owner};
  if (auto v = args.Get("stage")) query.lifecycle_stage = *v;
  if (auto v = args.Get("field")) {
    const size_t eq = v->find('=');
    if (eq == std::string::npos || eq == 0) return UsageError("search", "--field '" + *v + "' is not NAME=VALUE");
    query.custom_field_equals = std::make_pair(v->substr(0, eq), Value(v->substr(eq + 1)));
  }
  if (auto v = args.Get("external")) {
    const size_t colon = v->find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == v->size()) {
      return UsageError("search", "--external '" + *v + "' is not SYSTEM:KEY");
    }
    query.external_id = ExternalId{v->substr(0, colon), v->substr(colon + 1)};
  }
  query.include_deleted = args.Has("include-deleted");
  if (auto e = GetIntOption(args, "after", 0, INT64_MAX, &after)) return UsageError("search", *e);
  if (after > 0) query.after = CustomerId{after};
  if (auto e = GetIntOption(args, "limit", 1, 10000, &limit)) return UsageError("search", *e);
  query.limit = static_cast<int>(limit);
  const bool all = args.Has("all");
  if (all && !args.Has("limit")) query.limit = 1000;

  auto db = OpenDatabase(path, OpenOptions{.region = args.Get("region").value_or("")});
  if (!db.ok()) return Fail(db.status());

  const bool json = args.Has("json"), csv = args.Has("csv");
  Table table({"id", "name", "kind", "email", "phone", "tags"});
  if (csv) PrintLine(CsvLine({"id", "name", "kind", "email", "phone", "tags"}));
  int64_t shown = 0;
  std::optional<CustomerId> next;
  while (true) {
    auto page = db->SearchCustomers(query);
    if (!page.ok()) return Fail(ErrorText("search", page.status()));
    for (const Customer& c : page->customers) {
      if (json) {
        PrintLine(DumpJson(CustomerToJsonObject(c)));
      } else if (csv) {
        PrintLine(CsvLine(SummaryRow(c)));
      } else {
        table.AddRow(SummaryRow(c));
      }
      ++shown;
    }
    next = page->next;
    if (!all || !next) break;
    query.after = next;
  }
  if (!json && !csv) {
    if (shown == 0) {
      std::printf("no customers found\n");
    } else {
      table.Print(stdout);
      std::printf("(%lld customer%s", static_cast<long long>(shown), shown == 1 ? "" : "s");
      if (next) std::printf("; more with --after %lld", static_cast<long long>(ToInt(*next)));
      std::printf(")\n");
    }
  } else if (next) {
    std::fprintf(stderr, "rapport: more results: continue with --after %lld\n", static_cast<long long>(ToInt(*next)));
  }
  return kExitOk;
}

}  // namespace

const Command& SearchCommand() {
  static const Command* command = new Command{
      .name = "search",
      .summary = "list customers matching criteria",
      .help =
          "Usage: rapport search DB [options]\n"
          "\n"
          "Lists the customers matching all the criteria given, ordered by id, as a table (id, name,\n"
          "kind, primary email and phone, tags), CSV or JSON lines (one customer object per line).\n"
          "\n"
          "Criteria:\n"
          "  --name S              the name contains S (case- and width-insensitive; e.g. 科技)\n"
          "  --contact S           has the email or phone S (matched after normalisation)\n"
          "  --tag T               has tag T (repeatable: all of them)\n"
          "  --owner N             owned by user id N\n"
          "  --stage S             in lifecycle stage S\n"
          "  --field NAME=VALUE    custom field NAME equals VALUE\n"
          "  --external SYSTEM:KEY has this external id\n"
          "  --include-deleted     include deleted customers\n"
          "\n"
          "Output and paging:\n"
          "  --limit N             at most N customers (default 50, at most 10000)\n"
          "  --after ID            only customers with an id greater than ID (the next page)\n"
          "  --all                 every match, page after page\n"
          "  --json                JSON lines\n"
          "  --csv                 CSV with a header row\n"
          "  --region CC           region for a --contact phone without a country code (default US)\n"
          "\n"
          "Examples:\n"
          "  rapport search crm.db --name 科技 --tag vip\n"
          "  rapport search crm.db --contact +8613800138000 --json\n"
          "  rapport search crm.db --all --csv > customers.csv\n",
      .options = {{"name", true, false},
                  {"contact", true, false},
                  {"tag", true, true},
                  {"owner", true, false},
                  {"stage", true, false},
                  {"field", true, false},
                  {"external", true, false},
                  {"include-deleted", false, false},
                  {"limit", true, false},
                  {"after", true, false},
                  {"all", false, false},
                  {"json", false, false},
                  {"csv", false, false},
                  {"region", true, false}},
      .min_positionals = 1,
      .max_positionals = 1,
      .run = RunSearch,
  };
  return *command;
}

}  // namespace rapport::cli
