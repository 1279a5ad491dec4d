// The JSON form of rules (docs/rules.md): parsing with field-named errors, and the canonical printout.
#include <cstdio>
#include <set>

#include <nlohmann/json.hpp>

#include "base/json_value.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "rapport/rule.h"
#include "rapport/task.h"
#include "store/change_log.h"

namespace rapport {
namespace {

using nlohmann::json;

constexpr const char* kWeekdays[] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

struct Names {
  const char* text;
  int value;
};

constexpr Names kEvents[] = {{"customer_created", 0}, {"customer_updated", 1}, {"field_changed", 2},
                             {"stage_changed", 3},    {"order_created", 4},    {"segment_entered", 5},
                             {"segment_left", 6}};
constexpr Names kActions[] = {{"add_tag", 0},  {"remove_tag", 1},  {"set_field", 2}, {"add_to_list", 3},
                              {"notify", 4},   {"create_task", 5}, {"move_stage", 6}, {"plugin", 7}};
constexpr Names kTriggers[] = {{"event", 0}, {"relative", 1}, {"annual", 2}, {"schedule", 3}};
constexpr Names kEvery[] = {{"daily", 0}, {"weekly", 1}, {"monthly", 2}};

template <size_t N>
std::string Choices(const Names (&names)[N]) {
  std::string out;
  for (size_t i = 0; i < N; ++i) out += StrCat(i == 0 ? "" : (i + 1 == N ? " or " : ", "), names[i].text);
  return out;
}

template <size_t N>
absl::StatusOr<int> Lookup(const Names (&names)[N], std::string_view field, std::string_view what, const json& j) {
  if (!j.is_string()) return absl::InvalidArgumentError(StrCat(field, ": must be text (", Choices(names), ")"));
  const std::string s = j.get<std::string>();
  for (const Names& n : names)
    if (s == n.text) return n.value;
  return absl::InvalidArgumentError(StrCat(field, ": unknown ", what, " \"", s, "\" (expected ", Choices(names), ")"));
}

template <size_t N>
const char* NameOf(const Names (&names)[N], int value) {
  for (const Names& n : names)
    if (n.value == value) return n.text;
  return "?";
}

absl::Status OnlyKeys(const json& j, std::string_view where, std::initializer_list<const char*> allowed) {
  for (const auto& [key, value] : j.items()) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || key == a;
    if (!ok) return absl::InvalidArgumentError(StrCat(where, ": unknown member \"", key, "\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Text(const json& j, std::string_view field, bool required) {
  auto it = j.find(std::string(field.substr(field.rfind('.') + 1)));
  if (it == j.end() || it->is_null()) {
    if (required) return absl::InvalidArgumentError(StrCat(field, ": required"));
    return std::string();
  }
  if (!it->is_string()) return absl::InvalidArgumentError(StrCat(field, ": must be text"));
  return it->get<std::string>();
}

absl::StatusOr<std::optional<int64_t>> Integer(const json& j, std::string_view key, std::string_view field) {
  auto it = j.find(std::string(key));
  if (it == j.end() || it->is_null()) return std::optional<int64_t>();
  if (!it->is_number_integer()) return absl::InvalidArgumentError(StrCat(field, ": must be an integer"));
  return std::optional<int64_t>(it->get<int64_t>());
}

absl::Status ParseTimeOfDay(const json& j, std::string_view field, RuleTrigger& t) {
  auto it = j.find("at");
  if (it == j.end()) return absl::OkStatus();  // 09:00
  if (!it->is_string()) return absl::InvalidArgumentError(StrCat(field, ": must be text \"HH:MM\""));
  const std::string s = it->get<std::string>();
  auto digit = [&](size_t i) { return s[i] >= '0' && s[i] <= '9'; };
  if (s.size() == 5 && digit(0) && digit(1) && s[2] == ':' && digit(3) && digit(4)) {
    const int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (h < 24 && m < 60) {
      t.hour = h;
      t.minute = m;
      return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError(StrCat(field, ": \"", s, "\" is not a time of day (HH:MM, 00:00 to 23:59)"));
}

absl::StatusOr<RuleTrigger> ParseTrigger(const json& j) {
  if (!j.is_object()) return absl::InvalidArgumentError("trigger: must be an object");
  RuleTrigger t;
  auto type = j.find("type");
  if (type == j.end()) return absl::InvalidArgumentError(StrCat("trigger.type: required (", Choices(kTriggers), ")"));
  ASSIGN_OR_RETURN(int kind, Lookup(kTriggers, "trigger.type", "trigger type", *type));
  t.kind = static_cast<RuleTriggerKind>(kind);
  switch (t.kind) {
    case RuleTriggerKind::kEvent: {
      RETURN_IF_ERROR(OnlyKeys(j, "trigger", {"type", "event", "field", "from", "to", "segment"}));
      auto ev = j.find("event");
      if (ev == j.end()) return absl::InvalidArgumentError(StrCat("trigger.event: required (", Choices(kEvents), ")"));
      ASSIGN_OR_RETURN(int e, Lookup(kEvents, "trigger.event", "event", *ev));
      t.event = static_cast<RuleEvent>(e);
      const bool with_values = t.event == RuleEvent::kFieldChanged || t.event == RuleEvent::kStageChanged;
      const bool with_segment = t.event == RuleEvent::kSegmentEntered || t.event == RuleEvent::kSegmentLeft;
      if (t.event == RuleEvent::kFieldChanged) {
        ASSIGN_OR_RETURN(t.field, Text(j, "trigger.field", true));
      } else if (j.contains("field")) {
        return absl::InvalidArgumentError(StrCat("trigger.field: only field_changed names a field"));
      }
      for (const char* key : {"from", "to"}) {
        auto it = j.find(key);
        if (it == j.end()) continue;
        if (!with_values) {
          return absl::InvalidArgumentError(StrCat("trigger.", key, ": only field_changed and stage_changed take one"));
        }
        ASSIGN_OR_RETURN(Value v, internal::ValueFromJson(StrCat("trigger.", key), *it));
        if (t.event == RuleEvent::kStageChanged && !v.is_null() && v.type() != Value::Type::kText) {
          return absl::InvalidArgumentError(StrCat("trigger.", key, ": a stage name must be text"));
        }
        (std::string_view(key) == "from" ? t.from : t.to) = std::move(v);
      }
      if (with_segment) {
        ASSIGN_OR_RETURN(t.segment, Text(j, "trigger.segment", true));
      } else if (j.contains("segment")) {
        return absl::InvalidArgumentError("trigger.segment: only segment_entered and segment_left name a segment");
      }
      break;
    }
    case RuleTriggerKind::kRelative: {
      RETURN_IF_ERROR(OnlyKeys(j, "trigger", {"type", "field", "days", "hours", "business_hours", "calendar"}));
      ASSIGN_OR_RETURN(t.field, Text(j, "trigger.field", true));
      int given = 0;
      for (auto [key, unit] : {std::pair{"days", RelativeUnit::kDays}, std::pair{"hours", RelativeUnit::kHours},
                               std::pair{"business_hours", RelativeUnit::kBusinessHours}}) {
        ASSIGN_OR_RETURN(std::optional<int64_t> n, Integer(j, key, StrCat("trigger.", key)));
        if (!n) continue;
        ++given;
        if (*n < 0 || *n > 100000) {
          return absl::InvalidArgumentError(StrCat("trigger.", key, ": must be between 0 and 100000"));
        }
        t.amount = *n;
        t.unit = unit;
      }
      if (given != 1) return absl::InvalidArgumentError("trigger: give exactly one of days, hours, business_hours");
      if (t.unit == RelativeUnit::kBusinessHours) {
        ASSIGN_OR_RETURN(t.calendar, Text(j, "trigger.calendar", true));
      } else if (j.contains("calendar")) {
        return absl::InvalidArgumentError("trigger.calendar: only business_hours use a calendar");
      }
      break;
    }
    case RuleTriggerKind::kAnnual: {
      RETURN_IF_ERROR(OnlyKeys(j, "trigger", {"type", "field", "at", "time_zone_field"}));
      ASSIGN_OR_RETURN(t.field, Text(j, "trigger.field", true));
      RETURN_IF_ERROR(ParseTimeOfDay(j, "trigger.at", t));
      if (j.contains("time_zone_field")) {
        ASSIGN_OR_RETURN(t.time_zone_field, Text(j, "trigger.time_zone_field", true));
      }
      break;
    }
    case RuleTriggerKind::kSchedule: {
      RETURN_IF_ERROR(OnlyKeys(j, "trigger", {"type", "every", "at", "weekday", "day"}));
      auto every = j.find("every");
      if (every == j.end()) return absl::InvalidArgumentError(StrCat("trigger.every: required (", Choices(kEvery), ")"));
      ASSIGN_OR_RETURN(int e, Lookup(kEvery, "trigger.every", "schedule", *every));
      t.every = static_cast<ScheduleEvery>(e);
      RETURN_IF_ERROR(ParseTimeOfDay(j, "trigger.at", t));
      auto wd = j.find("weekday");
      if (t.every == ScheduleEvery::kWeekly) {
        if (wd == j.end()) return absl::InvalidArgumentError("trigger.weekday: required for a weekly schedule");
        bool found = false;
        if (wd->is_string()) {
          for (int i = 0; i < 7; ++i) {
            if (wd->get<std::string>() == kWeekdays[i]) {
              t.weekday = i + 1;
              found = true;
            }
          }
        } else if (wd->is_number_integer() && wd->get<int64_t>() >= 1 && wd->get<int64_t>() <= 7) {
          t.weekday = static_cast<int>(wd->get<int64_t>());
          found = true;
        }
        if (!found) {
          return absl::InvalidArgumentError(
              StrCat("trigger.weekday: ", wd->dump(), " is not a weekday (monday ... sunday, or 1 ... 7)"));
        }
      } else if (wd != j.end()) {
        return absl::InvalidArgumentError("trigger.weekday: only weekly schedules take a weekday");
      }
      ASSIGN_OR_RETURN(std::optional<int64_t> day, Integer(j, "day", "trigger.day"));
      if (t.every == ScheduleEvery::kMonthly) {
        if (!day) return absl::InvalidArgumentError("trigger.day: required for a monthly schedule");
        if (*day < 1 || *day > 31) {
          return absl::InvalidArgumentError(StrCat("trigger.day: ", *day, " is not a day of the month (1 to 31)"));
        }
        t.day_of_month = static_cast<int>(*day);
      } else if (day) {
        return absl::InvalidArgumentError("trigger.day: only monthly schedules take a day");
      }
      break;
    }
  }
  return t;
}

absl::StatusOr<RuleAction> ParseAction(const json& j, const std::string& at) {
  if (!j.is_object()) return absl::InvalidArgumentError(StrCat(at, ": must be an object"));
  RuleAction a;
  auto type = j.find("type");
  if (type == j.end()) return absl::InvalidArgumentError(StrCat(at, ".type: required (", Choices(kActions), ")"));
  ASSIGN_OR_RETURN(int kind, Lookup(kActions, StrCat(at, ".type"), "action", *type));
  a.kind = static_cast<RuleActionKind>(kind);
  auto text = [&](const char* key, bool required) { return Text(j, StrCat(at, ".", key), required); };
  switch (a.kind) {
    case RuleActionKind::kAddTag:
    case RuleActionKind::kRemoveTag: {
      RETURN_IF_ERROR(OnlyKeys(j, at, {"type", "tag"}));
      ASSIGN_OR_RETURN(a.tag, text("tag", true));
      break;
    }
    case RuleActionKind::kSetField: {
      RETURN_IF_ERROR(OnlyKeys(j, at, {"type", "field", "value"}));
      ASSIGN_OR_RETURN(a.field, text("field", true));
      auto v = j.find("value");
      if (v == j.end()) return absl::InvalidArgumentError(StrCat(at, ".value: required (null clears the field)"));
      ASSIGN_OR_RETURN(a.value, internal::ValueFromJson(StrCat(at, ".value"), *v));
      break;
    }
    case RuleActionKind::kAddToList: {
      RETURN_IF_ERROR(OnlyKeys(j, at, {"type", "list"}));
      ASSIGN_OR_RETURN(a.list, text("list", true));
      break;
    }
    case RuleActionKind::kNotify: {
      RETURN_IF_ERROR(OnlyKeys(j, at, {"type", "channel", "recipient", "address", "subject", "body"}));
      ASSIGN_OR_RETURN(a.channel, text("channel", true));
      if (a.channel.empty() || a.channel.size() > 32) {
        return absl::InvalidArgumentError(StrCat(at, ".channel: must be 1 to 32 bytes (email, sms, wechat, webhook, other, ...)"));
      }
      ASSIGN_OR_RETURN(std::string recipient, text("recipient", false));
      if (!recipient.empty()) a.recipient = recipient;
      if (a.recipient != "customer" && a.recipient != "owner" && a.recipient != "literal") {
        return absl::InvalidArgumentError(
            StrCat(at, ".recipient: unknown recipient \"", a.recipient, "\" (expected customer, owner or literal)"));
      }
      ASSIGN_OR_RETURN(a.address, text("address", a.recipient == "literal"));
      if (a.recipient != "literal" && !a.address.empty()) {
        return absl::InvalidArgumentError(StrCat(at, ".address: only a literal recipient has an address"));
      }
      ASSIGN_OR_RETURN(a.subject, text("subject", false));
      ASSIGN_OR_RETURN(a.body, text("body", true));
      break;
    }
    case RuleActionKind::kCreateTask: {
      RETURN_IF_ERROR(
          OnlyKeys(j, at, {"type", "title", "due_in_hours", "remind_in_hours", "priority", "notes", "team"}));
      ASSIGN_OR_RETURN(a.title, text("title", true));
      for (const char* key : {"due_in_hours", "remind_in_hours"}) {
        ASSIGN_OR_RETURN(std::optional<int64_t> hours, Integer(j, key, StrCat(at, ".", key)));
        if (!hours) continue;
        if (*hours < 0 || *hours > 24 * 3660) {
          return absl::InvalidArgumentError(StrCat(at, ".", key, ": must be between 0 and 87840"));
        }
        if (std::string_view(key) == "due_in_hours") {
          a.due_in_hours = *hours;
        } else {
          a.remind_in_hours = *hours;
        }
      }
      ASSIGN_OR_RETURN(std::string priority, text("priority", false));
      if (!priority.empty()) {
        RETURN_IF_ERROR(ParseTaskPriority(priority, StrCat(at, ".priority")).status());
        a.priority = priority;
      }
      ASSIGN_OR_RETURN(a.notes, text("notes", false));
      ASSIGN_OR_RETURN(a.team, text("team", false));
      break;
    }
    case RuleActionKind::kMoveStage: {
      RETURN_IF_ERROR(OnlyKeys(j, at, {"type", "stage", "reason"}));
      ASSIGN_OR_RETURN(a.stage, text("stage", true));
      ASSIGN_OR_RETURN(a.reason, text("reason", false));
      break;
    }
    case RuleActionKind::kPlugin: {
      RETURN_IF_ERROR(OnlyKeys(j, at, {"type", "plugin", "params"}));
      ASSIGN_OR_RETURN(a.plugin, text("plugin", true));
      auto p = j.find("params");
      if (p != j.end()) {
        if (!p->is_object()) return absl::InvalidArgumentError(StrCat(at, ".params: must be an object"));
        a.params = internal::DumpJson(*p);
      }
      break;
    }
  }
  return a;
}

std::string TimeOfDay(const RuleTrigger& t) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", t.hour, t.minute);
  return buf;
}

json TriggerJson(const RuleTrigger& t) {
  json j = {{"type", NameOf(kTriggers, static_cast<int>(t.kind))}};
  switch (t.kind) {
    case RuleTriggerKind::kEvent:
      j["event"] = NameOf(kEvents, static_cast<int>(t.event));
      if (!t.field.empty()) j["field"] = t.field;
      if (t.from) j["from"] = internal::ValueToJson(*t.from);
      if (t.to) j["to"] = internal::ValueToJson(*t.to);
      if (!t.segment.empty()) j["segment"] = t.segment;
      break;
    case RuleTriggerKind::kRelative:
      j["field"] = t.field;
      j[t.unit == RelativeUnit::kDays ? "days" : t.unit == RelativeUnit::kHours ? "hours" : "business_hours"] = t.amount;
      if (!t.calendar.empty()) j["calendar"] = t.calendar;
      break;
    case RuleTriggerKind::kAnnual:
      j["field"] = t.field;
      j["at"] = TimeOfDay(t);
      j["time_zone_field"] = t.time_zone_field;
      break;
    case RuleTriggerKind::kSchedule:
      j["every"] = NameOf(kEvery, static_cast<int>(t.every));
      j["at"] = TimeOfDay(t);
      if (t.every == ScheduleEvery::kWeekly) j["weekday"] = kWeekdays[t.weekday - 1];
      if (t.every == ScheduleEvery::kMonthly) j["day"] = t.day_of_month;
      break;
  }
  return j;
}

json ActionJson(const RuleAction& a) {
  json j = {{"type", NameOf(kActions, static_cast<int>(a.kind))}};
  switch (a.kind) {
    case RuleActionKind::kAddTag:
    case RuleActionKind::kRemoveTag:
      j["tag"] = a.tag;
      break;
    case RuleActionKind::kSetField:
      j["field"] = a.field;
      j["value"] = internal::ValueToJson(a.value);
      break;
    case RuleActionKind::kAddToList:
      j["list"] = a.list;
      break;
    case RuleActionKind::kNotify:
      j["channel"] = a.channel;
      j["recipient"] = a.recipient;
      if (a.recipient == "literal") j["address"] = a.address;
      if (!a.subject.empty()) j["subject"] = a.subject;
      j["body"] = a.body;
      break;
    case RuleActionKind::kCreateTask:
      j["title"] = a.title;
      j["due_in_hours"] = a.due_in_hours;
      if (a.remind_in_hours) j["remind_in_hours"] = *a.remind_in_hours;
      j["priority"] = a.priority;
      if (!a.notes.empty()) j["notes"] = a.notes;
      if (!a.team.empty()) j["team"] = a.team;
      break;
    case RuleActionKind::kMoveStage:
      j["stage"] = a.stage;
      if (!a.reason.empty()) j["reason"] = a.reason;
      break;
    case RuleActionKind::kPlugin:
      j["plugin"] = a.plugin;
      j["params"] = json::parse(a.params, nullptr, false);
      if (j["params"].is_discarded()) j["params"] = json::object();
      break;
  }
  return j;
}

}  // namespace

absl::StatusOr<RuleDef> RuleDef::FromJson(std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return absl::InvalidArgumentError("rule: not valid JSON");
  if (!j.is_object()) return absl::InvalidArgumentError("rule: must be a JSON object");
  RETURN_IF_ERROR(OnlyKeys(j, "rule", {"name", "enabled", "description", "trigger", "condition", "actions",
                                       "limit_days", "retry"}));
  RuleDef def;
  ASSIGN_OR_RETURN(def.name, Text(j, "name", true));
  if (auto e = j.find("enabled"); e != j.end()) {
    if (!e->is_boolean()) return absl::InvalidArgumentError("enabled: must be true or false");
    def.enabled = e->get<bool>();
  }
  ASSIGN_OR_RETURN(def.description, Text(j, "description", false));
  auto trigger = j.find("trigger");
  if (trigger == j.end()) return absl::InvalidArgumentError("trigger: required");
  ASSIGN_OR_RETURN(def.trigger, ParseTrigger(*trigger));
  ASSIGN_OR_RETURN(def.condition, Text(j, "condition", false));
  auto actions = j.find("actions");
  if (actions == j.end() || !actions->is_array()) return absl::InvalidArgumentError("actions: required (a list)");
  for (size_t i = 0; i < actions->size(); ++i) {
    ASSIGN_OR_RETURN(RuleAction a, ParseAction((*actions)[i], StrCat("actions[", i, "]")));
    def.actions.push_back(std::move(a));
  }
  ASSIGN_OR_RETURN(std::optional<int64_t> limit, Integer(j, "limit_days", "limit_days"));
  if (limit) {
    if (*limit < 1 || *limit > 3660) return absl::InvalidArgumentError("limit_days: must be between 1 and 3660");
    def.limit_days = static_cast<int>(*limit);
  }
  if (auto r = j.find("retry"); r != j.end()) {
    if (!r->is_object()) return absl::InvalidArgumentError("retry: must be an object");
    RETURN_IF_ERROR(OnlyKeys(*r, "retry", {"max_attempts", "backoff_seconds"}));
    ASSIGN_OR_RETURN(std::optional<int64_t> max, Integer(*r, "max_attempts", "retry.max_attempts"));
    if (max) {
      if (*max < 1 || *max > 100) return absl::InvalidArgumentError("retry.max_attempts: must be between 1 and 100");
      def.retry.max_attempts = static_cast<int>(*max);
    }
    ASSIGN_OR_RETURN(std::optional<int64_t> backoff, Integer(*r, "backoff_seconds", "retry.backoff_seconds"));
    if (backoff) {
      if (*backoff < 0 || *backoff > 30 * 86400) {
        return absl::InvalidArgumentError("retry.backoff_seconds: must be between 0 and 2592000");
      }
      def.retry.backoff = absl::Seconds(*backoff);
    }
  }
  return def;
}

std::string RuleDef::ToJson() const {
  json j = {{"name", name}, {"enabled", enabled}};
  if (!description.empty()) j["description"] = description;
  j["trigger"] = TriggerJson(trigger);
  if (!condition.empty()) j["condition"] = condition;
  j["actions"] = json::array();
  for (const RuleAction& a : actions) j["actions"].push_back(ActionJson(a));
  if (limit_days) j["limit_days"] = *limit_days;
  j["retry"] = {{"max_attempts", retry.max_attempts}, {"backoff_seconds", absl::ToInt64Seconds(retry.backoff)}};
  return internal::DumpJson(j);
}

std::string_view ToString(RuleOutcomeStatus status) {
  switch (status) {
    case RuleOutcomeStatus::kFired: return "fired";
    case RuleOutcomeStatus::kRetrying: return "retrying";
    case RuleOutcomeStatus::kFailed: return "failed";
    case RuleOutcomeStatus::kSkipped: return "skipped";
  }
  return "?";
}

std::string_view ToString(OutboxStatus status) {
  switch (status) {
    case OutboxStatus::kPending: return "pending";
    case OutboxStatus::kClaimed: return "claimed";
    case OutboxStatus::kDelivered: return "delivered";
    case OutboxStatus::kFailed: return "failed";
  }
  return "?";
}

}  // namespace rapport
