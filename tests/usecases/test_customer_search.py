"""The search box (C-1, issue 13) on SQLite and PostgreSQL: the Customers list and the intake pickers find a
customer by name, pinyin initials (either reading of a surname), phone in any spelling, a contact's name or
phone, a product's order, serial or plate number, a work order's or a complaint's number and the code, through
`customer_search_terms`, which every write keeps equal to what the records say."""

from __future__ import annotations

from datetime import date
from random import Random

import pytest
from sqlalchemy import select

from cli import search as search_cli
from cli.setup import prepare
from core.callbacks.queries import CallbackFilter, list_callbacks
from core.complaints.intake import intake_customers
from core.complaints.queries import ComplaintFilter, list_complaints
from core.customers.queries import CustomerFilter, list_customers
from core.customers.search import terms_of
from core.customers.search_index import needs_rebuild, rebuild
from core.customers.services import update_customer
from core.errors import Unchanged
from core.work_orders.queries import WorkOrderFilter, list_work_orders
from db.engine import session_scope
from db.enums import Role
from db.models import Customer, CustomerSearchTerm
from tests.factories import (
    NOW,
    make_account,
    make_callback,
    make_complaint,
    make_contact,
    make_customer,
    make_product,
    make_user,
    make_work_order,
    reader,
)
from tests.helpers import restoring_settings, set_setting

TZ = "Asia/Shanghai"
TODAY = date(2026, 11, 20)


@pytest.fixture
def archive(engine) -> dict:
    with session_scope(engine) as s:
        clerk = make_user(s)
        zhang = make_customer(s, code="C0000001", name="张伟", phone="+8613812345678")
        zeng = make_customer(s, code="C0000002", name="曾华", phone="010-65123456")
        acme = make_customer(s, code="C0000003", name="Acme Power Tools", phone="+864008208820")
        make_contact(s, acme, name="李娜", phone="+8613911112222")
        make_product(s, acme, order_no="SO-7781", serial_no="粤B12345")
        make_product(s, zeng, order_no="SO-5500", serial_no="SN-ABC-9")
        make_work_order(s, zhang, clerk, number="WO202611000042")
        make_complaint(s, zeng, clerk, number="CP202611000007")
        return {"zhang": "C0000001", "zeng": "C0000002", "acme": "C0000003"}


def found(engine, text: str) -> list[str]:
    return [r["code"] for r in list_customers(engine, reader(), CustomerFilter(search=text), TZ).rows]


@pytest.mark.parametrize(("text", "who"), [
    ("张伟", ["zhang"]), ("伟", ["zhang"]), ("zw", ["zhang"]), ("zhangw", ["zhang"]),
    ("zh", ["zeng", "zhang"]), ("ch", ["zeng"]), ("ZengHua", ["zeng"]),
    ("acme tools", ["acme"]), ("POWER", ["acme"]),
    ("+86 138-1234-5678", ["zhang"]), ("0086 138 1234 5678", ["zhang"]), ("138 1234 5678", ["zhang"]),
    ("1381234", ["zhang"]), ("(0)10-6512 3456", ["zeng"]), ("+86 10 6512 3456", ["zeng"]),
    ("400 820 8820", ["acme"]), ("139-1111-2222", ["acme"]), ("李娜", ["acme"]), ("ln", ["acme"]),
    ("SO-7781", ["acme"]), ("so7781", ["acme"]), ("粤B12345", ["acme"]), ("b12345", ["acme"]),
    ("SN-ABC", ["zeng"]), ("WO202611000042", ["zhang"]), ("wo2026110000", ["zhang"]),
    ("CP202611000007", ["zeng"]), ("C0000003", ["acme"]), ("c00000", ["acme", "zeng", "zhang"]),
    ("nobody", []), ("139 9999", []), ("cme", []), ("%", []), ("_", []),
], ids=lambda v: v if isinstance(v, str) else None)
def test_the_list_search_finds_a_customer_by_any_of_their_terms(engine, archive, text, who):
    """C-1: every query is answered from the index (or the numbers' own unique indexes), never a LIKE scan;
    the newest first when nothing matches exactly."""
    assert sorted(found(engine, text)) == sorted(archive[w] for w in who)


