"""Liaison as a TAXII 2.1 client: `liaison pull` copies a remote collection into a local one,
`liaison push` sends local objects to a remote collection.

taxii2-client speaks the protocol. This module finds the collection a user means (from a
discovery, API root or collection URL), checks each pulled object as the server checks a POST
(except that a pulled object may name any producer: it was made elsewhere), and stores each page
in one transaction together with the position the next pull starts from and an audit row naming
the remote URL, so that a pull killed half way leaves no object without its provenance and no
position ahead of the objects, and the next pull resumes where it stopped. Every problem a user
can meet (a wrong address, a refused connection, bad credentials, an unknown collection) becomes
one LiaisonError line.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError, OperationalError
from taxii2client.common import _HTTPConnection
from taxii2client.exceptions import AccessError, TAXIIServiceException
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from liaison.clock import normalise_timestamp, stamp
from liaison.errors import ConfigError, LiaisonError, StoreError
from liaison.share.objects import Rejected, prepare
from liaison.store.access import organisation
from liaison.store.rows import dump_object
from liaison.store.sharing import CO, Sharing

TIMEOUT_S = 60  # per HTTP request; a pull of many pages may take longer in all
STATUS_TIMEOUT_S = 60  # how long push waits for a server that answers a POST with a pending status
DEFAULT_TLP = "amber"  # of a local collection pull makes: the TAXII default for shared, unmarked data


# ---------------------------------------------------------------------------- connecting


@dataclass(frozen=True)
class Credentials:
    """How to sign in to the remote server: HTTP Basic, a bearer token, or nothing."""

    user: str | None = None
    password: str | None = None
    token: str | None = None

    def check(self) -> None:
        """Refuse combinations that cannot mean anything, before any request is made."""
        if self.token is not None and (self.user is not None or self.password is not None):
            raise ConfigError("give either --token or --user and --password, not both", "--token",
                              "Drop one of them")
        if (self.user is None) != (self.password is None):
            given = "--user" if self.user is not None else "--password"
            raise ConfigError("--user and --password go together", given, "Give both, or --token instead")


class BearerAuth(requests.auth.AuthBase):
    """Sends 'Authorization: Bearer <token>', the scheme TAXII 2.1 servers take API tokens in.

    taxii2-client's own TokenAuth sends 'Token <key>', which Liaison's server does not accept."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


class _TimeoutAdapter(HTTPAdapter):
    """Gives every request a timeout: taxii2-client sets none, so a server that accepts the
    connection and never answers would hang a pull for ever."""

    def send(self, request, **kwargs):  # noqa: ANN001, ANN201
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = TIMEOUT_S
        return super().send(request, **kwargs)


