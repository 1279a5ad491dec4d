"""rapport.clv model checking (calibration against holdout, frequency/recency matrices, the P(alive) history)
on CDNOW, checked against pandas computations of the same numbers from the models' predictions, and the
rapport.plot charts of each: drawn, saved as PNGs that are not blank, returned as their Axes."""

import datetime as dt
import os
import pathlib

import pytest

import rapport
import rapport.clv as clv

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")


def shared_dir(name):
    env = os.environ.get("RAPPORT_SHARED_DATA")
    candidates = [pathlib.Path(env) / name] if env else []
    candidates.append(pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "data" / name)
    for c in candidates:
        if c.is_dir():
            return c
    pytest.skip(f"reference data {name} not found (set RAPPORT_SHARED_DATA to the shared data directory)")


@pytest.fixture(scope="module")
def orders():
    raw = pd.read_csv(shared_dir("cdnow") / "CDNOW_sample.txt", sep=r"\s+", header=None,
                      names=["master", "customer_id", "date", "cds", "amount"], dtype={"date": "str"})
    at = pd.to_datetime(raw["date"], format="%Y%m%d").dt.tz_localize("UTC")
    return pd.DataFrame({"customer_id": raw["customer_id"], "ordered_at": at, "amount": raw["amount"]})


@pytest.fixture(scope="module")
def cdnow(orders):
    return clv.summary(orders, calibration_end=dt.date(1997, 9, 30), observation_end=dt.date(1998, 6, 30))


@pytest.fixture(scope="module")
def bg(cdnow):
    return clv.BetaGeo().fit(cdnow)


# ------------------------------------------------------------------------------------ calibration vs holdout

def test_calibration_holdout_on_cdnow(cdnow, bg):
    table = clv.calibration_holdout(bg, cdnow)
    assert list(table.index) == list(range(8)) and table.index.name == "frequency"
    assert list(table.columns) == ["customers", "actual", "expected"]
    assert table.customers.sum() == 2357 and table.customers[0] == 1411  # the 946 repeat customers are the rest
    # The same numbers from pandas: groups of the calibration frequency, censored at 7.
    group = cdnow.frequency.clip(upper=7).astype(int)
    expected = bg.conditional_expected_number_of_purchases_up_to_time(39, cdnow.frequency, cdnow.recency, cdnow["T"])
    np.testing.assert_array_equal(table.customers.to_numpy(), group.value_counts().sort_index().to_numpy())
    np.testing.assert_allclose(table.actual.to_numpy(), cdnow.frequency_holdout.groupby(group).mean().to_numpy(),
                               rtol=1e-14)
    np.testing.assert_allclose(table.expected.to_numpy(), expected.groupby(group).mean().to_numpy(), rtol=1e-12)
    # The figure's shape: more purchases in the calibration period, more in the holdout, actual and expected.
    assert table.actual.is_monotonic_increasing and table.expected.is_monotonic_increasing
    assert (table.actual * table.customers).sum() == pytest.approx(1882) and cdnow.frequency_holdout.sum() == 1882
    # Other censoring points and the Pareto/NBD.
    wide = clv.calibration_holdout(clv.ParetoNBD().fit(cdnow), cdnow, max_frequency=12)
    assert len(wide) == 13 and wide.customers.sum() == 2357


def test_calibration_holdout_weights_and_errors(cdnow, bg):
    one = cdnow.iloc[[0, 0, 1]].copy()
    weighted = cdnow.iloc[[0, 1]].copy()
    weighted["weights"] = [2.0, 1.0]
    pd.testing.assert_frame_equal(clv.calibration_holdout(bg, one, 3), clv.calibration_holdout(bg, weighted, 3))
    assert np.isnan(clv.calibration_holdout(bg, one, 3).actual[0])  # an empty group
    with pytest.raises(rapport.ValidationError, match=r"^summary: no column 'frequency_holdout' \(rapport.clv.summary "
                                                      r"writes it when given observation_end\)$"):
        clv.calibration_holdout(bg, cdnow[["frequency", "recency", "T"]])
    bad = cdnow.copy()
    bad.loc[bad.index[3], "frequency_holdout"] = -1
    with pytest.raises(rapport.ValidationError, match=r"^holdout_frequency: must be a whole number >= 0 "
                                                      r"\(row 3: -1\)$"):
        clv.calibration_holdout(bg, bad)
    with pytest.raises(rapport.ValidationError, match=r"^holdout_duration: must be finite and > 0, got 0$"):
        clv.calibration_holdout(bg, cdnow, duration=0)
    with pytest.raises(rapport.ValidationError, match=r"^model: calibration against holdout needs a fitted BetaGeo "
                                                      r"or ParetoNBD, got BetaGeoBetaBinom$"):
        clv.calibration_holdout(clv.BetaGeoBetaBinom(), cdnow)
    with pytest.raises(TypeError, match="^max_frequency: expected an int"):
        clv.calibration_holdout(bg, cdnow, 7.5)


# ------------------------------------------------------------------------------------ frequency/recency matrices

