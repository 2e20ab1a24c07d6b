"""`/documents/{id}`: one document, its text with every extraction highlighted, its metadata,
events and STIX objects; for this installation's analysts, a control to change its TLP marking.

Everything is read through liaison.store.reading.documents with the viewer's Actor, so a document
the viewer may not see is not found, and answers exactly as a missing one: the same 404 page, the
same text, for the document and for each of its objects' URLs.

The highlighted text is built here, on the server, from the spans the store holds (entity
mentions; each event's trigger, evidence, date, figures and source): spans are laid out as a tree
of non-overlapping segments (one inside another nests; one that crosses another's edge is left
out of the text, and stays in the tables), and every character of the document's text is escaped
on the way. Each highlight is a focusable ``<mark>`` whose detail (what was extracted, its
confidence, the STIX object it became) the page's script shows from a JSON block.

Re-marking does what `liaison mark DOCUMENT --tlp ... --recipient ...` does: the store's
``mark_document`` (new versions of every object whose marking changes), then the collections that
follow the store are synced.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup, escape

from liaison.stix.ids import is_stix_id
from liaison.stix.tlp import Marking, parse_level
from liaison.store.reading import documents as reading
from liaison.web.deps import Checked, Services, Signed, own_analyst
from liaison.web.render import error_page, page

router = APIRouter(include_in_schema=False)

DOCUMENT_ID = re.compile(r"[0-9a-f]{32}")
MAX_OFFSET = 1_000_000
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]

#: Entity types -> the highlight class (liaison.css colours these; document.css the rest) and label.
ENTITY_CLASS = {"person": "k-person", "organization": "k-organization", "government_body": "k-government_body",
                "armed_group": "k-armed_group", "country": "k-location", "place": "k-location",
                "facility": "k-location"}
TYPE_LABEL = {"person": "Person", "organization": "Organisation", "government_body": "Government body",
              "armed_group": "Armed group", "country": "Country", "place": "Place", "facility": "Facility"}
LEGEND = [("k-person", "Person"), ("k-organization", "Organisation"), ("k-government_body", "Government body"),
          ("k-armed_group", "Armed group"), ("k-location", "Location (country, place, facility)"),
          ("k-event", "Event trigger"), ("ev-evidence", "Event evidence (the sentence)"), ("k-date", "Date"),
          ("k-figure", "Figure"), ("k-source", "Source")]
# Where two spans cover exactly the same characters, the one ranked first is the outer.
RANK = {"ev-evidence": 0, "k-source": 1, "k-event": 2, "k-date": 4, "k-figure": 5}
ENTITY_RANK = 3


def missing() -> Response:
    """The one answer for a document or object that is not there or not the viewer's to see."""
    return error_page(404, "No such document")


# ---------------------------------------------------------------- the highlighted text


@dataclass
class Highlight:
    """One highlighted stretch of text: its class, the details it shows, and what nests inside it."""

    start: int
    end: int
    css: str
    rank: int
    ids: list[str]
    titles: list[str]
    children: list[Highlight] = field(default_factory=list)

    @property
    def focusable(self) -> bool:
        return self.css != "ev-evidence"


def layout(text_length: int, spans: list[Highlight]) -> tuple[list[Highlight], int]:
    """The spans as a tree of non-overlapping segments, and how many were left out.

    Spans of one class over the same characters become one (their details together); a span
    inside another nests in it; a span that starts inside another and ends past it is left out, so
    the markup is always well formed."""
    merged: dict[tuple[int, int, str], Highlight] = {}
    for s in spans:
        start, end = max(0, s.start), min(text_length, s.end)
        if start >= end:
            continue
        key = (start, end, s.css)
        if key in merged:
            known = merged[key]
            known.ids += [i for i in s.ids if i not in known.ids]
            known.titles += [t for t in s.titles if t not in known.titles]
        else:
            merged[key] = Highlight(start, end, s.css, s.rank, list(s.ids), list(s.titles))
    roots: list[Highlight] = []
    stack: list[Highlight] = []
    dropped = 0
    for h in sorted(merged.values(), key=lambda h: (h.start, -h.end, h.rank)):
        while stack and stack[-1].end <= h.start:
            stack.pop()
        if stack and h.end > stack[-1].end:
            dropped += 1
            continue
        (stack[-1].children if stack else roots).append(h)
        stack.append(h)
    return roots, dropped


