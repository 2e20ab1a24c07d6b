"""Events as the whole document tells them: mentions grouped into events, slots merged across
sentences, and sources that govern the sentences after them.

``liaison_events`` finds event *mentions*, each filled from its own sentence. Real reporting
spreads one happening over several sentences: the lede names the raid, the next sentence its
place, a later one its toll ("Five soldiers were killed"), and the source is named once ("US
Central Command said in a statement:") or as a transcript's speaker label. This component,
run after it, turns mentions into events:

1. **Outcomes fold into their event.** A mention that only reports casualties ("five
   soldiers were killed"), and the figures of a sentence that reports no event, belong to the
   violent event told just before it, in the same or the previous paragraph.
2. **One happening, one event, within a sentence.** A generic noun ("attack", "operation")
   beside a specific mention ("drone strike", "raid") in the same sentence is the same event,
   unless their parties differ ("strikes in response to the attack").
3. **Re-mentions across sentences** (event coreference): a mention of a compatible type is the
   same event as an earlier one when it is anaphoric ("the attack", "this operation",
   "Friday's raid"), adds no participant, or is aimed at the same named person, and nothing
   conflicts (place, day, figures). The first mention gives the evidence; the others are kept
   with their spans.
4. **Slots from the discourse.** Whom an act was aimed at, told by a description ("an Islamic
   State commander", "three defendants"), is whom the next sentences name for it
   (liaison.extract.described), before the mentions are grouped. Slots are merged from all the
   mentions. A source governs what
   follows it (a speaker label its turn, "according to" its paragraph, else the last source
   named before); where none is named, the issuer of a release is the source. An undated or
   unplaced violent event takes the day or place of the one its paragraph tells, an event with
   no actor those of the event of its type just before it, and a strike or operation a military
   body reports with no actor is that body's.
5. **A trained filter** (liaison.extract.specificity) drops what the text does not report.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from liaison.extract.attribution import AttributionMention
from liaison.extract.dates import DateMention, Resolved
from liaison.extract.described import DescribedTargets
from liaison.extract.entities import Cluster
from liaison.extract.events import EventMention, conflict
from liaison.extract.gazetteer import country_name
from liaison.extract.quantities import QuantityMention
from liaison.extract.specificity import SpecificityModel, features

# Violent types and how general each is: a mention of a more general type ("the attack", "the
# operation") can re-mention an event of a more specific one (an airstrike, a raid).
_VIOLENT = ("military_operation", "raid_or_arrest", "airstrike", "attack", "foiled_attack")
_GENERAL = {"military_operation": {"airstrike", "attack", "raid_or_arrest"}, "attack": {"airstrike"}}
# The type an event takes from a more specific mention: an attack or operation that a sentence
# says was an air strike is an airstrike; an operation in which people were arrested stays an
# operation (the arrests are part of it).
_PROMOTE = {"airstrike"}
# The events whose reporter, a military or government body, is taken to be their actor when none is named.
_OWN_REPORTS = {"airstrike", "raid_or_arrest", "military_operation", "troop_deployment", "designation_or_sanction"}
# What only state forces do, and who they are: a strike or raid with no actor is theirs.
_STATE_ACTS = {"airstrike", "raid_or_arrest"}
_STATE_BODIES = {"country", "government_body", "organization"}
# How many sentences back an outcome ("nine were killed") or an anaphoric re-mention looks.
OUTCOME_REACH = 4
REMENTION_REACH = 12
# The trained filter of events the text does not report (liaison.extract.specificity); "" turns it off.
SPECIFICITY = "specificity.json"
# A transcript's speaker label: "MAJOR GENERAL PAT RYDER:", "MR. PRICE:", "Q:" at a line's start.
_LABEL = re.compile(r"(?m)^[ \t]*((?:[A-Z][A-Z.'’\-]*[ \t]+){0,9}[A-Z][A-Z.'’\-]*)[ \t]*:(?=\s)")
_ASKERS = {"Q", "QUESTION", "MODERATOR", "OPERATOR", "REPORTER", "PARTICIPANT", "AUDIENCE MEMBER"}
_LIST_ITEM = re.compile(r"[ \t]*(?:--|-|–|—|•|\*|·)\s")
_PARAGRAPH = re.compile(r"\n[ \t]*\n|[\u2029]")
# An outlet that issues releases rather than reporting news: a command, ministry, department, ...
_ISSUING = re.compile(r"\b(command|department|ministry|office|embassy|mission|government|forces?|army|navy|"
                      r"air force|marine corps|coast guard|pentagon|white house|state department|treasury|"
                      r"bureau|agency|council|secretariat|headquarters|task force|coalition|police|spokesperson)\b",
                      re.I)
_OUTLET_NOISE = re.compile(r"\s*(\(.*\)|\[.*\]|public affairs|press office|press release|news release|"
                           r"office of the spokesperson|media office|statement)\s*", re.I)

if not Doc.has_extension("issuer"):
    Doc.set_extension("issuer", default=None)


@dataclass(frozen=True)
class _Sentences:
    """Sentence and paragraph positions of one Doc, for bisection."""

    starts: list[int]  # token offsets of sentence starts
    para: list[int]  # the paragraph number of each sentence

    @classmethod
    def of(cls, doc: Doc) -> _Sentences:
        # an item of a list ("-- Near Raqqa, three strikes ...") goes on with the paragraph that
        # introduces the list ("Aircraft conducted 11 strikes in Syria yesterday:")
        text = doc.text  # (Doc.text joins the tokens anew at each call)
        breaks = [m.end() for m in _PARAGRAPH.finditer(text) if not _LIST_ITEM.match(text, m.end())]
        starts, para = [], []
        for sent in doc.sents:
            starts.append(sent.start)
            para.append(bisect_right(breaks, sent.start_char))
        return cls(starts, para)

    def index(self, token: int) -> int:
        return bisect_right(self.starts, token) - 1

    def paragraph(self, token: int) -> int:
        return self.para[self.index(token)] if self.starts else 0


class DiscourseModel:
    """The ``liaison_discourse`` component."""

    def __init__(self, nlp: Language, name: str, outcome_reach: int = OUTCOME_REACH,
                 remention_reach: int = REMENTION_REACH, specificity: str = SPECIFICITY) -> None:
        self.outcome_reach = outcome_reach
        self.remention_reach = remention_reach
        self.specificity = SpecificityModel.load(specificity)
        self.described = DescribedTargets()

    def __call__(self, doc: Doc) -> Doc:
        mentions: list[EventMention] = list(doc._.events or [])
        clusters: dict[str, Cluster] = doc._.clusters or {}
        sents = _Sentences.of(doc)
        enclosing = _Enclosing(clusters)
        for ev in mentions:
            if ev.location:
                ev.places |= enclosing(ev.location)
        self.described(doc, mentions, sents.index, sents.paragraph)
        events = self._fold_outcomes(mentions, sents)
        events = self._fold_in_sentence(events, doc)
        events = self._corefer(events, sents)
        self._orphan_figures(doc, events, sents)
        self._govern_sources(doc, events, sents)
        self._continue_dates(events, sents, doc)
        self._continue_places(events, sents, doc)
        self._continue_actors(events, sents, clusters)
        self._source_acts(doc, events)
        self._continue_series(events, sents)
        doc._.events = self._specific(doc, events, sents)
        self._scene_places(doc._.events, sents, doc)
        self._story_dates(doc._.events, sents, doc)
        _one_strike(doc, doc._.events)
        return doc

    def _specific(self, doc: Doc, events: list[EventMention], sents: _Sentences) -> list[EventMention]:
        """The events the trained model (liaison.extract.specificity) takes for ones the text reports;
        each keeps its features and probability for training and inspection."""
        kept: list[EventMention] = []
        for n, ev in enumerate(events):
            ev.features = features(doc, ev, n, sents.index(ev.sent_start), len(sents.starts))
            ev.specific = self.specificity.probability(ev.features) if self.specificity else 1.0
            if self.specificity is None or ev.specific >= self.specificity.threshold:
                kept.append(ev)
        return kept

    # ---------------------------------------------------------------- 1. outcomes
    def _fold_outcomes(self, mentions: list[EventMention], sents: _Sentences) -> list[EventMention]:
        out: list[EventMention] = []
        for ev in mentions:
            if ev.outcome:
                host = self._outcome_host(ev, out, sents)
                if host is not None:
                    _absorb(host, ev)
                    continue
            out.append(ev)
        return out

    def _outcome_host(self, ev: EventMention, prior: list[EventMention], sents: _Sentences) -> EventMention | None:
        here, para = sents.index(ev.sent_start), sents.paragraph(ev.sent_start)
        for o in reversed(prior):
            if o.type not in _VIOLENT or o.type == "foiled_attack" or o.outcome:
                continue
            back = here - sents.index(o.sent_start)
            if back > self.outcome_reach or para - sents.paragraph(o.sent_start) > 1:
                return None
            if conflict(o, ev):
                continue
            return o
        return None

    def _orphan_figures(self, doc: Doc, events: list[EventMention], sents: _Sentences) -> None:
        """Casualty figures of a sentence that reports no event ("Four policemen were killed and
        two others wounded.") belong to the violent event told just before them."""
        with_events = {ev.sent_start for ev in events} | {s for ev in events for _, s, _ in ev.others}
        starts = sorted((ev.sent_start, n) for n, ev in enumerate(events))
        keys = [s for s, _ in starts]
        for q in doc._.quantities or []:
            if q.kind not in ("killed", "wounded", "captured"):
                continue
            sent = sents.starts[sents.index(q.start)] if sents.starts else 0
            if sent in with_events:
                continue
            k = bisect_right(keys, q.start) - 1
            # (the host is at most outcome_reach sentences back: a few events, not all of them)
            candidates = [events[starts[j][1]] for j in range(k, max(k - 4 * self.outcome_reach, -1), -1)]
            stand_in = EventMention("attack", "attack", q.anchor, sent, sent + 1, quantities=[q])
            host = self._outcome_host(stand_in, list(reversed(candidates)), sents)
            if host is not None and all(x.kind != q.kind for x in host.quantities):
                host.quantities.append(q)

    # ---------------------------------------------------------------- 2. one sentence
    def _fold_in_sentence(self, mentions: list[EventMention], doc: Doc) -> list[EventMention]:
        """A generic noun ("the attack", "the operation") beside a specific mention of its sentence
        is that mention's event; a generic verb with a clause of its own ("terrorists who were
        attacking Somali forces") is an event of its own, and so is one the sentence tells as what
        came before ("strikes in response to recent attacks")."""
        out: list[EventMention] = []
        by_sentence: dict[int, list[EventMention]] = {}
        for ev in mentions:
            here = by_sentence.setdefault(ev.sent_start, [])
            cause = _earlier_cause(doc[ev.trigger]), _support(doc[ev.trigger])
            here_now = [o for o in here if (_earlier_cause(doc[o.trigger]), _support(doc[o.trigger])) == cause]
            host = next((o for o in here_now if _one_in_sentence(ev, o, ev, o)), None)
            if host is None:
                # the specific one came second: "the attack ... a drone strike"
                host = next((o for o in here_now if _one_in_sentence(o, ev, ev, o)), None)
                if host is not None:
                    _promote(host, ev)
            if host is None:
                out.append(ev)
                here.append(ev)
            else:
                _absorb(host, ev)
        return out

    # ---------------------------------------------------------------- 3. across sentences
    def _corefer(self, mentions: list[EventMention], sents: _Sentences) -> list[EventMention]:
        out: list[EventMention] = []
        for ev in mentions:
            host = self._antecedent(ev, out, sents)
            if host is None:
                out.append(ev)
            else:
                _absorb(host, ev)
        return out

    def _antecedent(self, ev: EventMention, prior: list[EventMention], sents: _Sentences) -> EventMention | None:
        here = sents.index(ev.sent_start)
        for o in reversed(prior):
            if o.sent_start == ev.sent_start:
                continue
            back = here - sents.index(o.sent_start)
            # a definite re-mention ("the operation") names the story's event however far back
            # a definite re-mention ("the operation") names the story's event however far back
            if back > self.remention_reach * (2 if ev.definite else 1):
                break
            # "the attack" may re-mention an airstrike; "the strike" does not re-mention an attack
            if not (o.type == ev.type or ev.definite and _generalises(ev.type, o.type)):
                continue
            if conflict(o, ev):
                continue
            if ev.definite:
                return o
            # "an operation in Syria to capture a senior leader of ISIL ... an operation in al-Amr to
            # capture an ISIL senior leader known as Abu Sayyaf": an act of one type aimed at the same
            # named person is one act, whatever figures each mention gives
            if not ev.fresh and o.type == ev.type and _persons(o) & _persons(ev) and _same_parties(o, ev):
                return o
            # an indefinite mention with figures of its own is a new event ("another attack killed six")
            if ev.quantities or ev.fresh:
                continue
            # "U.S. and coalition forces continued to attack ISIS between Dec. 15-17 ... Yesterday in
            # Iraq, coalition forces conducted a strike": one day of its own is a part of a summary
            # told over several days, not the summary again
            if _one_day(ev) and _several_days(o):
                continue
            parties = set(o.actors) | set(o.targets)
            if o.type == ev.type and (ev.actors or ev.targets) \
                    and set(ev.actors) | set(ev.targets) <= parties:
                return o
        return None

    # ---------------------------------------------------------------- 4. discourse slots
    def _govern_sources(self, doc: Doc, events: list[EventMention], sents: _Sentences) -> None:
        """Each event without a source of its own sentence takes the one that governs it."""
        labels = _speaker_turns(doc)
        by_para: dict[int, AttributionMention] = {}
        named: list[tuple[int, AttributionMention]] = []  # (sentence index, source), in text order
        for a in doc._.attributions or []:
            named.append((sents.index(a.sentence_start), a))
            if a.cue == "according to":
                by_para.setdefault(sents.paragraph(a.sentence_start), a)
        voice = _release_voice(doc)
        if voice is not None:
            named = sorted(named + [(sents.index(voice.sentence_start), voice)], key=lambda n: n[0])
        keys = [k for k, _ in named]
        issuer = _issuer(doc)
        for ev in events:
            if ev.attribution is not None:
                continue
            here = sents.index(ev.sent_start)
            turn = _turn_of(labels, ev.sent_start)
            if turn is not None:
                # in a transcript the speaker is the source, unless the speaker only asks
                ev.attribution = turn if turn.text.upper() not in _ASKERS else None
                if ev.attribution is not None:
                    ev.attribution_from = "speaker"
                continue
            para = sents.paragraph(ev.sent_start)
            if para in by_para:
                ev.attribution, ev.attribution_from = by_para[para], "paragraph"
                continue
            k = bisect_right(keys, here) - 1
            if k >= 0:
                ev.attribution, ev.attribution_from = named[k][1], "earlier"
            elif issuer is not None:
                ev.attribution, ev.attribution_from = issuer, "issuer"

    def _source_acts(self, doc: Doc, events: list[EventMention]) -> None:
        """A strike, raid or operation with no actor, told by a military or government body ("The
        U.S. military says seven militants have been killed in airstrikes"), is that body's: forces
        report their own operations. An attack is not: they report those of their enemies."""
        token_entity = doc._.token_entity or {}
        clusters = doc._.clusters or {}
        for ev in events:
            if ev.actors or ev.attribution is None or ev.type not in _OWN_REPORTS:
                continue
            a = ev.attribution
            keys = [token_entity[i] for i in range(a.start, a.end) if i in token_entity]
            bodies = [k for k in dict.fromkeys(keys) if clusters[k].type in ("government_body", "country")
                      and k not in ev.targets]
            if bodies:
                ev.actors = bodies[:1]

    def _continue_actors(self, events: list[EventMention], sents: _Sentences, clusters: dict[str, Cluster]) -> None:
        """An event with no actor, of the type of an event told just before it (the same or the
        previous paragraph), is one of a series by the same hands: "The U.S. military conducted
        strikes on AQAP on Dec. 29 and Jan. 8. On Dec. 29, one strike killed two operatives."

        A strike or raid with no actor and no such event before it is one of the strikes of the
        state forces the text last told acting ("U.S. and coalition forces continued to attack
        ISIL ... -- Near Raqqa, three strikes destroyed ..."): armed groups do not fly strikes."""
        for n, ev in enumerate(events):
            if ev.actors or ev.type not in _VIOLENT:
                continue
            para, here = sents.paragraph(ev.sent_start), sents.index(ev.sent_start)
            for o in reversed(events[:n]):
                if para - sents.paragraph(o.sent_start) > 1 or here - sents.index(o.sent_start) > self.remention_reach:
                    break
                if o.type == ev.type and o.actors:
                    ev.actors = [a for a in o.actors if a not in ev.targets]
                    break
            if ev.actors or ev.type not in _STATE_ACTS:
                continue
            for o in reversed(events[:n]):
                if o.type not in _VIOLENT or not o.actors:
                    continue
                if all(a in clusters and clusters[a].type in _STATE_BODIES for a in o.actors):
                    ev.actors = [a for a in o.actors if a not in ev.targets]
                break

    def _continue_series(self, events: list[EventMention], sents: _Sentences) -> None:
        """An undated strike or raid, with no date in its sentence, by the hands of a dated violent
        event told shortly before it, is one of that event's series and takes its day: a strike
        summary dates its lede ("forces continued to attack ISIL in Iraq yesterday") and lists
        the strikes undated."""
        last: dict[str, EventMention] = {}  # actor -> the last dated event it acted in
        for ev in events:
            if ev.date is not None and ev.date.resolved is not None and ev.type in _VIOLENT:
                for a in ev.actors:
                    last[a] = ev
                continue
            if ev.date is not None or ev.dated_sentence or ev.type not in _STATE_ACTS:
                continue
            here = sents.index(ev.sent_start)
            series = [last[a] for a in ev.actors if a in last
                      and here - sents.index(last[a].sent_start) <= self.remention_reach]
            if series:
                ev.date = max(series, key=lambda o: o.sent_start).date
                for a in ev.actors:
                    last[a] = ev  # the series goes on from here

    def _continue_places(self, events: list[EventMention], sents: _Sentences, doc: Doc) -> None:
        """An unplaced violent event in the paragraph of a placed one continues its story, and its place
        ("Militants attacked Kamdesh district ... The gunfight ended when security forces killed ..."),
        and so does one a few sentences after it in the next paragraphs; one in the sentence of a
        placed one happened there."""
        placed: dict[int, EventMention] = {}
        for ev in events:
            # (not an event the sentence tells as an earlier one: "strikes in response to attacks in Iraq")
            if ev.location is not None and ev.type in _VIOLENT and not _earlier_cause(doc[ev.trigger]):
                placed.setdefault(ev.sent_start, ev)
        last: tuple[int, EventMention] | None = None
        for ev in events:
            para = sents.paragraph(ev.sent_start)
            sibling = placed.get(ev.sent_start)
            if ev.location is None and ev.type in _VIOLENT and sibling is not None \
                    and not _earlier_cause(doc[ev.trigger]):
                # "an airstrike against al-Shabaab terrorists who were attacking Somali forces near
                # Buulobarde": the events of one sentence happened in the place it gives
                ev.location = sibling.location
                ev.places |= sibling.places
            if ev.location is not None:
                last = (para, ev)
            elif last is not None and ev.type in _VIOLENT and last[1].type in _VIOLENT and (
                    last[0] == para or sents.index(ev.sent_start) - sents.index(last[1].sent_start)
                    <= self.outcome_reach):
                ev.location = last[1].location
                ev.places |= last[1].places

    @staticmethod
    def _scene_places(events: list[EventMention], sents: _Sentences, doc: Doc) -> None:
        """An unplaced violent event happened where its paragraph set the scene (``_paragraph_place``).
        Run after the trained filter, which learned its weights on events without this place."""
        token_entity: dict[int, str] = doc._.token_entity or {}
        clusters = doc._.clusters or {}
        for ev in events:
            if ev.location is None and ev.type in _VIOLENT and ev.type != "foiled_attack":
                where = _paragraph_place(doc, ev, sents, token_entity, clusters)
                if where is not None:
                    ev.location = where

    def _continue_dates(self, events: list[EventMention], sents: _Sentences, doc: Doc) -> None:
        """An undated event in the paragraph of a dated one continues its story, and its day; one
        told in the present perfect with no date in its sentence ("Pakistan says it has arrested
        seven foreign nationals") happened just before the report: the publication day."""
        published = doc._.published
        last: tuple[int, EventMention] | None = None
        before: EventMention | None = None  # the last event with a day of its own
        kind_before: dict[str, EventMention] = {}  # the same, by type
        for ev in events:
            # "Four days earlier, six U.S. precision strikes ...": counted from the strike told
            # before (not from the day a statement about it was announced), else the last event
            anchor = kind_before.get(ev.type) or before
            shifted = _shifted(ev.date, anchor.date) if anchor is not None else None
            if shifted is not None:
                ev.date = shifted
            if ev.date is not None and ev.date.resolved is not None and ev.date.resolved.fidelity == "day" \
                    and ev.date.resolved.start == ev.date.resolved.end:
                before = ev
                kind_before[ev.type] = ev
            if ev.date is None and ev.perfect and not ev.dated_sentence and published is not None:
                start, end = ev.perfect
                ev.date = DateMention(start, end, doc[start:end].text,
                                      Resolved(published.isoformat(), published, published, "day"))
            para = sents.paragraph(ev.sent_start)
            if ev.date is not None and ev.date.resolved is not None:
                last = (para, ev)
            elif last is not None and last[0] == para and ev.type in _VIOLENT and last[1].type in _VIOLENT \
                    and not ev.dated_sentence:
                ev.date = last[1].date

    @staticmethod
    def _story_dates(events: list[EventMention], sents: _Sentences, doc: Doc) -> None:
        """The day of a story for its undated violent events beyond their paragraph: a paragraph that
        opens on an undated event tells its day in the sentences after it (``_lede_day``), and the
        story goes on into the next paragraphs until the text names another time. Run after the
        trained filter, which learned its weights on events without these dates."""
        dates: list[DateMention] = doc._.dates or []
        _unclaimed_day(events, dates)
        _since_an_earlier_act(events, doc)
        last: EventMention | None = None
        for ev in events:
            if ev.date is None and not ev.dated_sentence and ev.type in _VIOLENT and last is None:
                ev.date = _lede_day(ev, sents, dates, events)
            if ev.date is not None and ev.date.resolved is not None:
                last = ev
            elif ev.date is None and last is not None and (ev.type in _VIOLENT and last.type in _VIOLENT
                                                           or ev.type == last.type) \
                    and not ev.dated_sentence and not _dates_between(dates, last.sent_end, ev.sent_start, last.date):
                ev.date = last.date
            if ev.date is None and not ev.dated_sentence:
                ev.date = _paragraph_day(ev, sents, dates, events, doc)
                if ev.date is not None:
                    last = ev


def _one_day(ev: EventMention) -> bool:
    r = ev.date.resolved if ev.date is not None else None
    return ev.dated_sentence and r is not None and r.fidelity == "day" and r.start == r.end


def _several_days(ev: EventMention) -> bool:
    r = ev.date.resolved if ev.date is not None else None
    return r is not None and r.fidelity == "day" and r.start < r.end


def _since_an_earlier_act(events: list[EventMention], doc: Doc) -> None:
    """'Rebels have beheaded two of six captives who were abducted Tuesday': an event told in the
    present perfect whose date belongs to a clause about something done before it (the abduction of
    its victims) happened between that day and the day of the report."""
    published = doc._.published
    if published is None:
        return
    for ev in events:
        r = ev.date.resolved if ev.date is not None else None
        if ev.perfect is None or r is None or r.fidelity != "day" or r.start != r.end or r.start >= published:
            continue
        verb = doc[ev.date.start:ev.date.end].root.head
        verb_i = ev.perfect[1] - 1
        if verb.i == verb_i or verb.dep_ not in ("relcl", "acl") or not _in_arguments(verb.head, verb_i):
            continue
        ev.date = DateMention(ev.date.start, ev.date.end, ev.date.text,
                              Resolved(f"{r.start.isoformat()}/{published.isoformat()}", r.start, published, "day"))


def _in_arguments(node, verb_i: int) -> bool:  # noqa: ANN001
    """Whether a noun is one of a verb's arguments ("two of six captives" of "beheaded"), reached
    without passing through another verb."""
    for _ in range(4):
        if node.i == verb_i:
            return True
        if node.pos_ in ("VERB", "AUX") or node.head.i == node.i:
            return False
        node = node.head
    return False


def _unclaimed_day(events: list[EventMention], dates: list[DateMention]) -> None:
    """'Following the Jan. 15 attack on the M/V Gibraltar Eagle, on Jan. 16 U.S. Forces struck four
    missiles': where one event of a sentence took one of its dates and another event of it took
    none, the one day the sentence names that no event took is the undated one's."""
    by_sentence: dict[int, list[EventMention]] = {}
    for ev in events:
        by_sentence.setdefault(ev.sent_start, []).append(ev)
    for group in by_sentence.values():
        undated = [ev for ev in group if ev.date is None]
        claimed = {ev.date.start for ev in group if ev.date is not None}
        if not undated or not claimed:
            continue
        sent_end = group[0].sent_end
        free = [dm for dm in dates if group[0].sent_start <= dm.start < sent_end and dm.start not in claimed
                and dm.resolved is not None and dm.resolved.fidelity == "day"]
        if len(free) == 1:
            for ev in undated:
                ev.date = free[0]


def _paragraph_day(ev: EventMention, sents: _Sentences, dates: list[DateMention],
                   events: list[EventMention], ev_doc: Doc) -> DateMention | None:
    """'Gen. Townsend wrapped up a multi-country trip to the region, Nov. 17-23. During his travels, he
    visited civilian and military leaders': a day (or span of days) that an earlier sentence of the
    paragraph names, and that no event took, dates the undated event after it."""
    para = sents.paragraph(ev.sent_start)
    claimed = {o.date.start for o in events if o.date is not None}
    before = [dm for dm in dates if dm.start < ev.sent_start and sents.paragraph(dm.start) == para]
    if not before:
        return None
    dm = before[-1]
    r = dm.resolved
    if dm.start in claimed or r is None or r.fidelity != "day" \
            or any(dm.start < o.sent_start < ev.sent_start for o in events):
        return None
    k = sents.index(dm.start)
    sent = ev_doc[sents.starts[k]: sents.starts[k + 1] if k + 1 < len(sents.starts) else len(ev_doc)]
    if not any(t.pos_ in ("VERB", "AUX") for t in sent if not (dm.start <= t.i < dm.end)):
        return None  # a header's date line ("May 16, 2014") tells when the text was written
    return dm


def _dates_between(dates: list[DateMention], start: int, end: int, own: DateMention | None) -> bool:
    """Whether the text names any time, resolved or not ("in recent weeks"), between two tokens,
    other than ``own`` (the day the story was told, which may stand after its first event)."""
    if own is not None and own.start >= start:
        start = own.end  # (the times before it in that paragraph were read with it: ``_lede_day``)
    return any(start <= dm.start < end for dm in dates)


def _lede_day(ev: EventMention, sents: _Sentences, dates: list[DateMention],
              events: list[EventMention]) -> DateMention | None:
    """'Militants have killed 12 soldiers in an attack on an army camp. ... Two rebels infiltrated the
    camp early Saturday.': a paragraph that opens on an undated event tells its day in a sentence
    after it (within two), when no other event of the paragraph says a time of its own."""
    k = sents.index(ev.sent_start)
    if sents.starts[k] != ev.sent_start or (k > 0 and sents.para[k - 1] == sents.para[k]):
        return None  # not the paragraph's opening sentence
    para = sents.para[k]
    last = min(k + 2, len(sents.starts) - 1)
    while last > k and sents.para[last] != para:
        last -= 1
    if last == k:
        return None
    stop = sents.starts[last + 1] if last + 1 < len(sents.starts) else None
    later = [dm for dm in dates if dm.start >= ev.sent_end and (stop is None or dm.start < stop)]
    if not later or any(o is not ev and o.date is not None and ev.sent_end <= o.sent_start
                        and (stop is None or o.sent_start < stop) for o in events):
        return None
    first = next((dm for dm in later if dm.resolved is not None), None)  # ("Kashmir's winter capital")
    r = first.resolved if first is not None else None
    if r is None or r.fidelity != "day" or r.start != r.end:
        return None
    return first


class _Enclosing:
    """The places of a document that contain a place: its province, district and country, as the
    resolver knows them (the text's own "in Achin district, Nangarhar province", else GeoNames).
    Two mentions placed in Achin and in Nangarhar do not conflict; the event is in Achin."""

    def __init__(self, clusters: dict[str, Cluster]) -> None:
        self.clusters = clusters
        self.by_name: dict[str, list[str]] = {}
        for key, c in clusters.items():
            if c.type in ("place", "country"):
                self.by_name.setdefault(_fold(c.canonical), []).append(key)

    def __call__(self, key: str) -> set[str]:
        c = self.clusters.get(key)
        known = c.known if c is not None else None
        if known is None:
            return set()
        names = [getattr(known, "admin1", None), getattr(known, "admin2", None),
                 country_name(known.country_code) if c.type != "country" else None]
        return {k for n in names if n for k in self.by_name.get(_fold(n), ()) if k != key}


_CAUSES = {"response", "retaliation", "revenge", "reprisal", "after", "following", "since", "before", "amid"}


_SHIFT = re.compile(r"(?i)^(?:about |some )?(\w+) (day|week)s? (earlier|later|before|after)$")
_SMALL_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                  "nine": 9, "ten": 10}