class _LastHeaders:
    """The headers of the latest response: taxii2-client hands back only the JSON body, and a
    page's X-TAXII-Date-Added-Last header is where the next pull should start."""

    def __init__(self) -> None:
        self.headers: requests.structures.CaseInsensitiveDict | dict = {}

    def __call__(self, response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
        self.headers = response.headers
        return response


def public_url(url: str) -> str:
    """The URL without user:password@, query or fragment: fit to print and to record."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError("not an http(s) URL", url,
                          "Give the TAXII server's address, e.g. https://taxii.example.org/taxii2/")


def _connect(creds: Credentials) -> tuple[_HTTPConnection, _LastHeaders]:
    """One taxii2-client connection (a requests session) that every resource of this run shares."""
    auth = BearerAuth(creds.token) if creds.token else None
    conn = _HTTPConnection(creds.user, creds.password, version="2.1", auth=auth)
    adapter = _TimeoutAdapter()
    conn.session.mount("http://", adapter)
    conn.session.mount("https://", adapter)
    last = _LastHeaders()
    conn.session.hooks["response"].append(last)
    return conn, last


@contextlib.contextmanager
def _quiet_library_logs() -> Iterator[None]:
    """Mute taxii2-client's own log lines while it runs: it logs a warning for short pages and an
    error (through the root logger, which would print it) for HTTP 406, and Liaison reports every
    problem itself, in one line."""
    root, lib = logging.getLogger(), logging.getLogger("taxii2client")
    handler, level = logging.NullHandler(), lib.level
    root.addHandler(handler)  # a handler on the root stops logging.error() from adding a stderr one
    lib.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        root.removeHandler(handler)
        lib.setLevel(level)


# ---------------------------------------------------------------------------- errors


def _taxii_title(response: requests.Response | None) -> str:
    """': <title>' from a TAXII error resource, if the server sent one."""
    if response is None:
        return ""
    try:
        body = response.json()
    except ValueError:
        return ""
    title = body.get("title") if isinstance(body, dict) else None
    return f": {str(title).splitlines()[0][:120]}" if title else ""


def _http_error(exc: requests.HTTPError, url: str, writing: bool) -> LiaisonError:
    response = exc.response
    code = response.status_code if response is not None else 0
    where = public_url(response.url) if response is not None and response.url else public_url(url)
    title = _taxii_title(response)
    if code == 401:
        return LiaisonError(f"the TAXII server refused the credentials (HTTP 401{title})", where,
                            "Check --token, or --user and --password")
    if code == 403:
        need = "write to" if writing else "read"
        return LiaisonError(f"the TAXII server denied access (HTTP 403{title})", where,
                            f"Ask its operator for permission to {need} the collection")
    if code == 404:
        return LiaisonError(f"no such TAXII resource (HTTP 404{title})", where,
                            "Give the server's discovery URL (often .../taxii2/), an API root URL or a collection URL")
    if code in (406, 415):
        return LiaisonError(f"the server does not speak TAXII 2.1 here (HTTP {code}{title})", where,
                            "Check that the URL is a TAXII 2.1 server's")
    if code == 413:
        return LiaisonError(f"the server refused a request as too large (HTTP 413{title})", where,
                            "Ask its operator about its max_content_length")
    return LiaisonError(f"the TAXII server answered HTTP {code}{title}", where, "Try again later, or ask its operator")


@contextlib.contextmanager
def remote_errors(url: str, writing: bool = False, kept: Callable[[], str] | None = None) -> Iterator[None]:
    """Turn whatever the network, the server or taxii2-client raise into one LiaisonError line.

    ``kept``: what was already stored before the failure, said after the hint (a pull commits page by page)."""

    def fail(error: LiaisonError) -> LiaisonError:
        if kept is not None and (extra := kept()):
            error = LiaisonError(error.what, error.where, f"{(error.hint or '').rstrip('.')}. {extra}".lstrip(". "))
        return error

    where = public_url(url)
    try:
        with _quiet_library_logs():
            yield
    except requests.HTTPError as exc:
        raise fail(_http_error(exc, url, writing)) from None
    except requests.Timeout:
        raise fail(LiaisonError(f"the TAXII server did not answer within {TIMEOUT_S} s", where,
                                "Try again later, or check the address")) from None
    except requests.exceptions.SSLError:
        raise fail(LiaisonError("the TLS connection to the TAXII server failed", where,
                                "Check http:// against https:// and the server's certificate")) from None
    except requests.ConnectionError:
        raise fail(LiaisonError("cannot connect to the TAXII server", where,
                                "Check the address and that the server is running")) from None
    except requests.RequestException as exc:
        raise fail(LiaisonError(f"the request failed ({type(exc).__name__})", where, "Check the URL")) from None
    except AccessError:
        need = "writing" if writing else "reading"
        raise fail(LiaisonError(f"the collection does not allow {need} for these credentials", where,
                                "Ask the server's operator for access")) from None
    except TAXIIServiceException as exc:
        first = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise fail(LiaisonError(f"not a TAXII 2.1 answer: {first}", where,
                                "Give a TAXII 2.1 discovery, API root or collection URL")) from None


# ---------------------------------------------------------------------------- finding the collection


@dataclass
class Remote:
    """The remote collection a command works on, with the connection it was found over."""

    url: str  # the collection's URL without credentials: how pull positions and audit rows name it
    collection: Collection
    api_root: ApiRoot
    conn: _HTTPConnection
    last: _LastHeaders

    def close(self) -> None:
        self.conn.close()


# A collection URL, or one of its objects or manifest URLs (what users copy from a browser).
_COLLECTION_URL = re.compile(r"^(?P<root>.*/)collections/(?P<id>[^/]+)(?:/(?:objects|manifest))?/?$")


def open_remote(url: str, ref: str | None, creds: Credentials, writing: bool = False) -> Remote:
    """Find the collection ``ref`` (id, alias or title) behind ``url``, or the one a collection URL names."""
    check_url(url)
    creds.check()
    conn, last = _connect(creds)
    try:
        with remote_errors(url, writing):
            collection, root = _find(url, ref, conn)
            # Say so now, before a progress bar starts, rather than on the first page or envelope.
            if not (collection.can_write if writing else collection.can_read):
                raise AccessError(collection.url)
    except BaseException:
        conn.close()
        raise
    return Remote(public_url(collection.url), collection, root, conn, last)


def _find(url: str, ref: str | None, conn: _HTTPConnection) -> tuple[Collection, ApiRoot]:
    bare = urlunsplit(urlsplit(url)._replace(query="", fragment=""))
    match = _COLLECTION_URL.match(bare)
    if match:
        collection = Collection(f"{match['root']}collections/{match['id']}/", conn=conn)
        collection.refresh()
        if ref and ref not in (collection.id, collection.alias, collection.title):
            raise LiaisonError(f"the collection URL names {collection.id} ({collection.title}), not {ref!r}",
                               public_url(url), "Drop --collection, or give the API root URL")
        return collection, ApiRoot(match["root"], conn=conn)
    if not ref:
        raise ConfigError("which remote collection?", "--collection",
                          "Give its id, alias or title, or give a collection URL")
    pairs = [(c, root) for root in _api_roots(bare, conn) for c in root.collections]
    return _choose(pairs, ref, url)


def _api_roots(url: str, conn: _HTTPConnection) -> list[ApiRoot]:
    """The API roots behind a URL: the one it is, or those a discovery resource lists, default first.

    Both resources have a title; only an API root has versions, so one GET tells them apart."""
    server = Server(url, conn=conn)
    server.refresh()
    if "versions" in server.custom_properties:
        for made in server.api_roots:
            made.close()
        return [ApiRoot(url, conn=conn)]
    listed = ([server.default] if server.default else []) + list(server.api_roots)
    urls = list(dict.fromkeys(r.url for r in listed))
    for made in server.api_roots:  # taxii2-client gives each its own session; ours carries the credentials
        made.close()
    if not urls:
        raise LiaisonError("the TAXII server lists no API roots", public_url(url), "Ask its operator for an API root URL")
    return [ApiRoot(u, conn=conn) for u in urls]


def _choose(pairs: list[tuple[Collection, ApiRoot]], ref: str, url: str) -> tuple[Collection, ApiRoot]:
    """The one collection ``ref`` names: by id, then alias, then title (exact, then ignoring case)."""
    folded = ref.casefold()
    tests = (lambda c: c.id == ref, lambda c: c.alias == ref, lambda c: c.title == ref,
             lambda c: (c.title or "").casefold() == folded)
    for test in tests:
        found = [p for p in pairs if test(p[0])]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            ids = ", ".join(c.id for c, _ in found)
            raise LiaisonError(f"{len(found)} collections are called {ref!r}", public_url(url),
                               f"Give one of their ids: {ids}")
    listed = "; ".join(f"{c.id} ({c.title})" for c, _ in pairs[:10]) or "none"
    raise LiaisonError(f"no collection {ref!r} on the server for these credentials", public_url(url),
                       f"Collections it lists: {listed}")


# ---------------------------------------------------------------------------- pull


@dataclass
class PullReport:
    """What one pull did: the summary `liaison pull` prints."""

    url: str
    remote_id: str
    remote_title: str
    into: str
    since: str | None  # the position it started from (None: the beginning)
    until: str | None  # the position the next pull starts from
    fetched: int = 0
    new: int = 0
    present: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    pages: int = 0
    no_header: bool = False  # a page of objects came without X-TAXII-Date-Added-Last


def default_into(remote: Remote) -> str:
    """The local collection a pull goes to without --into: one per remote collection, named after its id."""
    return "pulled-" + re.sub(r"[^A-Za-z0-9_-]+", "-", remote.collection.id)[:100]


def check_pulled(obj: Any, default_tlp: str, reserved: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The row data for one pulled object, or Rejected with a one-line reason.

    The checks a POST gets (stix2 parses it, STIX 2.1, a timestamp version), except that a pulled
    object may name any organisation in created_by_ref: it was made elsewhere. That producer is
    kept, since the TLP rule for AMBER+STRICT and RED reads it."""
    producer = obj.get("created_by_ref") if isinstance(obj, dict) else None
    if producer is not None and not isinstance(producer, str):
        raise Rejected("created_by_ref is not an identifier")
    # prepare() refuses a created_by_ref other than the poster's; here the "poster" is the object's producer.
    return prepare(obj, organisation(producer), default_tlp, reserved)


def into_collection(sharing: Sharing, alias: str, remote: Remote) -> dict[str, Any]:
    """The local collection to pull into, made if missing: TLP:AMBER for unmarked objects (a partner's
    data is not for everyone by default) and not following the store (it holds what came from elsewhere)."""
    found = sharing.collection(alias)
    if found is None:
        with contextlib.suppress(ValueError):  # made meanwhile by another pull
            sharing.add_collection(alias, f"{remote.collection.title} (pulled)", f"Pulled from {remote.url}", DEFAULT_TLP)
        found = sharing.collection(alias)
    return found


def _date_added_last(headers: Any) -> str | None:
    value = headers.get("X-TAXII-Date-Added-Last") if headers else None
    if not value:
        return None
    try:
        return normalise_timestamp(value)
    except ValueError:
        return None


def advance(position: str | None, last: str | None, more: bool) -> str | None:
    """Where the next pull starts once a page is stored (added_after is exclusive).

    After the last page: its X-TAXII-Date-Added-Last. After an earlier page: one microsecond before
    it, because objects added by one request may share a date_added and the rest of them may be on
    the next page; a pull killed between the two pages then fetches those again (and finds them
    already present) instead of skipping them. Never moves back."""
    if last is None:
        return position
    if more:
        last = stamp(dt.datetime.fromisoformat(last) - dt.timedelta(microseconds=1))
    return max(position, last) if position else last


def _ident(obj: Any) -> str:
    return obj["id"] if isinstance(obj, dict) and isinstance(obj.get("id"), str) else "(no id)"


def _store_page(sharing: Sharing, col: dict[str, Any], remote: Remote, objects: list[Any], position: str | None,
                report: PullReport) -> None:
    """Store one page with the position after it and an audit row naming where it came from, in one transaction."""
    items = []
    own = frozenset({sharing.store.organisation()["identity_id"]})
    for obj in objects:
        try:
            items.append(dict(check_pulled(obj, col["default_tlp"], own), origin=remote.url))
        except Rejected as why:
            report.rejected.append((_ident(obj), str(why)))
    path = remote.url + (f"?added_after={report.until}" if report.until else "")
    for attempt in range(3):
        try:
            with sharing.store.writing() as conn:
                new = sum(1 for added in sharing.add_objects(conn, col, items) if added)
                sharing.set_pull_position(conn, remote.url, col["id"], position)
                sharing.audit(conn, partner_id=None, remote=urlsplit(remote.url).netloc[:64], method="PULL", path=path,
                              collection_id=col["id"], status=200, objects=new)
            break
        except IntegrityError:  # another writer added one of these versions between the check and the insert
            if attempt == 2:
                raise StoreError("another process keeps adding the same objects", col["alias"], "Pull again") from None
        except OperationalError as exc:
            raise StoreError(f"the store is busy or unreachable: {str(exc.orig).splitlines()[0]}", col["alias"],
                             "Pull again; it resumes after the last page stored") from None
    report.fetched += len(objects)
    report.new += new
    report.present += len(items) - new
    report.pages += 1
    report.until = position


def pull(sharing: Sharing, remote: Remote, into: str, progress: Callable[[int], None] | None = None) -> PullReport:
    """Fetch the objects added to the remote collection since the last pull into the local collection ``into``.

    The position is kept per remote collection URL and local collection, so pulling one remote
    collection into two local ones fills both, and a local collection made anew starts over."""
    col = into_collection(sharing, into, remote)
    since = sharing.pull_position(remote.url, col["id"])
    report = PullReport(remote.url, remote.collection.id, remote.collection.title, col["alias"], since, since)

    def kept() -> str:
        if not report.pages:
            return ""
        return (f"The {report.new} new objects stored before it are kept; the next pull resumes after "
                f"{report.until or 'the beginning'}")

    with remote_errors(remote.url, kept=kept):
        for envelope in as_pages(remote.collection.get_objects, per_request=0, added_after=since):
            objects = envelope.get("objects") if isinstance(envelope, dict) else None
            if not isinstance(envelope, dict) or not isinstance(objects or [], list):
                raise TAXIIServiceException("a page of objects is not a TAXII envelope")
            objects = objects or []
            last = _date_added_last(remote.last.headers)
            report.no_header |= bool(objects) and last is None
            _store_page(sharing, col, remote, objects, advance(report.until, last, bool(envelope.get("more"))), report)
            if progress:
                progress(len(objects))
    return report


# ---------------------------------------------------------------------------- push


@dataclass
class PushReport:
    """What one push did: the server's status counts, summed over the envelopes sent."""

    url: str
    chosen: int
    envelopes: int = 0
    success: int = 0
    failure: int = 0
    pending: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)


