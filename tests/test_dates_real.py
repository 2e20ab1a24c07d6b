"""Event dates as real reporting writes them (liaison_dates and liaison_discourse): numbers that are
no dates, full dates the model misses, "earlier in the day", clauses opened by "since", spans of
days, and a story's day carried from the sentence or paragraph that tells it."""

from __future__ import annotations

import datetime as dt

from liaison.extract.dates import resolve
from liaison.extract.pipeline import extract


def _dates(x, kind: str) -> list[str | None]:  # noqa: ANN001
    return [e.date.value if e.date else None for e in x.events if e.type == kind]


def test_a_bare_number_is_no_date(nlp):
    text = ("The Department of State has designated the group as a Foreign Terrorist Organization. The "
            "Department has also designated its leader as a Specially Designated Global Terrorist under "
            "Executive Order (E.O.) 13224.")
    x = extract(nlp, text, dt.date(2018, 5, 16))
    assert _dates(x, "designation_or_sanction")[-1] == "2018-05-16"


def test_a_full_date_the_model_reads_as_a_name_is_still_a_date(nlp):
    text = ("WASHINGTON - A Libyan national was sentenced to 22 years in prison on charges stemming from "
            "the September 11, 2012 terrorist attack on the U.S. Special Mission in Benghazi, Libya.")
    x = extract(nlp, text)
    assert "2012-09-11" in _dates(x, "attack")


def test_a_full_date_with_stray_punctuation_is_one_date(nlp):
    x = extract(nlp, "Soldiers and police inspect a compound attacked by Boko Haram in Nigeria, Dec, 2. 2013.")
    assert _dates(x, "attack") == ["2013-12-02"]


def test_a_length_of_time_after_to_ends_no_interval(nlp):
    text = ("He was sentenced today to 22 years in prison for the September 11, 2012 attack on the "
            "mission in Benghazi.")
    x = extract(nlp, text, dt.date(2018, 6, 27))
    assert _dates(x, "attack") == ["2012-09-11"]


def test_earlier_in_the_day_is_the_day_the_text_last_named(nlp):
    text = ("The Department of Defense is gathering information on a coalition airstrike in Syria on "
            "September 17.\n\nThe coalition air operations center earlier in the day notified Russian "
            "officials that coalition aircraft would be operating in that area.")
    x = extract(nlp, text, dt.date(2016, 9, 19))
    assert _dates(x, "intelligence_sharing") == ["2016-09-17"]


def test_a_date_in_a_clause_opened_by_since_runs_to_the_day_of_the_report(nlp):
    doc = nlp.make_doc("The special forces have captured 15 rebels since the operation started early this week.")
    doc._.published = dt.date(2003, 2, 13)
    doc = nlp(doc)
    values = [dm.resolved.value for dm in doc._.dates if dm.resolved]
    assert values == ["2003-02-10/2003-02-13"]


def test_a_month_and_a_span_of_days_is_an_interval_of_days():
    assert resolve("Nov. 17-23", dt.date(2021, 11, 24)).value == "2021-11-17/2021-11-23"
    assert resolve("Nov. 23-17", dt.date(2021, 11, 24)) is None


def test_days_earlier_count_from_the_last_event_of_the_same_kind(nlp):
    text = ("U.S. forces conducted two precision airstrikes in Libya on Tuesday, September 26, U.S. Africa "
            "Command, which oversees military operations on the continent, announced Thursday.\n\n"
            "Four days earlier, six U.S. precision strikes targeted a camp.")
    x = extract(nlp, text, dt.date(2017, 9, 29))
    assert _dates(x, "airstrike")[-1] == "2017-09-22"


def test_a_paragraph_opening_on_an_undated_event_takes_the_day_its_next_sentences_give(nlp):
    text = ("In Indian Kashmir, suspected militants have killed 12 soldiers and wounded seven others in an "
            "attack on an army camp. The violence flared as the president wrapped up a visit. Two rebels "
            "scaled a wire fence and infiltrated the camp early Saturday.")
    x = extract(nlp, text, dt.date(2003, 6, 30))
    assert _dates(x, "attack")[0] == "2003-06-28"


