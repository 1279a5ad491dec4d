// Core benchmarks: bulk import against raw SQLite, point get of a full record, name search.
//
// Size: RAPPORT_BENCH_CUSTOMERS customers (default 1,000,000). Every run generates the same data
// (splitmix64, fixed seed). Databases are files under $TMPDIR (or /tmp), removed at exit
// (RAPPORT_BENCH_KEEP_DB=1 keeps the shared one of the get and search cases).
//
//   BM_Core_ImportRawSqlite      the same rows through the sqlite3 C API: prepared statements, one transaction
//   BM_Core_ImportRawSqliteFts   the same, plus an FTS5 trigram table over the names (as Rapport keeps)
//   BM_Core_ImportRapport        Database::ImportCsv of the CSV text; reports its ratio to the two above
//   BM_Core_GetCustomer          GetCustomer + Timeline(limit 20) of customers with 20 timeline items
//   BM_Core_SearchName*          SearchCustomers({.name_contains}) on the imported names
//   BM_Core_PhoneParse           libphonenumber normalisation of one phone number (part of the import's cost)
//   BM_Core_NameFold             ICU clean-up and case fold of one name (part of the import's cost)
#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/text.h"
#include "bench_util.h"
#include "benchmark/benchmark.h"
#include "model/contact_normalize.h"
#include "rapport/database.h"
#include "store/schema_sql.h"

namespace rapport::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr uint64_t kSeed = 0x5241505041525431ULL;  // "RAPPART1"
constexpr int64_t kDefaultCustomers = 1'000'000;

int64_t Customers() {
  static const int64_t n = EnvInt("RAPPORT_BENCH_CUSTOMERS", kDefaultCustomers);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Generated data
// ---------------------------------------------------------------------------------------------

constexpr const char* kSurnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何",
    "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田",
    "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈"};
// Includes 阿 and 里, so that the two-character query "阿里" hits a few dozen names per million.
constexpr const char* kGiven[] = {
    "伟", "芳", "娜", "秀", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "霞", "平", "刚", "桂", "英", "华", "玉", "兰", "萍", "红", "鹏", "辉", "建", "国", "文", "志",
    "飞", "波", "宇", "浩", "晨", "欣", "怡", "婷", "雪", "琳", "佳", "俊", "博", "子", "涵", "轩", "阿",
    "里", "木", "古", "江", "山", "海", "云", "龙", "凤", "春", "秋", "冬", "梅", "松", "柏", "森", "嘉",
    "琪", "思", "远", "晓", "东", "南", "天", "安", "宁", "乐", "成", "德"};
constexpr const char* kFirst[] = {
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Oliver", "Sophia", "Elijah", "Isabella", "James", "Mia",
    "William", "Amelia", "Benjamin", "Harper", "Lucas", "Evelyn", "Henry", "Abigail", "Alexander", "Emily",
    "Michael", "Ella", "Daniel", "Elizabeth", "Matthew", "Sofia", "Jackson", "Avery", "Sebastian", "Scarlett",
    "David", "Grace", "Joseph", "Chloe", "Samuel", "Victoria", "John", "Riley", "Owen", "Aria", "Jason",
    "Lily", "Luke", "Zoey", "Gabriel", "Nora", "Anthony", "Hannah", "Isaac", "Layla", "Dylan", "Brooklyn",
    "Leo", "Zoe", "Lincoln", "Penelope", "Jaxon", "Lillian", "Asher"};
constexpr const char* kLast[] = {
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
    "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
    "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green",
    "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Müller",
    "Schäfer", "Dubois", "Lefèvre", "García", "Øberg", "Novák", "Kowalski", "Rossi", "Peterson"};
