"""What the store knows across documents: entities, events.

The options that narrow a listing (``--type``, ``--entity``, ``--since``, ``--until``) are declared
here once: the ``entities`` group (cli/fusion.py) offers this module's ``entities`` listing with the
same options, and ``timeline`` narrows by the same dates as ``events``."""

from __future__ import annotations

import datetime as dt

import typer

from liaison.cli import common
from liaison.cli.render import ENTITY_STYLE, Column, emit
from liaison.model import ENTITY_TYPES, EVENT_TYPES

ENTITY_COLUMNS = [Column("name"), Column("type", style=ENTITY_STYLE), Column("documents", justify="right"),
                  Column("mentions", justify="right"), Column("key")]
EVENT_COLUMNS = [Column("document"), Column("type"), Column("foiled"), Column("date", wrap=False), Column("actors"),
                 Column("targets"), Column("location"), Column("figures"), Column("source"),
                 Column("confidence", "conf", justify="right")]

# `entities`' options (and the `entities` group's)
ENTITY_TYPE = typer.Option(None, "--type", help=f"Only this type: {', '.join(ENTITY_TYPES)}.")
NAME_CONTAINS = typer.Option(None, "--entity", help="Only names containing this text.")
PUBLISHED_SINCE = typer.Option(None, "--since", help="Only in documents published on or after this date.")
PUBLISHED_UNTIL = typer.Option(None, "--until", help="Only in documents published on or before this date.")
# `events`' and `timeline`'s dates
SINCE = typer.Option(None, "--since", help=common.SINCE)
UNTIL = typer.Option(None, "--until", help=common.UNTIL)


def narrowed(type_: str | None, types: tuple[str, ...], since: str | None,
             until: str | None) -> tuple[dt.date | None, dt.date | None]:
    """``--since`` and ``--until`` as dates, once ``--type`` is one of ``types`` (each mistake the one line)."""
    common.check_type(type_, types, "--type")
    return common.parse_date(since, "--since"), common.parse_date(until, "--until")


def entities(
    type_: str = ENTITY_TYPE,
    entity: str = NAME_CONTAINS,
    since: str = PUBLISHED_SINCE,
    until: str = PUBLISHED_UNTIL,
    as_json: bool = common.JSON,
) -> None:
    """List entities across the stored documents."""
    from liaison import listings

    since_d, until_d = narrowed(type_, ENTITY_TYPES, since, until)
    emit("Entities", ENTITY_COLUMNS, listings.entities(common.store(), type_, entity, since_d, until_d), as_json)


def events(
    type_: str = typer.Option(None, "--type", help=f"Only this type: {', '.join(EVENT_TYPES)}."),
    entity: str = typer.Option(None, "--entity", help="Only events with an actor, target or place named so."),
    since: str = SINCE,
    until: str = UNTIL,
    as_json: bool = common.JSON,
) -> None:
    """List events across the stored documents, in date order."""
    from liaison import listings

    since_d, until_d = narrowed(type_, EVENT_TYPES, since, until)
    emit("Events", EVENT_COLUMNS, listings.events(common.store(), type_, entity, since_d, until_d), as_json)


# `entities` is the listing of the `entities` group (cli/fusion.py), beside its merge and split.
COMMANDS = [events]
