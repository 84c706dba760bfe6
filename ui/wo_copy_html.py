"""WO-9: the customer's copy as a print-ready HTML page (A4, a print stylesheet), served by
ui.wo_print_route. Every value is escaped; the signatures are PNG data: URLs, so the page needs nothing but
itself (and the bundled font, when the browser has no Chinese font of its own)."""

from __future__ import annotations

import base64
from html import escape

from core.i18n import t
from core.work_orders.copy import CustomerCopy, Signature

PREFIX = "/print/"  # ui.wo_print_route's routes, which check the session themselves
FONT_URL = PREFIX + "copy-font.otf"  # the bundled subset of Noto Sans CJK SC (assets/fonts)
HTML_LANG = {"en": "en", "zh": "zh-CN"}
STYLE = f"""@font-face{{font-family:"Copy CJK";src:local("Noto Sans CJK SC"),local("Source Han Sans SC"),
url("{FONT_URL}") format("opentype")}}
@page{{size:A4;margin:15mm}}
body{{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei","PingFang SC","Copy CJK",sans-serif;
color:#111;background:#eee;margin:0}}
main{{width:180mm;margin:1rem auto;background:#fff;padding:15mm;box-shadow:0 1px 6px rgba(0,0,0,.15)}}
header{{display:flex;justify-content:space-between;align-items:baseline;border-bottom:2px solid #111}}
h1{{font-size:1.3rem;margin:0 0 .4rem}}.office{{font-size:1.1rem;font-weight:600}}
table{{width:100%;border-collapse:collapse;margin:1rem 0}}th,td{{border:1px solid #999;padding:.35rem .5rem;
text-align:left;vertical-align:top;font-size:.95rem;line-height:1.5;white-space:pre-wrap;overflow-wrap:anywhere}}
th{{width:32%;background:#f3f3f3;font-weight:600}}
.signs{{display:flex;gap:8mm}}.sign{{flex:1;border:1px solid #999;padding:.4rem;min-height:40mm}}
.sign img{{display:block;max-width:100%;height:28mm;object-fit:contain}}.sign .who{{font-size:.9rem}}
.hint{{width:180mm;margin:1rem auto 0;color:#444;font-size:.9rem}}footer{{margin-top:1rem;font-size:.85rem}}
@media print{{body{{background:#fff}}main{{width:auto;margin:0;padding:0;box-shadow:none}}.hint{{display:none}}
tr,.sign{{break-inside:avoid}}}}"""


def copy_url(order_id: int, lang: str) -> str:
    """The copy's address, in the language of the screen it is opened from."""
    return f"{PREFIX}work-order/{order_id}?lang={lang}"


def render_copy_html(copy: CustomerCopy) -> str:
    """The page: the office and the title, the order's rows, the two signature boxes, the footer."""
    lang = copy.lang
    rows = "".join(f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>" for label, value in copy.rows)
    signs = "".join(_sign(sig) for sig in copy.signatures)
    return (f'<!doctype html><html lang="{HTML_LANG.get(lang, "en")}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(copy.title)} {escape(copy.number)}</title><style>{STYLE}</style></head><body>"
            f'<p class="hint">{escape(t("wo.copy.print_hint", lang))}</p>'
            f'<main><header><h1>{escape(copy.title)}</h1><span class="office">{escape(copy.office)}</span></header>'
            f'<table>{rows}</table><div class="signs">{signs}</div>'
            f"<footer>{escape(copy.footer)}</footer></main></body></html>")


def _sign(sig: Signature) -> str:
    image = (f'<img alt="{escape(sig.label)}" src="data:image/png;base64,{base64.b64encode(sig.png).decode()}">'
             if sig.png else "")
    who = escape(f"{sig.signer}  {sig.signed_at}".strip())
    return f'<div class="sign"><strong>{escape(sig.label)}</strong>{image}<div class="who">{who}</div></div>'
