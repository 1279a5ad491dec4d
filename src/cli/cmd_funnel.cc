// rapport funnel DB --steps A,B,C --window DUR [--events FILE.csv] [--from T] [--to T] [--buckets D,...]
//   [--by FIELD] [--currency C] [--status S]... [--csv | --json]
// rapport stage-funnel --history FILE.csv --stages A,B,C [--won W]... [--lost L]... [--as-of T]
//   [--csv | --json]
#include <cmath>
#include <cstdio>
#include <string>
#include <variant>

#include "absl/strings/str_cat.h"
#include "base/time_format.h"
#include "cli/analytics_common.h"
#include "cli/command.h"
#include "cli/format.h"
#include "model/analytics_json.h"
#include "rapport/funnel.h"

namespace rapport::cli {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kOrderKind[] = "order";

std::string Time(int64_t micros) { return internal::FormatTimestamp(absl::FromUnixMicros(micros)); }

// ---- Event funnel ----

absl::Status ReadEvents(const std::string& path, EventFrame& events) {
  return ReadCsvColumns(path, {"customer", "kind", "at"}, [&](const std::vector<std::string>& cells) -> absl::Status {
    auto customer = IdCell("customer", cells[0]);
    if (!customer.ok()) return customer.status();
    auto at = TimeCell("at", cells[2]);
    if (!at.ok()) return at.status();
    events.customer.push_back(*customer);
    events.kind.Append(cells[1].empty() ? std::nullopt : std::optional<std::string_view>(cells[1]));
    events.at.push_back(*at);
    return absl::OkStatus();
  });
}

// The customers of the database grouped by the value of a field with one value per customer.
absl::StatusOr<CustomerGroups> GroupsBy(const Database& db, const std::string& field, const FrameOptions& scope) {
  auto frame = db.LoadCustomerFrame(scope);
  if (!frame.ok()) return frame.status();
  const Column* column = frame->Find(field);
  if (column == nullptr) return absl::InvalidArgumentError("--by: no customer field \"" + field + "\"");
  CustomerGroups g;
  g.customer = frame->ids;
  const size_t n = frame->rows();
  auto append = [&](std::optional<std::string> v) {
    g.group.Append(v ? std::optional<std::string_view>(*v) : std::nullopt);
  };
  if (const auto* c = std::get_if<CategoryColumn>(column)) {
    g.group = *c;
  } else if (const auto* t = std::get_if<TextColumn>(column)) {
    for (size_t i = 0; i < n; ++i) g.group.Append(t->Get(i));
  } else if (const auto* b = std::get_if<BoolColumn>(column)) {
    for (size_t i = 0; i < n; ++i) {
      const int8_t v = b->Get(i);
      append(v < 0 ? std::nullopt : std::optional<std::string>(v ? "true" : "false"));
    }
  } else if (const auto* x = std::get_if<NumberColumn>(column)) {
    for (size_t i = 0; i < n; ++i) {
      const double v = x->Get(i);
      append(std::isnan(v) ? std::nullopt : std::optional<std::string>(CsvNumber(v)));
    }
  } else if (const auto* tm = std::get_if<TimeColumn>(column)) {
    for (size_t i = 0; i < n; ++i) {
      const int64_t v = tm->Get(i);
      append(v == kNullTime ? std::nullopt : std::optional<std::string>(Time(v)));
    }
  } else {
    return absl::InvalidArgumentError("--by: \"" + field +
                                      "\" holds several values per customer; choose a field with one value");
  }
  return g;
}

std::string BucketLabel(const std::vector<int64_t>& edges, size_t i) {
  return i < edges.size() ? "<=" + DurationText(edges[i]) : ">" + DurationText(edges.back());
}

void PrintEventFunnel(const EventFunnelResult& r, const std::string& by, int64_t window, bool csv) {
  const std::vector<int64_t>& edges = r.bucket_edges;
  const size_t buckets = edges.size() + 1;
  if (csv) {
    if (!r.groups.empty()) {
      PrintLine(CsvLine({"group", "step", "kind", "customers"}));
      for (const auto& g : r.groups) {
        for (size_t k = 0; k < r.steps.size(); ++k) {
          PrintLine(CsvLine({g.label.value_or(""), std::to_string(k + 1), r.steps[k].kind, std::to_string(g.customers[k])}));
        }
      }
      return;
    }
    std::vector<std::string> header = {"step",           "kind",           "customers",   "conversion_from_previous",
                                       "conversion_from_first", "seconds_median", "seconds_p90", "seconds_mean"};
    for (size_t b = 0; b < buckets; ++b) header.push_back(BucketLabel(edges, b));
    PrintLine(CsvLine(header));
    for (size_t k = 0; k < r.steps.size(); ++k) {
      const EventFunnelStep& s = r.steps[k];
      std::vector<std::string> row = {std::to_string(k + 1), s.kind, std::to_string(s.customers),
                                      CsvNumber(s.conversion_from_previous), CsvNumber(s.conversion_from_first),
                                      CsvNumber(s.seconds_to_convert.median), CsvNumber(s.seconds_to_convert.p90),
                                      CsvNumber(s.seconds_to_convert.mean)};
      for (size_t b = 0; b < buckets; ++b) row.push_back(k == 0 ? "" : std::to_string(s.histogram[b]));
      PrintLine(CsvLine(row));
    }
    return;
  }
  Table steps({"step", "kind", "customers", "from_previous", "from_first", "median_time", "p90_time", "mean_time"});
  for (size_t k = 0; k < r.steps.size(); ++k) {
    const EventFunnelStep& s = r.steps[k];
    steps.AddRow({std::to_string(k + 1), s.kind, std::to_string(s.customers), Percent(s.conversion_from_previous),
                  Percent(s.conversion_from_first), SecondsText(s.seconds_to_convert.median),
                  SecondsText(s.seconds_to_convert.p90), SecondsText(s.seconds_to_convert.mean)});
  }
  steps.Print(stdout);
  if (r.steps.size() > 1) {
    std::printf("\nTime to convert (customers per bucket, from step 1):\n");
    std::vector<std::string> header = {"step", "kind"};
    for (size_t b = 0; b < buckets; ++b) header.push_back(BucketLabel(edges, b));
    Table histogram(header);
    for (size_t k = 1; k < r.steps.size(); ++k) {
      std::vector<std::string> row = {std::to_string(k + 1), r.steps[k].kind};
      for (int64_t n : r.steps[k].histogram) row.push_back(std::to_string(n));
      histogram.AddRow(std::move(row));
    }
    histogram.Print(stdout);
  }
  if (!r.groups.empty()) {
    std::printf("\nCustomers per step by %s:\n", by.c_str());
    std::vector<std::string> header = {by};
    for (const auto& s : r.steps) header.push_back(s.kind);
    Table groups(header);
    for (const auto& g : r.groups) {
      std::vector<std::string> row = {g.label ? *g.label : "(none)"};
      for (int64_t n : g.customers) row.push_back(std::to_string(n));
      groups.AddRow(std::move(row));
    }
    groups.Print(stdout);
  }
  std::printf("(window %s from step 1", DurationText(window).c_str());
  if (r.rows_missing_time > 0) {
    std::printf("; %lld event%s without a time ignored", static_cast<long long>(r.rows_missing_time),
                r.rows_missing_time == 1 ? "" : "s");
  }
  std::printf(")\n");
}

int RunFunnel(const ParsedArgs& args) {
  constexpr char kName[] = "funnel";
  if (auto e = CheckOutputForm(args)) return UsageError(kName, *e);
  EventFunnelOptions options;
  options.steps = ListOption(args, "steps");
  if (!args.Has("steps")) return UsageError(kName, "--steps A,B,... is required");
  if (!args.Has("window")) return UsageError(kName, "--window DURATION is required (e.g. 30d)");
  if (auto e = DurationOption(args, "window", &options.window)) return UsageError(kName, *e);
  if (auto e = TimeOption(args, "from", &options.from)) return UsageError(kName, *e);
  if (auto e = TimeOption(args, "to", &options.to)) return UsageError(kName, *e);
  if (args.Has("buckets")) {
    options.bucket_edges.clear();
    for (const std::string& item : ListOption(args, "buckets")) {
      std::optional<int64_t> edge = ParseDuration(item);
      if (!edge) return UsageError(kName, "--buckets: '" + item + "' is not a duration (e.g. 1h,1d,7d,30d)");
      options.bucket_edges.push_back(*edge);
    }
  }
  const std::optional<std::string> events_path = args.Get("events");
  bool uses_orders = false;
  for (const std::string& s : options.steps) uses_orders = uses_orders || s == kOrderKind;
  if (!events_path && !uses_orders) {
    return UsageError(kName, "no events: give --events FILE.csv (columns customer,kind,at); without it only a "
                             "step named \"order\" has events (the database's orders)");
  }

  auto db = OpenDatabase(args.positionals[0]);
  if (!db.ok()) return Fail(db.status());
  EventFrame events;
  if (events_path) {
    if (absl::Status st = ReadEvents(*events_path, events); !st.ok()) return Fail(st);
  }
  const FrameOptions scope = OrderScope(args);
  if (uses_orders) {
    auto orders = db->LoadOrderFrame(scope);
    if (!orders.ok()) return FailLoad(orders.status(), args);
    const int32_t code = events.kind.dictionary.Intern(kOrderKind);
    events.customer.insert(events.customer.end(), orders->customer.begin(), orders->customer.end());
    events.at.insert(events.at.end(), orders->at.begin(), orders->at.end());
    events.kind.codes.resize(events.kind.codes.size() + orders->rows(), code);
  }
  std::optional<CustomerGroups> groups;
  const std::string by = args.Get("by").value_or("");
  if (args.Has("by")) {
    auto g = GroupsBy(*db, by, scope);
    if (!g.ok()) return FailLoad(g.status(), args);
    groups = *std::move(g);
  }
  auto result = EventFunnel(events, options, groups ? &*groups : nullptr);
  if (!result.ok()) return Fail(result.status());
  if (args.Has("json")) {
    PrintLine(DumpJson(internal::EventFunnelJson(*result)));
  } else {
    PrintEventFunnel(*result, by, options.window, args.Has("csv"));
  }
  return kExitOk;
}

// ---- Stage funnel ----

absl::Status ReadHistory(const std::string& path, StageHistoryFrame& history) {
  return ReadCsvColumns(path, {"entity", "stage", "entered_at"},
                        [&](const std::vector<std::string>& cells) -> absl::Status {
                          auto entity = IdCell("entity", cells[0]);
                          if (!entity.ok()) return entity.status();
                          auto at = TimeCell("entered_at", cells[2]);
                          if (!at.ok()) return at.status();
                          history.entity.push_back(*entity);
                          history.stage.Append(cells[1].empty() ? std::nullopt
                                                                : std::optional<std::string_view>(cells[1]));
                          history.entered_at.push_back(*at);
                          return absl::OkStatus();
                        });
}

void PrintStageFunnel(const StageFunnelResult& r, bool csv) {
  if (csv) {
    PrintLine(CsvLine({"stage", "entered", "advanced", "conversion_to_next", "days_median", "days_p90", "days_mean",
                       "open_visits", "open_age_days_median", "open_age_days_p90", "open_age_days_mean"}));
    for (const auto& s : r.stages) {
      PrintLine(CsvLine({s.stage, std::to_string(s.entered), std::to_string(s.advanced), CsvNumber(s.conversion_to_next),
                         CsvNumber(s.days_in_stage.median), CsvNumber(s.days_in_stage.p90),
                         CsvNumber(s.days_in_stage.mean), std::to_string(s.open_visits),
                         CsvNumber(s.open_age_days.median), CsvNumber(s.open_age_days.p90),
                         CsvNumber(s.open_age_days.mean)}));
    }
    return;
  }
  Table stages({"stage", "entered", "advanced", "to_next", "median_days", "p90_days", "mean_days", "open",
                "open_median_days"});
  for (const auto& s : r.stages) {
    stages.AddRow({s.stage, std::to_string(s.entered), std::to_string(s.advanced), Percent(s.conversion_to_next),
                   Fixed(s.days_in_stage.median, 1), Fixed(s.days_in_stage.p90, 1), Fixed(s.days_in_stage.mean, 1),
                   std::to_string(s.open_visits), Fixed(s.open_age_days.median, 1)});
  }
  stages.Print(stdout);
  if (r.stages.size() > 1) {
    std::printf("\nReached later (share of the row stage's entries that later entered the column stage):\n");
    std::vector<std::string> header = {"from\\to"};
    for (size_t k = 1; k < r.stages.size(); ++k) header.push_back(r.stages[k].stage);
    Table reached(header);
    for (size_t i = 0; i + 1 < r.stages.size(); ++i) {
      std::vector<std::string> row = {r.stages[i].stage};
      for (size_t k = 1; k < r.stages.size(); ++k) row.push_back(k <= i ? "" : Percent(r.ReachedShare(i, k)));
      reached.AddRow(std::move(row));
    }
    reached.Print(stdout);
  }
  std::printf("\nentities: %lld  won: %lld  lost: %lld  win rate: %s\n", static_cast<long long>(r.entities),
              static_cast<long long>(r.won), static_cast<long long>(r.lost), Percent(r.win_rate).c_str());
  std::printf("cycle to won (days from the first visit): median %s  p90 %s  mean %s\n",
              Fixed(r.cycle_days.median, 1).c_str(), Fixed(r.cycle_days.p90, 1).c_str(),
              Fixed(r.cycle_days.mean, 1).c_str());
  if (r.ignored_rows > 0 || r.rows_missing_time > 0) {
    std::printf("ignored: %lld row%s of other stages, %lld row%s without a time\n",
                static_cast<long long>(r.ignored_rows), r.ignored_rows == 1 ? "" : "s",
                static_cast<long long>(r.rows_missing_time), r.rows_missing_time == 1 ? "" : "s");
  }
}

int RunStageFunnel(const ParsedArgs& args) {
  constexpr char kName[] = "stage-funnel";
  if (auto e = CheckOutputForm(args)) return UsageError(kName, *e);
  const std::optional<std::string> path = args.Get("history");
  if (!path) return UsageError(kName, "--history FILE.csv is required (columns entity,stage,entered_at)");
  if (!args.Has("stages")) return UsageError(kName, "--stages A,B,... is required");
  StageFunnelOptions options;
  options.stages = ListOption(args, "stages");
  options.won_stages = ListOption(args, "won");
  options.lost_stages = ListOption(args, "lost");
  if (auto e = TimeOption(args, "as-of", &options.as_of)) return UsageError(kName, *e);
  StageHistoryFrame history;
  if (absl::Status st = ReadHistory(*path, history); !st.ok()) return Fail(st);
  auto result = StageFunnel(history, options);
  if (!result.ok()) return Fail(result.status());
  if (args.Has("json")) {
    PrintLine(DumpJson(internal::StageFunnelJson(*result, options.as_of)));
  } else {
    PrintStageFunnel(*result, args.Has("csv"));
  }
  return kExitOk;
}

}  // namespace

