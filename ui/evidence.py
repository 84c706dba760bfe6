"""A complaint's evidence on its record page (CP-1): photos as thumbnails, every file with a download button,
and, for those core.complaints.evidence.may_add lets, an uploader whose refused files are each named with
the reason in the user's language.

Who is sent the bytes: only this section sends them, and only after core's permission check: the complaint
page that calls it is opened by VIEW_COMPLAINTS, and the bytes come from evidence_thumbnail / evidence_file,
which require VIEW_COMPLAINTS themselves. A thumbnail is a copy core shrinks to THUMB_WIDTH, which Streamlit
keeps in its in-memory media store and serves to the browser at /media/<id>: that id is a fingerprint of the
copy's content (not guessable without the picture; the media route itself asks nobody's name), and the store
drops the copy once no session shows it any more. A download's bytes are fetched from core only when its button
is clicked (a deferred download), with the same check. A user who may not see the complaint never runs this
section, so no address of its files is ever sent to them."""

from __future__ import annotations

import streamlit as st

from core.complaints.evidence import (
    EXTENSIONS,
    MAX_BYTES,
    MAX_FILES,
    add_evidence,
    evidence_file,
    evidence_list,
    evidence_thumbnail,
    may_add,
)
from core.errors import DomainError
from core.fmt import fmt_datetime
from ui.context import engine, lang, office, tr
from ui.feedback import message_of
from ui.text import Markdown, heading, phrase

PER_ROW = 4  # thumbnails a row
THUMB_WIDTH = 160
THUMBS_KEPT = 500  # thumbnails cached by the process, a few kB each
NOTES = "_ev_notes_{}"  # what the last Attach said on a complaint, shown by the run after it


def evidence_section(actor, complaint: dict, now) -> None:
    """`complaint` is complaint_detail(...)["complaint"] (its id, owner_id, capa_owner_id, status)."""
    heading("cp.evidence.title")
    items = evidence_list(engine(), actor, complaint["id"])
    if not items:
        st.caption(tr("cp.evidence.none"))
    _thumbnails(actor, [item for item in items if item["is_image"]])
    _downloads(actor, items)
    if may_add(actor, complaint.get("owner_id"), complaint.get("capa_owner_id"), complaint["status"]):
        _uploader(actor, complaint["id"], now)


def _caption(item: dict) -> Markdown:
    when = fmt_datetime(item["uploaded_at"], lang(), office().timezone)
    return phrase("cp.evidence.caption", name=item["filename"], who=item["uploaded_by"] or "", when=when)


@st.cache_data(max_entries=THUMBS_KEPT, show_spinner=False)
def _thumbnail(evidence_id: int, sha256: str, actor) -> bytes | None:
    """Kept per file and per reader (core checks the reader the first time); a file is never edited, and its
    SHA-256 in the key keeps a reused id from showing an older picture. Spares reading and shrinking every
    photo of a complaint again on each run of its page."""
    return evidence_thumbnail(engine(), actor, evidence_id, THUMB_WIDTH)


def _thumbnails(actor, images: list[dict]) -> None:
    for start in range(0, len(images), PER_ROW):
        for column, item in zip(st.columns(PER_ROW), images[start:start + PER_ROW], strict=False):
            small = _thumbnail(item["id"], item["sha256"], actor)
            if small is not None:
                column.image(small, width=THUMB_WIDTH, caption=_caption(item), alt=tr("cp.evidence.photo_alt"))


def _downloads(actor, items: list[dict]) -> None:
    """One button a file; its bytes are read from core when it is clicked, not on every run."""
    eng = engine()  # taken in the run: the click is served outside it
    for item in items:
        st.download_button(
            phrase("cp.evidence.download", name=item["filename"]), key=f"ev_dl_{item['id']}",
            data=lambda evidence_id=item["id"]: (evidence_file(eng, actor, evidence_id) or {}).get("data", b""),
            file_name=item["filename"], mime=item["content_type"], on_click="ignore", icon=":material/download:",
        )


def _uploader(actor, complaint_id: int, now) -> None:
    """The picked files are attached one by one (each its own transaction): the accepted ones are kept, each
    refused one is named with its reason. The next run shows the list with the new files, an empty uploader
    (a new key: Streamlit lets no script empty one) and what happened."""
    nonce_key = f"_ev_nonce_{complaint_id}"
    nonce = st.session_state.get(nonce_key, 0)
    files = st.file_uploader(
        tr("cp.evidence.upload"), type=list(EXTENSIONS), accept_multiple_files=True, max_upload_size=MAX_BYTES // 2**20,
        key=f"ev_up_{complaint_id}_{nonce}",
        help=phrase("cp.evidence.upload_help", size=MAX_BYTES // (1024 * 1024), count=MAX_FILES),
    )
    _show_notes(complaint_id)
    if st.button(tr("cp.evidence.attach"), key=f"ev_go_{complaint_id}", disabled=not files):
        st.session_state[NOTES.format(complaint_id)] = _attach(actor, complaint_id, files, now)
        st.session_state[nonce_key] = nonce + 1
        st.rerun()


def _attach(actor, complaint_id: int, files, now) -> list[tuple[str, Markdown]]:
    notes, saved = [], 0
    for file in files:
        try:
            add_evidence(engine(), actor, complaint_id, file.name, file.getvalue(), now)
            saved += 1
        except DomainError as err:
            notes.append(("error", phrase("cp.evidence.file_refused", file=file.name, reason=message_of(err))))
    if saved:
        notes.insert(0, ("success", phrase("cp.evidence.attached", count=saved)))
    return notes


def _show_notes(complaint_id: int) -> None:
    for kind, message in st.session_state.pop(NOTES.format(complaint_id), []):
        (st.success if kind == "success" else st.error)(message)
