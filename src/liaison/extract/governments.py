"""Whose government a text means by a government named without its state.

Reporting names a government by what it is and where it sits rather than by its state: "the new
transitional government in Damascus", "the interim authorities in Tripoli". A reader knows it is
Syria's (Libya's) government, and so must fusion, which takes a government body's state from its
name (the state's name or adjective at its start: "Syrian transitional government") to tell
that "the US shares intelligence with the transitional government" and "co-operation between
Syria and the US" are one arrangement between the same two parties.

The rule: a government body none of whose names states a country, one of whose mentions is
followed by "in" and a place or country the gazetteer places in one country, gets the alias
"<adjective of that country> <its name>" ("Syrian transitional government"). Its own names and
mentions are unchanged; the alias only says how other texts may name it.
"""

from __future__ import annotations

from functools import cache

from spacy.tokens import Doc

from liaison.extract.entities import Cluster
from liaison.extract.gazetteer import country_by_name, country_name, demonyms
from liaison.extract.lexicon import fold

_PLACES = ("place", "country")
_ARTICLES = ("the ", "a ", "an ", "new ", "interim ")


@cache
def _adjectives() -> dict[str, str]:
    """Each country's adjective ("Syria" -> "Syrian"), the first the demonym table gives."""
    out: dict[str, str] = {}
    for adjective, country in demonyms().items():
        out.setdefault(country, adjective)
    return out


def _states_named(text: str) -> bool:
    """Whether a name states a country: its name or adjective as one of its words' runs."""
    words = fold(text).split()
    adjectives = {fold(a) for a in demonyms()}
    for n in (1, 2, 3):
        for i in range(len(words) - n + 1):
            run = " ".join(words[i:i + n])
            if run in adjectives or country_by_name(run) is not None:
                return True
    return False


def placed_state_aliases(doc: Doc, clusters: dict[str, Cluster], token_entity: dict[int, str]) -> dict[str, str]:
    """The alias each government body placed in a country's town gets (module docstring), by key."""
    out: dict[str, str] = {}
    for key, c in clusters.items():
        if c.type != "government_body" or c.known is not None or not c.mentions:
            continue
        texts = [doc[s:e].text for s, e in c.mentions]
        if any(_states_named(t) for t in texts):
            continue
        codes = set()
        for _s, e in c.mentions:
            if e + 1 < len(doc) and doc[e].lower_ == "in":
                where = clusters.get(token_entity.get(e + 1, ""))
                if where is not None and where.type in _PLACES and where.known is not None \
                        and getattr(where.known, "country_code", None):
                    codes.add(where.known.country_code.upper())
        if len(codes) != 1:
            continue
        adjective = _adjectives().get(country_name(codes.pop()) or "")
        if adjective is None:
            continue
        name = max(texts, key=len)
        while name.lower().startswith(_ARTICLES):
            name = name.split(" ", 1)[1]
        out[key] = f"{adjective} {name}"
    return out
