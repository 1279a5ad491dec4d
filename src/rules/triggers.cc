#include "rules/triggers.h"

#include <algorithm>
#include <map>

#include "absl/container/flat_hash_map.h"
#include <optional>

#include "base/json_value.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "base/time_format.h"
#include "rules/occurrence.h"

namespace rapport::internal {
namespace {

bool Has(const std::vector<std::string>& fields, std::string_view name) {
  for (const std::string& f : fields)
    if (f == name) return true;
  return false;
}

nlohmann::json Member(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(std::string(key));
  return it == object.end() ? nlohmann::json(nullptr) : *it;
}

bool ValueMatches(const std::optional<Value>& want, const nlohmann::json& got) {
  return !want || ValueToJson(*want) == got;
}

std::string Described(std::string_view what, int64_t seq) { return StrCat(what, " (change ", seq, ")"); }

std::string FormatLocal(absl::Time t, absl::TimeZone zone) {
  return absl::FormatTime("%Y-%m-%d %H:%M ", t, zone) + zone.name();
}

// The latest start whose due time (start + `d` of working time) is at or before `limit`. Due times
// do not decrease as the start moves later, so starts up to it are due by `limit` and later ones are
// not: a binary search over starts replaces one calendar addition per customer.
absl::StatusOr<int64_t> LastStartDueBy(const BusinessCalendar& calendar, absl::Duration d, int64_t limit) {
  auto due_of = [&](int64_t start) -> absl::StatusOr<int64_t> {
    ASSIGN_OR_RETURN(absl::Time due, calendar.AddBusinessTime(FromMicros(start), d));
    return ToMicros(due);
  };
  ASSIGN_OR_RETURN(int64_t due_at_limit, due_of(limit));
  if (due_at_limit <= limit) return limit;  // d is zero
  // A start early enough to be due by the limit: step back, doubling, from one week plus d.
  int64_t step = absl::ToInt64Microseconds(d) + 7 * kMicrosPerDay;
  int64_t lo = limit - step;
  constexpr int64_t kMaxStep = int64_t{200} * 366 * kMicrosPerDay;
  while (true) {
    ASSIGN_OR_RETURN(int64_t due, due_of(lo));
    if (due <= limit) break;
    if (step >= kMaxStep) return lo;  // no working time for two centuries: nothing is due
    step *= 2;
    lo = limit - step;
  }
  int64_t hi = limit;  // due_of(lo) <= limit < due_of(hi)
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    ASSIGN_OR_RETURN(int64_t due, due_of(mid));
    (due <= limit ? lo : hi) = mid;
  }
  return lo;
}

}  // namespace

absl::Status BusinessHoursCandidates(const RuleTrigger& t, const TimeColumn& times, const std::vector<int64_t>& ids,
                                     const BusinessCalendar& calendar, int64_t watermark, int64_t now,
                                     std::vector<Candidate>& out) {
  const absl::Duration d = absl::Hours(t.amount);
  ASSIGN_OR_RETURN(const int64_t after, LastStartDueBy(calendar, d, watermark));
  ASSIGN_OR_RETURN(const int64_t upto, LastStartDueBy(calendar, d, now));
  const std::string what = StrCat(t.field, " + ", t.amount, " business hours (", t.calendar, ")");
  for (size_t row = 0; row < times.values.size(); ++row) {
    const int64_t v = times.values[row];
    if (v == kNullTime || v <= after || v > upto) continue;
    auto due = calendar.AddBusinessTime(FromMicros(v), d);
    if (!due.ok()) continue;  // a start outside the calendar's years: never due
    out.push_back({ids[row], ToMicros(*due), StrCat(what, ", due ", FormatTimestamp(*due))});
  }
  return absl::OkStatus();
}

bool FollowsStageEntry(const RuleTrigger& t) {
  return t.kind == RuleTriggerKind::kRelative && t.field == kStageEnteredAt;
}

absl::Status StageEntryCandidates(Connection& conn, const StoredRule& stored, const BusinessCalendar* calendar,
                                  absl::Time now, std::vector<Candidate>& out) {
  const RuleTrigger& t = stored.rule.def.trigger;
  const int64_t now_us = ToMicros(now);
  int64_t after = 0, upto = 0;  // entry instants whose due time lies in (watermark, now]
  std::string what;
  absl::Duration d;
  if (t.unit == RelativeUnit::kBusinessHours) {
    if (calendar == nullptr) return absl::FailedPreconditionError(StrCat("trigger.calendar: \"", t.calendar, "\" not loaded"));
    d = absl::Hours(t.amount);
    ASSIGN_OR_RETURN(after, LastStartDueBy(*calendar, d, stored.watermark));
    ASSIGN_OR_RETURN(upto, LastStartDueBy(*calendar, d, now_us));
    what = StrCat(t.field, " + ", t.amount, " business hours (", t.calendar, ")");
  } else {
    d = t.unit == RelativeUnit::kDays ? absl::Hours(24 * t.amount) : absl::Hours(t.amount);
    after = stored.watermark - absl::ToInt64Microseconds(d);
    upto = now_us - absl::ToInt64Microseconds(d);
    what = StrCat(t.field, " + ", t.amount, t.unit == RelativeUnit::kDays ? " days" : " hours");
  }
  if (upto <= after) return absl::OkStatus();
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(
      "SELECT h.customer_id, h.at, h.to_stage FROM lifecycle_history h WHERE h.at > ? AND h.at <= ? AND NOT EXISTS "
      "(SELECT 1 FROM lifecycle_history l WHERE l.customer_id = h.customer_id AND l.at >= h.at AND l.id > h.id) "
      "ORDER BY h.customer_id"));
  st.Bind(1, after).Bind(2, upto);
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    const absl::Time entered = FromMicros(st.Int(1));
    absl::Time due = entered + d;
    if (calendar != nullptr && t.unit == RelativeUnit::kBusinessHours) {
      auto business = calendar->AddBusinessTime(entered, d);
      if (!business.ok()) continue;
      due = *business;
    }
    out.push_back({st.Int(0), ToMicros(due), StrCat(what, " in ", st.TextView(2), ", due ", FormatTimestamp(due))});
  }
  return absl::OkStatus();
}

