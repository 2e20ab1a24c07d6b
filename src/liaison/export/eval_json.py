"""Per-document annotations in the format of the shared evaluation (FORMAT.md).

Each event is written with its evaluation type (Event.type; the finer subtype stays in
the store and the STIX export); entity and place keys become canonical names. Where fusion has
run, an entity's canonical name is its resolved entity's, the same in every document, and each
event carries its fused event's id as its `story` (docs/fusion.md).
"""

from __future__ import annotations

from typing import Any

from liaison.model import Extraction


def annotation(extraction: Extraction, resolved: dict[str, str] | None = None,
               stories: dict[int, str] | None = None) -> dict[str, Any]:
    """The evaluation JSON of one document's extraction; ``resolved`` names an entity key's resolved
    entity, ``stories`` an event index's fused event."""
    resolved = resolved or {}
    stories = stories or {}
    names = {e.key: resolved.get(e.key, e.canonical) for e in extraction.entities}
    # Entities of the document that fusion resolved as one thing ("al-Shabab" and "al-Shabaab" in
    # one story) are one entity here, with the mentions of both.
    grouped: dict[str, dict[str, Any]] = {}
    for e in extraction.entities:
        group = f"resolved:{names[e.key]}" if e.key in resolved else f"key:{e.key}"
        row = grouped.setdefault(group, {"canonical": names[e.key], "type": e.type, "mentions": []})
        row["mentions"] = list(dict.fromkeys([*row["mentions"], *(m.text for m in e.mentions)]))
    entities = list(grouped.values())
    events = []
    for idx, ev in enumerate(extraction.events):
        quantities = {}
        for q in ev.quantities:
            quantities.setdefault(q.kind, q.value)
        events.append(
            {
                "type": ev.type,
                "actors": [names[a] for a in ev.actors if a in names],
                "targets": [names[t] for t in ev.targets if t in names],
                "location": names.get(ev.location) if ev.location else None,
                "date": ev.date.value if ev.date else None,
                "quantities": quantities,
                "source_attribution": ev.attribution.source if ev.attribution else None,
                "evidence": ev.evidence.text,
                "confidence": ev.confidence,
                "status": ev.status,
                **({"story": stories[idx]} if idx in stories else {}),
            }
        )
    return {"entities": entities, "events": events}
