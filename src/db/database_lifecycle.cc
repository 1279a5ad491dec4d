// Database: lifecycle models, stage moves, evaluation and stage history queries.
#include <algorithm>
#include <map>

#include "absl/time/civil_time.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "base/text.h"
#include "base/time_format.h"
#include "db/facade_util.h"
#include "db/lifecycle_engine.h"
#include "model/lifecycle_repository.h"
#include "rapport/database.h"
#include "rules/lifecycle_policy.h"

namespace rapport {

using internal::Connection;
using internal::FieldSchema;
using internal::WriteContext;

namespace {

constexpr size_t kMaxReasonBytes = 2000;
constexpr size_t kMaxPeriods = 100000;

absl::Status CheckMoveRequest(std::string_view stage, const StageMoveRequest& r) {
  RETURN_IF_ERROR(internal::CheckUtf8("stage", stage));
  RETURN_IF_ERROR(internal::CheckUtf8("reason", r.reason));
  RETURN_IF_ERROR(internal::CheckUtf8("rule", r.rule));
  if (r.reason.size() > kMaxReasonBytes) {
    return absl::InvalidArgumentError(StrCat("reason: longer than ", kMaxReasonBytes, " bytes"));
  }
  switch (r.source) {
    case StageMoveSource::kManual:
      if (StripWhitespace(r.reason).empty()) return absl::InvalidArgumentError("reason: a manual stage move needs a reason");
      return absl::OkStatus();
    case StageMoveSource::kRule:
      if (StripWhitespace(r.rule).empty()) return absl::InvalidArgumentError("rule: a rule's stage move names the rule");
      return absl::OkStatus();
    case StageMoveSource::kAuto:
      return absl::InvalidArgumentError("source: \"auto\" moves are made by lifecycle evaluation; use manual or rule");
  }
  return absl::InvalidArgumentError("source: not a stage move source");
}

// The first instant of the period containing `t` in `zone`, and the next period's.
absl::Time PeriodStart(absl::Time t, DistributionStep step, absl::TimeZone zone) {
  const absl::CivilDay day = absl::ToCivilDay(t, zone);
  switch (step) {
    case DistributionStep::kDay: return absl::FromCivil(day, zone);
    case DistributionStep::kWeek: {
      const int back = (static_cast<int>(absl::GetWeekday(day)) - static_cast<int>(absl::Weekday::monday) + 7) % 7;
      return absl::FromCivil(day - back, zone);
    }
    case DistributionStep::kMonth: return absl::FromCivil(absl::CivilMonth(day), zone);
  }
  return t;
}

absl::Time NextPeriod(absl::Time start, DistributionStep step, absl::TimeZone zone) {
  const absl::CivilDay day = absl::ToCivilDay(start, zone);
  switch (step) {
    case DistributionStep::kDay: return absl::FromCivil(day + 1, zone);
    case DistributionStep::kWeek: return absl::FromCivil(day + 7, zone);
    case DistributionStep::kMonth: return absl::FromCivil(absl::CivilMonth(day) + 1, zone);
  }
  return absl::InfiniteFuture();
}

}  // namespace

absl::StatusOr<LifecycleModel> Database::SaveLifecycleModel(const LifecycleModel& model) {
  RETURN_IF_ERROR(internal::CheckModelShape(model));
  ASSIGN_OR_RETURN(LifecycleModel stored,
                   internal::Mutate(*core_, actor_, [&](const WriteContext& ctx) -> absl::StatusOr<LifecycleModel> {
                     ASSIGN_OR_RETURN(std::vector<LifecycleModel> others, internal::LoadLifecycleModels(ctx.conn));
                     RETURN_IF_ERROR(internal::CheckModelAgainstStore(ctx.conn, ctx.schema, model, others));
                     return internal::StoreLifecycleModel(ctx, model);
                   }));
  internal::InstallLifecycleHook(*core_);
  return stored;
}

absl::StatusOr<LifecycleModel> Database::GetLifecycleModel(std::string_view name) const {
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema&) { return internal::LoadLifecycleModel(conn, name); });
}

absl::StatusOr<std::vector<LifecycleModel>> Database::LifecycleModels() const {
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema&) { return internal::LoadLifecycleModels(conn); });
}

