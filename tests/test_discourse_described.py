"""Targets the discourse names (liaison.extract.described): a person told first by a description
and named in a later sentence, and a counted group enumerated after, through the real pipeline."""

from __future__ import annotations

import datetime as dt

from liaison.extract.pipeline import extract

PUB = dt.date(2015, 5, 16)


def _names(x, keys):
    by_key = {e.key: e.canonical for e in x.entities}
    return {by_key.get(k, k) for k in keys}


def _raids(x):
    return [e for e in x.events if e.type == "raid_or_arrest"]


def test_a_described_target_takes_the_name_a_later_sentence_gives_a_general_person_noun(nlp):
    text = ("U.S. special forces killed an Islamic State commander and captured his wife in eastern Syria "
            "on Friday, officials said.\n\n"
            "Officials described the Tunisian man, known as Abu Sayyaf, as having a role in the group's "
            "oil operations. The leader's wife, known as Umm Sayyaf, is in U.S. military detention.")
    x = extract(nlp, text, PUB)
    raid = _raids(x)[0]
    assert {"Abu Sayyaf", "Umm Sayyaf", "Islamic State"} <= _names(x, raid.targets)
    assert "Islamic State" not in _names(x, raid.actors)


def test_a_described_target_takes_the_name_of_a_later_phrase_with_the_same_noun(nlp):
    text = ("U.S. special operations forces conducted an operation in Syria yesterday to capture a senior "
            "leader of the Islamic State of Iraq and the Levant.\n\n"
            "Forces were ordered to capture an ISIL senior leader known as Abu Sayyaf, the defense secretary said.")
    x = extract(nlp, text, PUB)
    assert "Abu Sayyaf" in _names(x, _raids(x)[0].targets)


def test_a_description_with_a_name_of_its_own_takes_no_other(nlp):
    text = ("Police arrested a suspect, Ali Hassan, in Mombasa on Friday.\n\n"
            "Another man, known as Omar Farah, was questioned.")
    x = extract(nlp, text, PUB)
    assert "Omar Farah" not in _names(x, _raids(x)[0].targets)


def test_a_later_name_given_to_another_noun_does_not_name_the_description(nlp):
    text = ("Somali forces arrested a bombmaker in Baidoa on Friday.\n\n"
            "A spokesman, known as Abdi Nur, said the operation went well.")
    x = extract(nlp, text, PUB)
    assert x.events
    assert all("Abdi Nur" not in _names(x, e.targets) for e in x.events)


def test_a_counted_group_is_the_persons_the_next_sentences_introduce(nlp):
    text = ("Preet Bharara, the United States Attorney, today announced the extradition of three defendants "
            "charged with terrorism offenses. Mustafa Kamel Mustafa, 54, a naturalized citizen of the United "
            "Kingdom, is charged in connection with a hostage-taking in Yemen.\n\n"
            "Separately, Adel Abdel Bary, 52, a citizen of Egypt, and Khaled al Fawwaz, 50, a citizen of "
            "Saudi Arabia, are charged with conspiring with members of al Qaeda.")
    x = extract(nlp, text, dt.date(2012, 10, 6))
    extradition = _raids(x)[0]
    assert {"Mustafa Kamel Mustafa", "Adel Abdel Bary", "Khaled al Fawwaz"} <= _names(x, extradition.targets)


def test_a_counted_group_the_text_does_not_enumerate_names_no_one(nlp):
    text = ("Police today announced the arrest of three suspects in Nairobi.\n\n"
            "John Kamau, a police spokesman, said more arrests were expected.")
    x = extract(nlp, text, dt.date(2012, 10, 6))
    assert "John Kamau" not in _names(x, _raids(x)[0].targets)


def test_a_second_mention_aimed_at_the_same_named_person_is_the_same_raid(nlp):
    text = ("U.S. special operations forces yesterday conducted an operation in Syria to capture Abu Sayyaf, "
            "a senior leader of ISIL.\n\n"
            "\"Last night, I ordered U.S. forces to conduct an operation in eastern Syria to capture Abu Sayyaf "
            "and his wife,\" the defense secretary said.")
    x = extract(nlp, text, PUB)
    assert len(_raids(x)) == 1


def test_an_indefinite_general_noun_named_later_is_someone_else(nlp):
    text = ("U.S. forces killed an al-Shabaab commander in Jilib on Friday, officials said.\n\n"
            "A man, known as Ali Farah, was also seen near the site.")
    x = extract(nlp, text, PUB)
    assert all("Ali Farah" not in _names(x, e.targets) for e in x.events)


def test_a_person_introduced_as_a_casualty_is_not_one_of_the_group_held(nlp):
    text = ("Police today announced the arrest of two suspects in Nairobi.\n\n"
            "John Kamau, 30, was killed in the shooting. Peter Otieno, 41, was wounded.")
    x = extract(nlp, text, dt.date(2012, 10, 6))
    names = set().union(*(_names(x, e.targets) for e in x.events if e.type == "raid_or_arrest"))
    assert not names & {"John Kamau", "Peter Otieno"}
