// Named business calendars in the store (table `calendars`).
#ifndef RAPPORT_MODEL_CALENDAR_REPOSITORY_H_
#define RAPPORT_MODEL_CALENDAR_REPOSITORY_H_

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "model/customer_repository.h"
#include "rapport/business_calendar.h"
#include "store/sqlite.h"

namespace rapport::internal {

// InvalidArgument unless `name` is valid UTF-8, not blank and at most 100 characters.
absl::Status CheckCalendarName(std::string_view name);

// The calendar named `name` (NotFound otherwise). Usable inside a write transaction (rules read the
// calendars they name this way). Parsed calendars are cached process-wide by definition text, so a
// lookup costs one indexed read.
absl::StatusOr<BusinessCalendar> LoadCalendar(Connection& conn, std::string_view name);
absl::StatusOr<std::vector<StoredCalendar>> LoadCalendars(Connection& conn);

// Inserts or replaces the definition (already checked); logs the change.
absl::Status StoreCalendar(const WriteContext& ctx, std::string_view name, const BusinessCalendar& calendar);
// NotFound for an unknown name; logs the change.
absl::Status DeleteCalendar(const WriteContext& ctx, std::string_view name);

}  // namespace rapport::internal

#endif  // RAPPORT_MODEL_CALENDAR_REPOSITORY_H_
