"""The segment language from Python: rapport.Expr, the builder F, and evaluation over pandas."""

import copy
import datetime as dt
import math
import pickle

import pytest

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

import rapport  # noqa: E402
from rapport import F, Expr  # noqa: E402

UTC = dt.timezone.utc


# ------------------------------------------------------------------------------ builder and parser

def test_issue_example_builds_the_parsed_tree():
    built = (F.monetary > 5000) & F.has_tag("vip")
    parsed = Expr.parse('monetary > 5000 and has_tag("vip")')
    assert built.same_as(parsed)
    assert parsed.same_as(built)
    assert built.to_text() == 'monetary > 5000 and has_tag("vip")'
    assert str(built) == built.to_text()
    assert repr(built) == "Expr('monetary > 5000 and has_tag(\"vip\")')"
    assert not built.same_as(Expr.parse('monetary > 5001 and has_tag("vip")'))
    assert built.same_as('monetary > 5000 and has_tag("vip")')  # a str is parsed


BUILT_AND_PARSED = [
    (lambda: F.region == "华东", 'region = "华东"'),
    (lambda: F.region != "华东", 'region != "华东"'),
    (lambda: F.region == "华东", 'region == "华东"'),
    (lambda: F.monetary < 10.5, "monetary < 10.5"),
    (lambda: F.monetary <= 0, "monetary <= 0"),
    (lambda: F.monetary >= -5, "monetary >= -5"),
    (lambda: F.monetary > -5.25, "monetary > - 5.25"),
    (lambda: F.active == True, "active = true"),  # noqa: E712
    (lambda: F.active == False, "active = false"),  # noqa: E712
    (lambda: F.birthday < dt.date(2000, 1, 31), 'birthday < date "2000-01-31"'),
    (lambda: F.last_order_at >= F.now() - dt.timedelta(days=90), "last_order_at >= now() - 90d"),
    (lambda: F.last_order_at >= F.now() - dt.timedelta(hours=36), "last_order_at >= now() - 36h"),
    (lambda: F.last_order_at < F.now() + dt.timedelta(days=-3), "last_order_at < now() + -3d"),
    (lambda: F.created_at + dt.timedelta(days=7) > F.now(), "created_at + 7d > now()"),
    (lambda: F.days_since(F.last_order_at) <= 90, "days_since(last_order_at) <= 90"),
    (lambda: F.days_between(F.first_order_at, F.last_order_at) > 30,
     "days_between(first_order_at, last_order_at) > 30"),
    (lambda: F.industry.isin(["制造业", "Retail"]), 'industry in ("制造业", "Retail")'),
    (lambda: F.frequency.isin([1, 2, 3]), "frequency in (1, 2, 3)"),
    (lambda: F.birthday.isin([dt.date(2000, 1, 1)]), 'birthday in (date "2000-01-01")'),
    (lambda: ~F.industry.isin(["a", "b"]), 'industry not in ("a", "b")'),
    (lambda: F.monetary.between(1000, 5000), "monetary between 1000 and 5000"),
    (lambda: ~F.monetary.between(1000, 5000), "monetary not between 1000 and 5000"),
    (lambda: F.birthday.between(dt.date(1990, 1, 1), dt.date(1999, 12, 31)),
     'birthday between date "1990-01-01" and date "1999-12-31"'),
    (lambda: F.region.is_null(), "region is null"),
    (lambda: F.region.not_null(), "region is not null"),
    (lambda: ~F.region.is_null(), "not region is null"),
    (lambda: F.name.contains("科技"), 'name contains "科技"'),
    (lambda: ~F.name.contains("x"), 'name not contains "x"'),
    (lambda: F.name.startswith("阿"), 'name starts_with "阿"'),
    (lambda: F.name.endswith("公司"), 'name ends_with "公司"'),
    (lambda: F.name.starts_with("a") | F.name.ends_with("b"), 'name starts_with "a" or name ends_with "b"'),
    (lambda: ~(F.monetary > 5000), "not monetary > 5000"),
    (lambda: ~((F.a > 1) | (F.b > 2)), "not (a > 1 or b > 2)"),
    (lambda: (F.a > 1) & (F.b > 2) & (F.c > 3), "a > 1 and b > 2 and c > 3"),
    (lambda: (F.a > 1) & ((F.b > 2) & (F.c > 3)), "a > 1 and (b > 2 and c > 3)"),
    (lambda: (F.a > 1) | (F.b > 2) & (F.c > 3), "a > 1 or b > 2 and c > 3"),
    (lambda: ((F.a > 1) | (F.b > 2)) & (F.c > 3), "(a > 1 or b > 2) and c > 3"),
    (lambda: F.has_tag("vip") & ~F.in_segment("blocked"), 'has_tag("vip") and not in_segment("blocked")'),
    (lambda: F.has_any_tag("a", "b"), 'has_any_tag("a", "b")'),
    (lambda: F.has_any_tag(["a", "b"]), 'has_any_tag("a", "b")'),
    (lambda: F.has_all_tags({"b", "a"}), 'has_all_tags("a", "b")'),
    (lambda: F.has_any(F.channels, ["sms", "wechat"]), 'has_any(channels, "sms", "wechat")'),
    (lambda: F.has_all(F.channels, "sms"), 'has_all(channels, "sms")'),
    (lambda: F.monetary / F.frequency > 1000, "monetary / frequency > 1000"),
    (lambda: 3 * (F.x + 1) - F.y / 2 >= 0, "3 * (x + 1) - y / 2 >= 0"),
    (lambda: 100 - F.x < 5, "100 - x < 5"),
    (lambda: 1 / F.x < 5, "1 / x < 5"),
    (lambda: 1 + F.x < 5, "1 + x < 5"),
    (lambda: -F.monetary < -5, "-monetary < -5"),
    (lambda: -(F.a - F.b) > 0, "-(a - b) > 0"),
    (lambda: abs(F.x) < 5, "abs(x) < 5"),
    (lambda: round(F.x) == 3, "round(x) = 3"),
    (lambda: math.floor(F.x) == 3, "floor(x) = 3"),
    (lambda: math.ceil(F.x) == 3, "ceil(x) = 3"),
    (lambda: F.coalesce(F.region, "unknown") == "华东", 'coalesce(region, "unknown") = "华东"'),
    (lambda: F.least(F.a, F.b, 3) > F.greatest(F.c, 1), "least(a, b, 3) > greatest(c, 1)"),
    (lambda: F["客户 等级"] == "A", '`客户 等级` = "A"'),
    (lambda: F.field("round") > 1, "`round` > 1"),
    (lambda: F["Monetary"] > 1, "`Monetary` > 1"),
    (lambda: F.active, "active"),
    (lambda: F.active & True, "active and true"),
    (lambda: False | F.active, "false or active"),
    (lambda: F.lit(5) < F.x, "5 < x"),
]


