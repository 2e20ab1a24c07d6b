"""What each source says of a story's figures and date, side by side, with disagreements flagged.

Fusion never averages two sources nor lets the later overwrite the earlier: each report's value
for each figure (a quantity kind) and for the date is one ``Claim``, with the report, its source
and its publication date. Where two reports of one story give a field values that cannot both
be true, every claim of that field in the story is flagged ``conflict``, so that `liaison
conflicts` can list them and STIX can export them as notes on the fused event.

Figures are compared by the number a reader would quote, which for a range is its upper bound
(``model.Quantity.value``): "around 2,000 soldiers" and "between 1,500 and 2,000 US troops"
both claim 2000 and agree; "1,500" against "2,000" disagree. Dates disagree when their intervals
do not overlap ("January" and "January 3" agree; "January 3" and "January 4" do not, even where
fusion let a one-day gap through as relative reporting).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from liaison.fuse.events import order_key, story_id
from liaison.fuse.records import Claim, EventReport, StoryLink


def date_value(r: EventReport) -> str | None:
    """A report's date as a claim's value: one ISO day, or "start/end" for an interval."""
    if r.date_start is None:
        return None
    end = max(r.date_end or r.date_start, r.date_start)
    return r.date_start.isoformat() if end == r.date_start else f"{r.date_start.isoformat()}/{end.isoformat()}"


def _interval(value: str) -> tuple[dt.date, dt.date]:
    start, _, end = value.partition("/")
    return dt.date.fromisoformat(start), dt.date.fromisoformat(end or start)


def _dates_disagree(values: list[str]) -> bool:
    spans = sorted(_interval(v) for v in set(values))
    # Some pair fails to overlap iff the latest start lies after the earliest end.
    return max(s for s, _ in spans) > min(e for _, e in spans)


def claims(reports: Iterable[EventReport], stories: Mapping[tuple[str, int], StoryLink]) -> list[Claim]:
    """Every figure and date each report of each story gives, flagged where the story's reports
    disagree. A report ``stories`` does not name is a story of its own. Sorted by story, field,
    then report order (earliest published first)."""
    by_story: dict[str, list[EventReport]] = {}
    for r in {r.ref: r for r in reports}.values():
        link = stories.get(r.ref)
        by_story.setdefault(link.story if link else story_id(r), []).append(r)
    out: list[Claim] = []
    for story in sorted(by_story):
        fields: dict[str, list[tuple[str, EventReport]]] = {}
        for r in sorted(by_story[story], key=order_key):
            seen: set[str] = set()
            for kind, value in r.quantities:
                if kind not in seen:  # a report gives one figure of a kind (extraction keeps the first)
                    seen.add(kind)
                    fields.setdefault(kind, []).append((str(value), r))
            if (day := date_value(r)) is not None:
                fields.setdefault("date", []).append((day, r))
        for name in sorted(fields):
            given = fields[name]
            values = [v for v, _ in given]
            conflict = _dates_disagree(values) if name == "date" else len(set(values)) > 1
            out.extend(Claim(story, name, v, r.ref, r.source, r.published, conflict) for v, r in given)
    return out


def conflicts(found: Iterable[Claim]) -> list[Claim]:
    """Only the claims that disagree with another source's (what `liaison conflicts` lists)."""
    return [c for c in found if c.conflict]
