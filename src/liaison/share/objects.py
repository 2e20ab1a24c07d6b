"""Objects arriving over TAXII: checked, attributed, and given what the store indexes them by.

Each object of a POST is checked on its own, so one bad object does not stop the rest:
the stix2 library parses it (which checks every property of the types it knows, and the
common properties of custom ones), the poster may not claim another organisation as its
`created_by_ref`, and its TLP level and recipients are read for the access rule.
"""

from __future__ import annotations

from typing import Any

import stix2
from stix2.exceptions import STIXError

import liaison.stix.event  # noqa: F401  (registers the incident-core event type with stix2)
from liaison.stix.tlp import RANK, object_level, recipients_of
from liaison.store.rows import dump_object
from liaison.store.sharing import Reader, normalise_timestamp, now, stamp


class Rejected(ValueError):
    """Why one object of a POST was not stored."""


def _version(obj: dict[str, Any]) -> str:
    for key in ("modified", "created"):
        if isinstance(obj.get(key), str):
            return normalise_timestamp(obj[key])
    return stamp(now())  # SCOs have no timestamps: the version is when it was added


def prepare(obj: Any, poster: Reader, default_tlp: str) -> dict[str, Any]:
    """The row data for one posted object, or Rejected with a one-line reason."""
    if not isinstance(obj, dict):
        raise Rejected("not a JSON object")
    for key in ("type", "id"):
        if not isinstance(obj.get(key), str):
            raise Rejected(f"no {key!r} string")
    producer = obj.get("created_by_ref")
    if producer is not None and producer != poster.identity_id:
        raise Rejected(f"created_by_ref {producer} is not the posting organisation ({poster.identity_id})")
    spec = obj.get("spec_version", "2.0" if obj["type"] != "marking-definition" else "2.1")
    if spec != "2.1":
        raise Rejected(f"spec_version {spec!r} is not served here (STIX 2.1 only)")
    try:
        stix2.parse(obj, allow_custom=True, version="2.1")
    except (STIXError, ValueError, TypeError, KeyError) as err:
        raise Rejected(str(err).splitlines()[0][:300] or type(err).__name__) from None
    try:
        version = _version(obj)
    except ValueError:
        raise Rejected("modified/created is not a timestamp") from None
    return {
        "id": obj["id"],
        "version": version,
        "spec_version": spec,
        "type": obj["type"],
        "tlp": object_level(obj, RANK[default_tlp]),
        "producer": producer or poster.identity_id,
        "recipients": recipients_of(obj),
        "object": dump_object(obj),
        "timeless": not any(isinstance(obj.get(k), str) for k in ("modified", "created")),
    }
