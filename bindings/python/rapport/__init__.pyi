# Type stubs of the public rapport API.
import datetime
import decimal
import os
from typing import Any, Callable, Iterable, Iterator, Mapping, NamedTuple, Sequence, TextIO, overload

import pandas

__version__: str
FIELD_TYPES: tuple[str, ...]
CUSTOMER_KINDS: tuple[str, ...]
CONTACT_KINDS: tuple[str, ...]
ACTIVITY_KINDS: tuple[str, ...]

# -- errors ---------------------------------------------------------------------------------------
class Error(Exception):
    code: str
    message: str
    def __init__(self, message: str = ..., code: str | None = ...) -> None: ...

class ValidationError(Error, ValueError): ...
class NotFoundError(Error, KeyError): ...
class AlreadyExistsError(Error): ...
class ConflictError(Error): ...
class PermissionDeniedError(Error): ...
class StageGateError(Error): ...
class BusyError(Error): ...
class CorruptError(Error): ...
class CancelledError(Error): ...
class InternalError(Error): ...

# -- values ---------------------------------------------------------------------------------------
class Money:
    minor: int
    currency: str
    def __init__(self, minor: int, currency: str) -> None: ...
    @classmethod
    def parse(cls, amount: str | decimal.Decimal | int, currency: str) -> Money: ...
    @property
    def amount(self) -> decimal.Decimal: ...
    def __hash__(self) -> int: ...

class ExternalId(NamedTuple):
    system: str
    key: str

class ContactRole(NamedTuple):
    organization: int
    person: int
    role: str

class OrderItem(NamedTuple):
    sku: str
    name: str = ...
    quantity: int = ...
    unit_price_minor: int = ...

class ImportRowError(NamedTuple):
    row: int
    field: str
    reason: str

class Actor(NamedTuple):
    user_id: int | None
    origin: str

FieldValue = (None | bool | int | float | str | bytes | decimal.Decimal | datetime.date | datetime.datetime
              | Money | Sequence[str] | set[str])

# -- records --------------------------------------------------------------------------------------
class _Record:
    def to_dict(self) -> dict[str, Any]: ...

class RecordList(list[Any]):
    def to_pandas(self) -> pandas.DataFrame: ...

class ContactPoint(_Record):
    id: int
    customer_id: int
    kind: str
    value: str
    raw: str
    label: str
    primary: bool
    opted_out: bool
    invalid: bool

class Customer(_Record):
    id: int
    kind: str
    name: str
    industry: str | None
    region: str | None
    size: str | None
    source: str | None
    owner: int | None
    birthday: datetime.date | None
    lifecycle_stage: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    deleted_at: datetime.datetime | None
    version: int
    custom: dict[str, Any]
    contact_points: list[ContactPoint]
    tags: list[str]
    external_ids: list[ExternalId]
    @property
    def deleted(self) -> bool: ...
    @property
    def emails(self) -> list[str]: ...
    @property
    def phones(self) -> list[str]: ...
    def get(self, field: str, default: Any = ...) -> Any: ...
    def __getitem__(self, field: str) -> Any: ...

class CustomerPage:
    customers: RecordList
    next: int | None
    def __iter__(self) -> Iterator[Customer]: ...
    def __len__(self) -> int: ...
    @overload
    def __getitem__(self, i: int) -> Customer: ...
    @overload
    def __getitem__(self, i: slice) -> list[Customer]: ...
    def to_pandas(self) -> pandas.DataFrame: ...

class CustomFieldDef(_Record):
    name: str
    type: str
    label: str
    required: bool
    unique: bool
    indexed: bool
    min: float | None
    max: float | None
    pattern: str
    options: list[str]
    currency: str

class Order(_Record):
    type: str
    id: int
    customer_id: int
    amount: Money
    ordered_at: datetime.datetime
    status: str
    external_ref: str
    items: list[OrderItem]
    created_at: datetime.datetime
    @property
    def at(self) -> datetime.datetime: ...

