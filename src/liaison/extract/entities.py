"""Entity resolution inside one document: typed, titled, linked mentions of real things.

spaCy's NER and Liaison's EntityRuler (curated actors, countries, name patterns) find the
spans; this component trims titles and articles off them, types them with Liaison's seven
types, links abbreviations ("Hayat Tahrir al-Sham (HTS)") and short names ("Mr Al Shara")
to the full name, and gives each thing a canonical name from the gazetteers when known.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from liaison.extract.gazetteer import (
    Known,
    actor_index,
    admin_candidates,
    compact,
    country_by_name,
    demonyms,
    find_person,
    known_aliases,
    place_by_name,
    place_candidates,
    region_by_name,
    region_of,
    us_state_abbreviation,
)
from liaison.extract.hierarchy import contained, containers, place_noun
from liaison.extract.lexicon import fold, load_json, name_key
from liaison.extract.names import (
    ARTICLES,
    ORG_HEADS,
    alias_pairs,
    country_of,
    given_name_titles,
    governments,
    is_not_name,
    is_suffix,
    longer_names,
    lowercase_abbreviations,
    possessive_names,
    reads_as_no_name,
    speaker_people,
    titled_people,
    whole_people,
    with_articles,
)
from liaison.ingest.dateline import LINE_BREAK_CHARS, dateline_end, has_line_break

COARSE = {
    "person": "per",
    "organization": "org",
    "armed_group": "org",
    "government_body": "org",
    "country": "loc",
    "place": "loc",
    "facility": "loc",
}
LIAISON_LABELS = set(COARSE)
_SPACY_LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"}

_GOV_WORDS = {
    "ministry", "department", "command", "parliament", "administration", "government", "agency",
    "police", "directorate", "navy", "senate", "congress", "presidency", "intelligence", "court",
    "gendarmerie", "cabinet", "treasury", "pentagon", "embassy", "office", "bureau", "commission",
    "guard", "guards", "service", "services", "staff", "junta", "municipality", "authority",
}
_ARMED_WORDS = {
    "front", "brigade", "brigades", "battalion", "battalions", "militia", "militias", "movement",
    "liberation", "jihad", "mujahideen", "ansar", "jabhat", "harakat", "katiba", "katibat", "rebels",
    "insurgents", "group", "forces", "army", "faction", "tigers", "resistance", "hezbollah", "jaish",
}


# a briefing transcript's speaker label: "QUESTION:", "MR KIRBY:", "MS. PSAKI:" at a line's start
_TRANSCRIPT_LABEL = re.compile(r"(?m)^(QUESTION|MODERATOR|(MR|MS|MRS|DR)\.? [A-Z][A-Z'\-]+):")
_TRAILING_PARTICLES = {"le", "la", "de", "du", "des", "van", "von", "der", "den", "al", "el", "bin", "ibn", "abu",
                       "ould", "ben", "di", "da", "dos", "do"}
_COMPASS_POINTS = {"north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest"}
_RELEASE_KINDS = {"news release", "press release", "media note", "press statement", "fact sheet"}
# Nouns that say a person, besides titles.json's roles: "the Tunisian man, known as Abu Sayyaf"
_PERSON_NOUNS = {"man", "woman", "person", "individual", "boy", "girl", "suspect", "terrorist", "jihadist"}
_KUNYA = {"abu", "umm"}  # "father of", "mother of": the name a kunya is made with stands for the person
_BRACKETS = {"(": ")", "[": "]"}  # "Name (ABBR)", and a quotation's editor's "Name [ABBR]"
_LIST_MARKS = {"--", "-", "–", "—", "•", "*", "·"}
_OPENING_PREPOSITIONS = {"near", "in", "at", "outside", "around", "inside"}
_SERVICES = {"army", "navy", "marine", "marines", "air", "coast"}
_PLACE_NOUNS = {"town", "city", "village", "district", "province", "region", "state", "governorate", "county",
                "area", "neighbourhood", "neighborhood", "suburb", "camp", "locality", "commune", "municipality"}
_PLACE_SUFFIX = {"province", "governorate", "district", "region", "county", "area", "town", "city"}
_GEO = load_json("places.json")
_DIVISION_NOUNS = set(_GEO["division_nouns"])
_FEATURE_NOUNS = set(_GEO["feature_nouns"])
_COMPASS = set(_GEO["compass_words"])
_POPULATED_NOUNS = set(_GEO["populated_nouns"])
_FAR_TOWN_POPULATION = 100_000
_DIVISION_POPULATION = 100_000


@dataclass
class Cluster:
    """Every mention of one thing in one document, gathered before it becomes an Entity."""

    key: str
    type: str
    canonical: str
    known: Known | None = None
    mentions: list[tuple[int, int]] = field(default_factory=list)  # token offsets
    titles: list[str] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)


if not Doc.has_extension("clusters"):
    Doc.set_extension("clusters", default=None)
    Doc.set_extension("token_entity", default=None)


# Keys are stored and indexed (at most 512 characters); a longer name keeps its first words and a
# digest of the whole, so two long names still get two keys and the same name the same key.
MAX_KEY_NAME = 200


def entity_key(type_: str, canonical: str) -> str:
    """The key that names a thing across documents: its coarse type and folded canonical name."""
    name = fold(canonical)
    if len(name) > MAX_KEY_NAME:
        name = name[: MAX_KEY_NAME - 17] + "~" + hashlib.sha256(name.encode()).hexdigest()[:16]
    return f"{COARSE.get(type_, 'org')}:{name}"


def org_type(text: str) -> str:
    """Guess organisation, armed group or government body from the words of an unknown name."""
    words = fold(text).split()
    if not words:
        return "organization"
    if "armed" in words and "forces" in words:
        return "government_body"
    military = {"army", "forces", "force", "navy", "military"} & set(words)
    # "Nigerian Army", "Kenya Defence Forces", "Royal Navy": a state's own forces
    if military and (words[0] in {"national", "royal", "federal"} or text.split()[0] in demonyms()
                     or country_by_name(text.split()[0]) is not None or {"defence", "defense"} & set(words)):
        return "government_body"
    if set(words) & _GOV_WORDS:
        return "government_body"
    if set(words) & _ARMED_WORDS or words[0].startswith("al") and len(words) > 1 and words[0] in {"al"}:
        return "armed_group"
    return "organization"


class EntityResolver:
    """The ``liaison_entities`` component."""

    def __init__(self, nlp: Language, name: str) -> None:
        titles = load_json("titles.json")
        self.titles = {t.rstrip(".") for t in titles["titles"]}
        self.role_nouns = set(titles["role_nouns"])
        self.given_name_titles = given_name_titles()
        self.person_roles = set(titles["person_roles"])
        self.particles = set(titles["name_particles"])
        self.nlp = nlp

    def __call__(self, doc: Doc) -> Doc:
        found: list[tuple[int, int, str, Known | None]] = []
        self._dateline = dateline_line(doc.text)
        self._transcript = _TRANSCRIPT_LABEL.search(doc.text) is not None
        self._lower_abbreviations = lowercase_abbreviations(doc)
        ents = self._repaired_ents(doc)
        self._surnames = self._person_surnames(ents)
        self._introduced: set[str] = set()  # group names the text introduces as a person's
        for ent in ents:
            item = self._classify(doc, ent)
            if item:
                found.append(item)
        found = [self._as_introduced(doc, f) for f in found]
        found.extend(self._organisations_before_roles(doc, found))
        found.extend(self._missed_surnames(doc, found))
        found.extend(self._missed_full_names(doc, found))
        found.extend(self._gazetteer_places(doc, found))
        found = self._coordinated(doc, governments(doc, found))
        coalition = self._the_coalition(doc, found)
        if coalition:
            # the model's own guess at the bare word ("Coalition" as a place) gives way
            starts = {s for s, _e, _t, _k in coalition} | {e - 1 for _s, e, _t, _k in coalition}
            found = sorted([f for f in found if not (f[3] is None and f[1] - f[0] == 1 and f[0] in starts)]
                           + coalition, key=lambda f: f[0])
        found = self._resolve_places(doc, found)
        clusters: dict[str, Cluster] = {}
        token_entity: dict[int, str] = {}
        # Longest person names first, so that "Al Shara" finds "Ahmad Al Shara" wherever it stands.
        order = sorted(range(len(found)), key=lambda i: -(found[i][1] - found[i][0]))
        assigned: dict[int, str] = {}
        for i in order:
            start, end, type_, known = found[i]
            span = doc[start:end]
            assigned[i] = self._cluster_for(span, type_, known, clusters)
        abbreviations = self._abbreviations(doc, found, assigned, clusters)
        for i, (start, end, _t, _k) in enumerate(found):
            key = assigned[i]
            clusters[key].mentions.append((start, end))
            for t in range(start, end):
                token_entity[t] = key
        for tok in doc:
            key = abbreviations.get(tok.text)
            if key and tok.i not in token_entity:
                clusters[key].mentions.append((tok.i, tok.i + 1))
                token_entity[tok.i] = key
        self._merge_aliases(doc, clusters, token_entity)
        self._join_trailing_names(doc, clusters, token_entity)
        _spelled_out(doc, clusters, token_entity)
        _inner_aliases(doc, clusters)
        for cluster in clusters.values():
            cluster.mentions.sort()
            if cluster.type == "person":
                self._titles_and_descriptions(doc, cluster)
            elif cluster.known is not None and cluster.known.source == "iso3166-2":
                # "Cabo Delgado Province" and "Cabo Delgado" are one division: its name is the one the
                # text uses that is its own, not the longest
                own = [doc[s:e].text for s, e in cluster.mentions if fold(doc[s:e].text) == fold(cluster.known.canonical)]
                if own:
                    cluster.canonical = own[0]
        doc._.clusters = clusters
        doc._.token_entity = token_entity
        return doc

    # -- finding and typing -------------------------------------------------------------
    def _repaired_ents(self, doc: Doc) -> list[Span]:
        """Fix span boundaries the statistical model gets wrong on unfamiliar names.

        "Armed Forces of" + "Burkina Faso" become one name; "Philippine National Police (PNP"
        loses its bracket; "The National" followed by "Police" is part of a longer name; a
        "Name (ABBR)" whose initials spell ABBR spans the whole name (Schwartz & Hearst).
        """
        ents = list(doc.ents)
        out: list[Span] = []
        i = 0
        while i < len(ents):
            ent = ents[i]
            end = ent.end
            for j in range(ent.start, ent.end):
                if doc[j].text in _BRACKETS:
                    end = j
                    break
            span = Span(doc, ent.start, end, label=ent.label_, span_id=ent.id_) if end > ent.start else None
            if span is None:
                i += 1
                continue
            # a name cut before "of"/"of the" continues into the next entity
            nxt = ents[i + 1] if i + 1 < len(ents) else None
            if nxt is not None and span[-1].lower_ in ("of", "for", "the") and nxt.start == span.end and \
                    span.label_ in ("ORG", "armed_group", "government_body", "organization", "FAC"):
                span = Span(doc, span.start, nxt.end, label=span.label_, span_id=span.id_)
                i += 1
            elif span[-1].lower_ in ("of", "for", "the", "and") and len(span) > 1:
                span = Span(doc, span.start, span.end - 1, label=span.label_, span_id=span.id_)
            # a known name followed by more capitalised words is the start of a longer name
            k = span.end
            while k < len(doc) and doc[k].is_title and doc[k].pos_ == "PROPN" and (
                    k == span.end and span.label_ in ("organization",) and span[0].lower_ == "the"):
                k += 1
            if k > span.end:
                span = Span(doc, span.start + 1, k, label="ORG")
            out.append(span)
            i += 1
        out = whole_people(doc, longer_names(doc, possessive_names(doc, with_articles(doc, out))), self.titles)
        speakers = speaker_people(self.nlp, doc, self.titles)
        if speakers:
            out = sorted([e for e in out if not any(e.start < s.end and s.start < e.end for s in speakers)] + speakers,
                         key=lambda e: e.start)
        titled = titled_people(doc, out)
        if titled:
            out = sorted(out + titled, key=lambda e: e.start)
        return self._with_abbreviation_spans(doc, out)

    def _with_abbreviation_spans(self, doc: Doc, ents: list[Span]) -> list[Span]:
        stop = {"of", "the", "and", "for", "in", "de", "du", "des", "la", "le", "al", "wal", "to", "on"}
        for tok in doc[2:-1]:
            if _BRACKETS.get(doc[tok.i - 1].text) != doc[tok.i + 1].text:  # "(GNA)", "[GNA]"
                continue
            letters = [c for c in tok.text if c.isupper()]
            if not 2 <= len(letters) <= 8 or not tok.text[0].isupper():
                continue
            end = tok.i - 1
            best = None
            for start in range(end - 1, max(-1, end - len(letters) - 6), -1):
                words = [t for t in doc[start:end] if t.lower_ not in stop and t.is_alpha]
                if not words or not doc[start].is_title and not doc[start].is_upper:
                    continue
                if any(t.is_punct and t.text not in ("-", "'") for t in doc[start:end]):
                    break
                initials = "".join(t.text[0].upper() for t in words)
                if initials == "".join(letters) or initials.startswith("".join(letters)) and len(words) == len(letters):
                    best = start
                    break
            if best is None:
                continue
            new = Span(doc, best, end, label=self._abbr_label(doc[best:end]))
            ents = [e for e in ents if e.end <= best or e.start >= end] + [new]
        return sorted(ents, key=lambda e: e.start)

    @staticmethod
    def _abbr_label(span: Span) -> str:
        known = actor_index().get(fold(span.text))
        if known:
            return known.type
        if country_by_name(span.text) or place_by_name(span.text):
            return "GPE"
        return "ORG"

    def _classify(self, doc: Doc, ent: Span) -> tuple[int, int, str, Known | None] | None:
        label = ent.label_
        if label not in LIAISON_LABELS and label not in _SPACY_LABELS:
            return None
        start, end = ent.start, ent.end
        known: Known | None = None
        if label in LIAISON_LABELS and ent.id_:
            known = actor_index().get(fold(ent.id_)) or country_by_name(ent.id_)
        # Articles, titles and possessives are not part of a name; a title that is also a given name
        # ("Sultan Aziz Azam") is, before two more words.
        # "Jean-Yves Le" + "Drian": a person's name never ends in a particle; the next word is its end
        if label == "PERSON" and end < len(doc) and doc[end - 1].lower_ in _TRAILING_PARTICLES \
                and doc[end].is_title and not doc[end].ent_type_ and not has_line_break(doc[end - 1].whitespace_):
            end += 1
        # a name never runs across a line break: "Office of the Spokesperson\nWashington" is two lines
        for j in range(start, end):
            if doc[j].is_space or j < end - 1 and has_line_break(doc[j].whitespace_):
                end = j + (not doc[j].is_space)
                break
        # "-- Near Palmyra, three strikes": a preposition that opens a line is no part of the name
        if known is None and end - start > 1 and doc[start].is_title and doc[start].lower_ in _OPENING_PREPOSITIONS:
            start += 1
            if label == "PERSON":
                label = "GPE"
        # "From a Combined Joint Task Force News Release": the kind of release is no part of the name
        if end - start > 3 and fold(doc[end - 2:end].text) in _RELEASE_KINDS:
            end -= 2
        # "Spokesperson Ned Price" taken for an organisation: a title before two or more name words
        if label == "ORG" and known is None and end - start >= 3 and doc[start].lower_.rstrip(".") in self.titles \
                and all(t.is_title for t in doc[start + 1:end]) and not {t.lower_ for t in doc[start + 1:end]} & ORG_HEADS \
                and not is_not_name(doc[start:end].text):
            label = "PERSON"
        while start < end and (
            doc[start].text in ("a", "an") and end - start > 1
            or doc[start].lower_ == "the" and not (known and doc[start:end].text in _aliases_with_article())
            or label == "PERSON" and doc[start].lower_.rstrip(".") in self.titles and end - start > 1
            and not (doc[start].lower_ in self.given_name_titles and doc[start].is_title
                     and not (start > 0 and doc[start - 1].lower_ in ("the", "a")))
        ):
            start += 1
        while end > start and (doc[end - 1].is_punct or doc[end - 1].tag_ == "POS"):
            end -= 1
        # "Cabo Delgado and Niassa Provinces": the plural noun belongs to the list, not to Niassa
        if end - start > 1 and doc[end - 1].is_title and doc[end - 1].lower_.endswith("s") \
                and doc[end - 1].lower_[:-1] in _DIVISION_NOUNS and known is None \
                and country_by_name(doc[start:end].text) is None:
            end -= 1
            if label == "ORG":
                label = "GPE"
        # "Salahuddin province" names Salahuddin; "Sulu Governor" is a title after a place name
        # ("Colonel Roger King": after a rank, a surname that is also a title is the surname)
        after_rank = start > 0 and doc[start - 1].lower_.rstrip(".") in self.titles and doc[start - 1].is_title
        while end - start > 1 and (doc[end - 1].lower_ in _PLACE_SUFFIX and doc[end - 1].is_lower
                                   or label == "PERSON" and doc[end - 1].lower_.rstrip(".") in self.titles
                                   and not after_rank):
            end -= 1
        if start >= end:
            return None
        state = us_state_abbreviation(doc[start:end].text)
        if state is not None:
            return start, end, "place", state  # "Fort Bragg, N.C.": the state, never a town called so
        # "Army Maj. Michael Meyer": a service named before a rank is part of the rank
        if end - start == 1 and doc[start].lower_ in _SERVICES and end < len(doc) \
                and doc[end].lower_.rstrip(".") in self.titles:
            return None
        # "Joint Chiefs of Staff Army Gen. Dan Caine": the service before a rank is the rank's
        if end - start > 1 and doc[end - 1].lower_ in ("army", "navy", "marine", "marines") and end < len(doc) \
                and doc[end].lower_.rstrip(".") in self.titles:
            end -= 1
        # "SOUTHWEST ASIA", "East Africa": a compass point written like the name is part of the region
        if label in ("GPE", "LOC") and known is None and start > 0 and doc[start - 1].lower_ in _COMPASS_POINTS \
                and (doc[start - 1].is_upper and doc[start].is_upper or doc[start - 1].is_title and doc[start].is_title) \
                and country_by_name(doc[start:end].text) is None:
            start -= 1
            label = "LOC"
        span = doc[start:end]
        text = span.text
        if label not in LIAISON_LABELS and not any(c.isupper() for c in text) or len(span) > 10:
            return None
        if len(span) == 1 and span[0].lower_.rstrip(".") in self.titles and not known:
            return None
        # "an Islamic State Syria Province official": a curated group's province is a branch of the group
        if end - start > 2 and doc[end - 1].lower_ in ("province", "wilayat") and doc[end - 1].is_title and known is None:
            group = next((actor_index().get(fold(doc[start:k].text)) for k in range(end - 1, start, -1)
                          if actor_index().get(fold(doc[start:k].text)) is not None), None)
            if group is not None and group.type == "armed_group":
                return start, end, "armed_group", None
        parts = text.split("-")
        if known is None and len(parts) == 2 and all(country_of(p.strip()) is not None for p in parts):
            return None  # "the Mali-Niger border", "U.S.-Iraq ties": two countries as a modifier
        if known is None and not (label in LIAISON_LABELS and ent.id_) and (
                is_not_name(text) or text in demonyms() or label in ("ORG", "PERSON") and reads_as_no_name(span)
                or all(t.lower_.rstrip(".") in self.titles for t in span)):
            return None
        if label in ("GPE", "LOC") and known is None and (len(span) > 1 and span[-1].is_title and span[-1].lower_
                                                          in ORG_HEADS or len(span) == 1 and span[0].lower_ in _GOV_WORDS):
            label = "ORG"  # "New York Field Office", "Congress"
        if known is None and (span.end < len(doc) and doc[span.end].lower_ == "class" or span.end + 1 < len(doc)
                              and doc[span.end].text == "-" and doc[span.end + 1].lower_ == "class"):
            return None  # "the Ticonderoga-class cruiser", "Arleigh Burke class destroyers": a class of ships
        if known is None and span.text in self._lower_abbreviations:
            return None  # "an anti-ship ballistic missile (ASBM)": the abbreviation of a common noun
        if known is None and len(span) >= 3 and span[0].text in demonyms() and span[1].is_title \
                and any(t.lower_ == "of" for t in span[2:]) and span[1].lower_ not in ORG_HEADS:
            # a unique name after the demonym stands alone; a ministry needs its country
            start, span = start + 1, span[1:]  # "the Libyan Government of National Accord"
            text = span.text
        facility_end = _facility_noun_end(doc, span.end)
        if facility_end and label in _SPACY_LABELS and known is None and not (
                start > 0 and doc[start - 1].lower_ in ("a", "an")):  # "a Kabul mosque" names Kabul, no mosque
            return start, facility_end, "facility", None  # "the Westgate shopping mall", "Marib dam"
        if label == "ORG" and known is None and span[-1].is_title and span[-1].lower_ in _FACILITY_HEADS:
            label = "FAC"  # "DusitD2 Hotel"
        if label in ("FAC", "facility") and known is None and span[-1].lower_ in _UNIT_HEADS:
            label = "ORG"  # "USS Harry S. Truman Carrier Strike Group": a unit named after its ship
        if label in ("FAC", "facility") and end < len(doc) and doc[end].lower_ in ("complex", "compound"):
            end += 1  # "the DusitD2 Hotel complex"
            span, text = doc[start:end], doc[start:end].text
        if known is None:
            known = actor_index().get(fold(text))
        if known is None and label in _SPACY_LABELS and self._transcript and _addressed(doc, span):
            return start, end, "person", find_person(text)
        if known is not None and known.type in ("armed_group", "organization") and self._introduced_as_person(doc, span):
            # "an ISIL senior leader known as Abu Sayyaf": a man named like the group is the man
            self._introduced.add(fold(text))
            return start, end, "person", find_person(text)
        if known is None and label in ("ORG", "GPE", "LOC", "FAC") and self._person_cue(doc, span):
            return start, end, "person", find_person(text)
        if known is None and label in ("GPE", "LOC", "ORG") and len(span) >= 3 and span[0].lower_ in _KUNYA \
                and any(t.lower_ in ARTICLES for t in span[1:]) and place_by_name(text) is None:
            # "Abu al-Hassan al-Hashimi al-Qurayshi": a kunya and family names with their article are a
            # person's name, not a place's (a town named so, "Abu Kamal", is in the gazetteer)
            return start, end, "person", find_person(text)
        if known is None and label in _SPACY_LABELS and self._is_surname(doc, span):
            # "Ellison said", "Hirsi's associates": the surname of a person the text names in full, or
            # a name after a rank ("Col. Ellison"), is that person, whatever else GeoNames calls it.
            return start, end, "person", find_person(text)
        if label in LIAISON_LABELS:
            type_ = known.type if known else label
        elif known:
            type_ = known.type
        elif label in ("PERSON", "ORG") and self._looks_like_place(doc, span, label):
            known = place_by_name(text)
            type_ = "place"
        elif label == "PERSON":
            if text in demonyms():
                return None
            type_ = "person"
        elif label in ("GPE", "LOC"):
            known = country_by_name(text)
            if known:
                type_ = "country"
            else:
                known = region_by_name(text) or place_by_name(text)
                type_ = "place"
        elif label == "FAC":
            type_ = "facility"
        elif label == "ORG":
            type_ = org_type(text)
        else:  # NORP names an entity only when the gazetteer knows it as an actor
            return None
        if type_ == "person":
            person = find_person(text)
            known = person or known
        return start, end, type_, known

    def _person_cue(self, doc: Doc, span: Span) -> bool:
        """Whether the text makes an unfamiliar name a person's, whatever the model typed it: a name
        particle inside it ("Hamza bin Laden", "Abu Ubaidah"), a person's role right before it
        ("leader Abu Ubaidah") or in an apposition after it ("Ghafari, a senior leader of",
        "Ahmed Mukatallah, 47,"). Names a gazetteer knows as places ("Abu Dhabi") are not."""
        words = [t.lower_ for t in span]
        if len(span) >= 2 and (set(words[1:-1]) & self.particles or words[0] in self.particles) \
                and place_by_name(span.text) is None and all(t.is_title or t.lower_ in self.particles for t in span):
            return True
        before = doc[span.start - 1] if span.start > 0 else None
        if before is not None and before.is_lower and before.lower_ in self.person_roles and span[0].is_title:
            return True
        k = span.end
        if k + 2 < len(doc) and doc[k].text == ",":
            if doc[k + 1].like_num and doc[k + 2].text == ",":
                return True  # an age
            if doc[k + 1].lower_ in ("a", "an", "the"):
                j = k + 2
                while j < len(doc) and j - k < 6 and (doc[j].pos_ == "ADJ" or doc[j].is_lower and doc[j].pos_ == "NOUN"
                                                      and doc[j].lower_ not in self.person_roles):
                    j += 1
                return j + 1 < len(doc) and doc[j].lower_ in self.person_roles and doc[j + 1].lower_ in ("of", "in", "for")
        return False

    def _as_introduced(self, doc: Doc, item: tuple) -> tuple:
        """A group's name the document introduced as a person's is that person wherever it stands
        alone ("Abu Sayyaf was killed"); as a modifier of a noun ("Abu Sayyaf militants") it is
        still the group."""
        start, end, type_, _known = item
        text = doc[start:end].text
        if type_ in ("armed_group", "organization") and fold(text) in self._introduced \
                and not (end < len(doc) and doc[end].is_lower and doc[end].pos_ == "NOUN"):
            return start, end, "person", find_person(text)
        return item

    def _is_person_noun(self, tok: Token) -> bool:
        return tok.is_lower and (tok.lower_ in self.person_roles or tok.lemma_.lower() in _PERSON_NOUNS
                                 or tok.lower_ in _PERSON_NOUNS)

    def _introduced_as_person(self, doc: Doc, span: Span) -> bool:
        """Whether the text introduces a name as a person's even where a gazetteer knows it as a
        group's: "(a/the) <person noun or role> ... known as X" ("the Tunisian man, known as Abu
        Sayyaf", "an ISIL senior leader known as Abu Sayyaf") or an apposition "X, a <person role>
        of/in/for" whose head is the role ("Abu Sayyaf, a senior leader of the group"; not "X, a
        militant group", "VOA, the governor's spokesman")."""
        i = span.start
        if i >= 2 and doc[i - 1].lower_ == "as" and doc[i - 2].lower_ == "known":
            j = i - 3
            if j >= 0 and doc[j].lower_ == "also":
                j -= 1
            if j >= 0 and doc[j].text == ",":
                j -= 1
            return j >= 0 and self._is_person_noun(doc[j])
        k = span.end
        if k + 2 < len(doc) and doc[k].text == "," and doc[k + 1].lower_ in ("a", "an", "the"):
            j = k + 2
            while j < len(doc) and j - k < 6 and not self._is_person_noun(doc[j]) \
                    and (doc[j].pos_ == "ADJ" or doc[j].is_lower and doc[j].pos_ == "NOUN"):
                j += 1
            # the role heads the apposition: "a leader of", not "a militant group", "the governor's spokesman"
            return j + 1 < len(doc) and self._is_person_noun(doc[j]) and doc[j + 1].lower_ in ("of", "in", "for")
        return False

    def _in_dateline(self, tok: Token) -> bool:
        return self._dateline is not None and self._dateline[0] <= tok.idx < self._dateline[1]

    def _looks_like_place(self, doc: Doc, span: Span, label: str) -> bool:
        """A name the model took for a person or organisation but GeoNames knows as a place, and the
        sentence uses as one ("in Gao", "near Mopti") or that opens a dateline ("MOGADISHU, ...")."""
        if find_person(span.text) or actor_index().get(fold(span.text)):
            return False
        if label == "ORG" and len(span) == 1 and span[0].lower_ in _GOV_WORDS:
            return False  # "Members of Congress": a body's own word, whatever town GeoNames has of the name
        if label == "PERSON" and len(span) > 1 and self._person_cue(doc, span):
            return False  # "Khaled al Fawwaz, 50,": the age says it is a person, whatever GeoNames holds
        before = doc[span.start - 1] if span.start > 0 else None
        after = doc[span.end] if span.end < len(doc) else None
        if span.start >= 3 and before.lower_ == "of" and doc[span.start - 2].lower_ in ("town", "village", "city") \
                and doc[span.start - 3].lower_ == "home" or span.start >= 2 and before.lower_ == "of" \
                and doc[span.start - 2].lower_ in ("hometown", "birthplace"):
            return False  # "the home town of Saddam Hussein": a person's town, not a town's name
        # "the town of Sarmada", "Mogadishu's Daynile district", "Borno State": the words say it is a place
        if after is not None and after.lower_ in _PLACE_NOUNS or span[-1].lower_ in _PLACE_NOUNS:
            return True
        if self._list_noun(doc, span) is not None:  # "Diyala, Salahuddin and Kirkuk provinces"
            return True
        if span.start >= 2 and doc[span.start - 1].lower_ == "of" and doc[span.start - 2].lower_ in _PLACE_NOUNS:
            return True
        place = place_by_name(span.text)
        if place is None:
            return False
        if before is not None and before.lower_ in ("in", "near", "at", "outside", "from", "to", "into", "around",
                                                       "of", "across", "inside", "towards", "toward"):
            return True
        if self._in_dateline(doc[span.start]) or span[0].is_upper and len(span) == 1 and span.end < len(doc) \
                and doc[span.end].text == ",":
            return True
        return len(span) == 1 and label == "PERSON" and not self._is_surname(doc, span)

    @staticmethod
    def _the_coalition(doc: Doc, found: list) -> list:
        """"The coalition", "Coalition personnel", "the global coalition" in reporting on the Islamic
        State is the Global Coalition Against ISIS: the one coalition such a text has in mind. A
        coalition the text introduces ("a coalition of ...") or names otherwise is not."""
        if not any(k is not None and k.source == "actors" and k.canonical.startswith("Islamic State")
                   for _s, _e, _t, k in found):
            return []
        known = actor_index().get(fold("Global Coalition Against ISIS"))
        taken = {t for s, e, _t, k in found for t in range(s, e) if k is not None or e - s > 1}
        out = []
        for tok in doc:
            # ("a coalition of ..." introduces one; in "a coalition airstrike" the article is the strike's)
            if tok.lower_ != "coalition" or tok.i in taken or tok.i > 0 and doc[tok.i - 1].lower_ in ("a", "an") \
                    and tok.dep_ not in ("compound", "amod", "nmod"):
                continue
            start = tok.i - 1 if tok.i > 0 and doc[tok.i - 1].lower_ == "global" and tok.i - 1 not in taken else tok.i
            out.append((start, tok.i + 1, "organization", known))
        return out

    def _gazetteer_places(self, doc: Doc, found: list) -> list:
        """Places the model missed: the dateline city, and capitalised names after "in", "near", "at"
        that GeoNames knows ("in Aleppo", "near Hodeidah")."""
        taken = {t for s, e, _, _ in found for t in range(s, e)}
        out = []
        i = 0
        opened = -1  # where the name after a list item's opening preposition starts
        while i < len(doc):
            tok = doc[i]
            if tok.is_title and tok.lower_ in _OPENING_PREPOSITIONS:
                if i == tok.sent.start or doc[i - 1].text in _LIST_MARKS or doc[i - 1].is_space:
                    opened = i + 1
                i += 1  # "-- Near Raqqa, ...": the place begins after the preposition
                continue
            dateline = self._in_dateline(tok) and tok.is_upper
            # "the city of Jos", "the town of Patikul": the noun says it is a place, known or not
            noun_of = i >= 2 and doc[i - 1].lower_ == "of" and doc[i - 2].lemma_.lower() in _POPULATED_NOUNS
            # "Special Agent in Charge", "Assistant Director in Charge of ...": a title's words, no place
            in_charge = tok.lower_ == "charge" and i >= 2 and doc[i - 1].lower_ == "in" \
                and doc[i - 2].is_title and doc[i - 2].lower_.rstrip(".") in self.titles | self.person_roles
            if tok.i not in taken and not in_charge and (tok.is_title or tok.is_upper) and tok.pos_ == "PROPN" \
                    and us_state_abbreviation(tok.text) is None and (  # a state's abbreviation is _classify's
                    dateline or i > 0 and doc[i - 1].lower_ in ("in", "near", "at", "outside", "around", "from", "to")
                    or i == doc[i].sent.start or i > 0 and doc[i - 1].is_punct or noun_of):
                j = i + 1
                while j < len(doc) and doc[j].is_title and doc[j].pos_ == "PROPN" and j not in taken:
                    j += 1
                # "SOUTHWEST ASIA, Aug. 31": a dateline's compass point and the region it points to
                if dateline and j == i + 1 and tok.lower_ in _COMPASS_POINTS and j < len(doc) and doc[j].is_upper \
                        and doc[j].is_alpha and j not in taken and region_by_name(doc[j].text) is not None:
                    out.append((i, j + 1, "place", None))
                    taken.update(range(i, j + 1))
                    i = j + 1
                    continue
                span = doc[i:j]
                # "Assistant Director in Charge William Sweeney": a name before a person's is a title
                place = None if is_not_name(span.text) or j < len(doc) and doc[j].ent_type_ == "PERSON" \
                    or fold(span.text) in _GOV_WORDS else place_by_name(span.text)
                after_in = not (i == doc[i].sent.start or doc[i - 1].is_punct) or dateline
                # "Achin, a district of Nangarhar": the apposition says it is a place, known or not
                said = place_noun(doc, i, j) is not None and j < len(doc) and doc[j].text == "," or noun_of
                # "-- Near Ayn Isa, five strikes ...": a strike summary's item opens with its place
                said = said or opened == i and j < len(doc) and doc[j].text == "," and not is_not_name(span.text)
                if (place is not None and after_in or said) and not country_by_name(span.text):
                    out.append((i, j, "place", place))
                    taken.update(range(i, j))
                i = j
                continue
            i += 1
        return out

    # -- people's names are not places ------------------------------------------------------
    def _person_surnames(self, ents: list[Span]) -> set[str]:
        """The last word of every person the text names in two or more words ("Mark Ellison")."""
        out = set()
        for ent in ents:
            if ent.label_ not in ("PERSON", "person") or ent[0].is_title and ent[0].lower_ in _OPENING_PREPOSITIONS:
                continue  # "Near Palmyra" names a place, and gives no surname
            words = [t for t in ent if t.is_alpha and t.lower_.rstrip(".") not in self.titles and not is_suffix(t.text)]
            if len(words) >= 2 and words[-1].is_title:
                out.add(words[-1].lower_)
            if len(words) >= 3 and words[0].lower_ in _KUNYA and words[1].is_title:
                out.add(words[1].lower_)  # "Abu Hamza al-Masri" is "Hamza" for short, as well as "al-Masri"
        return out

    def _missed_surnames(self, doc: Doc, found: list) -> list:
        """"Muhammad Yusuf ... executed Yusuf": a surname of someone the text names in full, written alone
        where the model found no name (or a kind of name Liaison does not keep, such as a work of art), is
        that person. A capitalised word beside it would make it part of another name, so it stands alone."""
        if not self._surnames:
            return []
        taken = {t for s, e, _t, _k in found for t in range(s, e)}
        out = []
        for tok in doc:
            if tok.i in taken or tok.lower_ not in self._surnames or not tok.is_title or tok.pos_ != "PROPN" \
                    or tok.ent_type_ in _SPACY_LABELS or tok.ent_type_ in LIAISON_LABELS:
                continue
            if any(doc[j].pos_ == "PROPN" and doc[j].text[:1].isupper() for j in (tok.i - 1, tok.i + 1)
                   if 0 <= j < len(doc)) or tok.i > 0 and doc[tok.i - 1].lower_ in ("the", "a", "an"):
                continue  # (a person's surname takes no article: "the Dispatch" is no "Frontline Dispatch")
            out.append((tok.i, tok.i + 1, "person", find_person(tok.text)))
        return out

    def _missed_full_names(self, doc: Doc, found: list) -> list:
        """"Omar Shafik Hammami and Jehad Serwan Mostafa ... Hammami has appeared": the model found the
        surname alone but not the full name the text gives once; two or three capitalised proper nouns
        that end in a person's one-word name, that no entity covers, are that person's full name."""
        singles = {doc[s].lower_ for s, e, t, _k in found if t == "person" and e - s == 1 and doc[s].is_title}
        if not singles:
            return []
        taken = {t for s, e, _t, _k in found for t in range(s, e)}
        out = []
        for tok in doc:
            if tok.lower_ not in singles or tok.i in taken or tok.i + 1 < len(doc) and doc[tok.i + 1].pos_ == "PROPN" \
                    and doc[tok.i + 1].text[:1].isupper():
                continue
            k = tok.i
            while k > 0 and tok.i - k < 2 and k - 1 not in taken and doc[k - 1].is_title and doc[k - 1].is_alpha \
                    and doc[k - 1].pos_ == "PROPN" and doc[k - 1].lower_.rstrip(".") not in self.titles \
                    and not has_line_break(doc[k - 1].whitespace_):
                k -= 1
            if k < tok.i and not (k > 0 and doc[k - 1].pos_ == "PROPN" and doc[k - 1].text[:1].isupper()):
                out.append((k, tok.i + 1, "person", find_person(doc[k:tok.i + 1].text)))
                taken.update(range(k, tok.i + 1))
        return out

    def _is_surname(self, doc: Doc, span: Span) -> bool:
        """Whether a one-word name is a person's: a surname of someone named in full, or a name
        right after a title or rank ("Col. Ellison", "Mr Hirsi")."""
        if len(span) != 1 or country_by_name(span.text):
            return False
        if span[0].lower_ in self._surnames:
            return True
        before = doc[span.start - 1] if span.start > 0 else None
        return before is not None and before.lower_.rstrip(".") in self.titles and before.is_title

    @staticmethod
    def _list_noun(doc: Doc, span: Span) -> Token | None:
        """The place noun a list of names ends in: "provinces" for each of "Diyala, Salahuddin and
        Kirkuk provinces"; None when the span is not in such a list."""
        k = span.end
        names = 0
        while k < len(doc) and k - span.end < 12:
            tok = doc[k]
            if tok.text in (",", "and", "or") or tok.is_title and tok.pos_ == "PROPN":
                names += tok.is_title
                k += 1
                continue
            break
        if names and k < len(doc) and doc[k].lemma_.lower() in _PLACE_NOUNS and doc[k].lower_ != doc[k].lemma_.lower():
            return doc[k]
        return None

    @classmethod
    def _division_cue(cls, doc: Doc, span: Span) -> bool:
        """Whether the text calls the name an administrative division: "Diyala province", "the
        province of Idlib", "Diyala, Salahuddin and Kirkuk provinces"."""
        after = doc[span.end] if span.end < len(doc) else None
        if after is not None and after.lemma_.lower() in _DIVISION_NOUNS:
            return True
        if span.start >= 2 and doc[span.start - 1].lower_ == "of" and doc[span.start - 2].lemma_.lower() in _DIVISION_NOUNS:
            return True
        noun = cls._list_noun(doc, span)
        return noun is not None and noun.lemma_.lower() in _DIVISION_NOUNS

    # -- which place a name means -------------------------------------------------------------
    def _resolve_places(self, doc: Doc, found: list) -> list:
        """Choose, for every place name, the place the document means.

        A name can mean many places; the document's own geography decides: the countries it names
        (more weight in the same sentence and in the dateline) and the countries of the places that
        can mean only one. Administrative divisions (ISO 3166-2) join the candidates; a division
        noun ("provinces") prefers them. A place no gazetteer knows (a mountain range, a river, a
        region such as Puntland) takes its country from what the text says around it ("of northern
        Somalia", "Somalia's"), else from the country the document is plainly about.
        """
        weights: Counter[str] = Counter()
        by_sentence: dict[int, Counter[str]] = {}
        end = dateline_end(doc.text)
        own: dict[int, Counter[str]] = {}  # what each name adds, taken out again when it is chosen for
        for i, (start, _end, type_, known) in enumerate(found):
            if type_ == "country":
                codes = {known.country_code} if known and known.country_code else set()
            elif type_ == "place":
                text = fold(doc[start:_end].text)
                # evidence is a name that is a place's own name: "Nineveh" as another name of three
                # towns in Indiana says nothing about where the document is
                codes = {k.country_code for k in self._candidates(doc, doc[start:_end], known)
                         if fold(k.canonical) == text or k.feature == "administrative_area"}
                if codes != {k.country_code for k in self._candidates(doc, doc[start:_end], known)}:
                    continue
            else:
                continue
            if len(codes) != 1 or None in codes:
                continue  # ambiguous names are what the weights decide, not evidence
            cc = next(iter(codes))
            w = 2 if end is not None and doc[start].idx < end else 1
            weights[cc] += w
            own[i] = Counter({cc: w})
            by_sentence.setdefault(doc[start].sent.start, Counter())[cc] += 1
        out = list(found)
        inside = containers(doc, found)
        # Last first: a container ("Nangarhar province") comes after what it contains, and is chosen
        # before it, so that it can choose among the namesakes of what it contains.
        for i in sorted(range(len(out)), key=lambda n: -out[n][0]):
            start, stop, type_, known = out[i]
            if us_state_abbreviation(doc[start:stop].text) is not None:
                continue  # "Ga." is Georgia, whatever else the letters could mean
            if type_ == "place" and (known is None or known.source in ("geonames", "iso3166-2")):
                span = doc[start:stop]
                local = by_sentence.get(span.sent.start, Counter()) - Counter({c: 1 for c in own.get(i, ())})
                container = out[inside[i]][3] if i in inside else None
                out[i] = (start, stop, type_, self._choose(doc, span, known, weights - own.get(i, Counter()), local,
                                                           container))
        # Twice, so that "the mountains of Puntland" can follow Puntland, named later, to Somalia.
        for _ in range(2):
            for i, (start, stop, type_, known) in enumerate(out):
                if type_ == "place" and known is None and i not in inside:
                    out[i] = (start, stop, type_, self._located_by_context(doc, doc[start:stop], out, weights))
        return contained(doc, out, inside)

    def _candidates(self, doc: Doc, span: Span, known: Known | None) -> tuple[Known, ...]:
        text = span.text
        cities = place_candidates(text)
        if known is not None and known.source == "geonames" and known not in cities:
            cities = (known, *cities)
        # A close transliteration ("Salahuddin") counts only where the text says it is a division.
        divisions = admin_candidates(text, fuzzy=self._division_cue(doc, span))
        return (*divisions, *cities) if self._division_cue(doc, span) else (*cities, *divisions)

    def _choose(self, doc: Doc, span: Span, known: Known | None, weights: Counter, local: Counter,
                container: Known | None = None) -> Known | None:
        candidates = self._candidates(doc, span, known)
        if not candidates:
            return None
        # What the text says the place lies in ("Achin, a district of Nangarhar") outweighs the rest:
        # a namesake in that division, else in that country.
        within = {i for i, c in enumerate(candidates) if container is not None and _lies_in(c, container)}
        in_country = {i for i, c in enumerate(candidates)
                      if container is not None and container.country_code and c.country_code == container.country_code}
        division = self._division_cue(doc, span)
        # A division named like its own capital ("Kirkuk", "Menaka") is the town unless the text says
        # province: only then does the division count as populous. A town of that name elsewhere
        # ("California", Maryland) is no such capital: a capital lies in its own division.
        divisions = {c.admin_code for c in candidates if c.admin_code}
        towns = {c.country_code for c in candidates if c.feature == "populated_place"
                 and fold(c.canonical) == fold(span.text) and (c.admin1_code in divisions or not c.admin1_code)}

        def score(i: int) -> tuple:
            # Each mention of a candidate's country counts one (two in the same sentence); a place ten
            # times as populous counts one more, so a capital keeps its name against a namesake
            # hamlet unless the document's geography says otherwise; a place's own name counts two
            # more than another place's alternate name ("Gao" is in Mali, not Guantanamo). A division
            # counts as a town of 100,000: "Sulu" is the province, not Jolo, whose other name it is.
            c = candidates[i]
            cc = c.country_code or ""
            population = c.population or (_DIVISION_POPULATION if c.feature == "administrative_area" and
                                          (division or c.country_code not in towns) else 0)
            prior = math.log10(population + 10) + 2 * (fold(c.canonical) == fold(span.text))
            if division and c.feature == "administrative_area":
                prior += 10
            prior += 40 * (i in within) + 20 * (i in in_country)
            return (2 * local[cc] + weights[cc] + prior, -i)

        best_i = max(range(len(candidates)), key=score)
        best = candidates[best_i]
        cc = best.country_code or ""
        if container is not None and container.country_code and best_i not in in_country:
            return None  # the text puts it in a country none of its namesakes is in
        if best_i not in in_country and weights and not weights[cc] and not local[cc] \
                and best.feature == "populated_place" and best.population < _FAR_TOWN_POPULATION:
            # A small town in a country the document never names, in a document that names others,
            # is a namesake ("Nineveh", Indiana, in an article on Iraq): leave it to the context.
            return None
        return best

    def _located_by_context(self, doc: Doc, span: Span, done: list, weights: Counter) -> Known | None:
        """A country for a place no gazetteer knows, from the words around it or the document."""
        cc, noun = self._stated_country(doc, span, done)
        if cc is None and weights:
            (top, w), *rest = weights.most_common(2) + [("", 0)]
            # only a country that outweighs all the others together: no guessing between neighbours
            if w * 2 > sum(weights.values()) and w > rest[0][1]:
                cc = top
        if cc is None:
            return None
        last = span[-1].lower_
        after = doc[span.end].lemma_.lower() if span.end < len(doc) else ""
        before = doc[span.start - 2].lemma_.lower() if span.start >= 2 and doc[span.start - 1].lower_ == "of" else ""
        nouns = {after, before, noun}
        feature = ("natural_feature" if last in _FEATURE_NOUNS or span[-1].lemma_.lower() in _FEATURE_NOUNS
                   else "administrative_area" if nouns & _DIVISION_NOUNS or self._division_cue(doc, span)
                   else "populated_place" if nouns & _POPULATED_NOUNS
                   else None)
        return Known(span.text, "place", "context", country_code=cc, feature=feature)

    def _stated_country(self, doc: Doc, span: Span, done: list) -> tuple[str | None, str]:
        """The country the sentence puts the place in: a country or located place in its own name
        ("Syrian desert"), before it as a possessive ("Somalia's Puntland"), or after it in an
        "of"/"in" phrase, directly or in an apposition ("Puntland, a semi-autonomous region of
        northern Somalia"; "the Cal Miskaad mountains of Puntland"). With it, the noun before that
        "of" ("region"), which says what kind of place it is."""
        located = {s: k for s, _e, t, k in done if k is not None and k.country_code and t in ("country", "place")}
        ends = {e: k for s, e, t, k in done if k is not None and k.country_code and t in ("country", "place")}
        for tok in span:
            name = demonyms().get(tok.text, tok.text)
            known = country_by_name(name)
            if known is not None and known.country_code:
                return known.country_code, ""
        if span.start >= 1 and doc[span.start - 1].tag_ == "POS" and span.start - 1 in ends:
            return ends[span.start - 1].country_code, ""
        sent_end = span.sent.end
        k = span.end
        while k < sent_end and k - span.end < 10 and doc[k].text not in (".", ";", "("):
            if doc[k].lower_ in ("of", "in"):
                j = k + 1
                while j < sent_end and (doc[j].lower_ in _COMPASS or doc[j].lower_ == "the"):
                    j += 1
                noun = doc[k - 1].lemma_.lower()
                if j in located:
                    return located[j].country_code, noun
                known = country_by_name(doc[j].text) if j < sent_end else None
                if known is not None:
                    return known.country_code, noun
                if doc[k].lower_ == "of" and k == span.end:
                    return None, ""  # "the mountains of X" names X, and X is nowhere known
            if doc[k].text == "," and k > span.end:
                break  # the apposition ends
            k += 1
        return None, ""

    def _organisations_before_roles(self, doc: Doc, found: list) -> list:
        """'General Intelligence chief Hussein Al Salama': the capitalised words before a role noun
        that precedes a person name an organisation."""
        taken = {t for s, e, _, _ in found for t in range(s, e)}
        out = []
        for start, _end, type_, _ in found:
            if type_ != "person" or start < 2:
                continue
            role = doc[start - 1]
            if role.lower_ not in self.role_nouns:
                continue
            j = start - 2
            while j >= 0 and doc[j].is_title and doc[j].i not in taken and doc[j].lower_ not in self.titles:
                j -= 1
            if j + 1 <= start - 2:
                span = doc[j + 1 : start - 1]
                known = actor_index().get(fold(span.text))
                out.append((span.start, span.end, known.type if known else org_type(span.text), known))
        return out

    # -- lists: the items of one list are things of one kind ------------------------------
    def _coordinated(self, doc: Doc, found: list) -> list:
        """Names joined in one list are of one kind: "in the vicinity of Al-Baum, Deir Ezzor and
        Al-Mayadeen" are all places when one of them is a known place, "Sean Smith, Tyrone Woods
        and Glen Doherty" all people. A name the model typed otherwise, that no curated list
        knows and whose own words do not say it is an organisation, takes the list's kind; a
        capitalised name in the list that the model missed joins it."""
        found = sorted(found, key=lambda f: f[0])
        taken = {t for s, e, _t, _k in found for t in range(s, e)}
        runs: list[list[int]] = []
        for i, (start, _end, _t, _k) in enumerate(found):
            if i and runs and self._joined(doc, found[runs[-1][-1]][1], start):
                runs[-1].append(i)
            else:
                runs.append([i])
        out = list(found)
        added = []
        for run in runs:
            kinds = Counter(self._firm_kind(doc, out[i]) for i in run)
            kinds.pop(None, None)
            if not kinds and len(run) > 1 and any(out[i][2] == "place" for i in run):
                kinds = Counter({"loc": 1})  # only the model says so, but it says so of one item at least
            if len(kinds) != 1:
                continue
            kind = next(iter(kinds))
            for i in run:
                start, end, type_, known = out[i]
                if self._firm_kind(doc, out[i]) is None and COARSE.get(type_) != kind and self._soft(doc, out[i]):
                    new_type = "place" if kind == "loc" else "person"
                    out[i] = (start, end, new_type, place_by_name(doc[start:end].text) if kind == "loc" else None)
            if kind == "loc":
                added += self._missed_in_list(doc, out[run[-1]][1], taken)
        return sorted(out + added, key=lambda f: f[0])

    @staticmethod
    def _joined(doc: Doc, end: int, start: int) -> bool:
        between = doc[end:start]
        return 0 < len(between) <= 2 and all(t.text == "," or t.lower_ in ("and", "or") for t in between) \
            and doc[end].sent.start == doc[start].sent.start

    def _firm_kind(self, doc: Doc, item: tuple) -> str | None:
        """The coarse kind of a list item that evidence beyond the model fixes: a curated actor, a
        country, a gazetteer place, a person named in two or more words."""
        start, end, type_, known = item
        if known is not None and known.source in ("actors", "geonames", "iso3166-2", "m49", "rule"):
            return COARSE.get(known.type if known.source == "actors" else type_)
        if type_ == "person" and end - start >= 2 and not any(t.lower_ in ("al", "el") for t in doc[start:end]):
            return "per"
        return None

    def _soft(self, doc: Doc, item: tuple) -> bool:
        """Whether a list item's type is the model's guess alone: no curated name, no surname of a
        person in the text, no organisation word in it."""
        start, end, type_, known = item
        if known is not None or type_ not in ("person", "organization", "armed_group", "place"):
            return False
        text = doc[start:end].text
        words = set(fold(text).split())
        if type_ == "person" and self._person_cue(doc, doc[start:end]):
            return False  # "..., a citizen of Egypt, and Khaled al Fawwaz, 50,": the age says person
        return not (end - start == 1 and doc[start].lower_ in self._surnames) and end - start <= 3 \
            and not words & (_GOV_WORDS | _ARMED_WORDS | {"force", "union", "council", "community", "party"})

    def _missed_in_list(self, doc: Doc, end: int, taken: set[int]) -> list:
        """Capitalised names after a list's last place, joined to it, that the model missed:
        "the vicinity of Al-Qaim and Akashat"."""
        out = []
        k = end
        while k < len(doc) and doc[k].text in (",", "and", "or"):
            k += 1
        if k == end or k >= len(doc) or k in taken or not doc[k].is_title or doc[k].pos_ != "PROPN":
            return out
        j = k
        while j < len(doc) and j not in taken and (doc[j].is_title and doc[j].pos_ == "PROPN" or doc[j].text == "-"):
            j += 1
        if j > k and not is_not_name(doc[k:j].text) and doc[k].sent.start == doc[end - 1].sent.start \
                and us_state_abbreviation(doc[k].text) is None:  # "TAMPA, Fla.": an address, no list
            out.append((k, j, "place", place_by_name(doc[k:j].text)))
        return out

    # -- linking ------------------------------------------------------------------------
    def _merge_aliases(self, doc: Doc, clusters: dict[str, Cluster], token_entity: dict[int, str]) -> None:
        """"Sanaullah Ghafari, also known as Shahab al-Muhajir": the alias's mentions join the name's."""
        mentions = [(s, e, key) for key, c in clusters.items() for s, e in c.mentions]
        for host, alias in alias_pairs(doc, token_entity, sorted(mentions)):
            if host not in clusters or alias not in clusters or host == alias:
                continue
            a, h = clusters[alias], clusters[host]
            if COARSE.get(a.type) != COARSE.get(h.type):
                continue
            if a.known is not None and a.known.source == "actors" and (h.known is None or h.known.source != "actors"):
                a, h = h, a  # the curated name hosts
            h.mentions = sorted(h.mentions + a.mentions)
            for s, e in a.mentions:
                for t in range(s, e):
                    token_entity[t] = h.key
            del clusters[a.key]

    @staticmethod
    def _join_trailing_names(doc: Doc, clusters: dict[str, Cluster], token_entity: dict[int, str]) -> None:
        """"VOA's Hausa Service" ... "a Hausa Service reporter": an organisation's name written again by its
        last words (two or more) is that organisation, as a surname alone is the person named in full.

        Only an unknown name joins, and only where one organisation of the document ends so."""
        words = {(s, e): tuple(t.lower_ for t in doc[s:e] if not t.is_punct)
                 for c in clusters.values() if COARSE.get(c.type) == "org" for s, e in c.mentions}
        # every organisation's mentions by their last words, so each short name looks up its hosts
        ending: dict[tuple[str, ...], set[str]] = {}
        for c in clusters.values():
            if COARSE.get(c.type) == "org":
                for s, e in c.mentions:
                    w = words[(s, e)]
                    for n in range(2, len(w)):
                        ending.setdefault(w[-n:], set()).add(c.key)
        for key in list(clusters):
            short = clusters.get(key)
            if short is None or short.known is not None or COARSE.get(short.type) != "org":
                continue
            own = {words[(s, e)] for s, e in short.mentions}
            if not own or min(len(w) for w in own) < 2:
                continue
            hosts = {h for w in own for h in ending.get(w, ()) if h != key and h in clusters}
            if len(hosts) != 1:
                continue
            host = clusters[hosts.pop()]
            host.mentions = sorted(host.mentions + short.mentions)
            for s, e in short.mentions:
                for t in range(s, e):
                    token_entity[t] = host.key
            del clusters[key]

    def _cluster_for(self, span: Span, type_: str, known: Known | None, clusters: dict[str, Cluster]) -> str:
        if type_ == "person" and not known:
            key_tokens = name_key(span.text)
            best = None
            for cluster in clusters.values():
                if cluster.type != "person":
                    continue
                other = name_key(cluster.canonical)
                if len(key_tokens) < len(other) and other[-len(key_tokens) :] == key_tokens:
                    best = cluster
                    break
                if other == key_tokens:
                    best = cluster
                    break
                words = fold(cluster.canonical).split()
                if len(key_tokens) == 1 and len(words) >= 3 and words[0] in _KUNYA and words[1] == key_tokens[0]:
                    best = cluster  # "Hamza" after "Abu Hamza al-Masri": the name of the kunya
                    break
            if best:
                return best.key
        if known is None and COARSE.get(type_) == "org":
            # "82nd Airborne" after "82nd Airborne Division": a name's leading words, short of its head noun
            words = fold(span.text).split()
            for cluster in clusters.values():
                other = fold(cluster.canonical).split()
                if cluster.known is None and COARSE.get(cluster.type) == "org" and len(other) == len(words) + 1 \
                        and other[:-1] == words and other[-1] in _UNIT_HEADS | {"command", "corps", "army"}:
                    return cluster.key
        canonical = known.canonical if known else span.text
        key = entity_key(type_, canonical)
        if known is not None and (known.geonameid is not None or known.admin_code):
            # A GeoNames place or an ISO 3166-2 division is one place whatever it is called: key it by
            # its id, and name it as the text does when that is one of its other names ("Palmyra", not
            # "Tadmur"; "Salahuddin", not "Salah ad Din").
            key = f"loc:geonames:{known.geonameid}" if known.geonameid is not None else f"loc:iso3166-2:{known.admin_code}"
            if fold(span.text) != fold(known.canonical) and us_state_abbreviation(span.text) is None:
                canonical = span.text
        if key not in clusters:
            clusters[key] = Cluster(key=key, type=type_, canonical=canonical, known=known)
        return key

    def _abbreviations(self, doc: Doc, found: list, assigned: dict[int, str], clusters: dict) -> dict[str, str]:
        """Abbreviations a text introduces: 'Name (ABBR)' makes every later ABBR a mention of Name."""
        out: dict[str, str] = {}
        for i, (_start, end, _type, _known) in enumerate(found):
            if end + 2 < len(doc) and doc[end].text in _BRACKETS:
                # one token ("GNA") or a hyphenated few written together ("ISIS-M"), in brackets of either kind
                closing = _BRACKETS[doc[end].text]
                close = next((k for k in range(end + 2, min(end + 6, len(doc))) if doc[k].text == closing), None)
                if close is None or any(t.whitespace_ for t in doc[end + 1 : close - 1]):
                    continue
                abbr = doc[end + 1 : close]
                letters = [c for c in abbr.text if c.isalpha()]
                if 2 <= len(letters) <= 10 and sum(c.isupper() for c in letters) >= 2:
                    out[abbr.text] = assigned[i]
        # An abbreviation already found as an entity of its own joins the full name.
        for i, (start, end, _type, _known) in enumerate(found):
            text = doc[start:end].text
            if text in out and assigned[i] != out[text]:
                old = assigned[i]
                assigned[i] = out[text]
                if old in clusters and not any(v == old for v in assigned.values()):
                    del clusters[old]
        return out

    def _titles_and_descriptions(self, doc: Doc, cluster: Cluster) -> None:
        for start, _end in cluster.mentions:
            words = []
            j = start - 1
            while j >= 0 and doc[j].lower_.rstrip(".") in self.titles and doc[j].ent_type_ not in ("GPE", "ORG"):
                words.insert(0, doc[j].text)
                j -= 1
            if words:
                title = " ".join(words)
                if title not in cluster.titles:
                    cluster.titles.append(title)
            head = doc[start]
            # "Syria's de facto leader Ahmed al-Sharaa": the rest of the noun phrase describes the name.
            left = head.head.left_edge.i if head.head.i >= start else head.left_edge.i
            if left < start and head.head.i < start + 6:
                text = doc[left:start].text.strip()
                if any(t.pos_ == "NOUN" for t in doc[left:start]) and text not in cluster.descriptions:
                    cluster.descriptions.append(text)


