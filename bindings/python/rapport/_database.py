"""The Database handle and :func:`open`."""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
import json as _json
import os as _os
import threading as _threading
from typing import Any, Callable, Iterable, Iterator, Mapping, NamedTuple

from . import _calendars, _clv_store, _core, _lifecycle, _rules, _tasks
from ._convert import (enum_index, from_micros, fspath, index, money, opt_from_micros, opt_index,
                       opt_micros, to_core_value, to_duration_micros, to_field_map, to_micros)
from ._errors import ValidationError
from ._segments import Frame, as_expr, as_of_micros, columns_to_pandas, id_array
from ._types import (Activity, Change, ContactPoint, ContactRole, Customer, CustomerPage,
                     CustomFieldDef, ExternalId, ImportReport, ImportRowError, Money, Order, OrderItem,
                     RecordList, SavedSegment, SegmentDelta)

__all__ = ["open", "Database", "Transaction", "ManualClock", "UpsertResult", "Actor"]

_FIELD_TYPE_ALIASES = {"int": "integer", "string": "text", "str": "text", "boolean": "bool",
                       "datetime": "time", "timestamp": "time", "instant": "time", "multienum": "multi_enum",
                       "multiselect": "multi_enum", "select": "enum"}


class ManualClock:
    """A clock that moves only when told to, for tests and replays. Pass it to :func:`open`.

    ``start`` is a timezone-aware datetime (default: the Unix epoch)."""

    __slots__ = ("_clock",)

    def __init__(self, start: _dt.datetime | None = None) -> None:
        self._clock = _core.ManualClock(0 if start is None else to_micros(start, "start"))

    def now(self) -> _dt.datetime:
        return from_micros(self._clock.now_us())

    def set(self, when: _dt.datetime) -> None:
        self._clock.set_us(to_micros(when, "when"))

    def advance(self, by: _dt.timedelta | float) -> None:
        """Moves the clock forward by a timedelta (or a number of seconds)."""
        self._clock.advance_us(to_duration_micros(by, "by"))

    def __repr__(self) -> str:
        return f"ManualClock({self.now().isoformat()})"


class Actor(NamedTuple):
    """Who a handle acts as: a user id (None for the system) and the origin system name."""

    user_id: int | None
    origin: str


class UpsertResult(NamedTuple):
    customer: Customer
    created: bool


class Transaction:
    """Groups the calls made on this thread into one transaction. As a context manager it commits
    on success and rolls back when the block raises. Calls on other threads wait for it."""

    __slots__ = ("_db", "_tx")

    def __init__(self, db: "Database") -> None:
        self._db = db
        self._tx = None

    def begin(self) -> "Transaction":
        if self._tx is not None:
            raise ValidationError("transaction: already begun")
        self._tx = self._db._handle().begin()
        return self

    @property
    def active(self) -> bool:
        return self._tx is not None and self._tx.active

    def commit(self) -> None:
        if self._tx is None:
            raise ValidationError("transaction: not begun")
        self._tx.commit()

    def rollback(self) -> None:
        if self._tx is None:
            raise ValidationError("transaction: not begun")
        self._tx.rollback()

    def __enter__(self) -> "Transaction":
        if self._tx is None:
            self.begin()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            if self.active:
                self.commit()
        elif self.active:
            self.rollback()


class _Shared:
    """State shared by a database handle and its with_actor() siblings: custom field types."""

    def __init__(self) -> None:
        self.lock = _threading.Lock()
        self.field_types: dict[str, int] | None = None


def _contact_kind(value: Any) -> int:
    return enum_index(_core.CONTACT_KINDS, value, "contact point kind", {"mail": "email", "tel": "phone"})


def _guess_kind(value: Any) -> int:
    """Email (index 0) when the value has an '@', else phone (index 1)."""
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return 0 if isinstance(text, str) and "@" in text else 1


def _contact_draft(item: Any, kind: Any = None) -> tuple:
    """A contact point given as a str, a dict or a ContactPoint -> the tuple _core takes."""
    if isinstance(item, (str, bytes)):
        k = _guess_kind(item) if kind is None else _contact_kind(kind)
        return (k, item, "", False, False, False)
    if isinstance(item, ContactPoint):
        return (_contact_kind(item.kind), item.raw or item.value, item.label, item.primary,
                item.opted_out, item.invalid)
    if isinstance(item, Mapping):
        unknown = set(item) - {"kind", "value", "label", "primary", "opted_out", "invalid"}
        if unknown:
            raise ValidationError(f"contact point: unknown keys {sorted(unknown)}")
        if "value" not in item:
            raise ValidationError("contact point: 'value' is required")
        value = item["value"]
        k = item.get("kind", kind)
        k = _guess_kind(value) if k is None else _contact_kind(k)
        return (k, value, item.get("label", ""), bool(item.get("primary", False)),
                bool(item.get("opted_out", False)), bool(item.get("invalid", False)))
    raise TypeError(f"contact point: expected str, dict or ContactPoint, got {type(item).__name__}")


def _external_ids(value: Any) -> list[tuple]:
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [(s, k) for s, k in value.items()]
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, (str, bytes)) for v in value):
        return [tuple(value)]
    out = []
    for item in value:
        if isinstance(item, Mapping):
            out.append((item["system"], item["key"]))
        else:
            system, key = item
            out.append((system, key))
    return out


def _tags(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, (str, bytes)):
        return [value]
    return list(value)


def _item(item: Any, currency: str) -> tuple:
    if isinstance(item, OrderItem):
        return tuple(item)
    if isinstance(item, Mapping):
        unknown = set(item) - {"sku", "name", "quantity", "unit_price", "unit_price_minor"}
        if unknown:
            raise ValidationError(f"order item: unknown keys {sorted(unknown)}")
        price = money(item.get("unit_price"), currency, item.get("unit_price_minor"), "unit_price") \
            if ("unit_price" in item or "unit_price_minor" in item) else Money(0, currency)
        if price.currency != currency:
            raise ValidationError(f"unit_price: currency {price.currency!r} differs from the order's {currency!r}")
        return (item.get("sku", ""), item.get("name", ""), index(item.get("quantity", 1), "quantity"),
                price.minor)
    if isinstance(item, tuple):
        return tuple(OrderItem(*item))
    raise TypeError(f"order item: expected dict or OrderItem, got {type(item).__name__}")