const Command& FunnelCommand() {
  static const Command* command = new Command{
      .name = "funnel",
      .summary = "event funnel: customers through ordered steps within a window",
      .help =
          "Usage: rapport funnel DB --steps A,B,... --window DURATION [--events FILE.csv]\n"
          "                         [--from TIME] [--to TIME] [--buckets D,...] [--by FIELD]\n"
          "                         [--currency C] [--status S]... [--csv | --json]\n"
          "\n"
          "How many customers went through the steps in order: step 1 is a customer's earliest event of\n"
          "kind A (with --from/--to: the earliest in [from, to)); each later step is the earliest event of\n"
          "its kind strictly after the previous step and at most DURATION after step 1. The rules are in\n"
          "docs/analytics-funnels.md.\n"
          "\n"
          "Events: the database keeps orders and activities but has no bulk read of activities, so\n"
          "events come from --events FILE.csv, a CSV file with a header row and the columns customer\n"
          "(an id), kind (any text) and at (RFC 3339, a date, or microseconds since the epoch; empty: no\n"
          "time, ignored); other columns are ignored. A step named \"order\" also reads the database's\n"
          "orders that count (--currency, --status) as events of kind \"order\" at their ordered_at, so\n"
          "'--steps order,order' needs no file (first order, then a second one).\n"
          "\n"
          "Output: per step the customers, conversion from the previous and the first step, and the time\n"
          "to convert from step 1 (median, 90th percentile, mean); then a histogram of those times; with\n"
          "--by the customers per step of each value of a customer field (customers not in the database,\n"
          "or without a value, are \"(none)\").\n"
          "\n"
          "Options:\n"
          "  --steps A,B,...     event kinds in funnel order (at least 2; a kind may repeat)\n"
          "  --window D          conversion window: a whole number and s, m, h, d or w (e.g. 30d)\n"
          "  --events FILE       events CSV (customer,kind,at)\n"
          "  --from, --to TIME   only step-1 events with from <= at < to start the funnel\n"
          "  --buckets D,...     histogram upper edges (default 1h,1d,7d,30d)\n"
          "  --by FIELD          break down by a customer field with one value (region, industry, ...)\n"
          "  --currency C        orders in currency C count (for a step \"order\" and --by)\n"
          "  --status S          orders with status S count (repeatable; default: completed)\n"
          "  --csv               CSV: one row per step (seconds, shares 0..1, histogram columns); with\n"
          "                      --by one row per group and step: group,step,kind,customers\n"
          "  --json              one JSON object (the form of rapport_event_funnel_to_json)\n"
          "\n"
          "Examples:\n"
          "  rapport funnel crm.db --events web.csv --steps visit,signup,order --window 7d\n"
          "  rapport funnel crm.db --steps order,order --window 90d --by region\n",
      .options = {{"steps", true, true},
                  {"window", true, false},
                  {"events", true, false},
                  {"from", true, false},
                  {"to", true, false},
                  {"buckets", true, false},
                  {"by", true, false},
                  {"currency", true, false},
                  {"status", true, true},
                  {"csv", false, false},
                  {"json", false, false}},
      .min_positionals = 1,
      .max_positionals = 1,
      .run = RunFunnel,
  };
  return *command;
}

