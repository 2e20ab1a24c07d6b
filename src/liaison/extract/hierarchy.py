"""Where a place lies, as the text says it: "in Achin district, Nangarhar province", "Achin, a
district of Nangarhar province", "Nangarhar's Achin district", "the Daynile district of
Mogadishu", "a village in Somalia".

A place followed in its own phrase by a division, town or country — after a comma, "in" or
"of", or an apposition "a district of" — lies in it, and so does a place after a possessive one.
The container's first- and second-level divisions and country become the place's own: the
resolver uses them to choose among same-named places (liaison.extract.entities), and the record
of each place then carries its province and country. A list ("Diyala, Salahuddin and Kirkuk
provinces") is no containment.
"""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Doc

from liaison.extract.gazetteer import Known
from liaison.extract.lexicon import fold, load_json

_GEO = load_json("places.json")
_DIVISION = set(_GEO["division_nouns"])
_SECOND = set(_GEO["second_level_nouns"])
_PART_OF_TOWN = set(_GEO["part_of_town_nouns"])
_POPULATED = set(_GEO["populated_nouns"])
_COMPASS = set(_GEO["compass_words"])
_PLACE_NOUN = _DIVISION | _POPULATED | _PART_OF_TOWN

Found = tuple[int, int, str, Known | None]


def _noun_after(doc: Doc, end: int) -> str | None:
    """The singular place noun right after a name ("district" in "Achin district"), or None."""
    if end < len(doc) and doc[end].is_lower and doc[end].lemma_.lower() in _PLACE_NOUN:
        return doc[end].lemma_.lower()
    return None


def place_noun(doc: Doc, start: int, end: int) -> str | None:
    """What the text calls a place: the noun after it ("Achin district"), or the one its
    apposition or "the X of" phrase uses ("Achin, a district of"; "the district of Achin")."""
    noun = _noun_after(doc, end)
    if noun:
        return noun
    if start >= 2 and doc[start - 1].lower_ == "of" and doc[start - 2].lemma_.lower() in _PLACE_NOUN:
        return doc[start - 2].lemma_.lower()
    k = end
    if k + 1 < len(doc) and doc[k].text == "," and doc[k + 1].lower_ in ("a", "an"):
        k += 2
        while k < len(doc) and k - end < 6 and (doc[k].pos_ == "ADJ" or doc[k].lower_ in _COMPASS):
            k += 1
        if k < len(doc) and doc[k].lemma_.lower() in _PLACE_NOUN:
            return doc[k].lemma_.lower()
    return None


def containers(doc: Doc, found: list[Found]) -> dict[int, int]:
    """For each place of ``found`` (by index) that the text puts inside another, that other's index."""
    by_start = {s: i for i, (s, _e, t, _k) in enumerate(found) if t in ("place", "country")}
    by_end = {e: i for i, (_s, e, t, _k) in enumerate(found) if t in ("place", "country")}
    out: dict[int, int] = {}
    for i, (start, end, type_, _known) in enumerate(found):
        if type_ != "place":
            continue
        sent_end = doc[start].sent.end
        j = _container_after(doc, end, sent_end, by_start)
        if j is None and start >= 2 and doc[start - 1].tag_ == "POS" and start - 1 in by_end:
            j = by_end[start - 1]  # "Nangarhar's Achin district"
        if j is None or j == i:
            continue
        if _is_list(doc, found, j, sent_end, by_start):
            continue
        if not _can_contain(doc, found, i, j):
            continue
        out[i] = j
    return out


def _container_after(doc: Doc, end: int, sent_end: int, by_start: dict[int, int]) -> int | None:
    k = end
    if k < sent_end and doc[k].is_lower and doc[k].lemma_.lower() in _PLACE_NOUN and doc[k].lower_ == doc[k].lemma_:
        k += 1  # "Achin district, ..."
    if k >= sent_end:
        return None
    if doc[k].text == ",":
        k += 1
        if k < sent_end and doc[k].lower_ in ("a", "an", "the"):
            # an apposition: "Achin, a district of Nangarhar"
            k += 1
            while k < sent_end and k - end < 8 and (doc[k].pos_ == "ADJ" or doc[k].lower_ in _COMPASS):
                k += 1
            if not (k < sent_end and doc[k].lemma_.lower() in _PLACE_NOUN):
                return None
            k += 1
            if not (k < sent_end and doc[k].lower_ in ("of", "in")):
                return None
            k += 1
    elif doc[k].lower_ in ("in", "of"):
        k += 1
    else:
        return None
    while k < sent_end and (doc[k].lower_ == "the" or doc[k].lower_ in _COMPASS):
        k += 1
    return by_start.get(k)


def _is_list(doc: Doc, found: list[Found], j: int, sent_end: int, by_start: dict[int, int]) -> bool:
    """Whether the name ``j`` goes on into a list of names ("Salahuddin and Kirkuk provinces",
    "Diyala, Salahuddin and Kirkuk"): then the comma before it joined two items, not a place and
    its container ("Mogadishu, Somalia" is no list)."""
    k = found[j][1]
    while k < sent_end:
        if doc[k].lemma_.lower() in _PLACE_NOUN and doc[k].is_lower:
            if doc[k].lower_ != doc[k].lemma_.lower():
                return True  # a plural noun: "provinces"
            k += 1
            continue
        if doc[k].text == "," and k + 1 < sent_end and doc[k + 1].lower_ in ("and", "or"):
            k += 1
        if doc[k].lower_ in ("and", "or"):
            return k + 1 in by_start
        if doc[k].text == "," and k + 1 in by_start:
            k = found[by_start[k + 1]][1]
            continue
        return False
    return False


