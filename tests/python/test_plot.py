"""rapport.plot: each chart is drawn, saved as a PNG that is not blank, and returned as its Axes."""

import datetime as dt

import pytest

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")
matplotlib = pytest.importorskip("matplotlib")

import rapport  # noqa: E402
import rapport.plot  # noqa: E402

DAY = 86_400_000_000


@pytest.fixture(scope="module")
def orders():
    rng = np.random.default_rng(1)
    n_customers = 2000
    per = rng.geometric(0.35, size=n_customers)
    customer = np.repeat(np.arange(1, n_customers + 1), per)
    at = pd.Timestamp("2024-01-01", tz="UTC").value // 1000 + rng.integers(0, 365 * DAY, size=len(customer))
    return pd.DataFrame({"customer_id": customer,
                         "ordered_at": pd.to_datetime(at, unit="us", utc=True),
                         "amount": np.round(rng.gamma(2.0, 30.0, size=len(customer)), 2)})


@pytest.fixture(scope="module")
def events():
    rng = np.random.default_rng(2)
    n = 20_000
    kinds = np.array(["visit", "signup", "cart", "buy"])
    customer = rng.integers(1, 3000, size=n)
    kind = kinds[rng.choice(4, size=n, p=[0.5, 0.25, 0.15, 0.1])]
    at = pd.Timestamp("2024-01-01", tz="UTC").value // 1000 + rng.integers(0, 90 * DAY, size=n)
    return pd.DataFrame({"customer_id": customer, "kind": kind, "at": pd.to_datetime(at, unit="us", utc=True)})


@pytest.fixture(autouse=True)
def no_show(monkeypatch):
    import matplotlib.pyplot as plt

    def show(*args, **kwargs):
        raise AssertionError("rapport.plot must not call plt.show()")

    monkeypatch.setattr(plt, "show", show)
    yield
    plt.close("all")


def saved(ax, path):
    """Saves the Axes' figure; checks the PNG is a few KB and not of a single colour."""
    import matplotlib.axes
    import matplotlib.image

    assert isinstance(ax, matplotlib.axes.Axes)
    ax.figure.savefig(path, dpi=80)
    assert path.stat().st_size > 5_000, path.stat().st_size
    image = matplotlib.image.imread(str(path))
    assert image.ndim == 3 and image[..., :3].var() > 1e-3
    return image


def test_backend_is_agg_without_display():
    # The tests run headless (CTest): rapport.plot chose Agg unless MPLBACKEND said otherwise.
    import os

    if not (os.environ.get("DISPLAY") or os.environ.get("MPLBACKEND")):
        rapport.plot.rfm_grid(pd.DataFrame({"r": [1, 2], "f": [2, 1]}))
        assert matplotlib.get_backend().lower() == "agg"


def test_rfm_grid_from_table_summary_and_given_axes(orders, tmp_path):
    table = rapport.rfm(orders)
    ax = rapport.plot.rfm_grid(table)
    saved(ax, tmp_path / "rfm_table.png")
    texts = sorted(int(t.get_text().replace(",", "")) for t in ax.texts)
    assert sum(texts) == len(table)  # one annotated count per cell
    summary = rapport.rfm_summary(orders)
    saved(rapport.plot.rfm_grid(summary), tmp_path / "rfm_summary.png")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    assert rapport.plot.rfm_grid(summary.grid, ax=axes[1], annotate=False) is axes[1]
    saved(axes[1], tmp_path / "rfm_given_ax.png")


def test_cohort_heatmap_rates_and_counts(orders, tmp_path):
    rates = rapport.cohorts(orders)
    ax = rapport.plot.cohort_heatmap(rates)
    saved(ax, tmp_path / "cohorts.png")
    assert ax.get_yticklabels()[0].get_text().startswith("2024-01 (")
    counts = rapport.cohorts(orders, period="quarter", rates=False)
    saved(rapport.plot.cohort_heatmap(counts), tmp_path / "cohorts_counts.png")


def test_segment_sizes_from_series_dict_rfm_and_database(orders, tmp_path):
    table = rapport.rfm(orders)
    ax = rapport.plot.segment_sizes(table)
    saved(ax, tmp_path / "segments.png")
    assert [t.get_text() for t in ax.get_yticklabels()] == [r[0] for r in rapport.CLASSIC_RFM_SEGMENTS]
    saved(rapport.plot.segment_sizes({"a": 10, "b": 30, "c": 5}, sort=True), tmp_path / "dict.png")
    saved(rapport.plot.segment_sizes(rapport.value_tiers(orders)), tmp_path / "tiers.png")
    with rapport.open(":memory:") as db:
        for i in range(6):
            db.create_customer(f"c{i}", region="east" if i % 2 else "west")
        db.save_segment("east", 'region = "east"')
        db.save_segment("west", 'region = "west"')
        db.save_segment("all", 'region is not null')
        db.refresh_segments()
        ax = rapport.plot.segment_sizes(db)
        saved(ax, tmp_path / "db.png")
        assert {t.get_text() for t in ax.get_yticklabels()} == {"east", "west", "all"}


def test_funnel_chart(events, tmp_path):
    steps = rapport.funnel(events, ["visit", "signup", "cart", "buy"], window="30d")
    ax = rapport.plot.funnel(steps)
    saved(ax, tmp_path / "funnel.png")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["1. visit", "2. signup", "3. cart", "4. buy"]
    history = pd.DataFrame({"entity_id": [1, 1, 2, 2, 2, 3],
                            "stage": ["Lead", "Qualified", "Lead", "Qualified", "Won", "Lead"],
                            "entered_at": pd.to_datetime(["2024-01-01"] * 6).tz_localize("UTC")
                            + pd.to_timedelta([0, 1, 0, 2, 3, 0], unit="D")})
    stages = rapport.stage_funnel(history, ["Lead", "Qualified"], won="Won")
    saved(rapport.plot.funnel(stages, title="Pipeline"), tmp_path / "stages.png")


def test_wrong_input_types():
    with pytest.raises(TypeError, match="rfm_grid"):
        rapport.plot.rfm_grid([1, 2, 3])
    with pytest.raises(TypeError, match="segment_sizes"):
        rapport.plot.segment_sizes(42)
    with pytest.raises(TypeError, match="funnel"):
        rapport.plot.funnel("visit")
