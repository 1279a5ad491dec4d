// What the `rapport clv` subcommands share: the options that choose the orders, the cut-off, the time
// unit and the model, the fit itself (summary, purchase model, optional Gamma-Gamma spend model), and
// the subcommands that work on models stored in the database (save, apply, models, scores, drop).
#ifndef RAPPORT_CLI_CLV_FIT_H_
#define RAPPORT_CLI_CLV_FIT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/args.h"
#include "rapport/clv.h"
#include "rapport/clv_summary.h"
#include "rapport/database.h"

namespace rapport::cli {

struct ClvRequest {
  ClvModelKind model = ClvModelKind::kBgNbd;
  std::optional<int64_t> cutoff;       // --cutoff; default: the database's now
  int64_t time_unit = kMicrosPerWeek;  // --unit weeks|days
  bool spend = false;                  // --spend: also a Gamma-Gamma model of spend per purchase
  FrameOptions scope;                  // --currency, --status
};

// Reads --model, --cutoff, --unit, --spend, --currency and --status. A usage-error message, or nullopt.
std::optional<std::string> ParseClvRequest(const ParsedArgs& args, ClvRequest* out);

// "bg_nbd", "pareto_nbd"; "BG/NBD", "Pareto/NBD" for people; "weeks", "days" (or a length in days).
const char* ModelName(ClvModelKind kind);
const char* ModelLabel(ClvModelKind kind);
std::string UnitName(int64_t time_unit);

// A fit: the summary at the cut-off and the models fitted to it.
struct ClvFit {
  int64_t cutoff = 0;
  int64_t time_unit = kMicrosPerWeek;
  ClvModelKind kind = ClvModelKind::kBgNbd;
  ClvSummary summary;
  std::variant<BgNbdModel, ParetoNbdModel> purchases;
  std::optional<GammaGammaModel> spend;

  const PurchaseModel& purchase_model() const;
  // The purchase model's parameters in its order, and its fit information.
  std::vector<double> purchase_params() const;
  const ClvFitInfo& purchase_info() const;
  // The summary's columns as the models read them.
  RecencyFrequency data() const { return {summary.frequency, summary.recency, summary.age, {}}; }
};

// Summarises `orders` at `cutoff` (with a holdout period up to `holdout_end` when given) and fits the
// request's models. InvalidArgument when no customer bought by the cut-off; the core's errors otherwise
// (FailedPrecondition when a fit does not converge).
absl::StatusOr<ClvFit> FitClv(const OrderFrame& orders, int64_t cutoff, const ClvRequest& request,
                              std::optional<int64_t> holdout_end = std::nullopt);

// `rapport clv save|apply|models|scores|drop`: `pos` holds the subcommand, the database and the name
// when the subcommand takes one. Returns the exit code.
int RunClvStore(const ParsedArgs& args, const std::vector<std::string>& pos);

}  // namespace rapport::cli

#endif  // RAPPORT_CLI_CLV_FIT_H_
