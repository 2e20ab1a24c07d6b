"""Entity resolution across documents: which document entities are one real-world entity, and why.

A *node* is one entity in one document, (document id, entity key); extraction has already made
one node of every name a document uses for one thing. Resolution links nodes across documents:

1. **Blocking.** Every mention is filed under a few keys (``blocking_keys``): its own entity key,
   the consonant skeleton of each of its complete names, a person's family name, an
   organisation's acronym and initials. Only keys that share a block are ever compared, so the
   cost grows with the corpus, not with its square. A block that holds more than
   ``MAX_BLOCK_KEYS`` distinct entity keys says nothing that tells them apart and is dropped.
2. **Strong links between keys.** Two entity keys are one entity when their coarse types agree
   (person, organisation-like, place-like), places do not differ in feature (city, province)
   or country, and either a complete name of one is a complete name of the other (``alias``:
   the gazetteer's and the text's "also known as" names count) or a complete name of each has
   the same words, word for word alike as transliterations (``name-variant``: one skeleton per
   word, or a rapidfuzz ratio of at least 0.9 where shared context backs it). Organisations of
   different kinds (armed group, organisation, government body) link by ``alias`` only. Nodes
   of one key are one (``same-key``). Connected components of these links are the entities.
3. **Weak nodes.** A name that could be any of several entities (a bare family name, "Smith";
   an acronym the text does not spell out, "SDF"; a place without feature or country) never
   links two entities together: each such node joins the one entity of its block it fits
   (``short-name``, ``acronym``), or, where several fit, the one whose documents its
   co-occurring entities characterise, well ahead of the others (``context``); otherwise it
   stays apart, in the entity named by its own key.
4. **Overrides.** An analyst's ``merge`` joins every node of its keys, whatever the rules say;
   a ``split`` takes nodes out of an entity (those named ``alias``, or those of ``document``),
   makes them an entity of their own, and resolution runs again without them, so nothing
   links them back.

Each step depends on the pair, or the node and its block, alone, and ties break on keys, so the
result is a function of the set of mentions and overrides, whatever their order; resolving one
new document against the stored ones (``resolve_incremental``) re-resolves only the entities
and weak nodes it can change and gives what a full pass would (docs/fusion.md).
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple, Protocol

from liaison.extract.lexicon import fold
from liaison.fuse import names as nm
from liaison.fuse.records import EntityMention, Link, Node, Override

MAX_BLOCK_KEYS = 64  # distinct entity keys a block may hold before it says nothing
VARIANT_MIN = 0.9  # least word score for a name-variant link
SKELETON = 0.95  # token_score of two spellings of one skeleton
CONTEXT_MIN = 0.2  # least affinity for a weak node to choose among several entities by context
CONTEXT_MARGIN = 1.5  # and how far ahead of the next one

_COARSE = {"person": "per", "organization": "org", "armed_group": "org", "government_body": "org",
           "country": "loc", "place": "loc", "facility": "loc"}


def coarse_type(mention: EntityMention) -> str:
    prefix = mention.key.partition(":")[0]
    return prefix if prefix in ("per", "org", "loc") else _COARSE.get(mention.type, "org")


# -- what a mention's names are, for comparing ---------------------------------------------------

class Forms(NamedTuple):
    """A mention's names sorted by what they can prove: ``complete`` names (a person's name of
    two words or more; any other name but an acronym) link entities; ``singles`` (one-word
    person names) and ``acronyms`` only attach a node to the one entity they fit."""

    complete: frozenset[tuple[str, ...]]
    singles: frozenset[str]
    acronyms: frozenset[str]
    initials: frozenset[str]


@lru_cache(maxsize=200_000)
def _forms(coarse: str, names: tuple[str, ...]) -> Forms:
    complete: set[tuple[str, ...]] = set()
    singles: set[str] = set()
    acronyms: set[str] = set()
    inits: set[str] = set()
    for name in names:
        if not name or not name.strip():
            continue
        if coarse != "per" and nm.is_acronym(name):
            acronyms.add(nm.acronym_of(name))
            continue
        toks = nm.tokens(name, coarse)
        if not toks:
            continue
        if coarse == "per":
            if len(toks) >= 2:
                complete.add(toks)
            else:
                singles.add(toks[0])
            continue
        complete.add(toks)
        init = nm.initials(name)
        if init:
            inits.add(init)
    return Forms(_frozen(complete), _frozen(singles), _frozen(acronyms), _frozen(inits))


_EMPTY: frozenset = frozenset()
_INTERNED: dict[frozenset, frozenset] = {}


def _frozen(items: Iterable) -> frozenset:
    """A frozenset, the one empty one where empty: most mentions have no acronym, no initials, no
    single name, and a corpus of 160k mentions should not hold half a million empty sets."""
    out = frozenset(items)
    return out if out else _EMPTY


def _interned(items: Iterable) -> frozenset:
    """A frozenset shared by every profile with the same few members (types, features, countries)."""
    out = frozenset(items)
    return _INTERNED.setdefault(out, out) if len(_INTERNED) < 10_000 else out


def forms(mention: EntityMention) -> Forms:
    return _info(mention)[0]


# What resolution derives from one mention, remembered by the mention object itself: the store's
# and the index's mentions come back as the same objects, pass after pass.
# Each entry: [the mention, (forms, blocking keys, complete), its context signatures or None until
# asked for: most nodes are linked by their names alone, and working out the context of each of a
# large corpus's co-occurring keys was a third of a full pass and most of a cold incremental one].
_INFO: dict[int, list] = {}


def _entry(m: EntityMention) -> list:
    hit = _INFO.get(id(m))
    if hit is not None and hit[0] is m:
        return hit
    if len(_INFO) > 500_000:  # fresh objects from a store each time must not pile up
        _INFO.clear()
    names = (m.canonical, *m.names, *m.aliases)
    coarse = coarse_type(m)
    f = _forms(coarse, names)
    complete = bool(f.complete) and not (coarse == "loc" and m.type == "place" and not m.feature
                                          and not m.country_code)
    entry = [m, (f, _blocking_keys(m.key, m.type, names), complete), None]
    _INFO[id(m)] = entry
    return entry


def _info(m: EntityMention) -> tuple[Forms, frozenset[str], bool]:
    """(forms, blocking keys, complete) of a mention."""
    return _entry(m)[1]


def _block_name(toks: tuple[str, ...]) -> str:
    return " ".join(nm.consonants(t) for t in toks)


def blocking_keys(mention: EntityMention) -> set[str]:
    """The blocks a mention is filed under: ``k:`` its entity key, ``f:`` the consonant skeleton
    of each complete name, ``l:`` a person's family name (complete or alone), ``a:`` an
    organisation's or place's acronym and the initials of its complete names."""
    return set(_info(mention)[1])


@lru_cache(maxsize=200_000)
def _blocking_keys(key: str, type_: str, names: tuple[str, ...]) -> frozenset[str]:
    coarse = key.partition(":")[0]
    coarse = coarse if coarse in ("per", "org", "loc") else _COARSE.get(type_, "org")
    f = _forms(coarse, names)
    out = {"k:" + key}
    out.update(f"f:{coarse}:{_block_name(t)}" for t in f.complete)
    if coarse == "per":
        out.update(f"l:per:{nm.consonants(t[-1])}" for t in f.complete)
        out.update(f"l:per:{nm.consonants(s)}" for s in f.singles)
    else:
        out.update(f"a:{coarse}:{a}" for a in f.acronyms | f.initials)
    return frozenset(out)


# -- one entity key across its nodes ---------------------------------------------------------------

@dataclass(eq=False)  # one object per profile: compared and cached by identity
class _Key:
    """One entity key's profile. Its context (``context``, ``context_counts``) is counted when
    first asked for: most pairs and most weak nodes are decided by names alone, and a profile
    of every key's context made a large corpus's heap, and its cost, grow faster than the corpus."""

    key: str
    coarse: str
    nodes: tuple[EntityMention, ...]
    types: frozenset[str]
    forms: Forms
    features: frozenset[str]
    countries: frozenset[str]
    gazetteer: bool
    canonical: str
    heads: frozenset[str] | None = None
    _counts: dict[str, int] | None = None
    _context: frozenset[str] | None = None

    @property
    def context_counts(self) -> dict[str, int]:
        """How many of the key's nodes each co-occurring entity (its context signature) is named with."""
        if self._counts is None:
            counts: dict[str, int] = defaultdict(int)
            for m in self.nodes:
                for c in _context(m):
                    counts[c] += 1
            self._counts = dict(counts)
        return self._counts

    @property
    def context(self) -> frozenset[str]:
        """The context signatures of any of the key's nodes."""
        if self._context is None:
            self._context = frozenset(self.context_counts)
        return self._context


