"""The name eval-json and `liaison entities` give a resolved entity (store.fusion.canonical_names)
is the fullest name its representative key's documents give, whatever document came first
(document ids follow file paths) and whatever order the database returns the links in."""

from __future__ import annotations

from liaison.fuse.records import EntityMention, Link
from liaison.store.fusion import canonical_names


def _node(doc: str, canonical: str, key: str = "loc:borno") -> EntityMention:
    return EntityMention(document=doc, key=key, canonical=canonical, type="place", names=(canonical,))


def _links(nodes: dict, head: tuple[str, str]) -> dict:
    links = {n: Link(n, "loc:borno", "same-key", against=head) for n in nodes}
    links[head] = Link(head, "loc:borno", "self")
    return links


def test_an_entity_is_named_by_the_fullest_name_of_its_key_whichever_document_is_first():
    nodes = {("d1", "loc:borno"): _node("d1", "Borno"), ("d2", "loc:borno"): _node("d2", "Borno"),
             ("d4", "loc:borno"): _node("d4", "Borno State")}
    for head in nodes:
        links = _links(nodes, head)
        assert canonical_names(links, nodes) == {"loc:borno": "Borno State"}
        assert canonical_names(dict(reversed(list(links.items()))), nodes) == {"loc:borno": "Borno State"}


def test_a_name_in_capitals_names_an_entity_only_where_every_name_is():
    nodes = {("d1", "loc:borno"): _node("d1", "BORNO STATE"), ("d2", "loc:borno"): _node("d2", "Borno")}
    assert canonical_names(_links(nodes, ("d1", "loc:borno")), nodes) == {"loc:borno": "Borno"}


def test_names_of_keys_linked_into_the_entity_do_not_name_it():
    nodes = {("d1", "loc:borno"): _node("d1", "Borno"),
             ("d2", "loc:borno state of nigeria"): _node("d2", "Borno State of Nigeria", "loc:borno state of nigeria")}
    links = {("d1", "loc:borno"): Link(("d1", "loc:borno"), "loc:borno", "self"),
             ("d2", "loc:borno state of nigeria"): Link(("d2", "loc:borno state of nigeria"), "loc:borno",
                                                         "name-variant", 0.95, ("d1", "loc:borno"))}
    assert canonical_names(links, nodes) == {"loc:borno": "Borno"}
