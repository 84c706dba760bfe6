"""A corpus of hostile strings and numbers (issue 9, "One input policy", core.inputs) and every use case that
takes text or numbers, one Target per field. `try_input` runs one input through a target: either it is
refused with Invalid (a catalog key in both languages) and nothing at all was written (row counts, the
audit log and the field as stored are unchanged), or it is stored and reads back exactly as the use case
promises (the text as typed, trimmed where the use case trims). Any other exception fails the test.

`python -m tests.hostile` prints, per target, how many inputs were refused and how many stored (SQLite)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Engine, func, select, update

from core.accounts.services import create_first_admin, create_user, update_user
from core.accounts.setup import issue_setup_code
from core.callbacks.rules import CallInput
from core.callbacks.services import claim, record_call
from core.customers.queries import CustomerFilter
from core.customers.services import update_customer
from core.errors import Invalid, Unchanged
from core.i18n import catalog
from core.incoming.rules import IncomingInput
from core.incoming.services import register_incoming_call
from core.leads.rules import LeadContactInput
from core.leads.services import record_lead_contact
from core.office.services import update_settings
from core.office.settings import load_office
from core.phones import canonical, clean_phone
from core.rechecks.findings import complete_task, due_at, send_finding
from core.scheduling.campaigns import Campaign, plan_campaign
from db import enums as en
from db.engine import session_scope
from db.models import (
    AuditEntry,
    Base,
    CallAttempt,
    Callback,
    Complaint,
    Customer,
    IncomingCall,
    Lead,
    LeadContact,
    Task,
    User,
)
from tests.factories import NOW, PASSWORD, make_account, make_attempt, make_callback, make_customer, make_lead

TZ = "Asia/Shanghai"
_names = itertools.count(1)
TODAY = date(2026, 11, 20)  # NOW's office day

MARKUP = "![p](http://host/x.png) [link](http://host/) **B** :red[R]"
TEXTS: dict[str, str] = {
    "empty": "", "blanks": "   \t ", "50k": "x" * 50_000, "100k": "y" * 100_000,
    "65": "u" * 65, "101": "n" * 101, "201": "w" * 201, "4001": "t" * 4001,
    "nul": "ab\x00cd", "nul_only": "\x00", "bell": "ab\x07cd", "escape": "ab\x1b[31mcd", "del": "ab\x7fcd",
    "c1_nel": "ab\x85cd", "c1_csi": "ab\x9bcd", "newline": "line one\nline two", "crlf": "one\r\ntwo",
    "tab": "a\tb", "line_separator": "ab\u2028cd",
    "rtl_override": "adm\u202eni", "lre": "\u202aab", "isolate": "\u2066admin\u2069", "rlm": "adm\u200fin",
    "zwj": "ad\u200dmin", "zwsp": "ad\u200bmin", "bom": "\ufeffadmin", "soft_hyphen": "ad\u00admin",
    "lone_surrogate": "ab\ud800cd",
    "emoji": "Happy 😀👍", "emoji_family": "Family 👨\u200d👩\u200d👧", "cjk": "王小明",
    "cjk_address": "北京市朝阳区建国路88号",
    "combining": "Cafe\u0301 Zoe\u0308", "apostrophe": "O'Brien-Smith",
    "markdown": MARKUP, "html": "<script>alert(1)</script><b>x</b>", "html_img": '<img src=x onerror="alert(1)">',
    "sql": "Robert'); DROP TABLE customers;--", "sql_or": "' OR 1=1 --",
    "like_percent": "%", "like_underscore": "_", "backslash": "\\", "like_mix": "100%_\\x",
    "padded": "  Alice Wong  ", "email": "ann.li@example.com", "email_idn": "li@例子.中国",
    "email_no_domain": "ann@", "email_two_at": "a@b@c.com", "phone": "138 1234 5678",
    "phone_paren": "(201) 555-0143", "timezone": "Europe/Berlin", "timezone_path": "../../etc/passwd",
}
NUMBERS: dict[str, object] = {
    "1e25": 1e25, "minus_one": -1, "zero": 0, "one": 1, "three": 3, "five": 5, "nan": float("nan"),
    "inf": float("inf"), "minus_inf": float("-inf"), "10**30": 10**30, "2**63": 2**63, "2**63-1": 2**63 - 1,
    "10**12": 10**12, "10**12+1": 10**12 + 1, "true": True, "false": False, "str_5": "5", "str_1e25": "1e25",
    "float_3.5": 3.5, "float_3.0": 3.0, "decimal_5": Decimal("5"), "none": None,
}


def trimmed(value, _ctx=None):
    return value.strip() or None if isinstance(value, str) else value


def as_typed(value, _ctx=None):
    """Kept verbatim (CB-7 "original record"); only an all-blank text counts as nothing."""
    return value if isinstance(value, str) and value.strip() else None


@dataclass(frozen=True)
class Target:
    """One field of one use case: `setup` builds what the input needs (a fresh record each time), `run`
    submits the input, `read` returns the field as stored (of the newest row for a use case that adds one)
    and `expect` what it must read back as when the input was accepted."""

    name: str
    corpus: dict[str, object]
    setup: Callable[[Engine], dict]
    run: Callable[[Engine, dict, object], object]
    read: Callable[[Engine, dict], object]
    expect: Callable[[object, dict], object] = trimmed
    settings: tuple[str, ...] = field(default=())


def newest(engine: Engine, column, *where) -> object:
    with session_scope(engine) as s:
        return s.scalar(select(column).where(*where).order_by(column.class_.id.desc()).limit(1))


def by_id(engine: Engine, column, row_id: int) -> object:
    with session_scope(engine) as s:
        return s.scalar(select(column).where(column.class_.id == row_id))


def written(engine: Engine) -> dict:
    """Every table's row count and the newest audit id: what 'nothing was written' compares."""
    tables = Base.metadata.sorted_tables
    with session_scope(engine) as s:
        row = s.execute(select(*[select(func.count()).select_from(t).scalar_subquery() for t in tables],
                               select(func.max(AuditEntry.id)).scalar_subquery())).one()
    return dict(zip([t.name for t in tables] + ["audit"], row, strict=True))


