"""Conversions between friendly Python values and what rapport._core takes and returns.

Times: rapport takes and returns timezone-aware ``datetime`` objects; results are in UTC. A naive
``datetime`` (no ``tzinfo``) is rejected with :class:`ValidationError` rather than guessed at.
"""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
import os as _os
from typing import Any

from ._errors import ValidationError
from ._types import Money

UTC = _dt.timezone.utc
EPOCH = _dt.datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = _dt.timedelta(microseconds=1)


def to_micros(value: Any, what: str) -> int:
    """An aware datetime -> microseconds since the Unix epoch."""
    if not isinstance(value, _dt.datetime):
        raise TypeError(f"{what}: expected a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(
            f"{what}: naive datetime; pass a timezone-aware datetime "
            f"(e.g. tzinfo=datetime.timezone.utc)"
        )
    return (value - EPOCH) // _ONE_US


def opt_micros(value: Any, what: str) -> int | None:
    return None if value is None else to_micros(value, what)


def from_micros(us: int) -> _dt.datetime:
    return EPOCH + _dt.timedelta(microseconds=us)


def opt_from_micros(us: int | None) -> _dt.datetime | None:
    return None if us is None else from_micros(us)


def to_duration_micros(value: Any, what: str) -> int:
    if isinstance(value, _dt.timedelta):
        return value // _ONE_US
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(round(value * 1_000_000))
    raise TypeError(f"{what}: expected a timedelta or seconds, got {type(value).__name__}")


def to_core_value(value: Any, field: str) -> Any:
    """A field value -> the form _core turns into a rapport::Value."""
    if isinstance(value, _dt.datetime):
        return to_micros(value, field)
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, _decimal.Decimal):
        if not value.is_finite():
            raise ValidationError(f"{field}: decimal must be finite, got {value}")
        return format(value, "f")
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def to_field_map(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: to_core_value(value, name) for name, value in fields.items()}


def index(value: Any, what: str) -> int:
    """An id or count: any integer (bool excluded)."""
    if isinstance(value, bool):
        raise TypeError(f"{what}: expected an int, got bool")
    try:
        import operator

        return operator.index(value)
    except TypeError:
        raise TypeError(f"{what}: expected an int, got {type(value).__name__}") from None


def opt_index(value: Any, what: str) -> int | None:
    return None if value is None else index(value, what)


def fspath(value: Any) -> str | bytes:
    return _os.fspath(value)


def enum_index(names: tuple[str, ...], value: Any, what: str, aliases: dict[str, str] | None = None) -> int:
    """The position of a name (as the core spells it) in `names`; tolerant of case, '-' and ' '."""
    if isinstance(value, int) and not isinstance(value, bool):
        if 0 <= value < len(names):
            return value
        raise ValidationError(f"{what}: {value} is not one of {', '.join(names)}")
    if not isinstance(value, str):
        raise TypeError(f"{what}: expected str, got {type(value).__name__}")

    def norm(s: str) -> str:
        return s.strip().lower().replace("-", "").replace("_", "").replace(" ", "")

    wanted = norm(value)
    if aliases and wanted in aliases:
        wanted = norm(aliases[wanted])
    for i, name in enumerate(names):
        if norm(name) == wanted:
            return i
    raise ValidationError(f"{what}: unknown value {value!r} (one of {', '.join(names)})")


def money(amount: Any, currency: Any, amount_minor: Any, what: str = "amount") -> Money:
    """The amount of an order or item: a Money, decimal text/Decimal/int in major units, or minor."""
    if isinstance(amount, Money):
        if amount_minor is not None:
            raise ValidationError(f"{what}: give either {what} or {what}_minor, not both")
        if currency is not None and currency != amount.currency:
            raise ValidationError(f"{what}: currency {currency!r} differs from {amount.currency!r}")
        return amount
    if currency is None:
        raise ValidationError(f"currency: required with {what} (ISO 4217 code, e.g. 'CNY')")
    if amount is not None and amount_minor is not None:
        raise ValidationError(f"{what}: give either {what} or {what}_minor, not both")
    if amount_minor is not None:
        return Money(index(amount_minor, f"{what}_minor"), currency)
    if amount is None:
        raise ValidationError(f"{what}: required (or {what}_minor)")
    return Money.parse(amount, currency)
