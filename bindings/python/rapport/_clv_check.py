"""Model checking for the purchase models of :mod:`rapport.clv` (``BetaGeo``, ``ParetoNBD``), computed by
the C++ engine (``include/rapport/clv_check.h``): calibration against holdout, the frequency/recency
matrices of expected purchases and P(alive), and one customer's P(alive) history. Re-exported by
:mod:`rapport.clv`; :mod:`rapport.plot` draws each (docs/python-clv.md, "Model checking")."""

from __future__ import annotations

import numbers as _numbers
from typing import Any, NamedTuple

from . import _core
from ._analytics import _column, _frame, _instant, _numpy, _pandas, _times
from ._errors import ValidationError

__all__ = ["calibration_holdout", "frequency_recency_matrix", "FrequencyRecencyMatrix", "alive_history"]

_DAY_US = 86_400_000_000


def _purchase_model(model: Any, what: str):
    """(kind, parameters) of a fitted BetaGeo or ParetoNBD."""
    from . import clv

    if not isinstance(model, (clv.BetaGeo, clv.ParetoNBD)):
        raise ValidationError(f"model: {what} needs a fitted BetaGeo or ParetoNBD, got {type(model).__name__}")
    return model._kind, model._param_list()


def _summary_column(df: Any, name: str):
    if name not in df.columns:
        hint = " (rapport.clv.summary writes it when given observation_end)" if name.endswith("_holdout") else ""
        raise ValidationError(f"summary: no column {name!r}{hint}")
    return df[name]


def _whole(value: Any, role: str) -> int:
    if isinstance(value, bool) or not isinstance(value, _numbers.Integral):
        raise TypeError(f"{role}: expected an int, got {type(value).__name__}")
    return int(value)


def _number(value: Any, role: str) -> float:
    if isinstance(value, bool) or not isinstance(value, _numbers.Real):
        raise TypeError(f"{role}: expected a number, got {type(value).__name__}")
    return float(value)


# ------------------------------------------------------------------------------------ calibration vs holdout

def calibration_holdout(model: Any, summary: Any, max_frequency: int = 7, *, duration: Any = None):
    """Actual against expected purchases in the holdout period, per calibration frequency.

    ``summary`` is a DataFrame like that of :func:`rapport.clv.summary` with an ``observation_end``:
    ``frequency``, ``recency``, ``T`` (the calibration period), ``frequency_holdout`` and
    ``duration_holdout`` (``weights`` counts customers when present). ``duration`` overrides the
    holdout length (in the model's time unit). Returns a DataFrame indexed by ``frequency`` 0 ..
    ``max_frequency``, the last row holding every customer with ``max_frequency`` or more repeat
    purchases (right-censored, "7+"), with ``customers``, ``actual`` (their mean holdout purchases) and
    ``expected`` (the mean of the model's E[Y(duration) | frequency, recency, T]); an empty group has
    NaN means. lifetimes draws this with ``plot_calibration_purchases_vs_holdout_purchases``;
    :func:`rapport.plot.calibration_holdout` draws it here."""
    np = _numpy()
    pd = _pandas()
    kind, params = _purchase_model(model, "calibration against holdout")
    df = _frame(summary, "summary")
    from .clv import _floats

    cols = {name: _floats(_summary_column(df, name), name) for name in ("frequency", "recency", "T", "frequency_holdout")}
    weights = _floats(df["weights"], "weights") if "weights" in df.columns else None
    if duration is None:
        spans = _floats(_summary_column(df, "duration_holdout"), "duration_holdout")
        if len(spans) and not np.all(spans == spans[0]):
            raise ValidationError("duration_holdout: differs between customers; pass duration=")
        duration = spans[0] if len(spans) else 0.0
    r = _core.clv_calibration_holdout(kind, params, cols["frequency"], cols["recency"], cols["T"], weights,
                                      cols["frequency_holdout"], _number(duration, "duration"),
                                      _whole(max_frequency, "max_frequency"))
    index = pd.Index(r["frequency"].astype(np.int64), name="frequency")
    return pd.DataFrame({"customers": r["customers"], "actual": r["actual"], "expected": r["expected"]}, index=index)


# ------------------------------------------------------------------------------------ frequency/recency matrices

class FrequencyRecencyMatrix(NamedTuple):
    """What :func:`frequency_recency_matrix` returns: two DataFrames indexed by ``frequency`` (rows
    0 .. max_frequency) with one column per ``recency``, and the T and horizon t they are for."""

    expected: Any  # E[Y(t) | frequency, recency, T]
    p_alive: Any   # P(alive at T | frequency, recency, T)
    T: float
    t: float


