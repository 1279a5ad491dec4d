// Database: automation rules (definitions, outcomes, runs, plugin actions), the tenant's time zone and
// the outbox. The tick itself is in database_tick.cc.
#include <cctype>

#include "base/status_macros.h"
#include "base/strings.h"
#include "base/text.h"
#include "base/time_format.h"
#include "db/facade_util.h"
#include "model/calendar_repository.h"
#include "model/field_schema.h"
#include "model/frame_loader.h"
#include "model/lifecycle_repository.h"
#include "model/segment_repository.h"
#include "model/task_repository.h"
#include "rapport/database.h"
#include "rules/actions.h"
#include "rules/outbox_store.h"
#include "rules/rule_store.h"
#include "rules/triggers.h"

namespace rapport {

using internal::Connection;
using internal::FieldSchema;
using internal::WriteContext;

namespace {

constexpr size_t kMaxRuleName = 59;  // "rule:" + name fits an actor origin (64 bytes)

absl::Status CheckRuleName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= kMaxRuleName;
  for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-');
  if (!ok) {
    return absl::InvalidArgumentError(
        StrCat("name: must be 1 to ", kMaxRuleName, " characters of A-Z, a-z, 0-9, '_', '.' and '-'"));
  }
  return absl::OkStatus();
}

bool KnownField(const FieldSchema& schema, std::string_view name) {
  return internal::IsCoreField(name) || schema.Find(name) != nullptr;
}

// Fields a customer's record has, plus its times and order metrics (what triggers may read).
bool KnownOrDerived(const FieldSchema& schema, std::string_view name) {
  return KnownField(schema, name) || internal::IsTimeField(name);
}

const internal::CompiledField* Custom(const FieldSchema& schema, std::string_view name) { return schema.Find(name); }

// The checks that need the database: fields, saved segments, lists, plugins.
absl::Status CheckAgainstDatabase(const WriteContext& ctx, const internal::RuleActionRegistry& plugins,
                                  const RuleDef& def) {
  const FieldSchema& schema = ctx.schema;
  if (!def.condition.empty()) {
    auto parsed = SegmentExpr::Parse(def.condition);
    if (!parsed.ok()) return absl::InvalidArgumentError(StrCat("condition: ", parsed.status().message()));
    internal::OrderScope no_orders;
    absl::Status checked = CheckSegment(*parsed, internal::MakeSqlSchema(schema, no_orders).fields);
    if (!checked.ok()) return absl::InvalidArgumentError(StrCat("condition: ", checked.message()));
    for (const std::string& name : parsed->SegmentsReferenced()) {
      if (!internal::LoadSegment(ctx.conn, name).ok()) {
        return absl::InvalidArgumentError(StrCat("condition: in_segment: no saved segment named \"", name, "\""));
      }
    }
  }
  const RuleTrigger& t = def.trigger;
  switch (t.kind) {
    case RuleTriggerKind::kEvent:
      if (t.event == RuleEvent::kFieldChanged && t.field != "tags" && !KnownField(schema, t.field)) {
        return absl::InvalidArgumentError(StrCat("trigger.field: unknown field \"", t.field, "\""));
      }
      if (t.event == RuleEvent::kSegmentEntered || t.event == RuleEvent::kSegmentLeft) {
        if (!internal::LoadSegment(ctx.conn, t.segment).ok()) {
          return absl::InvalidArgumentError(StrCat("trigger.segment: no saved segment named \"", t.segment, "\""));
        }
      }
      break;
    case RuleTriggerKind::kRelative: {
      if (t.unit == RelativeUnit::kBusinessHours && !internal::LoadCalendar(ctx.conn, t.calendar).ok()) {
        return absl::InvalidArgumentError(StrCat("trigger.calendar: no business calendar named \"", t.calendar, "\""));
      }
      const internal::CompiledField* f = Custom(schema, t.field);
      const bool time = internal::IsTimeField(t.field) || t.field == internal::kStageEnteredAt ||
                        (f && (f->def.type == FieldType::kTime || f->def.type == FieldType::kDate));
      if (!time) {
        if (!KnownOrDerived(schema, t.field)) {
          return absl::InvalidArgumentError(StrCat("trigger.field: unknown field \"", t.field, "\""));
        }
        return absl::InvalidArgumentError(StrCat("trigger.field: \"", t.field, "\" is not a date or time field"));
      }
      break;
    }
    case RuleTriggerKind::kAnnual: {
      const internal::CompiledField* f = Custom(schema, t.field);
      if (t.field != "birthday" && !(f && f->def.type == FieldType::kDate)) {
        if (!KnownOrDerived(schema, t.field)) {
          return absl::InvalidArgumentError(StrCat("trigger.field: unknown field \"", t.field, "\""));
        }
        return absl::InvalidArgumentError(StrCat("trigger.field: \"", t.field, "\" is not a date field"));
      }
      break;
    }
    case RuleTriggerKind::kSchedule:
      break;
  }
  if (def.actions.empty()) return absl::InvalidArgumentError("actions: a rule needs at least one action");
  for (size_t i = 0; i < def.actions.size(); ++i) {
    const RuleAction& a = def.actions[i];
    const std::string at = StrCat("actions[", i, "]");
    switch (a.kind) {
      case RuleActionKind::kAddTag:
      case RuleActionKind::kRemoveTag: {
        auto tag = internal::NormalizeTag(a.tag);
        if (!tag.ok()) return absl::InvalidArgumentError(StrCat(at, ".tag: ", tag.status().message()));
        break;
      }
      case RuleActionKind::kSetField: {
        if (!KnownField(schema, a.field)) {
          return absl::InvalidArgumentError(StrCat(at, ".field: unknown field \"", a.field, "\""));
        }
        auto v = schema.Canonicalize(a.field, a.value);
        if (!v.ok()) return absl::InvalidArgumentError(StrCat(at, ".value: ", v.status().message()));
        if (a.value.is_null()) {
          const internal::CompiledField* f = Custom(schema, a.field);
          if (a.field == "name" || a.field == "kind" || (f && f->def.required)) {
            return absl::InvalidArgumentError(StrCat(at, ".value: ", a.field, " is required; it cannot be cleared"));
          }
        }
        break;
      }
      case RuleActionKind::kAddToList: {
        auto list = internal::LoadSegment(ctx.conn, a.list);
        if (!list.ok()) return absl::InvalidArgumentError(StrCat(at, ".list: no saved segment named \"", a.list, "\""));
        if (list->kind != SegmentKind::kStatic) {
          return absl::InvalidArgumentError(StrCat(at, ".list: \"", a.list, "\" is a ", ToString(list->kind),
                                                   " segment; add_to_list needs a static list"));
        }
        break;
      }
      case RuleActionKind::kNotify:
        RETURN_IF_ERROR(internal::CheckTemplate(StrCat(at, ".subject"), a.subject, schema));
        RETURN_IF_ERROR(internal::CheckTemplate(StrCat(at, ".body"), a.body, schema));
        break;
      case RuleActionKind::kCreateTask:
        RETURN_IF_ERROR(internal::CheckTemplate(StrCat(at, ".title"), a.title, schema));
        RETURN_IF_ERROR(internal::CheckTemplate(StrCat(at, ".notes"), a.notes, schema));
        if (absl::Status team = internal::ValidateTaskDraft(TaskDraft{.title = "-", .team = a.team}); !team.ok()) {
          return absl::InvalidArgumentError(StrCat(at, ".", team.message()));
        }
        break;
      case RuleActionKind::kMoveStage: {
        ASSIGN_OR_RETURN(std::vector<LifecycleModel> models, internal::LoadLifecycleModels(ctx.conn));
        bool known = false;
        for (const LifecycleModel& m : models)
          for (const LifecycleStage& st : m.stages) known = known || st.name == a.stage;
        if (!known) {
          return absl::InvalidArgumentError(StrCat(at, ".stage: no lifecycle model has a stage \"", a.stage, "\""));
        }
        break;
      }
      case RuleActionKind::kPlugin:
        if (!plugins.Find(a.plugin)) {
          return absl::InvalidArgumentError(StrCat(at, ".plugin: no plugin action named \"", a.plugin, "\" is registered"));
        }
        break;
    }
  }
  return absl::OkStatus();
}

// Where a new (or re-enabled) rule's time triggers start: the last tick's now, else the clock's.
absl::StatusOr<int64_t> StartWatermark(const WriteContext& ctx) {
  ASSIGN_OR_RETURN(std::optional<int64_t> last, internal::LastTickNow(ctx.conn));
  return last.value_or(internal::ToMicros(ctx.now));
}

}  // namespace

