// Rule definitions: the JSON form, and what saving checks (with nothing stored on failure).
#include "rules/rules_test_util.h"

namespace rapport {
namespace {

using testing::MustRule;
using testing::TestDb;

constexpr char kWelcome[] = R"({"name": "welcome", "trigger": {"type": "event", "event": "customer_created"},
  "actions": [{"type": "notify", "channel": "email", "subject": "Welcome", "body": "Hello {{name}}"}]})";

// Saving `json` fails with `code` and exactly `message`, and leaves the database as it was.
void ExpectRejected(Database& db, std::string_view json, absl::StatusCode code, std::string_view message) {
  const int64_t seq = db.LastChangeSeq();
  absl::Status status;
  auto def = RuleDef::FromJson(json);
  if (!def.ok()) {
    status = def.status();
  } else {
    status = db.SaveRule(*def).status();
  }
  EXPECT_EQ(status.code(), code) << status;
  EXPECT_EQ(std::string(status.message()), std::string(message));
  EXPECT_EQ(db.LastChangeSeq(), seq);
  auto rules = db.Rules();
  ASSERT_TRUE(rules.ok());
  EXPECT_TRUE(rules->empty());
}

std::string WithTrigger(std::string_view trigger) {
  return StrCat(R"({"name": "r", "trigger": )", trigger, R"(, "actions": [{"type": "add_tag", "tag": "x"}]})");
}
std::string WithAction(std::string_view action) {
  return StrCat(R"({"name": "r", "trigger": {"type": "event", "event": "customer_created"}, "actions": [)", action, "]}");
}
std::string WithCondition(std::string_view condition) {
  return StrCat(R"({"name": "r", "trigger": {"type": "event", "event": "customer_created"}, "condition": ")", condition,
                R"(", "actions": [{"type": "add_tag", "tag": "x"}]})");
}

TEST(RuleDefinition, JsonRoundTripsToTheCanonicalForm) {
  RuleDef def = MustRule(R"({"name": "monthly", "trigger": {"type": "schedule", "every": "monthly", "day": 31, "at": "08:30"},
    "condition": "frequency >= 2", "limit_days": 30, "retry": {"max_attempts": 5, "backoff_seconds": 60},
    "actions": [{"type": "set_field", "field": "region", "value": "east"}, {"type": "plugin", "plugin": "p", "params": {"a": 1}}]})");
  EXPECT_EQ(def.trigger.kind, RuleTriggerKind::kSchedule);
  EXPECT_EQ(def.trigger.day_of_month, 31);
  EXPECT_EQ(def.trigger.hour, 8);
  EXPECT_EQ(def.trigger.minute, 30);
  EXPECT_EQ(def.limit_days, 30);
  EXPECT_EQ(def.retry.max_attempts, 5);
  EXPECT_EQ(def.retry.backoff, absl::Seconds(60));
  EXPECT_EQ(def.ToJson(),
            R"({"actions":[{"field":"region","type":"set_field","value":"east"},{"params":{"a":1},"plugin":"p","type":"plugin"}],)"
            R"("condition":"frequency >= 2","enabled":true,"limit_days":30,"name":"monthly",)"
            R"("retry":{"backoff_seconds":60,"max_attempts":5},"trigger":{"at":"08:30","day":31,"every":"monthly","type":"schedule"}})");
  auto again = RuleDef::FromJson(def.ToJson());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->ToJson(), def.ToJson());
}

TEST(RuleDefinition, SaveGetListReplaceDropAndTheChangeFeed) {
  TestDb t;
  ASSERT_OK_AND_ASSIGN(rule, t.db.SaveRule(MustRule(kWelcome)));
  EXPECT_GT(rule.id, 0);
  ASSERT_OK_AND_ASSIGN(got, t.db.GetRule("welcome"));
  EXPECT_EQ(got.def.ToJson(), MustRule(kWelcome).ToJson());
  RuleDef changed = MustRule(kWelcome);
  changed.description = "v2";
  ASSERT_OK_AND_ASSIGN(replaced, t.db.SaveRule(changed));
  EXPECT_EQ(replaced.id, rule.id);
  ASSERT_OK_AND_ASSIGN(changes, t.db.Changes());
  ASSERT_GE(changes.size(), 2u);
  EXPECT_EQ(changes[changes.size() - 2].entity, "rule");
  EXPECT_EQ(changes[changes.size() - 2].op, "create");
  EXPECT_EQ(changes.back().op, "update");
  ASSERT_OK(t.db.EnableRule("welcome", false));
  ASSERT_OK_AND_ASSIGN(disabled, t.db.GetRule("welcome"));
  EXPECT_FALSE(disabled.def.enabled);
  ASSERT_OK(t.db.DropRule("welcome"));
  EXPECT_ERROR(t.db.GetRule("welcome"), absl::StatusCode::kNotFound, "rule \"welcome\": not found");
  EXPECT_ERROR(t.db.DropRule("welcome"), absl::StatusCode::kNotFound, "rule \"welcome\": not found");
}

