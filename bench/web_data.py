"""A generated store for the web bench: 100,000 documents' worth of rows, written straight into the tables.

    from web_data import build_store
    path = build_store(Path("bench/out/web"), documents=100_000)   # cached by size, seed and generator

Why it is built this way:
  - Ingesting 100,000 articles for real would take hours; the pages only read rows. So rows are made
    here, shaped like the ones `liaison ingest` + `liaison resolve` + a store-following collection
    write for the example articles (read from a scratch store of examples/articles): per document
    ~1,400 characters of text, 8-22 entities with 1-3 mentions each at real offsets in the text,
    1-7 events with their roles, claims and stories, a report, its events and relationships as STIX
    objects (entity objects made once, by the first document that names them), the document's
    links to every object it yields, and each object's version in the collection, with its TLP rank,
    producer and recipients.
  - Distributions are those that make pages slow or fast: entity names drawn with Zipf-like
    frequency from a pool that grows with the store (a few names in thousands of documents, most in
    a handful); a TLP mix with unmarked (the collection's default AMBER), CLEAR, GREEN, AMBER,
    AMBER+STRICT and RED documents, the strict ones naming some partners as recipients; a few
    documents re-ingested (two versions, extractions kept for both) or re-marked (two versions of
    their report in the collection, the later one deciding); publication dates spread over twelve
    years; partners with and without grants, and a second collection of objects a partner posted.
  - One generator (``generate``) yields (table, rows) batches of plain Python values; a writer per
    backend puts them in: SQLite through the driver's executemany in one transaction per batch with
    the journal off (a build either finishes and is renamed into the cache, or is thrown away),
    PostgreSQL through SQLAlchemy's executemany. No ANALYZE is run: a real store never runs it, so
    the query planner sees what it sees in production.
  - An entity object's TLP rank is the first naming document's (the store takes the strictest of
    all of them; the pages' cost does not depend on which level it is).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import os
import random
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from liaison.stix.tlp import AMBER, LEVELS, MARKING_IDS

#: Bump when the rows generated change, so cached stores are made again.
GENERATOR_VERSION = 1
SEED = 14
PASSWORD = "a long enough bench password"
#: The users the bench signs in as: this installation's analyst and a member of partner alpha.
ANALYST, PARTNER_MEMBER = "analyst", "alpha-member"
#: partner -> (read the reports collection?, write it?); delta has no grant at all.
PARTNERS = {"alpha": (True, False), "bravo": (True, False), "charlie": (True, True), "delta": (False, False)}
#: Document markings and their shares: None is unmarked (the collection's default, AMBER, decides).
TLP_MIX = ((None, 0.45), ("clear", 0.10), ("green", 0.20), ("amber", 0.12), ("amber+strict", 0.09), ("red", 0.04))
DOCS_PER_BATCH = 500
NS = uuid.UUID("1d4e2b8c-1b4f-4a57-9e4e-14b3c7a0f001")

COUNTRIES = [  # name, ISO code, latitude, longitude, region
    ("Iraq", "IQ", 33.2, 43.7, "western-asia"), ("Syria", "SY", 35.0, 38.5, "western-asia"),
    ("Jordan", "JO", 31.2, 36.5, "western-asia"), ("Turkey", "TR", 39.0, 35.2, "western-asia"),
    ("Lebanon", "LB", 33.9, 35.9, "western-asia"), ("Yemen", "YE", 15.6, 48.0, "western-asia"),
    ("Saudi Arabia", "SA", 24.0, 45.0, "western-asia"), ("Israel", "IL", 31.4, 35.0, "western-asia"),
    ("Iran", "IR", 32.4, 53.7, "southern-asia"), ("Afghanistan", "AF", 33.9, 67.7, "southern-asia"),
    ("Pakistan", "PK", 30.4, 69.3, "southern-asia"), ("India", "IN", 22.0, 79.0, "southern-asia"),
    ("Somalia", "SO", 5.2, 46.2, "eastern-africa"), ("Kenya", "KE", 0.0, 37.9, "eastern-africa"),
    ("Ethiopia", "ET", 9.1, 40.5, "eastern-africa"), ("Mozambique", "MZ", -18.7, 35.5, "eastern-africa"),
    ("Nigeria", "NG", 9.1, 8.7, "western-africa"), ("Mali", "ML", 17.6, -4.0, "western-africa"),
    ("Niger", "NE", 17.6, 8.1, "western-africa"), ("Burkina Faso", "BF", 12.2, -1.6, "western-africa"),
    ("Libya", "LY", 26.3, 17.2, "northern-africa"), ("Egypt", "EG", 26.8, 30.8, "northern-africa"),
    ("Algeria", "DZ", 28.0, 1.7, "northern-africa"), ("Tunisia", "TN", 33.9, 9.5, "northern-africa"),
    ("Sudan", "SD", 12.9, 30.2, "northern-africa"), ("Philippines", "PH", 12.9, 121.8, "south-eastern-asia"),
    ("Indonesia", "ID", -0.8, 113.9, "south-eastern-asia"), ("United States", "US", 38.0, -97.0, "northern-america"),
    ("United Kingdom", "GB", 55.4, -3.4, "northern-europe"), ("France", "FR", 46.2, 2.2, "western-europe"),
    ("Germany", "DE", 51.2, 10.4, "western-europe"), ("Belgium", "BE", 50.5, 4.5, "western-europe"),
    ("Spain", "ES", 40.5, -3.7, "southern-europe"), ("Italy", "IT", 41.9, 12.6, "southern-europe"),
    ("Russia", "RU", 61.5, 105.3, "eastern-europe"), ("Ukraine", "UA", 48.4, 31.2, "eastern-europe"),
    ("Colombia", "CO", 4.6, -74.3, "south-america"), ("Mexico", "MX", 23.6, -102.5, "central-america"),
    ("Australia", "AU", -25.3, 133.8, "australia-and-new-zealand"), ("Qatar", "QA", 25.4, 51.2, "western-asia"),
]
FIRST = ["Ahmed", "Mohammed", "Abdullah", "Omar", "Ali", "Hassan", "Yusuf", "Ibrahim", "Khalid", "Mustafa",
         "Karim", "Walid", "Samir", "Tariq", "Nasser", "Faisal", "Hamza", "Bilal", "Idris", "Jamal", "Mark",
         "John", "David", "James", "Michael", "Sarah", "Anna", "Maria", "Elena", "Fatima", "Aisha", "Amina",
         "Lloyd", "Peter", "Thomas", "Viktor", "Sergei", "Olena", "Kwame", "Abdi", "Aden", "Mahad", "Bashir"]
LAST = ["Haddadin", "Hirsi", "al-Obeidi", "Hashemi", "Ellison", "Warsame", "Godane", "al-Baghdadi", "Ahmadi",
        "Rahman", "Karimi", "Mansour", "Nasser", "Qureshi", "Siddiqui", "Yilmaz", "Kaya", "Demir", "Okafor",
        "Adeyemi", "Mensah", "Diallo", "Traore", "Keita", "Smith", "Johnson", "Brown", "Miller", "Petrov",
        "Ivanov", "Kovalenko", "Moreau", "Dubois", "Schmidt", "Rossi", "Garcia", "Lopez", "Haqqani", "Zawahiri"]
ORG_HEAD = ["Islamic State", "Al Shabaab", "Al Qaeda", "Hayat Tahrir", "Boko Haram", "Ansar", "Jaish",
            "Liwa", "Kataib", "Harakat", "Jama'at", "Lashkar", "Tehrik", "Front", "Brigade", "Army"]
ORG_TAIL = ["in the Sahel", "Province", "of the North", "al-Islam", "al-Sham", "Martyrs", "Revolutionary Council",
            "Liberation Front", "Defence Force", "Resistance", "Movement", "Battalion", "Command", "Network"]
BODIES = ["Ministry of Defence", "Ministry of Interior", "Interior Ministry", "General Intelligence Directorate",
          "Joint Operations Command", "National Security Agency", "Counter Terrorism Service", "Armed Forces",
          "Police", "Security Forces", "Air Force", "Special Forces", "Presidency", "Treasury Department",
          "Defence Cabinet", "National Army", "Border Guard", "Coast Guard"]
PLACE_A = ["Deir", "Tal", "Ras", "Ain", "Bir", "Kafr", "Beit", "Jebel", "Wadi", "Qasr", "Khan", "Bab", "Abu",
           "Umm", "Sidi", "Dar", "Nahr", "Mar", "Tell", "Bani"]
PLACE_B = ["ez-Zor", "Afar", "Abyad", "Hamrin", "Sinjar", "Kismayo", "Mafraq", "Zarqa", "Raqqa", "Idlib",
           "Baidoa", "Marka", "Jowhar", "Gao", "Kidal", "Mopti", "Diffa", "Maiduguri", "Konduga", "Palma",
           "Mocimboa", "Sirte", "Derna", "Sabha", "Mosul", "Tikrit", "Samarra", "Baqubah", "Kirkuk", "Hawija",
           "Ramadi", "Fallujah", "Khost", "Kunar", "Nangarhar", "Helmand", "Quetta", "Peshawar", "Bannu",
           "Marawi", "Jolo", "Basilan", "Ifo", "Garissa", "Lamu", "Mandera", "Wajir", "Beledweyne"]
EVENT_TYPES = [  # type, subtype, trigger noun, weight, has quantity
    ("airstrike", "airstrike", "airstrike", 14, True), ("attack", "attack.bombing", "bombing", 10, True),
    ("attack", "attack.armed_assault", "attack", 12, True), ("raid_or_arrest", "raid", "raid", 12, True),
    ("raid_or_arrest", "arrest", "arrests", 10, True), ("military_operation", "operation", "operation", 8, True),
    ("meeting", "meeting", "talks", 8, False), ("agreement_or_membership", "agreement", "agreement", 4, False),
    ("designation_or_sanction", "sanction", "sanctions", 5, False),
    ("foiled_attack", "foiled_attack.plot", "plot", 4, False),
    ("intelligence_sharing", "intelligence_sharing", "intelligence", 3, False),
    ("troop_deployment", "deployment", "deployment", 6, False), ("attack", "attack.ambush", "ambush", 4, True),
]
OUTLETS = ["Levant Wire", "Frontline Dispatch", "Beltway Brief", "Horn Monitor", "Sahel Observer",
           "Gulf Ledger", "Anatolia Daily", "Kabul Courier", "Delta Tribune", "Maghreb Times", "Pacific Post"]
SOURCES = ["the Interior Ministry", "a military spokesman", "the defence ministry", "local officials",
           "US Central Command", "the police", "a security source", "residents", "the army", "the governor"]
FILLER = [
    "Security has deteriorated in the region over the past year, with militants exploiting gaps between forces.",
    "Officials did not say how the information was obtained or whether further arrests were expected.",
    "The group has not commented on the claims, which could not be independently verified.",
    "Analysts say the network has shifted its financing to informal money transfer systems.",
    "Residents described hearing several explosions before dawn and seeing smoke over the outskirts of the town.",
    "The government has repeatedly promised to restore order and to bring those responsible to justice.",
    "Humanitarian agencies warned that continued fighting could displace thousands more civilians.",
    "The statement added that the operation was carried out in coordination with partner forces.",
    "Earlier this month, authorities announced new measures to secure the border and the main highways.",
    "Diplomats said the talks focused on intelligence sharing, border security and the return of detainees.",
    "A curfew remained in place on Thursday as troops searched vehicles at checkpoints around the city.",
    "The ministry said investigations were continuing and that more details would be released later.",
    "Local media reported that the suspects had been under surveillance for several weeks.",
    "The United Nations called on all parties to respect international humanitarian law.",
]


def _zipf_cum(n: int, s: float = 1.05) -> list[float]:
    return list(itertools.accumulate(1.0 / (i + 1) ** s for i in range(n)))


def _sid(kind: str, key: str) -> str:
    return f"{kind}--{uuid.uuid5(NS, key)}"


def _ms(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def _us(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _dump(obj: dict[str, Any]) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


@dataclass
class Entity:
    key: str
    canonical: str
    type: str
    aliases: list[str]
    data: str  # the entities.data JSON, the same in every document
    object_type: str | None  # the STIX type it becomes (None: no object, as for a facility)
    object_id: str | None
    cluster: str  # the resolved entity it belongs to (its own key, or an earlier variant's)
    country: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass
class World:
    """What the generator needs to know of the store it fills, and remembers across batches."""

    installation: str  # this installation's identity id
    reports: str  # the store-following collection's id
    feed: str  # the collection partners post to
    partners: dict[str, str]  # partner id -> identity id
    pool: list[Entity] = field(default_factory=list)
    seq: int = 0
    mention_id: int = 0
    claim_id: int = 0
    stamp: dt.datetime = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


def entity_pool(rng: random.Random, size: int) -> list[Entity]:
    """``size`` entities, most frequent first: countries lead (news names them most), then a mix of
    armed groups, government bodies, people and places; one in ten is a spelling variant of an
    earlier one (fusion links it there)."""
    pool: list[Entity] = []
    seen: set[str] = set()

    def add(key: str, canonical: str, etype: str, aliases: list[str], **geo: Any) -> None:
        if key in seen:
            return
        seen.add(key)
        otype = {"person": "identity", "government_body": "identity", "organization": "identity",
                 "armed_group": "intrusion-set", "country": "location", "place": "location"}.get(etype)
        data = {"key": key, "canonical": canonical, "type": etype, "titles": [], "descriptions": [],
                "latitude": geo.get("lat"), "longitude": geo.get("lon"), "country_code": geo.get("country"),
                "gazetteer": "geonames" if etype in ("country", "place") else None,
                "feature": "populated_place" if etype == "place" else None, "admin_code": None,
                "region": geo.get("region"), "admin1": geo.get("admin1"), "admin1_code": None, "admin2": None,
                "aliases": aliases}
        cluster = key
        if pool and etype in ("person", "armed_group") and rng.random() < 0.1:
            cluster = rng.choice(pool[len(pool) // 2:]).cluster
        pool.append(Entity(key, canonical, etype, aliases, _dump(data), otype,
                           _sid(otype, key) if otype else None, cluster, geo.get("country"), geo.get("lat"),
                           geo.get("lon")))

    for name, code, lat, lon, region in COUNTRIES:
        add(f"loc:{name.lower()}", name, "country", [], country=code, lat=lat, lon=lon, region=region)
    n = 0
    while len(pool) < size:
        n += 1
        pick = rng.random()
        if pick < 0.30:
            name = f"{rng.choice(FIRST)} {rng.choice(FIRST) + ' ' if rng.random() < 0.3 else ''}{rng.choice(LAST)}"
            add(f"per:{name.lower()}", name, "person", [])
        elif pick < 0.50:
            name = f"{rng.choice(ORG_HEAD)} {rng.choice(ORG_TAIL)}"
            if n > 300:
                name += f" {n % 97}" if rng.random() < 0.5 else f" {rng.choice(PLACE_B)}"
            acronym = "".join(w[0] for w in name.split() if w[0].isupper())
            add(f"org:{name.lower()}", name, "armed_group", [acronym] if len(acronym) > 1 else [])
        elif pick < 0.65:
            country = rng.choice(COUNTRIES)
            name = f"{country[0]} {rng.choice(BODIES)}" if rng.random() < 0.7 else rng.choice(BODIES)
            add(f"org:{name.lower()}", name, "government_body", [])
        else:
            country = rng.choice(COUNTRIES)
            name = f"{rng.choice(PLACE_A)} {rng.choice(PLACE_B)}" if rng.random() < 0.6 else rng.choice(PLACE_B)
            if n > 2000:
                name += f" {chr(65 + n % 26)}"
            add(f"loc:geonames:{100000 + n}", name, "place", [], country=country[1],
                lat=round(country[2] + rng.uniform(-3, 3), 5), lon=round(country[3] + rng.uniform(-3, 3), 5),
                region=country[4], admin1=rng.choice(PLACE_B))
    return pool


def pool_size(documents: int) -> int:
    """Distinct entities grow slower than documents: 1,000 documents name ~2,000, 100,000 ~60,000."""
    return int(1500 + 0.6 * documents)


def _level(rng: random.Random) -> str | None:
    r, acc = rng.random(), 0.0
    for level, share in TLP_MIX:
        acc += share
        if r < acc:
            return level
    return None


def _rank(level: str | None) -> int:
    return AMBER if level is None else LEVELS.index(level)


def generate(world: World, documents: int, seed: int = SEED) -> Iterator[tuple[str, list[tuple]]]:
    """(table, rows) batches for ``documents`` documents; each row a tuple in ``COLUMNS[table]``'s order."""
    rng = random.Random(seed)
    world.pool = entity_pool(rng, pool_size(documents))
    cum = _zipf_cum(len(world.pool))
    total = cum[-1]
    places = [i for i, e in enumerate(world.pool) if e.type in ("place", "country")]
    place_cum = _zipf_cum(len(places), 0.9)
    actors = [i for i, e in enumerate(world.pool) if e.type in ("armed_group", "government_body", "person")]
    actor_cum = _zipf_cum(len(actors), 1.0)
    ev_weights = list(itertools.accumulate(t[3] for t in EVENT_TYPES))
    first_doc: dict[str, str] = {}  # entity key -> the first document naming it
    stories: dict[tuple, tuple[str, str, int]] = {}  # (type, place, date) -> (story, document, idx)
    identities = list(world.partners.values())
    start = dt.date(2015, 1, 1)
    span = (dt.date(2026, 11, 15) - start).days
    ingest_start = world.stamp - dt.timedelta(days=730)
    yield from _fixed_rows(world)
    batch: dict[str, list[tuple]] = {t: [] for t in COLUMNS}
    for d in range(documents):
        _document(world, rng, d, documents, batch, cum, total, places, place_cum, actors, actor_cum, ev_weights,
                  first_doc, stories, identities, start, span, ingest_start)
        if (d + 1) % DOCS_PER_BATCH == 0 or d + 1 == documents:
            for table in COLUMNS:
                if batch[table]:
                    yield table, batch[table]
            batch = {t: [] for t in COLUMNS}
    yield from _partner_posts(world, rng, max(50, documents // 10))


def _fixed_rows(world: World) -> Iterator[tuple[str, list[tuple]]]:
    """The objects every document yields (this installation's identity, the producer's, the TLP
    definitions' creator, the extension definitions) and the collection's marking definitions."""
    stamp = world.stamp - dt.timedelta(days=731)
    fixed = [(world.installation, "identity", {"name": "Liaison installation (bench)", "identity_class": "organization"}),
             (_sid("identity", "producer"), "identity", {"name": "Liaison", "identity_class": "system"}),
             ("identity--8ce3f695-d5a4-4dc8-9e93-a65af453a31a", "identity", {"name": "OASIS Open"}),
             ("extension-definition--c4460184-12c6-43ec-bcdd-41d4555d3502", "extension-definition",
              {"name": "Liaison provenance and claims", "schema": "https://liaison.invalid/schemas/provenance",
               "version": "1.0", "extension_types": ["property-extension"]}),
             ("extension-definition--4ca6de00-5b0d-45ef-a1dc-ea7279ea910e", "extension-definition",
              {"name": "Event", "schema": "https://liaison.invalid/schemas/event", "version": "1.0",
               "extension_types": ["new-sdo"]})]
    stix, co = [], []
    for oid, otype, props in fixed:
        obj = _dump({"type": otype, "spec_version": "2.1", "id": oid, "created": _ms(stamp), "modified": _ms(stamp),
                     **props})
        stix.append((oid, _ms(stamp), otype, hashlib.sha256(obj.encode()).hexdigest(), None, stamp, obj))
        co.append(_co(world, world.reports, oid, stamp, otype, 0, None, obj, "ingest"))
    for level in ("clear", "amber"):
        oid = MARKING_IDS[level]
        obj = _dump({"type": "marking-definition", "spec_version": "2.1", "id": oid,
                     "created": "2022-10-01T00:00:00.000Z", "name": f"TLP:{level.upper()}"})
        co.append(_co(world, world.reports, oid, dt.datetime(2022, 10, 1, tzinfo=dt.UTC), "marking-definition", 0,
                      None, obj, "liaison"))
    yield "stix_objects", stix
    yield "collection_objects", co


def _co(world: World, collection: str, oid: str, modified: dt.datetime, otype: str, rank: int, producer: str | None,
        obj: str, origin: str) -> tuple:
    world.seq += 1
    added = world.stamp - dt.timedelta(days=800) + dt.timedelta(microseconds=world.seq * 37)
    return (world.seq, collection, oid, _us(modified), "2.1", otype, _us(added), rank, producer, obj, origin)


def _document(world: World, rng: random.Random, d: int, documents: int, b: dict[str, list[tuple]], cum: list[float],
              total: float, places: list[int], place_cum: list[float], actors: list[int], actor_cum: list[float],
              ev_weights: list[int], first_doc: dict[str, str], stories: dict, identities: list[str],
              start: dt.date, span: int, ingest_start: dt.datetime) -> None:
    outlet = OUTLETS[d % len(OUTLETS)]
    published = start + dt.timedelta(days=int(span * rng.random() ** 0.7))  # more recent reporting than old
    slug = f"report-{d:06d}"
    source_key = f"https://{outlet.lower().replace(' ', '')}.example.org/{published.isoformat()}/{slug}"
    did = hashlib.sha256(source_key.encode()).hexdigest()[:32]
    ingested = ingest_start + dt.timedelta(seconds=int(730 * 86400 * d / max(1, documents)))
    level = _level(rng)
    recipients = None
    if level in ("amber+strict", "red"):
        recipients = [i for i in identities if rng.random() < 0.4] or None
    versions = 2 if rng.random() < 0.05 else 1
    remarked = rng.random() < 0.03
    rank = _rank(level)
    # the document's entities: a few actors and places for its events, the rest by overall frequency
    chosen: dict[int, None] = {}
    for i in rng.choices(range(len(world.pool)), cum_weights=cum, k=rng.randint(8, 22)):
        chosen[i] = None
    for i in rng.choices(places, cum_weights=place_cum, k=2):
        chosen[i] = None
    for i in rng.choices(actors, cum_weights=actor_cum, k=3):
        chosen[i] = None
    ents = [world.pool[i] for i in chosen]
    doc_places = [e for e in ents if e.type in ("place", "country")]
    doc_actors = [e for e in ents if e.type in ("armed_group", "government_body", "person")] or ents
    title = f"{doc_actors[0].canonical} {rng.choice(['says', 'reports', 'denies', 'claims'])} " \
            f"{rng.choice(EVENT_TYPES)[2]} near {doc_places[0].canonical}"
    b["documents"].append((did, source_key, slug, versions, ingested - dt.timedelta(days=30 * (versions - 1)),
                           ingested, level, json.dumps(recipients) if recipients else None))
    report_id = _sid("report", did)
    objects: list[str] = [world.installation, _sid("identity", "producer"),
                          "identity--8ce3f695-d5a4-4dc8-9e93-a65af453a31a",
                          "extension-definition--c4460184-12c6-43ec-bcdd-41d4555d3502",
                          "extension-definition--4ca6de00-5b0d-45ef-a1dc-ea7279ea910e"]
    stamp = ingested
    marking = [MARKING_IDS[level]] if level else None
    recips = recipients or []
    refs: list[str] = []
    new_objects: list[tuple[str, str, str]] = []  # id, type, json of this document's objects
    for version in range(1, versions + 1):
        current = version == versions
        text, mentions, events = _text(rng, ents, doc_places, doc_actors, published, ev_weights)
        b["document_versions"].append((did, version, hashlib.sha256(text.encode()).hexdigest(), text, "text/html",
                                       source_key, title, outlet, published, "metadata", "utf-8", 1.0,
                                       "liaison-rules/bench", stamp if current else stamp - dt.timedelta(days=30)))
        for e in ents:
            b["entities"].append((did, version, e.key, e.canonical, e.type, e.data))
        for key, s, t, surface in mentions:
            world.mention_id += 1
            b["mentions"].append((world.mention_id, did, version, key, s, t, surface))
        for idx, ev in enumerate(events):
            b["events"].append((did, version, idx, ev["type"], ev["subtype"], ev["status"], ev["date_value"],
                                ev["start"], ev["end"], ev["confidence"], ev["evidence"][0], ev["evidence"][1],
                                _dump(ev["data"])))
            for role, key in ev["roles"]:
                b["event_roles"].append((did, version, idx, role, key))
        if not current:
            continue
        by_key = {e.key: e for e in ents}
        for idx, ev in enumerate(events):
            eid = _sid("event", f"{did}|{idx}")
            name = f"{ev['type']}: {by_key[ev['roles'][0][1]].canonical}"
            obj = {"type": "event", "spec_version": "2.1", "id": eid, "created_by_ref": world.installation,
                   "created": _ms(stamp), "modified": _ms(stamp), "status": ev["status"], "name": name,
                   "description": ev["data"]["evidence"]["text"], "event_types": [ev["type"], ev["subtype"]],
                   "confidence": ev["confidence"]}
            if ev["start"]:
                obj["start_time"] = f"{ev['start'].isoformat()}T00:00:00Z"
            if marking:
                obj["object_marking_refs"] = marking
            new_objects.append((eid, "event", _dump(obj)))
            refs.append(eid)
            for role, key in ev["roles"]:
                target = by_key[key].object_id
                if target is None:
                    continue
                rtype = {"actor": "has-actor", "target": "has-target", "location": "located-at"}[role]
                rid = _sid("relationship", f"{eid}|{rtype}|{target}")
                robj = {"type": "relationship", "spec_version": "2.1", "id": rid, "created_by_ref": world.installation,
                        "created": _ms(stamp), "modified": _ms(stamp), "relationship_type": rtype, "source_ref": eid,
                        "target_ref": target}
                if marking:
                    robj["object_marking_refs"] = marking
                new_objects.append((rid, "relationship", _dump(robj)))
                refs.append(rid)
            _fusion_event(world, rng, b, did, idx, ev, published, stories, outlet)
        for e in ents:
            if e.object_id is None:
                continue
            refs.append(e.object_id)
            if e.key not in first_doc:
                first_doc[e.key] = did
                props: dict[str, Any] = {"name": e.canonical}
                if e.object_type == "location":
                    props.update(latitude=e.lat, longitude=e.lon, country=e.country)
                elif e.object_type == "identity":
                    props["identity_class"] = "individual" if e.type == "person" else "organization"
                obj = {"type": e.object_type, "spec_version": "2.1", "id": e.object_id,
                       "created_by_ref": world.installation, "created": _ms(stamp), "modified": _ms(stamp), **props,
                       "extensions": {"extension-definition--c4460184-12c6-43ec-bcdd-41d4555d3502": {
                           "extension_type": "property-extension", "liaison_type": e.type, "key": e.key,
                           "aliases": e.aliases}}}
                if marking:
                    obj["object_marking_refs"] = marking
                new_objects.append((e.object_id, e.object_type, _dump(obj)))
        _fusion_entities(world, rng, b, did, ents, published, first_doc)
        report = {"type": "report", "spec_version": "2.1", "id": report_id, "created_by_ref": world.installation,
                  "created": _ms(stamp), "modified": _ms(stamp), "name": title, "description": f"{outlet} - {source_key}",
                  "published": f"{published.isoformat()}T00:00:00Z", "report_types": ["threat-report"],
                  "object_refs": list(dict.fromkeys(refs)),
                  "external_references": [{"source_name": outlet, "url": source_key}],
                  "extensions": {"extension-definition--c4460184-12c6-43ec-bcdd-41d4555d3502": {
                      "extension_type": "property-extension", "content_hash": b["document_versions"][-1][2],
                      "outlet": outlet, "media_type": "text/html", "published_from": "metadata",
                      "entities": [{"key": e.key, "ref": e.object_id} for e in ents if e.object_id]}}}
        if marking:
            report["object_marking_refs"] = marking
        if recips:
            report["extensions"]["extension-definition--b0f3e9c0-e3b8-4757-acb0-0f528600a5e9"] = {
                "extension_type": "property-extension", "recipients": recips}
        new_objects.insert(0, (report_id, "report", _dump(report)))
    objects += [oid for oid, _, _ in new_objects]
    for oid in dict.fromkeys(objects):
        b["document_objects"].append((did, oid))
    if versions == 2 or remarked:  # an earlier version of the report, at another marking
        older = stamp - dt.timedelta(days=30)
        old_rank = rng.choice([0, 1, 2, 3, 4])
        text = new_objects[0][2].replace(_ms(stamp), _ms(older))
        b["stix_objects"].append((report_id, _ms(older), "report", hashlib.sha256(text.encode()).hexdigest(), did,
                                  older, text))
        b["collection_objects"].append(_co(world, world.reports, report_id, older, "report", old_rank,
                                           world.installation, text, "ingest"))
    for oid, otype, text in new_objects:
        b["stix_objects"].append((oid, _ms(stamp), otype, hashlib.sha256(text.encode()).hexdigest(), did, stamp, text))
        row = _co(world, world.reports, oid, stamp, otype, rank, world.installation, text, "ingest")
        b["collection_objects"].append(row)
        for identity in recips:
            b["collection_object_recipients"].append((row[0], identity))


def _text(rng: random.Random, ents: list[Entity], places: list[Entity], actors: list[Entity], published: dt.date,
          ev_weights: list[int]) -> tuple[str, list[tuple], list[dict[str, Any]]]:
    """About 1,400 characters: one sentence per event naming its actor, target and place, sentences
    naming the other entities, and filler; mentions and evidence at their real offsets."""
    parts: list[str] = []
    pos = 0
    mentions: list[tuple] = []
    events: list[dict[str, Any]] = []

    def put(s: str) -> int:
        nonlocal pos
        at = pos
        parts.append(s)
        pos += len(s)
        return at

    def name(e: Entity) -> None:
        surface = e.aliases[0] if e.aliases and rng.random() < 0.3 else e.canonical
        at = put(surface)
        mentions.append((e.key, at, at + len(surface), surface))

    for _ in range(rng.choices((1, 2, 3, 4, 5, 6, 7), weights=(10, 20, 25, 20, 12, 8, 5))[0]):
        etype, subtype, trigger, _w, quantified = rng.choices(EVENT_TYPES, cum_weights=ev_weights)[0]
        actor, place = rng.choice(actors), rng.choice(places)
        target = rng.choice(actors) if rng.random() < 0.5 else None
        when = published - dt.timedelta(days=rng.randint(0, 6)) if rng.random() < 0.8 else None
        killed = rng.randint(1, 60) if quantified and rng.random() < 0.6 else None
        begin = put("")
        name(actor)
        put(" carried out an " if trigger[0] in "aeiou" else " carried out a ")
        t0 = put(trigger)
        if target is not None and target is not actor:
            put(" against ")
            name(target)
        put(" in ")
        name(place)
        date_span = figure_span = None
        if when is not None:
            put(" on ")
            surface = when.strftime("%B %d")
            date_span = {"start": put(surface), "end": pos, "text": surface}
        if killed:
            put(", killing ")
            surface = f"{killed} people"
            figure_span = {"start": put(surface), "end": pos, "text": surface}
        put(", ")
        source = rng.choice(SOURCES)
        source_span = {"start": put(source), "end": pos, "text": source}
        put(" said. ")
        roles = [("actor", actor.key), ("location", place.key)]
        if target is not None and target is not actor:
            roles.append(("target", target.key))
        evidence = "".join(parts)[begin:pos]
        status = "not-occurred" if etype == "foiled_attack" else "occurred"
        events.append({"type": etype, "subtype": subtype, "status": status,
                       "date_value": when.isoformat() if when else None, "start": when, "end": when,
                       "confidence": rng.choice((50, 65, 80, 80, 90)), "evidence": (begin, pos), "roles": roles,
                       "killed": killed, "location": place.key,
                       "data": {"type": etype, "subtype": subtype,
                                "trigger": {"start": t0, "end": t0 + len(trigger), "text": trigger},
                                "evidence": {"start": begin, "end": pos, "text": evidence},
                                "actors": [actor.key], "targets": [target.key] if target and target is not actor else [],
                                "location": place.key,
                                "date": {"span": date_span, "value": when.isoformat(), "start": when.isoformat(),
                                         "end": when.isoformat(), "fidelity": "day"} if when else None,
                                "quantities": [{"kind": "killed", "value": killed, "qualifier": None, "low": None,
                                                "high": None, "span": figure_span}] if killed else [],
                                "attribution": {"source": source, "span": source_span, "cue": "say"},
                                "status": status, "hedged": False, "confidence": 80, "mentions": []}})
        if rng.random() < 0.5:
            put(rng.choice(FILLER) + " ")
    named = {m[0] for m in mentions}
    rest = [e for e in ents if e.key not in named]
    for i in range(0, len(rest), 3):
        group = rest[i:i + 3]
        put("Officials from ")
        for j, e in enumerate(group):
            if j:
                put(" and " if j == len(group) - 1 else ", ")
            name(e)
        put(" were also named in the report. ")
        if rng.random() < 0.6:
            put(rng.choice(FILLER) + " ")
    while pos < 1100:
        put(rng.choice(FILLER) + " ")
    return "".join(parts).rstrip(), mentions, events


def _blocks(e: Entity) -> list[str]:
    kind = e.key.split(":", 1)[0]
    words = e.canonical.lower().split()
    out = [f"t:{kind}:{w}" for w in words if len(w) > 2][:3]
    out.append(f"f:{kind}:" + " ".join("".join(c for c in w if c not in "aeiou") or w for w in words))
    if len(words) > 1:
        out.append(f"a:{kind}:" + "".join(w[0] for w in words))
    return list(dict.fromkeys(out))


def _fusion_entities(world: World, rng: random.Random, b: dict[str, list[tuple]], did: str, ents: list[Entity],
                     published: dt.date, first_doc: dict[str, str]) -> None:
    context = sorted(e.key for e in ents)[:16]
    for e in ents:
        first = first_doc.get(e.cluster)
        linked = first is not None and first != did
        rule = ("self" if e.cluster == e.key else "alias") if not linked else rng.choice(("name", "exact", "context"))
        mention = {"admin1": None, "aliases": e.aliases, "canonical": e.canonical, "context": context,
                   "country_code": e.country, "document": did, "feature": None, "gazetteer": None, "key": e.key,
                   "names": [e.canonical], "published": published.isoformat(), "titles": [], "type": e.type}
        b["entity_links"].append((did, e.key, e.cluster, rule, 1.0 if not linked else round(rng.uniform(0.7, 1), 3),
                                  first if linked else None, e.cluster if linked else None, _dump(mention)))
        for block in _blocks(e):
            b["entity_blocks"].append((block, did, e.key))


def _fusion_event(world: World, rng: random.Random, b: dict[str, list[tuple]], did: str, idx: int,
                  ev: dict[str, Any], published: dt.date, stories: dict, outlet: str) -> None:
    key = (ev["type"], ev["location"], ev["start"])
    earlier = stories.get(key) if ev["start"] else None
    if earlier is not None:
        story, against, against_idx = earlier
        rule, score = "same-event", round(rng.uniform(0.6, 1.0), 3)
    else:
        story, against, against_idx, rule, score = f"{did}:{idx}", None, None, "self", 1.0
        if ev["start"]:
            stories[key] = (story, did, idx)
    report = {"actors": [k for r, k in ev["roles"] if r == "actor"], "date_start": ev["date_value"],
              "date_end": ev["date_value"], "document": did, "idx": idx, "location": ev["location"],
              "published": published.isoformat(), "source": outlet, "type": ev["type"], "quantities":
              [["killed", ev["killed"]]] if ev["killed"] else []}
    b["event_stories"].append((did, idx, story, rule, score, against, against_idx, _dump(report)))
    if ev["date_value"]:
        world.claim_id += 1
        b["claims"].append((world.claim_id, story, "date", ev["date_value"], did, idx, outlet, published, False))
    if ev["killed"]:
        world.claim_id += 1
        b["claims"].append((world.claim_id, story, "killed", str(ev["killed"]), did, idx, outlet, published,
                            earlier is not None and rng.random() < 0.3))


def _partner_posts(world: World, rng: random.Random, count: int) -> Iterator[tuple[str, list[tuple]]]:
    """Indicators partner charlie posted to the feed collection (alpha reads it): collection rows
    that come from no document, so the access rule's document check must pass them by."""
    producer = world.partners["charlie"]
    rows, recips = [], []
    for i in range(count):
        oid = _sid("indicator", f"posted|{i}")
        stamp = world.stamp - dt.timedelta(minutes=count - i)
        level = rng.choice(LEVELS)
        obj = _dump({"type": "indicator", "spec_version": "2.1", "id": oid, "created_by_ref": producer,
                     "created": _ms(stamp), "modified": _ms(stamp), "pattern": f"[ipv4-addr:value = '10.{i % 250}.0.1']",
                     "pattern_type": "stix", "valid_from": _ms(stamp), "object_marking_refs": [MARKING_IDS[level]]})
        row = _co(world, world.feed, oid, stamp, "indicator", LEVELS.index(level), producer, obj, "partner:charlie")
        rows.append(row)
        if level in ("amber+strict", "red") and rng.random() < 0.5:
            recips.append((row[0], world.partners["alpha"]))
    yield "collection_objects", rows
    yield "collection_object_recipients", recips


#: The columns of each table, in the order the generator's tuples give them.
COLUMNS: dict[str, tuple[str, ...]] = {
    "documents": ("id", "source_key", "stem", "current_version", "first_ingested", "last_ingested", "tlp",
                  "recipients"),
    "document_versions": ("document_id", "version", "content_hash", "text", "media_type", "url", "title", "outlet",
                          "published", "published_from", "encoding", "encoding_confidence", "extraction_method",
                          "ingested_at"),
    "entities": ("document_id", "version", "key", "canonical", "type", "data"),
    "mentions": ("id", "document_id", "version", "entity_key", "start", "end", "text"),
    "events": ("document_id", "version", "idx", "type", "subtype", "status", "date_value", "date_start", "date_end",
               "confidence", "evidence_start", "evidence_end", "data"),
    "event_roles": ("document_id", "version", "idx", "role", "entity_key"),
    "stix_objects": ("id", "modified", "type", "content_hash", "document_id", "stored_at", "object"),
    "document_objects": ("document_id", "object_id"),
    "collection_objects": ("seq", "collection_id", "object_id", "version", "spec_version", "type", "date_added",
                           "tlp", "producer", "object", "origin"),
    "collection_object_recipients": ("seq", "identity_id"),
    "entity_links": ("document_id", "entity_key", "entity", "rule", "score", "against_document", "against_key",
                     "mention"),
    "entity_blocks": ("block", "document_id", "entity_key"),
    "event_stories": ("document_id", "idx", "story", "rule", "score", "against_document", "against_idx", "report"),
    "claims": ("id", "story", "field", "value", "document_id", "idx", "source", "published", "conflict"),
}


# ---------------------------------------------------------------- building a store


def setup(store: Any) -> World:  # noqa: ANN401 (liaison.store.Store)
    """Partners, collections, grants and the two users, through the store's own API (a few rows)."""
    from liaison.store.sharing import Sharing
    from liaison.store.users import Users

    sharing = Sharing(store)
    identities = {p: sharing.add_partner(p, p.title())["identity_id"] for p in PARTNERS}
    reports = sharing.add_collection("reports", "Reports", default_tlp="amber", follows_store=True)
    feed = sharing.add_collection("partner-feed", "Partner feed", default_tlp="green")
    for partner, (read, write) in PARTNERS.items():
        if read or write:
            sharing.grant(reports["id"], partner, read, write)
    sharing.grant(feed["id"], "alpha", True, False)
    sharing.grant(feed["id"], "charlie", True, True)
    users = Users(store)
    users.add(ANALYST, None, password=PASSWORD)
    users.add(PARTNER_MEMBER, "alpha", password=PASSWORD)
    return World(store.organisation()["identity_id"], reports["id"], feed["id"], identities)


def fill(store: Any, documents: int, seed: int = SEED, progress: Any = None) -> dict[str, int]:  # noqa: ANN401
    """Fill a freshly migrated store with ``documents`` documents' rows; returns rows per table."""
    world = setup(store)
    counts = dict.fromkeys(COLUMNS, 0)
    write = _sqlite_writer(store) if store.engine.dialect.name == "sqlite" else _sqlalchemy_writer(store)
    done = 0
    for table, rows in generate(world, documents, seed):
        write(table, rows)
        counts[table] += len(rows)
        if table == "documents":
            done += len(rows)
            if progress:
                progress(done)
    write(None, None)
    return counts


def _sqlite_writer(store: Any):  # noqa: ANN202, ANN401
    raw = store.engine.raw_connection()
    con = raw.driver_connection
    con.execute("PRAGMA foreign_keys=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-400000")
    statements = {t: f'INSERT INTO {t} ({", ".join(chr(34) + c + chr(34) for c in cols)}) VALUES '
                     f'({", ".join("?" * len(cols))})' for t, cols in COLUMNS.items()}

    def convert(value: Any) -> Any:  # noqa: ANN401 (as SQLAlchemy's SQLite types store them)
        if isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    def write(table: str | None, rows: list[tuple] | None) -> None:
        if table is None:
            raw.close()
            return
        con.execute("BEGIN")
        con.executemany(statements[table], ([convert(v) for v in r] for r in rows))
        con.execute("COMMIT")

    return write


def _sqlalchemy_writer(store: Any):  # noqa: ANN202, ANN401
    from sqlalchemy import MetaData, insert

    meta = MetaData()
    meta.reflect(store.engine, only=list(COLUMNS))

    def write(table: str | None, rows: list[tuple] | None) -> None:
        if table is None:
            with store.engine.begin() as conn:
                for name in ("collection_objects", "mentions", "claims"):
                    conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{name}', "
                                         f"'{'seq' if name == 'collection_objects' else 'id'}'), "
                                         f"(SELECT max({'seq' if name == 'collection_objects' else 'id'}) FROM {name}))")
            return
        cols = COLUMNS[table]
        with store.engine.begin() as conn:
            conn.execute(insert(meta.tables[table]), [dict(zip(cols, r, strict=True)) for r in rows])

    return write


def cache_name(documents: int, seed: int = SEED) -> str:
    from liaison.store.database import head_revision

    return f"web-{documents}-s{seed}-g{GENERATOR_VERSION}-r{head_revision()}.db"


def build_store(folder: Path, documents: int, seed: int = SEED, progress: Any = None) -> tuple[Path, bool]:  # noqa: ANN401
    """The SQLite store file of ``documents`` generated documents in ``folder`` (made if missing;
    kept for the next run, keyed by size, seed and generator, and named by the schema revision it was
    built at); and whether it was made now."""
    from liaison.store import open_store

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / cache_name(documents, seed)
    if path.exists():
        return path, False
    # A store made under an earlier schema revision (its name says which it was built at) is brought
    # forward by the migrations in place (the store's own upgrade path, as a real store's), which
    # costs far less than making it again. It keeps its name: renaming a file other processes have
    # open would part it from its write-ahead log.
    older = sorted(folder.glob(cache_name(documents, seed).rsplit("-r", 1)[0] + "-r*.db"))
    if older:
        store = open_store(f"sqlite:///{older[-1]}")
        store.engine.dispose()
        return older[-1], False
    partial = path.with_suffix(f".partial-{os.getpid()}")
    for p in folder.glob(f"{partial.name}*"):
        p.unlink()
    store = open_store(f"sqlite:///{partial}")
    try:
        fill(store, documents, seed, progress)
    finally:
        store.engine.dispose()
    for suffix in ("-wal", "-shm"):
        leftover = Path(str(partial) + suffix)
        if leftover.exists() and leftover.stat().st_size == 0:
            leftover.unlink()
    shutil.move(partial, path)
    return path, True