@pytest.mark.parametrize("build,text", BUILT_AND_PARSED, ids=[t for _, t in BUILT_AND_PARSED])
def test_builder_makes_the_parsers_tree(build, text):
    built, parsed = build(), Expr.parse(text)
    assert built.same_as(parsed), f"{built.to_text()!r} vs {parsed.to_text()!r}"
    # Both print the same canonical text, which parses back to the same tree.
    assert built.to_text() == parsed.to_text()
    assert Expr.parse(built.to_text()).same_as(built)
    assert Expr.from_json(built.to_json()).same_as(built)


def test_reversed_comparisons_keep_the_field_first():
    # Python turns 5 < x into x > 5: the same condition, written the other way round.
    assert (5 < F.x).same_as(Expr.parse("x > 5"))
    assert (5 == F.x).same_as(Expr.parse("x = 5"))


@pytest.mark.parametrize("text", [
    'industry in ("制造业", "Retail") and region = "华东" and monetary > 5000\n'
    '  and days_since(last_order_at) <= 90 and has_tag("vip") and not in_segment("blocked")',
    "a > 1 or not (b < 2 and c is not null)",
    "x between -1 and 2 * y",
    "last_order_at >= now() - 2w",
    "`the field` not in (1, 2.5, -3e3)",
    "name contains 'it\\'s'",
    "coalesce(flag, false) = true",
])
def test_text_and_json_round_trips(text):
    e = Expr(text)
    again = Expr.parse(e.to_text())
    assert again.same_as(e) and again.to_text() == e.to_text()
    j = e.to_json()
    assert Expr.from_json(j).same_as(e)
    import json

    assert Expr.from_json(json.loads(j)).same_as(e)  # the parsed JSON value works too
    assert pickle.loads(pickle.dumps(e)).same_as(e)
    assert copy.deepcopy(e) is e


def test_json_form():
    e = Expr.from_json({"and": [{">": [{"field": "monetary"}, 5000]}, {"call": "has_tag", "args": ["vip"]}]})
    assert e.same_as((F.monetary > 5000) & F.has_tag("vip"))
    assert Expr.from_json('{"<": [{"field": "d"}, {"date": "2025-01-31"}]}').same_as(F.d < dt.date(2025, 1, 31))
    with pytest.raises(rapport.ValidationError) as info:
        Expr.from_json('{"and": [{"field": "a"}]}')
    assert str(info.value) == "$.and: expected at least 2 operands, found 1"
    with pytest.raises(rapport.ValidationError, match="not valid JSON"):
        Expr.from_json("{")


