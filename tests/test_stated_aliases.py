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
