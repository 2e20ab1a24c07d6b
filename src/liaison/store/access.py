"""Who may see what: the one access rule, for TAXII now and the web UI next (docs/sharing.md, "One access rule").

Every face of Liaison asks here, with an ``Actor``, and gets SQL conditions back, so that what a
reader is shown (objects, pages, counts, documents, entities, events, search hits) is built from
rows it may see and nothing else, by the database, the same way for every face. No face restates
any part of the rule in Python.

The rule:

* own analysts and administrators (this installation's members) see everything it holds;
* a partner member reads a collection with a read grant or when it is public, writes with a write
  grant; an anonymous client reads public collections only and writes nowhere;
* inside a collection it may read, TLP:CLEAR goes to every reader; GREEN and AMBER to every
  authenticated reader; AMBER+STRICT and RED only to the producer and the named recipients;
* a document (its text, versions, extractions: entities, mentions, events, roles, fusion's links,
  stories and claims) is seen by a partner only through its report: the latest version of the
  report that this installation's ingest put in a collection the partner may read must be visible
  to it, and the document's own current marking must admit it too.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass

from sqlalchemy import Table, and_, case, exists, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement, True_

from liaison.stix.tlp import AMBER, AMBER_STRICT, CLEAR, LEVELS
from liaison.store.schema import (
    CollectionObjectRow,
    CollectionRow,
    DocumentObjectRow,
    DocumentRow,
    GrantRow,
    RecipientRow,
)

CO = CollectionObjectRow.__table__
CT = CollectionRow.__table__
GT = GrantRow.__table__
RC = RecipientRow.__table__
DO = DocumentObjectRow.__table__
DOCS = DocumentRow.__table__
_REPORT = CO.alias("report_row")  # aliases made once: each builds its column collection on first use
_LATER = CO.alias("later_report_row")
_SERVED = CO.alias("served_row")
# Lookups by object id name the collections too: collection_objects is indexed by (collection, object,
# version), so the few collections lead the way into it (there is no index on the object id alone).
_COLLECTION_IDS = select(CT.alias("each_collection").c.id).scalar_subquery()

#: Where a collection row came from when this installation's ingest put it there (CollectionObjectRow.origin).
INGEST = "ingest"


class Kind(enum.StrEnum):
    ANONYMOUS = "anonymous"  # no credentials
    PARTNER = "partner"  # a member of a partner organisation (over TAXII: the partner's token)
    ANALYST = "analyst"  # this installation's own analyst
    ADMIN = "admin"  # this installation's administrator: an analyst who also manages sharing and users
    ORGANISATION = "organisation"  # this installation reading its collections as its organisation, under TLP


@dataclass(frozen=True)
class Actor:
    """Who is asking. ``partner_id`` and ``identity_id`` name a partner member's organisation (its
    STIX identity is what producers and recipient lists name); own members may carry this
    installation's identity; an anonymous actor carries neither."""

    kind: Kind
    partner_id: str | None = None
    identity_id: str | None = None

    def __post_init__(self) -> None:
        if self.kind is Kind.ANONYMOUS and (self.partner_id or self.identity_id):
            raise ValueError("an anonymous actor names no organisation")

    @property
    def anonymous(self) -> bool:
        return self.kind is Kind.ANONYMOUS

    @property
    def own(self) -> bool:
        """A member of this installation: sees everything it holds."""
        return self.kind in (Kind.ANALYST, Kind.ADMIN)

    @property
    def administrator(self) -> bool:
        return self.kind is Kind.ADMIN


ANONYMOUS = Actor(Kind.ANONYMOUS)


@dataclass(frozen=True)
class Access:
    """An actor's rights on one collection."""

    can_read: bool
    can_write: bool

    @property
    def any(self) -> bool:
        return self.can_read or self.can_write


def partner_member(partner_id: str | None, identity_id: str | None) -> Actor:
    return Actor(Kind.PARTNER, partner_id, identity_id)


def own_analyst(identity_id: str | None = None) -> Actor:
    return Actor(Kind.ANALYST, None, identity_id)


def administrator(identity_id: str | None = None) -> Actor:
    return Actor(Kind.ADMIN, None, identity_id)