def test_fields_and_segments_referenced():
    e = Expr('region = "a" and in_segment("vip") and (monetary > 1 or in_segment("b2b")) and region != "b"')
    assert e.fields() == ["monetary", "region"]
    assert e.segments_referenced() == ["b2b", "vip"]
    assert F.has_tag("x").fields() == []


def test_expressions_have_no_truth_value():
    a, b = F.monetary > 5000, F.has_tag("vip")
    with pytest.raises(TypeError, match=r"& \(and\), \| \(or\) and ~ \(not\)"):
        bool(a)
    with pytest.raises(TypeError, match="no truth value"):
        a and b  # noqa: B015
    with pytest.raises(TypeError, match="no truth value"):
        not a  # noqa: B015
    with pytest.raises(TypeError, match="between"):
        1 < F.x < 5  # noqa: B015
    with pytest.raises(TypeError, match="no truth value"):
        if a:
            pass
    with pytest.raises(TypeError):
        hash(a)


def test_operator_precedence_mistakes_are_caught():
    # 5000 & F.has_tag(...) is evaluated first: Python's & binds tighter than >.
    with pytest.raises(TypeError, match="put comparisons in parentheses"):
        F.monetary > 5000 & F.has_tag("vip")  # noqa: B015
    with pytest.raises(TypeError, match="'\\|' combines conditions"):
        F.has_tag("vip") | "x"  # noqa: B015


def test_python_values_become_literals():
    assert (F.x == 2).same_as(F.x == 2.0)
    assert (F.x == np.int64(2)).same_as(F.x == 2)
    assert (F.x == np.float32(0.5)).same_as(F.x == 0.5)
    assert (F.flag == np.bool_(True)).same_as(F.flag == True)  # noqa: E712
    assert (np.int64(5) < F.x).same_as(F.x > 5) and (np.float64(2) * F.x).same_as(2 * F.x)
    assert (F.x == __import__("decimal").Decimal("2.5")).same_as(F.x == 2.5)
    assert (F.t < F.now() - dt.timedelta(weeks=2)).to_text() == "t < now() - 14d"
    assert (F.t < F.now() - dt.timedelta(hours=49)).to_text() == "t < now() - 49h"
    with pytest.raises(ValueError, match="whole number of days or hours"):
        F.t < F.now() - dt.timedelta(minutes=90)  # noqa: B015
    with pytest.raises(rapport.ValidationError, match="up to 1000000"):
        F.t < F.now() - dt.timedelta(days=2_000_000)  # noqa: B015
    with pytest.raises(TypeError, match=r"use a date, e.g. datetime.date\(2025, 1, 31\), or F.now\(\) - "):
        F.t < dt.datetime(2025, 1, 1, tzinfo=UTC)  # noqa: B015
    with pytest.raises(TypeError, match="use a date"):
        F.t < pd.Timestamp("2025-01-01", tz="UTC")  # noqa: B015
    with pytest.raises(TypeError, match=r"\.is_null\(\)"):
        F.x == None  # noqa: B015,E711
    with pytest.raises(TypeError, match=r"\.isin"):
        F.x == [1, 2]  # noqa: B015
    with pytest.raises(TypeError, match=r"F.now is a function: call it"):
        F.t < F.now  # noqa: B015
    with pytest.raises(rapport.ValidationError, match="finite"):
        F.x > float("nan")  # noqa: B015
    with pytest.raises(TypeError, match="not a value"):
        F.x > object()  # noqa: B015
    with pytest.raises(rapport.ValidationError, match="at least one value"):
        F.x.isin([])
    with pytest.raises(TypeError, match="list of values"):
        F.x.isin("abc")
    with pytest.raises(TypeError):
        F[3]
    with pytest.raises(AttributeError):
        F._private  # noqa: B018
    assert "has_tag" in dir(F) and repr(F) == "rapport.F"
    assert set(rapport.SEGMENT_FUNCTIONS) >= {"days_since", "has_tag", "in_segment", "greatest"}


# ------------------------------------------------------------------------------ error messages

def test_parse_errors_reach_python_unchanged():
    with pytest.raises(rapport.ValidationError) as info:
        Expr.parse("monetary >> 5")
    assert str(info.value) == "1:11: expected an expression\nmonetary >> 5\n          ^"
    assert info.value.code == "INVALID_ARGUMENT"
    with pytest.raises(rapport.ValidationError) as info:
        Expr("a > 1 and\n  region = = 2")
    assert str(info.value) == "2:12: expected an expression\n  region = = 2\n           ^"
    with pytest.raises(rapport.ValidationError) as info:
        Expr.parse('name = "abc')
    assert str(info.value).startswith("1:8: unterminated string")
    with pytest.raises(TypeError):
        Expr(42)


