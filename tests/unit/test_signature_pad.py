"""What the signature pad's Done sends, as Python takes it back (WO-5): a base64 PNG data URL becomes its bytes;
anything else is refused with a message before a use case sees it (the use case checks the picture itself)."""

from __future__ import annotations

import base64

import pytest

from ui.signature_pad import PREFIX, SENT_MAX, Drawn, drawn

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(40))


def test_a_png_data_url_becomes_its_bytes():
    assert drawn(PREFIX + base64.b64encode(PNG).decode()) == Drawn(png=PNG)


@pytest.mark.parametrize("sent", [
    pytest.param(None, id="nothing"),
    pytest.param(12, id="a-number"),
    pytest.param("data:image/jpeg;base64," + base64.b64encode(PNG).decode(), id="another-format"),
    pytest.param(PREFIX + "not base64 at all!", id="not-base64"),
    pytest.param(PREFIX + "QUJDR", id="bad-padding"),
    pytest.param(PREFIX + "A" * SENT_MAX, id="too-long"),
])
def test_what_is_no_png_data_url_is_refused(sent):
    assert drawn(sent) == Drawn(refused="wo.sign_ui.not_png")
