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


def test_a_where_clause_happened_in_the_place_it_hangs_on(nlp):
    text = ("The first stop of the trip was in Maputo, Mozambique, where General Townsend met with Minister of "
            "Defense Cristovao Chume on Nov. 17, 2021.")
    x = extract(nlp, text, PUB)
    meeting = _events(x, "meeting")[0]
    assert meeting.location is not None and _names(x, [meeting.location]) == ["Maputo"]


def test_a_nationality_of_towns_places_an_event_in_its_country(nlp):
    text = ("Nigeria has fought the group for a decade.\n\n"
            "Boko Haram launched attacks on police stations in several northern Nigerian cities in 2009.")
    x = extract(nlp, text, PUB)
    attack = _events(x, "attack")[0]
    assert attack.location is not None and _names(x, [attack.location]) == ["Nigeria"]


def test_a_bearing_from_a_town_places_an_event_in_the_towns_country(nlp):
    text = ("In coordination with the Federal Government of Somalia, U.S. forces conducted an airstrike against an "
            "al-Shabaab vehicle on Dec. 12, 2017, approximately 65 kilometers southwest of the capital, Mogadishu.\n\n"
            "Our goals in Somalia are the same.")
    x = extract(nlp, text, PUB)
    strike = _events(x, "airstrike")[0]
    assert strike.location is not None and _names(x, [strike.location]) == ["Somalia"]


def test_a_place_in_another_events_phrase_does_not_place_the_event(nlp):
    text = ("U.S. military forces conducted airstrikes against facilities in Syria on Friday.\n\n"
            "These strikes were authorized in response to recent attacks against American personnel in Iraq.")
    x = extract(nlp, text, PUB)
    strikes = _events(x, "airstrike")
    assert len(strikes) == 1
    assert _names(x, [strikes[0].location]) == ["Syria"]


def test_a_determiner_the_parser_hung_on_a_modifier_still_points_back(nlp):
    text = ("U.S. Central Command forces conducted three helicopter raids in eastern Syria on Monday.\n\n"
            "\u201cThese partnered operations reaffirm our commitment to the region,\u201d the commander said.")
    x = extract(nlp, text, PUB)
    assert [e.type for e in _events(x)] == ["raid_or_arrest"]


def test_a_mission_statement_tells_no_operation(nlp):
    text = ("U.S. forces conducted a strike in Syria on Monday.\n\n"
            "The CENTCOM mission is to direct and enable military operations with allies and partners.")
    x = extract(nlp, text, PUB)
    assert not _events(x, "military_operation")


def test_what_strikes_do_said_in_the_simple_present_is_no_event(nlp):
    text = ("The U.S. military conducted strikes on AQAP operatives in central Yemen on Dec. 29.\n\n"
            "\u201cStrikes against al-Qa\u2019ida operatives put consistent pressure on the terrorist network,\u201d "
            "a spokesman said.")
    x = extract(nlp, text, PUB)
    assert len(_events(x, "airstrike")) == 1


def test_a_plotted_attack_is_no_attack_that_happened(nlp):
    text = "Hassan was believed to have been plotting attacks targeting U.S. citizens in Mogadishu."
    assert not _events(extract(nlp, text, PUB), "attack")


def test_a_coordinator_of_attacks_tells_no_attack(nlp):
    text = ("Da'ud served as a principal coordinator of al-Shabaab's militia attacks in Somalia and Kenya, "
            "and was involved in the planning and facilitation of attacks in Uganda.")
    assert not _events(extract(nlp, text, PUB), "attack")


def test_targeting_data_is_no_attack(nlp):
    text = "The coalition provided surveillance imagery and targeting data for the campaign, a spokesman said."
    assert not _events(extract(nlp, text, PUB), "attack")


def test_an_unplaced_event_a_few_sentences_after_a_placed_one_takes_its_place(nlp):
    text = ("Four days ago, U.S. forces conducted two precision airstrikes in Libya against ISIS militants.\n\n"
            "A camp used by the militants was struck as well.\n\n"
            "On Friday, six U.S. precision strikes targeted a camp, killing 17 militants.")
    x = extract(nlp, text, PUB)
    last = [e for e in _events(x, "airstrike") if "six" in e.evidence.text][0]
    assert last.location is not None and _names(x, [last.location]) == ["Libya"]


def test_who_comes_under_attack_is_the_target(nlp):
    text = "U.S. forces in Syria came under attack by a one-way attack drone on Sunday."
    x = extract(nlp, text, PUB)
    attack = _events(x, "attack")[0]
    assert _names(x, attack.targets) == ["United States"] and not attack.actors


