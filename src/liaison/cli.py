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
from liaison.clock import now
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


@app.command()
def organisation(
    name: str = typer.Option(None, "--name", help="Rename it (a new version of its identity at the next ingest)."),
) -> None:
    """Show this installation's organisation: the STIX identity that creates what it extracts.

    A partner server registers this installation under this identity (`liaison partners add
    --identity`) to accept what it pushes; its AMBER+STRICT and RED objects go back to it alone."""
    settings = _settings()
    org = _store(settings).organisation(name or settings.organisation)
    table = Table(title="This installation")
    for col in ("STIX identity", "name", "since"):
        table.add_column(col)
    table.add_row(org["identity_id"], org["name"], org["created"][:10])
    out.print(table)


# ---------------------------------------------------------------------------- sharing

partners_app = typer.Typer(help="Partner organisations and their API tokens.", no_args_is_help=True)
collections_app = typer.Typer(help="TAXII collections and who may read or write them.", no_args_is_help=True)
app.add_typer(partners_app, name="partners")
app.add_typer(collections_app, name="collections")


def _sharing(settings: Settings | None = None):  # noqa: ANN202
    from liaison.store.sharing import Sharing

    return Sharing(_store(settings or _settings()))


def _expiry(days: int | None) -> dt.datetime | None:
    if days is None:
        return None
    if days < 1:
        raise ConfigError("--expires-in must be at least 1 day", f"--expires-in {days}", "Give 1 or more")
    return now() + dt.timedelta(days=days)


def _show_token(partner_id: str, token: str, expires: dt.datetime | None) -> None:
    out.print(f"token for {partner_id} (shown once; only its hash is stored):", highlight=False)
    out.print(token, highlight=False, soft_wrap=True)
    out.print("expires: " + (expires.strftime("%Y-%m-%d %H:%M UTC") if expires else "never"), highlight=False)
    out.print(f"use it as 'Authorization: Bearer <token>', or HTTP Basic with user {partner_id!r} and the token "
              "as password", highlight=False)


@partners_app.command("add")
def partners_add(
    partner_id: str = typer.Argument(..., help="Short id of the organisation (letters, digits, - and _)."),
    name: str = typer.Option(..., "--name", help="The organisation's name."),
    identity: str = typer.Option(None, "--identity", help="Its STIX identity id (default: made from the id)."),
    expires_in: int = typer.Option(None, "--expires-in", help="Days until the first token expires (default: never)."),
    if_missing: bool = typer.Option(False, "--if-missing", help="If the partner exists already, say so and succeed."),
) -> None:
    """Add a partner organisation and print its first API token."""
    import re

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", partner_id):
        raise ConfigError("a partner id is 1-64 letters, digits, '-' or '_'", partner_id, "Choose another id")
    if identity is not None and not re.fullmatch(r"identity--[0-9a-f-]{36}", identity):
        raise ConfigError("not a STIX identity id", identity, "Give identity--<uuid>")
    sharing = _sharing()
    if if_missing and sharing.partner(partner_id) is not None:
        out.print(f"partner {partner_id} exists already", highlight=False)
        return
    try:
        row = sharing.add_partner(partner_id, name, identity)
    except ValueError as exc:
        hint = ("Give the identity its own `liaison organisation` shows" if "own identity" in str(exc)
                else "Use `liaison partners token` for a new token")
        raise LiaisonError(str(exc), partner_id, hint) from None
    out.print(f"partner {partner_id} added, STIX identity {row['identity_id']}", highlight=False)
    expires = _expiry(expires_in)
    _show_token(partner_id, sharing.issue_token(partner_id, expires), expires)


@partners_app.command("token")
def partners_token(
    partner_id: str = typer.Argument(..., help="The partner's id."),
    expires_in: int = typer.Option(None, "--expires-in", help="Days until the token expires (default: never)."),
    rotate: bool = typer.Option(False, "--rotate", help="Revoke the partner's other tokens at the same time."),
) -> None:
    """Issue a new API token for a partner (with --rotate, the old ones stop working)."""
    sharing = _sharing()
    expires = _expiry(expires_in)
    try:
        token = sharing.issue_token(partner_id, expires, rotate=rotate)
    except KeyError:
        raise LiaisonError("no such partner", partner_id, "See `liaison partners list`") from None
    except ValueError as exc:
        raise LiaisonError(str(exc), partner_id, "Add it again under a new id") from None
    _show_token(partner_id, token, expires)


