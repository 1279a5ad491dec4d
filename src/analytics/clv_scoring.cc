// The scores a stored CLV model gives each customer (include/rapport/clv_store.h): P(alive), expected
// purchases in the next 90 days, lifetime value and churn risk, from a summary with the model's
// conventions. The same model calls a caller makes on SummarizeForClv, so the stored scores equal them.
//
// The purchase model's predictions depend on (x, t_x, T) alone, which many customers share (T counts
// whole days since the first purchase, t_x too): they are computed once per distinct row and copied to
// the customers. Each prediction is a function of its own row, so the numbers are exactly those of a
// call on every customer; a million customers cost what their few hundred thousand distinct rows cost
// (lifetime value calls the model once per period).
#include <cmath>
#include <cstring>
#include <limits>
#include <tuple>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "analytics/clv_value.h"
#include "base/status_macros.h"
#include "rapport/clv_store.h"

namespace rapport {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using Purchases = std::variant<BgNbdModel, ParetoNbdModel>;

absl::StatusOr<Purchases> PurchaseModelOf(const ClvModelSpec& spec) {
  const auto& p = spec.params;
  if (spec.model == ClvModelKind::kParetoNbd) {
    ASSIGN_OR_RETURN(ParetoNbdModel m, ParetoNbdModel::FromParams({p[0], p[1], p[2], p[3]}));
    return Purchases(std::move(m));
  }
  ASSIGN_OR_RETURN(BgNbdModel m, BgNbdModel::FromParams({p[0], p[1], p[2], p[3]}));
  return Purchases(std::move(m));
}

// The distinct (x, t_x, T) rows of a summary, in order of first appearance, and each customer's row.
struct DistinctRows {
  std::vector<double> x, tx, age;
  std::vector<uint32_t> row_of;

  RecencyFrequency View() const { return RecencyFrequency{x, tx, age, {}}; }
};

DistinctRows Distinct(const ClvSummary& s) {
  using Key = std::tuple<uint64_t, uint64_t, uint64_t>;
  auto bits = [](double v) {
    v += 0.0;  // -0.0 and 0.0 alike
    uint64_t u;
    std::memcpy(&u, &v, sizeof u);
    return u;
  };
  DistinctRows d;
  d.row_of.resize(s.rows());
  absl::flat_hash_map<Key, uint32_t> index;
  index.reserve(s.rows() / 2);
  for (size_t i = 0; i < s.rows(); ++i) {
    auto [it, added] = index.try_emplace(Key{bits(s.frequency[i]), bits(s.recency[i]), bits(s.age[i])},
                                         static_cast<uint32_t>(d.x.size()));
    if (added) {
      d.x.push_back(s.frequency[i]);
      d.tx.push_back(s.recency[i]);
      d.age.push_back(s.age[i]);
    }
    d.row_of[i] = it->second;
  }
  return d;
}

// Gamma-Gamma's E[M] of each customer, as CustomerLifetimeValue computes it; NaN where it is undefined,
// including a repeat customer whose mean repeat spend is not positive (the model describes positive
// spend; such a customer gets no value rather than failing everyone's scores).
absl::StatusOr<std::vector<double>> ExpectedSpend(const GammaGammaModel& spend, const ClvSummary& s) {
  const size_t n = s.rows();
  std::vector<double> zbar(s.monetary), m(n);
  std::vector<bool> undefined(n, false);
  for (size_t i = 0; i < n; ++i) {
    if (s.frequency[i] == 0) {
      zbar[i] = 1;  // not read: x = 0 gets the population mean
    } else if (!(std::isfinite(zbar[i]) && zbar[i] > 0)) {
      undefined[i] = true;
      zbar[i] = 1;
    }
  }
  RETURN_IF_ERROR(spend.ConditionalExpectedSpend(FrequencyMonetary{s.frequency, zbar, {}}, m));
  for (size_t i = 0; i < n; ++i) {
    if (undefined[i]) m[i] = kNaN;
  }
  return m;
}

}  // namespace

absl::StatusOr<ClvScoreTable> ScoreClvCustomers(const ClvModelSpec& spec, const ClvSummary& summary, absl::Time as_of) {
  RETURN_IF_ERROR(spec.Validate());
  ASSIGN_OR_RETURN(const Purchases purchases, PurchaseModelOf(spec));
  const PurchaseModel& model = std::visit([](const auto& m) -> const PurchaseModel& { return m; }, purchases);
  const size_t n = summary.rows();
  ClvScoreTable out;
  out.model = spec.name;
  out.model_id = spec.id;
  out.as_of = as_of;
  out.customer = summary.customer;
  out.p_alive.resize(n);
  out.expected_purchases_90d.resize(n);
  out.clv.assign(n, kNaN);
  out.churn_risk.resize(n);
  if (n == 0) return out;

  const DistinctRows rows = Distinct(summary);
  const size_t k = rows.x.size();
  std::vector<double> alive(k), expected(k);
  RETURN_IF_ERROR(model.ProbabilityAlive(rows.View(), alive));
  // 90 days in the model's time unit (12.857... weeks for a model fitted in weeks).
  const double horizon = 90.0 * static_cast<double>(kMicrosPerDay) / static_cast<double>(spec.time_unit);
  RETURN_IF_ERROR(model.ConditionalExpectedPurchases(horizon, rows.View(), expected));
  for (size_t i = 0; i < n; ++i) {
    const uint32_t r = rows.row_of[i];
    out.p_alive[i] = alive[r];
    out.expected_purchases_90d[i] = expected[r];
    out.churn_risk[i] = 1.0 - alive[r];
  }
  if (spec.spend) {
    const auto& s = *spec.spend;
    ASSIGN_OR_RETURN(const GammaGammaModel spend, GammaGammaModel::FromParams({s[0], s[1], s[2]}));
    ASSIGN_OR_RETURN(const std::vector<double> m, ExpectedSpend(spend, summary));
    std::vector<double> discounted(k);
    RETURN_IF_ERROR(internal::DiscountedPurchases(model, rows.View(), spec.value, discounted));
    for (size_t i = 0; i < n; ++i) {
      // The product in CustomerLifetimeValue's order: the same bits.
      const double value = discounted[rows.row_of[i]] * (spec.value.margin * m[i]);
      out.clv[i] = std::isfinite(value) ? value : kNaN;  // NULL in the store: undefined, not a number
    }
  }
  return out;
}

}  // namespace rapport
