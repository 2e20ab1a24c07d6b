"""Who shares intelligence with whom (liaison.extract.events): the recipient inside what is shared,
and the parties a sentence says the sharing is between."""

from __future__ import annotations

import datetime as dt

from liaison.extract.pipeline import extract

PUB = dt.date(2025, 11, 13)


def _sharing(x):
    by_key = {e.key: e.canonical for e in x.entities}
    ev = next(e for e in x.events if e.type == "intelligence_sharing")
    return {by_key.get(a, a) for a in ev.actors}, {by_key.get(t, t) for t in ev.targets}


def test_a_with_phrase_inside_what_is_shared_names_whom_it_is_shared_with(nlp):
    text = ("The United States has been sharing its own intelligence on Islamic State activity in Syria "
            "with the Federal Government of Somalia in a bid to prevent a resurgence of the group.")
    actors, targets = _sharing(extract(nlp, text, PUB))
    assert "United States" in actors
    assert any("Government of Somalia" in t for t in targets)


def test_the_parties_a_sentence_says_the_sharing_is_between_are_its_actors(nlp):
    text = ("A security source told reporters that anti-terrorism co-operation, centred on sharing "
            "intelligence, has been going on for months between Syria and the US.")
    actors, _ = _sharing(extract(nlp, text, PUB))
    assert {"Syria", "United States"} <= actors