@dataclass
class Outcome:
    refused: int = 0
    stored: int = 0
    keys: set[str] = field(default_factory=set)


def try_input(engine: Engine, target: Target, value: object) -> str:
    """'refused' or 'stored'; raises AssertionError when the policy is broken, and lets any unexpected
    exception through (a traceback the browser would have seen)."""
    ctx = target.setup(engine)
    before = (written(engine), target.read(engine, ctx))
    try:
        target.run(engine, ctx, value)
    except Invalid as err:
        assert err.key in catalog("en") and err.key in catalog("zh"), f"{err.key} is in no catalog"
        assert (written(engine), target.read(engine, ctx)) == before, "refused, yet something was written"
        return f"refused:{err.key}"
    except Unchanged:  # the value as cleaned is what was there (a blank for a blank): nothing to write
        assert written(engine) == before[0], "unchanged, yet something was written"
    stored, expected = target.read(engine, ctx), target.expect(value, ctx)
    assert stored == expected, f"stored {stored!r:.80}, expected {expected!r:.80}"
    return "stored"


# --- setups ------------------------------------------------------------------------------------------------

def _people(engine: Engine) -> dict:
    with session_scope(engine) as s:
        actors = {role.value: make_account(s, role) for role in en.Role}
        customer = make_customer(s, specialist_id=actors["specialist"].id)
        return actors | {"customer": customer.id, "version": customer.version, "name": customer.name}


def _no_admin(engine: Engine) -> dict:
    """A new real office: nobody can sign in as an admin yet."""
    with engine.begin() as conn:
        conn.execute(update(User).where(User.role == en.Role.ADMIN).values(active=False))
    return {"code": issue_setup_code(engine, NOW)}  # the code the server would print at its start


def _claimed(engine: Engine, level: en.CallbackLevel = en.CallbackLevel.L1, kind=en.CallbackKind.NEW_CUSTOMER) -> dict:
    ctx = _people(engine)
    who = {en.CallbackLevel.L1: "specialist", en.CallbackLevel.L2: "manager"}[level]
    with session_scope(engine) as s:
        cb = make_callback(s, s.get(Customer, ctx["customer"]), assignee_id=ctx[who].id, level=level, kind=kind)
    claim(engine, ctx[who], cb.id, NOW - timedelta(minutes=5))
    return ctx | {"cb": cb.id, "caller": ctx[who]}


def _worked_recheck(engine: Engine) -> dict:
    ctx = _people(engine)
    with session_scope(engine) as s:
        customer = s.get(Customer, ctx["customer"])
        cb = make_callback(s, customer, kind=en.CallbackKind.RECHECK, level=en.CallbackLevel.L2,
                           status=en.CallbackStatus.COMPLETED, assignee_id=ctx["manager"].id)
        make_attempt(s, cb, s.get(User, ctx["manager"].id), attempted_at=NOW - timedelta(hours=1))
    return ctx | {"cb": cb.id}


