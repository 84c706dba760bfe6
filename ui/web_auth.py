"""The app's own HTTP routes for signing in and out, and the middleware that sends a browser without
a valid session to the sign-in page. The password is posted to this route, never through the
Streamlit websocket; the session token goes back as an HttpOnly, SameSite=Strict cookie."""

from __future__ import annotations

import logging
import secrets
import threading
from contextlib import asynccontextmanager
from urllib.parse import quote, urlencode, urlparse

import streamlit as st
from anyio import to_thread
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from core.accounts.services import create_first_admin, needs_first_admin
from core.accounts.sessions import resolve_session, sign_in, sign_out
from core.accounts.setup import issue_setup_code
from core.errors import DomainError
from core.i18n import LANGS, lang_from_locale
from core.office.settings import load_office
from core.scheduling.daily import run_daily
from db.config import get_config
from ui import clock
from ui.nav import REFUSED_PAGE, page_paths
from ui.signin_html import render_signin
from ui.web_engine import web_engine

log = logging.getLogger(__name__)
COOKIE, CSRF_COOKIE = "sd_session", "sd_csrf"
LANG_COOKIE, LANG_ROUTE = "sd_lang", "/auth/language"  # the language this browser chose (ui.context.lang)
LANG_COOKIE_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie
TYPED_MAX = 200  # what a refused form shows again of a typed name: any real one, never a posted megabyte
STREAMLIT_PARTS = ("/_stcore/", "/static/", "/media/", "/component/")
# /print/ and /export/: ui.wo_print_route and ui.export_route check the session themselves
OPEN_PREFIXES = (*STREAMLIT_PARTS, "/auth/", "/print/", "/export/")



def _lang(request: Request) -> str:
    """The language asked for in the link, else the one this browser chose before, else the browser's."""
    for wanted in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if wanted in LANGS:
            return wanted
    return lang_from_locale(request.headers.get("accept-language", ""))


def _safe_next(target: str | None) -> str:
    """Only a path on this site: an open redirect would let a link send users elsewhere after sign-in (a
    backslash or a control character is refused too: browsers read `/\\evil.example` as another host)."""
    parsed = urlparse(target or "/")
    local = target and target.startswith("/") and not target.startswith("//") and not parsed.netloc
    return target if local and "\\" not in target and target.isprintable() else "/"


def signin_redirect(path: str, query: bytes) -> str:
    """Where a signed-out page request goes: the sign-in page, which then returns to the page with its query
    (a shared link to one record, `?id=`, opens that record after sign-in)."""
    wanted = path + ("?" + query.decode("latin-1") if query else "")
    return "/auth/signin?next=" + quote(wanted, safe="/")


def _cookie(response: Response, request: Request, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")


async def signin_page(request: Request) -> Response:
    response = await _form(request, error_key=None, status=200)
    if request.query_params.get("lang") in LANGS:  # the sign-in page's own language link: the app follows it
        _remember_language(response, request, request.query_params["lang"])
    return response


async def language(request: Request) -> Response:
    """Remember the language the user chose in the app (ui.context.remember_language fetches this): nothing
    to show, only the cookie the next session reads. Anything but a known language changes nothing."""
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    if request.query_params.get("to") in LANGS:
        _remember_language(response, request, request.query_params["to"])
    return response


def _remember_language(response: Response, request: Request, code: str) -> None:
    _cookie(response, request, LANG_COOKIE, code, LANG_COOKIE_AGE)


async def _form(request: Request, error_key: str | None, status: int, form=None) -> Response:
    """The sign-in form; after a refused `form`, with its page to go to and the names typed kept."""
    engine = web_engine()
    first_admin = not get_config().is_demo and await to_thread.run_sync(needs_first_admin, engine)
    csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    next_path = form.get("next") if form is not None else request.query_params.get("next")
    typed = {k: str(form.get(k, ""))[:TYPED_MAX] for k in ("username", "display_name")} if form is not None else None
    body = render_signin(_lang(request), csrf=csrf, next_path=_safe_next(next_path),
                         error_key=error_key, demo=get_config().is_demo, first_admin=first_admin, typed=typed)
    response = HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})
    _cookie(response, request, CSRF_COOKIE, csrf, None)
    return response


async def signin_submit(request: Request) -> Response:
    form = await request.form()
    if not request.cookies.get(CSRF_COOKIE) or form.get("csrf") != request.cookies.get(CSRF_COOKIE):
        return await _form(request, "auth.expired_form", 400)
    try:
        if form.get("first_admin"):
            await _first_admin(form)
        token = await to_thread.run_sync(sign_in, web_engine(), str(form.get("username", "")),
                                         str(form.get("password", "")), clock.read_clock())
    except DomainError as err:
        return await _form(request, err.key, 401 if err.key == "auth.failed" else 400, form)
    _sweep_in_background()
    lifetime = int(load_office(web_engine()).get("auth.session_lifetime_hours")) * 3600
    response = RedirectResponse(_safe_next(str(form.get("next", "/"))), status_code=303)
    _cookie(response, request, COOKIE, token, lifetime)
    return response