def _shifted(date: DateMention | None, anchor: DateMention | None) -> DateMention | None:
    """'Four days earlier', 'two days later', 'a week before': a day counted from the day of the
    event told before it, which the publication date cannot resolve."""
    if date is None or date.resolved is not None or anchor is None or anchor.resolved is None:
        return None
    m = _SHIFT.match(date.text.strip())
    count = _SMALL_NUMBERS.get(m.group(1).lower()) or (int(m.group(1)) if m and m.group(1).isdigit() else None) \
        if m else None
    if not count:
        return None
    days = count * (7 if m.group(2).lower() == "week" else 1)
    sign = -1 if m.group(3).lower() in ("earlier", "before") else 1
    day = anchor.resolved.start + dt.timedelta(days=sign * days)
    return DateMention(date.start, date.end, date.text, Resolved(day.isoformat(), day, day, "day"))


_QUOTES = ("\"", "\u201c", "'", "\u2018")


def _quoted_comment(ev: EventMention) -> bool:
    """Whether a mention's source speaks in a quotation of its own sentence ('"This strike shows our
    resolve," said Gen. Kurilla'): a comment on the event, not the report of it."""
    a = ev.attribution
    return a is not None and a.cue != "according to" and a.sentence_start == ev.sent_start \
        and ev.quoted


