// rapport tick DB --now TIME | rules list|save|show|drop|enable|disable|outcomes|runs | outbox [claim|ack|fail]
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "base/time_format.h"
#include "cli/command.h"
#include "cli/format.h"

namespace rapport::cli {
namespace {

// Prints a JSON array document one element per line.
void PrintJsonLines(const std::string& array_json) {
  for (const auto& item : nlohmann::json::parse(array_json)) PrintLine(DumpJson(item));
  std::fflush(stdout);
}

int RunTick(const ParsedArgs& args) {
  const std::optional<std::string> now_text = args.Get("now");
  if (!now_text) return UsageError("tick", "--now TIME is required (RFC 3339, e.g. 2025-03-01T09:00:00Z)");
  auto now = internal::ParseTimestamp("--now", *now_text);
  if (!now.ok()) return UsageError("tick", std::string(now.status().message()));
  auto db = OpenDatabase(args.positionals[0]);
  if (!db.ok()) return Fail(db.status());
  auto report = db->Tick(*now);
  if (!report.ok()) return Fail(ErrorText("tick", report.status()));
  PrintLine(DumpJson(nlohmann::json::parse(report->ToJson()), 2));
  return kExitOk;
}

int RunRules(const ParsedArgs& args) {
  std::vector<std::string> pos = args.positionals;
  const std::string sub = pos[0];
  pos.erase(pos.begin());
  const bool query_options = args.Has("rule") || args.Has("customer") || args.Has("status") || args.Has("limit");
  if (query_options && sub != "outcomes") {
    return UsageError("rules", "--rule, --customer, --status and --limit apply to 'rules outcomes' only");
  }
  auto open = [&]() { return OpenDatabase(pos[0]); };
  if (sub == "list" || sub == "runs") {
    if (pos.size() != 1) return UsageError("rules", PositionalsError(pos, 1));
    auto db = open();
    if (!db.ok()) return Fail(db.status());
    if (sub == "runs") {
      auto runs = db->RuleRuns(100);
      if (!runs.ok()) return Fail(ErrorText("runs", runs.status()));
      PrintJsonLines(RunsToJson(*runs));
      return kExitOk;
    }
    auto rules = db->Rules();
    if (!rules.ok()) return Fail(ErrorText("rules", rules.status()));
    PrintJsonLines(RulesToJson(*rules));
    return kExitOk;
  }
  if (sub == "save") {
    if (pos.size() != 2) return UsageError("rules", PositionalsError(pos, 2));
    auto text = ReadTextFile(pos[1]);
    if (!text.ok()) return Fail(text.status());
    auto def = RuleDef::FromJson(*text);
    if (!def.ok()) return Fail(ErrorText(pos[1], def.status()));
    auto db = open();
    if (!db.ok()) return Fail(db.status());
    auto rule = db->SaveRule(*def);
    if (!rule.ok()) return Fail(ErrorText(pos[1], rule.status()));
    PrintLine(DumpJson(nlohmann::json::parse(RulesToJson({*rule}))[0]));
    return kExitOk;
  }
  if (sub == "show" || sub == "drop" || sub == "enable" || sub == "disable") {
    if (pos.size() != 2) return UsageError("rules", PositionalsError(pos, 2));
    auto db = open();
    if (!db.ok()) return Fail(db.status());
    if (sub == "show") {
      auto rule = db->GetRule(pos[1]);
      if (!rule.ok()) return Fail(rule.status());
      PrintLine(DumpJson(nlohmann::json::parse(RulesToJson({*rule}))[0], 2));
      return kExitOk;
    }
    absl::Status s = sub == "drop" ? db->DropRule(pos[1]) : db->EnableRule(pos[1], sub == "enable");
    if (!s.ok()) return Fail(s);
    return kExitOk;
  }
  if (sub == "outcomes") {
    if (pos.size() != 1) return UsageError("rules", PositionalsError(pos, 1));
    RuleOutcomeQuery q;
    if (auto r = args.Get("rule")) q.rule = *r;
    int64_t customer = 0, limit = q.limit;
    if (auto e = GetIntOption(args, "customer", 1, INT64_MAX, &customer)) return UsageError("rules", *e);
    if (customer > 0) q.customer = CustomerId{customer};
    if (auto e = GetIntOption(args, "limit", 1, 1000000, &limit)) return UsageError("rules", *e);
    q.limit = static_cast<int>(limit);
    if (auto s = args.Get("status")) {
      bool known = false;
      for (auto st : {RuleOutcomeStatus::kFired, RuleOutcomeStatus::kRetrying, RuleOutcomeStatus::kFailed,
                      RuleOutcomeStatus::kSkipped}) {
        if (*s == ToString(st)) {
          q.status = st;
          known = true;
        }
      }
      if (!known) return UsageError("rules", "--status is fired, retrying, failed or skipped");
    }
    auto db = open();
    if (!db.ok()) return Fail(db.status());
    auto outcomes = db->RuleOutcomes(q);
    if (!outcomes.ok()) return Fail(ErrorText("outcomes", outcomes.status()));
    PrintJsonLines(OutcomesToJson(*outcomes));
    return kExitOk;
  }
  return UsageError("rules", "unknown subcommand '" + sub + "' (list, save, show, drop, enable, disable, outcomes, runs)");
}

int RunOutbox(const ParsedArgs& args) {
  std::vector<std::string> pos = args.positionals;
  std::string sub = "list";
  if (pos[0] == "claim" || pos[0] == "ack" || pos[0] == "fail" || pos[0] == "list") {
    sub = pos[0];
    pos.erase(pos.begin());
  }
  if (pos.empty()) return UsageError("outbox", "missing arguments");
  if (args.Has("status") && sub != "list") return UsageError("outbox", "--status applies to listing only");
  if ((args.Has("error") || args.Has("no-retry")) && sub != "fail") {
    return UsageError("outbox", "--error and --no-retry apply to 'outbox fail' only");
  }
  int64_t limit = sub == "claim" ? 100 : 1000;
  if (auto e = GetIntOption(args, "limit", 1, 1000000, &limit)) return UsageError("outbox", *e);
  std::vector<int64_t> ids;
  for (size_t i = 1; i < pos.size(); ++i) {
    int64_t id = 0;
    if (!ParseInt64(pos[i], &id) || id <= 0) return UsageError("outbox", "'" + pos[i] + "' is not a message id");
    ids.push_back(id);
  }
  if ((sub == "list" || sub == "claim") && !ids.empty()) return UsageError("outbox", PositionalsError(pos, 1));
  if (sub == "ack" && ids.empty()) return UsageError("outbox", "ack needs message ids");
  if (sub == "fail" && ids.size() != 1) return UsageError("outbox", "fail takes one message id");
  if (sub == "fail" && !args.Has("error")) return UsageError("outbox", "fail needs --error TEXT");
  auto db = OpenDatabase(pos[0]);
  if (!db.ok()) return Fail(db.status());
  if (sub == "ack") {
    if (auto s = db->AckOutbox(ids); !s.ok()) return Fail(s);
    return kExitOk;
  }
  if (sub == "fail") {
    if (auto s = db->FailOutbox(ids[0], *args.Get("error"), !args.Has("no-retry")); !s.ok()) return Fail(s);
    return kExitOk;
  }
  absl::StatusOr<std::vector<OutboxMessage>> messages;
  if (sub == "claim") {
    messages = db->ClaimOutbox(static_cast<int>(limit));
  } else {
    OutboxQuery q;
    q.limit = static_cast<int>(limit);
    if (auto s = args.Get("status")) {
      for (auto st : {OutboxStatus::kPending, OutboxStatus::kClaimed, OutboxStatus::kDelivered, OutboxStatus::kFailed})
        if (*s == ToString(st)) q.status = st;
      if (!q.status) return UsageError("outbox", "--status is pending, claimed, delivered or failed");
    }
    messages = db->Outbox(q);
  }
  if (!messages.ok()) return Fail(ErrorText("outbox", messages.status()));
  PrintJsonLines(OutboxToJson(*messages));
  return kExitOk;
}

}  // namespace

const Command& TickCommand() {
  static const Command* command = new Command{
      .name = "tick",
      .summary = "run the automation rules as of a time and print what they did",
      .help = "Usage: rapport tick DB --now TIME\n"
              "\n"
              "One deterministic pass of the automation engine as of TIME (RFC 3339; never before the last\n"
              "tick's): events since the last tick, time triggers and schedules that fell due, retries.\n"
              "Prints the report as JSON (docs/rules.md).\n"
              "\n"
              "Example:\n"
              "  rapport tick crm.db --now 2025-03-01T09:00:00Z\n",
      .options = {{"now", true, false}},
      .min_positionals = 1,
      .max_positionals = 1,
      .run = RunTick,
  };
  return *command;
}

const Command& RulesCommand() {
  static const Command* command = new Command{
      .name = "rules",
      .summary = "list, save, show, drop automation rules; their outcomes and runs",
      .help = "Usage: rapport rules SUBCOMMAND DB [ARGS] [options]\n"
              "\n"
              "  rapport rules list DB              every rule, one JSON object per line\n"
              "  rapport rules save DB FILE         create or replace the rule in FILE (JSON, docs/rules.md)\n"
              "  rapport rules show DB NAME         one rule as JSON\n"
              "  rapport rules drop DB NAME         delete a rule and its ledger\n"
              "  rapport rules enable|disable DB NAME\n"
              "  rapport rules outcomes DB          what fired, for whom, why (JSON lines)\n"
              "      --rule NAME  --customer ID  --status fired|retrying|failed|skipped  --limit N\n"
              "  rapport rules runs DB              the last ticks, newest first\n",
      .options = {{"rule", true, false}, {"customer", true, false}, {"status", true, false}, {"limit", true, false}},
      .min_positionals = 2,
      .max_positionals = 3,
      .run = RunRules,
  };
  return *command;
}

const Command& OutboxCommand() {
  static const Command* command = new Command{
      .name = "outbox",
      .summary = "list and drain the messages rules wrote",
      .help = "Usage: rapport outbox [list|claim|ack|fail] DB [IDS] [options]\n"
              "\n"
              "  rapport outbox DB [--status S] [--limit N]   messages as JSON lines (S: pending, claimed,\n"
              "                                               delivered, failed)\n"
              "  rapport outbox claim DB [--limit N]          take pending messages (they become claimed)\n"
              "  rapport outbox ack DB ID...                  claimed messages were delivered\n"
              "  rapport outbox fail DB ID --error TEXT [--no-retry]\n"
              "                                               not delivered: back to pending, or failed\n",
      .options = {{"status", true, false}, {"limit", true, false}, {"error", true, false}, {"no-retry", false, false}},
      .min_positionals = 1,
      .max_positionals = 64,
      .run = RunOutbox,
  };
  return *command;
}

}  // namespace rapport::cli
