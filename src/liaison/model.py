"""Small frozen records passed between stages: a Document in, an Extraction out.

Every extracted item keeps the character span of the stored text it came from,
so any claim can be traced back to the words that support it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

ENTITY_TYPES = (
    "person",
    "organization",
    "armed_group",
    "government_body",
    "country",
    "place",
    "facility",
)

EVENT_TYPES = (
    "military_operation",
    "raid_or_arrest",
    "airstrike",
    "attack",
    "foiled_attack",
    "meeting",
    "designation_or_sanction",
    "troop_deployment",
    "agreement_or_membership",
    "intelligence_sharing",
)

QUANTITY_KINDS = ("killed", "captured", "wounded", "troops", "operations")


@dataclass(frozen=True)
class Document:
    """A document as stored: its text plus what is known of where it came from."""

    source_key: str  # path or URL that names the document across re-ingests
    stem: str  # file stem, used to name per-document exports
    text: str
    media_type: str
    url: str | None = None
    title: str | None = None
    outlet: str | None = None
    published: dt.date | None = None
    published_from: str | None = None  # "metadata", "dateline" or None
    encoding: str | None = None  # what the bytes were read as: "utf-8", "cp1252", "utf-16-le", ...
    encoding_confidence: float | None = None  # 1.0 when certain (a BOM, valid UTF-8, a declaration)
    # The analyst's TLP 2.0 level ("clear" ... "red"; None: unmarked, a collection's default decides) and,
    # for AMBER+STRICT and RED, the identity ids it may also go to. Not part of the content: a new
    # marking of the same text is a new version of its STIX objects, not of the document.
    tlp: str | None = None
    recipients: tuple[str, ...] = ()

    @property
    def content_hash(self) -> str:
        import hashlib
        import json

        meta = [self.text, self.url, self.title, self.outlet, str(self.published)]
        return hashlib.sha256(json.dumps(meta, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Entity:
    """One real-world thing named in a document, with every mention of it."""

    key: str  # canonical key, the same across documents: "person:ahmed al-sharaa"
    canonical: str
    type: str
    mentions: tuple[Span, ...]
    titles: tuple[str, ...] = ()
    descriptions: tuple[str, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    country_code: str | None = None
    gazetteer: str | None = None  # which data set named it: "actors", "geonames", "iso3166-2", "m49",
    # or "context" (a place no data set knows, put in a country by what the document says)
    feature: str | None = None  # populated_place, administrative_area, natural_feature, region
    admin_code: str | None = None  # ISO 3166-2 code of an administrative area ("IQ-SD")
    region: str | None = None  # STIX region-ov value (UN M49 subregion) of a place or country
    # Where a place lies (liaison.extract.hierarchy): the first-level division (province, state,
    # governorate) it is or lies in, that division's ISO 3166-2 code where known, and the
    # second-level division (district, county) where known: "Achin" -> Nangarhar, AF-NAN, Achin.
    admin1: str | None = None
    admin1_code: str | None = None
    admin2: str | None = None
    # Other names the thing is known by beyond this document's mentions: a curated actor's aliases
    # ("ISIS", "Daesh"); what STIX exports as `aliases`, and what fusion may match elsewhere.
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Quantity:
    kind: str  # killed, captured, wounded, troops, operations
    value: int  # the figure a reader would quote; the upper bound of a range
    qualifier: str  # exact, approximate, lower_bound, upper_bound, range
    low: int | None
    high: int | None
    span: Span


@dataclass(frozen=True)
class DateValue:
    """A date expression and, when it can be fixed, its ISO value (a day, month, year or interval)."""

    span: Span
    value: str | None
    start: dt.date | None = None
    end: dt.date | None = None
    fidelity: str | None = None  # day, month, year


@dataclass(frozen=True)
class Attribution:
    source: str  # "the US military", "unnamed officials speaking to the Washington Post"
    span: Span
    cue: str  # said, according to, told, ...


@dataclass(frozen=True)
class Event:
    type: str
    subtype: str  # Liaison's finer type, e.g. "airstrike.drone"
    trigger: Span
    evidence: Span  # the sentence
    actors: tuple[str, ...] = ()  # entity keys
    targets: tuple[str, ...] = ()
    location: str | None = None
    date: DateValue | None = None
    quantities: tuple[Quantity, ...] = ()
    attribution: Attribution | None = None
    status: str = "occurred"  # occurred, not-occurred (foiled)
    hedged: bool = False
    confidence: int = 80  # STIX 0-100
    # The other sentences that mention the same event ("The attack killed five"), after the one
    # that states it first (the evidence); liaison.extract.discourse groups them.
    mentions: tuple[Span, ...] = ()


@dataclass(frozen=True)
class Extraction:
    entities: tuple[Entity, ...] = ()
    events: tuple[Event, ...] = ()
    method: str = ""
    extras: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
