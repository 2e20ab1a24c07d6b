"""The one clock and the one timestamp format, so that tests can freeze time in one place.

Every part of Liaison that needs the current time calls :func:`now`; every STIX/TAXII
timestamp it writes comes from :func:`stamp` (microseconds, fixed width, so that text order
is time order) or :func:`stamp_ms` (milliseconds, the precision STIX objects carry).
Freeze time in a test with ``monkeypatch.setattr(liaison.clock, "_source", lambda: fixed)``.
"""

from __future__ import annotations

import datetime as dt


def _source() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def now() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return _source()


def stamp(value: dt.datetime) -> str:
    """A STIX/TAXII timestamp with microseconds: ``2025-11-07T10:00:00.000000Z``."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def stamp_ms(value: dt.datetime) -> str:
    """A STIX timestamp with milliseconds, as STIX objects carry: ``2025-11-07T10:00:00.000Z``."""
    value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def normalise_timestamp(value: str) -> str:
    """Any RFC 3339 timestamp -> the fixed-width form :func:`stamp` writes. Raises ValueError."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return stamp(parsed)
