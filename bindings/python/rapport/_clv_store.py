"""Stored CLV models of a database (docs/python-clv.md, "Stored models"): the Database methods
``clv_fit``, ``clv_save``, ``clv_model``, ``clv_models``, ``clv_delete``, ``clv_apply`` and
``clv_scores`` are thin wrappers over the functions here.

A stored model crosses from the core as its JSON form (the document the C ABI and the CLI print) and is
returned as a dict with its times as aware datetimes; :func:`save` builds that form from fitted
:class:`rapport.clv.BetaGeo` / :class:`~rapport.clv.ParetoNBD` and :class:`~rapport.clv.GammaGamma`
objects, so a model fitted on a DataFrame can be applied to the database later.
"""

from __future__ import annotations

import datetime as _dt
import json as _json
import math as _math
import numbers as _numbers
from typing import Any, Iterable

from ._analytics import _duration, _pandas, _threads
from ._convert import from_micros
from ._errors import ValidationError
from ._segments import as_of_micros

_DAY_US = 86_400_000_000
_KINDS = {"bg_nbd": 0, "pareto_nbd": 1}


def time_unit(freq: Any) -> int:
    """'W' (weeks), 'D' (days) or a timedelta -> microseconds, as rapport.clv.summary reads ``freq``."""
    from .clv import _time_unit

    return _time_unit(freq)


def _parse_time(text: str | None) -> _dt.datetime | None:
    if text is None:
        return None
    return _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def model_dict(text: str) -> dict:
    """The core's JSON form -> a dict; times (``summary.cutoff``, ``fitted_at``, ``applied_at``) as
    aware datetimes."""
    d = _json.loads(text)
    d["summary"]["cutoff"] = _parse_time(d["summary"]["cutoff"])
    d["fitted_at"] = _parse_time(d["fitted_at"])
    d["applied_at"] = _parse_time(d["applied_at"])
    return d


def _number(value: Any, role: str) -> float:
    if isinstance(value, bool) or not isinstance(value, _numbers.Real):
        raise TypeError(f"{role}: expected a number, got {type(value).__name__}")
    return float(value)


def _whole(value: Any, role: str) -> int:
    if isinstance(value, bool) or not isinstance(value, _numbers.Integral):
        raise TypeError(f"{role}: expected an int, got {type(value).__name__}")
    return int(value)


def _period_length(value: Any, unit_us: int) -> float:
    """None (30 days), a number of model time units, or a duration (timedelta, '30d') -> time units."""
    if value is None:
        return 0.0  # the core's default: 30 days in the model's unit
    if isinstance(value, _numbers.Real) and not isinstance(value, bool):
        return float(value)
    return _duration(value, "period_length") / unit_us


def _statuses(order_statuses: Any) -> list | None:
    if order_statuses is None:
        return None
    if isinstance(order_statuses, (str, bytes)):
        return [order_statuses]
    return list(order_statuses)


def fit(db: Any, name: str, model: str, cutoff: Any, freq: Any, merge_same_day: bool, spend: bool,
        order_statuses: Iterable[str] | None, currency: str | None, periods: int, period_length: Any,
        discount_rate: float, margin: float, tol: float, max_evaluations: int, threads: int) -> dict:
    if model not in _KINDS:
        raise ValidationError(f"model: must be \"bg_nbd\" or \"pareto_nbd\", got {model!r}")
    if not isinstance(merge_same_day, bool):
        raise TypeError(f"merge_same_day: expected a bool, got {type(merge_same_day).__name__}")
    if not isinstance(spend, bool):
        raise TypeError(f"spend: expected a bool, got {type(spend).__name__}")
    unit = time_unit(freq)
    text = db.clv_fit(name, _KINDS[model], as_of_micros(cutoff, "cutoff"), unit, _DAY_US if merge_same_day else 0, 0,
                      _statuses(order_statuses), currency, spend, _whole(periods, "periods"),
                      _period_length(period_length, unit), _number(discount_rate, "discount_rate"),
                      _number(margin, "margin"), _number(tol, "tol"), _whole(max_evaluations, "max_evaluations"),
                      _threads(threads))
    return model_dict(text)


