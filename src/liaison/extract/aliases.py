"""Names a text says belong to one thing: "HTS, formerly known as Jabhat al-Nusra".

Extraction keeps the two names as two entities of the document (the text speaks of the group
under its old name elsewhere, and a reader keeps them apart in time), but records each as an
alias of the other, so fusion (liaison.fuse.entities, rule `alias`) links a later document that
names the group only by its old name. The cue must stand between the two mentions, with at most
a comma, an article or an opening parenthesis around it, and the two must be of one coarse type:
"the Syrian Salvation Army, which rebranded from the Free Idlib Brigade" names one group twice;
"Idlib, formerly held by ..." names no second thing.
"""

from __future__ import annotations

import re
from dataclasses import replace

from liaison.model import Entity

# "X, formerly known as Y", "X (formerly Y)", "X, previously called Y", "X, which rebranded from Y",
# "X, also known as Y", "X, a.k.a. Y", "X, once known as Y", "X, renamed from Y", "X, now known as Y"
_CUE = re.compile(
    r"^\W{0,3}(?:which\s+|who\s+|that\s+)?(?:was\s+|is\s+|were\s+)?"
    r"(?:(?:formerly|previously|once|originally|also|now|later)\s+(?:known\s+as|called|named)|"
    r"formerly|a\.?k\.?a\.?|aka|(?:re)?branded\s+(?:itself\s+)?(?:from|as)|renamed\s+(?:from|as)?|"
    r"rebranded(?:\s+(?:from|as))?|also\s+(?:called|known\s+as)|known\s+as)"
    r"\s*(?:the\s+)?\W{0,2}$", re.IGNORECASE)
_COARSE = {"person": "person", "organization": "org", "armed_group": "org", "government_body": "org",
           "country": "place", "place": "place", "facility": "place"}
_MAX_GAP = 48  # characters between the two names: the cue and its punctuation, no clause


def stated_aliases(text: str, entities: list[Entity], offset: int = 0) -> list[Entity]:
    """``entities`` with each name the text ties to another by an alias cue added to the other's
    ``aliases`` (both ways). ``text`` starts at ``offset`` of the text the spans count in."""
    spans = sorted((m.start - offset, m.end - offset, e.key) for e in entities for m in e.mentions)
    by_key = {e.key: e for e in entities}
    extra: dict[str, list[str]] = {}
    for (s1, e1, k1), (s2, e2, k2) in zip(spans, spans[1:], strict=False):
        if k1 == k2 or s2 - e1 > _MAX_GAP or s2 < e1:
            continue
        a, b = by_key[k1], by_key[k2]
        if _COARSE.get(a.type) != _COARSE.get(b.type) or not _CUE.match(text[e1:s2]):
            continue
        extra.setdefault(k1, []).append(text[s2:e2])
        extra.setdefault(k2, []).append(text[s1:e1])
    if not extra:
        return entities
    return [replace(e, aliases=tuple(dict.fromkeys([*e.aliases, *extra[e.key]]))) if e.key in extra else e
            for e in entities]
