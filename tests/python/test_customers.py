"""Customers: create, read, update, upsert, delete; contact points, tags, external ids, org
contacts, custom fields; bad input and what it leaves behind."""

import datetime as dt
import decimal

import pytest

import rapport
from conftest import START, UTC


def test_create_and_get(db):
    c = db.create_customer(
        "Alice Wang", industry="retail", region="Shanghai", size="small", source="web", owner=3,
        birthday=dt.date(1990, 5, 17), lifecycle_stage="lead",
        emails=["Alice@Example.COM"], phones=["138 0013 8000"], tags=["vip", "beta"],
        external_ids={"erp": "E-1"})
    assert isinstance(c, rapport.Customer)
    assert c.id > 0 and c.kind == "person" and c.name == "Alice Wang"
    assert (c.industry, c.region, c.size, c.source) == ("retail", "Shanghai", "small", "web")
    assert c.owner == 3
    assert c.birthday == dt.date(1990, 5, 17)
    assert c.lifecycle_stage == "lead"
    assert c.created_at == START and c.updated_at == START and c.created_at.tzinfo is not None
    assert c.version >= 1 and not c.deleted and c.deleted_at is None
    assert c.tags == ["beta", "vip"]  # sorted
    assert c.external_ids == [rapport.ExternalId("erp", "E-1")]
    assert c.emails == ["Alice@example.com"]  # domain lower-cased only
    assert c.phones == ["+8613800138000"]
    cp = c.contact_points[0]
    assert isinstance(cp, rapport.ContactPoint) and cp.customer_id == c.id
    assert db.get_customer(c.id) == c
    assert "Alice Wang" in repr(c) and f"id={c.id}" in repr(c)
    d = c.to_dict()
    assert d["name"] == "Alice Wang" and d["deleted"] is False
    assert d["external_ids"] == [{"system": "erp", "key": "E-1"}]
    assert c["industry"] == "retail" and c.get("missing", 5) == 5


def test_create_organization_with_contact_point_dicts(db):
    org = db.create_customer(name="阿里巴巴集团", kind="organization", contact_points=[
        {"value": "sales@alibaba.com", "label": "work", "primary": True},
        {"kind": "phone", "value": "+86 571 8502 2088", "opted_out": True},
    ], external_ids=[("erp", "O-1"), rapport.ExternalId("crm", "9")])
    assert org.kind == "organization"
    assert org.name == "阿里巴巴集团"
    email = next(cp for cp in org.contact_points if cp.kind == "email")
    assert email.label == "work" and email.primary
    phone = next(cp for cp in org.contact_points if cp.kind == "phone")
    assert phone.opted_out and phone.value == "+8657185022088"
    assert sorted(org.external_ids) == [("crm", "9"), ("erp", "O-1")]


def test_get_missing_is_not_found_and_keyerror(db):
    with pytest.raises(rapport.NotFoundError) as info:
        db.get_customer(999)
    assert isinstance(info.value, KeyError)
    assert info.value.code == "NOT_FOUND"
    with pytest.raises(KeyError):
        db.get_customer(999)


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(name=""), "name"),
    (dict(name="x", kind="robot"), "kind"),
    (dict(name="x", birthday="1990-13-45"), "birthday"),
    (dict(name="x", owner=-1), "owner"),
    (dict(name="x", emails=["not an email"]), "email"),
    (dict(name="x", no_such_field=1), "no_such_field"),
])
def test_create_validation_errors_write_nothing(db, kwargs, fragment):
    before = db.last_change_seq
    with pytest.raises(rapport.ValidationError, match=fragment) as info:
        db.create_customer(**kwargs)
    assert info.value.code == "INVALID_ARGUMENT"
    assert isinstance(info.value, ValueError)
    assert db.last_change_seq == before
    assert len(db.search_customers(include_deleted=True)) == 0


def test_name_required(db):
    with pytest.raises(rapport.ValidationError, match="name"):
        db.create_customer(industry="retail")


def test_surrogate_text_is_validation_error_not_crash(db):
    before = db.last_change_seq
    with pytest.raises(rapport.ValidationError, match="name"):
        db.create_customer("\udcff")
    with pytest.raises(rapport.ValidationError, match="tag"):
        db.create_customer("ok", tags=["\ud800"])
    with pytest.raises(rapport.ValidationError):
        db.create_customer("ok", emails=["a\udcff@example.com"])
    c = db.create_customer("ok")
    with pytest.raises(rapport.ValidationError):
        db.add_tag(c.id, "\udcff")
    with pytest.raises(rapport.ValidationError):
        db.search_customers("\udcff")
    assert db.last_change_seq == before + 1


