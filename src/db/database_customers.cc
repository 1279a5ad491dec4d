// Database: customers and the parts of their record.
#include "base/strings.h"
#include "base/status_macros.h"
#include "db/facade_util.h"
#include "db/lifecycle_engine.h"
#include "model/custom_field_repository.h"
#include "model/customer_importer.h"
#include "rapport/database.h"

namespace rapport {

using internal::Connection;
using internal::FieldSchema;
using internal::Mutate;
using internal::Query;
using internal::WriteContext;

namespace {

// A patch that sets lifecycle_stage of a customer a lifecycle model governs is refused: such stages
// change by moves, which need a reason and leave history (docs/lifecycle.md).
absl::Status CheckLifecycleStageEdit(const WriteContext& ctx, int64_t id, const FieldMap& fields) {
  auto it = fields.find("lifecycle_stage");
  if (it == fields.end()) return absl::OkStatus();
  std::optional<std::string> stage;
  if (!it->second.is_null()) stage = it->second.as_text();
  return internal::CheckStageEdit(ctx.conn, id, stage);
}

}  // namespace

absl::StatusOr<Customer> Database::CreateCustomer(const CustomerDraft& draft) {
  return Mutate(*core_, actor_, [&](const WriteContext& ctx) -> absl::StatusOr<Customer> {
    ASSIGN_OR_RETURN(internal::PreparedCustomer p, internal::PrepareCustomer(ctx.schema, ctx.default_region, draft));
    ASSIGN_OR_RETURN(CustomerId id, internal::InsertCustomer(ctx, p));
    return internal::LoadCustomer(ctx.conn, ctx.schema, id, false);
  });
}

absl::StatusOr<Customer> Database::GetCustomer(CustomerId id, bool include_deleted) const {
  return Query(*core_, [&](Connection& conn, const FieldSchema& schema) {
    return internal::LoadCustomer(conn, schema, id, include_deleted);
  });
}

absl::StatusOr<Customer> Database::UpdateCustomer(CustomerId id, const CustomerPatch& patch) {
  return Mutate(*core_, actor_, [&](const WriteContext& ctx) -> absl::StatusOr<Customer> {
    ASSIGN_OR_RETURN(FieldMap fields, internal::CanonicalPatch(ctx.schema, patch.fields));
    RETURN_IF_ERROR(CheckLifecycleStageEdit(ctx, ToInt(id), fields));
    RETURN_IF_ERROR(internal::MergeIntoCustomer(ctx, id, fields, nullptr, patch.expected_version).status());
    return internal::LoadCustomer(ctx.conn, ctx.schema, id, false);
  });
}

absl::StatusOr<UpsertResult> Database::UpsertCustomer(const ExternalId& key, const CustomerDraft& draft) {
  RETURN_IF_ERROR(internal::ValidateExternalId(key));
  return Mutate(*core_, actor_, [&](const WriteContext& ctx) -> absl::StatusOr<UpsertResult> {
    CustomerDraft with_key = draft;
    if (std::find(with_key.external_ids.begin(), with_key.external_ids.end(), key) == with_key.external_ids.end()) {
      with_key.external_ids.push_back(key);
    }
    ASSIGN_OR_RETURN(std::optional<CustomerId> existing, internal::LookupExternalId(ctx.conn, key));
    UpsertResult result;
    if (existing) {
      ASSIGN_OR_RETURN(FieldMap fields, internal::CanonicalPatch(ctx.schema, draft.fields));
      RETURN_IF_ERROR(CheckLifecycleStageEdit(ctx, ToInt(*existing), fields));
      ASSIGN_OR_RETURN(internal::PreparedCustomer parts,
                       internal::PrepareCustomer(ctx.schema, ctx.default_region,
                                                 CustomerDraft{{}, with_key.contact_points, with_key.tags, with_key.external_ids},
                                                 /*for_create=*/false));
      RETURN_IF_ERROR(internal::MergeIntoCustomer(ctx, *existing, fields, &parts, std::nullopt).status());
      ASSIGN_OR_RETURN(result.customer, internal::LoadCustomer(ctx.conn, ctx.schema, *existing, false));
      return result;
    }
    ASSIGN_OR_RETURN(internal::PreparedCustomer p, internal::PrepareCustomer(ctx.schema, ctx.default_region, with_key));
    ASSIGN_OR_RETURN(CustomerId id, internal::InsertCustomer(ctx, p));
    ASSIGN_OR_RETURN(result.customer, internal::LoadCustomer(ctx.conn, ctx.schema, id, false));
    result.created = true;
    return result;
  });
}

absl::StatusOr<Customer> Database::FindByExternalId(const ExternalId& key) const {
  RETURN_IF_ERROR(internal::ValidateExternalId(key));
  return Query(*core_, [&](Connection& conn, const FieldSchema& schema) -> absl::StatusOr<Customer> {
    ASSIGN_OR_RETURN(std::optional<CustomerId> id, internal::LookupExternalId(conn, key));
    if (!id) return absl::NotFoundError(StrCat("no customer has external id ", key.system, ":", key.key));
    return internal::LoadCustomer(conn, schema, *id, false);
  });
}

absl::Status Database::DeleteCustomer(CustomerId id, std::optional<int64_t> expected_version) {
  return Mutate(*core_, actor_, [&](const WriteContext& ctx) { return internal::SetDeleted(ctx, id, true, expected_version); });
}

absl::Status Database::RestoreCustomer(CustomerId id) {
  return Mutate(*core_, actor_, [&](const WriteContext& ctx) { return internal::SetDeleted(ctx, id, false, std::nullopt); });
}

absl::Status Database::PurgeCustomer(CustomerId id) {
  return Mutate(*core_, actor_, [&](const WriteContext& ctx) { return internal::Purge(ctx, id); });
}

absl::StatusOr<CustomerPage> Database::SearchCustomers(const CustomerQuery& query) const {
  return Query(*core_, [&](Connection& conn, const FieldSchema& schema) {
    return internal::SearchCustomers(conn, schema, core_->options().default_region, query);
  });
}

absl::StatusOr<ContactPoint> Database::AddContactPoint(CustomerId id, const ContactPointDraft& draft) {
  return Mutate(*core_, actor_, [&](const WriteContext& ctx) { return internal::AddContactPoint(ctx, id, draft); });
}

absl::StatusOr<ContactPoint> Database::UpdateContactPoint(ContactPointId id, const ContactPointPatch& patch) {
  return Mutate(*core_, actor_, [&](const WriteContext& ctx) { return internal::UpdateContactPoint(ctx, id, patch); });
}

absl::Status Database::RemoveContactPoint(ContactPointId id) {
  return Mutate(*core_, actor_, [&](const WriteContext& ctx) { return internal::RemoveContactPoint(ctx, id); });
}

absl::Status Database::AddTag(CustomerId id, std::string_view tag) {
  return Mutate(*core_, actor_, [&](const WriteContext& ctx) { return internal::ChangeTag(ctx, id, tag, true); });
}

absl::Status Database::RemoveTag(CustomerId id, std::string_view tag) {
  return Mutate(*core_, actor_, [&](const WriteContext& ctx) { return internal::ChangeTag(ctx, id, tag, false); });
}

absl::Status Database::AddExternalId(CustomerId id, const ExternalId& key) {
  return Mutate(*core_, actor_, [&](const WriteContext& ctx) { return internal::AddExternalId(ctx, id, key); });
}

absl::Status Database::RemoveExternalId(const ExternalId& key) {
  return Mutate(*core_, actor_, [&](const WriteContext& ctx) { return internal::RemoveExternalId(ctx, key); });
}

absl::Status Database::LinkContact(CustomerId organization, CustomerId person, std::string_view role) {
  return Mutate(*core_, actor_, [&](const WriteContext& ctx) { return internal::LinkContact(ctx, organization, person, role); });
}

absl::Status Database::UnlinkContact(CustomerId organization, CustomerId person) {
  return Mutate(*core_, actor_, [&](const WriteContext& ctx) { return internal::UnlinkContact(ctx, organization, person); });
}

absl::StatusOr<std::vector<ContactRole>> Database::ContactsOf(CustomerId organization) const {
  return Query(*core_, [&](Connection& conn, const FieldSchema&) { return internal::ListRoles(conn, organization, true); });
}

absl::StatusOr<std::vector<ContactRole>> Database::OrganizationsOf(CustomerId person) const {
  return Query(*core_, [&](Connection& conn, const FieldSchema&) { return internal::ListRoles(conn, person, false); });
}

absl::StatusOr<CustomFieldDef> Database::DefineCustomField(const CustomFieldDef& def) {
  return Mutate(*core_, actor_, [&](const WriteContext& ctx) -> absl::StatusOr<CustomFieldDef> {
    RETURN_IF_ERROR(internal::InsertCustomField(ctx, def));
    RETURN_IF_ERROR(core_->ReloadSchema(ctx.conn));
    const internal::CompiledField* field = core_->schema()->Find(def.name);
    if (field == nullptr) return absl::InternalError("custom field vanished after definition");
    return field->def;
  });
}

absl::StatusOr<std::vector<CustomFieldDef>> Database::CustomFields() const {
  std::vector<CustomFieldDef> out;
  for (const auto& [name, field] : core_->schema()->fields()) out.push_back(field.def);
  return out;
}

absl::Status Database::DropCustomField(std::string_view name) {
  return Mutate(*core_, actor_, [&](const WriteContext& ctx) -> absl::Status {
    RETURN_IF_ERROR(internal::DeleteCustomField(ctx, name));
    return core_->ReloadSchema(ctx.conn);
  });
}

absl::StatusOr<ImportReport> Database::ImportCsv(std::string_view csv_text, const ImportOptions& options) {
  ImportReport rejected;
  absl::StatusOr<ImportReport> result = Mutate(*core_, actor_, [&](const WriteContext& ctx) -> absl::StatusOr<ImportReport> {
    ASSIGN_OR_RETURN(ImportReport report, internal::ImportCustomers(ctx, csv_text, options));
    if (options.all_or_nothing && report.failed > 0) {
      rejected = std::move(report);
      rejected.committed = false;
      rejected.created = rejected.updated = 0;
      return absl::AbortedError("rejected");  // rolls the whole file back
    }
    return report;
  });
  if (!result.ok() && absl::IsAborted(result.status()) && rejected.failed > 0) return rejected;
  return result;
}

absl::StatusOr<ImportReport> Database::ImportCsvFile(const std::string& path, const ImportOptions& options) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return absl::NotFoundError(StrCat("cannot open \"", path, "\""));
  std::string text;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return absl::DataLossError(StrCat("error reading \"", path, "\""));
  return ImportCsv(text, options);
}

}  // namespace rapport
