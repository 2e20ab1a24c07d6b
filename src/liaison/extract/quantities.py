"""Counts of killed, wounded, captured, troops and operations, with their bounds.

A number becomes a quantity through the parse: the noun it counts ("2,000 soldiers"),
the verb that noun (or the number itself) is the subject or object of ("19 were
captured", "killing 14 militants"), or an adjective after it ("30 dead").
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Token

from liaison.extract.config import component_data
from liaison.extract.numbers import is_number_word, parse_number

_SKIP_ENTS = {"DATE", "TIME", "MONEY", "PERCENT", "ORDINAL"}

# The longest run of tokens read as one number ("two hundred fifty thousand"). Without a bound,
# each token of a long run of figures (a table, a list of readings) rescanned the rest of the
# run: quadratic in the run's length.
MAX_NUMBER_TOKENS = 8


@dataclass(frozen=True)
class QuantityMention:
    kind: str
    value: int
    qualifier: str
    low: int | None
    high: int | None
    start: int  # token offsets of the number phrase
    end: int
    anchor: int  # the token (verb or noun) that gives the number its kind


if not Doc.has_extension("quantities"):
    Doc.set_extension("quantities", default=None)


class QuantityFinder:
    """The ``liaison_quantities`` component."""

    def __init__(self, nlp: Language, name: str, lexicon: str = "quantities.json") -> None:
        data = component_data(lexicon)
        self.verb_kind = {lem: kind for kind, lems in data["verbs"].items() for lem in lems}
        self.noun_kind = {lem: kind for kind, lems in data["nouns"].items() for lem in lems}
        self.adj_kind = {lem: kind for kind, lems in data["adjectives"].items() for lem in lems}
        self.qualifiers = [(q.split(), "lower_bound") for q in data["lower_bound"]]
        self.qualifiers += [(q.split(), "upper_bound") for q in data["upper_bound"]]
        self.qualifiers += [(q.split(), "approximate") for q in data["approximate"]]
        self.qualifiers.sort(key=lambda q: -len(q[0]))
        self.singular = set(data.get("singular_people", []))

    def __call__(self, doc: Doc) -> Doc:
        out: list[QuantityMention] = []
        used: set[int] = set()
        for tok in doc:
            if tok.i in used or not self._is_number(tok):
                continue
            start, end = tok.i, tok.i + 1
            while end < len(doc) and end - start < MAX_NUMBER_TOKENS and self._is_number(doc[end]):
                end += 1
            words = [t.text for t in doc[start:end]]
            value = parse_number(words)
            if value is None:
                continue
            low = high = value
            qualifier = "exact"
            # "between 1,500 and 2,000", "1,500 to 2,000"
            if start >= 2 and doc[start - 1].lower_ in ("and", "to", "-") and self._is_number(doc[start - 2]):
                continue  # the upper end of a range, read with its lower end
            nxt = end
            if nxt + 1 < len(doc) and doc[nxt].lower_ in ("and", "to", "-") and self._is_number(doc[nxt + 1]):
                j = nxt + 1
                while j < len(doc) and j - nxt <= MAX_NUMBER_TOKENS and self._is_number(doc[j]):
                    j += 1
                upper = parse_number([t.text for t in doc[nxt + 1 : j]])
                if upper is not None and upper > value:
                    low, high, value, qualifier = value, upper, upper, "range"
                    used.update(range(nxt + 1, j))
                    end = j
            if start >= 1 and doc[start - 1].lower_ == "between":
                start -= 1
            else:
                for words_q, kind in self.qualifiers:
                    n = len(words_q)
                    if start >= n and [t.lower_ for t in doc[start - n : start]] == words_q:
                        start -= n
                        qualifier = kind if qualifier == "exact" else qualifier
                        if kind == "lower_bound":
                            high = None
                        elif kind == "upper_bound":
                            low = None
                        break
            found = self._kind(doc[end - 1]) or self._kind(tok)
            if found is None:
                continue
            kind, anchor = found
            if start >= 2 and doc[start - 1].lower_ == "of" and self._is_number(doc[start - 2]) \
                    and kind in ("killed", "wounded", "captured"):
                # "beheaded two of six captives": the whole is six, the count the number before it
                part = parse_number([doc[start - 2].text])
                if part is None or part > value:
                    continue
                value = low = high = part
                start, end = start - 2, start - 1
            elif kind in ("killed", "wounded", "captured") and qualifier in ("exact", "lower_bound"):
                more = self._conjoined(doc[end - 1])
                if more:
                    # "killed two U.S. service members and a British medic": three
                    value += more
                    low = value if low is not None else None
                    high = value if high is not None else None
            out.append(QuantityMention(kind, value, qualifier, low, high, start, end, anchor.i))
        out += self._ones(doc, used | {i for q in out for i in range(q.start, q.end)})
        out.sort(key=lambda q: q.start)
        doc._.quantities = out
        return doc

    def _ones(self, doc: Doc, taken: set[int]) -> list[QuantityMention]:
        """Casualties of one that no number states: "killed a Taliban leader", "the death of Usamah
        al-Muhajir", "an insurgent was captured". The article or the name is the figure's span."""
        out: list[QuantityMention] = []
        ent_of = {i: e for e in doc.ents for i in range(e.start, e.end)}
        for tok in doc:
            if tok.i in taken:
                continue
            kind_anchor = None
            if tok.dep_ in ("dobj", "nsubjpass") and tok.head.lemma_.lower() in self.verb_kind:
                kind_anchor = (self.verb_kind[tok.head.lemma_.lower()], tok.head)
            elif tok.dep_ == "pobj" and tok.head.lower_ == "of" and tok.head.head.lemma_.lower() in self.noun_kind \
                    and self.noun_kind[tok.head.head.lemma_.lower()] in ("killed", "wounded", "captured") \
                    and tok.head.head.tag_ == "NN":
                kind_anchor = (self.noun_kind[tok.head.head.lemma_.lower()], tok.head.head)
            if kind_anchor is None or kind_anchor[0] not in ("killed", "wounded", "captured"):
                continue
            if any(c.dep_ == "conj" for c in tok.children) or tok.dep_ == "conj":
                continue  # "a soldier and two civilians": counted with the others or not at all
            det = next((c for c in tok.children if c.dep_ in ("det", "nummod") and c.lower_ in ("a", "an", "one")), None)
            if det is not None and tok.lemma_.lower() in self.singular and tok.tag_ == "NN":
                out.append(QuantityMention(kind_anchor[0], 1, "exact", 1, 1, det.i, tok.i + 1, kind_anchor[1].i))
            elif tok.ent_type_ in ("PERSON", "person"):
                ent = ent_of.get(tok.i)
                if ent is not None and ent.root.i == tok.i and not taken & set(range(ent.start, ent.end)):
                    out.append(QuantityMention(kind_anchor[0], 1, "exact", 1, 1, ent.start, ent.end, kind_anchor[1].i))
        return out

    def _is_number(self, tok: Token) -> bool:
        if tok.ent_type_ in _SKIP_ENTS:
            return False
        return tok.like_num and is_number_word(tok.text) or tok.lower_ in ("hundred", "thousand", "million", "dozen")

    def _conjoined(self, num: Token) -> int:
        """The people of one more kind the figure's noun is coordinated with, where the text
        counts them ("two service members and a British medic": one more; "and 14 others" is
        another figure, of its own)."""
        noun = num.head if num.dep_ == "nummod" and num.head.pos_ == "NOUN" else None
        if noun is None:
            return 0
        more = 0
        for conj in (c for c in noun.children if c.dep_ == "conj" and c.pos_ == "NOUN"):
            det = next((c for c in conj.children if c.dep_ in ("det", "nummod")), None)
            if det is not None and det.lower_ in ("a", "an", "one") and conj.lemma_.lower() in self.singular \
                    | {"medic", "contractor", "policeman", "guard", "citizen", "national"} and conj.tag_ == "NN":
                more += 1
        return more

    def _kind(self, num: Token) -> tuple[str, Token] | None:
        """What the number counts, and the word that says so."""
        noun = num.head if num.dep_ in ("nummod", "quantmod", "compound") and num.head.pos_ in (
            "NOUN", "PROPN", "ADJ") else None
        # "five members of the group were killed": the noun, then the verb it depends on.
        subject = noun or num
        if noun is not None:
            for child in noun.children:
                if child.dep_ in ("amod", "acl") and child.lemma_.lower() in self.verb_kind:
                    return self.verb_kind[child.lemma_.lower()], child
                if child.dep_ == "amod" and child.lower_ in self.adj_kind:
                    return self.adj_kind[child.lower_], child
        verb = subject.head
        # the subject of an active "killed" is the killer, not the killed ("three soldiers died" aside)
        active_killer = subject.dep_ == "nsubj" and verb.lemma_ not in ("die",) and not (
            # "two were killed and three wounded": a participle with no object is a passive whose
            # auxiliary the coordination left out
            verb.tag_ == "VBN" and not any(c.dep_ in ("dobj", "aux") for c in verb.children))
        if subject.dep_ in ("nsubjpass", "dobj", "nsubj", "attr", "pobj") and verb.lemma_.lower() in self.verb_kind \
                and not active_killer:
            return self.verb_kind[verb.lemma_.lower()], verb
        if subject.dep_ == "pobj" and verb.dep_ == "prep" and verb.head.lemma_.lower() in self.verb_kind:
            # "killing at least 30 of them", "arrests of 12 suspects"
            return self.verb_kind[verb.head.lemma_.lower()], verb.head
        if subject.dep_ == "pobj" and verb.lower_ == "of" and verb.head.lemma_.lower() in self.noun_kind \
                and self.noun_kind[verb.head.lemma_.lower()] in ("killed", "wounded", "captured"):
            # "the deaths of 15 people", "the detention of four suspects"
            return self.noun_kind[verb.head.lemma_.lower()], verb.head
        if subject.dep_ == "nsubj" and verb.lemma_ == "be":
            # "45 security personnel are dead"
            for child in verb.children:
                if child.dep_ in ("acomp", "attr") and child.lower_ in self.adj_kind:
                    return self.adj_kind[child.lower_], child
        # "14 killed", "30 dead": the number stands for the people.
        for child in num.children:
            if child.lemma_.lower() in self.verb_kind and child.dep_ in ("acl", "amod", "relcl"):
                return self.verb_kind[child.lemma_.lower()], child
            if child.lower_ in self.adj_kind:
                return self.adj_kind[child.lower_], child
        if noun is not None:
            lemma = noun.lemma_.lower()
            if lemma in self.noun_kind:
                return self.noun_kind[lemma], noun
            if noun.pos_ in ("NOUN", "PROPN") and noun.i + 1 < len(noun.doc):
                # compound nouns such as "service members"
                pair = f"{noun.lemma_.lower()} {noun.doc[noun.i + 1].lemma_.lower()}"
                if pair in self.noun_kind:
                    return self.noun_kind[pair], noun
        return None


@Language.factory("liaison_quantities", requires=["token.dep", "token.lemma"], assigns=["doc._.quantities"],
                  default_config={"lexicon": "quantities.json"})
def make_quantity_finder(nlp: Language, name: str, lexicon: str) -> QuantityFinder:
    return QuantityFinder(nlp, name, lexicon)
