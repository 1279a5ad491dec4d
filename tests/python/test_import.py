"""CSV import: text, files, upsert, row errors, all-or-nothing, progress and cancellation."""

import io
import pathlib

import pytest

import rapport

CSV = """name,mail,tel,tags,erp_id,industry
Alice,alice@example.com,13800138000,vip;beta,E1,retail
Bob,bob@example.com,,,E2,
Carol,not-an-email,,,E3,banking
"""
MAPPING = {"name": "name", "mail": "email", "tel": "phone", "tags": "tags", "erp_id": "external_id:erp",
           "industry": "industry"}


def test_import_text_reports_rows_and_errors(db):
    report = db.import_csv(CSV, MAPPING)
    assert isinstance(report, rapport.ImportReport)
    assert (report.rows, report.created, report.updated, report.failed) == (3, 2, 0, 1)
    assert report.committed
    (err,) = report.errors
    assert isinstance(err, rapport.ImportRowError)
    assert err.row == 3 and "email" in (err.field + err.reason).lower()
    alice = db.find_by_external_id("erp", "E1")
    assert alice.tags == ["beta", "vip"] and alice.phones == ["+8613800138000"]
    assert "ImportReport" in repr(report)


def test_import_file_path_and_pathlike_and_fileobj(db, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(CSV, encoding="utf-8")
    assert db.import_csv(str(path), MAPPING, upsert_system="erp").created == 2
    again = db.import_csv(pathlib.Path(path), MAPPING, upsert_system="erp")
    assert again.created == 0 and again.updated == 2
    assert db.import_csv(io.StringIO(CSV), MAPPING, upsert_system="erp").updated == 2
    with pytest.raises(rapport.Error):
        db.import_csv(str(tmp_path / "absent.csv"), MAPPING)


def test_import_all_or_nothing_commits_nothing(db):
    before = db.last_change_seq
    report = db.import_csv(CSV, MAPPING, all_or_nothing=True)
    assert not report.committed and report.failed == 1
    assert db.last_change_seq == before
    assert len(db.search_customers()) == 0


def test_import_progress_called_and_cancel(db):
    rows = "name\n" + "".join(f"P{i}\n" for i in range(25))
    seen = []
    report = db.import_csv(rows, {"name": "name"}, progress=seen.append, progress_every=10)
    assert report.created == 25
    assert seen and seen[-1] == 25 and seen == sorted(seen)
    before = db.last_change_seq
    try:
        cancelled = db.import_csv(rows, {"name": "name"}, progress=lambda n: n < 10, progress_every=10)
    except rapport.CancelledError:
        pass
    else:
        assert not cancelled.committed
    assert db.last_change_seq == before
    assert len(db.search_customers(limit=100)) == 25


def test_import_progress_exception_propagates_and_cancels(db):
    rows = "name\n" + "".join(f"P{i}\n" for i in range(30))

    def progress(n):
        raise ZeroDivisionError("stop here")

    with pytest.raises(ZeroDivisionError, match="stop here"):
        db.import_csv(rows, {"name": "name"}, progress=progress, progress_every=10)
    assert db.last_change_seq == 0


def test_import_bad_arguments(db):
    with pytest.raises(rapport.ValidationError, match="delimiter"):
        db.import_csv("a,b\n1,2\n", {"a": "name"}, delimiter=";;")
    with pytest.raises(TypeError):
        db.import_csv(42, {})
    with pytest.raises(TypeError):
        db.import_csv("a\n1\n", {"a": "name"}, progress=5)
    with pytest.raises(rapport.ValidationError):
        db.import_csv("a\n1\n", {"a": "\udcff"})
