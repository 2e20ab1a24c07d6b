"""`/admin/...`: sharing admin, for this installation's administrators only. Partners and their
tokens, users, collections and grants, the audit log, and "shared with" for any STIX object.

Each action is what its command does (`liaison partners|users|collections ...`), through the same
store code (``Sharing``, ``Users``), with every field checked before anything is written and each
mistake the command's one line (what, where, what to do), shown above the form it came from, which
keeps what was typed (a 4xx, never a 500). A token or one-time password is shown once, as the
command prints it once: the form that made it is answered with a redirect (POST-redirect-GET) to a
page of its own, which shows it once, uncached, and forgets it; reloading that page says it was
shown already and how to make a new one, and never makes another (see "a secret shown once").

Who may come here: an administrator. An analyst of this installation gets a 403 page saying so; a
partner's member gets exactly what an address that names nothing gives (the 404 page), whatever
the form carried, before its CSRF token is even looked at. Every form carries the session's CSRF
token (deps.checked).

"Shared with" is read from liaison.store.reading.admin, which asks the one access rule's own SQL
(liaison.store.access) for each partner's Actor: nothing here decides who may see what.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import threading
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException

from liaison.clock import now
from liaison.errors import ConfigError, LiaisonError
from liaison.naming import ALIAS, IDENTITY_ID, PARTNER_ID
from liaison.stix.ids import is_stix_id
from liaison.stix.tlp import parse_level
from liaison.store.reading import admin as reading
from liaison.store.secrets import secret as installation_secret
from liaison.store.users import NAME, SELF, BadName, NameTaken, NoSuchPartner, NoSuchUser, Users, check_name
from liaison.web.deps import Forbidden, Services, Signed, Viewer, checked
from liaison.web.render import page

router = APIRouter(include_in_schema=False)

MAX_OFFSET = 1_000_000
PAGE = 50
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
Short = Annotated[str, Form(max_length=200)]
Long = Annotated[str, Form(max_length=2000)]
NO_STORE = {"Cache-Control": "no-store"}


# ---------------------------------------------------------------- who may come here


def admin(who: Signed) -> Viewer:
    """An administrator; a partner's member is answered as for a missing page, an analyst with a 403."""
    if not who.own:
        raise HTTPException(404, "Not Found")
    if not who.admin:
        raise Forbidden("Administrators only", "Only this installation's administrators manage partners, users, "
                        "collections and grants, and read the audit log.")
    return who


async def admin_checked(request: Request, who: Annotated[Viewer, Depends(admin)]) -> Viewer:
    """An administrator, once the form's CSRF token is this session's."""
    return await checked(request, who)


Admin = Annotated[Viewer, Depends(admin)]
AdminChecked = Annotated[Viewer, Depends(admin_checked)]


def _line(what: str, where: str | None, hint: str | None) -> str:
    return LiaisonError(what, where, hint).line()


def _days(value: str, where: str = "expires in (days)") -> dt.datetime | None:
    """A token's expiry from a number of days (empty: never), as `--expires-in` reads it."""
    value = value.strip()
    if not value:
        return None
    if not re.fullmatch(r"\d{1,5}", value) or int(value) < 1:
        raise ConfigError(f"{where} must be a whole number of at least 1", f"{where} {value}", "Give 1 or more, "
                          "or leave it empty for a token that never expires")
    return now() + dt.timedelta(days=int(value))


def _partner_id(value: str) -> str:
    if not PARTNER_ID.fullmatch(value):
        raise ConfigError("a partner id is 1-64 letters, digits, '-' or '_'", value or "empty", "Choose another id")
    return value


def _plain(value: str, where: str) -> str:
    """Free text (a name, a title) without control characters, which no listing could show (and
    PostgreSQL's text cannot hold a NUL)."""
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ConfigError(f"{where} holds a control character", where, "Type it again as plain text")
    return value


def _collection(svc: Any, ref: str) -> dict[str, Any]:  # noqa: ANN401
    found = svc.sharing.collection(ref) if ALIAS.fullmatch(ref) else None
    if found is None:
        raise LiaisonError("no such collection", ref or "empty", "See the collections listed")
    return found


# ---------------------------------------------------------------- the overview


@router.get("/admin")
def overview(request: Request, who: Admin) -> Response:
    return page(request, "admin.html", who, title="Sharing admin")


