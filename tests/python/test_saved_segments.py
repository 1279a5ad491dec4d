"""Segments on a database and saved segments from Python."""

import datetime as dt

import pytest

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

import rapport  # noqa: E402
from conftest import START  # noqa: E402
from rapport import F  # noqa: E402

UTC = dt.timezone.utc


def at(y, m, d):
    return dt.datetime(y, m, d, tzinfo=UTC)


@pytest.fixture
def people(db):
    """Ann, Bob, Cai and Dan; returns their ids."""
    return [db.create_customer(name).id for name in ("Ann", "Bob", "Cai", "Dan")]


def spend(db, customer, amount, when):
    db.add_order(customer, amount, currency="CNY", ordered_at=when)


# ------------------------------------------------------------------------------ db.segment

def test_database_segment_with_text_and_builder(db, clock):
    a = db.create_customer("Ann", region="华东", tags=["vip"]).id
    b = db.create_customer("Bob", region="华南").id
    c = db.create_customer("Cai", region="华东").id
    spend(db, a, "6000.00", at(2024, 12, 1))
    spend(db, b, "9000.00", at(2024, 6, 1))
    spend(db, c, "1.00", at(2024, 12, 20))
    clock.set(at(2025, 1, 1))
    text = 'region = "华东" and monetary > 5000 and recency_days <= 90'
    got = db.segment(text)
    assert got.dtype == np.int64 and got.tolist() == [a]
    built = (F.region == "华东") & (F.monetary > 5000) & (F.recency_days <= 90)
    assert db.segment(built).tolist() == [a]
    assert db.segment(F.has_tag("VIP")).tolist() == [a]  # tags match without regard to case
    # as_of moves "now": Ann's order is 92 days old on 2025-03-03.
    assert db.segment(built, as_of=at(2025, 3, 3)).tolist() == []
    assert db.segment(built, dt.date(2025, 3, 1)).tolist() == [a]
    assert db.segment("monetary > 5000", order_statuses=["refunded"]).tolist() == []
    assert db.segment("frequency = 0").tolist() == []
    assert db.segment(F.name.isin(["Bob", "Cai"])).tolist() == [b, c]


def test_segment_sql_binds_parameters(db):
    db.create_customer("Ann", region="华东")
    sql, params = db.segment_sql((F.region == "华东") & F.name.startswith("A"))
    assert sql.startswith("SELECT") or sql.startswith("WITH")
    assert "华东" not in sql and "华东" in params
    assert sql.count("?") == len(params)


def test_segment_df_has_the_matching_customers(db, clock):
    a = db.create_customer("Ann", region="华东", industry="retail", tags=["vip", "b2b"]).id
    db.create_customer("Bob", region="华南")
    db.define_custom_field("score", "integer")
    db.update_customer(a, score=7)
    spend(db, a, "12.50", at(2023, 12, 1))
    df = db.segment_df('region = "华东"')
    assert df["id"].tolist() == [a]
    assert df["name"].tolist() == ["Ann"] and str(df["region"].iloc[0]) == "华东"
    assert df["tags"].iloc[0] == ["b2b", "vip"]
    assert df["score"].iloc[0] == 7 and df["monetary"].iloc[0] == 12.5 and df["frequency"].iloc[0] == 1
    assert df["last_order_at"].iloc[0] == pd.Timestamp("2023-12-01", tz="UTC")
    assert df["created_at"].iloc[0] == pd.Timestamp(clock.now())
    assert len(db.segment_df("monetary > 100")) == 0
    frame = db.load_customer_frame()
    assert frame.rows == 2 and frame.columns["tags"] == "set" and frame.columns["monetary"] == "number"
    assert frame.segment('has_tag("vip")').tolist() == [a]
    assert frame.to_pandas()["name"].tolist() == ["Ann", "Bob"]


