// Shared helpers of the rapport._core extension: the database handle held by Python, status to
// exception mapping, and conversions between Python objects and the public C++ value types.
//
// Conventions of _core (the pure-Python package `rapport` builds the friendly API on top):
//  * instants cross as int microseconds since the Unix epoch (UTC); dates as (y, m, d) tuples;
//  * records cross as dicts (built with the GIL held, after the core call returned);
//  * text arguments accept `str` (strict UTF-8: lone surrogates give ValidationError) or `bytes`
//    (raw UTF-8, validated by the core);
//  * every call into the core runs with the GIL released.
#ifndef RAPPORT_BINDINGS_PYTHON_COMMON_H_
#define RAPPORT_BINDINGS_PYTHON_COMMON_H_

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "rapport/database.h"

namespace rapport::python {

namespace py = pybind11;

// The object behind `_core.Database`: a handle that can be closed. Calls copy the handle (cheap)
// before releasing the GIL, so a concurrent close() never pulls the database from under a call.
inline bool Finalizing() {
#if PY_VERSION_HEX >= 0x030D0000
  return Py_IsFinalizing() != 0;
#else
  return _Py_IsFinalizing() != 0;
#endif
}

struct PyDatabase {
  std::optional<Database> db;

  PyDatabase() = default;
  explicit PyDatabase(Database d) : db(std::move(d)) {}
  PyDatabase(PyDatabase&& other) noexcept : db(std::move(other.db)) { other.db.reset(); }
  PyDatabase& operator=(PyDatabase&&) = delete;
  // Dropping the last handle closes the database (checkpoint, file close): do it without the GIL.
  ~PyDatabase() {
    if (db.has_value() && PyGILState_Check() == 1 && !Finalizing()) {
      py::gil_scoped_release release;
      db.reset();
    }
  }

  // The open handle; raises rapport.Error("database is closed") when closed.
  Database Get() const;
};

// errors.cc: raises the rapport exception class for `status` (which must not be OK).
[[noreturn]] void RaiseStatus(const absl::Status& status);
// Raises a ValidationError (code INVALID_ARGUMENT) for bad input detected by the binding itself.
[[noreturn]] void RaiseValidation(std::string_view message);
inline void Check(const absl::Status& status) {
  if (!status.ok()) RaiseStatus(status);
}
template <typename T>
T Take(absl::StatusOr<T>&& value) {
  if (!value.ok()) RaiseStatus(value.status());
  return std::move(*value);
}

// Runs `f` with the GIL released and returns its result.
template <typename F>
auto NoGil(F&& f) {
  py::gil_scoped_release release;
  return f();
}

// Python -> C++.
std::string Str(py::handle h, std::string_view what);
std::optional<std::string> OptStr(py::handle h, std::string_view what);
std::vector<std::string> StrList(py::handle h, std::string_view what);
Value ToValue(py::handle h, std::string_view field);
FieldMap ToFieldMap(py::handle dict);
std::vector<ContactPointDraft> ToContactDrafts(py::handle list);
std::vector<ExternalId> ToExternalIds(py::handle list);
inline absl::Time FromMicros(int64_t us) { return absl::FromUnixMicros(us); }

// C++ -> Python.
py::str Text(std::string_view s);
py::object OptText(const std::optional<std::string>& s);
inline int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }
py::object FromValue(const Value& v);
py::dict CustomerToDict(const Customer& c);
py::dict ContactPointToDict(const ContactPoint& cp);
py::dict FieldDefToDict(const CustomFieldDef& def);
py::dict OrderToDict(const Order& o);
py::dict ActivityToDict(const Activity& a);
py::object MoneyObject(const Money& m);
// True when `h` is a rapport.Money; fills `out`.
bool AsMoney(py::handle h, Money* out);

// Registration, one function per area.
void RegisterErrors(py::module_& m);
void RegisterDatabase(py::module_& m, py::class_<PyDatabase>& cls);
void RegisterCustomers(py::class_<PyDatabase>& cls);
void RegisterTimeline(py::class_<PyDatabase>& cls);
void RegisterChanges(py::class_<PyDatabase>& cls);
void RegisterImport(py::class_<PyDatabase>& cls);
void RegisterSegments(py::module_& m, py::class_<PyDatabase>& cls);
void RegisterAnalytics(py::module_& m);
void RegisterClv(py::module_& m);
void RegisterClvStore(py::class_<PyDatabase>& cls);
void RegisterLifecycle(py::module_& m, py::class_<PyDatabase>& cls);
void RegisterCalendars(py::module_& m, py::class_<PyDatabase>& cls);
void RegisterRules(py::class_<PyDatabase>& cls);
void RegisterTasks(py::module_& m, py::class_<PyDatabase>& cls);

}  // namespace rapport::python

#endif  // RAPPORT_BINDINGS_PYTHON_COMMON_H_
