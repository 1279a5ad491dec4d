"""Times the stored CLV models on a large database: fit on the database's orders, apply (score every
customer and replace customer_scores), apply again, read the scores back.

Usage (the build tree's package on the path; Debian's python3 for numpy):
    PYTHONPATH=build/release/bindings/python /usr/bin/python3 benchmarks/clv_store_timing.py [CUSTOMERS] [DIR]

The database is a file in DIR (default $TMPDIR), removed at the end. Customers and orders are written
with Python's sqlite3 straight into a database rapport created (loading a million customers through the
API is bench_core's subject, not this one): each customer buys first on a day of 2024's first 300 days,
then again after exponential gaps (mean 40 days) until a per-customer dropout or day 540; amounts
spread around a spend level of each customer's own (log-normal, median 30 CNY). Fixed seed. Prints one line per step with its wall time.
"""

import datetime as dt
import os
import sqlite3
import sys
import tempfile
import time

import numpy as np

import rapport

UTC = dt.timezone.utc
DAY_US = 86_400_000_000


def generate(path: str, customers: int) -> int:
    rng = np.random.default_rng(2025)
    start = int(dt.datetime(2024, 1, 1, 12, tzinfo=UTC).timestamp()) * 1_000_000
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = NORMAL")
    con.execute("BEGIN")
    con.executemany(
        "INSERT INTO customers (id, kind, name, created_at, updated_at) VALUES (?, 'person', ?, ?, ?)",
        ((i, f"c{i}", start, start) for i in range(1, customers + 1)))
    orders = 0
    batch = []
    first = rng.uniform(0, 300, customers)
    dropout = rng.uniform(0, 0.5, customers)
    typical = rng.lognormal(np.log(3000), 0.6, customers)  # each customer's spend level, minor units
    for i in range(customers):
        day = first[i]
        while day < 540:
            batch.append((i + 1, 100 + int(typical[i] * rng.uniform(0.4, 1.6)), start + int(day) * DAY_US))
            if rng.uniform() < dropout[i]:
                break
            day += 1 + rng.exponential(40)
        if len(batch) >= 100_000:
            con.executemany("INSERT INTO orders (customer_id, amount_minor, currency, ordered_at, status, created_at) "
                            "VALUES (?, ?, 'CNY', ?, 'completed', 0)", batch)
            orders += len(batch)
            batch.clear()
    con.executemany("INSERT INTO orders (customer_id, amount_minor, currency, ordered_at, status, created_at) "
                    "VALUES (?, ?, 'CNY', ?, 'completed', 0)", batch)
    orders += len(batch)
    con.execute("COMMIT")
    con.close()
    return orders


def timed(label: str, fn):
    t0 = time.perf_counter()
    out = fn()
    print(f"{label:<44} {time.perf_counter() - t0:8.2f} s", flush=True)
    return out


def main() -> None:
    customers = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    folder = sys.argv[2] if len(sys.argv) > 2 else tempfile.gettempdir()
    path = os.path.join(folder, f"clv_store_timing_{os.getpid()}.db")
    try:
        rapport.open(path).close()  # the schema
        orders = timed(f"generate {customers:,} customers (sqlite3)", lambda: generate(path, customers))
        print(f"{orders:,} orders")
        clock = rapport.ManualClock(dt.datetime(2025, 6, 30, tzinfo=UTC))
        with rapport.open(path, clock=clock) as db:
            cutoff = dt.datetime(2024, 12, 31, tzinfo=UTC)
            m = timed("clv_fit BG/NBD + Gamma-Gamma (read, summary, fits)", lambda: db.clv_fit("bg", cutoff=cutoff))
            print(f"  params {m['params']}, {m['fit']['distinct_rows']:,} distinct rows")
            n = timed("clv_apply as of 2025-03-31 (first)", lambda: db.clv_apply("bg", dt.datetime(2025, 3, 31, tzinfo=UTC)))
            print(f"  {n:,} customers scored")
            timed("clv_apply as of now (replaces every row)", lambda: db.clv_apply("bg"))
            s = timed("clv_scores (read back)", db.clv_scores)
            print(f"  {len(s):,} rows; mean p_alive {s['p_alive'].mean():.4f}, mean clv {s['clv'].mean():.2f}")
    finally:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)


if __name__ == "__main__":
    main()
