"""Stored CLV models from Python: db.clv_fit / clv_save / clv_model / clv_models / clv_delete /
clv_apply / clv_scores. Applying a model gives the numbers rapport.clv gives on the summary of the
same orders; bad input raises the core's error and writes nothing."""

import datetime as dt
import math

import pytest

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

import rapport  # noqa: E402
from rapport import clv  # noqa: E402

UTC = dt.timezone.utc
CUTOFF = dt.datetime(2024, 12, 31, tzinfo=UTC)
AS_OF = dt.datetime(2025, 3, 31, tzinfo=UTC)


def at(y, m, d):
    return dt.datetime(y, m, d, tzinfo=UTC)


@pytest.fixture
def shop(db, clock):
    """600 customers buying at their own rate until they drop out (enough for every model to be
    identified); returns their orders as a DataFrame (customer_id, ordered_at, amount) as added."""
    rng = np.random.default_rng(7)
    rows = []
    with db.transaction():
        for i in range(600):
            cid = db.create_customer(f"客户{i}").id
            day = rng.uniform(0, 300)
            rate = rng.gamma(1.5, 0.02)  # purchases a day
            dropout = rng.beta(0.8, 2.5)
            typical = rng.lognormal(np.log(30), 0.6)  # each customer's own spend level (Gamma-Gamma)
            while day < 540:
                when = dt.datetime(2024, 1, 1, 12, tzinfo=UTC) + dt.timedelta(days=math.floor(day))
                cents = 100 + int(typical * 100 * rng.uniform(0.4, 1.6))
                db.add_order(cid, f"{cents // 100}.{cents % 100:02d}", currency="CNY", ordered_at=when)
                rows.append((cid, pd.Timestamp(when), cents / 100))
                if rng.uniform() < dropout:
                    break
                day += 1 + rng.exponential(1 / rate)
    clock.set(at(2025, 6, 30))
    return pd.DataFrame(rows, columns=["customer_id", "ordered_at", "amount"])


def test_fit_stores_the_model(db, shop):
    seq = db.last_change_seq
    m = db.clv_fit("bg", cutoff=CUTOFF)
    assert m["name"] == "bg" and m["model"] == "bg_nbd" and m["id"] > 0
    assert set(m["params"]) == {"r", "alpha", "a", "b"}
    assert m["summary"]["cutoff"] == CUTOFF
    assert m["summary"]["time_unit_us"] == 7 * 86_400_000_000
    assert m["summary"]["currency"] == "CNY"
    assert m["fitted_at"] == at(2025, 6, 30) and m["applied_at"] is None
    assert m["value"]["period_length"] == pytest.approx(30 / 7)
    assert set(m["spend"]["params"]) == {"p", "q", "gamma"}
    assert m["fit"]["customers"] == 600
    # The same fit as rapport.clv on the summary of the same orders.
    summary = clv.summary(shop, calibration_end=CUTOFF)
    direct = clv.BetaGeo().fit(summary)
    assert [m["params"][k] for k in ("r", "alpha", "a", "b")] == pytest.approx(list(direct.params_), rel=1e-9)
    assert m["fit"]["log_likelihood"] == pytest.approx(direct.log_likelihood_, rel=1e-12)
    assert db.clv_model("bg") == m
    assert [x["name"] for x in db.clv_models()] == ["bg"]
    changes = db.changes(seq)
    assert [(c.entity, c.op) for c in changes] == [("clv_model", "create")]


