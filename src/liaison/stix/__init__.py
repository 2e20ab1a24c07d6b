"""Extractions as STIX 2.1: deterministic ids, the mapping, and validation.

`to_stix` turns one Document and its Extraction into plain STIX dicts; `validate_objects`
runs the OASIS validator over them; `bundle` wraps them for export. docs/stix-mapping.md
explains each choice.
"""

from liaison.stix.extension import EVENT_EXTENSION_ID, LIAISON_EXTENSION_ID, LIAISON_EXTENSION_SCHEMA
from liaison.stix.ids import LIAISON_NAMESPACE, PRODUCER_ID, stix_id
from liaison.stix.mapping import HAS_ACTOR, HAS_TARGET, LOCATED_AT, entity_id, to_stix
from liaison.stix.validate import bundle, liaison_extension_errors, validate_objects

__all__ = [
    "EVENT_EXTENSION_ID",
    "HAS_ACTOR",
    "HAS_TARGET",
    "LIAISON_EXTENSION_ID",
    "LIAISON_EXTENSION_SCHEMA",
    "LIAISON_NAMESPACE",
    "LOCATED_AT",
    "PRODUCER_ID",
    "bundle",
    "entity_id",
    "liaison_extension_errors",
    "stix_id",
    "to_stix",
    "validate_objects",
]
