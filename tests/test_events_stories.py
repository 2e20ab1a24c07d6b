"""Event rules that decide whether one happening told by several documents is found in each
(issue 13, crossdoc event F1): the register of raid announcements, extraditions and charges,
each behaviour on a short text made to show it, through the real pipeline."""

from __future__ import annotations

import datetime as dt

from liaison.extract.pipeline import extract

PUB = dt.date(2015, 5, 16)


def _types(x):
    return [e.type for e in x.events]


def test_a_question_about_what_a_strike_did_takes_the_strike_as_a_fact(nlp):
    x = extract(nlp, "Officials are trying to determine whether a U.S. drone strike in Somalia killed the group's "
                     "leader.", PUB)
    assert _types(x) == ["airstrike"]


def test_a_question_whether_a_strike_took_place_is_no_event(nlp):
    x = extract(nlp, "Officials would not say whether an airstrike took place near the town.", PUB)
    assert _types(x) == []


def test_a_condition_on_an_attack_is_no_event(nlp):
    x = extract(nlp, "If an attack hits the base, the troops will leave.", PUB)
    assert _types(x) == []


def test_special_forces_killing_and_capturing_one_person_is_a_raid(nlp):
    x = extract(nlp, "U.S. special forces killed an Islamic State commander and captured his wife in eastern Syria.",
                PUB)
    assert _types(x) == ["raid_or_arrest"]


def test_an_operation_to_capture_a_leader_is_a_raid(nlp):
    x = extract(nlp, "The Army conducted an operation in Syria to capture a senior leader of the Islamic State.", PUB)
    assert _types(x) == ["raid_or_arrest"]


def test_a_counterterrorism_mission_is_a_raid(nlp):
    x = extract(nlp, "U.S. forces conducted a counterterrorism mission this evening in northwest Syria.", PUB)
    assert _types(x) == ["raid_or_arrest"]


def test_operations_in_the_plural_stay_operations_whoever_runs_them(nlp):
    x = extract(nlp, "Special forces conducted clearing operations against the militants in the province.", PUB)
    assert _types(x) == ["military_operation"]


def test_a_mission_that_is_no_raid_is_no_event(nlp):
    x = extract(nlp, "The mission of the command is to direct military activities with partners.", PUB)
    assert _types(x) == []


def test_an_extradition_is_an_arrest(nlp):
    x = extract(nlp, "Abu Hamza appeared in court in New York following his extradition from Britain.", PUB)
    assert _types(x) == ["raid_or_arrest"]


def test_a_hostage_taking_is_an_attack(nlp):
    x = extract(nlp, "He is charged in connection with a hostage-taking in Yemen in 1998.", PUB)
    assert _types(x) == ["attack"]


def test_the_date_nearest_the_trigger_dates_it(nlp):
    x = extract(nlp, "Secretary Ash Carter announced today that U.S. forces yesterday conducted an operation in Syria "
                     "to capture a senior leader.", PUB)
    assert [e.date.value for e in x.events] == ["2015-05-15"]


def _target_names(x, e):
    names = {en.key: en.canonical for en in x.entities}
    return [names[k] for k in e.targets]


def test_who_was_the_target_of_a_strike_is_its_target(nlp):
    x = extract(nlp, "Officials confirmed that the leader of al-Shabab, Ahmed Abdi Godane, was the target of a "
                     "U.S. drone attack in Somalia.", PUB)
    assert [e.type for e in x.events] == ["airstrike"]
    assert "Ahmed Abdi Godane" in _target_names(x, x.events[0])


def test_a_person_singled_out_of_a_strikes_target_is_a_target_too(nlp):
    x = extract(nlp, "U.S. forces carried out a strike against the al-Shabaab network, specifically the group's "
                     "leader, Ahmed Abdi Godane.", PUB)
    assert "Ahmed Abdi Godane" in _target_names(x, x.events[0])


def test_an_unplaced_strike_happened_where_its_paragraph_set_the_scene(nlp):
    x = extract(nlp, "You have all been tracking events in Somalia last night. U.S. forces destroyed an "
                     "encampment and a vehicle using several Hellfire missiles.", PUB)
    names = {en.key: en.canonical for en in x.entities}
    assert [(e.type, names.get(e.location)) for e in x.events] == [("airstrike", "Somalia")]


def test_who_is_charged_in_connection_with_an_attack_is_its_alleged_attacker(nlp):
    x = extract(nlp, "Adel Abdel Bary, 52, a citizen of Egypt, lives in London. Bary is also charged with murder "
                     "and other offenses in connection with the 1998 bombing of the U.S. Embassy in Kenya.", PUB)
    attacks = [e for e in x.events if e.type == "attack"]
    names = {en.key: en.canonical for en in x.entities}
    assert attacks and [names[k] for k in attacks[0].actors] == ["Adel Abdel Bary"]


