// Fitted customer lifetime value models as stored values, and the per-customer scores they give.
//
// A ClvModelSpec is everything needed to apply a fitted model later to newer data: the purchase model
// (BG/NBD or Pareto/NBD) and its parameters, optionally a Gamma-Gamma spend model, what the fits found,
// the summary conventions it was fitted with (data cut-off, time unit, merging of same-period orders,
// which orders count) and the value options of its lifetime value. It has one JSON form (the `spec`
// column of table clv_models, and what the C ABI, Python and the CLI print; docs/clv.md).
//
// The Database stores specs (FitClvModel, SaveClvModel) and applies them (ApplyClvModel), writing
// every customer's p_alive, expected_purchases_90d, clv and churn_risk (ClvScoreTable). Scoring itself
// is pure: ScoreClvCustomers works on any ClvSummary, so scores can be checked away from a database.
#ifndef RAPPORT_CLV_STORE_H_
#define RAPPORT_CLV_STORE_H_

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "rapport/clv.h"
#include "rapport/clv_summary.h"

namespace rapport {

// The purchase model of a stored CLV model (the `model` column: "bg_nbd", "pareto_nbd").
enum class ClvModelKind {
  kBgNbd = 0,
  kParetoNbd = 1,
};

std::string_view ToString(ClvModelKind kind);
// "bg_nbd" | "pareto_nbd"; InvalidArgument naming `field` otherwise.
absl::StatusOr<ClvModelKind> ParseClvModelKind(std::string_view field, std::string_view text);
// The parameter names of the kind, in the order of ClvModelSpec::params.
std::array<std::string_view, 4> ClvParamNames(ClvModelKind kind);
inline constexpr std::array<std::string_view, 3> kGammaGammaParamNames = {"p", "q", "gamma"};

// The value options of a model when none are given: 12 periods of 30 days, 1% discount per period,
// the whole spend as margin.
ClvOptions DefaultClvValueOptions(int64_t time_unit);

// A fitted (or hand-made) CLV model as it is stored.
struct ClvModelSpec {
  int64_t id = 0;  // the row id once stored; ignored by SaveClvModel
  std::string name;  // unique; any text up to 100 characters
  ClvModelKind model = ClvModelKind::kBgNbd;
  // r, alpha, a, b (BG/NBD) or r, alpha, s, beta (Pareto/NBD): each finite and > 0.
  std::array<double, 4> params{};
  // What the purchase model's fit found: log_likelihood (NaN: unknown), covariance (k x k row-major
  // or empty), std_errors (k or empty), customers, evaluations, rows, distinct_rows. `names` is
  // filled from the kind.
  ClvFitInfo fit;
  // Gamma-Gamma p, q, gamma (each finite and > 0); absent: the model gives no lifetime value.
  std::optional<std::array<double, 3>> spend;
  ClvFitInfo spend_fit;

  // The summary conventions (ClvSummaryOptions) of the fit, used again when the model is applied.
  absl::Time cutoff = absl::InfinitePast();  // required: the calibration end of the fit
  int64_t time_unit = kMicrosPerWeek;         // > 0
  int64_t merge_period = kMicrosPerDay;       // >= 0 (0: every order is a purchase)
  int64_t merge_offset = 0;
  // The orders that count (as FrameOptions): statuses (non-empty) and currency ("" : the one
  // currency the orders use).
  std::vector<std::string> order_statuses{"completed"};
  std::string currency;

  // The lifetime value: periods >= 1, period_length > 0 in time units, discount_rate >= 0 per period,
  // margin finite.
  ClvOptions value = DefaultClvValueOptions(kMicrosPerWeek);

  absl::Time fitted_at = absl::InfinitePast();  // SaveClvModel: the database clock when not set
  std::optional<absl::Time> applied_at;         // the as_of of the last apply

  // InvalidArgument "<member>: <problem>" for the first member out of its range (members named as in
  // the JSON form, e.g. "params.alpha: must be finite and > 0, got -1").
  absl::Status Validate() const;
  // The summary options of the model's conventions with the given calibration end.
  ClvSummaryOptions SummaryOptions(absl::Time calibration_end) const;

  // The JSON form: {"id", "name", "model", "params": {name: value}, "fit": {...}, "spend":
  // {"params", "fit"} or null, "summary": {"cutoff", "time_unit_us", "merge_period_us",
  // "merge_offset_us", "order_statuses", "currency"}, "value": {"periods", "period_length",
  // "discount_rate", "margin"}, "fitted_at", "applied_at"}; times RFC 3339, NaN null.
  std::string ToJson() const;
  // Reads the JSON form (id, fitted_at and applied_at optional; "fit", "spend" and "value" may be
  // left out; unknown members are refused) and validates it.
  static absl::StatusOr<ClvModelSpec> FromJson(std::string_view json);
};

// How Database::FitClvModel fits a model to the database's orders.
struct ClvModelFitOptions {
  ClvModelKind model = ClvModelKind::kBgNbd;
  std::optional<absl::Time> cutoff;  // the calibration end; default: the database clock
  int64_t time_unit = kMicrosPerWeek;
  int64_t merge_period = kMicrosPerDay;
  int64_t merge_offset = 0;
  std::vector<std::string> order_statuses{"completed"};
  std::string currency;
  // Fit Gamma-Gamma on the repeat customers whose mean repeat spend is positive.
  bool spend = true;
  // period_length 0: 30 days in time units.
  ClvOptions value{.periods = 12, .period_length = 0, .discount_rate = 0.01, .margin = 1.0};
  ClvFitOptions fit;
};

// Scores of customers under one model as of one time, by ascending customer id. NaN stands for a
// missing value (NULL in the database): clv without a spend model or where it is undefined.
struct ClvScoreTable {
  std::string model;  // the model's name ("" when no model was applied)
  int64_t model_id = 0;
  std::optional<absl::Time> as_of;
  std::vector<int64_t> customer;
  std::vector<double> p_alive;                 // P(alive | x, t_x, T) at as_of
  std::vector<double> expected_purchases_90d;  // E[Y(90 days) | x, t_x, T]
  std::vector<double> clv;                     // CustomerLifetimeValue with the model's value options
  std::vector<double> churn_risk;              // 1 - p_alive

  size_t rows() const { return customer.size(); }
};

// What ApplyClvModel wrote.
struct ClvApplyReport {
  std::string model;
  int64_t model_id = 0;
  absl::Time as_of;
  int64_t customers = 0;  // rows of customer_scores written
};

// The scores of every customer of `summary` (a summary with the model's conventions, calibration end
// `as_of`). Pure and thread-safe.
absl::StatusOr<ClvScoreTable> ScoreClvCustomers(const ClvModelSpec& spec, const ClvSummary& summary, absl::Time as_of);

}  // namespace rapport

#endif  // RAPPORT_CLV_STORE_H_
