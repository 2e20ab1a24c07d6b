"""Targets the discourse names: whom an act was aimed at, told first by a description.

Reporting often says whom a raid or an arrest was aimed at by a description and names them only
in the sentences after it:

- "U.S. special forces killed an Islamic State commander and captured his wife ... Officials
  described the Tunisian man, known as Abu Sayyaf, ... The IS leader's wife, known as Umm
  Sayyaf, ..."; "an operation in Syria to capture a senior leader of ISIL ... to capture an ISIL
  senior leader known as Abu Sayyaf".
- "today announced the extradition of three defendants ... Mustafa Kamel Mustafa, 54, ... is
  charged ...; Adel Abdel Bary, 52, a citizen of Egypt, and Khaled al Fawwaz, 50, ... are charged".

Two patterns, each the way a reader resolves such a description:

1. **One person described, named later.** A singular description of a person (a person noun
   after "a"/"an" or "his"/"her"/"their": "an Islamic State commander", "a senior leader of
   ISIL", "his wife") in a target position of a violent event (what its verb, or a verb
   coordinated with it, acts on; what its noun is "of"; whom it is "to capture") is the person
   that a later sentence, within ``REACH`` sentences, names with a naming cue ("known as N",
   "identified as N", "named N", or N in apposition to the noun) on a phrase headed by the same
   person noun, or by a general one made definite ("the Tunisian man"). A description already
   holding a person's name is named already, and the first naming phrase that fits is taken.
2. **A counted group, enumerated after.** A counted plural of people ("three defendants", "two
   suspects") that an arrest, detention or handover is of is the first that many persons the
   next sentences (the same and the next ``GROUP_PARAGRAPHS`` paragraphs) introduce: each the
   subject of its clause (not of a reporting verb, nor of one of dying or being hurt), followed
   by an apposition (an age, an alias, a description: "Adel Abdel Bary, 52, a citizen of
   Egypt"). Only when at least that many are introduced so; otherwise the count is left as it is.

The named persons become targets of the event (never where they are already its actors), and
so does the armed group a description names ("an Islamic State commander").
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from liaison.extract.entities import Cluster
from liaison.extract.events import EventMention
from liaison.extract.lexicon import load_json
from liaison.extract.numbers import parse_number

# How many sentences after the event's a naming phrase may stand in.
REACH = 4
# How many paragraphs after the event's may enumerate a counted group.
GROUP_PARAGRAPHS = 2
GROUP_REACH = 8

_VIOLENT = {"military_operation", "raid_or_arrest", "airstrike", "attack"}
_GROUP_TYPES = {"raid_or_arrest"}
_ACTING = {"kill", "capture", "seize", "arrest", "detain", "apprehend", "snatch", "eliminate", "neutralize",
           "neutralise", "target", "extradite", "abduct", "kidnap", "strike", "hit", "attack"}
_GENERAL_PERSONS = {"man", "woman", "person", "individual"}
_PERSONS = {"man", "woman", "person", "individual", "suspect", "terrorist", "jihadist", "defendant", "militant",
            "people", "men", "detainee", "prisoner", "fugitive", "accomplice", "conspirator"}
_INDEFINITE = {"a", "an"}
_ANAPHORIC = {"the", "this", "that"}
_POSSESSIVE = {"his", "her", "their"}
_NAMING = {"known", "identified", "named", "called", "nicknamed", "dubbed"}
_CASUALTY = {"kill", "wound", "injure", "die", "hurt", "shoot", "behead", "execute"}
_REPORTING = {"say", "tell", "announce", "state", "add", "report", "describe", "confirm", "note", "explain",
              "claim", "told", "said"}


def _roles() -> set[str]:
    return set(load_json("titles.json")["person_roles"])


class DescribedTargets:
    """Fills events' targets from the persons the discourse names (the module's two patterns)."""

    def __init__(self) -> None:
        self.nouns = _roles() | _PERSONS

    def __call__(self, doc: Doc, events: list[EventMention], sentence_of, paragraph_of) -> None:  # noqa: ANN001
        token_entity: dict[int, str] = doc._.token_entity or {}
        clusters: dict[str, Cluster] = doc._.clusters or {}
        people = sorted((s, e, k) for k, c in clusters.items() if c.type == "person" for s, e in c.mentions)
        for ev in events:
            if ev.type not in _VIOLENT:
                continue
            used: set[str] = set()
            for desc in self._descriptions(doc[ev.trigger], token_entity, clusters):
                count = self._count(desc)
                if count is None:
                    found = self._named(doc, desc, people, sentence_of, used)
                    named = [found] if found else []
                elif ev.type in _GROUP_TYPES:
                    named = self._enumerated(doc, desc, count, people, sentence_of, paragraph_of, ev, used)
                else:
                    named = []
                # "an Islamic State commander": the group of the person described is aimed at too
                groups = [token_entity[t.i] for t in desc.subtree if t.i in token_entity
                          and clusters[token_entity[t.i]].type == "armed_group"]
                for key in [*named, *dict.fromkeys(groups)]:
                    used.add(key)
                    if key not in ev.actors and key not in ev.targets:
                        ev.targets.append(key)

    # ------------------------------------------------------------ descriptions
    def _descriptions(self, trig: Token, token_entity: dict[int, str], clusters: dict[str, Cluster]) -> list[Token]:
        """Heads of person descriptions in the event's target positions, in text order."""
        heads: list[Token] = []
        if trig.pos_ in ("VERB", "AUX"):
            verbs = [trig]
            # "killed an Islamic State commander and captured his wife": coordinated acts, one event
            if trig.dep_ == "conj" and trig.head.pos_ == "VERB" and trig.head.lemma_.lower() in _ACTING:
                verbs.append(trig.head)
            verbs += [c for c in trig.children if c.dep_ == "conj" and c.pos_ == "VERB"
                      and c.lemma_.lower() in _ACTING]
            for v in verbs:
                heads += [c for c in v.children if c.dep_ in ("dobj", "nsubjpass")]
        else:
            heads += [p for c in trig.children if c.dep_ == "prep" and c.lower_ == "of"
                      for p in c.children if p.dep_ == "pobj"]
            # "conducted an operation in Syria to capture a senior leader of ISIL"
            for v in {trig, trig.head}:
                for clause in v.children:
                    if clause.dep_ in ("advcl", "acl", "xcomp", "relcl") and clause.lemma_.lower() in _ACTING:
                        heads += [c for c in clause.children if c.dep_ == "dobj"]
        out: list[Token] = []
        for h in heads:
            for t in [h, *(c for c in h.children if c.dep_ == "conj")]:
                if self._described(t, token_entity, clusters) and t not in out:
                    out.append(t)
        return sorted(out, key=lambda t: t.i)

    def _described(self, head: Token, token_entity: dict[int, str], clusters: dict[str, Cluster]) -> bool:
        """A person told by a description only: an indefinite or possessed person noun, or a
        counted plural of one, whose phrase names no person."""
        if head.pos_ != "NOUN" or head.i in token_entity or head.lemma_.lower() not in self.nouns \
                and head.lower_ not in self.nouns:
            return False
        if any(token_entity.get(t.i) in clusters and clusters[token_entity[t.i]].type == "person"
               for t in head.subtree):
            return False
        dets = {c.lower_ for c in head.children if c.dep_ in ("det", "poss")}
        return bool(dets & (_INDEFINITE | _POSSESSIVE)) or self._count(head) is not None

    @staticmethod
    def _count(head: Token) -> int | None:
        """The number of a counted plural description ("three defendants"), else None."""
        if head.tag_ not in ("NNS", "NNPS"):
            return None
        nums = [c for c in head.children if c.dep_ == "nummod"]
        if len(nums) != 1 or any(c.dep_ == "det" and c.lower_ in ("the", "these", "those") for c in head.children):
            return None
        value = parse_number([nums[0].text])
        return value if value is not None and 2 <= value <= 12 else None

    # ------------------------------------------------------------ 1. one person
    def _named(self, doc: Doc, desc: Token, people: list, sentence_of, used: set[str]) -> str | None:  # noqa: ANN001
        """The first person a later naming phrase of the description's noun names (pattern 1)."""
        here = sentence_of(desc.i)
        noun = desc.lemma_.lower()
        for start, end, key in people:
            if start <= desc.i or key in used:
                continue
            if sentence_of(start) - here > REACH:
                break
            head = _naming_head(doc, start, end)
            if head is None or head.i == desc.i:
                continue
            if head.lemma_.lower() == noun or head.lower_ == desc.lower_:
                return key
            # a general noun re-mentions only when definite: "the Tunisian man", not "a man"
            if head.lemma_.lower() in _GENERAL_PERSONS and any(
                    c.dep_ == "det" and c.lower_ in _ANAPHORIC for c in head.children):
                return key
        return None

    # ------------------------------------------------------------ 2. a counted group
    def _enumerated(self, doc: Doc, desc: Token, count: int, people: list, sentence_of, paragraph_of,  # noqa: ANN001
                    ev: EventMention, used: set[str]) -> list[str]:
        """The first ``count`` persons the next sentences introduce (pattern 2), or none."""
        here, para = sentence_of(desc.i), paragraph_of(desc.i)
        in_event = {k for s, _e, k in people if ev.sent_start <= s < ev.sent_end}
        found: list[str] = []
        for start, end, key in people:
            if start < ev.sent_end or key in used or key in in_event or key in found:
                continue
            if paragraph_of(start) - para > GROUP_PARAGRAPHS or sentence_of(start) - here > GROUP_REACH:
                break
            if _introduced_subject(doc, start, end):
                found.append(key)
                if len(found) == count:
                    return found
        return []


