"""Deterministic STIX ids: the same thing extracted twice gets the same id.

Re-ingesting a document, or meeting the same actor in another document, must not mint a
new object: consumers deduplicate on `id`, and a store can upsert on it. So every id is a
UUIDv5 of a readable key under one fixed namespace. The keys are part of Liaison's
contract; changing one changes every id exported under it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

# Fixed for good: every id Liaison has ever exported hangs off this namespace.
LIAISON_NAMESPACE = uuid.UUID("927fc2c8-9b31-4ce9-8ff7-bed3a5e40715")

PRODUCER_KEY = "liaison-producer"


def stix_id(type_: str, key: str, namespace: uuid.UUID = LIAISON_NAMESPACE) -> str:
    """`<type>--<uuid5(namespace, key)>`; the type is not part of the key."""
    return f"{type_}--{uuid.uuid5(namespace, key)}"


def namespace_of(creator_id: str) -> uuid.UUID:
    """The namespace of the ids an organisation's installation makes: uuid5(LIAISON_NAMESPACE, its identity id).

    STIX lets only an object's creator make new versions of it, so two installations (two creators)
    must not make objects with the same id; within one installation the same key still gives the
    same id, so one real-world thing is one object however many documents name it."""
    return uuid.uuid5(LIAISON_NAMESPACE, creator_id)


def report_key(source_key: str) -> str:
    return "report|" + source_key


def event_key(source_key: str, event_type: str, evidence_start: int) -> str:
    return f"event|{source_key}|{event_type}|{evidence_start}"


def event_ids(source_key: str, events: Iterable[tuple[str, int, int, str | None]],
              namespace: uuid.UUID) -> list[str]:
    """The STIX id of each of a document's events, given in extraction order as (type, evidence start,
    trigger start, location key). Two events of one type in one sentence are told apart by trigger,
    then by place ("attacks in Cabo Delgado and Niassa" are two events of one trigger), then by their
    order. The mapping names events with this, and so does every reader that links to them."""
    used: set[str] = set()
    out: list[str] = []
    for event_type, evidence_start, trigger_start, location in events:
        key = event_key(source_key, event_type, evidence_start)
        eid = stix_id("event", key, namespace)
        for suffix in (f"|{trigger_start}", f"|{trigger_start}|{location}"):
            if eid not in used:
                break
            eid = stix_id("event", key + suffix, namespace)
        n = 2
        while eid in used:
            eid = stix_id("event", key + f"|{trigger_start}|{location}|{n}", namespace)
            n += 1
        used.add(eid)
        out.append(eid)
    return out


def relationship_key(source_ref: str, relationship_type: str, target_ref: str) -> str:
    return f"relationship|{source_ref}|{relationship_type}|{target_ref}"


PRODUCER_ID = stix_id("identity", PRODUCER_KEY)


_STIX_ID = re.compile(r"[a-z][a-z0-9-]*--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def is_stix_id(value: str) -> bool:
    """Whether ``value`` is written as a STIX identifier (`type--uuid`)."""
    return _STIX_ID.fullmatch(value) is not None
