"""Charts of rapport's analyses with matplotlib: :func:`rfm_grid`, :func:`cohort_heatmap`,
:func:`segment_sizes` and :func:`funnel`; for the CLV models (:mod:`rapport.clv`)
:func:`calibration_holdout`, :func:`frequency_recency_matrix`, :func:`probability_alive_matrix` and
:func:`alive_history`, the model checks of lifetimes' plotting module; :func:`stage_distribution`, the
lifecycle stages over time.

Each function draws on ``ax`` (a new figure's axes when None) and returns the Axes; none calls
``plt.show()``. matplotlib is imported on the first call; when no backend has been chosen
(``MPLBACKEND`` unset, pyplot not imported yet) and there is no display, the Agg backend is used, so
charts can be saved with ``ax.figure.savefig(path)`` on a server.
"""

from __future__ import annotations

import os as _os
import sys as _sys
from typing import Any, Mapping

__all__ = ["rfm_grid", "cohort_heatmap", "segment_sizes", "funnel", "calibration_holdout", "frequency_recency_matrix",
           "probability_alive_matrix", "alive_history", "stage_distribution"]


def _pyplot():
    try:
        import matplotlib
    except ImportError as e:  # pragma: no cover - depends on the machine
        raise ImportError("rapport.plot needs matplotlib (Debian: apt install python3-matplotlib)") from e
    headless = _sys.platform.startswith("linux") and not (_os.environ.get("DISPLAY")
                                                          or _os.environ.get("WAYLAND_DISPLAY"))
    if headless and "matplotlib.pyplot" not in _sys.modules and not _os.environ.get("MPLBACKEND"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _axes(ax: Any, size: tuple[float, float]):
    if ax is not None:
        return ax
    plt = _pyplot()
    _, ax = plt.subplots(figsize=size, layout="constrained")  # room for long labels and the colour bar
    return ax


def _text_colour(image: Any, value: float) -> str:
    """Black or white text, whichever reads better on the cell's colour."""
    r, g, b, _ = image.cmap(image.norm(value))
    return "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.5 else "black"


def _pd():
    from ._frames import pandas

    return pandas()


# ------------------------------------------------------------------------------------ RFM grid

def _grid(data: Any, bins: int | None):
    np = __import__("numpy")
    pd = _pd()
    from ._analytics import RfmSummary

    if isinstance(data, RfmSummary):
        return data.grid
    if isinstance(data, pd.DataFrame) and {"r", "f"} <= set(data.columns):
        r = data["r"].to_numpy(dtype=np.int64)
        f = data["f"].to_numpy(dtype=np.int64)
        b = bins or int(max(r.max(initial=1), f.max(initial=1), 2))
        if len(r) and (r.min() < 1 or f.min() < 1 or r.max() > b or f.max() > b):
            raise ValueError(f"rfm_grid: scores must be between 1 and bins ({b})")
        counts = np.bincount((r - 1) * b + (f - 1), minlength=b * b).reshape(b, b)
        return pd.DataFrame(counts, index=pd.RangeIndex(1, b + 1, name="r"), columns=pd.RangeIndex(1, b + 1, name="f"))
    if isinstance(data, pd.DataFrame):  # a grid: index R, columns F
        return data
    raise TypeError(f"rfm_grid: expected an rfm() DataFrame, an RfmSummary or a grid DataFrame, "
                    f"got {type(data).__name__}")


def rfm_grid(data: Any, ax: Any = None, *, bins: int | None = None, cmap: str = "Blues", annotate: bool = True,
             title: str | None = "Customers by R and F score"):
    """A heatmap of customers by R (rows, highest on top) and F (columns) score.

    ``data``: the DataFrame of :func:`rapport.rfm` (counted here; ``bins`` defaults to the highest
    score present), an :class:`rapport.RfmSummary` (its grid) or a grid DataFrame (index R, columns F).
    """
    np = __import__("numpy")
    grid = _grid(data, bins)
    ax = _axes(ax, (6, 5))
    shown = grid.iloc[::-1]
    values = shown.to_numpy(dtype=float)
    image = ax.imshow(values, cmap=cmap, aspect="auto")
    ax.set_xticks(range(values.shape[1]), [str(c) for c in shown.columns])
    ax.set_yticks(range(values.shape[0]), [str(i) for i in shown.index])
    ax.set_xlabel("F (frequency score)")
    ax.set_ylabel("R (recency score)")
    if annotate:
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                if np.isfinite(values[i, j]):
                    ax.text(j, i, f"{values[i, j]:,.0f}", ha="center", va="center", fontsize=8,
                            color=_text_colour(image, values[i, j]))
    ax.figure.colorbar(image, ax=ax, label="customers")
    if title:
        ax.set_title(title)
    return ax


# ------------------------------------------------------------------------------------ cohorts

def cohort_heatmap(cohort_df: Any, ax: Any = None, *, cmap: str = "YlGnBu", annotate: bool | None = None,
                   title: str | None = "Cohort retention"):
    """A heatmap of :func:`rapport.cohorts`: cohorts (oldest on top) by periods since the first
    order. Rates show as percentages, counts as numbers; periods that have not happened are blank.
    ``annotate`` defaults to True up to 400 cells."""
    np = __import__("numpy")
    pd = _pd()
    if not isinstance(cohort_df, pd.DataFrame):
        raise TypeError(f"cohort_heatmap: expected the DataFrame of rapport.cohorts, got {type(cohort_df).__name__}")
    sizes = cohort_df["size"] if "size" in cohort_df.columns else None
    cells = cohort_df.drop(columns="size") if sizes is not None else cohort_df
    values = cells.astype("float64").to_numpy()
    finite = values[np.isfinite(values)]
    rates = finite.size == 0 or float(finite.max()) <= 1.0
    ax = _axes(ax, (max(6.0, 0.45 * values.shape[1] + 3), max(4.0, 0.32 * values.shape[0] + 2)))
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, aspect="auto",
                      vmin=0, vmax=1 if rates else None, interpolation="nearest")
    ax.set_xticks(range(values.shape[1]), [str(c) for c in cells.columns])
    labels = [str(c) if sizes is None else f"{c} ({int(n):,})" for c, n in
              zip(cells.index, sizes if sizes is not None else cells.index)]
    ax.set_yticks(range(values.shape[0]), labels)
    ax.set_xlabel("periods since the first order")
    ax.set_ylabel("cohort (customers)" if sizes is not None else "cohort")
    if annotate is None:
        annotate = values.size <= 400
    if annotate:
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                v = values[i, j]
                if np.isfinite(v):
                    ax.text(j, i, f"{v:.0%}" if rates else f"{v:,.0f}", ha="center", va="center", fontsize=7,
                            color=_text_colour(image, v))
    ax.figure.colorbar(image, ax=ax, label="share of the cohort" if rates else "customers")
    if title:
        ax.set_title(title)
    return ax


