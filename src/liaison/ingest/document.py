"""One raw source in, one Document out, or an InputError naming the file and the field."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import PurePath

from liaison.errors import InputError
from liaison.ingest.dateline import dateline_date, parse_published
from liaison.ingest.decode import LOW_CONFIDENCE, Decoded, decode, scrub
from liaison.ingest.htmlpage import extract_page
from liaison.model import Document
from liaison.sources.files import RawSource

_OPTIONAL_STRINGS = ("url", "title", "outlet")

# JSON's names for the Python types json.loads makes, for messages about a field's type.
_JSON_TYPES = {"Decimal": "number", "float": "number", "list": "array", "dict": "object", "bool": "boolean",
               "NoneType": "null"}


def to_document(src: RawSource, warn: Callable[[str], None] | None = None) -> Document:
    """Parse ``src`` according to its kind; raise InputError on anything unusable.

    ``warn`` gets one line for each caveat of a document that is still stored: an encoding
    that was a guess, characters that had to be removed."""
    if src.error is not None:
        raise src.error
    html = src.suffix in (".html", ".htm")
    decoded = decode(src.data, src.name, declared=src.charset, html=html)
    if warn and decoded.note:
        warn(InputError(decoded.note, src.name, "Check the stored text (liaison show)").line())
    if warn and decoded.confidence < LOW_CONFIDENCE:
        warn(InputError(f"text encoding guessed as {decoded.encoding}, confidence {decoded.confidence:.2f}",
                        src.name, "If the stored text looks garbled, convert the file to UTF-8 or declare "
                        "its charset").line())
    text = decoded.text
    stem = PurePath(src.name).stem if src.name != "<stdin>" else src.key.replace(":", "_")
    if src.suffix == ".json":
        return _from_json(text, src, stem, decoded, warn)
    if html:
        page = extract_page(text, src.name)
        published = _published(page.published, src.name, "published_time")
        return _finish(src, stem, page.text, "text/html", page.url, page.title, page.outlet, published, decoded,
                       warn)
    return _finish(src, stem, text.strip("\n"), "text/plain", None, None, None, None, decoded, warn)


def _json_type(value: object) -> str:
    name = type(value).__name__
    return _JSON_TYPES.get(name, name)


def _from_json(text: str, src: RawSource, stem: str, decoded: Decoded,
               warn: Callable[[str], None] | None) -> Document:
    try:
        # Integers as Decimal: Python refuses to make an int of over 4,300 digits, and no field
        # Liaison reads is a number anyway.
        data = json.loads(text, parse_int=Decimal)
    except json.JSONDecodeError as err:
        raise InputError(f"invalid JSON at line {err.lineno} column {err.colno}: {err.msg}", src.name,
                         "Fix the JSON syntax") from None
    except RecursionError:
        # The json module recurses once per nested array or object.
        raise InputError("JSON nests arrays or objects too deeply to read", src.name,
                         "Flatten the document: Liaison reads only its top-level fields") from None
    if not isinstance(data, dict):
        raise InputError("JSON document must be an object with a \"text\" field", src.name,
                         "See docs/ingest.md for the document format")
    body = data.get("text")
    if body is None:
        raise InputError("JSON document has no \"text\" field", src.name,
                         "Add the article text under \"text\"")
    if not isinstance(body, str):
        raise InputError(f"field \"text\" must be a string, not {_json_type(body)}", src.name,
                         "Put the article text in \"text\" as one string")
    if not body.strip():
        raise InputError("field \"text\" is empty", src.name, "Add the article text")
    meta: dict[str, str | None] = {}
    for key in _OPTIONAL_STRINGS:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise InputError(f"field \"{key}\" must be a string or null, not {_json_type(value)}",
                             src.name, f"Fix \"{key}\"")
        meta[key] = value or None
    published = _published(data.get("published"), src.name, "published")
    tlp, recipients = _marking(data, src.name)
    doc = _finish(src, stem, body.replace("\r\n", "\n"), "application/json", meta["url"], meta["title"],
                  meta["outlet"], published, decoded, warn)
    return replace(doc, tlp=tlp, recipients=recipients) if tlp else doc


def _marking(data: dict, name: str) -> tuple[str | None, tuple[str, ...]]:
    """A JSON document's own "tlp" and "recipients" (partner ids or identity ids), checked for form here;
    the pipeline reads the level and resolves the partners."""
    tlp, recipients = data.get("tlp"), data.get("recipients")
    if recipients is not None and (not isinstance(recipients, list) or not all(isinstance(r, str) for r in recipients)):
        raise InputError("field \"recipients\" must be a list of partner ids", name,
                         'Write it as ["partner-id", ...] or leave it out')
    if tlp is None:
        if recipients:
            raise InputError("field \"recipients\" needs \"tlp\": \"amber+strict\" or \"red\"", name, 'Add "tlp"')
        return None, ()
    if not isinstance(tlp, str):
        raise InputError(f"field \"tlp\" is not a TLP level: {tlp!r}", name,
                         "Use clear, green, amber, amber+strict or red")
    return tlp, tuple(recipients or ())


def _published(value: object, name: str, field: str):  # noqa: ANN202
    try:
        return parse_published(value)
    except ValueError:
        raise InputError(f"field \"{field}\" is not a date: {value!r}", name,
                         "Use YYYY-MM-DD or leave it out") from None


def _finish(src: RawSource, stem: str, text: str, media_type: str, url, title, outlet, published,  # noqa: ANN001
            decoded: Decoded, warn: Callable[[str], None] | None) -> Document:
    removed = [0, 0]

    def clean(value: str | None) -> str | None:
        if value is None:
            return None
        value, nuls, surrogates = scrub(value)
        removed[0] += nuls
        removed[1] += surrogates
        return value

    text, url, title, outlet = clean(text) or "", clean(url), clean(title), clean(outlet)
    if warn and any(removed):
        warn(InputError(f"removed {removed[0]} NUL character(s) and replaced {removed[1]} unpaired "
                        "surrogate(s) with U+FFFD", src.name, "Check where this file came from").line())
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
        encoding=decoded.encoding,
        encoding_confidence=decoded.confidence,
    )
