"""CP-1 evidence on both databases: a file attached to a complaint comes back whole, listed without its bytes;
only readers of complaints read it (finance and admin refused); only those who may attach do; the 21st file,
a duplicate, a closed complaint and a bad file are refused with nothing written; each file writes one event
and one audit row."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from core.complaints.evidence import (
    MAX_BYTES,
    MAX_FILES,
    add_evidence,
    evidence_file,
    evidence_list,
    evidence_thumbnail,
)
from core.errors import DomainError, Forbidden, NotFound
from db.engine import session_scope
from db.enums import ComplaintStatus, Role
from db.models import Complaint, ComplaintEvent, ComplaintEvidence
from tests.factories import NOW, make_account, make_complaint, make_customer, make_user
from tests.helpers import audit_mark, audit_since
from tests.sample_files import PDF, SVG, picture


def pdf(n: int) -> bytes:
    """A distinct small PDF (each file of a complaint is kept once)."""
    return PDF.replace(b"%%EOF", f"% copy {n}\n%%EOF".encode())


@pytest.fixture
def desk(engine) -> dict:
    """One complaint owned by an engineer, its CAPA owned by another, and one actor of every role."""
    with session_scope(engine) as s:
        people = {role.value: make_account(s, role, display_name=f"The {role.value}") for role in Role}
        owner = make_account(s, Role.ENGINEER, display_name="Owner Eng")
        capa = make_account(s, Role.ENGINEER, display_name="Capa Eng")
        cp = make_complaint(s, make_customer(s), make_user(s), owner_id=owner.id, capa_owner_id=capa.id,
                            status=ComplaintStatus.VERIFYING)
        return people | {"owner": owner, "capa": capa, "complaint": cp.id}


def written(engine, complaint_id: int) -> dict:
    """What an attach writes: the files, the complaint's events, and the complaint row itself."""
    with session_scope(engine) as s:
        cp = s.get(Complaint, complaint_id)
        return {"files": s.scalar(select(func.count()).select_from(ComplaintEvidence)),
                "events": s.scalar(select(func.count()).select_from(ComplaintEvent)),
                "complaint": (cp.status, cp.version) if cp else None}


def test_an_attached_file_is_listed_without_its_bytes_and_read_back_whole_cp1(engine, desk):
    photo = picture("JPEG")
    first = add_evidence(engine, desk["specialist"], desk["complaint"], "IMG_0001.JPG", photo, NOW)
    second = add_evidence(engine, desk["owner"], desk["complaint"], "report.pdf", PDF, NOW + timedelta(minutes=1))
    listed = evidence_list(engine, desk["director"], desk["complaint"])
    assert listed == [
        {"id": first, "filename": "IMG_0001.JPG", "content_type": "image/jpeg", "size": len(photo),
         "sha256": hashlib.sha256(photo).hexdigest(), "uploaded_at": NOW, "uploaded_by": "The specialist",
         "is_image": True},
        {"id": second, "filename": "report.pdf", "content_type": "application/pdf", "size": len(PDF),
         "sha256": hashlib.sha256(PDF).hexdigest(), "uploaded_at": NOW + timedelta(minutes=1),
         "uploaded_by": "Owner Eng", "is_image": False},
    ]
    got = evidence_file(engine, desk["engineer"], first)
    assert (got["data"], got["complaint_id"], got["filename"], got["is_image"]) == (
        photo, desk["complaint"], "IMG_0001.JPG", True)
    assert evidence_file(engine, desk["manager"], second)["data"] == PDF
    assert evidence_file(engine, desk["manager"], second + 1000) is None


def test_a_pdf_named_jpg_is_kept_as_the_pdf_it_is_cp1(engine, desk):
    add_evidence(engine, desk["manager"], desk["complaint"], "photo.jpg", PDF, NOW)
    [row] = evidence_list(engine, desk["manager"], desk["complaint"])
    assert (row["filename"], row["content_type"], row["is_image"]) == ("photo.jpg.pdf", "application/pdf", False)


def test_each_file_writes_one_event_and_one_audit_row_in_its_transaction_cp1(engine, desk):
    mark = audit_mark(engine)
    me = desk["capa"]
    ids = [add_evidence(engine, me, desk["complaint"], f"page{n}.pdf", pdf(n), NOW) for n in (1, 2)]
    with session_scope(engine) as s:
        events = s.scalars(select(ComplaintEvent).where(ComplaintEvent.complaint_id == desk["complaint"])
                           .order_by(ComplaintEvent.id)).all()
        kept = {e.id: e.sha256 for e in s.scalars(select(ComplaintEvidence))}
        version = s.get(Complaint, desk["complaint"]).version
    assert [(e.move, e.from_status, e.to_status, e.note, e.user_id, e.at) for e in events] == [
        ("evidence", ComplaintStatus.VERIFYING, ComplaintStatus.VERIFYING, f"page{n}.pdf", me.id, NOW)
        for n in (1, 2)]
    rows = audit_since(engine, mark)
    assert [(r["entity"], r["entity_id"], r["action"], r["username"]) for r in rows] == [
        ("complaint", str(desk["complaint"]), "update", me.username)] * 2
    assert [r["changes"] for r in rows] == [
        {"evidence_added": [None, f"page{n}.pdf"],
         "_": {"evidence_id": i, "content_type": "application/pdf", "size": len(pdf(n)), "sha256": kept[i]}}
        for n, i in zip((1, 2), ids, strict=True)]
    assert version == 1  # attaching is no move: a stale-move check on the complaint is not disturbed


