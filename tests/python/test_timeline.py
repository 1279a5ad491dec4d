"""Orders, activities, the timeline and money."""

import datetime as dt
import decimal

import pytest

import rapport
from conftest import START, UTC


def test_money():
    m = rapport.Money.parse("12.34", "CNY")
    assert m == rapport.Money(1234, "CNY") and m.amount == decimal.Decimal("12.34")
    assert str(m) == "12.34 CNY" and repr(m) == "Money(1234, 'CNY')"
    assert rapport.Money.parse("500", "JPY").minor == 500
    assert rapport.Money.parse(decimal.Decimal("1.234"), "KWD").minor == 1234
    assert rapport.Money.parse(7, "USD").minor == 700
    with pytest.raises(rapport.ValidationError, match="decimals"):
        rapport.Money.parse("1.005", "USD")
    with pytest.raises(rapport.ValidationError, match="float"):
        rapport.Money.parse(1.5, "USD")
    with pytest.raises(rapport.ValidationError, match="decimal"):
        rapport.Money.parse("abc", "USD")
    with pytest.raises(AttributeError):
        m.minor = 5
    assert len({m, rapport.Money(1234, "CNY")}) == 1


def test_add_and_get_order(db):
    c = db.create_customer("Ann")
    at = dt.datetime(2024, 1, 5, 10, 30, tzinfo=UTC)
    o = db.add_order(c.id, "12.34", currency="CNY", ordered_at=at, status="paid", external_ref="SO-1",
                     items=[{"sku": "A1", "name": "Tea", "quantity": 2, "unit_price": "5.00"},
                            rapport.OrderItem("B2", "Cup", 1, 234)])
    assert isinstance(o, rapport.Order)
    assert o.amount == rapport.Money(1234, "CNY") and o.customer_id == c.id
    assert o.ordered_at == at and o.at == at and o.status == "paid" and o.external_ref == "SO-1"
    assert o.items == [rapport.OrderItem("A1", "Tea", 2, 500), rapport.OrderItem("B2", "Cup", 1, 234)]
    assert o.created_at == START
    assert db.get_order(o.id) == o
    minor = db.add_order(c.id, amount_minor=999, currency="USD")
    assert minor.amount == rapport.Money(999, "USD") and minor.ordered_at == START  # database clock
    assert minor.status == "completed"
    money = db.add_order(c.id, rapport.Money(1, "EUR"))
    assert money.amount.currency == "EUR"


def test_order_errors(db):
    c = db.create_customer("Ann")
    before = db.last_change_seq
    with pytest.raises(rapport.ValidationError, match="currency"):
        db.add_order(c.id, "1.00")
    with pytest.raises(rapport.ValidationError, match="not both"):
        db.add_order(c.id, "1.00", currency="CNY", amount_minor=100)
    with pytest.raises(rapport.ValidationError, match="decimals"):
        db.add_order(c.id, "1.001", currency="CNY")
    with pytest.raises(rapport.ValidationError):
        db.add_order(c.id, "1.00", currency="XX1")
    with pytest.raises(rapport.ValidationError, match="naive"):
        db.add_order(c.id, "1.00", currency="CNY", ordered_at=dt.datetime(2024, 1, 1))
    with pytest.raises(rapport.NotFoundError):
        db.add_order(9999, "1.00", currency="CNY")
    assert db.last_change_seq == before
    db.add_order(c.id, "1.00", currency="CNY", external_ref="R1")
    with pytest.raises(rapport.AlreadyExistsError):
        db.add_order(c.id, "2.00", currency="CNY", external_ref="R1")
    with pytest.raises(rapport.NotFoundError):
        db.get_order(424242)


def test_activities_and_timeline(db, clock):
    c = db.create_customer("Ben")
    t0 = START - dt.timedelta(days=3)
    db.add_order(c.id, "10.00", currency="CNY", ordered_at=t0)
    call = db.add_activity(c.id, "call", at=t0 + dt.timedelta(days=1), owner=5, outcome="interested",
                           text="Called about tea")
    assert isinstance(call, rapport.Activity)
    assert (call.kind, call.owner, call.outcome, call.text) == ("call", 5, "interested", "Called about tea")
    note = db.add_activity(c.id, text="default kind is note")
    assert note.kind == "note" and note.at == START
    items = db.timeline(c.id)
    assert [type(i).__name__ for i in items] == ["Activity", "Activity", "Order"]
    assert [i.at for i in items] == sorted([i.at for i in items], reverse=True)
    assert items[0].type == "activity" and items[2].type == "order"
    page = db.timeline(c.id, limit=1, before=items[0].at)
    assert len(page) == 1 and page[0].id == call.id
    with pytest.raises(rapport.ValidationError, match="kind"):
        db.add_activity(c.id, "telepathy")
    with pytest.raises(rapport.NotFoundError):
        db.add_activity(999, "call")
