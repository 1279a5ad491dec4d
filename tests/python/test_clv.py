"""rapport.clv: the summary and the CLV models against the published CDNOW and donations results (the
same truth values, and sources, as tests/cpp/analytics/clv_reference_test.cc), predictions, errors,
and the BG/NBD log-likelihood against a direct scipy.special transcription of the paper's eq. 6."""

import datetime as dt
import os
import pathlib

import pytest

import rapport
import rapport.clv as clv

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

UTC = dt.timezone.utc


def shared_dir(name):
    env = os.environ.get("RAPPORT_SHARED_DATA")
    candidates = [pathlib.Path(env) / name] if env else []
    candidates.append(pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "data" / name)
    for c in candidates:
        if c.is_dir():
            return c
    pytest.skip(f"reference data {name} not found (set RAPPORT_SHARED_DATA to the shared data directory)")


def printed(value, truth, unit):
    """Equal to a published number to half a unit of its last printed digit."""
    assert abs(value - truth) <= unit / 2, (value, truth)


@pytest.fixture(scope="module")
def cdnow_orders():
    d = shared_dir("cdnow")
    raw = pd.read_csv(d / "CDNOW_sample.txt", sep=r"\s+", header=None,
                      names=["master", "customer_id", "date", "cds", "amount"], dtype={"date": "str"})
    at = pd.to_datetime(raw["date"], format="%Y%m%d").dt.tz_localize("UTC")
    return pd.DataFrame({"customer_id": raw["customer_id"], "ordered_at": at, "amount": raw["amount"]})


@pytest.fixture(scope="module")
def cdnow(cdnow_orders):
    return clv.summary(cdnow_orders, calibration_end=dt.date(1997, 9, 30), observation_end=dt.date(1998, 6, 30))


@pytest.fixture(scope="module")
def donations():
    return pd.read_csv(shared_dir("donations") / "donations.csv")


# ------------------------------------------------------------------------------------ summary

def test_cdnow_summary_equals_hardies_files(cdnow):
    d = shared_dir("cdnow")
    ref = pd.read_csv(d / "cdnow_customers_summary.csv", index_col="ID")
    zbar = pd.read_csv(d / "cdnow_customers_summary_with_transactions.csv", index_col="ID")
    assert len(cdnow) == 2357 and list(cdnow.index) == list(ref.index)
    assert list(cdnow.columns) == ["frequency", "recency", "T", "monetary_value", "frequency_holdout",
                                   "monetary_value_holdout", "duration_holdout"]
    np.testing.assert_array_equal(cdnow.frequency.to_numpy(), ref.frequency.to_numpy())
    # Hardie's files round to two decimals.
    assert np.abs(cdnow.recency - ref.recency).max() <= 0.005 + 1e-9
    assert np.abs(cdnow["T"] - ref["T"]).max() <= 0.005 + 1e-9
    repeat = cdnow.frequency > 0
    assert np.abs(cdnow.monetary_value[repeat] - zbar.zbar[repeat]).max() <= 0.005 + 1e-9
    assert cdnow.monetary_value[~repeat].isna().all()  # lifetimes writes 0 here
    assert cdnow.loc[1, "recency"] == pytest.approx(213 / 7) and cdnow.loc[1, "T"] == pytest.approx(272 / 7)
    assert (cdnow.duration_holdout == 39).all()


def test_summary_in_days_without_merging_and_default_end():
    orders = pd.DataFrame({
        "customer_id": [7, 7, 7, 9],
        "ordered_at": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 18:00", "2024-01-11", "2024-01-06"], utc=True),
    })
    merged = clv.summary(orders, freq="D")  # no amount column: no monetary_value
    assert list(merged.columns) == ["frequency", "recency", "T"]
    assert merged.loc[7, "frequency"] == 1 and merged.loc[9, "frequency"] == 0
    assert merged.loc[7, "T"] == pytest.approx(10 - 9 / 24)  # to the latest order, 2024-01-11 00:00
    apart = clv.summary(orders, freq="D", merge_same_day=False)
    assert apart.loc[7, "frequency"] == 2


def test_summary_errors():
    orders = pd.DataFrame({"customer_id": [1], "ordered_at": pd.to_datetime(["2024-01-01"], utc=True)})
    with pytest.raises(rapport.ValidationError, match="^calibration_end: required when observation_end is given$"):
        clv.summary(orders, observation_end=dt.date(2024, 2, 1))
    with pytest.raises(rapport.ValidationError, match="^freq: expected 'D', 'W' or a timedelta, got 'fortnight'$"):
        clv.summary(orders, freq="fortnight")
    with pytest.raises(rapport.ValidationError) as e:
        clv.summary(orders, calibration_end=dt.date(2024, 2, 1), observation_end=dt.date(2024, 1, 1))
    assert str(e.value).startswith("observation_end: ")


# ------------------------------------------------------------------------------------ published fits

