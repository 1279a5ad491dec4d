#include "base/strings.h"
#include "model/customer_importer.h"

#include <algorithm>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/status_macros.h"
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

}  // namespace

absl::StatusOr<ImportReport> ImportCustomers(const WriteContext& ctx, std::string_view csv, const ImportOptions& options) {
  if (options.mapping.empty()) return absl::InvalidArgumentError("mapping: map at least one column");
  if (options.delimiter == '"' || options.delimiter == '\n' || options.delimiter == '\r') {
    return absl::InvalidArgumentError("delimiter: must not be a quote or a line break");
  }
  CsvReader reader(csv, options.delimiter);
  std::vector<std::string> header;
  ASSIGN_OR_RETURN(bool has_header, reader.Next(header));
  if (!has_header) return absl::InvalidArgumentError("csv: the file is empty (a header row is required)");
  ASSIGN_OR_RETURN(std::vector<Column> columns, ResolveMapping(ctx.schema, header, options));

  ImportReport report;
  IdRanges created;
  std::vector<std::string> cells;
  const int64_t every = options.progress_every > 0 ? options.progress_every : 10000;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader.Next(cells));
    if (!more) break;
    if (cells.size() == 1 && cells[0].empty()) continue;  // blank line
    const int64_t row = ++report.rows;
    if (options.progress && row % every == 0 && !options.progress(row)) {
      return absl::CancelledError(StrCat("import cancelled at row ", row));
    }
    if (cells.size() != header.size()) {
      report.errors.push_back(ImportRowError{row, "", StrCat("expected ", header.size(), " cells, found ", cells.size(),
                                                                   " (csv line ", reader.line(), ")")});
      ++report.failed;
      continue;
    }
    CustomerDraft draft;
    std::optional<ExternalId> key;
    absl::Status row_status;
    for (const Column& c : columns) {
      const std::string& cell = cells[c.index];
      if (cell.empty()) continue;
      if (absl::Status s = CheckUtf8(c.target == Target::kField ? c.name : header[c.index], cell); !s.ok()) {
        row_status = s;
        break;
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
          if (c.name == options.upsert_system) key = ExternalId{c.name, cell};
          break;
      }
    }
    if (row_status.ok() && !options.upsert_system.empty() && !key) {
      row_status = absl::InvalidArgumentError(StrCat("external_id:", options.upsert_system, ": the upsert key is empty"));
    }
    std::optional<CustomerId> existing;
    if (row_status.ok() && key) {
      auto found = LookupExternalId(ctx.conn, *key);
      if (!found.ok()) return found.status();
      existing = *found;
    }
    if (row_status.ok()) {
      if (existing) {
        // An update may leave out required fields: validate only what the row sets.
        auto patch = CanonicalPatch(ctx.schema, draft.fields);
        CustomerDraft parts{{}, draft.contact_points, draft.tags, draft.external_ids};
        auto prepared = patch.ok() ? PrepareCustomer(ctx.schema, ctx.default_region, parts, /*for_create=*/false)
                                   : absl::StatusOr<PreparedCustomer>(patch.status());
        if (prepared.ok()) {
          auto changed = MergeIntoCustomer(ctx, *existing, *patch, &*prepared, std::nullopt, /*log=*/true);
          if (changed.ok()) {
            ++report.updated;
          } else {
            row_status = changed.status();
          }
        } else {
          row_status = prepared.status();
        }
      } else {
        auto prepared = PrepareCustomer(ctx.schema, ctx.default_region, draft);
        if (prepared.ok()) {
          auto id = InsertCustomer(ctx, *prepared, /*log=*/false);
          if (id.ok()) {
            ++report.created;
            created.Add(ToInt(*id));
          } else {
            row_status = id.status();
          }
        } else {
          row_status = prepared.status();
        }
      }
    }
    if (!row_status.ok()) {
      if (!absl::IsInvalidArgument(row_status) && !absl::IsAlreadyExists(row_status) &&
          !absl::IsFailedPrecondition(row_status) && !absl::IsNotFound(row_status)) {
        return row_status;  // a store failure, not a bad row
      }
      report.errors.push_back(RowError(row, row_status));
      ++report.failed;
    }
  }
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