class Activity(_Record):
    type: str
    id: int
    customer_id: int
    kind: str
    at: datetime.datetime
    owner: int | None
    outcome: str
    text: str
    created_at: datetime.datetime

class Change(_Record):
    seq: int
    at: datetime.datetime
    actor: int | None
    origin: str
    entity: str
    entity_id: int
    op: str
    fields: list[str]
    before: dict[str, Any] | None
    after: dict[str, Any] | None

class ImportReport(_Record):
    rows: int
    created: int
    updated: int
    failed: int
    errors: list[ImportRowError]
    committed: bool
    def errors_to_pandas(self) -> pandas.DataFrame: ...

class UpsertResult(NamedTuple):
    customer: Customer
    created: bool

# -- database -------------------------------------------------------------------------------------
class ManualClock:
    def __init__(self, start: datetime.datetime | None = ...) -> None: ...
    def now(self) -> datetime.datetime: ...
    def set(self, when: datetime.datetime) -> None: ...
    def advance(self, by: datetime.timedelta | float) -> None: ...

class Transaction:
    @property
    def active(self) -> bool: ...
    def begin(self) -> Transaction: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def __enter__(self) -> Transaction: ...
    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None: ...

_ContactPointIn = str | Mapping[str, Any] | ContactPoint
_ExternalIdsIn = Mapping[str, str] | Iterable[tuple[str, str] | ExternalId] | tuple[str, str] | None