def test_fit_errors_write_nothing(db, shop):
    db.clv_fit("taken", cutoff=CUTOFF, spend=False)
    seq = db.last_change_seq
    with pytest.raises(rapport.AlreadyExistsError, match='^name: a CLV model named "taken" already exists$'):
        db.clv_fit("taken", cutoff=CUTOFF)
    with pytest.raises(rapport.ValidationError, match="^name: must not be empty$"):
        db.clv_fit(" ", cutoff=CUTOFF)
    with pytest.raises(rapport.ValidationError, match='^model: must be "bg_nbd" or "pareto_nbd", got \'bg_bb\'$'):
        db.clv_fit("m", "bg_bb", cutoff=CUTOFF)
    with pytest.raises(rapport.StageGateError,
                       match=r"^orders: no customer has an order at or before the cutoff \(2023-01-01T00:00:00Z\)$"):
        db.clv_fit("m", cutoff=at(2023, 1, 1))
    with pytest.raises(rapport.ValidationError, match="^value.discount_rate: must be finite and >= 0, got -1$"):
        db.clv_fit("m", cutoff=CUTOFF, discount_rate=-1)
    with pytest.raises(rapport.StageGateError, match="^fit: the BG/NBD likelihood did not converge after "):
        db.clv_fit("m", cutoff=CUTOFF, max_evaluations=2)
    assert db.last_change_seq == seq
    assert [x["name"] for x in db.clv_models()] == ["taken"]


def _direct_scores(shop, bg, gg, as_of, period_length_weeks):
    """What rapport.clv gives on the summary of the orders at as_of (weeks, same-day merged)."""
    s = clv.summary(shop, calibration_end=as_of)
    alive = bg.conditional_probability_alive(s["frequency"], s["recency"], s["T"])
    expected = bg.conditional_expected_number_of_purchases_up_to_time(90 / 7, s["frequency"], s["recency"], s["T"])
    value = gg.customer_lifetime_value(bg, s["frequency"], s["recency"], s["T"], s["monetary_value"], time=12,
                                       discount_rate=0.01, freq="W") if gg is not None else None
    return s, alive, expected, value


def test_save_and_apply_give_rapport_clv_numbers(db, shop):
    """A model fitted on a DataFrame, stored, and applied to the database: the stored scores are the
    fitters' own predictions on the summary of the same orders at as_of."""
    calibration = clv.summary(shop, calibration_end=CUTOFF)
    bg = clv.BetaGeo().fit(calibration)
    gg = clv.GammaGamma().fit(calibration[calibration["frequency"] > 0])
    seq = db.last_change_seq
    # lifetimes counts a month as 4.345 weeks; store that so clv equals customer_lifetime_value's.
    m = db.clv_save(bg, "from pandas", spend=gg, cutoff=CUTOFF, period_length=4.345)
    assert m["params"] == dict(zip(("r", "alpha", "a", "b"), bg.params_.tolist()))
    assert m["spend"]["params"] == {"p": gg.params_["p"], "q": gg.params_["q"], "gamma": gg.params_["v"]}
    assert m["fit"]["log_likelihood"] == bg.log_likelihood_
    assert m["fit"]["std_errors"]["alpha"] == bg.standard_errors_["alpha"]
    assert m["spend"]["fit"]["covariance"][1][1] == gg.covariance_.loc["q", "q"]
    assert m["fitted_at"] == at(2025, 6, 30)

    assert db.clv_apply("from pandas", AS_OF) == 600
    scores = db.clv_scores()
    assert scores.attrs == {"model": "from pandas", "as_of": AS_OF}
    assert list(scores.columns) == ["p_alive", "expected_purchases_90d", "clv", "churn_risk"]
    s, alive, expected, value = _direct_scores(shop, bg, gg, AS_OF, 4.345)
    assert list(scores.index) == list(s.index)
    np.testing.assert_array_equal(scores["p_alive"].to_numpy(), alive.to_numpy())
    np.testing.assert_array_equal(scores["expected_purchases_90d"].to_numpy(), expected.to_numpy())
    np.testing.assert_allclose(scores["clv"].to_numpy(), value.to_numpy(), rtol=1e-12)
    np.testing.assert_array_equal(scores["churn_risk"].to_numpy(), 1 - alive.to_numpy())

    changes = db.changes(seq)
    assert [(c.entity, c.op) for c in changes] == [("clv_model", "create"), ("clv_scores", "apply")]
    assert changes[1].entity_id == m["id"]
    assert changes[1].after == {"model": "from pandas", "as_of": "2025-03-31T00:00:00Z", "customers": 600}
    assert db.clv_model("from pandas")["applied_at"] == AS_OF


