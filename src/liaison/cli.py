"""The command line: parse, call one function, print. User errors are one line and exit 1."""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from liaison import __version__
from liaison.errors import ConfigError, LiaisonError
from liaison.model import ENTITY_TYPES, EVENT_TYPES
from liaison.settings import Settings

app = typer.Typer(
    help="Liaison: from open reporting to sourced, shareable STIX 2.1 intelligence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

ENTITY_STYLE = {
    "person": "bold cyan",
    "organization": "bold blue",
    "armed_group": "bold red",
    "government_body": "bold magenta",
    "country": "bold green",
    "place": "green",
    "facility": "yellow",
}


class ExportFormat(StrEnum):
    stix = "stix"
    eval_json = "eval-json"


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "LIAISON_" + "_".join(str(p) for p in first["loc"]).upper()
        raise ConfigError(f"invalid setting: {first['msg']}", name, "See docs/configuration.md") from None


def _store(settings: Settings):  # noqa: ANN202
    from liaison.store import open_store

    return open_store(settings.resolved_database_url())


def _version(value: bool) -> None:
    if value:
        out.print(f"liaison {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print Liaison's version and exit."),
) -> None:
    """Liaison: from open reporting to sourced, shareable STIX 2.1 intelligence."""


@app.command()
def ingest(
    paths: list[str] = typer.Argument(..., help="Files or folders (searched recursively); '-' reads standard input."),
    workers: int = typer.Option(None, "--workers", "-w", help="Extraction processes (default: one per core)."),
) -> None:
    """Ingest documents (.txt, .json, .html) into the store and extract what they report."""
    from liaison.pipeline import ingest as run_ingest

    settings = _settings()
    if workers is not None:
        if workers < 1:
            raise ConfigError("--workers must be at least 1", f"--workers {workers}", "Give 1 or more")
        settings = settings.model_copy(update={"workers": workers})
    store = _store(settings)
    with Progress(TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.description}"), console=err, transient=False) as bar:
        task = bar.add_task("", total=None)

        def tick(name: str, total: int) -> None:
            bar.update(task, total=total, advance=1, description=Path(name).name[:40])

        report = run_ingest(paths, settings, store, progress=tick)
    for _name, message in report.failures:
        err.print(f"[red]Error:[/red] {message}", highlight=False, markup=True, soft_wrap=True)
    table = Table(title="Ingest summary", show_header=True)
    for col in ("documents", "new", "updated", "skipped (unchanged)", "entities", "events", "failed"):
        table.add_column(col, justify="right")
    table.add_row(str(report.documents), str(report.new), str(report.updated), str(report.unchanged),
                  str(report.entities), str(report.events), str(len(report.failures)))
    out.print(table)
    out.print(f"store: {store.url}", highlight=False)
    if report.failures:
        raise typer.Exit(1)


@app.command()
def show(doc: str = typer.Argument(..., help="Document id, file stem, path or URL.")) -> None:
    """Show a document with its extractions highlighted, and a table of its events."""
    store = _store(_settings())
    found = store.find_document(doc)
    if found is None:
        raise LiaisonError("no such document in the store", doc, "List documents with `liaison documents`")
    row, ver = found
    ents, mentions, events = store.extraction_rows(row.id, ver.version)
    types = {e.key: e.type for e in ents}
    names = {e.key: e.canonical for e in ents}
    header = ver.title or row.stem
    out.rule(f"[bold]{header}")
    meta = [f"id {row.id}", f"version {ver.version}"]
    if ver.outlet:
        meta.append(ver.outlet)
    if ver.published:
        meta.append(f"published {ver.published.isoformat()} ({ver.published_from})")
    if ver.url:
        meta.append(ver.url)
    out.print(" · ".join(meta), style="dim", highlight=False)
    text = Text(ver.text)
    for m in mentions:
        text.stylize(ENTITY_STYLE.get(types.get(m.entity_key, ""), "bold"), m.start, m.end)
    for ev in events:
        trig = ev.data["trigger"]
        text.stylize("underline", trig["start"], trig["end"])
    out.print(text)
    legend = Text("  ".join(f"{t}" for t in ENTITY_TYPES))
    for t in ENTITY_TYPES:
        start = legend.plain.index(t)
        legend.stylize(ENTITY_STYLE[t], start, start + len(t))
    out.print(legend)
    out.print(_events_table(events, names, with_doc=None))


_MARK = {"lower_bound": "≥", "upper_bound": "≤", "approximate": "~", "exact": "", "range": ""}


def _figure(q: dict) -> str:
    """'killed ≥30', 'troops 1500-2000', 'captured 19'."""
    if q["qualifier"] == "range":
        return f"{q['kind']} {q['low']}-{q['high']}"
    return f"{q['kind']} {_MARK.get(q['qualifier'], '')}{q['value']}"


