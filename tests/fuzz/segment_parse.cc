// libFuzzer target: the segment language's parser, printer and JSON form on arbitrary text.
// Whatever parses must print to text that parses to the same tree, and round-trip through JSON.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rapport/segment.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto expr = rapport::SegmentExpr::Parse(text);
  if (!expr.ok()) return 0;
  auto again = rapport::SegmentExpr::Parse(expr->ToText());
  if (!again.ok() || !(*again == *expr)) std::abort();
  auto from_json = rapport::SegmentExpr::FromJson(expr->ToJson());
  if (!from_json.ok() || !(*from_json == *expr)) std::abort();
  // Checking against an empty schema exercises name resolution and typing without a frame.
  (void)rapport::CheckSegment(*expr, {{"x", rapport::ColumnType::kNumber}, {"t", rapport::ColumnType::kText}});
  return 0;
}
