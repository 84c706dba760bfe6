"""The route that hands over an export file (issue 13), /export/<token>: streamed from disk (FileResponse),
then deleted. Only the user who asked, in the same browser session, gets it (core.export.files.claim);
anyone else, a second fetch and an expired link get a 404 in the user's language. ui.web_auth lets /export/
through: this route checks the session itself, as the print route does."""

from __future__ import annotations

from anyio import to_thread
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from core.accounts.sessions import resolve_session
from core.export import files
from core.i18n import t
from ui import clock
from ui.web_auth import COOKIE, _lang
from ui.web_engine import web_engine

PREFIX = "/export/"
MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv"}
NO_STORE = {"Cache-Control": "no-store"}


async def download(request: Request) -> Response:
    cookie, now = request.cookies.get(COOKIE), clock.read_clock()
    actor = await to_thread.run_sync(resolve_session, web_engine(), cookie, now)
    made = files.claim(request.path_params["token"], actor.id, cookie, now) if actor is not None else None
    if made is None:
        return PlainTextResponse(t("export.gone", _lang(request)), status_code=404, headers=NO_STORE)
    media = MEDIA.get(made.name.rsplit(".", 1)[-1], "application/octet-stream")
    return FileResponse(made.path, media_type=media, filename=made.name, headers=NO_STORE,
                        background=BackgroundTask(files.discard, made.token))


ROUTES = [Route(PREFIX + "{token}", download, methods=["GET"])]
