// Bulk CSV import. The progress callback runs on the importing thread and re-acquires the GIL; an
// exception it raises cancels the import and is re-raised once the core returned.
#include <map>

#include "common.h"

namespace rapport::python {

void RegisterImport(py::class_<PyDatabase>& cls) {
  cls.def(
      "import_csv",
      [](const PyDatabase& self, py::handle source, bool is_file, py::handle mapping,
         py::handle upsert_system, bool all_or_nothing, py::handle delimiter, py::handle tag_separator,
         py::object progress, int64_t progress_every, int worker_threads) {
        std::string src = Str(source, is_file ? "path" : "csv text");
        ImportOptions options;
        if (!mapping.is_none()) {
          for (auto item : py::reinterpret_borrow<py::dict>(mapping)) {
            options.mapping[Str(item.first, "mapping column")] = Str(item.second, "mapping target");
          }
        }
        options.upsert_system = Str(upsert_system, "upsert_system");
        options.all_or_nothing = all_or_nothing;
        std::string delim = Str(delimiter, "delimiter");
        if (delim.size() != 1) RaiseValidation("delimiter: must be a single ASCII character");
        options.delimiter = delim[0];
        options.tag_separator = Str(tag_separator, "tag_separator");
        options.progress_every = progress_every;
        options.worker_threads = worker_threads;

        std::optional<py::error_already_set> raised;
        if (!progress.is_none()) {
          options.progress = [&progress, &raised](int64_t rows_done) -> bool {
            py::gil_scoped_acquire gil;
            if (raised) return false;
            try {
              py::object r = progress(rows_done);
              // None (a callback that returns nothing) continues; anything else by truth value.
              return r.is_none() || PyObject_IsTrue(r.ptr()) == 1;
            } catch (py::error_already_set& e) {
              raised.emplace(std::move(e));
              return false;
            }
          };
        }
        Database db = self.Get();
        auto report = NoGil([&] {
          return is_file ? db.ImportCsvFile(src, options) : db.ImportCsv(src, options);
        });
        if (raised) throw std::move(*raised);
        ImportReport r = Take(std::move(report));
        py::dict d;
        d["rows"] = r.rows;
        d["created"] = r.created;
        d["updated"] = r.updated;
        d["failed"] = r.failed;
        py::list errors;
        for (const auto& e : r.errors) errors.append(py::make_tuple(e.row, Text(e.field), Text(e.reason)));
        d["errors"] = errors;
        d["committed"] = r.committed;
        return d;
      },
      py::arg("source"), py::arg("is_file"), py::arg("mapping"), py::arg("upsert_system") = "",
      py::arg("all_or_nothing") = false, py::arg("delimiter") = ",", py::arg("tag_separator") = ";",
      py::arg("progress") = py::none(), py::arg("progress_every") = 10000, py::arg("worker_threads") = 1);
}

}  // namespace rapport::python
