"""The work order's signature section (WO-5, WO-6) driven by AppTest: which step of the signing each person
is offered at each stage (the assigned technician, another engineer, the manager, the service specialist),
and what a Done on the pad or the countersign button hands to the use cases. The section alone is run, with
two boundaries replaced: the use cases (core.work_orders.services, tested on both databases by their own
tests) by a recorder, and the browser's canvas (driven for real by tests/e2e/test_signature_in_browser.py)
by what the test says Done sent."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

import ui.wo_signatures
from core.errors import StaleEdit
from core.fmt import fmt_datetime
from core.i18n import t
from core.permissions import Actor
from core.work_orders.flow import Context
from db.enums import Role, ServiceType, SignatureKind, WorkOrderStatus
from tests.helpers import OFFICE_TZ, as_read
from ui.signature_pad import Drawn
from ui.text import plain

ORDER = 7
TECH, OTHER = Actor(5, "eng1", "Wang Wei", Role.ENGINEER), Actor(6, "eng2", "Li Na", Role.ENGINEER)
MANAGER, SPECIALIST = Actor(2, "mgr", "Zhao Min", Role.MANAGER), Actor(3, "spec", "Sun Li", Role.SPECIALIST)
FORMATTED = fmt_datetime(datetime(2026, 6, 17, 3, 30, tzinfo=UTC), "zh", OFFICE_TZ)
STARTED, ENDED = datetime(2026, 6, 17, 1, 0, tzinfo=UTC), datetime(2026, 6, 17, 3, 30, tzinfo=UTC)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), "white").save(out, format="PNG")
    return out.getvalue()


PNG = _png()
TECH_PAD, CUSTOMER_PAD = f"wo_sig_technician_{ORDER}", f"wo_sig_customer_{ORDER}"
COUNTERSIGN, CUSTOMER_NAME = f"wo_sig_countersign_{ORDER}", f"wo_sig_customer_name_{ORDER}"


def detail(countersigned: bool = False, technician_signed: bool = False, status=WorkOrderStatus.COMPLETED,
           signatures: list | None = None, fee_cents: int | None = 12_000) -> dict:
    order = {"id": ORDER, "version": 4, "status": status, "technician_id": TECH.id, "service_type": ServiceType.PAID,
             "fee_cents": fee_cents,
             "service_started_at": STARTED, "service_ended_at": ENDED, "work_done": "Replaced the pump seal\n*tested*",
             "manager_countersigned_at": ENDED if countersigned else None}
    ctx = Context(technician_signed=technician_signed or countersigned)
    return {"order": order, "context": ctx, "signatures": signatures or [], "version": 4}


def _section(actor, record):
    from ui.wo_signatures import signature_section

    signature_section(actor, record)


@pytest.fixture
def refused() -> list:
    """Put an error here and the next signature is refused with it."""
    return []


@pytest.fixture
def calls(monkeypatch, demo_url, refused) -> list:
    """What the section asked of the use cases; the pad returns what the test put in session state."""
    monkeypatch.setenv("DATABASE_URL", demo_url)
    made: list = []

    def sign(engine, actor, order_id, version, kind, png, name, now):
        if refused:
            raise refused.pop()
        made.append(("sign", actor.id, order_id, version, kind, png, name))
        return version + 1

    def countersign(engine, actor, order_id, version, now):
        made.append(("countersign", actor.id, order_id, version))
        return version + 1

    fake = SimpleNamespace(sign=sign, countersign=countersign,
                           signature_png=lambda engine, actor, order_id, kind: PNG if kind else None)
    monkeypatch.setattr(ui.wo_signatures, "services", fake)
    monkeypatch.setattr(ui.wo_signatures, "signature_pad", _fake_pad)
    return made


def _fake_pad(key: str, label: str) -> Drawn | None:
    import streamlit as st

    st.session_state.setdefault("_pads", []).append(key)
    return st.session_state.pop(f"done_{key}", None)


def run(actor, record: dict, lang: str = "en", **state) -> AppTest:
    at = AppTest.from_function(_section, args=(actor, record), default_timeout=30)
    at.session_state["lang"] = lang
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception
    return at


def pads(at) -> list[str]:
    return list(at.session_state["_pads"]) if "_pads" in at.session_state else []


def offered(at) -> dict:
    """The signing steps on screen: the pads drawn, the countersign button, the customer's name field."""
    return {"pads": pads(at), "countersign": any(b.key == COUNTERSIGN for b in at.button),
            "name": any(i.key == CUSTOMER_NAME for i in at.text_input)}


