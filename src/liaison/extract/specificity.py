"""Whether an event the rules found is one the text reports: a small trained model.

Rules decide most of it (negation, purpose, habits, kinds: liaison.extract.events), but some
mentions look like events and are not ("such operations remain vital" is caught by a rule;
"the EARF responds to a broad range of contingencies" or a background clause in a designation
notice are harder to state). Where no rule decides, a logistic regression over features of the
parse and of the event's slots gives the probability that a person annotating the text would
count it; events under the threshold are dropped.

The model is plain data, ``data/specificity.json`` (feature weights, bias, threshold), so that
running it needs nothing but this module; ``scripts/train_specificity.py`` trains it with
scikit-learn on the project's own annotated real articles (the tuned parts of the development
set and of ``tests/data/real``), chooses the threshold by cross-validation over documents, and
reports it against the rules alone on the documents kept aside. A config value of "" turns it off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from spacy.tokens import Doc

from liaison.errors import ConfigError
from liaison.extract.config import component_data
from liaison.extract.events import EventMention

_SUBORDINATE = {"advcl", "relcl", "acl", "pcomp", "pobj", "ccomp", "xcomp", "csubj", "appos", "conj"}


@dataclass(frozen=True)
class SpecificityModel:
    weights: dict[str, float]
    bias: float
    threshold: float

    @classmethod
    def load(cls, ref: str) -> SpecificityModel | None:
        """The model of data file ``ref`` (see liaison.extract.config), or None for "" (no model)."""
        if not ref:
            return None
        data = component_data(ref)
        try:
            return cls(dict(data["weights"]), float(data["bias"]), float(data["threshold"]))
        except (KeyError, TypeError, ValueError) as err:
            raise ConfigError(f"not a specificity model ({err!r} missing or wrong)", ref,
                              "Give a JSON file with weights, bias and threshold, as scripts/train_specificity.py "
                              "writes") from None

    def probability(self, feats: dict[str, float]) -> float:
        z = self.bias + sum(self.weights.get(k, 0.0) * v for k, v in feats.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def features(doc: Doc, ev: EventMention, position: int, sentence_index: int, sentences: int) -> dict[str, float]:
    """What the model reads of one event: its type and trigger, the trigger's place in the parse,
    which slots the discourse filled, and where in the document it is told."""
    trig = doc[ev.trigger]
    sent = doc[ev.sent_start:ev.sent_end]
    head = trig.head
    f: dict[str, float] = {
        f"type={ev.type}": 1.0,
        f"subtype={ev.subtype}": 1.0,
        f"lemma={trig.lemma_.lower()}": 1.0,
        f"type_lemma={ev.type}|{trig.lemma_.lower()}": 1.0,
        f"tag={trig.tag_}": 1.0,
        f"dep={trig.dep_}": 1.0,
        f"head_lemma={head.lemma_.lower()}": 1.0,
        f"head_tag={head.tag_}": 1.0,
        "noun": float(ev.noun),
        "definite": float(ev.definite),
        "fresh": float(ev.fresh),
        "outcome": float(ev.outcome),
        "hedged": float(ev.hedged),
        "subordinate": float(trig.dep_ in _SUBORDINATE),
        "root": float(trig.dep_ == "ROOT"),
        "has_actor": float(bool(ev.actors)),
        "has_target": float(bool(ev.targets)),
        "has_location": float(ev.location is not None),
        "has_date": float(ev.date is not None and ev.date.resolved is not None),
        "dated_sentence": float(ev.dated_sentence),
        "quantities": float(min(len(ev.quantities), 3)),
        "mentions": float(min(len(ev.others), 3)),
        f"source={ev.attribution_from if ev.attribution is not None else 'none'}": 1.0,
        "first_sentence": float(sentence_index == 0),
        "early": float(sentence_index < 3),
        "late": float(sentences > 4 and sentence_index > sentences * 0.75),
        "quote": float(sent.text.lstrip()[:1] in "\"“‘'"),
        "question": float(sent.text.rstrip().endswith("?")),
        "long_sentence": float(len(sent) > 40),
        "events_before": float(min(position, 5)),
        "plural": float(trig.tag_ in ("NNS", "NNPS")),
        "present": float(trig.tag_ in ("VBZ", "VBP") or head.tag_ in ("VBZ", "VBP")),
        "perfect": float(ev.perfect is not None),
    }
    return f
