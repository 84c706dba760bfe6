"""The app's own ASGI middleware (issue 9, ui.web_security), driven without a server: every HTTP answer leaves
with the security headers, Streamlit's metrics and agent routes answer nobody, and the content security policy
names no host but the app's own. tests/e2e/test_http_surface_in_browser.py checks the same on the served app."""

from __future__ import annotations

import base64
import hashlib
import re
import tomllib
from pathlib import Path

import pytest
from starlette.responses import PlainTextResponse, RedirectResponse

from tests.helpers import run_async
from ui.web_security import _INDEX_HTML, CloseInternalRoutes, SecurityHeaders, content_security_policy

ROOT = Path(__file__).resolve().parents[2]


def _call(app, path: str, kind: str = "http", method: str = "GET") -> list[dict]:
    """Run one request through an ASGI app; returns the messages it sent."""
    sent: list[dict] = []
    scope = {"type": kind, "method": method, "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": [], "scheme": "http", "server": ("127.0.0.1", 8501), "root_path": ""}

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    run_async(app, scope, receive, send)
    return sent


def _headers(messages: list[dict]) -> dict[str, str]:
    start = next(m for m in messages if m["type"] == "http.response.start")
    return {k.decode().lower(): v.decode() for k, v in start["headers"]} | {":status": str(start["status"])}


class _Inner:
    """The app below the middleware: answers `response`, and remembers it was asked."""

    def __init__(self, response=None) -> None:
        self.response, self.paths = response or PlainTextResponse("inner"), []

    async def __call__(self, scope, receive, send) -> None:
        self.paths.append(scope["path"])
        if scope["type"] == "http":
            await self.response(scope, receive, send)


@pytest.mark.parametrize("response", [PlainTextResponse("page"), RedirectResponse("/auth/signin", status_code=303),
                                      PlainTextResponse("missing", status_code=404)], ids=["page", "redirect", "404"])
def test_every_http_answer_leaves_with_the_security_headers(response):
    headers = _headers(_call(SecurityHeaders(_Inner(response)), "/customers"))
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["content-security-policy"] == content_security_policy()


def test_a_refusal_of_a_closed_route_carries_the_headers_too():
    headers = _headers(_call(SecurityHeaders(CloseInternalRoutes(_Inner())), "/_stcore/metrics"))
    assert headers[":status"] == "404" and headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("path", ["/_stcore/metrics", "/_stcore/metrics/", "/_stcore/agent/openapi.json",
                                  "/_stcore/agent/interact", "/_stcore/agent/mcp"])
@pytest.mark.parametrize("method", ["GET", "OPTIONS", "POST"])
def test_metrics_and_the_agent_api_answer_nobody(path, method):
    """Issue 9: /_stcore/metrics answered without a session. Refused for everyone, before any route runs."""
    inner = _Inner()
    messages = _call(CloseInternalRoutes(inner), path, method=method)
    assert _headers(messages)[":status"] == "404" and inner.paths == []


def test_a_websocket_to_a_closed_route_is_closed():
    inner = _Inner()
    assert _call(CloseInternalRoutes(inner), "/_stcore/agent/mcp", kind="websocket") == [
        {"type": "websocket.close", "code": 1008}]
    assert inner.paths == []


@pytest.mark.parametrize("path", ["/_stcore/health", "/_stcore/host-config", "/_stcore/stream", "/static/js/x.js",
                                  "/auth/signin", "/customers"])
def test_what_the_frontend_needs_before_sign_in_passes(path):
    inner = _Inner()
    assert _headers(_call(CloseInternalRoutes(inner), path))[":status"] == "200" and inner.paths == [path]


def test_the_policy_names_no_host_and_allows_no_javascript_eval():
    sources = {token for part in content_security_policy().split(";") for token in part.split()[1:]}
    assert all(token.startswith("'") or token in ("data:", "blob:") for token in sources), sources
    assert "'unsafe-eval'" not in sources
    assert "frame-ancestors 'none'" in content_security_policy()


def test_streamlits_inline_script_is_allowed_by_its_hash_and_no_other_inline_script():
    bodies = re.findall(r"<script>(.*?)</script>", _INDEX_HTML.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert bodies, "Streamlit's index.html has an inline script: the policy must allow it by hash"
    script_src = next(p for p in content_security_policy().split("; ") if p.startswith("script-src"))
    for body in bodies:
        assert f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'" in script_src
    assert "'unsafe-inline'" not in script_src


def test_the_host_configuration_allows_no_foreign_origin():
    """Issue 9: Streamlit's default client.allowedOrigins lists its cloud's hosts; the app's config sets none."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["allowedOrigins"] == []


def test_the_page_icon_is_a_file_of_the_app_not_a_font_icon():
    """Issue 9: page_icon=":material/...:" made the browser fetch the icon from an outside font host."""
    source = (ROOT / "streamlit_app.py").read_text(encoding="utf-8")
    assert re.search(r'page_icon="?:material', source) is None
    assert (ROOT / "assets" / "page_icon.svg").read_text(encoding="utf-8").lstrip().startswith("<svg")