NOTHING = {"pads": [], "countersign": False, "name": False}
STAGES = [
    pytest.param(TECH, {}, {"pads": [TECH_PAD], "countersign": False, "name": False}, id="technician-signs-first"),
    pytest.param(TECH, {"technician_signed": True}, {"pads": [TECH_PAD], "countersign": False, "name": False},
                 id="technician-may-redraw-before-countersign"),
    pytest.param(OTHER, {}, NOTHING, id="another-engineer-signs-nothing"),
    pytest.param(MANAGER, {}, NOTHING, id="manager-waits-for-the-technician"),
    pytest.param(MANAGER, {"technician_signed": True}, {"pads": [], "countersign": True, "name": False},
                 id="manager-countersigns"),
    pytest.param(SPECIALIST, {"technician_signed": True}, NOTHING, id="specialist-only-reads"),
    pytest.param(TECH, {"countersigned": True}, {"pads": [CUSTOMER_PAD], "countersign": False, "name": True},
                 id="customer-signs-on-the-technicians-device"),
    pytest.param(OTHER, {"countersigned": True}, NOTHING, id="not-on-another-engineers-device"),
    pytest.param(MANAGER, {"countersigned": True}, NOTHING, id="manager-countersigns-once"),
    pytest.param(TECH, {"countersigned": True, "status": WorkOrderStatus.RETURNED}, NOTHING,
                 id="nothing-after-the-return"),
]


@pytest.mark.parametrize(("actor", "stage", "expected"), STAGES)
def test_each_person_is_offered_their_own_step_of_the_signing(calls, actor, stage, expected):
    assert offered(run(actor, detail(**stage))) == expected
    assert calls == []


def test_there_is_no_file_upload_for_a_signature(calls):
    for actor, stage in ((TECH, {}), (TECH, {"countersigned": True}), (MANAGER, {"technician_signed": True})):
        assert not run(actor, detail(**stage)).get("file_uploader")


def test_the_technicians_done_signs_under_their_own_name_on_the_version_shown(calls):
    at = run(TECH, detail(), **{f"done_{TECH_PAD}": Drawn(png=PNG)})
    assert calls == [("sign", TECH.id, ORDER, 4, SignatureKind.TECHNICIAN, PNG, "Wang Wei")]
    assert at.session_state["_flash"] == t("wo.sign_ui.signed", "en")


def test_a_drawing_that_is_no_picture_is_refused_before_the_use_case(calls):
    at = run(TECH, detail(), **{f"done_{TECH_PAD}": Drawn(refused="wo.sign_ui.not_png")})
    assert [e.value for e in at.error] == [t("wo.sign_ui.not_png", "en")]
    assert calls == []


def test_a_refused_signature_says_why_and_keeps_the_pad(calls, refused):
    refused.append(StaleEdit(who="Li *Na*", when="?"))
    at = run(TECH, detail(), **{f"done_{TECH_PAD}": Drawn(png=PNG)})
    assert "Li *Na*" in as_read(at.error[0].value)
    assert TECH_PAD in pads(at) and calls == []


