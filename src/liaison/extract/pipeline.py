"""Build the extraction pipeline, run it over texts, and turn what it finds into an Extraction.

The statistical model is an installed package named by the ``spacy_model`` setting;
Liaison adds an EntityRuler (curated actors, countries, name patterns) over its NER
and five registered components after it. ``docs/extraction.md`` describes each. A long
text goes through in chunks (``liaison.extract.chunking``), so that the model's memory
stays bounded; offsets always index the whole text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

import spacy
from spacy.attrs import ORTH, SENT_START
from spacy.language import Language
from spacy.pipeline import EntityRuler
from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

# Registering the factories is the point of these imports.
from liaison.extract import attribution as _attribution  # noqa: F401
from liaison.extract import dates as _dates  # noqa: F401
from liaison.extract import discourse as _discourse  # noqa: F401
from liaison.extract import entities as _entities  # noqa: F401
from liaison.extract import events as _events  # noqa: F401
from liaison.extract import quantities as _quantities  # noqa: F401
from liaison.extract.aliases import stated_aliases
from liaison.extract.chunking import CHUNK_CHARS, chunk_bounds, context_year, merge
from liaison.extract.entities import place_fields
from liaison.extract.gazetteer import country_index, known_aliases
from liaison.extract.governments import placed_state_aliases
from liaison.extract.lexicon import actors, load_json
from liaison.ingest.dateline import dateline_end, has_line_break
from liaison.model import Attribution, DateValue, Entity, Event, Extraction, Quantity, Span

LIAISON_COMPONENTS = [
    "liaison_entities",
    "liaison_quantities",
    "liaison_dates",
    "liaison_attribution",
    "liaison_events",
    "liaison_discourse",
]


def ruler_patterns() -> list[dict]:
    """EntityRuler patterns: every alias of every curated actor, every country name, name patterns."""
    out: list[dict] = []
    for row in actors():
        for alias in {row["canonical"], *row.get("aliases", [])}:
            out.append({"label": row["type"], "pattern": alias, "id": row["canonical"]})
    for name, known in country_index().items():
        del name
        out.append({"label": "country", "pattern": known.canonical, "id": known.canonical})
    for alias, canonical in load_json("country_aliases.json").items():
        out.append({"label": "country", "pattern": alias, "id": canonical})
    out.extend(load_json("entity_patterns.json")["patterns"])
    return out


@Language.component("liaison_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """A line break (U+2028 and U+2029 too) ends a sentence: headlines, captions and paragraphs have
    no full stop to say so.

    The marks are written as one array: setting ``Token.is_sent_start`` checks the whole Doc
    for a parse each time, which made this step quadratic in the number of lines."""
    starts = doc.to_array(SENT_START)
    for prev in doc[:-1]:
        if prev.is_space and has_line_break(prev.text) or has_line_break(prev.whitespace_):
            starts[prev.i + 1] = 1
    # A dateline ("MOGADISHU, March 3, 2025 -") is no part of the first sentence's grammar.
    end = dateline_end(doc.text)
    if end is not None:
        for tok in doc:
            if tok.idx >= end:
                if tok.i > 0:
                    starts[tok.i] = 1
                break
    doc.from_array([SENT_START], starts)
    return doc


class _EntityRuler(EntityRuler):
    """spaCy's EntityRuler, with its matches written to ``doc.ents`` in one pass.

    spaCy's own ``set_annotations`` filters the whole entity list again for every match, which
    is quadratic in a document's length. This keeps its rules (longest match first; a match
    whose first or last token another has taken is dropped; a model entity that overlaps a
    match gives way to it) and drops the overlapped entities once, at the end."""

    def set_annotations(self, doc: Doc, matches: list[tuple[int, int, int]]) -> None:
        new_entities = []
        seen_tokens: set[int] = set()
        for match_id, start, end in matches:
            if not self.overwrite and any(t.ent_type for t in doc[start:end]):
                continue
            # end - 1: a match's boundaries are inclusive
            if start not in seen_tokens and end - 1 not in seen_tokens:
                if match_id in self._ent_ids:
                    label, ent_id = self._ent_ids[match_id]
                    span = SpacySpan(doc, start, end, label=label, span_id=ent_id)
                else:
                    span = SpacySpan(doc, start, end, label=match_id)
                new_entities.append(span)
                seen_tokens.update(range(start, end))
        kept = [e for e in doc.ents if seen_tokens.isdisjoint(range(e.start, e.end))]
        doc.ents = kept + new_entities


@Language.factory("liaison_entity_ruler", default_config={"phrase_matcher_attr": None, "overwrite_ents": False})
def make_entity_ruler(nlp: Language, name: str, phrase_matcher_attr: str | None,
                      overwrite_ents: bool) -> _EntityRuler:
    return _EntityRuler(nlp, name, phrase_matcher_attr=phrase_matcher_attr, overwrite_ents=overwrite_ents)


def build_nlp(model: str) -> Language:
    """Load the spaCy pipeline ``model`` and add Liaison's components to it."""
    nlp = spacy.load(model, exclude=["senter"])
    nlp.add_pipe("liaison_line_breaks", before="parser")
    # Military and civil titles that end in a full stop but never end a sentence ("Brig. Gen. Ali").
    for title in load_json("titles.json")["abbreviations"]:
        nlp.tokenizer.add_special_case(title, [{ORTH: title}])
    ruler = nlp.add_pipe("liaison_entity_ruler", name="liaison_actor_ruler", after="ner",
                         config={"phrase_matcher_attr": "ORTH", "overwrite_ents": True})
    # The patterns match exact text, so making their Docs needs no component: without this, spaCy
    # runs the whole model over every pattern (0.4 s of every start).
    with nlp.select_pipes(disable=nlp.pipe_names):
        ruler.add_patterns(ruler_patterns())  # type: ignore[attr-defined]
    for name in LIAISON_COMPONENTS:
        nlp.add_pipe(name)
    return nlp


