"""Publication dates from metadata strings and from datelines that open a story.

A dateline is the place (in capitals) and usually the date that open a report:
"KABUL, Afghanistan (Jan. 25, 2013) -", "WASHINGTON, Nov. 12, 2025 —", "TAMPA, Fla. —".
Real releases put it after a few header lines (a title, "Press Release", "Release No. ...",
a date on a line of its own), end it with a line break as often as with a dash, and often
give the month and day without the year. Reading them matters beyond the date itself: it is
the day that "yesterday", "today" and "last night" resolve against when no metadata gives one.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

import dateparser

# Every character that ends a line, as str.splitlines() counts them: text pasted from web pages
# and word processors carries the Unicode line and paragraph separators (U+2028, U+2029).
LINE_BREAK_CHARS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_LINE_BREAK = re.compile(r"\r\n|[" + LINE_BREAK_CHARS + "]")

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH = r"(?i:" + "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True)) + r")\.?"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]|20)\d{2}"
# The date of a dateline: "Jan. 25, 2013", "25 January 2013", or without the year "Jan. 25".
_DATE = (rf"(?P<month>{_MONTH})\s+(?P<day>{_DAY})(?:,?[ \t]+(?P<year>{_YEAR}))?(?![\d])"
         rf"|(?P<day2>{_DAY})\s+(?P<month2>{_MONTH})(?:,?[ \t]+(?P<year2>{_YEAR}))?(?![\d])")
# The place: capitals ("MOGADISHU", "FORT BRAGG", "WASHINGTON, D.C."), then perhaps a region
# written normally ("Somalia", "Fla."). Spaces and tabs only: a dateline is on one line.
_PLACE = r"[A-Z][A-Z.'\-]*(?:[ \t]+[A-Z][A-Z.'\-]*)*(?:,[ \t]*[A-Z][A-Za-z.'\-]*(?:[ \t]+[A-Z][A-Za-z.'\-]*)*)?"
_DASH = r"(?:--|[-\u2013\u2014:])"
# Where a dateline ends: a dash or colon, or the end of its line.
_END = rf"(?:[ \t]*{_DASH}|[ \t]*(?=[{LINE_BREAK_CHARS}]|$))"
_DATELINE = re.compile(
    rf"(?P<place>{_PLACE})[ \t]*(?:\(|,[ \t]*)(?:{_DATE})[ \t]*\)?{_END}"
    # a dateline without a date ("WASHINGTON –", "PENTAGON —"): the dash is then needed, the
    # place must be capitals of two letters or more, so an ordinary first sentence never matches,
    rf"|(?P<bare>[A-Z]{{2}}[A-Z.'\-]*(?:[ \t]+[A-Z][A-Z.'\-]*)*(?:,[ \t]*[A-Z][A-Za-z.'\-]*)?)"
    r"[ \t]*(?:--|[\u2013\u2014]|[ \t]-)"
    # and the story must go on with a capital or a new line ("ISIS — the group ..." is no dateline)
    rf"(?=[ \t]*(?:[A-Z\"\u201c]|[{LINE_BREAK_CHARS}]|$))"
)
# A line that is all date ("January 6, 2020", "Monday, Jan. 6, 2020"): a header of its own.
_DATE_LINE = re.compile(rf"(?:[A-Z][a-z]+day,?[ \t]+)?(?:{_DATE})[ \t]*")
# A date with its year anywhere in the text, for a dateline that gives only month and day.
_FULL_DATE = re.compile(rf"\b(?:{_DATE})")
# A release or reference number that carries a year: "Release No. 2020-012", "Ref: 20200105-01".
_NUMBER_LINE = re.compile(r"(?i)(?:news[ \t]+|press[ \t]+)?(?:release|reference|ref)\b[^\n]{0,40}")
_NUMBER_YEAR = re.compile(rf"(?<!\d)(?P<year>{_YEAR})(?:(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01]))?(?!\d)")

MAX_HEADER_LINES = 4  # title, subtitle, "Press Release", "Release No. ...", a date line
_MAX_HEADER_CHARS = 200
_MAX_SCAN = 1500

_PARSER_SETTINGS = {"PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["year", "month", "day"]}


def has_line_break(text: str) -> bool:
    """Whether ``text`` holds a line break of any kind (U+2028 and U+2029 included)."""
    return any(c in LINE_BREAK_CHARS for c in text)


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


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line of the opening of ``text``, line breaks of every kind counted."""
    head = text[:_MAX_SCAN]
    out, start = [], 0
    for m in _LINE_BREAK.finditer(head):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(head)))
    return out