absl::StatusOr<Rule> Database::SaveRule(const RuleDef& def) {
  RETURN_IF_ERROR(CheckRuleName(def.name));
  RETURN_IF_ERROR(internal::CheckUtf8("description", def.description));
  RETURN_IF_ERROR(internal::CheckUtf8("condition", def.condition));
  // The JSON form is what is stored: a definition that does not survive it is not accepted.
  ASSIGN_OR_RETURN(RuleDef canonical, RuleDef::FromJson(def.ToJson()));
  return internal::Mutate(*core_, actor_, [&](const WriteContext& ctx) -> absl::StatusOr<Rule> {
    RETURN_IF_ERROR(CheckAgainstDatabase(ctx, core_->rule_actions(), canonical));
    ASSIGN_OR_RETURN(int64_t watermark, StartWatermark(ctx));
    ASSIGN_OR_RETURN(internal::StoredRule stored, internal::StoreRule(ctx, canonical, watermark));
    return stored.rule;
  });
}

absl::StatusOr<Rule> Database::GetRule(std::string_view name) const {
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema&) -> absl::StatusOr<Rule> {
    ASSIGN_OR_RETURN(internal::StoredRule r, internal::LoadRule(conn, name));
    return r.rule;
  });
}

absl::StatusOr<std::vector<Rule>> Database::Rules() const {
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema&) -> absl::StatusOr<std::vector<Rule>> {
    ASSIGN_OR_RETURN(std::vector<internal::StoredRule> all, internal::LoadRules(conn));
    std::vector<Rule> out;
    for (internal::StoredRule& r : all) out.push_back(std::move(r.rule));
    return out;
  });
}

