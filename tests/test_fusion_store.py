"""Fusion in the store: incremental resolution as documents arrive equals one full run, overrides
outlast re-resolution, and events reported by two documents become one story with its claims.

Extractions are built by hand (no language model), so these run on both backends quickly."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import select

from liaison.fuse.records import Override
from liaison.model import DateValue, Document, Entity, Event, Extraction, Quantity, Span
from liaison.store.fusion import Fusion


def _span(text: str) -> Span:
    return Span(0, len(text), text)


def person(name: str, *mentions: str) -> Entity:
    return Entity(f"person:{name.casefold()}", name, "person", tuple(_span(m) for m in (name, *mentions)))


def place(name: str, country: str, feature: str = "populated_place") -> Entity:
    return Entity(f"place:{name.casefold()}", name, "place", (_span(name),), country_code=country,
                  feature=feature, gazetteer="geonames", region="western-asia")


def group(name: str, *aliases: str) -> Entity:
    return Entity(f"armed_group:{name.casefold()}", name, "armed_group", (_span(name),), aliases=aliases,
                  gazetteer="actors")


def doc(n: int, published: dt.date) -> Document:
    return Document(f"/corpus/doc{n}.txt", f"doc{n}", f"Text of document {n}.", "text/plain", published=published)


def raid(actor: Entity, where: Entity, day: dt.date, killed: int) -> Event:
    text = f"raid on {day}"
    return Event("raid_or_arrest", "raid", _span("raid"), _span(text), actors=(actor.key,), location=where.key,
                 date=DateValue(_span(str(day)), day.isoformat(), day, day, "day"),
                 quantities=(Quantity("killed", killed, "exact", None, None, _span(str(killed))),))


SHARAA = ("Ahmed al-Sharaa", "Ahmad al-Shara", "Ahmed al-Sharaa")
IDLIB = place("Idlib", "SY")
HTS = group("Hayat Tahrir al-Sham", "HTS")
CENTCOM = Entity("government_body:us central command", "US Central Command", "government_body",
                 (_span("US Central Command"),))


def corpus() -> list[tuple[Document, Extraction]]:
    day = dt.date(2025, 3, 4)
    docs = []
    for n, name in enumerate(SHARAA):
        sharaa = person(name, "Mr " + name.split()[-1])
        docs.append((doc(n, dt.date(2025, 1, 1 + n)), Extraction(entities=(sharaa, IDLIB, HTS))))
    # two reports of one raid, a day apart in publication, disagreeing on the toll
    for n, killed in ((3, 5), (4, 7)):
        docs.append((doc(n, day + dt.timedelta(days=n - 3)),
                     Extraction(entities=(CENTCOM, IDLIB), events=(raid(CENTCOM, IDLIB, day, killed),))))
    # a different person sharing the family name
    docs.append((doc(5, dt.date(2025, 2, 1)), Extraction(entities=(person("Hussein al-Sharaa"), IDLIB))))
    return docs


def _ingest(store, items) -> list[str]:  # noqa: ANN001
    from liaison.store.database import document_id

    for d, ex in items:
        store.save(d, ex, [])
    return [document_id(d.source_key) for d, _ in items]


def _clusters(fusion: Fusion) -> set[frozenset]:
    by: dict[str, set] = {}
    for node, link in fusion.links().items():
        by.setdefault(link.entity, set()).add(node)
    return {frozenset(v) for v in by.values()}


def _state(fusion: Fusion, store) -> tuple:  # noqa: ANN001
    """Everything fusion decided and files: entity clusters, every story link (story, rule, score,
    best match), the claims, and the event reports' block keys."""
    from liaison.store.schema import EventBlockRow

    with store.engine.connect() as conn:
        blocks = sorted(tuple(r) for r in conn.execute(
            select(EventBlockRow.block, EventBlockRow.document_id, EventBlockRow.idx)))
    claims = sorted((c.story, c.field, c.value, c.ref, c.source, str(c.published), c.conflict) for c in fusion.claims())
    return _clusters(fusion), fusion.stories(), claims, blocks


