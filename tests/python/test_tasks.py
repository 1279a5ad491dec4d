"""Tasks and reminders from Python: create / update / complete / cancel, lists, reminders claimed
once, errors with exact messages and nothing written, and a manual-clock scenario over weeks."""

import datetime as dt

import pytest

import rapport

UTC = dt.timezone.utc


def at(y, m, d, h=0, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=UTC)


def titles(tasks):
    return [t.title for t in tasks]


def test_create_and_read_back(db):
    ann = db.create_customer("Ann").id
    t = db.create_task("Call back about the quote", customer=ann, owner=5, team="sales", due=at(2024, 1, 3, 9),
                       remind_at=at(2024, 1, 3, 8), priority="high", ref=("deal", 77), notes="她想要折扣")
    assert isinstance(t, rapport.Task)
    assert t.id > 0 and t.status == "open" and t.is_open and t.version == 1
    got = db.task(t.id)
    assert got == t
    assert got.customer == ann and got.owner == 5 and got.team == "sales"
    assert got.ref == ("deal", 77)
    assert got.due == at(2024, 1, 3, 9) and got.due.tzinfo is not None
    assert got.priority == "high" and got.notes == "她想要折扣"
    assert got.created_by_rule is None and got.reminded_at is None
    assert got.created_at == dt.datetime(2024, 1, 1, 9, tzinfo=UTC)
    change = db.changes()[-1]
    assert (change.entity, change.op, change.entity_id) == ("task", "create", t.id)
    assert rapport.TASK_PRIORITIES == ("low", "normal", "high", "urgent")
    assert rapport.TASK_LISTS == ("due", "overdue", "upcoming")


def test_bad_input_is_refused_with_exact_messages_and_nothing_written(db):
    gone = db.create_customer("Gone").id
    db.delete_customer(gone)
    seq = db.changes()[-1].seq
    cases = [
        (dict(title=" "), rapport.ValidationError, "title: must not be empty"),
        (dict(title="x", priority="asap"), rapport.ValidationError,
         'priority: "asap" is not one of low, normal, high, urgent'),
        (dict(title="x", ref=("order", 1)), rapport.ValidationError,
         'ref.kind: "order" is not one of lead, deal, ticket'),
        (dict(title="x", owner=0), rapport.ValidationError, "owner: a user id must be positive"),
        (dict(title="x", team="sales "), rapport.ValidationError, "team: must not begin or end with white space"),
        (dict(title="x", customer=999), rapport.NotFoundError, "customer: customer 999 not found"),
        (dict(title="x", customer=gone), rapport.NotFoundError, f"customer: customer {gone} not found (deleted)"),
    ]
    for kwargs, error, message in cases:
        with pytest.raises(error) as info:
            db.create_task(**kwargs)
        assert str(info.value) == message or info.value.args[0] == message, (kwargs, str(info.value))
    with pytest.raises(ValueError, match=r"^due: naive datetime; pass a timezone-aware datetime"):
        db.create_task("x", due=dt.datetime(2024, 1, 1))  # naive datetimes are refused
    assert db.changes()[-1].seq == seq
    assert len(db.tasks()) == 0


def test_update_complete_cancel(db, clock):
    t = db.create_task("Send brochure", owner=1, due=at(2024, 1, 10, 10), remind_at=at(2024, 1, 10, 9))
    clock.advance(dt.timedelta(hours=1))
    u = db.update_task(t.id, title="Send the new brochure", owner=None, team="marketing",
                       due=at(2024, 1, 11, 10), move_reminder_with_due=True, expected_version=1)
    assert u.title == "Send the new brochure" and u.owner is None and u.team == "marketing"
    assert u.remind_at == at(2024, 1, 11, 9)  # moved with the due time
    assert u.version == 2 and u.updated_at == dt.datetime(2024, 1, 1, 10, tzinfo=UTC)
    assert db.changes()[-1].fields == ["due", "owner", "remind_at", "team", "title"]
    with pytest.raises(rapport.ConflictError, match=f"task {t.id} has version 2, not the expected 1"):
        db.update_task(t.id, title="x", expected_version=1)
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        db.update_task(t.id, colour="red")
    done = db.complete_task(t.id)
    assert done.status == "done" and done.completed_at == dt.datetime(2024, 1, 1, 10, tzinfo=UTC)
    seq = db.changes()[-1].seq
    with pytest.raises(rapport.StageGateError) as info:
        db.cancel_task(t.id)
    assert str(info.value) == f"status: task {t.id} is done; only open tasks can be cancelled"
    with pytest.raises(rapport.StageGateError, match=f"^status: task {t.id} is done; only open tasks can be changed$"):
        db.update_task(t.id, notes="late note")
    with pytest.raises(rapport.NotFoundError, match="^task 424242 not found$"):
        db.task(424242)
    assert db.changes()[-1].seq == seq
    c = db.create_task("c")
    assert db.cancel_task(c.id, expected_version=1).status == "cancelled"