def _one_strike(doc: Doc, events: list[EventMention]) -> None:
    """'-- Near Kisik, a strike destroyed an ISIL-held building': a strike or raid told in the
    singular with 'a' is one operation. Counted last, so that the figure plays no part in telling
    events apart (a re-mention 'an airstrike' of 'three strikes' is no conflict)."""
    for ev in events:
        trig = doc[ev.trigger]
        if ev.type not in ("airstrike", "raid_or_arrest") or trig.tag_ != "NN" \
                or any(q.kind == "operations" for q in ev.quantities):
            continue
        det = next((c for c in trig.children if c.dep_ == "det" and c.lower_ in ("a", "an")), None)
        if det is not None:
            ev.quantities.append(QuantityMention("operations", 1, "exact", 1, 1, det.i, trig.i + 1, trig.i))


_SUPPORTING = {"support", "back", "aid", "assist", "cover", "enable"}


def _support(tok) -> bool:  # noqa: ANN001
    """Whether a trigger names the support of another event ("Iraqi forces, supported by coalition
    airstrikes, killed 12 fighters in a clearance operation"): a happening of other hands."""
    return any(a.lemma_.lower() in _SUPPORTING and a.tag_ == "VBN" for a in list(tok.ancestors)[:2]) or (
        tok.dep_ == "pobj" and tok.head.lower_ in ("with", "by") and tok.head.head.lemma_.lower() in _SUPPORTING)


