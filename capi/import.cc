// Bulk import of customers from CSV.
#include "absl/strings/str_cat.h"
#include "internal.h"
#include "json_io.h"

namespace rc = rapport::capi;

namespace {

struct Cancel {
  bool cancelled = false;
  int64_t rows_done = 0;
};

absl::StatusOr<rapport::ImportOptions> ToOptions(const char* fn, const rapport_import_options* in, Cancel* cancel) {
  if (in == nullptr) return rc::NullArgument(fn, "opts");
  absl::Status st = rc::CheckStructSize(fn, "opts", in->struct_size,
                                        offsetof(rapport_import_options, mapping_json) + sizeof(char*));
  if (!st.ok()) return st;
  rapport::ImportOptions o;
  if (st = rc::CheckText(fn, "opts->mapping_json", in->mapping_json); !st.ok()) return st;
  auto mapping = rc::ParseJson("mapping_json", in->mapping_json);
  if (!mapping.ok()) return mapping.status();
  if (!mapping->is_object()) {
    return absl::InvalidArgumentError("mapping_json: must be a JSON object {\"CSV header\": \"target\"}");
  }
  for (const auto& [column, target] : mapping->items()) {
    if (!target.is_string()) {
      return absl::InvalidArgumentError(absl::StrCat("mapping_json.", column, ": the target must be a string"));
    }
    o.mapping[column] = target.get<std::string>();
  }
  if (RAPPORT_CAPI_HAS(in, upsert_system)) {
    auto system = rc::OptionalText(fn, "upsert_system", in->upsert_system);
    if (!system.ok()) return system.status();
    o.upsert_system = *std::move(system);
  }
  if (RAPPORT_CAPI_HAS(in, all_or_nothing)) o.all_or_nothing = in->all_or_nothing != 0;
  if (RAPPORT_CAPI_HAS(in, delimiter)) {
    if (in->delimiter <= 0 || in->delimiter > 127) {
      return absl::InvalidArgumentError(absl::StrCat("delimiter: must be an ASCII character, got ", in->delimiter));
    }
    o.delimiter = static_cast<char>(in->delimiter);
  }
  if (RAPPORT_CAPI_HAS(in, tag_separator) && in->tag_separator != nullptr) {
    if (st = rc::CheckText(fn, "opts->tag_separator", in->tag_separator); !st.ok()) return st;
    o.tag_separator = in->tag_separator;
  }
  if (RAPPORT_CAPI_HAS(in, progress_every) && in->progress_every > 0) o.progress_every = in->progress_every;
  if (RAPPORT_CAPI_HAS(in, worker_threads)) o.worker_threads = in->worker_threads;
  if (RAPPORT_CAPI_HAS(in, progress_user_data) && in->progress != nullptr) {
    rapport_progress_fn fn_ptr = in->progress;
    void* user_data = in->progress_user_data;
    o.progress = [fn_ptr, user_data, cancel](int64_t rows_done) {
      if (fn_ptr(rows_done, user_data) != 0) {
        cancel->cancelled = true;
        cancel->rows_done = rows_done;
        return false;
      }
      return true;
    };
  }
  return o;
}

absl::Status Finish(absl::StatusOr<rapport::ImportReport> report, const Cancel& cancel, rapport_import_report** out) {
  if (cancel.cancelled) {
    if (!report.ok() && report.status().code() != absl::StatusCode::kCancelled) return report.status();
    return absl::CancelledError(
        absl::StrCat("import cancelled by the progress callback after ", cancel.rows_done, " rows; nothing committed"));
  }
  if (!report.ok()) return report.status();
  *out = new rapport_import_report{*std::move(report)};
  return absl::OkStatus();
}

const rapport::ImportRowError* RowError(const rapport_import_report* r, size_t index) {
  if (r == nullptr || index >= r->r.errors.size()) return nullptr;
  return &r->r.errors[index];
}

}  // namespace

extern "C" {

void rapport_import_options_init(rapport_import_options* opts) noexcept {
  if (opts == nullptr) return;
  *opts = rapport_import_options{};
  opts->struct_size = sizeof(rapport_import_options);
  opts->delimiter = ',';
  opts->progress_every = 10000;
  opts->worker_threads = 1;
}

rapport_code rapport_import_csv(rapport_db* db, const char* csv_text, const rapport_import_options* opts,
                                rapport_import_report** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(csv_text);
    RAPPORT_CAPI_REQUIRE(out);
    Cancel cancel;
    auto options = ToOptions(kFn, opts, &cancel);
    if (!options.ok()) return options.status();
    return Finish(db->db.ImportCsv(csv_text, *options), cancel, out);
  });
}

rapport_code rapport_import_csv_file(rapport_db* db, const char* path, const rapport_import_options* opts,
                                     rapport_import_report** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out);
    absl::Status st = rc::CheckText(kFn, "path", path);
    if (!st.ok()) return st;
    Cancel cancel;
    auto options = ToOptions(kFn, opts, &cancel);
    if (!options.ok()) return options.status();
    return Finish(db->db.ImportCsvFile(path, *options), cancel, out);
  });
}

int64_t rapport_import_report_rows(const rapport_import_report* r) noexcept { return r ? r->r.rows : 0; }
int64_t rapport_import_report_created(const rapport_import_report* r) noexcept { return r ? r->r.created : 0; }
int64_t rapport_import_report_updated(const rapport_import_report* r) noexcept { return r ? r->r.updated : 0; }
int64_t rapport_import_report_failed(const rapport_import_report* r) noexcept { return r ? r->r.failed : 0; }
int rapport_import_report_committed(const rapport_import_report* r) noexcept { return r && r->r.committed ? 1 : 0; }
size_t rapport_import_report_error_count(const rapport_import_report* r) noexcept {
  return r ? r->r.errors.size() : 0;
}
int64_t rapport_import_report_error_row(const rapport_import_report* r, size_t index) noexcept {
  auto* e = RowError(r, index);
  return e ? e->row : 0;
}
const char* rapport_import_report_error_field(const rapport_import_report* r, size_t index) noexcept {
  auto* e = RowError(r, index);
  return e ? e->field.c_str() : nullptr;
}
const char* rapport_import_report_error_reason(const rapport_import_report* r, size_t index) noexcept {
  auto* e = RowError(r, index);
  return e ? e->reason.c_str() : nullptr;
}
void rapport_import_report_free(rapport_import_report* r) noexcept { delete r; }

}  // extern "C"
