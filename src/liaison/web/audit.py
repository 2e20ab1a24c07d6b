"""The audit log of the web UI: every page or action a user views or makes (who, what, when, from
where, the answer), in the same table as TAXII requests (the ``user_name`` column names the user).
Static files are not recorded: they tell nothing about what anyone saw. The middleware itself is
the one both mounts use (``liaison.audit``); this is what the web UI's rows hold."""

from __future__ import annotations

from typing import Any

from liaison import audit


class AuditMiddleware(audit.AuditMiddleware):
    """``deps.viewer`` notes the user on ``request.state``; TAXII paths are the TAXII mount's to record."""

    SKIP = (audit.TAXII_ROOT, "/static")

    def covers(self, path: str) -> bool:
        return not any(audit.under(path, root) for root in self.SKIP)

    def begin(self, state: dict[str, Any]) -> None:
        state.setdefault("user_name", None)

    def sharing(self, app: Any) -> Any:  # noqa: ANN401
        # The web layer sits below liaison.share: the composition root hands it the services' builder.
        return app.state.provide_services(app).sharing

    def columns(self, scope: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
        return {"partner_id": state.get("partner_id"), "user_name": state.get("user_name"),
                "method": scope["method"][:8], "collection_id": None, "objects": 0}
