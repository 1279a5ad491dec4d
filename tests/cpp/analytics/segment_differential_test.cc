// The evaluator and the SQL compiler must agree: random expressions over a generated database
// give the same members both ways.
#include <random>

#include "absl/strings/str_format.h"

#include "base/strings.h"
#include "db/core.h"
#include "model/frame_loader.h"
#include "rapport/segment.h"
#include "store/sqlite.h"
#include "test_util.h"

namespace rapport {
namespace {

using testing::At;
using testing::TestDb;

constexpr const char* kIndustries[] = {"制造业", "Retail", "retail", "Software", "零售"};
constexpr const char* kRegions[] = {"华东", "华南", "North", "South"};
constexpr const char* kTags[] = {"vip", "b2b", "blocked", "新客", "Churn-Risk"};
constexpr const char* kPlans[] = {"basic", "pro", "企业版"};
constexpr const char* kChannels[] = {"sms", "email", "wechat"};
constexpr const char* kNames[] = {"上海机床厂", "Acme Retail", "广州五金", "Zed", "Acme Goods", "Bob", "北京科技有限公司"};

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Coin(double p = 0.5) { return std::bernoulli_distribution(p)(rng_); }
  template <size_t N>
  const char* Pick(const char* const (&a)[N]) { return a[Int(0, N - 1)]; }
  std::string Quote(std::string_view s) { return StrCat("\"", s, "\""); }

  std::string Text() {
    switch (Int(0, 6)) {
      case 0: return Quote(Coin() ? Pick(kIndustries) : Pick((const char* const[]){"Champions", "Hibernating", "Can't lose", "high value", "general", "potential", "At risk"}));
      case 1: return Quote(Pick(kRegions));
      case 2: return Quote(Pick(kPlans));
      case 3: return Quote(Pick(kNames));
      case 4: {  // a prefix, cut at a character boundary
        std::string name = Pick(kNames);
        size_t len = std::min<size_t>(Int(0, 6), name.size());
        while (len < name.size() && (static_cast<unsigned char>(name[len]) & 0xC0) == 0x80) ++len;
        return Quote(name.substr(0, len));
      }
      case 5: return Quote(Coin() ? "Acme" : "公司");
      default: return Quote("");
    }
  }

  std::string TextField() {
    static const char* kFields[] = {"industry", "region", "plan", "name", "note", "kind", "source", "rfm_segment", "value_tier"};
    return Pick(kFields);
  }

  std::string NumTerm(int depth) {
    static const char* kFields[] = {"frequency", "monetary", "aov", "score", "rate", "budget", "owner",
                                    "mean_interpurchase_days", "recency_days", "tenure_days", "rfm_r", "rfm_f", "rfm_m",
                                    "p_alive", "expected_purchases_90d", "clv", "churn_risk"};
    int k = depth > 0 ? Int(0, 9) : Int(0, 3);
    switch (k) {
      case 0: case 1: case 2: return Pick(kFields);
      case 3: return StrCat(Int(-5, 500) * (Coin(0.3) ? 10 : 1), Coin(0.3) ? ".5" : "");
      case 4: return StrCat(NumTerm(depth - 1), " + ", NumTerm(depth - 1));
      case 5: return StrCat("(", NumTerm(depth - 1), Coin() ? " - " : " * ", NumTerm(depth - 1), ")");
      case 6: return StrCat(NumTerm(depth - 1), " / ", NumTerm(depth - 1));
      case 7: return StrCat(Pick((const char* const[]){"abs", "round", "floor", "ceil"}), "(", NumTerm(depth - 1), ")");
      case 8: return StrCat(Coin() ? "coalesce" : Coin() ? "least" : "greatest", "(", NumTerm(depth - 1), ", ", NumTerm(depth - 1), ")");
      default: return StrCat("days_since(", TimeTerm(depth - 1), ")");
    }
  }

  std::string TimeTerm(int depth) {
    static const char* kFields[] = {"last_order_at", "first_order_at", "created_at", "birthday", "signed_on", "last_visit"};
    switch (depth > 0 ? Int(0, 5) : Int(0, 2)) {
      case 0: case 1: return Pick(kFields);
      case 2: return absl::StrFormat("date \"%04d-%02d-%02d\"", 2024 + Int(-30, 1), Int(1, 12), Int(1, 28));
      case 3: return StrCat("now() - ", Int(0, 400), Coin() ? "d" : "h");
      case 4: return StrCat(TimeTerm(depth - 1), " + ", Int(1, 20), "w");
      default: return StrCat(Coin() ? "least" : "coalesce", "(", TimeTerm(depth - 1), ", ", TimeTerm(depth - 1), ")");
    }
  }