def choose_objects(sharing: Sharing, source: str | None, types: list[str],
                   ids: list[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """The objects to push as (id, JSON text), and the ids asked for that were not found.

    From a local collection (``source``): the newest version of each object in it. Otherwise the
    newest version of each STIX object in the store. Every TLP level: whoever pushes decides what goes."""
    if source:
        col = sharing.collection(source)
        if col is None:
            raise LiaisonError("no such local collection", source, "See `liaison collections list`")
        chosen = _collection_latest(sharing, col["id"], types, ids)
    else:
        chosen = [(o["id"], dump_object(o)) for o in sharing.store.latest_stix()
                  if (not types or o["type"] in types) and (not ids or o["id"] in ids)]
    found = {oid for oid, _ in chosen}
    return chosen, [i for i in dict.fromkeys(ids) if i not in found]


def _collection_latest(sharing: Sharing, collection_id: str, types: list[str], ids: list[str]) -> list[tuple[str, str]]:
    other = CO.alias("other")
    newer = exists().where(other.c.collection_id == CO.c.collection_id, other.c.object_id == CO.c.object_id,
                           other.c.version > CO.c.version)
    query = select(CO.c.object_id, CO.c.object).where(CO.c.collection_id == collection_id, ~newer)
    if types:
        query = query.where(CO.c.type.in_(types))
    if ids:
        query = query.where(CO.c.object_id.in_(ids))
    with sharing.engine.connect() as conn:
        return [(r.object_id, r.object) for r in conn.execute(query.order_by(CO.c.seq))]


HEAD, TAIL = b'{"objects":[', b"]}"


def envelopes(objects: Iterable[tuple[str, str]], limit: int) -> Iterator[tuple[bytes | None, list[str]]]:
    """Pack objects into TAXII envelope bodies of at most ``limit`` bytes (the API root's max_content_length).

    Yields (body, ids); an object too large for any envelope comes alone with body None."""
    batch: list[bytes] = []
    ids: list[str] = []
    size = len(HEAD) + len(TAIL)
    for oid, text in objects:
        data = text.encode()
        if len(HEAD) + len(data) + len(TAIL) > limit:
            yield None, [oid]
            continue
        if batch and size + 1 + len(data) > limit:
            yield HEAD + b",".join(batch) + TAIL, ids
            batch, ids, size = [], [], len(HEAD) + len(TAIL)
        size += len(data) + (1 if batch else 0)
        batch.append(data)
        ids.append(oid)
    if batch:
        yield HEAD + b",".join(batch) + TAIL, ids


def push(sharing: Sharing, remote: Remote, objects: list[tuple[str, str]],
         progress: Callable[[int], None] | None = None) -> PushReport:
    """Send objects to the remote collection in envelopes that fit its API root's max_content_length."""
    report = PushReport(remote.url, len(objects))

    def kept() -> str:
        return f"{report.success} objects were accepted before it" if report.envelopes else ""

    try:
        with remote_errors(remote.url, writing=True, kept=kept):
            limit = int(remote.api_root.max_content_length)
            for body, ids in envelopes(objects, limit):
                if body is None:
                    report.failure += 1
                    report.failures.append((ids[0], f"larger than the server's max_content_length ({limit} bytes)"))
                else:
                    status = remote.collection.add_objects(body, wait_for_completion=True, poll_interval=1,
                                                           timeout=STATUS_TIMEOUT_S)
                    report.envelopes += 1
                    report.success += status.success_count
                    report.failure += status.failure_count
                    report.pending += status.pending_count
                    report.failures += [(str(f.get("id", "(no id)")), str(f.get("message") or "refused"))
                                        for f in status.failures or [] if isinstance(f, dict)]
                if progress:
                    progress(len(ids))
    finally:
        if report.envelopes:
            sharing.audit(None, partner_id=None, remote=urlsplit(remote.url).netloc[:64], method="PUSH",
                          path=remote.url, collection_id=None, status=202, objects=report.success)
    return report
