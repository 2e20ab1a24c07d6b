"""What the store's reads return: small frozen records, never ORM rows or stored JSON.

Callers (listings, the command line, exports, fusion) read attributes of these records and of
the `liaison.model` records inside them, so how a table is laid out (which fields are columns,
which live in a row's JSON) stays the store's own business and can change without them.
`store/rebuild.py` is the one place that builds them from rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from liaison.model import Entity, Event
from liaison.stix.tlp import Marking


@dataclass(frozen=True)
class StoredDocument:
    """A document's current version as stored, with its marking. ``text`` is None unless the read
    asked for it (`Store.documents(text=True)`, `Store.document_text`): listings need no text, and
    reading every document's text would cost more than the rest."""

    id: str
    source_key: str
    stem: str
    version: int
    content_hash: str
    media_type: str
    extraction_method: str
    url: str | None
    title: str | None
    outlet: str | None
    published: dt.date | None
    published_from: str | None  # "metadata", "dateline" or None
    encoding: str | None
    encoding_confidence: float | None
    ingested_at: dt.datetime  # when this version was stored
    first_ingested: dt.datetime
    last_ingested: dt.datetime
    tlp: str | None  # the analyst's TLP 2.0 level; None: unmarked
    recipients: tuple[str, ...] = ()  # identity ids an AMBER+STRICT or RED document may also go to
    text: str | None = None

    @property
    def marking(self) -> Marking | None:
        return None if self.tlp is None else Marking(self.tlp, self.recipients)


@dataclass(frozen=True)
class InDocument:
    """What one document's current version says (an entity, an event), with that document: the
    base of StoredEntity and StoredEvent, whose ``document`` comes first."""

    document: StoredDocument  # without its text

    @property
    def document_id(self) -> str:
        return self.document.id

    @property
    def version(self) -> int:
        return self.document.version


@dataclass(frozen=True)
class StoredEntity(InDocument):
    """One entity as one document's current version names it (its mentions in that text)."""

    entity: Entity

    @property
    def key(self) -> str:
        return self.entity.key

    @property
    def canonical(self) -> str:
        return self.entity.canonical

    @property
    def type(self) -> str:
        return self.entity.type


@dataclass(frozen=True)
class EntitySummary:
    """An entity key across the current document versions: how many documents and mentions name it."""

    key: str
    canonical: str
    type: str
    documents: int
    mentions: int


@dataclass(frozen=True)
class StoredEvent(InDocument):
    """One event of one document's current version: its index there and the event as extracted."""

    idx: int
    event: Event

    @property
    def stem(self) -> str:
        return self.document.stem
