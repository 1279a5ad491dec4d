"""Value and record types returned by rapport. Records are plain Python objects (no live link to the
database): read them, compare them, turn them into dicts or pandas frames."""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
from typing import Any, Iterator, NamedTuple

from ._errors import ValidationError

__all__ = [
    "Money",
    "ExternalId",
    "ContactPoint",
    "Customer",
    "CustomerPage",
    "CustomFieldDef",
    "ContactRole",
    "OrderItem",
    "Order",
    "Activity",
    "Change",
    "ImportRowError",
    "ImportReport",
    "RecordList",
    "SavedSegment",
    "SegmentDelta",
]

def minor_digits(currency: str) -> int:
    """Digits after the decimal point of `currency` (ISO 4217, from the core's ICU data);
    ValidationError for an unknown code."""
    from . import _core  # the extension; imported late so this module loads first

    return _core.currency_digits(currency)


class Money:
    """An amount in minor units of an ISO 4217 currency: ``Money(1234, "CNY")`` is 12.34 yuan.
    Never floating point. ``Money.parse("12.34", "CNY")`` converts from major units."""

    __slots__ = ("minor", "currency")

    def __init__(self, minor: int, currency: str) -> None:
        if isinstance(minor, bool) or not isinstance(minor, int):
            raise TypeError(f"Money.minor: expected int, got {type(minor).__name__}")
        if not isinstance(currency, str):
            raise TypeError(f"Money.currency: expected str, got {type(currency).__name__}")
        object.__setattr__(self, "minor", minor)
        object.__setattr__(self, "currency", currency)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Money is immutable")

    @classmethod
    def parse(cls, amount: Any, currency: str) -> "Money":
        """Major units (``"12.34"``, ``Decimal("12.34")`` or ``12``) -> Money. Floats are refused;
        more decimals than the currency has are a ValidationError."""
        if isinstance(amount, float):
            raise ValidationError("amount: floats are not accepted for money; pass a str or Decimal")
        if isinstance(amount, bool):
            raise TypeError("amount: expected str, Decimal or int, got bool")
        if not isinstance(currency, str):
            raise TypeError(f"currency: expected str, got {type(currency).__name__}")
        if isinstance(amount, _decimal.Decimal):
            if not amount.is_finite():
                raise ValidationError(f"amount: {amount!r} is not a finite number")
            text = format(amount, "f")
        elif isinstance(amount, int):
            text = str(amount)
        elif isinstance(amount, str):
            text = amount.strip()
        else:
            raise TypeError(f"amount: expected str, Decimal or int, got {type(amount).__name__}")
        from . import _core  # the extension; imported late so this module loads first

        return cls(_core.parse_money(text, currency), currency)

    @property
    def amount(self) -> _decimal.Decimal:
        """The amount in major units, as an exact Decimal."""
        return _decimal.Decimal(self.minor).scaleb(-minor_digits(self.currency))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.minor == other.minor and self.currency == other.currency

    def __hash__(self) -> int:
        return hash((self.minor, self.currency))

    def __repr__(self) -> str:
        return f"Money({self.minor}, {self.currency!r})"

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


class ExternalId(NamedTuple):
    """A record's key in another system."""

    system: str
    key: str


class ContactRole(NamedTuple):
    """A person's role at an organisation."""

    organization: int
    person: int
    role: str


