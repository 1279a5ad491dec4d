// Customer lifetime value: the probability models of repeat buying, fitted by maximum likelihood and
// used for per-customer predictions (docs/clv.md has the formulas and their sources).
//
//   BgNbdModel      BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way")
//   ParetoNbdModel  Pareto/NBD (Schmittlein, Morrison & Colombo 1987; Fader & Hardie's note 008)
//   GammaGammaModel spend per purchase (Fader, Hardie & Lee 2005, "RFM and CLV"; note 025)
//   BgBbModel       BG/BB for discrete opportunities (Fader, Hardie & Shang 2010)
//
// Data are borrowed arrays, one element per customer (or per distinct row, with a weight counting the
// customers it stands for): the summary of include/rapport/clv_summary.h, a DataFrame's columns.
// Fits compress identical rows into one weighted row first, so a million customers cost what their
// distinct (x, t_x, T) rows cost. Predictions write into caller-owned arrays of the input's length.
// Models are immutable values: every const method is thread-safe. Errors are InvalidArgument for bad
// input ("<field>: <problem> (row i)"), FailedPrecondition when a fit does not converge or the data
// cannot identify the model.
#ifndef RAPPORT_CLV_H_
#define RAPPORT_CLV_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rapport {

// Per-customer (x, t_x, T): repeat purchases, time of the last one (0 when x = 0) and time observed,
// both measured from the first purchase in the caller's time unit. For BG/BB, `age` is the number of opportunities
// n and `recency` the opportunity of the last purchase (whole numbers). Weights: empty means one
// customer per row; otherwise non-negative counts (or any non-negative weights) per row.
struct RecencyFrequency {
  std::span<const double> frequency;
  std::span<const double> recency;
  std::span<const double> age;
  std::span<const double> weights;

  size_t rows() const { return frequency.size(); }
};

// Per repeat customer: x and the mean amount of the x repeat purchases (Gamma-Gamma's zbar).
struct FrequencyMonetary {
  std::span<const double> frequency;
  std::span<const double> monetary;
  std::span<const double> weights;

  size_t rows() const { return frequency.size(); }
};

struct ClvFitOptions {
  // Starting parameters in the model's order; empty: the model's default start.
  std::vector<double> initial;
  // Stop when an iteration improves the mean log-likelihood per customer by less than this.
  double tolerance = 1e-13;
  int max_evaluations = 5000;
  // Worker threads for the likelihood sums over many distinct rows (0 picks, 1 runs on the caller).
  int threads = 0;
};

// What a fit found, beside the parameters. Covariance is of the natural (not log) parameters, the
// inverse of the negative Hessian of the log-likelihood at the optimum (central differences of the
// analytic gradient), row-major k x k; std_errors are the square roots of its diagonal.
struct ClvFitInfo {
  std::vector<std::string> names;
  double log_likelihood = 0;
  std::vector<double> covariance;
  std::vector<double> std_errors;
  int evaluations = 0;
  int64_t rows = 0;           // input rows
  int64_t distinct_rows = 0;  // after compression
  double customers = 0;       // sum of the weights
};

// A model of purchase counts in continuous time (BG/NBD, Pareto/NBD): the predictions they share.
class PurchaseModel {
 public:
  virtual ~PurchaseModel() = default;

  // Total (weighted) log-likelihood of the data under the model's parameters.
  virtual absl::StatusOr<double> LogLikelihood(const RecencyFrequency& data) const = 0;
  // E[X(t)]: expected repeat purchases in (0, t] of a new customer, for each t.
  virtual absl::Status ExpectedPurchases(std::span<const double> t, std::span<double> out) const = 0;
  // E[Y(t) | x, t_x, T]: expected purchases in (T, T + t] of each customer.
  virtual absl::Status ConditionalExpectedPurchases(double t, const RecencyFrequency& data,
                                                    std::span<double> out) const = 0;
  // P(alive at T | x, t_x, T) of each customer.
  virtual absl::Status ProbabilityAlive(const RecencyFrequency& data, std::span<double> out) const = 0;
  // P(X(t) = n) for a new customer, for each n (whole numbers >= 0).
  virtual absl::Status PurchaseCountProbability(double t, std::span<const double> n, std::span<double> out) const = 0;

  // P(alive) of one customer over time: repeat purchase times (ascending, > 0, measured from the first
  // purchase) and the times to evaluate (>= 0); at each time u, the customer's (x, t_x, T) is the
  // purchases at or before u, the last of them, and u.
  absl::Status AliveHistory(std::span<const double> purchase_times, std::span<const double> at,
                            std::span<double> out) const;
};

class BgNbdModel final : public PurchaseModel {
 public:
  struct Params {
    double r = 0, alpha = 0, a = 0, b = 0;
  };
  static absl::StatusOr<BgNbdModel> Fit(const RecencyFrequency& data, const ClvFitOptions& options = {});
  // A model with known parameters (all > 0 and finite).
  static absl::StatusOr<BgNbdModel> FromParams(const Params& params);

  const Params& params() const { return params_; }
  const ClvFitInfo& info() const { return info_; }

  absl::StatusOr<double> LogLikelihood(const RecencyFrequency& data) const override;
  absl::Status ExpectedPurchases(std::span<const double> t, std::span<double> out) const override;
  absl::Status ConditionalExpectedPurchases(double t, const RecencyFrequency& data,
                                            std::span<double> out) const override;
  absl::Status ProbabilityAlive(const RecencyFrequency& data, std::span<double> out) const override;
  absl::Status PurchaseCountProbability(double t, std::span<const double> n, std::span<double> out) const override;

