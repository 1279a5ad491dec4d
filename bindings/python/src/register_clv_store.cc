// The database's stored CLV models (include/rapport/clv_store.h): fit on the database's orders, save a
// model fitted elsewhere, read, delete, apply, and the stored scores.
//
// Models cross as their JSON form (ClvModelSpec::ToJson), the one document the C ABI and the CLI print
// too; rapport/_database.py turns it into a dict and builds it from rapport.clv objects. Scores cross as
// numpy arrays. Every core call runs without the GIL.
#include <pybind11/numpy.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "arrays.h"
#include "common.h"
#include "rapport/clv_store.h"

namespace rapport::python {
namespace {

py::list JsonList(const std::vector<ClvModelSpec>& specs) {
  py::list out;
  for (const ClvModelSpec& s : specs) out.append(Text(s.ToJson()));
  return out;
}

}  // namespace

void RegisterClvStore(py::class_<PyDatabase>& cls) {
  cls.def("clv_fit",
          [](const PyDatabase& self, py::handle name, int kind, std::optional<int64_t> cutoff, int64_t time_unit,
             int64_t merge_period, int64_t merge_offset, py::handle order_statuses, py::handle currency, bool spend,
             int periods, double period_length, double discount_rate, double margin, double tolerance,
             int max_evaluations, int threads) {
            if (kind != static_cast<int>(ClvModelKind::kBgNbd) && kind != static_cast<int>(ClvModelKind::kParetoNbd)) {
              RaiseValidation("model: must be \"bg_nbd\" or \"pareto_nbd\"");
            }
            const std::string n = Str(name, "name");
            ClvModelFitOptions o;
            o.model = static_cast<ClvModelKind>(kind);
            if (cutoff) o.cutoff = FromMicros(*cutoff);
            o.time_unit = time_unit;
            o.merge_period = merge_period;
            o.merge_offset = merge_offset;
            if (!order_statuses.is_none()) o.order_statuses = StrList(order_statuses, "order_statuses");
            if (!currency.is_none()) o.currency = Str(currency, "currency");
            o.spend = spend;
            o.value.periods = periods;
            o.value.period_length = period_length;
            o.value.discount_rate = discount_rate;
            o.value.margin = margin;
            o.fit.tolerance = tolerance;
            o.fit.max_evaluations = max_evaluations;
            o.fit.threads = threads;
            Database db = self.Get();
            return Text(Take(NoGil([&] { return db.FitClvModel(n, o); })).ToJson());
          },
          py::arg("name"), py::arg("kind"), py::arg("cutoff"), py::arg("time_unit"), py::arg("merge_period"),
          py::arg("merge_offset"), py::arg("order_statuses"), py::arg("currency"), py::arg("spend"),
          py::arg("periods"), py::arg("period_length"), py::arg("discount_rate"), py::arg("margin"),
          py::arg("tolerance"), py::arg("max_evaluations"), py::arg("threads"));

  cls.def("clv_save_json", [](const PyDatabase& self, py::handle spec_json) {
    const std::string text = Str(spec_json, "spec");
    Database db = self.Get();
    return Text(Take(NoGil([&]() -> absl::StatusOr<ClvModelSpec> {
                       auto spec = ClvModelSpec::FromJson(text);
                       if (!spec.ok()) return spec.status();
                       return db.SaveClvModel(*spec);
                     })).ToJson());
  });

  cls.def("clv_model", [](const PyDatabase& self, py::handle name) {
    const std::string n = Str(name, "name");
    Database db = self.Get();
    return Text(Take(NoGil([&] { return db.GetClvModel(n); })).ToJson());
  });

  cls.def("clv_models", [](const PyDatabase& self) {
    Database db = self.Get();
    return JsonList(Take(NoGil([&] { return db.ClvModels(); })));
  });

  cls.def("clv_delete", [](const PyDatabase& self, py::handle name) {
    const std::string n = Str(name, "name");
    Database db = self.Get();
    Check(NoGil([&] { return db.DeleteClvModel(n); }));
  });

  cls.def("clv_apply",
          [](const PyDatabase& self, py::handle name, std::optional<int64_t> as_of) {
            const std::string n = Str(name, "name");
            std::optional<absl::Time> when;
            if (as_of) when = FromMicros(*as_of);
            Database db = self.Get();
            ClvApplyReport r = Take(NoGil([&] { return db.ApplyClvModel(n, when); }));
            py::dict d;
            d["model"] = Text(r.model);
            d["model_id"] = r.model_id;
            d["as_of"] = Micros(r.as_of);
            d["customers"] = r.customers;
            return d;
          },
          py::arg("name"), py::arg("as_of") = std::nullopt);

  cls.def("clv_scores", [](const PyDatabase& self) {
    Database db = self.Get();
    ClvScoreTable t = Take(NoGil([&] { return db.ClvScores(); }));
    py::dict d;
    d["model"] = Text(t.model);
    d["model_id"] = t.model_id;
    d["as_of"] = t.as_of ? py::object(py::int_(Micros(*t.as_of))) : py::object(py::none());
    d["customer"] = ToArray(std::move(t.customer));
    d["p_alive"] = ToArray(std::move(t.p_alive));
    d["expected_purchases_90d"] = ToArray(std::move(t.expected_purchases_90d));
    d["clv"] = ToArray(std::move(t.clv));
    d["churn_risk"] = ToArray(std::move(t.churn_risk));
    return d;
  });
}

}  // namespace rapport::python