  std::string Cmp() { return Pick((const char* const[]){"=", "!=", "<", "<=", ">", ">="}); }

  std::string Leaf(int depth) {
    switch (Int(0, 13)) {
      case 0: case 1: return StrCat(NumTerm(depth), " ", Cmp(), " ", NumTerm(depth));
      case 2: return StrCat(TimeTerm(depth), " ", Cmp(), " ", TimeTerm(depth));
      case 3: return StrCat(TextField(), " ", Cmp(), " ", Text());
      case 4: return StrCat(TextField(), Coin() ? " in (" : " not in (", Text(), ", ", Text(), ")");
      case 5: return StrCat(TextField(), " ", Pick((const char* const[]){"contains", "starts_with", "ends_with", "not contains"}), " ", Text());
      case 6: {
        std::string fn = Pick((const char* const[]){"has_tag", "has_any_tag", "has_all_tags"});
        return StrCat(fn, "(\"", Pick(kTags), "\"", fn != "has_tag" && Coin() ? StrCat(", \"", Pick(kTags), "\"") : "", ")");
      }
      case 7: return StrCat(Coin() ? "has_any" : "has_all", "(channels, \"", Pick(kChannels), "\"", Coin() ? ", \"SMS\"" : "", ")");
      case 8: {
        static const char* kAny[] = {"region", "score", "rate", "budget", "signed_on", "last_order_at", "aov", "plan",
                                     "verified", "tags", "channels", "note", "birthday", "industry", "p_alive",
                                     "expected_purchases_90d"};
        return StrCat(Pick(kAny), Coin() ? " is null" : " is not null");
      }
      case 9: return StrCat(NumTerm(depth), Coin() ? " between " : " not between ", NumTerm(0), " and ", NumTerm(0));
      case 10: return Coin() ? "verified" : StrCat("verified = ", Coin() ? "true" : "false");
      case 11: return StrCat("coalesce(verified, ", Coin() ? "true" : "false", ")");
      case 12: return StrCat(Coin() ? "in_segment(\"odd\")" : "not in_segment(\"odd\")");
      default: return StrCat(TextField(), " ", Cmp(), " ", TextField());
    }
  }

  std::string Bool(int depth) {
    if (depth == 0) return Leaf(1);
    switch (Int(0, 4)) {
      case 0: return StrCat(Bool(depth - 1), " and ", Bool(depth - 1));
      case 1: return StrCat("(", Bool(depth - 1), " or ", Bool(depth - 1), ")");
      case 2: return StrCat("not (", Bool(depth - 1), ")");
      default: return Leaf(depth);
    }
  }

