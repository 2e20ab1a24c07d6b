"""One ingest batch: sources -> documents -> extraction (all cores) -> STIX -> store.

Each batch of documents is stored in one transaction with a savepoint per document, so a
failure or a kill mid-ingest leaves every document either complete or absent, never
half-written. Every step that handles one document (reading it, extracting from it, mapping
it to STIX, writing it) is guarded: whatever it raises, of any type, becomes that document's
one-line error and the batch goes on; only a store that cannot be written at all stops it.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import multiprocessing
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

from liaison import clock
from liaison.errors import InputError, LiaisonError, StoreError
from liaison.extract.version import extraction_method
from liaison.ingest.document import to_document
from liaison.model import Document, Extraction
from liaison.settings import Settings
from liaison.sources.files import read_sources
from liaison.stix.extension import organisation_identity
from liaison.stix.mapping import to_stix
from liaison.stix.tlp import Marking, parse_level
from liaison.store import Store
from liaison.store.database import document_id
from liaison.store.records import StoredDocument
from liaison.store.rows import StixRow, extraction_rows, stix_rows
from liaison.store.sharing import Sharing

_NLP = None  # the worker processes' pipeline, inherited from the parent at fork
_WARMED = False  # whether _warm_up has run in this process

# The extraction pipeline (spaCy and Liaison's components) is imported by load_nlp, when there is
# something to extract: the import alone is 0.6 s, which an ingest of unchanged files, and every
# command that only reads the store, never pays.

# Below this confidence a decoded text gets a warning line: its encoding was a guess.
LOW_ENCODING_CONFIDENCE = 0.8

# Errors of the database itself rather than of one document: every document after would fail the same way.
_STORE_WIDE = (OperationalError, InterfaceError, DisconnectionError)

Result = tuple[Extraction, list[StixRow], dict[str, list]]


@dataclass
class IngestReport:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    entities: int = 0
    events: int = 0
    marked: int = 0  # unchanged documents given a new marking (new versions of their objects)
    stories: int = 0  # fused events across the store after this ingest (docs/fusion.md)
    conflicts: int = 0  # claims whose sources disagree, across the store
    failures: list[tuple[str, str]] = field(default_factory=list)
    # (file, one line) for documents stored with a caveat: a guessed encoding, characters removed.
    warnings: list[tuple[str, str]] = field(default_factory=list)

    @property
    def documents(self) -> int:
        return self.new + self.updated + self.unchanged + len(self.failures)


# Said before the one slow first-time step, so that a first ingest does not look hung.
BUILDING_NOTE = ("Note: building the place index (GeoNames) for this installation, once: about 15 s. "
                 "`make setup` builds it beforehand (python -m liaison.cli.prepare).")


def installation_cache() -> Path:
    """The cache folder of this installation (inside its virtual environment, or prefix): what it
    holds is derived from the installed code and data alone, so every home shares it; ``make setup``
    fills it (``python -m liaison.cli.prepare``) and ``make clean`` removes it with the environment."""
    return Path(sys.prefix) / "var" / "cache" / "liaison"


def use_caches(settings: Settings) -> None:
    """The installation's cache folder first; the home's when the installation cannot be written."""
    from liaison.extract.gazetteer import use_cache_dir

    use_cache_dir(installation_cache(), settings.home / "cache")


def prepare(settings: Settings, notice: Callable[[str], None] | None = None) -> Path | None:
    """Load the place index, building it (and its disk cache) first where it is missing, so that
    later runs only load it: the cache file, or None where no cache folder could be written (every
    ingest then builds the index again)."""
    from liaison.extract.gazetteer import place_cache_file, place_index

    use_caches(settings)
    if place_cache_file() is None and notice:
        notice(BUILDING_NOTE)
    place_index()
    return place_cache_file()


def load_nlp(settings: Settings, notice: Callable[[str], None] | None = None):  # noqa: ANN201
    """The extraction pipeline, with the gazetteers loaded once (and cached on disk).

    ``notice`` hears one line before a slow first-time step (building the place index)."""
    global _NLP
    if _NLP is None:
        from liaison.extract.pipeline import build_nlp

        use_caches(settings)
        try:
            nlp = build_nlp(settings.spacy_model)
        except OSError as err:
            raise LiaisonError(f"cannot load spaCy pipeline {settings.spacy_model!r}: {err}".split("\n")[0],
                               "LIAISON_SPACY_MODEL",
                               "Install it (see docs/language-model.md) or unset LIAISON_SPACY_MODEL") from None
        # Loaded here, before the workers fork, so that they share one copy instead of loading their own.
        prepare(settings, notice)
        # spaCy's own guard (max_length, 1M characters) stays: extraction hands the model chunks of at
        # most 100,000 characters (extract/chunking.py), so a Doc over the guard is a bug, not an input.
        # The model and the gazetteers are half a million long-lived objects that Python's cyclic
        # collector would otherwise walk again and again (2 ms per document, measured); freezing them
        # also keeps forked workers from touching, and so copying, their memory pages.
        gc.collect()
        gc.freeze()
        _NLP = nlp
    return _NLP


# A short report that reaches every component and the lookups they build on first use (places,
# divisions, dates, figures, a source, an event).
_WARM_UP = ("MOGADISHU, March 3, 2025 - Al-Shabaab fighters attacked an army base near Afgooye in the "
            "Lower Shabelle region on Monday, killing 12 soldiers, the Somali National Army said in a statement.")


def _warm_up(nlp) -> None:  # noqa: ANN001
    """Run one short text through the pipeline in the parent, before the workers fork: the lookups
    the components build on first use (the ISO 3166-2 divisions, fuzzy name keys) are then built
    once and shared, instead of once in every worker (0.3 s of each worker's first batch). Without
    workers the first document builds them as it would this text, so only a pool needs it."""
    global _WARMED
    if _WARMED or nlp is None:
        return
    from liaison.extract.pipeline import process

    with contextlib.suppress(Exception):  # a text of Liaison's own: any fault shows on the real ones
        list(process(nlp, [(_WARM_UP, None)], 1))
    gc.freeze()  # what it built joins the model's long-lived objects (see load_nlp)
    _WARMED = True


@dataclass(frozen=True)
class Failure:
    """Why one document failed at one stage; plain strings, so it crosses from a worker intact."""

    stage: str  # "cannot read document", "cannot extract from document", "cannot store document"
    kind: str  # the exception's type name
    reason: str  # the first line of its message
    line: str | None = None  # a LiaisonError's own line, which already says where and what to do

    @classmethod
    def of(cls, stage: str, err: BaseException) -> Failure:
        err = getattr(err, "orig", None) or err  # the driver's error, not SQLAlchemy's wrapper with the SQL
        reason = (str(err).strip().splitlines() or [""])[0][:200]
        return cls(stage, type(err).__name__, reason, err.line() if isinstance(err, LiaisonError) else None)

    def message(self, name: str) -> str:
        """The document's one-line error. Anything but a LiaisonError is a fault of Liaison's on this
        input, so the line names the exception and asks for the file; the batch goes on without it."""
        if self.line is not None:
            return self.line
        what = f"{self.stage}: {self.kind}" + (f": {self.reason}" if self.reason else "")
        return InputError(what, name, "Report this file to the Liaison maintainers; the other documents "
                          "were processed").line()


def _process_batch(docs: list[Document], producer: dict | None = None, method: str = "") -> list[Result | Failure]:
    """Extract a batch through nlp.pipe and map each result to STIX, in a worker process.

    spaCy's models run far faster on batches than doc by doc, and doing the STIX mapping here
    too (down to the JSON text of each object) leaves the parent process only the store writes.
    Each document gets its result or its Failure:
    if the batch fails inside spaCy, its documents are run again one by one, so one bad
    document costs only itself. ``method`` is the parent's extraction method, recorded on each
    extraction: the parent decided what is stale by it, so a worker never computes its own."""
    from liaison.extract.pipeline import process, to_extraction

    assert _NLP is not None
    now = clock.now()
    try:
        parsed_all = list(process(_NLP, [(d.text, d.published, d.outlet) for d in docs], len(docs)))
    except Exception:
        parsed_all = None
    out: list[Result | Failure] = []
    for i, doc in enumerate(docs):
        try:
            parsed = (parsed_all[i] if parsed_all is not None
                      else next(process(_NLP, [(doc.text, doc.published, doc.outlet)], 1)))
            extraction = replace(to_extraction(parsed), method=method)
            objects = to_stix(doc, extraction, created=now, modified=now, producer=producer)
            out.append((extraction, stix_rows(objects), extraction_rows(extraction)))
        except Exception as err:
            out.append(Failure.of("cannot extract from document", err))
    return out


def _processed(docs: list[Document], workers: int, batch_size: int,
               producer: dict | None = None, method: str = "") -> Iterator[list[Result | Failure]]:
    """Batches of results, in the order of ``docs``."""
    batches = _batches(docs, workers, batch_size)
    if workers <= 1 or len(batches) < 2:
        for batch in batches:
            yield _process_batch(batch, producer, method)
        return
    _warm_up(_NLP)
    yield from _in_pool(batches, min(workers, len(batches)), functools.partial(_process_batch, producer=producer,
                                                                               method=method))


def _batches(docs: list[Document], workers: int, batch_size: int) -> list[list[Document]]:
    """``docs`` in contiguous batches of at most ``batch_size``, at least two per worker, as many
    for every worker and as near one size as can be.

    Small batches keep every worker busy and let results reach the store while others are parsed;
    equal ones let the workers finish together (200 documents in batches of 16 left the last batch
    of 8 to one worker while the other stood idle)."""
    if not docs:
        return []
    count = max(-(-len(docs) // batch_size), 2 * workers if workers > 1 else 1)
    count = min(len(docs), -(-count // workers) * workers)
    step, extra = divmod(len(docs), count)
    bounds = [i * step + min(i, extra) for i in range(count + 1)]
    return [docs[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


_DIED = "the extraction process ended abruptly (killed, or out of memory)"


def _in_pool(batches: list[list[Document]], workers: int,
             work: Callable[[list[Document]], list[Result | Failure]]) -> Iterator[list[Result | Failure]]:
    """Batches through forked worker processes, in order, surviving a worker that dies.

    A document can kill the process that reads it (the kernel's out-of-memory killer, a crash in
    a compiled library) without raising anything. The pool then breaks: the first unfinished batch
    is run again alone, and if it breaks a pool of its own, each of its documents alone, so the
    document at fault fails with one line and every other goes on."""
    ctx = multiprocessing.get_context("fork")
    done = 0
    while done < len(batches):
        with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
            futures = [pool.submit(work, batch) for batch in batches[done:]]
            broken = False
            for future in futures:
                try:
                    result = future.result()
                except BrokenProcessPool:
                    broken = True
                    break
                except Exception:
                    # The batch's results did not come back (one would not pickle, say): run it again
                    # here, where each document is guarded as in a worker.
                    result = work(batches[done])
                yield result
                done += 1
            if broken:
                for f in futures:
                    f.cancel()
        if broken:
            yield _isolated(batches[done], ctx, work)
            done += 1


def _isolated(batch: list[Document], ctx, work) -> list[Result | Failure]:  # noqa: ANN001
    """A batch that may have broken the pool, in a process of its own; if that dies too, document by document."""
    try:
        with ProcessPoolExecutor(1, mp_context=ctx) as pool:
            return pool.submit(work, batch).result()
    except BrokenProcessPool:
        pass
    out: list[Result | Failure] = []
    for doc in batch:
        try:
            with ProcessPoolExecutor(1, mp_context=ctx) as pool:
                out.extend(pool.submit(work, [doc]).result())
        except BrokenProcessPool:
            out.append(Failure("cannot extract from document", "WorkerDied", _DIED))
    return out

def ingest(
    paths: list[str],
    settings: Settings,
    store: Store,
    progress: Callable[[str, int], None] | None = None,
    marking: Marking | None = None,
    notice: Callable[[str], None] | None = None,
) -> IngestReport:
    """Ingest every document under ``paths``; ``progress(name, total)`` is called per document.

    ``marking`` (``liaison ingest --tlp``) marks every document that does not carry its own;
    ``notice`` hears a line before a slow first-time step (see load_nlp)."""
    report = IngestReport()
    sharing = Sharing(store)
    todo: list[Document] = []
    sources = list(read_sources(paths, settings.max_file_bytes))
    total = len(sources)
    documents: list[Document] = []
    names: dict[str, str] = {}  # source key -> the name the user gave, for messages
    for src in sources:
        notes: list[str] = []
        try:
            doc = _with_marking(to_document(src, warn=notes.append), marking, sharing, src.name)
        except Exception as err:
            report.failures.append((src.name, Failure.of("cannot read document", err).message(src.name)))
            if progress:
                progress(src.name, total)
            continue
        documents.append(doc)
        names[doc.source_key] = src.name
        report.warnings += [(src.name, line) for line in notes]
    stored = store.current_states([d.source_key for d in documents])
    marked = store.document_markings([d.source_key for d in documents if d.tlp is not None])
    method = extraction_method(settings.spacy_model)
    for doc in documents:
        # Unchanged text extracted by these rules: nothing to do. Changed rules (another method) make
        # the stored version stale: it is extracted again, as a new version.
        if stored.get(doc.source_key) == (doc.content_hash, method):
            report.unchanged += 1
            wanted = None if doc.tlp is None else Marking(doc.tlp, doc.recipients)
            if wanted is not None and marked.get(doc.source_key) != wanted:
                # The same text under a new marking: new versions of its objects, not a new extraction.
                store.mark_document(document_id(doc.source_key), wanted)
                report.marked += 1
            if progress:
                progress(doc.source_key, total)
            continue
        todo.append(doc)
    _extract_and_store(todo, names, stored, settings, store, report, progress, total, notice)
    if report.new or report.updated or report.marked:
        # Collections that follow the store share what was just stored (a later ingest catches up
        # anything a kill left out between the two commits).
        sharing.sync_all()
    return report


def _extract_and_store(todo: list[Document], names: dict[str, str], stored: dict[str, tuple[str, str]],
                       settings: Settings, store: Store, report: IngestReport,
                       progress: Callable[[str, int], None] | None, total: int,
                       notice: Callable[[str], None] | None = None) -> None:
    """Extract ``todo`` (all cores), map it to STIX and store it, counting each outcome in ``report``:
    the one path of both ingest and reextract."""
    producer = None
    method = extraction_method(settings.spacy_model)
    if todo:
        load_nlp(settings, notice)
        producer = organisation_identity(store.organisation(settings.organisation))
    pending = iter(todo)
    stored_ids: list[str] = []
    stored_now: dict[str, tuple] = {}  # document id -> (published, Extraction) as just stored
    for results in _processed(todo, settings.resolved_workers(), settings.batch_size, producer, method):
        batch = []
        for result in results:
            doc = next(pending)
            if isinstance(result, Failure):
                report.failures.append((names[doc.source_key], result.message(names[doc.source_key])))
                if progress:
                    progress(doc.source_key, total)
            else:
                batch.append((doc, *result))
        for (doc, extraction, _, _), outcome in zip(batch, _save(store, batch, stored), strict=True):
            if isinstance(outcome, Failure):
                report.failures.append((names[doc.source_key], outcome.message(names[doc.source_key])))
            else:
                setattr(report, outcome, getattr(report, outcome) + 1)
            if outcome in ("new", "updated"):
                report.entities += len(extraction.entities)
                report.events += len(extraction.events)
                stored_ids.append(document_id(doc.source_key))
                stored_now[stored_ids[-1]] = (doc.published, extraction)
            if progress:
                progress(doc.source_key, total)
    _fuse(store, stored_ids, report, stored_now)


def _fuse(store: Store, document_ids: list[str], report: IngestReport, known: dict | None = None) -> None:
    """Resolve the documents just stored against the store (incremental), with any a kill left
    unresolved before. Fusion writes in one transaction of its own: if it fails, the documents
    stay stored, and `liaison resolve` (or the next ingest) resolves them."""
    from liaison.store.fusion import Fusion

    fusion = Fusion(store)
    try:
        pending = sorted({*document_ids, *fusion.unresolved()})
        if pending:
            fused = fusion.update(pending, known)
            report.stories, report.conflicts = fused.stories, fused.conflicts
    except Exception as err:  # noqa: BLE001  (one line, never a traceback; nothing stored is lost)
        _raise_if_store_wide(err, store)
        report.warnings.append(("fusion", f"cross-document fusion did not run ({type(err).__name__}: {err}); "
                                          "the documents are stored: run `liaison resolve`"))


def reextract(settings: Settings, store: Store, refs: list[str] | None = None, stale_only: bool = True,
              progress: Callable[[str, int], None] | None = None,
              notice: Callable[[str], None] | None = None) -> IngestReport:
    """Extract stored documents again from their stored text (no file needed), as new versions.

    ``refs`` names documents as ``liaison show`` does (id, stem, path, URL); None: every document.
    ``stale_only`` skips (counts as unchanged) those already extracted by the running method;
    otherwise they are extracted too, and the store keeps their version when nothing differs.
    Each keeps its marking: the Document handed to the store carries none, and the store leaves
    a stored marking as it is. ``progress(name, total)`` is called per document."""
    report = IngestReport()
    rows = store.documents(text=True)
    if refs:
        chosen: dict[str, StoredDocument] = {}
        for ref in refs:
            found = store.find_document(ref, rows)  # the rows read above, not every document again per name
            if found is None:
                raise InputError("no such document in the store", ref, "List documents with `liaison documents`")
            chosen.setdefault(found.id, found)
        rows = list(chosen.values())
    method = extraction_method(settings.spacy_model)
    stored = {d.source_key: (d.content_hash, d.extraction_method) for d in rows}
    todo: list[Document] = []
    for d in rows:
        if stale_only and d.extraction_method == method:
            report.unchanged += 1
            if progress:
                progress(d.source_key, len(rows))
            continue
        todo.append(Document(source_key=d.source_key, stem=d.stem, text=d.text, media_type=d.media_type,
                             url=d.url, title=d.title, outlet=d.outlet, published=d.published,
                             published_from=d.published_from, encoding=d.encoding,
                             encoding_confidence=d.encoding_confidence))
    names = {d.source_key: d.source_key for d in todo}
    _extract_and_store(todo, names, stored, settings, store, report, progress, len(rows), notice)
    if report.new or report.updated:
        Sharing(store).sync_all()
    return report


def _with_marking(doc: Document, default: Marking | None, sharing: Sharing, name: str) -> Document:
    """The document with its marking: its own (a JSON document's "tlp" and "recipients"), else the
    batch's, with recipients as STIX identity ids. A marking that cannot be used is its one-line error."""
    if doc.tlp is None:
        return doc if default is None else replace(doc, tlp=default.level, recipients=default.recipients)
    try:
        level = parse_level(doc.tlp)
    except ValueError:
        raise InputError(f"field \"tlp\" is not a TLP level: {doc.tlp!r}", name,
                         "Use clear, green, amber, amber+strict or red") from None
    try:
        identities = sharing.recipient_identities(doc.recipients)
    except KeyError as exc:
        raise InputError(f"no such partner: {exc.args[0]!r}", name,
                         "Add it with `liaison partners add` or fix \"recipients\"") from None
    try:
        Marking(level, identities)
    except ValueError as exc:
        raise InputError(str(exc), name, "Fix \"tlp\" or \"recipients\"") from None
    return replace(doc, tlp=level, recipients=identities)


def _save(store: Store, batch: list, stored: dict[str, tuple[str, str]]) -> list[str | Failure]:
    """Write a batch: each document's outcome ("new", "updated", "unchanged") or its Failure.

    One transaction for the batch is the fast path. If a write fails, the documents before the
    failing one are committed (each has its own savepoint) and the batch is written again one
    document at a time, so only the document at fault fails; those already committed come back
    "unchanged" from the store and are counted by what they were before this run. A failure of
    the database itself (unreachable, locked, full) stops the ingest with one line."""
    if not batch:
        return []
    try:
        return store.save_batch(batch)
    except Exception as err:
        _raise_if_store_wide(err, store)
    outcomes: list[str | Failure] = []
    for item in batch:
        doc = item[0]
        try:
            outcome = store.save_batch([item])[0]
        except Exception as err:
            _raise_if_store_wide(err, store)
            outcomes.append(Failure.of("cannot store document", err))
            continue
        if outcome == "unchanged" and stored.get(doc.source_key) != (doc.content_hash, item[1].method):
            outcome = "updated" if doc.source_key in stored else "new"  # written by the failed batch
        outcomes.append(outcome)
    return outcomes


def _raise_if_store_wide(err: BaseException, store: Store) -> None:
    # psycopg files some errors of one row's data under OperationalError (54: a value over a
    # size limit, such as an index entry); SQLSTATE classes 22 and 23 are data and constraints.
    sqlstate = getattr(getattr(err, "orig", None), "sqlstate", None) or ""
    if isinstance(err, _STORE_WIDE) and not sqlstate.startswith(("22", "23", "54")):
        reason = (str(getattr(err, "orig", None) or err).strip().splitlines() or [type(err).__name__])[0]
        raise StoreError(f"cannot write to the store: {reason}", store.url,
                         "Check that the database is reachable and writable, then run the same "
                         "ingest again") from None