bool IsTimeField(std::string_view name) {
  return name == "created_at" || name == "updated_at" || name == "first_order_at" || name == "last_order_at" ||
         name == "birthday";
}

absl::StatusOr<std::vector<EventChange>> ReadEventChanges(Connection& conn, int64_t after_seq, int64_t upto_seq) {
  // `+entity` keeps the planner off the (entity, entity_id) index, which would visit every change ever
  // logged: the new ones are a range of seq.
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(
      "SELECT seq, entity, entity_id, coalesce(customer_id, 0), op, origin, fields, before, after FROM changes "
      "WHERE seq > ? AND seq <= ? AND +entity IN ('customer', 'order', 'lifecycle', 'segment') ORDER BY seq"));
  st.Bind(1, after_seq).Bind(2, upto_seq);
  std::vector<EventChange> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    EventChange c;
    c.seq = st.Int(0);
    c.entity = st.Text(1);
    c.entity_id = st.Int(2);
    c.customer = st.Int(3);
    c.op = st.Text(4);
    c.origin = st.Text(5);
    auto fields = nlohmann::json::parse(st.TextView(6), nullptr, false);
    if (fields.is_array())
      for (const auto& f : fields)
        if (f.is_string()) c.fields.push_back(f.get<std::string>());
    if (!st.IsNull(7)) c.before = nlohmann::json::parse(st.TextView(7), nullptr, false);
    if (!st.IsNull(8)) c.after = nlohmann::json::parse(st.TextView(8), nullptr, false);
    out.push_back(std::move(c));
  }
  return out;
}

void MatchEvents(const StoredRule& stored, const std::vector<EventChange>& changes, std::vector<Candidate>& out) {
  const RuleTrigger& t = stored.rule.def.trigger;
  const std::string own_origin = StrCat("rule:", stored.rule.def.name);
  for (const EventChange& c : changes) {
    if (c.seq <= stored.since_seq || c.origin == own_origin) continue;
    const bool customer_update = c.entity == "customer" && c.op == "update";
    switch (t.event) {
      case RuleEvent::kCustomerCreated:
        if (c.entity != "customer") break;
        if (c.op == "create") out.push_back({c.entity_id, c.seq, Described("customer_created", c.seq)});
        if (c.op == "import" && c.after.is_object() && c.after.contains("created_ids")) {
          for (const auto& range : c.after["created_ids"]) {
            if (!range.is_array() || range.size() != 2) continue;
            for (int64_t id = range[0].get<int64_t>(); id <= range[1].get<int64_t>(); ++id) {
              out.push_back({id, c.seq, Described("customer_created (import)", c.seq)});
            }
          }
        }
        break;
      case RuleEvent::kCustomerUpdated:
        if (customer_update) out.push_back({c.entity_id, c.seq, Described("customer_updated", c.seq)});
        break;
      case RuleEvent::kFieldChanged:
        if (customer_update && Has(c.fields, t.field) && ValueMatches(t.from, Member(c.before, t.field)) &&
            ValueMatches(t.to, Member(c.after, t.field))) {
          out.push_back({c.entity_id, c.seq, Described(StrCat("field_changed ", t.field), c.seq)});
        }
        break;
      case RuleEvent::kStageChanged: {
        const bool moved = (c.entity == "lifecycle" && c.op == "move") ||
                           (customer_update && Has(c.fields, "lifecycle_stage"));
        if (moved && ValueMatches(t.from, Member(c.before, "lifecycle_stage")) &&
            ValueMatches(t.to, Member(c.after, "lifecycle_stage"))) {
          out.push_back({c.entity_id, c.seq, Described("stage_changed", c.seq)});
        }
        break;
      }
      case RuleEvent::kOrderCreated:
        if (c.entity == "order" && c.op == "create" && c.customer != 0) {
          out.push_back({c.customer, c.seq, Described(StrCat("order_created ", c.entity_id), c.seq)});
        }
        break;
      case RuleEvent::kSegmentEntered:
      case RuleEvent::kSegmentLeft: {
        if (c.entity != "segment" || !c.after.is_object() || Member(c.after, "name") != t.segment) break;
        const bool entered = t.event == RuleEvent::kSegmentEntered;
        const nlohmann::json ids = Member(c.after, entered ? "entered" : "left");
        if (!ids.is_array()) break;
        for (const auto& id : ids) {
          if (!id.is_number_integer()) continue;
          out.push_back({id.get<int64_t>(), c.seq,
                         Described(StrCat(entered ? "segment_entered " : "segment_left ", t.segment), c.seq)});
        }
        break;
      }
    }
  }
}

