"""Expand the paths a user names into raw sources, one per file, in a stable order."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from liaison.errors import InputError

SUFFIXES = (".txt", ".json", ".html", ".htm")


@dataclass(frozen=True)
class RawSource:
    """Bytes to ingest and the name that identifies them; ``error`` when they could not be read."""

    name: str  # what the user sees in messages: the path, or "<stdin>"
    key: str  # stable identity of the document across re-ingests
    suffix: str
    data: bytes = b""
    error: InputError | None = None
    charset: str | None = None  # the charset declared outside the bytes (HTTP Content-Type kept with the file)


def read_sources(paths: list[str], max_bytes: int) -> Iterator[RawSource]:
    """Yield every document under ``paths``; folders are walked recursively, in sorted order."""
    for raw in paths:
        if raw == "-":
            yield _stdin(max_bytes)
            continue
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            for file in files:
                yield _read(file, max_bytes)
        else:
            yield _read(path, max_bytes)


def _stdin(max_bytes: int) -> RawSource:
    data = sys.stdin.buffer.read(max_bytes + 1)
    if len(data) > max_bytes:
        err = InputError(
            f"input is over the size limit of {max_bytes} bytes",
            "<stdin>",
            "Raise LIAISON_MAX_FILE_BYTES or split the input",
        )
        return RawSource("<stdin>", "stdin", "", error=err)
    # Standard input has no name; its content is its identity.
    import hashlib

    digest = hashlib.sha256(data).hexdigest()[:16]
    suffix = ".json" if data.lstrip()[:1] == b"{" else ".txt"
    if data.lstrip()[:1] == b"<":
        suffix = ".html"
    return RawSource("<stdin>", f"stdin:{digest}", suffix, data)


def _printable(path: Path) -> str:
    """The path as text that can be printed and stored: bytes of a file name that are not UTF-8
    (Python keeps them as unpaired surrogates) are written as ``\\xNN``, which stays unique."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _declared_charset(path: Path) -> str | None:
    """The charset that came with a downloaded file: ``curl --xattr`` keeps the HTTP Content-Type
    in the ``user.mime_type`` extended attribute; ``user.charset`` is the freedesktop.org one."""
    if not hasattr(os, "getxattr"):
        return None
    for attr in ("user.charset", "user.mime_type"):
        try:
            value = os.getxattr(path, attr).decode("ascii", "replace")
        except OSError:
            continue
        if attr == "user.charset":
            return value.strip() or None
        m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:+-]+)", value, re.IGNORECASE)
        if m:
            return m.group(1)
    return None


def _read(path: Path, max_bytes: int) -> RawSource:
    name = _printable(path)
    key = _printable(path.resolve())
    suffix = path.suffix.lower()
    try:
        if not path.exists():
            raise InputError("no such file or folder", name, "Check the path")
        if suffix not in SUFFIXES:
            raise InputError(
                f"unsupported file type {suffix or '(none)'!r}",
                name,
                f"Use one of {', '.join(SUFFIXES)}",
            )
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"file is {size} bytes, over the limit of {max_bytes}",
                name,
                "Raise LIAISON_MAX_FILE_BYTES or split the file",
            )
        data = path.read_bytes()
    except InputError as err:
        return RawSource(name, key, suffix, error=err)
    except OSError as err:
        reason = err.strerror or str(err)
        return RawSource(name, key, suffix, error=InputError(f"cannot read file: {reason}", name,
                                                             "Check its permissions"))
    return RawSource(name, key, suffix, data, charset=_declared_charset(path))
