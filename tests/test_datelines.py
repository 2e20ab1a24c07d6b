"""Datelines as real releases write them: after header lines, ending at a line break, without a
year, separated by the Unicode line separator; and what they are for, the day that "yesterday"
resolves against."""

from __future__ import annotations

import datetime as dt

import pytest

from liaison.extract.pipeline import extract
from liaison.ingest.dateline import dateline_date, dateline_end

STORY = "Somali forces killed 12 al-Shabaab fighters in a raid near Jilib yesterday, officials said."


def test_classic_dateline_still_gives_its_date_and_where_the_story_starts():
    text = "KABUL, Afghanistan (Jan. 25, 2013) - Afghan forces arrested two men."
    assert dateline_date(text) == dt.date(2013, 1, 25)
    assert text[dateline_end(text):].startswith("Afghan forces")


@pytest.mark.parametrize("header", [
    "Somali Forces Raid Militant Camp Near Jilib\n\n",
    "PRESS RELEASE\nRelease No. 25-041\n",
    "News Release\nFor Immediate Release\nSomali forces raid camp\n",
    "Press Release\nMarch 3, 2025\n",
])
def test_dateline_after_header_lines(header):
    text = header + "MOGADISHU, Somalia, March 3, 2025 — " + STORY
    assert dateline_date(text) == dt.date(2025, 3, 3)
    assert text[dateline_end(text):].startswith("Somali forces")


def test_no_dateline_after_a_paragraph_of_story():
    # a full sentence is the story, not a header: a dateline-like line below it is not the dateline
    text = "Officials said the raid was a success.\nMOGADISHU, March 3, 2025 — " + STORY
    assert dateline_date(text) is None and dateline_end(text) is None


def test_no_dateline_after_more_header_lines_than_a_release_has():
    text = "A\nB\nC\nD\nE\nMOGADISHU, March 3, 2025 — " + STORY
    assert dateline_date(text) is None


@pytest.mark.parametrize("text", [
    "MOGADISHU, Somalia, March 3, 2025\n" + STORY,
    "MOGADISHU, Somalia (March 3, 2025)\n\n" + STORY,
])
def test_dateline_ending_at_a_line_break(text):
    assert dateline_date(text) == dt.date(2025, 3, 3)
    assert text[dateline_end(text):] == STORY


@pytest.mark.parametrize("sep", ["\u2028", "\u2029"])
def test_unicode_line_separators_count_as_line_breaks_in_datelines(sep):
    text = "Somali Forces Raid Camp" + sep + "MOGADISHU, March 3, 2025" + sep + STORY
    assert dateline_date(text) == dt.date(2025, 3, 3)
    assert text[dateline_end(text):] == STORY


def test_dateline_without_a_date_still_ends_before_the_story():
    text = "WASHINGTON – Ahmed Abu Khatallah was sentenced today."
    assert dateline_date(text) is None
    assert text[dateline_end(text):].startswith("Ahmed")


def test_a_capitalised_word_and_a_dash_opening_a_sentence_is_no_dateline():
    assert dateline_end("ISIS — the group that held Mosul — is weakened.") is None


def test_dateline_without_a_date_takes_the_date_line_of_its_header():
    text = "Press Release\nJanuary 6, 2020\nTAMPA, Fla. — " + STORY
    assert dateline_date(text) == dt.date(2020, 1, 6)
    assert text[dateline_end(text):] == STORY


def test_month_and_day_without_year_take_the_year_of_the_latest_full_date_in_the_text():
    text = ("NAIROBI, Kenya, Jan. 6 — Kenyan forces repelled an attack on the base. "
            "The group also attacked a bus on Dec. 28, 2019, and the capital on Jan. 15, 2019.")
    assert dateline_date(text) == dt.date(2019, 1, 6)


def test_month_and_day_without_year_take_the_year_of_the_release_number():
    text = "Release No. 20200105-01\nNAIROBI, Kenya, Jan. 5 — Kenyan forces repelled an attack."
    assert dateline_date(text) == dt.date(2020, 1, 5)


def test_month_and_day_without_year_take_the_year_of_the_published_date():
    text = "NAIROBI, Kenya, Dec. 30 — Kenyan forces repelled an attack."
    # the dateline's day is on or before the published day: late December is the year before
    assert dateline_date(text, published=dt.date(2020, 1, 6)) == dt.date(2019, 12, 30)
    assert dateline_date(text, published=dt.date(2020, 12, 31)) == dt.date(2020, 12, 30)


def test_month_and_day_with_no_year_anywhere_stay_unknown():
    # never today's year from the clock: the same text must give the same answer every year
    assert dateline_date("NAIROBI, Kenya, Jan. 5 — Kenyan forces repelled an attack.") is None


def test_unicode_line_separator_ends_a_sentence(nlp):
    doc = nlp("Militants Attack Base\u2028Somali forces repelled the attack near Jilib on Monday.")
    assert [s.text.strip() for s in doc.sents][:2] == ["Militants Attack Base",
                                                        "Somali forces repelled the attack near Jilib on Monday."]


def test_yesterday_resolves_against_a_dateline_after_a_header(nlp):
    text = "Somali Forces Raid Camp\u2028MOGADISHU, Somalia, March 3\n" + STORY + " On Feb. 2, 2025, a raid failed."
    published = dateline_date(text)
    assert published == dt.date(2025, 3, 3)
    x = extract(nlp, text, published)
    raid = next(e for e in x.events if "yesterday" in e.evidence.text)
    assert raid.date is not None and raid.date.value == "2025-03-02"
