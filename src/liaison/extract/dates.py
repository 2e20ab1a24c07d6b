"""Date expressions, normalised to ISO days, months, years or intervals.

Relative expressions ("last month", "on Wednesday", "this week") resolve against the
document's publication date (doc._.published); without one they stay unresolved
(value None) rather than guessed. Absolute ones take a missing year from the
publication date or, failing that, from the latest year the text itself names (the greatest).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

if not Doc.has_extension("published"):
    Doc.set_extension("published", default=None)
if not Doc.has_extension("dates"):
    Doc.set_extension("dates", default=None)
# The latest year of the whole text, set on each chunk of a long text (liaison.extract.chunking).
if not Doc.has_extension("context_year"):
    Doc.set_extension("context_year", default=None)

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_VAGUE = re.compile(r"\b(recent|months|weeks|years|decades|days|ago|past|coming|next|later|weekend|period|"
                    r"season|time|overnight|dawn)\b")


@dataclass(frozen=True)
class Resolved:
    value: str
    start: dt.date
    end: dt.date
    fidelity: str


@dataclass(frozen=True)
class DateMention:
    start: int  # token offsets
    end: int
    text: str
    resolved: Resolved | None


def _day(d: dt.date) -> Resolved:
    return Resolved(d.isoformat(), d, d, "day")


def _month(year: int, month: int) -> Resolved:
    last = calendar.monthrange(year, month)[1]
    return Resolved(f"{year:04d}-{month:02d}", dt.date(year, month, 1), dt.date(year, month, last), "month")


def _year(year: int) -> Resolved:
    return Resolved(f"{year:04d}", dt.date(year, 1, 1), dt.date(year, 12, 31), "year")


def _interval(a: Resolved, b: Resolved) -> Resolved:
    fid = a.fidelity if a.fidelity == b.fidelity else "day"
    return Resolved(f"{a.value}/{b.value}", a.start, b.end, fid)


def _month_year(month: int, published: dt.date | None, year: int | None) -> int | None:
    """The year of a month named without one: this year unless that is still to come."""
    if published:
        return published.year if month <= published.month else published.year - 1
    return year


def resolve(text: str, published: dt.date | None, context_year: int | None = None) -> Resolved | None:
    """Normalise one date expression; None when it is vague or needs an anchor that is missing."""
    t = text.lower().replace(".", " ").replace(",", " ")
    t = re.sub(r"\b(the|on|in|of|early|late|mid|earlier|later|night|morning|afternoon|evening)\b", " ", t)
    t = re.sub(r"\s+", " ", t).strip()
    words = t.split()
    if not words:
        return None
    years = [int(w) for w in words if re.fullmatch(r"(19|20)\d\d", w)]
    months = [MONTHS[w] for w in words if w in MONTHS and w not in ("may",) or w == "may" and len(words) > 1]
    days = [int(re.sub(r"(st|nd|rd|th)$", "", w)) for w in words
            if re.fullmatch(r"\d{1,2}(st|nd|rd|th)?", w) and 1 <= int(re.sub(r"\D", "", w)) <= 31]
    weekdays = [WEEKDAYS[w] for w in words if w in WEEKDAYS]
    if published:
        if words in (["today"], ["tonight"], ["this"]):
            return _day(published)
        if words == ["yesterday"] or words == ["last"]:
            return _day(published - dt.timedelta(days=1))
        if weekdays and not months and len(words) <= 2:
            back = (published.weekday() - weekdays[0]) % 7
            return _day(published - dt.timedelta(days=back))
        if "week" in words and ("this" in words or "last" in words):
            monday = published - dt.timedelta(days=published.weekday())
            if "last" in words:
                monday -= dt.timedelta(days=7)
            return Resolved(f"{monday.isoformat()}/{(monday + dt.timedelta(days=6)).isoformat()}", monday,
                            monday + dt.timedelta(days=6), "day")
        if words[-1] == "month" and ("this" in words or "last" in words):
            y, m = published.year, published.month
            if "last" in words:
                y, m = (y - 1, 12) if m == 1 else (y, m - 1)
            return _month(y, m)
        if words[-1] == "year" and ("this" in words or "last" in words):
            return _year(published.year - (1 if "last" in words else 0))
        if "last" in words and months and not years:
            m = months[0]
            return _month(published.year if m < published.month else published.year - 1, m)
        span = _past_span(words, published)
        if span is not None:
            return span
    if _VAGUE.search(t) or "last" in words or "this" in words:
        return None
    if years and not months:
        return _year(years[-1]) if len(words) == 1 else None
    if months:
        year = years[0] if years else _month_year(months[0], published, context_year)
        if year is None:
            return None
        span = next((w for w in words if re.fullmatch(r"\d{1,2}[-\u2013]\d{1,2}", w)), None)
        if span and not days and len(months) == 1:
            # "Nov. 17-23": the days from the first to the last
            a, b = (int(x) for x in re.split(r"[-\u2013]", span))
            try:
                return _interval(_day(dt.date(year, months[0], a)), _day(dt.date(year, months[0], b))) \
                    if a < b else None
            except ValueError:
                return None
        if days:
            try:
                return _day(dt.date(year, months[0], days[0]))
            except ValueError:
                return None
        return _month(year, months[0])
    return None


_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
_SMALL = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
          "ten": 10, "a": 1}


def _past_span(words: list[str], published: dt.date) -> Resolved | None:
    """'the past two years', 'the last six months', 'over the past week': from that far back to the
    day of the report (by whole years and months where those are the unit)."""
    m = re.fullmatch(r"(?:over |during |within |for )?(?:past|last) (?:(\w+) )?(day|week|month|year)s?",
                     " ".join(words))
    if m is None or m.group(1) is None and words[-1].endswith("s"):
        return None  # "the past years": how many is not said
    count = 1 if m.group(1) is None else (_SMALL.get(m.group(1)) or (int(m.group(1)) if m.group(1).isdigit() else None))
    if count is None or count > 50:
        return None
    unit = m.group(2)
    if unit == "year":
        try:
            start = published.replace(year=published.year - count)
        except ValueError:  # 29 February
            start = published.replace(year=published.year - count, day=28)
    elif unit == "month":
        y, mo = divmod(published.year * 12 + published.month - 1 - count, 12)
        start = dt.date(y, mo + 1, min(published.day, calendar.monthrange(y, mo + 1)[1]))
    else:
        start = published - dt.timedelta(days=count * _UNIT_DAYS[unit])
    return Resolved(f"{start.isoformat()}/{published.isoformat()}", start, published, "day")


class DateFinder:
    """The ``liaison_dates`` component: DATE entities, joined into intervals, resolved."""

    def __init__(self, nlp: Language, name: str) -> None:
        pass

    def __call__(self, doc: Doc) -> Doc:
        published = doc._.published
        context_year = doc._.context_year
        if context_year is None:
            years = [int(y) for y in re.findall(r"(?<![\w.])((?:19|20)\d\d)(?!\w|[.,]\d)", doc.text)]
            # the latest year named: a report looks back from its own year ("... surpassed the
            # total number of events in 2020" in a report on 2021)
            context_year = max(years) if years else None
        # ("on Saturday night", "Wednesday morning": the model calls those times; they name a day)
        ents = [e for e in doc.ents if e.label_ == "DATE" and not _bare_number(e.text)
                or e.label_ == "TIME" and _DAY_IN_TIME.search(e.text)]
        out: list[DateMention] = []
        i = 0
        while i < len(ents):
            ent = ents[i]
            start, end = ent.start, ent.end
            text = ent.text
            # spaCy splits "between October 1 and November 6" into two dates, or one ending in "and".
            trimmed = re.sub(r"\s+(and|to|until|through)$", "", text)
            nxt = ents[i + 1] if i + 1 < len(ents) else None
            joiner = doc[end - 1].lower_ in ("and", "to", "until", "through") or (
                nxt is not None and nxt.start == end + 1 and doc[end].lower_ in ("and", "to", "until", "through", "-"))
            # "sentenced today to 22 years": a length of time after "to" ends no interval
            duration = nxt is not None and re.fullmatch(r"(?i)(?:\w+\s+)?(?:days|weeks|months|years)", nxt.text)
            if nxt is not None and joiner and nxt.start <= end + 1 and not duration:
                a = resolve(trimmed, published, context_year)
                b = resolve(nxt.text, published, context_year)
                if a and b and a.start > b.start and a.value[:4] == b.value[:4]:
                    a = resolve(trimmed + f" {a.start.year - 1}", None, None)  # "December 20 to January 5"
                res = _interval(a, b) if a and b and a.start <= b.end else None
                out.append(DateMention(start, nxt.end, doc[start:nxt.end].text, res))
                i += 2
                continue
            res = resolve(trimmed, published, context_year)
            parts = re.split(r"\s+(?:and|to|until|through|-)\s+", re.sub(r"^(between|from)\s+", "", trimmed))
            if len(parts) == 2:
                a = resolve(parts[0], published, context_year)
                b = resolve(parts[1], published, context_year)
                if a and b and a.start <= b.end:
                    res = _interval(a, b)
            before_since = start > 0 and doc[start - 1].lower_ == "since"
            if res and (before_since or _since_clause(doc[start:end])):
                res = Resolved(f"{res.start.isoformat() if res.fidelity != 'year' else res.value}"
                               f"/{published.isoformat()}", res.start, published, "day") if published else None
                start -= before_since
            out.append(DateMention(start, end, doc[start:end].text, res))
            i += 1
        out += _missed_dates(doc, out, published, context_year)
        out += _relative_mentions(doc, out, published)
        out.sort(key=lambda dm: dm.start)
        doc._.dates = _same_day(out, published)
        return doc


_RELATIVE = re.compile(r"(?i)\b(?:(?:earlier|later|early|late)\s+)?(today|yesterday|tonight|last\s+night|this\s+"
                       r"(?:morning|afternoon|evening))\b")
_PAST_HOURS = re.compile(r"(?i)\b(?:over|in|during|within)\s+the\s+(?:past|last)\s+(\d{1,3})\s+hours\b")


def _relative_mentions(doc: Doc, found: list[DateMention], published: dt.date | None) -> list[DateMention]:
    """Relative days the model does not mark as dates ("today", "earlier today", "last night",
    "over the past 48 hours"): they resolve against the publication date like any other."""
    taken = {i for dm in found for i in range(dm.start, dm.end)}
    out: list[DateMention] = []
    for pattern in (_RELATIVE, _PAST_HOURS):
        for m in pattern.finditer(doc.text):
            span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
            if span is None or taken & set(range(span.start, span.end)):
                continue
            if pattern is _PAST_HOURS:
                days = max(1, round(int(m.group(1)) / 24))
                res = (Resolved(f"{(published - dt.timedelta(days=days)).isoformat()}/{published.isoformat()}",
                                published - dt.timedelta(days=days), published, "day") if published else None)
            else:
                res = resolve(m.group(1), published, None)
            out.append(DateMention(span.start, span.end, span.text, res))
            taken |= set(range(span.start, span.end))
    return out


_DAY_IN_TIME = re.compile(r"(?i)\b(?:" + "|".join(WEEKDAYS) + r")\b")


def _bare_number(text: str) -> bool:
    """'13224' (an executive order), '47' (an age): a number alone that is not a year names no date."""
    t = text.strip()
    return bool(re.fullmatch(r"[\d.,()/-]+", t)) and not re.fullmatch(r"(?:19|20)\d\d(?:s)?", t)


def _since_clause(span) -> bool:  # noqa: ANN001
    """'since the operation started early this week': a date in a clause that "since" opens runs
    from that date to the day of the report, like "since March"."""
    head = span.root.head
    return any(c.dep_ == "mark" and c.lower_ == "since" for c in head.children) and head.i != span.root.i


_MONTH_NAMES = "|".join(sorted((m for m in MONTHS if m != "may"), key=len, reverse=True)) + "|may"
# "September 11, 2012", "Dec, 2. 2013", "4 March 2021": a full date the model did not mark (it
# reads "September 11" as the name of an event, or stumbles on stray punctuation)
_FULL_DATE = re.compile(rf"(?i)\b(?:({_MONTH_NAMES})\.?,?\s+(\d{{1,2}})(?:st|nd|rd|th)?[.,]?\s+((?:19|20)\d\d)"
                        rf"|(\d{{1,2}})\s+({_MONTH_NAMES})\.?,?\s+((?:19|20)\d\d))\b")


def _missed_dates(doc: Doc, found: list[DateMention], published: dt.date | None,
                  context_year: int | None) -> list[DateMention]:
    """Full dates (month, day and year) that no DATE entity covers, or that the model cut in two."""
    out: list[DateMention] = []
    for m in _FULL_DATE.finditer(doc.text):
        span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
        if span is None:
            continue
        inside = [dm for dm in found if dm.start < span.end and span.start < dm.end]
        # a date already read whole (or as part of an interval) stands
        if any(dm.start <= span.start and span.end <= dm.end and dm.resolved is not None
               and dm.resolved.fidelity == "day" for dm in inside):
            continue
        month, day, year = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(5), m.group(4), m.group(6))
        try:
            res = _day(dt.date(int(year), MONTHS[month.lower()], int(day)))
        except ValueError:
            continue
        for dm in inside:
            found.remove(dm)
        out.append(DateMention(span.start, span.end, span.text, res))
    return out


_SAME_DAY = re.compile(r"(?i)^(?:(?:earlier|later)\s+)?(?:in\s+|on\s+)?(?:that|the\s+same|the)\s+day$")


def _same_day(dates: list[DateMention], published: dt.date | None) -> list[DateMention]:
    """'earlier in the day', 'later that day', 'the same day': the day the text last named, or the
    day of the report where it named none."""
    out: list[DateMention] = []
    last: Resolved | None = None
    for dm in dates:
        if dm.resolved is None and _SAME_DAY.match(dm.text.strip()):
            day = last or (_day(published) if published else None)
            dm = DateMention(dm.start, dm.end, dm.text, day)
        if dm.resolved is not None and dm.resolved.fidelity == "day" and dm.resolved.start == dm.resolved.end:
            last = dm.resolved
        out.append(dm)
    return out


@Language.factory("liaison_dates", requires=["doc.ents"], assigns=["doc._.dates"])
def make_date_finder(nlp: Language, name: str) -> DateFinder:
    return DateFinder(nlp, name)