def _context(mention: EntityMention) -> tuple[str, ...]:
    entry = _entry(mention)
    if entry[2] is None:
        entry[2] = _context_of(mention.key, mention.context)
    return entry[2]


def _context_of(key: str, context: tuple[str, ...]) -> tuple[str, ...]:
    """The context signatures of a mention's co-occurring keys, each once (a tuple: one a mention,
    and a mention's dozen fit a tuple in a third of a set's memory). Not remembered by value:
    no two documents share a context, and a cache of it only held each mention's context twice."""
    return tuple(dict.fromkeys(map(nm.context_sig, context if key not in context else
                                   (k for k in context if k != key))))


def _key_profile(key: str, nodes: list[EntityMention]) -> _Key:
    """One key's names, types and context over its complete nodes (the same nodes give the same
    object, so that pair decisions between unchanged keys are remembered across passes)."""
    return _cached_profile(key, tuple(nodes))


@lru_cache(maxsize=100_000)
def _cached_profile(key: str, nodes: tuple[EntityMention, ...]) -> _Key:
    coarse = coarse_type(nodes[0])
    if len(nodes) == 1:  # most keys: the node's own forms, no copy of them
        m = nodes[0]
        return _Key(key, coarse, nodes, _interned((m.type,)), forms(m), _interned((m.feature,) if m.feature else ()),
                    _interned((m.country_code,) if m.country_code else ()), bool(m.gazetteer), m.canonical)
    fs = [forms(m) for m in nodes]
    union = Forms(*(fs[0][i] if all(f[i] <= fs[0][i] for f in fs) else _frozen(x for f in fs for x in f[i])
                    for i in range(4)))
    types = _interned(m.type for m in nodes)
    features = _interned(m.feature for m in nodes if m.feature)
    countries = _interned(m.country_code for m in nodes if m.country_code)
    canon: dict[str, int] = defaultdict(int)
    for m in nodes:
        canon[m.canonical] += 1
    canonical = min(canon, key=lambda c: (-canon[c], -len(c), c))
    return _Key(key, coarse, nodes, types, union, features, countries, any(m.gazetteer for m in nodes), canonical)


