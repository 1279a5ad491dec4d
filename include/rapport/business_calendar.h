// Business calendars: working time in a time zone (weekly hours, holidays, extra working days), and
// arithmetic on it — add working time to an instant, working time between two instants, the next
// working instant. docs/calendars.md describes the definition format and the semantics.
#ifndef RAPPORT_BUSINESS_CALENDAR_H_
#define RAPPORT_BUSINESS_CALENDAR_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace rapport {

// A range of local wall-clock time within a day, [start, end), in seconds after midnight
// (0 <= start < end <= 86400; 86400 is "24:00").
struct WorkingRange {
  int32_t start = 0;
  int32_t end = 0;
  friend bool operator==(const WorkingRange&, const WorkingRange&) = default;
};

// Local dates first..last, both included.
struct DateRange {
  absl::CivilDay first;
  absl::CivilDay last;
  friend bool operator==(const DateRange&, const DateRange&) = default;
};

// A date that is worked although its weekday is not, or whose hours differ (China's adjusted working
// weekends). Its hours are `hours` when given; else those of weekday `as` when given; else those of
// the first weekday, Monday on, that has working hours (a regular working day).
struct ExtraWorkingDay {
  absl::CivilDay date;
  std::optional<absl::Weekday> as;
  std::vector<WorkingRange> hours;
  friend bool operator==(const ExtraWorkingDay&, const ExtraWorkingDay&) = default;
};

// What a business calendar is made of. Plain data: BusinessCalendar::Create checks it.
struct BusinessCalendarDef {
  std::string time_zone = "UTC";  // an IANA name, e.g. "Asia/Shanghai"
  // Working hours per weekday: [0] Monday ... [6] Sunday; ranges may be given in any order, must not
  // overlap (touching is fine) and at least one weekday needs one.
  std::array<std::vector<WorkingRange>, 7> hours;
  std::vector<DateRange> holidays;  // no working time on these dates; may overlap each other
  std::vector<ExtraWorkingDay> working_days;  // one entry per date, none on a holiday
  friend bool operator==(const BusinessCalendarDef&, const BusinessCalendarDef&) = default;
};

// The JSON form (docs/calendars.md):
//   {"time_zone": "Asia/Shanghai",
//    "hours": {"mon": [["09:00", "12:00"], ["13:00", "18:00"]], ...},
//    "holidays": ["2026-10-01", ["2026-10-02", "2026-10-07"]],
//    "working_days": ["2026-09-20", {"date": "2026-10-10", "as": "fri"},
//                     {"date": "2026-10-11", "hours": [["09:00", "12:00"]]}]}
// Times are "HH:MM" or "HH:MM:SS" from "00:00" to "24:00". Errors are InvalidArgument naming the
// member (`hours.mon[1][0]: ...`). The definition is checked as BusinessCalendar::Create does.
absl::StatusOr<BusinessCalendarDef> BusinessCalendarDefFromJson(std::string_view json);
// The canonical JSON form: weekdays and ranges in order, holidays sorted, members always present.
std::string BusinessCalendarDefToJson(const BusinessCalendarDef& def);

// A checked business calendar, ready for arithmetic. A value type: cheap to copy (shares its
// immutable tables), thread-safe.
//
// Working time is the set of instants whose local wall-clock time, in the calendar's time zone,
// falls in a working range of its local date. So a 09:00-17:00 day is 8 hours long, except on a day
// when a DST change falls inside 09:00-17:00 (then 7 or 9 hours); wall-clock times a change skips are
// not worked, and those it repeats are worked twice.
//
// Cost grows with the number of days that hold an exception (holidays, extra working days, DST
// changes) crossed, never with the length of the span: runs of regular weeks are skipped whole.
class BusinessCalendar {
 public:
  // InvalidArgument naming the member at fault: an unknown time zone, times outside 00:00-24:00,
  // ranges that end before they start or overlap, no working time in any weekday, a holiday range
  // that ends before it starts, an extra working day listed twice or on a holiday.
  static absl::StatusOr<BusinessCalendar> Create(const BusinessCalendarDef& def);
  static absl::StatusOr<BusinessCalendar> FromJson(std::string_view json);

  // The definition as checked (holidays sorted with exact duplicates dropped, ranges sorted).
  const BusinessCalendarDef& def() const;
  std::string ToJson() const { return BusinessCalendarDefToJson(def()); }
  // Working time in a week without exceptions.
  absl::Duration WeeklyWorkingTime() const;

  // The earliest instant by which `d` of working time has passed since `start`: `start` itself when
  // d is zero; the end of a working range (say Friday 17:00, not Monday 09:00) when d runs out there.
  // InvalidArgument for a negative duration, one over 100 years, a start outside the years 1-9999,
  // or a result after 9999-12-31.
  absl::StatusOr<absl::Time> AddBusinessTime(absl::Time start, absl::Duration d) const;
  // Working time in [a, b); negative (minus the time in [b, a)) when b is before a.
  absl::StatusOr<absl::Duration> BusinessTimeBetween(absl::Time a, absl::Time b) const;
  // `t` when it is working time; else the start of the next working range.
  absl::StatusOr<absl::Time> NextWorkingInstant(absl::Time t) const;
  bool IsWorking(absl::Time t) const;

  struct Impl;

 private:
  explicit BusinessCalendar(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// A calendar stored in a database under a name (Database::SaveCalendar).
struct StoredCalendar {
  std::string name;
  BusinessCalendar calendar;
  absl::Time created_at;
  absl::Time updated_at;
};

}  // namespace rapport

#endif  // RAPPORT_BUSINESS_CALENDAR_H_