_FACILITY_HEADS = {"hotel", "mall", "airport", "prison", "mosque", "church", "hospital", "stadium", "embassy", "dam",
                   "refinery", "barracks", "airbase", "airfield", "compound", "complex", "palace", "shrine"}
_UNIT_HEADS = {"group", "wing", "squadron", "fleet", "flotilla", "force", "division", "brigade", "battalion"}
_FACILITY_NOUNS = ("shopping mall", "mall", "dam", "hotel", "airport", "prison", "mosque", "church", "hospital",
                   "stadium", "refinery", "air base", "airbase", "naval base", "military base", "airfield")


_FACILITY_FIRST = {noun.split()[0] for noun in _FACILITY_NOUNS}


_INITIALS_STOP = {"of", "the", "and", "for", "in", "on"}


def _spelled_out(doc: Doc, clusters: dict[str, Cluster], token_entity: dict[int, str]) -> None:
    """"the Immediate Response Force of the 82nd Airborne Division ... forces from the IRF": an unknown
    organisation's acronym whose letters are the initials of capitalised words the text writes without
    brackets, and that no entity covers, is that name; the name becomes a mention of the acronym's thing."""
    for cluster in clusters.values():
        if cluster.known is not None or COARSE.get(cluster.type) != "org":
            continue
        texts = {doc[s:e].text for s, e in cluster.mentions}
        if len(texts) != 1:
            continue
        acronym = texts.pop()
        if not (3 <= len(acronym) <= 6 and acronym.isalpha() and acronym.isupper()):
            continue
        n = len(acronym)
        for tok in doc:
            i = tok.i
            if i in token_entity or not tok.is_title or tok.text[0] != acronym[0] or i > 0 and doc[i - 1].is_title:
                continue
            words, k = [], i
            while k < len(doc) and k not in token_entity and len(words) < n and (
                    doc[k].is_title and doc[k].is_alpha or words and doc[k].lower_ in _INITIALS_STOP):
                if doc[k].is_title:
                    words.append(doc[k])
                k += 1
            if len(words) == n and "".join(w.text[0] for w in words) == acronym and doc[k - 1].is_title \
                    and not (k < len(doc) and doc[k].is_title and doc[k].is_alpha):
                cluster.mentions.append((i, k))
                cluster.canonical = doc[i:k].text
                for t in range(i, k):
                    token_entity[t] = cluster.key


