"""TLP 2.0 levels as STIX marking definitions, and which level an object carries.

The five TLP 2.0 marking definitions are the ones OASIS publishes (cti-stix-common-objects,
extension-definition-specifications/tlp-2.0): fixed ids, `created` 2022-10-01, and the
property extension `extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d` with
`tlp_2_0`. STIX 2.1's predefined TLP 1.0 markings (WHITE, GREEN, AMBER, RED) are read as
their TLP 2.0 counterparts (WHITE is CLEAR), so objects from older producers are not
treated as unmarked.

Levels are ranked from least to most restricted; an object with several TLP markings gets
the most restricted one.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from liaison.stix.extension import DEFINED_STAMP
from liaison.stix.ids import PRODUCER_ID

TLP2_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

CLEAR, GREEN, AMBER, AMBER_STRICT, RED = range(5)
LEVELS = ("clear", "green", "amber", "amber+strict", "red")
RANK = {name: i for i, name in enumerate(LEVELS)}

MARKING_IDS = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
# STIX 2.1's predefined TLP 1.0 markings (section 7.2.1.4), read as their TLP 2.0 counterparts.
TLP1_MARKING_IDS = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "clear",  # TLP:WHITE
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "green",
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "amber",
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "red",
}
LEVEL_OF_MARKING = {**{v: k for k, v in MARKING_IDS.items()}, **TLP1_MARKING_IDS}


def parse_level(value: str) -> str:
    """A TLP level as a user writes it ("AMBER+STRICT", "tlp:green", "white") -> its name in LEVELS."""
    name = value.strip().lower().removeprefix("tlp:").replace("_", "+").replace("-", "+")
    name = {"white": "clear", "amberstrict": "amber+strict"}.get(name, name)
    if name not in RANK:
        raise ValueError(f"unknown TLP level {value!r}; expected one of {', '.join(LEVELS)}")
    return name


def marking_definition(level: str) -> dict[str, Any]:
    """The OASIS TLP 2.0 marking-definition object for ``level``."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": MARKING_IDS[level],
        "created": "2022-10-01T00:00:00.000Z",
        "name": f"TLP:{level.upper()}",
        "extensions": {TLP2_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": level}},
    }


def object_level(obj: dict[str, Any], default: int) -> int:
    """The rank of the most restricted TLP marking on ``obj`` (object and granular markings), or ``default``."""
    refs = list(obj.get("object_marking_refs") or [])
    refs += [g.get("marking_ref") for g in obj.get("granular_markings") or [] if isinstance(g, dict)]
    ranks = [RANK[LEVEL_OF_MARKING[r]] for r in refs if r in LEVEL_OF_MARKING]
    return max(ranks) if ranks else default


# Who an AMBER+STRICT or RED object may go to: STIX has no property for it, so Liaison defines a
# small property extension (schema: schemas/liaison-sharing-v1.json in the repository).
SHARING_EXTENSION_ID = "extension-definition--b0f3e9c0-e3b8-4757-acb0-0f528600a5e9"
SHARING_EXTENSION_SCHEMA = "https://liaison.invalid/schemas/liaison-sharing-v1.json"


def recipients_of(obj: dict[str, Any]) -> list[str]:
    """The identity ids an object names as its recipients (Liaison sharing extension), if any."""
    ext = (obj.get("extensions") or {}).get(SHARING_EXTENSION_ID)
    if not isinstance(ext, dict):
        return []
    found = ext.get("recipients")
    if not isinstance(found, list):
        return []
    return [r for r in found if isinstance(r, str) and r.startswith("identity--")]


def sharing_extension_definition() -> dict[str, Any]:
    """The `extension-definition` of Liaison's sharing extension."""
    return {
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": SHARING_EXTENSION_ID,
        "created_by_ref": PRODUCER_ID,
        "created": DEFINED_STAMP,
        "modified": DEFINED_STAMP,
        "name": "Liaison sharing recipients",
        "description": "The organisations (identity ids) an object marked TLP:AMBER+STRICT or TLP:RED may be "
        "shared with, besides the organisation that produced it.",
        "schema": SHARING_EXTENSION_SCHEMA,
        "version": "1.0",
        "extension_types": ["property-extension"],
    }