def test_depth_is_bounded_in_text_and_builder_alike():
    assert Expr.MAX_DEPTH == 200
    deepest = Expr("x" + " / 1" * 198 + " > 0")
    assert deepest.depth == 200
    assert Expr.from_json(deepest.to_json()).same_as(deepest)
    with pytest.raises(rapport.ValidationError, match=r"^1:799: expression nested too deeply \(more than 200 levels\)"):
        Expr("x" + " / 1" * 199 + " > 0")
    built = F.x
    for _ in range(199):
        built = built / 2
    assert built.depth == 200
    with pytest.raises(rapport.ValidationError) as info:
        built / 2
    assert str(info.value) == "expression nested too deeply (201 levels, at most 200)"


def _small_frame():
    df = pd.DataFrame({"id": [1, 2], "monetary": [1.0, 2.0], "region": ["a", "b"]})
    return rapport.Frame.from_pandas(df)


def test_check_errors_name_fields_and_types():
    frame = _small_frame()
    with pytest.raises(rapport.ValidationError) as info:
        frame.segment("monetery > 5")
    assert str(info.value) == '1:1: unknown field "monetery"; did you mean "monetary"?\nmonetery > 5\n^'
    with pytest.raises(rapport.ValidationError) as info:
        frame.segment("region > 5")
    assert str(info.value) == "1:8: cannot compare text with number\nregion > 5\n       ^"
    with pytest.raises(rapport.ValidationError) as info:
        frame.segment(F.region > 5)  # built, not parsed: no position
    assert str(info.value) == "cannot compare text with number"
    with pytest.raises(rapport.ValidationError) as info:
        frame.segment("monetary + region > 1")
    assert str(info.value) == "1:10: cannot apply '+' to number and text\nmonetary + region > 1\n         ^"
    with pytest.raises(rapport.ValidationError, match="needs tags"):
        frame.segment(F.has_tag("vip"))
    with pytest.raises(rapport.ValidationError, match=r"unknown function \"has_tags\"; did you mean \"has_tag\"\?"):
        frame.segment(Expr('has_tags("x")'))


# ------------------------------------------------------------------------------ DataFrames

AS_OF = dt.datetime(2025, 1, 1, tzinfo=UTC)
DAY_US = 86_400_000_000


@pytest.fixture(scope="module")
def customers():
    """A few thousand customers with every column type and missing values, ids shuffled."""
    rng = np.random.default_rng(20250101)
    n = 3000
    ids = rng.permutation(n) * 3 + 1000

    def some_missing(values, p=0.1):
        values = pd.Series(values, dtype=object)
        values[rng.random(n) < p] = None
        return values

    monetary = rng.gamma(2.0, 2500.0, n).round(2)
    monetary[rng.random(n) < 0.1] = np.nan
    monetary[:5] = [100.0, 5000.0, 1000.0, 8000.0, 0.0]
    frequency = rng.integers(0, 6, n)
    last = pd.Series(pd.to_datetime(AS_OF) - pd.to_timedelta(rng.integers(0, 400 * 24, n), unit="h"))
    last[rng.random(n) < 0.15] = pd.NaT
    vip = pd.array(rng.random(n) < 0.3, dtype="boolean")
    vip[rng.random(n) < 0.1] = pd.NA
    tags = []
    for i in range(n):
        r = rng.random()
        if r < 0.1:
            tags.append(None)
        else:
            k = int(rng.integers(0, 4))
            tags.append(list(rng.choice(["vip", "b2b", "新客", "churn-risk", "VIP"], size=k, replace=False)))
    score = pd.array(rng.integers(0, 10, n), dtype="Int64")
    score[rng.random(n) < 0.2] = pd.NA
    return pd.DataFrame({
        "id": ids,
        "name": some_missing([f"c{i}-{'科技' if i % 7 == 0 else 'shop'}" for i in range(n)], 0.05),
        "region": some_missing(rng.choice(["华东", "华南", "华北", "west"], n)),
        "industry": pd.Categorical(some_missing(rng.choice(["retail", "制造业", "it"], n)).tolist()),
        "monetary": monetary,
        "frequency": frequency,
        "last_order_at": last.dt.tz_localize("UTC") if last.dt.tz is None else last,
        "vip": vip,
        "active": rng.random(n) < 0.5,
        "tags": tags,
        "score": score,
    })


