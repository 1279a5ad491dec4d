// rapport rfm DB [--as-of T] [--currency C] [--status S]... [--bins N] [--tier-mode M]
//   [--tier-thresholds H,P] [--summary | --grid | --tiers] [--csv | --json]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/time_format.h"
#include "cli/analytics_common.h"
#include "cli/command.h"
#include "cli/format.h"
#include "model/analytics_json.h"
#include "rapport/rfm.h"

namespace rapport::cli {
namespace {

constexpr char kName[] = "rfm";

using Json = nlohmann::ordered_json;

std::string Time(int64_t micros) { return internal::FormatTimestamp(absl::FromUnixMicros(micros)); }

// Prints the rows: one per customer with orders, with the customer's value tier.
void PrintRows(const RfmTable& t, const ValueTierTable& tiers, bool csv, bool json) {
  const std::vector<std::string> header = {"customer", "recency_days", "frequency", "monetary", "r",
                                           "f",        "m",            "segment",   "tier"};
  Table table(header);
  if (csv) PrintLine(CsvLine(header));
  for (size_t i = 0; i < t.rows(); ++i) {
    const std::string segment = t.segment[i] < 0 ? "" : t.segment_names[t.segment[i]];
    const std::string tier = tiers.tiers.names[tiers.tiers.tier[i]];
    if (json) {
      Json j;
      j["customer"] = t.customer[i];
      j["recency_days"] = t.recency_days[i];
      j["frequency"] = t.frequency[i];
      j["monetary"] = t.monetary[i];
      j["r"] = t.r[i];
      j["f"] = t.f[i];
      j["m"] = t.m[i];
      j["segment"] = t.segment[i] < 0 ? Json(nullptr) : Json(segment);
      j["tier"] = tier;
      PrintLine(DumpJson(j));
      continue;
    }
    std::vector<std::string> row = {std::to_string(t.customer[i]), std::to_string(t.recency_days[i]),
                                    std::to_string(t.frequency[i]), csv ? CsvNumber(t.monetary[i]) : Fixed(t.monetary[i], 2),
                                    std::to_string(t.r[i]),         std::to_string(t.f[i]),
                                    std::to_string(t.m[i]),         segment,
                                    tier};
    if (csv) {
      PrintLine(CsvLine(row));
    } else {
      table.AddRow(std::move(row));
    }
  }
  if (csv || json) return;
  if (t.rows() == 0) {
    std::printf("no customers with orders as of %s\n", Time(t.as_of).c_str());
    return;
  }
  table.Print(stdout);
  std::printf("(%zu customer%s, as of %s)\n", t.rows(), t.rows() == 1 ? "" : "s", Time(t.as_of).c_str());
}

// Per segment: customers, shares, revenue and means; the customers no rule matched last (when any,
// or when there are no rules).
void PrintSummary(const RfmTable& t, bool csv, bool json) {
  std::vector<const RfmSegmentSummary*> rows;
  for (const auto& s : t.segments) rows.push_back(&s);
  if (t.unsegmented.customers > 0 || t.segments.empty()) rows.push_back(&t.unsegmented);
  const std::vector<std::string> header = {"segment",       "customers",         "customer_share", "revenue",
                                           "revenue_share", "mean_recency_days", "mean_frequency", "mean_monetary"};
  Table table(header);
  if (csv) PrintLine(CsvLine(header));
  for (const RfmSegmentSummary* s : rows) {
    if (json) {
      PrintLine(DumpJson(internal::RfmSegmentSummaryJson(*s)));
    } else if (csv) {
      PrintLine(CsvLine({s->name, std::to_string(s->customers), CsvNumber(s->customer_share), CsvNumber(s->revenue),
                         CsvNumber(s->revenue_share), CsvNumber(s->mean_recency_days), CsvNumber(s->mean_frequency),
                         CsvNumber(s->mean_monetary)}));
    } else {
      table.AddRow({s->name.empty() ? "(no segment)" : s->name, std::to_string(s->customers), Percent(s->customer_share),
                    Fixed(s->revenue, 2), Percent(s->revenue_share), Fixed(s->mean_recency_days, 1),
                    Fixed(s->mean_frequency, 2), Fixed(s->mean_monetary, 2)});
    }
  }
  if (csv || json) return;
  table.Print(stdout);
  std::printf("(%zu customer%s, as of %s)\n", t.rows(), t.rows() == 1 ? "" : "s", Time(t.as_of).c_str());
}

// Customers per (R, F) cell: rows R = bins..1, columns F = 1..bins.
void PrintGrid(const RfmTable& t, bool csv, bool json) {
  if (json) {
    Json grid = Json::array();
    for (int r = 1; r <= t.bins; ++r) {
      Json line = Json::array();
      for (int f = 1; f <= t.bins; ++f) line.push_back(t.grid_count(r, f));
      grid.push_back(std::move(line));
    }
    Json j;
    j["as_of"] = Time(t.as_of);
    j["bins"] = t.bins;
    j["grid"] = std::move(grid);
    PrintLine(DumpJson(j));
    return;
  }
  std::vector<std::string> header = {csv ? "r" : "R\\F"};
  for (int f = 1; f <= t.bins; ++f) header.push_back(csv ? "f" + std::to_string(f) : "F" + std::to_string(f));
  Table table(header);
  if (csv) PrintLine(CsvLine(header));
  for (int r = t.bins; r >= 1; --r) {
    std::vector<std::string> row = {csv ? std::to_string(r) : "R" + std::to_string(r)};
    for (int f = 1; f <= t.bins; ++f) row.push_back(std::to_string(t.grid_count(r, f)));
    if (csv) PrintLine(CsvLine(row)); else table.AddRow(std::move(row));
  }
  if (csv) return;
  table.Print(stdout);
  std::printf("(customers per recency score R and frequency score F, as of %s)\n", Time(t.as_of).c_str());
}

void PrintTiers(const ValueTierTable& v, int64_t as_of, bool csv, bool json) {
  double total = 0;
  for (double r : v.tiers.revenue) total += r;
  const double buyers = static_cast<double>(v.customer.size());
  const std::vector<std::string> header = {"tier", "customers", "customer_share", "revenue", "revenue_share"};
  Table table(header);
  if (csv) PrintLine(CsvLine(header));
  for (size_t i = 0; i < 3; ++i) {
    const double share = buyers > 0 ? static_cast<double>(v.tiers.customers[i]) / buyers : NAN;
    const double revenue_share = total > 0 ? v.tiers.revenue[i] / total : NAN;
    if (json) {
      Json j;
      j["tier"] = v.tiers.names[i];
      j["customers"] = v.tiers.customers[i];
      j["customer_share"] = share;
      j["revenue"] = v.tiers.revenue[i];
      j["revenue_share"] = revenue_share;
      PrintLine(DumpJson(j));
    } else if (csv) {
      PrintLine(CsvLine({v.tiers.names[i], std::to_string(v.tiers.customers[i]), CsvNumber(share),
                         CsvNumber(v.tiers.revenue[i]), CsvNumber(revenue_share)}));
    } else {
      table.AddRow({v.tiers.names[i], std::to_string(v.tiers.customers[i]), Percent(share),
                    Fixed(v.tiers.revenue[i], 2), Percent(revenue_share)});
    }
  }
  if (csv || json) return;
  table.Print(stdout);
  std::printf("(%zu buyer%s, as of %s)\n", v.customer.size(), v.customer.size() == 1 ? "" : "s", Time(as_of).c_str());
}

int RunRfm(const ParsedArgs& args) {
  if (auto e = CheckOutputForm(args)) return UsageError(kName, *e);
  if (args.Has("summary") + args.Has("grid") + args.Has("tiers") > 1) {
    return UsageError(kName, "give at most one of --summary, --grid and --tiers");
  }
  std::optional<int64_t> as_of;
  if (auto e = TimeOption(args, "as-of", &as_of)) return UsageError(kName, *e);
  RfmOptions rfm_options;
  int64_t bins = 5;
  if (auto e = GetIntOption(args, "bins", 2, 10, &bins)) return UsageError(kName, *e);
  rfm_options.bins = static_cast<int>(bins);
  ValueTierOptions tier_options;
  if (auto mode = args.Get("tier-mode")) {
    if (*mode == "quantile") {
      tier_options.mode = ValueTierMode::kQuantile;
    } else if (*mode == "revenue-share") {
      tier_options.mode = ValueTierMode::kRevenueShare;
    } else {
      return UsageError(kName, "--tier-mode is 'quantile' or 'revenue-share', not '" + *mode + "'");
    }
  }
  if (auto thresholds = args.Get("tier-thresholds")) {
    const size_t comma = thresholds->find(',');
    double high = 0, potential = 0;
    char* end = nullptr;
    bool ok = comma != std::string::npos;
    if (ok) {
      const std::string a = thresholds->substr(0, comma), b = thresholds->substr(comma + 1);
      high = std::strtod(a.c_str(), &end);
      ok = !a.empty() && *end == '\0';
      potential = std::strtod(b.c_str(), &end);
      ok = ok && !b.empty() && *end == '\0';
    }
    if (!ok) return UsageError(kName, "--tier-thresholds is HIGH,POTENTIAL (two numbers, e.g. 0.2,0.5)");
    tier_options.high = high;
    tier_options.potential = potential;
  }

  auto db = OpenDatabase(args.positionals[0]);
  if (!db.ok()) return Fail(db.status());
  const int64_t when = as_of.value_or(absl::ToUnixMicros(db->Now()));
  auto orders = db->LoadOrderFrame(OrderScope(args));
  if (!orders.ok()) return FailLoad(orders.status(), args);
  const bool csv = args.Has("csv"), json = args.Has("json");
  if (args.Has("tiers")) {
    auto tiers = ComputeValueTiers(*orders, when, tier_options);
    if (!tiers.ok()) return Fail(tiers.status());
    PrintTiers(*tiers, when, csv, json);
    return kExitOk;
  }
  auto table = ComputeRfm(*orders, when, rfm_options);
  if (!table.ok()) return Fail(table.status());
  if (args.Has("summary")) {
    PrintSummary(*table, csv, json);
    return kExitOk;
  }
  if (args.Has("grid")) {
    PrintGrid(*table, csv, json);
    return kExitOk;
  }
  auto tiers = ComputeValueTiers(*orders, when, tier_options);
  if (!tiers.ok()) return Fail(tiers.status());
  PrintRows(*table, *tiers, csv, json);
  return kExitOk;
}

}  // namespace

const Command& RfmCommand() {
  static const Command* command = new Command{
      .name = "rfm",
      .summary = "RFM scores and segments of the customers with orders; value tiers",
      .help =
          "Usage: rapport rfm DB [--as-of TIME] [--currency C] [--status S]... [--bins N]\n"
          "                      [--tier-mode quantile|revenue-share] [--tier-thresholds HIGH,POTENTIAL]\n"
          "                      [--summary | --grid | --tiers] [--csv | --json]\n"
          "\n"
          "Recency, frequency and monetary value of every customer with an order at or before the time\n"
          "(default: now), their scores 1..N (N = --bins, default 5; recent, frequent, big spenders\n"
          "score N; equal values score equally), the named segment of the (R, F) cell (Champions, Loyal,\n"
          "... Hibernating: the classic map, with 5 bins only) and the customer's value tier. The rules\n"
          "are in docs/analytics-rfm.md.\n"
          "\n"
          "Views (one at a time):\n"
          "  (default)    one row per customer: customer, recency_days, frequency, monetary, r, f, m,\n"
          "               segment, tier\n"
          "  --summary    per segment: customers, share of customers, revenue, share of revenue, mean\n"
          "               recency, frequency and monetary; \"(no segment)\" for customers no rule matched\n"
          "  --grid       customers per (R, F) cell, R = N (top) .. 1, F = 1 .. N\n"
          "  --tiers      value tiers: customers and revenue of \"high value\", \"potential\", \"general\"\n"
          "\n"
          "Options:\n"
          "  --as-of TIME          RFC 3339 or YYYY-MM-DD (UTC); orders after it do not count\n"
          "  --currency C          orders in currency C count (needed when orders use several)\n"
          "  --status S            orders with status S count (repeatable; default: completed)\n"
          "  --bins N              score levels, 2..10 (default 5; segments only with 5)\n"
          "  --tier-mode M         quantile (default: top 20%, next 30%, rest) or revenue-share\n"
          "                        (buyers making the first 50%, the next 30%, the rest of revenue)\n"
          "  --tier-thresholds H,P the two thresholds, 0 < H < P <= 1 (e.g. 0.2,0.5)\n"
          "  --csv                 CSV with a header row (numbers in full precision, shares 0..1)\n"
          "  --json                JSON lines: one object per row\n"
          "\n"
          "Examples:\n"
          "  rapport rfm crm.db --summary\n"
          "  rapport rfm crm.db --as-of 2025-06-30 --currency CNY --csv > rfm.csv\n"
          "  rapport rfm crm.db --tiers --tier-mode revenue-share\n",
      .options = {{"as-of", true, false},
                  {"currency", true, false},
                  {"status", true, true},
                  {"bins", true, false},
                  {"tier-mode", true, false},
                  {"tier-thresholds", true, false},
                  {"summary", false, false},
                  {"grid", false, false},
                  {"tiers", false, false},
                  {"csv", false, false},
                  {"json", false, false}},
      .min_positionals = 1,
      .max_positionals = 1,
      .run = RunRfm,
  };
  return *command;
}

}  // namespace rapport::cli