def organisation(identity_id: str, name: str | None = None) -> Actor:
    """This installation reading its own collections as an organisation: every collection, and the
    TLP rule as it holds for a partner with this installation's identity (what `liaison export`
    bundles, which may travel on: a partner's RED object that does not name this installation stays out)."""
    return Actor(Kind.ORGANISATION, name, identity_id)


# ---------------------------------------------------------------- collections


def _granted(actor: Actor, right: ColumnElement, collection_id: ColumnElement) -> ColumnElement[bool]:
    return exists().where(GT.c.collection_id == collection_id, GT.c.partner_id == actor.partner_id, right == true())


def can_read(actor: Actor, collection: Table = CT) -> ColumnElement[bool]:
    """Whether the actor may read a collection: a condition over ``collection`` (collections or an alias)."""
    if actor.own or actor.kind is Kind.ORGANISATION:
        return true()
    if actor.anonymous:
        return collection.c.public == true()
    return or_(collection.c.public == true(), _granted(actor, GT.c.can_read, collection.c.id))


def can_write(actor: Actor, collection: Table = CT) -> ColumnElement[bool]:
    """Whether the actor may add objects to a collection and delete those it sees."""
    if actor.own:
        return true()
    if actor.anonymous or actor.kind is Kind.ORGANISATION:
        return false()
    return _granted(actor, GT.c.can_write, collection.c.id)


def usable_collections(actor: Actor):  # noqa: ANN201 (a Select)
    """The collections the actor may read or write, each with its ``can_read`` and ``can_write``:
    what a collection list shows. A collection it may neither read nor write is not there at all, so
    its existence does not leak."""
    read, write = can_read(actor), can_write(actor)
    return select(*CT.c, read.label("can_read"), write.label("can_write")).where(or_(read, write))


def may_enter(actor: Actor, any_public: bool) -> bool:
    """Whether the actor may reach the API at all: every authenticated actor; an anonymous one only
    while some collection is public (``any_public``, which the caller reads in SQL)."""
    return not actor.anonymous or any_public


def may_read_status(actor: Actor, posted_by: str | None) -> bool:
    """A POST's status is read by the partner that posted it (and by own members)."""
    return actor.own or (actor.kind is Kind.PARTNER and posted_by is not None and posted_by == actor.partner_id)


# ---------------------------------------------------------------- collection objects


# Conditions are immutable clause trees, safe to put in many statements: building them costs more
# than the database's answer to a one-object lookup, so each is built once per actor and collection.
_cached = functools.lru_cache(maxsize=4096)


@_cached
def visible(actor: Actor, table: Table = CO) -> ColumnElement[bool]:
    """The TLP part of the rule, for rows of ``table`` (collection_objects or an alias) in a collection
    the actor may read."""
    if actor.own:
        return true()
    if actor.anonymous:
        return table.c.tlp == CLEAR
    return _admits(actor, table.c.tlp, table.c.producer == actor.identity_id,
                   exists().where(RC.c.seq == table.c.seq, RC.c.identity_id == actor.identity_id))


def _admits(actor: Actor, rank: ColumnElement, produced: ColumnElement[bool],
            named: ColumnElement[bool]) -> ColumnElement[bool]:
    """TLP 2.0 for an authenticated organisation: ``rank`` a level's rank, ``produced`` whether the actor's
    organisation produced it, ``named`` whether it is a named recipient."""
    return or_(rank <= AMBER, and_(rank >= AMBER_STRICT, or_(produced, named)))


def _collection_allows(actor: Actor, collection_id: str | ColumnElement, right) -> ColumnElement[bool]:  # noqa: ANN001
    """Whether the actor has ``right`` (can_read or can_write) on the collection ``collection_id``."""
    cond = right(actor, CT)
    return true() if isinstance(cond, True_) else exists().where(CT.c.id == collection_id, cond)


@_cached
def readable_in(actor: Actor, collection_id: str, table: Table = CO) -> ColumnElement[bool]:
    """Objects this actor may read in this collection: its right to read the collection and the TLP rule.
    The right is asked of the collection named, once per query, not of each row's."""
    return and_(table.c.collection_id == collection_id, _collection_allows(actor, collection_id, can_read),
                visible(actor, table))