def _sweep_in_background() -> None:
    """The first sign-in of an office day runs the daily jobs (callback sweep CB-2, re-check samples CB-4): in a thread,
    so signing in never waits for it; a failure is logged and the next sign-in tries again."""

    def sweep() -> None:
        try:
            run_daily(web_engine(), clock.read_clock(), load_office(web_engine()).timezone)
        except Exception:
            log.exception("callback sweep failed")

    threading.Thread(target=sweep, name="callback-sweep", daemon=True).start()


async def _first_admin(form) -> None:
    """The demo office has no first-admin form; a real one's needs the code the server printed at start."""
    if get_config().is_demo:
        raise DomainError("users.admin_exists")
    if str(form.get("password", "")) != str(form.get("password2", "")):
        raise DomainError("auth.passwords_differ")
    await to_thread.run_sync(lambda: create_first_admin(
        web_engine(), str(form.get("setup_code", "")), str(form.get("username", "")),
        str(form.get("display_name", "")), str(form.get("password", "")), clock.read_clock()))


def announce_setup_code() -> None:
    """At the server's start, a real office without an admin who can sign in gets a one-time setup code,
    printed here on the server's own console (as notebook servers print their token): only someone who
    can see the console creates the first administrator."""
    if get_config().is_demo:
        return
    code = issue_setup_code(web_engine(), clock.read_clock())
    if code:
        address = st.get_option("server.address") or "localhost"
        url = f"http://{address}:{st.get_option('server.port')}/auth/signin"
        rule = "=" * 72
        print(f"\n{rule}\n  This office has no administrator yet.\n  Setup code: {code}\n"
              f"  Open {url} and create the first administrator with this code.\n{rule}\n", flush=True)


@asynccontextmanager
async def setup_code_at_start(_app):
    """st.App's lifespan: announce the setup code once, when the server starts."""
    await to_thread.run_sync(announce_setup_code)
    yield


async def signout(request: Request) -> Response:
    await to_thread.run_sync(sign_out, web_engine(), request.cookies.get(COOKIE), clock.read_clock())
    response = RedirectResponse("/auth/signin", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


ROUTES = [
    Route("/auth/signin", signin_page, methods=["GET"]),
    Route("/auth/signin", signin_submit, methods=["POST"]),
    Route("/auth/signout", signout, methods=["GET", "POST"]),
    Route(LANG_ROUTE, language, methods=["GET"]),
]


def refused_target(path: str) -> str:
    """The first page, told which address was refused (`/?refused=kpis`): the path, cut short, which
    ui.feedback.refused_notice matches whole against the app's own pages (`/x/kpis` is no page) and shows only
    as a page's own name, never as it was typed."""
    return "/?" + urlencode({REFUSED_PAGE: path.strip("/")[:60]})


class RequireSignIn:
    """ASGI middleware: a page request (GET of an HTML path) without a valid session is redirected to
    the sign-in page, and one for a path that is not a page of the user's role to the first page. The
    websocket and assets pass; the app script checks the session on every run."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and self._is_page(scope["path"]):
            request = Request(scope)
            actor = await to_thread.run_sync(resolve_session, web_engine(), request.cookies.get(COOKIE),
                                             clock.read_clock())
            if actor is None:
                target = signin_redirect(scope["path"], scope.get("query_string", b""))
                await RedirectResponse(target, status_code=303)(scope, receive, send)
                return
            if self._is_wrong_page(scope["path"], actor.role):
                # Streamlit would run the first page under an English "Page not found" dialog it cannot
                # translate: the first page itself, without the wrong link's parameters, says in the user's
                # language why they are there (ui.nav.refused_notice).
                await RedirectResponse(refused_target(scope["path"]), status_code=303)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    @staticmethod
    def _is_wrong_page(path: str, role) -> bool:
        """Not a page of the role. On a page's URL the frontend first looks for Streamlit under that page
        (/callbacks/_stcore/health): those requests pass, to find nothing and let it try the root."""
        return not any(part in path for part in STREAMLIT_PARTS) and path.strip("/") not in page_paths(role)

    @staticmethod
    def _is_page(path: str) -> bool:
        last = path.rsplit("/", 1)[-1]
        return not path.startswith(OPEN_PREFIXES) and "." not in last