def test_wanted_for_a_role_in_an_attack_is_no_wish(nlp):
    x = extract(nlp, "Two of the suspects, Adel Abdul Bary and Khaled al-Fawwaz, are wanted for their alleged roles "
                     "in the bombing of the U.S. embassy in Kenya in 1998.", PUB)
    assert _types(x) == ["attack"]
    assert len(x.events[0].actors) == 2


def test_what_conspirators_were_to_do_has_not_happened(nlp):
    x = extract(nlp, "They are charged with conspiring with members of al Qaeda to attack U.S. interests abroad.", PUB)
    assert _types(x) == []


def test_an_act_on_the_things_in_two_countries_is_one_act_in_each(nlp):
    x = extract(nlp, "He is charged in connection with the 1998 bombings of the U.S. Embassies in Kenya and "
                     "Tanzania.", PUB)
    names = {en.key: en.canonical for en in x.entities}
    assert sorted(names[e.location] for e in x.events) == ["Kenya", "Tanzania"]


def test_attacks_on_people_in_two_countries_stay_one_series(nlp):
    x = extract(nlp, "The Secretary condemned the series of attacks on U.S. personnel in Iraq and Syria.", PUB)
    assert len([e for e in x.events if e.type == "attack"]) == 1


def test_whom_a_raid_is_to_capture_is_its_target(nlp):
    x = extract(nlp, "U.S. special operations forces conducted an operation in eastern Syria to capture an ISIL "
                     "senior leader and his wife Umm Sayyaf.", PUB)
    raids = [e for e in x.events if e.type == "raid_or_arrest"]
    names = {en.key: en.canonical for en in x.entities}
    assert raids and "Umm Sayyaf" in [names[k] for k in raids[0].targets]


def test_whom_an_operation_eliminated_is_its_target(nlp):
    x = extract(nlp, "Our correspondent has more on the operation that eliminated Abu Ibrahim al-Hashimi al-Qurashi.",
                PUB)
    names = {en.key: en.canonical for en in x.entities}
    assert any("Abu Ibrahim al-Hashimi al-Qurashi" in [names[k] for k in e.targets] for e in x.events)


def test_who_died_during_a_raid_is_its_target_not_its_actor(nlp):
    x = extract(nlp, "The leader of the Islamic State died Thursday during a raid by U.S. special operations forces "
                     "in Syria.", PUB)
    names = {en.key: en.canonical for en in x.entities}
    raid = [e for e in x.events if e.type == "raid_or_arrest"][0]
    assert "Islamic State" in [names[k] for k in raid.targets]
    assert "Islamic State" not in [names[k] for k in raid.actors]


def test_the_operation_that_eliminated_someone_is_the_raid_told_before(nlp):
    x = extract(nlp, "The leader of the Islamic State died Thursday during a raid by U.S. special operations forces "
                     "in Syria. Our correspondent has more on the operation that eliminated Abu Ibrahim al-Qurashi.",
                PUB)
    names = {en.key: en.canonical for en in x.entities}
    assert [e.type for e in x.events] == ["raid_or_arrest"]
    assert "Abu Ibrahim al-Qurashi" in [names[k] for k in x.events[0].targets]


def test_whom_forces_took_off_the_battlefield_is_the_target_of_their_operation(nlp):
    x = extract(nlp, "U.S. forces in Syria undertook a counterterrorism operation last night. We have taken off the "
                     "battlefield Abu Ibrahim al-Qurayshi, the leader of ISIS.", PUB)
    names = {en.key: en.canonical for en in x.entities}
    assert [e.type for e in x.events] == ["raid_or_arrest"]
    assert "Abu Ibrahim al-Qurayshi" in [names[k] for k in x.events[0].targets]


def test_whose_extradition_it_is_is_its_target_and_it_happens_where_they_are_handed_over_from(nlp):
    x = extract(nlp, "Radical cleric Abu Hamza al-Masri was scheduled to appear before a federal judge in New York "
                     "Saturday following his extradition from Britain.", PUB)
    names = {en.key: en.canonical for en in x.entities}
    arrest = [e for e in x.events if e.type == "raid_or_arrest"][0]
    assert [names[k] for k in arrest.targets] == ["Abu Hamza al-Masri"]
    assert not arrest.actors
    assert names[arrest.location] == "United Kingdom"
