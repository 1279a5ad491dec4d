"""Analyses of pandas DataFrames: RFM, value tiers, cohort retention, repurchase, inter-purchase
intervals, churn, event funnels and stage funnels.

A thin layer over the C++ engine (``include/rapport/rfm.h``, ``retention.h``, ``funnel.h``): each
function turns the DataFrame's columns into numpy arrays (ids as int64, times as integers of their
unit, text as dictionary codes from ``pandas.factorize``), hands them to ``rapport._core`` in one
call, and turns the arrays that come back into DataFrames. No per-row Python loops; every count,
score, rate and percentile is computed in C++ (docs/python-analytics.md).

Conventions, as for segments (docs/python-segments.md):
  * times are timezone-aware ``datetime64`` columns (any zone; converted to UTC) or int64
    microseconds since the Unix epoch (UTC); naive ``datetime64`` is refused (rapport does not guess
    a zone); ``NaT`` is a missing time: such rows are skipped;
  * ``as_of``, ``start`` and ``end`` are aware datetimes / pandas Timestamps, dates (midnight UTC)
    or int microseconds;
  * ids are integers (any order; ``NaN`` refused) or text / other values, which are numbered by
    ``pandas.factorize(sort=True)`` and given back unchanged in the result;
  * bad arguments raise :class:`rapport.ValidationError` naming the argument; the core's messages
    (``bins: must be between 2 and 10, got 1``) come through unchanged.
"""

from __future__ import annotations

import datetime as _dt
import numbers as _numbers
import re as _re
from typing import Any, Iterable, Mapping, NamedTuple, Sequence

from . import _core
from ._convert import EPOCH, UTC
from ._errors import ValidationError

__all__ = [
    "rfm", "rfm_summary", "RfmSummary", "value_tiers", "cohorts", "repurchase_rate", "RepurchaseRate",
    "interpurchase_intervals", "InterpurchaseIntervals", "churn", "ChurnRate", "funnel", "FunnelResult",
    "stage_funnel", "StageFunnel", "CLASSIC_RFM_SEGMENTS", "COHORT_PERIODS",
]

#: The classic RFM map of the 5x5 grid: (name, r_min, r_max, f_min, f_max) in rule order.
CLASSIC_RFM_SEGMENTS: tuple[tuple[str, int, int, int, int], ...] = tuple(tuple(r) for r in _core.CLASSIC_RFM_SEGMENTS)
#: Cohort periods, as the core spells them.
COHORT_PERIODS: tuple[str, ...] = tuple(_core.COHORT_PERIODS)

_ONE_US = _dt.timedelta(microseconds=1)
_US = {"us": 1, "ms": 1_000, "s": 1_000_000, "min": 60_000_000, "h": 3_600_000_000, "d": 86_400_000_000,
       "w": 7 * 86_400_000_000}
_UNIT_NAMES = {"us": "us", "ms": "ms", "s": "s", "sec": "s", "second": "s", "seconds": "s", "min": "min",
               "minute": "min", "minutes": "min", "h": "h", "hour": "h", "hours": "h", "d": "d", "day": "d",
               "days": "d", "w": "w", "week": "w", "weeks": "w"}
_DURATION = _re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-zA-Z]+)\s*$")
_PERIODS = {"week": 0, "weekly": 0, "w": 0, "month": 1, "monthly": 1, "m": 1, "quarter": 2, "quarterly": 2, "q": 2}
_TIER_MODES = {"quantile": 0, "revenue_share": 1}
_UNSEGMENTED = "(unsegmented)"


def _numpy():
    import numpy as np

    return np


def _pandas():
    from ._frames import pandas

    return pandas()


# ------------------------------------------------------------------------------------ arguments

def _frame(df: Any, what: str):
    pd = _pandas()
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{what}: expected a pandas DataFrame, got {type(df).__name__}")
    return df


def _column(df: Any, name: Any, role: str, what: str):
    """df[name], or a ValidationError naming the argument that names the column."""
    pd = _pandas()
    if not isinstance(name, str):
        raise TypeError(f"{role}: expected a column name (str), got {type(name).__name__}")
    if name not in df.columns:
        raise ValidationError(f"{role}: {what} has no column {name!r} (pass {role}=<column name>)")
    s = df[name]
    if isinstance(s, pd.DataFrame):
        raise ValidationError(f"{role}: {what} has more than one column named {name!r}")
    return s


class _Ids(NamedTuple):
    codes: Any          # int64 array: the ids themselves, or their codes into `uniques`
    uniques: Any        # None (integer ids) or a pandas Index of the distinct ids, sorted
    name: str

    def back(self, codes: Any):
        """Ids of the result's rows (codes from the core) as a pandas Index named like the column."""
        pd = _pandas()
        if self.uniques is None:
            return pd.Index(codes, dtype="int64", name=self.name)
        return pd.Index(self.uniques.take(codes), name=self.name)

    def lookup(self, ids: Any, role: str):
        """Codes of other ids (a `by` index) in this numbering; -1 for ids that never occur here."""
        np = _numpy()
        pd = _pandas()
        if self.uniques is None:
            return _id_codes(pd.Series(ids), role, allow_text=False).codes
        return np.asarray(self.uniques.get_indexer(ids), dtype=np.int64)