def _days_since(df, column):
    t = df[column]
    us = t.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().astype("datetime64[us]").view("int64")
    as_of_us = int((AS_OF - dt.datetime(1970, 1, 1, tzinfo=UTC)) / dt.timedelta(microseconds=1))
    days = pd.Series(np.floor_divide(as_of_us - us, DAY_US).astype("float64"), index=df.index)
    days[t.isna()] = np.nan
    return days


def _has(tags, wanted, all_=False):
    def test(ts):
        if not isinstance(ts, list):
            return False
        folded = {t.casefold() for t in ts}
        hits = [w.casefold() in folded for w in wanted]
        return all(hits) if all_ else any(hits)

    return tags.map(test).astype(bool)


def _true(s):
    return s.fillna(False).astype(bool)


MASKS = [
    ("monetary > 5000", lambda d: d.monetary > 5000),
    ("monetary <= 5000", lambda d: d.monetary <= 5000),
    ("monetary = 100", lambda d: d.monetary == 100),
    ("monetary != 100", lambda d: ~(d.monetary == 100)),
    ("not (monetary > 5000)", lambda d: ~(d.monetary > 5000)),
    ('region = "华东"', lambda d: d.region == "华东"),
    ('region != "华东"', lambda d: ~(d.region == "华东")),
    ('region in ("华东", "west")', lambda d: d.region.isin(["华东", "west"])),
    ('region not in ("华东", "west")', lambda d: ~d.region.isin(["华东", "west"])),
    ("region is null", lambda d: d.region.isna()),
    ("region is not null", lambda d: d.region.notna()),
    ('region > "华北"', lambda d: _true(d.region.map(lambda r: None if r is None else r.encode() > "华北".encode()))),
    ('industry = "retail" and monetary between 1000 and 8000',
     lambda d: (d.industry == "retail") & d.monetary.between(1000, 8000)),
    ('industry = "retail" or industry is null', lambda d: (d.industry == "retail") | d.industry.isna()),
    ('name contains "科技"', lambda d: _true(d.name.str.contains("科技", regex=False))),
    ('name starts_with "c1"', lambda d: _true(d.name.str.startswith("c1"))),
    ('name not ends_with "shop"', lambda d: ~_true(d.name.str.endswith("shop"))),
    ("days_since(last_order_at) <= 90", lambda d: _days_since(d, "last_order_at") <= 90),
    ("last_order_at >= now() - 30d", lambda d: d.last_order_at >= pd.Timestamp(AS_OF) - pd.Timedelta(days=30)),
    ('last_order_at < date "2024-06-01"', lambda d: d.last_order_at < pd.Timestamp("2024-06-01", tz="UTC")),
    ("last_order_at is null", lambda d: d.last_order_at.isna()),
    ("vip", lambda d: _true(d.vip == True)),  # noqa: E712
    ("vip = false", lambda d: _true(d.vip == False)),  # noqa: E712
    ("not vip", lambda d: ~_true(d.vip == True)),  # noqa: E712
    ("vip is null", lambda d: d.vip.isna()),
    ("active and frequency >= 3", lambda d: d.active & (d.frequency >= 3)),
    ('has_tag("vip")', lambda d: _has(d.tags, ["vip"])),
    ('has_any_tag("b2b", "新客")', lambda d: _has(d.tags, ["b2b", "新客"])),
    ('has_all_tags("vip", "b2b")', lambda d: _has(d.tags, ["vip", "b2b"], all_=True)),
    ('has_any(tags, "churn-risk")', lambda d: _has(d.tags, ["churn-risk"])),
    ("tags is null", lambda d: d.tags.map(lambda t: not t)),
    ("monetary / frequency > 1000", lambda d: (d.frequency != 0) & (d.monetary / d.frequency > 1000)),
    ("coalesce(monetary, 0) < 100", lambda d: d.monetary.fillna(0) < 100),
    ("least(monetary, 3000) = 3000", lambda d: (d.monetary >= 3000) | d.monetary.isna()),
    ("abs(monetary - 5000) < 1000", lambda d: (d.monetary - 5000).abs() < 1000),
    ("floor(monetary / 1000) = 3", lambda d: np.floor(d.monetary / 1000) == 3),
    ("score >= 5 or score is null", lambda d: _true(d.score >= 5) | d.score.isna()),
    ("score != 5", lambda d: ~_true(d.score == 5)),
    ('not (region = "华东" and vip) or monetary > 9000',
     lambda d: ~((d.region == "华东") & _true(d.vip == True)) | (d.monetary > 9000)),  # noqa: E712
]


def _expected(df, mask):
    mask = pd.Series(mask, index=df.index)
    assert mask.dtype == bool
    return np.sort(df["id"][mask].to_numpy())