def test_invalid_utf8_bytes_rejected_by_core(db):
    before = db.last_change_seq
    with pytest.raises(rapport.ValidationError, match="UTF-8"):
        db.create_customer(b"\xff\xfe bad")
    assert db.last_change_seq == before
    # valid UTF-8 bytes are accepted as text
    assert db.create_customer("caf\u00e9".encode()).name == "café"


def test_wrong_python_types(db):
    # Field values are dynamically typed: the core checks them against the field.
    with pytest.raises(rapport.ValidationError, match="name: expected text"):
        db.create_customer(123)
    # Ids, and objects that are no field value at all, are programming errors.
    with pytest.raises(TypeError):
        db.get_customer("1")
    with pytest.raises(TypeError):
        db.create_customer("x", custom={"f": object()})


def test_update(db, clock):
    c = db.create_customer("Bob", industry="retail")
    clock.advance(dt.timedelta(minutes=5))
    u = db.update_customer(c.id, industry="banking", region="Beijing")
    assert u.industry == "banking" and u.region == "Beijing"
    assert u.version == c.version + 1
    assert u.updated_at == START + dt.timedelta(minutes=5) and u.created_at == START
    cleared = db.update_customer(u.id, industry=None)
    assert cleared.industry is None


def test_update_stale_version_is_conflict_and_writes_nothing(db):
    c = db.create_customer("Bob")
    db.update_customer(c.id, expected_version=c.version, industry="retail")
    before = db.last_change_seq
    with pytest.raises(rapport.ConflictError) as info:
        db.update_customer(c.id, expected_version=c.version, industry="banking")
    assert info.value.code == "ABORTED"
    assert db.get_customer(c.id).industry == "retail"
    assert db.last_change_seq == before
    with pytest.raises(rapport.ConflictError):
        db.delete_customer(c.id, expected_version=c.version)


def test_update_missing_is_not_found(db):
    with pytest.raises(rapport.NotFoundError):
        db.update_customer(12345, industry="x")


def test_upsert_and_find_by_external_id(db):
    c, created = db.upsert_customer("erp", "E-7", "Carol", industry="retail", emails=["carol@example.com"])
    assert created and c.external_ids == [("erp", "E-7")]
    again = db.upsert_customer("erp", "E-7", "Carol Li", tags=["vip"])
    assert isinstance(again, rapport.UpsertResult)
    assert not again.created and again.customer.id == c.id
    assert again.customer.name == "Carol Li" and again.customer.industry == "retail"
    assert again.customer.tags == ["vip"]
    assert db.find_by_external_id("erp", "E-7").id == c.id
    with pytest.raises(rapport.NotFoundError):
        db.find_by_external_id("erp", "nope")


def test_duplicate_external_id_already_exists(db):
    db.create_customer("A", external_ids={"erp": "1"})
    before = db.last_change_seq
    with pytest.raises(rapport.AlreadyExistsError) as info:
        db.create_customer("B", external_ids={"erp": "1"})
    assert info.value.code == "ALREADY_EXISTS"
    assert db.last_change_seq == before


def test_delete_restore_purge(db):
    c = db.create_customer("Dan", emails=["dan@example.com"])
    db.delete_customer(c.id)
    with pytest.raises(rapport.NotFoundError):
        db.get_customer(c.id)
    gone = db.get_customer(c.id, include_deleted=True)
    assert gone.deleted and gone.deleted_at == START
    assert len(db.search_customers()) == 0
    assert len(db.search_customers(include_deleted=True)) == 1
    db.restore_customer(c.id)
    assert not db.get_customer(c.id).deleted
    db.purge_customer(c.id)
    with pytest.raises(rapport.NotFoundError):
        db.get_customer(c.id, include_deleted=True)
    purge = db.changes()[-1]
    assert purge.op == "purge" and purge.entity_id == c.id
    assert "dan@example.com" not in repr([ch.to_dict() for ch in db.changes()])


