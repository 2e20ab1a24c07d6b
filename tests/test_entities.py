"""Entities on real reporting: whole names, the right kind of thing, one thing per name
(liaison.extract.entities and liaison.extract.names; docs/extraction.md, Entities).

Each test runs the pipeline's entity component on a sentence or two and reads its clusters."""

from __future__ import annotations

import pytest


@pytest.fixture
def ents(nlp):
    """{mention text: (type, canonical, key)} of every mention the entity component finds."""

    def run(text):
        doc = nlp(text)
        out = {}
        for c in doc._.clusters.values():
            for s, e in c.mentions:
                out[doc[s:e].text] = (c.type, c.canonical, c.key)
        return out

    return run


# -- long names stay whole ----------------------------------------------------------------------


def test_a_countrys_government_is_a_body_of_its_own_named_the_same_in_every_form(ents):
    full = ents("The strike was made in coordination with the Federal Government of Somalia.")
    short = ents("The Somali government welcomed the strike, and Somalia's army joined it.")
    assert full["Federal Government of Somalia"][0] == "government_body"
    assert "Somalia" not in full  # the country did not swallow the longer name
    assert short["Somali government"][2] == full["Federal Government of Somalia"][2]
    assert short["Somali government"][1] == "Government of Somalia"
    assert ents("We work with the government of the Philippines.")["government of the Philippines"][1] == \
        "Government of the Philippines"


def test_a_government_named_as_a_modifier_or_a_name_of_its_own_is_no_countrys_government(ents):
    assert "U.S. government" not in ents("U.S. government personnel died in the attack.")
    found = ents("The Libyan Government of National Accord (GNA) asked for the strikes.")
    assert found["Government of National Accord"][0] == "government_body"
    assert found["GNA"][2] == found["Government of National Accord"][2]


def test_a_countrys_security_forces_are_a_government_body(ents):
    found = ents("Iraqi security forces cleared the village.")
    assert found["Iraqi security forces"][:2] == ("government_body", "Iraqi Security Forces")


def test_a_countrys_military_army_police_or_parliament_is_a_government_body(ents):
    found = ents("The Philippine military said Iraq's army and the Iraqi police held the town. "
                 "The Pakistani parliament met.")
    assert found["Philippine military"][0] == "government_body"
    assert found["Philippine military"][1].endswith("Armed Forces")
    assert found["Iraq's army"][:2] == ("government_body", "Iraqi Army")
    assert found["Iraqi police"][:2] == ("government_body", "Iraqi Police")
    assert found["Pakistani parliament"][:2] == ("government_body", "Parliament of Pakistan")


def test_a_service_after_the_countrys_spaced_initials_is_the_countrys_service(ents):
    found = ents("U. S. Army Gen. Stephen Townsend wrapped up a trip. U.S. Army Maj. Gen. William Gayler spoke.")
    assert found["U. S. Army"][:2] == ("government_body", "United States Army")
    assert found["U. S. Army"][2] == found["U.S. Army"][2]
    assert "U. S." not in found


def test_a_countrys_military_forces_are_its_armed_forces_whole(ents):
    found = ents("Ms. Yap died in the firefight that followed when Philippine military forces encountered the group.")
    assert found["Philippine military forces"][0] == "government_body"
    assert found["Philippine military forces"][2] == ents("The Philippine military said so.")["Philippine military"][2]


def test_the_us_military_is_no_body_but_a_states_named_service_as_a_modifier_is(ents):
    found = ents("The U.S. military said a Somali military commander was killed near a U.S. Navy destroyer.")
    assert "U.S. military" not in found
    assert "Somali military" not in found
    assert found["U.S. Navy"][1] == "United States Navy"
    assert "U.S. government" not in ents("U.S. government personnel left.")


