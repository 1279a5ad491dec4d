#include "analytics/clv_math.h"

#include <limits>

#include <boost/math/special_functions/hypergeometric_pFq.hpp>

namespace rapport::internal {

double Hyp2F1(double a, double b, double c, double z) {
  if (!(z >= 0 && z < 1)) return std::numeric_limits<double>::quiet_NaN();
  if (z == 0) return 1;
  return boost::math::hypergeometric_pFq({a, b}, {c}, z, static_cast<double*>(nullptr), ClvPolicy());
}

Hyp2F1One Hypergeometric1(double b, double c, double z) {
  // term_k = (b)_k / (c)_k z^k; d term_k / db = term_k * sum_{j<k} 1/(b+j), d/dc likewise with -1/(c+j),
  // and d term_k / dz = k term_k / z, written as (k+1) term_k (b+k) / (c+k) (the next term over z)
  // so that z = 0 needs no division.
  Hyp2F1One h;
  double term = 1, sum_b = 0, sum_c = 0;
  constexpr int kMaxTerms = 1'000'000;
  for (int k = 0; k < kMaxTerms; ++k) {
    const double ratio = (b + k) / (c + k);
    h.value += term;
    h.d_b += term * sum_b;
    h.d_c -= term * sum_c;
    h.d_z += (k + 1) * term * ratio;
    // The remaining terms are below next / (1 - z) (ratio < 1); weighted by k for d/dz they sum to
    // below next (k + 2) / (1 - z)^2, so stop when that is negligible.
    const double next = term * ratio * z;
    if (next * (k + 2) <= 1e-17 * h.value * (1 - z) * (1 - z)) {
      h.converged = true;
      return h;
    }
    sum_b += 1 / (b + k);
    sum_c += 1 / (c + k);
    term = next;
  }
  return h;
}

}  // namespace rapport::internal