# ------------------------------------------------------------------------------------ segment sizes

def _sizes(sizes: Any):
    pd = _pd()
    from ._analytics import RfmSummary
    from ._database import Database

    if isinstance(sizes, Database):
        return pd.Series({s.name: s.members for s in sizes.segments()}, dtype="int64")
    if isinstance(sizes, RfmSummary):
        return sizes.segments["customers"]
    if isinstance(sizes, pd.DataFrame):
        for column in ("segment", "tier"):
            if column in sizes.columns:
                return sizes[column].value_counts(sort=False, dropna=True)
        raise TypeError("segment_sizes: a DataFrame needs a 'segment' or 'tier' column (rapport.rfm, value_tiers)")
    if isinstance(sizes, pd.Series):
        return sizes
    if isinstance(sizes, Mapping):
        return pd.Series(dict(sizes))
    raise TypeError(f"segment_sizes: expected a Series, a dict, an rfm() DataFrame, an RfmSummary or a Database, "
                    f"got {type(sizes).__name__}")


def segment_sizes(sizes: Any, ax: Any = None, *, sort: bool = False, color: str = "tab:blue",
                  title: str | None = "Customers per segment"):
    """A horizontal bar chart of segment sizes, first segment on top.

    ``sizes``: a Series or dict name -> customers, the DataFrame of :func:`rapport.rfm` (its
    segments, in rule order) or :func:`rapport.value_tiers`, an :class:`rapport.RfmSummary`, or a
    :class:`rapport.Database` (its saved segments' member counts). ``sort``: largest first."""
    s = _sizes(sizes)
    if sort:
        s = s.sort_values(ascending=False, kind="stable")
    ax = _axes(ax, (7, max(3.0, 0.4 * len(s) + 1.5)))
    labels = [str(i) for i in s.index]
    values = [float(v) for v in s.to_numpy()]
    bars = ax.barh(range(len(values)), values, color=color)
    ax.set_yticks(range(len(values)), labels)
    ax.invert_yaxis()
    total = sum(values)
    for bar, v in zip(bars, values):
        share = f" ({v / total:.0%})" if total > 0 else ""
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {v:,.0f}{share}", va="center", fontsize=8)
    ax.set_xlabel("customers")
    ax.margins(x=0.2)
    if title:
        ax.set_title(title)
    return ax