def test_a_groups_listed_spellings_are_one_curated_group(ents):
    found = ents("The Treasury designated al-Qa\u2019ida and al-Qa'ida in the Arabian Peninsula, "
                 "the Taleban and the Qods Force.")
    assert found["al-Qa\u2019ida"][:2] == ("armed_group", "al-Qaeda")
    assert found["al-Qa'ida in the Arabian Peninsula"][1] == "al-Qaeda in the Arabian Peninsula"
    assert found["Taleban"][1] == "Taliban"
    assert found["Qods Force"][:2] == ("government_body", "Quds Force")
    assert found["Treasury"][1] == "United States Department of the Treasury"


def test_ofac_is_an_office_of_its_own_not_the_treasury(ents):
    found = ents("The Treasury Department's Office of Foreign Assets Control (OFAC) acted.")
    assert found["OFAC"][1] == "Office of Foreign Assets Control"


def test_a_transcripts_marks_a_lists_heading_and_a_form_of_address_are_no_names(ents):
    found = ents("QUESTION: Good afternoon. (Laughter.)\n\nStrikes in Syria\n\n"
                 "They met His Majesty King Abdullah II despite COVID.")
    assert not {"QUESTION", "Laughter", "Strikes", "Majesty", "COVID"} & set(found)


def test_a_name_never_runs_across_a_line_break(ents):
    found = ents("Media Note\nOffice of the Spokesperson\nWashington, DC\nMay 16, 2018\n\nThe Department acted.")
    assert not any("\n" in text for text in found)
    assert "Media Note" not in found


def test_a_preposition_opening_a_list_item_is_no_part_of_the_place(ents):
    found = ents("-- Near Ayn Isa, five strikes engaged two ISIL tactical units.\n\n"
                 "-- Near Palmyra, three strikes destroyed an ISIL-held tank.")
    assert "Near Palmyra" not in found
    assert found["Palmyra"][0] == "place"
    listed = ents("Strikes in Syria\n\n-- Near Raqqa, four strikes engaged an ISIL tactical unit and destroyed a vehicle.")
    assert listed["Raqqa"][0] == "place"  # one the model missed, found after the preposition


def test_a_release_kind_and_an_article_are_no_part_of_the_issuers_name(ents):
    found = ents("From a Combined Joint Task Force Operation Inherent Resolve News Release\n\nStrikes continued.")
    assert "Combined Joint Task Force Operation Inherent Resolve" in found


def test_a_service_named_before_a_rank_is_no_armed_group(ents):
    found = ents("\u201cThey dug in,\u201d said Army Gen. John W. Nicholson, and Army Maj. Michael Meyer agreed.")
    assert "Army" not in found
    assert found["John W. Nicholson"][0] == "person"


def test_the_coalition_in_reporting_on_the_islamic_state_is_the_global_coalition(ents):
    found = ents("The coalition struck ISIS. U.S. and Coalition personnel left.")
    assert found["coalition"][:2] == ("organization", "Global Coalition Against ISIS")
    assert found["Coalition"][2] == found["coalition"][2]
    assert "coalition" not in ents("The coalition of parties won the vote.")
    assert "coalition" not in ents("ISIS fighters formed a coalition with local gangs.")


def test_a_us_service_is_named_by_the_countrys_initials(ents):
    found = ents("The U.S. Navy said a ship was hit.")
    assert found["U.S. Navy"][:2] == ("government_body", "United States Navy")


def test_a_datelines_compass_point_belongs_to_the_region(ents):
    found = ents("From a News Release\n\nSOUTHWEST ASIA, Aug. 31, 2017 \u2014 Strikes hit ISIS.")
    assert found["SOUTHWEST ASIA"][0] == "place"
    assert "ASIA" not in found


def test_an_age_after_a_name_makes_it_a_person_whatever_the_gazetteer_holds(ents):
    found = ents("Adel Bary, 52, and Khaled al Fawwaz, 50, a citizen of Saudi Arabia, appeared.")
    assert found["Khaled al Fawwaz"][0] == "person"
    listed = ents("Adel Abdel Bary, 52, a citizen of Egypt, and Khaled al Fawwaz, 50, a citizen of Saudi Arabia, "
                  "were charged.")
    assert listed["Khaled al Fawwaz"][0] == "person"  # a list after a country does not make it a place


