#!/usr/bin/python3
"""pandas peer of the analytics benchmarks (benchmarks/ANALYTICS.md has the task definitions).

    /usr/bin/python3 benchmarks/peers/pandas_bench.py DATADIR [--runs 3] [--tasks rfm,segment_cold,...]

DATADIR is written by bench_datagen. Loading (numpy.fromfile of the raw columns into DataFrames with
category and datetime64 columns) is not timed; each task runs --runs times. Prints one JSON line per
task: {"engine": "pandas", "task": ..., "seconds": [...], "digest": ...}. pandas runs on one core.
"""
import argparse
import json
import os
import resource
import sys
import time

import numpy as np
import pandas as pd

M = 2147483647  # digest modulus (2^31 - 1)


def digest_rows(*columns):
    """Sum of the row hashes of integer columns (ANALYTICS.md, "Digests"), as a Python int."""
    h = np.zeros(len(columns[0]), dtype=np.int64)
    for c in columns:
        h = (h * 1000003 + np.asarray(c, dtype=np.int64)) % M
    return int(((h * h) % M).sum())


def load(datadir):
    meta = json.load(open(os.path.join(datadir, "meta.json"), encoding="utf-8"))

    def col(name, dtype):
        ext = "i64" if dtype == np.int64 else "i8"
        return np.fromfile(os.path.join(datadir, "bin", f"{name}.{ext}"), dtype=dtype)

    def times(name):
        return (col(name, np.int64) * 1000).view("datetime64[ns]")

    def cat(name, categories):
        return pd.Categorical.from_codes(col(name, np.int8), categories=categories)

    n = meta["customers"]
    data = {
        "customers": pd.DataFrame({
            "id": np.arange(1, n + 1, dtype=np.int64),
            "industry": cat("customers.industry", meta["industries"]),
            "region": cat("customers.region", meta["regions"]),
            "created_at": times("customers.created_at"),
        }),
        "tags": pd.DataFrame({
            "customer_id": col("tags.customer_id", np.int64),
            "tag": cat("tags.tag", meta["tag_names"]),
        }),
        "orders": pd.DataFrame({
            "customer_id": col("orders.customer_id", np.int64),
            "ordered_at": times("orders.ordered_at"),
            "amount_cents": col("orders.amount_cents", np.int64),
        }),
        "events": pd.DataFrame({
            "customer_id": col("events.customer_id", np.int64),
            "kind": cat("events.kind", meta["event_kinds"]),
            "at": times("events.at"),
        }),
        "stages": pd.DataFrame({
            "entity_id": col("stages.entity_id", np.int64),
            "stage": cat("stages.stage", meta["stages"]),
            "entered_at": times("stages.entered_at"),
        }),
    }
    return meta, data


# ---------------------------------------------------------------------------------------------
# (a) RFM
# ---------------------------------------------------------------------------------------------

