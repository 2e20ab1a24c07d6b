"""Typed events with their actors, targets, place, date, figures and source.

Triggers come from the rule table in data/events.json (a spaCy Matcher over lemmas and
parts of speech). Arguments come from the dependency parse around each trigger: the
subject (or the subject of the light verb "carried out", "conducted" that governs a noun
trigger), objects and "against/on" phrases, locative phrases for the place. Negated,
hypothetical and intended actions are not events; hedged ones get lower confidence.
Repeated mentions of one event in a document ("The intelligence has been shared ...")
are folded into the first, giving it their source if it had none.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token

from liaison.extract.attribution import AttributionMention
from liaison.extract.config import component_data
from liaison.extract.dates import DateMention
from liaison.extract.entities import Cluster, entity_key
from liaison.extract.gazetteer import country_by_name, country_name, demonyms
from liaison.extract.quantities import QuantityMention

if not Doc.has_extension("events"):
    Doc.set_extension("events", default=None)

_VIOLENT = {"military_operation", "raid_or_arrest", "airstrike", "attack", "foiled_attack"}
_PARTY_TYPES = {"meeting", "agreement_or_membership"}
_LOCATION_TYPES = {"place", "country", "facility"}
_DEFINITE = {"the", "this", "these", "those", "that"}
_DAY_WORDS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "yesterday", "today",
              "tonight", "weekend"}
_FRESH = {"another", "separate", "second", "third", "new", "fresh", "latest", "further", "additional", "separately",
          "also", "again"}
_SUBJECTS = ("nsubj", "nsubjpass", "csubj")
# A photo caption ends in its credit: "... following the fall of Assad[Getty]". It reports no event.
_CAPTION = re.compile(r"[\[(](Getty|AFP|Reuters|AP|EPA|Getty Images|File|Photo|Supplied)[^\])]*[\])]\s*$", re.I)
_PLACE_NOUNS = {"town", "city", "village", "district", "province", "region", "area", "governorate", "state",
                "port", "outskirts", "suburb", "county", "neighbourhood", "neighborhood", "vicinity"}
_ANCHOR_PREPS = {"following", "after", "before", "since", "until", "amid", "during", "ahead", "prior"}
_RAISING = {"believe", "think", "say", "report", "expect", "suspect", "understand", "know", "seem", "appear",
            "allege", "estimate", "claim", "consider"}
_CASUALTY_VERBS = {"kill", "wound", "injure", "capture", "die", "abduct", "kidnap", "lose", "dead", "killed",
                   "wounded", "injured", "hurt", "missing", "behead", "execute"}
# An operation is a raid (EventFinder._raid) when it is one of these, done by these, or to seize someone.
_RAID_NOUNS = {"operation", "mission"}
_COMMANDOS = {"commando", "commandos", "seal", "seals", "rangers", "delta"}
_SEIZE = {"capture", "seize", "arrest", "detain", "apprehend", "snatch"}
_KILL = {"kill", "eliminate", "neutralize", "neutralise"}
# Custody nouns, whose possessor is the one held ("his extradition"), and handovers, which happen
# where the person is handed over from ("extradition from Britain").
_CUSTODY = {"arrest", "detention", "extradition", "capture", "custody"}
_HANDOVER = {"extradition", "extradite", "deportation", "deport", "transfer", "handover"}
_DYING = {"die", "perish", "dead"}
# Verbs of a plot: what they are "to" do has not happened ("conspiring ... to attack U.S. interests").
_PLOTTING = {"conspire", "scheme", "collude"}
# Charges that name an act as someone's (_accused_of), and the words that tie a charge to its act.
_ACCUSING = {"charge", "accuse", "indict", "convict", "want", "sentence", "suspect", "prosecute", "try", "blame"}
_TIES = {"connection", "role", "roles", "involvement", "part", "participation", "responsibility", "relation",
         "offense", "offence", "charge", "count", "crime", "murder"}
_TIE_VERBS = {"help", "conspire", "participate", "take", "play"}
# Adverbs that single one out of a phrase ("the network, specifically its leader, X").
_SINGLING = {"specifically", "namely", "particularly", "especially", "notably", "including", "chiefly", "mainly"}
# Verbs that say only that something happened: a question about them asks whether it did.
_EXISTENCE = {"happen", "occur", "take", "exist", "be", "come", "unfold", "materialize", "materialise"}
_PRUNE = ("relcl", "acl", "appos", "advcl", "parataxis")


@dataclass
class EventMention:
    type: str
    subtype: str
    trigger: int
    sent_start: int
    sent_end: int
    actors: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    location: str | None = None
    date: DateMention | None = None
    quantities: list[QuantityMention] = field(default_factory=list)
    attribution: AttributionMention | None = None
    status: str = "occurred"
    hedged: bool = False
    confidence: int = 70
    definite: bool = False  # an anaphoric mention: "the attack", "this operation", "Friday's raid"
    fresh: bool = False  # said to be another event: "another attack", "a separate strike", "a second raid"
    outcome: bool = False  # only reports casualties: "five soldiers were killed"
    noun: bool = False  # the trigger is a noun ("the attack"), not a verb with a clause of its own
    dated_sentence: bool = False  # its sentence has a date expression, whether or not it is the event's
    perfect: tuple[int, int] | None = None  # the tokens of its present-perfect verb ("has arrested")
    quoted: bool = False  # its sentence opens with a quotation mark: someone's words, quoted
    # the other mentions of the same event folded into this one (liaison.extract.discourse):
    # (trigger token, sentence start, sentence end)
    others: list[tuple[int, int, int]] = field(default_factory=list)
    places: set[str] = field(default_factory=set)  # keys of the places its location lies in
    attribution_from: str = "sentence"  # or "speaker", "paragraph", "earlier", "issuer"
    features: dict[str, float] = field(default_factory=dict)  # what liaison.extract.specificity read
    specific: float = 1.0  # its probability that the text reports this event


@dataclass
class _DocIndex:
    """Lookups over one document built once, so that each trigger reads only its own sentence's
    dates and walks back only over country mentions.

    Scanning every date mention of the document for every trigger made this component quadratic
    in the document's length (a 100 KB text spent most of its time there)."""

    date_starts: list[int]
    dates: list[DateMention]
    countries: list[int]  # token offsets of country mentions, in document order

    @classmethod
    def of(cls, doc: Doc, token_entity: dict[int, str], clusters: dict[str, Cluster]) -> _DocIndex:
        dates = sorted(doc._.dates or [], key=lambda dm: dm.start)
        countries = sorted(i for i, key in token_entity.items() if clusters[key].type == "country")
        return cls([dm.start for dm in dates], dates, countries)

    def dates_in(self, start: int, end: int) -> list[DateMention]:
        """The date mentions that begin in tokens ``start`` to ``end``, in document order."""
        return self.dates[bisect_left(self.date_starts, start) : bisect_left(self.date_starts, end)]

    def countries_before(self, i: int) -> Iterator[int]:
        """Token offsets of the country mentions before token ``i``, nearest first."""
        for k in range(bisect_left(self.countries, i) - 1, -1, -1):
            yield self.countries[k]