def test_two_countries_joined_by_a_hyphen_are_a_modifier_not_a_name(ents):
    found = ents("ISGS operates along the Mali-Niger border and attacked a joint U.S.-Nigerien patrol.")
    assert "Mali-Niger" not in found and "U.S.-Nigerien" not in found


def test_the_task_force_against_isis_is_one_curated_body_in_every_spelling(ents):
    a = ents("Combined Joint Task Force-Operation Inherent Resolve officials said ISIS lost ground.")
    b = ents("Combined Joint Task Force Operation Inherent Resolve officials reported strikes on ISIS.")
    assert a["Combined Joint Task Force-Operation Inherent Resolve"][2] == \
        b["Combined Joint Task Force Operation Inherent Resolve"][2]


def test_a_title_before_a_full_name_taken_for_an_organisation_makes_a_person(ents):
    found = ents("The below is attributable to Spokesperson Ned Price:\n\nThe Secretary spoke today.")
    assert found["Ned Price"][0] == "person"
    assert "Spokesperson Ned Price" not in found


def test_a_curated_groups_province_is_an_armed_group(ents):
    found = ents("Forces held al-Zubaydi, an Islamic State Syria Province Senior Official, and six ISIS operatives.")
    assert found["Islamic State Syria Province"][0] == "armed_group"


def test_a_legal_a_k_a_chain_gives_every_quoted_name_to_the_first(ents):
    found = ents("The defendants are Mustafa Kamel Mustafa, a/k/a \u201cAbu Hamza,\u201d a/k/a "
                 "\u201cAbu Hamza al Masri,\u201d 54, a naturalized citizen.")
    assert found["Abu Hamza"][2] == found["Abu Hamza al Masri"][2] == found["Mustafa Kamel Mustafa"][2]


def test_a_reporter_the_briefer_turns_to_in_a_transcript_is_a_person(ents):
    found = ents("MR TONER: Good afternoon. I don\u2019t have anything at the top, so Brad?\n\nQUESTION: Could we start?")
    assert found["Brad"][0] == "person"
    assert ents("They fled to Hodan district, Mogadishu.")["Mogadishu"][0] == "place"  # no transcript, no address


def test_after_a_rank_a_surname_that_is_also_a_title_stays_the_surname(ents):
    found = ents("A spokesman for the U.S. military, Colonel Roger King, says the air raids were accurate.")
    assert found["Roger King"][0] == "person"


def test_a_state_department_bureau_keeps_its_whole_name(ents):
    found = ents("The Bureau of Counterterrorism and Countering Violent Extremism announced the designation.")
    assert found["Bureau of Counterterrorism and Countering Violent Extremism"][1] == "Bureau of Counterterrorism"


def test_the_home_town_of_someone_names_a_person(ents):
    found = ents("Troops raided Tikrit and a nearby village that is the home town of Saddam Hussein.")
    assert found["Saddam Hussein"][0] == "person"


def test_a_persons_name_cut_after_a_particle_takes_the_next_word(ents):
    found = ents("Secretary of State Antony J. Blinken spoke with French Foreign Minister Jean-Yves Le Drian today. "
                 "Secretary Blinken and Foreign Minister Le Drian discussed Mali.")
    assert found["Jean-Yves Le Drian"][2] == found["Le Drian"][2]
    assert "Jean-Yves Le" not in found


def test_a_voa_language_service_is_voice_of_america_whole(ents):
    found = ents("A Somali military commander told VOA\u2019s Somali Service that militants attacked the base.")
    assert found["VOA\u2019s Somali Service"][1] == "Voice of America"


def test_a_curated_alias_written_inside_a_longer_alias_of_the_same_actor_is_a_mention_too(ents):
    found = ents("The governor told VOA's Somali Service that the strike hit. Talking to VOA Kurdish, he said more.")
    assert found["VOA's Somali Service"][2] == found["VOA"][2] == found["VOA Kurdish"][2]
    assert found["VOA"][1] == "Voice of America"