def _open_task(engine: Engine) -> dict:
    ctx = _worked_recheck(engine)
    sent = send_finding(engine, ctx["manager"], ctx["cb"], "Was not told the next visit", NOW,
                        assignee_id=ctx["specialist"].id)
    return ctx | {"task": sent.id, "task_version": sent.version}


def _open_lead(engine: Engine) -> dict:
    ctx = _people(engine)
    with session_scope(engine) as s:
        lead = make_lead(s, specialist_id=ctx["specialist"].id)
    return ctx | {"lead": lead.id}


# --- runs --------------------------------------------------------------------------------------------------

def _reached(**kw) -> CallInput:
    base = {"channel": en.Channel.PHONE, "outcome": en.CallOutcome.REACHED, "satisfaction": en.Satisfaction.SATISFIED,
            "score": 5}
    return CallInput(**base | kw)


def _call_target(name: str, column, expect=as_typed, **fixed) -> Target:
    """A text of the call screen's form (CB-7), recorded on a claimed L1 callback."""
    return Target(f"record_call.{name}", TEXTS, _claimed,
                  lambda e, c, v: record_call(e, c["caller"], c["cb"], _reached(**{name: v} | fixed), NOW),
                  lambda e, c: newest(e, column), expect)


def _customer_target(name: str, expect=trimmed) -> Target:
    return Target(f"update_customer.{name}", TEXTS, _people,
                  lambda e, c, v: update_customer(e, c["specialist"], c["customer"], c["version"], {name: v}, NOW,
                                                  TODAY),
                  lambda e, c: by_id(e, getattr(Customer, name), c["customer"]), expect)


def _incoming(phone: str = "13912345678", **kw) -> IncomingInput:
    return IncomingInput(phone=phone, category=en.IncomingCategory.NEW_ENQUIRY, **kw)


def _incoming_target(name: str, expect=trimmed) -> Target:
    build = (lambda v: _incoming(phone=v)) if name == "phone" else (lambda v: _incoming(**{name: v}))
    return Target(f"register_incoming_call.{name}", TEXTS, _people,
                  lambda e, c, v: register_incoming_call(e, c["specialist"], build(v), NOW),
                  lambda e, c: newest(e, getattr(IncomingCall, name)), expect)


def _setting_target(key: str, corpus: dict, expect=trimmed) -> Target:
    def run(e, c, v):
        update_settings(e, c["admin"], {key: load_office(e).get(key)}, {key: v}, NOW)
    return Target(f"update_settings.{key}", corpus, _people, run, lambda e, c: load_office(e).get(key), expect,
                  settings=(key,))


def _kept_name(value, ctx) -> str:
    """update_user: a blank name leaves the name as it was."""
    return trimmed(value) or ctx["old_name"]


def _with_old_name(engine: Engine) -> dict:
    ctx = _people(engine)
    return ctx | {"old_name": by_id(engine, User.display_name, ctx["specialist"].id)}


def _whole_number(value) -> object:
    return int(str(value).strip())


