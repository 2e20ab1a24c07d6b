"""Publication dates from metadata strings and from datelines that open a story."""

from __future__ import annotations

import datetime as dt
import re

import dateparser

# "KABUL, Afghanistan (Jan. 25, 2013) -", "WASHINGTON, Nov. 12, 2025 -", "MOGADISHU, March 3, 2025 —"
_DATELINE = re.compile(
    r"^\s*[A-Z][A-Z .'\-]{1,40}(?:,\s*[A-Z][A-Za-z .'\-]{1,40})?\s*[,(]\s*"
    r"(?P<date>[A-Z][a-z]{2,9}\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+[A-Z][a-z]{2,9}\.?\s+\d{4})"
    r"\s*\)?\s*[-\u2013\u2014:]"
)

_PARSER_SETTINGS = {"PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["year", "month", "day"]}


def parse_published(value: object) -> dt.date | None:
    """A date from a metadata value ("2025-11-13", "2025-11-13T08:00:00Z", "13 Nov 2025")."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ValueError("not a string")
    text = value.strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    parsed = dateparser.parse(text, languages=["en"], settings=_PARSER_SETTINGS)
    if parsed is None:
        raise ValueError(f"cannot read {text!r} as a date")
    return parsed.date()


def dateline_date(text: str) -> dt.date | None:
    """The date of a dateline opening ``text``, if there is one."""
    m = _DATELINE.match(text[:200])
    if not m:
        return None
    parsed = dateparser.parse(m.group("date").replace(".", ""), languages=["en"], settings=_PARSER_SETTINGS)
    return parsed.date() if parsed else None


def dateline_end(text: str) -> int | None:
    """Where the story proper starts after a dateline ("MOGADISHU, March 3, 2025 - "), or None."""
    m = _DATELINE.match(text[:200])
    if not m:
        return None
    end = m.end()
    while end < len(text) and text[end] == " ":
        end += 1
    return end
