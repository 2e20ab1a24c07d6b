"""The objects that say who made an export and what its non-standard parts mean.

Four definitional objects go into every export so that a bundle explains itself, and every
`created_by_ref` in it names an identity the bundle holds:

* the Liaison `identity` (a `system`), which signs these definitions (what an installation
  extracts is signed by the installation's own organisation, ``organisation_identity``);
* the Liaison `extension-definition` for the provenance and claims that STIX has no
  property for (spans, quantities, attribution, hedging); its JSON Schema is
  schemas/liaison-extension-v1.json in the repository;
* the OASIS incident-core Event `extension-definition`, copied as OASIS published it,
  because each Liaison event is an `event` SDO of that extension;
* the OASIS Open `identity`, also as published, because that definition names it as its creator:
  without it a consumer that resolves `created_by_ref` (misp-stix, OpenCTI) finds nothing.

These are the same object in every export, so their timestamps are fixed here rather than
taken from the export time: STIX treats one id with two `created` values as a conflict.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from typing import Any

import stix2

from liaison.stix.ids import PRODUCER_ID

LIAISON_EXTENSION_ID = "extension-definition--c4460184-12c6-43ec-bcdd-41d4555d3502"
LIAISON_EXTENSION_VERSION = "1.0"
# Where the normative JSON Schema lives: schemas/liaison-extension-v1.json in the repository.
# The same string is the schema's "$id". Replace the host once the repository has a public home.
LIAISON_EXTENSION_SCHEMA = "https://liaison.invalid/schemas/liaison-extension-v1.json"

EVENT_EXTENSION_ID = "extension-definition--4ca6de00-5b0d-45ef-a1dc-ea7279ea910e"
OASIS_IDENTITY_ID = "identity--8ce3f695-d5a4-4dc8-9e93-a65af453a31a"

# When the producer identity and the Liaison extension (v1.0) were defined.
DEFINED = dt.datetime(2025, 11, 25, tzinfo=dt.UTC)
DEFINED_STAMP = "2025-11-25T00:00:00.000Z"

# Published by OASIS in cti-stix-common-objects:
# objects/extension-definition/extension-definition--4ca6de00-5b0d-45ef-a1dc-ea7279ea910e.json
_OASIS_EVENT_EXTENSION: dict[str, Any] = {
    "type": "extension-definition",
    "spec_version": "2.1",
    "id": EVENT_EXTENSION_ID,
    "created_by_ref": OASIS_IDENTITY_ID,
    "created": "2023-05-16T20:47:23.388576Z",
    "modified": "2023-05-16T20:47:23.388576Z",
    "name": "Event Extension",
    "description": (
        "Events store high level events that are not necessarily system level (these should be "
        "captured as separate SCOs) that can become tied to incidents.  Events can cause or alter "
        "impacts, and often exist prior to incidents being declared or officially tracked."
    ),
    "schema": (
        "https://github.com/oasis-open/cti-stix-common-objects/tree/main/"
        "extension-definition-specifications/incident-core/event"
    ),
    "version": "1.0.0",
    "extension_types": ["new-sdo"],
}

# Published by OASIS in cti-stix-common-objects (commit 5e6d562ff5135696dfd0fa88ec0a6e60fb494e9b):
# objects/identity/identity--8ce3f695-d5a4-4dc8-9e93-a65af453a31a.json, the creator of the definition above.
_OASIS_IDENTITY: dict[str, Any] = {
    "type": "identity",
    "spec_version": "2.1",
    "id": OASIS_IDENTITY_ID,
    "created": "2021-03-13T20:09:20.8889Z",
    "modified": "2023-06-20T10:00:00.000Z",
    "name": "OASIS Open",
    "description": (
        "OASIS is a global community of experts who drive the creation and adoption of open standards "
        "promoting interoperability, innovation, and freedom of choice."
    ),
    "roles": ["Standards Developing Organization (SDO)"],
    "identity_class": "organization",
    "sectors": ["non-profit"],
    "contact_information": "info@oasis-open.org",
}


def _plain(obj: Any) -> dict[str, Any]:
    """stix2's canonical serialisation, as plain JSON-ready dicts."""
    return json.loads(obj.serialize())


def producer_identity() -> dict[str, Any]:
    """Liaison itself, as the `system` that signs the definitions every installation shares."""
    return _plain(
        stix2.v21.Identity(
            id=PRODUCER_ID,
            created_by_ref=PRODUCER_ID,
            created=DEFINED,
            modified=DEFINED,
            name="Liaison",
            identity_class="system",
            description="Extracts sourced intelligence from open reporting and exports it as STIX 2.1.",
        )
    )


def organisation_identity(org: dict[str, str]) -> dict[str, Any]:
    """The installation's own organisation (``Store.organisation()``), which creates every object it
    extracts. Each installation has its own, so the TLP rule (AMBER+STRICT and RED go to the
    producer) tells installations apart; the Liaison `system` identity above only signs the
    definitions every installation shares."""
    return {"type": "identity", "spec_version": "2.1", "id": org["identity_id"], "created_by_ref": org["identity_id"],
            "created": org["created"], "modified": org["modified"], "name": org["name"],
            "identity_class": "organization"}


def liaison_extension_definition() -> dict[str, Any]:
    """The `extension-definition` that Liaison's `extensions[LIAISON_EXTENSION_ID]` entries follow."""
    return _plain(
        stix2.v21.ExtensionDefinition(
            id=LIAISON_EXTENSION_ID,
            created_by_ref=PRODUCER_ID,
            created=DEFINED,
            modified=DEFINED,
            name="Liaison provenance and claims",
            description=(
                "Where in the source document each object was read (character spans), and the parts "
                "of a reported claim that STIX has no property for: casualty and troop figures with "
                "their bounds, who the claim is attributed to, whether it was hedged, and which "
                "extractor produced it."
            ),
            schema=LIAISON_EXTENSION_SCHEMA,
            version=LIAISON_EXTENSION_VERSION,
            extension_types=["property-extension"],
        )
    )


def event_extension_definition() -> dict[str, Any]:
    """The OASIS incident-core Event extension-definition, exactly as published."""
    return json.loads(json.dumps(_OASIS_EVENT_EXTENSION))


def oasis_identity() -> dict[str, Any]:
    """OASIS Open's identity, exactly as published: the `created_by_ref` of the Event extension definition."""
    return json.loads(json.dumps(_OASIS_IDENTITY))


@functools.cache
def _definitions() -> tuple[str, ...]:
    return tuple(json.dumps(o) for o in (producer_identity(), liaison_extension_definition(),
                                         oasis_identity(), event_extension_definition()))


def definitions() -> list[dict[str, Any]]:
    """The definitional objects every export carries, producer first (fresh copies: they never change,
    so they are built once per process)."""
    return [json.loads(o) for o in _definitions()]