class Database:
    """An open Rapport database, acting as one actor. Use :func:`open` to get one.

    A context manager: ``with rapport.open(path) as db: ...`` closes on exit. Handles made by
    :meth:`with_actor` share the open database, which closes when the last handle is closed or
    collected. A handle may be used from several threads at once (the GIL is released inside every
    call; writes are serialised, reads on file databases run concurrently).
    """

    def __init__(self, handle: Any, path: str, shared: _Shared | None = None) -> None:
        self._db = handle
        self._path = path
        self._shared = shared or _Shared()

    # -- handle ---------------------------------------------------------------------------------
    def _handle(self):
        return self._db

    @property
    def path(self) -> str:
        return self._path

    @property
    def closed(self) -> bool:
        return self._db.closed

    def close(self) -> None:
        """Closes this handle (idempotent). Later calls raise rapport.Error."""
        self._db.close()

    def __enter__(self) -> "Database":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"actor={tuple(self.actor)!r}"
        return f"<rapport.Database {self._path!r} {state}>"

    def with_actor(self, user_id: int | None, origin: str = "") -> "Database":
        """The same database, acting as user ``user_id`` (None: the system) from system ``origin``."""
        return Database(self._db.with_actor(opt_index(user_id, "user_id"), origin), self._path, self._shared)

    @property
    def actor(self) -> Actor:
        user, origin = self._db.actor()
        return Actor(user, origin)

    def now(self) -> _dt.datetime:
        """The current instant on the database's clock (UTC)."""
        return from_micros(self._db.now_us())

    @property
    def schema_version(self) -> int:
        return self._db.schema_version()

    def transaction(self) -> Transaction:
        """``with db.transaction(): ...`` groups the block's calls (on this thread) into one
        transaction: committed when the block ends normally, rolled back when it raises."""
        return Transaction(self)

    def begin(self) -> Transaction:
        """Starts a transaction now; finish it with ``commit()`` or ``rollback()``."""
        return Transaction(self).begin()

    # -- conversions ----------------------------------------------------------------------------
    def _field_types(self, refresh: bool = False) -> dict[str, int]:
        shared = self._shared
        with shared.lock:
            if shared.field_types is None or refresh:
                shared.field_types = {
                    d["name"]: _core.FIELD_TYPES.index(d["type"]) for d in self._db.custom_fields()
                }
            return shared.field_types

    def _forget_field_types(self) -> None:
        with self._shared.lock:
            self._shared.field_types = None

    def _custom_out(self, custom: dict) -> dict:
        if not custom:
            return {}
        types = self._field_types()
        if any(name not in types for name in custom):
            types = self._field_types(refresh=True)
        return {name: _typed(value, types.get(name)) for name, value in custom.items()}

    def _customer(self, d: dict) -> Customer:
        c = Customer.__new__(Customer)
        b = d["birthday"]
        c._set(id=d["id"], kind=d["kind"], name=d["name"], industry=d["industry"], region=d["region"],
               size=d["size"], source=d["source"], owner=d["owner"],
               birthday=_dt.date(*b) if b is not None else None, lifecycle_stage=d["lifecycle_stage"],
               created_at=from_micros(d["created_at"]), updated_at=from_micros(d["updated_at"]),
               deleted_at=opt_from_micros(d["deleted_at"]), version=d["version"],
               custom=self._custom_out(d["custom"]),
               contact_points=[ContactPoint._from_core(cp) for cp in d["contact_points"]],
               tags=list(d["tags"]), external_ids=[ExternalId(s, k) for s, k in d["external_ids"]])
        return c

    def _customer_list(self, dicts: Iterable[dict]) -> RecordList:
        out = RecordList(self._customer(d) for d in dicts)
        out._kind = "Customer"
        out._field_types = self._field_types() if any(c.custom for c in out) else {}
        return out

    @staticmethod
    def _draft(name: Any, core: dict[str, Any], custom: Mapping[str, Any] | None,
               extra: dict[str, Any], emails: Any, phones: Any, contact_points: Any) -> tuple[dict, list]:
        fields: dict[str, Any] = {}
        if name is not None:
            fields["name"] = name
        for key, value in core.items():
            if value is not None:
                fields[key] = value
        for source in (custom or {}, extra):
            for key, value in source.items():
                if key in fields:
                    raise ValidationError(f"{key}: given twice")
                if value is not None:
                    fields[key] = value
        cps = [_contact_draft(e, "email") for e in _tags(emails)]
        cps += [_contact_draft(p, "phone") for p in _tags(phones)]
        cps += [_contact_draft(cp) for cp in (contact_points or ())]
        return to_field_map(fields), cps

    # -- customers ------------------------------------------------------------------------------
    def create_customer(self, name: str | None = None, *, kind: str | None = None,
                        industry: str | None = None, region: str | None = None, size: str | None = None,
                        source: str | None = None, owner: int | None = None,
                        birthday: _dt.date | str | None = None, lifecycle_stage: str | None = None,
                        custom: Mapping[str, Any] | None = None, emails: Iterable[str] = (),
                        phones: Iterable[str] = (), contact_points: Iterable[Any] = (),
                        tags: Iterable[str] = (), external_ids: Any = None, **custom_fields: Any) -> Customer:
        """Creates a customer. Extra keyword arguments are custom field values (as is ``custom``)."""
        core = dict(kind=kind, industry=industry, region=region, size=size, source=source, owner=owner,
                    birthday=birthday, lifecycle_stage=lifecycle_stage)
        fields, cps = self._draft(name, core, custom, custom_fields, emails, phones, contact_points)
        d = self._db.create_customer(fields, cps, _tags(tags), _external_ids(external_ids))
        return self._customer(d)

    def get_customer(self, customer_id: int, *, include_deleted: bool = False) -> Customer:
        """The customer; NotFoundError (a KeyError) when absent or deleted (unless include_deleted)."""
        return self._customer(self._db.get_customer(index(customer_id, "customer_id"), include_deleted))

    def update_customer(self, customer_id: int, expected_version: int | None = None, *,
                        custom: Mapping[str, Any] | None = None, **fields: Any) -> Customer:
        """Sets core or custom fields (``None`` clears one). With ``expected_version``, raises
        ConflictError and changes nothing unless the record still has that version."""
        all_fields = dict(fields)
        for key, value in (custom or {}).items():
            if key in all_fields:
                raise ValidationError(f"{key}: given twice")
            all_fields[key] = value
        d = self._db.update_customer(index(customer_id, "customer_id"), to_field_map(all_fields),
                                     opt_index(expected_version, "expected_version"))
        return self._customer(d)

    def upsert_customer(self, system: str, key: str, name: str | None = None, *, kind: str | None = None,
                        industry: str | None = None, region: str | None = None, size: str | None = None,
                        source: str | None = None, owner: int | None = None,
                        birthday: _dt.date | str | None = None, lifecycle_stage: str | None = None,
                        custom: Mapping[str, Any] | None = None, emails: Iterable[str] = (),
                        phones: Iterable[str] = (), contact_points: Iterable[Any] = (),
                        tags: Iterable[str] = (), external_ids: Any = None,
                        **custom_fields: Any) -> UpsertResult:
        """Creates the customer with external id (system, key) or updates its fields; contact points
        and tags given are added when missing. Returns ``(customer, created)``."""
        core = dict(kind=kind, industry=industry, region=region, size=size, source=source, owner=owner,
                    birthday=birthday, lifecycle_stage=lifecycle_stage)
        fields, cps = self._draft(name, core, custom, custom_fields, emails, phones, contact_points)
        d, created = self._db.upsert_customer(system, key, fields, cps, _tags(tags),
                                              _external_ids(external_ids))
        return UpsertResult(self._customer(d), created)

    def find_by_external_id(self, system: str, key: str) -> Customer:
        return self._customer(self._db.find_by_external_id(system, key))

    def delete_customer(self, customer_id: int, expected_version: int | None = None) -> None:
        """Soft delete (restorable with restore_customer)."""
        self._db.delete_customer(index(customer_id, "customer_id"), opt_index(expected_version, "expected_version"))

    def restore_customer(self, customer_id: int) -> None:
        self._db.restore_customer(index(customer_id, "customer_id"))

    def purge_customer(self, customer_id: int) -> None:
        """Removes the customer and everything attached for good; redacts its change entries."""
        self._db.purge_customer(index(customer_id, "customer_id"))

    def search_customers(self, name_contains: str = "", *, contact: str = "", tags: Iterable[str] = (),
                         owner: int | None = None, lifecycle_stage: str | None = None,
                         custom: Mapping[str, Any] | None = None, external_id: Any = None,
                         include_deleted: bool = False, after: int | None = None,
                         limit: int = 50) -> CustomerPage:
        """One page of customers matching all given criteria, by id. ``custom={"field": value}``
        matches one custom field; ``external_id=(system, key)``. Page on with ``after=page.next``."""
        custom_field = custom_value = None
        if custom:
            if len(custom) != 1:
                raise ValidationError("custom: give exactly one {field: value} to match")
            (custom_field, value), = custom.items()
            custom_value = to_core_value(value, custom_field)
        ext = None
        if external_id is not None:
            ids = _external_ids(external_id)
            if len(ids) != 1:
                raise ValidationError("external_id: give one (system, key)")
            ext = ids[0]
        customers, next_after = self._db.search_customers(
            name_contains=name_contains, contact=contact, tags=_tags(tags),
            owner=opt_index(owner, "owner"), lifecycle_stage=lifecycle_stage, custom_field=custom_field,
            custom_value=custom_value, external_id=ext, include_deleted=include_deleted,
            after=opt_index(after, "after"), limit=index(limit, "limit"))
        return CustomerPage(self._customer_list(customers), next_after)

    def iter_customers(self, name_contains: str = "", *, page_size: int = 500, **query: Any) -> Iterator[Customer]:
        """Every matching customer, fetching page after page (same criteria as search_customers)."""
        after = query.pop("after", None)
        while True:
            page = self.search_customers(name_contains, after=after, limit=page_size, **query)
            yield from page
            if page.next is None:
                return
            after = page.next

    # -- contact points, tags, external ids, organisation contacts ------------------------------
    def add_contact_point(self, customer_id: int, value: str, kind: str | None = None, *, label: str = "",
                          primary: bool = False, opted_out: bool = False, invalid: bool = False) -> ContactPoint:
        """Adds an email or phone (kind guessed from '@' when not given); normalised on write."""
        draft = _contact_draft({"value": value, "label": label, "primary": primary, "opted_out": opted_out,
                                "invalid": invalid, **({"kind": kind} if kind is not None else {})})
        return ContactPoint._from_core(self._db.add_contact_point(index(customer_id, "customer_id"), draft))

    def update_contact_point(self, contact_point_id: int, *, label: str | None = None,
                             primary: bool | None = None, opted_out: bool | None = None,
                             invalid: bool | None = None) -> ContactPoint:
        """Changes flags and label; arguments left as None keep their value."""
        d = self._db.update_contact_point(index(contact_point_id, "contact_point_id"), label, primary,
                                          opted_out, invalid)
        return ContactPoint._from_core(d)

    def remove_contact_point(self, contact_point_id: int) -> None:
        self._db.remove_contact_point(index(contact_point_id, "contact_point_id"))

    def add_tag(self, customer_id: int, tag: str) -> None:
        self._db.add_tag(index(customer_id, "customer_id"), tag)

    def remove_tag(self, customer_id: int, tag: str) -> None:
        self._db.remove_tag(index(customer_id, "customer_id"), tag)

    def add_external_id(self, customer_id: int, system: str, key: str) -> None:
        self._db.add_external_id(index(customer_id, "customer_id"), system, key)

    def remove_external_id(self, system: str, key: str) -> None:
        self._db.remove_external_id(system, key)

    def link_contact(self, organization_id: int, person_id: int, role: str = "") -> None:
        """Records ``person_id``'s role at organisation ``organization_id``."""
        self._db.link_contact(index(organization_id, "organization_id"), index(person_id, "person_id"), role)

    def unlink_contact(self, organization_id: int, person_id: int) -> None:
        self._db.unlink_contact(index(organization_id, "organization_id"), index(person_id, "person_id"))

    def contacts_of(self, organization_id: int) -> list[ContactRole]:
        return [ContactRole(*t) for t in self._db.contacts_of(index(organization_id, "organization_id"))]

    def organizations_of(self, person_id: int) -> list[ContactRole]:
        return [ContactRole(*t) for t in self._db.organizations_of(index(person_id, "person_id"))]

    # -- custom fields --------------------------------------------------------------------------
    def define_custom_field(self, name: str, type: str, *, required: bool = False, unique: bool = False,
                            indexed: bool = False, min: float | None = None, max: float | None = None,
                            pattern: str = "", options: Iterable[str] = (), currency: str = "",
                            label: str = "") -> CustomFieldDef:
        """Defines a custom field. ``type`` is one of rapport.FIELD_TYPES (text, integer, decimal,
        money, date, time, bool, enum, multi-enum as the core spells them)."""
        type_index = enum_index(_core.FIELD_TYPES, type, "type", _FIELD_TYPE_ALIASES)
        d = self._db.define_custom_field(name, type_index, label=label, required=bool(required),
                                         unique=bool(unique), indexed=bool(indexed),
                                         min=None if min is None else float(min),
                                         max=None if max is None else float(max), pattern=pattern,
                                         options=_tags(options), currency=currency)
        self._forget_field_types()
        return CustomFieldDef._from_core(d)

    def custom_fields(self) -> RecordList:
        out = RecordList(CustomFieldDef._from_core(d) for d in self._db.custom_fields())
        out._kind = "CustomFieldDef"
        return out

    def drop_custom_field(self, name: str) -> None:
        """Drops the definition and removes its values from every customer."""
        self._db.drop_custom_field(name)
        self._forget_field_types()

    # -- orders, activities, timeline -----------------------------------------------------------
    def add_order(self, customer_id: int, amount: Any = None, *, currency: str | None = None,
                  amount_minor: int | None = None, ordered_at: _dt.datetime | None = None,
                  status: str | None = None, items: Iterable[Any] = (), external_ref: str = "") -> Order:
        """Adds an order. ``amount`` is decimal text/Decimal in major units ("12.34") or a Money;
        or give ``amount_minor`` (int). ``ordered_at`` defaults to the database clock's now."""
        m = money(amount, currency, amount_minor)
        d = self._db.add_order(index(customer_id, "customer_id"), m.minor, m.currency,
                               opt_micros(ordered_at, "ordered_at"), status, external_ref,
                               [_item(i, m.currency) for i in (items or ())])
        return Order._from_core(d, from_micros)

    def get_order(self, order_id: int) -> Order:
        return Order._from_core(self._db.get_order(index(order_id, "order_id")), from_micros)

    def add_activity(self, customer_id: int, kind: str = "note", *, at: _dt.datetime | None = None,
                     owner: int | None = None, outcome: str = "", text: str = "") -> Activity:
        """Adds a call, visit, email, note or message. ``at`` defaults to the database clock's now."""
        k = enum_index(_core.ACTIVITY_KINDS, kind, "kind")
        d = self._db.add_activity(index(customer_id, "customer_id"), k, opt_micros(at, "at"),
                                  opt_index(owner, "owner"), outcome, text)
        return Activity._from_core(d, from_micros)

    def timeline(self, customer_id: int, limit: int = 20, before: _dt.datetime | None = None, *,
                 include_items: bool = False) -> RecordList:
        """Orders and activities of a customer, newest first; page with ``before=items[-1].at``.
        Orders come without their items unless ``include_items`` (``get_order`` has them)."""
        out = RecordList()
        for d in self._db.timeline(index(customer_id, "customer_id"), index(limit, "limit"),
                                   opt_micros(before, "before"), bool(include_items)):
            item = Order._from_core(d, from_micros) if d["type"] == "order" else Activity._from_core(d, from_micros)
            out.append(item)
        out._kind = "timeline"
        return out

    # -- import ---------------------------------------------------------------------------------
    def import_csv(self, source: Any, mapping: Mapping[str, str], *, upsert_system: str = "",
                   all_or_nothing: bool = False, delimiter: str = ",", tag_separator: str = ";",
                   progress: Callable[[int], Any] | None = None, progress_every: int = 10000,
                   worker_threads: int = 1) -> ImportReport:
        """Imports customers from CSV. ``source`` is a path (str without a line break, or any
        os.PathLike), CSV text (str with a line break, or bytes) or an open text file.

        ``mapping``: CSV header -> target (core or custom field, "email", "phone", "tags",
        "external_id:<system>"). ``progress(rows_done)`` is called every ``progress_every`` rows and
        at the end; returning False cancels (nothing is committed); an exception it raises cancels
        and propagates. ``worker_threads`` validate rows a batch ahead of the writer (0: none); they
        end with the call."""
        if hasattr(source, "read"):
            text, is_file = source.read(), False
        elif isinstance(source, _os.PathLike):
            text, is_file = fspath(source), True
        elif isinstance(source, bytes):
            text, is_file = source, False
        elif isinstance(source, str):
            is_file = "\n" not in source and "\r" not in source
            text = source
        else:
            raise TypeError(f"source: expected a path, CSV text or a file, got {type(source).__name__}")
        if progress is not None and not callable(progress):
            raise TypeError("progress: expected a callable")
        r = self._db.import_csv(text, is_file, dict(mapping or {}), upsert_system=upsert_system,
                                all_or_nothing=bool(all_or_nothing), delimiter=delimiter,
                                tag_separator=tag_separator, progress=progress,
                                progress_every=index(progress_every, "progress_every"),
                                worker_threads=index(worker_threads, "worker_threads"))
        report = ImportReport.__new__(ImportReport)
        report._set(rows=r["rows"], created=r["created"], updated=r["updated"], failed=r["failed"],
                    errors=[ImportRowError(*e) for e in r["errors"]], committed=r["committed"])
        return report

    # -- segments -------------------------------------------------------------------------------
    # ``order_statuses`` (default: completed) and ``currency`` (default: the one currency the orders
    # use) choose the orders that count in order metrics.
    def segment(self, expr: Any, as_of: Any = None, *, order_statuses: Iterable[str] | None = None,
                currency: str | None = None):
        """The ids (numpy int64, ascending) of the live customers for which ``expr`` (text form or
        rapport.Expr) holds. ``as_of`` (aware datetime or date) is "now" for the expression;
        default: the database clock."""
        return self._db.segment(as_expr(expr), as_of_micros(as_of), _statuses(order_statuses), currency)

    def segment_sql(self, expr: Any, as_of: Any = None, *, order_statuses: Iterable[str] | None = None,
                    currency: str | None = None) -> tuple[str, list]:
        """The expression as one SQL query over this database's tables: ``(sql, params)``, a SELECT
        of matching customer ids with ``?`` placeholders bound in order to ``params``."""
        sql, params = self._db.segment_sql(as_expr(expr), as_of_micros(as_of), _statuses(order_statuses),
                                           currency)
        return sql, params

    def segment_df(self, expr: Any, as_of: Any = None, *, order_statuses: Iterable[str] | None = None,
                   currency: str | None = None):
        """The matching customers as a pandas DataFrame: ``id``, the core fields, ``tags``, custom
        fields and the order metrics (the columns of :meth:`load_customer_frame`), one row each."""
        handle, ids = self._db.segment_frame(as_expr(expr), as_of_micros(as_of), _statuses(order_statuses),
                                             currency)
        return columns_to_pandas(*handle.columns(ids))

    def load_customer_frame(self, *, order_statuses: Iterable[str] | None = None,
                            currency: str | None = None, clv_scores: bool = False) -> Frame:
        """The live customers as a :class:`rapport.Frame` (core fields, custom fields, tags, order
        metrics), for evaluating many expressions on one snapshot (``frame.segment(expr, as_of)``;
        in_segment needs ``segments=``) or for ``frame.to_pandas()``. ``clv_scores=True`` adds the
        CLV scores p_alive, expected_purchases_90d, clv and churn_risk (NaN for customers the last
        applied model did not score)."""
        if not isinstance(clv_scores, bool):
            raise TypeError(f"clv_scores: expected bool, got {type(clv_scores).__name__}")
        return Frame(self._db.load_customer_frame(_statuses(order_statuses), currency, clv_scores))

    def save_segment(self, name: str, expression: Any = None, kind: str = "dynamic",
                     description: str = "", *, order_statuses: Iterable[str] | None = None,
                     currency: str | None = None) -> SavedSegment:
        """Creates the saved segment ``name`` or updates the one of that name (its kind cannot
        change). ``kind``: "dynamic" (members are what ``expression`` selects at the last refresh),
        "static" or "suppression" (explicit members; no expression; members of suppression lists
        are kept out of every dynamic segment). The expression is checked against the current
        fields and saved segments (no cycles). ``order_statuses`` (default ["completed"]) and
        ``currency`` (default: the one the orders use) choose the orders a dynamic segment's order
        metrics count; the segment keeps them for every refresh."""
        k = enum_index(_core.SEGMENT_KINDS, kind, "kind", {"list": "static"})
        text = "" if expression is None else (expression if isinstance(expression, (str, bytes))
                                              else as_expr(expression, "expression").to_text())
        return SavedSegment._from_core(
            self._db.save_segment(name, k, text, description, _statuses(order_statuses), currency), from_micros)

    def drop_segment(self, name: str) -> None:
        """Drops a saved segment (StageGateError while another segment refers to it)."""
        self._db.drop_segment(name)

    def get_segment(self, name: str) -> SavedSegment:
        """The saved segment; NotFoundError (a KeyError) when there is none of that name."""
        return SavedSegment._from_core(self._db.get_segment(name), from_micros)

    def segments(self) -> RecordList:
        """Every saved segment."""
        out = RecordList(SavedSegment._from_core(d, from_micros) for d in self._db.segments())
        out._kind = "SavedSegment"
        return out

    def refresh_segment(self, name: str, as_of: Any = None) -> SegmentDelta:
        """Evaluates a dynamic segment as of ``as_of`` (default: now; never before its last refresh)
        over the orders it was saved with, records who entered and who left (also in the change
        feed) and returns that."""
        d = self._db.refresh_segment(name, as_of_micros(as_of))
        return SegmentDelta._from_core(d, from_micros)

    def refresh_segments(self, as_of: Any = None) -> list[SegmentDelta]:
        """Refreshes every dynamic segment, those another one refers to first."""
        deltas = self._db.refresh_segments(as_of_micros(as_of))
        return [SegmentDelta._from_core(d, from_micros) for d in deltas]

    def add_to_segment(self, name: str, ids: Any) -> None:
        """Adds customers (an id or ids) to a static or suppression list; all must be live
        customers, or nothing changes."""
        self._db.add_to_segment(name, id_array(ids))

    def remove_from_segment(self, name: str, ids: Any) -> None:
        """Removes customers (an id or ids) from a static or suppression list."""
        self._db.remove_from_segment(name, id_array(ids))

    def segment_members(self, name: str, as_of: Any = None):
        """The members (numpy int64, ascending) of a saved segment now, or as of a past time within
        its history (StageGateError before it)."""
        return self._db.segment_members(name, as_of_micros(as_of))

    # -- customer lifetime value models ---------------------------------------------------------
    # A stored model is a dict: the JSON form of docs/clv.md ("Stored models") with times as aware
    # datetimes. rapport/_clv_store.py does the conversions.
    def clv_fit(self, name: str, model: str = "bg_nbd", *, cutoff: Any = None, freq: Any = "W",
                merge_same_day: bool = True, spend: bool = True, order_statuses: Iterable[str] | None = None,
                currency: str | None = None, periods: int = 12, period_length: Any = None,
                discount_rate: float = 0.01, margin: float = 1.0, tol: float = 1e-13, max_evaluations: int = 5000,
                threads: int = 0) -> dict:
        """Fits ``model`` ("bg_nbd" or "pareto_nbd"), and Gamma-Gamma on the repeat customers unless
        ``spend=False``, to the summary of this database's orders at ``cutoff`` (default: now; weeks
        unless ``freq``, same-day orders merged) and stores it as ``name``. ``periods``,
        ``period_length`` (model time units or a duration; default 30 days), ``discount_rate`` and
        ``margin`` are the lifetime value options kept with it. AlreadyExistsError when the name is
        taken; StageGateError when nobody bought by the cutoff, nobody repeated or a fit does not
        converge (nothing is stored). Returns the stored model."""
        return _clv_store.fit(self._db, name, model, cutoff, freq, merge_same_day, spend, order_statuses, currency,
                              periods, period_length, discount_rate, margin, tol, max_evaluations, threads)

    def clv_save(self, model: Any, name: str, *, spend: Any = None, cutoff: Any = None, freq: Any = "W",
                 merge_same_day: bool = True, order_statuses: Iterable[str] | None = None,
                 currency: str | None = None, periods: int = 12, period_length: Any = None,
                 discount_rate: float = 0.01, margin: float = 1.0, fitted_at: Any = None) -> dict:
        """Stores a model fitted elsewhere (e.g. on a DataFrame): a fitted rapport.clv.BetaGeo or
        ParetoNBD, optionally a fitted GammaGamma as ``spend``, with the summary conventions it was
        fitted with (``cutoff`` required: the calibration end; ``freq``, ``merge_same_day``) so that
        :meth:`clv_apply` summarises the database's orders the same way. Returns the stored model."""
        return _clv_store.save(self._db, model, name, spend, cutoff, freq, merge_same_day, order_statuses, currency,
                               periods, period_length, discount_rate, margin, fitted_at)

    def clv_model(self, name: str) -> dict:
        """The stored model ``name`` (NotFoundError when there is none)."""
        return _clv_store.model_dict(self._db.clv_model(name))

    # ---------------------------------------------------------------------------------- lifecycle

    def save_lifecycle_model(self, model: Any) -> dict:
        """Creates or replaces a lifecycle model (a dict in the JSON form, a
        :class:`rapport.LifecycleModel` or JSON text). Bad models raise ValidationError naming the
        member (``stages[2].condition: unknown field "foo"``) and store nothing."""
        return _lifecycle.model_dict(self._db.lifecycle_model_save(_lifecycle.model_json(model)))

    def lifecycle_model(self, name: str) -> dict:
        """The model ``name`` (NotFoundError when there is none)."""
        return _lifecycle.model_dict(self._db.lifecycle_model(name))

    def lifecycle_models(self) -> list[dict]:
        """Every lifecycle model, highest precedence first."""
        return [_lifecycle.model_dict(t) for t in self._db.lifecycle_models()]

    def drop_lifecycle_model(self, name: str) -> None:
        """Deletes a model; its customers keep their stage text and history."""
        self._db.lifecycle_model_drop(name)

    def move_stage(self, customer: int, stage: str, reason: str | None = None, *, source: str = "manual",
                   rule: str | None = None) -> dict:
        """Moves a customer to a stage of its governing model. A manual move needs a ``reason`` and
        may go anywhere; ``source="rule"`` (with ``rule``) follows the model's policy
        (StageGateError/FailedPrecondition otherwise). Returns the recorded move."""
        return _lifecycle.move_dict(self._db.move_stage(index(customer, "customer"), stage, reason, source, rule))

    def evaluate_lifecycle(self, as_of: Any = None) -> dict:
        """Evaluates every governed customer as of ``as_of`` (default: now) and makes the moves the
        models call for: ``{"as_of", "evaluated", "moves": [...], "stages": [{"model", "stage",
        "customers"}]}``."""
        return _lifecycle.report_dict(self._db.evaluate_lifecycle(as_of_micros(as_of)))

    def stage_history(self, customer: int) -> list[dict]:
        """The customer's moves, oldest first, each with ``time_in_stage`` (a timedelta) and
        ``current``."""
        return [_lifecycle.move_dict(d) for d in self._db.stage_history(index(customer, "customer"))]

    def stages_as_of(self, at: Any):
        """The stage of every customer at ``at`` (a DataFrame indexed by ``customer_id`` with
        ``model``, ``stage`` and ``since``)."""
        return _lifecycle.stages_frame(self._db.stages_as_of(_lifecycle.time_micros(at, "at")))

    def stage_distribution(self, start: Any, end: Any, step: str = "month", zone: str | None = None):
        """Customers per stage per period in [start, end): a DataFrame indexed by period start with one
        column per stage (the count at the period's end)."""
        return _lifecycle.distribution_frame(self._db.stage_distribution(
            _lifecycle.time_micros(start, "start"), _lifecycle.time_micros(end, "end"),
            _lifecycle.step_index(step), zone))

    def clv_models(self) -> list[dict]:
        """Every stored model, by name."""
        return [_clv_store.model_dict(text) for text in self._db.clv_models()]

    def clv_delete(self, name: str) -> None:
        """Deletes the stored model and the scores it gave (NotFoundError for an unknown name)."""
        self._db.clv_delete(name)

    def clv_apply(self, name: str, as_of: Any = None) -> int:
        """Scores every customer with a purchase at or before ``as_of`` (default: now; never before the
        model's cutoff) with the stored model, replacing all stored scores (p_alive,
        expected_purchases_90d, clv, churn_risk, which segments read). Returns the number scored."""
        return self._db.clv_apply(name, as_of_micros(as_of))["customers"]

    def clv_scores(self):
        """The stored scores as a pandas DataFrame indexed by ``customer_id`` with ``p_alive``,
        ``expected_purchases_90d``, ``clv`` (NaN without a spend model) and ``churn_risk``;
        ``df.attrs`` holds the ``model`` name and ``as_of``."""
        return _clv_store.scores(self._db)

    # -- business calendars ---------------------------------------------------------------------
    def save_calendar(self, name: str, calendar: Any) -> None:
        """Stores ``calendar`` (a BusinessCalendar, or its JSON form as a dict or text) as ``name``,
        replacing the definition of a calendar of that name (change feed: entity "calendar")."""
        self._db.save_calendar(name, _calendars.as_core(calendar))

    def calendar(self, name: str) -> "_calendars.BusinessCalendar":
        """The calendar stored as ``name`` (NotFoundError when there is none)."""
        return _calendars.BusinessCalendar._wrap(self._db.calendar(name))

    def calendars(self) -> "list[_calendars.StoredCalendar]":
        """Every stored calendar, by name."""
        return _calendars.stored(self._db.calendars())

    def drop_calendar(self, name: str) -> None:
        """Deletes the calendar stored as ``name`` (NotFoundError when there is none)."""
        self._db.drop_calendar(name)
    # -- automation rules and the outbox -------------------------------------------------------
    # Rules are dicts in the JSON form of docs/rules.md; rapport/_rules.py does the conversions.
    def save_rule(self, rule: Mapping[str, Any] | str) -> dict:
        """Creates the rule (a dict or JSON text), or replaces the one of that name. A bad definition
        raises ValidationError naming the member (e.g. "trigger.day: 0 is not a day of the month (1 to
        31)") and stores nothing. Returns the stored rule."""
        return _rules.rules(self._db.rule_save_json(_rules.rule_json(rule)))[0]

    def rule(self, name: str) -> dict:
        """The rule ``name`` (NotFoundError when there is none)."""
        return _rules.rules(self._db.rule(name))[0]

    def rules(self) -> list[dict]:
        """Every rule, by name."""
        return _rules.rules(self._db.rules())

    def drop_rule(self, name: str) -> None:
        """Deletes the rule and its ledger (NotFoundError for an unknown name)."""
        self._db.rule_drop(name)

    def enable_rule(self, name: str, enabled: bool = True) -> None:
        """Enables or disables a rule; a re-enabled rule starts from now (no catching up)."""
        self._db.rule_enable(name, bool(enabled))

    def tick(self, now: _dt.datetime) -> dict:
        """One deterministic pass of the automation engine as of ``now`` (an aware datetime; never
        before the last tick's). Returns the report: counts, per-rule counts and the outcomes."""
        return _rules.report(self._db.tick(to_micros(now, "now")))

    def rule_outcomes(self, rule: str | None = None, *, customer: int | None = None, status: str | None = None,
                      since: Any = None, after_id: int = 0, limit: int = 1000):
        """What fired, for whom and why: the ledger as a pandas DataFrame (id, rule, customer,
        occurrence, trigger, status, attempts, error, first_at, last_at, next_retry_at)."""
        return _rules.outcomes(self._db, rule, customer, status, since, after_id, limit)

    def rule_runs(self, limit: int = 100) -> list[dict]:
        """The last ticks, newest first."""
        return _rules.runs(self._db.rule_runs(limit))

    def set_time_zone(self, zone: str) -> None:
        """The tenant's time zone (IANA name) for schedules and annual triggers."""
        self._db.set_time_zone(zone)

    def time_zone(self) -> str:
        """The tenant's time zone ("UTC" until set)."""
        return self._db.time_zone()

    def outbox(self, status: str | None = None, *, after_id: int = 0, limit: int = 1000) -> list[dict]:
        """Outbox messages (optionally of one status: pending, claimed, delivered, failed), by id."""
        return _rules.messages(self._db.outbox(_rules.outbox_status(status), after_id, limit))

    def claim_outbox(self, limit: int = 100) -> list[dict]:
        """Takes up to ``limit`` pending messages, oldest first; they are not handed out again. Deliver
        them, then :meth:`ack_outbox` (or :meth:`fail_outbox`)."""
        return _rules.messages(self._db.claim_outbox(limit))

    def ack_outbox(self, ids: int | Iterable[int]) -> None:
        """Claimed messages were delivered (StageGateError, and nothing changes, unless all are claimed)."""
        self._db.ack_outbox(_rules.ids(ids))

    def fail_outbox(self, message_id: int, error: str, *, retry: bool = True) -> None:
        """A claimed message could not be delivered: back to pending (``retry``) or failed for good."""
        self._db.fail_outbox(message_id, error, bool(retry))
    # -- tasks and reminders (docs/tasks.md) ----------------------------------------------------
    def create_task(self, title: str, *, customer: int | None = None, owner: int | None = None,
                    team: str | None = None, due: _dt.datetime | None = None,
                    remind_at: _dt.datetime | None = None, priority: str = "normal",
                    ref: tuple[str, int] | None = None, notes: str = "",
                    created_by_rule: str | None = None) -> "_tasks.Task":
        """Creates an open task. ``customer`` must be a live customer; ``ref`` is ``(kind, id)`` with
        kind "lead", "deal" or "ticket"; ``priority`` "low", "normal", "high" or "urgent". Bad input
        raises ValidationError (NotFoundError for an unknown customer) and writes nothing."""
        return _tasks.create(self._db, title, customer, owner, team, due, remind_at, priority, ref, notes,
                             created_by_rule)

    def task(self, task_id: int) -> "_tasks.Task":
        """The task (NotFoundError, a KeyError, when there is none)."""
        return _tasks.Task._from_core(self._db.get_task(index(task_id, "task_id")))

    def update_task(self, task_id: int, *, move_reminder_with_due: bool = False,
                    expected_version: int | None = None, **changes: Any) -> "_tasks.Task":
        """Changes an open task (StageGateError for a done or cancelled one). Keywords: title,
        customer, ref, owner, team, due, remind_at, priority, notes; None clears a member. A new
        ``remind_at`` re-arms the reminder. With ``move_reminder_with_due`` a reminder that has not
        fired moves with the due time. ConflictError on a stale ``expected_version``."""
        return _tasks.update(self._db, task_id, changes, move_reminder_with_due, expected_version)

    def complete_task(self, task_id: int, expected_version: int | None = None) -> "_tasks.Task":
        """Marks an open task done (StageGateError otherwise)."""
        return _tasks.Task._from_core(
            self._db.complete_task(index(task_id, "task_id"), opt_index(expected_version, "expected_version")))

    def cancel_task(self, task_id: int, expected_version: int | None = None) -> "_tasks.Task":
        """Cancels an open task (StageGateError otherwise)."""
        return _tasks.Task._from_core(
            self._db.cancel_task(index(task_id, "task_id"), opt_index(expected_version, "expected_version")))

    def tasks(self, *, owner: int | None = None, team: str | None = None, customer: int | None = None,
              status: str | Iterable[str] | None = None, due_after: _dt.datetime | None = None,
              due_before: _dt.datetime | None = None, limit: int = 1000) -> RecordList:
        """Tasks matching every filter given (any status unless ``status``), by due time (tasks
        without one last), then id; ``due_after <= due < due_before``. Has ``to_pandas()``."""
        return _tasks.query(self._db, owner, team, customer, status, due_after, due_before, limit)

    def task_list(self, kind: str, *, owner: int | None = None, team: str | None = None, as_of: Any = None,
                  zone: Any = "UTC", window: Any = None, days: int = 7, limit: int = 1000) -> RecordList:
        """The "due", "overdue" or "upcoming" list (open tasks of ``owner`` and/or ``team``; neither:
        everyone's) as of ``as_of`` (default: now); see due_tasks, overdue_tasks, upcoming_tasks."""
        return _tasks.listing(self._db, kind, owner, team, as_of, zone, window, days, limit)

    def due_tasks(self, *, owner: int | None = None, team: str | None = None, as_of: Any = None,
                  zone: Any = "UTC", window: Any = None, limit: int = 1000) -> RecordList:
        """Open tasks due on the local day of ``as_of`` in ``zone`` (an IANA name or ZoneInfo), those
        earlier that day included; with ``window`` (a timedelta), due in [as_of, as_of + window)."""
        return _tasks.listing(self._db, "due", owner, team, as_of, zone, window, 7, limit)

    def overdue_tasks(self, *, owner: int | None = None, team: str | None = None, as_of: Any = None,
                      limit: int = 1000) -> RecordList:
        """Open tasks due before ``as_of`` (default: now), oldest first."""
        return _tasks.listing(self._db, "overdue", owner, team, as_of, "UTC", None, 7, limit)

    def upcoming_tasks(self, days: int = 7, *, owner: int | None = None, team: str | None = None,
                       as_of: Any = None, zone: Any = "UTC", limit: int = 1000) -> RecordList:
        """Open tasks due from ``as_of`` to the end of the local day ``days`` days later (0: the rest
        of today)."""
        return _tasks.listing(self._db, "upcoming", owner, team, as_of, zone, None, days, limit)

    def claim_task_reminders(self, now: Any = None) -> RecordList:
        """For hosts that deliver reminders themselves: marks every open task whose ``remind_at`` is
        at or before ``now`` (default: the clock) and has not fired as reminded and returns them by
        (remind_at, id). Each reminder is claimed once. (With automation rules, tick claims them.)"""
        from ._segments import as_of_micros

        return _tasks.task_list(self._db.claim_task_reminders(as_of_micros(now, "now")))

    # -- change feed ----------------------------------------------------------------------------
    def changes(self, after_seq: int = 0, limit: int = 1000, exclude_origin: str = "") -> RecordList:
        """Change entries with seq > after_seq, oldest first; skip those made by ``exclude_origin``."""
        out = RecordList()
        for d in self._db.changes(index(after_seq, "after_seq"), index(limit, "limit"), exclude_origin):
            c = Change.__new__(Change)
            c._set(seq=d["seq"], at=from_micros(d["at"]), actor=d["actor"], origin=d["origin"],
                   entity=d["entity"], entity_id=d["entity_id"], op=d["op"], fields=list(d["fields"]),
                   before=_json_or_none(d["before"]), after=_json_or_none(d["after"]))
            out.append(c)
        out._kind = "Change"
        return out

    @property
    def last_change_seq(self) -> int:
        return self._db.last_change_seq()

    def create_consumer(self, name: str, start_after_seq: int = 0) -> None:
        """A named, durable cursor on the change feed, starting after ``start_after_seq``."""
        self._db.create_consumer(name, index(start_after_seq, "start_after_seq"))

    def consumer_cursor(self, name: str) -> int:
        """The last seq the consumer acknowledged."""
        return self._db.consumer_cursor(name)

    def ack_consumer(self, name: str, seq: int) -> None:
        self._db.ack_consumer(name, index(seq, "seq"))

    def drop_consumer(self, name: str) -> None:
        self._db.drop_consumer(name)


