"""Automation rules, ticks and the outbox from Python: scenarios over simulated months on a manual
clock, exactly-once across repeated ticks and a reopened file, bad definitions, the drain protocol."""

import datetime as dt

import pytest

pd = pytest.importorskip("pandas")

import rapport  # noqa: E402

UTC = dt.timezone.utc
DAY = dt.timedelta(days=1)


def at(y, m, d, h=0):
    return dt.datetime(y, m, d, h, tzinfo=UTC)


WELCOME = {
    "name": "welcome",
    "trigger": {"type": "event", "event": "customer_created"},
    "actions": [{"type": "notify", "channel": "email", "subject": "Welcome", "body": "Hello {{name}}"}],
}


def test_save_list_get_drop_and_json_text(db):
    saved = db.save_rule(WELCOME)
    assert saved["name"] == "welcome"
    assert saved["enabled"] is True
    assert isinstance(saved["created_at"], dt.datetime)
    assert [r["name"] for r in db.rules()] == ["welcome"]
    db.save_rule('{"name": "other", "trigger": {"type": "schedule", "every": "daily", "at": "09:00"},'
                 ' "actions": [{"type": "add_tag", "tag": "daily"}]}')
    assert db.rule("other")["trigger"] == {"type": "schedule", "every": "daily", "at": "09:00"}
    db.enable_rule("other", False)
    assert db.rule("other")["enabled"] is False
    db.drop_rule("other")
    with pytest.raises(rapport.NotFoundError, match='rule "other": not found'):
        db.rule("other")


@pytest.mark.parametrize("rule, message", [
    ({"name": "r", "trigger": {"type": "schedule", "every": "monthly", "day": 0},
      "actions": [{"type": "add_tag", "tag": "x"}]}, "trigger.day: 0 is not a day of the month (1 to 31)"),
    ({"name": "r", "trigger": {"type": "schedule", "every": "daily", "at": "25:00"},
      "actions": [{"type": "add_tag", "tag": "x"}]},
     'trigger.at: "25:00" is not a time of day (HH:MM, 00:00 to 23:59)'),
    ({"name": "r", "trigger": {"type": "event", "event": "customer_created"}, "actions": [{"type": "explode"}]},
     'actions[0].type: unknown action "explode" (expected add_tag, remove_tag, set_field, add_to_list, notify, '
     'create_task, move_stage or plugin)'),
    ({"name": "r", "trigger": {"type": "relative", "field": "shoe_size", "days": 3},
      "actions": [{"type": "add_tag", "tag": "x"}]}, 'trigger.field: unknown field "shoe_size"'),
])
def test_bad_definitions_are_rejected_and_nothing_is_stored(db, rule, message):
    seq = db.last_change_seq
    with pytest.raises(rapport.ValidationError) as info:
        db.save_rule(rule)
    assert str(info.value) == message
    assert db.rules() == []
    assert db.last_change_seq == seq


def test_bad_condition_carries_the_parsers_message(db):
    with pytest.raises(rapport.ValidationError) as info:
        db.save_rule(dict(WELCOME, condition="frequency >= "))
    assert str(info.value).startswith("condition: 1:")
    assert db.rules() == []


def test_welcome_fires_once_and_outbox_drains(db, clock):
    db.save_rule(WELCOME)
    ann = db.create_customer("Ann", contact_points=["ann@example.com"]).id
    db.create_customer("Bob")
    report = db.tick(at(2024, 1, 2))
    assert report["fired"] == 2 and report["notifications"] == 2
    assert report["rules"] == [{"rule": "welcome", "fired": 2, "failed": 0, "skipped": 0}]
    assert report["now"] == at(2024, 1, 2)
    assert db.tick(at(2024, 1, 2))["fired"] == 0
    with pytest.raises(rapport.ValidationError, match="time does not go backwards"):
        db.tick(at(2024, 1, 1))
    outcomes = db.rule_outcomes("welcome")
    assert list(outcomes["status"]) == ["fired", "fired"]
    assert outcomes["customer"].iloc[0] == ann
    assert len(db.rule_outcomes(customer=ann, status="fired")) == 1
    pending = db.outbox("pending")
    assert [m["recipient"] for m in pending] == ["ann@example.com", f"customer:{ann + 1}"]
    assert pending[0]["body"] == "Hello Ann"
    claimed = db.claim_outbox(1)
    assert [m["status"] for m in claimed] == ["claimed"]
    assert [m["body"] for m in db.claim_outbox(10)] == ["Hello Bob"]
    db.ack_outbox(claimed[0]["id"])
    with pytest.raises(rapport.StageGateError, match="is delivered, not claimed"):
        db.ack_outbox([claimed[0]["id"]])
    db.fail_outbox(claimed[0]["id"] + 1, "smtp down")
    assert [m["error"] for m in db.outbox("pending")] == ["smtp down"]
    assert db.rule_runs()[0]["fired"] == 0


def test_lapsed_customers_over_simulated_months(db, clock):
    db.save_rule({"name": "lapsed", "trigger": {"type": "relative", "field": "last_order_at", "days": 180},
                  "actions": [{"type": "add_tag", "tag": "lapsed"},
                              {"type": "notify", "channel": "email", "recipient": "owner", "body": "{{name}} lapsed"}]})
    once = db.create_customer("Once", owner=5).id
    db.add_order(once, "10.00", currency="CNY", ordered_at=at(2024, 1, 10))
    day = at(2024, 1, 11)
    tagged = None
    while day <= at(2024, 9, 1):
        clock.set(day)
        db.tick(day)
        if tagged is None and "lapsed" in db.get_customer(once).tags:
            tagged = day
        day += DAY
    assert tagged == at(2024, 7, 8)  # 2024 is a leap year: 180 days after 10 January
    assert [m["recipient"] for m in db.outbox()] == ["user:5"]


def test_birthday_in_the_customers_zone(db, clock):
    db.define_custom_field("time_zone", "text")
    db.set_time_zone("Europe/Paris")
    assert db.time_zone() == "Europe/Paris"
    db.save_rule({"name": "birthday", "trigger": {"type": "annual", "field": "birthday", "at": "09:00"},
                  "actions": [{"type": "notify", "channel": "sms", "body": "Happy birthday {{name}}"}]})
    li = db.create_customer("Li", birthday=dt.date(1990, 3, 4), custom={"time_zone": "Asia/Shanghai"}).id
    fired = {}
    t = at(2024, 3, 3)
    while t <= at(2024, 3, 5):
        for o in db.tick(t)["outcomes"]:
            fired[o["customer"]] = t
        t += dt.timedelta(hours=1)
    assert fired == {li: at(2024, 3, 4, 1)}


def test_restart_keeps_exactly_once(tmp_path, clock):
    path = tmp_path / "rules.db"
    with rapport.open(path, clock=clock) as db:
        db.save_rule(WELCOME)
        db.create_customer("Ann")
        assert db.tick(at(2024, 1, 2))["fired"] == 1
    with rapport.open(path, clock=clock) as db:
        assert db.tick(at(2024, 1, 2))["fired"] == 0
        assert db.tick(at(2024, 1, 3))["fired"] == 0
        assert len(db.outbox()) == 1
