"""Drawn signatures for the demo's work orders (WO-5): a few smooth pen strokes like a handwritten name,
as a small 1-bit PNG the size of the signature pad's stroke area (300 x 100).

Drawing a PNG per order would be slow and large at the benchmark's million orders, so each kind gets a
pool of `POOL` distinct images, drawn once from the seeded stream; the orders reuse their bytes and
hashes. An office of up to `ALL_KEPT` orders (the demo office) stores every order's images; a larger one
(the benchmark's million orders, ~1.5 million signatures) stores only those signed in the last `KEPT_DAYS`
days — every order still completed or returned, so the acceptance gate finds its pictures — and older
orders keep their signature columns (who, when) but not the picture: ~100 MB of PNG instead of ~1 GB."""

from __future__ import annotations

import hashlib
import io
import math
from dataclasses import dataclass
from random import Random

from PIL import Image, ImageDraw

from db.enums import SignatureKind

POOL = 64
WIDTH, HEIGHT = 300, 100
ALL_KEPT = 50_000
KEPT_DAYS = 14  # longer than any order waits completed or returned (demo.work_orders.STATUSES)
SIGNATURE_COLUMNS = ("id", "work_order_id", "kind", "signer_name", "captured_by_id", "png", "sha256", "signed_at")


@dataclass(frozen=True)
class Drawn:
    png: bytes
    sha256: str


def _stroke(rng: Random, x0: float, width: float) -> list[tuple[float, float]]:
    """One pen stroke: a wave running right with loops of varying height, sampled finely so it is smooth."""
    points, n = [], 40
    loops = 1.5 + rng.random() * 3
    height = 12 + rng.random() * 22
    tilt = (rng.random() - 0.5) * 20
    phase = rng.random() * math.tau
    for i in range(n + 1):
        t = i / n
        x = x0 + t * width + 6 * math.sin(t * loops * math.tau + phase)
        y = HEIGHT / 2 + tilt * (t - 0.5) - height * math.sin(t * loops * math.tau * 0.5 + phase) * (1 - 0.3 * t)
        points.append((x, max(4.0, min(HEIGHT - 4.0, y))))
    return points


def draw(rng: Random) -> Drawn:
    """A signature of two to four strokes left to right, and sometimes an underline flourish."""
    image = Image.new("1", (WIDTH, HEIGHT), 1)
    pen = ImageDraw.Draw(image)
    strokes = 2 + int(rng.random() * 3)
    x, span = 15.0, (WIDTH - 40) / strokes
    for _ in range(strokes):
        pen.line(_stroke(rng, x, span * (0.6 + 0.3 * rng.random())), fill=0, width=2 + int(rng.random() * 2),
                 joint="curve")
        x += span
    if rng.random() < 0.4:
        y = HEIGHT - 15 - rng.random() * 8
        pen.line([(20, y), (WIDTH * (0.5 + 0.4 * rng.random()), y - rng.random() * 6)], fill=0, width=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    png = buffer.getvalue()
    return Drawn(png, hashlib.sha256(png).hexdigest())


def pools(rng: Random) -> dict[str, tuple[Drawn, ...]]:
    """`POOL` distinct images per signature kind."""
    return {kind.value: tuple(draw(rng) for _ in range(POOL)) for kind in SignatureKind}


def kept_since(orders: int, now: int) -> int | None:
    """The earliest signature time whose image is stored (None: every one)."""
    return None if orders <= ALL_KEPT else now - KEPT_DAYS * 86_400


class SignatureWriter:
    """Writes an order's signature rows from the pools (WO-5: the technician's on their own account, the
    customer's captured on the technician's account with the customer's printed name)."""

    def __init__(self, demo, since: int | None) -> None:
        demo.out.declare("work_order_signatures", SIGNATURE_COLUMNS)
        self.out = demo.out
        self.pools = pools(demo.rng("work_order_signatures"))
        self.since = since  # signatures before this time keep their columns but not their image

    def add(self, wo_id: int, kind: SignatureKind, signer: str, captured_by: int, at: int | None) -> bool:
        """The row, unless there is no signature or it is older than the kept ones; True when written."""
        if at is None or (self.since is not None and at < self.since):
            return False
        drawn = self.pools[kind.value][(wo_id * 7 + len(signer)) % POOL]
        self.out.add("work_order_signatures", (self.out.next_id("work_order_signatures"), wo_id, kind.value,
                                               signer, captured_by, drawn.png, drawn.sha256, at))
        return True