def _earlier_cause(tok) -> bool:  # noqa: ANN001
    """Whether a trigger hangs in a phrase that tells what came before ("in response to attacks",
    "after the attack"): another time, often another place."""
    chain = [tok, *list(tok.ancestors)[:4]]
    # "the fighting started after U.S. forces came under fire": the clause's own marker says it too
    return any(a.lower_ in _CAUSES for a in chain[1:]) or any(
        c.dep_ == "mark" and c.lower_ in _CAUSES for a in chain[:2] for c in a.children)


# The line of a release that says whose words it is: "(Attributable to Pentagon Press Secretary
# John Kirby)", "The below is attributable to Spokesperson Matthew Miller:", "Pentagon Chief
# Spokesperson Dana W. White provided the following readout:", "Statement by Secretary Austin".
_VOICE = re.compile(
    r"(?im)^[ \t]*(?:\(\s*)?(?:(?:the\s+)?(?:below|following|above)(?:\s+statement)?\s+is\s+)?attributable\s+to\s+"
    r"(?P<a>[^\n():]{3,120}?)\s*\)?[ \t]*:?[ \t]*$"
    r"|^[ \t]*(?P<b>[A-Z][^\n:]{3,120}?)\s+(?:provided|issued|released|gave|made)\s+the\s+following\s+"
    r"(?:readout|statement|remarks|comments?)[^\n]{0,40}?:?[ \t]*$"
    r"|^[ \t]*statement\s+(?:by|from)\s+(?P<c>[^\n]{3,120}?)[ \t]*$")
