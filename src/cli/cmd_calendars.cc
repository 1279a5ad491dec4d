// rapport calendars list|save|show|drop DB ... | add|between|next DB NAME ...: stored business calendars
// and their arithmetic.
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "absl/time/time.h"
#include "base/strings.h"
#include "base/time_format.h"
#include "cli/analytics_common.h"
#include "cli/command.h"
#include "cli/format.h"
#include "rapport/business_calendar.h"

namespace rapport::cli {
namespace {

constexpr char kName[] = "calendars";

// The required time option `name`; a usage-error message when it is absent or malformed.
std::optional<std::string> RequiredTime(const ParsedArgs& args, std::string_view name, absl::Time* out) {
  std::optional<absl::Time> t;
  if (auto e = TimeOption(args, name, &t)) return e;
  if (!t) return StrCat("--", name, " TIME is required (RFC 3339, e.g. 2026-09-30T14:00:00+08:00)");
  *out = *t;
  return std::nullopt;
}

int Save(const std::vector<std::string>& pos) {
  auto text = ReadTextFile(pos[2]);
  if (!text.ok()) return Fail(text.status());
  auto def = BusinessCalendarDefFromJson(*text);
  if (!def.ok()) return Fail(ErrorText(pos[2], def.status()));
  auto db = OpenDatabase(pos[0]);
  if (!db.ok()) return Fail(db.status());
  if (absl::Status s = db->SaveCalendar(pos[1], *def); !s.ok()) return Fail(ErrorText(pos[2], s));
  return kExitOk;
}

int List(Database& db) {
  auto calendars = db.Calendars();
  if (!calendars.ok()) return Fail(ErrorText("calendars", calendars.status()));
  for (const StoredCalendar& c : *calendars) {
    nlohmann::ordered_json j;
    j["name"] = c.name;
    j["time_zone"] = c.calendar.def().time_zone;
    j["weekly_hours"] = absl::ToDoubleHours(c.calendar.WeeklyWorkingTime());
    j["updated_at"] = internal::FormatTimestamp(c.updated_at);
    PrintLine(DumpJson(j));
  }
  return kExitOk;
}

int RunCalendars(const ParsedArgs& args) {
  std::vector<std::string> pos = args.positionals;
  const std::string sub = pos[0];
  pos.erase(pos.begin());
  const bool arithmetic = sub == "add" || sub == "between" || sub == "next";
  for (const char* option : {"from", "to", "at", "duration"}) {
    if (args.Has(option) && !arithmetic) {
      return UsageError(kName, StrCat("--", option, " applies to add, between and next only"));
    }
  }
  if (sub == "list") {
    if (pos.size() != 1) return UsageError(kName, PositionalsError(pos, 1));
    auto db = OpenDatabase(pos[0]);
    if (!db.ok()) return Fail(db.status());
    return List(*db);
  }
  if (sub == "save") {
    if (pos.size() != 3) return UsageError(kName, PositionalsError(pos, 3));
    return Save(pos);
  }
  if (sub != "show" && sub != "drop" && !arithmetic) {
    return UsageError(kName, "unknown subcommand '" + sub + "' (list, save, show, drop, add, between, next)");
  }
  if (pos.size() != 2) return UsageError(kName, PositionalsError(pos, 2));
  // Options are read before the database is opened: a usage error touches nothing.
  absl::Time from, to, at;
  int64_t duration = 0;
  std::optional<std::string> bad;
  if (sub == "add") {
    bad = RequiredTime(args, "from", &from);
    if (!bad) bad = DurationOption(args, "duration", &duration);
    if (!bad && duration == 0) bad = "--duration D is required (e.g. 8h, 90m, 2d)";
  } else if (sub == "between") {
    bad = RequiredTime(args, "from", &from);
    if (!bad) bad = RequiredTime(args, "to", &to);
  } else if (sub == "next") {
    bad = RequiredTime(args, "at", &at);
  }
  if (bad) return UsageError(kName, *bad);
  auto db = OpenDatabase(pos[0]);
  if (!db.ok()) return Fail(db.status());
  if (sub == "drop") {
    if (absl::Status s = db->DropCalendar(pos[1]); !s.ok()) return Fail(s);
    return kExitOk;
  }
  auto calendar = db->GetCalendar(pos[1]);
  if (!calendar.ok()) return Fail(calendar.status());
  if (sub == "show") {
    PrintLine(DumpJson(nlohmann::json::parse(calendar->ToJson()), 2));
    return kExitOk;
  }
  if (sub == "between") {
    auto d = calendar->BusinessTimeBetween(from, to);
    if (!d.ok()) return Fail(ErrorText("between", d.status()));
    PrintLine(absl::FormatDuration(*d));
    return kExitOk;
  }
  auto t = sub == "add" ? calendar->AddBusinessTime(from, absl::Microseconds(duration)) : calendar->NextWorkingInstant(at);
  if (!t.ok()) return Fail(ErrorText(sub, t.status()));
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(calendar->def().time_zone, &zone)) zone = absl::UTCTimeZone();
  PrintLine(StrCat(internal::FormatTimestamp(*t), "  (", absl::FormatTime("%Y-%m-%d %H:%M:%S %a ", *t, zone),
                   calendar->def().time_zone, ")"));
  return kExitOk;
}

}  // namespace

const Command& CalendarsCommand() {
  static const Command* command = new Command{
      .name = "calendars",
      .summary = "store business calendars and count working time with them",
      .help = "Usage: rapport calendars SUBCOMMAND DB [ARGS] [options]\n"
              "\n"
              "  rapport calendars list DB               every calendar, one JSON object per line\n"
              "  rapport calendars save DB NAME FILE     create or replace NAME from FILE (JSON, docs/calendars.md)\n"
              "  rapport calendars show DB NAME          the definition as JSON\n"
              "  rapport calendars drop DB NAME          delete it (refused while a rule uses it)\n"
              "  rapport calendars add DB NAME --from TIME --duration D\n"
              "                                          the instant D of working time after TIME\n"
              "  rapport calendars between DB NAME --from TIME --to TIME\n"
              "                                          working time between two instants\n"
              "  rapport calendars next DB NAME --at TIME\n"
              "                                          TIME if it is working time, else the next start\n"
              "\n"
              "TIME is RFC 3339 (2026-09-30T14:00:00+08:00) or a date; D is a positive whole number and a unit\n"
              "(s, m, h, d or w), e.g. 8h or 90m.\n"
              "\n"
              "Example:\n"
              "  rapport calendars save crm.db office office.json\n"
              "  rapport calendars add crm.db office --from 2026-09-30T14:00:00+08:00 --duration 8h\n",
      .options = {{"from", true, false}, {"to", true, false}, {"at", true, false}, {"duration", true, false}},
      .min_positionals = 2,
      .max_positionals = 4,
      .run = RunCalendars,
  };
  return *command;
}

}  // namespace rapport::cli
