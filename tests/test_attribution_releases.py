"""Sources of government releases (liaison_discourse): the line that says whose words a release is
governs the claims after it, ahead of the issuing outlet."""

from __future__ import annotations

import datetime as dt

from liaison.extract.pipeline import extract

PUB = dt.date(2025, 11, 13)


def test_a_release_attributable_to_a_spokesperson_is_their_claim(nlp):
    text = ("The below is attributable to Spokesperson Matthew Miller:\n\n"
            "Secretary of State Antony J. Blinken spoke today with Iraqi Prime Minister Mohammed Shiaa al-Sudani.")
    x = extract(nlp, text, PUB, issuer="U.S. Department of State, Office of the Spokesperson (readout)")
    assert x.events and x.events[0].attribution.source == "Spokesperson Matthew Miller"


def test_a_readout_provided_by_a_spokesperson_is_their_claim(nlp):
    text = ("Release No: NR-131-17\n\n"
            "Pentagon Chief Spokesperson Dana W. White provided the following readout:\n\n"
            "Secretary of Defense Jim Mattis met with Turkish Minister of Defense Fikri Isik today at the Pentagon.")
    x = extract(nlp, text, PUB, issuer="U.S. Department of Defense (news release: readout)")
    assert x.events and x.events[0].attribution.source == "Pentagon Chief Spokesperson Dana W. White"


def test_a_bracketed_attribution_line_governs_the_statement(nlp):
    text = ("(Attributable to Pentagon Press Secretary John Kirby)\n\n"
            "\u201cAt President Biden\u2019s direction, U.S. military forces earlier this evening conducted airstrikes "
            "against infrastructure in eastern Syria.\u201d")
    x = extract(nlp, text, PUB, issuer="U.S. Department of Defense (release)")
    strike = [e for e in x.events if e.type == "airstrike"][0]
    assert strike.attribution.source == "Pentagon Press Secretary John Kirby"


def test_a_release_without_a_voice_line_stays_its_issuers(nlp):
    text = "On Thursday, the U.S. military conducted an airstrike against al-Shabaab near Jilib, Somalia."
    x = extract(nlp, text, PUB, issuer="U.S. Department of Defense (release)")
    assert x.events[0].attribution.source == "U.S. Department of Defense"


def test_a_commanders_quoted_comment_is_not_the_source_of_the_strike(nlp):
    text = ("On Oct. 5, U.S. Central Command forces conducted a strike in Syria that killed Abu Yusif.\n\n"
            "\u201cThis strike demonstrates our commitment to the lasting defeat of ISIS,\u201d said Gen. Michael "
            "Kurilla, CENTCOM Commander.")
    x = extract(nlp, text, PUB, issuer="U.S. Central Command (press release)")
    strike = [e for e in x.events if e.type == "airstrike"][0]
    assert strike.attribution.source == "U.S. Central Command"


def test_a_source_at_the_end_of_a_paragraph_leaves_the_line_break_out(nlp):
    text = ("Today, U.S. Forces Afghanistan conducted a strike on an ISIS-K tunnel complex in Achin district, "
            "according to a U.S. Forces Afghanistan news release\n\nThe strike was designed to minimize the risk.")
    x = extract(nlp, text, PUB)
    assert x.events[0].attribution.source == "a U.S. Forces Afghanistan news release"
