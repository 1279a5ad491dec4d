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

// Prints one result row (repurchase or churn) as a table, CSV or one JSON object.
void PrintOne(const std::vector<std::string>& header, const std::vector<std::string>& table_row,
              const std::vector<std::string>& csv_row, const Json& json, const ParsedArgs& args) {
  if (args.Has("json")) {
    PrintLine(DumpJson(json));
  } else if (args.Has("csv")) {
    PrintLine(CsvLine(header));
    PrintLine(CsvLine(csv_row));
  } else {
    Table table(header);
    table.AddRow(table_row);
    table.Print(stdout);
  }
}

int Repurchase(const ParsedArgs& args, const OrderFrame& orders, int64_t as_of) {
  RepurchaseOptions options;
  if (auto e = DurationOption(args, "window", &options.window)) return UsageError(kName, *e);
  auto r = ComputeRepurchaseRate(orders, as_of, options);
  if (!r.ok()) return Fail(r.status());
  Json j;
  j["as_of"] = Time(as_of);
  j["window"] = DurationText(options.window);
  j["repeat_customers"] = r->repeat_customers;
  j["eligible_customers"] = r->eligible_customers;
  j["rate"] = r->rate;
  const std::vector<std::string> header = {"window", "repeat_customers", "eligible_customers", "rate"};
  const std::string window = DurationText(options.window);
  PrintOne(header,
           {window, std::to_string(r->repeat_customers), std::to_string(r->eligible_customers), Percent(r->rate)},
           {window, std::to_string(r->repeat_customers), std::to_string(r->eligible_customers), CsvNumber(r->rate)}, j,
           args);
  if (!args.Has("json") && !args.Has("csv")) {
    std::printf("(customers whose first order is at least %s before %s; repeat: a second order within %s of it)\n",
                window.c_str(), Time(as_of).c_str(), window.c_str());
  }
  return kExitOk;
}

int Churn(const ParsedArgs& args, const OrderFrame& orders) {
  ChurnOptions options;
  std::optional<int64_t> start, end;
  if (auto e = TimeOption(args, "start", &start)) return UsageError(kName, *e);
  if (auto e = TimeOption(args, "end", &end)) return UsageError(kName, *e);
  if (!start || !end) return UsageError(kName, "--churn needs --start TIME and --end TIME");
  options.start = *start;
  options.end = *end;
  if (auto e = DurationOption(args, "lookback", &options.lookback)) return UsageError(kName, *e);
  auto c = ComputeChurn(orders, options);
  if (!c.ok()) return Fail(c.status());
  Json j;
  j["start"] = Time(options.start);
  j["end"] = Time(options.end);
  j["lookback"] = DurationText(options.lookback);
  j["churned_customers"] = c->churned_customers;
  j["base_customers"] = c->base_customers;
  j["rate"] = c->rate;
  const std::vector<std::string> header = {"start", "end", "churned_customers", "base_customers", "rate"};
  PrintOne(header,
           {Time(options.start), Time(options.end), std::to_string(c->churned_customers),
            std::to_string(c->base_customers), Percent(c->rate)},
           {Time(options.start), Time(options.end), std::to_string(c->churned_customers),
            std::to_string(c->base_customers), CsvNumber(c->rate)},
           j, args);
  if (!args.Has("json") && !args.Has("csv")) {
    std::printf("(base: customers with an order in the %s before start; churned: no order from start to end)\n",
                DurationText(options.lookback).c_str());
  }
  return kExitOk;
}

// Options that belong to one view only.
std::optional<std::string> CheckViewOptions(const ParsedArgs& args) {
  const bool repurchase = args.Has("repurchase"), churn = args.Has("churn");
  if (repurchase && churn) return "give at most one of --repurchase and --churn";
  const char* view = repurchase ? "--repurchase" : churn ? "--churn" : "the cohort matrix";
  for (const char* option : {"period", "max-periods", "counts"}) {
    if ((repurchase || churn) && args.Has(option)) {
      return "option '--" + std::string(option) + "' does not apply to " + view;
    }
  }
  if (!repurchase && args.Has("window")) return "option '--window' applies to --repurchase only";
  for (const char* option : {"start", "end", "lookback"}) {
    if (!churn && args.Has(option)) return "option '--" + std::string(option) + "' applies to --churn only";
  }
  if (churn && args.Has("as-of")) return "option '--as-of' does not apply to --churn (it has --start and --end)";
  return std::nullopt;
}

