// Database: customer lifetime value models stored in the database, fitted on its orders and applied to
// score every customer (include/rapport/clv_store.h). The numbers come from the analytics engine on an
// order frame read in one read transaction; only the results are written.
#include <cmath>
#include <vector>

#include "analytics/clv_fit.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "base/time_format.h"
#include "db/facade_util.h"
#include "model/clv_model_repository.h"
#include "model/frame_loader.h"
#include "store/change_log.h"
#include "rapport/database.h"

namespace rapport {

using internal::Connection;
using internal::FieldSchema;
using internal::WriteContext;

namespace {

FrameOptions FrameOf(const std::vector<std::string>& statuses, const std::string& currency) {
  FrameOptions o;
  o.order_statuses = statuses;
  o.currency = currency;
  return o;
}

// The orders that count and the currency they were resolved to (stored with a fitted model, so that a
// later order in another currency does not change what the model reads).
struct ScopedOrders {
  OrderFrame orders;
  std::string currency;
  int64_t seq = 0;  // the last change the snapshot saw
};

absl::StatusOr<ScopedOrders> ReadOrders(const internal::Core& core, const FrameOptions& options) {
  return internal::Query(core, [&](Connection& conn, const FieldSchema&) -> absl::StatusOr<ScopedOrders> {
    ASSIGN_OR_RETURN(internal::OrderScope scope, internal::ResolveOrderScope(conn, options));
    ScopedOrders out;
    ASSIGN_OR_RETURN(out.orders, internal::LoadOrderFrame(conn, scope));
    out.currency = scope.currency;
    ASSIGN_OR_RETURN(out.seq, internal::LastChangeSeq(conn));
    return out;
  });
}

// A fit on the database's orders: bad data is the database's state, not the caller's argument.
absl::Status AsPrecondition(const absl::Status& s) {
  if (s.ok() || !absl::IsInvalidArgument(s)) return s;
  return absl::FailedPreconditionError(s.message());
}

absl::Status CheckFitOptions(const ClvModelFitOptions& o) {
  if (o.model != ClvModelKind::kBgNbd && o.model != ClvModelKind::kParetoNbd) {
    return absl::InvalidArgumentError(
        AsAbsl(StrCat("model: must be bg_nbd or pareto_nbd, got kind ", static_cast<int>(o.model))));
  }
  if (o.cutoff && (*o.cutoff == absl::InfinitePast() || *o.cutoff == absl::InfiniteFuture())) {
    return absl::InvalidArgumentError("cutoff: must be a time");
  }
  RETURN_IF_ERROR(internal::CheckFitOptions(o.fit, 4));
  if (o.value.period_length == 0) return absl::OkStatus();  // the default: 30 days
  if (!(std::isfinite(o.value.period_length) && o.value.period_length > 0)) {
    return absl::InvalidArgumentError(
        AsAbsl(StrCat("value.period_length: must be finite and > 0 (or 0: 30 days), got ", o.value.period_length)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ClvSummary> Database::SummarizeOrdersForClv(const ClvSummaryOptions& options,
                                                           const FrameOptions& frame) const {
  ASSIGN_OR_RETURN(ScopedOrders read, ReadOrders(*core_, frame));
  return SummarizeForClv(read.orders, options);
}

absl::StatusOr<ClvModelSpec> Database::FitClvModel(std::string_view name, const ClvModelFitOptions& options) {
  ClvModelSpec spec;
  spec.name = std::string(name);
  spec.model = options.model;
  spec.cutoff = options.cutoff.value_or(Now());
  spec.time_unit = options.time_unit;
  spec.merge_period = options.merge_period;
  spec.merge_offset = options.merge_offset;
  spec.order_statuses = options.order_statuses;
  spec.currency = options.currency;
  spec.value = options.value;
  if (spec.value.period_length == 0) spec.value.period_length = DefaultClvValueOptions(spec.time_unit).period_length;
  spec.params = {1, 1, 1, 1};  // placeholders: validate every other member before the (costly) fit
  spec.fitted_at = Now();
  RETURN_IF_ERROR(spec.Validate());
  RETURN_IF_ERROR(CheckFitOptions(options));
  // A taken name fails before the fit; the insert checks again in its own transaction.
  auto existing = GetClvModel(name);
  if (existing.ok()) {
    return absl::AlreadyExistsError(AsAbsl(StrCat("name: a CLV model named \"", name, "\" already exists")));
  }
  if (!absl::IsNotFound(existing.status())) return existing.status();

  ASSIGN_OR_RETURN(ScopedOrders read, ReadOrders(*core_, FrameOf(spec.order_statuses, spec.currency)));
  spec.currency = read.currency;
  ClvSummaryOptions so = spec.SummaryOptions(spec.cutoff);
  so.threads = options.fit.threads;
  ASSIGN_OR_RETURN(const ClvSummary summary, SummarizeForClv(read.orders, so));
  if (summary.rows() == 0) {
    return absl::FailedPreconditionError(AsAbsl(StrCat("orders: no customer has an order at or before the cutoff (",
                                                       internal::FormatTimestamp(spec.cutoff), ")")));
  }
  const RecencyFrequency data{summary.frequency, summary.recency, summary.age, {}};
  if (spec.model == ClvModelKind::kParetoNbd) {
    auto fitted = ParetoNbdModel::Fit(data, options.fit);
    RETURN_IF_ERROR(AsPrecondition(fitted.status()));
    const auto& p = fitted->params();
    spec.params = {p.r, p.alpha, p.s, p.beta};
    spec.fit = fitted->info();
  } else {
    auto fitted = BgNbdModel::Fit(data, options.fit);
    RETURN_IF_ERROR(AsPrecondition(fitted.status()));
    const auto& p = fitted->params();
    spec.params = {p.r, p.alpha, p.a, p.b};
    spec.fit = fitted->info();
  }
  if (options.spend) {
    // Gamma-Gamma models positive spend: repeat customers whose mean repeat spend is not positive (free
    // or refunded orders) are left out of its fit.
    std::vector<double> x, m;
    for (size_t i = 0; i < summary.rows(); ++i) {
      if (summary.frequency[i] > 0 && std::isfinite(summary.monetary[i]) && summary.monetary[i] > 0) {
        x.push_back(summary.frequency[i]);
        m.push_back(summary.monetary[i]);
      }
    }
    if (x.empty()) {
      return absl::FailedPreconditionError(
          "spend: nobody made a repeat purchase with a positive amount; the Gamma-Gamma model needs some "
          "(or fit without spend)");
    }
    ClvFitOptions spend_options = options.fit;
    spend_options.initial.clear();  // the purchase model's start has no meaning for the spend model
    auto spend = GammaGammaModel::Fit(FrequencyMonetary{x, m, {}}, spend_options);
    RETURN_IF_ERROR(AsPrecondition(spend.status()));
    const auto& p = spend->params();
    spec.spend = std::array<double, 3>{p.p, p.q, p.gamma};
    spec.spend_fit = spend->info();
  }
  RETURN_IF_ERROR(spec.Validate());
  return internal::Mutate(*core_, actor_,
                          [&](const WriteContext& ctx) { return internal::InsertClvModel(ctx, spec); });
}

absl::StatusOr<ClvModelSpec> Database::SaveClvModel(const ClvModelSpec& spec) {
  ClvModelSpec stored = spec;
  if (stored.fitted_at == absl::InfinitePast()) stored.fitted_at = Now();
  RETURN_IF_ERROR(stored.Validate());
  return internal::Mutate(*core_, actor_,
                          [&](const WriteContext& ctx) { return internal::InsertClvModel(ctx, stored); });
}

absl::StatusOr<ClvModelSpec> Database::GetClvModel(std::string_view name) const {
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema&) { return internal::LoadClvModel(conn, name); });
}

absl::StatusOr<std::vector<ClvModelSpec>> Database::ClvModels() const {
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema&) { return internal::LoadClvModels(conn); });
}

absl::Status Database::DeleteClvModel(std::string_view name) {
  return internal::Mutate(*core_, actor_, [&](const WriteContext& ctx) { return internal::DeleteClvModel(ctx, name); });
}

absl::StatusOr<ClvApplyReport> Database::ApplyClvModel(std::string_view name, std::optional<absl::Time> as_of) {
  const absl::Time when = as_of.value_or(Now());
  ASSIGN_OR_RETURN(const ClvModelSpec spec, GetClvModel(name));
  if (when == absl::InfinitePast() || when == absl::InfiniteFuture()) {
    return absl::InvalidArgumentError("as_of: must be a time");
  }
  if (when < spec.cutoff) {
    return absl::InvalidArgumentError(AsAbsl(StrCat("as_of: ", internal::FormatTimestamp(when),
                                                    " is before the cutoff of \"", name, "\" (",
                                                    internal::FormatTimestamp(spec.cutoff), ")")));
  }
  ASSIGN_OR_RETURN(ScopedOrders read, ReadOrders(*core_, FrameOf(spec.order_statuses, spec.currency)));
  ASSIGN_OR_RETURN(const ClvSummary summary, SummarizeForClv(read.orders, spec.SummaryOptions(when)));
  ASSIGN_OR_RETURN(const ClvScoreTable scores, ScoreClvCustomers(spec, summary, when));
  return internal::Mutate(*core_, actor_, [&](const WriteContext& ctx) -> absl::StatusOr<ClvApplyReport> {
    // The model may have been deleted (or deleted and saved anew) while the scores were computed.
    ASSIGN_OR_RETURN(const ClvModelSpec current, internal::LoadClvModel(ctx.conn, name));
    if (current.id != spec.id) {
      return absl::AbortedError(AsAbsl(StrCat("CLV model \"", name, "\": replaced during the apply; apply again")));
    }
    ClvApplyReport report;
    report.model = spec.name;
    report.model_id = spec.id;
    report.as_of = when;
    ASSIGN_OR_RETURN(const bool purged, internal::CustomersPurgedSince(ctx.conn, read.seq));
    ASSIGN_OR_RETURN(report.customers, internal::ReplaceClvScores(ctx, spec, scores, when, purged));
    return report;
  });
}

absl::StatusOr<ClvScoreTable> Database::ClvScores() const {
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema&) { return internal::LoadClvScores(conn); });
}

}  // namespace rapport
