"""`/`: the dashboard. What the viewer may see, counted; the latest documents; events per week by
type as a chart (counted with the counts: kept between views, and on a large store made
again off the request path after a change); and what is new since their last visit (documents, events, entities), with links.

The chart is SVG drawn on the server (stacked bars, a legend, a title on every bar) with the same
figures as a table beside it for screen readers and for anyone who would rather read numbers; it
needs no script. Every figure comes from liaison.store.reading.dashboard, under the access rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from liaison.model import EVENT_TYPES
from liaison.store.reading import dashboard
from liaison.web.deps import Services, Signed
from liaison.web.render import page

router = APIRouter(include_in_schema=False)

#: One colour per event type (Okabe-Ito, then two more that stay apart from them), in EVENT_TYPES order.
COLOURS = dict(zip(EVENT_TYPES, ("#0072B2", "#E69F00", "#D55E00", "#CC79A7", "#56B4E9", "#009E73", "#F0E442",
                                 "#000000", "#999999", "#8C564B"), strict=True))
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 240, 40, 36, 10


def week_chart(weekly: dict[str, Any]) -> dict[str, Any] | None:
    """The chart's geometry and its table: ``bars`` (one stacked rect per week and type), ``ticks``,
    ``labels`` (week starts), ``legend`` (the types present), ``table`` (rows per week). None when
    there is nothing to draw."""
    weeks: list[dt.date] = weekly["weeks"]
    counts: dict[tuple[dt.date, str], int] = weekly["counts"]
    if not weeks or not counts:
        return None
    present = [t for t in EVENT_TYPES if any(k[1] == t for k in counts)]
    present += sorted({k[1] for k in counts} - set(present))
    totals = [sum(counts.get((w, t), 0) for t in present) for w in weeks]
    top = max(totals) or 1
    plot_w, plot_h = WIDTH - LEFT - 10, HEIGHT - TOP - BOTTOM
    step = plot_w / len(weeks)
    bar_w = step * 0.7
    bars, table = [], []
    for i, w in enumerate(weeks):
        x = LEFT + i * step + (step - bar_w) / 2
        y = TOP + plot_h
        row = {"week": w, "counts": [counts.get((w, t), 0) for t in present], "total": totals[i]}
        table.append(row)
        for t, n in zip(present, row["counts"], strict=True):
            if not n:
                continue
            h = plot_h * n / top
            y -= h
            bars.append({"x": round(x, 1), "y": round(y, 1), "w": round(bar_w, 1), "h": round(h, 1),
                         "colour": COLOURS.get(t, "#666666"), "type": t, "n": n, "week": w,
                         "href": "/events?" + urlencode({"type": t, "since": w.isoformat(),
                                                         "until": (w + dt.timedelta(days=6)).isoformat()})})
    ticks = sorted({0, top // 2, top}) if top > 1 else [0, 1]
    every = max(1, len(weeks) // 6)
    return {
        "width": WIDTH, "height": HEIGHT, "left": LEFT, "top": TOP, "bottom": TOP + plot_h, "right": WIDTH - 10,
        "bars": bars,
        "ticks": [{"y": round(TOP + plot_h - plot_h * v / top, 1), "value": v} for v in ticks],
        "labels": [{"x": round(LEFT + i * step + step / 2, 1), "text": w.strftime("%d %b")}
                   for i, w in enumerate(weeks) if i % every == 0],
        "legend": [{"type": t, "colour": COLOURS.get(t, "#666666")} for t in present],
        "types": present, "table": table, "first": weeks[0], "last": weeks[-1] + dt.timedelta(days=6),
    }


@router.get("/dashboard/figures")
def figures(request: Request, svc: Services, who: Signed) -> Response:
    """The counts and the chart, for the dashboard to fetch again while a count on a large store runs."""
    figures_ = dashboard.figures(svc.store, who.actor)
    return page(request, "dashboard_figures.html", who, figures=figures_, oob=True, chart=_chart(figures_))


def _chart(figures_: dashboard.Figures) -> dict[str, Any] | None:
    return week_chart(figures_.weekly) if figures_.weekly is not None else None


@router.get("/")
def home(request: Request, svc: Services, who: Signed) -> Response:
    store, actor = svc.store, who.actor
    since = who.user.last_visit_at
    new = dashboard.new_since(store, actor, since)
    figures_ = dashboard.figures(store, actor)
    since_link = since.isoformat() if since else None
    return page(request, "dashboard.html", who, figures=figures_, chart=_chart(figures_),
                latest=dashboard.latest_documents(store, actor), since=since, new=new,
                changed=dashboard.changed_since(store, actor, since),
                new_events_href="/events?" + urlencode({"added_since": since_link}) if since_link else None)
