"""Rapport: an embeddable CRM core. ``db = rapport.open("crm.db")`` and go.

Conventions:
  * times are timezone-aware ``datetime`` objects, returned in UTC; a naive datetime is refused
    with ValidationError (rapport does not guess a zone);
  * money is :class:`Money` (int minor units + ISO 4217 currency), never float;
  * failures raise subclasses of :class:`Error` (``.code`` is the status name); a failed call
    writes nothing;
  * lists of records have ``to_pandas()`` (pandas is imported only then);
  * segments: :class:`Expr` and the builder :data:`F` (``(F.monetary > 5000) & F.has_tag("vip")``),
    :func:`segment` over a pandas DataFrame, ``db.segment(...)`` and saved segments on a database;
    ids come back as numpy int64 arrays (docs/python-segments.md);
  * analyses of pandas DataFrames computed in C++: :func:`rfm`, :func:`value_tiers`, :func:`cohorts`,
    :func:`repurchase_rate`, :func:`interpurchase_intervals`, :func:`churn`, :func:`funnel`,
    :func:`stage_funnel`, and charts of them in :mod:`rapport.plot` (docs/python-analytics.md);
  * business calendars: :class:`BusinessCalendar` (working hours in a time zone, holidays, extra
    working days) adds and measures working time; ``db.save_calendar`` stores one (docs/calendars.md);
  * tasks and reminders: ``db.create_task(...)``, ``db.due_tasks()``, ``db.overdue_tasks()``,
    ``db.upcoming_tasks()`` (docs/tasks.md);
  * customer lifetime value in :mod:`rapport.clv`: BG/NBD, Pareto/NBD, Gamma-Gamma, BG/BB (docs/python-clv.md).
"""

from __future__ import annotations

from ._errors import (AlreadyExistsError, BusyError, CancelledError, ConflictError, CorruptError, Error,
                      InternalError, NotFoundError, PermissionDeniedError, StageGateError, ValidationError)
from ._types import (Activity, Change, ContactPoint, ContactRole, Customer, CustomerPage, CustomFieldDef,
                     ExternalId, ImportReport, ImportRowError, Money, Order, OrderItem, RecordList, SavedSegment,
                     SegmentDelta)
from . import _core
from ._segments import SEGMENT_FUNCTIONS, SEGMENT_KINDS, Expr, F, Frame, segment
from ._calendars import WEEKDAYS, BusinessCalendar, StoredCalendar
from ._database import Actor, Database, ManualClock, Transaction, UpsertResult, open
from ._tasks import TASK_LISTS, TASK_PRIORITIES, TASK_REF_KINDS, TASK_STATUSES, Task
from ._analytics import (CLASSIC_RFM_SEGMENTS, COHORT_PERIODS, ChurnRate, FunnelResult, InterpurchaseIntervals,
                         RepurchaseRate, RfmSummary, StageFunnel, churn, cohorts, funnel, interpurchase_intervals,
                         repurchase_rate, rfm, rfm_summary, stage_funnel, value_tiers)
from ._lifecycle import LifecycleModel, Stage, Transition, default_model as default_lifecycle_model
from . import clv  # CLV models: rapport.clv.BetaGeo, ... (docs/python-clv.md)
from . import plot  # matplotlib is imported only when a plot is drawn

__version__: str = _core.version()

#: Custom field types, customer kinds, contact kinds and activity kinds as the core spells them.
FIELD_TYPES: tuple[str, ...] = tuple(_core.FIELD_TYPES)
CUSTOMER_KINDS: tuple[str, ...] = tuple(_core.CUSTOMER_KINDS)
CONTACT_KINDS: tuple[str, ...] = tuple(_core.CONTACT_KINDS)
ACTIVITY_KINDS: tuple[str, ...] = tuple(_core.ACTIVITY_KINDS)

__all__ = [
    "BusinessCalendar", "StoredCalendar", "WEEKDAYS",
    "open", "Database", "Transaction", "ManualClock", "Actor", "UpsertResult",
    "Customer", "CustomerPage", "ContactPoint", "ContactRole", "CustomFieldDef", "ExternalId",
    "Money", "Order", "OrderItem", "Activity", "Change", "ImportReport", "ImportRowError", "RecordList",
    "Task", "TASK_PRIORITIES", "TASK_STATUSES", "TASK_REF_KINDS", "TASK_LISTS",
    "Expr", "F", "Frame", "segment", "SavedSegment", "SegmentDelta", "SEGMENT_FUNCTIONS", "SEGMENT_KINDS",
    "Error", "ValidationError", "NotFoundError", "AlreadyExistsError", "ConflictError",
    "PermissionDeniedError", "StageGateError", "BusyError", "CorruptError", "CancelledError",
    "InternalError",
    "rfm", "rfm_summary", "RfmSummary", "value_tiers", "cohorts", "repurchase_rate", "RepurchaseRate",
    "interpurchase_intervals", "InterpurchaseIntervals", "churn", "ChurnRate", "funnel", "FunnelResult",
    "stage_funnel", "StageFunnel", "CLASSIC_RFM_SEGMENTS", "COHORT_PERIODS", "plot", "clv",
    "LifecycleModel", "Stage", "Transition", "default_lifecycle_model",
    "FIELD_TYPES", "CUSTOMER_KINDS", "CONTACT_KINDS", "ACTIVITY_KINDS", "__version__",
]