@dataclass(frozen=True)
class Parsed:
    """A text after the pipeline: the records of each chunk it was processed in, in text order,
    with offsets into the whole text (``to_extraction`` joins them)."""

    chunks: tuple[Extraction, ...]


class _Piece(NamedTuple):
    """One chunk of one text on its way through the pipeline."""

    text: int  # which of the texts
    chunks: int  # how many chunks that text has
    offset: int  # where this one starts in it
    chars: int
    doc: Doc


def process(nlp: Language, items: Iterable[tuple], batch_size: int = 16) -> Iterator[Parsed]:
    """Run ``nlp`` over (text, published) or (text, published, issuer) items: the date lets
    relative expressions resolve; the issuer (a release's outlet, "U.S. Africa Command") is the
    default source of the claims no sentence attributes (liaison.extract.discourse).

    A text longer than ``CHUNK_CHARS`` goes through in chunks cut at paragraph or sentence
    ends (liaison.extract.chunking), and the model is never handed more than ``CHUNK_CHARS``
    of text at once (or ``batch_size`` texts), so its memory stays bounded whatever the size
    of a text. Each chunk's Doc becomes records as soon as it is processed."""
    done: dict[int, list[Extraction]] = {}

    def pieces() -> Iterator[_Piece]:
        for n, (text, published, *rest) in enumerate(items):
            bounds = chunk_bounds(text, CHUNK_CHARS)
            year = context_year(text) if len(bounds) > 1 else None
            for k, (start, end) in enumerate(bounds):
                # a chunk without the blank line that ends it reads as the paragraphs alone would
                chunk = text[start:end] if k == len(bounds) - 1 else text[start:end].rstrip()
                doc = nlp.make_doc(chunk)
                doc._.published = published
                doc._.issuer = rest[0] if rest else None
                doc._.context_year = year
                yield _Piece(n, len(bounds), start, len(chunk), doc)

    def run(batch: list[_Piece]) -> Iterator[Parsed]:
        docs = nlp.pipe([p.doc for p in batch], batch_size=len(batch))
        for piece, doc in zip(batch, docs, strict=True):
            parts = done.setdefault(piece.text, [])
            parts.append(doc_extraction(doc, piece.offset))
            if len(parts) == piece.chunks:
                yield Parsed(tuple(done.pop(piece.text)))

    batch: list[_Piece] = []
    chars = 0
    for piece in pieces():
        if batch and (len(batch) >= batch_size or chars + piece.chars > CHUNK_CHARS):
            yield from run(batch)
            batch, chars = [], 0
        batch.append(piece)
        chars += piece.chars
    if batch:
        yield from run(batch)


