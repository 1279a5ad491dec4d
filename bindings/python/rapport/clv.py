"""Customer lifetime value: the recency-frequency summary and the BG/NBD, Pareto/NBD, Gamma-Gamma and
BG/BB models, computed by the C++ engine (``include/rapport/clv.h``, docs/python-clv.md).

The API follows the ``lifetimes`` package so that its users feel at home: :func:`summary` is
``summary_data_from_transaction_data`` / ``calibration_and_holdout_data``; :class:`BetaGeo`,
:class:`ParetoNBD`, :class:`GammaGamma` and :class:`BetaGeoBetaBinom` are its fitters, with the same
parameter names (``r, alpha, a, b``; ``r, alpha, s, beta``; ``p, q, v``; ``alpha, beta, gamma,
delta``) and method names. Differences are listed in docs/python-clv.md.
Model checking: :func:`calibration_holdout`, :func:`frequency_recency_matrix` and
:func:`alive_history` (rapport/_clv_check.py), drawn by :mod:`rapport.plot`.

Every function takes numpy arrays, pandas Series or scalars (broadcast against each other) and runs
one C++ call without the GIL; no per-customer Python loops. Bad input raises
:class:`rapport.ValidationError` with the core's message (the core calls T ``age`` and the mean
repeat spend ``monetary``: ``age: must be finite and >= 0 (row 3: -1)``); a fit that does not
converge or cannot identify the model raises :class:`rapport.StageGateError` (FAILED_PRECONDITION).
"""

from __future__ import annotations

import datetime as _dt
import numbers as _numbers
from typing import Any

from . import _core
from ._analytics import _amounts, _column, _duration, _frame, _id_codes, _instant, _numpy, _pandas, _threads, _times
from ._errors import ValidationError

__all__ = ["summary", "BetaGeo", "ParetoNBD", "GammaGamma", "BetaGeoBetaBinom", "calibration_holdout",
           "frequency_recency_matrix", "FrequencyRecencyMatrix", "alive_history"]

_DAY_US = 86_400_000_000
_FREQ_US = {"D": _DAY_US, "W": 7 * _DAY_US}
# Days, weeks... per month, as lifetimes' customer_lifetime_value counts them (so results agree).
_PERIODS_PER_MONTH = {"D": 30.0, "H": 30.0 * 24, "W": 4.345, "M": 1.0}
_DEFAULT_AMOUNT = object()  # amount left at its default: "amount" when the frame has that column


# ------------------------------------------------------------------------------------ summary

def _time_unit(freq: Any) -> int:
    np = _numpy()
    if isinstance(freq, str):
        unit = _FREQ_US.get(freq.upper())
        if unit is None:
            raise ValidationError(f"freq: expected 'D', 'W' or a timedelta, got {freq!r}")
        return unit
    if isinstance(freq, (_dt.timedelta, np.timedelta64)):
        return _duration(freq, "freq")
    raise TypeError(f"freq: expected 'D', 'W' or a timedelta, got {type(freq).__name__}")


