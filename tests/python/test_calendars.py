"""Business calendars from Python: keyword construction, arithmetic over DST and China's 2026 golden
week, errors (and nothing stored by a failed call), named calendars in a database."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

import rapport

UTC = dt.timezone.utc
SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
DAY = [("09:00", "12:00"), ("13:00", "18:00")]


def china_2026():
    # The State Council's 2026 schedule (notice of 2025-11-04): Mid-Autumn and National Day.
    return rapport.BusinessCalendar(
        time_zone="Asia/Shanghai",
        hours={d: DAY for d in ("mon", "tue", "wed", "thu", "fri")},
        holidays=[(dt.date(2026, 9, 25), dt.date(2026, 9, 27)), ("2026-10-01", "2026-10-07")],
        working_days=[dt.date(2026, 9, 20), "2026-10-10"],
    )


def test_golden_week_with_adjusted_working_weekend():
    cal = china_2026()
    assert cal.weekly_working_time == dt.timedelta(hours=40)
    start = dt.datetime(2026, 9, 30, 14, tzinfo=SHANGHAI)
    assert cal.add(start, dt.timedelta(hours=8)) == dt.datetime(2026, 10, 8, 14, tzinfo=SHANGHAI)
    assert cal.add(start, dt.timedelta(hours=8)).tzinfo == UTC
    assert cal.is_working(dt.datetime(2026, 9, 20, 10, tzinfo=SHANGHAI))  # a Sunday, worked
    assert cal.is_working(dt.datetime(2026, 10, 10, 17, tzinfo=SHANGHAI))  # a Saturday, worked
    assert not cal.is_working(dt.datetime(2026, 10, 11, 10, tzinfo=SHANGHAI))
    assert cal.next_working(dt.datetime(2026, 10, 1, 10, tzinfo=SHANGHAI)) == dt.datetime(2026, 10, 8, 9,
                                                                                           tzinfo=SHANGHAI)
    a = dt.datetime(2026, 9, 18, 9, tzinfo=SHANGHAI)
    b = dt.datetime(2026, 10, 12, 9, tzinfo=SHANGHAI)
    assert cal.between(a, b) == dt.timedelta(hours=96)
    assert cal.between(b, a) == -dt.timedelta(hours=96)


def test_new_york_spring_forward_weekend():
    cal = rapport.BusinessCalendar("America/New_York", {d: [(dt.time(9), dt.time(17))] for d in
                                                         ("mon", "tue", "wed", "thu", "fri")})
    friday = dt.datetime(2026, 3, 6, 16, tzinfo=NEW_YORK)
    # Monday 10:00 is EDT (UTC-4) after the change on Sunday 8 March.
    assert cal.add(friday, dt.timedelta(hours=2)) == dt.datetime(2026, 3, 9, 14, tzinfo=UTC)
    assert cal.add(friday, 7200) == dt.datetime(2026, 3, 9, 14, tzinfo=UTC)  # seconds work too
    assert cal.add(friday, dt.timedelta(0)) == friday
    assert cal.between(dt.datetime(2026, 3, 2, tzinfo=NEW_YORK), dt.datetime(2026, 6, 1, tzinfo=NEW_YORK)) == \
        dt.timedelta(hours=8 * 65)


def test_naive_datetimes_and_bad_durations_are_refused():
    cal = china_2026()
    with pytest.raises(rapport.ValidationError, match="start: naive datetime"):
        cal.add(dt.datetime(2026, 9, 30, 14), dt.timedelta(hours=1))
    with pytest.raises(rapport.ValidationError, match="t: naive datetime"):
        cal.is_working(dt.datetime(2026, 9, 30, 14))
    with pytest.raises(rapport.ValidationError, match="^duration: must not be negative$"):
        cal.add(dt.datetime(2026, 9, 30, 14, tzinfo=UTC), dt.timedelta(hours=-1))
    with pytest.raises(rapport.ValidationError, match="^duration: longer than 100 years$"):
        cal.add(dt.datetime(2026, 9, 30, 14, tzinfo=UTC), dt.timedelta(days=40000))


@pytest.mark.parametrize("kwargs, message", [
    (dict(time_zone="Mars/Base", hours={"mon": DAY}), 'time_zone: unknown time zone "Mars/Base"'),
    (dict(time_zone="UTC", hours={}), "hours: a calendar needs working time in at least one weekday"),
    (dict(time_zone="UTC", hours={"mon": [("13:00", "18:00"), ("09:00", "13:30")]}),
     "hours.mon[1]: 09:00-13:30 overlaps hours.mon[0] (13:00-18:00)"),
    (dict(time_zone="UTC", hours={"mon": [("18:00", "09:00")]}), "hours.mon[0]: ends (09:00) before it starts (18:00)"),
    (dict(time_zone="UTC", hours={"mon": [("09:00", "25:00")]}),
     'hours.mon[0][1]: "25:00" is not a time of day ("HH:MM" from "00:00" to "24:00")'),
    (dict(time_zone="UTC", hours={"monday": DAY}), "hours.monday: unknown weekday (mon, tue, wed, thu, fri, sat, sun)"),
    (dict(time_zone="UTC", hours={"mon": DAY}, holidays=["2026-10-01"], working_days=["2026-10-01"]),
     "working_days[0]: 2026-10-01 is a holiday (holidays[0])"),
])
def test_definition_errors(kwargs, message):
    with pytest.raises(rapport.ValidationError) as e:
        rapport.BusinessCalendar(**kwargs)
    assert str(e.value) == message
    assert e.value.code == "INVALID_ARGUMENT"


def test_json_round_trip():
    cal = china_2026()
    again = rapport.BusinessCalendar.from_json(cal.to_json())
    assert again == cal
    doc = cal.to_dict()
    assert doc["holidays"] == [["2026-09-25", "2026-09-27"], ["2026-10-01", "2026-10-07"]]
    assert doc["working_days"] == ["2026-09-20", "2026-10-10"]
    assert doc["hours"]["mon"] == [["09:00", "12:00"], ["13:00", "18:00"]]
    assert rapport.BusinessCalendar.from_dict(doc) == cal
    assert cal.time_zone == "Asia/Shanghai"


def test_stored_calendars(db, clock):
    seq = db.last_change_seq
    db.save_calendar("china", china_2026())
    db.save_calendar("ny", {"time_zone": "America/New_York", "hours": {"mon": [["09:00", "17:00"]]}})
    assert db.calendar("china") == china_2026()
    listed = db.calendars()
    assert [c.name for c in listed] == ["china", "ny"]
    assert listed[0].created_at == clock.now()
    assert listed[1].calendar.time_zone == "America/New_York"
    changes = db.changes(after_seq=seq)
    assert [(c.entity, c.op) for c in changes] == [("calendar", "create"), ("calendar", "create")]
    assert changes[0].after["definition"]["time_zone"] == "Asia/Shanghai"

    seq = db.last_change_seq
    with pytest.raises(rapport.ValidationError, match='time_zone: unknown time zone "Nowhere"'):
        db.save_calendar("china", {"time_zone": "Nowhere", "hours": {"mon": [["09:00", "17:00"]]}})
    with pytest.raises(rapport.ValidationError, match="name: must not be empty"):
        db.save_calendar("", china_2026())
    with pytest.raises(TypeError):
        db.save_calendar("x", 42)
    with pytest.raises(rapport.NotFoundError, match='calendar "nope": not found'):
        db.calendar("nope")
    with pytest.raises(rapport.NotFoundError):
        db.drop_calendar("nope")
    assert db.last_change_seq == seq
    assert db.calendar("china") == china_2026()

    db.drop_calendar("ny")
    assert [c.name for c in db.calendars()] == ["china"]
    assert db.changes(after_seq=seq)[-1].op == "delete"
