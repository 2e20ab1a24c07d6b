"""Keeping the store true to the running rules: reextract."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from liaison.cli import common
from liaison.cli.render import Column, err, error, say, table


def reextract(
    docs: list[str] = typer.Argument(None, metavar="DOC", help="Documents (id, file stem, path or URL); "
                                     "default: every document in the store."),
    all_: bool = typer.Option(None, "--all/--stale", help="--stale: only documents extracted by other rules "
                              "(the default without DOC); --all: every one named (the default with DOC)."),
    workers: int = typer.Option(None, "--workers", "-w", help="Extraction processes (default: one per core)."),
) -> None:
    """Extract stored documents again from their stored text, by the current rules (new versions)."""
    from liaison.pipeline import reextract as run_reextract

    common.at_least(workers, 1, "--workers")
    settings = common.settings()
    if workers is not None:
        settings = settings.model_copy(update={"workers": workers})
    store = common.store(settings)
    stale_only = not docs if all_ is None else not all_
    # The bar appears with the first document: a DOC not in the store is an error line with no bar above it.
    bar = Progress(TextColumn("[bold]reextract"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TextColumn("{task.description}"), console=err, transient=False)
    task = bar.add_task("", total=None)

    def tick(name: str, total: int) -> None:
        if not bar.live.is_started:
            bar.start()
        bar.update(task, total=total, advance=1, description=Path(name).name[:40])

    try:
        report = run_reextract(settings, store, refs=docs or None, stale_only=stale_only, progress=tick)
    finally:
        if bar.live.is_started:
            bar.stop()
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