def test_an_organisation_written_again_by_its_last_words_is_that_organisation(ents):
    found = ents("A source tells VOA's Hausa Service that 24 soldiers died. A Hausa Service reporter said more.")
    assert found["Hausa Service"][2] == found["VOA's Hausa Service"][2]
    two = ents("The Iraqi Interior Ministry and the Syrian Interior Ministry met. The Interior Ministry said so.")
    assert two["Interior Ministry"][2] not in (two["Iraqi Interior Ministry"][2], two["Syrian Interior Ministry"][2])


def test_a_hyphenated_arabic_article_stays_on_the_name(ents):
    found = ents("Al-Shabab militants in Somalia killed eight soldiers.")
    assert found["Al-Shabab"][1] == "al-Shabaab"
    assert "Shabab" not in found


def test_a_typographic_apostrophe_does_not_cut_a_curated_name(ents):
    found = ents("The designation of al-Nusrah Front, also known as Hay\u2019at Tahrir al-Sham (HTS), is revoked.")
    assert found["Hay\u2019at Tahrir al-Sham"][1] == "Hayat Tahrir al-Sham"
    assert "Hay\u2019at" not in found


def test_a_curated_name_does_not_swallow_the_longer_name_it_begins(ents):
    found = ents("U.S. Africa Command struck an ISIS-Somalia camp. The Islamic State in Mozambique (ISIS-M) "
                 "attacked Palma; ISIS-M fighters withdrew.")
    assert found["ISIS-Somalia"][0] == "armed_group" and found["ISIS-Somalia"][1] != "Islamic State"
    assert found["ISIS-M"][2] == found["Islamic State in Mozambique"][2]


def test_a_curated_group_with_a_possessive_province_is_the_curated_province(ents):
    found = ents("The Islamic State’s Khorasan Province, or ISIS-K, is active in Afghanistan.")
    assert found["Islamic State’s Khorasan Province"][1] == "Islamic State Khorasan Province"
    assert found["ISIS-K"][2] == found["Islamic State’s Khorasan Province"][2]


def test_a_place_does_not_swallow_the_office_it_names(ents):
    found = ents("Assistant Director William F. Sweeney, Jr. of the FBI's New York Field Office announced it.")
    assert COARSE(found["New York Field Office"][0]) == "org"


def COARSE(type_):
    return "loc" if type_ in ("place", "country", "facility") else "per" if type_ == "person" else "org"


# -- people ----------------------------------------------------------------------------------------


def test_a_name_keeps_its_suffix_and_a_suffix_alone_is_nobody(ents):
    found = ents("U.S. Attorney Roscoe Howard, Jr. announced the indictment today.")
    assert found["Roscoe Howard, Jr."][0] == "person"
    assert "Jr." not in found


def test_a_suffix_the_model_took_alone_names_the_words_before_it(ents):
    found = ents("U.S. Attorney for the District of Columbia Roscoe Howard, Jr. announced today the return of an "
                 "indictment.")
    assert found["Roscoe Howard, Jr."][0] == "person"
    assert "Jr." not in found


def test_a_given_name_between_a_title_and_the_name_is_the_names(ents):
    found = ents("Marib is held by the government of President Abdrabbu Mansour Hadi. Forces loyal to Hadi fought.")
    assert found["Abdrabbu Mansour Hadi"][0] == "person"
    assert found["Hadi"][2] == found["Abdrabbu Mansour Hadi"][2]


def test_a_surname_the_model_missed_after_the_full_name_is_that_person(ents):
    found = ents("Its founder, Muhammad Yusuf, opposed Western influence. Nigerian security forces detained and "
                 "executed Yusuf and killed hundreds of his adherents.")
    assert found["Yusuf"][2] == found["Muhammad Yusuf"][2]
    assert "Dispatch" not in ents("Reporter Frontline Dispatch filed it. The Dispatch is a fictional outlet.")


