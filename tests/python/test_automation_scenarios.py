"""End-to-end automation from Python, driven by a manual clock over simulated months: lifecycle stages
driving welcome / VIP care / wake-up rules, a new lead's task and its reminder, an uncontacted lead
alerting its owner after eight business hours, and the replay equivalence."""

import datetime as dt

import pytest

pd = pytest.importorskip("pandas")

import rapport  # noqa: E402

UTC = dt.timezone.utc
DAY = dt.timedelta(days=1)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def at(y, m, d, h=0, minute=0):
    return dt.datetime(y, m, d, h, minute, tzinfo=UTC)


JOURNEY_RULES = [
    {"name": "welcome", "trigger": {"type": "event", "event": "stage_changed", "to": "new"},
     "actions": [{"type": "notify", "channel": "email", "subject": "Welcome", "body": "Welcome {{name}}"}]},
    {"name": "vip-care", "trigger": {"type": "event", "event": "stage_changed", "to": "active"},
     "actions": [{"type": "add_tag", "tag": "vip"},
                 {"type": "create_task", "title": "VIP call: {{name}}", "due_in_hours": 72, "priority": "high"}]},
    {"name": "wake-up", "trigger": {"type": "event", "event": "stage_changed", "to": "dormant"},
     "actions": [{"type": "remove_tag", "tag": "vip"},
                 {"type": "notify", "channel": "sms", "body": "We miss you, {{name}}"}]},
    {"name": "won-back", "trigger": {"type": "event", "event": "stage_changed", "to": "won_back"},
     "actions": [{"type": "notify", "channel": "email", "recipient": "owner", "body": "{{name}} is back"}]},
]


def test_lifecycle_stages_drive_welcome_vip_care_and_wake_up(db, clock):
    clock.set(at(2025, 1, 1))
    db.save_lifecycle_model(rapport.default_lifecycle_model())
    for rule in JOURNEY_RULES:
        db.save_rule(rule)
    ann = db.create_customer("Ann", owner=4).id
    bob = db.create_customer("Bob", owner=4).id
    buys = {ann: [at(2025, 1, 10), at(2025, 1, 30), at(2025, 2, 20), at(2025, 12, 1)],
            bob: [at(2025, 3, 5)]}
    stage_on = {}
    day = at(2025, 1, 2)
    while day <= at(2025, 12, 31):
        clock.set(day)
        for customer, days in buys.items():
            if days and day - DAY < days[0] <= day:
                db.add_order(customer, "80.00", currency="CNY", ordered_at=days.pop(0))
        db.tick(day)
        stage_on[day.date()] = (db.get_customer(ann).lifecycle_stage, db.get_customer(bob).lifecycle_stage)
        day += DAY

    assert stage_on[dt.date(2025, 1, 20)] == ("new", "prospect")
    assert stage_on[dt.date(2025, 2, 1)] == ("active", "prospect")
    assert stage_on[dt.date(2025, 3, 10)][1] == "new"
    assert stage_on[dt.date(2025, 9, 1)][0] == "dormant"  # 180 days after 20 February
    assert stage_on[dt.date(2025, 12, 2)][0] == "won_back"

    outcomes = db.rule_outcomes()
    fired = outcomes[outcomes["status"] == "fired"]
    assert sorted(zip(fired["rule"], fired["customer"])) == sorted(
        [("welcome", ann), ("welcome", bob), ("vip-care", ann), ("wake-up", ann), ("wake-up", bob),
         ("won-back", ann)])
    messages = db.outbox()
    assert [m["body"] for m in messages if m["customer"] == ann] == [
        "Welcome Ann", "We miss you, Ann", "Ann is back"]
    assert [m["recipient"] for m in messages if m["body"] == "Ann is back"] == ["user:4"]
    # VIP care: a tag that the wake-up rule took away again, and a task for the owner.
    assert "vip" not in db.get_customer(ann).tags
    tasks = db.tasks(customer=ann)
    assert [(t.title, t.owner, t.priority, t.created_by_rule) for t in tasks] == [("VIP call: Ann", 4, "high", "vip-care")]
    # The history records each move with its source, and the distribution over the year sums up.
    history = db.stage_history(ann)
    assert [h["to"] for h in history] == ["prospect", "new", "active", "at_risk", "dormant", "won_back"]
    assert all(h["source"] == "auto" for h in history)
    dist = db.stage_distribution(at(2025, 1, 1), at(2026, 1, 1), "month")
    assert len(dist) == 12
    assert (dist.sum(axis=1) == 2).all()
    assert dist.loc[dist.index[7], "dormant"] == 1  # end of August: Ann
    # Bob's only order was on 5 March: at risk after 90 days (3 June), dormant after 180.
    assert db.stages_as_of(at(2025, 6, 1)).loc[bob, "stage"] == "new"
    assert db.stages_as_of(at(2025, 6, 10)).loc[bob, "stage"] == "at_risk"