class EventFinder:
    """The ``liaison_events`` component."""

    def __init__(self, nlp: Language, name: str, rules: str = "events.json", cues: str = "cues.json") -> None:
        data = component_data(rules)
        cues = component_data(cues)
        self.rules = data["rules"]
        self.matcher = Matcher(nlp.vocab)
        self.anchors: set[str] = set()
        # One-word rules (most of them) are looked up by lemma or form; the Matcher runs the rest.
        self.by_word: dict[tuple[str, str], list[tuple[int, set[str] | None]]] = {}
        for i, rule in enumerate(self.rules):
            if self._index_single(i, rule["pattern"]):
                continue
            self.matcher.add(f"rule{i}", [rule["pattern"]])
            for tok in rule["pattern"]:
                for attr in ("LEMMA", "LOWER"):
                    value = tok.get(attr)
                    words = value.get("IN", []) if isinstance(value, dict) else [value] if value else []
                    self.anchors.update(w.lower() for w in words)
        self.foil = set(data["foil_verbs"])
        self.intel = set(data["intel_nouns"])
        self.troops = set(data["troop_nouns"])
        self.terror = set(data["terror_words"])
        self.light = set(data["light_verbs"])
        self.loc_preps = set(data["locative_preps"])
        self.target_preps = set(data["target_preps"])
        self.modals = set(cues["modal_blockers"])
        self.intent = set(cues["intent_blockers"])
        self.conditions = set(cues["condition_marks"])
        self.reporting = set(cues["reporting_verbs"])
        self.hedges = set(cues["hedges"])
        self.hedge_phrases = [p.lower() for p in cues["hedge_phrases"]]
        self._triggers: dict[int, str] = {}  # the trigger tokens of the Doc being read, and their types

    # ---------------------------------------------------------------- main
    def __call__(self, doc: Doc) -> Doc:
        clusters: dict[str, Cluster] = doc._.clusters or {}
        token_entity: dict[int, str] = doc._.token_entity or {}
        candidates: list[tuple[Token, dict]] = []
        seen: set[int] = set()
        def order(m: Span) -> tuple:
            # the longest match first, and of two on one word the rule that asks more of its
            # arguments ("host" with forces as its object is a deployment, not a meeting)
            rule = self.rules[int(m.label_[4:])]
            return m.start, -(m.end - m.start), not rule.get("subject"), not rule.get("object")

        for match in sorted(self._matches(doc), key=order):
            rule = self.rules[int(match.label_[4:])]
            trigger = match.root
            if trigger.i in seen or trigger.i in token_entity:
                continue
            if trigger.i >= 2 and doc[trigger.i - 1].text == "-" and not doc[trigger.i - 2].whitespace_ \
                    and doc[trigger.i - 2].lower_ in _PREFIXES:
                continue  # "co-operation" is cooperation, "non-attack" no attack: one word split in three
            if not self._object_ok(trigger, rule.get("object")) or not self._subject_ok(trigger, rule.get("subject")):
                continue
            if rule["type"] == "agreement_or_membership" and trigger.lemma_.lower() == "join" and any(
                    c.dep_ == "agent" for c in trigger.children):
                continue  # "we are joined by John Godfrey": company, not membership
            if trigger.dep_ in ("dobj", "nsubjpass") and trigger.head.lemma_.lower() in _DEFINING:
                continue  # "officials define a strike as ...": what a word means, not an event
            if trigger.lemma_.lower() == "target" and any(c.dep_ == "dobj" and {c.lemma_.lower(), c.lower_} & self.intel
                                                          for c in trigger.children):
                continue  # "imagery and targeting data": data for targeting, nobody attacked
            if rule.get("not_subject") and self._subject_ok(trigger, rule["not_subject"]):
                continue  # "two rockets struck a base": a weapon strikes, no aircraft
            if rule["type"] == "troop_deployment" and trigger.dep_ == "acl" and trigger.tag_ == "VBG" \
                    and trigger.lemma_.lower() == "host":
                continue  # "a base hosting coalition troops" describes the base
            if rule["type"] == "meeting" and any(c.dep_ == "nsubj" and c.lemma_.lower() in _PLACE_NOUNS
                                                 for c in trigger.children):
                continue  # "where the provinces meet": places meet, nobody holds a meeting
            seen.add(trigger.i)
            candidates.append((trigger, rule))
        trigger_ids = {t.i for t, _ in candidates}
        self._triggers = {t.i: r["type"] for t, r in candidates}
        # "car bomb attack": a trigger inside another trigger's noun phrase is part of that one
        candidates = [(t, r) for t, r in candidates
                      if not (t.dep_ in ("compound", "amod", "acl") and t.head.i in trigger_ids)]
        # "terrorism sanctions authorities", "air operations center": a noun that only modifies another noun
        # ("one-way attack uncrewed aerial vehicles", "attack helicopters": a kind of weapon)
        candidates = [(t, r) for t, r in candidates if not (t.dep_ in ("compound", "nmod", "amod")
                                                            and t.pos_ in ("NOUN", "PROPN")
                                                            and t.head.pos_ in ("NOUN", "PROPN")
                                                            and t.head.i > t.i)]
        candidates = [(t, r) for t, r in candidates if not _CAPTION.search(t.sent.text) and not _heading(t.sent)]
        candidates = [(t, r) for t, r in candidates if not _participle_modifier(t)]
        # sentences that report an event of their own, not only an outcome
        reported = {t.sent.start for t, r in candidates if not r.get("outcome")}
        index = _DocIndex.of(doc, token_entity, clusters)
        mentions: list[EventMention] = []
        for trigger, rule in candidates:
            if rule.get("outcome") and trigger.sent.start in reported:
                continue  # "raids ..., killing seven": an outcome of the event the sentence reports
            if self._not_factual(trigger) or _generic(trigger) or _purpose(trigger) or _credit_line(trigger):
                continue
            if rule["type"] == "troop_deployment" and _casualty_context(trigger):
                continue  # "the dead included six security personnel" counts the dead, not a deployment
            ev = self._build(doc, trigger, rule, clusters, token_entity, index)
            if ev.subtype == "operation.mission":
                continue  # "the CENTCOM mission", "a defensive mission": a mission is an event only as a raid
            mentions.extend(_split_by_places(doc, ev, token_entity, clusters))
        mentions = _fold_strike_verbs(doc, mentions)
        self._doc = doc
        mentions = self._merge_sentence(mentions)
        self._attach(doc, mentions)
        doc._.events = mentions
        return doc

    # ---------------------------------------------------------------- triggers
    def _index_single(self, i: int, pattern: list[dict]) -> bool:
        if len(pattern) != 1 or set(pattern[0]) - {"LEMMA", "LOWER", "POS"}:
            return False
        spec = pattern[0]

        def values(v: object) -> list[str]:
            return list(v["IN"]) if isinstance(v, dict) else [str(v)]

        pos = set(values(spec["POS"])) if "POS" in spec else None
        for attr in ("LEMMA", "LOWER"):
            for word in values(spec[attr]) if attr in spec else []:
                self.by_word.setdefault((attr, word), []).append((i, pos))
        return "LEMMA" in spec or "LOWER" in spec

    def _matches(self, doc: Doc) -> list:
        """The rule matches, found only around words that some rule names.

        Running every rule at every token costs more than all the rest of this component; the
        windows around anchor words (padded by the longest pattern) give the same matches."""
        pad = 4
        windows: list[list[int]] = []
        for tok in doc:
            if tok.lower_ in self.anchors or tok.lemma_.lower() in self.anchors:
                a, b = max(0, tok.i - pad), min(len(doc), tok.i + pad + 1)
                if windows and a <= windows[-1][1]:
                    windows[-1][1] = b
                else:
                    windows.append([a, b])
        seen: dict[tuple[str, int, int], object] = {}
        for tok in doc:
            for key in (("LEMMA", tok.lemma_), ("LOWER", tok.lower_)):
                for i, pos in self.by_word.get(key, ()):
                    if pos is None or tok.pos_ in pos:
                        label = f"rule{i}"
                        seen.setdefault((label, tok.i, tok.i + 1), Span(doc, tok.i, tok.i + 1, label=label))
        for a, b in windows:
            for m in self.matcher(doc[a:b], as_spans=True):
                seen.setdefault((m.label_, m.start, m.end), m)
        return list(seen.values())

    def _object_ok(self, trig: Token, need: list[str] | None) -> bool:
        if not need:
            return True
        objs = [c for c in trig.children if c.dep_ in ("dobj", "nsubjpass", "attr", "dative")]
        for prep in (c for c in trig.children if c.dep_ == "prep"):
            objs += [c for c in prep.children if c.dep_ == "pobj"]
        if trig.dep_ in ("relcl", "acl"):
            objs.append(trig.head)
        objs += [g for o in list(objs) for p in o.children if p.lower_ == "of" for g in p.children]
        objs += [c for o in list(objs) for c in o.children if c.dep_ == "conj"]  # "imagery and targeting data"
        objs += [c for o in list(objs) for c in o.children if c.dep_ == "compound"]  # "Foreign Minister Le Drian"
        if not any(c.dep_ in ("nsubj", "nsubjpass") for c in trig.children) and any(
                c.dep_ == "auxpass" for c in trig.children):
            # a passive the parser gave no subject ("a missile (ASBM) was launched"): the noun before it
            before = [t for t in trig.doc[trig.sent.start:trig.i] if t.pos_ in ("NOUN", "PROPN")][-3:]
            objs += before
        for want in need:
            if want == "ANY" and any(c.dep_ == "dobj" for c in trig.children):
                return True  # "targeted a base", not "targeting data"
            if want == "INTEL" and any(o.lemma_.lower() in self.intel for o in objs):
                return True
            if want == "FOILED" and (trig.head.lemma_.lower() in self.foil or any(
                    c.lemma_.lower() in self.foil for c in trig.children)):
                return True
            if want == "TERROR" and any(t.lemma_.lower() in self.terror for t in trig.subtree):
                return True
            if want == "TROOPS" and any(o.lemma_.lower() in self.troops for o in objs):
                return True
            if want == "COUNTED" and any(c.dep_ == "nummod" or c.like_num for c in trig.children) and not (
                    trig.head.lemma_.lower() in _CASUALTY_VERBS or any(
                        c.lemma_.lower() in _CASUALTY_VERBS for c in trig.children)):
                return True
            if want in _ENT_LABELS and any(o.ent_type_ in _ENT_LABELS[want] for o in objs):
                return True
            if want == "NUM" and any(o.like_num or any(c.dep_ == "nummod" for c in o.children) for o in objs):
                return True
            if any(o.lemma_.lower() == want for o in objs):
                return True
        return False

    @staticmethod
    def _subject_ok(trig: Token, need: list[str] | None) -> bool:
        """A rule that names its subjects ("forces arrived"): the subject's head or a word of its
        phrase is one of them."""
        if not need:
            return True
        heads = [c for c in trig.children if c.dep_ in ("nsubj", "nsubjpass")]
        # the agent of a passive: "a convoy was hit by a homemade bomb"
        heads += [o for c in trig.children if c.dep_ == "agent" for o in c.children if o.dep_ == "pobj"]
        # "Two of these missiles impacted ...": the part's whole names what acts
        heads += [o for h in list(heads) if h.like_num or h.lower_ in _PARTITIVES
                  for p in h.children if p.dep_ == "prep" and p.lower_ == "of" for o in p.children if o.dep_ == "pobj"]
        for head in heads:
            words = {head.lemma_.lower()} | {t.lemma_.lower() for t in head.children if t.dep_ in ("compound", "amod")}
            if words & set(need):
                return True
        return False

    def _not_factual(self, trig: Token) -> bool:
        """Negated, conditional, intended or merely possible: not an event that happened."""
        node: Token | None = trig
        prev: Token = trig
        first = True
        while node is not None:
            for child in node.children:
                if child.dep_ == "neg" or child.dep_ == "det" and child.lower_ == "no":
                    return True
                if child.dep_ in ("aux", "auxpass") and child.lemma_.lower() in self.modals:
                    return True
                if child.dep_ == "mark" and child.lower_ in self.conditions:
                    # what is asked of the event takes it as a fact, whoever asks and however
                    # ("are trying to determine whether", "did not say whether")
                    return not _asked_of(trig, node)
                if child.dep_ == "advmod" and child.lower_ == "yet" and not first:
                    return True  # "has yet to capture its leaders"
                if child.dep_ == "amod" and child.lower_ in ("planned", "potential", "possible", "future", "proposed"):
                    return True
            lemma = node.lemma_.lower()
            if not first and lemma in self.intent and not _sought_for(node):
                return True
            if not first and lemma in _PLOTTING and prev.dep_ in ("xcomp", "advcl"):
                return True  # "conspiring with members of al Qaeda to kill ... and to attack U.S. interests"
            if not first and lemma in self.reporting and node.pos_ == "VERB":
                return False
            first = False
            if node.head.i == node.i:
                break
            prev, node = node, node.head
        return False

    # ---------------------------------------------------------------- arguments
    def _build(self, doc: Doc, trig: Token, rule: dict, clusters, token_entity, index: _DocIndex) -> EventMention:
        type_ = rule["type"]
        subtype = rule["subtype"]
        status = "occurred"
        governor = self._governor(trig)
        foiled = governor is not None and governor.lemma_.lower() in self.foil or any(
            a.lemma_.lower() in self.foil for a in list(trig.ancestors)[:3])
        if type_ == "attack" and foiled:
            # "foiled a plot ... to bomb the mall", "prevented an attack": planned, never carried out
            type_, subtype, status = "foiled_attack", "foiled_attack", "not-occurred"
        elif type_ == "foiled_attack":
            status = "not-occurred"
        sent = trig.sent
        ev = EventMention(type_, subtype, trig.i, sent.start, sent.end, status=status)
        ents = lambda toks: self._entities(toks, token_entity, clusters)  # noqa: E731
        actors: list[str] = []
        targets: list[str] = []
        partners: list[str] = []
        if trig.pos_ in ("VERB", "AUX"):
            subject, patient = self._subject(trig)
            actors += ents(subject)
            targets += ents(patient)
            for child in trig.children:
                if child.dep_ in ("dobj", "dative", "attr") and type_ != "intelligence_sharing":
                    (partners if type_ == "meeting" else targets).extend(ents(child.subtree))
                if child.dep_ == "dative" and type_ == "intelligence_sharing":
                    targets += ents(child.subtree)
        else:
            # modifiers of the noun: "US airstrikes", "an IS car bomb attack", "Syria's operations"
            mods = [c for c in trig.children if c.dep_ in ("compound", "amod", "poss", "nmod", "npadvmod")]
            if type_ == "raid_or_arrest" and trig.lemma_.lower() in _CUSTODY and not any(
                    c.dep_ == "prep" and c.lower_ == "of" for c in trig.children):
                # "following his extradition from Britain", "her arrest": whose custody it is, not who took it
                held = [c for c in mods if c.dep_ == "poss"]
                mods = [c for c in mods if c not in held]
                targets += ents([t for c in held for t in c.subtree]) or ents(
                    self._person_before(doc, [c for c in held if c.lower_ in ("his", "her")], token_entity, clusters,
                                        pronouns=("his", "her")))
            mod_tokens = [t for m in mods for t in m.subtree]
            if type_ in ("troop_deployment",):
                mod_tokens = [t for t in mod_tokens if not t.like_num]
            actors += ents(mod_tokens)
            for acl in (c for c in trig.children if c.dep_ in ("acl", "relcl")):
                for agent in (c for c in acl.children if c.dep_ == "agent"):
                    actors += ents([t for c in agent.children for t in _pruned(c)])
                if acl.lemma_.lower() in _AIMED and acl.tag_ == "VBG" or type_ in _VIOLENT and acl.dep_ == "relcl" \
                        and acl.lemma_.lower() in _SEIZE | _KILL and not any(c.dep_ == "nsubjpass" for c in acl.children):
                    # "an airstrike targeting Abdullahi Haji Da'ud": who the strike was aimed at;
                    # "the operation that eliminated Abu Ibrahim al-Hashimi al-Qurashi": whom it killed
                    targets += ents([t for c in acl.children if c.dep_ == "dobj" for t in _pruned(c) + _singled_out(c)])
            if trig.dep_ == "pobj" and trig.head.lower_ == "behind":
                subject, _ = self._subject(trig.head.head)
                actors += ents(subject)
            # "al-Shabaab claimed responsibility for the attack", "X was responsible for the attack",
            # "Dhoore played a direct role in the attack": who claims or is blamed is the attacker
            claim = trig.head.head if trig.dep_ == "pobj" and trig.head.lower_ in ("for", "in") else None
            if claim is not None and claim.lemma_.lower() in _RESPONSIBLE:
                verb = claim if claim.pos_ in ("VERB", "AUX") else claim.head
                subject, _ = self._subject(verb)
                actors += [a for a in ents(subject) if a not in actors]
            if governor is not None and governor.lemma_.lower() in self.light | self.foil:
                if type_ != "foiled_attack" or governor.lemma_.lower() not in self.foil:
                    subject, _ = self._subject(governor)
                    actors += [a for a in ents(subject) if a not in actors]
            elif governor is not None and governor.lemma_.lower() in _CASUALTY_VERBS and type_ in _VIOLENT:
                # "X confirmed killing two militants in an airstrike": who kills acts, who dies is the target
                subject, patient = self._subject(governor)
                if governor.lemma_.lower() in _DYING:
                    # "The leader of the Islamic State died during a raid by U.S. forces": who dies is the target
                    patient, subject = patient + subject, []
                actors += [a for a in ents(subject) if a not in actors]
                targets += ents(patient) + [k for c in governor.children if c.dep_ == "dobj" for k in ents(c.subtree)]
            elif trig.dep_ in ("attr",) or trig.head.lemma_ == "be" and trig.dep_ == "attr":
                pass
        for child in self._preps(trig):
            word = child.lower_
            objs = [t for p in child.children if p.dep_ == "pobj" for t in _pruned(p)]
            if word == "by":
                actors += ents(objs)
            elif word in self.target_preps and type_ not in ("intelligence_sharing", "troop_deployment"):
                if not (word == "on" and type_ == "meeting"):
                    targets += ents(objs + [t for p in child.children if p.dep_ == "pobj" for t in _singled_out(p)])
            elif word in ("with", "to") and type_ in ("intelligence_sharing",):
                targets += ents(objs)
            elif word == "with" and type_ in _PARTY_TYPES:
                partners += ents(objs)
            elif word == "between":
                actors += ents(objs)
        if type_ in _VIOLENT and type_ != "foiled_attack" and not actors:
            accused = _accused_of(trig)
            if accused is not None:
                # "Bary is charged ... in connection with the 1998 bombings", "He is accused of helping
                # abduct 16 tourists", "wanted for their roles in the bombings": who is charged is the
                # alleged attacker
                subject = [t for c in accused.children if c.dep_ in ("nsubjpass", "nsubj")
                           for t in _pruned(c) + _singled_out(c)]
                found = ents(subject) or ents(self._person_before(doc, subject, token_entity, clusters))
                actors += found
        if type_ in _VIOLENT and trig.dep_ == "pobj" and trig.head.lower_ == "of" \
                and trig.head.head.lemma_.lower() == "target" and trig.head.head.dep_ == "attr":
            # "the leader of al-Shabab, Ahmed Abdi al-Mohammad, was the target of a U.S. drone attack"
            be = trig.head.head.head
            targets += ents([t for c in be.children if c.dep_ == "nsubj" for t in _pruned(c) + _singled_out(c)])
        if type_ == "intelligence_sharing" and not actors:
            for anc in list(trig.ancestors)[:3]:
                for child in anc.children:
                    if child.dep_ == "prep" and child.lower_ == "between":
                        actors += ents(child.subtree)
            if not actors:
                # "co-operation, centred on sharing intelligence, has been going on for months between
                # Syria and the US": who it is between, wherever the sentence says it, are its parties
                actors += [k for c in sent if c.dep_ == "prep" and c.lower_ == "between"
                           for k in ents(c.subtree) if clusters[k].type not in _LOCATION_TYPES - {"country"}]
        if type_ == "intelligence_sharing" and trig.pos_ in ("VERB", "AUX"):
            # "sharing its own intelligence on IS activity in Syria with the new transitional
            # government": a "with" or "to" inside what is shared names whom it is shared with
            for obj in (c for c in trig.children if c.dep_ == "dobj"):
                targets += [k for p in obj.subtree if p.dep_ == "prep" and p.lower_ in ("with", "to")
                            for k in ents([t for o in p.children if o.dep_ == "pobj" for t in _pruned(o)])
                            if clusters[k].type not in _LOCATION_TYPES]
        if trig.lemma_.lower() == "come" and any(c.dep_ == "prep" and c.lower_ == "under" for c in trig.children):
            # "U.S. forces came under attack by a drone": who comes under fire is the target
            subject, _ = self._subject(trig)
            hit = ents(subject)
            targets = hit + targets
            actors = [a for a in actors if a not in hit]
        # "the anti-ISIS operations": what the event's own phrase says it is against is its target
        against = {token_entity[t.i] for t in trig.subtree if _after_anti(doc, t.i, token_entity)}
        targets += [a for a in actors if a in against]
        actors = [a for a in _unique(actors) if a not in against]
        targets = [t for t in _unique(targets) if t not in actors]
        if type_ in _PARTY_TYPES:
            actors = _unique(actors + [p for p in partners if p not in targets])
            if type_ == "meeting":
                targets = []
        ev.location = self._location(doc, trig, governor, actors + targets, token_entity, clusters, index)
        if type_ in _VIOLENT:
            described = {t for t in targets if clusters[t].type in _LOCATION_TYPES
                         and _describes(doc, sent, t, token_entity)}
            places = [t for t in targets if clusters[t].type in ("place", "country") and type_ != "foiled_attack"
                      and t not in described]
            if places and ev.location is None:
                ev.location = places[0]
            # a country that describes the target ("U.S. personnel") stays a target; a town that
            # describes a noun ("Sanaa time") is neither target nor place
            targets = [t for t in targets if t not in places
                       and not (t in described and clusters[t].type != "country")]
        if ev.location is None:
            ev.location = self._other_place(doc, trig, governor, token_entity, clusters)
        ev.actors = [a for a in actors if clusters[a].type not in ("place", "facility")]
        ev.targets = targets
        if type_ == "attack" and trig.lemma_.lower() == "attack" and trig.pos_ == "VERB" and ev.actors \
                and all(clusters[a].type in _STATE for a in ev.actors) \
                and not any(clusters[t].type in _STATE for t in targets):
            # "U.S. and coalition military forces continued to attack ISIL terrorists": the forces of a
            # state that attack an armed group run an operation; an attack is an attacker's
            ev.type, ev.subtype = "military_operation", "operation"
        if ev.type == "military_operation" and self._raid(trig, governor):
            ev.type, ev.subtype = "raid_or_arrest", "raid"
        if ev.type == "raid_or_arrest" and trig.pos_ in ("NOUN", "PROPN"):
            # "an operation in al-Amr to capture an ISIL senior leader known as Abu Sayyaf and his wife
            # Umm Sayyaf": whom a raid is to seize is its target
            for clause in (c for v in (governor, trig) if v is not None for c in v.children
                           if c.dep_ in ("advcl", "acl", "xcomp") and c.lemma_.lower() in _SEIZE
                           and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)):
                objs = [t for o in clause.children if o.dep_ == "dobj"
                        for t in [*o.subtree]]
                ev.targets = _unique(ev.targets + [k for k in ents(objs) if k not in ev.actors
                                                   and clusters[k].type not in _LOCATION_TYPES])
        ev.date = self._date(doc, trig, sent, index)
        ev.hedged = self._hedged(sent)
        ev.definite = self._definite(trig)
        ev.fresh = self._fresh(trig)
        ev.outcome = bool(rule.get("outcome"))
        ev.noun = trig.pos_ in ("NOUN", "PROPN")
        verb = trig if not ev.noun else governor
        # "has arrested", "have attacked": news tells a recent event in the present perfect
        perfect = [c for c in verb.children if c.dep_ == "aux" and c.lemma_ == "have" and c.tag_ in ("VBZ", "VBP")] \
            if verb is not None and verb.tag_ == "VBN" else []
        ev.perfect = (perfect[0].i, verb.i + 1) if perfect else None
        ev.dated_sentence = bool(index.dates_in(sent.start, sent.end))
        ev.quoted = sent.text.lstrip().startswith(("\"", "\u201c", "\u2018", "'"))
        return ev

    def _raid(self, trig: Token, governor: Token | None) -> bool:
        """When an operation is a raid: one operation (not "operations", not "the fighting") that
        special forces carry out ("U.S. special forces killed an Islamic State commander and
        captured his wife", "special operations forces conducted an operation"), that is a
        counter-terrorism mission or operation ("undertook a counterterrorism operation"), or
        whose purpose is to seize someone ("an operation in Syria to capture a senior leader").
        A raid is what forces on the ground do to named people; the general word stands for it."""
        if trig.pos_ in ("NOUN", "PROPN"):
            if trig.lemma_.lower() not in _RAID_NOUNS or trig.tag_ in ("NNS", "NNPS") or trig.lower_.endswith("s"):
                return False
            counter = [c for c in trig.children if c.dep_ in ("compound", "amod")]
            if any(c.lower_.startswith(("counterterror", "counter-terror")) or c.lower_ == "terrorism"
                   and c.i > 0 and c.doc[c.i - 1].lower_ in ("-", "counter") for c in counter):
                return True
            verb = governor
        else:
            verb = trig
            # one person killed or seized ("killed an Islamic State commander"), not "killed 20 fighters"
            objs = [c for c in trig.children if c.dep_ == "dobj"]
            if not objs or any(o.tag_ in ("NNS", "NNPS") or any(c.dep_ == "nummod" for c in o.children)
                               for o in objs):
                return False
        if verb is None:
            return False
        agent, _ = self._subject(verb)
        words = {t.lemma_.lower() for t in agent} | {t.lower_ for t in agent}
        if "special" in words and words & {"force", "forces", "operation", "operations"} or words & _COMMANDOS:
            return True
        # "conducted an operation in Syria to capture a senior leader": a purpose of seizing someone
        for clause in (c for v in (verb, trig) for c in v.children if c.dep_ in ("advcl", "acl", "xcomp")):
            if clause.lemma_.lower() in _SEIZE and any(c.dep_ == "aux" and c.lower_ == "to" for c in clause.children):
                return True
        return False

    @staticmethod
    def _person_before(doc: Doc, subject: list[Token], token_entity, clusters,
                       pronouns: tuple[str, ...] = ("he", "she")) -> list[Token]:
        """'He also is accused of ...': the person named last before the pronoun, within two
        sentences (a charge sheet or court story tells of one defendant at a time); a surname
        alone, the person of that surname named last."""
        pron = [t for t in subject if t.dep_ in ("nsubj", "nsubjpass", "poss") and (
            t.lower_ in pronouns or t.pos_ == "PROPN" and t.is_title and t.dep_ != "poss")]
        if not pron:
            return []
        # (a bare surname the model did not tag: "Bary is also charged" after "Adel Abdel Bary")
        surname = pron[0].text if pron[0].pos_ == "PROPN" else None
        sent_starts = [s.start for s in doc.sents if s.start <= pron[0].i][-3:]
        for tok in reversed(doc[sent_starts[0]:pron[0].i]):
            key = token_entity.get(tok.i)
            if key is not None and key in clusters and clusters[key].type == "person" and (
                    surname is None or tok.text == surname):
                return [tok]
        return []

    def _governor(self, trig: Token) -> Token | None:
        """The verb a noun trigger is the object of: 'carried out operations' -> 'carried'."""
        if trig.pos_ in ("VERB", "AUX"):
            return None
        node = trig
        if node.dep_ == "pobj" and node.head.dep_ == "prep":
            node = node.head
        if node.dep_ in ("dobj", "nsubjpass", "nsubj", "attr", "prep", "conj", "appos", "oprd") and node.head.pos_ in (
                "VERB", "AUX"):
            return node.head
        if node.dep_ == "conj":
            return self._governor(node.head)
        return None

    def _subject(self, verb: Token) -> tuple[list[Token], list[Token]]:
        """Tokens of the agent and the patient of ``verb``, following conj/xcomp/relcl up for a missing subject."""
        agent: list[Token] = []
        patient: list[Token] = []
        node = verb
        for _ in range(4):
            passive = any(c.dep_ in ("auxpass", "nsubjpass") for c in node.children)
            for child in node.children:
                if child.dep_ == "nsubj":
                    agent += list(child.subtree)
                elif child.dep_ == "nsubjpass" and node.i == verb.i:
                    patient = list(child.subtree)
                elif child.dep_ == "agent":
                    agent = [t for c in child.children for t in c.subtree]
            if not agent and node.i != verb.i and verb.dep_ == "xcomp" and node.lemma_.lower() in _RAISING:
                # "Rwanda is believed to have deployed troops": the raised subject acts
                agent = [t for c in node.children if c.dep_ == "nsubjpass" for t in c.subtree]
            if agent and node.dep_ == "relcl" and node.i == verb.i and verb.lemma_.lower() in _VIOLENT_VERBS \
                    and all(t.lower_ in ("who", "which", "that") for t in agent):
                # "al-Shabaab terrorists who were attacking Somali forces": the relative pronoun is its noun
                agent = [t for t in node.head.subtree if t.i <= node.head.i]
            if agent:
                agent = self._resolve_pronoun(agent)
                break
            if node.dep_ in ("relcl", "acl"):
                noun = node.head
                head_tokens = [t for t in noun.subtree if t.i < noun.i or t.i == noun.i]
                if passive or node.tag_ == "VBN":
                    patient = patient or head_tokens
                else:
                    agent = head_tokens
                break
            if node.dep_ in ("conj", "xcomp", "advcl", "pcomp", "ccomp") and node.head.i != node.i:
                node = node.head
                if node.dep_ == "prep":
                    node = node.head
                continue
            break
        return agent, patient

    def _resolve_pronoun(self, tokens: list[Token]) -> list[Token]:
        """'X said it conducted a strike', 'X said its officers arrested ...': the pronoun is X."""
        pron = [t for t in tokens if t.lower_ in ("it", "its", "they", "their") and t.dep_ in ("nsubj", "poss")]
        if not pron:
            return tokens
        node = pron[0].head
        for _ in range(6):
            if node.pos_ == "VERB" and node.lemma_.lower() in self.reporting and node.i != pron[0].head.i:
                subj = [t for c in node.children if c.dep_ == "nsubj" for t in c.subtree]
                if subj:
                    return tokens + subj
            if node.head.i == node.i:
                break
            node = node.head
        return tokens

    def _preps(self, trig: Token) -> list[Token]:
        preps = [c for c in trig.children if c.dep_ in ("prep", "agent")]
        # "shared intelligence with Syria": the parser may hang the recipient on the object
        preps += [p for o in trig.children if o.dep_ in ("dobj", "nsubjpass") and o.lemma_.lower() in self.intel
                  for p in o.children if p.dep_ == "prep" and p.lower_ in ("with", "to")]
        gov = self._governor(trig)
        if gov is not None:
            preps += [c for c in gov.children if c.dep_ in ("prep", "agent") and c.i != trig.i]
        return preps

    def _entities(self, tokens, token_entity: dict[int, str], clusters: dict[str, Cluster]) -> list[str]:
        keys: list[str] = []
        possessors: set[str] = set()
        for tok in tokens:
            key = token_entity.get(tok.i)
            if key is None and tok.text in demonyms() and tok.dep_ in ("amod", "compound", "nsubj", "conj"):
                country = country_by_name(demonyms()[tok.text])
                # "American forces" acts for the United States, when the text names it as well
                if country is not None and entity_key("country", country.canonical) in clusters:
                    key = entity_key("country", country.canonical)
            if key is None:
                continue
            # a place named in a locative phrase inside an argument locates it; it is not the argument
            # (nor is the country after it: "near Abu Kamal, Syria")
            if clusters[key].type in _LOCATION_TYPES and self._in_locative(tok):
                continue
            if tok.dep_ == "poss":
                possessors.add(key)
            if key not in keys:
                keys.append(key)
        # "the leader of Syria's government": Syria only describes the argument, unless it is all there is
        named = [k for k in keys if k not in possessors]
        return named or keys or _described(tokens, token_entity, clusters)

    def _in_locative(self, tok: Token) -> bool:
        """Whether a token is the object of a locative phrase, or the apposition of one (the
        country of "near Abu Kamal, Syria")."""
        node = tok
        for _ in range(3):
            if node.dep_ == "pobj":
                return node.head.dep_ == "prep" and node.head.lower_ in self.loc_preps
            if node.dep_ != "appos" or node.head.i == node.i:
                return False
            node = node.head
        return False

    def _location(self, doc: Doc, trig: Token, governor: Token | None, taken: list[str], token_entity, clusters,
                  index: _DocIndex):
        if trig.pos_ == "NOUN" and trig.lemma_.lower() in _TAKING:
            # "the liberation of Mosul", "the retaking of Tal Afar": the place taken is where it happened
            for prep in (c for c in trig.children if c.dep_ == "prep" and c.lower_ == "of"):
                for obj in (c for c in prep.children if c.dep_ == "pobj"):
                    key = token_entity.get(obj.i)
                    if key is not None and clusters[key].type in ("place", "country"):
                        return key
        head = governor or trig
        if head.dep_ in ("xcomp", "advcl") and head.head.pos_ == "VERB":
            head = head.head
        scope = self._scope(head, trig)
        best: tuple[tuple[int, int, int], str] | None = None
        for tok in scope:
            key = token_entity.get(tok.i)
            if key is None:
                if tok.lower_ == "country" and tok.i > 0 and doc[tok.i - 1].lower_ == "the":
                    key = self._the_country(tok.i - 1, token_entity, taken, index)
                if key is None:
                    continue
            elif clusters[key].type not in _LOCATION_TYPES:
                continue  # an actor may also be the place: "Syrian forces raided cells in eastern Syria"
            root = tok
            while root.head.i in token_entity and token_entity[root.head.i] == key and root.head.i != root.i:
                root = root.head
            if root.head.lower_ in _CLOCK_NOUNS:
                continue  # "1:45 p.m. (Sanaa time)": a clock, not a place
            first = tok
            while first.i > 0 and token_entity.get(first.i - 1) == key:
                first = doc[first.i - 1]
            prep = root.head
            if root.dep_ == "pobj" and prep.lower_ == "of" and prep.head.lemma_.lower() in _PLACE_NOUNS \
                    and prep.head.dep_ == "pobj":
                prep = prep.head.head  # "near the town of al-Mayadin"
            elif root.dep_ == "compound" and root.head.dep_ == "pobj":
                if root.head.lemma_.lower() in _NOT_PLACES:
                    continue  # "at a Baghdad news conference": the place of the conference, not the event
                prep = root.head.head
            elif first.i > 0 and doc[first.i - 1].lower_ in self.loc_preps and doc[first.i - 1].dep_ != "prep":
                prep = doc[first.i - 1]  # "-- Near Raqqa, three strikes ...": the parser took "Near" for a name
            elif root.dep_ != "pobj":
                continue
            if prep.lower_ not in self.loc_preps:
                continue
            if prep.lower_ == "from" and prep.head.pos_ in ("NOUN", "PROPN") and not (
                    prep.head.i == trig.i and trig.lemma_.lower() in _HANDOVER):
                continue  # "with support from Australia": where help comes from, not where it happened
            # (but "his extradition from Britain" is a handover there)
            # the most specific place wins ("in Jilib, Somalia"; "a base near Mogadishu"), then the nearest
            rank = _SPECIFIC.get(clusters[key].type, 1) if key in clusters else 1
            # a place of the trigger's own phrase first, where the trigger is a noun in another
            # verb's clause ("appear before a judge in New York following his extradition from Britain")
            own = 0 if trig.pos_ not in ("NOUN", "PROPN") or head is trig or trig.left_edge.i <= tok.i <= trig.right_edge.i \
                or governor is not None and governor.lemma_.lower() in self.light else 1
            cand = (own, rank, abs(tok.i - trig.i))
            if best is None or cand < best[0]:
                best = (cand, key)
        return best[1] if best is not None else None

    def _other_place(self, doc: Doc, trig: Token, governor: Token | None, token_entity, clusters) -> str | None:
        """Where no locative phrase of the event's clause places it: a phrase that opens the
        sentence, a 'where' clause, a nationality's towns, a bearing from a place."""
        head = governor or trig
        if head.dep_ in ("xcomp", "advcl") and head.head.pos_ == "VERB":
            head = head.head
        return self._fronted_place(doc, trig.sent, token_entity, clusters) \
            or self._where_place(head, token_entity, clusters) \
            or self._demonym_place(self._scope(head, trig), clusters) \
            or self._bearing_place(doc, trig.sent, token_entity, clusters)

    @staticmethod
    def _where_place(head: Token, token_entity, clusters) -> str | None:
        """'the first stop was in Maputo, Mozambique, where Townsend met ...': a clause opened by
        'where' happened in the place it hangs on (the town of 'Maputo, Mozambique')."""
        if head.dep_ != "relcl" or not any(c.dep_ == "advmod" and c.lower_ == "where" for c in head.children):
            return None
        noun = head.head
        key = token_entity.get(noun.i)
        if key is None or clusters[key].type not in _LOCATION_TYPES:
            return None
        if noun.dep_ in ("conj", "appos") and clusters[key].type == "country":
            town = token_entity.get(noun.head.i)
            if town is not None and clusters[town].type in ("place", "facility"):
                return town
        return key

    def _demonym_place(self, scope: list[Token], clusters) -> str | None:
        """'attacks on police stations in several northern Nigerian cities': a place noun that a
        nationality describes, after a locative preposition, lies in that country."""
        for tok in scope:
            head = tok.head
            if tok.dep_ != "amod" or tok.text not in demonyms() or head.lemma_.lower() not in _AREA_NOUNS \
                    or head.dep_ != "pobj" or head.head.lower_ not in self.loc_preps:
                continue
            country = country_by_name(demonyms()[tok.text])
            key = entity_key("country", country.canonical) if country is not None else None
            if key in clusters:
                return key
        return None

    @staticmethod
    def _bearing_place(doc: Doc, sent: Span, token_entity, clusters) -> str | None:
        """'approximately 65 kilometers southwest of the capital, Mogadishu': the event lies near a
        place, not in it; it is in that place's country, where the text names the country. A
        bearing after a town ('near Buulobarde, Somalia, about 218 km north-northwest of
        Mogadishu') says where that town is: the town is the place."""
        for tok in sent:
            if tok.lower_ not in _BEARINGS or tok.i + 1 >= sent.end or doc[tok.i + 1].lower_ != "of":
                continue
            before = [token_entity[k] for k in range(max(sent.start, tok.i - 10), tok.i)
                      if k in token_entity and clusters[token_entity[k]].type == "place"]
            if before:
                return before[-1]
            for k in range(tok.i + 2, min(tok.i + 7, sent.end)):
                key = token_entity.get(k)
                if key is None or clusters[key].type not in _LOCATION_TYPES:
                    continue
                known = clusters[key].known
                if clusters[key].type == "country":
                    return key
                name = country_name(known.country_code) if known is not None and known.country_code else None
                country = country_by_name(name) if name else None
                ckey = entity_key("country", country.canonical) if country is not None else None
                return ckey if ckey in clusters else None
        return None

    def _fronted_place(self, doc: Doc, sent: Span, token_entity, clusters) -> str | None:
        """'-- Near Huwayjah, a strike destroyed ...', 'In Mogadishu, gunmen ...': a locative phrase
        that opens the sentence, before a comma, places what the sentence tells (whatever the parser
        made of it: a list item's opening is often parsed as a name)."""
        i = sent.start
        while i < sent.end and (doc[i].is_punct or doc[i].is_space):
            i += 1
        if i >= sent.end or doc[i].lower_ not in self.loc_preps:
            return None
        j = i + 1
        while j < sent.end and doc[j].lower_ in ("the", "town", "city", "village", "district", "province", "of"):
            j += 1
        key = token_entity.get(j)
        if key is None or clusters[key].type not in _LOCATION_TYPES:
            return None
        while j < sent.end and token_entity.get(j) == key:
            j += 1
        return key if j < sent.end and doc[j].text == "," else None

    def _the_country(self, start: int, token_entity, taken, index: _DocIndex) -> str | None:
        """'the country' refers to the country named last before it."""
        for i in index.countries_before(start):
            if token_entity[i] not in taken:
                return token_entity[i]
        return None

    def _scope(self, head: Token, trig: Token) -> list[Token]:
        """The tokens whose places may place the event: the clause of its trigger, without the
        clauses beside it and without the phrase of another type of event's noun ("strikes ... in response
        to recent attacks against personnel in Iraq": Iraq places the attacks, not the strikes)."""
        out: list[Token] = []
        stack = [head]
        own = self._triggers.get(trig.i)
        doc = trig.doc
        # (another mention of the same word is another event too: "attacks, to include the attack in Jordan")
        others = {i for i, t in self._triggers.items()
                  if i != trig.i and (t != own or doc[i].lemma_.lower() == trig.lemma_.lower())}
        while stack:
            node = stack.pop()
            out.append(node)
            for child in node.children:
                # (a verb coordinated with the trigger's that shares its subject tells the same
                # action: "engaged and destroyed four vessels in the Red Sea")
                shared = child.dep_ == "conj" and node.i == head.i and child.pos_ == "VERB" \
                    and head.pos_ == "VERB" and not any(c.dep_ in ("nsubj", "nsubjpass") for c in child.children)
                # (a coordinated noun is the same phrase: "a strike on an ISIS-K tunnel complex in Achin")
                phrase = child.dep_ == "conj" and child.pos_ in ("NOUN", "PROPN") and node.pos_ in ("NOUN", "PROPN")
                if child.dep_ in ("conj", "ccomp", "parataxis", "advcl", "relcl") and not shared and not phrase \
                        and not (child.i <= trig.i <= child.right_edge.i and child.left_edge.i <= trig.i):
                    continue
                if child.i in others and child.pos_ in ("NOUN", "PROPN") and child.dep_ in ("pobj", "dobj") \
                        and not child.left_edge.i <= trig.i <= child.right_edge.i:
                    continue
                stack.append(child)
        return out

    def _date(self, doc: Doc, trig: Token, sent: Span, index: _DocIndex) -> DateMention | None:
        best: tuple[tuple[int, int], DateMention] | None = None
        dates = index.dates_in(sent.start, sent.end)
        if not dates:
            return None
        # the nearer to the trigger the word a date hangs on, the more it is the event's: "announced
        # today that forces yesterday conducted an operation" dates the operation yesterday
        depth = {t.i: n for n, t in enumerate([trig, *trig.ancestors])}
        anchor_chain = set(depth)
        for dm in dates:
            root = doc[dm.start : dm.end].root
            node, steps, crossed = root, 0, False
            while node.i not in anchor_chain and node.head.i != node.i:
                node = node.head
                steps += 1
                # "following the fall of the regime in December": a date of another happening
                if steps > 1 and node.dep_ == "prep" and node.lower_ in _ANCHOR_PREPS:
                    crossed = True
                # "strikes ... are a response to attacks that began on October 17": the cause's date
                if steps > 1 and node.lemma_.lower() in _CAUSE_NOUNS:
                    crossed = True
            if crossed or node.i not in anchor_chain:
                continue
            if best is None or (depth[node.i], steps) < best[0]:
                best = ((depth[node.i], steps), dm)
        return best[1] if best else None

    def _hedged(self, sent) -> bool:
        text = sent.text.lower()
        return any(t.lemma_.lower() in self.hedges for t in sent) or any(p in text for p in self.hedge_phrases)

    def _definite(self, trig: Token) -> bool:
        """'the attack', 'this operation', 'Friday's raid': a mention that points back."""
        nouns = [trig] if trig.pos_ in ("NOUN", "PROPN") else [
            c for c in trig.children if c.dep_ in ("dobj", "nsubjpass")]
        for n in nouns:
            # "the operation the U.S. military conducted last year", "the December 28 attack": a
            # definite phrase that says which event it is introduces it; it does not point back
            # (a relative clause after a comma only describes it: "the attack, which damaged ...")
            # (a clause that tells only what the event did to someone points back all the same: "the
            # operation that eliminated Abu Ibrahim al-Hashimi al-Qurashi")
            if any(c.dep_ in ("relcl", "acl") and c.doc[c.left_edge.i - 1].text != ","
                   and not (c.dep_ == "relcl" and c.lemma_.lower() in _SEIZE | _KILL)
                   or c.ent_type_ in ("DATE", "TIME") and c.dep_ != "poss" for c in n.children):
                return False
            for c in n.children:
                if c.dep_ in ("det", "poss") and c.lower_ in _DEFINITE:
                    return True
            # "These indictments and arrests": a coordinated noun shares its first noun's determiner
            if n.dep_ == "conj" and n.head.pos_ in ("NOUN", "PROPN") and any(
                    c.dep_ == "det" and c.lower_ in _DEFINITE for c in n.head.children):
                return True
            # "These partnered operations": the parser may hang the determiner on a modifier
            first = n.left_edge
            if first.i < n.i and first.lower_ in _DEFINITE - {"that"} and first.pos_ in ("DET", "PRON"):
                return True
            for c in n.children:
                if c.dep_ == "poss" and (c.ent_type_ in ("DATE", "TIME") or c.lower_ in _DAY_WORDS):
                    return True
                if c.dep_ == "poss" and c.ent_type_ in ("PERSON", "person") and n.lemma_.lower() in _ONE_OFF:
                    return True  # "Austin's meeting with Duale": the meeting Austin had
        return False

    def _fresh(self, trig: Token) -> bool:
        """'another attack', 'a separate strike', 'a second raid': said to be a new event."""
        nouns = [trig] if trig.pos_ in ("NOUN", "PROPN") else [
            c for c in trig.children if c.dep_ in ("dobj", "nsubjpass")]
        words = {c.lower_ for n in nouns for c in n.children if c.dep_ in ("det", "amod", "advmod")}
        words |= {c.lower_ for c in trig.children if c.dep_ == "advmod"}
        return bool(words & _FRESH)

    def _attach(self, doc: Doc, mentions: list[EventMention]) -> None:
        """Give each event its sentence's source and the figures that belong to it."""
        first_source: dict[int, AttributionMention] = {}
        for a in doc._.attributions or []:
            first_source.setdefault(a.sentence_start, a)
        # Every event of a sentence has that sentence's bounds: group them, and find a figure's
        # sentence by bisection over the sentence starts.
        by_sentence: dict[int, list[EventMention]] = {}
        for ev in mentions:
            ev.attribution = first_source.get(ev.sent_start)
            by_sentence.setdefault(ev.sent_start, []).append(ev)
        starts = sorted(by_sentence)
        for q in doc._.quantities or []:
            k = bisect_right(starts, q.start) - 1
            same = [ev for ev in by_sentence[starts[k]] if q.start < ev.sent_end] if k >= 0 else []
            if q.kind == "troops":
                fits = [ev for ev in same if ev.type == "troop_deployment"]
            elif q.kind == "operations":
                fits = [ev for ev in same if ev.type in ("military_operation", "raid_or_arrest", "airstrike")]
            else:
                fits = [ev for ev in same if ev.type in _VIOLENT]
            owner = next((ev for ev in fits if ev.trigger == q.anchor), None)
            if owner is None and fits:
                # "jets struck positions ..., killing 20 fighters who had taken part in an attack": the
                # figure's word hangs on "struck"; the event it is the outcome of is up its head chain
                by_token = {ev.trigger: ev for ev in fits}
                node = doc[q.anchor]
                for _ in range(6):
                    if node.i in by_token:
                        owner = by_token[node.i]
                        break
                    gov = next((ev for ev in fits if doc[ev.trigger].head.i == node.i and doc[ev.trigger].dep_ in (
                        "dobj", "nsubj", "nsubjpass")), None)
                    if gov is not None:
                        owner = gov
                        break
                    if node.head.i == node.i:
                        break
                    node = node.head
            if owner is None and fits:
                owner = min(fits, key=lambda ev: abs(ev.trigger - q.anchor))
            if owner is not None and all(x.kind != q.kind for x in owner.quantities):
                owner.quantities.append(q)
        for ev in mentions:
            base = 70 + (10 if ev.attribution else 0)
            ev.confidence = 40 if ev.hedged else base

    # ---------------------------------------------------------------- merging
    def _merge_sentence(self, mentions: list[EventMention]) -> list[EventMention]:
        """Several triggers of one type in a sentence describe one event, unless they are told
        apart by place or day ("attacked Haji Ali on Friday and Hosingow on Saturday"), or one
        is a series and the other one of it ("continuing attacks against U.S. forces, to include
        the attack in northeastern Jordan on January 28th"): then each is an event of its own."""
        out: list[EventMention] = []
        first: dict[tuple[int, str], list[EventMention]] = {}
        doc = self._doc
        for ev in mentions:
            group = first.setdefault((ev.sent_start, ev.type), [])
            same = next((o for o in group if not conflict(o, ev)
                         and not _series_and_member(doc[o.trigger], doc[ev.trigger])), None)
            if same is None:
                group.append(ev)
                out.append(ev)
                continue
            same.actors = _unique(same.actors + ev.actors)
            same.targets = _unique(same.targets + [t for t in ev.targets if t not in same.actors])
            same.location = same.location or ev.location
            same.date = same.date if same.date and same.date.resolved else (ev.date or same.date)
            same.definite = same.definite and ev.definite
        return out


