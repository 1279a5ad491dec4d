#include "cli/format.h"

#include <algorithm>
#include <cstdint>

#include "base/money.h"
#include "base/time_format.h"
#include "model/customer_codec.h"

namespace rapport::cli {
namespace {

nlohmann::ordered_json EmbeddedJson(const std::string& text) {
  if (text.empty()) return nullptr;
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? nlohmann::ordered_json(text) : j;
}

// Decodes one UTF-8 code point at `i`, advancing it; invalid bytes decode as themselves.
char32_t NextCodePoint(std::string_view s, size_t* i) {
  const auto b0 = static_cast<unsigned char>(s[*i]);
  int len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 1;
  if (*i + len > s.size()) len = 1;
  char32_t cp = len == 1 ? b0 : len == 2 ? (b0 & 0x1F) : len == 3 ? (b0 & 0x0F) : (b0 & 0x07);
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[*i + k]) & 0x3F);
  *i += len;
  return cp;
}

int CodePointWidth(char32_t cp) {
  if (cp == 0 || (cp >= 0x300 && cp <= 0x36F) || cp == 0x200B || (cp >= 0xFE00 && cp <= 0xFE0F)) return 0;
  static constexpr std::pair<char32_t, char32_t> kWide[] = {
      {0x1100, 0x115F}, {0x2E80, 0x303E}, {0x3041, 0x33FF}, {0x3400, 0x4DBF}, {0x4E00, 0x9FFF},
      {0xA000, 0xA4CF}, {0xAC00, 0xD7A3}, {0xF900, 0xFAFF}, {0xFE30, 0xFE4F}, {0xFF00, 0xFF60},
      {0xFFE0, 0xFFE6}, {0x1F300, 0x1F64F}, {0x1F900, 0x1F9FF}, {0x20000, 0x3FFFD}};
  for (const auto& [lo, hi] : kWide) {
    if (cp >= lo && cp <= hi) return 2;
  }
  return 1;
}

std::string Pad(const std::string& text, int width) {
  int w = DisplayWidth(text);
  return w >= width ? text : text + std::string(width - w, ' ');
}

}  // namespace

nlohmann::ordered_json ChangeToJson(const Change& c) {
  nlohmann::ordered_json j;
  j["seq"] = c.seq;
  j["at"] = internal::FormatTimestamp(c.at);
  j["actor"] = c.actor ? nlohmann::ordered_json(ToInt(*c.actor)) : nlohmann::ordered_json(nullptr);
  j["origin"] = c.origin;
  j["entity"] = c.entity;
  j["entity_id"] = c.entity_id;
  j["op"] = c.op;
  j["fields"] = c.fields;
  j["before"] = EmbeddedJson(c.before);
  j["after"] = EmbeddedJson(c.after);
  return j;
}

nlohmann::ordered_json TimelineItemToJson(const TimelineItem& item) {
  const nlohmann::json body =
      item.is_order() ? internal::OrderToJson(item.order()) : internal::ActivityToJson(item.activity());
  nlohmann::ordered_json j;
  j["type"] = item.is_order() ? "order" : "activity";
  j["id"] = body.at("id");
  for (const auto& [key, value] : body.items()) {
    if (key != "id") j[key] = value;
  }
  return j;
}

nlohmann::ordered_json CustomerToJsonObject(const Customer& customer) { return internal::CustomerToJson(customer); }

std::string TimelineItemLine(const TimelineItem& item) {
  std::string line = internal::FormatTimestamp(item.at) + "  ";
  if (item.is_order()) {
    const Order& o = item.order();
    line += "order     #" + std::to_string(ToInt(o.id)) + "  " + internal::FormatAmount(o.amount) + " " +
            o.amount.currency + "  " + o.status;
    if (!o.external_ref.empty()) line += "  " + o.external_ref;
    if (!o.items.empty()) {
      line += "  (";
      for (size_t i = 0; i < o.items.size(); ++i) {
        if (i > 0) line += ", ";
        line += std::to_string(o.items[i].quantity) + " x " + (o.items[i].name.empty() ? o.items[i].sku : o.items[i].name);
      }
      line += ")";
    }
  } else {
    const Activity& a = item.activity();
    line += Pad(std::string(ToString(a.kind)), 9) + " #" + std::to_string(ToInt(a.id));
    if (!a.outcome.empty()) line += "  [" + a.outcome + "]";
    if (!a.text.empty()) line += "  " + a.text;
    if (a.owner) line += "  (owner " + std::to_string(ToInt(*a.owner)) + ")";
  }
  return line;
}

std::string PrimaryContact(const Customer& customer, ContactKind kind) {
  const ContactPoint* fallback = nullptr;
  for (const ContactPoint& cp : customer.contact_points) {
    if (cp.kind != kind) continue;
    if (cp.primary) return cp.value;
    if (fallback == nullptr && !cp.invalid) fallback = &cp;
  }
  return fallback ? fallback->value : std::string();
}

int DisplayWidth(std::string_view text) {
  int width = 0;
  for (size_t i = 0; i < text.size();) width += CodePointWidth(NextCodePoint(text, &i));
  return width;
}

std::string Truncate(std::string_view text, int width) {
  if (DisplayWidth(text) <= width) return std::string(text);
  std::string out;
  int used = 0;
  for (size_t i = 0; i < text.size();) {
    size_t start = i;
    int w = CodePointWidth(NextCodePoint(text, &i));
    if (used + w > width - 1) break;
    out.append(text.substr(start, i - start));
    used += w;
  }
  return out + "…";
}

Table::Table(std::vector<std::string> header, int max_width) : header_(std::move(header)), max_width_(max_width) {}

void Table::AddRow(std::vector<std::string> row) {
  for (std::string& cell : row) cell = Truncate(cell, max_width_);
  row.resize(header_.size());
  rows_.push_back(std::move(row));
}

void Table::Print(std::FILE* out) const {
  std::vector<int> widths(header_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  };
  measure(header_);
  for (const auto& row : rows_) measure(row);
  auto print = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += i + 1 == row.size() ? row[i] : Pad(row[i], widths[i]) + "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::fprintf(out, "%s\n", line.c_str());
  };
  print(header_);
  for (const auto& row : rows_) print(row);
}

std::string CsvCell(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string CsvLine(const std::vector<std::string>& cells) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) line += ',';
    line += CsvCell(cells[i]);
  }
  return line;
}

std::string DumpJson(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
}

std::string DumpJson(const nlohmann::ordered_json& j, int indent) {
  return j.dump(indent, ' ', /*ensure_ascii=*/false, nlohmann::ordered_json::error_handler_t::replace);
}

void PrintLine(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
}

}  // namespace rapport::cli