def readable(actor: Actor, table: Table = CO) -> ColumnElement[bool]:
    """Rows of ``table`` (collection_objects or an alias), in any collection, that the actor may read."""
    return and_(_collection_allows(actor, table.c.collection_id, can_read), visible(actor, table))


@_cached
def writable_in(actor: Actor, collection_id: str, table: Table = CO) -> ColumnElement[bool]:
    """Object versions this actor may delete from this collection: a write right, and only what it sees."""
    return and_(table.c.collection_id == collection_id, _collection_allows(actor, collection_id, can_write),
                visible(actor, table))


def served(actor: Actor, object_id: ColumnElement) -> ColumnElement[bool]:
    """Whether some collection the actor may read serves it some version of the STIX object ``object_id``
    (a column or value): the rule for showing an object by its id (an entity's or event's STIX object,
    a grouping, a note), as TAXII would give it."""
    return exists().where(_SERVED.c.collection_id.in_(_COLLECTION_IDS), _SERVED.c.object_id == object_id,
                          readable(actor, _SERVED))


# ---------------------------------------------------------------- documents and what is drawn from them

_MARKED = DOCS.alias("marked_document")


def visible_documents(actor: Actor, document_id: ColumnElement = DOCS.c.id) -> ColumnElement[bool]:
    """Whether the actor may see the document ``document_id`` (a column: documents.id, or the
    document_id of any row drawn from a document): its text, metadata and extractions.

    Own members see every document. Anyone else sees one when the latest version of its report that
    ingest put in a collection the actor may read is visible to it (so a re-marking, a new version,
    hides or releases the document as it hides or releases the report), and the document's own
    current marking admits it too (closing the moment between an ingest or a `liaison mark` and the
    collections catching up). Reports are found through document_objects (what the document's
    current version yields), not recomputed: their ids hang off this installation's namespace."""
    if actor.own:
        return true()
    report, later = _REPORT, _LATER
    latest = ~exists().where(later.c.collection_id == report.c.collection_id, later.c.object_id == report.c.object_id,
                             later.c.origin == INGEST, later.c.version > report.c.version)
    # Nested, so the document's few links lead and each report is found by (collection, object).
    shown = exists().where(report.c.collection_id.in_(_COLLECTION_IDS), report.c.object_id == DO.c.object_id,
                           report.c.origin == INGEST, readable(actor, report), latest)
    # A range, not LIKE 'report--%' (which SQLite does not turn into an index range): "." follows "-".
    through_report = exists().where(DO.c.document_id == document_id, DO.c.object_id >= "report--",
                                    DO.c.object_id < "report-.", shown)
    return and_(through_report, _document_marking_admits(actor, document_id))


def _document_marking_admits(actor: Actor, document_id: ColumnElement) -> ColumnElement[bool]:
    """The document's own marking (None: unmarked, the collection's default decides) under the same TLP rule."""
    if document_id is DOCS.c.id:
        return _marking_admits(actor, DOCS)
    # An alias, so the check does not correlate with a documents table the outer query joins.
    return exists().where(_MARKED.c.id == document_id, _marking_admits(actor, _MARKED))


def _marking_admits(actor: Actor, docs: Table) -> ColumnElement[bool]:
    if actor.anonymous:
        return or_(docs.c.tlp.is_(None), docs.c.tlp == LEVELS[CLEAR])
    rank = case({level: rank for rank, level in enumerate(LEVELS)}, value=docs.c.tlp)
    if actor.identity_id is None:
        return or_(docs.c.tlp.is_(None), rank <= AMBER)
    # this installation produced every document; recipients are a JSON list of identity ids
    produced = true() if actor.kind is Kind.ORGANISATION else false()
    named = docs.c.recipients.contains(f'"{actor.identity_id}"', autoescape=True)
    return or_(docs.c.tlp.is_(None), _admits(actor, rank, produced, named))


def visible_rows(actor: Actor, table: Table) -> ColumnElement[bool]:
    """Rows drawn from a document (a table with a ``document_id`` column: document_versions,
    entities, mentions, events, event_roles, document_objects, entity_links, event_stories,
    claims) that the actor may see: those of documents it may see."""
    return visible_documents(actor, table.c.document_id)