def _is_header(line: str) -> bool:
    """A line that can stand above a dateline: short, and not a sentence of the story (a title has no
    full stop; "Press Release" and "Release No. 20-012" are a few words)."""
    line = line.strip()
    if len(line) > _MAX_HEADER_CHARS:
        return False
    return len(line.split()) <= 5 or not re.search(r"[.!?][\"'\u201d\u2019)]*$", line)


def _find(text: str) -> tuple[re.Match | None, list[str], int]:
    """The dateline match, the header lines above it, and where its line starts in ``text``."""
    headers: list[str] = []
    for start, end in _lines(text):
        line = text[start:end]
        if not line.strip():
            continue
        lead = len(line) - len(line.lstrip())
        m = _DATELINE.match(line, lead)
        if m:
            return m, headers, start
        if len(headers) == MAX_HEADER_LINES or not _is_header(line):
            break
        headers.append(line.strip())
    return None, headers, 0


def _month_day(m: re.Match) -> tuple[int, int, int | None] | None:
    month = m.group("month") or m.group("month2")
    if month is None:
        return None
    day = re.match(r"\d+", m.group("day") or m.group("day2")).group()
    year = m.group("year") or m.group("year2")
    return _MONTHS[month.rstrip(".").lower()], int(day), int(year) if year else None


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _year_from(text: str, headers: list[str], month: int, day: int, published: dt.date | None) -> int | None:
    """The year of a dateline that gives only month and day, from what the document says elsewhere:
    a release or reference number in the header that carries a year, else the latest year of the
    full dates the text gives, else the published date (the year that puts the day on or before it)."""
    for line in headers:
        if _NUMBER_LINE.match(line):
            m = _NUMBER_YEAR.search(line)
            if m:
                return int(m.group("year"))
    years = [int(y) for m in _FULL_DATE.finditer(text) if (y := m.group("year") or m.group("year2"))]
    if years:
        return max(years)
    if published:
        return published.year if (month, day) <= (published.month, published.day) else published.year - 1
    return None


def dateline_date(text: str, published: dt.date | None = None) -> dt.date | None:
    """The date of the dateline opening ``text`` (after any header lines), if there is one.

    A dateline without a date takes the date of a header line that is all date. A month and
    day without a year take the year from the text (see ``_year_from``), else from ``published``;
    with neither, the date stays unknown rather than guessed from today's clock."""
    m, headers, _ = _find(text)
    if m is None:
        return None
    parts = _month_day(m)
    if parts is None:  # a dateline without a date: a date line in the header gives it
        for line in headers:
            dm = _DATE_LINE.fullmatch(line)
            if dm and (p := _month_day(dm)) and p[2]:
                return _date(p[2], p[0], p[1])
        return None
    month, day, year = parts
    if year is None:
        year = _year_from(text, headers, month, day, published)
    return _date(year, month, day) if year else None


def dateline_end(text: str) -> int | None:
    """Where the story proper starts after a dateline ("MOGADISHU, March 3, 2025 - "), or None.

    The header lines above the dateline are before it too: they are no part of the story's
    first sentence."""
    m, _, start = _find(text)
    if m is None:
        return None
    end = start + m.end()
    while end < len(text) and text[end].isspace():
        end += 1
    return end
