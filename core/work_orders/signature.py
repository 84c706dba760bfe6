"""WO-5: a signature is drawn on the device's pad and stored as a PNG. Pure checks of what the pad sent: a
real PNG (Pillow reads all of it), small (at most MAX_BYTES, MAX_SIDE pixels a side) and not blank (enough
pixels that differ from the background: strokes, not an empty pad)."""

from __future__ import annotations

import hashlib
import io
import warnings

from PIL import Image

from core.errors import Invalid

MAX_BYTES = 512 * 1024
MAX_SIDE = 4000
MIN_INK = 50  # pixels unlike the background: a short stroke of a finger is already hundreds
INK_CONTRAST = 48  # how far from the background's grey a pixel is ink


def _read(png: bytes) -> Image.Image:
    """The whole picture, loaded, or Invalid: not a PNG, too many pixels, or unreadable."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(png)) as im:
                if im.format != "PNG":
                    raise Invalid("wo.sign.not_png", field="png")
                if im.width > MAX_SIDE or im.height > MAX_SIDE:
                    raise Invalid("wo.sign.too_large", field="png", limit=MAX_SIDE)
                im.verify()
            with Image.open(io.BytesIO(png)) as im:
                im.load()
                return im.convert("RGBA")
    except Invalid:
        raise
    except Exception:  # noqa: BLE001 - a decoder fed hostile bytes may raise anything; every failure refuses
        raise Invalid("wo.sign.not_png", field="png") from None


def ink(im: Image.Image) -> int:
    """How many pixels differ from the background (the commonest grey once laid on white)."""
    flat = Image.new("RGBA", im.size, (255, 255, 255, 255))
    flat.alpha_composite(im)
    counts = flat.convert("L").histogram()
    background = max(range(256), key=counts.__getitem__)
    return sum(n for grey, n in enumerate(counts) if abs(grey - background) > INK_CONTRAST)


def check_png(png: object) -> str:
    """The PNG's sha256 when it is a drawn signature we keep; Invalid naming why not."""
    if not isinstance(png, bytes | bytearray) or not png:
        raise Invalid("wo.sign.not_png", field="png")
    if len(png) > MAX_BYTES:
        raise Invalid("wo.sign.too_big", field="png", limit_kb=MAX_BYTES // 1024)
    if ink(_read(bytes(png))) < MIN_INK:
        raise Invalid("wo.sign.blank", field="png")
    return hashlib.sha256(png).hexdigest()
