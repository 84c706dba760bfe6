"""The app's HTTP surface toward the browser (issue 9): security headers on every response, and the
Streamlit routes that answer nobody. Signing in is ui.web_auth's; this module only shapes what any
request, signed in or not, gets back."""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from pathlib import Path

import streamlit
from starlette.datastructures import MutableHeaders
from starlette.responses import PlainTextResponse

from ui import phone_sidebar

# Streamlit routes that no browser of this app needs. /_stcore/metrics tells anyone the server's sessions
# and cache sizes, and the frontend never reads it (host-config sends metricsUrl ""); the agent API drives
# the app without a browser, around the sign-in. Both are refused for everyone, signed in or not: an office
# on a LAN has no scraper, and a session gate would still show server internals to every role.
CLOSED_PREFIXES = ("/_stcore/metrics", "/_stcore/agent/")

# Streamlit's index.html carries one inline script (window.prerenderReady); it is allowed by its hash, read
# from the installed Streamlit, so no other inline script runs. Styles are inline (emotion injects <style>
# tags, the sign-in page has one), so style-src needs 'unsafe-inline'. Streamlit's protobuf decoder compiles a
# small WebAssembly module: 'wasm-unsafe-eval' allows that and no JavaScript eval (the Vega-Lite charts need none;
# checked in chromium, tests/e2e/test_http_surface_in_browser.py). The signature pad (ui.signature_pad) is an
# inline Components v2 element, whose JavaScript Streamlit imports as a module from a blob: URL the page itself
# makes: 'blob:' allows that; a blob is created by script already running here, never fetched from elsewhere.
# One fixed inline script of our own (ui.phone_sidebar) is allowed by its hash too.
_INDEX_HTML = Path(streamlit.__file__).parent / "static" / "index.html"


@cache
def content_security_policy() -> str:
    """default-src 'self': the browser loads and connects nowhere but this server; nothing may frame it."""
    ours = [_digest(phone_sidebar.SCRIPT)]  # the one inline script of our own: closes the sidebar on a phone
    scripts = " ".join(f"'sha256-{digest}'" for digest in [*_inline_script_hashes(_INDEX_HTML), *ours])
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' blob: 'wasm-unsafe-eval' {scripts}".strip(),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def _inline_script_hashes(html_file: Path) -> list[str]:
    html = html_file.read_text(encoding="utf-8") if html_file.exists() else ""
    bodies = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, flags=re.DOTALL)
    return [_digest(body) for body in bodies]


def _digest(body: str) -> str:
    return base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()


def security_headers() -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }


class SecurityHeaders:
    """ASGI middleware, outermost: every HTTP response (pages, sign-in form, redirects, assets, errors)
    leaves with the security headers, whatever route or middleware made it."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in security_headers().items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CloseInternalRoutes:
    """ASGI middleware: Streamlit's metrics and agent routes answer 404 to everyone (CLOSED_PREFIXES says why).
    /_stcore/health, host-config, the websocket and the static assets pass: the frontend needs them before
    sign-in, and the app script checks the session on every run."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] in ("http", "websocket") and scope["path"].startswith(CLOSED_PREFIXES):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
            return
        await self.app(scope, receive, send)
