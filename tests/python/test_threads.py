"""Several threads on one file database, with the GIL released inside every call."""

import threading
import time

import rapport


def test_concurrent_writers_and_readers(tmp_path):
    with rapport.open(tmp_path / "mt.db") as db:
        errors = []
        per_thread = 40

        def writer(n):
            try:
                handle = db.with_actor(n, origin=f"w{n}")
                for i in range(per_thread):
                    c = handle.create_customer(f"T{n}-{i}", tags=[f"t{n}"])
                    handle.update_customer(c.id, industry="x")
            except Exception as e:  # pragma: no cover - reported below
                errors.append(e)

        def reader():
            try:
                for _ in range(60):
                    db.search_customers(limit=20)
                    db.changes(limit=50)
            except Exception as e:  # pragma: no cover
                errors.append(e)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(1, 5)]
        threads += [threading.Thread(target=reader) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not errors, errors
        assert not any(t.is_alive() for t in threads)
        for n in range(1, 5):
            assert len(db.search_customers(tags=[f"t{n}"], limit=1000)) == per_thread
        assert db.last_change_seq == 4 * per_thread * 2


def test_gil_released_while_waiting_for_writer(tmp_path):
    """Thread A holds a transaction; thread B's write waits inside the core. If B held the GIL while
    waiting, A could not run the Python code that commits, and B would time out (BusyError)."""
    with rapport.open(tmp_path / "gil.db", busy_timeout_ms=20000) as db:
        started = threading.Event()
        result = {}

        def b():
            started.set()
            try:
                result["c"] = db.create_customer("B")
            except Exception as e:  # pragma: no cover
                result["e"] = e

        with db.transaction():
            db.create_customer("A")
            t = threading.Thread(target=b, daemon=True)
            t.start()
            started.wait(5)
            deadline = time.monotonic() + 0.3
            while time.monotonic() < deadline:  # Python work in A needs the GIL
                sum(range(1000))
        t.join(30)
        assert not t.is_alive(), "writer thread stuck: the GIL was held while waiting"
        assert "e" not in result, result.get("e")
        assert result["c"].name == "B"
        assert len(db.search_customers()) == 2


def test_progress_callback_from_import_thread(tmp_path):
    with rapport.open(tmp_path / "imp.db") as db:
        rows = "name\n" + "".join(f"R{i}\n" for i in range(200))
        calls = []
        ticker_runs = []
        stop = threading.Event()

        def ticker():
            while not stop.is_set():
                ticker_runs.append(1)
                time.sleep(0.001)

        t = threading.Thread(target=ticker, daemon=True)
        t.start()
        report = db.import_csv(rows, {"name": "name"}, progress=calls.append, progress_every=20)
        stop.set()
        t.join(5)
        assert report.created == 200 and calls[-1] == 200


def test_close_while_another_thread_writes(tmp_path):
    db = rapport.open(tmp_path / "close.db")
    errors = []

    def worker():
        for i in range(100000):
            try:
                db.create_customer(f"n{i}")
            except rapport.Error as e:
                errors.append(e)
                return

    t = threading.Thread(target=worker, daemon=True)
    t.start()
    time.sleep(0.05)
    db.close()
    t.join(30)
    assert not t.is_alive()
    assert errors and "closed" in str(errors[0])
    with rapport.open(tmp_path / "close.db") as again:  # the file is intact
        assert len(again.search_customers(limit=5)) > 0
