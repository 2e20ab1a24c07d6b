"""The audit log of the TAXII mount: every request under /taxii2/ (who, what, when, from where, the
answer, and the collection and how many objects it named). The middleware itself is the one both
mounts use (``liaison.audit``); this is what the TAXII mount's rows hold."""

from __future__ import annotations

from typing import Any

from liaison import audit
from liaison.share import services
from liaison.share.taxii.http import ROOT


class AuditMiddleware(audit.AuditMiddleware):
    """Endpoints note the partner, collection and object count on ``request.state``."""

    def covers(self, path: str) -> bool:
        return audit.under(path, ROOT)

    def begin(self, state: dict[str, Any]) -> None:
        state.update(partner_id=None, collection_id=None, objects=0)

    def sharing(self, app: Any) -> Any:  # noqa: ANN401
        return services.of(app).sharing

    def columns(self, scope: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
        return {"partner_id": state["partner_id"], "method": scope["method"],
                "collection_id": state["collection_id"], "objects": state["objects"]}
