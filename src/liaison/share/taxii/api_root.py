"""GET /taxii2/api/: the one API root."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from liaison.share.services import Deps
from liaison.share.taxii.http import API, TAXII, taxii_json
from liaison.share.taxii.who import Who, may_enter

router = APIRouter()


@router.get(f"{API}/", summary="API root information")
def api_root(who: Who, svc: Deps) -> Response:
    may_enter(svc, who)
    return taxii_json({"title": f"{svc.settings.title} API root", "versions": [TAXII],
                       "max_content_length": svc.settings.max_content_length})
