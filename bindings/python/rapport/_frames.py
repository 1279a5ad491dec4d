"""pandas output of record lists. pandas is imported only when a frame is asked for.

Column dtypes: ids and counts int64; optional ints (owner, actor) nullable Int64; instants
datetime64[us, UTC] (datetime64[ns, UTC] on pandas < 2, which has no other resolution); dates
datetime64 without zone; flags bool; text and lists object.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from ._types import Activity, Customer, Order

def pandas():
    try:
        import pandas as pd
    except ImportError as e:  # pragma: no cover - depends on the machine
        raise ImportError("to_pandas() needs pandas (Debian: apt install python3-pandas)") from e
    return pd


def _non_nano(pd) -> bool:
    # pandas 1.5 accepts "datetime64[us, UTC]" but computes wrong results with it (min(), .dt).
    return int(pd.__version__.split(".")[0]) >= 2


def _time_column(pd, values: Sequence[Any]):
    series = pd.Series(pd.to_datetime(list(values), utc=True), dtype="datetime64[ns, UTC]")
    return series.astype("datetime64[us, UTC]") if _non_nano(pd) else series


def _date_column(pd, values: Sequence[Any]):
    return pd.Series(pd.to_datetime(list(values)), dtype="datetime64[ns]")


def _column(pd, kind: str, values: list[Any]):
    if kind == "int":
        return pd.Series(values, dtype="int64")
    if kind == "nint":
        return pd.Series(values, dtype="Int64")
    if kind == "float":
        return pd.Series([float("nan") if v is None else v for v in values], dtype="float64")
    if kind == "bool":
        return pd.Series(values, dtype="bool")
    if kind == "nbool":
        return pd.Series(values, dtype="boolean")
    if kind == "time":
        return _time_column(pd, values)
    if kind == "date":
        return _date_column(pd, values)
    return pd.Series(values, dtype=object)


def frame(rows: Sequence[Any], columns: Sequence[tuple[str, str, Callable[[Any], Any]]]):
    pd = pandas()
    data = {name: _column(pd, kind, [get(r) for r in rows]) for name, kind, get in columns}
    return pd.DataFrame(data)


def _attr(name: str) -> Callable[[Any], Any]:
    return lambda r: getattr(r, name)


# Custom field type names -> column kinds (by position in _core.FIELD_TYPES: text, integer,
# decimal, money, date, time, bool, enum, multi-enum).
_FIELD_KINDS = ("str", "nint", "obj", "obj", "date", "time", "nbool", "str", "obj")

_CUSTOMER_COLUMNS = [
    ("id", "int", _attr("id")),
    ("kind", "str", _attr("kind")),
    ("name", "str", _attr("name")),
    ("industry", "str", _attr("industry")),
    ("region", "str", _attr("region")),
    ("size", "str", _attr("size")),
    ("source", "str", _attr("source")),
    ("owner", "nint", _attr("owner")),
    ("birthday", "date", _attr("birthday")),
    ("lifecycle_stage", "str", _attr("lifecycle_stage")),
    ("created_at", "time", _attr("created_at")),
    ("updated_at", "time", _attr("updated_at")),
    ("deleted_at", "time", _attr("deleted_at")),
    ("version", "int", _attr("version")),
    ("deleted", "bool", _attr("deleted")),
    ("emails", "obj", _attr("emails")),
    ("phones", "obj", _attr("phones")),
    ("tags", "obj", _attr("tags")),
    ("external_ids", "obj", lambda c: {e.system: e.key for e in c.external_ids}),
]


def customers_frame(customers: Sequence[Customer], field_types: dict[str, int] | None = None):
    columns = list(_CUSTOMER_COLUMNS)
    taken = {name for name, _, _ in columns}
    custom_names: list[str] = []
    for c in customers:
        for name in c.custom:
            if name not in custom_names:
                custom_names.append(name)
    types = field_types or {}
    for name in sorted(custom_names):
        kind = _FIELD_KINDS[types[name]] if name in types and 0 <= types[name] < len(_FIELD_KINDS) else "obj"
        column = name if name not in taken else f"custom.{name}"
        columns.append((column, kind, lambda c, n=name: c.custom.get(n)))
    return frame(customers, columns)


_TIMELINE_COLUMNS = [
    ("at", "time", _attr("at")),
    ("type", "str", _attr("type")),
    ("id", "int", _attr("id")),
    ("customer_id", "int", _attr("customer_id")),
    ("kind", "str", lambda r: getattr(r, "kind", None)),
    ("amount_minor", "nint", lambda r: r.amount.minor if isinstance(r, Order) else None),
    ("currency", "str", lambda r: r.amount.currency if isinstance(r, Order) else None),
    ("status", "str", lambda r: getattr(r, "status", None)),
    ("owner", "nint", lambda r: getattr(r, "owner", None)),
    ("outcome", "str", lambda r: getattr(r, "outcome", None)),
    ("text", "str", lambda r: getattr(r, "text", None)),
]

_ORDER_COLUMNS = [
    ("id", "int", _attr("id")),
    ("customer_id", "int", _attr("customer_id")),
    ("amount_minor", "int", lambda o: o.amount.minor),
    ("currency", "str", lambda o: o.amount.currency),
    ("ordered_at", "time", _attr("ordered_at")),
    ("status", "str", _attr("status")),
    ("external_ref", "str", _attr("external_ref")),
    ("items", "obj", lambda o: [i._asdict() for i in o.items]),
    ("created_at", "time", _attr("created_at")),
]

_ACTIVITY_COLUMNS = [
    ("id", "int", _attr("id")),
    ("customer_id", "int", _attr("customer_id")),
    ("kind", "str", _attr("kind")),
    ("at", "time", _attr("at")),
    ("owner", "nint", _attr("owner")),
    ("outcome", "str", _attr("outcome")),
    ("text", "str", _attr("text")),
    ("created_at", "time", _attr("created_at")),
]

_CHANGE_COLUMNS = [
    ("seq", "int", _attr("seq")),
    ("at", "time", _attr("at")),
    ("actor", "nint", _attr("actor")),
    ("origin", "str", _attr("origin")),
    ("entity", "str", _attr("entity")),
    ("entity_id", "int", _attr("entity_id")),
    ("op", "str", _attr("op")),
    ("fields", "obj", _attr("fields")),
    ("before", "obj", _attr("before")),
    ("after", "obj", _attr("after")),
]

_CONTACT_POINT_COLUMNS = [(n, k, _attr(n)) for n, k in [
    ("id", "int"), ("customer_id", "int"), ("kind", "str"), ("value", "str"), ("raw", "str"),
    ("label", "str"), ("primary", "bool"), ("opted_out", "bool"), ("invalid", "bool")]]

_FIELD_DEF_COLUMNS = [(n, k, _attr(n)) for n, k in [
    ("name", "str"), ("type", "str"), ("label", "str"), ("required", "bool"), ("unique", "bool"),
    ("indexed", "bool"), ("min", "float"), ("max", "float"), ("pattern", "str"), ("options", "obj"),
    ("currency", "str")]]


_SAVED_SEGMENT_COLUMNS = [(n, k, _attr(n)) for n, k in [
    ("id", "int"), ("name", "str"), ("kind", "str"), ("expression", "str"), ("description", "str"),
    ("created_at", "time"), ("updated_at", "time"), ("refreshed_at", "time"), ("history_from", "time"),
    ("members", "int")]]


def records_frame(records: Sequence[Any]):
    """A frame for a homogeneous (or timeline) list of records."""
    field_types = getattr(records, "_field_types", None)
    kinds = {type(r) for r in records}
    hint = getattr(records, "_kind", None)
    if hint == "timeline" or kinds == {Order, Activity}:
        return frame(records, _TIMELINE_COLUMNS)
    kind = hint or (next(iter(kinds)).__name__ if len(kinds) == 1 else None)
    if kind in ("Customer", Customer.__name__):
        return customers_frame(records, field_types)
    table = {
        "Order": _ORDER_COLUMNS,
        "Activity": _ACTIVITY_COLUMNS,
        "Change": _CHANGE_COLUMNS,
        "ContactPoint": _CONTACT_POINT_COLUMNS,
        "CustomFieldDef": _FIELD_DEF_COLUMNS,
        "SavedSegment": _SAVED_SEGMENT_COLUMNS,
    }
    if kind in table:
        return frame(records, table[kind])
    pd = pandas()
    return pd.DataFrame([r.to_dict() if hasattr(r, "to_dict") else r for r in records])