@lru_cache(maxsize=4096)
def _folded_aliases(canonical: str) -> frozenset[str]:
    return frozenset({fold(a) for a in known_aliases(canonical) or ()} | {fold(canonical)})


def _inner_aliases(doc: Doc, clusters: dict[str, Cluster]) -> None:
    """"VOA's Somali Service", "VOA Kurdish": a curated actor's mention that begins with another of its
    own aliases names it by that alias too (the text writes "VOA"), so that alias is a mention as well."""
    for cluster in clusters.values():
        known = cluster.known
        if known is None or known.source != "actors":
            continue
        own = _folded_aliases(known.canonical)
        inner = []
        for s, e in cluster.mentions:
            k = next((k for k in range(e - 1, s, -1) if fold(doc[s:k].text) in own and not doc[k - 1].is_punct), None)
            if k is not None and (s, k) not in cluster.mentions:
                inner.append((s, k))
        cluster.mentions.extend(dict.fromkeys(inner))


def _facility_noun_end(doc: Doc, end: int) -> int | None:
    """Where a lowercase facility noun after a name ends ("Westgate shopping mall", "Marib dam"),
    with a following "complex"; None when no such noun follows."""
    if end >= len(doc) or doc[end].text not in _FACILITY_FIRST:
        return None  # (most names: looked up by the word after the name, not noun by noun)
    for noun in _FACILITY_NOUNS:
        words = noun.split()
        if [t.text for t in doc[end : end + len(words)]] == words:
            stop = end + len(words)
            if stop < len(doc) and doc[stop].text == "complex":
                stop += 1
            if stop < len(doc) and doc[stop].is_lower and doc[stop].pos_ == "NOUN":
                return None  # "the Marib dam area": the noun modifies another
            return stop
    return None


