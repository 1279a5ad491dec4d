// Database: named business calendars.
#include "base/status_macros.h"
#include "base/strings.h"
#include "db/facade_util.h"
#include "model/calendar_repository.h"
#include "rapport/database.h"
#include "rules/rule_store.h"

namespace rapport {

using internal::Connection;
using internal::FieldSchema;
using internal::WriteContext;

absl::Status Database::SaveCalendar(std::string_view name, const BusinessCalendarDef& def) {
  RETURN_IF_ERROR(internal::CheckCalendarName(name));
  ASSIGN_OR_RETURN(BusinessCalendar calendar, BusinessCalendar::Create(def));
  return internal::Mutate(*core_, actor_, [&](const WriteContext& ctx) {
    return internal::StoreCalendar(ctx, name, calendar);
  });
}

absl::StatusOr<BusinessCalendar> Database::GetCalendar(std::string_view name) const {
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema&) { return internal::LoadCalendar(conn, name); });
}

absl::StatusOr<std::vector<StoredCalendar>> Database::Calendars() const {
  return internal::Query(*core_, [&](Connection& conn, const FieldSchema&) { return internal::LoadCalendars(conn); });
}

absl::Status Database::DropCalendar(std::string_view name) {
  return internal::Mutate(*core_, actor_, [&](const WriteContext& ctx) -> absl::Status {
    // A rule's business-hours trigger would have nothing to count with.
    ASSIGN_OR_RETURN(std::vector<internal::StoredRule> rules, internal::LoadRules(ctx.conn));
    for (const internal::StoredRule& r : rules) {
      const RuleTrigger& t = r.rule.def.trigger;
      if (t.kind == RuleTriggerKind::kRelative && t.unit == RelativeUnit::kBusinessHours && t.calendar == name) {
        return absl::FailedPreconditionError(StrCat("name: calendar \"", name, "\" is used by rule \"",
                                                    r.rule.def.name, "\"; drop or change the rule first"));
      }
    }
    return internal::DeleteCalendar(ctx, name);
  });
}

}  // namespace rapport