const Command& StageFunnelCommand() {
  static const Command* command = new Command{
      .name = "stage-funnel",
      .summary = "stage funnel of a pipeline's stage history (CSV): conversion, time in stage, win rate",
      .help =
          "Usage: rapport stage-funnel --history FILE.csv --stages A,B,... [--won W,...] [--lost L,...]\n"
          "                            [--as-of TIME] [--csv | --json]\n"
          "\n"
          "Reads a stage history, one row per entry of an entity (a deal, a lead) into a stage, from a CSV\n"
          "file with a header row and the columns entity (an id), stage (text) and entered_at (RFC 3339, a\n"
          "date, or microseconds since the epoch; empty: no time, ignored); other columns are ignored. The\n"
          "database does not keep stage history yet, so this command takes no database.\n"
          "\n"
          "Per stage of the order: entities that entered it, that advanced to a later stage, the\n"
          "conversion to the next, days in the stage (visits ended by the entity's next visit), visits\n"
          "still open (with --as-of: their median age in days). Then the share of each stage's entities\n"
          "that later reached each later stage, the win rate over entities that reached a won or lost\n"
          "stage (their first terminal stage decides) and the cycle to won. The rules are in\n"
          "docs/analytics-funnels.md.\n"
          "\n"
          "Options:\n"
          "  --history FILE   the stage history CSV (entity,stage,entered_at)\n"
          "  --stages A,...   the pipeline's stages in order (none twice)\n"
          "  --won W,...      won stages (repeatable; in the order or not)\n"
          "  --lost L,...     lost stages (repeatable)\n"
          "  --as-of TIME     ages of open visits at this time (RFC 3339 or YYYY-MM-DD, UTC)\n"
          "  --csv            CSV: one row per stage (days, shares 0..1)\n"
          "  --json           one JSON object (the form of rapport_stage_funnel_to_json)\n"
          "\n"
          "Example:\n"
          "  rapport stage-funnel --history deals.csv --stages Lead,Qualified,Proposal --won Won --lost Lost\n",
      .options = {{"history", true, false},
                  {"stages", true, true},
                  {"won", true, true},
                  {"lost", true, true},
                  {"as-of", true, false},
                  {"csv", false, false},
                  {"json", false, false}},
      .min_positionals = 0,
      .max_positionals = 0,
      .run = RunStageFunnel,
  };
  return *command;
}

}  // namespace rapport::cli