VOICE_LINES = 6  # how far into a release its voice line may come (after a header, a release number)


def _release_voice(doc: Doc) -> AttributionMention | None:
    """The person or office a release says it speaks for, in a line of its own near the top: the
    source of every claim after it that no later source governs (a spokesperson's readout)."""
    text = doc.text
    head = "\n".join(text.split("\n")[: VOICE_LINES * 2])  # (blank lines between the header lines)
    m = _VOICE.search(head)
    if m is None:
        return None
    group = next(g for g in ("a", "b", "c") if m.group(g))
    span = doc.char_span(m.start(group), m.end(group), alignment_mode="expand")
    if span is None:
        return None
    return AttributionMention(span.sent.start, span.start, span.end, span.text.strip(), "voice", span.start)


def _issuer(doc: Doc) -> AttributionMention | None:
    """The issuing body of a release, where the document's outlet is one ("U.S. Africa Command
    Public Affairs", "U.S. Department of State, Office of the Spokesperson"): its first mention in
    the text ("U.S. Africa Command"), or, where the text never names it, the outlet's own name
    with the text's first words as the span. A news outlet is no issuer: its stories say where
    their claims come from."""
    outlet = doc._.issuer
    clean = " ".join(_OUTLET_NOISE.sub(" ", outlet or "").split()).strip(" ,;:-")
    if not clean or not _ISSUING.search(clean) or len(doc) == 0:
        return None
    name = _fold(clean)
    best: tuple[int, int, int] | None = None  # (-length, start, end)
    for cluster in (doc._.clusters or {}).values():
        if cluster.type not in ("organization", "government_body", "armed_group"):
            continue
        for start, end in cluster.mentions:
            text = _fold(doc[start:end].text)
            if len(text) > 2 and f" {text} " in f" {name} ":
                cand = (-len(text), start, end)
                if best is None or cand < best:
                    best = cand
    if best is None:
        # "U.S. Department of State, Office of the Spokesperson": the body, not its office
        body = clean.split(",")[0].strip()
        return AttributionMention(0, 0, 1, body, "issuer", 0)
    span = doc[best[1]:best[2]]
    return AttributionMention(span.sent.start, span.start, span.end, span.text, "issuer", span.start)


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower().replace("u.s.", "us")).split())


