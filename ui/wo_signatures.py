"""A work order's signatures on its record page (WO-5, WO-6): the drawn pictures with who and when, and the
one step of the signing the flow table offers this user now, in WO-6's order: the assigned technician draws
their own signature, the department manager countersigns the recorded service time and work done, then the
customer writes their printed name and signs on the technician's device. Every signature is drawn on the pad
(ui.signature_pad); nothing is uploaded.

Who is sent the pictures: only readers of work orders open this page, and the bytes come from
services.signature_png, which checks VIEW_WORK_ORDERS itself; st.image keeps them in Streamlit's in-memory
media store under a fingerprint of their content, dropped once no session shows them (as ui.evidence)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.fmt import fmt_datetime
from core.i18n import enum_label
from core.work_orders import services
from core.work_orders.acts import NAME_MAX
from core.work_orders.flow import UNFINISHED, Act, Context, act_refusal, may
from db.enums import SignatureKind
from ui import clock
from ui.context import engine, lang, office, tr
from ui.feedback import FLASH, attempt, message_of
from ui.signature_pad import Drawn, signature_pad
from ui.text import Markdown, heading, joined, phrase

IMAGE_WIDTH = 340  # CSS pixels: the pad's height is 200, so a stored picture shows about as it was drawn


def signature_section(actor, detail: dict) -> None:
    """`detail` is queries.work_order_detail(...): its order, signatures and flow context."""
    order, ctx = detail["order"], detail.get("context") or Context()
    seen = f"wo_sig_seen_{order['id']}"
    record = order | {"version": st.session_state.get(seen, order["version"])}
    if order["status"] in UNFINISHED and not detail.get("signatures"):
        return  # WO-5: signing starts at completion; an order still being repaired has nothing to show here
    heading("wo.sign_ui.title")
    _stored(actor, order["id"], detail.get("signatures") or [])
    if may(Act.SIGN_TECHNICIAN, order, actor, ctx):
        _technician(actor, record, ctx.technician_signed)
    if may(Act.COUNTERSIGN, order, actor, ctx):
        _countersign(actor, record)
    if may(Act.SIGN_CUSTOMER, order, actor, ctx):
        _customer(actor, record)
    else:
        _fee_first(actor, order, ctx)
    st.session_state[seen] = order["version"]  # what this run showed: the next submission's version


def _stored(actor, order_id: int, signatures: list[dict]) -> None:
    if not signatures:
        st.caption(tr("wo.sign_ui.none"))
    for item in signatures:
        kind = SignatureKind(item["kind"])
        png = services.signature_png(engine(), actor, order_id, kind)
        if png:
            st.image(png, width=IMAGE_WIDTH, caption=_caption(item, kind), alt=tr("wo.sign_ui.image_alt"))


def _caption(item: dict, kind: SignatureKind) -> Markdown:
    when = fmt_datetime(item["signed_at"], lang(), office().timezone)
    return phrase("wo.sign_ui.caption", kind=enum_label(kind, lang()), who=item["signer_name"],
                  captured=item.get("captured_by") or "", when=when)


def _technician(actor, record: dict, signed: bool) -> None:
    """WO-5: the assigned technician's own account signs, under their own name; once signed, drawing it again
    (until the countersign) is folded away."""
    heading("wo.sign_ui.technician_title")
    with st.expander(tr("wo.sign_ui.redraw")) if signed else st.container():
        st.caption(phrase("wo.sign_ui.technician_help", name=actor.display_name))
        got = signature_pad(f"wo_sig_technician_{record['id']}", tr("wo.sign_ui.technician_pad"))
    _save(got, lambda png: services.sign(engine(), actor, record["id"], record["version"], SignatureKind.TECHNICIAN,
                                         png, actor.display_name, clock.now()))


def _countersign(actor, record: dict) -> None:
    """WO-6: the manager countersigns the service time and work done the technician recorded, shown first."""
    heading("wo.sign_ui.countersign_title")
    st.caption(tr("wo.sign_ui.countersign_intro"))
    tz = office().timezone
    st.markdown(phrase("wo.sign_ui.service_time", start=fmt_datetime(record.get("service_started_at"), lang(), tz),
                       end=fmt_datetime(record.get("service_ended_at"), lang(), tz)))
    st.caption(tr("wo.sign_ui.work_done"))
    st.text(record.get("work_done") or "")
    if st.button(tr("wo.sign_ui.countersign"), key=f"wo_sig_countersign_{record['id']}", type="primary"):
        done = attempt(lambda: services.countersign(engine(), actor, record["id"], record["version"], clock.now()))
        if done is not None:
            _flash("wo.sign_ui.countersigned")


def _customer(actor, record: dict) -> None:
    """WO-5/WO-6: the customer writes their printed name and signs on the technician's device, full width."""
    heading("wo.sign_ui.customer_title")
    st.caption(tr("wo.sign_ui.customer_help"))
    name = st.text_input(tr("wo.sign_ui.customer_name"), key=f"wo_sig_customer_name_{record['id']}",
                         max_chars=NAME_MAX)
    got = signature_pad(f"wo_sig_customer_{record['id']}", tr("wo.sign_ui.customer_pad"))
    if got is not None and got.png is not None and not (name or "").strip():
        st.error(tr("wo.sign_ui.name_required"))
        return
    _save(got, lambda png: services.sign(engine(), actor, record["id"], record["version"], SignatureKind.CUSTOMER,
                                         png, name, clock.now()))


def _fee_first(actor, order: dict, ctx: Context) -> None:
    """WO-6/WO-8: on a paid order the customer signs for the fee, so until it is recorded their pad stays
    hidden; the assigned technician (the only one the refusal reaches this far) is told why and where."""
    refused = act_refusal(Act.SIGN_CUSTOMER, order, actor, ctx)
    if refused is not None and refused.key == "wo.sign.needs_fee":
        st.info(joined([message_of(refused), phrase("wo.sign2.fee_form", form=tr("wo.moves.do.fee"),
                                                      section=tr("wo.ui.whats_next"))]))


def _save(got: Drawn | None, sign: Callable[[bytes], int]) -> None:
    """What Done sent: refused here when blank or not a picture, else handed to the use case."""
    if got is None:
        return
    if got.refused:
        st.error(tr(got.refused))
    elif attempt(lambda: sign(got.png)) is not None:
        _flash("wo.sign_ui.signed")


def _flash(key: str) -> None:
    st.session_state[FLASH] = phrase(key)
    st.rerun()
