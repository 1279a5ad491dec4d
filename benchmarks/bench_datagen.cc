// bench_datagen N OUTDIR: writes the analytics benchmark data of N customers (the same data bench_analytics
// generates in memory) for the peers:
//   OUTDIR/*.csv          customers, tags, orders, events, stages (header row; times "YYYY-MM-DD HH:MM:SS" UTC)
//                         for DuckDB's read_csv
//   OUTDIR/bin/T.C.i64|i8 the same columns as raw little-endian arrays for numpy.fromfile (pandas)
//   OUTDIR/meta.json      sizes, dictionaries and the task parameters (as_of, segment, window, RFM rules)
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "analytics_data.h"

namespace rapport::bench {
namespace {

class Writer {
 public:
  explicit Writer(const std::filesystem::path& path) : f_(std::fopen(path.c_str(), "wb")), path_(path) {
    if (f_ == nullptr) {
      std::perror(path.c_str());
      std::exit(1);
    }
    buf_.reserve(1 << 20);
  }
  ~Writer() {
    Flush();
    if (std::fclose(f_) != 0) {
      std::perror(path_.c_str());
      std::exit(1);
    }
  }
  std::string& buf() { return buf_; }
  void Int(int64_t v) {
    char tmp[24];
    auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
    buf_.append(tmp, r.ptr);
  }
  void Text(std::string_view s) {
    // Dictionary values contain no quote, comma or newline; quoting keeps the CSV valid regardless.
    buf_.push_back('"');
    buf_.append(s.data(), s.size());
    buf_.push_back('"');
  }
  void Time(int64_t micros) { AppendTimestamp(buf_, micros); }
  void Char(char c) {
    buf_.push_back(c);
    if (buf_.size() > (1 << 20) - 128) Flush();
  }
  template <typename T>
  void Raw(const std::vector<T>& v) {
    Flush();
    if (!v.empty() && std::fwrite(v.data(), sizeof(T), v.size(), f_) != v.size()) {
      std::perror(path_.c_str());
      std::exit(1);
    }
  }

 private:
  void Flush() {
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), f_) != buf_.size()) {
      std::perror(path_.c_str());
      std::exit(1);
    }
    buf_.clear();
  }
  std::FILE* f_;
  std::filesystem::path path_;
  std::string buf_;
};

template <size_t N>
std::string JsonList(const std::array<std::string_view, N>& items) {
  std::string s = "[";
  for (size_t i = 0; i < N; ++i) {
    if (i) s += ", ";
    s += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') s += '\\';
      s += c;
    }
    s += '"';
  }
  return s + "]";
}

void WriteMeta(const std::filesystem::path& dir, const AnalyticsData& d) {
  std::string s = "{\n";
  auto kv = [&](const char* k, const std::string& v, bool last = false) {
    s += "  \"";
    s += k;
    s += "\": ";
    s += v;
    s += last ? "\n" : ",\n";
  };
  kv("customers", std::to_string(d.customers));
  kv("tags", std::to_string(d.tag_code.size()));
  kv("orders", std::to_string(d.order_at.size()));
  kv("events", std::to_string(d.event_at.size()));
  kv("stage_rows", std::to_string(d.stage_at.size()));
  kv("as_of_us", std::to_string(kAsOf));
  std::string as_of;
  AppendTimestamp(as_of, kAsOf);
  kv("as_of", "\"" + as_of + "\"");
  kv("industries", JsonList(kIndustries));
  kv("regions", JsonList(kRegions));
  kv("tag_names", JsonList(kTags));
  kv("event_kinds", JsonList(kEventKinds));
  kv("stages", JsonList(kStages));
  kv("ordered_stages", std::to_string(kOrderedStages));
  kv("segment_industries", "[\"制造业\", \"Retail\"]");
  kv("segment_region", "\"华东\"");
  kv("segment_tag", "\"vip\"");
  kv("segment_min_monetary_cents", std::to_string(kSegmentMinMonetaryCents));
  kv("segment_max_days", std::to_string(kSegmentMaxDays));
  kv("funnel_window_us", std::to_string(kFunnelWindow));
  std::string rules = "[";
  for (size_t i = 0; i < kRfmRules.size(); ++i) {
    const RfmRule& r = kRfmRules[i];
    if (i) rules += ", ";
    rules += "[\"" + std::string(r.name) + "\", " + std::to_string(r.r_min) + ", " + std::to_string(r.r_max) + ", " +
             std::to_string(r.f_min) + ", " + std::to_string(r.f_max) + "]";
  }
  kv("rfm_rules", rules + "]", true);
  s += "}\n";
  Writer w(dir / "meta.json");
  w.buf() = s;
}

