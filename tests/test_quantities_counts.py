"""Figures as releases and reports write them (liaison_quantities, and the one-strike count of
liaison_discourse), each behaviour on a sentence made to show it."""

from __future__ import annotations

import datetime as dt

from liaison.extract.pipeline import extract

PUB = dt.date(2025, 11, 13)


def _figures(nlp, text):  # noqa: ANN001
    doc = nlp(text)
    return {(q.kind, q.value) for q in doc._.quantities}


def test_a_dozen_is_twelve(nlp):
    assert ("captured", 12) in _figures(nlp, "About a dozen Iraqi suspects have been arrested in a joint raid.")


def test_a_part_of_a_whole_counts_the_part(nlp):
    figures = _figures(nlp, "Abu Sayyaf rebels have beheaded two of six captives who were abducted Tuesday.")
    assert ("killed", 2) in figures and ("killed", 6) not in figures


def test_a_figure_coordinated_with_one_more_person_counts_them_too(nlp):
    figures = _figures(nlp, "A rocket attack at Camp Taji killed two U.S. service members and a British medic.")
    assert ("killed", 3) in figures


def test_a_strike_told_with_a_is_one_operation(nlp):
    text = ("Attack and fighter aircraft conducted strikes in Iraq yesterday:\n\n"
            "-- Near Kisik, a strike destroyed an ISIL-held building.")
    x = extract(nlp, text, PUB)
    item = [e for e in x.events if "Kisik" in e.evidence.text][0]
    assert {q.kind: q.value for q in item.quantities} == {"operations": 1}


def test_a_count_whose_auxiliary_the_coordination_left_out_is_counted(nlp):
    figures = _figures(nlp, "Two U.S. soldiers were killed and three wounded when their patrol was attacked.")
    assert {("killed", 2), ("wounded", 3)} <= figures
    assert ("killed", 3) not in _figures(nlp, "Three militants killed a soldier.")