def render_text(text: str, roots: list[Highlight]) -> Markup:
    """The text as HTML: every character escaped, each highlight a ``<mark>`` (evidence a ``<span>``)."""
    out: list[str] = []

    def emit(nodes: list[Highlight], start: int, end: int) -> None:
        pos = start
        for h in nodes:
            out.append(escape(text[pos:h.start]))
            title = "; ".join(h.titles)
            if h.focusable:
                out.append(Markup('<mark class="{}" tabindex="0" data-d="{}" title="{}">').format(
                    h.css, " ".join(h.ids), title))
            else:
                out.append(Markup('<span class="{}" data-d="{}">').format(h.css, " ".join(h.ids)))
            emit(h.children, h.start, h.end)
            out.append(Markup("</mark>" if h.focusable else "</span>"))
            pos = h.end
        out.append(escape(text[pos:end]))

    emit(roots, 0, len(text))
    return Markup("".join(out))


def _figure(q: dict[str, Any]) -> str:
    value = str(q.get("value"))
    if q.get("qualifier") == "range" and q.get("low") is not None:
        value = f"{q['low']}–{q.get('high', q.get('value'))}"
    elif q.get("qualifier") in ("approximate", "lower_bound", "upper_bound"):
        value = {"approximate": "about ", "lower_bound": "at least ", "upper_bound": "at most "}[q["qualifier"]] + value
    return f"{q.get('kind')}: {value}"


def _date(d: dict[str, Any] | None) -> str:
    if not d:
        return ""
    start, end = d.get("start"), d.get("end")
    if start and end and end != start:
        return f"{start} – {end}"
    return str(start or d.get("value") or d.get("span", {}).get("text", ""))


def _names(keys: list[str], names: dict[str, str]) -> str:
    return ", ".join(names.get(k, k) for k in keys)