# ---------------------------------------------------------------- partners and tokens


def _partners(request: Request, svc: Any, who: Viewer, offset: int = 0, status: int = 200,  # noqa: ANN401
              **context: Any) -> Response:  # noqa: ANN401
    context.setdefault("values", {})
    return page(request, "admin_partners.html", who, status, title="Partners",
                pg=reading.partners(svc.store, offset, PAGE), **context)


@router.get("/admin/partners")
def partners(request: Request, svc: Services, who: Admin, offset: Offset = 0) -> Response:
    return _partners(request, svc, who, offset)


@router.post("/admin/partners")
def partner_add(request: Request, svc: Services, who: AdminChecked, partner_id: Short = "", name: Long = "",
                identity: Short = "", expires_in: Short = "") -> Response:
    """`liaison partners add ID --name NAME [--identity ID] [--expires-in DAYS]`: its first token, once."""
    partner_id, name, identity = partner_id.strip(), name.strip(), identity.strip()
    values = {"partner_id": partner_id, "name": name, "identity": identity, "expires_in": expires_in}
    try:
        _partner_id(partner_id)
        if identity and not IDENTITY_ID.fullmatch(identity):
            raise ConfigError("not a STIX identity id", identity, "Give identity--<uuid>")
        expires = _days(expires_in)
        if not name:
            raise ConfigError("a partner needs a name", "name", "Give the organisation's name")
        _plain(name, "name")
        if identity and (owner := reading.identity_owner(svc.store, identity)) is not None:
            raise LiaisonError(f"partner {owner!r} has this STIX identity already", identity,
                               "Give the identity the organisation itself uses")
        try:
            row = svc.sharing.add_partner(partner_id, name, identity or None)
        except ValueError as exc:
            hint = ("Give the identity its own `liaison organisation` shows" if "own identity" in str(exc)
                    else "Issue a new token from the partners list")
            raise LiaisonError(str(exc), partner_id, hint) from None
        except IntegrityError:  # the identity taken at the same moment by another request
            raise LiaisonError("a partner has this STIX identity already", identity or partner_id,
                               "Give another identity") from None
    except LiaisonError as exc:
        return _partners(request, svc, who, status=400, error=exc.line(), form="add", values=values)
    token = svc.sharing.issue_token(partner_id, expires)
    return _show_once(request, svc, who, Secret(TOKEN, partner_id, token, f"Partner {partner_id} added",
                                                (f"STIX identity {row['identity_id']}",), expires))


@router.post("/admin/partners/{partner_id}/token")
def partner_token(request: Request, svc: Services, who: AdminChecked, partner_id: str, expires_in: Short = "",
                  rotate: Short = "") -> Response:
    """`liaison partners token ID [--expires-in DAYS] [--rotate]`."""
    try:
        if not PARTNER_ID.fullmatch(partner_id):
            raise LiaisonError("no such partner", partner_id, "See the partners listed")
        expires = _days(expires_in)
        try:
            token = svc.sharing.issue_token(partner_id, expires, rotate=bool(rotate))
        except KeyError:
            raise LiaisonError("no such partner", partner_id, "See the partners listed") from None
        except ValueError as exc:
            raise LiaisonError(str(exc), partner_id, "Add it again under a new id") from None
    except LiaisonError as exc:
        status = 404 if exc.what == "no such partner" else 400
        return _partners(request, svc, who, status=status, error=exc.line())
    lines = ("Its other tokens were revoked: they no longer authenticate.",) if rotate else ()
    return _show_once(request, svc, who, Secret(TOKEN, partner_id, token, f"New token for {partner_id}", lines,
                                                expires))


@router.post("/admin/partners/{partner_id}/revoke")
def partner_revoke(request: Request, svc: Services, who: AdminChecked, partner_id: str,
                   confirm: Short = "") -> Response:
    """`liaison partners revoke ID`: the partner and every token it holds stop working at once. For
    good (a revoked partner is added again under a new id), so the form asks to be sure first."""
    found = svc.sharing.partner(partner_id) if PARTNER_ID.fullmatch(partner_id) else None
    if found is None:
        return _partners(request, svc, who, status=404, error=_line("no such partner", partner_id,
                                                                    "See the partners listed"))
    if not confirm and found["revoked_at"] is None:
        return _partners(request, svc, who, status=400, error=_line(
            "a revocation cannot be undone", partner_id, "Tick 'sure' beside Revoke to revoke it"))
    if found["revoked_at"] is not None:
        return _partners(request, svc, who, done=f"partner {partner_id} was revoked already")
    svc.sharing.revoke_partner(partner_id)
    return _partners(request, svc, who, done=f"partner {partner_id} revoked")


