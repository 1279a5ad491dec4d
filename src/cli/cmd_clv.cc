// rapport clv fit DB [--model bg_nbd|pareto_nbd] [--cutoff T] [--unit weeks|days] [--spend] ... [--csv|--json]
// rapport clv predict DB [same] [--horizon D] [--limit N] [--periods N --period D --discount-rate R --margin M]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/time_format.h"
#include "cli/analytics_common.h"
#include "cli/clv_fit.h"
#include "cli/command.h"
#include "cli/format.h"
#include "model/clv_json.h"

namespace rapport::cli {
namespace {

constexpr char kName[] = "clv";

using Json = nlohmann::ordered_json;

std::string Time(int64_t micros) { return internal::FormatTimestamp(absl::FromUnixMicros(micros)); }

// The options each subcommand accepts (the command's spec lists their union).
const std::map<std::string, std::set<std::string>, std::less<>>& Subcommands() {
  static const std::set<std::string> shared = {"model", "cutoff", "unit", "spend", "currency", "status", "csv", "json"};
  static const auto* subs = new std::map<std::string, std::set<std::string>, std::less<>>{
      {"fit", shared},
      {"predict", [] {
         std::set<std::string> s = shared;
         s.insert({"horizon", "limit", "periods", "period", "discount-rate", "margin"});
         return s;
       }()},
  };
  return *subs;
}

const std::vector<OptionSpec>& Options() {
  static const auto* options = new std::vector<OptionSpec>{
      {"model", true, false},   {"cutoff", true, false},  {"unit", true, false},    {"spend", false, false},
      {"currency", true, false}, {"status", true, true},  {"csv", false, false},    {"json", false, false},
      {"horizon", true, false}, {"limit", true, false},   {"periods", true, false}, {"period", true, false},
      {"discount-rate", true, false}, {"margin", true, false}};
  return *options;
}

// A number option (finite, >= min) when given; a usage-error message on failure.
std::optional<std::string> NumberOption(const ParsedArgs& args, std::string_view name, double min, double* out) {
  std::optional<std::string> text = args.Get(name);
  if (!text) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text->c_str(), &end);
  if (text->empty() || *end != '\0' || !std::isfinite(v) || v < min) {
    return "option '--" + std::string(name) + "': '" + *text + "' is not a number >= " + CsvNumber(min);
  }
  *out = v;
  return std::nullopt;
}

// ---- fit ----

// The JSON document of a fit: cut-off and unit, the purchase model's members (the C ABI's
// rapport_clv_model_to_json form), and the spend model under "spend" (null without --spend).
Json FitJson(const ClvFit& fit) {
  Json j = Json::object();
  j["cutoff"] = Time(fit.cutoff);
  j["unit"] = UnitName(fit.time_unit);
  const Json model = internal::ClvModelJson(ModelName(fit.kind), fit.purchase_params(), fit.purchase_info(),
                                            /*fitted=*/true);
  for (auto it = model.begin(); it != model.end(); ++it) j[it.key()] = it.value();
  if (fit.spend) {
    const auto& p = fit.spend->params();
    const std::vector<double> params{p.p, p.q, p.gamma};
    j["spend"] = internal::ClvModelJson("gamma_gamma", params, fit.spend->info(), /*fitted=*/true);
  } else {
    j["spend"] = nullptr;
  }
  return j;
}

void PrintFit(const ClvFit& fit, bool csv, bool json) {
  if (json) {
    PrintLine(DumpJson(FitJson(fit)));
    return;
  }
  struct Model {
    const char* name;
    std::vector<double> params;
    const ClvFitInfo* info;
  };
  std::vector<Model> models = {{ModelName(fit.kind), fit.purchase_params(), &fit.purchase_info()}};
  if (fit.spend) {
    const auto& p = fit.spend->params();
    models.push_back({"gamma_gamma", {p.p, p.q, p.gamma}, &fit.spend->info()});
  }
  const std::vector<std::string> header = {"model", "parameter", "value", "std_error", "log_likelihood", "customers"};
  if (csv) {
    PrintLine(CsvLine(header));
    for (const Model& m : models) {
      for (size_t i = 0; i < m.params.size(); ++i) {
        PrintLine(CsvLine({m.name, m.info->names[i], CsvNumber(m.params[i]), CsvNumber(m.info->std_errors[i]),
                           CsvNumber(m.info->log_likelihood), CsvNumber(m.info->customers)}));
      }
    }
    return;
  }
  Table table({"model", "parameter", "value", "std_error"});
  for (const Model& m : models) {
    for (size_t i = 0; i < m.params.size(); ++i) {
      table.AddRow({m.name, m.info->names[i], Fixed(m.params[i], 4), Fixed(m.info->std_errors[i], 4)});
    }
  }
  table.Print(stdout);
  const ClvFitInfo& info = fit.purchase_info();
  std::printf("(%s: log-likelihood %s, %s customers (%lld distinct), %d evaluations; orders up to %s, time in %s)\n",
              ModelLabel(fit.kind), Fixed(info.log_likelihood, 2).c_str(), Fixed(info.customers, 0).c_str(),
              static_cast<long long>(info.distinct_rows), info.evaluations, Time(fit.cutoff).c_str(),
              UnitName(fit.time_unit).c_str());
  if (fit.spend) {
    const ClvFitInfo& s = fit.spend->info();
    std::printf("(Gamma-Gamma spend per purchase: log-likelihood %s, %s repeat customers, %d evaluations)\n",
                Fixed(s.log_likelihood, 2).c_str(), Fixed(s.customers, 0).c_str(), s.evaluations);
  }
}

// ---- predict ----

struct PredictOptions {
  int64_t horizon = 90 * kMicrosPerDay;
  int64_t limit = std::numeric_limits<int64_t>::max();
  ClvOptions value;
  int64_t period = 30 * kMicrosPerDay;
};

std::optional<std::string> ParsePredictOptions(const ParsedArgs& args, bool spend, PredictOptions* out) {
  if (auto e = DurationOption(args, "horizon", &out->horizon)) return e;
  if (auto e = GetIntOption(args, "limit", 1, std::numeric_limits<int64_t>::max(), &out->limit)) return e;
  for (const char* option : {"periods", "period", "discount-rate", "margin"}) {
    if (args.Has(option) && !spend) return "--" + std::string(option) + " sets up lifetime value: it needs --spend";
  }
  int64_t periods = out->value.periods;
  if (auto e = GetIntOption(args, "periods", 1, 10000, &periods)) return e;
  out->value.periods = static_cast<int>(periods);
  if (auto e = DurationOption(args, "period", &out->period)) return e;
  if (auto e = NumberOption(args, "discount-rate", 0, &out->value.discount_rate)) return e;
  if (auto e = NumberOption(args, "margin", 0, &out->value.margin)) return e;
  return std::nullopt;
}

// Per customer: P(alive), expected purchases over the horizon and, with a spend model, lifetime value.
struct Predictions {
  std::vector<double> p_alive, expected, clv;
};

absl::StatusOr<Predictions> Predict(const ClvFit& fit, const PredictOptions& options) {
  const size_t n = fit.summary.rows();
  const RecencyFrequency data = fit.data();
  const double unit = static_cast<double>(fit.time_unit);
  Predictions p;
  p.p_alive.resize(n);
  p.expected.resize(n);
  if (absl::Status st = fit.purchase_model().ProbabilityAlive(data, p.p_alive); !st.ok()) return st;
  if (absl::Status st = fit.purchase_model().ConditionalExpectedPurchases(options.horizon / unit, data, p.expected);
      !st.ok()) {
    return st;
  }
  if (fit.spend) {
    ClvOptions value = options.value;
    value.period_length = options.period / unit;
    p.clv.resize(n);
    absl::Status st = CustomerLifetimeValue(fit.purchase_model(), *fit.spend, data, fit.summary.monetary, value, p.clv);
    if (!st.ok()) return st;
  }
  return p;
}

void PrintPredictions(const ClvFit& fit, const Predictions& p, const PredictOptions& options, bool csv, bool json) {
  const ClvSummary& s = fit.summary;
  const size_t shown = std::min<size_t>(s.rows(), static_cast<size_t>(std::min<int64_t>(options.limit, s.rows())));
  const bool value = fit.spend.has_value();
  std::vector<std::string> header = {"customer", "x", "t_x", "T", "p_alive", "expected_purchases"};
  if (value) header.push_back("clv");
  Table table(header);
  if (csv) PrintLine(CsvLine(header));
  for (size_t i = 0; i < shown; ++i) {
    if (json) {
      Json j = Json::object();
      j["customer"] = s.customer[i];
      j["x"] = static_cast<int64_t>(s.frequency[i]);
      j["t_x"] = s.recency[i];
      j["T"] = s.age[i];
      j["p_alive"] = p.p_alive[i];
      j["expected_purchases"] = p.expected[i];
      if (value) j["clv"] = p.clv[i];
      PrintLine(DumpJson(j));
      continue;
    }
    std::vector<std::string> row = {std::to_string(s.customer[i]), std::to_string(static_cast<int64_t>(s.frequency[i]))};
    if (csv) {
      for (double v : {s.recency[i], s.age[i], p.p_alive[i], p.expected[i]}) row.push_back(CsvNumber(v));
      if (value) row.push_back(CsvNumber(p.clv[i]));
      PrintLine(CsvLine(row));
    } else {
      row.insert(row.end(), {Fixed(s.recency[i], 2), Fixed(s.age[i], 2), Fixed(p.p_alive[i], 3), Fixed(p.expected[i], 3)});
      if (value) row.push_back(Fixed(p.clv[i], 2));
      table.AddRow(std::move(row));
    }
  }
  if (csv || json) return;
  table.Print(stdout);
  const std::string customers =
      shown < s.rows() ? absl::StrCat("first ", shown, " of ", s.rows(), " customers") : absl::StrCat(s.rows(), " customers");
  std::printf("(%s; %s fitted to orders up to %s, t_x and T in %s; expected purchases in the next %s", customers.c_str(),
              ModelLabel(fit.kind), Time(fit.cutoff).c_str(), UnitName(fit.time_unit).c_str(),
              DurationText(options.horizon).c_str());
  if (value) {
    std::printf("; clv over %d periods of %s, discounted %s%% a period, margin %s", options.value.periods,
                DurationText(options.period).c_str(), CsvNumber(options.value.discount_rate * 100).c_str(),
                CsvNumber(options.value.margin).c_str());
  }
  std::printf(")\n");
}

// ---- the command ----

int RunClv(const ParsedArgs& args) {
  std::vector<std::string> pos = args.positionals;
  const auto sub = Subcommands().find(pos[0]);
  if (sub == Subcommands().end()) {
    return UsageError(kName, "unknown subcommand '" + pos[0] + "' (expected 'fit' or 'predict')");
  }
  const bool predict = sub->first == "predict";
  for (const OptionSpec& option : Options()) {
    if (args.Has(option.name) && !sub->second.count(option.name)) {
      return UsageError(kName, "option '--" + option.name + "' does not apply to 'rapport clv " + sub->first + "'");
    }
  }
  if (pos.size() < 2) return UsageError(kName, "missing arguments");
  if (pos.size() > 2) return UsageError(kName, "unexpected argument '" + pos[2] + "'");
  if (auto e = CheckOutputForm(args)) return UsageError(kName, *e);
  ClvRequest request;
  if (auto e = ParseClvRequest(args, &request)) return UsageError(kName, *e);
  PredictOptions predict_options;
  if (predict) {
    if (auto e = ParsePredictOptions(args, request.spend, &predict_options)) return UsageError(kName, *e);
  }

  auto db = OpenDatabase(pos[1]);
  if (!db.ok()) return Fail(db.status());
  const int64_t cutoff = request.cutoff.value_or(absl::ToUnixMicros(db->Now()));
  auto orders = db->LoadOrderFrame(request.scope);
  if (!orders.ok()) return FailLoad(orders.status(), args);
  auto fit = FitClv(*orders, cutoff, request);
  if (!fit.ok()) return Fail(fit.status());
  const bool csv = args.Has("csv"), json = args.Has("json");
  if (!predict) {
    PrintFit(*fit, csv, json);
    return kExitOk;
  }
  auto predictions = Predict(*fit, predict_options);
  if (!predictions.ok()) return Fail(predictions.status());
  PrintPredictions(*fit, *predictions, predict_options, csv, json);
  return kExitOk;
}

}  // namespace

