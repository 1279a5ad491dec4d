"""Analyses of pandas DataFrames (rapport.rfm, value_tiers, cohorts, repurchase_rate,
interpurchase_intervals, churn, funnel, stage_funnel) against independent pandas implementations of
docs/analytics-rfm.md and docs/analytics-funnels.md, on generated data and on the CDNOW data set."""

import datetime as dt
import math
import os
import pathlib

import pytest

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

import rapport  # noqa: E402

UTC = dt.timezone.utc
DAY = 86_400_000_000
HOUR = 3_600_000_000
T0 = int(pd.Timestamp("2023-01-01", tz="UTC").value // 1000)


# ------------------------------------------------------------------------------------ data

def us_to_times(us):
    """int64 microseconds -> a tz-aware datetime64 Series (UTC)."""
    return pd.Series(pd.to_datetime(np.asarray(us, dtype=np.int64), unit="us", utc=True))


def make_orders(n_customers=3000, seed=7, span_days=730):
    """Orders of customers with sparse ids, in random row order. Amounts are multiples of 0.25 so
    that every sum is exact whatever the order of addition (the RFM tie rule is then testable
    exactly); some customers share times and amounts (ties)."""
    rng = np.random.default_rng(seed)
    ids = rng.choice(10_000_000, size=n_customers, replace=False).astype(np.int64)
    per = rng.geometric(0.35, size=n_customers)
    customer = np.repeat(ids, per)
    n = len(customer)
    at = T0 + rng.integers(0, span_days * DAY, size=n)
    at[rng.random(n) < 0.05] = T0 + 100 * DAY  # many orders at one instant
    amount = np.round(rng.gamma(2.0, 40.0, size=n) * 4) / 4
    amount[rng.random(n) < 0.1] = 50.0
    perm = rng.permutation(n)
    df = pd.DataFrame({"customer_id": customer[perm], "ordered_at": us_to_times(at[perm]),
                       "amount": amount[perm], "at_us": at[perm]})
    return df


@pytest.fixture(scope="module")
def orders():
    return make_orders()


# ------------------------------------------------------------------------------------ references

CLASSIC = [("Champions", 5, 5, 4, 5), ("Loyal", 3, 4, 4, 5), ("Potential loyalists", 4, 5, 2, 3), ("New", 5, 5, 1, 1),
           ("Promising", 4, 4, 1, 1), ("Need attention", 3, 3, 3, 3), ("About to sleep", 3, 3, 1, 2),
           ("At risk", 1, 2, 3, 4), ("Can't lose", 1, 2, 5, 5), ("Hibernating", 1, 2, 1, 2)]


def score(x, bins, worse_is_larger=False):
    """docs/analytics-rfm.md: 1 + floor(bins * (rank_min - 1) / n), rank_min from the worse end."""
    ranks = x.rank(method="min", ascending=not worse_is_larger).astype(np.int64)
    return 1 + (bins * (ranks - 1)) // len(x)


def ref_rfm(o, as_of_us, bins=5, rules=CLASSIC, customer="customer_id"):
    o = o[o.at_us <= as_of_us]
    g = o.groupby(customer)
    t = pd.DataFrame({"recency_days": (as_of_us - g.at_us.max()) // DAY, "frequency": g.size(),
                      "monetary": g.amount.sum(min_count=0)})
    t["r"] = score(t.recency_days, bins, worse_is_larger=True)
    t["f"] = score(t.frequency, bins)
    t["m"] = score(t.monetary, bins)
    seg = pd.Series([None] * len(t), index=t.index, dtype=object)
    for name, r0, r1, f0, f1 in reversed(rules):  # the first rule that matches wins
        seg[(t.r >= r0) & (t.r <= r1) & (t.f >= f0) & (t.f <= f1)] = name
    t["segment"] = seg
    return t.sort_index()


def check_rfm(got, ref):
    assert list(got.index) == list(ref.index)
    for c in ("recency_days", "frequency", "r", "f", "m"):
        np.testing.assert_array_equal(got[c].to_numpy(), ref[c].to_numpy(), err_msg=c)
    np.testing.assert_allclose(got.monetary.to_numpy(), ref.monetary.to_numpy(), rtol=1e-12)
    assert got.segment.astype(object).where(got.segment.notna(), None).tolist() == ref.segment.tolist()


# ------------------------------------------------------------------------------------ RFM

def test_rfm_matches_pandas_rank_min(orders):
    as_of = orders.at_us.max()  # the default
    got = rapport.rfm(orders)
    ref = ref_rfm(orders, as_of)
    check_rfm(got, ref)
    assert got.index.name == "customer_id"
    assert list(got.columns) == ["recency_days", "frequency", "monetary", "r", "f", "m", "segment"]
    assert got.segment.dtype == "category"
    assert list(got.segment.cat.categories) == [r[0] for r in CLASSIC]
    assert {c: str(got[c].dtype) for c in ("recency_days", "frequency", "r")} == \
        {"recency_days": "int64", "frequency": "int64", "r": "int64"}
    assert got.recency_days.min() == 0
    # Every score level is used with a few thousand customers, and ties share a score.
    assert set(got.r) == set(range(1, 6))
    assert got.groupby("frequency").f.nunique().max() == 1


@pytest.mark.parametrize("bins", [2, 3, 7, 10])
def test_rfm_other_bins_and_as_of(orders, bins):
    as_of = dt.datetime(2024, 6, 30, 12, tzinfo=UTC)
    as_of_us = (as_of - dt.datetime(1970, 1, 1, tzinfo=UTC)) // dt.timedelta(microseconds=1)
    got = rapport.rfm(orders, as_of=as_of, bins=bins)
    ref = ref_rfm(orders, as_of_us, bins=bins, rules=[])
    check_rfm(got, ref)
    assert got.segment.isna().all() and len(got.segment.cat.categories) == 0


def test_rfm_custom_segments_dicts_tuples_and_first_match(orders):
    rules = [{"name": "best", "r": (4, 5), "f": (4, 5)}, ("recent", 5, (1, 5)),
             {"name": "lapsed", "r_min": 1, "r_max": 2, "f_min": 1, "f_max": 5}, ("overlap", (1, 5), 5)]
    got = rapport.rfm(orders, segments=rules)
    ref = ref_rfm(orders, orders.at_us.max(), rules=[("best", 4, 5, 4, 5), ("recent", 5, 5, 1, 5),
                                                     ("lapsed", 1, 2, 1, 5), ("overlap", 1, 5, 5, 5)])
    check_rfm(got, ref)
    assert list(got.segment.cat.categories) == ["best", "recent", "lapsed", "overlap"]
    assert got.segment.isna().any()  # R 3, F < 5 matches none
    none = rapport.rfm(orders, segments=[])
    assert none.segment.isna().all()


def test_rfm_summary_matches_groupby(orders):
    s = rapport.rfm_summary(orders)
    t = rapport.rfm(orders)
    assert isinstance(s, rapport.RfmSummary)
    assert s.bins == 5 and s.customers == len(t)
    assert s.as_of == pd.Timestamp(orders.at_us.max() * 1000, tz="UTC")
    assert list(s.segments.index) == [r[0] for r in CLASSIC]  # a partition: no "(unsegmented)" row
    g = t.groupby("segment", observed=False)
    np.testing.assert_array_equal(s.segments.customers.to_numpy(), g.size().to_numpy())
    np.testing.assert_allclose(s.segments.revenue.to_numpy(), g.monetary.sum().to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(s.segments.customer_share.to_numpy(), (g.size() / len(t)).to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(s.segments.revenue_share.to_numpy(), (g.monetary.sum() / t.monetary.sum()).to_numpy(),
                               rtol=1e-12)
    for col, src in (("mean_recency_days", "recency_days"), ("mean_frequency", "frequency"),
                     ("mean_monetary", "monetary")):
        np.testing.assert_allclose(s.segments[col].to_numpy(), g[src].mean().to_numpy(), rtol=1e-12)
    grid = pd.crosstab(t.r, t.f).reindex(index=range(1, 6), columns=range(1, 6), fill_value=0)
    np.testing.assert_array_equal(s.grid.to_numpy(), grid.to_numpy())
    assert s.grid.index.name == "r" and s.grid.columns.name == "f"


def test_rfm_summary_unsegmented_row(orders):
    s = rapport.rfm_summary(orders, segments=[("top", 5, 5)])
    assert list(s.segments.index) == ["top", "(unsegmented)"]
    assert s.segments.customers.sum() == s.customers


def test_rfm_doc_example_ties():
    # docs/analytics-rfm.md: monetary 10, 20, 20, 30, 40, 40, 40, 50, 60, 70 -> M 1 1 1 2 3 3 3 4 5 5.
    amounts = [10, 20, 20, 30, 40, 40, 40, 50, 60, 70]
    o = pd.DataFrame({"customer_id": range(1, 11), "ordered_at": us_to_times([T0] * 10), "amount": amounts})
    got = rapport.rfm(o)
    assert got.m.tolist() == [1, 1, 1, 2, 3, 3, 3, 4, 5, 5]
    assert got.r.tolist() == [1] * 10 and got.f.tolist() == [1] * 10  # all equal: everybody scores 1


def test_rfm_nan_amount_counts_as_an_order_and_nat_is_skipped():
    o = pd.DataFrame({"customer_id": [1, 1, 2, 2],
                      "ordered_at": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-05", None]).tz_localize("UTC"),
                      "amount": [10.0, np.nan, 5.0, 100.0]})
    got = rapport.rfm(o)
    assert got.loc[1, "frequency"] == 2 and got.loc[1, "monetary"] == 10.0
    assert got.loc[2, "frequency"] == 1 and got.loc[2, "monetary"] == 5.0  # the NaT order is skipped
    assert got.loc[1, "recency_days"] == 0 and got.loc[2, "recency_days"] == 27


def test_rfm_text_ids_int_micros_and_other_zones(orders):
    ref = rapport.rfm(orders)
    o = orders.assign(customer_id="c" + orders.customer_id.astype(str),
                      ordered_at=orders.ordered_at.dt.tz_convert("Asia/Shanghai"))
    got = rapport.rfm(o)
    assert got.index.tolist() == sorted(o.customer_id.unique())
    assert got.loc["c" + ref.index.astype(str)].reset_index(drop=True).equals(ref.reset_index(drop=True))
    micros = rapport.rfm(orders, at="at_us")
    assert micros.equals(ref)


def test_rfm_empty_orders():
    o = pd.DataFrame({"customer_id": pd.Series([], dtype="int64"), "ordered_at": us_to_times([]),
                      "amount": pd.Series([], dtype="float64")})
    got = rapport.rfm(o)
    assert len(got) == 0 and list(got.columns)[-1] == "segment"
    s = rapport.rfm_summary(o)
    assert s.customers == 0 and s.as_of is None and int(s.grid.to_numpy().sum()) == 0


# ------------------------------------------------------------------------------------ value tiers

def ref_tiers(monetary, mode, high, potential):
    if mode == "quantile":
        rank = monetary.rank(method="min", ascending=False)
        p = (rank - 1) / len(monetary)
    else:
        by_value = monetary.groupby(monetary).sum().sort_index(ascending=False)
        before = by_value.cumsum().shift(fill_value=0.0)
        p = monetary.map(before) / monetary.sum()
    return np.where(p < high, 0, np.where(p < potential, 1, 2))


@pytest.mark.parametrize("mode,high,potential", [("quantile", None, None), ("quantile", 0.1, 0.6),
                                                 ("revenue_share", None, None), ("revenue_share", 0.3, 0.9)])
def test_value_tiers(orders, mode, high, potential):
    got = rapport.value_tiers(orders, mode=mode, high=high, potential=potential)
    defaults = {"quantile": (0.2, 0.5), "revenue_share": (0.5, 0.8)}[mode]
    h, p = high or defaults[0], potential or defaults[1]
    monetary = orders.groupby("customer_id").amount.sum().sort_index()
    assert got.index.tolist() == monetary.index.tolist()
    np.testing.assert_allclose(got.monetary.to_numpy(), monetary.to_numpy(), rtol=1e-12)
    np.testing.assert_array_equal(got.tier.cat.codes.to_numpy(), ref_tiers(monetary, mode, h, p))
    assert list(got.tier.cat.categories) == ["high value", "potential", "general"] and got.tier.cat.ordered


def test_value_tiers_names_and_as_of(orders):
    got = rapport.value_tiers(orders, as_of=dt.date(2023, 6, 1), names=["A", "B", "C"])
    assert list(got.tier.cat.categories) == ["A", "B", "C"]
    assert len(got) == orders[orders.at_us <= T0 + 151 * DAY].customer_id.nunique()


# ------------------------------------------------------------------------------------ cohorts

def iso_label(start):
    y, w, _ = start.isocalendar()
    return f"{y}-W{w:02d}"


def ref_cohorts(o, as_of_us, period):
    o = o[o.at_us <= as_of_us]
    naive = pd.to_datetime(o.at_us.to_numpy(), unit="us")
    freq = {"month": "M", "quarter": "Q", "week": "W-SUN"}[period]
    per = pd.PeriodIndex(naive, freq=freq)
    ordinal = pd.Series(per.asi8, index=o.index)
    first = ordinal.groupby(o.customer_id).transform("min")
    cohort_first = ordinal.groupby(o.customer_id).min()
    last = pd.Period(pd.Timestamp(as_of_us, unit="us"), freq=freq).ordinal
    cells = pd.DataFrame({"c": first, "k": ordinal - first, "cust": o.customer_id}).drop_duplicates()
    counts = cells.groupby(["c", "k"]).size().unstack(fill_value=0)
    cohorts_ = np.sort(cohort_first.unique())
    k_max = last - cohorts_.min() + 1
    counts = counts.reindex(index=cohorts_, columns=range(k_max), fill_value=0).astype(float)
    sizes = cohort_first.value_counts().reindex(cohorts_)
    for c in cohorts_:
        counts.loc[c, [k for k in range(k_max) if c + k > last]] = np.nan
    labels = []
    for c in cohorts_:
        p = pd.Period(ordinal=c, freq=freq)
        if period == "month":
            labels.append(p.strftime("%Y-%m"))
        elif period == "quarter":
            labels.append(f"{p.year}-Q{p.quarter}")
        else:
            labels.append(iso_label(p.start_time))
    counts.index = labels
    sizes.index = labels
    return counts, sizes


@pytest.mark.parametrize("period", ["month", "week", "quarter"])
def test_cohorts_match_pandas(orders, period):
    as_of = pd.Timestamp("2024-09-15 08:00", tz="UTC")
    as_of_us = as_of.value // 1000
    counts, sizes = ref_cohorts(orders, as_of_us, period)
    got = rapport.cohorts(orders, period=period, as_of=as_of, rates=False)
    assert got.index.tolist() == counts.index.tolist()
    np.testing.assert_array_equal(got["size"].to_numpy(), sizes.to_numpy())
    cells = got.drop(columns="size")
    assert cells.columns.tolist() == list(range(counts.shape[1]))
    assert all(str(t) == "Int64" for t in cells.dtypes)
    np.testing.assert_array_equal(cells.astype("float64").to_numpy(), counts.to_numpy())
    rates = rapport.cohorts(orders, period=period, as_of=as_of)
    np.testing.assert_allclose(rates.drop(columns="size").to_numpy(), counts.div(sizes, axis=0).to_numpy(),
                               rtol=1e-12)
    assert (rates[0] == 1.0).all()


def test_cohorts_default_as_of_max_periods_and_labels(orders):
    full = rapport.cohorts(orders)
    capped = rapport.cohorts(orders, max_periods=6)
    assert capped.columns.tolist() == ["size", 0, 1, 2, 3, 4, 5]
    pd.testing.assert_frame_equal(capped, full[capped.columns])
    assert full.index[0] == "2023-01" and full.index[-1] == "2024-12"
    assert full.index.name == "cohort"
    # The newest cohort has only period 0; the as_of default is the latest order, in Dec 2024.
    assert full.iloc[-1, 1:].isna().sum() == full.shape[1] - 2


def test_iso_week_labels():
    o = pd.DataFrame({"customer_id": [1, 2, 3], "ordered_at": pd.to_datetime(
        ["2024-12-30", "2021-01-03", "2025-12-29"]).tz_localize("UTC")})
    got = rapport.cohorts(o, period="week", as_of=dt.date(2026, 1, 1))
    assert got.index.tolist() == ["2020-W53", "2025-W01", "2026-W01"]


# ------------------------------------------------------------------------------------ repurchase, intervals, churn

def test_repurchase_rate(orders):
    as_of_us = T0 + 600 * DAY
    for window, w_us in (("90d", 90 * DAY), ("2w", 14 * DAY), (dt.timedelta(hours=36), 36 * HOUR)):
        got = rapport.repurchase_rate(orders, window=window, as_of=as_of_us)
        o = orders[orders.at_us <= as_of_us].sort_values(["customer_id", "at_us"])
        first = o.groupby("customer_id").at_us.min()
        second = o.assign(rank=o.groupby("customer_id").cumcount()).query("rank == 1").set_index("customer_id").at_us
        eligible = first[first <= as_of_us - w_us]
        repeat = (second.reindex(eligible.index) <= eligible + w_us).sum()
        assert (got.eligible_customers, got.repeat_customers) == (len(eligible), repeat)
        assert got.rate == pytest.approx(repeat / len(eligible))


def test_interpurchase_intervals(orders):
    got = rapport.interpurchase_intervals(orders)
    o = orders.sort_values(["customer_id", "at_us"])
    gaps = o.groupby("customer_id").at_us.diff().dropna() / DAY
    gaps_by = gaps.groupby(o.loc[gaps.index, "customer_id"])
    g = o.groupby("customer_id").at_us
    n = g.size()
    mean = ((g.max() - g.min()) / (n - 1) / DAY)[n >= 2]
    assert got.intervals.index.tolist() == mean.index.tolist()
    np.testing.assert_allclose(got.intervals.mean_days.to_numpy(), mean.to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(got.intervals.median_days.to_numpy(), gaps_by.median().to_numpy(), rtol=1e-9,
                               atol=1e-9)
    assert got.overall_mean_days == pytest.approx(mean.mean(), rel=1e-9)
    assert got.overall_median_days == pytest.approx(mean.median(), rel=1e-9)


def test_churn(orders):
    start, end = pd.Timestamp("2024-03-01", tz="UTC"), pd.Timestamp("2024-06-01", tz="UTC")
    s, e = start.value // 1000, end.value // 1000
    for lookback, lb in (("90d", 90 * DAY), ("26w", 182 * DAY)):
        got = rapport.churn(orders, start=start, end=end, lookback=lookback)
        base = set(orders[(orders.at_us >= s - lb) & (orders.at_us < s)].customer_id)
        active = set(orders[(orders.at_us >= s) & (orders.at_us < e)].customer_id)
        churned = base - active
        assert (got.base_customers, got.churned_customers) == (len(base), len(churned))
        assert got.rate == pytest.approx(len(churned) / len(base))


# ------------------------------------------------------------------------------------ event funnel

def make_events(n_customers=3000, seed=11):
    rng = np.random.default_rng(seed)
    kinds = np.array(["visit", "signup", "cart", "buy", "other"])
    per = rng.integers(1, 12, size=n_customers)
    customer = np.repeat(np.arange(1, n_customers + 1) * 3, per)
    n = len(customer)
    # Per customer a start time, then events spread over up to 60 days, often in funnel order.
    base = T0 + rng.integers(0, 200 * DAY, size=n_customers)
    at = np.repeat(base, per) + rng.integers(0, 60 * DAY, size=n) // rng.integers(1, 20, size=n)
    kind = kinds[rng.choice(5, size=n, p=[0.35, 0.2, 0.2, 0.15, 0.1])]
    dup = rng.random(n) < 0.05  # same microsecond as the customer's base: ties with step 1
    at[dup] = np.repeat(base, per)[dup]
    kind_s = pd.Series(kind, dtype=object)
    kind_s[rng.random(n) < 0.01] = None
    perm = rng.permutation(n)
    at_s = us_to_times(at[perm])
    at_s[rng.random(n) < 0.005] = pd.NaT
    return pd.DataFrame({"customer_id": customer[perm], "kind": kind_s.to_numpy()[perm], "at": at_s,
                         "at_us": at[perm]})


@pytest.fixture(scope="module")
def events():
    return make_events()


def ref_funnel(events, steps, window_us, start=None, end=None):
    """The pandas reference of docs/analytics-funnels.md; returns per step (customers Series of t1, tk)."""
    e = events[events["at"].notna() & events.kind.isin(steps)]
    first = e[e.kind == steps[0]]
    if start is not None:
        first = first[first.at_us >= start]
    if end is not None:
        first = first[first.at_us < end]
    cur = first.groupby("customer_id").at_us.min().to_frame("t1")
    cur["prev"] = cur.t1
    out = [cur.copy()]
    for kind in steps[1:]:
        m = e[e.kind == kind].join(cur.rename_axis(None), on="customer_id", how="inner")
        m = m[(m.at_us > m.prev) & (m.at_us <= m.t1 + window_us)]
        tk = m.groupby("customer_id").at_us.min()
        cur = cur.loc[tk.index].assign(prev=tk)
        out.append(cur.copy())
    return out


def check_funnel(got, ref, steps):
    assert got.index.tolist() == list(range(1, len(steps) + 1))
    assert got.kind.tolist() == list(steps)
    counts = np.array([len(r) for r in ref])
    np.testing.assert_array_equal(got.customers.to_numpy(), counts)
    with np.errstate(divide="ignore", invalid="ignore"):
        prev = counts / np.concatenate([[counts[0]], counts[:-1]])
        first = counts / counts[0]
    np.testing.assert_allclose(got.conversion_from_previous.to_numpy(), prev, rtol=1e-12)
    np.testing.assert_allclose(got.conversion_from_first.to_numpy(), first, rtol=1e-12)
    assert np.isnan(got.loc[1, ["median_seconds", "p90_seconds", "mean_seconds"]].astype(float)).all()
    for k in range(1, len(steps)):
        secs = ((ref[k].prev - ref[k].t1) / 1e6).to_numpy()
        row = got.loc[k + 1]
        if len(secs) == 0:
            assert math.isnan(row.median_seconds)
            continue
        assert row.median_seconds == pytest.approx(np.quantile(secs, 0.5), rel=1e-9)
        assert row.p90_seconds == pytest.approx(np.quantile(secs, 0.9), rel=1e-9)
        assert row.mean_seconds == pytest.approx(secs.mean(), rel=1e-9)


@pytest.mark.parametrize("steps,window,w_us", [
    (["visit", "signup", "buy"], "30d", 30 * DAY),
    (["visit", "visit", "cart", "buy"], "12h", 12 * HOUR),
    (["signup", "cart"], dt.timedelta(days=3, hours=6), 3 * DAY + 6 * HOUR),
    (["visit", "never", "buy"], "2w", 14 * DAY),
])
def test_funnel_matches_reference(events, steps, window, w_us):
    got = rapport.funnel(events, steps, window=window)
    check_funnel(got, ref_funnel(events, steps, w_us), steps)


def test_funnel_time_to_convert_histogram(events):
    steps = ["visit", "signup", "buy"]
    ref = ref_funnel(events, steps, 30 * DAY)
    got = rapport.funnel(events, steps, window="30d")
    default = ["0-1h", "1h-1d", "1d-1w", "1w-30d", ">30d"]
    assert got.columns.tolist()[-5:] == default
    assert got.loc[1, default].tolist() == [0, 0, 0, 0, 0]
    for k in (1, 2):
        secs = ((ref[k].prev - ref[k].t1) / 1e6).to_numpy()
        # A bucket includes its upper bound (np.histogram's include their lower one).
        expected = [((secs > lo) & (secs <= hi)).sum() for lo, hi in
                    [(-1, 3600), (3600, 86400), (86400, 7 * 86400), (7 * 86400, 30 * 86400), (30 * 86400, np.inf)]]
        assert got.loc[k + 1, default].tolist() == expected
        assert sum(expected) == got.loc[k + 1, "customers"]
    custom = rapport.funnel(events, steps, window="30d", buckets=["90min", dt.timedelta(days=2)])
    assert custom.columns.tolist()[-3:] == ["0-90min", "90min-2d", ">2d"]
    assert custom.loc[3, ["0-90min", "90min-2d", ">2d"]].sum() == custom.loc[3, "customers"]
    with pytest.raises(rapport.ValidationError, match="bucket_edges"):
        rapport.funnel(events, steps, buckets=["2d", "1d"])
    with pytest.raises(TypeError, match="buckets: expected a list"):
        rapport.funnel(events, steps, buckets="1d")


def test_funnel_period_bounds(events):
    start, end = pd.Timestamp("2023-02-01", tz="UTC"), dt.date(2023, 5, 1)
    s, e = start.value // 1000, int(pd.Timestamp("2023-05-01", tz="UTC").value // 1000)
    steps = ["visit", "cart", "buy"]
    got = rapport.funnel(events, steps, window="7d", start=start, end=end)
    check_funnel(got, ref_funnel(events, steps, 7 * DAY, s, e), steps)


def test_funnel_by_series_and_customer_column(events):
    steps = ["visit", "signup", "buy"]
    ids = np.sort(events.customer_id.unique())
    rng = np.random.default_rng(3)
    channel = pd.Series(rng.choice(["ads", "mail", "organic"], size=len(ids)), index=ids, dtype=object)
    channel[rng.random(len(ids)) < 0.1] = None
    channel = channel.drop(ids[::17])  # customers without a row: the null group
    result = rapport.funnel(events, steps, window="30d", by=channel)
    assert isinstance(result, rapport.FunnelResult)
    table, groups = result
    ref = ref_funnel(events, steps, 30 * DAY)
    check_funnel(table, ref, steps)
    assert groups.index.tolist() == ["ads", "mail", "organic", None]
    assert groups.columns.tolist() == [1, 2, 3]
    for k, r in enumerate(ref):
        labels = channel.reindex(r.index)
        expected = labels.value_counts(dropna=False)
        for g in ("ads", "mail", "organic"):
            assert groups.loc[g, k + 1] == expected.get(g, 0)
        assert groups.iloc[-1][k + 1] == labels.isna().sum()
    np.testing.assert_array_equal(groups.sum().to_numpy(), table.customers.to_numpy())
    # The same through a customer DataFrame column, and with a categorical (its category order).
    customers = pd.DataFrame({"id": channel.index, "channel": channel.to_numpy()})
    _, by_column = rapport.funnel(events, steps, window="30d", by="channel", customers=customers)
    pd.testing.assert_frame_equal(by_column, groups)
    cat = channel.astype(pd.CategoricalDtype(["organic", "mail", "ads", "unused"]))
    _, by_cat = rapport.funnel(events, steps, window="30d", by=cat)
    assert by_cat.index.tolist() == ["organic", "mail", "ads", "unused", None]
    assert by_cat.loc["unused"].sum() == 0
    pd.testing.assert_frame_equal(by_cat.loc[["ads", "mail", "organic"]], groups.loc[["ads", "mail", "organic"]])


def test_funnel_text_customer_ids_and_categorical_kinds(events):
    steps = ["visit", "signup", "buy"]
    ref = rapport.funnel(events, steps)
    e = events.assign(customer_id="u" + events.customer_id.astype(str), kind=events.kind.astype("category"))
    pd.testing.assert_frame_equal(rapport.funnel(e, steps), ref)
    by = pd.Series({"u3": "x", "u6": "y", "nobody": "x"})
    _, groups = rapport.funnel(e, steps, by=by)
    assert groups.sum().tolist() == ref.customers.tolist()


# ------------------------------------------------------------------------------------ stage funnel

STAGES = ["Lead", "Qualified", "Proposal", "Negotiation"]


def make_history(n_entities=2500, seed=5):
    rng = np.random.default_rng(seed)
    rows = []
    for e in range(1, n_entities + 1):
        t = T0 + int(rng.integers(0, 100 * DAY))
        i = int(rng.integers(0, 2))
        for _ in range(int(rng.integers(1, 7))):
            r = rng.random()
            if r < 0.1:
                stage = "Won"
            elif r < 0.2:
                stage = "Lost"
            elif r < 0.25:
                stage = "Parked"  # not in the order: ignored
            else:
                i = int(np.clip(i + rng.choice([-1, 0, 1, 1, 2]), 0, 3))
                stage = STAGES[i]
            rows.append((e, stage, t))
            t += int(rng.integers(0, 20 * DAY)) if rng.random() > 0.05 else 0  # some ties
    df = pd.DataFrame(rows, columns=["entity_id", "stage", "at_us"])
    df = df.iloc[rng.permutation(len(df))].reset_index(drop=True)
    df["entered_at"] = us_to_times(df.at_us)
    return df


def ref_stage_funnel(h, stages, won, lost, as_of_us):
    """docs/analytics-funnels.md, entity by entity (row order breaks ties of time)."""
    idx = {s: i for i, s in enumerate(stages)}
    k = len(stages)
    terminal = set(won) | set(lost)
    h = h[h.stage.isin(stages) | h.stage.isin(terminal)].copy()
    h["row"] = h.index  # the frame's row order (the index is 0..n-1)
    h = h.sort_values(["entity_id", "at_us", "row"], kind="stable")
    entered = np.zeros(k, int)
    advanced = np.zeros(k, int)
    reached = np.zeros((k, k), int)
    durations = [[] for _ in range(k)]
    ages = [[] for _ in range(k)]
    open_visits = np.zeros(k, int)
    n_won = n_lost = 0
    cycles = []
    for _, g in h.groupby("entity_id", sort=False):
        st, at = g.stage.tolist(), g.at_us.tolist()
        first = {}
        for pos, s in enumerate(st):
            if s in idx and s not in first:
                first[s] = pos
        for s, p in first.items():
            i = idx[s]
            entered[i] += 1
            later = {idx[x] for x in st[p + 1:] if x in idx}
            if any(j > i for j in later):
                advanced[i] += 1
            for j in later:
                if j > i:
                    reached[i, j] += 1
        for pos, s in enumerate(st):
            if pos + 1 < len(st):
                if s in idx:
                    durations[idx[s]].append((at[pos + 1] - at[pos]) / DAY)
            elif s in idx:
                open_visits[idx[s]] += 1
                if at[pos] <= as_of_us:
                    ages[idx[s]].append((as_of_us - at[pos]) / DAY)
        term = [pos for pos, s in enumerate(st) if s in terminal]
        if term:
            if st[term[0]] in won:
                n_won += 1
                cycles.append((at[term[0]] - at[0]) / DAY)
            else:
                n_lost += 1
    return dict(entered=entered, advanced=advanced, reached=reached, durations=durations, ages=ages,
                open_visits=open_visits, won=n_won, lost=n_lost, cycles=cycles, entities=h.entity_id.nunique())


def summary_close(got, values, prefix=""):
    if not values:
        assert math.isnan(got[f"{prefix}median_days"])
        return
    assert got[f"{prefix}median_days"] == pytest.approx(np.quantile(values, 0.5), rel=1e-9, abs=1e-12)
    assert got[f"{prefix}p90_days"] == pytest.approx(np.quantile(values, 0.9), rel=1e-9, abs=1e-12)
    assert got[f"{prefix}mean_days"] == pytest.approx(np.mean(values), rel=1e-9, abs=1e-12)


def test_stage_funnel_matches_reference():
    h = make_history()
    as_of = pd.Timestamp("2023-05-01", tz="UTC")
    as_of_us = as_of.value // 1000
    got = rapport.stage_funnel(h, STAGES, won="Won", lost=["Lost"], as_of=as_of)
    ref = ref_stage_funnel(h, STAGES, ["Won"], ["Lost"], as_of_us)
    t = got.stages
    assert t.index.tolist() == STAGES
    np.testing.assert_array_equal(t.entered.to_numpy(), ref["entered"])
    np.testing.assert_array_equal(t.advanced.to_numpy(), ref["advanced"])
    conv = ref["advanced"] / ref["entered"]
    conv[-1] = np.nan
    np.testing.assert_allclose(t.conversion_to_next.to_numpy(), conv, rtol=1e-12)
    np.testing.assert_array_equal(t.open_visits.to_numpy(), ref["open_visits"])
    for i, s in enumerate(STAGES):
        assert t.loc[s, "closed_visits"] == len(ref["durations"][i])
        summary_close(t.loc[s], ref["durations"][i])
        summary_close(t.loc[s], ref["ages"][i], prefix="open_")
    np.testing.assert_array_equal(got.reached.to_numpy(), ref["reached"])
    assert got.reached.index.tolist() == STAGES and got.reached.columns.tolist() == STAGES
    with np.errstate(divide="ignore", invalid="ignore"):
        share = ref["reached"] / ref["entered"][:, None]
    share[np.tril_indices(4)] = np.nan
    np.testing.assert_allclose(got.reached_share.to_numpy(), share, rtol=1e-12)
    assert (got.won, got.lost, got.entities) == (ref["won"], ref["lost"], ref["entities"])
    assert got.win_rate == pytest.approx(ref["won"] / (ref["won"] + ref["lost"]))
    assert got.cycle_days["count"] == len(ref["cycles"])
    assert got.cycle_days["median"] == pytest.approx(np.median(ref["cycles"]), rel=1e-9)
    assert got.cycle_days["p90"] == pytest.approx(np.quantile(ref["cycles"], 0.9), rel=1e-9)
    assert got.cycle_days["mean"] == pytest.approx(np.mean(ref["cycles"]), rel=1e-9)
    assert got.ignored_rows == int((h.stage == "Parked").sum())
    assert got.rows_missing_time == 0


def test_stage_funnel_without_as_of_has_no_open_ages():
    h = make_history(200, seed=9)
    got = rapport.stage_funnel(h, STAGES)
    assert "open_median_days" not in got.stages.columns
    assert math.isnan(got.win_rate) and got.won == 0


# ------------------------------------------------------------------------------------ errors

def raises(exc, match, fn, *args, **kwargs):
    with pytest.raises(exc) as info:
        fn(*args, **kwargs)
    assert match in str(info.value), str(info.value)
    return info.value


def test_errors_name_the_argument(orders, events):
    v = rapport.ValidationError
    raises(v, "customer: orders has no column 'client' (pass customer=<column name>)", rapport.rfm, orders,
           customer="client")
    raises(v, "at: orders has no column 'when'", rapport.cohorts, orders, at="when")
    raises(v, "amount: column 'kind': expected numbers", rapport.rfm, orders.assign(kind="x"), amount="kind")
    with_nan = orders.assign(customer_id=orders.customer_id.astype(float))
    with_nan.loc[with_nan.index[3], "customer_id"] = np.nan
    raises(v, "customer: column 'customer_id' has missing values", rapport.rfm, with_nan)
    raises(v, "customer: column 'customer_id': expected integer or text ids, got fractional numbers", rapport.rfm,
           orders.assign(customer_id=orders.customer_id + 0.5))
    raises(v, "at: column 'ordered_at' holds naive datetime64 values; rapport does not guess a time zone",
           rapport.rfm, orders.assign(ordered_at=orders.ordered_at.dt.tz_localize(None)))
    raises(v, "at: column 'amount': expected timezone-aware datetime64 values or int64 microseconds", rapport.rfm,
           orders, at="amount")
    raises(v, "period: unknown value 'year' (one of week, month, quarter)", rapport.cohorts, orders, period="year")
    raises(v, "window: cannot read '30 days and a bit' as a duration", rapport.funnel, events, ["visit", "buy"],
           window="30 days and a bit")
    raises(v, "window: cannot read '30x'", rapport.repurchase_rate, orders, window="30x")
    raises(v, "lookback: cannot read", rapport.churn, orders, start=dt.date(2024, 1, 1), end=dt.date(2024, 2, 1),
           lookback="soon")
    raises(v, "mode: unknown value 'pareto'", rapport.value_tiers, orders, mode="pareto")
    raises(v, "as_of: naive datetime", rapport.rfm, orders, as_of=dt.datetime(2024, 1, 1))
    raises(v, "segments[1]: expected a dict (name, r, f) or a tuple (name, r, f)", rapport.rfm, orders,
           segments=[("a", 1, 1), "b"])
    raises(v, "segments[0]: unknown key 'x'", rapport.rfm, orders, segments=[{"name": "a", "r": 1, "f": 1, "x": 0}])
    raises(v, "end: must be later than start", rapport.funnel, events, ["visit", "buy"], start=dt.date(2024, 1, 2),
           end=dt.date(2024, 1, 1))
    raises(v, "by: 'channel' names a column of a customer DataFrame: pass customers=", rapport.funnel, events,
           ["visit", "buy"], by="channel")
    raises(v, "by: customer 3 appears more than once", rapport.funnel, events, ["visit", "buy"],
           by=pd.Series(["a", "b"], index=[3, 3]))
    raises(v, "kind: column 'at_us': expected text", rapport.funnel, events, ["visit", "buy"], kind="at_us")
    raises(TypeError, "orders: expected a pandas DataFrame", rapport.rfm, orders.to_dict())
    raises(TypeError, "steps: expected a list of event kinds, got str", rapport.funnel, events, "visit")


def test_core_messages_reach_python_unchanged(orders, events):
    v = rapport.ValidationError
    raises(v, "bins: must be between 2 and 10, got 1", rapport.rfm, orders, bins=1)
    e = raises(v, "segments[0].r_max: must be between 1 and bins (5), got 6", rapport.rfm, orders,
               segments=[("a", (1, 6), 1)])
    assert str(e) == "segments[0].r_max: must be between 1 and bins (5), got 6" and e.code == "INVALID_ARGUMENT"
    assert str(raises(v, "segments[1].f_min", rapport.rfm, orders, segments=[("a", 1, 1), ("b", 1, (3, 2))])) == \
        "segments[1].f_min: must not exceed f_max (2), got 3"
    assert str(raises(v, "segments[1].name", rapport.rfm, orders, segments=[("A", 1, 1), ("A", 2, 2)])) == \
        'segments[1].name: "A" is already the name of segments[0]'
    assert str(raises(v, "high", rapport.value_tiers, orders, high=0.6)) == \
        "high: must be less than potential (0.5), got 0.6"
    assert str(raises(v, "potential", rapport.value_tiers, orders, potential=1.5)) == \
        "potential: must be at most 1, got 1.5"
    assert str(raises(v, "steps", rapport.funnel, events, ["visit"])) == "steps: at least 2 are needed (got 1)"
    assert str(raises(v, "window", rapport.funnel, events, ["visit", "buy"], window="0d")) == \
        "window: must be positive (got 0)"
    h = make_history(50)
    assert str(raises(v, "stages", rapport.stage_funnel, h, ["Lead", "Lead"])) == \
        'stages: "Lead" appears more than once'
    assert str(raises(v, "won_stages", rapport.stage_funnel, h, STAGES, won="Won", lost="Won")) == \
        'won_stages: "Won" is also a lost stage'
    assert str(raises(v, "threads", rapport.rfm, orders, threads=-1)) == \
        "threads: must be 0 (automatic) or positive, got -1"


def test_threads_do_not_change_results(orders):
    big = pd.concat([orders.assign(customer_id=orders.customer_id + k * 10_000_000) for k in range(80)],
                    ignore_index=True)  # ~ 400k orders: two threads by default
    one = rapport.rfm(big, threads=1)
    pd.testing.assert_frame_equal(rapport.rfm(big), one)
    pd.testing.assert_frame_equal(rapport.rfm(big, threads=3), one)
    pd.testing.assert_frame_equal(rapport.cohorts(big, threads=1), rapport.cohorts(big))


# ------------------------------------------------------------------------------------ real data: CDNOW

def cdnow_dir():
    env = os.environ.get("RAPPORT_SHARED_DATA")
    candidates = [pathlib.Path(env) / "cdnow"] if env else []
    repo = pathlib.Path(__file__).resolve().parents[2]
    candidates.append(repo.parent / "shared" / "data" / "cdnow")  # the repository's sibling shared/data
    for c in candidates:
        if (c / "CDNOW_master.txt").is_file():
            return c
    return None


@pytest.fixture(scope="module")
def cdnow():
    d = cdnow_dir()
    if d is None:
        pytest.skip("CDNOW data not found (set RAPPORT_SHARED_DATA to the shared data directory)")
    raw = pd.read_csv(d / "CDNOW_master.txt", sep=r"\s+", dtype={"customer_id": "int64", "date": "str"})
    at = pd.to_datetime(raw["date"], format="%Y%m%d").dt.tz_localize("UTC")
    # Cents (exact sums in any order) so that ties of monetary are the same for both implementations.
    cents = np.round(raw["dollar_value"].to_numpy() * 100)
    return pd.DataFrame({"customer_id": raw["customer_id"], "ordered_at": at, "amount": cents,
                         "at_us": at.astype("int64").to_numpy() // 1000})


def test_cdnow_rfm_and_cohorts(cdnow):
    assert cdnow.customer_id.nunique() == 23570 and len(cdnow) == 69659
    got = rapport.rfm(cdnow)
    ref = ref_rfm(cdnow, cdnow.at_us.max())
    check_rfm(got, ref)
    assert got.frequency.sum() == len(cdnow)
    assert got.recency_days.max() == (pd.Timestamp("1998-06-30") - pd.Timestamp("1997-01-01")).days
    summary = rapport.rfm_summary(cdnow)
    assert summary.segments.customers.sum() == 23570
    assert summary.as_of == pd.Timestamp("1998-06-30", tz="UTC")

    counts, sizes = ref_cohorts(cdnow, cdnow.at_us.max(), "month")
    got_c = rapport.cohorts(cdnow, rates=False)
    assert got_c.index.tolist() == ["1997-01", "1997-02", "1997-03"]  # first purchases in Q1 1997
    assert got_c.columns.tolist() == ["size"] + list(range(18))
    np.testing.assert_array_equal(got_c["size"].to_numpy(), sizes.to_numpy())
    np.testing.assert_array_equal(got_c.drop(columns="size").astype("float64").to_numpy(), counts.to_numpy())
    rates = rapport.cohorts(cdnow)
    np.testing.assert_allclose(rates.drop(columns="size").to_numpy(), counts.div(sizes, axis=0).to_numpy(),
                               rtol=1e-12)
    q = rapport.cohorts(cdnow, period="quarter", rates=False)
    assert q.index.tolist() == ["1997-Q1"] and q["size"].iloc[0] == 23570