# ---------------------------------------------------------------- users


def _users(request: Request, svc: Any, who: Viewer, offset: int = 0, status: int = 200,  # noqa: ANN401
           **context: Any) -> Response:  # noqa: ANN401
    context.setdefault("values", {})
    return page(request, "admin_users.html", who, status, title="Users", pg=reading.users(svc.store, offset, PAGE),
                partner_ids=reading.partner_ids(svc.store), **context)


@router.get("/admin/users")
def users(request: Request, svc: Services, who: Admin, offset: Offset = 0) -> Response:
    return _users(request, svc, who, offset)


@router.post("/admin/users")
def user_add(request: Request, svc: Services, who: AdminChecked, name: Short = "", org: Short = "",
             admin: Short = "") -> Response:
    """`liaison users add NAME --org PARTNER|self [--admin]`: its one-time password, once."""
    name, org = name.strip(), org.strip()
    values = {"name": name, "org": org, "admin": bool(admin)}
    found = Users(svc.store)
    try:
        try:
            check_name(name)
        except BadName as exc:
            raise ConfigError(str(exc), name or "empty", "Choose another name") from None
        if not org:
            raise ConfigError("a user needs an organisation", "organisation", "Give self or a partner's id")
        organisation = None if org == SELF else _partner_id(org)
        if admin and organisation is not None:
            raise ConfigError("an administrator belongs to this installation, not to a partner",
                              f"organisation {org}", "Give self with administrator, or leave administrator out")
        try:
            found.check_organisation(organisation)
        except NoSuchPartner:
            raise ConfigError("no such partner", f"organisation {org}",
                              "See the partners listed, or give self") from None
        try:
            made = found.add(name, organisation, bool(admin))
        except NameTaken:
            raise LiaisonError("a user has this name already", name,
                               "Choose another name, or reset its password") from None
        except NoSuchPartner:
            raise ConfigError("no such partner", f"organisation {org}", "See the partners listed") from None
    except LiaisonError as exc:
        return _users(request, svc, who, status=400, error=exc.line(), form="add", values=values)
    role = "administrator" if admin else "analyst" if organisation is None else f"member of {organisation}"
    return _show_once(request, svc, who, Secret(PASSWORD, name, made, f"User {name} added: {role}"))


@router.post("/admin/users/{name}/disable")
def user_disable(request: Request, svc: Services, who: AdminChecked, name: str, confirm: Short = "") -> Response:
    """`liaison users disable NAME`: it can no longer sign in, and its sessions end. For good (no
    command enables a user again), so the form asks to be sure first."""
    try:
        user = Users(svc.store).get(name) if NAME.fullmatch(name) else None
        if user is None:
            raise NoSuchUser(name)
        if not confirm and not user.disabled:
            return _users(request, svc, who, status=400, error=_line(
                "disabling a user cannot be undone", name, "Tick 'sure' beside Disable to disable it"))
        changed = Users(svc.store).disable(name)
    except NoSuchUser:
        return _users(request, svc, who, status=404, error=_line("no such user", name, "See the users listed"))
    return _users(request, svc, who, done=f"user {name} disabled" if changed else f"user {name} was disabled already")


@router.post("/admin/users/{name}/reset")
def user_reset(request: Request, svc: Services, who: AdminChecked, name: str) -> Response:
    """`liaison users reset NAME`: a new one-time password, once; the old one stops working."""
    store_users = Users(svc.store)
    user = store_users.get(name) if NAME.fullmatch(name) else None
    try:
        if user is None:
            raise NoSuchUser(name)
        made = store_users.reset(name)
    except NoSuchUser:
        return _users(request, svc, who, status=404, error=_line("no such user", name, "See the users listed"))
    lines = ("The old password no longer works; its sessions have ended.",)
    if user.disabled:
        lines += ("The user is disabled and still cannot sign in.",)
    return _show_once(request, svc, who, Secret(PASSWORD, name, made, f"Password of {name} replaced", lines))