@partners_app.command("list")
def partners_list() -> None:
    """List partner organisations."""
    table = Table(title="Partners")
    for col in ("id", "name", "STIX identity", "live tokens", "added", "revoked"):
        table.add_column(col)
    for p in _sharing().partners():
        table.add_row(p["id"], p["name"], p["identity_id"], str(p["tokens"]), f"{p['created_at']:%Y-%m-%d}",
                      f"{p['revoked_at']:%Y-%m-%d}" if p["revoked_at"] else "")
    out.print(table)


@partners_app.command("revoke")
def partners_revoke(partner_id: str = typer.Argument(..., help="The partner's id.")) -> None:
    """Revoke a partner and every token it holds; its grants stay for the record but no longer work."""
    if not _sharing().revoke_partner(partner_id):
        raise LiaisonError("no such partner", partner_id, "See `liaison partners list`")
    out.print(f"partner {partner_id} revoked", highlight=False)


def _collection(sharing, ref: str) -> dict:  # noqa: ANN001
    found = sharing.collection(ref)
    if found is None:
        raise LiaisonError("no such collection", ref, "See `liaison collections list`")
    return found


@collections_app.command("add")
def collections_add(
    alias: str = typer.Argument(..., help="Short name of the collection."),
    title: str = typer.Option(None, "--title", help="Title shown to partners (default: the alias)."),
    description: str = typer.Option(None, "--description", help="What the collection holds."),
    default_tlp: str = typer.Option("amber", "--default-tlp",
                                    help="TLP level of objects that carry none: clear, green, amber, amber+strict, red."),
    public: bool = typer.Option(False, "--public", help="Anonymous clients may read its TLP:CLEAR objects."),
    from_store: bool = typer.Option(False, "--from-store",
                                    help="Holds every STIX object ingest stores, now and from now on."),
    if_missing: bool = typer.Option(False, "--if-missing", help="If the collection exists already, say so and succeed."),
) -> None:
    """Add a TAXII collection."""
    from liaison.stix.tlp import parse_level

    try:
        level = parse_level(default_tlp)
    except ValueError as exc:
        raise ConfigError(str(exc), "--default-tlp", "Give one of clear, green, amber, amber+strict, red") from None
    sharing = _sharing()
    if if_missing and sharing.collection(alias) is not None:
        out.print(f"collection {alias} exists already", highlight=False)
        return
    try:
        row = sharing.add_collection(alias, title or alias, description, level, public, from_store)
    except ValueError as exc:
        raise LiaisonError(str(exc), alias, "Choose another name") from None
    out.print(f"collection {alias} added: id {row['id']}", highlight=False)
    if from_store:
        n = sharing.sync_from_store(sharing.collection(row["id"]))
        out.print(f"{n} STIX objects from the store added", highlight=False)


@collections_app.command("list")
def collections_list() -> None:
    """List collections with their readers, writers and object counts."""
    table = Table(title="Collections")
    for col in ("alias", "id", "default TLP", "public", "from store", "objects", "readers", "writers"):
        table.add_column(col)
    for c in _sharing().collections():
        table.add_row(c["alias"], c["id"], c["default_tlp"].upper(), "yes" if c["public"] else "",
                      "yes" if c["follows_store"] else "", str(c["objects"]), ", ".join(c["readers"]),
                      ", ".join(c["writers"]))
    out.print(table)


def _set_grant(collection: str, partner_id: str, read: bool, write: bool) -> str:
    """Set a partner's rights on a collection; returns the collection's alias."""
    sharing = _sharing()
    col = _collection(sharing, collection)
    try:
        sharing.grant(col["id"], partner_id, read, write)
    except KeyError:
        raise LiaisonError("no such partner", partner_id, "See `liaison partners list`") from None
    return col["alias"]


@collections_app.command("grant")
def collections_grant(
    collection: str = typer.Argument(..., help="Collection alias or id."),
    partner_id: str = typer.Argument(..., help="The partner's id."),
    read: bool = typer.Option(True, "--read/--no-read", help="May read (default yes)."),
    write: bool = typer.Option(False, "--write/--no-write", help="May add and delete objects (default no)."),
) -> None:
    """Let a partner read (and with --write, write) a collection."""
    alias = _set_grant(collection, partner_id, read, write)
    rights = " and ".join(x for x, on in (("read", read), ("write", write)) if on) or "nothing"
    out.print(f"{partner_id} may {rights} {alias}", highlight=False)


