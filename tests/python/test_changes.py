"""The change feed, actors and origins, and durable consumers."""

import pytest

import rapport


def test_feed_records_actor_origin_and_fields(db):
    assert db.last_change_seq == 0
    erp = db.with_actor(7, origin="erp")
    c = erp.create_customer("Ann", industry="retail")
    db.update_customer(c.id, industry="banking")
    changes = db.changes()
    assert [ch.seq for ch in changes] == sorted(ch.seq for ch in changes)
    create, update = changes[0], changes[-1]
    assert isinstance(create, rapport.Change)
    assert (create.entity, create.entity_id, create.op) == ("customer", c.id, "create")
    assert create.actor == 7 and create.origin == "erp"
    assert create.before is None and create.after["name"] == "Ann"
    assert update.op == "update" and update.actor is None and update.origin == ""
    assert "industry" in update.fields
    assert update.before["industry"] == "retail" and update.after["industry"] == "banking"
    assert update.at.tzinfo is not None
    assert db.last_change_seq == update.seq


def test_exclude_origin_and_paging(db):
    erp = db.with_actor(None, origin="erp")
    for i in range(5):
        erp.create_customer(f"E{i}")
    db.create_customer("mine")
    assert [ch.after["name"] for ch in db.changes(exclude_origin="erp")] == ["mine"]
    first = db.changes(limit=2)
    assert len(first) == 2
    rest = db.changes(after_seq=first[-1].seq)
    assert len(first) + len(rest) == len(db.changes())


def test_consumers(db):
    db.create_customer("A")
    db.create_consumer("sync")
    assert db.consumer_cursor("sync") == 0
    seq = db.changes()[-1].seq
    db.ack_consumer("sync", seq)
    assert db.consumer_cursor("sync") == seq
    with pytest.raises(rapport.AlreadyExistsError):
        db.create_consumer("sync")
    db.drop_consumer("sync")
    with pytest.raises(rapport.NotFoundError):
        db.consumer_cursor("sync")
    db.create_consumer("late", start_after_seq=seq)
    assert db.consumer_cursor("late") == seq


def test_consumer_survives_reopen(tmp_path):
    path = tmp_path / "feed.db"
    with rapport.open(path) as db:
        db.create_customer("A")
        db.create_consumer("bi")
        db.ack_consumer("bi", db.last_change_seq)
        seq = db.last_change_seq
    with rapport.open(path) as db:
        assert db.consumer_cursor("bi") == seq
        assert db.changes(after_seq=db.consumer_cursor("bi")) == []


def test_failed_call_writes_no_change(db):
    before = db.last_change_seq
    with pytest.raises(rapport.ValidationError):
        db.create_customer("")
    with pytest.raises(rapport.NotFoundError):
        db.delete_customer(77)
    assert db.last_change_seq == before
    assert db.changes() == []
