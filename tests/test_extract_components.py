"""The extraction components, each on sentences made to show one behaviour."""

from __future__ import annotations

import datetime as dt

import pytest

from liaison.extract.dates import resolve
from liaison.extract.numbers import parse_number
from liaison.extract.pipeline import extract

PUB = dt.date(2025, 11, 13)  # a Thursday


def _names(x):
    return {e.key: e.canonical for e in x.entities}


def test_pipeline_analysis_reports_no_problems(nlp):
    analysis = nlp.analyze_pipes(pretty=False)
    assert not any(analysis["problems"].values())
    assert nlp.pipe_names[-6:] == ["liaison_entities", "liaison_quantities", "liaison_dates",
                                   "liaison_attribution", "liaison_events", "liaison_discourse"]


def test_abbreviation_introduced_in_parentheses_links_later_mentions(nlp):
    x = extract(nlp, "Officials met members of the Popular Front for Justice (PFJ) in Aden. "
                     "The PFJ later denied any role.")
    ent = next(e for e in x.entities if "Popular Front for Justice" in e.canonical)
    assert {m.text for m in ent.mentions} == {"Popular Front for Justice", "PFJ"}


def test_titles_are_kept_apart_from_names_and_short_names_link_to_the_full_name(nlp):
    x = extract(nlp, "Defence Minister Murhaf Abu Qasra met the envoy in Damascus. "
                     "Mr Abu Qasra said the talks went well.")
    person = next(e for e in x.entities if e.type == "person")
    assert person.canonical == "Murhaf Abu Qasra"
    assert {m.text for m in person.mentions} == {"Murhaf Abu Qasra", "Abu Qasra"}
    assert any("Minister" in t for t in person.titles)


def test_transliterations_of_a_known_person_share_one_canonical_name(nlp):
    a = extract(nlp, "President Ahmad Al Shara met officials in Damascus on Monday.")
    b = extract(nlp, "Ahmed al-Sharaa met officials in Damascus on Monday.")
    assert {e.key for e in a.entities if e.type == "person"} == {e.key for e in b.entities if e.type == "person"}


def test_aliases_of_a_curated_group_resolve_to_its_canonical_name(nlp):
    x = extract(nlp, "ISIS fighters attacked a checkpoint; Daesh later claimed it.")
    groups = [e for e in x.entities if e.type == "armed_group"]
    assert len(groups) == 1 and groups[0].canonical == "Islamic State"


@pytest.mark.parametrize(
    ("words", "value"),
    [(["five"], 5), (["19"], 19), (["2,000"], 2000), (["twenty-two"], 22), (["1.5", "million"], 1_500_000),
     (["two", "hundred"], 200), (["dozens"], None)],
)
def test_numbers_read_from_digits_and_words(words, value):
    assert parse_number(words) == value


@pytest.mark.parametrize(
    ("sentence", "kind", "value", "qualifier"),
    [
        ("Troops killed five militants in the raid near Kirkuk.", "killed", 5, "exact"),
        ("The army said 19 fighters were captured during the operation.", "captured", 19, "exact"),
        ("Officials said at least 30 people were wounded in the attack on the market.", "wounded", 30,
         "lower_bound"),
        ("The US has around 2,000 soldiers in northeast Syria.", "troops", 2000, "approximate"),
        ("There are between 1,500 and 2,000 US troops in the country.", "troops", 2000, "range"),
        ("Forces carried out more than 22 operations against ISIS in Syria.", "operations", 22, "lower_bound"),
    ],
)
def test_quantities_keep_kind_value_and_bound(nlp, sentence, kind, value, qualifier):
    x = extract(nlp, sentence, PUB)
    quantities = [q for ev in x.events for q in ev.quantities]
    match = [q for q in quantities if q.kind == kind]
    assert match, (sentence, quantities)
    assert (match[0].value, match[0].qualifier) == (value, qualifier)


@pytest.mark.parametrize(
    ("text", "published", "value"),
    [
        ("last month", PUB, "2025-10"),
        ("on Wednesday", PUB, "2025-11-12"),
        ("this week", PUB, "2025-11-10/2025-11-16"),
        ("yesterday", PUB, "2025-11-12"),
        ("December", PUB, "2024-12"),
        ("December 2024", None, "2024-12"),
        ("March 3, 2025", None, "2025-03-03"),
        ("last month", None, None),
        ("on Wednesday", None, None),
        ("recent months", PUB, None),
    ],
)
def test_dates_resolve_against_publication_or_stay_null(text, published, value):
    res = resolve(text, published)
    assert (res.value if res else None) == value


