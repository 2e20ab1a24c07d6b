"""The TAXII 2.1 API under /taxii2/: one router, a module per resource (as OASIS medallion's views
are): discovery, api_root, collections, objects (objects, manifest, versions), status.

``mount`` adds it to the composition root (liaison.share.app) with what belongs to this mount
alone: its error format (TAXII error resources, for every path under /taxii2/), its audit log,
and content negotiation (in ``who.actor``, which every endpoint depends on)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from liaison.share import errors
from liaison.share.taxii import api_root, collections, discovery, objects, status
from liaison.share.taxii.audit import AuditMiddleware
from liaison.share.taxii.http import API, ROOT, STIX, TAXII, TaxiiError, error

__all__ = ["API", "ROOT", "STIX", "TAXII", "TaxiiError", "mount", "router"]

router = APIRouter()
for _module in (discovery, api_root, status, collections, objects):
    router.include_router(_module.router)


def mount(app: FastAPI) -> None:
    app.include_router(router)
    errors.register(app, ROOT, error)
    app.add_middleware(AuditMiddleware)
