"""Tasks and reminders from Python: the :class:`Task` record and the conversions behind the
``Database`` task methods (docs/tasks.md). Validation, lists and reminders all happen in the core."""

from __future__ import annotations

import datetime as _dt
from typing import Any, Iterable, Mapping

from . import _core
from ._convert import from_micros, index, opt_from_micros, opt_index, opt_micros, to_duration_micros
from ._types import RecordList, _Record

__all__ = ["Task", "TASK_PRIORITIES", "TASK_STATUSES", "TASK_REF_KINDS", "TASK_LISTS"]

#: Priorities, statuses, reference kinds and list kinds as the core spells them.
TASK_PRIORITIES: tuple[str, ...] = tuple(_core.TASK_PRIORITIES)
TASK_STATUSES: tuple[str, ...] = tuple(_core.TASK_STATUSES)
TASK_REF_KINDS: tuple[str, ...] = tuple(_core.TASK_REF_KINDS)
TASK_LISTS: tuple[str, ...] = tuple(_core.TASK_LISTS)

_MEMBERS = ("title", "customer", "ref", "owner", "team", "due", "remind_at", "priority", "notes")
_TIMES = ("due", "remind_at")
_IDS = ("customer", "owner")


class Task(_Record):
    """A task: ``title``; ``customer`` (id or None); ``ref`` (``(kind, id)`` with kind "lead",
    "deal" or "ticket", or None); ``owner`` (user id or None); ``team`` (key or None); ``due`` and
    ``remind_at`` (aware datetimes or None); ``priority`` ("low", "normal", "high", "urgent");
    ``notes``; ``created_by_rule`` (the automation rule that made it, None when made by hand);
    ``status`` ("open", "done", "cancelled"); ``completed_at``, ``cancelled_at``; ``reminded_at``
    (when its reminder was claimed); ``version``."""

    __slots__ = ("id", "title", "customer", "ref", "owner", "team", "due", "remind_at", "priority", "notes",
                 "created_by_rule", "status", "created_at", "updated_at", "completed_at", "cancelled_at",
                 "reminded_at", "version")
    _fields = __slots__
    _repr_fields = ("id", "title", "status", "owner", "team", "due")

    @classmethod
    def _from_core(cls, d: dict) -> "Task":
        t = cls.__new__(cls)
        ref = d["ref"]
        t._set(id=d["id"], title=d["title"], customer=d["customer"], ref=None if ref is None else tuple(ref),
               owner=d["owner"], team=d["team"], due=opt_from_micros(d["due"]),
               remind_at=opt_from_micros(d["remind_at"]), priority=d["priority"], notes=d["notes"],
               created_by_rule=d["created_by_rule"], status=d["status"], created_at=from_micros(d["created_at"]),
               updated_at=from_micros(d["updated_at"]), completed_at=opt_from_micros(d["completed_at"]),
               cancelled_at=opt_from_micros(d["cancelled_at"]), reminded_at=opt_from_micros(d["reminded_at"]),
               version=d["version"])
        return t

    @property
    def is_open(self) -> bool:
        return self.status == "open"


def task_list(dicts: Iterable[dict]) -> RecordList:
    out = RecordList(Task._from_core(d) for d in dicts)
    out._kind = "Task"
    return out


def _ref(value: Any) -> tuple | None:
    if value is None:
        return None
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return (value[0], index(value[1], "ref.id"))
    raise TypeError(f"ref: expected (kind, id), e.g. ('deal', 42), got {value!r}")


def _zone(value: Any) -> str:
    """A zone name, or a zoneinfo.ZoneInfo / anything with a ``key``."""
    if isinstance(value, str):
        return value
    key = getattr(value, "key", None)
    if isinstance(key, str):
        return key
    raise TypeError(f"zone: expected an IANA zone name such as 'Asia/Shanghai', got {type(value).__name__}")


def _statuses(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def create(core: Any, title: Any, customer: Any, owner: Any, team: Any, due: Any, remind_at: Any, priority: Any,
           ref: Any, notes: Any, created_by_rule: Any) -> Task:
    return Task._from_core(core.create_task(
        title, opt_index(customer, "customer"), _ref(ref), opt_index(owner, "owner"), team, opt_micros(due, "due"),
        opt_micros(remind_at, "remind_at"), priority, notes, created_by_rule))


def update(core: Any, task_id: Any, changes: Mapping[str, Any], move_reminder_with_due: bool,
           expected_version: Any) -> Task:
    converted: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in _MEMBERS:
            raise TypeError(f"update_task() got an unexpected keyword argument {name!r} "
                            f"(members: {', '.join(_MEMBERS)})")
        if name in _TIMES:
            value = opt_micros(value, name)
        elif name in _IDS:
            value = opt_index(value, name)
        elif name == "ref":
            value = _ref(value)
        converted[name] = value
    return Task._from_core(core.update_task(index(task_id, "task_id"), converted, bool(move_reminder_with_due),
                                            opt_index(expected_version, "expected_version")))


def query(core: Any, owner: Any, team: Any, customer: Any, status: Any, due_after: Any, due_before: Any,
          limit: Any) -> RecordList:
    return task_list(core.tasks(opt_index(owner, "owner"), team, opt_index(customer, "customer"), _statuses(status),
                                opt_micros(due_after, "due_after"), opt_micros(due_before, "due_before"),
                                index(limit, "limit")))


def listing(core: Any, kind: str, owner: Any, team: Any, as_of: Any, zone: Any, window: Any, days: Any,
            limit: Any) -> RecordList:
    from ._segments import as_of_micros

    return task_list(core.task_list(kind, opt_index(owner, "owner"), team, as_of_micros(as_of), _zone(zone),
                                    None if window is None else to_duration_micros(window, "window"),
                                    index(days, "days"), index(limit, "limit")))