def test_a_full_name_the_model_missed_before_its_surname_found_alone_is_that_person(ents):
    found = ents("Two former residents of Alabama and California \u2013 Omar Shafik Hammami and Jehad Serwan Mostafa "
                 "have been charged. According to public reports, Hammami has appeared in several videos.")
    assert found["Omar Shafik Hammami"][0] == "person"
    assert found["Hammami"][2] == found["Omar Shafik Hammami"][2]


def test_the_country_an_office_is_to_is_no_part_of_the_name_after_it(ents):
    found = ents("Townsend and U.S. Ambassador to Mozambique Dennis Hearne met with officials.")
    assert found["Dennis Hearne"][0] == "person"
    assert found["Mozambique"][0] == "country"


def test_a_person_named_by_a_kunya_is_also_the_name_after_abu(ents):
    found = ents("Radical cleric Abu Hamza al-Masri was scheduled to appear before a judge.\n\n"
                 "Officials say Hamza will be formally arraigned on Tuesday.")
    assert found["Hamza"][2] == found["Abu Hamza al-Masri"][2]
    assert found["Hamza"][0] == "person"


def test_a_kunya_with_family_names_is_a_person_not_a_place(ents):
    found = ents("The death of Abu al-Hassan al-Hashimi al-Qurayshi in mid-October is another blow to ISIS.")
    assert found["Abu al-Hassan al-Hashimi al-Qurayshi"][0] == "person"


def test_a_surname_after_a_full_name_with_a_suffix_is_that_person_not_a_town(ents):
    found = ents("Secretary of Defense Lloyd J. Austin III met Kenyan officials. Austin said the talks went well.")
    assert found["Lloyd J. Austin III"][0] == "person"
    assert found["Austin"][2] == found["Lloyd J. Austin III"][2]


def test_a_name_with_a_middle_initial_is_a_person(ents):
    assert ents("He was sentenced by the Honorable Christopher R. Cooper.")["Christopher R. Cooper"][0] == "person"


def test_a_speaker_label_in_capitals_names_a_person(ents):
    found = ents("PRESIDENT HASSAN SHEIKH MOHAMUD: Thank you very much, Mr. Secretary.\n\n"
                 "MAJOR GENERAL PAT RYDER: Good afternoon, everyone.")
    assert found["HASSAN SHEIKH MOHAMUD"][0] == "person"
    assert found["PAT RYDER"][0] == "person"


def test_a_title_that_is_also_a_given_name_stays_in_the_name(ents):
    found = ents("Sultan Aziz Azam, or Sultan Aziz, has been the group's spokesperson.")
    assert found["Sultan Aziz Azam"][0] == "person"
    assert found["Sultan Aziz"][2] == found["Sultan Aziz Azam"][2]


def test_an_alias_the_text_introduces_is_the_same_person(ents):
    found = ents("Sanaullah Ghafari, also known as Shahab al-Muhajir, is the group's emir. "
                 "Ahmed Abu Khatallah, aka Ahmed Mukatallah, 47, was sentenced today.")
    assert found["Shahab al-Muhajir"][2] == found["Sanaullah Ghafari"][2]
    assert found["Ahmed Mukatallah"][2] == found["Ahmed Abu Khatallah"][2]


def test_names_in_one_list_are_of_one_kind(ents):
    found = ents("In Syria, the targets were in the vicinity of Al-Baum, Deir Ezzor and Al-Mayadeen. "
                 "U.S. personnel Sean Smith, Tyrone Woods and Glen Doherty died in the attack.")
    assert {found[n][0] for n in ("Al-Baum", "Deir Ezzor", "Al-Mayadeen")} == {"place"}
    assert found["Tyrone Woods"][0] == "person"


# -- words that name nothing --------------------------------------------------------------------