def highlights(doc: dict[str, Any], found: dict[str, list[dict[str, Any]]], links: dict[str, dict[Any, str]],
               ) -> tuple[Markup, dict[str, Any], int]:
    """The document's text with its extractions highlighted, the details each highlight shows
    (by id), and how many spans could not be shown in the text."""
    did = doc["id"]
    names = {e["key"]: e["canonical"] for e in found["entities"]}
    types = {e["key"]: e["type"] for e in found["entities"]}

    def stix(oid: str | None) -> dict[str, str | None]:
        return {"stix": oid, "href": f"/documents/{did}/objects/{oid}" if oid else None}

    details: dict[str, Any] = {}
    spans: list[Highlight] = []
    entity_ids: dict[str, str] = {}
    counts: dict[str, int] = {}
    for m in found["mentions"]:
        counts[m["entity_key"]] = counts.get(m["entity_key"], 0) + 1
    for m in found["mentions"]:
        key = m["entity_key"]
        type_ = types.get(key, "other")
        if key not in entity_ids:
            entity_ids[key] = f"ent-{len(entity_ids)}"
            details[entity_ids[key]] = {
                "kind": TYPE_LABEL.get(type_, type_), "text": names.get(key, m["text"]),
                "lines": [["Key", key], ["Mentions in this text", str(counts[key])]],
                "confidence": None, **stix(links["entities"].get(key))}
        title = f"{TYPE_LABEL.get(type_, type_)}: {names.get(key, m['text'])}"
        spans.append(Highlight(m["start"], m["end"], ENTITY_CLASS.get(type_, "k-other"), ENTITY_RANK,
                               [entity_ids[key]], [title]))
    for ev in found["events"]:
        idx, data = ev["idx"], ev["data"]
        label = f"event {idx + 1}, {data.get('type', ev['type']).replace('_', ' ')}"
        confidence = str(ev["confidence"])
        link = stix(links["events"].get(idx))
        trigger, evidence = data.get("trigger") or {}, data.get("evidence") or {}
        lines = [["Type", f"{data.get('type')} ({data.get('subtype')})"], ["Status", str(data.get("status"))]]
        if data.get("hedged"):
            lines.append(["Hedged", "yes: the text is not sure it happened"])
        if data.get("date"):
            lines.append(["Date", _date(data["date"])])
        if data.get("location"):
            lines.append(["Place", names.get(data["location"], data["location"])])
        if data.get("actors"):
            lines.append(["Actors", _names(data["actors"], names)])
        if data.get("targets"):
            lines.append(["Targets", _names(data["targets"], names)])
        for q in data.get("quantities") or []:
            lines.append(["Figure", _figure(q)])
        if data.get("attribution"):
            lines.append(["Source", data["attribution"].get("source", "")])
        lines.append(["Sentence", str(evidence.get("text", ""))[:400].strip()])
        details[f"ev-{idx}"] = {"kind": f"Event trigger ({label})", "text": trigger.get("text", ""), "lines": lines,
                                "confidence": confidence, **link}
        if trigger:
            spans.append(Highlight(trigger["start"], trigger["end"], "k-event", RANK["k-event"], [f"ev-{idx}"],
                                   [f"Event: {data.get('type')}"]))
        if evidence:
            spans.append(Highlight(evidence["start"], evidence["end"], "ev-evidence", RANK["ev-evidence"],
                                   [f"ev-{idx}"], []))
        date = data.get("date")
        if date and date.get("span"):
            details[f"date-{idx}"] = {"kind": f"Date of {label}", "text": date["span"].get("text", ""),
                                      "lines": [["Read as", _date(date)], ["Precision", str(date.get("fidelity"))]],
                                      "confidence": confidence, **link}
            spans.append(Highlight(date["span"]["start"], date["span"]["end"], "k-date", RANK["k-date"],
                                   [f"date-{idx}"], [f"Date: {_date(date)}"]))
        for j, q in enumerate(data.get("quantities") or []):
            if not q.get("span"):
                continue
            details[f"fig-{idx}-{j}"] = {"kind": f"Figure of {label}", "text": q["span"].get("text", ""),
                                         "lines": [["Figure", _figure(q)], ["Qualifier", str(q.get("qualifier"))]],
                                         "confidence": confidence, **link}
            spans.append(Highlight(q["span"]["start"], q["span"]["end"], "k-figure", RANK["k-figure"],
                                   [f"fig-{idx}-{j}"], [f"Figure: {_figure(q)}"]))
        source = data.get("attribution")
        if source and source.get("span"):
            details[f"src-{idx}"] = {"kind": f"Source of {label}", "text": source["span"].get("text", ""),
                                     "lines": [["Source", str(source.get("source"))], ["Cue", str(source.get("cue"))]],
                                     "confidence": confidence, **link}
            spans.append(Highlight(source["span"]["start"], source["span"]["end"], "k-source", RANK["k-source"],
                                   [f"src-{idx}"], [f"Source: {source.get('source')}"]))
    roots, dropped = layout(len(doc["text"]), spans)
    return render_text(doc["text"], roots), details, dropped


# ---------------------------------------------------------------- the page


def safe_url(url: str | None) -> str | None:
    """The document's URL where it may be a link: http or https with a host; None otherwise."""
    if not url or any(c in url for c in "\r\n\t\x00"):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def event_rows(events: list[dict[str, Any]], names: dict[str, str], links: dict[Any, str],
               did: str) -> list[dict[str, Any]]:
    """The events table's rows: type, date, place, actors, figures, source, confidence, STIX link."""
    rows = []
    for ev in events:
        data = ev["data"]
        oid = links.get(ev["idx"])
        rows.append({"idx": ev["idx"], "type": ev["type"], "subtype": ev["subtype"], "status": ev["status"],
                     "date": _date(data.get("date")) or ev["date_value"] or "",
                     "place": names.get(data.get("location") or "", data.get("location") or ""),
                     "actors": _names(data.get("actors") or [], names),
                     "targets": _names(data.get("targets") or [], names),
                     "figures": [_figure(q) for q in data.get("quantities") or []],
                     "source": (data.get("attribution") or {}).get("source", ""),
                     "confidence": ev["confidence"], "hedged": data.get("hedged"),
                     "stix": oid, "href": f"/documents/{did}/objects/{oid}" if oid else None})
    return rows