absl::Status Database::DropLifecycleModel(std::string_view name) {
  ASSIGN_OR_RETURN(bool any_left, internal::Mutate(*core_, actor_, [&](const WriteContext& ctx) -> absl::StatusOr<bool> {
                     RETURN_IF_ERROR(internal::DeleteLifecycleModel(ctx, name));
                     return internal::AnyLifecycleModel(ctx.conn);
                   }));
  // Inside a user transaction the drop may still roll back: keep the hook (it finds no model and stops).
  if (!any_left && !core_->InUserTransaction()) internal::RemoveLifecycleHook(*core_);
  return absl::OkStatus();
}

absl::StatusOr<StageMove> Database::MoveCustomerStage(CustomerId customer, std::string_view stage,
                                                      const StageMoveRequest& request) {
  RETURN_IF_ERROR(CheckMoveRequest(stage, request));
  const int64_t id = ToInt(customer);
  return internal::Mutate(*core_, actor_, [&](const WriteContext& ctx) -> absl::StatusOr<StageMove> {
    ASSIGN_OR_RETURN(std::vector<LifecycleModel> models, internal::LoadLifecycleModels(ctx.conn));
    ASSIGN_OR_RETURN(int governing, internal::GoverningModel(ctx.conn, models, id));
    if (governing < 0) {
      return absl::FailedPreconditionError(StrCat("customer ", id, ": no lifecycle model governs this customer"));
    }
    const LifecycleModel& m = models[governing];
    const int to = internal::StageIndex(m, stage);
    if (to < 0) return absl::InvalidArgumentError(StrCat("stage: lifecycle model \"", m.name, "\" has no stage \"", stage, "\""));
    ASSIGN_OR_RETURN(internal::Statement st, ctx.conn.Prepare("SELECT lifecycle_stage FROM customers WHERE id = ?"));
    st.Bind(1, id);
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return absl::NotFoundError(StrCat("customer ", id, ": not found"));
    const std::optional<std::string> current = st.OptText(0);
    if (current == stage) return absl::FailedPreconditionError(StrCat("stage: customer ", id, " is already in \"", stage, "\""));
    const int from = current ? internal::StageIndex(m, *current) : -1;
    if (request.source == StageMoveSource::kRule && !internal::MoveAllowed(m, from, to, internal::kCauseNone)) {
      return absl::FailedPreconditionError(StrCat("stage: lifecycle model \"", m.name, "\" does not allow a move from \"",
                                                  *current, "\" to \"", stage, "\" (", internal::DescribeAllowed(m, from), ")"));
    }
    StageMove move;
    move.customer = customer;
    move.model = m.name;
    move.from = current;
    move.to = std::string(stage);
    move.at = ctx.now;
    move.source = request.source;
    move.reason = request.reason;
    move.rule = request.source == StageMoveSource::kRule ? request.rule : "";
    RETURN_IF_ERROR(internal::RecordStageMove(ctx, move));
    return move;
  });
}

absl::StatusOr<LifecycleReport> Database::EvaluateLifecycle(std::optional<absl::Time> as_of) {
  return internal::Mutate(*core_, actor_, [&](const WriteContext& ctx) -> absl::StatusOr<LifecycleReport> {
    LifecycleReport report;
    report.as_of = as_of.value_or(ctx.now);
    ASSIGN_OR_RETURN(absl::Time last, internal::LastStageMoveAt(ctx.conn));
    if (report.as_of < last) {
      return absl::InvalidArgumentError(StrCat("as_of: ", internal::FormatTimestamp(report.as_of),
                                               " is before the last recorded stage move (", internal::FormatTimestamp(last), ")"));
    }
    ASSIGN_OR_RETURN(std::vector<LifecycleModel> models, internal::LoadLifecycleModels(ctx.conn));
    if (models.empty()) return report;
    ASSIGN_OR_RETURN(internal::OrderScope scope, internal::ResolveOrderScope(ctx.conn, FrameOptions{}));
    ASSIGN_OR_RETURN(internal::LifecycleEvaluation e,
                     internal::EvaluateCustomers(ctx, models, scope, nullptr, {}, report.as_of, true));
    report.evaluated = e.evaluated;
    report.moves = std::move(e.moves);
    report.stages = std::move(e.counts);
    return report;
  });
}

