// A strict RFC 4180 CSV reader over text in memory.
#ifndef RAPPORT_MODEL_CSV_READER_H_
#define RAPPORT_MODEL_CSV_READER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace rapport::internal {

// Reads records: fields separated by `delimiter`, optionally quoted with '"' ("" inside quotes is a
// quote), records ending in LF or CRLF. A leading UTF-8 byte order mark is skipped. Malformed input
// (a quote inside an unquoted field, text after a closing quote, an unterminated quote) is an
// InvalidArgument naming the line.
class CsvReader {
 public:
  CsvReader(std::string_view text, char delimiter);

  // Reads the next record into `fields`; false at the end of the text.
  absl::StatusOr<bool> Next(std::vector<std::string>& fields);
  // The line on which the last record read started (1-based).
  int64_t line() const { return record_line_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  char delimiter_;
  int64_t line_ = 1;
  int64_t record_line_ = 0;
};

}  // namespace rapport::internal

#endif  // RAPPORT_MODEL_CSV_READER_H_
