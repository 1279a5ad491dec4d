// Opening and closing databases, actors, clocks and transactions.
#include <memory>

#include "common.h"
#include "rapport/money.h"

namespace rapport::python {
namespace {

std::optional<UserId> OptUser(const std::optional<int64_t>& user) {
  if (!user) return std::nullopt;
  return UserId{*user};
}

PyDatabase Open(py::handle path, std::shared_ptr<ManualClock> clock, py::handle default_region,
                std::optional<int64_t> user, py::handle origin, bool create_if_missing,
                int busy_timeout_ms, int reader_connections) {
  std::string p = Str(path, "path");
  Options options;
  if (clock) options.clock = clock;
  options.default_region = Str(default_region, "default_region");
  options.actor = Actor{OptUser(user), Str(origin, "origin")};
  options.create_if_missing = create_if_missing;
  options.busy_timeout_ms = busy_timeout_ms;
  options.reader_connections = reader_connections;
  auto db = NoGil([&] { return Database::Open(p, std::move(options)); });
  return PyDatabase{Take(std::move(db))};
}

}  // namespace

void RegisterDatabase(py::module_& m, py::class_<PyDatabase>& cls) {
  m.def("version", [] { return Text(Version()); });
  m.def("parse_money",
        [](const std::string& amount, const std::string& currency) { return Take(ParseMoney(amount, currency)).minor; },
        "Minor units of decimal text in major units (\"12.34\" CNY -> 1234); ValidationError when it does not fit.");
  m.def("currency_digits", [](const std::string& currency) { return Take(CurrencyDigits(currency)); },
        "Digits of an ISO 4217 currency's minor unit (ICU data); ValidationError for an unknown code.");

  // Names of the enums, in enum order, as the core spells them (shared with the C ABI and CLI).
  py::list customer_kinds, contact_kinds, field_types, activity_kinds;
  for (int i = 0; i <= 1; ++i) customer_kinds.append(Text(ToString(static_cast<CustomerKind>(i))));
  for (int i = 0; i <= 1; ++i) contact_kinds.append(Text(ToString(static_cast<ContactKind>(i))));
  for (int i = 0; i <= 8; ++i) field_types.append(Text(ToString(static_cast<FieldType>(i))));
  for (int i = 0; i <= 4; ++i) activity_kinds.append(Text(ToString(static_cast<ActivityKind>(i))));
  m.attr("CUSTOMER_KINDS") = py::tuple(customer_kinds);
  m.attr("CONTACT_KINDS") = py::tuple(contact_kinds);
  m.attr("FIELD_TYPES") = py::tuple(field_types);
  m.attr("ACTIVITY_KINDS") = py::tuple(activity_kinds);

  py::class_<ManualClock, std::shared_ptr<ManualClock>>(m, "ManualClock",
                                                        "A clock that moves only when told to.")
      .def(py::init([](int64_t start_us) { return std::make_shared<ManualClock>(FromMicros(start_us)); }),
           py::arg("start_us") = 0)
      .def("now_us", [](const ManualClock& c) { return Micros(c.Now()); })
      .def("set_us", [](ManualClock& c, int64_t us) { c.Set(FromMicros(us)); })
      .def("advance_us", [](ManualClock& c, int64_t us) { c.Advance(absl::Microseconds(us)); });

  py::class_<Transaction>(m, "Transaction")
      .def("commit", [](Transaction& t) { Check(NoGil([&] { return t.Commit(); })); })
      .def("rollback", [](Transaction& t) { Check(NoGil([&] { return t.Rollback(); })); })
      .def_property_readonly("active", [](const Transaction& t) { return t.active(); });

  m.def("open", &Open, py::arg("path"), py::arg("clock") = nullptr, py::arg("default_region") = "US",
        py::arg("user") = std::nullopt, py::arg("origin") = "", py::arg("create_if_missing") = true,
        py::arg("busy_timeout_ms") = 5000, py::arg("reader_connections") = 4);

  cls.def("with_actor",
          [](const PyDatabase& self, std::optional<int64_t> user, py::handle origin) {
            Actor actor{OptUser(user), Str(origin, "origin")};
            return PyDatabase{self.Get().WithActor(std::move(actor))};
          },
          py::arg("user"), py::arg("origin") = "")
      .def("close",
           [](PyDatabase& self) {
             std::optional<Database> handle;
             handle.swap(self.db);
             NoGil([&] {
               handle.reset();
               return 0;
             });
           })
      .def_property_readonly("closed", [](const PyDatabase& self) { return !self.db.has_value(); })
      .def("actor",
           [](const PyDatabase& self) {
             Database db = self.Get();
             const Actor& a = db.actor();
             py::object user = a.user ? py::object(py::int_(ToInt(*a.user))) : py::none();
             return py::make_tuple(user, Text(a.origin));
           })
      .def("now_us",
           [](const PyDatabase& self) {
             Database db = self.Get();
             return Micros(NoGil([&] { return db.Now(); }));
           })
      .def("schema_version",
           [](const PyDatabase& self) {
             Database db = self.Get();
             return NoGil([&] { return db.schema_version(); });
           })
      .def("begin", [](const PyDatabase& self) {
        Database db = self.Get();
        return Take(NoGil([&] { return db.Begin(); }));
      });
}

}  // namespace rapport::python