@pytest.mark.parametrize("text,mask", MASKS, ids=[t for t, _ in MASKS])
def test_dataframe_evaluation_matches_pandas(customers, text, mask):
    expected = _expected(customers, mask(customers))
    got = rapport.segment(customers, text, as_of=AS_OF)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, expected)
    assert 0 < len(expected) < len(customers) or text in ("tags is null",)


def test_frame_is_built_once_and_reused(customers):
    frame = rapport.Frame.from_pandas(customers)
    assert frame.rows == len(customers) and len(frame) == len(customers)
    np.testing.assert_array_equal(frame.ids, np.sort(customers["id"].to_numpy()))
    assert frame.columns == {"name": "category", "region": "category", "industry": "category",
                             "monetary": "number", "frequency": "number", "last_order_at": "time",
                             "vip": "bool", "active": "bool", "tags": "set", "score": "number"}
    assert frame.skipped == {}
    for text, mask in MASKS[:8]:
        np.testing.assert_array_equal(frame.segment(text, AS_OF, threads=1), _expected(customers, mask(customers)))
    built = (F.monetary > 5000) & F.has_tag("vip") & (F.days_since(F.last_order_at) <= 90)
    expected = _expected(customers, (customers.monetary > 5000) & _has(customers.tags, ["vip"])
                         & (_days_since(customers, "last_order_at") <= 90))
    np.testing.assert_array_equal(frame.segment(built, as_of=AS_OF), expected)
    np.testing.assert_array_equal(frame.segment(built.to_text(), as_of=AS_OF.date()), expected)


def test_in_segment_reads_given_members(customers):
    some = customers["id"].to_numpy()[:100]
    got = rapport.segment(customers, 'in_segment("picked") and monetary > 1000', segments={"picked": some})
    np.testing.assert_array_equal(got, _expected(customers, customers.id.isin(some) & (customers.monetary > 1000)))
    with pytest.raises(rapport.NotFoundError, match='no segment named "other"'):
        rapport.segment(customers, 'in_segment("other")')


def test_frame_round_trips_to_pandas(customers):
    frame = rapport.Frame.from_pandas(customers)
    back = frame.to_pandas()
    ordered = customers.sort_values("id").reset_index(drop=True)
    np.testing.assert_array_equal(back["id"], ordered["id"])
    pd.testing.assert_series_equal(back["monetary"], ordered["monetary"], check_names=False)
    assert back["region"].astype(object).where(back["region"].notna(), None).tolist() == ordered["region"].tolist()
    assert (back["last_order_at"] == ordered["last_order_at"]).sum() == ordered["last_order_at"].notna().sum()
    assert back["vip"].dtype == "boolean"
    assert back["vip"].isna().tolist() == ordered["vip"].isna().tolist()
    assert [sorted(set(t or [])) for t in ordered["tags"]] == back["tags"].tolist()
    some = frame.segment("monetary > 9000")
    sub = frame.to_pandas(some)
    assert sub["id"].tolist() == some.tolist() and (sub["monetary"] > 9000).all()


def test_time_is_required_only_when_used(customers):
    with pytest.raises(rapport.ValidationError) as info:
        rapport.segment(customers, "days_since(last_order_at) > 1")
    assert str(info.value) == "as_of: required by days_since (the time that counts as now)"
    with pytest.raises(rapport.ValidationError, match="naive datetime"):
        rapport.segment(customers, "monetary > 1", as_of=dt.datetime(2025, 1, 1))
    assert len(rapport.segment(customers, "monetary > 1")) > 0