@collections_app.command("revoke")
def collections_revoke(
    collection: str = typer.Argument(..., help="Collection alias or id."),
    partner_id: str = typer.Argument(..., help="The partner's id."),
) -> None:
    """Take a partner's access to a collection away."""
    alias = _set_grant(collection, partner_id, False, False)
    out.print(f"{partner_id} may no longer use {alias}", highlight=False)


@app.command()
def audit(
    partner: str = typer.Option(None, "--partner", help="Only this partner's requests."),
    since: str = typer.Option(None, "--since", help="Only requests on or after this date (YYYY-MM-DD)."),
    limit: int = typer.Option(50, "--limit", help="Most rows to show, newest first."),
) -> None:
    """List who read or wrote what over TAXII, when and from where."""
    since_d = _date(since, "--since")
    since_t = dt.datetime.combine(since_d, dt.time(), tzinfo=dt.UTC) if since_d else None
    table = Table(title="Audit log (newest first)")
    for col in ("when (UTC)", "partner", "from", "request", "status", "objects"):
        table.add_column(col, overflow="fold")
    for r in _sharing().audit_log(partner, since_t, limit):
        table.add_row(f"{r['at']:%Y-%m-%d %H:%M:%S}", r["partner_id"] or "(anonymous)", r["remote"] or "",
                      f"{r['method']} {r['path']}", str(r["status"]), str(r["objects"]))
    out.print(table)


@app.command()
def serve(
    host: str = typer.Option(None, "--host", help="Address to listen on (default: LIAISON_HOST, 127.0.0.1)."),
    port: int = typer.Option(None, "--port", help="Port (default: LIAISON_PORT, 8000)."),
    workers: int = typer.Option(None, "--workers", "-w", help="Server processes (default: LIAISON_SERVER_WORKERS)."),
) -> None:
    """Serve the TAXII 2.1 API (under /taxii2/) with uvicorn."""
    import os

    import uvicorn

    settings = _settings()
    updates = {k: v for k, v in (("host", host), ("port", port), ("server_workers", workers)) if v is not None}
    settings = settings.model_copy(update=updates)
    if settings.server_workers < 1:
        raise ConfigError("--workers must be at least 1", str(settings.server_workers), "Give 1 or more")
    import socket

    try:  # a clear line rather than uvicorn's log when the address is taken or not ours
        with socket.create_server((settings.host, settings.port)):
            pass
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise LiaisonError(f"cannot listen: {reason}", f"{settings.host}:{settings.port}",
                           "Choose another --port/--host or stop the program using it") from None
    # Migrate and catch store-following collections up once, before the workers start.
    _sharing(settings).sync_all()
    for key, value in updates.items():  # the worker processes read their settings from the environment
        os.environ[f"LIAISON_{key.upper()}"] = str(value)
    err.print(f"TAXII 2.1 at http://{settings.host}:{settings.port}/taxii2/ ({settings.server_workers} workers, "
              f"store {_store(settings).url})", highlight=False)
    uvicorn.run("liaison.share.app:create_app", factory=True, host=settings.host, port=settings.port,
                workers=settings.server_workers, log_level="warning", access_log=False)


# ---------------------------------------------------------------------------- TAXII client: pull and push

_URL_HELP = ("The remote TAXII 2.1 server: its discovery URL (e.g. https://taxii.example.org/taxii2/), an API root URL "
             "or a collection URL.")


