"""A collection's objects: get and add them, one object, delete it, its versions, and the manifest.

Every read is ``Sharing.query``, built on the store's access rule, so each answer (and its paging
and headers) comes from rows the actor may see; an object it may not see is answered like a
missing one."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.exc import IntegrityError

from liaison.clock import now, stamp
from liaison.share.services import Deps, Services
from liaison.share.taxii.filters import Filters, list_filters, object_filters, page_filters, versions
from liaison.share.taxii.http import API, STIX, TAXII, TaxiiError, envelope, page_headers, split, taxii_json
from liaison.share.taxii.who import Who, collection_for
from liaison.store.access import Actor

router = APIRouter()
OBJECTS = f"{API}/collections/{{collection_id}}/objects/"
ONE = f"{OBJECTS}{{object_id}}/"


def _missing(object_id: str) -> TaxiiError:
    return TaxiiError(404, "No such object", f"No object {object_id} in this collection for this partner")


@router.get(OBJECTS, summary="Objects of a collection")
def get_objects(request: Request, collection_id: str, who: Who, filters: Annotated[Filters, Depends(list_filters)],
                svc: Deps) -> Response:
    col, _ = collection_for(svc, request, who, collection_id)
    rows, more = svc.sharing.query(who, col["id"], **asdict(filters))
    request.state.objects = len(rows)
    return envelope(rows, more)


ENVELOPE_BODY = {"requestBody": {"required": True, "content": {TAXII: {"schema": {
    "type": "object", "required": ["objects"],
    "properties": {"objects": {"type": "array", "items": {"type": "object"}}}}}}}}


@router.post(OBJECTS, status_code=202, summary="Add objects", openapi_extra=ENVELOPE_BODY)
async def add_objects(request: Request, collection_id: str, who: Who, svc: Deps) -> Response:
    ctype = (request.headers.get("content-type") or "").replace(" ", "").lower()
    if ctype.split(";")[0] != "application/taxii+json" or ctype not in (
            "application/taxii+json;version=2.1", "application/taxii+json"):
        raise TaxiiError(415, "Unsupported media type", f"Send {TAXII}")
    limit = svc.settings.max_content_length
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise TaxiiError(413, "Request too large", f"max_content_length is {limit} bytes")
    col = await anyio.to_thread.run_sync(lambda: collection_for(svc, request, who, collection_id, write=True)[0])
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise TaxiiError(413, "Request too large", f"max_content_length is {limit} bytes")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise TaxiiError(400, "Malformed JSON", "The body is not a JSON document") from None
    if not isinstance(data, dict) or not isinstance(data.get("objects"), list):
        raise TaxiiError(400, "Not an envelope", 'The body must be a TAXII envelope: {"objects": [...]}')
    return await anyio.to_thread.run_sync(lambda: _store_objects(svc, request, who, col, data["objects"]))


def _store_objects(svc: Services, request: Request, who: Actor, col: dict[str, Any], objects: list[Any]) -> Response:
    """Check each object, then store the valid ones and the status in one transaction."""
    requested = stamp(now())
    checked = svc.checker.check(objects, who, col["default_tlp"], svc.own)
    items = [dict(c, origin=f"partner:{who.partner_id}") for ok, c in checked if ok]
    failures = [c for ok, c in checked if not ok]
    status_id = str(uuid.uuid4())
    for attempt in range(3):
        try:
            with svc.store.writing() as conn:
                added = svc.sharing.add_objects(conn, col, items)
                successes = [{"id": i["id"], "version": i["version"], "date_added": a}
                             if a else {"id": i["id"], "version": i["version"], "message": "already present"}
                             for i, a in zip(items, added, strict=True)]
                status = {"id": status_id, "request_timestamp": requested, "total_count": len(objects),
                          "success_count": len(successes), "failure_count": len(failures)}
                details = {"successes": successes, "failures": failures, "pendings": []}
                svc.sharing.save_status(conn, status, col["id"], who.partner_id, json.dumps(details))
            break
        except IntegrityError:
            if attempt == 2:
                raise
    request.state.objects = len(items)
    return taxii_json({**status, "status": "complete", "pending_count": 0,
                       **{k: v for k, v in details.items() if v}}, 202)


@router.get(ONE, summary="One object")
def get_object(request: Request, collection_id: str, object_id: str, who: Who,
               filters: Annotated[Filters, Depends(object_filters)], svc: Deps) -> Response:
    col, _ = collection_for(svc, request, who, collection_id)
    rows, more = svc.sharing.query(who, col["id"], **dict(asdict(filters), ids=[object_id]))
    if not rows and filters.first_page:
        raise _missing(object_id)
    request.state.objects = len(rows)
    return envelope(rows, more)


@router.delete(ONE, summary="Delete an object")
def delete_object(
    request: Request,
    collection_id: str,
    object_id: str,
    who: Who,
    svc: Deps,
    match_version: Annotated[str | None, Query(alias="match[version]")] = None,
    match_spec_version: Annotated[str | None, Query(alias="match[spec_version]")] = None,
) -> Response:
    col, _ = collection_for(svc, request, who, collection_id, write=True)
    done = svc.sharing.delete_object(who, col["id"], object_id, versions(match_version) or ["all"],
                                     split(match_spec_version))
    if not done:
        raise _missing(object_id)
    request.state.objects = done
    return Response(status_code=200, media_type=TAXII)


@router.get(f"{ONE}versions/", summary="Versions of an object")
def get_versions(request: Request, collection_id: str, object_id: str, who: Who,
                 filters: Annotated[Filters, Depends(page_filters)], svc: Deps) -> Response:
    col, _ = collection_for(svc, request, who, collection_id)
    rows, more = svc.sharing.query(who, col["id"], **dict(asdict(filters), ids=[object_id], versions=["all"]),
                                   with_object=False)
    if not rows and filters.first_page:
        raise _missing(object_id)
    body: dict[str, Any] = {"more": more, "versions": sorted(r.version for r in rows)}
    if more:
        body["next"] = str(rows[-1].seq)
    return taxii_json(body, headers=page_headers(rows))


@router.get(f"{API}/collections/{{collection_id}}/manifest/", summary="Manifest of a collection")
def get_manifest(request: Request, collection_id: str, who: Who, filters: Annotated[Filters, Depends(list_filters)],
                 svc: Deps) -> Response:
    col, _ = collection_for(svc, request, who, collection_id)
    rows, more = svc.sharing.query(who, col["id"], **asdict(filters), with_object=False)
    body: dict[str, Any] = {"more": more}
    if more:
        body["next"] = str(rows[-1].seq)
    if rows:
        body["objects"] = [{"id": r.object_id, "date_added": r.date_added, "version": r.version,
                            "media_type": STIX} for r in rows]
    request.state.objects = len(rows)
    return taxii_json(body, headers=page_headers(rows))
