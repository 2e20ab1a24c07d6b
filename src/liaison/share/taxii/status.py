"""GET /taxii2/api/status/{id}/: a POST's status, for the partner that posted it."""

from __future__ import annotations

import json

from fastapi import APIRouter
from fastapi.responses import Response

from liaison.share.services import Deps
from liaison.share.taxii.http import API, TaxiiError, taxii_json
from liaison.share.taxii.who import Who
from liaison.store import access

router = APIRouter()


@router.get(f"{API}/status/{{status_id}}/", summary="A POST's status")
def get_status(status_id: str, who: Who, svc: Deps) -> Response:
    st = svc.sharing.status(status_id)
    if st is None or not access.may_read_status(who, st["partner_id"]):
        raise TaxiiError(404, "No such status")
    details = json.loads(st["details"])
    return taxii_json({"id": st["id"], "status": "complete", "request_timestamp": st["request_timestamp"],
                       "total_count": st["total_count"], "success_count": st["success_count"],
                       "failure_count": st["failure_count"], "pending_count": 0, **details})
