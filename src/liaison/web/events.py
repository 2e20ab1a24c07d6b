"""`/events`, `/timeline` and `/events.csv`: the events the viewer may see, filtered, as a sortable
paginated table, as a timeline grouped by day or week, and as a CSV download of the same rows.

One filter for all three (and the map): a GET form, so a filtered view is a link to share and works
without JavaScript; htmx only swaps the table in place. ``parse_filter`` checks every parameter
and answers a bad one (a date like 2025-13-45, a negative offset, an unknown sort) with a 400 page
saying which and why, never a 500. The rows come from liaison.store.reading.events, which puts the
access rule into the SQL.

Pages go on by keyset: Next and Previous carry ``after`` and ``before``, the last and first rows'
places in the order, so the 400th page reached by clicking costs what the first does. ``offset``
still works up to MAX_OFFSET (a deep offset walks every row before it); past it a 400 page says to
narrow the filter or follow the Next links. The CSV is streamed: its header with its first CSV_FIRST
rows, then CSV_BATCH at a time, at most CSV_MAX of them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from liaison.listings import figure
from liaison.model import EVENT_TYPES
from liaison.store.reading import MAX_PAGE, Page
from liaison.store.reading import events as reading
from liaison.store.reading.events import SORTS, EventFilter
from liaison.web.deps import Forbidden, Services, Signed
from liaison.web.render import page

router = APIRouter(include_in_schema=False)

#: The filter's parameters, as the form names them (offset, limit, sort and group come beside them).
FILTER_FIELDS = ("type", "entity", "place", "entity_key", "place_key", "since", "until", "source", "confidence",
                 "added_since")
#: The most rows one CSV download holds, read in batches of CSV_BATCH after a first of CSV_FIRST.
CSV_MAX = 10_000
CSV_BATCH = 500
CSV_FIRST = 100
#: Events one timeline page shows.
TIMELINE_PAGE = 100
#: The deepest offset a page may start at (as search engines bound theirs: Elasticsearch's
#: max_result_window): an offset walks every row before it, under the access rule for a partner, so
#: a deep one costs what all the pages before it would. Past it, a page is reached by its Next link,
#: whose ``after`` (the last row's place in the order) starts one index walk there.
MAX_OFFSET = 1_000
MAX_TEXT = 200
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
#: Characters no filter value may hold (PostgreSQL refuses a NUL in text).
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class BadFilter(Forbidden):
    """A query parameter that is not what it must be: a 400 page saying which and why."""

    def __init__(self, description: str) -> None:
        super().__init__("Bad filter", description + " Correct it, or clear the filter.", status=400)


def _text(params: Mapping[str, str], name: str) -> str | None:
    value = (params.get(name) or "").strip()
    if not value:
        return None
    if len(value) > MAX_TEXT or CONTROL.search(value):
        raise BadFilter(f"'{name}' must be at most {MAX_TEXT} printable characters.")
    return value


def _date(params: Mapping[str, str], name: str) -> dt.date | None:
    value = (params.get(name) or "").strip()
    if not value:
        return None
    try:
        if not _DAY.fullmatch(value):
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadFilter(f"'{name}' must be a date written YYYY-MM-DD, not {value[:40]!r}.") from None


def _int(params: Mapping[str, str], name: str, default: int | None, low: int, high: int) -> int | None:
    value = (params.get(name) or "").strip()
    if not value:
        return default
    if not re.fullmatch(r"[+-]?\d{1,12}", value) or not low <= int(value) <= high:
        raise BadFilter(f"'{name}' must be a whole number from {low} to {high}, not {value[:40]!r}.")
    return int(value)


def parse_filter(params: Mapping[str, str]) -> EventFilter:
    """The filter a request asks for, every value checked; raises BadFilter."""
    type_ = _text(params, "type")
    if type_ is not None and type_ not in EVENT_TYPES:
        raise BadFilter(f"'type' must be one of {', '.join(EVENT_TYPES)}.")
    since, until = _date(params, "since"), _date(params, "until")
    if since and until and since > until:
        raise BadFilter("'since' must not be after 'until'.")
    added = _text(params, "added_since")
    added_since = None
    if added is not None:
        try:
            added_since = dt.datetime.fromisoformat(added)
        except ValueError:
            raise BadFilter(f"'added_since' must be a date and time (ISO 8601), not {added[:40]!r}.") from None
        if added_since.tzinfo is None:  # the store keeps UTC (SQLite drops the zone, so both read alike)
            added_since = added_since.replace(tzinfo=dt.UTC)
    return EventFilter(type=type_, entity=_text(params, "entity"), place=_text(params, "place"),
                       entity_key=_text(params, "entity_key"), place_key=_text(params, "place_key"),
                       since=since, until=until, source=_text(params, "source"),
                       min_confidence=_int(params, "confidence", None, 0, 100), added_since=added_since)


def parse_sort(params: Mapping[str, str], default: str = "date") -> str:
    sort = (params.get("sort") or "").strip() or default
    if sort.removeprefix("-") not in SORTS:
        raise BadFilter(f"'sort' must be one of {', '.join(SORTS)} (a leading '-' reverses it).")
    return sort


def parse_window(params: Mapping[str, str], limit: int = 50) -> tuple[int, int]:
    value = (params.get("offset") or "").strip()
    if re.fullmatch(r"\+?\d{1,12}", value) and int(value) > MAX_OFFSET:
        raise BadFilter(f"'offset' goes up to {MAX_OFFSET:,}: to go further, narrow the filter (a type, a date range, "
                        "a name) or follow the Next links, which carry their place in the list.")
    offset = _int(params, "offset", 0, 0, MAX_OFFSET)
    return offset or 0, _int(params, "limit", limit, 1, MAX_PAGE) or limit


def parse_cursors(params: Mapping[str, str], sort: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The ``after`` or ``before`` a Next or Previous link carries (a row's place in the order
    ``sort``, reading.events.cursor_of), checked; raises BadFilter."""
    found = {}
    for name in ("after", "before"):
        value = (params.get(name) or "").strip()
        if not value:
            continue
        if len(value) > MAX_TEXT or CONTROL.search(value):
            raise BadFilter(f"'{name}' must be at most {MAX_TEXT} printable characters.")
        try:
            found[name] = reading.parse_cursor(value, sort)
        except ValueError as err:
            raise BadFilter(f"'{name}' is not a place in this list ({err}): follow the page's own links.") from None
    if len(found) > 1 or (found and (params.get("offset") or "").strip()):
        raise BadFilter("Give one of 'offset', 'after' and 'before', not several.")
    return found.get("after"), found.get("before")