int RunCohorts(const ParsedArgs& args) {
  if (auto e = CheckOutputForm(args)) return UsageError(kName, *e);
  if (auto e = CheckViewOptions(args)) return UsageError(kName, *e);
  if (args.Has("churn")) {
    auto db = OpenDatabase(args.positionals[0]);
    if (!db.ok()) return Fail(db.status());
    auto orders = db->LoadOrderFrame(OrderScope(args));
    if (!orders.ok()) return FailLoad(orders.status(), args);
    return Churn(args, *orders);
  }
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
  if (args.Has("repurchase")) return Repurchase(args, *orders, when);
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
      .summary = "cohort retention: who ordered again, period by period; repurchase, churn",
      .help =
          "Usage: rapport cohorts DB [--period month|week|quarter] [--as-of TIME] [--max-periods N]\n"
          "                          [--counts] [--currency C] [--status S]... [--csv | --json]\n"
          "       rapport cohorts DB --repurchase [--window D] [--as-of TIME] [--currency C] [--status S]...\n"
          "                          [--csv | --json]\n"
          "       rapport cohorts DB --churn --start TIME --end TIME [--lookback D] [--currency C]\n"
          "                          [--status S]... [--csv | --json]\n"
          "\n"
          "Groups customers by the calendar period (UTC) of their first order (their cohort) and shows,\n"
          "for k = 0, 1, 2, ..., the share of each cohort that ordered in the k-th period after it\n"
          "(k = 0 is the cohort period itself: 100%). Periods after the one containing --as-of have not\n"
          "happened and are left blank (null in JSON). Weeks are ISO weeks (2025-W03), quarters 2025-Q1.\n"
          "The rules are in docs/analytics-rfm.md.\n"
          "\n"
          "--repurchase: of the customers whose first order is at least the window before --as-of\n"
          "(eligible), how many ordered a second time within the window of their first order.\n"
          "--churn: of the customers with an order in the lookback before --start (the base), how many\n"
          "ordered nothing from --start to --end (churned). Both print one row: a table, CSV or a JSON\n"
          "object.\n"
          "\n"
          "Options:\n"
          "  --period P        month (default), week or quarter\n"
          "  --as-of TIME      RFC 3339 or YYYY-MM-DD (UTC); orders after it do not count; default: now\n"
          "  --max-periods N   at most N columns (k < N)\n"
          "  --counts          customers instead of shares\n"
          "  --repurchase      the repurchase rate instead of the matrix\n"
          "  --window D        repurchase window: a whole number and s, m, h, d or w (default 90d)\n"
          "  --churn           the churn rate in [--start, --end) instead of the matrix\n"
          "  --start, --end    the churn period (RFC 3339 or YYYY-MM-DD, UTC)\n"
          "  --lookback D      churn: who counts as a customer before --start (default 90d)\n"
          "  --currency C      orders in currency C count (needed when orders use several)\n"
          "  --status S        orders with status S count (repeatable; default: completed)\n"
          "  --csv             CSV: cohort, start, size, then one column per k (shares 0..1 or counts)\n"
          "  --json            JSON lines: {\"cohort\", \"start\", \"size\", \"counts\": [...], \"rates\": [...]}\n"
          "\n"
          "Examples:\n"
          "  rapport cohorts crm.db\n"
          "  rapport cohorts crm.db --period week --max-periods 12 --as-of 2025-06-30 --csv\n"
          "  rapport cohorts crm.db --repurchase --window 60d\n"
          "  rapport cohorts crm.db --churn --start 2025-04-01 --end 2025-07-01\n",
      .options = {{"period", true, false},
                  {"as-of", true, false},
                  {"max-periods", true, false},
                  {"counts", false, false},
                  {"repurchase", false, false},
                  {"window", true, false},
                  {"churn", false, false},
                  {"start", true, false},
                  {"end", true, false},
                  {"lookback", true, false},
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