def test_frequency_recency_matrix_defaults_from_the_summary(cdnow, bg):
    m = clv.frequency_recency_matrix(bg, cdnow, t=39)
    assert isinstance(m, clv.FrequencyRecencyMatrix)
    assert m.T == pytest.approx(cdnow["T"].max()) and m.t == 39
    assert list(m.expected.index) == list(range(int(cdnow.frequency.max()) + 1))
    cols = m.expected.columns.to_numpy()
    assert cols[0] == 0 and cols[-1] == pytest.approx(cdnow["T"].max()) and len(cols) == 40  # 0 .. 38 and T
    assert m.p_alive.loc[0, 0.0] == 1 and m.expected.loc[0, 1:].isna().all() and m.p_alive.loc[0, 1:].isna().all()
    # Each cell is the model's prediction for that customer.
    x, tx = 5, cols[20]
    assert m.expected.loc[x, tx] == bg.conditional_expected_number_of_purchases_up_to_time(39, x, tx, m.T)
    assert m.p_alive.loc[x, tx] == bg.conditional_probability_alive(x, tx, m.T)
    given = clv.frequency_recency_matrix(bg, T=52, max_frequency=3, recency=[0, 13, 52])
    assert given.expected.shape == (4, 3) and given.t == 1.0
    with pytest.raises(rapport.ValidationError, match="^T: required without a summary$"):
        clv.frequency_recency_matrix(bg, max_frequency=3)
    with pytest.raises(rapport.ValidationError, match=r"^recency: must be between 0 and age \(52\) \(column 1: 60\)$"):
        clv.frequency_recency_matrix(bg, T=52, max_frequency=3, recency=[0, 60])


# ------------------------------------------------------------------------------------ P(alive) history

def test_alive_history_ends_at_the_summary(orders, cdnow, bg):
    h = clv.alive_history(bg, orders, 1, end=dt.date(1997, 9, 30))
    assert list(h.columns) == ["t", "p_alive", "purchase"]
    assert str(h.index.tz) == "UTC" and h.index[0] == pd.Timestamp("1997-01-01", tz="UTC")
    assert h.t.iloc[0] == 0 and h.p_alive.iloc[0] == 1
    assert h.purchase.sum() == cdnow.loc[1, "frequency"]  # customer 1's repeat purchases by the calibration end
    # At the calibration end the history is the customer's P(alive) from the summary.
    last = bg.conditional_probability_alive(cdnow.loc[1, "frequency"], cdnow.loc[1, "recency"], cdnow.loc[1, "T"])
    assert h.t.iloc[-1] == pytest.approx(cdnow.loc[1, "T"]) and h.p_alive.iloc[-1] == pytest.approx(last, rel=1e-12)
    # Daily points by default (the 272 days to the end, both ends included).
    assert len(h) == 273
    weekly = clv.alive_history(bg, orders, 1, step=dt.timedelta(weeks=1))
    assert weekly.index[-1] == orders.ordered_at.max() and weekly.purchase.sum() >= h.purchase.sum()
    with pytest.raises(rapport.ValidationError, match="^customer_id: transactions has no order of customer -5"):
        clv.alive_history(bg, orders, -5)
    with pytest.raises(rapport.ValidationError, match="^end: before the customer's first purchase"):
        clv.alive_history(bg, orders, 1, end=dt.date(1996, 1, 1))


# ------------------------------------------------------------------------------------ plots

@pytest.fixture
def plt():
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def saved(ax, path):
    """Saves the Axes' figure; checks the PNG is a few KB and not of a single colour."""
    import matplotlib.axes
    import matplotlib.image

    assert isinstance(ax, matplotlib.axes.Axes)
    ax.figure.savefig(path, dpi=80)
    assert path.stat().st_size > 5_000, path.stat().st_size
    image = matplotlib.image.imread(str(path))
    assert image.ndim == 3 and image[..., :3].var() > 1e-3


def test_calibration_holdout_chart(cdnow, bg, plt, tmp_path):
    import rapport.plot

    ax = rapport.plot.calibration_holdout(clv.calibration_holdout(bg, cdnow))
    saved(ax, tmp_path / "calibration.png")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert [line.get_label() for line in ax.get_lines()] == ["actual", "model"]
    _, axes = plt.subplots(1, 2)
    assert rapport.plot.calibration_holdout(bg, cdnow, axes[0], max_frequency=4) is axes[0]
    assert len(axes[0].get_lines()[0].get_xdata()) == 5
    with pytest.raises(TypeError, match="^calibration_holdout: expected"):
        rapport.plot.calibration_holdout([1, 2, 3])


def test_frequency_recency_heat_maps(cdnow, bg, plt, tmp_path):
    import rapport.plot

    m = clv.frequency_recency_matrix(bg, cdnow, t=39)
    saved(rapport.plot.frequency_recency_matrix(m), tmp_path / "expected.png")
    ax = rapport.plot.probability_alive_matrix(bg, cdnow)
    saved(ax, tmp_path / "alive.png")
    assert "P(alive)" in ax.get_title()
    saved(rapport.plot.frequency_recency_matrix(m.expected, title=None), tmp_path / "frame.png")
    with pytest.raises(TypeError, match="^expected the result of rapport.clv.frequency_recency_matrix"):
        rapport.plot.probability_alive_matrix("matrix")


def test_alive_history_chart(orders, bg, plt, tmp_path):
    import rapport.plot

    h = clv.alive_history(bg, orders, 1)
    ax = rapport.plot.alive_history(h)
    saved(ax, tmp_path / "history.png")
    assert len(ax.get_lines()) == 1 + int(h.purchase.sum())  # the curve and a line per repeat purchase
    with pytest.raises(TypeError, match="^alive_history: expected"):
        rapport.plot.alive_history(h[["t"]])
