"""The analyst's web UI at `/` (docs/web.md): server-rendered pages over what the store holds, under
the same access rule as the TAXII API.

One module per page (dashboard, documents, ingest, entities, events, graph, places, search), each
with its own router; ``signin`` owns signing in and out, ``session`` the signed cookie, ``deps``
who is asking and the CSRF check, ``render`` the templates. Every page reads through the store's
reading functions (liaison.store.reading), which take the viewer's ``Actor`` and put the one access
rule (liaison.store.access) into their SQL; no page decides visibility itself.

``mount`` adds it to the composition root (liaison.share.app) with what is its own: the static
files (vendored libraries in ``static/vendor``, re-vendored by scripts/vendor.sh), the sign-in
redirect, the HTML error page for every path outside /taxii2/, the audit of each request, and
the security headers of every answer (``headers``: a Content-Security-Policy that admits only
this site's scripts).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from liaison.web import (
    admin,
    audit,
    dashboard,
    deps,
    documents,
    entities,
    events,
    graph,
    headers,
    ingest,
    places,
    search,
    signin,
)
from liaison.web.render import error_page

STATIC = Path(__file__).parent / "static"
#: The page modules, each with its ``router``, in the order their routes are matched.
PAGES = [signin, dashboard, documents, ingest, entities, events, graph, places, search, admin]

__all__ = ["error_page", "mount"]


def mount(app: FastAPI) -> None:
    router = APIRouter()
    for module in PAGES:
        router.include_router(module.router)
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    deps.install(app)
    app.add_middleware(audit.AuditMiddleware)
    app.add_middleware(headers.SecurityHeaders)
