// rapport clv fit DB [--model bg_nbd|pareto_nbd] [--cutoff T] [--unit weeks|days] [--spend] ... [--csv|--json]
// rapport clv predict DB [same] [--horizon D] [--limit N] [--periods N --period D --discount-rate R --margin M]
// rapport clv check DB --holdout-end T [same]; the stored-model subcommands are in cmd_clv_store.cc.
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
#include "rapport/clv_check.h"

namespace rapport::cli {
namespace {

constexpr char kName[] = "clv";

using Json = nlohmann::ordered_json;

std::string Time(int64_t micros) { return internal::FormatTimestamp(absl::FromUnixMicros(micros)); }

// Each subcommand: the options it accepts (the command's spec lists their union) and its positionals
// after its name (the database, and a model name for the stored-model subcommands).
struct Subcommand {
  std::set<std::string> options;
  size_t positionals;
};

const std::map<std::string, Subcommand, std::less<>>& Subcommands() {
  static const std::set<std::string> shared = {"model", "cutoff", "unit", "spend", "currency", "status", "csv", "json"};
  static const std::set<std::string> value = {"periods", "period", "discount-rate", "margin"};
  const auto with = [](std::set<std::string> s, std::initializer_list<std::set<std::string>> more) {
    for (const auto& m : more) s.insert(m.begin(), m.end());
    return s;
  };
  static const auto* subs = new std::map<std::string, Subcommand, std::less<>>{
      {"fit", {shared, 1}},
      {"predict", {with(shared, {value, {"horizon", "limit"}}), 1}},
      {"check", {with({"model", "cutoff", "unit", "currency", "status", "csv", "json"}, {{"holdout-end", "max-frequency"}}), 1}},
      {"save", {with(shared, {value}), 2}},
      {"apply", {{"as-of", "json"}, 2}},
      {"models", {{"json"}, 1}},
      {"scores", {{"limit", "csv", "json"}, 1}},
      {"drop", {{}, 2}},
  };
  return *subs;
}

const std::vector<OptionSpec>& Options() {
  static const auto* options = new std::vector<OptionSpec>{
      {"model", true, false},   {"cutoff", true, false},  {"unit", true, false},    {"spend", false, false},
      {"currency", true, false}, {"status", true, true},  {"csv", false, false},    {"json", false, false},
      {"horizon", true, false}, {"limit", true, false},   {"periods", true, false}, {"period", true, false},
      {"discount-rate", true, false}, {"margin", true, false}, {"holdout-end", true, false},
      {"max-frequency", true, false}, {"as-of", true, false}};
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

// ---- check ----

// Calibration against holdout: per calibration frequency group, customers, actual and expected mean
// holdout purchases.
void PrintCheck(const ClvFit& fit, const CalibrationHoldout& check, int64_t holdout_end, bool csv, bool json) {
  const int last = static_cast<int>(check.groups()) - 1;
  const auto group_name = [&](size_t g) {
    return static_cast<int>(g) == last ? absl::StrCat(g, "+") : absl::StrCat(g);
  };
  if (json) {
    Json j = Json::object();
    j["cutoff"] = Time(fit.cutoff);
    j["holdout_end"] = Time(holdout_end);
    j["unit"] = UnitName(fit.time_unit);
    j["model"] = ModelName(fit.kind);
    j["holdout_duration"] = check.holdout_duration;
    Json groups = Json::array();
    for (size_t g = 0; g < check.groups(); ++g) {
      groups.push_back({{"frequency", group_name(g)},
                        {"customers", check.customers[g]},
                        {"actual", check.actual[g]},
                        {"expected", check.expected[g]}});
    }
    j["groups"] = std::move(groups);
    PrintLine(DumpJson(j));
    return;
  }
  const std::vector<std::string> header = {"frequency", "customers", "actual", "expected"};
  if (csv) PrintLine(CsvLine(header));
  Table table(header);
  double actual = 0, expected = 0;
  for (size_t g = 0; g < check.groups(); ++g) {
    if (check.customers[g] > 0) {
      actual += check.customers[g] * check.actual[g];
      expected += check.customers[g] * check.expected[g];
    }
    if (csv) {
      PrintLine(CsvLine({group_name(g), CsvNumber(check.customers[g]), CsvNumber(check.actual[g]),
                         CsvNumber(check.expected[g])}));
    } else {
      table.AddRow({group_name(g), Fixed(check.customers[g], 0), Fixed(check.actual[g], 3), Fixed(check.expected[g], 3)});
    }
  }
  if (csv) return;
  table.Print(stdout);
  std::printf("(%s fitted to orders up to %s; purchases in the holdout to %s (%s %s): %s made, %s expected)\n",
              ModelLabel(fit.kind), Time(fit.cutoff).c_str(), Time(holdout_end).c_str(),
              CsvNumber(check.holdout_duration).c_str(), UnitName(fit.time_unit).c_str(), Fixed(actual, 0).c_str(),
              Fixed(expected, 0).c_str());
}

// ---- the command ----

int RunClv(const ParsedArgs& args) {
  std::vector<std::string> pos = args.positionals;
  const auto sub = Subcommands().find(pos[0]);
  if (sub == Subcommands().end()) {
    return UsageError(kName, "unknown subcommand '" + pos[0] +
                                 "' (expected fit, predict, check, save, apply, models, scores or drop)");
  }
  for (const OptionSpec& option : Options()) {
    if (args.Has(option.name) && !sub->second.options.count(option.name)) {
      return UsageError(kName, "option '--" + option.name + "' does not apply to 'rapport clv " + sub->first + "'");
    }
  }
  const size_t wanted = 1 + sub->second.positionals;
  if (pos.size() < wanted) return UsageError(kName, "missing arguments");
  if (pos.size() > wanted) return UsageError(kName, "unexpected argument '" + pos[wanted] + "'");
  if (auto e = CheckOutputForm(args)) return UsageError(kName, *e);
  const std::string_view name = sub->first;
  if (name != "fit" && name != "predict" && name != "check") return RunClvStore(args, pos);

  ClvRequest request;
  if (auto e = ParseClvRequest(args, &request)) return UsageError(kName, *e);
  PredictOptions predict_options;
  if (name == "predict") {
    if (auto e = ParsePredictOptions(args, request.spend, &predict_options)) return UsageError(kName, *e);
  }
  std::optional<int64_t> holdout_end;
  int64_t max_frequency = CalibrationHoldoutOptions{}.max_frequency;
  if (name == "check") {
    if (auto e = TimeOption(args, "holdout-end", &holdout_end)) return UsageError(kName, *e);
    if (!holdout_end) return UsageError(kName, "check needs --holdout-end: the end of the period it predicts");
    if (auto e = GetIntOption(args, "max-frequency", 0, 100000, &max_frequency)) return UsageError(kName, *e);
  }

  auto db = OpenDatabase(pos[1]);
  if (!db.ok()) return Fail(db.status());
  const int64_t cutoff = request.cutoff.value_or(absl::ToUnixMicros(db->Now()));
  if (holdout_end && *holdout_end <= cutoff) {
    return UsageError(kName, "--holdout-end must be after the cut-off (" + Time(cutoff) + ")");
  }
  auto orders = db->LoadOrderFrame(request.scope);
  if (!orders.ok()) return FailLoad(orders.status(), args);
  auto fit = FitClv(*orders, cutoff, request, holdout_end);
  if (!fit.ok()) return Fail(fit.status());
  const bool csv = args.Has("csv"), json = args.Has("json");
  if (name == "fit") {
    PrintFit(*fit, csv, json);
    return kExitOk;
  }
  if (name == "check") {
    auto check = CompareCalibrationHoldout(fit->purchase_model(), fit->summary,
                                           {.max_frequency = static_cast<int>(max_frequency)});
    if (!check.ok()) return Fail(check.status());
    PrintCheck(*fit, *check, *holdout_end, csv, json);
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
      .summary = "customer lifetime value: fit, check and predict BG/NBD or Pareto/NBD (and Gamma-Gamma); stored models",
      .help =
          "Usage: rapport clv fit DB [--model bg_nbd|pareto_nbd] [--cutoff TIME] [--unit weeks|days] [--spend]\n"
          "                          [--currency C] [--status S]... [--csv | --json]\n"
          "       rapport clv predict DB [the options of fit] [--horizon DURATION] [--limit N]\n"
          "                          [--periods N] [--period DURATION] [--discount-rate R] [--margin M]\n"
          "       rapport clv check DB --holdout-end TIME [the options of fit but --spend] [--max-frequency N]\n"
          "       rapport clv save DB NAME [the options of fit] [--periods N] [--period D] [--discount-rate R]\n"
          "                          [--margin M]\n"
          "       rapport clv apply DB NAME [--as-of TIME] [--json]\n"
          "       rapport clv models DB [--json]\n"
          "       rapport clv scores DB [--limit N] [--csv | --json]\n"
          "       rapport clv drop DB NAME\n"
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
          "  check     calibration against holdout: customers grouped by their repeat purchases up to the\n"
          "            cut-off (0, 1, ..., and a last group 'N+'), with their mean purchases after it up to\n"
          "            --holdout-end, actual and as the model expects\n"
          "  save      fits as fit does and stores the model as NAME with its cut-off and conventions\n"
          "  apply     scores every customer with a purchase by --as-of (default now) with stored model NAME:\n"
          "            p_alive, expected_purchases_90d, clv and churn_risk, which segment expressions read\n"
          "  models    the stored models; scores: the stored scores; drop: removes a model and its scores\n"
          "\n"
          "Options:\n"
          "  --model M             bg_nbd (default) or pareto_nbd\n"
          "  --cutoff TIME         RFC 3339 or YYYY-MM-DD (UTC): orders after it are not seen (default: now)\n"
          "  --unit U              weeks (default) or days: the unit of t_x, T and the parameters\n"
          "  --spend               also fit Gamma-Gamma to the customers' mean repeat spend\n"
          "  --currency C          orders in currency C count (needed when orders use several)\n"
          "  --status S            orders with status S count (repeatable; default: completed)\n"
          "  --horizon DURATION    predict: expected purchases in this time after the cut-off (default 90d)\n"
          "  --limit N             predict, scores: the first N customers only\n"
          "  --periods N           predict, save (with --spend): lifetime value over N periods (default 12)\n"
          "  --period DURATION     predict, save (with --spend): the length of a period (default 30d)\n"
          "  --discount-rate R     predict, save (with --spend): discount rate per period (default 0.01)\n"
          "  --margin M            predict, save (with --spend): the share of spend that is profit (default 1)\n"
          "  --holdout-end TIME    check: the end of the holdout period (after the cut-off)\n"
          "  --max-frequency N     check: groups 0 .. N-1 and 'N+' (default 7, as the paper's figure)\n"
          "  --as-of TIME          apply: score as of this time (default now; not before the model's cut-off)\n"
          "  --csv                 CSV with a header row (numbers in full precision)\n"
          "  --json                fit, check, apply: one JSON object; save: the stored model; predict, scores,\n"
          "                        models: JSON lines\n"
          "\n"
          "Examples:\n"
          "  rapport clv fit crm.db --cutoff 2025-06-30 --spend\n"
          "  rapport clv check crm.db --cutoff 2025-03-31 --holdout-end 2025-06-30\n"
          "  rapport clv predict crm.db --horizon 90d --spend --csv > clv.csv\n"
          "  rapport clv save crm.db q2 --cutoff 2025-06-30 --spend && rapport clv apply crm.db q2\n"
          "  rapport segment crm.db 'churn_risk > 0.8 and clv > 100'\n",
      .options = Options(),
      .min_positionals = 1,
      .max_positionals = SIZE_MAX,
      .run = RunClv,
  };
  return *command;
}

}  // namespace rapport::cli
