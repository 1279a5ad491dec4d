#include "cli/clv_fit.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/time_format.h"
#include "cli/analytics_common.h"

namespace rapport::cli {

std::optional<std::string> ParseClvRequest(const ParsedArgs& args, ClvRequest* out) {
  if (auto model = args.Get("model")) {
    if (*model == "bg_nbd") {
      out->model = ClvModelKind::kBgNbd;
    } else if (*model == "pareto_nbd") {
      out->model = ClvModelKind::kParetoNbd;
    } else {
      return "--model is 'bg_nbd' or 'pareto_nbd', not '" + *model + "'";
    }
  }
  if (auto e = TimeOption(args, "cutoff", &out->cutoff)) return e;
  if (auto unit = args.Get("unit")) {
    if (*unit == "weeks") {
      out->time_unit = kMicrosPerWeek;
    } else if (*unit == "days") {
      out->time_unit = kMicrosPerDay;
    } else {
      return "--unit is 'weeks' or 'days', not '" + *unit + "'";
    }
  }
  out->spend = args.Has("spend");
  out->scope = OrderScope(args);
  return std::nullopt;
}

const char* ModelName(ClvModelKind kind) { return kind == ClvModelKind::kBgNbd ? "bg_nbd" : "pareto_nbd"; }
const char* ModelLabel(ClvModelKind kind) { return kind == ClvModelKind::kBgNbd ? "BG/NBD" : "Pareto/NBD"; }

std::string UnitName(int64_t time_unit) {
  if (time_unit == kMicrosPerWeek) return "weeks";
  if (time_unit == kMicrosPerDay) return "days";
  return absl::StrCat("units of ", static_cast<double>(time_unit) / kMicrosPerDay, " days");
}

const PurchaseModel& ClvFit::purchase_model() const {
  return std::visit([](const auto& m) -> const PurchaseModel& { return m; }, purchases);
}

std::vector<double> ClvFit::purchase_params() const {
  if (const auto* bg = std::get_if<BgNbdModel>(&purchases)) {
    const auto& p = bg->params();
    return {p.r, p.alpha, p.a, p.b};
  }
  const auto& p = std::get<ParetoNbdModel>(purchases).params();
  return {p.r, p.alpha, p.s, p.beta};
}

const ClvFitInfo& ClvFit::purchase_info() const {
  return std::visit([](const auto& m) -> const ClvFitInfo& { return m.info(); }, purchases);
}

namespace {

using Purchases = std::variant<BgNbdModel, ParetoNbdModel>;

absl::StatusOr<Purchases> FitPurchases(ClvModelKind kind, const RecencyFrequency& data) {
  if (kind == ClvModelKind::kBgNbd) {
    auto m = BgNbdModel::Fit(data);
    if (!m.ok()) return m.status();
    return Purchases(*std::move(m));
  }
  auto m = ParetoNbdModel::Fit(data);
  if (!m.ok()) return m.status();
  return Purchases(*std::move(m));
}

}  // namespace

absl::StatusOr<ClvFit> FitClv(const OrderFrame& orders, int64_t cutoff, const ClvRequest& request,
                              std::optional<int64_t> holdout_end) {
  ClvSummaryOptions options;
  options.calibration_end = cutoff;
  if (holdout_end) options.observation_end = *holdout_end;
  options.time_unit = request.time_unit;
  auto summary = SummarizeForClv(orders, options);
  if (!summary.ok()) return summary.status();
  if (summary->rows() == 0) {
    return absl::InvalidArgumentError(absl::StrCat("cutoff: no customer has an order at or before ",
                                                   internal::FormatTimestamp(absl::FromUnixMicros(cutoff))));
  }
  const RecencyFrequency data{summary->frequency, summary->recency, summary->age, {}};
  auto purchases = FitPurchases(request.model, data);
  if (!purchases.ok()) return purchases.status();
  std::optional<GammaGammaModel> spend;
  if (request.spend) {
    auto m = GammaGammaModel::Fit(FrequencyMonetary{summary->frequency, summary->monetary, {}});
    if (!m.ok()) return m.status();
    spend = *std::move(m);
  }
  return ClvFit{cutoff, request.time_unit, request.model, *std::move(summary), *std::move(purchases), std::move(spend)};
}

}  // namespace rapport::cli
