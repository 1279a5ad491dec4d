// Lifecycle models and stages (include/rapport/lifecycle.h): models cross as their JSON form (the one
// document the C ABI prints); moves, reports and history as dicts and lists, stages as of a time and
// distributions as columns that rapport/_lifecycle.py turns into pandas objects. Every core call runs
// without the GIL.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common.h"
#include "rapport/lifecycle.h"

namespace rapport::python {
namespace {

py::dict MoveDict(const StageMove& m) {
  py::dict d;
  d["customer_id"] = ToInt(m.customer);
  d["model"] = Text(m.model);
  d["from"] = OptText(m.from);
  d["to"] = Text(m.to);
  d["at"] = Micros(m.at);
  d["source"] = Text(ToString(m.source));
  d["reason"] = Text(m.reason);
  d["rule"] = Text(m.rule);
  return d;
}

StageMoveSource SourceOf(const std::string& s) {
  if (s == "manual") return StageMoveSource::kManual;
  if (s == "rule") return StageMoveSource::kRule;
  if (s == "auto") return StageMoveSource::kAuto;
  RaiseValidation("source: must be \"manual\" or \"rule\"");
}

}  // namespace

void RegisterLifecycle(py::module_& m, py::class_<PyDatabase>& cls) {
  m.def("default_lifecycle_model_json", [] { return Text(LifecycleModelToJson(DefaultLifecycleModel())); });

  cls.def("lifecycle_model_save", [](const PyDatabase& self, py::handle json) {
    const std::string text = Str(json, "model");
    Database db = self.Get();
    return Text(LifecycleModelToJson(Take(NoGil([&]() -> absl::StatusOr<LifecycleModel> {
      auto model = LifecycleModelFromJson(text);
      if (!model.ok()) return model.status();
      return db.SaveLifecycleModel(*model);
    }))));
  });
  cls.def("lifecycle_model", [](const PyDatabase& self, py::handle name) {
    const std::string n = Str(name, "name");
    Database db = self.Get();
    return Text(LifecycleModelToJson(Take(NoGil([&] { return db.GetLifecycleModel(n); }))));
  });
  cls.def("lifecycle_models", [](const PyDatabase& self) {
    Database db = self.Get();
    std::vector<LifecycleModel> models = Take(NoGil([&] { return db.LifecycleModels(); }));
    py::list out;
    for (const LifecycleModel& model : models) out.append(Text(LifecycleModelToJson(model)));
    return out;
  });
  cls.def("lifecycle_model_drop", [](const PyDatabase& self, py::handle name) {
    const std::string n = Str(name, "name");
    Database db = self.Get();
    Check(NoGil([&] { return db.DropLifecycleModel(n); }));
  });
  cls.def("move_stage",
          [](const PyDatabase& self, int64_t customer, py::handle stage, py::handle reason, py::handle source,
             py::handle rule) {
            const std::string s = Str(stage, "stage");
            StageMoveRequest r;
            if (!reason.is_none()) r.reason = Str(reason, "reason");
            r.source = SourceOf(Str(source, "source"));
            if (!rule.is_none()) r.rule = Str(rule, "rule");
            Database db = self.Get();
            return MoveDict(Take(NoGil([&] { return db.MoveCustomerStage(CustomerId{customer}, s, r); })));
          },
          py::arg("customer"), py::arg("stage"), py::arg("reason"), py::arg("source"), py::arg("rule"));
  cls.def("evaluate_lifecycle", [](const PyDatabase& self, std::optional<int64_t> as_of) {
    Database db = self.Get();
    std::optional<absl::Time> when;
    if (as_of) when = FromMicros(*as_of);
    LifecycleReport report = Take(NoGil([&] { return db.EvaluateLifecycle(when); }));
    py::dict d;
    d["as_of"] = Micros(report.as_of);
    d["evaluated"] = report.evaluated;
    py::list moves, stages;
    for (const StageMove& mv : report.moves) moves.append(MoveDict(mv));
    for (const StageCount& c : report.stages) {
      py::dict s;
      s["model"] = Text(c.model);
      s["stage"] = Text(c.stage);
      s["customers"] = c.customers;
      stages.append(s);
    }
    d["moves"] = moves;
    d["stages"] = stages;
    return d;
  });
  cls.def("stage_history", [](const PyDatabase& self, int64_t customer) {
    Database db = self.Get();
    std::vector<StageHistoryEntry> h = Take(NoGil([&] { return db.CustomerStageHistory(CustomerId{customer}); }));
    py::list out;
    for (const StageHistoryEntry& e : h) {
      py::dict d = MoveDict(e.move);
      d["time_in_stage"] = absl::ToInt64Microseconds(e.time_in_stage);
      d["current"] = e.current;
      out.append(d);
    }
    return out;
  });
  cls.def("stages_as_of", [](const PyDatabase& self, int64_t at) {
    Database db = self.Get();
    std::vector<CustomerStage> stages = Take(NoGil([&] { return db.StagesAsOf(FromMicros(at)); }));
    py::list ids, models, names, since;
    for (const CustomerStage& s : stages) {
      ids.append(ToInt(s.customer));
      models.append(Text(s.model));
      names.append(Text(s.stage));
      since.append(Micros(s.since));
    }
    return py::make_tuple(ids, models, names, since);
  });
  cls.def("stage_distribution", [](const PyDatabase& self, int64_t from, int64_t to, int step, py::handle zone) {
    if (step < 0 || step > 2) RaiseValidation("step: must be \"day\", \"week\" or \"month\"");
    absl::TimeZone tz = absl::UTCTimeZone();
    if (!zone.is_none()) {
      const std::string name = Str(zone, "zone");
      if (!name.empty() && !absl::LoadTimeZone(name, &tz)) RaiseValidation("zone: unknown time zone \"" + name + "\"");
    }
    Database db = self.Get();
    StageDistributionTable t = Take(NoGil([&] {
      return db.StageDistribution(FromMicros(from), FromMicros(to), static_cast<DistributionStep>(step), tz);
    }));
    py::list periods;
    for (absl::Time p : t.periods) periods.append(Micros(p));
    return py::make_tuple(periods, t.stages, t.counts);
  });
}

}  // namespace rapport::python