def test_the_story_goes_on_into_the_next_paragraph_until_another_time_is_named(nlp):
    text = ("Six soldiers were killed when al-Shabab attacked two bases before dawn Friday.\n\n"
            "Troops launched a counterattack and retook the base, killing four militants.\n\n"
            "In 2019, militants attacked a base in Kismayo.\n\n"
            "Troops launched a counterattack in the town of Jamame, killing two soldiers.")
    x = extract(nlp, text, dt.date(2020, 1, 17))
    assert _dates(x, "military_operation") == ["2020-01-17", "2019"]


def test_an_undated_event_takes_the_day_its_sentence_names_that_no_other_event_took(nlp):
    text = ("Additionally, following the Jan. 15 attack on the M/V Gibraltar Eagle, a U.S.-owned container "
            "ship, on Jan. 16 at approximately 4:15 a.m., U.S. Forces struck and destroyed four Houthi "
            "anti-ship ballistic missiles.")
    x = extract(nlp, text, dt.date(2024, 1, 16))
    assert _dates(x, "attack") == ["2024-01-15"]
    assert _dates(x, "airstrike") == ["2024-01-16"]


def test_an_undated_event_takes_the_span_an_earlier_sentence_of_its_paragraph_names(nlp):
    text = ("U.S. Army Gen. Stephen Townsend wrapped up a multi-country trip to the Southern Africa region, "
            "Nov. 17-23. During his travels, he visited civilian and military leaders in Mozambique.\n\n"
            "The first stop of the trip was in Maputo, where Townsend met with the Minister of Defense.")
    x = extract(nlp, text, dt.date(2021, 11, 24))
    assert _dates(x, "meeting") == ["2021-11-17/2021-11-23"] * 2


def test_a_header_date_line_dates_no_event_of_the_caption_after_it(nlp):
    text = "Posted by Rhonda Shore\nMay 16, 2014\nNigerians Hold a Vigil for the Girls Abducted by Boko Haram"
    x = extract(nlp, text)
    assert all(e.date is None or e.date.value != "2014-05-16" for e in x.events if e.type == "attack")


def test_a_weekday_the_model_reads_as_a_time_still_names_the_day(nlp):
    text = ("Fighters attacked a Nigerian Army base in Marte, Borno State, on Saturday night, killing at "
            "least 11 soldiers.")
    x = extract(nlp, text, dt.date(2025, 8, 18))
    assert _dates(x, "attack") == ["2025-08-16"]


def test_a_strike_on_one_day_of_its_own_is_not_folded_into_a_summary_of_several_days(nlp):
    text = ("SOUTHWEST ASIA, Dec. 18, 2017 - U.S. and coalition military forces continued to attack ISIS "
            "between Dec. 15-17, conducting 19 strikes, officials reported today.\n\n"
            "Strikes in Iraq\n\n"
            "Yesterday in Iraq, coalition military forces conducted a strike against ISIS targets near Rutbah.")
    x = extract(nlp, text, dt.date(2017, 12, 18))
    assert _dates(x, "airstrike") == ["2017-12-15/2017-12-17", "2017-12-17"]


def test_a_present_perfect_act_on_victims_taken_on_a_day_happened_between_that_day_and_the_report(nlp):
    text = ("Philippine military officials say Abu Sayyaf rebels have beheaded two of six captives who "
            "were abducted Tuesday on a remote southern island.")
    x = extract(nlp, text, dt.date(2002, 8, 22))
    assert _dates(x, "attack")[0] == "2002-08-20/2002-08-22"


def test_a_present_perfect_act_dated_in_its_own_clause_keeps_its_day(nlp):
    text = "Rebels have attacked an army camp on Tuesday on a remote southern island."
    x = extract(nlp, text, dt.date(2002, 8, 22))
    assert _dates(x, "attack") == ["2002-08-20"]
