"""Bytes to text: refuse binary files, find the encoding, say how sure that is.

The order, from the strongest evidence to the weakest (docs/ingest.md#text-encoding):
a byte-order mark; the byte pattern of UTF-32/UTF-16 without one; strict UTF-8 (text in
another encoding is almost never valid UTF-8); UTF-8 with stray Windows-1252 bytes; a
declared charset (HTTP ``Content-Type`` kept with the file, or the page's own ``<meta>``);
and last charset-normalizer's detection, where a near tie goes to the common Western code
page and the confidence says it was a guess.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from charset_normalizer import from_bytes
from charset_normalizer.constant import FREQUENCIES

from liaison.errors import InputError

# Control bytes that never occur in text files (tab, newlines, form feed and ESC excepted).
_BINARY = set(range(0x00, 0x09)) | {0x0B, 0x0E, 0x0F} | set(range(0x10, 0x1B)) | set(range(0x1C, 0x20))

# Below this a decoded text is worth a warning: its encoding was a guess.
LOW_CONFIDENCE = 0.8

# Single-byte code pages still met in news archives, most likely first: a tie between them
# goes to the earlier one. charset-normalizer's full search is also run (it knows the CJK
# encodings), but on a short text it can prefer an exotic code page (cp932 for KOI8-R
# Russian, cp1250 for French); searching these alone as well gives them a fair chance.
PREFERRED = ("cp1252", "iso8859_15", "latin_1", "cp1250", "cp1251", "koi8_r", "cp1256", "cp1253",
             "cp1254", "cp1255", "cp1257", "koi8_u", "cp874", "mac_roman",
             "gb18030", "big5", "shift_jis", "euc_jp", "euc_kr")

# Web practice (WHATWG Encoding standard): these labels mean Windows-1252, a superset.
_AS_CP1252 = {"latin_1", "ascii", "iso8859_1"}

# Candidates whose chaos and coherence are this close count as a tie, broken by PREFERRED; a code
# page of PREFERRED also ties with an exotic one up to _PREFERRED_LEAD behind it in coherence.
_TIE_CHAOS, _TIE_COHERENCE, _PREFERRED_LEAD = 0.02, 0.02, 0.05
_FIT_BAND = 0.25  # readings this close in alphabet fit (below) stay in the running

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))

_DECLARED = re.compile(rb"<(?:meta|\?xml)\b[^>]{0,512}?\b(?:charset|encoding)\s*=\s*[\"']?\s*([A-Za-z0-9_.:+-]{1,40})",
                       re.IGNORECASE)

_UTF8_MULTIBYTE = re.compile(rb"[\xC2-\xDF][\x80-\xBF]|\xE0[\xA0-\xBF][\x80-\xBF]|[\xE1-\xEC\xEE\xEF][\x80-\xBF]{2}"
                             rb"|\xED[\x80-\x9F][\x80-\xBF]|\xF0[\x90-\xBF][\x80-\xBF]{2}"
                             rb"|[\xF1-\xF3][\x80-\xBF]{3}|\xF4[\x80-\x8F][\x80-\xBF]{2}")


@dataclass(frozen=True)
class Decoded:
    """A text, the encoding it was read in, and how sure that is (1.0: certain)."""

    text: str
    encoding: str
    confidence: float
    note: str | None = None  # a caveat worth a warning line, beyond a low confidence


def decode(data: bytes, name: str, declared: str | None = None, html: bool = False) -> Decoded:
    """Decode ``data``; ``declared`` is a charset known from outside the file (HTTP headers).

    For HTML, a ``<meta charset>`` or XML declaration in the page's first 4 KiB counts as
    declared when there is no outside one. Raises InputError for empty, binary or
    undecodable data."""
    if not data.strip():
        raise InputError("file is empty", name, "Remove it or give it some text")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(_clean(data.decode(codec)), codec.removesuffix("-sig"), 1.0)
            except UnicodeDecodeError:
                break
    wide = _wide_unicode(data)
    if wide is not None:
        return wide
    sample = data[:8192]
    if sum(b in _BINARY for b in sample) > len(sample) * 0.05:
        raise InputError("file is binary, not text", name, "Give a .txt, .json or .html document")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return Decoded(_clean(text), "ascii" if data.isascii() else "utf-8", 1.0)
    mixed = _mixed_utf8(data)
    if mixed is not None:
        return mixed
    hint = declared or (_declared_in_page(data) if html else None)
    codec = _codec(hint) if hint else None
    if codec is not None:
        try:
            return Decoded(_clean(data.decode(codec)), codec, 1.0)
        except UnicodeDecodeError:
            if codec == "cp1252":  # five bytes Windows-1252 leaves undefined: the web reads them as Latin-1
                return Decoded(_clean(data.decode("latin_1")), "latin_1", 1.0)
    found = _detect(data)
    if found is None:
        raise InputError("cannot detect the text encoding", name, "Convert the file to UTF-8")
    note = f"declared charset {hint!r} does not fit the bytes" if hint else None
    return Decoded(found.text, found.encoding, found.confidence, note)


def scrub(value: str) -> tuple[str, int, int]:
    """``value`` without NUL characters and with unpaired surrogates as U+FFFD, and how many of each.

    Neither is text: PostgreSQL refuses NUL in a text column, and an unpaired surrogate (a JSON
    ``"\\ud800"`` escape, a file name in a foreign encoding) cannot be written as UTF-8 at all,
    so either would make the store refuse the whole document. U+FFFD is what a decoder puts
    for bytes it cannot read; a NUL carries nothing, so it is dropped."""
    nuls = value.count("\x00")
    if nuls:
        value = value.replace("\x00", "")
    value, surrogates = re.subn("[\ud800-\udfff]", "\ufffd", value)
    return value, nuls, surrogates


def _codec(label: str) -> str | None:
    """Python's codec for a charset label, with the web's reading of Latin-1 and ASCII as cp1252."""
    try:
        codec = codecs.lookup(label.strip().lower()).name.replace("-", "_")
    except LookupError:
        return None
    if codec in _AS_CP1252:
        return "cp1252"
    if codec.startswith(("utf_16", "utf_32")):
        return None  # a page that could be read this far to find the label is not UTF-16 (WHATWG says so too)
    return "utf-8" if codec == "utf_8" else codec


def _declared_in_page(data: bytes) -> str | None:
    m = _DECLARED.search(data[:4096])
    return m.group(1).decode("ascii") if m else None


def _wide_unicode(data: bytes) -> Decoded | None:
    """UTF-32 or UTF-16 without a byte-order mark, from where the zero bytes fall.

    Text in these is full of zero bytes in one position of each code unit (the high byte of
    every ASCII character, space and punctuation included), and almost none in the other;
    a binary file has them anywhere. The decoded text must then look like text."""
    sample = data[:65536]
    n = len(sample) - len(sample) % 4
    if n < 8 or b"\x00" not in sample:
        return None
    if len(data) % 4 == 0:
        if not any(sample[3:n:4]) and max(sample[2:n:4]) <= 0x10:
            candidates = ["utf-32-le"]
        elif not any(sample[0:n:4]) and max(sample[1:n:4]) <= 0x10:
            candidates = ["utf-32-be"]
        else:
            candidates = []
        for codec in candidates:
            found = _as_text(data, codec)
            if found is not None:
                return found
    if len(data) % 2:
        return None
    units = len(sample) // 2
    zero_even, zero_odd = sample[0::2].count(0), sample[1::2].count(0)
    for codec, zeros, other in (("utf-16-le", zero_odd, zero_even), ("utf-16-be", zero_even, zero_odd)):
        if zeros >= units * 0.05 and other <= zeros * 0.1:
            found = _as_text(data, codec)
            if found is not None:
                return found
    return None


def _as_text(data: bytes, codec: str) -> Decoded | None:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    head = text[:20000]
    odd = sum(1 for c in head if unicodedata.category(c) in ("Cc", "Cn", "Co", "Cs") and c not in "\t\n\r\f")
    if odd > len(head) * 0.01:
        return None
    return Decoded(_clean(text), codec, round(1.0 - odd / max(1, len(head)), 3))


def _mixed_utf8(data: bytes) -> Decoded | None:
    """UTF-8 text with some bytes in Windows-1252 (a quote pasted from a word processor into a
    UTF-8 page): each valid UTF-8 sequence read as UTF-8, each other byte as cp1252.

    Only when valid multi-byte UTF-8 sequences are at least a quarter of the non-ASCII ones:
    in text that is really in a legacy code page they occur by chance only, and rarely."""
    valid = _UTF8_MULTIBYTE.findall(data)
    invalid = sum(b >= 0x80 for b in data) - sum(len(v) for v in valid)
    if len(valid) < 2 or len(valid) < (len(valid) + invalid) * 0.25:
        return None
    text = data.decode("utf-8", errors="liaison-cp1252")
    share = len(valid) / (len(valid) + invalid)
    return Decoded(_clean(text), "utf-8+cp1252", round(share, 3),
                   f"text mixes UTF-8 with {invalid} byte(s) of Windows-1252; each part was read as its own")


def _cp1252_bytes(err: UnicodeError) -> tuple[str, int]:
    assert isinstance(err, UnicodeDecodeError)
    bad = err.object[err.start : err.end]
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in bad), err.end


codecs.register_error("liaison-cp1252", _cp1252_bytes)


@dataclass(frozen=True)
class _Found:
    text: str
    encoding: str
    confidence: float


def _detect(data: bytes) -> _Found | None:
    """charset-normalizer's best reading, a near tie going to the earlier code page of PREFERRED.

    Confidence: 1 - the chosen reading's chaos (charset-normalizer's measure of odd characters),
    times a closeness factor: 0.5 for a tie with a reading that gives a different text, rising
    to 1 as the chosen reading's advantage (coherence plus chaos) over the nearest such one
    grows to 0.05."""
    matches = [m for m in (*from_bytes(data), *from_bytes(data, cp_isolation=list(PREFERRED))) if m.encoding]
    if not matches:
        return None
    odd = {id(m): _oddness(str(m)[:20000]) for m in matches}  # a sample: the count only compares readings
    low_chaos = min(m.chaos for m in matches)
    clean = [m for m in matches if m.chaos <= low_chaos + _TIE_CHAOS]
    fewest = min(odd[id(m)] for m in clean)
    clean = [m for m in clean if odd[id(m)] == fewest]
    fit = {id(m): _alphabet_fit(m) for m in matches}
    fittest = max(fit[id(m)] for m in clean)
    clean = [m for m in clean if fit[id(m)] >= fittest - _FIT_BAND]
    top = max(m.coherence for m in clean)

    def rank(m) -> int:  # noqa: ANN001
        names = [_name(c) for c in m.could_be_from_charset]
        return min((PREFERRED.index(c) for c in names if c in PREFERRED), default=len(PREFERRED))

    tied = [m for m in clean if m.coherence >= top - (_PREFERRED_LEAD if rank(m) < len(PREFERRED) else _TIE_COHERENCE)]
    best = min(tied, key=rank)  # min is stable: among unranked ones, charset-normalizer's order
    text = str(best)
    names = [_name(c) for c in best.could_be_from_charset]
    encoding = min((c for c in names if c in PREFERRED), key=PREFERRED.index, default=_name(best.encoding))
    # Close rivals: readings with another text, no more odd characters, and (unless the chosen one
    # is itself exotic) in a code page of PREFERRED; an exotic one that scores level is the
    # detector's noise on a short text, and one that scores better would have been chosen.
    close = [m for m in matches if str(m) != text and odd[id(m)] <= fewest and fit[id(m)] >= fittest - _FIT_BAND
             and (rank(m) < len(PREFERRED) or rank(best) == len(PREFERRED))]
    advantage = min(((best.coherence - m.coherence) + (m.chaos - best.chaos) for m in close), default=1.0)
    closeness = min(1.0, 0.5 + max(0.0, advantage) / 0.1)
    return _Found(_clean(text), encoding, round((1.0 - best.chaos) * closeness, 3))


def _alphabet_fit(match) -> float:  # noqa: ANN001
    """The share of a reading's accented letters that belong to the language charset-normalizer
    found in it (its table of each language's frequent letters): French read as cp1250 becomes
    "ministčre", which it calls Swedish, a language without "č"."""
    letters = set(FREQUENCIES.get(match.language, ()))
    used = [c for c in str(match)[:20000].lower() if not c.isascii() and c.isalpha()]
    return sum(c in letters for c in used) / len(used) if used else 1.0


def _oddness(text: str) -> int:
    """Characters that a wrong code page produces and running text hardly has: C1 controls,
    modifier letters, symbols and superscripts inside a word ("M\xb8ller", "poinformowa\xb3o"),
    and compatibility forms such as the "\ufb02" ligature. charset-normalizer's chaos misses
    these on a short text; counting them breaks its ties on evidence before preference does."""
    count = 0
    for i, c in enumerate(text):
        if c.isascii():
            continue
        cat = unicodedata.category(c)
        inside = 0 < i < len(text) - 1 and text[i - 1].isalpha() and text[i + 1].isalpha()
        if cat in ("Cc", "Lm") or unicodedata.decomposition(c).startswith("<compat>") \
                or (cat[0] in "SN" and cat != "Nd" and inside):
            count += 1
    return count


def _name(codec: str) -> str:
    return "cp1252" if codec in _AS_CP1252 else codec


def _clean(text: str) -> str:
    # One newline convention, so character offsets mean the same everywhere.
    return text.replace("\r\n", "\n").replace("\r", "\n")
