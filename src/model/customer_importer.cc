#include "model/customer_importer.h"

#include <algorithm>
#include <atomic>
#include <future>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "base/text.h"
#include "model/csv_reader.h"
#include "store/change_log.h"

namespace rapport::internal {
namespace {

enum class Target { kField, kEmail, kPhone, kTags, kExternalId };

struct Column {
  size_t index;
  Target target;
  std::string name;  // field name or external id system
};

// "<field>: <reason>" messages carry the field; others are reported against the row.
ImportRowError RowError(int64_t row, const absl::Status& s) {
  std::string_view msg = AsStd(s.message());
  size_t colon = msg.find(": ");
  if (colon != std::string_view::npos && colon < 64 && msg.substr(0, colon).find(' ') == std::string_view::npos) {
    return ImportRowError{row, std::string(msg.substr(0, colon)), std::string(msg.substr(colon + 2))};
  }
  return ImportRowError{row, "", std::string(msg)};
}

absl::StatusOr<std::vector<Column>> ResolveMapping(const FieldSchema& schema, const std::vector<std::string>& header,
                                                   const ImportOptions& options) {
  std::vector<Column> columns;
  bool has_upsert_key = false;
  for (const auto& [column, target] : options.mapping) {
    RETURN_IF_ERROR(CheckUtf8("mapping", column));
    RETURN_IF_ERROR(CheckUtf8("mapping", target));
    auto it = std::find(header.begin(), header.end(), column);
    if (it == header.end()) {
      return absl::InvalidArgumentError(StrCat("mapping: the CSV has no column \"", column, "\""));
    }
    Column c{static_cast<size_t>(it - header.begin()), Target::kField, target};
    if (target == "email") {
      c.target = Target::kEmail;
    } else if (target == "phone") {
      c.target = Target::kPhone;
    } else if (target == "tags") {
      c.target = Target::kTags;
    } else if (absl::StartsWith(target, "external_id:")) {
      c.target = Target::kExternalId;
      c.name = std::string(absl::StripPrefix(target, "external_id:"));
      if (c.name.empty()) return absl::InvalidArgumentError("mapping: \"external_id:\" needs a system name");
      has_upsert_key = has_upsert_key || c.name == options.upsert_system;
    } else if (!IsCoreField(target) && schema.Find(target) == nullptr) {
      std::string hint = schema.Suggest(target);
      return absl::InvalidArgumentError(StrCat("mapping: unknown target \"", target, "\" for column \"", column, "\"",
                                                     hint.empty() ? "" : StrCat(" (did you mean \"", hint, "\"?)")));
    }
    columns.push_back(std::move(c));
  }
  std::sort(columns.begin(), columns.end(), [](const Column& a, const Column& b) { return a.index < b.index; });
  if (!options.upsert_system.empty() && !has_upsert_key) {
    return absl::InvalidArgumentError(StrCat("mapping: upsert by \"", options.upsert_system,
                                                   "\" needs a column mapped to \"external_id:", options.upsert_system, "\""));
  }
  return columns;
}

struct IdRanges {
  nlohmann::json ranges = nlohmann::json::array();
  void Add(int64_t id) {
    if (!ranges.empty() && ranges.back()[1].get<int64_t>() + 1 == id) {
      ranges.back()[1] = id;
    } else {
      ranges.push_back({id, id});
    }
  }
};

// One CSV record as read, then validated and normalised (no database access: runs off-thread).
struct PendingRow {
  int64_t row = 0;
  int64_t line = 0;
  std::vector<std::string> cells;
  absl::Status status;
  std::optional<ExternalId> key;
  PreparedCustomer customer;
};

void PrepareRow(const FieldSchema& schema, std::string_view region, const std::vector<std::string>& header,
                const std::vector<Column>& columns, const ImportOptions& options, PendingRow& r) {
  if (r.cells.size() != header.size()) {
    r.status = absl::InvalidArgumentError(
        StrCat("expected ", header.size(), " cells, found ", r.cells.size(), " (csv line ", r.line, ")"));
    return;
  }
  CustomerDraft draft;
  for (const Column& c : columns) {
    const std::string& cell = r.cells[c.index];
    if (cell.empty()) continue;
    if (absl::Status s = CheckUtf8(c.target == Target::kField ? c.name : header[c.index], cell); !s.ok()) {
      r.status = s;
      return;
    }
    switch (c.target) {
      case Target::kField: draft.fields[c.name] = Value(cell); break;
      case Target::kEmail: draft.contact_points.push_back(ContactPointDraft{.kind = ContactKind::kEmail, .value = cell}); break;
      case Target::kPhone: draft.contact_points.push_back(ContactPointDraft{.kind = ContactKind::kPhone, .value = cell}); break;
      case Target::kTags:
        for (absl::string_view t : absl::StrSplit(cell, options.tag_separator, absl::SkipWhitespace())) {
          draft.tags.emplace_back(t);
        }
        break;
      case Target::kExternalId:
        draft.external_ids.push_back({c.name, cell});
        if (c.name == options.upsert_system) r.key = ExternalId{c.name, cell};
        break;
    }
  }
  if (!options.upsert_system.empty() && !r.key) {
    r.status = absl::InvalidArgumentError(StrCat("external_id:", options.upsert_system, ": the upsert key is empty"));
    return;
  }
  // Required fields are checked when the row turns out to create a customer: an update may omit them.
  auto prepared = PrepareCustomer(schema, region, draft, /*for_create=*/false);
  if (!prepared.ok()) {
    r.status = prepared.status();
    return;
  }
  r.customer = std::move(prepared).value();
  r.cells.clear();
  r.cells.shrink_to_fit();
}

// Writes one prepared row; a returned error is a bad row, unless IsStoreFailure.
absl::Status WriteRow(const WriteContext& ctx, const PendingRow& r, ImportReport& report, IdRanges& created) {
  if (!r.status.ok()) return r.status;
  std::optional<CustomerId> existing;
  if (r.key) {
    ASSIGN_OR_RETURN(existing, LookupExternalId(ctx.conn, *r.key));
  }
  if (existing) {
    RETURN_IF_ERROR(MergeIntoCustomer(ctx, *existing, r.customer.fields, &r.customer, std::nullopt, /*log=*/true).status());
    ++report.updated;
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(ctx.schema.CheckRequired(r.customer.fields));
  ASSIGN_OR_RETURN(CustomerId id, InsertCustomer(ctx, r.customer, /*log=*/false, r.key ? &*r.key : nullptr));
  ++report.created;
  created.Add(ToInt(id));
  return absl::OkStatus();
}

bool IsBadRow(const absl::Status& s) {
  return absl::IsInvalidArgument(s) || absl::IsAlreadyExists(s) || absl::IsFailedPrecondition(s) || absl::IsNotFound(s);
}

constexpr size_t kBatchRows = 2048;

}  // namespace

absl::StatusOr<ImportReport> ImportCustomers(const WriteContext& ctx, std::string_view csv, const ImportOptions& options) {
  if (options.mapping.empty()) return absl::InvalidArgumentError("mapping: map at least one column");
  if (options.delimiter == '"' || options.delimiter == '\n' || options.delimiter == '\r') {
    return absl::InvalidArgumentError("delimiter: must not be a quote or a line break");
  }
  if (options.worker_threads < 0 || options.worker_threads > 64) {
    return absl::InvalidArgumentError("worker_threads: must be between 0 and 64");
  }
  CsvReader reader(csv, options.delimiter);
  std::vector<std::string> header;
  ASSIGN_OR_RETURN(bool has_header, reader.Next(header));
  if (!has_header) return absl::InvalidArgumentError("csv: the file is empty (a header row is required)");
  ASSIGN_OR_RETURN(std::vector<Column> columns, ResolveMapping(ctx.schema, header, options));

  int64_t rows_read = 0;
  // Reads the next batch of records; CSV syntax errors concern the whole file.
  auto read_batch = [&](std::vector<PendingRow>& batch) -> absl::Status {
    batch.clear();
    std::vector<std::string> cells;
    while (batch.size() < kBatchRows) {
      ASSIGN_OR_RETURN(bool more, reader.Next(cells));
      if (!more) break;
      if (cells.size() == 1 && cells[0].empty()) continue;  // blank line
      batch.push_back(PendingRow{++rows_read, reader.line(), std::move(cells), {}, {}, {}});
      cells = {};
    }
    return absl::OkStatus();
  };
  // Validation and normalisation (libphonenumber dominates) need no database. Each batch is prepared
  // by whoever takes its rows next: the helper threads while this thread writes the previous batch,
  // and this thread too once it has written it, so neither stage idles. Helpers end with the call.
  struct PrepareJob {
    std::vector<PendingRow>* rows = nullptr;
    std::atomic<size_t> cursor{0};
  };
  const FieldSchema& schema = ctx.schema;
  const std::string region(ctx.default_region);
  PrepareJob job;
  std::vector<std::future<void>> helpers;
  auto prepare_some = [&] {
    for (size_t i = job.cursor++; i < job.rows->size(); i = job.cursor++) {
      PrepareRow(schema, region, header, columns, options, (*job.rows)[i]);
    }
  };
  auto start = [&](std::vector<PendingRow>* rows) {
    job.rows = rows;
    job.cursor = 0;
    for (int w = 0; w < options.worker_threads && !rows->empty(); ++w) {
      helpers.push_back(std::async(std::launch::async, prepare_some));
    }
  };
  auto join = [&] {
    for (auto& helper : helpers) helper.get();
    helpers.clear();
  };

  ImportReport report;
  IdRanges created;
  const int64_t every = options.progress_every > 0 ? options.progress_every : 10000;
  std::vector<PendingRow> current, next;
  RETURN_IF_ERROR(read_batch(next));
  start(&next);
  absl::Status failure;
  while (true) {
    prepare_some();
    join();
    std::swap(current, next);
    if (current.empty()) break;
    if (absl::Status s = read_batch(next); !s.ok()) {
      failure = s;
      break;
    }
    start(&next);
    for (const PendingRow& r : current) {
      report.rows = r.row;
      if (options.progress && r.row % every == 0 && !options.progress(r.row)) {
        failure = absl::CancelledError(StrCat("import cancelled at row ", r.row));
        break;
      }
      absl::Status s = WriteRow(ctx, r, report, created);
      if (s.ok()) continue;
      if (!IsBadRow(s)) {
        failure = s;  // a store failure, not a bad row
        break;
      }
      report.errors.push_back(RowError(r.row, s));
      ++report.failed;
    }
    if (!failure.ok()) {
      job.cursor = next.size();  // the helpers stop after their current row
      join();
      break;
    }
  }
  if (!failure.ok()) return failure;
  if (options.progress && !options.progress(report.rows)) {
    return absl::CancelledError(StrCat("import cancelled at row ", report.rows));
  }
  if (report.created > 0) {
    ChangeEntry e{"customer", 0, 0, "import", {"created"}, nullptr,
                  {{"created", report.created}, {"created_ids", created.ranges}}};
    RETURN_IF_ERROR(AppendChange(ctx.conn, ctx.now, ctx.actor, e).status());
  }
  report.committed = true;
  return report;
}

}  // namespace rapport::internal
