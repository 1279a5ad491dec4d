// The change feed and its named consumers.
#include "common.h"

namespace rapport::python {

void RegisterChanges(py::class_<PyDatabase>& cls) {
  cls.def("changes",
          [](const PyDatabase& self, int64_t after_seq, int limit, py::handle exclude_origin) {
            ChangeQuery q;
            q.after_seq = after_seq;
            q.limit = limit;
            q.exclude_origin = Str(exclude_origin, "exclude_origin");
            Database db = self.Get();
            auto changes = Take(NoGil([&] { return db.Changes(q); }));
            py::list out;
            for (const auto& c : changes) {
              py::dict d;
              d["seq"] = c.seq;
              d["at"] = Micros(c.at);
              d["actor"] = c.actor ? py::object(py::int_(ToInt(*c.actor))) : py::none();
              d["origin"] = Text(c.origin);
              d["entity"] = Text(c.entity);
              d["entity_id"] = c.entity_id;
              d["op"] = Text(c.op);
              py::list fields;
              for (const auto& f : c.fields) fields.append(Text(f));
              d["fields"] = fields;
              d["before"] = Text(c.before);
              d["after"] = Text(c.after);
              out.append(d);
            }
            return out;
          },
          py::arg("after_seq") = 0, py::arg("limit") = 1000, py::arg("exclude_origin") = "");

  cls.def("last_change_seq", [](const PyDatabase& self) {
    Database db = self.Get();
    return NoGil([&] { return db.LastChangeSeq(); });
  });

  cls.def("create_consumer",
          [](const PyDatabase& self, py::handle name, int64_t start_after_seq) {
            std::string n = Str(name, "name");
            Database db = self.Get();
            Check(NoGil([&] { return db.CreateConsumer(n, start_after_seq); }));
          },
          py::arg("name"), py::arg("start_after_seq") = 0);
  cls.def("consumer_cursor", [](const PyDatabase& self, py::handle name) {
    std::string n = Str(name, "name");
    Database db = self.Get();
    return Take(NoGil([&] { return db.ConsumerCursor(n); }));
  });
  cls.def("ack_consumer", [](const PyDatabase& self, py::handle name, int64_t seq) {
    std::string n = Str(name, "name");
    Database db = self.Get();
    Check(NoGil([&] { return db.AckConsumer(n, seq); }));
  });
  cls.def("drop_consumer", [](const PyDatabase& self, py::handle name) {
    std::string n = Str(name, "name");
    Database db = self.Get();
    Check(NoGil([&] { return db.DropConsumer(n); }));
  });
}

}  // namespace rapport::python
