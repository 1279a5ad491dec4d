// rapport import DB FILE.csv --map COLUMN=TARGET ... [--upsert SYSTEM] [--all-or-nothing] [--region CC]
#include <unistd.h>

#include <cstdio>
#include <string>

#include "cli/command.h"
#include "cli/format.h"

namespace rapport::cli {
namespace {

constexpr int64_t kProgressEvery = 100000;

int RunImport(const ParsedArgs& args) {
  const std::string& path = args.positionals[0];
  const std::string& csv_path = args.positionals[1];
  ImportOptions options;
  const std::vector<std::string> maps = args.GetAll("map");
  if (maps.empty()) return UsageError("import", "at least one --map COLUMN=TARGET is required");
  for (const std::string& m : maps) {
    const size_t eq = m.rfind('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == m.size()) {
      return UsageError("import", "--map '" + m + "' is not COLUMN=TARGET");
    }
    auto [it, inserted] = options.mapping.emplace(m.substr(0, eq), m.substr(eq + 1));
    if (!inserted) return UsageError("import", "column '" + it->first + "' is mapped twice");
  }
  if (auto upsert = args.Get("upsert")) options.upsert_system = *upsert;
  options.all_or_nothing = args.Has("all-or-nothing");
  if (auto d = args.Get("delimiter")) {
    if (*d == "\\t" || *d == "tab") {
      options.delimiter = '\t';
    } else if (d->size() == 1) {
      options.delimiter = (*d)[0];
    } else {
      return UsageError("import", "--delimiter must be one character (or 'tab')");
    }
  }
  if (auto sep = args.Get("tag-separator")) options.tag_separator = *sep;

  const bool tty = isatty(STDERR_FILENO) == 1;
  bool progress_shown = false;
  if (tty) {
    options.progress_every = kProgressEvery;
    options.progress = [&progress_shown](int64_t rows) {
      std::fprintf(stderr, "\rimporting: %lld rows", static_cast<long long>(rows));
      std::fflush(stderr);
      progress_shown = true;
      return true;
    };
  }

  auto db = OpenDatabase(path, OpenOptions{.region = args.Get("region").value_or("")});
  if (!db.ok()) return Fail(db.status());
  auto report = db->ImportCsvFile(csv_path, options);
  if (progress_shown) std::fputc('\n', stderr);
  if (!report.ok()) return Fail(ErrorText("import of " + csv_path + " failed", report.status()));

  std::printf("rows: %lld  created: %lld  updated: %lld  failed: %lld  %s\n", static_cast<long long>(report->rows),
              static_cast<long long>(report->created), static_cast<long long>(report->updated),
              static_cast<long long>(report->failed),
              report->committed ? "committed" : "NOT committed (--all-or-nothing: the file has bad rows)");
  if (!report->errors.empty()) {
    Table table({"row", "field", "reason"}, 200);
    for (const ImportRowError& e : report->errors) table.AddRow({std::to_string(e.row), e.field, e.reason});
    std::printf("\n");
    table.Print(stdout);
  }
  return report->failed > 0 || !report->committed ? kExitError : kExitOk;
}

}  // namespace

const Command& ImportCommand() {
  static const Command* command = new Command{
      .name = "import",
      .summary = "import customers from a CSV file",
      .help =
          "Usage: rapport import DB FILE.csv --map COLUMN=TARGET... [options]\n"
          "\n"
          "Imports customers from FILE.csv (UTF-8, a header row first) into DB, one customer per row.\n"
          "Each --map names a CSV column and where it goes; unmapped columns are ignored.\n"
          "\n"
          "Targets:\n"
          "  name, kind, industry, region, size, source, owner, birthday, lifecycle_stage   core fields\n"
          "  <custom field name>        a custom field defined in DB\n"
          "  email, phone               a contact point (several columns may map to each)\n"
          "  tags                       tags, split on the tag separator (default ';')\n"
          "  external_id:SYSTEM         the customer's key in another system\n"
          "\n"
          "Options:\n"
          "  --map COLUMN=TARGET        map a column (repeatable; at least one)\n"
          "  --upsert SYSTEM            update the customer whose external id in SYSTEM matches the\n"
          "                             column mapped to external_id:SYSTEM, create it when none does\n"
          "  --all-or-nothing           import nothing when any row is bad\n"
          "  --region CC                region for phone numbers without a country code (e.g. CN, US;\n"
          "                             default US)\n"
          "  --delimiter C              the cell delimiter (default ','; 'tab' for tabs)\n"
          "  --tag-separator S          what separates tags in the tags column (default ';')\n"
          "\n"
          "Prints a summary and every bad row (row number, field, reason); rows are numbered from 1\n"
          "after the header. Progress goes to stderr every 100,000 rows when stderr is a terminal.\n"
          "Exit status: 0 when every row was imported, 1 when a row was bad (the good rows are still\n"
          "committed unless --all-or-nothing) or the import failed, 2 on usage errors.\n"
          "\n"
          "Example:\n"
          "  rapport import crm.db customers.csv --map Name=name --map Email=email --map Mobile=phone \\\n"
          "      --map ERP=external_id:erp --upsert erp --region CN\n",
      .options = {{"map", true, true},
                  {"upsert", true, false},
                  {"all-or-nothing", false, false},
                  {"region", true, false},
                  {"delimiter", true, false},
                  {"tag-separator", true, false}},
      .min_positionals = 2,
      .max_positionals = 2,
      .run = RunImport,
  };
  return *command;
}

}  // namespace rapport::cli