constexpr const char* kLatinDomains[] = {"example.com", "Gmail.com", "outlook.com", "Example.ORG", "yahoo.com"};
constexpr const char* kChineseDomains[] = {"qq.com", "163.com", "126.com", "Sina.com", "foxmail.com"};
constexpr const char* kCnPrefixes[] = {"138", "139", "186", "150", "177", "135", "158", "189"};
constexpr const char* kUsAreas[] = {"650", "415", "212", "617", "312", "206", "512", "303"};
constexpr const char* kTags[] = {
    "vip", "wholesale", "retail", "newsletter", "trade-show", "referral", "churn-risk", "b2b", "b2c",
    "online", "offline", "priority", "gold", "silver", "bronze", "north", "south", "east", "west", "new",
    "北京", "上海", "广州", "深圳", "杭州", "成都", "老客户", "新客户", "大客户", "经销商", "线上", "线下"};
constexpr const char* kSegments[] = {"retail", "wholesale", "online", "partner"};

template <typename T, size_t N>
constexpr size_t Size(const T (&)[N]) {
  return N;
}

struct Row {
  bool chinese = false;
  std::string name;
  std::string email;
  std::string phone;
  std::string tag1, tag2;
  int64_t points = 0;
  std::string segment;
};

// Row `i` (0-based) of the generated data; each row has its own PRNG stream, so any row can be
// regenerated on its own (the search queries are built from the names of random rows).
Row MakeRow(int64_t i) {
  SplitMix64 r(kSeed ^ (static_cast<uint64_t>(i) * 0x2545F4914F6CDD1DULL));
  Row row;
  row.chinese = r.Below(2) == 0;
  char buf[64];
  if (row.chinese) {
    row.name = kSurnames[r.Below(Size(kSurnames))];
    row.name += kGiven[r.Below(Size(kGiven))];
    if (r.Below(10) < 7) row.name += kGiven[r.Below(Size(kGiven))];
    std::snprintf(buf, sizeof buf, "user%lld@%s", static_cast<long long>(i), kChineseDomains[r.Below(Size(kChineseDomains))]);
    row.email = buf;
    // Distinct CN mobiles: 8 digits from i (7919 is coprime with 10^8).
    const int64_t digits = (i * 7919) % 100'000'000;
    std::snprintf(buf, sizeof buf, "+86 %s %04lld %04lld", kCnPrefixes[i % Size(kCnPrefixes)],
                  static_cast<long long>(digits / 10000), static_cast<long long>(digits % 10000));
    row.phone = buf;
  } else {
    const char* first = kFirst[r.Below(Size(kFirst))];
    const char* last = kLast[r.Below(Size(kLast))];
    const char initial = static_cast<char>('A' + r.Below(26));
    row.name = std::string(first) + " " + initial + ". " + last;
    std::string local = std::string(first) + "." + initial;
    for (char& c : local) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::snprintf(buf, sizeof buf, "%s%lld@%s", local.c_str(), static_cast<long long>(i),
                  kLatinDomains[r.Below(Size(kLatinDomains))]);
    row.email = buf;
    // Distinct US numbers: area from i, then exchange 2xx-9xx and line from i / areas.
    const int64_t rest = i / static_cast<int64_t>(Size(kUsAreas));
    std::snprintf(buf, sizeof buf, "+1 %s %03lld %04lld", kUsAreas[i % Size(kUsAreas)],
                  static_cast<long long>(200 + (rest / 10000) % 800), static_cast<long long>(rest % 10000));
    row.phone = buf;
  }
  const size_t t1 = r.Below(Size(kTags));
  size_t t2 = r.Below(Size(kTags) - 1);
  if (t2 >= t1) ++t2;  // two distinct tags
  row.tag1 = kTags[t1];
  row.tag2 = kTags[t2];
  row.points = static_cast<int64_t>(r.Below(100'000));
  row.segment = kSegments[r.Below(Size(kSegments))];
  return row;
}

constexpr char kCsvHeader[] = "name,email,phone,tags,loyalty_points,segment\n";

// The import file, generated once per process (~100 MB for a million rows).
const std::string& Csv() {
  static const std::string csv = [] {
    std::string out = kCsvHeader;
    out.reserve(static_cast<size_t>(Customers()) * 110);
    for (int64_t i = 0; i < Customers(); ++i) {
      Row r = MakeRow(i);
      out += r.name;
      out += ',';
      out += r.email;
      out += ',';
      out += r.phone;
      out += ',';
      out += r.tag1;
      out += ';';
      out += r.tag2;
      out += ',';
      out += std::to_string(r.points);
      out += ',';
      out += r.segment;
      out += '\n';
    }
    return out;
  }();
  return csv;
}

ImportOptions RapportImportOptions() {
  ImportOptions o;
  o.mapping = {{"name", "name"},   {"email", "email"},   {"phone", "phone"},
               {"tags", "tags"},   {"loyalty_points", "loyalty_points"}, {"segment", "segment"}};
  return o;
}

absl::Status DefineFields(Database& db) {
  CustomFieldDef points;
  points.name = "loyalty_points";
  points.type = FieldType::kInteger;
  points.label = "Loyalty points";
  points.min = 0;
  if (auto s = db.DefineCustomField(points); !s.ok()) return s.status();
  CustomFieldDef segment;
  segment.name = "segment";
  segment.type = FieldType::kEnum;
  segment.label = "Segment";
  segment.options = {std::begin(kSegments), std::end(kSegments)};
  if (auto s = db.DefineCustomField(segment); !s.ok()) return s.status();
  return absl::OkStatus();
}

// Opens a fresh Rapport database with the two custom fields and imports the CSV into it.
absl::StatusOr<Database> OpenAndImport(const std::string& path, double* import_seconds) {
  auto db = Database::Open(path);
  if (!db.ok()) return db.status();
  if (auto s = DefineFields(*db); !s.ok()) return s;
  const auto t0 = Clock::now();
  auto report = db->ImportCsv(Csv(), RapportImportOptions());
  *import_seconds = SecondsSince(t0);
  if (!report.ok()) return report.status();
  if (report->created != Customers() || report->failed != 0) {
    std::string why = report->errors.empty() ? "" : " (row " + std::to_string(report->errors[0].row) + " " +
                                                        report->errors[0].field + ": " + report->errors[0].reason + ")";
    return absl::InternalError("import created " + std::to_string(report->created) + " of " +
                               std::to_string(Customers()) + " customers, " + std::to_string(report->failed) +
                               " failed" + why);
  }
  return db;
}

// ---------------------------------------------------------------------------------------------
// Raw SQLite baseline
// ---------------------------------------------------------------------------------------------

// Rapport's own schema (so that both sides keep the same tables and indexes), without its name index,
// which needs Rapport's tokenizer; the "+ FTS" variant adds SQLite's trigram index instead.
std::string RawSchema() {
  std::string schema(rapport::internal::kSchemaV1);
  const size_t start = schema.find("CREATE VIRTUAL TABLE customer_names");
  schema.erase(start, schema.find(';', start) + 1 - start);
  return schema;
}

constexpr char kRawFtsSchema[] = "CREATE VIRTUAL TABLE customer_names USING fts5 (name_key, tokenize = 'trigram', detail = none);";

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
        SQLITE_OK) {
      Fail("open");
    }
  }
  ~RawDb() {
    for (sqlite3_stmt* st : statements_) sqlite3_finalize(st);
    sqlite3_close_v2(db_);
  }
  void Exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      error_ = std::string(sql).substr(0, 60) + ": " + (err ? err : "?");
      sqlite3_free(err);
    }
  }
  sqlite3_stmt* Prepare(const char* sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr) != SQLITE_OK) Fail("prepare");
    statements_.push_back(st);
    return st;
  }
  void Run(sqlite3_stmt* st) {
    if (sqlite3_step(st) != SQLITE_DONE && error_.empty()) Fail("step");
    sqlite3_reset(st);
  }
  void Fail(const char* what) {
    if (error_.empty()) error_ = std::string(what) + ": " + sqlite3_errmsg(db_);
  }
  sqlite3* db() const { return db_; }
  const std::string& error() const { return error_; }

 private:
  sqlite3* db_ = nullptr;
  std::vector<sqlite3_stmt*> statements_;
  std::string error_;
};

