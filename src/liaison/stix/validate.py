"""Bundling and checking an export with the OASIS STIX validator.

By default stix2-validator checks an object of a `new-sdo` extension, such as Liaison's
`event`, only against the common core schema, plus a SHOULD that the extension is declared.
Its `schema_dir` option takes further schemas named after an extension id and applies each
to the whole object. oasis-schemas/extensions/ holds the published incident-core Event
schema under that name, so every `event` is also checked against the extension's own
definition: `status` from its vocabulary, timestamps and fidelities well formed. (Its
`unevaluatedProperties: false` does not close the property list in practice: the core
schema's property-name pattern counts every well-formed name as evaluated.)

stix2-validator must be 3.3.2 or later: the 3.3.1 wheel ships without the STIX JSON Schemas
(oasis-open/cti-stix-validator issue #248), so every call would fail.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from stix2validator import ValidationOptions, validate_instance
from stix2validator import validator as _validator

from liaison.stix.extension import LIAISON_EXTENSION_ID
from liaison.stix.ids import LIAISON_NAMESPACE

EXTENSION_SCHEMAS = Path(__file__).with_name("oasis-schemas") / "extensions"
_BUNDLED_CORE = Path(_validator.__file__).parent / "schemas-2.1" / "schemas" / "common" / "core.json"


def bundle(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """A STIX 2.1 bundle of the objects; its id depends only on their ids and versions."""
    key = "bundle|" + "|".join(sorted(f"{o['id']}@{o.get('modified', '')}" for o in objects))
    return {"type": "bundle", "id": f"bundle--{uuid.uuid5(LIAISON_NAMESPACE, key)}", "objects": list(objects)}


def validate_objects(objects: list[dict[str, Any]], *, interop: bool = False) -> list[str]:
    """The validator's errors for a bundle of the objects; warnings (SHOULDs) are dropped.

    ``interop`` adds the validator's interoperability profile (its ``--interop`` option): every
    object's `created_by_ref` names an identity in the bundle, every `location` has a `region`."""
    if not _BUNDLED_CORE.is_file():
        raise RuntimeError(
            "the installed stix2-validator has no STIX 2.1 schemas (the 3.3.1 wheel omits them); "
            "install the pinned stix2-validator==3.3.2"
        )
    options = ValidationOptions(version="2.1", schema_dir=str(EXTENSION_SCHEMAS), interop=interop)
    result = validate_instance(bundle(objects), options)
    return [str(e) for e in result.errors]


def liaison_extension_errors(objects: list[dict[str, Any]], schema: dict[str, Any]) -> list[str]:
    """Each Liaison extension entry checked against its JSON Schema (liaison-extension-v1.json).

    The OASIS validator cannot do this: its `schema_dir` option applies an extension's schema
    to the whole object, while this schema describes only the extension entry.
    """
    check = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = []
    for obj in objects:
        entry = obj.get("extensions", {}).get(LIAISON_EXTENSION_ID)
        if entry is None:
            continue
        for e in check.iter_errors(entry):
            path = "/".join(str(p) for p in e.absolute_path)
            errors.append(f"{obj['id']}: {path or '(entry)'}: {e.message}")
    return errors