def summary(transactions: Any, customer: str = "customer_id", at: str = "ordered_at", amount: Any = _DEFAULT_AMOUNT,
            calibration_end: Any = None, observation_end: Any = None, freq: Any = "W", merge_same_day: bool = True,
            *, threads: int = 0):
    """The recency-frequency summary of a transaction log (one row per order), per customer.

    Returns a DataFrame indexed by customer (ascending) with ``frequency`` (repeat purchases),
    ``recency`` (time from the first purchase to the last; 0 without repeats), ``T`` (time from the
    first purchase to ``calibration_end``) and, when there are amounts, ``monetary_value`` (mean of the
    repeat purchases; NaN without repeats, where lifetimes writes 0). With ``observation_end``, also
    ``frequency_holdout``, ``monetary_value_holdout`` (NaN without holdout purchases) and
    ``duration_holdout``: the purchases in (calibration_end, observation_end].

    ``calibration_end`` (default: the latest order) and ``observation_end`` are aware datetimes, dates
    (midnight UTC) or int microseconds; orders at or before ``calibration_end`` are calibration.
    ``freq``: ``"W"`` (weeks, default), ``"D"`` (days) or a timedelta, the unit of recency and T.
    ``merge_same_day``: orders of one customer on the same UTC day count as one purchase of their
    summed amount (the CDNOW convention). ``amount``: the amount column (default ``"amount"`` when
    present) or None.
    """
    pd = _pandas()
    df = _frame(transactions, "transactions")
    ids = _id_codes(_column(df, customer, "customer", "transactions"), "customer")
    times, mul, div = _times(_column(df, at, "at", "transactions"), "at")
    if amount is _DEFAULT_AMOUNT:
        amount = "amount" if "amount" in df.columns else None
    amounts = None if amount is None else _amounts(_column(df, amount, "amount", "transactions"), "amount")
    if calibration_end is None:
        if observation_end is not None:
            raise ValidationError("calibration_end: required when observation_end is given")
        known = times[times != _numpy().iinfo(_numpy().int64).min]
        if len(known) == 0:
            raise ValidationError("at: no order has a time (nothing to summarise)")
        # The latest order, in microseconds (the core takes microseconds; `times` are of their unit).
        calibration_end = int(known.max()) * mul // div
    end = _instant(calibration_end, "calibration_end")
    holdout = _instant(observation_end, "observation_end")
    if not isinstance(merge_same_day, bool):
        raise TypeError(f"merge_same_day: expected a bool, got {type(merge_same_day).__name__}")
    r = _core.clv_summary(ids.codes, times, mul, div, amounts, end, holdout, _time_unit(freq),
                          _DAY_US if merge_same_day else 0, 0, _threads(threads))
    columns = {"frequency": r["frequency"], "recency": r["recency"], "T": r["T"]}
    if amounts is not None:
        columns["monetary_value"] = r["monetary_value"]
    if holdout is not None:
        columns["frequency_holdout"] = r["frequency_holdout"]
        if amounts is not None:
            columns["monetary_value_holdout"] = r["monetary_value_holdout"]
        columns["duration_holdout"] = _numpy().full(len(r["customer"]), r["duration_holdout"])
    return pd.DataFrame(columns, index=ids.back(r["customer"]))


# ------------------------------------------------------------------------------------ arrays

def _is_series(x: Any) -> bool:
    pd = _pandas()
    return isinstance(x, pd.Series)


def _floats(x: Any, role: str):
    np = _numpy()
    if x is None:
        raise ValidationError(f"{role}: required")
    if _is_series(x):
        x = _amounts(x, role)
    try:
        a = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValidationError(f"{role}: expected numbers") from None
    if a.ndim > 1:
        raise ValidationError(f"{role}: expected a scalar or a one-dimensional array, got {a.ndim} dimensions")
    return a


class _Columns:
    """Arguments broadcast to one length, and how to give a result back in their shape."""

    def __init__(self, **named: Any):
        np = _numpy()
        self.index = next((v.index for v in named.values() if _is_series(v)), None)
        arrays = [_floats(v, k) for k, v in named.items()]
        self.scalar = all(a.ndim == 0 for a in arrays)
        try:
            broadcast = np.broadcast_arrays(*[np.atleast_1d(a) for a in arrays])
        except ValueError:
            lengths = ", ".join(f"{k} {np.atleast_1d(a).shape[0]}" for k, a in zip(named, arrays))
            raise ValidationError(f"{next(iter(named))}: the arguments have different lengths ({lengths})") from None
        self.arrays = {k: np.ascontiguousarray(a) for k, a in zip(named, broadcast)}

    def __getitem__(self, key: str):
        return self.arrays[key]

    def result(self, values: Any, name: str):
        if self.scalar:
            return float(values[0])
        if self.index is not None and len(self.index) == len(values):
            return _pandas().Series(values, index=self.index, name=name)
        return values


