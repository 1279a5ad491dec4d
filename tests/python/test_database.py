"""Opening, closing, clocks, actors and transactions."""

import datetime as dt
import pathlib

import pytest

import rapport
from conftest import START, UTC


def test_version_and_constants():
    assert rapport.__version__.count(".") == 2
    assert rapport.FIELD_TYPES == ("text", "integer", "decimal", "money", "date", "time", "bool", "enum",
                                   "multi_enum")
    assert rapport.CUSTOMER_KINDS == ("person", "organization")
    assert rapport.CONTACT_KINDS == ("email", "phone")
    assert "note" in rapport.ACTIVITY_KINDS


def test_open_memory_context_manager_closes():
    with rapport.open(":memory:") as db:
        assert not db.closed
        assert db.schema_version >= 1
        db.create_customer("Alice")
    assert db.closed
    with pytest.raises(rapport.Error, match="closed"):
        db.get_customer(1)
    db.close()  # idempotent


def test_file_reopen_keeps_data(tmp_path):
    path = tmp_path / "crm.db"
    with rapport.open(path) as db:
        c = db.create_customer("Alice", emails=["alice@example.com"])
        seq = db.last_change_seq
    with rapport.open(str(path)) as db:
        again = db.get_customer(c.id)
        assert again.name == "Alice"
        assert again.emails == ["alice@example.com"]
        assert db.last_change_seq == seq
    assert db.path == str(path)


def test_open_refuses_non_rapport_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello, this is not a database\n" * 100)
    with pytest.raises(rapport.Error) as info:
        rapport.open(path)
    assert isinstance(info.value, (rapport.ValidationError, rapport.CorruptError))
    assert path.read_text().startswith("hello")  # untouched


def test_open_missing_without_create(tmp_path):
    with pytest.raises(rapport.Error):
        rapport.open(tmp_path / "absent.db", create_if_missing=False)
    assert not (tmp_path / "absent.db").exists()


def test_open_bad_arguments():
    with pytest.raises(TypeError):
        rapport.open(":memory:", clock="yesterday")
    with pytest.raises(rapport.ValidationError):
        rapport.open(":memory:", origin="\udcff")


def test_manual_clock(clock, db):
    assert clock.now() == START
    assert db.now() == START
    c = db.create_customer("Bob")
    assert c.created_at == START and c.created_at.tzinfo is not None
    clock.advance(dt.timedelta(hours=2))
    assert db.now() == START + dt.timedelta(hours=2)
    clock.advance(30)  # seconds
    later = START + dt.timedelta(hours=2, seconds=30)
    assert db.update_customer(c.id, industry="retail").updated_at == later
    clock.set(dt.datetime(2030, 5, 1, tzinfo=UTC))
    assert db.now().year == 2030


def test_clock_rejects_naive_datetime():
    with pytest.raises(rapport.ValidationError, match="naive"):
        rapport.ManualClock(dt.datetime(2024, 1, 1))
    clock = rapport.ManualClock()
    assert clock.now() == dt.datetime(1970, 1, 1, tzinfo=UTC)
    with pytest.raises(rapport.ValidationError, match="naive"):
        clock.set(dt.datetime(2024, 1, 1))


def test_aware_non_utc_datetimes_are_converted(db):
    c = db.create_customer("Zoe")
    shanghai = dt.timezone(dt.timedelta(hours=8))
    o = db.add_order(c.id, "1.00", currency="CNY", ordered_at=dt.datetime(2024, 3, 1, 8, 0, tzinfo=shanghai))
    assert o.ordered_at == dt.datetime(2024, 3, 1, 0, 0, tzinfo=UTC)
    assert o.ordered_at.utcoffset() == dt.timedelta(0)


def test_with_actor(db):
    assert db.actor == rapport.Actor(None, "")
    sales = db.with_actor(42, origin="erp")
    assert sales.actor == (42, "erp")
    c = sales.create_customer("Carol")
    assert db.get_customer(c.id).name == "Carol"  # same database
    system = sales.with_actor(None)
    assert system.actor.user_id is None
    sales.close()
    assert db.get_customer(c.id).name == "Carol"  # closing a sibling keeps the database open


def test_open_with_actor_and_origin():
    with rapport.open(":memory:", actor=7, origin="shop") as db:
        assert db.actor == (7, "shop")
        db.create_customer("Dan")
        (change,) = db.changes()
        assert change.actor == 7 and change.origin == "shop"


def test_repr(db):
    assert "rapport.Database" in repr(db) and ":memory:" in repr(db)


def test_transaction_commits(db):
    with db.transaction():
        a = db.create_customer("A")
        b = db.create_customer("B")
    assert db.get_customer(a.id).name == "A" and db.get_customer(b.id).name == "B"


def test_transaction_rolls_back_on_exception(db):
    before = db.last_change_seq
    with pytest.raises(RuntimeError, match="boom"):
        with db.transaction():
            a = db.create_customer("A")
            raise RuntimeError("boom")
    with pytest.raises(rapport.NotFoundError):
        db.get_customer(a.id)
    assert db.last_change_seq == before


def test_transaction_rolls_back_on_failed_call(db):
    before = db.last_change_seq
    with pytest.raises(rapport.ValidationError):
        with db.transaction():
            db.create_customer("A")
            db.create_customer("")  # name must not be empty
    assert db.search_customers().customers == []
    assert db.last_change_seq == before


def test_explicit_begin_commit_rollback(db):
    tx = db.begin()
    assert tx.active
    c = db.create_customer("Eve")
    tx.rollback()
    assert not tx.active
    with pytest.raises(rapport.NotFoundError):
        db.get_customer(c.id)
    tx = db.begin()
    c = db.create_customer("Eve")
    tx.commit()
    assert db.get_customer(c.id).name == "Eve"


def test_path_like(tmp_path):
    with rapport.open(pathlib.Path(tmp_path) / "x.db") as db:
        assert db.path.endswith("x.db")


def test_transactions_do_not_nest(db):
    with pytest.raises(rapport.StageGateError, match="nest"):
        with db.transaction():
            db.create_customer("outer")
            with db.transaction():
                db.create_customer("inner")
    assert len(db.search_customers()) == 0  # the outer one rolled back too
    assert db.last_change_seq == 0


def test_closed_error_has_code(db):
    db.close()
    with pytest.raises(rapport.Error) as info:
        db.create_customer("x")
    assert type(info.value) is rapport.Error
    assert info.value.code == "FAILED_PRECONDITION" and "closed" in str(info.value)
