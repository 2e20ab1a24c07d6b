"""What the sharing admin pages read: partners, users, collections and the audit log, a page at a
time, and "shared with": which collections hold a STIX object and which partners the one access
rule lets read it.

The lists are pages of indexed queries (partners and users by their primary or unique key,
collections by alias with grants and counts for the page's collections only, the audit log newest
first by key, below a keyset ``before``), so no admin page reads a whole table.

"Shared with" decides nothing itself: for every partner on the page it asks the database the
conditions TAXII asks (liaison.store.access: ``served`` for the verdict, ``readable_in`` for
the version each collection would give it, ``can_read`` for the collection right), with that
partner's ``Actor``, in one statement. What it adds is description (which grant or public
collection it went through, the TLP level of the versions a partner may not see, a revocation, which
ends every token before the rule is asked), read from the same rows, never a second rule.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.sql.elements import ColumnElement

from liaison.stix.tlp import LEVELS
from liaison.store.access import ANONYMOUS, Actor, can_read, partner_member, readable_in, served
from liaison.store.database import Store
from liaison.store.reading import Page, bounded, page_of
from liaison.store.reading.dashboard import generation
from liaison.store.schema import (
    AuditRow,
    CollectionObjectRow,
    CollectionRow,
    GrantRow,
    PartnerRow,
    StixObjectRow,
    TokenRow,
    UserRow,
)

PT = PartnerRow.__table__
TK = TokenRow.__table__
UT = UserRow.__table__
CT = CollectionRow.__table__
GT = GrantRow.__table__
CO = CollectionObjectRow.__table__
SO = StixObjectRow.__table__
AU = AuditRow.__table__

#: How far out of time order an audit row may be written (a writer waiting on the lock): see ``audit``.
SINCE_SLACK = dt.timedelta(days=1)
#: The most collections "shared with" lists as holding one object (a store has a handful).
MAX_HOLDERS = 200


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """A stored time as UTC (SQLite gives naive datetimes back)."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


# ---------------------------------------------------------------- partners


def partners(store: Store, offset: int = 0, limit: int = 50) -> Page:
    """Partners by id, each with its live (unrevoked) tokens counted: what `liaison partners list` shows."""
    offset, limit = bounded(offset, limit)
    live = (select(func.count()).select_from(TK).where(TK.c.partner_id == PT.c.id, TK.c.revoked_at.is_(None))
            .scalar_subquery())
    q = (select(PT.c.id, PT.c.name, PT.c.identity_id, PT.c.created_at, PT.c.revoked_at, live.label("tokens"))
         .order_by(PT.c.id).offset(offset).limit(limit + 1))
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
    for r in rows:
        r["created_at"], r["revoked_at"] = _aware(r["created_at"]), _aware(r["revoked_at"])
    return page_of(rows, offset, limit)


def partner_ids(store: Store, limit: int = 200) -> list[str]:
    """Partner ids for a form's suggestions (bounded; any id may still be typed)."""
    with store.engine.connect() as conn:
        return list(conn.execute(select(PT.c.id).order_by(PT.c.id).limit(limit)).scalars())


def identity_owner(store: Store, identity_id: str) -> str | None:
    """The partner registered under this STIX identity, if any (identities are unique)."""
    with store.engine.connect() as conn:
        return conn.execute(select(PT.c.id).where(PT.c.identity_id == identity_id)).scalar()


# ---------------------------------------------------------------- users


def users(store: Store, offset: int = 0, limit: int = 50) -> Page:
    """Users by name: organisation, role, when the password was set and whether it is a one-time one,
    whether disabled, failed sign-ins. Never a hash."""
    offset, limit = bounded(offset, limit)
    q = (select(UT.c.name, UT.c.organisation, UT.c.admin, UT.c.created_at, UT.c.password_set_at, UT.c.must_change,
                UT.c.disabled_at, UT.c.failed_signins, UT.c.last_failed_at)
         .order_by(UT.c.name).offset(offset).limit(limit + 1))
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
    for r in rows:
        r["role"] = "administrator" if r["admin"] else "analyst" if r["organisation"] is None else "member"
        for key in ("created_at", "password_set_at", "disabled_at", "last_failed_at"):
            r[key] = _aware(r[key])
    return page_of(rows, offset, limit)


# ---------------------------------------------------------------- collections


#: Each collection's object versions as last counted, per store, with the store generation they were
#: counted at (liaison.store.reading.dashboard.generation: a new row, a DELETE, a re-marking), so an
#: unchanged store's page is not counted again (a range of 1.4 million index entries: ~110 ms).
_COUNTED: dict[tuple[str, str], tuple[tuple, int]] = {}
_COUNTED_LOCK = threading.Lock()


