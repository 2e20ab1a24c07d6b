"""Long texts in chunks: where to cut them, and how the chunks' extractions make one.

The statistical model's memory grows with the text it is given at once (about 3 MB per KB
of text for the small English model, measured: a 1 MB text took over 3 GB), so a text
longer than ``CHUNK_CHARS`` is processed as consecutive chunks cut at paragraph or
sentence ends. Each chunk's offsets are shifted back into the whole text when it is turned
into records, so a span's offsets always index the stored text; ``merge`` then joins what
the chunks found: one entity per key, a short name in one chunk linked to the full name
in another, the events in text order.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Sequence
from dataclasses import replace

from liaison.extract.lexicon import name_key
from liaison.model import Entity, Event, Extraction

# The model's comfortable size: small enough that one chunk's working memory stays a few
# hundred MB, large enough that a news article (a few KB) is never cut.
CHUNK_CHARS = 100_000

# A sentence's end when no line break is near: a full stop, question or exclamation mark
# (and any closing quote or bracket) followed by white space and a capital or a digit.
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s+(?=[A-Z0-9\"'\u201c\u2018])")
_WHITESPACE = re.compile(r"\s+")
# A year as the tokenizer leaves it, a word of its own ("2024", "2024." but not "mid-2024").
_YEAR = re.compile(r"(?<![\w\-/])(?:19|20)\d\d(?![\w\-/])")


def chunk_bounds(text: str, size: int = CHUNK_CHARS) -> list[tuple[int, int]]:
    """(start, end) offsets of consecutive chunks of ``text``, none longer than ``size``.

    A chunk ends after a blank line if one lies in the second half of its window, else after
    a line break (each line is a sentence of its own), else after a sentence's end, else at
    white space; a text with none of these in half a window is cut at ``size``."""
    bounds: list[tuple[int, int]] = []
    start, n = 0, len(text)
    while n - start > size:
        limit = start + size
        low = start + size // 2
        cut = _cut(text, low, limit)
        bounds.append((start, cut))
        start = cut
    bounds.append((start, n))
    return bounds


def _cut(text: str, low: int, limit: int) -> int:
    """Where to end a chunk that must end in ``low`` .. ``limit``: just after a separator there."""
    for sep in ("\n\n", "\n"):
        at = text.rfind(sep, low, limit)
        if at >= 0:
            return _after_space(text, at, limit)
    window = text[low:limit]
    last = _last(_SENTENCE_END, window) or _last(_WHITESPACE, window)
    return low + last.end() if last is not None else limit


def _after_space(text: str, at: int, limit: int) -> int:
    """The end of the white space at ``at``, so that the next chunk opens on a word."""
    end = at
    while end < limit and text[end].isspace():
        end += 1
    return end


def context_year(text: str) -> int | None:
    """The latest (greatest) year the whole text names, for chunks that name none themselves."""
    years = [int(m.group()) for m in _YEAR.finditer(text)]
    return max(years) if years else None


def _last(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    found = deque(pattern.finditer(text), maxlen=1)
    return found[0] if found else None


def merge(parts: Sequence[Extraction]) -> Extraction:
    """One extraction from the extractions of consecutive chunks of a text.

    The same key in two chunks is one entity with the mentions of both. As inside a chunk,
    a person the gazetteers do not know whose name is the end of a longer name seen in
    another chunk ("Al Shara", "Ahmad Al Shara") is that person; names are compared longest
    first."""
    if len(parts) == 1:
        return parts[0]
    remap = _people(parts)
    groups: dict[str, list[Entity]] = {}
    for i, part in enumerate(parts):
        for e in part.entities:
            groups.setdefault(remap.get((i, e.key), e.key), []).append(e)
    entities = tuple(_joined(key, group) for key, group in groups.items())
    events: list[Event] = []
    for i, part in enumerate(parts):
        for ev in part.events:
            keys = {k: remap.get((i, k), k) for k in (*ev.actors, *ev.targets, ev.location) if k}
            if all(k == v for k, v in keys.items()):
                events.append(ev)
                continue
            events.append(replace(
                ev,
                actors=tuple(dict.fromkeys(keys[k] for k in ev.actors)),
                targets=tuple(dict.fromkeys(keys[k] for k in ev.targets)),
                location=keys[ev.location] if ev.location else None,
            ))
    return replace(parts[0], entities=entities, events=tuple(events))


def _people(parts: Sequence[Extraction]) -> dict[tuple[int, str], str]:
    """(chunk, key) -> key of the person in another chunk whose longer name ends in this one's.

    Every name is entered in an index under each of its endings, longest names first, so a
    lookup is one dictionary read (comparing each name with every other was quadratic)."""
    people = [(i, e) for i, part in enumerate(parts) for e in part.entities if e.type == "person"]
    people.sort(key=lambda p: -len(name_key(p[1].canonical)))
    endings: dict[tuple[str, ...], tuple[int, str]] = {}
    remap: dict[tuple[int, str], str] = {}
    for i, e in people:
        words = name_key(e.canonical)
        found = endings.get(words)
        # inside its own chunk the entity component has already decided
        if e.gazetteer is None and found is not None and found[0] != i and found[1] != e.key:
            remap[i, e.key] = found[1]
            continue
        for j in range(len(words)):
            endings.setdefault(words[j:], (i, e.key))
    return remap


def _joined(key: str, group: list[Entity]) -> Entity:
    """The entity ``key`` from its parts in several chunks."""
    base = next((e for e in group if e.key == key), group[0])
    if len(group) == 1 and base.key == key:
        return base
    mentions = tuple(sorted((m for e in group for m in e.mentions), key=lambda m: m.start))
    canonical = base.canonical if base.gazetteer is not None else max((m.text for m in mentions), key=len)
    return replace(
        base,
        key=key,
        canonical=canonical,
        mentions=mentions,
        titles=tuple(dict.fromkeys(t for e in group for t in e.titles)),
        descriptions=tuple(dict.fromkeys(d for e in group for d in e.descriptions)),
    )
