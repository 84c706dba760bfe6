"""Small files for the evidence tests (CP-1): real pictures made by Pillow, a minimal PDF, and hostile bytes
that pretend to be pictures."""

from __future__ import annotations

import io

from PIL import Image


def picture(fmt: str = "PNG", size: tuple[int, int] = (8, 6)) -> bytes:
    """A real picture in `fmt` (JPEG, PNG, GIF, WEBP), a few hundred bytes."""
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt)
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"This program cannot be run in DOS mode."
JPEG_HEADED_EXE = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + EXE  # a program renamed .jpg behind a JPEG header
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
