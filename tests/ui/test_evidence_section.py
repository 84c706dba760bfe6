"""The evidence section of a complaint's record (ui.evidence, CP-1), driven by AppTest on a copy of the demo
office: photos as thumbnails with their names as plain text, a download button per file, the uploader only for
those who may attach, and an Attach that keeps the good files and names each refused one in the user's
language. AppTest uploads files through the file_uploader widget as a browser would."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from core.accounts.demo import DEMO_ACCOUNTS
from core.accounts.sessions import actor_of
from core.complaints.evidence import add_evidence, evidence_list
from core.i18n import t
from db.engine import make_engine, session_scope
from db.enums import ComplaintStatus, Role
from db.models import Complaint, Customer, User
from tests.factories import make_complaint
from tests.sample_files import PDF, SVG, picture
from ui.text import plain


def _section(actor, complaint_id, now):
    from core.complaints.queries import complaint_detail
    from ui.context import engine
    from ui.evidence import evidence_section

    evidence_section(actor, complaint_detail(engine(), actor, complaint_id, now)["complaint"], now)


@pytest.fixture
def office(demo_url, monkeypatch) -> dict:
    """The demo office's users by role, and a new complaint of its own that nobody owns yet."""
    monkeypatch.setenv("DATABASE_URL", demo_url)
    engine = make_engine(demo_url)
    with session_scope(engine) as s:
        people = {role: actor_of(s.scalar(select(User).where(User.username == name)))
                  for role, name in DEMO_ACCOUNTS.items()}
        customer = s.scalar(select(Customer).order_by(Customer.id).limit(1))
        complaint = make_complaint(s, customer, s.get(User, people[Role.SPECIALIST].id),
                                   status=ComplaintStatus.VERIFYING).id
    yield {"engine": engine, "people": people, "complaint": complaint}
    engine.dispose()


def _run(office, role: Role, now, lang: str = "en") -> AppTest:
    at = AppTest.from_function(_section, args=(office["people"][role], office["complaint"], now), default_timeout=60)
    at.session_state["lang"] = lang
    return at.run()


def _close(office) -> None:
    with session_scope(office["engine"]) as s:
        s.get(Complaint, office["complaint"]).status = ComplaintStatus.CLOSED


def test_a_photo_is_a_thumbnail_named_as_plain_text_and_every_file_has_a_download_button(office, now):
    manager = office["people"][Role.MANAGER]
    add_evidence(office["engine"], manager, office["complaint"], "**bold** [a](b) <b>x.png", picture("PNG"), now)
    add_evidence(office["engine"], manager, office["complaint"], "report.pdf", PDF, now)
    at = _run(office, Role.ENGINEER, now)  # an engineer reads complaints: sees, downloads, may not attach
    assert not at.exception
    [thumbs] = at.get("image")
    assert len(thumbs.value) == 1 and thumbs.value[0]  # the served address of the one photo
    assert thumbs.proto.imgs[0].alt == t("cp.evidence.photo_alt", "en")  # a name for screen readers
    assert thumbs.captions[0].startswith(plain("**bold** [a](b) <b>x.png") + " ")  # escaped: no bold, no HTML
    names = ("**bold** [a](b) <b>x.png", "report.pdf")
    assert [b.label for b in at.get("download_button")] == [t("cp.evidence.download", "en", name=plain(n))
                                                            for n in names]
    assert at.get("file_uploader") == [] and not at.button


def test_with_nothing_attached_the_section_says_so(office, now):
    at = _run(office, Role.DIRECTOR, now, "zh")
    assert not at.exception
    assert t("cp.evidence.none", "zh") in [c.value for c in at.caption]
    assert at.get("image") == [] and at.get("download_button") == [] and at.get("file_uploader") == []


def test_attach_keeps_the_good_files_and_names_each_refused_one_in_chinese(office, now):
    at = _run(office, Role.SPECIALIST, now, "zh")
    key = f"ev_up_{office['complaint']}_0"
    photo = picture("JPEG")
    at.file_uploader(key=key).set_value([("现场.jpg", photo, "image/jpeg"), ("恶意.png", SVG, "image/png"),
                                         ("扫描.pdf", PDF, "application/pdf")]).run()
    at.button(key=f"ev_go_{office['complaint']}").click().run()
    assert not at.exception
    assert [m.value for m in at.success] == [t("cp.evidence.attached", "zh", count=2)]
    reason = t("cp.evidence.type_refused", "zh")
    assert [m.value for m in at.error] == [t("cp.evidence.file_refused", "zh", file=plain("恶意.png"),
                                             reason=plain(reason))]
    kept = evidence_list(office["engine"], office["people"][Role.MANAGER], office["complaint"])
    assert [(r["filename"], r["content_type"]) for r in kept] == [("现场.jpg", "image/jpeg"),
                                                                  ("扫描.pdf", "application/pdf")]
    assert len(at.get("image")) == 1 and len(at.get("download_button")) == 2  # the new list, drawn after the save
    assert at.get("file_uploader")[0].key == f"ev_up_{office['complaint']}_1"  # an empty uploader again


def test_attach_is_disabled_until_a_file_is_picked(office, now):
    at = _run(office, Role.MANAGER, now)
    assert at.button(key=f"ev_go_{office['complaint']}").disabled


@pytest.mark.parametrize(("role", "closed"), [
    pytest.param(Role.ENGINEER, False, id="engineer-not-owner"),
    pytest.param(Role.DIRECTOR, False, id="director"),
    pytest.param(Role.MANAGER, True, id="closed-complaint"),
])
def test_the_uploader_is_offered_only_to_those_who_may_attach(office, now, role, closed):
    if closed:
        _close(office)
    at = _run(office, role, now)
    assert not at.exception and at.get("file_uploader") == []