def test_queries_and_lists(db):
    db.create_task("last week", owner=1, team="sales", due=at(2024, 3, 3, 9))
    db.create_task("this morning", owner=1, due=at(2024, 3, 10, 8))
    db.create_task("this afternoon", owner=2, team="sales", due=at(2024, 3, 10, 15))
    db.create_task("tomorrow", owner=1, team="sales", due=at(2024, 3, 11, 9))
    db.create_task("someday", owner=1)
    noon = at(2024, 3, 10, 12)
    assert titles(db.due_tasks(as_of=noon)) == ["this morning", "this afternoon"]
    assert titles(db.overdue_tasks(owner=1, as_of=noon)) == ["last week", "this morning"]
    assert titles(db.upcoming_tasks(1, team="sales", as_of=noon)) == ["this afternoon", "tomorrow"]
    assert titles(db.due_tasks(as_of=noon, window=dt.timedelta(hours=22))) == ["this afternoon", "tomorrow"]
    # 2024-03-10 23:30 UTC is 07:30 on the 11th in Shanghai, whose day began at 16:00 UTC on the 10th.
    assert titles(db.due_tasks(as_of=at(2024, 3, 10, 23, 30), zone="Asia/Shanghai")) == ["tomorrow"]
    zoneinfo = pytest.importorskip("zoneinfo")
    assert titles(db.task_list("due", as_of=noon, zone=zoneinfo.ZoneInfo("Asia/Shanghai"))) == ["this morning",
                                                                                        "this afternoon"]
    with pytest.raises(rapport.ValidationError, match='zone: unknown time zone "Mars/Olympus"'):
        db.due_tasks(zone="Mars/Olympus")
    with pytest.raises(rapport.ValidationError, match="days: must be between 0 and 3660"):
        db.upcoming_tasks(-1)
    assert titles(db.tasks(owner=1)) == ["last week", "this morning", "tomorrow", "someday"]
    assert titles(db.tasks(status=["done", "cancelled"])) == []
    assert titles(db.tasks(due_after=at(2024, 3, 10), due_before=at(2024, 3, 11))) == ["this morning", "this afternoon"]
    pd = pytest.importorskip("pandas")
    df = db.tasks(owner=1).to_pandas()
    assert isinstance(df, pd.DataFrame)
    assert list(df["title"]) == ["last week", "this morning", "tomorrow", "someday"]
    assert "due" in df.columns and "status" in df.columns


def test_reminders_over_three_simulated_weeks(db, clock):
    """A weekly review created each Monday, reminded on Friday; a daily host loop claims reminders."""
    clock.set(at(2024, 3, 4, 9))  # a Monday
    reminded = []
    for week in range(3):
        for day in range(7):
            if day == 0:
                monday = db.now()
                db.create_task(f"review {week + 1}", owner=1, due=monday + dt.timedelta(days=4, hours=8),
                               remind_at=monday + dt.timedelta(days=4))
            reminded += [(t.title, t.reminded_at) for t in db.claim_task_reminders()]
            clock.advance(dt.timedelta(days=1))
    assert reminded == [("review 1", at(2024, 3, 8, 9)), ("review 2", at(2024, 3, 15, 9)),
                        ("review 3", at(2024, 3, 22, 9))]
    assert db.claim_task_reminders() == []
    assert db.claim_task_reminders(at(2024, 3, 22, 9)) == []  # the same now again: nothing
    assert titles(db.overdue_tasks(owner=1, as_of=at(2024, 3, 16))) == ["review 1", "review 2"]
    assert titles(db.overdue_tasks(owner=1)) == ["review 1", "review 2", "review 3"]
    ops = [c.op for c in db.changes() if c.entity == "task"]
    assert ops.count("remind") == 3 and ops.count("create") == 3


def test_purge_removes_the_customers_tasks(db):
    ann = db.create_customer("Ann").id
    t = db.create_task("Ring Ann", customer=ann)
    db.purge_customer(ann)
    with pytest.raises(rapport.NotFoundError, match=f"^task {t.id} not found$"):
        db.task(t.id)
    entries = [c for c in db.changes() if c.entity == "task" and c.entity_id == t.id]
    assert entries and all(c.after is None and c.before is None for c in entries)
