"""Lifecycle models and stages from Python: a customer through the default model over simulated months,
manual and rule moves, bad models refused with nothing stored, history, stages as of past dates, the
distribution over time and its plot."""

import datetime as dt

import pytest

pd = pytest.importorskip("pandas")

import rapport  # noqa: E402

UTC = dt.timezone.utc


def at(y, m, d):
    return dt.datetime(y, m, d, tzinfo=UTC)


def order(db, customer, when):
    db.add_order(customer, "50.00", currency="CNY", ordered_at=when)


def stage(db, customer):
    return db.get_customer(customer).lifecycle_stage


def test_a_customer_through_the_default_model(db, clock):
    clock.set(at(2025, 1, 1))
    saved = db.save_lifecycle_model(rapport.default_lifecycle_model())
    assert [s["name"] for s in saved["stages"]] == ["prospect", "new", "active", "won_back", "at_risk", "dormant",
                                                   "churned"]
    assert saved["created_at"] == at(2025, 1, 1)
    ann = db.create_customer("Ann").id
    assert stage(db, ann) == "prospect"
    clock.set(at(2025, 1, 10))
    order(db, ann, clock.now())
    assert stage(db, ann) == "new"
    clock.set(at(2025, 1, 30))
    order(db, ann, clock.now())
    assert stage(db, ann) == "active"

    clock.set(at(2025, 1, 30) + dt.timedelta(days=200))
    report = db.evaluate_lifecycle()
    assert report["evaluated"] == 1
    assert [(m["from"], m["to"], m["source"]) for m in report["moves"]] == [("active", "dormant", "auto")]
    assert report["as_of"] == clock.now()
    assert {s["stage"]: s["customers"] for s in report["stages"]}["dormant"] == 1

    clock.advance(dt.timedelta(days=1))
    before = db.last_change_seq
    order(db, ann, clock.now())
    assert stage(db, ann) == "won_back"
    moves = [c for c in db.changes(after_seq=before) if c.entity == "lifecycle"]
    assert len(moves) == 1
    assert moves[0].op == "move"
    assert moves[0].after["lifecycle_stage"] == "won_back"
    assert moves[0].after["source"] == "auto"
    assert moves[0].before == {"lifecycle_stage": "dormant"}

    history = db.stage_history(ann)
    assert [h["to"] for h in history] == ["prospect", "new", "active", "dormant", "won_back"]
    assert history[1]["time_in_stage"] == dt.timedelta(days=20)
    assert history[-1]["current"] and not history[-2]["current"]
    assert history[0]["from"] is None

    as_of = db.stages_as_of(at(2025, 1, 20))
    assert list(as_of.index) == [ann]
    assert as_of.loc[ann, "stage"] == "new"
    assert as_of.loc[ann, "since"] == pd.Timestamp("2025-01-10", tz="UTC")

    dist = db.stage_distribution(at(2025, 1, 1), at(2025, 4, 1), step="month")
    assert list(dist.columns)[:3] == ["prospect", "new", "active"]
    assert list(dist.index) == [pd.Timestamp(f"2025-0{m}-01", tz="UTC") for m in (1, 2, 3)]
    assert list(dist["active"]) == [1, 1, 1]
    assert list(dist["prospect"]) == [0, 0, 0]
    ax = rapport.plot.stage_distribution(dist)
    assert ax.get_ylabel() == "customers"
    assert len(ax.collections) == len(dist.columns)
    ax = rapport.plot.stage_distribution(dist, share=True)
    assert ax.get_ylabel() == "share of customers"


def test_manual_and_rule_moves(db, clock):
    db.save_lifecycle_model(rapport.default_lifecycle_model())
    bob = db.create_customer("Bob").id
    seq = db.last_change_seq
    with pytest.raises(rapport.ValidationError, match="reason: a manual stage move needs a reason"):
        db.move_stage(bob, "active")
    with pytest.raises(rapport.ValidationError, match='has no stage "gone"'):
        db.move_stage(bob, "gone", reason="x")
    assert db.last_change_seq == seq
    move = db.move_stage(bob, "churned", reason="closed the account")
    assert (move["from"], move["to"], move["source"], move["reason"]) == ("prospect", "churned", "manual",
                                                                         "closed the account")
    seq = db.last_change_seq
    # A rule follows the policy: churned -> won_back only on an order.
    with pytest.raises(rapport.StageGateError,
                       match='does not allow a move from "churned" to "won_back"'):
        db.move_stage(bob, "won_back", source="rule", rule="winback")
    assert db.last_change_seq == seq
    with pytest.raises(rapport.StageGateError, match="MoveCustomerStage"):
        db.update_customer(bob, lifecycle_stage="active")
    assert stage(db, bob) == "churned"


def test_bad_models_are_refused_and_nothing_is_stored(db):
    seq = db.last_change_seq
    m = rapport.default_lifecycle_model()
    m["stages"][2]["condition"] = "foo > 1"
    with pytest.raises(rapport.ValidationError, match=r'^stages\[2\]\.condition: unknown field "foo"'):
        db.save_lifecycle_model(m)
    dup = rapport.LifecycleModel("x", [rapport.Stage("a"), rapport.Stage("a")])
    with pytest.raises(rapport.ValidationError, match=r'stages\[1\]\.name: duplicate stage "a"'):
        db.save_lifecycle_model(dup)
    bad = rapport.LifecycleModel("x", [rapport.Stage("a")], [rapport.Transition(["a"], "b")])
    with pytest.raises(rapport.ValidationError, match=r'transitions\[0\]\.to: unknown stage "b"'):
        db.save_lifecycle_model(bad)
    seg = rapport.LifecycleModel("x", [rapport.Stage("a")], segment="nobody")
    with pytest.raises(rapport.NotFoundError, match="attachment.segment"):
        db.save_lifecycle_model(seg)
    assert db.lifecycle_models() == []
    assert db.last_change_seq == seq
    with pytest.raises(rapport.NotFoundError):
        db.lifecycle_model("x")

    ok = rapport.LifecycleModel("b2b", [rapport.Stage("lead", "prospect"), rapport.Stage("client", "active",
                                                                                           "frequency >= 1")],
                                kinds=["organization"], precedence=5)
    saved = db.save_lifecycle_model(ok)
    assert saved["attachment"] == {"kinds": ["organization"], "segment": "", "precedence": 5}
    assert [m["name"] for m in db.lifecycle_models()] == ["b2b"]
    person = db.create_customer("Ann").id
    assert stage(db, person) is None  # persons are not governed
    db.drop_lifecycle_model("b2b")
    assert db.lifecycle_models() == []