def extract(nlp: Language, text: str, published: dt.date | None = None, issuer: str | None = None) -> Extraction:
    """The records of one text: ``process`` and ``to_extraction`` for a single text."""
    return to_extraction(next(process(nlp, [(text, published, issuer)])))


def to_extraction(parsed: Parsed) -> Extraction:
    """The records of a whole text from those of its chunks."""
    return merge(parsed.chunks)


def doc_extraction(doc: Doc, offset: int = 0) -> Extraction:
    """Plain records from the components' annotations, every item tied to character offsets.

    ``offset`` is where the Doc's text starts in the whole text, for a Doc of one chunk."""
    clusters = doc._.clusters or {}

    def span(start: int, end: int) -> Span:
        s = doc[start:end]
        return Span(s.start_char + offset, s.end_char + offset, s.text)

    entities = []
    placed = placed_state_aliases(doc, clusters, doc._.token_entity or {})
    for c in clusters.values():
        if not c.mentions:
            continue
        known = c.known
        entities.append(
            Entity(
                key=c.key,
                canonical=c.canonical if known else _best_name(doc, c),
                type=c.type,
                mentions=tuple(span(s, e) for s, e in c.mentions),
                titles=tuple(c.titles),
                descriptions=tuple(c.descriptions),
                aliases=tuple(known_aliases(c.canonical) or ()) if known and known.source == "actors"
                else ((placed[c.key],) if c.key in placed else ()),
                **place_fields(known),
            )
        )
    entities = stated_aliases(doc.text, entities, offset)
    events = []
    for ev in doc._.events or []:
        date = None
        if ev.date is not None:
            r = ev.date.resolved
            date = DateValue(span(ev.date.start, ev.date.end), r.value if r else None,
                             r.start if r else None, r.end if r else None, r.fidelity if r else None)
        attribution = None
        if ev.attribution is not None:
            a = ev.attribution
            attribution = Attribution(a.text, span(a.start, a.end), a.cue)
        quantities = tuple(
            Quantity(q.kind, q.value, q.qualifier, q.low, q.high, span(q.start, q.end)) for q in ev.quantities
        )
        events.append(
            Event(
                type=ev.type,
                subtype=ev.subtype,
                trigger=span(ev.trigger, ev.trigger + 1),
                evidence=span(ev.sent_start, ev.sent_end),
                actors=tuple(ev.actors),
                targets=tuple(ev.targets),
                location=ev.location,
                date=date,
                quantities=quantities,
                attribution=attribution,
                status=ev.status,
                hedged=ev.hedged,
                confidence=ev.confidence,
                mentions=tuple(span(start, end) for _, start, end in ev.others),
            )
        )
    # The method (liaison.extract.version) is the caller's to set: it depends on the model loaded.
    return Extraction(entities=tuple(entities), events=tuple(events))


def _best_name(doc: Doc, cluster) -> str:  # noqa: ANN001
    """The longest mention names an unknown thing best ('Ahmad Al Shara' over 'Al Shara')."""
    texts = [doc[s:e].text for s, e in cluster.mentions]
    return max(texts, key=len) if texts else cluster.canonical
