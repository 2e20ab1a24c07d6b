"""Titles of resolved entities over time: who was called what, when, and by which documents.

A title is a fact with a validity: "Syria's de facto leader" in January 2025, "President" in
November. Each resolved entity's titles, gathered over the documents of its nodes, become one
``RoleFact`` per role, first and last seen by the documents' dates. Titles are normalised so that
one role told two ways is one fact: case, hyphens, articles and the country it is of ("Syria's",
"Syrian", "of Syria", "US") go, since the entity already says whose it is; words that change
the role stay ("interim president", "former president", "deputy commander" are roles of their own).

``role_holder`` answers the reverse question a text asks with "the CENTCOM commander" in a given
month: the one entity the facts put in that role then, or None when they do not say or name
several.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

from liaison.extract.gazetteer import country_by_name, demonyms
from liaison.fuse.records import EntityMention, Link, Node, RoleFact

# A title last seen this long before the asked date no longer says who holds the role.
STALE_DAYS = 366

_DETERMINERS = {"the", "a", "an", "its", "his", "her", "their"}
_DASHES = re.compile(r"[\u2010-\u2015\-_/]")
_DROP = re.compile(r"[^\w\s'\u2010-\u2015\-]")


@lru_cache(maxsize=1)
def _demonyms() -> frozenset[str]:
    return frozenset(d.lower() for d in demonyms())


def _country(words: list[str]) -> bool:
    return bool(words) and country_by_name(" ".join(words)) is not None


def normalise_role(title: str) -> str:
    """The role a title names, in one spelling: "Syria's de facto leader" -> "de facto leader",
    "the Syrian President" -> "president", "CENTCOM Commander" -> "centcom commander"."""
    t = unicodedata.normalize("NFKC", title).replace("\u2019", "'").replace(".", "").lower()
    t = _DROP.sub(" ", t)  # hyphens stay until the end: "US-backed commander" is not the US's
    words = [w.lstrip("'") for w in t.split() if w.strip("'")]
    changed = True
    while changed and words:
        changed = False
        if words[0] in _DETERMINERS:
            words, changed = words[1:], True
            continue
        for n in (4, 3, 2, 1):  # "Syria's", "the United States'", "US": the country it is of
            if len(words) > n and (_country(words[:n]) or _country([*words[:n - 1], _unpossessed(words[n - 1])])):
                words, changed = words[n:], True
                break
        if changed:
            continue
        if len(words) > 1 and words[0] in _demonyms():
            words, changed = words[1:], True
            continue
        if "of" in words[1:]:
            k = len(words) - 1 - words[::-1].index("of")
            tail = [w for w in words[k + 1:] if w != "the"]
            if _country(tail):
                words, changed = words[:k], True
    words = [_unpossessed(w).replace("'", "") for w in words]
    role = " ".join(_DASHES.sub(" ", " ".join(words)).split())  # "HTS's leader" = "HTS leader"
    role = _FUSED.sub(lambda m: m.group(1) + " " + m.group(2), role)  # "defacto" = "de facto"
    return "" if role in _FORMS_OF_ADDRESS else role


# A form of address says how a person is named, not what they are: "Mr", "Mrs", "Ms", "Dr".
_FORMS_OF_ADDRESS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "sir", "madam", "mister"})
# Latin phrases written as one word by some outlets.
_FUSED = re.compile(r"\b(de)(facto|jure)\b")


def _unpossessed(word: str) -> str:
    return word[:-2] if word.endswith("'s") else word[:-1] if word.endswith("'") else word


def roles(mentions: Iterable[EntityMention], links: Mapping[Node, Link]) -> list[RoleFact]:
    """Every role of every resolved entity, first and last seen by the dates of the documents
    that give it. A node without a link is an entity of its own (its key). Sorted by entity,
    then first seen, then role."""
    seen: dict[tuple[str, str], tuple[set[dt.date], set[str]]] = {}
    for m in mentions:
        link = links.get(m.node)
        entity = link.entity if link else m.key
        for title in m.titles:
            role = normalise_role(title)
            if not role:
                continue
            days, docs = seen.setdefault((entity, role), (set(), set()))
            docs.add(m.document)
            if m.published is not None:
                days.add(m.published)
    facts = [RoleFact(entity, role, min(days) if days else None, max(days) if days else None, tuple(sorted(docs)))
             for (entity, role), (days, docs) in seen.items()]
    facts.sort(key=lambda f: (f.entity, f.first_seen or dt.date.max, f.role))
    return facts


def _overlap(a: RoleFact, b: RoleFact) -> bool:
    assert a.first_seen and a.last_seen and b.first_seen and b.last_seen
    return a.first_seen <= b.last_seen and b.first_seen <= a.last_seen


def role_holder(role: str, at: dt.date, facts: Iterable[RoleFact]) -> str | None:
    """Who held ``role`` on ``at``: the one entity seen in it around then, else None.

    An entity seen in the role both before and after ``at`` held it (two such: None). Otherwise the
    last seen in it before ``at`` still holds it, unless that was more than STALE_DAYS earlier or
    another entity was seen in the role over the same months (a title several hold at once, like
    "president" of many countries, names no one). Before its first sighting nobody is known."""
    wanted = normalise_role(role)
    dated = [f for f in facts if f.role == wanted and f.first_seen and f.last_seen]
    holding = {f.entity for f in dated if f.first_seen <= at <= f.last_seen}  # type: ignore[operator]
    if holding:
        return holding.pop() if len(holding) == 1 else None
    before = [f for f in dated if f.last_seen <= at and (at - f.last_seen).days <= STALE_DAYS]  # type: ignore[operator]
    if not before:
        return None
    latest = max(f.last_seen for f in before)  # type: ignore[type-var]
    last = [f for f in before if f.last_seen == latest]
    if len({f.entity for f in last}) != 1:
        return None
    chosen = last[0]
    mine = [f for f in dated if f.entity == chosen.entity]
    if any(_overlap(f, g) for f in dated if f.entity != chosen.entity for g in mine):
        return None
    return chosen.entity