def test_what_the_query_names_exactly_comes_first_then_the_newest(engine):
    with session_scope(engine) as s:
        exact = make_customer(s, code="C0000010", name="Wang", created_at=NOW.replace(year=2020))
        make_customer(s, code="C0000011", name="Wang Hardware", created_at=NOW.replace(year=2025))
        make_customer(s, code="C0000012", name="Wang Foods", created_at=NOW)
    assert found(engine, "wang") == [exact.code, "C0000012", "C0000011"]
    assert found(engine, "wang foods") == ["C0000012"]


@pytest.mark.parametrize("text", ["zw", "张", "+86 138 1234 5678", "WO2026110000"])
def test_the_work_order_list_finds_an_order_by_its_customer_through_the_index_or_by_its_own_number(
        engine, archive, text):
    """The lists of callbacks, complaints and work orders search their customer through the same index
    (core.lists.customer_match); an order's own number finds that order only."""
    with session_scope(engine) as s:
        zhang = s.scalar(select(Customer).where(Customer.code == archive["zhang"]))
        make_work_order(s, zhang, make_user(s), number="WO202611000043")
    got = list_work_orders(engine, reader(), WorkOrderFilter(search=text), TZ).rows
    assert sorted(r["number"] for r in got) == ["WO202611000042", "WO202611000043"]
    [only] = list_work_orders(engine, reader(), WorkOrderFilter(search="WO202611000043"), TZ).rows
    assert only["number"] == "WO202611000043"
    assert list_complaints(engine, reader(), ComplaintFilter(search="曾华"), TZ, NOW).total == 1


def test_the_lists_read_a_phone_in_the_offices_region_c_1(engine, archive):
    """C-1: an office in the US dials China as 011 86…; its lists of work orders, complaints and callbacks read
    the typed number in the office's region (office.phone_region), as the customer list does, not in CN's."""
    with session_scope(engine) as s:
        zhang = s.scalar(select(Customer).where(Customer.code == archive["zhang"]))
        make_complaint(s, zhang, make_user(s), number="CP202611000099")
        make_callback(s, zhang)
    typed = "011 86 138 1234 5678"
    with restoring_settings(engine, "office.phone_region"):
        set_setting(engine, "office.phone_region", "US")
        assert found(engine, typed) == [archive["zhang"]]
        assert [r["number"] for r in list_work_orders(engine, reader(), WorkOrderFilter(search=typed), TZ).rows] == [
            "WO202611000042"]
        assert [r["number"] for r in list_complaints(engine, reader(), ComplaintFilter(search=typed), TZ, NOW).rows
                ] == ["CP202611000099"]
        assert list_callbacks(engine, reader(Role.MANAGER), CallbackFilter(search=typed), TZ, NOW).total == 1
    assert list_work_orders(engine, reader(), WorkOrderFilter(search=typed), TZ).total == 0  # CN: no such number


@pytest.mark.parametrize("text", ["z", "1", "W"], ids=["letter", "digit", "number-start"])
def test_one_latin_letter_or_digit_finds_nothing_in_any_list(engine, archive, text):
    """C-1 search at scale: `z` or `1` would range over a large share of the index (and of the orders'
    numbers) and sort it all; it finds nothing, and the page asks for 2 characters. One Chinese character is
    enough."""
    assert found(engine, text) == []
    assert list_work_orders(engine, reader(), WorkOrderFilter(search=text), TZ).total == 0
    assert list_complaints(engine, reader(), ComplaintFilter(search=text), TZ, NOW).total == 0
    assert found(engine, "张") == [archive["zhang"]] and found(engine, "zw") == [archive["zhang"]]


def test_the_intake_pickers_find_a_caller_by_a_phone_spelled_otherwise_exact_first(engine, archive):
    by_phone = intake_customers(engine, reader(Role.SPECIALIST), "+86 138 1234 5678")
    assert [c["code"] for c in by_phone] == [archive["zhang"]]
    by_pinyin = intake_customers(engine, reader(Role.SPECIALIST), "zh")
    assert [c["name"] for c in by_pinyin] == ["张伟", "曾华"]  # by name (code points), nobody named exactly zh


def test_a_corrected_name_and_phone_are_found_and_the_old_ones_no_more(engine, archive):
    with session_scope(engine) as s:
        editor = make_account(s, Role.MANAGER)
        row = s.execute(select(Customer.id, Customer.version).where(Customer.code == archive["zhang"])).one()
    update_customer(engine, editor, row.id, row.version, {"name": "单丽", "phone": "13700001111"}, NOW, TODAY)
    assert found(engine, "zw") == [] and found(engine, "13812345678") == []
    assert found(engine, "sl") == found(engine, "dl") == found(engine, "+86 137 0000 1111") == [archive["zhang"]]
    assert found(engine, "WO202611000042") == [archive["zhang"]]  # the work order's number stays theirs


