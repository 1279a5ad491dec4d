// rapport demo DB [--customers N] [--seed S]
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "absl/strings/str_join.h"
#include "base/time_format.h"
#include "cli/command.h"
#include "cli/demo_data.h"
#include "cli/format.h"

namespace rapport::cli {
namespace {

// Runs a name search, prints the first rows as a table and how many customers match in all.
absl::Status ShowNameSearch(const Database& db, const std::string& text) {
  CustomerQuery query;
  query.name_contains = text;
  query.limit = 1000;
  Table table({"id", "name", "kind", "region", "email", "phone", "tags"});
  int64_t total = 0;
  while (true) {
    auto page = db.SearchCustomers(query);
    if (!page.ok()) return page.status();
    for (const Customer& c : page->customers) {
      if (table.rows() < 5) {
        table.AddRow({std::to_string(ToInt(c.id)), c.name, std::string(ToString(c.kind)), c.region.value_or(""),
                      PrimaryContact(c, ContactKind::kEmail), PrimaryContact(c, ContactKind::kPhone),
                      absl::StrJoin(c.tags, ",")});
      }
      ++total;
    }
    if (!page->next) break;
    query.after = page->next;
  }
  std::printf("\nSearch: rapport search DB --name %s  (%lld match%s%s)\n", text.c_str(), static_cast<long long>(total),
              total == 1 ? "" : "es", total > 5 ? ", first 5 shown" : "");
  if (total > 0) table.Print(stdout);
  return absl::OkStatus();
}

int RunDemo(const ParsedArgs& args) {
  const std::string& path = args.positionals[0];
  demo::DemoConfig config;
  int64_t seed = 1;
  if (auto e = GetIntOption(args, "customers", 0, 10'000'000, &config.customers)) return UsageError("demo", *e);
  if (auto e = GetIntOption(args, "seed", 0, INT64_MAX, &seed)) return UsageError("demo", *e);
  config.seed = static_cast<uint64_t>(seed);

  auto clock = std::make_shared<ManualClock>(demo::DemoClockStart());
  auto db = OpenDatabase(path, OpenOptions{.create = true, .region = "CN", .clock = clock});
  if (!db.ok()) return Fail(db.status());
  if (db->LastChangeSeq() > 0) {
    return Fail(path + " already holds data; the demo needs a new database (e.g. rapport demo new.db)");
  }

  const absl::Time started = absl::Now();
  const demo::DemoDataset data = demo::GenerateDemoData(config);
  const bool tty = isatty(STDERR_FILENO) == 1;
  std::function<void(int64_t)> progress;
  if (tty && config.customers >= 10000) {
    progress = [&](int64_t done) {
      std::fprintf(stderr, "\rloading: %lld/%lld customers", static_cast<long long>(done),
                   static_cast<long long>(config.customers));
      std::fflush(stderr);
    };
  }
  auto stats = demo::LoadDemoData(*db, data, clock.get(), 500, progress);
  if (progress) std::fputc('\n', stderr);
  if (!stats.ok()) return Fail(ErrorText("demo", stats.status()));
  const double seconds = absl::ToDoubleSeconds(absl::Now() - started);

  std::printf("Built a demo CRM in %s (seed %llu) in %.2f s (%.0f customers/s)\n", path.c_str(),
              static_cast<unsigned long long>(config.seed), seconds,
              seconds > 0 ? static_cast<double>(stats->customers) / seconds : 0.0);
  auto row = [](const char* what, int64_t n, const std::string& note) {
    std::printf("  %-16s %8lld  %s\n", what, static_cast<long long>(n), note.c_str());
  };
  row("customers", stats->customers,
      std::to_string(stats->people) + " people, " + std::to_string(stats->organizations) + " organisations");
  row("contact points", stats->contact_points, "emails and phones (CN +86, US +1, DE +49, FR +33)");
  row("tags", stats->tags, "vip, churn-risk, newsletter, wholesale, referral, trade-show-2024");
  row("external ids", stats->external_ids, "system \"erp\", keys C000001...");
  row("contacts", stats->links, "people linked to organisations with a role");
  row("orders", stats->orders, "CNY, USD and EUR, 2022-01-01 to 2024-12-31");
  row("activities", stats->activities, "calls, visits, emails, notes, messages");
  row("custom fields", stats->custom_fields, "vip_level (integer 0..5), segment (enum)");
  std::printf("  %-16s %8s  manual, %s to %s\n", "clock", "",
              internal::FormatTimestamp(demo::DemoClockStart()).c_str(),
              internal::FormatTimestamp(clock->Now()).c_str());

  // A sample: the first organisation, as `rapport get` shows it.
  for (CustomerId id : stats->ids) {
    auto c = db->GetCustomer(id);
    if (!c.ok()) return Fail(c.status());
    if (c->kind != CustomerKind::kOrganization) continue;
    std::printf("\nSample customer: rapport get DB %lld\n", static_cast<long long>(ToInt(id)));
    PrintLine(DumpJson(CustomerToJsonObject(*c), 2));
    break;
  }
  for (const char* text : {"科技", "阿里"}) {
    if (auto s = ShowNameSearch(*db, text); !s.ok()) return Fail(ErrorText("search", s));
  }
  std::printf("\nLast change seq: %lld\n", static_cast<long long>(db->LastChangeSeq()));
  std::printf("\nTry:\n  rapport get %s 1\n  rapport search %s --name 科技 --tag vip\n  rapport changes %s --limit 5\n",
              path.c_str(), path.c_str(), path.c_str());
  return kExitOk;
}

}  // namespace

const Command& DemoCommand() {
  static const Command* command = new Command{
      .name = "demo",
      .summary = "build a deterministic synthetic dataset",
      .help = "Usage: rapport demo DB [--customers N] [--seed S]\n"
              "\n"
              "Creates DB and fills it with a synthetic CRM: people and organisations with Chinese and\n"
              "Latin names (杭州云栖科技有限公司, Müller GmbH, Zhang Wei, 王芳), regions, owners, emails,\n"
              "phones, tags, custom fields vip_level and segment, external ids in system \"erp\",\n"
              "organisation contacts with roles, orders (CNY, USD, EUR) over three years and activities.\n"
              "Then prints the counts, the time taken, a sample customer, sample searches and the last\n"
              "change seq.\n"
              "\n"
              "The dataset is deterministic: the same N and S give the same records and the same change\n"
              "feed on every run and machine (a manual clock starting at 2025-01-01T00:00:00Z is used).\n"
              "DB must be new (or an empty Rapport database).\n"
              "\n"
              "Options:\n"
              "  --customers N   how many customers (default 2000)\n"
              "  --seed S        the random seed (default 1)\n"
              "\n"
              "Example:\n"
              "  rapport demo demo.db --customers 10000 --seed 7\n",
      .options = {{"customers", true, false}, {"seed", true, false}},
      .min_positionals = 1,
      .max_positionals = 1,
      .run = RunDemo,
  };
  return *command;
}

}  // namespace rapport::cli