void BindText(sqlite3_stmt* st, int i, std::string_view v) {
  sqlite3_bind_text64(st, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

// Imports the CSV text with the sqlite3 C API: a hand-rolled split (the generated CSV has no
// quotes), phones reduced to '+' and digits, email domains and ASCII tags lower-cased, and the
// same rows as Rapport writes (customer, 2 contact points, 2 tags; optionally the name index).
// Returns the error text, empty on success; `seconds` covers BEGIN to COMMIT.
std::string RawImport(const std::string& path, bool with_fts, double* seconds) {
  RawDb db(path);
  db.Exec("PRAGMA journal_mode = WAL");
  db.Exec("PRAGMA synchronous = NORMAL");
  db.Exec("PRAGMA foreign_keys = ON");
  db.Exec(RawSchema().c_str());
  if (with_fts) db.Exec(kRawFtsSchema);
  if (!db.error().empty()) return db.error();
  const auto t0 = Clock::now();
  db.Exec("BEGIN IMMEDIATE");
  sqlite3_stmt* customer = db.Prepare(
      "INSERT INTO customers (kind, name, custom, created_at, updated_at) VALUES ('person', ?, ?, ?, ?)");
  sqlite3_stmt* contact = db.Prepare(
      "INSERT INTO contact_points (customer_id, kind, value, raw, label, is_primary, opted_out, invalid) "
      "VALUES (?, ?, ?, ?, '', 1, 0, 0)");
  sqlite3_stmt* tag = db.Prepare("INSERT OR IGNORE INTO customer_tags (customer_id, tag) VALUES (?, ?)");
  sqlite3_stmt* fts = with_fts ? db.Prepare("INSERT INTO customer_names (rowid, name_key) VALUES (?, ?)") : nullptr;
  if (!db.error().empty()) return db.error();
  const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  std::string_view text = Csv();
  text.remove_prefix(std::string_view(kCsvHeader).size());
  std::string_view cells[6];
  std::string custom, phone, email;
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    for (int c = 0; c < 6; ++c) {
      const size_t comma = line.find(',');
      cells[c] = line.substr(0, comma);
      line.remove_prefix(comma == std::string_view::npos ? line.size() : comma + 1);
    }
    custom = "{\"loyalty_points\":";
    custom += cells[4];
    custom += ",\"segment\":\"";
    custom += cells[5];
    custom += "\"}";
    BindText(customer, 1, cells[0]);
    BindText(customer, 2, custom);
    sqlite3_bind_int64(customer, 3, now);
    sqlite3_bind_int64(customer, 4, now);
    db.Run(customer);
    const int64_t id = sqlite3_last_insert_rowid(db.db());
    if (fts != nullptr) {
      sqlite3_bind_int64(fts, 1, id);
      BindText(fts, 2, AsciiLower(cells[0]));  // Rapport folds with ICU (NFKC case fold)
      db.Run(fts);
    }
    const size_t at = cells[1].rfind('@');
    email = std::string(cells[1].substr(0, at + 1)) + AsciiLower(cells[1].substr(at + 1));
    phone.clear();
    for (char ch : cells[2]) {
      if (ch == '+' || (ch >= '0' && ch <= '9')) phone += ch;
    }
    const std::pair<const char*, const std::string*> points[] = {{"email", &email}, {"phone", &phone}};
    for (int p = 0; p < 2; ++p) {
      sqlite3_bind_int64(contact, 1, id);
      sqlite3_bind_text(contact, 2, points[p].first, -1, SQLITE_STATIC);
      BindText(contact, 3, *points[p].second);
      BindText(contact, 4, cells[1 + p]);
      db.Run(contact);
    }
    std::string_view tags = cells[3];
    while (!tags.empty()) {
      const size_t semi = tags.find(';');
      sqlite3_bind_int64(tag, 1, id);
      BindText(tag, 2, AsciiLower(tags.substr(0, semi)));
      db.Run(tag);
      tags.remove_prefix(semi == std::string_view::npos ? tags.size() : semi + 1);
    }
    if (!db.error().empty()) return db.error();
  }
  db.Exec("COMMIT");
  *seconds = SecondsSince(t0);
  return db.error();
}

// ---------------------------------------------------------------------------------------------
// Case 1: bulk import
// ---------------------------------------------------------------------------------------------

// Rows per second of the raw SQLite runs of this process (0 until measured).
double g_raw_rows_per_s = 0;
double g_raw_fts_rows_per_s = 0;

void SetImportCounters(benchmark::State& state, double seconds) {
  state.SetIterationTime(seconds);
  state.counters["customers"] = static_cast<double>(Customers());
  state.counters["rows_per_s"] = static_cast<double>(Customers()) / seconds;
}

void BM_Core_ImportRawSqlite(benchmark::State& state, bool with_fts) {
  Csv();  // generated outside the measurement
  double rows_per_s = 0;
  for (auto _ : state) {
    const std::string path = TempDbPath(with_fts ? "rawfts" : "raw");
    double seconds = 0;
    std::string error = RawImport(path, with_fts, &seconds);
    RemoveDb(path);
    if (!error.empty()) {
      state.SkipWithError(error.c_str());
      return;
    }
    SetImportCounters(state, seconds);
    rows_per_s = static_cast<double>(Customers()) / seconds;
  }
  state.SetItemsProcessed(state.iterations() * Customers());
  (with_fts ? g_raw_fts_rows_per_s : g_raw_rows_per_s) = rows_per_s;
}

void BM_Core_ImportRapport(benchmark::State& state) {
  Csv();
  for (auto _ : state) {
    const std::string path = TempDbPath("import");
    double seconds = 0;
    absl::Status status;
    {
      auto db = OpenAndImport(path, &seconds);
      status = db.status();
    }  // closed before the files go
    RemoveDb(path);
    if (!status.ok()) {
      state.SkipWithError(std::string(status.message()).c_str());
      return;
    }
    SetImportCounters(state, seconds);
    const double rows_per_s = static_cast<double>(Customers()) / seconds;
    if (g_raw_rows_per_s > 0) {
      state.counters["x_raw_sqlite"] = rows_per_s / g_raw_rows_per_s;
      state.counters["goal_0.5x_met"] = rows_per_s >= 0.5 * g_raw_rows_per_s ? 1 : 0;
    }
    if (g_raw_fts_rows_per_s > 0) state.counters["x_raw_sqlite_fts"] = rows_per_s / g_raw_fts_rows_per_s;
  }
  state.SetItemsProcessed(state.iterations() * Customers());
}

// ---------------------------------------------------------------------------------------------
// The shared database of cases 2 and 3: built once per process, removed at exit.
// ---------------------------------------------------------------------------------------------

struct Fixture {
  std::string path;
  std::optional<Database> db;
  std::vector<CustomerId> probes;  // customers with 20 timeline items, in random order
  std::vector<std::string> latin_queries;    // full Latin names ("Olivia K. Martinez"): a few hits each
  std::vector<std::string> chinese_queries;  // three-character Chinese names: one or a few hits each
  std::string error;
};

std::unique_ptr<Fixture> g_fixture;

absl::Status AddTimeline(Database& db, const std::vector<CustomerId>& ids) {
  auto tx = db.Begin();
  if (!tx.ok()) return tx.status();
  const absl::Time base = absl::FromCivil(absl::CivilSecond(2024, 6, 1, 12, 0, 0), absl::UTCTimeZone());
  SplitMix64 r(kSeed + 2);
  for (CustomerId id : ids) {
    for (int k = 0; k < 15; ++k) {
      OrderDraft o;
      o.customer = id;
      o.amount = Money{static_cast<int64_t>(1000 + r.Below(500'000)), "CNY"};
      o.ordered_at = base - absl::Hours(static_cast<int64_t>(r.Below(24 * 700)));
      o.items = {OrderItem{"SKU-" + std::to_string(r.Below(5000)), "Tea set", 1 + static_cast<int64_t>(r.Below(3)),
                           static_cast<int64_t>(1000 + r.Below(20'000))}};
      if (auto s = db.AddOrder(o); !s.ok()) return s.status();
    }
    for (int k = 0; k < 5; ++k) {
      ActivityDraft a;
      a.customer = id;
      a.kind = static_cast<ActivityKind>(r.Below(5));
      a.at = base - absl::Hours(static_cast<int64_t>(r.Below(24 * 700)));
      a.outcome = "reached";
      a.text = "Follow-up about the spring catalogue; prefers WeChat.";
      if (auto s = db.AddActivity(a); !s.ok()) return s.status();
    }
  }
  return tx->Commit();
}

Fixture& SharedDb() {
  if (g_fixture) return *g_fixture;
  g_fixture = std::make_unique<Fixture>();
  Fixture& f = *g_fixture;
  f.path = TempDbPath("shared");
  const auto t0 = Clock::now();
  double import_seconds = 0;
  auto db = OpenAndImport(f.path, &import_seconds);
  if (!db.ok()) {
    f.error = "building the shared database: " + std::string(db.status().message());
    return f;
  }
  f.db = std::move(db).value();
  // Ids are assigned in row order on a fresh database: check one.
  const int64_t check = Customers() / 2;
  auto c = f.db->GetCustomer(CustomerId{check + 1});
  if (!c.ok() || c->name != MakeRow(check).name) {
    f.error = "the shared database does not hold row " + std::to_string(check) + " as customer " +
              std::to_string(check + 1);
    return f;
  }
  SplitMix64 r(kSeed + 1);
  const int64_t n = Customers();
  const int64_t probes = std::min<int64_t>(10'000, std::max<int64_t>(1, n / 10));
  std::vector<bool> taken(static_cast<size_t>(n), false);
  while (static_cast<int64_t>(f.probes.size()) < probes) {
    const int64_t i = static_cast<int64_t>(r.Below(static_cast<uint64_t>(n)));
    if (taken[i]) continue;
    taken[i] = true;
    f.probes.push_back(CustomerId{i + 1});
  }
  const auto t1 = Clock::now();
  if (absl::Status s = AddTimeline(*f.db, f.probes); !s.ok()) {
    f.error = "adding timeline items: " + std::string(s.message());
    return f;
  }
  const double timeline_seconds = SecondsSince(t1);
  while (f.latin_queries.size() < 256 || f.chinese_queries.size() < 256) {
    Row row = MakeRow(static_cast<int64_t>(r.Below(static_cast<uint64_t>(n))));
    if (!row.chinese && f.latin_queries.size() < 256) f.latin_queries.push_back(row.name);
    // Surname + two given characters: exactly three characters, so the trigram index serves it.
    if (row.chinese && row.name.size() == 9 && f.chinese_queries.size() < 256) f.chinese_queries.push_back(row.name);
  }
  std::fprintf(stderr,
               "shared database %s: %lld customers imported in %.1f s, %zu customers x 20 timeline items in %.1f s "
               "(total %.1f s)\n",
               f.path.c_str(), static_cast<long long>(n), import_seconds, f.probes.size(), timeline_seconds,
               SecondsSince(t0));
  return f;
}

// Removes the shared database, unless RAPPORT_BENCH_KEEP_DB is set (to inspect or profile it).
void RemoveSharedDb() {
  if (!g_fixture) return;
  const std::string path = g_fixture->path;
  g_fixture.reset();  // closes the database
  if (EnvInt("RAPPORT_BENCH_KEEP_DB", 0) > 0) {
    std::fprintf(stderr, "kept the shared database: %s\n", path.c_str());
    return;
  }
  RemoveDb(path);
}

void SetLatencyCounters(benchmark::State& state, const std::string& prefix, std::vector<double>& micros) {
  state.counters[prefix + "p50_us"] = Percentile(micros, 0.50);
  state.counters[prefix + "p99_us"] = Percentile(micros, 0.99);
}

// ---------------------------------------------------------------------------------------------
// Case 2: point get of a full record with its timeline
// ---------------------------------------------------------------------------------------------

void BM_Core_GetCustomer(benchmark::State& state) {
  Fixture& f = SharedDb();
  if (!f.error.empty()) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  TimelineQuery kTimeline;
  kTimeline.limit = 20;
  std::vector<double> total, get, timeline;
  size_t k = 0;
  for (auto _ : state) {
    const CustomerId id = f.probes[k++ % f.probes.size()];
    const auto t0 = Clock::now();
    auto c = f.db->GetCustomer(id);
    const auto t1 = Clock::now();
    auto items = f.db->Timeline(id, kTimeline);
    const auto t2 = Clock::now();
    if (!c.ok() || !items.ok() || c->contact_points.size() != 2 || c->tags.size() != 2 ||
        c->custom_fields.size() != 2 || items->size() != 20) {
      state.SkipWithError("GetCustomer/Timeline returned an incomplete record");
      return;
    }
    benchmark::DoNotOptimize(c);
    benchmark::DoNotOptimize(items);
    get.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    timeline.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count());
    total.push_back(std::chrono::duration<double, std::micro>(t2 - t0).count());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["customers"] = static_cast<double>(Customers());
  SetLatencyCounters(state, "", total);
  SetLatencyCounters(state, "get_", get);
  SetLatencyCounters(state, "timeline_", timeline);
  state.counters["goal_p50_50us_met"] = state.counters["p50_us"] < 50 ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Case 3: name search
// ---------------------------------------------------------------------------------------------

enum class NameQuery { kLatin, kChinese3, kTwoCharScan, kBroad };

void BM_Core_SearchName(benchmark::State& state, NameQuery which) {
  Fixture& f = SharedDb();
  if (!f.error.empty()) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  static const std::vector<std::string> kTwoChar = {"阿里"};
  static const std::vector<std::string> kBroad = {"son"};  // Johnson, Wilson, Jason, ...: far more than a page
  const std::vector<std::string>& queries = which == NameQuery::kLatin      ? f.latin_queries
                                            : which == NameQuery::kChinese3 ? f.chinese_queries
                                            : which == NameQuery::kTwoCharScan ? kTwoChar
                                                                              : kBroad;
  std::vector<double> micros;
  int64_t hits = 0;
  size_t k = 0;
  for (auto _ : state) {
    CustomerQuery q;
    q.name_contains = queries[k++ % queries.size()];
    const auto t0 = Clock::now();
    auto page = f.db->SearchCustomers(q);
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    // Queries taken from the data must hit; "阿里" may miss in a small smoke run.
    const bool must_hit = which == NameQuery::kLatin || which == NameQuery::kChinese3;
    if (!page.ok() || (must_hit && page->customers.empty())) {
      state.SkipWithError(("search for \"" + q.name_contains + "\" found nothing").c_str());
      return;
    }
    hits += static_cast<int64_t>(page->customers.size());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["customers"] = static_cast<double>(Customers());
  state.counters["hits_per_query"] = static_cast<double>(hits) / static_cast<double>(state.iterations());
  SetLatencyCounters(state, "", micros);
}

// ---------------------------------------------------------------------------------------------
// Where the import's time goes: per-row costs that raw SQLite does not pay
// ---------------------------------------------------------------------------------------------

void BM_Core_PhoneParse(benchmark::State& state) {
  std::vector<std::string> phones;
  for (int64_t i = 0; i < std::min<int64_t>(Customers(), 100'000); ++i) phones.push_back(MakeRow(i).phone);
  size_t k = 0;
  for (auto _ : state) {
    auto e164 = internal::NormalizePhone(phones[k++ % phones.size()], "US");
    if (!e164.ok()) {
      state.SkipWithError(std::string(e164.status().message()).c_str());
      return;
    }
    benchmark::DoNotOptimize(e164);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Core_NameFold(benchmark::State& state) {
  std::vector<std::string> names;
  for (int64_t i = 0; i < std::min<int64_t>(Customers(), 100'000); ++i) names.push_back(MakeRow(i).name);
  size_t k = 0;
  for (auto _ : state) {
    // What a name costs on the way in: NFC clean-up (field canonicalisation), then the NFKC case
    // fold for the trigram index.
    std::string key = internal::NormalizeForMatch(internal::CleanText(names[k++ % names.size()]));
    benchmark::DoNotOptimize(key);
  }
  state.SetItemsProcessed(state.iterations());
}

void Register() {
  const bool large = Customers() >= 100'000;
  using benchmark::kMicrosecond;
  using benchmark::kMillisecond;
  // Import: one run each (a million rows take seconds); raw SQLite first, so that the Rapport run
  // can report its ratio to both.
  benchmark::RegisterBenchmark("BM_Core_ImportRawSqlite", BM_Core_ImportRawSqlite, false)
      ->Iterations(1)->UseManualTime()->Unit(kMillisecond);
  benchmark::RegisterBenchmark("BM_Core_ImportRawSqliteFts", BM_Core_ImportRawSqlite, true)
      ->Iterations(1)->UseManualTime()->Unit(kMillisecond);
  benchmark::RegisterBenchmark("BM_Core_ImportRapport", BM_Core_ImportRapport)
      ->Iterations(1)->UseManualTime()->Unit(kMillisecond);
  auto* get = benchmark::RegisterBenchmark("BM_Core_GetCustomer", BM_Core_GetCustomer)->UseRealTime()->Unit(kMicrosecond);
  auto* latin = benchmark::RegisterBenchmark("BM_Core_SearchNameLatin", BM_Core_SearchName, NameQuery::kLatin)
                    ->UseRealTime()->Unit(kMicrosecond);
  auto* chinese = benchmark::RegisterBenchmark("BM_Core_SearchNameChinese3", BM_Core_SearchName, NameQuery::kChinese3)
                      ->UseRealTime()->Unit(kMicrosecond);
  auto* scan = benchmark::RegisterBenchmark("BM_Core_SearchNameTwoCharScan", BM_Core_SearchName, NameQuery::kTwoCharScan)
                   ->UseRealTime()->Unit(kMicrosecond);
  auto* broad = benchmark::RegisterBenchmark("BM_Core_SearchNameBroad", BM_Core_SearchName, NameQuery::kBroad)
                    ->UseRealTime()->Unit(kMicrosecond);
  if (large) {  // enough samples for a p99 (the smoke run keeps --benchmark_min_time)
    for (auto* b : {get, latin, chinese, broad}) b->MinTime(2.0);
    scan->MinTime(5.0);
  }
  benchmark::RegisterBenchmark("BM_Core_PhoneParse", BM_Core_PhoneParse)->Unit(benchmark::kNanosecond);
  benchmark::RegisterBenchmark("BM_Core_NameFold", BM_Core_NameFold)->Unit(benchmark::kNanosecond);
}

}  // namespace
}  // namespace rapport::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  rapport::bench::Register();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  rapport::bench::RemoveSharedDb();
  return 0;
}