def test_date_interval_between_two_days_takes_the_year_from_publication(nlp):
    x = extract(nlp, "US forces carried out raids between October 1 and November 6 in Syria.", PUB)
    assert x.events and x.events[0].date is not None
    assert x.events[0].date.value == "2025-10-01/2025-11-06"


@pytest.mark.parametrize(
    ("sentence", "source"),
    [
        ("US forces killed five militants in Syria, the US military said.", "the US military"),
        ("US forces killed five militants in Syria, according to unnamed officials speaking to the Washington Post.",
         "unnamed officials speaking to the Washington Post"),
        ("A security source based in Jordan told The National that Syria and the US have been sharing "
         "intelligence.", "A security source based in Jordan"),
    ],
)
def test_attribution_names_who_the_claim_comes_from(nlp, sentence, source):
    x = extract(nlp, sentence, PUB)
    assert x.events, sentence
    assert x.events[0].attribution is not None
    assert x.events[0].attribution.source == source


@pytest.mark.parametrize(
    "sentence",
    [
        "But the US has no presence in areas held by the government.",
        "The ministry denied that any airstrike took place in Idlib.",
        "The group could launch attacks on the capital.",
        "Officials plan to deploy 500 troops to the border next year.",
        "The army did not arrest anyone in the raid.",
    ],
)
def test_negated_and_hypothetical_statements_are_not_events(nlp, sentence):
    x = extract(nlp, sentence, PUB)
    assert [ev.type for ev in x.events] == []


def test_hedged_claims_get_lower_confidence(nlp):
    plain = extract(nlp, "Iraqi jets carried out airstrikes on Islamic State hideouts in Kirkuk.", PUB)
    hedged = extract(nlp, "Iraqi jets reportedly carried out airstrikes on Islamic State hideouts in Kirkuk.", PUB)
    assert plain.events and hedged.events
    assert hedged.events[0].confidence < plain.events[0].confidence
    assert hedged.events[0].hedged


def test_foiled_attack_is_an_event_that_did_not_occur(nlp):
    x = extract(nlp, "Intelligence from the US prevented an IS car bomb attack against a shrine in Damascus.", PUB)
    foiled = [ev for ev in x.events if ev.type == "foiled_attack"]
    assert foiled and foiled[0].status == "not-occurred"
    names = _names(x)
    assert [names[a] for a in foiled[0].actors] == ["Islamic State"]
    assert names[foiled[0].location] == "Damascus"


def test_every_extracted_item_points_at_its_words(nlp):
    text = "Somali forces killed 12 al-Shabaab fighters near Kismayo on Tuesday, the army said."
    x = extract(nlp, text, PUB)
    for e in x.entities:
        for m in e.mentions:
            assert text[m.start:m.end] == m.text
    for ev in x.events:
        assert text[ev.evidence.start:ev.evidence.end] == ev.evidence.text
        for q in ev.quantities:
            assert text[q.span.start:q.span.end] == q.span.text


def test_intelligence_sharing_names_giver_and_recipient(nlp):
    x = extract(nlp, "Jordan shared intelligence with Syria about an Islamic State cell in Deraa.", PUB)
    names = _names(x)
    ev = next(ev for ev in x.events if ev.type == "intelligence_sharing")
    assert [names[a] for a in ev.actors] == ["Jordan"]
    assert [names[t] for t in ev.targets] == ["Syria"]


def test_a_place_name_means_that_place_before_another_places_alternate_name(nlp):
    x = extract(nlp, "JNIM fighters attacked an army convoy near Gao on Monday.", PUB)
    place = next(e for e in x.entities if e.canonical == "Gao")
    assert place.country_code == "ML"


@pytest.mark.parametrize(
    ("name", "type_"),
    [("Kenya Defence Forces", "government_body"), ("Nigerian Army", "government_body"),
     ("Ministry of Interior", "government_body"), ("Popular Resistance Front", "armed_group"),
     ("Red Crescent Society", "organization")],
)
def test_unknown_organisations_are_typed_by_their_words(name, type_):
    from liaison.extract.entities import org_type

    assert org_type(name) == type_


def test_a_span_back_from_the_report_resolves_to_an_interval_ending_on_its_day():
    assert resolve("the past two years", dt.date(2004, 1, 18)).value == "2002-01-18/2004-01-18"
    assert resolve("the last six months", dt.date(2004, 1, 18)).value == "2003-07-18/2004-01-18"
    assert resolve("the past years", dt.date(2004, 1, 18)) is None