def test_search_and_paging(db):
    ids = [db.create_customer(f"Customer {i:02d}", tags=["even"] if i % 2 == 0 else [],
                              owner=1 if i < 5 else 2).id for i in range(12)]
    db.create_customer("Zhang Wei", emails=["zw@example.com"], phones=["13800138000"],
                       lifecycle_stage="customer")
    page = db.search_customers("customer", limit=5)
    assert isinstance(page, rapport.CustomerPage)
    assert [c.id for c in page] == ids[:5] and len(page) == 5 and page[0].id == ids[0]
    assert page.next is not None
    page2 = db.search_customers("customer", limit=5, after=page.next)
    assert [c.id for c in page2] == ids[5:10]
    assert [c.id for c in db.iter_customers("CUSTOMER", page_size=4)] == ids
    assert {c.id for c in db.search_customers(tags=["even"], limit=100)} == set(ids[0::2])
    assert {c.id for c in db.search_customers(owner=2, limit=100)} == set(ids[5:])
    assert [c.name for c in db.search_customers(contact="ZW@example.com")] == ["Zhang Wei"]
    assert [c.name for c in db.search_customers(contact="+86 138 0013 8000")] == ["Zhang Wei"]
    assert [c.name for c in db.search_customers(lifecycle_stage="customer")] == ["Zhang Wei"]
    assert "CustomerPage" in repr(page)


def test_search_full_width_and_chinese(db):
    db.create_customer("深圳市腾讯计算机系统有限公司", kind="organization")
    db.create_customer("ＡＢＣ Trading")
    assert len(db.search_customers("腾讯")) == 1
    assert len(db.search_customers("abc")) == 1


def test_contact_points(db):
    c = db.create_customer("Eve")
    cp = db.add_contact_point(c.id, "eve@example.com", label="work", primary=True)
    assert cp.kind == "email" and cp.value == "eve@example.com" and cp.primary
    phone = db.add_contact_point(c.id, "021 6123 4567", kind="phone")
    assert phone.kind == "phone" and phone.value.startswith("+86")
    updated = db.update_contact_point(cp.id, opted_out=True, label="old")
    assert updated.opted_out and updated.label == "old" and updated.primary
    db.remove_contact_point(phone.id)
    assert [p.value for p in db.get_customer(c.id).contact_points] == ["eve@example.com"]
    with pytest.raises(rapport.NotFoundError):
        db.remove_contact_point(phone.id)
    with pytest.raises(rapport.ValidationError, match="kind"):
        db.add_contact_point(c.id, "x", kind="pigeon")
    with pytest.raises(rapport.ValidationError):
        db.add_contact_point(c.id, "not-an-email", kind="email")


def test_tags_and_external_ids(db):
    c = db.create_customer("Fay")
    db.add_tag(c.id, "vip")
    db.add_tag(c.id, "churn-risk")
    assert db.get_customer(c.id).tags == ["churn-risk", "vip"]
    db.remove_tag(c.id, "vip")
    assert db.get_customer(c.id).tags == ["churn-risk"]
    db.add_external_id(c.id, "shop", "S-1")
    assert db.find_by_external_id("shop", "S-1").id == c.id
    db.remove_external_id("shop", "S-1")
    with pytest.raises(rapport.NotFoundError):
        db.find_by_external_id("shop", "S-1")
    with pytest.raises(rapport.NotFoundError):
        db.add_tag(999, "x")


def test_org_contacts(db):
    org = db.create_customer("Acme", kind="organization")
    p = db.create_customer("Gil")
    db.link_contact(org.id, p.id, "purchaser")
    assert db.contacts_of(org.id) == [rapport.ContactRole(org.id, p.id, "purchaser")]
    assert db.organizations_of(p.id)[0].role == "purchaser"
    db.unlink_contact(org.id, p.id)
    assert db.contacts_of(org.id) == []
    with pytest.raises(rapport.Error):
        db.link_contact(p.id, org.id, "ceo")  # the organisation must be an organisation