def test_a_country_that_describes_the_wounded_is_no_place_of_the_event(nlp):
    text = ("U.S. and Iraqi forces conducted a raid in western Iraq early Tuesday, killing 15 ISIS operatives. "
            "Seven U.S. personnel were injured during the raid.")
    x = extract(nlp, text, PUB)
    raids = _events(x, "raid_or_arrest")
    assert len(raids) == 1
    assert {q.kind: q.value for q in raids[0].quantities}.get("wounded") == 7


def test_forces_of_a_nationality_beside_a_country_act_for_both(nlp):
    text = "U.S. and Iraqi forces conducted a raid in western Iraq early Tuesday."
    x = extract(nlp, text, PUB)
    assert set(_names(x, _events(x, "raid_or_arrest")[0].actors)) == {"United States", "Iraq"}


def test_an_interception_over_a_sea_is_placed_there(nlp):
    text = "The USS Carney intercepted two drones launched by the Houthis over the Red Sea on Monday."
    x = extract(nlp, text, PUB)
    ev = _events(x, "foiled_attack")[0]
    assert ev.location is not None and "Red Sea" in _names(x, [ev.location])[0]


def test_a_series_of_attacks_and_one_of_them_are_two_events(nlp):
    text = ("In response to continuing attacks against U.S. forces, to include the attack in northeastern Jordan "
            "on January 28th, which killed three U.S. service members, U.S. forces conducted strikes in Iraq.")
    x = extract(nlp, text, dt.date(2024, 2, 3))
    attacks = _events(x, "attack")
    assert len(attacks) == 2
    member = [e for e in attacks if e.trigger.text == "attack"][0]
    assert {q.kind: q.value for q in member.quantities}.get("killed") == 3


def test_a_strike_in_the_vicinity_of_a_town_is_placed_there(nlp):
    text = "On Oct. 12, U.S. Africa Command conducted an airstrike in the vicinity of Jilib, Somalia."
    x = extract(nlp, text, PUB)
    strike = _events(x, "airstrike")[0]
    assert strike.location is not None and _names(x, [strike.location]) == ["Jilib"]


def test_a_coordinated_verb_sharing_the_subject_places_the_event(nlp):
    text = ("U.S. Central Command forces successfully engaged and destroyed four Houthi unmanned surface vessels "
            "in the Red Sea on Oct. 9.")
    x = extract(nlp, text, PUB)
    ev = _events(x, "airstrike")[0]
    assert ev.location is not None and "Red Sea" in _names(x, [ev.location])[0]


def test_a_strike_on_a_coordinated_target_in_a_district_is_placed_in_the_district(nlp):
    text = ("Today, U.S. Forces Afghanistan conducted a strike on an ISIS-K tunnel complex in Achin district, "
            "Nangarhar province, Afghanistan, as part of efforts to defeat ISIS-K in Afghanistan.")
    x = extract(nlp, text, PUB)
    strike = _events(x, "airstrike")[0]
    assert strike.location is not None and _names(x, [strike.location]) == ["Achin"]


def test_the_liberation_of_a_town_happened_there(nlp):
    text = ("\"Following their historic liberation of Mosul and now a swift and decisive victory in Tal Afar, "
            "the Iraqis have shown they are a capable force,\" the general said.")
    x = extract(nlp, text, PUB)
    op = [e for e in _events(x, "military_operation") if e.trigger.text == "liberation"][0]
    assert op.location is not None and _names(x, [op.location]) == ["Mosul"]


def test_forces_that_strike_carry_out_an_airstrike(nlp):
    text = ("On Jan. 16 at approximately 4:15 a.m., U.S. Forces struck and destroyed four Houthi anti-ship "
            "ballistic missiles in Yemen.")
    x = extract(nlp, text, PUB)
    assert [e.type for e in _events(x)] == ["airstrike"]


def test_missiles_that_impact_vessels_are_an_attack(nlp):
    text = "Two of these missiles impacted two shipping vessels in the Gulf of Aden on Wednesday."
    assert _events(extract(nlp, text, PUB), "attack")


def test_a_clause_after_after_is_another_event_than_the_one_it_precedes(nlp):
    text = ("Colonel King says the fighting in the Baghran valley started on Monday, after U.S. special forces "
            "came under heavy fire from suspected Taliban fighters.")
    x = extract(nlp, text, PUB)
    assert {e.type for e in _events(x)} >= {"attack", "military_operation"}


def test_insurgents_killed_in_an_operation_are_no_attack(nlp):
    text = "Coalition forces killed 20 insurgents during an operation in Helmand province yesterday, officials said."
    x = extract(nlp, text, PUB)
    assert not _events(x, "attack")
    assert {q.kind: q.value for q in _events(x, "military_operation")[0].quantities} == {"killed": 20}