def _fit_member(fitted: Any, names: tuple[str, ...]) -> dict:
    """What a rapport.clv fitter found, in the JSON form's "fit" member with the parameters called
    ``names`` (null where unknown; nothing when the parameters were set by hand)."""
    own = list(fitted._names)

    def number_or_none(x: Any) -> float | None:
        return None if x is None or _math.isnan(float(x)) else float(x)

    out: dict = {"log_likelihood": number_or_none(fitted.log_likelihood_)}
    if fitted.standard_errors_ is not None:
        out["std_errors"] = {n: number_or_none(fitted.standard_errors_[o]) for n, o in zip(names, own)}
    if fitted.covariance_ is not None:
        out["covariance"] = [[number_or_none(fitted.covariance_.loc[r, c]) for c in own] for r in own]
    if fitted.customers_ is not None:
        out["customers"] = float(fitted.customers_)
    if fitted.evaluations_ is not None:
        out["evaluations"] = int(fitted.evaluations_)
    return out


def save(db: Any, model: Any, name: str, spend: Any, cutoff: Any, freq: Any, merge_same_day: bool,
         order_statuses: Iterable[str] | None, currency: str | None, periods: int, period_length: Any,
         discount_rate: float, margin: float, fitted_at: Any) -> dict:
    from .clv import BetaGeo, GammaGamma, ParetoNBD

    if not isinstance(model, (BetaGeo, ParetoNBD)):
        raise ValidationError(f"model: expected a fitted rapport.clv.BetaGeo or ParetoNBD, got {type(model).__name__}")
    if spend is not None and not isinstance(spend, GammaGamma):
        raise ValidationError(f"spend: expected a fitted rapport.clv.GammaGamma or None, got {type(spend).__name__}")
    if cutoff is None:
        raise ValidationError("cutoff: required (the calibration end the model was fitted at)")
    if not isinstance(merge_same_day, bool):
        raise TypeError(f"merge_same_day: expected a bool, got {type(merge_same_day).__name__}")
    if not isinstance(name, str):
        raise TypeError(f"name: expected a str, got {type(name).__name__}")
    unit = time_unit(freq)
    names = list(model._names)
    spec: dict = {
        "name": name,
        "model": "bg_nbd" if isinstance(model, BetaGeo) else "pareto_nbd",
        "params": dict(zip(names, model._param_list())),
        "fit": _fit_member(model, model._names),
        "spend": None,
        "summary": {"cutoff": from_micros(as_of_micros(cutoff, "cutoff")).isoformat().replace("+00:00", "Z"),
                    "time_unit_us": unit, "merge_period_us": _DAY_US if merge_same_day else 0,
                    "merge_offset_us": 0},
        "value": {"periods": _whole(periods, "periods"), "discount_rate": _number(discount_rate, "discount_rate"),
                  "margin": _number(margin, "margin")},
    }
    # lifetimes calls the spend scale v; the stored form calls it gamma (the paper's name).
    if spend is not None:
        p, q, v = spend._param_list()
        spec["spend"] = {"params": {"p": p, "q": q, "gamma": v}, "fit": _fit_member(spend, ("p", "q", "gamma"))}
    statuses = _statuses(order_statuses)
    if statuses is not None:
        spec["summary"]["order_statuses"] = statuses
    if currency is not None:
        spec["summary"]["currency"] = currency
    length = _period_length(period_length, unit)
    if length != 0.0:
        spec["value"]["period_length"] = length
    if fitted_at is not None:
        spec["fitted_at"] = from_micros(as_of_micros(fitted_at, "fitted_at")).isoformat().replace("+00:00", "Z")
    try:
        text = _json.dumps(spec, allow_nan=False, ensure_ascii=False)
    except ValueError:
        raise ValidationError("params: must be finite numbers") from None
    return model_dict(db.clv_save_json(text))


def scores(db: Any):
    """The stored scores as a DataFrame indexed by customer id."""
    pd = _pandas()
    d = db.clv_scores()
    df = pd.DataFrame({k: d[k] for k in ("p_alive", "expected_purchases_90d", "clv", "churn_risk")},
                      index=pd.Index(d["customer"], name="customer_id"))
    df.attrs["model"] = d["model"]
    df.attrs["as_of"] = None if d["as_of"] is None else from_micros(d["as_of"])
    return df
