// Fuzzes the CSV reader and the customer importer: any bytes must give a report or a clear error,
// never a crash, a sanitizer report or a partial write.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "model/csv_reader.h"
#include "rapport/database.h"

namespace {

rapport::Database& Db() {
  static rapport::Database* db = [] {
    rapport::Options options;
    options.clock = std::make_shared<rapport::ManualClock>();
    options.default_region = "CN";
    auto opened = rapport::Database::Open(":memory:", options);
    if (!opened.ok()) std::abort();
    auto* d = new rapport::Database(std::move(opened).value());
    rapport::CustomFieldDef level;
    level.name = "level";
    level.type = rapport::FieldType::kInteger;
    level.max = 5;
    rapport::CustomFieldDef seg;
    seg.name = "seg";
    seg.type = rapport::FieldType::kMultiEnum;
    seg.options = {"a", "b", "中"};
    if (!d->DefineCustomField(level).ok() || !d->DefineCustomField(seg).ok()) std::abort();
    return d;
  }();
  return *db;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  {
    rapport::internal::CsvReader reader(text, ',');
    std::vector<std::string> fields;
    for (int i = 0; i < 1000; ++i) {
      auto more = reader.Next(fields);
      if (!more.ok() || !*more) break;
    }
  }
  rapport::Database& db = Db();
  rapport::ImportOptions options;
  options.mapping = {{"id", "external_id:erp"}, {"name", "name"},   {"email", "email"}, {"phone", "phone"},
                     {"tags", "tags"},          {"level", "level"}, {"seg", "seg"},     {"birthday", "birthday"}};
  options.upsert_system = "erp";
  options.all_or_nothing = size % 2 == 0;
  options.progress_every = 7;
  options.progress = [](int64_t) { return true; };
  const int64_t before = db.LastChangeSeq();
  auto tx = db.Begin();
  if (!tx.ok()) std::abort();
  auto report = db.ImportCsv(text, options);
  if (report.ok() && !report->committed && db.LastChangeSeq() != before) std::abort();  // rejected yet written
  if (!report.ok() && db.LastChangeSeq() != before) std::abort();                     // failed yet written
  if (!tx->Rollback().ok()) std::abort();
  return 0;
}
