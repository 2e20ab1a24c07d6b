"""`/map`: the places of the events the viewer may see, on a map that needs no network.

Leaflet draws the country outlines of world-atlas (Natural Earth, vendored, turned into GeoJSON by
topojson-client) with no tile layer, and a circle per place sized by its events: GeoNames
coordinates for a town, the outline's middle for a country. The places reach the script as JSON
in the page (the ``json`` filter); a table of the same places under the map is the view without
JavaScript and for keyboards and screen readers. Clicking a place (or its row) lists its events:
`/map/places/{key}`, a fragment for htmx or a page of its own. The filter is the events filter.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from liaison.model import EVENT_TYPES
from liaison.store.reading import events as event_reading
from liaison.store.reading import places as reading
from liaison.web.deps import Services, Signed
from liaison.web.events import (
    CONTROL,
    BadFilter,
    display,
    filter_params,
    parse_cursors,
    parse_filter,
    parse_window,
    place_href,
)
from liaison.web.render import error_page, page

router = APIRouter(include_in_schema=False)

ATLAS = "/static/vendor/world-atlas/countries-110m.json"
MAX_KEY = 512


def _with(href: str, query: dict[str, str]) -> str:
    return href + ("?" + urlencode(query) if query else "")


@router.get("/map")
def map_page(request: Request, svc: Services, who: Signed) -> Response:
    params = request.query_params
    f = parse_filter(params)
    query = filter_params(params)
    rows = reading.places(svc.store, who.actor, f)
    for r in rows:
        r["href"] = _with(place_href(r["key"]), query)
    data: dict[str, Any] = {"atlas": ATLAS, "places": [
        {k: r[k] for k in ("key", "name", "type", "events", "latitude", "longitude", "country_numeric", "href")}
        for r in rows if r["mapped"]]}
    return page(request, "map.html", who, places=rows, data=data, types=EVENT_TYPES, params=params, query=query,
                limit=reading.MAX_PLACES, max_events=reading.counted(f))


@router.get("/map/places/{ref:path}")
def place_events(request: Request, svc: Services, who: Signed, ref: str) -> Response:
    if not ref or len(ref) > MAX_KEY or CONTROL.search(ref):
        raise BadFilter("A place is named by its entity key (at most 512 printable characters).")
    params = request.query_params
    f = dataclasses.replace(parse_filter(params), place_key=ref)
    offset, limit = parse_window(params, 20)
    after, before = parse_cursors(params, "date")
    store, actor = svc.store, who.actor
    pg = event_reading.page(store, actor, f, "date", offset, limit, after=after, before=before)
    if not pg.rows and not event_reading.any_at(store, actor, ref):
        return error_page(404, "Not found")
    rows = [display(r) for r in pg.rows]
    name = next((r["location"]["name"] for r in rows if r["location"] and r["location"]["key"] == ref), ref)
    query = filter_params(params)
    fragment = bool(request.headers.get("hx-request"))
    return page(request, "events_place.html" if fragment else "events_place_page.html", who, pg=pg, rows=rows,
                name=name, key=ref, base=place_href(ref), keep=query,
                events_href=_with("/events", {**query, "place_key": ref}))
