"""A government named without its state but placed in a town is that state's (liaison.extract.governments)."""

from __future__ import annotations

import datetime as dt

from liaison.extract.pipeline import extract

PUB = dt.date(2025, 11, 13)


def _government(x, name):
    return next(e for e in x.entities if e.type == "government_body" and name in e.canonical)


def test_a_government_placed_in_a_town_gets_its_state_s_adjective_as_an_alias(nlp):
    text = ("The United States has been sharing intelligence on Islamic State activity in Syria with the new "
            "transitional government in Damascus.")
    ent = _government(extract(nlp, text, PUB), "transitional government")
    assert "Syrian transitional government" in ent.aliases
    assert "transitional government" in ent.canonical


def test_a_government_whose_name_states_its_country_gets_no_alias(nlp):
    text = "The United States has been sharing intelligence with the Somali government in Mogadishu."
    x = extract(nlp, text, PUB)
    assert all(not any(a.startswith("Somali ") and a != e.canonical for a in e.aliases)
               for e in x.entities if e.type == "government_body")


def test_a_government_not_placed_anywhere_gets_no_alias(nlp):
    text = "The United States has been sharing intelligence with the new transitional government."
    x = extract(nlp, text, PUB)
    assert all(not e.aliases for e in x.entities if e.type == "government_body")
