"""The audit log of the web UI: every page or action a user views or makes (who, what, when, from
where, the answer), in the same table as TAXII requests (the ``user_name`` column names the user).
Static files are not recorded: they tell nothing about what anyone saw."""

from __future__ import annotations

from typing import Any

import anyio


class AuditMiddleware:
    """Plain ASGI, as the TAXII mount's: ``deps.viewer`` notes the user on ``request.state``."""

    SKIP = ("/taxii2/", "/static/")

    def __init__(self, app: Any) -> None:  # noqa: ANN401
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:  # noqa: ANN401
        if scope["type"] != "http" or scope["path"].startswith(self.SKIP):
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state.setdefault("user_name", None)
        recorded = [False]

        async def record(status: int) -> None:
            recorded[0] = True
            sharing = scope["app"].state.provide_services(scope["app"]).sharing
            client = scope.get("client")
            query = scope.get("query_string", b"").decode("latin-1")
            path = scope["path"] + (f"?{query}" if query else "")
            await anyio.to_thread.run_sync(lambda: sharing.audit(
                None, partner_id=state.get("partner_id"), user_name=state.get("user_name"),
                remote=client[0] if client else None, method=scope["method"][:8], path=path, collection_id=None,
                status=status, objects=0))

        async def sending(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and not recorded[0]:
                await record(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            if not recorded[0]:
                await record(500)
            raise