def _show(request: Request, svc: Any, who: Any, document_id: str, events_offset: int = 0,  # noqa: ANN401
          objects_offset: int = 0, status: int = 200, marking_error: str = "") -> Response:
    if not DOCUMENT_ID.fullmatch(document_id):
        return missing()
    store, actor = svc.store, who.actor
    doc = reading.document(store, actor, document_id)
    if doc is None:
        return missing()
    found = reading.extractions(store, actor, document_id, doc["version"])
    links = reading.extraction_objects(store, actor, document_id, doc["source_key"], found["events"])
    text, details, dropped = highlights(doc, found, links)
    names = {e["key"]: e["canonical"] for e in found["entities"]}
    events = reading.events(store, actor, document_id, doc["version"], events_offset)
    objects = reading.objects(store, actor, document_id, objects_offset)
    context: dict[str, Any] = {}
    if who.own:
        recipients = reading.partners_of(store, doc["recipients"])
        context = {"partners": reading.partner_choices(store),
                   "recipients": {recipients.get(i, i) for i in doc["recipients"]}}
    return page(request, "document.html", who, status, doc=doc, text=text, details=details, dropped=dropped,
                legend=LEGEND, url=safe_url(doc["url"]), events=events,
                event_rows=event_rows(events.rows, names, links["events"], document_id), objects=objects,
                versions=reading.versions(store, actor, document_id), marking_error=marking_error,
                marked=request.query_params.get("marked"), title=doc["title"] or doc["stem"], **context)


@router.get("/documents/{document_id}")
def show(request: Request, svc: Services, who: Signed, document_id: str, events_offset: Offset = 0,
         objects_offset: Offset = 0) -> Response:
    return _show(request, svc, who, document_id, events_offset, objects_offset)


@router.get("/documents/{document_id}/objects/{object_id}")
def show_object(request: Request, svc: Services, who: Signed, document_id: str, object_id: str) -> Response:
    """One STIX object of the document, pretty-printed (escaped like everything else)."""
    if not DOCUMENT_ID.fullmatch(document_id) or not is_stix_id(object_id):
        return missing()
    obj = reading.stix_object(svc.store, who.actor, document_id, object_id)
    if obj is None:
        return missing()
    doc = reading.document(svc.store, who.actor, document_id)
    if doc is None:
        return missing()
    return page(request, "document_object.html", who, doc=doc, obj=obj, object_id=object_id,
                pretty=json.dumps(obj, indent=2, ensure_ascii=False), title=object_id)


@router.get("/documents/{document_id}/objects/{object_id}/json")
def object_json(svc: Services, who: Signed, document_id: str, object_id: str) -> Response:
    """The same object as a JSON file (what a TAXII client would be given)."""
    if not DOCUMENT_ID.fullmatch(document_id) or not is_stix_id(object_id):
        return missing()
    obj = reading.stix_object(svc.store, who.actor, document_id, object_id)
    if obj is None:
        return missing()
    return Response(json.dumps(obj, indent=2, ensure_ascii=False), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{object_id}.json"',
                             "X-Content-Type-Options": "nosniff"})


def marking_of(svc: Any, tlp: str, recipients: list[str]) -> Marking:  # noqa: ANN401
    """The form's level and recipients as a Marking, checked as `liaison mark` checks its options;
    raises ValueError with the one line to show."""
    try:
        level = parse_level(tlp)
    except ValueError as exc:
        raise ValueError(f"{exc}.") from None
    chosen = [r.strip() for r in recipients if r.strip()]
    try:
        identities = svc.sharing.recipient_identities(chosen)
    except KeyError as exc:
        raise ValueError(f"No such partner: {exc.args[0]}. See the partners listed.") from None
    try:
        return Marking(level, identities)
    except ValueError as exc:
        raise ValueError(f"{exc}: choose TLP:AMBER+STRICT or TLP:RED, or no recipients.") from None


@router.post("/documents/{document_id}/marking")
def remark(request: Request, svc: Services, who: Checked, document_id: str,
           tlp: Annotated[str, Form(max_length=32)] = "",
           recipient: Annotated[list[str], Form(max_length=200)] = []) -> Response:  # noqa: B006 (FastAPI reads it)
    own_analyst(who)
    if not DOCUMENT_ID.fullmatch(document_id) or reading.document(svc.store, who.actor, document_id) is None:
        return missing()
    try:
        marking = marking_of(svc, tlp, recipient[:200])
    except ValueError as exc:
        return _show(request, svc, who, document_id, status=400, marking_error=str(exc))
    changed = svc.store.mark_document(document_id, marking)
    svc.sharing.sync_all()
    return RedirectResponse(f"/documents/{document_id}?marked={changed}", status_code=303)
