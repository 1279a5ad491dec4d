// The JSON form of a business calendar definition (docs/calendars.md).
#include <nlohmann/json.hpp>

#include "base/status_macros.h"
#include "base/strings.h"
#include "base/time_format.h"
#include "rules/business_calendar_internal.h"

namespace rapport {

namespace {

using nlohmann::json;

absl::Status Invalid(std::string_view field, std::string_view problem) {
  return absl::InvalidArgumentError(StrCat(field, ": ", problem));
}

std::optional<int> WeekdayFromName(std::string_view name) {
  for (int w = 0; w < 7; ++w) {
    if (name == internal::WeekdayName(w)) return w;
  }
  return std::nullopt;
}

bool Digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// "HH:MM" or "HH:MM:SS", 00:00 to 24:00.
absl::StatusOr<int32_t> ParseTimeOfDay(std::string_view field, const json& value) {
  const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  auto bad = [&] {
    return Invalid(field, StrCat(value.is_string() ? "\"" + text + "\"" : text,
                                 " is not a time of day (\"HH:MM\" from \"00:00\" to \"24:00\")"));
  };
  if (!value.is_string() || (text.size() != 5 && text.size() != 8)) return bad();
  const std::string_view t = text;
  if (t[2] != ':' || !Digits(t.substr(0, 2)) || !Digits(t.substr(3, 2))) return bad();
  int seconds = 0;
  if (t.size() == 8) {
    if (t[5] != ':' || !Digits(t.substr(6, 2))) return bad();
    seconds = (t[6] - '0') * 10 + (t[7] - '0');
  }
  const int hours = (t[0] - '0') * 10 + (t[1] - '0');
  const int minutes = (t[3] - '0') * 10 + (t[4] - '0');
  if (minutes > 59 || seconds > 59 || hours > 24 || (hours == 24 && (minutes != 0 || seconds != 0))) return bad();
  return hours * 3600 + minutes * 60 + seconds;
}

absl::StatusOr<std::vector<WorkingRange>> ParseRanges(std::string_view field, const json& value) {
  if (!value.is_array()) return Invalid(field, "expected a list of [\"HH:MM\", \"HH:MM\"] ranges");
  std::vector<WorkingRange> ranges;
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string item = StrCat(field, "[", i, "]");
    const json& r = value[i];
    if (!r.is_array() || r.size() != 2) return Invalid(item, "expected [\"HH:MM\", \"HH:MM\"]");
    WorkingRange range;
    ASSIGN_OR_RETURN(range.start, ParseTimeOfDay(StrCat(item, "[0]"), r[0]));
    ASSIGN_OR_RETURN(range.end, ParseTimeOfDay(StrCat(item, "[1]"), r[1]));
    ranges.push_back(range);
  }
  return ranges;
}

absl::StatusOr<absl::CivilDay> ParseDay(std::string_view field, const json& value) {
  if (!value.is_string()) return Invalid(field, "expected a date \"YYYY-MM-DD\"");
  return internal::ParseDate(field, value.get<std::string>());
}

absl::Status ParseHolidays(const json& value, BusinessCalendarDef& def) {
  if (!value.is_array()) return Invalid("holidays", "expected a list of dates and [first, last] date ranges");
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string field = StrCat("holidays[", i, "]");
    const json& h = value[i];
    DateRange range;
    if (h.is_array()) {
      if (h.size() != 2) return Invalid(field, "expected a date or a [first, last] date range");
      ASSIGN_OR_RETURN(range.first, ParseDay(StrCat(field, "[0]"), h[0]));
      ASSIGN_OR_RETURN(range.last, ParseDay(StrCat(field, "[1]"), h[1]));
    } else {
      ASSIGN_OR_RETURN(range.first, ParseDay(field, h));
      range.last = range.first;
    }
    def.holidays.push_back(range);
  }
  return absl::OkStatus();
}