TEST(RuleDefinition, BadConditionsAreRejectedWithTheParsersMessage) {
  TestDb t;
  auto unknown = SegmentExpr::Parse("shoe_size > 3");
  ASSERT_TRUE(unknown.ok());
  ExpectRejected(t.db, WithCondition("shoe_size > 3"), absl::StatusCode::kInvalidArgument,
                 StrCat("condition: ", CheckSegment(*unknown, {{"name", ColumnType::kText}}).message()));
  const absl::Status malformed = SegmentExpr::Parse("frequency >= ").status();
  ASSERT_FALSE(malformed.ok());
  ExpectRejected(t.db, WithCondition("frequency >= "), absl::StatusCode::kInvalidArgument,
                 StrCat("condition: ", malformed.message()));
  ExpectRejected(t.db, WithCondition("in_segment('nope')"), absl::StatusCode::kInvalidArgument,
                 "condition: in_segment: no saved segment named \"nope\"");
}

TEST(RuleDefinition, ImpossibleSchedulesAndUnknownKindsAreRejected) {
  TestDb t;
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  ExpectRejected(t.db, WithTrigger(R"({"type": "schedule", "every": "monthly", "day": 0})"), kInvalid,
                 "trigger.day: 0 is not a day of the month (1 to 31)");
  ExpectRejected(t.db, WithTrigger(R"({"type": "schedule", "every": "monthly", "day": 32})"), kInvalid,
                 "trigger.day: 32 is not a day of the month (1 to 31)");
  ExpectRejected(t.db, WithTrigger(R"({"type": "schedule", "every": "daily", "at": "25:00"})"), kInvalid,
                 "trigger.at: \"25:00\" is not a time of day (HH:MM, 00:00 to 23:59)");
  ExpectRejected(t.db, WithTrigger(R"({"type": "schedule", "every": "weekly", "weekday": "funday"})"), kInvalid,
                 "trigger.weekday: \"funday\" is not a weekday (monday ... sunday, or 1 ... 7)");
  ExpectRejected(t.db, WithTrigger(R"({"type": "schedule", "every": "hourly"})"), kInvalid,
                 "trigger.every: unknown schedule \"hourly\" (expected daily, weekly or monthly)");
  ExpectRejected(t.db, WithTrigger(R"({"type": "sometimes"})"), kInvalid,
                 "trigger.type: unknown trigger type \"sometimes\" (expected event, relative, annual or schedule)");
  ExpectRejected(t.db, WithTrigger(R"({"type": "event", "event": "customer_exploded"})"), kInvalid,
                 "trigger.event: unknown event \"customer_exploded\" (expected customer_created, customer_updated, "
                 "field_changed, stage_changed, order_created, segment_entered or segment_left)");
  ExpectRejected(t.db, WithAction(R"({"type": "explode"})"), kInvalid,
                 "actions[0].type: unknown action \"explode\" (expected add_tag, remove_tag, set_field, add_to_list, "
                 "notify, create_task, move_stage or plugin)");
  ExpectRejected(t.db, WithTrigger(R"({"type": "relative", "field": "last_order_at"})"), kInvalid,
                 "trigger: give exactly one of days, hours, business_hours");
}

