"""The ASGI app: the TAXII 2.1 API under /taxii2/ (the web UI will live at /).

One FastAPI app, so the API has an OpenAPI description (at /openapi.json) that schemathesis
and partners' tooling can read. Responses are written as bytes from the stored JSON text of
each object: parsing and re-serialising every object would cost more than the query.
`liaison serve` runs it under uvicorn with as many worker processes as configured.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from typing import Annotated, Any

import anyio
from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from liaison import __version__
from liaison.clock import normalise_timestamp, now, stamp
from liaison.settings import Settings
from liaison.share.objects import Checker
from liaison.stix.tlp import MARKING_IDS
from liaison.store import access, open_store
from liaison.store.access import ANONYMOUS, Access, Actor
from liaison.store.sharing import Sharing

TAXII = "application/taxii+json;version=2.1"
STIX = "application/stix+json;version=2.1"
ROOT = "/taxii2"
API = f"{ROOT}/api"


class TaxiiError(Exception):
    def __init__(self, status: int, title: str, description: str = "", headers: dict[str, str] | None = None) -> None:
        super().__init__(title)
        self.status, self.title, self.description, self.headers = status, title, description, headers or {}


def _json(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body, separators=(",", ":")).encode(), status_code=status, media_type=TAXII,
                    headers=headers)


def _error(status: int, title: str, description: str = "", headers: dict[str, str] | None = None) -> Response:
    body = {"title": title, "http_status": str(status)}
    if description:
        body["description"] = description
    return _json(body, status, headers)


def _acceptable(accept: str | None) -> bool:
    """Whether an Accept header allows TAXII 2.1 JSON (absent, */*, application/*, or the TAXII type)."""
    if not accept:
        return True
    for part in accept.split(","):
        fields = [f.strip().lower() for f in part.split(";")]
        media, params = fields[0], [f.replace(" ", "") for f in fields[1:] if not f.startswith("q=")]
        if media in ("*/*", "application/*"):
            return True
        if media == "application/taxii+json" and all(p in ("version=2.1",) for p in params):
            return True
    return False


def _split(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


UNAUTHORIZED = {"WWW-Authenticate": 'Basic realm="liaison", Bearer realm="liaison"'}


def reader(request: Request) -> Actor:
    """The partner behind the request's credentials (Basic or Bearer), or anonymous without any.

    Also where content negotiation happens, since every endpoint depends on it."""
    if not _acceptable(request.headers.get("accept")):
        raise TaxiiError(406, "Not acceptable", f"This server answers with {TAXII}")
    header = request.headers.get("authorization")
    if not header:
        return ANONYMOUS
    sharing: Sharing = request.app.state.sharing
    scheme, _, value = header.partition(" ")
    found = None
    if scheme.lower() == "bearer":
        found = sharing.authenticate(value.strip())
    elif scheme.lower() == "basic":
        try:
            user, _, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            user, password = "", ""
        found = sharing.authenticate(password, partner_hint=user) if password else None
    if found is None:
        raise TaxiiError(401, "Bad credentials", "The token is unknown, revoked or expired", UNAUTHORIZED)
    request.state.partner_id = found.partner_id
    return found


Who = Annotated[Actor, Depends(reader)]


def _page_limit(limit: int | None, page_size: int) -> int:
    if limit is not None and limit < 1:
        raise TaxiiError(400, "Bad limit", "limit must be a positive integer")
    return min(limit or page_size, page_size)


def _cursor(next_: str | None) -> int | None:
    if next_ is None or next_ == "":
        return None
    if not next_.isdigit():
        raise TaxiiError(400, "Bad next", "next must be a value this server returned")
    return int(next_)


def _timestamp(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    try:
        return normalise_timestamp(value)
    except ValueError:
        raise TaxiiError(400, f"Bad {name}", f"{name} must be an RFC 3339 timestamp") from None


def _versions(value: str | None) -> list[str] | None:
    out = [v if v in ("first", "last", "all") else _timestamp(v, "match[version]") for v in _split(value) or []]
    return out or None


@dataclass
class Filters:
    """A request's TAXII filters, parsed and checked: the keyword arguments of Sharing.query."""

    limit: int
    after_seq: int | None
    added_after: str | None
    spec_versions: list[str] | None
    versions: list[str] | None = None
    ids: list[str] | None = None
    types: list[str] | None = None

    @property
    def first_page(self) -> bool:
        return self.after_seq is None and self.added_after is None


def page_filters(
    request: Request,
    limit: int | None = None,
    next_: Annotated[str | None, Query(alias="next")] = None,
    added_after: str | None = None,
    match_spec_version: Annotated[str | None, Query(alias="match[spec_version]")] = None,
) -> Filters:
    """What every paged endpoint takes (versions of an object: these alone)."""
    return Filters(_page_limit(limit, request.app.state.settings.page_size), _cursor(next_),
                   _timestamp(added_after, "added_after"), _split(match_spec_version))


def object_filters(
    page: Annotated[Filters, Depends(page_filters)],
    match_version: Annotated[str | None, Query(alias="match[version]")] = None,
) -> Filters:
    """Get an object: paging plus match[version]."""
    page.versions = _versions(match_version)
    return page


def list_filters(
    page: Annotated[Filters, Depends(object_filters)],
    match_id: Annotated[str | None, Query(alias="match[id]")] = None,
    match_type: Annotated[str | None, Query(alias="match[type]")] = None,
) -> Filters:
    """Get objects and the manifest: everything, match[id] and match[type] included."""
    page.ids, page.types = _split(match_id), _split(match_type)
    return page


class AuditMiddleware:
    """Records every TAXII request (who, what, when, from where, the answer) as it is answered.

    Plain ASGI rather than Starlette's BaseHTTPMiddleware, which costs a task and a stream per
    request. Endpoints note the partner, collection and object count on ``request.state``."""

    def __init__(self, app: Any, sharing: Sharing) -> None:
        self.app, self.sharing = app, sharing

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(ROOT):
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state.update(partner_id=None, collection_id=None, objects=0)
        recorded = [False]

        async def record(status: int) -> None:
            recorded[0] = True
            client = scope.get("client")
            query = scope.get("query_string", b"").decode("latin-1")
            path = scope["path"] + (f"?{query}" if query else "")
            await anyio.to_thread.run_sync(lambda: self.sharing.audit(
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


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    store = open_store(settings.resolved_database_url())
    sharing = Sharing(store)
    checker = Checker(settings.validation_workers)
    own = frozenset({store.organisation()["identity_id"]})  # no partner may post a version of it

    @asynccontextmanager
    async def lifespan(_app: FastAPI):  # noqa: ANN202
        checker.start()  # in the main thread, before serving: it spawns the pool with SIGINT ignored
        try:
            yield
        finally:
            checker.stop()

    app = FastAPI(title=f"{settings.title} TAXII 2.1", version=__version__, docs_url=None, redoc_url=None,
                  lifespan=lifespan)
    app.state.sharing = sharing
    app.state.settings = settings

    # ------------------------------------------------------------ errors, as TAXII error resources
    @app.exception_handler(TaxiiError)
    async def taxii_error(_request: Request, exc: TaxiiError) -> Response:
        return _error(exc.status, exc.title, exc.description, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> Response:
        return _error(exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def bad_parameter(_request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ()) if x not in ("query", "path", "header"))
        return _error(400, "Bad request parameter", f"{where}: {first.get('msg', 'invalid')}")

    @app.exception_handler(OperationalError)
    async def store_busy(_request: Request, exc: OperationalError) -> Response:
        return _error(503, "The store is busy or unreachable", str(exc.orig).splitlines()[0],
                      {"Retry-After": "1"})

    # ------------------------------------------------------------ audit of every request
    app.add_middleware(AuditMiddleware, sharing=sharing)

    def collection_for(request: Request, who: Actor, collection_id: str, write: bool = False,
                       read: bool = True) -> tuple[dict[str, Any], Access]:
        """The collection and the reader's access to it: 401/404 if it may not use it at all (so a
        collection's existence does not leak), 403 if it lacks the right the endpoint needs."""
        col, acc = sharing.collection_access(who, collection_id)
        if col is None or not acc.any:
            if who.anonymous:
                raise TaxiiError(401, "Authentication required", "Send a partner token", UNAUTHORIZED)
            raise TaxiiError(404, "No such collection", f"No collection {collection_id} for this partner")
        request.state.collection_id = col["id"]
        if write and not acc.can_write:
            raise TaxiiError(403, "No write access", "This partner may not add to or delete from this collection")
        if read and not write and not acc.can_read:
            raise TaxiiError(403, "No read access", "This partner may not read this collection")
        return col, acc

    def base(request: Request) -> str:
        return str(request.base_url).rstrip("/")

    def page_headers(rows: list[Any]) -> dict[str, str]:
        if not rows:
            return {}
        added = [r.date_added for r in rows]
        return {"X-TAXII-Date-Added-First": min(added), "X-TAXII-Date-Added-Last": max(added)}

    # ------------------------------------------------------------ discovery and API root
    @app.get(f"{ROOT}/", summary="Server discovery")
    def discovery(request: Request, who: Who) -> Response:
        if not sharing.may_enter(who):
            raise TaxiiError(401, "Authentication required", "Send a partner token", UNAUTHORIZED)
        root = f"{base(request)}{API}/"
        return _json({"title": settings.title, "description": "Liaison: sourced intelligence from open reporting",
                      "default": root, "api_roots": [root]})

    @app.get(f"{API}/", summary="API root information")
    def api_root(who: Who) -> Response:
        if not sharing.may_enter(who):
            raise TaxiiError(401, "Authentication required", "Send a partner token", UNAUTHORIZED)
        return _json({"title": f"{settings.title} API root", "versions": [TAXII],
                      "max_content_length": settings.max_content_length})

    @app.get(f"{API}/status/{{status_id}}/", summary="A POST's status")
    def get_status(status_id: str, who: Who) -> Response:
        st = sharing.status(status_id)
        if st is None or not access.may_read_status(who, st["partner_id"]):
            raise TaxiiError(404, "No such status")
        details = json.loads(st["details"])
        return _json({"id": st["id"], "status": "complete", "request_timestamp": st["request_timestamp"],
                      "total_count": st["total_count"], "success_count": st["success_count"],
                      "failure_count": st["failure_count"], "pending_count": 0, **details})

    # ------------------------------------------------------------ collections
    def collection_resource(col: dict[str, Any], can_read: bool, can_write: bool) -> dict[str, Any]:
        level = col["default_tlp"]
        default = (f"Objects that carry no TLP marking are served marked TLP:{level.upper()}, this collection's "
                   "default.")
        out = {"id": col["id"], "title": col["title"], "alias": col["alias"], "can_read": can_read,
               "can_write": can_write, "media_types": [STIX],
               "description": f"{col['description']} {default}" if col.get("description") else default,
               # TAXII 2.1 allows custom properties; these say the default to a program, not only a person.
               "x_liaison_default_tlp": f"TLP:{level.upper()}", "x_liaison_default_marking_ref": MARKING_IDS[level]}
        return out

    @app.get(f"{API}/collections/", summary="Collections this partner may read or write")
    def list_collections(who: Who) -> Response:
        found = sharing.readable_collections(who)
        if not found and not sharing.may_enter(who):
            raise TaxiiError(401, "Authentication required", "Send a partner token", UNAUTHORIZED)
        return _json({"collections": [collection_resource(c, a.can_read, a.can_write) for c, a in found]})

    @app.get(f"{API}/collections/{{collection_id}}/", summary="One collection")
    def get_collection(request: Request, collection_id: str, who: Who) -> Response:
        col, acc = collection_for(request, who, collection_id, read=False)
        return _json(collection_resource(col, acc.can_read, acc.can_write))

    # ------------------------------------------------------------ objects
    @app.get(f"{API}/collections/{{collection_id}}/objects/", summary="Objects of a collection")
    def get_objects(request: Request, collection_id: str, who: Who,
                    filters: Annotated[Filters, Depends(list_filters)]) -> Response:
        col, _ = collection_for(request, who, collection_id)
        rows, more = sharing.query(who, col["id"], **asdict(filters))
        request.state.objects = len(rows)
        return envelope(rows, more)

    def envelope(rows: list[Any], more: bool) -> Response:
        head = b'{"more":' + (b"true" if more else b"false")
        if more:
            head += b',"next":"' + str(rows[-1].seq).encode() + b'"'
        if rows:
            head += b',"objects":[' + ",".join(r.object for r in rows).encode() + b"]"
        return Response(head + b"}", media_type=TAXII, headers=page_headers(rows))

    envelope_body = {"requestBody": {"required": True, "content": {TAXII: {"schema": {
        "type": "object", "required": ["objects"],
        "properties": {"objects": {"type": "array", "items": {"type": "object"}}}}}}}}

    @app.post(f"{API}/collections/{{collection_id}}/objects/", status_code=202, summary="Add objects",
              openapi_extra=envelope_body)
    async def add_objects(request: Request, collection_id: str, who: Who) -> Response:
        ctype = (request.headers.get("content-type") or "").replace(" ", "").lower()
        if ctype.split(";")[0] != "application/taxii+json" or ctype not in (
                "application/taxii+json;version=2.1", "application/taxii+json"):
            raise TaxiiError(415, "Unsupported media type", f"Send {TAXII}")
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > settings.max_content_length:
            raise TaxiiError(413, "Request too large", f"max_content_length is {settings.max_content_length} bytes")
        col = await anyio.to_thread.run_sync(lambda: collection_for(request, who, collection_id, write=True)[0])
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > settings.max_content_length:
                raise TaxiiError(413, "Request too large",
                                 f"max_content_length is {settings.max_content_length} bytes")
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise TaxiiError(400, "Malformed JSON", "The body is not a JSON document") from None
        if not isinstance(data, dict) or not isinstance(data.get("objects"), list):
            raise TaxiiError(400, "Not an envelope", 'The body must be a TAXII envelope: {"objects": [...]}')
        return await anyio.to_thread.run_sync(lambda: store_objects(request, who, col, data["objects"]))

    def store_objects(request: Request, who: Actor, col: dict[str, Any], objects: list[Any]) -> Response:
        requested = stamp(now())
        checked = checker.check(objects, who, col["default_tlp"], own)
        items = [dict(c, origin=f"partner:{who.partner_id}") for ok, c in checked if ok]
        failures = [c for ok, c in checked if not ok]
        status_id = str(uuid.uuid4())
        for attempt in range(3):
            try:
                with store.writing() as conn:
                    added = sharing.add_objects(conn, col, items)
                    successes = [{"id": i["id"], "version": i["version"], "date_added": a}
                                 if a else {"id": i["id"], "version": i["version"], "message": "already present"}
                                 for i, a in zip(items, added, strict=True)]
                    status = {"id": status_id, "request_timestamp": requested, "total_count": len(objects),
                              "success_count": len(successes), "failure_count": len(failures)}
                    details = {"successes": successes, "failures": failures, "pendings": []}
                    sharing.save_status(conn, status, col["id"], who.partner_id, json.dumps(details))
                break
            except IntegrityError:
                if attempt == 2:
                    raise
        request.state.objects = len(items)
        return _json({**status, "status": "complete", "pending_count": 0,
                      **{k: v for k, v in details.items() if v}}, 202)

    @app.get(f"{API}/collections/{{collection_id}}/objects/{{object_id}}/", summary="One object")
    def get_object(request: Request, collection_id: str, object_id: str, who: Who,
                   filters: Annotated[Filters, Depends(object_filters)]) -> Response:
        col, _ = collection_for(request, who, collection_id)
        rows, more = sharing.query(who, col["id"], **dict(asdict(filters), ids=[object_id]))
        if not rows and filters.first_page:
            raise TaxiiError(404, "No such object", f"No object {object_id} in this collection for this partner")
        request.state.objects = len(rows)
        return envelope(rows, more)

    @app.delete(f"{API}/collections/{{collection_id}}/objects/{{object_id}}/", summary="Delete an object")
    def delete_object(
        request: Request,
        collection_id: str,
        object_id: str,
        who: Who,
        match_version: Annotated[str | None, Query(alias="match[version]")] = None,
        match_spec_version: Annotated[str | None, Query(alias="match[spec_version]")] = None,
    ) -> Response:
        col, _ = collection_for(request, who, collection_id, write=True)
        done = sharing.delete_object(who, col["id"], object_id, _versions(match_version) or ["all"],
                                     _split(match_spec_version))
        if not done:
            raise TaxiiError(404, "No such object", f"No object {object_id} in this collection for this partner")
        request.state.objects = done
        return Response(status_code=200, media_type=TAXII)

    @app.get(f"{API}/collections/{{collection_id}}/objects/{{object_id}}/versions/", summary="Versions of an object")
    def get_versions(request: Request, collection_id: str, object_id: str, who: Who,
                     filters: Annotated[Filters, Depends(page_filters)]) -> Response:
        col, _ = collection_for(request, who, collection_id)
        rows, more = sharing.query(who, col["id"], **dict(asdict(filters), ids=[object_id], versions=["all"]),
                                   with_object=False)
        if not rows and filters.first_page:
            raise TaxiiError(404, "No such object", f"No object {object_id} in this collection for this partner")
        body: dict[str, Any] = {"more": more, "versions": sorted(r.version for r in rows)}
        if more:
            body["next"] = str(rows[-1].seq)
        return _json(body, headers=page_headers(rows))

    @app.get(f"{API}/collections/{{collection_id}}/manifest/", summary="Manifest of a collection")
    def get_manifest(request: Request, collection_id: str, who: Who,
                     filters: Annotated[Filters, Depends(list_filters)]) -> Response:
        col, _ = collection_for(request, who, collection_id)
        rows, more = sharing.query(who, col["id"], **asdict(filters), with_object=False)
        body: dict[str, Any] = {"more": more}
        if more:
            body["next"] = str(rows[-1].seq)
        if rows:
            body["objects"] = [{"id": r.object_id, "date_added": r.date_added, "version": r.version,
                                "media_type": STIX} for r in rows]
        request.state.objects = len(rows)
        return _json(body, headers=page_headers(rows))

    return app
