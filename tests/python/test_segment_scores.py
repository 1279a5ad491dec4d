"""CLV scores in segments from Python: p_alive, expected_purchases_90d, clv and churn_risk on a
database (scores written with plain SQL, as a model's apply writes them) and on DataFrames."""

import math
import sqlite3

import pytest

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

import rapport  # noqa: E402
from rapport import F, Expr  # noqa: E402

SCORES = ("p_alive", "expected_purchases_90d", "clv", "churn_risk")


def raw_sql(path, write):
    """Runs write(connection) in one transaction on a connection of its own, foreign keys on as the
    library has them (deleting a model cascades to its scores)."""
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA foreign_keys = ON")
        with con:
            write(con)
    finally:
        con.close()


def apply_scores(path, scores):
    """What applying a model does to the store: every score replaced, one change entry."""
    def write(con):
        con.execute("INSERT OR IGNORE INTO clv_models (id, name, model, spec, cutoff, fitted_at) "
                    "VALUES (1, 'm', 'bg_nbd', '{}', 0, 0)")
        con.execute("DELETE FROM customer_scores")
        con.executemany("INSERT INTO customer_scores VALUES (?, 1, 0, ?, ?, ?, ?)",
                        [(c, p, e, v, 1 - p) for c, p, e, v in scores])
        con.execute("INSERT INTO changes (at, entity, entity_id, op) VALUES (0, 'clv_scores', 1, 'apply')")
    raw_sql(path, write)


def delete_model(path):
    """Deleting the applied model: its scores cascade away, one change entry."""
    def write(con):
        con.execute("DELETE FROM clv_models WHERE id = 1")
        con.execute("INSERT INTO changes (at, entity, entity_id, op) VALUES (0, 'clv_scores', 1, 'delete')")
    raw_sql(path, write)


@pytest.fixture
def scored(tmp_path, clock):
    """A file database: Ann likely alive, Bob likely gone, Cai not scored."""
    path = tmp_path / "crm.db"
    with rapport.open(path, clock=clock, default_region="CN") as db:
        ids = [db.create_customer(name).id for name in ("Ann", "Bob", "Cai")]
        apply_scores(path, [(ids[0], 0.9, 2.5, 410.5), (ids[1], 0.2, 0.1, 12.0)])
        yield db, path, ids


def test_database_segments_read_the_scores(scored):
    db, path, (a, b, c) = scored
    assert db.segment("p_alive < 0.5").tolist() == [b]
    assert db.segment(F.churn_risk > 0.5).tolist() == [b]
    assert db.segment((F.clv > 400) & (F.expected_purchases_90d >= 2)).tolist() == [a]
    # Unscored customers are null: comparisons are false, `is null` true.
    assert db.segment(F.p_alive.is_null()).tolist() == [c]
    assert db.segment(~(F.p_alive < 0.5)).tolist() == [a, c]
    sql, params = db.segment_sql(F.p_alive < 0.5)
    assert "LEFT JOIN customer_scores cs ON cs.customer_id = c.id" in sql and 0.5 in params
    df = db.segment_df("churn_risk > 0.5")
    assert df["id"].tolist() == [b]
    assert df["p_alive"].tolist() == [0.2] and df["clv"].tolist() == [12.0]


def test_a_new_apply_reaches_the_cached_frame(scored):
    db, path, (a, b, c) = scored
    assert db.segment("p_alive < 0.5").tolist() == [b]
    apply_scores(path, [(a, 0.1, 0.0, 3.0), (c, 0.7, 1.0, 90.0)])
    assert db.segment("p_alive < 0.5").tolist() == [a]
    assert db.segment("p_alive is null").tolist() == [b]
    delete_model(path)
    assert db.segment("p_alive is null").tolist() == [a, b, c]


def test_saved_segments_on_scores(scored):
    db, path, (a, b, c) = scored
    db.save_segment("at risk", F.churn_risk >= 0.8)
    assert db.refresh_segment("at risk").entered.tolist() == [b]


def test_loaded_frames_have_scores_when_asked(scored):
    db, path, (a, b, c) = scored
    plain = db.load_customer_frame()
    assert not set(SCORES) & set(plain.columns)
    frame = db.load_customer_frame(clv_scores=True)
    assert all(frame.columns[s] == "number" for s in SCORES)
    df = frame.to_pandas()
    assert df["clv"].tolist()[:2] == [410.5, 12.0] and math.isnan(df["clv"].iloc[2])
    assert frame.segment("expected_purchases_90d > 1").tolist() == [a]
    with pytest.raises(rapport.ValidationError) as info:
        plain.segment("p_alive > 0.5")
    assert str(info.value) == (
        "1:1: p_alive is a CLV score and the frame has no such column (a database frame has the scores when "
        "loaded with the clv_scores option)\np_alive > 0.5\n^")
    with pytest.raises(TypeError):
        db.load_customer_frame(clv_scores="yes")


def test_errors_name_the_scores_and_write_nothing(scored):
    db, path, ids = scored
    before = db.changes(0, 1000)[-1].seq
    with pytest.raises(rapport.ValidationError) as info:
        db.segment("p_alvie < 0.5")
    assert str(info.value) == '1:1: unknown field "p_alvie"; did you mean "p_alive"?\np_alvie < 0.5\n^'
    with pytest.raises(rapport.ValidationError) as info:
        db.segment(F.clv == "high")
    assert str(info.value) == "cannot compare number with text"
    with pytest.raises(rapport.ValidationError) as info:
        db.define_custom_field("clv", "decimal")
    assert str(info.value) == 'name: "clv" is a CLV score (a segment metric)'
    assert db.changes(0, 1000)[-1].seq == before
    assert len(db.custom_fields()) == 0


def test_builder_and_json_forms():
    e = (F.p_alive < 0.5) & (F.expected_purchases_90d >= 1) | (F.clv > 100) & (F.churn_risk.between(0.2, 0.9))
    assert Expr.parse(e.to_text()).same_as(e)
    assert Expr.from_json(e.to_json()).same_as(e)
    assert e.fields() == sorted(SCORES)
    assert (F.p_alive < 0.5).to_text() == "p_alive < 0.5"


def test_dataframe_columns_named_like_scores_are_numbers():
    df = pd.DataFrame({"id": [1, 2, 3, 4], "p_alive": [0.9, 0.2, np.nan, 0.45],
                       "clv": [500.0, 20.0, np.nan, 300.0], "churn_risk": [0.1, 0.8, None, 0.55]})
    assert rapport.segment(df, "p_alive < 0.5").tolist() == [2, 4]
    assert rapport.segment(df, F.p_alive.is_null()).tolist() == [3]
    assert rapport.segment(df, ~(F.p_alive < 0.5)).tolist() == [1, 3]
    assert rapport.segment(df, (F.churn_risk > 0.5) & (F.clv > 100)).tolist() == [4]
    mask = (df["p_alive"] < 0.5) & (df["clv"] > 100)
    assert rapport.segment(df, "p_alive < 0.5 and clv > 100").tolist() == df.loc[mask, "id"].tolist()
    # A score the DataFrame has no column for is named as such.
    with pytest.raises(rapport.ValidationError) as info:
        rapport.segment(df, "expected_purchases_90d > 1")
    assert str(info.value).startswith("1:1: expected_purchases_90d is a CLV score and the frame has no such column")
