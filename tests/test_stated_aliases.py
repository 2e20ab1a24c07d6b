"""A former or other name the text states ("X, which rebranded from Y", "X (formerly Y)") is an
alias of each, so fusion links a document that only uses the old name."""

from __future__ import annotations

from liaison.extract.pipeline import extract
from liaison.fuse.build import entity_mentions
from liaison.fuse.entities import resolve


def _aliases(nlp, text: str) -> dict[str, tuple[str, ...]]:
    return {e.canonical: e.aliases for e in extract(nlp, text).entities}


def test_a_name_the_text_says_was_the_groups_former_name_is_an_alias_both_ways(nlp):
    found = _aliases(nlp, "The Syrian Salvation Army, which rebranded from the Free Idlib Brigade last year, "
                          "attacked Hama.")
    assert "Free Idlib Brigade" in found["Syrian Salvation Army"]
    assert "Syrian Salvation Army" in found["Free Idlib Brigade"]


def test_names_of_two_things_next_to_a_cue_word_are_no_aliases(nlp):
    found = _aliases(nlp, "Idlib, formerly held by the Free Idlib Brigade, fell to the army.")
    assert all("Free Idlib Brigade" not in aliases for name, aliases in found.items() if name != "Free Idlib Brigade")


def test_a_later_document_naming_only_the_former_name_resolves_to_the_same_group(nlp):
    first = extract(nlp, "The Syrian Salvation Army, which rebranded from the Free Idlib Brigade last year, "
                         "attacked Hama.")
    second = extract(nlp, "Fighters of the Free Idlib Brigade shelled a village near Hama on Monday.")
    links = resolve([*entity_mentions("d1", first), *entity_mentions("d2", second)])
    assert links[("d1", "org:syrian salvation army")].entity == links[("d2", "org:free idlib brigade")].entity


def _entities(text: str, names: dict[str, tuple[str, str]]):
    """Entities with one mention per (surface, (key, type)) in ``names``, at its first place in ``text``."""
    from liaison.model import Entity, Span

    found: dict[str, list] = {}
    types = {}
    for surface, (key, typ) in names.items():
        start = text.index(surface)
        found.setdefault(key, []).append(Span(start, start + len(surface), surface))
        types[key] = typ
    return [Entity(key=k, canonical=spans[0].text, type=types[k], mentions=tuple(spans)) for k, spans in found.items()]


def _stated(text: str, names: dict[str, tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    from liaison.extract.aliases import stated_aliases

    return {e.key: e.aliases for e in stated_aliases(text, _entities(text, names))}


def test_a_name_after_the_cue_that_the_tagger_split_is_read_whole():
    # "Hay’at Tahrir al-Sham": the typographic apostrophe split it into two mentions, the first
    # wrongly joined to the group before the cue.
    text = "the designation of al-Nusrah Front, also known as Hay’at Tahrir al-Sham (HTS), is revoked"
    found = _stated(text, {"al-Nusrah Front": ("org:nusrah", "armed_group"), "Hay’at": ("org:nusrah", "armed_group"),
                           "Tahrir al-Sham": ("org:hts", "armed_group")})
    assert found["org:nusrah"] == ("Hay’at Tahrir al-Sham",)
    assert found["org:hts"] == ("al-Nusrah Front",)


def test_a_group_active_under_the_name_of_another_is_one_group():
    text = ("Today's actions show that al-Nusrah Front remains actively engaged in terrorism "
            "under the name Jabhat Fath al Sham.")
    found = _stated(text, {"al-Nusrah Front": ("org:nusrah", "armed_group"),
                           "Jabhat Fath al Sham": ("org:jfs", "armed_group")})
    assert found["org:jfs"] == ("al-Nusrah Front",)


def test_under_the_name_does_not_reach_back_over_a_sentence_end():
    text = "The army took Idlib. Rebels regrouped under the name Jaysh al-Fatah."
    found = _stated(text, {"army": ("org:army", "government_body"), "Jaysh al-Fatah": ("org:jaf", "armed_group")})
    assert found["org:jaf"] == ()


def test_two_names_joined_by_or_after_a_naming_verb_are_one_thing():
    text = "Whether it calls itself Jabhat Fath al Sham or al-Nusrah Front, the group remains al-Qaida's affiliate."
    found = _stated(text, {"Jabhat Fath al Sham": ("org:jfs", "armed_group"),
                           "al-Nusrah Front": ("org:nusrah", "armed_group")})
    assert found["org:jfs"] == ("al-Nusrah Front",)


def test_two_names_joined_by_or_without_a_naming_verb_are_two_things():
    text = "Strikes hit Jabhat Fath al Sham or al-Nusrah Front positions, officials said."
    found = _stated(text, {"Jabhat Fath al Sham": ("org:jfs", "armed_group"),
                           "al-Nusrah Front": ("org:nusrah", "armed_group")})
    assert found["org:jfs"] == () and found["org:nusrah"] == ()


def test_a_name_after_a_k_a_written_with_slashes_is_an_alias():
    text = "Mustafa Kamel Mustafa, a/k/a \u201cAbu Hamza,\u201d 54, is charged"
    found = _stated(text, {"Mustafa Kamel Mustafa": ("per:mustafa", "person"), "Abu Hamza": ("per:abu hamza", "person")})
    assert found["per:mustafa"] == ("Abu Hamza",)
