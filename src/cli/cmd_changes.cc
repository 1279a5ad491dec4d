// rapport changes DB [--after SEQ] [--limit N] [--consumer NAME [--ack]] [--exclude-origin O]
#include <cstdio>
#include <string>

#include "cli/command.h"
#include "cli/format.h"

namespace rapport::cli {
namespace {

int RunChanges(const ParsedArgs& args) {
  const std::string& path = args.positionals[0];
  ChangeQuery query;
  int64_t limit = query.limit;
  if (auto e = GetIntOption(args, "after", 0, INT64_MAX, &query.after_seq)) return UsageError("changes", *e);
  if (auto e = GetIntOption(args, "limit", 1, 100000, &limit)) return UsageError("changes", *e);
  query.limit = static_cast<int>(limit);
  if (auto v = args.Get("exclude-origin")) query.exclude_origin = *v;
  const std::optional<std::string> consumer = args.Get("consumer");
  if (consumer && args.Has("after")) return UsageError("changes", "--after and --consumer exclude each other");
  if (args.Has("ack") && !consumer) return UsageError("changes", "--ack needs --consumer NAME");

  auto db = OpenDatabase(path);
  if (!db.ok()) return Fail(db.status());
  if (consumer) {
    auto cursor = db->ConsumerCursor(*consumer);
    if (absl::IsNotFound(cursor.status())) {
      if (auto s = db->CreateConsumer(*consumer, 0); !s.ok()) return Fail(ErrorText("consumer", s));
      cursor = int64_t{0};
    }
    if (!cursor.ok()) return Fail(cursor.status());
    query.after_seq = *cursor;
  }
  auto changes = db->Changes(query);
  if (!changes.ok()) return Fail(ErrorText("changes", changes.status()));
  for (const Change& c : *changes) PrintLine(DumpJson(ChangeToJson(c)));
  std::fflush(stdout);
  if (args.Has("ack") && !changes->empty()) {
    if (auto s = db->AckConsumer(*consumer, changes->back().seq); !s.ok()) return Fail(ErrorText("ack", s));
  }
  return kExitOk;
}

}  // namespace

const Command& ChangesCommand() {
  static const Command* command = new Command{
      .name = "changes",
      .summary = "print the change feed as JSON lines",
      .help = "Usage: rapport changes DB [options]\n"
              "\n"
              "Prints change entries, oldest first, one JSON object per line:\n"
              "  {\"seq\", \"at\", \"actor\", \"origin\", \"entity\", \"entity_id\", \"op\", \"fields\", \"before\", \"after\"}\n"
              "\n"
              "Options:\n"
              "  --after SEQ             only changes with a seq greater than SEQ (default 0: from the start)\n"
              "  --limit N               at most N changes (default 1000)\n"
              "  --consumer NAME         start after the named consumer's cursor (a new consumer starts\n"
              "                          at the beginning)\n"
              "  --ack                   with --consumer: move its cursor to the last change printed\n"
              "  --exclude-origin O      skip changes made by origin O (a sync partner's own echoes)\n"
              "\n"
              "Examples:\n"
              "  rapport changes crm.db --after 1200 --limit 100\n"
              "  rapport changes crm.db --consumer erp-sync --ack --exclude-origin erp\n",
      .options = {{"after", true, false},
                  {"limit", true, false},
                  {"consumer", true, false},
                  {"ack", false, false},
                  {"exclude-origin", true, false}},
      .min_positionals = 1,
      .max_positionals = 1,
      .run = RunChanges,
  };
  return *command;
}

}  // namespace rapport::cli