def _statuses(order_statuses: Any) -> list | None:
    if order_statuses is None:
        return None
    if isinstance(order_statuses, (str, bytes)):
        return [order_statuses]
    return list(order_statuses)


def _json_or_none(text: str) -> Any:
    if not text:
        return None
    try:
        return _json.loads(text)
    except ValueError:
        return text


def _typed(value: Any, type_index: int | None) -> Any:
    """A custom field value from the core -> its natural Python type, by the field's type."""
    if value is None or type_index is None:
        return value
    if type_index == 2 and isinstance(value, (str, int, float)) and not isinstance(value, bool):  # decimal
        return _decimal.Decimal(value if not isinstance(value, float) else repr(value))
    if type_index == 4 and isinstance(value, str):  # date
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            return value
    if type_index == 5 and isinstance(value, int) and not isinstance(value, bool):  # time
        return from_micros(value)
    return value


def open(path: str | _os.PathLike, *, clock: ManualClock | None = None, default_region: str = "US",
         actor: int | None = None, origin: str = "", create_if_missing: bool = True,
         busy_timeout_ms: int = 5000, reader_connections: int = 4) -> Database:
    """Opens (creating if allowed) a database file, or ``":memory:"``.

    ``clock``: a :class:`ManualClock` (default: the system clock). ``default_region``: ISO 3166 code
    for phone numbers without a country code. ``actor``/``origin``: who the handle acts as (a user
    id, or None for the system; the origin system's name, for the change feed)."""
    if clock is not None and not isinstance(clock, ManualClock):
        raise TypeError(f"clock: expected rapport.ManualClock or None, got {type(clock).__name__}")
    p = fspath(path)
    handle = _core.open(p, clock=None if clock is None else clock._clock, default_region=default_region,
                        user=opt_index(actor, "actor"), origin=origin,
                        create_if_missing=bool(create_if_missing),
                        busy_timeout_ms=index(busy_timeout_ms, "busy_timeout_ms"),
                        reader_connections=index(reader_connections, "reader_connections"))
    return Database(handle, p if isinstance(p, str) else p.decode("utf-8", "surrogateescape"))
