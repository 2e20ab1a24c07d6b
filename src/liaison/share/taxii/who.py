"""Who a TAXII request comes from (content negotiation first), and its access to a collection.

Every endpoint depends on ``actor``; what the actor may do is asked of the store's one access
rule (liaison.store.access), never decided here: this module only turns its answers into TAXII's
status codes (401 to an anonymous client, 404 where a collection may not be used at all, so its
existence does not leak, 403 where the right the endpoint needs is missing)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from fastapi import Depends, Request

from liaison.share.services import Deps, Services
from liaison.share.taxii.http import TAXII, UNAUTHORIZED, TaxiiError, acceptable
from liaison.store.access import ANONYMOUS, Access, Actor


def actor(request: Request, svc: Deps) -> Actor:
    """The partner member behind the request's credentials (Basic or Bearer), or anonymous without any."""
    if not acceptable(request.headers.get("accept")):
        raise TaxiiError(406, "Not acceptable", f"This server answers with {TAXII}")
    header = request.headers.get("authorization")
    if not header:
        return ANONYMOUS
    scheme, _, value = header.partition(" ")
    found = None
    if scheme.lower() == "bearer":
        found = svc.sharing.authenticate(value.strip())
    elif scheme.lower() == "basic":
        try:
            user, _, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            user, password = "", ""
        found = svc.sharing.authenticate(password, partner_hint=user) if password else None
    if found is None:
        raise TaxiiError(401, "Bad credentials", "The token is unknown, revoked or expired", UNAUTHORIZED)
    request.state.partner_id = found.partner_id
    return found


Who = Annotated[Actor, Depends(actor)]


def authentication_required() -> TaxiiError:
    return TaxiiError(401, "Authentication required", "Send a partner token", UNAUTHORIZED)


def may_enter(svc: Services, who: Actor) -> None:
    if not svc.sharing.may_enter(who):
        raise authentication_required()


def collection_for(svc: Services, request: Request, who: Actor, collection_id: str, write: bool = False,
                   read: bool = True) -> tuple[dict[str, Any], Access]:
    """The collection and the actor's rights on it, or the TAXII refusal for the right it lacks."""
    col, acc = svc.sharing.collection_access(who, collection_id)
    if col is None or not acc.any:
        if who.anonymous:
            raise authentication_required()
        raise TaxiiError(404, "No such collection", f"No collection {collection_id} for this partner")
    request.state.collection_id = col["id"]
    if write and not acc.can_write:
        raise TaxiiError(403, "No write access", "This partner may not add to or delete from this collection")
    if read and not write and not acc.can_read:
        raise TaxiiError(403, "No read access", "This partner may not read this collection")
    return col, acc