def _versions(conn: Any, store: Store, cid: str, made_at: tuple) -> int:  # noqa: ANN401 (a Connection)
    key = (store.url, cid)
    with _COUNTED_LOCK:
        found = _COUNTED.get(key)
    if found is not None and found[0] == made_at:
        return found[1]
    n = conn.execute(select(func.count()).select_from(CO).where(CO.c.collection_id == cid)).scalar()
    with _COUNTED_LOCK:
        if len(_COUNTED) > 4096:
            _COUNTED.clear()
        _COUNTED[key] = (made_at, n)
    return n


def collections(store: Store, offset: int = 0, limit: int = 50) -> Page:
    """Collections by alias with their readers, writers and object versions counted (for the page's
    collections only, each count a range of the (collection, ...) index, kept until the store changes)."""
    offset, limit = bounded(offset, limit)
    q = select(CT).order_by(CT.c.alias).offset(offset).limit(limit + 1)
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
        shown = [r["id"] for r in rows[:limit]]
        grants = conn.execute(select(GT).where(GT.c.collection_id.in_(shown))).mappings().all() if shown else []
        made_at = generation(store)
        counts = {cid: _versions(conn, store, cid, made_at) for cid in shown}
    for r in rows:
        mine = [g for g in grants if g["collection_id"] == r["id"]]
        r["readers"] = sorted(g["partner_id"] for g in mine if g["can_read"])
        r["writers"] = sorted(g["partner_id"] for g in mine if g["can_write"])
        r["objects"] = counts.get(r["id"], 0)
    return page_of(rows, offset, limit)


def collection_aliases(store: Store, limit: int = 200) -> list[str]:
    with store.engine.connect() as conn:
        return list(conn.execute(select(CT.c.alias).order_by(CT.c.alias).limit(limit)).scalars())


# ---------------------------------------------------------------- the audit log


@dataclass(frozen=True)
class AuditPage:
    """Audit rows newest first; ``next_before`` is the key the next (older) page starts below."""

    rows: list[dict[str, Any]]
    before: int | None
    next_before: int | None


def audit(store: Store, partner_id: str | None = None, user_name: str | None = None,
          since: dt.datetime | None = None, before: int | None = None, limit: int = 50) -> AuditPage:
    """TAXII requests and web pages in the audit log, newest first (by key), filtered by partner (its
    TAXII requests and its members' pages), user and time; ``before`` (a row's key) pages on."""
    _, limit = bounded(0, limit)
    q = select(AU)
    if partner_id:
        q = q.where(AU.c.partner_id == partner_id)
    if user_name:
        q = q.where(AU.c.user_name == user_name)
    if before is not None:
        q = q.where(AU.c.id < before)
    q = q.order_by(AU.c.id.desc()).limit(limit + 1)
    with store.engine.connect() as conn:
        if since is not None:
            # Walking the key down from the newest row, ``at >= since`` alone would go on to the
            # table's first row whenever less than a page matches. Rows are keyed in the order they
            # are written, so the walk stops at the first row written a day before ``since`` (found
            # by the time index): a row written a day out of order is all it could miss.
            floor = conn.execute(select(AU.c.id).where(AU.c.at >= since - SINCE_SLACK).order_by(AU.c.at, AU.c.id)
                                 .limit(1)).scalar()
            if floor is None:
                return AuditPage([], before, None)
            q = q.where(AU.c.at >= since, AU.c.id >= floor)
        rows = [dict(r) for r in conn.execute(q).mappings()]
    for r in rows:
        r["at"] = _aware(r["at"])
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditPage(rows, before, rows[-1]["id"] if more and rows else None)


# ---------------------------------------------------------------- shared with


@dataclass
class Verdict:
    """Whether TAXII serves the object to one reader, and why."""

    partner: dict[str, Any] | None  # None: anonymous clients
    served: bool  # what the rule says (a revoked partner is still refused: see ``receives``)
    through: list[dict[str, Any]] = field(default_factory=list)  # collections serving it: alias, version, how
    stopped: list[dict[str, Any]] = field(default_factory=list)  # collections it may read that serve it nothing
    unreadable: list[str] = field(default_factory=list)  # holding collections it may not read (aliases)

    @property
    def revoked(self) -> bool:
        return bool(self.partner and self.partner["revoked_at"] is not None)

    @property
    def receives(self) -> bool:
        """What TAXII gives it: the rule's answer, unless the partner is revoked (no token authenticates)."""
        return self.served and not self.revoked


@dataclass(frozen=True)
class SharedWith:
    object_id: str
    stored: bool  # this installation's store holds some version of it
    holders: list[dict[str, Any]]  # collections holding it: alias, id, public, default_tlp, versions, latest, level
    anonymous: Verdict
    partners: Page  # rows: Verdict