def _events_table(events, names: dict[str, str], with_doc: dict | None) -> Table:  # noqa: ANN001
    table = Table(title="Events", show_lines=False)
    if with_doc is not None:
        table.add_column("document")
    for col in ("type", "date", "actors", "targets", "location", "figures", "source", "conf"):
        table.add_column(col)
    for ev in events:
        d = ev.data
        figures = ", ".join(_figure(q) for q in d["quantities"])
        row = [
            ev.type + (" (foiled)" if ev.status == "not-occurred" and ev.type != "foiled_attack" else ""),
            ev.date_value or "",
            ", ".join(names.get(a, a) for a in d["actors"]),
            ", ".join(names.get(t, t) for t in d["targets"]),
            names.get(d["location"], "") if d["location"] else "",
            figures,
            (d["attribution"] or {}).get("source", "") if d["attribution"] else "",
            str(ev.confidence),
        ]
        if with_doc is not None:
            row.insert(0, with_doc.get(id(ev), ""))
        table.add_row(*row)
    return table


@app.command()
def documents() -> None:
    """List the stored documents."""
    store = _store(_settings())
    table = Table(title="Documents")
    for col in ("stem", "id", "version", "published", "title", "outlet"):
        table.add_column(col)
    for row, ver in store.documents():
        table.add_row(row.stem, row.id[:12], str(ver.version), ver.published.isoformat() if ver.published else "",
                      (ver.title or "")[:60], ver.outlet or "")
    out.print(table)


def _check_type(value: str | None, allowed: tuple[str, ...], option: str) -> None:
    if value is not None and value not in allowed:
        raise ConfigError(f"unknown type {value!r}", option, f"Use one of: {', '.join(allowed)}")


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"not a date: {value!r}", option, "Use YYYY-MM-DD") from None


@app.command()
def entities(
    type_: str = typer.Option(None, "--type", help=f"Only this type: {', '.join(ENTITY_TYPES)}."),
    entity: str = typer.Option(None, "--entity", help="Only names containing this text."),
    since: str = typer.Option(None, "--since", help="Only in documents published on or after this date."),
    until: str = typer.Option(None, "--until", help="Only in documents published on or before this date."),
) -> None:
    """List entities across the stored documents."""
    _check_type(type_, ENTITY_TYPES, "--type")
    since_d, until_d = _date(since, "--since"), _date(until, "--until")
    store = _store(_settings())
    table = Table(title="Entities")
    for col in ("name", "type", "documents", "mentions", "key"):
        table.add_column(col)
    for row in store.current_entities(type_, entity, since_d, until_d):
        table.add_row(row["canonical"], Text(row["type"], style=ENTITY_STYLE.get(row["type"], "")),
                      str(row["documents"]), str(row["mentions"]), row["key"])
    out.print(table)


@app.command()
def events(
    type_: str = typer.Option(None, "--type", help=f"Only this type: {', '.join(EVENT_TYPES)}."),
    entity: str = typer.Option(None, "--entity", help="Only events with an actor, target or place named so."),
    since: str = typer.Option(None, "--since", help="Only events on or after this date (YYYY-MM-DD)."),
    until: str = typer.Option(None, "--until", help="Only events on or before this date (YYYY-MM-DD)."),
) -> None:
    """List events across the stored documents, in date order."""
    _check_type(type_, EVENT_TYPES, "--type")
    since_d, until_d = _date(since, "--since"), _date(until, "--until")
    store = _store(_settings())
    rows = store.current_events(type_, entity, since_d, until_d)
    names = store.entity_names()
    docs = {id(ev): stem for ev, stem in rows}
    out.print(_events_table([ev for ev, _ in rows], names, with_doc=docs))


@app.command()
def export(
    format_: ExportFormat = typer.Option(..., "--format", "-f", help="stix: one STIX 2.1 bundle; "
                                         "eval-json: one annotation file per document."),
    out_path: Path = typer.Option(..., "--out", "-o", help="Bundle file (stix) or folder (eval-json)."),
) -> None:
    """Export the store as a STIX 2.1 bundle or as evaluation JSON."""
    from liaison.export.files import export_eval_json, export_stix

    store = _store(_settings())
    try:
        if format_ is ExportFormat.stix:
            n = export_stix(store, out_path)
            out.print(f"wrote {n} STIX objects to {out_path}")
        else:
            n = export_eval_json(store, out_path)
            out.print(f"wrote {n} annotation files to {out_path}")
    except OSError as exc:
        raise LiaisonError(f"cannot write: {exc.strerror}", str(out_path), "Choose a writable path") from None


def main() -> None:
    """Entry point: run the app, turning Liaison's errors into one line on standard error."""
    try:
        app()
    except LiaisonError as exc:
        err.print(f"Error: {exc.line()}", style="red", highlight=False, markup=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("Interrupted.", style="red")
        sys.exit(130)


if __name__ == "__main__":
    main()
