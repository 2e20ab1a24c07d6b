"""The one audit middleware both mounts use: every request they answer is a row of the ``audit``
table (who, what, when, from where, the answer), written before the answer leaves.

It stands outside the layers (as ``liaison.clock`` does) and imports nothing of liaison's, so that
the web UI (below ``liaison.share`` in the layers) and the TAXII mount (in it) can both build on it.
What differs between them is each mount's own: which paths it records, what its endpoints note on
``request.state`` and how those notes become columns, and how it reaches the sharing tables
(``liaison.web.audit``, ``liaison.share.taxii.audit``)."""

from __future__ import annotations

from typing import Any

import anyio

#: Where the TAXII mount lives: its paths are its own to record, the web UI's the rest.
TAXII_ROOT = "/taxii2"


def under(path: str, root: str) -> bool:
    """Whether ``path`` is ``root`` or below it ("/taxii2", "/taxii2/..."; not "/taxii2x")."""
    return path == root or path.startswith(root + "/")


class AuditMiddleware:
    """Records each request it ``covers`` as it is answered: once, at the start of the answer, or as
    a 500 when the app raised before answering.

    Plain ASGI rather than Starlette's BaseHTTPMiddleware, which costs a task and a stream per
    request. The app is ``scope["app"]``, set by Starlette before any middleware runs."""

    def __init__(self, app: Any) -> None:  # noqa: ANN401
        self.app = app

    # ------------------------------------------------------------ what a mount decides
    def covers(self, path: str) -> bool:
        """Whether a request for ``path`` is this mount's to record."""
        raise NotImplementedError

    def begin(self, state: dict[str, Any]) -> None:
        """Set what the endpoints note on ``request.state`` before they run."""

    def sharing(self, app: Any) -> Any:  # noqa: ANN401
        """The sharing tables (``liaison.store.sharing.Sharing``) of ``app``."""
        raise NotImplementedError

    def columns(self, scope: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
        """The mount's columns of the row: ``method``, ``partner_id``, ``collection_id``, ``objects``
        and, where it knows one, ``user_name``."""
        raise NotImplementedError

    # ------------------------------------------------------------ the same for both
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:  # noqa: ANN401
        if scope["type"] != "http" or not self.covers(scope["path"]):
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        self.begin(state)
        recorded = [False]

        async def record(status: int) -> None:
            recorded[0] = True
            sharing = self.sharing(scope["app"])
            client = scope.get("client")
            query = scope.get("query_string", b"").decode("latin-1")
            path = scope["path"] + (f"?{query}" if query else "")
            columns = self.columns(scope, state)
            await anyio.to_thread.run_sync(lambda: sharing.audit(
                None, remote=client[0] if client else None, path=path, status=status, **columns))

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
