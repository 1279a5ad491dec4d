// Automation rules, ticks and the outbox (include/rapport/rule.h). Rules, reports, outcomes and outbox
// messages cross as their JSON documents (the ones the C ABI and the CLI print); rapport/_rules.py
// turns them into dicts, datetimes and DataFrames. Every core call runs without the GIL.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common.h"
#include "rapport/rule.h"

namespace rapport::python {

void RegisterRules(py::class_<PyDatabase>& cls) {
  cls.def("rule_save_json", [](const PyDatabase& self, py::handle json) {
    const std::string text = Str(json, "rule");
    Database db = self.Get();
    return Text(Take(NoGil([&]() -> absl::StatusOr<std::string> {
      auto def = RuleDef::FromJson(text);
      if (!def.ok()) return def.status();
      auto rule = db.SaveRule(*def);
      if (!rule.ok()) return rule.status();
      return RulesToJson({*rule});
    })));
  });
  cls.def("rule", [](const PyDatabase& self, py::handle name) {
    const std::string n = Str(name, "name");
    Database db = self.Get();
    return Text(Take(NoGil([&]() -> absl::StatusOr<std::string> {
      auto rule = db.GetRule(n);
      if (!rule.ok()) return rule.status();
      return RulesToJson({*rule});
    })));
  });
  cls.def("rules", [](const PyDatabase& self) {
    Database db = self.Get();
    return Text(Take(NoGil([&]() -> absl::StatusOr<std::string> {
      auto rules = db.Rules();
      if (!rules.ok()) return rules.status();
      return RulesToJson(*rules);
    })));
  });
  cls.def("rule_drop", [](const PyDatabase& self, py::handle name) {
    const std::string n = Str(name, "name");
    Database db = self.Get();
    Check(NoGil([&] { return db.DropRule(n); }));
  });
  cls.def("rule_enable", [](const PyDatabase& self, py::handle name, bool enabled) {
    const std::string n = Str(name, "name");
    Database db = self.Get();
    Check(NoGil([&] { return db.EnableRule(n, enabled); }));
  });
  cls.def("tick", [](const PyDatabase& self, int64_t now) {
    Database db = self.Get();
    return Text(Take(NoGil([&]() -> absl::StatusOr<std::string> {
      auto report = db.Tick(FromMicros(now));
      if (!report.ok()) return report.status();
      return report->ToJson();
    })));
  });
  cls.def("rule_outcomes",
          [](const PyDatabase& self, py::handle rule, std::optional<int64_t> customer, int status,
             std::optional<int64_t> since, int64_t after_id, int limit) {
            RuleOutcomeQuery q;
            if (!rule.is_none()) q.rule = Str(rule, "rule");
            if (customer) q.customer = CustomerId{*customer};
            if (status >= 0) q.status = static_cast<RuleOutcomeStatus>(status);
            if (since) q.since = FromMicros(*since);
            q.after_id = after_id;
            q.limit = limit;
            Database db = self.Get();
            return Text(Take(NoGil([&]() -> absl::StatusOr<std::string> {
              auto outcomes = db.RuleOutcomes(q);
              if (!outcomes.ok()) return outcomes.status();
              return OutcomesToJson(*outcomes);
            })));
          },
          py::arg("rule"), py::arg("customer"), py::arg("status"), py::arg("since"), py::arg("after_id"),
          py::arg("limit"));
  cls.def("rule_runs", [](const PyDatabase& self, int limit) {
    Database db = self.Get();
    return Text(Take(NoGil([&]() -> absl::StatusOr<std::string> {
      auto runs = db.RuleRuns(limit);
      if (!runs.ok()) return runs.status();
      return RunsToJson(*runs);
    })));
  });
  cls.def("set_time_zone", [](const PyDatabase& self, py::handle zone) {
    const std::string z = Str(zone, "time_zone");
    Database db = self.Get();
    Check(NoGil([&] { return db.SetTimeZone(z); }));
  });
  cls.def("time_zone", [](const PyDatabase& self) {
    Database db = self.Get();
    return Text(Take(NoGil([&] { return db.TimeZone(); })));
  });
  cls.def("outbox", [](const PyDatabase& self, int status, int64_t after_id, int limit) {
    OutboxQuery q;
    if (status >= 0) q.status = static_cast<OutboxStatus>(status);
    q.after_id = after_id;
    q.limit = limit;
    Database db = self.Get();
    return Text(Take(NoGil([&]() -> absl::StatusOr<std::string> {
      auto messages = db.Outbox(q);
      if (!messages.ok()) return messages.status();
      return OutboxToJson(*messages);
    })));
  });
  cls.def("claim_outbox", [](const PyDatabase& self, int limit) {
    Database db = self.Get();
    return Text(Take(NoGil([&]() -> absl::StatusOr<std::string> {
      auto messages = db.ClaimOutbox(limit);
      if (!messages.ok()) return messages.status();
      return OutboxToJson(*messages);
    })));
  });
  cls.def("ack_outbox", [](const PyDatabase& self, std::vector<int64_t> ids) {
    Database db = self.Get();
    Check(NoGil([&] { return db.AckOutbox(ids); }));
  });
  cls.def("fail_outbox", [](const PyDatabase& self, int64_t id, py::handle error, bool retry) {
    const std::string e = Str(error, "error");
    Database db = self.Get();
    Check(NoGil([&] { return db.FailOutbox(id, e, retry); }));
  });
}

}  // namespace rapport::python
