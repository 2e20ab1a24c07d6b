"""Per-document annotations in the format of the shared evaluation (FORMAT.md).

Each event is written with its evaluation type (Event.type; the finer subtype stays in
the store and the STIX export); entity and place keys become canonical names.
"""

from __future__ import annotations

from typing import Any

from liaison.model import Extraction


def annotation(extraction: Extraction) -> dict[str, Any]:
    """The evaluation JSON of one document's extraction."""
    names = {e.key: e.canonical for e in extraction.entities}
    entities = [
        {
            "canonical": e.canonical,
            "type": e.type,
            "mentions": list(dict.fromkeys(m.text for m in e.mentions)),
        }
        for e in extraction.entities
    ]
    events = []
    for ev in extraction.events:
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
            }
        )
    return {"entities": entities, "events": events}