# The model's entity labels and the ruler's (which names curated actors and countries by Liaison type).
_ENT_LABELS = {"PERSON": {"PERSON", "person"}, "GPE": {"GPE", "country", "place"}, "LOC": {"LOC", "place"},
               "FAC": {"FAC", "facility"}, "ORG": {"ORG", "organization", "armed_group", "government_body"},
               "NORP": {"NORP"}}
_PREFIXES = {"co", "non", "anti", "pre", "post", "inter"}
_GROUP_ANAPHORS = {"militant", "group", "insurgent", "extremist", "radical", "jihadist", "rebel", "terrorist",
                   "fighter", "insurgency", "islamist"}
_INSTITUTIONS = {"coalition", "ministry", "army", "navy", "police", "gendarmerie", "command", "alliance", "government",
                 "mission", "directorate", "agency"}
_DEFINING = {"define", "describe", "characterize", "characterise", "term", "classify", "count"}
_RESPONSIBLE = {"responsibility", "responsible", "credit", "role", "blame", "part"}
_CLOCK_NOUNS = {"time", "hours", "hrs"}
# How specific a place is: a town or district before a facility, a facility before a country.
_SPECIFIC = {"place": 0, "facility": 1, "country": 2}
_GENERIC_DETS = {"such", "any", "every", "each", "future", "all", "regular", "periodic", "annual", "routine", "weekly",
                 "monthly", "frequent", "recurring"}
