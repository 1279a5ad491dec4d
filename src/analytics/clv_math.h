// Special functions for the CLV models: Boost.Math's, with errors as NaN/inf rather than exceptions and
// no promotion of double to long double (the models are evaluated millions of times per fit), plus the
// one hypergeometric series with parameter derivatives that the Pareto/NBD gradient needs.
#ifndef RAPPORT_ANALYTICS_CLV_MATH_H_
#define RAPPORT_ANALYTICS_CLV_MATH_H_

#include <cmath>

#include <boost/math/policies/policy.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>

namespace rapport::internal {

using ClvPolicy = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::ignore_error>,
    boost::math::policies::pole_error<boost::math::policies::ignore_error>,
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::evaluation_error<boost::math::policies::ignore_error>,
    boost::math::policies::promote_double<false>>;

inline double LogGamma(double x) { return boost::math::lgamma(x, ClvPolicy()); }
inline double Digamma(double x) { return boost::math::digamma(x, ClvPolicy()); }
inline double LogBeta(double a, double b) { return LogGamma(a) + LogGamma(b) - LogGamma(a + b); }

// log(e^u + e^v) without overflow; -inf terms are empty.
inline double LogAddExp(double u, double v) {
  if (u < v) std::swap(u, v);
  if (v == -HUGE_VAL) return u;
  return u + std::log1p(std::exp(v - u));
}

// Gauss's 2F1(a, b; c; z) for 0 <= z < 1 (Boost.Math's hypergeometric_pFq); NaN when it fails.
double Hyp2F1(double a, double b, double c, double z);

// H = 2F1(1, b; c; z) = sum_k (b)_k / (c)_k z^k for 0 < b < c and 0 <= z < 1, with its derivatives in
// b, c and z. Every term is positive and at most z^k, so the sum neither cancels nor overflows. No
// library has the parameter derivatives of 2F1; this series gives them term by term.
struct Hyp2F1One {
  double value = 0;  // H
  double d_b = 0;    // dH/db
  double d_c = 0;    // dH/dc
  double d_z = 0;    // dH/dz
  bool converged = false;
};
Hyp2F1One Hypergeometric1(double b, double c, double z);

}  // namespace rapport::internal

#endif  // RAPPORT_ANALYTICS_CLV_MATH_H_