def test_bg_nbd_reproduces_fader_hardie_lee_2005(cdnow):
    m = clv.BetaGeo().fit(cdnow.frequency, cdnow.recency, cdnow["T"])
    for name, truth in {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}.items():
        printed(m.params_[name], truth, 0.001)
    printed(m.log_likelihood_, -9582.4, 0.1)
    assert list(m.standard_errors_.index) == ["r", "alpha", "a", "b"]
    assert (m.standard_errors_ > 0).all() and (m.standard_errors_ < 0.5 * m.params_).all()
    np.testing.assert_allclose(np.sqrt(np.diag(m.covariance_)), m.standard_errors_, rtol=1e-12)
    assert m.customers_ == 2357
    # Fitting the DataFrame reads the same columns.
    again = clv.BetaGeo().fit(cdnow)
    pd.testing.assert_series_equal(again.params_, m.params_)
    assert m.log_likelihood(cdnow.frequency, cdnow.recency, cdnow["T"]) == pytest.approx(m.log_likelihood_, rel=1e-14)


def test_pareto_nbd_reproduces_the_published_fit(cdnow):
    m = clv.ParetoNBD().fit(cdnow)
    for name, truth in {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}.items():
        printed(m.params_[name], truth, 0.001)
    printed(m.log_likelihood_, -9595.0, 0.1)


def test_gamma_gamma_reproduces_rfm_and_clv(cdnow):
    m = clv.GammaGamma().fit(cdnow.frequency, cdnow.monetary_value)
    assert list(m.params_.index) == ["p", "q", "v"]
    printed(m.params_["p"], 6.25, 0.01)
    printed(m.params_["q"], 3.74, 0.01)
    printed(m.params_["v"], 15.44, 0.01)
    assert m.customers_ == 946  # the repeat customers
    # Note 025's workbook: E[M] of customers 1-10 at the fitted parameters.
    spend = m.conditional_expected_average_profit(cdnow.frequency, cdnow.monetary_value)
    assert isinstance(spend, pd.Series) and spend.index.equals(cdnow.index)
    for got, truth in zip(spend.iloc[:10], [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17]):
        printed(got, truth, 0.01)


def test_bg_bb_reproduces_fader_hardie_shang_2010(donations):
    m = clv.BetaGeoBetaBinom().fit(donations)  # columns frequency, recency, periods, weights
    for name, truth in {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}.items():
        printed(m.params_[name], truth, 0.001)
    printed(m.log_likelihood_, -33225.6, 0.1)
    assert m.customers_ == 11104
    # Table 6: P(alive in 2002) for (x, t_x, n) = (0, 0, 6), (2, 4, 6), (6, 6, 6).
    alive = m.conditional_probability_alive([0, 2, 6], [0, 4, 6], 6)
    for got, truth in zip(alive, [0.11, 0.59, 0.93]):
        printed(got, truth, 0.01)
    # Note 010: sum over donors of E[X(6, 11) | x, t_x, 6] = 12884.2.
    e = m.conditional_expected_number_of_purchases_up_to_time(5, donations.frequency, donations.recency,
                                                              donations.periods)
    printed(float((e * donations.weights).sum()), 12884.2, 0.1)


# ------------------------------------------------------------------------------------ predictions

def test_bg_nbd_predictions_of_note_004(cdnow):
    m = clv.BetaGeo()
    m.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # the published estimates, as in lifetimes
    printed(m.conditional_expected_number_of_purchases_up_to_time(39, 2, 30.43, 38.86), 1.226, 0.001)
    fitted = clv.BetaGeo().fit(cdnow)
    t = np.array([0.1429, 1.0, 3.0, 31.8571, 32.0])
    for got, truth in zip(fitted.expected_number_of_purchases_up_to_time(t), [0.0078, 0.0532, 0.1506, 1.0405, 1.0437]):
        printed(got, truth, 0.0001)
    # Vectorised over customers and horizons: each element is the scalar call's value.
    horizons = np.where(np.arange(len(cdnow)) % 2 == 0, 39.0, 52.0)
    e = fitted.conditional_expected_number_of_purchases_up_to_time(horizons, cdnow.frequency, cdnow.recency, cdnow["T"])
    for i in (0, 1, 2357 - 1):
        one = fitted.conditional_expected_number_of_purchases_up_to_time(
            horizons[i], cdnow.frequency.iloc[i], cdnow.recency.iloc[i], cdnow["T"].iloc[i])
        assert e.iloc[i] == pytest.approx(one, rel=1e-14)
    # P(X(t) = n) sums to 1 over n.
    p = fitted.probability_of_n_purchases_up_to_time(39, np.arange(200))
    assert p.sum() == pytest.approx(1, abs=1e-9)
    alive = fitted.conditional_probability_alive(cdnow.frequency, cdnow.recency, cdnow["T"])
    assert ((alive > 0) & (alive <= 1)).all() and (alive[cdnow.frequency == 0] == 1).all()