def test_months_compass_words_holidays_and_designations_are_no_entities(ents):
    found = ents("In March, ISIS-M attacked Palma. Niassa Province borders Cabo Delgado to the West. "
                 "The bombing killed worshippers celebrating Eid al-Fitr. The State Department designated them "
                 "as Specially Designated Global Terrorists.")
    for word in ("March", "West", "Eid al-Fitr", "Specially Designated Global Terrorists"):
        assert word not in found, found


def test_a_headline_clause_is_no_name(ents):
    found = ents("Four Americans, Including Ambassador, Were Killed; Three Others Were Seriously Wounded\n\n"
                 "WASHINGTON - A Libyan national was sentenced today.")
    assert not [m for m in found if "Wounded" in m or "Were" in m]
    assert found["WASHINGTON"][0] == "place"  # the dateline after the headline names its place


def test_a_name_that_opens_the_text_is_no_dateline_town_without_a_dateline(ents):
    found = ents("Smith, a resident of Kabul, said the town was calm.")
    assert "Smith" not in found or found["Smith"][0] != "place"


def test_an_abbreviation_of_lowercase_words_is_no_name(ents):
    assert "ASBM" not in ents("An anti-ship ballistic missile (ASBM) was launched. The ASBM struck the ship.")


# -- ships, units, facilities -------------------------------------------------------------------


def test_ships_are_facilities_units_organisations_and_ship_classes_nothing(ents):
    found = ents("The USS Harry S. Truman Carrier Strike Group includes Carrier Air Wing One, the Ticonderoga class "
                 "guided missile cruiser USS Gettysburg and the destroyer USS Stout. A missile struck M/V True "
                 "Confidence. Troops of the 82nd Airborne Division deployed.")
    assert found["USS Gettysburg"][0] == found["USS Stout"][0] == found["M/V True Confidence"][0] == "facility"
    assert COARSE(found["USS Harry S. Truman Carrier Strike Group"][0]) == "org"
    assert COARSE(found["Carrier Air Wing One"][0]) == COARSE(found["82nd Airborne Division"][0]) == "org"
    assert "Ticonderoga" not in found


def test_a_name_with_a_lowercase_facility_noun_is_that_facility(ents):
    found = ents("Militants killed 67 people at the Westgate shopping mall in Nairobi in 2013.")
    assert found["Westgate shopping mall"][0] == "facility"


# -- unfamiliar names: what the text says of them -----------------------------------------------


def test_a_name_the_text_calls_a_persons_is_a_person_whatever_the_model_typed(ents):
    found = ents("Abu Ubaidah Yusuf al-Anabi, a senior leader of the group, was killed. "
                 "The cell was run by leader Ahmed Diriye. Hamza bin Laden was not seen again.")
    for name in ("Abu Ubaidah Yusuf al-Anabi", "Ahmed Diriye", "Hamza bin Laden"):
        assert found[name][0] == "person", found


def test_an_office_before_a_name_is_no_part_of_it(ents):
    found = ents("Sulu Governor Abdusakur Tan condemned the attack.")
    assert found["Abdusakur Tan"][0] == "person"
    assert not [m for m in found if "Governor" in m and found[m][0] == "person"]


def test_a_body_named_by_its_own_word_is_no_town_of_that_name(ents):
    found = ents("The forces have been a concern among some Members of Congress.")
    assert found["Congress"][0] == "government_body"


def test_a_countrys_official_long_name_and_saudi_alone_are_the_country(ents):
    found = ents("They wage war against the Kingdom of Saudi Arabia. Saudi warplanes strafed the positions.")
    assert found["Kingdom of Saudi Arabia"][:2] == ("country", "Saudi Arabia")
    assert found["Saudi"][2] == found["Kingdom of Saudi Arabia"][2]


def test_an_abbreviation_in_square_brackets_is_introduced_like_one_in_parentheses(ents):
    found = ents('"In coordination with the Libyan Government of National Accord [GNA], U.S. forces struck." '
                 "The GNA welcomed the strikes.")
    assert found["GNA"][2] == found["Government of National Accord"][2]


