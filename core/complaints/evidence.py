"""CP-1 evidence: photos and files attached to a complaint, kept in the database with it (ComplaintEvidence), so
a backup holds them and only a reader of the complaint is ever sent them.

The rules (pure, `accepted`): a file is judged by its CONTENT, never by its name or by the type the browser
sent. Allowed: JPEG, PNG, WebP and GIF pictures, and PDF files (KINDS). A picture must also open and decode
with Pillow within MAX_PIXELS, so a renamed program that starts with a JPEG header is refused; SVG is refused
on purpose (it is XML that can carry script), and so are HTML, programs and every other type. The stored
content type is the detected one; a name whose extension says otherwise gets the right extension added
("photo.jpg" holding a PDF is kept as "photo.jpg.pdf"). At most MAX_BYTES a file, none empty, at most MAX_FILES
per complaint, the same file (same SHA-256) once per complaint. The name is cleaned: its last path part only,
control and invisible format characters dropped, at most as long as its column (core.inputs).

The use cases: `add_evidence` (who may: see `may_add`; not on a closed complaint: a closed record is the one
the effectiveness check signed off, so new evidence means the problem is back and the complaint is reopened
first), `evidence_list` (without the bytes), `evidence_file` (with them) and `evidence_thumbnail`, all three
VIEW_COMPLAINTS only."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import warnings
from dataclasses import dataclass
from datetime import datetime

from PIL import Image, ImageOps
from sqlalchemy import Engine, func, select, update

from core import inputs
from core.audit import log as audit
from core.complaints import flow
from core.complaints.flow import Act, Context
from core.errors import Forbidden, Invalid, NotFound
from core.permissions import Action, Actor, require
from db.engine import session_scope
from db.enums import AuditAction, ComplaintStatus
from db.models import Complaint, ComplaintEvent, ComplaintEvidence, User

MAX_BYTES = 10 * 1024 * 1024  # 10 MB a file: a phone photo is 2-5 MB
MAX_FILES = 20  # per complaint
MAX_PIXELS = 50_000_000  # a picture past this is refused before it is decoded (a small file can unpack huge)
FIELD = "evidence"
FALLBACK_NAME = "evidence"
MOVE = "evidence"  # ComplaintEvent.move of an attached file


@dataclass(frozen=True)
class FileKind:
    """An allowed type: how its content starts, what it is served as, its usual extensions."""

    content_type: str
    extensions: tuple[str, ...]
    pil_formats: tuple[str, ...] = ()  # a picture: the formats Pillow may decode it as

    @property
    def is_image(self) -> bool:
        return bool(self.pil_formats)


JPEG = FileKind("image/jpeg", ("jpg", "jpeg"), ("JPEG", "MPO"))  # MPO: a phone camera's JPEG with a depth map
PNG = FileKind("image/png", ("png",), ("PNG",))
GIF = FileKind("image/gif", ("gif",), ("GIF",))
WEBP = FileKind("image/webp", ("webp",), ("WEBP",))
PDF = FileKind("application/pdf", ("pdf",))
KINDS = (JPEG, PNG, GIF, WEBP, PDF)
EXTENSIONS = tuple(ext for kind in KINDS for ext in kind.extensions)  # what the uploader offers to pick


@dataclass(frozen=True)
class Accepted:
    """A file that passed the rules, as it will be stored."""

    filename: str
    content_type: str
    size: int
    sha256: str
    data: bytes


def detect(data: bytes) -> FileKind | None:
    """The allowed type `data` starts like (its magic bytes), or None. A PDF must also end like one."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]:
        return PDF
    return None


