"""Entity resolution at scale: time and pairwise precision/recall on a corpus with known truth.

    .venv/bin/python bench/fusion_bench.py [--sizes 20000 40000 80000 160000] [--quick] [--seed 7]

The corpus is generated (`make_corpus`): people with Arabic, Somali and Pashto given names and
family names in several transliterations (al-/Al/el-/ash-, Ahmed/Ahmad, Mohamed/Muhammad/Maxamed,
Yusuf/Yousef, Zeinab/Zaynab, -ah/-a, q/k, doubled letters), titles before them ("President",
"Sheikh", "Gen."), the family name first after a comma, a bare family name alone in a document,
and a letter dropped now and then (a typo no transliteration rule explains); confusable
distinct people (one family name, several given names; one given name, many family names);
armed groups with their acronyms, former names and affiliates ("X" and "X Somalia"); cities and
provinces of one name. A "mention" is one node: one entity in one document (about 12 a
document). Every entity is someone's or something's, so truth is known.

Times are CPU seconds (time.process_time: the machine is shared), the fastest of ``--repeat``
cold passes. Reported per size: the time of one full `resolve`, the ratio to the size before (target: at most
2.2 a doubling), pairwise precision and recall over nodes (targets 0.99 and 0.95), and the
same-run baseline: every pair of a sample's nodes scored by the same pair rule, timed and
extrapolated to the size (what resolution without blocking would cost). At the largest size,
the time to resolve one new document (10-20 nodes) incrementally against the MemoryIndex of the
whole corpus (target: under 50 ms), and at the smallest, a check that incremental = full.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from liaison.extract.lexicon import fold  # noqa: E402
from liaison.fuse import entities as ent  # noqa: E402
from liaison.fuse.records import EntityMention  # noqa: E402

# Given names and their transliterations, pairwise distinct names (Hassan is not Hussein,
# Mohamed is not Mahmoud).
GIVEN = [
    ["Mohamed", "Muhammad", "Mohammed", "Mohammad", "Muhammed", "Maxamed"], ["Ahmed", "Ahmad"],
    ["Yusuf", "Yousef", "Youssef", "Yusef"], ["Zeinab", "Zaynab", "Zainab"], ["Hussein", "Husayn", "Hussain"],
    ["Hassan", "Hasan"], ["Omar", "Umar"], ["Osama", "Usama"], ["Ismail", "Ismael", "Isma'il"],
    ["Khalid", "Khaled"], ["Ali"], ["Ibrahim", "Ebrahim"], ["Fatima", "Fatimah"], ["Aisha", "Aysha", "A'isha"],
    ["Mustafa", "Moustafa", "Mostafa"], ["Kareem", "Karim"], ["Nasir", "Nasser"], ["Said", "Saeed", "Sa'id"],
    ["Bashir", "Basheer"], ["Hamza", "Hamzah"], ["Tariq", "Tarek"], ["Faisal", "Faysal"], ["Walid", "Waleed"],
    ["Rashid", "Rasheed"], ["Abu Bakr", "Abou Bakr"], ["Yasin", "Yassin", "Yaseen"], ["Suleiman", "Sulayman"],
    ["Mahmoud", "Mahmud"], ["Hekmatullah", "Hikmatullah"], ["Gulbuddin", "Gulbudin"], ["Najibullah"],
    ["Abdulrahman", "Abd al-Rahman", "Abdurrahman"], ["Jamal"], ["Layla", "Laila"], ["Amina", "Aminah"],
    ["Idris", "Idriss"], ["Anwar"], ["Ayman"], ["Samir", "Sameer"], ["Farid", "Fareed"], ["Halima", "Halimah"],
    ["Abdi"], ["Warsame"], ["Qasim", "Kasim", "Qassim"], ["Ziyad", "Ziad"], ["Ramadan"],
    ["Salah", "Salaah"], ["Nur", "Noor"],
]
TITLES = ["President", "Sheikh", "Gen.", "Mr", "Commander", "Minister", "Dr."]
_C = ["b", "d", "f", "g", "h", "j", "k", "l", "m", "n", "q", "r", "s", "t", "w", "z", "sh", "kh"]
_V = ["a", "i", "u"]
_SUN = {"t", "d", "r", "z", "s", "sh", "n"}
REGIONS = ["Somalia", "Yemen", "Sahel", "Khorasan", "Mozambique", "Sinai", "Libya", "Iraq", "Pakistan", "Congo"]
NOUNS = ["Front", "Movement", "Brigade", "Army", "Council", "Union", "Forces", "Alliance"]
ADJS = ["Islamic", "Popular", "National", "Revolutionary", "Democratic", "Free", "United", "Liberation"]


def _root(rnd: random.Random) -> list[str]:
    return [rnd.choice(_C) for _ in range(3)]


def _surname(root: list[str], rnd: random.Random) -> str:
    c1, c2, c3 = root
    pattern = rnd.choice(["{0}a{1}{1}a{2}", "{0}a{1}i{2}", "{0}u{1}a{2}i", "{0}a{1}a{2}a", "{0}i{1}a{2}"])
    return pattern.format(c1, c2, c3).capitalize()


def _vary_word(word: str, rnd: random.Random, typo: float) -> str:
    """One transliteration of a generated word: the rules a real corpus shows."""
    w = word
    if rnd.random() < 0.3 and "a" in w[1:]:
        i = w.index("a", 1)
        w = w[:i] + "e" + w[i + 1:]  # Sharaa/Sherea, Ahmad/Ahmed
    if rnd.random() < 0.2:
        w = w.replace("q", "k").replace("Q", "K")
    if rnd.random() < 0.2 and w.endswith("a"):
        w = w + "h"  # Qala/Qalah
    if rnd.random() < 0.2:
        for i in range(1, len(w) - 1):
            if w[i] not in "aeiouh" and w[i - 1] in "aeiou" and w[i + 1] in "aeiou":
                w = w[:i] + w[i] + w[i:]  # a doubled letter, between vowels as Arabic doubles it
                break
    if rnd.random() < typo and len(w) > 5:
        i = rnd.randrange(2, len(w) - 1)
        w = w[:i] + w[i + 1:]  # a letter dropped
    return w


def _article(word: str, rnd: random.Random) -> str:
    first = word[:2].lower() if word[:2].lower() in _SUN else word[:1].lower()
    sun = first in _SUN
    form = rnd.choice(["al-", "Al ", "el-", "", ("a" + first + "-") if sun else "al-"])
    return f"{form}{word}"


class World:
    """The entities of a corpus and how each can be written."""

    def __init__(self, n_entities: int, rnd: random.Random, typo: float = 0.02) -> None:
        self.rnd, self.typo = rnd, typo
        n_people = int(n_entities * 0.6)
        n_groups = int(n_entities * 0.25)
        n_places = n_entities - n_people - n_groups
        # Names are drawn from a space much larger than the corpus (three or four consonants), so
        # that distinct names stay distinct as the corpus grows; the confusable ones are made so
        # on purpose: three people to a family name, forty-odd given names for all.
        used: set[str] = set()

        def word() -> str:
            while True:
                c1, c2, c3 = _root(rnd)
                if c3 == "h" or len(c2) > 1 or len(c3) > 1 or rnd.random() < 0.5:
                    w = _surname([c1, c2, c3], rnd)
                else:  # four consonants, two of them side by side (no h there: "qh" is no "kh")
                    w = f"{c1}a{c2}{c3}a{rnd.choice(_C)}".capitalize()
                if ent.nm.consonants(fold(w)) not in used:
                    used.add(ent.nm.consonants(fold(w)))
                    return w

        self.surnames = sorted(word() for _ in range(max(8, n_people // 3)))
        self.people: list[tuple[int, str]] = []  # (given index, surname)
        seen = set()
        while len(self.people) < n_people:
            pair = (rnd.randrange(len(GIVEN)), rnd.choice(self.surnames))
            if pair not in seen:
                seen.add(pair)
                self.people.append(pair)
        # distinct groups and places too: no variant of one is another's name (two places of one
        # name in one country: no name tells them apart)
        self.groups: list[tuple[str, str | None]] = []  # (name, former name)
        while len(self.groups) < n_groups:
            base = f"{rnd.choice(ADJS)} {rnd.choice(NOUNS)} of {word()}"
            former = f"Jabhat {word()}" if rnd.random() < 0.2 else None
            self.groups.append((base, former))
            if rnd.random() < 0.3 and len(self.groups) < n_groups:  # an affiliate: a longer name, not the group
                self.groups.append((f"{base} {rnd.choice(REGIONS)}", None))
        self.places: list[tuple[str, str, str]] = []  # (name, feature, country)
        while len(self.places) < n_places:
            name = word()
            country = rnd.choice(["SY", "IQ", "SO", "AF", "YE"])
            self.places.append((name, "populated_place", country))
            if rnd.random() < 0.3 and len(self.places) < n_places:
                self.places.append((name, "administrative_area", country))  # the province of the city's name
        self.n = len(self.people) + len(self.groups) + len(self.places)
        # each entity has a few others it is reported with: its context
        self.friends = [[rnd.randrange(self.n) for _ in range(3)] for _ in range(self.n)]

    def mention(self, doc: str, e: int, context: tuple[str, ...] = ()) -> EntityMention:
        if e < len(self.people):
            return self._person(doc, e, context)
        if e < len(self.people) + len(self.groups):
            return self._group(doc, e - len(self.people), context)
        return self._place(doc, e - len(self.people) - len(self.groups), context)

    def _person(self, doc: str, i: int, context: tuple[str, ...]) -> EntityMention:
        rnd = self.rnd
        given_i, surname = self.people[i]
        given = rnd.choice(GIVEN[given_i])
        family = _article(_vary_word(surname, rnd, self.typo), rnd) if rnd.random() < 0.6 else \
            _vary_word(surname, rnd, self.typo)
        r = rnd.random()
        if r < 0.04:  # the family name alone
            canonical = family
            names = (family,)
        elif r < 0.06:
            canonical = f"{family}, {given}"
            names = (canonical,)
        else:
            canonical = f"{given} {family}"
            names = (canonical, f"{rnd.choice(TITLES)} {canonical}") if rnd.random() < 0.15 else (canonical,)
            if rnd.random() < 0.3:
                names = (*names, family)
        return EntityMention(doc, f"per:{fold(canonical)}", canonical, "person", names, context=context)

    def _group(self, doc: str, i: int, context: tuple[str, ...]) -> EntityMention:
        rnd = self.rnd
        name, former = self.groups[i]
        words = name.split()
        words[-1] = _vary_word(words[-1], rnd, 0.0) if words[-1] not in REGIONS else words[-1]
        if words[-1] in REGIONS:
            words[-2] = _vary_word(words[-2], rnd, 0.0)
        written = " ".join(words)
        acronym = "".join(w[0] for w in written.split() if w not in ("of",)).upper()
        r = rnd.random()
        aliases = (former,) if former and rnd.random() < 0.5 else ()
        if r < 0.05:
            return EntityMention(doc, f"org:{fold(acronym)}", acronym, "armed_group", (acronym,), context=context)
        if r < 0.08 and former:
            return EntityMention(doc, f"org:{fold(former)}", former, "armed_group", (former,), context=context)
        names = (written, acronym) if rnd.random() < 0.3 else (written,)
        return EntityMention(doc, f"org:{fold(written)}", written, "armed_group", names, aliases=aliases,
                             context=context)

    def _place(self, doc: str, i: int, context: tuple[str, ...]) -> EntityMention:
        rnd = self.rnd
        name, feature, country = self.places[i]
        written = _vary_word(name, rnd, 0.0)
        if feature == "administrative_area":
            written = f"{written} Province" if rnd.random() < 0.5 else written
            return EntityMention(doc, f"loc:iso3166-2:{country}-{fold(name)}", written, "place", (written,),
                                 country_code=country, feature=feature, gazetteer="iso3166-2", context=context)
        if rnd.random() < 0.5:  # the gazetteer's: one key whatever the spelling
            return EntityMention(doc, f"loc:geonames:{i}", name, "place", (written,), country_code=country,
                                 feature=feature, gazetteer="geonames", context=context)
        return EntityMention(doc, f"loc:{fold(written)}", written, "place", (written,), country_code=country,
                             feature=feature, context=context)


def make_corpus(n_mentions: int, seed: int = 7, per_entity: int = 12) -> tuple[list[EntityMention], dict]:
    """About ``n_mentions`` nodes in documents of about 12, and each node's true entity."""
    rnd = random.Random(seed)
    world = World(max(40, n_mentions // per_entity), rnd)
    mentions: list[EntityMention] = []
    truth: dict = {}
    d = 0
    while len(mentions) < n_mentions:
        doc = f"doc{d:07}"
        d += 1
        mentions_doc, truth_doc = make_document(world, doc, rnd)
        mentions.extend(mentions_doc)
        truth.update(truth_doc)
    return mentions, truth | {"_world": world}


def make_document(world: World, doc: str, rnd: random.Random, size: int | None = None) -> tuple[list, dict]:
    size = size or rnd.randint(8, 16)
    picked: list[int] = []
    while len(picked) < size:
        e = rnd.randrange(world.n)
        picked.extend(x for x in [e, *rnd.sample(world.friends[e], 2)] if x not in picked)
    picked = picked[:size]
    drafts = {e: world.mention(doc, e) for e in picked}
    by_key: dict[str, int] = {}
    for e, m in drafts.items():
        by_key.setdefault(m.key, e)  # two entities one key in a document: extraction makes them one node
    keys = sorted(by_key)
    out, truth = [], {}
    for key, e in sorted(by_key.items()):
        m = drafts[e]
        m = EntityMention(m.document, m.key, m.canonical, m.type, m.names, aliases=m.aliases,
                          context=tuple(k for k in keys if k != key), country_code=m.country_code, feature=m.feature,
                          gazetteer=m.gazetteer)
        out.append(m)
        truth[m.node] = e
    return out, truth


def pairwise(links: dict, truth: dict) -> tuple[float, float]:
    """Pairwise precision and recall over nodes, by counting within clusters."""
    def pairs(counter: Counter) -> int:
        return sum(c * (c - 1) // 2 for c in counter.values())

    nodes = [n for n in links if n in truth]
    pred = Counter(links[n].entity for n in nodes)
    true = Counter(truth[n] for n in nodes)
    both = Counter((links[n].entity, truth[n]) for n in nodes)
    tp = pairs(both)
    return tp / max(1, pairs(pred)), tp / max(1, pairs(true))


def baseline(mentions: list[EntityMention], sample: int, rnd: random.Random) -> float:
    """Seconds per pair for scoring every pair of a sample's nodes with the same strong rule."""
    picked = rnd.sample(mentions, min(sample, len(mentions)))
    profiles = [ent._key_profile(m.key, [m]) for m in picked]
    strong = ent._strong.__wrapped__  # the rule itself, not its cache
    start = time.process_time()
    n = 0
    for i, a in enumerate(profiles):
        for b in profiles[i + 1:]:
            strong(a, b)
            n += 1
    return (time.process_time() - start) / max(1, n)


def clear_caches() -> None:
    """Forget every remembered name and pair, so that each run starts cold."""
    ent.clear_caches()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[20_000, 40_000, 80_000, 160_000])
    ap.add_argument("--quick", action="store_true", help="a small run: 5k, 10k, 20k mentions")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--sample", type=int, default=1500, help="nodes whose every pair the baseline scores")
    ap.add_argument("--new-docs", type=int, default=30, help="documents resolved incrementally at the largest size")
    ap.add_argument("--repeat", type=int, default=3, help="full passes per size, the fastest counted")
    args = ap.parse_args()
    sizes = [5_000, 10_000, 20_000] if args.quick else sorted(args.sizes)

    from rich.console import Console
    from rich.table import Table

    console = Console()
    rows = []
    last = None
    per_pair = None
    largest = None
    for size in sizes:
        mentions, truth = make_corpus(size, args.seed)
        world = truth.pop("_world")
        took = float("inf")
        for _ in range(args.repeat):
            clear_caches()
            start = time.process_time()
            links = ent.resolve(mentions)
            took = min(took, time.process_time() - start)
        p, r = pairwise(links, truth)
        if per_pair is None:
            per_pair = baseline(mentions, args.sample, random.Random(args.seed))
        all_pairs = per_pair * len(mentions) * (len(mentions) - 1) / 2
        ratio = took / last if last else None
        last = took
        rows.append((len(mentions), len({link.entity for link in links.values()}), world.n, took, ratio, p, r, all_pairs))
        console.print(f"{len(mentions):>7} mentions: {took:.2f} s, precision {p:.4f}, recall {r:.4f}")
        if size == sizes[0]:
            ok = _check_incremental(mentions, world, args.seed)
            console.print(f"incremental = full over 5 new documents at {len(mentions)}: {ok}")
        largest = (mentions, links, world)

    table = Table(title="Entity resolution (bench/fusion_bench.py)")
    for col in ("mentions", "entities found", "true entities", "resolve s", "x per doubling", "precision", "recall",
                "all-pairs s (extrapolated)"):
        table.add_column(col, justify="right")
    for n, found, true_n, took, ratio, p, r, all_pairs in rows:
        table.add_row(f"{n:,}", f"{found:,}", f"{true_n:,}", f"{took:.2f}", f"{ratio:.2f}" if ratio else "-",
                      f"{p:.4f}", f"{r:.4f}", f"{all_pairs:,.0f}")
    console.print(table)

    mentions, links, world = largest
    index = ent.MemoryIndex(mentions, links)
    rnd = random.Random(args.seed + 1)
    for label, cold in (("warm (the process that resolved the corpus)", False), ("cold (caches cleared)", True)):
        times, sizes_new, reached = [], [], []
        for i in range(args.new_docs):
            new, _truth = make_document(world, f"new{label[0]}{i:05}", rnd, rnd.randint(10, 20))
            if cold:
                clear_caches()
            start = time.process_time()
            changed = ent.resolve_incremental(new, index)
            times.append(time.process_time() - start)
            index.add(new)
            index.update(changed)
            sizes_new.append(len(new))
            reached.append(len(changed))
        times_ms = sorted(t * 1000 for t in times)
        console.print(f"one new document ({min(sizes_new)}-{max(sizes_new)} nodes) incrementally against "
                      f"{len(mentions):,} mentions, {label}: median {statistics.median(times_ms):.1f} ms, "
                      f"p90 {times_ms[int(len(times_ms) * 0.9) - 1]:.1f} ms, max {times_ms[-1]:.1f} ms; "
                      f"links changed per document: median {statistics.median(reached):.0f}")


def _check_incremental(mentions: list[EntityMention], world: World, seed: int) -> bool:
    index = ent.MemoryIndex(mentions, ent.resolve(mentions))
    rnd = random.Random(seed + 2)
    added = []
    for i in range(5):
        new, _t = make_document(world, f"chk{i:03}", rnd, 15)
        changed = ent.resolve_incremental(new, index)
        index.add(new)
        index.update(changed)
        added.extend(new)
    return index.all_links() == ent.resolve(mentions + added)


if __name__ == "__main__":
    main()