def _verdict_columns(actor: Actor, key: str, object_id: str, holders: list[dict[str, Any]]) -> list[ColumnElement]:
    """The questions asked of the database for one reader: the rule's verdict (``served``), and per
    holding collection its right to read it (``can_read``) and the newest version the collection
    would give it (``readable_in``, TAXII's own condition)."""
    cols: list[ColumnElement] = [select(served(actor, object_id)).scalar_subquery().label(f"{key}_served")]
    for i, h in enumerate(holders):
        cols.append(select(exists().where(CT.c.id == h["id"], can_read(actor, CT))).scalar_subquery()
                    .label(f"{key}_read_{i}"))
        cols.append(select(func.max(CO.c.version)).where(CO.c.object_id == object_id,
                                                         readable_in(actor, h["id"])).scalar_subquery()
                    .label(f"{key}_version_{i}"))
    return cols


def _verdict(partner: dict[str, Any] | None, key: str, answers: dict[str, Any], holders: list[dict[str, Any]],
             grants: dict[tuple[str, str], bool]) -> Verdict:
    found = Verdict(partner, bool(answers[f"{key}_served"]))
    for i, h in enumerate(holders):
        version = answers[f"{key}_version_{i}"]
        if version is not None:
            how = "read grant" if partner and grants.get((h["id"], partner["id"])) else "public collection"
            found.through.append({"alias": h["alias"], "version": version, "how": how,
                                  "older": version != h["latest"]})
        elif answers[f"{key}_read_{i}"]:
            found.stopped.append({"alias": h["alias"], "levels": h["levels"]})
        else:
            found.unreadable.append(h["alias"])
    return found


def shared_with(store: Store, object_id: str, offset: int = 0, limit: int = 50) -> SharedWith | None:
    """Which collections hold the STIX object ``object_id`` and, for each partner (a page of them, by
    id) and for anonymous clients, whether TAXII serves it and why. None when neither the store nor
    any collection holds it."""
    offset, limit = bounded(offset, limit)
    with store.engine.connect() as conn:
        stored = conn.execute(select(SO.c.id).where(SO.c.id == object_id).limit(1)).first() is not None
        latest = (select(CO.c.version).where(CO.c.collection_id == CT.c.id, CO.c.object_id == object_id)
                  .order_by(CO.c.version.desc()).limit(1).scalar_subquery())
        versions = (select(func.count()).select_from(CO).where(CO.c.collection_id == CT.c.id,
                                                               CO.c.object_id == object_id).scalar_subquery())
        holders = [dict(r) for r in conn.execute(
            select(CT.c.id, CT.c.alias, CT.c.public, CT.c.default_tlp, latest.label("latest"),
                   versions.label("versions"))
            .where(exists().where(CO.c.collection_id == CT.c.id, CO.c.object_id == object_id))
            .order_by(CT.c.alias).limit(MAX_HOLDERS)).mappings()]
        if not stored and not holders:
            return None
        for h in holders:  # the TLP levels its versions carry there, strictest first: what may stop a reader
            ranks = conn.execute(select(CO.c.tlp).where(CO.c.collection_id == h["id"], CO.c.object_id == object_id)
                                 .distinct()).scalars()
            h["levels"] = [LEVELS[r] for r in sorted(set(ranks), reverse=True)]
        page = [dict(r) for r in conn.execute(
            select(PT.c.id, PT.c.name, PT.c.identity_id, PT.c.revoked_at).order_by(PT.c.id)
            .offset(offset).limit(limit + 1)).mappings()]
        shown = page[:limit]
        grants: dict[tuple[str, str], bool] = {}
        if shown and holders:
            grants = {(g.collection_id, g.partner_id): bool(g.can_read) for g in conn.execute(
                select(GT.c.collection_id, GT.c.partner_id, GT.c.can_read).where(
                    GT.c.collection_id.in_([h["id"] for h in holders]),
                    GT.c.partner_id.in_([p["id"] for p in shown])))}
        readers = [(None, "anon", ANONYMOUS)] + [
            (p, f"p{i}", partner_member(p["id"], p["identity_id"])) for i, p in enumerate(shown)]
        cols = [c for _, key, actor in readers for c in _verdict_columns(actor, key, object_id, holders)]
        answers = dict(conn.execute(select(*cols)).mappings().one())
    verdicts = [_verdict(p, key, answers, holders, grants) for p, key, _ in readers]
    return SharedWith(object_id, stored, holders, verdicts[0],
                      Page([v for v in verdicts[1:]], offset, limit, len(page) > limit))  # type: ignore[misc]