_ONE_OFF = {"meeting", "visit", "talks", "call", "trip", "arrest", "detention", "designation", "deployment"}
_KINDS_OF = {"range", "variety", "kind", "type", "sort", "spectrum", "array", "form"}
_ROLE_NOUNS = {"director", "chief", "head", "officer", "deputy", "commander", "center", "centre", "division",
               "department", "directorate", "command", "office", "room", "area"}
_EVALUATIVE = {"vital", "important", "key", "critical", "essential", "necessary", "crucial", "central", "part",
               "tool", "priority", "pillar", "cornerstone", "component", "element"}
_HABITUAL = {"often", "usually", "regularly", "routinely", "typically", "frequently", "generally", "normally",
             "sometimes", "commonly", "always"}
_KNOWN_FOR = {"responsible", "involved", "involve", "linked", "blamed", "known", "notorious", "similar", "like", "accused"}
_ASPECTUAL = {"continue", "begin", "start", "resume", "keep", "go", "proceed", "manage", "fail", "happen"}
_CASUALTY_NOUNS = {"dead", "casualty", "victim", "toll", "fatality", "killed", "wounded", "injured", "death"}
_CREDIT = re.compile(r"\b(information|material|reporting)\b.{0,40}\b(this|the) (report|story|article)\b.{0,20}"
                     r"\b(provided|contributed|came)\b", re.I)