def test_a_customer_stalled_in_a_stage_alerts_the_owner(db, clock):
    clock.set(at(2025, 1, 1))
    db.save_lifecycle_model(rapport.default_lifecycle_model())
    db.save_rule({"name": "stalled-new", "trigger": {"type": "relative", "field": "stage_entered_at", "days": 30},
                  "condition": 'lifecycle_stage = "new"',
                  "actions": [{"type": "notify", "channel": "email", "recipient": "owner",
                               "body": "{{name}} is stuck in new"}]})
    once = db.create_customer("Once", owner=5).id
    twice = db.create_customer("Twice", owner=5).id
    fired = {}
    day = at(2025, 1, 2)
    while day <= at(2025, 4, 1):
        clock.set(day)
        if day == at(2025, 1, 10):
            for c in (once, twice):
                db.add_order(c, "50.00", currency="CNY", ordered_at=day)
        if day == at(2025, 1, 25):
            db.add_order(twice, "50.00", currency="CNY", ordered_at=day)
        for o in db.tick(day)["outcomes"]:
            fired[o["customer"]] = day
        day += DAY
    assert fired == {once: at(2025, 2, 9)}
    assert [(m["recipient"], m["body"]) for m in db.outbox()] == [("user:5", "Once is stuck in new")]


def test_a_new_lead_gets_a_task_and_its_reminder_comes_out_of_the_tick(db, clock):
    db.save_rule({"name": "new-lead", "trigger": {"type": "event", "event": "customer_created"},
                  "actions": [{"type": "create_task", "title": "Contact {{name}}", "due_in_hours": 24,
                               "remind_in_hours": 20, "team": "sales"}]})
    clock.set(at(2024, 5, 6, 8))
    ann = db.create_customer("Ann").id  # no owner: the reminder goes to the team
    report = db.tick(at(2024, 5, 6, 9))
    assert (report["fired"], report["tasks_created"], report["reminders"]) == (1, 1, 0)
    task = db.tasks(customer=ann)[0]
    assert (task.title, task.team, task.owner) == ("Contact Ann", "sales", None)
    assert task.due == at(2024, 5, 7, 9) and task.remind_at == at(2024, 5, 7, 5)
    assert [t.id for t in db.due_tasks(team="sales", as_of=at(2024, 5, 7, 6))] == [task.id]
    assert db.tick(at(2024, 5, 7, 4))["reminders"] == 0
    assert db.tick(at(2024, 5, 7, 5))["reminders"] == 1
    assert db.tick(at(2024, 5, 7, 6))["reminders"] == 0
    [message] = db.outbox()
    assert (message["channel"], message["recipient_kind"], message["recipient"]) == ("reminder", "team", "team:sales")
    assert message["subject"] == "Reminder: Contact Ann"
    assert (message["source"], message["occurrence"], message["customer"]) == ("reminder", task.id, ann)
    assert db.task(task.id).reminded_at == at(2024, 5, 7, 5)
    assert [r["reminders"] for r in db.rule_runs()] == [0, 1, 0, 0]


def test_an_uncontacted_lead_alerts_its_owner_after_eight_business_hours(db, clock):
    db.save_calendar("office", rapport.BusinessCalendar(
        time_zone="Europe/Berlin", hours={d: [("09:00", "17:00")] for d in WEEKDAYS}))
    db.save_rule({"name": "lead-sla",
                  "trigger": {"type": "relative", "field": "created_at", "business_hours": 8, "calendar": "office"},
                  "condition": 'not has_tag("contacted")',
                  "actions": [{"type": "notify", "channel": "email", "recipient": "owner", "body": "{{name}} waits"}]})
    with pytest.raises(rapport.StageGateError, match='calendar "office" is used by rule "lead-sla"'):
        db.drop_calendar("office")
    # Friday 15:00 in Berlin: two working hours that day, six on Monday -> due Monday 15:00 (14:00 UTC).
    clock.set(at(2025, 1, 3, 14))
    ann = db.create_customer("Ann", owner=7).id
    bob = db.create_customer("Bob", owner=7).id
    fired = {}
    t = at(2025, 1, 3, 14)
    while t <= at(2025, 1, 8):
        clock.set(t)
        if t == at(2025, 1, 4, 10):
            db.add_tag(bob, "contacted")
        for o in db.tick(t)["outcomes"]:
            fired[o["customer"]] = t
        t += dt.timedelta(minutes=30)
    assert fired == {ann: at(2025, 1, 6, 14)}
    assert [m["body"] for m in db.outbox()] == ["Ann waits"]
    assert db.rule_outcomes()["trigger"].iloc[0] == "created_at + 8 business hours (office), due 2025-01-06T14:00:00Z"


