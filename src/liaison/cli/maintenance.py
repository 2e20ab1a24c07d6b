"""Keeping the store true to the running rules: reextract."""

from __future__ import annotations

import typer

from liaison.cli import common
from liaison.cli.render import Column, document_progress, error, note, say, table


def reextract(
    docs: list[str] = typer.Argument(None, metavar="DOC", help="Documents (id, file stem, path or URL); "
                                     "default: every document in the store."),
    all_: bool = typer.Option(None, "--all/--stale", help="--stale: only documents extracted by other rules "
                              "(the default without DOC); --all: every one named (the default with DOC)."),
    workers: int = typer.Option(None, "--workers", "-w", help="Extraction processes (default: one per core)."),
) -> None:
    """Extract stored documents again from their stored text, by the current rules (new versions)."""
    from liaison.pipeline import reextract as run_reextract

    settings = common.settings_with_workers(workers)
    store = common.store(settings)
    stale_only = not docs if all_ is None else not all_
    with document_progress("reextract") as tick:
        report = run_reextract(settings, store, refs=docs or None, stale_only=stale_only, progress=tick,
                                     notice=note)
    for _name, message in report.failures:
        error(message)
    table("Re-extraction summary", [Column(k, justify="right") for k in ("documents", "updated", "current",
                                                                         "entities", "events", "failed")],
          [{"documents": report.documents, "updated": report.updated, "current": report.unchanged,
            "entities": report.entities, "events": report.events, "failed": len(report.failures)}])
    say(f"store: {store.url}")
    if report.failures:
        raise typer.Exit(1)


COMMANDS = [reextract]
