#include "model/csv_reader.h"

#include "absl/strings/str_cat.h"
#include "base/strings.h"

namespace rapport::internal {

CsvReader::CsvReader(std::string_view text, char delimiter) : text_(text), delimiter_(delimiter) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

absl::StatusOr<bool> CsvReader::Next(std::vector<std::string>& fields) {
  fields.clear();
  if (pos_ >= text_.size()) return false;
  record_line_ = line_;
  std::string field;
  while (true) {
    field.clear();
    if (pos_ < text_.size() && text_[pos_] == '"') {
      const int64_t quote_line = line_;
      ++pos_;
      while (true) {
        if (pos_ >= text_.size()) {
          return absl::InvalidArgumentError(StrCat("csv line ", quote_line, ": unterminated quoted field"));
        }
        char c = text_[pos_++];
        if (c == '"') {
          if (pos_ < text_.size() && text_[pos_] == '"') {
            field.push_back('"');
            ++pos_;
            continue;
          }
          break;
        }
        if (c == '\n') ++line_;
        field.push_back(c);
      }
      if (pos_ < text_.size() && text_[pos_] != delimiter_ && text_[pos_] != '\n' && text_[pos_] != '\r') {
        return absl::InvalidArgumentError(StrCat("csv line ", line_, ": text after a closing quote"));
      }
    } else {
      size_t start = pos_;
      while (pos_ < text_.size() && text_[pos_] != delimiter_ && text_[pos_] != '\n' && text_[pos_] != '\r') {
        if (text_[pos_] == '"') {
          return absl::InvalidArgumentError(StrCat("csv line ", line_, ": a quote inside an unquoted field"));
        }
        ++pos_;
      }
      field.assign(text_.substr(start, pos_ - start));
    }
    fields.push_back(field);
    if (pos_ >= text_.size()) return true;
    char c = text_[pos_++];
    if (c == delimiter_) continue;
    if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
    ++line_;
    return true;
  }
}

}  // namespace rapport::internal
