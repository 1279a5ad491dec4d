// Database: opening, actors, transactions.
#include "rapport/database.h"

#include "db/core.h"
#include "db/lifecycle_engine.h"
#include "model/lifecycle_repository.h"
#include "store/migrations.h"

namespace rapport {

std::string_view Version() { return RAPPORT_VERSION_STRING; }

Database::Database(std::shared_ptr<internal::Core> core, Actor actor) : core_(std::move(core)), actor_(std::move(actor)) {}

absl::StatusOr<Database> Database::Open(std::string_view path, Options options) {
  if (auto s = internal::CheckActor(options.actor); !s.ok()) return s;
  auto core = internal::Core::Open(path, options);
  if (!core.ok()) return core.status();
  // Lifecycle evaluation after commits costs nothing until a model exists.
  auto any_model = (*core)->Read([](internal::Connection& conn) { return internal::AnyLifecycleModel(conn); });
  if (!any_model.ok()) return any_model.status();
  if (*any_model) internal::InstallLifecycleHook(**core);
  Actor actor = options.actor;
  return Database(std::move(core).value(), std::move(actor));
}

Database Database::WithActor(Actor actor) const { return Database(core_, std::move(actor)); }

absl::Time Database::Now() const { return core_->Now(); }

int Database::schema_version() const { return internal::LatestSchemaVersion(); }

absl::StatusOr<Transaction> Database::Begin() {
  if (auto s = core_->BeginUser(); !s.ok()) return s;
  return Transaction(core_);
}

Transaction::Transaction(std::shared_ptr<internal::Core> core) : core_(std::move(core)) {}
Transaction::Transaction(Transaction&& other) noexcept = default;
Transaction& Transaction::operator=(Transaction&& other) noexcept {
  if (this != &other) {
    if (active()) core_->RollbackUser().IgnoreError();
    core_ = std::move(other.core_);
  }
  return *this;
}
Transaction::~Transaction() {
  if (active()) core_->RollbackUser().IgnoreError();
}

bool Transaction::active() const { return core_ != nullptr && core_->InUserTransaction(); }

absl::Status Transaction::Commit() {
  if (!active()) return absl::FailedPreconditionError("the transaction is not open");
  absl::Status s = core_->CommitUser();
  core_.reset();
  return s;
}

absl::Status Transaction::Rollback() {
  if (!active()) return absl::FailedPreconditionError("the transaction is not open");
  absl::Status s = core_->RollbackUser();
  core_.reset();
  return s;
}

}  // namespace rapport
