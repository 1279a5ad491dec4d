// Business calendars (include/rapport/business_calendar.h): _core.Calendar built from the JSON form,
// its arithmetic in int microseconds, and the database's named calendars. rapport/_calendars.py builds
// the JSON from keyword arguments and converts datetimes and timedeltas. Every core call runs without
// the GIL.
#include <cstdint>
#include <string>

#include "common.h"
#include "rapport/business_calendar.h"

namespace rapport::python {

void RegisterCalendars(py::module_& m, py::class_<PyDatabase>& cls) {
  py::class_<BusinessCalendar> cal(m, "Calendar", "A checked business calendar (immutable; copies share it).");
  cal.def_static("from_json",
                 [](py::handle json) {
                   const std::string text = Str(json, "calendar");
                   return Take(NoGil([&] { return BusinessCalendar::FromJson(text); }));
                 })
      .def("to_json", [](const BusinessCalendar& c) { return Text(c.ToJson()); })
      .def("weekly_us", [](const BusinessCalendar& c) { return absl::ToInt64Microseconds(c.WeeklyWorkingTime()); })
      .def("add",
           [](const BusinessCalendar& c, int64_t start, int64_t duration) {
             return Micros(Take(NoGil([&] { return c.AddBusinessTime(FromMicros(start), absl::Microseconds(duration)); })));
           })
      .def("between",
           [](const BusinessCalendar& c, int64_t a, int64_t b) {
             return absl::ToInt64Microseconds(
                 Take(NoGil([&] { return c.BusinessTimeBetween(FromMicros(a), FromMicros(b)); })));
           })
      .def("next_working",
           [](const BusinessCalendar& c, int64_t t) {
             return Micros(Take(NoGil([&] { return c.NextWorkingInstant(FromMicros(t)); })));
           })
      .def("is_working",
           [](const BusinessCalendar& c, int64_t t) { return NoGil([&] { return c.IsWorking(FromMicros(t)); }); });

  cls.def("save_calendar",
          [](const PyDatabase& self, py::handle name, const BusinessCalendar& calendar) {
            const std::string n = Str(name, "name");
            Database db = self.Get();
            Check(NoGil([&] { return db.SaveCalendar(n, calendar.def()); }));
          })
      .def("calendar",
           [](const PyDatabase& self, py::handle name) {
             const std::string n = Str(name, "name");
             Database db = self.Get();
             return Take(NoGil([&] { return db.GetCalendar(n); }));
           })
      // [(name, Calendar, created_at_us, updated_at_us)] by name.
      .def("calendars",
           [](const PyDatabase& self) {
             Database db = self.Get();
             auto all = Take(NoGil([&] { return db.Calendars(); }));
             py::list out;
             for (const StoredCalendar& c : all) {
               out.append(py::make_tuple(Text(c.name), c.calendar, Micros(c.created_at), Micros(c.updated_at)));
             }
             return out;
           })
      .def("drop_calendar", [](const PyDatabase& self, py::handle name) {
        const std::string n = Str(name, "name");
        Database db = self.Get();
        Check(NoGil([&] { return db.DropCalendar(n); }));
      });
}

}  // namespace rapport::python