def test_a_photo_has_a_small_thumbnail_and_a_pdf_none(engine, desk):
    photo = add_evidence(engine, desk["manager"], desk["complaint"], "a.png", picture("PNG", (900, 300)), NOW)
    paper = add_evidence(engine, desk["manager"], desk["complaint"], "a.pdf", PDF, NOW)
    small = Image.open(io.BytesIO(evidence_thumbnail(engine, desk["engineer"], photo, 160)))
    assert small.size == (160, 53)
    assert evidence_thumbnail(engine, desk["engineer"], paper, 160) is None


@pytest.mark.parametrize("role", [Role.FINANCE, Role.ADMIN])
def test_finance_and_admin_are_refused_the_list_the_file_and_its_thumbnail(engine, desk, role):
    kept = add_evidence(engine, desk["manager"], desk["complaint"], "a.png", picture("PNG"), NOW)
    with pytest.raises(Forbidden):
        evidence_list(engine, desk[role.value], desk["complaint"])
    with pytest.raises(Forbidden):
        evidence_file(engine, desk[role.value], kept)
    with pytest.raises(Forbidden):
        evidence_thumbnail(engine, desk[role.value], kept, 160)


@pytest.mark.parametrize("who", ["specialist", "manager", "owner", "capa"])
def test_those_who_take_in_or_handle_complaints_and_its_owners_may_attach_cp1(engine, desk, who):
    add_evidence(engine, desk[who], desk["complaint"], "a.pdf", PDF, NOW)
    assert written(engine, desk["complaint"])["files"] == 1


REFUSED = [  # who, complaint status, file name, bytes, complaint id offset → the error's type and key
    pytest.param("engineer", None, "a.pdf", PDF, 0, Forbidden, "cp.evidence.not_allowed", id="engineer-not-owner"),
    pytest.param("director", None, "a.pdf", PDF, 0, Forbidden, "cp.evidence.not_allowed", id="director"),
    pytest.param("finance", None, "a.pdf", PDF, 0, Forbidden, "error.forbidden", id="finance"),
    pytest.param("admin", None, "a.pdf", PDF, 0, Forbidden, "error.forbidden", id="admin"),
    pytest.param("manager", ComplaintStatus.CLOSED, "a.pdf", PDF, 0, DomainError, "cp.evidence.closed",
                 id="closed"),
    pytest.param("owner", ComplaintStatus.CLOSED, "a.pdf", PDF, 0, DomainError, "cp.evidence.closed",
                 id="closed-for-its-owner"),
    pytest.param("manager", None, "a.pdf", b"", 0, DomainError, "cp.evidence.empty", id="empty"),
    pytest.param("manager", None, "big.pdf", PDF + b" " * MAX_BYTES, 0, DomainError, "cp.evidence.too_large",
                 id="too-large"),
    pytest.param("manager", None, "x.png", SVG, 0, DomainError, "cp.evidence.type_refused", id="svg"),
    pytest.param("manager", None, "a.pdf", PDF, 1000, NotFound, "error.not_found", id="no-such-complaint"),
]


@pytest.mark.parametrize(("who", "status", "name", "data", "offset", "error", "key"), REFUSED)
def test_a_refused_attach_names_why_and_writes_nothing_cp1(engine, desk, who, status, name, data, offset, error,
                                                           key):
    if status is not None:
        with session_scope(engine) as s:
            s.get(Complaint, desk["complaint"]).status = status
    before, mark = written(engine, desk["complaint"]), audit_mark(engine)
    with pytest.raises(error) as err:
        add_evidence(engine, desk[who], desk["complaint"] + offset, name, data, NOW)
    assert err.value.key == key
    assert written(engine, desk["complaint"]) == before and audit_since(engine, mark) == []


def test_the_same_file_twice_is_refused_the_second_time_cp1(engine, desk):
    add_evidence(engine, desk["manager"], desk["complaint"], "a.pdf", PDF, NOW)
    before, mark = written(engine, desk["complaint"]), audit_mark(engine)
    with pytest.raises(DomainError) as err:
        add_evidence(engine, desk["specialist"], desk["complaint"], "again.pdf", PDF, NOW)
    assert err.value.key == "cp.evidence.duplicate"
    assert written(engine, desk["complaint"]) == before and audit_since(engine, mark) == []


def test_the_21st_file_is_refused_and_nothing_is_written_cp1(engine, desk):
    for n in range(MAX_FILES):
        add_evidence(engine, desk["manager"], desk["complaint"], f"p{n}.pdf", pdf(n), NOW)
    before, mark = written(engine, desk["complaint"]), audit_mark(engine)
    assert before["files"] == MAX_FILES == 20
    with pytest.raises(DomainError) as err:
        add_evidence(engine, desk["manager"], desk["complaint"], "one-more.pdf", pdf(MAX_FILES), NOW)
    assert (err.value.key, err.value.params["limit"]) == ("cp.evidence.too_many", 20)
    assert written(engine, desk["complaint"]) == before and audit_since(engine, mark) == []


def test_another_complaints_files_do_not_count_towards_the_limit(engine, desk):
    with session_scope(engine) as s:
        other = make_complaint(s, make_customer(s), make_user(s)).id
    for n in range(MAX_FILES):
        add_evidence(engine, desk["manager"], other, f"p{n}.pdf", pdf(n), NOW)
    add_evidence(engine, desk["manager"], desk["complaint"], "p0.pdf", pdf(0), NOW)  # same bytes, other complaint
    assert [r["filename"] for r in evidence_list(engine, desk["manager"], desk["complaint"])] == ["p0.pdf"]
