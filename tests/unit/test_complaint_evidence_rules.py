"""CP-1 evidence rules (core.complaints.evidence.accepted): a file is judged by its content, never by its name
or the browser's type; the size limit, the empty file, the cleaned name; and who may attach (may_add)."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image

from core.complaints.evidence import MAX_BYTES, PNG, accepted, clean_filename, detect, may_add, thumbnail
from core.complaints.evidence import PDF as PDF_KIND
from core.errors import Invalid
from core.permissions import Actor
from db.enums import ComplaintStatus, Role
from tests.sample_files import EXE, HTML, JPEG_HEADED_EXE, PDF, SVG, picture


def _refused(name: str, data: bytes) -> str:
    with pytest.raises(Invalid) as err:
        accepted(name, data)
    assert err.value.field == "evidence"
    return err.value.key


@pytest.mark.parametrize(("fmt", "content_type"), [
    ("JPEG", "image/jpeg"), ("PNG", "image/png"), ("GIF", "image/gif"), ("WEBP", "image/webp"),
])
def test_each_allowed_picture_is_stored_with_the_type_of_its_content_cp1(fmt, content_type):
    data = picture(fmt)
    got = accepted(f"photo.{fmt.lower()}", data)
    assert (got.content_type, got.size, got.sha256, got.data) == (
        content_type, len(data), hashlib.sha256(data).hexdigest(), data)


def test_a_pdf_named_jpg_is_stored_as_a_pdf_and_its_name_says_so_cp1():
    got = accepted("scan.jpg", PDF)
    assert (got.content_type, got.filename) == ("application/pdf", "scan.jpg.pdf")


def test_a_picture_named_pdf_is_stored_as_the_picture_it_is_cp1():
    got = accepted("report.pdf", picture("PNG"))
    assert (got.content_type, got.filename) == ("image/png", "report.pdf.png")


@pytest.mark.parametrize(("data", "key"), [
    pytest.param(EXE, "cp.evidence.type_refused", id="program"),
    pytest.param(HTML, "cp.evidence.type_refused", id="html"),
    pytest.param(SVG, "cp.evidence.type_refused", id="svg-can-carry-script"),
    pytest.param(b"%PDF-1.4 but no end", "cp.evidence.type_refused", id="pdf-header-only"),
    pytest.param(JPEG_HEADED_EXE, "cp.evidence.unreadable", id="program-behind-a-jpeg-header"),
    pytest.param(picture("PNG", (64, 64))[:60], "cp.evidence.unreadable", id="truncated-png"),
    pytest.param(picture("JPEG", (200, 200))[:400], "cp.evidence.unreadable", id="truncated-jpeg"),
])
def test_a_file_named_png_is_refused_when_its_content_is_no_allowed_type_cp1(data, key):
    assert _refused("photo.png", data) == key


def test_the_browser_type_is_never_consulted_only_the_bytes():
    assert detect(SVG) is None and detect(PDF) is PDF_KIND and detect(picture("PNG")) is PNG


def test_an_empty_file_is_refused():
    assert _refused("photo.jpg", b"") == "cp.evidence.empty"


def test_a_file_over_the_size_limit_is_refused_and_one_at_the_limit_is_kept():
    at_limit = PDF[:-6] + b" " * (MAX_BYTES - len(PDF)) + b"%%EOF\n"
    assert len(at_limit) == MAX_BYTES and accepted("big.pdf", at_limit).size == MAX_BYTES
    with pytest.raises(Invalid) as err:
        accepted("big.pdf", at_limit + b" ")
    assert (err.value.key, err.value.params["limit"]) == ("cp.evidence.too_large", 10)


@pytest.mark.parametrize(("name", "kept"), [
    pytest.param("C:\\Users\\wang\\Desktop\\scan.pdf", "scan.pdf", id="windows-path"),
    pytest.param("../../etc/passwd.pdf", "passwd.pdf", id="relative-path"),
    pytest.param("scan\x00\x07\x1b.pdf", "scan.pdf", id="control-chars"),
    pytest.param("invoice\u202efdp.exe", "invoicefdp.exe.pdf", id="right-to-left-override"),
    pytest.param("a\u200bb\u2028c.pdf", "abc.pdf", id="invisible-and-line-separator"),
    pytest.param("  报告 .PDF ", "报告 .PDF", id="blanks-trimmed-extension-any-case"),
    pytest.param("", "evidence.pdf", id="no-name"),
    pytest.param("..", "evidence.pdf", id="dot-dot"),
    pytest.param(None, "evidence.pdf", id="not-text"),
])
def test_the_file_name_is_cleaned(name, kept):
    assert clean_filename(name, PDF_KIND) == kept


def test_a_name_longer_than_its_column_is_refused_with_the_limit():
    assert clean_filename("x" * 196 + ".pdf", PDF_KIND) == "x" * 196 + ".pdf"
    with pytest.raises(Invalid) as err:
        clean_filename("x" * 197 + ".pdf", PDF_KIND)
    assert (err.value.key, err.value.params["limit"]) == ("cp.evidence.name_too_long", 200)


OWNER, CAPA, OTHER = 11, 12, 13


@pytest.mark.parametrize(("role", "user", "status", "may", "quality"), [
    pytest.param(Role.ENGINEER, OTHER, ComplaintStatus.FOLLOWED_UP, True, True, id="quality-inspector"),
    pytest.param(Role.ENGINEER, OTHER, ComplaintStatus.CLOSED, False, True, id="quality-not-on-closed"),
])
def test_the_quality_inspector_attaches_what_they_verify_cp2(role, user, status, may, quality):
    assert may_add(Actor(user, "u", "U", role, quality), OWNER, CAPA, status) is may


@pytest.mark.parametrize(("role", "user", "status", "may"), [
    pytest.param(Role.SPECIALIST, OTHER, ComplaintStatus.RECEIVED, True, id="specialist-registers"),
    pytest.param(Role.MANAGER, OTHER, ComplaintStatus.CAPA_REQUESTED, True, id="manager-handles"),
    pytest.param(Role.ENGINEER, OWNER, ComplaintStatus.VERIFYING, True, id="engineer-owner"),
    pytest.param(Role.ENGINEER, CAPA, ComplaintStatus.SOLUTION, True, id="engineer-capa-owner"),
    pytest.param(Role.ENGINEER, OTHER, ComplaintStatus.RECEIVED, False, id="engineer-not-involved"),
    pytest.param(Role.DIRECTOR, OTHER, ComplaintStatus.RECEIVED, False, id="director-reads-only"),
    pytest.param(Role.MANAGER, OTHER, ComplaintStatus.CLOSED, False, id="closed-for-everyone"),
    pytest.param(Role.ENGINEER, OWNER, ComplaintStatus.CLOSED, False, id="closed-for-the-owner"),
])
def test_who_may_attach_evidence_cp1(role, user, status, may):
    actor = Actor(user, "u", "U", role)
    assert may_add(actor, OWNER, CAPA, status) is may


def test_a_thumbnail_is_upright_as_the_camera_recorded_it_and_fits_the_width():
    im, out = Image.new("RGB", (800, 400)), io.BytesIO()
    exif = im.getexif()
    exif[0x0112] = 6  # EXIF orientation: the phone was held upright, the sensor saw it lying
    im.save(out, "JPEG", exif=exif)
    small = Image.open(io.BytesIO(thumbnail(out.getvalue(), 160)))
    assert (small.format, small.size) == ("JPEG", (80, 160))


def test_a_transparent_picture_keeps_its_transparency_in_the_thumbnail():
    out = io.BytesIO()
    Image.new("RGBA", (300, 300), (0, 0, 0, 0)).save(out, "PNG")
    small = Image.open(io.BytesIO(thumbnail(out.getvalue(), 160)))
    assert (small.format, small.mode, small.size) == ("PNG", "RGBA", (160, 160))


def test_a_picture_of_more_pixels_than_the_limit_is_refused_before_it_is_decoded():
    out = io.BytesIO()
    Image.new("1", (8000, 7000)).save(out, "PNG")  # 56 million pixels in a few kB
    assert len(out.getvalue()) < 100_000
    with pytest.raises(Invalid) as err:
        accepted("huge.png", out.getvalue())
    assert (err.value.key, err.value.params["limit"]) == ("cp.evidence.too_many_pixels", 50)