@app.command()
def pull(
    url: str = typer.Argument(..., help=_URL_HELP),
    collection: str = typer.Option(None, "--collection", "-c",
                                   help="Remote collection id, alias or title (not needed with a collection URL)."),
    user: str = typer.Option(None, "--user", help="HTTP Basic user name (for Liaison: the partner id)."),
    password: str = typer.Option(None, "--password", help="HTTP Basic password (for Liaison: the token)."),
    token: str = typer.Option(None, "--token", help="API token, sent as 'Authorization: Bearer <token>'."),
    into: str = typer.Option(None, "--into", help="Local collection to store into; made (TLP:AMBER for unmarked "
                             "objects) if missing. Default: pulled-<remote collection id>."),
) -> None:
    """Fetch the objects a remote TAXII collection gained since the last pull into a local collection."""
    from liaison.share.client import Credentials, default_into, open_remote
    from liaison.share.client import pull as pull_objects

    sharing = _sharing()
    remote = open_remote(url, collection, Credentials(user, password, token))
    try:
        with Progress(TextColumn("[bold]pull"), BarColumn(), TextColumn("{task.completed} objects"),
                      TimeElapsedColumn(), console=err, transient=False) as bar:
            task = bar.add_task("", total=None)
            report = pull_objects(sharing, remote, into or default_into(remote),
                                  progress=lambda n: bar.update(task, advance=n))
            bar.update(task, total=report.fetched, completed=report.fetched)
    finally:
        remote.close()
    for oid, why in report.rejected:
        err.print(f"Error: object {oid} from {report.url} rejected: {why}", style="red", highlight=False, markup=False,
                  soft_wrap=True)
    since = report.since or "the beginning"
    out.print(f"pulled {report.fetched} objects added after {since} from {report.remote_title} ({report.remote_id}) "
              f"at {report.url}", highlight=False, soft_wrap=True)
    table = Table(title=f"Pull into {report.into}")
    for col in ("fetched", "new", "already present", "rejected"):
        table.add_column(col, justify="right")
    table.add_row(str(report.fetched), str(report.new), str(report.present), str(len(report.rejected)))
    out.print(table)
    out.print(f"next pull starts after {report.until or 'the beginning'}", highlight=False)
    if report.no_header:
        err.print("Note: the server sent no X-TAXII-Date-Added-Last header, so the next pull fetches these objects "
                  "again (they are stored once).", highlight=False, soft_wrap=True)
    if report.rejected:
        raise typer.Exit(1)


@app.command()
def push(
    url: str = typer.Argument(..., help=_URL_HELP),
    collection: str = typer.Option(None, "--collection", "-c",
                                   help="Remote collection id, alias or title (not needed with a collection URL)."),
    user: str = typer.Option(None, "--user", help="HTTP Basic user name (for Liaison: the partner id)."),
    password: str = typer.Option(None, "--password", help="HTTP Basic password (for Liaison: the token)."),
    token: str = typer.Option(None, "--token", help="API token, sent as 'Authorization: Bearer <token>'."),
    types: list[str] = typer.Option(None, "--type", help="Only objects of this STIX type (repeat for more)."),
    ids: list[str] = typer.Option(None, "--id", help="Only this object (repeat for more)."),
    source: str = typer.Option(None, "--from", help="Local collection to push from. Default: the latest version of "
                               "every STIX object in the store."),
) -> None:
    """Send local STIX objects to a remote TAXII collection and print the server's status counts."""
    from liaison.share.client import Credentials, choose_objects, open_remote
    from liaison.share.client import push as push_objects

    sharing = _sharing()
    chosen, missing = choose_objects(sharing, source, types or [], ids or [])
    where = f"collection {source}" if source else "the store"
    for oid in missing:
        err.print(f"Error: no object {oid} in {where}.", style="red", highlight=False, markup=False, soft_wrap=True)
    if not chosen:
        raise LiaisonError("no objects to push", where, "Check --from, --type and --id")
    remote = open_remote(url, collection, Credentials(user, password, token), writing=True)
    try:
        with Progress(TextColumn("[bold]push"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                      transient=False) as bar:
            task = bar.add_task("", total=len(chosen))
            report = push_objects(sharing, remote, chosen, progress=lambda n: bar.update(task, advance=n))
    finally:
        remote.close()
    for oid, why in report.failures:
        err.print(f"Error: {report.url} refused {oid}: {why}", style="red", highlight=False, markup=False,
                  soft_wrap=True)
    out.print(f"pushed {report.chosen} objects from {where} to {report.url}", highlight=False, soft_wrap=True)
    table = Table(title="Push status")
    for col in ("objects", "envelopes", "succeeded", "failed", "pending"):
        table.add_column(col, justify="right")
    table.add_row(str(report.chosen), str(report.envelopes), str(report.success), str(report.failure),
                  str(report.pending))
    out.print(table)
    if report.pending:
        err.print(f"Note: {report.pending} objects were still pending when Liaison stopped waiting; see the server's "
                  "status resources.", highlight=False, soft_wrap=True)
    if report.failure or report.pending or missing:
        raise typer.Exit(1)


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