def _speaker_turns(doc: Doc) -> list[tuple[int, AttributionMention]]:
    """(token offset where a turn starts, its speaker) of a transcript's speaker labels. A label
    that names a person of the text ("MS. PSAKI:" for Jen Psaki) gives that person's name."""
    turns: list[tuple[int, AttributionMention]] = []
    people = [(c, s, e) for c in (doc._.clusters or {}).values() if c.type == "person" for s, e in c.mentions]
    for m in _LABEL.finditer(doc.text):
        label = m.group(1).strip()
        if len(label) < 1 or not any(c.isalpha() for c in label):
            continue
        span = doc.char_span(m.start(1), m.end(1), alignment_mode="expand")
        if span is None:
            continue
        who = next((c for c, s, e in people if s < span.end and span.start < e), None)
        if who is None and label.upper() not in _ASKERS:
            # a label of a surname alone: the person of that surname the text names in full
            last = label.split()[-1].lower()
            who = next((c for c, s, e in people if doc[e - 1].lower_ == last and e - s > 1), None)
        full = max((doc[s:e].text for c, s, e in people if c is who), key=len) if who is not None else label
        # "MAJOR GENERAL PAT RYDER" says more than "Pat Ryder"; "MS. PSAKI" less than "Jen Psaki"
        text = label if full.lower() in label.lower() else full
        turns.append((span.start, AttributionMention(span.sent.start, span.start, span.end, text, "speaker",
                                                     span.start)))
    # A text with one label-like line ("NOTE:") is not a transcript, unless the label opens it.
    if len(turns) == 1 and doc.text[: doc[turns[0][0]].idx].strip() == "":
        return turns
    return turns if len(turns) >= 2 else []