def test_segment_errors(db):
    db.create_customer("Ann", region="华东")
    with pytest.raises(rapport.ValidationError) as info:
        db.segment("monetary >> 5")
    assert str(info.value) == "1:11: expected an expression\nmonetary >> 5\n          ^"
    with pytest.raises(rapport.ValidationError) as info:
        db.segment("monetery > 5")
    assert str(info.value) == '1:1: unknown field "monetery"; did you mean "monetary"?\nmonetery > 5\n^'
    with pytest.raises(rapport.ValidationError) as info:
        db.segment("region > 5")
    assert str(info.value) == "1:8: cannot compare text with number\nregion > 5\n       ^"
    with pytest.raises(rapport.ValidationError) as info:
        db.segment(F.region > 5)  # built: no position
    assert str(info.value) == "cannot compare text with number"
    with pytest.raises(rapport.NotFoundError) as info:
        db.segment('in_segment("nope")')
    assert str(info.value) == 'in_segment: no saved segment named "nope"'
    with pytest.raises(rapport.NotFoundError):
        db.segment_df('in_segment("nope")')
    with pytest.raises(TypeError):
        db.segment(42)
    with pytest.raises(rapport.ValidationError, match="naive"):
        db.segment("monetary > 1", as_of=dt.datetime(2025, 1, 1))


# ------------------------------------------------------------------------------ saved segments

def test_refresh_records_who_entered_and_left_and_keeps_history(db, clock, people):
    ann, bob = people[0], people[1]
    saved = db.save_segment("高价值", (F.monetary >= 1000) & (F.recency_days <= 30), description="top buyers")
    assert saved.kind == "dynamic" and saved.expression == "monetary >= 1000 and recency_days <= 30"
    assert saved.expr.same_as("monetary >= 1000 and recency_days <= 30")
    assert saved.description == "top buyers" and saved.members == 0 and saved.refreshed_at is None
    spend(db, ann, "1500.00", at(2025, 1, 1))
    spend(db, bob, "900.00", at(2025, 1, 1))
    clock.set(at(2025, 1, 10))
    seq = db.last_change_seq
    d1 = db.refresh_segment("高价值")
    assert isinstance(d1, rapport.SegmentDelta)
    assert d1.name == "高价值" and d1.as_of == at(2025, 1, 10)
    assert d1.entered.dtype == np.int64 and d1.entered.tolist() == [ann] and d1.left.tolist() == []
    assert d1.members == 1
    changes = db.changes(after_seq=seq)
    assert [(c.entity, c.op) for c in changes] == [("segment", "refresh")]
    assert changes[0].after["entered"] == [ann]

    spend(db, bob, "200.00", at(2025, 1, 20))
    d2 = db.refresh_segment("高价值", as_of=at(2025, 2, 5))  # Ann's order is 35 days old by now
    assert d2.entered.tolist() == [bob] and d2.left.tolist() == [ann] and d2.members == 1
    assert db.segment_members("高价值").tolist() == [bob]
    assert db.segment_members("高价值", as_of=at(2025, 1, 20)).tolist() == [ann]
    assert db.segment_members("高价值", as_of=pd.Timestamp("2025-01-20", tz="UTC")).tolist() == [ann]
    with pytest.raises(rapport.StageGateError) as info:
        db.segment_members("高价值", as_of=at(2025, 1, 9))
    assert str(info.value) == 'as_of: the membership of "高价值" is known from 2025-01-10T00:00:00Z on'
    with pytest.raises(rapport.ValidationError) as info:
        db.refresh_segment("高价值", as_of=at(2025, 2, 1))
    assert str(info.value) == ('as_of: 2025-02-01T00:00:00Z is before the last refresh of "高价值" '
                               '(2025-02-05T00:00:00Z)')
    got = db.get_segment("高价值")
    assert got.members == 1 and got.refreshed_at == at(2025, 2, 5) and got.history_from == at(2025, 1, 10)
    assert got.created_at == START and got.updated_at == START