TEST(RuleDefinition, NamesAreCheckedAgainstTheDatabase) {
  TestDb t;
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  ASSERT_OK(t.db.SaveSegment({.name = "big", .expression = "frequency > 3"}));
  ExpectRejected(t.db, WithTrigger(R"({"type": "relative", "field": "shoe_size", "days": 3})"), kInvalid,
                 "trigger.field: unknown field \"shoe_size\"");
  ExpectRejected(t.db, WithTrigger(R"({"type": "relative", "field": "region", "days": 3})"), kInvalid,
                 "trigger.field: \"region\" is not a date or time field");
  ExpectRejected(t.db, WithTrigger(R"({"type": "annual", "field": "created_at"})"), kInvalid,
                 "trigger.field: \"created_at\" is not a date field");
  ExpectRejected(t.db, WithTrigger(R"({"type": "event", "event": "field_changed", "field": "shoe_size"})"), kInvalid,
                 "trigger.field: unknown field \"shoe_size\"");
  ExpectRejected(t.db, WithTrigger(R"({"type": "event", "event": "segment_entered", "segment": "nope"})"), kInvalid,
                 "trigger.segment: no saved segment named \"nope\"");
  ExpectRejected(t.db, WithAction(R"({"type": "set_field", "field": "shoe_size", "value": 3})"), kInvalid,
                 "actions[0].field: unknown field \"shoe_size\"");
  ExpectRejected(t.db, WithAction(R"({"type": "set_field", "field": "name", "value": null})"), kInvalid,
                 "actions[0].value: name is required; it cannot be cleared");
  ExpectRejected(t.db, WithAction(R"({"type": "add_to_list", "list": "nope"})"), kInvalid,
                 "actions[0].list: no saved segment named \"nope\"");
  ExpectRejected(t.db, WithAction(R"({"type": "add_to_list", "list": "big"})"), kInvalid,
                 "actions[0].list: \"big\" is a dynamic segment; add_to_list needs a static list");
  ExpectRejected(t.db, WithAction(R"({"type": "notify", "channel": "sms", "body": "Hi {{nickname}}"})"), kInvalid,
                 "actions[0].body: unknown field \"nickname\" in {{nickname}}");
  ExpectRejected(t.db, WithAction(R"({"type": "plugin", "plugin": "crm.sync"})"), kInvalid,
                 "actions[0].plugin: no plugin action named \"crm.sync\" is registered");
  ExpectRejected(t.db, WithAction(R"({"type": "notify", "channel": "sms", "recipient": "boss", "body": "x"})"), kInvalid,
                 "actions[0].recipient: unknown recipient \"boss\" (expected customer, owner or literal)");
  ExpectRejected(t.db, R"({"name": "r", "trigger": {"type": "event", "event": "customer_created"}, "actions": []})",
                 kInvalid, "actions: a rule needs at least one action");
  ExpectRejected(t.db, R"({"name": "no spaces", "trigger": {"type": "event", "event": "customer_created"},
                 "actions": [{"type": "add_tag", "tag": "x"}]})",
                 kInvalid, "name: must be 1 to 59 characters of A-Z, a-z, 0-9, '_', '.' and '-'");
  ExpectRejected(t.db, WithTrigger(R"({"type": "relative", "field": "created_at", "business_hours": 4, "calendar": "cn"})"),
                 kInvalid, "trigger.calendar: no business calendar named \"cn\"");
  ExpectRejected(t.db, WithAction(R"({"type": "create_task", "title": "x", "priority": "asap"})"), kInvalid,
                 "actions[0].priority: \"asap\" is not one of low, normal, high, urgent");
  ExpectRejected(t.db, WithAction(R"({"type": "create_task", "title": "x", "remind_in_hours": -1})"), kInvalid,
                 "actions[0].remind_in_hours: must be between 0 and 87840");
  ExpectRejected(t.db, WithAction(R"({"type": "create_task", "title": "Call {{nickname}}"})"), kInvalid,
                 "actions[0].title: unknown field \"nickname\" in {{nickname}}");
}

TEST(RuleDefinition, TenantTimeZoneDefaultsToUtcAndIsValidated) {
  TestDb t;
  ASSERT_OK_AND_ASSIGN(zone, t.db.TimeZone());
  EXPECT_EQ(zone, "UTC");
  EXPECT_ERROR(t.db.SetTimeZone("Mars/Olympus"), absl::StatusCode::kInvalidArgument,
               "time_zone: unknown time zone \"Mars/Olympus\"");
  ASSERT_OK(t.db.SetTimeZone("Asia/Shanghai"));
  ASSERT_OK_AND_ASSIGN(set, t.db.TimeZone());
  EXPECT_EQ(set, "Asia/Shanghai");
}

}  // namespace
}  // namespace rapport
