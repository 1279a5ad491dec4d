// rapport cohorts DB [--period month|week|quarter] [--as-of T] [--max-periods N] [--counts]
//   [--currency C] [--status S]... [--csv | --json]
#include <cstdio>
#include <string>

#include "base/time_format.h"
#include "cli/analytics_common.h"
#include "cli/command.h"
#include "cli/format.h"
#include "rapport/retention.h"

namespace rapport::cli {
namespace {

constexpr char kName[] = "cohorts";

using Json = nlohmann::ordered_json;

std::string Time(int64_t micros) { return internal::FormatTimestamp(absl::FromUnixMicros(micros)); }

int RunCohorts(const ParsedArgs& args) {
  if (auto e = CheckOutputForm(args)) return UsageError(kName, *e);
  CohortOptions options;
  if (auto period = args.Get("period")) {
    if (*period == "week") {
      options.period = CohortPeriod::kWeek;
    } else if (*period == "month") {
      options.period = CohortPeriod::kMonth;
    } else if (*period == "quarter") {
      options.period = CohortPeriod::kQuarter;
    } else {
      return UsageError(kName, "--period is 'week', 'month' or 'quarter', not '" + *period + "'");
    }
  }
  int64_t max_periods = 0;
  if (auto e = GetIntOption(args, "max-periods", 1, 100000, &max_periods)) return UsageError(kName, *e);
  options.max_periods = static_cast<int>(max_periods);
  std::optional<int64_t> as_of;
  if (auto e = TimeOption(args, "as-of", &as_of)) return UsageError(kName, *e);

  auto db = OpenDatabase(args.positionals[0]);
  if (!db.ok()) return Fail(db.status());
  const int64_t when = as_of.value_or(absl::ToUnixMicros(db->Now()));
  auto orders = db->LoadOrderFrame(OrderScope(args));
  if (!orders.ok()) return FailLoad(orders.status(), args);
  auto m = ComputeCohortRetention(*orders, when, options);
  if (!m.ok()) return Fail(m.status());

  const bool csv = args.Has("csv"), json = args.Has("json"), counts = args.Has("counts");
  if (json) {
    for (size_t c = 0; c < m->cohorts(); ++c) {
      Json j;
      j["cohort"] = m->labels[c];
      j["start"] = Time(m->starts[c]);
      j["size"] = m->sizes[c];
      Json n = Json::array(), r = Json::array();
      for (int k = 0; k < m->periods; ++k) {
        const bool future = m->count(c, k) < 0;
        n.push_back(future ? Json(nullptr) : Json(m->count(c, k)));
        r.push_back(future ? Json(nullptr) : Json(m->rate(c, k)));
      }
      j["counts"] = std::move(n);
      j["rates"] = std::move(r);
      PrintLine(DumpJson(j));
    }
    return kExitOk;
  }
  std::vector<std::string> header = {"cohort"};
  if (csv) header.push_back("start");
  header.push_back("size");
  for (int k = 0; k < m->periods; ++k) header.push_back(std::to_string(k));
  Table table(header);
  if (csv) PrintLine(CsvLine(header));
  for (size_t c = 0; c < m->cohorts(); ++c) {
    std::vector<std::string> row = {m->labels[c]};
    if (csv) row.push_back(Time(m->starts[c]));
    row.push_back(std::to_string(m->sizes[c]));
    for (int k = 0; k < m->periods; ++k) {
      if (m->count(c, k) < 0) {
        row.emplace_back();
      } else if (counts) {
        row.push_back(std::to_string(m->count(c, k)));
      } else {
        row.push_back(csv ? CsvNumber(m->rate(c, k)) : Percent(m->rate(c, k)));
      }
    }
    if (csv) PrintLine(CsvLine(row)); else table.AddRow(std::move(row));
  }
  if (csv) return kExitOk;
  const std::string period(ToString(options.period));
  if (m->cohorts() == 0) {
    std::printf("no customers with orders as of %s\n", Time(when).c_str());
    return kExitOk;
  }
  table.Print(stdout);
  std::printf("(%s of each %s cohort ordering k %ss after its first order, as of %s)\n",
              counts ? "customers" : "share", period.c_str(), period.c_str(), Time(when).c_str());
  return kExitOk;
}

}  // namespace

const Command& CohortsCommand() {
  static const Command* command = new Command{
      .name = "cohorts",
      .summary = "cohort retention: who ordered again, period by period",
      .help =
          "Usage: rapport cohorts DB [--period month|week|quarter] [--as-of TIME] [--max-periods N]\n"
          "                          [--counts] [--currency C] [--status S]... [--csv | --json]\n"
          "\n"
          "Groups customers by the calendar period (UTC) of their first order (their cohort) and shows,\n"
          "for k = 0, 1, 2, ..., the share of each cohort that ordered in the k-th period after it\n"
          "(k = 0 is the cohort period itself: 100%). Periods after the one containing --as-of have not\n"
          "happened and are left blank (null in JSON). Weeks are ISO weeks (2025-W03), quarters 2025-Q1.\n"
          "The rules are in docs/analytics-rfm.md.\n"
          "\n"
          "Options:\n"
          "  --period P        month (default), week or quarter\n"
          "  --as-of TIME      RFC 3339 or YYYY-MM-DD (UTC); orders after it do not count; default: now\n"
          "  --max-periods N   at most N columns (k < N)\n"
          "  --counts          customers instead of shares\n"
          "  --currency C      orders in currency C count (needed when orders use several)\n"
          "  --status S        orders with status S count (repeatable; default: completed)\n"
          "  --csv             CSV: cohort, start, size, then one column per k (shares 0..1 or counts)\n"
          "  --json            JSON lines: {\"cohort\", \"start\", \"size\", \"counts\": [...], \"rates\": [...]}\n"
          "\n"
          "Examples:\n"
          "  rapport cohorts crm.db\n"
          "  rapport cohorts crm.db --period week --max-periods 12 --as-of 2025-06-30 --csv\n",
      .options = {{"period", true, false},
                  {"as-of", true, false},
                  {"max-periods", true, false},
                  {"counts", false, false},
                  {"currency", true, false},
                  {"status", true, true},
                  {"csv", false, false},
                  {"json", false, false}},
      .min_positionals = 1,
      .max_positionals = 1,
      .run = RunCohorts,
  };
  return *command;
}

}  // namespace rapport::cli
