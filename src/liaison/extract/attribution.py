"""Who a claim comes from: the subject of a reporting verb, or the object of "according to".

"the US military said", "according to unnamed officials speaking to the Washington Post",
"a security source based in Jordan told The National": the source is the whole noun
phrase the parse gives, so its qualifiers ("unnamed", "based in Jordan") stay with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from liaison.extract.config import component_data

if not Doc.has_extension("attributions"):
    Doc.set_extension("attributions", default=None)

_PRONOUNS = {"it", "he", "she", "they", "we", "i", "you", "this", "that", "there", "who", "which"}


@dataclass(frozen=True)
class AttributionMention:
    sentence_start: int  # token offset of the sentence it belongs to
    start: int
    end: int
    text: str
    cue: str
    cue_token: int


class AttributionFinder:
    """The ``liaison_attribution`` component."""

    def __init__(self, nlp: Language, name: str, cues: str = "cues.json") -> None:
        self.verbs = set(component_data(cues)["reporting_verbs"])

    def __call__(self, doc: Doc) -> Doc:
        out: list[AttributionMention] = []
        for sent in doc.sents:
            for tok in sent:
                found = self._according_to(tok) or self._reporting(tok)
                if found is not None:
                    span, cue = found
                    out.append(AttributionMention(sent.start, span.start, span.end, span.text, cue, tok.i))
        doc._.attributions = out
        return doc

    def _according_to(self, tok: Token) -> tuple[Span, str] | None:
        if tok.lower_ != "according" or tok.i + 1 >= len(tok.doc) or tok.doc[tok.i + 1].lower_ != "to":
            return None
        to = tok.doc[tok.i + 1]
        objs = [c for c in to.children if c.dep_ == "pobj"] or [c for c in tok.children if c.dep_ == "pobj"]
        if not objs:
            return None
        return _phrase(objs[0]), "according to"

    def _reporting(self, tok: Token) -> tuple[Span, str] | None:
        if tok.pos_ != "VERB" or tok.lemma_.lower() not in self.verbs:
            return None
        subjects = [c for c in tok.children if c.dep_ in ("nsubj",)]
        if not subjects:
            return None
        subj = subjects[0]
        if subj.lower_ in _PRONOUNS:
            return None
        # "told US media that ..." is a claim about what someone said only if it reports a clause
        if not any(c.dep_ in ("ccomp", "parataxis", "xcomp") for c in tok.children) and tok.dep_ not in (
            "parataxis", "ROOT", "ccomp", "conj"):
            return None
        return _phrase(subj), tok.lemma_.lower()


def _phrase(head: Token) -> Span:
    doc = head.doc
    left, right = head.left_edge.i, head.right_edge.i + 1
    # ", which took over from ..." and other clauses after a comma describe the source; they are not it
    for tok in doc[head.i + 1 : right]:
        if tok.text == "," or tok.dep_ in ("relcl",) and tok.i > head.i:
            right = tok.i
            break
    # A relative clause or an appositive after a comma belongs to the phrase, a trailing comma does not.
    # (a line break after the phrase is no part of it either: "according to a news release\n\n")
    while right > left + 1 and (doc[right - 1].is_punct and doc[right - 1].text != ")" or doc[right - 1].dep_ == "cc"
                                or doc[right - 1].is_space):
        right -= 1
    if doc[left:right].text.count("(") > doc[left:right].text.count(")") and right < len(doc) and doc[right].text == ")":
        right += 1
    while left < right - 1 and doc[left].is_punct:
        left += 1
    return doc[left:right]


@Language.factory("liaison_attribution", requires=["token.dep", "token.lemma"], assigns=["doc._.attributions"],
                  default_config={"cues": "cues.json"})
def make_attribution_finder(nlp: Language, name: str, cues: str) -> AttributionFinder:
    return AttributionFinder(nlp, name, cues)
