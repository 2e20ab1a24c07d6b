"""Exchanging with other TAXII 2.1 servers: pull and push (taxii2-client)."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from liaison.cli import common
from liaison.cli.render import Column, err, error, note, say, table
from liaison.errors import LiaisonError

# What pull and push both take to reach and sign in to a remote collection. Each command still
# spells the five parameters out: Typer reads a command's options from its own signature.
REMOTE_COLLECTION = typer.Option(None, "--collection", "-c",
                                 help="Remote collection id, alias or title (not needed with a collection URL).")
USER = typer.Option(None, "--user", help="HTTP Basic user name (for Liaison: the partner id).")
PASSWORD = typer.Option(None, "--password", help="HTTP Basic password (for Liaison: the token).")
TOKEN = typer.Option(None, "--token", help="API token, sent as 'Authorization: Bearer <token>'.")

_URL_HELP = ("The remote TAXII 2.1 server: its discovery URL (e.g. https://taxii.example.org/taxii2/), an API root URL "
             "or a collection URL.")


def pull(
    url: str = typer.Argument(..., help=_URL_HELP),
    collection: str = REMOTE_COLLECTION,
    user: str = USER,
    password: str = PASSWORD,
    token: str = TOKEN,
    into: str = typer.Option(None, "--into", help="Local collection to store into; made (TLP:AMBER for unmarked "
                             "objects) if missing. Default: pulled-<remote collection id>."),
) -> None:
    """Fetch the objects a remote TAXII collection gained since the last pull into a local collection."""
    from liaison.share.client import Credentials, default_into, open_remote
    from liaison.share.client import pull as pull_objects

    common.collection_alias(into, "--into")
    sharing = common.sharing()
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
        error(f"object {oid} from {report.url} rejected: {why}")
    since = report.since or "the beginning"
    say(f"pulled {report.fetched} objects added after {since} from {report.remote_title} ({report.remote_id}) "
        f"at {report.url}")
    table(f"Pull into {report.into}", [Column(c, justify="right") for c in ("fetched", "new", "already present",
                                                                            "rejected")],
          [{"fetched": report.fetched, "new": report.new, "already present": report.present,
            "rejected": len(report.rejected)}])
    say(f"next pull starts after {report.until or 'the beginning'}")
    if report.no_header:
        note("Note: the server sent no X-TAXII-Date-Added-Last header, so the next pull fetches these objects "
             "again (they are stored once).")
    if report.rejected:
        raise typer.Exit(1)


def push(
    url: str = typer.Argument(..., help=_URL_HELP),
    collection: str = REMOTE_COLLECTION,
    user: str = USER,
    password: str = PASSWORD,
    token: str = TOKEN,
    types: list[str] = typer.Option(None, "--type", help="Only objects of this STIX type (repeat for more)."),
    ids: list[str] = typer.Option(None, "--id", help="Only this object (repeat for more)."),
    source: str = typer.Option(None, "--from", help="Local collection to push from. Default: the latest version of "
                               "every STIX object in the store."),
) -> None:
    """Send local STIX objects to a remote TAXII collection and print the server's status counts."""
    from liaison.share.client import Credentials, choose_objects, open_remote
    from liaison.share.client import push as push_objects

    sharing = common.sharing()
    chosen, missing = choose_objects(sharing, source, types or [], ids or [])
    where = f"collection {source}" if source else "the store"
    for oid in missing:
        error(f"no object {oid} in {where}.")
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
        error(f"{report.url} refused {oid}: {why}")
    say(f"pushed {report.chosen} objects from {where} to {report.url}")
    table("Push status", [Column(c, justify="right") for c in ("objects", "envelopes", "succeeded", "failed",
                                                                "pending")],
          [{"objects": report.chosen, "envelopes": report.envelopes, "succeeded": report.success,
            "failed": report.failure, "pending": report.pending}])
    if report.pending:
        note(f"Note: {report.pending} objects were still pending when Liaison stopped waiting; see the server's "
             "status resources.")
    if report.failure or report.pending or missing:
        raise typer.Exit(1)


COMMANDS = [pull, push]
