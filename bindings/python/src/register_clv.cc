// Customer lifetime value (include/rapport/clv.h, clv_summary.h) over numpy arrays: the
// recency-frequency summary of an order log, model fits, log-likelihoods and predictions, and model
// checking (include/rapport/clv_check.h).
//
// rapport/clv.py passes one-dimensional contiguous float64 arrays (already broadcast to one length),
// which the core borrows as spans without a copy. Models cross as (kind, parameters): a fitted model
// is a value, so each prediction rebuilds it with FromParams (which also validates the parameters) -
// cheaper than keeping C++ objects alive behind Python ones. Every core call runs without the GIL.
#include <pybind11/numpy.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "arrays.h"
#include "common.h"
#include "rapport/clv.h"
#include "rapport/clv_check.h"
#include "rapport/clv_summary.h"
#include "rapport/frame.h"

namespace rapport::python {
namespace {

// Model kinds as rapport/clv.py numbers them.
enum Kind : int { kBgNbd = 0, kParetoNbd = 1, kBgBb = 2 };

std::span<const double> View(const Array<double>& a, std::string_view what) {
  if (a.ndim() != 1) RaiseValidation(Cat({what, ": expected a one-dimensional array"}));
  return {a.data(), static_cast<size_t>(a.shape(0))};
}

std::span<const double> OptView(const std::optional<Array<double>>& a, std::string_view what) {
  return a ? View(*a, what) : std::span<const double>();
}

void CheckCount(const std::vector<double>& params, size_t n) {
  if (params.size() != n) {
    RaiseValidation(Cat({"params: expected ", std::to_string(n), " values, got ", std::to_string(params.size())}));
  }
}

using Model = std::variant<BgNbdModel, ParetoNbdModel, BgBbModel>;

Model Build(int kind, const std::vector<double>& p) {
  CheckCount(p, 4);
  switch (kind) {
    case kBgNbd:
      return Take(BgNbdModel::FromParams({p[0], p[1], p[2], p[3]}));
    case kParetoNbd:
      return Take(ParetoNbdModel::FromParams({p[0], p[1], p[2], p[3]}));
    case kBgBb:
      return Take(BgBbModel::FromParams({p[0], p[1], p[2], p[3]}));
  }
  RaiseValidation(Cat({"kind: unknown model kind ", std::to_string(kind)}));
}

GammaGammaModel BuildSpend(const std::vector<double>& p) {
  CheckCount(p, 3);
  return Take(GammaGammaModel::FromParams({p[0], p[1], p[2]}));
}

ClvFitOptions FitOptions(std::optional<std::vector<double>> initial, double tolerance, int max_evaluations,
                         int threads) {
  ClvFitOptions o;
  if (initial) o.initial = std::move(*initial);
  o.tolerance = tolerance;
  o.max_evaluations = max_evaluations;
  o.threads = threads;
  return o;
}

py::dict Fitted(std::vector<double> params, const ClvFitInfo& info) {
  py::dict d;
  d["params"] = ToArray(std::move(params));
  d["names"] = PyStrings(info.names);
  d["log_likelihood"] = info.log_likelihood;
  d["covariance"] = ToArray(std::vector<double>(info.covariance));
  d["std_errors"] = ToArray(std::vector<double>(info.std_errors));
  d["evaluations"] = info.evaluations;
  d["rows"] = info.rows;
  d["distinct_rows"] = info.distinct_rows;
  d["customers"] = info.customers;
  return d;
}

// ------------------------------------------------------------------------------------ summary

py::dict Summary(const Array<int64_t>& customer, const Array<int64_t>& at, int64_t mul, int64_t div,
                 py::handle amount, int64_t calibration_end, std::optional<int64_t> observation_end,
                 int64_t time_unit, int64_t merge_period, int64_t merge_offset, int threads) {
  OrderFrame orders = Orders(customer, at, mul, div, amount);
  ClvSummaryOptions options;
  options.calibration_end = calibration_end;
  if (observation_end) options.observation_end = *observation_end;
  options.time_unit = time_unit;
  options.merge_period = merge_period;
  options.merge_offset = merge_offset;
  options.threads = threads;
  ClvSummary s = Take(NoGil([&] { return SummarizeForClv(orders, options); }));
  py::dict d;
  d["customer"] = ToArray(std::move(s.customer));
  d["frequency"] = ToArray(std::move(s.frequency));
  d["recency"] = ToArray(std::move(s.recency));
  d["T"] = ToArray(std::move(s.age));
  d["monetary_value"] = ToArray(std::move(s.monetary));
  if (observation_end) {
    d["frequency_holdout"] = ToArray(std::move(s.holdout_frequency));
    d["monetary_value_holdout"] = ToArray(std::move(s.holdout_monetary));
    d["duration_holdout"] = s.holdout_duration;
  }
  return d;
}

// ------------------------------------------------------------------------------------ purchase models

py::dict Fit(int kind, const Array<double>& frequency, const Array<double>& recency, const Array<double>& age,
             const std::optional<Array<double>>& weights, std::optional<std::vector<double>> initial,
             double tolerance, int max_evaluations, int threads) {
  RecencyFrequency data{View(frequency, "frequency"), View(recency, "recency"), View(age, "T"),
                        OptView(weights, "weights")};
  ClvFitOptions options = FitOptions(std::move(initial), tolerance, max_evaluations, threads);
  switch (kind) {
    case kBgNbd: {
      BgNbdModel m = Take(NoGil([&] { return BgNbdModel::Fit(data, options); }));
      const auto& p = m.params();
      return Fitted({p.r, p.alpha, p.a, p.b}, m.info());
    }
    case kParetoNbd: {
      ParetoNbdModel m = Take(NoGil([&] { return ParetoNbdModel::Fit(data, options); }));
      const auto& p = m.params();
      return Fitted({p.r, p.alpha, p.s, p.beta}, m.info());
    }
    case kBgBb: {
      BgBbModel m = Take(NoGil([&] { return BgBbModel::Fit(data, options); }));
      const auto& p = m.params();
      return Fitted({p.alpha, p.beta, p.gamma, p.delta}, m.info());
    }
  }
  RaiseValidation(Cat({"kind: unknown model kind ", std::to_string(kind)}));
}

double LogLikelihood(int kind, const std::vector<double>& params, const Array<double>& frequency,
                     const Array<double>& recency, const Array<double>& age,
                     const std::optional<Array<double>>& weights) {
  Model model = Build(kind, params);
  RecencyFrequency data{View(frequency, "frequency"), View(recency, "recency"), View(age, "T"),
                        OptView(weights, "weights")};
  return Take(NoGil([&] { return std::visit([&](const auto& m) { return m.LogLikelihood(data); }, model); }));
}

// Runs `f(model, out)` without the GIL into a fresh array of n elements.
template <typename F>
py::array_t<double> Predict(const Model& model, size_t n, F&& f) {
  std::vector<double> out(n);
  Check(NoGil([&] { return std::visit([&](const auto& m) { return f(m, std::span<double>(out)); }, model); }));
  return ToArray(std::move(out));
}

py::array_t<double> Expected(int kind, const std::vector<double>& params, const Array<double>& t) {
  Model model = Build(kind, params);
  auto ts = View(t, "t");
  return Predict(model, ts.size(), [&](const auto& m, std::span<double> out) { return m.ExpectedPurchases(ts, out); });
}

py::array_t<double> ConditionalExpected(int kind, const std::vector<double>& params, double t,
                                        const Array<double>& frequency, const Array<double>& recency,
                                        const Array<double>& age) {
  Model model = Build(kind, params);
  RecencyFrequency data{View(frequency, "frequency"), View(recency, "recency"), View(age, "T"), {}};
  return Predict(model, data.rows(), [&](const auto& m, std::span<double> out) {
    return m.ConditionalExpectedPurchases(t, data, out);
  });
}

py::array_t<double> Alive(int kind, const std::vector<double>& params, const Array<double>& frequency,
                          const Array<double>& recency, const Array<double>& age) {
  Model model = Build(kind, params);
  RecencyFrequency data{View(frequency, "frequency"), View(recency, "recency"), View(age, "T"), {}};
  return Predict(model, data.rows(),
                 [&](const auto& m, std::span<double> out) { return m.ProbabilityAlive(data, out); });
}

py::array_t<double> CountProbability(int kind, const std::vector<double>& params, double t, const Array<double>& n) {
  Model model = Build(kind, params);
  auto ns = View(n, "n");
  return Predict(model, ns.size(),
                 [&](const auto& m, std::span<double> out) { return m.PurchaseCountProbability(t, ns, out); });
}

// ------------------------------------------------------------------------------------ spend and value

py::dict SpendFit(const Array<double>& frequency, const Array<double>& monetary,
                  const std::optional<Array<double>>& weights, std::optional<std::vector<double>> initial,
                  double tolerance, int max_evaluations, int threads) {
  FrequencyMonetary data{View(frequency, "frequency"), View(monetary, "monetary_value"), OptView(weights, "weights")};
  ClvFitOptions options = FitOptions(std::move(initial), tolerance, max_evaluations, threads);
  GammaGammaModel m = Take(NoGil([&] { return GammaGammaModel::Fit(data, options); }));
  const auto& p = m.params();
  return Fitted({p.p, p.q, p.gamma}, m.info());
}

double SpendLogLikelihood(const std::vector<double>& params, const Array<double>& frequency,
                          const Array<double>& monetary, const std::optional<Array<double>>& weights) {
  GammaGammaModel m = BuildSpend(params);
  FrequencyMonetary data{View(frequency, "frequency"), View(monetary, "monetary_value"), OptView(weights, "weights")};
  return Take(NoGil([&] { return m.LogLikelihood(data); }));
}

py::array_t<double> Spend(const std::vector<double>& params, const Array<double>& frequency,
                          const Array<double>& monetary) {
  GammaGammaModel m = BuildSpend(params);
  FrequencyMonetary data{View(frequency, "frequency"), View(monetary, "monetary_value"), {}};
  std::vector<double> out(data.rows());
  Check(NoGil([&] { return m.ConditionalExpectedSpend(data, out); }));
  return ToArray(std::move(out));
}

py::array_t<double> Value(int kind, const std::vector<double>& params, const std::vector<double>& spend_params,
                          const Array<double>& frequency, const Array<double>& recency, const Array<double>& age,
                          const Array<double>& monetary, int periods, double period_length, double discount_rate,
                          double margin) {
  if (kind != kBgNbd && kind != kParetoNbd) {
    RaiseValidation("transaction_model: lifetime value needs a BG/NBD or Pareto/NBD model");
  }
  Model model = Build(kind, params);
  GammaGammaModel spend = BuildSpend(spend_params);
  RecencyFrequency data{View(frequency, "frequency"), View(recency, "recency"), View(age, "T"), {}};
  auto money = View(monetary, "monetary_value");
  ClvOptions options;
  options.periods = periods;
  options.period_length = period_length;
  options.discount_rate = discount_rate;
  options.margin = margin;
  std::vector<double> out(data.rows());
  Check(NoGil([&] {
    const PurchaseModel& purchases = kind == kBgNbd ? static_cast<const PurchaseModel&>(std::get<BgNbdModel>(model))
                                                    : std::get<ParetoNbdModel>(model);
    return CustomerLifetimeValue(purchases, spend, data, money, options, out);
  }));
  return ToArray(std::move(out));
}

// ------------------------------------------------------------------------------------ model checking

// The purchase model of a kind that has one (model checking reads PurchaseModel's predictions).
const PurchaseModel& Purchases(const Model& model, std::string_view what) {
  if (const auto* m = std::get_if<BgNbdModel>(&model)) return *m;
  if (const auto* m = std::get_if<ParetoNbdModel>(&model)) return *m;
  RaiseValidation(Cat({"model: ", what, " needs a BG/NBD or Pareto/NBD model"}));
}

py::dict CalibrationHoldoutOf(int kind, const std::vector<double>& params, const Array<double>& frequency,
                              const Array<double>& recency, const Array<double>& age,
                              const std::optional<Array<double>>& weights, const Array<double>& holdout_frequency,
                              double holdout_duration, int max_frequency) {
  Model model = Build(kind, params);
  const PurchaseModel& m = Purchases(model, "calibration against holdout");
  RecencyFrequency data{View(frequency, "frequency"), View(recency, "recency"), View(age, "T"),
                        OptView(weights, "weights")};
  auto holdout = View(holdout_frequency, "frequency_holdout");
  CalibrationHoldoutOptions options;
  options.max_frequency = max_frequency;
  CalibrationHoldout r =
      Take(NoGil([&] { return CompareCalibrationHoldout(m, data, holdout, holdout_duration, options); }));
  py::dict d;
  d["frequency"] = ToArray(std::move(r.frequency));
  d["customers"] = ToArray(std::move(r.customers));
  d["actual"] = ToArray(std::move(r.actual));
  d["expected"] = ToArray(std::move(r.expected));
  return d;
}

py::dict FrequencyRecency(int kind, const std::vector<double>& params, double age, int max_frequency,
                          const std::optional<Array<double>>& recency, double horizon) {
  Model model = Build(kind, params);
  const PurchaseModel& m = Purchases(model, "the frequency/recency matrix");
  FrequencyRecencyOptions options;
  options.age = age;
  options.max_frequency = max_frequency;
  auto columns = OptView(recency, "recency");
  options.recency.assign(columns.begin(), columns.end());
  options.horizon = horizon;
  FrequencyRecencyMatrix r = Take(NoGil([&] { return ComputeFrequencyRecencyMatrix(m, options); }));
  py::dict d;
  d["frequency"] = ToArray(std::move(r.frequency));
  d["recency"] = ToArray(std::move(r.recency));
  d["expected"] = ToArray(std::move(r.expected));
  d["p_alive"] = ToArray(std::move(r.p_alive));
  return d;
}

py::array_t<double> AliveHistory(int kind, const std::vector<double>& params, const Array<double>& purchase_times,
                                 const Array<double>& at) {
  Model model = Build(kind, params);
  const PurchaseModel& m = Purchases(model, "the P(alive) history");
  auto purchases = View(purchase_times, "purchase_times");
  auto times = View(at, "at");
  std::vector<double> out(times.size());
  Check(NoGil([&] { return m.AliveHistory(purchases, times, out); }));
  return ToArray(std::move(out));
}

}  // namespace

void RegisterClv(py::module_& m) {
  m.def("clv_summary", &Summary, py::arg("customer"), py::arg("at"), py::arg("mul"), py::arg("div"),
        py::arg("amount"), py::arg("calibration_end"), py::arg("observation_end"), py::arg("time_unit"),
        py::arg("merge_period"), py::arg("merge_offset"), py::arg("threads"));
  m.def("clv_fit", &Fit, py::arg("kind"), py::arg("frequency"), py::arg("recency"), py::arg("age"),
        py::arg("weights"), py::arg("initial"), py::arg("tolerance"), py::arg("max_evaluations"), py::arg("threads"));
  m.def("clv_log_likelihood", &LogLikelihood, py::arg("kind"), py::arg("params"), py::arg("frequency"),
        py::arg("recency"), py::arg("age"), py::arg("weights"));
  m.def("clv_expected", &Expected, py::arg("kind"), py::arg("params"), py::arg("t"));
  m.def("clv_conditional_expected", &ConditionalExpected, py::arg("kind"), py::arg("params"), py::arg("t"),
        py::arg("frequency"), py::arg("recency"), py::arg("age"));
  m.def("clv_alive", &Alive, py::arg("kind"), py::arg("params"), py::arg("frequency"), py::arg("recency"),
        py::arg("age"));
  m.def("clv_count_probability", &CountProbability, py::arg("kind"), py::arg("params"), py::arg("t"), py::arg("n"));
  m.def("gamma_gamma_fit", &SpendFit, py::arg("frequency"), py::arg("monetary"), py::arg("weights"),
        py::arg("initial"), py::arg("tolerance"), py::arg("max_evaluations"), py::arg("threads"));
  m.def("gamma_gamma_log_likelihood", &SpendLogLikelihood, py::arg("params"), py::arg("frequency"),
        py::arg("monetary"), py::arg("weights"));
  m.def("gamma_gamma_spend", &Spend, py::arg("params"), py::arg("frequency"), py::arg("monetary"));
  m.def("clv_value", &Value, py::arg("kind"), py::arg("params"), py::arg("spend_params"), py::arg("frequency"),
        py::arg("recency"), py::arg("age"), py::arg("monetary"), py::arg("periods"), py::arg("period_length"),
        py::arg("discount_rate"), py::arg("margin"));
  m.def("clv_calibration_holdout", &CalibrationHoldoutOf, py::arg("kind"), py::arg("params"), py::arg("frequency"),
        py::arg("recency"), py::arg("age"), py::arg("weights"), py::arg("holdout_frequency"),
        py::arg("holdout_duration"), py::arg("max_frequency"));
  m.def("clv_frequency_recency_matrix", &FrequencyRecency, py::arg("kind"), py::arg("params"), py::arg("age"),
        py::arg("max_frequency"), py::arg("recency"), py::arg("horizon"));
  m.def("clv_alive_history", &AliveHistory, py::arg("kind"), py::arg("params"), py::arg("purchase_times"),
        py::arg("at"));
}

}  // namespace rapport::python