def _id_codes(s: Any, role: str, allow_text: bool = True) -> _Ids:
    """An id column -> int64 ids (integers) or codes of its sorted distinct values (anything else)."""
    np = _numpy()
    pd = _pandas()
    types = pd.api.types
    name = str(s.name) if s.name is not None else role
    where = f"{role}: column {s.name!r}" if s.name is not None else role
    if s.isna().any():
        raise ValidationError(f"{where} has missing values (every row needs an id)")
    dtype = s.dtype
    if types.is_bool_dtype(dtype):
        raise ValidationError(f"{where}: expected integer or text ids, got bool")
    if types.is_integer_dtype(dtype):
        if types.is_unsigned_integer_dtype(dtype) and len(s) and s.max() > np.iinfo(np.int64).max:
            raise ValidationError(f"{where}: ids must fit in int64")
        return _Ids(s.to_numpy(dtype=np.int64), None, name)
    if types.is_float_dtype(dtype):
        values = s.to_numpy(dtype=np.float64)
        if not np.all(np.isfinite(values)) or not np.all(values == np.round(values)) \
                or (len(values) and np.abs(values).max() >= 2.0 ** 63):
            raise ValidationError(f"{where}: expected integer or text ids, got fractional numbers")
        return _Ids(values.astype(np.int64), None, name)
    if types.is_datetime64_any_dtype(dtype) or types.is_timedelta64_dtype(dtype) or types.is_complex_dtype(dtype):
        raise ValidationError(f"{where}: expected integer or text ids, got {dtype}")
    if types.is_object_dtype(dtype) and types.infer_dtype(s, skipna=True) == "integer":
        return _Ids(s.to_numpy(dtype=np.int64), None, name)
    if not allow_text:
        raise ValidationError(f"{where}: expected integer ids like the other table's, got {dtype}")
    try:
        codes, uniques = pd.factorize(s, sort=True)
    except TypeError as e:
        raise ValidationError(f"{where}: ids of mixed types cannot be ordered ({e})") from None
    return _Ids(codes.astype(np.int64, copy=False), pd.Index(uniques), name)


def _times(s: Any, role: str):
    """A time column -> (int64 values, mul, div) with microseconds = floor(v * mul / div); NaT -> INT64_MIN."""
    np = _numpy()
    pd = _pandas()
    from ._segments import _is_missing, _time_unit, _time_values

    types = pd.api.types
    where = f"{role}: column {s.name!r}"
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        values = s.dt.tz_convert(None).to_numpy()  # naive UTC, same unit
        return values.view(np.int64), *_time_unit(values.dtype)
    if types.is_datetime64_any_dtype(s.dtype):
        raise ValidationError(
                f"{where} holds naive datetime64 values; rapport does not guess a time zone (localize them, e.g. "
                f"df[{s.name!r}].dt.tz_localize('UTC'), or pass int64 microseconds since the epoch)")
    if types.is_integer_dtype(s.dtype) and not types.is_bool_dtype(s.dtype):
        return s.to_numpy(dtype=np.int64, na_value=np.iinfo(np.int64).min), 1, 1
    if types.is_object_dtype(s.dtype):
        inferred = types.infer_dtype(s, skipna=True)
        if inferred == "datetime":
            if any(v.tzinfo is None or v.utcoffset() is None for v in s if not _is_missing(v)):
                raise ValidationError(f"{where} holds naive datetimes; rapport does not guess a time zone")
            return _time_values(pd.to_datetime(s, utc=True), str(s.name))
        if inferred == "empty":
            return np.full(len(s), np.iinfo(np.int64).min, dtype=np.int64), 1, 1
    raise ValidationError(f"{where}: expected timezone-aware datetime64 values or int64 microseconds, got {s.dtype}")


def _amounts(s: Any, role: str):
    np = _numpy()
    pd = _pandas()
    types = pd.api.types
    where = f"{role}: column {s.name!r}"
    if types.is_bool_dtype(s.dtype) or not (types.is_numeric_dtype(s.dtype) or types.is_object_dtype(s.dtype)):
        raise ValidationError(f"{where}: expected numbers, got {s.dtype}")
    try:
        values = pd.to_numeric(s)
    except (TypeError, ValueError):
        raise ValidationError(f"{where}: expected numbers") from None
    if types.is_bool_dtype(values.dtype) or not types.is_numeric_dtype(values.dtype):
        raise ValidationError(f"{where}: expected numbers, got {values.dtype}")
    return values.to_numpy(dtype=np.float64, na_value=np.nan)


