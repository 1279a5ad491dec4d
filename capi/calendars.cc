// Business calendars: build from JSON, arithmetic, and named calendars in a database.
#include <string>

#include "analytics_internal.h"
#include "base/time_format.h"
#include "internal.h"
#include "rapport/business_calendar.h"

struct rapport_calendar {
  rapport::BusinessCalendar calendar;
  std::string json;  // computed once, so that the handle is immutable and shareable across threads
  explicit rapport_calendar(rapport::BusinessCalendar c) : calendar(std::move(c)), json(calendar.ToJson()) {}
};

namespace rc = rapport::capi;

namespace {

// Durations and instants cross the ABI as microseconds.
absl::Duration Micros(int64_t us) { return absl::Microseconds(us); }

}  // namespace

rapport_code rapport_calendar_from_json(const char* json, rapport_calendar** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(out);
    if (absl::Status st = rc::CheckText(kFn, "json", json); !st.ok()) return st;
    auto calendar = rapport::BusinessCalendar::FromJson(json);
    if (!calendar.ok()) return calendar.status();
    *out = new rapport_calendar(*std::move(calendar));
    return absl::OkStatus();
  });
}

void rapport_calendar_free(rapport_calendar* cal) noexcept { delete cal; }

const char* rapport_calendar_to_json(const rapport_calendar* cal) noexcept {
  return cal == nullptr ? nullptr : cal->json.c_str();
}

rapport_code rapport_calendar_add(const rapport_calendar* cal, int64_t start, int64_t duration, int64_t* out,
                                  rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(cal);
    RAPPORT_CAPI_REQUIRE(out);
    auto t = cal->calendar.AddBusinessTime(rc::FromMicros(start), Micros(duration));
    if (!t.ok()) return t.status();
    *out = rc::Micros(*t);
    return absl::OkStatus();
  });
}

rapport_code rapport_calendar_between(const rapport_calendar* cal, int64_t a, int64_t b, int64_t* out,
                                      rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(cal);
    RAPPORT_CAPI_REQUIRE(out);
    auto d = cal->calendar.BusinessTimeBetween(rc::FromMicros(a), rc::FromMicros(b));
    if (!d.ok()) return d.status();
    *out = absl::ToInt64Microseconds(*d);
    return absl::OkStatus();
  });
}

rapport_code rapport_calendar_next_working(const rapport_calendar* cal, int64_t t, int64_t* out,
                                           rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(cal);
    RAPPORT_CAPI_REQUIRE(out);
    auto next = cal->calendar.NextWorkingInstant(rc::FromMicros(t));
    if (!next.ok()) return next.status();
    *out = rc::Micros(*next);
    return absl::OkStatus();
  });
}

rapport_code rapport_calendar_is_working(const rapport_calendar* cal, int64_t t, int* out,
                                         rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(cal);
    RAPPORT_CAPI_REQUIRE(out);
    *out = cal->calendar.IsWorking(rc::FromMicros(t)) ? 1 : 0;
    return absl::OkStatus();
  });
}

rapport_code rapport_db_calendar_save(rapport_db* db, const char* name, const rapport_calendar* cal,
                                      rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(cal);
    if (absl::Status st = rc::CheckText(kFn, "name", name); !st.ok()) return st;
    return db->db.SaveCalendar(name, cal->calendar.def());
  });
}

rapport_code rapport_db_calendar_get(rapport_db* db, const char* name, rapport_calendar** out,
                                     rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out);
    if (absl::Status st = rc::CheckText(kFn, "name", name); !st.ok()) return st;
    auto calendar = db->db.GetCalendar(name);
    if (!calendar.ok()) return calendar.status();
    *out = new rapport_calendar(*std::move(calendar));
    return absl::OkStatus();
  });
}

rapport_code rapport_db_calendar_list(rapport_db* db, char** out_json, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out_json);
    auto all = db->db.Calendars();
    if (!all.ok()) return all.status();
    rc::OrderedJson list = rc::OrderedJson::array();
    for (const rapport::StoredCalendar& c : *all) {
      list.push_back({{"name", c.name},
                      {"calendar", rc::OrderedJson::parse(c.calendar.ToJson())},
                      {"created_at", rapport::internal::FormatTimestamp(c.created_at)},
                      {"updated_at", rapport::internal::FormatTimestamp(c.updated_at)}});
    }
    return rc::ReturnString(rc::DumpOrdered(list), out_json);
  });
}

rapport_code rapport_db_calendar_drop(rapport_db* db, const char* name, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    if (absl::Status st = rc::CheckText(kFn, "name", name); !st.ok()) return st;
    return db->db.DropCalendar(name);
  });
}