_GENERAL_VERBS = {"be", "remain", "continue", "require", "need", "help", "serve", "pose", "represent", "matter",
                  # what strikes and operations do, said in the simple present: "Strikes against
                  # al-Qa'ida put consistent pressure on the network", "airstrikes support ..."
                  "put", "support", "degrade", "deny", "disrupt", "deter", "keep", "provide", "allow", "enable",
                  "protect", "reduce", "weaken", "prevent", "demonstrate", "reaffirm", "underscore", "show"}
_PURPOSE_NOUNS = {"mission", "goal", "aim", "purpose", "role", "task", "job", "objective", "intent", "mandate"}
_PLANNING = {"planning", "facilitation", "financing", "funding", "plotting", "preparation", "coordination",
             "organization", "organisation", "execution"}
_PLANNERS = {"coordinator", "planner", "organizer", "organiser", "mastermind", "architect", "facilitator",
             "financier", "perpetrator"}


def _described(tokens, token_entity: dict[int, str], clusters: dict[str, Cluster]) -> list[str]:  # noqa: ANN001
    """The entity an argument names only by description: "the militants", "the militant group"
    (the armed group the text named last before it) and "coalition forces", "the ministry" (the one
    body of the text whose name has that word)."""
    for tok in tokens:
        lemma = tok.lemma_.lower()
        if lemma in _GROUP_ANAPHORS and any(c.dep_ in ("det", "poss") and c.lower_ in _DEFINITE | {"its", "their"}
                                            for c in tok.children):
            before = [i for i, k in token_entity.items() if i < tok.i and clusters[k].type == "armed_group"]
            if before:
                return [token_entity[max(before)]]
        if lemma in _INSTITUTIONS and tok.pos_ == "NOUN":
            named = {k for k, c in clusters.items() if c.type in ("organization", "government_body", "armed_group")
                     and lemma in c.canonical.lower().replace("-", " ").split()}
            if len(named) == 1:
                return list(named)
    return []