# ---------------------------------------------------------------- collections and grants


def _collections(request: Request, svc: Any, who: Viewer, offset: int = 0, status: int = 200,  # noqa: ANN401
                 **context: Any) -> Response:  # noqa: ANN401
    context.setdefault("values", {})
    return page(request, "admin_collections.html", who, status, title="Collections",
                pg=reading.collections(svc.store, offset, PAGE), partner_ids=reading.partner_ids(svc.store),
                aliases=reading.collection_aliases(svc.store), **context)


@router.get("/admin/collections")
def collections(request: Request, svc: Services, who: Admin, offset: Offset = 0) -> Response:
    return _collections(request, svc, who, offset)


@router.post("/admin/collections")
def collection_add(request: Request, svc: Services, who: AdminChecked, alias: Short = "", title: Long = "",
                   description: Long = "", default_tlp: Short = "amber", public: Short = "",
                   from_store: Short = "") -> Response:
    """`liaison collections add ALIAS [--title] [--description] [--default-tlp] [--public] [--from-store]`."""
    alias, title, description = alias.strip(), title.strip(), description.strip()
    values = {"alias": alias, "title": title, "description": description, "default_tlp": default_tlp,
              "public": bool(public), "from_store": bool(from_store)}
    try:
        if not ALIAS.fullmatch(alias):
            raise ConfigError("a collection alias is 1-128 letters, digits, '-', '_' or '.'", f"alias {alias!r}",
                              "Choose another alias")
        _plain(title, "title")
        _plain(description, "description")
        try:
            level = parse_level(default_tlp)
        except ValueError as exc:
            raise ConfigError(str(exc), "default TLP", "Give one of clear, green, amber, amber+strict, red") from None
        try:
            row = svc.sharing.add_collection(alias, title or alias, description or None, level, bool(public),
                                             bool(from_store))
        except ValueError as exc:
            raise LiaisonError(str(exc), alias, "Choose another name") from None
        except IntegrityError:  # the alias taken at the same moment by another request
            raise LiaisonError(f"collection {alias!r} exists already", alias, "Choose another name") from None
    except LiaisonError as exc:
        return _collections(request, svc, who, status=400, error=exc.line(), form="add", values=values)
    done = f"collection {alias} added: id {row['id']}"
    if from_store:
        n = svc.sharing.sync_from_store(svc.sharing.collection(row["id"]))
        done += f"; {n} STIX objects from the store added"
    return _collections(request, svc, who, done=done)


@router.post("/admin/grants")
def grant(request: Request, svc: Services, who: AdminChecked, collection: Short = "", partner: Short = "",
          read: Short = "", write: Short = "") -> Response:
    """`liaison collections grant ALIAS PARTNER [--write] [--no-read]` (neither right: a revoke)."""
    collection, partner = collection.strip(), partner.strip()
    values = {"collection": collection, "partner": partner, "read": bool(read), "write": bool(write)}
    try:
        col = _collection(svc, collection)
        if not partner:
            raise ConfigError("a grant needs a partner", "partner", "Give a partner's id")
        if not PARTNER_ID.fullmatch(partner):
            raise LiaisonError("no such partner", partner, "See the partners listed")
        try:
            svc.sharing.grant(col["id"], partner, bool(read), bool(write))
        except KeyError:
            raise LiaisonError("no such partner", partner, "See the partners listed") from None
    except LiaisonError as exc:
        return _collections(request, svc, who, status=400, error=exc.line(), form="grant", values=values)
    rights = " and ".join(x for x, on in (("read", read), ("write", write)) if on) or "nothing"
    return _collections(request, svc, who, done=f"{partner} may {rights} {col['alias']}")


@router.post("/admin/grants/revoke")
def grant_revoke(request: Request, svc: Services, who: AdminChecked, collection: Short = "",
                 partner: Short = "") -> Response:
    """`liaison collections revoke ALIAS PARTNER`."""
    collection, partner = collection.strip(), partner.strip()
    try:
        col = _collection(svc, collection)
        if not PARTNER_ID.fullmatch(partner):
            raise LiaisonError("no such partner", partner or "empty", "See the partners listed")
        try:
            svc.sharing.grant(col["id"], partner, False, False)
        except KeyError:
            raise LiaisonError("no such partner", partner or "empty", "See the partners listed") from None
    except LiaisonError as exc:
        return _collections(request, svc, who, status=400, error=exc.line(), form="revoke",
                            values={"collection": collection, "partner": partner})
    return _collections(request, svc, who, done=f"{partner} may no longer use {col['alias']}")


