// rapport._core: the pybind11 extension. The public Python API is the pure-Python package
// `rapport`, which wraps what is registered here.
#include "common.h"

PYBIND11_MODULE(_core, m) {
  namespace rp = rapport::python;
  m.doc() = "Rapport core bindings (internal; use the `rapport` package).";
  rp::RegisterErrors(m);
  pybind11::class_<rp::PyDatabase> cls(m, "Database");
  rp::RegisterDatabase(m, cls);
  rp::RegisterCustomers(cls);
  rp::RegisterTimeline(cls);
  rp::RegisterChanges(cls);
  rp::RegisterImport(cls);
  rp::RegisterSegments(m, cls);
  rp::RegisterAnalytics(m);
  rp::RegisterClv(m);
  rp::RegisterClvStore(cls);
  rp::RegisterLifecycle(m, cls);
  rp::RegisterCalendars(m, cls);
  rp::RegisterRules(cls);
  rp::RegisterTasks(m, cls);
}
