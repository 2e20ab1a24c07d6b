"""What a name looks like, apart from what it names: the cues the entity resolver reads beside
spaCy's NER (liaison.extract.entities).

- Words that name nothing when they stand alone (months, compass words, holidays, religions,
  designation categories: data/entity_patterns.json "not_names").
- A person's name is whole: a suffix after it ("Roscoe Howard, Jr.", "Lloyd J. Austin III"),
  the given name before a middle initial the model left out ("Lloyd" of "J. Austin III"), two
  person spans side by side ("Hassan Sheikh" + "Mohamud").
- A transcript's speaker label in capitals ("PRESIDENT HASSAN SHEIKH MOHAMUD:") is read as the
  model reads it in ordinary case, since the model finds no names in capitals.
- Words that make a span no name: a finite verb or an adverb ("Three Others Were Seriously
  Wounded", a headline), a present participle before a preposition ("Conspiracy Resulting in
  Death", a charge).
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from liaison.extract.gazetteer import Known, actor_index, country_by_name, demonyms
from liaison.extract.lexicon import fold, load_json
from liaison.ingest.dateline import has_line_break

Found = tuple[int, int, str, Known | None]
_VERB_TAGS = {"VBD", "VBZ", "VBP", "MD", "RB", "RBR", "RBS"}
_PERSON = {"PERSON", "person"}
_HONORIFICS = {"sheikh", "shaikh", "sayyed", "sayed", "sultan", "emir", "amir", "malik", "haji", "hajji", "mullah",
               "maulawi", "mawlawi"}
_INITIAL = re.compile(r"^[A-Z]\.$")
_ROMAN = re.compile(r"^(?:I{1,3}|IV|VI{0,3})$")
_SPEAKER = re.compile(r"^[ \t]*(?P<label>[A-Z][A-Z.'\- ]{2,80}?)[ \t]*:", re.M)


@lru_cache(maxsize=1)
def not_names() -> frozenset[str]:
    data = load_json("entity_patterns.json")["not_names"]
    return frozenset(fold(w) for key, words in data.items() if not key.startswith("_") for w in words)


def is_not_name(text: str) -> bool:
    """Whether ``text`` names no entity on its own ("March", "West", "Eid al-Fitr", "Sikh")."""
    return fold(text) in not_names()


@lru_cache(maxsize=1)
def _titles() -> dict:
    return load_json("titles.json")


def suffixes() -> set[str]:
    return set(_titles()["name_suffixes"])


def given_name_titles() -> set[str]:
    return set(_titles()["given_name_titles"])


def is_suffix(text: str) -> bool:
    return text in suffixes()


def reads_as_no_name(span: Span) -> bool:
    """A span with a finite verb, a modal or an adverb in it, or a participle before a preposition,
    is a clause or a headline, not a name ("Initial Assessment Indicates Success")."""
    for tok in span:
        if tok.tag_ in _VERB_TAGS and tok.i > span.start:
            return True
        if tok.tag_ == "VBG" and tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].tag_ == "IN" and tok.i > span.start:
            return True
    return False


def whole_people(doc: Doc, ents: list[Span], titles: set[str]) -> list[Span]:
    """Person spans made whole: neighbours joined, a left-out given name and a suffix taken in."""
    out: list[Span] = []
    for ent in ents:
        # an office before a name is no part of it ("Sulu Governor" + "Abdusakur Tan"); an
        # honorific inside one is ("Hassan Sheikh" + "Mohamud")
        office = out and out[-1][-1].lower_.rstrip(".") in titles and out[-1][-1].lower_ not in _HONORIFICS
        if out and ent.label_ in _PERSON and out[-1].label_ in _PERSON and out[-1].end == ent.start \
                and not ent.id_ and not out[-1].id_ and not office:
            out[-1] = Span(doc, out[-1].start, ent.end, label=ent.label_)  # "Hassan Sheikh" + "Mohamud"
            continue
        out.append(ent)
    taken = {t for e in out for t in range(e.start, e.end)}
    fixed: list[Span] = []
    for ent in out:
        if ent.label_ not in _PERSON or ent.id_:
            fixed.append(ent)
            continue
        start, end = ent.start, ent.end
        # "Lloyd J. Austin III": the model took the name from the initial on
        if _INITIAL.match(doc[start].text) and start > 0 and start - 1 not in taken:
            prev = doc[start - 1]
            if prev.is_title and prev.is_alpha and prev.lower_ not in titles:
                start -= 1
        # "President Abdrabbu Mansour Hadi": the model took the name from its second word; the given
        # names between a title and the name are the name's
        k = start
        while k > 0 and start - k < 2 and k - 1 not in taken and doc[k - 1].is_title and doc[k - 1].is_alpha \
                and doc[k - 1].pos_ == "PROPN" and doc[k - 1].lower_ not in titles \
                and not has_line_break(doc[k - 1].whitespace_):
            k -= 1
        if k < start and k > 0 and doc[k - 1].lower_.rstrip(".") in titles and doc[k - 1].text[:1].isupper():
            start = k
        # "Roscoe Howard, Jr.", "Lloyd J. Austin III"
        if end < len(doc) and is_suffix(doc[end].text):
            end += 1
        elif end + 1 < len(doc) and doc[end].text == "," and doc[end + 1].text.rstrip(".") in ("Jr", "Sr"):
            end += 2
        if all(is_suffix(t.text) or t.is_punct for t in doc[start:end]):
            # "Roscoe Howard, Jr." where the model took "Jr." alone: the capitalised words before it are the name
            j = start - (start > 0 and doc[start - 1].text == ",")
            k = j
            while k > 0 and j - k < 3 and k - 1 not in taken and doc[k - 1].is_title and doc[k - 1].is_alpha \
                    and doc[k - 1].pos_ == "PROPN" and doc[k - 1].lower_ not in titles \
                    and not has_line_break(doc[k - 1].whitespace_):
                k -= 1
            if j - k >= 2:
                fixed.append(Span(doc, k, end, label=ent.label_))
            continue  # "Jr." alone is nobody
        fixed.append(Span(doc, start, end, label=ent.label_) if (start, end) != (ent.start, ent.end) else ent)
    return fixed


# Arabic articles written before a name with a hyphen ("Al-Shabab", "ash-Shabaab", "el-Sisi")
ARTICLES = frozenset({"al", "el", "ad", "ag", "ar", "as", "ash", "at", "ath", "az", "adh", "an", "ul", "ud", "ur"})
_HYPHENS = {"-", "\u2010", "\u2011"}


def with_articles(doc: Doc, ents: list[Span]) -> list[Span]:
    """"Al-Shabab": the tokenizer cuts a hyphenated article off the name, and a span that starts after it
    (the model's, or a curated alias written without it) is given it back, so the name is written whole."""
    starts = {t for e in ents for t in range(e.start, e.end)}
    out = []
    for ent in ents:
        s = ent.start
        if s >= 2 and doc[s - 1].text in _HYPHENS and not doc[s - 1].whitespace_ and not doc[s - 2].whitespace_ \
                and doc[s - 2].lower_ in ARTICLES and doc[s - 2].is_alpha and s - 2 not in starts \
                and (s < 3 or doc[s - 3].whitespace_ or doc[s - 3].is_punct):
            ent = Span(doc, s - 2, ent.end, label=ent.label_, span_id=ent.id_)
        out.append(ent)
    return out


def _ordinary_case(word: str) -> str:
    if _INITIAL.match(word) or _ROMAN.match(word.rstrip(".,")):
        return word
    return word[:1] + word[1:].lower()


def speaker_people(nlp: Language, doc: Doc, titles: set[str]) -> list[Span]:
    """The people that transcript speaker labels in capitals name ("MAJOR GENERAL PAT RYDER:").

    The label is put in ordinary case, word by word (initials and Roman numerals kept, so the
    characters stay where they were), and read by the model's NER alone; its person spans,
    made whole, are the doc's spans at the same characters."""
    if "ner" not in nlp.pipe_names:
        return []
    out: list[Span] = []
    for m in _SPEAKER.finditer(doc.text):
        label = m.group("label")
        if not any(c.isalpha() for c in label) or len(label.split()) < 2 or label != label.upper():
            continue
        start = m.start("label")
        cased = "".join(_ordinary_case(w) if w.strip() else w for w in re.split(r"(\s+)", label))
        small = nlp.make_doc(cased)
        for name in ("tok2vec", "tagger", "attribute_ruler", "ner"):
            if name in nlp.pipe_names:
                small = nlp.get_pipe(name)(small)
        people = whole_people(small, [e for e in small.ents if e.label_ == "PERSON"], titles)
        for ent in people[-1:]:  # the speaker is the last name of the label
            words = [t for t in ent if t.lower_.rstrip(".") not in titles or t.i > ent.start]
            if not words:
                continue
            span = doc.char_span(start + words[0].idx, start + ent.end_char, label="PERSON")
            if span is not None:
                out.append(span)
    return out


_OFFICES = {"secretary", "minister", "president", "ambassador", "envoy", "general", "admiral", "chairman",
            "commander", "director", "coordinator", "chancellor", "spokesperson", "spokesman", "spokeswoman",
            "adviser", "advisor", "governor", "undersecretary"}
_DEPARTMENTS = {"defense", "defence", "state", "foreign", "affairs", "interior", "policy", "homeland", "security",
                "treasury", "justice", "the", "of", "for", "and", "national", "intelligence"}


def titled_people(doc: Doc, ents: list[Span]) -> list[Span]:
    """People the model missed right after an office that names them: "Secretary of Defense Jim
    Mattis met with Turkish Minister of Defense Fikri Işık": two or three capitalised words after
    an office word (and the department it is of), that no entity covers, before a word in lower
    case or a punctuation mark."""
    taken = {i for e in ents for i in range(e.start, e.end)}
    out: list[Span] = []
    for tok in doc:
        if tok.lower_ not in _OFFICES or not tok.is_title:
            continue
        i = tok.i + 1
        while i < len(doc) and doc[i].lower_ in _DEPARTMENTS and (doc[i].is_title or doc[i].is_lower):
            i += 1
        # "Ambassador to Mozambique Dennis Hearne": the country an office is to or in is no part of the name
        if i + 1 < len(doc) and doc[i].lower_ in ("to", "in") and country_by_name(doc[i + 1].text) is not None:
            i += 2
        if i < len(doc) and doc[i].text in ("Dr.", "Mr.", "Ms.", "Mrs."):
            i += 1
        j = i
        while j < len(doc) and j - i < 4 and doc[j].is_alpha and doc[j].text[:1].isupper() \
                and not doc[j].is_upper and doc[j].pos_ == "PROPN":
            j += 1
        if not 2 <= j - i <= 3 or taken & set(range(i, j)):
            continue
        if j < len(doc) and doc[j].text[:1].isupper() and doc[j].is_alpha:
            continue  # the name goes on into words we cannot read as one
        out.append(Span(doc, i, j, label="PERSON"))
        taken.update(range(i, j))
    return out


# -- names the text builds from others: a country's government, a group's province -------------

_GOVERNMENT_QUALIFIERS = {"federal", "transitional", "national", "interim", "royal", "central", "caretaker"}
_QUOTES = ("\u201c", "\u201d", '"', "\u2018", "\u2019")
_ALIAS_CUES = (("also", "known", "as"), ("aka",), ("a.k.a.",), ("a", "/", "k", "/", "a"), ("alias",), ("also", "called"),
               ("or",))


def country_of(text: str) -> Known | None:
    """The country a country name or demonym names ("Somali" -> Somalia)."""
    return country_by_name(demonyms().get(text, text))


def governments(doc: Doc, found: list[Found]) -> list[Found]:
    """A country's government and its security forces are bodies of their own, not the country:
    "the Federal Government of Somalia", "the government of Yemen", "the Somali government",
    "Yemen's government", "Iraqi security forces". Each is named by one rule, so that every
    document gives it the same canonical name and key ("Government of Somalia")."""
    taken = {t: i for i, (s, e, _t, _k) in enumerate(found) for t in range(s, e)}
    new: list[tuple[int, int, str, Known]] = []
    for tok in doc:
        item = _government_of(doc, tok) or _government_before(doc, tok)
        if item is not None:
            new.append(item)
    if not new:
        return found
    drop = {taken[t] for s, e, _t, _k in new for t in range(s, e) if t in taken}
    # a curated name that covers more than the rule's span stays (it is the longer name)
    drop = {i for i in drop if not (found[i][3] is not None and found[i][3].source == "actors"
                                    and found[i][1] - found[i][0] > 1)}
    kept_new = [n for n in new if not any(t in taken and taken[t] not in drop for t in range(n[0], n[1]))]
    drop = {i for i in drop if any(n[0] <= found[i][0] < n[1] for n in kept_new)}
    return sorted([f for i, f in enumerate(found) if i not in drop] + kept_new, key=lambda f: f[0])


def _government_of(doc: Doc, tok: Token) -> Found | None:
    """"(the Federal) Government of (the) Somalia"."""
    if tok.lower_ != "government" or tok.i + 2 >= len(doc) or doc[tok.i + 1].lower_ != "of":
        return None
    j = tok.i + 2 + (doc[tok.i + 2].lower_ == "the")
    k = j
    while k < len(doc) and k - j < 4 and (doc[k].is_title or doc[k].lower_ in ("of", "and")) \
            and country_of(doc[j:k + 1].text) is None:
        k += 1
    country = country_of(doc[j:k + 1].text) if k < len(doc) else None
    if country is None:
        return None
    start = tok.i
    while start > 0 and doc[start - 1].lower_ in _GOVERNMENT_QUALIFIERS and doc[start - 1].is_title == tok.is_title:
        start -= 1
    return start, k + 1, "government_body", _body(f"Government of {_with_article(country.canonical)}")


# "the Somali military", "Iraq's army", "the Pakistani parliament": a state's own institution named
# by the country and a common noun; each noun gives one canonical name, so every document agrees.
_STATE_BODY_NOUNS = {"military": "{dem} Armed Forces", "army": "{dem} Army", "navy": "{dem} Navy",
                     "police": "{dem} Police", "parliament": "Parliament of {country}"}
# The United States' own "military" in its releases is the issuer speaking, not a body it names.
_NOT_STATE_BODY = {("United States", "military")}


def _government_before(doc: Doc, tok: Token) -> Found | None:
    """"the Somali government", "Yemen's government", "Iraqi security forces", "the Somali military"."""
    low = tok.lower_
    if low not in ("government", "security", *_STATE_BODY_NOUNS) or tok.i == 0:
        return None
    end = tok.i + 1
    if low == "security":
        if not (end < len(doc) and doc[end].lower_ == "forces"):
            return None
        end += 1
    elif low == "military" and end < len(doc) and doc[end].lower_ == "forces":
        end += 1  # "Philippine military forces": the forces are the military, no noun it modifies
    j = tok.i - 1
    if doc[j].tag_ == "POS" and j > 0:
        j -= 1
    if doc[j].lower_ in _GOVERNMENT_QUALIFIERS and j > 0:
        j -= 1
    # "U.S. Navy": a country's initials name it before one of its services, spaced or not ("U. S. Army")
    if j > 0 and low in _STATE_BODY_NOUNS and _INITIAL.match(doc[j].text) and _INITIAL.match(doc[j - 1].text) \
            and country_of(doc[j - 1].text + doc[j].text) is not None:
        j -= 1
        country = country_of(doc[j].text + doc[j + 1].text)
    else:
        country = country_of(doc[j].text) if doc[j].is_title or low in _STATE_BODY_NOUNS and doc[j].is_upper else None
    if country is None:
        return None
    if end < len(doc) and doc[end].pos_ == "NOUN" and not (low in _STATE_BODY_NOUNS and tok.is_title):
        return None  # "U.S. government personnel", "a Somali military commander": a modifier
    # (a service written as its proper name still names itself as a modifier: "a U.S. Navy destroyer")
    if end + 1 < len(doc) and doc[end].lower_ == "of" and doc[end + 1].is_title and doc[tok.i].is_title:
        return None  # "the Libyan Government of National Accord": a name of its own
    dem = _demonym_of(country.canonical) or country.canonical
    if country.canonical == "United States":
        dem = "United States"  # "United States Navy", as the services name themselves
    if low in _STATE_BODY_NOUNS:
        if (country.canonical, low) in _NOT_STATE_BODY or doc[j].text in ("U.S.", "US") and low == "military":
            return None
        name = _STATE_BODY_NOUNS[low].format(dem=dem, country=_with_article(country.canonical))
    else:
        name = f"Government of {_with_article(country.canonical)}" if low == "government" else f"{dem} Security Forces"
    return j, end, "government_body", _body(name)


def _with_article(country: str) -> str:
    """"the United States", "the Philippines": a country named as a union or in the plural."""
    first = country.split()[0]
    if first in ("United", "Republic", "Democratic", "Central", "Federated") or country.endswith("s") and \
            country not in ("Laos", "Belarus", "Cyprus", "Mauritius", "Barbados", "Honduras"):
        return f"the {country}"
    return country


def _body(name: str) -> Known:
    return Known(name, "government_body", "rule")


@lru_cache(maxsize=1)
def _demonym_by_country() -> dict[str, str]:
    out: dict[str, str] = {}
    for dem, country in demonyms().items():
        out.setdefault(country, dem)
    return out


def _demonym_of(country: str) -> str | None:
    return _demonym_by_country().get(country)


def possessive_names(doc: Doc, ents: list[Span]) -> list[Span]:
    """"Islamic State's Khorasan Province" is the curated "Islamic State Khorasan Province": a
    curated name, a possessive and capitalised words that make a curated name without it."""
    out: list[Span] = []
    longer: list[Span] = []  # the names made longer here: only they can hold another
    skip_to = -1
    for ent in ents:
        if ent.start < skip_to:
            continue
        end = ent.end
        if ent.id_ and end + 1 < len(doc) and doc[end].tag_ == "POS":
            k = end + 1
            while k < len(doc) and doc[k].is_title and k - end < 5:
                k += 1
            for stop in range(k, end + 1, -1):
                known = actor_index().get(fold(ent.text + " " + doc[end + 1:stop].text))
                if known is not None:
                    longer.append(Span(doc, ent.start, stop, label=known.type, span_id=known.canonical))
                    out.append(longer[-1])
                    skip_to = stop
                    break
            else:
                out.append(ent)
            continue
        out.append(ent)
    if not longer:
        return out
    return [e for e in out if not any(o is not e and o.start <= e.start and e.end <= o.end and o.end - o.start >
                                      e.end - e.start for o in longer)]


def alias_pairs(doc: Doc, token_entity: dict[int, str], mentions: list[tuple[int, int, str]]) -> list[tuple[str, str]]:
    """(host key, alias key) for every "X, also known as Y", "X, aka Y", "X (alias Y)" and
    "X, or Y," the text writes between two names: Y is another name of X. "or" counts only
    between commas, after a name that does not end a list ("Smith, Jones, or Brown")."""
    by_start = {s: (e, k) for s, e, k in mentions}
    out = []
    host_of: dict[str, str] = {}  # "X, a/k/a Y, a/k/a Z": Z is another name of X, not of Y alone
    for start, end, key in mentions:
        k = end
        while k < len(doc) and k - end < 2 and doc[k].text in (",", "(", *_QUOTES):
            k += 1
        first = doc[k].lower_ if k < len(doc) else ""
        for cue in _ALIAS_CUES:
            if cue[0] != first or tuple(t.lower_ for t in doc[k:k + len(cue)]) != cue:
                continue
            j = k + len(cue)
            while j < len(doc) and (doc[j].text == "," or doc[j].text in _QUOTES):
                j += 1
            other = by_start.get(j)
            if other is None or other[1] == key:
                break
            if cue == ("or",):
                after = doc[other[0]] if other[0] < len(doc) else None
                if doc[end].text != "," or after is None or after.text not in (",", ".", ")", ";") \
                        or start > 0 and doc[start - 1].text == ",":
                    break
            host = host_of.get(key, key)
            if other[1] == host:
                break
            host_of[other[1]] = host
            out.append((host, other[1]))
            break
    return out


ORG_HEADS = {"office", "court", "command", "department", "ministry", "police", "council", "division", "agency",
              "bureau", "service", "academy", "university", "authority", "commission", "directorate", "embassy",
              "consulate", "headquarters", "unit", "brigade", "battalion", "regiment", "squadron", "wing", "fleet"}
_PLACE_LABELS = {"GPE", "LOC", "country", "place"}


def longer_names(doc: Doc, ents: list[Span]) -> list[Span]:
    """A country, a place or a curated name is not to swallow the longer name it begins:
    "New York Field Office" and "U.S. District Court for the District of Columbia" are
    organisations (a place, then capitalised words ending in an organisation's head noun);
    "ISIS-Somalia" is a name of its own (a curated name joined by a hyphen to more); so is
    "the Islamic State in Mozambique (ISIS-M)" (a curated name, "in" a place, and an
    abbreviation that begins with one of the curated name's own)."""
    starts = {e.start: e for e in ents}
    out: list[Span] = []
    skip_to = -1
    for ent in ents:
        if ent.start < skip_to:
            continue
        new = _org_after_place(doc, ent, starts) or _hyphenated(doc, ent) or _branch(doc, ent, starts)
        prefixed = _curated_prefix(doc, new or ent, starts)
        if prefixed is not None:
            if out and out[-1].end > prefixed.start and out[-1].start >= prefixed.start and not out[-1].id_:
                out.pop()  # "Hay’at" + "Tahrir al-Sham": the model's word was the alias's first
            elif out and out[-1].end > prefixed.start:
                prefixed = new or ent  # the words before belong to the name before
            new = prefixed
        if new is not None:
            out.append(new)
            skip_to = new.end
        else:
            out.append(ent)
    return out


def _org_after_place(doc: Doc, ent: Span, starts: dict[int, Span]) -> Span | None:
    if ent.label_ not in _PLACE_LABELS:
        return None
    k = ent.end
    while k < len(doc) and k - ent.end < 4 and doc[k].is_title and doc[k].lower_ not in ORG_HEADS:
        k += 1
    if not (k < len(doc) and doc[k].is_title and doc[k].lower_ in ORG_HEADS):
        return None
    if any(j in starts for j in range(ent.end, k + 1)):
        return None  # "U.S. Department of State": the words after the place are a name of their own
    end = k + 1
    if end + 1 < len(doc) and doc[end].lower_ in ("for", "of"):
        j = end + 1 + (doc[end + 1].lower_ == "the")
        nxt = starts.get(j) or starts.get(end + 1)
        if nxt is not None:
            end = nxt.end
    return Span(doc, ent.start, end, label="ORG")


def _curated_prefix(doc: Doc, ent: Span, starts: dict[int, Span]) -> Span | None:
    """"U. S. Africa Command": words before a curated name that make a longer alias of it."""
    if not ent.id_:
        return None
    if ent.start == 0 or not doc[ent.start - 1].text[:1].isupper():  # "Hay’at" is no title case to Python
        return None  # the word before must be capitalised whatever the length tried
    for n in (3, 2, 1):
        # the words may be a name the model found alone ("Hay’at" before "Tahrir al-Sham"), not a curated one
        if ent.start - n < 0 or any(j in starts and (starts[j].id_ or starts[j].end > ent.start or j > ent.start - n)
                                    for j in range(ent.start - n, ent.start)):
            continue
        if not all(t.text[:1].isupper() for t in doc[ent.start - n : ent.start]) or doc[ent.start - n].lower_ == "the":
            continue
        known = actor_index().get(fold(doc[ent.start - n : ent.end].text))
        if known is not None and known.canonical == ent.id_:
            return Span(doc, ent.start - n, ent.end, label=ent.label_, span_id=ent.id_)
    return None


def _hyphenated(doc: Doc, ent: Span) -> Span | None:
    if not ent.id_ or ent.end + 1 >= len(doc) or ent[-1].whitespace_ or doc[ent.end].text != "-" \
            or doc[ent.end].whitespace_:
        return None
    nxt = doc[ent.end + 1]
    if not (nxt.is_title or nxt.is_upper) or not nxt.is_alpha:
        return None
    whole = doc[ent.start : ent.end + 2].text
    if actor_index().get(fold(whole)) is not None:
        return None  # a curated name of its own ("ISIS-K"): the ruler's
    return Span(doc, ent.start, ent.end + 2, label=ent.label_)


def _branch(doc: Doc, ent: Span, starts: dict[int, Span]) -> Span | None:
    if not ent.id_ or ent.end + 1 >= len(doc) or doc[ent.end].lower_ != "in":
        return None
    j = ent.end + 1 + (doc[ent.end + 1].lower_ == "the")
    place = starts.get(j)
    if place is None or place.label_ not in _PLACE_LABELS or place.end >= len(doc) or doc[place.end].text != "(":
        return None
    first = doc[place.end + 1].text if place.end + 1 < len(doc) else ""
    own = actor_index().get(fold(first))
    if own is None or own.canonical != ent.id_:
        return None
    return Span(doc, ent.start, place.end, label=ent.label_)


def lowercase_abbreviations(doc: Doc) -> set[str]:
    """Abbreviations the text defines by lowercase words ("an anti-ship ballistic missile
    (ASBM)", "improvised explosive devices (IEDs)"): abbreviations of common nouns, never names."""
    out: set[str] = set()
    for tok in doc[1:-1]:
        if doc[tok.i - 1].text != "(" or doc[tok.i + 1].text != ")":
            continue
        letters = [c for c in tok.text if c.isupper()]
        if not 2 <= len(letters) <= 8:
            continue
        words: list[str] = []
        k = tok.i - 2
        while k >= 0 and len(words) < len(letters) + 2 and doc[k].is_lower or k >= 0 and doc[k].text == "-":
            if doc[k].is_alpha:
                words.insert(0, doc[k].text)
            k -= 1
        initials = "".join(w[0] for w in words).upper()
        if len(words) >= 2 and initials.endswith("".join(letters).rstrip("S")):
            out.add(tok.text)
    return out
