// Maximum likelihood for the CLV models: NLopt's L-BFGS over the logarithms of the (positive)
// parameters with the models' analytic gradients, then the covariance from the Hessian.
#ifndef RAPPORT_ANALYTICS_CLV_FIT_H_
#define RAPPORT_ANALYTICS_CLV_FIT_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "rapport/clv.h"

namespace rapport::internal {

// The total log-likelihood at natural parameters `params`, with its gradient in them written to
// `gradient`. A non-finite value marks parameters where the likelihood cannot be evaluated.
using LogLikelihoodFn = std::function<double(const double* params, double* gradient)>;

struct MleResult {
  std::vector<double> params;
  ClvFitInfo info;  // names, log-likelihood, covariance, std errors, evaluations (rows left to the caller)
};

// Maximises `ll` from `start` (every element > 0). `scale` (the total weight) divides the objective so
// that the tolerance reads per customer. FailedPrecondition when the optimiser does not reach a point
// where the gradient vanishes, or the Hessian there is not negative definite (the data do not
// identify the parameters).
absl::StatusOr<MleResult> MaximizeLikelihood(std::string_view model, std::vector<std::string> names,
                                             std::vector<double> start, double scale, const LogLikelihoodFn& ll,
                                             const ClvFitOptions& options);

// InvalidArgument for options a fit of k parameters cannot run with: `initial` not empty and not k
// finite elements > 0, a tolerance that is NaN, infinite or negative, max_evaluations < 1, bad threads.
absl::Status CheckFitOptions(const ClvFitOptions& options, size_t k);

// The Hessian of `ll` at `params` by central differences of its analytic gradient, symmetrised;
// row-major k x k. Relative steps of 1e-5.
std::vector<double> NumericHessian(const LogLikelihoodFn& ll, const std::vector<double>& params);

// Sums fn(begin, end, gradient) over rows [0, n) in fixed blocks, spread over threads; the block sums
// are added in block order, so the result does not depend on the number of threads. `k` gradient
// elements; fn adds its block's gradient into the array it is given (zeroed) and returns its value.
double SumRows(size_t n, int k, int threads, double* gradient,
               const std::function<double(size_t, size_t, double*)>& fn);

}  // namespace rapport::internal

#endif  // RAPPORT_ANALYTICS_CLV_FIT_H_