def frequency_recency_matrix(model: Any, summary: Any = None, *, T: Any = None, max_frequency: Any = None,
                             recency: Any = None, t: Any = 1.0) -> FrequencyRecencyMatrix:
    """Expected purchases in the next ``t`` and P(alive) over a grid of (frequency, recency) for
    customers observed for ``T`` (lifetimes' ``plot_frequency_recency_matrix`` and
    ``plot_probability_alive_matrix`` compute the same).

    ``T`` defaults to the largest ``T`` of ``summary`` and ``max_frequency`` to its largest
    ``frequency`` (lifetimes' defaults from the fitted data); without a summary both are required.
    ``recency``: the columns (each in [0, T]); default every whole time unit 0, 1, ... and T. A customer
    without repeat purchases has recency 0, so the cells (0, recency > 0) are NaN."""
    np = _numpy()
    pd = _pandas()
    kind, params = _purchase_model(model, "the frequency/recency matrix")
    if summary is not None:
        df = _frame(summary, "summary")
        if T is None:
            T = float(_summary_column(df, "T").max())
        if max_frequency is None:
            max_frequency = int(_summary_column(df, "frequency").max())
    if T is None:
        raise ValidationError("T: required without a summary")
    if max_frequency is None:
        raise ValidationError("max_frequency: required without a summary")
    columns = None
    if recency is not None:
        from .clv import _floats

        columns = np.ascontiguousarray(np.atleast_1d(_floats(recency, "recency")))
    r = _core.clv_frequency_recency_matrix(kind, params, _number(T, "T"), _whole(max_frequency, "max_frequency"),
                                           columns, _number(t, "t"))
    rows = pd.Index(r["frequency"].astype(np.int64), name="frequency")
    cols = pd.Index(r["recency"], name="recency")
    shape = (len(rows), len(cols))
    return FrequencyRecencyMatrix(pd.DataFrame(r["expected"].reshape(shape), index=rows, columns=cols),
                                  pd.DataFrame(r["p_alive"].reshape(shape), index=rows, columns=cols),
                                  float(T), float(t))


# ------------------------------------------------------------------------------------ P(alive) history

def alive_history(model: Any, transactions: Any, customer_id: Any, *, customer: str = "customer_id",
                  at: str = "ordered_at", freq: Any = "W", end: Any = None, merge_same_day: bool = True,
                  step: Any = "1d"):
    """P(alive) of one customer over time, from the first purchase to ``end`` (default: the latest
    order in ``transactions``), as lifetimes' ``plot_history_alive`` draws it.

    At each time the customer's (frequency, recency, T) is that of the purchases up to then, counted as
    :func:`rapport.clv.summary` counts them (``merge_same_day``; ``freq`` the model's time unit).
    Evaluated every ``step`` (a duration, default one day) and at each purchase. Returns a DataFrame
    indexed by time (UTC) with ``t`` (time since the first purchase, in ``freq`` units), ``p_alive``
    and ``purchase`` (True at a repeat purchase)."""
    np = _numpy()
    pd = _pandas()
    from ._analytics import _duration
    from .clv import _time_unit

    kind, params = _purchase_model(model, "the P(alive) history")
    df = _frame(transactions, "transactions")
    ids = _column(df, customer, "customer", "transactions")
    raw, mul, div = _times(_column(df, at, "at", "transactions"), "at")
    known = raw != np.iinfo(np.int64).min
    us = raw[known].astype(np.int64) * mul // div
    mine = np.sort(us[(ids.to_numpy() == customer_id)[known]])
    if len(mine) == 0:
        raise ValidationError(f"customer_id: transactions has no order of customer {customer_id!r} with a time")
    if merge_same_day:  # one purchase per UTC day, at the time of the day's first order
        mine = mine[np.r_[True, np.diff(mine // _DAY_US) != 0]]
    stop = _instant(end, "end") if end is not None else int(us.max())
    if stop < mine[0]:
        raise ValidationError(f"end: before the customer's first purchase ({pd.Timestamp(int(mine[0]), unit='us', tz='UTC')})")
    unit = _time_unit(freq)
    every = _duration(step, "step")
    if every <= 0:
        raise ValidationError(f"step: must be positive, got {step!r}")
    if (stop - mine[0]) // every > 1_000_000:
        raise ValidationError("step: more than 1,000,000 points from the first purchase to end; use a longer step")
    repeats = mine[1:][mine[1:] <= stop]
    instants = np.unique(np.concatenate([np.arange(mine[0], stop + 1, every, dtype=np.int64), repeats, [stop]]))
    purchase_t = (repeats - mine[0]) / unit
    t = (instants - mine[0]) / unit
    p = _core.clv_alive_history(kind, params, np.ascontiguousarray(purchase_t, dtype=np.float64),
                                np.ascontiguousarray(t, dtype=np.float64))
    index = pd.DatetimeIndex(pd.to_datetime(instants, unit="us", utc=True), name="at")
    return pd.DataFrame({"t": t, "p_alive": p, "purchase": np.isin(instants, repeats)}, index=index)
