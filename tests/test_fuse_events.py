"""Reports of one happening in different documents become one story; separate happenings do not."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

from liaison.fuse.events import (
    MemoryEventIndex,
    block_keys,
    fuse_events,
    fuse_events_incremental,
    is_aggregate,
    judge,
    lookup_keys,
)
from liaison.fuse.records import EventReport
from liaison.model import DateValue, Event, Quantity, Span

D = dt.date(2025, 1, 3)
ATMEH = ("place:atmeh", ("place:idlib", "country:syria"))
SARMADA = ("place:sarmada", ("place:idlib", "country:syria"))


def report(doc: str, idx: int = 0, *, type: str = "raid_or_arrest", day: dt.date | None = D,
           end: dt.date | None = None, place: tuple[str | None, tuple[str, ...]] = ATMEH,
           actors: tuple[str, ...] = ("country:us",), targets: tuple[str, ...] = (),
           published: dt.date | None = dt.date(2025, 1, 10), quantities: tuple = (),
           aggregate: bool = False) -> EventReport:
    return EventReport(doc, idx, type, day, end, place[0], place[1], actors, targets, quantities,
                       None, published, aggregate)


def stories(*reports: EventReport) -> dict[tuple[str, int], str]:
    return {ref: link.story for ref, link in fuse_events(reports).items()}


def together(*reports: EventReport) -> bool:
    return len(set(stories(*reports).values())) == 1


# ------------------------------------------------------------------------------ merges


def test_two_documents_reporting_a_raid_on_one_day_in_one_town_are_one_story():
    assert together(report("a"), report("b"))


def test_a_nested_place_and_a_shared_actor_join_a_release_and_a_news_story():
    release = report("centcom", place=ATMEH)
    story = report("news", place=("place:idlib", ("country:syria",)))
    assert together(release, story)


def test_an_airstrike_reported_elsewhere_as_a_military_operation_is_one_story():
    assert together(report("a", type="airstrike"), report("b", type="military_operation"))


def test_a_raid_reported_elsewhere_as_a_military_operation_is_one_story():
    assert together(report("a", type="raid_or_arrest"), report("b", type="military_operation"))


def test_a_shared_actor_and_a_shared_target_join_where_one_report_names_no_place():
    a = report("a", targets=("person:abu yusif",))
    b = report("b", place=(None, ()), targets=("person:abu yusif",))
    assert together(a, b)


def test_a_day_told_relative_to_publication_joins_a_report_one_day_off():
    # "yesterday" in a story published on the 4th, dated the 3rd; the release says the 2nd
    a = report("release", day=D - dt.timedelta(days=1), published=dt.date(2025, 1, 10))
    b = report("news", day=D, published=D + dt.timedelta(days=1))
    assert together(a, b)


def test_a_month_date_joins_a_day_with_one_town_and_a_shared_actor():
    a = report("a", day=dt.date(2025, 1, 1), end=dt.date(2025, 1, 31))
    assert together(a, report("b"))


def test_an_undated_report_joins_on_one_town_and_a_shared_actor_published_days_after():
    a = report("a", published=D + dt.timedelta(days=1))
    b = report("b", day=None, published=D + dt.timedelta(days=2))
    assert together(a, b)


def test_figures_that_disagree_do_not_keep_two_reports_apart():
    a = report("a", quantities=(("killed", 5),))
    b = report("b", quantities=(("killed", 7),))
    assert together(a, b)


def test_meeting_parties_named_in_either_order_join():
    a = report("a", type="meeting", actors=("person:x",), targets=("person:y",))
    b = report("b", type="meeting", actors=("person:y",), targets=("person:x",), place=(None, ()))
    assert together(a, b)


def test_two_reports_of_the_same_aggregate_are_one_story():
    kw = dict(type="military_operation", day=dt.date(2025, 10, 1), end=dt.date(2025, 11, 6),
              place=("country:syria", ()), quantities=(("operations", 22),), aggregate=True)
    assert together(report("a", **kw), report("b", **kw))


# ------------------------------------------------------------------------------ non-merges


def test_two_raids_in_different_towns_on_one_day_stay_apart():
    assert not together(report("a", place=ATMEH), report("b", place=SARMADA))


def test_two_strikes_on_different_days_stay_apart():
    a = report("a", type="airstrike", day=D)
    b = report("b", type="airstrike", day=D + dt.timedelta(days=3))
    assert not together(a, b)


def test_two_absolute_dates_one_day_apart_stay_apart():
    # neither told relative to its document's date: two days, two strikes
    a = report("a", type="airstrike", day=D, published=D + dt.timedelta(days=20))
    b = report("b", type="airstrike", day=D + dt.timedelta(days=1), published=D + dt.timedelta(days=20))
    assert not together(a, b)


def test_a_strike_and_a_raid_stay_apart_even_with_a_military_operation_between_them():
    strike = report("a", type="airstrike")
    raid = report("b", type="raid_or_arrest")
    op = report("c", type="military_operation")
    got = stories(strike, raid, op)
    assert got[strike.ref] != got[raid.ref]
    assert got[op.ref] in (got[strike.ref], got[raid.ref])


def test_different_types_stay_apart():
    assert not together(report("a", type="attack"), report("b", type="meeting"))


def test_reports_of_one_document_never_fuse():
    assert not together(report("a", 0), report("a", 1))


def test_an_aggregate_never_fuses_with_the_single_events_it_sums_up():
    total = report("a", type="military_operation", day=dt.date(2025, 10, 1), end=dt.date(2025, 11, 6),
                   quantities=(("operations", 22),), aggregate=True)
    single = report("b", type="military_operation", day=dt.date(2025, 10, 12))
    assert not together(total, single)


def test_two_aggregates_with_other_counts_stay_apart():
    kw = dict(type="military_operation", day=dt.date(2025, 10, 1), end=dt.date(2025, 11, 6), aggregate=True)
    assert not together(report("a", quantities=(("operations", 22),), **kw),
                        report("b", quantities=(("operations", 5),), **kw))


def test_two_aggregates_over_other_periods_stay_apart():
    kw = dict(type="military_operation", quantities=(("operations", 22),), aggregate=True)
    assert not together(report("a", day=dt.date(2025, 10, 1), end=dt.date(2025, 11, 6), **kw),
                        report("b", day=dt.date(2025, 9, 1), end=dt.date(2025, 11, 6), **kw))


def test_an_undated_report_with_only_a_place_in_common_stays_apart():
    a = report("a", published=D + dt.timedelta(days=1))
    b = report("b", day=None, actors=(), published=D + dt.timedelta(days=2))
    assert not together(a, b)


def test_an_undated_report_published_long_after_stays_apart():
    a = report("a", published=D + dt.timedelta(days=1))
    b = report("b", day=None, published=D + dt.timedelta(days=30))
    assert not together(a, b)


def test_an_undated_report_published_before_the_event_stays_apart():
    a = report("a", published=D + dt.timedelta(days=1))
    b = report("b", day=None, published=D - dt.timedelta(days=5))
    assert not together(a, b)


def test_one_sides_actor_being_the_others_target_keeps_them_apart():
    a = report("a", type="attack", actors=("armed_group:is",), targets=("country:us",))
    b = report("b", type="attack", actors=("country:us",), targets=("armed_group:is",))
    assert not together(a, b)


def test_strikes_on_one_town_the_same_day_by_different_actors_stay_apart():
    a = report("a", type="airstrike", actors=("country:us",))
    b = report("b", type="airstrike", actors=("country:israel",))
    assert not together(a, b)


def test_a_shared_actor_alone_is_not_enough():
    a = report("a", place=(None, ()))
    b = report("b", place=(None, ()))
    assert not together(a, b)


def test_a_country_alone_is_not_enough():
    a = report("a", actors=(), place=("country:syria", ()))
    b = report("b", actors=(), place=ATMEH)
    assert not together(a, b)


def test_a_month_date_and_only_one_town_in_common_stay_apart():
    a = report("a", day=dt.date(2025, 1, 1), end=dt.date(2025, 1, 31), actors=())
    assert not together(a, report("b", actors=()))


def test_a_date_vaguer_than_a_year_counts_as_no_date():
    a = report("a", day=dt.date(2024, 1, 1), end=dt.date(2025, 12, 31), published=D + dt.timedelta(days=1))
    assert together(a, report("b", published=D + dt.timedelta(days=1)))  # one town, one actor, one week
    later = D + dt.timedelta(days=30)
    assert not together(a, report("b", day=later, published=later))


# ------------------------------------------------------------------------------ a named person targeted

GODANE = ("person:ahmed abdi godane", "armed_group:al-shabaab")


def test_reports_with_no_time_at_all_join_on_the_named_person_a_strike_targets():
    a = report("a", type="airstrike", day=None, published=None, targets=GODANE)
    b = report("b", type="airstrike", day=None, published=None, targets=GODANE,
               place=("country:syria", ()))
    assert together(a, b)


def test_an_undated_report_weeks_later_joins_the_raid_on_the_person_it_names():
    a = report("a", targets=GODANE, published=D + dt.timedelta(days=1))
    b = report("b", day=None, targets=GODANE, published=D + dt.timedelta(days=40))
    assert together(a, b)


def test_a_named_person_alone_with_no_shared_place_or_actor_is_not_enough():
    a = report("a", day=None, published=None, targets=GODANE, place=(None, ()))
    b = report("b", day=None, published=None, targets=GODANE, place=(None, ()), actors=())
    assert not together(a, b)


def test_a_named_person_does_not_join_reports_published_before_the_event():
    a = report("a", targets=GODANE, published=D + dt.timedelta(days=1))
    b = report("b", day=None, targets=GODANE, published=D - dt.timedelta(days=10))
    assert not together(a, b)


def test_a_named_person_does_not_join_two_dated_strikes_on_different_days():
    a = report("a", type="airstrike", targets=GODANE)
    b = report("b", type="airstrike", targets=GODANE, day=D + dt.timedelta(days=90))
    assert not together(a, b)


def test_two_meetings_with_one_person_and_no_time_stay_apart():
    kw = dict(type="meeting", day=None, published=None, actors=("person:rubio",), targets=("person:sharaa",))
    assert not together(report("a", **kw), report("b", **kw))


def test_a_group_as_target_with_no_time_is_not_enough():
    kw = dict(type="airstrike", day=None, published=None, targets=("armed_group:al-shabaab",))
    assert not together(report("a", **kw), report("b", **kw))


# ------------------------------------------------------------------------------ a lasting situation

PRESENCE = dict(type="troop_deployment", day=None, place=("country:syria", ()), actors=("country:us",))


def test_an_undated_troop_presence_stated_months_apart_is_one_situation():
    a = report("a", published=dt.date(2025, 1, 8), **PRESENCE)
    b = report("b", published=dt.date(2025, 11, 7), **PRESENCE)
    assert together(a, b)
    assert together(report("c", published=None, **PRESENCE), report("d", published=None, **PRESENCE))


def test_an_undated_troop_presence_more_than_a_year_apart_stays_apart():
    a = report("a", published=dt.date(2023, 1, 8), **PRESENCE)
    assert not together(a, report("b", published=dt.date(2025, 11, 7), **PRESENCE))


def test_a_dated_deployment_stays_apart_from_a_presence_stated_much_later():
    dated = report("a", **{**PRESENCE, "day": dt.date(2024, 3, 1)}, published=dt.date(2024, 3, 2))
    assert not together(dated, report("b", published=dt.date(2025, 1, 1), **PRESENCE))


def test_troop_presences_in_two_countries_stay_apart():
    a = report("a", published=dt.date(2025, 1, 8), **PRESENCE)
    b = report("b", published=dt.date(2025, 3, 8), **{**PRESENCE, "place": ("country:iraq", ())})
    assert not together(a, b)


def test_an_undated_act_is_not_a_lasting_situation():
    kw = {**PRESENCE, "type": "airstrike"}
    assert not together(report("a", published=dt.date(2025, 1, 8), **kw),
                        report("b", published=dt.date(2025, 6, 7), **kw))


# ------------------------------------------------------------------------------ stories and evidence


def test_the_story_is_named_after_its_earliest_published_report():
    late = report("a", published=dt.date(2025, 1, 9))
    early = report("b", published=dt.date(2025, 1, 4))
    assert set(stories(late, early).values()) == {"b:0"}


def test_a_report_without_publication_date_does_not_name_a_dated_story():
    assert set(stories(report("a", published=None), report("b")).values()) == {"b:0"}


def test_a_link_carries_its_rule_score_and_the_report_it_matched():
    links = fuse_events([report("a", published=dt.date(2025, 1, 4)), report("b")])
    assert links[("a", 0)].rule == "self" and links[("a", 0)].against is None
    b = links[("b", 0)]
    assert (b.rule, b.against, b.story) == ("same-happening", ("a", 0), "a:0")
    assert b.score == judge(report("a"), report("b")) and 0 < b.score <= 1


def test_a_lone_report_is_its_own_story():
    links = fuse_events([report("a", 3)])
    assert links[("a", 3)].story == "a:3" and links[("a", 3)].rule == "self"


def test_a_report_in_another_week_is_not_a_candidate():
    index = MemoryEventIndex()
    far = report("b", day=D + dt.timedelta(days=40))
    index.add(far)
    assert list(index.candidates(report("a"))) == []


def test_a_report_in_another_province_is_not_a_candidate():
    index = MemoryEventIndex()
    index.add(report("b", actors=(), place=("place:jilib", ("place:middle juba", "country:somalia"))))
    assert list(index.candidates(report("a", actors=()))) == []


# ------------------------------------------------------------------------------ order and increments


def _corpus(seed: int = 7) -> list[EventReport]:
    """Happenings each told by one to four documents, with nested places, relative days, undated
    re-tellings and broader types, among near misses (other towns, other days)."""
    rnd = random.Random(seed)
    towns = [(f"place:t{i}", (f"place:p{i % 3}", "country:c")) for i in range(6)]
    types = ["airstrike", "raid_or_arrest", "attack", "meeting", "troop_deployment"]
    out, doc = [], 0
    for _ in range(40):
        kind = rnd.choice(types)
        day = dt.date(2025, 1, 1) + dt.timedelta(days=rnd.randrange(60))
        town = rnd.choice(towns)
        actor = (f"group:g{rnd.randrange(4)}",)
        target = (f"person:p{rnd.randrange(30)}",) if rnd.random() < 0.3 else ()
        for _ in range(rnd.randint(1, 4)):
            doc += 1
            place = town if rnd.random() < 0.7 else (town[1][0], town[1][1:])
            pub = day + dt.timedelta(days=rnd.randint(1, 3))
            told = None if rnd.random() < 0.15 else day
            if told is None and rnd.random() < 0.5:
                pub = None if rnd.random() < 0.5 else pub + dt.timedelta(days=rnd.randint(5, 60))
            t = "military_operation" if kind in ("airstrike", "raid_or_arrest") and rnd.random() < 0.2 else kind
            out.append(report(f"d{doc:03d}", rnd.randrange(3), type=t, day=told, place=place, actors=actor,
                              targets=target, published=pub, quantities=(("killed", rnd.randint(1, 9)),)))
    return out


def test_stories_do_not_depend_on_the_order_of_reports():
    corpus = _corpus()
    want = fuse_events(corpus)
    assert len(set(link.story for link in want.values())) < len(corpus)  # the corpus does fuse
    for seed in range(5):
        shuffled = corpus[:]
        random.Random(seed).shuffle(shuffled)
        assert fuse_events(shuffled) == want


def test_incremental_fusion_one_document_at_a_time_equals_a_full_run():
    corpus = _corpus(11)
    want = fuse_events(corpus)
    by_doc: dict[str, list[EventReport]] = {}
    for r in corpus:
        by_doc.setdefault(r.document, []).append(r)
    docs = sorted(by_doc)
    random.Random(3).shuffle(docs)
    index, got = MemoryEventIndex(), {}
    for d in docs:
        got.update(fuse_events_incremental(by_doc[d], index))
    assert got == want


# ------------------------------------------------------------------------------ aggregates


def _event(trigger: str, start: dt.date | None, end: dt.date | None, quantities=()) -> Event:
    span = Span(0, len(trigger), trigger)
    date = DateValue(span, None, start, end, "day") if start else None
    return Event("military_operation", "military_operation", span, span, date=date, quantities=quantities)


def test_an_event_counting_several_operations_is_an_aggregate():
    q = Quantity("operations", 22, "exact", None, None, Span(0, 2, "22"))
    assert is_aggregate(_event("operations", None, None, (q,)))


def test_one_counted_operation_is_not_an_aggregate():
    q = Quantity("operations", 1, "exact", None, None, Span(0, 3, "one"))
    assert not is_aggregate(_event("operation", D, D, (q,)))


def test_a_plural_trigger_over_weeks_is_an_aggregate():
    assert is_aggregate(_event("strikes", dt.date(2025, 10, 1), dt.date(2025, 11, 6)))


def test_a_plural_trigger_on_one_day_is_not_an_aggregate():
    assert not is_aggregate(_event("airstrikes", D, D))


def test_a_singular_trigger_over_weeks_is_one_long_operation_not_an_aggregate():
    assert not is_aggregate(_event("offensive", dt.date(2025, 10, 1), dt.date(2025, 11, 6)))


# ------------------------------------------------------------------------------ nesting in a country, state actors

SYRIA = ("country:syria-id", ("country:SY",))


def test_a_town_lies_in_its_country_even_where_its_document_never_names_the_country():
    town = report("centcom", place=("place:atmeh", ("place:idlib", "country:SY")))
    country = replace(report("news", place=SYRIA), location_country="country:SY")
    assert together(town, country)


def test_a_town_of_another_country_does_not_lie_in_it():
    town = report("centcom", place=("place:mosul", ("country:IQ",)))
    country = replace(report("news", place=SYRIA), location_country="country:SY")
    assert not together(town, country)


def _broad(doc: str, actors: tuple[str, ...], states: tuple[str, ...]) -> EventReport:
    """A strike told over a month in one town: it needs the town and a shared actor."""
    return replace(report(doc, type="airstrike", day=dt.date(2025, 1, 1), end=dt.date(2025, 1, 31), actors=actors,
                          published=dt.date(2025, 2, 2)), actor_states=states)


def test_a_state_body_and_its_state_are_one_actor():
    release = _broad("centcom", ("org:us central command",), ("country:US",))
    story = _broad("news", ("loc:united states",), ("country:US",))
    assert together(release, story)


def test_two_bodies_of_different_states_are_two_actors():
    us = _broad("centcom", ("org:us central command",), ("country:US",))
    israel = _broad("news", ("org:israel defense forces",), ("country:IL",))
    assert not together(us, israel)


def test_actors_without_a_state_still_count_against_a_match():
    assert not together(_broad("a", ("org:group a",), ()), _broad("b", ("org:group b",), ()))


def test_blocking_finds_every_pair_that_could_be_one_happening():
    rnd = random.Random(5)
    corpus = []
    for i, r in enumerate(_corpus(13)):
        if rnd.random() < 0.3:  # some reports placed at the country itself, some actors a state's body
            r = replace(r, location="country:c-id", within=("country:c",), location_country="country:c")
        if rnd.random() < 0.4:
            r = replace(r, actors=(f"org:body{i % 5}",), actor_states=(f"country:s{i % 2}",))
        corpus.append(r)
    for a in corpus:
        keys = set(block_keys(a))
        for b in corpus:
            if a.ref != b.ref and judge(a, b) is not None:
                assert keys & set(lookup_keys(b)), (a, b)


def _entity(key: str, name: str, type: str, country: str | None = None, mentions: tuple[str, ...] = ()):
    from liaison.model import Entity

    return Entity(key=key, canonical=name, type=type, country_code=country,
                  mentions=tuple(Span(0, len(m), m) for m in (name, *mentions)))


def test_a_report_knows_the_state_its_actors_act_for_and_the_country_it_is_placed_at():
    from liaison.fuse.build import event_reports
    from liaison.model import Extraction

    entities = (
        _entity("loc:syria", "Syria", "country", "SY"),
        _entity("org:centcom", "United States Central Command", "government_body", mentions=("U.S. Central Command",)),
        _entity("org:gov ye", "Government of Yemen", "government_body"),
        _entity("org:sdf", "Syrian Democratic Forces", "armed_group"),
        _entity("loc:united states", "United States", "country", "US"),
    )
    span = Span(0, 6, "strike")
    event = Event("airstrike", "airstrike", span, span, actors=("org:centcom", "org:gov ye", "org:sdf",
                                                                 "loc:united states"), location="loc:syria")
    (r,) = event_reports("d", Extraction(entities=entities, events=(event,)), {})
    assert r.location_country == "country:SY"
    # one per actor, in order; an armed group named after a country is no state
    assert r.actor_states == ("country:US", "country:YE", "", "country:US")


def _sharing(doc: str, parties: tuple[str, ...], states: tuple[str, ...], place=SYRIA) -> EventReport:
    return replace(report(doc, type="intelligence_sharing", day=None, place=place, actors=parties, published=None),
                   actor_states=states)


def test_intelligence_shared_by_a_state_and_another_states_government_is_one_arrangement_wherever_told():
    # "the US shares intelligence with the transitional government in Damascus" / "anti-terror
    # co-operation between Syria and the US": no date, no publication date, one side places it nowhere
    story = _sharing("news", ("loc:united states", "org:syrian transitional government"), ("country:US", "country:SY"))
    other = _sharing("other", ("loc:syria", "loc:united states"), ("country:SY", "country:US"), place=(None, ()))
    assert together(story, other)


def test_arrangements_sharing_one_party_only_stay_apart():
    story = _sharing("news", ("loc:united states", "loc:iraq"), ("country:US", "country:IQ"))
    other = _sharing("other", ("loc:syria", "loc:united states"), ("country:SY", "country:US"), place=(None, ()))
    assert not together(story, other)


def test_a_person_keyed_as_extraction_keys_persons_identifies_the_act():
    # extraction keys a person "per:<name>": reports of unknown date with that target are one act
    a = report("a", day=None, published=None, targets=("per:ahmed abdi godane",))
    b = report("b", day=None, published=None, targets=("per:ahmed abdi godane",))
    assert together(a, b)
    c = report("c", day=None, published=None, targets=("org:ahmed abdi godane",))  # no person: no identity
    assert not together(a, c)