def test_a_drone_that_kills_carries_out_an_airstrike(nlp):
    text = "A U.S. MQ-9 Reaper killed a senior ISIS leader in northwest Syria on Friday."
    assert [e.type for e in _events(extract(nlp, text, PUB))] == ["airstrike"]


def test_strikes_in_areas_of_a_country_are_placed_in_it(nlp):
    text = ("On Oct. 6, U.S. Central Command forces conducted five self-defense strikes in Houthi-controlled "
            "areas of Yemen.")
    x = extract(nlp, text, PUB)
    strike = _events(x, "airstrike")[0]
    assert strike.location is not None and _names(x, [strike.location]) == ["Yemen"]


def test_strikes_in_response_to_attacks_do_not_take_the_attacks_date(nlp):
    text = ("Today, U.S. military forces conducted strikes in eastern Syria on two facilities used by the IRGC. "
            "These precision self-defense strikes are a response to a series of attacks against U.S. personnel "
            "that began on October 17.")
    x = extract(nlp, text, dt.date(2023, 10, 26))
    strikes = _events(x, "airstrike")
    assert len(strikes) == 1 and strikes[0].date.value == "2023-10-26"


def test_a_strike_in_support_of_an_operation_is_an_event_of_its_own(nlp):
    text = ("Iraqi Security Forces, supported by coalition airstrikes, killed 12 ISIS fighters in a clearance "
            "operation in the Wadi al-Tharthar area on Sunday.")
    x = extract(nlp, text, PUB)
    assert {e.type for e in _events(x)} == {"airstrike", "military_operation"}


def test_the_country_after_a_town_in_a_locative_phrase_does_not_act(nlp):
    text = ("A coalition airstrike near Abu Kamal, Syria, on Oct. 2 killed Abu Muhammad al-Shimali, a senior "
            "ISIS financier, officials said.")
    x = extract(nlp, text, PUB)
    assert "Syria" not in _names(x, _events(x, "airstrike")[0].actors)


def test_a_coalition_airstrike_in_reporting_on_isis_is_the_global_coalitions(nlp):
    text = "A coalition airstrike near Abu Kamal on Oct. 2 killed a senior ISIS financier, officials said."
    x = extract(nlp, text, PUB)
    assert _names(x, _events(x, "airstrike")[0].actors) == ["Global Coalition Against ISIS"]


def test_fighters_who_were_attacking_are_the_attackers(nlp):
    text = ("U.S. Africa Command conducted an airstrike against al-Shabaab terrorists who were attacking Somali "
            "National Army forces near Buulobarde, Somalia, about 218 km north-northwest of Mogadishu, on Oct. 23.")
    x = extract(nlp, text, PUB)
    assert "al-Shabaab" in _names(x, _events(x, "attack")[0].actors)


def test_a_bearing_after_a_town_says_where_the_town_is(nlp):
    text = ("U.S. Africa Command conducted an airstrike against al-Shabaab terrorists who were attacking Somali "
            "National Army forces near Buulobarde, Somalia, about 218 km north-northwest of Mogadishu, on Oct. 23.")
    x = extract(nlp, text, PUB)
    assert _names(x, [_events(x, "airstrike")[0].location]) == ["Buulobarde"]


def test_what_a_group_is_fighting_for_in_a_relative_clause_is_no_event(nlp):
    text = ("Nigeria's neighbors entered the war after the militants, who are purportedly fighting to impose "
            "Islamic law, seized a base in Baga.")
    x = extract(nlp, text, PUB)
    assert not [e for e in x.events if e.trigger.text == "fighting"]


def test_a_release_boilerplate_on_what_airstrikes_support_is_no_event(nlp):
    text = ("U.S. Africa Command conducted an airstrike targeting an ISIS-Somalia encampment in the Golis Mountains, "
            "Somalia, on May 8, 2019.\n\n"
            "U.S. Africa Command precision airstrikes support Somali security force activities and build enhanced "
            "security conditions.\n\n"
            "At this time, it is assessed the airstrike on May 8 killed thirteen (13) terrorists.")
    x = extract(nlp, text, dt.date(2019, 5, 10))
    strikes = _events(x, "airstrike")
    assert len(strikes) == 1
    assert {q.kind: q.value for q in strikes[0].quantities}.get("killed") == 13


def test_the_liberation_of_a_town_is_an_operation(nlp):
    text = "The coalition congratulates the Iraqi Security Forces on the liberation of Tal Afar from ISIS."
    assert _events(extract(nlp, text, PUB), "military_operation")


def test_notifying_officials_of_operations_shares_intelligence(nlp):
    text = ("The coalition air operations center notified Russian officials that coalition aircraft would be "
            "operating in that area.")
    assert _events(extract(nlp, text, PUB), "intelligence_sharing")