def _accused_of(trig: Token) -> Token | None:
    """The verb of a charge that names the event as what someone did: 'is charged ... in
    connection with the bombings', 'accused of helping abduct', 'wanted for their roles in the
    bombings', 'convicted of the attack'. Within a few heads of the trigger, passing no noun but
    the words that tie a charge to its act ('connection', 'role', 'involvement', 'part')."""
    node = trig
    for _ in range(8):
        head = node.head
        if head.i == node.i:
            return None
        if node.dep_ == "conj" and head.pos_ in ("NOUN", "PROPN"):
            node = head  # "murder, conspiracy, and other offenses in connection with ..."
            continue
        if head.pos_ in ("VERB", "AUX") and head.lemma_.lower() in _ACCUSING:
            return head
        if head.pos_ in ("NOUN", "PROPN") and head.lemma_.lower() not in _TIES:
            return None
        if head.pos_ == "VERB" and head.lemma_.lower() not in _TIE_VERBS:
            return None
        node = head
    return None


def _sought_for(verb: Token) -> bool:
    """'are wanted for their roles in the bombings': wanted by the law for what was done, not a wish."""
    return verb.lemma_.lower() == "want" and verb.tag_ == "VBN" and any(
        c.dep_ in ("auxpass", "nsubjpass") for c in verb.children)


