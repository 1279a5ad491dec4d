"""Exceptions raised by rapport.

Every failure of a call into the core raises a subclass of :class:`Error`. ``Error.code`` is the
status code name shared with the C ABI (``"INVALID_ARGUMENT"``, ``"NOT_FOUND"``, ...). The C++
extension maps absl::Status codes onto these classes (see ``src/errors.cc``).

Wrong Python *types* (e.g. an ``int`` where a name is expected) raise the builtin ``TypeError``;
wrong *values* raise :class:`ValidationError`.
"""

from __future__ import annotations

__all__ = [
    "Error",
    "ValidationError",
    "NotFoundError",
    "AlreadyExistsError",
    "ConflictError",
    "PermissionDeniedError",
    "StageGateError",
    "BusyError",
    "CorruptError",
    "CancelledError",
    "InternalError",
]


class Error(Exception):
    """Base class of every rapport error. ``code`` names the status, ``message`` explains it."""

    code: str = "UNKNOWN"

    def __init__(self, message: str = "", code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r})"

    def __reduce__(self):  # picklable across processes
        return (type(self), (self.message, self.code))


class ValidationError(Error, ValueError):
    """Bad input (INVALID_ARGUMENT): the message names the field and the rule."""

    code = "INVALID_ARGUMENT"


class NotFoundError(Error, KeyError):
    """No such record (NOT_FOUND)."""

    code = "NOT_FOUND"


class AlreadyExistsError(Error):
    """A unique key (external id, unique custom field, consumer name, ...) is taken (ALREADY_EXISTS)."""

    code = "ALREADY_EXISTS"


class ConflictError(Error):
    """The record changed since it was read: stale ``expected_version`` (ABORTED)."""

    code = "ABORTED"


class PermissionDeniedError(Error):
    """The actor may not do this (PERMISSION_DENIED)."""

    code = "PERMISSION_DENIED"


class StageGateError(Error):
    """A precondition does not hold: stage gate, illegal transition, newer file (FAILED_PRECONDITION)."""

    code = "FAILED_PRECONDITION"


class BusyError(Error):
    """The database is busy (UNAVAILABLE); retrying later may succeed."""

    code = "UNAVAILABLE"


class CorruptError(Error):
    """The database file is damaged (DATA_LOSS)."""

    code = "DATA_LOSS"


class CancelledError(Error):
    """The operation was cancelled, e.g. by an import progress callback (CANCELLED)."""

    code = "CANCELLED"


class InternalError(Error):
    """A bug in rapport (INTERNAL)."""

    code = "INTERNAL"


# Shown (and pickled) as rapport.<Name>, where users catch them.
for _cls in (Error, ValidationError, NotFoundError, AlreadyExistsError, ConflictError, PermissionDeniedError,
             StageGateError, BusyError, CorruptError, CancelledError, InternalError):
    _cls.__module__ = "rapport"
del _cls
