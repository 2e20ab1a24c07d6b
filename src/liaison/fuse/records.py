"""What fusion reads and what it decides: small frozen records, no SQL.

The store hands fusion one `EntityMention` per entity per document (a *node*: the document and
the entity's key there) and one `EventReport` per event, plus the analysts' `Override`s; fusion
gives back its decisions (`Link`, `StoryLink`, `Claim`, `RoleFact`), each with the evidence for
it, and the store writes them. Keeping the records here, and the rules in pure functions over
them, lets the same resolution run over a whole store (`liaison resolve --all`), over one new
document against the store (incremental), and over an in-memory corpus (tests, benchmarks).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

Node = tuple[str, str]  # (document id, entity key in that document)


@dataclass(frozen=True, slots=True)  # slots: a store of 160k nodes holds no 160k dicts
class EntityMention:
    """One entity as one document names it: what entity resolution links across documents."""

    document: str  # document id
    key: str  # the entity's key in that document (model.Entity.key, already folded by extraction)
    canonical: str  # the name extraction chose in that document
    type: str  # model.ENTITY_TYPES
    names: tuple[str, ...]  # every distinct surface string of it in the document
    titles: tuple[str, ...] = ()  # "de facto leader", "CENTCOM commander" (model.Entity.titles)
    aliases: tuple[str, ...] = ()  # other names known for it: the curated gazetteer's, or the text's
    # ("formerly known as", "also known as"): names it may be written as elsewhere
    context: tuple[str, ...] = ()  # keys of the other entities the same document names
    published: dt.date | None = None  # the document's date, for roles and facts over time
    country_code: str | None = None  # places: ISO 3166-1 alpha-2
    admin1: str | None = None  # places: first-level division it is or lies in
    feature: str | None = None  # places: populated_place, administrative_area, ...
    gazetteer: str | None = None  # which data set named it ("actors", "geonames", ...), None: the text only

    @property
    def node(self) -> Node:
        return (self.document, self.key)


@dataclass(frozen=True)
class Override:
    """An analyst's decision, which resolution must follow on every later run.

    ``merge``: every node whose key is in ``keys`` is one entity. ``split``: the nodes of the
    entity with one of ``keys`` that are named ``alias`` (or, with ``document``, that document's
    node) become an entity of their own and are never linked back."""

    kind: str  # "merge" or "split"
    keys: tuple[str, ...]
    alias: str | None = None
    document: str | None = None
    by: str = ""
    at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Link:
    """Why a node belongs to its resolved entity: the rule or score, and the node it was linked to."""

    node: Node
    entity: str  # the resolved entity's id: the key of its representative node
    # "self" (the representative), "same-key", "alias", "name-variant", "middle-name", "short-name",
    # "acronym", "context", "merge", "split" (docs/fusion.md says what each means)
    rule: str
    score: float = 1.0
    against: Node | None = None


@dataclass(frozen=True)
class EventReport:
    """One event as one document reports it, with its places and actors already resolved."""

    document: str
    idx: int  # the event's index in its document's extraction
    type: str
    date_start: dt.date | None = None
    date_end: dt.date | None = None
    location: str | None = None  # resolved entity id
    within: tuple[str, ...] = ()  # resolved ids of the places the location lies in (province, country)
    actors: tuple[str, ...] = ()  # resolved entity ids
    targets: tuple[str, ...] = ()
    quantities: tuple[tuple[str, int], ...] = ()  # (kind, value)
    source: str | None = None  # who the document says the event is reported by
    published: dt.date | None = None
    aggregate: bool = False  # sums up several happenings ("22 operations between ...")
    evidence_start: int | None = None  # where its sentence starts in its document: names its STIX event
    # "country:XX" where the location is a country, so a town that lies in it (``within``) nests
    # in it even where the town's document never names the country
    location_country: str | None = None
    # One per actor (per target), in order: "country:XX" where it is a state or one of its bodies
    # ("United States", "U.S. Central Command", "the Nigerian army"), "" where not: one state's
    # organs and the state are one actor, and one party to an arrangement
    actor_states: tuple[str, ...] = ()
    target_states: tuple[str, ...] = ()

    @property
    def ref(self) -> tuple[str, int]:
        return (self.document, self.idx)


@dataclass(frozen=True)
class StoryLink:
    """Which fused event (story) a report belongs to, and why."""

    ref: tuple[str, int]
    story: str  # the fused event's id: the ref of its first report, as "document:idx"
    rule: str  # "self", "same-happening"
    score: float = 1.0
    against: tuple[str, int] | None = None


@dataclass(frozen=True)
class Claim:
    """One source's value for one figure or date of one fused event; claims that disagree are kept
    side by side and flagged, never overwritten."""

    story: str
    field: str  # a quantity kind ("killed", "troops", ...) or "date"
    value: str
    ref: tuple[str, int]
    source: str | None
    published: dt.date | None
    conflict: bool = False


@dataclass(frozen=True)
class RoleFact:
    """A title or affiliation of a resolved entity as the documents state it, with when it held."""

    entity: str
    role: str
    first_seen: dt.date | None
    last_seen: dt.date | None
    documents: tuple[str, ...]