# ---------------------------------------------------------------- markings Liaison puts on objects

#: Objects that pass on exactly as published: a marking would make them another object.
UNMARKED_TYPES = frozenset({"marking-definition", "extension-definition"})


@dataclass(frozen=True)
class Marking:
    """A TLP level and, for AMBER+STRICT and RED, the organisations (identity ids) it may also go to."""

    level: str
    recipients: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.level not in RANK:
            raise ValueError(f"unknown TLP level {self.level!r}")
        if self.recipients and RANK[self.level] < AMBER_STRICT:
            raise ValueError(f"recipients apply only to TLP:AMBER+STRICT and TLP:RED, not TLP:{self.level.upper()}")

    @property
    def label(self) -> str:
        return f"TLP:{self.level.upper()}" + (f" for {', '.join(self.recipients)}" if self.recipients else "")


def marking_of(obj: dict[str, Any]) -> Marking | None:
    """The TLP marking an object carries (the most restricted one), with its recipients; None when unmarked."""
    rank = object_level(obj, -1)
    if rank < 0:
        return None
    recipients = tuple(sorted(set(recipients_of(obj)))) if rank >= AMBER_STRICT else ()
    return Marking(LEVELS[rank], recipients)


def with_marking(obj: dict[str, Any], marking: Marking | None) -> dict[str, Any]:
    """``obj`` carrying exactly ``marking``: its TLP refs replaced, other markings kept, recipients set.

    ``None`` removes the TLP marking (an unmarked document). Definitions are returned unchanged."""
    if obj.get("type") in UNMARKED_TYPES:
        return obj
    out = dict(obj)
    refs = [r for r in obj.get("object_marking_refs") or [] if r not in LEVEL_OF_MARKING]
    if marking is not None:
        refs.append(MARKING_IDS[marking.level])
    if refs:
        out["object_marking_refs"] = refs
    else:
        out.pop("object_marking_refs", None)
    extensions = dict(obj.get("extensions") or {})
    extensions.pop(SHARING_EXTENSION_ID, None)
    if marking is not None and marking.recipients:
        extensions[SHARING_EXTENSION_ID] = {"extension_type": "property-extension",
                                            "recipients": list(marking.recipients)}
    if extensions:
        out["extensions"] = extensions
    else:
        out.pop("extensions", None)
    return out


def explicit(obj: dict[str, Any], rank: int) -> dict[str, Any] | None:
    """``obj`` with the TLP level that decides who reads it (``rank``, from a collection's default) made
    explicit, or None when it already carries a TLP marking or is a definition.

    A recipient can then tell TLP:GREEN from TLP:CLEAR without knowing the collection it came from."""
    if obj.get("type") in UNMARKED_TYPES or object_level(obj, -1) >= 0:
        return None
    return dict(obj, object_marking_refs=[*(obj.get("object_marking_refs") or []), MARKING_IDS[LEVELS[rank]]])


def strictest(markings: list[Marking | None]) -> Marking | None:
    """The marking of something drawn from several sources: never more widely readable than any of them.

    The highest level wins; at AMBER+STRICT and above only the organisations every restricted source
    names may read it (an empty set: the producer alone). Unmarked sources add no restriction."""
    marked = [m for m in markings if m is not None]
    if not marked:
        return None
    rank = max(RANK[m.level] for m in marked)
    if rank < AMBER_STRICT:
        return Marking(LEVELS[rank])
    restricted = [set(m.recipients) for m in marked if RANK[m.level] >= AMBER_STRICT]
    return Marking(LEVELS[rank], tuple(sorted(set.intersection(*restricted))))


def shared_definitions() -> list[dict[str, Any]]:
    """The definitions every Liaison shares as published: its identity, its extension definitions,
    OASIS Open's identity and Event extension definition, and the sharing extension's definition."""
    from liaison.stix.extension import definitions

    return [*definitions(), sharing_extension_definition()]


@functools.cache
def shared_definition_ids() -> frozenset[str]:
    """Their ids: never marked, readable by every reader, passed on exactly as published."""
    return frozenset(d["id"] for d in shared_definitions())