void WriteCsv(const std::filesystem::path& dir, const AnalyticsData& d) {
  {
    Writer w(dir / "customers.csv");
    w.buf() += "id,industry,region,created_at\n";
    for (int64_t i = 0; i < d.customers; ++i) {
      w.Int(i + 1);
      w.Char(',');
      w.Text(kIndustries[d.industry[i]]);
      w.Char(',');
      w.Text(kRegions[d.region[i]]);
      w.Char(',');
      w.Time(d.created_at[i]);
      w.Char('\n');
    }
  }
  {
    Writer w(dir / "tags.csv");
    w.buf() += "customer_id,tag\n";
    for (size_t i = 0; i < d.tag_code.size(); ++i) {
      w.Int(d.tag_customer[i]);
      w.Char(',');
      w.Text(kTags[d.tag_code[i]]);
      w.Char('\n');
    }
  }
  {
    Writer w(dir / "orders.csv");
    w.buf() += "customer_id,ordered_at,amount_cents\n";
    for (size_t i = 0; i < d.order_at.size(); ++i) {
      w.Int(d.order_customer[i]);
      w.Char(',');
      w.Time(d.order_at[i]);
      w.Char(',');
      w.Int(d.order_cents[i]);
      w.Char('\n');
    }
  }
  {
    Writer w(dir / "events.csv");
    w.buf() += "customer_id,kind,at\n";
    for (size_t i = 0; i < d.event_at.size(); ++i) {
      w.Int(d.event_customer[i]);
      w.Char(',');
      w.Text(kEventKinds[d.event_kind[i]]);
      w.Char(',');
      w.Time(d.event_at[i]);
      w.Char('\n');
    }
  }
  {
    Writer w(dir / "stages.csv");
    w.buf() += "entity_id,stage,entered_at\n";
    for (size_t i = 0; i < d.stage_at.size(); ++i) {
      w.Int(d.stage_entity[i]);
      w.Char(',');
      w.Text(kStages[d.stage_code[i]]);
      w.Char(',');
      w.Time(d.stage_at[i]);
      w.Char('\n');
    }
  }
}

template <typename T>
void WriteColumn(const std::filesystem::path& dir, const char* name, const std::vector<T>& v) {
  Writer w(dir / (std::string(name) + (sizeof(T) == 8 ? ".i64" : ".i8")));
  w.Raw(v);
}

void WriteBinary(const std::filesystem::path& dir, const AnalyticsData& d) {
  std::filesystem::create_directories(dir);
  WriteColumn(dir, "customers.industry", d.industry);
  WriteColumn(dir, "customers.region", d.region);
  WriteColumn(dir, "customers.created_at", d.created_at);
  WriteColumn(dir, "tags.customer_id", d.tag_customer);
  WriteColumn(dir, "tags.tag", d.tag_code);
  WriteColumn(dir, "orders.customer_id", d.order_customer);
  WriteColumn(dir, "orders.ordered_at", d.order_at);
  WriteColumn(dir, "orders.amount_cents", d.order_cents);
  WriteColumn(dir, "events.customer_id", d.event_customer);
  WriteColumn(dir, "events.kind", d.event_kind);
  WriteColumn(dir, "events.at", d.event_at);
  WriteColumn(dir, "stages.entity_id", d.stage_entity);
  WriteColumn(dir, "stages.stage", d.stage_code);
  WriteColumn(dir, "stages.entered_at", d.stage_at);
}

}  // namespace
}  // namespace rapport::bench

int main(int argc, char** argv) {
  using namespace rapport::bench;
  if (argc != 3) {
    std::fprintf(stderr, "usage: bench_datagen CUSTOMERS OUTDIR\n");
    return 2;
  }
  char* end = nullptr;
  const long long n = std::strtoll(argv[1], &end, 10);
  if (end == argv[1] || *end != '\0' || n <= 0) {
    std::fprintf(stderr, "bench_datagen: CUSTOMERS must be a positive integer, not %s\n", argv[1]);
    return 2;
  }
  const std::filesystem::path dir = argv[2];
  std::filesystem::create_directories(dir);
  const AnalyticsData d = GenerateAnalyticsData(n);
  WriteCsv(dir, d);
  WriteBinary(dir / "bin", d);
  WriteMeta(dir, d);  // last: its presence marks a complete directory
  std::fprintf(stderr, "bench_datagen: %lld customers, %zu tags, %zu orders, %zu events, %zu stage rows -> %s\n", n,
               d.tag_code.size(), d.order_at.size(), d.event_at.size(), d.stage_at.size(), dir.c_str());
  return 0;
}