def test_bad_rules_are_refused_with_clear_errors_and_nothing_is_stored(db):
    seq = db.last_change_seq
    cases = [
        ({"name": "sla", "trigger": {"type": "relative", "field": "created_at", "business_hours": 8, "calendar": "none"},
          "actions": [{"type": "add_tag", "tag": "x"}]}, 'trigger.calendar: no business calendar named "none"'),
        ({"name": "t", "trigger": {"type": "event", "event": "customer_created"},
          "actions": [{"type": "create_task", "title": "x", "priority": "asap"}]},
         'actions[0].priority: "asap" is not one of low, normal, high, urgent'),
        ({"name": "t", "trigger": {"type": "schedule", "every": "weekly", "weekday": 8},
          "actions": [{"type": "add_tag", "tag": "x"}]}, "trigger.weekday: 8 is not a weekday (monday ... sunday, or 1 ... 7)"),
        ({"name": "t", "trigger": {"type": "event", "event": "customer_created"}, "condition": "frequency >= ",
          "actions": [{"type": "add_tag", "tag": "x"}]}, "condition: 1:"),
        ({"name": "t", "trigger": {"type": "event", "event": "field_changed", "field": "shoe_size"},
          "actions": [{"type": "add_tag", "tag": "x"}]}, 'trigger.field: unknown field "shoe_size"'),
    ]
    for rule, message in cases:
        with pytest.raises(rapport.ValidationError) as info:
            db.save_rule(rule)
        assert str(info.value) == message or (message.endswith(":") and str(info.value).startswith(message))
    assert db.rules() == []
    assert db.last_change_seq == seq


def _shop_year(extra_ticks):
    """A small shop's year: the default lifecycle, the journey rules, a birthday greeting; customers
    arrive every fifth day and buy on a pattern. Ticks daily (and with extra_ticks also at 08:00 and
    16:00). Returns the end state."""
    clock = rapport.ManualClock(at(2024, 1, 1))
    with rapport.open(":memory:", clock=clock, default_region="CN") as db:
        db.save_lifecycle_model(rapport.default_lifecycle_model())
        for rule in JOURNEY_RULES + [
                {"name": "birthday", "trigger": {"type": "annual", "field": "birthday", "at": "09:00"},
                 "actions": [{"type": "notify", "channel": "sms", "body": "Happy birthday {{name}}"}]}]:
            db.save_rule(rule)
        customers = []
        day = at(2024, 1, 1)
        while day < at(2025, 1, 1):
            d = (day - at(2024, 1, 1)).days
            clock.set(day + dt.timedelta(hours=1))
            if d % 5 == 0:
                i = len(customers)
                customers.append(db.create_customer(f"c{i}", owner=1 + i % 3,
                                                    birthday=dt.date(1980 + i % 20, i % 12 + 1, i % 28 + 1)).id)
            for i, c in enumerate(customers):
                if i % 3 != 2 and (d + 11 * i) % (25 if i % 2 else 70) == 0 and d < 150 - 30 * (i % 4):
                    db.add_order(c, "30.00", currency="CNY", ordered_at=day + dt.timedelta(hours=1))
            if extra_ticks:
                for h in (8, 16):
                    clock.set(day + dt.timedelta(hours=h))
                    db.tick(day + dt.timedelta(hours=h))
            clock.set(day + DAY)
            db.tick(day + DAY)
            day += DAY
        outcomes = db.rule_outcomes(limit=100000)
        return {
            "fired": sorted(zip(outcomes["rule"], outcomes["customer"], outcomes["status"])),
            "outbox": sorted((m["channel"], m["recipient"], m["body"]) for m in db.outbox(limit=100000)),
            "stages": {c: db.get_customer(c).lifecycle_stage for c in customers},
            "tags": {c: db.get_customer(c).tags for c in customers},
            "tasks": sorted((t.title, t.customer, t.created_by_rule) for t in db.tasks(limit=100000)),
            "exact": (outcomes.drop(columns=["id"]).to_dict("records"), db.outbox(limit=100000),
                      [t.due for t in db.tasks(limit=100000)]),
        }


def test_replay_gives_the_same_end_state():
    daily = _shop_year(False)
    assert {rule for rule, _, status in daily["fired"] if status == "fired"} == {
        "welcome", "vip-care", "wake-up", "birthday"}
    assert set(daily["stages"].values()) >= {"prospect", "dormant"}
    replay = _shop_year(False)
    assert replay == daily  # a fresh database fed the same days: exactly the same
    frequent = _shop_year(True)
    for key in ("fired", "outbox", "stages", "tags", "tasks"):
        assert frequent[key] == daily[key], key
