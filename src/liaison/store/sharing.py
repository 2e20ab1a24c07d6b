"""The sharing tables: partners and tokens, collections and grants, collection objects, statuses, audit.

Who may see an object is decided in SQL by the one access rule, ``liaison.store.access`` (an
``Actor`` and the conditions over collections and their objects), so that every TAXII answer
(objects, one object, versions, manifest, and the paging and headers built from them) comes from
rows a reader may see and nothing else. The rule is in docs/sharing.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import uuid
from typing import Any

from sqlalchemy import and_, case, delete, exists, func, insert, or_, select, true, update
from sqlalchemy.engine import Connection

from liaison.clock import normalise_timestamp, now, stamp
from liaison.stix.ids import PRODUCER_ID, stix_id
from liaison.stix.tlp import (
    CLEAR,
    LEVELS,
    MARKING_IDS,
    RANK,
    explicit,
    marking_definition,
    object_level,
    recipients_of,
    shared_definition_ids,
)
from liaison.store import access
from liaison.store.access import ANONYMOUS, Access, Actor, Kind, partner_member
from liaison.store.database import Store
from liaison.store.rows import dump_object
from liaison.store.schema import (
    AuditRow,
    CollectionObjectRow,
    CollectionRow,
    GrantRow,
    PartnerRow,
    PullStateRow,
    RecipientRow,
    StatusRow,
    StixObjectRow,
    TokenRow,
)

CO = CollectionObjectRow.__table__
OTHER = CO.alias("other")  # made once: an alias builds its column collection on first use
RC = RecipientRow.__table__
TOKEN_PREFIX = "liaison"


__all__ = ["ANONYMOUS", "CO", "Access", "Actor", "Reader", "Sharing"]


def Reader(partner_id: str | None, identity_id: str | None) -> Actor:  # noqa: N802 (the name callers know)
    """The reader before ``Actor``: an organisation (by its STIX identity) under the TLP rule, with no
    collection grant to check (`liaison export` reads its own collections so, and a POST's checks
    read the poster's identity from it). New code names its actor (``liaison.store.access``)."""
    return Actor(Kind.ORGANISATION, partner_id, identity_id)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Sharing:
    """Partners, collections and collection objects over one Store's engine."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine

    # ------------------------------------------------------------ partners and tokens
    def add_partner(self, partner_id: str, name: str, identity_id: str | None = None) -> dict[str, Any]:
        identity = identity_id or stix_id("identity", f"partner|{partner_id}")
        if identity in (self.store.organisation()["identity_id"], PRODUCER_ID):
            raise ValueError(f"{identity} is this installation's own identity (or Liaison's, which signs only "
                             "shared definitions); a partner needs its own")
        with self.store.writing() as conn:
            if conn.execute(select(PartnerRow.id).where(PartnerRow.id == partner_id)).first():
                raise ValueError(f"partner {partner_id!r} exists already")
            conn.execute(insert(PartnerRow.__table__).values(id=partner_id, name=name, identity_id=identity,
                                                             created_at=now()))
        return {"id": partner_id, "name": name, "identity_id": identity}

    def recipient_identities(self, refs: list[str] | tuple[str, ...]) -> tuple[str, ...]:
        """Partner ids (or identity ids) named as recipients -> their STIX identity ids, sorted.
        Raises KeyError naming the first partner that is not registered."""
        out = set()
        for ref in refs:
            if ref.startswith("identity--"):
                out.add(ref)
                continue
            row = self.partner(ref)
            if row is None:
                raise KeyError(ref)
            out.add(row["identity_id"])
        return tuple(sorted(out))

    def partners(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(PartnerRow).order_by(PartnerRow.id)).mappings().all()
            tokens = conn.execute(select(TokenRow.partner_id, func.count()).where(TokenRow.revoked_at.is_(None))
                                  .group_by(TokenRow.partner_id)).all()
        live = dict(tokens)
        return [dict(r, tokens=live.get(r["id"], 0)) for r in rows]

    def partner(self, partner_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(PartnerRow).where(PartnerRow.id == partner_id)).mappings().first()
        return dict(row) if row else None

    def issue_token(self, partner_id: str, expires_at: dt.datetime | None = None, rotate: bool = False) -> str:
        """A new API token for the partner, returned once; only its hash is stored.

        ``rotate`` revokes the partner's other tokens in the same transaction."""
        token_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        with self.store.writing() as conn:
            found = conn.execute(select(PartnerRow.revoked_at).where(PartnerRow.id == partner_id)).first()
            if found is None:
                raise KeyError(partner_id)
            if found[0] is not None:
                raise ValueError(f"partner {partner_id!r} is revoked")
            if rotate:
                conn.execute(update(TokenRow.__table__).where(TokenRow.partner_id == partner_id,
                                                               TokenRow.revoked_at.is_(None)).values(revoked_at=now()))
            conn.execute(insert(TokenRow.__table__).values(id=token_id, partner_id=partner_id, secret_hash=_hash(secret),
                                                           created_at=now(), expires_at=expires_at))
        return f"{TOKEN_PREFIX}_{token_id}_{secret}"

    def revoke_partner(self, partner_id: str) -> bool:
        with self.store.writing() as conn:
            done = conn.execute(update(PartnerRow.__table__).where(PartnerRow.id == partner_id)
                                .values(revoked_at=now())).rowcount
            conn.execute(update(TokenRow.__table__).where(TokenRow.partner_id == partner_id,
                                                           TokenRow.revoked_at.is_(None)).values(revoked_at=now()))
        return bool(done)

    def authenticate(self, token: str, partner_hint: str | None = None) -> Actor | None:
        """The partner a token belongs to, if the token is well formed, known, live and unexpired.

        ``partner_hint`` is the user name of HTTP Basic; when given it must name the token's partner."""
        parts = token.split("_", 2)
        if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
            return None
        _, token_id, secret = parts
        with self.engine.connect() as conn:
            row = conn.execute(
                select(TokenRow.secret_hash, TokenRow.expires_at, TokenRow.revoked_at, PartnerRow.id,
                       PartnerRow.identity_id, PartnerRow.revoked_at)
                .join(PartnerRow, PartnerRow.id == TokenRow.partner_id).where(TokenRow.id == token_id)).first()
        if row is None:
            return None
        secret_hash, expires_at, revoked_at, partner_id, identity_id, partner_revoked = row
        if not hmac.compare_digest(secret_hash, _hash(secret)):
            return None
        if revoked_at is not None or partner_revoked is not None:
            return None
        if identity_id == PRODUCER_ID:
            # Registered under Liaison's shared system identity (which older docs advised for Liaison
            # peers): it would be the producer of everything ingested before installations had their
            # own identity. Refused until registered again under the peer's `liaison organisation`.
            return None
        if expires_at is not None:
            expires = expires_at if expires_at.tzinfo else expires_at.replace(tzinfo=dt.UTC)
            if expires <= now():
                return None
        if partner_hint is not None and partner_hint != partner_id:
            return None
        return partner_member(partner_id, identity_id)

    # ------------------------------------------------------------ collections and grants
    def add_collection(self, alias: str, title: str, description: str | None = None, default_tlp: str = "amber",
                       public: bool = False, follows_store: bool = False) -> dict[str, Any]:
        if default_tlp not in RANK:
            raise ValueError(f"unknown TLP level {default_tlp!r}; expected one of {', '.join(LEVELS)}")
        cid = str(uuid.uuid4())
        with self.store.writing() as conn:
            if conn.execute(select(CollectionRow.id).where(CollectionRow.alias == alias)).first():
                raise ValueError(f"collection {alias!r} exists already")
            conn.execute(insert(CollectionRow.__table__).values(
                id=cid, alias=alias, title=title, description=description, default_tlp=default_tlp, public=public,
                follows_store=follows_store, created_at=now()))
        return {"id": cid, "alias": alias, "title": title}

    def collections(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(CollectionRow).order_by(CollectionRow.alias)).mappings().all()
            counts = dict(conn.execute(select(CO.c.collection_id, func.count()).group_by(CO.c.collection_id)).all())
            grants = conn.execute(select(GrantRow)).mappings().all()
        out = []
        for r in rows:
            g = [x for x in grants if x["collection_id"] == r["id"]]
            out.append(dict(r, objects=counts.get(r["id"], 0),
                            readers=sorted(x["partner_id"] for x in g if x["can_read"]),
                            writers=sorted(x["partner_id"] for x in g if x["can_write"])))
        return out

    def collection(self, ref: str) -> dict[str, Any] | None:
        """A collection by id or alias."""
        with self.engine.connect() as conn:
            row = conn.execute(select(CollectionRow).where(or_(CollectionRow.id == ref, CollectionRow.alias == ref))
                               ).mappings().first()
        return dict(row) if row else None

    def grant(self, collection_id: str, partner_id: str, read: bool, write: bool) -> None:
        """Set a partner's access to a collection (both False removes it)."""
        with self.store.writing() as conn:
            if conn.execute(select(PartnerRow.id).where(PartnerRow.id == partner_id)).first() is None:
                raise KeyError(partner_id)
            conn.execute(delete(GrantRow.__table__).where(GrantRow.collection_id == collection_id,
                                                          GrantRow.partner_id == partner_id))
            if read or write:
                conn.execute(insert(GrantRow.__table__).values(collection_id=collection_id, partner_id=partner_id,
                                                               can_read=read, can_write=write))

    def access(self, actor: Actor, collection: dict[str, Any]) -> Access:
        return self.collection_access(actor, collection["id"])[1]

    def collection_access(self, actor: Actor, collection_id: str) -> tuple[dict[str, Any] | None, Access]:
        """A collection by id and the actor's rights on it, in one query (every TAXII request asks);
        (None, no rights) when it does not exist or the actor may neither read nor write it."""
        with self.engine.connect() as conn:
            row = conn.execute(access.usable_collections(actor).where(CollectionRow.id == collection_id)
                               ).mappings().first()
        if row is None:
            return None, Access(False, False)
        col = dict(row)
        return col, Access(bool(col.pop("can_read")), bool(col.pop("can_write")))

    def readable_collections(self, actor: Actor) -> list[tuple[dict[str, Any], Access]]:
        """The collections the actor may read or write, by alias, each with its rights."""
        with self.engine.connect() as conn:
            rows = conn.execute(access.usable_collections(actor).order_by(CollectionRow.alias)).mappings().all()
        out = []
        for row in rows:
            col = dict(row)
            out.append((col, Access(bool(col.pop("can_read")), bool(col.pop("can_write")))))
        return out

    def may_enter(self, actor: Actor) -> bool:
        """Whether the actor may reach the API root at all (access.may_enter)."""
        if not actor.anonymous:
            return True
        with self.engine.connect() as conn:
            public = conn.execute(select(CollectionRow.id).where(CollectionRow.public == true()).limit(1)).first()
        return access.may_enter(actor, public is not None)

    # ------------------------------------------------------------ objects
    @staticmethod
    def visible(actor: Actor, table=CO):  # noqa: ANN001, ANN205
        """The TLP part of the rule for rows of ``table`` (see access.visible)."""
        return access.visible(actor, table)

    def add_objects(self, conn: Connection, collection: dict[str, Any], items: list[dict[str, Any]]) -> list[str]:
        """Add object versions to a collection inside the caller's transaction; returns their date_added.

        Each item: id, version, spec_version, type, tlp, producer, recipients, object (JSON text), and
        optionally origin (where it came from: see CollectionObjectRow.origin). A version
        already in the collection is left as it is. ``date_added`` is strictly increasing within a
        collection, and rows are added under a lock on the collection (PostgreSQL; SQLite has a single
        writer), so that a reader paging by ``seq`` or ``added_after`` never skips a row committed later."""
        cid = collection["id"]
        if conn.dialect.name == "postgresql":
            conn.execute(select(CollectionRow.id).where(CollectionRow.id == cid).with_for_update())
        given = len(items)
        items = self._with_marking_definitions(conn, cid, items)  # prepended; their outcomes are not returned
        last = conn.execute(select(func.max(CO.c.date_added)).where(CO.c.collection_id == cid)).scalar()
        current = now()
        if last is not None:
            floor = dt.datetime.strptime(last, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
            if current <= floor:
                current = floor + dt.timedelta(microseconds=1)
        ids = list({i["id"] for i in items})
        have: set[tuple[str, str]] = set()
        for i in range(0, len(ids), 500):
            have.update(conn.execute(select(CO.c.object_id, CO.c.version).where(
                CO.c.collection_id == cid, CO.c.object_id.in_(ids[i : i + 500]))).all())
        added = []
        rows = []
        recips = []
        for item in items:
            key = (item["id"], item["version"])
            # An object without timestamps (a cyber observable) is immutable under its id: posted or
            # pulled again, it is the copy already held, not a new version.
            if key in have or item.get("timeless") and any(oid == item["id"] for oid, _ in have):
                added.append(None)
                continue
            have.add(key)
            date_added = stamp(current)
            current += dt.timedelta(microseconds=1)
            rows.append({"collection_id": cid, "object_id": item["id"], "version": item["version"],
                         "spec_version": item["spec_version"], "type": item["type"], "date_added": date_added,
                         "tlp": item["tlp"], "producer": item["producer"], "object": item["object"],
                         "origin": item.get("origin")})
            recips.append(item.get("recipients") or [])
            added.append(date_added)
        if rows:
            if any(recips):
                for row, names in zip(rows, recips, strict=True):
                    seq = conn.execute(insert(CO).values(row).returning(CO.c.seq)).scalar_one()
                    if names:
                        conn.execute(insert(RC), [{"seq": seq, "identity_id": n} for n in dict.fromkeys(names)])
            else:
                conn.execute(insert(CO), rows)
        return added[len(items) - given :]

    @staticmethod
    def _with_marking_definitions(conn: Connection, cid: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``items`` after the TLP 2.0 marking definitions their levels name that the collection lacks,
        so a reader can resolve every `object_marking_refs` it receives (served to every reader: TLP:CLEAR)."""
        if not items:
            return items
        wanted = {MARKING_IDS[LEVELS[item["tlp"]]]: LEVELS[item["tlp"]] for item in items
                  if item.get("type") != "marking-definition"}
        if not wanted:
            return items
        held = set(conn.execute(select(CO.c.object_id).where(CO.c.collection_id == cid,
                                                             CO.c.object_id.in_(list(wanted)))).scalars())
        posted = {item["id"] for item in items}
        extra = []
        for mid, level in wanted.items():
            if mid not in held and mid not in posted:
                definition = marking_definition(level)
                extra.append({"id": mid, "version": normalise_timestamp(definition["created"]), "spec_version": "2.1",
                              "type": "marking-definition", "tlp": CLEAR, "producer": None, "recipients": [],
                              "object": dump_object(definition), "origin": "liaison"})
        return extra + items if extra else items

    def query(self, actor: Actor, collection_id: str, *, ids: list[str] | None = None,
              types: list[str] | None = None, versions: list[str] | None = None,
              spec_versions: list[str] | None = None, added_after: str | None = None, after_seq: int | None = None,
              limit: int | None = None, with_object: bool = True, write: bool = False) -> tuple[list[Any], bool]:
        """Rows of a collection the actor may read (``write``: may delete), filtered as TAXII's match[...]
        and added_after say, in the order they were added. Returns (rows, more). ``versions``: "last"
        (default), "first", "all", or timestamps (already normalised)."""
        cols = [CO.c.seq, CO.c.object_id, CO.c.version, CO.c.date_added, CO.c.spec_version]
        if with_object:
            cols.append(CO.c.object)
        allowed = access.writable_in if write else access.readable_in
        q = select(*cols).where(allowed(actor, collection_id))
        if ids:
            q = q.where(CO.c.object_id.in_(ids))
        if types:
            # With ids, "|| ''" keeps the type index out of it (see the ORDER BY below).
            q = q.where((CO.c.type + "" if ids else CO.c.type).in_(types))
        if spec_versions:
            q = q.where(CO.c.spec_version.in_(spec_versions))
        if added_after:
            q = q.where(CO.c.date_added > added_after)
        if after_seq is not None:
            q = q.where(CO.c.seq > after_seq)
        versions = versions or ["last"]
        if "all" not in versions:
            conds = []
            other = OTHER
            same = and_(other.c.collection_id == CO.c.collection_id, other.c.object_id == CO.c.object_id,
                        access.visible(actor, other))
            if spec_versions:
                same = and_(same, other.c.spec_version.in_(spec_versions))
            if "last" in versions:
                conds.append(~exists().where(same, other.c.version > CO.c.version))
            if "first" in versions:
                conds.append(~exists().where(same, other.c.version < CO.c.version))
            stamps = [v for v in versions if v not in ("last", "first")]
            if stamps:
                conds.append(CO.c.version.in_(stamps))
            q = q.where(or_(*conds))
        # With ids, "+ 0" keeps SQLite (which has no statistics) from walking the seq index in order
        # (or the type index) instead of looking the ids up in the (collection, object, version)
        # index: 30x at 100k rows.
        q = q.order_by(CO.c.seq + 0 if ids else CO.c.seq)
        if limit is not None:
            q = q.limit(limit + 1)
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        more = limit is not None and len(rows) > limit
        return (rows[:limit] if more else rows), more

    def delete_object(self, actor: Actor, collection_id: str, object_id: str, versions: list[str] | None,
                      spec_versions: list[str] | None) -> int:
        """Delete the versions of an object the actor may write and see (all, or those matched); returns how many."""
        rows, _ = self.query(actor, collection_id, ids=[object_id], versions=versions or ["all"],
                             spec_versions=spec_versions, with_object=False, write=True)
        seqs = [r.seq for r in rows]
        if not seqs:
            return 0
        with self.store.writing() as conn:
            conn.execute(delete(RC).where(RC.c.seq.in_(seqs)))
            conn.execute(delete(CO).where(CO.c.seq.in_(seqs)))
        return len(seqs)

    def sync_from_store(self, collection: dict[str, Any]) -> int:
        """Add to a store-following collection every STIX object version ingest stored that it lacks.

        Run after each ingest and when such a collection is made; idempotent, so an ingest killed
        between its own commit and this step is caught up by the next one. It compares keys (id,
        version) only and reads the JSON text of just the versions the collection lacks: a store of
        100,000 objects costs one pass over two short columns, not a parse of every object."""
        so = StixObjectRow.__table__
        default = RANK[collection["default_tlp"]]
        with self.store.writing() as conn:
            # The versions the collection lacks, found by the database in its (collection, object,
            # version) index. Liaison stores `modified` to the millisecond and collections to the
            # microsecond; a stamp in any other form is never matched here, so it comes back and is
            # compared below after a parse.
            ms = func.length(so.c.modified) == 24
            version = case((ms, func.substr(so.c.modified, 1, 23) + "000Z"), else_=so.c.modified)
            lacking = set(conn.execute(select(so.c.id, so.c.modified).where(~exists().where(
                CO.c.collection_id == collection["id"], CO.c.object_id == so.c.id, CO.c.version == version))).all())
            if not lacking:
                return 0
            held = select(CO.c.object_id, CO.c.version).where(CO.c.collection_id == collection["id"])
            few = len(lacking) <= 5000  # a few new versions (after an ingest), or most of the store
            if few:
                held = held.where(CO.c.object_id.in_({oid for oid, _ in lacking}))
            have = set(conn.execute(held).all())
            wanted = select(so.c.id, so.c.modified, so.c.type, so.c.object, so.c.stored_at)
            if not few:  # most of the store (a new collection): one pass beats lookups
                found = [r for r in conn.execute(wanted) if (r[0], r[1]) in lacking]
            else:
                ids = sorted({oid for oid, _ in lacking})
                found = [r for i in range(0, len(ids), 500)
                         for r in conn.execute(wanted.where(so.c.id.in_(ids[i : i + 500]))) if (r[0], r[1]) in lacking]
            found.sort(key=lambda r: (r[4], r[0]))  # in the order ingest stored them
            items = []
            for oid, _, otype, text, _ in found:
                obj = json.loads(text)
                version = normalise_timestamp(obj.get("modified") or obj.get("created"))
                if (oid, version) in have:
                    continue
                have.add((oid, version))
                # What decides access travels with the object; shared definitions stay as published.
                marked = None if oid in shared_definition_ids() else explicit(obj, default)
                items.append({"id": oid, "version": version, "spec_version": obj.get("spec_version", "2.1"),
                              # Published definitions are public: every reader of the collection may resolve them.
                              "type": otype, "tlp": CLEAR if marked is None and oid in shared_definition_ids()
                              else object_level(obj, default), "producer": obj.get("created_by_ref"),
                              "recipients": recipients_of(obj), "origin": "ingest",
                              "object": text if marked is None else dump_object(marked)})
            return sum(1 for a in self.add_objects(conn, collection, items) if a) if items else 0

    def sync_all(self) -> int:
        return sum(self.sync_from_store(c) for c in self.collections() if c["follows_store"])

    # ------------------------------------------------------------ statuses
    def save_status(self, conn: Connection, status: dict[str, Any], collection_id: str, partner_id: str | None,
                    details: str) -> None:
        conn.execute(insert(StatusRow.__table__).values(
            id=status["id"], collection_id=collection_id, partner_id=partner_id,
            request_timestamp=status["request_timestamp"], total_count=status["total_count"],
            success_count=status["success_count"], failure_count=status["failure_count"], details=details))

    def status(self, status_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(StatusRow).where(StatusRow.id == status_id)).mappings().first()
        return dict(row) if row else None

    # ------------------------------------------------------------ audit
    def audit(self, conn: Connection | None, *, partner_id: str | None, remote: str | None, method: str, path: str,
              collection_id: str | None, status: int, objects: int, user_name: str | None = None) -> None:
        # PostgreSQL's text holds no NUL: a request for /x%00 is recorded with the NUL written out.
        values = {"at": now(), "partner_id": partner_id, "user_name": user_name, "remote": remote, "method": method,
                  "path": path.replace("\x00", "\\x00")[:2000],
                  "collection_id": collection_id, "status": status, "objects": objects}
        if conn is not None:
            conn.execute(insert(AuditRow.__table__).values(**values))
        else:
            with self.store.writing() as c:
                c.execute(insert(AuditRow.__table__).values(**values))

    def audit_log(self, partner_id: str | None = None, since: dt.datetime | None = None,
                  limit: int = 100) -> list[dict[str, Any]]:
        q = select(AuditRow)
        if partner_id:
            q = q.where(AuditRow.partner_id == partner_id)
        if since:
            q = q.where(AuditRow.at >= since)
        q = q.order_by(AuditRow.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(q).mappings().all()]

    # ------------------------------------------------------------ pull positions
    def pull_position(self, url: str, collection: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(select(PullStateRow.added_after).where(PullStateRow.url == url,
                                                                        PullStateRow.collection == collection)
                                ).scalar_one_or_none()

    def set_pull_position(self, conn: Connection, url: str, collection: str, added_after: str | None) -> None:
        conn.execute(delete(PullStateRow.__table__).where(PullStateRow.url == url,
                                                          PullStateRow.collection == collection))
        conn.execute(insert(PullStateRow.__table__).values(url=url, collection=collection, added_after=added_after,
                                                           pulled_at=now()))
