#include "analytics/clv_fit.h"

#include <nlopt.h>

#include <algorithm>
#include <cmath>
#include <Eigen/Dense>

#include "analytics/rfm_order_scan.h"
#include "base/status_macros.h"
#include "base/strings.h"

namespace rapport::internal {
namespace {

// Log-parameters stay within e^-30 .. e^30: beyond, the models' terms under- or overflow and no
// customer base needs such values.
constexpr double kLogBound = 30;
constexpr size_t kBlock = 2048;

struct Objective {
  const LogLikelihoodFn* ll;
  double scale;
  int evaluations = 0;
  std::vector<double> params, gradient;
};

// NLopt minimises -LL / scale over theta = log(params); d/dtheta = params * d/dparams.
double Evaluate(unsigned k, const double* theta, double* grad, void* data) {
  auto* o = static_cast<Objective*>(data);
  ++o->evaluations;
  for (unsigned j = 0; j < k; ++j) o->params[j] = std::exp(theta[j]);
  const double ll = (*o->ll)(o->params.data(), o->gradient.data());
  bool finite = std::isfinite(ll);
  for (unsigned j = 0; j < k; ++j) finite = finite && std::isfinite(o->gradient[j]);
  if (!finite) {
    // Pushes the line search back towards where it came from.
    if (grad) std::fill(grad, grad + k, 0.0);
    return HUGE_VAL;
  }
  if (grad) {
    for (unsigned j = 0; j < k; ++j) grad[j] = -o->gradient[j] * o->params[j] / o->scale;
  }
  return -ll / o->scale;
}

std::string Join(const std::vector<std::string>& names, const std::vector<double>& values) {
  std::string out;
  for (size_t j = 0; j < names.size(); ++j) out += StrCat(j ? ", " : "", names[j], " = ", values[j]);
  return out;
}

}  // namespace

absl::Status CheckFitOptions(const ClvFitOptions& options, size_t k) {
  // NLopt reads a NaN tolerance as "never stop" and a non-positive evaluation limit as "no limit".
  if (!(std::isfinite(options.tolerance) && options.tolerance >= 0)) {
    return absl::InvalidArgumentError(AsAbsl(StrCat("tolerance: must be finite and >= 0, got ", options.tolerance)));
  }
  if (options.max_evaluations < 1) {
    return absl::InvalidArgumentError(
        AsAbsl(StrCat("max_evaluations: must be >= 1, got ", options.max_evaluations)));
  }
  RETURN_IF_ERROR(CheckThreads(options.threads));
  const std::vector<double>& initial = options.initial;
  if (initial.empty()) return absl::OkStatus();
  if (initial.size() != k) {
    return absl::InvalidArgumentError(
        AsAbsl(StrCat("initial: must have ", k, " parameters, got ", initial.size())));
  }
  for (size_t j = 0; j < k; ++j) {
    if (!(std::isfinite(initial[j]) && initial[j] > 0)) {
      return absl::InvalidArgumentError(
          AsAbsl(StrCat("initial: parameters must be finite and > 0 (parameter ", j, ": ", initial[j], ")")));
    }
  }
  return absl::OkStatus();
}

double SumRows(size_t n, int k, int threads, double* gradient,
               const std::function<double(size_t, size_t, double*)>& fn) {
  const size_t blocks = (n + kBlock - 1) / kBlock;
  std::vector<double> values(blocks, 0.0), grads(blocks * k, 0.0);
  const int parts = std::min<int>(PartsFor(threads, n), static_cast<int>(std::max<size_t>(blocks, 1)));
  RunParts(parts, [&](int p) {
    for (size_t b = p; b < blocks; b += parts) {
      values[b] = fn(b * kBlock, std::min(n, (b + 1) * kBlock), grads.data() + b * k);
    }
  });
  double total = 0;
  std::fill(gradient, gradient + k, 0.0);
  for (size_t b = 0; b < blocks; ++b) {
    total += values[b];
    for (int j = 0; j < k; ++j) gradient[j] += grads[b * k + j];
  }
  return total;
}

std::vector<double> NumericHessian(const LogLikelihoodFn& ll, const std::vector<double>& params) {
  const size_t k = params.size();
  std::vector<double> h(k * k), up(k), down(k), p = params;
  for (size_t j = 0; j < k; ++j) {
    const double step = 1e-5 * params[j];
    p[j] = params[j] + step;
    ll(p.data(), up.data());
    p[j] = params[j] - step;
    ll(p.data(), down.data());
    p[j] = params[j];
    for (size_t i = 0; i < k; ++i) h[i * k + j] = (up[i] - down[i]) / (2 * step);
  }
  for (size_t i = 0; i < k; ++i) {
    for (size_t j = 0; j < i; ++j) h[i * k + j] = h[j * k + i] = (h[i * k + j] + h[j * k + i]) / 2;
  }
  return h;
}

absl::StatusOr<MleResult> MaximizeLikelihood(std::string_view model, std::vector<std::string> names,
                                             std::vector<double> start, double scale, const LogLikelihoodFn& ll,
                                             const ClvFitOptions& options) {
  const unsigned k = static_cast<unsigned>(start.size());
  Objective objective{&ll, scale};
  objective.params.resize(k);
  objective.gradient.resize(k);
  std::vector<double> theta(k);
  for (unsigned j = 0; j < k; ++j) theta[j] = std::log(start[j]);

  nlopt_opt opt = nlopt_create(NLOPT_LD_LBFGS, k);
  nlopt_set_min_objective(opt, Evaluate, &objective);
  nlopt_set_lower_bounds1(opt, -kLogBound);
  nlopt_set_upper_bounds1(opt, kLogBound);
  nlopt_set_ftol_rel(opt, options.tolerance);
  nlopt_set_xtol_rel(opt, 1e-12);
  nlopt_set_maxeval(opt, options.max_evaluations);
  double minimum = 0;
  const nlopt_result code = nlopt_optimize(opt, theta.data(), &minimum);
  nlopt_destroy(opt);

  MleResult out;
  out.params.resize(k);
  for (unsigned j = 0; j < k; ++j) out.params[j] = std::exp(theta[j]);
  // L-BFGS may stop on round-off at the optimum (NLOPT_ROUNDOFF_LIMITED); what counts is that the
  // gradient of the mean log-likelihood in the log-parameters vanishes there.
  std::vector<double> gradient(k);
  const double value = ll(out.params.data(), gradient.data());
  double largest = 0;
  for (unsigned j = 0; j < k; ++j) largest = std::max(largest, std::abs(gradient[j] * out.params[j] / scale));
  const bool at_bound = std::any_of(theta.begin(), theta.end(), [](double t) { return std::abs(t) >= kLogBound - 1e-9; });
  if (code == NLOPT_OUT_OF_MEMORY) return absl::ResourceExhaustedError("fit: out of memory in the optimiser");
  if (!std::isfinite(value) || largest > 1e-5 || at_bound) {
    return absl::FailedPreconditionError(AsAbsl(StrCat(
        "fit: the ", model, " likelihood did not converge after ", objective.evaluations, " evaluations (NLopt code ",
        static_cast<int>(code), ", largest gradient ", largest, ", at ", Join(names, out.params),
        at_bound ? ", a parameter ran off to 0 or infinity" : "",
        "); the data may not identify the model, or try other starting values (ClvFitOptions::initial)")));
  }

  const std::vector<double> hessian = NumericHessian(ll, out.params);
  Eigen::MatrixXd negative(k, k);
  for (unsigned i = 0; i < k; ++i) {
    for (unsigned j = 0; j < k; ++j) negative(i, j) = -hessian[i * k + j];
  }
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(negative);
  if (eigen.info() != Eigen::Success || !(eigen.eigenvalues().minCoeff() > 0)) {
    return absl::FailedPreconditionError(AsAbsl(StrCat(
        "fit: the ", model, " log-likelihood is flat or not concave at ", Join(names, out.params),
        " (the Hessian is not negative definite); the data cannot identify the model")));
  }
  const Eigen::MatrixXd covariance = eigen.eigenvectors() * eigen.eigenvalues().cwiseInverse().asDiagonal() *
                                     eigen.eigenvectors().transpose();
  out.info.names = std::move(names);
  out.info.log_likelihood = value;
  out.info.evaluations = objective.evaluations;
  out.info.covariance.resize(k * k);
  out.info.std_errors.resize(k);
  for (unsigned i = 0; i < k; ++i) {
    for (unsigned j = 0; j < k; ++j) out.info.covariance[i * k + j] = covariance(i, j);
    out.info.std_errors[i] = std::sqrt(covariance(i, i));
  }
  return out;
}

}  // namespace rapport::internal
