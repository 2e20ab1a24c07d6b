"""GET /taxii2/: server discovery."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from liaison.share.services import Deps
from liaison.share.taxii.http import API, ROOT, taxii_json
from liaison.share.taxii.who import Who, may_enter

router = APIRouter()


@router.get(f"{ROOT}/", summary="Server discovery")
def discovery(request: Request, who: Who, svc: Deps) -> Response:
    may_enter(svc, who)
    root = f"{str(request.base_url).rstrip('/')}{API}/"
    return taxii_json({"title": svc.settings.title, "description": "Liaison: sourced intelligence from open reporting",
                       "default": root, "api_roots": [root]})