 private:
  BgNbdModel(const Params& p, ClvFitInfo info) : params_(p), info_(std::move(info)) {}
  Params params_;
  ClvFitInfo info_;
};

class ParetoNbdModel final : public PurchaseModel {
 public:
  struct Params {
    double r = 0, alpha = 0, s = 0, beta = 0;
  };
  static absl::StatusOr<ParetoNbdModel> Fit(const RecencyFrequency& data, const ClvFitOptions& options = {});
  static absl::StatusOr<ParetoNbdModel> FromParams(const Params& params);

  const Params& params() const { return params_; }
  const ClvFitInfo& info() const { return info_; }

  absl::StatusOr<double> LogLikelihood(const RecencyFrequency& data) const override;
  absl::Status ExpectedPurchases(std::span<const double> t, std::span<double> out) const override;
  absl::Status ConditionalExpectedPurchases(double t, const RecencyFrequency& data,
                                            std::span<double> out) const override;
  absl::Status ProbabilityAlive(const RecencyFrequency& data, std::span<double> out) const override;
  // P(alive at t) NBD(n) plus the integral over the dropout time (adaptive Gauss-Kronrod to 1e-12),
  // which note 012 (Fader & Hardie) writes in closed form.
  absl::Status PurchaseCountProbability(double t, std::span<const double> n, std::span<double> out) const override;

 private:
  ParetoNbdModel(const Params& p, ClvFitInfo info) : params_(p), info_(std::move(info)) {}
  Params params_;
  ClvFitInfo info_;
};

// Spend per purchase: a customer's purchase amounts are gamma(p, nu) with nu ~ gamma(q, gamma)
// across customers, independent of the purchase process.
class GammaGammaModel {
 public:
  struct Params {
    double p = 0, q = 0, gamma = 0;
  };
  // Rows with frequency 0 carry no spend information and are skipped; the others need monetary > 0.
  static absl::StatusOr<GammaGammaModel> Fit(const FrequencyMonetary& data, const ClvFitOptions& options = {});
  static absl::StatusOr<GammaGammaModel> FromParams(const Params& params);

  const Params& params() const { return params_; }
  const ClvFitInfo& info() const { return info_; }

  absl::StatusOr<double> LogLikelihood(const FrequencyMonetary& data) const;
  // E[M | p, q, gamma, x, zbar]; a customer without repeat purchases (x = 0) gets the population mean
  // p * gamma / (q - 1). NaN where the mean does not exist (p x + q <= 1, q <= 1 for x = 0).
  absl::Status ConditionalExpectedSpend(const FrequencyMonetary& data, std::span<double> out) const;

 private:
  GammaGammaModel(const Params& p, ClvFitInfo info) : params_(p), info_(std::move(info)) {}
  Params params_;
  ClvFitInfo info_;
};

// Discrete opportunities (one purchase or none per period): RecencyFrequency with age = n, the number
// of opportunities observed, and recency = t_x, the opportunity of the last purchase (0 when x = 0).
class BgBbModel {
 public:
  struct Params {
    double alpha = 0, beta = 0, gamma = 0, delta = 0;
  };
  static absl::StatusOr<BgBbModel> Fit(const RecencyFrequency& data, const ClvFitOptions& options = {});
  static absl::StatusOr<BgBbModel> FromParams(const Params& params);

  const Params& params() const { return params_; }
  const ClvFitInfo& info() const { return info_; }

  absl::StatusOr<double> LogLikelihood(const RecencyFrequency& data) const;
  // E[X(n)]: expected purchases of a new customer in the first n opportunities, for each n.
  absl::Status ExpectedPurchases(std::span<const double> n, std::span<double> out) const;
  // E[X(n, n + n_star) | x, t_x, n]: expected purchases in the next n_star opportunities.
  absl::Status ConditionalExpectedPurchases(double n_star, const RecencyFrequency& data, std::span<double> out) const;
  // P(alive at opportunity n + 1 | x, t_x, n).
  absl::Status ProbabilityAlive(const RecencyFrequency& data, std::span<double> out) const;
  // P(X(n) = x) for a new customer, for each x.
  absl::Status PurchaseCountProbability(double n, std::span<const double> x, std::span<double> out) const;

 private:
  BgBbModel(const Params& p, ClvFitInfo info) : params_(p), info_(std::move(info)) {}
  Params params_;
  ClvFitInfo info_;
};

// Customer lifetime value by discounted expected purchases (the approach of the lifetimes package):
//   CLV = margin * E[M] * sum_{k=1..periods} (E[Y(k d)] - E[Y((k-1) d)]) / (1 + discount_rate)^k
// with d = period_length in the model's time unit, E[Y(t)] the conditional expected purchases of the
// customer and E[M] the Gamma-Gamma conditional expected spend (docs/clv.md).
struct ClvOptions {
  int periods = 12;            // horizon in periods
  double period_length = 0;    // required: one period in model time units (e.g. 30 / 7 for months in weeks)
  double discount_rate = 0.01; // per period, >= 0
  double margin = 1.0;         // share of spend that is profit
};

// data.frequency, recency, age describe the customers for `purchases`; monetary is their mean repeat
// spend (NaN or any value where x = 0, which gets the population mean spend).
absl::Status CustomerLifetimeValue(const PurchaseModel& purchases, const GammaGammaModel& spend,
                                   const RecencyFrequency& data, std::span<const double> monetary,
                                   const ClvOptions& options, std::span<double> out);

}  // namespace rapport

#endif  // RAPPORT_CLV_H_