# ------------------------------------------------------------------------------------ funnels

def _steps(data: Any):
    """(labels, counts) of a funnel-like result."""
    pd = _pd()
    from ._analytics import FunnelResult, StageFunnel

    if isinstance(data, FunnelResult):
        data = data.steps
    if isinstance(data, StageFunnel):
        return [str(s) for s in data.stages.index], data.stages["entered"].astype(float).tolist()
    if isinstance(data, pd.DataFrame) and "customers" in data.columns:
        kinds = data["kind"] if "kind" in data.columns else data.index
        labels = [f"{i}. {k}" for i, k in zip(data.index, kinds)] if "kind" in data.columns else [str(k) for k in kinds]
        return labels, data["customers"].astype(float).tolist()
    if isinstance(data, pd.DataFrame) and "entered" in data.columns:
        return [str(s) for s in data.index], data["entered"].astype(float).tolist()
    if isinstance(data, pd.Series):
        return [str(i) for i in data.index], data.astype(float).tolist()
    raise TypeError(f"funnel: expected the DataFrame of rapport.funnel, a FunnelResult, a StageFunnel or a Series, "
                    f"got {type(data).__name__}")


def funnel(funnel_df: Any, ax: Any = None, *, color: str = "tab:green", title: str | None = "Funnel"):
    """A funnel chart: one centred bar per step (first on top), labelled with its customers and the
    share of the first step.

    ``funnel_df``: the DataFrame of :func:`rapport.funnel` (or its :class:`FunnelResult`), a
    :class:`rapport.StageFunnel` (entered per stage) or a Series step -> count."""
    labels, values = _steps(funnel_df)
    ax = _axes(ax, (7, max(3.0, 0.6 * len(values) + 1.5)))
    widest = max(values, default=0.0) or 1.0
    lefts = [(widest - v) / 2 for v in values]
    bars = ax.barh(range(len(values)), values, left=lefts, color=color)
    first = values[0] if values else 0.0
    for bar, v in zip(bars, values):
        share = f" ({v / first:.0%})" if first > 0 else ""
        ax.text(widest / 2, bar.get_y() + bar.get_height() / 2, f"{v:,.0f}{share}", ha="center", va="center",
                fontsize=9, color="black")
    ax.set_yticks(range(len(values)), labels)
    ax.invert_yaxis()
    ax.set_xticks([])
    ax.set_xlim(0, widest)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    if title:
        ax.set_title(title)
    return ax


# ------------------------------------------------------------------------------------ CLV model checks