class _Record:
    """Base of the record classes: attributes listed in ``_fields``."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()
    _repr_fields: tuple[str, ...] = ()

    def _set(self, **values: Any) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def to_dict(self) -> dict[str, Any]:
        """The record as a plain dict (nested records as dicts too)."""
        return {name: _plain(getattr(self, name)) for name in self._fields}

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in self._fields)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        inner = ", ".join(f"{f}={getattr(self, f)!r}" for f in self._repr_fields or self._fields)
        return f"{type(self).__name__}({inner})"


def _plain(value: Any) -> Any:
    if isinstance(value, _Record):
        return value.to_dict()
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return dict(value._asdict())
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class RecordList(list):
    """A list of records with :meth:`to_pandas`."""

    def to_pandas(self):
        """A pandas DataFrame with one row per record and typed columns (pandas imported lazily)."""
        from ._frames import records_frame

        return records_frame(self)


class ContactPoint(_Record):
    """An email address or phone number of a customer, normalised (``value``) and as given (``raw``)."""

    __slots__ = ("id", "customer_id", "kind", "value", "raw", "label", "primary", "opted_out", "invalid")
    _fields = __slots__
    _repr_fields = ("id", "kind", "value", "primary")

    @classmethod
    def _from_core(cls, d: dict) -> "ContactPoint":
        cp = cls.__new__(cls)
        cp._set(id=d["id"], customer_id=d["customer"], kind=d["kind"], value=d["value"], raw=d["raw"],
                label=d["label"], primary=d["primary"], opted_out=d["opted_out"], invalid=d["invalid"])
        return cp


CORE_FIELDS = ("kind", "name", "industry", "region", "size", "source", "owner", "birthday", "lifecycle_stage")


class Customer(_Record):
    """A person or organisation as stored, with its contact points, tags, external ids and custom
    field values (``custom``). Times are UTC-aware datetimes; ``birthday`` is a ``datetime.date``."""

    __slots__ = ("id", "kind", "name", "industry", "region", "size", "source", "owner", "birthday",
                 "lifecycle_stage", "created_at", "updated_at", "deleted_at", "version", "custom",
                 "contact_points", "tags", "external_ids")
    _fields = __slots__
    _repr_fields = ("id", "kind", "name", "version")

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def emails(self) -> list[str]:
        return [cp.value for cp in self.contact_points if cp.kind == "email"]

    @property
    def phones(self) -> list[str]:
        return [cp.value for cp in self.contact_points if cp.kind == "phone"]

    def get(self, field: str, default: Any = None) -> Any:
        """A core or custom field by name."""
        if field in CORE_FIELDS or field in ("id", "version", "created_at", "updated_at", "deleted_at"):
            value = getattr(self, field)
        else:
            value = self.custom.get(field)
        return default if value is None else value

    def __getitem__(self, field: str) -> Any:
        if field in CORE_FIELDS or field in self._fields:
            return getattr(self, field)
        return self.custom[field]

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d["deleted"] = self.deleted
        return d

    def __repr__(self) -> str:
        extra = ", deleted=True" if self.deleted else ""
        return (f"Customer(id={self.id}, kind={self.kind!r}, name={self.name!r}, "
                f"version={self.version}{extra})")


class CustomerPage:
    """One page of :meth:`Database.search_customers`: iterable; ``next`` is the ``after`` value for
    the following page (None at the end)."""

    __slots__ = ("customers", "next")

    def __init__(self, customers: RecordList, next: int | None) -> None:
        self.customers = customers
        self.next = next

    def __iter__(self) -> Iterator[Customer]:
        return iter(self.customers)

    def __len__(self) -> int:
        return len(self.customers)

    def __getitem__(self, i):
        return self.customers[i]

    def __bool__(self) -> bool:
        return bool(self.customers)

    def to_pandas(self):
        return self.customers.to_pandas()

    def __repr__(self) -> str:
        return f"CustomerPage({len(self.customers)} customers, next={self.next!r})"


class CustomFieldDef(_Record):
    """A custom field definition."""

    __slots__ = ("name", "type", "label", "required", "unique", "indexed", "min", "max", "pattern",
                 "options", "currency")
    _fields = __slots__
    _repr_fields = ("name", "type", "required", "unique", "indexed")

    @classmethod
    def _from_core(cls, d: dict) -> "CustomFieldDef":
        f = cls.__new__(cls)
        f._set(**{k: d[k] for k in cls._fields})
        return f


class OrderItem(NamedTuple):
    """One line of an order; ``unit_price_minor`` is in the order's currency."""

    sku: str
    name: str = ""
    quantity: int = 1
    unit_price_minor: int = 0


class Order(_Record):
    """An order of a customer. ``amount`` is a :class:`Money`; ``at`` is ``ordered_at``."""

    __slots__ = ("id", "customer_id", "amount", "ordered_at", "status", "external_ref", "items",
                 "created_at")
    _fields = __slots__
    _repr_fields = ("id", "customer_id", "amount", "ordered_at", "status")
    type = "order"

    @property
    def at(self) -> _dt.datetime:
        return self.ordered_at

    @classmethod
    def _from_core(cls, d: dict, from_micros) -> "Order":
        o = cls.__new__(cls)
        o._set(id=d["id"], customer_id=d["customer"], amount=Money(d["amount_minor"], d["currency"]),
               ordered_at=from_micros(d["ordered_at"]), status=d["status"], external_ref=d["external_ref"],
               items=[OrderItem(*i) for i in d["items"]], created_at=from_micros(d["created_at"]))
        return o


