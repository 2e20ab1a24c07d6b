"""Event rules for the register of military and government releases ("U.S. forces conducted an
airstrike ... targeting ...", strike summaries, raid announcements), each behaviour on a short
text made to show it, through the real pipeline."""

from __future__ import annotations

import datetime as dt

from liaison.extract.pipeline import extract

PUB = dt.date(2025, 11, 13)


def _events(x, type_=None):
    return [e for e in x.events if type_ is None or e.type == type_]


def _names(x, keys):
    names = {e.key: e.canonical for e in x.entities}
    return [names[k] for k in keys]


def test_a_strike_targeting_someone_is_one_airstrike_with_that_target(nlp):
    text = ("On May 27, U.S. forces carried out an airstrike in southern Somalia targeting Abdullahi Haji Da'ud, "
            "a senior commander of al-Shabaab.")
    x = extract(nlp, text, PUB)
    assert [e.type for e in _events(x)] == ["airstrike"]
    assert "Abdullahi Haji Da'ud" in _names(x, _events(x)[0].targets)


def test_what_strikes_did_is_told_by_the_strike_and_its_figures_are_the_strikes(nlp):
    text = "On Friday, six U.S. precision strikes targeted a camp in Libya, killing 17 militants."
    x = extract(nlp, text, PUB)
    assert [e.type for e in _events(x)] == ["airstrike"]
    assert {q.kind: q.value for q in _events(x)[0].quantities} == {"operations": 6, "killed": 17}


def test_a_participle_after_a_number_describes_a_noun_and_is_no_event(nlp):
    text = ("U.S. Africa Command conducted an airstrike near Jilib on Oct. 23, 2025.\n\n"
            "The command's initial assessment is that the strike killed two attacking al-Shabaab terrorists.")
    x = extract(nlp, text, PUB)
    assert not _events(x, "attack")


def test_a_designated_organisation_in_an_apposition_is_no_designation(nlp):
    text = ("Al-Shabaab, a U.S. Government designated Foreign Terrorist Organization, attacked a military base "
            "in Manda Bay, Kenya, early Sunday.")
    x = extract(nlp, text, PUB)
    assert not _events(x, "designation_or_sanction")
    assert _events(x, "attack")


def test_an_unplaced_strike_takes_the_place_of_the_attack_its_sentence_places(nlp):
    text = ("U.S. Africa Command conducted an airstrike against al-Shabaab terrorists who were attacking Somali "
            "National Army forces near Buulobarde, Somalia, on Oct. 23, 2025.")
    x = extract(nlp, text, PUB)
    strike = _events(x, "airstrike")[0]
    assert strike.location is not None and _names(x, [strike.location]) == ["Buulobarde"]


STRIKE_SUMMARY = (
    "SOUTHWEST ASIA, Dec. 20, 2016 - U.S. and coalition military forces continued to attack Islamic State of Iraq "
    "and the Levant terrorists in Iraq yesterday, task force officials reported today.\n\n"
    "Strikes in Iraq\n\n"
    "Attack, bomber and fighter aircraft conducted two strikes in Iraq:\n\n"
    "-- Near Huwayjah, a strike destroyed an ISIL command-and-control node.\n\n"
    "-- Near Kisik, a strike destroyed an ISIL-held building.\n")


def test_a_strike_summary_item_is_the_strike_of_the_forces_its_lede_names(nlp):
    x = extract(nlp, STRIKE_SUMMARY)
    items = [e for e in _events(x, "airstrike") if "Near" in e.evidence.text]
    assert len(items) == 2
    for ev in items:
        assert "United States" in _names(x, ev.actors)


def test_a_strike_summary_item_takes_the_day_of_its_lede(nlp):
    x = extract(nlp, STRIKE_SUMMARY, dt.date(2016, 12, 20))
    items = [e for e in _events(x, "airstrike") if "Near" in e.evidence.text]
    assert [e.date.value if e.date else None for e in items] == ["2016-12-19", "2016-12-19"]


def test_a_strike_summary_item_is_placed_by_its_opening_phrase(nlp):
    x = extract(nlp, STRIKE_SUMMARY)
    items = [e for e in _events(x, "airstrike") if "Near" in e.evidence.text]
    assert [_names(x, [e.location])[0] if e.location else None for e in items] == ["Huwayjah", "Kisik"]


def test_an_armed_group_attack_gives_no_actor_to_a_strike_after_it(nlp):
    text = ("Al-Shabaab militants attacked a base near Kismayo on Friday.\n\n"
            "Officials said a strike hit a vehicle near Jilib on Saturday.")
    x = extract(nlp, text, PUB)
    for ev in _events(x, "airstrike"):
        assert "al-Shabaab" not in _names(x, ev.actors)