  std::mt19937_64 rng_;
};

class SegmentDifferential : public ::testing::Test {
 protected:
  void SetUp() override {
    Database& db = t_.db;
    auto def = [&](std::string name, FieldType type, std::vector<std::string> options = {}, std::string currency = "") {
      CustomFieldDef d;
      d.name = std::move(name);
      d.type = type;
      d.options = std::move(options);
      d.currency = std::move(currency);
      ASSERT_TRUE(db.DefineCustomField(d).ok());
    };
    def("score", FieldType::kInteger);
    def("rate", FieldType::kDecimal);
    def("budget", FieldType::kMoney, {}, "CNY");
    def("plan", FieldType::kEnum, {"basic", "pro", "企业版"});
    def("channels", FieldType::kMultiEnum, {"sms", "email", "wechat"});
    def("verified", FieldType::kBool);
    def("signed_on", FieldType::kDate);
    def("last_visit", FieldType::kTime);
    def("note", FieldType::kText);

    Generator g(7);
    auto tx = db.Begin();
    ASSERT_TRUE(tx.ok());
    for (int i = 0; i < 400; ++i) {
      CustomerDraft d;
      d.Set("name", StrCat(g.Pick(kNames), g.Coin(0.7) ? StrCat(" ", i) : ""));
      if (g.Coin(0.3)) d.Set("kind", "organization");
      if (g.Coin(0.85)) d.Set("industry", g.Pick(kIndustries));
      if (g.Coin(0.8)) d.Set("region", g.Pick(kRegions));
      if (g.Coin(0.5)) d.Set("source", g.Coin() ? "web" : "展会");
      if (g.Coin(0.6)) d.Set("owner", int64_t{g.Int(1, 5)});
      if (g.Coin(0.5)) d.Set("birthday", StrCat(g.Int(1950, 2005), "-0", g.Int(1, 9), "-1", g.Int(0, 9)));
      if (g.Coin(0.7)) d.Set("score", int64_t{g.Int(-10, 100)});
      if (g.Coin(0.6)) d.Set("rate", StrCat(g.Int(0, 99), ".", g.Int(0, 9)));
      if (g.Coin(0.5)) d.Set("budget", StrCat(g.Int(0, 9000), ".", g.Int(10, 99), " CNY"));
      if (g.Coin(0.7)) d.Set("plan", g.Pick(kPlans));
      if (g.Coin(0.6)) {
        std::vector<std::string> ch;
        for (const char* c : kChannels)
          if (g.Coin()) ch.push_back(c);
        d.Set("channels", ch);
      }
      if (g.Coin(0.7)) d.Set("verified", g.Coin());
      if (g.Coin(0.6)) d.Set("signed_on", StrCat(g.Int(2015, 2024), "-1", g.Int(0, 2), "-0", g.Int(1, 9)));
      if (g.Coin(0.5)) d.Set("last_visit", absl::ToUnixMicros(At(2024, g.Int(1, 12), g.Int(1, 28), g.Int(0, 23))));
      if (g.Coin(0.5)) d.Set("note", g.Pick(kNames));
      int tags = g.Int(0, 3);
      for (int k = 0; k < tags; ++k) d.tags.push_back(g.Pick(kTags));
      t_.clock->Set(At(2020 + g.Int(0, 4), g.Int(1, 12), g.Int(1, 28)));
      auto c = db.CreateCustomer(d);
      ASSERT_TRUE(c.ok()) << c.status();
      int orders = g.Coin(0.2) ? 0 : g.Int(1, 6);
      for (int k = 0; k < orders; ++k) {
        OrderDraft o;
        o.customer = c->id;
        o.amount = Money{g.Int(1, 200000), g.Coin(0.95) ? "CNY" : "USD"};
        o.ordered_at = At(2021 + g.Int(0, 3), g.Int(1, 12), g.Int(1, 28), g.Int(0, 23));
        o.status = g.Coin(0.85) ? "completed" : "refunded";
        ASSERT_TRUE(db.AddOrder(o).ok());
      }
      if (i % 50 == 7) {
        ASSERT_TRUE(db.DeleteCustomer(c->id).ok());
      }
    }
    ASSERT_TRUE(tx->Commit().ok());
    t_.clock->Set(At(2025, 3, 1, 12));

    // CLV scores as a model's apply writes them: most customers (deleted ones too) scored, some not;
    // a few scores missing on their own. Quarter steps so that literals hit them exactly.
    ASSERT_TRUE(t_.db.core().Write([&](internal::Connection& conn) -> absl::Status {
      absl::Status s = conn.Exec("INSERT INTO clv_models (id, name, model, spec, cutoff, fitted_at) VALUES (1, 'm', 'bg_nbd', '{}', 0, 0)");
      if (!s.ok()) return s;
      auto ids = conn.Prepare("SELECT id FROM customers ORDER BY id");
      if (!ids.ok()) return ids.status();
      std::vector<int64_t> all;
      while (true) {
        auto row = ids->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        all.push_back(ids->Int(0));
      }
      auto insert = conn.Prepare("INSERT INTO customer_scores VALUES (?, 1, 0, ?, ?, ?, ?)");
      if (!insert.ok()) return insert.status();
      for (int64_t id : all) {
        if (g.Coin(0.25)) continue;
        const double p_alive = g.Int(0, 4) / 4.0;
        insert->Reset();
        insert->Bind(1, id).Bind(2, p_alive).Bind(5, 1 - p_alive).Bind(4, g.Int(0, 40) * 125.0);
        if (g.Coin(0.9)) insert->Bind(3, g.Int(0, 20) / 4.0); else insert->BindNull(3);
        auto done = insert->Step();
        if (!done.ok()) return done.status();
      }
      return absl::OkStatus();
    }).ok());
  }

