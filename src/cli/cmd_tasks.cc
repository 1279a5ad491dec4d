// rapport tasks DB [--due|--overdue|--upcoming DAYS] | tasks add | tasks done | tasks cancel
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>

#include "absl/time/time.h"
#include "base/strings.h"
#include "base/time_format.h"
#include "cli/analytics_common.h"
#include "cli/command.h"
#include "cli/format.h"

namespace rapport::cli {
namespace {

constexpr char kName[] = "tasks";

const std::set<std::string>& ListOptions() {
  static const auto* s = new std::set<std::string>{"owner", "team", "due", "overdue", "upcoming", "as-of",
                                                    "zone", "json"};
  return *s;
}
const std::set<std::string>& AddOptions() {
  static const auto* s = new std::set<std::string>{"customer", "owner", "team", "due", "remind", "priority",
                                                    "notes", "json"};
  return *s;
}

std::string OptTime(const std::optional<absl::Time>& t) { return t ? internal::FormatTimestamp(*t) : ""; }

std::vector<std::string> Row(const Task& t) {
  return {std::to_string(ToInt(t.id)),
          OptTime(t.due),
          std::string(ToString(t.status)),
          std::string(ToString(t.priority)),
          t.owner ? std::to_string(ToInt(*t.owner)) : "",
          t.team,
          t.customer ? std::to_string(ToInt(*t.customer)) : "",
          t.title};
}

void PrintTasks(const std::vector<Task>& tasks, bool json) {
  if (json) {
    for (const Task& t : tasks) PrintLine(TaskToJson(t));
    return;
  }
  if (tasks.empty()) {
    std::printf("no tasks\n");
    return;
  }
  Table table({"id", "due", "status", "priority", "owner", "team", "customer", "title"});
  for (const Task& t : tasks) table.AddRow(Row(t));
  table.Print(stdout);
  std::printf("(%zu task%s)\n", tasks.size(), tasks.size() == 1 ? "" : "s");
}

// Parses a positive id option when given; a usage-error message on failure.
std::optional<std::string> IdOption(const ParsedArgs& args, std::string_view name, std::optional<int64_t>* out) {
  if (!args.Has(name)) return std::nullopt;
  int64_t v = 0;
  if (auto e = GetIntOption(args, name, 1, INT64_MAX, &v)) return e;
  *out = v;
  return std::nullopt;
}

int List(const ParsedArgs& args, const std::vector<std::string>& pos) {
  if (pos.size() != 1) return UsageError(kName, "unexpected argument '" + pos[1] + "'");
  const int lists = args.Has("due") + args.Has("overdue") + args.Has("upcoming");
  if (lists > 1) return UsageError(kName, "give at most one of --due, --overdue and --upcoming");
  std::optional<int64_t> owner;
  if (auto e = IdOption(args, "owner", &owner)) return UsageError(kName, *e);
  std::optional<absl::Time> as_of;
  if (auto e = TimeOption(args, "as-of", &as_of)) return UsageError(kName, *e);
  if (lists == 0 && (args.Has("as-of") || args.Has("zone"))) {
    return UsageError(kName, "--as-of and --zone apply to --due, --overdue and --upcoming");
  }
  auto db = OpenDatabase(pos[0]);
  if (!db.ok()) return Fail(db.status());
  absl::StatusOr<std::vector<Task>> tasks;
  if (lists == 0) {
    TaskQuery q;
    if (owner) q.owner = UserId{*owner};
    q.team = args.Get("team");
    q.statuses = {TaskStatus::kOpen};
    tasks = db->Tasks(q);
  } else {
    TaskListQuery q;
    q.kind = args.Has("due") ? TaskListKind::kDue : args.Has("overdue") ? TaskListKind::kOverdue : TaskListKind::kUpcoming;
    if (owner) q.owner = UserId{*owner};
    q.team = args.Get("team");
    q.as_of = as_of;
    if (auto zone = args.Get("zone"); zone && !absl::LoadTimeZone(*zone, &q.zone)) {
      return UsageError(kName, "--zone: unknown time zone '" + *zone + "'");
    }
    int64_t days = q.days;
    if (auto e = GetIntOption(args, "upcoming", 0, 3660, &days)) return UsageError(kName, *e);
    q.days = static_cast<int>(days);
    if (auto day = args.Get("due"); day && *day != "today") {
      if (args.Has("as-of")) return UsageError(kName, "--due DATE names the day: --as-of does not apply");
      auto civil = internal::ParseDate("--due", *day);
      if (!civil.ok()) return UsageError(kName, std::string(civil.status().message()) + " (or 'today')");
      q.as_of = absl::FromCivil(*civil, q.zone);
    }
    tasks = db->TaskList(q);
  }
  if (!tasks.ok()) return Fail(tasks.status());
  PrintTasks(*tasks, args.Has("json"));
  return kExitOk;
}

int Add(const ParsedArgs& args, const std::vector<std::string>& pos) {
  if (pos.size() != 2) return UsageError(kName, pos.size() < 2 ? "missing arguments (DB TITLE)" : "unexpected argument '" + pos[2] + "'");
  TaskDraft d;
  d.title = pos[1];
  std::optional<int64_t> customer, owner;
  if (auto e = IdOption(args, "customer", &customer)) return UsageError(kName, *e);
  if (auto e = IdOption(args, "owner", &owner)) return UsageError(kName, *e);
  if (customer) d.customer = CustomerId{*customer};
  if (owner) d.owner = UserId{*owner};
  d.team = args.Get("team").value_or("");
  if (auto e = TimeOption(args, "due", &d.due)) return UsageError(kName, *e);
  if (auto e = TimeOption(args, "remind", &d.remind_at)) return UsageError(kName, *e);
  if (auto p = args.Get("priority")) {
    auto priority = ParseTaskPriority(*p, "--priority");
    if (!priority.ok()) return UsageError(kName, std::string(priority.status().message()));
    d.priority = *priority;
  }
  d.notes = args.Get("notes").value_or("");
  auto db = OpenDatabase(pos[0]);
  if (!db.ok()) return Fail(db.status());
  auto task = db->CreateTask(d);
  if (!task.ok()) return Fail(task.status());
  PrintTasks({*task}, args.Has("json"));
  return kExitOk;
}

int Close(const ParsedArgs& args, const std::vector<std::string>& pos, bool done) {
  if (pos.size() != 2) return UsageError(kName, pos.size() < 2 ? "missing arguments (DB ID)" : "unexpected argument '" + pos[2] + "'");
  int64_t id = 0;
  if (!ParseInt64(pos[1], &id)) return UsageError(kName, "ID: '" + pos[1] + "' is not an integer");
  auto db = OpenDatabase(pos[0]);
  if (!db.ok()) return Fail(db.status());
  auto task = done ? db->CompleteTask(TaskId{id}) : db->CancelTask(TaskId{id});
  if (!task.ok()) return Fail(task.status());
  PrintTasks({*task}, args.Has("json"));
  return kExitOk;
}

int RunTasks(const ParsedArgs& args) {
  std::vector<std::string> pos = args.positionals;
  std::string sub;
  if (pos[0] == "add" || pos[0] == "done" || pos[0] == "cancel") {
    sub = pos[0];
    pos.erase(pos.begin());
  }
  const std::set<std::string>& allowed = sub.empty() ? ListOptions() : sub == "add" ? AddOptions()
                                                                                     : std::set<std::string>{"json"};
  for (const std::string& option : {"owner", "team", "due", "overdue", "upcoming", "as-of", "zone", "json",
                                    "customer", "remind", "priority", "notes"}) {
    if (args.Has(option) && !allowed.count(option)) {
      return UsageError(kName, "option '--" + option + "' does not apply to 'rapport tasks" +
                                   (sub.empty() ? "" : " " + sub) + "'");
    }
  }
  if (pos.empty()) return UsageError(kName, "missing arguments");
  if (sub.empty()) return List(args, pos);
  if (sub == "add") return Add(args, pos);
  return Close(args, pos, sub == "done");
}

}  // namespace

const Command& TasksCommand() {
  static const Command* command = new Command{
      .name = "tasks",
      .summary = "tasks and reminders: list, add, complete, cancel",
      .help =
          "Usage: rapport tasks DB [--due DAY | --overdue | --upcoming DAYS] [--owner ID] [--team T]\n"
          "                        [--as-of TIME] [--zone TZ] [--json]\n"
          "       rapport tasks add DB TITLE [--customer ID] [--owner ID] [--team T] [--due TIME]\n"
          "                        [--remind TIME] [--priority P] [--notes TEXT] [--json]\n"
          "       rapport tasks done DB ID [--json]\n"
          "       rapport tasks cancel DB ID [--json]\n"
          "\n"
          "Lists open tasks (by due time, those without one last) as a table of id, due, status,\n"
          "priority, owner, team, customer and title, or JSON lines. --due today: due on the day of\n"
          "--as-of in --zone (--due YYYY-MM-DD: on that day); --overdue: due before --as-of;\n"
          "--upcoming DAYS: due from --as-of to the end\n"
          "of the day DAYS days later (0: the rest of today). 'add' creates a task, 'done' and 'cancel'\n"
          "close one. (A database file named like a subcommand is given as ./NAME.)\n"
          "\n"
          "Options:\n"
          "  --owner ID        tasks of this user (add: the owner)\n"
          "  --team T          tasks of this team (add: the team)\n"
          "  --as-of TIME      RFC 3339 or YYYY-MM-DD (UTC); default: now\n"
          "  --zone TZ         an IANA time zone (e.g. Asia/Shanghai) for days; default UTC\n"
          "  --customer ID     the customer the task is about\n"
          "  --due DAY         (list) 'today' or YYYY-MM-DD: the tasks due that day\n"
          "  --due TIME        (add) the due time, RFC 3339 or YYYY-MM-DD (UTC)\n"
          "  --remind TIME     (add) when to remind the owner\n"
          "  --priority P      low, normal (default), high or urgent\n"
          "  --notes TEXT      free text\n"
          "  --json            JSON lines (docs/tasks.md, \"JSON form\")\n",
      .options = {{"owner", true, false},
                  {"team", true, false},
                  {"due", true, false},
                  {"overdue", false, false},
                  {"upcoming", true, false},
                  {"as-of", true, false},
                  {"zone", true, false},
                  {"json", false, false},
                  {"customer", true, false},
                  {"remind", true, false},
                  {"priority", true, false},
                  {"notes", true, false}},
      .min_positionals = 1,
      .max_positionals = 3,
      .run = RunTasks,
  };
  return *command;
}

}  // namespace rapport::cli