def test_spelling_variants_across_documents_are_one_entity_and_a_namesake_is_not(store):
    ids = _ingest(store, corpus())
    fusion = Fusion(store)
    fusion.update(ids)
    links = fusion.links()
    sharaa = {links[(ids[n], person(SHARAA[n]).key)].entity for n in range(3)}
    assert len(sharaa) == 1
    assert links[(ids[5], "person:hussein al-sharaa")].entity not in sharaa
    assert all(link.rule for link in links.values())  # every link says why


@pytest.mark.parametrize("seed", [1, 2])
def test_documents_resolved_one_by_one_in_any_order_give_what_one_full_run_gives(store, seed):
    items = corpus()
    random.Random(seed).shuffle(items)
    ids = _ingest(store, items)
    fusion = Fusion(store)
    for did in ids:
        fusion.update([did])
    incremental = _state(fusion, store)
    fusion.resolve_all()
    assert incremental == _state(fusion, store)


def test_two_reports_of_one_raid_are_one_story_with_their_tolls_kept_apart_as_a_conflict(store):
    ids = _ingest(store, corpus())
    fusion = Fusion(store)
    fusion.update(ids)
    stories = fusion.stories()
    assert stories[(ids[3], 0)].story == stories[(ids[4], 0)].story
    conflicting = fusion.claims(conflicts_only=True)
    assert sorted((c.field, c.value) for c in conflicting) == [("killed", "5"), ("killed", "7")]


def test_a_merge_and_a_split_by_an_analyst_outlast_a_full_re_resolution(store):
    ids = _ingest(store, corpus())
    fusion = Fusion(store)
    fusion.update(ids)
    hussein = (ids[5], "person:hussein al-sharaa")
    ahmed = (ids[0], "person:ahmed al-sharaa")
    fusion.add_override(Override("merge", ("person:hussein al-sharaa", "person:ahmed al-sharaa"), by="tester"))
    assert fusion.links()[hussein].entity == fusion.links()[ahmed].entity
    fusion.resolve_all()
    assert fusion.links()[hussein].entity == fusion.links()[ahmed].entity
    assert [o.by for o in fusion.overrides()] == ["tester"]
    fusion.add_override(Override("split", ("person:hussein al-sharaa", "person:ahmed al-sharaa"),
                                 alias="Hussein al-Sharaa", by="tester"))
    fusion.resolve_all()
    assert fusion.links()[hussein].entity != fusion.links()[ahmed].entity


def test_a_document_stored_again_is_resolved_again_without_stale_nodes(store):
    items = corpus()
    ids = _ingest(store, items)
    fusion = Fusion(store)
    fusion.update(ids)
    d, _ = items[5]
    renamed = Extraction(entities=(person("Ahmad al-Sharaa"), IDLIB))
    store.save(Document(d.source_key, d.stem, d.text + " Revised.", d.media_type, published=d.published), renamed, [])
    fusion.update([ids[5]])
    links = fusion.links()
    assert (ids[5], "person:hussein al-sharaa") not in links
    assert links[(ids[5], "person:ahmad al-sharaa")].entity == links[(ids[0], "person:ahmed al-sharaa")].entity
    assert fusion.unresolved() == []


def test_eval_json_writes_one_entity_for_the_names_of_a_document_fusion_resolved_as_one():
    from liaison.export.eval_json import annotation

    shabab, shabaab = group("al-Shabab"), group("al-Shabaab")
    ex = Extraction(entities=(shabab, shabaab, IDLIB))
    out = annotation(ex, {shabab.key: "al-Shabaab", shabaab.key: "al-Shabaab"})
    assert [(e["canonical"], e["mentions"]) for e in out["entities"]] == [
        ("al-Shabaab", ["al-Shabab", "al-Shabaab"]), ("Idlib", ["Idlib"])]