def picture_problem(data: bytes, kind: FileKind) -> str | None:
    """None when Pillow reads `data` as a whole picture of `kind`: the header, the structure (verify) and every
    block of pixels (load; a JPEG at an eighth of its size, which still reads all of it, in little memory).
    Else the catalog key saying why: past MAX_PIXELS (a small file can unpack huge), or unreadable."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                if im.format not in kind.pil_formats:
                    return "cp.evidence.unreadable"
                if im.width * im.height > MAX_PIXELS:
                    return "cp.evidence.too_many_pixels"
                im.verify()
            with Image.open(io.BytesIO(data)) as im:
                im.draft(im.mode, (max(im.width // 8, 1), max(im.height // 8, 1)))
                im.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        return "cp.evidence.too_many_pixels"
    except Exception:  # noqa: BLE001 - a decoder fed hostile bytes may raise anything; every failure refuses
        return "cp.evidence.unreadable"
    return None


def thumbnail(data: bytes, width: int) -> bytes:
    """A stored picture made small for a list: turned upright as the camera recorded it (EXIF), fitted in a
    `width` square, PNG when it has transparency, else JPEG. Only for pictures `accepted` let in."""
    with Image.open(io.BytesIO(data)) as im:
        im.draft(im.mode, (width, width))  # a JPEG is decoded straight at a size near the thumbnail's
        small = ImageOps.exif_transpose(im)
    if small.mode == "P":
        small = small.convert("RGBA" if "transparency" in small.info else "RGB")
    small.thumbnail((width, width))
    out = io.BytesIO()
    if small.mode in ("RGBA", "LA"):
        small.save(out, "PNG")
    else:
        small.convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


def clean_filename(name: object, kind: FileKind) -> str:
    """The name to keep: its last path part, without control or invisible format characters (a right-to-left
    override would show "gpj.exe" as "exe.jpg"), ending in an extension of the detected `kind`. Invalid
    (cp.evidence.name_too_long) past the column's length."""
    base = re.split(r"[\\/]", name if isinstance(name, str) else "")[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp")).strip()
    if base in ("", ".", ".."):
        base = FALLBACK_NAME
    if base.rsplit(".", 1)[-1].lower() not in kind.extensions or "." not in base:
        base = f"{base}.{kind.extensions[0]}"
    limit = inputs.limit_of(ComplaintEvidence.filename)
    return inputs.required(base, FIELD, limit, too_long="cp.evidence.name_too_long", limit=limit)


def accepted(filename: object, data: bytes) -> Accepted:
    """CP-1 evidence rules on one file (module docstring): Invalid naming the first rule it breaks."""
    if not data:
        raise Invalid("cp.evidence.empty", field=FIELD)
    if len(data) > MAX_BYTES:
        raise Invalid("cp.evidence.too_large", field=FIELD, limit=MAX_BYTES // (1024 * 1024))
    kind = detect(data)
    if kind is None:
        raise Invalid("cp.evidence.type_refused", field=FIELD)
    problem = picture_problem(data, kind) if kind.is_image else None
    if problem:
        raise Invalid(problem, field=FIELD, limit=MAX_PIXELS // 1_000_000)
    return Accepted(clean_filename(filename, kind), kind.content_type, len(data), hashlib.sha256(data).hexdigest(),
                    bytes(data))


def may_add(actor: Actor, owner_id: int | None, capa_owner_id: int | None, status: ComplaintStatus | str) -> bool:
    """CP-1: who may attach evidence to a complaint is the flow table's rule (core.complaints.flow.ACTIONS,
    Act.EVIDENCE): those who take in or handle complaints, quality, its owner and its CAPA owner; never to a
    closed one."""
    cp = {"owner_id": owner_id, "capa_owner_id": capa_owner_id, "status": ComplaintStatus(status)}
    return flow.may(Act.EVIDENCE, cp, actor, Context())


def _check_room(s, complaint_id: int, sha256: str) -> None:
    """At most MAX_FILES a complaint, each file once."""
    mine = ComplaintEvidence.complaint_id == complaint_id
    if s.scalar(select(func.count()).select_from(ComplaintEvidence).where(mine)) >= MAX_FILES:
        raise Invalid("cp.evidence.too_many", field=FIELD, limit=MAX_FILES)
    if s.scalar(select(ComplaintEvidence.id).where(mine, ComplaintEvidence.sha256 == sha256).limit(1)) is not None:
        raise Invalid("cp.evidence.duplicate", field=FIELD)


def add_evidence(engine: Engine, actor: Actor, complaint_id: int, filename: str, data: bytes, now: datetime) -> int:
    """CP-1: attach one file to a complaint; returns the evidence id. Readers of complaints only (Forbidden),
    and of them those `may_add` lets (Forbidden cp.evidence.not_allowed; a closed complaint: Invalid
    cp.evidence.closed); the file passes `accepted` and the complaint has room for it (`_check_room`). One
    transaction: the file, a ComplaintEvent (move "evidence", status unchanged, the file's name as its note)
    and an audit row on the complaint. The complaint row is locked, so two uploads cannot both take the 20th place."""
    require(actor, Action.VIEW_COMPLAINTS)
    file = accepted(filename, data)
    with session_scope(engine) as s:
        cp = s.get(Complaint, complaint_id, with_for_update=True)
        if cp is None:
            raise NotFound()
        if cp.status == ComplaintStatus.CLOSED:
            raise Invalid("cp.evidence.closed", field=FIELD)
        if not may_add(actor, cp.owner_id, cp.capa_owner_id, cp.status):
            raise Forbidden("cp.evidence.not_allowed")
        # SQLite ignores FOR UPDATE: a write on the complaint row takes the database's write lock here, so two
        # uploads cannot both take the 20th place (on PostgreSQL the row lock above already holds)
        s.execute(update(Complaint).where(Complaint.id == cp.id).values(version=Complaint.version)
                  .execution_options(synchronize_session=False))
        _check_room(s, cp.id, file.sha256)
        ev = ComplaintEvidence(complaint_id=cp.id, filename=file.filename, content_type=file.content_type,
                               size=file.size, sha256=file.sha256, data=file.data, uploaded_by_id=actor.id,
                               uploaded_at=now)
        s.add(ev)
        s.flush()
        s.add(ComplaintEvent(complaint_id=cp.id, at=now, user_id=actor.id, from_status=cp.status,
                             to_status=cp.status, move=MOVE, note=file.filename))
        audit.record(s, actor, "complaint", cp.id, AuditAction.UPDATE, None, {"evidence_added": file.filename},
                     at=now, extra={"evidence_id": ev.id, "content_type": file.content_type, "size": file.size,
                                    "sha256": file.sha256})
        return ev.id


LISTED = (ComplaintEvidence.id, ComplaintEvidence.filename, ComplaintEvidence.content_type, ComplaintEvidence.size,
          ComplaintEvidence.sha256, ComplaintEvidence.uploaded_at, User.display_name.label("uploaded_by"))


def _row(r) -> dict:
    row = dict(r._mapping)
    return row | {"is_image": row["content_type"].startswith("image/")}


def evidence_list(engine: Engine, actor: Actor, complaint_id: int) -> list[dict]:
    """A complaint's evidence in the order it came, without the bytes: id, filename, content_type, size, sha256,
    uploaded_by (the name), uploaded_at, is_image. VIEW_COMPLAINTS only."""
    require(actor, Action.VIEW_COMPLAINTS)
    with session_scope(engine) as s:
        rows = s.execute(select(*LISTED).outerjoin(User, User.id == ComplaintEvidence.uploaded_by_id)
                         .where(ComplaintEvidence.complaint_id == complaint_id)
                         .order_by(ComplaintEvidence.uploaded_at, ComplaintEvidence.id))
        return [_row(r) for r in rows]


def evidence_file(engine: Engine, actor: Actor, evidence_id: int) -> dict | None:
    """One file with its bytes (`data`), as `evidence_list` lists it plus complaint_id; None when it does not
    exist. VIEW_COMPLAINTS only: the one way the bytes leave the database."""
    require(actor, Action.VIEW_COMPLAINTS)
    with session_scope(engine) as s:
        found = s.execute(select(*LISTED, ComplaintEvidence.complaint_id, ComplaintEvidence.data)
                          .outerjoin(User, User.id == ComplaintEvidence.uploaded_by_id)
                          .where(ComplaintEvidence.id == evidence_id)).one_or_none()
        return None if found is None else _row(found)


def evidence_thumbnail(engine: Engine, actor: Actor, evidence_id: int, width: int) -> bytes | None:
    """A picture's `thumbnail`; None when it does not exist or is no picture. VIEW_COMPLAINTS only."""
    found = evidence_file(engine, actor, evidence_id)
    return thumbnail(found["data"], width) if found is not None and found["is_image"] else None