  std::vector<int64_t> RunSql(const SqlQuery& q) {
    auto rows = t_.db.core().Read([&](internal::Connection& conn) -> absl::StatusOr<std::vector<int64_t>> {
      auto st = conn.Prepare(q.sql);
      if (!st.ok()) return st.status();
      for (size_t i = 0; i < q.params.size(); ++i) {
        const Value& v = q.params[i];
        int k = static_cast<int>(i) + 1;
        switch (v.type()) {
          case Value::Type::kInt: st->Bind(k, v.as_int()); break;
          case Value::Type::kDouble: st->Bind(k, v.as_double()); break;
          case Value::Type::kText: st->Bind(k, v.as_text()); break;
          default: return absl::InternalError("unexpected parameter type");
        }
      }
      std::vector<int64_t> out;
      while (true) {
        auto row = st->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        out.push_back(st->Int(0));
      }
      return out;
    });
    EXPECT_TRUE(rows.ok()) << rows.status() << "\n" << q.sql;
    return rows.ok() ? *rows : std::vector<int64_t>{-1};
  }

  TestDb t_;
};

TEST_F(SegmentDifferential, EvaluatorAndSqlAgreeOnGeneratedExpressions) {
  FrameOptions frame_options;
  frame_options.currency = "CNY";
  auto frame = t_.db.LoadCustomerFrame(frame_options, {.clv_scores = true});
  ASSERT_TRUE(frame.ok()) << frame.status();
  SegmentContext ctx;
  ctx.as_of = absl::ToUnixMicros(t_.db.Now());
  std::vector<int64_t> odd;
  for (int64_t id : frame->ids)
    if (id % 2) odd.push_back(id);
  ctx.segment_members = [&](std::string_view name) -> absl::StatusOr<std::vector<int64_t>> {
    if (name == "odd") return odd;
    return absl::NotFoundError("no such segment");
  };
  // The database's own mapping of fields to columns; the test supplies saved segments itself.
  auto schema = t_.db.core().Read([&](internal::Connection& conn) -> absl::StatusOr<SqlSchema> {
    auto scope = internal::ResolveOrderScope(conn, frame_options);
    if (!scope.ok()) return scope.status();
    return internal::MakeSqlSchema(*t_.db.core().schema(), *scope);
  });
  ASSERT_TRUE(schema.ok()) << schema.status();
  const SqlSchema& sql_schema = *schema;

  for (const char* probe : {"has_any_tag(\"新客\")", "has_tag(\"vip\")", "tags is null", "days_since(last_order_at) <= 428", "greatest(mean_interpurchase_days, 428) > 0", "greatest(mean_interpurchase_days, 428) >= days_since(last_order_at)", "428 >= days_since(last_order_at)",
                            "p_alive < 0.5", "p_alive is null", "churn_risk >= 0.5 and clv > 1000",
                            "coalesce(expected_purchases_90d, 0) >= 1", "not (expected_purchases_90d < 2.5)"}) {
    auto e = SegmentExpr::Parse(probe);
    auto m = EvaluateSegment(*e, *frame, ctx);
    auto q = CompileSegmentToSql(*e, sql_schema, ctx);
    ASSERT_TRUE(m.ok() && q.ok());
    EXPECT_EQ(*m, RunSql(*q)) << probe;
  }
  Generator g(2025);
  int nonempty = 0, partial = 0, partial_on_scores = 0;
  const int kExpressions = 600;
  for (int i = 0; i < kExpressions; ++i) {
    std::string text = g.Bool(g.Int(0, 3));
    auto expr = SegmentExpr::Parse(text);
    ASSERT_TRUE(expr.ok()) << text << "\n" << expr.status();
    auto reparsed = SegmentExpr::Parse(expr->ToText());
    ASSERT_TRUE(reparsed.ok()) << expr->ToText();
    ASSERT_EQ(*reparsed, *expr) << text;
    auto from_json = SegmentExpr::FromJson(expr->ToJson());
    ASSERT_TRUE(from_json.ok() && *from_json == *expr) << expr->ToJson();

    auto members = EvaluateSegment(*expr, *frame, ctx);
    ASSERT_TRUE(members.ok()) << text << "\n" << members.status();
    auto compiled = CompileSegmentToSql(*expr, sql_schema, ctx);
    ASSERT_TRUE(compiled.ok()) << text << "\n" << compiled.status();
    std::vector<int64_t> via_sql = RunSql(*compiled);
    ASSERT_EQ(*members, via_sql) << text << "\n" << compiled->sql;
    nonempty += !members->empty();
    const bool split = !members->empty() && members->size() < frame->rows();
    partial += split;
    partial_on_scores += split && ReadsClvScores(*expr);
  }
  // The generator must produce informative expressions, not only empty or full selections.
  EXPECT_GT(partial, kExpressions / 3);
  EXPECT_GT(nonempty, kExpressions / 2);
  EXPECT_GT(partial_on_scores, kExpressions / 20);
}

}  // namespace
}  // namespace rapport
