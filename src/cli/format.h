// Output formatting for the `rapport` tool: JSON forms of changes and timeline items, tables
// aligned by display width (CJK characters take two columns), CSV quoting.
#ifndef RAPPORT_CLI_FORMAT_H_
#define RAPPORT_CLI_FORMAT_H_

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "rapport/change.h"
#include "rapport/customer.h"
#include "rapport/timeline.h"

namespace rapport::cli {

// A change entry as a JSON object; `before` and `after` are embedded as objects (null when absent).
// Members keep the documented order (seq first).
nlohmann::ordered_json ChangeToJson(const Change& change);
// A timeline item as a JSON object: the order or activity with a "type" member ("order", "activity").
nlohmann::ordered_json TimelineItemToJson(const TimelineItem& item);
// A customer as a JSON object (Customer::ToJson), members in reading order: id, kind, name, core
// fields, custom fields, contact points, tags, external ids, version and timestamps.
nlohmann::ordered_json CustomerToJsonObject(const Customer& customer);
// One human-readable line for a timeline item, e.g.
// "2024-03-01T10:00:00Z  order     #12  1280.00 CNY  completed  ERP-SO-1".
std::string TimelineItemLine(const TimelineItem& item);

// The primary contact point of a kind, or else the first valid one; empty when none.
std::string PrimaryContact(const Customer& customer, ContactKind kind);

// The number of terminal columns `text` (UTF-8) takes: 2 for East Asian wide characters.
int DisplayWidth(std::string_view text);
// `text` cut to at most `width` columns, ending in "…" when cut.
std::string Truncate(std::string_view text, int width);

// A text table printed with columns padded to their widest cell (capped at `max_width` columns).
class Table {
 public:
  explicit Table(std::vector<std::string> header, int max_width = 40);
  void AddRow(std::vector<std::string> row);
  void Print(std::FILE* out) const;
  size_t rows() const { return rows_.size(); }

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  int max_width_;
};

// A CSV cell, quoted when it holds a comma, quote, CR or LF (RFC 4180).
std::string CsvCell(std::string_view text);
std::string CsvLine(const std::vector<std::string>& cells);

// JSON text (UTF-8, not ASCII-escaped); `indent` < 0 gives one line.
std::string DumpJson(const nlohmann::json& j, int indent = -1);
std::string DumpJson(const nlohmann::ordered_json& j, int indent = -1);

// Writes `text` and a newline to stdout.
void PrintLine(std::string_view text);

}  // namespace rapport::cli

#endif  // RAPPORT_CLI_FORMAT_H_
