"""The TAXII 2.1 wire format: media types, JSON answers written as bytes, error resources, content
negotiation, and the envelope and headers of a page of objects."""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import Response

from liaison.audit import TAXII_ROOT
from liaison.share.errors import Refusal

TAXII = "application/taxii+json;version=2.1"
STIX = "application/stix+json;version=2.1"
ROOT = TAXII_ROOT
API = f"{ROOT}/api"
UNAUTHORIZED = {"WWW-Authenticate": 'Basic realm="liaison", Bearer realm="liaison"'}


class TaxiiError(Refusal):
    """A TAXII request refused: answered as a TAXII error resource."""


def taxii_json(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body, separators=(",", ":")).encode(), status_code=status, media_type=TAXII,
                    headers=headers)


def error(status: int, title: str, description: str = "", headers: dict[str, str] | None = None) -> Response:
    """A TAXII error resource (the error format of this mount)."""
    body = {"title": title, "http_status": str(status)}
    if description:
        body["description"] = description
    return taxii_json(body, status, headers)


def acceptable(accept: str | None) -> bool:
    """Whether an Accept header allows TAXII 2.1 JSON (absent, */*, application/*, or the TAXII type)."""
    if not accept:
        return True
    for part in accept.split(","):
        fields = [f.strip().lower() for f in part.split(";")]
        media, params = fields[0], [f.replace(" ", "") for f in fields[1:] if not f.startswith("q=")]
        if media in ("*/*", "application/*"):
            return True
        if media == "application/taxii+json" and all(p in ("version=2.1",) for p in params):
            return True
    return False


def split(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def page_headers(rows: list[Any]) -> dict[str, str]:
    """X-TAXII-Date-Added-First/Last, from the page's own rows (none for an empty page)."""
    if not rows:
        return {}
    added = [r.date_added for r in rows]
    return {"X-TAXII-Date-Added-First": min(added), "X-TAXII-Date-Added-Last": max(added)}


def envelope(rows: list[Any], more: bool) -> Response:
    """A page of objects, written from their stored JSON text: parsing and re-serialising every
    object would cost more than the query."""
    head = b'{"more":' + (b"true" if more else b"false")
    if more:
        head += b',"next":"' + str(rows[-1].seq).encode() + b'"'
    if rows:
        head += b',"objects":[' + ",".join(r.object for r in rows).encode() + b"]"
    return Response(head + b"}", media_type=TAXII, headers=page_headers(rows))