def test_the_manager_sees_the_recorded_work_then_countersigns(calls):
    at = run(MANAGER, detail(technician_signed=True))
    assert "Replaced the pump seal\n*tested*" in [x.value for x in at.text]
    at.button(key=COUNTERSIGN).click().run()
    assert calls == [("countersign", MANAGER.id, ORDER, 4)]
    assert at.session_state["_flash"] == t("wo.sign_ui.countersigned", "en")


def test_the_customer_signs_with_their_printed_name(calls):
    at = run(TECH, detail(countersigned=True))
    at.text_input(key=CUSTOMER_NAME).input("Chen Jie")
    at.session_state[f"done_{CUSTOMER_PAD}"] = Drawn(png=PNG)
    at.run()
    assert calls == [("sign", TECH.id, ORDER, 4, SignatureKind.CUSTOMER, PNG, "Chen Jie")]


def test_a_customer_signature_without_a_printed_name_is_refused(calls):
    at = run(TECH, detail(countersigned=True), **{f"done_{CUSTOMER_PAD}": Drawn(png=PNG)})
    assert [e.value for e in at.error] == [t("wo.sign_ui.name_required", "en")]
    assert calls == []


def test_stored_signatures_are_shown_with_who_captured_them_and_when(calls):
    signed = [{"kind": SignatureKind.TECHNICIAN, "signer_name": "Wang *Wei*", "captured_by": "Wang Wei",
               "signed_at": ENDED}]
    at = run(SPECIALIST, detail(technician_signed=True, signatures=signed), lang="zh")
    [image] = at.get("image")
    assert len(image.value) == 1 and image.value[0]  # served from the media store, after the reader's check
    assert image.proto.imgs[0].alt == t("wo.sign_ui.image_alt", "zh")
    assert image.captions[0] == t("wo.sign_ui.caption", "zh", kind=t("enum.SignatureKind.technician", "zh"),
                                  who=plain("Wang *Wei*"), captured=plain("Wang Wei"), when=plain(FORMATTED))
    assert t("wo.sign_ui.none", "zh") not in [c.value for c in at.caption]


def test_the_section_speaks_chinese_on_a_chinese_screen(calls):
    at = run(MANAGER, detail(technician_signed=True), lang="zh")
    assert at.button(key=COUNTERSIGN).label == t("wo.sign_ui.countersign", "zh")
    assert t("wo.sign_ui.none", "zh") in [c.value for c in at.caption]


def test_an_order_still_in_repair_has_no_signature_section(calls):
    """WO-5: signing starts at completion, so an order in repair shows neither pads nor "no signature yet"."""
    at = run(TECH, detail(status=WorkOrderStatus.IN_REPAIR))
    assert offered(at) == NOTHING
    assert not [c for c in at.caption if c.value == t("wo.sign_ui.none", "en")]
    assert [c for c in run(TECH, detail()).caption if c.value == t("wo.sign_ui.none", "en")]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_technician_is_told_to_record_the_fee_before_the_customer_signs(calls, lang):
    """WO-6/WO-8: a paid order's customer signs for the fee, so without one their pad is hidden, and the
    assigned technician reads why and where the fee form is."""
    at = run(TECH, detail(countersigned=True, fee_cents=None), lang=lang)
    assert offered(at) == NOTHING
    [info] = at.info
    assert as_read(info.value).startswith(t("wo.sign.needs_fee", lang))
    assert t("wo.moves.do.fee", lang) in as_read(info.value)
    assert calls == []


@pytest.mark.parametrize(("actor", "stage"), [
    pytest.param(TECH, {"countersigned": True}, id="fee-recorded-the-pad-shows"),
    pytest.param(TECH, {"technician_signed": True, "fee_cents": None}, id="before-the-countersign"),
    pytest.param(OTHER, {"countersigned": True, "fee_cents": None}, id="another-engineer"),
    pytest.param(MANAGER, {"countersigned": True, "fee_cents": None}, id="the-manager"),
])
def test_no_fee_hint_where_it_is_not_the_reason(calls, actor, stage):
    assert not run(actor, detail(**stage)).info