def test_state_forces_that_attack_an_armed_group_run_an_operation(nlp):
    text = "U.S. and coalition military forces attacked Islamic State terrorists in Iraq yesterday."
    x = extract(nlp, text, PUB)
    assert [e.type for e in _events(x)] == ["military_operation"]


def test_attacking_by_conducting_strikes_is_those_strikes(nlp):
    text = ("U.S. and coalition military forces continued to attack the Islamic State of Iraq and Syria between "
            "Dec. 15-17, conducting 19 strikes consisting of 26 engagements, officials reported.")
    x = extract(nlp, text, dt.date(2017, 12, 18))
    assert [e.type for e in _events(x)] == ["airstrike"]
    strike = _events(x)[0]
    assert "Islamic State" in _names(x, strike.targets)
    assert {q.kind: q.value for q in strike.quantities}.get("operations") == 19


def test_people_named_after_their_office_are_people_and_parties_of_the_meeting(nlp):
    text = ("Pentagon Chief Spokesperson Dana W. White provided the following readout:\n\n"
            "Secretary of Defense Jim Mattis met with Turkish Minister of Defense Fikri I\u015f\u0131k today at the "
            "Pentagon to discuss security issues of mutual concern.")
    x = extract(nlp, text, PUB)
    people = {e.canonical for e in x.entities if e.type == "person"}
    assert {"Jim Mattis", "Fikri I\u015f\u0131k"} <= people
    assert {"Jim Mattis", "Fikri I\u015f\u0131k"} <= set(_names(x, _events(x, "meeting")[0].actors))


def test_strikes_on_bases_in_two_countries_are_one_strike_per_country(nlp):
    text = "On Sunday, U.S. forces conducted airstrikes against five Kataib Hezbollah facilities in Iraq and Syria."
    x = extract(nlp, text, PUB)
    strikes = _events(x, "airstrike")
    assert sorted(_names(x, [e.location for e in strikes])) == ["Iraq", "Syria"]


def test_the_strikes_own_verb_does_not_split_them_by_the_provinces_of_one_terrain(nlp):
    text = ("The strikes hit caves and tunnel networks used by IS cells in the rugged terrain where Diyala, "
            "Salahuddin and Kirkuk provinces meet, the command said.")
    assert len(_events(extract(nlp, text, PUB), "airstrike")) == 1


def test_support_from_countries_places_nothing(nlp):
    text = ("On Jan. 22, U.S. and U.K. military forces, with support from Australia, Bahrain, Canada and the "
            "Netherlands, conducted strikes on eight Houthi targets in Houthi-controlled areas of Yemen.")
    x = extract(nlp, text, PUB)
    strikes = _events(x, "airstrike")
    assert [_names(x, [e.location])[0] for e in strikes] == ["Yemen"]


def test_an_attack_drone_is_a_weapon_not_an_attack(nlp):
    text = ("On Feb. 3, U.S. Central Command forces shot down three one-way attack uncrewed aerial vehicles "
            "launched from Houthi-controlled areas of Yemen over the Red Sea.")
    assert not _events(extract(nlp, text, PUB), "attack")


def test_a_missile_that_struck_is_an_attack_not_a_missile_strike(nlp):
    text = "The missile struck the vessel and the crew reports two presumed fatalities and six injuries."
    x = extract(nlp, text, PUB)
    assert _events(x, "attack") and not _events(x, "airstrike")


def test_a_definite_plural_re_mention_in_coordinated_places_is_not_split(nlp):
    text = ("Two of these individuals have been arrested.\n\n"
            "These indictments and arrests \u2013 in Minnesota, Alabama, and California \u2013 shed further light "
            "on a deadly pipeline.")
    x = extract(nlp, text, PUB)
    assert len(_events(x, "raid_or_arrest")) == 1


def test_the_town_of_a_news_conference_does_not_place_the_operation_praised_there(nlp):
    text = ("About a dozen Iraqi suspects have been arrested in the largest joint raid between Iraqi police and "
            "U.S. troops around the northern town of Tikrit.\n\n"
            "At a Baghdad news conference, a coalition military spokesman praised the operation.")
    x = extract(nlp, text, PUB)
    assert len([e for e in x.events if e.type in ("raid_or_arrest", "military_operation")]) == 1


def test_an_attack_militants_were_training_for_is_no_attack_and_the_strike_gets_its_toll(nlp):
    text = ("On Saturday, U.S. aircraft fired missiles at an al-Shabab training camp in the Hiran region, north of "
            "Mogadishu. The Pentagon said the attack killed around 150 militants who were training for a "
            "large-scale attack against AU troops in Somalia.")
    x = extract(nlp, text, PUB)
    assert [e.type for e in x.events] == ["airstrike"]
    assert {q.kind: q.value for q in x.events[0].quantities}.get("killed") == 150