def _asked_of(trig: Token, clause: Token) -> bool:
    """'determine whether a U.S. drone strike in Somalia killed Godane', 'unclear if the raid caught
    him': a question put as a verb's complement asks what the event the clause is about did, and so
    takes that it happened. Not so a condition ('if the army attacks'), a question whether it
    happened at all ('whether an airstrike took place'), nor one about a verb trigger itself."""
    return (trig.pos_ in ("NOUN", "PROPN") and trig.dep_ in _SUBJECTS and trig.head.i == clause.i
            and clause.dep_ in ("ccomp", "xcomp", "csubj") and clause.pos_ == "VERB"
            and clause.lemma_.lower() not in _EXISTENCE)


def _heading(sent: Span) -> bool:
    """'U.S. airstrike', a headline or label of a few words with no verb: it names, it tells nothing."""
    words = [t for t in sent if not t.is_punct and not t.is_space]
    return len(words) <= 4 and not any(t.pos_ in ("VERB", "AUX") for t in words)


def _habitual_clause(trig: Token) -> bool:
    """'which targets terrorists', 'cars, which are then attacked by gunmen': a verb in the simple
    present inside a relative clause says what something does, not what happened."""
    if trig.dep_ != "relcl":
        return False
    if trig.tag_ in ("VBZ", "VBP"):
        return not any(c.dep_ in ("aux", "auxpass") for c in trig.children)
    if trig.tag_ == "VBG" and any(c.dep_ == "aux" and c.tag_ in ("VBZ", "VBP") for c in trig.children):
        return True  # "the militants, who are fighting to impose Islamic law": what they are about
    return trig.tag_ == "VBN" and any(c.dep_ == "auxpass" and c.tag_ in ("VBZ", "VBP") for c in trig.children)


def _habitual_adverb(verb: Token) -> bool:
    """'they often target religious minorities': a verb said to happen as a habit."""
    return any(c.dep_ == "advmod" and c.lower_ in _HABITUAL for c in verb.children) and verb.tag_ in (
        "VBZ", "VBP", "VB")


def _purpose(trig: Token) -> bool:
    """'measures to attack and disrupt', 'instructions to detonate', 'left in order to join',
    'funding to conduct operations': an infinitive of purpose is no event; 'continued to attack' is."""
    if trig.pos_ in ("NOUN", "PROPN") and trig.dep_ == "dobj" and trig.head.pos_ == "VERB":
        return _purpose(trig.head)
    if not any(c.dep_ == "aux" and c.tag_ == "TO" for c in trig.children):
        # "to direct and enable military operations": the infinitive marker is on the first verb
        return trig.dep_ == "conj" and trig.pos_ == "VERB" and _purpose(trig.head)
    head = trig.head
    if head.lemma_.lower() in _ASPECTUAL:
        return False
    if head.lemma_ == "be" and any(c.dep_ == "nsubj" and c.lemma_.lower() in _PURPOSE_NOUNS for c in head.children):
        return True  # "The CENTCOM mission is to direct and enable military operations": what it is for
    if trig.dep_ == "acl" and head.pos_ in ("NOUN", "PROPN"):
        return True
    # "left the country in order to join ISIS"; but "sent envoys to Damascus to meet the government"
    # tells a meeting that took place
    before = trig.doc[max(trig.left_edge.i - 3, 0):trig.left_edge.i + 1].text.lower()
    if trig.dep_ == "advcl" and ("in order to" in before or "so as to" in before):
        return True
    return trig.dep_ == "conj" and _purpose(head)


def _credit_line(trig: Token) -> bool:
    """'Some information in this report was provided by AFP': a news credit line."""
    return bool(_CREDIT.search(trig.sent.text))


def _casualty_context(trig: Token) -> bool:
    """Whether the clause of ``trig`` counts casualties ("the dead included ...", "killed ...")."""
    node = trig
    for _ in range(4):
        if node.lemma_.lower() in _CASUALTY_VERBS or any(
                c.dep_ in ("nsubj", "nsubjpass", "acomp", "oprd", "attr", "dobj", "xcomp")
                and c.lemma_.lower() in _CASUALTY_NOUNS for c in node.children):
            return True
        if node.head.i == node.i:
            break
        node = node.head
    return False


def _generic(trig: Token) -> bool:
    """A mention of a kind of event, not of one event: "such operations", "any attack", and a plural
    noun that is the subject of a present-tense general statement ("operations remain vital",
    "strikes are a key tool")."""
    if trig.pos_ not in ("NOUN", "PROPN"):
        # "U.S. Africa Command precision airstrikes support Somali security force activities": the
        # parser took the plural noun for a verb; the general statement is the verb after it
        nxt = trig.doc[trig.i + 1] if trig.i + 1 < len(trig.doc) else None
        if trig.lower_.endswith("strikes") and trig.tag_ == "VBZ" and nxt is not None and nxt.tag_ in ("VBP", "VB") \
                and nxt.lemma_.lower() in _GENERAL_VERBS | {"build"}:
            return True
        return _habitual_clause(trig) or _habitual_adverb(trig)
    if any(c.dep_ in ("det", "amod", "predet") and c.lower_ in _GENERIC_DETS for c in trig.children):
        return True
    head = trig.head
    if trig.dep_ == "pobj" and head.lower_ == "of" and head.head.lemma_.lower() in _KINDS_OF | _ROLE_NOUNS:
        return True  # "a broad range of military operations", "director of operations"
    if trig.dep_ == "pobj" and head.lower_ == "of" and (head.head.lemma_.lower() in _PLANNING or trig.tag_ == "NNS"
                                                          and head.head.lemma_.lower() in _PLANNERS):
        return True  # "the planning and facilitation of ISIS attacks", "a principal coordinator of attacks"
    # "our security cooperation is vital", "such strikes remain a key tool": a general statement
    if trig.dep_ == "nsubj" and head.lemma_.lower() in _GENERAL_VERBS and head.tag_ in ("VBZ", "VBP") and any(
            c.dep_ in ("acomp", "attr") and c.lemma_.lower() in _EVALUATIVE for c in head.children):
        return True
    if head.pos_ in ("VERB", "AUX") and _habitual_adverb(head):
        return True
    # "responsible for multiple bombings", "similar to raids conducted by Boko Haram": what a group
    # is known for, not an event told here
    if trig.tag_ == "NNS" and trig.dep_ == "pobj" and head.dep_ == "prep" and head.head.lemma_.lower() in _KNOWN_FOR:
        return True
    # ("put" is tagged a past as often as a present: its forms are one)
    present = head.tag_ in ("VBZ", "VBP") or head.tag_ == "VBD" and head.lower_ == head.lemma_.lower()
    return (trig.tag_ == "NNS" and trig.dep_ == "nsubj" and head.lemma_.lower() in _GENERAL_VERBS
            and present and not any(c.dep_ in ("det", "poss", "nummod") for c in trig.children))


def _series_and_member(a: Token, b: Token) -> bool:
    """The same event noun in the plural and in the singular with a determiner ("attacks ... the
    attack in Jordan"): a series and one of its events."""
    tags = {a.tag_, b.tag_}
    single = a if a.tag_ == "NN" else b
    return tags == {"NNS", "NN"} and a.lemma_.lower() == b.lemma_.lower() \
        and any(c.dep_ == "det" for c in single.children)


def _describes(doc: Doc, sent: Span, key: str, token_entity: dict[int, str]) -> bool:
    """Whether a place of the sentence only describes a noun ("Seven U.S. personnel were injured",
    "Iraqi soldiers"): every mention of it modifies a noun; such a target is no place of the event."""
    heads = []
    for tok in sent:
        if token_entity.get(tok.i) == key and not (tok.head.i != tok.i and token_entity.get(tok.head.i) == key):
            heads.append(tok)
    return bool(heads) and all(t.dep_ in ("compound", "amod", "nmod", "poss") and t.head.pos_ in ("NOUN", "PROPN")
                               and t.head.lemma_.lower() not in _PLACE_NOUNS | {"village", "base", "camp"}
                               for t in heads)


def _participle_modifier(trig: Token) -> bool:
    """'killed two attacking al-Shabaab terrorists', 'the attacking force', 'a U.S. Government
    designated Foreign Terrorist Organization': a participle right after a determiner or a number
    (or, for a designation, after a determiner and a name) describes the noun after it; it tells
    no event."""
    doc = trig.doc
    if trig.tag_ not in ("VBG", "VBN", "VBD") or trig.i + 1 >= len(doc) or trig.i == trig.sent.start:
        return False
    if doc[trig.i + 1].pos_ not in ("NOUN", "PROPN", "ADJ"):
        return False
    prev = doc[trig.i - 1]
    if prev.lower_ in _MODIFIER_DETS or prev.like_num and prev.pos_ == "NUM":
        return True
    if trig.lemma_.lower() not in ("designate", "list", "sanction"):
        return False
    k = trig.i - 1
    while k > trig.sent.start and (doc[k].pos_ == "PROPN" or doc[k].text == "-"):
        k -= 1
    return k < trig.i - 1 and doc[k].lower_ in ("a", "an")


_TAKING = {"liberation", "capture", "recapture", "retaking", "seizure", "takeover", "fall", "siege", "clearance",
           "clearing"}
_NOT_PLACES = {"conference", "briefing", "statement", "interview", "speech", "meeting", "hearing", "court",
               "time", "broadcast", "television", "radio", "newspaper", "office", "embassy", "visit"}
_STATE = {"country", "government_body", "organization"}
_VIOLENT_VERBS = {"attack", "ambush", "assault", "storm", "raid", "shell", "bomb", "fire", "kill", "strike", "fight",
                  "target", "overrun", "kidnap", "abduct"}
_CAUSE_NOUNS = {"response", "retaliation", "reprisal", "revenge", "reaction", "answer"}
_PARTITIVES = {"one", "some", "all", "several", "many", "most", "each", "both", "none", "two", "three"}
_AREA_NOUNS = {"city", "town", "village", "territory", "soil", "waters", "province", "state", "region", "area",
               "district", "border", "borderland", "capital", "countryside", "coast"}
