"""Automation rules, ticks and the outbox (docs/rules.md): the Database methods ``save_rule``,
``rule``, ``rules``, ``drop_rule``, ``enable_rule``, ``tick``, ``rule_outcomes``, ``rule_runs``,
``set_time_zone``, ``time_zone``, ``outbox``, ``claim_outbox``, ``ack_outbox`` and ``fail_outbox`` are
thin wrappers over the functions here.

Rules, tick reports, outcomes and outbox messages cross from the core as their JSON documents (the
ones the C ABI and the CLI print) and come back as dicts whose times are aware datetimes; outcome lists
are pandas DataFrames.
"""

from __future__ import annotations

import datetime as _dt
import json as _json
from typing import Any, Iterable, Mapping

from ._convert import to_micros

OUTCOME_STATUSES = ("fired", "retrying", "failed", "skipped")
OUTBOX_STATUSES = ("pending", "claimed", "delivered", "failed")
_TIME_KEYS = ("created_at", "updated_at", "now", "first_at", "last_at", "next_retry_at", "claimed_at",
              "delivered_at")


def _parse_time(text: str | None) -> _dt.datetime | None:
    if text is None:
        return None
    return _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _times(d: dict) -> dict:
    for key in _TIME_KEYS:
        if key in d and isinstance(d[key], str):
            d[key] = _parse_time(d[key])
    return d


def _status_index(value: str | None, statuses: tuple, what: str) -> int:
    if value is None:
        return -1
    if value not in statuses:
        from ._errors import ValidationError

        raise ValidationError(f"{what}: unknown status {value!r} (expected one of {', '.join(statuses)})")
    return statuses.index(value)


def rule_json(rule: Mapping[str, Any] | str) -> str:
    """A rule as a dict (the JSON form) or JSON text -> JSON text."""
    if isinstance(rule, (str, bytes)):
        return rule.decode() if isinstance(rule, bytes) else rule
    if not isinstance(rule, Mapping):
        raise TypeError(f"rule: expected a dict or JSON text, got {type(rule).__name__}")
    return _json.dumps(dict(rule))


def rules(text: str) -> list[dict]:
    return [_times(r) for r in _json.loads(text)]


def report(text: str) -> dict:
    """A tick report: counts, ``rules`` (per rule) and ``outcomes`` (a list of dicts)."""
    r = _times(_json.loads(text))
    r["outcomes"] = [_times(o) for o in r["outcomes"]]
    return r


def outcomes(core, rule: str | None, customer: int | None, status: str | None, since: Any, after_id: int,
             limit: int):
    """The ledger rows as a pandas DataFrame (one row per firing)."""
    import pandas as pd

    since_us = None if since is None else to_micros(since, "since")
    rows = _json.loads(core.rule_outcomes(rule, customer, _status_index(status, OUTCOME_STATUSES, "status"),
                                          since_us, after_id, limit))
    columns = ["id", "rule", "customer", "occurrence", "trigger", "status", "attempts", "error", "first_at",
               "last_at", "next_retry_at"]
    df = pd.DataFrame(rows, columns=columns)
    for c in ("first_at", "last_at", "next_retry_at"):
        df[c] = pd.to_datetime(df[c], utc=True)
    return df


def runs(text: str) -> list[dict]:
    return [_times(r) for r in _json.loads(text)]


def messages(text: str) -> list[dict]:
    return [_times(m) for m in _json.loads(text)]


def outbox_status(status: str | None) -> int:
    return _status_index(status, OUTBOX_STATUSES, "status")


def ids(values: int | Iterable[int]) -> list[int]:
    if isinstance(values, int):
        return [values]
    return [int(v) for v in values]
