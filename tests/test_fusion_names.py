"""The name eval-json and `liaison entities` give a resolved entity (store.fusion.canonical_names)
is its representative's, whatever order the database returns the links in."""

from __future__ import annotations

from liaison.fuse.records import EntityMention, Link
from liaison.store.fusion import canonical_names


def _node(doc: str, canonical: str) -> EntityMention:
    return EntityMention(document=doc, key="loc:borno", canonical=canonical, type="place", names=(canonical,))


def test_an_entity_is_named_by_its_representative_node_in_any_row_order():
    nodes = {("d1", "loc:borno"): _node("d1", "Borno"), ("d2", "loc:borno"): _node("d2", "Borno"),
             ("d4", "loc:borno"): _node("d4", "Borno State")}
    links = {n: Link(n, "loc:borno", "same-key", against=("d4", "loc:borno")) for n in nodes}
    links[("d4", "loc:borno")] = Link(("d4", "loc:borno"), "loc:borno", "self")
    forward = canonical_names(links, nodes)
    backward = canonical_names(dict(reversed(list(links.items()))), nodes)
    assert forward == backward == {"loc:borno": "Borno State"}