def test_reapply_replaces_and_delete_cascades(db, shop):
    db.clv_fit("bg", cutoff=CUTOFF)
    db.clv_fit("pareto", "pareto_nbd", cutoff=CUTOFF, spend=False)
    assert db.clv_apply("bg", at(2025, 1, 1)) == 600
    late = db.create_customer("late").id
    db.add_order(late, "50.00", currency="CNY", ordered_at=at(2025, 2, 1))
    assert db.clv_apply("pareto") == 601  # now: 2025-06-30
    scores = db.clv_scores()
    assert scores.attrs["model"] == "pareto" and scores.attrs["as_of"] == at(2025, 6, 30)
    assert scores.index[-1] == late
    assert scores["clv"].isna().all()  # no spend model
    seq = db.last_change_seq
    db.clv_delete("pareto")
    assert len(db.clv_scores()) == 0
    assert db.clv_scores().attrs == {"model": "", "as_of": None}
    assert [(c.entity, c.op) for c in db.changes(seq)] == [("clv_scores", "delete"), ("clv_model", "delete")]
    with pytest.raises(rapport.NotFoundError, match='CLV model "pareto": not found'):
        db.clv_model("pareto")
    assert [x["name"] for x in db.clv_models()] == ["bg"]


def test_save_and_apply_errors_write_nothing(db, shop):
    bg = clv.BetaGeo()
    bg.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # by hand, as lifetimes allows
    m = db.clv_save(bg, "hand", cutoff=CUTOFF)
    assert m["fit"]["log_likelihood"] is None and m["spend"] is None
    db.clv_apply("hand", at(2025, 1, 1))
    seq = db.last_change_seq
    with pytest.raises(rapport.ValidationError, match=r"^params_: the BG/NBD model is not fitted \(call fit\(\) first\)$"):
        db.clv_save(clv.BetaGeo(), "unfitted", cutoff=CUTOFF)
    with pytest.raises(rapport.ValidationError, match=r"^cutoff: required \(the calibration end the model was fitted at\)$"):
        db.clv_save(bg, "no cutoff")
    with pytest.raises(rapport.ValidationError, match="^model: expected a fitted rapport.clv.BetaGeo or ParetoNBD, got GammaGamma$"):
        db.clv_save(clv.GammaGamma(), "gg", cutoff=CUTOFF)
    bad = clv.BetaGeo()
    bad.params_ = {"r": 0.243, "alpha": -4.414, "a": 0.793, "b": 2.426}
    with pytest.raises(rapport.ValidationError, match="^params.alpha: must be finite and > 0, got -4.414$"):
        db.clv_save(bad, "bad", cutoff=CUTOFF)
    with pytest.raises(rapport.AlreadyExistsError):
        db.clv_save(bg, "hand", cutoff=CUTOFF)
    with pytest.raises(rapport.ValidationError,
                       match=r'^as_of: 2024-12-30T00:00:00Z is before the cutoff of "hand" \(2024-12-31T00:00:00Z\)$'):
        db.clv_apply("hand", at(2024, 12, 30))
    with pytest.raises(rapport.NotFoundError, match='CLV model "nope": not found'):
        db.clv_apply("nope")
    with pytest.raises(rapport.NotFoundError):
        db.clv_delete("nope")
    with pytest.raises(TypeError, match="as_of: expected a timezone-aware datetime or a date, got str"):
        db.clv_apply("hand", "2025-01-01")
    assert db.last_change_seq == seq
    scores = db.clv_scores()
    assert len(scores) == 600 and scores.attrs["as_of"] == at(2025, 1, 1)