def test_lists_suppression_and_set_operations(db, people):
    ann, bob, cai, dan = people
    vip = db.save_segment("vip", kind="static")
    assert vip.kind == "static" and vip.expression == "" and vip.expr is None
    db.save_segment("do not contact", kind="suppression")
    db.add_to_segment("vip", [ann, bob, cai])
    db.add_to_segment("do not contact", np.array([bob]))
    db.save_segment("vip or dan", 'in_segment("vip") or name = "Dan"')
    d = db.refresh_segment("vip or dan")
    assert d.entered.tolist() == [ann, cai, dan]  # Bob is suppressed
    # Set operations are expressions over saved segments.
    diff = db.segment(F.in_segment("vip") & ~F.in_segment("do not contact"))
    assert diff.tolist() == [ann, cai]
    db.remove_from_segment("vip", ann)
    assert db.segment_members("vip").tolist() == [bob, cai]
    assert db.get_segment("vip").members == 2
    listed = db.segments()
    assert [s.name for s in listed] == ["do not contact", "vip", "vip or dan"]
    frame = listed.to_pandas()
    assert set(frame.columns) >= {"name", "kind", "expression", "members", "refreshed_at"}
    assert str(frame["members"].dtype) == "int64"
    db.drop_segment("vip or dan")
    with pytest.raises(rapport.NotFoundError):
        db.get_segment("vip or dan")


def test_refresh_segments_follows_references(db, clock, people):
    spend(db, people[0], "5000.00", at(2023, 12, 1))
    db.save_segment("buyers", "frequency >= 1")
    db.save_segment("a_big", F.in_segment("buyers") & (F.monetary > 1000))
    deltas = db.refresh_segments()
    assert [d.name for d in deltas] == ["buyers", "a_big"]
    assert deltas[1].entered.tolist() == [people[0]]
    assert all(d.as_of == clock.now() for d in deltas)


def test_bad_definitions_are_refused_and_nothing_is_written(db, people):
    db.save_segment("a", "frequency > 1")
    seq = db.last_change_seq

    def refused(cls, message, call, *args, **kwargs):
        with pytest.raises(cls) as info:
            call(*args, **kwargs)
        assert str(info.value) == message
        assert db.last_change_seq == seq

    refused(rapport.ValidationError, "expression: 1:11: expected an expression\nmonetary >> 5\n          ^",
            db.save_segment, "b", "monetary >> 5")
    refused(rapport.ValidationError,
            'expression: 1:1: unknown field "monetery"; did you mean "monetary"?\nmonetery > 5\n^',
            db.save_segment, "b", "monetery > 5")
    # A built expression is stored as its text form, so errors point into that text.
    refused(rapport.ValidationError,
            'expression: 1:1: unknown field "monetery"; did you mean "monetary"?\nmonetery > 5\n^',
            db.save_segment, "b", F.monetery > 5)
    refused(rapport.ValidationError, "expression: 1:8: cannot compare text with number\nregion > 5\n       ^",
            db.save_segment, "b", "region > 5")
    refused(rapport.NotFoundError, 'expression: in_segment: no saved segment named "zzz"',
            db.save_segment, "b", F.in_segment("zzz"))
    db.save_segment("b", 'in_segment("a")')
    seq = db.last_change_seq
    refused(rapport.ValidationError, "expression: segments must not refer to themselves (a -> b -> a)",
            db.save_segment, "a", 'in_segment("b")')
    refused(rapport.ValidationError, "name: must not be empty", db.save_segment, "", "frequency > 1")
    refused(rapport.ValidationError, 'expression: only dynamic segments have one ("l" is static)',
            db.save_segment, "l", "frequency > 1", kind="static")
    refused(rapport.StageGateError, 'kind: segment "a" is dynamic; drop it to make it static',
            db.save_segment, "a", kind="static")
    refused(rapport.StageGateError, 'segment "a": used by segment "b"', db.drop_segment, "a")
    refused(rapport.StageGateError, 'segment "a": dynamic; its members come from its expression',
            db.add_to_segment, "a", [people[0]])
    refused(rapport.NotFoundError, 'segment "nope": not found', db.drop_segment, "nope")
    refused(rapport.NotFoundError, 'segment "nope": not found', db.refresh_segment, "nope")
    with pytest.raises(rapport.ValidationError, match="kind: unknown value 'smart'"):
        db.save_segment("x", "frequency > 1", kind="smart")
    assert db.last_change_seq == seq

    db.save_segment("list", kind="static")
    seq = db.last_change_seq
    refused(rapport.NotFoundError, "customer 999: not found", db.add_to_segment, "list", [people[0], 999])
    assert db.get_segment("list").members == 0
    refused(rapport.StageGateError, 'segment "list": a static list has no expression to refresh',
            db.refresh_segment, "list")
    with pytest.raises(TypeError):
        db.add_to_segment("list", [1.5])
    with pytest.raises(TypeError):
        db.add_to_segment("list", "1")
    assert db.last_change_seq == seq
    assert len(db.segments()) == 3


