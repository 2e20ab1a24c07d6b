"""What a STIX export holds: everything the installation holds, and every object those name.

``liaison export -f stix`` writes what this installation holds: what it extracted (the store's
STIX objects) and what it holds in its TAXII collections, pulled from partners' servers or
posted by partners. Collections are read as the installation's own organisation would read
them over TAXII: TLP:AMBER+STRICT and TLP:RED objects only where the organisation made them or
is named as a recipient (store/sharing.py holds that rule, in SQL). ``collections`` limits the
export to the named collections.

A bundle must stand on its own: a consumer that resolves `created_by_ref`, `object_marking_refs`
or `object_refs` (misp-stix and OpenCTI both do) finds nothing for an id outside it. ``complete``
adds the objects of known ids that the export names but lacks: Liaison's definitions, the OASIS
identity and Event extension definition, this installation's organisation, and the OASIS TLP
marking definitions (TLP 2.0, and STIX 2.1's predefined TLP 1.0 ones).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from liaison.clock import normalise_timestamp
from liaison.errors import LiaisonError
from liaison.stix.extension import definitions, organisation_identity
from liaison.stix.tlp import MARKING_IDS, TLP1_MARKING_IDS, marking_definition, sharing_extension_definition
from liaison.store import Store, access
from liaison.store.sharing import Sharing

#: The reader a local export reads collections as: this installation's organisation (not anonymous).
LOCAL_EXPORT = "(local export)"


def _version(obj: dict[str, Any]) -> str:
    stamp = obj.get("modified") or obj.get("created")
    try:
        return normalise_timestamp(stamp) if isinstance(stamp, str) else ""
    except ValueError:
        return ""


def held_objects(store: Store, collections: list[str] | None = None) -> list[dict[str, Any]]:
    """The newest version of every object the installation holds, or of those in ``collections``.

    One object per id: where the store and collections (or two collections) hold different
    versions, the newest wins; for the same version the store's copy comes first."""
    sharing = Sharing(store)
    if collections is None:
        cols = sharing.collections()
        objects = store.latest_stix()
    else:
        cols = []
        for ref in collections:
            col = sharing.collection(ref)
            if col is None:
                known = ", ".join(c["alias"] for c in sharing.collections()) or "none"
                raise LiaisonError(f"no collection {ref!r}", "--from", f"Name one of: {known}")
            cols.append(col)
        objects = []
    reader = access.organisation(store.organisation()["identity_id"], LOCAL_EXPORT)
    for col in cols:
        rows, _ = sharing.query(reader, col["id"], versions=["last"])
        objects += [json.loads(r.object) for r in rows]
    newest: dict[str, dict[str, Any]] = {}
    for obj in objects:
        held = newest.get(obj["id"])
        if held is None or _version(obj) > _version(held):
            newest[obj["id"]] = obj
    return sorted(newest.values(), key=lambda o: (o["type"], o["id"]))


def references(obj: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every (property path, id) that ``obj`` names in a property ending in ``_ref`` or ``_refs``,
    at any depth (granular markings and extensions included). Values that are not STIX
    identifiers (``<type>--<uuid>``) are left out."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            where = f"{path}.{key}" if path else key
            if key.endswith("_ref") and isinstance(value, str) and "--" in value:
                yield where, value
            elif key.endswith("_refs") and isinstance(value, list):
                yield from ((where, v) for v in value if isinstance(v, str) and "--" in v)
            else:
                yield from references(value, where)
    elif isinstance(obj, list):
        for item in obj:
            yield from references(item, path)


def _known(store: Store) -> dict[str, dict[str, Any]]:
    """The objects an export may add by id: they are the same in every bundle."""
    import stix2  # only here: the TLP 1.0 markings are stix2's own objects

    known = {o["id"]: o for o in definitions()}
    ext = sharing_extension_definition()
    known[ext["id"]] = ext
    for level in MARKING_IDS:
        known[MARKING_IDS[level]] = marking_definition(level)
    tlp1 = {t.id: t for t in (stix2.v21.TLP_WHITE, stix2.v21.TLP_GREEN, stix2.v21.TLP_AMBER, stix2.v21.TLP_RED)}
    for marking_id in TLP1_MARKING_IDS:
        known[marking_id] = json.loads(tlp1[marking_id].serialize())
    org = organisation_identity(store.organisation())
    known[org["id"]] = org
    return known


def complete(store: Store, objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``objects`` with the known objects they name but lack (and those these name), so that the
    bundle resolves its own references; also the definitions of the extensions they use."""
    known = _known(store)
    have = {o["id"] for o in objects}
    out = list(objects)
    todo = list(objects)
    while todo:
        obj = todo.pop()
        named = [ref for _, ref in references(obj)] + list(obj.get("extensions") or {})
        for ref in named:
            if ref not in have and ref in known:
                have.add(ref)
                out.append(known[ref])
                todo.append(known[ref])
    return out


def unresolved(objects: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(object id, property, id) for each reference that names no object of ``objects``."""
    ids = {o["id"] for o in objects}
    return [(o["id"], where, ref) for o in objects for where, ref in references(o) if ref not in ids]


def export_objects(store: Store, collections: list[str] | None = None) -> list[dict[str, Any]]:
    """What ``liaison export -f stix`` writes: ``held_objects`` made self-contained by ``complete``."""
    return complete(store, held_objects(store, collections))
