"""Documents in and out: ingest, show, documents, export."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer
from rich.text import Text

from liaison.cli import common
from liaison.cli.knowledge import EVENT_COLUMNS
from liaison.cli.render import ENTITY_STYLE, Column, document_progress, emit, err, error, note, out, say, table
from liaison.errors import LiaisonError
from liaison.model import ENTITY_TYPES


class ExportFormat(StrEnum):
    stix = "stix"
    eval_json = "eval-json"


def ingest(
    paths: list[str] = typer.Argument(..., help="Files or folders (searched recursively); '-' reads standard input."),
    workers: int = typer.Option(None, "--workers", "-w", help="Extraction processes (default: one per core)."),
    tlp: str = typer.Option(None, "--tlp", help=common.TLP + " Marks every document (a JSON document's own "
                            "\"tlp\" field wins); default: unmarked, the sharing collection's default decides."),
    recipients: list[str] = typer.Option(None, "--recipient", help=common.RECIPIENT),
) -> None:
    """Ingest documents (.txt, .json, .html) into the store and extract what they report."""
    from liaison.pipeline import ingest as run_ingest
    from liaison.store.sharing import Sharing

    settings = common.settings_with_workers(workers)
    store = common.store(settings)
    # Partners are looked up in the store already open (opening another checks its schema again).
    marking = common.marking(tlp, recipients, Sharing(store) if recipients else None)
    with document_progress("ingest") as tick:
        report = run_ingest(paths, settings, store, progress=tick, marking=marking, notice=note)
    for _name, message in report.warnings:
        err.print(f"Warning: {message}", style="yellow", highlight=False, markup=False, soft_wrap=True)
    for _name, message in report.failures:
        error(message)
    table("Ingest summary", [Column(k, justify="right") for k in ("documents", "new", "updated", "skipped", "entities",
                                                                  "events", "failed")],
          [{"documents": report.documents, "new": report.new, "updated": report.updated, "skipped": report.unchanged,
            "entities": report.entities, "events": report.events, "failed": len(report.failures)}])
    if report.marked:
        say(f"{report.marked} unchanged documents re-marked {marking.label if marking else 'as their files say'} "
            "(new versions of their objects)")
    say(f"store: {store.url}")
    if report.failures:
        raise typer.Exit(1)


def show(doc: str = typer.Argument(..., help="Document id, file stem, path or URL.")) -> None:
    """Show a document with its extractions highlighted, and a table of its events."""
    from liaison import listings

    store = common.store()
    found = store.find_document(doc)
    if found is None:
        raise LiaisonError("no such document in the store", doc, "List documents with `liaison documents`")
    extraction = store.extraction(found)
    names = {e.key: e.canonical for e in extraction.entities}
    out.rule(Text(found.title or found.stem, style="bold"))
    meta = [f"id {found.id}", f"version {found.version}"]
    if found.outlet:
        meta.append(found.outlet)
    if found.published:
        meta.append(f"published {found.published.isoformat()} ({found.published_from})")
    if found.url:
        meta.append(found.url)
    out.print(" · ".join(meta), style="dim", highlight=False, markup=False)
    text = Text(store.document_text(found))
    # Mentions in text order (as the store reads them), so where two overlap the later one is styled last.
    for span, type_ in sorted(((m, e.type) for e in extraction.entities for m in e.mentions),
                              key=lambda pair: pair[0].start):
        text.stylize(ENTITY_STYLE.get(type_, "bold"), span.start, span.end)
    for ev in extraction.events:
        text.stylize("underline", ev.trigger.start, ev.trigger.end)
    out.print(text)
    legend = Text()
    for t in ENTITY_TYPES:
        legend.append(t, style=ENTITY_STYLE[t])
        legend.append("  ")
    legend.append("event trigger", style="underline")
    out.print(legend)
    table("Events", EVENT_COLUMNS[1:], [listings.event_row(ev, names) for ev in extraction.events])


DOCUMENT_COLUMNS = [Column("stem", wrap=False), Column("id", wrap=False, short=12), Column("version", justify="right"),
                    Column("published", wrap=False), Column("title"), Column("outlet")]


def documents(as_json: bool = common.JSON) -> None:
    """List the stored documents."""
    from liaison import listings

    emit("Documents", DOCUMENT_COLUMNS, listings.documents(common.store()), as_json)


def export(
    format_: ExportFormat = typer.Option(..., "--format", "-f", help="stix: one STIX 2.1 bundle; "
                                         "eval-json: one annotation file per document."),
    out_path: Path = typer.Option(..., "--out", "-o", help="Bundle file (stix) or folder (eval-json)."),
    from_: list[str] = typer.Option(None, "--from", help="stix: only these collections (repeat for more); default: "
                                    "everything held, pulled objects included."),
) -> None:
    """Export the store as a STIX 2.1 bundle or as evaluation JSON."""
    from liaison.export.files import export_eval_json, export_stix

    store = common.store()
    if from_ and format_ is not ExportFormat.stix:
        raise LiaisonError("--from applies to --format stix only", "--from", "Leave it out for eval-json")
    try:
        if format_ is ExportFormat.stix:
            n = export_stix(store, out_path, from_ or None)
            say(f"wrote {n} STIX objects to {out_path}")
        else:
            n = export_eval_json(store, out_path)
            say(f"wrote {n} annotation files to {out_path}")
    except OSError as exc:
        raise LiaisonError(f"cannot write: {exc.strerror}", str(out_path), "Choose a writable path") from None


def mark(
    ref: str = typer.Argument(..., help="A document (id, stem, path or URL) or one STIX object (its id)."),
    tlp: str = typer.Option(..., "--tlp", help=common.TLP),
    recipients: list[str] = typer.Option(None, "--recipient", help=common.RECIPIENT),
) -> None:
    """Mark a document (everything drawn from it) or one STIX object with a TLP level: a new version of each
    object whose marking changes, shared under the new rule from then on."""
    from liaison.stix.ids import is_stix_id

    settings = common.settings()
    store = common.store(settings)
    sharing = common.sharing(settings)
    marking = common.marking(tlp, recipients, sharing)
    if is_stix_id(ref):
        try:
            n = store.mark_object(ref, marking)
        except KeyError:
            raise LiaisonError("no such STIX object in the store", ref, "Export the store to see its ids") from None
        except ValueError as exc:
            raise LiaisonError(str(exc), ref, "Mark the objects that name it instead") from None
        what = ref
    else:
        found = store.find_document(ref)
        if found is None:
            raise LiaisonError("no such document in the store", ref, "List documents with `liaison documents`")
        n = store.mark_document(found.id, marking)
        what = f"document {found.stem}"
    shared = sharing.sync_all()
    say(f"{what} marked {marking.label}: {n} new object versions, {shared} added to collections that follow the "
        "store")


COMMANDS = [ingest, show, documents, mark, export]
