"""One happening, one story: reports of the same event in different documents fused (docs/fusion.md).

Two reports are of one happening when nothing they say contradicts it (same document, types that
cannot be one act, days that do not meet, places that neither equal nor contain each other, one
side's actor the other's target, an aggregate against a single event) and enough agrees to say
so: the same or a nested place, shared actors or targets, the same day. What counts as enough
depends on how precise the time is (``judge``); a violent act on one named person, and an
undated lasting situation (a troop presence), need no time at all. Reports are compared only
within blocks (type family x week x place or participant, or the person or situation), so the
cost grows about linearly with the reports, and
grouped by a greedy merge over the scored pairs in a fixed order, which never puts two reports
into one story that could not be one event. The result depends on the set of reports only, and
``fuse_events_incremental`` recomputes just the part a new document touches, giving what a full
run would give.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from liaison.fuse.records import EventReport, StoryLink
from liaison.model import Event

Ref = tuple[str, int]

# A report's day may be one off another's when it was told relative to its publication
# ("yesterday", "on Friday", a night strike dated in another time zone): a one-day gap is
# tolerated when one side is a single day at most RELATIVE_DAYS before its document's date.
GAP_DAYS = 1
RELATIVE_DAYS = 2
# A report without a date is placed in the UNDATED_DAYS up to its publication.
UNDATED_DAYS = 3
# An interval longer than this is "broad" (a month, "between ... and ..."): it agrees with less.
PRECISE_DAYS = 2
# An interval longer than this (more than a year) says too little of when: it counts as no date.
VAGUE_DAYS = 400
# Two reports of one aggregate give its interval to within this many days at each end.
AGGREGATE_SLACK_DAYS = 2
# Aggregates: a date span of more than this many days with a plural trigger.
AGGREGATE_DAYS = 3
BUCKET_DAYS = 7
# Undated statements of one lasting situation (``_standing``) published at most this far apart.
STANDING_DAYS = 366

# Types one happening may be reported under: a strike or a raid is, more generally, a military
# operation. A strike and a raid are not one act, so a story never holds both (the pairwise check
# of every merge, below, keeps a "military operation" from bridging them).
_MILITARY = ("military_operation", "airstrike", "raid_or_arrest")
_COMPATIBLE = {frozenset({"military_operation", "airstrike"}), frozenset({"military_operation", "raid_or_arrest"})}
# Acts aimed at a target: a named person targeted identifies one (``_identifying``).
_VIOLENT = {"military_operation", "raid_or_arrest", "airstrike", "attack", "foiled_attack"}
# How a person's entity id begins: extraction keys a person "per:<name>" (extract.entities.COARSE),
# and a resolved entity is named by such a key; "person:" is what hand-made reports may use.
_PERSON_KEYS = ("per:", "person:")
# Types that state a lasting situation rather than an act (``_standing``).
_STANDING = {"troop_deployment", "intelligence_sharing"}
# Types whose actors and targets are parties alike ("A met B" is "B met A").
_PARTY_TYPES = {"meeting", "agreement_or_membership", "intelligence_sharing"}


def is_aggregate(event: Event) -> bool:
    """Whether an extracted event sums up several happenings rather than being one.

    It does when it counts operations ("22 operations", "dozens of strikes" with a figure above
    one), or when its trigger is plural and its date spans more than AGGREGATE_DAYS days
    ("strikes between October 1 and November 6", "raids in January"). A singular trigger over a
    long interval is one long operation, and a plural one on one day ("airstrikes hit Jilib on
    Monday") one raid of several strikes: neither is an aggregate."""
    if any(q.kind == "operations" and q.value > 1 for q in event.quantities):
        return True
    date = event.date
    if date is None or date.start is None:
        return False
    end = date.end or date.start
    return (end - date.start).days > AGGREGATE_DAYS and _plural(event.trigger.text)


def _plural(trigger: str) -> bool:
    words = trigger.lower().split()
    word = words[-1] if words else ""
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is"))


def order_key(r: EventReport) -> tuple[dt.date, str, int]:
    """The order a story's first report is chosen by: earliest published, then document, then index."""
    return (r.published or dt.date.max, r.document, r.idx)


def story_id(r: EventReport) -> str:
    return f"{r.document}:{r.idx}"


def _family(r: EventReport) -> str:
    base = "military" if r.type in _MILITARY else r.type
    return f"aggregate:{base}" if r.aggregate else base


def _span(r: EventReport) -> tuple[dt.date, dt.date] | None:
    """The report's days; None when it gives none, or only a span of more than VAGUE_DAYS,
    which says too little of when to tell happenings apart by."""
    if r.date_start is None:
        return None
    span = r.date_start, max(r.date_end or r.date_start, r.date_start)
    return None if _days(span) > VAGUE_DAYS else span


def _days(span: tuple[dt.date, dt.date]) -> int:
    return (span[1] - span[0]).days


def _relative(r: EventReport) -> bool:
    """A single day told shortly before the document's own date: perhaps off by one."""
    span = _span(r)
    return bool(span and r.published and _days(span) == 0 and 0 <= (r.published - span[0]).days <= RELATIVE_DAYS)


def _time(a: EventReport, b: EventReport) -> int | None:
    """1: the same day (or one off, told relatively); 0: overlapping but broad, or undated and
    published within UNDATED_DAYS of the other; -1: nothing contradicts, but nothing places them
    together either (an undated report of unknown or much later publication); None: the times
    cannot be one happening's (days that do not meet, a report published before the event)."""
    sa, sb = _span(a), _span(b)
    if sa and sb:
        gap = max((sb[0] - sa[1]).days, (sa[0] - sb[1]).days)
        if gap > 0 and not (gap <= GAP_DAYS and (_relative(a) or _relative(b))):
            return None
        return 1 if _days(sa) <= PRECISE_DAYS and _days(sb) <= PRECISE_DAYS else 0
    if sa is None and sb is None:
        if a.published is None or b.published is None:
            return -1
        return 0 if abs((a.published - b.published).days) <= UNDATED_DAYS else -1
    dated, undated = (a, b) if sa else (b, a)
    span = _span(dated)
    if undated.published is None or span is None:
        return -1
    if (span[0] - undated.published).days > GAP_DAYS:  # a report cannot precede its event
        return None
    return 0 if (undated.published - span[1]).days <= UNDATED_DAYS else -1


def _place(a: EventReport, b: EventReport) -> int | None:
    """2: one place; 1: one lies in the other; 0: a side names none; None: two other places.

    A country contains a town that lies in it whether or not the town's document names the
    country too (``location_country`` against the town's ``country:XX``)."""
    if a.location is None or b.location is None:
        return 0
    if a.location == b.location:
        return 2
    if a.location in b.within or b.location in a.within:
        return 1
    if (a.location_country and a.location_country in b.within) or \
            (b.location_country and b.location_country in a.within):
        return 1
    return None


def _states(states: tuple[str, ...]) -> set[str]:
    return {s for s in states if s}


def _same_actor(a: EventReport, b: EventReport) -> bool:
    """A shared actor, or the same state acting through the two: "United States" in a news story,
    "U.S. Central Command" in the release (``actor_states``)."""
    return bool(set(a.actors) & set(b.actors) or _states(a.actor_states) & _states(b.actor_states))


def _parties(r: EventReport) -> set[str]:
    """The parties to a meeting or an arrangement, a state and its government or agencies being
    one party ("Syria", "the Syrian transitional government")."""
    ids = (*r.actors, *r.targets)
    states = (*r.actor_states, *("" for _ in r.actors[len(r.actor_states):]),
              *r.target_states, *("" for _ in r.targets[len(r.target_states):]))
    return {state or i for i, state in zip(ids, states, strict=False)}


def _participants(a: EventReport, b: EventReport) -> int | None:
    """Shared actors and shared targets count one each; two named sets of actors with none in
    common count against (a US and an Israeli strike on one town that day are two strikes, but a
    release may name "CENTCOM" where a story names "US forces", so it is not a veto). One side's
    actor being the other's target is a veto, except where both are parties alike (meetings)."""
    if a.type in _PARTY_TYPES and b.type in _PARTY_TYPES:
        pa, pb = _parties(a), _parties(b)
        return (1 if pa & pb else 0) + (1 if len(pa & pb) > 1 else 0)
    if set(a.actors) & set(b.targets) or set(b.actors) & set(a.targets):
        return None
    score = 0
    if _same_actor(a, b):
        score += 1
    elif a.actors and b.actors:
        score -= 1
    if set(a.targets) & set(b.targets):
        score += 1
    return score


def _types(a: EventReport, b: EventReport) -> bool:
    return a.type == b.type or frozenset({a.type, b.type}) in _COMPATIBLE


def _operations(r: EventReport) -> int | None:
    return next((v for k, v in r.quantities if k == "operations"), None)


def _same_aggregate(a: EventReport, b: EventReport) -> bool:
    if a.type != b.type:
        return False
    oa, ob = _operations(a), _operations(b)
    if oa is not None and ob is not None and oa != ob:
        return False
    sa, sb = _span(a), _span(b)
    if sa and sb:
        return abs((sa[0] - sb[0]).days) <= AGGREGATE_SLACK_DAYS and abs((sa[1] - sb[1]).days) <= AGGREGATE_SLACK_DAYS
    return sa is None and sb is None


def _vetoed(a: EventReport, b: EventReport) -> bool:
    """Whether the two cannot be reports of one happening, whatever else agrees."""
    if a.document == b.document or a.aggregate != b.aggregate or not _types(a, b):
        return True
    if a.aggregate and not _same_aggregate(a, b):
        return True
    return _time(a, b) is None or _place(a, b) is None or _participants(a, b) is None


def judge(a: EventReport, b: EventReport) -> float | None:
    """The score with which ``a`` and ``b`` are one happening, or None when they are not.

    Evidence is place (2 for one place, 1 for nested) plus participants (``_participants``).
    Both on one day: evidence 2 suffices (one town, or a shared actor and a shared target).
    Broader but overlapping dates: 3 (one town and a shared actor). A side without a date: one
    town and a shared actor, published within UNDATED_DAYS. Aggregates: the same aggregate
    (``_same_aggregate``) with a place or participant in common. Whatever the time, short of a
    contradiction: a violent act on the same named person (``_identifying``) with evidence 3
    (the person and a shared actor or place), since a person is killed or seized once; on the
    same day the person alone suffices, unless two named sets of actors differ (the FBI's
    release of an extradition that names its announcers, a news story that names no actor)."""
    if _vetoed(a, b):
        return None
    time = _time(a, b)
    place = _place(a, b)
    parts = _participants(a, b)
    assert time is not None and place is not None and parts is not None
    evidence = place + parts
    if _identifying(a) & _identifying(b) and (evidence >= 3 or time == 1 and evidence >= 1):
        return round(min(1.0, (evidence + max(time, 0)) / 5), 2)
    if time < 0:
        return _standing(a, b, place, evidence)
    if _span(a) is None or _span(b) is None:
        if place != 2 or not _same_actor(a, b):
            return _standing(a, b, place, evidence)
        need = 3
    elif a.aggregate:
        need = 1
    else:
        need = 2 if time == 1 else 3
    if evidence < need:
        return None
    return round(min(1.0, (evidence + time) / 5), 2)


def _standing(a: EventReport, b: EventReport, place: int, evidence: int) -> float | None:
    """A lasting situation stated without a date ("some 2,000 US troops are in Syria", "the US
    shares intelligence with Damascus") is one situation across documents months apart, when
    both give one type, one place and a shared actor, and were published within STANDING_DAYS
    of each other where their dates are known; an arrangement between parties (intelligence
    sharing) also when both name the same two parties and no two places. Dated deployments keep
    the ordinary rules."""
    if a.type != b.type or a.type not in _STANDING or _span(a) is not None or _span(b) is not None:
        return None
    if a.type in _PARTY_TYPES and place != 1 and len(_parties(a) & _parties(b)) > 1:
        pass  # one arrangement between the same two parties, wherever one side says it holds
    elif place != 2 or not set(a.actors) & set(b.actors) or evidence < 3:
        return None
    if a.published and b.published and abs((a.published - b.published).days) > STANDING_DAYS:
        return None
    return round(min(1.0, evidence / 5), 2)


def _identifying(r: EventReport) -> set[str]:
    """The named people a single violent act is aimed at (entity ids of type person, by the
    ``per:`` keys extraction gives them, or ``person:``): "the raid that killed Abu Sayyaf" is one raid,
    however its reports are dated. Parties to meetings and agreements are not: two people meet
    many times."""
    if r.aggregate or r.type not in _VIOLENT:
        return set()
    return {t for t in r.targets if t.startswith(_PERSON_KEYS)}


# ------------------------------------------------------------------------------ blocking


def _window(r: EventReport) -> tuple[dt.date, dt.date] | None:
    """Days a report could be matched over: any two reports ``_time`` lets agree have windows
    that meet, so blocking on them loses no pair."""
    span = _span(r)
    if span is not None:
        return span[0] - dt.timedelta(days=GAP_DAYS), span[1] + dt.timedelta(days=GAP_DAYS)
    if r.published is None:
        return None
    return r.published - dt.timedelta(days=UNDATED_DAYS), r.published


def _buckets(r: EventReport) -> range:
    window = _window(r)
    if window is None:
        return range(0)
    return range(window[0].toordinal() // BUCKET_DAYS, window[1].toordinal() // BUCKET_DAYS + 1)


def block_keys(r: EventReport) -> Iterator[tuple]:
    """The keys a report is filed under: its place, the places it lies in, its participants, each
    per type family and week its window touches. A store keeps them as rows (key, report) and
    answers ``EventIndex.candidates`` with the reports filed under any of ``lookup_keys``."""
    family = _family(r)
    for bucket in _buckets(r):
        if r.location:
            yield (family, bucket, "at", r.location)
        if r.location_country:  # a country, found by the towns that lie in it
            yield (family, bucket, "at", r.location_country)
        for w in r.within:
            yield (family, bucket, "in", w)
        for a in (*r.actors, *r.targets, *_states(r.actor_states)):
            yield (family, bucket, "by", a)
    for person in sorted(_identifying(r)):  # whenever: a person is the target once
        yield (family, "who", person)
    if r.type in _STANDING and _span(r) is None and r.location:  # whenever: one lasting situation
        for a in r.actors:
            yield (family, "standing", r.location, a)
    if r.type in _STANDING and r.type in _PARTY_TYPES and _span(r) is None:  # whenever: one arrangement
        parties = sorted(_parties(r))
        for i, p in enumerate(parties):
            for q in parties[i + 1:]:
                yield (family, "parties", p, q)


def lookup_keys(r: EventReport) -> Iterator[tuple]:
    """The keys to look a report's partners up by: one place, a place lying in its place, the
    place its place lies in, a participant. Symmetric with ``block_keys``: a finds b iff b finds a."""
    family = _family(r)
    for bucket in _buckets(r):
        if r.location:
            yield (family, bucket, "at", r.location)
            yield (family, bucket, "in", r.location)
        if r.location_country:
            yield (family, bucket, "in", r.location_country)
        for w in r.within:
            yield (family, bucket, "at", w)
        for a in (*r.actors, *r.targets, *_states(r.actor_states)):
            yield (family, bucket, "by", a)
    for person in sorted(_identifying(r)):
        yield (family, "who", person)
    if r.type in _STANDING and _span(r) is None and r.location:  # whenever: one lasting situation
        for a in r.actors:
            yield (family, "standing", r.location, a)
    if r.type in _STANDING and r.type in _PARTY_TYPES and _span(r) is None:  # whenever: one arrangement
        parties = sorted(_parties(r))
        for i, p in enumerate(parties):
            for q in parties[i + 1:]:
                yield (family, "parties", p, q)


class EventIndex(Protocol):
    """What incremental fusion needs of the store: the reports that share a block with one."""

    def add(self, report: EventReport) -> None: ...

    def candidates(self, report: EventReport) -> Iterable[EventReport]: ...


@dataclass
class MemoryEventIndex:
    """An in-memory ``EventIndex`` (tests, benchmarks; the store keeps its own by the same keys)."""

    reports: dict[Ref, EventReport] = field(default_factory=dict)
    blocks: dict[tuple, set[Ref]] = field(default_factory=dict)

    def add(self, report: EventReport) -> None:
        if report.ref in self.reports:
            return
        self.reports[report.ref] = report
        for key in block_keys(report):
            self.blocks.setdefault(key, set()).add(report.ref)

    def candidates(self, report: EventReport) -> Iterable[EventReport]:
        refs: set[Ref] = set()
        for key in lookup_keys(report):
            refs |= self.blocks.get(key, set())
        refs.discard(report.ref)
        return [self.reports[ref] for ref in sorted(refs)]


# ------------------------------------------------------------------------------ fusing


def fuse_events(reports: Iterable[EventReport]) -> dict[Ref, StoryLink]:
    """Every report's story, over the whole set of reports."""
    index = MemoryEventIndex()
    for r in reports:
        index.add(r)
    return _cluster(list(index.reports.values()), index)


def fuse_events_incremental(new: Iterable[EventReport], index: EventIndex) -> dict[Ref, StoryLink]:
    """Add ``new`` to ``index`` and return the stories of every report they touch.

    Fusion decides per connected group of matching reports, so re-fusing the groups the new
    reports fall in (found by walking matches out from them) gives exactly what a full run would.
    The answer holds the new reports and every older report of those groups: the caller rewrites
    all of them, since a new, earlier-published report can become a story's first and rename it."""
    fresh = {r.ref: r for r in new}
    for r in sorted(fresh.values(), key=order_key):
        index.add(r)
    found = dict(fresh)
    queue = list(fresh.values())
    while queue:
        r = queue.pop()
        for c in index.candidates(r):
            if c.ref not in found and judge(r, c) is not None:
                found[c.ref] = c
                queue.append(c)
    return _cluster(list(found.values()), index)


def _cluster(reports: list[EventReport], index: EventIndex) -> dict[Ref, StoryLink]:
    """Greedy merge over the scored pairs, best first (ties in report order): a pair joins its
    two groups only when no report of one is vetoed against any of the other."""
    by_ref = {r.ref: r for r in reports}
    edges: dict[tuple[Ref, Ref], float] = {}
    for r in reports:
        for c in index.candidates(r):
            if c.ref not in by_ref:
                continue
            a, b = sorted((r, c), key=order_key)
            if (a.ref, b.ref) not in edges and (score := judge(a, b)) is not None:
                edges[(a.ref, b.ref)] = score
    parent = {ref: ref for ref in by_ref}
    members = {ref: [by_ref[ref]] for ref in by_ref}

    def find(ref: Ref) -> Ref:
        while parent[ref] != ref:
            parent[ref] = parent[parent[ref]]
            ref = parent[ref]
        return ref

    ranked = sorted(edges.items(), key=lambda e: (-e[1], order_key(by_ref[e[0][0]]), order_key(by_ref[e[0][1]])))
    for (x, y), _ in ranked:
        cx, cy = find(x), find(y)
        if cx == cy or any(_vetoed(p, q) for p in members[cx] for q in members[cy]):
            continue
        parent[cy] = cx
        members[cx].extend(members.pop(cy))
    near: dict[Ref, list[tuple[float, Ref]]] = {}
    for (x, y), score in edges.items():
        near.setdefault(x, []).append((score, y))
        near.setdefault(y, []).append((score, x))
    out: dict[Ref, StoryLink] = {}
    for group in members.values():
        group.sort(key=order_key)
        first = group[0]
        story = story_id(first)
        refs = {r.ref for r in group}
        out[first.ref] = StoryLink(first.ref, story, "self")
        for r in group[1:]:
            # Its best match in the story (every member has one: groups only grow along matches).
            score, against = min(((s, o) for s, o in near[r.ref] if o in refs),
                                 key=lambda so: (-so[0], order_key(by_ref[so[1]])))
            out[r.ref] = StoryLink(r.ref, story, "same-happening", score, against)
    return out