class Database:
    @property
    def path(self) -> str: ...
    @property
    def closed(self) -> bool: ...
    def close(self) -> None: ...
    def __enter__(self) -> Database: ...
    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None: ...
    def with_actor(self, user_id: int | None, origin: str = ...) -> Database: ...
    @property
    def actor(self) -> Actor: ...
    def now(self) -> datetime.datetime: ...
    @property
    def schema_version(self) -> int: ...
    def transaction(self) -> Transaction: ...
    def begin(self) -> Transaction: ...
    # customers
    def create_customer(self, name: str | None = ..., *, kind: str | None = ..., industry: str | None = ...,
                        region: str | None = ..., size: str | None = ..., source: str | None = ...,
                        owner: int | None = ..., birthday: datetime.date | str | None = ...,
                        lifecycle_stage: str | None = ..., custom: Mapping[str, FieldValue] | None = ...,
                        emails: Iterable[str] = ..., phones: Iterable[str] = ...,
                        contact_points: Iterable[_ContactPointIn] = ..., tags: Iterable[str] = ...,
                        external_ids: _ExternalIdsIn = ..., **custom_fields: FieldValue) -> Customer: ...
    def get_customer(self, customer_id: int, *, include_deleted: bool = ...) -> Customer: ...
    def update_customer(self, customer_id: int, expected_version: int | None = ..., *,
                        custom: Mapping[str, FieldValue] | None = ..., **fields: FieldValue) -> Customer: ...
    def upsert_customer(self, system: str, key: str, name: str | None = ..., *, kind: str | None = ...,
                        industry: str | None = ..., region: str | None = ..., size: str | None = ...,
                        source: str | None = ..., owner: int | None = ...,
                        birthday: datetime.date | str | None = ..., lifecycle_stage: str | None = ...,
                        custom: Mapping[str, FieldValue] | None = ..., emails: Iterable[str] = ...,
                        phones: Iterable[str] = ..., contact_points: Iterable[_ContactPointIn] = ...,
                        tags: Iterable[str] = ..., external_ids: _ExternalIdsIn = ...,
                        **custom_fields: FieldValue) -> UpsertResult: ...
    def find_by_external_id(self, system: str, key: str) -> Customer: ...
    def delete_customer(self, customer_id: int, expected_version: int | None = ...) -> None: ...
    def restore_customer(self, customer_id: int) -> None: ...
    def purge_customer(self, customer_id: int) -> None: ...
    def search_customers(self, name_contains: str = ..., *, contact: str = ..., tags: Iterable[str] = ...,
                         owner: int | None = ..., lifecycle_stage: str | None = ...,
                         custom: Mapping[str, FieldValue] | None = ..., external_id: tuple[str, str] | None = ...,
                         include_deleted: bool = ..., after: int | None = ..., limit: int = ...) -> CustomerPage: ...
    def iter_customers(self, name_contains: str = ..., *, page_size: int = ..., **query: Any) -> Iterator[Customer]: ...
    # contact points, tags, external ids, organisation contacts
    def add_contact_point(self, customer_id: int, value: str, kind: str | None = ..., *, label: str = ...,
                          primary: bool = ..., opted_out: bool = ..., invalid: bool = ...) -> ContactPoint: ...
    def update_contact_point(self, contact_point_id: int, *, label: str | None = ..., primary: bool | None = ...,
                             opted_out: bool | None = ..., invalid: bool | None = ...) -> ContactPoint: ...
    def remove_contact_point(self, contact_point_id: int) -> None: ...
    def add_tag(self, customer_id: int, tag: str) -> None: ...
    def remove_tag(self, customer_id: int, tag: str) -> None: ...
    def add_external_id(self, customer_id: int, system: str, key: str) -> None: ...
    def remove_external_id(self, system: str, key: str) -> None: ...
    def link_contact(self, organization_id: int, person_id: int, role: str = ...) -> None: ...
    def unlink_contact(self, organization_id: int, person_id: int) -> None: ...
    def contacts_of(self, organization_id: int) -> list[ContactRole]: ...
    def organizations_of(self, person_id: int) -> list[ContactRole]: ...
    # custom fields
    def define_custom_field(self, name: str, type: str, *, required: bool = ..., unique: bool = ...,
                            indexed: bool = ..., min: float | None = ..., max: float | None = ...,
                            pattern: str = ..., options: Iterable[str] = ..., currency: str = ...,
                            label: str = ...) -> CustomFieldDef: ...
    def custom_fields(self) -> RecordList: ...
    def drop_custom_field(self, name: str) -> None: ...
    # orders, activities, timeline
    def add_order(self, customer_id: int, amount: str | decimal.Decimal | int | Money | None = ..., *,
                  currency: str | None = ..., amount_minor: int | None = ...,
                  ordered_at: datetime.datetime | None = ..., status: str | None = ...,
                  items: Iterable[OrderItem | Mapping[str, Any]] = ..., external_ref: str = ...) -> Order: ...
    def get_order(self, order_id: int) -> Order: ...
    def add_activity(self, customer_id: int, kind: str = ..., *, at: datetime.datetime | None = ...,
                     owner: int | None = ..., outcome: str = ..., text: str = ...) -> Activity: ...
    def timeline(self, customer_id: int, limit: int = ..., before: datetime.datetime | None = ..., *,
                 include_items: bool = ...) -> RecordList: ...
    # import
    def import_csv(self, source: str | bytes | os.PathLike[str] | TextIO, mapping: Mapping[str, str], *,
                   upsert_system: str = ..., all_or_nothing: bool = ..., delimiter: str = ...,
                   tag_separator: str = ..., progress: Callable[[int], Any] | None = ...,
                   progress_every: int = ..., worker_threads: int = ...) -> ImportReport: ...
    # change feed
    def changes(self, after_seq: int = ..., limit: int = ..., exclude_origin: str = ...) -> RecordList: ...
    @property
    def last_change_seq(self) -> int: ...
    def create_consumer(self, name: str, start_after_seq: int = ...) -> None: ...
    def consumer_cursor(self, name: str) -> int: ...
    def ack_consumer(self, name: str, seq: int) -> None: ...
    def drop_consumer(self, name: str) -> None: ...

def open(path: str | os.PathLike[str], *, clock: ManualClock | None = ..., default_region: str = ...,
         actor: int | None = ..., origin: str = ..., create_if_missing: bool = ..., busy_timeout_ms: int = ...,
         reader_connections: int = ...) -> Database: ...
