"""Bytes to text: refuse binary files, detect the encoding before giving up."""

from __future__ import annotations

from charset_normalizer import from_bytes

from liaison.errors import InputError

# Control bytes that never occur in text files (tab, newlines, form feed and ESC excepted).
_BINARY = set(range(0x00, 0x09)) | {0x0B, 0x0E, 0x0F} | set(range(0x10, 0x1B)) | set(range(0x1C, 0x20))


def decode(data: bytes, name: str) -> str:
    """Decode ``data`` as text, trying UTF-8 first, then charset detection."""
    if not data.strip():
        raise InputError("file is empty", name, "Remove it or give it some text")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # UTF-16 with a byte-order mark is text, though full of NUL bytes.
        try:
            return _clean(data.decode("utf-16"))
        except UnicodeDecodeError:
            pass
    sample = data[:8192]
    if b"\x00" in sample or sum(b in _BINARY for b in sample) > len(sample) * 0.05:
        raise InputError("file is binary, not text", name, "Give a .txt, .json or .html document")
    try:
        return _clean(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise InputError("cannot detect the text encoding", name, "Convert the file to UTF-8")
    return _clean(str(best))


def _clean(text: str) -> str:
    # One newline convention, so character offsets mean the same everywhere.
    return text.replace("\r\n", "\n").replace("\r", "\n")
