// CLV scores as segment metrics: p_alive, expected_purchases_90d, clv and churn_risk on caller frames,
// on database frames (loaded on demand, refreshed from the change feed) and in the SQL form. The
// scores are written with plain SQL, as a model's apply writes them (every row replaced, one
// "clv_scores" change entry).
#include <cmath>

#include "base/strings.h"
#include "db/core.h"
#include "store/sqlite.h"
#include "test_util.h"

namespace rapport {
namespace {

using ::testing::ElementsAre;
using testing::At;
using testing::Person;
using testing::TestDb;

struct Score {
  int64_t customer;
  double p_alive, expected_purchases_90d, clv;
};

std::vector<int64_t> Ids(const absl::StatusOr<std::vector<CustomerId>>& r) {
  EXPECT_TRUE(r.ok()) << r.status();
  std::vector<int64_t> out;
  if (r.ok())
    for (CustomerId id : *r) out.push_back(ToInt(id));
  return out;
}

absl::Status Sql(Database& db, const std::string& sql) {
  return db.core().Write([&](internal::Connection& conn) { return conn.Exec(sql); });
}

// What ApplyClvModel does to the store: the model's row, every score replaced, one change entry
// (unless `log` is false). churn_risk is 1 - p_alive.
absl::Status Apply(Database& db, const std::vector<Score>& scores, bool log = true) {
  std::string sql =
      "INSERT OR IGNORE INTO clv_models (id, name, model, spec, cutoff, fitted_at) VALUES (1, 'm', 'bg_nbd', '{}', 0, 0);"
      "DELETE FROM customer_scores;";
  for (const Score& s : scores) {
    sql += StrCat("INSERT INTO customer_scores VALUES (", s.customer, ", 1, 0, ", s.p_alive, ", ",
                  s.expected_purchases_90d, ", ", s.clv, ", 1 - ", s.p_alive, ");");
  }
  if (log) sql += "INSERT INTO changes (at, entity, entity_id, op) VALUES (0, 'clv_scores', 1, 'apply');";
  return Sql(db, sql);
}

// A caller's frame: a column named p_alive (or any score) is a number column like any other.
CustomerFrame CallerFrame() {
  CustomerFrame f;
  f.ids = {1, 2, 3, 4};
  f.Add("p_alive", NumberColumn{{0.9, 0.2, NAN, 0.45}});
  f.Add("clv", NumberColumn{{500, 20, NAN, 300}});
  return f;
}

TEST(ClvScoresOnFrames, ACallersColumnsNamedLikeScoresAreNumbers) {
  const CustomerFrame f = CallerFrame();
  auto eval = [&](std::string_view text) {
    auto e = SegmentExpr::Parse(text);
    EXPECT_TRUE(e.ok()) << e.status();
    auto ids = EvaluateSegment(*e, f);
    EXPECT_TRUE(ids.ok()) << ids.status();
    return ids.ok() ? *ids : std::vector<int64_t>{-1};
  };
  EXPECT_THAT(eval("p_alive < 0.5"), ElementsAre(2, 4));
  EXPECT_THAT(eval("p_alive is null"), ElementsAre(3));
  EXPECT_THAT(eval("not (p_alive < 0.5)"), ElementsAre(1, 3));
  EXPECT_THAT(eval("p_alive < 0.5 and clv > 100"), ElementsAre(4));
  EXPECT_THAT(eval("coalesce(p_alive, 0) * clv > 200"), ElementsAre(1));
}

TEST(ClvScoresOnFrames, TheCheckerKnowsTheScores) {
  const CustomerFrame f = CallerFrame();
  // A score the frame lacks: named as a score, with where scores come from.
  auto missing = EvaluateSegment(*SegmentExpr::Parse("churn_risk > 0.5"), f);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(missing.status().message(),
            "1:1: churn_risk is a CLV score and the frame has no such column (a database frame has the scores when "
            "loaded with the clv_scores option)\nchurn_risk > 0.5\n^");
  // Suggestions include the scores, also those the frame has no column for.
  auto misspelt = EvaluateSegment(*SegmentExpr::Parse("expected_purchases_09d > 1"), f);
  EXPECT_EQ(misspelt.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(misspelt.status().message(),
            "1:1: unknown field \"expected_purchases_09d\"; did you mean \"expected_purchases_90d\"?\n"
            "expected_purchases_09d > 1\n^");
  auto typed = EvaluateSegment(*SegmentExpr::Parse("p_alive = \"high\""), f);
  EXPECT_EQ(typed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(typed.status().message(), "1:9: cannot compare number with text\np_alive = \"high\"\n        ^");
  // Each score is a number wherever the schema lists it (the database's SQL schema does).
  SegmentSchema schema;
  for (std::string_view s : kClvScoreColumns) schema.push_back({std::string(s), ColumnType::kNumber});
  for (std::string_view s : kClvScoreColumns) {
    EXPECT_TRUE(CheckSegment(*SegmentExpr::Parse(StrCat(s, " between 0 and 1")), schema).ok()) << s;
  }
}

TEST(ClvScoresOnFrames, TheJsonFormAndBuilderMakeTheSameTree) {
  const SegmentExpr built = SegmentExpr::Field("p_alive").Lt(SegmentExpr::Number(0.5)) &&
                            SegmentExpr::Field("expected_purchases_90d").Ge(SegmentExpr::Number(1));
  auto parsed = SegmentExpr::Parse("p_alive < 0.5 and expected_purchases_90d >= 1");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(built, *parsed);
  auto from_json = SegmentExpr::FromJson(built.ToJson());
  ASSERT_TRUE(from_json.ok()) << from_json.status();
  EXPECT_EQ(*from_json, built);
  EXPECT_EQ(from_json->ToText(), "p_alive < 0.5 and expected_purchases_90d >= 1");
  EXPECT_TRUE(ReadsClvScores(built));
  EXPECT_FALSE(ReadsClvScores(*SegmentExpr::Parse("monetary > 0")));
}

class ClvScoresOnDatabase : public ::testing::Test {
 protected:
  int64_t Add(std::string name) {
    auto c = t_.db.CreateCustomer(Person(std::move(name)));
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? ToInt(c->id) : -1;
  }
  internal::FrameCache::Stats Stats() { return t_.db.core().frame_cache().stats(); }
  // The members by the SQL form, run on the store.
  std::vector<int64_t> ViaSql(std::string_view text) {
    auto q = t_.db.SegmentSql(*SegmentExpr::Parse(text));
    EXPECT_TRUE(q.ok()) << q.status();
    if (!q.ok()) return {-1};
    auto rows = t_.db.core().Read([&](internal::Connection& conn) -> absl::StatusOr<std::vector<int64_t>> {
      auto st = conn.Prepare(q->sql);
      if (!st.ok()) return st.status();
      for (size_t i = 0; i < q->params.size(); ++i) {
        const Value& v = q->params[i];
        if (v.type() == Value::Type::kDouble) st->Bind(static_cast<int>(i) + 1, v.as_double());
        if (v.type() == Value::Type::kInt) st->Bind(static_cast<int>(i) + 1, v.as_int());
        if (v.type() == Value::Type::kText) st->Bind(static_cast<int>(i) + 1, v.as_text());
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
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *rows : std::vector<int64_t>{-1};
  }
  // The cached frame's column `name` (NaN per row when it has no array), or nullopt without it.
  std::optional<std::vector<double>> Cached(std::string_view name) {
    std::optional<std::vector<double>> out;
    EXPECT_TRUE(t_.db.core().frame_cache().Use(t_.db.core(), {}, [&](const CustomerFrame& f, const internal::OrderScope&) {
      if (const Column* c = f.Find(name)) {
        const auto& n = std::get<NumberColumn>(*c);
        out.emplace();
        for (size_t r = 0; r < f.rows(); ++r) out->push_back(n.Get(r));
      }
      return absl::OkStatus();
    }).ok());
    return out;
  }

  TestDb t_;
};

TEST_F(ClvScoresOnDatabase, UnscoredCustomersAreNullBothWays) {
  const int64_t a = Add("Ann"), b = Add("Bob"), c = Add("Cai"), d = Add("Dan");
  ASSERT_OK(Apply(t_.db, {{a, 0.9, 2.5, 410.5}, {b, 0.2, 0.1, 12}, {d, 0.45, 0.7, 80}}));
  ASSERT_OK(t_.db.DeleteCustomer(CustomerId{d}));  // a deleted customer's scores stay in the table
  for (const char* text : {"p_alive < 0.5", "p_alive is null", "not (p_alive < 0.5)", "churn_risk > 0.5",
                           "clv > 400 and expected_purchases_90d > 2", "coalesce(clv, -1) < 0", "clv != 12"}) {
    EXPECT_EQ(Ids(t_.db.Segment(text)), ViaSql(text)) << text;
  }
  EXPECT_THAT(Ids(t_.db.Segment("p_alive < 0.5")), ElementsAre(b));
  EXPECT_THAT(Ids(t_.db.Segment("p_alive is null")), ElementsAre(c));
  EXPECT_THAT(Ids(t_.db.Segment("not (p_alive < 0.5)")), ElementsAre(a, c));
  EXPECT_THAT(Ids(t_.db.Segment("churn_risk >= 0.8")), ElementsAre(b));
  auto q = t_.db.SegmentSql(*SegmentExpr::Parse("clv > 400"));
  ASSERT_TRUE(q.ok());
  EXPECT_THAT(q->sql, ::testing::HasSubstr(" LEFT JOIN customer_scores cs ON cs.customer_id = c.id WHERE "));
  EXPECT_THAT(q->sql, ::testing::HasSubstr("coalesce(cs.clv > ?, 0)"));
  EXPECT_EQ(q->params.back(), Value(400.0));
}

TEST_F(ClvScoresOnDatabase, TheFrameHasScoresOnlyOnceAnExpressionReadsThem) {
  const int64_t a = Add("Ann"), b = Add("Bob");
  ASSERT_OK(Apply(t_.db, {{a, 0.9, 2.5, 410.5}}));
  EXPECT_THAT(Ids(t_.db.Segment("name = \"Bob\"")), ElementsAre(b));
  EXPECT_EQ(Cached("p_alive"), std::nullopt);
  EXPECT_EQ(Stats().clv_score_reads, 0);
  EXPECT_THAT(Ids(t_.db.Segment("p_alive > 0.5")), ElementsAre(a));
  EXPECT_EQ(Stats().full_loads, 1);  // added to the cached frame, not loaded again
  EXPECT_EQ(Stats().clv_score_reads, 1);
  std::optional<std::vector<double>> clv = Cached("clv");
  ASSERT_TRUE(clv.has_value());
  EXPECT_EQ((*clv)[0], 410.5);
  EXPECT_TRUE(std::isnan((*clv)[1]));
  // Kept from then on: later expressions without scores do not drop them.
  EXPECT_THAT(Ids(t_.db.Segment("name = \"Ann\"")), ElementsAre(a));
  EXPECT_NE(Cached("clv"), std::nullopt);

  // Database::LoadCustomerFrame has them when asked.
  auto plain = t_.db.LoadCustomerFrame();
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->Find("p_alive"), nullptr);
  auto scored = t_.db.LoadCustomerFrame({}, {.clv_scores = true});
  ASSERT_TRUE(scored.ok());
  for (std::string_view s : kClvScoreColumns) {
    const auto* column = std::get_if<NumberColumn>(scored->Find(s));
    ASSERT_NE(column, nullptr) << s;
    EXPECT_EQ(column->values.size(), 2u) << s;
  }
  EXPECT_DOUBLE_EQ(std::get<NumberColumn>(*scored->Find("churn_risk")).values[0], 0.1);
}

TEST_F(ClvScoresOnDatabase, ScoreColumnsHoldNoArrayBeforeAnyModelIsApplied) {
  for (int i = 0; i < 100; ++i) Add(StrCat("c", i));
  auto plain = t_.db.LoadCustomerFrame();
  auto scored = t_.db.LoadCustomerFrame({}, {.clv_scores = true});
  ASSERT_TRUE(plain.ok() && scored.ok());
  for (std::string_view s : kClvScoreColumns) {
    EXPECT_TRUE(std::get<NumberColumn>(*scored->Find(s)).values.empty()) << s;
  }
  EXPECT_EQ(scored->ByteBreakdown().arrays, plain->ByteBreakdown().arrays);
  EXPECT_EQ(Ids(t_.db.Segment("p_alive is null")).size(), 100u);
  EXPECT_TRUE(Ids(t_.db.Segment("p_alive >= 0")).empty());
}

TEST_F(ClvScoresOnDatabase, AnApplyInTheChangeFeedRereadsTheScores) {
  const int64_t a = Add("Ann"), b = Add("Bob"), c = Add("Cai");
  ASSERT_OK(Apply(t_.db, {{a, 0.9, 2.5, 410.5}, {b, 0.2, 0.1, 12}}));
  EXPECT_THAT(Ids(t_.db.Segment("p_alive < 0.5")), ElementsAre(b));

  // A new model scores everyone differently.
  ASSERT_OK(Apply(t_.db, {{a, 0.3, 0.2, 40}, {c, 0.1, 0, 1}}));
  EXPECT_THAT(Ids(t_.db.Segment("p_alive < 0.5")), ElementsAre(a, c));
  EXPECT_THAT(Ids(t_.db.Segment("p_alive is null")), ElementsAre(b));
  EXPECT_EQ(Stats().full_loads, 1);
  EXPECT_EQ(Stats().clv_score_reads, 1);  // the columns re-read, once, with the frame kept

  // Customers created after the apply join the frame unscored; an apply in the same refresh
  // scores them.
  const int64_t d = Add("Dan");
  EXPECT_THAT(Ids(t_.db.Segment("p_alive is null")), ElementsAre(b, d));
  const int64_t e = Add("Eve");
  ASSERT_OK(Apply(t_.db, {{e, 0.6, 1, 50}, {d, 0.05, 0, 0}}));
  EXPECT_THAT(Ids(t_.db.Segment("p_alive is not null")), ElementsAre(d, e));
  EXPECT_THAT(Ids(t_.db.Segment("churn_risk > 0.9")), ElementsAre(d));

  // The applied model deleted: its scores cascade away, and the entry says so.
  ASSERT_OK(Sql(t_.db, "DELETE FROM clv_models WHERE id = 1;"
                       "INSERT INTO changes (at, entity, entity_id, op) VALUES (0, 'clv_scores', 1, 'delete');"));
  EXPECT_TRUE(Ids(t_.db.Segment("p_alive is not null")).empty());
  EXPECT_EQ(Stats().full_loads, 1);
  EXPECT_EQ(Stats().clv_score_reads, 3);

  // After every refresh the cached frame equals a fresh load.
  auto fresh = t_.db.LoadCustomerFrame({}, {.clv_scores = true});
  ASSERT_TRUE(fresh.ok());
  for (std::string_view s : kClvScoreColumns) {
    std::optional<std::vector<double>> cached = Cached(s);
    ASSERT_TRUE(cached.has_value()) << s;
    const auto& column = std::get<NumberColumn>(*fresh->Find(s));
    ASSERT_EQ(cached->size(), fresh->rows());
    for (size_t r = 0; r < fresh->rows(); ++r) {
      const double x = (*cached)[r], y = column.Get(r);
      EXPECT_TRUE((std::isnan(x) && std::isnan(y)) || x == y) << s << " row " << r;
    }
  }
}

TEST_F(ClvScoresOnDatabase, SavedSegmentsAndTransactionsReadScores) {
  const int64_t a = Add("Ann"), b = Add("Bob");
  ASSERT_OK(Apply(t_.db, {{a, 0.9, 2.5, 410.5}, {b, 0.2, 0.1, 12}}));
  SegmentDef def{.name = "at risk", .expression = "churn_risk > 0.5"};
  ASSERT_OK(t_.db.SaveSegment(def));
  auto delta = t_.db.RefreshSegment("at risk");
  ASSERT_TRUE(delta.ok()) << delta.status();
  EXPECT_THAT(delta->entered, ElementsAre(CustomerId{b}));
  {
    // Inside a transaction the frame is private; it reads the scores too.
    auto tx = t_.db.Begin();
    ASSERT_TRUE(tx.ok());
    EXPECT_THAT(Ids(t_.db.Segment("clv > 100")), ElementsAre(a));
    ASSERT_OK(tx->Rollback());
  }
}

TEST_F(ClvScoresOnDatabase, ACustomFieldCannotTakeAScoresName) {
  for (std::string_view s : kClvScoreColumns) {
    CustomFieldDef def{.name = std::string(s), .type = FieldType::kDecimal};
    auto defined = t_.db.DefineCustomField(def);
    EXPECT_EQ(defined.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(defined.status().message(), StrCat("name: \"", s, "\" is a CLV score (a segment metric)"));
  }
  auto fields = t_.db.CustomFields();
  ASSERT_TRUE(fields.ok());
  EXPECT_TRUE(fields->empty());
  auto changes = t_.db.Changes({});
  ASSERT_TRUE(changes.ok());
  EXPECT_TRUE(changes->empty());
}

}  // namespace
}  // namespace rapport
