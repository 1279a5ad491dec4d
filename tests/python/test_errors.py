"""The exception classes and the mapping of core status codes onto them."""

import pickle

import pytest

import rapport
from rapport import _core

# absl::StatusCode numbers (the C ABI uses the same numbering).
CODES = {
    1: ("CANCELLED", rapport.CancelledError),
    3: ("INVALID_ARGUMENT", rapport.ValidationError),
    5: ("NOT_FOUND", rapport.NotFoundError),
    6: ("ALREADY_EXISTS", rapport.AlreadyExistsError),
    7: ("PERMISSION_DENIED", rapport.PermissionDeniedError),
    9: ("FAILED_PRECONDITION", rapport.StageGateError),
    10: ("ABORTED", rapport.ConflictError),
    14: ("UNAVAILABLE", rapport.BusyError),
    15: ("DATA_LOSS", rapport.CorruptError),
    13: ("INTERNAL", rapport.InternalError),
    2: ("UNKNOWN", rapport.Error),
    12: ("UNIMPLEMENTED", rapport.Error),
}


@pytest.mark.parametrize("number", sorted(CODES))
def test_status_codes_map_to_classes(number):
    code, cls = CODES[number]
    with pytest.raises(cls) as info:
        _core._raise_status(number, "field: the rule")
    assert type(info.value) is cls
    assert info.value.code == code
    assert str(info.value) == "field: the rule"
    assert info.value.message == "field: the rule"


def test_hierarchy():
    assert issubclass(rapport.NotFoundError, KeyError)
    assert issubclass(rapport.NotFoundError, rapport.Error)
    assert issubclass(rapport.ValidationError, ValueError)
    for cls in (rapport.AlreadyExistsError, rapport.ConflictError, rapport.PermissionDeniedError,
                rapport.StageGateError, rapport.BusyError, rapport.CorruptError, rapport.InternalError):
        assert issubclass(cls, rapport.Error)
    assert issubclass(rapport.Error, Exception)


def test_not_found_str_is_not_quoted_like_keyerror():
    e = rapport.NotFoundError("customer 7 not found")
    assert str(e) == "customer 7 not found"
    assert e.code == "NOT_FOUND"


def test_errors_pickle():
    e = rapport.ConflictError("version 3 expected, 4 stored")
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is rapport.ConflictError
    assert back.code == "ABORTED" and str(back) == str(e)