class Activity(_Record):
    """A call, visit, email, note or message on a customer's timeline."""

    __slots__ = ("id", "customer_id", "kind", "at", "owner", "outcome", "text", "created_at")
    _fields = __slots__
    _repr_fields = ("id", "customer_id", "kind", "at")
    type = "activity"

    @classmethod
    def _from_core(cls, d: dict, from_micros) -> "Activity":
        a = cls.__new__(cls)
        a._set(id=d["id"], customer_id=d["customer"], kind=d["kind"], at=from_micros(d["at"]),
               owner=d["owner"], outcome=d["outcome"], text=d["text"], created_at=from_micros(d["created_at"]))
        return a


class Change(_Record):
    """One entry of the change feed. ``before``/``after`` are dicts of the changed fields (None when
    absent, e.g. ``before`` of a create, or after a purge redacted them)."""

    __slots__ = ("seq", "at", "actor", "origin", "entity", "entity_id", "op", "fields", "before", "after")
    _fields = __slots__
    _repr_fields = ("seq", "entity", "entity_id", "op", "actor", "origin")


class ImportRowError(NamedTuple):
    """A rejected CSV row: 1-based data row (the header is row 0), the field and why."""

    row: int
    field: str
    reason: str


class ImportReport(_Record):
    """What :meth:`Database.import_csv` did. ``committed`` is False when nothing was written
    (all_or_nothing rejected the file, or the progress callback cancelled)."""

    __slots__ = ("rows", "created", "updated", "failed", "errors", "committed")
    _fields = __slots__
    _repr_fields = ("rows", "created", "updated", "failed", "committed")

    def errors_to_pandas(self):
        from ._frames import pandas

        pd = pandas()
        return pd.DataFrame(
            {
                "row": pd.Series([e.row for e in self.errors], dtype="int64"),
                "field": pd.Series([e.field for e in self.errors], dtype=object),
                "reason": pd.Series([e.reason for e in self.errors], dtype=object),
            }
        )



class SavedSegment(_Record):
    """A saved segment: a dynamic segment (an ``expression``, materialised by
    ``Database.refresh_segment``), or a static or suppression list (explicit members).
    ``expression`` is the canonical text form ("" for lists); ``members`` the current count;
    ``refreshed_at`` the ``as_of`` of the last refresh (dynamic only); membership as of times before
    ``history_from`` is unknown. ``order_statuses`` and ``currency`` say which orders a dynamic
    segment's order metrics count at every refresh (``currency`` "": the one the orders use)."""

    __slots__ = ("id", "name", "kind", "expression", "description", "order_statuses", "currency",
                 "created_at", "updated_at", "refreshed_at", "history_from", "members")
    _fields = __slots__
    _repr_fields = ("name", "kind", "expression", "members")

    @property
    def expr(self):
        """The expression as a :class:`rapport.Expr` (None for lists)."""
        if not self.expression:
            return None
        from ._segments import Expr

        return Expr.parse(self.expression)

    @classmethod
    def _from_core(cls, d: dict, from_micros) -> "SavedSegment":
        s = cls.__new__(cls)
        s._set(id=d["id"], name=d["name"], kind=d["kind"], expression=d["expression"],
               description=d["description"], order_statuses=list(d["order_statuses"]),
               currency=d["currency"], created_at=from_micros(d["created_at"]),
               updated_at=from_micros(d["updated_at"]),
               refreshed_at=None if d["refreshed_at"] is None else from_micros(d["refreshed_at"]),
               history_from=None if d["history_from"] is None else from_micros(d["history_from"]),
               members=d["members"])
        return s


class SegmentDelta(_Record):
    """What a refresh of a dynamic segment changed: customers who ``entered`` and who ``left``
    (numpy int64 arrays, ascending) as of ``as_of``, and the number of ``members`` after it."""

    __slots__ = ("name", "as_of", "entered", "left", "members")
    _fields = __slots__
    _repr_fields = ("name", "as_of", "members")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return (self.name == other.name and self.as_of == other.as_of and self.members == other.members
                and list(self.entered) == list(other.entered) and list(self.left) == list(other.left))

    def __repr__(self) -> str:
        return (f"SegmentDelta(name={self.name!r}, as_of={self.as_of!r}, entered={len(self.entered)}, "
                f"left={len(self.left)}, members={self.members})")

    @classmethod
    def _from_core(cls, d: dict, from_micros) -> "SegmentDelta":
        s = cls.__new__(cls)
        s._set(name=d["name"], as_of=from_micros(d["as_of"]), entered=d["entered"], left=d["left"],
               members=d["members"])
        return s