def test_lifetime_value_discounts_monthly_expected_purchases(cdnow):
    bg = clv.BetaGeo().fit(cdnow)
    gg = clv.GammaGamma().fit(cdnow)
    value = gg.customer_lifetime_value(bg, cdnow.frequency, cdnow.recency, cdnow["T"], cdnow.monetary_value,
                                       time=12, discount_rate=0.01, freq="W")
    # The lifetimes formula written out: monthly steps of 4.345 weeks, discounted per month.
    spend = gg.conditional_expected_average_profit(cdnow.frequency, cdnow.monetary_value)
    expected = np.zeros(len(cdnow))
    for k in range(1, 13):
        step = (bg.conditional_expected_number_of_purchases_up_to_time(k * 4.345, cdnow.frequency, cdnow.recency,
                                                                       cdnow["T"])
                - bg.conditional_expected_number_of_purchases_up_to_time((k - 1) * 4.345, cdnow.frequency,
                                                                         cdnow.recency, cdnow["T"]))
        expected += (spend * step / 1.01 ** k).to_numpy()
    np.testing.assert_allclose(value.to_numpy(), expected, rtol=1e-9)
    assert (value > 0).all()


# ------------------------------------------------------------------------------------ errors

def test_errors_carry_the_core_messages():
    with pytest.raises(rapport.ValidationError, match=r"^recency: must be >= 0 \(row 1: -1\)$"):
        clv.BetaGeo().fit([1, 2], [1, -1], [3, 3])
    with pytest.raises(rapport.ValidationError, match=r"^recency: must not exceed age \(38.5\) \(row 0: 40\)$"):
        clv.ParetoNBD().fit([1], [40], [38.5])
    with pytest.raises(rapport.ValidationError,
                       match=r"^frequency: nobody repeated \(every frequency is 0\); the BG/NBD model cannot be "
                             r"identified$"):
        clv.BetaGeo().fit([0, 0], [0, 0], [5, 6])
    with pytest.raises(rapport.ValidationError, match=r"^frequency: the arguments have different lengths "):
        clv.BetaGeo().fit([1, 2, 3], [1, 1], [3, 3])
    with pytest.raises(rapport.ValidationError, match=r"^params_: the BG/NBD model is not fitted \(call fit\(\) "
                                                      r"first\)$"):
        clv.BetaGeo().conditional_probability_alive(1, 1, 2)
    m = clv.BetaGeo()
    m.params_ = {"r": -1, "alpha": 1, "a": 1, "b": 1}
    with pytest.raises(rapport.ValidationError) as e:
        m.expected_number_of_purchases_up_to_time(1)
    assert str(e.value).startswith("r: ")
    with pytest.raises(rapport.ValidationError, match="^transaction_prediction_model: expected a fitted BetaGeo"):
        clv.GammaGamma().customer_lifetime_value(clv.BetaGeoBetaBinom(), 1, 1, 2, 10)
    # Optimiser options the core refuses (NLopt would read them as "never stop" / "no limit").
    with pytest.raises(rapport.ValidationError, match=r"^tolerance: must be finite and >= 0, got nan$"):
        clv.BetaGeo(tol=float("nan")).fit([1, 2], [1, 2], [3, 3])
    with pytest.raises(rapport.ValidationError, match=r"^max_evaluations: must be >= 1, got 0$"):
        clv.GammaGamma(max_evaluations=0).fit([1, 2], [5, 7])


# ------------------------------------------------------------------------------------ cross-check

def test_bg_nbd_log_likelihood_matches_a_direct_scipy_formula(cdnow):
    special = pytest.importorskip("scipy.special")
    m = clv.BetaGeo().fit(cdnow)
    r, alpha, a, b = (m.params_[n] for n in ("r", "alpha", "a", "b"))
    x, tx, T = cdnow.frequency.to_numpy(), cdnow.recency.to_numpy(), cdnow["T"].to_numpy()
    # Fader, Hardie & Lee (2005), eq. 6, written independently of the engine.
    ln_a1 = (special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
             + special.betaln(a, b + x) - special.betaln(a, b) - (r + x) * np.log(alpha + T))
    ln_a2 = np.where(x > 0, special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
                     + special.betaln(a + 1, b + np.maximum(x, 1) - 1) - special.betaln(a, b)
                     - (r + x) * np.log(alpha + tx), -np.inf)
    direct = np.logaddexp(ln_a1, ln_a2).sum()
    assert m.log_likelihood_ == pytest.approx(direct, rel=1e-11)
    # And away from the optimum, where an error would not hide behind a zero gradient.
    m.params_ = {"r": 0.5, "alpha": 3.0, "a": 1.5, "b": 2.0}
    r, alpha, a, b = 0.5, 3.0, 1.5, 2.0
    ln_a1 = (special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
             + special.betaln(a, b + x) - special.betaln(a, b) - (r + x) * np.log(alpha + T))
    ln_a2 = np.where(x > 0, special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
                     + special.betaln(a + 1, b + np.maximum(x, 1) - 1) - special.betaln(a, b)
                     - (r + x) * np.log(alpha + tx), -np.inf)
    assert m.log_likelihood(x, tx, T) == pytest.approx(np.logaddexp(ln_a1, ln_a2).sum(), rel=1e-11)
