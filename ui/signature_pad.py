"""A handwritten signature pad (WO-5): a canvas the signer draws on with a finger on a phone or with a mouse,
returning a PNG to Python. An inline Components v2 element, no third-party JavaScript: pointer events (touch,
pen and mouse alike) with `touch-action: none`, so a stroke draws instead of scrolling the page; the canvas
is as wide as its column (full width on a phone) and holds devicePixelRatio pixels per CSS pixel, so the
stored picture is sharp; the ink is dark on a white ground, readable on a dark theme and on paper.

Clear empties the canvas; Done sends the drawing as a data URL, once (a trigger value). Both act when the
finger, pen or mouse that pressed them lifts (pointerup), not on `click`: a phone's browser may send no click
for a tap right after strokes on the canvas, so the first tap on Done was lost; the keyboard's click acts too.
A touch on the pad first takes the focus from a text box above it, so a typed printed name is kept before
Done. This module turns the data URL back into bytes; the use case refuses what is not a real PNG, too big,
or blank (a Done on an empty canvas) before anything is stored, and the page shows why."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

import streamlit as st

from ui.context import tr

HTML = """<div class="sigpad"><canvas></canvas><div class="row">
<button type="button" class="clear"></button><button type="button" class="done"></button></div></div>"""

CSS = """
.sigpad { width: 100%; }
.sigpad canvas { display: block; width: 100%; height: 200px; touch-action: none; background: #fff;
  outline: 1px solid var(--st-border-color, #ccc); outline-offset: -1px; border-radius: 0.5rem; cursor: crosshair; }
.sigpad .row { display: flex; gap: 0.5rem; margin-top: 0.5rem; }
.sigpad button { flex: 1; min-height: 2.75rem; font: inherit; border-radius: 0.5rem; cursor: pointer;
  border: 1px solid var(--st-border-color, #ccc); background: var(--st-secondary-background-color, #f0f2f6);
  color: var(--st-text-color, #111); }
.sigpad button.done { background: var(--st-primary-color, #ff4b4b); color: #fff; }
"""

JS = """
export default function ({ parentElement, data, setTriggerValue }) {
  const root = parentElement.querySelector(".sigpad");
  const canvas = root.querySelector("canvas");
  const [clear, done] = root.querySelectorAll("button");
  clear.textContent = data.clear;
  done.textContent = data.done;
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", data.label);
  const ink = canvas.getContext("2d");
  const blank = () => {
    ink.setTransform(1, 0, 0, 1, 0, 0);
    ink.fillStyle = "#fff";
    ink.fillRect(0, 0, canvas.width, canvas.height);
    const ratio = canvas.width / Math.max(canvas.clientWidth, 1);
    ink.setTransform(ratio, 0, 0, ratio, 0, 0);
    Object.assign(ink, { lineWidth: 2.5, lineCap: "round", lineJoin: "round", strokeStyle: "#111" });
  };
  const fit = () => {
    const ratio = window.devicePixelRatio || 1;
    const w = Math.round(canvas.clientWidth * ratio), h = Math.round(canvas.clientHeight * ratio);
    if (w && h && (canvas.width !== w || canvas.height !== h)) { canvas.width = w; canvas.height = h; blank(); }
  };
  const at = (e) => { const r = canvas.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
  let last = null;
  const line = (to) => { ink.beginPath(); ink.moveTo(...last); ink.lineTo(...to); ink.stroke(); last = to; };
  const on = new AbortController();
  const opts = { signal: on.signal };
  // A finger's pointerdown is cancelled (no page scroll), so the focus would stay in a text box above, whose
  // typed text (the customer's printed name) Streamlit keeps only once it loses the focus: let it go.
  const release = () => {
    const typing = document.activeElement;
    if (typing && typing !== document.body) typing.blur();
  };
  canvas.addEventListener("pointerdown", (e) => {
    e.preventDefault(); release(); canvas.setPointerCapture(e.pointerId); last = at(e); line([last[0] + 0.1, last[1]]);
  }, opts);
  canvas.addEventListener("pointermove", (e) => {
    if (!last) return;
    for (const p of (e.getCoalescedEvents ? e.getCoalescedEvents() : [e])) line(at(p));
  }, opts);
  for (const end of ["pointerup", "pointercancel", "lostpointercapture"]) {
    canvas.addEventListener(end, () => { last = null; }, opts);
  }
  // A button acts on the lifting of the finger, pen or mouse that pressed it: on a phone, Chrome may fire no
  // click at all for a tap that closely follows strokes on the canvas (the first tap on Done was lost, the
  // second saved). A click with no pointer behind it (detail 0: Enter or Space, a screen reader) acts too.
  const press = (button, act) => {
    let held = null;
    button.addEventListener("pointerdown", (e) => { if (e.button === 0) { held = e.pointerId; release(); } }, opts);
    button.addEventListener("pointercancel", () => { held = null; }, opts);
    button.addEventListener("pointerleave", () => { held = null; }, opts);
    button.addEventListener("pointerup", (e) => {
      if (held !== e.pointerId) return;
      held = null; e.preventDefault(); act();
    }, opts);
    button.addEventListener("click", (e) => { if (e.detail === 0) act(); }, opts);
  };
  press(clear, blank);
  press(done, () => setTriggerValue("png", canvas.toDataURL("image/png")));
  const resized = new ResizeObserver(fit);
  resized.observe(canvas);
  fit();
  return () => { on.abort(); resized.disconnect(); };
}
"""

_PAD = st.components.v2.component("signature_pad", html=HTML, css=CSS, js=JS)
PREFIX = "data:image/png;base64,"
SENT_MAX = 1024 * 1024  # characters of a data URL: twice what a stored signature may weigh (core checks that)


@dataclass(frozen=True)
class Drawn:
    """What Done sent: the PNG's bytes, or why it is refused (a catalog key)."""

    png: bytes | None = None
    refused: str | None = None


def signature_pad(key: str, label: str) -> Drawn | None:
    """Draw the pad (as wide as its container); returns what Done sent on the run it was pressed, else None.
    `label` names the canvas for a screen reader (a catalog text)."""
    data = {"clear": tr("wo.sign_ui.clear"), "done": tr("wo.sign_ui.done"), "label": label}
    result = _PAD(key=key, data=data, on_png_change=lambda: None)
    sent = getattr(result, "png", None)
    return None if sent is None else drawn(sent)


def drawn(sent: object) -> Drawn:
    """The pad's data URL as bytes; refused when it is no base64 PNG data URL. Whether the bytes are a real
    PNG with ink (not a Done on an empty pad) is the use case's check (core.work_orders.signature)."""
    if not isinstance(sent, str) or not sent.startswith(PREFIX) or len(sent) > SENT_MAX:
        return Drawn(refused="wo.sign_ui.not_png")
    try:
        return Drawn(png=base64.b64decode(sent[len(PREFIX):], validate=True))
    except (binascii.Error, ValueError):
        return Drawn(refused="wo.sign_ui.not_png")
