"""WO-9: the route that serves the customer's copy as a print-ready page, /print/work-order/<id>, and the
bundled font it falls back to. The page checks the session itself (ui.web_auth lets /print/ through): a
browser without a session is sent to sign in and back, a signed-in role without VIEW_WORK_ORDERS gets 403,
never the copy. The language is the link's, else the one this browser chose (ui.web_auth)."""

from __future__ import annotations

from urllib.parse import quote

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from core.accounts.sessions import resolve_session
from core.errors import DomainError
from core.i18n import t
from core.office.settings import load_office
from core.permissions import Action, allowed
from core.work_orders.copy import customer_copy
from ui import clock
from ui.web_auth import COOKIE, _lang
from ui.web_engine import web_engine
from ui.wo_copy_html import FONT_URL, PREFIX, render_copy_html
from ui.wo_copy_pdf import FONT

NO_STORE = {"Cache-Control": "no-store"}


async def copy_page(request: Request) -> Response:
    engine, lang = web_engine(), _lang(request)
    actor = await to_thread.run_sync(resolve_session, engine, request.cookies.get(COOKIE), clock.read_clock())
    if actor is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/auth/signin?next=" + quote(target, safe=""), status_code=303)
    if not allowed(actor.role, Action.VIEW_WORK_ORDERS):
        return _refusal("wo.copy.forbidden", lang, 403)
    order_id = _order_id(request.path_params["order_id"])
    if order_id is None:
        return _refusal("wo.copy.not_found", lang, 404)
    try:
        copy = await to_thread.run_sync(
            lambda: customer_copy(engine, actor, order_id, lang, load_office(engine)))
    except DomainError as err:
        return _refusal(err.key, lang, 409)
    if copy is None:
        return _refusal("wo.copy.not_found", lang, 404)
    return HTMLResponse(render_copy_html(copy), headers=NO_STORE)


def _order_id(raw: object) -> int | None:
    """The id in the path, or None when it is no order id at all (/print/work-order/abc: a 404 page in the
    user's language, not the app's blank shell, which answered a path the int route did not match)."""
    text = str(raw)
    return int(text) if text.isdecimal() and len(text) < 19 else None


def _refusal(key: str, lang: str, status: int) -> Response:
    return PlainTextResponse(t(key, lang), status_code=status, headers=NO_STORE)


async def copy_font(_request: Request) -> Response:
    """The bundled subset of Noto Sans CJK SC (OFL), for a browser without a Chinese font of its own."""
    return FileResponse(FONT, media_type="font/otf", headers={"Cache-Control": "public, max-age=86400"})


ROUTES = [
    Route(PREFIX + "work-order/{order_id}", copy_page, methods=["GET"]),
    Route(FONT_URL, copy_font, methods=["GET"]),
]
