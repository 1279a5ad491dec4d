"""The segment language in Python: :class:`Expr`, the builder :data:`F`, frames built from pandas
and :func:`segment`.

Everything here is a thin layer over the C++ engine (``rapport._core.Expr`` wraps
``rapport::SegmentExpr``, ``rapport._core.Frame`` a ``rapport::CustomerFrame``): Python operators
become calls of the C++ builder, and pandas columns become numpy arrays handed to C++ in one go.
Parsing, checking, evaluation and printing all happen in the core.
"""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
import json as _json
import math as _math
import numbers as _numbers
from typing import Any, Iterable, Mapping

from . import _core
from ._convert import EPOCH, UTC, to_micros
from ._errors import ValidationError

__all__ = ["Expr", "F", "Frame", "segment", "SEGMENT_FUNCTIONS", "SEGMENT_KINDS"]

#: The functions of the segment language (``F.<name>(...)`` builds a call of one of them).
SEGMENT_FUNCTIONS: tuple[str, ...] = (
    "days_since", "days_between", "now", "has_tag", "has_any_tag", "has_all_tags", "has_any", "has_all",
    "in_segment", "coalesce", "abs", "round", "floor", "ceil", "least", "greatest",
)

#: Kinds of saved segments, as the core spells them.
SEGMENT_KINDS: tuple[str, ...] = tuple(_core.SEGMENT_KINDS)

# rapport::ColumnType, by index.
_COLUMN_TYPES = ("category", "text", "set", "number", "time", "bool")

# Functions whose arguments (after the first, for has_any/has_all) are a list of text values: a
# Python list, tuple or set given there is spread into separate arguments.
_LIST_ARGS = {"has_any_tag": 0, "has_all_tags": 0, "has_any": 1, "has_all": 1}

_US_PER_HOUR = 3_600_000_000
_US_PER_DAY = 24 * _US_PER_HOUR
_ONE_US = _dt.timedelta(microseconds=1)

_BOOL_HINT = ("a segment expression has no truth value: combine conditions with & (and), | (or) and "
              "~ (not), in parentheses, e.g. (F.monetary > 5000) & F.has_tag(\"vip\"); for a range use "
              "F.x.between(lo, hi)")


def _is_numpy_bool(value: Any) -> bool:
    dtype = getattr(value, "dtype", None)
    return dtype is not None and getattr(dtype, "kind", None) == "b" and getattr(value, "ndim", 1) == 0


