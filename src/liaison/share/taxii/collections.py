"""GET /taxii2/api/collections/ and one collection: only those the partner may read or write."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from liaison.share.services import Deps
from liaison.share.taxii.http import API, STIX, taxii_json
from liaison.share.taxii.who import Who, authentication_required, collection_for
from liaison.stix.tlp import MARKING_IDS

router = APIRouter()


def resource(col: dict[str, Any], can_read: bool, can_write: bool) -> dict[str, Any]:
    level = col["default_tlp"]
    default = (f"Objects that carry no TLP marking are served marked TLP:{level.upper()}, this collection's "
               "default.")
    return {"id": col["id"], "title": col["title"], "alias": col["alias"], "can_read": can_read,
            "can_write": can_write, "media_types": [STIX],
            "description": f"{col['description']} {default}" if col.get("description") else default,
            # TAXII 2.1 allows custom properties; these say the default to a program, not only a person.
            "x_liaison_default_tlp": f"TLP:{level.upper()}", "x_liaison_default_marking_ref": MARKING_IDS[level]}


@router.get(f"{API}/collections/", summary="Collections this partner may read or write")
def list_collections(who: Who, svc: Deps) -> Response:
    found = svc.sharing.readable_collections(who)
    if not found and not svc.sharing.may_enter(who):
        raise authentication_required()
    return taxii_json({"collections": [resource(c, a.can_read, a.can_write) for c, a in found]})


@router.get(f"{API}/collections/{{collection_id}}/", summary="One collection")
def get_collection(request: Request, collection_id: str, who: Who, svc: Deps) -> Response:
    col, acc = collection_for(svc, request, who, collection_id, read=False)
    return taxii_json(resource(col, acc.can_read, acc.can_write))