def _naming_head(doc: Doc, start: int, end: int) -> Token | None:
    """The noun a name at ``start:end`` is given to: "the Tunisian man, known as N", "a commander
    identified as N", "a leader named N", "the commander, N,"."""
    j = start - 1
    if j < 0:
        return None
    if doc[j].text == ",":
        # "the commander, N,": the name in apposition to the noun
        root = doc[start]
        while root.head.i != root.i and start <= root.head.i < end:
            root = root.head
        if root.dep_ == "appos" and root.head.i < start and root.head.pos_ == "NOUN":
            return root.head
        return None
    if doc[j].lower_ == "as":
        j -= 1
    if j < 0 or doc[j].lower_ not in _NAMING:
        return None
    j -= 1
    if j >= 0 and doc[j].lower_ == "also":
        j -= 1
    if j >= 0 and doc[j].text == ",":
        j -= 1
    if j < 0 or doc[j].pos_ != "NOUN":
        return None
    return doc[j]


def _introduced_subject(doc: Doc, start: int, end: int) -> bool:
    """Whether the name at ``start:end`` is introduced as the subject of its clause, with an
    apposition after it ("Adel Abdel Bary, 52, a citizen of Egypt, and ... are charged"), and the
    clause is not one of reporting ("X, a spokesman, said")."""
    if end >= len(doc) or doc[end].text != ",":
        return False
    root = doc[start]
    while root.head.i != root.i and start <= root.head.i < end:
        root = root.head
    node = root
    while node.dep_ == "conj" and node.head.i != node.i:
        node = node.head
    if node.dep_ not in ("nsubj", "nsubjpass"):
        return False
    # "X, a spokesman, said": a source; "X, 30, was killed": a casualty, not one of those held
    return node.head.lemma_.lower() not in _REPORTING | _CASUALTY