@pytest.mark.parametrize("seed", [3, 4])
def test_documents_changed_after_resolution_give_what_a_full_run_gives(store, seed):
    """A document stored again drops its old nodes: what they linked is resolved again."""
    items = corpus()
    ids = _ingest(store, items)
    fusion = Fusion(store)
    fusion.update(ids)
    rng = random.Random(seed)
    for n in rng.sample(range(len(items)), 3):
        d, ex = items[n]
        kept = tuple(e for e in ex.entities if rng.random() < 0.5) or ex.entities[:1]
        store.save(Document(d.source_key, d.stem, d.text + f" v{seed}", d.media_type, published=d.published),
                   Extraction(entities=kept), [])
        fusion.update([ids[n]])
    incremental = _state(fusion, store)
    fusion.resolve_all()
    assert incremental == _state(fusion, store)


def event_corpus(seed: int, n: int = 30) -> list[tuple[Document, Extraction]]:
    """Many small reports of raids by two actors at three places over five weeks: stories of two and
    three reports, near-misses (another day, another place) and reports of their own."""
    rng = random.Random(seed)
    places = [place(p, "SY") for p in ("Idlib", "Raqqa", "Deir ez-Zor")]
    actors = [CENTCOM, group("Syrian Democratic Forces", "SDF")]
    start = dt.date(2025, 3, 1)
    items = []
    for k in range(n):
        events, ents = [], {}
        for _ in range(rng.randint(1, 3)):
            who, where = rng.choice(actors), rng.choice(places)
            day = start + dt.timedelta(days=rng.randrange(35))
            events.append(raid(who, where, day, rng.randint(1, 9)))
            ents[who.key], ents[where.key] = who, where
        published = start + dt.timedelta(days=rng.randrange(40))
        items.append((Document(f"/events/doc{k}.txt", f"ev{k}", f"Report {k}.", "text/plain", published=published),
                      Extraction(entities=tuple(ents.values()), events=tuple(events))))
    return items


@pytest.mark.parametrize("seed", [5, 6])
def test_events_fused_one_document_at_a_time_and_changed_give_what_a_full_run_gives(store, seed):
    items = event_corpus(seed)
    random.Random(seed).shuffle(items)
    ids = _ingest(store, items)
    fusion = Fusion(store)
    for did in ids:
        fusion.update([did])
    rng = random.Random(seed + 10)
    for n in rng.sample(range(len(items)), 4):  # stored again with fewer, or other, events
        d, ex = items[n]
        kept = ex.events[:1] if len(ex.events) > 1 else event_corpus(seed + 20, 1)[0][1].events
        store.save(Document(d.source_key, d.stem, d.text + " again", d.media_type, published=d.published),
                   Extraction(entities=ex.entities + tuple(e for e in event_corpus(seed + 20, 1)[0][1].entities
                                                           if e not in ex.entities), events=kept), [])
        fusion.update([ids[n]])
    incremental = _state(fusion, store)
    assert len({s.story for s in incremental[1].values()}) < len(incremental[1])  # some stories join reports
    fusion.resolve_all()
    assert incremental == _state(fusion, store)


def test_an_ingest_reads_the_reports_it_can_match_not_every_report_stored(store, monkeypatch):
    from liaison.store import event_fusion

    ids = _ingest(store, event_corpus(7, 40))
    fusion = Fusion(store)
    fusion.resolve_all()
    read: list[int] = []
    load = event_fusion.SqlEventIndex.load

    def counted(self, refs):  # noqa: ANN001,ANN202
        load(self, refs)
        read.append(len(self.loaded))

    monkeypatch.setattr(event_fusion.SqlEventIndex, "load", counted)
    before = _state(fusion, store)
    fusion.update([ids[0]])
    total = len(before[1])
    assert read and max(read) < total  # some reports were never read
    assert _state(fusion, store) == before  # and the same decisions stand
