"""Business calendars: working time in a time zone, and arithmetic on it (docs/calendars.md).

The core checks and computes; this module turns keyword arguments into the calendar's JSON form and
converts datetimes (timezone-aware; naive ones are refused) and timedeltas.
"""

from __future__ import annotations

import datetime as _dt
import json as _json
from typing import Any, Iterable, Mapping, NamedTuple

from . import _core
from ._convert import from_micros, to_duration_micros, to_micros

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ONE_US = _dt.timedelta(microseconds=1)


def _time_text(value: Any, what: str) -> Any:
    if isinstance(value, _dt.time):
        if value.tzinfo is not None or value.microsecond:
            raise TypeError(f"{what}: expected a local time of day without time zone or microseconds")
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    return value  # text ("09:00", "24:00") is checked by the core


def _ranges(value: Any, what: str) -> list:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"{what}: expected a list of (start, end) ranges such as [(\"09:00\", \"17:00\")]")
    out = []
    for i, r in enumerate(value):
        if isinstance(r, (str, bytes)) or not isinstance(r, Iterable):
            raise TypeError(f"{what}[{i}]: expected a (start, end) pair")
        out.append([_time_text(t, f"{what}[{i}]") for t in r])
    return out


def _date_text(value: Any, what: str) -> Any:
    if isinstance(value, _dt.datetime):
        raise TypeError(f"{what}: expected a date, not a datetime")
    if isinstance(value, _dt.date):
        return value.isoformat()
    return value


def _definition(time_zone: str, hours: Mapping[str, Any], holidays: Iterable[Any],
                working_days: Iterable[Any]) -> dict:
    if not isinstance(hours, Mapping):
        raise TypeError("hours: expected a mapping of weekday (\"mon\" ... \"sun\") to ranges")
    doc: dict = {"time_zone": time_zone,
                 "hours": {day: _ranges(r, f"hours.{day}") for day, r in hours.items()}}
    hs = []
    for i, h in enumerate(holidays or ()):
        if isinstance(h, (tuple, list)):
            hs.append([_date_text(d, f"holidays[{i}]") for d in h])
        else:
            hs.append(_date_text(h, f"holidays[{i}]"))
    doc["holidays"] = hs
    ws = []
    for i, w in enumerate(working_days or ()):
        if isinstance(w, Mapping):
            item = dict(w)
            if "date" in item:
                item["date"] = _date_text(item["date"], f"working_days[{i}].date")
            if "hours" in item:
                item["hours"] = _ranges(item["hours"], f"working_days[{i}].hours")
            ws.append(item)
        else:
            ws.append(_date_text(w, f"working_days[{i}]"))
    doc["working_days"] = ws
    return doc


class BusinessCalendar:
    """Working time in a time zone: weekly hours (several ranges a day), holidays and extra working
    days (e.g. China's adjusted working weekends). Immutable.

    ``hours`` maps "mon" ... "sun" to (start, end) ranges of local wall-clock time ("09:00" or
    ``datetime.time``; "24:00" ends a day). ``holidays`` holds dates (``date`` or "YYYY-MM-DD") and
    (first, last) ranges. ``working_days`` holds dates worked with a regular day's hours (the first
    weekday, Monday on, that has hours) or ``{"date": ..., "as": "fri"}`` / ``{"date": ...,
    "hours": [...]}``. A bad definition raises ValidationError naming the member, e.g.
    ``hours.mon[1]: 09:00-13:30 overlaps hours.mon[0] (13:00-18:00)``.
    """

    __slots__ = ("_cal",)

    def __init__(self, time_zone: str, hours: Mapping[str, Any], holidays: Iterable[Any] = (),
                 working_days: Iterable[Any] = ()) -> None:
        doc = _definition(time_zone, hours, holidays, working_days)
        self._cal = _core.Calendar.from_json(_json.dumps(doc))

    @classmethod
    def from_json(cls, text: str) -> "BusinessCalendar":
        """A calendar from its JSON form (docs/calendars.md)."""
        return cls._wrap(_core.Calendar.from_json(text))

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> "BusinessCalendar":
        return cls.from_json(_json.dumps(dict(doc)))

    @classmethod
    def _wrap(cls, core: Any) -> "BusinessCalendar":
        self = cls.__new__(cls)
        self._cal = core
        return self

    def to_json(self) -> str:
        """The canonical JSON form (ranges and holidays sorted, every member present)."""
        return self._cal.to_json()

    def to_dict(self) -> dict:
        return _json.loads(self._cal.to_json())

    @property
    def time_zone(self) -> str:
        return self.to_dict()["time_zone"]

    @property
    def weekly_working_time(self) -> _dt.timedelta:
        """Working time in a week without holidays, extra days or DST changes."""
        return _dt.timedelta(microseconds=self._cal.weekly_us())

    def add(self, start: _dt.datetime, duration: Any) -> _dt.datetime:
        """The earliest instant (UTC) by which ``duration`` (timedelta, or seconds) of working time has
        passed since ``start``: ``start`` for zero; the end of a working range (Friday 17:00, not
        Monday 09:00) when the duration runs out there."""
        return from_micros(self._cal.add(to_micros(start, "start"), to_duration_micros(duration, "duration")))

    def between(self, a: _dt.datetime, b: _dt.datetime) -> _dt.timedelta:
        """Working time in [a, b); negative when b is before a."""
        return _dt.timedelta(microseconds=self._cal.between(to_micros(a, "a"), to_micros(b, "b")))

    def next_working(self, t: _dt.datetime) -> _dt.datetime:
        """``t`` when it is working time, else the start of the next working range (UTC)."""
        return from_micros(self._cal.next_working(to_micros(t, "t")))

    def is_working(self, t: _dt.datetime) -> bool:
        return self._cal.is_working(to_micros(t, "t"))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BusinessCalendar) and self.to_json() == other.to_json()

    def __hash__(self) -> int:
        return hash(self.to_json())

    def __repr__(self) -> str:
        return f"BusinessCalendar.from_json({self.to_json()!r})"


class StoredCalendar(NamedTuple):
    """A calendar stored in a database under a name."""
    name: str
    calendar: BusinessCalendar
    created_at: _dt.datetime
    updated_at: _dt.datetime


def as_core(calendar: Any) -> Any:
    """A BusinessCalendar, or its JSON form as a dict or text -> _core.Calendar."""
    if isinstance(calendar, BusinessCalendar):
        return calendar._cal
    if isinstance(calendar, Mapping):
        return BusinessCalendar.from_dict(calendar)._cal
    if isinstance(calendar, str):
        return BusinessCalendar.from_json(calendar)._cal
    raise TypeError(f"calendar: expected a BusinessCalendar, got {type(calendar).__name__}")


def stored(rows: list) -> list[StoredCalendar]:
    return [StoredCalendar(name, BusinessCalendar._wrap(cal), from_micros(created), from_micros(updated))
            for name, cal, created, updated in rows]