def _columns_of(frame: Any, names: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """Columns of a summary DataFrame given to fit(): role -> the first of its accepted names present."""
    out = {}
    for role, accepted in names.items():
        found = next((n for n in accepted if n in frame.columns), None)
        if found is None and role != "weights":
            raise ValidationError(f"{role}: the DataFrame has no column {' or '.join(map(repr, accepted))}")
        out[role] = None if found is None else frame[found]
    return out


def _fit_options(tol: Any, max_evaluations: Any, threads: Any) -> tuple[float, int, int]:
    if isinstance(tol, bool) or not isinstance(tol, _numbers.Real):
        raise TypeError(f"tol: expected a number, got {type(tol).__name__}")
    if isinstance(max_evaluations, bool) or not isinstance(max_evaluations, _numbers.Integral):
        raise TypeError(f"max_evaluations: expected an int, got {type(max_evaluations).__name__}")
    return float(tol), int(max_evaluations), _threads(threads)


def _initial(initial_params: Any, names: tuple[str, ...]) -> list[float] | None:
    """Starting values: None, a sequence in parameter order or a mapping by name."""
    if initial_params is None:
        return None
    if hasattr(initial_params, "keys"):
        missing = [n for n in names if n not in initial_params]
        if missing:
            raise ValidationError(f"initial_params: missing {missing[0]!r} (needs {', '.join(names)})")
        return [float(initial_params[n]) for n in names]
    return [float(v) for v in initial_params]


# ------------------------------------------------------------------------------------ models

class _Model:
    """What every fitter shares: the fit result as lifetimes names it."""

    _names: tuple[str, ...] = ()
    _label = ""

    def __init__(self, *, tol: float = 1e-13, max_evaluations: int = 5000, threads: int = 0):
        self._options = _fit_options(tol, max_evaluations, threads)
        self.params_ = None
        self.log_likelihood_ = None
        self.standard_errors_ = None
        self.covariance_ = None
        self.evaluations_ = None
        self.customers_ = None

    @property
    def variance_matrix_(self):
        """lifetimes' name for :attr:`covariance_`."""
        return self.covariance_

    @property
    def summary(self):
        """Estimates with their standard errors and 95% intervals (lifetimes' ``summary``)."""
        pd = _pandas()
        p = pd.Series(self._param_list(), index=list(self._names))
        se = self.standard_errors_ if self.standard_errors_ is not None else p * float("nan")
        return pd.DataFrame({"coef": p, "se(coef)": se, "lower 95% bound": p - 1.96 * se,
                             "upper 95% bound": p + 1.96 * se})

    def _store(self, r: dict) -> None:
        pd = _pandas()
        names = list(self._names)
        k = len(names)
        self.params_ = pd.Series(r["params"], index=names, dtype="float64")
        self.log_likelihood_ = float(r["log_likelihood"])
        self.standard_errors_ = pd.Series(r["std_errors"], index=names, dtype="float64")
        self.covariance_ = pd.DataFrame(r["covariance"].reshape(k, k), index=names, columns=names)
        self.evaluations_ = int(r["evaluations"])
        self.customers_ = float(r["customers"])

    def _params(self):
        if self.params_ is None:
            raise ValidationError(f"params_: the {self._label} model is not fitted (call fit() first)")
        return self.params_

    def _param_list(self) -> list[float]:
        # By name, so that params_ may also be set by hand (a dict or Series), as in lifetimes.
        p = self._params()
        missing = [n for n in self._names if n not in p]
        if missing:
            raise ValidationError(f"params_: missing {missing[0]!r} (needs {', '.join(self._names)})")
        return [float(p[n]) for n in self._names]

    def __repr__(self) -> str:
        if self.params_ is None:
            return f"<rapport.clv.{type(self).__name__}: not fitted>"
        shown = ", ".join(f"{n}: {v:.2f}" for n, v in self.params_.items())
        return f"<rapport.clv.{type(self).__name__}: fitted with {self.customers_:g} customers, {shown}>"


class _PurchaseModel(_Model):
    _kind = -1
    _age = "T"
    _age_columns: tuple[str, ...] = ("T",)

    def fit(self, frequency: Any, recency: Any = None, T: Any = None, weights: Any = None,
            initial_params: Any = None):
        """Maximum-likelihood fit to (frequency, recency, T) per customer, or to a summary DataFrame's
        columns (``frequency``, ``recency``, ``T`` and ``weights`` if present). Returns self."""
        pd = _pandas()
        if isinstance(frequency, pd.DataFrame):
            cols = _columns_of(frequency, {"frequency": ("frequency",), "recency": ("recency",),
                                           self._age: self._age_columns, "weights": ("weights",)})
            frequency, recency, T = cols["frequency"], cols["recency"], cols[self._age]
            weights = cols["weights"] if weights is None else weights
        c = _Columns(frequency=frequency, recency=recency, **{self._age: T})
        w = None if weights is None else _floats(weights, "weights")
        tol, max_evaluations, threads = self._options
        r = _core.clv_fit(self._kind, c["frequency"], c["recency"], c[self._age], w,
                          _initial(initial_params, self._names), tol, max_evaluations, threads)
        self._store(r)
        return self

    def _log_likelihood(self, frequency: Any, recency: Any, T: Any, weights: Any = None) -> float:
        c = _Columns(frequency=frequency, recency=recency, **{self._age: T})
        w = None if weights is None else _floats(weights, "weights")
        return _core.clv_log_likelihood(self._kind, self._param_list(), c["frequency"], c["recency"], c[self._age], w)

    def _conditional_expected(self, t: Any, frequency: Any, recency: Any, T: Any, name: str):
        np = _numpy()
        c = _Columns(t=t, frequency=frequency, recency=recency, **{self._age: T})
        params = self._param_list()
        ts = c["t"]
        out = np.empty(len(ts))
        # One core call per distinct horizon (usually one): the core takes a scalar t.
        for value in np.unique(ts):
            rows = ts == value if len(ts) > 1 else slice(None)
            out[rows] = _core.clv_conditional_expected(
                self._kind, params, float(value), np.ascontiguousarray(c["frequency"][rows]),
                np.ascontiguousarray(c["recency"][rows]), np.ascontiguousarray(c[self._age][rows]))
        return c.result(out, name)

    def _alive(self, frequency: Any, recency: Any, T: Any):
        c = _Columns(frequency=frequency, recency=recency, **{self._age: T})
        out = _core.clv_alive(self._kind, self._param_list(), c["frequency"], c["recency"], c[self._age])
        return c.result(out, "p_alive")

    def expected_number_of_purchases_up_to_time(self, t: Any):
        """E[X(t)]: expected repeat purchases of a new customer in (0, t], for each t."""
        c = _Columns(t=t)
        return c.result(_core.clv_expected(self._kind, self._param_list(), c["t"]), "expected_purchases")

    def probability_of_n_purchases_up_to_time(self, t: Any, n: Any):
        """P(X(t) = n) for a new customer; t and n broadcast against each other."""
        np = _numpy()
        c = _Columns(t=t, n=n)
        params = self._param_list()
        out = np.empty(len(c["t"]))
        for value in np.unique(c["t"]):  # one core call per distinct t (the core takes a scalar t)
            rows = c["t"] == value
            out[rows] = _core.clv_count_probability(self._kind, params, float(value),
                                                    np.ascontiguousarray(c["n"][rows]))
        return c.result(out, "probability")


class _ContinuousModel(_PurchaseModel):
    def log_likelihood(self, frequency: Any, recency: Any, T: Any, weights: Any = None) -> float:
        """Total log-likelihood of the data at the fitted parameters."""
        return self._log_likelihood(frequency, recency, T, weights)

    def conditional_expected_number_of_purchases_up_to_time(self, t: Any, frequency: Any, recency: Any, T: Any):
        """E[Y(t) | frequency, recency, T]: each customer's expected purchases in (T, T + t]."""
        return self._conditional_expected(t, frequency, recency, T, "expected_purchases")

    def conditional_probability_alive(self, frequency: Any, recency: Any, T: Any):
        """P(alive at T | frequency, recency, T) of each customer."""
        return self._alive(frequency, recency, T)


class BetaGeo(_ContinuousModel):
    """BG/NBD (Fader, Hardie & Lee 2005): lifetimes' ``BetaGeoFitter``; params_ r, alpha, a, b."""

    _kind = 0
    _names = ("r", "alpha", "a", "b")
    _label = "BG/NBD"


class ParetoNBD(_ContinuousModel):
    """Pareto/NBD (Schmittlein, Morrison & Colombo 1987): lifetimes' ``ParetoNBDFitter``; params_ r,
    alpha, s, beta."""

    _kind = 1
    _names = ("r", "alpha", "s", "beta")
    _label = "Pareto/NBD"


class BetaGeoBetaBinom(_PurchaseModel):
    """BG/BB for discrete opportunities (Fader, Hardie & Shang 2010): lifetimes'
    ``BetaGeoBetaBinomFitter``; params_ alpha, beta, gamma, delta. T is ``n_periods``, the number of
    opportunities; recency the opportunity of the last purchase. A DataFrame given to fit() may name
    it ``n_periods``, ``periods`` or ``T``."""

    _kind = 2
    _names = ("alpha", "beta", "gamma", "delta")
    _label = "BG/BB"
    _age = "n_periods"
    _age_columns = ("n_periods", "periods", "T")

    def fit(self, frequency: Any, recency: Any = None, n_periods: Any = None, weights: Any = None,
            initial_params: Any = None):
        return super().fit(frequency, recency, n_periods, weights, initial_params)

    def log_likelihood(self, frequency: Any, recency: Any, n_periods: Any, weights: Any = None) -> float:
        return self._log_likelihood(frequency, recency, n_periods, weights)

    def conditional_expected_number_of_purchases_up_to_time(self, m_periods_in_future: Any, frequency: Any,
                                                            recency: Any, n_periods: Any):
        """E[X(n, n + m) | frequency, recency, n]: purchases in the next m opportunities."""
        return self._conditional_expected(m_periods_in_future, frequency, recency, n_periods, "expected_purchases")

    def conditional_probability_alive(self, frequency: Any, recency: Any, n_periods: Any):
        """P(alive at opportunity n + 1 | frequency, recency, n). (lifetimes also takes
        m_periods_in_future first; here the probability is that of the next opportunity.)"""
        return self._alive(frequency, recency, n_periods)


class GammaGamma(_Model):
    """Gamma-Gamma spend per purchase (Fader, Hardie & Lee 2005): lifetimes' ``GammaGammaFitter``;
    params_ p, q, v (the core's gamma)."""

    _names = ("p", "q", "v")
    _label = "Gamma-Gamma"

    def fit(self, frequency: Any, monetary_value: Any = None, weights: Any = None, initial_params: Any = None):
        """Fit to (frequency, monetary_value) per customer or a summary DataFrame's columns. Customers
        with frequency 0 are skipped (lifetimes asks the caller to drop them). Returns self."""
        pd = _pandas()
        if isinstance(frequency, pd.DataFrame):
            cols = _columns_of(frequency, {"frequency": ("frequency",), "monetary_value": ("monetary_value",),
                                           "weights": ("weights",)})
            frequency, monetary_value = cols["frequency"], cols["monetary_value"]
            weights = cols["weights"] if weights is None else weights
        c = _Columns(frequency=frequency, monetary_value=monetary_value)
        w = None if weights is None else _floats(weights, "weights")
        tol, max_evaluations, threads = self._options
        r = _core.gamma_gamma_fit(c["frequency"], c["monetary_value"], w, _initial(initial_params, self._names),
                                  tol, max_evaluations, threads)
        self._store(r)
        return self

    def log_likelihood(self, frequency: Any, monetary_value: Any, weights: Any = None) -> float:
        c = _Columns(frequency=frequency, monetary_value=monetary_value)
        w = None if weights is None else _floats(weights, "weights")
        return _core.gamma_gamma_log_likelihood(self._param_list(), c["frequency"], c["monetary_value"], w)

    def conditional_expected_average_profit(self, frequency: Any, monetary_value: Any):
        """E[M | frequency, monetary_value]; frequency 0 gets the population mean p v / (q - 1)."""
        c = _Columns(frequency=frequency, monetary_value=monetary_value)
        out = _core.gamma_gamma_spend(self._param_list(), c["frequency"], c["monetary_value"])
        return c.result(out, "expected_spend")

    def customer_lifetime_value(self, transaction_prediction_model: Any, frequency: Any, recency: Any, T: Any,
                                monetary_value: Any, time: int = 12, discount_rate: float = 0.01, freq: str = "D",
                                *, margin: float = 1.0):
        """Discounted value of each customer's expected purchases over ``time`` months, as lifetimes
        computes it: ``freq`` is the unit of T ("D" days: 30 per month, "W" weeks: 4.345, "H", "M"),
        ``discount_rate`` is per month, and E[M] the Gamma-Gamma conditional spend times ``margin``."""
        if not isinstance(transaction_prediction_model, (BetaGeo, ParetoNBD)):
            raise ValidationError("transaction_prediction_model: expected a fitted BetaGeo or ParetoNBD, got "
                                  f"{type(transaction_prediction_model).__name__}")
        if not isinstance(freq, str) or freq not in _PERIODS_PER_MONTH:
            raise ValidationError(f"freq: expected one of 'D', 'W', 'H', 'M', got {freq!r}")
        if isinstance(time, bool) or not isinstance(time, _numbers.Integral):
            raise TypeError(f"time: expected a whole number of months, got {type(time).__name__}")
        c = _Columns(frequency=frequency, recency=recency, T=T, monetary_value=monetary_value)
        out = _core.clv_value(transaction_prediction_model._kind, transaction_prediction_model._param_list(),
                              self._param_list(), c["frequency"], c["recency"], c["T"], c["monetary_value"],
                              int(time), _PERIODS_PER_MONTH[freq], float(discount_rate), float(margin))
        return c.result(out, "clv")


# Model checking (rapport/_clv_check.py): calibration against holdout, frequency/recency matrices,
# one customer's P(alive) history. Imported last: it refers back to the classes above.
from ._clv_check import FrequencyRecencyMatrix, alive_history, calibration_holdout, frequency_recency_matrix  # noqa: E402
