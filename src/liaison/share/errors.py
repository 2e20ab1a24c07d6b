"""Errors answered in the format of the mount a request is under: TAXII error resources under
/taxii2/, plain text elsewhere (until the web UI brings its pages), so a browser asking for `/`
never gets a TAXII 406 or a TAXII JSON error.

An endpoint or dependency raises ``Refusal``; FastAPI's own errors (an unknown path, a bad
parameter) and a busy store are turned into one too, then rendered by the mount's format.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

#: Renders (status, title, description, headers) as a response.
Format = Callable[[int, str, str, "dict[str, str] | None"], Response]


class Refusal(Exception):
    def __init__(self, status: int, title: str, description: str = "", headers: dict[str, str] | None = None) -> None:
        super().__init__(title)
        self.status, self.title, self.description, self.headers = status, title, description, headers or {}


def plain(status: int, title: str, description: str = "", headers: dict[str, str] | None = None) -> Response:
    return PlainTextResponse(f"{title}: {description}" if description else title, status, headers=headers)


def install(app: FastAPI) -> None:
    """Answer every error in the format registered (``register``) for the longest prefix of its path."""
    app.state.error_formats = []

    def render(request: Request, status: int, title: str, description: str = "",
               headers: dict[str, str] | None = None) -> Response:
        path = request.url.path
        found = [(p, f) for p, f in app.state.error_formats if path.startswith(p)]
        fmt = max(found, key=lambda pf: len(pf[0]))[1] if found else plain
        return fmt(status, title, description, headers)

    @app.exception_handler(Refusal)
    async def refused(request: Request, exc: Refusal) -> Response:
        return render(request, exc.status, exc.title, exc.description, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return render(request, exc.status_code, str(exc.detail), "", getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def bad_parameter(request: Request, exc: RequestValidationError) -> Response:
        first: dict[str, Any] = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ()) if x not in ("query", "path", "header"))
        return render(request, 400, "Bad request parameter", f"{where}: {first.get('msg', 'invalid')}")

    @app.exception_handler(OperationalError)
    async def store_busy(request: Request, exc: OperationalError) -> Response:
        return render(request, 503, "The store is busy or unreachable", str(exc.orig).splitlines()[0],
                      {"Retry-After": "1"})


def register(app: FastAPI, prefix: str, fmt: Format) -> None:
    app.state.error_formats.append((prefix, fmt))