TARGETS: list[Target] = [
    Target("create_user.username", TEXTS, _people,
           lambda e, c, v: create_user(e, c["admin"], v, "New Person", en.Role.SPECIALIST, PASSWORD, NOW),
           lambda e, c: newest(e, User.username)),
    Target("create_user.display_name", TEXTS, _people,
           lambda e, c, v: create_user(e, c["admin"], f"u{next(_names)}", v, en.Role.SPECIALIST, PASSWORD, NOW),
           lambda e, c: newest(e, User.display_name)),
    Target("create_first_admin.display_name", TEXTS, _no_admin,
           lambda e, c, v: create_first_admin(e, c["code"], f"first{next(_names)}", v, PASSWORD, NOW),
           lambda e, c: newest(e, User.display_name)),
    Target("update_user.display_name", TEXTS, _with_old_name,
           lambda e, c, v: update_user(e, c["admin"], c["specialist"].id, 1, NOW, display_name=v),
           lambda e, c: by_id(e, User.display_name, c["specialist"].id), _kept_name),
    _customer_target("name"), _customer_target("phone", lambda v, c: canonical(v, "CN")),
    _customer_target("email"), _customer_target("address"), _customer_target("city"), _customer_target("notes"),
    _incoming_target("phone", lambda v, c: clean_phone(v)), _incoming_target("caller_name"),
    _incoming_target("need"), _incoming_target("heard_from"),
    Target("record_lead_contact.notes", TEXTS, _open_lead,
           lambda e, c, v: record_lead_contact(e, c["specialist"], c["lead"],
                                               LeadContactInput(en.Channel.PHONE, en.LeadResult.TALKED, notes=v), NOW),
           lambda e, c: newest(e, LeadContact.notes), as_typed),
    Target("record_lead_contact.sale_amount_cents", NUMBERS, _open_lead,
           lambda e, c, v: record_lead_contact(e, c["specialist"], c["lead"],
                                               LeadContactInput(en.Channel.PHONE, en.LeadResult.SALE, v), NOW),
           lambda e, c: newest(e, LeadContact.sale_amount_cents)),
    _call_target("notes", CallAttempt.notes), _call_target("suggestions", CallAttempt.suggestions),
    _call_target("questions", CallAttempt.questions, promised_reply_at=NOW + timedelta(days=1)),
    _call_target("dissatisfaction_reason", CallAttempt.dissatisfaction_reason,
                 satisfaction=en.Satisfaction.DISSATISFIED),
    _call_target("complaint_description", Complaint.description, wants_complaint=True),
    _call_target("product_interest", Lead.interest, trimmed, wants_products=True),
    Target("record_call.score", NUMBERS, _claimed,
           lambda e, c, v: record_call(e, c["caller"], c["cb"], _reached(score=v), NOW),
           lambda e, c: newest(e, CallAttempt.score)),
    Target("send_finding.finding", TEXTS, _worked_recheck,
           lambda e, c, v: send_finding(e, c["manager"], c["cb"], v, NOW, assignee_id=c["specialist"].id),
           lambda e, c: newest(e, Task.finding)),
    Target("send_finding.due_days", NUMBERS, _worked_recheck,
           lambda e, c, v: send_finding(e, c["manager"], c["cb"], "Late", NOW, c["specialist"].id, v),
           lambda e, c: newest(e, Task.due_at), lambda v, c: due_at(NOW, v, TZ)),
    Target("complete_task.resolution", TEXTS, _open_task,
           lambda e, c, v: complete_task(e, c["specialist"], c["task"], v, c["task_version"], NOW),
           lambda e, c: by_id(e, Task.resolution, c["task"])),
    Target("plan_campaign.name", TEXTS, _people,
           lambda e, c, v: plan_campaign(e, c["manager"], Campaign(en.CallbackKind.QUESTIONNAIRE, v, TODAY,
                                                                  TODAY + timedelta(days=7), _only(c)), NOW, TZ),
           lambda e, c: newest(e, Callback.purpose, Callback.customer_id == c["customer"])),
    _setting_target("office.timezone", TEXTS), _setting_target("office.currency", TEXTS),
    _setting_target("callback.max_attempts", NUMBERS, lambda v, c: _whole_number(v)),
]


def _only(ctx: dict) -> CustomerFilter:
    """The campaign's filter: this setup's customer alone (the only one its specialist looks after)."""
    return CustomerFilter(specialist_id=ctx["specialist"].id)


def report(engine: Engine) -> dict[str, Outcome]:
    out: dict[str, Outcome] = {}
    for target in TARGETS:
        got = out.setdefault(target.name, Outcome())
        for value in target.corpus.values():
            result = try_input(engine, target, value)
            if result == "stored":
                got.stored += 1
            else:
                got.refused += 1
                got.keys.add(result.split(":", 1)[1])
    return out


def main() -> None:
    import tempfile
    from pathlib import Path

    from core.accounts import services
    from db.engine import make_engine
    from db.migrate import upgrade
    services.hash_password = lambda password: "fake"  # Argon2 is slow on purpose; the table is about inputs
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'hostile.sqlite'}"
        upgrade(url)
        engine = make_engine(url)
        print(f"corpus: {len(TEXTS)} strings, {len(NUMBERS)} numbers; {len(TARGETS)} use-case fields")
        print(f"{'use case . field':44} {'inputs':>6} {'refused':>7} {'stored':>6}")
        for name, got in report(engine).items():
            print(f"{name:44} {got.refused + got.stored:6} {got.refused:7} {got.stored:6}")
        engine.dispose()


if __name__ == "__main__":
    main()
