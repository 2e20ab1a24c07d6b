"""Pages from Jinja2 templates (``templates/``), escaped everywhere by default: whatever a user or a
document wrote (text, titles, names, queries) reaches the page only as text.

``page`` renders a template for a signed-in viewer (the layout shows who they are, the navigation
fitting their organisation, and carries the CSRF token for forms and htmx); ``error_page`` is the
HTML answer of every error outside /taxii2/ (registered with the composition root's error formats),
so a browser never gets a traceback, a TAXII error resource or a bare 500."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from liaison import __version__
from liaison.stix.tlp import LEVELS

ENV = Environment(loader=PackageLoader("liaison.web", "templates"), autoescape=select_autoescape(default=True),
                  trim_blocks=True, lstrip_blocks=True)


def tlp_label(level: str | None, default: str = "unmarked") -> Markup:
    """A TLP 2.0 label as the standard prints it: ``TLP:AMBER+STRICT`` in the level's colour on black."""
    if not level:
        return Markup('<span class="tlp tlp-none">{}</span>').format(default)
    name = str(level).upper().removeprefix("TLP:")
    css = name.lower().replace("+", "-")
    return Markup('<span class="tlp tlp-{}">TLP:{}</span>').format(css, name)


def day(value: Any) -> str:  # noqa: ANN401
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def as_json(value: Any) -> Markup:  # noqa: ANN401
    """Data for a page's script, safe inside <script type="application/json">: no "</" can close it."""
    text = json.dumps(value, default=str, ensure_ascii=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


ENV.filters.update(tlp=tlp_label, day=day, json=as_json)
ENV.globals.update(version=__version__, tlp_levels=[str(x) for x in LEVELS])


def page(request: Any, template: str, who: Any = None, status: int = 200, **context: Any) -> HTMLResponse:  # noqa: ANN401
    """The page ``template`` for the viewer ``who`` (a deps.Viewer; None on the sign-in pages)."""
    html = ENV.get_template(template).render(request=request, who=who, path=request.url.path, **context)
    return HTMLResponse(html, status_code=status)


def error_page(status: int, title: str, description: str = "", headers: dict[str, str] | None = None) -> HTMLResponse:
    """The HTML answer of an error: what went wrong and what to do, never a traceback."""
    if status == 404 and not description:
        description = "There is nothing here, or nothing you may see. Check the address, or go back to the dashboard."
    html = ENV.get_template("error.html").render(status=status, title=title, description=description, who=None,
                                                 path="")
    return HTMLResponse(html, status_code=status, headers=headers)
