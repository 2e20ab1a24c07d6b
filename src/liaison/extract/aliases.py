"""Names a text says belong to one thing: "HTS, formerly known as Jabhat al-Nusra".

Extraction keeps the two names as two entities of the document (the text speaks of the group
under its old name elsewhere, and a reader keeps them apart in time), but records each as an
alias of the other, so fusion (liaison.fuse.entities, rule `alias`) links a later document that
names the group only by its old name. The cue must stand between the two mentions, with at most
a comma, an article or an opening parenthesis around it, and the two must be of one coarse type:
"the Syrian Salvation Army, which rebranded from the Free Idlib Brigade" names one group twice;
"Idlib, formerly held by ..." names no second thing. Two cues reach further: "A ... under the
name B" (A the last name before it in the same sentence: "al-Nusrah Front remains engaged in
terrorism under the name Jabhat Fath al Sham"), and a naming verb before "A or B" ("whether it
calls itself A or B").

A name after the cue that the tagger wrote in pieces ("Hay’at" + "Tahrir al-Sham", split at a
typographic apostrophe) is read whole: the mentions that follow one another with nothing but a
space between are one name, and its entity is the first of them of the cue's coarse type that is
not the entity before the cue.
"""

from __future__ import annotations

import re
from dataclasses import replace

from liaison.model import Entity

# "X, formerly known as Y", "X (formerly Y)", "X, previously called Y", "X, which rebranded from Y",
# "X, also known as Y", "X, a.k.a. Y", "X, a/k/a Y", "X, once known as Y", "X, renamed from Y", "X, now known as Y"
_CUE = re.compile(
    r"^\W{0,3}(?:which\s+|who\s+|that\s+)?(?:was\s+|is\s+|were\s+)?"
    r"(?:(?:formerly|previously|once|originally|also|now|later)\s+(?:known\s+as|called|named)|"
    r"formerly|a\.?k\.?a\.?|a/k/a|aka|(?:re)?branded\s+(?:itself\s+)?(?:from|as)|renamed\s+(?:from|as)?|"
    r"rebranded(?:\s+(?:from|as))?|also\s+(?:called|known\s+as)|known\s+as)"
    r"\s*(?:the\s+)?\W{0,2}$", re.IGNORECASE)
# "A remains active under the name B", "A, operating under the new name of B": the gap ends with
# the cue, and holds no sentence end.
_UNDER_NAME = re.compile(r"\bunder\s+the\s+(?:new\s+)?name\s+(?:of\s+)?\W{0,2}$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?;]\s")
_MAX_CLAUSE = 120  # characters of a clause before "under the name"
# "calls itself A or B", "known as A or B": two names joined by "or" after a naming verb.
_OR = re.compile(r"^\s*,?\s*or\s+(?:the\s+)?$", re.IGNORECASE)
_NAMING_VERB = re.compile(r"\b(?:calls?|called|calling|names?|named)\s+(?:itself|themselves)\s+(?:the\s+)?$"
                          r"|\bknown\s+as\s+(?:the\s+)?$", re.IGNORECASE)
_COARSE = {"person": "person", "organization": "org", "armed_group": "org", "government_body": "org",
           "country": "place", "place": "place", "facility": "place"}
_MAX_GAP = 48  # characters between the two names: the cue and its punctuation, no clause
_PIECE_GAP = 1  # characters between two pieces of one name the tagger split


def _cued(text: str, before: int, gap: str) -> bool:
    """Whether ``gap`` (the text between two names, the first starting at ``before``) says they
    name one thing."""
    if len(gap) <= _MAX_GAP and _CUE.match(gap):
        return True
    if len(gap) <= _MAX_CLAUSE and _UNDER_NAME.search(gap) and not _SENTENCE_END.search(gap):
        return True
    if _OR.match(gap):  # the naming verb stands right before the first name
        return bool(_NAMING_VERB.search(text[max(0, before - 40):before]))
    return False


def stated_aliases(text: str, entities: list[Entity], offset: int = 0) -> list[Entity]:
    """``entities`` with each name the text ties to another by an alias cue added to the other's
    ``aliases`` (both ways). ``text`` starts at ``offset`` of the text the spans count in."""
    spans = sorted((m.start - offset, m.end - offset, e.key) for e in entities for m in e.mentions)
    by_key = {e.key: e for e in entities}
    extra: dict[str, list[str]] = {}
    for i, ((s1, e1, k1), (s2, e2, k2)) in enumerate(zip(spans, spans[1:], strict=False)):
        if s2 < e1 or not _cued(text, s1, text[e1:s2]):
            continue
        a = by_key[k1]
        # The name after the cue, read whole where the tagger split it.
        j, end = i + 1, e2
        while (k2 == k1 or _COARSE.get(by_key[k2].type) != _COARSE.get(a.type)) and j + 1 < len(spans):
            ns, ne, nk = spans[j + 1]
            if ns < end or ns - end > _PIECE_GAP or text[end:ns].strip():
                break
            j, end, k2 = j + 1, ne, nk
        b = by_key[k2]
        if k1 == k2 or _COARSE.get(a.type) != _COARSE.get(b.type):
            continue
        extra.setdefault(k1, []).append(text[s2:end])
        extra.setdefault(k2, []).append(text[s1:e1])
    if not extra:
        return entities
    return [replace(e, aliases=tuple(dict.fromkeys([*e.aliases, *extra[e.key]]))) if e.key in extra else e
            for e in entities]
