"""Lifecycle models and stages of a database (docs/lifecycle.md): the Database methods
``save_lifecycle_model``, ``lifecycle_model``, ``lifecycle_models``, ``drop_lifecycle_model``,
``move_stage``, ``evaluate_lifecycle``, ``stage_history``, ``stages_as_of`` and ``stage_distribution``
are thin wrappers over the functions here.

A model is a dict in the JSON form every face shares (or a :class:`LifecycleModel`); times come back
as aware datetimes, stages as of an instant as a pandas DataFrame and distributions as a DataFrame
with one row per period and one column per stage (what :func:`rapport.plot.stage_distribution` draws).
"""

from __future__ import annotations

import dataclasses as _dc
import datetime as _dt
import json as _json
from typing import Any

from ._convert import from_micros
from ._segments import as_of_micros

_STEPS = {"day": 0, "week": 1, "month": 2}


@_dc.dataclass
class Stage:
    name: str
    kind: str = "other"  # prospect, new, active, at_risk, dormant, churned, won_back, other
    condition: str = ""  # a segment expression; empty: never entered by a condition


@_dc.dataclass
class Transition:
    from_: list[str]
    to: str
    on: str = "any"  # any, order, activity


@_dc.dataclass
class LifecycleModel:
    """A lifecycle model: ordered stages, the backward transitions its policy allows, and what it is
    attached to (customer kinds and/or a saved segment, with a precedence)."""

    name: str
    stages: list[Stage]
    transitions: list[Transition] = _dc.field(default_factory=list)
    kinds: list[str] = _dc.field(default_factory=list)
    segment: str = ""
    precedence: int = 0
    description: str = ""

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "description": self.description,
            "stages": [_dc.asdict(s) for s in self.stages],
            "transitions": [{"from": t.from_, "to": t.to, "on": t.on} for t in self.transitions],
            "attachment": {"kinds": list(self.kinds), "segment": self.segment, "precedence": self.precedence},
        }


def _parse_time(text: str | None) -> _dt.datetime | None:
    if text is None:
        return None
    return _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def model_dict(text: str) -> dict:
    """The core's JSON form -> a dict with ``created_at`` / ``updated_at`` as aware datetimes."""
    d = _json.loads(text)
    for key in ("created_at", "updated_at"):
        if key in d:
            d[key] = _parse_time(d[key])
    return d


def default_model() -> dict:
    """The model that ships (prospect, new, active, won_back, at_risk, dormant, churned)."""
    from . import _core

    return model_dict(_core.default_lifecycle_model_json())


def model_json(model: Any) -> str:
    if isinstance(model, LifecycleModel):
        model = model.to_dict()
    if isinstance(model, str):
        return model
    if not isinstance(model, dict):
        raise TypeError(f"model: expected a dict, a LifecycleModel or JSON text, got {type(model).__name__}")
    d = {k: v for k, v in model.items() if k not in ("created_at", "updated_at")}
    return _json.dumps(d)


def move_dict(d: dict) -> dict:
    d["at"] = from_micros(d["at"])
    if "time_in_stage" in d:
        d["time_in_stage"] = _dt.timedelta(microseconds=d["time_in_stage"])
    return d


def report_dict(d: dict) -> dict:
    d["as_of"] = from_micros(d["as_of"])
    d["moves"] = [move_dict(m) for m in d["moves"]]
    return d


def stages_frame(columns: tuple):
    import pandas as pd

    ids, models, stages, since = columns
    index = pd.Index(ids, dtype="int64", name="customer_id")
    return pd.DataFrame(
        {
            "model": pd.Series(models, index=index, dtype="object"),
            "stage": pd.Series(stages, index=index, dtype="object"),
            "since": pd.Series(pd.to_datetime(pd.Index(since, dtype="int64"), unit="us", utc=True), index=index),
        },
        index=index,
    )


def step_index(step: str) -> int:
    if step not in _STEPS:
        raise ValueError(f"step: must be one of day, week, month, got {step!r}")
    return _STEPS[step]


def distribution_frame(columns: tuple):
    import pandas as pd

    periods, stages, counts = columns
    index = pd.DatetimeIndex(pd.to_datetime(pd.Index(periods, dtype="int64"), unit="us", utc=True), name="period")
    data = {stage: pd.Series(counts[i], index=index, dtype="int64") for i, stage in enumerate(stages)}
    return pd.DataFrame(data, index=index, columns=list(stages))


def time_micros(value: Any, what: str) -> int:
    us = as_of_micros(value, what)
    if us is None:
        raise TypeError(f"{what}: required")
    return us