# ---------------------------------------------------------------- a secret shown once
#
# The form that makes a token or a one-time password is answered with a 303 to a page of its own,
# /admin/shown/KIND/NONCE, so that reloading the answer never posts the form again. The secret
# travels to that page in a cookie scoped to its one address (HttpOnly, SameSite=Strict, Secure as
# the session's), signed with the web session's key under a salt of its own, bound to this session
# and good for SHOWN_S seconds: nothing about it is kept on the server (any server process of the
# store shows it), and it is never in an address, so never in the audit log. The page shows it once
# with Cache-Control: no-store and deletes the cookie; a reload finds no cookie (or a nonce this
# process showed already) and says the secret was shown and how to make a new one.

TOKEN, PASSWORD = "token", "password"
SHOWN_COOKIE = "liaison_shown"
SHOWN_S = 300
_SHOWN_SALT = "liaison-admin-shown"
_NONCE = re.compile(r"[A-Za-z0-9_-]{22}")


@dataclass(frozen=True)
class Secret:
    """A token (of a partner) or one-time password (of a user) just made, and what its page says."""

    kind: str  # TOKEN or PASSWORD
    of: str  # the partner's id or the user's name
    value: str
    heading: str
    lines: tuple[str, ...] = ()
    expires: dt.datetime | None = None


class _Spent:
    """The nonces this process has shown, until their cookies expire: a cookie replayed after its
    page deleted it shows nothing either (another process relies on the deletion alone)."""

    def __init__(self) -> None:
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def take(self, nonce: str) -> bool:
        """True the first time ``nonce`` is taken."""
        t = now().timestamp()
        with self._lock:
            self._until = {n: u for n, u in self._until.items() if u > t}
            if nonce in self._until:
                return False
            self._until[nonce] = t + SHOWN_S
            return True


_SPENT = _Spent()


def _serializer(request: Request, svc: Any) -> URLSafeTimedSerializer:  # noqa: ANN401
    found = getattr(request.app.state, "admin_shown", None)
    if found is None:
        found = request.app.state.admin_shown = URLSafeTimedSerializer(
            installation_secret(svc.store, "web_session"), salt=_SHOWN_SALT)
    return found


def _binding(who: Viewer) -> str:
    """What ties a shown-once cookie to the session that made it (a digest: the CSRF token stays unsaid)."""
    return hashlib.sha256(b"liaison-shown:" + who.csrf.encode()).hexdigest()


def _shown_cookie(response: Response, svc: Any, where: str, value: str | None) -> None:  # noqa: ANN401
    """Set (``value``) or delete (None) the shown-once cookie of the page at ``where``."""
    secure = bool(svc.settings.secure_cookies)
    if value is None:
        response.delete_cookie(SHOWN_COOKIE, path=where, httponly=True, samesite="strict", secure=secure)
    else:
        response.set_cookie(SHOWN_COOKIE, value, max_age=SHOWN_S, path=where, httponly=True, samesite="strict",
                            secure=secure)


def _show_once(request: Request, svc: Any, who: Viewer, made: Secret) -> Response:  # noqa: ANN401
    """The answer to a form that made a secret: a 303 to the page that shows it once."""
    nonce = secrets.token_urlsafe(16)
    where = f"/admin/shown/{made.kind}/{nonce}"
    value = _serializer(request, svc).dumps({
        "n": nonce, "b": _binding(who), "k": made.kind, "o": made.of, "v": made.value, "h": made.heading,
        "l": list(made.lines), "e": made.expires.isoformat() if made.expires else None})
    response = RedirectResponse(where, status_code=303, headers=NO_STORE)
    _shown_cookie(response, svc, where, value)
    return response


