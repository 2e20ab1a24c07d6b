"""One ingest batch: sources -> documents -> extraction (all cores) -> STIX -> store.

Each batch of documents is stored in one transaction with a savepoint per document, so a
failure or a kill mid-ingest leaves every document either complete or absent, never
half-written. Bad input is
reported per file and the batch goes on.
"""

from __future__ import annotations

import functools
import gc
import multiprocessing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError

from liaison import clock
from liaison.errors import InputError, LiaisonError, StoreError
from liaison.extract.gazetteer import place_index, use_cache_dir
from liaison.extract.pipeline import METHOD_VERSION, build_nlp, process, to_extraction
from liaison.ingest.document import to_document
from liaison.model import Document, Extraction
from liaison.settings import Settings
from liaison.sources.files import read_sources
from liaison.stix.extension import organisation_identity
from liaison.stix.mapping import to_stix
from liaison.store import Store
from liaison.store.rows import StixRow, extraction_rows, stix_rows
from liaison.store.sharing import Sharing

_NLP = None  # the worker processes' pipeline, inherited from the parent at fork


@dataclass
class IngestReport:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    entities: int = 0
    events: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def documents(self) -> int:
        return self.new + self.updated + self.unchanged + len(self.failures)


def load_nlp(settings: Settings):  # noqa: ANN201
    """The extraction pipeline, with the gazetteers loaded once (and cached on disk)."""
    global _NLP
    if _NLP is None:
        use_cache_dir(settings.home / "cache")
        try:
            nlp = build_nlp(settings.spacy_model)
        except OSError as err:
            raise LiaisonError(f"cannot load spaCy pipeline {settings.spacy_model!r}: {err}".split("\n")[0],
                               "LIAISON_SPACY_MODEL",
                               "Install it (see docs/language-model.md) or unset LIAISON_SPACY_MODEL") from None
        place_index()
        # Texts are bounded by the file size limit; spaCy's own guard would otherwise stop at 1M chars.
        nlp.max_length = max(nlp.max_length, settings.max_file_bytes + 1)
        # The model and the gazetteers are half a million long-lived objects that Python's cyclic
        # collector would otherwise walk again and again (2 ms per document, measured); freezing them
        # also keeps forked workers from touching, and so copying, their memory pages.
        gc.collect()
        gc.freeze()
        _NLP = nlp
    return _NLP


def _process_batch(docs: list[Document], producer: dict | None = None,
                   ) -> list[tuple[Extraction, list[StixRow], dict[str, list]]]:
    """Extract a batch through nlp.pipe and map each result to STIX, in a worker process.

    spaCy's models run far faster on batches than doc by doc, and doing the STIX mapping here
    too (down to the JSON text of each object) leaves the parent process only the store writes."""
    assert _NLP is not None
    now = clock.now()
    out = []
    for doc, parsed in zip(docs, process(_NLP, [(d.text, d.published) for d in docs], len(docs)), strict=True):
        extraction = to_extraction(parsed)
        objects = to_stix(doc, extraction, created=now, modified=now, producer=producer)
        out.append((extraction, stix_rows(objects), extraction_rows(extraction)))
    return out


def _processed(docs: list[Document], workers: int, batch_size: int,
               producer: dict | None = None) -> Iterator[list[tuple[Extraction, list, dict]]]:
    """Batches of results, in the order of ``docs``."""
    # Small batches keep every worker busy and let results reach the store while others are parsed.
    size = max(1, min(batch_size, -(-len(docs) // max(1, workers * 2))))
    batches = [docs[i : i + size] for i in range(0, len(docs), size)]
    if workers <= 1 or len(batches) < 2:
        for batch in batches:
            yield _process_batch(batch, producer)
        return
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(min(workers, len(batches))) as pool:
        yield from pool.imap(functools.partial(_process_batch, producer=producer), batches)


def ingest(
    paths: list[str],
    settings: Settings,
    store: Store,
    progress: Callable[[str, int], None] | None = None,
) -> IngestReport:
    """Ingest every document under ``paths``; ``progress(name, total)`` is called per document."""
    report = IngestReport()
    todo: list[Document] = []
    sources = list(read_sources(paths, settings.max_file_bytes))
    total = len(sources)
    documents: list[Document] = []
    for src in sources:
        try:
            documents.append(to_document(src))
        except InputError as err:
            report.failures.append((src.name, err.line()))
            if progress:
                progress(src.name, total)
    stored = store.current_states([d.source_key for d in documents])
    for doc in documents:
        # Unchanged text extracted by these rules: nothing to do. New rules re-extract it as a new version.
        if stored.get(doc.source_key) == (doc.content_hash, METHOD_VERSION):
            report.unchanged += 1
            if progress:
                progress(doc.source_key, total)
            continue
        todo.append(doc)
    producer = None
    if todo:
        load_nlp(settings)
        producer = organisation_identity(store.organisation(settings.organisation))
    pending = iter(todo)
    for results in _processed(todo, settings.resolved_workers(), settings.batch_size, producer):
        batch = [(next(pending), extraction, objects, rows) for extraction, objects, rows in results]
        try:
            outcomes = store.save_batch(batch)
        except SQLAlchemyError as err:
            # The failing document's savepoint rolled back; the documents before it are committed.
            reason = str(getattr(err, "orig", err)).strip().splitlines()[0]
            raise StoreError(f"cannot write to the store: {reason}", store.url,
                             "Check that the database is reachable and writable, then run the same "
                             "ingest again") from None
        for (doc, extraction, _, _), outcome in zip(batch, outcomes, strict=True):
            if outcome == "new":
                report.new += 1
            elif outcome == "updated":
                report.updated += 1
            else:
                report.unchanged += 1
            if outcome != "unchanged":
                report.entities += len(extraction.entities)
                report.events += len(extraction.events)
            if progress:
                progress(doc.source_key, total)
    if report.new or report.updated:
        # Collections that follow the store share what was just stored (a later ingest catches up
        # anything a kill left out between the two commits).
        Sharing(store).sync_all()
    return report
