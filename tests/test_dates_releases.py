"""Dates of reports and releases: a month with no year takes the greatest year the text names
(liaison_dates), and 'four days earlier' counts from the day of the event told before it
(liaison_discourse)."""

from __future__ import annotations

import datetime as dt

from liaison.extract.pipeline import extract


def test_a_month_without_a_year_takes_the_greatest_year_the_text_names(nlp):
    text = ("In March, ISIS-M attacked the town of Palma in Cabo Delgado.\n\n"
            "Activity during the first five months of 2021 surpassed the total number of events in 2020.")
    x = extract(nlp, text)
    attack = [e for e in x.events if e.type == "attack"][0]
    assert attack.date is not None and attack.date.value == "2021-03"


def test_days_earlier_count_from_the_day_of_the_event_before(nlp):
    text = ("U.S. forces conducted two precision airstrikes in Libya on Tuesday, September 26.\n\n"
            "Four days earlier, six U.S. precision strikes targeted a camp. Two days later, a strike hit a vehicle.")
    x = extract(nlp, text, dt.date(2017, 9, 29))
    assert [e.date.value if e.date else None for e in x.events] == ["2017-09-26", "2017-09-22", "2017-09-24"]