absl::StatusOr<std::vector<StageHistoryEntry>> Database::CustomerStageHistory(CustomerId customer) const {
  const absl::Time now = Now();
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema&) -> absl::StatusOr<std::vector<StageHistoryEntry>> {
    ASSIGN_OR_RETURN(internal::Statement st, conn.Prepare("SELECT 1 FROM customers WHERE id = ?"));
    st.Bind(1, ToInt(customer));
    ASSIGN_OR_RETURN(bool exists, st.Step());
    if (!exists) return absl::NotFoundError(StrCat("customer ", ToInt(customer), ": not found"));
    ASSIGN_OR_RETURN(std::vector<StageMove> moves, internal::LoadStageHistory(conn, ToInt(customer)));
    std::vector<StageHistoryEntry> out;
    for (size_t i = 0; i < moves.size(); ++i) {
      const bool last = i + 1 == moves.size();
      const absl::Duration stayed = (last ? std::max(now, moves[i].at) : moves[i + 1].at) - moves[i].at;
      out.push_back({std::move(moves[i]), stayed, last});
    }
    return out;
  });
}

absl::StatusOr<std::vector<CustomerStage>> Database::StagesAsOf(absl::Time t) const {
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema&) { return internal::LoadStagesAsOf(conn, t); });
}

absl::StatusOr<StageDistributionTable> Database::StageDistribution(absl::Time from, absl::Time to, DistributionStep step,
                                                                   absl::TimeZone zone) const {
  if (!(from < to)) return absl::InvalidArgumentError("to: must be after from");
  if (step != DistributionStep::kDay && step != DistributionStep::kWeek && step != DistributionStep::kMonth) {
    return absl::InvalidArgumentError("step: must be day, week or month");
  }
  StageDistributionTable table;
  for (absl::Time p = PeriodStart(from, step, zone); p < to; p = NextPeriod(p, step, zone)) {
    if (table.periods.size() >= kMaxPeriods) {
      return absl::InvalidArgumentError(StrCat("step: more than ", kMaxPeriods, " periods between from and to"));
    }
    table.periods.push_back(p);
  }
  struct Inputs {
    std::vector<LifecycleModel> models;
    std::vector<StageMove> moves;
  };
  ASSIGN_OR_RETURN(Inputs in, internal::Query(*core_, [&](Connection& conn, const FieldSchema&) -> absl::StatusOr<Inputs> {
    Inputs in;
    ASSIGN_OR_RETURN(in.models, internal::LoadLifecycleModels(conn));
    ASSIGN_OR_RETURN(in.moves, internal::LoadMovesBefore(conn, to));
    return in;
  }));
  // Stage order: the models' stages in order, then other stages met in the history, by name.
  std::map<std::string, size_t> index;
  for (const LifecycleModel& m : in.models)
    for (const LifecycleStage& s : m.stages)
      if (index.emplace(s.name, table.stages.size()).second) table.stages.push_back(s.name);
  std::vector<std::string> others;
  for (const StageMove& mv : in.moves)
    if (!index.count(mv.to)) others.push_back(mv.to);
  std::sort(others.begin(), others.end());
  others.erase(std::unique(others.begin(), others.end()), others.end());
  for (const std::string& s : others) {
    index.emplace(s, table.stages.size());
    table.stages.push_back(s);
  }
  table.counts.assign(table.stages.size(), std::vector<int64_t>(table.periods.size(), 0));
  // One sweep over the moves in time order, keeping per-stage counts current.
  std::map<int64_t, size_t> stage_of;
  std::vector<int64_t> current(table.stages.size(), 0);
  size_t next = 0;
  for (size_t p = 0; p < table.periods.size(); ++p) {
    const absl::Time end = p + 1 < table.periods.size() ? table.periods[p + 1] : to;
    for (; next < in.moves.size() && in.moves[next].at < end; ++next) {
      const StageMove& mv = in.moves[next];
      const size_t s = index.at(mv.to);
      auto [it, inserted] = stage_of.emplace(ToInt(mv.customer), s);
      if (!inserted) {
        --current[it->second];
        it->second = s;
      }
      ++current[s];
    }
    for (size_t s = 0; s < current.size(); ++s) table.counts[s][p] = current[s];
  }
  return table;
}

}  // namespace rapport