def _turn_of(turns: list[tuple[int, AttributionMention]], token: int) -> AttributionMention | None:
    k = bisect_right([t for t, _ in turns], token) - 1
    return turns[k][1] if k >= 0 else None


def _one_in_sentence(general: EventMention, specific: EventMention, a: EventMention, b: EventMention) -> bool:
    """Whether the generic noun ``general`` names the event of ``specific``, ``a`` and ``b`` being
    the two mentions, of one sentence."""
    return a.sent_start == b.sent_start and general.noun and _generalises(general.type, specific.type) \
        and _same_parties(a, b) and not conflict(a, b)


def _generalises(general: str, specific: str) -> bool:
    """Whether a mention of type ``general`` may name an event of type ``specific``."""
    return specific in _GENERAL.get(general, ())


def _same_parties(a: EventMention, b: EventMention) -> bool:
    """No actor of one is a target of the other, and their actors, where both are named, meet."""
    if set(a.actors) & set(b.targets) or set(b.actors) & set(a.targets):
        return False
    return not (a.actors and b.actors and not set(a.actors) & set(b.actors))


def _persons(ev: EventMention) -> set[str]:
    """The named persons a violent mention is aimed at."""
    return {t for t in ev.targets if t.startswith("per:")} if ev.type in _VIOLENT else set()