def test_saved_segment_updates_and_transactions(db, people):
    db.save_segment("s", "frequency > 1", description="first")
    updated = db.save_segment("s", F.frequency > 2, description="second")
    assert updated.expression == "frequency > 2" and updated.description == "second"
    with db.transaction():
        db.save_segment("t", kind="static")
        db.add_to_segment("t", people[:2])
        assert db.segment_members("t").tolist() == people[:2]
    assert db.get_segment("t").members == 2
    seq = db.last_change_seq
    with pytest.raises(RuntimeError):
        with db.transaction():
            db.add_to_segment("t", people[2])
            raise RuntimeError("roll back")
    assert db.segment_members("t").tolist() == people[:2] and db.last_change_seq == seq


def test_closed_database(db):
    db.close()
    with pytest.raises(rapport.Error, match="closed"):
        db.segment("frequency > 1")
    with pytest.raises(rapport.Error, match="closed"):
        db.segments()


def test_orders_in_several_currencies_need_a_choice(db, clock, people):
    spend(db, people[0], "100.00", at(2023, 12, 1))
    db.add_order(people[1], "50.00", currency="USD", ordered_at=at(2023, 12, 1))
    db.save_segment("buyers", "frequency >= 1")
    seq = db.last_change_seq
    with pytest.raises(rapport.StageGateError, match="several currencies"):
        db.refresh_segment("buyers")
    with pytest.raises(rapport.StageGateError, match="several currencies"):
        db.segment("frequency >= 1")
    assert db.last_change_seq == seq
    assert db.segment("frequency >= 1", currency="USD").tolist() == [people[1]]
    saved = db.save_segment("buyers", "frequency >= 1", currency="CNY")
    assert (saved.currency, saved.order_statuses) == ("CNY", ["completed"])
    assert db.refresh_segment("buyers").entered.tolist() == [people[0]]
    db.save_segment("buyers", "frequency >= 1", currency="USD", order_statuses=["completed", "shipped"])
    assert db.get_segment("buyers").order_statuses == ["completed", "shipped"]
    assert [d.name for d in db.refresh_segments()] == ["buyers"]
    assert db.segment_members("buyers").tolist() == [people[1]]
    assert db.segment("frequency >= 1", currency="CNY", order_statuses=["refunded"]).tolist() == []


def test_frame_options_are_checked_when_saved(db):
    seq = db.last_change_seq
    with pytest.raises(rapport.ValidationError, match=r"^frame.currency: \"XXQ\" is not an ISO 4217 currency code"):
        db.save_segment("a", "monetary > 1", currency="XXQ")
    with pytest.raises(rapport.ValidationError, match="^frame.order_statuses: must name at least one status$"):
        db.save_segment("a", "monetary > 1", order_statuses=[])
    with pytest.raises(rapport.ValidationError, match=r"^frame: only dynamic segments count orders \("):
        db.save_segment("a", kind="static", currency="CNY")
    assert db.last_change_seq == seq
    assert len(db.segments()) == 0
