"""Write exports to disk: the STIX bundle, and one evaluation file per document."""

from __future__ import annotations

import json
import os
from pathlib import Path

from liaison.export.bundle import export_objects
from liaison.export.eval_json import annotation
from liaison.stix.validate import bundle as stix_bundle
from liaison.store import Store


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def export_stix(store: Store, out: Path, collections: list[str] | None = None) -> int:
    """One bundle of the newest version of every object the installation holds (what it extracted
    and what its collections hold, pulled objects included), or of those in ``collections``; with
    the definitions and marking definitions they name (liaison.export.bundle)."""
    objects = export_objects(store, collections)
    bundle = stix_bundle(objects)
    _write_atomic(out, json.dumps(bundle, indent=1, ensure_ascii=False))
    return len(objects)


def export_eval_json(store: Store, out: Path, fused: bool = True) -> int:
    """FORMAT.md annotation files, named after each document's file stem.

    The file stem names the files because the shared scorer matches them to its gold files by
    document name. This export is for scoring on the same machine and is not STIX: the stems
    (local file names) that STIX exports and TAXII never carry are fine here. Canonical names are
    the resolved entities' and events carry their fused event as `story`, so the scorer measures
    cross-document resolution (docs/fusion.md)."""
    from liaison.store.fusion import Fusion, canonical_names

    out.mkdir(parents=True, exist_ok=True)
    fusion = Fusion(store)
    links = fusion.links() if fused else {}  # fused=False: each document's own names (a baseline)
    names = canonical_names(links, fusion.nodes()) if fused else {}
    stories = fusion.stories() if fused else {}
    n = 0
    for doc in store.documents():
        extraction = store.extraction(doc)
        resolved = {e.key: names[links[(doc.id, e.key)].entity] for e in extraction.entities
                    if (doc.id, e.key) in links and links[(doc.id, e.key)].entity in names}
        told = {idx: stories[(doc.id, idx)].story for idx in range(len(extraction.events)) if (doc.id, idx) in stories}
        _write_atomic(out / f"{doc.stem}.json",
                      json.dumps(annotation(extraction, resolved, told), indent=1, ensure_ascii=False))
        n += 1
    return n
