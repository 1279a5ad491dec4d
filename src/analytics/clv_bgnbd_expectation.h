// The BG/NBD predictions per customer, P(alive) and E[Y(t) | x, t_x, T], evaluated fast for many
// customers at one horizon: the conditional expectation's hypergeometric function by a series
// specialised to its parameters (tables instead of divisions), with Boost.Math's general 2F1 as the
// reference and the fallback (docs/clv.md, "Predictions for many customers").
#ifndef RAPPORT_ANALYTICS_CLV_BGNBD_EXPECTATION_H_
#define RAPPORT_ANALYTICS_CLV_BGNBD_EXPECTATION_H_

#include <vector>

#include "rapport/clv.h"

namespace rapport::internal {

// Equation (10) of Fader, Hardie & Lee (2005) after Euler's transformation (clv_bgnbd.cc):
//   E[Y(t) | x, t_x, T] = P(alive) * G(x, z),  z = t / (alpha + T + t),
//   G(x, z) = (a+b+x-1)/(a-1) * [1 - (1-z)^(a-1) 2F1(A, B; C; z)],  A = a+b-1-r, B = a-1, C = a+b+x-1.
// The general evaluation of G, with Boost.Math's hypergeometric_pFq (at a = 1, where G is 0/0, the
// mean of a = 1 -+ 1e-6).
double BgNbdRepeatFactorGeneral(const BgNbdModel::Params& p, double x, double z);

// G by a series specialised to the model. With S = 2F1 - 1 = B * S' and e = (1-z)^B - 1,
//   G = -C * (e/B + S' (1 + e)),
// where e/B = expm1(B ln(1-z)) / B (ln(1-z) itself at B = 0) and S' = sum_{k>=1} u_k with
//   u_1 = A z / C,  u_{k+1} = u_k * z * (A+k)(B+k) / ((k+1)(C+k)):
// the factor B that makes G 0/0 at a = 1 is divided out exactly, so a = 1 needs no special case.
// x is a whole number, so C + k = (a+b-1) + (x+k) and 1/(C+k) comes from a table over x+k, as does
// (A+k)(B+k)/(k+1): a term costs two multiplications, and terms are taken four at a time so that the
// chain from one round to the next is two multiplications. Summing stops when the remainder is provably
// below 1e-17 of the sum: once A+k >= 0, every later ratio is at most rho = z max(1, (B+k)/(k+1)), so
// the remainder is below |u_k| rho / (1 - rho). Where that takes more than kMaxTerms terms (z near 1)
// the general evaluation is used. Immutable after construction; thread-safe.
class BgNbdRepeatFactor {
 public:
  static constexpr int kMaxTerms = 4096;

  explicit BgNbdRepeatFactor(const BgNbdModel::Params& p);

  // G(x, z) for a whole x >= 0 and 0 <= z < 1.
  double operator()(double x, double z) const;
  // S' = (2F1(A, B; C; z) - 1) / B, or NaN when the series needs more than kMaxTerms terms.
  double SeriesOverB(double x, double z) const;

 private:
  // Frequencies below this have 1/(c0+x+k) for every term in a table; larger ones (rare) divide.
  static constexpr size_t kTabulatedFrequencies = 512;

  // S' with inv_c(k) = 1/(C+k).
  template <typename InvC>
  double Sum(double z, const InvC& inv_c) const;

  BgNbdModel::Params p_;
  double A_, B_, c0_;              // c0 = a+b-1, so C = c0 + x
  std::vector<double> q_;          // (A+k)(B+k)/(k+1), k < kMaxTerms + 2
  std::vector<double> bound_;      // max(1, (B+k)/(k+1)) once A+k >= 0, +inf before
  std::vector<double> inv_c_;      // 1/(c0 + m)
};

// P(alive) (equation (13)) and E[Y(t)] of each customer of checked data, in one pass split over two
// threads for large inputs; either output may be empty (not computed).
void BgNbdPredict(const BgNbdModel::Params& p, double t, const RecencyFrequency& data, std::span<double> alive,
                  std::span<double> expected);

}  // namespace rapport::internal

#endif  // RAPPORT_ANALYTICS_CLV_BGNBD_EXPECTATION_H_
