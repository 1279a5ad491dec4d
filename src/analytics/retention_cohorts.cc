#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "analytics/retention_calendar.h"
#include "analytics/rfm_order_scan.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "rapport/retention.h"

namespace rapport {

std::string_view ToString(CohortPeriod period) {
  switch (period) {
    case CohortPeriod::kWeek: return "week";
    case CohortPeriod::kMonth: return "month";
    case CohortPeriod::kQuarter: return "quarter";
  }
  return "?";
}

namespace {

// Counts of one part of the orders. Cohorts are indexed by age, the number of periods from the cohort
// to the period of as_of, which only grows at the end as older cohorts turn up; a cohort of age a has
// min(a + 1, cap) cells.
struct Triangle {
  std::vector<std::vector<int64_t>> by_age;

  std::vector<int64_t>& Row(int64_t age, int64_t cap) {
    if (static_cast<size_t>(age) >= by_age.size()) by_age.resize(age + 1);
    std::vector<int64_t>& row = by_age[age];
    if (row.empty()) row.assign(std::min(age + 1, cap), 0);
    return row;
  }
};

void CountPart(const internal::SortedOrders& orders, int part, int64_t as_of, const internal::PeriodCalendar& calendar,
               int64_t last_period, int64_t cap, Triangle& out) {
  orders.ForEachCustomer(part, [&](const internal::CustomerOrders& all) {
    const internal::CustomerOrders counted = all.Until(as_of);
    if (counted.empty()) return;
    const int64_t cohort = calendar.PeriodOf(counted.at(0));
    std::vector<int64_t>& row = out.Row(last_period - cohort, cap);
    const int64_t width = static_cast<int64_t>(row.size());
    ++row[0];
    // Times ascend, so a period seen before is the one just seen: a customer counts once per period.
    int64_t last_k = 0;
    for (size_t j = 1; j < counted.size(); ++j) {
      const int64_t k = calendar.PeriodOf(counted.at(j)) - cohort;
      if (k == last_k) continue;
      if (k >= width) break;
      ++row[k];
      last_k = k;
    }
  });
}

}  // namespace

absl::StatusOr<CohortMatrix> ComputeCohortRetention(const OrderFrame& orders, int64_t as_of,
                                                    const CohortOptions& options) {
  RETURN_IF_ERROR(internal::CheckThreads(options.threads));
  RETURN_IF_ERROR(internal::CheckTime("as_of", as_of));
  if (options.period != CohortPeriod::kWeek && options.period != CohortPeriod::kMonth &&
      options.period != CohortPeriod::kQuarter) {
    return absl::InvalidArgumentError(
        AsAbsl(StrCat("period: must be kWeek (0), kMonth (1) or kQuarter (2), got ", static_cast<int>(options.period))));
  }
  if (options.max_periods < 0) {
    return absl::InvalidArgumentError(
        AsAbsl(StrCat("max_periods: must be 0 (no limit) or positive, got ", options.max_periods)));
  }
  ASSIGN_OR_RETURN(const internal::SortedOrders sorted,
                   internal::SortedOrders::Make(orders, internal::PartsFor(options.threads, orders.rows())));
  const int64_t cap = options.max_periods > 0 ? options.max_periods : std::numeric_limits<int64_t>::max();
  const int64_t as_of_day = internal::FloorDiv(as_of, kMicrosPerDay);
  const internal::PeriodCalendar calendar(options.period, as_of_day);
  const int64_t last_period = internal::PeriodOfDay(as_of_day, options.period);

  std::vector<Triangle> triangles(sorted.parts());
  sorted.Run([&](int p) { CountPart(sorted, p, as_of, calendar, last_period, cap, triangles[p]); });
  Triangle& total = triangles[0];
  for (int p = 1; p < sorted.parts(); ++p) {
    for (size_t age = 0; age < triangles[p].by_age.size(); ++age) {
      const std::vector<int64_t>& row = triangles[p].by_age[age];
      if (row.empty()) continue;
      std::vector<int64_t>& into = total.Row(static_cast<int64_t>(age), cap);
      for (size_t k = 0; k < row.size(); ++k) into[k] += row[k];
    }
  }

  CohortMatrix m;
  m.period = options.period;
  int64_t oldest = -1;
  for (size_t age = 0; age < total.by_age.size(); ++age) {
    if (!total.by_age[age].empty()) oldest = static_cast<int64_t>(age);
  }
  m.periods = static_cast<int>(std::min(oldest + 1, cap));
  for (int64_t age = oldest; age >= 0; --age) {
    const std::vector<int64_t>& row = total.by_age[age];
    if (row.empty()) continue;
    const int64_t cohort = last_period - age;
    m.labels.push_back(internal::PeriodLabel(cohort, options.period));
    m.starts.push_back(internal::PeriodStartDay(cohort, options.period) * kMicrosPerDay);
    m.sizes.push_back(row[0]);
    const double size = static_cast<double>(row[0]);
    for (int64_t k = 0; k < m.periods; ++k) {
      const bool reached = k <= age;
      m.counts.push_back(reached ? row[k] : -1);
      m.rates.push_back(reached ? static_cast<double>(row[k]) / size : std::numeric_limits<double>::quiet_NaN());
    }
  }
  return m;
}

}  // namespace rapport