NAMES = ["张伟", "曾华", "单丽", "Acme Tools", "王 小明", "Li Na", "重庆银行", "O'Brien & Sons"]


def _index(engine) -> set[tuple[str, int]]:
    with session_scope(engine) as s:
        return {tuple(r) for r in s.execute(select(CustomerSearchTerm.term, CustomerSearchTerm.customer_id))}


def _recomputed(engine) -> set[tuple[str, int]]:
    with session_scope(engine) as s:
        ids = list(s.scalars(select(Customer.id)))
        return {(t, cid) for cid, terms in terms_of(s, ids).items() for t in terms}


def _phone(rng: Random) -> str:
    """A valid number in one of the spellings an office types (mobiles with and without +86, a Beijing
    landline, a 400 number): the archive refuses invalid ones since phones are canonical."""
    prefix, rest = rng.choice([("+86138", 8), ("139", 8), ("010-6", 7), ("+86400", 7)])
    return prefix + "".join(rng.choice("0123456789") for _ in range(rest))


def test_after_any_sequence_of_writes_the_index_equals_a_recomputation_from_the_records(engine):
    """C-1: a seeded random mix of new customers, contacts, products and corrections of names and phones (the
    app's own update_customer): the table holds exactly the terms the records give, and a full rebuild
    changes nothing."""
    rng = Random(13)
    with session_scope(engine) as s:
        editor = make_account(s, Role.MANAGER)
    versions: dict[int, int] = {}
    for step in range(60):
        kind = rng.choice(["customer", "contact", "product", "correct"] if versions else ["customer"])
        if kind == "correct":
            cid = rng.choice(sorted(versions))
            changes = rng.choice([{"name": rng.choice(NAMES)}, {"phone": _phone(rng)}, {"grade": "vip"}])
            try:
                versions[cid] = update_customer(engine, editor, cid, versions[cid], changes, NOW, TODAY)
            except Unchanged:  # the same value again: nothing written
                pass
            continue
        with session_scope(engine) as s:
            if kind == "customer":
                c = make_customer(s, name=rng.choice(NAMES), phone=_phone(rng))
                versions[c.id] = c.version
                continue
            owner = s.get(Customer, rng.choice(sorted(versions)))
            if kind == "contact":
                make_contact(s, owner, name=rng.choice(NAMES), phone=rng.choice([None, _phone(rng)]))
            else:
                make_product(s, owner, order_no=f"SO-{step:04d}", serial_no=rng.choice([None, f"粤B{step:05d}"]))
    index = _index(engine)
    assert index == _recomputed(engine) and len(index) > 200
    rebuild(engine)
    assert _index(engine) == index


def test_an_office_upgraded_without_terms_gets_them_when_it_starts(engine, db_url, monkeypatch):
    """Migration 0010 left the table empty under an archive: `make run` (cli.setup) builds it once."""
    with session_scope(engine) as s:
        for name in NAMES:
            make_product(s, make_customer(s, name=name))
    expected = _index(engine)
    with session_scope(engine) as s:
        s.execute(CustomerSearchTerm.__table__.delete())
    assert needs_rebuild(engine)
    monkeypatch.setenv("DATABASE_URL", db_url)
    said = prepare(with_demo=False).split("; ")
    assert said[:2] == ["database ready", f"search terms built: {len(expected)}"]
    assert _index(engine) == expected and not needs_rebuild(engine)
    assert prepare(with_demo=False) == "database ready"


def test_the_command_rebuilds_the_index_from_the_records(engine, db_url, monkeypatch, capsys):
    """`python -m cli.search --rebuild`: a stale index (a term nobody has) is rewritten from the records."""
    with session_scope(engine) as s:
        customer = make_customer(s, name="张伟")
        s.add(CustomerSearchTerm(term="stale", customer_id=customer.id))
    expected = _recomputed(engine)
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert search_cli.main(["--rebuild"]) == 0
    assert _index(engine) == expected and ("stale", customer.id) not in expected
    assert capsys.readouterr().out == f"search terms written: {len(expected)}\n"
