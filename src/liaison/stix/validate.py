"""Bundling and checking an export with the OASIS STIX validator.

stix2-validator 3.3.1, the pinned version, ships without the STIX 2.1 JSON Schemas its
checks load (oasis-open/cti-stix-validator issue #248; 3.2.0 and 3.3.2 include them), so
every validation raises "Cannot locate a schema ... (core.json)". When the installed
validator lacks them, the copy vendored next to this module (the 3.3.2 schemas, BSD-3,
OASIS) is used instead, by pointing the validator's built-in schema lookup at it for the
duration of the call. Nothing is turned off: the same schemas and MUST checks run.

By default the validator checks an object of a `new-sdo` extension, such as Liaison's
`event`, only against the common core schema, plus a SHOULD that the extension is declared.
Its `schema_dir` option takes further schemas named after an extension id, each applied to
the whole object; oasis-extension-schemas/ holds the published incident-core Event schema
under that name, so every `event` is also held to the extension's own definition (its
property list is closed: an unknown top-level property is an error).
"""

from __future__ import annotations

import threading
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from stix2validator import ValidationOptions, validate_instance
from stix2validator import validator as _validator

from liaison.stix.extension import LIAISON_EXTENSION_ID
from liaison.stix.ids import LIAISON_NAMESPACE

VENDORED_SCHEMAS = Path(__file__).with_name("oasis-stix21-schemas")
EXTENSION_SCHEMAS = Path(__file__).with_name("oasis-extension-schemas")
_BUNDLED_SCHEMAS = Path(_validator.__file__).parent / "schemas-2.1" / "schemas"
_LOCK = threading.Lock()


@contextmanager
def _schemas_available():
    """Make the validator find STIX 2.1 schemas even when its wheel left them out."""
    if (_BUNDLED_SCHEMAS / "common" / "core.json").is_file():
        yield
        return
    with _LOCK:
        original = _validator._get_error_generator

        def with_vendored(name, obj, schema_dir=None, version="2.1", default="core"):
            if schema_dir is None and version == "2.1":
                schema_dir = str(VENDORED_SCHEMAS)
            return original(name, obj, schema_dir, version, default)

        _validator._get_error_generator = with_vendored
        try:
            yield
        finally:
            _validator._get_error_generator = original


def bundle(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """A STIX 2.1 bundle of the objects; its id depends only on their ids and versions."""
    key = "bundle|" + "|".join(sorted(f"{o['id']}@{o.get('modified', '')}" for o in objects))
    return {"type": "bundle", "id": f"bundle--{uuid.uuid5(LIAISON_NAMESPACE, key)}", "objects": list(objects)}


def validate_objects(objects: list[dict[str, Any]]) -> list[str]:
    """The validator's errors for a bundle of the objects; warnings (SHOULDs) are dropped."""
    options = ValidationOptions(version="2.1", schema_dir=str(EXTENSION_SCHEMAS))
    with _schemas_available():
        result = validate_instance(bundle(objects), options)
    return [str(e) for e in result.errors]


def liaison_extension_errors(objects: list[dict[str, Any]], schema: dict[str, Any]) -> list[str]:
    """Each Liaison extension entry checked against its JSON Schema (liaison-extension-v1.json).

    The OASIS validator cannot do this: its `schema_dir` option applies an extension's schema
    to the whole object, while this schema describes the extension entry itself.
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