def test_custom_fields(db):
    f = db.define_custom_field("vip_level", "integer", min=0, max=5, label="VIP level", indexed=True)
    assert isinstance(f, rapport.CustomFieldDef)
    assert (f.name, f.type, f.min, f.max, f.label) == ("vip_level", "integer", 0.0, 5.0, "VIP level")
    db.define_custom_field("since", "date")
    db.define_custom_field("last_seen", "time")
    db.define_custom_field("credit", "decimal")
    db.define_custom_field("budget", "money", currency="CNY")
    db.define_custom_field("tier", "enum", options=["gold", "silver"])
    db.define_custom_field("channels", "multi-enum", options=["wechat", "email", "sms"])
    db.define_custom_field("wholesale", "bool")
    db.define_custom_field("code", "text", pattern="[A-Z]{3}", unique=True)
    assert [d.name for d in db.custom_fields()] == sorted(
        ["vip_level", "since", "last_seen", "credit", "budget", "tier", "channels", "wholesale", "code"]) or \
        len(db.custom_fields()) == 9
    seen = dt.datetime(2024, 2, 3, 4, 5, 6, 7, tzinfo=UTC)
    c = db.create_customer("Hal", vip_level=3, since=dt.date(2020, 1, 2), last_seen=seen,
                           credit=decimal.Decimal("12.50"), budget=rapport.Money.parse("99.90", "CNY"),
                           tier="gold", channels={"sms", "wechat"}, wholesale=True,
                           custom={"code": "ABC"})
    assert c.custom == {"vip_level": 3, "since": dt.date(2020, 1, 2), "last_seen": seen,
                        "credit": decimal.Decimal("12.5"), "budget": rapport.Money(9990, "CNY"),
                        "tier": "gold", "channels": ["sms", "wechat"], "wholesale": True, "code": "ABC"}
    assert c["vip_level"] == 3
    u = db.update_customer(c.id, vip_level=None, custom={"tier": "silver"})
    assert "vip_level" not in u.custom or u.custom["vip_level"] is None
    assert u.custom["tier"] == "silver"
    assert [x.id for x in db.search_customers(custom={"tier": "silver"})] == [c.id]


@pytest.mark.parametrize("field, value, fragment", [
    ("vip_level", 9, "maximum"),
    ("vip_level", "many", "integer"),
    ("tier", "bronze", "options"),
    ("code", "abcd", "pattern"),
    ("since", "yesterday", "since"),
    ("budget", rapport.Money(100, "USD"), "currency"),
])
def test_custom_field_validation(db, field, value, fragment):
    db.define_custom_field("vip_level", "integer", min=0, max=5)
    db.define_custom_field("tier", "enum", options=["gold", "silver"])
    db.define_custom_field("code", "text", pattern="[A-Z]{3}")
    db.define_custom_field("since", "date")
    db.define_custom_field("budget", "money", currency="CNY")
    before = db.last_change_seq
    with pytest.raises(rapport.ValidationError, match=fragment):
        db.create_customer("Ivy", **{field: value})
    assert db.last_change_seq == before


def test_custom_field_required_unique_and_drop(db):
    db.define_custom_field("tax_no", "text", unique=True)
    db.create_customer("A", tax_no="T1")
    with pytest.raises(rapport.AlreadyExistsError):
        db.create_customer("B", tax_no="T1")
    db.define_custom_field("segment", "text", required=True)
    with pytest.raises(rapport.ValidationError, match="segment"):
        db.create_customer("C")
    db.drop_custom_field("segment")
    assert "segment" not in [d.name for d in db.custom_fields()]
    with pytest.raises(rapport.NotFoundError):
        db.drop_custom_field("segment")


def test_define_custom_field_errors(db):
    with pytest.raises(rapport.ValidationError, match="type"):
        db.define_custom_field("x", "colour")
    with pytest.raises(rapport.ValidationError, match="core field"):
        db.define_custom_field("name", "text")
    with pytest.raises(rapport.ValidationError, match="options"):
        db.define_custom_field("e", "enum")
    db.define_custom_field("dup", "text")
    with pytest.raises(rapport.AlreadyExistsError):
        db.define_custom_field("dup", "text")


def test_naive_datetime_rejected(db):
    db.define_custom_field("last_seen", "time")
    with pytest.raises(rapport.ValidationError, match="naive"):
        db.create_customer("Joe", last_seen=dt.datetime(2024, 1, 1))


def test_field_given_twice(db):
    c = db.create_customer("Kim")
    with pytest.raises(rapport.ValidationError, match="twice"):
        db.update_customer(c.id, industry="a", custom={"industry": "b"})
    with pytest.raises(rapport.ValidationError, match="twice"):
        db.create_customer("Lee", custom={"region": "x"}, region="y")


def test_search_by_external_id_and_custom_value(db):
    db.define_custom_field("score", "integer", indexed=True)
    a = db.create_customer("A", external_ids=[("erp", "1")], score=3)
    db.create_customer("B", external_ids=[("erp", "2")], score=4)
    assert [c.id for c in db.search_customers(external_id=("erp", "1"))] == [a.id]
    assert [c.id for c in db.search_customers(custom={"score": 3})] == [a.id]
    with pytest.raises(rapport.ValidationError, match="exactly one"):
        db.search_customers(custom={"score": 3, "x": 1})