def test_orders_give_order_metrics():
    customers = pd.DataFrame({"name": ["a", "b", "c", "d"]}, index=pd.Index([10, 20, 30, 40]))
    orders = pd.DataFrame({
        "customer_id": [20, 10, 20, 30, 99, 20],
        "ordered_at": pd.to_datetime(["2024-12-01", "2024-01-01", "2024-10-01", "2023-01-01", "2024-12-30",
                                      "2024-11-01"]).tz_localize("UTC"),
        "amount": [3000.0, 100.0, 2500.5, 9000.0, 1e9, 10.0],
    })
    frame = rapport.Frame.from_pandas(customers, orders=orders)
    df = frame.to_pandas().set_index("id")
    assert df["frequency"].tolist() == [1.0, 3.0, 1.0, 0.0]
    assert df["monetary"].tolist() == [100.0, 5510.5, 9000.0, 0.0]
    assert df.loc[20, "last_order_at"] == pd.Timestamp("2024-12-01", tz="UTC")
    assert df.loc[20, "mean_interpurchase_days"] == 30.5
    assert pd.isna(df.loc[40, "aov"]) and pd.isna(df.loc[40, "last_order_at"])
    as_of = dt.datetime(2025, 1, 1, tzinfo=UTC)
    assert rapport.segment(customers, "monetary > 5000 and recency_days <= 90", as_of, orders=orders).tolist() == [20]
    assert frame.segment("frequency = 0").tolist() == [40]
    grouped = orders[orders.customer_id.isin(customers.index)].groupby("customer_id")["amount"].sum()
    assert frame.segment(F.monetary > 1000).tolist() == sorted(grouped[grouped > 1000].index)
    # Fields derived from the order metrics: RFM scores over the buyers, value tiers.
    assert frame.segment("rfm_r is not null", as_of).tolist() == [10, 20, 30]
    assert frame.segment('value_tier = "high value"', as_of).tolist() == [30]
    other = orders.rename(columns={"customer_id": "who", "ordered_at": "when", "amount": "total"})
    assert rapport.segment(customers, "frequency >= 1", orders=other, customer="who", at="when",
                           amount="total").tolist() == [10, 20, 30]
    with pytest.raises(rapport.ValidationError, match="no column 'customer_id'"):
        rapport.Frame.from_pandas(customers, orders=other)
    # An order without a time is skipped; one without an amount is refused.
    undated = orders.assign(ordered_at=orders.ordered_at.where(orders.index != 0))
    assert rapport.Frame.from_pandas(customers, orders=undated).segment("frequency = 2").tolist() == [20]
    bad = orders.assign(amount=[1.0, np.nan, 1, 1, 1, 1])
    with pytest.raises(rapport.ValidationError, match="missing or infinite amount in row 1"):
        rapport.Frame.from_pandas(customers, orders=bad)
    naive = orders.assign(ordered_at=orders.ordered_at.dt.tz_localize(None))
    with pytest.raises(rapport.ValidationError, match="naive"):
        rapport.Frame.from_pandas(customers, orders=naive)


def test_segment_with_orders_aggregates_only_candidates_and_equals_the_full_frame():
    rng = np.random.default_rng(5)
    n = 3000
    customers = pd.DataFrame({"region": rng.choice(["华东", "华南", "North"], n),
                              "tags": [list(rng.choice(["vip", "b2b"], rng.integers(0, 3), replace=False))
                                       for _ in range(n)]},
                             index=pd.Index(np.arange(1, n + 1) * 7))
    orders = pd.DataFrame({
        "customer_id": rng.integers(1, n + 1, 8 * n) * 7,
        "ordered_at": pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 365 * 24, 8 * n), "h"),
        "amount": rng.integers(1, 10000, 8 * n) / 8,
    })
    as_of = dt.datetime(2025, 1, 1, tzinfo=UTC)
    full = rapport.Frame.from_pandas(customers, orders=orders)
    for text in ['region = "华东" and has_tag("vip") and monetary > 500 and recency_days <= 60',
                 'has_tag("b2b") and (frequency >= 10 or region = "North")',
                 'rfm_segment = "Champions" and region = "华南"']:
        expected = full.segment(text, as_of)
        assert len(expected) > 0, text
        assert rapport.segment(customers, text, as_of, orders=orders).tolist() == expected.tolist(), text


def test_column_conversions():
    df = pd.DataFrame({
        "id": [3, 1, 2],
        "flag_obj": [True, None, False],
        "num_obj": [1, None, 2.5],
        "when": [dt.datetime(2024, 1, 1, tzinfo=UTC), None, dt.datetime(2024, 2, 1, 12, tzinfo=UTC)],
        "day": [dt.date(2024, 1, 1), None, dt.date(2024, 2, 1)],
        "naive": pd.to_datetime(["2024-01-01", None, "2024-01-02"]),
        "tokyo": pd.to_datetime(["2024-01-01 09:00", None, "2024-01-02"]).tz_localize("Asia/Tokyo"),
        "sets": [{"b", "a"}, None, ()],
        "dicts": [{}, {}, {}],
        "span": pd.to_timedelta([1, 2, 3], unit="D"),
        "text": pd.array(["x", None, "y"], dtype="string"),
        "codes": pd.Categorical([1, 2, None]),
        "empty": [None, None, None],
    })
    frame = rapport.Frame.from_pandas(df)
    assert frame.columns == {"flag_obj": "bool", "num_obj": "number", "when": "time", "day": "time", "tokyo": "time",
                             "sets": "set", "text": "category", "codes": "number", "empty": "category"}
    assert set(frame.skipped) == {"naive", "dicts", "span"}
    assert frame.segment("flag_obj").tolist() == [3]
    assert frame.segment("num_obj > 2").tolist() == [2]
    assert frame.segment('when >= date "2024-02-01"').tolist() == [2]
    assert frame.segment('day = date "2024-01-01"').tolist() == [3]
    assert frame.segment('tokyo = date "2024-01-01"').tolist() == [3]  # 09:00 in Tokyo is midnight UTC
    assert frame.segment('has_all(sets, "a", "b")').tolist() == [3]
    assert frame.segment("sets is null").tolist() == [1, 2]
    assert frame.segment('text = "y"').tolist() == [2]
    assert frame.segment("codes = 2").tolist() == [1]
    assert frame.segment("empty is null").tolist() == [1, 2, 3]
    with pytest.raises(rapport.ValidationError, match="column 'naive' cannot be used in a segment: naive datetime64"):
        frame.segment('naive > date "2024-01-01"')
    with pytest.raises(TypeError, match="column 'dicts' cannot be used in a segment"):
        frame.segment("dicts is null")
    with pytest.raises(rapport.ValidationError, match="appears more than once"):
        rapport.Frame.from_pandas(pd.DataFrame({"id": [1, 1], "x": [1, 2]}))
    with pytest.raises(rapport.ValidationError, match="missing values"):
        rapport.Frame.from_pandas(pd.DataFrame({"id": [1, None], "x": [1, 2]}))
    with pytest.raises(TypeError):
        rapport.Frame.from_pandas(pd.DataFrame({"id": ["a", "b"]}))
    with pytest.raises(TypeError, match="DataFrame"):
        rapport.segment([1, 2], "x > 1")
    only = rapport.Frame.from_pandas(df, columns=["num_obj"])
    assert only.columns == {"num_obj": "number"}