def rfm(meta, d):
    as_of = pd.Timestamp(meta["as_of"])
    orders = d["orders"]
    orders = orders[orders["ordered_at"] <= as_of]
    agg = orders.groupby("customer_id").agg(
        last_order_at=("ordered_at", "max"), frequency=("ordered_at", "size"), monetary=("amount_cents", "sum"))
    agg["recency_days"] = (as_of - agg["last_order_at"]) // pd.Timedelta(days=1)
    n = len(agg)

    def score(rank):
        return (1 + (5 * (rank.astype(np.int64) - 1)) // n).astype(np.int8)

    agg["r"] = score(agg["recency_days"].rank(method="min", ascending=False))
    agg["f"] = score(agg["frequency"].rank(method="min"))
    agg["m"] = score(agg["monetary"].rank(method="min"))
    # Segment of each (R, F) cell: a 5x5 lookup built from the rules.
    names = [rule[0] for rule in meta["rfm_rules"]]
    grid = np.full((6, 6), -1, dtype=np.int8)
    for code, (_, r0, r1, f0, f1) in reversed(list(enumerate(meta["rfm_rules"]))):
        grid[r0:r1 + 1, f0:f1 + 1] = code
    agg["segment"] = pd.Categorical.from_codes(grid[agg["r"].to_numpy(), agg["f"].to_numpy()], categories=names)
    return agg


def rfm_digest(meta, agg):
    seg = agg["segment"].cat.codes.to_numpy()
    h = digest_rows(agg.index.to_numpy(), agg["recency_days"], agg["frequency"], agg["monetary"],
                    agg["r"], agg["f"], agg["m"], seg)
    segs = np.bincount(seg[seg >= 0], minlength=len(meta["rfm_rules"]))

    def counts(c):
        return ",".join(str(x) for x in np.bincount(agg[c].to_numpy(), minlength=6)[1:])

    return (f"rows={len(agg)} hash={h} segments={','.join(str(x) for x in segs)}"
            f" r={counts('r')} f={counts('f')} m={counts('m')}")


# ---------------------------------------------------------------------------------------------
# (b) Segment: cold from the raw tables, warm on a prepared per-customer frame
# ---------------------------------------------------------------------------------------------

def segment_cold(meta, d):
    as_of = pd.Timestamp(meta["as_of"])
    c = d["customers"]
    ids = c.loc[c["industry"].isin(meta["segment_industries"]) & (c["region"] == meta["segment_region"]), "id"]
    tags = d["tags"]
    ids = ids[ids.isin(tags.loc[tags["tag"] == meta["segment_tag"], "customer_id"])]
    orders = d["orders"]
    o = orders[orders["customer_id"].isin(ids)]
    agg = o.groupby("customer_id").agg(monetary=("amount_cents", "sum"), last_order_at=("ordered_at", "max"))
    days = (as_of - agg["last_order_at"]) // pd.Timedelta(days=1)
    keep = (agg["monetary"] > meta["segment_min_monetary_cents"]) & (days <= meta["segment_max_days"])
    return agg.index[keep.to_numpy()].to_numpy()


def prepare_warm(meta, d):
    """The per-customer frame an analyst keeps: attributes, order aggregates, one bool column per tag."""
    c = d["customers"].set_index("id", drop=False)
    agg = d["orders"].groupby("customer_id").agg(monetary=("amount_cents", "sum"), last_order_at=("ordered_at", "max"))
    frame = c.join(agg)
    frame["monetary"] = frame["monetary"].fillna(0).astype(np.int64)
    onehot = pd.crosstab(d["tags"]["customer_id"], d["tags"]["tag"]).astype(bool).add_prefix("tag_")
    frame = frame.join(onehot)
    for t in meta["tag_names"]:
        col = "tag_" + t
        frame[col] = frame[col].fillna(False).astype(bool) if col in frame else False
    return frame.reset_index(drop=True)


def segment_warm(meta, frame):
    as_of = pd.Timestamp(meta["as_of"])
    days = (as_of - frame["last_order_at"]) // pd.Timedelta(days=1)
    keep = (frame["industry"].isin(meta["segment_industries"]) & (frame["region"] == meta["segment_region"])
            & frame["tag_" + meta["segment_tag"]] & (frame["monetary"] > meta["segment_min_monetary_cents"])
            & (days <= meta["segment_max_days"]))
    return frame["id"].to_numpy()[keep.to_numpy()]


def segment_digest(meta, ids):
    ids = np.sort(ids)
    return f"members={len(ids)} hash={digest_rows(ids) if len(ids) else 0} first={','.join(str(x) for x in ids[:3])}"


# ---------------------------------------------------------------------------------------------
# (c) Event funnel
# ---------------------------------------------------------------------------------------------

def event_funnel(meta, d):
    e = d["events"]
    window = pd.Timedelta(microseconds=meta["funnel_window_us"])
    kinds = meta["event_kinds"]
    t1 = e.loc[e["kind"] == kinds[0]].groupby("customer_id")["at"].min()
    cur = pd.DataFrame({"customer_id": t1.index, "t1": t1.to_numpy(), "prev": t1.to_numpy()})
    counts = [len(cur)]
    for kind in kinds[1:]:
        step = e.loc[e["kind"] == kind, ["customer_id", "at"]].merge(cur, on="customer_id")
        step = step[(step["at"] > step["prev"]) & (step["at"] <= step["t1"] + window)]
        cur = step.groupby("customer_id", as_index=False).agg(t1=("t1", "first"), prev=("at", "min"))
        counts.append(len(cur))
    return counts


def funnel_digest(meta, counts):
    return "steps=" + ",".join(str(c) for c in counts)


# ---------------------------------------------------------------------------------------------
# (d) Stage funnel with median time in stage
# ---------------------------------------------------------------------------------------------

def stage_funnel(meta, d):
    ordered = meta["ordered_stages"]
    # In time order, so that shift(-1) within an entity's group is its next row; an entity's last visit has none.
    h = d["stages"].sort_values("entered_at", kind="stable")
    h = h.assign(ord=h["stage"].cat.codes.astype(np.int8))  # category order is the pipeline order; lost last
    secs = (h.groupby("entity_id")["entered_at"].shift(-1) - h["entered_at"]).dt.total_seconds()
    time_in = secs.groupby(h["ord"]).agg(["count", "median"])
    # Entered: entities with a visit; advanced: entered a later stage of the order after the first entry.
    inorder = h[h["ord"] < ordered]
    first = inorder.groupby(["entity_id", "ord"], as_index=False)["entered_at"].min()
    pairs = first.merge(inorder[["entity_id", "ord", "entered_at"]], on="entity_id", suffixes=("", "_later"))
    pairs = pairs[(pairs["ord_later"] > pairs["ord"]) & (pairs["entered_at_later"] > pairs["entered_at"])]
    advanced = pairs.drop_duplicates(["entity_id", "ord"]).groupby("ord").size()
    entered = first.groupby("ord").size()
    out = pd.DataFrame({"stage": meta["stages"][:ordered]}, index=pd.RangeIndex(ordered))
    out["entered"] = entered.reindex(out.index, fill_value=0)
    out["advanced"] = advanced.reindex(out.index, fill_value=0)
    out["conversion"] = out["advanced"] / out["entered"]
    out["closed_visits"] = time_in["count"].reindex(out.index, fill_value=0)
    out["median_seconds"] = time_in["median"].reindex(out.index)
    return out


def stage_digest(meta, out):
    parts = []
    for row in out.itertuples():
        med = "nan" if row.closed_visits == 0 else str(int(round(row.median_seconds * 1000)))
        parts.append(f"{row.stage}={row.entered}/{row.advanced}/{row.closed_visits}/{med}")
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------
# (e) Cohort retention by first-order month
# ---------------------------------------------------------------------------------------------

def cohort(meta, d):
    o = d["orders"]
    month = o["ordered_at"].to_numpy().astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    om = pd.DataFrame({"customer_id": o["customer_id"].to_numpy(), "month": month}).drop_duplicates()
    om["cohort"] = om.groupby("customer_id")["month"].transform("min")
    om["k"] = om["month"] - om["cohort"]
    return om.groupby(["cohort", "k"]).size()


def cohort_digest(meta, cells):
    cohort = cells.index.get_level_values(0).to_numpy()
    k = cells.index.get_level_values(1).to_numpy()
    yyyymm = (1970 + cohort // 12) * 100 + cohort % 12 + 1
    n = cells.to_numpy()
    return (f"cohorts={len(np.unique(cohort))} cells={len(cells)} total={int(n.sum())}"
            f" hash={digest_rows(yyyymm, k, n)}")


TASKS = {
    "rfm": (rfm, rfm_digest),
    "segment_cold": (segment_cold, segment_digest),
    "segment_warm": (segment_warm, segment_digest),
    "event_funnel": (event_funnel, funnel_digest),
    "stage_funnel": (stage_funnel, stage_digest),
    "cohort": (cohort, cohort_digest),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("datadir")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--tasks", default=",".join(TASKS))
    args = ap.parse_args()
    t0 = time.perf_counter()
    meta, d = load(args.datadir)
    warm = None
    print(f"pandas {pd.__version__}, numpy {np.__version__}: loaded {meta['customers']} customers in "
          f"{time.perf_counter() - t0:.1f} s", file=sys.stderr)
    for task in args.tasks.split(","):
        fn, digest = TASKS[task]
        arg = d
        if task == "segment_warm":
            if warm is None:
                warm = prepare_warm(meta, d)  # untimed, as the other engines' warm frames
            arg = warm
        seconds = []
        result = None
        for _ in range(args.runs):
            t = time.perf_counter()
            result = fn(meta, arg)
            seconds.append(time.perf_counter() - t)
        print(json.dumps({"engine": "pandas", "task": task, "seconds": seconds, "digest": digest(meta, result)},
                         ensure_ascii=False), flush=True)
    # The process's peak resident memory (loading included); ru_maxrss is in KiB on Linux.
    print(json.dumps({"engine": "pandas", "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}),
          flush=True)


if __name__ == "__main__":
    main()
