"""One raw source in, one Document out, or an InputError naming the file and the field."""

from __future__ import annotations

import json
from pathlib import PurePath

from liaison.errors import InputError
from liaison.ingest.dateline import dateline_date, parse_published
from liaison.ingest.decode import decode
from liaison.ingest.htmlpage import extract_page
from liaison.model import Document
from liaison.sources.files import RawSource

_OPTIONAL_STRINGS = ("url", "title", "outlet")


def to_document(src: RawSource) -> Document:
    """Parse ``src`` according to its kind; raise InputError on anything unusable."""
    if src.error is not None:
        raise src.error
    text = decode(src.data, src.name)
    stem = PurePath(src.name).stem if src.name != "<stdin>" else src.key.replace(":", "_")
    if src.suffix == ".json":
        return _from_json(text, src, stem)
    if src.suffix in (".html", ".htm"):
        page = extract_page(text, src.name)
        published = _published(page.published, src.name, "published_time")
        return _finish(src, stem, page.text, "text/html", page.url, page.title, page.outlet, published)
    return _finish(src, stem, text.strip("\n"), "text/plain", None, None, None, None)


def _from_json(text: str, src: RawSource, stem: str) -> Document:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(f"invalid JSON at line {err.lineno} column {err.colno}: {err.msg}", src.name,
                         "Fix the JSON syntax") from None
    if not isinstance(data, dict):
        raise InputError("JSON document must be an object with a \"text\" field", src.name,
                         "See docs/ingest.md for the document format")
    body = data.get("text")
    if body is None:
        raise InputError("JSON document has no \"text\" field", src.name,
                         "Add the article text under \"text\"")
    if not isinstance(body, str):
        raise InputError(f"field \"text\" must be a string, not {type(body).__name__}", src.name,
                         "Put the article text in \"text\" as one string")
    if not body.strip():
        raise InputError("field \"text\" is empty", src.name, "Add the article text")
    meta: dict[str, str | None] = {}
    for key in _OPTIONAL_STRINGS:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise InputError(f"field \"{key}\" must be a string or null, not {type(value).__name__}",
                             src.name, f"Fix \"{key}\"")
        meta[key] = value or None
    published = _published(data.get("published"), src.name, "published")
    return _finish(src, stem, body.replace("\r\n", "\n"), "application/json", meta["url"], meta["title"],
                   meta["outlet"], published)


def _published(value: object, name: str, field: str):  # noqa: ANN202
    try:
        return parse_published(value)
    except ValueError:
        raise InputError(f"field \"{field}\" is not a date: {value!r}", name,
                         "Use YYYY-MM-DD or leave it out") from None


def _finish(src: RawSource, stem: str, text: str, media_type: str, url, title, outlet, published) -> Document:  # noqa: ANN001
    text = text.strip()
    if not text:
        raise InputError("document has no text", src.name, "Give it some text")
    published_from = "metadata" if published else None
    if published is None:
        published = dateline_date(text)
        published_from = "dateline" if published else None
    key = url if (src.key.startswith("stdin") and url) else src.key
    return Document(
        source_key=key,
        stem=stem,
        text=text,
        media_type=media_type,
        url=url,
        title=title,
        outlet=outlet,
        published=published,
        published_from=published_from,
    )