absl::Status TimeCandidates(const StoredRule& stored, const CustomerFrame& frame, absl::TimeZone tenant,
                            const BusinessCalendar* calendar, absl::Time now, std::vector<Candidate>& out) {
  const RuleTrigger& t = stored.rule.def.trigger;
  const Column* column = frame.Find(t.field);
  if (column == nullptr) return absl::OkStatus();  // a custom field nobody has yet
  const auto* times = std::get_if<TimeColumn>(column);
  if (times == nullptr) return absl::FailedPreconditionError(StrCat("trigger.field: \"", t.field, "\" is not a time field"));
  if (times->values.empty()) return absl::OkStatus();
  const int64_t now_us = ToMicros(now), watermark = stored.watermark;
  if (t.kind == RuleTriggerKind::kRelative && t.unit == RelativeUnit::kBusinessHours) {
    if (calendar == nullptr) return absl::FailedPreconditionError(StrCat("trigger.calendar: \"", t.calendar, "\" not loaded"));
    return BusinessHoursCandidates(t, *times, frame.ids, *calendar, watermark, now_us, out);
  }
  if (t.kind == RuleTriggerKind::kRelative) {
    const int64_t unit = t.unit == RelativeUnit::kDays ? kMicrosPerDay : int64_t{3'600'000'000};
    const int64_t offset = t.amount * unit;
    const std::string what = StrCat(t.field, " + ", t.amount, t.unit == RelativeUnit::kDays ? " days" : " hours");
    for (size_t row = 0; row < frame.rows(); ++row) {
      const int64_t v = times->values[row];
      if (v == kNullTime) continue;
      const int64_t due = v + offset;
      if (due > watermark && due <= now_us) {
        out.push_back({frame.ids[row], due, StrCat(what, ", due ", FormatTimestamp(FromMicros(due)))});
      }
    }
    return absl::OkStatus();
  }
  // Annual: the customer's own zone when its field holds a valid one, else the tenant's (zone 0). The
  // latest occurrence is computed once per (zone, month, day), not once per customer.
  const Column* zones = t.time_zone_field.empty() ? nullptr : frame.Find(t.time_zone_field);
  std::vector<absl::TimeZone> zone_list{tenant};
  absl::flat_hash_map<std::string, int> zone_index;
  auto zone_of = [&](size_t row) -> int {
    std::optional<std::string_view> name;
    if (zones == nullptr) return 0;
    if (const auto* text = std::get_if<TextColumn>(zones)) name = text->Get(row);
    if (const auto* cat = std::get_if<CategoryColumn>(zones)) name = cat->Get(row);
    if (!name || name->empty()) return 0;
    auto it = zone_index.find(AsAbsl(*name));
    if (it == zone_index.end()) {
      absl::TimeZone z;
      int index = 0;
      if (absl::LoadTimeZone(std::string(*name), &z)) {
        index = static_cast<int>(zone_list.size());
        zone_list.push_back(z);
      }
      it = zone_index.emplace(std::string(*name), index).first;
    }
    return it->second;
  };
  constexpr int kSlots = 13 * 32;  // month * 32 + day
  std::vector<std::vector<int64_t>> latest;  // per zone, per slot; kNullTime until computed
  const absl::CivilDay epoch(1970, 1, 1);
  for (size_t row = 0; row < frame.rows(); ++row) {
    const int64_t v = times->values[row];
    if (v == kNullTime) continue;
    const int64_t days = v >= 0 ? v / kMicrosPerDay : -((-v + kMicrosPerDay - 1) / kMicrosPerDay);
    const absl::CivilDay day = epoch + days;
    const int zone = zone_of(row);
    if (latest.size() <= static_cast<size_t>(zone)) latest.resize(zone + 1);
    std::vector<int64_t>& slots = latest[zone];
    if (slots.empty()) slots.assign(kSlots, kNullTime);
    int64_t& due = slots[day.month() * 32 + day.day()];
    if (due == kNullTime) {
      due = ToMicros(LatestAnnual(day.month(), day.day(), t.hour, t.minute, zone_list[zone], now));
    }
    if (due > watermark && due <= now_us) {
      out.push_back({frame.ids[row], due, StrCat(t.field, " ", FormatLocal(FromMicros(due), zone_list[zone]))});
    }
  }
  return absl::OkStatus();
}

std::optional<absl::Time> DueSchedule(const StoredRule& stored, absl::TimeZone tenant, absl::Time now) {
  const absl::Time at = LatestScheduled(stored.rule.def.trigger, tenant, now);
  if (ToMicros(at) > stored.watermark) return at;
  return std::nullopt;
}

}  // namespace rapport::internal
