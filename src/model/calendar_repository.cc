// Named business calendars in the store.
#include "model/calendar_repository.h"

#include <mutex>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "base/status_macros.h"
#include "base/strings.h"
#include "base/text.h"
#include "base/time_format.h"
#include "store/change_log.h"

namespace rapport::internal {

namespace {

constexpr size_t kMaxNameChars = 100;
// Distinct definitions kept parsed; a process with more starts over (they are cheap to rebuild).
constexpr size_t kMaxCachedCalendars = 256;

// Parsed calendars by canonical definition text. Keyed by content, so one cache serves every database
// in the process and a definition changed by another connection is simply a new key.
class CalendarCache {
 public:
  absl::StatusOr<BusinessCalendar> Get(std::string_view definition) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = cache_.find(std::string(definition));
      if (it != cache_.end()) return it->second;
    }
    auto calendar = BusinessCalendar::FromJson(definition);
    if (!calendar.ok()) {
      return absl::DataLossError(StrCat("calendar: the stored definition does not build: ", calendar.status().message()));
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (cache_.size() >= kMaxCachedCalendars) cache_.clear();
    cache_.emplace(std::string(definition), *calendar);
    return *calendar;
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, BusinessCalendar> cache_;
};

CalendarCache& Cache() {
  static CalendarCache* cache = new CalendarCache();
  return *cache;
}

absl::Status NotFound(std::string_view name) {
  return absl::NotFoundError(StrCat("calendar \"", name, "\": not found"));
}

nlohmann::json DefinitionJson(std::string_view text) { return nlohmann::json::parse(text, nullptr, false); }

}  // namespace

absl::Status CheckCalendarName(std::string_view name) {
  RETURN_IF_ERROR(CheckUtf8("name", name));
  if (StripWhitespace(name).empty()) return absl::InvalidArgumentError("name: must not be empty");
  if (CodePointCount(name) > kMaxNameChars) {
    return absl::InvalidArgumentError(StrCat("name: longer than ", kMaxNameChars, " characters"));
  }
  return absl::OkStatus();
}

absl::StatusOr<BusinessCalendar> LoadCalendar(Connection& conn, std::string_view name) {
  ASSIGN_OR_RETURN(Statement * st, conn.Cached("SELECT definition FROM calendars WHERE name = ?"));
  st->Reset();
  st->Bind(1, name);
  ASSIGN_OR_RETURN(bool found, st->Step());
  if (!found) {
    st->Reset();
    return NotFound(name);
  }
  auto calendar = Cache().Get(st->TextView(0));
  st->Reset();
  return calendar;
}

absl::StatusOr<std::vector<StoredCalendar>> LoadCalendars(Connection& conn) {
  ASSIGN_OR_RETURN(Statement st,
                   conn.Prepare("SELECT name, definition, created_at, updated_at FROM calendars ORDER BY name"));
  std::vector<StoredCalendar> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    ASSIGN_OR_RETURN(BusinessCalendar calendar, Cache().Get(st.TextView(1)));
    out.push_back({st.Text(0), std::move(calendar), FromMicros(st.Int(2)), FromMicros(st.Int(3))});
  }
  return out;
}

absl::Status StoreCalendar(const WriteContext& ctx, std::string_view name, const BusinessCalendar& calendar) {
  const std::string definition = calendar.ToJson();
  const int64_t now = ToMicros(ctx.now);
  ASSIGN_OR_RETURN(Statement find, ctx.conn.Prepare("SELECT id, definition FROM calendars WHERE name = ?"));
  find.Bind(1, name);
  ASSIGN_OR_RETURN(bool exists, find.Step());
  ChangeEntry e{"calendar", 0, 0, "create", {"definition"}, nullptr,
                {{"name", std::string(name)}, {"definition", DefinitionJson(definition)}}};
  if (exists) {
    e.op = "update";
    e.entity_id = find.Int(0);
    e.before = {{"definition", DefinitionJson(find.TextView(1))}};
    ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare("UPDATE calendars SET definition = ?, updated_at = ? WHERE id = ?"));
    st.Bind(1, definition).Bind(2, now).Bind(3, e.entity_id);
    RETURN_IF_ERROR(st.Run());
  } else {
    ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare(
        "INSERT INTO calendars (name, definition, created_at, updated_at) VALUES (?, ?, ?, ?)"));
    st.Bind(1, name).Bind(2, definition).Bind(3, now).Bind(4, now);
    RETURN_IF_ERROR(st.Run());
    e.entity_id = ctx.conn.LastInsertRowid();
  }
  return AppendChange(ctx.conn, ctx.now, ctx.actor, e).status();
}

absl::Status DeleteCalendar(const WriteContext& ctx, std::string_view name) {
  ASSIGN_OR_RETURN(Statement find, ctx.conn.Prepare("SELECT id, definition FROM calendars WHERE name = ?"));
  find.Bind(1, name);
  ASSIGN_OR_RETURN(bool exists, find.Step());
  if (!exists) return NotFound(name);
  const int64_t id = find.Int(0);
  ChangeEntry e{"calendar", id, 0, "delete", {}, {{"name", std::string(name)}, {"definition", DefinitionJson(find.TextView(1))}},
                nullptr};
  ASSIGN_OR_RETURN(Statement st, ctx.conn.Prepare("DELETE FROM calendars WHERE id = ?"));
  st.Bind(1, id);
  RETURN_IF_ERROR(st.Run());
  return AppendChange(ctx.conn, ctx.now, ctx.actor, e).status();
}

}  // namespace rapport::internal