def test_index_gives_ids_and_empty_frames_work():
    df = pd.DataFrame({"x": [5.0, 1.0, 7.0]}, index=[30, 10, 20])
    assert rapport.segment(df, F.x > 2).tolist() == [20, 30]
    empty = rapport.segment(df.iloc[:0], "x > 2")
    assert empty.dtype == np.int64 and empty.tolist() == []


def test_large_frames_threads_and_concurrent_calls():
    rng = np.random.default_rng(7)
    n = 200_000
    df = pd.DataFrame({"x": rng.normal(size=n), "k": pd.Categorical(rng.choice(["a", "b", "c"], n))},
                      index=rng.permutation(n) + 1)
    frame = rapport.Frame.from_pandas(df)
    expected = np.sort(df.index[(df.x > 0.5) & (df.k != "a")].to_numpy())
    text = 'x > 0.5 and k != "a"'
    np.testing.assert_array_equal(frame.segment(text, threads=1), expected)
    np.testing.assert_array_equal(frame.segment(text, threads=0), expected)
    np.testing.assert_array_equal(frame.segment(text, threads=3), expected)

    results = _on_threads(lambda: [frame.segment(text, threads=1) for _ in range(5)])
    assert all(np.array_equal(r, expected) for calls in results for r in calls)


def _on_threads(call, count=4):
    """Runs call() on `count` threads released together; their results, or the first error raised."""
    import threading

    barrier = threading.Barrier(count)
    results, errors = [], []

    def work():
        try:
            barrier.wait()
            results.append(call())
        except Exception as e:  # pragma: no cover - raised below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    assert len(results) == count
    return results


def test_tag_conditions_build_the_tag_index_once_across_threads():
    # The first tag condition on a frame builds the tags' row index; calls that race to it get one
    # index, the same answers, and the frame's bytes count it from then on.
    rng = np.random.default_rng(8)
    n = 100_000
    pool = np.array(["vip", "b2b", "rare", "新客"])
    chances = np.array([0.2, 0.5, 0.005, 0.3])
    tags = [list(pool[rng.random(4) < chances]) or None for _ in range(n)]
    df = pd.DataFrame({"x": rng.normal(size=n), "tags": tags}, index=np.arange(1, n + 1))
    frame = rapport.Frame.from_pandas(df)
    bytes_before = frame.bytes
    text = 'x > 0 and (has_tag("vip") or has_all_tags("rare", "新客")) and not has_tag("b2b")'
    keep = (df.x > 0) & (_has(df.tags, ["vip"]) | _has(df.tags, ["rare", "新客"], all_=True)) & ~_has(df.tags, ["b2b"])
    expected = df.index[keep].to_numpy()
    assert 0 < len(expected) < n

    assert all(np.array_equal(r, expected) for r in _on_threads(lambda: frame.segment(text, threads=2)))
    grown = frame.bytes - bytes_before
    assert n // 8 <= grown <= 4 * sum(len(t or []) for t in tags) + 4096  # a bitmap or more, at most 4 bytes a tag
    np.testing.assert_array_equal(frame.segment(text, threads=1), expected)
    assert frame.bytes == bytes_before + grown