const Command& ClvCommand() {
  static const Command* command = new Command{
      .name = "clv",
      .summary = "customer lifetime value: fit BG/NBD or Pareto/NBD (and Gamma-Gamma spend), predict",
      .help =
          "Usage: rapport clv fit DB [--model bg_nbd|pareto_nbd] [--cutoff TIME] [--unit weeks|days] [--spend]\n"
          "                          [--currency C] [--status S]... [--csv | --json]\n"
          "       rapport clv predict DB [the options of fit] [--horizon DURATION] [--limit N]\n"
          "                          [--periods N] [--period DURATION] [--discount-rate R] [--margin M]\n"
          "\n"
          "Summarises every customer's orders up to the cut-off (x repeat purchases, t_x the time from the\n"
          "first purchase to the last, T from the first purchase to the cut-off; purchases of one UTC day\n"
          "count once) and fits a model of repeat buying by maximum likelihood: BG/NBD (Fader, Hardie & Lee\n"
          "2005) or Pareto/NBD (Schmittlein, Morrison & Colombo 1987); with --spend also the Gamma-Gamma\n"
          "model of spend per purchase. The formulas are in docs/clv.md.\n"
          "\n"
          "  fit       the parameters with their standard errors, the log-likelihood and the customers\n"
          "  predict   one row per customer (ascending id): customer, x, t_x, T, p_alive (the probability\n"
          "            that the customer is still active), expected_purchases (in the next --horizon) and,\n"
          "            with --spend, clv (discounted expected purchases times expected spend per purchase)\n"
          "\n"
          "Options:\n"
          "  --model M             bg_nbd (default) or pareto_nbd\n"
          "  --cutoff TIME         RFC 3339 or YYYY-MM-DD (UTC): orders after it are not seen (default: now)\n"
          "  --unit U              weeks (default) or days: the unit of t_x, T and the parameters\n"
          "  --spend               also fit Gamma-Gamma to the customers' mean repeat spend\n"
          "  --currency C          orders in currency C count (needed when orders use several)\n"
          "  --status S            orders with status S count (repeatable; default: completed)\n"
          "  --horizon DURATION    predict: expected purchases in this time after the cut-off (default 90d)\n"
          "  --limit N             predict: the first N customers only\n"
          "  --periods N           predict --spend: lifetime value over N periods (default 12)\n"
          "  --period DURATION     predict --spend: the length of a period (default 30d)\n"
          "  --discount-rate R     predict --spend: discount rate per period (default 0.01)\n"
          "  --margin M            predict --spend: the share of spend that is profit (default 1)\n"
          "  --csv                 CSV with a header row (numbers in full precision)\n"
          "  --json                fit: one JSON object; predict: JSON lines, one object per customer\n"
          "\n"
          "Examples:\n"
          "  rapport clv fit crm.db --cutoff 2025-06-30 --spend\n"
          "  rapport clv fit crm.db --model pareto_nbd --unit days --json\n"
          "  rapport clv predict crm.db --horizon 90d --spend --csv > clv.csv\n",
      .options = Options(),
      .min_positionals = 1,
      .max_positionals = SIZE_MAX,
      .run = RunClv,
  };
  return *command;
}

}  // namespace rapport::cli