def _promote(host: EventMention, specific: EventMention) -> None:
    """The event keeps its first mention's evidence but takes the more specific type."""
    if specific.type in _PROMOTE:
        host.type, host.subtype = specific.type, specific.subtype


def _absorb(host: EventMention, other: EventMention) -> None:
    """Merge ``other``'s slots into ``host`` (the first mention's win) and keep it as a mention."""
    host.others.append((other.trigger, other.sent_start, other.sent_end))
    host.others.extend(other.others)
    host.actors = list(dict.fromkeys(host.actors + [a for a in other.actors if a not in host.targets]))
    host.targets = list(dict.fromkeys(host.targets + [t for t in other.targets if t not in host.actors]))
    if other.location and (host.location is None or host.location in other.places):
        host.location = other.location  # the more specific place: "in Achin" after "in Nangarhar"
    host.places = host.places | other.places | ({other.location} if other.location else set())
    if host.date is None or host.date.resolved is None and other.date is not None:
        host.date = other.date or host.date
    kinds = {q.kind for q in host.quantities}
    host.quantities += [q for q in other.quantities if q.kind not in kinds]
    if host.attribution is None and not _quoted_comment(other):
        host.attribution = other.attribution
    host.confidence = max(host.confidence, other.confidence)
    host.hedged = host.hedged and other.hedged


_SCENE_PREPS = {"in", "inside", "across", "throughout", "near"}


def _paragraph_place(doc: Doc, ev: EventMention, sents: _Sentences, token_entity: dict[int, str],
                     clusters: dict[str, Cluster]) -> str | None:
    """'I know that you've all been tracking events in Somalia last night. ... U.S. forces destroyed
    an encampment': where the paragraph, before an unplaced violent event, names one place as
    where things happen (in a locative phrase), and no other, that place sets the scene. A
    place that takes part in the event (its actor or target) sets no scene."""
    para = sents.paragraph(ev.sent_start)
    first = ev.sent_start
    for n in range(sents.index(ev.sent_start) - 1, -1, -1):
        if sents.para[n] != para:
            break
        first = sents.starts[n]
    found: set[str] = set()
    for tok in doc[first:ev.trigger]:
        key = token_entity.get(tok.i)
        if key is None or key not in clusters or clusters[key].type not in ("place", "country"):
            continue
        if key in ev.actors or key in ev.targets:
            continue
        root = tok
        while root.head.i != root.i and token_entity.get(root.head.i) == key:
            root = root.head
        if root.dep_ == "pobj" and root.head.lower_ in _SCENE_PREPS:
            found.add(key)
        else:
            return None  # a place named otherwise (an actor's country, a description): no one scene
    return found.pop() if len(found) == 1 else None


@Language.factory(
    "liaison_discourse",
    requires=["doc._.events", "doc._.attributions", "doc._.clusters"],
    assigns=["doc._.events"],
    default_config={"outcome_reach": OUTCOME_REACH, "remention_reach": REMENTION_REACH, "specificity": SPECIFICITY},
)
def make_discourse_model(nlp: Language, name: str, outcome_reach: int, remention_reach: int,
                         specificity: str) -> DiscourseModel:
    return DiscourseModel(nlp, name, outcome_reach, remention_reach, specificity)