def _clv_table(data: Any, summary: Any, max_frequency: int):
    """The DataFrame of rapport.clv.calibration_holdout, or a fitted model and a summary to compute it."""
    pd = _pd()
    from . import clv

    if summary is not None:
        return clv.calibration_holdout(data, summary, max_frequency)
    if isinstance(data, pd.DataFrame) and {"actual", "expected"} <= set(data.columns):
        return data
    raise TypeError("calibration_holdout: expected the DataFrame of rapport.clv.calibration_holdout, or a fitted "
                    f"model and a summary DataFrame, got {type(data).__name__}")


def calibration_holdout(data: Any, summary: Any = None, ax: Any = None, *, max_frequency: int = 7,
                        title: str | None = "Actual vs expected purchases in the holdout period"):
    """Mean purchases in the holdout period, actual against the model's expectation, by purchases in
    the calibration period (the last group right-censored: "7+"), as in Fader, Hardie & Lee (2005).

    ``data``: the DataFrame of :func:`rapport.clv.calibration_holdout`, or a fitted ``BetaGeo`` /
    ``ParetoNBD`` with its ``summary`` (computed here)."""
    table = _clv_table(data, summary, max_frequency)
    ax = _axes(ax, (7, 4.5))
    xs = list(range(len(table)))
    labels = [str(f) for f in table.index]
    if labels:
        labels[-1] += "+"
    ax.plot(xs, table["actual"].to_numpy(dtype=float), marker="o", color="tab:blue", label="actual")
    ax.plot(xs, table["expected"].to_numpy(dtype=float), marker="s", linestyle="--", color="tab:orange",
            label="model")
    ax.set_xticks(xs, labels)
    ax.set_xlabel("purchases in the calibration period")
    ax.set_ylabel("mean purchases in the holdout period")
    if "customers" in table.columns:
        for x, n in zip(xs, table["customers"].to_numpy(dtype=float)):
            ax.annotate(f"{n:,.0f}", (x, 0), xytext=(0, 2), textcoords="offset points", ha="center", va="bottom",
                        fontsize=7, color="grey", xycoords=("data", "axes fraction"))
    ax.legend()
    if title:
        ax.set_title(title)
    return ax


def _matrix(data: Any, which: str, summary: Any, kwargs: dict):
    pd = _pd()
    from . import clv

    if isinstance(data, clv.FrequencyRecencyMatrix):
        return getattr(data, which), data.T, data.t
    if isinstance(data, pd.DataFrame):
        return data, None, None
    if isinstance(data, (clv.BetaGeo, clv.ParetoNBD)):
        m = clv.frequency_recency_matrix(data, summary, **kwargs)
        return getattr(m, which), m.T, m.t
    raise TypeError("expected the result of rapport.clv.frequency_recency_matrix, one of its DataFrames, or a "
                    f"fitted BetaGeo / ParetoNBD (with a summary), got {type(data).__name__}")