absl::Status ParseWorkingDays(const json& value, BusinessCalendarDef& def) {
  if (!value.is_array()) return Invalid("working_days", "expected a list of dates and {\"date\": ...} objects");
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string field = StrCat("working_days[", i, "]");
    const json& w = value[i];
    ExtraWorkingDay day;
    if (w.is_object()) {
      for (const auto& [key, member] : w.items()) {
        if (key == "date") {
          ASSIGN_OR_RETURN(day.date, ParseDay(StrCat(field, ".date"), member));
        } else if (key == "as") {
          const std::optional<int> as = member.is_string() ? WeekdayFromName(member.get<std::string>()) : std::nullopt;
          if (!as) return Invalid(StrCat(field, ".as"), "expected a weekday: mon, tue, wed, thu, fri, sat or sun");
          day.as = static_cast<absl::Weekday>(*as);
        } else if (key == "hours") {
          ASSIGN_OR_RETURN(day.hours, ParseRanges(StrCat(field, ".hours"), member));
          if (day.hours.empty()) return Invalid(StrCat(field, ".hours"), "must not be empty (leave it out for a regular day)");
        } else {
          return Invalid(StrCat(field, ".", key), "unknown member (date, as, hours)");
        }
      }
      if (!w.contains("date")) return Invalid(StrCat(field, ".date"), "required");
    } else {
      ASSIGN_OR_RETURN(day.date, ParseDay(field, w));
    }
    def.working_days.push_back(std::move(day));
  }
  return absl::OkStatus();
}

json RangesJson(const std::vector<WorkingRange>& ranges) {
  json out = json::array();
  for (const WorkingRange& r : ranges) {
    out.push_back(json::array({internal::FormatTimeOfDay(r.start), internal::FormatTimeOfDay(r.end)}));
  }
  return out;
}

}  // namespace

absl::StatusOr<BusinessCalendarDef> BusinessCalendarDefFromJson(std::string_view text) {
  const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return absl::InvalidArgumentError("calendar: not valid JSON");
  if (!doc.is_object()) return absl::InvalidArgumentError("calendar: expected a JSON object");
  BusinessCalendarDef def;
  for (const auto& [key, value] : doc.items()) {
    if (key == "time_zone") {
      if (!value.is_string()) return Invalid("time_zone", "expected an IANA time zone name such as \"Europe/Berlin\"");
      def.time_zone = value.get<std::string>();
    } else if (key == "hours") {
      if (!value.is_object()) return Invalid("hours", "expected an object of weekdays (\"mon\": [[\"09:00\", \"17:00\"]])");
      for (const auto& [name, ranges] : value.items()) {
        const std::optional<int> w = WeekdayFromName(name);
        if (!w) return Invalid(StrCat("hours.", name), "unknown weekday (mon, tue, wed, thu, fri, sat, sun)");
        ASSIGN_OR_RETURN(def.hours[*w], ParseRanges(StrCat("hours.", name), ranges));
      }
    } else if (key == "holidays") {
      RETURN_IF_ERROR(ParseHolidays(value, def));
    } else if (key == "working_days") {
      RETURN_IF_ERROR(ParseWorkingDays(value, def));
    } else {
      return Invalid(key, "unknown member (time_zone, hours, holidays, working_days)");
    }
  }
  if (!doc.contains("time_zone")) return Invalid("time_zone", "required");
  // Checked as a calendar is, so that a stored definition always builds.
  auto checked = BusinessCalendar::Create(def);
  if (!checked.ok()) return checked.status();
  return checked->def();
}

std::string BusinessCalendarDefToJson(const BusinessCalendarDef& def) {
  json doc = json::object();
  doc["time_zone"] = def.time_zone;
  json hours = json::object();
  for (int w = 0; w < 7; ++w) {
    if (!def.hours[w].empty()) hours[internal::WeekdayName(w)] = RangesJson(def.hours[w]);
  }
  doc["hours"] = hours;
  json holidays = json::array();
  for (const DateRange& h : def.holidays) {
    if (h.first == h.last) {
      holidays.push_back(internal::FormatDate(h.first));
    } else {
      holidays.push_back(json::array({internal::FormatDate(h.first), internal::FormatDate(h.last)}));
    }
  }
  doc["holidays"] = holidays;
  json working = json::array();
  for (const ExtraWorkingDay& x : def.working_days) {
    if (!x.as && x.hours.empty()) {
      working.push_back(internal::FormatDate(x.date));
      continue;
    }
    json item = {{"date", internal::FormatDate(x.date)}};
    if (x.as) item["as"] = internal::WeekdayName(static_cast<int>(*x.as));
    if (!x.hours.empty()) item["hours"] = RangesJson(x.hours);
    working.push_back(item);
  }
  doc["working_days"] = working;
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace rapport
