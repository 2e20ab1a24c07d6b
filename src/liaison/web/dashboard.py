"""`/`: the dashboard. What the viewer may see, counted; the latest documents; what changed since
their last visit."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from liaison.store.reading import dashboard
from liaison.web.deps import Services, Signed
from liaison.web.render import page

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request, svc: Services, who: Signed) -> Response:
    store, actor = svc.store, who.actor
    return page(request, "dashboard.html", who, counts=dashboard.counts(store, actor),
                latest=dashboard.latest_documents(store, actor),
                since=who.user.last_visit_at, changed=dashboard.changed_since(store, actor, who.user.last_visit_at))