def test_an_acronym_is_the_capitalised_words_its_letters_begin_even_without_brackets(ents):
    found = ents("The department deployed a battalion from the Immediate Response Force of the 82nd Airborne "
                 "Division. Additional forces from the IRF prepared to deploy.")
    assert found["Immediate Response Force"][2] == found["IRF"][2]
    assert found["IRF"][1] == "Immediate Response Force"


def test_a_demonym_before_a_ministry_stays_and_before_a_unique_name_goes(ents):
    assert "Syrian Ministry of Defence" in ents("The Syrian Ministry of Defence said the strikes hit Idlib.")


def test_the_words_before_a_curated_name_join_it_only_when_they_make_an_alias_of_it(ents):
    found = ents("U. S. Army Gen. Stephen Townsend, commander, U. S. Africa Command, wrapped up a trip.\n\n"
                 "The UN said the sanctions stood.")
    assert found["U. S. Africa Command"][1] == "United States Africa Command"
    assert "UN" in found


def test_a_named_unit_and_its_short_name_are_one_unit(ents):
    found = ents("Paratroopers of the 82nd Airborne Division deployed. The 82nd Airborne will stay a month.")
    assert found["82nd Airborne"][2] == found["82nd Airborne Division"][2]


# -- places the text names so -------------------------------------------------------------------


def test_the_town_of_a_name_is_a_place_even_when_no_gazetteer_knows_it(ents):
    found = ents("Gunmen seized them near the town of Patikul on Jolo Island. Bombs hit the city of Jos.")
    assert found["Patikul"][0] == found["Jos"][0] == "place"


def test_a_us_state_abbreviation_is_its_state_never_a_town(nlp):
    doc = nlp("Soldiers from Fort Bragg, N.C., and Fort Benning, Ga., deployed in May.")
    by_text = {doc[s:e].text: c for c in doc._.clusters.values() for s, e in c.mentions}
    assert (by_text["Ga."].canonical, by_text["Ga."].known.admin_code) == ("Georgia", "US-GA")
    assert by_text["Fort Benning"].known.admin1_code == "US-GA"  # the town lies in the state after it
    assert "May" not in by_text


# -- a name the gazetteer knows as a group, introduced as a person's ------------------------------


@pytest.mark.parametrize("text", [
    "The Tunisian man, known as Abu Sayyaf, was killed in a raid in eastern Syria.",
    "U.S. forces killed an ISIL senior leader known as Abu Sayyaf in eastern Syria.",
    "The raid targeted Abu Sayyaf, a senior leader of the group, at his home.",
])
def test_a_person_introduced_as_known_as_a_groups_name_is_a_person(ents, text):
    assert ents(text)["Abu Sayyaf"][0] == "person"


@pytest.mark.parametrize("text", [
    "Abu Sayyaf militants kidnapped two tourists in Sulu.",
    "The kidnappers belong to a group known as Abu Sayyaf, a militant group based in Sulu.",
])
def test_the_group_named_so_stays_the_group(ents, text):
    assert ents(text)["Abu Sayyaf"][0] == "armed_group"


@pytest.mark.parametrize("text", [
    "William Sweeney, Acting Assistant Director in Charge of the FBI's New York office, announced the charges.",
    "Special Agent in Charge John Smith spoke in New York.",
])
def test_in_charge_inside_a_title_is_no_place(ents, text):
    assert "Charge" not in ents(text)


def test_an_apposition_whose_role_is_anothers_does_not_make_the_name_a_person(ents):
    found = ents("In an interview with VOA, the provincial governor's spokesman Muhammad Zarin said five were killed.")
    assert found["VOA"][0] != "person"


def test_a_groups_name_introduced_as_a_persons_is_the_person_throughout_the_document(nlp):
    doc = nlp("U.S. forces captured an ISIL senior leader known as Abu Sayyaf in eastern Syria. "
              "Abu Sayyaf was killed during the operation.")
    types = [c.type for c in doc._.clusters.values() for s, e in c.mentions if doc[s:e].text == "Abu Sayyaf"]
    assert types == ["person", "person"]
