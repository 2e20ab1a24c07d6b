"""Titles of resolved entities become roles with when they held and which documents say so."""

from __future__ import annotations

import datetime as dt

import pytest

from liaison.fuse.records import EntityMention, Link, RoleFact
from liaison.fuse.roles import normalise_role, role_holder, roles

SHARAA = "person:ahmed al-sharaa"


def mention(doc: str, key: str, titles: tuple[str, ...], published: dt.date | None) -> EntityMention:
    return EntityMention(doc, key, key.split(":")[1], "person", (key.split(":")[1],), titles=titles,
                         published=published)


def linked(*mentions: EntityMention, entity: str = SHARAA) -> dict:
    return {m.node: Link(m.node, entity, "self" if i == 0 else "name-variant") for i, m in enumerate(mentions)}


@pytest.mark.parametrize("title", ["Syria's de facto leader", "de facto leader", "the de-facto leader",
                                   "Syria\u2019s de facto leader", "Syrian de facto leader"])
def test_one_role_told_with_or_without_its_country_is_one_spelling(title):
    assert normalise_role(title) == "de facto leader"


@pytest.mark.parametrize("title", ["President", "the Syrian President", "President of Syria", "U.S. President",
                                   "President of the United States"])
def test_president_is_one_role_whoever_it_is_of(title):
    assert normalise_role(title) == "president"


def test_words_that_change_a_role_are_kept():
    assert len({normalise_role(t) for t in ("President", "interim president", "former President",
                                            "de facto leader")}) == 4


def test_an_organisation_in_a_title_is_part_of_the_role():
    assert normalise_role("CENTCOM Commander") == "centcom commander"
    assert normalise_role("HTS's leader") == normalise_role("HTS leader") == "hts leader"


def test_a_hyphened_country_word_is_not_the_country_the_role_is_of():
    assert normalise_role("US-backed commander") == "us backed commander"


def test_titles_over_documents_of_one_entity_become_roles_with_first_and_last_seen():
    a = mention("d1", "person:ahmed al-sharaa", ("Syria's de facto leader",), dt.date(2025, 1, 10))
    b = mention("d2", "person:ahmad al shara", ("de facto leader",), dt.date(2025, 3, 2))
    c = mention("d3", "person:ahmad al shara", ("President",), dt.date(2025, 11, 7))
    got = roles([c, a, b], linked(a, b, c))
    assert got == [
        RoleFact(SHARAA, "de facto leader", dt.date(2025, 1, 10), dt.date(2025, 3, 2), ("d1", "d2")),
        RoleFact(SHARAA, "president", dt.date(2025, 11, 7), dt.date(2025, 11, 7), ("d3",)),
    ]


def test_a_mention_without_a_link_is_an_entity_of_its_own():
    m = mention("d1", "person:x", ("spokesman",), dt.date(2025, 1, 1))
    assert [f.entity for f in roles([m], {})] == ["person:x"]


def test_an_undated_document_gives_a_role_without_dates():
    m = mention("d1", "person:x", ("spokesman",), None)
    assert roles([m], {}) == [RoleFact("person:x", "spokesman", None, None, ("d1",))]


def test_an_undated_document_adds_itself_without_moving_the_dates():
    a = mention("d1", "person:x", ("spokesman",), dt.date(2025, 1, 1))
    b = mention("d2", "person:x", ("spokesman",), None)
    (fact,) = roles([a, b], {})
    assert (fact.first_seen, fact.last_seen, fact.documents) == (dt.date(2025, 1, 1), dt.date(2025, 1, 1), ("d1", "d2"))


# ------------------------------------------------------------------------------ who held it


def fact(entity: str, role: str, first: dt.date, last: dt.date) -> RoleFact:
    return RoleFact(entity, role, first, last, ("d",))


KURILLA = fact("person:kurilla", "centcom commander", dt.date(2022, 5, 1), dt.date(2025, 6, 1))
COOPER = fact("person:cooper", "centcom commander", dt.date(2025, 9, 1), dt.date(2025, 12, 1))


def test_the_holder_is_the_one_seen_in_the_role_then():
    assert role_holder("the CENTCOM commander", dt.date(2024, 3, 15), [KURILLA, COOPER]) == "person:kurilla"
    assert role_holder("CENTCOM commander", dt.date(2025, 10, 1), [KURILLA, COOPER]) == "person:cooper"


def test_the_last_seen_holder_still_holds_the_role_until_another_is_seen():
    assert role_holder("CENTCOM commander", dt.date(2025, 7, 15), [KURILLA, COOPER]) == "person:kurilla"


def test_nobody_is_known_to_hold_a_role_before_it_was_first_seen():
    assert role_holder("CENTCOM commander", dt.date(2020, 1, 1), [KURILLA, COOPER]) is None


def test_a_sighting_older_than_a_year_names_nobody():
    assert role_holder("CENTCOM commander", dt.date(2027, 6, 1), [KURILLA, COOPER]) is None


def test_a_role_several_hold_at_once_is_ambiguous():
    a = fact("person:trump", "president", dt.date(2025, 1, 20), dt.date(2025, 11, 1))
    b = fact("person:sharaa", "president", dt.date(2025, 3, 1), dt.date(2025, 11, 7))
    assert role_holder("President", dt.date(2025, 6, 1), [a, b]) is None
    assert role_holder("President", dt.date(2025, 12, 1), [a, b]) is None


def test_a_role_nobody_was_seen_in_names_nobody():
    assert role_holder("emir", dt.date(2025, 1, 1), [KURILLA]) is None


def test_undated_facts_say_nothing_of_when():
    undated = RoleFact("person:x", "emir", None, None, ("d",))
    assert role_holder("emir", dt.date(2025, 1, 1), [undated]) is None


def test_a_form_of_address_is_no_role_and_defacto_is_de_facto():
    assert normalise_role("Mr") == "" and normalise_role("Dr.") == ""
    assert normalise_role("Syria's defacto leader") == normalise_role("de facto leader") == "de facto leader"