def _heads(k: _Key) -> frozenset[str]:
    """The first consonant of each complete name's first word ("Ahmed" -> h, "Mohamed" -> m)."""
    if k.heads is None:
        k.heads = frozenset(nm.consonants(t[0])[:1] for t in k.forms.complete)
    return k.heads


def _places_agree(a: _Key, b: _Key) -> bool:
    if a.coarse != "loc":
        return True
    if a.features and b.features and not a.features & b.features:
        return False  # a city is not the province of its name
    return not (a.countries and b.countries and not a.countries & b.countries)


@lru_cache(maxsize=500_000)
def _words_score(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[float, float]:
    """Word-for-word likeness of two names of as many words: (the least word score, the mean),
    (0, 0) if a word differs."""
    scores = [nm.token_score(x, y) for x, y in zip(a, b, strict=True)]
    if min(scores) < VARIANT_MIN:
        return 0.0, 0.0
    return min(scores), sum(scores) / len(scores)


MIDDLE_CONTEXT = 2  # co-occurring entities two persons' keys must share to link over a dropped middle name


def _middle_dropped(x: tuple[str, ...], y: tuple[str, ...]) -> tuple[float, float]:
    """A person's name written with a middle name or patronymic left out ("Ahmed Godane" for
    "Ahmed Abdi Godane"): the shorter name's first and last words are the longer's, and its other
    words appear in the longer in order. (least, mean) word score of the aligned words, as
    _words_score; (0, 0) otherwise."""
    if len(x) > len(y):
        x, y = y, x
    if len(x) < 2 or not 1 <= len(y) - len(x) <= 2:
        return 0.0, 0.0
    inner, rest = list(x[1:-1]), list(y[1:-1])
    aligned = [(x[0], y[0]), (x[-1], y[-1])]
    for w in inner:
        while rest and nm.token_score(w, rest[0]) < VARIANT_MIN:
            rest.pop(0)
        if not rest:
            return 0.0, 0.0
        aligned.append((w, rest.pop(0)))
    scores = [nm.token_score(a, b) for a, b in aligned]
    if min(scores) < SKELETON:
        return 0.0, 0.0
    return min(scores), sum(scores) / len(scores)


@lru_cache(maxsize=500_000)
def _strong(a: _Key, b: _Key) -> tuple[str, float] | None:
    """Whether two complete keys are one entity, by which rule, how sure."""
    if a.coarse != b.coarse or not _places_agree(a, b):
        return None
    same_kind = bool(a.types & b.types)
    if not same_kind and a.coarse != "org":
        return None  # a country is not its capital's namesake, a facility not its town
    if a.forms.complete & b.forms.complete:
        return "alias", 1.0
    if not same_kind:
        return None  # an armed group and an organisation: one name, or two things
    best = (0.0, 0.0)
    for x in a.forms.complete:
        for y in b.forms.complete:
            if len(x) == len(y):
                best = max(best, _words_score(x, y) if x < y else _words_score(y, x))
    low, mean = best
    if low < VARIANT_MIN and a.coarse == "per":  # the names first: the context is counted only if they allow
        middle = max((_middle_dropped(x, y) for x in a.forms.complete for y in b.forms.complete), default=(0.0, 0.0))
        if middle[0] >= SKELETON and len(a.context & b.context) >= MIDDLE_CONTEXT:
            return "middle-name", round(middle[1] * 0.95, 4)
    if low < VARIANT_MIN:
        return None
    if low < SKELETON and a.context.isdisjoint(b.context):
        return None  # a spelling apart from the skeleton counts only where the context is shared
    return "name-variant", round(mean, 4)


def _may_link(a: _Key, b: _Key) -> bool:
    """Whether two keys could link once all their nodes are known, ``b`` known in part: their
    names alone (types, places and context, which more nodes can make agree or disagree, are
    left out), so that a no here is a no for ever."""
    if a.coarse != b.coarse:
        return False
    if a.forms.complete & b.forms.complete:
        return True
    if a.coarse == "per" and any(_middle_dropped(x, y)[0] >= SKELETON
                                 for x in a.forms.complete for y in b.forms.complete):
        return True
    return any(len(x) == len(y) and (_words_score(x, y) if x < y else _words_score(y, x))[0] >= VARIANT_MIN
               for x in a.forms.complete for y in b.forms.complete)


def _cover(w: EntityMention, wf: Forms, c: _Key) -> tuple[str, float] | None:
    """Whether the weak node ``w`` could be the complete key ``c`` (a bare family name, an acronym,
    a place without feature or country), by which rule."""
    if coarse_type(w) != c.coarse:
        return None
    if c.coarse == "per":
        best = 0.0
        for s in wf.singles:
            for t in c.forms.complete:
                best = max(best, nm.token_score(s, t[-1]))
        return ("short-name", round(best, 4)) if best >= SKELETON else None
    if w.type not in c.types and "organization" not in c.types and w.type != "organization":
        return None
    if c.coarse == "loc" and (w.type not in c.types or w.country_code and c.countries
                              and w.country_code not in c.countries):
        return None
    for a in sorted(wf.acronyms):
        if a in c.forms.acronyms or a in c.forms.initials:
            return "acronym", 1.0
    best = (0.0, 0.0)
    for x in wf.complete:
        for y in c.forms.complete:
            if len(x) == len(y):
                best = max(best, _words_score(x, y) if x < y else _words_score(y, x))
    return ("name-variant", round(best[1], 4)) if best[0] >= SKELETON else None


def clear_caches() -> None:
    """Forget every remembered name, profile and pair decision (benchmarks start cold with it;
    a long-running process may call it to give the memory back)."""
    _INFO.clear()
    for f in (_forms, _words_score, _strong, _cached_profile, _blocking_keys, nm.person_tokens,
              nm.org_tokens, nm.skeleton, nm._spelled, nm.consonants, nm.context_sig):
        f.cache_clear()


# -- resolution ------------------------------------------------------------------------------------

class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        p = self.parent.setdefault(x, x)
        while p != self.parent[p]:
            self.parent[p] = self.parent[self.parent[p]]
            p = self.parent[p]
        self.parent[x] = p
        return p

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra


def _node_order(m: EntityMention) -> tuple[str, str]:
    return m.node


def resolve(mentions: Iterable[EntityMention], overrides: Sequence[Override] = ()) -> dict[Node, Link]:
    """Every node's resolved entity and the evidence for it: a function of the set of mentions
    and overrides, whatever their order."""
    return _resolve(list(mentions), overrides, frozenset())


def _resolve(mentions: list[EntityMention], overrides: Sequence[Override], dropped: frozenset[str],
             want: set[Node] | None = None) -> dict[Node, Link]:
    with _collector_off():
        return _resolve_all(mentions, overrides, dropped, want)


@contextmanager
def _collector_off() -> Iterator[None]:
    """Resolution makes millions of small objects and no reference cycles: the cyclic collector,
    left on, walks the whole heap again and again as it grows and made the cost superlinear
    (a 40k corpus took 4x a 20k one), and in an incremental run, one full collection over the
    index's heap cost more than the run; it is off while resolution runs, and put back as found."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _resolve_all(mentions: list[EntityMention], overrides: Sequence[Override], dropped: frozenset[str],
                 want: set[Node] | None) -> dict[Node, Link]:
    """Links for every node, or at least for those of ``want`` (others may be left out)."""
    by_node: dict[Node, EntityMention] = {}
    for m in mentions:
        old = by_node.get(m.node)
        if old is None or repr(m) < repr(old):  # one mention per node; a duplicate by a fixed rule
            by_node[m.node] = m
    merges = sorted({tuple(sorted(set(o.keys))) for o in overrides if o.kind == "merge"})
    splits = sorted({(tuple(sorted(set(o.keys))), o.alias or "", o.document or "")
                     for o in overrides if o.kind == "split"})
    links = _pass(by_node, merges, dropped, None if splits else want)
    if not splits:
        return links
    # a split takes its nodes out, and resolution runs again without them: nothing links them back
    taken: dict[Node, tuple] = {}
    for split in splits:
        keys, alias, document = split
        entities = {links[n].entity for n in by_node if n[1] in keys}
        want = fold(alias) if alias else None
        for n, link in links.items():
            if link.entity not in entities or n in taken:
                continue
            m = by_node[n]
            named = want is not None and any(fold(x) == want for x in (m.canonical, *m.names))
            if named or document and n[0] == document:
                taken[n] = split
    rest = {n: m for n, m in by_node.items() if n not in taken}
    out = _pass(rest, merges, dropped)
    groups: dict[tuple, list[EntityMention]] = defaultdict(list)
    for n, split in taken.items():
        groups[split].append(by_node[n])
    for split, members in groups.items():
        _keys, alias, document = split
        prof = {k: _key_profile(k, [m for m in members if m.key == k]) for k in {m.key for m in members}}
        rep = min(prof.values(), key=_rep_order)
        label = fold(alias) if alias else document
        entity = f"{rep.key}|split:{label}"
        head = min(m.node for m in rep.nodes)
        for m in members:
            out[m.node] = Link(m.node, entity, "split", 1.0, None if m.node == head else head)
    return out


def _rep_order(k: _Key) -> tuple:
    """Which key names an entity: most documents, then gazetteer-known, then the longest
    canonical name, then the smallest key."""
    return (-len({m.document for m in k.nodes}), not k.gazetteer, -len(k.canonical), k.key)


def _complete(m: EntityMention, forced: bool) -> bool:
    """Whether a node's own names can link entities: a complete name, and, for a place, a
    feature or a country to tell it from its namesakes."""
    return forced or _info(m)[2]


def _file(blocks: dict[str, str | set[str]], bs: Iterable[str], key: str) -> None:
    """File ``key`` under each of ``bs`` but its own "k:" block: a lone key as itself, several as a set."""
    for b in bs:
        held = blocks.get(b)
        if held is None:
            if not b.startswith("k:"):
                blocks[b] = key
        elif held.__class__ is str:
            if held != key:
                blocks[b] = {held, key}
        else:
            held.add(key)


def _held(held: str | set[str] | tuple) -> Iterable[str]:
    """The keys a block holds, however it holds them."""
    return (held,) if held.__class__ is str else held


def _pass(by_node: dict[Node, EntityMention], merges: list[tuple[str, ...]], dropped: frozenset[str],
          want: set[Node] | None = None) -> dict[Node, Link]:
    merge_keys = {k for keys in merges for k in keys}
    nodes_of: dict[str, list[EntityMention]] = defaultdict(list)
    weak: list[EntityMention] = []
    # blocks: block -> keys (all nodes count towards the limit; complete ones are compared). A
    # block holds its one key as a string until a second comes: most hold one, and a set for each
    # of a large corpus's blocks made this step grow faster than the corpus. "k:" blocks (a key's
    # own, one key each) are never compared, and not filed. One walk over the nodes does it all.
    block_keys: dict[str, str | set[str]] = {}
    block_complete: dict[str, str | set[str]] = {}
    blocks_of_key: dict[str, list[frozenset[str]]] = {}  # a key's distinct block sets (mostly one object)
    for m in by_node.values():
        _f, bs, complete = _info(m)
        key = m.key
        _file(block_keys, bs, key)
        if complete or key in merge_keys:
            nodes_of[key].append(m)
            sets = blocks_of_key.get(key)
            if sets is None:
                blocks_of_key[key] = [bs]
            elif all(x is not bs for x in sets):
                sets.append(bs)
        else:
            weak.append(m)
    for k, sets in blocks_of_key.items():
        for bs in sets:
            _file(block_complete, bs, k)
    # (orders below are fixed where a result depends on them, and only there: a pass over a
    # large corpus should not sort it whole)
    keys = {k: _key_profile(k, sorted(ms, key=_node_order)) for k, ms in nodes_of.items()}
    full = {b for b, ks in block_keys.items() if ks.__class__ is not str and len(ks) > MAX_BLOCK_KEYS} \
        | (dropped & block_keys.keys())

    # strong links between complete keys sharing a block
    uf = _Union()
    edges: dict[str, list[tuple[str, str, float]]] = defaultdict(list)
    tried: set[int] = set()  # pairs compared, as one int each (a set of a million string pairs is a heap of its own)
    number = {k: i for i, k in enumerate(keys)}
    many = len(number)
    for b, held in block_complete.items():  # the order of blocks decides nothing: a pair's decision is its own
        if held.__class__ is str or b in full:
            continue
        ks = sorted(held)
        groups = [ks]
        if b.startswith("l:"):  # one family name: only given names that begin alike can be one
            by_head: dict[str, list[str]] = defaultdict(list)
            for k in ks:
                for h in _heads(keys[k]):
                    by_head[h].append(k)
            groups = [g for g in by_head.values() if len(g) > 1]
        for group in groups:
            for i, a in enumerate(group):
                na = number[a] * many
                for c in group[i + 1:]:
                    pair = na + number[c]
                    if pair in tried:
                        continue
                    tried.add(pair)
                    decided = _strong(keys[a], keys[c])
                    if decided is not None:
                        uf.union(a, c)
                        edges[a].append((c, *decided))
                        edges[c].append((a, *decided))
    for group in merges:
        present = [k for k in group if k in keys]
        for a, c in zip(present, present[1:], strict=False):
            uf.union(a, c)
            edges[a].append((c, "merge", 1.0))
            edges[c].append((a, "merge", 1.0))
    members_of: dict[str, list[str]] = defaultdict(list)
    for k in sorted(keys):
        members_of[uf.find(k)].append(k)

    # weak nodes: each joins the one entity it fits, or the one its context characterises
    root_context: dict[str, tuple[dict[str, int], int]] = {}

    def context_of(root: str) -> tuple[dict[str, int], int]:
        if root not in root_context:
            counts: dict[str, int] = defaultdict(int)
            for k in members_of[root]:
                for c, n in keys[k].context_counts.items():
                    counts[c] += n
            root_context[root] = (counts, sum(len(keys[k].nodes) for k in members_of[root]))
        return root_context[root]

    def affinity(own: frozenset[str], root: str) -> float:
        """How characteristic the node's co-occurring entities are of an entity: for each one
        they share, the share of the entity's nodes it co-occurs with."""
        counts, total = context_of(root)
        return sum(counts.get(c, 0) for c in own) / total

    attached: dict[Node, tuple[str, str, float, str]] = {}  # node -> (root, rule, score, key)
    for m in weak:
        if m.key in keys:  # its own key has complete nodes: extraction made them one
            attached[m.node] = (uf.find(m.key), "same-key", 1.0, m.key)
            continue
        wf = forms(m)
        fits: dict[str, tuple[str, float, str]] = {}
        cands = sorted({c for b in _info(m)[1] if b not in full and not b.startswith("k:")
                        for c in _held(block_complete.get(b, ()))})
        for c in cands:
            decided = _cover(m, wf, keys[c])
            if decided is None:
                continue
            root = uf.find(c)
            if root not in fits or decided[1] > fits[root][1]:
                fits[root] = (*decided, c)
        if len(fits) == 1:
            root, (rule, score, c) = next(iter(fits.items()))
            attached[m.node] = (root, rule, score, c)
        elif len(fits) > 1:
            ranked = sorted(((affinity(_context(m), r), r) for r in fits), key=lambda x: (-x[0], x[1]))
            (top, r), second = ranked[0], ranked[1][0]
            if top >= CONTEXT_MIN and top >= CONTEXT_MARGIN * second:
                attached[m.node] = (r, "context", round(top, 4), fits[r][2])

    # entities: a root's complete keys and the weak nodes attached to it; a weak node that fits
    # no one entity is the entity of its own key, with no node to link it to
    out: dict[Node, Link] = {}
    weak_by_root: dict[str, list[EntityMention]] = defaultdict(list)
    for n, (root, _rule, _score, _c) in attached.items():
        weak_by_root[root].append(by_node[n])
    wanted_keys = None if want is None else {n[1] for n in want}
    for root, members in members_of.items():
        if wanted_keys is not None and wanted_keys.isdisjoint(members) \
                and not any(m.node in want for m in weak_by_root.get(root, ())):
            continue  # an entity only read for its context: its links are not asked for
        rep = min((keys[k] for k in members), key=_rep_order)
        entity = rep.key
        heads = {k: keys[k].nodes[0].node for k in members}  # nodes are sorted: the first document's
        parent = _tree(rep.key, edges, set(members))
        for k in members:
            head = heads[k]
            if k == rep.key:
                out[head] = Link(head, entity, "self", 1.0, None)
            else:
                via, rule, score = parent[k]
                out[head] = Link(head, entity, rule, score, heads[via])
            for m in keys[k].nodes[1:]:
                out[m.node] = Link(m.node, entity, "same-key", 1.0, head)
        for m in weak_by_root.get(root, ()):
            _root, rule, score, c = attached[m.node]
            out[m.node] = Link(m.node, entity, rule, score, heads[c])
    for m in weak:
        if m.node not in attached and (want is None or m.node in want):
            out[m.node] = Link(m.node, m.key, "same-key", 1.0, None)
    return out


def _tree(start: str, edges: dict[str, list[tuple[str, str, float]]], within: set[str]) -> dict[str, tuple[str, str, float]]:
    """Each key's link towards the representative: breadth first from it, neighbours in key
    order, the strongest rule first, so the evidence is fixed by the graph alone."""
    parent: dict[str, tuple[str, str, float]] = {}
    seen = {start}
    queue = [start]
    for k in queue:
        for other, rule, score in sorted(edges.get(k, ()), key=lambda e: (e[0], e[1] != "merge", -e[2], e[1])):
            if other in seen or other not in within:
                continue
            seen.add(other)
            parent[other] = (k, rule, score)
            queue.append(other)
    return parent


# -- incremental -------------------------------------------------------------------------------------

class MentionIndex(Protocol):
    """What incremental resolution asks of the store: mentions by block and by resolved entity,
    the size of a block in distinct entity keys, and the links it holds now. Over SQL: a table of
    (block, document, key) indexed by block, and the links table indexed by node and by entity."""

    def by_blocks(self, blocks: Iterable[str]) -> list[EntityMention]:
        """Every stored mention filed under any of ``blocks``."""
        ...

    def block_sizes(self, blocks: Iterable[str]) -> dict[str, int]:
        """How many distinct entity keys each of ``blocks`` holds (absent: none)."""
        ...

    def members(self, entities: Iterable[str]) -> list[EntityMention]:
        """Every stored mention whose link names one of ``entities``."""
        ...

    def links(self, nodes: Iterable[Node]) -> dict[Node, Link]:
        """The stored link of each of ``nodes`` that has one."""
        ...


class MemoryIndex:
    """A ``MentionIndex`` in memory: for tests, the benchmark and one-off runs."""

    def __init__(self, mentions: Iterable[EntityMention] = (), links: dict[Node, Link] | None = None) -> None:
        self._mentions: dict[Node, EntityMention] = {}
        self._blocks: dict[str, dict[str, set[Node]]] = defaultdict(lambda: defaultdict(set))
        self._links: dict[Node, Link] = {}
        self._members: dict[str, set[Node]] = defaultdict(set)
        self.add(mentions)
        if links:
            self.update(links)

    def add(self, mentions: Iterable[EntityMention]) -> None:
        for m in mentions:
            self._mentions[m.node] = m
            for b in blocking_keys(m):
                self._blocks[b][m.key].add(m.node)

    def update(self, links: dict[Node, Link]) -> None:
        for n, link in links.items():
            old = self._links.get(n)
            if old is not None:
                self._members[old.entity].discard(n)
            self._members[link.entity].add(n)
            self._links[n] = link

    def by_blocks(self, blocks: Iterable[str]) -> list[EntityMention]:
        nodes: set[Node] = set()
        for b in blocks:
            for ns in self._blocks.get(b, {}).values():
                nodes |= ns
        return [self._mentions[n] for n in nodes]

    def block_sizes(self, blocks: Iterable[str]) -> dict[str, int]:
        return {b: len(self._blocks[b]) for b in blocks if b in self._blocks}

    def members(self, entities: Iterable[str]) -> list[EntityMention]:
        return [self._mentions[n] for e in set(entities) for n in self._members.get(e, ())]

    def links(self, nodes: Iterable[Node]) -> dict[Node, Link]:
        return {n: self._links[n] for n in nodes if n in self._links}

    def all_links(self) -> dict[Node, Link]:
        return dict(self._links)

    def __len__(self) -> int:
        return len(self._mentions)


_WEAK_BLOCKS = ("l:", "a:", "f:loc:")  # where a bare family name, an acronym, a vague place is filed


def resolve_incremental(new: Sequence[EntityMention], index: MentionIndex,
                        overrides: Sequence[Override] = ()) -> dict[Node, Link]:
    """The links that change, or are new, when ``new`` mentions join those of ``index``.

    A new mention can change only (1) the pair decisions of keys in its blocks, hence (2) the
    entities those keys belong to, and (3) the weak nodes whose candidates lie in those entities'
    blocks. Those are fetched, with, for every weak node among them, the whole entities it could
    join (its choice depends on their context), and resolved with the same function as a full
    pass; a block is dropped where the store's count says it is over the limit. Only the links
    of (1)-(3) are compared with the stored ones and returned: they equal what ``resolve`` over
    everything gives (tests/test_fuse_entities.py)."""
    with _collector_off():
        return _resolve_incremental(new, index, overrides)


def _resolve_incremental(new: Sequence[EntityMention], index: MentionIndex,
                         overrides: Sequence[Override]) -> dict[Node, Link]:
    merges = [set(o.keys) for o in overrides if o.kind == "merge"]
    merge_keys = {k for keys in merges for k in keys}
    found: dict[Node, EntityMention] = {m.node: m for m in new}
    fetched: set[str] = set()
    over: set[str] = set()

    def fetch(blocks: set[str]) -> list[EntityMention]:
        blocks = blocks - fetched
        if not blocks:
            return []
        fetched.update(blocks)
        sizes = index.block_sizes(blocks)
        full = {b for b in blocks if sizes.get(b, 0) > MAX_BLOCK_KEYS}
        over.update(full)
        got = index.by_blocks(sorted(blocks - full))
        for m in got:
            found.setdefault(m.node, m)
        return got

    def blocks_of(ms: Iterable[EntityMention]) -> set[str]:
        out: set[str] = set()
        for m in ms:
            out |= _info(m)[1]
        return out

    # (1) the new mentions' blocks, and every node of their keys (k: blocks); a merge's keys
    first = blocks_of(new)
    for keys in merges:
        if any(m.key in keys for m in new):
            first |= {"k:" + k for k in keys}
    near = fetch(first)
    # (2) the entities that may change: those of the new keys, of keys a new key may link with,
    # of a merge's keys, and of every key of a block the new mentions take over the limit
    new_keys = {m.key for m in new}
    complete_of: dict[str, list[EntityMention]] = defaultdict(list)
    block_keys: dict[str, set[str]] = defaultdict(set)
    for m in found.values():
        if _complete(m, m.key in merge_keys):
            complete_of[m.key].append(m)
        for b in _info(m)[1] & first:
            block_keys[b].add(m.key)
    profile = {k: _key_profile(k, sorted(ms, key=_node_order)) for k, ms in complete_of.items()}
    reach = set(new_keys) | {k for keys in merges if keys & new_keys for k in keys}
    for b, ks in block_keys.items():
        if b in over:
            continue
        if len(ks) > MAX_BLOCK_KEYS:
            reach |= ks  # the block is dropped now: what it linked may come apart
            continue
        for n in ks & new_keys:
            if n in profile:
                reach |= {k for k in ks if k in profile and k not in reach and _may_link(profile[n], profile[k])}
    stored = index.links(m.node for m in near)
    changed = {link.entity for n, link in stored.items() if n[1] in reach}
    # what else was fetched is kept only if weak: a complete node of an entity that does not
    # change is no part of what is resolved again (it comes back whole if a weak node needs it)
    for m in near:
        if m.key not in reach and _complete(m, m.key in merge_keys) and stored.get(m.node) is not None \
                and stored[m.node].entity not in changed:
            found.pop(m.node, None)
    for m in index.members(changed):
        found.setdefault(m.node, m)
    keyed = {m.key for m in found.values() if _complete(m, m.key in merge_keys)}
    fetch({"k:" + k for k in keyed})
    affected = set(found)
    # (3) weak nodes in the blocks of those entities' complete nodes (only family-name, acronym
    # and place-name blocks hold weak nodes)
    there = fetch({b for b in blocks_of(m for m in list(found.values()) if _complete(m, m.key in merge_keys))
                   if b.startswith(_WEAK_BLOCKS)})
    for m in there:
        if not _complete(m, m.key in merge_keys):
            found.setdefault(m.node, m)
    weak = [m for m in found.values() if not _complete(m, m.key in merge_keys)]
    affected |= {m.node for m in weak}
    # what a weak node may join: the complete keys of its blocks, and their entities whole
    weak_blocks = {b for b in blocks_of(weak) if not b.startswith("k:")}
    seen = [*near, *there, *fetch(weak_blocks)]
    cands = [m for m in seen if _complete(m, m.key in merge_keys) and not _info(m)[1].isdisjoint(weak_blocks)]
    others = {link.entity for link in index.links(m.node for m in cands).values()} - changed
    for m in index.members(others):
        found.setdefault(m.node, m)

    # blocks fetched whole count their keys in ``found``; the others as the store counts them
    rest = blocks_of(found.values()) - fetched
    sizes = index.block_sizes(rest)
    dropped = over | {b for b in rest if sizes.get(b, 0) > MAX_BLOCK_KEYS}
    links = _resolve(list(found.values()), overrides, frozenset(dropped), affected)
    new_nodes = {m.node for m in new}
    old = index.links(n for n in affected if n not in new_nodes)
    return {n: links[n] for n in affected if old.get(n) != links[n]}