def _taken(request: Request, svc: Any, who: Viewer, kind: str, nonce: str) -> Secret | None:  # noqa: ANN401
    """The secret the cookie brought to this page, the first time it is shown; None after that."""
    try:
        data = _serializer(request, svc).loads(request.cookies.get(SHOWN_COOKIE, ""), max_age=SHOWN_S)
    except BadSignature:  # none, forged, or expired (SignatureExpired is one)
        return None
    if not (isinstance(data, dict) and data.get("n") == nonce and data.get("k") == kind
            and isinstance(data.get("b"), str) and hmac.compare_digest(data["b"], _binding(who))):
        return None
    if not _SPENT.take(nonce):
        return None
    expires = dt.datetime.fromisoformat(data["e"]) if data.get("e") else None
    return Secret(kind, str(data["o"]), str(data["v"]), str(data["h"]), tuple(map(str, data["l"])), expires)


@router.get("/admin/shown/{kind}/{nonce}")
def shown(request: Request, svc: Services, who: Admin, kind: str, nonce: str) -> Response:
    """The token or one-time password a form just made, once; then that it was shown already."""
    if kind not in (TOKEN, PASSWORD) or not _NONCE.fullmatch(nonce):
        raise HTTPException(404, "Not Found")
    made = _taken(request, svc, who, kind, nonce)
    if made is None:
        response = page(request, "admin_secret.html", who, 410, title="Shown already", heading="Shown already",
                        lines=[], kind=kind, of=None, secret=None, expires=None)
    else:
        response = page(request, "admin_secret.html", who, title=made.heading, heading=made.heading,
                        lines=list(made.lines), kind=kind, of=made.of, secret=made.value, expires=made.expires)
    response.headers.update(NO_STORE)
    _shown_cookie(response, svc, f"/admin/shown/{kind}/{nonce}", None)
    return response


# ---------------------------------------------------------------- the audit log


@router.get("/admin/audit")
def audit(request: Request, svc: Services, who: Admin, partner: Annotated[str, Query(max_length=200)] = "",
          user: Annotated[str, Query(max_length=200)] = "", since: Annotated[str, Query(max_length=200)] = "",
          before: Annotated[int | None, Query(ge=1, le=2**62)] = None) -> Response:
    """`liaison audit [--partner ID] [--since DATE]`, newest first, a page at a time (keyset: ``before``)."""
    partner, user, since = partner.strip(), user.strip(), since.strip()
    values = {"partner": partner, "user": user, "since": since}
    error, since_t = "", None
    try:
        if partner:
            _partner_id(partner)
        if user:
            try:
                check_name(user)
            except BadName as exc:
                raise ConfigError(str(exc), user, "Give a user's name") from None
        if since:
            try:
                since_t = dt.datetime.combine(dt.date.fromisoformat(since), dt.time(), tzinfo=dt.UTC)
            except ValueError:
                raise ConfigError(f"not a date: {since!r}", "since", "Use YYYY-MM-DD") from None
    except LiaisonError as exc:
        error = exc.line()
    found = None if error else reading.audit(svc.store, partner or None, user or None, since_t, before, PAGE)
    keep = {k: v for k, v in values.items() if v}
    return page(request, "admin_audit.html", who, 400 if error else 200, title="Audit log", found=found,
                values=values, keep=keep, error=error)


# ---------------------------------------------------------------- shared with


@router.get("/admin/shared")
def shared(request: Request, svc: Services, who: Admin, object: Annotated[str | None, Query(max_length=300)] = None,  # noqa: A002
           offset: Offset = 0) -> Response:
    """Which collections hold a STIX object and which partners TAXII serves it to, and why."""
    if object is None:
        return page(request, "admin_shared.html", who, title="Shared with", found=None, object_id="", error="")
    object_id = object.strip()
    error, status, found = "", 200, None
    if not object_id:
        error, status = _line("give a STIX object id", "object", "Copy it from a document's STIX objects"), 400
    elif not is_stix_id(object_id):
        error, status = _line("not a STIX id", object_id, "Give type--uuid, as a document's STIX objects show it"), 400
    else:
        found = reading.shared_with(svc.store, object_id, offset, PAGE)
        if found is None:
            error, status = _line("no such STIX object", object_id, "Neither the store nor any collection holds it; "
                                  "check the id"), 404
    return page(request, "admin_shared.html", who, status, title=f"Shared with: {object_id}" if found else "Shared with",
                found=found, object_id=object_id, error=error)