def _heatmap(values: Any, ax: Any, cmap: str, label: str, title: str | None, vmax: float | None):
    np = __import__("numpy")
    ax = _axes(ax, (7, 5.5))
    image = ax.imshow(np.ma.masked_invalid(values.to_numpy(dtype=float)), cmap=cmap, aspect="auto",
                      interpolation="nearest", vmin=0, vmax=vmax)
    cols = values.columns.to_numpy(dtype=float)
    rows = values.index.to_numpy()
    step_c = max(1, len(cols) // 10)
    step_r = max(1, len(rows) // 10)
    ax.set_xticks(range(0, len(cols), step_c), [f"{c:g}" for c in cols[::step_c]])
    ax.set_yticks(range(0, len(rows), step_r), [str(r) for r in rows[::step_r]])
    ax.set_xlabel("recency (time of the last purchase)")
    ax.set_ylabel("frequency (repeat purchases)")
    ax.figure.colorbar(image, ax=ax, label=label)
    if title:
        ax.set_title(title)
    return ax


def frequency_recency_matrix(data: Any, summary: Any = None, ax: Any = None, *, cmap: str = "viridis",
                             title: str | None = None, **kwargs: Any):
    """A heat map of the expected purchases in the next t by frequency (rows, 0 on top) and recency
    (columns), for customers observed for T (lifetimes' ``plot_frequency_recency_matrix``).

    ``data``: the result of :func:`rapport.clv.frequency_recency_matrix` (or its ``expected``
    DataFrame), or a fitted model with a ``summary``; ``kwargs`` (T, max_frequency, recency, t) go to
    :func:`rapport.clv.frequency_recency_matrix`. Cells that describe nobody (frequency 0, recency > 0)
    are blank."""
    values, T, t = _matrix(data, "expected", summary, kwargs)
    if title is None:
        title = "Expected purchases" + (f" in the next {t:g} by frequency and recency (T = {T:g})" if T else "")
    return _heatmap(values, ax, cmap, "expected purchases", title, None)


def probability_alive_matrix(data: Any, summary: Any = None, ax: Any = None, *, cmap: str = "RdYlGn",
                             title: str | None = None, **kwargs: Any):
    """A heat map of P(alive) by frequency and recency (lifetimes' ``plot_probability_alive_matrix``);
    arguments as :func:`frequency_recency_matrix`."""
    values, T, _ = _matrix(data, "p_alive", summary, kwargs)
    if title is None:
        title = "P(alive) by frequency and recency" + (f" (T = {T:g})" if T else "")
    return _heatmap(values, ax, cmap, "P(alive)", title, 1.0)


def alive_history(history: Any, ax: Any = None, *, color: str = "tab:blue",
                  title: str | None = "P(alive) over time"):
    """One customer's P(alive) over time with a dashed line at each repeat purchase (lifetimes'
    ``plot_history_alive``). ``history``: the DataFrame of :func:`rapport.clv.alive_history`."""
    pd = _pd()
    if not isinstance(history, pd.DataFrame) or not {"p_alive", "purchase"} <= set(history.columns):
        raise TypeError(f"alive_history: expected the DataFrame of rapport.clv.alive_history, "
                        f"got {type(history).__name__}")
    ax = _axes(ax, (8, 4))
    ax.plot(history.index, history["p_alive"].to_numpy(dtype=float), color=color, label="P(alive)")
    for i, when in enumerate(history.index[history["purchase"].to_numpy(dtype=bool)]):
        ax.axvline(when, color="grey", linestyle="--", linewidth=0.8, label="purchase" if i == 0 else None)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("P(alive)")
    ax.legend(loc="lower left")
    ax.tick_params(axis="x", labelrotation=30)
    if title:
        ax.set_title(title)
    return ax


# ------------------------------------------------------------------------------------ lifecycle

def stage_distribution(distribution: Any, ax: Any = None, *, share: bool = False, cmap: str = "tab10",
                       title: str | None = "Customers per lifecycle stage"):
    """A stacked area chart of customers per lifecycle stage over time, first stage at the bottom.

    ``distribution``: the DataFrame of :meth:`rapport.Database.stage_distribution` (one row per period,
    one column per stage, in lifecycle order). ``share``: each period as fractions of its total."""
    pd = _pd()
    df = pd.DataFrame(distribution).astype("float64")
    if share:
        totals = df.sum(axis=1).replace(0.0, float("nan"))
        df = df.div(totals, axis=0).fillna(0.0)
    ax = _axes(ax, (9, 4.5))
    plt = _pyplot()
    colours = plt.get_cmap(cmap)
    x = df.index.to_pydatetime() if hasattr(df.index, "to_pydatetime") else list(df.index)
    ax.stackplot(x, *[df[c].to_numpy() for c in df.columns], labels=[str(c) for c in df.columns],
                 colors=[colours(i % colours.N) for i in range(len(df.columns))], step=None)
    ax.set_ylabel("share of customers" if share else "customers")
    ax.set_xlabel("period")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    ax.margins(x=0)
    if title:
        ax.set_title(title)
    return ax