def filter_params(params: Mapping[str, str], extra: tuple[str, ...] = ()) -> dict[str, str]:
    """The request's filter parameters that are set (to keep in links: pager, sort, CSV, timeline)."""
    return {k: params[k] for k in (*FILTER_FIELDS, *extra) if (params.get(k) or "").strip()}


def entity_href(ref: str) -> str:
    """Where an entity's page is (liaison.web.entities: /entities/REF, REF fusion's id of it)."""
    return "/entities/" + quote(ref, safe="")


def place_href(key: str) -> str:
    return "/map/places/" + quote(key, safe="")


def display(row: dict[str, Any]) -> dict[str, Any]:
    """One event row as the pages and the CSV show it: names with the keys they link to, figures as
    a reader writes them."""
    ev, names, refs = row["event"], row["names"], row["refs"]

    def named(key: str) -> dict[str, str]:
        return {"key": key, "name": names.get(key, key), "href": entity_href(refs.get(key, key))}

    return {
        "document_id": row["document_id"], "document": row["title"] or row["stem"], "outlet": row["outlet"],
        "published": row["published"], "tlp": row["tlp"], "idx": row["idx"],
        "href": f"/documents/{quote(row['document_id'], safe='')}",
        "type": row["type"], "subtype": row["subtype"], "status": row["status"],
        "foiled": row["status"] == "not-occurred" and row["type"] != "foiled_attack", "hedged": ev.hedged,
        "date": row["date_value"], "date_start": row["date_start"], "date_end": row["date_end"],
        "actors": [named(k) for k in ev.actors], "targets": [named(k) for k in ev.targets],
        "location": named(ev.location) if ev.location else None,
        "figures": [figure(q) for q in ev.quantities],
        "source": ev.attribution.source if ev.attribution else None,
        "confidence": row["confidence"], "trigger": ev.trigger.text,
    }


def _rows(pg: Page) -> list[dict[str, Any]]:
    return [display(r) for r in pg.rows]


def _context(request: Request) -> dict[str, Any]:
    params = request.query_params
    return {"types": EVENT_TYPES, "params": params, "query": filter_params(params), "csv_max": CSV_MAX}