_BEARINGS = {"north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest",
             "north-northwest", "north-northeast", "south-southwest", "south-southeast", "east-northeast",
             "west-northwest", "east-southeast", "west-southwest"}
_AIMED = {"target", "hit", "kill", "strike"}
_MODIFIER_DETS = {"a", "an", "the", "its", "their", "his", "her", "two", "three", "four", "five", "several",
                  "many", "some"}


# What a strike does, told by a verb of its own: "six strikes targeted a camp", "an airstrike in
# Somalia targeting a commander". The verb is the strike's, not an attack of its own.
_STRIKE_HOSTS = {"airstrike", "raid_or_arrest", "military_operation"}


def _fold_strike_verbs(doc: Doc, mentions: list[EventMention]) -> list[EventMention]:
    """An attack verb whose subject is a strike ('the strikes targeted a camp'), or a participle with
    no subject of its own after a strike of its sentence ('conducted an airstrike in Somalia
    targeting Abdullahi Haji Da'ud'), tells what that strike did: its objects are the strike's
    targets and its place the strike's, and it is no event of its own. An operation whose verb
    goes on in a strike ("continued to attack ISIS ..., conducting 19 strikes") is those strikes."""
    by_trigger = {ev.trigger: ev for ev in mentions}
    dropped: set[int] = set()
    for ev in mentions:
        trig = doc[ev.trigger]
        if ev.type != "attack" or trig.pos_ not in ("VERB",):
            continue
        host = None
        for c in trig.children:
            if c.dep_ == "nsubj" and c.i in by_trigger and by_trigger[c.i].type in _STRIKE_HOSTS:
                host = by_trigger[c.i]
        if host is None and trig.tag_ == "VBG" and trig.dep_ in ("acl", "advcl", "xcomp") \
                and not any(c.dep_ in ("nsubj", "nsubjpass") for c in trig.children):
            before = [o for o in mentions if o.sent_start == ev.sent_start and o.trigger < ev.trigger
                      and o.type in _STRIKE_HOSTS and doc[o.trigger].pos_ in ("NOUN", "PROPN")]
            host = before[-1] if before else None
        if host is None or host.trigger in dropped:
            continue
        host.targets = _unique(host.targets + [t for t in ev.targets if t not in host.actors])
        host.location = host.location or ev.location
        dropped.add(ev.trigger)
    # "forces continued to attack ISIS ..., conducting 19 strikes": the operation is those strikes
    for ev in mentions:
        trig = doc[ev.trigger]
        if ev.type != "military_operation" or trig.pos_ != "VERB" or ev.trigger in dropped:
            continue
        clause = {trig.i, trig.head.i}
        host = next((o for o in mentions if o.sent_start == ev.sent_start and o.type == "airstrike"
                     and doc[o.trigger].pos_ == "NOUN" and doc[o.trigger].dep_ == "dobj"
                     and doc[o.trigger].head.dep_ == "advcl" and doc[o.trigger].head.tag_ == "VBG"
                     and doc[o.trigger].head.head.i in clause), None)
        if host is None:
            continue
        host.actors = _unique(host.actors + [a for a in ev.actors if a not in host.targets])
        host.targets = _unique(host.targets + [t for t in ev.targets if t not in host.actors])
        host.location = host.location or ev.location
        host.date = host.date or ev.date
        dropped.add(ev.trigger)
    return [ev for ev in mentions if ev.trigger not in dropped]


def _split_by_places(doc: Doc, ev: EventMention, token_entity: dict[int, str],
                     clusters: dict[str, Cluster]) -> list[EventMention]:
    """'attacks in Cabo Delgado and Niassa provinces', 'strikes in the Red Sea, the Bab al-Mandeb and
    the Gulf of Aden': a plural mention placed in several coordinated places is one event per place."""
    trig = doc[ev.trigger]
    if ev.definite and not (ev.location and _one_per_place(trig, ev.location, token_entity)):
        return [ev]  # "These indictments and arrests - in Minnesota, Alabama, and California": a re-mention
    # (a verb whose object is plural is a plural mention too: "striking KH bases in western Iraq and
    # western Syria")
    # (not a verb whose subject is itself the strikes: "The strikes hit caves where three provinces meet")
    plural = trig.tag_ in ("NNS", "NNPS") or trig.pos_ == "VERB" and ev.type in _VIOLENT and any(
        c.dep_ == "dobj" and c.tag_ == "NNS" for c in trig.children) and not any(
        c.dep_ in ("nsubj", "nsubjpass") for c in trig.children)
    if ev.location is None or not plural:
        return [ev]
    # countries split strikes as towns do ("strikes in Iraq and Syria"), where the event is placed in one,
    # and any act on things one to a country ("the bombings of the U.S. embassies in Kenya and Tanzania")
    countries = clusters[ev.location].type == "country" and (
        ev.type == "airstrike" or _one_per_place(trig, ev.location, token_entity))

    def fits(key: str | None) -> bool:
        return bool(key) and key not in places and clusters[key].type in _LOCATION_TYPES and (
            clusters[key].type != "country" or countries)

    places = [ev.location]
    for tok in doc[ev.sent_start:ev.sent_end]:
        if token_entity.get(tok.i) != ev.location:
            continue
        for other in tok.conjuncts:
            key = token_entity.get(other.i)
            if fits(key):
                places.append(key)
        # "Cabo Delgado and Niassa Provinces": the coordination may hang on the entity's last word
        for t in doc[tok.i:tok.i + 4]:
            for other in [c for conj in t.conjuncts for c in (conj, *(x for x in conj.children if x.dep_ == "compound"))]:
                key = token_entity.get(other.i)
                if fits(key):
                    places.append(key)
    if len(places) < 2 or len(places) > 6:
        return [ev]
    return [ev] + [replace(ev, location=key, others=[], places=set(), quantities=[], actors=list(ev.actors),
                           targets=list(ev.targets)) for key in places[1:]]


def _one_per_place(trig: Token, location: str, token_entity: dict[int, str]) -> bool:
    """Whether what the act was done to is a definite plural placed in the coordinated places ("the
    bombings of the U.S. embassies in Kenya and Tanzania": the embassy in each), rather than the act
    placed in a region ("attacks on U.S. personnel in Iraq and Syria", "attacks on bases in Iraq
    and Syria": people, or a bare plural, may be one series)."""
    for tok in trig.sent:
        if token_entity.get(tok.i) != location or tok.dep_ != "pobj":
            continue
        thing = tok.head.head if tok.head.lower_ in ("in", "at") else None
        if thing is None or thing.pos_ not in ("NOUN", "PROPN") or not (
                thing.tag_ in ("NNS", "NNPS") or thing.tag_ == "NNP" and thing.lower_.endswith("ies")):
            continue
        if thing.lemma_.lower() in _PEOPLE_NOUNS or not any(
                c.dep_ in ("det", "poss") and c.lower_ in ("the", "its", "their", "his", "her") for c in thing.children):
            continue  # (a bare plural, "attacks on U.S. bases in Iraq and Syria", may tell a series)
        if thing.head.i == trig.i and thing.dep_ == "dobj" or thing.head.head.i == trig.i and thing.dep_ == "pobj" \
                and thing.head.lower_ in ("of", "on", "against", "at"):
            return True
    return False


# People are no things one to a place: "attacks on U.S. personnel in Iraq and Syria".
_PEOPLE_NOUNS = {"personnel", "force", "forces", "troop", "soldier", "citizen", "national", "civilian", "people",
                 "interest", "official", "diplomat", "worker", "member"}


def conflict(a: EventMention, b: EventMention) -> bool:
    """Two mentions that cannot be one event: other places (unless one lies in the other), days
    that do not overlap, other figures of one kind. The test of one sentence's mentions
    (liaison_events) and of re-mentions across sentences (liaison_discourse) alike."""
    if a.location and b.location and a.location != b.location and not (
            b.location in a.places or a.location in b.places):
        return True
    if a.date and b.date and a.date.resolved and b.date.resolved:
        ra, rb = a.date.resolved, b.date.resolved
        if ra.end < rb.start or rb.end < ra.start:
            return True
    qa = {q.kind: q.value for q in a.quantities}
    return any(q.kind in qa and qa[q.kind] != q.value for q in b.quantities)


_ANTI = {"anti", "counter"}


def _after_anti(doc: Doc, i: int, token_entity: dict[int, str]) -> bool:
    """Whether token ``i`` belongs to a name written after "anti-" or "counter-" ("anti-ISIS")."""
    key = token_entity.get(i)
    if key is None:
        return False
    j = i
    while j > 0 and token_entity.get(j - 1) == key:
        j -= 1
    return j >= 2 and doc[j - 1].text == "-" and doc[j - 2].lower_ in _ANTI \
        or j >= 1 and doc[j - 1].lower_.rstrip("-") in _ANTI and doc[j - 1].text.endswith("-")


def _singled_out(head: Token) -> list[Token]:
    """The names an appositive gives the phrase of ``head``: a person it names ("the leader of
    al-Shabab, Ahmed Abdi al-Mohammad") or one it singles out of it ("the Al-Shabaab network,
    specifically the group's leader, Ahmed Abdi al-Muhammad"). Other appositives only describe."""
    out: list[Token] = []
    # (the parser may hang the name on the phrase's last noun: "the leader of al-Shabab, Ahmed Abdi Godane")
    for app in (c for t in {head, *_pruned(head)} for c in t.children if c.dep_ == "appos"):
        singled = any(c.dep_ == "advmod" and c.lower_ in _SINGLING for c in app.children)
        if singled or app.ent_type_ in ("PERSON", "person"):
            out += _pruned(app) + _singled_out(app)
    return out


def _pruned(head: Token) -> list[Token]:
    """The phrase of ``head`` without its relative clauses and appositives."""
    out = [head]
    for child in head.children:
        if child.dep_ not in _PRUNE:
            out.extend(_pruned(child))
    return out


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


@Language.factory(
    "liaison_events",
    requires=["doc._.clusters", "doc._.dates", "doc._.quantities", "doc._.attributions"],
    assigns=["doc._.events"],
    default_config={"rules": "events.json", "cues": "cues.json"},
)
def make_event_finder(nlp: Language, name: str, rules: str, cues: str) -> EventFinder:
    return EventFinder(nlp, name, rules, cues)

