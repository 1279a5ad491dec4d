"""to_pandas(): typed columns."""

import datetime as dt

import pytest

pd = pytest.importorskip("pandas")

from conftest import START  # noqa: E402


def _is_utc_datetime(dtype):
    return str(dtype) in ("datetime64[us, UTC]", "datetime64[ns, UTC]")


def test_customers_frame_dtypes(db):
    db.define_custom_field("score", "integer")
    db.define_custom_field("since", "date")
    db.create_customer("Alice", owner=2, birthday=dt.date(1990, 1, 2), tags=["vip"], score=5,
                       emails=["a@example.com"], since=dt.date(2020, 1, 1))
    db.create_customer("Bob")
    df = db.search_customers().to_pandas()
    assert list(df["name"]) == ["Alice", "Bob"]
    assert str(df["id"].dtype) == "int64" and str(df["version"].dtype) == "int64"
    assert str(df["owner"].dtype) == "Int64" and df["owner"].isna().tolist() == [False, True]
    assert _is_utc_datetime(df["created_at"].dtype)
    assert df["created_at"].iloc[0] == pd.Timestamp(START)
    assert _is_utc_datetime(df["deleted_at"].dtype) and df["deleted_at"].isna().all()
    assert str(df["birthday"].dtype).startswith("datetime64") and pd.isna(df["birthday"].iloc[1])
    assert str(df["deleted"].dtype) == "bool"
    assert df["tags"].iloc[0] == ["vip"] and df["emails"].iloc[0] == ["a@example.com"]
    assert str(df["score"].dtype) == "Int64" and df["score"].iloc[0] == 5
    assert str(df["since"].dtype).startswith("datetime64")


def test_empty_frames_have_columns(db):
    df = db.search_customers().to_pandas()
    assert len(df) == 0 and "created_at" in df.columns and _is_utc_datetime(df["created_at"].dtype)
    assert len(db.changes().to_pandas()) == 0


def test_changes_timeline_and_fields_frames(db):
    c = db.with_actor(3, "erp").create_customer("Ann")
    db.add_order(c.id, "9.99", currency="USD", ordered_at=START - dt.timedelta(days=1))
    db.add_activity(c.id, "call")
    ch = db.changes().to_pandas()
    assert str(ch["seq"].dtype) == "int64" and str(ch["actor"].dtype) == "Int64"
    assert _is_utc_datetime(ch["at"].dtype)
    tl = db.timeline(c.id).to_pandas()
    assert list(tl["type"]) == ["activity", "order"]
    assert str(tl["amount_minor"].dtype) == "Int64" and tl["amount_minor"].iloc[1] == 999
    assert _is_utc_datetime(tl["at"].dtype)
    db.define_custom_field("x", "text")
    fields = db.custom_fields().to_pandas()
    assert list(fields["name"]) == ["x"] and str(fields["required"].dtype) == "bool"


def test_import_errors_frame(db):
    report = db.import_csv("name,mail\nA,bad\n", {"name": "name", "mail": "email"})
    df = report.errors_to_pandas()
    assert list(df.columns) == ["row", "field", "reason"] and str(df["row"].dtype) == "int64"
