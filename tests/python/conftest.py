"""Shared fixtures. Run with PYTHONPATH set to the build tree's bindings/python directory (CTest does
this) or with rapport installed."""

import datetime as dt

import pytest

import rapport

UTC = dt.timezone.utc
START = dt.datetime(2024, 1, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    return rapport.ManualClock(START)


@pytest.fixture
def db(clock):
    with rapport.open(":memory:", clock=clock, default_region="CN") as d:
        yield d


@pytest.fixture
def file_db(tmp_path, clock):
    with rapport.open(tmp_path / "crm.db", clock=clock, default_region="CN") as d:
        yield d