def _categories(s: Any, role: str):
    """A text column -> (int32 codes, distinct values) for a C++ CategoryColumn; missing -> -1."""
    np = _numpy()
    pd = _pandas()
    where = f"{role}: column {s.name!r}"
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes, values = s.cat.codes.to_numpy(dtype=np.int32), list(s.cat.categories)
    else:
        if not (pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype)):
            raise ValidationError(f"{where}: expected text, got {s.dtype}")
        codes, values = pd.factorize(s)
        codes, values = codes.astype(np.int32), list(values)
    if not all(isinstance(v, str) for v in values):
        bad = next(v for v in values if not isinstance(v, str))
        raise ValidationError(f"{where}: expected text, got a {type(bad).__name__} ({bad!r})")
    return codes, values


def _names(value: Any, role: str) -> list[str]:
    """A name or a list of names."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (bytes, Mapping)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{role}: expected a name or a list of names, got {type(value).__name__}")
    out = list(value)
    for i, v in enumerate(out):
        if not isinstance(v, str):
            raise TypeError(f"{role}[{i}]: expected str, got {type(v).__name__}")
    return out


def _instant(value: Any, role: str) -> int | None:
    """None, an aware datetime / Timestamp, a date (midnight UTC) or int microseconds -> microseconds."""
    np = _numpy()
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError(f"{role}: expected a timezone-aware datetime, a date or int microseconds, got bool")
    if isinstance(value, _numbers.Integral):
        return int(value)
    if isinstance(value, np.datetime64):
        raise ValidationError(f"{role}: a numpy datetime64 has no time zone; pass a timezone-aware datetime, "
                              f"e.g. pandas.Timestamp(value, tz='UTC')")
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValidationError(f"{role}: naive datetime; pass a timezone-aware datetime "
                                  f"(e.g. tzinfo=datetime.timezone.utc)")
        return (value - EPOCH) // _ONE_US
    if isinstance(value, _dt.date):
        return (_dt.datetime(value.year, value.month, value.day, tzinfo=UTC) - EPOCH) // _ONE_US
    raise TypeError(f"{role}: expected a timezone-aware datetime, a date or int microseconds, "
                    f"got {type(value).__name__}")


def _duration(value: Any, role: str) -> int:
    """'30d', '12h', '2w', '90min', '45s', a timedelta or numpy timedelta64 -> microseconds."""
    np = _numpy()
    if isinstance(value, str):
        m = _DURATION.match(value)
        unit = _UNIT_NAMES.get(m.group(2).lower()) if m else None
        if unit is None:
            raise ValidationError(f"{role}: cannot read {value!r} as a duration (a number and a unit: s, min, h, d "
                                  f"or w, e.g. \"30d\", \"12h\", \"2w\"; or a datetime.timedelta)")
        return int(round(float(m.group(1)) * _US[unit]))
    if isinstance(value, np.timedelta64):
        if np.isnat(value):
            raise ValidationError(f"{role}: must be a duration, got NaT")
        return int(value.astype("timedelta64[us]").astype(np.int64))
    if isinstance(value, _dt.timedelta):  # also pandas.Timedelta
        if value != value:  # NaT
            raise ValidationError(f"{role}: must be a duration, got NaT")
        return value // _ONE_US
    raise TypeError(f"{role}: expected a duration such as \"30d\" or a datetime.timedelta, "
                    f"got {type(value).__name__}")


def _duration_label(us: int) -> str:
    """Microseconds as the largest whole unit: 3600000000 -> '1h', 90000000 -> '90s'."""
    for unit in ("w", "d", "h", "min", "s", "ms"):
        if us % _US[unit] == 0:
            return f"{us // _US[unit]}{unit}"
    return f"{us}us"


def _threads(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, _numbers.Integral):
        raise TypeError(f"threads: expected an int, got {type(value).__name__}")
    return int(value)


def _int(value: Any, role: str) -> int:
    if isinstance(value, bool) or not isinstance(value, _numbers.Integral):
        raise TypeError(f"{role}: expected an int, got {type(value).__name__}")
    return int(value)


def _float(value: Any, role: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, _numbers.Real):
        raise TypeError(f"{role}: expected a number, got {type(value).__name__}")
    return float(value)


def _timestamp(us: int | None):
    pd = _pandas()
    return None if us is None else pd.Timestamp(us, unit="us", tz="UTC")


class _Orders(NamedTuple):
    ids: _Ids
    at: Any
    mul: int
    div: int
    amount: Any


def _orders(orders: Any, customer: str, at: str, amount: str | None) -> _Orders:
    df = _frame(orders, "orders")
    ids = _id_codes(_column(df, customer, "customer", "orders"), "customer")
    times, mul, div = _times(_column(df, at, "at", "orders"), "at")
    amounts = None if amount is None else _amounts(_column(df, amount, "amount", "orders"), "amount")
    return _Orders(ids, times, mul, div, amounts)


# ------------------------------------------------------------------------------------ RFM

def _rule(rule: Any, i: int) -> tuple[str, int, int, int, int]:
    """A segment rule -> (name, r_min, r_max, f_min, f_max). Ranges are an int or an inclusive (lo, hi)."""
    where = f"segments[{i}]"

    def bounds(value: Any, axis: str) -> tuple[int, int]:
        if isinstance(value, (tuple, list)) and len(value) == 2:
            return _int(value[0], f"{where}.{axis}_min"), _int(value[1], f"{where}.{axis}_max")
        if isinstance(value, _numbers.Integral) and not isinstance(value, bool):
            return int(value), int(value)
        raise ValidationError(f"{where}.{axis}: expected a score or an inclusive (low, high) pair, got {value!r}")

    if isinstance(rule, Mapping):
        known = {"name", "r", "f", "r_min", "r_max", "f_min", "f_max"}
        unknown = sorted(set(rule) - known, key=str)
        if unknown:
            raise ValidationError(f"{where}: unknown key {unknown[0]!r} (keys: name, r, f or r_min, r_max, f_min, "
                                  f"f_max)")
        if "name" not in rule:
            raise ValidationError(f"{where}: needs a name")
        name = rule["name"]
        out = []
        for axis in ("r", "f"):
            if axis in rule:
                if f"{axis}_min" in rule or f"{axis}_max" in rule:
                    raise ValidationError(f"{where}: give either {axis} or {axis}_min/{axis}_max")
                out.extend(bounds(rule[axis], axis))
            elif f"{axis}_min" in rule and f"{axis}_max" in rule:
                out.extend([_int(rule[f"{axis}_min"], f"{where}.{axis}_min"),
                            _int(rule[f"{axis}_max"], f"{where}.{axis}_max")])
            else:
                raise ValidationError(f"{where}: needs {axis} (a score or a (low, high) pair)")
    elif isinstance(rule, (tuple, list)) and len(rule) == 3:
        name = rule[0]
        out = [*bounds(rule[1], "r"), *bounds(rule[2], "f")]
    elif isinstance(rule, (tuple, list)) and len(rule) == 5:
        name = rule[0]
        out = [_int(v, f"{where}.{k}") for v, k in zip(rule[1:], ("r_min", "r_max", "f_min", "f_max"))]
    else:
        raise ValidationError(f"{where}: expected a dict (name, r, f) or a tuple (name, r, f), got {rule!r}")
    if not isinstance(name, str):
        raise TypeError(f"{where}.name: expected str, got {type(name).__name__}")
    for v in out:
        if not -2**31 <= v < 2**31:
            raise ValidationError(f"{where}: score {v} out of range")
    return (name, *out)  # type: ignore[return-value]


def _rules(segments: Any) -> list | None:
    if segments is None:
        return None
    if isinstance(segments, (str, bytes, Mapping)) or not hasattr(segments, "__iter__"):
        raise TypeError(f"segments: expected a list of rules, got {type(segments).__name__}")
    return [_rule(r, i) for i, r in enumerate(segments)]


def _rfm_call(orders, customer, at, amount, as_of, bins, segments, threads):
    o = _orders(orders, customer, at, amount)
    result = _core.rfm(o.ids.codes, o.at, o.mul, o.div, o.amount, _instant(as_of, "as_of"), _int(bins, "bins"),
                       _rules(segments), _threads(threads))
    return o, result


def rfm(orders: Any, customer: str = "customer_id", at: str = "ordered_at", amount: str = "amount",
        as_of: Any = None, bins: int = 5, segments: Any = None, *, threads: int = 0):
    """RFM scores of the customers in an orders DataFrame (one row per order).

    Returns a DataFrame indexed by customer (ascending; the index is named like the ``customer``
    column) with ``recency_days`` (whole days since the last order), ``frequency`` (orders),
    ``monetary`` (their sum), the scores ``r``, ``f``, ``m`` (1..bins; recent, frequent, big
    spenders score ``bins``; ties share a score: pandas' ``rank(method="min")``) and ``segment``
    (a Categorical whose categories are the segment names in rule order; missing where no rule
    matches).

    Only orders with a time at or before ``as_of`` count; ``as_of`` defaults to the latest order
    time in ``orders``. A missing amount still counts as an order but adds nothing to monetary.
    ``segments``: None for the classic map (bins 5; no segments for other bins), ``[]`` for none,
    or rules in order, each ``{"name": ..., "r": (lo, hi), "f": (lo, hi)}`` or ``(name, r, f)``
    where a range is an int or an inclusive ``(lo, hi)`` pair; the first rule that contains a
    customer's (R, F) names its segment.
    """
    pd = _pandas()
    np = _numpy()
    o, r = _rfm_call(orders, customer, at, amount, as_of, bins, segments, threads)
    names = list(r["segment_names"])
    out = pd.DataFrame({
        "recency_days": r["recency_days"].astype(np.int64),
        "frequency": r["frequency"],
        "monetary": r["monetary"],
        "r": r["r"].astype(np.int64),
        "f": r["f"].astype(np.int64),
        "m": r["m"].astype(np.int64),
        "segment": pd.Categorical.from_codes(r["segment"].astype(np.int64), categories=pd.Index(names, dtype=object)),
    }, index=o.ids.back(r["customer"]))
    return out


class RfmSummary(NamedTuple):
    """Per-segment summary and the R x F grid of :func:`rfm_summary`."""

    #: One row per segment rule (rule order, empty segments included) and a last row
    #: "(unsegmented)" when some customers match no rule: customers, customer_share, revenue,
    #: revenue_share (NaN when total revenue is not positive), mean_recency_days, mean_frequency,
    #: mean_monetary (NaN for an empty segment).
    segments: Any
    #: Customers per (R, F) cell: index r = 1..bins, columns f = 1..bins.
    grid: Any
    #: The time the analysis is as of (UTC Timestamp; None when no order has a time).
    as_of: Any
    bins: int
    #: Customers scored (rows of :func:`rfm`).
    customers: int


def rfm_summary(orders: Any, customer: str = "customer_id", at: str = "ordered_at", amount: str = "amount",
                as_of: Any = None, bins: int = 5, segments: Any = None, *, threads: int = 0) -> RfmSummary:
    """The per-segment summary and the R x F grid of :func:`rfm` (same arguments)."""
    pd = _pandas()
    _, r = _rfm_call(orders, customer, at, amount, as_of, bins, segments, threads)
    s = dict(r["summary"])
    names = list(s.pop("name"))
    table = pd.DataFrame(s)
    names[-1] = _UNSEGMENTED
    table.index = pd.Index(names, name="segment", dtype=object)
    if table["customers"].iloc[-1] == 0:
        table = table.iloc[:-1]
    b = int(r["bins"])
    grid = pd.DataFrame(r["grid"].reshape(b, b), index=pd.RangeIndex(1, b + 1, name="r"),
                        columns=pd.RangeIndex(1, b + 1, name="f"))
    return RfmSummary(table, grid, _timestamp(r["as_of"]), b, int(len(r["customer"])))


# ------------------------------------------------------------------------------------ value tiers

def value_tiers(orders: Any, customer: str = "customer_id", at: str = "ordered_at", amount: str = "amount",
                as_of: Any = None, mode: str = "quantile", high: float | None = None, potential: float | None = None,
                names: Sequence[str] | None = None, *, threads: int = 0):
    """Three value tiers of the buyers (customers with an order at or before ``as_of``, by default
    the latest order time). Returns a DataFrame indexed by customer (ascending) with ``monetary`` and
    ``tier`` (a Categorical of ``names``, default "high value", "potential", "general").

    ``mode="quantile"``: tier by the share of buyers who spent strictly more (``high`` default 0.2,
    ``potential`` 0.5). ``mode="revenue_share"``: tier by the share of revenue of the buyers who
    spent strictly more (defaults 0.5 and 0.8). Thresholds: ``0 < high < potential <= 1``.
    """
    pd = _pandas()
    np = _numpy()
    if not isinstance(mode, str) or mode not in _TIER_MODES:
        raise ValidationError(f"mode: unknown value {mode!r} (one of quantile, revenue_share)")
    if names is not None:
        names = _names(names, "names")
    o = _orders(orders, customer, at, amount)
    h, p = _float(high, "high"), _float(potential, "potential")
    r = _core.value_tiers(o.ids.codes, o.at, o.mul, o.div, o.amount, _instant(as_of, "as_of"), _TIER_MODES[mode],
                          h, p, names, _threads(threads))
    tiers = pd.Categorical.from_codes(r["tier"].astype(np.int64), categories=pd.Index(list(r["names"]), dtype=object),
                                      ordered=True)
    return pd.DataFrame({"monetary": r["monetary"], "tier": tiers}, index=o.ids.back(r["customer"]))


# ------------------------------------------------------------------------------------ retention

def _period(period: Any) -> int:
    if isinstance(period, str) and period.strip().lower() in _PERIODS:
        return _PERIODS[period.strip().lower()]
    raise ValidationError(f"period: unknown value {period!r} (one of week, month, quarter)")


def cohorts(orders: Any, customer: str = "customer_id", at: str = "ordered_at", period: str = "month",
            as_of: Any = None, max_periods: int | None = None, rates: bool = True, *, threads: int = 0):
    """Cohort retention: customers by the calendar period (UTC) of their first order, and the share
    (``rates=True``) or number of them with an order in each later period.

    Returns a DataFrame indexed by cohort label ("2025-01", "2025-W03", "2025-Q1"; oldest first)
    with a ``size`` column (customers in the cohort) followed by integer columns 0..K (periods since
    the cohort's; column 0 is 1.0, or the size). Cells of periods after the one containing
    ``as_of`` (default: the latest order time) have not happened: NaN for rates, <NA> for counts
    (``Int64``). ``max_periods`` caps the columns at 0..max_periods-1. Weeks are ISO weeks.
    """
    pd = _pandas()
    np = _numpy()
    p = _period(period)
    cap = 0 if max_periods is None else _int(max_periods, "max_periods")
    if max_periods is not None and cap <= 0:
        raise ValidationError(f"max_periods: must be positive (or None for no limit), got {cap}")
    o = _orders(orders, customer, at, None)
    r = _core.cohorts(o.ids.codes, o.at, o.mul, o.div, _instant(as_of, "as_of"), p, cap, _threads(threads))
    n, k = len(r["sizes"]), int(r["periods"])
    index = pd.Index(list(r["labels"]), name="cohort", dtype=object)
    columns = pd.RangeIndex(0, k, name="period")
    if rates:
        values = pd.DataFrame(r["rates"].reshape(n, k), index=index, columns=columns)
    else:
        counts = r["counts"].reshape(n, k)
        values = pd.DataFrame({j: pd.arrays.IntegerArray(counts[:, j].copy(), counts[:, j] < 0) for j in range(k)},
                              index=index, columns=columns)
    values.insert(0, "size", r["sizes"])
    values.columns.name = "period"
    return values


class RepurchaseRate(NamedTuple):
    repeat_customers: int
    eligible_customers: int
    rate: float
    as_of: Any


def repurchase_rate(orders: Any, customer: str = "customer_id", at: str = "ordered_at", window: Any = "90d",
                    as_of: Any = None, *, threads: int = 0) -> RepurchaseRate:
    """Among customers whose first order is at least ``window`` before ``as_of`` (default: the latest
    order time), the share who ordered again within ``window`` of their first order."""
    o = _orders(orders, customer, at, None)
    r = _core.repurchase_rate(o.ids.codes, o.at, o.mul, o.div, _instant(as_of, "as_of"), _duration(window, "window"),
                              _threads(threads))
    return RepurchaseRate(int(r["repeat_customers"]), int(r["eligible_customers"]), float(r["rate"]),
                          _timestamp(r["as_of"]))


class InterpurchaseIntervals(NamedTuple):
    #: Indexed by customer (those with at least two orders): mean_days, median_days.
    intervals: Any
    #: Mean and median of the per-customer means (NaN when no customer has two orders).
    overall_mean_days: float
    overall_median_days: float
    as_of: Any


def interpurchase_intervals(orders: Any, customer: str = "customer_id", at: str = "ordered_at", as_of: Any = None,
                            *, threads: int = 0) -> InterpurchaseIntervals:
    """Gaps between consecutive orders (at or before ``as_of``, default the latest order time) of each
    customer with at least two, in days: per customer the mean ((last - first) / (orders - 1)) and
    the median gap."""
    pd = _pandas()
    o = _orders(orders, customer, at, None)
    r = _core.interpurchase_intervals(o.ids.codes, o.at, o.mul, o.div, _instant(as_of, "as_of"), _threads(threads))
    table = pd.DataFrame({"mean_days": r["mean_days"], "median_days": r["median_days"]},
                         index=o.ids.back(r["customer"]))
    return InterpurchaseIntervals(table, float(r["overall_mean_days"]), float(r["overall_median_days"]),
                                  _timestamp(r["as_of"]))


class ChurnRate(NamedTuple):
    churned_customers: int
    base_customers: int
    rate: float


def churn(orders: Any, customer: str = "customer_id", at: str = "ordered_at", *, start: Any, end: Any,
          lookback: Any = "90d", threads: int = 0) -> ChurnRate:
    """Churn in [start, end): the base is the customers with an order in [start - lookback, start);
    the churned are those of the base without an order in [start, end)."""
    s, e = _instant(start, "start"), _instant(end, "end")
    if s is None or e is None:
        raise ValidationError(f"{'start' if s is None else 'end'}: required")
    o = _orders(orders, customer, at, None)
    r = _core.churn(o.ids.codes, o.at, o.mul, o.div, s, e, _duration(lookback, "lookback"), _threads(threads))
    return ChurnRate(int(r["churned_customers"]), int(r["base_customers"]), float(r["rate"]))


# ------------------------------------------------------------------------------------ funnels

class FunnelResult(NamedTuple):
    """:func:`funnel` with ``by``: the per-step table and the per-group counts."""

    steps: Any
    groups: Any


def _groups(by: Any, customers: Any, ids: _Ids):
    """`by` -> (customer codes, group codes, group values as text, group labels) for the core."""
    np = _numpy()
    pd = _pandas()
    if isinstance(by, str):
        if customers is None:
            raise ValidationError(f"by: {by!r} names a column of a customer DataFrame: pass customers=<DataFrame> "
                                  f"(ids in its 'id' column or index), or give by as a Series customer -> group")
        df = _frame(customers, "customers")
        s = _column(df, by, "by", "customers")
        keys = df["id"] if "id" in df.columns and by != "id" else df.index.to_series()
        by = pd.Series(s.to_numpy(), index=pd.Index(keys.to_numpy()), name=by)
    elif isinstance(by, Mapping):
        by = pd.Series(dict(by), dtype=object)
    elif customers is not None:
        raise ValidationError("customers: only used when by names one of its columns")
    if not isinstance(by, pd.Series):
        raise TypeError(f"by: expected a pandas Series (customer id -> group), a dict or a column name, "
                        f"got {type(by).__name__}")
    if by.index.has_duplicates:
        dup = by.index[by.index.duplicated()][0]
        raise ValidationError(f"by: customer {dup!r} appears more than once")
    if by.index.hasnans:
        raise ValidationError("by: the index (customer ids) has missing values")
    codes_of_ids = ids.lookup(by.index, "by")
    # Text ids that never occur in the events have no code (-1): they cannot be in the funnel.
    keep = codes_of_ids >= 0 if ids.uniques is not None else np.ones(len(codes_of_ids), dtype=bool)
    if isinstance(by.dtype, pd.CategoricalDtype):
        group_codes = by.cat.codes.to_numpy(dtype=np.int32)
        labels = list(by.cat.categories)
    else:
        try:
            group_codes, uniques = pd.factorize(by, sort=True)
        except TypeError:
            group_codes, uniques = pd.factorize(by)
        group_codes, labels = group_codes.astype(np.int32), list(uniques)
    # The core keys groups by text: number them "0", "1", ... and give the labels back in Python.
    values = [str(i) for i in range(len(labels))]
    return codes_of_ids[keep], group_codes[keep], values, labels


def funnel(events: Any, steps: Sequence[str], window: Any = "30d", customer: str = "customer_id", kind: str = "kind",
           at: str = "at", by: Any = None, start: Any = None, end: Any = None, *, customers: Any = None,
           buckets: Any = None, threads: int = 0):
    """An event funnel (docs/analytics-funnels.md): per customer, the earliest ``steps[0]`` event
    (with ``start <= at < end`` when given) starts it; each later step is the earliest event of its
    kind strictly after the previous step and at most ``window`` after the first.

    Returns a DataFrame indexed by step number (1..K) with ``kind``, ``customers`` (reaching the
    step), ``conversion_from_previous``, ``conversion_from_first``, and for steps 2.. the time from
    step 1: ``median_seconds``, ``p90_seconds``, ``mean_seconds``, then the distribution of that time:
    one count column per bucket, labelled by its bounds (``"0-1h"``, ``"1h-1d"``, ``"1d-1w"``,
    ``"1w-30d"``, ``">30d"`` by default; a bucket holds times above its lower bound up to and including
    its upper one). ``buckets``: the upper bounds as durations (ascending), e.g. ``["1d", "3d"]``.

    ``by``: a Series customer id -> group (or a dict), or the name of a column of ``customers`` (a
    customer DataFrame with ids in its ``id`` column or index). Then the result is a
    :class:`FunnelResult` ``(steps, groups)`` where ``groups`` is indexed by group (every group,
    then ``None`` for customers without one) with columns 1..K (customers reaching each step).
    """
    pd = _pandas()
    np = _numpy()
    df = _frame(events, "events")
    if isinstance(steps, str):
        raise TypeError("steps: expected a list of event kinds, got str")
    step_names = _names(steps, "steps")
    w = _duration(window, "window")
    s_us, e_us = _instant(start, "start"), _instant(end, "end")
    if s_us is not None and e_us is not None and e_us <= s_us:
        raise ValidationError("end: must be later than start")
    ids = _id_codes(_column(df, customer, "customer", "events"), "customer")
    kind_codes, kinds = _categories(_column(df, kind, "kind", "events"), "kind")
    times, mul, div = _times(_column(df, at, "at", "events"), "at")
    group_args: tuple = (None, None, None)
    labels: list = []
    if by is not None:
        by_ids, by_codes, by_values, labels = _groups(by, customers, ids)
        group_args = (by_ids, by_codes, by_values)
    elif customers is not None:
        raise ValidationError("customers: only used with by=<column name>")
    edges = None
    if buckets is not None:
        if isinstance(buckets, (str, bytes)):
            raise TypeError("buckets: expected a list of durations, got str")
        edges = np.array([_duration(b, f"buckets[{i}]") for i, b in enumerate(buckets)], dtype=np.int64)
    r = _core.event_funnel(ids.codes, kind_codes, kinds, times, mul, div, step_names, w, s_us, e_us, edges,
                           _threads(threads), *group_args)
    k = len(step_names)
    table = pd.DataFrame({
        "kind": pd.array(list(r["kind"]), dtype=object),
        "customers": r["customers"],
        "conversion_from_previous": r["conversion_from_previous"],
        "conversion_from_first": r["conversion_from_first"],
        "median_seconds": r["median_seconds"],
        "p90_seconds": r["p90_seconds"],
        "mean_seconds": r["mean_seconds"],
    }, index=pd.RangeIndex(1, k + 1, name="step"))
    bounds = [_duration_label(e) for e in np.asarray(r["bucket_edges"]).tolist()]
    labels_ = [f"{lo}-{hi}" for lo, hi in zip(["0"] + bounds[:-1], bounds)] + [f">{bounds[-1]}" if bounds else ">0"]
    histograms = np.zeros((k, len(labels_)), dtype=np.int64)
    for i, h in enumerate(r["histograms"]):  # the first step's is empty: nobody converts to it
        if len(h):
            histograms[i] = np.asarray(h, dtype=np.int64)
    for j, label in enumerate(labels_):
        table[label] = histograms[:, j]
    if by is None:
        return table
    counts = np.array([np.asarray(c) for c in r["group_customers"]], dtype=np.int64).reshape(-1, k)
    # Groups come back in code order (= labels), then the null group.
    index = pd.Index(list(labels) + [None], name="group", dtype=object)
    groups = pd.DataFrame(counts, index=index, columns=pd.RangeIndex(1, k + 1, name="step"))
    return FunnelResult(table, groups)


class StageFunnel(NamedTuple):
    """:func:`stage_funnel`'s result."""

    #: Indexed by stage (in the given order): entered, advanced, conversion_to_next, closed_visits,
    #: median_days, p90_days, mean_days (time in stage of closed visits), open_visits, and with
    #: as_of the ages of open visits: open_median_days, open_p90_days, open_mean_days.
    stages: Any
    #: reached.loc[a, b]: entities that entered a and later entered b (0 where b is not after a).
    reached: Any
    #: reached / entered(a); NaN where b is not after a or nobody entered a.
    reached_share: Any
    entities: int
    won: int
    lost: int
    win_rate: float
    #: Won entities: days from their first visit to the won stage (count, median, p90, mean).
    cycle_days: Any
    ignored_rows: int
    rows_missing_time: int


def stage_funnel(history: Any, stages: Sequence[str], entity: str = "entity_id", stage: str = "stage",
                 at: str = "entered_at", won: Any = None, lost: Any = None, as_of: Any = None, *,
                 threads: int = 0) -> StageFunnel:
    """A pipeline's stage funnel from its stage history (one row per entry of an entity into a
    stage; docs/analytics-funnels.md): per stage entered, advanced and conversion to the next stage,
    time in stage, the reached matrix, win rate and cycle time. ``won`` / ``lost``: terminal stage
    name(s). ``as_of``: also summarise the ages of open visits."""
    pd = _pandas()
    np = _numpy()
    df = _frame(history, "history")
    if isinstance(stages, str):
        raise TypeError("stages: expected a list of stage names, got str")
    order = _names(stages, "stages")
    ids = _id_codes(_column(df, entity, "entity", "history"), "entity")
    codes, values = _categories(_column(df, stage, "stage", "history"), "stage")
    times, mul, div = _times(_column(df, at, "at", "history"), "at")
    r = _core.stage_funnel(ids.codes, codes, values, times, mul, div, order, _names(won, "won"), _names(lost, "lost"),
                           _instant(as_of, "as_of"), _threads(threads))
    index = pd.Index(order, name="stage", dtype=object)
    columns = ["entered", "advanced", "conversion_to_next", "closed_visits", "median_days", "p90_days", "mean_days",
               "open_visits"]
    if as_of is not None:
        columns += ["open_median_days", "open_p90_days", "open_mean_days"]
    table = pd.DataFrame({c: r[c] for c in columns}, index=index)
    k = len(order)
    to = pd.Index(order, name="to", dtype=object)
    frm = pd.Index(order, name="from", dtype=object)
    reached = pd.DataFrame(r["reached"].reshape(k, k), index=frm, columns=to)
    share = pd.DataFrame(r["reached_share"].reshape(k, k), index=frm, columns=to)
    cycle = pd.Series(dict(r["cycle_days"]), dtype=np.float64)
    return StageFunnel(table, reached, share, int(r["entities"]), int(r["won"]), int(r["lost"]), float(r["win_rate"]),
                       cycle, int(r["ignored_rows"]), int(r["rows_missing_time"]))