absl::Status Database::DropRule(std::string_view name) {
  return internal::Mutate(*core_, actor_, [&](const WriteContext& ctx) { return internal::DeleteRule(ctx, name); });
}

absl::Status Database::EnableRule(std::string_view name, bool enabled) {
  return internal::Mutate(*core_, actor_, [&](const WriteContext& ctx) -> absl::Status {
    ASSIGN_OR_RETURN(int64_t watermark, StartWatermark(ctx));
    return internal::SetRuleEnabled(ctx, name, enabled, watermark);
  });
}

absl::StatusOr<std::vector<RuleOutcome>> Database::RuleOutcomes(const RuleOutcomeQuery& query) const {
  if (query.limit < 1) return absl::InvalidArgumentError("limit: must be positive");
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema&) { return internal::QueryOutcomes(conn, query); });
}

absl::StatusOr<std::vector<RuleRun>> Database::RuleRuns(int limit) const {
  if (limit < 1) return absl::InvalidArgumentError("limit: must be positive");
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema&) { return internal::QueryRuns(conn, limit); });
}

absl::Status Database::RegisterRuleAction(std::string_view name, RuleActionFn fn) {
  RETURN_IF_ERROR(internal::CheckUtf8("name", name));
  if (StripWhitespace(name).empty()) return absl::InvalidArgumentError("name: must not be empty");
  if (!fn) return absl::InvalidArgumentError("fn: must be callable");
  core_->rule_actions().Register(name, std::move(fn));
  return absl::OkStatus();
}

absl::Status Database::SetTimeZone(std::string_view zone) {
  absl::TimeZone tz;
  if (zone.empty() || !absl::LoadTimeZone(std::string(zone), &tz)) {
    return absl::InvalidArgumentError(StrCat("time_zone: unknown time zone \"", zone, "\""));
  }
  return internal::Mutate(*core_, actor_, [&](const WriteContext& ctx) {
    return internal::PutSetting(ctx, "time_zone", zone);
  });
}

absl::StatusOr<std::string> Database::TimeZone() const {
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema&) -> absl::StatusOr<std::string> {
    ASSIGN_OR_RETURN(std::optional<std::string> zone, internal::GetSetting(conn, "time_zone"));
    return zone.value_or("UTC");
  });
}

absl::StatusOr<std::vector<OutboxMessage>> Database::Outbox(const OutboxQuery& query) const {
  if (query.limit < 1) return absl::InvalidArgumentError("limit: must be positive");
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema&) { return internal::QueryOutbox(conn, query); });
}

absl::StatusOr<std::vector<OutboxMessage>> Database::ClaimOutbox(int limit) {
  if (limit < 1) return absl::InvalidArgumentError("limit: must be positive");
  return internal::Mutate(*core_, actor_, [&](const WriteContext& ctx) { return internal::ClaimOutbox(ctx, limit); });
}

absl::Status Database::AckOutbox(const std::vector<int64_t>& ids) {
  return internal::Mutate(*core_, actor_, [&](const WriteContext& ctx) { return internal::AckOutbox(ctx, ids); });
}

absl::Status Database::FailOutbox(int64_t id, std::string_view error, bool retry) {
  RETURN_IF_ERROR(internal::CheckUtf8("error", error));
  return internal::Mutate(*core_, actor_, [&](const WriteContext& ctx) {
    return internal::FailOutbox(ctx, id, error, retry);
  });
}

}  // namespace rapport
