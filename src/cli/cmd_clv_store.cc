// rapport clv save|apply|models|scores|drop: CLV models stored in the database (Database::FitClvModel
// and friends, docs/clv.md "Stored models"). The fit options are those of `rapport clv fit`.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/time_format.h"
#include "cli/analytics_common.h"
#include "cli/clv_fit.h"
#include "cli/command.h"
#include "cli/format.h"

namespace rapport::cli {
namespace {

constexpr char kName[] = "clv";

std::string Time(absl::Time t) { return internal::FormatTimestamp(t); }

// --periods, --period, --discount-rate, --margin over the defaults of ClvModelFitOptions.
std::optional<std::string> ParseValueOptions(const ParsedArgs& args, const ClvRequest& request, ClvOptions* value,
                                             int64_t* period) {
  for (const char* option : {"periods", "period", "discount-rate", "margin"}) {
    if (args.Has(option) && !request.spend) return "--" + std::string(option) + " sets up lifetime value: it needs --spend";
  }
  int64_t periods = value->periods;
  if (auto e = GetIntOption(args, "periods", 1, 10000, &periods)) return e;
  value->periods = static_cast<int>(periods);
  if (auto e = DurationOption(args, "period", period)) return e;
  for (const auto& [option, out] : {std::pair{"discount-rate", &value->discount_rate}, std::pair{"margin", &value->margin}}) {
    if (auto text = args.Get(option)) {
      char* end = nullptr;
      const double v = std::strtod(text->c_str(), &end);
      if (text->empty() || *end != '\0' || !std::isfinite(v) || v < 0) {
        return "option '--" + std::string(option) + "': '" + *text + "' is not a number >= 0";
      }
      *out = v;
    }
  }
  return std::nullopt;
}

// The parameters of a stored model as the `fit` table prints them, then one line about the model.
void PrintSpec(const ClvModelSpec& spec) {
  Table table({"model", "parameter", "value", "std_error"});
  const auto names = ClvParamNames(spec.model);
  for (size_t i = 0; i < spec.params.size(); ++i) {
    const double se = i < spec.fit.std_errors.size() ? spec.fit.std_errors[i] : std::nan("");
    table.AddRow({std::string(ToString(spec.model)), std::string(names[i]), Fixed(spec.params[i], 4), Fixed(se, 4)});
  }
  if (spec.spend) {
    for (size_t i = 0; i < spec.spend->size(); ++i) {
      const double se = i < spec.spend_fit.std_errors.size() ? spec.spend_fit.std_errors[i] : std::nan("");
      table.AddRow({"gamma_gamma", std::string(kGammaGammaParamNames[i]), Fixed((*spec.spend)[i], 4), Fixed(se, 4)});
    }
  }
  table.Print(stdout);
  std::printf("(model '%s': orders up to %s, time in %s, log-likelihood %s, %s customers; fitted at %s%s)\n",
              spec.name.c_str(), Time(spec.cutoff).c_str(), UnitName(spec.time_unit).c_str(),
              Fixed(spec.fit.log_likelihood, 2).c_str(), Fixed(spec.fit.customers, 0).c_str(),
              Time(spec.fitted_at).c_str(),
              spec.spend ? "" : "; no spend model: clv scores stay empty (fit with --spend)");
}

// The fit options of `save`, or a usage-error message.
std::optional<std::string> ParseSaveOptions(const ParsedArgs& args, ClvModelFitOptions* out) {
  ClvRequest request;
  if (auto e = ParseClvRequest(args, &request)) return e;
  ClvModelFitOptions& options = *out;
  options.model = request.model;
  if (request.cutoff) options.cutoff = absl::FromUnixMicros(*request.cutoff);
  options.time_unit = request.time_unit;
  options.order_statuses = request.scope.order_statuses;
  options.currency = request.scope.currency;
  options.spend = request.spend;
  int64_t period = 30 * kMicrosPerDay;
  if (auto e = ParseValueOptions(args, request, &options.value, &period)) return e;
  options.value.period_length = static_cast<double>(period) / static_cast<double>(request.time_unit);
  return std::nullopt;
}

int Save(const ParsedArgs& args, Database& db, const std::string& name, const ClvModelFitOptions& options) {
  auto spec = db.FitClvModel(name, options);
  if (!spec.ok()) return Fail(spec.status());
  if (args.Has("json")) {
    PrintLine(spec->ToJson());
  } else if (!args.Has("csv")) {
    PrintSpec(*spec);
  } else {
    PrintLine(CsvLine({"model", "parameter", "value", "std_error"}));
    const auto names = ClvParamNames(spec->model);
    for (size_t i = 0; i < spec->params.size(); ++i) {
      PrintLine(CsvLine({std::string(ToString(spec->model)), std::string(names[i]), CsvNumber(spec->params[i]),
                         CsvNumber(spec->fit.std_errors.empty() ? std::nan("") : spec->fit.std_errors[i])}));
    }
    for (size_t i = 0; spec->spend && i < spec->spend->size(); ++i) {
      PrintLine(CsvLine({"gamma_gamma", std::string(kGammaGammaParamNames[i]), CsvNumber((*spec->spend)[i]),
                         CsvNumber(spec->spend_fit.std_errors.empty() ? std::nan("") : spec->spend_fit.std_errors[i])}));
    }
  }
  return kExitOk;
}

int Apply(const ParsedArgs& args, Database& db, const std::string& name, std::optional<int64_t> as_of) {
  std::optional<absl::Time> when;
  if (as_of) when = absl::FromUnixMicros(*as_of);
  auto report = db.ApplyClvModel(name, when);
  if (!report.ok()) return Fail(report.status());
  if (args.Has("json")) {
    nlohmann::ordered_json j = {{"model", report->model},
                                {"as_of", Time(report->as_of)},
                                {"customers", report->customers}};
    PrintLine(DumpJson(j));
  } else {
    std::printf("scored %lld customers with model '%s' as of %s\n", static_cast<long long>(report->customers),
                report->model.c_str(), Time(report->as_of).c_str());
  }
  return kExitOk;
}

int Models(const ParsedArgs& args, Database& db) {
  auto models = db.ClvModels();
  if (!models.ok()) return Fail(models.status());
  if (args.Has("json")) {
    for (const ClvModelSpec& spec : *models) PrintLine(spec.ToJson());
    return kExitOk;
  }
  Table table({"name", "model", "spend", "cutoff", "unit", "log_likelihood", "customers", "applied_at"});
  for (const ClvModelSpec& spec : *models) {
    table.AddRow({spec.name, std::string(ToString(spec.model)), spec.spend ? "gamma_gamma" : "-", Time(spec.cutoff),
                  UnitName(spec.time_unit), Fixed(spec.fit.log_likelihood, 2), Fixed(spec.fit.customers, 0),
                  spec.applied_at ? Time(*spec.applied_at) : "-"});
  }
  table.Print(stdout);
  std::printf("(%zu models)\n", models->size());
  return kExitOk;
}

int Scores(const ParsedArgs& args, Database& db, int64_t limit) {
  auto scores = db.ClvScores();
  if (!scores.ok()) return Fail(scores.status());
  const ClvScoreTable& s = *scores;
  const size_t shown = static_cast<size_t>(std::min<int64_t>(limit, static_cast<int64_t>(s.rows())));
  const std::vector<std::string> header = {"customer", "p_alive", "expected_purchases_90d", "clv", "churn_risk"};
  const bool csv = args.Has("csv"), json = args.Has("json");
  if (csv) PrintLine(CsvLine(header));
  Table table(header);
  for (size_t i = 0; i < shown; ++i) {
    if (json) {
      nlohmann::ordered_json j = {{"customer", s.customer[i]},
                                  {"p_alive", s.p_alive[i]},
                                  {"expected_purchases_90d", s.expected_purchases_90d[i]},
                                  {"clv", s.clv[i]},
                                  {"churn_risk", s.churn_risk[i]}};
      PrintLine(DumpJson(j));
    } else if (csv) {
      PrintLine(CsvLine({std::to_string(s.customer[i]), CsvNumber(s.p_alive[i]), CsvNumber(s.expected_purchases_90d[i]),
                         CsvNumber(s.clv[i]), CsvNumber(s.churn_risk[i])}));
    } else {
      table.AddRow({std::to_string(s.customer[i]), Fixed(s.p_alive[i], 3), Fixed(s.expected_purchases_90d[i], 3),
                    Fixed(s.clv[i], 2), Fixed(s.churn_risk[i], 3)});
    }
  }
  if (csv || json) return kExitOk;
  table.Print(stdout);
  if (s.model.empty()) {
    std::printf("(no model applied yet: rapport clv apply DB NAME)\n");
  } else {
    std::printf("(%s of %zu customers; model '%s' applied as of %s)\n", shown < s.rows() ? "first rows" : "all rows",
                s.rows(), s.model.c_str(), s.as_of ? Time(*s.as_of).c_str() : "-");
  }
  return kExitOk;
}

}  // namespace

int RunClvStore(const ParsedArgs& args, const std::vector<std::string>& pos) {
  const std::string& sub = pos[0];
  // Every option is read before the database is opened, so a usage error touches nothing.
  ClvModelFitOptions fit;
  std::optional<int64_t> as_of;
  int64_t limit = std::numeric_limits<int64_t>::max();
  std::optional<std::string> usage;
  if (sub == "save") usage = ParseSaveOptions(args, &fit);
  if (sub == "apply") usage = TimeOption(args, "as-of", &as_of);
  if (sub == "scores") usage = GetIntOption(args, "limit", 1, std::numeric_limits<int64_t>::max(), &limit);
  if (usage) return UsageError(kName, *usage);
  auto db = OpenDatabase(pos[1]);
  if (!db.ok()) return Fail(db.status());
  if (sub == "save") return Save(args, *db, pos[2], fit);
  if (sub == "apply") return Apply(args, *db, pos[2], as_of);
  if (sub == "models") return Models(args, *db);
  if (sub == "scores") return Scores(args, *db, limit);
  absl::Status dropped = db->DeleteClvModel(pos[2]);
  if (!dropped.ok()) return Fail(dropped);
  std::printf("dropped model '%s' and its scores\n", pos[2].c_str());
  return kExitOk;
}

}  // namespace rapport::cli