@router.get("/events")
def events(request: Request, svc: Services, who: Signed) -> Response:
    params = request.query_params
    f, sort = parse_filter(params), parse_sort(params)
    offset, limit = parse_window(params)
    after, before = parse_cursors(params, sort)
    pg = reading.page(svc.store, who.actor, f, sort, offset, limit, after=after, before=before)
    context = _context(request)
    keep = {**context["query"], **({"sort": sort} if sort != "date" else {}),
            **({"limit": str(limit)} if limit != 50 else {})}
    fragment = request.headers.get("hx-request") and request.headers.get("hx-target") == "events-table"
    return page(request, "events_table.html" if fragment else "events.html", who, pg=pg, rows=_rows(pg), sort=sort,
                keep=keep, **context)


@router.get("/timeline")
def timeline(request: Request, svc: Services, who: Signed) -> Response:
    params = request.query_params
    f = parse_filter(params)
    parse_sort(params)  # checked (a link from the table carries it), but a timeline is in date order
    group = (params.get("group") or "week").strip()
    if group not in ("day", "week"):
        raise BadFilter("'group' must be day or week.")
    offset, limit = parse_window(params, TIMELINE_PAGE)
    after, before = parse_cursors(params, "date")
    pg = reading.page(svc.store, who.actor, f, "date", offset, limit, dated_only=True, after=after, before=before)
    context = _context(request)
    keep = {**context["query"], **({"group": group} if group != "week" else {}),
            **({"limit": str(limit)} if limit != TIMELINE_PAGE else {})}
    return page(request, "timeline.html", who, pg=pg, groups=group_by(_rows(pg), group), group=group, keep=keep,
                **context)


def group_by(rows: list[dict[str, Any]], group: str) -> list[dict[str, Any]]:
    """Rows (in date order) in groups of one day or one week (from Monday), each with its first day,
    label and share of the busiest group (the bar the timeline draws)."""
    groups: list[dict[str, Any]] = []
    for r in rows:
        start: dt.date = r["date_start"]
        first = start if group == "day" else start - dt.timedelta(days=start.weekday())
        if not groups or groups[-1]["start"] != first:
            label = first.isoformat() if group == "day" else f"Week of {first.isoformat()}"
            groups.append({"start": first, "label": label, "rows": []})
        groups[-1]["rows"].append(r)
    busiest = max((len(g["rows"]) for g in groups), default=1)
    for g in groups:
        g["share"] = len(g["rows"]) / busiest
    return groups


# ---------------------------------------------------------------- CSV

CSV_COLUMNS = ("date", "date_start", "date_end", "type", "subtype", "status", "actors", "targets", "location",
               "figures", "source", "confidence", "trigger", "document", "document_id", "outlet", "published", "link")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def neutral(value: Any) -> str:  # noqa: ANN401
    """A cell a spreadsheet shows as text: one that would start a formula (= + - @, or a tab or
    carriage return before one) gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def csv_line(row: dict[str, Any]) -> list[str]:
    """One CSV line from a row of liaison.store.reading.events.stream (its ``event`` a Sketch), as
    ``display`` would show it less the links of its names, which a download does not carry: ten
    thousand of them are a download's cost."""
    ev, names = row["event"], row["names"]
    named = lambda keys: "; ".join(names.get(k, k) for k in keys)  # noqa: E731
    cells = (row["date_value"], row["date_start"], row["date_end"], row["type"], row["subtype"], row["status"],
             named(ev.actors), named(ev.targets), names.get(ev.location, ev.location) if ev.location else "",
             "; ".join(figure(q) for q in ev.quantities), ev.source, row["confidence"], ev.trigger,
             row["title"] or row["stem"], row["document_id"], row["outlet"], row["published"],
             f"/documents/{quote(row['document_id'], safe='')}")
    return [neutral(c) for c in cells]


@router.get("/events.csv")
def events_csv(request: Request, svc: Services, who: Signed) -> Response:
    params = request.query_params
    f, sort = parse_filter(params), parse_sort(params)
    parse_window(params)  # checked like the table's (a link from any page works), but the CSV is every row
    parse_cursors(params, sort)
    store, actor = svc.store, who.actor

    def lines() -> Iterator[str]:
        """The header goes out with the first rows, so the download's first byte is its first data
        (an empty result is the header alone)."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for rows in reading.stream(store, actor, f, sort, CSV_MAX, CSV_BATCH, CSV_FIRST):
            writer.writerows(csv_line(r) for r in rows)
            yield out.getvalue()
            out.seek(0)
            out.truncate()
        if out.tell():
            yield out.getvalue()

    return StreamingResponse(lines(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="events.csv"'})