def _can_contain(doc: Doc, found: list[Found], i: int, j: int) -> bool:
    """Whether place j can contain place i: a country, a division, or a town when i is part of a
    town; never two divisions of one level ("Diyala, Kirkuk" is a list)."""
    start, end, _t, inner = found[i]
    _s, e, type_, outer = found[j]
    if type_ == "country":
        return True
    outer_noun = _noun_after(doc, e)
    inner_noun = place_noun(doc, start, end)
    outer_is_division = outer_noun in _DIVISION or outer is not None and outer.feature == "administrative_area"
    if outer_is_division:
        same_level = inner is not None and outer is not None and inner.admin2 is None and outer.admin2 is None \
            and inner.feature == outer.feature == "administrative_area"
        return not same_level or inner_noun in _SECOND
    if outer is not None and outer.feature == "populated_place" or outer_noun in _POPULATED:
        return inner_noun in _PART_OF_TOWN
    return False


def _where(doc: Doc, found: list[Found], j: int) -> dict:
    """The hierarchy a container hands to what it contains: its own divisions and country."""
    start, end, type_, known = found[j]
    if known is None:
        return {}
    where = {"country_code": known.country_code}
    if type_ == "country" or known.feature == "region":
        return where
    if known.source == "context" and known.feature == "administrative_area":
        name = doc[start:end].text
        if place_noun(doc, start, end) in _SECOND:
            where.update(admin2=name, admin1=known.admin1, admin1_code=known.admin1_code)
        else:
            where.update(admin1=name, admin1_code=None)
        return where
    where.update(admin1=known.admin1, admin1_code=known.admin1_code, admin2=known.admin2)
    if known.feature == "populated_place":
        where["admin2"] = known.admin2
    return where


def contained(doc: Doc, found: list[Found], inside: dict[int, int]) -> list[Found]:
    """``found`` with each contained place given its container's divisions and country, the
    innermost last so that "a village in Achin district, Nangarhar province" gets both."""
    out = list(found)
    done: set[int] = set()

    def settle(i: int, depth: int = 0) -> None:
        if i in done or depth > 5:
            return
        done.add(i)
        j = inside.get(i)
        if j is None:
            return
        settle(j, depth + 1)
        where = _where(doc, out, j)
        if not where.get("country_code"):
            return
        start, end, type_, known = out[i]
        noun = place_noun(doc, start, end)
        if known is None or known.country_code and known.country_code != where["country_code"]:
            # the text puts it elsewhere than the gazetteer's namesake: the text wins
            feature = ("administrative_area" if noun in _DIVISION else "populated_place" if noun in _POPULATED
                       else None)
            known = Known(doc[start:end].text, "place", "context", country_code=where["country_code"],
                          feature=feature)
        update = {k: v for k, v in where.items() if v is not None and k != "country_code"}
        if known.feature == "administrative_area" and known.source == "iso3166-2" and known.admin1_code:
            update = {}  # an ISO 3166-2 division knows its own place in the hierarchy
        elif noun in _SECOND and "admin1" in update and "admin2" not in update:
            update["admin2"] = doc[start:end].text  # "Achin district, Nangarhar province": Achin is the district
        known = replace(known, country_code=known.country_code or where["country_code"], **update)
        out[i] = (start, end, type_, known)

    for i in inside:
        settle(i)
    for i, (start, end, type_, known) in enumerate(out):
        # "Nineveh province", no gazetteer's: a division the text calls a first-level one is its own
        if known is not None and known.source == "context" and known.feature == "administrative_area" \
                and known.admin1 is None and place_noun(doc, start, end) not in _SECOND:
            out[i] = (start, end, type_, replace(known, admin1=doc[start:end].text))
    return _shared(doc, out)


def _shared(doc: Doc, found: list[Found]) -> list[Found]:
    """One place named twice ("Achin district ... in Achin") is placed once: every mention of it
    takes the fullest hierarchy any of its mentions has."""
    def ident(i: int) -> tuple | None:
        start, end, type_, known = found[i]
        if type_ != "place" or known is None:
            return None
        if known.geonameid is not None:
            return ("g", known.geonameid)
        if known.admin_code:
            return ("a", known.admin_code)
        return ("t", fold(doc[start:end].text), known.country_code)

    best: dict[tuple, Known] = {}
    for i in range(len(found)):
        key = ident(i)
        known = found[i][3]
        if key is None or known is None:
            continue
        rank = (known.admin1 is not None) + (known.admin2 is not None)
        have = best.get(key)
        if have is None or rank > (have.admin1 is not None) + (have.admin2 is not None):
            best[key] = known
    out = list(found)
    for i in range(len(found)):
        key = ident(i)
        if key is not None and key in best:
            start, end, type_, _k = found[i]
            out[i] = (start, end, type_, best[key])
    return out