def _literal(value: Any) -> Any:
    """A Python value -> a _core.Expr literal (or the expression itself)."""
    if isinstance(value, Expr):
        return value._e
    if isinstance(value, bool) or _is_numpy_bool(value):
        return _core.Expr.bool(bool(value))
    if isinstance(value, (_numbers.Real, _decimal.Decimal)):
        number = float(value)
        if not _math.isfinite(number):
            raise ValidationError(f"number literal: must be finite, got {value!r}")
        return _core.Expr.number(number)
    if isinstance(value, str):
        return _core.Expr.text(value)
    if isinstance(value, _dt.datetime):  # before date: a datetime is a date
        raise TypeError(
            "a datetime is not a value of the segment language (it has no time-of-day literals): "
            "use a date, e.g. datetime.date(2025, 1, 31), or F.now() - datetime.timedelta(days=90)")
    if isinstance(value, _dt.date):
        return _core.Expr.date(value.year, value.month, value.day)
    if isinstance(value, _dt.timedelta):
        us = value // _ONE_US
        if us % _US_PER_DAY == 0:
            return _core.Expr.duration(us // _US_PER_DAY, "d")
        if us % _US_PER_HOUR == 0:
            return _core.Expr.duration(us // _US_PER_HOUR, "h")
        raise ValidationError(f"duration literal: a whole number of days or hours, got {value!r}")
    if value is None:
        raise TypeError("None is not a value of the segment language: test for a missing value with "
                        ".is_null() or .not_null()")
    if isinstance(value, _Function):
        raise TypeError(f"F.{value._name} is a function: call it, e.g. F.{value._name}(...)")
    if isinstance(value, (list, tuple, set, frozenset)):
        raise TypeError(f"a {type(value).__name__} is not a value of the segment language: "
                        f"test membership with .isin([...])")
    raise TypeError(f"{type(value).__name__} is not a value of the segment language "
                    f"(use int, float, Decimal, str, bool, datetime.date or datetime.timedelta)")


def _condition(value: Any, op: str) -> Any:
    """An operand of & or |: an expression or a bool."""
    if isinstance(value, Expr):
        return value._e
    if isinstance(value, bool) or _is_numpy_bool(value):
        return _core.Expr.bool(bool(value))
    raise TypeError(
        f"'{op}' combines conditions, got {type(value).__name__}: put comparisons in parentheses, "
        f"e.g. (F.monetary > 5000) {op} F.has_tag(\"vip\") (Python's {op} binds tighter than > and ==)")


class Expr:
    """A segment expression: ``Expr("monetary > 5000 and has_tag('vip')")`` parses the text form;
    the builder :data:`F` makes the same trees from Python operators.

    Operators build expressions: ``== != < <= > >=`` comparisons, ``& | ~`` and/or/not,
    ``+ - * /`` and unary ``-`` arithmetic. Hence ``==`` does not compare trees (use
    :meth:`same_as`) and an expression has no truth value (``a and b`` raises TypeError).
    Immutable; picklable (as its JSON form).
    """

    __slots__ = ("_e",)
    MAX_DEPTH: int = _core.Expr.MAX_DEPTH
    __hash__ = None  # type: ignore[assignment]  # == builds an expression
    __array_ufunc__ = None  # numpy scalars defer to Expr: np.int64(5) < F.x builds x > 5

    def __init__(self, text: "str | Expr") -> None:
        if isinstance(text, Expr):
            self._e = text._e
        elif isinstance(text, (str, bytes)):
            self._e = _core.Expr.parse(text)
        else:
            raise TypeError(f"Expr: expected the text form (str) or an Expr, got {type(text).__name__}")

    @classmethod
    def _wrap(cls, e: Any) -> "Expr":
        # Builder chains grow without a parser to bound them; refusing here keeps every Expr printable.
        if e.depth > _core.Expr.MAX_DEPTH:
            raise ValidationError(f"expression nested too deeply ({e.depth} levels, at most {_core.Expr.MAX_DEPTH})")
        out = cls.__new__(cls)
        out._e = e
        return out

    # -- forms ----------------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> "Expr":
        """Parses the text form. A syntax error raises ValidationError whose message reads
        ``"<line>:<column>: <problem>"`` followed by the line and a caret."""
        return cls._wrap(_core.Expr.parse(text))

    @classmethod
    def from_json(cls, json: "str | bytes | Mapping[str, Any] | list | float | bool") -> "Expr":
        """Reads the JSON form (text, or the parsed JSON value)."""
        if not isinstance(json, (str, bytes)):
            json = _json.dumps(json, ensure_ascii=False)
        return cls._wrap(_core.Expr.from_json(json))

    def to_text(self) -> str:
        """The canonical text form (parsing it gives the same tree)."""
        return self._e.to_text()

    def to_json(self) -> str:
        """The JSON form, as text."""
        return self._e.to_json()

    def __str__(self) -> str:
        return self._e.to_text()

    def __repr__(self) -> str:
        return f"Expr({self._e.to_text()!r})"

    def same_as(self, other: "Expr | str") -> bool:
        """Structural equality: the same tree (where it was written is ignored). A str is parsed."""
        if isinstance(other, (str, bytes)):
            other = Expr.parse(other)
        if not isinstance(other, Expr):
            raise TypeError(f"same_as: expected an Expr or str, got {type(other).__name__}")
        return self._e.same_as(other._e)

    @property
    def depth(self) -> int:
        """Levels from the root to the deepest leaf; at most ``Expr.MAX_DEPTH`` (200)."""
        return self._e.depth

    def fields(self) -> list[str]:
        """The field names the expression reads, sorted."""
        return self._e.fields()

    def segments_referenced(self) -> list[str]:
        """The saved segments named in ``in_segment(...)``, sorted."""
        return self._e.segments_referenced()

    def __reduce__(self):
        return (Expr.from_json, (self.to_json(),))

    def __copy__(self) -> "Expr":
        return self

    def __deepcopy__(self, memo: Any) -> "Expr":
        return self

    def __bool__(self) -> bool:
        raise TypeError(_BOOL_HINT)

    # -- comparisons ----------------------------------------------------------------------------
    def __eq__(self, other: Any) -> "Expr":  # type: ignore[override]
        return Expr._wrap(self._e.eq(_literal(other)))

    def __ne__(self, other: Any) -> "Expr":  # type: ignore[override]
        return Expr._wrap(self._e.ne(_literal(other)))

    def __lt__(self, other: Any) -> "Expr":
        return Expr._wrap(self._e.lt(_literal(other)))

    def __le__(self, other: Any) -> "Expr":
        return Expr._wrap(self._e.le(_literal(other)))

    def __gt__(self, other: Any) -> "Expr":
        return Expr._wrap(self._e.gt(_literal(other)))

    def __ge__(self, other: Any) -> "Expr":
        return Expr._wrap(self._e.ge(_literal(other)))

    def isin(self, values: Iterable[Any]) -> "Expr":
        """``x in (v1, v2, ...)``: values are literals (numbers, text or dates)."""
        if isinstance(values, (str, bytes, Expr)) or not hasattr(values, "__iter__"):
            raise TypeError(f"isin: expected a list of values, got {type(values).__name__}")
        items = sorted(values) if isinstance(values, (set, frozenset)) else list(values)
        if not items:
            raise ValidationError("isin: needs at least one value")
        return Expr._wrap(self._e.isin([_literal(v) for v in items]))

    def between(self, low: Any, high: Any) -> "Expr":
        """``x between low and high`` (both ends included)."""
        return Expr._wrap(self._e.between(_literal(low), _literal(high)))

    def is_null(self) -> "Expr":
        """``x is null``: the value is missing (an empty set counts as missing)."""
        return Expr._wrap(self._e.is_null())

    def not_null(self) -> "Expr":
        """``x is not null``."""
        return Expr._wrap(self._e.is_null().not_())

    def contains(self, text: Any) -> "Expr":
        return Expr._wrap(self._e.contains(_literal(text)))

    def startswith(self, text: Any) -> "Expr":
        return Expr._wrap(self._e.starts_with(_literal(text)))

    def endswith(self, text: Any) -> "Expr":
        return Expr._wrap(self._e.ends_with(_literal(text)))

    starts_with = startswith
    ends_with = endswith

    # -- logic ----------------------------------------------------------------------------------
    def __and__(self, other: Any) -> "Expr":
        return Expr._wrap(self._e.and_(_condition(other, "&")))

    def __rand__(self, other: Any) -> "Expr":
        return Expr._wrap(_condition(other, "&").and_(self._e))

    def __or__(self, other: Any) -> "Expr":
        return Expr._wrap(self._e.or_(_condition(other, "|")))

    def __ror__(self, other: Any) -> "Expr":
        return Expr._wrap(_condition(other, "|").or_(self._e))

    def __invert__(self) -> "Expr":
        return Expr._wrap(self._e.not_())

    # -- arithmetic -----------------------------------------------------------------------------
    def __add__(self, other: Any) -> "Expr":
        return Expr._wrap(self._e.plus(_literal(other)))

    def __radd__(self, other: Any) -> "Expr":
        return Expr._wrap(_literal(other).plus(self._e))

    def __sub__(self, other: Any) -> "Expr":
        return Expr._wrap(self._e.minus(_literal(other)))

    def __rsub__(self, other: Any) -> "Expr":
        return Expr._wrap(_literal(other).minus(self._e))

    def __mul__(self, other: Any) -> "Expr":
        return Expr._wrap(self._e.times(_literal(other)))

    def __rmul__(self, other: Any) -> "Expr":
        return Expr._wrap(_literal(other).times(self._e))

    def __truediv__(self, other: Any) -> "Expr":
        return Expr._wrap(self._e.divided_by(_literal(other)))

    def __rtruediv__(self, other: Any) -> "Expr":
        return Expr._wrap(_literal(other).divided_by(self._e))

    def __neg__(self) -> "Expr":
        return Expr._wrap(self._e.negated())

    def __pos__(self) -> "Expr":
        return self

    def __abs__(self) -> "Expr":
        return Expr._wrap(_core.Expr.call("abs", [self._e]))

    def __round__(self, ndigits: Any = None) -> "Expr":
        if ndigits is not None:
            raise TypeError("round(expr, ndigits): the segment language rounds to whole numbers only")
        return Expr._wrap(_core.Expr.call("round", [self._e]))

    def __floor__(self) -> "Expr":
        return Expr._wrap(_core.Expr.call("floor", [self._e]))

    def __ceil__(self) -> "Expr":
        return Expr._wrap(_core.Expr.call("ceil", [self._e]))


def _call_args(name: str, args: tuple) -> list:
    spread_from = _LIST_ARGS.get(name)
    out = []
    for i, a in enumerate(args):
        if spread_from is not None and i >= spread_from and isinstance(a, (list, tuple, set, frozenset)):
            out.extend(_literal(v) for v in (sorted(a) if isinstance(a, (set, frozenset)) else a))
        else:
            out.append(_literal(a))
    return out


class _Function:
    """``F.<function>``: calling it builds a call expression."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __call__(self, *args: Any) -> Expr:
        return Expr._wrap(_core.Expr.call(self._name, _call_args(self._name, args)))

    def __repr__(self) -> str:
        return f"<segment function {self._name}>"

    def __bool__(self) -> bool:
        raise TypeError(f"F.{self._name} is a function: call it, e.g. F.{self._name}(...)")


class _Builder:
    """The expression builder (:data:`rapport.F`): ``F.monetary`` is the field ``monetary``,
    ``F.has_tag("vip")`` a call of a function of the language, ``F["field name"]`` or
    ``F.field("round")`` any field (also one named like a function or not an identifier).

    Field names are taken exactly as written (like ```name``` in the text form, where unquoted
    names are lower-cased)."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in SEGMENT_FUNCTIONS:
            return _Function(name)
        return Expr._wrap(_core.Expr.field(name))

    def __getitem__(self, name: str) -> Expr:
        return self.field(name)

    def field(self, name: str) -> Expr:
        """The field ``name``."""
        if not isinstance(name, str):
            raise TypeError(f"field name: expected str, got {type(name).__name__}")
        return Expr._wrap(_core.Expr.field(name))

    def lit(self, value: Any) -> Expr:
        """A literal: a number, text, bool, ``datetime.date`` or ``datetime.timedelta``."""
        return Expr._wrap(_literal(value))

    def __dir__(self) -> list[str]:
        return sorted(SEGMENT_FUNCTIONS + ("field", "lit"))

    def __repr__(self) -> str:
        return "rapport.F"


#: The expression builder: ``(F.monetary > 5000) & F.has_tag("vip")``.
F = _Builder()


def as_expr(expr: Any, what: str = "expr") -> Any:
    """An Expr or text form -> a _core.Expr."""
    if isinstance(expr, Expr):
        return expr._e
    if isinstance(expr, (str, bytes)):
        return _core.Expr.parse(expr)
    raise TypeError(f"{what}: expected a segment expression (str or rapport.Expr), got {type(expr).__name__}")


def as_of_micros(value: Any, what: str = "as_of") -> int | None:
    """None, an aware datetime / pandas Timestamp, or a date (midnight UTC) -> microseconds."""
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return to_micros(value, what)
    if isinstance(value, _dt.date):
        return to_micros(_dt.datetime(value.year, value.month, value.day, tzinfo=UTC), what)
    raise TypeError(f"{what}: expected a timezone-aware datetime or a date, got {type(value).__name__}")


# ------------------------------------------------------------------------------------- frames

def _numpy():
    import numpy as np

    return np


def _pandas():
    from ._frames import pandas

    return pandas()


def id_array(ids: Any, what: str = "ids"):
    """Customer ids (an int or an iterable / array of ints) -> a numpy int64 array."""
    np = _numpy()
    if isinstance(ids, bool):
        raise TypeError(f"{what}: expected ints, got bool")
    if isinstance(ids, _numbers.Integral):
        return np.array([int(ids)], dtype=np.int64)
    if isinstance(ids, (str, bytes)):
        raise TypeError(f"{what}: expected ints, got {type(ids).__name__}")
    arr = np.asarray(ids if hasattr(ids, "__len__") or hasattr(ids, "dtype") else list(ids))
    if arr.ndim != 1:
        if arr.ndim == 0 or arr.size == 0:
            arr = arr.reshape(-1)
        else:
            raise ValidationError(f"{what}: expected a flat list of ids")
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{what}: expected ints, got {arr.dtype}")
    return arr.astype(np.int64, copy=False)


def _time_unit(dtype) -> tuple[int, int]:
    """(mul, div) turning datetime64 integers of `dtype`'s unit into microseconds."""
    np = _numpy()
    unit, count = np.datetime_data(dtype)
    per_us = {"D": (86_400_000_000, 1), "h": (3_600_000_000, 1), "m": (60_000_000, 1), "s": (1_000_000, 1),
              "ms": (1000, 1), "us": (1, 1), "ns": (1, 1000)}
    if unit not in per_us:
        raise ValidationError(f"datetime64 unit {unit!r} is not supported")
    mul, div = per_us[unit]
    return mul * count, div


def _time_values(s, name: str):
    """A datetime64 series -> (int64 array, mul, div). Naive times are refused."""
    pd = _pandas()
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        values = s.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
    else:
        raise _NaiveTimes(
            f"naive datetime64 values; rapport does not guess a time zone "
            f"(localize them, e.g. df[{name!r}].dt.tz_localize('UTC'))")
    mul, div = _time_unit(values.dtype)
    return values.view("int64"), mul, div


def _is_missing(v: Any) -> bool:
    if v is None:
        return True
    try:
        return bool(v != v)  # NaN, NaT, pd.NA (raises)
    except (TypeError, ValueError):
        return True


class _Unsupported(TypeError):
    """A column the frame leaves out (raised, as this class, when an expression reads it)."""


class _NaiveTimes(_Unsupported):
    """Naive times: a ValidationError when an expression reads the column."""


def _add_object_column(frame: Any, name: str, s) -> None:
    """An object (or string) column: text, bools, numbers, dates, aware datetimes or sets."""
    np = _numpy()
    pd = _pandas()
    inferred = pd.api.types.infer_dtype(s, skipna=True)
    if inferred in ("string", "empty"):
        codes, uniques = pd.factorize(s)
        frame.add_category(name, codes.astype(np.int32), list(uniques))
    elif inferred == "boolean":
        frame.add_bool(name, s.astype("boolean").astype("Int8").fillna(-1).to_numpy(dtype=np.int8))
    elif inferred in ("integer", "floating", "mixed-integer-float", "decimal"):
        frame.add_number(name, pd.to_numeric(s).to_numpy(dtype=np.float64, na_value=np.nan))
    elif inferred == "date":
        times = pd.to_datetime(s).dt.tz_localize("UTC")  # a date is its midnight UTC, as date literals are
        frame.add_time(name, *_time_values(times, name))
    elif inferred == "datetime":
        if any(v.tzinfo is None or v.utcoffset() is None for v in s if not _is_missing(v)):
            raise _NaiveTimes("naive datetime values; rapport does not guess a time zone")
        frame.add_time(name, *_time_values(pd.to_datetime(s, utc=True), name))
    elif inferred == "mixed":
        offsets = np.zeros(len(s) + 1, dtype=np.int64)
        flat: list = []
        for i, v in enumerate(s):
            if isinstance(v, (list, tuple, set, frozenset, np.ndarray)):
                items = sorted(v) if isinstance(v, (set, frozenset)) else list(v)
                if not all(isinstance(x, str) for x in items):
                    raise _Unsupported("sets must hold text")
                flat.extend(items)
                offsets[i + 1] = len(items)
            elif not _is_missing(v):
                raise _Unsupported(f"values of type {type(v).__name__} (a set column holds lists of text)")
        np.cumsum(offsets, out=offsets)
        if flat:
            codes, uniques = pd.factorize(np.array(flat, dtype=object))
        else:
            codes, uniques = np.zeros(0, dtype=np.int64), []
        frame.add_set(name, offsets, codes.astype(np.int32), list(uniques))
    else:
        raise _Unsupported(f"values of type {inferred}")


def _add_column(frame: Any, name: str, s) -> None:
    np = _numpy()
    pd = _pandas()
    types = pd.api.types
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        if types.infer_dtype(dtype.categories, skipna=True) in ("string", "empty"):
            frame.add_category(name, s.cat.codes.to_numpy(dtype=np.int32), list(dtype.categories))
            return
        s = s.astype(object)
        dtype = s.dtype
    if types.is_bool_dtype(dtype):
        frame.add_bool(name, s.astype("boolean").astype("Int8").fillna(-1).to_numpy(dtype=np.int8))
    elif types.is_datetime64_any_dtype(dtype):
        frame.add_time(name, *_time_values(s, name))
    elif types.is_timedelta64_dtype(dtype) or types.is_complex_dtype(dtype):
        raise _Unsupported(f"{dtype} values")
    elif types.is_numeric_dtype(dtype):
        frame.add_number(name, s.to_numpy(dtype=np.float64, na_value=np.nan))
    elif types.is_object_dtype(dtype) or types.is_string_dtype(dtype):
        _add_object_column(frame, name, s)
    else:
        raise _Unsupported(f"{dtype} values")


class Frame:
    """Customers as columns for the segment engine (a ``rapport::CustomerFrame``): build one from
    pandas with :meth:`from_pandas` (or load one with ``Database.load_customer_frame()``), then
    evaluate any number of expressions with :meth:`segment`.

    Column types: numbers (any numeric dtype, NaN missing) -> number; text (object/string, or a
    categorical of text; dictionary-encoded by ``pandas.factorize``) -> text; bool or nullable
    ``boolean`` -> bool; timezone-aware ``datetime64`` (NaT missing), aware datetimes or dates
    (midnight UTC) -> time; lists/sets of text (None or empty: missing) -> set. Columns of other types
    are left out; reading one in an expression raises TypeError naming it.
    """

    __slots__ = ("_f", "_skipped")

    def __init__(self, handle: Any, skipped: dict[str, _Unsupported] | None = None) -> None:
        self._f = handle
        self._skipped = dict(skipped or {})

    @classmethod
    def from_pandas(cls, customers: Any, *, orders: Any = None, customer: str = "customer_id",
                    at: str = "ordered_at", amount: str = "amount", columns: Iterable[str] | None = None) -> "Frame":
        """A frame of a customers DataFrame (one row per customer). Ids are the ``id`` column, or
        else the index (integers, distinct). ``columns`` limits the columns taken.

        With ``orders`` (a DataFrame with one row per order: ``customer`` id, time ``at``, number
        ``amount``), the order metrics frequency, monetary, aov, first_order_at, last_order_at and
        mean_interpurchase_days are computed (replacing columns of those names); orders of customers
        not in ``customers`` and orders without a time (NaT) are ignored, a missing amount is an
        error."""
        pd = _pandas()
        if not isinstance(customers, pd.DataFrame):
            raise TypeError(f"customers: expected a pandas DataFrame, got {type(customers).__name__}")
        has_id = "id" in customers.columns
        ids = id_array(_ids_of(customers["id"] if has_id else customers.index.to_series(), "id"), "id")
        handle = _core.Frame(ids)
        skipped: dict[str, _Unsupported] = {}
        wanted = None if columns is None else list(columns)
        if wanted is not None:
            missing = [c for c in wanted if c not in customers.columns]
            if missing:
                raise ValidationError(f"columns: not in the DataFrame: {missing}")
        for name in (customers.columns if wanted is None else wanted):
            if has_id and name == "id":
                continue
            if not isinstance(name, str):
                skipped[str(name)] = _Unsupported("column names must be text")
                continue
            s = customers[name]
            if isinstance(s, pd.DataFrame):
                raise ValidationError(f"column {name!r}: appears more than once")
            try:
                _add_column(handle, name, s)
            except _Unsupported as e:
                skipped[name] = e
        if orders is not None:
            _add_orders(handle, orders, customer, at, amount)
        return cls(handle, skipped)

    @property
    def rows(self) -> int:
        return self._f.rows

    def __len__(self) -> int:
        return self._f.rows

    @property
    def ids(self):
        """The customer ids, ascending (numpy int64)."""
        return self._f.ids()

    @property
    def columns(self) -> dict[str, str]:
        """Column name -> type (category, text, set, number, time, bool)."""
        return {name: _COLUMN_TYPES[t] for name, t in self._f.schema()}

    @property
    def bytes(self) -> int:
        """Memory the frame holds, in bytes: its arrays, strings and the indexes its evaluations built."""
        return self._f.bytes

    @property
    def skipped(self) -> dict[str, str]:
        """Columns left out of the frame, and why."""
        return {name: str(e) for name, e in self._skipped.items()}

    def segment(self, expr: "Expr | str", as_of: Any = None, *, segments: Mapping[str, Any] | None = None,
                threads: int = 0):
        """The ids (ascending, numpy int64) of the customers for which ``expr`` holds.

        ``as_of`` is "now" for days_since, now(), recency_days and tenure_days (an aware datetime
        or a date; required when the expression uses time). ``segments`` maps names to member ids
        for ``in_segment(name)``. ``threads``: 0 uses every core."""
        e = as_expr(expr)
        for name in e.fields():
            if name in self._skipped:
                problem = self._skipped[name]
                cls = ValidationError if isinstance(problem, _NaiveTimes) else TypeError
                raise cls(f"column {name!r} cannot be used in a segment: {problem}")
        members = None
        if segments is not None:
            members = {name: id_array(ids, f"segments[{name!r}]") for name, ids in segments.items()}
        return self._f.evaluate(e, as_of_micros(as_of), members, int(threads))

    def to_pandas(self, ids: Any = None):
        """The frame (or the rows of ``ids``) as a DataFrame: ``id`` first, then every column.
        Numbers are float64, times datetime64 UTC, bools nullable ``boolean``, text categorical or
        object, sets lists."""
        return columns_to_pandas(*self._f.columns(None if ids is None else id_array(ids)))

    def __repr__(self) -> str:
        return f"<rapport.Frame {self.rows} rows, {len(self.columns)} columns>"


def _ids_of(s, what: str):
    pd = _pandas()
    if s.isna().any():
        raise ValidationError(f"{what}: missing values")
    if pd.api.types.is_float_dtype(s.dtype):
        if not (s == s.round()).all():
            raise ValidationError(f"{what}: expected integer ids")
        return s.to_numpy(dtype="int64")
    if pd.api.types.is_object_dtype(s.dtype) and pd.api.types.infer_dtype(s) in ("integer", "empty"):
        return s.to_numpy(dtype="int64")
    if pd.api.types.is_extension_array_dtype(s.dtype) and pd.api.types.is_integer_dtype(s.dtype):
        return s.to_numpy(dtype="int64")
    return s.to_numpy()


def _add_orders(handle: Any, orders: Any, customer: str, at: str, amount: str, *, keep: bool = False) -> None:
    """Computes the order metrics into ``handle``, or with ``keep`` hands the orders to it for
    evaluate() to aggregate only the customers it needs."""
    np = _numpy()
    pd = _pandas()
    if not isinstance(orders, pd.DataFrame):
        raise TypeError(f"orders: expected a pandas DataFrame, got {type(orders).__name__}")
    for role, name in (("customer", customer), ("at", at), ("amount", amount)):
        if name not in orders.columns:
            raise ValidationError(f"orders: no column {name!r} (pass {role}=<column name>)")
    customers = id_array(_ids_of(orders[customer], f"orders: column {customer!r}"), f"orders: column {customer!r}")
    times = orders[at]
    if not pd.api.types.is_datetime64_any_dtype(times.dtype):
        times = pd.to_datetime(times, utc=True) if pd.api.types.infer_dtype(times, skipna=True) == "datetime" \
            and all(v.tzinfo is not None for v in times if not _is_missing(v)) else None
        if times is None:
            raise ValidationError(f"orders: column {at!r}: expected timezone-aware times")
    try:
        values, mul, div = _time_values(times, at)
    except _NaiveTimes as e:
        raise ValidationError(f"orders: column {at!r}: {e}") from None
    amounts = pd.to_numeric(orders[amount]).to_numpy(dtype=np.float64, na_value=np.nan)
    (handle.keep_orders if keep else handle.add_orders)(customers, values, mul, div, amounts, amount)


def columns_to_pandas(ids: Any, columns: list):
    """(ids, [(name, kind, data, extra)]) from _core.Frame.columns -> a DataFrame."""
    np = _numpy()
    pd = _pandas()
    from ._frames import _non_nano

    data = {"id": pd.Series(ids, dtype="int64")}
    for name, kind, values, extra in columns:
        if kind == "number":
            col = pd.Series(values, dtype="float64")
        elif kind == "time":
            col = pd.Series(values.view("datetime64[us]").astype("datetime64[ns]")).dt.tz_localize("UTC")
            if _non_nano(pd):
                col = col.astype("datetime64[us, UTC]")
        elif kind == "bool":
            col = pd.Series(pd.array(np.where(values < 0, None, values == 1).tolist(), dtype="boolean"))
        elif kind == "category":
            col = pd.Series(pd.Categorical.from_codes(values, categories=pd.Index(extra, dtype=object)))
        else:  # text, set
            col = pd.Series(values, dtype=object)
        data[name if name != "id" else "custom.id"] = col
    return pd.DataFrame(data)


def segment(data: Any, expr: "Expr | str", as_of: Any = None, *, orders: Any = None, customer: str = "customer_id",
            at: str = "ordered_at", amount: str = "amount", segments: Mapping[str, Any] | None = None,
            threads: int = 0):
    """The ids (numpy int64, ascending) of the customers in ``data`` for which ``expr`` holds.

    ``data`` is a pandas DataFrame of customers (see :meth:`Frame.from_pandas` for ids, column
    types and ``orders``) or a :class:`Frame`; ``expr`` the text form or an :class:`Expr`. Missing
    values follow the language: a comparison with a missing value is false, ``!=`` and ``not`` are
    the exact negations of ``=`` and of the condition."""
    if isinstance(data, Frame):
        if orders is not None:
            raise ValidationError("orders: give them to Frame.from_pandas (the frame is already built)")
        frame = data
    else:
        frame = Frame.from_pandas(data)
        if orders is not None:
            # Only the customers the other conditions keep get their orders aggregated.
            _add_orders(frame._f, orders, customer, at, amount, keep=True)
    return frame.segment(expr, as_of, segments=segments, threads=threads)
