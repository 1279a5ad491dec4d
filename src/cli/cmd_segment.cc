// rapport segment DB EXPR | segment --sql | segment save | refresh | list | members | add | remove | drop
#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/time_format.h"
#include "cli/command.h"
#include "cli/analytics_common.h"
#include "cli/format.h"
#include "model/analytics_json.h"

namespace rapport::cli {
namespace {

constexpr char kName[] = "segment";


// The subcommands and the options each accepts (the command's spec lists their union).
const std::map<std::string, std::set<std::string>, std::less<>>& Subcommands() {
  static const auto* subs = new std::map<std::string, std::set<std::string>, std::less<>>{
      {"", {"as-of", "csv", "json", "sql", "currency", "status"}},
      {"save", {"static", "suppression", "expr", "description", "json", "currency", "status"}},
      {"refresh", {"as-of", "json"}},
      {"list", {"json"}},
      {"members", {"as-of", "csv", "json"}},
      {"add", {}},
      {"remove", {}},
      {"drop", {}},
  };
  return *subs;
}

// Every option the command knows, for checking which were given.
const std::vector<std::string>& AllOptions() {
  static const auto* all =
      new std::vector<std::string>{"as-of",  "csv",    "json",        "sql",  "currency",
                                   "status", "static", "suppression", "expr", "description"};
  return *all;
}

std::string Time(absl::Time t) { return internal::FormatTimestamp(t); }



nlohmann::ordered_json DeltaToJson(const SegmentDelta& d) {
  auto ids = [](const std::vector<CustomerId>& v) {
    nlohmann::ordered_json a = nlohmann::ordered_json::array();
    for (CustomerId id : v) a.push_back(ToInt(id));
    return a;
  };
  nlohmann::ordered_json j;
  j["name"] = d.name;
  j["as_of"] = Time(d.as_of);
  j["entered"] = ids(d.entered);
  j["left"] = ids(d.left);
  j["members"] = d.members;
  return j;
}

std::vector<std::string> SummaryRow(const Customer& c) {
  return {std::to_string(ToInt(c.id)), c.name, std::string(ToString(c.kind)), PrimaryContact(c, ContactKind::kEmail),
          PrimaryContact(c, ContactKind::kPhone), absl::StrJoin(c.tags, ",")};
}

// Prints customers by id as a table, CSV or JSON lines (the forms of `rapport search`).
int PrintCustomers(const Database& db, const std::vector<CustomerId>& ids, const ParsedArgs& args) {
  const bool json = args.Has("json"), csv = args.Has("csv");
  const std::vector<std::string> header = {"id", "name", "kind", "email", "phone", "tags"};
  Table table(header);
  if (csv) PrintLine(CsvLine(header));
  for (CustomerId id : ids) {
    auto c = db.GetCustomer(id, /*include_deleted=*/true);
    if (absl::IsNotFound(c.status())) {  // purged since
      if (json) {
        PrintLine(DumpJson(nlohmann::ordered_json{{"id", ToInt(id)}}));
      } else {
        std::vector<std::string> row = {std::to_string(ToInt(id))};
        row.resize(header.size());
        if (csv) PrintLine(CsvLine(row)); else table.AddRow(row);
      }
      continue;
    }
    if (!c.ok()) return Fail(ErrorText("customer " + std::to_string(ToInt(id)), c.status()));
    if (json) {
      PrintLine(DumpJson(CustomerToJsonObject(*c)));
    } else if (csv) {
      PrintLine(CsvLine(SummaryRow(*c)));
    } else {
      table.AddRow(SummaryRow(*c));
    }
  }
  if (!json && !csv) {
    if (ids.empty()) {
      std::printf("no customers found\n");
    } else {
      table.Print(stdout);
      std::printf("(%zu customer%s)\n", ids.size(), ids.size() == 1 ? "" : "s");
    }
  }
  return kExitOk;
}

// Parses --as-of when given; a usage error message on failure.
std::optional<std::string> AsOf(const ParsedArgs& args, std::optional<absl::Time>* out) {
  std::optional<std::string> text = args.Get("as-of");
  if (!text) return std::nullopt;
  auto t = internal::ParseTimestamp("--as-of", *text);
  if (!t.ok()) return std::string(t.status().message()) + " (use RFC 3339, e.g. 2025-01-31T08:00:00Z, or a date)";
  *out = *t;
  return std::nullopt;
}

int Evaluate(const ParsedArgs& args, const std::vector<std::string>& pos) {
  if (pos.size() != 2) return UsageError(kName, pos.size() < 2 ? "missing arguments" : "unexpected argument '" + pos[2] + "'");
  if (args.Has("json") && args.Has("csv")) return UsageError(kName, "give at most one of --json and --csv");
  if (args.Has("sql") && args.Has("csv")) return UsageError(kName, "--sql prints SQL: --csv does not apply");
  SegmentOptions options;
  if (auto e = AsOf(args, &options.as_of)) return UsageError(kName, *e);
  if (auto v = args.Get("currency")) options.frame.currency = *v;
  if (args.Has("status")) options.frame.order_statuses = args.GetAll("status");
  auto db = OpenDatabase(pos[0]);
  if (!db.ok()) return Fail(db.status());
  auto expr = SegmentExpr::Parse(pos[1]);
  if (!expr.ok()) return Fail(expr.status());
  if (args.Has("sql")) {
    auto query = db->SegmentSql(*expr, options);
    if (!query.ok()) return Fail(query.status());
    std::vector<std::string> params;
    for (const Value& v : query->params) params.push_back(v.ToJson());
    const std::string params_json = "[" + absl::StrJoin(params, ",") + "]";
    if (args.Has("json")) {
      PrintLine("{\"sql\":" + DumpJson(nlohmann::json(query->sql)) + ",\"params\":" + params_json + "}");
    } else {
      PrintLine(query->sql);
      PrintLine("-- params: " + params_json);
    }
    return kExitOk;
  }
  auto ids = db->Segment(*expr, options);
  if (!ids.ok()) return Fail(ids.status());
  return PrintCustomers(*db, *ids, args);
}

int Save(const ParsedArgs& args, const std::vector<std::string>& pos) {
  if (pos.size() != 2) return UsageError(kName, pos.size() < 2 ? "missing arguments" : "unexpected argument '" + pos[2] + "'");
  if (args.Has("static") && args.Has("suppression")) {
    return UsageError(kName, "give at most one of --static and --suppression");
  }
  SegmentDef def;
  def.name = pos[1];
  def.kind = args.Has("static") ? SegmentKind::kStatic
             : args.Has("suppression") ? SegmentKind::kSuppression
                                       : SegmentKind::kDynamic;
  const std::optional<std::string> expr = args.Get("expr");
  if (def.kind == SegmentKind::kDynamic && !expr) return UsageError(kName, "a dynamic segment needs --expr EXPR");
  if (def.kind != SegmentKind::kDynamic && expr) {
    return UsageError(kName, "--expr is for dynamic segments; a list's members are added with 'segment add'");
  }
  def.expression = expr.value_or("");
  def.description = args.Get("description").value_or("");
  if (args.Has("currency") || args.Has("status")) {
    if (def.kind != SegmentKind::kDynamic) return UsageError(kName, "--currency and --status are for dynamic segments");
    def.frame = OrderScope(args);
  }
  auto db = OpenDatabase(pos[0]);
  if (!db.ok()) return Fail(db.status());
  auto saved = db->SaveSegment(def);
  if (!saved.ok()) return Fail(saved.status());
  if (args.Has("json")) {
    PrintLine(DumpJson(internal::SavedSegmentJson(*saved)));
  } else {
    std::printf("saved %s segment \"%s\" (id %lld)%s%s\n", std::string(ToString(saved->kind)).c_str(),
                saved->name.c_str(), static_cast<long long>(saved->id), saved->expression.empty() ? "" : ": ",
                saved->expression.c_str());
  }
  return kExitOk;
}

int Refresh(const ParsedArgs& args, const std::vector<std::string>& pos) {
  if (pos.size() > 2) return UsageError(kName, "unexpected argument '" + pos[2] + "'");
  std::optional<absl::Time> as_of;
  if (auto e = AsOf(args, &as_of)) return UsageError(kName, *e);
  auto db = OpenDatabase(pos[0]);
  if (!db.ok()) return Fail(db.status());
  std::vector<SegmentDelta> deltas;
  if (pos.size() == 2) {
    auto d = db->RefreshSegment(pos[1], as_of);
    if (!d.ok()) return Fail(d.status());
    deltas.push_back(*std::move(d));
  } else {
    // One transaction: a failure part-way leaves every segment as it was.
    auto txn = db->Begin();
    if (!txn.ok()) return Fail(txn.status());
    auto all = db->RefreshSegments(as_of);
    if (!all.ok()) return Fail(all.status());
    if (absl::Status st = txn->Commit(); !st.ok()) return Fail(st);
    deltas = *std::move(all);
  }
  if (args.Has("json")) {
    for (const SegmentDelta& d : deltas) PrintLine(DumpJson(DeltaToJson(d)));
    return kExitOk;
  }
  if (deltas.empty()) std::printf("no dynamic segments to refresh\n");
  for (const SegmentDelta& d : deltas) {
    std::printf("%s: %zu entered, %zu left, %lld member%s (as of %s)\n", d.name.c_str(), d.entered.size(),
                d.left.size(), static_cast<long long>(d.members), d.members == 1 ? "" : "s", Time(d.as_of).c_str());
  }
  return kExitOk;
}

int List(const ParsedArgs& args, const std::vector<std::string>& pos) {
  if (pos.size() > 1) return UsageError(kName, "unexpected argument '" + pos[1] + "'");
  auto db = OpenDatabase(pos[0]);
  if (!db.ok()) return Fail(db.status());
  auto all = db->SavedSegments();
  if (!all.ok()) return Fail(all.status());
  if (args.Has("json")) {
    for (const SavedSegment& s : *all) PrintLine(DumpJson(internal::SavedSegmentJson(s)));
    return kExitOk;
  }
  if (all->empty()) {
    std::printf("no saved segments\n");
    return kExitOk;
  }
  Table table({"name", "kind", "members", "refreshed_at", "expression", "description"}, 60);
  for (const SavedSegment& s : *all) {
    table.AddRow({s.name, std::string(ToString(s.kind)), std::to_string(s.members),
                  s.refreshed_at ? Time(*s.refreshed_at) : "", s.expression, s.description});
  }
  table.Print(stdout);
  return kExitOk;
}

int Members(const ParsedArgs& args, const std::vector<std::string>& pos) {
  if (pos.size() != 2) return UsageError(kName, pos.size() < 2 ? "missing arguments" : "unexpected argument '" + pos[2] + "'");
  if (args.Has("json") && args.Has("csv")) return UsageError(kName, "give at most one of --json and --csv");
  std::optional<absl::Time> as_of;
  if (auto e = AsOf(args, &as_of)) return UsageError(kName, *e);
  auto db = OpenDatabase(pos[0]);
  if (!db.ok()) return Fail(db.status());
  auto ids = db->SegmentMembers(pos[1], as_of);
  if (!ids.ok()) return Fail(ids.status());
  return PrintCustomers(*db, *ids, args);
}

int Edit(const ParsedArgs& args, const std::vector<std::string>& pos, bool add) {
  if (pos.size() < 3) return UsageError(kName, "missing arguments");
  std::vector<CustomerId> ids;
  for (size_t i = 2; i < pos.size(); ++i) {
    int64_t id = 0;
    if (!ParseInt64(pos[i], &id) || id <= 0) {
      return UsageError(kName, "'" + pos[i] + "' is not a customer id (a positive integer)");
    }
    ids.push_back(CustomerId{id});
  }
  auto db = OpenDatabase(pos[0]);
  if (!db.ok()) return Fail(db.status());
  absl::Status st = add ? db->AddToSegment(pos[1], ids) : db->RemoveFromSegment(pos[1], ids);
  if (!st.ok()) return Fail(st);
  auto saved = db->GetSegment(pos[1]);
  if (!saved.ok()) return Fail(saved.status());
  std::printf("%s: %lld member%s\n", saved->name.c_str(), static_cast<long long>(saved->members),
              saved->members == 1 ? "" : "s");
  return kExitOk;
}

int Drop(const ParsedArgs& args, const std::vector<std::string>& pos) {
  if (pos.size() != 2) return UsageError(kName, pos.size() < 2 ? "missing arguments" : "unexpected argument '" + pos[2] + "'");
  auto db = OpenDatabase(pos[0]);
  if (!db.ok()) return Fail(db.status());
  if (absl::Status st = db->DropSegment(pos[1]); !st.ok()) return Fail(st);
  std::printf("dropped segment \"%s\"\n", pos[1].c_str());
  return kExitOk;
}

int RunSegment(const ParsedArgs& args) {
  std::vector<std::string> pos = args.positionals;
  std::string sub;
  if (Subcommands().count(pos[0]) && !pos[0].empty()) {
    sub = pos[0];
    pos.erase(pos.begin());
  }
  const std::string shown = sub.empty() ? "segment DB EXPR" : "segment " + sub;
  const std::set<std::string>& allowed = Subcommands().find(sub)->second;
  for (const std::string& option : AllOptions()) {
    if (args.Has(option) && !allowed.count(option)) {
      return UsageError(kName, "option '--" + option + "' does not apply to 'rapport " + shown + "'");
    }
  }
  if (pos.empty()) return UsageError(kName, "missing arguments");
  if (sub.empty()) return Evaluate(args, pos);
  if (sub == "save") return Save(args, pos);
  if (sub == "refresh") return Refresh(args, pos);
  if (sub == "list") return List(args, pos);
  if (sub == "members") return Members(args, pos);
  if (sub == "add" || sub == "remove") return Edit(args, pos, sub == "add");
  return Drop(args, pos);
}

}  // namespace

const Command& SegmentCommand() {
  static const Command* command = new Command{
      .name = "segment",
      .summary = "select customers with the segment language; saved segments and lists",
      .help =
          "Usage: rapport segment DB EXPR [--as-of TIME] [--currency C] [--status S]... [--json|--csv]\n"
          "       rapport segment DB --sql EXPR [--as-of TIME] [--currency C] [--status S]... [--json]\n"
          "       rapport segment save DB NAME [--expr EXPR [--currency C] [--status S]... | --static |\n"
          "                                    --suppression] [--description D] [--json]\n"
          "       rapport segment refresh DB [NAME] [--as-of TIME] [--json]\n"
          "       rapport segment list DB [--json]\n"
          "       rapport segment members DB NAME [--as-of TIME] [--json|--csv]\n"
          "       rapport segment add DB NAME ID...\n"
          "       rapport segment remove DB NAME ID...\n"
          "       rapport segment drop DB NAME\n"
          "\n"
          "Selects the customers for which a segment expression holds and prints them like 'rapport\n"
          "search' (a table of id, name, kind, primary email and phone, tags; CSV; or JSON lines), e.g.\n"
          "  industry in (\"制造业\", \"Retail\") and region = \"华东\" and monetary > 5000\n"
          "    and days_since(last_order_at) <= 90 and has_tag(\"vip\") and not in_segment(\"blocked\")\n"
          "A malformed expression is reported with its line:column and a caret under the spot.\n"
          "\n"
          "Saved segments: a dynamic segment has an expression; 'refresh' evaluates it and records who\n"
          "entered and who left (in the change feed too). Static lists and suppression lists have explicit\n"
          "members ('add', 'remove'); no dynamic segment contains a member of a suppression list.\n"
          "in_segment(\"NAME\") in any expression reads a saved segment's members.\n"
          "(A database file named like a subcommand is given as ./NAME.)\n"
          "\n"
          "Options:\n"
          "  --as-of TIME      \"now\" for days_since, recency_days, ... (evaluation and refresh), or the\n"
          "                    time of the membership to show (members); RFC 3339 or YYYY-MM-DD (UTC);\n"
          "                    default: the current time\n"
          "  --currency C      orders in currency C count in order metrics (monetary, aov, ...); needed\n"
          "                    when the orders use several currencies (default: their one currency);\n"
          "                    save: the segment keeps it for every refresh\n"
          "  --status S        orders with status S count (repeatable; default: completed); save: kept\n"
          "                    like --currency\n"
          "  --sql             print the SQL the expression compiles to, then its parameters\n"
          "                    (\"-- params: [...]\"); with --json one object {\"sql\", \"params\"}\n"
          "  --json            JSON lines (customers, segments, refresh results)\n"
          "  --csv             CSV with a header row\n"
          "  --expr EXPR       save: the expression of a dynamic segment\n"
          "  --static          save: a static list\n"
          "  --suppression     save: a suppression list\n"
          "  --description D   save: a description\n"
          "\n"
          "Refresh prints per segment: \"NAME: N entered, M left, K members (as of TIME)\"; with --json\n"
          "one object per segment: {\"name\", \"as_of\", \"entered\": [ids], \"left\": [ids], \"members\"}.\n"
          "\n"
          "Examples:\n"
          "  rapport segment crm.db 'region = \"华东\" and monetary > 5000' --csv\n"
          "  rapport segment crm.db --sql 'has_tag(\"vip\") and recency_days <= 90'\n"
          "  rapport segment save crm.db 高价值 --expr 'monetary >= 10000 and recency_days <= 90'\n"
          "  rapport segment refresh crm.db --as-of 2025-06-30 --json\n"
          "  rapport segment save crm.db blocked --suppression && rapport segment add crm.db blocked 17 42\n"
          "  rapport segment members crm.db 高价值 --as-of 2025-03-01\n",
      .options = {{"as-of", true, false},
                  {"csv", false, false},
                  {"json", false, false},
                  {"sql", false, false},
                  {"currency", true, false},
                  {"status", true, true},
                  {"static", false, false},
                  {"suppression", false, false},
                  {"expr", true, false},
                  {"description", true, false}},
      .min_positionals = 1,
      .max_positionals = SIZE_MAX,
      .run = RunSegment,
  };
  return *command;
}

}  // namespace rapport::cli