def _addressed(doc: Doc, span: Span) -> bool:
    """Whether a one-word name in a transcript is someone spoken to, as a briefing's host turns to a reporter: "so
    Brad?", "over to you, Brad." (a comma or "so" before it, the sentence's end after it)."""
    if len(span) != 1 or not span[0].is_title or span.start == 0 or span.end >= len(doc):
        return False
    before, after = doc[span.start - 1], doc[span.end]
    return (before.text == "," or before.lower_ == "so") and after.text in ("?", ".", "!") \
        and country_by_name(span.text) is None


def dateline_line(text: str) -> tuple[int, int] | None:
    """The characters of the dateline's own line ("MOGADISHU, March 3 -"), without the header
    lines above it: only there does a name that opens the text name its place."""
    end = dateline_end(text)
    if end is None:
        return None
    stop = len(text[:end].rstrip())
    return max(text.rfind(c, 0, stop) for c in LINE_BREAK_CHARS) + 1, end


def place_fields(known: Known | None) -> dict:
    """The Entity fields that say where a thing is, from what the resolver knows of it: the
    gazetteer's point, country, kind of place, ISO 3166-2 code, region and the divisions it lies
    in (``Entity(**place_fields(cluster.known), ...)``)."""
    if known is None:
        return {}
    return {"latitude": known.latitude, "longitude": known.longitude, "country_code": known.country_code,
            "gazetteer": known.source, "feature": known.feature, "admin_code": known.admin_code,
            "region": known.region or region_of(known.country_code), "admin1": known.admin1,
            "admin1_code": known.admin1_code, "admin2": known.admin2}


def _lies_in(place: Known, container: Known) -> bool:
    """Whether a gazetteer place lies in the division or town the text puts it in."""
    if place.country_code != container.country_code or container.feature not in ("administrative_area",
                                                                                  "populated_place"):
        return False
    for mine, theirs in ((place.admin1_code, container.admin_code), (place.admin1_code, container.admin1_code)):
        if mine and theirs and mine == theirs:
            return True
    names = {compact(n) for n in (container.canonical, container.admin2 if container.admin_code else None,
                                  container.admin1) if n}
    return bool(place.admin1 and compact(place.admin1) in names)


_WITH_ARTICLE: set[str] = set()


def _aliases_with_article() -> set[str]:
    if not _WITH_ARTICLE:
        from liaison.extract.lexicon import actors

        for row in actors():
            for alias in [row["canonical"], *row.get("aliases", [])]:
                if alias.startswith("The "):
                    _WITH_ARTICLE.add(alias)
    return _WITH_ARTICLE


@Language.factory(
    "liaison_entities",
    requires=["doc.ents", "token.dep", "token.tag"],
    assigns=["doc._.clusters", "doc._.token_entity"],
)
def make_entity_resolver(nlp: Language, name: str) -> EntityResolver:
    return EntityResolver(nlp, name)
