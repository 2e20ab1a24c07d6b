"""Extractions as STIX 2.1: deterministic ids, the mapping, and validation.

`to_stix` turns one Document and its Extraction into plain STIX dicts; `validate_objects`
runs the OASIS validator over them; `bundle` wraps them for export. docs/stix-mapping.md
explains each choice.
"""

import importlib
from typing import Any

# Names load their module on first use (PEP 562): the validator pulls in jsonschema, whose
# format checkers take over a second to import, and most commands (partners, collections,
# serve) need only the ids.
_WHERE = {
    "EVENT_EXTENSION_ID": "extension", "LIAISON_EXTENSION_ID": "extension", "LIAISON_EXTENSION_SCHEMA": "extension",
    "LIAISON_NAMESPACE": "ids", "PRODUCER_ID": "ids", "stix_id": "ids",
    "HAS_ACTOR": "mapping", "HAS_TARGET": "mapping", "LOCATED_AT": "mapping", "entity_id": "mapping", "to_stix": "mapping",
    "bundle": "validate", "liaison_extension_errors": "validate", "validate_objects": "validate",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"liaison.stix.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'liaison.stix' has no attribute {name!r}")


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
