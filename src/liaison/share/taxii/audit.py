"""The audit log of the TAXII mount: every request under /taxii2/ (who, what, when, from where, the answer)."""

from __future__ import annotations

from typing import Any

import anyio

from liaison.share import services
from liaison.share.taxii.http import ROOT


class AuditMiddleware:
    """Records every TAXII request as it is answered.

    Plain ASGI rather than Starlette's BaseHTTPMiddleware, which costs a task and a stream per
    request. Endpoints note the partner, collection and object count on ``request.state``; the
    store is the app's (``scope["app"]``, set by Starlette before any middleware runs)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(ROOT):
            await self.app(scope, receive, send)
            return
        sharing = services.of(scope["app"]).sharing
        state = scope.setdefault("state", {})
        state.update(partner_id=None, collection_id=None, objects=0)
        recorded = [False]

        async def record(status: int) -> None:
            recorded[0] = True
            client = scope.get("client")
            query = scope.get("query_string", b"").decode("latin-1")
            path = scope["path"] + (f"?{query}" if query else "")
            await anyio.to_thread.run_sync(lambda: sharing.audit(
                None, partner_id=state["partner_id"], remote=client[0] if client else None, method=scope["method"],
                path=path, collection_id=state["collection_id"], status=status, objects=state["objects"]))

        async def sending(message: dict[str, Any]) -> None:
            # Recorded before the answer leaves: a client that got an answer can find its request in the log.
            if message["type"] == "http.response.start" and not recorded[0]:
                await record(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            if not recorded[0]:
                await record(500)
            raise
