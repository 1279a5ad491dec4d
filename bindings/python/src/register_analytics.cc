// Analyses of order, event and stage-history frames (include/rapport/rfm.h, retention.h, funnel.h)
// over numpy arrays: RFM, value tiers, cohort retention, repurchase, inter-purchase intervals, churn,
// event funnels and stage funnels.
//
// rapport/_analytics.py turns pandas columns into the arrays taken here (ids as int64, times as
// integers of a unit with a (mul, div) factor to microseconds, categories as int32 codes plus their
// distinct values) and the dicts of numpy arrays returned here into DataFrames. Frames are built and
// analysed with the GIL released; results cross as arrays that own the core's vectors (no copy).
#include <pybind11/numpy.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "arrays.h"
#include "common.h"
#include "rapport/frame.h"
#include "rapport/funnel.h"
#include "rapport/retention.h"
#include "rapport/rfm.h"

namespace rapport::python {
namespace {

// A category column: codes (-1 missing) into `values`, which must be distinct.
CategoryColumn Category(const Array<int32_t>& codes, py::handle values, std::string_view what) {
  CategoryColumn c;
  c.dictionary = Dictionary(what, StringsOf(values, what));
  const std::vector<int32_t> v = ToVector(codes, what);
  c.codes.assign(v.begin(), v.end());
  return c;
}

// The latest time in `at` (kNullTime when none has one): the default as_of.
int64_t Latest(const std::vector<int64_t>& at) {
  int64_t latest = kNullTime;
  for (int64_t t : at) latest = std::max(latest, t);
  return latest;
}

// The analysis time: the given one, or else the latest order (py::none() in the result when there is none).
struct AsOf {
  int64_t value = 0;
  bool known = false;
  py::object ToPython() const { return known ? py::object(py::int_(value)) : py::object(py::none()); }
};

AsOf ResolveAsOf(std::optional<int64_t> given, const std::vector<int64_t>& at) {
  if (given) return {*given, true};
  int64_t latest = Latest(at);
  if (latest == kNullTime) return {0, false};  // no order has a time: nothing counts whatever as_of is
  return {latest, true};
}

py::dict Summary(const DurationSummary& s) {
  py::dict d;
  d["count"] = s.count;
  d["median"] = s.median;
  d["p90"] = s.p90;
  d["mean"] = s.mean;
  return d;
}

// ------------------------------------------------------------------------------------ RFM

std::optional<std::vector<RfmSegmentRule>> Rules(py::handle segments) {
  if (segments.is_none()) return std::nullopt;
  std::vector<RfmSegmentRule> rules;
  for (py::handle item : py::iter(segments)) {
    auto t = item.cast<py::tuple>();
    if (t.size() != 5) RaiseValidation("segments: each rule is (name, r_min, r_max, f_min, f_max)");
    rules.push_back({Str(t[0], "segments: name"), t[1].cast<int>(), t[2].cast<int>(), t[3].cast<int>(),
                     t[4].cast<int>()});
  }
  return rules;
}

py::dict SegmentSummaries(const RfmTable& t) {
  std::vector<const RfmSegmentSummary*> all;
  for (const auto& s : t.segments) all.push_back(&s);
  all.push_back(&t.unsegmented);
  std::vector<int64_t> customers;
  std::vector<double> customer_share, revenue, revenue_share, recency, frequency, monetary;
  py::list names;
  for (const RfmSegmentSummary* s : all) {
    names.append(Text(s->name));
    customers.push_back(s->customers);
    customer_share.push_back(s->customer_share);
    revenue.push_back(s->revenue);
    revenue_share.push_back(s->revenue_share);
    recency.push_back(s->mean_recency_days);
    frequency.push_back(s->mean_frequency);
    monetary.push_back(s->mean_monetary);
  }
  py::dict d;
  d["name"] = names;
  d["customers"] = ToArray(std::move(customers));
  d["customer_share"] = ToArray(std::move(customer_share));
  d["revenue"] = ToArray(std::move(revenue));
  d["revenue_share"] = ToArray(std::move(revenue_share));
  d["mean_recency_days"] = ToArray(std::move(recency));
  d["mean_frequency"] = ToArray(std::move(frequency));
  d["mean_monetary"] = ToArray(std::move(monetary));
  return d;
}

py::dict Rfm(const Array<int64_t>& customer, const Array<int64_t>& at, int64_t mul, int64_t div,
             const Array<double>& amount, std::optional<int64_t> as_of, int bins, py::handle segments, int threads) {
  OrderFrame orders = Orders(customer, at, mul, div, amount);
  RfmOptions options;
  options.bins = bins;
  options.segments = Rules(segments);
  options.threads = threads;
  AsOf when = ResolveAsOf(as_of, orders.at);
  RfmTable t = Take(NoGil([&] { return ComputeRfm(orders, when.value, options); }));
  py::dict d;
  d["as_of"] = when.ToPython();
  d["bins"] = t.bins;
  d["segment_names"] = PyStrings(t.segment_names);
  d["summary"] = SegmentSummaries(t);
  d["grid"] = ToArray(std::move(t.grid));
  d["customer"] = ToArray(std::move(t.customer));
  d["recency_days"] = ToArray(std::move(t.recency_days));
  d["frequency"] = ToArray(std::move(t.frequency));
  d["monetary"] = ToArray(std::move(t.monetary));
  d["r"] = ToArray(std::move(t.r));
  d["f"] = ToArray(std::move(t.f));
  d["m"] = ToArray(std::move(t.m));
  d["segment"] = ToArray(std::move(t.segment));
  return d;
}

py::dict ValueTiersPy(const Array<int64_t>& customer, const Array<int64_t>& at, int64_t mul, int64_t div,
                      const Array<double>& amount, std::optional<int64_t> as_of, int mode, std::optional<double> high,
                      std::optional<double> potential, py::handle names, int threads) {
  OrderFrame orders = Orders(customer, at, mul, div, amount);
  ValueTierOptions options;
  options.mode = static_cast<ValueTierMode>(mode);
  options.high = high;
  options.potential = potential;
  options.threads = threads;
  if (!names.is_none()) {
    std::vector<std::string> n = StringsOf(names, "names");
    if (n.size() != 3) RaiseValidation(Cat({"names: three names are needed, got ", std::to_string(n.size())}));
    for (size_t i = 0; i < 3; ++i) options.names[i] = n[i];
  }
  AsOf when = ResolveAsOf(as_of, orders.at);
  ValueTierTable t = Take(NoGil([&] { return ComputeValueTiers(orders, when.value, options); }));
  py::dict d;
  d["as_of"] = when.ToPython();
  d["names"] = PyStrings(std::vector<std::string>(t.tiers.names.begin(), t.tiers.names.end()));
  d["tier_customers"] = ToArray(t.tiers.customers);
  d["tier_revenue"] = ToArray(t.tiers.revenue);
  d["customer"] = ToArray(std::move(t.customer));
  d["monetary"] = ToArray(std::move(t.monetary));
  d["tier"] = ToArray(std::move(t.tiers.tier));
  return d;
}

// ------------------------------------------------------------------------------------ retention

py::dict Cohorts(const Array<int64_t>& customer, const Array<int64_t>& at, int64_t mul, int64_t div,
                 std::optional<int64_t> as_of, int period, int max_periods, int threads) {
  OrderFrame orders = Orders(customer, at, mul, div, py::none());
  CohortOptions options;
  options.period = static_cast<CohortPeriod>(period);
  options.max_periods = max_periods;
  options.threads = threads;
  AsOf when = ResolveAsOf(as_of, orders.at);
  CohortMatrix c = Take(NoGil([&] { return ComputeCohortRetention(orders, when.value, options); }));
  py::dict d;
  d["as_of"] = when.ToPython();
  d["labels"] = PyStrings(c.labels);
  d["starts"] = ToArray(std::move(c.starts));
  d["sizes"] = ToArray(std::move(c.sizes));
  d["periods"] = c.periods;
  d["counts"] = ToArray(std::move(c.counts));
  d["rates"] = ToArray(std::move(c.rates));
  return d;
}

py::dict Repurchase(const Array<int64_t>& customer, const Array<int64_t>& at, int64_t mul, int64_t div,
                    std::optional<int64_t> as_of, int64_t window, int threads) {
  OrderFrame orders = Orders(customer, at, mul, div, py::none());
  RepurchaseOptions options;
  options.window = window;
  options.threads = threads;
  AsOf when = ResolveAsOf(as_of, orders.at);
  RepurchaseRate r = Take(NoGil([&] { return ComputeRepurchaseRate(orders, when.value, options); }));
  py::dict d;
  d["as_of"] = when.ToPython();
  d["repeat_customers"] = r.repeat_customers;
  d["eligible_customers"] = r.eligible_customers;
  d["rate"] = r.rate;
  return d;
}

py::dict Intervals(const Array<int64_t>& customer, const Array<int64_t>& at, int64_t mul, int64_t div,
                   std::optional<int64_t> as_of, int threads) {
  OrderFrame orders = Orders(customer, at, mul, div, py::none());
  IntervalOptions options;
  options.threads = threads;
  AsOf when = ResolveAsOf(as_of, orders.at);
  InterpurchaseIntervals r = Take(NoGil([&] { return ComputeInterpurchaseIntervals(orders, when.value, options); }));
  py::dict d;
  d["as_of"] = when.ToPython();
  d["customer"] = ToArray(std::move(r.customer));
  d["mean_days"] = ToArray(std::move(r.mean_days));
  d["median_days"] = ToArray(std::move(r.median_days));
  d["overall_mean_days"] = r.overall_mean_days;
  d["overall_median_days"] = r.overall_median_days;
  return d;
}

py::dict Churn(const Array<int64_t>& customer, const Array<int64_t>& at, int64_t mul, int64_t div, int64_t start,
               int64_t end, int64_t lookback, int threads) {
  OrderFrame orders = Orders(customer, at, mul, div, py::none());
  ChurnOptions options;
  options.start = start;
  options.end = end;
  options.lookback = lookback;
  options.threads = threads;
  ChurnRate r = Take(NoGil([&] { return ComputeChurn(orders, options); }));
  py::dict d;
  d["churned_customers"] = r.churned_customers;
  d["base_customers"] = r.base_customers;
  d["rate"] = r.rate;
  return d;
}

// ------------------------------------------------------------------------------------ funnels

py::dict EventFunnelPy(const Array<int64_t>& customer, const Array<int32_t>& kind_codes, py::handle kinds,
                       const Array<int64_t>& at, int64_t mul, int64_t div, py::handle steps, int64_t window,
                       std::optional<int64_t> from, std::optional<int64_t> to, py::handle bucket_edges, int threads,
                       py::handle by_customer, py::handle by_codes, py::handle by_values) {
  EventFrame events;
  events.customer = ToVector(customer, "customer");
  events.kind = Category(kind_codes, kinds, "kind");
  events.at = Times(at, mul, div, "at");
  EventFunnelOptions options;
  options.steps = StringsOf(steps, "steps");
  options.window = window;
  options.from = from;
  options.to = to;
  if (!bucket_edges.is_none()) options.bucket_edges = ToVector(bucket_edges.cast<Array<int64_t>>(), "bucket_edges");
  options.threads = threads;
  std::optional<CustomerGroups> groups;
  if (!by_customer.is_none()) {
    groups.emplace();
    groups->customer = ToVector(by_customer.cast<Array<int64_t>>(), "by");
    groups->group = Category(by_codes.cast<Array<int32_t>>(), by_values, "by");
  }
  EventFunnelResult r =
      Take(NoGil([&] { return EventFunnel(events, options, groups ? &*groups : nullptr); }));
  std::vector<int64_t> customers;
  std::vector<double> from_previous, from_first, count, median, p90, mean;
  py::list kinds_out, histograms;
  for (const EventFunnelStep& s : r.steps) {
    kinds_out.append(Text(s.kind));
    customers.push_back(s.customers);
    from_previous.push_back(s.conversion_from_previous);
    from_first.push_back(s.conversion_from_first);
    median.push_back(s.seconds_to_convert.median);
    p90.push_back(s.seconds_to_convert.p90);
    mean.push_back(s.seconds_to_convert.mean);
    histograms.append(ToArray(std::vector<int64_t>(s.histogram)));
  }
  py::dict d;
  d["kind"] = kinds_out;
  d["customers"] = ToArray(std::move(customers));
  d["conversion_from_previous"] = ToArray(std::move(from_previous));
  d["conversion_from_first"] = ToArray(std::move(from_first));
  d["median_seconds"] = ToArray(std::move(median));
  d["p90_seconds"] = ToArray(std::move(p90));
  d["mean_seconds"] = ToArray(std::move(mean));
  d["histograms"] = histograms;
  d["bucket_edges"] = ToArray(std::move(r.bucket_edges));
  py::list group_labels, group_counts;
  for (const EventFunnelGroup& g : r.groups) {
    group_labels.append(g.label ? py::object(Text(*g.label)) : py::object(py::none()));
    group_counts.append(ToArray(std::vector<int64_t>(g.customers)));
  }
  d["group_labels"] = group_labels;
  d["group_customers"] = group_counts;
  d["rows_missing_time"] = r.rows_missing_time;
  return d;
}

py::dict StageFunnelPy(const Array<int64_t>& entity, const Array<int32_t>& stage_codes, py::handle stage_values,
                       const Array<int64_t>& at, int64_t mul, int64_t div, py::handle stages, py::handle won,
                       py::handle lost, std::optional<int64_t> as_of, int threads) {
  StageHistoryFrame history;
  history.entity = ToVector(entity, "entity");
  history.stage = Category(stage_codes, stage_values, "stage");
  history.entered_at = Times(at, mul, div, "at");
  StageFunnelOptions options;
  options.stages = StringsOf(stages, "stages");
  options.won_stages = StringsOf(won, "won");
  options.lost_stages = StringsOf(lost, "lost");
  options.as_of = as_of;
  options.threads = threads;
  StageFunnelResult r = Take(NoGil([&] { return StageFunnel(history, options); }));
  std::vector<int64_t> entered, advanced, visits, open_visits, open_count;
  std::vector<double> conversion, median, p90, mean, open_median, open_p90, open_mean;
  for (const StageFunnelStage& s : r.stages) {
    entered.push_back(s.entered);
    advanced.push_back(s.advanced);
    conversion.push_back(s.conversion_to_next);
    visits.push_back(s.days_in_stage.count);
    median.push_back(s.days_in_stage.median);
    p90.push_back(s.days_in_stage.p90);
    mean.push_back(s.days_in_stage.mean);
    open_visits.push_back(s.open_visits);
    open_count.push_back(s.open_age_days.count);
    open_median.push_back(s.open_age_days.median);
    open_p90.push_back(s.open_age_days.p90);
    open_mean.push_back(s.open_age_days.mean);
  }
  const size_t k = r.stages.size();
  std::vector<double> share(k * k);
  for (size_t i = 0; i < k; ++i) {
    for (size_t j = 0; j < k; ++j) share[i * k + j] = r.ReachedShare(i, j);
  }
  py::dict d;
  d["entered"] = ToArray(std::move(entered));
  d["advanced"] = ToArray(std::move(advanced));
  d["conversion_to_next"] = ToArray(std::move(conversion));
  d["closed_visits"] = ToArray(std::move(visits));
  d["median_days"] = ToArray(std::move(median));
  d["p90_days"] = ToArray(std::move(p90));
  d["mean_days"] = ToArray(std::move(mean));
  d["open_visits"] = ToArray(std::move(open_visits));
  d["open_aged"] = ToArray(std::move(open_count));
  d["open_median_days"] = ToArray(std::move(open_median));
  d["open_p90_days"] = ToArray(std::move(open_p90));
  d["open_mean_days"] = ToArray(std::move(open_mean));
  d["reached"] = ToArray(std::move(r.reached));
  d["reached_share"] = ToArray(std::move(share));
  d["entities"] = r.entities;
  d["won"] = r.won;
  d["lost"] = r.lost;
  d["win_rate"] = r.win_rate;
  d["cycle_days"] = Summary(r.cycle_days);
  d["ignored_rows"] = r.ignored_rows;
  d["rows_missing_time"] = r.rows_missing_time;
  return d;
}

}  // namespace

void RegisterAnalytics(py::module_& m) {
  py::list periods;
  for (int i = 0; i <= 2; ++i) periods.append(Text(ToString(static_cast<CohortPeriod>(i))));
  m.attr("COHORT_PERIODS") = py::tuple(periods);
  py::list classic;
  for (const RfmSegmentRule& r : ClassicRfmSegments()) {
    classic.append(py::make_tuple(Text(r.name), r.r_min, r.r_max, r.f_min, r.f_max));
  }
  m.attr("CLASSIC_RFM_SEGMENTS") = py::tuple(classic);

  // Orders: customer (int64), at (integers of a unit: microseconds = floor(at * mul / div), INT64_MIN
  // missing), amount (float64). as_of None: the latest order time.
  m.def("rfm", &Rfm, py::arg("customer"), py::arg("at"), py::arg("mul"), py::arg("div"), py::arg("amount"),
        py::arg("as_of"), py::arg("bins"), py::arg("segments"), py::arg("threads"));
  m.def("value_tiers", &ValueTiersPy, py::arg("customer"), py::arg("at"), py::arg("mul"), py::arg("div"),
        py::arg("amount"), py::arg("as_of"), py::arg("mode"), py::arg("high"), py::arg("potential"), py::arg("names"),
        py::arg("threads"));
  m.def("cohorts", &Cohorts, py::arg("customer"), py::arg("at"), py::arg("mul"), py::arg("div"), py::arg("as_of"),
        py::arg("period"), py::arg("max_periods"), py::arg("threads"));
  m.def("repurchase_rate", &Repurchase, py::arg("customer"), py::arg("at"), py::arg("mul"), py::arg("div"),
        py::arg("as_of"), py::arg("window"), py::arg("threads"));
  m.def("interpurchase_intervals", &Intervals, py::arg("customer"), py::arg("at"), py::arg("mul"), py::arg("div"),
        py::arg("as_of"), py::arg("threads"));
  m.def("churn", &Churn, py::arg("customer"), py::arg("at"), py::arg("mul"), py::arg("div"), py::arg("start"),
        py::arg("end"), py::arg("lookback"), py::arg("threads"));
  m.def("event_funnel", &EventFunnelPy, py::arg("customer"), py::arg("kind_codes"), py::arg("kinds"), py::arg("at"),
        py::arg("mul"), py::arg("div"), py::arg("steps"), py::arg("window"), py::arg("start"), py::arg("end"),
        py::arg("bucket_edges"), py::arg("threads"), py::arg("by_customer"), py::arg("by_codes"),
        py::arg("by_values"));
  m.def("stage_funnel", &StageFunnelPy, py::arg("entity"), py::arg("stage_codes"), py::arg("stage_values"),
        py::arg("at"), py::arg("mul"), py::arg("div"), py::arg("stages"), py::arg("won"), py::arg("lost"),
        py::arg("as_of"), py::arg("threads"));
}

}  // namespace rapport::python
