"""The extraction method: one digest of everything that decides what a text yields.

A stored document version records the method it was extracted by; a document whose method
differs from the running one is stale and is extracted again (a new version) by the next
ingest of its file or by ``liaison reextract``. The digest covers the rule data files, the
source of every module the extraction and the STIX mapping run (``SOURCE_FOLDERS`` and
``SOURCE_MODULES``), the spaCy model's name and version, spaCy's own version and Liaison's, so
that a changed rule file can never leave stored documents silently as they were. It is
computed once per process, from files only (the model is not loaded), so ingest can tell stale
from current before loading spaCy; the parent hands its value to the extraction workers.
``docs/extraction.md`` describes it.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from pathlib import Path

import liaison

PREFIX = "liaison-rules"
PACKAGE = Path(liaison.__file__).parent

# What the extraction and the STIX mapping run, relative to the package: whole folders (every
# .py file in them, so a new module is covered without a change here) and single modules they
# import from elsewhere. tests/test_reextract.py checks that every Liaison module that
# extract/pipeline.py and stix/mapping.py import is covered.
SOURCE_FOLDERS = ("extract", "stix")
SOURCE_MODULES = ("model.py", "clock.py", "errors.py", "ingest/__init__.py", "ingest/dateline.py")
DATA = PACKAGE / "extract" / "data"


def source_files(package: Path = PACKAGE) -> list[Path]:
    """The Python files of ``SOURCE_FOLDERS`` and ``SOURCE_MODULES``, sorted by their path in the package."""
    files = {p for folder in SOURCE_FOLDERS for p in (package / folder).glob("*.py")}
    files.update(package / name for name in SOURCE_MODULES)
    return sorted(files, key=lambda p: p.relative_to(package).as_posix())


def model_identity(model: str) -> str:
    """The spaCy model's name and version from its meta.json, read without loading the model.

    ``model`` is an installed package's name or a folder; one that cannot be found is named as
    given, and loading it fails later with its own error. Neither spaCy nor the model is imported
    (an ingest of unchanged files needs the method, not the pipeline)."""
    import importlib.util
    import json

    try:
        spec = importlib.util.find_spec(model) if "/" not in model and "\\" not in model else None
        locations = list(spec.submodule_search_locations or []) if spec is not None else []
        path = Path(locations[0]) if locations else Path(model)
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, ImportError):
        return f"{model} (not found)"
    return f"{meta.get('lang', '')}_{meta.get('name', model)} {meta.get('version', '')}"


def digest(data_files: Iterable[Path], sources: Iterable[Path], model: str, spacy_version: str, version: str,
           root: Path) -> str:
    """The method from its parts: each file by its path under ``root`` and its bytes, in the given order."""
    h = hashlib.sha256()
    for path in (*data_files, *sources):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    h.update(f"model {model}\0spacy {spacy_version}\0liaison {version}".encode())
    return f"{PREFIX}/{h.hexdigest()[:12]}"


@functools.cache
def extraction_method(model: str) -> str:
    """``liaison-rules/<12 hex>`` for extraction with the spaCy model ``model`` and this installation."""
    from importlib.metadata import version

    data = sorted((p for p in DATA.iterdir() if p.is_file()), key=lambda p: p.name)
    return digest(data, source_files(), model_identity(model), version("spacy"), liaison.__version__, PACKAGE)
